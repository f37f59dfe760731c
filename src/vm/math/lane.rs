//! Branch-free building blocks shared by the lane functions: selects, polynomial
//! evaluation, integer rounding without SSE4.1, powers of two built in the exponent bits,
//! exact (error-free) sums and products, and the exponent/mantissa split used by the logs.
//!
//! Everything here is `#[inline(always)]` scalar code that LLVM turns into vector
//! instructions: no f64<->i64 conversions (AVX2 has none), no libm calls, no branches that
//! depend on data (the `if`s below are selects between two already computed values).

use super::super::isa::{Isa, mul_add};

/// Declares the two precisions of a lane function written once with a `const FAST: bool`
/// parameter: `high::<I>(x) = with::<I, false>(x)`, `fast::<I>(x) = with::<I, true>(x)`
/// (`x: f64`; add `, y` for two arguments).
macro_rules! precisions {
    ($($with:ident => $high:ident, $fast:ident;)*) => {$(
        #[doc = concat!("[`", stringify!($with), "`] at high precision.")]
        #[inline(always)]
        pub(crate) fn $high<I: Isa>(x: f64) -> f64 {
            $with::<I, false>(x)
        }
        #[doc = concat!("[`", stringify!($with), "`] at fast precision.")]
        #[inline(always)]
        pub(crate) fn $fast<I: Isa>(x: f64) -> f64 {
            $with::<I, true>(x)
        }
    )*};
    ($($with:ident => $high:ident, $fast:ident, binary;)*) => {$(
        #[doc = concat!("[`", stringify!($with), "`] at high precision.")]
        #[inline(always)]
        pub(crate) fn $high<I: Isa>(x: f64, y: f64) -> f64 {
            $with::<I, false>(x, y)
        }
        #[doc = concat!("[`", stringify!($with), "`] at fast precision.")]
        #[inline(always)]
        pub(crate) fn $fast<I: Isa>(x: f64, y: f64) -> f64 {
            $with::<I, true>(x, y)
        }
    )*};
}
pub(crate) use precisions;

/// 1.5 * 2^52: adding it to |x| < 2^51 rounds x to an integer held in the low mantissa bits.
pub(crate) const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
/// Bit pattern of [`ROUND_MAGIC`].
const ROUND_MAGIC_BITS: i64 = 0x4338_0000_0000_0000;

/// `if c { a } else { b }`, written so that LLVM emits a blend, not a branch.
#[inline(always)]
pub(crate) fn select(c: bool, a: f64, b: f64) -> f64 {
    if c { a } else { b }
}

/// `coefs[0] + x*coefs[1] + x^2*coefs[2] + ...`, fused when the ISA has FMA.
///
/// Evaluated as two interleaved Horner chains in x^2 (even and odd coefficients), which
/// halves the dependency chain: the lane loops are latency-bound, not throughput-bound.
#[inline(always)]
pub(crate) fn poly<I: Isa, const N: usize>(x: f64, coefs: &[f64; N]) -> f64 {
    let (even, odd) = poly_split::<I, N>(x, coefs);
    mul_add::<I>(odd, x, even)
}

/// The two Horner chains of [`poly`] apart: `(E(x^2), O(x^2))` with
/// `poly(x) = E(x^2) + x*O(x^2)`, so that `poly(-x) = E - x*O` comes for free.
#[inline(always)]
pub(crate) fn poly_split<I: Isa, const N: usize>(x: f64, coefs: &[f64; N]) -> (f64, f64) {
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

/// Round to the nearest integer (ties to even) for |x| < 2^51, returning it both as f64
/// and as i64. Not valid for nan or larger |x| (callers clamp first or select afterwards).
#[inline(always)]
pub(crate) fn round_int(x: f64) -> (f64, i64) {
    let shifted = x + ROUND_MAGIC;
    let rounded = shifted - ROUND_MAGIC;
    let int = (shifted.to_bits() as i64).wrapping_sub(ROUND_MAGIC_BITS);
    (rounded, int)
}

/// `round_int(x * k + c)` with the product not rounded first where the ISA has FMA (one
/// operation less, and n is the integer nearest the exact x*k when c is 0).
#[inline(always)]
pub(crate) fn round_mul<I: Isa>(x: f64, k: f64, c: f64) -> (f64, i64) {
    let shifted = if c == 0.0 {
        mul_add::<I>(x, k, ROUND_MAGIC)
    } else {
        mul_add::<I>(x, k, c) + ROUND_MAGIC
    };
    let rounded = shifted - ROUND_MAGIC;
    let int = (shifted.to_bits() as i64).wrapping_sub(ROUND_MAGIC_BITS);
    (rounded, int)
}

/// `i as f64` for |i| < 2^51, through the mantissa bits (AVX2 has no i64 -> f64 convert).
#[inline(always)]
pub(crate) fn int_to_f64(i: i64) -> f64 {
    f64::from_bits(ROUND_MAGIC_BITS.wrapping_add(i) as u64) - ROUND_MAGIC
}

/// 2^n for n in [-1022, 1023], built directly in the exponent field.
#[inline(always)]
pub(crate) fn pow2(n: i64) -> f64 {
    f64::from_bits((n.wrapping_add(1023) as u64) << 52)
}

/// `p * 2^n` for n in [-2044, 2046], in two steps so that neither factor overflows and a
/// subnormal result is rounded once (the first product stays normal for |p| in [0.5, 2]).
#[inline(always)]
pub(crate) fn scale(p: f64, n: i64) -> f64 {
    // floor(n/2) by a logical shift of a non-negative value: AVX2 has no 64-bit
    // arithmetic shift.
    let half = (((n.wrapping_add(2048) as u64) >> 1) as i64).wrapping_sub(1024);
    p * pow2(half) * pow2(n.wrapping_sub(half))
}

/// `x` with its low 32 mantissa bits cleared: a value whose square is exact.
#[inline(always)]
pub(crate) fn truncate_low(x: f64) -> f64 {
    f64::from_bits(x.to_bits() & 0xffff_ffff_0000_0000)
}

/// `(s, e)` with `s = fl(a + b)` and `s + e = a + b` exactly (Knuth's TwoSum).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// As [`two_sum`] but requires |a| >= |b| (or a == 0) (Dekker's Fast2Sum).
#[inline(always)]
pub(crate) fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let e = b - (s - a);
    (s, e)
}

