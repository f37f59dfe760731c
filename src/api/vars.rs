//! The caller's variables: [`Vars`] (name -> [`Input`]), whose dtypes make a [`Signature`].
//!
//! In: `ndarray` arrays and views of any dimension, strides and storage, slices, `Vec`s,
//! scalars, and vexpr's own [`Array`]/[`BytesArray`]. Out: for each variable an `ArrayRef`,
//! the engine's input of one of the six kinds or byte strings.
//!
//! Invariants: values of the six kinds are borrowed, never copied, whatever their strides;
//! narrower types are widened on entry into an owned array (int8/uint8/int16/uint16 -> int32,
//! uint32 -> int64, complex64 -> complex128; NumPy's safe casts); uint64 is refused by the
//! type system and offered only as [`Input::from_u64_wrapping`]. Arrays of more than
//! [`MAX_DIMS`](crate::limits::MAX_DIMS) dimensions can be built but are refused by the shape pass when evaluated.

use ndarray::{ArrayBase, ArrayD, ArrayView, AsArray, CowArray, Data, Dimension, IxDyn};
use num_complex::{Complex, Complex64};

use crate::array::mapping::MapRef;
use crate::array::{Array, ArrayRef, BytesArray};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::hir::Signature;
use crate::npy::MappedArray;

/// Named input arrays for an evaluation: `ndarray` arrays and views of any dimension and
/// strides, slices, and scalars.
///
/// ```
/// use ndarray::{array, s};
/// use vexpr::{DType, Vars};
///
/// let a = array![[1.0, 2.0], [3.0, 4.0]];
/// let k = vec![1u8, 2, 255];
/// let vars = Vars::new()
///     .with("a", &a)                    // borrowed
///     .with("at", a.t())                // a transposed view, still borrowed
///     .with("k", &k)                    // u8 widened to int32
///     .with("x", 2.5);                  // a scalar (0-d)
/// assert_eq!(vars.len(), 4);
/// assert_eq!(vars.get("k").map(|v| v.dtype()), Some(DType::Int32));
/// assert_eq!(vars.get("at").map(|v| v.shape().to_vec()), Some(vec![2, 2]));
/// assert_eq!(vars.names().collect::<Vec<_>>(), ["a", "at", "k", "x"]);
/// let sig = vars.signature();
/// assert_eq!(sig.get("x"), Some(DType::Float64));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Vars<'a> {
    entries: Vec<(String, Input<'a>)>,
}

/// One variable's value, made with `From`/`Into` from an array, a view, a slice or a scalar.
///
/// Element types: `bool`, `i32`, `i64`, `f32`, `f64`, [`Complex64`] are borrowed as they are;
/// `i8`, `u8`, `i16`, `u16` become int32, `u32` int64 and `Complex<f32>` complex128 (copied).
///
/// ```
/// use ndarray::{Array2, s};
/// use vexpr::{DType, Input};
///
/// let m = Array2::<f64>::zeros((4, 6));
/// let every_other = Input::from(m.slice(s![..;-2, 1..;3]));
/// assert_eq!(every_other.shape(), &[2, 2]);
/// assert_eq!(Input::from(&[1i16, -2][..]).dtype(), DType::Int32);
/// assert_eq!(Input::from(7u32).dtype(), DType::Int64);
/// ```
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub(crate) array: ArrayRef<'a>,
    /// The file mapping the array lives in, when it is a mapped `.npy` file.
    pub(crate) map: Option<MapRef<'a>>,
}

impl<'a> Vars<'a> {
    /// No variables.
    pub fn new() -> Vars<'a> {
        Vars::default()
    }

    /// Add (or replace) variable `name`.
    pub fn with(mut self, name: &str, value: impl Into<Input<'a>>) -> Vars<'a> {
        self.insert(name, value);
        self
    }

    /// Add (or replace) variable `name`.
    pub fn insert(&mut self, name: &str, value: impl Into<Input<'a>>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// Remove variable `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Input<'a>> {
        let at = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(at).1)
    }

    /// The value of variable `name`.
    pub fn get(&self, name: &str) -> Option<&Input<'a>> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The names, in insertion order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names and dtypes, for [`compile`](crate::compile).
    pub fn signature(&self) -> Signature {
        Signature {
            vars: self
                .entries
                .iter()
                .map(|(n, v)| (n.clone(), v.dtype()))
                .collect(),
        }
    }
}

