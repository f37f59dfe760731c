//! vexpr's own rule for every case where it deliberately differs from numexpr: the corpus
//! cases marked `departure` and those listed in `tests/conformance.rs` (LANGUAGE.md, "numexpr
//! defects we do not copy", and the extensions in its grammar, types and functions). Expected
//! values are worked out by hand from the spec.

use ndarray::{Array2, ArrayD, IxDyn, arr1};
use num_complex::Complex64;
use vexpr::{Array, DType, ErrorKind, Vars, evaluate};

fn eval(expr: &str, vars: &Vars<'_>) -> Array {
    evaluate(expr, vars).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn err(expr: &str, vars: &Vars<'_>) -> ErrorKind {
    match evaluate(expr, vars) {
        Ok(a) => panic!("{expr}: expected an error, got {a:?}"),
        Err(e) => e.kind(),
    }
}

fn f64s(a: Array) -> Vec<f64> {
    a.into_f64().expect("float64").iter().copied().collect()
}

#[test]
fn reflected_floor_division_and_bitwise_operators() {
    let x = [1.0, 2.0, -2.0, 4.0];
    let i = [2i32, -2, 0, 7];
    let vars = Vars::new().with("x", &x).with("i", &i);
    // floor(2.5 / x): 2.5, 1.25, -1.25, 0.625
    assert_eq!(f64s(eval("2.5 // x", &vars)), [2.0, 1.0, -2.0, 0.0]);
    // 7 // i: 3, -4 (floor of -3.5), 0 (division by zero), 1
    assert_eq!(
        eval("7 // i", &vars)
            .into_i32()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        [3, -4, 0, 1]
    );
    // 1 | i: 3, -1 (..110 | 1 = ..111), 1, 7;  7 ^ i: 5, -7, 7, 0
    assert_eq!(
        eval("1 | i", &vars)
            .into_i32()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        [3, -1, 1, 7]
    );
    assert_eq!(
        eval("7 ^ i", &vars)
            .into_i32()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        [5, -7, 7, 0]
    );
    assert_eq!(
        eval("12 & i", &vars)
            .into_i32()
            .unwrap()
            .into_raw_vec_and_offset()
            .0,
        [0, 12, 0, 4]
    );
}

#[test]
fn abs_of_integers_keeps_the_kind() {
    let i = [-3i32, 0, i32::MIN, 5];
    let l = [-2i64, 3];
    let b = [true, false];
    let vars = Vars::new().with("i", &i).with("l", &l).with("b", &b);
    let a = eval("abs(i)", &vars);
    assert_eq!(a.dtype(), DType::Int32);
    // abs(INT_MIN) wraps to INT_MIN, as the integer kernels wrap everywhere.
    assert_eq!(
        a.into_i32().unwrap().into_raw_vec_and_offset().0,
        [3, 0, i32::MIN, 5]
    );
    assert_eq!(eval("abs(l)", &vars).dtype(), DType::Int64);
    // abs(int64) + abs(bool) is int64 + float32, which is float32: [2 + 1, 3 + 0].
    let s = eval("abs(l) + abs(b)", &vars);
    assert_eq!(
        s.into_f32().unwrap().into_raw_vec_and_offset().0,
        [3.0, 3.0]
    );
}

#[test]
fn complex_of_two_integer_arrays() {
    let i = [1i32, 2];
    let j = [3i64, -4];
    let vars = Vars::new().with("i", &i).with("j", &j);
    let z = eval("complex(i, j)", &vars).into_c128().unwrap();
    assert_eq!(
        z.into_raw_vec_and_offset().0,
        [Complex64::new(1.0, 3.0), Complex64::new(2.0, -4.0)]
    );
}

#[test]
fn min_and_max_propagate_nan() {
    let x = Array2::from_shape_vec((2, 3), vec![1.0, f64::NAN, -1.0, 4.0, 5.0, 6.0]).unwrap();
    let vars = Vars::new().with("x", &x);
    assert!(eval("min(x)", &vars).into_f64().unwrap()[[]].is_nan());
    assert!(eval("max(x)", &vars).into_f64().unwrap()[[]].is_nan());
    // Along axis 0: column 1 has the NaN.
    let m = f64s(eval("min(x, axis=0)", &vars));
    assert_eq!((m[0], m[2]), (1.0, -1.0));
    assert!(m[1].is_nan());
    // Along axis 1: only row 0 has it.
    let m = f64s(eval("max(x, axis=1)", &vars));
    assert!(m[0].is_nan());
    assert_eq!(m[1], 6.0);
}

#[test]
fn reductions_of_empty_arrays_reduce() {
    let empty: [f64; 0] = [];
    let e2 = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    let vars = Vars::new().with("x", &empty).with("y", &e2);
    let s = eval("sum(x)", &vars);
    assert_eq!((s.shape().to_vec(), f64s(s)), (vec![], vec![0.0]));
    assert_eq!(f64s(eval("prod(x)", &vars)), [1.0]);
    assert_eq!(f64s(eval("sum(x, axis=0)", &vars)), [0.0]);
    // Reducing the non-empty axis of a (0, 3) array leaves an empty (0,) result.
    assert_eq!(eval("sum(y, axis=1)", &vars).shape(), [0]);
    assert_eq!(eval("sum(y, axis=0)", &vars).shape(), [3]);
    assert_eq!(f64s(eval("sum(y, axis=0)", &vars)), [0.0; 3]);
    // min/max have no identity: an empty reduction is an error, as in NumPy.
    assert_eq!(err("max(x)", &vars), ErrorKind::Shape);
    assert_eq!(err("min(y, axis=0)", &vars), ErrorKind::Shape);
}

#[test]
fn upper_case_imaginary_unit() {
    let x = [1.0, 2.0];
    let vars = Vars::new().with("x", &x);
    let z = eval("x + 1.5J", &vars).into_c128().unwrap();
    assert_eq!(z[[1]], Complex64::new(2.0, 1.5));
}

#[test]
fn functions_of_literals_fold_at_the_literal_kind() {
    let i = [1i32, 2];
    let a = [1.5f32, -2.0];
    let vars = Vars::new().with("i", &i).with("a", &a);
    // abs(-3) and round(10) are int32 constants, so the sums stay int32.
    let r = eval("i + abs(-3)", &vars);
    assert_eq!(r.into_i32().unwrap().into_raw_vec_and_offset().0, [4, 5]);
    assert_eq!(eval("i + round(10)", &vars).dtype(), DType::Int32);
    // real(3) is float64, so where(.., float64, float32) is float64: a*a everywhere.
    let w = eval("where(a > a, real(3), a * a)", &vars);
    assert_eq!(f64s(w), [2.25, 4.0]);
    // conj(True) is complex128, which has no order.
    assert_eq!(err("conj(True) <= a", &vars), ErrorKind::Type);
}

#[test]
fn a_lone_string_constant_is_a_zero_dimensional_string() {
    let vars = Vars::new();
    for src in ["'abc'", "b'abc'"] {
        let s = eval(src, &vars);
        assert_eq!((s.dtype(), s.shape().to_vec()), (DType::Bytes(3), vec![]));
        assert_eq!(s.into_bytes().unwrap().get(&[]).unwrap(), b"abc");
    }
}

#[test]
fn chained_comparisons_and_logical_keywords() {
    let a = [1.0, 2.0, 3.0];
    let b = [2.0, 2.0, 2.0];
    let c = [3.0, 1.0, 3.0];
    let p = [true, true, false];
    let q = [true, false, false];
    let vars = Vars::new()
        .with("a", &a)
        .with("b", &b)
        .with("c", &c)
        .with("p", &p)
        .with("q", &q);
    let bools = |e: &str| {
        eval(e, &vars)
            .into_bool()
            .unwrap()
            .into_raw_vec_and_offset()
            .0
    };
    // a < b < c is (a < b) & (b < c): [T&T, F&F, F&T]
    assert_eq!(bools("a < b < c"), [true, false, false]);
    // a == b == c: [F, T&F, F]
    assert_eq!(bools("a == b == c"), [false, false, false]);
    // a < b > c: [T&F, F, F]
    assert_eq!(bools("a < b > c"), [false, false, false]);
    assert_eq!(bools("b <= b >= a"), [true, true, false]);
    assert_eq!(bools("p and q"), [true, false, false]);
    assert_eq!(bools("p or q"), [true, true, false]);
    assert_eq!(bools("not p"), [false, false, true]);
    assert_eq!(bools("not p or q and p"), [true, false, true]);
    // x if c else y is where(c, x, y): [a0, c1, c2]
    assert_eq!(f64s(eval("a if p and q else c", &vars)), [1.0, 1.0, 3.0]);
    assert_eq!(
        f64s(eval("a if a > b else c if p else b", &vars)),
        [3.0, 1.0, 3.0]
    );
}

#[test]
fn where_kind_never_depends_on_folding() {
    let x = [1i32, 2];
    let y = [0.5, 0.5];
    let vars = Vars::new().with("x", &x).with("y", &y);
    // The common kind of int32 and float64 is float64; the condition picks x.
    let w = eval("where(True, x, y)", &vars);
    assert_eq!(f64s(w), [1.0, 2.0]);
    let w = eval("-(where(0.1 != 2.5, 3, 1j) + y)", &vars)
        .into_c128()
        .unwrap();
    assert_eq!(w[[0]], Complex64::new(-3.5, -0.0));
    // The condition must be bool: an int constant is a type error.
    assert_eq!(err("where(0, x, 2)", &vars), ErrorKind::Type);
}

#[test]
fn contains_treats_nul_as_an_ordinary_byte() {
    let x = [&b"a\0b"[..], b"ab", b"\0"]
        .into_iter()
        .collect::<vexpr::BytesArray>();
    let vars = Vars::new().with("x", &x);
    let r = eval("contains(x, 'b')", &vars).into_bool().unwrap();
    assert_eq!(r.into_raw_vec_and_offset().0, [true, true, false]);
}

#[test]
fn more_than_63_variables() {
    let names: Vec<String> = (0..100).map(|k| format!("v{k}")).collect();
    let data: Vec<[f64; 2]> = (0..100).map(|k| [k as f64, 1.0]).collect();
    let mut vars = Vars::new();
    for (n, d) in names.iter().zip(&data) {
        vars.insert(n, d);
    }
    let sum = eval(&names.join(" + "), &vars);
    // 0 + 1 + ... + 99 = 4950, and 100 ones.
    assert_eq!(f64s(sum), [4950.0, 100.0]);
}

#[test]
fn sum_of_bools_counts_the_trues() {
    let b = Array2::from_shape_vec((2, 3), vec![true, false, true, true, true, false]).unwrap();
    let vars = Vars::new().with("b", &b);
    let s = eval("sum(b)", &vars);
    assert_eq!(s.dtype(), DType::Int64);
    assert_eq!(s.into_i64().unwrap()[[]], 4);
    let by_col = eval("sum(b, axis=0)", &vars).into_i64().unwrap();
    assert_eq!(by_col, arr1(&[2i64, 1, 1]).into_dyn());
    let x = [1.0, 5.0, 3.0];
    let vars = Vars::new().with("x", &x);
    assert_eq!(eval("sum(x > 2)", &vars).into_i64().unwrap()[[]], 2);
}

#[test]
fn negative_axes_count_from_the_end() {
    let x = Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let vars = Vars::new().with("x", &x);
    assert_eq!(f64s(eval("sum(x, -1)", &vars)), [6.0, 15.0]);
    assert_eq!(f64s(eval("sum(x, axis=-2)", &vars)), [5.0, 7.0, 9.0]);
    assert_eq!(err("sum(x, axis=-3)", &vars), ErrorKind::Axis);
    assert_eq!(err("sum(x, axis=2)", &vars), ErrorKind::Axis);
}

#[test]
fn reductions_anywhere_in_an_expression() {
    // The corpus's x is 5x7; a 2x3 one shows the same rule.
    let x = Array2::from_shape_vec((2, 3), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let vars = Vars::new().with("x", &x);
    assert_eq!(f64s(eval("sum(x) + 1", &vars)), [22.0]);
    assert_eq!(f64s(eval("sum(sum(x))", &vars)), [21.0]);
    // vexpr's sin is within 2 ulps of the correctly rounded value.
    let s = f64s(eval("sin(sum(x))", &vars))[0];
    assert!((s - 21f64.sin()).abs() <= 2.0 * f64::EPSILON, "{s}");
    assert_eq!(f64s(eval("sum(x, axis=0) * 2", &vars)), [10.0, 14.0, 18.0]);
    assert_eq!(f64s(eval("sum(x) + sum(x)", &vars)), [42.0]);
    // error-0037: numexpr has no `mean`.
    assert_eq!(f64s(eval("mean(x)", &vars)), [3.5]);
    assert_eq!(f64s(eval("mean(x, axis=1)", &vars)), [2.0, 5.0]);
}

#[test]
fn where_selects_byte_strings() {
    let c = [true, false, true];
    let s = [&b"ab"[..], b"cd", b"e"]
        .into_iter()
        .collect::<vexpr::BytesArray>();
    let t = [&b"xyz"[..], b"w", b"v"]
        .into_iter()
        .collect::<vexpr::BytesArray>();
    let vars = Vars::new().with("c", &c).with("s", &s).with("t", &t);
    let r = eval("where(c, s, t)", &vars).into_bytes().unwrap();
    assert_eq!(r.itemsize(), 3);
    let items: Vec<&[u8]> = (0..3).map(|k| r.get(&[k]).unwrap()).collect();
    assert_eq!(items, [&b"ab"[..], b"w", b"e"]);
    let r = eval("where(c, 'a', 'bcd')", &vars).into_bytes().unwrap();
    assert_eq!(r.get(&[1]).unwrap(), b"bcd");
}

#[test]
fn integer_min_and_max_are_exact() {
    let big = [(1i64 << 62) + 1, (1 << 62) + 3, (1 << 62) + 5];
    let vars = Vars::new().with("x", &big);
    assert_eq!(eval("min(x)", &vars).into_i64().unwrap()[[]], (1 << 62) + 1);
    assert_eq!(eval("max(x)", &vars).into_i64().unwrap()[[]], (1 << 62) + 5);
    let small = [3i32, -7, 5];
    let vars = Vars::new().with("x", &small);
    assert_eq!(eval("min(x)", &vars).into_i32().unwrap()[[]], -7);
}
