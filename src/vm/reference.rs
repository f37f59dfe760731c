//! The reference evaluator: plain, obviously-correct whole-array code for every node of a
//! [`Hir`]. It is the oracle the fast VM is tested against.

use crate::array::{Array, ArrayRef};
use crate::error::Error;
use crate::hir::Hir;

/// Evaluate `hir`; `inputs[k]` is the value of `hir.inputs[k]` (same dtype).
pub(crate) fn evaluate(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Result<Array, Error> {
    let _ = (hir, inputs);
    todo!("reference evaluator")
}
