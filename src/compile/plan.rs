//! Phases: an expression with reductions anywhere, as a sequence of ordinary programs.
//!
//! In: a typed [`Hir`] whose reductions may sit anywhere (`a - mean(a)`,
//! `(x - min(x)) / (max(x) - min(x))`, `sum(a - mean(a))`) and the constant evaluator for
//! the optimiser. Out: a [`Plan`], a list of [`Phase`]s in the order they run. Every phase is
//! an ordinary program (element-wise, or ending in one fold at its root, as the VM runs
//! them); a phase's input slots are the caller's variables, earlier phases' results
//! ([`Source::Result`], broadcast like any input, with `keepdims` shape when asked) and lane
//! counts ([`Source::Count`], 0-d). The last phase computes the expression's value.
//!
//! - A fold (`sum prod min max any all`) that is not the root becomes a phase of its own;
//!   its consumers read its result as an input.
//! - `mean(x)` is a phase `sum(x)` and, in the consumer, `result / n`.
//! - `var(x, ddof)` is two-pass: a phase `s = sum(x)` (keeping the axis, so it broadcasts
//!   back), then a phase `q = sum(|x - s/n|**2)`, and in the consumer `q / max(n - ddof, 0)`;
//!   `std` is its square root. The squares of complex deviations are `re*re + im*im`.
//! - Identical reductions are computed once: the whole HIR goes through common-subexpression
//!   elimination first, and phases that come out identical (the sum inside `mean(x)` and the
//!   one inside `var(x)`) are merged.
//!
//! Phases are cut from the typed HIR before optimisation, so each phase has exactly the
//! inputs its part of the source reads, and the shape pass of each phase gives NumPy's shape
//! (an input read only inside a reduction does not shape the rest). Each phase is then
//! optimised and compiled on its own. The planner is a loop over the nodes (no recursion).

use std::collections::HashMap;

use crate::bytecode::Program;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Span};
use crate::hir::{Fun, Hir, InputSlot, Node, NodeId, Op, ReduceOp};
use crate::optimize;

/// Phases in the order they run; the last one computes the expression's value.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The phases.
    pub phases: Vec<Phase>,
}

/// One program of a [`Plan`] and where its inputs come from.
#[derive(Clone, Debug)]
pub(crate) struct Phase {
    /// Its expression, before optimisation (what its shapes are computed from).
    pub hir: Hir,
    /// Where each input slot of `hir` (and of `program`) comes from.
    pub sources: Vec<Source>,
    /// The compiled, optimised program.
    pub program: Program,
}

/// Where a phase's input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// The caller's variable, input slot `k` of the whole expression.
    Var(u32),
    /// The result of an earlier phase.
    Result(usize),
    /// `max(n - ddof, 0)` as a 0-d value of `dtype`, where `n` is the number of elements that
    /// an earlier phase (a sum) folds into each of its results.
    Count {
        /// The phase.
        phase: usize,
        /// Subtracted from the count.
        ddof: i64,
        /// The dtype of the value (float or complex).
        dtype: DType,
    },
}

impl Plan {
    /// Whether the plan is one phase reading the whole expression's variables in order
    /// (an element-wise expression, or one fold at the root): no planning at run time.
    pub fn is_single(&self) -> bool {
        match self.phases.as_slice() {
            [only] => only
                .sources
                .iter()
                .enumerate()
                .all(|(k, s)| *s == Source::Var(k as u32)),
            _ => false,
        }
    }
}

/// Split `hir` into phases (see the module docs): each phase's expression (unoptimised) and
/// the sources of its inputs, in the order they run.
pub(crate) fn split(hir: &Hir) -> Result<Vec<(Hir, Vec<Source>)>, Error> {
    let root = hir
        .nodes
        .len()
        .checked_sub(1)
        .ok_or_else(|| internal("an empty HIR"))?;
    let simple = hir.nodes.iter().enumerate().all(|(i, n)| match n.op {
        Op::Reduce(op, _, _) => i == root && op.is_fold(),
        _ => true,
    });
    if simple {
        let sources = (0..hir.inputs.len() as u32).map(Source::Var).collect();
        return Ok(vec![(hir.clone(), sources)]);
    }
    let whole = optimize::cse(hir.clone());
    let mut planner = Planner {
        whole: &whole,
        phases: Vec::new(),
        values: HashMap::new(),
    };
    let root = (whole.nodes.len() - 1) as NodeId;
    for (i, node) in whole.nodes.iter().enumerate() {
        let Op::Reduce(op, axis, keepdims) = node.op else {
            continue;
        };
        let i = i as NodeId;
        // A fold at the root is the last phase itself.
        if i == root && op.is_fold() {
            break;
        }
        let value = planner.reduction(i, op, axis, keepdims)?;
        planner.values.insert(i, value);
    }
    let mut last = PhaseBuilder::new(&whole);
    last.copy(root, &planner.values)?;
    let (h, sources) = last.finish();
    planner.push(h, sources)?;
    Ok(planner.phases)
}