impl<'a> Input<'a> {
    /// The element type inside expressions (after widening).
    pub fn dtype(&self) -> DType {
        self.array.dtype()
    }

    /// The shape (for byte strings, without the item axis).
    pub fn shape(&self) -> &[usize] {
        self.array.shape()
    }

    /// The number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// A copy of the value as an owned [`Array`] (C order), e.g. to print an input.
    ///
    /// ```
    /// use vexpr::Input;
    /// let a = Input::from(&[255u8, 0][..]).to_array();
    /// assert_eq!(a.to_string(), "array([255,   0], dtype=int32)");
    /// ```
    pub fn to_array(&self) -> Array {
        match &self.array {
            ArrayRef::Bool(a) => Array::Bool(a.to_owned()),
            ArrayRef::Int32(a) => Array::Int32(a.to_owned()),
            ArrayRef::Int64(a) => Array::Int64(a.to_owned()),
            ArrayRef::Float32(a) => Array::Float32(a.to_owned()),
            ArrayRef::Float64(a) => Array::Float64(a.to_owned()),
            ArrayRef::Complex128(a) => Array::Complex128(a.to_owned()),
            // An item axis of length >= 1 is an invariant of `ArrayRef::Bytes`.
            ArrayRef::Bytes(a) => BytesArray::from_raw(a.to_owned()).map_or_else(
                |_| Array::from_scalar(crate::Scalar::Bytes(Vec::new())),
                Array::Bytes,
            ),
        }
    }

    /// A borrowed view of the value, for the engine.
    pub(crate) fn view(&self) -> ArrayRef<'_> {
        self.array.view()
    }

    /// A uint64 array, converted with NumPy's unsafe casting: each value wraps to int64
    /// (`u64::MAX` becomes -1). Without this explicit call uint64 is refused, because no
    /// kind of the language holds all its values.
    ///
    /// ```
    /// use vexpr::{DType, Input};
    /// let big = [u64::MAX, 5];
    /// let input = Input::from_u64_wrapping(&big[..]);
    /// assert_eq!(input.dtype(), DType::Int64);
    /// ```
    pub fn from_u64_wrapping<'v, D: Dimension>(values: impl AsArray<'v, u64, D>) -> Input<'a> {
        let view: ArrayView<'v, u64, D> = values.into();
        // Two's-complement reinterpretation is exactly NumPy's unsafe uint64 -> int64 cast.
        owned(ArrayRef::Int64, view.mapv(|x| x as i64))
    }

    /// Byte strings borrowed from a `u8` view whose **last axis is the item axis** (NumPy's
    /// `S<n>` memory seen as bytes: shape `shape + [n]`, any strides), without a copy. An
    /// item axis of length 0, or no axis at all, is an [`ErrorKind::Input`] error.
    ///
    /// ```
    /// use ndarray::{ArrayView, ShapeBuilder};
    /// use vexpr::{DType, Input};
    /// // Two items of 3 bytes, every other one of four stored: strides in bytes.
    /// let raw = *b"ab\0xxxcd\0xxxef\0xxxgh\0xxx";
    /// let view = ArrayView::from_shape((2, 3).strides((12, 1)), &raw[..]).unwrap();
    /// let names = Input::byte_strings_view(view.into_dyn())?;
    /// assert_eq!((names.dtype(), names.shape()), (DType::Bytes(3), &[2][..]));
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn byte_strings_view(view: ndarray::ArrayViewD<'a, u8>) -> Result<Input<'a>, Error> {
        match view.shape().last() {
            Some(&n) if n >= 1 => Ok(Input {
                array: ArrayRef::Bytes(CowArray::from(view)),
                map: None,
            }),
            _ => Err(Error::new(
                ErrorKind::Input,
                format!(
                    "a byte-string view needs a last (item) axis of length 1 or more; its shape is {:?}",
                    view.shape()
                ),
            )),
        }
    }

    /// A 1-d array of byte strings (NUL-padded to the longest, NumPy's `S<n>`).
    ///
    /// ```
    /// use vexpr::{DType, Input};
    /// let names = Input::byte_strings(["ab", "abc"]);
    /// assert_eq!((names.dtype(), names.shape()), (DType::Bytes(3), &[2][..]));
    /// ```
    pub fn byte_strings<I, B>(items: I) -> Input<'a>
    where
        I: IntoIterator<Item = B>,
        B: AsRef<[u8]>,
    {
        Input::from(items.into_iter().collect::<BytesArray>())
    }
}

