//! Syntax tree to [`Hir`]: name resolution, numexpr's casting rules, constant folding.

use std::sync::Arc;

use super::Hir;
use crate::api::Signature;
use crate::error::Error;
use crate::syntax::ast::Expr;

/// Type `ast` against the variables in `sig`.
pub(crate) fn lower(ast: &Expr<'_>, source: &Arc<str>, sig: &Signature) -> Result<Hir, Error> {
    let _ = (ast, source, sig);
    todo!("hir: typing")
}
