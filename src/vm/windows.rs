//! Evaluation window by window, for inputs and outputs that must not be resident all at once
//! (memory-mapped files larger than memory).
//!
//! In: what `block::run_elementwise` and `block::run_reduction` take, with a C-contiguous
//! output, a window length and a callback. Out: the same result, bit for bit: element-wise
//! results do not depend on where an element sits; a full reduction keeps the blocks of the
//! whole run (windows are whole blocks) and folds their partials through the same tree
//! ([`Combiner`]); a reduction along an axis folds each output's elements in element order,
//! as the whole run does.
//!
//! The flat range of the broadcast shape is evaluated in consecutive windows, each one
//! split among the worker pool's threads. After each window the callback gets the input
//! elements (flat indices of the broadcast shape) and the output elements that are finished,
//! so the caller can let their pages go. Memory besides the output: one window's block
//! partials, or the output rows of one window for a reduction along an axis.

use std::ops::Range;

use super::block::{Handoff, PIECES_PER_THREAD, Run, Sink, Target, internal};
use super::kernels::reduce::{self, Accumulator, Combiner, Fold};
use super::value::c128;
use super::{Executable, Options, target};
use crate::array::{ArrayMut, ArrayRef};
use crate::bytecode::Reduction;
use crate::dtype::DType;
use crate::error::Error;

/// Called after each window with the finished input and output ranges.
pub(crate) type Done<'d> = dyn FnMut(Range<usize>, Range<usize>) + 'd;

/// Run `prog` over `shape` into `out` (C-contiguous: the reduced shape for a reduction),
/// `window` elements of the broadcast shape at a time (rounded up to whole blocks).
pub(crate) fn run_windows(
    exe: &Executable,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    out: ArrayMut<'_>,
    options: &Options<'_>,
    window: usize,
    done: &mut Done<'_>,
) -> Result<(), Error> {
    let prog = exe.program();
    let run = Run::new(exe, inputs, shape, options)?;
    let w = window.max(1).next_multiple_of(run.block);
    let Some(r) = prog.reduction else {
        return match target(out) {
            Target::Contiguous(col) => {
                for (k, win) in col.split(w).into_iter().enumerate() {
                    let lo = k * w;
                    let hi = (lo + w).min(run.n);
                    run.pieces(win, lo, hi, piece_len(&run, lo, hi))?;
                    done(lo..hi, lo..hi);
                }
                Ok(())
            }
            Target::Strided(mut o) => {
                run.piece(0, run.n, Sink::Strided(&mut o))?;
                done(0..run.n, 0..run.n);
                Ok(())
            }
        };
    };
    macro_rules! typed {
        ($t:ty) => {
            match reduce::normalized_axis(r.axis, shape.len()) {
                None => full::<$t>(&run, &r, out, w, done),
                Some(axis) => along::<$t>(&run, &r, shape, axis, out, w, done),
            }
        };
    }
    match r.dtype {
        DType::Bool => typed!(bool),
        DType::Int32 => typed!(i32),
        DType::Int64 => typed!(i64),
        DType::Float32 => typed!(f32),
        DType::Float64 => typed!(f64),
        DType::Complex128 => typed!(c128),
        DType::Bytes(_) => Err(internal("a reduction of byte strings")),
    }
}

/// The pieces of `lo..hi` for the run's threads: whole blocks, several per thread.
fn pieces(run: &Run<'_>, lo: usize, hi: usize) -> usize {
    let blocks = (hi - lo).div_ceil(run.block);
    if run.threads <= 1 || blocks < 2 {
        return blocks.max(1);
    }
    blocks.div_ceil(blocks.div_ceil(run.threads * PIECES_PER_THREAD))
}

/// Elements per piece when `lo..hi` is cut into `pieces(run, lo, hi)` pieces.
fn piece_len(run: &Run<'_>, lo: usize, hi: usize) -> usize {
    let blocks = (hi - lo).div_ceil(run.block).max(1);
    blocks.div_ceil(pieces(run, lo, hi)) * run.block
}

