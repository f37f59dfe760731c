//! The REPL's own small language: what one input line asks for.
//!
//! In: one line. Out: a [`Statement`] borrowing pieces of the line, or a [`Failure`] for a
//! malformed command. Builtins are REPL statements, not expressions: a line is a builtin call
//! only when a builtin's name and its parenthesised arguments make up the whole line (or the
//! whole right-hand side of `name = ...`); anything else is handed to the expression
//! compiler unchanged. So `x = zeros(3)` is the builtin, while `zeros + 1` and
//! `x = sum(a)` are expressions, and a variable may be named like a builtin or a function.
//!
//! Invariant: the scanner is a single loop over the characters (no recursion), and every
//! offset it returns lies on a character boundary of the line, so slicing cannot fail.

use crate::Failure;

/// What a line asks for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Statement<'a> {
    /// Nothing (a blank line or a comment).
    Empty,
    /// Leave the REPL (`:quit`, `:q`, `exit`, `quit`).
    Quit,
    /// A `:command`.
    Command(Command<'a>),
    /// `save(x, "out.npy")`.
    Save(Vec<Arg<'a>>),
    /// A builtin call, stored in `target` or printed when there is none.
    Call {
        /// The variable to assign, if any.
        target: Option<&'a str>,
        /// Which builtin.
        builtin: Builtin,
        /// Its arguments, unevaluated.
        args: Vec<Arg<'a>>,
    },
    /// `name = expression`.
    Assign {
        /// The variable to assign.
        target: &'a str,
        /// The expression source.
        expr: &'a str,
    },
    /// An expression whose result is printed.
    Expr(&'a str),
}

/// A `:command` and its argument.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Command<'a> {
    /// `:dis EXPR`: the bytecode.
    Dis(&'a str),
    /// `:time EXPR`: the median of several runs.
    Time(&'a str),
    /// `:threads [N]`: show or set the thread count.
    Threads(Option<usize>),
    /// `:precision [high|fast]`: show or set the precision of transcendental functions.
    Precision(Option<vexpr::Precision>),
    /// `:jit [off|auto|always]`: show or set when the native tier compiles.
    Jit(Option<vexpr::Jit>),
    /// `:vars`: the session's variables.
    Vars,
    /// `:isa`: the active SIMD path.
    Isa,
    /// `:help`.
    Help,
}

/// The builtins that make arrays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    /// `load("x.npy")`.
    Load,
    /// `linspace(start, stop[, num][, endpoint=True])`.
    Linspace,
    /// `arange(stop)`, `arange(start, stop[, step])`.
    Arange,
    /// `random(shape, seed=S)`.
    Random,
    /// `zeros(shape)`.
    Zeros,
    /// `ones(shape)`.
    Ones,
}

impl Builtin {
    /// Every builtin with its name.
    pub(crate) const ALL: [(&'static str, Builtin); 6] = [
        ("load", Builtin::Load),
        ("linspace", Builtin::Linspace),
        ("arange", Builtin::Arange),
        ("random", Builtin::Random),
        ("zeros", Builtin::Zeros),
        ("ones", Builtin::Ones),
    ];

    /// The builtin called `name`.
    pub(crate) fn named(name: &str) -> Option<Builtin> {
        Builtin::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, b)| b)
    }

    /// Its name.
    pub(crate) fn name(self) -> &'static str {
        Builtin::ALL
            .iter()
            .find(|(_, b)| *b == self)
            .map_or("?", |(n, _)| n)
    }
}

/// One argument of a call: `text` or `keyword=text`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Arg<'a> {
    /// The keyword, for `keyword=text`.
    pub(crate) keyword: Option<&'a str>,
    /// The argument's source, trimmed.
    pub(crate) text: &'a str,
}

/// What one line asks for.
pub(crate) fn parse(line: &str) -> Result<Statement<'_>, Failure> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Statement::Empty);
    }
    if matches!(
        line,
        ":quit" | ":q" | ":exit" | "exit" | "quit" | "exit()" | "quit()"
    ) {
        return Ok(Statement::Quit);
    }
    if let Some(command) = line.strip_prefix(':') {
        return parse_command(command).map(Statement::Command);
    }
    let (target, rhs) = match split_assignment(line) {
        Some((target, rhs)) => (Some(target), rhs),
        None => (None, line),
    };
    if let Some((name, inner)) = call_parts(rhs) {
        if let Some(builtin) = Builtin::named(name) {
            let args = split_args(inner)?;
            return Ok(Statement::Call {
                target,
                builtin,
                args,
            });
        }
        if name == "save" {
            return match target {
                None => Ok(Statement::Save(split_args(inner)?)),
                Some(_) => Err(Failure::msg("save(...) gives no value to assign")),
            };
        }
    }
    Ok(match target {
        Some(target) => Statement::Assign { target, expr: rhs },
        None => Statement::Expr(line),
    })
}

