//! How the values of one chunk of a native loop sit in 128-bit vector registers.
//!
//! One iteration of a segment's loop computes a chunk of `w` consecutive elements (`w` a
//! multiple of 4). A value of the chunk is a [`Val`]: `w / lanes` vectors of the dtype's
//! vector type (int32 and float32 have 4 lanes, int64 and float64 2), complex128 as two lists
//! of f64x2 (real parts, imaginary parts: the element-wise formulas then vectorise like real
//! ones), and bool as lane masks (all ones for true) of whatever lane width the operation that
//! made them had, converted when a consumer needs another width. Cranelift's x86-64 backend
//! has 128-bit vectors only: several vectors per value unroll the loop.
//!
//! Everything here is plain SSE2 when the ISA flags say so (Cranelift lowers each operation
//! for the flags it is given); the instructions used are chosen so that SSE2 has them or
//! Cranelift has an SSE2 sequence for them.

use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value, types,
};
use cranelift_frontend::FunctionBuilder;

use crate::dtype::{DType, Scalar};

/// A value of the chunk being computed.
#[derive(Clone, Debug)]
pub(super) enum Val {
    /// bool: lane masks `bits` wide (all ones for true, zero for false); `ceil(w * bits /
    /// 128)` vectors, of which only the first `w` lanes mean anything.
    Mask { bits: u32, vecs: Vec<Value> },
    /// int32, int64, float32, float64: `w / lanes` vectors of the dtype's vector type.
    Num(Vec<Value>),
    /// complex128: the real parts and the imaginary parts, `w / 2` f64x2 vectors each.
    Complex(Vec<Value>, Vec<Value>),
}

impl Val {
    /// The vectors of a number.
    pub(super) fn num(&self) -> Result<&[Value], String> {
        match self {
            Val::Num(v) => Ok(v),
            other => Err(format!("expected a number, got {other:?}")),
        }
    }

    /// The parts of a complex number.
    pub(super) fn complex(&self) -> Result<(&[Value], &[Value]), String> {
        match self {
            Val::Complex(re, im) => Ok((re, im)),
            other => Err(format!("expected a complex number, got {other:?}")),
        }
    }
}

/// Little-endian lane order for bitcasts between vector types (x86-64 is little-endian).
fn lane_order() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// Flags of the loop's loads and stores: they never trap (the caller guarantees the memory)
/// but are not known to be aligned (an input may start anywhere), so Cranelift never folds
/// them into an SSE instruction that requires 16-byte alignment.
pub(super) fn data_access() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The chunk geometry and the vector helpers of one loop.
#[derive(Clone, Copy, Debug)]
pub(super) struct Chunk {
    /// Elements per iteration.
    pub w: usize,
}

/// Lanes of the vector type that holds a dtype (complex: per list of parts).
pub(super) fn lanes(d: DType) -> usize {
    match d {
        DType::Int32 | DType::Float32 => 4,
        DType::Int64 | DType::Float64 | DType::Complex128 => 2,
        DType::Bool | DType::Bytes(_) => 16,
    }
}

/// The vector type of a dtype's values (complex: of each list of parts; bool: as stored).
pub(super) fn vec_type(d: DType) -> Type {
    match d {
        DType::Int32 => types::I32X4,
        DType::Int64 => types::I64X2,
        DType::Float32 => types::F32X4,
        DType::Float64 | DType::Complex128 => types::F64X2,
        DType::Bool | DType::Bytes(_) => types::I8X16,
    }
}

/// The scalar type of one lane of a dtype's vectors.
pub(super) fn lane_type(d: DType) -> Type {
    vec_type(d).lane_type()
}

/// The mask width that lines up with a dtype's lanes (for `where` and the bool casts).
pub(super) fn mask_bits(d: DType) -> u32 {
    match d {
        DType::Int32 | DType::Float32 => 32,
        DType::Int64 | DType::Float64 | DType::Complex128 => 64,
        DType::Bool | DType::Bytes(_) => 8,
    }
}

/// The integer vector type of masks `bits` wide.
pub(super) fn mask_type(bits: u32) -> Type {
    match bits {
        8 => types::I8X16,
        16 => types::I16X8,
        32 => types::I32X4,
        _ => types::I64X2,
    }
}

/// Bytes of one element in memory.
pub(super) fn elem_size(d: DType) -> usize {
    d.itemsize()
}

/// The bytes of a shuffle that interleaves lanes `lane_bytes` wide of two vectors, from their
/// low halves or their high halves (`punpckl*`/`punpckh*`).
fn unpack_mask(lane_bytes: usize, high: bool) -> [u8; 16] {
    let mut m = [0u8; 16];
    let half = 16 / lane_bytes / 2;
    for r in 0..16 / lane_bytes {
        let lane = r / 2 + if high { half } else { 0 };
        let base = if r % 2 == 0 { 0 } else { 16 };
        for t in 0..lane_bytes {
            m[r * lane_bytes + t] = (base + lane * lane_bytes + t) as u8;
        }
    }
    m
}

