//! Evaluation of compiled programs.
//!
//! In: a [`Program`] (validated when it becomes an [`Executable`]), the caller's inputs with
//! the broadcast shape the shape pass computed (`hir::shape`, where every shape and axis error
//! is reported), a destination, and [`Options`]. Out: the result, written in place or in a new
//! [`Array`].
//!
//! - [`block`]: the block loop that runs a program over the broadcast shape;
//! - [`frame`]: the flat frame, a pointer per operand per block, which kernels read;
//! - [`kernels`]: one kernel per instruction and per ISA (element functions in
//!   `kernels::elem`, `kernels::complex`, transcendental lane functions in [`math`]);
//! - [`isa`]: which instruction sets this CPU runs, chosen once at run time;
//! - `native` (feature `jit`): element-wise segments compiled to machine code with Cranelift;
//! - [`reference`]: the plain whole-array evaluator of the HIR, the oracle the VM is tested
//!   against; it shares no code with the kernels.

pub(crate) mod block;
pub(crate) mod frame;
pub(crate) mod isa;
pub(crate) mod kernels;
pub(crate) mod math;
#[cfg(feature = "jit")]
pub(crate) mod native;
pub(crate) mod reference;
pub(crate) mod setting;
pub(crate) mod strided;
pub(crate) mod tier;
pub(crate) mod value;
pub(crate) mod windows;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::array::alloc::{array_of, elements, shape_overflow, uninit_vec, zeros};
use crate::array::{Array, ArrayMut, ArrayRef, BytesArray};
use crate::bytecode::Program;
use crate::dtype::DType;
use crate::error::Error;
use crate::hir::ReduceOp;
use block::Target;
use frame::{Layout, Step};
use isa::SupportedIsa;
use kernels::Kernel;
use math::Precision;
use tier::{Jit, Native};
use value::{ColumnMut, c128, writable};

/// How to run one evaluation: the instruction set (a proof that the CPU runs it), the
/// threads, cancellation, and the block length and parallel threshold for measurements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Options<'a> {
    isa: SupportedIsa,
    threads: Option<usize>,
    cancel: Option<&'a AtomicBool>,
    progress: Option<&'a AtomicU64>,
    precision: Precision,
    jit: Jit,
    block_len: Option<usize>,
    parallel_min: Option<usize>,
}

impl<'a> Options<'a> {
    /// Run with `isa`'s kernels on the global number of threads.
    pub(crate) fn new(isa: SupportedIsa) -> Options<'a> {
        Options {
            isa,
            threads: None,
            cancel: None,
            progress: None,
            precision: Precision::High,
            jit: Jit::Off,
            block_len: None,
            parallel_min: None,
        }
    }

    /// On the calling thread only, with the defaults for everything else (constant folding
    /// and tests).
    pub(crate) fn serial(isa: SupportedIsa) -> Options<'a> {
        Options::new(isa).threads(Some(1))
    }

    /// At most this many threads (`None`: the global setting).
    pub(crate) fn threads(mut self, n: Option<usize>) -> Options<'a> {
        self.threads = n.map(|n| n.max(1));
        self
    }

    /// Stop with a `Cancelled` error once `flag` is set (checked between blocks).
    pub(crate) fn cancel(mut self, flag: Option<&'a AtomicBool>) -> Options<'a> {
        self.cancel = flag;
        self
    }

    /// Advance `counter` by the number of elements evaluated, as the run goes.
    pub(crate) fn progress(mut self, counter: Option<&'a AtomicU64>) -> Options<'a> {
        self.progress = counter;
        self
    }

    /// Compute the transcendental functions at `precision`.
    pub(crate) fn precision(mut self, precision: Precision) -> Options<'a> {
        self.precision = precision;
        self
    }

    /// When to run the program's element-wise segments as native code (`Off`: never, the
    /// default here; the API passes the caller's choice).
    pub(crate) fn jit(mut self, jit: Jit) -> Options<'a> {
        self.jit = jit;
        self
    }

    /// Elements per block instead of [`block::BLOCK_LEN`].
    pub(crate) fn block_len(mut self, n: Option<usize>) -> Options<'a> {
        self.block_len = n.map(|n| n.max(1));
        self
    }

    /// Use the pool from this many elements on, instead of [`block::PARALLEL_MIN`].
    pub(crate) fn parallel_min(mut self, n: Option<usize>) -> Options<'a> {
        self.parallel_min = n;
        self
    }
}

