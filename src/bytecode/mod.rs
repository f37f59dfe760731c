//! Register bytecode: what the compiler emits and the VM runs.
//!
//! A [`Program`] is a list of [`Instr`]s over three kinds of [`Operand`]: block registers
//! (scratch buffers of one block's length), inputs (the caller's arrays, read in place when
//! contiguous) and constants (scalars: `x + 1` never materialises a constant array). Every
//! instruction is element-wise; a program whose result is a reduction ends with a
//! [`Reduction`] that folds the final operand block by block. The instruction set comes from
//! one table (`hir::table`); `Display` is the disassembler behind `vexpr dis`.
//!
//! Invariants (checked by [`Program::validate`]): every operand's dtype matches its opcode's
//! signature; a register is written before it is read within a block; the last instruction of
//! an element-wise program writes [`Dst::Output`] and nothing else does.

use std::fmt;

use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::hir::table::{dtype_of, for_each_instruction};
use crate::hir::{Fun, InputSlot, ReduceOp};

/// A block register: a scratch buffer of one block's length, of one dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Register(pub u16);

/// Where an instruction reads a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Operand {
    /// A block register.
    Reg(Register),
    /// Input `k` of the program (its block, broadcast to the result shape).
    Input(u16),
    /// Constant `k` of the program's pool: one scalar for every element.
    Const(u16),
}

/// Where an instruction writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Dst {
    /// A block register.
    Reg(Register),
    /// The block of the output array.
    Output,
}

/// What an opcode computes, in HIR terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Operation {
    /// An element-wise function or operator.
    Map(Fun),
    /// A conversion to a higher rank.
    Cast,
    /// The identity (an input or constant that is the whole result).
    Copy,
}

/// How a kernel walks its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// One operand.
    Unary,
    /// Two operands.
    Binary,
    /// `where(cond, x, y)`.
    Select,
}

macro_rules! shape_of {
    (unary) => {
        Shape::Unary
    };
    (binary) => {
        Shape::Binary
    };
    (select) => {
        Shape::Select
    };
    (math1) => {
        Shape::Unary
    };
    (math2) => {
        Shape::Binary
    };
}

macro_rules! operation_of {
    (Copy) => {
        Operation::Copy
    };
    (Cast) => {
        Operation::Cast
    };
    (Map($fun:ident)) => {
        Operation::Map(Fun::$fun)
    };
}

macro_rules! define_opcodes {
    ($($name:ident: $shape:ident($op:ident $(($fun:ident))?, $mnemonic:literal,
        $arg:ident -> $ret:ident, $f:expr),)*) => {
        /// Every instruction of the VM over numbers (byte strings have their own, below).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum OpCode {
            $(
                #[doc = concat!("`", $mnemonic, "` of ", stringify!($arg), " giving ", stringify!($ret), ".")]
                $name,
            )*
            /// A byte-string comparison (the `Fun` says which).
            CompareBytes(Fun),
            /// `contains(haystack, needle)` on byte strings.
            ContainsBytes,
            /// `where(cond, x, y)` on byte strings.
            WhereBytes,
            /// A copy of byte strings.
            CopyBytes,
        }

        impl OpCode {
            /// Every numeric opcode, in table order.
            pub const NUMERIC: &'static [OpCode] = &[$(OpCode::$name),*];

            /// The mnemonic shown by the disassembler.
            pub fn mnemonic(self) -> &'static str {
                match self {
                    $(OpCode::$name => $mnemonic,)*
                    OpCode::CompareBytes(f) => f.name(),
                    OpCode::ContainsBytes => "contains",
                    OpCode::WhereBytes => "where",
                    OpCode::CopyBytes => "copy",
                }
            }

            /// What the opcode computes.
            pub fn operation(self) -> Operation {
                match self {
                    $(OpCode::$name => operation_of!($op $(($fun))?),)*
                    OpCode::CompareBytes(f) => Operation::Map(f),
                    OpCode::ContainsBytes => Operation::Map(Fun::Contains),
                    OpCode::WhereBytes => Operation::Map(Fun::Where),
                    OpCode::CopyBytes => Operation::Copy,
                }
            }

            /// The kernel shape (number and role of operands).
            pub fn shape(self) -> Shape {
                match self {
                    $(OpCode::$name => shape_of!($shape),)*
                    OpCode::CompareBytes(_) | OpCode::ContainsBytes => Shape::Binary,
                    OpCode::WhereBytes => Shape::Select,
                    OpCode::CopyBytes => Shape::Unary,
                }
            }

            /// The dtype of the value operands (a `where`'s condition is bool); `None` for
            /// byte strings, whose widths vary.
            pub fn operand_dtype(self) -> Option<DType> {
                match self {
                    $(OpCode::$name => Some(dtype_of!($arg)),)*
                    _ => None,
                }
            }

            /// The result dtype; `None` for byte strings (the destination decides the width).
            pub fn result_dtype(self) -> Option<DType> {
                match self {
                    $(OpCode::$name => Some(dtype_of!($ret)),)*
                    OpCode::CompareBytes(_) | OpCode::ContainsBytes => Some(DType::Bool),
                    _ => None,
                }
            }
        }
    };
}

