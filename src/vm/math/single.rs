//! The f32 lanes: native f32 arithmetic for most functions, `f(x as f64) as f32` for a few.
//!
//! In: f32 values; out: f32 results. The native lanes use f32 arithmetic and i32 bit
//! manipulation, so an AVX2 vector carries 8 of them (twice the f64 lanes), with
//! polynomials fitted for f32 (`tools/math_coefficients.py f32`), and the methods of the
//! f64 lanes: Cody-Waite reduction by ln2 and the double-single `hi + lo` of expm1 (exp,
//! expm1, tanh), e^a and e^-a from one polynomial's even and odd parts (sinh, cosh), the
//! fdlibm `s = f/(2+f)` form with the rounding error of `1 + x` (log, log1p), three ranges
//! and one division (arctan, arctan2), fdlibm's arcsin/arccos with a split square root,
//! log2/log10 through `log(1 + f)` as hi + lo, the inverse hyperbolic functions through
//! the log1p core.
//! sin, cos and tan reduce the argument in f32 with FMA: four f32 pieces of pi/2,
//! `x - n*P1` exact, the remainder as `hi + lo` (valid for |x| <= [`F32_TRIG_MAX`]; the
//! slice drivers patch larger arguments with the f64 functions), then the sine and cosine
//! polynomials on [-pi/4, pi/4]; without FMA they reduce in f64 (three 33-bit pieces of
//! pi/2) and round once. pow (in the parent module) computes in f64 and rounds once.

use super::consts::{PIO2_C1, PIO2_C2, PIO2_C3, TWO_OVER_PI};
use super::consts_f32::{
    ASIN_POLY_F32, ATAN_POLY_F32, COS_POLY_F32, EXPM1_POLY_F32, INV_LN2_HI_F32, INV_LN2_LO_F32,
    INV_LN10_HI_F32, INV_LN10_LO_F32, LN2_HI_F32, LN2_LO_F32, LOG_POLY_F32, LOG2_E_F32,
    LOG10_2_HI_F32, LOG10_2_LO_F32, PI_A_F32, PI_B_F32, PIO2_A_F32, PIO2_B_F32, PIO2_C_F32,
    PIO2_D_F32, SIN_POLY_F32, TWO_OVER_PI_F32,
};
use super::lane::round_int;
use super::trig::tan_f64_lane;
use super::{cos_f64, sin_f64, tan_f64};
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
    let (even, odd) = poly_split32::<I, N>(x, coefs);
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
fn sin_f32_lane<I: Isa>(x: f32) -> f32 {
    let (q, r) = reduce(x);
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(q & 1 == 0, s, c);
    let v = select(q & 2 == 0, v, -v);
    let v = select(x.is_finite(), v, f32::NAN);
    select(x == 0.0, x, v)
}

/// Lane cosine in f32, valid for |x| <= FAST_MAX and non-finite x.
#[inline(always)]
fn cos_f32_lane<I: Isa>(x: f32) -> f32 {
    let (q, r) = reduce(x);
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(q & 1 == 0, c, s);
    let v = select(q.wrapping_add(1) & 2 == 0, v, -v);
    select(x.is_finite(), v, f32::NAN)
}

// ---- f32 building blocks beyond the ones above ------------------------------------------

/// Round to the nearest integer (ties to even) for |x| < 2^22: `(as f32, as i32)`.
#[inline(always)]
fn round_int32(x: f32) -> (f32, i32) {
    let shifted = x + ROUND_MAGIC_F32;
    let ni = (shifted.to_bits() as i32).wrapping_sub(ROUND_MAGIC_F32_BITS);
    (shifted - ROUND_MAGIC_F32, ni)
}

/// Knuth's TwoSum in f32.
#[inline(always)]
fn two_sum32(a: f32, b: f32) -> (f32, f32) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// Dekker's Fast2Sum in f32 (|a| >= |b| or a == 0).
#[inline(always)]
fn fast_two_sum32(a: f32, b: f32) -> (f32, f32) {
    let s = a + b;
    (s, b - (s - a))
}

