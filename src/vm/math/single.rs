//! Native f32 lanes for the most used functions (exp, log, sin, cos), and f32 wrappers
//! that compute the others in f64.
//!
//! In: f32 values; out: f32 results. The native lanes use f32 arithmetic and i32 bit
//! manipulation, so an AVX2 vector carries 8 of them (twice the f64 lanes) and the
//! polynomials are shorter (fitted for f32 by `tools/math_coefficients.py f32`). Methods
//! are those of the f64 versions: Cody-Waite reduction by ln2 and a minimax polynomial
//! for exp; the fdlibm `s = f/(2+f)` form for log; for sin/cos the argument is reduced in
//! f64 (three 33-bit pieces of pi/2, exact products, valid for |x| <= 2^20, the same
//! `trig::FAST_MAX`) and rounded once to f32, then f32 polynomials. Lanes beyond that range
//! are patched by the slice drivers with the f64 Payne-Hanek path.
//! Every other function is `f(x as f64) as f32` (see the parent module's notes).

use super::consts::{PIO2_C1, PIO2_C2, PIO2_C3, TWO_OVER_PI};
use super::consts_f32::{
    COS_POLY_F32, EXPM1_POLY_F32, LN2_HI_F32, LN2_LO_F32, LOG_POLY_F32, LOG2_E_F32, SIN_POLY_F32,
};
use super::lane::round_int;
use super::trig::tan_f64_lane;
use super::{
    acos_f64, acosh_f64, asin_f64, asinh_f64, atan_f64, atanh_f64, cos_f64, cosh_f64, expm1_f64,
    log1p_f64, log2_f64, log10_f64, sin_f64, sinh_f64, tan_f64, tanh_f64,
};
use crate::vm::isa::Isa;

/// 1.5 * 2^23: adding it rounds |x| < 2^22 to an integer in the low mantissa bits.
const ROUND_MAGIC_F32: f32 = 12_582_912.0;
/// Bit pattern of [`ROUND_MAGIC_F32`].
const ROUND_MAGIC_F32_BITS: i32 = 0x4b40_0000;

/// `if c { a } else { b }` as a blend.
#[inline(always)]
fn select(c: bool, a: f32, b: f32) -> f32 {
    if c { a } else { b }
}

/// `a * b + c`, fused exactly when the ISA has FMA.
#[inline(always)]
fn mul_add<I: Isa>(a: f32, b: f32, c: f32) -> f32 {
    if I::FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Polynomial in two Horner chains in x^2 (see `lane::poly`).
#[inline(always)]
fn poly<I: Isa, const N: usize>(x: f32, coefs: &[f32; N]) -> f32 {
    const { assert!(N >= 2) };
    let x2 = x * x;
    let (n_even, n_odd) = (N.div_ceil(2), N / 2);
    let mut even = coefs[2 * (n_even - 1)];
    for k in (0..n_even - 1).rev() {
        even = mul_add::<I>(even, x2, coefs[2 * k]);
    }
    let mut odd = coefs[2 * n_odd - 1];
    for k in (0..n_odd - 1).rev() {
        odd = mul_add::<I>(odd, x2, coefs[2 * k + 1]);
    }
    mul_add::<I>(odd, x, even)
}

/// 2^n for n in [-126, 127], built in the exponent field.
#[inline(always)]
fn pow2(n: i32) -> f32 {
    f32::from_bits((n.wrapping_add(127) as u32) << 23)
}

/// `p * 2^n` for n in [-252, 254], in two steps (one rounding for subnormal results).
#[inline(always)]
fn scale(p: f32, n: i32) -> f32 {
    let half = n >> 1;
    p * pow2(half) * pow2(n.wrapping_sub(half))
}

/// e^x in f32.
#[inline(always)]
pub(crate) fn exp_f32<I: Isa>(x: f32) -> f32 {
    let xc = select(x > 100.0, 100.0, select(x < -110.0, -110.0, x));
    let shifted = xc * LOG2_E_F32 + ROUND_MAGIC_F32;
    let n = shifted - ROUND_MAGIC_F32;
    let ni = (shifted.to_bits() as i32).wrapping_sub(ROUND_MAGIC_F32_BITS);
    let r_hi = xc - n * LN2_HI_F32; // exact: |n| < 2^8, LN2_HI_F32 has 16 bits
    let r_lo = n * LN2_LO_F32;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY_F32), 0.5);
    scale(1.0 + (r + mul_add::<I>(r_err, 1.0 + r, q)), ni)
}

/// Natural logarithm in f32.
#[inline(always)]
pub(crate) fn log_f32<I: Isa>(x: f32) -> f32 {
    const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
    let subnormal = x < f32::MIN_POSITIVE;
    let xs = select(subnormal, x * 33_554_432.0, x); // * 2^25
    let bits = xs.to_bits() as i32;
    let ki = bits.wrapping_sub(SQRT_HALF_BITS) >> 23;
    let f = f32::from_bits(bits.wrapping_sub(ki << 23) as u32) - 1.0;
    let k = ki as f32 - select(subnormal, 25.0, 0.0);
    let s = f / (2.0 + f);
    let w = s * s;
    let r = w * poly::<I, _>(w, &LOG_POLY_F32);
    let hfsq = 0.5 * f * f;
    let out = k * LN2_HI_F32 - ((hfsq - (s * (hfsq + r) + k * LN2_LO_F32)) - f);
    let out = select(x == f32::INFINITY, f32::INFINITY, out);
    let out = select(x == 0.0, f32::NEG_INFINITY, out);
    let out = select(x < 0.0, f32::NAN, out);
    select(x.is_nan(), x + x, out)
}

