//! Reductions, folded block by block in a fixed order, so a result never depends on timing.
//!
//! A full reduction (`axis` None) folds each block into one partial value, with eight
//! interleaved accumulators so the loop vectorises; the partials, one per block, are then
//! combined in block order (pairwise for sums, which keeps float sums accurate). A reduction
//! along an axis folds each block's elements into the output elements they belong to, in
//! element order. NaN propagates through `min` and `max` (NumPy's rule).

use crate::array::alloc::uninit_vec;
use crate::bytecode::Reduction;
use crate::dtype::DType;
use crate::error::Error;
use crate::hir::ReduceOp;
use crate::vm::frame::{Frame, Src};
use crate::vm::value::{Buf, Elem, c128};

/// The fold of one reduction over one element type.
pub(crate) trait Fold: Elem {
    /// The value that changes nothing (`0` for sum, `+inf` or `MAX` for min, ...).
    fn identity(op: ReduceOp) -> Self;
    /// `acc op x`.
    fn fold(op: ReduceOp, acc: Self, x: Self) -> Self;
}

macro_rules! int_fold {
    ($t:ty) => {
        impl Fold for $t {
            #[inline(always)]
            fn identity(op: ReduceOp) -> $t {
                match op {
                    ReduceOp::Prod => 1,
                    ReduceOp::Min => <$t>::MAX,
                    ReduceOp::Max => <$t>::MIN,
                    _ => 0,
                }
            }
            #[inline(always)]
            fn fold(op: ReduceOp, acc: $t, x: $t) -> $t {
                match op {
                    ReduceOp::Prod => acc.wrapping_mul(x),
                    ReduceOp::Min => acc.min(x),
                    ReduceOp::Max => acc.max(x),
                    _ => acc.wrapping_add(x),
                }
            }
        }
    };
}

int_fold!(i32);
int_fold!(i64);

macro_rules! float_fold {
    ($t:ty) => {
        impl Fold for $t {
            #[inline(always)]
            fn identity(op: ReduceOp) -> $t {
                match op {
                    ReduceOp::Prod => 1.0,
                    ReduceOp::Min => <$t>::INFINITY,
                    ReduceOp::Max => <$t>::NEG_INFINITY,
                    _ => 0.0,
                }
            }
            #[inline(always)]
            fn fold(op: ReduceOp, acc: $t, x: $t) -> $t {
                match op {
                    ReduceOp::Prod => acc * x,
                    // NaN is sticky: once `acc` is NaN it stays; a NaN `x` fails `x >= acc`.
                    ReduceOp::Min => {
                        if acc.is_nan() || x >= acc {
                            acc
                        } else {
                            x
                        }
                    }
                    ReduceOp::Max => {
                        if acc.is_nan() || x <= acc {
                            acc
                        } else {
                            x
                        }
                    }
                    _ => acc + x,
                }
            }
        }
    };
}

float_fold!(f32);
float_fold!(f64);

impl Fold for c128 {
    #[inline(always)]
    fn identity(op: ReduceOp) -> c128 {
        match op {
            ReduceOp::Prod => c128::new(1.0, 0.0),
            _ => c128::new(0.0, 0.0),
        }
    }
    #[inline(always)]
    fn fold(op: ReduceOp, acc: c128, x: c128) -> c128 {
        match op {
            ReduceOp::Prod => super::complex::mul(acc, x),
            _ => acc + x,
        }
    }
}

impl Fold for bool {
    #[inline(always)]
    fn identity(op: ReduceOp) -> bool {
        op == ReduceOp::All
    }
    #[inline(always)]
    fn fold(op: ReduceOp, acc: bool, x: bool) -> bool {
        if op == ReduceOp::All {
            acc & x
        } else {
            acc | x
        }
    }
}

/// Where a reduction's results go while blocks are folded.
#[derive(Debug)]
pub(crate) enum Accumulator {
    /// Full reduction: one partial per block, by block index.
    Partials(Buf),
    /// Along an axis: the output elements, and the geometry that maps elements to them.
    Axis {
        /// Output values (C order of the reduced shape), from output index `offset` on.
        values: Buf,
        /// The output index of `values[0]`.
        offset: usize,
        /// Product of the dimensions after the axis.
        inner: usize,
        /// Length of the reduced axis.
        len: usize,
    },
}