/// A `:command` (the text after the colon).
fn parse_command(text: &str) -> Result<Command<'_>, Failure> {
    let (name, arg) = match text.split_once(char::is_whitespace) {
        Some((name, arg)) => (name, arg.trim()),
        None => (text, ""),
    };
    let needs_expr = |arg: &str| {
        if arg.is_empty() {
            Err(Failure::msg(format!("usage: :{name} EXPR")))
        } else {
            Ok(())
        }
    };
    let no_arg = |command: Command<'static>| {
        if arg.is_empty() {
            Ok(command)
        } else {
            Err(Failure::msg(format!(":{name} takes no argument")))
        }
    };
    match name {
        "dis" => needs_expr(arg).map(|()| Command::Dis(arg)),
        "time" => needs_expr(arg).map(|()| Command::Time(arg)),
        "threads" if arg.is_empty() => Ok(Command::Threads(None)),
        "threads" => arg
            .parse::<usize>()
            .map(|n| Command::Threads(Some(n)))
            .map_err(|_| Failure::msg(format!("usage: :threads [N], not `:threads {arg}`"))),
        "precision" if arg.is_empty() => Ok(Command::Precision(None)),
        "precision" => arg
            .parse::<vexpr::Precision>()
            .map(|p| Command::Precision(Some(p)))
            .map_err(|_| {
                Failure::msg(format!(
                    "usage: :precision [high|fast], not `:precision {arg}`"
                ))
            }),
        "jit" if arg.is_empty() => Ok(Command::Jit(None)),
        "jit" => arg
            .parse::<vexpr::Jit>()
            .map(|j| Command::Jit(Some(j)))
            .map_err(|_| Failure::msg(format!("usage: :jit [off|auto|always], not `:jit {arg}`"))),
        "vars" => no_arg(Command::Vars),
        "isa" => no_arg(Command::Isa),
        "help" | "h" | "?" => no_arg(Command::Help),
        _ => Err(Failure::msg(format!(
            "unknown command `:{name}` (:help lists them)"
        ))),
    }
}

/// The identifier at the start of `text` and what follows it.
fn leading_identifier(text: &str) -> Option<(&str, &str)> {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(text.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    Some(text.split_at(end))
}

/// `name = rest` (a single `=`, not `==`) as `(name, rest)`, both trimmed.
fn split_assignment(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = leading_identifier(text.trim_start())?;
    let rest = rest.trim_start().strip_prefix('=')?;
    if rest.starts_with('=') {
        return None;
    }
    Some((name, rest.trim()))
}

/// `name(inner)` filling all of `text`, as `(name, inner)`.
fn call_parts(text: &str) -> Option<(&str, &str)> {
    let (name, rest) = leading_identifier(text.trim())?;
    Some((name, parenthesised(rest)?))
}

/// The inside of `(inner)` when those parentheses enclose all of `text` (trimmed).
fn parenthesised(text: &str) -> Option<&str> {
    let text = text.trim();
    if !text.starts_with('(') {
        return None;
    }
    // The `(` at offset 0 is closed by the first `)` that brings the depth back to 0.
    let close = Structure::of(text)?
        .marks
        .iter()
        .find(|m| m.ch == ')' && m.depth == 0)?
        .offset;
    (close + 1 == text.len())
        .then(|| text.get(1..close))
        .flatten()
}

/// The comma-separated arguments of a call; one trailing comma is allowed.
pub(crate) fn split_args(inner: &str) -> Result<Vec<Arg<'_>>, Failure> {
    let pieces = top_level_items(inner)
        .ok_or_else(|| Failure::msg("unbalanced parentheses or quotes in the arguments"))?;
    pieces
        .into_iter()
        .map(|piece| {
            if piece.is_empty() {
                return Err(Failure::msg("an argument is missing between commas"));
            }
            Ok(match split_assignment(piece) {
                Some((keyword, text)) => Arg {
                    keyword: Some(keyword),
                    text,
                },
                None => Arg {
                    keyword: None,
                    text: piece,
                },
            })
        })
        .collect()
}

