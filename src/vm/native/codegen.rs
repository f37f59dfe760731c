//! Cranelift IR for each native opcode: the element functions of `bytecode::table` (and
//! `vm::kernels::elem`, `vm::kernels::complex`) over a chunk of elements in vector registers.
//!
//! In: an opcode and its operands as chunk values ([`Val`]), plus the two facts of the target
//! that change results: the chunk width and whether the ISA's interpreter kernels round with
//! an instruction (`Isa::ROUND`). Out: the result's chunk value.
//!
//! Every lowering computes exactly what the interpreter's element function computes, operation
//! for operation: the same IEEE operations in the same order (never an FMA), wrapping integer
//! arithmetic, integer division and modulo with the interpreter's results for a zero divisor
//! and `MIN // -1`, shifts with out-of-range counts, the software rounding of the baseline ISA
//! (the 2^52 trick) where the interpreter uses it and the rounding instruction where it does.
//! Only the payload and sign of a NaN may differ (x86 propagates the first operand's NaN and
//! LLVM may swap the operands of a commutative operation; neither engine promises either).
//!
//! [`eligible`] lists the opcodes lowered here. The others stay interpreter kernels: the
//! transcendental functions (`math1`/`math2` entries, the complex ones, `abs` and `sign` of a
//! complex, which call `hypot`), `fmod` (libm's), `nextafter`, complex `**`, and byte strings.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{BlockArg, InstBuilder, Type, Value, types};
use cranelift_frontend::FunctionBuilder;

use super::lanes::{Chunk, Val, lane_type, mask_bits, vec_type};
use crate::bytecode::OpCode;
use crate::dtype::Scalar;

/// Whether `op` has a native lowering.
pub(crate) fn eligible(op: OpCode) -> bool {
    use OpCode::*;
    matches!(
        op,
        CopyB
            | CopyI
            | CopyL
            | CopyF
            | CopyD
            | CopyC
            | CastBI
            | CastBL
            | CastBF
            | CastBD
            | CastBC
            | CastIL
            | CastIF
            | CastID
            | CastIC
            | CastLF
            | CastLD
            | CastLC
            | CastFD
            | CastFC
            | CastDC
            | NegI
            | NegL
            | NegF
            | NegD
            | NegC
            | AddI
            | AddL
            | AddF
            | AddD
            | AddC
            | SubI
            | SubL
            | SubF
            | SubD
            | SubC
            | MulI
            | MulL
            | MulF
            | MulD
            | MulC
            | DivF
            | DivD
            | DivC
            | FloorDivI
            | FloorDivL
            | FloorDivF
            | FloorDivD
            | ModI
            | ModL
            | ModF
            | ModD
            | PowI
            | PowL
            | AbsI
            | AbsL
            | AbsF
            | AbsD
            | OnesLikeI
            | OnesLikeL
            | OnesLikeF
            | OnesLikeD
            | OnesLikeC
            | NotB
            | NotI
            | NotL
            | AndB
            | AndI
            | AndL
            | OrB
            | OrI
            | OrL
            | XorB
            | XorI
            | XorL
            | ShlI
            | ShlL
            | ShrI
            | ShrL
            | LtB
            | LtI
            | LtL
            | LtF
            | LtD
            | LeB
            | LeI
            | LeL
            | LeF
            | LeD
            | GtB
            | GtI
            | GtL
            | GtF
            | GtD
            | GeB
            | GeI
            | GeL
            | GeF
            | GeD
            | EqB
            | EqI
            | EqL
            | EqF
            | EqD
            | EqC
            | NeB
            | NeI
            | NeL
            | NeF
            | NeD
            | NeC
            | WhereB
            | WhereI
            | WhereL
            | WhereF
            | WhereD
            | WhereC
            | SqrtF
            | SqrtD
            | CeilF
            | CeilD
            | FloorF
            | FloorD
            | TruncD
            | RoundI
            | RoundL
            | RoundD
            | RoundC
            | SignI
            | SignL
            | SignD
            | RealD
            | RealC
            | ImagD
            | ImagC
            | ConjD
            | ConjC
            | IsNanF
            | IsNanD
            | IsNanC
            | IsFiniteF
            | IsFiniteD
            | IsFiniteC
            | IsInfF
            | IsInfD
            | IsInfC
            | SignBitF
            | SignBitD
            | CopySignD
            | MaximumD
            | MinimumD
            | ComplexD
    )
}

/// An operand of an instruction: its chunk value, and its value when it is a constant of the
/// program (shifts, powers and divisions by a constant have cheaper exact lowerings).
#[derive(Clone, Debug)]
pub(super) struct Arg {
    /// The chunk.
    pub val: Val,
    /// The constant, if the operand is one.
    pub konst: Option<Scalar>,
}

/// What a lowering needs to know about the target.
#[derive(Clone, Copy, Debug)]
pub(super) struct Target {
    /// The chunk geometry.
    pub chunk: Chunk,
    /// Whether the interpreter's kernels for this ISA round with an instruction
    /// (`Isa::ROUND`); otherwise they use the 2^52 trick, and so does the native code.
    pub round: bool,
}

