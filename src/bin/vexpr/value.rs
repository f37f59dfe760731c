//! Variable values from the command line: `NAME=VALUE`, where VALUE is a `.npy` file or a
//! literal, and `dis`'s `NAME:TYPE`.
//!
//! In: `NAME=VALUE` strings. Out: named [`Binding`]s, in the order given; their dtypes
//! (from a file's header alone), and, for the variables an expression uses, their values: a
//! file memory-mapped where its dtype allows ([`vexpr::npy::MappedArray`]), a literal as a
//! 0-d array. A VALUE that looks like a path (it contains `/` or ends in `.npy`) is a file,
//! and failing to read it is a file error, never a fallback to a literal. Any other VALUE is
//! evaluated as a vexpr expression without variables, so literals are typed exactly as the
//! language types them (`3` is int32, `2.5` float64, `1+2j` complex128); `true`/`false` are
//! accepted for `True`/`False`. Only when that fails and a file of that name exists is the
//! file read instead; when no such file exists either, the error says so.

use std::path::{Path, PathBuf};

use vexpr::npy::{MappedArray, ReadOptions};
use vexpr::{Array, DType, ErrorKind, Input, Signature, Vars};

use crate::Failure;

/// One named value from the command line, not read yet.
pub(crate) struct Binding {
    /// The variable name.
    pub(crate) name: String,
    /// The argument as given (`a=x.npy`), for messages.
    pub(crate) arg: String,
    /// Where its value comes from.
    source: Source,
}

/// Where a binding's value comes from.
enum Source {
    /// A `.npy` file.
    File(PathBuf),
    /// A literal, already evaluated (0-d).
    Literal(Array),
}

/// A binding's value, ready to evaluate with.
pub(crate) enum Value {
    /// A file, mapped (or read when its dtype needs converting).
    File(MappedArray),
    /// A literal.
    Literal(Array),
}

impl Value {
    /// As an input of an evaluation.
    pub(crate) fn input(&self) -> Input<'_> {
        match self {
            Value::File(m) => Input::from(m),
            Value::Literal(a) => Input::from(a),
        }
    }

    /// The shape.
    pub(crate) fn shape(&self) -> &[usize] {
        match self {
            Value::File(m) => m.shape(),
            Value::Literal(a) => a.shape(),
        }
    }
}

impl Binding {
    /// The dtype, from a file's header only.
    pub(crate) fn dtype(&self, options: &ReadOptions) -> Result<DType, Failure> {
        match &self.source {
            Source::Literal(a) => Ok(a.dtype()),
            Source::File(path) => options
                .info(path)
                .map(|i| i.dtype())
                .map_err(|e| file_failure(e, &self.name)),
        }
    }

    /// The value: a file is mapped, not read, where its dtype allows.
    pub(crate) fn open(&self, options: &ReadOptions) -> Result<Value, Failure> {
        match &self.source {
            Source::Literal(a) => Ok(Value::Literal(a.clone())),
            // SAFETY: the command's documented contract is that its input files do not change
            // while it runs (`vexpr eval --help`); nothing in this process writes them.
            Source::File(path) => unsafe { options.map(path) }
                .map(Value::File)
                .map_err(|e| file_failure(e, &self.name)),
        }
    }
}

/// A file error about variable `name`, with the command's own hint for uint64.
fn file_failure(e: vexpr::Error, name: &str) -> Failure {
    let failure = Failure::from(e.clone()).about(format_args!("variable `{name}`"));
    if e.kind() == ErrorKind::Input && e.message().contains("uint64 is not supported") {
        let path = e.message().split(": uint64").next().unwrap_or_default();
        return Failure::msg(format!(
            "variable `{name}`: {path}: uint64 is not supported; its values do not all fit \
             int64 (--wrap-uint64 wraps them to int64, like NumPy's unsafe casting)"
        ));
    }
    failure
}

/// Parse every `NAME=VALUE` (literals are evaluated, files not opened); a name given twice
/// is an error.
pub(crate) fn bindings(args: &[String]) -> Result<Vec<Binding>, Failure> {
    let mut out: Vec<Binding> = Vec::with_capacity(args.len());
    for arg in args {
        let binding = binding(arg)?;
        check_unique(out.iter().map(|b| b.name.as_str()), &binding.name)?;
        out.push(binding);
    }
    Ok(out)
}

/// An error if `name` is among `names` already.
fn check_unique<'n>(mut names: impl Iterator<Item = &'n str>, name: &str) -> Result<(), Failure> {
    if names.any(|n| n == name) {
        return Err(Failure::msg(format!(
            "variable `{name}` is given more than once"
        )));
    }
    Ok(())
}

/// One `NAME=VALUE`.
fn binding(arg: &str) -> Result<Binding, Failure> {
    let Some((name, text)) = arg.split_once('=') else {
        return Err(Failure::msg(format!(
            "`{arg}` is not NAME=VALUE (a variable needs a .npy file or a literal value)"
        )));
    };
    check_name(name, arg)?;
    let source = source(text).map_err(|f| f.about(format_args!("variable `{name}`")))?;
    Ok(Binding {
        name: name.to_string(),
        arg: arg.to_string(),
        source,
    })
}

/// An error unless `name` can be a variable.
fn check_name(name: &str, arg: &str) -> Result<(), Failure> {
    if is_variable_name(name) {
        Ok(())
    } else {
        Err(Failure::msg(format!(
            "`{name}` cannot be a variable name (in `{arg}`)"
        )))
    }
}

/// Whether `text` looks like a file path rather than a literal.
pub(crate) fn looks_like_path(text: &str) -> bool {
    text.contains('/') || text.ends_with(".npy")
}