for_each_instruction!(define_opcodes);

impl OpCode {
    /// Number of operands.
    pub fn arity(self) -> usize {
        match self.shape() {
            Shape::Unary => 1,
            Shape::Binary => 2,
            Shape::Select => 3,
        }
    }

    /// The opcode for `operation` on operands of dtype `operand` giving `result`.
    pub fn find(operation: Operation, operand: DType, result: DType) -> Option<OpCode> {
        if operand.is_bytes() {
            return match operation {
                Operation::Copy => Some(OpCode::CopyBytes),
                Operation::Map(Fun::Contains) => Some(OpCode::ContainsBytes),
                Operation::Map(Fun::Where) => Some(OpCode::WhereBytes),
                Operation::Map(f @ (Fun::Lt | Fun::Le | Fun::Gt | Fun::Ge | Fun::Eq | Fun::Ne)) => {
                    Some(OpCode::CompareBytes(f))
                }
                _ => None,
            };
        }
        OpCode::NUMERIC.iter().copied().find(|op| {
            op.operation() == operation
                && op.operand_dtype() == Some(operand)
                && op.result_dtype() == Some(result)
        })
    }
}

/// One instruction: `dst = op(args[..arity])`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Instr {
    /// What to compute.
    pub op: OpCode,
    /// Where the result goes.
    pub dst: Dst,
    /// The operands; only the first `op.arity()` are meaningful.
    pub args: [Operand; 3],
}

/// The final fold of a reduction program.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reduction {
    /// Which reduction.
    pub op: ReduceOp,
    /// Along which axis (negative counts from the end), or all of them.
    pub axis: Option<i64>,
    /// The values folded: the operand holding the argument's block.
    pub arg: Operand,
    /// The dtype of the argument and of the result.
    pub dtype: DType,
}

/// Whether two constants are the same bits (`0.0` is not `-0.0`; a NaN is itself).
fn same_bits(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::Float32(x), Scalar::Float32(y)) => x.to_bits() == y.to_bits(),
        (Scalar::Float64(x), Scalar::Float64(y)) => x.to_bits() == y.to_bits(),
        (Scalar::Complex128(x), Scalar::Complex128(y)) => {
            x.re.to_bits() == y.re.to_bits() && x.im.to_bits() == y.im.to_bits()
        }
        _ => a == b,
    }
}

/// A compiled expression: immutable, shared by every thread that runs it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Program {
    /// The instructions, run in order for every block.
    pub instrs: Vec<Instr>,
    /// The dtype of each register (`Register(k)` is `registers[k]`).
    pub registers: Vec<DType>,
    /// The constant pool.
    pub consts: Vec<Scalar>,
    /// The variables read, in `Operand::Input` order.
    pub inputs: Vec<InputSlot>,
    /// The fold at the end, for a reduction.
    pub reduction: Option<Reduction>,
    /// The result dtype.
    pub dtype: DType,
    /// The expression, for the disassembly header.
    pub source: std::sync::Arc<str>,
}