type B<'a, 'b> = &'a mut FunctionBuilder<'b>;

/// `f` over the vectors of two values, pairwise.
fn zip(
    b: B<'_, '_>,
    x: &[Value],
    y: &[Value],
    f: impl Fn(B<'_, '_>, Value, Value) -> Value,
) -> Vec<Value> {
    x.iter().zip(y).map(|(&x, &y)| f(b, x, y)).collect()
}

/// `f` over the vectors of one value.
fn map(b: B<'_, '_>, x: &[Value], f: impl Fn(B<'_, '_>, Value) -> Value) -> Vec<Value> {
    x.iter().map(|&x| f(b, x)).collect()
}

/// The integer vector type with the lanes of `ty`.
fn int_of(ty: Type) -> Type {
    match ty.lane_bits() {
        32 => types::I32X4,
        _ => types::I64X2,
    }
}

/// A float splat of type `ty` (`F32X4` or `F64X2`).
fn fsplat(b: B<'_, '_>, ty: Type, v: f64) -> Value {
    let bits = if ty.lane_bits() == 32 {
        (v as f32).to_bits() as u64
    } else {
        v.to_bits()
    };
    Chunk::splat_bits(b, ty, bits)
}

/// The sign bit of each lane of type `ty`.
fn sign_mask(ty: Type) -> u64 {
    1u64 << (ty.lane_bits() - 1)
}

/// `mag` with the sign of `sign`, bitwise (as `f64::copysign`).
fn copysign(b: B<'_, '_>, ty: Type, mag: Value, sign: Value) -> Value {
    let it = int_of(ty);
    let s = Chunk::splat_bits(b, it, sign_mask(ty));
    let m = Chunk::cast(b, it, mag);
    let g = Chunk::cast(b, it, sign);
    let m = b.ins().band_not(m, s);
    let g = b.ins().band(g, s);
    let r = b.ins().bor(m, g);
    Chunk::cast(b, ty, r)
}

/// `bitselect` with a mask from a comparison (an integer vector) over float vectors.
fn fselect(b: B<'_, '_>, ty: Type, mask: Value, x: Value, y: Value) -> Value {
    let m = Chunk::cast(b, ty, mask);
    b.ins().bitselect(m, x, y)
}

/// `x.round_ties_even()` as `elem::rint_*`.
fn rint(b: B<'_, '_>, t: Target, ty: Type, x: Value) -> Value {
    if t.round {
        return b.ins().nearest(x);
    }
    // (x + m) - m with m = ±2^mantissa rounds in the current (nearest-even) mode.
    let big = fsplat(
        b,
        ty,
        if ty.lane_bits() == 32 {
            8388608.0
        } else {
            4503599627370496.0
        },
    );
    let m = copysign(b, ty, big, x);
    let s = b.ins().fadd(x, m);
    let r = b.ins().fsub(s, m);
    let r = copysign(b, ty, r, x);
    let ax = b.ins().fabs(x);
    let small = b.ins().fcmp(FloatCC::LessThan, ax, big);
    fselect(b, ty, small, r, x)
}

/// `x.floor()` as `elem::floor_*`.
fn floor(b: B<'_, '_>, t: Target, ty: Type, x: Value) -> Value {
    if t.round {
        return b.ins().floor(x);
    }
    let r = rint(b, t, ty, x);
    let one = fsplat(b, ty, 1.0);
    let down = b.ins().fsub(r, one);
    let above = b.ins().fcmp(FloatCC::GreaterThan, r, x);
    fselect(b, ty, above, down, r)
}

/// `x.ceil()` as `elem::ceil_*`.
fn ceil(b: B<'_, '_>, t: Target, ty: Type, x: Value) -> Value {
    if t.round {
        return b.ins().ceil(x);
    }
    let r = rint(b, t, ty, x);
    let one = fsplat(b, ty, 1.0);
    let up = b.ins().fadd(r, one);
    let below = b.ins().fcmp(FloatCC::LessThan, r, x);
    let c = fselect(b, ty, below, up, r);
    copysign(b, ty, c, x)
}

/// `x.trunc()` as `elem::trunc_f64`.
fn trunc(b: B<'_, '_>, t: Target, ty: Type, x: Value) -> Value {
    if t.round {
        return b.ins().trunc(x);
    }
    let ax = b.ins().fabs(x);
    let r = floor(b, t, ty, ax);
    copysign(b, ty, r, x)
}

/// Python's floor division of two scalars as `elem::floordiv_*`: by zero gives 0, `MIN // -1`
/// wraps. The divisor seen by `sdiv` is never 0 or -1, so it cannot trap.
fn floordiv_scalar(b: B<'_, '_>, ty: Type, a: Value, d: Value) -> Value {
    let (q, r, zero, is0) = safe_divrem(b, ty, a, d);
    let inexact = b.ins().icmp(IntCC::NotEqual, r, zero);
    let an = b.ins().icmp(IntCC::SignedLessThan, a, zero);
    let dn = b.ins().icmp(IntCC::SignedLessThan, d, zero);
    let differ = b.ins().bxor(an, dn);
    let adjust = b.ins().band(inexact, differ);
    let q1 = b.ins().iadd_imm_s(q, -1);
    let res = b.ins().select(adjust, q1, q);
    b.ins().select(is0, zero, res)
}

