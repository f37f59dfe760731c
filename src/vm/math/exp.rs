//! The exponential family: exp, expm1, sinh, cosh, tanh (f64 lanes).
//!
//! Method (Cody-Waite reduction with a minimax polynomial, as in fdlibm/VCL):
//! `x = n*ln2 + r`, |r| <= ln2/2, with `n` rounded by the magic-number trick and
//! `n*LN2_HI` exact; `expm1(r) = r + r^2/2 + r^3*P(r)` is kept as a double-double `hi + lo`
//! (the rounding error of `r` folded into `lo`), and `exp(x) = 2^n * (1 + hi + lo)` is
//! scaled in two steps by [`scale`] so that overflow, underflow and subnormal results come
//! out of the same arithmetic. The hyperbolic functions reuse this core with fdlibm's
//! formulas, except sinh and cosh, which take e^a and e^-a from the even and odd parts of
//! one polynomial evaluation (no division). Everything is branch-free: special inputs flow
//! through clamps and selects.

use super::consts::{EXPM1_FAST_POLY, EXPM1_POLY, LN2_HI, LN2_LO, LOG2_E};
use super::lane::{fast_two_sum, poly, poly_split, pow2, precisions, round_mul, scale, select};
use crate::vm::isa::{Isa, mul_add};

/// `e^x = 2^n * (1 + hi + lo)` with |hi + lo| <= ~0.42, for x clamped to [-760, 760].
#[derive(Clone, Copy)]
struct ExpParts {
    /// The power of two.
    n: i64,
    /// Leading part of expm1(r).
    hi: f64,
    /// Trailing part of expm1(r), including the rounding error of r.
    lo: f64,
}

/// `x` clamped to [-760, 760] (nan passes through), where every exp-family result is
/// already an overflow, an underflow or its limit.
#[inline(always)]
fn clamp760(x: f64) -> f64 {
    select(x > 760.0, 760.0, select(x < -760.0, -760.0, x))
}

/// Reduce `xc` (|xc| <= 760; nan passes through into `hi`) and evaluate expm1 of the
/// remainder.
#[inline(always)]
fn exp_parts<I: Isa>(xc: f64) -> ExpParts {
    let (n, ni) = round_mul::<I>(xc, LOG2_E, 0.0);
    let r_hi = xc - n * LN2_HI; // exact: n has <= 11 bits, LN2_HI 42
    let r_lo = n * LN2_LO;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY), 0.5);
    let (hi, lo) = fast_two_sum(r, q); // |q| <= 0.6 r^2 < |r|
    // d/dr expm1(r) = e^r ~ 1 + r: the error of r enters scaled by it.
    let lo = mul_add::<I>(r_err, 1.0 + r, lo);
    ExpParts { n: ni, hi, lo }
}

/// `e^x - 1` from the parts, for |x| <= 708 (|n| <= 1021; garbage, but no trap, beyond,
/// where callers select another value).
#[inline(always)]
fn expm1_from_parts(parts: ExpParts) -> f64 {
    let s = pow2(parts.n);
    // s - 1 is exact for |n| <= 53 (and is s or -1 beyond, the other part being lost in
    // rounding anyway), and |s - 1| >= |s*hi| for every n (|hi| <= 0.42; for n = 0 the
    // first term is 0), so Fast2Sum is exact.
    let (u, v) = fast_two_sum(s - 1.0, s * parts.hi);
    u + (v + s * parts.lo)
}

/// `e^x = 2^n m` for |x| <= 760 (nan passes through into m), m in [0.7, 1.5].
#[inline(always)]
fn exp_core<I: Isa, const FAST: bool>(xc: f64) -> (i64, f64) {
    if FAST {
        let (n, p) = exp_fast_parts::<I>(xc);
        return (n, 1.0 + p);
    }
    // exp_parts without its TwoSum: 1 + (r + q) needs no double-double, only the error of r.
    let (n, ni) = round_mul::<I>(xc, LOG2_E, 0.0);
    let r_hi = xc - n * LN2_HI;
    let r_lo = n * LN2_LO;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY), 0.5);
    (ni, 1.0 + (r + mul_add::<I>(r_err, 1.0 + r, q)))
}

/// e^x.
#[inline(always)]
fn exp_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (n, m) = exp_core::<I, FAST>(clamp760(x));
    scale(m, n)
}

/// Where [`exp_common`] applies: |x| <= 708, whose results are normal numbers.
#[inline(always)]
pub(crate) fn exp_is_common(x: f64) -> bool {
    x.abs() <= 708.0
}

/// e^x for [`exp_is_common`] arguments: no clamp, one multiplication by 2^n. Bit-equal to
/// [`exp_with`] there (its two-step scaling is exact for normal results).
#[inline(always)]
fn exp_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (n, m) = exp_core::<I, FAST>(x);
    m * pow2(n)
}