/// A full reduction: each window's block partials, pushed in block order into one
/// [`Combiner`] for all the blocks of the run.
fn full<T: Fold>(
    run: &Run<'_>,
    r: &Reduction,
    mut out: ArrayMut<'_>,
    w: usize,
    done: &mut Done<'_>,
) -> Result<(), Error> {
    let mut combiner = Combiner::<T>::new(r.op, run.blocks());
    let mut lo = 0;
    while lo < run.n {
        let hi = (lo + w).min(run.n);
        let per = piece_len(run, lo, hi);
        let count = (hi - lo).div_ceil(per);
        let slots: Vec<Handoff<Accumulator>> = (0..count).map(|_| Handoff::new(None)).collect();
        crate::pool::run(run.threads, count, &|k| {
            let start = lo + k * per;
            let end = (start + per).min(hi);
            let mut acc = reduce::partials(r, (end - start).div_ceil(run.block))?;
            run.piece(
                start,
                end,
                Sink::Reduce(std::slice::from_ref(r), std::slice::from_mut(&mut acc)),
            )?;
            slots[k].put(acc);
            Ok(())
        })?;
        for slot in &slots {
            let Some(Accumulator::Partials(buf)) = slot.take() else {
                return Err(internal("a reduction piece is missing"));
            };
            let parts = T::buf(&buf).ok_or_else(|| internal("partials of the wrong type"))?;
            if !parts.iter().all(|&x| combiner.push(x)) {
                return Err(internal("more block partials than blocks"));
            }
        }
        done(lo..hi, 0..0);
        lo = hi;
    }
    let value = combiner
        .finish()
        .ok_or_else(|| internal("a block partial is missing"))?;
    T::out(&mut out)
        .ok_or_else(|| internal("the reduction result could not be written"))?
        .fill(value);
    done(run.n..run.n, 0..1);
    Ok(())
}

/// A reduction along `axis`: windows of whole rows (the axes before `axis`), split among
/// the threads by rows; a row longer than a window is folded window by window on one
/// thread. Each window's outputs are written as soon as its rows are complete.
fn along<T: Fold>(
    run: &Run<'_>,
    r: &Reduction,
    shape: &[usize],
    axis: usize,
    mut out: ArrayMut<'_>,
    w: usize,
    done: &mut Done<'_>,
) -> Result<(), Error> {
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let Some(values) = T::out(&mut out).and_then(|v| v.as_slice_mut()) else {
        return Err(internal("a windowed reduction needs a contiguous output"));
    };
    if run.n == 0 {
        // Nothing is read: every output is the identity (an empty axis), or there is none.
        values.fill(T::identity(r.op));
        done(0..0, 0..values.len());
        return Ok(());
    }
    let row = run.n / outer;
    let mut write = |acc: Accumulator, r0: usize| -> Result<Range<usize>, Error> {
        let Accumulator::Axis { values: got, .. } = acc else {
            return Err(internal("not an axis accumulator"));
        };
        let got = T::buf(&got).ok_or_else(|| internal("outputs of the wrong type"))?;
        let at = r0 * inner..r0 * inner + got.len();
        values
            .get_mut(at.clone())
            .ok_or_else(|| internal("reduction outputs out of range"))?
            .copy_from_slice(got);
        Ok(at)
    };
    if row > w {
        for r0 in 0..outer {
            let mut acc = reduce::rows(r, shape, axis, r0, r0 + 1)?;
            let (start, end) = (r0 * row, (r0 + 1) * row);
            let mut lo = start;
            while lo < end {
                let hi = (lo + w).min(end);
                run.piece(
                    lo,
                    hi,
                    Sink::Reduce(std::slice::from_ref(r), std::slice::from_mut(&mut acc)),
                )?;
                done(lo..hi, 0..0);
                lo = hi;
            }
            let at = write(acc, r0)?;
            done(end..end, at);
        }
        return Ok(());
    }
    let per_window = (w / row).max(1);
    let mut r0 = 0;
    while r0 < outer {
        let r1 = (r0 + per_window).min(outer);
        let rows = r1 - r0;
        let count = if run.threads > 1 && rows >= 2 {
            rows.min(run.threads * PIECES_PER_THREAD)
        } else {
            1
        };
        let per = rows.div_ceil(count);
        let count = rows.div_ceil(per);
        let slots: Vec<Handoff<Accumulator>> = (0..count).map(|_| Handoff::new(None)).collect();
        crate::pool::run(run.threads, count, &|k| {
            let (a, b) = (r0 + k * per, (r0 + (k + 1) * per).min(r1));
            let mut acc = reduce::rows(r, shape, axis, a, b)?;
            run.piece(
                a * row,
                b * row,
                Sink::Reduce(std::slice::from_ref(r), std::slice::from_mut(&mut acc)),
            )?;
            slots[k].put(acc);
            Ok(())
        })?;
        let acc = reduce::concat(slots.iter().filter_map(Handoff::take))
            .ok_or_else(|| internal("a reduction piece is missing"))?;
        let at = write(acc, r0)?;
        done(r0 * row..r1 * row, at);
        r0 = r1;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
