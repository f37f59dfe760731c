//! Typed HIR to register bytecode.
//!
//! In: an optimised [`Hir`]. Out: a [`Program`]. Three steps, each a loop (no recursion):
//! 1. **Scheduling.** Nodes are emitted in a post-order that evaluates the operand needing
//!    more registers first (Sethi-Ullman numbering), so a right-leaning chain
//!    `a*b + (c*d + (e*f + ...))` needs two registers instead of one per level.
//! 2. **Operands.** Inputs and constants are operands of the instructions that use them
//!    (nothing is loaded: `x + 1` reads `x` in place and `1` as a scalar).
//! 3. **Register allocation.** A register is released as soon as its value's last use is
//!    emitted and is reused by the next value of the same dtype, so the number of live block
//!    buffers is the minimum this order allows. An instruction never writes a register it
//!    reads (kernels borrow their destination apart from their sources).

use std::collections::HashMap;

use crate::bytecode::{Dst, Instr, OpCode, Operand, Operation, Program, Reduction, Register};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind, Span};
use crate::hir::{Hir, NodeId, Op};
use crate::limits;
use crate::optimize::{ConstEval, optimize};

mod plan;
pub(crate) use plan::{Phase, Plan, Source};

/// Split `hir` into phases ([`plan`](mod@plan): reductions inside the expression first),
/// then optimise and compile each one.
pub(crate) fn plan(hir: &Hir, eval: ConstEval<'_>) -> Result<Plan, Error> {
    let phases = plan::split(hir)?
        .into_iter()
        .map(|(hir, sources)| {
            let program = compile(&optimize(hir.clone(), eval)?)?;
            Ok(Phase {
                hir,
                sources,
                program,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(Plan { phases })
}

/// Compile `hir` (already optimised) to a program.
pub(crate) fn compile(hir: &Hir) -> Result<Program, Error> {
    let order = schedule(hir);
    let mut uses = vec![0usize; hir.nodes.len()];
    for &n in &order {
        for &a in &hir.nodes[n as usize].args {
            uses[a as usize] += 1;
        }
    }
    let root = (hir.nodes.len() - 1) as NodeId;
    let mut e = Emitter {
        hir,
        operands: vec![None; hir.nodes.len()],
        uses,
        free: HashMap::new(),
        registers: Vec::new(),
        consts: Vec::new(),
        const_index: HashMap::new(),
        instrs: Vec::new(),
        reduction: None,
    };
    for &n in &order {
        e.node(n, n == root)?;
    }
    if e.instrs.is_empty() && e.reduction.is_none() {
        // The whole result is an input or a constant: copy it out.
        let value = e.operand(root)?;
        let dtype = hir.dtype();
        let op =
            OpCode::find(Operation::Copy, dtype, dtype).ok_or_else(|| missing("copy", dtype))?;
        e.instrs.push(Instr {
            op,
            dst: Dst::Output,
            args: [value; 3],
        });
    }
    if e.instrs.len() > limits::MAX_INSTRUCTIONS {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "the expression compiles to {} instructions; the limit is {}",
                e.instrs.len(),
                limits::MAX_INSTRUCTIONS
            ),
        ));
    }
    let program = Program {
        instrs: e.instrs,
        registers: e.registers,
        consts: e.consts,
        inputs: hir.inputs.clone(),
        reduction: e.reduction,
        dtype: hir.dtype(),
        source: hir.source.clone(),
    };
    Ok(program)
}

fn missing(what: &str, dtype: DType) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("no kernel for {what} of {dtype}"),
    )
}

/// The emission order: every node reachable from the root, after its arguments, the
/// argument that needs more registers first.
fn schedule(hir: &Hir) -> Vec<NodeId> {
    // need[n]: registers to evaluate n's subtree (treating it as a tree), Sethi-Ullman style.
    let mut need = vec![0usize; hir.nodes.len()];
    for (i, n) in hir.nodes.iter().enumerate() {
        if matches!(n.op, Op::Input(_) | Op::Const(_)) {
            continue;
        }
        let mut child: Vec<usize> = n.args.iter().map(|&a| need[a as usize]).collect();
        child.sort_unstable_by(|a, b| b.cmp(a));
        let deepest = child
            .iter()
            .enumerate()
            .map(|(k, &c)| c + k)
            .max()
            .unwrap_or(0);
        need[i] = deepest.max(1);
    }
    let mut order = Vec::with_capacity(hir.nodes.len());
    let mut done = vec![false; hir.nodes.len()];
    let root = (hir.nodes.len() - 1) as NodeId;
    // (node, arguments already pushed?)
    let mut stack = vec![(root, false)];
    while let Some((n, expanded)) = stack.pop() {
        if done[n as usize] {
            continue;
        }
        if expanded {
            done[n as usize] = true;
            order.push(n);
            continue;
        }
        stack.push((n, true));
        let mut args: Vec<NodeId> = hir.nodes[n as usize].args.clone();
        // The stack pops last-pushed first: push the cheapest argument first.
        args.sort_by_key(|&a| need[a as usize]);
        for a in args {
            if !done[a as usize] {
                stack.push((a, false));
            }
        }
    }
    order
}

struct Emitter<'h> {
    hir: &'h Hir,
    /// Where each emitted node's value is.
    operands: Vec<Option<Operand>>,
    /// Uses of each node not emitted yet.
    uses: Vec<usize>,
    /// Released registers, by dtype.
    free: HashMap<DType, Vec<Register>>,
    registers: Vec<DType>,
    consts: Vec<Scalar>,
    /// Where each constant of `consts` is, by its bits (a linear search would make the
    /// compile time quadratic in the number of constants).
    const_index: HashMap<ConstKey, u16>,
    instrs: Vec<Instr>,
    reduction: Option<Reduction>,
}