/// `fast` precision: `x = n ln2 + r` with r rounded, and the short polynomial:
/// `(n, expm1(r))`, for |xc| <= 760.
#[inline(always)]
fn exp_fast_parts<I: Isa>(xc: f64) -> (i64, f64) {
    let (n, ni) = round_mul::<I>(xc, LOG2_E, 0.0);
    let r = mul_add::<I>(-n, LN2_LO, xc - n * LN2_HI);
    let p = mul_add::<I>(
        r * r,
        mul_add::<I>(r, poly::<I, _>(r, &EXPM1_FAST_POLY), 0.5),
        r,
    );
    (ni, p)
}

/// e^x - 1 for 0 < |x| <= 708 (garbage, but no trap, elsewhere): beyond +-40 the -1 or
/// the e^x is lost in rounding, which this form does by itself.
#[inline(always)]
fn expm1_moderate<I: Isa, const FAST: bool>(xc: f64) -> f64 {
    if FAST {
        // 2^n (1 + p) - 1 with one FMA.
        let (n, p) = exp_fast_parts::<I>(xc);
        let s = pow2(n);
        mul_add::<I>(s, p, s - 1.0)
    } else {
        expm1_from_parts(exp_parts::<I>(xc))
    }
}

/// Where [`expm1_common`] applies: 0 < |x| <= 708.
#[inline(always)]
pub(crate) fn expm1_is_common(x: f64) -> bool {
    x != 0.0 && x.abs() <= 708.0
}

/// e^x - 1 for [`expm1_is_common`] arguments.
#[inline(always)]
fn expm1_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    expm1_moderate::<I, FAST>(x)
}

/// e^x - 1, accurate near 0.
#[inline(always)]
fn expm1_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let xc = clamp760(x);
    let moderate = expm1_moderate::<I, FAST>(xc);
    let (n, m) = exp_core::<I, FAST>(xc);
    // Beyond +-40, expm1 is exp (the -1 is below half an ulp) or exactly -1.
    // Beyond 708, expm1 is exp (scaled in two steps, overflowing correctly) or -1.
    let out = select(x > 708.0, scale(m, n), select(x < -708.0, -1.0, moderate));
    select(x == 0.0, x, out) // keep the sign of zero
}

/// `e^a` and `e^-a` for a >= 0 from one reduction `a = n ln2 + r`, without a division:
/// the even and odd parts of the polynomial, `e^r = 1 + E + O` and `e^-r = 1 + E - O`.
#[derive(Clone, Copy)]
struct ExpPair {
    n: i64,
    /// Even part of expm1(r): r^2/2 + ...
    even: f64,
    /// Odd part of expm1(r): r + r^3/6 + ... (with the rounding error of r folded in).
    odd: f64,
}

#[inline(always)]
fn exp_pair<I: Isa, const FAST: bool>(a: f64) -> ExpPair {
    let ac = select(a > 760.0, 760.0, a);
    let (n, ni) = round_mul::<I>(ac, LOG2_E, 0.0);
    let r_hi = ac - n * LN2_HI; // exact
    let r_lo = n * LN2_LO;
    let r = r_hi - r_lo;
    let r_err = if FAST { 0.0 } else { (r_hi - r) - r_lo };
    let z = r * r;
    // P(r) = Pe(z) + r Po(z); expm1(r) = r + r^2/2 + r^3 P(r).
    let (pe, po) = if FAST {
        poly_split::<I, _>(r, &EXPM1_FAST_POLY)
    } else {
        poly_split::<I, _>(r, &EXPM1_POLY)
    };
    let odd = mul_add::<I>(r * z, pe, r) + r_err;
    let even = z * mul_add::<I>(z, po, 0.5);
    ExpPair { n: ni, even, odd }
}

/// `(2^(n-1) - 2^(-n-1), 2^(n-1) + 2^(-n-1))` (exact for n <= 26, rounded up to 1021 where
/// the smaller term no longer counts, garbage beyond).
#[inline(always)]
fn half_sum_diff(n: i64) -> (f64, f64) {
    let up = pow2(n.wrapping_sub(1));
    let down = pow2((-n).wrapping_sub(1));
    (up - down, up + down)
}

/// sinh(a) for 0 <= a <= 708 from its pair: `2^(n-1)(1 + E + O) - 2^(-n-1)(1 + E - O) =
/// A(1 + E) + B O`; for n = 0 (a small) A = 0 and the result is O itself, to full
/// relative accuracy.
#[inline(always)]
fn sinh_moderate<I: Isa>(p: ExpPair) -> f64 {
    let (d, s) = half_sum_diff(p.n);
    mul_add::<I>(d, p.even, mul_add::<I>(s, p.odd, d))
}