/// An owned (widened) array as an input of kind `wrap`.
fn owned<'a, T, D: Dimension>(
    wrap: fn(CowArray<'a, T, IxDyn>) -> ArrayRef<'a>,
    array: ArrayBase<ndarray::OwnedRepr<T>, D>,
) -> Input<'a> {
    Input {
        array: wrap(CowArray::from(array.into_dyn())),
        map: None,
    }
}

pub(crate) mod sealed {
    //! The conversion behind [`InputElement`](super::InputElement), out of reach of other
    //! crates.
    use ndarray::{ArrayView, Dimension};

    use super::Input;

    /// Turns a view of one element type into an input: borrowed for the six kinds, widened
    /// (owned) for narrower types.
    pub trait Sealed: Sized + Clone {
        /// The input for `view`.
        fn input<D: Dimension>(view: ArrayView<'_, Self, D>) -> Input<'_>;
    }
}

/// Element types an [`Input`] can be made from: the six kinds, and the narrower types that
/// are widened on entry (`i8`, `u8`, `i16`, `u16`, `u32`, `Complex<f32>`). Sealed.
pub trait InputElement: sealed::Sealed + 'static {}

/// Implements [`InputElement`] for the six kinds: the view is borrowed as it is.
macro_rules! borrowed_elements {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl sealed::Sealed for $t {
            fn input<D: Dimension>(view: ArrayView<'_, Self, D>) -> Input<'_> {
                Input { array: ArrayRef::$v(CowArray::from(view.into_dyn())), map: None }
            }
        }
        impl InputElement for $t {}
    )*};
}
borrowed_elements!(bool => Bool, i32 => Int32, i64 => Int64, f32 => Float32, f64 => Float64,
                   Complex64 => Complex128);

