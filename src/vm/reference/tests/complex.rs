//! Complex arithmetic in numexpr's forms and the special values of the complex functions,
//! worked out by hand (the oracle covers ordinary arguments).

use std::f64::consts::{FRAC_PI_2, PI};

use super::*;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn c(re: f64, im: f64) -> Complex64 {
    Complex64::new(re, im)
}

fn un(fun: Fun, z: &[Complex64]) -> Vec<Complex64> {
    unary(fun, z)
}

fn bin(fun: Fun, a: &[Complex64], b: &[Complex64]) -> Vec<Complex64> {
    binary(fun, a, b)
}

/// Both parts equal bit for bit (NaN matching NaN).
#[track_caller]
fn assert_c(got: &[Complex64], expect: &[Complex64]) {
    let g: Vec<f64> = got.iter().flat_map(|z| [z.re, z.im]).collect();
    let e: Vec<f64> = expect.iter().flat_map(|z| [z.re, z.im]).collect();
    assert_bits(&g, &e);
}

/// Both parts within `rel` of the expected modulus.
#[track_caller]
fn assert_near(got: Complex64, expect: Complex64, rel: f64) {
    let tol = rel * expect.re.hypot(expect.im);
    assert!(
        (got.re - expect.re).abs() <= tol && (got.im - expect.im).abs() <= tol,
        "got {got}, expected {expect}"
    );
}

#[test]
fn arithmetic() {
    let a = [c(1.0, 2.0), c(-0.5, 0.0)];
    let b = [c(3.0, -4.0), c(2.0, 8.0)];
    assert_c(&bin(Fun::Add, &a, &b), &[c(4.0, -2.0), c(1.5, 8.0)]);
    assert_c(&bin(Fun::Sub, &a, &b), &[c(-2.0, 6.0), c(-2.5, -8.0)]);
    // (1+2i)(3-4i) = 3 - 4i + 6i + 8 = 11 + 2i
    assert_c(&bin(Fun::Mul, &a, &b), &[c(11.0, 2.0), c(-1.0, -4.0)]);
    // (1+2i)/(3-4i) = (1+2i)(3+4i)/25 = (-5 + 10i)/25
    assert_c(&bin(Fun::Div, &a[..1], &b[..1]), &[c(-0.2, 0.4)]);
    assert_c(&un(Fun::Neg, &a), &[c(-1.0, -2.0), c(0.5, -0.0)]);
    assert_c(&un(Fun::Conj, &a), &[c(1.0, -2.0), c(-0.5, -0.0)]);
    assert_c(&un(Fun::OnesLike, &a), &[c(1.0, 0.0), c(1.0, 0.0)]);
}

#[test]
fn division_by_zero_is_nan_nan() {
    let got = bin(
        Fun::Div,
        &[c(1.0, 1.0), c(0.0, 0.0), c(2.0, 0.0)],
        &[c(0.0, 0.0), c(0.0, 0.0), c(-0.0, 0.0)],
    );
    assert_c(&got, &[c(NAN, NAN), c(NAN, NAN), c(NAN, NAN)]);
}

#[test]
fn powers_follow_numexpr() {
    let base = [
        c(5.0, 3.0),
        c(0.0, 0.0),
        c(0.0, 0.0),
        c(-0.0, 0.0),
        c(1.0, 1.0),
        c(1.0, 1.0),
        c(0.0, 1.0),
        c(2.0, 0.0),
    ];
    let exp = [
        c(0.0, 0.0),  // anything ** 0 is 1
        c(0.0, 0.0),  // 0 ** 0 is 1
        c(2.0, 1.0),  // 0 ** b is 0
        c(-1.0, 0.0), // even for a negative exponent
        c(2.0, 0.0),  // (1+i)² = 2i by multiplication
        c(-1.0, 0.0), // 1/(1+i) = (1-i)/2 by the naive quotient
        c(99.0, 0.0), // i**99 = -i, exactly by repeated squaring
        c(0.5, 0.0),  // exp(0.5 log 2) = √2
    ];
    let got = bin(Fun::Pow, &base, &exp);
    assert_c(
        &got[..6],
        &[
            c(1.0, 0.0),
            c(1.0, 0.0),
            c(0.0, 0.0),
            c(0.0, 0.0),
            c(0.0, 2.0),
            c(0.5, -0.5),
        ],
    );
    // Exact, up to the sign of the zero real part.
    assert_eq!(got[6], c(0.0, -1.0));
    assert_near(got[7], c(std::f64::consts::SQRT_2, 0.0), 4e-16);
    // 100 is beyond repeated squaring: exp(100 log 2) = 2**100 up to rounding.
    let got = bin(Fun::Pow, &[c(2.0, 0.0)], &[c(100.0, 0.0)]);
    assert_near(got[0], c(2f64.powi(100), 0.0), 1e-13);
}

