//! The public entry points: [`evaluate`], [`compile`] + [`Compiled::run`], [`evaluate_into`],
//! the variable set [`Vars`] with its [`Signature`], and [`variables`] (the names an expression
//! reads).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};

use bumpalo::Bump;

mod variables;
mod vars;

pub use variables::variables;
pub use vars::{Input, InputElement, Vars};

use crate::array::alloc::zeros;
use crate::array::mapping::MapRef;
use crate::array::{Array, ArrayMut, ArrayRef, Output};
use crate::compile::{Phase, Source, compile as compile_program, plan};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::hir::{self, Hir, ReduceOp, Signature};
use crate::syntax;
use crate::vm::isa::SupportedIsa;
use crate::vm::math::{Precision, get_precision};
use crate::vm::tier::{self, Jit, get_jit};
use crate::vm::{self, Executable};

/// A compiled expression: compile once, [`run`](Compiled::run) many times.
///
/// It is immutable, `Send` and `Sync`: any number of threads may run it at once. Its
/// `Display` is the disassembly of its bytecode (what `vexpr dis` prints).
///
/// ```
/// use vexpr::{DType, Signature, Vars};
/// let sig = Signature::new().with("a", DType::Float64).with("b", DType::Float64);
/// let prog = vexpr::compile("a*b + 1", &sig)?;
/// assert_eq!(prog.dtype(), DType::Float64);
/// for n in [3, 5] {
///     let a = ndarray::Array1::<f64>::ones(n);
///     let out = prog.run(&Vars::new().with("a", &a).with("b", &a))?;
///     assert_eq!(out.shape(), &[n]);
/// }
/// assert!(prog.to_string().contains("mul.f64"));
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The typed expression: input slots, shape checks, and the reference evaluator's input.
    hir: Hir,
    /// The optimised bytecode of the last phase (the only one, without inner reductions).
    exe: Executable,
    /// The phases that run before it, and the inputs of every phase; `None` for an
    /// expression that is one phase reading the variables in order.
    staged: Option<Arc<Staged>>,
}

/// The phases of an expression with reductions inside it (`compile::plan`).
#[derive(Debug)]
struct Staged {
    /// The phases before the last.
    before: Vec<Stage>,
    /// The last phase's expression (its program is [`Compiled::exe`]).
    last: Hir,
    /// Where the last phase's inputs come from.
    last_sources: Vec<Source>,
}

/// One phase before the last.
#[derive(Debug)]
struct Stage {
    /// Its expression, for its shapes.
    hir: Hir,
    /// Where its inputs come from.
    sources: Vec<Source>,
    /// Its program.
    exe: Executable,
    /// Later phases that fold the same values in this phase's pass (`max(x)` beside
    /// `min(x)`), and for such a later phase, the phase whose pass computes it.
    partners: Vec<usize>,
    in_pass_of: Option<usize>,
}

/// Options for one evaluation ([`Compiled::run_with`]).
///
/// ```
/// use std::sync::atomic::AtomicBool;
/// let stop = AtomicBool::new(false);
/// let options = vexpr::RunOptions::new().threads(1).cancel(&stop);
/// let x = [1.0, 2.0];
/// let sig = vexpr::Signature::new().with("x", vexpr::DType::Float64);
/// let out = vexpr::compile("x * 2", &sig)?.run_with(&vexpr::Vars::new().with("x", &x), &options)?;
/// assert_eq!(out.into_f64()?.as_slice(), Some(&[2.0, 4.0][..]));
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions<'a> {
    threads: Option<usize>,
    cancel: Option<&'a AtomicBool>,
    progress: Option<&'a AtomicU64>,
    window: Option<usize>,
    precision: Option<Precision>,
    jit: Option<Jit>,
    engine: Engine,
    block_len: Option<usize>,
    parallel_min: Option<usize>,
}

/// Which evaluator runs an expression: for tests that compare them.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// The VM with the best instruction set of this CPU (or `VEXPR_ISA`).
    #[default]
    Vm,
    /// The VM with the named instruction set (`baseline`, `avx2`, `avx512`); an error when
    /// this CPU lacks it.
    VmWith(&'static str),
    /// The plain reference evaluator.
    Reference,
}