/// The items of a parenthesised tuple filling `text` (`(3, 4)`, `(3,)`, `()`), or `None`
/// when `text` is not a tuple (`(3)` is just 3, as in Python).
pub(crate) fn tuple_items(text: &str) -> Option<Vec<&str>> {
    let inner = parenthesised(text)?;
    let has_comma = Structure::of(inner)?
        .marks
        .iter()
        .any(|m| m.ch == ',' && m.depth == 0);
    if !has_comma && !inner.trim().is_empty() {
        return None;
    }
    top_level_items(inner)
}

/// The comma-separated items of `text` at nesting depth 0, each trimmed; an empty text has
/// none, and one trailing empty item (a trailing comma) is dropped. `None` when the
/// parentheses or quotes do not balance.
fn top_level_items(text: &str) -> Option<Vec<&str>> {
    let structure = Structure::of(text)?;
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    let mut items = Vec::new();
    let mut start = 0;
    for m in structure
        .marks
        .iter()
        .filter(|m| m.ch == ',' && m.depth == 0)
    {
        items.push(text.get(start..m.offset)?.trim());
        start = m.offset + 1;
    }
    let last = text.get(start..)?.trim();
    // A trailing comma leaves an empty last item, which is dropped.
    if !last.is_empty() || items.is_empty() {
        items.push(last);
    }
    Some(items)
}

/// A parenthesis or comma outside quotes.
#[derive(Clone, Copy, Debug)]
struct Mark {
    /// Its byte offset.
    offset: usize,
    /// `(`, `)` or `,`.
    ch: char,
    /// The nesting depth outside it (for `(` before it opens, for `)` after it closes).
    depth: usize,
}

/// The parentheses and commas of a text, outside its quoted strings.
struct Structure {
    /// In the order they appear.
    marks: Vec<Mark>,
}