impl Program {
    /// Whether `other` is this reduction program with another fold of the same argument
    /// (`min(x)` beside `max(x)`): the same instructions, inputs and constants, and a
    /// reduction of the same operand, axis and dtype, so one pass can fold both.
    pub fn folds_same_pass(&self, other: &Program) -> bool {
        match (self.reduction, other.reduction) {
            (Some(a), Some(b)) => {
                a.arg == b.arg
                    && a.axis == b.axis
                    && a.dtype == b.dtype
                    && self.dtype == other.dtype
                    && self.instrs == other.instrs
                    && self.registers == other.registers
                    && self.consts.len() == other.consts.len()
                    && self
                        .consts
                        .iter()
                        .zip(&other.consts)
                        .all(|(a, b)| same_bits(a, b))
                    && self.inputs.len() == other.inputs.len()
                    && (self.inputs.iter().zip(&other.inputs))
                        .all(|(a, b)| a.name == b.name && a.dtype == b.dtype)
            }
            _ => false,
        }
    }

    /// The dtype an operand holds.
    pub fn operand_dtype(&self, o: Operand) -> Option<DType> {
        match o {
            Operand::Reg(r) => self.registers.get(r.0 as usize).copied(),
            Operand::Input(k) => self.inputs.get(k as usize).map(|s| s.dtype),
            Operand::Const(k) => self.consts.get(k as usize).map(Scalar::dtype),
        }
    }

    /// Check the invariants in the module docs; an `Internal` error names the instruction
    /// and the first broken one. The VM's frame relies on them (`vm::frame`).
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |pc: usize, what: String| {
            let op = self
                .instrs
                .get(pc)
                .map_or_else(|| "the reduction".to_string(), |i| format!("{:?}", i.op));
            Err(Error::new(
                ErrorKind::Internal,
                format!("invalid program at instruction {pc} ({op}): {what}"),
            ))
        };
        let mut written = vec![false; self.registers.len()];
        let last = self.instrs.len().wrapping_sub(1);
        for (pc, instr) in self.instrs.iter().enumerate() {
            let arity = instr.op.arity();
            for (k, &arg) in instr.args[..arity].iter().enumerate() {
                let Some(dtype) = self.operand_dtype(arg) else {
                    return bad(pc, format!("operand {k} does not exist"));
                };
                if let Operand::Reg(r) = arg {
                    if !written[r.0 as usize] {
                        return bad(pc, format!("r{} is read before it is written", r.0));
                    }
                    if instr.dst == Dst::Reg(r) {
                        return bad(pc, format!("r{} is both read and written", r.0));
                    }
                }
                let want = match (instr.op.shape(), k) {
                    (Shape::Select, 0) => Some(DType::Bool),
                    _ => instr.op.operand_dtype(),
                };
                let ok = match want {
                    Some(w) => w == dtype,
                    None => dtype.is_bytes(),
                };
                if !ok {
                    return bad(pc, format!("operand {k} is {dtype}, expected {want:?}"));
                }
            }
            let dst_dtype = match instr.dst {
                Dst::Reg(r) => {
                    let Some(&d) = self.registers.get(r.0 as usize) else {
                        return bad(pc, format!("r{} does not exist", r.0));
                    };
                    written[r.0 as usize] = true;
                    if pc == last && self.reduction.is_none() {
                        return bad(pc, "the last instruction must write the output".into());
                    }
                    d
                }
                Dst::Output => {
                    if pc != last || self.reduction.is_some() {
                        return bad(pc, "only the last instruction writes the output".into());
                    }
                    self.dtype
                }
            };
            let fits = match instr.op.result_dtype() {
                Some(r) => r == dst_dtype,
                None => dst_dtype.is_bytes(),
            };
            if !fits {
                return bad(pc, format!("writes into a {dst_dtype} destination"));
            }
        }
        match &self.reduction {
            Some(r) => {
                let pc = self.instrs.len();
                if self.operand_dtype(r.arg) != Some(r.dtype) || r.dtype != self.dtype {
                    return bad(pc, format!("the folded operand is not {}", r.dtype));
                }
                if let Operand::Reg(reg) = r.arg
                    && !written[reg.0 as usize]
                {
                    return bad(pc, format!("r{} is read before it is written", reg.0));
                }
                if !r.op.is_fold() || r.op.signature(r.dtype) != Some(r.dtype) {
                    return bad(
                        pc,
                        format!("{} is not defined for {}", r.op.name(), r.dtype),
                    );
                }
            }
            None if self.instrs.is_empty() => {
                return bad(
                    0,
                    "an element-wise program needs at least one instruction".into(),
                );
            }
            None => {}
        }
        Ok(())
    }
}

