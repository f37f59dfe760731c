//! The block loop: runs a [`Program`] over the broadcast shape, one block at a time.
//!
//! In: a program, its inputs (any strides), the result shape (already checked by the shape
//! pass) and a destination. For each block of [`block_len`] elements every instruction runs
//! over the block's registers, and the last one writes straight into the output; no buffer
//! proportional to the array is ever allocated besides the output itself.
//!
//! Inputs are read in place when they are C-contiguous after broadcasting, passed as a scalar
//! when they are the same value everywhere (0-d, or broadcast along every axis), and gathered
//! into a block buffer otherwise. The last block is simply shorter: the kernels compute the
//! same value for an element whatever its position, in a vectorised loop body or in its
//! scalar remainder (the same IEEE operations, no contraction into FMA; tested by
//! `tests/position.rs` on every ISA), so it needs no padding and no copies.

use ndarray::ArrayViewD;

use super::Options;
use super::isa::{self, IsaKind};
use super::kernels::reduce::{self, Accumulator, Fold};
use super::kernels::{self, Frame, Kernel, Source};
use super::strided::{self, Broadcast};
use super::value::{Buf, Column, ColumnMut, Elem, OutColumn, c128};
use crate::array::ArrayRef;
use crate::bytecode::{Program, Reduction};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use std::sync::{Mutex, PoisonError};

/// Elements per block. Chosen so that the live registers of a typical program (a handful of
/// float64 buffers: 8 KiB each) stay in L1/L2; see BENCHMARKS.md for the measurement.
pub(crate) const BLOCK_LEN: usize = 1024;

/// The block length for a program.
pub(crate) fn block_len(_prog: &Program) -> usize {
    BLOCK_LEN
}