impl<'a> RunOptions<'a> {
    /// The defaults: the global thread count, no cancellation.
    pub fn new() -> RunOptions<'a> {
        RunOptions::default()
    }

    /// Use at most `n` threads for this call (1 runs on the calling thread only).
    pub fn threads(mut self, n: usize) -> RunOptions<'a> {
        self.threads = Some(n.max(1));
        self
    }

    /// Stop as soon as `flag` is set (checked between blocks): the call then returns an
    /// [`ErrorKind::Cancelled`] error and the output holds no result.
    pub fn cancel(mut self, flag: &'a AtomicBool) -> RunOptions<'a> {
        self.cancel = Some(flag);
        self
    }

    /// Add the number of elements evaluated to `counter` as the evaluation goes (every 64 Ki
    /// elements or so), for a progress display: another thread reads it. It counts the
    /// elements of the broadcast shape (of the operand, for a reduction).
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let done = AtomicU64::new(0);
    /// let x = vec![1.0; 300_000];
    /// let sig = vexpr::Signature::new().with("x", vexpr::DType::Float64);
    /// let options = vexpr::RunOptions::new().progress(&done);
    /// vexpr::compile("sum(x)", &sig)?.run_with(&vexpr::Vars::new().with("x", &x), &options)?;
    /// assert_eq!(done.load(Ordering::Relaxed), 300_000);
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn progress(mut self, counter: &'a AtomicU64) -> RunOptions<'a> {
        self.progress = Some(counter);
        self
    }

    /// Evaluate `n` elements at a time (whole blocks), as for memory-mapped files, instead
    /// of only when a [`MappedArray`](crate::npy::MappedArray) or
    /// [`MappedOutput`](crate::npy::MappedOutput) takes part (for tests).
    #[doc(hidden)]
    pub fn window(mut self, n: usize) -> RunOptions<'a> {
        self.window = Some(n.max(1));
        self
    }

    /// Compute the transcendental functions at `precision` for this call, instead of the
    /// process-wide [`get_precision`](crate::get_precision).
    ///
    /// ```
    /// use vexpr::{Precision, RunOptions, Vars};
    /// let x = [0.5, 1.5];
    /// let vars = Vars::new().with("x", &x[..]);
    /// let fast = RunOptions::new().precision(Precision::Fast);
    /// let out = vexpr::compile("exp(x)", &vars.signature())?.run_with(&vars, &fast)?;
    /// let out = out.into_f64()?;
    /// assert!((out[[1]] - 1.5f64.exp()).abs() <= 4.0 * f64::EPSILON * 1.5f64.exp());
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn precision(mut self, precision: Precision) -> RunOptions<'a> {
        self.precision = Some(precision);
        self
    }

    /// When the native tier compiles this program's element-wise segments, for this call,
    /// instead of the process-wide [`get_jit`](crate::get_jit). Results are the same bits
    /// either way; only the speed differs.
    ///
    /// ```
    /// use vexpr::{Jit, RunOptions, Vars};
    /// let x = [1.0, 2.0, 3.0];
    /// let vars = Vars::new().with("x", &x[..]);
    /// let prog = vexpr::compile("x * 2 + 1", &vars.signature())?;
    /// let native = prog.run_with(&vars, &RunOptions::new().jit(Jit::Always))?;
    /// let interpreted = prog.run_with(&vars, &RunOptions::new().jit(Jit::Off))?;
    /// assert_eq!(native, interpreted);
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn jit(mut self, jit: Jit) -> RunOptions<'a> {
        self.jit = Some(jit);
        self
    }

    /// Choose the evaluator (for differential tests).
    #[doc(hidden)]
    pub fn engine(mut self, engine: Engine) -> RunOptions<'a> {
        self.engine = engine;
        self
    }

    /// Elements per block instead of the VM's choice (rounded up to a multiple of 64), for
    /// the block-size benchmark.
    #[doc(hidden)]
    pub fn block_len(mut self, n: usize) -> RunOptions<'a> {
        self.block_len = Some(n.clamp(64, 1 << 20).next_multiple_of(64));
        self
    }

    /// Use the worker pool from `n` elements on instead of the VM's threshold (tests use 0
    /// to run small arrays on several threads).
    #[doc(hidden)]
    pub fn parallel_min(mut self, n: usize) -> RunOptions<'a> {
        self.parallel_min = Some(n);
        self
    }
}

