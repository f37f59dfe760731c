//! Memory that is a file mapping: a [`Region`] maps the start of a file, and a [`MapRef`] is
//! the part of an evaluation's memory (an input or the output) that lives in one, through
//! which the evaluation lets go of the pages it is done with.
//!
//! This is the allocation layer's other kind of memory besides the heap (`alloc`): `npy`
//! maps `.npy` files with it, and an [`Output`](super::Output) may live in one.

use std::fs::File;
use std::ops::Range;

/// A part of an evaluation's memory that is a file mapping: the evaluation tells it which
/// elements it is done with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MapRef<'a> {
    region: &'a Region,
    /// Bytes from the start of the mapping to the first element.
    offset: usize,
    itemsize: usize,
    /// Whether element `i` (in C order) is the `i`-th in the file, so a range of elements
    /// is a range of bytes.
    contiguous: bool,
}

impl<'a> MapRef<'a> {
    /// The elements of `region` from byte `offset` on, `itemsize` bytes each; `contiguous`
    /// when element `i` (C order) is the `i`-th in the region.
    pub(crate) fn new(
        region: &'a Region,
        offset: usize,
        itemsize: usize,
        contiguous: bool,
    ) -> Self {
        MapRef {
            region,
            offset,
            itemsize,
            contiguous,
        }
    }

    /// Whether element `i` in C order is stored `i`-th, so [`release`](MapRef::release)
    /// can act.
    pub(crate) fn is_contiguous(&self) -> bool {
        self.contiguous
    }

    /// The evaluation is done with `elements` (C order): let their pages go (written back
    /// first for a result file). Partly covered pages at the ends are kept.
    pub(crate) fn release(&self, elements: Range<usize>) {
        if !self.contiguous || elements.is_empty() {
            return;
        }
        let at = |i: usize| self.offset.saturating_add(i.saturating_mul(self.itemsize));
        self.region.release(at(elements.start)..at(elements.end));
    }
}

/// A memory mapping of the start of a file (unmapped when dropped).
#[derive(Debug)]
pub(crate) struct Region {
    ptr: *mut u8,
    len: usize,
    /// The file, for writing dirty pages back (a writable mapping only).
    fd: Option<i32>,
}

// SAFETY: the region is plain memory (file pages); `Region` itself only unmaps it on drop
// and hands out views that Rust's borrow rules govern.
unsafe impl Send for Region {}
// SAFETY: as above; `release` only gives advice and starts write-back, which the kernel
// makes safe for concurrent readers.
unsafe impl Sync for Region {}

impl Region {
    /// The first byte of the mapping.
    pub(crate) fn ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// The mapping's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Map the first `len` (> 0) bytes of `file`, shared, read-only or writable.
    #[cfg(unix)]
    pub(crate) fn map(file: &File, len: usize, writable: bool) -> std::io::Result<Region> {
        use std::os::fd::AsRawFd;
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a fresh mapping chosen by the kernel (no address hint), of a file we hold
        // open; failure is MAP_FAILED, checked.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Region {
            ptr: ptr as *mut u8,
            len,
            fd: writable.then(|| file.as_raw_fd()),
        })
    }

    #[cfg(not(unix))]
    pub(crate) fn map(_: &File, _: usize, _: bool) -> std::io::Result<Region> {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }

    /// The bytes `range` of the mapping.
    pub(crate) fn bytes(&self, range: Range<usize>) -> &[u8] {
        let range = range.start.min(self.len)..range.end.min(self.len);
        // SAFETY: the range lies inside the mapping, which is readable and lives as long as
        // `self`; nothing writes a read-only mapping's file (the caller of `map` promised).
        unsafe { std::slice::from_raw_parts(self.ptr.add(range.start), range.len()) }
    }

    /// Let the whole pages inside `bytes` go from this process's memory: a result file's
    /// dirty pages are first queued for writing back (the page cache keeps the data
    /// either way, and the next access maps it again).
    pub(crate) fn release(&self, bytes: Range<usize>) {
        #[cfg(unix)]
        {
            let page = page_size();
            let start = bytes.start.min(self.len) / page * page;
            let end = bytes.end.min(self.len) / page * page;
            if end <= start {
                return;
            }
            #[cfg(target_os = "linux")]
            if let Some(fd) = self.fd {
                // SAFETY: plain system call on our open file descriptor; it only starts
                // writing back the range (a failure leaves the pages dirty, still correct).
                unsafe {
                    libc::sync_file_range(
                        fd,
                        start as i64,
                        (end - start) as i64,
                        libc::SYNC_FILE_RANGE_WRITE,
                    );
                }
            }
            // SAFETY: `start..end` is page-aligned and inside our shared file mapping; for
            // such a mapping MADV_DONTNEED only drops this process's page-table entries
            // (the data stays in the file and the page cache, dirty pages included) and
            // any later access faults the page in again, so no view sees a change.
            unsafe {
                libc::madvise(
                    self.ptr.add(start) as *mut libc::c_void,
                    end - start,
                    libc::MADV_DONTNEED,
                );
            }
        }
        #[cfg(not(unix))]
        let _ = bytes;
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: the mapping was made by `map` with this address and length, and every
        // view of it borrowed the region, so none outlives it.
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

/// The size of a memory page.
#[cfg(unix)]
fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(size)
        .ok()
        .filter(|&s| s > 0)
        .unwrap_or(4096)
}
