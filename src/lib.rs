//! vexpr: a compiler and virtual machine for numexpr-style array expressions.
//!
//! ```
//! use ndarray::Array1;
//! let a = Array1::<f64>::linspace(0.0, 1.0, 5);
//! let b = a.mapv(f64::sqrt);
//! let vars = vexpr::Vars::new().with("a", &a).with("b", &b);
//! let out = vexpr::evaluate("a**2 + b**2 + 2*a*b", &vars)?;
//! let out = out.into_f64()?;
//! assert!((out[[4]] - 4.0).abs() < 1e-12);
//! # Ok::<(), vexpr::Error>(())
//! ```
//!
//! # What is public
//! - [`evaluate`] and [`evaluate_into`]: compile and run in one call;
//! - [`compile`] gives a [`Compiled`] program to [run](Compiled::run) many times, from any
//!   thread, with [`RunOptions`] (threads, cancellation, progress);
//! - [`Vars`] names the inputs (any `ndarray` array or view, slice or scalar; an [`Input`]
//!   each), [`Signature`] their dtypes, [`Output`] a caller's buffer for the result;
//! - [`Array`] is a result of any [`DType`], [`Scalar`] one value of it;
//! - [`npy`] reads and writes NumPy `.npy` files, and maps files larger than memory;
//! - [`Error`] is the one error type: an [`ErrorKind`], a message and a [`Span`];
//! - [`set_num_threads`] and [`get_num_threads`] size the worker pool.
//!
//! The expressions are numexpr's: [the language reference](language) defines them (dtypes,
//! casting, functions, reductions) and lists where vexpr deliberately differs from numexpr.
//!
//! # How it works
//! An expression is parsed, typed with numexpr's casting rules into a flat list of nodes
//! (nothing recurses over the tree after parsing), optimised, and compiled to register
//! bytecode; a virtual machine runs the bytecode block by block (1,024 elements) with SIMD
//! kernels chosen for the CPU at run time, on a pool of worker threads, so no temporary
//! array the size of the inputs is ever made. A plain scalar evaluator serves as the oracle
//! the VM is tested against.
//!
//! # Limits
//! See [`limits`]: every input beyond them is a clean [`Error`], never a crash.

// The layers: a module refers only to modules below it in one stack, bottom first: error,
// limits, dtype, pool, array (values, outputs and allocation), npy, syntax, hir (typing and
// the operations table that opcodes and kernels are generated from), bytecode, optimize,
// compile, vm (block loop over a flat frame, kernels, maths, and the oracle vm::reference,
// which shares no code with the kernels), api, fuzz_entry (only with the `fuzzing` feature),
// bin. Nothing below api refers to it; tests/layering.rs keeps it so (DESIGN.md).
mod api;
mod array;
pub(crate) mod bytecode;
pub(crate) mod compile;
mod dtype;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_entry;
pub(crate) mod hir;
pub mod limits;
pub mod npy;
pub(crate) mod optimize;
pub(crate) mod pool;
pub(crate) mod syntax;
pub(crate) mod vm;

pub use api::{
    Compiled, Engine, Input, InputElement, RunOptions, Vars, active_isa, compile, evaluate,
    evaluate_into, variables,
};
pub use array::{Array, BytesArray, Element, Output};
pub use dtype::{DType, Scalar};
pub use error::{Error, ErrorKind, Result, Span};
pub use hir::Signature;
pub use pool::{get_num_threads, set_num_threads};
pub use vm::math::{Precision, get_precision, set_precision};
pub use vm::tier::{Jit, get_jit, set_jit};

// The expression language's reference, `docs/LANGUAGE.md`, as a page of the API docs.
#[doc = include_str!("../docs/LANGUAGE.md")]
pub mod language {}

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The README's Rust example is a complete program, kept identical to `examples/readme.rs`
/// (which `cargo test` builds) and shown as it is (no rustdoc-hidden lines).
#[cfg(test)]
mod readme {
    const README: &str = include_str!("../README.md");
    const EXAMPLE: &str = include_str!("../examples/readme.rs");

    /// The contents of the README's fenced blocks tagged `lang`.
    fn blocks(lang: &str) -> Vec<String> {
        let fence = format!("```{lang}\n");
        README
            .split(fence.as_str())
            .skip(1)
            .filter_map(|rest| rest.split_once("```").map(|(body, _)| body.to_string()))
            .collect()
    }

    #[test]
    fn the_rust_example_is_the_example_file_and_complete() {
        let rust = blocks("rust");
        assert_eq!(
            rust,
            [EXAMPLE],
            "README.md's ```rust block and examples/readme.rs differ"
        );
        for line in EXAMPLE.lines() {
            let t = line.trim_start();
            assert!(t != "#" && !t.starts_with("# "), "hidden line: {line}");
        }
        assert!(EXAMPLE.contains("fn main() -> Result<(), vexpr::Error>"));
    }

    #[test]
    fn the_dependency_line_turns_the_command_off() {
        let toml = blocks("toml").concat();
        assert!(toml.contains("vexpr = { path = \"../vexpr\", default-features = false }"));
        assert!(toml.contains(&format!("ndarray = \"{}\"", ndarray_requirement())));
    }

    /// The `ndarray` requirement in our own Cargo.toml, which a user's must match.
    fn ndarray_requirement() -> String {
        include_str!("../Cargo.toml")
            .lines()
            .find_map(|l| l.strip_prefix("ndarray = \""))
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("?")
            .to_string()
    }
}
