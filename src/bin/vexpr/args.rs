//! The command line, declared for `clap`: subcommands `eval`, `dis`, `demo`, or none (the
//! REPL).
//!
//! In: the process arguments. Out: a [`Cli`] value, or clap's error (usage, `--help`,
//! `--version`), which `main` prints. Options may come before or after the positional
//! arguments; `--` ends the options, so an expression starting with `-` goes after it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Most threads `--threads` accepts (the library's own limit for `set_num_threads`).
const MAX_THREADS: u64 = 1024;

/// The one-line description in `--help`.
const ABOUT: &str = "Evaluate numexpr-style array expressions over NumPy .npy files.";

/// The description in `--help` (long form).
const LONG_ABOUT: &str = "\
Evaluate numexpr-style array expressions (`a**2 + b**2 + 2*a*b`) over NumPy .npy files,
with a compiler and a block-by-block SIMD virtual machine.

Run without arguments for an interactive session (REPL); type :help there.";

/// The examples at the end of `vexpr --help`.
const AFTER_HELP: &str = "\
Examples:
  vexpr eval 'a**2 + b**2 + 2*a*b' a=a.npy b=b.npy
  vexpr eval 'sum(x * w)' x=x.npy w=0.5 -o total.npy
  vexpr eval --time 10 'sin(a)**2 + cos(a)**2' a=a.npy
  vexpr eval -o neg.npy -- -a a=a.npy
  vexpr dis 'where(a > 0.5, a, b)' a=a.npy b=b.npy
  vexpr demo --n 1000000
  vexpr                               (interactive session)";

/// The help for `NAME=VALUE` arguments.
const VALUE_HELP: &str = "\
Variables as NAME=VALUE. VALUE is a .npy file (anything containing `/` or ending in .npy \
is read as a file) or a literal typed as in expressions: 2.5 (float64), 3 (int32), \
True/true, 1+2j, -4, 'text'";

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
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS))]
    pub(crate) threads: Option<u64>,
    /// Time R runs after one warm-up (file reading and writing excluded) and end with a
    /// `time: median_s=... min_s=... max_s=... runs=R` line.
    #[arg(long, value_name = "R", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) time: Option<u64>,
}

/// `vexpr dis EXPR [NAME=VALUE ...]`.
#[derive(Debug, Args)]
pub(crate) struct DisArgs {
    /// The expression (put it after `--` if it starts with `-`).
    #[arg(value_name = "EXPR")]
    pub(crate) expr: String,
    /// The variables, unparsed.
    #[arg(value_name = "NAME=VALUE", help = VALUE_HELP)]
    pub(crate) bindings: Vec<String>,
}

/// `vexpr demo [--n N]`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Elements per generated input array.
    #[arg(long = "n", value_name = "N", default_value_t = 10_000_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) n: u64,
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
        ] {
            let argv = std::iter::once("vexpr").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(argv).is_err(), "{bad:?}");
        }
    }
}