/// The two Horner chains of [`poly`] apart (see `lane::poly_split`).
#[inline(always)]
fn poly_split32<I: Isa, const N: usize>(x: f32, coefs: &[f32; N]) -> (f32, f32) {
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
    (even, odd)
}

/// `x` with its low 12 mantissa bits cleared: a value whose square is exact in f32.
#[inline(always)]
fn truncate_low32(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & 0xffff_f000)
}

/// `x = 2^k (1 + f)` with `1 + f` in [sqrt2/2, sqrt2), for positive finite x (subnormals
/// pre-scaled); garbage, but no trap, for other x.
#[inline(always)]
fn log_split32(x: f32) -> (f32, f32) {
    const SQRT_HALF_BITS: i32 = 0x3f35_04f3;
    let subnormal = x < f32::MIN_POSITIVE;
    let xs = select(subnormal, x * 33_554_432.0, x); // * 2^25
    let bits = xs.to_bits() as i32;
    let ki = bits.wrapping_sub(SQRT_HALF_BITS) >> 23;
    let f = f32::from_bits(bits.wrapping_sub(ki << 23) as u32) - 1.0;
    (ki as f32 - select(subnormal, 25.0, 0.0), f)
}

// ---- sin, cos, tan: the argument reduced in f32 -----------------------------------------

/// Largest |x| the f32 trig lanes reduce (|n| < 2^15 keeps the 96 bits of pi in four
/// pieces ample and the remainder within the polynomials' intervals); the slice drivers
/// patch larger finite arguments with the f64 functions.
pub(crate) const F32_TRIG_MAX: f32 = 65_536.0;

/// True for the f32 lanes the trig lanes cannot reduce.
#[inline(always)]
pub(crate) fn needs_slow_path_f32(x: f32) -> bool {
    let a = x.abs();
    a > F32_TRIG_MAX && a < f32::INFINITY
}

/// A period in four f32 pieces and its inverse.
struct Period32 {
    inv: f32,
    a: f32,
    b: f32,
    c: f32,
    d: f32,
}

/// pi/2: sin, cos and tan reduce by it.
const HALF_PI32: Period32 = Period32 {
    inv: TWO_OVER_PI_F32,
    a: PIO2_A_F32,
    b: PIO2_B_F32,
    c: PIO2_C_F32,
    d: PIO2_D_F32,
};

/// `x = n p + hi + lo` (FMA only; the trig module's argument applies: x - n*a is exact on
/// the common grid of x and n*a, n*b is split exactly, one TwoSum).
#[inline(always)]
fn reduce32(x: f32, p: &Period32) -> (i32, f32, f32) {
    let (n, ni) = round_int32(x * p.inv);
    let r1 = (-n).mul_add(p.a, x);
    let t = n * p.b;
    let t_err = n.mul_add(p.b, -t);
    let (hi, e) = two_sum32(r1, -t);
    let lo = (-n).mul_add(p.d, (-n).mul_add(p.c, e - t_err));
    (ni, hi, lo)
}

/// The reduction of `fast` precision (FMA only): the remainder rounded.
#[inline(always)]
fn reduce32_fast(x: f32, p: &Period32) -> (i32, f32) {
    let (n, ni) = round_int32(x * p.inv);
    let r = (-n).mul_add(p.a, x);
    let r = (-n).mul_add(p.b, r);
    (ni, (-n).mul_add(p.c, r))
}

/// `(n, sin r, cos r)` for `x = n pi/2 + r` (FMA only). In f32 one sine polynomial on
/// [-pi/2, pi/2] (as the f64 lanes use) loses up to 2 ulps next to ±1, so both
/// polynomials on [-pi/4, pi/4] are evaluated (cos compensated as fdlibm's kernel).
#[inline(always)]
fn sin_cos32<I: Isa, const FAST: bool>(x: f32) -> (i32, f32, f32) {
    let (n, hi, lo) = if FAST {
        let (n, r) = reduce32_fast(x, &HALF_PI32);
        (n, r, 0.0)
    } else {
        reduce32(x, &HALF_PI32)
    };
    let z = hi * hi;
    let s = hi + (hi * z * poly::<I, _>(z, &SIN_POLY_F32) + lo * mul_add::<I>(-0.5, z, 1.0));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let c = w + (((1.0 - w) - hz) + (z * z * poly::<I, _>(z, &COS_POLY_F32) - hi * lo));
    (n, s, c)
}

