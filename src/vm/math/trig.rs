//! sin, cos, tan (f64): the argument reduced by pi (sin, cos) or pi/2 (tan), then minimax
//! polynomials.
//!
//! Lane path (|x| <= [`FAST_MAX`]): sin and cos take `x = q*pi + r` with |r| <= pi/2, q an
//! integer for sin and a half-integer for cos (so that the zeros of cos map to r = 0), and
//! evaluate one odd polynomial for sin(r) on [-pi/2, pi/2], with the sign (-1)^n flipped
//! into the result's sign bit (no select between a sine and a cosine polynomial). tan takes
//! `x = q*pi/2 + r`, |r| <= pi/4, and a rational approximation `r (D + z N)/D` of tan(r),
//! returning it or its negated reciprocal (-cot r) by the parity of q, with one division. The reduction (Cody-Waite) carries r as a double-double
//! `hi + lo`: with FMA, `x - q*P1` is exact (x and q*P1 lie on a common grid of 2^-52 and
//! the difference is below 2), `q*P2` is split exactly by an FMA and subtracted by TwoSum,
//! and the third piece lands in `lo` (159 bits of pi in all); without FMA the pieces have 33
//! bits so that every product is exact (Dekker). `fast` precision keeps only `hi` (three
//! FMA steps, about an ulp of r) and skips the correction terms.
//!
//! Slow path (scalar, |x| > 2^20, finite): Payne-Hanek reduction with 192 bits of 2/pi taken
//! around the exponent of x, integer arithmetic in u128, giving `(quadrant, hi, lo)` modulo
//! pi/2, evaluated with the fdlibm-style kernels on [-pi/4, pi/4] (also tan's). Lane
//! functions (`*_lane`, `*_fast_*`) are only valid for |x| <= [`FAST_MAX`] or non-finite x;
//! slice drivers patch the other lanes in a second, scalar pass; `*_f64` pick the path per
//! call.

use super::consts::{
    COS_POLY, INV_PI, PI_HI, PI_LO, PI_LO2, PIO2_C1, PIO2_C2, PIO2_C3, PIO2_C4, PIO2_HI, PIO2_LO,
    PIO2_LO2, SIN_PI_POLY, SIN_POLY, TAN_DEN, TAN_NUM, TWO_OVER_PI, TWO_OVER_PI_BITS,
};
use super::lane::{fast_two_sum, poly, round_mul, select, two_prod, two_sum};
use crate::vm::isa::{Isa, mul_add};

/// Largest |x| the lane reduction handles (|q| < 2^20 keeps the products exact).
pub(crate) const FAST_MAX: f64 = 1_048_576.0;

/// A period to reduce by: `p = HI + LO + LO2` (FMA path) and `p = 2*(C1 + C2 + C3 + C4)`
/// scaled by `SCALE` (pieces of pi/2 with 33 bits, for the path without FMA).
struct Period {
    /// 1/p rounded.
    inv: f64,
    hi: f64,
    lo: f64,
    lo2: f64,
    /// The pieces of pi/2 are multiplied by this (2 for pi, 1 for pi/2): exact.
    scale: f64,
}

/// pi: sin and cos.
const PI: Period = Period {
    inv: INV_PI,
    hi: PI_HI,
    lo: PI_LO,
    lo2: PI_LO2,
    scale: 2.0,
};

/// pi/2: tan.
const HALF_PI: Period = Period {
    inv: TWO_OVER_PI,
    hi: PIO2_HI,
    lo: PIO2_LO,
    lo2: PIO2_LO2,
    scale: 1.0,
};

/// `x = (n + offset) * p + hi + lo`: n as an integer (its parity picks the sign or the
/// branch) and the remainder as a double-double. `offset` is 0 or 1/2.
#[derive(Clone, Copy)]
struct Remainder {
    n: i64,
    hi: f64,
    lo: f64,
}

/// Cody-Waite reduction by `p` for |x| <= FAST_MAX (garbage, but no trap, beyond; nan for
/// non-finite x).
#[inline(always)]
fn reduce<I: Isa>(x: f64, p: &Period, offset: f64) -> Remainder {
    let (n, ni) = round_mul::<I>(x, p.inv, -offset);
    let q = n + offset;
    if I::FMA {
        let r1 = (-q).mul_add(p.hi, x); // exact (see the module notes)
        let t = q * p.lo;
        let t_err = q.mul_add(p.lo, -t); // q*p.lo = t + t_err exactly
        let (hi, e) = two_sum(r1, -t);
        let lo = (-q).mul_add(p.lo2, e - t_err);
        Remainder { n: ni, hi, lo }
    } else {
        let k = q * p.scale; // exact: a small multiple of 1/2
        let r1 = x - k * PIO2_C1; // exact (Sterbenz), and so is every product
        let (r2, e2) = two_sum(r1, -(k * PIO2_C2));
        let (hi, e3) = two_sum(r2, -(k * PIO2_C3));
        let lo = (e2 + e3) - k * PIO2_C4;
        Remainder { n: ni, hi, lo }
    }
}