/// Python's modulo of two scalars as `elem::mod_*`: the sign of the divisor, 0 for a zero
/// divisor and for `MIN % -1`.
fn mod_scalar(b: B<'_, '_>, ty: Type, a: Value, d: Value) -> Value {
    let (_, r, zero, is0) = safe_divrem(b, ty, a, d);
    let nonzero = b.ins().icmp(IntCC::NotEqual, r, zero);
    let rn = b.ins().icmp(IntCC::SignedLessThan, r, zero);
    let dn = b.ins().icmp(IntCC::SignedLessThan, d, zero);
    let differ = b.ins().bxor(rn, dn);
    let adjust = b.ins().band(nonzero, differ);
    let shifted = b.ins().iadd(r, d);
    let res = b.ins().select(adjust, shifted, r);
    b.ins().select(is0, zero, res)
}

/// Truncating quotient and remainder as `wrapping_div`/`wrapping_rem` (with `d == -1` giving
/// `-a` and 0), the zero constant, and whether `d` is zero (the quotient is then meaningless).
fn safe_divrem(b: B<'_, '_>, ty: Type, a: Value, d: Value) -> (Value, Value, Value, Value) {
    let zero = b.ins().iconst(ty, 0);
    let one = b.ins().iconst(ty, 1);
    let is0 = b.ins().icmp_imm_s(IntCC::Equal, d, 0);
    let ism1 = b.ins().icmp_imm_s(IntCC::Equal, d, -1);
    let bad = b.ins().bor(is0, ism1);
    let safe = b.ins().select(bad, one, d);
    let q = b.ins().sdiv(a, safe);
    let r = b.ins().srem(a, safe);
    let na = b.ins().ineg(a);
    let q = b.ins().select(ism1, na, q);
    let r = b.ins().select(ism1, zero, r);
    (q, r, zero, is0)
}

/// `a ** e` of two scalars as `elem::pow_*`: wrapping square-and-multiply, and for a negative
/// exponent 1 / a**|e| in integer division (1 for 1, ±1 for -1 by parity, else 0).
fn pow_scalar(b: B<'_, '_>, ty: Type, a: Value, e: Value) -> Value {
    let zero = b.ins().iconst(ty, 0);
    let one = b.ins().iconst(ty, 1);
    let minus = b.ins().iconst(ty, -1);
    let is1 = b.ins().icmp_imm_s(IntCC::Equal, a, 1);
    let ism1 = b.ins().icmp_imm_s(IntCC::Equal, a, -1);
    let odd = b.ins().band_imm_s(e, 1);
    let parity = b.ins().select(odd, minus, one);
    let m1 = b.ins().select(ism1, parity, zero);
    let negative = b.ins().select(is1, one, m1);
    let is_neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, e, 0);

    let head = b.create_block();
    let body = b.create_block();
    let done = b.create_block();
    for block in [head, body] {
        for _ in 0..3 {
            b.append_block_param(block, ty);
        }
    }
    let result = b.append_block_param(done, ty);
    b.ins().brif(
        is_neg,
        done,
        &[BlockArg::Value(negative)],
        head,
        &[BlockArg::Value(a), BlockArg::Value(e), BlockArg::Value(one)],
    );

    b.switch_to_block(head);
    let [base, exp, acc] = [0, 1, 2].map(|k| b.block_params(head)[k]);
    let more = b.ins().icmp_imm_s(IntCC::SignedGreaterThan, exp, 0);
    b.ins().brif(
        more,
        body,
        &[
            BlockArg::Value(base),
            BlockArg::Value(exp),
            BlockArg::Value(acc),
        ],
        done,
        &[BlockArg::Value(acc)],
    );

    b.switch_to_block(body);
    let [base, exp, acc] = [0, 1, 2].map(|k| b.block_params(body)[k]);
    let bit = b.ins().band_imm_s(exp, 1);
    let product = b.ins().imul(acc, base);
    let acc = b.ins().select(bit, product, acc);
    let base = b.ins().imul(base, base);
    let exp = b.ins().sshr_imm_s(exp, 1);
    b.ins().jump(
        head,
        &[
            BlockArg::Value(base),
            BlockArg::Value(exp),
            BlockArg::Value(acc),
        ],
    );

    b.switch_to_block(done);
    result
}

