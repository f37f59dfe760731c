//! The adapter between the `logos` lexer and the `lalrpop` parser.
//!
//! In: the source text. Out: an iterator of `(start, token, end)` triples with byte offsets,
//! as lalrpop's `extern` block wants, ending at the first [`LexError`]. On the way it
//! turns the tokens that exist only to be refused ([`Token::PythonKeyword`],
//! [`Token::Unsupported`], [`Token::Newline`]) into errors with a helpful message, turns a
//! name after `.` into [`Token::Attr`] (or refuses it: only `.real` and `.imag` exist), and
//! tracks brackets: an unmatched `)` is refused here, nesting deeper than
//! [`MAX_NESTING`] is a limit error at the bracket that crosses it, and the open brackets
//! and the last tokens stay readable afterwards so the parser can word its errors
//! ("`(` was never closed"). The bracket stack never holds more than `MAX_NESTING` entries.

use logos::Logos;

use super::ast::Attr;
use super::token::Token;
use crate::error::{Error, ErrorKind, Span};
use crate::limits::MAX_NESTING;

/// A lexical error (or a grammar-action error: the parser reuses the type): what, where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    /// [`ErrorKind::Syntax`] or [`ErrorKind::Limit`].
    pub kind: ErrorKind,
    /// The offending bytes.
    pub span: Span,
    /// The message.
    pub message: String,
}

impl LexError {
    /// A syntax error at `span`.
    pub(crate) fn syntax(span: Span, message: impl Into<String>) -> LexError {
        LexError {
            kind: ErrorKind::Syntax,
            span,
            message: message.into(),
        }
    }
}

/// Required by `logos`; every error the lexer builds comes from a callback instead.
impl Default for LexError {
    fn default() -> LexError {
        LexError::syntax(Span::default(), "unexpected input")
    }
}

impl From<LexError> for Error {
    fn from(e: LexError) -> Error {
        Error::at(e.kind, e.span, e.message)
    }
}

/// An open bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bracket {
    /// The `(` token's span.
    pub span: Span,
    /// Whether it opens a call's argument list (it follows a name).
    pub is_call: bool,
}

/// The token stream the parser reads: `logos` tokens, checked and located.
pub(crate) struct TokenStream<'s> {
    /// The underlying lexer.
    lexer: logos::Lexer<'s, Token<'s>>,
    /// The brackets open so far, innermost last (at most `MAX_NESTING`).
    open: Vec<Bracket>,
    /// The last token handed out, and the one before it.
    last: [Option<Token<'s>>; 2],
    /// How many tokens were handed out.
    count: usize,
    /// Set after an error: the stream then ends.
    failed: bool,
}

impl<'s> TokenStream<'s> {
    /// A stream over `src`.
    pub(crate) fn new(src: &'s str) -> TokenStream<'s> {
        TokenStream {
            lexer: Token::lexer(src),
            open: Vec::new(),
            last: [None, None],
            count: 0,
            failed: false,
        }
    }

    /// The innermost bracket still open.
    pub(crate) fn innermost_open(&self) -> Option<Bracket> {
        self.open.last().copied()
    }

    /// The token before the last one handed out (the last is the one the parser choked on).
    pub(crate) fn before_last(&self) -> Option<Token<'s>> {
        self.last[1]
    }

    /// Whether no token was handed out at all (the source is blank or a comment).
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Checks one token from `logos`, updating the bracket stack.
    fn check(&mut self, token: Token<'s>, span: Span) -> Result<Token<'s>, LexError> {
        match token {
            Token::LParen => {
                if self.open.len() >= MAX_NESTING {
                    return Err(LexError {
                        kind: ErrorKind::Limit,
                        span,
                        message: format!("nesting deeper than {MAX_NESTING} brackets"),
                    });
                }
                let is_call = matches!(self.last[0], Some(Token::Name(_)));
                self.open.push(Bracket { span, is_call });
                Ok(token)
            }
            Token::RParen => match self.open.pop() {
                Some(_) => Ok(token),
                None => Err(LexError::syntax(span, "unmatched `)`")),
            },
            Token::Name(name) if self.last[0] == Some(Token::Dot) => match name {
                "real" => Ok(Token::Attr(Attr::Real)),
                "imag" => Ok(Token::Attr(Attr::Imag)),
                _ => Err(LexError::syntax(
                    span,
                    format!("attribute `.{name}` is not supported (only `.real` and `.imag`)"),
                )),
            },
            Token::PythonKeyword(word) => Err(LexError::syntax(
                span,
                format!("`{word}` is not supported in vexpr expressions"),
            )),
            Token::Unsupported(text) => Err(LexError::syntax(span, unsupported_message(text))),
            Token::Newline => Err(LexError::syntax(span, "newline in expression")),
            _ => Ok(token),
        }
    }
}

/// Why a piece of punctuation is refused, naming the construct it belongs to.
fn unsupported_message(text: &str) -> String {
    let why = match text {
        "[" | "]" => "subscripts and lists are not supported",
        "{" | "}" => "sets and dicts are not supported",
        ":" => "slices, lambdas and annotations are not supported",
        ";" => "an expression is a single statement",
        "@" => "the matrix product is not supported",
        "?" => "for a conditional, write `x if cond else y`",
        "!" => "for negation, write `~x` or `not x`",
        "&&" => "for a logical and, write `&` or `and`",
        "||" => "for a logical or, write `|` or `or`",
        "<>" => "for inequality, write `!=`",
        _ => "it is not part of the language",
    };
    format!("unexpected `{text}`: {why}")
}

impl<'s> Iterator for TokenStream<'s> {
    type Item = Result<(usize, Token<'s>, usize), LexError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let result = self.lexer.next()?;
        let span = Span::from(self.lexer.span());
        let checked = result.and_then(|token| self.check(token, span));
        match checked {
            Ok(token) => {
                self.last = [Some(token), self.last[0]];
                self.count += 1;
                Some(Ok((span.start, token, span.end)))
            }
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}