/// `(p, e)` with `p = fl(a * b)` and `p + e = a * b` exactly: one FMA when the ISA has it,
/// else Dekker's splitting (valid while |a|, |b| < 2^995).
#[inline(always)]
pub(crate) fn two_prod<I: Isa>(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    if I::FMA {
        (p, a.mul_add(b, -p))
    } else {
        const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
        let ta = SPLIT * a;
        let a_hi = ta - (ta - a);
        let a_lo = a - a_hi;
        let tb = SPLIT * b;
        let b_hi = tb - (tb - b);
        let b_lo = b - b_hi;
        let e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
        (p, e)
    }
}

/// [`log_split`] for normal positive x (no subnormal pre-scaling): the same `(k, f)`.
#[inline(always)]
pub(crate) fn log_split_normal(x: f64) -> (f64, f64) {
    const SQRT_HALF_BITS: i64 = 0x3fe6_a09e_667f_3bcd;
    let bits = x.to_bits() as i64;
    let k = bits.wrapping_sub(SQRT_HALF_BITS) >> 52;
    let m = f64::from_bits(bits.wrapping_sub(k << 52) as u64);
    (int_to_f64(k), m - 1.0)
}

/// Split a positive finite x (normal or subnormal) into `x = 2^k * (1 + f)` with
/// `1 + f` in [sqrt(2)/2, sqrt(2)); `f` is exact. Garbage (but no trap) for other inputs,
/// which callers replace by selects.
#[inline(always)]
pub(crate) fn log_split(x: f64) -> (f64, f64) {
    const SQRT_HALF_BITS: i64 = 0x3fe6_a09e_667f_3bcd;
    let subnormal = x < f64::MIN_POSITIVE;
    let xs = select(subnormal, x * 18_014_398_509_481_984.0, x); // * 2^54
    let bits = xs.to_bits() as i64;
    let k = bits.wrapping_sub(SQRT_HALF_BITS) >> 52;
    let m = f64::from_bits(bits.wrapping_sub(k << 52) as u64);
    let k = int_to_f64(k) - select(subnormal, 54.0, 0.0);
    (k, m - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn round_int_rounds_half_to_even() {
        assert_eq!(round_int(2.5), (2.0, 2));
        assert_eq!(round_int(-2.5), (-2.0, -2));
        assert_eq!(round_int(3.5), (4.0, 4));
        assert_eq!(round_int(-1074.3), (-1074.0, -1074));
        assert_eq!(int_to_f64(-1075), -1075.0);
        assert_eq!(int_to_f64(123_456_789), 123_456_789.0);
    }

    #[test]
    fn scale_reaches_subnormals_and_overflow() {
        assert_eq!(pow2(-1022), f64::MIN_POSITIVE);
        assert_eq!(scale(1.0, -1074), 5e-324);
        assert_eq!(scale(1.5, -1075), 5e-324); // 0.75 * 2^-1074 rounds up
        assert_eq!(scale(1.0, 1023), 2f64.powi(1023));
        assert_eq!(scale(1.0, 1024), f64::INFINITY);
    }

    #[test]
    fn exact_transforms() {
        let (s, e) = two_sum(1.0, 1e-20);
        assert_eq!((s, e), (1.0, 1e-20));
        let a = 1.0 + 2f64.powi(-30);
        assert_eq!(
            two_prod::<Baseline>(a, a),
            (1.0 + 2f64.powi(-29), 2f64.powi(-60))
        );
        assert_eq!(
            two_prod::<Avx2>(a, a),
            (1.0 + 2f64.powi(-29), 2f64.powi(-60))
        );
    }

    #[test]
    fn log_split_normal_and_subnormal() {
        assert_eq!(log_split(1.0), (0.0, 0.0));
        assert_eq!(log_split(1.5), (1.0, -0.25));
        assert_eq!(log_split(0.75), (0.0, -0.25));
        assert_eq!(log_split(5e-324), (-1074.0, 0.0));
        assert_eq!(log_split(3.0 * 5e-324), (-1072.0, -0.25));
    }
}