/// `a ** c` for a constant exponent, on whole vectors: the multiplications of
/// square-and-multiply unrolled (wrapping products are the same in any order).
fn pow_const(b: B<'_, '_>, ty: Type, a: Value, c: i64) -> Value {
    if c < 0 {
        // 1 for a == 1; for a == -1, 1 or -1 by parity; 0 otherwise. Masks are all ones.
        let one = Chunk::splat_bits(b, ty, 1);
        let minus = Chunk::splat_bits(b, ty, u64::MAX);
        let is1 = b.ins().icmp(IntCC::Equal, a, one);
        let ism1 = b.ins().icmp(IntCC::Equal, a, minus);
        return if c & 1 == 0 {
            let either = b.ins().bor(is1, ism1);
            b.ins().band(either, one)
        } else {
            let plus = b.ins().band(is1, one);
            b.ins().bor(plus, ism1)
        };
    }
    let mut acc: Option<Value> = None;
    let mut base = a;
    let mut e = c as u64;
    while e > 0 {
        if e & 1 == 1 {
            acc = Some(match acc {
                Some(acc) => b.ins().imul(acc, base),
                None => base,
            });
        }
        e >>= 1;
        if e > 0 {
            base = b.ins().imul(base, base);
        }
    }
    acc.unwrap_or_else(|| Chunk::splat_bits(b, ty, 1))
}

/// A number operand's vectors.
fn num(a: &Arg) -> Result<&[Value], String> {
    a.val.num()
}

/// An integer constant operand's value.
fn int_const(a: &Arg) -> Option<i64> {
    match a.konst {
        Some(Scalar::Int32(v)) => Some(v.into()),
        Some(Scalar::Int64(v)) => Some(v),
        _ => None,
    }
}

