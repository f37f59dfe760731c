//! Dynamically typed n-d arrays: [`Array`] (owned results), [`BytesArray`] (fixed-width byte
//! strings) and `ArrayRef` (borrowed or widened inputs, one per kind).
//!
//! In: `ndarray` arrays of the six element kinds ([`Element`]), byte strings, scalars. Out:
//! typed `ndarray` arrays again (`into_f64`, `as_f64`, `TryFrom`), scalars, and a NumPy-style
//! text form (`Display`, in the `repr` submodule).
//!
//! Byte strings are stored as `u8` arrays with one extra, trailing axis of length `itemsize`
//! (element `i` of a byte-string array of shape `s` is the row `data[i, ..]`), so views with any
//! strides work for them like for numbers. Invariant of [`BytesArray`]: `itemsize >= 1`, the
//! data has shape `shape + [itemsize]` and is in standard (C) layout.

use std::fmt;

use ndarray::{
    ArrayBase, ArrayD, ArrayViewD, ArrayViewMutD, CowArray, Dimension, IxDyn, OwnedRepr,
};
use num_complex::Complex64;

use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};

pub(crate) mod alloc;
pub(crate) mod mapping;
mod output;
pub(crate) mod repr;

pub use output::Output;

/// An owned n-d array of one of vexpr's element types: the result of an evaluation.
///
/// ```
/// use ndarray::{array, ArrayD};
/// use vexpr::{Array, DType};
///
/// let a = Array::from(array![[1, 2], [3, 4]]);
/// assert_eq!(a.dtype(), DType::Int32);
/// assert_eq!(a.shape(), &[2, 2]);
/// assert_eq!(a.len(), 4);
/// assert_eq!(a.to_string(), "array([[1, 2],\n       [3, 4]], dtype=int32)");
/// let back: ArrayD<i32> = a.into_i32()?;
/// assert_eq!(back[[1, 0]], 3);
/// # Ok::<(), vexpr::Error>(())
/// ```
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
///
/// ```
/// use vexpr::BytesArray;
///
/// let b = BytesArray::from_items(["ab", "c", "", "abcd"], &[2, 2])?;
/// assert_eq!(b.itemsize(), 4);
/// assert_eq!(b.shape(), &[2, 2]);
/// assert_eq!(b.get(&[0, 1]), Some(&b"c"[..]));
/// assert_eq!(b.get(&[2, 0]), None);
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct BytesArray {
    /// Bytes per element (at least 1).
    pub(crate) itemsize: usize,
    /// The bytes, with shape `shape + [itemsize]`, in standard layout.
    pub(crate) data: ArrayD<u8>,
}