/// Implements [`InputElement`] for narrower types: each element is widened with `$widen`
/// into an owned array of kind `$v`.
macro_rules! widened_elements {
    ($($t:ty => $v:ident by $widen:expr),* $(,)?) => {$(
        impl sealed::Sealed for $t {
            fn input<D: Dimension>(view: ArrayView<'_, Self, D>) -> Input<'_> {
                owned(ArrayRef::$v, view.mapv($widen))
            }
        }
        impl InputElement for $t {}
    )*};
}
widened_elements! {
    i8 => Int32 by i32::from,
    u8 => Int32 by i32::from,
    i16 => Int32 by i32::from,
    u16 => Int32 by i32::from,
    u32 => Int64 by i64::from,
    Complex<f32> => Complex128 by |z: Complex<f32>| Complex64::new(f64::from(z.re), f64::from(z.im)),
}

impl<'a, T, S, D> From<&'a ArrayBase<S, D>> for Input<'a>
where
    T: InputElement,
    S: Data<Elem = T>,
    D: Dimension,
{
    fn from(array: &'a ArrayBase<S, D>) -> Input<'a> {
        T::input(array.view())
    }
}

impl<'a, T: InputElement, D: Dimension> From<&'a ndarray::ArrayRef<T, D>> for Input<'a> {
    fn from(array: &'a ndarray::ArrayRef<T, D>) -> Input<'a> {
        T::input(array.view())
    }
}

impl<'a, T: InputElement, D: Dimension> From<ArrayView<'a, T, D>> for Input<'a> {
    fn from(view: ArrayView<'a, T, D>) -> Input<'a> {
        T::input(view)
    }
}

impl<'a, T: InputElement> From<&'a [T]> for Input<'a> {
    fn from(values: &'a [T]) -> Input<'a> {
        T::input(ArrayView::from(values))
    }
}

impl<'a, T: InputElement, const N: usize> From<&'a [T; N]> for Input<'a> {
    fn from(values: &'a [T; N]) -> Input<'a> {
        T::input(ArrayView::from(&values[..]))
    }
}

impl<'a, T: InputElement> From<&'a Vec<T>> for Input<'a> {
    fn from(values: &'a Vec<T>) -> Input<'a> {
        T::input(ArrayView::from(values.as_slice()))
    }
}

impl<'a, T: InputElement> From<T> for Input<'a> {
    /// A scalar: a 0-d array.
    fn from(value: T) -> Input<'a> {
        let zero_d: ArrayD<T> = ArrayD::from_elem(IxDyn(&[]), value);
        let input = T::input(zero_d.view());
        // The view borrows `zero_d`; owning the data detaches it.
        Input {
            array: into_owned(input.array),
            map: None,
        }
    }
}

/// The same value with owned data (no borrow left).
fn into_owned<'b>(array: ArrayRef<'_>) -> ArrayRef<'b> {
    fn own<'b, T: Clone + 'static>(a: CowArray<'_, T, IxDyn>) -> CowArray<'b, T, IxDyn> {
        CowArray::from(a.into_owned())
    }
    match array {
        ArrayRef::Bool(a) => ArrayRef::Bool(own(a)),
        ArrayRef::Int32(a) => ArrayRef::Int32(own(a)),
        ArrayRef::Int64(a) => ArrayRef::Int64(own(a)),
        ArrayRef::Float32(a) => ArrayRef::Float32(own(a)),
        ArrayRef::Float64(a) => ArrayRef::Float64(own(a)),
        ArrayRef::Complex128(a) => ArrayRef::Complex128(own(a)),
        ArrayRef::Bytes(a) => ArrayRef::Bytes(own(a)),
    }
}

impl<'a> From<&'a Array> for Input<'a> {
    /// A result fed back in, borrowed.
    fn from(array: &'a Array) -> Input<'a> {
        Input {
            array: array.as_input(),
            map: None,
        }
    }
}

impl<'a> From<Array> for Input<'a> {
    /// A result fed back in, moved (no copy).
    fn from(array: Array) -> Input<'a> {
        let array = match array {
            Array::Bool(a) => ArrayRef::Bool(a.into()),
            Array::Int32(a) => ArrayRef::Int32(a.into()),
            Array::Int64(a) => ArrayRef::Int64(a.into()),
            Array::Float32(a) => ArrayRef::Float32(a.into()),
            Array::Float64(a) => ArrayRef::Float64(a.into()),
            Array::Complex128(a) => ArrayRef::Complex128(a.into()),
            Array::Bytes(b) => ArrayRef::Bytes(b.data.into()),
        };
        Input { array, map: None }
    }
}

impl<'a> From<&'a MappedArray> for Input<'a> {
    /// A `.npy` file, borrowed where it is mapped (evaluations then read it window by window
    /// and let the pages they are done with go).
    fn from(file: &'a MappedArray) -> Input<'a> {
        let (array, map) = file.input();
        Input { array, map }
    }
}

impl<'a> From<&'a BytesArray> for Input<'a> {
    /// Byte strings, borrowed.
    fn from(bytes: &'a BytesArray) -> Input<'a> {
        Input {
            array: ArrayRef::Bytes(bytes.data.view().into()),
            map: None,
        }
    }
}

impl<'a> From<BytesArray> for Input<'a> {
    /// Byte strings, moved.
    fn from(bytes: BytesArray) -> Input<'a> {
        Input {
            array: ArrayRef::Bytes(bytes.data.into()),
            map: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArcArray, Array1, Array2, ShapeBuilder, s};

    /// The address of the first element the input refers to, and whether it is borrowed.
    fn data_of(input: &Input<'_>) -> (*const u8, bool) {
        match &input.array {
            ArrayRef::Float64(a) => (a.as_ptr().cast(), a.is_view()),
            ArrayRef::Int32(a) => (a.as_ptr().cast(), a.is_view()),
            ArrayRef::Bytes(a) => (a.as_ptr().cast(), a.is_view()),
            _ => (std::ptr::null(), false),
        }
    }