#[test]
fn abs_sign_round() {
    let z = [
        c(3.0, -4.0),
        c(0.0, 0.0),
        c(NAN, 1.0),
        c(-INF, 1.0),
        c(1e300, 1e300),
    ];
    let a = un(Fun::Abs, &z);
    assert_c(
        &a[..4],
        &[c(5.0, 0.0), c(0.0, 0.0), c(NAN, 0.0), c(INF, 0.0)],
    );
    // hypot does not overflow where re² + im² would.
    assert_near(a[4], c(1e300 * std::f64::consts::SQRT_2, 0.0), 1e-15);
    let s = un(Fun::Sign, &z[..3]);
    assert_c(&s, &[c(0.6, -0.8), c(0.0, 0.0), c(NAN, NAN)]);
    let r = un(
        Fun::Round,
        &[c(0.5, 1.5), c(2.5, -2.5), c(-0.4, 3.6), c(NAN, INF)],
    );
    assert_c(&r, &[c(0.0, 2.0), c(2.0, -2.0), c(-0.0, 4.0), c(NAN, INF)]);
}

#[test]
fn parts_predicates_and_equality() {
    let z = [
        c(1.0, 2.0),
        c(NAN, 0.0),
        c(INF, NAN),
        c(0.0, -INF),
        c(-0.0, 0.0),
    ];
    let re: Vec<f64> = unary(Fun::Real, &z);
    assert_bits(&re, &[1.0, NAN, INF, 0.0, -0.0]);
    let im: Vec<f64> = unary(Fun::Imag, &z);
    assert_bits(&im, &[2.0, 0.0, NAN, -INF, 0.0]);
    let v: Vec<bool> = unary(Fun::IsNan, &z);
    assert_eq!(v, [false, true, true, false, false]);
    let v: Vec<bool> = unary(Fun::IsInf, &z);
    assert_eq!(v, [false, false, true, true, false]);
    let v: Vec<bool> = unary(Fun::IsFinite, &z);
    assert_eq!(v, [true, false, false, false, true]);
    let w = [
        c(1.0, 2.0),
        c(NAN, 0.0),
        c(INF, 1.0),
        c(0.0, -INF),
        c(0.0, -0.0),
    ];
    let eq: Vec<bool> = binary(Fun::Eq, &z, &w);
    assert_eq!(eq, [true, false, false, true, true]);
    let ne: Vec<bool> = binary(Fun::Ne, &z, &w);
    assert_eq!(ne, [false, true, true, false, false]);
}

#[test]
fn square_roots_take_the_side_of_the_signed_zero() {
    let z = [
        c(-4.0, 0.0),
        c(-4.0, -0.0),
        c(0.0, 0.0),
        c(-0.0, -0.0),
        c(4.0, -0.0),
        c(1.0, INF),
        c(NAN, -INF),
        c(-INF, 2.0),
        c(INF, -2.0),
        c(-INF, NAN),
        c(0.0, 2.0),
    ];
    let got = un(Fun::Sqrt, &z);
    let expect = [
        c(0.0, 2.0),
        c(0.0, -2.0),
        c(0.0, 0.0),
        c(0.0, -0.0),
        c(2.0, -0.0),
        c(INF, INF),
        c(INF, -INF),
        c(0.0, INF),
        c(INF, -0.0),
        c(NAN, INF),
        c(1.0, 1.0),
    ];
    assert_c(&got, &expect);
    // Scaled near both ends of the range instead of overflowing or underflowing.
    let got = un(Fun::Sqrt, &[c(1e308, 1e308), c(5e-324, 0.0)]);
    assert_near(
        got[0],
        c(1.098_684_113_467_809_9e154, 4.550_898_605_622_274e153),
        1e-15,
    );
    assert_near(got[1], c(2.222_758_749_485_076_6e-162, 0.0), 1e-15);
}