/// Fold `n` lane values of `x` with eight interleaved accumulators, combined in order.
#[inline(always)]
fn fold_slice<T: Fold>(op: ReduceOp, x: &[T]) -> T {
    let id = T::identity(op);
    let mut acc = [id; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] = T::fold(op, acc[k], c[k]);
        }
    }
    let mut total = id;
    for (k, &r) in rest.iter().enumerate() {
        acc[k] = T::fold(op, acc[k], r);
    }
    for a in acc {
        total = T::fold(op, total, a);
    }
    total
}

/// Fold `valid` elements of the block starting at flat index `start` into `acc`.
#[inline(always)]
pub(crate) fn fold_block<T: Fold>(
    op: ReduceOp,
    src: Src<'_, T>,
    valid: usize,
    block: usize,
    start: usize,
    acc: &mut Accumulator,
) -> bool {
    match acc {
        Accumulator::Partials(buf) => {
            let Some(partials) = T::buf_mut(buf) else {
                return false;
            };
            let value = match src {
                Src::Slice(x) => fold_slice(op, &x[..valid]),
                Src::Splat(v) => {
                    let mut a = T::identity(op);
                    for _ in 0..valid {
                        a = T::fold(op, a, v);
                    }
                    a
                }
            };
            partials[block] = value;
        }
        Accumulator::Axis {
            values,
            offset,
            inner,
            len,
        } => {
            let Some(out) = T::buf_mut(values) else {
                return false;
            };
            let (offset, inner, len) = (*offset, *inner, *len);
            let at = |k: usize| match src {
                Src::Slice(x) => x[k],
                Src::Splat(v) => v,
            };
            let mut k = 0;
            while k < valid {
                let p = start + k;
                let o = (p / (len * inner)) * inner + p % inner - offset;
                if inner == 1 {
                    // Consecutive elements fold into the same output until the axis wraps.
                    let run = (len - p % len).min(valid - k);
                    let mut a = out[o];
                    for j in 0..run {
                        a = T::fold(op, a, at(k + j));
                    }
                    out[o] = a;
                    k += run;
                } else {
                    // Consecutive elements fold into consecutive outputs.
                    let run = (inner - p % inner).min(valid - k);
                    for j in 0..run {
                        out[o + j] = T::fold(op, out[o + j], at(k + j));
                    }
                    k += run;
                }
            }
        }
    }
    true
}

/// Combine the per-block partials of a full reduction in block order (pairwise for sums).
pub(crate) fn combine<T: Fold>(op: ReduceOp, partials: &[T]) -> T {
    if op == ReduceOp::Sum && partials.len() > 8 {
        let (a, b) = partials.split_at(partials.len() / 2);
        return T::fold(op, combine(op, a), combine(op, b));
    }
    partials
        .iter()
        .fold(T::identity(op), |acc, &x| T::fold(op, acc, x))
}

/// [`combine`] of `n` partials that arrive one at a time, in block order: the same tree of
/// folds, hence the same bits, with memory for the tree's depth (about `log2(n / 8)` values)
/// instead of all the partials. For a full reduction evaluated window by window.
#[derive(Debug)]
pub(crate) struct Combiner<T> {
    op: ReduceOp,
    /// The open nodes of the tree from the root down: how many partials the right half
    /// takes, and the left half's value once it is complete.
    open: Vec<(usize, Option<T>)>,
    /// The current leaf: its fold so far and how many partials it still takes.
    leaf: T,
    left: usize,
    /// The root's value, once every partial arrived.
    done: Option<T>,
}

impl<T: Fold> Combiner<T> {
    /// A combiner for `n` partials.
    pub(crate) fn new(op: ReduceOp, n: usize) -> Combiner<T> {
        let mut c = Combiner {
            op,
            open: Vec::new(),
            leaf: T::identity(op),
            left: 0,
            done: None,
        };
        if n == 0 {
            c.done = Some(T::identity(op));
        } else {
            c.descend(n);
        }
        c
    }

    /// Open the leftmost leaf of a subtree of `n` partials (as [`combine`] splits them).
    fn descend(&mut self, mut n: usize) {
        while self.op == ReduceOp::Sum && n > 8 {
            self.open.push((n - n / 2, None));
            n /= 2;
        }
        self.leaf = T::identity(self.op);
        self.left = n;
    }

