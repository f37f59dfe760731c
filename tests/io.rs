//! Arrays in and out through the public API: `Input` from every element type and form,
//! `Vars` and `Signature`, `Output` construction, `Array` conversions, and `Display` checked
//! against NumPy's `repr` (fixtures written by `scripts/gen_repr_fixtures.py`).

use ndarray::{
    ArcArray, Array0, Array1, Array2, Array3, ArrayD, CowArray, IxDyn, ShapeBuilder, arr1, arr2, s,
};
use num_complex::{Complex, Complex64};
use vexpr::{Array, BytesArray, DType, ErrorKind, Input, Output, Scalar, Signature, Vars};

/// The value of an input, as a flat list of `f64`-comparable numbers in logical (C) order.
fn values_f64(input: &Input<'_>) -> Vec<f64> {
    match input.to_array() {
        Array::Bool(a) => a.iter().map(|&b| f64::from(u8::from(b))).collect(),
        Array::Int32(a) => a.iter().map(|&x| f64::from(x)).collect(),
        Array::Int64(a) => a.iter().map(|&x| x as f64).collect(),
        Array::Float32(a) => a.iter().map(|&x| f64::from(x)).collect(),
        Array::Float64(a) => a.iter().copied().collect(),
        other => panic!("not a real kind: {other}"),
    }
}

#[test]
fn every_element_type_maps_to_its_kind() {
    let cases: Vec<(Input<'static>, DType)> = vec![
        (Input::from(true), DType::Bool),
        (Input::from(1i32), DType::Int32),
        (Input::from(1i64), DType::Int64),
        (Input::from(1f32), DType::Float32),
        (Input::from(1f64), DType::Float64),
        (Input::from(Complex64::new(1.0, 2.0)), DType::Complex128),
        (Input::from(1i8), DType::Int32),
        (Input::from(1u8), DType::Int32),
        (Input::from(1i16), DType::Int32),
        (Input::from(1u16), DType::Int32),
        (Input::from(1u32), DType::Int64),
        (
            Input::from(Complex::<f32>::new(1.0, 2.0)),
            DType::Complex128,
        ),
    ];
    for (input, dtype) in cases {
        assert_eq!(input.dtype(), dtype);
        assert_eq!(input.shape(), &[] as &[usize]);
        assert_eq!(input.ndim(), 0);
    }
}