/// One native cache line: the ISA, which inputs are splats, and the schedule (`None`: nothing
/// to compile, or the compile failed).
type NativeEntry = (SupportedIsa, Box<[bool]>, Option<Arc<Native>>);

/// A validated program ready to run: its steps (instructions over frame slots) and, per
/// instruction set and precision, its kernels, resolved on first use. Immutable and shared by every thread
/// that runs it.
#[derive(Debug)]
pub(crate) struct Executable {
    program: Program,
    layout: Layout,
    steps: Box<[Step]>,
    kernels: [[OnceLock<Box<[Kernel]>>; 2]; 3],
    /// Native schedules by (ISA, which inputs are splats); `None` for a layout that has no
    /// native code or failed to compile. Compiled under the lock, so once.
    native: Mutex<Vec<NativeEntry>>,
    /// Elements run so far, for tiering up.
    work: AtomicU64,
}

impl Clone for Executable {
    /// The same program; kernel tables and native code are made again on first use.
    fn clone(&self) -> Executable {
        Executable {
            program: self.program.clone(),
            layout: self.layout,
            steps: self.steps.clone(),
            kernels: Default::default(),
            native: Mutex::default(),
            work: AtomicU64::new(0),
        }
    }
}

impl Executable {
    /// `program`, validated (an `Internal` error names the first broken invariant).
    pub(crate) fn new(program: Program) -> Result<Executable, Error> {
        program.validate()?;
        let layout = Layout::of(&program);
        let steps = program
            .instrs
            .iter()
            .map(|i| Step::new(i, layout))
            .collect();
        Ok(Executable {
            program,
            layout,
            steps,
            kernels: Default::default(),
            native: Mutex::default(),
            work: AtomicU64::new(0),
        })
    }

