//! The command line, declared for `clap`: subcommands `eval`, `dis`, `demo`, `completions`,
//! or none (the REPL).
//!
//! In: the process arguments. Out: a [`Cli`] value, or clap's error (usage, `--help`,
//! `--version`), which `main` prints. Options may come before or after the positional
//! arguments; `--` ends the options, so an expression starting with `-` goes after it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

/// Most threads `--threads` accepts (the library's own limit for `set_num_threads`).
const MAX_THREADS: u64 = 1024;

/// A count of at least 1 (clap's own range check would print the range up to 2^64).
fn count(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("must be at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err("must be a whole number, at least 1".to_string()),
    }
}

/// `high` or `fast`.
fn precision(text: &str) -> Result<vexpr::Precision, String> {
    text.parse::<vexpr::Precision>()
        .map_err(|_| "must be high or fast".to_string())
}

/// `off`, `auto` or `always`.
fn jit(text: &str) -> Result<vexpr::Jit, String> {
    text.parse::<vexpr::Jit>()
        .map_err(|_| "must be off, auto or always".to_string())
}

/// A thread count, 1 to [`MAX_THREADS`].
fn threads(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n @ 1..=MAX_THREADS) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {MAX_THREADS}")),
    }
}

/// The one-line description in `--help`.
const ABOUT: &str = "Evaluate numexpr-style array expressions over NumPy .npy files.";

/// The description in `--help` (long form).
const LONG_ABOUT: &str = "\
Evaluate numexpr-style array expressions (`a**2 + b**2 + 2*a*b`) over NumPy .npy files,
with a compiler and a block-by-block SIMD virtual machine.

Run without arguments for an interactive session (REPL); type :help there. With its input
not a terminal, the session runs a script: it stops at the first statement that fails and
exits with status 1 (--keep-going runs the rest, and still exits with 1).

Exit status: 0 on success, 1 on any error, 130 when Ctrl-C cancelled an evaluation.";

/// The examples at the end of `vexpr --help`.
const AFTER_HELP: &str = "\
Examples:
  vexpr eval 'a**2 + b**2 + 2*a*b' a=a.npy b=b.npy
  vexpr eval 'sum(x * w)' x=x.npy w=0.5 -o total.npy
  vexpr eval --time 10 'sin(a)**2 + cos(a)**2' a=a.npy
  vexpr eval -o neg.npy -- -a a=a.npy
  vexpr dis 'where(a > 0.5, a, b)' a:f32 b:f64
  vexpr demo --n 1000000 --threads 1
  vexpr completions bash > ~/.local/share/bash-completion/completions/vexpr
  vexpr                               (interactive session)
  vexpr < script.vx                   (a script: stops at the first error)";

/// The help for `NAME=VALUE` arguments.
const VALUE_HELP: &str = "\
Variables as NAME=VALUE. VALUE is a .npy file (anything containing `/` or ending in .npy \
is a file) or a literal typed as in expressions: 2.5 (float64), 3 (int32), True/true, 1+2j, \
-4, 'text'. Only the files the expression uses are read (a warning names the others). \
Files are memory-mapped where their dtype allows, so they may be larger than memory; they \
must not change while vexpr runs.";

/// The help for `dis`'s variables.
const DIS_VALUE_HELP: &str = "\
Variables as NAME:TYPE (bool, int32, int64, float32, float64, complex128, S<n>; also \
i4, i8, f4, f8, c16, f32, f64, ...) or NAME=VALUE as for eval (only the header of a \
file is read). Variables not given are float64.";

/// `vexpr [COMMAND]`.
#[derive(Debug, Parser)]
#[command(
    name = "vexpr",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP
)]
pub(crate) struct Cli {
    /// What to do; none starts the REPL.
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// In a script (input not a terminal), run the statements after one that failed too;
    /// the exit status is still 1.
    #[arg(long)]
    pub(crate) keep_going: bool,
    /// The precision of the transcendental functions (exp, sin, ...): high (the default) or
    /// fast (within 4 ulp, faster); overrides VEXPR_PRECISION.
    #[arg(long, global = true, value_name = "high|fast", value_parser = precision)]
    pub(crate) precision: Option<vexpr::Precision>,
    /// When element-wise code is compiled to machine code: auto (the default: once a program
    /// has done enough work to repay the compile), always, or off; overrides VEXPR_JIT.
    #[arg(long, global = true, value_name = "off|auto|always", value_parser = jit)]
    pub(crate) jit: Option<vexpr::Jit>,
}