/// The lowering of one instruction: the result of `op` on `args`.
pub(super) fn lower(
    b: &mut FunctionBuilder<'_>,
    t: Target,
    op: OpCode,
    args: &[&Arg],
) -> Result<Val, String> {
    use OpCode::*;
    let ch = t.chunk;
    let d = op
        .operand_dtype()
        .ok_or_else(|| format!("{op:?} has no native lowering"))?;
    let ty = vec_type(d);
    let arg = |k: usize| -> Result<&Arg, String> {
        args.get(k)
            .copied()
            .ok_or_else(|| format!("{op:?} is missing operand {k}"))
    };
    // Numbers, element-wise with one instruction per vector.
    let un = |b: B<'_, '_>, f: fn(B<'_, '_>, Value) -> Value| -> Result<Val, String> {
        Ok(Val::Num(map(b, num(arg(0)?)?, f)))
    };
    let bin = |b: B<'_, '_>, f: fn(B<'_, '_>, Value, Value) -> Value| -> Result<Val, String> {
        Ok(Val::Num(zip(b, num(arg(0)?)?, num(arg(1)?)?, f)))
    };
    let zeros = |b: B<'_, '_>, n: usize| ch.splat_n(b, types::F64X2, 0, n);
    Ok(match op {
        CopyB | CopyI | CopyL | CopyF | CopyD | CopyC | RoundI | RoundL | RealD | ConjD => {
            arg(0)?.val.clone()
        }

        // ---- casts -------------------------------------------------------------------------
        CastBI | CastBL | CastBF | CastBD | CastBC => {
            let to = match op {
                CastBI => types::I32X4,
                CastBL => types::I64X2,
                CastBF => types::F32X4,
                _ => types::F64X2,
            };
            let masks = ch.mask(b, &arg(0)?.val, to.lane_bits())?;
            let one = if to.lane_type().is_float() {
                fsplat(b, to, 1.0)
            } else {
                Chunk::splat_bits(b, to, 1)
            };
            let one = Chunk::cast(b, int_of(to), one);
            let vals = masks
                .into_iter()
                .map(|m| {
                    let v = b.ins().band(m, one);
                    Chunk::cast(b, to, v)
                })
                .collect::<Vec<_>>();
            if op == CastBC {
                let n = vals.len();
                Val::Complex(vals, zeros(b, n))
            } else {
                Val::Num(vals)
            }
        }
        CastIL => {
            let mut out = Vec::new();
            for &v in num(arg(0)?)? {
                out.push(b.ins().swiden_low(v));
                out.push(b.ins().swiden_high(v));
            }
            Val::Num(out)
        }
        CastIF => un(b, |b, v| b.ins().fcvt_from_sint(types::F32X4, v))?,
        CastID | CastIC => {
            let mut out = Vec::new();
            for &v in num(arg(0)?)? {
                let lo = b.ins().swiden_low(v);
                out.push(b.ins().fcvt_from_sint(types::F64X2, lo));
                let hi = Chunk::high_half(b, v);
                let hi = b.ins().swiden_low(hi);
                out.push(b.ins().fcvt_from_sint(types::F64X2, hi));
            }
            if op == CastIC {
                let n = out.len();
                Val::Complex(out, zeros(b, n))
            } else {
                Val::Num(out)
            }
        }
        CastLF => Val::Num(Chunk::per_lane(
            b,
            &[num(arg(0)?)?],
            types::F32X4,
            |b, s| b.ins().fcvt_from_sint(types::F32, s[0]),
        )),
        CastLD | CastLC => {
            let out = map(b, num(arg(0)?)?, |b, v| {
                b.ins().fcvt_from_sint(types::F64X2, v)
            });
            if op == CastLC {
                let n = out.len();
                Val::Complex(out, zeros(b, n))
            } else {
                Val::Num(out)
            }
        }
        CastFD | CastFC => {
            let mut out = Vec::new();
            for &v in num(arg(0)?)? {
                out.push(b.ins().fvpromote_low(v));
                let hi = Chunk::high_half(b, v);
                out.push(b.ins().fvpromote_low(hi));
            }
            if op == CastFC {
                let n = out.len();
                Val::Complex(out, zeros(b, n))
            } else {
                Val::Num(out)
            }
        }
        CastDC => {
            let re = num(arg(0)?)?.to_vec();
            let n = re.len();
            Val::Complex(re, zeros(b, n))
        }

        // ---- arithmetic ----------------------------------------------------------------------
        NegI | NegL => un(b, |b, v| b.ins().ineg(v))?,
        NegF | NegD => un(b, |b, v| b.ins().fneg(v))?,
        AddI | AddL => bin(b, |b, x, y| b.ins().iadd(x, y))?,
        AddF | AddD => bin(b, |b, x, y| b.ins().fadd(x, y))?,
        SubI | SubL => bin(b, |b, x, y| b.ins().isub(x, y))?,
        SubF | SubD => bin(b, |b, x, y| b.ins().fsub(x, y))?,
        MulI | MulL => bin(b, |b, x, y| b.ins().imul(x, y))?,
        MulF | MulD => bin(b, |b, x, y| b.ins().fmul(x, y))?,
        DivF | DivD => bin(b, |b, x, y| b.ins().fdiv(x, y))?,
        NegC | AddC | SubC | MulC | DivC | ConjC | RealC | ImagC | RoundC | EqC | NeC | IsNanC
        | IsFiniteC | IsInfC => complex(b, t, op, args)?,
        FloorDivF | FloorDivD | ModF | ModD => {
            let x = num(arg(0)?)?;
            let y = num(arg(1)?)?;
            let mut out = Vec::new();
            for (&x, &y) in x.iter().zip(y) {
                let q = b.ins().fdiv(x, y);
                let f = floor(b, t, ty, q);
                out.push(if matches!(op, ModF | ModD) {
                    let p = b.ins().fmul(f, y);
                    b.ins().fsub(x, p)
                } else {
                    f
                });
            }
            Val::Num(out)
        }
        FloorDivI | FloorDivL | ModI | ModL => {
            let is_mod = matches!(op, ModI | ModL);
            let lane = lane_type(d);
            match int_const(arg(1)?) {
                // By zero: 0. By -1: the wrapping negation, remainder 0.
                Some(0) => Val::Num(ch.splat_n(b, ty, 0, ch.count(d))),
                Some(-1) if is_mod => Val::Num(ch.splat_n(b, ty, 0, ch.count(d))),
                Some(-1) => un(b, |b, v| b.ins().ineg(v))?,
                Some(c) => Val::Num(Chunk::per_lane(b, &[num(arg(0)?)?], ty, |b, s| {
                    let c = b.ins().iconst(lane, c);
                    if is_mod {
                        mod_scalar(b, lane, s[0], c)
                    } else {
                        floordiv_scalar(b, lane, s[0], c)
                    }
                })),
                None => Val::Num(Chunk::per_lane(
                    b,
                    &[num(arg(0)?)?, num(arg(1)?)?],
                    ty,
                    |b, s| {
                        if is_mod {
                            mod_scalar(b, lane, s[0], s[1])
                        } else {
                            floordiv_scalar(b, lane, s[0], s[1])
                        }
                    },
                )),
            }
        }
        PowI | PowL => {
            let lane = lane_type(d);
            match int_const(arg(1)?) {
                Some(c) => Val::Num(map(b, num(arg(0)?)?, |b, v| pow_const(b, ty, v, c))),
                None => Val::Num(Chunk::per_lane(
                    b,
                    &[num(arg(0)?)?, num(arg(1)?)?],
                    ty,
                    |b, s| pow_scalar(b, lane, s[0], s[1]),
                )),
            }
        }
        AbsI | AbsL => un(b, |b, v| b.ins().iabs(v))?,
        AbsF | AbsD => un(b, |b, v| b.ins().fabs(v))?,
        OnesLikeI | OnesLikeL => Val::Num(ch.splat_n(b, ty, 1, ch.count(d))),
        OnesLikeF | OnesLikeD => {
            let one = fsplat(b, ty, 1.0);
            Val::Num(vec![one; ch.count(d)])
        }
        OnesLikeC => {
            let n = ch.count(d);
            let one = fsplat(b, types::F64X2, 1.0);
            Val::Complex(vec![one; n], zeros(b, n))
        }

        // ---- logic and bits ------------------------------------------------------------------
        NotI | NotL => un(b, |b, v| b.ins().bnot(v))?,
        AndI | AndL => bin(b, |b, x, y| b.ins().band(x, y))?,
        OrI | OrL => bin(b, |b, x, y| b.ins().bor(x, y))?,
        XorI | XorL => bin(b, |b, x, y| b.ins().bxor(x, y))?,
        NotB | AndB | OrB | XorB | LtB | LeB | GtB | GeB | EqB | NeB => boolean(b, t, op, args)?,
        ShlI | ShlL | ShrI | ShrL => {
            let lane = lane_type(d);
            let bits = i64::from(lane.bits());
            let left = matches!(op, ShlI | ShlL);
            match int_const(arg(1)?) {
                Some(c) if (0..bits).contains(&c) => shift_const(b, num(arg(0)?)?, left, c),
                // Out of range: 0 for a left shift, the sign fill for a right shift.
                Some(_) if left => Val::Num(ch.splat_n(b, ty, 0, ch.count(d))),
                Some(_) => shift_const(b, num(arg(0)?)?, false, bits - 1),
                None => Val::Num(Chunk::per_lane(
                    b,
                    &[num(arg(0)?)?, num(arg(1)?)?],
                    ty,
                    |b, s| {
                        let in_range = b.ins().icmp_imm_s(IntCC::UnsignedLessThan, s[1], bits);
                        if left {
                            let shifted = b.ins().ishl(s[0], s[1]);
                            let zero = b.ins().iconst(lane, 0);
                            b.ins().select(in_range, shifted, zero)
                        } else {
                            let max = b.ins().iconst(lane, bits - 1);
                            let count = b.ins().select(in_range, s[1], max);
                            b.ins().sshr(s[0], count)
                        }
                    },
                )),
            }
        }

        // ---- comparisons ---------------------------------------------------------------------
        LtI | LtL | LeI | LeL | GtI | GtL | GeI | GeL | EqI | EqL | NeI | NeL => {
            let cc = match op {
                LtI | LtL => IntCC::SignedLessThan,
                LeI | LeL => IntCC::SignedLessThanOrEqual,
                GtI | GtL => IntCC::SignedGreaterThan,
                GeI | GeL => IntCC::SignedGreaterThanOrEqual,
                EqI | EqL => IntCC::Equal,
                _ => IntCC::NotEqual,
            };
            let vecs = zip(b, num(arg(0)?)?, num(arg(1)?)?, |b, x, y| {
                b.ins().icmp(cc, x, y)
            });
            Val::Mask {
                bits: mask_bits(d),
                vecs,
            }
        }
        LtF | LtD | LeF | LeD | GtF | GtD | GeF | GeD | EqF | EqD | NeF | NeD => {
            let cc = float_cc(op);
            let vecs = zip(b, num(arg(0)?)?, num(arg(1)?)?, |b, x, y| {
                b.ins().fcmp(cc, x, y)
            });
            Val::Mask {
                bits: mask_bits(d),
                vecs,
            }
        }

        // ---- selection -----------------------------------------------------------------------
        WhereB => {
            let x = arg(1)?;
            let bits = match &x.val {
                Val::Mask { bits, .. } => *bits,
                _ => 8,
            };
            let c = ch.mask(b, &arg(0)?.val, bits)?;
            let x = ch.mask(b, &x.val, bits)?;
            let y = ch.mask(b, &arg(2)?.val, bits)?;
            let vecs = c
                .iter()
                .zip(x.iter().zip(&y))
                .map(|(&c, (&x, &y))| b.ins().bitselect(c, x, y))
                .collect();
            Val::Mask { bits, vecs }
        }
        WhereI | WhereL | WhereF | WhereD => {
            let c = ch.mask_as(b, &arg(0)?.val, ty)?;
            let x = num(arg(1)?)?;
            let y = num(arg(2)?)?;
            Val::Num(
                c.iter()
                    .zip(x.iter().zip(y))
                    .map(|(&c, (&x, &y))| b.ins().bitselect(c, x, y))
                    .collect(),
            )
        }
        WhereC => {
            let c = ch.mask_as(b, &arg(0)?.val, types::F64X2)?;
            let (xr, xi) = arg(1)?.val.complex()?;
            let (yr, yi) = arg(2)?.val.complex()?;
            let pick = |b: B<'_, '_>, x: &[Value], y: &[Value]| -> Vec<Value> {
                c.iter()
                    .zip(x.iter().zip(y))
                    .map(|(&c, (&x, &y))| b.ins().bitselect(c, x, y))
                    .collect()
            };
            let re = pick(b, xr, yr);
            let im = pick(b, xi, yi);
            Val::Complex(re, im)
        }

        // ---- real functions ------------------------------------------------------------------
        SqrtF | SqrtD => un(b, |b, v| b.ins().sqrt(v))?,
        CeilF | CeilD => Val::Num(map(b, num(arg(0)?)?, |b, v| ceil(b, t, ty, v))),
        FloorF | FloorD => Val::Num(map(b, num(arg(0)?)?, |b, v| floor(b, t, ty, v))),
        TruncD => Val::Num(map(b, num(arg(0)?)?, |b, v| trunc(b, t, ty, v))),
        RoundD => Val::Num(map(b, num(arg(0)?)?, |b, v| rint(b, t, ty, v))),
        SignI | SignL => Val::Num(map(b, num(arg(0)?)?, |b, v| {
            // (x < 0) - (x > 0) on masks: -1 - 0 or 0 - (-1).
            let zero = Chunk::splat_bits(b, ty, 0);
            let lt = b.ins().icmp(IntCC::SignedLessThan, v, zero);
            let gt = b.ins().icmp(IntCC::SignedGreaterThan, v, zero);
            b.ins().isub(lt, gt)
        })),
        SignD => Val::Num(map(b, num(arg(0)?)?, |b, v| {
            let zero = fsplat(b, ty, 0.0);
            let one = fsplat(b, ty, 1.0);
            let minus = fsplat(b, ty, -1.0);
            let gt = b.ins().fcmp(FloatCC::GreaterThan, v, zero);
            let lt = b.ins().fcmp(FloatCC::LessThan, v, zero);
            let r = fselect(b, ty, lt, minus, v);
            fselect(b, ty, gt, one, r)
        })),
        ImagD => {
            let n = ch.count(d);
            Val::Num(zeros(b, n))
        }
        IsNanF | IsNanD | IsFiniteF | IsFiniteD | IsInfF | IsInfD | SignBitF | SignBitD => {
            let vecs = map(b, num(arg(0)?)?, |b, v| classify(b, op, ty, v));
            Val::Mask {
                bits: mask_bits(d),
                vecs,
            }
        }
        CopySignD => Val::Num(zip(b, num(arg(0)?)?, num(arg(1)?)?, |b, x, y| {
            copysign(b, types::F64X2, x, y)
        })),
        MaximumD | MinimumD => {
            let cc = if op == MaximumD {
                FloatCC::GreaterThanOrEqual
            } else {
                FloatCC::LessThanOrEqual
            };
            Val::Num(zip(b, num(arg(0)?)?, num(arg(1)?)?, |b, x, y| {
                // NaN in either: x + y; else x if x >= y (<= for the minimum), else y.
                let nan = b.ins().fcmp(FloatCC::Unordered, x, y);
                let keep = b.ins().fcmp(cc, x, y);
                let sum = b.ins().fadd(x, y);
                let r = fselect(b, types::F64X2, keep, x, y);
                fselect(b, types::F64X2, nan, sum, r)
            }))
        }
        ComplexD => Val::Complex(num(arg(0)?)?.to_vec(), num(arg(1)?)?.to_vec()),
        other => return Err(format!("{other:?} has no native lowering")),
    })
}

