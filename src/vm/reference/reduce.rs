//! Reductions: `sum`, `prod`, `min`, `max`, `any`, `all`, `mean` over all elements or one
//! axis.
//!
//! In: the argument's value (already broadcast to its shape), the op and the axis. Out: a
//! 0-d array for a full reduction, else the argument's shape without the axis. Elements are
//! visited in logical (row-major) order whatever the strides, one lane at a time.
//!
//! - `sum`/`prod` of ints wrap in their own width; `prod` of floats and complex multiplies in
//!   order; `sum` of floats and complex (and `mean`'s sum) is [`pairwise_sum`] over the lane.
//!   Empty: 0 / 1.
//! - `min`/`max` are exact on ints and propagate NaN on floats; an empty lane is an error
//!   ([`ErrorKind::Shape`]) unless the result itself is empty.
//! - `any`/`all`: empty gives false / true.
//! - `mean`, `var`, `std` (float and complex operands; typing casts integers to float64):
//!   computed in the operand's float type (float32 in float32, as NumPy, so overflow is
//!   NumPy's) with compensated sums, more accurate than the VM's; `var` is two-pass. Empty: NaN; `n - ddof <= 0`: inf or NaN.

use std::ops::Add;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use num_complex::Complex64;
use num_traits::Float;

use super::scalar::{f32_ops, f64_ops};
use super::{complex, internal, reserve};
use crate::array::ArrayRef;
use crate::error::{Error, ErrorKind, Span};
use crate::hir::ReduceOp;
use crate::hir::shape::normalize_axis;

/// Lanes of at most this many elements are summed with 8 interleaved accumulators; longer
/// ones are split in halves (NumPy's block size).
const PAIRWISE_BLOCK: usize = 128;

/// NumPy's pairwise summation order: fewer than 8 elements are added left to right; up to
/// [`PAIRWISE_BLOCK`] go to 8 accumulators (element `i` to accumulator `i % 8`), combined as
/// `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`, then the leftover elements in order; longer runs
/// are split at half the length rounded down to a multiple of 8 and the two sums added.
/// The error grows like `O(log n)` instead of `O(n)`. (NumPy adds the first element to the
/// pairwise sum of the others, so the last bits may differ from it.) The recursion depth is
/// `log2(n / 128)`, at most 57.
pub(crate) fn pairwise_sum<T: Copy + Add<Output = T>>(xs: &[T], zero: T) -> T {
    let n = xs.len();
    if n < 8 {
        return xs.iter().fold(zero, |s, &x| s + x);
    }
    if n <= PAIRWISE_BLOCK {
        let mut r = [zero; 8];
        let whole = n - n % 8;
        for chunk in xs[..whole].chunks_exact(8) {
            for (acc, &x) in r.iter_mut().zip(chunk) {
                *acc = *acc + x;
            }
        }
        let head = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        return xs[whole..].iter().fold(head, |s, &x| s + x);
    }
    let half = n / 2 - (n / 2) % 8;
    pairwise_sum(&xs[..half], zero) + pairwise_sum(&xs[half..], zero)
}