/// Where an element-wise result goes.
pub(crate) enum Target<'o> {
    /// A C-contiguous output, written in place block by block.
    Contiguous(ColumnMut<'o>),
    /// Any other layout: each block goes through a buffer and is scattered.
    Strided(OutColumn<'o>),
}

/// How an input is read, decided once per run.
enum Plan<'a> {
    /// C-contiguous over the result shape.
    Column(Column<'a>),
    /// The same value everywhere.
    Splat(Scalar),
    /// Anything else: gathered block by block from this view (broadcast to the result shape;
    /// byte strings with their trailing item axis).
    Strided(StridedView<'a>),
}

enum StridedView<'a> {
    Bool(Broadcast<'a, bool>),
    I32(Broadcast<'a, i32>),
    I64(Broadcast<'a, i64>),
    F32(Broadcast<'a, f32>),
    F64(Broadcast<'a, f64>),
    C128(Broadcast<'a, c128>),
    /// Broadcast to `shape + [itemsize]`; the item size.
    Bytes(Broadcast<'a, u8>, usize),
}

pub(super) fn internal(what: &str) -> Error {
    Error::new(ErrorKind::Internal, what.to_string())
}

/// Decide how to read `v` broadcast to `shape` (`n` elements).
fn typed_plan<'a, T: Elem>(
    v: ArrayViewD<'a, T>,
    shape: &[usize],
    n: usize,
    wrap: fn(Broadcast<'a, T>) -> StridedView<'a>,
) -> Result<Plan<'a>, Error> {
    if n == 0 {
        return Ok(Plan::Column(T::to_column(&[])));
    }
    if v.len() == n {
        // No axis is stretched: contiguous iff the view is.
        if let Some(s) = v.to_slice() {
            return Ok(Plan::Column(T::to_column(s)));
        }
    }
    if v.len() == 1 {
        let first = *v.iter().next().ok_or_else(|| internal("empty input"))?;
        return Ok(Plan::Splat(first.to_scalar()));
    }
    let b = Broadcast::new(v, shape).ok_or_else(|| internal("input does not broadcast"))?;
    Ok(Plan::Strided(wrap(b)))
}

/// Decide how to read `input` (of dtype `dtype`) broadcast to `shape`.
fn plan<'a>(input: &'a ArrayRef<'_>, dtype: DType, shape: &[usize]) -> Result<Plan<'a>, Error> {
    let n: usize = shape.iter().product();
    match (input, dtype) {
        (ArrayRef::Bool(a), DType::Bool) => typed_plan(a.view(), shape, n, StridedView::Bool),
        (ArrayRef::Int32(a), DType::Int32) => typed_plan(a.view(), shape, n, StridedView::I32),
        (ArrayRef::Int64(a), DType::Int64) => typed_plan(a.view(), shape, n, StridedView::I64),
        (ArrayRef::Float32(a), DType::Float32) => typed_plan(a.view(), shape, n, StridedView::F32),
        (ArrayRef::Float64(a), DType::Float64) => typed_plan(a.view(), shape, n, StridedView::F64),
        (ArrayRef::Complex128(a), DType::Complex128) => {
            typed_plan(a.view(), shape, n, StridedView::C128)
        }
        (ArrayRef::Bytes(a), DType::Bytes(w)) => {
            let v = a.view();
            if n == 0 {
                return Ok(Plan::Column(Column::Bytes(&[], w)));
            }
            let items = v.len() / w.max(1);
            if items == n
                && let Some(s) = v.to_slice()
            {
                return Ok(Plan::Column(Column::Bytes(s, w)));
            }
            if items == 1 {
                return Ok(Plan::Splat(Scalar::Bytes(v.iter().copied().collect())));
            }
            let mut full = shape.to_vec();
            full.push(w);
            let b = Broadcast::new(v, &full).ok_or_else(|| internal("input does not broadcast"))?;
            Ok(Plan::Strided(StridedView::Bytes(b, w)))
        }
        _ => Err(internal("input dtype differs from the program's")),
    }
}

impl<'a> Column<'a> {
    /// Elements `start..start + len`.
    fn part(&self, start: usize, len: usize) -> Option<Column<'a>> {
        Some(match self {
            Column::Bool(v) => Column::Bool(v.get(start..start + len)?),
            Column::I32(v) => Column::I32(v.get(start..start + len)?),
            Column::I64(v) => Column::I64(v.get(start..start + len)?),
            Column::F32(v) => Column::F32(v.get(start..start + len)?),
            Column::F64(v) => Column::F64(v.get(start..start + len)?),
            Column::C128(v) => Column::C128(v.get(start..start + len)?),
            Column::Bytes(v, w) => Column::Bytes(v.get(start * w..(start + len) * w)?, *w),
        })
    }
}

/// Gather elements `start..start + valid` of `view` into the front of `buf`.
fn gather_into(buf: &mut Buf, view: &StridedView<'_>, start: usize, valid: usize) -> bool {
    match (buf, view) {
        (Buf::Bool(b), StridedView::Bool(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::I32(b), StridedView::I32(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::I64(b), StridedView::I64(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::F32(b), StridedView::F32(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::F64(b), StridedView::F64(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::C128(b), StridedView::C128(v)) => strided::gather(v, start, &mut b[..valid]),
        (Buf::Bytes(b, _), StridedView::Bytes(v, w)) => {
            strided::gather(v, start * w, &mut b[..valid * w])
        }
        _ => return false,
    }
    true
}

/// `out[k] = src[k]` for every element (the output may be uninitialised).
fn write_all<T: Copy>(out: &mut [std::mem::MaybeUninit<T>], src: &[T]) {
    for (o, &v) in out.iter_mut().zip(src) {
        o.write(v);
    }
}

/// Write the first `valid` elements of `temp` to a contiguous output at `start`.
fn flush_contiguous(temp: &Buf, out: &mut ColumnMut<'_>, start: usize, valid: usize) -> bool {
    macro_rules! copy {
        ($($var:ident),*) => {
            match (temp, out) {
                $((Buf::$var(t), ColumnMut::$var(o)) => {
                    write_all(&mut o[start..start + valid], &t[..valid])
                })*
                (Buf::Bytes(t, w), ColumnMut::Bytes(o, _)) => {
                    write_all(&mut o[start * w..(start + valid) * w], &t[..valid * w])
                }
                _ => return false,
            }
        };
    }
    copy!(Bool, I32, I64, F32, F64, C128);
    true
}

/// Write the first `valid` elements of `temp` to a strided output at `start`.
fn flush_strided(temp: &Buf, out: &mut OutColumn<'_>, start: usize, valid: usize) -> bool {
    macro_rules! scatter {
        ($($var:ident),*) => {
            match (temp, out) {
                $((Buf::$var(t), OutColumn::$var(o)) => strided::scatter(o, start, &t[..valid]),)*
                (Buf::Bytes(t, w), OutColumn::Bytes(o)) => {
                    strided::scatter(o, start * w, &t[..valid * w])
                }
                _ => return false,
            }
        };
    }
    scatter!(Bool, I32, I64, F32, F64, C128);
    true
}

/// Per-thread buffers kept between runs, so a small evaluation allocates nothing but its
/// output.
#[derive(Default)]
struct Scratch {
    regs: Vec<Buf>,
    gathered: Vec<Buf>,
    temp: Buf,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// Take this thread's scratch buffers for the duration of `f` (fresh ones if a run is
/// already using them further up the stack).
#[inline(always)]
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(
        #[inline(always)]
        |cell| match cell.try_borrow_mut() {
            Ok(mut s) => f(&mut s),
            Err(_) => f(&mut Scratch::default()),
        },
    )
}

/// Fewer elements than this run on the calling thread alone, without waking the pool: the
/// pool's wake-up and the per-thread setup cost about as much as evaluating this many
/// elements of a cheap expression. Measured by `examples/parallel_threshold.rs` (BENCHMARKS.md,
/// "Parallel threshold"): two threads first beat one for `a*b + c` between 16Ki and 32Ki
/// elements; dearer expressions win from 4Ki (arithmetic) or 2Ki (`sin`), so a threshold
/// weighted by the program's cost is the next step.
pub(crate) const PARALLEL_MIN: usize = 1 << 15;

/// Pieces per thread when a run is split: several, so a thread that is descheduled on a busy
/// machine does not hold up the others.
pub(super) const PIECES_PER_THREAD: usize = 4;

/// Everything a run needs besides the per-block frame. Shared by the threads of a run.
pub(super) struct Run<'a> {
    prog: &'a Program,
    plans: Vec<Plan<'a>>,
    kernels: std::borrow::Cow<'a, [Kernel]>,
    cancel: Option<&'a std::sync::atomic::AtomicBool>,
    progress: Option<&'a std::sync::atomic::AtomicU64>,
    isa: IsaKind,
    pub(super) threads: usize,
    pub(super) n: usize,
    pub(super) block: usize,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        prog: &'a Program,
        inputs: &'a [ArrayRef<'_>],
        shape: &[usize],
        options: &Options<'a>,
    ) -> Result<Run<'a>, Error> {
        if inputs.len() != prog.inputs.len() {
            return Err(internal("wrong number of inputs"));
        }
        let plans = inputs
            .iter()
            .zip(&prog.inputs)
            .map(|(a, slot)| plan(a, slot.dtype, shape))
            .collect::<Result<Vec<_>, _>>()?;
        let n = shape.iter().product();
        let threads = if n < options.parallel_min.unwrap_or(PARALLEL_MIN) {
            1
        } else {
            options.threads.unwrap_or_else(crate::pool::get_num_threads)
        };
        Ok(Run {
            prog,
            plans,
            kernels: match options.kernels {
                Some(k) => std::borrow::Cow::Borrowed(k),
                None => std::borrow::Cow::Owned(kernels::resolve(prog, options.isa).into_vec()),
            },
            cancel: options.cancel,
            progress: options.progress,
            isa: options.isa,
            threads,
            n,
            block: options.block_len.unwrap_or_else(|| block_len(prog)),
        })
    }

    pub(super) fn blocks(&self) -> usize {
        self.n.div_ceil(self.block)
    }

    /// Whole blocks per piece when the run is split among the threads (0: do not split).
    pub(super) fn blocks_per_piece(&self) -> usize {
        let blocks = self.blocks();
        if self.threads <= 1 || blocks < 2 {
            return 0;
        }
        blocks.div_ceil(self.threads * PIECES_PER_THREAD)
    }

    /// A frame with buffers for this run, reusing `scratch`; `direct` holds the output
    /// elements from flat index `base` on.
    fn frame<'f>(
        &'f self,
        scratch: &mut Scratch,
        direct: Option<ColumnMut<'f>>,
        base: usize,
    ) -> Frame<'f> {
        let b = self.block;
        let mut regs = std::mem::take(&mut scratch.regs);
        regs.resize_with(self.prog.registers.len(), Buf::default);
        for (buf, &dtype) in regs.iter_mut().zip(&self.prog.registers) {
            buf.ensure(dtype, b);
        }
        let mut gathered = std::mem::take(&mut scratch.gathered);
        gathered.resize_with(self.plans.len(), Buf::default);
        let mut inputs = Vec::with_capacity(self.plans.len());
        for ((buf, plan), slot) in gathered.iter_mut().zip(&self.plans).zip(&self.prog.inputs) {
            inputs.push(match plan {
                Plan::Splat(s) => Source::Splat(s.clone()),
                _ => {
                    buf.ensure(slot.dtype, b);
                    Source::Gathered
                }
            });
        }
        let mut temp = std::mem::take(&mut scratch.temp);
        temp.ensure(self.prog.dtype, b);
        Frame {
            len: 0,
            regs,
            inputs,
            gathered,
            consts: &self.prog.consts,
            direct,
            base,
            start: 0,
            use_direct: false,
            temp,
            fault: false,
        }
    }

    /// Load the block at flat index `start` (ending at `end` at the latest) into `frame`;
    /// returns the number of valid elements.
    #[inline(always)]
    fn load<'f>(&'f self, frame: &mut Frame<'f>, start: usize, end: usize) -> Result<usize, Error> {
        if self
            .cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Err(Error::new(
                ErrorKind::Cancelled,
                "the evaluation was cancelled",
            ));
        }
        let valid = self.block.min(end - start);
        frame.start = start;
        frame.len = valid;
        for (i, plan) in self.plans.iter().enumerate() {
            let ok = match plan {
                Plan::Splat(_) => true,
                Plan::Column(c) => match c.part(start, valid) {
                    Some(part) => {
                        frame.inputs[i] = Source::Column(part);
                        true
                    }
                    None => false,
                },
                Plan::Strided(v) => {
                    frame.inputs[i] = Source::Gathered;
                    gather_into(&mut frame.gathered[i], v, start, valid)
                }
            };
            if !ok {
                return Err(internal("an input block could not be loaded"));
            }
        }
        Ok(valid)
    }

    /// Run the instructions over the loaded block.
    #[inline(always)]
    fn execute(&self, frame: &mut Frame<'_>) {
        for (instr, kernel) in self.prog.instrs.iter().zip(self.kernels.iter()) {
            // SAFETY: the kernels come from the table of `self.isa`, and `IsaKind` values
            // other than `Baseline` are only produced after the CPU was found to support them
            // (`isa::detect`, the API's `isa_by_name`).
            unsafe { kernel(instr, frame) };
        }
    }

    fn give_back(frame: Frame<'_>, scratch: &mut Scratch) {
        scratch.regs = frame.regs;
        scratch.gathered = frame.gathered;
        scratch.temp = frame.temp;
    }
}

/// Where a piece's results go.
pub(super) enum Sink<'s, 'o> {
    /// The output elements of the piece's range, contiguous.
    Contiguous(ColumnMut<'o>),
    /// The whole strided output, written at the blocks' flat indices.
    Strided(&'s mut OutColumn<'o>),
    /// A reduction's fold.
    Reduce(&'s Reduction, &'s mut Accumulator),
}

/// One piece of a run: the flat range `lo..hi`, in blocks from `lo`, compiled for one ISA
/// through [`isa::dispatch`] (this is the block loop).
struct Piece<'r, 'a, 's, 'o> {
    run: &'r Run<'a>,
    lo: usize,
    hi: usize,
    sink: Sink<'s, 'o>,
}

impl isa::Kernel for Piece<'_, '_, '_, '_> {
    type Output = Result<(), Error>;

    #[inline(always)]
    fn run<I: isa::Isa>(self) -> Result<(), Error> {
        let Piece { run, lo, hi, sink } = self;
        with_scratch(
            #[inline(always)]
            |scratch| {
                let (direct, mut sink) = match sink {
                    Sink::Contiguous(c) => (Some(c), None),
                    other => (None, Some(other)),
                };
                let mut frame = run.frame(scratch, direct, lo);
                let result = blocks(run, &mut frame, lo, hi, &mut sink);
                Run::give_back(frame, scratch);
                result
            },
        )
    }
}

/// The blocks of `lo..hi`, one after another.
#[inline(always)]
fn blocks<'f>(
    run: &'f Run<'_>,
    frame: &mut Frame<'f>,
    lo: usize,
    hi: usize,
    sink: &mut Option<Sink<'_, '_>>,
) -> Result<(), Error> {
    let mut start = lo;
    // Elements done since the progress counter was last advanced (shared by the threads,
    // so it is touched once per PROGRESS_STEP elements, not once per block).
    let mut unreported = 0;
    while start < hi {
        if unreported >= PROGRESS_STEP
            && let Some(p) = run.progress
        {
            p.fetch_add(unreported as u64, std::sync::atomic::Ordering::Relaxed);
            unreported = 0;
        }
        let valid = run.load(frame, start, hi)?;
        unreported += valid;
        frame.use_direct = frame.direct.is_some();
        run.execute(frame);
        let ok = match sink {
            _ if frame.use_direct => true,
            None => match frame.direct.as_mut() {
                Some(d) => flush_contiguous(&frame.temp, d, start - lo, valid),
                None => false,
            },
            Some(Sink::Strided(out)) => flush_strided(&frame.temp, out, start, valid),
            Some(Sink::Reduce(r, acc)) => {
                let block = (start - lo) / run.block;
                reduce::step(r, &frame.sources(), valid, block, start, acc)
            }
            Some(Sink::Contiguous(_)) => false,
        };
        if frame.fault || !ok {
            return Err(internal("a kernel met an operand of the wrong type"));
        }
        start += run.block;
    }
    if let Some(p) = run.progress {
        p.fetch_add(unreported as u64, std::sync::atomic::Ordering::Relaxed);
    }
    Ok(())
}

/// Elements between two updates of a run's progress counter.
const PROGRESS_STEP: usize = 1 << 16;

impl Run<'_> {
    /// Run the piece `lo..hi` with this run's ISA.
    pub(super) fn piece(&self, lo: usize, hi: usize, sink: Sink<'_, '_>) -> Result<(), Error> {
        isa::dispatch(
            self.isa,
            Piece {
                run: self,
                lo,
                hi,
                sink,
            },
        )
    }
}

impl<'o> ColumnMut<'o> {
    /// Consecutive pieces of `len` elements (the last one shorter).
    pub(super) fn split(self, len: usize) -> Vec<ColumnMut<'o>> {
        let len = len.max(1);
        match self {
            ColumnMut::Bool(v) => v.chunks_mut(len).map(ColumnMut::Bool).collect(),
            ColumnMut::I32(v) => v.chunks_mut(len).map(ColumnMut::I32).collect(),
            ColumnMut::I64(v) => v.chunks_mut(len).map(ColumnMut::I64).collect(),
            ColumnMut::F32(v) => v.chunks_mut(len).map(ColumnMut::F32).collect(),
            ColumnMut::F64(v) => v.chunks_mut(len).map(ColumnMut::F64).collect(),
            ColumnMut::C128(v) => v.chunks_mut(len).map(ColumnMut::C128).collect(),
            ColumnMut::Bytes(v, w) => v
                .chunks_mut(len * w.max(1))
                .map(|c| ColumnMut::Bytes(c, w))
                .collect(),
        }
    }
}

/// A value handed from one task to the caller (the pool's tasks return only errors).
pub(super) struct Slot<T>(Mutex<Option<T>>);

impl<T> Slot<T> {
    pub(super) fn new(v: Option<T>) -> Slot<T> {
        Slot(Mutex::new(v))
    }
    pub(super) fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
    pub(super) fn put(&self, v: T) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(v);
    }
}

