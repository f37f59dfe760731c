//! Typed storage the VM moves values through: block buffers ([`Buf`]), borrowed contiguous
//! columns of the caller's arrays ([`Column`]), the caller's output ([`OutColumn`]), and the
//! [`Elem`] trait that maps each element type to its variant of all three.
//!
//! Everything is safe code: a kernel asks for `&[f64]` and gets it through a `match`, which
//! the program's validation guarantees to succeed; a mismatch is an internal error, not UB.

use std::mem::MaybeUninit;

use ndarray::ArrayViewMutD;
use num_complex::Complex64;

use crate::dtype::{DType, Scalar};

/// The complex element type, named like the others in the instruction table.
#[allow(non_camel_case_types)]
pub(crate) type c128 = Complex64;

/// A block buffer of one dtype (a register, a gathered input, a padded output block).
#[derive(Clone, Debug, Default)]
pub(crate) enum Buf {
    /// No storage yet.
    #[default]
    Empty,
    Bool(Vec<bool>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    C128(Vec<c128>),
    /// Byte strings: `len * itemsize` bytes, and the item size.
    Bytes(Vec<u8>, usize),
}

/// A contiguous run of the caller's input data, borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Column<'a> {
    Bool(&'a [bool]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    F32(&'a [f32]),
    F64(&'a [f64]),
    C128(&'a [c128]),
    /// Byte strings and their item size.
    Bytes(&'a [u8], usize),
}

/// A C-contiguous output, borrowed mutably: kernels write blocks of it in place. Its
/// elements may be uninitialised (a new result's memory) and are only ever written.
#[derive(Debug)]
pub(crate) enum ColumnMut<'a> {
    Bool(&'a mut [MaybeUninit<bool>]),
    I32(&'a mut [MaybeUninit<i32>]),
    I64(&'a mut [MaybeUninit<i64>]),
    F32(&'a mut [MaybeUninit<f32>]),
    F64(&'a mut [MaybeUninit<f64>]),
    C128(&'a mut [MaybeUninit<c128>]),
    /// Byte strings and their item size.
    Bytes(&'a mut [MaybeUninit<u8>], usize),
}

/// An initialised slice viewed as one that is only written to.
///
/// # Safety
/// Only initialised values may be written through the view (`MaybeUninit::write` with a
/// value, never `MaybeUninit::uninit()`), so that `s` is still fully initialised when the
/// view's borrow ends.
pub(crate) unsafe fn writable<T>(s: &mut [T]) -> &mut [MaybeUninit<T>] {
    // SAFETY: `MaybeUninit<T>` has the size, alignment and layout of `T`, so the slice's
    // memory is a valid `[MaybeUninit<T>]` of the same length; the caller upholds that it
    // stays initialised.
    unsafe { &mut *(s as *mut [T] as *mut [MaybeUninit<T>]) }
}

/// The caller's output, borrowed mutably (C-contiguous, or strided: written block by block).
#[derive(Debug)]
pub(crate) enum OutColumn<'a> {
    Bool(ArrayViewMutD<'a, bool>),
    I32(ArrayViewMutD<'a, i32>),
    I64(ArrayViewMutD<'a, i64>),
    F32(ArrayViewMutD<'a, f32>),
    F64(ArrayViewMutD<'a, f64>),
    C128(ArrayViewMutD<'a, c128>),
    /// Shape `shape + [itemsize]`.
    Bytes(ArrayViewMutD<'a, u8>),
}

/// An element type the VM computes with.
pub(crate) trait Elem:
    Copy + Default + Send + Sync + PartialEq + std::fmt::Debug + 'static
{
    /// The buffer's storage, if it holds this type.
    fn buf(b: &Buf) -> Option<&Vec<Self>>;
    /// The buffer's storage, mutably, if it holds this type.
    fn buf_mut(b: &mut Buf) -> Option<&mut Vec<Self>>;
    /// Take the storage out of a buffer of this type (leaving it empty).
    fn take(b: &mut Buf) -> Option<Vec<Self>>;
    /// Wrap storage into a buffer.
    fn wrap(v: Vec<Self>) -> Buf;
    /// The column's data, if it holds this type.
    fn column<'a>(c: &Column<'a>) -> Option<&'a [Self]>;
    /// A borrowed column of this type.
    fn to_column(s: &[Self]) -> Column<'_>;
    /// The contiguous output, if it holds this type.
    fn column_mut<'s>(c: &'s mut ColumnMut<'_>) -> Option<&'s mut [MaybeUninit<Self>]>;
    /// The output view, if it holds this type.
    fn out<'s, 'a>(o: &'s mut OutColumn<'a>) -> Option<&'s mut ArrayViewMutD<'a, Self>>;
    /// The constant's value, if it has this type.
    fn scalar(s: &Scalar) -> Option<Self>;
    /// The constant holding this value.
    fn to_scalar(self) -> Scalar;
}

macro_rules! elem {
    ($t:ty, $dtype:ident, $var:ident) => {
        impl Elem for $t {
            fn buf(b: &Buf) -> Option<&Vec<Self>> {
                match b {
                    Buf::$var(v) => Some(v),
                    _ => None,
                }
            }
            fn buf_mut(b: &mut Buf) -> Option<&mut Vec<Self>> {
                match b {
                    Buf::$var(v) => Some(v),
                    _ => None,
                }
            }
            fn take(b: &mut Buf) -> Option<Vec<Self>> {
                match std::mem::take(b) {
                    Buf::$var(v) => Some(v),
                    other => {
                        *b = other;
                        None
                    }
                }
            }
            fn wrap(v: Vec<Self>) -> Buf {
                Buf::$var(v)
            }
            fn column<'a>(c: &Column<'a>) -> Option<&'a [Self]> {
                match c {
                    Column::$var(v) => Some(v),
                    _ => None,
                }
            }
            fn to_column(s: &[Self]) -> Column<'_> {
                Column::$var(s)
            }
            fn column_mut<'s>(c: &'s mut ColumnMut<'_>) -> Option<&'s mut [MaybeUninit<Self>]> {
                match c {
                    ColumnMut::$var(v) => Some(v),
                    _ => None,
                }
            }
            fn out<'s, 'a>(o: &'s mut OutColumn<'a>) -> Option<&'s mut ArrayViewMutD<'a, Self>> {
                match o {
                    OutColumn::$var(v) => Some(v),
                    _ => None,
                }
            }
            fn scalar(s: &Scalar) -> Option<Self> {
                match s {
                    Scalar::$dtype(v) => Some(*v),
                    _ => None,
                }
            }
            fn to_scalar(self) -> Scalar {
                Scalar::$dtype(self)
            }
        }
    };
}

elem!(bool, Bool, Bool);
elem!(i32, Int32, I32);
elem!(i64, Int64, I64);
elem!(f32, Float32, F32);
elem!(f64, Float64, F64);
elem!(c128, Complex128, C128);

impl Buf {
    /// `self` followed by `more` (same type), or `None` for different types.
    pub fn append(self, more: Buf) -> Option<Buf> {
        macro_rules! join {
            ($($var:ident),*) => {
                match (self, more) {
                    $((Buf::$var(mut a), Buf::$var(b)) => {
                        a.extend(b);
                        Some(Buf::$var(a))
                    })*
                    (Buf::Bytes(mut a, w), Buf::Bytes(b, v)) if w == v => {
                        a.extend(b);
                        Some(Buf::Bytes(a, w))
                    }
                    (Buf::Empty, b) => Some(b),
                    _ => None,
                }
            };
        }
        join!(Bool, I32, I64, F32, F64, C128)
    }

    /// A zeroed buffer of `len` elements of `dtype`, reusing `self`'s allocation when it has
    /// the right type and is large enough.
    pub fn ensure(&mut self, dtype: DType, len: usize) {
        macro_rules! fit {
            ($var:ident, $zero:expr) => {{
                match self {
                    Buf::$var(v) if v.len() >= len => {}
                    _ => *self = Buf::$var(vec![$zero; len]),
                }
            }};
        }
        match dtype {
            DType::Bool => fit!(Bool, false),
            DType::Int32 => fit!(I32, 0),
            DType::Int64 => fit!(I64, 0),
            DType::Float32 => fit!(F32, 0.0),
            DType::Float64 => fit!(F64, 0.0),
            DType::Complex128 => fit!(C128, c128::new(0.0, 0.0)),
            DType::Bytes(n) => match self {
                Buf::Bytes(v, m) if *m == n && v.len() >= len * n => {}
                _ => *self = Buf::Bytes(vec![0; len * n], n),
            },
        }
    }
}
