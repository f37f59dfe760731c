//! Memory for results: uninitialised vectors, zeroed arrays, huge-page advice, and the one
//! out-of-memory error.
//!
//! Every allocation proportional to an array (a result, a `.npy` file's data, a reduction's
//! partial results) goes through here, so a size that cannot be allocated is a
//! [`ErrorKind::Memory`] error instead of an abort, and large buffers ask Linux for
//! transparent huge pages the same way.

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex64;

use super::{Array, BytesArray};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};

/// Types whose all-zero bit pattern is a valid value (`false`, `0`, `0.0`, `0+0j`).
///
/// # Safety
/// Implement only for such types: [`zeroed`] hands out zeroed memory as values of them.
unsafe trait ZeroValid: Copy {}
// SAFETY: for each type, all-zero bytes are a valid value (false, 0, +0.0, 0+0j).
unsafe impl ZeroValid for bool {}
// SAFETY: as above.
unsafe impl ZeroValid for u8 {}
// SAFETY: as above.
unsafe impl ZeroValid for i32 {}
// SAFETY: as above.
unsafe impl ZeroValid for i64 {}
// SAFETY: as above.
unsafe impl ZeroValid for f32 {}
// SAFETY: as above.
unsafe impl ZeroValid for f64 {}
// SAFETY: as above: two zero f64s.
unsafe impl ZeroValid for Complex64 {}

/// The error for a buffer of `n` `T`s that cannot be allocated (a result, a file's data, or a
/// reduction's partial results).
pub(crate) fn out_of_memory<T>(n: usize) -> Error {
    Error::new(
        ErrorKind::Memory,
        format!(
            "the evaluation needs {n} elements of {} bytes, more memory than is available",
            std::mem::size_of::<T>()
        ),
    )
}

/// The error for a shape whose element count (or byte count) overflows `usize`.
pub(crate) fn shape_overflow() -> Error {
    Error::new(ErrorKind::Memory, "the result shape overflows")
}

/// The number of elements of `shape`, or a `Memory` error if it overflows.
pub(crate) fn elements(shape: &[usize]) -> Result<usize, Error> {
    shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(shape_overflow)
}

/// An empty vector with room for `n` elements, or a `Memory` error instead of aborting.
/// Large ones ask for huge pages ([`advise_huge_pages`]).
pub(crate) fn uninit_vec<T>(n: usize) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| out_of_memory::<T>(n))?;
    advise_huge_pages(
        v.as_mut_ptr() as *mut u8,
        v.capacity() * std::mem::size_of::<T>(),
    );
    Ok(v)
}

/// A zero-filled vector of `n` elements, or a `Memory` error instead of aborting.
///
/// Zeroed pages come from the allocator's `calloc`, which for large arrays maps fresh zero
/// pages instead of writing zeros: a plain `resize` would add a full pass over the output.
fn zeroed<T: ZeroValid>(n: usize) -> Result<Vec<T>, Error> {
    let too_big = || out_of_memory::<T>(n);
    if n == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(Vec::new());
    }
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| too_big())?;
    // SAFETY: `layout` has a non-zero size (n > 0, T is not zero-sized). A null pointer
    // means failure and is handled; otherwise the block is `n` zeroed `T`s, allocated by the
    // global allocator with exactly the layout `Vec<T>` uses for capacity `n`, and the all-zero
    // bit pattern is a valid `T` (`ZeroValid`).
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut T;
        if p.is_null() {
            return Err(too_big());
        }
        Ok(Vec::from_raw_parts(p, n, n))
    }
}

/// `v` as an array of `shape` (whose element count is `v.len()`).
pub(crate) fn array_of<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, Error> {
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("result array: {e}")))
}

/// A zeroed array of `dtype` and `shape`.
pub(crate) fn zeros(dtype: DType, shape: &[usize]) -> Result<Array, Error> {
    let n = elements(shape)?;
    Ok(match dtype {
        DType::Bool => Array::Bool(array_of(shape, zeroed::<bool>(n)?)?),
        DType::Int32 => Array::Int32(array_of(shape, zeroed::<i32>(n)?)?),
        DType::Int64 => Array::Int64(array_of(shape, zeroed::<i64>(n)?)?),
        DType::Float32 => Array::Float32(array_of(shape, zeroed::<f32>(n)?)?),
        DType::Float64 => Array::Float64(array_of(shape, zeroed::<f64>(n)?)?),
        DType::Complex128 => Array::Complex128(array_of(shape, zeroed::<Complex64>(n)?)?),
        DType::Bytes(w) => {
            let bytes = n.checked_mul(w).ok_or_else(shape_overflow)?;
            let mut full = shape.to_vec();
            full.push(w);
            let data = array_of(&full, zeroed::<u8>(bytes)?)?;
            Array::Bytes(BytesArray::from_raw(data)?)
        }
    })
}

/// Buffers at least this large ask the kernel for transparent huge pages.
const HUGE_PAGE_MIN: usize = 4 << 20;

/// Ask Linux to back the 2 MiB-aligned interior of a large fresh allocation with huge pages.
///
/// A fresh result is first touched by the kernels, one page fault per 4 KiB page: on a 10^7
/// float64 result that is 20,000 faults, which measured slower than computing the result
/// (this is also why NumPy advises huge pages for arrays of 4 MiB and more, so numexpr's
/// results get them). With the advice, one fault maps 2 MiB.
pub(crate) fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    #[cfg(target_os = "linux")]
    if bytes >= HUGE_PAGE_MIN {
        const HUGE: usize = 2 << 20;
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + bytes) / HUGE * HUGE;
        if end > start {
            // SAFETY: `start..end` lies inside an allocation we own and have not shared yet.
            // `madvise(MADV_HUGEPAGE)` is only advice about how to back the pages: it does
            // not change their contents or validity, and a failure is harmless (ignored).
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, bytes, HUGE_PAGE_MIN);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeros_have_the_shape_and_are_zero() {
        let a = zeros(DType::Complex128, &[2, 3]).unwrap();
        assert_eq!(a.shape(), &[2, 3]);
        assert!(
            a.as_c128()
                .unwrap()
                .iter()
                .all(|z| *z == Complex64::new(0.0, 0.0))
        );
        let b = zeros(DType::Bytes(3), &[4]).unwrap();
        assert_eq!(b.dtype(), DType::Bytes(3));
        assert_eq!(b.as_bytes().unwrap().get(&[3]), Some(&b""[..]));
        assert_eq!(zeros(DType::Float64, &[0, 5]).unwrap().len(), 0);
    }

    #[test]
    fn impossible_sizes_are_memory_errors() {
        let e = zeros(DType::Float64, &[usize::MAX, 2]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Memory);
        let e = zeros(DType::Float64, &[usize::MAX / 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Memory);
        let e = uninit_vec::<f64>(usize::MAX / 4).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Memory);
        assert!(e.message().contains("8 bytes"), "{}", e.message());
        let e = zeros(DType::Bytes(usize::MAX), &[2]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Memory);
    }
}