/// Elements per window when mapped files take part: a few MiB per array, so the pages
/// in use at once stay a few tens of MiB whatever the files' size.
const WINDOW: usize = 1 << 20;

/// The name of the instruction set the VM uses on this machine (`baseline`, `avx2`,
/// `avx512`): the best the CPU supports, unless `VEXPR_ISA` names another one it supports.
///
/// ```
/// assert!(["baseline", "avx2", "avx512"].contains(&vexpr::active_isa()));
/// ```
pub fn active_isa() -> &'static str {
    SupportedIsa::detect().name()
}

/// Parse, type, optimise and compile `expr` against the variables in `sig`.
///
/// Every error the expression can cause without data (syntax, unknown names, types, axes of
/// known rank) is reported here, with the span of the culprit; shapes are checked when the
/// program runs.
///
/// ```
/// use vexpr::{DType, ErrorKind, Signature, Vars};
/// let sig = Signature::new().with("x", DType::Float32).with("n", DType::Int32);
/// let prog = vexpr::compile("x * n", &sig)?;
/// assert_eq!(prog.dtype(), DType::Float32); // numexpr's rule: int32 * float32 is float32
/// assert_eq!(prog.inputs().collect::<Vec<_>>(), [("x", DType::Float32), ("n", DType::Int32)]);
/// let out = prog.run(&Vars::new().with("x", &[1.5f32, 2.0][..]).with("n", 2))?;
/// assert_eq!(out.into_f32()?.as_slice(), Some(&[3.0f32, 4.0][..]));
///
/// let err = vexpr::compile("x + y", &sig).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownVariable);
/// assert_eq!(err.span().map(|s| s.start..s.end), Some(4..5));
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn compile(expr: &str, sig: &Signature) -> Result<Compiled, Error> {
    let source: Arc<str> = Arc::from(expr);
    let arena = Bump::new();
    let compile = || {
        let ast = syntax::parse(&source, &arena)?;
        let hir = hir::lower(ast, &source, sig)?;
        let plan = plan(&hir, &fold_constant)?;
        let single = plan.is_single();
        let mut phases = plan.phases;
        let Some(Phase {
            hir: last,
            sources: last_sources,
            program,
        }) = phases.pop()
        else {
            return Err(Error::new(ErrorKind::Internal, "a plan without phases"));
        };
        let exe = Executable::new(program)?;
        let staged = if single {
            None
        } else {
            let mut before = phases
                .into_iter()
                .map(|p| {
                    Ok(Stage {
                        hir: p.hir,
                        sources: p.sources,
                        exe: Executable::new(p.program)?,
                        partners: Vec::new(),
                        in_pass_of: None,
                    })
                })
                .collect::<Result<Vec<_>, Error>>()?;
            share_passes(&mut before);
            Some(Arc::new(Staged {
                before,
                last,
                last_sources,
            }))
        };
        Ok(Compiled { hir, exe, staged })
    };
    compile().map_err(|e: Error| e.with_source(&source))
}

/// Let a phase fold the values of later phases that reduce the same values in another way
/// (`min(x)` and `max(x)`): the same program but for the fold, reading the same inputs. The
/// later phase is then computed in the earlier one's pass and reads nothing again.
fn share_passes(stages: &mut [Stage]) {
    for k in 1..stages.len() {
        let host = (0..k).find(|&j| {
            stages[j].in_pass_of.is_none()
                && stages[j].sources == stages[k].sources
                && (stages[j].exe.program()).folds_same_pass(stages[k].exe.program())
        });
        if let Some(j) = host {
            stages[j].partners.push(k);
            stages[k].in_pass_of = Some(j);
        }
    }
}

