//! Complex element functions of the VM (scalar: complex kernels run element by element).
//!
//! Arithmetic is numexpr's own definition, which is the language's: division is the textbook
//! formula (so `z / 0` is `nan+nanj`, as numexpr gives), `**` follows numexpr's `nc_pow`
//! (integral real exponents below 100 by repeated squaring; `0 ** w` is 0 and `z ** 0` is 1),
//! `abs` is `|z| + 0j` and `sign` is `z / |z|`.
//!
//! The elementary functions (`sqrt`, `exp`, `log`, the trigonometric and hyperbolic functions
//! and their inverses) are the VM's own, in `vm::math::complex`, built on its vectorised
//! real lanes; the reference evaluator (`vm::reference::complex`) has its own, written
//! apart, and the differential tests compare the two.

use crate::vm::isa::Isa;
use crate::vm::math::{self, complex as cx};
use crate::vm::value::c128;

pub(crate) use cx::{
    acos, acosh, asin, asinh, atan, atanh, cos, cosh, exp, expm1, log, log1p, log2, log10, sin,
    sinh, sqrt, tan, tanh,
};

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
pub(crate) fn pow<I: Isa>(a: c128, b: c128) -> c128 {
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
    cx::exp::<I>(mul(cx::log::<I>(a), b))
}

/// `z / |z|`, 0 for 0, nan+nanj for nan.
pub(crate) fn sign<I: Isa>(z: c128) -> c128 {
    if z.re.is_nan() || z.im.is_nan() {
        return c128::new(f64::NAN, f64::NAN);
    }
    let m = math::hypot_f64::<I>(z.re, z.im);
    if m == 0.0 {
        c128::new(0.0, 0.0)
    } else {
        c128::new(z.re / m, z.im / m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::Baseline as B;

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
            pow::<B>(c128::new(0.0, 0.0), c128::new(-1.0, 0.0)),
            c128::new(0.0, 0.0)
        );
        assert_eq!(
            pow::<B>(c128::new(5.0, 1.0), c128::new(0.0, 0.0)),
            c128::new(1.0, 0.0)
        );
        // (1+1j)**2 = 2j; (1+1j)**-2 = 1/(2j) = -0.5j
        assert!(close(
            pow::<B>(c128::new(1.0, 1.0), c128::new(2.0, 0.0)),
            c128::new(0.0, 2.0)
        ));
        assert!(close(
            pow::<B>(c128::new(1.0, 1.0), c128::new(-2.0, 0.0)),
            c128::new(0.0, -0.5)
        ));
        // i**0.5 = (1+i)/sqrt(2)
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!(close(
            pow::<B>(c128::new(0.0, 1.0), c128::new(0.5, 0.0)),
            c128::new(h, h)
        ));
    }

    #[test]
    fn small_arguments_keep_their_accuracy() {
        let z = c128::new(1e-10, 1e-10);
        let l = log1p::<B>(z);
        // log(1+z) = z - z²/2 + ...; z² = 2e-20 j, so re ≈ 1e-10, im ≈ 1e-10 - 1e-20.
        assert!((l.re - 1e-10).abs() < 1e-24 && (l.im - (1e-10 - 1e-20)).abs() < 1e-24);
        let e = expm1::<B>(z);
        assert!((e.re - 1e-10).abs() < 1e-24 && (e.im - (1e-10 + 1e-20)).abs() < 1e-24);
    }

    #[test]
    fn sign_and_logs() {
        assert!(close(sign::<B>(c128::new(3.0, 4.0)), c128::new(0.6, 0.8)));
        assert_eq!(sign::<B>(c128::new(0.0, 0.0)), c128::new(0.0, 0.0));
        assert!(close(
            log10::<B>(c128::new(100.0, 0.0)),
            c128::new(2.0, 0.0)
        ));
        assert!(close(
            log2::<B>(c128::new(0.0, 8.0)),
            c128::new(3.0, std::f64::consts::FRAC_PI_2 * std::f64::consts::LOG2_E)
        ));
    }
}

#[cfg(test)]
mod against_reference {
    //! The VM's complex functions against the reference evaluator's (written apart): every
    //! pair of special parts (signed zeros, subnormals, ±1, huge, infinities, nan) and
    //! random points near the branch cuts, the unit circle, the axes and far out. Parts
    //! must agree in kind (nan with nan, an infinity with the same infinity, a zero with a
    //! zero of the same sign) and, when finite, within a few ulps of the result's modulus
    //! (the bound the differential fuzz target allows is 1e-11 of it; this is far tighter).
    use crate::vm::isa::{Avx2, Baseline};
    use crate::vm::math::complex::*;
    use crate::vm::reference::complex as reference;
    use num_complex::Complex64 as C;

