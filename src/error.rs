//! The one error type of the crate: a kind, a message, and where in the expression it happened.
//!
//! `Display` renders the expression with a caret under the culprit:
//!
//! ```text
//! error: unknown variable `q`
//!   a + q * 2
//!       ^
//! ```

use std::fmt;
use std::sync::Arc;

/// A half-open byte range `start..end` in the expression source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span that covers both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// What went wrong. The message carries the details; the kind is for programs.
///
/// ```
/// use vexpr::{ErrorKind, Vars};
/// let a = [1.0, 2.0];
/// let vars = Vars::new().with("a", &a);
/// let kind = |expr| vexpr::evaluate(expr, &vars).unwrap_err().kind();
/// assert_eq!(kind("a +"), ErrorKind::Syntax);
/// assert_eq!(kind("a + b"), ErrorKind::UnknownVariable);
/// assert_eq!(kind("frob(a)"), ErrorKind::UnknownFunction);
/// assert_eq!(kind("sum(a, axis=1)"), ErrorKind::Axis);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The expression is not in the language (including a bad literal).
    Syntax,
    /// The source, the nesting or another documented limit (see `vexpr::limits`) was exceeded.
    Limit,
    /// A name that is not among the variables.
    UnknownVariable,
    /// A call of a name that is not a function.
    UnknownFunction,
    /// A function called with the wrong number or kind of arguments (including keywords).
    Arity,
    /// An operation that is not defined for the kinds of its operands.
    Type,
    /// A constant that does not fit where it is used (an integer beyond int64, say).
    Overflow,
    /// Division or modulo by zero between constants.
    ZeroDivision,
    /// Operand shapes that do not broadcast.
    Shape,
    /// A reduction axis outside the operand's dimensions.
    Axis,
    /// An input the engine cannot take (uint64 without unsafe casting, too many dimensions, ...).
    Input,
    /// An output array of the wrong shape or kind.
    Output,
    /// Not enough memory for the result.
    Memory,
    /// The evaluation was cancelled by the caller.
    Cancelled,
    /// An internal failure that should never happen (a worker panicked, say).
    Internal,
}

/// An error from any stage: parsing, typing, compiling or running.
///
/// Its `Display` is the message, then the expression with a caret under the culprit when
/// the error has a position:
///
/// ```
/// use vexpr::{ErrorKind, Span, Vars};
/// let e = vexpr::evaluate("a + q * 2", &Vars::new().with("a", 1.0)).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::UnknownVariable);
/// assert_eq!(e.message(), "unknown variable `q`");
/// assert_eq!(e.span(), Some(Span::new(4, 5)));
/// assert_eq!(e.to_string(), "error: unknown variable `q`\n  a + q * 2\n      ^");
/// ```
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    span: Option<Span>,
    source: Option<Arc<str>>,
}

impl Error {
    /// An error with a message and no position.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: None,
            source: None,
        }
    }

    /// An error located at `span` in the expression.
    pub fn at(kind: ErrorKind, span: Span, message: impl Into<String>) -> Error {
        Error {
            span: Some(span),
            ..Error::new(kind, message)
        }
    }

    /// Attach the expression text, so `Display` can draw the caret. Keeps an existing one.
    pub fn with_source(mut self, source: &Arc<str>) -> Error {
        if self.source.is_none() {
            self.source = Some(source.clone());
        }
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without position or caret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the expression the error is, as a byte range.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The expression the span refers to, if known.
    pub fn source_text(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

/// Shown around the culprit when the expression is too long for one terminal line.
const CONTEXT_CHARS: usize = 60;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let (Some(span), Some(src)) = (self.span, self.source.as_deref()) {
            let (line, caret) = caret_lines(src, span);
            write!(f, "\n  {line}\n  {caret}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// The source line (clipped to a window around the span) and the caret line beneath it.
fn caret_lines(src: &str, span: Span) -> (String, String) {
    // Character positions, so a multi-byte character takes one column.
    let clamp = |b: usize| {
        let mut b = b.min(src.len());
        while !src.is_char_boundary(b) {
            b -= 1;
        }
        b
    };
    let (start, end) = (clamp(span.start), clamp(span.end.max(span.start)));
    let col = src[..start].chars().count();
    let width = src[start..end].chars().count().max(1);
    let total = src.chars().count();
    let first = col.saturating_sub(CONTEXT_CHARS);
    let last = (col + width + CONTEXT_CHARS).min(total);
    let shown: String = src
        .chars()
        .skip(first)
        .take(last - first)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let lead = if first > 0 { "..." } else { "" };
    let tail = if last < total { "..." } else { "" };
    let line = format!("{lead}{shown}{tail}");
    let caret = format!(
        "{}{}",
        " ".repeat(lead.len() + col - first),
        "^".repeat(width.min(last - col).max(1))
    );
    (line, caret)
}

/// Results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str, span: Span, msg: &str) -> String {
        Error::at(ErrorKind::UnknownVariable, span, msg)
            .with_source(&Arc::from(src))
            .to_string()
    }

    #[test]
    fn caret_under_the_culprit() {
        assert_eq!(
            render("a + q * 2", Span::new(4, 5), "unknown variable `q`"),
            "error: unknown variable `q`\n  a + q * 2\n      ^"
        );
    }

    #[test]
    fn caret_spans_the_whole_token() {
        let s = render(
            "sin(x) + foo(y)",
            Span::new(9, 12),
            "unknown function `foo`",
        );
        assert!(s.ends_with("\n  sin(x) + foo(y)\n           ^^^"), "{s}");
    }

    #[test]
    fn caret_at_end_of_input() {
        let s = render("a +", Span::new(3, 3), "unexpected end of expression");
        assert!(s.ends_with("\n  a +\n     ^"), "{s}");
    }

    #[test]
    fn long_source_is_clipped_around_the_span() {
        let src = format!("{}q{}", "a+".repeat(500), "+a".repeat(500));
        let s = render(&src, Span::new(1000, 1001), "unknown variable `q`");
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[1].len() < 140, "{}", lines[1]);
        let caret_col = lines[2].find('^').unwrap();
        assert_eq!(&lines[1][caret_col..caret_col + 1], "q");
    }

    #[test]
    fn multibyte_characters_take_one_column() {
        let s = render("é + q", Span::new(5, 6), "unknown variable `q`");
        assert!(s.ends_with("\n  é + q\n      ^"), "{s}");
    }

    #[test]
    fn no_caret_without_a_span() {
        let e = Error::new(ErrorKind::Shape, "shapes (3,) and (4,) do not broadcast");
        assert_eq!(
            e.to_string(),
            "error: shapes (3,) and (4,) do not broadcast"
        );
    }
}
