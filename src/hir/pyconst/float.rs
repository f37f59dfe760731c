//! CPython's float arithmetic where it is more than one IEEE operation.
//!
//! In: big integers and `f64`s. Out: `f64`s (or [`FoldError`]s) exactly as CPython 3.11 computes
//! them: correctly rounded int-to-float conversion and int true division, exact int/float
//! comparison, `float_divmod`'s floor division and modulo, and `float_pow` with its special
//! cases. Invariant: every result that CPython rounds once is rounded once here (no double
//! rounding through an intermediate `f64`).

use std::cmp::Ordering;

use num_bigint::{BigInt, BigUint, Sign};
use num_complex::Complex64;
use num_traits::{ToPrimitive, Zero};

use super::{FoldError, PyValue, complex};

/// Significand bits of an `f64`, the implicit one included.
const MANTISSA_BITS: i64 = 53;

/// Exponent of the least significant bit of the smallest subnormal `f64` (`5e-324 == 2**-1074`).
const MIN_LSB_EXP: i64 = -1074;

/// `2**k` for `-1022 <= k <= 1023`, built from its bit pattern so it is exact.
fn pow2(k: i64) -> f64 {
    debug_assert!((-1022..=1023).contains(&k));
    let biased = u64::try_from(k + 1023).unwrap_or(0);
    f64::from_bits(biased << 52)
}

/// `x * 2**e`, exact whenever the result is representable (it is, for the callers here:
/// `x` already has the precision the result's exponent allows). Steps of `2**±1000` keep
/// every intermediate representable: it has the result's significand and a larger exponent.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 && x.is_finite() {
        x *= pow2(1000);
        e -= 1000;
    }
    while e < -1000 && x != 0.0 {
        x *= pow2(-1000);
        e += 1000;
    }
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    x * pow2(e)
}

/// The `f64` nearest to `(m + d) * 2**exp` (ties to even), where `0 <= d < 1` and `d > 0`
/// exactly when `inexact`; infinity when it rounds to `2**1024` or beyond.
///
/// With `inexact`, `m` must have at least 55 bits (or the result be subnormal), so that at least
/// two bits are rounded away and `d` can only act as a sticky bit below the rounding bit.
fn round_scaled(m: &BigUint, exp: i64, inexact: bool) -> f64 {
    let Ok(nbits) = i64::try_from(m.bits()) else {
        return f64::INFINITY;
    };
    if nbits == 0 {
        return 0.0;
    }
    // The least significant bit the result can keep: 53 bits below the top, or the subnormal floor.
    let lsb = (nbits + exp - MANTISSA_BITS).max(MIN_LSB_EXP);
    let dropped = lsb - exp;
    if dropped <= 0 {
        // At most 53 bits: exact.
        let mantissa = m.to_u64().unwrap_or(0);
        return ldexp(mantissa as f64, exp);
    }
    let dropped_u = dropped.unsigned_abs();
    let kept: BigUint = m >> dropped_u;
    let mut mantissa = kept.to_u64().unwrap_or(0);
    let half = m.bit(dropped_u - 1);
    let below_half = inexact || m.trailing_zeros().is_some_and(|tz| tz < dropped_u - 1);
    if half && (below_half || mantissa & 1 == 1) {
        mantissa += 1;
    }
    ldexp(mantissa as f64, lsb)
}

/// `float(n)`: correctly rounded (ties to even), `OverflowError` beyond the `f64` range.
pub(super) fn int_to_f64(n: &BigInt) -> Result<f64, FoldError> {
    let magnitude = round_scaled(n.magnitude(), 0, false);
    if magnitude.is_infinite() {
        return Err(FoldError::Overflow(
            "int too large to convert to float".into(),
        ));
    }
    Ok(if n.sign() == Sign::Minus {
        -magnitude
    } else {
        magnitude
    })
}

/// `a / b` for ints: the correctly rounded quotient, like CPython's `long_true_divide`.
pub(super) fn int_true_div(a: &BigInt, b: &BigInt) -> Result<f64, FoldError> {
    if b.is_zero() {
        return Err(FoldError::ZeroDivision("division by zero".into()));
    }
    let negative = (a.sign() == Sign::Minus) != (b.sign() == Sign::Minus);
    let (num, den) = (a.magnitude(), b.magnitude());
    let magnitude = if num.is_zero() {
        0.0
    } else {
        // Scale the numerator so the integer quotient has at least 55 bits: 53 kept, one to
        // round on, and one more so that a nonzero remainder only ever acts as a sticky bit.
        let bits_num = i64::try_from(num.bits()).unwrap_or(i64::MAX);
        let bits_den = i64::try_from(den.bits()).unwrap_or(i64::MAX);
        let shift = (MANTISSA_BITS + 2 + bits_den - bits_num).max(0);
        let scaled: BigUint = num << shift.unsigned_abs();
        let quotient = &scaled / den;
        let remainder = &scaled % den;
        round_scaled(&quotient, -shift, !remainder.is_zero())
    };
    if magnitude.is_infinite() {
        return Err(FoldError::Overflow(
            "integer division result too large for a float".into(),
        ));
    }
    Ok(if negative { -magnitude } else { magnitude })
}

