//! Variable values from the command line: `NAME=VALUE`, where VALUE is a `.npy` file or a
//! literal.
//!
//! In: `NAME=VALUE` strings. Out: named [`Array`]s, in the order given, and a [`Vars`] that
//! borrows them. A VALUE that looks like a path (it contains `/` or ends in `.npy`) is read
//! as a file, and failing to read it is a file error, never a fallback to a literal. Any
//! other VALUE is evaluated as a vexpr expression without variables, so literals are typed
//! exactly as the language types them (`3` is int32, `2.5` float64, `1+2j` complex128);
//! `true`/`false` are accepted for `True`/`False`. Only when that fails and a file of that
//! name exists is the file read instead.

use std::path::Path;

use vexpr::{Array, Signature, Vars};

use crate::Failure;

/// One named value from the command line.
pub(crate) struct Binding {
    /// The variable name.
    pub(crate) name: String,
    /// Its value (a 0-d array for a literal).
    pub(crate) value: Array,
}

/// Parse and load every `NAME=VALUE`; a name given twice is an error.
pub(crate) fn bindings(args: &[String]) -> Result<Vec<Binding>, Failure> {
    let mut out: Vec<Binding> = Vec::with_capacity(args.len());
    for arg in args {
        let binding = binding(arg)?;
        if out.iter().any(|b| b.name == binding.name) {
            return Err(Failure::msg(format!(
                "variable `{}` is given more than once",
                binding.name
            )));
        }
        out.push(binding);
    }
    Ok(out)
}

/// The variables for an evaluation, borrowing the bindings' arrays.
pub(crate) fn vars(bindings: &[Binding]) -> Vars<'_> {
    let mut vars = Vars::new();
    for b in bindings {
        vars.insert(&b.name, &b.value);
    }
    vars
}

/// One `NAME=VALUE`.
fn binding(arg: &str) -> Result<Binding, Failure> {
    let Some((name, text)) = arg.split_once('=') else {
        return Err(Failure::msg(format!(
            "`{arg}` is not NAME=VALUE (a variable needs a .npy file or a literal value)"
        )));
    };
    if !is_variable_name(name) {
        return Err(Failure::msg(format!(
            "`{name}` cannot be a variable name (in `{arg}`)"
        )));
    }
    let value = load(text).map_err(|f| f.about(format_args!("variable `{name}`")))?;
    Ok(Binding {
        name: name.to_string(),
        value,
    })
}

/// Whether `text` looks like a file path rather than a literal.
pub(crate) fn looks_like_path(text: &str) -> bool {
    text.contains('/') || text.ends_with(".npy")
}

/// The value of a VALUE: a file's array, or a literal's 0-d array.
pub(crate) fn load(text: &str) -> Result<Array, Failure> {
    if looks_like_path(text) {
        return Ok(vexpr::npy::read(text)?);
    }
    let source = match text.trim() {
        "true" => "True",
        "false" => "False",
        other => other,
    };
    match vexpr::evaluate(source, &Vars::new()) {
        Ok(value) => Ok(value),
        Err(_) if Path::new(text).is_file() => Ok(vexpr::npy::read(text)?),
        Err(e) => Err(e.into()),
    }
}

/// Whether `name` can name a variable in an expression: an identifier that the language
/// reads as a variable (not `True`, `if` or another keyword). Asked of the library itself,
/// so the rule cannot drift from the grammar.
pub(crate) fn is_variable_name(name: &str) -> bool {
    let identifier = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if name.is_empty() || !identifier {
        return false;
    }
    let sig = Signature::new().with(name, vexpr::DType::Float64);
    vexpr::compile(name, &sig).is_ok_and(|c| c.inputs().any(|(n, _)| n == name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vexpr::{DType, Scalar};

    fn scalar(text: &str) -> Scalar {
        let a = load(text).unwrap_or_else(|f| panic!("{text}: {f}"));
        a.to_scalar().unwrap_or_else(|| panic!("{text}: not 0-d"))
    }

    #[test]
    fn literals_are_typed_as_the_language_types_them() {
        assert_eq!(scalar("2.5"), Scalar::Float64(2.5));
        assert_eq!(scalar("3"), Scalar::Int32(3));
        assert_eq!(scalar("-4"), Scalar::Int32(-4));
        assert_eq!(scalar("3000000000"), Scalar::Int64(3_000_000_000));
        assert_eq!(scalar("true"), Scalar::Bool(true));
        assert_eq!(scalar("True"), Scalar::Bool(true));
        assert_eq!(scalar("false"), Scalar::Bool(false));
        assert_eq!(
            scalar("1+2j"),
            Scalar::Complex128(num_complex::Complex64::new(1.0, 2.0))
        );
        assert_eq!(scalar("'ab'"), Scalar::Bytes(b"ab".to_vec()));
        assert_eq!(load("1e3").map(|a| a.dtype()).ok(), Some(DType::Float64));
    }

    #[test]
    fn paths_are_files_and_their_errors_are_file_errors() {
        for text in ["missing.npy", "no/such/file", "./3"] {
            let e = load(text).err().map(|f| f.to_string()).unwrap_or_default();
            assert!(e.starts_with("error: ") && e.contains(text), "{text}: {e}");
        }
    }

    #[test]
    fn names_must_be_variables_of_the_language() {
        for good in ["a", "_x1", "sum", "where", "load"] {
            assert!(is_variable_name(good), "{good}");
        }
        for bad in ["", "1a", "a-b", "True", "if", "and", "None", "a b", "é"] {
            assert!(!is_variable_name(bad), "{bad}");
        }
    }

    #[test]
    fn binding_errors_name_the_variable() {
        let e = bindings(&["a=1".into(), "a=2".into()])
            .err()
            .map(|f| f.to_string());
        assert_eq!(
            e.as_deref(),
            Some("error: variable `a` is given more than once")
        );
        let e = bindings(&["a".into()]).err().map(|f| f.to_string());
        assert!(e.is_some_and(|e| e.contains("NAME=VALUE")));
        let e = bindings(&["a=1+".into()]).err().map(|f| f.to_string());
        assert!(
            e.as_ref()
                .is_some_and(|e| e.starts_with("error: variable `a`: ")),
            "{e:?}"
        );
    }
}