/// The bytes of a shuffle taking 32-bit lanes 0 and 2 of each vector (`shufps`): the low
/// halves of two 64-bit masks, as one 32-bit mask.
fn even_words_mask() -> [u8; 16] {
    let mut m = [0u8; 16];
    for (r, lane) in [0usize, 2, 4, 6].into_iter().enumerate() {
        for t in 0..4 {
            m[r * 4 + t] = (lane * 4 + t) as u8;
        }
    }
    m
}

impl Chunk {
    /// Vectors per value of a number dtype (or per list of parts of a complex).
    pub(super) fn count(&self, d: DType) -> usize {
        self.w / lanes(d)
    }

    /// Vectors per mask `bits` wide.
    pub(super) fn mask_count(&self, bits: u32) -> usize {
        (self.w * bits as usize).div_ceil(128)
    }

    /// `v` viewed as type `ty` (no instruction).
    pub(super) fn cast(b: &mut FunctionBuilder<'_>, ty: Type, v: Value) -> Value {
        if b.func.dfg.value_type(v) == ty {
            v
        } else {
            b.ins().bitcast(ty, lane_order(), v)
        }
    }

    /// A vector constant of type `ty` from its 16 bytes.
    pub(super) fn vconst(b: &mut FunctionBuilder<'_>, ty: Type, bytes: [u8; 16]) -> Value {
        let c = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
        b.ins().vconst(ty, c)
    }

    /// A vector of type `ty` with every lane holding the low bits of `lane`.
    pub(super) fn splat_bits(b: &mut FunctionBuilder<'_>, ty: Type, lane: u64) -> Value {
        let size = ty.lane_bits() as usize / 8;
        let mut bytes = [0u8; 16];
        for (k, byte) in bytes.iter_mut().enumerate() {
            *byte = (lane >> (8 * (k % size))) as u8;
        }
        Self::vconst(b, ty, bytes)
    }

    /// `n` copies of the vector constant of type `ty` with every lane `lane`.
    pub(super) fn splat_n(
        &self,
        b: &mut FunctionBuilder<'_>,
        ty: Type,
        lane: u64,
        n: usize,
    ) -> Vec<Value> {
        let v = Self::splat_bits(b, ty, lane);
        vec![v; n]
    }

    /// `op` of two vectors of the same shape, shuffled as bytes.
    fn shuffle(b: &mut FunctionBuilder<'_>, x: Value, y: Value, mask: [u8; 16]) -> Value {
        let ty = b.func.dfg.value_type(x);
        let x8 = Self::cast(b, types::I8X16, x);
        let y8 = Self::cast(b, types::I8X16, y);
        let imm = b.func.dfg.immediates.push(ConstantData::from(&mask[..]));
        let r = b.ins().shuffle(x8, y8, imm);
        Self::cast(b, ty, r)
    }

    /// Lanes `lane_bytes` wide of the low (or high) halves of `x` and `y`, interleaved.
    pub(super) fn unpack(
        b: &mut FunctionBuilder<'_>,
        x: Value,
        y: Value,
        lane_bytes: usize,
        high: bool,
    ) -> Value {
        Self::shuffle(b, x, y, unpack_mask(lane_bytes, high))
    }

    /// The high 64 bits of `v` moved to the low half (the high half is a copy).
    pub(super) fn high_half(b: &mut FunctionBuilder<'_>, v: Value) -> Value {
        Self::unpack(b, v, v, 8, true)
    }

    /// `val` (a bool) as masks `bits` wide.
    pub(super) fn mask(
        &self,
        b: &mut FunctionBuilder<'_>,
        val: &Val,
        bits: u32,
    ) -> Result<Vec<Value>, String> {
        let Val::Mask { bits: have, vecs } = val else {
            return Err(format!("expected a bool, got {val:?}"));
        };
        let mut have = *have;
        let mut vecs = vecs.clone();
        while have < bits {
            // Widen: each lane duplicated into a lane twice as wide is the same mask.
            let lane_bytes = have as usize / 8;
            let want = self.mask_count(have * 2);
            let mut out = Vec::with_capacity(want);
            for j in 0..want {
                let v = vecs[j / 2];
                out.push(Self::unpack(b, v, v, lane_bytes, j % 2 == 1));
            }
            vecs = out;
            have *= 2;
        }
        while have > bits {
            // Narrow: signed saturation keeps 0 and -1; 64-bit masks take their low halves.
            let want = self.mask_count(have / 2);
            let mut out = Vec::with_capacity(want);
            for j in 0..want {
                let x = vecs[2 * j];
                let y = vecs.get(2 * j + 1).copied().unwrap_or(x);
                out.push(match have {
                    64 => {
                        let x = Self::cast(b, types::I32X4, x);
                        let y = Self::cast(b, types::I32X4, y);
                        Self::shuffle(b, x, y, even_words_mask())
                    }
                    _ => b.ins().snarrow(x, y),
                });
            }
            vecs = out;
            have /= 2;
        }
        // Shuffles keep their operands' type: give each mask the integer type of its width.
        let ty = mask_type(bits);
        Ok(vecs.into_iter().map(|v| Self::cast(b, ty, v)).collect())
    }

