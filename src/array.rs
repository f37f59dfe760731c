//! Dynamically typed n-d arrays: [`Array`] (owned results) and `ArrayRef` (borrowed or
//! widened inputs, one per kind).
//!
//! Byte strings are stored as `u8` arrays with one extra, trailing axis of length `itemsize`
//! (element `i` of a byte-string array of shape `s` is the row `data[i, ..]`), so views with any
//! strides work for them like for numbers.

use ndarray::{ArrayD, CowArray, IxDyn};
use num_complex::Complex64;

use crate::dtype::DType;

/// An owned n-d array of one of vexpr's element types: the result of an evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum Array {
    /// `bool` elements.
    Bool(ArrayD<bool>),
    /// `int32` elements.
    Int32(ArrayD<i32>),
    /// `int64` elements.
    Int64(ArrayD<i64>),
    /// `float32` elements.
    Float32(ArrayD<f32>),
    /// `float64` elements.
    Float64(ArrayD<f64>),
    /// `complex128` elements.
    Complex128(ArrayD<Complex64>),
    /// Fixed-width byte strings.
    Bytes(BytesArray),
}

/// An owned n-d array of fixed-width, NUL-padded byte strings (NumPy's `S<n>`).
#[derive(Clone, Debug, PartialEq)]
pub struct BytesArray {
    /// Bytes per element (at least 1).
    pub(crate) itemsize: usize,
    /// The bytes, with shape `shape + [itemsize]`.
    pub(crate) data: ArrayD<u8>,
}

/// A borrowed (or, after widening on entry, owned) input array of one of the kinds.
#[derive(Clone, Debug)]
pub(crate) enum ArrayRef<'a> {
    Bool(CowArray<'a, bool, IxDyn>),
    Int32(CowArray<'a, i32, IxDyn>),
    Int64(CowArray<'a, i64, IxDyn>),
    Float32(CowArray<'a, f32, IxDyn>),
    Float64(CowArray<'a, f64, IxDyn>),
    Complex128(CowArray<'a, Complex64, IxDyn>),
    /// Byte strings: shape `shape + [itemsize]`, `itemsize >= 1`.
    Bytes(CowArray<'a, u8, IxDyn>),
}

impl ArrayRef<'_> {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            ArrayRef::Bool(_) => DType::Bool,
            ArrayRef::Int32(_) => DType::Int32,
            ArrayRef::Int64(_) => DType::Int64,
            ArrayRef::Float32(_) => DType::Float32,
            ArrayRef::Float64(_) => DType::Float64,
            ArrayRef::Complex128(_) => DType::Complex128,
            ArrayRef::Bytes(a) => DType::Bytes(*a.shape().last().unwrap_or(&1)),
        }
    }

    /// The logical shape (without the byte-string item axis).
    pub fn shape(&self) -> &[usize] {
        match self {
            ArrayRef::Bool(a) => a.shape(),
            ArrayRef::Int32(a) => a.shape(),
            ArrayRef::Int64(a) => a.shape(),
            ArrayRef::Float32(a) => a.shape(),
            ArrayRef::Float64(a) => a.shape(),
            ArrayRef::Complex128(a) => a.shape(),
            ArrayRef::Bytes(a) => &a.shape()[..a.ndim() - 1],
        }
    }
}

impl<'a> ArrayRef<'a> {
    /// A borrowed view of the same data.
    pub fn view(&self) -> ArrayRef<'_> {
        match self {
            ArrayRef::Bool(a) => ArrayRef::Bool(a.view().into()),
            ArrayRef::Int32(a) => ArrayRef::Int32(a.view().into()),
            ArrayRef::Int64(a) => ArrayRef::Int64(a.view().into()),
            ArrayRef::Float32(a) => ArrayRef::Float32(a.view().into()),
            ArrayRef::Float64(a) => ArrayRef::Float64(a.view().into()),
            ArrayRef::Complex128(a) => ArrayRef::Complex128(a.view().into()),
            ArrayRef::Bytes(a) => ArrayRef::Bytes(a.view().into()),
        }
    }
}
