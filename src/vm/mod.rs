//! Evaluation of compiled programs.
//!
//! - [`block`]: the block loop that runs a [`Program`] over the broadcast shape;
//! - [`kernels`]: one kernel per instruction and per ISA (element functions in
//!   `kernels::elem`, `kernels::complex`, transcendental lane functions in [`math`]);
//! - [`isa`]: which instruction set the kernels are compiled for, chosen once at run time;
//! - `native` (feature `jit`): element-wise segments compiled to machine code with Cranelift;
//! - [`reference`]: the plain whole-array evaluator of the HIR, the oracle the VM is tested
//!   against.
//!
//! The entry points take the result shape from the caller, who computed it with the shape
//! pass (`hir::shape`), which is also where every shape and axis error is reported.

pub(crate) mod block;
pub(crate) mod isa;
pub(crate) mod kernels;
pub(crate) mod math;
#[cfg(feature = "jit")]
pub(crate) mod native;
pub(crate) mod reference;
pub(crate) mod strided;
pub(crate) mod value;

use std::sync::atomic::AtomicBool;

use ndarray::{ArrayD, ArrayViewMutD, IxDyn};

use crate::array::{Array, ArrayRef, BytesArray};
use crate::bytecode::Program;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use block::Target;
use isa::IsaKind;
use std::mem::MaybeUninit;

use value::{ColumnMut, OutColumn, c128, writable};

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
unsafe impl ZeroValid for c128 {}

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

fn array_of<T>(shape: &[usize], v: Vec<T>) -> Result<ArrayD<T>, Error> {
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("result array: {e}")))
}

/// A zeroed result array of `dtype` and `shape`.
pub(crate) fn allocate(dtype: DType, shape: &[usize]) -> Result<Array, Error> {
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::new(ErrorKind::Memory, "the result shape overflows"))?;
    Ok(match dtype {
        DType::Bool => Array::Bool(array_of(shape, zeroed::<bool>(n)?)?),
        DType::Int32 => Array::Int32(array_of(shape, zeroed::<i32>(n)?)?),
        DType::Int64 => Array::Int64(array_of(shape, zeroed::<i64>(n)?)?),
        DType::Float32 => Array::Float32(array_of(shape, zeroed::<f32>(n)?)?),
        DType::Float64 => Array::Float64(array_of(shape, zeroed::<f64>(n)?)?),
        DType::Complex128 => Array::Complex128(array_of(shape, zeroed::<c128>(n)?)?),
        DType::Bytes(w) => {
            let bytes = n
                .checked_mul(w)
                .ok_or_else(|| Error::new(ErrorKind::Memory, "the result shape overflows"))?;
            let mut full = shape.to_vec();
            full.push(w);
            let data = array_of(&full, zeroed::<u8>(bytes)?)?;
            Array::Bytes(BytesArray::from_raw(data)?)
        }
    })
}

/// The output of a run as the kernels write it.
pub(crate) fn out_column(a: &mut Array) -> OutColumn<'_> {
    match a {
        Array::Bool(v) => OutColumn::Bool(v.view_mut()),
        Array::Int32(v) => OutColumn::I32(v.view_mut()),
        Array::Int64(v) => OutColumn::I64(v.view_mut()),
        Array::Float32(v) => OutColumn::F32(v.view_mut()),
        Array::Float64(v) => OutColumn::F64(v.view_mut()),
        Array::Complex128(v) => OutColumn::C128(v.view_mut()),
        Array::Bytes(b) => OutColumn::Bytes(b.raw_mut().view_mut()),
    }
}

/// A contiguous target when the view is C-contiguous, else a strided one.
pub(crate) fn target(out: OutColumn<'_>, dtype: DType) -> Target<'_> {
    fn contiguous<'a, T>(
        v: ArrayViewMutD<'a, T>,
        wrap: fn(&'a mut [MaybeUninit<T>]) -> ColumnMut<'a>,
        keep: fn(ArrayViewMutD<'a, T>) -> OutColumn<'a>,
    ) -> Target<'a> {
        if !v.is_standard_layout() {
            return Target::Strided(keep(v));
        }
        match v.into_slice() {
            // SAFETY: the VM only writes values into its output (`MaybeUninit::write`).
            Some(s) => Target::Contiguous(wrap(unsafe { writable(s) })),
            None => Target::Contiguous(wrap(&mut [])),
        }
    }
    match out {
        OutColumn::Bool(v) => contiguous(v, ColumnMut::Bool, OutColumn::Bool),
        OutColumn::I32(v) => contiguous(v, ColumnMut::I32, OutColumn::I32),
        OutColumn::I64(v) => contiguous(v, ColumnMut::I64, OutColumn::I64),
        OutColumn::F32(v) => contiguous(v, ColumnMut::F32, OutColumn::F32),
        OutColumn::F64(v) => contiguous(v, ColumnMut::F64, OutColumn::F64),
        OutColumn::C128(v) => contiguous(v, ColumnMut::C128, OutColumn::C128),
        OutColumn::Bytes(v) => {
            let w = match dtype {
                DType::Bytes(w) => w,
                _ => 1,
            };
            if !v.is_standard_layout() {
                return Target::Strided(OutColumn::Bytes(v));
            }
            match v.into_slice() {
                // SAFETY: as above.
                Some(s) => Target::Contiguous(ColumnMut::Bytes(unsafe { writable(s) }, w)),
                None => Target::Contiguous(ColumnMut::Bytes(&mut [], w)),
            }
        }
    }
}

/// How to run one evaluation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options<'a> {
    /// The kernels' instruction set (one this CPU supports).
    pub isa: IsaKind,
    /// At most this many threads (`None`: the global setting).
    pub threads: Option<usize>,
    /// Stop with [`ErrorKind::Cancelled`] once this is set.
    pub cancel: Option<&'a AtomicBool>,
    /// Elements per block instead of the default.
    pub block_len: Option<usize>,
    /// The pool is used from this many elements on, instead of `block::PARALLEL_MIN`.
    pub parallel_min: Option<usize>,
    /// The program's kernels for `isa` ([`kernels::resolve`]), if the caller keeps them.
    pub kernels: Option<&'a [kernels::Kernel]>,
}

