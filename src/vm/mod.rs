//! Evaluation of typed expressions. For now only the reference evaluator exists, with the
//! ISA dispatch (`isa`) and the transcendental lane functions (`math`) the fast VM will use.

pub(crate) mod isa;
pub(crate) mod math;
pub(crate) mod reference;
