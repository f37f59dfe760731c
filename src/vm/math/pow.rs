//! pow and hypot (f64 lanes).
//!
//! pow(x, y) = exp(y * ln|x|) evaluated in double-double: ln|x| = k*ln2 + 2*atanh(s) with
//! `s = (m-1)/(m+1)` carried as hi + lo and the series' leading terms (2s, 2s^3/3) in exact
//! arithmetic, so ln|x| has ~2^-66 relative error; `y * ln|x|` is an exact product plus
//! its low part; the exponential then reduces the double-double argument and evaluates as
//! in `exp.rs`. That keeps pow within 2 ulp up to the overflow threshold, where |y ln x| is
//! ~709. The C99 special-case table (zeros, infinities, negative bases, nan) is applied by
//! selects afterwards, in increasing order of priority.
//!
//! hypot scales both arguments by a power of two chosen from the larger one, so
//! `sqrt(x^2 + y^2)` neither overflows nor underflows, and unscales exactly.

use super::consts::{
    EXPM1_FAST_POLY, EXPM1_POLY, LN2_HI, LN2_LO, LOG_TAIL_POLY, LOG2_E, TWO_THIRDS_HI,
    TWO_THIRDS_LO,
};
use super::exp::exp_f64;
use super::lane::{fast_two_sum, log_split, poly, round_int, scale, select, two_prod, two_sum};
use super::log::log_f64;
use crate::vm::isa::{Isa, mul_add};

/// ln(a) as a double-double for positive finite a (normal or subnormal).
#[inline(always)]
fn ln_hi_lo<I: Isa>(a: f64) -> (f64, f64) {
    let (k, f) = log_split(a);
    let m = 1.0 + f; // exact: m is the mantissa in [sqrt2/2, sqrt2)
    // s = f/(m + 1) as sh + sl.
    let (b_hi, b_lo) = two_sum(m, 1.0);
    // One division: sh need not be correctly rounded, the residual corrects it.
    let inv = 1.0 / b_hi;
    let sh = f * inv;
    let (p, pe) = two_prod::<I>(sh, b_hi);
    let sl = (((f - p) - pe) - sh * b_lo) * inv;
    // (2/3) s^3 as th + tl.
    let (s2h, s2e) = two_prod::<I>(sh, sh);
    let s2l = s2e + 2.0 * sh * sl;
    let (s3h, s3e) = two_prod::<I>(s2h, sh);
    let s3l = s3e + (s2l * sh + s2h * sl);
    let (th, te) = two_prod::<I>(s3h, TWO_THIRDS_HI);
    let tl = te + (s3h * TWO_THIRDS_LO + s3l * TWO_THIRDS_HI);
    // s^5 * P(s^2): its rounding is ~2^-12 below the result's.
    let w = sh * sh;
    let tail = sh * w * w * poly::<I, _>(w, &LOG_TAIL_POLY);
    // k*ln2 + 2s + (2/3)s^3 + tail
    let (u, ue) = two_sum(k * LN2_HI, 2.0 * sh);
    let (v, ve) = two_sum(u, th);
    let lo = (ue + ve) + (2.0 * sl + tl + tail + k * LN2_LO);
    fast_two_sum(v, lo)
}

/// exp(hi + lo) for a double-double argument (|lo| <= ulp(hi)); nan/inf handled by callers.
#[inline(always)]
fn exp_hi_lo<I: Isa, const FAST: bool>(hi: f64, lo: f64) -> f64 {
    let clamped = hi.abs() > 760.0 || hi.is_nan();
    let hc = select(clamped, select(hi > 0.0, 760.0, -760.0), hi);
    let lc = select(clamped, 0.0, lo);
    let (n, ni) = round_int(hc * LOG2_E);
    let r_hi = hc - n * LN2_HI; // exact
    let (r, rl) = two_sum(r_hi, lc - n * LN2_LO);
    let p = if FAST {
        poly::<I, _>(r, &EXPM1_FAST_POLY)
    } else {
        poly::<I, _>(r, &EXPM1_POLY)
    };
    let q = r * r * mul_add::<I>(r, p, 0.5);
    // exp(r + rl) = (1 + r + q)(1 + rl) to second order.
    let p = 1.0 + (r + (q + rl * (1.0 + r)));
    scale(p, ni)
}

