//! Reductions, with and without an axis, wrapping, NaN, empty inputs and the errors.

use super::*;
use crate::error::{ErrorKind, Span};
use crate::hir::ReduceOp;
use crate::vm::reference::reduce::pairwise_sum;

/// `op(x, axis)` of one input.
fn reduce<T: Elem, R: Elem>(op: ReduceOp, axis: Option<i64>, x: &ArrayD<T>) -> ArrayD<R> {
    let mut b = HirBuilder::new();
    let n = b.input("x", T::DTYPE);
    b.reduce(op, axis, n);
    R::out(eval(&b.build(), &[T::view(x.view())]))
}

fn scalar<T: Clone>(a: ArrayD<T>) -> T {
    assert_eq!(a.ndim(), 0, "a full reduction is 0-d");
    a[[]].clone()
}

#[test]
fn sums_over_all_elements_and_each_axis() {
    let x = nd(&[2, 3], &[1, 2, 3, 4, 5, 6]);
    assert_eq!(scalar(reduce::<i32, i32>(ReduceOp::Sum, None, &x)), 21);
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Sum, Some(0), &x),
        vec1(&[5, 7, 9])
    );
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Sum, Some(1), &x),
        vec1(&[6, 15])
    );
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Sum, Some(-1), &x),
        vec1(&[6, 15])
    );
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Sum, Some(-2), &x),
        vec1(&[5, 7, 9])
    );
    // x[i,j,k] = 12i + 4j + k; summing j gives 36i + 12 + 3k.
    let x: Vec<f64> = (0..24).map(f64::from).collect();
    let x = nd(&[2, 3, 4], &x);
    assert_eq!(
        reduce::<f64, f64>(ReduceOp::Sum, Some(1), &x),
        nd(&[2, 4], &[12.0, 15.0, 18.0, 21.0, 48.0, 51.0, 54.0, 57.0])
    );
    assert_eq!(scalar(reduce::<f64, f64>(ReduceOp::Sum, None, &x)), 276.0);
    // A 0-d argument.
    let x = ArrayD::from_elem(IxDyn(&[]), 2.5);
    assert_eq!(scalar(reduce::<f64, f64>(ReduceOp::Sum, None, &x)), 2.5);
}

#[test]
fn products() {
    let x = nd(&[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(scalar(reduce::<f64, f64>(ReduceOp::Prod, None, &x)), 720.0);
    assert_eq!(
        reduce::<f64, f64>(ReduceOp::Prod, Some(0), &x),
        vec1(&[4.0, 10.0, 18.0])
    );
    assert_eq!(
        reduce::<f64, f64>(ReduceOp::Prod, Some(1), &x),
        vec1(&[6.0, 120.0])
    );
    let x = vec1(&[1.5f32, -2.0]);
    assert_eq!(scalar(reduce::<f32, f32>(ReduceOp::Prod, None, &x)), -3.0);
    // (1+i)(2-i) = 3+i; sums componentwise.
    let z = vec1(&[Complex64::new(1.0, 1.0), Complex64::new(2.0, -1.0)]);
    assert_eq!(
        scalar(reduce::<Complex64, Complex64>(ReduceOp::Prod, None, &z)),
        Complex64::new(3.0, 1.0)
    );
    assert_eq!(
        scalar(reduce::<Complex64, Complex64>(ReduceOp::Sum, None, &z)),
        Complex64::new(3.0, 0.0)
    );
}

#[test]
fn integer_reductions_wrap_in_their_own_width() {
    let x = vec1(&[1 << 30, 1 << 30, 1 << 30, 5]);
    assert_eq!(
        scalar(reduce::<i32, i32>(ReduceOp::Sum, None, &x)),
        -1_073_741_819
    );
    let x = vec1(&[65536, 65536, 3]);
    assert_eq!(scalar(reduce::<i32, i32>(ReduceOp::Prod, None, &x)), 0);
    let x = vec1(&[i64::MAX, 1]);
    assert_eq!(
        scalar(reduce::<i64, i64>(ReduceOp::Sum, None, &x)),
        i64::MIN
    );
    let x = vec1(&[1i64 << 32, 1 << 32, 3]);
    assert_eq!(scalar(reduce::<i64, i64>(ReduceOp::Prod, None, &x)), 0);
}

#[test]
fn integer_min_max_are_exact() {
    // numexpr goes through double here and returns 2**62; vexpr is exact.
    let x = vec1(&[(1i64 << 62) + 3, (1 << 62) + 1, (1 << 62) + 5]);
    assert_eq!(
        scalar(reduce::<i64, i64>(ReduceOp::Min, None, &x)),
        (1 << 62) + 1
    );
    assert_eq!(
        scalar(reduce::<i64, i64>(ReduceOp::Max, None, &x)),
        (1 << 62) + 5
    );
    let x = nd(&[2, 2], &[i32::MIN, 7, i32::MAX, -7]);
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Min, Some(0), &x),
        vec1(&[i32::MIN, -7])
    );
    assert_eq!(
        reduce::<i32, i32>(ReduceOp::Max, Some(1), &x),
        vec1(&[7, i32::MAX])
    );
}

