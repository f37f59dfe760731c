//! `.npy` files larger than memory: [`MappedArray`] maps an input file, [`MappedOutput`] a
//! result file, so an evaluation reads and writes them in place, window by window, letting
//! go of the pages it is done with; [`Info`] is what a header says, without the data.
//!
//! In: a path (and [`ReadOptions`]). Out: views over the mapped bytes, and [`MapRef`]s
//! through which the evaluation releases the pages behind it.
//!
//! A file is mapped when its data can be used as it is: one of vexpr's own dtypes
//! (`b1 i4 i8 f4 f8 c16`, `u8` with [`ReadOptions::wrap_uint64`], `S<n>` in C order), in this
//! machine's byte order, aligned for its type, with at least one element, and for `b1` only
//! bytes 0 and 1. Any other file is read into memory as [`ReadOptions::read`] reads it, so
//! every file works; [`MappedArray::is_mapped`] tells which happened.
//!
//! Invariant: while a mapping exists, nothing else may truncate or write the file (the
//! contract of every memory map, hence `unsafe` constructors). A result file is written
//! under a temporary name beside its path and renamed there by [`MappedOutput::finish`],
//! so a failed evaluation leaves no partial file and keeps an existing one.

use std::fs::File;
use std::io::Seek;
use std::path::{Path, PathBuf};

use ndarray::{ArrayViewD, ArrayViewMutD, CowArray, IxDyn, ShapeBuilder};
use num_complex::Complex64;

use super::{ByteOrder, Code, Header, ReadOptions, descr, extent, header_bytes, input_error};
use crate::array::mapping::{MapRef, Region};
use crate::array::{Array, ArrayMut, ArrayRef};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};

/// What a `.npy` file holds, from its header alone ([`ReadOptions::info`]).
///
/// ```
/// use vexpr::{Array, DType, npy};
/// let path = std::env::temp_dir().join(format!("vexpr-doc-info-{}.npy", std::process::id()));
/// npy::write(&path, &Array::from(ndarray::Array2::<i16>::zeros((3, 4)).mapv(i32::from)))?;
/// let info = npy::info(&path)?;
/// assert_eq!((info.dtype(), info.shape()), (DType::Int32, &[3, 4][..]));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    dtype: DType,
    shape: Vec<usize>,
    fortran_order: bool,
}

impl Info {
    /// The dtype the array has once read (after widening: `int16` files are int32).
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether the data is stored in Fortran (column-major) order.
    pub fn fortran_order(&self) -> bool {
        self.fortran_order
    }
}

/// The dtype a stored code becomes, or why it cannot be read.
fn dtype_of(code: Code, options: &ReadOptions) -> Result<DType, Error> {
    Ok(match code {
        Code::Bool => DType::Bool,
        Code::I1 | Code::U1 | Code::I2 | Code::U2 | Code::I4 => DType::Int32,
        Code::U4 | Code::I8 => DType::Int64,
        Code::U8 if options.wrap_uint64 => DType::Int64,
        Code::U8 => return Err(super::uint64_error()),
        Code::F2 | Code::F4 => DType::Float32,
        Code::F8 => DType::Float64,
        Code::C8 | Code::C16 => DType::Complex128,
        Code::Bytes(n) => DType::Bytes(n.max(1)),
    })
}

/// The header of the file at `path`, the data's offset, and the file.
fn open_header(path: &Path) -> Result<(Header, u64, File), Error> {
    let mut file =
        File::open(path).map_err(|e| input_error(format!("cannot open the file: {e}")))?;
    let header = super::read_header(&mut file)?;
    let offset = file
        .stream_position()
        .map_err(|e| input_error(format!("cannot read the file: {e}")))?;
    Ok((header, offset, file))
}

/// `e` with the path in front of its message.
fn at(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| Error::new(e.kind(), format!("{}: {}", path.display(), e.message()))
}

