//! Shapes and memory layouts: broadcasting, 0-d and empty arrays, strided, reversed,
//! transposed, Fortran-ordered and broadcast views, long chains, and the errors.

use ndarray::{Array2, ShapeBuilder, s};

use super::*;
use crate::error::{ErrorKind, Span};

/// `x op y` of two float64 inputs.
fn add_f64(x: ArrayViewD<'_, f64>, y: ArrayViewD<'_, f64>) -> ArrayD<f64> {
    let mut b = HirBuilder::new();
    let a = b.input("x", DType::Float64);
    let c = b.input("y", DType::Float64);
    b.map(Fun::Add, &[a, c]);
    f64::out(eval(&b.build(), &[f64::view(x), f64::view(y)]))
}

#[test]
fn column_plus_row() {
    let col = nd(&[5, 1], &[0.0, 1.0, 2.0, 3.0, 4.0]);
    let row = nd(&[1, 7], &[0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0]);
    let out = add_f64(col.view(), row.view());
    assert_eq!(out.shape(), &[5, 7]);
    for ((i, j), v) in out
        .into_dimensionality::<ndarray::Ix2>()
        .unwrap()
        .indexed_iter()
    {
        assert_eq!(*v, i as f64 + 10.0 * j as f64);
    }
    // (2,3,4) with (3,1).
    let big = ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |d| (d[0] * 100) as f64);
    let mid = nd(&[3, 1], &[1.0, 2.0, 3.0]);
    let out = add_f64(big.view(), mid.view());
    assert_eq!(out.shape(), &[2, 3, 4]);
    assert_eq!(out[[1, 2, 3]], 103.0);
    assert_eq!(out[[0, 1, 0]], 2.0);
}

#[test]
fn zero_d_and_scalars() {
    let s = ArrayD::from_elem(IxDyn(&[]), 2.0);
    let v = vec1(&[1.0, 2.0, 3.0]);
    assert_eq!(add_f64(s.view(), v.view()), vec1(&[3.0, 4.0, 5.0]));
    let out = add_f64(s.view(), s.view());
    assert_eq!(out.shape(), &[] as &[usize]);
    assert_eq!(out[[]], 4.0);
    // Constants only: a 0-d result.
    let mut b = HirBuilder::new();
    let one = b.constant(1i64);
    let two = b.constant(2i64);
    b.map(Fun::Shl, &[one, two]);
    let out = i64::out(eval(&b.build(), &[]));
    assert_eq!(out, ArrayD::from_elem(IxDyn(&[]), 4));
}

#[test]
fn zero_length_arrays() {
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0]));
    let one = vec1(&[1.0]);
    assert_eq!(add_f64(empty.view(), one.view()).shape(), &[0]);
    let e2 = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    let row = vec1(&[1.0, 2.0, 3.0]);
    assert_eq!(add_f64(e2.view(), row.view()).shape(), &[0, 3]);
    // (0,) with (5,) does not broadcast.
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Float64);
    let y = b.input("y", DType::Float64);
    b.at(2, 3).map(Fun::Add, &[x, y]);
    let five = ArrayD::<f64>::zeros(IxDyn(&[5]));
    let e = eval_err(
        &b.build(),
        &[f64::view(empty.view()), f64::view(five.view())],
    );
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert_eq!(e.span(), Some(Span::new(2, 3)));
    assert_eq!(
        e.message(),
        "operands could not be broadcast together with shapes (0,) (5,)"
    );
}

#[test]
fn unused_inputs_shape_the_result() {
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Int32);
    b.map(Fun::Neg, &[x]);
    b.unused_input("y", DType::Float64, Span::new(8, 9));
    let hir = b.build();
    let (xs, ys) = (vec1(&[1, 2, 3]), ArrayD::<f64>::zeros(IxDyn(&[2, 1])));
    let out = i32::out(eval(&hir, &[i32::view(xs.view()), f64::view(ys.view())]));
    assert_eq!(out, nd(&[2, 3], &[-1, -2, -3, -1, -2, -3]));
    let bad = ArrayD::<f64>::zeros(IxDyn(&[4]));
    let e = eval_err(&hir, &[i32::view(xs.view()), f64::view(bad.view())]);
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert_eq!(e.span(), Some(Span::new(8, 9)));
}

#[test]
fn any_strides() {
    // base = [[0,1,2,3],[4,5,6,7],[8,9,10,11]]
    let base = Array2::from_shape_fn((3, 4), |(i, j)| (4 * i + j) as f64);
    // Rows reversed, every other column from 1: [[9,11],[5,7],[1,3]] (negative stride, step).
    let a = base.slice(s![..;-1, 1..;2]).into_dyn();
    // A Fortran-ordered (3,2) array: [[100,200],[300,400],[500,600]].
    let f =
        Array2::from_shape_vec((3, 2).f(), vec![100.0, 300.0, 500.0, 200.0, 400.0, 600.0]).unwrap();
    assert!(!f.is_standard_layout());
    let out = add_f64(a.view(), f.view().into_dyn());
    assert_eq!(
        out,
        nd(&[3, 2], &[109.0, 211.0, 305.0, 407.0, 501.0, 603.0])
    );
    assert!(out.is_standard_layout());
    // A transposed view (4,3) with a broadcast (stride-0) view of one row.
    let t = base.t().into_dyn();
    let row = vec1(&[1000.0, 2000.0, 3000.0]);
    let wide = row.broadcast(IxDyn(&[4, 3])).unwrap();
    let out = add_f64(t, wide);
    assert_eq!(out[[0, 0]], 1000.0);
    assert_eq!(out[[3, 2]], 3011.0);
    assert_eq!(out[[1, 2]], 3009.0);
}