impl Options<'static> {
    /// On the calling thread only, with the defaults for everything else (constant folding
    /// and tests).
    pub(crate) fn serial(isa: IsaKind) -> Options<'static> {
        Options {
            isa,
            threads: Some(1),
            cancel: None,
            block_len: None,
            parallel_min: None,
            kernels: None,
        }
    }
}

/// Run `prog` over `shape` (the broadcast shape of its inputs) into `out`, whose shape is
/// `shape` for an element-wise program and the reduced shape for a reduction.
pub(crate) fn run_into(
    prog: &Program,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    out: OutColumn<'_>,
    options: &Options<'_>,
) -> Result<(), Error> {
    if prog.reduction.is_some() {
        block::run_reduction(prog, inputs, shape, out, options)
    } else {
        block::run_elementwise(prog, inputs, shape, target(out, prog.dtype), options)
    }
}

/// Run `prog` into a new array of shape `out_shape`.
pub(crate) fn run(
    prog: &Program,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    out_shape: &[usize],
    options: &Options<'_>,
) -> Result<Array, Error> {
    if prog.reduction.is_some() {
        let mut out = allocate(prog.dtype, out_shape)?;
        run_into(prog, inputs, shape, out_column(&mut out), options)?;
        return Ok(out);
    }
    // An element-wise result is written into fresh, uninitialised memory: zeroing it first
    // would cost a full pass over the output.
    let n = elements(out_shape)?;
    macro_rules! fresh {
        ($t:ty, $col:ident, $arr:ident) => {{
            let mut v = uninit_vec::<$t>(n)?;
            let target = Target::Contiguous(ColumnMut::$col(&mut v.spare_capacity_mut()[..n]));
            block::run_elementwise(prog, inputs, shape, target, options)?;
            // SAFETY: the run returned Ok, so it wrote all `n` elements: its pieces cover
            // `0..n`, and every block of a piece writes each of its valid elements, in place
            // or through `flush_contiguous` (an unwritten block is an error, not Ok).
            unsafe { v.set_len(n) };
            Array::$arr(array_of(out_shape, v)?)
        }};
    }
    Ok(match prog.dtype {
        DType::Bool => fresh!(bool, Bool, Bool),
        DType::Int32 => fresh!(i32, I32, Int32),
        DType::Int64 => fresh!(i64, I64, Int64),
        DType::Float32 => fresh!(f32, F32, Float32),
        DType::Float64 => fresh!(f64, F64, Float64),
        DType::Complex128 => fresh!(c128, C128, Complex128),
        DType::Bytes(w) => {
            let bytes = n.checked_mul(w).ok_or_else(too_big)?;
            let mut v = uninit_vec::<u8>(bytes)?;
            let target =
                Target::Contiguous(ColumnMut::Bytes(&mut v.spare_capacity_mut()[..bytes], w));
            block::run_elementwise(prog, inputs, shape, target, options)?;
            // SAFETY: as above, every byte of every element was written.
            unsafe { v.set_len(bytes) };
            let mut full = out_shape.to_vec();
            full.push(w);
            Array::Bytes(BytesArray::from_raw(array_of(&full, v)?)?)
        }
    })
}

fn too_big() -> Error {
    Error::new(ErrorKind::Memory, "the result shape overflows")
}

/// The number of elements of `shape`, or a `Memory` error if it overflows.
fn elements(shape: &[usize]) -> Result<usize, Error> {
    shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(too_big)
}

/// The error for a buffer of `n` `T`s that cannot be allocated (a result, or a reduction's
/// partial results).
fn out_of_memory<T>(n: usize) -> Error {
    Error::new(
        ErrorKind::Memory,
        format!(
            "the evaluation needs {n} elements of {} bytes, more memory than is available",
            std::mem::size_of::<T>()
        ),
    )
}

/// An empty vector with room for `n` elements, or a `Memory` error instead of aborting.
pub(crate) fn uninit_vec<T>(n: usize) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| out_of_memory::<T>(n))?;
    advise_huge_pages(
        v.as_mut_ptr() as *mut u8,
        v.capacity() * std::mem::size_of::<T>(),
    );
    Ok(v)
}

/// Results at least this large ask the kernel for transparent huge pages.
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