/// Run an element-wise program over `shape`, writing every element of `target`.
pub(crate) fn run_elementwise(
    prog: &Program,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    target: Target<'_>,
    options: &Options<'_>,
) -> Result<(), Error> {
    let run = Run::new(prog, inputs, shape, options)?;
    let per = run.blocks_per_piece() * run.block;
    match target {
        // A strided output is written by one thread: its blocks are not slices of it.
        Target::Strided(mut out) => run.piece(0, run.n, Sink::Strided(&mut out)),
        Target::Contiguous(out) if per == 0 => run.piece(0, run.n, Sink::Contiguous(out)),
        Target::Contiguous(out) => {
            let slots: Vec<Slot<ColumnMut<'_>>> = out
                .split(per)
                .into_iter()
                .map(|c| Slot::new(Some(c)))
                .collect();
            crate::pool::run(run.threads, slots.len(), &|k| {
                let out = slots[k]
                    .take()
                    .ok_or_else(|| internal("a piece ran twice"))?;
                let lo = k * per;
                run.piece(lo, (lo + per).min(run.n), Sink::Contiguous(out))
            })
        }
    }
}

/// Run a reduction program over `shape`, writing the reduced result into `out` (its shape
/// is the reduced shape, already checked).
///
/// A full reduction is split into pieces of whole blocks; each keeps one partial per block,
/// and the partials are combined in block order, so the result is the same for any number of
/// threads. A reduction along an axis is split by rows of the axes before it (each piece owns
/// its output elements, folded in element order: also the same for any number of threads);
/// when there is only one such row it runs on one thread.
pub(crate) fn run_reduction(
    prog: &Program,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    out: OutColumn<'_>,
    options: &Options<'_>,
) -> Result<(), Error> {
    let r = prog
        .reduction
        .ok_or_else(|| internal("not a reduction program"))?;
    let run = Run::new(prog, inputs, shape, options)?;
    let acc = match reduce::normalized_axis(r.axis, shape.len()) {
        None => {
            let per_blocks = match run.blocks_per_piece() {
                0 => run.blocks().max(1),
                p => p,
            };
            let per = per_blocks * run.block;
            let pieces = run.n.div_ceil(per).max(1);
            let slots: Vec<Slot<Accumulator>> = (0..pieces).map(|_| Slot::new(None)).collect();
            crate::pool::run(run.threads, pieces, &|k| {
                let lo = k * per;
                let hi = (lo + per).min(run.n);
                let mut acc = reduce::partials(&r, hi.saturating_sub(lo).div_ceil(run.block))?;
                run.piece(lo, hi, Sink::Reduce(&r, &mut acc))?;
                slots[k].put(acc);
                Ok(())
            })?;
            reduce::concat(slots.iter().filter_map(Slot::take))
                .ok_or_else(|| internal("a reduction piece is missing"))?
        }
        Some(axis) => {
            let outer: usize = shape[..axis].iter().product();
            let row = run.n / outer.max(1);
            let pieces = if run.threads > 1 && outer >= 2 {
                outer.min(run.threads * PIECES_PER_THREAD)
            } else {
                1
            };
            let rows = outer.div_ceil(pieces).max(1);
            let pieces = outer.div_ceil(rows).max(1);
            let slots: Vec<Slot<Accumulator>> = (0..pieces).map(|_| Slot::new(None)).collect();
            crate::pool::run(run.threads, pieces, &|k| {
                let (r0, r1) = (k * rows, ((k + 1) * rows).min(outer));
                let mut acc = reduce::rows(&r, shape, axis, r0, r1)?;
                run.piece(r0 * row, (r1 * row).min(run.n), Sink::Reduce(&r, &mut acc))?;
                slots[k].put(acc);
                Ok(())
            })?;
            reduce::concat(slots.iter().filter_map(Slot::take))
                .ok_or_else(|| internal("a reduction piece is missing"))?
        }
    };
    finish(&r, acc, out)
}