impl ReadOptions {
    /// What the file at `path` holds, reading its header only. A dtype that
    /// [`read`](ReadOptions::read) refuses (uint64 without
    /// [`wrap_uint64`](ReadOptions::wrap_uint64)) is the same error here.
    pub fn info(&self, path: impl AsRef<Path>) -> Result<Info, Error> {
        let path = path.as_ref();
        let (header, _, _) = open_header(path).map_err(at(path))?;
        let dtype = dtype_of(header.code, self).map_err(at(path))?;
        Ok(Info {
            dtype,
            shape: header.shape,
            fortran_order: header.fortran_order,
        })
    }

    /// Open the file at `path` for evaluation without reading it: mapped when its data can
    /// be used as it is (see [`MappedArray`]), read into memory otherwise.
    ///
    /// # Safety
    /// While the result exists, the file must not be truncated or written by anyone (this
    /// process included): the array's memory is the file's.
    pub unsafe fn map(&self, path: impl AsRef<Path>) -> Result<MappedArray, Error> {
        let path = path.as_ref();
        let (header, offset, file) = open_header(path).map_err(at(path))?;
        let dtype = dtype_of(header.code, self).map_err(at(path))?;
        let (count, nbytes) = extent(&header).map_err(at(path))?;
        let file_len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let native = match header.order {
            ByteOrder::Little => cfg!(target_endian = "little"),
            ByteOrder::Big => cfg!(target_endian = "big"),
        };
        let width = header.code.itemsize();
        let align = match dtype {
            DType::Bytes(_) | DType::Bool => 1,
            DType::Complex128 => std::mem::align_of::<Complex64>(),
            other => other.itemsize(),
        };
        let as_is = matches!(
            header.code,
            Code::Bool | Code::I4 | Code::I8 | Code::U8 | Code::F4 | Code::F8 | Code::C16
        ) || matches!(header.code, Code::Bytes(n) if n > 0 && !header.fortran_order);
        let fits = usize::try_from(offset)
            .ok()
            .and_then(|o| o.checked_add(nbytes))
            .is_some_and(|end| end as u64 <= file_len);
        if cfg!(unix)
            && as_is
            && (native || width == 1 || matches!(header.code, Code::Bytes(_)))
            && count > 0
            && fits
            && (offset as usize).is_multiple_of(align)
        {
            let len = offset as usize + nbytes;
            if let Ok(region) = Region::map(&file, len, false) {
                let mapped = MappedArray {
                    inner: Inner::Mapped {
                        region,
                        offset: offset as usize,
                        dtype,
                        shape: header.shape.clone(),
                        fortran: header.fortran_order,
                    },
                };
                if dtype != DType::Bool || mapped.bools_are_valid() {
                    return Ok(mapped);
                }
            }
        }
        // Everything else (and a failed mapping) is read as `read` reads it.
        let mut options = *self;
        options.available = Some(file_len.saturating_sub(offset));
        let array = super::read_data(&mut std::io::BufReader::new(file), &header, options)
            .map_err(at(path))?;
        Ok(MappedArray {
            inner: Inner::Read(array),
        })
    }
}

/// What the header of the file at `path` says ([`ReadOptions::info`] with the defaults).
pub fn info(path: impl AsRef<Path>) -> Result<Info, Error> {
    ReadOptions::new().info(path)
}

/// A `.npy` file opened for evaluation: its data mapped into memory where it can be used as
/// it is, else read. An `Input` borrows it (`Vars::new().with("a", &file)`);
/// an evaluation over mapped inputs (or into a [`MappedOutput`]) runs window by window and
/// lets go of the pages it has done with, so files larger than memory work.
///
/// ```
/// use vexpr::{Array, Vars, npy::MappedArray};
/// let path = std::env::temp_dir().join(format!("vexpr-doc-map-{}.npy", std::process::id()));
/// vexpr::npy::write(&path, &Array::from(ndarray::Array1::<f64>::linspace(0.0, 1.0, 5)))?;
/// // SAFETY: nothing writes the file while it is mapped.
/// let x = unsafe { MappedArray::open(&path) }?;
/// assert!(x.is_mapped());
/// let total = vexpr::evaluate("sum(x * 4)", &Vars::new().with("x", &x))?;
/// assert_eq!(total.to_scalar(), Some(vexpr::Scalar::Float64(10.0)));
/// # drop(x);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Debug)]
pub struct MappedArray {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    /// The file's data, in place.
    Mapped {
        region: Region,
        /// Bytes from the start of the file to the first element.
        offset: usize,
        dtype: DType,
        shape: Vec<usize>,
        fortran: bool,
    },
    /// A file that had to be converted (or could not be mapped), in memory.
    Read(Array),
}