    /// The masks of a bool as the float vector type `ty` (for `bitselect` on floats).
    pub(super) fn mask_as(
        &self,
        b: &mut FunctionBuilder<'_>,
        val: &Val,
        ty: Type,
    ) -> Result<Vec<Value>, String> {
        let masks = self.mask(b, val, ty.lane_bits())?;
        Ok(masks.into_iter().map(|m| Self::cast(b, ty, m)).collect())
    }

    /// Load the chunk of a dtype at `ptr`.
    pub(super) fn load(&self, b: &mut FunctionBuilder<'_>, d: DType, ptr: Value) -> Val {
        let flags = data_access();
        match d {
            DType::Bool => {
                // Bytes 0/1; `0 - x` makes them masks.
                let vecs = if self.w >= 16 {
                    (0..self.w / 16)
                        .map(|k| b.ins().load(types::I8X16, flags, ptr, 16 * k as i32))
                        .collect()
                } else {
                    let (scalar, vector) = match self.w {
                        8 => (types::I64, types::I64X2),
                        _ => (types::I32, types::I32X4),
                    };
                    let s = b.ins().load(scalar, flags, ptr, 0);
                    let v = b.ins().scalar_to_vector(vector, s);
                    vec![Self::cast(b, types::I8X16, v)]
                };
                let vecs = vecs.into_iter().map(|v| b.ins().ineg(v)).collect();
                Val::Mask { bits: 8, vecs }
            }
            DType::Complex128 => {
                let (mut re, mut im) = (Vec::new(), Vec::new());
                for k in 0..self.count(d) {
                    let x = b.ins().load(types::F64X2, flags, ptr, 32 * k as i32);
                    let y = b.ins().load(types::F64X2, flags, ptr, 32 * k as i32 + 16);
                    re.push(Self::unpack(b, x, y, 8, false));
                    im.push(Self::unpack(b, x, y, 8, true));
                }
                Val::Complex(re, im)
            }
            _ => Val::Num(
                (0..self.count(d))
                    .map(|k| b.ins().load(vec_type(d), flags, ptr, 16 * k as i32))
                    .collect(),
            ),
        }
    }

    /// Store the chunk `val` of dtype `d` at `ptr`.
    pub(super) fn store(
        &self,
        b: &mut FunctionBuilder<'_>,
        d: DType,
        ptr: Value,
        val: &Val,
    ) -> Result<(), String> {
        let flags = data_access();
        match d {
            DType::Bool => {
                let masks = self.mask(b, val, 8)?;
                let one = Self::splat_bits(b, types::I8X16, 1);
                let bytes: Vec<Value> = masks.into_iter().map(|m| b.ins().band(m, one)).collect();
                if self.w >= 16 {
                    for (k, v) in bytes.into_iter().enumerate() {
                        b.ins().store(flags, v, ptr, 16 * k as i32);
                    }
                } else {
                    let vector = match self.w {
                        8 => types::I64X2,
                        _ => types::I32X4,
                    };
                    let v = Self::cast(b, vector, bytes[0]);
                    let s = b.ins().extractlane(v, 0);
                    b.ins().store(flags, s, ptr, 0);
                }
            }
            DType::Complex128 => {
                let (re, im) = val.complex()?;
                for (k, (&r, &i)) in re.iter().zip(im).enumerate() {
                    let x = Self::unpack(b, r, i, 8, false);
                    let y = Self::unpack(b, r, i, 8, true);
                    b.ins().store(flags, x, ptr, 32 * k as i32);
                    b.ins().store(flags, y, ptr, 32 * k as i32 + 16);
                }
            }
            _ => {
                for (k, &v) in val.num()?.iter().enumerate() {
                    b.ins().store(flags, v, ptr, 16 * k as i32);
                }
            }
        }
        Ok(())
    }