#[test]
fn an_input_as_the_result_is_copied_in_logical_order() {
    let base = vec1(&[1i64, 2, 3, 4]);
    let rev = base.slice(s![..;-1]).into_dyn();
    let mut b = HirBuilder::new();
    b.input("x", DType::Int64);
    let out = i64::out(eval(&b.build(), &[i64::view(rev)]));
    assert_eq!(out, vec1(&[4, 3, 2, 1]));
    assert!(out.is_standard_layout());
    // Read twice (a shared node), as x*x: the same node as both operands.
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Int64);
    b.map(Fun::Mul, &[x, x]);
    let out = i64::out(eval(&b.build(), &[i64::view(base.view())]));
    assert_eq!(out, vec1(&[1, 4, 9, 16]));
    // The same slot read by two nodes.
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Int64);
    let again = b.read(0);
    b.map(Fun::Sub, &[x, again]);
    let out = i64::out(eval(&b.build(), &[i64::view(base.view())]));
    assert_eq!(out, vec1(&[0, 0, 0, 0]));
}

#[test]
fn long_chains_do_not_recurse() {
    // x + 1 + 1 + ... (100,000 additions) on a small stack.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut b = HirBuilder::new();
            let mut acc = b.input("x", DType::Int64);
            let one = b.constant(1i64);
            for _ in 0..100_000 {
                acc = b.map(Fun::Add, &[acc, one]);
            }
            let hir = b.build_unchecked();
            let x = vec1(&[0i64, 5]);
            i64::out(eval(&hir, &[i64::view(x.view())]))
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), vec1(&[100_000, 100_005]));
}

#[test]
fn twenty_thousand_elements() {
    // a**2 + b**2 + 2*a*b == (a + b)**2 for small integers, on 20,000 elements.
    let n = 20_000;
    let a: Vec<f64> = (0..n).map(|i| f64::from(i % 97)).collect();
    let c: Vec<f64> = (0..n).map(|i| f64::from(i % 89)).collect();
    let mut b = HirBuilder::new();
    let x = b.input("a", DType::Float64);
    let y = b.input("b", DType::Float64);
    let x2 = b.map(Fun::Mul, &[x, x]);
    let y2 = b.map(Fun::Mul, &[y, y]);
    let two = b.constant(2.0);
    let t = b.map(Fun::Mul, &[two, x]);
    let t = b.map(Fun::Mul, &[t, y]);
    let s = b.map(Fun::Add, &[x2, y2]);
    b.map(Fun::Add, &[s, t]);
    let (av, cv) = (vec1(&a), vec1(&c));
    let out = f64::out(eval(
        &b.build(),
        &[f64::view(av.view()), f64::view(cv.view())],
    ));
    for (i, v) in out.iter().enumerate() {
        assert_eq!(*v, (a[i] + c[i]).powi(2));
    }
}

#[test]
fn broken_contracts_are_internal_errors() {
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Float64);
    b.map(Fun::Neg, &[x]);
    let hir = b.build();
    let xs = vec1(&[1.0]);
    let is = vec1(&[1i64]);
    // Missing input, extra input, wrong dtype.
    assert_eq!(eval_err(&hir, &[]).kind(), ErrorKind::Internal);
    let two = [f64::view(xs.view()), f64::view(xs.view())];
    assert_eq!(eval_err(&hir, &two).kind(), ErrorKind::Internal);
    assert_eq!(
        eval_err(&hir, &[i64::view(is.view())]).kind(),
        ErrorKind::Internal
    );
    // A node that matches no signature (sin of int64).
    let mut h = hir.clone();
    h.inputs[0].dtype = DType::Int64;
    h.nodes[0].dtype = DType::Int64;
    h.nodes[1].op = crate::hir::Op::Map(Fun::Sin);
    assert_eq!(
        eval_err(&h, &[i64::view(is.view())]).kind(),
        ErrorKind::Internal
    );
    // An empty HIR.
    let mut h = hir.clone();
    h.nodes.clear();
    assert_eq!(
        eval_err(&h, &[f64::view(xs.view())]).kind(),
        ErrorKind::Internal
    );
}

#[test]
fn too_many_dimensions_is_a_limit_error() {
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Bool);
    b.map(Fun::Not, &[x]);
    let shape = vec![1usize; crate::limits::MAX_DIMS + 1];
    let a = ArrayD::from_elem(IxDyn(&shape), true);
    let e = eval_err(&b.build(), &[bool::view(a.view())]);
    assert_eq!(e.kind(), ErrorKind::Limit);
    let shape = vec![1usize; crate::limits::MAX_DIMS];
    let a = ArrayD::from_elem(IxDyn(&shape), true);
    let out = bool::out(eval(&b.build(), &[bool::view(a.view())]));
    assert_eq!(out.shape(), &shape[..]);
    assert!(!out.iter().next().copied().unwrap());
}