#[test]
fn float_min_max_propagate_nan() {
    let nan = f64::NAN;
    let x = nd(&[2, 2], &[1.0, nan, 2.0, 3.0]);
    assert!(scalar(reduce::<f64, f64>(ReduceOp::Min, None, &x)).is_nan());
    assert!(scalar(reduce::<f64, f64>(ReduceOp::Max, None, &x)).is_nan());
    let m = reduce::<f64, f64>(ReduceOp::Min, Some(0), &x);
    assert_bits(&m.into_iter().collect::<Vec<_>>(), &[1.0, nan]);
    let m = reduce::<f64, f64>(ReduceOp::Max, Some(1), &x);
    assert_bits(&m.into_iter().collect::<Vec<_>>(), &[nan, 3.0]);
    // A NaN first, then numbers.
    let x = vec1(&[f32::NAN, 1.0, 2.0]);
    assert!(scalar(reduce::<f32, f32>(ReduceOp::Max, None, &x)).is_nan());
    let x = vec1(&[-f32::INFINITY, 4.0, f32::INFINITY]);
    assert_eq!(
        scalar(reduce::<f32, f32>(ReduceOp::Max, None, &x)),
        f32::INFINITY
    );
    assert_eq!(
        scalar(reduce::<f32, f32>(ReduceOp::Min, None, &x)),
        -f32::INFINITY
    );
    // Sums propagate NaN too, and inf - inf is NaN.
    let x = vec1(&[1.0, f64::INFINITY, -f64::INFINITY]);
    assert!(scalar(reduce::<f64, f64>(ReduceOp::Sum, None, &x)).is_nan());
}

#[test]
fn any_all_mean() {
    let x = nd(&[2, 2], &[true, false, false, false]);
    assert!(scalar(reduce::<bool, bool>(ReduceOp::Any, None, &x)));
    assert!(!scalar(reduce::<bool, bool>(ReduceOp::All, None, &x)));
    assert_eq!(
        reduce::<bool, bool>(ReduceOp::Any, Some(1), &x),
        vec1(&[true, false])
    );
    assert_eq!(
        reduce::<bool, bool>(ReduceOp::All, Some(0), &x),
        vec1(&[false, false])
    );
    let x = vec1(&[true, true]);
    assert!(scalar(reduce::<bool, bool>(ReduceOp::All, None, &x)));
}

#[test]
fn empty_reductions() {
    let e = ArrayD::<f64>::zeros(IxDyn(&[0]));
    assert_bits(
        &[scalar(reduce::<f64, f64>(ReduceOp::Sum, None, &e))],
        &[0.0],
    );
    assert_eq!(scalar(reduce::<f64, f64>(ReduceOp::Prod, None, &e)), 1.0);
    let e32 = ArrayD::<i32>::zeros(IxDyn(&[0]));
    assert_eq!(scalar(reduce::<i32, i32>(ReduceOp::Sum, None, &e32)), 0);
    assert_eq!(scalar(reduce::<i32, i32>(ReduceOp::Prod, None, &e32)), 1);
    let eb = ArrayD::<bool>::from_elem(IxDyn(&[0]), false);
    assert!(!scalar(reduce::<bool, bool>(ReduceOp::Any, None, &eb)));
    assert!(scalar(reduce::<bool, bool>(ReduceOp::All, None, &eb)));

    // (0, 3): reducing the empty axis gives identities; the other axis an empty result.
    let e = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    assert_eq!(
        reduce::<f64, f64>(ReduceOp::Sum, Some(0), &e),
        vec1(&[0.0, 0.0, 0.0])
    );
    assert_eq!(reduce::<f64, f64>(ReduceOp::Sum, Some(1), &e).shape(), &[0]);
    assert_eq!(reduce::<f64, f64>(ReduceOp::Max, Some(1), &e).shape(), &[0]);
}