impl Structure {
    /// The structure of `text`, or `None` if a quote is left open or a `)` has no `(`,
    /// or a `(` is never closed.
    fn of(text: &str) -> Option<Structure> {
        let mut marks = Vec::new();
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        for (offset, ch) in text.char_indices() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == q {
                    quote = None;
                }
                continue;
            }
            match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => {
                    marks.push(Mark { offset, ch, depth });
                    depth += 1;
                }
                ')' => {
                    depth = depth.checked_sub(1)?;
                    marks.push(Mark { offset, ch, depth });
                }
                ',' => marks.push(Mark { offset, ch, depth }),
                _ => {}
            }
        }
        (quote.is_none() && depth == 0).then_some(Structure { marks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Statement<'_> {
        parse(line).unwrap_or_else(|f| panic!("{line}: {f}"))
    }

    fn err(line: &str) -> String {
        match parse(line) {
            Ok(s) => panic!("{line}: parsed as {s:?}"),
            Err(f) => f.to_string(),
        }
    }

    fn pos(text: &str) -> Arg<'_> {
        Arg {
            keyword: None,
            text,
        }
    }

    #[test]
    fn blanks_comments_and_quitting() {
        assert_eq!(ok("   "), Statement::Empty);
        assert_eq!(ok("# note"), Statement::Empty);
        for quit in [":quit", ":q", "exit", " quit ", "exit()"] {
            assert_eq!(ok(quit), Statement::Quit, "{quit}");
        }
    }

    #[test]
    fn commands() {
        assert_eq!(ok(":dis a + 1"), Statement::Command(Command::Dis("a + 1")));
        assert_eq!(
            ok(":time  sin(a)"),
            Statement::Command(Command::Time("sin(a)"))
        );
        assert_eq!(ok(":threads"), Statement::Command(Command::Threads(None)));
        assert_eq!(
            ok(":threads 2"),
            Statement::Command(Command::Threads(Some(2)))
        );
        assert_eq!(ok(":vars"), Statement::Command(Command::Vars));
        assert_eq!(ok(":isa"), Statement::Command(Command::Isa));
        assert_eq!(
            ok(":precision"),
            Statement::Command(Command::Precision(None))
        );
        assert_eq!(
            ok(":precision FAST"),
            Statement::Command(Command::Precision(Some(vexpr::Precision::Fast)))
        );
        assert_eq!(
            err(":precision low"),
            "error: usage: :precision [high|fast], not `:precision low`"
        );
        assert_eq!(ok(":jit"), Statement::Command(Command::Jit(None)));
        assert_eq!(
            ok(":jit Always"),
            Statement::Command(Command::Jit(Some(vexpr::Jit::Always)))
        );
        assert_eq!(
            err(":jit sometimes"),
            "error: usage: :jit [off|auto|always], not `:jit sometimes`"
        );
        assert_eq!(ok(":help"), Statement::Command(Command::Help));
        assert_eq!(err(":dis"), "error: usage: :dis EXPR");
        assert_eq!(
            err(":threads two"),
            "error: usage: :threads [N], not `:threads two`"
        );
        assert_eq!(err(":vars x"), "error: :vars takes no argument");
        assert_eq!(
            err(":nope"),
            "error: unknown command `:nope` (:help lists them)"
        );
    }

    #[test]
    fn builtin_calls_with_and_without_target() {
        assert_eq!(
            ok("b = linspace(0, 1, 1_000_000)"),
            Statement::Call {
                target: Some("b"),
                builtin: Builtin::Linspace,
                args: vec![pos("0"), pos("1"), pos("1_000_000")],
            }
        );
        assert_eq!(
            ok("r=random(1e6, seed=1)"),
            Statement::Call {
                target: Some("r"),
                builtin: Builtin::Random,
                args: vec![
                    pos("1e6"),
                    Arg {
                        keyword: Some("seed"),
                        text: "1"
                    }
                ],
            }
        );
        assert_eq!(
            ok("zeros((3, 4),)"),
            Statement::Call {
                target: None,
                builtin: Builtin::Zeros,
                args: vec![pos("(3, 4)")],
            }
        );
        assert_eq!(
            ok(r#"a = load("dir/x,(y.npy")"#),
            Statement::Call {
                target: Some("a"),
                builtin: Builtin::Load,
                args: vec![pos(r#""dir/x,(y.npy""#)],
            }
        );
        assert_eq!(
            ok("c = arange()"),
            Statement::Call {
                target: Some("c"),
                builtin: Builtin::Arange,
                args: vec![],
            }
        );
        assert_eq!(
            ok("save(x, 'o.npy')"),
            Statement::Save(vec![pos("x"), pos("'o.npy'")])
        );
        assert_eq!(
            err("zeros(1,,2)"),
            "error: an argument is missing between commas"
        );
        assert_eq!(
            err("y = save(x, 'o.npy')"),
            "error: save(...) gives no value to assign"
        );
    }

    #[test]
    fn everything_else_is_an_expression() {
        assert_eq!(
            ok("x = a**2 + 1"),
            Statement::Assign {
                target: "x",
                expr: "a**2 + 1"
            }
        );
        assert_eq!(ok("a == b"), Statement::Expr("a == b"));
        assert_eq!(ok("a <= b"), Statement::Expr("a <= b"));
        assert_eq!(ok("zeros + 1"), Statement::Expr("zeros + 1"));
        assert_eq!(ok("zeros(3) + 1"), Statement::Expr("zeros(3) + 1"));
        assert_eq!(ok("sum(a, axis=0)"), Statement::Expr("sum(a, axis=0)"));
        assert_eq!(ok("zeros(3"), Statement::Expr("zeros(3"));
        assert_eq!(ok("ones_like(a)"), Statement::Expr("ones_like(a)"));
        assert_eq!(
            ok("sum = where(a > 0, a, 0)"),
            Statement::Assign {
                target: "sum",
                expr: "where(a > 0, a, 0)"
            }
        );
        // Not an identifier on the left: the compiler reports it.
        assert_eq!(ok("1 = a"), Statement::Expr("1 = a"));
    }

    #[test]
    fn tuples() {
        assert_eq!(tuple_items("(3, 4)"), Some(vec!["3", "4"]));
        assert_eq!(tuple_items(" (3,) "), Some(vec!["3"]));
        assert_eq!(tuple_items("()"), Some(vec![]));
        assert_eq!(tuple_items("(3)"), None);
        assert_eq!(tuple_items("3"), None);
        assert_eq!(tuple_items("(1, (2))"), Some(vec!["1", "(2)"]));
        assert_eq!(tuple_items("(1) + (2, 3)"), None);
    }

    #[test]
    fn unbalanced_text_has_no_structure() {
        for bad in ["(", ")", "'abc", "(a))", r#""\""#] {
            assert!(Structure::of(bad).is_none(), "{bad}");
        }
        assert!(Structure::of(r#"'it\'s (' "x)""#).is_some());
    }
}