#[test]
fn every_form_of_array_is_accepted() {
    let owned = arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let dynamic: ArrayD<f64> = owned.clone().into_dyn();
    let arc: ArcArray<f64, _> = owned.clone().into_shared();
    let cow: CowArray<'_, f64, _> = CowArray::from(owned.view());
    let as_ref: &ndarray::ArrayRef<f64, _> = &owned;
    let vec = vec![1.0, 2.0, 3.0];
    let array = [1.0, 2.0, 3.0];
    let forms: Vec<(Input<'_>, Vec<usize>)> = vec![
        (Input::from(&owned), vec![2, 3]),
        (Input::from(&dynamic), vec![2, 3]),
        (Input::from(&arc), vec![2, 3]),
        (Input::from(&cow), vec![2, 3]),
        (Input::from(as_ref), vec![2, 3]),
        (Input::from(owned.view()), vec![2, 3]),
        (Input::from(&vec), vec![3]),
        (Input::from(&vec[..]), vec![3]),
        (Input::from(&array), vec![3]),
        (Input::from(4.0), vec![]),
    ];
    for (input, shape) in &forms {
        assert_eq!(input.dtype(), DType::Float64);
        assert_eq!(input.shape(), shape.as_slice());
    }
    assert_eq!(values_f64(&forms[3].0), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(values_f64(&forms[8].0), [1.0, 2.0, 3.0]);
    assert_eq!(values_f64(&forms[9].0), [4.0]);
}

#[test]
fn strided_transposed_broadcast_and_fortran_views_keep_logical_order() {
    let a = Array1::from_iter((0..8).map(f64::from));
    // s![..;-2]: 7, 5, 3, 1
    assert_eq!(
        values_f64(&Input::from(a.slice(s![..;-2]))),
        [7.0, 5.0, 3.0, 1.0]
    );
    let m = arr2(&[[1i64, 2, 3], [4, 5, 6]]);
    let t = Input::from(m.t());
    assert_eq!(t.shape(), &[3, 2]);
    assert_eq!(values_f64(&t), [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let row = arr1(&[1i32, 2, 3]);
    let b = Input::from(row.broadcast((2, 3)).unwrap());
    assert_eq!(b.shape(), &[2, 3]);
    assert_eq!(values_f64(&b), [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
    let mut f = Array2::<f32>::zeros((2, 3).f());
    f[[0, 1]] = 1.5;
    f[[1, 0]] = -2.0;
    let fi = Input::from(&f);
    assert_eq!(values_f64(&fi), [0.0, 1.5, 0.0, -2.0, 0.0, 0.0]);
    // A column of a C-order array: non-contiguous.
    let col = Input::from(m.column(2));
    assert_eq!(values_f64(&col), [3.0, 6.0]);
    // Bool and complex views too.
    let flags = arr2(&[[true, false], [false, false]]);
    assert_eq!(values_f64(&Input::from(flags.t())), [1.0, 0.0, 0.0, 0.0]);
    let z = arr1(&[Complex64::new(1.0, -1.0), Complex64::new(2.0, 0.5)]);
    let zi = Input::from(z.slice(s![..;-1]))
        .to_array()
        .into_c128()
        .unwrap();
    assert_eq!(
        zi,
        arr1(&[Complex64::new(2.0, 0.5), Complex64::new(1.0, -1.0)]).into_dyn()
    );
}

#[test]
fn widening_is_exact_at_the_type_limits() {
    let u8s = [0u8, 255];
    let i8s = [-128i8, 127];
    let i16s = [i16::MIN, i16::MAX];
    let u16s = [0u16, u16::MAX];
    let u32s = [4_000_000_000u32, u32::MAX];
    let cases: Vec<(Input<'_>, Array)> = vec![
        (Input::from(&u8s), Array::from(arr1(&[0i32, 255]))),
        (Input::from(&i8s[..]), Array::from(arr1(&[-128i32, 127]))),
        (Input::from(&i16s), Array::from(arr1(&[-32768i32, 32767]))),
        (Input::from(&u16s), Array::from(arr1(&[0i32, 65535]))),
        (
            Input::from(&u32s),
            Array::from(arr1(&[4_000_000_000i64, 4_294_967_295])),
        ),
        (Input::from(255u8), Array::from(ndarray::arr0(255i32))),
        (Input::from(-128i8), Array::from(ndarray::arr0(-128i32))),
    ];
    for (input, expected) in cases {
        assert_eq!(input.to_array(), expected);
    }
    // 2-d, strided, widened: the copy is in logical order.
    let m = Array2::<u16>::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as u16 * 1000);
    let w = Input::from(m.slice(s![.., ..;-1]));
    assert_eq!(
        w.to_array(),
        Array::from(arr2(&[[2000i32, 1000, 0], [5000, 4000, 3000]]))
    );
    // complex64 -> complex128 keeps both parts exactly.
    let c = [Complex::<f32>::new(0.1, -3.5)];
    let wide = Input::from(&c).to_array().into_c128().unwrap();
    assert_eq!(wide[[0]], Complex64::new(f64::from(0.1f32), -3.5));
}

#[test]
fn uint64_only_by_explicit_wrapping() {
    let big = arr1(&[u64::MAX, 1u64 << 63, 7]);
    let input = Input::from_u64_wrapping(&big);
    assert_eq!(input.dtype(), DType::Int64);
    assert_eq!(input.to_array(), Array::from(arr1(&[-1i64, i64::MIN, 7])));
    let reversed = Input::from_u64_wrapping(big.slice(s![..;-1]));
    assert_eq!(
        reversed.to_array(),
        Array::from(arr1(&[7i64, i64::MIN, -1]))
    );
    let slice = [u64::MAX];
    assert_eq!(Input::from_u64_wrapping(&slice[..]).shape(), &[1]);
}

#[test]
fn results_and_byte_strings_can_be_inputs() {
    let result = Array::from(arr2(&[[1i32, 2], [3, 4]]));
    let borrowed = Input::from(&result);
    assert_eq!(
        (borrowed.dtype(), borrowed.shape()),
        (DType::Int32, &[2, 2][..])
    );
    assert_eq!(borrowed.to_array(), result);
    let moved = Input::from(result.clone());
    assert_eq!(moved.to_array(), result);

    let names = BytesArray::from_items(["ab", "cde", ""], &[3]).unwrap();
    let b = Input::from(&names);
    assert_eq!((b.dtype(), b.shape()), (DType::Bytes(3), &[3][..]));
    assert_eq!(b.to_array(), Array::Bytes(names.clone()));
    let helper = Input::byte_strings([&b"ab"[..], b"cde", b""]);
    assert_eq!(helper.to_array(), Array::Bytes(names));
    let scalar = Input::from(Array::from_scalar(Scalar::Bytes(b"xy".to_vec())));
    assert_eq!((scalar.dtype(), scalar.ndim()), (DType::Bytes(2), 0));
}

#[test]
fn vars_insert_replace_remove() {
    let a = arr1(&[1.0, 2.0]);
    let n = vec![1i32, 2, 3];
    let mut vars = Vars::new().with("a", &a).with("n", &n);
    assert_eq!((vars.len(), vars.is_empty()), (2, false));
    vars.insert("a", 3i64); // replaces, keeps the position
    assert_eq!(vars.names().collect::<Vec<_>>(), ["a", "n"]);
    assert_eq!(vars.get("a").map(Input::dtype), Some(DType::Int64));
    let removed = vars.remove("n").unwrap();
    assert_eq!(removed.shape(), &[3]);
    assert!(vars.remove("n").is_none());
    assert!(vars.get("n").is_none());
    assert_eq!(vars.len(), 1);
    assert!(Vars::new().is_empty());
}

#[test]
fn signatures_from_vars_and_by_hand_agree() {
    let a = arr1(&[1.0f32]);
    let k = [1u32, 2];
    let vars = Vars::new().with("a", &a).with("k", &k).with("flag", true);
    let by_hand = Signature::new()
        .with("a", DType::Float32)
        .with("k", DType::Int64)
        .with("flag", DType::Bool);
    assert_eq!(vars.signature(), by_hand);
    assert_eq!(by_hand.get("k"), Some(DType::Int64));
    assert_eq!(by_hand.get("zz"), None);
    let listed: Vec<(&str, DType)> = by_hand.iter().collect();
    assert_eq!(
        listed,
        [
            ("a", DType::Float32),
            ("k", DType::Int64),
            ("flag", DType::Bool)
        ]
    );
    let mut sig = Signature::new();
    assert!(sig.is_empty());
    sig.insert("x", DType::Int32);
    sig.insert("x", DType::Bytes(4));
    assert_eq!((sig.len(), sig.get("x")), (1, Some(DType::Bytes(4))));
}

#[test]
fn outputs_from_every_form() {
    let mut owned = Array2::<f64>::zeros((2, 3));
    assert_eq!(Output::from(&mut owned).shape(), &[2, 3]);
    assert_eq!(Output::from(owned.slice_mut(s![.., ..;2])).shape(), &[2, 2]);
    assert_eq!(
        Output::from(owned.view_mut().reversed_axes()).shape(),
        &[3, 2]
    );
    let mut view = owned.view_mut();
    assert_eq!(Output::from(&mut view).shape(), &[2, 3]);
    let as_ref: &mut ndarray::ArrayRef<f64, _> = &mut owned;
    assert_eq!(Output::from(as_ref).dtype(), DType::Float64);
    let mut d = ArrayD::<Complex64>::zeros(IxDyn(&[4]));
    assert_eq!(Output::from(&mut d).dtype(), DType::Complex128);
    let mut v = vec![false; 5];
    assert_eq!(Output::from(&mut v).dtype(), DType::Bool);
    assert_eq!(Output::from(&mut v[1..]).shape(), &[4]);
    let mut x = 0i64;
    let scalar = Output::from(&mut x);
    assert_eq!(
        (scalar.dtype(), scalar.shape()),
        (DType::Int64, &[] as &[usize])
    );
    let mut f = Array3::<f32>::zeros((1, 2, 3).f());
    assert_eq!(Output::from(&mut f).dtype(), DType::Float32);
    let mut i = Array0::<i32>::zeros(());
    assert_eq!(Output::from(&mut i).shape(), &[] as &[usize]);
}

#[test]
fn arrays_convert_both_ways() {
    let a = Array::from(arr1(&[1.5f64, 2.5]));
    assert_eq!(a.dtype(), DType::Float64);
    let back: ArrayD<f64> = a.clone().try_into().unwrap();
    assert_eq!(back, arr1(&[1.5, 2.5]).into_dyn());
    assert_eq!(a.as_f64().unwrap()[[1]], 2.5);
    let e = a.clone().into_i32().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Output);
    assert_eq!(e.message(), "result is float64, not int32");
    assert_eq!(
        Array::from(arr1(&[1i32])).into_f64().unwrap_err().message(),
        "result is int32, not float64"
    );
    assert!(a.to_scalar().is_none());
    let kinds = [
        Array::from(arr1(&[true])).dtype(),
        Array::from(arr1(&[1i32])).dtype(),
        Array::from(arr1(&[1i64])).dtype(),
        Array::from(arr1(&[1f32])).dtype(),
        Array::from(arr1(&[1f64])).dtype(),
        Array::from(arr1(&[Complex64::new(0.0, 1.0)])).dtype(),
    ];
    assert_eq!(kinds, DType::NUMERIC);
    assert_eq!(
        Array::from(ndarray::arr0(3i32)).to_scalar(),
        Some(Scalar::Int32(3))
    );
    assert_eq!(
        Array::from(Array3::<i64>::zeros((2, 0, 3))).shape(),
        &[2, 0, 3]
    );
    let bytes = Array::from(BytesArray::from_items(["q"], &[1]).unwrap());
    assert_eq!(bytes.into_bytes().unwrap().get(&[0]), Some(&b"q"[..]));
}

/// One case of `tests/data/repr/cases.json`: an array and NumPy's repr of it.
fn array_of_case(case: &serde_json::Value) -> Array {
    let dtype = case["dtype"].as_str().unwrap();
    let shape: Vec<usize> = case["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let n: usize = shape.iter().product();
    // "arange": the values 0, 1, 2, ... converted like NumPy's astype (bool: nonzero).
    let values: Vec<serde_json::Value> = if case.get("arange").is_some() {
        (0..n).map(|i| serde_json::json!(i)).collect()
    } else {
        case["values"].as_array().unwrap().clone()
    };
    let float = |v: &serde_json::Value| -> f64 {
        match v {
            serde_json::Value::String(s) => s.parse().unwrap(),
            other => other.as_f64().unwrap(),
        }
    };
    let dim = IxDyn(&shape);
    match dtype {
        "bool" => Array::from(
            ArrayD::from_shape_vec(
                dim,
                values
                    .iter()
                    .map(|v| v.as_bool().unwrap_or_else(|| v.as_u64().unwrap() != 0))
                    .collect(),
            )
            .unwrap(),
        ),
        "int32" => Array::from(
            ArrayD::from_shape_vec(
                dim,
                values.iter().map(|v| v.as_i64().unwrap() as i32).collect(),
            )
            .unwrap(),
        ),
        "int64" => Array::from(
            ArrayD::from_shape_vec(dim, values.iter().map(|v| v.as_i64().unwrap()).collect())
                .unwrap(),
        ),
        "float32" => Array::from(
            ArrayD::from_shape_vec(dim, values.iter().map(|v| float(v) as f32).collect()).unwrap(),
        ),
        "float64" => {
            Array::from(ArrayD::from_shape_vec(dim, values.iter().map(float).collect()).unwrap())
        }
        "complex128" => Array::from(
            ArrayD::from_shape_vec(
                dim,
                values
                    .iter()
                    .map(|v| Complex64::new(float(&v[0]), float(&v[1])))
                    .collect(),
            )
            .unwrap(),
        ),
        bytes if bytes.starts_with('S') => {
            let itemsize: usize = bytes[1..].parse().unwrap();
            let mut raw = Vec::new();
            for v in &values {
                let hex = v.as_str().unwrap();
                let mut item: Vec<u8> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect();
                item.resize(itemsize, 0);
                raw.extend(item);
            }
            let mut raw_shape = shape.clone();
            raw_shape.push(itemsize);
            let raw = ArrayD::from_shape_vec(IxDyn(&raw_shape), raw).unwrap();
            Array::Bytes(BytesArray::from_raw(raw).unwrap())
        }
        other => panic!("unknown dtype {other}"),
    }
}

#[test]
fn display_matches_numpy_repr() {
    let text = std::fs::read_to_string("tests/data/repr/cases.json").unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() > 100);
    let mut failures = Vec::new();
    for case in &cases {
        let array = array_of_case(case);
        let expected = case["repr"].as_str().unwrap();
        let got = array.to_string();
        if got != expected {
            failures.push(format!("expected:\n{expected}\ngot:\n{got}\n"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