    type Pair = (&'static str, fn(C) -> C, fn(C) -> C, fn(C) -> C);

    fn functions() -> Vec<Pair> {
        macro_rules! pairs {
            ($($name:ident),*) => {
                vec![$((
                    stringify!($name),
                    $name::<Baseline> as fn(C) -> C,
                    $name::<Avx2> as fn(C) -> C,
                    reference::$name as fn(C) -> C,
                )),*]
            };
        }
        pairs!(
            sqrt, exp, expm1, log, log1p, sin, cos, tan, sinh, cosh, tanh, asin, acos, atan, asinh,
            acosh, atanh
        )
    }

    /// Special and boundary parts, both signs.
    fn specials() -> Vec<f64> {
        let base = [
            0.0,
            5e-324,
            1e-300,
            1e-20,
            0.5,
            1.0 - f64::EPSILON,
            1.0,
            1.0 + f64::EPSILON,
            2.0,
            std::f64::consts::FRAC_PI_2,
            std::f64::consts::PI,
            22.5,
            709.5,
            711.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
        ];
        let mut out = vec![f64::NAN];
        for v in base {
            out.push(v);
            out.push(-v);
        }
        out
    }

    /// Steps between two finite values (as in the real accuracy harness).
    fn steps(a: f64, b: f64) -> u64 {
        let o = |x: f64| {
            let m = i128::from(x.to_bits() & 0x7fff_ffff_ffff_ffff);
            if x.is_sign_negative() { -m } else { m }
        };
        u64::try_from((o(a) - o(b)).unsigned_abs()).unwrap_or(u64::MAX)
    }

    /// Whether `got` agrees with `want`: same kind part by part, finite parts within
    /// `ulps` of the modulus (or of the part itself).
    fn agrees(got: C, want: C, ulps: f64) -> bool {
        let scale = want.re.abs().max(want.im.abs());
        let part = |g: f64, w: f64| {
            if w.is_nan() || g.is_nan() {
                return w.is_nan() && g.is_nan();
            }
            if w.is_infinite() || g.is_infinite() || w == 0.0 || g == 0.0 {
                // Exact kinds; a tiny nonzero part next to a large one may round to zero
                // on one side only, which the modulus bound accepts below.
                if g.to_bits() == w.to_bits() {
                    return true;
                }
                if w.is_infinite() || g.is_infinite() {
                    return false;
                }
                if w == 0.0 && g == 0.0 {
                    return false; // zeros of different signs
                }
            }
            let tol = ulps * f64::EPSILON * scale.max(f64::MIN_POSITIVE);
            steps(g, w) <= 4 || (g - w).abs() <= tol
        };
        part(got.re, want.re) && part(got.im, want.im)
    }

    #[test]
    fn special_parts_match_the_reference() {
        let sp = specials();
        let mut failures = Vec::new();
        for (name, base, avx2, refer) in functions() {
            for &x in &sp {
                for &y in &sp {
                    let z = C::new(x, y);
                    let want = refer(z);
                    for got in [base(z), avx2(z)] {
                        if !agrees(got, want, 64.0) {
                            failures.push(format!("{name}({x:e}, {y:e}): {got} vs {want}"));
                        }
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn random_points_match_the_reference() {
        // splitmix64, seeded: deterministic.
        let mut state = 0x0c0f_fee5_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut unit = move || (next() >> 11) as f64 / 9_007_199_254_740_992.0;
        let mut failures = Vec::new();
        let mut worst = 0.0f64;
        for (name, base, avx2, refer) in functions() {
            for k in 0..20_000 {
                let (u, v) = (2.0 * unit() - 1.0, 2.0 * unit() - 1.0);
                let z = match k % 5 {
                    0 => C::new(4.0 * u, 4.0 * v),
                    // near the cuts: small imaginary part, real part beyond ±1
                    1 => C::new(3.0 * u, 1e-12 * v),
                    // near the unit circle and near 1
                    2 => C::from_polar(1.0 + 1e-9 * u, std::f64::consts::PI * v),
                    3 => C::new(1.0 + 1e-6 * u, 1e-6 * v),
                    // far out
                    _ => C::new(1e150 * u, 1e150 * v),
                };
                let want = refer(z);
                for got in [base(z), avx2(z)] {
                    let scale = want.norm();
                    if scale.is_finite() && scale > 0.0 {
                        worst = worst.max((got - want).norm() / scale);
                    }
                    if !agrees(got, want, 64.0) {
                        failures.push(format!("{name}({z}): {got} vs {want}"));
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures[..failures.len().min(30)].join("\n")
        );
        // The differential tests allow 1e-11 of the modulus; stay far inside it.
        assert!(worst < 1e-14, "worst relative difference {worst:e}");
    }
}
