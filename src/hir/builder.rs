//! A test-only builder of typed [`Hir`]s, for testing later stages without the parser and the
//! typing stage.
//!
//! In: calls that append nodes in post-order (each returns the new node's id). Out: a [`Hir`]
//! that passes [`Hir::validate`] when the calls respect the kernel signatures. `map` and
//! `reduce` compute the result dtype from [`Fun::signature`] / [`ReduceOp::signature`] and
//! panic on an unlisted signature, which is a bug in the test itself. Every node gets the
//! span `i..i+1` (its index) unless one is given with [`HirBuilder::at`], so tests can check
//! which node an error points at.

use std::sync::Arc;

use super::{Fun, Hir, InputSlot, Node, NodeId, Op, ReduceOp};
use crate::dtype::{DType, Scalar};
use crate::error::Span;

/// Appends typed nodes; see the module docs.
#[derive(Default)]
pub(crate) struct HirBuilder {
    nodes: Vec<Node>,
    inputs: Vec<InputSlot>,
    next_span: Option<Span>,
}

impl HirBuilder {
    /// An empty builder.
    pub fn new() -> HirBuilder {
        HirBuilder::default()
    }

    /// Give the next node this span instead of its index.
    pub fn at(&mut self, start: usize, end: usize) -> &mut HirBuilder {
        self.next_span = Some(Span::new(start, end));
        self
    }

    fn push(&mut self, op: Op, dtype: DType, args: Vec<NodeId>) -> NodeId {
        let id = self.nodes.len();
        let span = self.next_span.take().unwrap_or(Span::new(id, id + 1));
        self.nodes.push(Node {
            op,
            dtype,
            args,
            span,
        });
        NodeId::try_from(id).expect("test HIR too large")
    }

    /// A new variable slot `name` of `dtype`, and a node reading it.
    pub fn input(&mut self, name: &str, dtype: DType) -> NodeId {
        let k = u32::try_from(self.inputs.len()).expect("too many inputs");
        let id = self.push(Op::Input(k), dtype, vec![]);
        let span = self.nodes[id as usize].span;
        self.inputs.push(InputSlot {
            name: name.to_string(),
            dtype,
            span,
        });
        id
    }

    /// A variable slot that no node reads (as after dead-code elimination).
    pub fn unused_input(&mut self, name: &str, dtype: DType, span: Span) {
        self.inputs.push(InputSlot {
            name: name.to_string(),
            dtype,
            span,
        });
    }

    /// Another node reading the existing slot `k`.
    pub fn read(&mut self, k: u32) -> NodeId {
        let dtype = self.inputs[k as usize].dtype;
        self.push(Op::Input(k), dtype, vec![])
    }

    /// A constant.
    pub fn constant(&mut self, value: impl Into<Scalar>) -> NodeId {
        let value = value.into();
        let dtype = value.dtype();
        self.push(Op::Const(value), dtype, vec![])
    }

    /// A conversion of `arg` to `to`.
    pub fn cast(&mut self, arg: NodeId, to: DType) -> NodeId {
        self.push(Op::Cast, to, vec![arg])
    }

    /// An elementwise operation; the dtype comes from [`Fun::signature`].
    pub fn map(&mut self, fun: Fun, args: &[NodeId]) -> NodeId {
        let types: Vec<DType> = args.iter().map(|&a| self.nodes[a as usize].dtype).collect();
        let dtype = fun
            .signature(&types)
            .unwrap_or_else(|| panic!("no kernel {fun:?} for {types:?}"));
        self.push(Op::Map(fun), dtype, args.to_vec())
    }

    /// A reduction; the dtype comes from [`ReduceOp::signature`].
    pub fn reduce(&mut self, op: ReduceOp, axis: Option<i64>, arg: NodeId) -> NodeId {
        let from = self.nodes[arg as usize].dtype;
        let dtype = op
            .signature(from)
            .unwrap_or_else(|| panic!("no reduction {op:?} for {from:?}"));
        self.push(Op::Reduce(op, axis, false), dtype, vec![arg])
    }

    /// The finished HIR without validation (to test how later stages reject a broken one).
    pub fn build_unchecked(&self) -> Hir {
        Hir {
            nodes: self.nodes.clone(),
            inputs: self.inputs.clone(),
            source: Arc::from("<test>"),
        }
    }

    /// The finished HIR (the last node is the result); it must validate.
    pub fn build(&self) -> Hir {
        let hir = self.build_unchecked();
        if let Err(e) = hir.validate() {
            panic!("test HIR does not validate: {e}");
        }
        hir
    }
}
