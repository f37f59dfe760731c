//! NumPy arrays as vexpr inputs and outputs, without copies.
//!
//! In: NumPy arrays of the six kinds (bool, int32, int64, float32, float64, complex128, in
//! native byte order) or of byte strings (`S<n>`), with any shape and strides. Out: borrowed
//! `ndarray` views for vexpr ([`input`], [`output`]), and NumPy arrays that take ownership of
//! vexpr's results ([`to_numpy`]).
//!
//! Invariants: a view is made only of memory whose elements are aligned and whose strides are
//! whole elements ([`viewable`]); anything else is copied by NumPy first. A mutable view is
//! made only of an array that is writeable, has no element reachable by two indices, and
//! overlaps no input ([`writable_in_place`]): vexpr never holds a `&mut` and a `&` to the same
//! memory. Other Python threads may still write an input while the GIL is released, as with
//! numexpr and NumPy's own loops: the values read are then unspecified, the memory is not.

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, IxDyn, ShapeBuilder};
use num_complex::Complex64;
use numpy::{PyArray, PyArrayDescrMethods, PyUntypedArray, PyUntypedArrayMethods, npyffi};
use pyo3::prelude::*;
use vexpr::{Array, BytesArray, DType, Input, Output};

/// The vexpr dtype of `arr` if vexpr reads its elements as they are.
pub(crate) fn dtype_of(arr: &Bound<'_, PyUntypedArray>) -> Option<DType> {
    let d = arr.dtype();
    let native = d.is_native_byteorder() != Some(false);
    match (d.kind(), d.itemsize()) {
        (b'b', 1) => Some(DType::Bool),
        (b'i', 4) if native => Some(DType::Int32),
        (b'i', 8) if native => Some(DType::Int64),
        (b'f', 4) if native => Some(DType::Float32),
        (b'f', 8) if native => Some(DType::Float64),
        (b'c', 16) if native => Some(DType::Complex128),
        (b'S', n) if n >= 1 => Some(DType::Bytes(n)),
        _ => None,
    }
}

/// The element size vexpr reads `dtype` with: a byte string is viewed byte by byte.
fn unit(dtype: DType) -> usize {
    match dtype {
        DType::Bytes(_) => 1,
        d => d.itemsize(),
    }
}

fn flags(arr: &Bound<'_, PyUntypedArray>) -> i32 {
    // SAFETY: `arr` is a live NumPy array, so its object header can be read.
    unsafe { (*arr.as_array_ptr()).fields.flags }
}

fn data(arr: &Bound<'_, PyUntypedArray>) -> *mut u8 {
    // SAFETY: as in `flags`.
    unsafe { (*arr.as_array_ptr()).fields.data.cast() }
}

/// Whether `arr`'s memory can be viewed in place as elements of `dtype`: aligned, and every
/// stride a whole number of elements (an aligned complex128 may have a stride of 24 bytes).
pub(crate) fn viewable(arr: &Bound<'_, PyUntypedArray>, dtype: DType) -> bool {
    let size = unit(dtype) as isize;
    let aligned = flags(arr) & npyffi::NPY_ARRAY_ALIGNED != 0
        && (data(arr) as usize).is_multiple_of(unit(dtype).min(8));
    aligned && arr.strides().iter().all(|s| s % size == 0)
}

/// The lowest and one-past-highest byte `arr` touches (equal when it has no element).
pub(crate) fn extent(arr: &Bound<'_, PyUntypedArray>) -> (usize, usize) {
    if arr.shape().contains(&0) {
        return (0, 0);
    }
    let base = data(arr) as usize;
    // Saturating: a range that would wrap is clamped, which only makes it larger (safe).
    let (mut lo, mut hi) = (base, base.saturating_add(arr.dtype().itemsize()));
    for (&n, &s) in arr.shape().iter().zip(arr.strides()) {
        let span = s.unsigned_abs().saturating_mul(n - 1);
        if s < 0 {
            lo = lo.saturating_sub(span);
        } else {
            hi = hi.saturating_add(span);
        }
    }
    (lo, hi)
}

/// Whether two byte ranges intersect (NumPy's `may_share_memory` for two arrays' extents).
pub(crate) fn may_overlap((a0, a1): (usize, usize), (b0, b1): (usize, usize)) -> bool {
    a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1
}

