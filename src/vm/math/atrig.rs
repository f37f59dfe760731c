//! Inverse trigonometric functions: arcsin, arccos, arctan, arctan2 (f64 lanes).
//!
//! arctan: |x| is reduced by selects to `t` with |t| <= tan(pi/8): `t = |x|` below
//! tan(pi/8), `t = (|x| - 1)/(|x| + 1)` up to tan(3pi/8) and `t = -1/|x|` above, so that
//! `atan(x) = c + t + t^3*P(t^2)` with c in {0, pi/4, pi/2} carried as hi + lo; the quotient
//! is formed once (numerator and denominator are selected first). arctan2 forms the same
//! quotient from |y| and |x| directly (`|y|/|x|`, `(|y| - |x|)/(|y| + |x|)`, `-|x|/|y|`),
//! so it divides once too, then places the angle in its quadrant; its ±0/±inf/nan table is
//! applied by selects in the complete lane only. arcsin/arccos: for |x| < 1/2 the
//! polynomial `s + s^3*P(s^2)` directly; above, `asin(x) = pi/2 - 2*asin(sqrt((1-|x|)/2))`
//! with the square root carried as hi + lo so the doubling loses nothing (fdlibm's method,
//! with a plain polynomial instead of its rational).

use super::consts::{
    ASIN_FAST_POLY, ASIN_POLY, ATAN_POLY, PI_HI, PI_LO, PIO2_HI, PIO2_LO, PIO4_HI,
};
use super::lane::{poly, precisions, select, truncate_low, two_sum};
use crate::vm::isa::Isa;

/// tan(pi/8) = sqrt(2) - 1, rounded: the upper end of the polynomial's range.
const TAN_PI_8: f64 = 0.414_213_562_373_095_1;
/// tan(3pi/8) = sqrt(2) + 1, rounded.
const TAN_3PI_8: f64 = 2.414_213_562_373_095;

/// `atan(num/den) + c` for the reduced quotient of an arctan: `(c_hi, rest)` summing to the
/// result, where `mid`/`big` say which of 0, pi/4, pi/2 is c. The split lets arctan2
/// subtract it from pi without a double rounding.
#[inline(always)]
fn atan_reduced<I: Isa, const FAST: bool>(num: f64, den: f64, mid: bool, big: bool) -> (f64, f64) {
    let t = num / den;
    let hi = select(big, PIO2_HI, select(mid, PIO4_HI, 0.0));
    // `fast` leaves out the trailing parts of pi/4 and pi/2 (a third of an ulp).
    let lo = if FAST {
        0.0
    } else {
        select(big, PIO2_LO, select(mid, 0.5 * PIO2_LO, 0.0))
    };
    let z = t * t;
    let tail = t * z * poly::<I, _>(z, &ATAN_POLY);
    (hi, t + (tail + lo))
}

/// arctan of a >= 0 (or nan) as `(table value, rest)`; a = inf gives pi/2, nan gives nan.
#[inline(always)]
fn atan_nonnegative<I: Isa, const FAST: bool>(a: f64) -> (f64, f64) {
    let big = a > TAN_3PI_8;
    let mid = a > TAN_PI_8;
    let num = select(big, -1.0, select(mid, a - 1.0, a));
    let den = select(big, a, select(mid, a + 1.0, 1.0));
    atan_reduced::<I, FAST>(num, den, mid, big)
}

/// Inverse tangent.
#[inline(always)]
fn atan_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    // nan flows through (its quotient is nan).
    let (hi, rest) = atan_nonnegative::<I, FAST>(x.abs());
    (hi + rest).copysign(x)
}

/// The angle of (ax, ay) in the first quadrant, as `(table value, rest)`, for the larger
/// of ax and ay in [2^-969, 2^1000): `ay + ax` is finite, and the products that pick the
/// range are normal numbers, exact to 2^-53 (with subnormal ones a quotient near a range
/// end could be taken beyond the polynomial's interval).
#[inline(always)]
fn atan2_first_quadrant<I: Isa, const FAST: bool>(ay: f64, ax: f64) -> (f64, f64) {
    let big = ay > TAN_3PI_8 * ax;
    let mid = ay > TAN_PI_8 * ax;
    let num = select(big, -ax, select(mid, ay - ax, ay));
    let den = select(big, ay, select(mid, ay + ax, ax));
    atan_reduced::<I, FAST>(num, den, mid, big)
}