/// Reduce `value` with `op` over `axis` (all elements for `None`). `span` locates the
/// reduction for errors.
pub(crate) fn reduce<'o>(
    op: ReduceOp,
    value: &ArrayRef<'_>,
    axis: Option<i64>,
    span: Span,
) -> Result<ArrayRef<'o>, Error> {
    use ArrayRef as V;
    use ReduceOp::*;
    let shape = value.shape();
    let axis = match axis {
        None => None,
        Some(a) => Some(normalize_axis(a, shape.len()).ok_or_else(|| {
            Error::at(
                ErrorKind::Axis,
                span,
                format!(
                    "axis {a} is out of bounds for an array of dimension {}",
                    shape.len()
                ),
            )
        })?),
    };
    crate::hir::shape::check_identity(op, axis, shape, span)?;
    let zc = Complex64::new(0.0, 0.0);
    let one_c = Complex64::new(1.0, 0.0);
    // The value of `f` on each lane, as a value of kind `$v`.
    macro_rules! each_lane {
        ($v:ident, $a:expr, $f:expr) => {
            V::$v(lanes($a.view(), axis, $f)?.into())
        };
    }
    Ok(match (op, value) {
        (Any, V::Bool(a)) => each_lane!(Bool, a, |l| l.iter().any(|&x| x)),
        (All, V::Bool(a)) => each_lane!(Bool, a, |l| l.iter().all(|&x| x)),
        (Sum, V::Int32(a)) => each_lane!(Int32, a, |l| fold(l, 0, i32::wrapping_add)),
        (Sum, V::Int64(a)) => each_lane!(Int64, a, |l| fold(l, 0, i64::wrapping_add)),
        (Prod, V::Int32(a)) => each_lane!(Int32, a, |l| fold(l, 1, i32::wrapping_mul)),
        (Prod, V::Int64(a)) => each_lane!(Int64, a, |l| fold(l, 1, i64::wrapping_mul)),
        (Min, V::Int32(a)) => each_lane!(Int32, a, |l| fold(l, i32::MAX, i32::min)),
        (Min, V::Int64(a)) => each_lane!(Int64, a, |l| fold(l, i64::MAX, i64::min)),
        (Max, V::Int32(a)) => each_lane!(Int32, a, |l| fold(l, i32::MIN, i32::max)),
        (Max, V::Int64(a)) => each_lane!(Int64, a, |l| fold(l, i64::MIN, i64::max)),
        (Sum, V::Float32(a)) => each_lane!(Float32, a, |l| pairwise_sum(l, 0.0)),
        (Sum, V::Float64(a)) => each_lane!(Float64, a, |l| pairwise_sum(l, 0.0)),
        (Sum, V::Complex128(a)) => each_lane!(Complex128, a, |l| pairwise_sum(l, zc)),
        (Prod, V::Float32(a)) => each_lane!(Float32, a, |l| fold(l, 1.0, |p, x| p * x)),
        (Prod, V::Float64(a)) => each_lane!(Float64, a, |l| fold(l, 1.0, |p, x| p * x)),
        (Prod, V::Complex128(a)) => each_lane!(Complex128, a, |l| fold(l, one_c, complex::mul)),
        (Min, V::Float32(a)) => each_lane!(Float32, a, |l| nan_fold(l, f32_ops::minimum, f32::NAN)),
        (Min, V::Float64(a)) => each_lane!(Float64, a, |l| nan_fold(l, f64_ops::minimum, f64::NAN)),
        (Max, V::Float32(a)) => each_lane!(Float32, a, |l| nan_fold(l, f32_ops::maximum, f32::NAN)),
        (Max, V::Float64(a)) => each_lane!(Float64, a, |l| nan_fold(l, f64_ops::maximum, f64::NAN)),
        // float32 is computed in float32, as NumPy does (a square above float32's range is
        // inf there too), with compensated sums.
        (Mean, V::Float32(a)) => each_lane!(Float32, a, |l| mean(l.iter().copied(), l.len())),
        (Mean, V::Float64(a)) => each_lane!(Float64, a, |l| mean(l.iter().copied(), l.len())),
        // NumPy divides the complex sum by the count as a complex number: `inf+0j` over 2
        // is `inf+nanj` there too.
        (Mean, V::Complex128(a)) => each_lane!(Complex128, a, |l| complex::div(
            Complex64::new(
                compensated_sum(l.iter().map(|z| z.re)),
                compensated_sum(l.iter().map(|z| z.im))
            ),
            Complex64::new(l.len() as f64, 0.0)
        )),
        (Var { ddof }, V::Float32(a)) => each_lane!(Float32, a, |l| variance(&real(l), ddof)),
        (Var { ddof }, V::Float64(a)) => each_lane!(Float64, a, |l| variance(&real(l), ddof)),
        (Var { ddof }, V::Complex128(a)) => {
            each_lane!(Float64, a, |l| variance(&complex_pairs(l), ddof))
        }
        (Std { ddof }, V::Float32(a)) => {
            each_lane!(Float32, a, |l| variance(&real(l), ddof).sqrt())
        }
        (Std { ddof }, V::Float64(a)) => {
            each_lane!(Float64, a, |l| variance(&real(l), ddof).sqrt())
        }
        (Std { ddof }, V::Complex128(a)) => {
            each_lane!(Float64, a, |l| variance(&complex_pairs(l), ddof).sqrt())
        }
        _ => {
            return Err(internal(&format!(
                "no reference reduction {} of {}",
                op.name(),
                value.dtype()
            )));
        }
    })
}