/// |x|^y for positive finite |x| and finite y (clamped to |y| <= 2^64, beyond which any
/// |x| != 1 over- or underflows anyway).
#[inline(always)]
fn pow_magnitude<I: Isa, const FAST: bool>(ax: f64, y: f64) -> f64 {
    const Y_MAX: f64 = 18_446_744_073_709_551_616.0; // 2^64
    let yc = select(y.abs() > Y_MAX, Y_MAX.copysign(y), y);
    let (lh, ll) = ln_hi_lo::<I>(ax);
    let (ph, pe) = two_prod::<I>(yc, lh);
    let pl = pe + yc * ll;
    let (ph, pl) = fast_two_sum(ph, pl);
    exp_hi_lo::<I, FAST>(ph, pl)
}

/// Where [`pow_common_f64`] applies: x positive normal finite, y finite.
#[inline(always)]
pub(crate) fn pow_is_common(x: f64, y: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x) && y.abs() < f64::INFINITY
}

/// pow for [`pow_is_common`] arguments: the magnitude alone, no special-case table
/// (bit-equal to [`pow_f64`] there: every selection of the table is inactive).
#[inline(always)]
pub(crate) fn pow_common_f64<I: Isa>(x: f64, y: f64) -> f64 {
    pow_magnitude::<I, false>(x, y)
}

/// [`pow_common_f64`] at `fast` precision.
#[inline(always)]
pub(crate) fn pow_fast_common_f64<I: Isa>(x: f64, y: f64) -> f64 {
    pow_magnitude::<I, true>(x, y)
}

/// x raised to the power y, with C99's special cases.
#[inline(always)]
pub(crate) fn pow_f64<I: Isa>(x: f64, y: f64) -> f64 {
    pow_with::<I, false, false>(x, y)
}

/// pow at `fast` precision (the shorter exponential polynomial).
#[inline(always)]
pub(crate) fn pow_fast_f64<I: Isa>(x: f64, y: f64) -> f64 {
    pow_with::<I, false, true>(x, y)
}

/// pow for f32 data widened to f64: `exp(y * ln|x|)` in plain f64 is enough, since
/// |y ln x| <= ~104 for any finite nonzero f32 result and the f64 error of the product,
/// ~2^-45 relative, is far below half an f32 ulp. About twice as fast as [`pow_f64`].
#[inline(always)]
pub(crate) fn pow_f64_for_f32<I: Isa>(x: f64, y: f64) -> f64 {
    pow_with::<I, true, false>(x, y)
}

/// pow with the magnitude computed in double-double (`SINGLE = false`) or in plain f64
/// (`SINGLE = true`, enough for results rounded to f32).
#[inline(always)]
fn pow_with<I: Isa, const SINGLE: bool, const FAST: bool>(x: f64, y: f64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    const TWO_53: f64 = 9_007_199_254_740_992.0;
    let ax = x.abs();
    let ay = y.abs();
    // Integer and odd-integer tests for y without conversions: |y| + 2^52 has no fraction.
    let big = ay >= TWO_52;
    let shifted = ay + TWO_52;
    let int_small = shifted - TWO_52 == ay;
    let y_int = big || int_small;
    let y_odd = select(
        big,
        f64::from(u8::from(ay < TWO_53 && ay.to_bits() & 1 == 1)),
        f64::from(u8::from(int_small && shifted.to_bits() & 1 == 1)),
    ) == 1.0;
    let negate = x.is_sign_negative() && y_odd;

    let magnitude = if SINGLE {
        exp_f64::<I>(y * log_f64::<I>(ax))
    } else {
        pow_magnitude::<I, FAST>(ax, y)
    };
    let out = select(negate, -magnitude, magnitude);
    // A finite negative base needs an integer exponent.
    let out = select(x < 0.0 && x.is_finite() && !y_int, f64::NAN, out);
    // Zero and infinite bases: 0 or inf by the sign of y, negative for odd y and x < 0.
    let zero_base = select(y < 0.0, f64::INFINITY, 0.0);
    let out = select(ax == 0.0, select(negate, -zero_base, zero_base), out);
    let inf_base = select(y < 0.0, 0.0, f64::INFINITY);
    let out = select(
        ax == f64::INFINITY,
        select(negate, -inf_base, inf_base),
        out,
    );
    // Infinite exponents: 1 for |x| = 1, else 0 or inf by (|x| < 1) xor (y > 0).
    let inf_exp = select(
        ax == 1.0,
        1.0,
        select((ax < 1.0) == (y < 0.0), f64::INFINITY, 0.0),
    );
    let out = select(ay == f64::INFINITY, inf_exp, out);
    let out = select(x.is_nan() || y.is_nan(), x + y, out);
    // pow(x, ±0) = 1 and pow(1, y) = 1, even for nan.
    select(y == 0.0 || x == 1.0, 1.0, out)
}

