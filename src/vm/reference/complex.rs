//! Element functions of complex128, and the tables that pick one per [`Fun`].
//!
//! In: a `Fun`. Out: `Some(fn)` when complex numbers have that operation. Arithmetic follows
//! numexpr exactly (textbook product, the naive quotient `((ar*br + ai*bi)/d, (ai*br -
//! ar*bi)/d)` with `d = br² + bi²`, so `z / 0` is `nan+nanj`, and numexpr's `pow` rules).
//! The elementary functions take the principal branches of C99 and NumPy, with signed zeros
//! choosing the side of a branch cut, and use formulas that stay accurate where numexpr's
//! lose digits: `log1p` and `expm1` near 0, Kahan's formulas for the inverse functions
//! ("Branch cuts for complex elementary functions", 1987), which neither cancel nor overflow
//! for large arguments, and Kahan's form of `tanh`.

use num_complex::Complex64 as C;

use super::scalar::f64_ops;
use crate::hir::Fun;

/// The operations with a complex result of one complex operand.
pub(crate) fn unary(fun: Fun) -> Option<fn(C) -> C> {
    let f: fn(C) -> C = match fun {
        Fun::Neg => |z| C::new(-z.re, -z.im),
        Fun::OnesLike => |_| C::new(1.0, 0.0),
        Fun::Conj => |z| C::new(z.re, -z.im),
        Fun::Abs => |z| C::new(z.re.hypot(z.im), 0.0),
        Fun::Round => |z| C::new(z.re.round_ties_even(), z.im.round_ties_even()),
        Fun::Sign => sign,
        Fun::Sqrt => sqrt,
        Fun::Log => log,
        Fun::Log10 => |z| scale(log(z), std::f64::consts::LOG10_E),
        Fun::Log2 => |z| scale(log(z), std::f64::consts::LOG2_E),
        Fun::Log1p => log1p,
        Fun::Exp => exp,
        Fun::Expm1 => expm1,
        Fun::Sin => sin,
        Fun::Cos => cos,
        Fun::Tan => tan,
        Fun::Sinh => sinh,
        Fun::Cosh => cosh,
        Fun::Tanh => tanh,
        Fun::Arcsin => asin,
        Fun::Arccos => acos,
        Fun::Arctan => atan,
        Fun::Arcsinh => asinh,
        Fun::Arccosh => acosh,
        Fun::Arctanh => atanh,
        _ => return None,
    };
    Some(f)
}

/// The binary operations with a complex result.
pub(crate) fn binary(fun: Fun) -> Option<fn(C, C) -> C> {
    let f: fn(C, C) -> C = match fun {
        Fun::Add => |a, b| C::new(a.re + b.re, a.im + b.im),
        Fun::Sub => |a, b| C::new(a.re - b.re, a.im - b.im),
        Fun::Mul => mul,
        Fun::Div => div,
        Fun::Pow => pow,
        _ => return None,
    };
    Some(f)
}

/// The parts: `real` and `imag`.
pub(crate) fn part(fun: Fun) -> Option<fn(C) -> f64> {
    let f: fn(C) -> f64 = match fun {
        Fun::Real => |z| z.re,
        Fun::Imag => |z| z.im,
        _ => return None,
    };
    Some(f)
}

/// The predicates (NumPy's: NaN or infinite if either part is, finite if both are).
pub(crate) fn test(fun: Fun) -> Option<fn(C) -> bool> {
    let f: fn(C) -> bool = match fun {
        Fun::IsNan => |z| z.re.is_nan() || z.im.is_nan(),
        Fun::IsFinite => |z| z.re.is_finite() && z.im.is_finite(),
        Fun::IsInf => |z| z.re.is_infinite() || z.im.is_infinite(),
        _ => return None,
    };
    Some(f)
}