/// Every lane of `x` shifted by the same in-range count `c`, left or (arithmetic) right.
fn shift_const(b: B<'_, '_>, x: &[Value], left: bool, c: i64) -> Val {
    let amount = b.ins().iconst(types::I32, c);
    Val::Num(map(b, x, |b, v| {
        if left {
            b.ins().ishl(v, amount)
        } else {
            b.ins().sshr(v, amount)
        }
    }))
}

/// The condition of a float comparison opcode (ordered, except `!=`, as Rust's operators).
fn float_cc(op: OpCode) -> FloatCC {
    use OpCode::*;
    match op {
        LtF | LtD => FloatCC::LessThan,
        LeF | LeD => FloatCC::LessThanOrEqual,
        GtF | GtD => FloatCC::GreaterThan,
        GeF | GeD => FloatCC::GreaterThanOrEqual,
        EqF | EqD | EqC => FloatCC::Equal,
        _ => FloatCC::NotEqual,
    }
}

/// isnan / isfinite / isinf / signbit of one float vector, as a mask.
fn classify(b: B<'_, '_>, op: OpCode, ty: Type, v: Value) -> Value {
    use OpCode::*;
    match op {
        IsNanF | IsNanD | IsNanC => b.ins().fcmp(FloatCC::Unordered, v, v),
        SignBitF | SignBitD => {
            let it = int_of(ty);
            let bits = Chunk::cast(b, it, v);
            let zero = Chunk::splat_bits(b, it, 0);
            b.ins().icmp(IntCC::SignedLessThan, bits, zero)
        }
        _ => {
            let inf = fsplat(b, ty, f64::INFINITY);
            let a = b.ins().fabs(v);
            let cc = if matches!(op, IsInfF | IsInfD | IsInfC) {
                FloatCC::Equal
            } else {
                FloatCC::LessThan
            };
            b.ins().fcmp(cc, a, inf)
        }
    }
}

