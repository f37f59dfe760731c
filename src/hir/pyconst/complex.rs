//! CPython's complex arithmetic (`_Py_c_prod`, `_Py_c_quot`, `_Py_c_pow`, `complex_pow`).
//!
//! In: `Complex64` operands. Out: results bit-identical to CPython 3.11's on the same libm,
//! or the error CPython raises. CPython reports failures through `errno`; here `EDOM`
//! (a zero divisor, zero to a negative or complex power) is a `ZeroDivision` and an infinite
//! part of a power is an `Overflow`, which is what `complex_pow` makes of `errno`.

use num_complex::Complex64;

use super::FoldError;

/// `1 + 0j`.
const ONE: Complex64 = Complex64::new(1.0, 0.0);

/// `a * b` by the textbook formula (no special handling of infinities, as in CPython).
pub(super) fn prod(a: Complex64, b: Complex64) -> Complex64 {
    Complex64::new(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)
}

/// `a / b` by Smith's method as CPython does it; `None` for a zero divisor (`EDOM`).
pub(super) fn quot(a: Complex64, b: Complex64) -> Option<Complex64> {
    let abs_re = b.re.abs();
    let abs_im = b.im.abs();
    if abs_re >= abs_im {
        if abs_re == 0.0 {
            return None;
        }
        let ratio = b.im / b.re;
        let denom = b.re + b.im * ratio;
        Some(Complex64::new(
            (a.re + a.im * ratio) / denom,
            (a.im - a.re * ratio) / denom,
        ))
    } else if abs_im >= abs_re {
        let ratio = b.re / b.im;
        let denom = b.re * ratio + b.im;
        Some(Complex64::new(
            (a.re * ratio + a.im) / denom,
            (a.im * ratio - a.re) / denom,
        ))
    } else {
        // A NaN in the divisor.
        Some(Complex64::new(f64::NAN, f64::NAN))
    }
}

/// `a / b` as Python's `complex.__truediv__`.
pub(super) fn div(a: Complex64, b: Complex64) -> Result<Complex64, FoldError> {
    quot(a, b).ok_or_else(|| FoldError::ZeroDivision("complex division by zero".into()))
}

/// `x ** n` for `n >= 0` by binary powering (CPython's `c_powu`).
fn pow_unsigned(x: Complex64, n: u32) -> Complex64 {
    let mut result = ONE;
    let mut power = x;
    let mut mask = 1u32;
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            result = prod(result, power);
        }
        mask <<= 1;
        power = prod(power, power);
    }
    result
}

/// `a ** b` by the polar formula (CPython's `_Py_c_pow`); `None` where CPython sees `EDOM`:
/// zero to a negative or complex power, or an infinite phase (`(1+2j) ** inf`).
fn pow_polar(a: Complex64, b: Complex64) -> Option<Complex64> {
    if b.re == 0.0 && b.im == 0.0 {
        return Some(ONE);
    }
    if a.re == 0.0 && a.im == 0.0 {
        if b.im != 0.0 || b.re < 0.0 {
            return None;
        }
        return Some(Complex64::new(0.0, 0.0));
    }
    let modulus = a.re.hypot(a.im);
    let mut len = modulus.powf(b.re);
    let angle = a.im.atan2(a.re);
    let mut phase = angle * b.re;
    if b.im != 0.0 {
        len /= (angle * b.im).exp();
        phase += b.im * modulus.ln();
    }
    if phase.is_infinite() {
        // libm's cos and sin of an infinity set EDOM, which CPython reports as this error.
        return None;
    }
    Some(Complex64::new(len * phase.cos(), len * phase.sin()))
}

/// `a ** b` as Python's `complex.__pow__`: small integer exponents (`|n| <= 100`, zero
/// imaginary part) by repeated squaring, a negative one as `1 / a**|n|`; others by the polar
/// formula.
pub(super) fn complex_pow(a: Complex64, b: Complex64) -> Result<Complex64, FoldError> {
    let small_integer = b.im == 0.0 && b.re == b.re.floor() && b.re.abs() <= 100.0;
    let result = if small_integer {
        // |b.re| <= 100 and integral, so the conversion is exact.
        let n = b.re as i32;
        if n >= 0 {
            Some(pow_unsigned(a, n.unsigned_abs()))
        } else {
            quot(ONE, pow_unsigned(a, n.unsigned_abs()))
        }
    } else {
        pow_polar(a, b)
    };
    match result {
        None => Err(FoldError::ZeroDivision(
            "0.0 to a negative or complex power".into(),
        )),
        Some(p) if p.re.is_infinite() || p.im.is_infinite() => {
            Err(FoldError::Overflow("complex exponentiation".into()))
        }
        Some(p) => Ok(p),
    }
}