/// The textbook product `(ar*br - ai*bi, ar*bi + ai*br)`.
pub(crate) fn mul(a: C, b: C) -> C {
    C::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// numexpr's naive quotient (no scaling: dividing by zero gives `nan+nanj`).
pub(crate) fn div(a: C, b: C) -> C {
    let d = b.re * b.re + b.im * b.im;
    C::new(
        (a.re * b.re + a.im * b.im) / d,
        (a.im * b.re - a.re * b.im) / d,
    )
}

/// numexpr's `pow`: `a ** 0` is 1 and `0 ** b` is 0 (before anything else); a whole real
/// exponent below 100 in magnitude is repeated squaring (then the naive reciprocal when it
/// is negative); anything else is `exp(b * log(a))`.
pub(crate) fn pow(a: C, b: C) -> C {
    if b.re == 0.0 && b.im == 0.0 {
        return C::new(1.0, 0.0);
    }
    if a.re == 0.0 && a.im == 0.0 {
        return C::new(0.0, 0.0);
    }
    if b.im == 0.0 && b.re.fract() == 0.0 && b.re.abs() < 100.0 {
        // Whole and below 100 in magnitude, so the conversion is exact.
        let n = b.re.abs() as u32;
        let (mut acc, mut power, mut mask) = (C::new(1.0, 0.0), a, 1u32);
        loop {
            if n & mask != 0 {
                acc = mul(acc, power);
            }
            mask <<= 1;
            if n < mask {
                break;
            }
            power = mul(power, power);
        }
        return if b.re < 0.0 {
            div(C::new(1.0, 0.0), acc)
        } else {
            acc
        };
    }
    exp(mul(log(a), b))
}

/// `z * k` for a real `k`.
fn scale(z: C, k: f64) -> C {
    C::new(z.re * k, z.im * k)
}

/// `a * b`, except that zero times infinity is a zero (with the sign of the product): the
/// limit along an axis, which keeps `sinh(inf+0j)` at `inf+0j` instead of `inf+nanj`.
fn times(a: f64, b: f64) -> f64 {
    if (a == 0.0 && b.is_infinite()) || (b == 0.0 && a.is_infinite()) {
        0.0f64.copysign(a) * 1.0f64.copysign(b)
    } else {
        a * b
    }
}

/// `z / |z|`; 0 for 0; `nan+nanj` when either part is NaN.
fn sign(z: C) -> C {
    if z.re.is_nan() || z.im.is_nan() {
        return C::new(f64::NAN, f64::NAN);
    }
    let m = z.re.hypot(z.im);
    if m == 0.0 {
        C::new(0.0, 0.0)
    } else {
        C::new(z.re / m, z.im / m)
    }
}

/// The principal square root (real part >= 0; the sign of the imaginary part follows the
/// argument's, -0 included).
pub(crate) fn sqrt(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y.is_infinite() {
        return C::new(f64::INFINITY, y);
    }
    if x == f64::INFINITY {
        return C::new(x, if y.is_nan() { y } else { 0.0f64.copysign(y) });
    }
    if x == f64::NEG_INFINITY {
        let re = if y.is_nan() { y } else { 0.0 };
        return C::new(re, f64::INFINITY.copysign(y));
    }
    if x == 0.0 && y == 0.0 {
        return C::new(0.0, y);
    }
    // Scale by an even power of two so that `|x| + |z|` neither overflows nor underflows.
    let big = x.abs().max(y.abs());
    let (pre, post) = if big > 1e300 {
        (0.25, 2.0)
    } else if big < 1e-300 {
        (2f64.powi(600), 2f64.powi(-300))
    } else {
        (1.0, 1.0)
    };
    let (x, y) = (x * pre, y * pre);
    let t = ((x.abs() + x.hypot(y)) * 0.5).sqrt();
    let (re, im) = if x >= 0.0 {
        (t, y / (2.0 * t))
    } else {
        (y.abs() / (2.0 * t), t.copysign(y))
    };
    C::new(re * post, im * post)
}

/// The principal logarithm `ln|z| + i arg z` (imaginary part in [-π, π]); near `|z| = 1`
/// the real part is `½ log1p((a-1)(a+1) + b²)` (`a >= b` the parts' magnitudes), which keeps
/// its digits where `ln(hypot)` would round to 0.
pub(crate) fn log(z: C) -> C {
    let (x, y) = (z.re, z.im);
    let m = x.hypot(y);
    let re = if (0.5..2.0).contains(&m) {
        let (a, b) = (x.abs().max(y.abs()), x.abs().min(y.abs()));
        0.5 * ((a - 1.0) * (a + 1.0) + b * b).ln_1p()
    } else {
        m.ln()
    };
    C::new(re, y.atan2(x))
}

/// `log(1 + z)`, accurate near 0: there `ln|1+z| = ½ log1p(x(2+x) + y²)`.
pub(crate) fn log1p(z: C) -> C {
    let (x, y) = (z.re, z.im);
    let re = if x.abs() < 0.5 && y.abs() < 0.5 {
        0.5 * (x * (2.0 + x) + y * y).ln_1p()
    } else {
        (1.0 + x).hypot(y).ln()
    };
    C::new(re, y.atan2(1.0 + x))
}

/// `e^z`; exact on the real axis; scaled so that `e^x cos y` does not overflow early.
pub(crate) fn exp(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y == 0.0 {
        return C::new(x.exp(), y);
    }
    if x > 709.0 {
        // e^x alone overflows; e^(x/2) twice may not.
        let h = (x / 2.0).exp();
        return C::new(h * y.cos() * h, h * y.sin() * h);
    }
    let e = x.exp();
    C::new(times(e, y.cos()), times(e, y.sin()))
}

/// `e^z - 1`, accurate near 0: `Re = expm1(x) cos y - 2 sin²(y/2)`.
pub(crate) fn expm1(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if y == 0.0 {
        return C::new(x.exp_m1(), y);
    }
    let s = (y / 2.0).sin();
    C::new(x.exp_m1() * y.cos() - 2.0 * s * s, times(x.exp(), y.sin()))
}

/// `sin z = sin x cosh y + i cos x sinh y`.
pub(crate) fn sin(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(times(x.sin(), y.cosh()), times(x.cos(), y.sinh()))
}

/// `cos z = cos x cosh y - i sin x sinh y`.
pub(crate) fn cos(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(times(x.cos(), y.cosh()), -times(x.sin(), y.sinh()))
}

/// `sinh z = sinh x cos y + i cosh x sin y`.
pub(crate) fn sinh(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(times(x.sinh(), y.cos()), times(x.cosh(), y.sin()))
}

/// `cosh z = cosh x cos y + i sinh x sin y`.
pub(crate) fn cosh(z: C) -> C {
    let (x, y) = (z.re, z.im);
    C::new(times(x.cosh(), y.cos()), times(x.sinh(), y.sin()))
}

/// `tanh z`, by Kahan's formula: with `t = tan y`, `s = sinh x`, `β = 1 + t²`,
/// `tanh z = (β s √(1+s²) + i t) / (1 + β s²)`; for `|x| > 22`, `±1 + i 4 sin y cos y e^-2|x|`.
pub(crate) fn tanh(z: C) -> C {
    let (x, y) = (z.re, z.im);
    if x.is_nan() {
        return C::new(x, if y == 0.0 { y } else { x });
    }
    if x.is_infinite() {
        let im_sign = if y.is_finite() { (2.0 * y).sin() } else { 1.0 };
        return C::new(1.0f64.copysign(x), 0.0f64.copysign(im_sign));
    }
    if !y.is_finite() {
        return C::new(if x == 0.0 { x } else { f64::NAN }, f64::NAN);
    }
    if x.abs() > 22.0 {
        let e = (-x.abs()).exp();
        return C::new(1.0f64.copysign(x), 4.0 * y.sin() * y.cos() * e * e);
    }
    let t = y.tan();
    let beta = 1.0 + t * t;
    let s = x.sinh();
    let rho = (1.0 + s * s).sqrt();
    let denom = 1.0 + beta * s * s;
    C::new(beta * rho * s / denom, t / denom)
}

/// `tan z = -i tanh(i z)`.
pub(crate) fn tan(z: C) -> C {
    let w = tanh(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}

/// `arcsin z` (Kahan): `atan(x / Re(√(1-z) √(1+z))) + i asinh(Im(conj(√(1-z)) √(1+z)))`.
pub(crate) fn asin(z: C) -> C {
    let (x, y) = (z.re, z.im);
    // `1 - z` and `1 + z` with a real 1, so a zero imaginary part keeps its sign.
    let s1 = sqrt(C::new(1.0 - x, -y));
    let s2 = sqrt(C::new(1.0 + x, y));
    C::new(
        x.atan2(s1.re * s2.re - s1.im * s2.im),
        f64_ops::asinh(s1.re * s2.im - s1.im * s2.re),
    )
}

/// `arccos z` (Kahan): `2 atan(Re √(1-z) / Re √(1+z)) + i asinh(Im(conj(√(1+z)) √(1-z)))`.
pub(crate) fn acos(z: C) -> C {
    let (x, y) = (z.re, z.im);
    let s1 = sqrt(C::new(1.0 - x, -y));
    let s2 = sqrt(C::new(1.0 + x, y));
    C::new(
        2.0 * s1.re.atan2(s2.re),
        f64_ops::asinh(s2.re * s1.im - s2.im * s1.re),
    )
}

/// `arccosh z` (Kahan): `asinh(Re(conj(√(z-1)) √(z+1))) + i 2 atan(Im √(z-1) / Re √(z+1))`.
pub(crate) fn acosh(z: C) -> C {
    let (x, y) = (z.re, z.im);
    let s1 = sqrt(C::new(x - 1.0, y));
    let s2 = sqrt(C::new(x + 1.0, y));
    C::new(
        f64_ops::asinh(s1.re * s2.re + s1.im * s2.im),
        2.0 * s1.im.atan2(s2.re),
    )
}

/// `arcsinh z = -i arcsin(i z)`.
pub(crate) fn asinh(z: C) -> C {
    let w = asin(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}

/// `arctanh z`, for `x >= 0` (odd symmetry gives the rest, signed zeros included):
/// `¼ log1p(4x / ((1-x)² + y²)) + i ½ atan2(2y, (1-x)(1+x) - y²)`, with the real part taken
/// as `½ (ln|1+z| - ln|1-z|)` where the denominator underflows (next to 1) and as `x / |z|²`
/// where it overflows.
pub(crate) fn atanh(z: C) -> C {
    // For x < 0 the argument of log1p would approach -1 and cancel: use atanh(-z) = -atanh(z).
    let flip = z.re.is_sign_negative();
    let (x, y) = if flip { (-z.re, -z.im) } else { (z.re, z.im) };
    let d = (1.0 - x) * (1.0 - x) + y * y;
    let re = if d < 1e-290 {
        0.5 * ((1.0 + x).hypot(y).ln() - (1.0 - x).hypot(y).ln())
    } else if d == f64::INFINITY {
        let m = x.hypot(y);
        x / m / m
    } else {
        0.25 * (4.0 * x / d).ln_1p()
    };
    let im = if y.abs() > 1e300 {
        std::f64::consts::FRAC_PI_2.copysign(y)
    } else {
        0.5 * (2.0 * y).atan2((1.0 - x) * (1.0 + x) - y * y)
    };
    if flip {
        C::new(-re, -im)
    } else {
        C::new(re, im)
    }
}

/// `arctan z = -i arctanh(i z)`.
pub(crate) fn atan(z: C) -> C {
    let w = atanh(C::new(-z.im, z.re));
    C::new(w.im, -w.re)
}