/// The reduction of `fast` precision: the remainder rounded (about an ulp of r).
#[inline(always)]
fn reduce_fast<I: Isa>(x: f64, p: &Period, offset: f64) -> (i64, f64) {
    if I::FMA {
        let (n, ni) = round_mul::<I>(x, p.inv, -offset);
        let q = n + offset;
        let r = (-q).mul_add(p.hi, x);
        let r = (-q).mul_add(p.lo, r);
        (ni, (-q).mul_add(p.lo2, r))
    } else {
        // Without FMA, the sequence of rounded subtractions costs tan its last ulp: take the
        // double-double reduction and round it once (the baseline is not the fast target).
        let r = reduce::<I>(x, p, offset);
        (r.n, r.hi + r.lo)
    }
}

/// sin(hi + lo) for |hi + lo| <= ~pi/2.
#[inline(always)]
fn sin_pi_kernel<I: Isa>(hi: f64, lo: f64) -> f64 {
    let z = hi * hi;
    // sin(hi + lo) ~ sin(hi) + lo*cos(hi), cos(hi) to second order (lo is tiny).
    let tail = hi * z * poly::<I, _>(z, &SIN_PI_POLY);
    hi + (tail + lo * mul_add::<I>(-0.5, z, 1.0))
}

/// sin(r) for |r| <= ~pi/2, r rounded.
#[inline(always)]
fn sin_pi_kernel_fast<I: Isa>(r: f64) -> f64 {
    let z = r * r;
    mul_add::<I>(r * z, poly::<I, _>(z, &SIN_PI_POLY), r)
}

/// `v` with its sign flipped when `n` is odd.
#[inline(always)]
fn flip_if_odd(v: f64, n: i64) -> f64 {
    f64::from_bits(v.to_bits() ^ ((n as u64) << 63))
}

/// Lane sine, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn sin_f64_lane<I: Isa>(x: f64) -> f64 {
    let r = reduce::<I>(x, &PI, 0.0);
    keep_zero(x, flip_if_odd(sin_pi_kernel::<I>(r.hi, r.lo), r.n))
}

/// Lane cosine, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn cos_f64_lane<I: Isa>(x: f64) -> f64 {
    // x = (n + 1/2) pi + r: cos x = -(-1)^n sin r.
    let r = reduce::<I>(x, &PI, 0.5);
    flip_if_odd(sin_pi_kernel::<I>(r.hi, r.lo), r.n.wrapping_add(1))
}

/// Lane tangent, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn tan_f64_lane<I: Isa>(x: f64) -> f64 {
    let r = reduce::<I>(x, &HALF_PI, 0.0);
    keep_zero(x, tan_kernel::<I>(r.n, r.hi, r.lo))
}

/// Lane sine of `fast` precision, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn sin_fast_f64<I: Isa>(x: f64) -> f64 {
    // (The reduction turns -0 into +0: the last piece of pi is negative.)
    let (n, r) = reduce_fast::<I>(x, &PI, 0.0);
    keep_zero(x, flip_if_odd(sin_pi_kernel_fast::<I>(r), n))
}

/// Lane cosine of `fast` precision, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn cos_fast_f64<I: Isa>(x: f64) -> f64 {
    let (n, r) = reduce_fast::<I>(x, &PI, 0.5);
    flip_if_odd(sin_pi_kernel_fast::<I>(r), n.wrapping_add(1))
}

/// Lane tangent of `fast` precision, valid for |x| <= FAST_MAX and for non-finite x.
#[inline(always)]
pub(crate) fn tan_fast_f64<I: Isa>(x: f64) -> f64 {
    let (n, r) = reduce_fast::<I>(x, &HALF_PI, 0.0);
    keep_zero(x, tan_kernel::<I>(n, r, 0.0))
}

/// tan(hi + lo) for even `n`, -cot(hi + lo) for odd `n`, |hi + lo| <= ~pi/4: the rational
/// `tan r = r (D + z N)/D` (z = r^2) or its negated reciprocal, with one division.
#[inline(always)]
fn tan_kernel<I: Isa>(n: i64, hi: f64, lo: f64) -> f64 {
    let z = hi * hi;
    let den = poly::<I, _>(z, &TAN_DEN);
    let s = mul_add::<I>(z, poly::<I, _>(z, &TAN_NUM), den);
    // s*(hi + lo): the first-order term of lo (its factor s/den = tan(hi)/hi, not
    // 1 + tan^2, errs by at most 0.41*lo, a tenth of an ulp).
    let t = mul_add::<I>(s, hi, s * lo);
    let odd = n & 1 == 1;
    select(odd, -den, t) / select(odd, t, den)
}