/// Sine lane in f32, valid for |x| <= F32_TRIG_MAX and non-finite x (`FAST`: the rounded
/// remainder alone). Without FMA, the remainder comes from the f64 reduction.
#[inline(always)]
fn sin32<I: Isa, const FAST: bool>(x: f32) -> f32 {
    if !I::FMA {
        return sin_f32_lane::<I>(x);
    }
    let (n, s, c) = sin_cos32::<I, FAST>(x);
    let v = select(n & 1 == 0, s, c);
    let v = select(n & 2 == 0, v, -v);
    select(x == 0.0, x, v)
}

/// Cosine lane in f32 (as [`sin32`]).
#[inline(always)]
fn cos32<I: Isa, const FAST: bool>(x: f32) -> f32 {
    if !I::FMA {
        return cos_f32_lane::<I>(x);
    }
    let (n, s, c) = sin_cos32::<I, FAST>(x);
    let v = select(n & 1 == 0, c, s);
    select(n.wrapping_add(1) & 2 == 0, v, -v)
}

/// Tangent lane in f32 (as [`sin32`], the full reduction in both precisions: the rounded
/// one costs tan 2 ulps): sin/cos or -cos/sin, one division.
#[inline(always)]
fn tan32<I: Isa>(x: f32) -> f32 {
    if !I::FMA {
        return tan_f64_lane::<I>(f64::from(x)) as f32;
    }
    let (n, s, c) = sin_cos32::<I, false>(x);
    let odd = n & 1 == 1;
    let out = select(odd, -c, s) / select(odd, s, c);
    select(x == 0.0, x, out)
}

// ---- the exponential family -----------------------------------------------------------

/// `(n, hi, lo)` with `e^x = 2^n (1 + hi + lo)` for |x| <= 100: Cody-Waite by ln2 with the
/// rounding error of r folded into lo.
#[inline(always)]
fn exp_parts32<I: Isa>(x: f32) -> (i32, f32, f32) {
    let xc = select(x > 100.0, 100.0, select(x < -100.0, -100.0, x));
    let (n, ni) = round_int32(xc * LOG2_E_F32);
    let r_hi = xc - n * LN2_HI_F32; // exact: |n| < 2^8, LN2_HI_F32 has 16 bits
    let r_lo = n * LN2_LO_F32;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let q = r * r * mul_add::<I>(r, poly::<I, _>(r, &EXPM1_POLY_F32), 0.5);
    let (hi, lo) = fast_two_sum32(r, q);
    (ni, hi, mul_add::<I>(r_err, 1.0 + r, lo))
}

/// e^x - 1 for |x| <= 80 from the parts (the f64 lane's method in f32).
#[inline(always)]
fn expm1_moderate32<I: Isa, const FAST: bool>(x: f32) -> f32 {
    let (n, hi, lo) = exp_parts32::<I>(x);
    let s = pow2(n); // garbage beyond |x| = 87, where callers select another value
    if FAST {
        return mul_add::<I>(s, hi + lo, s - 1.0);
    }
    let (u, v) = fast_two_sum32(s - 1.0, s * hi);
    u + (v + s * lo)
}

/// e^x - 1 in f32.
#[inline(always)]
fn expm1_32<I: Isa, const FAST: bool>(x: f32) -> f32 {
    let moderate = expm1_moderate32::<I, FAST>(x);
    // Beyond 80 it is e^x (overflowing correctly), below -20 exactly -1 after rounding.
    let out = select(x > 80.0, exp_f32::<I>(x), select(x < -20.0, -1.0, moderate));
    select(x == 0.0, x, out)
}