/// Whether vexpr may write `out` in place as `dtype`: writeable, viewable, and no element
/// reachable by two indices (checked conservatively: sorted by stride, each axis steps over
/// everything the smaller ones span).
pub(crate) fn writable_in_place(out: &Bound<'_, PyUntypedArray>, dtype: DType) -> bool {
    if dtype.is_bytes() || dtype_of(out) != Some(dtype) || !viewable(out, dtype) {
        return false;
    }
    if flags(out) & npyffi::NPY_ARRAY_WRITEABLE == 0 {
        return false;
    }
    let mut axes: Vec<(usize, usize)> = out
        .shape()
        .iter()
        .zip(out.strides())
        .filter(|(n, _)| **n > 1)
        .map(|(&n, &s)| (s.unsigned_abs(), n))
        .collect();
    axes.sort_unstable();
    let mut spanned = dtype.itemsize();
    for (stride, n) in axes {
        if stride < spanned {
            return false;
        }
        spanned += stride * (n - 1);
    }
    true
}

/// `arr`'s layout with only non-negative strides: the lowest element's address, the shape
/// (plus `extra_axis`, a contiguous last axis, for byte strings), strides in units of `size`
/// bytes, and the axes whose stride was negative (to be inverted back on the view).
type Layout = (*mut u8, Vec<usize>, Vec<usize>, Vec<usize>);

fn layout(arr: &Bound<'_, PyUntypedArray>, size: usize, extra_axis: Option<usize>) -> Layout {
    let mut shape = arr.shape().to_vec();
    let mut ptr = data(arr);
    let mut strides = Vec::with_capacity(shape.len() + 1);
    let mut inverted = Vec::new();
    for (axis, (&n, &s)) in shape.iter().zip(arr.strides()).enumerate() {
        if s < 0 && n > 0 {
            // Stays inside the array (at the last element along this axis); wrapping keeps
            // the arithmetic defined.
            ptr = ptr.wrapping_offset(s * (n as isize - 1));
            inverted.push(axis);
        }
        strides.push(s.unsigned_abs() / size);
    }
    if let Some(n) = extra_axis {
        shape.push(n);
        strides.push(1);
    }
    (ptr, shape, strides, inverted)
}

/// A view of `arr`'s elements as `T`, any strides (negative ones become inverted axes).
///
/// # Safety
/// The elements of `arr` are `T`s, aligned, with strides that are whole `T`s ([`viewable`]);
/// `arr` has at least one element; its memory stays alive and is not written through a Rust
/// reference while the view lives.
unsafe fn raw_view<'a, T>(
    arr: &'a Bound<'_, PyUntypedArray>,
    extra_axis: Option<usize>,
) -> ArrayViewD<'a, T> {
    let (ptr, shape, strides, inverted) = layout(arr, std::mem::size_of::<T>(), extra_axis);
    // SAFETY: `ptr` is the lowest element, aligned; the non-negative strides reach only
    // elements of `arr` (the caller's contract), which outlive `'a`.
    let mut view = unsafe {
        ArrayViewD::from_shape_ptr(IxDyn(&shape).strides(IxDyn(&strides)), ptr as *const T)
    };
    for axis in inverted {
        view.invert_axis(Axis(axis));
    }
    view
}

/// The mutable counterpart of [`raw_view`].
///
/// # Safety
/// As for [`raw_view`], and `arr` passed [`writable_in_place`] (writeable, no element
/// reachable twice), and nothing else reads or writes its memory while the view lives.
unsafe fn raw_view_mut<'a, T>(arr: &'a Bound<'_, PyUntypedArray>) -> ArrayViewMutD<'a, T> {
    let (ptr, shape, strides, inverted) = layout(arr, std::mem::size_of::<T>(), None);
    // SAFETY: as in `raw_view`; exclusivity is the caller's contract.
    let mut view = unsafe {
        ArrayViewMutD::from_shape_ptr(IxDyn(&shape).strides(IxDyn(&strides)), ptr as *mut T)
    };
    for axis in inverted {
        view.invert_axis(Axis(axis));
    }
    view
}

/// `arr` as a vexpr input of `dtype` (which must be `dtype_of(arr)`, with `viewable(arr)`).
pub(crate) fn input<'a>(arr: &'a Bound<'_, PyUntypedArray>, dtype: DType) -> PyResult<Input<'a>> {
    let shape = arr.shape();
    if shape.contains(&0) {
        return empty(shape, dtype);
    }
    debug_assert!(viewable(arr, dtype));
    // SAFETY: the caller checked the dtype and `viewable`; `arr` is not empty and outlives 'a.
    // The binding holds no mutable view of memory overlapping an input while inputs live.
    let input = unsafe {
        match dtype {
            DType::Bool => Input::from(raw_view::<bool>(arr, None)),
            DType::Int32 => Input::from(raw_view::<i32>(arr, None)),
            DType::Int64 => Input::from(raw_view::<i64>(arr, None)),
            DType::Float32 => Input::from(raw_view::<f32>(arr, None)),
            DType::Float64 => Input::from(raw_view::<f64>(arr, None)),
            DType::Complex128 => Input::from(raw_view::<Complex64>(arr, None)),
            DType::Bytes(n) => {
                Input::byte_strings_view(raw_view::<u8>(arr, Some(n))).map_err(crate::to_py)?
            }
        }
    };
    Ok(input)
}

