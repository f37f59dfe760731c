//! Every allowed cast, with the values where conversions round or keep signs.

use super::*;

/// `cast(x)` to `to` over a 1-d input.
fn cast<T: Elem, R: Elem>(xs: &[T]) -> Vec<R> {
    let mut b = HirBuilder::new();
    let x = b.input("x", T::DTYPE);
    b.cast(x, R::DTYPE);
    let a = vec1(xs);
    R::out(eval(&b.build(), &[T::view(a.view())]))
        .into_iter()
        .collect()
}

fn c(re: f64) -> Complex64 {
    Complex64::new(re, 0.0)
}

#[test]
fn bool_counts_as_zero_and_one() {
    let b = [false, true];
    assert_eq!(cast::<bool, i32>(&b), [0, 1]);
    assert_eq!(cast::<bool, i64>(&b), [0, 1]);
    assert_eq!(cast::<bool, f32>(&b), [0.0, 1.0]);
    assert_eq!(cast::<bool, f64>(&b), [0.0, 1.0]);
    assert_eq!(cast::<bool, Complex64>(&b), [c(0.0), c(1.0)]);
}

#[test]
fn ints_widen_exactly() {
    let x = [i32::MIN, -1, 0, i32::MAX];
    assert_eq!(cast::<i32, i64>(&x), [-2_147_483_648, -1, 0, 2_147_483_647]);
    assert_eq!(
        cast::<i32, f64>(&x),
        [-2_147_483_648.0, -1.0, 0.0, 2_147_483_647.0]
    );
    assert_eq!(cast::<i32, Complex64>(&[-3, 7]), [c(-3.0), c(7.0)]);
}

#[test]
fn ints_to_float_round_to_nearest_even() {
    // 2**24 + 1 lies halfway between two float32s: the even one (2**24) wins; 2**24 + 3
    // rounds up to 2**24 + 4.
    let x = [16_777_217, 16_777_219, -16_777_217, i32::MAX];
    assert_eq!(
        cast::<i32, f32>(&x),
        [16_777_216.0, 16_777_220.0, -16_777_216.0, 2_147_483_648.0]
    );
    let x = [
        (1i64 << 53) + 1,
        (1 << 53) + 3,
        i64::MIN,
        i64::MAX,
        16_777_217,
    ];
    assert_eq!(
        cast::<i64, f64>(&x),
        [
            9_007_199_254_740_992.0,
            9_007_199_254_740_996.0,
            -9_223_372_036_854_775_808.0,
            9_223_372_036_854_775_808.0,
            16_777_217.0
        ]
    );
    assert_eq!(
        cast::<i64, f32>(&[16_777_217, i64::MAX]),
        [16_777_216.0, 9_223_372_036_854_775_808.0]
    );
    assert_eq!(
        cast::<i64, Complex64>(&[(1 << 53) + 1]),
        [c(9_007_199_254_740_992.0)]
    );
}

#[test]
fn floats_widen_keeping_signs_and_specials() {
    let x = [0.1f32, -0.0, f32::INFINITY, f32::NAN, f32::from_bits(1)];
    let got = cast::<f32, f64>(&x);
    assert_bits(
        &got,
        &[
            0.100_000_001_490_116_12,
            -0.0,
            f64::INFINITY,
            f64::NAN,
            2f64.powi(-149),
        ],
    );
    let got = cast::<f32, Complex64>(&[-0.0, 0.5]);
    assert_bits(&[got[0].re, got[0].im, got[1].re], &[-0.0, 0.0, 0.5]);
    let got = cast::<f64, Complex64>(&[f64::NAN, -2.5]);
    assert!(got[0].re.is_nan() && got[0].im == 0.0);
    assert_eq!(got[1], c(-2.5));
}

#[test]
fn casts_of_constants_and_chains() {
    // (int32 3 -> int64) * (float32 0.5 -> float64 -> complex): each step an explicit Cast.
    let mut b = HirBuilder::new();
    let three = b.constant(3i32);
    let wide = b.cast(three, DType::Int64);
    let as_f64 = b.cast(wide, DType::Float64);
    let half = b.constant(0.5f32);
    let half = b.cast(half, DType::Float64);
    let prod = b.map(Fun::Mul, &[as_f64, half]);
    b.cast(prod, DType::Complex128);
    let out = Complex64::out(eval(&b.build(), &[]));
    assert_eq!(out.shape(), &[] as &[usize]);
    assert_eq!(out[[]], c(1.5));
}
