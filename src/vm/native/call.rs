//! Calling a compiled segment: the checked entry point over typed slices, and the raw one.
//!
//! In: a [`Code`], the index of one of its functions, the values of its live-ins (slices of
//! `n` elements, or one scalar for every element) and its live-outs (slices of `n` elements to
//! write). Out: the live-outs written, or an error when a slot does not match the function's
//! [`Layout`] (wrong count, dtype, length or splat-ness) — never undefined behaviour.

use std::mem::MaybeUninit;

use super::module::{Code, Layout};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::vm::value::{Column, ColumnMut};

/// The values of one live-in for a call.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg<'a> {
    /// One value per element.
    Column(Column<'a>),
    /// The same value for every element.
    Splat(&'a Scalar),
}

fn mismatch(what: String) -> Error {
    Error::new(ErrorKind::Internal, format!("native call: {what}"))
}

/// A column's dtype, first element and length.
pub(super) fn column_parts(c: &Column<'_>) -> (DType, *const u8, usize) {
    match *c {
        Column::Bool(v) => (DType::Bool, v.as_ptr().cast(), v.len()),
        Column::I32(v) => (DType::Int32, v.as_ptr().cast(), v.len()),
        Column::I64(v) => (DType::Int64, v.as_ptr().cast(), v.len()),
        Column::F32(v) => (DType::Float32, v.as_ptr().cast(), v.len()),
        Column::F64(v) => (DType::Float64, v.as_ptr().cast(), v.len()),
        Column::C128(v) => (DType::Complex128, v.as_ptr().cast(), v.len()),
        Column::Bytes(v, w) => (DType::Bytes(w), v.as_ptr(), v.len() / w.max(1)),
    }
}

/// A mutable column's dtype, first element and length.
pub(super) fn column_mut_parts(c: &mut ColumnMut<'_>) -> (DType, *mut u8, usize) {
    fn raw<T>(v: &mut [MaybeUninit<T>]) -> (*mut u8, usize) {
        (v.as_mut_ptr().cast(), v.len())
    }
    let (d, (p, n)) = match c {
        ColumnMut::Bool(v) => (DType::Bool, raw(v)),
        ColumnMut::I32(v) => (DType::Int32, raw(v)),
        ColumnMut::I64(v) => (DType::Int64, raw(v)),
        ColumnMut::F32(v) => (DType::Float32, raw(v)),
        ColumnMut::F64(v) => (DType::Float64, raw(v)),
        ColumnMut::C128(v) => (DType::Complex128, raw(v)),
        ColumnMut::Bytes(v, w) => {
            let w = (*w).max(1);
            let (p, len) = raw(v);
            (DType::Bytes(w), (p, len / w))
        }
    };
    (d, p, n)
}

/// One element of a scalar, as the compiled code reads it (bool: one byte 0 or 1; complex:
/// real then imaginary part), in 16 bytes aligned for any of them.
pub(super) fn scalar_bytes(s: &Scalar) -> Option<(DType, [u64; 2])> {
    Some(match *s {
        Scalar::Bool(v) => (DType::Bool, [u64::from(v), 0]),
        Scalar::Int32(v) => (DType::Int32, [u64::from(v as u32), 0]),
        Scalar::Int64(v) => (DType::Int64, [v as u64, 0]),
        Scalar::Float32(v) => (DType::Float32, [u64::from(v.to_bits()), 0]),
        Scalar::Float64(v) => (DType::Float64, [v.to_bits(), 0]),
        Scalar::Complex128(z) => (DType::Complex128, [z.re.to_bits(), z.im.to_bits()]),
        Scalar::Bytes(_) => return None,
    })
}

impl Code {
    /// Run function `k` over `n` elements: `ins` are its live-ins, `outs` its live-outs, in
    /// the order of its segment's lists; every slice has exactly `n` elements.
    pub(crate) fn run(
        &self,
        k: usize,
        ins: &[Arg<'_>],
        outs: &mut [ColumnMut<'_>],
        n: usize,
    ) -> Result<(), Error> {
        let (_, layout) = self
            .function(k)
            .ok_or_else(|| mismatch(format!("no function {k}")))?;
        check_counts(layout, ins.len(), outs.len())?;
        let mut splats: Vec<[u64; 2]> = Vec::new();
        for (arg, &(dtype, splat)) in ins.iter().zip(&layout.ins) {
            if let Arg::Splat(s) = arg {
                let (d, bytes) =
                    scalar_bytes(s).ok_or_else(|| mismatch("a byte-string scalar".into()))?;
                if d != dtype || !splat {
                    return Err(mismatch(format!("a {d} scalar for a {dtype} slot")));
                }
                splats.push(bytes);
            }
        }
        let mut pointers: Vec<*mut u8> = Vec::with_capacity(ins.len() + outs.len());
        let mut next_splat = 0;
        for (arg, &(dtype, splat)) in ins.iter().zip(&layout.ins) {
            match arg {
                Arg::Column(c) => {
                    let (d, p, len) = column_parts(c);
                    if d != dtype || splat || len != n {
                        return Err(mismatch(format!(
                            "a column of {len} {d} for a {dtype} slot of {n}"
                        )));
                    }
                    pointers.push(p.cast_mut());
                }
                Arg::Splat(_) => {
                    pointers.push(splats[next_splat].as_mut_ptr().cast());
                    next_splat += 1;
                }
            }
        }
        for (out, &dtype) in outs.iter_mut().zip(&layout.outs) {
            let (d, p, len) = column_mut_parts(out);
            if d != dtype || len != n {
                return Err(mismatch(format!(
                    "an output of {len} {d} for a {dtype} slot of {n}"
                )));
            }
            pointers.push(p);
        }
        // SAFETY: `pointers` has one pointer per slot of the layout, in order. Each column
        // pointer starts `n` initialised elements of the slot's dtype (checked above), borrowed
        // for the whole call; each splat pointer starts 16 bytes, 8-aligned, holding one element
        // of the slot's dtype (`scalar_bytes`), alive until `splats` drops after the call; each
        // output pointer starts `n` writable elements of its dtype, borrowed mutably, so no
        // other slot overlaps it. The code writes only valid values (bools as 0 or 1).
        unsafe { self.call(k, &pointers, n) }
    }

    /// Run function `k` over `n` elements with raw slot pointers.
    ///
    /// # Safety
    /// `pointers` holds one pointer per live-in, then one per live-out of function `k`'s
    /// [`Layout`]. A streamed live-in's pointer must be valid for reading `n` elements of its
    /// dtype (bool: bytes that are 0 or 1), a splat's for reading one element; a live-out's
    /// must be valid for writing `n` elements. Live-outs must not overlap each other or any
    /// live-in, except that a live-out may be exactly the memory of a live-in (same pointer,
    /// same dtype): each chunk is read before it is written. The memory must stay valid and
    /// otherwise untouched for the duration of the call.
    pub(crate) unsafe fn call(
        &self,
        k: usize,
        pointers: &[*mut u8],
        n: usize,
    ) -> Result<(), Error> {
        let (f, layout) = self
            .function(k)
            .ok_or_else(|| mismatch(format!("no function {k}")))?;
        if pointers.len() != layout.ins.len() + layout.outs.len() {
            return Err(mismatch(format!(
                "{} pointers for {} slots",
                pointers.len(),
                layout.ins.len() + layout.outs.len()
            )));
        }
        // SAFETY: the caller upholds the contract above, which is what the compiled loop
        // assumes: it reads and writes exactly those elements, plus its own stack.
        unsafe { f(pointers.as_ptr(), n) };
        Ok(())
    }
}

fn check_counts(layout: &Layout, ins: usize, outs: usize) -> Result<(), Error> {
    if ins != layout.ins.len() || outs != layout.outs.len() {
        return Err(mismatch(format!(
            "{ins} live-ins and {outs} live-outs for a function of {} and {}",
            layout.ins.len(),
            layout.outs.len()
        )));
    }
    Ok(())
}
