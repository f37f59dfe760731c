//! Rewrites on the typed HIR that keep every result identical.
//!
//! In: the HIR from typing. Out: an equivalent HIR (same inputs in the same order, same result
//! dtype and shape, same values bit for bit) with fewer nodes. Passes, each one loop over the
//! post-order node list:
//! - [`fold`]: a node whose operands are all constants becomes a constant, computed by the
//!   VM itself (the caller's callback: the API runs the VM with the process's ISA), so a
//!   folded value is what a run on that ISA computes; a run forced onto another ISA may
//!   differ from it in the last bits of a transcendental function, within the documented
//!   ulp budgets; `where` with a constant condition becomes the chosen branch;
//! - [`cse`]: common subexpressions are shared (hash-consing on operation, dtype, operands);
//! - [`dce`]: nodes that no longer feed the result are dropped.
//!
//! The power strength reduction (`x**2 -> x*x`, `x**0.5 -> sqrt(x)`, `x**-1 -> 1/x`) happens
//! during typing, because it decides result dtypes (numexpr's rule: `x_i4 ** 2.0` is int32).
//! Inputs are never removed from `Hir::inputs`, even when no node reads them any more: every
//! input takes part in broadcasting the result shape, as in NumPy.

use std::collections::HashMap;

use crate::dtype::{DType, Scalar};
use crate::error::Error;
use crate::hir::{Fun, Hir, Node, NodeId, Op, ReduceOp};

/// Evaluates a constant-only HIR (0-d) with the run-time engine.
pub(crate) type ConstEval<'a> = &'a dyn Fn(&Hir) -> Result<Scalar, Error>;

/// All passes, in order.
pub(crate) fn optimize(hir: Hir, eval: ConstEval<'_>) -> Result<Hir, Error> {
    let hir = fold(hir, eval)?;
    let hir = cse(hir);
    Ok(dce(hir))
}

/// Constant folding; see the module docs.
pub(crate) fn fold(mut hir: Hir, eval: ConstEval<'_>) -> Result<Hir, Error> {
    // Nodes are rewritten in place: node ids stay valid, dead nodes go in `dce`.
    for i in 0..hir.nodes.len() {
        let node = &hir.nodes[i];
        let const_arg = |a: NodeId| match &hir.nodes[a as usize].op {
            Op::Const(s) => Some(s.clone()),
            _ => None,
        };
        let replacement = match &node.op {
            Op::Map(Fun::Where) => match const_arg(node.args[0]) {
                // Only a branch of the `where`'s own dtype: byte strings of two widths give
                // the wider one, so the narrower branch cannot stand in for the `where`.
                Some(Scalar::Bool(c))
                    if hir.nodes[node.args[if c { 1 } else { 2 }] as usize].dtype == node.dtype =>
                {
                    let chosen = node.args[if c { 1 } else { 2 }];
                    Some(hir.nodes[chosen as usize].clone())
                }
                _ => None,
            },
            Op::Map(_) | Op::Cast if node.args.iter().all(|&a| const_arg(a).is_some()) => {
                let mut tiny = Hir {
                    nodes: Vec::with_capacity(node.args.len() + 1),
                    inputs: Vec::new(),
                    source: hir.source.clone(),
                };
                for &a in &node.args {
                    tiny.nodes.push(hir.nodes[a as usize].clone());
                }
                tiny.nodes.push(Node {
                    args: (0..node.args.len() as NodeId).collect(),
                    ..node.clone()
                });
                let value = eval(&tiny)?;
                Some(Node {
                    op: Op::Const(value),
                    dtype: node.dtype,
                    args: Vec::new(),
                    span: node.span,
                })
            }
            _ => None,
        };
        if let Some(mut r) = replacement {
            // A chosen `where` branch keeps the `where`'s span for later errors.
            r.span = hir.nodes[i].span;
            hir.nodes[i] = r;
        }
    }
    Ok(hir)
}

/// What makes two nodes the same computation.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Input(u32),
    Const(DType, Vec<u64>),
    Cast(DType, NodeId),
    Map(Fun, DType, Vec<NodeId>),
    Reduce(ReduceOp, Option<i64>, bool, NodeId),
}

fn const_bits(s: &Scalar) -> Vec<u64> {
    match s {
        Scalar::Bool(b) => vec![u64::from(*b)],
        Scalar::Int32(v) => vec![*v as u64],
        Scalar::Int64(v) => vec![*v as u64],
        Scalar::Float32(v) => vec![u64::from(v.to_bits())],
        Scalar::Float64(v) => vec![v.to_bits()],
        Scalar::Complex128(z) => vec![z.re.to_bits(), z.im.to_bits()],
        Scalar::Bytes(b) => b.iter().map(|&x| u64::from(x)).collect(),
    }
}

/// Common-subexpression elimination; see the module docs.
pub(crate) fn cse(hir: Hir) -> Hir {
    let mut seen: HashMap<Key, NodeId> = HashMap::new();
    let mut remap: Vec<NodeId> = Vec::with_capacity(hir.nodes.len());
    let mut nodes: Vec<Node> = Vec::with_capacity(hir.nodes.len());
    for node in hir.nodes {
        let args: Vec<NodeId> = node.args.iter().map(|&a| remap[a as usize]).collect();
        let key = match &node.op {
            Op::Input(k) => Key::Input(*k),
            Op::Const(s) => Key::Const(node.dtype, const_bits(s)),
            Op::Cast => Key::Cast(node.dtype, args[0]),
            Op::Map(f) => Key::Map(*f, node.dtype, args.clone()),
            Op::Reduce(r, axis, keepdims) => Key::Reduce(*r, *axis, *keepdims, args[0]),
        };
        let id = *seen.entry(key).or_insert_with(|| {
            nodes.push(Node { args, ..node });
            (nodes.len() - 1) as NodeId
        });
        remap.push(id);
    }
    // The root must stay last. If it merged into an earlier node, every node after that one
    // fed only the old root, so it is dead and can go.
    let root = *remap.last().expect("a Hir has a root");
    nodes.truncate(root as usize + 1);
    Hir {
        nodes,
        inputs: hir.inputs,
        source: hir.source,
    }
}

/// Dead-code elimination; see the module docs.
pub(crate) fn dce(hir: Hir) -> Hir {
    let n = hir.nodes.len();
    let mut live = vec![false; n];
    live[n - 1] = true;
    for i in (0..n).rev() {
        if live[i] {
            for &a in &hir.nodes[i].args {
                live[a as usize] = true;
            }
        }
    }
    let mut remap = vec![0 as NodeId; n];
    let mut nodes = Vec::with_capacity(n);
    for (i, node) in hir.nodes.into_iter().enumerate() {
        if live[i] {
            remap[i] = nodes.len() as NodeId;
            let args = node.args.iter().map(|&a| remap[a as usize]).collect();
            nodes.push(Node { args, ..node });
        }
    }
    Hir {
        nodes,
        inputs: hir.inputs,
        source: hir.source,
    }
}

#[cfg(test)]
mod tests;
