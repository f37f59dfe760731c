//! The block loop: runs a [`Program`] over the broadcast shape, one block at a time.
//!
//! In: an [`Executable`] (the validated program, its steps and kernels), its inputs (any
//! strides), the result shape (already checked by the shape pass) and a destination. For each
//! block of [`BLOCK_LEN`] elements the frame's slots are pointed at the block, every step runs
//! over it, and the last one writes straight into the output; no buffer proportional to the
//! array is ever allocated besides the output itself.
//!
//! Inputs are read in place when they are C-contiguous after broadcasting, passed as a scalar
//! when they are the same value everywhere (0-d, or broadcast along every axis), and gathered
//! into a block buffer otherwise. The last block is simply shorter: the kernels compute the
//! same value for an element whatever its position, in a vectorised loop body or in its
//! scalar remainder (the same IEEE operations, no contraction into FMA; tested by
//! `tests/position.rs` on every ISA), so it needs no copies.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ndarray::ArrayViewD;

use super::frame::{Frame, Slot};
use super::isa::{self, SupportedIsa};
use super::kernels::Kernel;
use super::kernels::reduce::{self, Accumulator, Fold};
use super::strided::{self, Broadcast};
use super::tier::{self, Native, Unit};
use super::value::{Buf, Column, ColumnMut, Elem, c128};
use super::{Executable, Options};
use crate::array::{ArrayMut, ArrayRef};
use crate::bytecode::{Program, Reduction};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::hir::ReduceOp;

/// Elements per block. Chosen so that the live registers of a typical program (a handful of
/// float64 buffers: 8 KiB each) stay in L1/L2; see BENCHMARKS.md for the measurement.
pub(crate) const BLOCK_LEN: usize = 1024;

