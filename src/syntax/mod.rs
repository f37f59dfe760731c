//! Source text to syntax tree: the `logos` lexer (`token`, `lexer`) feeds the table-driven
//! `lalrpop` parser (`parser`, generated from `grammar/expr.lalrpop`), which allocates the
//! [`ast`] in a `bumpalo` arena.

pub(crate) mod ast;

use bumpalo::Bump;

use crate::error::Error;
use ast::Expr;

/// Parse `src` into a tree allocated in `arena`.
///
/// Errors: [`ErrorKind::Syntax`](crate::ErrorKind::Syntax) with the offending token's span,
/// [`ErrorKind::Limit`](crate::ErrorKind::Limit) beyond [`crate::limits`].
pub(crate) fn parse<'a>(src: &'a str, arena: &'a Bump) -> Result<&'a Expr<'a>, Error> {
    let _ = (src, arena);
    todo!("syntax: lexer + parser")
}
