//! The interactive session (`vexpr` with no arguments).
//!
//! In: lines, from `rustyline` when stdin is a terminal (editing, history kept between
//! sessions) or read plainly otherwise (no prompt, so it can be scripted). Out: results on
//! stdout, errors on stderr. At a terminal an error never ends the session and leaving has
//! status 0; a script stops at the first statement that fails, with status 1 (with
//! `--keep-going` it runs the rest, and still ends with status 1). A session holds named
//! arrays; each line is one [`Statement`]; the builtins may also appear inside expressions
//! (`sum(random(1e6))`, see `inline`).
//!
//! Ctrl-C: at the prompt rustyline reports it as a key and the line is dropped; while an
//! evaluation runs, the terminal sends SIGINT, whose handler sets [`CANCEL`], which every
//! evaluation receives through `RunOptions::cancel` and every builtin checks while filling.
//! The flag is cleared before each line.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::{Config, DefaultEditor};
use vexpr::{Array, Compiled, RunOptions, Vars};

use crate::statement::{self, Command, Statement};
use crate::{Failure, builtins, emit, inline, progress, report, show, timing, value};

/// Set by Ctrl-C (SIGINT) to cancel the running evaluation.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// The prompt of an interactive session.
const PROMPT: &str = "vexpr> ";

/// Most history entries kept.
const HISTORY_SIZE: usize = 1000;

/// What `:help` prints.
const HELP: &str = "\
Expressions use numexpr's language over the session's arrays:
  a**2 + b**2 + 2*a*b        print the result
  x = where(a > 0.5, a, b)   store the result as x
Builtins (also inside expressions: sum(sin(random(1e6)))):
  a = load(\"x.npy\")          read a .npy file (wrap_uint64=True reads uint64 as int64)
  b = linspace(0, 1, 1_000_000[, endpoint=False])
  c = arange(10)             also arange(start, stop[, step])
  r = random(1e6, seed=1)    uniform in [0, 1), float64
  z = zeros(1000)            ones(...) too; shapes like zeros((3, 4))
  save(x, \"out.npy\")         write a variable (or an expression) to a .npy file
Commands:
  :dis EXPR      the optimised bytecode
  :time EXPR     median, min and max of several runs
  :threads [N]   show or set the number of threads
  :precision [high|fast]  show or set the precision of exp, sin, ... (fast: 4 ulp)
  :jit [off|auto|always]  show or set when expressions are compiled to machine code
  :vars          the variables, with dtype, shape and memory
  :isa           the active SIMD instruction set
  :help          this text
  :quit          leave (also :q, exit, quit, Ctrl-D)
Ctrl-C cancels a running evaluation or the line being typed.
A script (vexpr < file) stops at the first error, exit status 1; vexpr --keep-going runs on.";

/// Run the session until the input ends or the user quits. A script stops at the first
/// failing statement unless `keep_going`, and fails if any statement failed.
pub(crate) fn run(keep_going: bool) -> Result<(), Failure> {
    // Without the handler Ctrl-C would kill the session; if it cannot be installed the
    // session still works, only without cancellation.
    let _ = ctrlc::set_handler(|| CANCEL.store(true, Ordering::SeqCst));
    let mut input = Input::open();
    if input.is_interactive() {
        emit(format_args!(
            "vexpr {} (isa {}, {} threads). Type :help for help, :quit to leave.",
            env!("CARGO_PKG_VERSION"),
            vexpr::active_isa(),
            vexpr::get_num_threads()
        ))?;
    }
    let mut session = Session::default();
    let mut failed = false;
    let outcome = loop {
        let line = match input.next_line() {
            Ok(Line::Text(line)) => line,
            Ok(Line::Interrupted) => continue,
            Ok(Line::End) => break Ok(()),
            Err(failure) => break Err(failure),
        };
        CANCEL.store(false, Ordering::SeqCst);
        match session.execute(&line) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Quit) | Err(Failure::Closed) => break Ok(()),
            Err(failure) => {
                // The terminal echoed `^C` where the cursor was: start a fresh line.
                if input.is_interactive() && CANCEL.load(Ordering::SeqCst) {
                    let _ = writeln!(io::stderr());
                }
                report(&failure);
                if !input.is_interactive() {
                    failed = true;
                    if !keep_going {
                        break Ok(());
                    }
                }
            }
        }
    };
    input.close();
    match outcome {
        Ok(()) if failed => Err(Failure::Reported),
        other => other,
    }
}

