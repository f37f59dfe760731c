//! Source text to syntax tree: the `logos` lexer ([`token`], adapted by [`lexer`]) feeds the
//! table-driven `lalrpop` parser ([`parser`], generated from `grammar/expr.lalrpop`), which
//! allocates the [`ast`] in a `bumpalo` arena.
//!
//! In: the expression text. Out: the root [`Expr`], or the first error with the span of the
//! offending token. Invariants: nothing recurses over the input (the parser's stack is on
//! the heap), the input is at most [`MAX_SOURCE_LEN`] bytes and at most [`MAX_NESTING`](crate::limits::MAX_NESTING)
//! brackets deep, and every span lies on `char` boundaries of the source.

pub(crate) mod ast;
pub(crate) mod lexer;
pub(crate) mod parser;
pub(crate) mod token;

#[cfg(test)]
mod tests;

use bumpalo::Bump;

use crate::error::{Error, ErrorKind, Span};
use crate::limits::MAX_SOURCE_LEN;
use ast::Expr;

/// Parse `src` into a tree allocated in `arena`.
///
/// Errors: [`ErrorKind::Syntax`] with the offending token's span,
/// [`ErrorKind::Limit`] beyond [`crate::limits`] (source longer than
/// [`MAX_SOURCE_LEN`] bytes, brackets nested deeper than [`MAX_NESTING`](crate::limits::MAX_NESTING)).
pub(crate) fn parse<'a>(src: &'a str, arena: &'a Bump) -> Result<&'a Expr<'a>, Error> {
    if src.len() > MAX_SOURCE_LEN {
        // Point at what lies beyond the limit (from a char boundary, for the caret).
        let mut start = MAX_SOURCE_LEN;
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        return Err(Error::at(
            ErrorKind::Limit,
            Span::new(start, src.len()),
            format!(
                "expression is too long ({} bytes; the limit is {MAX_SOURCE_LEN})",
                src.len()
            ),
        ));
    }
    parser::parse_source(src, arena)
}
