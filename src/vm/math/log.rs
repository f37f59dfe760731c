//! The logarithm family: log, log1p, log2, log10, arcsinh, arccosh, arctanh (f64 lanes).
//!
//! Method (fdlibm's): `x = 2^k (1 + f)` with `1 + f` in [sqrt2/2, sqrt2) taken from the bits
//! ([`log_split`], subnormals pre-scaled), `s = f/(2+f)`, and
//! `log(1+f) = f - f^2/2 + s*(f^2/2 + R)` with `R = w*P(w)`, `w = s^2`, a minimax
//! polynomial of our own (see `consts.rs`). log1p folds the rounding error of `1 + x` in
//! as a correction `c`; log2/log10 carry `log(1+f)` as hi + lo (hi with 21 significant bits)
//! so the final scaling by 1/ln2 or 1/ln10 adds no rounding of its own. The inverse
//! hyperbolic functions choose the argument of one log core by selects (fdlibm's three
//! ranges each). Special values (0, negative, inf, nan) are selected at the end.

use super::consts::{
    INV_LN2_HI, INV_LN2_LO, INV_LN10_HI, INV_LN10_LO, LN2_HI, LN2_LO, LOG_POLY, LOG10_2_HI,
    LOG10_2_LO,
};
use super::consts::{LOG2_E, LOG10_E};
use super::lane::{log_split, log_split_normal, poly, precisions, select, truncate_low, two_sum};
use crate::vm::isa::Isa;

/// `R(w) = w P(w)` of the log core, `w = s^2`. (A shorter polynomial for `fast` would
/// not do: one degree less costs 10 ulps at |f| = 0.41.)
#[inline(always)]
fn log_r<I: Isa>(w: f64) -> f64 {
    w * poly::<I, _>(w, &LOG_POLY)
}

/// `k*ln2 + log(1+f) + c` for `1 + f` in [sqrt2/2, sqrt2) and a small correction c. `FAST`
/// has no use here yet: both precisions share the core.
#[inline(always)]
fn log_core<I: Isa, const FAST: bool>(k: f64, f: f64, c: f64) -> f64 {
    let s = f / (2.0 + f);
    let w = s * s;
    let r = log_r::<I>(w);
    let hfsq = 0.5 * f * f;
    k * LN2_HI - ((hfsq - (s * (hfsq + r) + (k * LN2_LO + c))) - f)
}

/// `(k, f, c)` for log1p(x): `log(1+x) = k*ln2 + log(1+f) + c`.
#[inline(always)]
fn log1p_parts(x: f64) -> (f64, f64, f64) {
    let (u, err) = two_sum(1.0, x); // err: the exact rounding error of 1 + x
    let (k, f) = log_split(u);
    // When 1 + x needs no scaling, x itself is f and nothing was rounded.
    let in_range = k == 0.0;
    (k, select(in_range, x, f), select(in_range, 0.0, err / u))
}

/// Replace the result for x <= 0, +inf and nan (the log family's shared table).
#[inline(always)]
fn log_specials(x: f64, out: f64) -> f64 {
    let out = select(x == f64::INFINITY, f64::INFINITY, out);
    let out = select(x == 0.0, f64::NEG_INFINITY, out);
    let out = select(x < 0.0, f64::NAN, out);
    select(x.is_nan(), x + x, out)
}

/// Natural logarithm.
#[inline(always)]
fn log_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split(x);
    log_specials(x, log_core::<I, FAST>(k, f, 0.0))
}

/// Where the `*_common` lanes of log, log2 and log10 apply: positive normal finite x.
#[inline(always)]
pub(crate) fn log_is_common(x: f64) -> bool {
    (f64::MIN_POSITIVE..f64::INFINITY).contains(&x)
}

/// log for [`log_is_common`] arguments: no subnormal scaling, no special values; bit-equal
/// to [`log_with`] there.
#[inline(always)]
fn log_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split_normal(x);
    log_core::<I, FAST>(k, f, 0.0)
}

/// Where [`log1p_common`] applies: -1 < x < 2^1000, x != 0 (no special value, and
/// `1 + x` finite).
#[inline(always)]
pub(crate) fn log1p_is_common(x: f64) -> bool {
    x > -1.0 && x < 1e300 && x != 0.0
}

/// log1p for [`log1p_is_common`] arguments.
#[inline(always)]
fn log1p_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f, c) = log1p_parts(x);
    log_core::<I, FAST>(k, f, c)
}

