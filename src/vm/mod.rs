//! Evaluation of typed expressions. For now only the reference evaluator exists.

pub(crate) mod reference;
