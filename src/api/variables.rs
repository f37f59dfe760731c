//! The names an expression reads as variables, found without a [`Signature`](crate::Signature).
//!
//! In: the expression text. Out: each variable name once, in order of first appearance in the
//! source. A binding that looks variables up in a caller's scope (the Python package's
//! `evaluate`, as numexpr does) needs the names before it can know their dtypes, so before it
//! can [`compile`](crate::compile). Called names (`sin` in `sin(x)`) and keywords (`axis`) are
//! not variables; a name used both ways (`sum(sum)`) is one. Only parsing can fail here:
//! typing errors are reported by `compile`.

use std::sync::Arc;

use bumpalo::Bump;

use crate::error::Error;
use crate::syntax::{self, ast::ExprKind};

/// The variable names `expr` reads, each once, in order of first appearance.
///
/// Errors are the parser's: a [`Syntax`](crate::ErrorKind::Syntax) or
/// [`Limit`](crate::ErrorKind::Limit) error with its span.
///
/// ```
/// let names = vexpr::variables("where(b > 0, sin(a) * b, sum)")?;
/// assert_eq!(names, ["b", "a", "sum"]);
/// assert!(vexpr::variables("a +").is_err());
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn variables(expr: &str) -> Result<Vec<String>, Error> {
    let arena = Bump::new();
    let root = syntax::parse(expr, &arena).map_err(|e| e.with_source(&Arc::from(expr)))?;
    let mut names: Vec<String> = Vec::new();
    // Pre-order with an explicit stack (children pushed in reverse), so deep trees cannot
    // overflow the call stack and names come out left to right.
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Name(name) => {
                if !names.iter().any(|n| n == name) {
                    names.push((*name).to_string());
                }
            }
            ExprKind::Unary { arg, .. } | ExprKind::Attr { arg, .. } => stack.push(arg),
            ExprKind::Binary { lhs, rhs, .. } => stack.extend([*rhs, *lhs]),
            ExprKind::Compare { first, rest } => {
                stack.extend(rest.iter().rev().map(|(_, _, e)| *e));
                stack.push(first);
            }
            ExprKind::IfElse {
                then,
                cond,
                otherwise,
            } => stack.extend([*otherwise, *cond, *then]),
            ExprKind::Call { args, kwargs, .. } => {
                stack.extend(kwargs.iter().rev().map(|k| k.value));
                stack.extend(args.iter().rev().copied());
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Imag(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLit
            | ExprKind::Str(_) => {}
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn names(src: &str) -> Vec<String> {
        variables(src).unwrap()
    }

    #[test]
    fn every_form_in_source_order() {
        assert_eq!(names("a**2 + b**2 + 2*a*b"), ["a", "b"]);
        assert_eq!(
            names("x if c < d < e else -y.real"),
            ["x", "c", "d", "e", "y"]
        );
        assert_eq!(names("not p and q or ~r"), ["p", "q", "r"]);
        assert_eq!(names("sum(w * v, axis=k)"), ["w", "v", "k"]);
        assert_eq!(names("contains(s, b'abc') & (t == 'x')"), ["s", "t"]);
    }

    #[test]
    fn literals_and_called_names_are_not_variables() {
        assert!(names("1 + 2.5j - True // 0x1F").is_empty());
        assert!(names("sum(1, axis=None)").is_empty());
        assert_eq!(names("where(where, sin, cos(x))"), ["where", "sin", "x"]);
    }

    #[test]
    fn parse_errors_keep_their_span() {
        let e = variables("a + * b").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Syntax);
        assert_eq!(e.span().map(|s| s.start), Some(4));
        // Rendered with the expression and a caret under the culprit.
        assert!(e.to_string().ends_with("a + * b\n      ^"), "{e}");
    }

    #[test]
    fn deep_nesting_is_a_limit_not_a_crash() {
        let flat = vec!["x"; 50_000].join("+");
        assert_eq!(names(&flat), ["x"]);
        let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(variables(&deep).unwrap_err().kind(), ErrorKind::Limit);
    }
}
