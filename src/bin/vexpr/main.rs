//! The `vexpr` command: `eval`, `dis`, `demo` and `completions` run once and exit; with no
//! arguments it is an interactive REPL (or runs a script from its input).
//!
//! In: the command line (parsed in `args`), `.npy` files and literal values, REPL lines. Out:
//! results on stdout (NumPy-style text) or in `.npy` files, errors on stderr, each starting
//! with `error` (warnings with `warning`), and the exit status: 0 on success, 1 on any user
//! error, 130 when Ctrl-C cancelled an evaluation. Built on the library's public API only.
//!
//! Invariant: no input makes it panic. Every failure travels up as a [`Failure`], which
//! `main` prints and turns into status 1; writing to a closed stdout (`vexpr ... | head`)
//! ends the program quietly instead of panicking as `println!` would.

mod args;
mod builtins;
mod commands;
mod inline;
mod progress;
mod repl;
mod show;
mod statement;
mod timing;
mod value;

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;

/// Why a command did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// An error from the library; its `Display` starts with `error: ` and draws the caret.
    Vexpr(vexpr::Error),
    /// A library error about one part of the input (`variable `a``): shown as
    /// `error: <context>: <message>` with the library's caret lines below.
    Context(String, vexpr::Error),
    /// Any other error: the text after `error: `.
    Message(String),
    /// Stdout was closed by the reader (a broken pipe): stop without a message.
    Closed,
    /// Failures were reported already (a script's statements): status 1, no message.
    Reported,
}

/// The exit status for a Ctrl-C that cancelled an evaluation (128 + SIGINT, as shells use).
const CANCELLED_STATUS: u8 = 130;

impl Failure {
    /// A plain error message (without the `error: ` prefix).
    pub(crate) fn msg(text: impl Into<String>) -> Failure {
        Failure::Message(text.into())
    }

    /// Whether an evaluation was cancelled (by Ctrl-C).
    pub(crate) fn is_cancelled(&self) -> bool {
        matches!(self, Failure::Vexpr(e) | Failure::Context(_, e)
            if e.kind() == vexpr::ErrorKind::Cancelled)
    }

    /// The same failure, about `context` (kept as it is when it has no library error).
    pub(crate) fn about(self, context: impl fmt::Display) -> Failure {
        match self {
            Failure::Vexpr(e) | Failure::Context(_, e) => Failure::Context(context.to_string(), e),
            Failure::Message(m) => Failure::Message(format!("{context}: {m}")),
            other @ (Failure::Closed | Failure::Reported) => other,
        }
    }
}

impl From<vexpr::Error> for Failure {
    fn from(e: vexpr::Error) -> Failure {
        Failure::Vexpr(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Vexpr(e) => e.fmt(f),
            Failure::Context(context, e) => {
                // The library's text is `error: <message>` then the caret lines, if any.
                let full = e.to_string();
                let body = full.strip_prefix("error: ").unwrap_or(&full);
                write!(f, "error: {context}: {body}")
            }
            Failure::Message(m) => write!(f, "error: {m}"),
            Failure::Closed | Failure::Reported => Ok(()),
        }
    }
}

/// Write `text` and a newline to stdout. A closed pipe becomes [`Failure::Closed`].
pub(crate) fn emit(text: impl fmt::Display) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => Failure::Closed,
            _ => Failure::msg(format!("cannot write to stdout: {e}")),
        })
}

/// Print a warning on stderr (`warning: ...`).
pub(crate) fn warn(text: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "warning: {text}");
}

/// Print a failure on stderr (nothing for [`Failure::Closed`]); a failing stderr is ignored
/// because there is nowhere left to report it.
pub(crate) fn report(failure: &Failure) {
    if !matches!(failure, Failure::Closed | Failure::Reported) {
        let _ = writeln!(io::stderr().lock(), "{failure}");
    }
}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits with 2 for usage errors; the contract is 1. Help and version are
            // successes printed on stdout.
            let success = matches!(
                e.kind(),
                ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion
            );
            let _ = e.print();
            return if success {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    if let Some(p) = cli.precision {
        vexpr::set_precision(p);
    }
    if let Some(j) = cli.jit {
        vexpr::set_jit(j);
    }
    let result = match cli.command {
        None => repl::run(cli.keep_going),
        Some(args::Command::Eval(a)) => commands::eval(&a),
        Some(args::Command::Dis(a)) => commands::dis(&a),
        Some(args::Command::Demo(a)) => commands::demo(&a),
        Some(args::Command::Completions(a)) => commands::completions(&a),
    };
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(failure) if failure.is_cancelled() => {
            report(&failure);
            ExitCode::from(CANCELLED_STATUS)
        }
        Err(failure) => {
            report(&failure);
            ExitCode::FAILURE
        }
    }
}
