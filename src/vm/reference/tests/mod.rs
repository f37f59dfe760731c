//! Tests of the reference evaluator, on HIRs built by hand ([`HirBuilder`]).
//!
//! Expected values are worked out by hand in the submodules, or come from an independent
//! oracle: `tests/data/reference/oracle.json`, written by `gen_oracle.py` from glibc (through
//! ctypes), numexpr 2.14 and NumPy ([`oracle`]).

mod casts;
mod complex;
mod elements;
mod layout;
mod oracle;
mod reductions;
mod strings;

use ndarray::{ArrayD, ArrayViewD, CowArray, IxDyn};
use num_complex::Complex64;

use super::evaluate;
use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::error::Error;
use crate::hir::builder::HirBuilder;
use crate::hir::{Fun, Hir};

/// An element type of a non-string kind, for building inputs and reading results.
pub(super) trait Elem: Clone + std::fmt::Debug + 'static {
    /// Its dtype.
    const DTYPE: DType;
    /// An input of this kind borrowing `a`.
    fn view(a: ArrayViewD<'_, Self>) -> ArrayRef<'_>;
    /// The elements of a result of this kind (panics on another kind).
    fn out(a: Array) -> ArrayD<Self>;
}

macro_rules! elem {
    ($($t:ty => $v:ident),*) => {$(
        impl Elem for $t {
            const DTYPE: DType = DType::$v;
            fn view(a: ArrayViewD<'_, Self>) -> ArrayRef<'_> {
                ArrayRef::$v(CowArray::from(a))
            }
            fn out(a: Array) -> ArrayD<Self> {
                match a {
                    Array::$v(a) => a,
                    other => panic!("expected {}, got {other:?}", DType::$v),
                }
            }
        }
    )*};
}
elem!(bool => Bool, i32 => Int32, i64 => Int64, f32 => Float32, f64 => Float64, Complex64 => Complex128);

/// A 1-d array.
pub(super) fn vec1<T: Clone>(xs: &[T]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(&[xs.len()]), xs.to_vec()).expect("1-d")
}

/// An array of `shape` from row-major `xs`.
pub(super) fn nd<T: Clone>(shape: &[usize], xs: &[T]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), xs.to_vec()).expect("shape matches")
}

/// Evaluate, expecting success.
pub(super) fn eval(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Array {
    match evaluate(hir, inputs) {
        Ok(a) => a,
        Err(e) => panic!("evaluation failed: {e}"),
    }
}

/// Evaluate, expecting an error.
pub(super) fn eval_err(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Error {
    match evaluate(hir, inputs) {
        Ok(a) => panic!("expected an error, got {a:?}"),
        Err(e) => e,
    }
}

/// `fun(x)` elementwise over a 1-d input.
pub(super) fn unary<T: Elem, R: Elem>(fun: Fun, xs: &[T]) -> Vec<R> {
    let mut b = HirBuilder::new();
    let x = b.input("x", T::DTYPE);
    b.map(fun, &[x]);
    let a = vec1(xs);
    R::out(eval(&b.build(), &[T::view(a.view())]))
        .into_iter()
        .collect()
}

/// `fun(x, y)` elementwise over two 1-d inputs of the same kind.
pub(super) fn binary<T: Elem, R: Elem>(fun: Fun, xs: &[T], ys: &[T]) -> Vec<R> {
    let mut b = HirBuilder::new();
    let x = b.input("x", T::DTYPE);
    let y = b.input("y", T::DTYPE);
    b.map(fun, &[x, y]);
    let (a, c) = (vec1(xs), vec1(ys));
    R::out(eval(&b.build(), &[T::view(a.view()), T::view(c.view())]))
        .into_iter()
        .collect()
}

/// Floats equal bit for bit, or both NaN.
pub(super) fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Assert two float vectors are equal bit for bit (NaN matching NaN, -0 only -0).
#[track_caller]
pub(super) fn assert_bits(got: &[f64], expect: &[f64]) {
    assert_eq!(got.len(), expect.len(), "{got:?} vs {expect:?}");
    for (i, (&g, &e)) in got.iter().zip(expect).enumerate() {
        assert!(same_f64(g, e), "element {i}: got {g:e}, expected {e:e}");
    }
}

/// [`assert_bits`] for float32.
#[track_caller]
pub(super) fn assert_bits32(got: &[f32], expect: &[f32]) {
    assert_eq!(got.len(), expect.len(), "{got:?} vs {expect:?}");
    for (i, (&g, &e)) in got.iter().zip(expect).enumerate() {
        let same = g.to_bits() == e.to_bits() || (g.is_nan() && e.is_nan());
        assert!(same, "element {i}: got {g:e}, expected {e:e}");
    }
}