impl MappedArray {
    /// [`ReadOptions::map`] with the defaults.
    ///
    /// # Safety
    /// As for [`ReadOptions::map`]: nothing may truncate or write the file meanwhile.
    pub unsafe fn open(path: impl AsRef<Path>) -> Result<MappedArray, Error> {
        // SAFETY: the caller's promise is passed on.
        unsafe { ReadOptions::new().map(path) }
    }

    /// Whether the data is mapped (else it was read into memory).
    pub fn is_mapped(&self) -> bool {
        matches!(self.inner, Inner::Mapped { .. })
    }

    /// The dtype (after widening).
    pub fn dtype(&self) -> DType {
        match &self.inner {
            Inner::Mapped { dtype, .. } => *dtype,
            Inner::Read(a) => a.dtype(),
        }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        match &self.inner {
            Inner::Mapped { shape, .. } => shape,
            Inner::Read(a) => a.shape(),
        }
    }

    /// Whether a mapped `b1` file holds only the bytes 0 and 1 (any other byte is not a
    /// `bool`; such a file is read instead, where non-zero means true). Scanned a window
    /// at a time, releasing each.
    fn bools_are_valid(&self) -> bool {
        let Inner::Mapped { region, offset, .. } = &self.inner else {
            return true;
        };
        let mut at = *offset;
        while at < region.len() {
            let end = (at + WINDOW_BYTES).min(region.len());
            if region.bytes(at..end).iter().any(|&b| b > 1) {
                return false;
            }
            region.release(at..end);
            at = end;
        }
        true
    }

    /// The array as the engine's input, and its mapping.
    pub(crate) fn input(&self) -> (ArrayRef<'_>, Option<MapRef<'_>>) {
        let (region, offset, dtype, shape, fortran) = match &self.inner {
            Inner::Read(a) => return (a.as_input(), None),
            Inner::Mapped {
                region,
                offset,
                dtype,
                shape,
                fortran,
            } => (region, *offset, *dtype, shape, *fortran),
        };
        let dim = |extra: Option<usize>| {
            let mut d = shape.clone();
            d.extend(extra);
            IxDyn(&d).set_f(fortran)
        };
        let ptr = region.ptr().wrapping_add(offset);
        macro_rules! view {
            ($t:ty, $v:ident, $extra:expr) => {{
                // SAFETY: `map` checked that the file holds `offset + nbytes` bytes, all
                // mapped, with the first element aligned for `$t`; every bit pattern of the
                // stored bytes is a valid `$t` (bools were checked to be 0 or 1); the
                // mapping lives as long as `self`, which the view borrows, and the caller of
                // `map` promised that nothing writes the file meanwhile.
                let v = unsafe { ArrayViewD::<$t>::from_shape_ptr(dim($extra), ptr as *const $t) };
                ArrayRef::$v(CowArray::from(v))
            }};
        }
        let array = match dtype {
            DType::Bool => view!(bool, Bool, None),
            DType::Int32 => view!(i32, Int32, None),
            DType::Int64 => view!(i64, Int64, None),
            DType::Float32 => view!(f32, Float32, None),
            DType::Float64 => view!(f64, Float64, None),
            DType::Complex128 => view!(Complex64, Complex128, None),
            DType::Bytes(w) => view!(u8, Bytes, Some(w)),
        };
        let contiguous = !fortran || shape.iter().filter(|&&d| d > 1).count() <= 1;
        let map = MapRef::new(region, offset, dtype.itemsize(), contiguous);
        (array, Some(map))
    }
}