/// Whether the session goes on after a line.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    /// Read the next line.
    Continue,
    /// Leave.
    Quit,
}

/// The session's variables, in the order they were first assigned.
#[derive(Default)]
struct Session {
    /// Name and value of each variable.
    variables: Vec<(String, Array)>,
}

impl Session {
    /// The variable `name`.
    fn get(&self, name: &str) -> Option<&Array> {
        self.variables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, a)| a)
    }

    /// Assign `name` (a new variable goes last; an existing one keeps its place).
    fn set(&mut self, name: &str, value: Array) -> Result<(), Failure> {
        if !value::is_variable_name(name) {
            return Err(Failure::msg(format!("`{name}` cannot be a variable name")));
        }
        match self.variables.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.variables.push((name.to_string(), value)),
        }
        Ok(())
    }

    /// All variables, borrowed, for an evaluation.
    fn vars(&self) -> Vars<'_> {
        let mut vars = Vars::new();
        for (name, array) in &self.variables {
            vars.insert(name, array);
        }
        vars
    }

    /// `expr` with its builtin calls made into arrays, and the variables to compile it with.
    fn expand(&self, expr: &str) -> Result<inline::Expanded, Failure> {
        inline::expand(expr, |name| self.get(name).is_some(), &CANCEL)
    }

    /// Compile an expanded expression (errors about the user's text).
    fn compile<'s>(
        &'s self,
        expr: &str,
        e: &'s inline::Expanded,
    ) -> Result<(Vars<'s>, Compiled), Failure> {
        let mut vars = self.vars();
        for (name, _, array) in &e.made {
            vars.insert(name, array);
        }
        let compiled = vexpr::compile(&e.text, &vars.signature())
            .map_err(|err| inline::restore(err, expr, &e.made))?;
        Ok((vars, compiled))
    }

    /// Compile and run `expr` over the session's variables, cancellable with Ctrl-C.
    fn evaluate(&self, expr: &str) -> Result<Array, Failure> {
        let expanded = self.expand(expr)?;
        let (vars, compiled) = self.compile(expr, &expanded)?;
        let elements = progress::broadcast_len(
            compiled
                .inputs()
                .filter_map(|(name, _)| vars.get(name).map(|v| v.shape())),
        );
        progress::watch(elements, 1, |counter| {
            let options = RunOptions::new().cancel(&CANCEL).progress(counter);
            compiled.run_with(&vars, &options)
        })
        .map_err(|err| inline::restore(err, expr, &expanded.made).into())
    }

    /// Carry out one line.
    fn execute(&mut self, line: &str) -> Result<Flow, Failure> {
        match statement::parse(line)? {
            Statement::Empty => {}
            Statement::Quit => return Ok(Flow::Quit),
            Statement::Command(command) => self.command(command)?,
            Statement::Save(args) => {
                let (source, path) = builtins::save_args(&args)?;
                let computed;
                let array = match self.get(source) {
                    Some(array) => array,
                    None => {
                        computed = self.evaluate(source)?;
                        &computed
                    }
                };
                vexpr::npy::write(&path, array)?;
            }
            Statement::Call {
                target,
                builtin,
                args,
            } => {
                let array = builtins::call(builtin, &args, &CANCEL)?;
                match target {
                    Some(name) => self.set(name, array)?,
                    None => emit(array)?,
                }
            }
            Statement::Assign { target, expr } => {
                // Check the name first, so a bad one is not reported after a long run.
                if !value::is_variable_name(target) {
                    return Err(Failure::msg(format!(
                        "`{target}` cannot be a variable name"
                    )));
                }
                let array = self.evaluate(expr)?;
                self.set(target, array)?;
            }
            Statement::Expr(expr) => emit(self.evaluate(expr)?)?,
        }
        Ok(Flow::Continue)
    }

    /// Carry out a `:command`.
    fn command(&self, command: Command<'_>) -> Result<(), Failure> {
        match command {
            Command::Dis(expr) => {
                let expanded = self.expand(expr)?;
                let (_, compiled) = self.compile(expr, &expanded)?;
                emit(compiled.to_string().trim_end())
            }
            Command::Time(expr) => self.time(expr),
            Command::Threads(None) => emit(format_args!("threads: {}", vexpr::get_num_threads())),
            Command::Threads(Some(n)) => {
                let before = vexpr::set_num_threads(n)?;
                emit(format_args!("threads: {n} (was {before})"))
            }
            Command::Precision(None) => emit(format_args!("precision: {}", vexpr::get_precision())),
            Command::Precision(Some(p)) => {
                let before = vexpr::set_precision(p);
                emit(format_args!("precision: {p} (was {before})"))
            }
            Command::Jit(None) => emit(format_args!("jit: {}", vexpr::get_jit())),
            Command::Jit(Some(j)) => {
                let before = vexpr::set_jit(j);
                emit(format_args!("jit: {j} (was {before})"))
            }
            Command::Vars => emit(self.table()),
            Command::Isa => emit(vexpr::active_isa()),
            Command::Help => emit(HELP),
        }
    }

    /// `:time EXPR`: one warm-up, then at least 3 runs and up to about a second of them.
    fn time(&self, expr: &str) -> Result<(), Failure> {
        let expanded = self.expand(expr)?;
        let (vars, compiled) = self.compile(expr, &expanded)?;
        let options = RunOptions::new().cancel(&CANCEL);
        let result = compiled.run_with(&vars, &options)?;
        let t = timing::adaptive(3, 100, Duration::from_secs(1), || {
            compiled.run_with(&vars, &options).map(drop)
        })?;
        // Elements processed: the largest input (a reduction's result is small).
        let elements = compiled
            .inputs()
            .filter_map(|(name, _)| vars.get(name).map(|v| v.shape().iter().product()))
            .fold(result.len(), usize::max);
        let rate = elements as f64 / t.median() / 1e6;
        emit(format_args!(
            "median {} (min {}, max {}, {} runs), {rate:.1} M elements/s",
            timing::human(t.median()),
            timing::human(t.min()),
            timing::human(t.max()),
            t.runs()
        ))
    }

    /// `:vars`: name, dtype, shape and memory of each variable, in columns.
    fn table(&self) -> String {
        if self.variables.is_empty() {
            return "no variables".to_string();
        }
        let mut rows = vec![["name", "dtype", "shape", "memory"].map(String::from)];
        for (name, array) in &self.variables {
            rows.push([
                name.clone(),
                array.dtype().to_string(),
                show::shape(array.shape()),
                show::memory(show::nbytes(array)),
            ]);
        }
        let widths: Vec<usize> = (0..4)
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        rows.iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(cell, &w)| format!("{cell:<w$}"))
                    .collect();
                cells.join("  ").trim_end().to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One read from the input.
