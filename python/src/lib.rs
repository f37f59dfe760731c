//! `vexpr._vexpr`: the extension module under the Python package `vexpr`.
//!
//! In: expression strings, signatures (variable names with NumPy dtype names) and NumPy
//! arrays. Out: compiled expressions ([`Compiled`]) that run on NumPy arrays without copying
//! them and return NumPy arrays, the thread settings, and errors as one exception type,
//! `vexpr._vexpr.Error`, whose arguments are `(message, kind, start, end)`; the pure-Python
//! layer turns it into numexpr's exception types.
//!
//! Only vexpr's public Rust API is used. The GIL is released while an expression runs.

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;

mod arrays;
mod claims;
mod compiled;

use compiled::Compiled;

create_exception!(
    _vexpr,
    Error,
    PyException,
    "An error from vexpr: args are (message, kind, start, end); `start`/`end` are the byte \
     span of the culprit in the expression, or None."
);

/// The Python exception for a vexpr error: the rendered message (with the caret under the
/// culprit), the kind's name, and the span.
pub(crate) fn to_py(e: vexpr::Error) -> PyErr {
    let (start, end) = match e.span() {
        Some(s) => (Some(s.start), Some(s.end)),
        None => (None, None),
    };
    Error::new_err((e.to_string(), format!("{:?}", e.kind()), start, end))
}

/// The variable names an expression reads, each once, in order of first appearance.
#[pyfunction]
fn variables(expr: &str) -> PyResult<Vec<String>> {
    vexpr::variables(expr).map_err(to_py)
}

/// Set the number of threads evaluations use; returns the previous number.
#[pyfunction]
fn set_num_threads(n: usize) -> PyResult<usize> {
    vexpr::set_num_threads(n).map_err(|e| PyValueError::new_err(e.message().to_string()))
}

/// The number of threads evaluations use.
#[pyfunction]
fn get_num_threads() -> usize {
    vexpr::get_num_threads()
}

/// Set the precision of the transcendental functions (`high` or `fast`); returns the
/// previous one.
#[pyfunction]
fn set_precision(precision: &str) -> PyResult<&'static str> {
    let p = precision
        .parse::<vexpr::Precision>()
        .map_err(PyValueError::new_err)?;
    Ok(vexpr::set_precision(p).name())
}

/// The precision of the transcendental functions (`high` or `fast`).
#[pyfunction]
fn get_precision() -> &'static str {
    vexpr::get_precision().name()
}

/// The instruction set the kernels use (`baseline`, `avx2` or `avx512`).
#[pyfunction]
fn active_isa() -> &'static str {
    vexpr::active_isa()
}

#[pymodule]
fn _vexpr(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<Error>())?;
    m.add_class::<Compiled>()?;
    m.add_function(wrap_pyfunction!(variables, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(active_isa, m)?)?;
    m.add_function(wrap_pyfunction!(set_precision, m)?)?;
    m.add_function(wrap_pyfunction!(get_precision, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