    /// The next partial, in block order (one too many is an error).
    pub(crate) fn push(&mut self, x: T) -> bool {
        if self.left == 0 {
            return false;
        }
        self.leaf = T::fold(self.op, self.leaf, x);
        self.left -= 1;
        if self.left > 0 {
            return true;
        }
        let mut value = self.leaf;
        loop {
            match self.open.last_mut() {
                None => {
                    self.done = Some(value);
                    return true;
                }
                Some((right, left @ None)) => {
                    *left = Some(value);
                    let right = *right;
                    self.descend(right);
                    return true;
                }
                Some((_, Some(l))) => {
                    value = T::fold(self.op, *l, value);
                    self.open.pop();
                }
            }
        }
    }

    /// The combined value, once all `n` partials were pushed.
    pub(crate) fn finish(&self) -> Option<T> {
        self.done
    }
}

/// A buffer of `n` identities of the reduction's dtype.
/// Fallible: a full reduction of a huge broadcast has as many partials as blocks.
fn identities(r: &Reduction, n: usize) -> Result<Buf, Error> {
    fn filled<T: Fold>(op: ReduceOp, n: usize) -> Result<Buf, Error> {
        let mut v = uninit_vec::<T>(n)?;
        v.resize(n, T::identity(op));
        Ok(T::wrap(v))
    }
    match r.dtype {
        DType::Bool => filled::<bool>(r.op, n),
        DType::Int32 => filled::<i32>(r.op, n),
        DType::Int64 => filled::<i64>(r.op, n),
        DType::Float32 => filled::<f32>(r.op, n),
        DType::Float64 => filled::<f64>(r.op, n),
        DType::Complex128 => filled::<c128>(r.op, n),
        DType::Bytes(_) => Ok(Buf::Empty),
    }
}

/// An accumulator for the partials of `blocks` blocks of a full reduction.
pub(crate) fn partials(r: &Reduction, blocks: usize) -> Result<Accumulator, Error> {
    Ok(Accumulator::Partials(identities(r, blocks)?))
}

/// An accumulator for the outputs of rows `r0..r1` of the axes before `axis` (their
/// product is the number of rows) of a reduction along `axis` over `shape`.
pub(crate) fn rows(
    r: &Reduction,
    shape: &[usize],
    axis: usize,
    r0: usize,
    r1: usize,
) -> Result<Accumulator, Error> {
    let inner: usize = shape[axis + 1..].iter().product();
    Ok(Accumulator::Axis {
        values: identities(r, (r1 - r0) * inner)?,
        offset: r0 * inner,
        inner,
        len: shape[axis],
    })
}

/// The accumulators of consecutive pieces, joined in order.
pub(crate) fn concat(pieces: impl Iterator<Item = Accumulator>) -> Option<Accumulator> {
    let mut out: Option<Accumulator> = None;
    for piece in pieces {
        out = Some(match (out, piece) {
            (None, p) => p,
            (Some(Accumulator::Partials(a)), Accumulator::Partials(b)) => {
                Accumulator::Partials(a.append(b)?)
            }
            (
                Some(Accumulator::Axis {
                    values,
                    offset,
                    inner,
                    len,
                }),
                Accumulator::Axis { values: more, .. },
            ) => Accumulator::Axis {
                values: values.append(more)?,
                offset,
                inner,
                len,
            },
            _ => return None,
        });
    }
    out
}

/// The axis as an index into `ndim` dimensions (already checked to be in range).
pub(crate) fn normalized_axis(axis: Option<i64>, ndim: usize) -> Option<usize> {
    axis.map(|a| {
        if a < 0 {
            (a + ndim as i64) as usize
        } else {
            a as usize
        }
    })
}