#[test]
fn logarithms_and_exponentials_at_special_points() {
    let got = un(
        Fun::Log,
        &[
            c(-1.0, 0.0),
            c(-1.0, -0.0),
            c(0.0, 0.0),
            c(INF, NAN),
            c(1.0, 0.0),
        ],
    );
    assert_c(
        &got,
        &[
            c(0.0, PI),
            c(0.0, -PI),
            c(-INF, 0.0),
            c(INF, NAN),
            c(0.0, 0.0),
        ],
    );
    // ln|1 + 1e-8 i| = ½ ln(1 + 1e-16) ≈ 5e-17: kept, not rounded to 0.
    let got = un(Fun::Log, &[c(1.0, 1e-8)]);
    assert_near(got[0], c(5e-17, 1e-8), 1e-15);
    let got = un(
        Fun::Exp,
        &[c(INF, 0.0), c(-INF, 1.0), c(0.0, PI), c(710.0, PI / 4.0)],
    );
    assert_c(&got[..2], &[c(INF, 0.0), c(0.0, 0.0)]);
    assert_near(got[2], c(-1.0, 0.0), 2e-16);
    // e^710 (2.2339e308) overflows alone, but e^710 cos(π/4) (1.5796e308) does not.
    let half = (355f64).exp() * std::f64::consts::FRAC_1_SQRT_2 * 355f64.exp();
    assert_near(got[3], c(half, half), 1e-15);
    // Near 0, log1p and expm1 keep their digits: log1p(z) ≈ z - z²/2, expm1(z) ≈ z + z²/2.
    let z = c(1e-10, 1e-10);
    let z2 = c(0.0, 2e-20);
    let got = un(Fun::Log1p, &[z, c(1e-300, 0.0), c(-1.0, 0.0)]);
    assert_near(got[0], z - z2 / 2.0, 1e-15);
    assert_c(&got[1..], &[c(1e-300, 0.0), c(-INF, 0.0)]);
    let got = un(Fun::Expm1, &[z, c(1e-300, 0.0), c(-INF, 0.0)]);
    assert_near(got[0], z + z2 / 2.0, 1e-15);
    assert_c(&got[1..], &[c(1e-300, 0.0), c(-1.0, 0.0)]);
    let got = un(Fun::Log10, &[c(-100.0, 0.0)]);
    assert_near(got[0], c(2.0, PI * std::f64::consts::LOG10_E), 2e-16);
    let got = un(Fun::Log2, &[c(0.0, 8.0)]);
    assert_near(got[0], c(3.0, FRAC_PI_2 * std::f64::consts::LOG2_E), 2e-16);
}

#[test]
fn trigonometric_and_hyperbolic_special_points() {
    let got = un(Fun::Sinh, &[c(INF, 0.0), c(0.0, 0.0), c(-0.0, PI / 2.0)]);
    assert_c(&got[..2], &[c(INF, 0.0), c(0.0, 0.0)]);
    assert_near(got[2], c(0.0, 1.0), 2e-16);
    let got = un(Fun::Cosh, &[c(INF, 0.0), c(0.0, 0.0)]);
    assert_c(&got, &[c(INF, 0.0), c(1.0, 0.0)]);
    let got = un(Fun::Sin, &[c(0.0, INF), c(0.0, 0.0)]);
    assert_c(&got, &[c(0.0, INF), c(0.0, 0.0)]);
    let got = un(Fun::Cos, &[c(0.0, 0.0)]);
    assert_c(&got, &[c(1.0, -0.0)]);
    // tanh saturates to ±1 with a tiny imaginary part; its infinities and NaNs per C99.
    let got = un(
        Fun::Tanh,
        &[
            c(1000.0, 1.0),
            c(-30.0, 0.0),
            c(INF, 3.0),
            c(NAN, 0.0),
            c(1.0, INF),
        ],
    );
    assert_c(
        &got,
        &[
            c(1.0, 0.0),
            c(-1.0, 0.0),
            c(1.0, -0.0),
            c(NAN, 0.0),
            c(NAN, NAN),
        ],
    );
    // tan(i y) = i tanh y
    let got = un(Fun::Tan, &[c(0.0, 1000.0)]);
    assert_c(&got, &[c(0.0, 1.0)]);
}