/// The fold of a reduction phase's program.
fn fold_op(stage: &Stage) -> Result<ReduceOp, Error> {
    stage.exe.program().reduction.map(|r| r.op).ok_or_else(|| {
        Error::new(
            ErrorKind::Internal,
            "a shared pass of a phase without a fold",
        )
    })
}

/// The value of a constant-only HIR, computed by the VM as it would be at run time.
fn fold_constant(tiny: &Hir) -> Result<Scalar, Error> {
    let exe = Executable::new(compile_program(tiny)?)?;
    let options = vm::Options::serial(SupportedIsa::detect());
    let value = exe.run(&[], &[], &[], &options)?;
    value
        .to_scalar()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "a folded constant is not a scalar"))
}

impl Compiled {
    /// Evaluate with `vars`, which must have the compiled dtypes (shapes may change).
    pub fn run(&self, vars: &Vars<'_>) -> Result<Array, Error> {
        self.run_with(vars, &RunOptions::default())
    }

    /// Evaluate with `vars` and `options`.
    pub fn run_with(&self, vars: &Vars<'_>, options: &RunOptions<'_>) -> Result<Array, Error> {
        self.execute(vars, options, None)
            .map_err(|e| e.with_source(&self.hir.source))?
            .ok_or_else(|| Error::new(ErrorKind::Internal, "no result"))
    }

    /// Evaluate with `vars` into `out`, which must have the result's shape and a dtype the
    /// result converts to safely (the same kind, or a higher rank). An error found before
    /// evaluating (shapes, dtypes) leaves `out` untouched; an evaluation stopped half way
    /// (cancelled) leaves NaN in a float `out` and zeros in others, never a partial result.
    pub fn run_into(&self, vars: &Vars<'_>, out: Output<'_>) -> Result<(), Error> {
        self.run_into_with(vars, out, &RunOptions::default())
    }

    /// [`run_into`](Compiled::run_into) with `options`.
    pub fn run_into_with(
        &self,
        vars: &Vars<'_>,
        out: Output<'_>,
        options: &RunOptions<'_>,
    ) -> Result<(), Error> {
        self.execute(vars, options, Some(out))
            .map(|_| ())
            .map_err(|e| e.with_source(&self.hir.source))
    }

    /// The shape of the result for `vars` (their shapes broadcast, then reduced along the
    /// axis of a reduction), found without evaluating: a shape error is reported here as
    /// [`run`](Compiled::run) would report it.
    ///
    /// ```
    /// use vexpr::{DType, Signature, Vars};
    /// let sig = Signature::new().with("a", DType::Float64).with("b", DType::Float64);
    /// let (a, b) = (ndarray::Array2::<f64>::zeros((3, 4)), [1.0, 2.0, 3.0, 4.0]);
    /// let vars = Vars::new().with("a", &a).with("b", &b);
    /// assert_eq!(vexpr::compile("a * b", &sig)?.shape(&vars)?, [3, 4]);
    /// assert_eq!(vexpr::compile("sum(a * b, axis=0)", &sig)?.shape(&vars)?, [4]);
    /// assert!(vexpr::compile("a * b", &sig)?.shape(&Vars::new().with("a", &a).with("b", &a.t())).is_err());
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    pub fn shape(&self, vars: &Vars<'_>) -> Result<Vec<usize>, Error> {
        let find = || {
            let inputs = self.bind(vars)?;
            let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
            hir::shape::result(&self.hir, &shapes).map(|(_, result)| result)
        };
        find().map_err(|e| e.with_source(&self.hir.source))
    }

    /// The result dtype.
    pub fn dtype(&self) -> DType {
        self.hir.dtype()
    }

