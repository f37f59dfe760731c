//! Evaluation of typed expressions. For now only the reference evaluator exists, with the
//! ISA dispatch (`isa`) and the transcendental lane functions (`math`) the fast VM will use.

// Until the block interpreter calls them, most items of these two are only used by tests.
#[allow(dead_code)]
pub(crate) mod isa;
#[allow(dead_code)]
pub(crate) mod math;
pub(crate) mod reference;