impl fmt::Display for Register {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// Short dtype suffixes for mnemonics: `add.f64`.
fn suffix(d: DType) -> String {
    match d {
        DType::Bool => "b1".into(),
        DType::Int32 => "i32".into(),
        DType::Int64 => "i64".into(),
        DType::Float32 => "f32".into(),
        DType::Float64 => "f64".into(),
        DType::Complex128 => "c128".into(),
        DType::Bytes(n) => format!("S{n}"),
    }
}

impl Program {
    fn operand_text(&self, o: Operand) -> String {
        match o {
            Operand::Reg(r) => r.to_string(),
            Operand::Input(k) => self
                .inputs
                .get(k as usize)
                .map_or_else(|| format!("in{k}"), |s| s.name.clone()),
            Operand::Const(k) => self
                .consts
                .get(k as usize)
                .map_or_else(|| format!("c{k}"), scalar_text),
        }
    }
}

/// A constant as the disassembler shows it (Python literal syntax).
fn scalar_text(s: &Scalar) -> String {
    match s {
        Scalar::Bool(b) => if *b { "True" } else { "False" }.into(),
        Scalar::Int32(v) => v.to_string(),
        Scalar::Int64(v) => v.to_string(),
        Scalar::Float32(v) => format!("{v:?}"),
        Scalar::Float64(v) => format!("{v:?}"),
        Scalar::Complex128(z) => format!("({:?}{:+?}j)", z.re, z.im),
        Scalar::Bytes(b) => format!("b{:?}", String::from_utf8_lossy(b)),
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "; {}", self.source)?;
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|s| format!("{}: {}", s.name, s.dtype))
            .collect();
        writeln!(
            f,
            "; inputs: {}; registers: {}; result: {}",
            if inputs.is_empty() {
                "none".into()
            } else {
                inputs.join(", ")
            },
            self.registers.len(),
            self.dtype
        )?;
        for (pc, instr) in self.instrs.iter().enumerate() {
            let ty = match (instr.op.operand_dtype(), instr.dst) {
                (Some(d), _) => suffix(d),
                (None, Dst::Reg(r)) => self
                    .registers
                    .get(r.0 as usize)
                    .map_or_else(String::new, |d| suffix(*d)),
                (None, Dst::Output) => suffix(self.dtype),
            };
            let op = match instr.op.operation() {
                Operation::Cast => format!(
                    "cast.{}",
                    suffix(instr.op.result_dtype().unwrap_or(self.dtype))
                ),
                _ => format!("{}.{ty}", instr.op.mnemonic()),
            };
            let dst = match instr.dst {
                Dst::Reg(r) => r.to_string(),
                Dst::Output => "out".into(),
            };
            let args: Vec<String> = instr.args[..instr.op.arity()]
                .iter()
                .map(|&a| self.operand_text(a))
                .collect();
            writeln!(f, "{pc:>4}  {op:<14} {dst}, {}", args.join(", "))?;
        }
        if let Some(r) = &self.reduction {
            let axis = r.axis.map_or_else(|| "all".to_string(), |a| a.to_string());
            writeln!(
                f,
                "{:>4}  {:<14} out, {}, axis={axis}",
                self.instrs.len(),
                format!("{}.{}", r.op.name(), suffix(r.dtype)),
                self.operand_text(r.arg)
            )?;
        }
        Ok(())
    }
}