/// Where an element-wise result goes.
pub(crate) enum Target<'o> {
    /// A C-contiguous output, written in place block by block.
    Contiguous(ColumnMut<'o>),
    /// Any other layout: each block goes through a buffer and is scattered.
    Strided(ArrayMut<'o>),
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

/// Decide how to read `input` (of dtype `dtype`) broadcast to `shape`; an error when the
/// input does not have the dtype the program reads.
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
        (ArrayRef::Bytes(a), DType::Bytes(w)) if a.shape().last() == Some(&w) => {
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

/// Gather elements `start..start + valid` of `view` into the buffer at `slot`.
///
/// # Safety
/// `slot` points at a gather buffer of the view's dtype with room for `valid` elements, which
/// nothing else references meanwhile.
unsafe fn gather_into(slot: Slot, view: &StridedView<'_>, start: usize, valid: usize) {
    /// The buffer as `T`s.
    ///
    /// # Safety
    /// As for `gather_into`, for `n` elements of `T`.
    unsafe fn buf<'b, T>(slot: Slot, n: usize) -> &'b mut [T] {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(slot.ptr as *mut T, n) }
    }
    // SAFETY: the buffer holds the view's dtype (`Run::piece` ensures it with the input's
    // dtype, which `plan` checked against the view).
    unsafe {
        match view {
            StridedView::Bool(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::I32(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::I64(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::F32(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::F64(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::C128(v) => strided::gather(v, start, buf(slot, valid)),
            StridedView::Bytes(v, w) => strided::gather(v, start * w, buf(slot, valid * w)),
        }
    }
}

/// Write `valid` elements from the buffer at `slot` to the strided output at `start`.
///
/// # Safety
/// `slot` points at `valid` initialised elements of the output's dtype.
unsafe fn scatter_from(slot: Slot, out: &mut ArrayMut<'_>, start: usize, valid: usize) {
    /// The buffer as `T`s.
    ///
    /// # Safety
    /// As for `scatter_from`, for `n` elements of `T`.
    unsafe fn buf<'b, T>(slot: Slot, n: usize) -> &'b [T] {
        // SAFETY: the caller's contract.
        unsafe { std::slice::from_raw_parts(slot.ptr as *const T, n) }
    }
    // SAFETY: the caller's contract; the output's variant names the dtype.
    unsafe {
        match out {
            ArrayMut::Bool(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Int32(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Int64(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Float32(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Float64(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Complex128(o) => strided::scatter(o, start, buf(slot, valid)),
            ArrayMut::Bytes(o) => {
                strided::scatter(o, start * slot.width, buf(slot, valid * slot.width))
            }
        }
    }
}

/// Per-thread buffers kept between runs, so a small evaluation allocates nothing but its
/// output.
#[derive(Default)]
struct Scratch {
    regs: Vec<Buf>,
    gathered: Vec<Buf>,
    temp: Buf,
    slots: Vec<Slot>,
    /// A native segment's arguments, filled per call.
    args: Vec<*mut u8>,
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
    exe: &'a Executable,
    kernels: &'a [Kernel],
    plans: Vec<Plan<'a>>,
    cancel: Option<&'a AtomicBool>,
    progress: Option<&'a AtomicU64>,
    isa: SupportedIsa,
    /// The native schedule, when the native tier runs this program.
    native: Option<Arc<Native>>,
    pub(super) threads: usize,
    pub(super) n: usize,
    pub(super) block: usize,
}

/// A slot that moves with the block: the block starting at flat index `start` is at
/// `base + (start - from) * size`.
struct Moving {
    slot: usize,
    base: *mut u8,
    from: usize,
    size: usize,
}

impl<'a> Run<'a> {
    pub(super) fn new(
        exe: &'a Executable,
        inputs: &'a [ArrayRef<'_>],
        shape: &[usize],
        options: &Options<'a>,
    ) -> Result<Run<'a>, Error> {
        let prog = exe.program();
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
        let splat: Vec<bool> = plans.iter().map(|p| matches!(p, Plan::Splat(_))).collect();
        let native = exe.native(options.jit, options.isa, &splat, n);
        Ok(Run {
            exe,
            kernels: exe.kernels(options.isa, options.precision),
            native,
            plans,
            cancel: options.cancel,
            progress: options.progress,
            isa: options.isa,
            threads,
            n,
            block: options.block_len.unwrap_or(BLOCK_LEN),
        })
    }

    fn prog(&self) -> &'a Program {
        self.exe.program()
    }

    pub(super) fn blocks(&self) -> usize {
        self.n.div_ceil(self.block)
    }

    /// Whole blocks per piece when the run is split among the threads (0: do not split).
    fn blocks_per_piece(&self) -> usize {
        let blocks = self.blocks();
        if self.threads <= 1 || blocks < 2 {
            return 0;
        }
        blocks.div_ceil(self.threads * PIECES_PER_THREAD)
    }

    fn cancelled(&self) -> Result<(), Error> {
        match self.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(Error::new(
                ErrorKind::Cancelled,
                "the evaluation was cancelled",
            )),
            _ => Ok(()),
        }
    }

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

    /// Point `scratch`'s slots at this run's buffers, inputs and constants, and the output's
    /// at the `temp` block buffer; pushes the slots that move with each block to `moving`.
    fn bind(&self, scratch: &mut Scratch, moving: &mut Vec<Moving>) {
        let prog = self.prog();
        let layout = self.exe.layout();
        let b = self.block;
        let Scratch {
            regs,
            gathered,
            temp,
            slots,
            ..
        } = scratch;
        slots.clear();
        slots.resize(layout.len(), Slot::EMPTY);
        regs.resize_with(prog.registers.len(), Buf::default);
        for (k, (buf, &dtype)) in regs.iter_mut().zip(&prog.registers).enumerate() {
            buf.ensure(dtype, b);
            slots[k] = Slot::block(buf.as_mut_ptr(), dtype.itemsize());
        }
        gathered.resize_with(self.plans.len(), Buf::default);
        for (k, ((buf, plan), input)) in gathered
            .iter_mut()
            .zip(&self.plans)
            .zip(&prog.inputs)
            .enumerate()
        {
            let at = layout.input(k);
            slots[at] = match plan {
                Plan::Splat(s) => Slot::scalar(s),
                Plan::Column(c) => {
                    let (base, size) = c.base();
                    moving.push(Moving {
                        slot: at,
                        base,
                        from: 0,
                        size,
                    });
                    Slot::block(base, input.dtype.itemsize())
                }
                Plan::Strided(_) => {
                    buf.ensure(input.dtype, b);
                    Slot::block(buf.as_mut_ptr(), input.dtype.itemsize())
                }
            };
        }
        for (k, c) in prog.consts.iter().enumerate() {
            slots[layout.constant(k)] = Slot::scalar(c);
        }
        temp.ensure(prog.dtype, b);
        slots[layout.output() as usize] = Slot::block(temp.as_mut_ptr(), prog.dtype.itemsize());
    }
}

/// Where a piece's results go.
pub(super) enum Sink<'s, 'o> {
    /// The output elements of the piece's range, contiguous.
    Contiguous(ColumnMut<'o>),
    /// The whole strided output, written at the blocks' flat indices.
    Strided(&'s mut ArrayMut<'o>),
    /// Folds of the program's reduction argument, one accumulator each: the program's own
    /// reduction, and any others over the same argument sharing the pass (`min` and `max`).
    Reduce(&'s [Reduction], &'s mut [Accumulator]),
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
        let Piece {
            run,
            lo,
            hi,
            mut sink,
        } = self;
        with_scratch(
            #[inline(always)]
            |scratch| {
                let mut moving = Vec::new();
                run.bind(scratch, &mut moving);
                let layout = run.exe.layout();
                let out = layout.output() as usize;
                if let Sink::Contiguous(c) = &mut sink {
                    // The piece's output holds flat indices `lo..hi`.
                    let (base, size) = c.base();
                    moving.push(Moving {
                        slot: out,
                        base,
                        from: lo,
                        size,
                    });
                }
                let strided: Vec<(usize, &StridedView<'_>)> = run
                    .plans
                    .iter()
                    .enumerate()
                    .filter_map(|(k, p)| match p {
                        Plan::Strided(v) => Some((layout.input(k), v)),
                        _ => None,
                    })
                    .collect();
                let mut frame = Frame::new(std::mem::take(&mut scratch.slots));
                let mut args = std::mem::take(&mut scratch.args);
                let whole = run.native.as_ref().filter(|n| n.whole).is_some()
                    && strided.is_empty()
                    && matches!(sink, Sink::Contiguous(_));
                let result = if whole {
                    whole_piece(run, &mut frame, &moving, &mut args, lo, hi)
                } else {
                    blocks(
                        run, &mut frame, &moving, &strided, &mut args, lo, hi, &mut sink,
                    )
                };
                scratch.slots = frame.slots;
                scratch.args = args;
                result
            },
        )
    }
}

/// Run the units of a native schedule over the frame's current block (or piece).
///
/// # Safety
/// The frame holds the program's operands for `frame.len` elements (the block loop's
/// invariants), and the schedule was compiled for this run's ISA and splat layout.
#[inline(always)]
unsafe fn run_units(run: &Run<'_>, native: &Native, frame: &Frame<'_>, args: &mut Vec<*mut u8>) {
    let steps = run.exe.steps();
    for unit in &native.units {
        match unit {
            // SAFETY: as for a kernel in `blocks`.
            Unit::Kernel(k) => unsafe { run.kernels[*k](&steps[*k], frame) },
            Unit::Native { entry, slots } => {
                args.clear();
                args.extend(slots.iter().map(|&s| frame.slots[s as usize].ptr));
                // SAFETY: the schedule's slots are the segment's live-ins then live-outs, so
                // each pointer starts `frame.len` elements of the dtype the code was compiled
                // for (registers are block buffers of their dtype, inputs are read in place,
                // gathered, or a splat exactly where the code expects one, the output is the
                // output block), or one element for a splat. Live-outs are registers and the
                // output, distinct from each other and from every live-in except a register
                // read and rewritten in place, which the code allows. The code lives as long
                // as `native`, which the run holds.
                unsafe { entry(args.as_ptr(), frame.len) }
            }
        }
    }
}

/// A whole piece `lo..hi` through the program's one native segment, [`tier::WHOLE_CHUNK`]
/// elements per call: contiguous inputs read in place, the output written in place, no
/// block buffers.
fn whole_piece(
    run: &Run<'_>,
    frame: &mut Frame<'_>,
    moving: &[Moving],
    args: &mut Vec<*mut u8>,
    lo: usize,
    hi: usize,
) -> Result<(), Error> {
    let Some(native) = run.native.as_deref() else {
        return Err(internal("a whole-piece run without native code"));
    };
    let mut start = lo;
    while start < hi {
        run.cancelled()?;
        let len = tier::WHOLE_CHUNK.min(hi - start);
        frame.len = len;
        for m in moving {
            frame.slots[m.slot].ptr = m.base.wrapping_add((start - m.from) * m.size);
        }
        // SAFETY: the one unit is a segment whose live-ins are inputs (contiguous from
        // `start` for `len` elements, or splats) and whose one live-out is the output,
        // contiguous for `len` elements from `start` (the caller checked: no strided input,
        // a contiguous sink, a whole-program segment, so no register is involved).
        unsafe { run_units(run, native, frame, args) };
        if let Some(p) = run.progress {
            p.fetch_add(len as u64, Ordering::Relaxed);
        }
        start += len;
    }
    Ok(())
}

/// The blocks of `lo..hi`, one after another.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn blocks(
    run: &Run<'_>,
    frame: &mut Frame<'_>,
    moving: &[Moving],
    strided: &[(usize, &StridedView<'_>)],
    args: &mut Vec<*mut u8>,
    lo: usize,
    hi: usize,
    sink: &mut Sink<'_, '_>,
) -> Result<(), Error> {
    let steps = run.exe.steps();
    let out = run.exe.layout().output() as usize;
    let reduce_arg = run
        .prog()
        .reduction
        .map(|r| run.exe.layout().operand(r.arg));
    if let Sink::Reduce(folds, accs) = sink
        && (folds.len() != accs.len()
            || folds
                .iter()
                .any(|f| Some(f.arg) != run.prog().reduction.map(|r| r.arg)))
    {
        return Err(internal(
            "the folds of a pass do not fold the program's argument",
        ));
    }
    let mut start = lo;
    // Elements done since the progress counter was last advanced (shared by the threads,
    // so it is touched once per PROGRESS_STEP elements, not once per block).
    let mut unreported = 0;
    while start < hi {
        run.cancelled()?;
        if unreported >= PROGRESS_STEP
            && let Some(p) = run.progress
        {
            p.fetch_add(unreported as u64, Ordering::Relaxed);
            unreported = 0;
        }
        let valid = run.block.min(hi - start);
        unreported += valid;
        frame.len = valid;
        for m in moving {
            frame.slots[m.slot].ptr = m.base.wrapping_add((start - m.from) * m.size);
        }
        for &(slot, view) in strided {
            // SAFETY: `bind` pointed the slot at this input's gather buffer of its dtype with
            // room for a block, and no kernel runs meanwhile.
            unsafe { gather_into(frame.slots[slot], view, start, valid) };
        }
        match run.native.as_deref() {
            None => {
                for (step, kernel) in steps.iter().zip(run.kernels) {
                    // SAFETY: the kernels come from the table of a `SupportedIsa`, so the CPU
                    // runs them; the steps are the validated program's, and the frame holds
                    // its operands with their dtypes and at least `valid` elements
                    // (`Run::bind`, the loop above).
                    unsafe { kernel(step, frame) };
                }
            }
            // SAFETY: as above; the schedule was made for this run (`Run::new`).
            Some(native) => unsafe { run_units(run, native, frame, args) },
        }
        match sink {
            Sink::Contiguous(_) => {}
            Sink::Strided(o) => {
                // SAFETY: the output slot is the run's `temp` buffer of the program's dtype,
                // which the last step has just written (`valid` elements); the output's dtype
                // is the program's (`run_elementwise` checked it).
                unsafe { scatter_from(frame.slots[out], o, start, valid) };
            }
            Sink::Reduce(folds, accs) => {
                let (Some(arg), block) = (reduce_arg, (start - lo) / run.block) else {
                    return Err(internal("a reduction program without a reduction"));
                };
                for (r, acc) in folds.iter().zip(accs.iter_mut()) {
                    // SAFETY: every fold reads the program's reduction operand (checked
                    // above), which has the reduction's dtype (`Program::validate`), so its
                    // slot holds it.
                    if !unsafe { reduce::step(r, frame, arg, block, start, acc) } {
                        return Err(internal(&format!(
                            "the accumulator of the reduction (instruction {}) is not {}",
                            steps.len(),
                            r.dtype
                        )));
                    }
                }
            }
        }
        start += run.block;
    }
    if let Some(p) = run.progress {
        p.fetch_add(unreported as u64, Ordering::Relaxed);
    }
    Ok(())
}

/// Elements between two updates of a run's progress counter.
const PROGRESS_STEP: usize = 1 << 16;

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
pub(super) struct Handoff<T>(Mutex<Option<T>>);

impl<T> Handoff<T> {
    pub(super) fn new(v: Option<T>) -> Handoff<T> {
        Handoff(Mutex::new(v))
    }
    pub(super) fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
    pub(super) fn put(&self, v: T) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(v);
    }
}

/// Run an element-wise program over `shape`, writing every element of `target` (whose dtype
/// must be the program's).
pub(crate) fn run_elementwise(
    exe: &Executable,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    target: Target<'_>,
    options: &Options<'_>,
) -> Result<(), Error> {
    let prog = exe.program();
    let dtype = match &target {
        Target::Contiguous(c) => c.dtype(),
        Target::Strided(a) => a.dtype(),
    };
    if prog.reduction.is_some() || dtype != prog.dtype {
        return Err(internal("the output does not have the program's dtype"));
    }
    let run = Run::new(exe, inputs, shape, options)?;
    let per = run.blocks_per_piece() * run.block;
    match target {
        // A strided output is written by one thread: its blocks are not slices of it.
        Target::Strided(mut out) => run.piece(0, run.n, Sink::Strided(&mut out)),
        Target::Contiguous(out) if out.len() != run.n => {
            Err(internal("the output does not have the result's size"))
        }
        Target::Contiguous(out) if per == 0 => run.piece(0, run.n, Sink::Contiguous(out)),
        Target::Contiguous(out) => run.pieces(out, 0, run.n, per),
    }
}

impl Run<'_> {
    /// Elements `lo..hi` into `out` (their output elements), in pieces of `per` elements
    /// shared among the run's threads.
    pub(super) fn pieces(
        &self,
        out: ColumnMut<'_>,
        lo: usize,
        hi: usize,
        per: usize,
    ) -> Result<(), Error> {
        let slots: Vec<Handoff<ColumnMut<'_>>> = out
            .split(per)
            .into_iter()
            .map(|c| Handoff::new(Some(c)))
            .collect();
        crate::pool::run(self.threads, slots.len(), &|k| {
            let out = slots[k]
                .take()
                .ok_or_else(|| internal("a piece ran twice"))?;
            let start = lo + k * per;
            self.piece(start, (start + per).min(hi), Sink::Contiguous(out))
        })
    }
}

/// Run a reduction program over `shape`, writing the reduced result into `out` (its shape
/// is the reduced shape, already checked).
pub(crate) fn run_reduction(
    exe: &Executable,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    out: ArrayMut<'_>,
    options: &Options<'_>,
) -> Result<(), Error> {
    let r = exe
        .program()
        .reduction
        .ok_or_else(|| internal("not a reduction program"))?;
    run_folds(exe, inputs, shape, vec![(r.op, out)], options)
}

/// Run a reduction program over `shape` once, folding its reduction's argument with each
/// `(op, out)` in the same pass (the program's own op among them, or not): `min(x)` and
/// `max(x)` read `x` once. Each `out` has the reduced shape (already checked), and each fold
/// must be one the program's argument dtype has (the caller compiled it with that op).
///
/// A full reduction is split into pieces of whole blocks; each keeps one partial per block,
/// and the partials are combined in block order, so the result is the same for any number of
/// threads. A reduction along an axis is split by rows of the axes before it (each piece owns
/// its output elements, folded in element order: also the same for any number of threads);
/// when there is only one such row it runs on one thread.
pub(crate) fn run_folds(
    exe: &Executable,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    outs: Vec<(ReduceOp, ArrayMut<'_>)>,
    options: &Options<'_>,
) -> Result<(), Error> {
    let base = exe
        .program()
        .reduction
        .ok_or_else(|| internal("not a reduction program"))?;
    if outs.iter().any(|&(op, _)| !op.is_fold()) {
        return Err(internal("only folds share a pass"));
    }
    let folds: Vec<Reduction> = outs
        .iter()
        .map(|&(op, _)| Reduction { op, ..base })
        .collect();
    let run = Run::new(exe, inputs, shape, options)?;
    let pieces_accs = |pieces: usize,
                       new: &(dyn Fn(usize, &Reduction) -> Result<Accumulator, Error> + Sync),
                       range: &(dyn Fn(usize) -> (usize, usize) + Sync)|
     -> Result<Vec<Accumulator>, Error> {
        let slots: Vec<Handoff<Vec<Accumulator>>> =
            (0..pieces).map(|_| Handoff::new(None)).collect();
        crate::pool::run(run.threads, pieces, &|k| {
            let mut accs = folds
                .iter()
                .map(|r| new(k, r))
                .collect::<Result<Vec<_>, Error>>()?;
            let (lo, hi) = range(k);
            run.piece(lo, hi, Sink::Reduce(&folds, &mut accs))?;
            slots[k].put(accs);
            Ok(())
        })?;
        // Piece-major to fold-major, each fold's pieces in order.
        let mut per_fold: Vec<Vec<Accumulator>> = folds.iter().map(|_| Vec::new()).collect();
        for accs in slots.iter().map(Handoff::take) {
            let accs = accs.ok_or_else(|| internal("a reduction piece is missing"))?;
            for (fold, acc) in per_fold.iter_mut().zip(accs) {
                fold.push(acc);
            }
        }
        per_fold
            .into_iter()
            .map(|pieces| {
                reduce::concat(pieces.into_iter())
                    .ok_or_else(|| internal("a reduction piece is missing"))
            })
            .collect()
    };
    let accs = match reduce::normalized_axis(base.axis, shape.len()) {
        None => {
            let per_blocks = match run.blocks_per_piece() {
                0 => run.blocks().max(1),
                p => p,
            };
            let per = per_blocks * run.block;
            let pieces = run.n.div_ceil(per).max(1);
            let range = |k: usize| (k * per, (k * per + per).min(run.n));
            pieces_accs(
                pieces,
                &|k, r| {
                    let (lo, hi) = range(k);
                    reduce::partials(r, hi.saturating_sub(lo).div_ceil(run.block))
                },
                &range,
            )?
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
            let bounds = |k: usize| (k * rows, ((k + 1) * rows).min(outer));
            pieces_accs(
                pieces,
                &|k, r| {
                    let (r0, r1) = bounds(k);
                    reduce::rows(r, shape, axis, r0, r1)
                },
                &|k| {
                    let (r0, r1) = bounds(k);
                    (r0 * row, (r1 * row).min(run.n))
                },
            )?
        }
    };
    for ((r, acc), (_, out)) in folds.iter().zip(accs).zip(outs) {
        finish(r, acc, out)?;
    }
    Ok(())
}

/// Write a reduction's accumulated values into `out`.
fn finish(r: &Reduction, acc: Accumulator, out: ArrayMut<'_>) -> Result<(), Error> {
    fn typed<T: Fold>(op: ReduceOp, acc: Accumulator, mut out: ArrayMut<'_>) -> bool {
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