/// The first-quadrant angle `(hi, rest)` placed by the signs of x and y: pi minus it for
/// x < 0 (including -0), with pi - hi kept exact (`FAST`: rounded once more), and the sign
/// of y.
#[inline(always)]
fn atan2_place<const FAST: bool>(y: f64, x: f64, hi: f64, rest: f64) -> f64 {
    let reflected = if FAST {
        (PI_HI - hi) + (PI_LO - rest)
    } else {
        let (d, d_err) = two_sum(PI_HI, -hi);
        d + (d_err + (PI_LO - rest))
    };
    select(x.is_sign_negative(), reflected, hi + rest).copysign(y)
}

/// 2^1000: beyond it `|y| + |x|` may overflow.
const TWO_1000: f64 = f64::from_bits((1023 + 1000) << 52);
/// 2^-969: below it products with tan(pi/8) lose bits.
const TWO_M969: f64 = f64::from_bits((1023 - 969) << 52);

/// Where [`atan2_common`] applies: the larger of |x|, |y| in [2^-969, 2^1000) (so both
/// finite and not both zero).
#[inline(always)]
pub(crate) fn atan2_is_common(y: f64, x: f64) -> bool {
    let (ax, ay) = (x.abs(), y.abs());
    ax < TWO_1000 && ay < TWO_1000 && (ax >= TWO_M969 || ay >= TWO_M969)
}

/// arctan2 for [`atan2_is_common`] arguments (no 0/0, inf/inf or nan table, no scaling).
#[inline(always)]
fn atan2_common<I: Isa, const FAST: bool>(y: f64, x: f64) -> f64 {
    let (hi, rest) = atan2_first_quadrant::<I, FAST>(y.abs(), x.abs());
    atan2_place::<FAST>(y, x, hi, rest)
}

/// Two-argument inverse tangent: the angle of (x, y), in [-pi, pi].
#[inline(always)]
fn atan2_with<I: Isa, const FAST: bool>(y: f64, x: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    // Huge arguments are scaled down together and tiny ones up (exactly, by a power of
    // two; the angle is the same) into the range of `atan2_first_quadrant`; others are left
    // alone, so this lane is bit-equal to the common one where that applies.
    let huge = ax >= TWO_1000 || ay >= TWO_1000;
    let tiny = ax < TWO_M969 && ay < TWO_M969;
    let k = select(
        huge,
        f64::from_bits((1023 - 600) << 52),
        select(tiny, f64::from_bits((1023 + 600) << 52), 1.0),
    );
    let (hi, rest) = atan2_first_quadrant::<I, FAST>(ay * k, ax * k);
    // 0/0 and inf/inf are nan above; their angles are fixed. (One infinite argument
    // needs nothing: its quotient is 0 and the angle 0 or pi/2.)
    let both_zero = ax == 0.0 && ay == 0.0;
    let both_inf = ax == f64::INFINITY && ay == f64::INFINITY;
    let hi = select(both_zero, 0.0, select(both_inf, PIO4_HI, hi));
    let rest = select(both_zero, 0.0, select(both_inf, 0.5 * PIO2_LO, rest));
    let out = atan2_place::<FAST>(y, x, hi, rest);
    select(x.is_nan() || y.is_nan(), x + y, out)
}

/// `(asin(s) - s)/s` for s = sqrt(z), z <= 1/4.
#[inline(always)]
fn asin_ratio<I: Isa, const FAST: bool>(z: f64) -> f64 {
    if FAST {
        z * poly::<I, _>(z, &ASIN_FAST_POLY)
    } else {
        z * poly::<I, _>(z, &ASIN_POLY)
    }
}

/// `(s, df, c)`: s = sqrt(z), with s ~ df + c where df has 21 significant bits.
#[inline(always)]
fn sqrt_split(z: f64) -> (f64, f64, f64) {
    let s = z.sqrt();
    let df = truncate_low(s);
    // (z - df^2)/(s + df) = s - df to double precision; df^2 is exact.
    let c = select(s == 0.0, 0.0, (z - df * df) / (s + df));
    (s, df, c)
}

