//! The elementary functions of complex128, built on this module's real lanes.
//!
//! In: one complex number. Out: the principal value, as C99 (Annex G) and NumPy define it:
//! branch cuts on the axes with signed zeros choosing the side, the same infinities and
//! NaNs as the reference evaluator (`vm::reference::complex`, the independent oracle these
//! are tested against; they share no code). Formulas that neither overflow nor cancel:
//! `log1p`/`expm1` and `|z|` near 1 through log1p/expm1 of the parts, Kahan's forms of the
//! inverse functions ("Branch cuts for complex elementary functions", 1987) and of `tanh`,
//! a scaled square root. Real parts come from `exp_f64`, `sin_f64`, `log1p_f64`, ... at
//! high precision (`I` picks the FMA variant), so every part is within a few ulps where the
//! formula is well conditioned.
//!
//! These are scalar functions (the complex kernels run element by element); the real
//! lanes they call are the vectorised ones, inlined.

use num_complex::Complex64 as C;

use super::{
    asinh_f64, atan2_f64, cos_f64, cosh_f64, exp_f64, expm1_f64, hypot_f64, log_f64, log1p_f64,
    sin_f64, sinh_f64, tan_f64,
};
use crate::vm::isa::Isa;

/// `a * b` where a zero times an infinity is a zero of the product's sign (the limit along
/// an axis): `exp(inf + 0j)` stays `inf + 0j`, not `inf + nanj`.
#[inline(always)]
fn mul_limit(a: f64, b: f64) -> f64 {
    let p = a * b;
    let zero_inf = (a == 0.0 && b.is_infinite()) || (b == 0.0 && a.is_infinite());
    if zero_inf {
        f64::from_bits((a.to_bits() ^ b.to_bits()) & (1 << 63))
    } else {
        p
    }
}

/// `i z` and its inverse, for the functions defined through their relatives.
#[inline(always)]
fn times_i(z: C) -> C {
    C::new(-z.im, z.re)
}

#[inline(always)]
fn times_minus_i(z: C) -> C {
    C::new(z.im, -z.re)
}

/// 2^k for an exponent k in the normal range.
const fn two_pow(k: i32) -> f64 {
    f64::from_bits(((1023 + k) as u64) << 52)
}

/// The principal square root: real part >= 0, the imaginary part's sign that of `im z`.
#[inline(always)]
pub(crate) fn sqrt<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y.is_infinite() {
        return C::new(f64::INFINITY, y);
    }
    if x.is_infinite() {
        return if x > 0.0 {
            C::new(x, if y.is_nan() { y } else { 0.0f64.copysign(y) })
        } else {
            C::new(if y.is_nan() { y } else { 0.0 }, f64::INFINITY.copysign(y))
        };
    }
    if x == 0.0 && y == 0.0 {
        return C::new(0.0, y);
    }
    // sqrt((|x| + |z|)/2) after scaling by an even power of two, so that the sum neither
    // overflows nor loses the bits of subnormal parts.
    let m = x.abs().max(y.abs());
    let (down, up) = if m > two_pow(1000) {
        (two_pow(-4), two_pow(2))
    } else if m < two_pow(-1000) {
        (two_pow(600), two_pow(-300))
    } else {
        (1.0, 1.0)
    };
    let (xs, ys) = (x * down, y * down);
    let w = (0.5 * (xs.abs() + hypot_f64::<I>(xs, ys))).sqrt();
    let other = 0.5 * ys.abs() / w; // |y| / (2w)
    if x >= 0.0 {
        C::new(w * up, (other * up).copysign(y))
    } else {
        C::new(other * up, (w * up).copysign(y))
    }
}

/// `ln|z|`, accurate where |z| is near 1: there `ln|z| = log1p((a - 1)(a + 1) + b^2)/2`
/// with a >= b the parts' magnitudes (the product is exact enough: a - 1 is exact).
#[inline(always)]
fn ln_abs<I: Isa>(x: f64, y: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    let (a, b) = if ax >= ay { (ax, ay) } else { (ay, ax) };
    if (0.7..1.4).contains(&a) && b < 0.7 {
        0.5 * log1p_f64::<I>((a - 1.0) * (a + 1.0) + b * b)
    } else {
        log_f64::<I>(hypot_f64::<I>(x, y))
    }
}

/// The principal logarithm: `ln|z| + i arg z`, arg in [-pi, pi].
#[inline(always)]
pub(crate) fn log<I: Isa>(z: C) -> C {
    C::new(ln_abs::<I>(z.re, z.im), atan2_f64::<I>(z.im, z.re))
}

