//! The public entry points: [`evaluate`], [`compile`] + [`Compiled::run`], [`evaluate_into`],
//! and the variable set [`Vars`] with its [`Signature`].

use std::sync::Arc;

use bumpalo::Bump;

use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::hir::{self, Hir};
use crate::syntax;
use crate::vm;

/// Named input arrays for an evaluation: `ndarray` arrays and views of any dimension and
/// strides, slices, and scalars.
#[derive(Clone, Debug, Default)]
pub struct Vars<'a> {
    entries: Vec<(String, Input<'a>)>,
}

/// One variable's value, made with `From`/`Into` from an array, a view, a slice or a scalar.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub(crate) array: ArrayRef<'a>,
}

/// The names and dtypes of a set of variables: what [`compile`] needs to type an expression.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signature {
    pub(crate) vars: Vec<(String, DType)>,
}

impl Signature {
    /// The dtype of variable `name`, if present.
    pub fn get(&self, name: &str) -> Option<DType> {
        self.vars.iter().find(|(n, _)| n == name).map(|&(_, d)| d)
    }
}

impl<'a> Vars<'a> {
    /// No variables.
    pub fn new() -> Vars<'a> {
        Vars::default()
    }

    /// Add (or replace) variable `name`.
    pub fn with(mut self, name: &str, value: impl Into<Input<'a>>) -> Vars<'a> {
        self.insert(name, value);
        self
    }

    /// Add (or replace) variable `name`.
    pub fn insert(&mut self, name: &str, value: impl Into<Input<'a>>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// The names and dtypes, for [`compile`].
    pub fn signature(&self) -> Signature {
        Signature {
            vars: self
                .entries
                .iter()
                .map(|(n, v)| (n.clone(), v.array.dtype()))
                .collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ArrayRef<'a>> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &v.array)
    }
}

/// A compiled expression: compile once, [`run`](Compiled::run) many times.
/// It is immutable, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct Compiled {
    hir: Hir,
}

/// Parse and type `expr` against the variables in `sig`.
pub fn compile(expr: &str, sig: &Signature) -> Result<Compiled, Error> {
    let source: Arc<str> = Arc::from(expr);
    let arena = Bump::new();
    let compile = || {
        let ast = syntax::parse(&source, &arena)?;
        hir::lower(ast, &source, sig)
    };
    let hir = compile().map_err(|e| e.with_source(&source))?;
    Ok(Compiled { hir })
}

impl Compiled {
    /// Evaluate with `vars`, which must have the compiled dtypes (shapes may change).
    pub fn run(&self, vars: &Vars<'_>) -> Result<Array, Error> {
        let inputs = self.bind(vars)?;
        vm::reference::evaluate(&self.hir, &inputs).map_err(|e| e.with_source(&self.hir.source))
    }

    /// The result dtype.
    pub fn dtype(&self) -> DType {
        self.hir.dtype()
    }

    fn bind<'v>(&self, vars: &'v Vars<'_>) -> Result<Vec<ArrayRef<'v>>, Error> {
        self.hir
            .inputs
            .iter()
            .map(|slot| {
                let value = vars.get(&slot.name).ok_or_else(|| {
                    Error::at(
                        ErrorKind::UnknownVariable,
                        slot.span,
                        format!("unknown variable `{}`", slot.name),
                    )
                })?;
                if value.dtype() != slot.dtype {
                    return Err(Error::at(
                        ErrorKind::Input,
                        slot.span,
                        format!(
                            "variable `{}` is {}, but the expression was compiled for {}",
                            slot.name,
                            value.dtype(),
                            slot.dtype
                        ),
                    ));
                }
                Ok(value.view())
            })
            .collect()
    }
}

/// Evaluate `expr` with `vars`.
pub fn evaluate(expr: &str, vars: &Vars<'_>) -> Result<Array, Error> {
    compile(expr, &vars.signature())?.run(vars)
}

/// Evaluate `expr` with `vars`, writing into `out`.
pub fn evaluate_into(expr: &str, vars: &Vars<'_>, out: &mut Array) -> Result<(), Error> {
    let _ = (expr, vars, out);
    todo!("api: evaluate_into with typed mutable views")
}