/// log(1 + x), accurate near 0.
#[inline(always)]
fn log1p_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f, c) = log1p_parts(x);
    let out = log_specials(1.0 + x, log_core::<I, FAST>(k, f, c));
    let out = select(x == f64::INFINITY, f64::INFINITY, out);
    select(x == 0.0 || x.is_nan(), x + x, out) // log1p(-0) = -0
}

/// `(hi, lo)`: log(1+f) with hi holding 21 significant bits and |lo| << |hi|.
#[inline(always)]
fn log1pf_hi_lo<I: Isa>(f: f64) -> (f64, f64) {
    let s = f / (2.0 + f);
    let w = s * s;
    let r = log_r::<I>(w);
    let hfsq = 0.5 * f * f;
    let hi = truncate_low(f - hfsq);
    let lo = (f - hi) - hfsq + s * (hfsq + r);
    (hi, lo)
}

/// log(1 + f) for `fast` precision (one rounding less careful than [`log1pf_hi_lo`]).
#[inline(always)]
fn log1pf_fast<I: Isa>(f: f64) -> f64 {
    let s = f / (2.0 + f);
    let hfsq = 0.5 * f * f;
    f - (hfsq - s * (hfsq + log_r::<I>(s * s)))
}

/// log2 from the split `x = 2^k (1 + f)` (exact at powers of two).
#[inline(always)]
fn log2_core<I: Isa, const FAST: bool>(k: f64, f: f64) -> f64 {
    if FAST {
        return k + log1pf_fast::<I>(f) * LOG2_E;
    }
    let (hi, lo) = log1pf_hi_lo::<I>(f);
    let val_hi = hi * INV_LN2_HI;
    let val_lo = (lo + hi) * INV_LN2_LO + lo * INV_LN2_HI;
    let w = k + val_hi; // k is an integer, so this sum is exact up to its rounding error:
    let val_lo = val_lo + ((k - w) + val_hi);
    val_lo + w
}

/// log10 from the split `x = 2^k (1 + f)`.
#[inline(always)]
fn log10_core<I: Isa, const FAST: bool>(k: f64, f: f64) -> f64 {
    let y = k * LOG10_2_HI; // exact
    if FAST {
        return y + (log1pf_fast::<I>(f) * LOG10_E + k * LOG10_2_LO);
    }
    let (hi, lo) = log1pf_hi_lo::<I>(f);
    let val_hi = hi * INV_LN10_HI;
    let val_lo = k * LOG10_2_LO + (lo + hi) * INV_LN10_LO + lo * INV_LN10_HI;
    let w = y + val_hi;
    let val_lo = val_lo + ((y - w) + val_hi);
    val_lo + w
}

/// Base-2 logarithm (exact at powers of two).
#[inline(always)]
fn log2_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split(x);
    log_specials(x, log2_core::<I, FAST>(k, f))
}

/// log2 for [`log_is_common`] arguments.
#[inline(always)]
fn log2_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split_normal(x);
    log2_core::<I, FAST>(k, f)
}

/// Base-10 logarithm.
#[inline(always)]
fn log10_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split(x);
    log_specials(x, log10_core::<I, FAST>(k, f))
}

/// log10 for [`log_is_common`] arguments.
#[inline(always)]
fn log10_common<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let (k, f) = log_split_normal(x);
    log10_core::<I, FAST>(k, f)
}

precisions! {
    log_with => log_f64, log_fast_f64;
    log_common => log_common_f64, log_fast_common_f64;
    log1p_with => log1p_f64, log1p_fast_f64;
    log1p_common => log1p_common_f64, log1p_fast_common_f64;
    log2_with => log2_f64, log2_fast_f64;
    log2_common => log2_common_f64, log2_fast_common_f64;
    log10_with => log10_f64, log10_fast_f64;
    log10_common => log10_common_f64, log10_fast_common_f64;
    asinh_with => asinh_f64, asinh_fast_f64;
    acosh_with => acosh_f64, acosh_fast_f64;
    atanh_with => atanh_f64, atanh_fast_f64;
}

/// Inverse hyperbolic sine.
#[inline(always)]
fn asinh_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    let a2 = a * a;
    let small = a <= 2.0;
    let huge = a > 268_435_456.0; // 2^28: sqrt(a^2 + 1) = a to working precision
    // small: log1p(a + a^2/(1 + sqrt(1 + a^2)))
    let v = a + a2 / (1.0 + (1.0 + a2).sqrt());
    // middle: log(2a + 1/(sqrt(a^2 + 1) + a)); huge: log(a) + ln2
    let w = select(huge, a, 2.0 * a + 1.0 / ((a2 + 1.0).sqrt() + a));
    let (k1, f1, c1) = log1p_parts(v);
    let (k2, f2) = log_split(w);
    let k = select(small, k1, k2 + select(huge, 1.0, 0.0));
    let out = log_core::<I, FAST>(k, select(small, f1, f2), select(small, c1, 0.0));
    let out = select(a == f64::INFINITY, a, out);
    select(a == 0.0 || x.is_nan(), x + x, out.copysign(x))
}