/// `log(1 + z)`, accurate near 0 (`ln|1 + z| = log1p(x(2 + x) + y^2)/2` there).
#[inline(always)]
pub(crate) fn log1p<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    let re = if x.abs() < 0.5 && y.abs() < 0.5 {
        0.5 * log1p_f64::<I>(x * (2.0 + x) + y * y)
    } else {
        ln_abs::<I>(1.0 + x, y)
    };
    C::new(re, atan2_f64::<I>(y, 1.0 + x))
}

/// `log10 z`.
#[inline(always)]
pub(crate) fn log10<I: Isa>(z: C) -> C {
    log::<I>(z) * std::f64::consts::LOG10_E
}

/// `log2 z`.
#[inline(always)]
pub(crate) fn log2<I: Isa>(z: C) -> C {
    log::<I>(z) * std::f64::consts::LOG2_E
}

/// `e^z`, exact on the real axis, with `e^x` halved and applied twice where it alone would
/// overflow but the parts need not.
#[inline(always)]
pub(crate) fn exp<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y == 0.0 {
        return C::new(exp_f64::<I>(x), y);
    }
    let (c, s) = (cos_f64::<I>(y), sin_f64::<I>(y));
    if x > 709.0 {
        let h = exp_f64::<I>(0.5 * x);
        return C::new(h * c * h, h * s * h);
    }
    let e = exp_f64::<I>(x);
    C::new(mul_limit(e, c), mul_limit(e, s))
}

/// `e^z - 1`, accurate near 0: `Re = expm1(x) cos y - 2 sin^2(y/2)` (no cancellation of
/// `e^x cos y - 1`).
#[inline(always)]
pub(crate) fn expm1<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y == 0.0 {
        return C::new(expm1_f64::<I>(x), y);
    }
    let h = sin_f64::<I>(0.5 * y);
    let re = expm1_f64::<I>(x) * cos_f64::<I>(y) - 2.0 * h * h;
    C::new(re, mul_limit(exp_f64::<I>(x), sin_f64::<I>(y)))
}

/// `sin z = sin x cosh y + i cos x sinh y`.
#[inline(always)]
pub(crate) fn sin<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(
        mul_limit(sin_f64::<I>(x), cosh_f64::<I>(y)),
        mul_limit(cos_f64::<I>(x), sinh_f64::<I>(y)),
    )
}

/// `cos z = cos x cosh y - i sin x sinh y`.
#[inline(always)]
pub(crate) fn cos<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(
        mul_limit(cos_f64::<I>(x), cosh_f64::<I>(y)),
        -mul_limit(sin_f64::<I>(x), sinh_f64::<I>(y)),
    )
}

/// `sinh z = sinh x cos y + i cosh x sin y`.
#[inline(always)]
pub(crate) fn sinh<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(
        mul_limit(sinh_f64::<I>(x), cos_f64::<I>(y)),
        mul_limit(cosh_f64::<I>(x), sin_f64::<I>(y)),
    )
}

/// `cosh z = cosh x cos y + i sinh x sin y`.
#[inline(always)]
pub(crate) fn cosh<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(
        mul_limit(cosh_f64::<I>(x), cos_f64::<I>(y)),
        mul_limit(sinh_f64::<I>(x), sin_f64::<I>(y)),
    )
}

/// `tanh z` in Kahan's form: with `t = tan y`, `s = sinh x`, `b = 1 + t^2`,
/// `tanh z = (b s sqrt(1 + s^2) + i t) / (1 + b s^2)`; beyond |x| = 22 the real part is
/// ±1 and the imaginary part `4 sin y cos y e^(-2|x|)`.
#[inline(always)]
pub(crate) fn tanh<I: Isa>(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if x.is_nan() {
        return C::new(x, if y == 0.0 { y } else { x });
    }
    if x.is_infinite() {
        let sign = if y.is_finite() {
            sin_f64::<I>(2.0 * y)
        } else {
            1.0
        };
        return C::new(1.0f64.copysign(x), 0.0f64.copysign(sign));
    }
    if !y.is_finite() {
        return C::new(if x == 0.0 { x } else { f64::NAN }, f64::NAN);
    }
    if x.abs() > 22.0 {
        let e = exp_f64::<I>(-2.0 * x.abs());
        let im = 4.0 * sin_f64::<I>(y) * cos_f64::<I>(y) * e;
        return C::new(1.0f64.copysign(x), im);
    }
    let t = tan_f64::<I>(y);
    let b = 1.0 + t * t;
    let s = sinh_f64::<I>(x);
    let rho = (1.0 + s * s).sqrt();
    let den = 1.0 + b * s * s;
    C::new(b * rho * s / den, t / den)
}