    /// The chunk of a value that is the same for every element, read from `ptr` (one element
    /// of dtype `d`).
    pub(super) fn splat_load(&self, b: &mut FunctionBuilder<'_>, d: DType, ptr: Value) -> Val {
        let flags = data_access();
        match d {
            DType::Bool => {
                let s = b.ins().load(types::I8, flags, ptr, 0);
                let v = b.ins().splat(types::I8X16, s);
                let m = b.ins().ineg(v);
                Val::Mask {
                    bits: 8,
                    vecs: vec![m; self.mask_count(8)],
                }
            }
            DType::Complex128 => {
                let re = b.ins().load(types::F64, flags, ptr, 0);
                let im = b.ins().load(types::F64, flags, ptr, 8);
                let re = b.ins().splat(types::F64X2, re);
                let im = b.ins().splat(types::F64X2, im);
                let n = self.count(d);
                Val::Complex(vec![re; n], vec![im; n])
            }
            _ => {
                let s = b.ins().load(lane_type(d), flags, ptr, 0);
                let v = b.ins().splat(vec_type(d), s);
                Val::Num(vec![v; self.count(d)])
            }
        }
    }

    /// The chunk of a constant.
    pub(super) fn constant(&self, b: &mut FunctionBuilder<'_>, s: &Scalar) -> Result<Val, String> {
        let num = |b: &mut FunctionBuilder<'_>, d: DType, bits: u64| {
            Val::Num(self.splat_n(b, vec_type(d), bits, self.count(d)))
        };
        Ok(match *s {
            Scalar::Bool(v) => {
                let m = Self::splat_bits(b, types::I8X16, if v { u64::MAX } else { 0 });
                Val::Mask {
                    bits: 8,
                    vecs: vec![m; self.mask_count(8)],
                }
            }
            Scalar::Int32(v) => num(b, DType::Int32, v as u32 as u64),
            Scalar::Int64(v) => num(b, DType::Int64, v as u64),
            Scalar::Float32(v) => num(b, DType::Float32, v.to_bits() as u64),
            Scalar::Float64(v) => num(b, DType::Float64, v.to_bits()),
            Scalar::Complex128(z) => {
                let n = self.count(DType::Complex128);
                Val::Complex(
                    self.splat_n(b, types::F64X2, z.re.to_bits(), n),
                    self.splat_n(b, types::F64X2, z.im.to_bits(), n),
                )
            }
            Scalar::Bytes(_) => return Err("a byte-string constant in a native segment".into()),
        })
    }

    /// Apply `f` to each lane of each vector of `vecs` (of lane type `lane`), giving vectors of
    /// type `out` with the same number of lanes in total: the fallback for operations that have
    /// no vector instruction (integer division, powers, variable shifts, int64 to float).
    pub(super) fn per_lane(
        b: &mut FunctionBuilder<'_>,
        inputs: &[&[Value]],
        out: Type,
        mut f: impl FnMut(&mut FunctionBuilder<'_>, &[Value]) -> Value,
    ) -> Vec<Value> {
        let Some(first) = inputs.first() else {
            return Vec::new();
        };
        let in_lanes = b.func.dfg.value_type(first[0]).lane_count() as usize;
        let mut scalars = Vec::new();
        for k in 0..first.len() {
            for lane in 0..in_lanes {
                let args: Vec<Value> = inputs
                    .iter()
                    .map(|vecs| b.ins().extractlane(vecs[k], lane as u8))
                    .collect();
                scalars.push(f(b, &args));
            }
        }
        Self::gather(b, out, &scalars)
    }

    /// Vectors of type `ty` holding `scalars` in order.
    pub(super) fn gather(b: &mut FunctionBuilder<'_>, ty: Type, scalars: &[Value]) -> Vec<Value> {
        let n = ty.lane_count() as usize;
        scalars
            .chunks(n)
            .map(|lanes| {
                let mut v = b.ins().scalar_to_vector(ty, lanes[0]);
                for (k, &s) in lanes.iter().enumerate().skip(1) {
                    v = b.ins().insertlane(v, s, k as u8);
                }
                v
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_masks_are_the_unpack_and_shufps_patterns() {
        // The immediates Cranelift's x86-64 backend lowers to single SSE2 instructions.
        assert_eq!(
            u128::from_le_bytes(unpack_mask(8, false)),
            0x1716151413121110_0706050403020100
        );
        assert_eq!(
            u128::from_le_bytes(unpack_mask(8, true)),
            0x1f1e1d1c1b1a1918_0f0e0d0c0b0a0908
        );
        assert_eq!(
            u128::from_le_bytes(unpack_mask(4, false)),
            0x17161514_07060504_13121110_03020100
        );
        assert_eq!(
            u128::from_le_bytes(unpack_mask(1, true)),
            0x1f0f_1e0e_1d0d_1c0c_1b0b_1a0a_1909_1808
        );
        assert_eq!(
            even_words_mask(),
            [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27]
        );
    }
}