    /// The typed expression before optimisation (what the reference evaluator runs), for the
    /// differential tests in `fuzz_entry`.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn hir(&self) -> &Hir {
        &self.hir
    }

    /// The names and dtypes of the variables the expression reads, in first-use order.
    pub fn inputs(&self) -> impl Iterator<Item = (&str, DType)> + '_ {
        self.hir.inputs.iter().map(|s| (s.name.as_str(), s.dtype))
    }

    /// Bind, check shapes, and run; writes `out` when given, else returns a new array.
    fn execute(
        &self,
        vars: &Vars<'_>,
        options: &RunOptions<'_>,
        out: Option<Output<'_>>,
    ) -> Result<Option<Array>, Error> {
        let inputs = self.bind(vars)?;
        let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
        let (broadcast, result) = hir::shape::result(&self.hir, &shapes)?;
        if let Some(out) = &out {
            out.check(self.dtype(), &result)?;
        }
        let isa = match options.engine {
            Engine::Reference => {
                let result = vm::reference::evaluate(&self.hir, &inputs)?;
                return match out {
                    Some(out) => out.assign(result).map(|()| None),
                    None => Ok(Some(result)),
                };
            }
            Engine::Vm => SupportedIsa::detect(),
            Engine::VmWith(name) => SupportedIsa::by_name(name)?,
        };
        let run = vm::Options::new(isa)
            .threads(options.threads)
            .cancel(options.cancel)
            .progress(options.progress)
            .precision(options.precision.unwrap_or_else(get_precision))
            .jit(options.jit.unwrap_or_else(get_jit))
            .block_len(options.block_len)
            .parallel_min(options.parallel_min);
        if let Some(staged) = &self.staged {
            return self.execute_staged(staged, &inputs, out, &run);
        }
        let maps: Vec<Option<MapRef<'_>>> = self
            .hir
            .inputs
            .iter()
            .map(|slot| vars.get(&slot.name).and_then(|v| v.map))
            .collect();
        let mapped =
            maps.iter().any(Option::is_some) || out.as_ref().is_some_and(|o| o.map.is_some());
        if mapped || options.window.is_some() {
            let window = options.window.unwrap_or(WINDOW);
            return self.execute_windowed(&inputs, &maps, (&broadcast, &result), out, &run, window);
        }
        self.execute_last(&inputs, (&broadcast, &result), out, &run)
    }

    /// Run the last (or only) phase's program on its inputs.
    fn execute_last(
        &self,
        inputs: &[ArrayRef<'_>],
        (broadcast, result): (&[usize], &[usize]),
        out: Option<Output<'_>>,
        run: &vm::Options<'_>,
    ) -> Result<Option<Array>, Error> {
        match out {
            // Same kind: the VM writes straight into the caller's array. If it fails half
            // way (cancelled), what it wrote is erased so it cannot pass for a result.
            Some(mut out) if out.dtype() == self.dtype() => {
                let done = self.exe.run_into(inputs, broadcast, out.view_mut(), run);
                if done.is_err() {
                    out.poison();
                }
                done.map(|()| None)
            }
            // A wider kind: compute, then convert while copying.
            Some(out) => {
                let result = self.exe.run(inputs, broadcast, result, run)?;
                out.assign(result).map(|()| None)
            }
            None => self.exe.run(inputs, broadcast, result, run).map(Some),
        }
    }

    /// Run the phases of an expression with inner reductions in order, each phase's result
    /// becoming an input of the later ones. Every shape was checked on the whole expression
    /// before (`inputs` are the whole expression's); mapped files are read in place, without
    /// windows.
    fn execute_staged(
        &self,
        staged: &Staged,
        inputs: &[ArrayRef<'_>],
        out: Option<Output<'_>>,
        run: &vm::Options<'_>,
    ) -> Result<Option<Array>, Error> {
        let mut results: Vec<Array> = Vec::with_capacity(staged.before.len());
        let mut lanes: Vec<usize> = Vec::with_capacity(staged.before.len());
        // Results of later phases computed in an earlier phase's pass.
        let mut folded: Vec<Option<Array>> = staged.before.iter().map(|_| None).collect();
        let mut before = || {
            for (k, stage) in staged.before.iter().enumerate() {
                let counts = counts(&stage.sources, &lanes)?;
                let phase_inputs = phase_inputs(&stage.sources, inputs, &results, &counts)?;
                let shapes: Vec<&[usize]> = phase_inputs.iter().map(ArrayRef::shape).collect();
                let (broadcast, result) = hir::shape::result(&stage.hir, &shapes)?;
                let value = if stage.in_pass_of.is_some() {
                    folded[k]
                        .take()
                        .ok_or_else(|| Error::new(ErrorKind::Internal, "a shared pass's result"))?
                } else if stage.partners.is_empty() {
                    stage.exe.run(&phase_inputs, &broadcast, &result, run)?
                } else {
                    // The partners read the same inputs: only their result shapes differ
                    // (keepdims).
                    let mut ways = vec![(fold_op(stage)?, result)];
                    for &p in &stage.partners {
                        let partner = &staged.before[p];
                        let (_, shape) = hir::shape::result(&partner.hir, &shapes)?;
                        ways.push((fold_op(partner)?, shape));
                    }
                    let folds: Vec<_> = ways.iter().map(|(op, s)| (*op, s.as_slice())).collect();
                    let mut values = stage
                        .exe
                        .run_folds(&phase_inputs, &broadcast, &folds, run)?;
                    for (&p, value) in stage.partners.iter().zip(values.drain(1..)) {
                        folded[p] = Some(value);
                    }
                    values
                        .pop()
                        .ok_or_else(|| Error::new(ErrorKind::Internal, "a shared pass's result"))?
                };
                lanes.push(lane_len(&stage.hir, &broadcast));
                results.push(value);
            }
            Ok::<(), Error>(())
        };
        if let Err(e) = before() {
            // Stopped (cancelled) before the last phase: the output, if any, must not keep
            // what the caller had in it as if it were the result.
            if let Some(mut out) = out {
                out.poison();
            }
            return Err(e);
        }
        let counts = counts(&staged.last_sources, &lanes)?;
        let phase_inputs = phase_inputs(&staged.last_sources, inputs, &results, &counts)?;
        let shapes: Vec<&[usize]> = phase_inputs.iter().map(ArrayRef::shape).collect();
        let (broadcast, result) = hir::shape::result(&staged.last, &shapes)?;
        self.execute_last(&phase_inputs, (&broadcast, &result), out, run)
    }

    /// [`execute`](Compiled::execute) window by window, for memory-mapped files: after each
    /// window the pages of the mapped inputs and output that it finished are let go.
    fn execute_windowed(
        &self,
        inputs: &[ArrayRef<'_>],
        maps: &[Option<MapRef<'_>>],
        (broadcast, result): (&[usize], &[usize]),
        out: Option<Output<'_>>,
        run: &vm::Options<'_>,
        window: usize,
    ) -> Result<Option<Array>, Error> {
        let n: usize = broadcast.iter().product();
        // Inputs read element for element (not broadcast) in file order.
        let release: Vec<MapRef<'_>> = maps
            .iter()
            .zip(inputs)
            .filter_map(|(m, a)| {
                let len: usize = a.shape().iter().product();
                m.filter(|m| m.is_contiguous() && len == n)
            })
            .collect();
        let out_map = out.as_ref().and_then(|o| o.map);
        let mut done = |read: Range<usize>, written: Range<usize>| {
            for m in &release {
                m.release(read.clone());
            }
            if let Some(m) = out_map {
                m.release(written);
            }
        };
        let mut windows = |target: ArrayMut<'_>| {
            vm::windows::run_windows(&self.exe, inputs, broadcast, target, run, window, &mut done)
        };
        match out {
            Some(mut out) if out.dtype() == self.dtype() && out.is_standard_layout() => {
                let done = windows(out.view_mut());
                // A result file is dropped after a failure: no need to write it all.
                if done.is_err() && out.map.is_none() {
                    out.poison();
                }
                done.map(|()| None)
            }
            Some(out) => {
                let mut full = zeros(self.dtype(), result)?;
                windows(full.view_mut())?;
                out.assign(full).map(|()| None)
            }
            None => {
                let mut full = zeros(self.dtype(), result)?;
                windows(full.view_mut())?;
                Ok(Some(full))
            }
        }
    }

    fn bind<'v>(&self, vars: &'v Vars<'_>) -> Result<Vec<ArrayRef<'v>>, Error> {
        self.hir
            .inputs
            .iter()
            .map(|slot| {
                let value = vars.get(&slot.name).ok_or_else(|| {
                    Error::at(
                        ErrorKind::UnknownVariable,
                        slot.span,
                        format!("unknown variable `{}`", slot.name),
                    )
                })?;
                if value.dtype() != slot.dtype {
                    return Err(Error::at(
                        ErrorKind::Input,
                        slot.span,
                        format!(
                            "variable `{}` is {}, but the expression was compiled for {}",
                            slot.name,
                            value.dtype(),
                            slot.dtype
                        ),
                    ));
                }
                Ok(value.view())
            })
            .collect()
    }
}

/// The number of elements a phase ending in a reduction folds into each result: the length
/// of its axis in `broadcast`, or all of them (1 for a phase without a reduction).
fn lane_len(phase: &Hir, broadcast: &[usize]) -> usize {
    match phase.root().op {
        hir::Op::Reduce(_, Some(axis), _) => hir::shape::normalize_axis(axis, broadcast.len())
            .and_then(|k| broadcast.get(k).copied())
            .unwrap_or(1),
        hir::Op::Reduce(_, None, _) => broadcast.iter().product(),
        _ => 1,
    }
}

/// The 0-d count values that `sources` read (`max(n - ddof, 0)`, as NumPy divides), in
/// source order (other sources have none).
fn counts(sources: &[Source], lanes: &[usize]) -> Result<Vec<Option<Array>>, Error> {
    sources
        .iter()
        .map(|s| match *s {
            Source::Count { phase, ddof, dtype } => {
                let n = *lanes
                    .get(phase)
                    .ok_or_else(|| Error::new(ErrorKind::Internal, "a count of a later phase"))?;
                let n = (n as i128 - i128::from(ddof)).max(0) as f64;
                let value = match dtype {
                    DType::Float32 => Scalar::Float32(n as f32),
                    DType::Float64 => Scalar::Float64(n),
                    DType::Complex128 => Scalar::Complex128(num_complex::Complex64::new(n, 0.0)),
                    other => {
                        return Err(Error::new(
                            ErrorKind::Internal,
                            format!("a count of dtype {other}"),
                        ));
                    }
                };
                Ok(Some(Array::from_scalar(value)))
            }
            _ => Ok(None),
        })
        .collect()
}

/// A phase's inputs: the caller's variables, earlier phases' results and counts.
fn phase_inputs<'a>(
    sources: &[Source],
    vars: &'a [ArrayRef<'_>],
    results: &'a [Array],
    counts: &'a [Option<Array>],
) -> Result<Vec<ArrayRef<'a>>, Error> {
    let missing = || Error::new(ErrorKind::Internal, "a phase input is missing");
    sources
        .iter()
        .zip(counts)
        .map(|(s, count)| match *s {
            Source::Var(k) => vars.get(k as usize).map(ArrayRef::view).ok_or_else(missing),
            Source::Result(p) => results.get(p).map(Array::as_input).ok_or_else(missing),
            Source::Count { .. } => count.as_ref().map(Array::as_input).ok_or_else(missing),
        })
        .collect()
}