/// A constant's identity for sharing pool slots: the dtype and the exact bits, so `0.0` and
/// `-0.0` (or two NaNs with different payloads) stay apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ConstKey {
    /// Numbers: dtype and bits (both parts of a complex).
    Number(DType, u64, u64),
    /// Byte strings: their bytes.
    Bytes(Vec<u8>),
}

impl ConstKey {
    fn of(s: &Scalar) -> ConstKey {
        let number = |bits: u64, im: u64| ConstKey::Number(s.dtype(), bits, im);
        match s {
            Scalar::Bool(b) => number(u64::from(*b), 0),
            Scalar::Int32(v) => number(*v as u64, 0),
            Scalar::Int64(v) => number(*v as u64, 0),
            Scalar::Float32(v) => number(u64::from(v.to_bits()), 0),
            Scalar::Float64(v) => number(v.to_bits(), 0),
            Scalar::Complex128(z) => number(z.re.to_bits(), z.im.to_bits()),
            Scalar::Bytes(b) => ConstKey::Bytes(b.clone()),
        }
    }
}

impl Emitter<'_> {
    fn operand(&self, n: NodeId) -> Result<Operand, Error> {
        self.operands[n as usize].ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                format!("node {n} used before it is computed"),
            )
        })
    }

    fn register(&mut self, dtype: DType) -> Result<Register, Error> {
        if let Some(r) = self.free.get_mut(&dtype).and_then(Vec::pop) {
            return Ok(r);
        }
        if self.registers.len() >= limits::MAX_REGISTERS {
            return Err(Error::new(
                ErrorKind::Limit,
                format!(
                    "the expression needs more than {} block registers",
                    limits::MAX_REGISTERS
                ),
            ));
        }
        self.registers.push(dtype);
        Ok(Register((self.registers.len() - 1) as u16))
    }

    /// The pool slot of `s` (bit-identical constants share one), or a `Limit` error when the
    /// pool is full: operands address at most [`limits::MAX_CONSTANTS`] of them.
    fn constant(&mut self, s: &Scalar, span: Span) -> Result<Operand, Error> {
        let key = ConstKey::of(s);
        if let Some(&k) = self.const_index.get(&key) {
            return Ok(Operand::Const(k));
        }
        let k = u16::try_from(self.consts.len())
            .ok()
            .filter(|_| self.consts.len() < limits::MAX_CONSTANTS)
            .ok_or_else(|| {
                Error::at(
                    ErrorKind::Limit,
                    span,
                    format!(
                        "the expression has more than {} distinct constants",
                        limits::MAX_CONSTANTS
                    ),
                )
            })?;
        self.consts.push(s.clone());
        self.const_index.insert(key, k);
        Ok(Operand::Const(k))
    }

    fn node(&mut self, n: NodeId, is_root: bool) -> Result<(), Error> {
        let node = &self.hir.nodes[n as usize];
        let args: Vec<Operand> = node
            .args
            .iter()
            .map(|&a| self.operand(a))
            .collect::<Result<_, _>>()?;
        let operand = match &node.op {
            Op::Input(k) => Operand::Input(*k as u16),
            Op::Const(s) => self.constant(s, node.span)?,
            Op::Reduce(op, axis, _) => {
                // Only a fold at the root reaches here: `plan` makes every other reduction
                // (and mean, var, std) a phase of its own.
                if !is_root || !op.is_fold() {
                    return Err(Error::at(
                        ErrorKind::Internal,
                        node.span,
                        format!(
                            "{} is not a root fold: plan the expression first",
                            op.name()
                        ),
                    ));
                }
                self.reduction = Some(Reduction {
                    op: *op,
                    axis: *axis,
                    arg: args[0],
                    dtype: node.dtype,
                });
                self.release(n);
                return Ok(());
            }
            Op::Cast | Op::Map(_) => {
                let (operation, operand_arg) = match &node.op {
                    Op::Cast => (Operation::Cast, 0),
                    Op::Map(f) => (
                        Operation::Map(*f),
                        if *f == crate::hir::Fun::Where { 1 } else { 0 },
                    ),
                    _ => unreachable!("matched above"),
                };
                let operand_dtype = self.hir.nodes[node.args[operand_arg] as usize].dtype;
                let op = OpCode::find(operation, operand_dtype, node.dtype)
                    .ok_or_else(|| missing(&format!("{:?}", node.op), operand_dtype))?;
                let dst = if is_root {
                    Dst::Output
                } else {
                    Dst::Reg(self.register(node.dtype)?)
                };
                let mut padded = [args.first().copied().unwrap_or(Operand::Const(0)); 3];
                padded[..args.len()].copy_from_slice(&args);
                self.instrs.push(Instr {
                    op,
                    dst,
                    args: padded,
                });
                match dst {
                    Dst::Reg(r) => Operand::Reg(r),
                    // Nothing reads the root; any operand will do.
                    Dst::Output => Operand::Const(0),
                }
            }
        };
        self.operands[n as usize] = Some(operand);
        self.release(n);
        Ok(())
    }

    /// After node `n` is emitted: release the registers of arguments with no uses left.
    fn release(&mut self, n: NodeId) {
        let node = &self.hir.nodes[n as usize];
        for &a in &node.args {
            let u = &mut self.uses[a as usize];
            *u -= 1;
            if *u == 0
                && let Some(Operand::Reg(r)) = self.operands[a as usize]
            {
                let dtype = self.registers[r.0 as usize];
                self.free.entry(dtype).or_default().push(r);
            }
        }
    }
}

#[cfg(test)]
mod tests;
