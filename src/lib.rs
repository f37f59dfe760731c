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
//! 1. `syntax`: the `logos` lexer and the `lalrpop` parser build an AST in a `bumpalo` arena;
//! 2. `hir`: names are resolved, casting rules applied and constants folded, giving a flat,
//!    typed, post-order list of nodes (nothing recurses over the tree after parsing); the
//!    operations table (`hir::table`) says which function takes which dtypes, and is also
//!    what the opcodes and kernels are generated from;
//! 3. `optimize`, `compile`, `bytecode`: rewrites, register allocation, the `Program`;
//! 4. `vm`: the block-by-block virtual machine (a flat frame of one pointer per operand per
//!    block, per-ISA kernels, vectorised maths) and `vm::reference`, the plain evaluator that
//!    serves as the oracle and shares no code with the kernels;
//! 5. `api`: [`compile`], [`evaluate`], [`Vars`]; `bin/vexpr`: the command line and REPL.
//!
//! # Layers
//! Modules refer only to modules below them in one stack, bottom first: `error`, `limits`,
//! `dtype`, `pool`, `array` (values, outputs and allocation), `npy`, `syntax`, `hir`,
//! `bytecode`, `optimize`, `compile`, `vm`, `api`, `fuzz_entry` (only with the `fuzzing`
//! feature), `bin`. Nothing below `api` refers to it. `tests/layering.rs` checks the sources
//! against this order.
//!
//! # Limits
//! See [`limits`]: every input beyond them is a clean [`Error`], never a crash.

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

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