precisions! {
    atan_with => atan_f64, atan_fast_f64;
    asin_with => asin_f64, asin_fast_f64;
    acos_with => acos_f64, acos_fast_f64;
}

precisions! {
    atan2_with => atan2_f64, atan2_fast_f64, binary;
    atan2_common => atan2_common_f64, atan2_fast_common_f64, binary;
}

/// Inverse sine (nan beyond ±1).
#[inline(always)]
fn asin_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, a * a, 0.5 * (1.0 - a));
    let r = asin_ratio::<I, FAST>(z);
    let near_zero = a + a * r;
    let (s, df, c) = sqrt_split(z);
    let near_one = (PIO2_HI - 2.0 * df) + (PIO2_LO - 2.0 * (c + s * r));
    // |x| > 1 and nan need no select: z < 0 or nan makes the square root nan.
    select(small, near_zero, near_one).copysign(x)
}

/// Inverse cosine (nan beyond ±1).
#[inline(always)]
fn acos_with<I: Isa, const FAST: bool>(x: f64) -> f64 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, x * x, 0.5 * (1.0 - a));
    let r = asin_ratio::<I, FAST>(z);
    // pi/2 - asin(x)
    let middle = PIO2_HI - (x - (PIO2_LO - x * r));
    let (s, df, c) = sqrt_split(z);
    // x > 1/2: 2 asin(sqrt((1-x)/2)); x < -1/2: pi - 2 asin(sqrt((1+x)/2)).
    let positive = 2.0 * (df + (c + s * r));
    let negative = (PI_HI - 2.0 * df) + (PI_LO - 2.0 * (c + s * r));
    // |x| > 1 and nan give nan through the square root, as in asin.
    select(small, middle, select(x > 0.0, positive, negative))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::Baseline;
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};

    type B = Baseline;

    #[test]
    fn atan2_quadrant_table() {
        let f = atan2_f64::<B>;
        let (inf, z) = (f64::INFINITY, 0.0f64);
        assert_eq!(f(z, z).to_bits(), z.to_bits());
        assert_eq!(f(-z, z).to_bits(), (-z).to_bits());
        assert_eq!(f(z, -z), PI);
        assert_eq!(f(-z, -z), -PI);
        assert_eq!(f(z, -1.0), PI);
        assert_eq!(f(-z, -1.0), -PI);
        assert_eq!(f(1.0, z), FRAC_PI_2);
        assert_eq!(f(-1.0, -z), -FRAC_PI_2);
        assert_eq!(f(1.0, inf), 0.0);
        assert_eq!(f(-1.0, inf).to_bits(), (-z).to_bits());
        assert_eq!(f(1.0, -inf), PI);
        assert_eq!(f(inf, inf), FRAC_PI_4);
        assert_eq!(f(-inf, -inf), -3.0 * FRAC_PI_4);
        assert_eq!(f(inf, 5.0), FRAC_PI_2);
        assert_eq!(f(1.0, 1.0), FRAC_PI_4);
        assert_eq!(f(1e-300, 1e300), 0.0);
        assert!(f(f64::NAN, 1.0).is_nan() && f(1.0, f64::NAN).is_nan());
    }

    #[test]
    fn inverse_trig_special_values() {
        assert_eq!(atan_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(atan_f64::<B>(f64::INFINITY), FRAC_PI_2);
        assert_eq!(atan_f64::<B>(-1.0), -FRAC_PI_4);
        assert!(atan_f64::<B>(f64::NAN).is_nan());
        assert_eq!(asin_f64::<B>(-1.0), -FRAC_PI_2);
        assert_eq!(asin_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert!(asin_f64::<B>(1.0 + f64::EPSILON).is_nan());
        assert_eq!(acos_f64::<B>(1.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(acos_f64::<B>(-1.0), PI);
        assert_eq!(acos_f64::<B>(0.0), FRAC_PI_2);
        assert!(acos_f64::<B>(f64::NEG_INFINITY).is_nan());
        assert!(acos_f64::<B>(f64::NAN).is_nan());
    }
}
