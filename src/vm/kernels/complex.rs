//! Complex element functions of the VM (scalar: complex kernels are not vectorised).
//!
//! Arithmetic is numexpr's own definition, which is the language's: division is the textbook
//! formula (so `z / 0` is `nan+nanj`, as numexpr gives), `**` follows numexpr's `nc_pow`
//! (integral real exponents below 100 by repeated squaring; `0 ** w` is 0 and `z ** 0` is 1),
//! `abs` is `|z| + 0j` and `sign` is `z / |z|`.
//!
//! The elementary functions (`sqrt`, `exp`, `log`, the trigonometric and hyperbolic functions
//! and their inverses) are the reference evaluator's (`vm::reference::complex`): principal
//! branches as C99 and NumPy define them, signed zeros choosing the side of a branch cut,
//! and formulas that neither overflow nor cancel for large or small arguments. Both engines
//! evaluate them one element at a time, so there is nothing to gain from a second version;
//! `num_complex`'s, used before, overflowed to inf/nan for large arguments (`sqrt` near
//! `f64::MAX`, `tan` of a large imaginary part, `arcsinh(1e200)`), found by the eval_diff
//! fuzz target.

use crate::vm::reference::complex as reference;
use crate::vm::value::c128;

/// `a * b`, the textbook product.
#[inline(always)]
pub(crate) fn mul(a: c128, b: c128) -> c128 {
    c128::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// `a / b` by the textbook formula (numexpr's).
#[inline(always)]
pub(crate) fn div(a: c128, b: c128) -> c128 {
    let d = b.re * b.re + b.im * b.im;
    c128::new(
        (a.re * b.re + a.im * b.im) / d,
        (a.im * b.re - a.re * b.im) / d,
    )
}

/// `a ** b` by numexpr's rules.
pub(crate) fn pow(a: c128, b: c128) -> c128 {
    if b.re == 0.0 && b.im == 0.0 {
        return c128::new(1.0, 0.0);
    }
    if a.re == 0.0 && a.im == 0.0 {
        return c128::new(0.0, 0.0);
    }
    if b.im == 0.0 && b.re == b.re.trunc() && b.re.abs() < 100.0 {
        let mut n = b.re.abs() as u32;
        let (mut acc, mut p) = (c128::new(1.0, 0.0), a);
        while n > 0 {
            if n & 1 == 1 {
                acc = mul(acc, p);
            }
            n >>= 1;
            if n > 0 {
                p = mul(p, p);
            }
        }
        return if b.re < 0.0 {
            div(c128::new(1.0, 0.0), acc)
        } else {
            acc
        };
    }
    exp(mul(log(a), b))
}

/// `z / |z|`, 0 for 0, nan+nanj for nan.
pub(crate) fn sign(z: c128) -> c128 {
    if z.re.is_nan() || z.im.is_nan() {
        return c128::new(f64::NAN, f64::NAN);
    }
    let m = z.re.hypot(z.im);
    if m == 0.0 {
        c128::new(0.0, 0.0)
    } else {
        c128::new(z.re / m, z.im / m)
    }
}

/// Declares each VM element function as a call of the reference's.
macro_rules! from_reference {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("`", stringify!($name), "` (principal branch; the reference's).")]
        #[inline]
        pub(crate) fn $name(z: c128) -> c128 {
            reference::$name(z)
        }
    )*};
}

from_reference!(
    sqrt, exp, log, log1p, expm1, sin, cos, tan, sinh, cosh, tanh, asin, acos, atan, asinh, acosh,
    atanh,
);

/// `log10(z)`.
pub(crate) fn log10(z: c128) -> c128 {
    log(z) * std::f64::consts::LOG10_E
}

/// `log2(z)`.
pub(crate) fn log2(z: c128) -> c128 {
    log(z) * std::f64::consts::LOG2_E
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: c128, b: c128) -> bool {
        (a - b).norm() <= 1e-14 * b.norm().max(1.0)
    }

    #[test]
    fn division_and_powers_follow_numexpr() {
        let z = div(c128::new(1.0, 2.0), c128::new(3.0, -4.0));
        // (1+2j)/(3-4j) = (1+2j)(3+4j)/25 = (-5+10j)/25
        assert!(close(z, c128::new(-0.2, 0.4)));
        let inf = div(c128::new(1.0, 1.0), c128::new(0.0, 0.0));
        assert!(inf.re.is_nan() && inf.im.is_nan());
        assert_eq!(
            pow(c128::new(0.0, 0.0), c128::new(-1.0, 0.0)),
            c128::new(0.0, 0.0)
        );
        assert_eq!(
            pow(c128::new(5.0, 1.0), c128::new(0.0, 0.0)),
            c128::new(1.0, 0.0)
        );
        // (1+1j)**2 = 2j; (1+1j)**-2 = 1/(2j) = -0.5j
        assert!(close(
            pow(c128::new(1.0, 1.0), c128::new(2.0, 0.0)),
            c128::new(0.0, 2.0)
        ));
        assert!(close(
            pow(c128::new(1.0, 1.0), c128::new(-2.0, 0.0)),
            c128::new(0.0, -0.5)
        ));
        // i**0.5 = (1+i)/sqrt(2)
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!(close(
            pow(c128::new(0.0, 1.0), c128::new(0.5, 0.0)),
            c128::new(h, h)
        ));
    }

    #[test]
    fn small_arguments_keep_their_accuracy() {
        let z = c128::new(1e-10, 1e-10);
        let l = log1p(z);
        // log(1+z) = z - z²/2 + ...; z² = 2e-20 j, so re ≈ 1e-10, im ≈ 1e-10 - 1e-20.
        assert!((l.re - 1e-10).abs() < 1e-24 && (l.im - (1e-10 - 1e-20)).abs() < 1e-24);
        let e = expm1(z);
        assert!((e.re - 1e-10).abs() < 1e-24 && (e.im - (1e-10 + 1e-20)).abs() < 1e-24);
    }

    #[test]
    fn sign_and_logs() {
        assert!(close(sign(c128::new(3.0, 4.0)), c128::new(0.6, 0.8)));
        assert_eq!(sign(c128::new(0.0, 0.0)), c128::new(0.0, 0.0));
        assert!(close(log10(c128::new(100.0, 0.0)), c128::new(2.0, 0.0)));
        assert!(close(
            log2(c128::new(0.0, 8.0)),
            c128::new(3.0, std::f64::consts::FRAC_PI_2 * std::f64::consts::LOG2_E)
        ));
    }
}