/// How a consumer computes a planned reduction's value from phase results.
#[derive(Clone, Copy, Debug)]
enum Value {
    /// A fold: the phase's result.
    Fold { phase: usize, dtype: DType },
    /// `result / max(n - ddof, 0)`, then its square root if `sqrt` (mean, var, std).
    Scaled {
        phase: usize,
        ddof: i64,
        dtype: DType,
        sqrt: bool,
    },
}

struct Planner<'h> {
    whole: &'h Hir,
    /// The phases so far: expression and input sources.
    phases: Vec<(Hir, Vec<Source>)>,
    /// The value of each reduction node of `whole` planned so far.
    values: HashMap<NodeId, Value>,
}

impl Planner<'_> {
    /// Plan reduction node `i` (its arguments' reductions are planned already).
    fn reduction(
        &mut self,
        i: NodeId,
        op: ReduceOp,
        axis: Option<i64>,
        keepdims: bool,
    ) -> Result<Value, Error> {
        let whole = self.whole;
        let node = &whole.nodes[i as usize];
        let arg = node.args[0];
        let span = node.span;
        let arg_dtype = whole.nodes[arg as usize].dtype;
        // A sum (or other fold) of the argument, possibly keeping the axis.
        let fold = |planner: &mut Self, op: ReduceOp, keep: bool| -> Result<usize, Error> {
            let mut b = PhaseBuilder::new(whole);
            let x = b.copy(arg, &planner.values)?;
            let dtype = op
                .signature(arg_dtype)
                .ok_or_else(|| internal("no fold for the operand"))?;
            b.push(Op::Reduce(op, axis, keep), dtype, vec![x], span);
            let (h, sources) = b.finish();
            planner.phase(h, sources)
        };
        Ok(match op {
            ReduceOp::Mean => Value::Scaled {
                phase: fold(self, ReduceOp::Sum, keepdims)?,
                ddof: 0,
                dtype: node.dtype,
                sqrt: false,
            },
            ReduceOp::Var { ddof } | ReduceOp::Std { ddof } => {
                // Pass 1: the sum, keeping an axis so that the mean broadcasts back.
                let sum = fold(self, ReduceOp::Sum, axis.is_some())?;
                // Pass 2: the sum of squared deviations from the mean.
                let mut b = PhaseBuilder::new(whole);
                let x = b.copy(arg, &self.values)?;
                let s = b.input(Source::Result(sum), arg_dtype, span);
                let n = b.input(
                    Source::Count {
                        phase: sum,
                        ddof: 0,
                        dtype: arg_dtype,
                    },
                    arg_dtype,
                    span,
                );
                let mean = b.push(Op::Map(Fun::Div), arg_dtype, vec![s, n], span);
                let d = b.push(Op::Map(Fun::Sub), arg_dtype, vec![x, mean], span);
                let square = if arg_dtype == DType::Complex128 {
                    let re = b.push(Op::Map(Fun::Real), node.dtype, vec![d], span);
                    let im = b.push(Op::Map(Fun::Imag), node.dtype, vec![d], span);
                    let rr = b.push(Op::Map(Fun::Mul), node.dtype, vec![re, re], span);
                    let ii = b.push(Op::Map(Fun::Mul), node.dtype, vec![im, im], span);
                    b.push(Op::Map(Fun::Add), node.dtype, vec![rr, ii], span)
                } else {
                    b.push(Op::Map(Fun::Mul), node.dtype, vec![d, d], span)
                };
                b.push(
                    Op::Reduce(ReduceOp::Sum, axis, keepdims),
                    node.dtype,
                    vec![square],
                    span,
                );
                let (h, sources) = b.finish();
                Value::Scaled {
                    phase: self.phase(h, sources)?,
                    ddof,
                    dtype: node.dtype,
                    sqrt: matches!(op, ReduceOp::Std { .. }),
                }
            }
            fold_op => Value::Fold {
                phase: fold(self, fold_op, keepdims)?,
                dtype: node.dtype,
            },
        })
    }

    /// Add a phase, or find an identical one; its index.
    fn phase(&mut self, hir: Hir, sources: Vec<Source>) -> Result<usize, Error> {
        let same = |(h, s): &(Hir, Vec<Source>)| {
            *s == sources
                && h.nodes.len() == hir.nodes.len()
                && h.nodes
                    .iter()
                    .zip(&hir.nodes)
                    .all(|(a, b)| a.op == b.op && a.dtype == b.dtype && a.args == b.args)
        };
        if let Some(k) = self.phases.iter().position(same) {
            return Ok(k);
        }
        self.push(hir, sources)?;
        Ok(self.phases.len() - 1)
    }

    /// Append a phase.
    fn push(&mut self, hir: Hir, sources: Vec<Source>) -> Result<(), Error> {
        hir.validate()?;
        self.phases.push((hir, sources));
        Ok(())
    }
}