/// Inverse hyperbolic cosine (nan below 1).
#[inline(always)]
fn acosh_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let small = x <= 2.0;
    let huge = x > 268_435_456.0;
    // small: log1p(t + sqrt(2t + t^2)), t = x - 1 (exact)
    let t = x - 1.0;
    let v = t + (2.0 * t + t * t).sqrt();
    // middle: log(2x - 1/(x + sqrt(x^2 - 1))); huge: log(x) + ln2
    let w = select(huge, x, 2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt()));
    let (k1, f1, c1) = log1p_parts(v);
    let (k2, f2) = log_split(w);
    let k = select(small, k1, k2 + select(huge, 1.0, 0.0));
    let out = log_core::<I, FAST>(k, select(small, f1, f2), select(small, c1, 0.0));
    let out = select(x == f64::INFINITY, x, out);
    let out = select(x == 1.0, 0.0, out);
    select(x < 1.0 || x.is_nan(), f64::NAN, out)
}

/// Inverse hyperbolic tangent (nan beyond +-1, +-inf at +-1).
#[inline(always)]
fn atanh_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    // 2a + 2a^2/(1-a) keeps the relative accuracy of small a; 2a/(1-a) the rest.
    let v = select(
        a < 0.5,
        2.0 * a + 2.0 * a * a / (1.0 - a),
        2.0 * a / (1.0 - a),
    );
    let (k, f, c) = log1p_parts(v);
    let out = 0.5 * log_core::<I, FAST>(k, f, c);
    let out = select(a == 1.0, f64::INFINITY, out);
    let out = select(a > 1.0 || x.is_nan(), f64::NAN, out);
    select(a == 0.0, x, out.copysign(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn log_special_values() {
        for f in [log_f64::<Baseline>, log_f64::<Avx2>] {
            assert_eq!(f(1.0).to_bits(), 0.0f64.to_bits());
            assert_eq!(f(0.0), f64::NEG_INFINITY);
            assert_eq!(f(-0.0), f64::NEG_INFINITY);
            assert!(f(-1.0).is_nan());
            assert!(f(f64::NEG_INFINITY).is_nan());
            assert_eq!(f(f64::INFINITY), f64::INFINITY);
            assert!(f(f64::NAN).is_nan());
            assert_eq!(f(std::f64::consts::E), 1.0);
            assert_eq!(f(5e-324), -744.4400719213812);
        }
        type B = Baseline;
        assert_eq!(log2_f64::<B>(1024.0), 10.0);
        assert_eq!(log2_f64::<B>(5e-324), -1074.0);
        assert_eq!(log10_f64::<B>(1000.0), 3.0);
        assert_eq!(log10_f64::<B>(1e-300), -300.0);
        assert_eq!(log1p_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(log1p_f64::<B>(-1.0), f64::NEG_INFINITY);
        assert!(log1p_f64::<B>(-1.5).is_nan());
        assert_eq!(log1p_f64::<B>(f64::INFINITY), f64::INFINITY);
        assert_eq!(log1p_f64::<B>(1e-300), 1e-300);
    }

    #[test]
    fn inverse_hyperbolic_special_values() {
        type B = Baseline;
        assert_eq!(asinh_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(asinh_f64::<B>(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert_eq!(asinh_f64::<B>(f64::MAX), 710.475860073944);
        assert_eq!(acosh_f64::<B>(1.0).to_bits(), 0.0f64.to_bits());
        assert!(acosh_f64::<B>(0.5).is_nan());
        assert_eq!(acosh_f64::<B>(f64::INFINITY), f64::INFINITY);
        assert_eq!(atanh_f64::<B>(-1.0), f64::NEG_INFINITY);
        assert_eq!(atanh_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(atanh_f64::<B>(1.5).is_nan());
        assert!(atanh_f64::<B>(f64::INFINITY).is_nan());
        for f in [asinh_f64::<B>, acosh_f64::<B>, atanh_f64::<B>] {
            assert!(f(f64::NAN).is_nan());
        }
    }
}
