//! Element semantics of bool, integer and float operations, worked out by hand, and a check
//! that every listed kernel signature is implemented.

use super::*;
use crate::hir::ReduceOp;

/// Every dtype a kernel signature can mention (two byte-string widths).
const KINDS: [DType; 8] = [
    DType::Bool,
    DType::Int32,
    DType::Int64,
    DType::Float32,
    DType::Float64,
    DType::Complex128,
    DType::Bytes(2),
    DType::Bytes(3),
];

/// A 2-element input of `dtype` (zeros, or the strings "a" and "bc" padded).
fn sample(dtype: DType) -> Array {
    let n = IxDyn(&[2]);
    match dtype {
        DType::Bool => Array::Bool(ArrayD::from_elem(n, true)),
        DType::Int32 => Array::Int32(ArrayD::from_elem(n, 3)),
        DType::Int64 => Array::Int64(ArrayD::from_elem(n, 3)),
        DType::Float32 => Array::Float32(ArrayD::from_elem(n, 0.5)),
        DType::Float64 => Array::Float64(ArrayD::from_elem(n, 0.5)),
        DType::Complex128 => Array::Complex128(ArrayD::from_elem(n, Complex64::new(0.5, 0.25))),
        DType::Bytes(w) => {
            let mut data = vec![0u8; 2 * w];
            data[0] = b'a';
            data[w] = b'b';
            data[w + 1] = b'c';
            Array::Bytes(crate::array::BytesArray {
                itemsize: w,
                data: nd(&[2, w], &data),
            })
        }
    }
}

fn dtype_of(a: &Array) -> DType {
    a.dtype()
}

#[test]
fn every_listed_signature_has_a_kernel() {
    let mut checked = 0;
    for &fun in Fun::ALL {
        let mut combos: Vec<Vec<DType>> = vec![vec![]];
        for _ in 0..fun.arity() {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    KINDS.iter().map(move |&k| {
                        let mut c = c.clone();
                        c.push(k);
                        c
                    })
                })
                .collect();
        }
        for types in combos {
            let Some(result) = fun.signature(&types) else {
                continue;
            };
            let mut b = HirBuilder::new();
            let args: Vec<u32> = types
                .iter()
                .enumerate()
                .map(|(k, &t)| b.input(&format!("x{k}"), t))
                .collect();
            b.map(fun, &args);
            let values: Vec<Array> = types.iter().map(|&t| sample(t)).collect();
            let inputs: Vec<ArrayRef<'_>> = values.iter().map(Array::as_input).collect();
            let out = evaluate(&b.build(), &inputs)
                .unwrap_or_else(|e| panic!("{fun:?} of {types:?}: {e}"));
            assert_eq!(dtype_of(&out), result, "{fun:?} of {types:?}");
            checked += 1;
        }
    }
    // Every Fun has at least one signature.
    assert!(checked > 150, "only {checked} signatures");
}

#[test]
fn every_listed_reduction_has_a_kernel() {
    let ops = [
        ReduceOp::Sum,
        ReduceOp::Prod,
        ReduceOp::Min,
        ReduceOp::Max,
        ReduceOp::Any,
        ReduceOp::All,
    ];
    let mut checked = 0;
    for op in ops {
        for kind in KINDS {
            let Some(result) = op.signature(kind) else {
                continue;
            };
            for axis in [None, Some(0), Some(-1)] {
                let mut b = HirBuilder::new();
                let x = b.input("x", kind);
                b.reduce(op, axis, x);
                let value = sample(kind);
                let out = evaluate(&b.build(), &[value.as_input()])
                    .unwrap_or_else(|e| panic!("{op:?} of {kind}: {e}"));
                assert_eq!(dtype_of(&out), result);
                checked += 1;
            }
        }
    }
    // Sum and prod: 5 kinds; min and max: 4; any and all: 1; times 3 axes.
    assert_eq!(checked, 3 * (2 * 5 + 2 * 4 + 2));
}