/// Fold the current block's reduction operand, slot `arg` of `frame`, into `acc`; false when
/// the accumulator does not hold the reduction's dtype.
///
/// # Safety
/// Slot `arg` holds `r.dtype` (the frame's invariants, for the program whose fold `r` is).
#[inline(always)]
pub(crate) unsafe fn step(
    r: &Reduction,
    frame: &Frame<'_>,
    arg: u32,
    block: usize,
    start: usize,
    acc: &mut Accumulator,
) -> bool {
    let valid = frame.len;
    macro_rules! go {
        // SAFETY: the caller guarantees that the slot holds `r.dtype`, which is `$t` here.
        ($t:ty) => {
            fold_block::<$t>(
                r.op,
                unsafe { frame.src::<$t>(arg) },
                valid,
                block,
                start,
                acc,
            )
        };
    }
    match r.dtype {
        DType::Bool => go!(bool),
        DType::Int32 => go!(i32),
        DType::Int64 => go!(i64),
        DType::Float32 => go!(f32),
        DType::Float64 => go!(f64),
        DType::Complex128 => go!(c128),
        DType::Bytes(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_extrema_propagate_nan() {
        let xs = [3.0, f64::NAN, 1.0];
        assert!(fold_slice(ReduceOp::Min, &xs).is_nan());
        assert!(fold_slice(ReduceOp::Max, &xs).is_nan());
        assert_eq!(fold_slice(ReduceOp::Min, &[3.0, -1.0, 2.0]), -1.0);
        assert_eq!(fold_slice(ReduceOp::Max, &[3.0f32, -1.0, 2.0]), 3.0);
    }

    #[test]
    fn integer_sums_wrap_in_their_width() {
        assert_eq!(fold_slice(ReduceOp::Sum, &[i32::MAX, 1]), i32::MIN);
        assert_eq!(
            fold_slice(ReduceOp::Prod, &[1i64 << 20, 1 << 20]),
            1i64 << 40
        );
        assert_eq!(fold_slice::<i64>(ReduceOp::Sum, &[]), 0);
        assert_eq!(fold_slice::<i64>(ReduceOp::Prod, &[]), 1);
    }

    #[test]
    fn axis_folding_maps_elements_to_outputs() {
        // shape (2, 3, 2), reduce axis 1: out[i, k] = sum_j x[i, j, k], x = 0..12.
        let x: Vec<i64> = (0..12).collect();
        let r = Reduction {
            op: ReduceOp::Sum,
            axis: Some(1),
            arg: crate::bytecode::Operand::Const(0),
            dtype: DType::Int64,
        };
        for block in [1, 2, 5, 12] {
            let mut acc = rows(&r, &[2, 3, 2], 1, 0, 2).expect("a small accumulator");
            let mut start = 0;
            while start < 12 {
                let n = block.min(12 - start);
                assert!(fold_block(
                    ReduceOp::Sum,
                    Src::Slice(&x[start..start + n]),
                    n,
                    0,
                    start,
                    &mut acc
                ));
                start += n;
            }
            let Accumulator::Axis { values, .. } = acc else {
                panic!()
            };
            // out[0,0] = 0+2+4, out[0,1] = 1+3+5, out[1,0] = 6+8+10, out[1,1] = 7+9+11
            assert_eq!(
                i64::buf(&values).unwrap(),
                &vec![6, 9, 24, 27],
                "block {block}"
            );
        }
    }

    #[test]
    fn the_streaming_combiner_folds_the_same_tree() {
        // Values whose float sums depend on the order, so a different tree shows.
        let values: Vec<f64> = (0..3000)
            .map(|i| ((i * 7919 % 1000) as f64 - 500.0) * 10f64.powi(i % 17 - 8))
            .collect();
        for n in (0..70).chain([127, 128, 129, 1000, 2047, 3000]) {
            for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Min, ReduceOp::Max] {
                let mut c = Combiner::new(op, n);
                for &x in &values[..n] {
                    assert!(c.push(x));
                }
                assert!(!c.push(1.0), "{n}: one partial too many");
                let (got, want) = (c.finish(), combine(op, &values[..n]));
                assert_eq!(got.map(f64::to_bits), Some(want.to_bits()), "{op:?} of {n}");
            }
            let mut c = Combiner::<f64>::new(ReduceOp::Sum, n + 1);
            for &x in &values[..n] {
                c.push(x);
            }
            assert_eq!(c.finish(), None, "{n}: a partial is missing");
        }
    }

    #[test]
    fn partials_combine_in_order() {
        let parts: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(combine(ReduceOp::Sum, &parts), 5050.0);
        assert!(!combine(ReduceOp::All, &[true, false]));
        assert!(combine(ReduceOp::Any, &[false, true]));
    }
}