/// Whether a [`MappedOutput`] may be put at `path`: nothing is there yet, or a regular file
/// (not a symbolic link, a device such as `/dev/null`, or a pipe, which renaming a new file
/// over would replace rather than write to).
///
/// ```
/// use vexpr::{DType, npy::{MappedOutput, replaces_in_place}};
/// assert!(replaces_in_place(std::env::temp_dir().join("vexpr-no-such-file.npy")));
/// # #[cfg(unix)] {
/// assert!(!replaces_in_place("/dev/null"));
/// // SAFETY: nothing is mapped: the path is refused first.
/// let refused = unsafe { MappedOutput::create("/dev/null", DType::Float64, &[3]) };
/// assert!(refused.unwrap_err().to_string().contains("not a regular file"));
/// # }
/// ```
pub fn replaces_in_place(path: impl AsRef<Path>) -> bool {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_file(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// A result `.npy` file being written through a memory map ([`Output`](crate::Output)
/// borrows it). [`finish`](MappedOutput::finish) puts it in place; dropped unfinished, it
/// leaves nothing behind. It is written beside its path and renamed into place, so it only
/// replaces a regular file: a device, a pipe or a symbolic link at the path is an error
/// ([`replaces_in_place`] tells; write those with [`write`](crate::npy::write)). Create it
/// with the result's dtype and shape
/// (`Compiled::dtype`, `Compiled::shape`):
/// the evaluation then writes it window by window (into a wider dtype it would compute the
/// whole result in memory first). After a failed evaluation its contents are unspecified.
///
/// ```
/// use vexpr::{DType, Output, Vars, npy::{self, MappedOutput}};
/// let path = std::env::temp_dir().join(format!("vexpr-doc-out-{}.npy", std::process::id()));
/// let x = ndarray::Array1::<f64>::linspace(0.0, 1.0, 3);
/// // SAFETY: nothing else writes the file while it is mapped.
/// let mut out = unsafe { MappedOutput::create(&path, DType::Float64, &[3]) }?;
/// vexpr::evaluate_into("x * 2", &Vars::new().with("x", &x), Output::from(&mut out))?;
/// out.finish()?;
/// assert_eq!(npy::read(&path)?.into_f64()?.into_raw_vec_and_offset().0, [0.0, 1.0, 2.0]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Debug)]
pub struct MappedOutput {
    /// The mapping of the whole temporary file (none for an empty array).
    region: Option<Region>,
    /// The temporary file, open while mapped.
    file: Option<File>,
    /// Where it is written, and where it goes when finished.
    temporary: PathBuf,
    path: PathBuf,
    dtype: DType,
    shape: Vec<usize>,
    offset: usize,
    finished: bool,
}

impl MappedOutput {
    /// Create a `.npy` file for a result of `dtype` and `shape`: the header as `numpy.save`
    /// writes it, and room for the data (reserved on disk, so a full disk is this error and
    /// not a crash later). Byte strings are not supported, nor a `path` that holds something
    /// other than a regular file (see [`replaces_in_place`]).
    ///
    /// # Safety
    /// Until it is finished or dropped, nothing else may truncate or write the file.
    pub unsafe fn create(
        path: impl AsRef<Path>,
        dtype: DType,
        shape: &[usize],
    ) -> Result<MappedOutput, Error> {
        let path = path.as_ref().to_path_buf();
        let fail = |what: &str, e: std::io::Error| {
            Error::new(
                ErrorKind::Output,
                format!("{}: cannot {what}: {e}", path.display()),
            )
        };
        if dtype.is_bytes() {
            return Err(Error::new(
                ErrorKind::Output,
                "a byte-string result cannot be written through a memory map",
            ));
        }
        let count = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .ok_or_else(|| Error::new(ErrorKind::Memory, "the result shape overflows"))?;
        let header = header_bytes(&descr(dtype), shape);
        let nbytes = count
            .checked_mul(dtype.itemsize())
            .and_then(|n| n.checked_add(header.len()))
            .ok_or_else(|| Error::new(ErrorKind::Memory, "the result shape overflows"))?;
        if !replaces_in_place(&path) {
            return Err(Error::new(
                ErrorKind::Output,
                format!(
                    "{}: not a regular file, so a mapped result cannot replace it",
                    path.display()
                ),
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{name}.{}.vexpr-tmp", std::process::id()));
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&temporary)
            .map_err(|e| fail("create the file", e))?;
        let mut out = MappedOutput {
            region: None,
            file: None,
            temporary,
            path: path.clone(),
            dtype,
            shape: shape.to_vec(),
            offset: header.len(),
            finished: false,
        };
        use std::io::Write;
        (&file)
            .write_all(&header)
            .map_err(|e| fail("write the file", e))?;
        reserve(&file, nbytes as u64).map_err(|e| fail("make room for the result", e))?;
        if count > 0 {
            out.region =
                Some(Region::map(&file, nbytes, true).map_err(|e| fail("map the file", e))?);
        }
        out.file = Some(file);
        Ok(out)
    }

    /// The dtype of the result it takes.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// The shape of the result it takes.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Unmap the file and put it at its path (replacing any file there).
    pub fn finish(mut self) -> Result<(), Error> {
        self.region = None;
        self.file = None;
        std::fs::rename(&self.temporary, &self.path).map_err(|e| {
            Error::new(
                ErrorKind::Output,
                format!("{}: cannot write the file: {e}", self.path.display()),
            )
        })?;
        self.finished = true;
        Ok(())
    }

    /// The data as a mutable view of its dtype, and its mapping.
    pub(crate) fn view_mut(&mut self) -> (ArrayMut<'_>, Option<MapRef<'_>>) {
        let shape = IxDyn(&self.shape);
        let (ptr, map) = match &self.region {
            Some(region) => (
                region.ptr().wrapping_add(self.offset),
                Some(MapRef::new(
                    region,
                    self.offset,
                    self.dtype.itemsize(),
                    true,
                )),
            ),
            // No element: any aligned pointer will do.
            None => (
                std::ptr::NonNull::<Complex64>::dangling().as_ptr() as *mut u8,
                None,
            ),
        };
        macro_rules! view {
            ($t:ty, $v:ident) => {
                // SAFETY: the mapping is writable, holds `offset + count * size_of::<$t>()`
                // bytes, `offset` is a multiple of 64 (the header's padding) and the map is
                // page-aligned, so the elements are aligned; zero bytes (a fresh file) and
                // anything the kernels write are valid `$t`s; the view borrows `self`
                // mutably, so it is the only one, and the creator promised that nothing
                // else writes the file.
                ArrayMut::$v(unsafe { ArrayViewMutD::<$t>::from_shape_ptr(shape, ptr as *mut $t) })
            };
        }
        let view = match self.dtype {
            DType::Bool => view!(bool, Bool),
            DType::Int32 => view!(i32, Int32),
            DType::Int64 => view!(i64, Int64),
            DType::Float32 => view!(f32, Float32),
            DType::Float64 => view!(f64, Float64),
            DType::Complex128 => view!(Complex64, Complex128),
            DType::Bytes(w) => {
                let mut full = self.shape.clone();
                full.push(w);
                // SAFETY: as above, for `count * w` bytes, any of which is a valid `u8`.
                ArrayMut::Bytes(unsafe { ArrayViewMutD::<u8>::from_shape_ptr(IxDyn(&full), ptr) })
            }
        };
        (view, map)
    }
}

impl<'a> From<&'a mut MappedOutput> for crate::Output<'a> {
    /// A result file: evaluations write it window by window and let go of the pages they
    /// are done with.
    fn from(file: &'a mut MappedOutput) -> crate::Output<'a> {
        let (view, map) = file.view_mut();
        crate::Output { view, map }
    }
}

impl Drop for MappedOutput {
    fn drop(&mut self) {
        if !self.finished {
            self.region = None;
            self.file = None;
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

/// Bytes a mapped `b1` file is checked in at a time.
const WINDOW_BYTES: usize = 8 << 20;

/// Make `file` `len` bytes long with its blocks allocated, where the file system can.
fn reserve(file: &File, len: u64) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let len_i64 = i64::try_from(len)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: plain system call on our open file descriptor.
        let rc = unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, len_i64) };
        if rc == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EOPNOTSUPP) {
            return Err(e);
        }
    }
    file.set_len(len)
}