#[test]
fn inverse_functions_on_their_branch_cuts() {
    // The sign of a zero imaginary part picks the side of a cut on the real axis, and of a
    // zero real part on the imaginary axis (C99 / NumPy).
    let l = 1.316_957_896_924_816_6; // acosh(2) = ln(2 + √3)
    let got = un(Fun::Arcsin, &[c(2.0, 0.0), c(2.0, -0.0)]);
    assert_near(got[0], c(FRAC_PI_2, l), 1e-15);
    assert_near(got[1], c(FRAC_PI_2, -l), 1e-15);
    let got = un(Fun::Arccos, &[c(2.0, 0.0), c(2.0, -0.0), c(-2.0, 0.0)]);
    assert_near(got[0], c(0.0, -l), 1e-15);
    assert_near(got[1], c(0.0, l), 1e-15);
    assert_near(got[2], c(PI, -l), 1e-15);
    let got = un(Fun::Arccosh, &[c(-2.0, 0.0), c(-2.0, -0.0), c(1.0, 0.0)]);
    assert_near(got[0], c(l, PI), 1e-15);
    assert_near(got[1], c(l, -PI), 1e-15);
    assert_c(&got[2..], &[c(0.0, 0.0)]);
    let got = un(Fun::Arcsinh, &[c(0.0, 2.0), c(-0.0, 2.0)]);
    assert_near(got[0], c(l, FRAC_PI_2), 1e-15);
    assert_near(got[1], c(-l, FRAC_PI_2), 1e-15);
    // atanh(2 ± 0i) = ½ ln 3 ± iπ/2; the poles ±1 are infinite.
    let h = 0.5 * 3f64.ln();
    let got = un(
        Fun::Arctanh,
        &[c(2.0, 0.0), c(2.0, -0.0), c(1.0, 0.0), c(-1.0, 0.0)],
    );
    assert_near(got[0], c(h, FRAC_PI_2), 1e-15);
    assert_near(got[1], c(h, -FRAC_PI_2), 1e-15);
    assert_c(&got[2..], &[c(INF, 0.0), c(-INF, 0.0)]);
    let got = un(Fun::Arctan, &[c(0.0, 2.0), c(-0.0, 2.0)]);
    assert_near(got[0], c(FRAC_PI_2, h), 1e-15);
    assert_near(got[1], c(-FRAC_PI_2, h), 1e-15);
}

#[test]
fn inverse_functions_stay_accurate_at_the_extremes() {
    // Next to a branch point: atanh(1 + 1e-200 i) = ½ ln(2/1e-200) + iπ/4.
    let got = un(Fun::Arctanh, &[c(1.0, 1e-200)]);
    let re = 0.5 * (2f64.ln() + 200.0 * 10f64.ln());
    assert_near(got[0], c(re, PI / 4.0), 1e-15);
    // Tiny arguments: asin z ≈ z, atan z ≈ z, asinh z ≈ z.
    let z = c(1e-200, -3e-201);
    for fun in [Fun::Arcsin, Fun::Arctan, Fun::Arcsinh, Fun::Arctanh] {
        let got = un(fun, &[z]);
        assert_near(got[0], z, 1e-15);
    }
    // Huge arguments: asinh z ≈ ln 2z, acosh z ≈ ln 2z (finite, no overflow).
    let big = c(1e300, 1e300);
    let ln2z = c((2e300 * std::f64::consts::SQRT_2).ln(), PI / 4.0);
    for fun in [Fun::Arcsinh, Fun::Arccosh] {
        let got = un(fun, &[big]);
        assert_near(got[0], ln2z, 1e-15);
    }
    let got = un(Fun::Arctanh, &[c(1e300, 0.0), c(3.0, 1e305)]);
    assert_near(got[0], c(0.0, FRAC_PI_2), 1e-15);
    assert_near(got[1], c(0.0, FRAC_PI_2), 1e-15);
}