#[test]
fn min_max_of_nothing_is_an_error() {
    for (op, name) in [(ReduceOp::Min, "min"), (ReduceOp::Max, "max")] {
        for (shape, axis) in [
            (&[0usize][..], None),
            (&[0, 3][..], Some(0)),
            (&[0, 3][..], None),
        ] {
            let mut b = HirBuilder::new();
            let x = b.input("x", DType::Float64);
            b.at(3, 9).reduce(op, axis, x);
            let data = ArrayD::<f64>::zeros(IxDyn(shape));
            let e = eval_err(&b.build(), &[f64::view(data.view())]);
            assert_eq!(e.kind(), ErrorKind::Shape);
            assert_eq!(e.span(), Some(Span::new(3, 9)));
            assert_eq!(
                e.message(),
                format!("zero-size array to reduction operation {name} which has no identity")
            );
        }
    }
}

#[test]
fn axis_out_of_range_is_an_error() {
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Int64);
    b.at(0, 14).reduce(ReduceOp::Sum, Some(2), x);
    let data = ArrayD::<i64>::zeros(IxDyn(&[5, 7]));
    let e = eval_err(&b.build(), &[i64::view(data.view())]);
    assert_eq!(e.kind(), ErrorKind::Axis);
    assert_eq!(e.span(), Some(Span::new(0, 14)));
    assert_eq!(
        e.message(),
        "axis 2 is out of bounds for an array of dimension 2"
    );
}

#[test]
fn a_root_reduction_reduces_the_broadcast_of_all_inputs() {
    // sum(x, axis) where x: (3,) and an unused input y: (2, 3).
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Float64);
    b.reduce(ReduceOp::Sum, Some(0), x);
    b.unused_input("y", DType::Float64, Span::new(0, 1));
    let hir = b.build();
    let (xs, ys) = (vec1(&[1.0, 2.0, 4.0]), ArrayD::<f64>::zeros(IxDyn(&[2, 3])));
    let out = f64::out(eval(&hir, &[f64::view(xs.view()), f64::view(ys.view())]));
    assert_eq!(out, vec1(&[2.0, 4.0, 8.0]));

    // sum(x * y) of (2,1) and (3,) broadcasts before reducing: (1+2)(1+2+3) = 18.
    let mut b = HirBuilder::new();
    let x = b.input("x", DType::Int64);
    let y = b.input("y", DType::Int64);
    let m = b.map(Fun::Mul, &[x, y]);
    b.reduce(ReduceOp::Sum, None, m);
    let (xs, ys) = (nd(&[2, 1], &[1i64, 2]), vec1(&[1i64, 2, 3]));
    let out = i64::out(eval(
        &b.build(),
        &[i64::view(xs.view()), i64::view(ys.view())],
    ));
    assert_eq!(scalar(out), 18);
}

#[test]
fn reductions_of_strided_views() {
    // The transpose of [[1,2,3],[4,5,6]] summed along its axis 0 gives the row sums.
    let x = nd(&[2, 3], &[1i32, 2, 3, 4, 5, 6]);
    let t = x.t();
    let mut b = HirBuilder::new();
    let n = b.input("x", DType::Int32);
    b.reduce(ReduceOp::Sum, Some(0), n);
    let out = i32::out(eval(&b.build(), &[i32::view(t.into_dyn())]));
    assert_eq!(out, vec1(&[6, 15]));
    // Reversed rows: max along axis 1 per (reversed) row.
    let r = x.slice(ndarray::s![..;-1, ..;2]).into_dyn();
    let mut b = HirBuilder::new();
    let n = b.input("x", DType::Int32);
    b.reduce(ReduceOp::Max, Some(1), n);
    let out = i32::out(eval(&b.build(), &[i32::view(r)]));
    assert_eq!(out, vec1(&[6, 3]));
}

#[test]
fn pairwise_summation_order() {
    // Fewer than 8: left to right, and each 1e16 + 1 rounds back to 1e16 (ties to even).
    assert_eq!(
        pairwise_sum(&[1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 0.0),
        1e16
    );
    // 8: accumulators r0 = 1e16, r1..r7 = 1, combined ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)):
    // (1e16 + 2) + 4.
    assert_eq!(
        pairwise_sum(&[1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 0.0),
        1e16 + 6.0
    );
    // Integers below 2**24 stay exact in float32 in any order: 1 + ... + 4096.
    let xs: Vec<f32> = (1..=4096u16).map(f32::from).collect();
    assert_eq!(pairwise_sum(&xs, 0.0), 8_390_656.0);
    // 20,000 float32 tenths: the error stays a few ulps (sequential float32 addition ends
    // near 1999.6). True sum: 20000 * 0.100000001490116... = 2000.0000298.
    let x = vec1(&vec![0.1f32; 20_000]);
    let s = scalar(reduce::<f32, f32>(ReduceOp::Sum, None, &x));
    assert!((s - 2_000.000_03).abs() < 2e-3, "{s}");
    let seq = (0..20_000).fold(0.0f32, |a, _| a + 0.1);
    assert!((seq - 2000.0).abs() > 0.1, "{seq}");
}