/// `tan z = -i tanh(i z)`.
#[inline(always)]
pub(crate) fn tan<I: Isa>(z: C) -> C {
    times_minus_i(tanh::<I>(times_i(z)))
}

/// `(sqrt(1 - z), sqrt(1 + z))` with a real 1, so that a zero imaginary part keeps its sign.
#[inline(always)]
fn roots_one_minus_plus<I: Isa>(z: C) -> (C, C) {
    (
        sqrt::<I>(C::new(1.0 - z.re, -z.im)),
        sqrt::<I>(C::new(1.0 + z.re, z.im)),
    )
}

/// `arcsin z` (Kahan): `atan(x / Re(sqrt(1-z) sqrt(1+z))) + i asinh(Im(conj(sqrt(1-z))
/// sqrt(1+z)))`.
#[inline(always)]
pub(crate) fn asin<I: Isa>(z: C) -> C {
    let (a, b) = roots_one_minus_plus::<I>(z);
    C::new(
        atan2_f64::<I>(z.re, a.re * b.re - a.im * b.im),
        asinh_f64::<I>(a.re * b.im - a.im * b.re),
    )
}

/// `arccos z` (Kahan): `2 atan(Re sqrt(1-z) / Re sqrt(1+z)) + i asinh(Im(conj(sqrt(1+z))
/// sqrt(1-z)))`.
#[inline(always)]
pub(crate) fn acos<I: Isa>(z: C) -> C {
    let (a, b) = roots_one_minus_plus::<I>(z);
    C::new(
        2.0 * atan2_f64::<I>(a.re, b.re),
        asinh_f64::<I>(b.re * a.im - b.im * a.re),
    )
}

/// `arccosh z` (Kahan): `asinh(Re(conj(sqrt(z-1)) sqrt(z+1))) + i 2 atan(Im sqrt(z-1) /
/// Re sqrt(z+1))`.
#[inline(always)]
pub(crate) fn acosh<I: Isa>(z: C) -> C {
    let a = sqrt::<I>(C::new(z.re - 1.0, z.im));
    let b = sqrt::<I>(C::new(z.re + 1.0, z.im));
    C::new(
        asinh_f64::<I>(a.re * b.re + a.im * b.im),
        2.0 * atan2_f64::<I>(a.im, b.re),
    )
}

/// `arcsinh z = -i arcsin(i z)`.
#[inline(always)]
pub(crate) fn asinh<I: Isa>(z: C) -> C {
    times_minus_i(asin::<I>(times_i(z)))
}

/// `arctanh z` for `Re z >= 0` (odd symmetry gives the rest, signed zeros included):
/// `log1p(4x / ((1-x)^2 + y^2))/4 + i atan2(2y, (1-x)(1+x) - y^2)/2`; where the denominator
/// underflows (z next to 1) the real part is `(ln|1+z| - ln|1-z|)/2`, where it overflows
/// `x/|z|^2`.
#[inline(always)]
pub(crate) fn atanh<I: Isa>(z: C) -> C {
    let flip = z.re.is_sign_negative();
    let (x, y) = if flip { (-z.re, -z.im) } else { (z.re, z.im) };
    let d = (1.0 - x) * (1.0 - x) + y * y;
    let re = if d < two_pow(-960) {
        0.5 * (ln_abs::<I>(1.0 + x, y) - ln_abs::<I>(1.0 - x, y))
    } else if d == f64::INFINITY {
        let m = hypot_f64::<I>(x, y);
        x / m / m
    } else {
        0.25 * log1p_f64::<I>(4.0 * x / d)
    };
    // Beyond 1e300, 2y could overflow; the angle is pi/2 there (also for a nan real part,
    // as the reference has it).
    let im = if y.abs() > 1e300 {
        std::f64::consts::FRAC_PI_2.copysign(y)
    } else {
        0.5 * atan2_f64::<I>(2.0 * y, (1.0 - x) * (1.0 + x) - y * y)
    };
    if flip {
        C::new(-re, -im)
    } else {
        C::new(re, im)
    }
}

/// `arctan z = -i arctanh(i z)`.
#[inline(always)]
pub(crate) fn atan<I: Isa>(z: C) -> C {
    times_minus_i(atanh::<I>(times_i(z)))
}