/// The bool operators, on masks of the first operand's width.
fn boolean(b: B<'_, '_>, t: Target, op: OpCode, args: &[&Arg]) -> Result<Val, String> {
    use OpCode::*;
    let ch = t.chunk;
    let first = args.first().ok_or("a bool operator without operands")?;
    let bits = match &first.val {
        Val::Mask { bits, .. } => *bits,
        other => return Err(format!("expected a bool, got {other:?}")),
    };
    let x = ch.mask(b, &first.val, bits)?;
    if op == NotB {
        return Ok(Val::Mask {
            bits,
            vecs: map(b, &x, |b, v| b.ins().bnot(v)),
        });
    }
    let second = args
        .get(1)
        .ok_or("a bool operator without its second operand")?;
    let y = ch.mask(b, &second.val, bits)?;
    let vecs = zip(b, &x, &y, |b, x, y| match op {
        AndB => b.ins().band(x, y),
        OrB => b.ins().bor(x, y),
        XorB | NeB => b.ins().bxor(x, y),
        // !x & y, !x | y, x & !y, x | !y.
        LtB => b.ins().band_not(y, x),
        LeB => b.ins().bor_not(y, x),
        GtB => b.ins().band_not(x, y),
        GeB => b.ins().bor_not(x, y),
        _ => {
            let ne = b.ins().bxor(x, y);
            b.ins().bnot(ne)
        }
    });
    Ok(Val::Mask { bits, vecs })
}