/// A reduced argument modulo pi/2: x = (4m + quadrant) * pi/2 + hi + lo, |hi + lo| <= ~pi/4.
#[derive(Clone, Copy)]
pub(crate) struct Reduced {
    quadrant: i64,
    hi: f64,
    lo: f64,
}

/// True for the lanes the fast path cannot reduce.
#[inline(always)]
pub(crate) fn needs_slow_path(x: f64) -> bool {
    let a = x.abs();
    a > FAST_MAX && a < f64::INFINITY
}

/// Payne-Hanek reduction of a finite x with |x| > 2^20 (scalar; the rare slow path).
pub(crate) fn reduce_slow<I: Isa>(x: f64) -> Reduced {
    let bits = x.abs().to_bits();
    // x = m * 2^e with m < 2^53 an integer; |x| >= 2^20 so x is normal and e >= -32.
    let e = ((bits >> 52) as i64) - 1075;
    let m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    // Bits of 2/pi of weight 2^-j with e - j >= 2 only add multiples of 4 (whole turns):
    // start the 192-bit window at bit j0 = max(1, e - 1).
    let j0 = (e - 1).max(1);
    let window = two_over_pi_window(j0 as usize);
    // product = m * window, 256 bits as [hi128, lo128]; x * 2/pi = product * 2^-(j0+191-e).
    let p0 = u128::from(m) * u128::from(window[2]);
    let p1 = u128::from(m) * u128::from(window[1]);
    let p2 = u128::from(m) * u128::from(window[0]);
    // Sum the three partial products with their 64-bit offsets.
    let lo_word = p0 as u64;
    let mid = (p0 >> 64) + (p1 & u128::from(u64::MAX));
    let mid_word = mid as u64;
    let high = (mid >> 64) + (p1 >> 64) + p2;
    let lo128 = (u128::from(mid_word) << 64) | u128::from(lo_word);
    let hi128 = high;
    // Fraction bits below the binary point: sh = j0 + 191 - e, in [190, 224].
    let sh = j0 + 191 - e;
    let s = u32::try_from(sh - 128).unwrap_or(u32::MAX); // in [62, 96] for |x| > 2^20
    // Checked shifts: s < 128 for every caller (|x| > 2^-11 suffices); never a panic.
    let shr = |v: u128, by: u32| v.checked_shr(by).unwrap_or(0);
    let shl = |v: u128, by: u32| v.checked_shl(by).unwrap_or(0);
    let quadrant = (shr(hi128, s) & 3) as i64;
    let frac = shr(lo128, s) | shl(hi128, 128u32.saturating_sub(s));
    // A fraction >= 1/2 rounds the quadrant up and becomes negative: two's complement.
    let signed = frac as i128;
    let quadrant = quadrant + i64::from(signed < 0);
    let f_hi = signed as f64;
    let f_lo = signed.wrapping_sub(f_hi as i128) as f64;
    const TWO_M128: f64 = 2.938_735_877_055_719e-39; // 2^-128
    let (f_hi, f_lo) = (f_hi * TWO_M128, f_lo * TWO_M128);
    // r = f * pi/2 in double-double.
    let (r_hi, r_err) = two_prod::<I>(f_hi, PIO2_HI);
    let r_lo = r_err + (f_hi * PIO2_LO + f_lo * PIO2_HI);
    let (hi, lo) = fast_two_sum(r_hi, r_lo);
    if x < 0.0 {
        Reduced {
            quadrant: -quadrant,
            hi: -hi,
            lo: -lo,
        }
    } else {
        Reduced { quadrant, hi, lo }
    }
}

/// 192 bits of 2/pi starting at bit index `j0` (1-based; bit j has weight 2^-j), as three
/// words, most significant first. Indices past the table read as zero bits.
fn two_over_pi_window(j0: usize) -> [u64; 3] {
    let start = j0.saturating_sub(1);
    let (word, offset) = (start / 64, (start % 64) as u32);
    let at = |i: usize| TWO_OVER_PI_BITS.get(i).copied().unwrap_or(0);
    let mut out = [0u64; 3];
    for (k, slot) in out.iter_mut().enumerate() {
        let a = at(word + k);
        let b = at(word + k + 1);
        *slot = if offset == 0 {
            a
        } else {
            (a << offset) | (b >> (64 - offset))
        };
    }
    out
}

