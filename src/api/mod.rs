//! The public entry points: [`evaluate`], [`compile`] + [`Compiled::run`], [`evaluate_into`],
//! and the variable set [`Vars`] with its [`Signature`].

use std::fmt;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use bumpalo::Bump;

#[cfg(feature = "jit")]
mod native;
mod output;
mod vars;

#[cfg(feature = "jit")]
pub use native::Native;
pub use output::Output;
pub(crate) use output::OutputView;
pub use vars::{Input, InputElement, Signature, Vars};

use crate::array::{Array, ArrayRef};
use crate::bytecode::Program;
use crate::compile::compile as compile_program;
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::hir::{self, Hir};
use crate::optimize;
use crate::syntax;
use crate::vm::{self, isa};

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
    /// The optimised bytecode the VM runs.
    program: Program,
    /// The program's kernels for each ISA, resolved on first use.
    kernels: [OnceLock<Box<[vm::kernels::Kernel]>>; 3],
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

/// The name of the instruction set the VM uses on this machine (`baseline`, `avx2`,
/// `avx512`): the best the CPU supports, unless `VEXPR_ISA` names another one it supports.
///
/// ```
/// assert!(["baseline", "avx2", "avx512"].contains(&vexpr::active_isa()));
/// ```
pub fn active_isa() -> &'static str {
    isa::detect().name()
}

/// Parse, type, optimise and compile `expr` against the variables in `sig`.
pub fn compile(expr: &str, sig: &Signature) -> Result<Compiled, Error> {
    let source: Arc<str> = Arc::from(expr);
    let arena = Bump::new();
    let compile = || {
        let ast = syntax::parse(&source, &arena)?;
        let hir = hir::lower(ast, &source, sig)?;
        let optimized = optimize::optimize(hir.clone(), &fold_constant)?;
        let program = compile_program(&optimized)?;
        Ok(Compiled {
            hir,
            program,
            kernels: Default::default(),
        })
    };
    compile().map_err(|e: Error| e.with_source(&source))
}

/// The value of a constant-only HIR, computed by the VM as it would be at run time.
fn fold_constant(tiny: &Hir) -> Result<Scalar, Error> {
    let program = compile_program(tiny)?;
    let options = vm::Options::serial(isa::detect());
    let value = vm::run(&program, &[], &[], &[], &options)?;
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

    /// The result dtype.
    pub fn dtype(&self) -> DType {
        self.hir.dtype()
    }

    /// The typed expression before optimisation (what the reference evaluator runs), for the
    /// differential tests in `fuzz_entry`.
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
            Engine::Vm => isa::detect(),
            Engine::VmWith(name) => isa_by_name(name)?,
        };
        let kernels =
            self.kernels[isa as usize].get_or_init(|| vm::kernels::resolve(&self.program, isa));
        let run = vm::Options {
            isa,
            threads: options.threads,
            cancel: options.cancel,
            block_len: options.block_len,
            parallel_min: options.parallel_min,
            kernels: Some(kernels),
        };
        match out {
            // Same kind: the VM writes straight into the caller's array. If it fails half
            // way (cancelled), what it wrote is erased so it cannot pass for a result.
            Some(mut out) if out.dtype() == self.dtype() => {
                let done =
                    vm::run_into(&self.program, &inputs, &broadcast, out_view(&mut out), &run);
                if done.is_err() {
                    poison(&mut out);
                }
                done.map(|()| None)
            }
            // A wider kind: compute, then convert while copying.
            Some(out) => {
                let result = vm::run(&self.program, &inputs, &broadcast, &result, &run)?;
                out.assign(result).map(|()| None)
            }
            None => vm::run(&self.program, &inputs, &broadcast, &result, &run).map(Some),
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

/// The ISA called `name` (as `VEXPR_ISA` spells it), if this CPU supports it.
fn isa_by_name(name: &str) -> Result<isa::IsaKind, Error> {
    let err = |m: String| Err(Error::new(ErrorKind::Input, m));
    match isa::IsaKind::parse(name) {
        Some(kind) if kind.is_supported() => Ok(kind),
        Some(kind) => err(format!("this CPU cannot run the {} kernels", kind.name())),
        None => err(format!(
            "unknown instruction set `{name}` (expected baseline, avx2 or avx512)"
        )),
    }
}

/// The caller's output as the VM writes it.
fn out_view<'s>(out: &'s mut Output<'_>) -> vm::value::OutColumn<'s> {
    use vm::value::OutColumn;
    match &mut out.view {
        OutputView::Bool(v) => OutColumn::Bool(v.view_mut()),
        OutputView::Int32(v) => OutColumn::I32(v.view_mut()),
        OutputView::Int64(v) => OutColumn::I64(v.view_mut()),
        OutputView::Float32(v) => OutColumn::F32(v.view_mut()),
        OutputView::Float64(v) => OutColumn::F64(v.view_mut()),
        OutputView::Complex128(v) => OutColumn::C128(v.view_mut()),
    }
}

/// Overwrite an output after a failed run: NaN for floats, zero otherwise.
fn poison(out: &mut Output<'_>) {
    match &mut out.view {
        OutputView::Bool(v) => v.fill(false),
        OutputView::Int32(v) => v.fill(0),
        OutputView::Int64(v) => v.fill(0),
        OutputView::Float32(v) => v.fill(f32::NAN),
        OutputView::Float64(v) => v.fill(f64::NAN),
        OutputView::Complex128(v) => v.fill(num_complex::Complex64::new(f64::NAN, f64::NAN)),
    }
}

impl fmt::Display for Compiled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.program.fmt(f)
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