/// `(n, E, O)`: e^a = 2^n (1 + E + O), e^-a = 2^-n (1 + E - O), a in [0, 100].
#[inline(always)]
fn exp_pair32<I: Isa>(a: f32) -> (i32, f32, f32) {
    let ac = select(a > 100.0, 100.0, a);
    let (n, ni) = round_int32(ac * LOG2_E_F32);
    let r_hi = ac - n * LN2_HI_F32;
    let r_lo = n * LN2_LO_F32;
    let r = r_hi - r_lo;
    let r_err = (r_hi - r) - r_lo;
    let z = r * r;
    let (pe, po) = poly_split32::<I, _>(r, &EXPM1_POLY_F32);
    let odd = mul_add::<I>(r * z, pe, r) + r_err;
    let even = z * mul_add::<I>(z, po, 0.5);
    (ni, even, odd)
}

/// `(2^(n-1) - 2^(-n-1), 2^(n-1) + 2^(-n-1))` for |n| <= 125.
#[inline(always)]
fn half_sum_diff32(n: i32) -> (f32, f32) {
    let up = pow2(n.wrapping_sub(1));
    let down = pow2((-n).wrapping_sub(1));
    (up - down, up + down)
}

/// Hyperbolic sine in f32 (the f64 lane's division-free method).
#[inline(always)]
fn sinh32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let (n, even, odd) = exp_pair32::<I>(a);
    let (d, s) = half_sum_diff32(n);
    let moderate = mul_add::<I>(d, even, mul_add::<I>(s, odd, d));
    let large = scale(1.0 + (even + odd), n - 1);
    select(a <= 86.0, moderate, large).copysign(x)
}

/// Hyperbolic cosine in f32.
#[inline(always)]
fn cosh32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let (n, even, odd) = exp_pair32::<I>(a);
    let (d, s) = half_sum_diff32(n);
    let moderate = mul_add::<I>(s, even, mul_add::<I>(d, odd, s));
    let large = scale(1.0 + (even + odd), n - 1);
    select(a <= 86.0, moderate, large)
}

/// Hyperbolic tangent in f32: `t/(t + 2)` or `1 - 2/(t + 2)` with `t = expm1(2|x|)`.
#[inline(always)]
fn tanh32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let t = expm1_moderate32::<I, false>(select(a > 10.0, 10.0, 2.0 * a));
    let out = select(a < 0.55, t / (t + 2.0), 1.0 - 2.0 / (t + 2.0));
    select(a > 10.0, 1.0, out).copysign(x)
}

// ---- log1p ------------------------------------------------------------------------------

/// `k ln2 + log(1 + f) + c` in f32 (the f64 core's form).
#[inline(always)]
fn log_core32<I: Isa>(k: f32, f: f32, c: f32) -> f32 {
    let s = f / (2.0 + f);
    let w = s * s;
    let r = w * poly::<I, _>(w, &LOG_POLY_F32);
    let hfsq = 0.5 * f * f;
    k * LN2_HI_F32 - ((hfsq - (s * (hfsq + r) + (k * LN2_LO_F32 + c))) - f)
}

/// log(1 + x) in f32, accurate near 0: the rounding error of `1 + x` folded in as c.
#[inline(always)]
fn log1p32<I: Isa>(x: f32) -> f32 {
    let (k, f, c) = log1p_parts32(x);
    let out = log_specials32(1.0 + x, log_core32::<I>(k, f, c));
    let out = select(x == f32::INFINITY, f32::INFINITY, out);
    select(x == 0.0 || x.is_nan(), x + x, out)
}

/// `(k, f, c)` for log1p: `log(1 + x) = k ln2 + log(1 + f) + c` (`c` the rounding error of
/// `1 + x`, relative).
#[inline(always)]
fn log1p_parts32(x: f32) -> (f32, f32, f32) {
    let (u, err) = two_sum32(1.0, x);
    let (k, f) = log_split32(u);
    let in_range = k == 0.0;
    (k, select(in_range, x, f), select(in_range, 0.0, err / u))
}