/// `(sin(hi + lo), cos(hi + lo))` for |hi + lo| <= ~pi/4.
#[inline(always)]
fn sin_cos_kernel<I: Isa>(r: Reduced) -> (f64, f64) {
    let (x, y) = (r.hi, r.lo);
    let z = x * x;
    // sin(x + y) ~ sin(x) + y*cos(x), with cos(x) ~ 1 - z/2 at this size.
    let sin_tail = x * z * poly::<I, _>(z, &SIN_POLY);
    let sin = x + (sin_tail + y * (1.0 - 0.5 * z));
    // cos(x + y) ~ cos(x) - y*sin(x); 1 - z/2 compensated (fdlibm's kernel).
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    let cos = w + (((1.0 - w) - hz) + (z * z * poly::<I, _>(z, &COS_POLY) - x * y));
    (sin, cos)
}

/// sin from a reduced argument: quadrant q gives sin, cos, -sin, -cos.
#[inline(always)]
fn sin_from<I: Isa>(r: Reduced) -> f64 {
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(r.quadrant & 1 == 0, s, c);
    select(r.quadrant & 2 == 0, v, -v)
}

/// cos from a reduced argument: quadrant q gives cos, -sin, -cos, sin.
#[inline(always)]
fn cos_from<I: Isa>(r: Reduced) -> f64 {
    let (s, c) = sin_cos_kernel::<I>(r);
    let v = select(r.quadrant & 1 == 0, c, s);
    select((r.quadrant + 1) & 2 == 0, v, -v)
}

/// tan from a reduced argument: tan, or -cot in odd quadrants.
#[inline(always)]
fn tan_from<I: Isa>(r: Reduced) -> f64 {
    tan_kernel::<I>(r.quadrant, r.hi, r.lo)
}

/// `x` itself when it is a zero (sin(-0) = tan(-0) = -0), else `out`.
#[inline(always)]
fn keep_zero(x: f64, out: f64) -> f64 {
    select(x == 0.0, x, out)
}

/// Sine of any f64 (branches to the slow path for |x| > FAST_MAX).
#[inline(always)]
pub(crate) fn sin_f64<I: Isa>(x: f64) -> f64 {
    if needs_slow_path(x) {
        sin_from::<I>(reduce_slow::<I>(x))
    } else {
        sin_f64_lane::<I>(x)
    }
}

/// Cosine of any f64.
#[inline(always)]
pub(crate) fn cos_f64<I: Isa>(x: f64) -> f64 {
    if needs_slow_path(x) {
        cos_from::<I>(reduce_slow::<I>(x))
    } else {
        cos_f64_lane::<I>(x)
    }
}

/// Tangent of any f64.
#[inline(always)]
pub(crate) fn tan_f64<I: Isa>(x: f64) -> f64 {
    if needs_slow_path(x) {
        tan_from::<I>(reduce_slow::<I>(x))
    } else {
        tan_f64_lane::<I>(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::{Avx2, Baseline};

    #[test]
    fn trig_special_values() {
        type B = Baseline;
        assert_eq!(sin_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tan_f64::<B>(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(cos_f64::<B>(-0.0), 1.0);
        assert_eq!(sin_f64::<B>(5e-324), 5e-324);
        for f in [sin_f64::<B>, cos_f64::<B>, tan_f64::<B>] {
            assert!(f(f64::NAN).is_nan());
            assert!(f(f64::INFINITY).is_nan());
            assert!(f(f64::NEG_INFINITY).is_nan());
        }
    }

    #[test]
    fn huge_arguments_match_known_values() {
        // Values computed with mpmath at 50 digits.
        for f in [sin_f64::<Baseline>, sin_f64::<Avx2>] {
            assert_eq!(f(1e22), -0.8522008497671888);
            assert_eq!(f(1e300), -0.8178819121159085);
            assert_eq!(f(f64::MAX), 0.004961954789184062);
        }
        assert_eq!(cos_f64::<Baseline>(1e22), 0.523214785395139);
    }

    #[test]
    fn slow_path_agrees_with_fast_path_where_both_apply() {
        for &x in &[1.0, -2.5, 1000.1, 65_536.3, -1_000_000.7, 1_048_575.9] {
            let slow = reduce_slow::<Baseline>(x);
            let fma = reduce::<Avx2>(x, &HALF_PI, 0.0);
            let plain = reduce::<Baseline>(x, &HALF_PI, 0.0);
            for fast in [fma, plain] {
                assert_eq!(fast.n & 3, slow.quadrant & 3, "{x}");
                assert!(
                    ((fast.hi - slow.hi) + (fast.lo - slow.lo)).abs()
                        <= 1e-30 * fast.hi.abs().max(1e-300),
                    "{x}"
                );
            }
        }
    }
}