/// Builds one phase's HIR from parts of the whole one.
struct PhaseBuilder<'h> {
    whole: &'h Hir,
    nodes: Vec<Node>,
    inputs: Vec<InputSlot>,
    sources: Vec<Source>,
    /// The input node of each source already read.
    input_nodes: HashMap<(u8, usize, i64), NodeId>,
}

impl<'h> PhaseBuilder<'h> {
    fn new(whole: &'h Hir) -> PhaseBuilder<'h> {
        PhaseBuilder {
            whole,
            nodes: Vec::new(),
            inputs: Vec::new(),
            sources: Vec::new(),
            input_nodes: HashMap::new(),
        }
    }

    fn push(&mut self, op: Op, dtype: DType, args: Vec<NodeId>, span: Span) -> NodeId {
        self.nodes.push(Node {
            op,
            dtype,
            args,
            span,
        });
        (self.nodes.len() - 1) as NodeId
    }

    /// The input node reading `source` (one per source).
    fn input(&mut self, source: Source, dtype: DType, span: Span) -> NodeId {
        let key = match source {
            Source::Var(k) => (0, k as usize, 0),
            Source::Result(p) => (1, p, 0),
            Source::Count { phase, ddof, .. } => (2, phase, ddof),
        };
        if let Some(&id) = self.input_nodes.get(&key) {
            return id;
        }
        let (name, span) = match source {
            Source::Var(k) => {
                let slot = &self.whole.inputs[k as usize];
                (slot.name.clone(), slot.span)
            }
            // Not identifiers, so they cannot clash with a variable.
            Source::Result(p) => (format!("%{p}"), span),
            Source::Count { phase, ddof: 0, .. } => (format!("%n{phase}"), span),
            Source::Count { phase, ddof, .. } => (format!("%n{phase}-{ddof}"), span),
        };
        let k = self.inputs.len() as u32;
        self.inputs.push(InputSlot { name, dtype, span });
        self.sources.push(source);
        let id = self.push(Op::Input(k), dtype, Vec::new(), span);
        self.input_nodes.insert(key, id);
        id
    }

    /// Copy the nodes of the whole HIR that `top` reads into this phase, reading planned
    /// reductions from their phases' results; `top`'s id here. `top` itself may be an
    /// unplanned fold (the root of the last phase); any other reduction must be planned.
    fn copy(&mut self, top: NodeId, values: &HashMap<NodeId, Value>) -> Result<NodeId, Error> {
        let whole = self.whole;
        let top_ix = top as usize;
        let mut read = vec![false; top_ix + 1];
        read[top_ix] = true;
        for i in (0..=top_ix).rev() {
            if !read[i] || values.contains_key(&(i as NodeId)) {
                continue;
            }
            for &a in &whole.nodes[i].args {
                read[a as usize] = true;
            }
        }
        let mut here: HashMap<NodeId, NodeId> = HashMap::new();
        for i in (0..=top_ix).filter(|&i| read[i]) {
            let node = &whole.nodes[i];
            let id = match (values.get(&(i as NodeId)), &node.op) {
                (Some(&value), _) => self.value(value, node.span),
                (None, &Op::Input(k)) => self.input(Source::Var(k), node.dtype, node.span),
                (None, Op::Reduce(op, ..)) if i != top_ix || !op.is_fold() => {
                    return Err(internal("a reduction read before it is planned"));
                }
                (None, op) => {
                    let args = node
                        .args
                        .iter()
                        .map(|a| {
                            here.get(a)
                                .copied()
                                .ok_or_else(|| internal("unordered HIR"))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    self.push(op.clone(), node.dtype, args, node.span)
                }
            };
            here.insert(i as NodeId, id);
        }
        here.get(&top)
            .copied()
            .ok_or_else(|| internal("nothing copied"))
    }

    /// The nodes that compute a planned reduction's value from its phases' results.
    fn value(&mut self, value: Value, span: Span) -> NodeId {
        match value {
            Value::Fold { phase, dtype } => self.input(Source::Result(phase), dtype, span),
            Value::Scaled {
                phase,
                ddof,
                dtype,
                sqrt,
            } => {
                let sum = self.input(Source::Result(phase), dtype, span);
                let count = self.input(Source::Count { phase, ddof, dtype }, dtype, span);
                let scaled = self.push(Op::Map(Fun::Div), dtype, vec![sum, count], span);
                if sqrt {
                    self.push(Op::Map(Fun::Sqrt), dtype, vec![scaled], span)
                } else {
                    scaled
                }
            }
        }
    }

    fn finish(self) -> (Hir, Vec<Source>) {
        let hir = Hir {
            nodes: self.nodes,
            inputs: self.inputs,
            source: self.whole.source.clone(),
        };
        (hir, self.sources)
    }
}

fn internal(what: &str) -> Error {
    Error::new(ErrorKind::Internal, format!("plan: {what}"))
}