    /// The bytecode.
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }

    /// The slot numbering of the program's operands.
    pub(crate) fn layout(&self) -> Layout {
        self.layout
    }

    /// The instructions as the kernels take them.
    pub(crate) fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The kernels of the steps, compiled for `isa`, with the transcendental functions at
    /// `precision` (chosen here, once per program: nothing per element).
    pub(crate) fn kernels(&self, isa: SupportedIsa, precision: Precision) -> &[Kernel] {
        self.kernels[isa.kind() as usize][precision as usize].get_or_init(|| {
            self.steps
                .iter()
                .map(|s| kernels::kernel_at(isa, s.op, precision))
                .collect()
        })
    }

    /// The native schedule to run `n` more elements with under `jit`, for `isa` with input `k`
    /// a splat where `splat[k]`, compiling it if this is the first time it is wanted.
    pub(crate) fn native(
        &self,
        jit: Jit,
        isa: SupportedIsa,
        splat: &[bool],
        n: usize,
    ) -> Option<Arc<Native>> {
        let wanted = match jit {
            Jit::Off => false,
            Jit::Always => true,
            Jit::Auto => {
                let before = self.work.fetch_add(n as u64, Ordering::Relaxed);
                before.saturating_add(n as u64) >= tier::TIER_UP
            }
        };
        if !wanted || !tier::BUILT {
            return None;
        }
        let mut cache = self.native.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, _, made)) = cache.iter().find(|(i, s, _)| *i == isa && **s == *splat) {
            return made.clone();
        }
        #[cfg(feature = "jit")]
        let made = match tier::compile(&self.program, self.layout, isa, splat) {
            Ok(native) => native.map(Arc::new),
            Err(e) => {
                tier::report_failure(&e);
                None
            }
        };
        #[cfg(not(feature = "jit"))]
        let made = None;
        cache.push((isa, splat.into(), made.clone()));
        made
    }

    /// Run over `shape` (the broadcast shape of the inputs) into `out`, whose shape is
    /// `shape` for an element-wise program and the reduced shape for a reduction, and whose
    /// dtype is the program's.
    pub(crate) fn run_into(
        &self,
        inputs: &[ArrayRef<'_>],
        shape: &[usize],
        out: ArrayMut<'_>,
        options: &Options<'_>,
    ) -> Result<(), Error> {
        if self.program.reduction.is_some() {
            block::run_reduction(self, inputs, shape, out, options)
        } else {
            block::run_elementwise(self, inputs, shape, target(out), options)
        }
    }

    /// Run a reduction program once, folding its argument with each of `folds` (an op and
    /// the reduced shape of its result) in the same pass: a new array for each. Each op must
    /// be one the program's argument dtype has, as a program compiled with it would fold.
    pub(crate) fn run_folds(
        &self,
        inputs: &[ArrayRef<'_>],
        shape: &[usize],
        folds: &[(ReduceOp, &[usize])],
        options: &Options<'_>,
    ) -> Result<Vec<Array>, Error> {
        let mut outs = folds
            .iter()
            .map(|&(_, out_shape)| zeros(self.program.dtype, out_shape))
            .collect::<Result<Vec<Array>, Error>>()?;
        let targets = folds
            .iter()
            .zip(outs.iter_mut())
            .map(|(&(op, _), out)| (op, out.view_mut()))
            .collect();
        block::run_folds(self, inputs, shape, targets, options)?;
        Ok(outs)
    }

    /// Run into a new array of shape `out_shape`.
    pub(crate) fn run(
        &self,
        inputs: &[ArrayRef<'_>],
        shape: &[usize],
        out_shape: &[usize],
        options: &Options<'_>,
    ) -> Result<Array, Error> {
        let prog = &self.program;
        if prog.reduction.is_some() {
            let mut out = zeros(prog.dtype, out_shape)?;
            self.run_into(inputs, shape, out.view_mut(), options)?;
            return Ok(out);
        }
        // An element-wise result is written into fresh, uninitialised memory: zeroing it first
        // would cost a full pass over the output.
        let n = elements(out_shape)?;
        macro_rules! fresh {
            ($t:ty, $col:ident, $arr:ident) => {{
                let mut v = uninit_vec::<$t>(n)?;
                let target = Target::Contiguous(ColumnMut::$col(&mut v.spare_capacity_mut()[..n]));
                block::run_elementwise(self, inputs, shape, target, options)?;
                // SAFETY: the run returned Ok, so it wrote all `n` elements: its pieces cover
                // `0..n` (`run_elementwise` checked the target's length), and every block of a
                // piece runs every step, the last of which writes each of the block's
                // elements (kernels write their whole destination).
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
                let bytes = n.checked_mul(w).ok_or_else(shape_overflow)?;
                let mut v = uninit_vec::<u8>(bytes)?;
                let target =
                    Target::Contiguous(ColumnMut::Bytes(&mut v.spare_capacity_mut()[..bytes], w));
                block::run_elementwise(self, inputs, shape, target, options)?;
                // SAFETY: as above, every byte of every element was written.
                unsafe { v.set_len(bytes) };
                let mut full = out_shape.to_vec();
                full.push(w);
                Array::Bytes(BytesArray::from_raw(array_of(&full, v)?)?)
            }
        })
    }
}

/// A contiguous target when the view is C-contiguous, else a strided one.
pub(crate) fn target(out: ArrayMut<'_>) -> Target<'_> {
    fn contiguous<'a, T>(
        v: ndarray::ArrayViewMutD<'a, T>,
        wrap: fn(&'a mut [std::mem::MaybeUninit<T>]) -> ColumnMut<'a>,
        keep: fn(ndarray::ArrayViewMutD<'a, T>) -> ArrayMut<'a>,
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
        ArrayMut::Bool(v) => contiguous(v, ColumnMut::Bool, ArrayMut::Bool),
        ArrayMut::Int32(v) => contiguous(v, ColumnMut::I32, ArrayMut::Int32),
        ArrayMut::Int64(v) => contiguous(v, ColumnMut::I64, ArrayMut::Int64),
        ArrayMut::Float32(v) => contiguous(v, ColumnMut::F32, ArrayMut::Float32),
        ArrayMut::Float64(v) => contiguous(v, ColumnMut::F64, ArrayMut::Float64),
        ArrayMut::Complex128(v) => contiguous(v, ColumnMut::C128, ArrayMut::Complex128),
        ArrayMut::Bytes(v) => {
            let w = v.shape().last().copied().unwrap_or(1);
            if !v.is_standard_layout() {
                return Target::Strided(ArrayMut::Bytes(v));
            }
            match v.into_slice() {
                // SAFETY: as above.
                Some(s) => Target::Contiguous(ColumnMut::Bytes(unsafe { writable(s) }, w)),
                None => Target::Contiguous(ColumnMut::Bytes(&mut [], w)),
            }
        }
    }
}