/// An empty input of `shape` (NumPy's data pointer of an empty array need not be aligned).
fn empty<'a>(dims: &[usize], dtype: DType) -> PyResult<Input<'a>> {
    let shape = IxDyn(dims);
    Ok(match dtype {
        DType::Bool => Input::from(Array::Bool(ndarray::ArrayD::from_elem(shape, false))),
        DType::Int32 => Input::from(Array::Int32(ndarray::ArrayD::zeros(shape))),
        DType::Int64 => Input::from(Array::Int64(ndarray::ArrayD::zeros(shape))),
        DType::Float32 => Input::from(Array::Float32(ndarray::ArrayD::zeros(shape))),
        DType::Float64 => Input::from(Array::Float64(ndarray::ArrayD::zeros(shape))),
        DType::Complex128 => Input::from(Array::Complex128(ndarray::ArrayD::zeros(shape))),
        DType::Bytes(n) => {
            let mut raw = dims.to_vec();
            raw.push(n);
            let bytes = BytesArray::from_raw(ndarray::ArrayD::zeros(IxDyn(&raw)));
            Input::from(bytes.map_err(crate::to_py)?)
        }
    })
}

/// Runs `$body` with `$view` bound to a mutable typed view of `$out` for numeric `$dtype`
/// (an expression of `Option` type; `None` for byte strings).
macro_rules! with_view_mut {
    ($out:expr, $dtype:expr, $view:ident => $body:expr) => {
        match $dtype {
            DType::Bool => {
                let $view = raw_view_mut::<bool>($out);
                Some($body)
            }
            DType::Int32 => {
                let $view = raw_view_mut::<i32>($out);
                Some($body)
            }
            DType::Int64 => {
                let $view = raw_view_mut::<i64>($out);
                Some($body)
            }
            DType::Float32 => {
                let $view = raw_view_mut::<f32>($out);
                Some($body)
            }
            DType::Float64 => {
                let $view = raw_view_mut::<f64>($out);
                Some($body)
            }
            DType::Complex128 => {
                let $view = raw_view_mut::<Complex64>($out);
                Some($body)
            }
            DType::Bytes(_) => None,
        }
    };
}

/// A vexpr output over `out`, which must pass [`writable_in_place`] for `dtype`; `None` if
/// it is empty.
///
/// # Safety
/// Nothing else reads or writes `out`'s memory while the output lives.
pub(crate) unsafe fn output<'a>(
    out: &'a Bound<'_, PyUntypedArray>,
    dtype: DType,
) -> Option<Output<'a>> {
    if out.shape().contains(&0) {
        return None;
    }
    // SAFETY: `writable_in_place` (the caller's precondition) and the caller's exclusivity.
    unsafe { with_view_mut!(out, dtype, v => Output::from(v)) }
}

/// A NumPy array that owns vexpr's result (no copy, except for byte strings).
pub(crate) fn to_numpy(py: Python<'_>, result: Array) -> PyResult<Bound<'_, PyAny>> {
    Ok(match result {
        Array::Bool(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Int32(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Int64(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Float32(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Float64(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Complex128(a) => PyArray::from_owned_array(py, a).into_any(),
        Array::Bytes(b) => {
            // Bytes with a trailing item axis, seen by NumPy as `S<n>` items.
            let raw = PyArray::from_owned_array(py, b.as_raw().to_owned());
            let items = raw.call_method1("view", (format!("S{}", b.itemsize()),))?;
            items.call_method1("reshape", (b.shape().to_vec(),))?
        }
    })
}

/// Copy `result` into `out`, which must pass [`writable_in_place`] for the result's dtype;
/// false (nothing written) if the shapes differ.
///
/// # Safety
/// Nothing else reads or writes `out`'s memory meanwhile.
pub(crate) unsafe fn copy_into(out: &Bound<'_, PyUntypedArray>, result: &Array) -> bool {
    if out.shape() != result.shape() {
        return false;
    }
    if out.shape().contains(&0) {
        return true;
    }
    /// `result`'s elements if it is of kind `T`.
    fn elements<T: vexpr::Element>(result: &Array) -> Option<ndarray::ArrayViewD<'_, T>> {
        result.as_array::<T>()
    }
    // SAFETY: the caller's contract.
    let copied = unsafe {
        with_view_mut!(out, result.dtype(), v => {
            let mut v = v;
            match elements(result) {
                Some(r) => { v.assign(&r); true }
                None => false,
            }
        })
    };
    copied.unwrap_or(false)
}
