//! The public entry points: [`evaluate`], [`compile`] + [`Compiled::run`], [`evaluate_into`],
//! and the variable set [`Vars`] with its [`Signature`].

use std::sync::Arc;

use bumpalo::Bump;

mod output;
mod vars;

pub use output::Output;
pub(crate) use output::OutputView;
pub use vars::{Input, InputElement, Signature, Vars};

use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::hir::{self, Hir};
use crate::syntax;
use crate::vm;

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

    /// Evaluate with `vars` into `out`, which must have the result's shape and dtype.
    /// On error nothing is written to `out`.
    pub fn run_into(&self, vars: &Vars<'_>, out: Output<'_>) -> Result<(), Error> {
        let result = self.run(vars)?;
        out.assign(result)
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

/// Evaluate `expr` with `vars`, writing the result into `out` (no allocation for the result).
pub fn evaluate_into(expr: &str, vars: &Vars<'_>, out: Output<'_>) -> Result<(), Error> {
    compile(expr, &vars.signature())?.run_into(vars, out)
}
