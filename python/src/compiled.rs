//! `vexpr._vexpr.Compiled`: a compiled expression that runs on NumPy arrays.
//!
//! In: the expression text and its signature (names with NumPy dtype names), then, per run, one
//! NumPy array per input in [`Compiled::inputs`] order, of exactly the compiled dtypes (the
//! Python layer converts and checks casting first), and optionally `out`. Out: a new NumPy
//! array, or `out` itself when vexpr wrote the result into it.
//!
//! `out` is written in place only when it has the result's dtype and shape, and overlaps no
//! input; when it overlaps one (`a + 1` into `a`, or a shifted view of it), the result is
//! computed into new memory first and then copied, so vexpr never reads memory it is writing.
//! Otherwise the new result is returned and the Python layer copies it with NumPy's casting
//! and broadcasting rules. Pickles as its source and signature (recompiled on load).

use numpy::{PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyTuple, PyType};
use vexpr::{DType, ErrorKind, Signature, Vars};

use crate::arrays;
use crate::claims::{self, Extent};
use crate::to_py;

/// A compiled expression: `Compiled(expr, signature)` with `signature` a list of
/// `(name, dtype_name)` pairs (`"float64"`, `"S5"`, ...).
#[pyclass(frozen, module = "vexpr._vexpr")]
pub(crate) struct Compiled {
    program: vexpr::Compiled,
    source: String,
    signature: Vec<(String, DType)>,
    /// The variables the program reads, in the order `run` takes them.
    inputs: Vec<(String, DType)>,
}

/// The arguments `Compiled(source, signature)` is rebuilt from.
type NewArgs = (String, Vec<(String, String)>);

/// The vexpr dtype named as NumPy names it.
fn parse_dtype(name: &str) -> PyResult<DType> {
    let d = match name {
        "bool" => DType::Bool,
        "int32" => DType::Int32,
        "int64" => DType::Int64,
        "float32" => DType::Float32,
        "float64" => DType::Float64,
        "complex128" => DType::Complex128,
        _ => match name.strip_prefix('S').map(str::parse::<usize>) {
            Some(Ok(n)) if n >= 1 => DType::Bytes(n),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "vexpr has no dtype {name:?}"
                )));
            }
        },
    };
    Ok(d)
}

#[pymethods]
impl Compiled {
    #[new]
    fn new(expr: &str, signature: Vec<(String, String)>) -> PyResult<Compiled> {
        let mut sig = Signature::new();
        let mut typed = Vec::with_capacity(signature.len());
        for (name, dtype) in signature {
            let dtype = parse_dtype(&dtype)?;
            sig.insert(&name, dtype);
            typed.push((name, dtype));
        }
        let program = vexpr::compile(expr, &sig).map_err(to_py)?;
        let inputs = program.inputs().map(|(n, d)| (n.to_string(), d)).collect();
        Ok(Compiled {
            program,
            source: expr.to_string(),
            signature: typed,
            inputs,
        })
    }