#[test]
fn integer_floor_division_and_modulo_follow_python() {
    let x = [
        7,
        -7,
        7,
        -7,
        6,
        -6,
        0,
        5,
        -5,
        i32::MIN,
        i32::MIN,
        i32::MAX,
        i32::MIN,
    ];
    let y = [2, 2, -2, -2, 3, 3, 4, 0, 0, -1, 1, -1, 2];
    let q: Vec<i32> = binary(Fun::FloorDiv, &x, &y);
    assert_eq!(
        q,
        [
            3,
            -4,
            -4,
            3,
            2,
            -2,
            0,
            0,
            0,
            i32::MIN,
            i32::MIN,
            -i32::MAX,
            -(1 << 30)
        ]
    );
    let r: Vec<i32> = binary(Fun::Mod, &x, &y);
    assert_eq!(r, [1, 1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Divisors at the limits, where numexpr's `((a % b) + b) % b` would overflow.
    let r: Vec<i32> = binary(
        Fun::Mod,
        &[1, -1, -2, 5],
        &[i32::MAX, i32::MIN, i32::MAX, i32::MIN],
    );
    assert_eq!(r, [1, -1, i32::MAX - 2, i32::MIN + 5]);

    let x = [i64::MIN, i64::MIN, -9, 9, 1];
    let y = [-1, 0, 4, -4, i64::MIN];
    let q: Vec<i64> = binary::<i64, i64>(Fun::FloorDiv, &x, &y);
    assert_eq!(q, [i64::MIN, 0, -3, -3, -1]);
    let r: Vec<i64> = binary::<i64, i64>(Fun::Mod, &x, &y);
    assert_eq!(r, [0, 0, 3, -3, i64::MIN + 1]);
}

#[test]
fn integer_arithmetic_wraps() {
    let add: Vec<i32> = binary(Fun::Add, &[i32::MAX, i32::MIN], &[1, -1]);
    assert_eq!(add, [i32::MIN, i32::MAX]);
    let sub: Vec<i32> = binary(Fun::Sub, &[i32::MIN], &[1]);
    assert_eq!(sub, [i32::MAX]);
    let mul: Vec<i32> = binary(Fun::Mul, &[65536, i32::MIN, 3], &[65536, -1, -7]);
    assert_eq!(mul, [0, i32::MIN, -21]);
    let mul: Vec<i64> = binary::<i64, i64>(Fun::Mul, &[1 << 32, i64::MAX], &[1 << 32, 2]);
    assert_eq!(mul, [0, -2]);
    let neg: Vec<i32> = unary(Fun::Neg, &[5, i32::MIN, 0]);
    assert_eq!(neg, [-5, i32::MIN, 0]);
    let abs: Vec<i64> = unary::<i64, i64>(Fun::Abs, &[-5, 5, i64::MIN, 0]);
    assert_eq!(abs, [5, 5, i64::MIN, 0]);
    let abs: Vec<i32> = unary(Fun::Abs, &[i32::MIN, -i32::MAX]);
    assert_eq!(abs, [i32::MIN, i32::MAX]);
}

#[test]
fn integer_bitwise_and_shifts() {
    let not: Vec<i32> = unary(Fun::Not, &[0, -1, 5]);
    assert_eq!(not, [-1, 0, -6]);
    let and: Vec<i64> = binary::<i64, i64>(Fun::And, &[12, -1], &[10, 7]);
    assert_eq!(and, [8, 7]);
    let or: Vec<i64> = binary::<i64, i64>(Fun::Or, &[12, i64::MIN], &[10, 1]);
    assert_eq!(or, [14, i64::MIN + 1]);
    let xor: Vec<i32> = binary(Fun::Xor, &[12, -1], &[10, 1]);
    assert_eq!(xor, [6, -2]);
    // Counts: in range, negative, the width, beyond it.
    let x = [1, -1, 5, 5, 5, -8, 3, 1];
    let n = [3, 1, 31, 32, -1, 2, 100, i32::MIN];
    let shl: Vec<i32> = binary(Fun::Shl, &x, &n);
    assert_eq!(shl, [8, -2, i32::MIN, 0, 0, -32, 0, 0]);
    let x = [8, -8, -8, 5, -5, -5, 7];
    let n = [2, 2, 31, 32, 32, -1, 40];
    let shr: Vec<i32> = binary(Fun::Shr, &x, &n);
    assert_eq!(shr, [2, -2, -1, 0, -1, -1, 0]);
    let shl: Vec<i64> = binary::<i64, i64>(Fun::Shl, &[1, 1, 1], &[63, 64, -64]);
    assert_eq!(shl, [i64::MIN, 0, 0]);
    let shr: Vec<i64> = binary::<i64, i64>(Fun::Shr, &[i64::MIN, i64::MIN, 9], &[63, 64, 64]);
    assert_eq!(shr, [-1, -1, 0]);
}

#[test]
fn integer_powers() {
    let base = [2, 3, -2, 2, 2, 10, 0, 0, 7];
    let exp = [10, 4, 3, 31, 32, 10, 0, 5, 1];
    let p: Vec<i32> = binary(Fun::Pow, &base, &exp);
    // 2**31 and 2**32 wrap; 10**10 = 0x2_540B_E400 keeps its low 32 bits.
    assert_eq!(p, [1024, 81, -8, i32::MIN, 0, 0x540B_E400, 1, 0, 7]);
    // Negative exponents: 1 / base**|e| in integer division.
    let base = [1, -1, -1, -1, 2, -2, 0, 5, i32::MIN];
    let exp = [-5, -4, -3, -1, -1, -2, -1, i32::MIN, -1];
    let p: Vec<i32> = binary(Fun::Pow, &base, &exp);
    assert_eq!(p, [1, 1, -1, -1, 0, 0, 0, 0, 0]);
    let p: Vec<i64> = binary::<i64, i64>(Fun::Pow, &[2, -2, 3, -1], &[63, 63, 39, i64::MAX]);
    assert_eq!(p, [i64::MIN, i64::MIN, 4_052_555_153_018_976_267, -1]);
}

#[test]
fn integer_sign_round_ones() {
    let s: Vec<i32> = unary(Fun::Sign, &[-7, 0, 9, i32::MIN]);
    assert_eq!(s, [-1, 0, 1, -1]);
    let r: Vec<i64> = unary::<i64, i64>(Fun::Round, &[-7, 0, i64::MAX]);
    assert_eq!(r, [-7, 0, i64::MAX]);
    let o: Vec<i64> = unary::<i64, i64>(Fun::OnesLike, &[-7, 0]);
    assert_eq!(o, [1, 1]);
    let lt: Vec<bool> = binary::<i64, bool>(Fun::Lt, &[i64::MIN, 3, 3], &[i64::MAX, 3, 2]);
    assert_eq!(lt, [true, false, false]);
}

#[test]
fn bool_logic_and_order() {
    let a = [false, false, true, true];
    let b = [false, true, false, true];
    let and: Vec<bool> = binary(Fun::And, &a, &b);
    assert_eq!(and, [false, false, false, true]);
    let or: Vec<bool> = binary(Fun::Or, &a, &b);
    assert_eq!(or, [false, true, true, true]);
    let xor: Vec<bool> = binary(Fun::Xor, &a, &b);
    assert_eq!(xor, [false, true, true, false]);
    let not: Vec<bool> = unary(Fun::Not, &a);
    assert_eq!(not, [true, true, false, false]);
    // false < true
    let lt: Vec<bool> = binary(Fun::Lt, &a, &b);
    assert_eq!(lt, [false, true, false, false]);
    let le: Vec<bool> = binary(Fun::Le, &a, &b);
    assert_eq!(le, [true, true, false, true]);
    let gt: Vec<bool> = binary(Fun::Gt, &a, &b);
    assert_eq!(gt, [false, false, true, false]);
    let ge: Vec<bool> = binary(Fun::Ge, &a, &b);
    assert_eq!(ge, [true, false, true, true]);
    let eq: Vec<bool> = binary(Fun::Eq, &a, &b);
    assert_eq!(eq, [true, false, false, true]);
    let ne: Vec<bool> = binary(Fun::Ne, &a, &b);
    assert_eq!(ne, [false, true, true, false]);
}

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

#[test]
fn float_division_family_with_zeros_and_infinities() {
    let x = [7.0, -7.0, 1.0, -1.0, 0.0, 5.5, 5.5, INF, 1.0, -0.0];
    let y = [2.0, 2.0, 0.0, 0.0, 0.0, -2.0, 0.0, 2.0, INF, 3.0];
    let q: Vec<f64> = binary(Fun::Div, &x, &y);
    assert_bits(&q, &[3.5, -3.5, INF, -INF, NAN, -2.75, INF, INF, 0.0, -0.0]);
    let fq: Vec<f64> = binary(Fun::FloorDiv, &x, &y);
    assert_bits(&fq, &[3.0, -4.0, INF, -INF, NAN, -3.0, INF, INF, 0.0, -0.0]);
    // a - floor(a/b)*b: 5.5 % -2 = 5.5 - (-3)(-2) = -0.5; x % 0 is NaN; 1 % inf is
    // 1 - 0*inf = NaN; -0 % 3 = -0 - (-0)(3) = +0.
    let m: Vec<f64> = binary(Fun::Mod, &x, &y);
    assert_bits(&m, &[1.0, 1.0, NAN, NAN, NAN, -0.5, NAN, NAN, NAN, 0.0]);
    // fmod keeps the dividend's sign and is exact.
    let f: Vec<f64> = binary(
        Fun::Fmod,
        &[7.0, -7.0, 5.5, 1.0, INF],
        &[2.0, 2.0, -2.0, 0.0, 1.0],
    );
    assert_bits(&f, &[1.0, -1.0, 1.5, NAN, NAN]);
}

#[test]
fn float32_is_computed_in_float32() {
    // 2**24 + 1 is not a float32: the sum rounds to even.
    let s: Vec<f32> = binary::<f32, f32>(Fun::Add, &[16_777_216.0, 0.1], &[1.0, 0.2]);
    assert_bits32(&s, &[16_777_216.0, 0.3]);
    let q: Vec<f32> = binary::<f32, f32>(Fun::Div, &[1.0], &[3.0]);
    assert_eq!(q[0].to_bits(), 0x3EAA_AAAB);
    let m: Vec<f32> = binary::<f32, f32>(Fun::Mod, &[-7.5, 7.5], &[2.0, 0.0]);
    assert_bits32(&m, &[0.5, f32::NAN]);
    let fq: Vec<f32> = binary::<f32, f32>(Fun::FloorDiv, &[-7.5], &[2.0]);
    assert_bits32(&fq, &[-4.0]);
    let p: Vec<f32> = binary::<f32, f32>(Fun::Pow, &[2.0, -8.0, 0.0], &[10.0, 1.0 / 3.0, -1.0]);
    assert_bits32(&p, &[1024.0, f32::NAN, f32::INFINITY]);
}

#[test]
fn float_powers_follow_c() {
    let x = [2.0, -8.0, 0.0, -0.0, 1.0, -1.0, NAN, 4.0];
    let y = [-1.0, 1.0 / 3.0, -1.0, -3.0, NAN, INF, 0.0, 0.5];
    let p: Vec<f64> = binary(Fun::Pow, &x, &y);
    assert_bits(&p, &[0.5, NAN, INF, -INF, 1.0, 1.0, 1.0, 2.0]);
}

#[test]
fn float_rounding_and_sign() {
    let x = [0.5, 1.5, 2.5, -0.5, -2.5, 3.7, -0.0, NAN, INF];
    let r: Vec<f64> = unary(Fun::Round, &x);
    assert_bits(&r, &[0.0, 2.0, 2.0, -0.0, -2.0, 4.0, -0.0, NAN, INF]);
    let t: Vec<f64> = unary(Fun::Trunc, &x);
    assert_bits(&t, &[0.0, 1.0, 2.0, -0.0, -2.0, 3.0, -0.0, NAN, INF]);
    let c: Vec<f64> = unary(Fun::Ceil, &x);
    assert_bits(&c, &[1.0, 2.0, 3.0, -0.0, -2.0, 4.0, -0.0, NAN, INF]);
    let f: Vec<f32> = unary::<f32, f32>(Fun::Floor, &[0.5f32, -0.5, -0.0]);
    assert_bits32(&f, &[0.0, -1.0, -0.0]);
    let s: Vec<f64> = unary(Fun::Sign, &[-3.0, 0.0, -0.0, 2.0, NAN, -INF]);
    assert_bits(&s, &[-1.0, 0.0, -0.0, 1.0, NAN, -1.0]);
    let a: Vec<f64> = unary(Fun::Abs, &[-0.0, -INF, -3.5]);
    assert_bits(&a, &[0.0, INF, 3.5]);
}

#[test]
fn float_predicates() {
    let x = [0.0, -0.0, 1.0, -INF, INF, NAN, -NAN, 5e-324];
    let v: Vec<bool> = unary(Fun::IsNan, &x);
    assert_eq!(v, [false, false, false, false, false, true, true, false]);
    let v: Vec<bool> = unary(Fun::IsFinite, &x);
    assert_eq!(v, [true, true, true, false, false, false, false, true]);
    let v: Vec<bool> = unary(Fun::IsInf, &x);
    assert_eq!(v, [false, false, false, true, true, false, false, false]);
    let v: Vec<bool> = unary(Fun::SignBit, &x);
    assert_eq!(v, [false, true, false, true, false, false, true, false]);
    let v: Vec<bool> = unary::<f32, bool>(Fun::SignBit, &[-0.0, 1.0]);
    assert_eq!(v, [true, false]);
}

#[test]
fn float_comparisons_with_nan() {
    let x = [1.0, NAN, NAN, -0.0];
    let y = [NAN, 1.0, NAN, 0.0];
    let eq: Vec<bool> = binary(Fun::Eq, &x, &y);
    assert_eq!(eq, [false, false, false, true]);
    let ne: Vec<bool> = binary(Fun::Ne, &x, &y);
    assert_eq!(ne, [true, true, true, false]);
    for fun in [Fun::Lt, Fun::Le, Fun::Gt, Fun::Ge] {
        let v: Vec<bool> = binary(fun, &x[..3], &y[..3]);
        assert_eq!(v, [false, false, false], "{fun:?}");
    }
    let le: Vec<bool> = binary::<f32, bool>(Fun::Le, &[-0.0], &[0.0]);
    assert_eq!(le, [true]);
}

#[test]
fn maximum_minimum_propagate_nan() {
    let x = [1.0, NAN, 3.0, -INF, NAN];
    let y = [2.0, 1.0, NAN, 5.0, NAN];
    let mx: Vec<f64> = binary(Fun::Maximum, &x, &y);
    assert_bits(&mx, &[2.0, NAN, NAN, 5.0, NAN]);
    let mn: Vec<f64> = binary(Fun::Minimum, &x, &y);
    assert_bits(&mn, &[1.0, NAN, NAN, -INF, NAN]);
    // +0 and -0: either zero.
    let mx: Vec<f64> = binary(Fun::Maximum, &[0.0, -0.0], &[-0.0, 0.0]);
    assert!(mx.iter().all(|&v| v == 0.0));
}

#[test]
fn nextafter_steps_one_ulp() {
    let tiny = f64::from_bits(1);
    let x = [
        0.0,
        0.0,
        1.0,
        1.0,
        -1.0,
        f64::MAX,
        INF,
        0.0,
        2.0,
        NAN,
        1.0,
        tiny,
    ];
    let y = [
        1.0, -1.0, 2.0, 0.0, -2.0, INF, 0.0, -0.0, 2.0, 1.0, NAN, 0.0,
    ];
    let n: Vec<f64> = binary(Fun::NextAfter, &x, &y);
    let expect = [
        tiny,
        -tiny,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        -1.0 - f64::EPSILON,
        INF,
        f64::MAX,
        -0.0, // equal arguments give the second one
        2.0,
        NAN,
        NAN,
        0.0,
    ];
    assert_bits(&n, &expect);
}

#[test]
fn copysign_hypot_arctan2() {
    let c: Vec<f64> = binary(
        Fun::CopySign,
        &[3.0, 3.0, -0.0, NAN],
        &[-0.0, 1.0, 1.0, -1.0],
    );
    assert_bits(&c[..3], &[-3.0, 3.0, 0.0]);
    assert!(c[3].is_nan() && c[3].is_sign_negative());
    let h: Vec<f64> = binary(Fun::Hypot, &[3.0, INF, NAN, 1e300], &[4.0, NAN, INF, 1e300]);
    assert_bits(&h[..3], &[5.0, INF, INF]);
    assert!((h[3] / 1.414_213_562_373_095e300 - 1.0).abs() < 1e-15);
    let a: Vec<f64> = binary(
        Fun::Arctan2,
        &[0.0, -0.0, 1.0, 0.0],
        &[-1.0, -1.0, 0.0, 1.0],
    );
    use std::f64::consts::{FRAC_PI_2, PI};
    assert_bits(&a, &[PI, -PI, FRAC_PI_2, 0.0]);
    let a: Vec<f32> = binary::<f32, f32>(Fun::Arctan2, &[1.0], &[1.0]);
    assert_bits32(&a, &[std::f32::consts::FRAC_PI_4]);
}

#[test]
fn transcendental_exact_points() {
    use std::f64::consts::{E, FRAC_PI_2, FRAC_PI_4, LN_2};
    let cases: [(Fun, f64, f64); 16] = [
        (Fun::Sqrt, 2.25, 1.5),
        (Fun::Sqrt, -0.0, -0.0),
        (Fun::Exp, 0.0, 1.0),
        (Fun::Exp, 1.0, E),
        (Fun::Log, 1.0, 0.0),
        (Fun::Log, 0.0, -INF),
        (Fun::Log2, 8.0, 3.0),
        (Fun::Log10, 1000.0, 3.0),
        (Fun::Log1p, -1.0, -INF),
        (Fun::Expm1, -INF, -1.0),
        (Fun::Arcsin, 1.0, FRAC_PI_2),
        (Fun::Arctan, 1.0, FRAC_PI_4),
        (Fun::Arccos, 1.0, 0.0),
        (Fun::Tanh, INF, 1.0),
        (Fun::Arcsinh, -0.0, -0.0),
        (Fun::Log, 2.0, LN_2),
    ];
    for (fun, x, expect) in cases {
        let got: Vec<f64> = unary(fun, &[x]);
        assert_bits(&got, &[expect]);
    }
    for (fun, x) in [(Fun::Sqrt, -1.0), (Fun::Log, -1.0), (Fun::Arcsin, 1.5)] {
        let got: Vec<f64> = unary(fun, &[x]);
        assert!(got[0].is_nan(), "{fun:?}({x})");
    }
}

#[test]
fn inverse_hyperbolics_at_their_edges() {
    let x = [1.0, 0.5, NAN, INF, f64::MAX];
    let v: Vec<f64> = unary(Fun::Arccosh, &x);
    // acosh(MAX) = ln(MAX) + ln 2 = 709.782712893384 + 0.693147180559945 (std's formula
    // overflows to inf here).
    assert_bits(&v[..4], &[0.0, NAN, NAN, INF]);
    assert!((v[4] - 710.475_860_073_943_9).abs() < 1e-12, "{}", v[4]);
    let v: Vec<f64> = unary(Fun::Arctanh, &[1.0, -1.0, 2.0, -0.0, 0.5]);
    // atanh(0.5) = ½ ln 3
    assert_bits(&v[..4], &[INF, -INF, NAN, -0.0]);
    assert!((v[4] - 0.5 * 3f64.ln()).abs() < 2.5e-16);
    let v: Vec<f64> = unary(Fun::Arcsinh, &[-INF, f64::MAX, 1e-300]);
    assert_bits(&v[..1], &[-INF]);
    assert!((v[1] - 710.475_860_073_943_9).abs() < 1e-12);
    assert_bits(&v[2..], &[1e-300]);
    // Near 1, acosh(1 + t) ~ sqrt(2t): relative accuracy kept (std's loses it all).
    let t: f64 = 1e-12;
    let v: Vec<f64> = unary(Fun::Arccosh, &[1.0 + t]);
    let t = (1.0 + t) - 1.0;
    assert!((v[0] / (2.0 * t).sqrt() - 1.0).abs() < 1e-12, "{}", v[0]);
    let v: Vec<f32> = unary::<f32, f32>(Fun::Arccosh, &[1.0, f32::MAX]);
    assert_eq!(v[0], 0.0);
    assert!((v[1] - 89.415_985).abs() < 1e-4);
}

#[test]
fn real_imag_conj_complex_of_float64() {
    let x = [1.5, -0.0, NAN];
    let r: Vec<f64> = unary(Fun::Real, &x);
    assert_bits(&r, &x);
    let i: Vec<f64> = unary(Fun::Imag, &x);
    assert_bits(&i, &[0.0, 0.0, 0.0]);
    let c: Vec<f64> = unary(Fun::Conj, &x);
    assert_bits(&c, &x);
    let z: Vec<Complex64> = binary(Fun::Complex, &[1.0, -0.0], &[-2.0, NAN]);
    assert_bits(
        &[z[0].re, z[0].im, z[1].re, z[1].im],
        &[1.0, -2.0, -0.0, NAN],
    );
    let o: Vec<f64> = unary(Fun::OnesLike, &[NAN, -3.0]);
    assert_bits(&o, &[1.0, 1.0]);
    let n: Vec<f32> = unary::<f32, f32>(Fun::Neg, &[0.0, -1.0]);
    assert_bits32(&n, &[-0.0, 1.0]);
}

#[test]
fn where_selects_per_element() {
    let mut b = HirBuilder::new();
    let c = b.input("c", DType::Bool);
    let x = b.input("x", DType::Int64);
    let y = b.input("y", DType::Int64);
    b.map(Fun::Where, &[c, x, y]);
    let (cv, xv, yv) = (
        vec1(&[true, false, true]),
        vec1(&[1i64, 2, 3]),
        vec1(&[-1i64, -2, -3]),
    );
    let out = i64::out(eval(
        &b.build(),
        &[
            bool::view(cv.view()),
            i64::view(xv.view()),
            i64::view(yv.view()),
        ],
    ));
    assert_eq!(out.into_iter().collect::<Vec<_>>(), [1, -2, 3]);

    // Broadcasting all three: a (2,1) condition, a (3,) branch and a constant.
    let mut b = HirBuilder::new();
    let c = b.input("c", DType::Bool);
    let x = b.input("x", DType::Float64);
    let k = b.constant(0.5);
    b.map(Fun::Where, &[c, x, k]);
    let (cv, xv) = (nd(&[2, 1], &[true, false]), vec1(&[1.0, 2.0, 3.0]));
    let out = f64::out(eval(
        &b.build(),
        &[bool::view(cv.view()), f64::view(xv.view())],
    ));
    assert_eq!(out, nd(&[2, 3], &[1.0, 2.0, 3.0, 0.5, 0.5, 0.5]));
}
