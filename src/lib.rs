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
//! # Pipeline
//! Each stage is its own module and its own representation; data flows one way:
//!
//! 1. `syntax`: the `logos` lexer and the `lalrpop` parser build an [`ast`](syntax::ast) in a
//!    `bumpalo` arena;
//! 2. `hir`: names are resolved, casting rules applied and constants folded, giving a flat,
//!    typed, post-order list of nodes (nothing recurses over the tree after parsing);
//! 3. `optimize`, `compile`, `bytecode`: rewrites, register allocation, the `Program`;
//! 4. `vm`: the block-by-block virtual machine, and `vm::reference`, the plain evaluator that
//!    serves as the oracle;
//! 5. `pool`: the worker threads.
//!
//! # Limits
//! See [`limits`]: every input beyond them is a clean [`Error`], never a crash.

mod api;
mod array;
pub(crate) mod bytecode;
pub(crate) mod compile;
mod dtype;
mod error;
#[doc(hidden)]
pub mod fuzz_entry;
pub(crate) mod hir;
pub mod limits;
pub mod npy;
pub(crate) mod optimize;
pub(crate) mod pool;
pub(crate) mod syntax;
pub(crate) mod vm;

#[cfg(feature = "jit")]
#[doc(hidden)]
pub use api::Native;
pub use api::{
    Compiled, Engine, Input, InputElement, Output, RunOptions, Signature, Vars, active_isa,
    compile, evaluate, evaluate_into,
};
pub use array::{Array, BytesArray, Element};
pub use dtype::{DType, Scalar};
pub use error::{Error, ErrorKind, Result, Span};
pub use pool::{get_num_threads, set_num_threads};

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