/// Where a VALUE comes from: a file, or a literal's 0-d array.
fn source(text: &str) -> Result<Source, Failure> {
    if looks_like_path(text) {
        return Ok(Source::File(PathBuf::from(text)));
    }
    match literal(text) {
        Ok(value) => Ok(Source::Literal(value)),
        Err(_) if Path::new(text).is_file() => Ok(Source::File(PathBuf::from(text))),
        Err(e) if e.kind() == ErrorKind::UnknownVariable || text.contains('.') => {
            Err(Failure::msg(format!(
                "the file `{text}` does not exist (and `{text}` is not a literal value: {})",
                e.message()
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The value of a literal VALUE.
fn literal(text: &str) -> Result<Array, vexpr::Error> {
    let source = match text.trim() {
        "true" => "True",
        "false" => "False",
        other => other,
    };
    vexpr::evaluate(source, &Vars::new())
}

/// The value of a VALUE, read whole (for the REPL and the tests).
#[cfg(test)]
pub(crate) fn load(text: &str) -> Result<Array, Failure> {
    match source(text)? {
        Source::Literal(a) => Ok(a),
        Source::File(path) => Ok(vexpr::npy::read(path)?),
    }
}

/// The dtype named `text`: NumPy's names and codes (`float64`, `f8`, `<f8`, `S5`) and Rust's
/// (`f64`, `i32`).
pub(crate) fn dtype_named(text: &str) -> Option<DType> {
    let t = text.trim().trim_start_matches(['<', '|', '=']);
    Some(match t {
        "bool" | "b1" | "?" => DType::Bool,
        "int32" | "i4" | "i32" => DType::Int32,
        "int64" | "i8" | "i64" | "int" => DType::Int64,
        "float32" | "f4" | "f32" => DType::Float32,
        "float64" | "f8" | "f64" | "float" => DType::Float64,
        "complex128" | "c16" | "c128" | "complex" => DType::Complex128,
        _ => {
            let width = t.strip_prefix('S').or_else(|| t.strip_prefix("bytes"))?;
            DType::Bytes(width.parse().ok().filter(|&w| w >= 1)?)
        }
    })
}

/// `dis`'s variables: `NAME:TYPE`, or `NAME=VALUE` typed from a file's header or the
/// literal; an error names the culprit.
pub(crate) fn signature(args: &[String], options: &ReadOptions) -> Result<Signature, Failure> {
    let mut sig = Signature::new();

    for arg in args {
        let typed = match (arg.split_once('='), arg.split_once(':')) {
            (Some((a, _)), Some((b, _))) if b.len() < a.len() => None,
            (Some(_), _) => Some(binding(arg)?),
            (None, Some(_)) => None,
            (None, None) => {
                return Err(Failure::msg(format!(
                    "`{arg}` is neither NAME:TYPE (a:f64) nor NAME=VALUE"
                )));
            }
        };
        let (name, dtype) = match typed {
            Some(b) => {
                let dtype = b.dtype(options)?;
                (b.name.clone(), dtype)
            }
            None => {
                let (name, ty) = arg.split_once(':').unwrap_or_default();
                check_name(name, arg)?;
                let dtype = dtype_named(ty).ok_or_else(|| {
                    Failure::msg(format!(
                        "`{ty}` is not a dtype (in `{arg}`; bool, int32, int64, float32, \
                         float64, complex128 or S<n>)"
                    ))
                })?;
                (name.to_string(), dtype)
            }
        };
        check_unique(sig.iter().map(|(n, _)| n), &name)?;
        sig.insert(&name, dtype);
    }
    Ok(sig)
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
    fn a_name_that_is_neither_file_nor_literal_says_the_file_does_not_exist() {
        for text in ["nope", "data.bin", "x_1"] {
            let e = load(text).err().map(|f| f.to_string()).unwrap_or_default();
            assert!(
                e.starts_with(&format!("error: the file `{text}` does not exist")),
                "{text}: {e}"
            );
        }
        // Not a name: the literal's own error.
        let e = load("1+").err().map(|f| f.to_string()).unwrap_or_default();
        assert!(!e.contains("does not exist"), "{e}");
    }

    #[test]
    fn dtype_names() {
        for (text, dtype) in [
            ("f64", DType::Float64),
            ("float32", DType::Float32),
            ("<i8", DType::Int64),
            ("i4", DType::Int32),
            ("bool", DType::Bool),
            ("c16", DType::Complex128),
            ("S5", DType::Bytes(5)),
        ] {
            assert_eq!(dtype_named(text), Some(dtype), "{text}");
        }
        for bad in ["", "f16", "S0", "S", "u8", "double"] {
            assert_eq!(dtype_named(bad), None, "{bad}");
        }
    }

    #[test]
    fn dis_signatures() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = ReadOptions::new();
        let sig = signature(&args(&["a:f32", "b=2", "c:S3", "t='x:y'"]), &o).unwrap();
        assert_eq!(sig.get("a"), Some(DType::Float32));
        assert_eq!(sig.get("b"), Some(DType::Int32));
        assert_eq!(sig.get("c"), Some(DType::Bytes(3)));
        assert_eq!(sig.get("t"), Some(DType::Bytes(3)));
        for (bad, want) in [
            (&["a"][..], "neither NAME:TYPE"),
            (&["a:f16"], "`f16` is not a dtype"),
            (&["a:f8", "a=1"], "given more than once"),
            (&["1a:f8"], "cannot be a variable name"),
        ] {
            let e = signature(&args(bad), &o).err().map(|f| f.to_string());
            assert!(
                e.as_deref().is_some_and(|e| e.contains(want)),
                "{bad:?}: {e:?}"
            );
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