/// The sum of `xs` with Neumaier's compensation (error about one rounding, whatever the
/// length or the cancellation), so the oracle is more accurate than the VM.
fn compensated_sum<T: Float>(xs: impl Iterator<Item = T>) -> T {
    let (mut sum, mut carry) = (T::zero(), T::zero());
    for x in xs {
        let t = sum + x;
        if sum.abs() >= x.abs() {
            carry = carry + ((sum - t) + x);
        } else {
            carry = carry + ((x - t) + sum);
        }
        sum = t;
    }
    // An infinite or NaN sum stays what it is (the carry would be NaN).
    if sum.is_finite() { sum + carry } else { sum }
}

/// The compensated mean of `n` values (NaN for none, as NumPy's `0 / 0`).
fn mean<T: Float>(xs: impl Iterator<Item = T>, n: usize) -> T {
    compensated_sum(xs) / T::from(n).unwrap_or_else(T::infinity)
}

/// Real values as (value, 0) pairs for [`variance`].
fn real<T: Float>(xs: &[T]) -> Vec<(T, T)> {
    xs.iter().map(|&x| (x, T::zero())).collect()
}

/// Complex values as (re, im) pairs for [`variance`].
fn complex_pairs(zs: &[Complex64]) -> Vec<(f64, f64)> {
    zs.iter().map(|z| (z.re, z.im)).collect()
}

/// NumPy's variance of (re, im) pairs: the compensated mean `m`, then the compensated sum
/// of `|x - m|**2` divided by `max(n - ddof, 0)` (so `ddof >= n` gives inf, or NaN when
/// the sum is 0, and an empty lane gives NaN).
fn variance<T: Float>(xs: &[(T, T)], ddof: i64) -> T {
    let n = xs.len();
    let (mr, mi) = (
        mean(xs.iter().map(|p| p.0), n),
        mean(xs.iter().map(|p| p.1), n),
    );
    let squares = compensated_sum(xs.iter().map(|&(r, i)| {
        let (dr, di) = (r - mr, i - mi);
        dr * dr + di * di
    }));
    let dof = (n as i128 - i128::from(ddof)).max(0);
    squares / T::from(dof).unwrap_or_else(T::infinity)
}

/// `f` folded over the lane from `init`, left to right.
fn fold<T: Copy>(lane: &[T], init: T, f: fn(T, T) -> T) -> T {
    lane.iter().fold(init, |acc, &x| f(acc, x))
}

/// A min or max fold with `pick`, which propagates NaN; `empty` for an empty lane (which
/// callers reject first).
fn nan_fold<T: Copy>(lane: &[T], pick: fn(T, T) -> T, empty: T) -> T {
    lane.split_first()
        .map_or(empty, |(&first, rest)| fold(rest, first, pick))
}

/// `f` applied to every lane along `axis` (to all elements, in logical order, for `None`),
/// giving an array of the remaining axes (0-d for `None`).
fn lanes<T: Clone, R>(
    a: ArrayViewD<'_, T>,
    axis: Option<usize>,
    f: impl Fn(&[T]) -> R,
) -> Result<ArrayD<R>, Error> {
    let Some(k) = axis else {
        let mut all: Vec<T> = reserve(a.len())?;
        all.extend(a.iter().cloned());
        return ArrayD::from_shape_vec(IxDyn(&[]), vec![f(&all)])
            .map_err(|e| internal(&e.to_string()));
    };
    if k >= a.ndim() {
        return Err(internal("reduction axis out of range"));
    }
    let mut shape = a.shape().to_vec();
    let len = shape.remove(k);
    let count = shape.iter().product();
    let mut out: Vec<R> = reserve(count)?;
    let mut lane: Vec<T> = reserve(len)?;
    // `lanes` visits the other axes in logical order, like the output's standard layout.
    for l in a.lanes(Axis(k)) {
        lane.clear();
        lane.extend(l.iter().cloned());
        out.push(f(&lane));
    }
    ArrayD::from_shape_vec(IxDyn(&shape), out).map_err(|e| internal(&e.to_string()))
}