/// A borrowed (or, after widening on entry, owned) input array of one of the kinds.
#[derive(Clone, Debug)]
pub(crate) enum ArrayRef<'a> {
    /// `bool` elements.
    Bool(CowArray<'a, bool, IxDyn>),
    /// `int32` elements.
    Int32(CowArray<'a, i32, IxDyn>),
    /// `int64` elements.
    Int64(CowArray<'a, i64, IxDyn>),
    /// `float32` elements.
    Float32(CowArray<'a, f32, IxDyn>),
    /// `float64` elements.
    Float64(CowArray<'a, f64, IxDyn>),
    /// `complex128` elements.
    Complex128(CowArray<'a, Complex64, IxDyn>),
    /// Byte strings: shape `shape + [itemsize]`, `itemsize >= 1`.
    Bytes(CowArray<'a, u8, IxDyn>),
}

/// A mutable view of an array of one of the kinds: where an evaluation writes its result (a
/// caller's [`Output`], or a new [`Array`] through [`Array::view_mut`]).
#[derive(Debug)]
pub(crate) enum ArrayMut<'a> {
    /// `bool` elements.
    Bool(ArrayViewMutD<'a, bool>),
    /// `int32` elements.
    Int32(ArrayViewMutD<'a, i32>),
    /// `int64` elements.
    Int64(ArrayViewMutD<'a, i64>),
    /// `float32` elements.
    Float32(ArrayViewMutD<'a, f32>),
    /// `float64` elements.
    Float64(ArrayViewMutD<'a, f64>),
    /// `complex128` elements.
    Complex128(ArrayViewMutD<'a, Complex64>),
    /// Byte strings: shape `shape + [itemsize]`, `itemsize >= 1`.
    Bytes(ArrayViewMutD<'a, u8>),
}

/// Runs `$body` with `$a` bound to the inner `ndarray` of any numeric variant of `$value`
/// (an [`Array`] or an `ArrayRef`), and `$bytes` for the byte-string variant.
macro_rules! each_kind {
    ($enum:ident, $value:expr, $a:ident => $body:expr, $b:ident => $bytes:expr) => {
        match $value {
            $enum::Bool($a) => $body,
            $enum::Int32($a) => $body,
            $enum::Int64($a) => $body,
            $enum::Float32($a) => $body,
            $enum::Float64($a) => $body,
            $enum::Complex128($a) => $body,
            $enum::Bytes($b) => $bytes,
        }
    };
}

impl Array {
    /// The array borrowed as an engine input.
    pub(crate) fn as_input(&self) -> ArrayRef<'_> {
        match self {
            Array::Bool(a) => ArrayRef::Bool(a.view().into()),
            Array::Int32(a) => ArrayRef::Int32(a.view().into()),
            Array::Int64(a) => ArrayRef::Int64(a.view().into()),
            Array::Float32(a) => ArrayRef::Float32(a.view().into()),
            Array::Float64(a) => ArrayRef::Float64(a.view().into()),
            Array::Complex128(a) => ArrayRef::Complex128(a.view().into()),
            Array::Bytes(b) => ArrayRef::Bytes(b.data.view().into()),
        }
    }
}

impl<'a> ArrayMut<'a> {
    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            ArrayMut::Bool(_) => DType::Bool,
            ArrayMut::Int32(_) => DType::Int32,
            ArrayMut::Int64(_) => DType::Int64,
            ArrayMut::Float32(_) => DType::Float32,
            ArrayMut::Float64(_) => DType::Float64,
            ArrayMut::Complex128(_) => DType::Complex128,
            ArrayMut::Bytes(b) => DType::Bytes(b.shape().last().copied().unwrap_or(1)),
        }
    }

    /// The shape (for byte strings, without the item axis).
    pub fn shape(&self) -> &[usize] {
        each_kind!(ArrayMut, self, a => a.shape(), b => &b.shape()[..b.ndim().saturating_sub(1)])
    }

    /// Whether the view is in C order without gaps.
    pub fn is_standard_layout(&self) -> bool {
        each_kind!(ArrayMut, self, a => a.is_standard_layout(), b => b.is_standard_layout())
    }

    /// A shorter-lived view of the same elements.
    pub fn reborrow(&mut self) -> ArrayMut<'_> {
        match self {
            ArrayMut::Bool(v) => ArrayMut::Bool(v.view_mut()),
            ArrayMut::Int32(v) => ArrayMut::Int32(v.view_mut()),
            ArrayMut::Int64(v) => ArrayMut::Int64(v.view_mut()),
            ArrayMut::Float32(v) => ArrayMut::Float32(v.view_mut()),
            ArrayMut::Float64(v) => ArrayMut::Float64(v.view_mut()),
            ArrayMut::Complex128(v) => ArrayMut::Complex128(v.view_mut()),
            ArrayMut::Bytes(v) => ArrayMut::Bytes(v.view_mut()),
        }
    }
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
            ArrayRef::Bytes(a) => DType::Bytes(a.shape().last().copied().unwrap_or(1).max(1)),
        }
    }

    /// The logical shape (without the byte-string item axis).
    pub fn shape(&self) -> &[usize] {
        each_kind!(ArrayRef, self, a => a.shape(), b => {
            let s = b.shape();
            &s[..s.len().saturating_sub(1)]
        })
    }
}

impl ArrayRef<'_> {
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

pub(crate) mod sealed {
    //! The conversions behind [`Element`](super::Element), out of reach of other crates so
    //! that no one else can add element types.
    use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD};

    use super::Array;

    /// Moves one element type in and out of the [`Array`] enum.
    pub trait Sealed: Sized {
        /// Wrap a typed array.
        fn wrap(array: ArrayD<Self>) -> Array;
        /// Unwrap, or give the array back if it holds another kind.
        fn unwrap(array: Array) -> Result<ArrayD<Self>, Array>;
        /// Borrow, if the array holds this kind.
        fn peek(array: &Array) -> Option<ArrayViewD<'_, Self>>;
        /// A caller's mutable view as an output.
        fn output(view: ArrayViewMutD<'_, Self>) -> super::Output<'_>;
    }
}

/// The element types an [`Array`] holds: `bool`, `i32`, `i64`, `f32`, `f64` and
/// [`Complex64`] (complex128). Sealed: implemented for exactly these six.
///
/// ```
/// use vexpr::{Array, DType, Element};
/// assert_eq!(<f32 as Element>::DTYPE, DType::Float32);
/// let a = Array::from(ndarray::arr1(&[1.0f32, 2.0]));
/// assert_eq!(a.into_array::<f32>()?.sum(), 3.0);
/// # Ok::<(), vexpr::Error>(())
/// ```
pub trait Element: sealed::Sealed + Clone + fmt::Debug + Send + Sync + 'static {
    /// The kind of this element type.
    const DTYPE: DType;
}

/// Implements [`Element`] for each `type => variant` pair (the variant names of [`Array`] and
/// [`DType`] agree).
macro_rules! elements {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {
            fn wrap(array: ArrayD<Self>) -> Array {
                Array::$v(array)
            }
            fn unwrap(array: Array) -> Result<ArrayD<Self>, Array> {
                match array {
                    Array::$v(a) => Ok(a),
                    other => Err(other),
                }
            }
            fn peek(array: &Array) -> Option<ArrayViewD<'_, Self>> {
                match array {
                    Array::$v(a) => Some(a.view()),
                    _ => None,
                }
            }
            fn output(view: ArrayViewMutD<'_, Self>) -> Output<'_> {
                Output { view: ArrayMut::$v(view), map: None }
            }
        }
        impl Element for $t {
            const DTYPE: DType = DType::$v;
        }
    )*};
}
elements!(bool => Bool, i32 => Int32, i64 => Int64, f32 => Float32, f64 => Float64,
          Complex64 => Complex128);

/// Generates the named typed accessors (`into_f64`, `as_f64`, ...) as one-liners over the
/// generic ones.
macro_rules! typed_accessors {
    ($($t:ty: $into:ident, $as:ident;)*) => {$(
        #[doc = concat!("The elements as an `ArrayD<", stringify!($t), ">`, or an [`ErrorKind::Output`] error if the array holds another kind.")]
        pub fn $into(self) -> Result<ArrayD<$t>, Error> {
            self.into_array()
        }
        #[doc = concat!("A view of the elements as `", stringify!($t), "`, if the array holds that kind.")]
        pub fn $as(&self) -> Option<ArrayViewD<'_, $t>> {
            self.as_array()
        }
    )*};
}

impl Array {
    /// A mutable view of the elements, for writing a result into them.
    pub(crate) fn view_mut(&mut self) -> ArrayMut<'_> {
        match self {
            Array::Bool(v) => ArrayMut::Bool(v.view_mut()),
            Array::Int32(v) => ArrayMut::Int32(v.view_mut()),
            Array::Int64(v) => ArrayMut::Int64(v.view_mut()),
            Array::Float32(v) => ArrayMut::Float32(v.view_mut()),
            Array::Float64(v) => ArrayMut::Float64(v.view_mut()),
            Array::Complex128(v) => ArrayMut::Complex128(v.view_mut()),
            Array::Bytes(b) => ArrayMut::Bytes(b.data.view_mut()),
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        match self {
            Array::Bool(_) => DType::Bool,
            Array::Int32(_) => DType::Int32,
            Array::Int64(_) => DType::Int64,
            Array::Float32(_) => DType::Float32,
            Array::Float64(_) => DType::Float64,
            Array::Complex128(_) => DType::Complex128,
            Array::Bytes(b) => DType::Bytes(b.itemsize()),
        }
    }

    /// The shape (for byte strings, without the item axis).
    pub fn shape(&self) -> &[usize] {
        each_kind!(Array, self, a => a.shape(), b => b.shape())
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements (1 for a 0-d array).
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements as an `ArrayD<T>`, or an [`ErrorKind::Output`] error naming both kinds
    /// ("result is int32, not float64") if the array holds another kind. Never converts.
    pub fn into_array<T: Element>(self) -> Result<ArrayD<T>, Error> {
        T::unwrap(self).map_err(|other| kind_error(other.dtype(), T::DTYPE))
    }

    /// A view of the elements as `T`, if the array holds that kind.
    pub fn as_array<T: Element>(&self) -> Option<ArrayViewD<'_, T>> {
        T::peek(self)
    }

    typed_accessors! {
        bool: into_bool, as_bool;
        i32: into_i32, as_i32;
        i64: into_i64, as_i64;
        f32: into_f32, as_f32;
        f64: into_f64, as_f64;
        Complex64: into_c128, as_c128;
    }

    /// The byte strings, or an [`ErrorKind::Output`] error if the array is numeric.
    pub fn into_bytes(self) -> Result<BytesArray, Error> {
        match self {
            Array::Bytes(b) => Ok(b),
            other => Err(Error::new(
                ErrorKind::Output,
                format!("result is {}, not a byte string", other.dtype()),
            )),
        }
    }

    /// The byte strings, if the array holds them.
    pub fn as_bytes(&self) -> Option<&BytesArray> {
        match self {
            Array::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The single value of a 0-d array (`None` for any other shape).
    ///
    /// ```
    /// use vexpr::{Array, Scalar};
    /// assert_eq!(Array::from_scalar(Scalar::Int64(7)).to_scalar(), Some(Scalar::Int64(7)));
    /// assert_eq!(Array::from(ndarray::arr1(&[1.0])).to_scalar(), None);
    /// ```
    pub fn to_scalar(&self) -> Option<Scalar> {
        if self.ndim() != 0 {
            return None;
        }
        Some(match self {
            Array::Bool(a) => Scalar::Bool(*a.first()?),
            Array::Int32(a) => Scalar::Int32(*a.first()?),
            Array::Int64(a) => Scalar::Int64(*a.first()?),
            Array::Float32(a) => Scalar::Float32(*a.first()?),
            Array::Float64(a) => Scalar::Float64(*a.first()?),
            Array::Complex128(a) => Scalar::Complex128(*a.first()?),
            Array::Bytes(b) => Scalar::Bytes(b.get(&[])?.to_vec()),
        })
    }

    /// A 0-d array holding `value` (an empty byte string becomes `S1`, like NumPy's `b''`).
    pub fn from_scalar(value: Scalar) -> Array {
        let zero_d = IxDyn(&[]);
        match value {
            Scalar::Bool(x) => Array::Bool(ArrayD::from_elem(zero_d, x)),
            Scalar::Int32(x) => Array::Int32(ArrayD::from_elem(zero_d, x)),
            Scalar::Int64(x) => Array::Int64(ArrayD::from_elem(zero_d, x)),
            Scalar::Float32(x) => Array::Float32(ArrayD::from_elem(zero_d, x)),
            Scalar::Float64(x) => Array::Float64(ArrayD::from_elem(zero_d, x)),
            Scalar::Complex128(x) => Array::Complex128(ArrayD::from_elem(zero_d, x)),
            Scalar::Bytes(b) => Array::Bytes(BytesArray::scalar(&b)),
        }
    }
}

/// "result is int32, not float64".
fn kind_error(found: DType, wanted: DType) -> Error {
    Error::new(
        ErrorKind::Output,
        format!("result is {found}, not {wanted}"),
    )
}

impl<T: Element, D: Dimension> From<ArrayBase<OwnedRepr<T>, D>> for Array {
    fn from(array: ArrayBase<OwnedRepr<T>, D>) -> Array {
        T::wrap(array.into_dyn())
    }
}

impl From<BytesArray> for Array {
    fn from(bytes: BytesArray) -> Array {
        Array::Bytes(bytes)
    }
}

impl From<Scalar> for Array {
    fn from(value: Scalar) -> Array {
        Array::from_scalar(value)
    }
}

impl<T: Element> TryFrom<Array> for ArrayD<T> {
    type Error = Error;

    fn try_from(array: Array) -> Result<ArrayD<T>, Error> {
        array.into_array()
    }
}

impl TryFrom<Array> for BytesArray {
    type Error = Error;

    fn try_from(array: Array) -> Result<BytesArray, Error> {
        array.into_bytes()
    }
}

impl BytesArray {
    /// An array of `shape` from its elements in C order; the item size is the longest
    /// element's length (at least 1) and shorter ones are NUL-padded. An error
    /// ([`ErrorKind::Input`]) if the number of items does not match the shape.
    pub fn from_items<I, B>(items: I, shape: &[usize]) -> Result<BytesArray, Error>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        let items: Vec<B> = items.into_iter().collect();
        let count = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if count != Some(items.len()) {
            return Err(Error::new(
                ErrorKind::Input,
                format!(
                    "{} byte strings do not fill shape {}",
                    items.len(),
                    repr::py_shape(shape)
                ),
            ));
        }
        let itemsize = items
            .iter()
            .map(|b| b.as_ref().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut flat = vec![0u8; items.len() * itemsize];
        for (row, item) in flat.chunks_exact_mut(itemsize).zip(&items) {
            let item = item.as_ref();
            row[..item.len()].copy_from_slice(item);
        }
        let mut full = shape.to_vec();
        full.push(itemsize);
        let data = ArrayD::from_shape_vec(IxDyn(&full), flat)
            .map_err(|e| Error::new(ErrorKind::Input, format!("bad byte-string shape: {e}")))?;
        Ok(BytesArray { itemsize, data })
    }

    /// A 0-d array holding one byte string.
    pub fn scalar(value: &[u8]) -> BytesArray {
        let itemsize = value.len().max(1);
        let mut row = value.to_vec();
        row.resize(itemsize, 0);
        BytesArray {
            itemsize,
            data: ArrayD::from_shape_vec(IxDyn(&[itemsize]), row)
                .unwrap_or_else(|_| ArrayD::zeros(IxDyn(&[itemsize]))),
        }
    }

    /// From raw, NUL-padded bytes of shape `shape + [itemsize]` (any layout): the item size
    /// is the length of the last axis, which must exist and be at least 1
    /// ([`ErrorKind::Input`] otherwise). Unlike [`from_items`](Self::from_items), this keeps
    /// a declared width even when every item is shorter, like NumPy's `S<n>`.
    ///
    /// ```
    /// use vexpr::BytesArray;
    /// let raw = ndarray::arr2(&[*b"ab\0\0", *b"\0\0\0\0"]).into_dyn();
    /// let b = BytesArray::from_raw(raw)?;
    /// assert_eq!((b.shape(), b.itemsize()), (&[2][..], 4));
    /// assert_eq!(b.get(&[0]), Some(&b"ab"[..]));
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn from_raw(data: ArrayD<u8>) -> Result<BytesArray, Error> {
        let itemsize = data.shape().last().copied().unwrap_or(0);
        if itemsize == 0 {
            return Err(Error::new(
                ErrorKind::Input,
                "raw byte strings need a last axis of at least one byte",
            ));
        }
        let data = if data.is_standard_layout() {
            data
        } else {
            data.as_standard_layout().into_owned()
        };
        Ok(BytesArray { itemsize, data })
    }

    /// Bytes per element (at least 1).
    pub fn itemsize(&self) -> usize {
        self.itemsize
    }

    /// The shape (without the item axis).
    pub fn shape(&self) -> &[usize] {
        let s = self.data.shape();
        &s[..s.len().saturating_sub(1)]
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index` with its trailing NULs removed (`None` if out of bounds).
    pub fn get(&self, index: &[usize]) -> Option<&[u8]> {
        if index.len() != self.ndim() {
            return None;
        }
        let mut flat = 0usize;
        for (&i, &n) in index.iter().zip(self.shape()) {
            if i >= n {
                return None;
            }
            flat = flat * n + i;
        }
        self.rows().nth(flat)
    }

    /// The elements in C order, each with its trailing NULs removed.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.rows()
    }

    /// The raw bytes: shape `shape + [itemsize]`, NUL-padded.
    pub fn as_raw(&self) -> ArrayViewD<'_, u8> {
        self.data.view()
    }

    /// The elements in C order, trimmed. The data is in standard layout (an invariant of the
    /// type), so the flat slice is available.
    fn rows(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let flat = self.data.as_slice().unwrap_or(&[]);
        flat.chunks_exact(self.itemsize.max(1)).map(trim_nuls)
    }
}

/// `bytes` without its trailing NULs (NumPy's `S<n>` values).
pub(crate) fn trim_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    &bytes[..end]
}

impl<B: AsRef<[u8]>> FromIterator<B> for BytesArray {
    /// A 1-d array of the items.
    fn from_iter<I: IntoIterator<Item = B>>(items: I) -> BytesArray {
        let items: Vec<B> = items.into_iter().collect();
        let n = items.len();
        // The shape is the item count, so this cannot fail; fall back to an empty array.
        BytesArray::from_items(items, &[n]).unwrap_or_else(|_| BytesArray {
            itemsize: 1,
            data: ArrayD::zeros(IxDyn(&[0, 1])),
        })
    }
}

impl fmt::Display for Array {
    /// NumPy's `repr` of the array: `array([1.5, 2. , 3. ])`, `array([1, 2], dtype=int32)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr::array_repr(self))
    }
}

impl fmt::Display for BytesArray {
    /// NumPy's `repr`: `array([b'ab', b'c'], dtype='|S2')`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&repr::bytes_repr(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr0, arr1, arr2};

    #[test]
    fn accessors_report_kind_and_shape() {
        let a = Array::from(arr2(&[[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]));
        assert_eq!(a.dtype(), DType::Float32);
        assert_eq!(a.shape(), &[2, 3]);
        assert_eq!((a.ndim(), a.len(), a.is_empty()), (2, 6, false));
        let e = Array::from(ArrayD::<i64>::zeros(IxDyn(&[3, 0])));
        assert_eq!((e.len(), e.is_empty()), (0, true));
    }

    #[test]
    fn wrong_kind_is_an_output_error_naming_both() {
        let a = Array::from(arr1(&[1i32, 2]));
        let e = a.clone().into_f64().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Output);
        assert_eq!(e.message(), "result is int32, not float64");
        assert!(a.as_f64().is_none());
        assert_eq!(a.as_i32().map(|v| v.sum()), Some(3));
        let e = a.into_bytes().unwrap_err();
        assert_eq!(e.message(), "result is int32, not a byte string");
    }

    #[test]
    fn scalars_round_trip_through_0d_arrays() {
        let values = [
            Scalar::Bool(true),
            Scalar::Int32(-3),
            Scalar::Int64(1 << 40),
            Scalar::Float32(1.5),
            Scalar::Float64(-2.25),
            Scalar::Complex128(Complex64::new(1.0, -1.0)),
            Scalar::Bytes(b"xy".to_vec()),
        ];
        for v in values {
            let a = Array::from_scalar(v.clone());
            assert_eq!(a.ndim(), 0);
            assert_eq!(a.dtype(), v.dtype());
            assert_eq!(a.to_scalar(), Some(v));
        }
        assert_eq!(Array::from(arr0(4i64)).to_scalar(), Some(Scalar::Int64(4)));
    }

    #[test]
    fn empty_byte_string_scalar_has_itemsize_one() {
        let a = Array::from_scalar(Scalar::Bytes(Vec::new()));
        assert_eq!(a.dtype(), DType::Bytes(1));
        assert_eq!(a.to_scalar(), Some(Scalar::Bytes(Vec::new())));
    }

    #[test]
    fn bytes_are_nul_padded_and_trimmed() {
        let b = BytesArray::from_items([&b"a\0b"[..], b"", b"xyz\0"], &[3]).unwrap();
        assert_eq!(b.itemsize(), 4);
        assert_eq!(
            b.as_raw().iter().copied().collect::<Vec<u8>>(),
            b"a\0b\0\0\0\0\0xyz\0".to_vec()
        );
        // Interior NULs stay, trailing ones go.
        let items: Vec<&[u8]> = b.iter().collect();
        assert_eq!(items, vec![&b"a\0b"[..], b"", b"xyz"]);
        assert_eq!(b.get(&[0]), Some(&b"a\0b"[..]));
        assert_eq!(b.get(&[3]), None);
        assert_eq!(b.get(&[0, 0]), None);
    }

    #[test]
    fn bytes_count_must_match_shape() {
        let e = BytesArray::from_items(["a", "b", "c"], &[2, 2]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert_eq!(e.message(), "3 byte strings do not fill shape (2, 2)");
        let huge = BytesArray::from_items(["a"], &[usize::MAX, 2]);
        assert!(huge.is_err());
    }

    #[test]
    fn bytes_from_iterator_is_1d() {
        let b: BytesArray = ["ab", "c"].into_iter().collect();
        assert_eq!((b.shape(), b.itemsize()), (&[2][..], 2));
        let empty: BytesArray = Vec::<&str>::new().into_iter().collect();
        assert_eq!((empty.shape(), empty.itemsize()), (&[0][..], 1));
    }

    #[test]
    fn from_raw_normalises_layout() {
        let raw = arr2(&[[b'a', b'b'], [b'c', 0]]).into_dyn();
        let t = raw.t().to_owned(); // Fortran layout copy of the transpose
        let b = BytesArray::from_raw(t.reversed_axes()).unwrap();
        let items: Vec<&[u8]> = b.iter().collect();
        assert_eq!(items, vec![&b"ab"[..], b"c"]);
        assert!(BytesArray::from_raw(ArrayD::zeros(IxDyn(&[2, 0]))).is_err());
        assert!(BytesArray::from_raw(ArrayD::zeros(IxDyn(&[]))).is_err());
    }

    #[test]
    fn try_from_and_from_agree() {
        let a = Array::from(arr1(&[true, false]));
        let back: ArrayD<bool> = a.clone().try_into().unwrap();
        assert_eq!(back, arr1(&[true, false]).into_dyn());
        let wrong: Result<ArrayD<f32>, Error> = a.try_into();
        assert_eq!(wrong.unwrap_err().message(), "result is bool, not float32");
    }
}
