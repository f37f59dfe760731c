//! The one-shot subcommands: `eval`, `dis`, `demo` and `completions`.
//!
//! In: parsed arguments. Out: text on stdout or a `.npy` file, or a [`Failure`]. Each
//! command compiles its expression once against the variables' dtypes (read from the files'
//! headers), then opens only the files the expression uses: memory-mapped, so `eval` with
//! `-o` streams from its inputs to its output window by window, whatever their size.
//! `eval --time` then times the runs alone, after one warm-up run whose result is the one
//! printed or written, and prints the `time:` line last. Ctrl-C cancels an evaluation
//! (status 130, with a message); a long one shows a progress bar on a terminal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::CommandFactory;
use vexpr::npy::{MappedOutput, ReadOptions, replaces_in_place};
use vexpr::{Array, Compiled, DType, ErrorKind, Output, RunOptions, Signature, Vars};

use crate::args::{Cli, CompletionsArgs, DemoArgs, DisArgs, EvalArgs};
use crate::value::{self, Binding, Value};
use crate::{Failure, builtins, emit, progress, show, timing, warn};

/// Set by Ctrl-C (SIGINT) to cancel the running evaluation.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Let Ctrl-C cancel evaluations instead of killing the process (without the handler it
/// still kills it, only without the message).
fn cancel_on_ctrl_c() -> &'static AtomicBool {
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    &CANCEL
}

/// `vexpr eval`.
pub(crate) fn eval(args: &EvalArgs) -> Result<(), Failure> {
    let read = ReadOptions::new().wrap_uint64(args.wrap_uint64);
    let bindings = value::bindings(&args.bindings)?;
    let compiled = compile_with(&args.expr, &bindings, &read)?;
    let used: Vec<&str> = compiled.inputs().map(|(name, _)| name).collect();
    let mut values: Vec<(&str, Value)> = Vec::new();
    for b in &bindings {
        if used.contains(&b.name.as_str()) {
            values.push((&b.name, b.open(&read)?));
        } else {
            warn(format_args!(
                "`{}` is not used by the expression, so it was not read",
                b.arg
            ));
        }
    }
    let mut vars = Vars::new();
    for (name, value) in &values {
        vars.insert(name, value.input());
    }
    let mut options = RunOptions::new().cancel(cancel_on_ctrl_c());
    if let Some(n) = args.threads {
        options = options.threads(usize::try_from(n).unwrap_or(usize::MAX));
    }
    let per_run = progress::broadcast_len(values.iter().map(|(_, v)| v.shape()));
    let runs = 1 + args.time.unwrap_or(0);
    let timed = |run: &mut dyn FnMut(&RunOptions<'_>) -> Result<(), vexpr::Error>| {
        progress::watch(per_run, runs, |counter| {
            let options = options.progress(counter);
            run(&options)?;
            args.time
                .map(|r| timing::repeat(r, || run(&options)))
                .transpose()
        })
    };
    let timing = match &args.out {
        // A device or pipe (`-o /dev/null`) or a symbolic link is written through, in memory
        // first: the mapped file would be renamed over it.
        Some(path) if !compiled.dtype().is_bytes() && replaces_in_place(path) => {
            let shape = compiled.shape(&vars)?;
            // SAFETY: the file is created under a fresh temporary name that nothing else
            // writes, and renamed into place only by `finish`.
            let mut file = unsafe { MappedOutput::create(path, compiled.dtype(), &shape) }?;
            let timing = timed(&mut |o| compiled.run_into_with(&vars, Output::from(&mut file), o))?;
            file.finish()?;
            timing
        }
        out => {
            let mut result = None;
            let timing = timed(&mut |o| {
                let value = compiled.run_with(&vars, o)?;
                result.get_or_insert(value);
                Ok(())
            })?;
            let result = result.ok_or_else(|| Failure::msg("no result"))?;
            match out {
                Some(path) => vexpr::npy::write(path, &result)?,
                None => emit(format_args!("{result}\n{}", show::describe(&result)))?,
            }
            timing
        }
    };
    match timing {
        Some(t) => emit(t.line()),
        None => Ok(()),
    }
}

/// Compile `expr` against the dtypes of `bindings`. A binding whose file cannot be typed
/// (missing, uint64, not a .npy file) is an error only if the expression uses it.
fn compile_with(expr: &str, bindings: &[Binding], read: &ReadOptions) -> Result<Compiled, Failure> {
    let mut sig = Signature::new();
    let mut unreadable = Vec::new();
    for b in bindings {
        match b.dtype(read) {
            Ok(dtype) => sig.insert(&b.name, dtype),
            Err(f) => unreadable.push((b.name.as_str(), f)),
        }
    }
    match vexpr::compile(expr, &sig) {
        Ok(compiled) => Ok(compiled),
        Err(e) if e.kind() == ErrorKind::UnknownVariable => {
            let name = span_text(expr, &e);
            match unreadable.into_iter().find(|(n, _)| *n == name) {
                Some((_, failure)) => Err(failure),
                None => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The text of the expression an error points at.
fn span_text<'e>(expr: &'e str, e: &vexpr::Error) -> &'e str {
    e.span()
        .and_then(|s| expr.get(s.start..s.end))
        .unwrap_or_default()
}

/// `vexpr dis`: variables typed by `NAME:TYPE`, by a file's header or a literal, and
/// float64 when not given.
pub(crate) fn dis(args: &DisArgs) -> Result<(), Failure> {
    let read = ReadOptions::new().wrap_uint64(args.wrap_uint64);
    let mut sig = value::signature(&args.bindings, &read)?;
    loop {
        match vexpr::compile(&args.expr, &sig) {
            Ok(compiled) => return emit(compiled.to_string().trim_end()),
            Err(e) if e.kind() == ErrorKind::UnknownVariable => {
                let name = span_text(&args.expr, &e);
                if name.is_empty() || sig.get(name).is_some() {
                    return Err(e.into());
                }
                sig.insert(name, DType::Float64);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `vexpr completions SHELL`.
pub(crate) fn completions(args: &CompletionsArgs) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "vexpr", &mut script);
    emit(String::from_utf8_lossy(&script).trim_end())
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
    if let Some(t) = args.threads {
        vexpr::set_num_threads(usize::try_from(t).unwrap_or(usize::MAX))?;
    }
    let cancel = cancel_on_ctrl_c();
    let a = builtins::uniform(&[n], 1, cancel)?;
    let b = builtins::uniform(&[n], 2, cancel)?;
    emit(format_args!(
        "vexpr {}: {n} float64 elements per input (a, b uniform in [0, 1)), isa {}, {} threads",
        env!("CARGO_PKG_VERSION"),
        vexpr::active_isa(),
        vexpr::get_num_threads()
    ))?;
    let vars = Vars::new().with("a", &a).with("b", &b);
    let options = RunOptions::new().cancel(cancel);
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
