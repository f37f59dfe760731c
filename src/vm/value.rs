//! Typed storage the VM moves values through: block buffers ([`Buf`]), borrowed contiguous
//! columns of the caller's inputs ([`Column`]) and output ([`ColumnMut`]), and the [`Elem`]
//! trait that maps each element type to its variant of each (and of `ArrayMut`, `Scalar`).
//!
//! The frame (`vm::frame`) points its slots into these; everything here is safe code.

use std::mem::MaybeUninit;

use ndarray::ArrayViewMutD;
use num_complex::Complex64;

use crate::array::ArrayMut;
use crate::dtype::{DType, Scalar};

/// The complex element type, named like the others in the instruction table.
#[allow(non_camel_case_types)]
pub(crate) type c128 = Complex64;

/// A block buffer of one dtype (a register, a gathered input, an output block on its way to a
/// strided output).
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

/// An element type the VM computes with.
pub(crate) trait Elem:
    Copy + Default + Send + Sync + PartialEq + std::fmt::Debug + 'static
{
    /// The buffer's storage, if it holds this type.
    fn buf(b: &Buf) -> Option<&Vec<Self>>;
    /// The buffer's storage, mutably, if it holds this type.
    fn buf_mut(b: &mut Buf) -> Option<&mut Vec<Self>>;
    /// Wrap storage into a buffer.
    fn wrap(v: Vec<Self>) -> Buf;
    /// A borrowed column of this type.
    fn to_column(s: &[Self]) -> Column<'_>;
    /// The output view, if it holds this type.
    fn out<'s, 'a>(o: &'s mut ArrayMut<'a>) -> Option<&'s mut ArrayViewMutD<'a, Self>>;
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
            fn wrap(v: Vec<Self>) -> Buf {
                Buf::$var(v)
            }
            fn to_column(s: &[Self]) -> Column<'_> {
                Column::$var(s)
            }
            fn out<'s, 'a>(o: &'s mut ArrayMut<'a>) -> Option<&'s mut ArrayViewMutD<'a, Self>> {
                match o {
                    ArrayMut::$dtype(v) => Some(v),
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

impl Column<'_> {
    /// The first element, and the bytes from one element to the next.
    pub fn base(&self) -> (*mut u8, usize) {
        fn at<T>(v: &[T]) -> (*mut u8, usize) {
            (v.as_ptr() as *mut u8, std::mem::size_of::<T>())
        }
        match self {
            Column::Bool(v) => at(v),
            Column::I32(v) => at(v),
            Column::I64(v) => at(v),
            Column::F32(v) => at(v),
            Column::F64(v) => at(v),
            Column::C128(v) => at(v),
            Column::Bytes(v, w) => (v.as_ptr() as *mut u8, *w),
        }
    }
}

impl ColumnMut<'_> {
    /// The first element, and the bytes from one element to the next.
    pub fn base(&mut self) -> (*mut u8, usize) {
        fn at<T>(v: &mut [MaybeUninit<T>]) -> (*mut u8, usize) {
            (v.as_mut_ptr() as *mut u8, std::mem::size_of::<T>())
        }
        match self {
            ColumnMut::Bool(v) => at(v),
            ColumnMut::I32(v) => at(v),
            ColumnMut::I64(v) => at(v),
            ColumnMut::F32(v) => at(v),
            ColumnMut::F64(v) => at(v),
            ColumnMut::C128(v) => at(v),
            ColumnMut::Bytes(v, w) => (v.as_mut_ptr() as *mut u8, *w),
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            ColumnMut::Bool(_) => DType::Bool,
            ColumnMut::I32(_) => DType::Int32,
            ColumnMut::I64(_) => DType::Int64,
            ColumnMut::F32(_) => DType::Float32,
            ColumnMut::F64(_) => DType::Float64,
            ColumnMut::C128(_) => DType::Complex128,
            ColumnMut::Bytes(_, w) => DType::Bytes(*w),
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            ColumnMut::Bool(v) => v.len(),
            ColumnMut::I32(v) => v.len(),
            ColumnMut::I64(v) => v.len(),
            ColumnMut::F32(v) => v.len(),
            ColumnMut::F64(v) => v.len(),
            ColumnMut::C128(v) => v.len(),
            ColumnMut::Bytes(v, w) => v.len() / (*w).max(1),
        }
    }
}

impl Buf {
    /// The first element of the storage (dangling when empty).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        match self {
            Buf::Empty => std::ptr::NonNull::<u8>::dangling().as_ptr(),
            Buf::Bool(v) => v.as_mut_ptr() as *mut u8,
            Buf::I32(v) => v.as_mut_ptr() as *mut u8,
            Buf::I64(v) => v.as_mut_ptr() as *mut u8,
            Buf::F32(v) => v.as_mut_ptr() as *mut u8,
            Buf::F64(v) => v.as_mut_ptr() as *mut u8,
            Buf::C128(v) => v.as_mut_ptr() as *mut u8,
            Buf::Bytes(v, _) => v.as_mut_ptr(),
        }
    }

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