/// cosh(a) for 0 <= a <= 708: `B(1 + E) + A O`, no cancellation.
#[inline(always)]
fn cosh_moderate<I: Isa>(p: ExpPair) -> f64 {
    let (d, s) = half_sum_diff(p.n);
    mul_add::<I>(s, p.even, mul_add::<I>(d, p.odd, s))
}

/// Beyond 708 (n > 1021), sinh = cosh = e^a/2, scaled in two steps (no early overflow).
#[inline(always)]
fn half_exp_large(p: ExpPair) -> f64 {
    scale(1.0 + (p.even + p.odd), p.n - 1)
}

/// Hyperbolic sine.
#[inline(always)]
fn sinh_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    let p = exp_pair::<I, FAST>(a);
    select(a <= 708.0, sinh_moderate::<I>(p), half_exp_large(p)).copysign(x)
}

/// Hyperbolic cosine.
#[inline(always)]
fn cosh_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    let p = exp_pair::<I, FAST>(a);
    select(a <= 708.0, cosh_moderate::<I>(p), half_exp_large(p))
}

/// Where [`sinh_common`] and [`cosh_common`] apply: |x| <= 708.
#[inline(always)]
pub(crate) fn hyperbolic_is_common(x: f64) -> bool {
    x.abs() <= 708.0
}

/// sinh for [`hyperbolic_is_common`] arguments.
#[inline(always)]
fn sinh_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    sinh_moderate::<I>(exp_pair::<I, FAST>(x.abs())).copysign(x)
}

/// cosh for [`hyperbolic_is_common`] arguments.
#[inline(always)]
fn cosh_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    cosh_moderate::<I>(exp_pair::<I, FAST>(x.abs()))
}

precisions! {
    exp_with => exp_f64, exp_fast_f64;
    exp_common => exp_common_f64, exp_fast_common_f64;
    expm1_with => expm1_f64, expm1_fast_f64;
    expm1_common => expm1_common_f64, expm1_fast_common_f64;
    sinh_with => sinh_f64, sinh_fast_f64;
    sinh_common => sinh_common_f64, sinh_fast_common_f64;
    cosh_with => cosh_f64, cosh_fast_f64;
    cosh_common => cosh_common_f64, cosh_fast_common_f64;
}

/// Hyperbolic tangent.
#[inline(always)]
pub(crate) fn tanh_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let t = expm1_from_parts(exp_parts::<I>(clamp760(2.0 * a)));
    // tanh(a) = t/(t+2) = 1 - 2/(t+2) with t = e^{2a} - 1; the first form keeps the
    // relative accuracy of small a, the second the absolute accuracy near 1.
    let out = select(a < 0.55, t / (t + 2.0), 1.0 - 2.0 / (t + 2.0));
    select(a > 22.0, 1.0, out).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn exp_special_values() {
        for f in [exp_f64::<Baseline>, exp_f64::<Avx2>] {
            assert_eq!(f(0.0), 1.0);
            assert_eq!(f(-0.0), 1.0);
            assert_eq!(f(1.0), std::f64::consts::E);
            assert_eq!(f(f64::INFINITY), f64::INFINITY);
            assert_eq!(f(f64::NEG_INFINITY), 0.0);
            assert_eq!(f(710.0), f64::INFINITY);
            assert_eq!(f(-746.0), 0.0);
            assert!(f(-740.0) > 0.0 && f(-740.0) < f64::MIN_POSITIVE);
            assert!(f(f64::NAN).is_nan());
        }
    }

    #[test]
    fn expm1_and_hyperbolic_special_values() {
        type B = Baseline;
        assert_eq!(expm1_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(expm1_f64::<B>(1e-300), 1e-300);
        assert_eq!(expm1_f64::<B>(f64::NEG_INFINITY), -1.0);
        assert_eq!(expm1_f64::<B>(f64::INFINITY), f64::INFINITY);
        assert_eq!(sinh_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(sinh_f64::<B>(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert!(sinh_f64::<B>(710.4).is_finite());
        assert_eq!(sinh_f64::<B>(710.5), f64::INFINITY);
        assert_eq!(cosh_f64::<B>(-0.0), 1.0);
        assert_eq!(cosh_f64::<B>(f64::NEG_INFINITY), f64::INFINITY);
        assert_eq!(tanh_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh_f64::<B>(-1e300), -1.0);
        assert_eq!(tanh_f64::<B>(f64::INFINITY), 1.0);
        assert_eq!(tanh_f64::<B>(5e-324), 5e-324);
        for f in [sinh_f64::<B>, cosh_f64::<B>, tanh_f64::<B>, expm1_f64::<B>] {
            assert!(f(f64::NAN).is_nan());
        }
    }
}