/// The log family's special results: x <= 0, +inf, nan.
#[inline(always)]
fn log_specials32(x: f32, out: f32) -> f32 {
    let out = select(x == f32::INFINITY, f32::INFINITY, out);
    let out = select(x == 0.0, f32::NEG_INFINITY, out);
    let out = select(x < 0.0, f32::NAN, out);
    select(x.is_nan(), x + x, out)
}

/// `(hi, lo)`: log(1 + f) with hi holding 12 significant bits (the f64 lanes' method).
#[inline(always)]
fn log1pf_hi_lo32<I: Isa>(f: f32) -> (f32, f32) {
    let s = f / (2.0 + f);
    let w = s * s;
    let r = w * poly::<I, _>(w, &LOG_POLY_F32);
    let hfsq = 0.5 * f * f;
    let hi = truncate_low32(f - hfsq);
    let lo = (f - hi) - hfsq + s * (hfsq + r);
    (hi, lo)
}

/// Base-2 logarithm in f32 (exact at powers of two).
#[inline(always)]
fn log2_32<I: Isa>(x: f32) -> f32 {
    let (k, f) = log_split32(x);
    let (hi, lo) = log1pf_hi_lo32::<I>(f);
    let val_hi = hi * INV_LN2_HI_F32; // exact: 12 bits times 12 bits
    let val_lo = (lo + hi) * INV_LN2_LO_F32 + lo * INV_LN2_HI_F32;
    let w = k + val_hi;
    let val_lo = val_lo + ((k - w) + val_hi);
    log_specials32(x, val_lo + w)
}

/// Base-10 logarithm in f32.
#[inline(always)]
fn log10_32<I: Isa>(x: f32) -> f32 {
    let (k, f) = log_split32(x);
    let (hi, lo) = log1pf_hi_lo32::<I>(f);
    let val_hi = hi * INV_LN10_HI_F32;
    let y = k * LOG10_2_HI_F32; // exact
    let val_lo = k * LOG10_2_LO_F32 + (lo + hi) * INV_LN10_LO_F32 + lo * INV_LN10_HI_F32;
    let w = y + val_hi;
    let val_lo = val_lo + ((y - w) + val_hi);
    log_specials32(x, val_lo + w)
}

/// Inverse hyperbolic sine in f32 (the f64 lane's three ranges).
#[inline(always)]
fn asinh32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let a2 = a * a;
    let small = a <= 2.0;
    let huge = a > 4096.0; // sqrt(a^2 + 1) = a in f32 (and a^2 may overflow)
    let v = a + a2 / (1.0 + (1.0 + a2).sqrt());
    let w = select(huge, a, 2.0 * a + 1.0 / ((a2 + 1.0).sqrt() + a));
    let (k1, f1, c1) = log1p_parts32(v);
    let (k2, f2) = log_split32(w);
    let k = select(small, k1, k2 + select(huge, 1.0, 0.0));
    let out = log_core32::<I>(k, select(small, f1, f2), select(small, c1, 0.0));
    let out = select(a == f32::INFINITY, a, out);
    select(a == 0.0 || x.is_nan(), x + x, out.copysign(x))
}

/// Inverse hyperbolic cosine in f32 (nan below 1).
#[inline(always)]
fn acosh32<I: Isa>(x: f32) -> f32 {
    let small = x <= 2.0;
    let huge = x > 4096.0;
    let t = x - 1.0;
    let v = t + (2.0 * t + t * t).sqrt();
    let w = select(huge, x, 2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt()));
    let (k1, f1, c1) = log1p_parts32(v);
    let (k2, f2) = log_split32(w);
    let k = select(small, k1, k2 + select(huge, 1.0, 0.0));
    let out = log_core32::<I>(k, select(small, f1, f2), select(small, c1, 0.0));
    let out = select(x == f32::INFINITY, x, out);
    let out = select(x == 1.0, 0.0, out);
    select(x < 1.0 || x.is_nan(), f32::NAN, out)
}