    /// Evaluate with `args` (one array per input, in `inputs` order); see the module docs
    /// for `out`.
    #[pyo3(signature = (args, out=None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
        out: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if args.len() != self.inputs.len() {
            return Err(PyTypeError::new_err(format!(
                "the expression takes {} arrays ({}), not {}",
                self.inputs.len(),
                self.input_names().join(", "),
                args.len()
            )));
        }
        // Each argument as an array vexpr can view; NumPy copies the few it cannot (unaligned,
        // or strides that are not whole elements, as in packed records).
        let mut arrays = Vec::with_capacity(args.len());
        for (arg, (name, dtype)) in args.iter().zip(&self.inputs) {
            let arr = arg.cast_into::<PyUntypedArray>().map_err(|_| {
                PyTypeError::new_err(format!("variable `{name}` is not a NumPy array"))
            })?;
            if arrays::dtype_of(&arr) != Some(*dtype) {
                return Err(PyTypeError::new_err(format!(
                    "variable `{name}` is {}, but the expression was compiled for {dtype}",
                    arr.dtype()
                )));
            }
            let arr = if arrays::viewable(&arr, *dtype) {
                arr
            } else {
                arr.call_method0("copy")?.cast_into::<PyUntypedArray>()?
            };
            arrays.push(arr);
        }
        let dtype = self.program.dtype();
        let out = match out {
            Some(o) => Some(
                o.cast::<PyUntypedArray>()
                    .map_err(|_| PyTypeError::new_err("out must be a NumPy array"))?,
            ),
            None => None,
        };
        let in_place = out.filter(|o| arrays::writable_in_place(o, dtype));
        let reads: Vec<Extent> = arrays.iter().map(arrays::extent).collect();
        let write = in_place.map(arrays::extent);
        let _claim =
            claims::claim(&reads, write).map_err(|c| PyValueError::new_err(c.to_string()))?;
        if let (Some(o), Some(w)) = (in_place, write)
            && !reads.iter().any(|&r| arrays::may_overlap(r, w))
            && self.run_into(py, &arrays, o, dtype)?
        {
            return Ok(o.clone().into_any());
        }
        let result = {
            let vars = self.vars(&arrays)?;
            py.detach(|| self.program.run(&vars)).map_err(to_py)?
        };
        // The inputs' views are gone, so `out` may now be written even where it overlaps them.
        // SAFETY: no view of an input is alive; the claim keeps other runs off `out`.
        if let Some(o) = in_place
            && unsafe { arrays::copy_into(o, &result) }
        {
            return Ok(o.clone().into_any());
        }
        arrays::to_numpy(py, result)
    }

    /// Run `runs` times with `args` (as `run` without `out`), timing each run inside Rust:
    /// seconds per run of `vexpr::Compiled::run` with the result dropped, no Python between
    /// them. The benchmark's "Rust call", measured in the same process on the same arrays.
    #[pyo3(signature = (args, runs=1))]
    fn time_runs(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        runs: usize,
    ) -> PyResult<Vec<f64>> {
        let mut arrays = Vec::with_capacity(args.len());
        for (arg, (name, dtype)) in args.iter().zip(&self.inputs) {
            let arr = arg.cast_into::<PyUntypedArray>().map_err(|_| {
                PyTypeError::new_err(format!("variable `{name}` is not a NumPy array"))
            })?;
            if arrays::dtype_of(&arr) != Some(*dtype) || !arrays::viewable(&arr, *dtype) {
                return Err(PyTypeError::new_err(format!(
                    "variable `{name}` needs a conversion"
                )));
            }
            arrays.push(arr);
        }
        let reads: Vec<Extent> = arrays.iter().map(arrays::extent).collect();
        let _claim =
            claims::claim(&reads, None).map_err(|c| PyValueError::new_err(c.to_string()))?;
        let vars = self.vars(&arrays)?;
        py.detach(|| {
            (0..runs)
                .map(|_| {
                    let start = std::time::Instant::now();
                    drop(self.program.run(&vars)?);
                    Ok(start.elapsed().as_secs_f64())
                })
                .collect::<Result<Vec<f64>, vexpr::Error>>()
        })
        .map_err(to_py)
    }

    /// The variables the program reads, as `(name, dtype_name)`, in the order `run` takes
    /// them.
    #[getter]
    fn inputs(&self) -> Vec<(String, String)> {
        self.inputs
            .iter()
            .map(|(n, d)| (n.clone(), d.to_string()))
            .collect()
    }

    /// The result's dtype name.
    #[getter]
    fn dtype(&self) -> String {
        self.program.dtype().to_string()
    }

    /// The expression text.
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    /// The signature it was compiled with, as `(name, dtype_name)`.
    #[getter]
    fn signature(&self) -> Vec<(String, String)> {
        self.signature
            .iter()
            .map(|(n, d)| (n.clone(), d.to_string()))
            .collect()
    }

    /// The optimised bytecode, as `vexpr dis` prints it.
    fn __str__(&self) -> String {
        self.program.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "vexpr._vexpr.Compiled({:?}, {:?})",
            self.source,
            self.signature()
        )
    }

    /// Pickle as `(Compiled, (source, signature))`: recompiled where it is loaded.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, NewArgs) {
        let me = slf.get();
        (slf.get_type(), (me.source.clone(), me.signature()))
    }
}

impl Compiled {
    fn input_names(&self) -> Vec<&str> {
        self.inputs.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The inputs as vexpr variables, borrowing the arrays.
    fn vars<'a>(&self, arrays: &'a [Bound<'_, PyUntypedArray>]) -> PyResult<Vars<'a>> {
        let mut vars = Vars::new();
        for (arr, (name, dtype)) in arrays.iter().zip(&self.inputs) {
            vars.insert(name, arrays::input(arr, *dtype)?);
        }
        Ok(vars)
    }

    /// Evaluate into `out` (writable in place, overlapping no input, claimed for writing).
    /// False, with `out` untouched, if the result has another shape.
    fn run_into(
        &self,
        py: Python<'_>,
        arrays: &[Bound<'_, PyUntypedArray>],
        out: &Bound<'_, PyUntypedArray>,
        dtype: DType,
    ) -> PyResult<bool> {
        let vars = self.vars(arrays)?;
        // SAFETY: `out` is writable in place and overlaps no input (checked by the caller);
        // the caller's claim keeps other runs from viewing it while this view lives.
        let Some(target) = (unsafe { arrays::output(out, dtype) }) else {
            return Ok(false); // empty: computed fresh and copied (nothing to copy)
        };
        match py.detach(|| self.program.run_into(&vars, target)) {
            Ok(()) => Ok(true),
            // Checked before anything is written.
            Err(e) if e.kind() == ErrorKind::Output => Ok(false),
            Err(e) => Err(to_py(e)),
        }
    }
}