impl fmt::Display for Compiled {
    /// The disassembly: the bytecode's header lines, the precision a run would use now
    /// ([`get_precision`](crate::get_precision)), then the instructions.
    ///
    /// An expression with reductions inside it runs in phases: each phase before the last
    /// is listed first, as `; phase k -> %k`, its result read as the input `%k` by later
    /// phases (`%nk` is the number of elements each of its results folds, for `mean`, `var`
    /// and `std`); the last phase computes the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(staged) = &self.staged {
            writeln!(
                f,
                "; phases: {} (the reductions inside the expression run first)",
                staged.before.len() + 1
            )?;
            for (k, stage) in staged.before.iter().enumerate() {
                match stage.in_pass_of {
                    Some(j) => writeln!(f, "; phase {k} -> %{k} (folded in phase {j}'s pass)")?,
                    None => writeln!(f, "; phase {k} -> %{k}")?,
                }
                write!(f, "{}", stage.exe.program())?;
            }
            writeln!(f, "; phase {} -> the value", staged.before.len())?;
        }
        let listing = self.exe.program().to_string();
        let body = listing
            .lines()
            .position(|l| !l.starts_with(';'))
            .unwrap_or(listing.lines().count());
        for line in listing.lines().take(body) {
            writeln!(f, "{line}")?;
        }
        writeln!(
            f,
            "; precision: {} (of the transcendental functions)",
            get_precision()
        )?;
        let segments = tier::segments(self.exe.program());
        let jit = get_jit();
        let when = match jit {
            _ if !tier::BUILT => "this build has no native tier".to_string(),
            _ if segments.is_empty() => "no instruction has native code".to_string(),
            Jit::Off => "off: interpreted".to_string(),
            Jit::Always => "always: native from the first run".to_string(),
            Jit::Auto => format!(
                "auto: native once the program has run {} elements",
                tier::TIER_UP
            ),
        };
        writeln!(f, "; native segments: {} ({when})", segments.len())?;
        for (pc, line) in listing.lines().skip(body).enumerate() {
            match segments.iter().position(|s| s.contains(&pc)) {
                Some(k) if tier::BUILT => writeln!(f, "{line:<44} ; native {k}")?,
                _ => writeln!(f, "{line}")?,
            }
        }
        Ok(())
    }
}