/// Inverse hyperbolic tangent in f32.
#[inline(always)]
fn atanh32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let v = select(
        a < 0.5,
        2.0 * a + 2.0 * a * a / (1.0 - a),
        2.0 * a / (1.0 - a),
    );
    let (k, f, c) = log1p_parts32(v);
    let out = 0.5 * log_core32::<I>(k, f, c);
    let out = select(a == 1.0, f32::INFINITY, out);
    let out = select(a > 1.0 || x.is_nan(), f32::NAN, out);
    select(a == 0.0, x, out.copysign(x))
}

/// sqrt(x^2 + y^2) in f32: scaled by a power of two chosen from the larger argument, one
/// fused sum, one correctly rounded square root; inf if either is infinite.
#[inline(always)]
fn hypot32<I: Isa>(x: f32, y: f32) -> f32 {
    // Beyond 2^50 scale by 2^-90, below 2^-50 by 2^90: the larger square then lies in
    // [2^-118, 2^80], normal and finite.
    let p2 = |k: i32| f32::from_bits(((127 + k) as u32) << 23);
    let (ax, ay) = (x.abs(), y.abs());
    let a = select(ax > ay, ax, ay);
    let big = a > p2(50);
    let small = a < p2(-50);
    let down = select(big, p2(-90), select(small, p2(90), 1.0));
    let up = select(big, p2(90), select(small, p2(-90), 1.0));
    let (xs, ys) = (ax * down, ay * down);
    let out = mul_add::<I>(xs, xs, ys * ys).sqrt() * up;
    select(
        ax == f32::INFINITY || ay == f32::INFINITY,
        f32::INFINITY,
        out,
    )
}

// ---- inverse trigonometric --------------------------------------------------------------

/// tan(pi/8) and tan(3pi/8) rounded to f32.
const TAN_PI_8_F32: f32 = 0.414_213_57;
const TAN_3PI_8_F32: f32 = 2.414_213_7;

/// `(c_hi, rest)`: atan(num/den) + c, c in {0, pi/4, pi/2} by `mid`/`big`.
#[inline(always)]
fn atan_reduced32<I: Isa>(num: f32, den: f32, mid: bool, big: bool) -> (f32, f32) {
    let t = num / den;
    let hi = select(big, PIO2_A_F32, select(mid, 0.5 * PIO2_A_F32, 0.0));
    let lo = select(big, PIO2_B_F32, select(mid, 0.5 * PIO2_B_F32, 0.0));
    let z = t * t;
    let tail = t * z * poly::<I, _>(z, &ATAN_POLY_F32);
    (hi, t + (tail + lo))
}

/// Inverse tangent in f32 (three ranges, one division).
#[inline(always)]
fn atan32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let big = a > TAN_3PI_8_F32;
    let mid = a > TAN_PI_8_F32;
    let num = select(big, -1.0, select(mid, a - 1.0, a));
    let den = select(big, a, select(mid, a + 1.0, 1.0));
    let (hi, rest) = atan_reduced32::<I>(num, den, mid, big);
    (hi + rest).copysign(x)
}

/// Two-argument inverse tangent in f32 (the f64 lane's method: one quotient of |y| and
/// |x|, scaled into [2^-100, 2^100) first, the special table by selects).
#[inline(always)]
fn atan2_32<I: Isa>(y: f32, x: f32) -> f32 {
    const TWO_100: f32 = 1.267_650_6e30;
    const TWO_M100: f32 = 7.888_609e-31;
    let (ax, ay) = (x.abs(), y.abs());
    let huge = ax >= TWO_100 || ay >= TWO_100;
    let tiny = ax < TWO_M100 && ay < TWO_M100;
    let k = select(
        huge,
        1.0 / 1_099_511_627_776.0,
        select(tiny, 1_099_511_627_776.0, 1.0),
    );
    let (sx, sy) = (ax * k, ay * k); // exact: powers of two (2^-40, 2^40)
    let big = sy > TAN_3PI_8_F32 * sx;
    let mid = sy > TAN_PI_8_F32 * sx;
    let num = select(big, -sx, select(mid, sy - sx, sy));
    let den = select(big, sy, select(mid, sy + sx, sx));
    let (hi, rest) = atan_reduced32::<I>(num, den, mid, big);
    let both_zero = ax == 0.0 && ay == 0.0;
    let both_inf = ax == f32::INFINITY && ay == f32::INFINITY;
    let hi = select(both_zero, 0.0, select(both_inf, 0.5 * PIO2_A_F32, hi));
    let rest = select(both_zero, 0.0, select(both_inf, 0.5 * PIO2_B_F32, rest));
    let (d, d_err) = two_sum32(PI_A_F32, -hi);
    let reflected = d + (d_err + (PI_B_F32 - rest));
    let out = select(x.is_sign_negative(), reflected, hi + rest).copysign(y);
    select(x.is_nan() || y.is_nan(), x + y, out)
}

