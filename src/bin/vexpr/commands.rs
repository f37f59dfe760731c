//! The one-shot subcommands: `eval`, `dis` and `demo`.
//!
//! In: parsed arguments. Out: text on stdout or a `.npy` file, or a [`Failure`]. Each
//! command compiles its expression once against the variables' dtypes; `eval --time`
//! then times `run_with` alone, after one warm-up run whose result is the one printed or
//! written, and prints the `time:` line last.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use vexpr::{Array, RunOptions, Signature, Vars};

use crate::args::{DemoArgs, DisArgs, EvalArgs};
use crate::{Failure, builtins, emit, show, timing, value};

/// `vexpr eval`.
pub(crate) fn eval(args: &EvalArgs) -> Result<(), Failure> {
    let bindings = value::bindings(&args.bindings)?;
    let vars = value::vars(&bindings);
    let compiled = vexpr::compile(&args.expr, &vars.signature())?;
    let mut options = RunOptions::new();
    if let Some(n) = args.threads {
        options = options.threads(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let result = compiled.run_with(&vars, &options)?;
    let timing = match args.time {
        Some(runs) => Some(timing::repeat(runs, || {
            compiled.run_with(&vars, &options).map(drop)
        })?),
        None => None,
    };
    match &args.out {
        Some(path) => vexpr::npy::write(path, &result)?,
        None => emit(format_args!("{result}\n{}", show::describe(&result)))?,
    }
    match timing {
        Some(t) => emit(t.line()),
        None => Ok(()),
    }
}

/// `vexpr dis`.
pub(crate) fn dis(args: &DisArgs) -> Result<(), Failure> {
    let bindings = value::bindings(&args.bindings)?;
    let sig = bindings.iter().fold(Signature::new(), |sig, b| {
        sig.with(&b.name, b.value.dtype())
    });
    let compiled = vexpr::compile(&args.expr, &sig)?;
    emit(compiled.to_string().trim_end())
}

/// The expressions `demo` runs: the headline one first, then some from the benchmarks.
const DEMO_EXPRESSIONS: [&str; 5] = [
    "a**2 + b**2 + 2*a*b",
    "sin(a)**2 + cos(b)**2",
    "exp(-a) * log1p(b)",
    "where(a > 0.5, a, b)",
    "sum(a*b)",
];

/// Most timed runs per expression in `demo` (after one warm-up); at least 3 are made, more
/// only while they take under 300 ms in all.
const DEMO_RUNS: usize = 5;

/// `vexpr demo`.
pub(crate) fn demo(args: &DemoArgs) -> Result<(), Failure> {
    let n = usize::try_from(args.n)
        .map_err(|_| Failure::msg(format!("--n {} is too large", args.n)))?;
    let never = AtomicBool::new(false);
    let a = builtins::uniform(&[n], 1, &never)?;
    let b = builtins::uniform(&[n], 2, &never)?;
    emit(format_args!(
        "vexpr {}: {n} float64 elements per input (a, b uniform in [0, 1)), isa {}, {} threads",
        env!("CARGO_PKG_VERSION"),
        vexpr::active_isa(),
        vexpr::get_num_threads()
    ))?;
    let vars = Vars::new().with("a", &a).with("b", &b);
    let options = RunOptions::new();
    for expr in DEMO_EXPRESSIONS {
        let compiled = vexpr::compile(expr, &vars.signature())?;
        let result = compiled.run_with(&vars, &options)?;
        let timing = timing::adaptive(3, DEMO_RUNS, Duration::from_millis(300), || {
            compiled.run_with(&vars, &options).map(drop)
        })?;
        emit(demo_report(expr, &result, timing.median(), n))?;
    }
    Ok(())
}

/// One expression's lines in `demo`: the expression, the result in brief, the speed.
fn demo_report(expr: &str, result: &Array, median: f64, n: usize) -> String {
    let rate = if median > 0.0 {
        n as f64 / median / 1e6
    } else {
        f64::INFINITY
    };
    format!(
        "\n{expr}\n  {}  {}\n  median {}, {rate:.1} M elements/s",
        show::describe(result),
        show::brief(result, 3),
        timing::human(median),
    )
}