/// An int compared with a float exactly (`2**53 + 1 > 2.0**53`); `None` when `f` is NaN.
pub(super) fn cmp_int_float(n: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    // A finite f64 is `significand * 2**exponent` with an integer significand.
    let bits = f.to_bits();
    let biased = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let fraction = bits & ((1u64 << 52) - 1);
    let (significand, exponent) = if biased == 0 {
        (fraction, MIN_LSB_EXP)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    let mut exact = BigInt::from(significand);
    if f < 0.0 {
        exact = -exact;
    }
    Some(if exponent >= 0 {
        n.cmp(&(exact << exponent.unsigned_abs()))
    } else {
        (n << exponent.unsigned_abs()).cmp(&exact)
    })
}

/// CPython's `_float_div_mod`: `(x // y, x % y)` for a nonzero `y`, from `fmod` with the
/// remainder moved to the divisor's sign and the quotient snapped to an integer.
pub(super) fn float_div_mod(x: f64, y: f64) -> (f64, f64) {
    let mut rem = x % y;
    let mut div = (x - rem) / y;
    if rem != 0.0 {
        if (y < 0.0) != (rem < 0.0) {
            rem += y;
            div -= 1.0;
        }
    } else {
        rem = 0.0f64.copysign(y);
    }
    let floordiv = if div != 0.0 {
        let floor = div.floor();
        if div - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        0.0f64.copysign(x / y)
    };
    (floordiv, rem)
}

/// `x // y` for floats.
pub(super) fn float_floor_div(x: f64, y: f64) -> Result<f64, FoldError> {
    if y == 0.0 {
        return Err(FoldError::ZeroDivision(
            "float floor division by zero".into(),
        ));
    }
    Ok(float_div_mod(x, y).0)
}

/// `x % y` for floats (CPython's `float_rem`, which matches `float_div_mod`'s remainder).
pub(super) fn float_mod(x: f64, y: f64) -> Result<f64, FoldError> {
    if y == 0.0 {
        return Err(FoldError::ZeroDivision("float modulo by zero".into()));
    }
    Ok(float_div_mod(x, y).1)
}

/// C's `fmod(fabs(x), 2.0) == 1.0`.
fn is_odd_integer(x: f64) -> bool {
    x.abs() % 2.0 == 1.0
}

/// `x ** y` for floats: CPython's `float_pow`, including its special cases and its switch to
/// complex power for a negative base and a non-integer exponent.
pub(super) fn float_pow(x: f64, y: f64) -> Result<PyValue, FoldError> {
    let float = |v: f64| Ok(PyValue::Float(v));
    if y == 0.0 {
        return float(1.0);
    }
    if x.is_nan() {
        return float(x);
    }
    if y.is_nan() {
        return float(if x == 1.0 { 1.0 } else { y });
    }
    if y.is_infinite() {
        let base = x.abs();
        return float(if base == 1.0 {
            1.0
        } else if (y > 0.0) == (base > 1.0) {
            f64::INFINITY
        } else {
            0.0
        });
    }
    if x.is_infinite() {
        let odd = is_odd_integer(y);
        return float(match (y > 0.0, odd) {
            (true, true) => x,
            (true, false) => x.abs(),
            (false, true) => 0.0f64.copysign(x),
            (false, false) => 0.0,
        });
    }
    if x == 0.0 {
        if y < 0.0 {
            return Err(FoldError::ZeroDivision(
                "0.0 cannot be raised to a negative power".into(),
            ));
        }
        return float(if is_odd_integer(y) { x } else { 0.0 });
    }
    let mut base = x;
    let mut negate = false;
    if x < 0.0 {
        if y != y.floor() {
            return complex::complex_pow(Complex64::new(x, 0.0), Complex64::new(y, 0.0))
                .map(PyValue::Complex);
        }
        base = -x;
        negate = is_odd_integer(y);
    }
    if base == 1.0 {
        return float(if negate { -1.0 } else { 1.0 });
    }
    // Both finite, base positive and not 1: libm's pow, which CPython calls too. It only
    // reports ERANGE to CPython for an overflow (an underflow to 0 is forgiven).
    let result = base.powf(y);
    if result.is_infinite() {
        return Err(FoldError::Overflow(
            "(34, 'Numerical result out of range')".into(),
        ));
    }
    float(if negate { -result } else { result })
}