/// `(s, df, c)`: s = sqrt(z) ~ df + c, df with 12 significant bits (square exact).
#[inline(always)]
fn sqrt_split32(z: f32) -> (f32, f32, f32) {
    let s = z.sqrt();
    let df = truncate_low32(s);
    let c = select(s == 0.0, 0.0, (z - df * df) / (s + df));
    (s, df, c)
}

/// Inverse sine in f32 (the f64 lane's method).
#[inline(always)]
fn asin32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, a * a, 0.5 * (1.0 - a));
    let r = z * poly::<I, _>(z, &ASIN_POLY_F32);
    let near_zero = a + a * r;
    let (s, df, c) = sqrt_split32(z);
    let near_one = (PIO2_A_F32 - 2.0 * df) + (PIO2_B_F32 - 2.0 * (c + s * r));
    select(small, near_zero, near_one).copysign(x)
}

/// Inverse cosine in f32.
#[inline(always)]
fn acos32<I: Isa>(x: f32) -> f32 {
    let a = x.abs();
    let small = a < 0.5;
    let z = select(small, x * x, 0.5 * (1.0 - a));
    let r = z * poly::<I, _>(z, &ASIN_POLY_F32);
    let middle = PIO2_A_F32 - (x - (PIO2_B_F32 - x * r));
    let (s, df, c) = sqrt_split32(z);
    let positive = 2.0 * (df + (c + s * r));
    let negative = (PI_A_F32 - 2.0 * df) + (PI_B_F32 - 2.0 * (c + s * r));
    select(small, middle, select(x > 0.0, positive, negative))
}

/// Declares the f32 lanes of both precisions from the generic ones above.
macro_rules! lanes32 {
    ($($name:ident = $body:expr;)*) => {$(
        #[doc = concat!("`", stringify!($body), "`")]
        #[inline(always)]
        pub(crate) fn $name<I: Isa>(x: f32) -> f32 {
            $body(x)
        }
    )*};
}

lanes32! {
    sin_native_f32 = sin32::<I, false>;
    sin_fast_f32 = sin32::<I, true>;
    cos_native_f32 = cos32::<I, false>;
    cos_fast_f32 = cos32::<I, true>;
    tan_native_f32 = tan32::<I>;
    expm1_f32 = expm1_32::<I, false>;
    expm1_fast_f32 = expm1_32::<I, true>;
    sinh_f32 = sinh32::<I>;
    cosh_f32 = cosh32::<I>;
    tanh_f32 = tanh32::<I>;
    log1p_f32 = log1p32::<I>;
    atan_f32 = atan32::<I>;
    asin_f32 = asin32::<I>;
    acos_f32 = acos32::<I>;
    log2_f32 = log2_32::<I>;
    log10_f32 = log10_32::<I>;
    asinh_f32 = asinh32::<I>;
    acosh_f32 = acosh32::<I>;
    atanh_f32 = atanh32::<I>;
}

/// hypot in f32.
#[inline(always)]
pub(crate) fn hypot_f32<I: Isa>(x: f32, y: f32) -> f32 {
    hypot32::<I>(x, y)
}

/// arctan2 in f32.
#[inline(always)]
pub(crate) fn atan2_f32<I: Isa>(y: f32, x: f32) -> f32 {
    atan2_32::<I>(y, x)
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
    tan_f32 => tan_f64;
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