/// sqrt(x^2 + y^2) without undue overflow or underflow; inf if either is infinite.
#[inline(always)]
pub(crate) fn hypot_f64<I: Isa>(x: f64, y: f64) -> f64 {
    const TWO_500: f64 = f64::from_bits((1023 + 500) << 52);
    const TWO_M500: f64 = f64::from_bits((1023 - 500) << 52);
    const TWO_600: f64 = f64::from_bits((1023 + 600) << 52);
    const TWO_M600: f64 = f64::from_bits((1023 - 600) << 52);
    let (ax, ay) = (x.abs(), y.abs());
    let a = select(ax > ay, ax, ay);
    let big = a > TWO_500;
    let small = a < TWO_M500;
    let down = select(big, TWO_M600, select(small, TWO_600, 1.0));
    let up = select(big, TWO_600, select(small, TWO_M600, 1.0));
    let (xs, ys) = (ax * down, ay * down);
    let out = mul_add::<I>(xs, xs, ys * ys).sqrt() * up;
    select(
        ax == f64::INFINITY || ay == f64::INFINITY,
        f64::INFINITY,
        out,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn pow_c99_table() {
        // (pow_f64_for_f32 meets this table after rounding to f32: see tests.rs.)
        for f in [pow_f64::<Baseline>, pow_f64::<Avx2>] {
            let (inf, nan) = (f64::INFINITY, f64::NAN);
            let neg0 = (-0.0f64).to_bits();
            assert_eq!(f(nan, 0.0), 1.0);
            assert_eq!(f(nan, -0.0), 1.0);
            assert_eq!(f(1.0, nan), 1.0);
            assert_eq!(f(-1.0, inf), 1.0);
            assert_eq!(f(-1.0, -inf), 1.0);
            assert!(f(-2.0, 0.5).is_nan());
            assert!(f(nan, 1.0).is_nan() && f(2.0, nan).is_nan());
            assert_eq!(f(0.0, -3.0), inf);
            assert_eq!(f(-0.0, -3.0), -inf);
            assert_eq!(f(-0.0, -2.0), inf);
            assert_eq!(f(-0.0, -0.5), inf);
            assert_eq!(f(-0.0, 3.0).to_bits(), neg0);
            assert_eq!(f(-0.0, 2.0), 0.0);
            assert_eq!(f(0.0, -inf), inf);
            assert_eq!(f(0.5, -inf), inf);
            assert_eq!(f(0.5, inf), 0.0);
            assert_eq!(f(2.0, -inf), 0.0);
            assert_eq!(f(-2.0, inf), inf);
            assert_eq!(f(-inf, -3.0).to_bits(), neg0);
            assert_eq!(f(-inf, -2.0), 0.0);
            assert_eq!(f(-inf, 3.0), -inf);
            assert_eq!(f(-inf, 2.5), inf);
            assert_eq!(f(inf, -1.0), 0.0);
            assert_eq!(f(inf, 0.1), inf);
            assert_eq!(f(-2.0, 3.0), -8.0);
            assert_eq!(f(-2.0, 1e300), inf);
            assert_eq!(f(2.0, -1074.0), 5e-324);
            assert_eq!(f(2.0, 1024.0), inf);
            assert_eq!(f(10.0, 308.0), 1e308);
            assert_eq!(f(5e-324, 0.5), 2.2227587494850775e-162);
        }
    }

    #[test]
    fn hypot_special_values() {
        type B = Baseline;
        assert_eq!(hypot_f64::<B>(f64::INFINITY, f64::NAN), f64::INFINITY);
        assert_eq!(hypot_f64::<B>(f64::NAN, f64::NEG_INFINITY), f64::INFINITY);
        assert!(hypot_f64::<B>(f64::NAN, 1.0).is_nan());
        assert_eq!(hypot_f64::<B>(3.0, -4.0), 5.0);
        assert_eq!(hypot_f64::<B>(0.0, -0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(hypot_f64::<B>(f64::MAX, 1.0), f64::MAX);
        assert_eq!(hypot_f64::<B>(3e-320, 4e-320), 5e-320);
        assert_eq!(hypot_f64::<B>(1e308, 1e308), 1.4142135623730951e308);
    }
}