enum Line {
    /// A line of text.
    Text(String),
    /// Ctrl-C at the prompt: the line was dropped.
    Interrupted,
    /// The input ended (Ctrl-D, or the end of a file or pipe).
    End,
}

/// Where lines come from.
enum Input {
    /// A terminal, with line editing and a history file (if one could be named).
    Editor {
        /// The line editor (boxed: it is large).
        editor: Box<DefaultEditor>,
        /// Where the history is loaded from and saved to.
        history: Option<PathBuf>,
    },
    /// A pipe or a file.
    Plain(io::StdinLock<'static>),
}

impl Input {
    /// The editor for a terminal, plain lines otherwise (or when the editor fails).
    fn open() -> Input {
        if io::stdin().is_terminal()
            && let Some(editor) = editor()
        {
            let history = history_path();
            let mut editor = Box::new(editor);
            if let Some(path) = &history {
                let _ = editor.load_history(path);
            }
            return Input::Editor { editor, history };
        }
        Input::Plain(io::stdin().lock())
    }

    /// Whether a person is typing (a terminal with the line editor).
    fn is_interactive(&self) -> bool {
        matches!(self, Input::Editor { .. })
    }

    /// The next line.
    fn next_line(&mut self) -> Result<Line, Failure> {
        match self {
            Input::Editor { editor, .. } => match editor.readline(PROMPT) {
                Ok(line) => Ok(Line::Text(line)),
                Err(ReadlineError::Interrupted) => Ok(Line::Interrupted),
                Err(ReadlineError::Eof) => Ok(Line::End),
                Err(e) => Err(Failure::msg(format!("cannot read the input: {e}"))),
            },
            Input::Plain(stdin) => {
                let mut bytes = Vec::new();
                match stdin.read_until(b'\n', &mut bytes) {
                    Ok(0) => Ok(Line::End),
                    Ok(_) => Ok(Line::Text(String::from_utf8_lossy(&bytes).into_owned())),
                    Err(e) => Err(Failure::msg(format!("cannot read the input: {e}"))),
                }
            }
        }
    }