/// The complex operations, on the lists of real and imaginary parts.
fn complex(b: B<'_, '_>, t: Target, op: OpCode, args: &[&Arg]) -> Result<Val, String> {
    use OpCode::*;
    let f = types::F64X2;
    let first = args.first().ok_or("a complex operation without operands")?;
    let (xr, xi) = first.val.complex()?;
    let n = xr.len();
    let second = || {
        args.get(1)
            .ok_or("a complex operation without its second operand")
    };
    let mut re = Vec::with_capacity(n);
    let mut im = Vec::with_capacity(n);
    let mut masks = Vec::new();
    match op {
        NegC => {
            re = map(b, xr, |b, v| b.ins().fneg(v));
            im = map(b, xi, |b, v| b.ins().fneg(v));
        }
        ConjC => {
            re = xr.to_vec();
            im = map(b, xi, |b, v| b.ins().fneg(v));
        }
        RealC => return Ok(Val::Num(xr.to_vec())),
        ImagC => return Ok(Val::Num(xi.to_vec())),
        RoundC => {
            re = map(b, xr, |b, v| rint(b, t, f, v));
            im = map(b, xi, |b, v| rint(b, t, f, v));
        }
        IsNanC | IsFiniteC | IsInfC => {
            for k in 0..n {
                let r = classify(b, op, f, xr[k]);
                let i = classify(b, op, f, xi[k]);
                masks.push(if op == IsFiniteC {
                    b.ins().band(r, i)
                } else {
                    b.ins().bor(r, i)
                });
            }
            return Ok(Val::Mask {
                bits: 64,
                vecs: masks,
            });
        }
        AddC | SubC | MulC | DivC | EqC | NeC => {
            let (yr, yi) = second()?.val.complex()?;
            for k in 0..n {
                let (a, c) = (xr[k], xi[k]);
                let (p, q) = (yr[k], yi[k]);
                match op {
                    AddC => {
                        re.push(b.ins().fadd(a, p));
                        im.push(b.ins().fadd(c, q));
                    }
                    SubC => {
                        re.push(b.ins().fsub(a, p));
                        im.push(b.ins().fsub(c, q));
                    }
                    MulC => {
                        // (a.re*b.re - a.im*b.im, a.re*b.im + a.im*b.re)
                        let ap = b.ins().fmul(a, p);
                        let cq = b.ins().fmul(c, q);
                        re.push(b.ins().fsub(ap, cq));
                        let aq = b.ins().fmul(a, q);
                        let cp = b.ins().fmul(c, p);
                        im.push(b.ins().fadd(aq, cp));
                    }
                    DivC => {
                        // d = b.re*b.re + b.im*b.im;
                        // ((a.re*b.re + a.im*b.im) / d, (a.im*b.re - a.re*b.im) / d)
                        let pp = b.ins().fmul(p, p);
                        let qq = b.ins().fmul(q, q);
                        let d = b.ins().fadd(pp, qq);
                        let ap = b.ins().fmul(a, p);
                        let cq = b.ins().fmul(c, q);
                        let nr = b.ins().fadd(ap, cq);
                        re.push(b.ins().fdiv(nr, d));
                        let cp = b.ins().fmul(c, p);
                        let aq = b.ins().fmul(a, q);
                        let ni = b.ins().fsub(cp, aq);
                        im.push(b.ins().fdiv(ni, d));
                    }
                    EqC => {
                        let r = b.ins().fcmp(FloatCC::Equal, a, p);
                        let i = b.ins().fcmp(FloatCC::Equal, c, q);
                        masks.push(b.ins().band(r, i));
                    }
                    _ => {
                        let r = b.ins().fcmp(FloatCC::NotEqual, a, p);
                        let i = b.ins().fcmp(FloatCC::NotEqual, c, q);
                        masks.push(b.ins().bor(r, i));
                    }
                }
            }
            if matches!(op, EqC | NeC) {
                return Ok(Val::Mask {
                    bits: 64,
                    vecs: masks,
                });
            }
        }
        other => return Err(format!("{other:?} is not a complex operation")),
    }
    Ok(Val::Complex(re, im))
}