/// Evaluate `expr` with `vars`.
///
/// ```
/// let a = ndarray::Array1::<f64>::linspace(0.0, 1.0, 5);
/// let vars = vexpr::Vars::new().with("a", &a);
/// let out = vexpr::evaluate("where(a > 0.5, a, -a)", &vars)?.into_f64()?;
/// assert_eq!(out.as_slice(), Some(&[-0.0, -0.25, -0.5, 0.75, 1.0][..]));
/// # Ok::<(), vexpr::Error>(())
/// ```
///
/// Reductions may appear anywhere in the expression: they are computed first, in the same
/// call, and broadcast as NumPy broadcasts them.
///
/// ```
/// let x = [1.0, 2.0, 3.0, 6.0];
/// let vars = vexpr::Vars::new().with("x", &x[..]);
/// let out = vexpr::evaluate("(x - min(x)) / (max(x) - min(x))", &vars)?.into_f64()?;
/// assert_eq!(out.as_slice(), Some(&[0.0, 0.2, 0.4, 1.0][..]));
/// let a = ndarray::array![[1.0, 3.0], [10.0, 30.0]];
/// let vars = vexpr::Vars::new().with("a", &a);
/// let centred = vexpr::evaluate("a - mean(a, axis=1, keepdims=True)", &vars)?.into_f64()?;
/// assert_eq!(centred, ndarray::array![[-1.0, 1.0], [-10.0, 10.0]].into_dyn());
/// let spread = vexpr::evaluate("std(a, axis=0, ddof=1)", &vars)?.into_f64()?;
/// assert_eq!(spread.shape(), &[2]);
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn evaluate(expr: &str, vars: &Vars<'_>) -> Result<Array, Error> {
    compile(expr, &vars.signature())?.run(vars)
}

/// Evaluate `expr` with `vars`, writing the result into `out` (no allocation for the result
/// when `out` has the result's dtype).
///
/// ```
/// let a = [1.0, 2.0, 3.0];
/// let mut out = vec![0.0; 3];
/// vexpr::evaluate_into("a * a", &vexpr::Vars::new().with("a", &a), (&mut out).into())?;
/// assert_eq!(out, [1.0, 4.0, 9.0]);
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn evaluate_into(expr: &str, vars: &Vars<'_>, out: Output<'_>) -> Result<(), Error> {
    compile(expr, &vars.signature())?.run_into(vars, out)
}