/// The one-shot subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Evaluate an expression: print the result, or write it to a .npy file with -o.
    Eval(EvalArgs),
    /// Print the optimised bytecode of an expression.
    Dis(DisArgs),
    /// Run the headline expressions on generated data and show their speed.
    Demo(DemoArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
}

/// `vexpr eval EXPR [NAME=VALUE ...] [-o OUT.npy] [--threads N] [--time R]`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  vexpr eval 'a*b + 1' a=a.npy b=2.5 -o out.npy")]
pub(crate) struct EvalArgs {
    /// The expression (put it after `--` if it starts with `-`).
    #[arg(value_name = "EXPR")]
    pub(crate) expr: String,
    /// The variables, unparsed.
    #[arg(value_name = "NAME=VALUE", help = VALUE_HELP)]
    pub(crate) bindings: Vec<String>,
    /// Write the result to this .npy file instead of printing it.
    #[arg(short = 'o', long = "out", value_name = "OUT.npy")]
    pub(crate) out: Option<PathBuf>,
    /// Use at most N threads (1 to 1024) for this evaluation.
    #[arg(long, value_name = "N", value_parser = threads)]
    pub(crate) threads: Option<u64>,
    /// Time R runs after one warm-up (file reading excluded; with -o, each run writes the
    /// file) and end with a `time: median_s=... min_s=... max_s=... runs=R` line.
    #[arg(long, value_name = "R", value_parser = count)]
    pub(crate) time: Option<u64>,
    /// Read uint64 files, wrapping each value to int64 as NumPy's unsafe casting does
    /// (2**64 - 1 becomes -1); without it they are refused.
    #[arg(long)]
    pub(crate) wrap_uint64: bool,
}

/// `vexpr dis EXPR [NAME=VALUE ...]`.
#[derive(Debug, Args)]
pub(crate) struct DisArgs {
    /// The expression (put it after `--` if it starts with `-`).
    #[arg(value_name = "EXPR")]
    pub(crate) expr: String,
    /// The variables, unparsed.
    #[arg(value_name = "NAME:TYPE|NAME=VALUE", help = DIS_VALUE_HELP)]
    pub(crate) bindings: Vec<String>,
    /// Read uint64 files as int64 (see `eval --wrap-uint64`).
    #[arg(long)]
    pub(crate) wrap_uint64: bool,
}

/// `vexpr demo [--n N] [--threads N]`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Elements per generated input array.
    #[arg(long = "n", value_name = "N", default_value_t = 10_000_000, value_parser = count)]
    pub(crate) n: u64,
    /// Use at most N threads (1 to 1024).
    #[arg(long, value_name = "N", value_parser = threads)]
    pub(crate) threads: Option<u64>,
}

/// `vexpr completions SHELL`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  vexpr completions bash > ~/.local/share/bash-completion/completions/vexpr
  vexpr completions zsh > ~/.zfunc/_vexpr      (with fpath+=~/.zfunc in ~/.zshrc)
  vexpr completions fish > ~/.config/fish/completions/vexpr.fish")]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_name = "SHELL")]
    pub(crate) shell: Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_declaration_is_consistent() {
        Cli::command().debug_assert();
    }

    fn eval(args: &[&str]) -> EvalArgs {
        let cli = Cli::try_parse_from(std::iter::once("vexpr").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        match cli.command {
            Some(Command::Eval(a)) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn options_go_anywhere_and_double_dash_ends_them() {
        let a = eval(&["eval", "--threads", "2", "a+b", "a=1", "-o", "x.npy", "b=2"]);
        assert_eq!(a.expr, "a+b");
        assert_eq!(a.bindings, ["a=1", "b=2"]);
        assert_eq!(a.out, Some(PathBuf::from("x.npy")));
        assert_eq!(a.threads, Some(2));
        let a = eval(&["eval", "-o", "y.npy", "--time", "3", "--", "-a+b", "a=-4"]);
        assert_eq!((a.expr.as_str(), a.time), ("-a+b", Some(3)));
        assert_eq!(a.bindings, ["a=-4"]);
    }

    #[test]
    fn bad_counts_are_usage_errors() {
        for bad in [
            &["eval", "a", "--threads", "0"][..],
            &["eval", "a", "--threads", "1025"],
            &["eval", "a", "--time", "0"],
            &["eval", "a", "--time", "x"],
            &["eval", "-a"],
            &["demo", "--n", "0"],
            &["demo", "--threads", "0"],
            &["completions", "tcsh"],
            &["eval", "a", "--precision", "low"],
            &["eval", "a", "--jit", "sometimes"],
        ] {
            let argv = std::iter::once("vexpr").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(argv).is_err(), "{bad:?}");
        }
    }
}