    /// Save the history (silently giving up on failure).
    fn close(self) {
        if let Input::Editor {
            mut editor,
            history: Some(path),
        } = self
        {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = editor.save_history(&path);
        }
    }
}

/// A line editor with in-memory history (duplicates of the previous line are not added).
fn editor() -> Option<DefaultEditor> {
    let config = Config::builder()
        .auto_add_history(true)
        .max_history_size(HISTORY_SIZE)
        .ok()?
        .history_ignore_dups(true)
        .ok()?
        .build();
    DefaultEditor::with_config(config).ok()
}

/// The history file: `$VEXPR_HISTORY`, else `$XDG_STATE_HOME/vexpr/history`, else
/// `~/.local/state/vexpr/history`.
fn history_path() -> Option<PathBuf> {
    history_path_from(|name| std::env::var_os(name))
}

/// [`history_path`] with the environment read through `env`.
fn history_path_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(path) = var("VEXPR_HISTORY") {
        return Some(path);
    }
    // The XDG spec says relative paths are invalid and must be ignored.
    let state = var("XDG_STATE_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| var("HOME").map(|home| home.join(".local").join("state")))?;
    Some(state.join("vexpr").join("history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(session: &mut Session, line: &str) -> Result<Flow, String> {
        session.execute(line).map_err(|f| f.to_string())
    }

    #[test]
    fn assignments_builtins_and_errors() {
        let mut s = Session::default();
        assert_eq!(run(&mut s, "a = arange(4)"), Ok(Flow::Continue));
        assert_eq!(run(&mut s, "b = a * 2 + 1"), Ok(Flow::Continue));
        let b = s
            .get("b")
            .and_then(Array::as_i64)
            .map(|v| v.iter().copied().collect::<Vec<_>>());
        assert_eq!(b, Some(vec![1, 3, 5, 7]));
        // A name of a function or a builtin is a fine variable name.
        assert_eq!(run(&mut s, "sum = b - 1"), Ok(Flow::Continue));
        assert_eq!(run(&mut s, "zeros = sum(sum)"), Ok(Flow::Continue));
        assert_eq!(
            s.get("zeros").and_then(Array::to_scalar),
            Some(vexpr::Scalar::Int64(12))
        );
        let e = run(&mut s, "True = 1").unwrap_err();
        assert_eq!(e, "error: `True` cannot be a variable name");
        let e = run(&mut s, "q + 1").unwrap_err();
        assert!(e.starts_with("error: unknown variable `q`"), "{e}");
        assert_eq!(run(&mut s, ":quit"), Ok(Flow::Quit));
        assert_eq!(
            s.variables
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "sum", "zeros"]
        );
    }

    #[test]
    fn vars_table_lines_up() {
        let mut s = Session::default();
        assert_eq!(s.table(), "no variables");
        s.set(
            "long_name",
            Array::from(ndarray::Array1::<f64>::zeros(1000)),
        )
        .unwrap();
        s.set("k", Array::from_scalar(vexpr::Scalar::Bool(true)))
            .unwrap();
        assert_eq!(
            s.table(),
            "name       dtype    shape    memory\n\
             long_name  float64  (1000,)  7.8 KiB\n\
             k          bool     ()       1 B"
        );
    }

    #[test]
    fn history_path_follows_the_variables() {
        let path = |pairs: &[(&str, &str)]| {
            let env = |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            };
            history_path_from(env)
        };
        let all = [
            ("VEXPR_HISTORY", "/tmp/h"),
            ("XDG_STATE_HOME", "/state"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(path(&all), Some(PathBuf::from("/tmp/h")));
        assert_eq!(path(&all[1..]), Some(PathBuf::from("/state/vexpr/history")));
        assert_eq!(
            path(&[("XDG_STATE_HOME", "relative"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.local/state/vexpr/history"))
        );
        assert_eq!(
            path(&[("VEXPR_HISTORY", ""), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.local/state/vexpr/history"))
        );
        assert_eq!(path(&[]), None);
    }
}
