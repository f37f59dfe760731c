//! Inverse trigonometric functions: arcsin, arccos, arctan, arctan2 (f64 lanes).
//!
//! arctan (fdlibm's reduction, done with selects): |x| is mapped to
//! `t = (|x| - c)/(1 + c|x|)` with c in {0, 1/2, 1, 3/2, inf} chosen by range, so |t| <= 7/16,
//! and `atan(x) = atan(c) + t + t^3*P(t^2)` with atan(c) as hi + lo. arctan2 divides
//! |y|/|x|, takes that arctan and places it in the quadrant; its ±0/±inf table is applied
//! by selects. arcsin/arccos: for |x| < 1/2 the polynomial `s + s^3*P(s^2)` directly; above,
//! `asin(x) = pi/2 - 2*asin(sqrt((1-|x|)/2))` with the square root carried as hi + lo so the
//! doubling loses nothing (fdlibm's method, with a plain polynomial instead of its rational).

use super::consts::{
    ASIN_POLY, ATAN_HALF_HI, ATAN_HALF_LO, ATAN_ONE_HI, ATAN_ONE_LO, ATAN_POLY,
    ATAN_THREE_HALVES_HI, ATAN_THREE_HALVES_LO, PI_HI, PI_LO, PIO2_HI, PIO2_LO, PIO4_HI,
};
use super::lane::{poly, select, truncate_low, two_sum};
use crate::vm::isa::Isa;

/// arctan of a >= 0 (or nan) as `(table value, rest)`, summing to the result; a = inf
/// gives pi/2. The split lets arctan2 subtract it from pi without a double rounding.
#[inline(always)]
fn atan_nonnegative<I: Isa>(a: f64) -> (f64, f64) {
    let r1 = a >= 0.4375;
    let r2 = a >= 0.6875;
    let r3 = a >= 1.1875;
    let r4 = a >= 2.4375 || a.is_nan(); // nan then stays nan through t
    let c = select(r3, 1.5, select(r2, 1.0, select(r1, 0.5, 0.0)));
    let num = select(r4, -1.0, a - c);
    let den = select(r4, a, 1.0 + c * a);
    let t = num / den;
    let hi = select(
        r4,
        PIO2_HI,
        select(
            r3,
            ATAN_THREE_HALVES_HI,
            select(r2, ATAN_ONE_HI, select(r1, ATAN_HALF_HI, 0.0)),
        ),
    );
    let lo = select(
        r4,
        PIO2_LO,
        select(
            r3,
            ATAN_THREE_HALVES_LO,
            select(r2, ATAN_ONE_LO, select(r1, ATAN_HALF_LO, 0.0)),
        ),
    );
    let z = t * t;
    let tail = t * z * poly::<I, _>(z, &ATAN_POLY);
    (hi, t + (tail + lo))
}

/// Inverse tangent.
#[inline(always)]
pub(crate) fn atan_f64<I: Isa>(x: f64) -> f64 {
    let (hi, rest) = atan_nonnegative::<I>(x.abs());
    let out = (hi + rest).copysign(x);
    select(x.is_nan(), x + x, out)
}

/// Two-argument inverse tangent: the angle of (x, y), in [-pi, pi].
#[inline(always)]
pub(crate) fn atan2_f64<I: Isa>(y: f64, x: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    let (hi, rest) = atan_nonnegative::<I>(ay / ax);
    // 0/0 and inf/inf are nan above; their angles are fixed.
    let both_zero = ax == 0.0 && ay == 0.0;
    let both_inf = ax == f64::INFINITY && ay == f64::INFINITY;
    let hi = select(both_zero, 0.0, select(both_inf, PIO4_HI, hi));
    let rest = select(both_zero, 0.0, select(both_inf, 0.5 * PIO2_LO, rest));
    // x < 0 (including -0) reflects the angle: pi - at, with pi - hi kept exact.
    let (d, d_err) = two_sum(PI_HI, -hi);
    let reflected = d + (d_err + (PI_LO - rest));
    let out = select(x.is_sign_negative(), reflected, hi + rest);
    select(x.is_nan() || y.is_nan(), x + y, out.copysign(y))
}

/// `(asin(s) - s)/s` for s = sqrt(z), z <= 1/4.
#[inline(always)]
fn asin_ratio<I: Isa>(z: f64) -> f64 {
    z * poly::<I, _>(z, &ASIN_POLY)
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

/// Inverse sine (nan beyond ±1).
#[inline(always)]
pub(crate) fn asin_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, a * a, 0.5 * (1.0 - a));
    let r = asin_ratio::<I>(z);
    let near_zero = a + a * r;
    let (s, df, c) = sqrt_split(z);
    let near_one = (PIO2_HI - 2.0 * df) + (PIO2_LO - 2.0 * (c + s * r));
    let out = select(small, near_zero, near_one).copysign(x);
    select(x.is_nan() || a > 1.0, f64::NAN, out)
}

/// Inverse cosine (nan beyond ±1).
#[inline(always)]
pub(crate) fn acos_f64<I: Isa>(x: f64) -> f64 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, x * x, 0.5 * (1.0 - a));
    let r = asin_ratio::<I>(z);
    // pi/2 - asin(x)
    let middle = PIO2_HI - (x - (PIO2_LO - x * r));
    let (s, df, c) = sqrt_split(z);
    // x > 1/2: 2 asin(sqrt((1-x)/2)); x < -1/2: pi - 2 asin(sqrt((1+x)/2)).
    let positive = 2.0 * (df + (c + s * r));
    let negative = (PI_HI - 2.0 * df) + (PI_LO - 2.0 * (c + s * r));
    let out = select(small, middle, select(x > 0.0, positive, negative));
    select(x.is_nan() || a > 1.0, f64::NAN, out)
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