/// `(quadrant, r)` with x = quadrant * pi/2 + r, reduced in f64 (|x| <= FAST_MAX).
#[inline(always)]
fn reduce(x: f32) -> (i32, f32) {
    let x = f64::from(x);
    let xc = select64(x.abs() <= super::trig::FAST_MAX, x, 0.0);
    let (n, ni) = round_int(xc * TWO_OVER_PI);
    let r = ((xc - n * PIO2_C1) - n * PIO2_C2) - n * PIO2_C3;
    (ni as i32, r as f32)
}

/// f64 select for the reduction.
#[inline(always)]
fn select64(c: bool, a: f64, b: f64) -> f64 {
    if c { a } else { b }
}

/// `(sin r, cos r)` for |r| <= ~pi/4 in f32.
#[inline(always)]
fn sin_cos_kernel<I: Isa>(r: f32) -> (f32, f32) {
    let z = r * r;
    let sin = mul_add::<I>(r * z, poly::<I, _>(z, &SIN_POLY_F32), r);
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let cos = w + (((1.0 - w) - hz) + z * z * poly::<I, _>(z, &COS_POLY_F32));
    (sin, cos)
}

/// Lane sine in f32, valid for |x| <= FAST_MAX and non-finite x.
#[inline(always)]
pub(crate) fn sin_f32_lane<I: Isa>(x: f32) -> f32 {
    let (q, r) = reduce(x);
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(q & 1 == 0, s, c);
    let v = select(q & 2 == 0, v, -v);
    let v = select(x.is_finite(), v, f32::NAN);
    select(x == 0.0, x, v)
}

/// Lane cosine in f32, valid for |x| <= FAST_MAX and non-finite x.
#[inline(always)]
pub(crate) fn cos_f32_lane<I: Isa>(x: f32) -> f32 {
    let (q, r) = reduce(x);
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(q & 1 == 0, c, s);
    let v = select(q.wrapping_add(1) & 2 == 0, v, -v);
    select(x.is_finite(), v, f32::NAN)
}

/// Declares `name_f32(x) = name_f64(x as f64) as f32` wrappers.
macro_rules! via_f64 {
    ($($f32:ident => $f64:ident;)*) => {
        $(
            #[doc = concat!("f32 through [`", stringify!($f64), "`], rounded once.")]
            #[inline(always)]
            pub(crate) fn $f32<I: Isa>(x: f32) -> f32 {
                $f64::<I>(f64::from(x)) as f32
            }
        )*
    };
}

via_f64! {
    sin_f32 => sin_f64;
    cos_f32 => cos_f64;
    tan_f32_lane => tan_f64_lane;
    tan_f32 => tan_f64;
    expm1_f32 => expm1_f64;
    log1p_f32 => log1p_f64;
    log2_f32 => log2_f64;
    log10_f32 => log10_f64;
    asin_f32 => asin_f64;
    acos_f32 => acos_f64;
    atan_f32 => atan_f64;
    sinh_f32 => sinh_f64;
    cosh_f32 => cosh_f64;
    tanh_f32 => tanh_f64;
    asinh_f32 => asinh_f64;
    acosh_f32 => acosh_f64;
    atanh_f32 => atanh_f64;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn native_f32_special_values() {
        type Lane = fn(f32) -> f32;
        let pairs: [(Lane, Lane); 2] = [
            (exp_f32::<Baseline>, log_f32::<Baseline>),
            (exp_f32::<Avx2>, log_f32::<Avx2>),
        ];
        for (exp, log) in pairs {
            assert_eq!(exp(0.0), 1.0);
            assert_eq!(exp(f32::NEG_INFINITY), 0.0);
            assert_eq!(exp(f32::INFINITY), f32::INFINITY);
            assert_eq!(exp(89.0), f32::INFINITY);
            assert_eq!(exp(-103.5), f32::from_bits(1)); // nearest to e^-103.5 ~ 1.0e-45
            assert_eq!(exp(-104.0), 0.0);
            assert!(exp(f32::NAN).is_nan());
            assert_eq!(log(1.0), 0.0);
            assert_eq!(log(0.0), f32::NEG_INFINITY);
            assert!(log(-1.0).is_nan() && log(f32::NAN).is_nan());
            assert_eq!(log(f32::INFINITY), f32::INFINITY);
            assert_eq!(log(f32::from_bits(1)), -103.27893);
        }
        type B = Baseline;
        assert_eq!(sin_f32_lane::<B>(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(cos_f32_lane::<B>(-0.0), 1.0);
        assert!(sin_f32_lane::<B>(f32::INFINITY).is_nan() && cos_f32_lane::<B>(f32::NAN).is_nan());
    }
}