    #[test]
    fn the_six_kinds_are_borrowed_whatever_the_strides() {
        let a = Array2::<f64>::from_shape_fn((4, 6), |(i, j)| (i * 6 + j) as f64);
        let base: *const u8 = a.as_ptr().cast();
        let owned = Input::from(&a);
        assert_eq!(data_of(&owned), (base, true));
        let reversed = Input::from(a.slice(s![..;-2, ..]));
        // Row 3 comes first.
        assert_eq!(data_of(&reversed), (a.row(3).as_ptr().cast(), true));
        let transposed = Input::from(a.t());
        assert_eq!(data_of(&transposed), (base, true));
        let row = a.row(1);
        let broadcast = Input::from(row.broadcast((5, 6)).unwrap());
        assert_eq!(data_of(&broadcast), (row.as_ptr().cast(), true));
        let f = Array2::<f64>::zeros((3, 2).f());
        assert_eq!(data_of(&Input::from(&f)), (f.as_ptr().cast(), true));
        let arc = ArcArray::<f64, _>::zeros(3);
        assert_eq!(data_of(&Input::from(&arc)), (arc.as_ptr().cast(), true));
        let v = vec![1i32, 2];
        assert_eq!(data_of(&Input::from(&v)), (v.as_ptr().cast(), true));
        assert_eq!(data_of(&Input::from(&v[..])), (v.as_ptr().cast(), true));
    }

    #[test]
    fn narrow_types_and_scalars_are_owned() {
        let small = Array1::<u8>::from(vec![1, 2]);
        assert!(!data_of(&Input::from(&small)).1);
        assert!(!data_of(&Input::from(2.5)).1);
    }

    #[test]
    fn results_and_bytes_are_borrowed() {
        let r = Array::from(Array1::from(vec![1.0, 2.0]));
        let input = Input::from(&r);
        assert_eq!(data_of(&input), (r.as_f64().unwrap().as_ptr().cast(), true));
        let b = BytesArray::from_items(["ab", "c"], &[2]).unwrap();
        assert_eq!(data_of(&Input::from(&b)), (b.as_raw().as_ptr(), true));
    }

    #[test]
    fn byte_string_views_are_borrowed_and_need_an_item_axis() {
        let raw = Array2::<u8>::from_shape_fn((4, 3), |(i, j)| b'a' + (i * 3 + j) as u8);
        // Rows 3 and 1: a negative stride over items, the item axis kept contiguous.
        let view = raw.slice(s![..;-2, ..]).into_dyn();
        let input = Input::byte_strings_view(view.clone()).unwrap();
        assert_eq!(input.dtype(), DType::Bytes(3));
        assert_eq!(input.shape(), &[2]);
        assert_eq!(data_of(&input), (raw.row(3).as_ptr(), true));
        assert_eq!(
            input.to_array().to_string(),
            "array([b'jkl', b'def'], dtype='|S3')"
        );
        for bad in [&[3usize, 0][..], &[][..]] {
            let empty = ArrayD::<u8>::zeros(IxDyn(bad));
            let e = Input::byte_strings_view(empty.view()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Input, "{bad:?}");
        }
    }

    #[test]
    fn too_many_dimensions_are_refused_when_evaluated() {
        use crate::limits::MAX_DIMS;
        let deep = ArrayD::<f64>::zeros(IxDyn(&[1; MAX_DIMS + 1]));
        let vars = Vars::new().with("ok", 1.0).with("deep", &deep);
        assert_eq!(vars.get("deep").map(Input::ndim), Some(MAX_DIMS + 1));
        let e = crate::evaluate("deep + ok", &vars).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert!(e.message().contains("33 dimensions"), "{}", e.message());
        let edge = ArrayD::<f64>::zeros(IxDyn(&[1; MAX_DIMS]));
        let out = crate::evaluate("edge + 1", &Vars::new().with("edge", &edge)).unwrap();
        assert_eq!(out.ndim(), MAX_DIMS);
    }
}