/// Write a reduction's accumulated values into `out`.
pub(super) fn finish(r: &Reduction, acc: Accumulator, out: OutColumn<'_>) -> Result<(), Error> {
    fn typed<T: Fold>(op: crate::hir::ReduceOp, acc: Accumulator, mut out: OutColumn<'_>) -> bool {
        let Some(view) = T::out(&mut out) else {
            return false;
        };
        match acc {
            Accumulator::Partials(buf) => {
                let Some(parts) = T::buf(&buf) else {
                    return false;
                };
                let value = reduce::combine(op, parts);
                view.fill(value);
            }
            Accumulator::Axis { values, .. } => {
                let Some(values) = T::buf(&values) else {
                    return false;
                };
                if values.len() != view.len() {
                    return false;
                }
                for (o, &v) in view.iter_mut().zip(values) {
                    *o = v;
                }
            }
        }
        true
    }
    let ok = match r.dtype {
        DType::Bool => typed::<bool>(r.op, acc, out),
        DType::Int32 => typed::<i32>(r.op, acc, out),
        DType::Int64 => typed::<i64>(r.op, acc, out),
        DType::Float32 => typed::<f32>(r.op, acc, out),
        DType::Float64 => typed::<f64>(r.op, acc, out),
        DType::Complex128 => typed::<c128>(r.op, acc, out),
        DType::Bytes(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(internal("the reduction result could not be written"))
    }
}
