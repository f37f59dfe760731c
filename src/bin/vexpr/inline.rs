//! The REPL's builtins inside expressions: `sum(sin(random(1e8)))`.
//!
//! In: an expression that may call `load`, `linspace`, `arange`, `random`, `zeros` or
//! `ones`. Out: the same expression with each such call replaced by a fresh variable name
//! *of the same length*, and the arrays the calls make, so the library compiles the
//! expression as it is and every error span still points at the user's text; [`restore`]
//! puts the user's text back into an error.
//!
//! A call is a builtin's name (not preceded by a letter, digit, `_` or `.`) followed by
//! `(`, outside string literals; a session variable may share the name (`zeros + 1` is
//! the variable, `zeros(3)` the builtin).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use vexpr::Array;

use crate::statement::{self, Builtin};
use crate::{Failure, builtins};

/// An expression with its builtin calls replaced.
pub(crate) struct Expanded {
    /// The expression to compile: the user's, with placeholders of the same length.
    pub(crate) text: String,
    /// Each placeholder's name, the call it stands for, and its array.
    pub(crate) made: Vec<(String, String, Array)>,
}

/// Replace the builtin calls of `expr` by placeholder variables and make their arrays;
/// `taken` says whether a name is in use already. `cancel` interrupts the filling.
pub(crate) fn expand(
    expr: &str,
    taken: impl Fn(&str) -> bool,
    cancel: &AtomicBool,
) -> Result<Expanded, Failure> {
    let mut text = String::with_capacity(expr.len());
    let mut made: Vec<(String, String, Array)> = Vec::new();
    let mut copied = 0;
    for (start, end, builtin, inner) in calls(expr) {
        let call = &expr[start..end];
        let args = statement::split_args(inner).map_err(|f| f.about(call))?;
        let array = builtins::call(builtin, &args, cancel)?;
        let name = placeholder(call.len(), made.len(), |n| {
            taken(n) || made.iter().any(|(m, _, _)| m == n)
        })
        .ok_or_else(|| Failure::msg(format!("`{call}` is too short to stand in an expression")))?;
        text.push_str(&expr[copied..start]);
        text.push_str(&name);
        copied = end;
        made.push((name, call.to_string(), array));
    }
    text.push_str(&expr[copied..]);
    Ok(Expanded { text, made })
}

/// A variable name of exactly `len` bytes (`_0____`), not `taken`.
fn placeholder(len: usize, k: usize, taken: impl Fn(&str) -> bool) -> Option<String> {
    (k..k + 1000).find_map(|i| {
        let mut name = format!("_{i}");
        if name.len() > len {
            return None;
        }
        name.push_str(&"_".repeat(len - name.len()));
        (!taken(&name)).then_some(name)
    })
}

/// The builtin calls of `expr`: byte range, builtin, and the text inside the parentheses.
fn calls(expr: &str) -> Vec<(usize, usize, Builtin, &str)> {
    let bytes = expr.as_bytes();
    let ident = |b: u8| b == b'_' || b.is_ascii_alphanumeric();
    let mut out = Vec::new();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 1;
            } else if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'\'' || b == b'"' {
            quote = Some(b);
            i += 1;
            continue;
        }
        let starts_word = (b == b'_' || b.is_ascii_alphabetic())
            && (i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b'.'));
        if !starts_word {
            i += 1;
            continue;
        }
        let mut end = i;
        while end < bytes.len() && ident(bytes[end]) {
            end += 1;
        }
        let open = end + expr[end..].len() - expr[end..].trim_start().len();
        if let (Some(builtin), Some(b'(')) = (Builtin::named(&expr[i..end]), bytes.get(open))
            && let Some(close) = closing(expr, open)
        {
            out.push((i, close + 1, builtin, &expr[open + 1..close]));
            i = close + 1;
        } else {
            i = end;
        }
    }
    out
}

/// The offset of the `)` that closes the `(` at `open`, outside string literals.
fn closing(expr: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (k, c) in expr[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// An error about the expanded text, told about the user's: the same span (placeholders
/// have the calls' lengths) drawn under the user's expression, placeholder names replaced
/// by their calls.
pub(crate) fn restore(
    e: vexpr::Error,
    expr: &str,
    made: &[(String, String, Array)],
) -> vexpr::Error {
    if made.is_empty() {
        return e;
    }
    let mut message = e.message().to_string();
    for (name, call, _) in made {
        message = message.replace(name.as_str(), call);
    }
    let source: Arc<str> = Arc::from(expr);
    match e.span() {
        Some(span) => vexpr::Error::at(e.kind(), span, message).with_source(&source),
        None => vexpr::Error::new(e.kind(), message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(expr: &str) -> (String, Vec<(String, String)>) {
        let never = AtomicBool::new(false);
        let e = expand(expr, |n| n == "_0_____", &never).unwrap_or_else(|f| panic!("{expr}: {f}"));
        assert_eq!(e.text.len(), expr.len(), "{expr}");
        (e.text, e.made.into_iter().map(|(n, c, _)| (n, c)).collect())
    }

    #[test]
    fn calls_become_placeholders_of_the_same_length() {
        let (text, made) = expanded("sum(sin(random(1e3, seed=1)))");
        assert_eq!(text, format!("sum(sin(_0{}))", "_".repeat(17)));
        assert_eq!(made[0].1, "random(1e3, seed=1)");
        let (text, made) = expanded("zeros (3) + ones((2, 3)) * arange(3)");
        assert_eq!(text, "_0_______ + _1__________ * _2_______");
        assert_eq!(made.len(), 3);
        // A name in use is skipped.
        let (text, _) = expanded("ones(1)");
        assert_eq!(text, "_1_____");
    }

    #[test]
    fn names_strings_and_attributes_are_left_alone() {
        for expr in [
            "zeros + 1",
            "my_zeros(3)",
            "x.ones(2)",
            "'random(3)' == s",
            "ones_like(a)",
            "zeros2(1)",
        ] {
            assert_eq!(expanded(expr), (expr.to_string(), vec![]), "{expr}");
        }
    }

    #[test]
    fn bad_arguments_name_the_call() {
        let never = AtomicBool::new(false);
        let e = expand("1 + zeros(-1)", |_| false, &never)
            .err()
            .map(|f| f.to_string());
        assert!(e.as_deref().is_some_and(|e| e.contains("zeros")), "{e:?}");
    }

    #[test]
    fn errors_point_at_the_users_text() {
        let never = AtomicBool::new(false);
        let expr = "zeros(3) + q";
        let e = expand(expr, |_| false, &never).unwrap();
        let sig = vexpr::Signature::new().with(&e.made[0].0, vexpr::DType::Float64);
        let err = vexpr::compile(&e.text, &sig).unwrap_err();
        let shown = restore(err, expr, &e.made).to_string();
        let caret = format!("{}^", " ".repeat(2 + 11));
        assert_eq!(
            shown,
            format!("error: unknown variable `q`\n  zeros(3) + q\n{caret}")
        );
    }
}
