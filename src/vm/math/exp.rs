//! The exponential family: exp, expm1, sinh, cosh, tanh (f64 lanes).
//!
//! Method (Cody-Waite reduction with a minimax polynomial, as in fdlibm/VCL):
//! `x = n*ln2 + r`, |r| <= ln2/2, with `n` rounded by the magic-number trick and
//! `n*LN2_HI` exact; `expm1(r) = r + r^2/2 + r^3*P(r)` is kept as a double-double `hi + lo`
//! (the rounding error of `r` folded into `lo`), and `exp(x) = 2^n * (1 + hi + lo)` is
//! scaled in two steps by [`scale`] so that overflow, underflow and subnormal results come
//! out of the same arithmetic. The hyperbolic functions reuse this core with fdlibm's
//! formulas. Everything is branch-free: special inputs flow through clamps and selects.

use super::consts::{EXPM1_POLY, LN2_HI, LN2_LO, LOG2_E};
use super::lane::{poly, pow2, round_int, scale, select, two_sum};
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

/// Reduce `x` (nan passes through into `hi`) and evaluate expm1 of the remainder.
#[inline(always)]
fn exp_parts<I: Isa>(x: f64) -> ExpParts {
    let xc = select(x > 760.0, 760.0, select(x < -760.0, -760.0, x));
    let (n, ni) = round_int(xc * LOG2_E);
    let r_hi = xc - n * LN2_HI; // exact: n has <= 11 bits, LN2_HI 42
    let r_lo = n * LN2_LO;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY), 0.5);
    let (hi, lo) = two_sum(r, q);
    // d/dr expm1(r) = e^r ~ 1 + r: the error of r enters scaled by it.
    let lo = lo + r_err * (1.0 + r);
    ExpParts { n: ni, hi, lo }
}

/// `e^x * 2^shift` from the parts (valid for |n + shift| <= 2044).
#[inline(always)]
fn exp_from_parts(parts: ExpParts, shift: i64) -> f64 {
    scale(1.0 + (parts.hi + parts.lo), parts.n + shift)
}

/// `e^x - 1` from the parts, accurate for |x| <= 40 (|n| <= 58).
#[inline(always)]
fn expm1_from_parts(parts: ExpParts) -> f64 {
    let n = select_n(parts.n);
    let s = pow2(n);
    let (u, v) = two_sum(s - 1.0, s * parts.hi); // s - 1 exact for |n| <= 53
    u + (v + s * parts.lo)
}

/// Clamp n to [-64, 64] so that 2^n stays normal whatever the input.
#[inline(always)]
fn select_n(n: i64) -> i64 {
    n.clamp(-64, 64)
}

/// e^x.
#[inline(always)]
pub(crate) fn exp_f64<I: Isa>(x: f64) -> f64 {
    // exp_parts without its TwoSum: 1 + (r + q) needs no double-double, only the error of r.
    let xc = select(x > 760.0, 760.0, select(x < -760.0, -760.0, x));
    let (n, ni) = round_int(xc * LOG2_E);
    let r_hi = xc - n * LN2_HI;
    let r_lo = n * LN2_LO;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY), 0.5);
    scale(1.0 + (r + mul_add::<I>(r_err, 1.0 + r, q)), ni)
}

/// e^x - 1, accurate near 0.
#[inline(always)]
pub(crate) fn expm1_f64<I: Isa>(x: f64) -> f64 {
    let parts = exp_parts::<I>(x);
    let moderate = expm1_from_parts(parts);
    // Beyond +-40, expm1 is exp (the -1 is below half an ulp) or exactly -1.
    let out = select(
        x > 40.0,
        exp_from_parts(parts, 0),
        select(x < -40.0, -1.0, moderate),
    );
    select(x == 0.0, x, out) // keep the sign of zero
}

/// Hyperbolic sine.
#[inline(always)]
pub(crate) fn sinh_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let parts = exp_parts::<I>(a);
    let t = expm1_from_parts(parts);
    // (e^a - e^-a)/2 = (t + t/(t+1))/2, free of cancellation for small a.
    let small = 0.5 * (t + t / (t + 1.0));
    let large = exp_from_parts(parts, -1);
    select(a < 22.0, small, large).copysign(x)
}

/// Hyperbolic cosine.
#[inline(always)]
pub(crate) fn cosh_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let parts = exp_parts::<I>(a);
    let t = expm1_from_parts(parts);
    let tiny = 1.0 + t * t / (2.0 * (1.0 + t));
    let e = exp_from_parts(parts, 0);
    let moderate = 0.5 * e + 0.5 / e;
    let large = exp_from_parts(parts, -1);
    select(a < 0.35, tiny, select(a < 22.0, moderate, large))
}

/// Hyperbolic tangent.
#[inline(always)]
pub(crate) fn tanh_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let t = expm1_from_parts(exp_parts::<I>(2.0 * a));
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
