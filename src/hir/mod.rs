//! The typed, flat representation of an expression (HIR).
//!
//! In: the syntax tree and the variables' dtypes (see [`lower`]). Out: a [`Hir`], a list of
//! [`Node`]s in post-order, where every node's arguments are earlier nodes and the result is
//! the last node. Nodes may be shared (a DAG), so the power expansion `x**4 = (x*x)*(x*x)`
//! refers to `x*x` twice.
//!
//! Invariants (checked by [`Hir::validate`]):
//! - every node is **fully typed**: casting rules have been applied and explicit [`Op::Cast`]
//!   nodes inserted, so each elementwise node matches one canonical kernel signature
//!   ([`Fun::signature`]); later stages never apply casting rules again;
//! - constants already have the dtype their consumer needs;
//! - nothing after lowering recurses over the tree: every pass is a loop over `nodes`.

#[cfg(test)]
pub(crate) mod builder;
pub(crate) mod function;
mod lower;
pub(crate) mod pyconst;
pub(crate) mod shape;
mod signature;
pub(crate) mod table;
pub(crate) use lower::lower;
pub use signature::Signature;

use std::sync::Arc;

use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind, Span};

/// Index of a node in [`Hir::nodes`].
pub(crate) type NodeId = u32;

/// A typed expression: nodes in post-order, the result last.
#[derive(Clone, Debug)]
pub(crate) struct Hir {
    /// The nodes; `nodes[i].args` are all `< i`.
    pub nodes: Vec<Node>,
    /// The variables the expression reads; `Op::Input(k)` is `inputs[k]`.
    pub inputs: Vec<InputSlot>,
    /// The expression text, for error messages.
    pub source: Arc<str>,
}

/// A variable read by the expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InputSlot {
    /// Its name.
    pub name: String,
    /// The dtype it has inside the expression (after widening on entry).
    pub dtype: DType,
    /// Where it is first used.
    pub span: Span,
}

/// One typed operation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// What it computes.
    pub op: Op,
    /// The dtype of its result.
    pub dtype: DType,
    /// Its operands, earlier nodes (as many as the op's arity).
    pub args: Vec<NodeId>,
    /// Its place in the source, for errors found later (shapes, axes).
    pub span: Span,
}

/// Node operations.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    /// Variable `inputs[k]`, broadcast like any array.
    Input(u32),
    /// A constant of the node's dtype (a 0-d array).
    Const(Scalar),
    /// Convert the argument to the node's dtype (numeric, to a higher rank only).
    Cast,
    /// An elementwise operation.
    Map(Fun),
    /// A reduction of the argument, over all elements or along one axis
    /// (negative counts from the end; checked against the shape at run time), keeping the
    /// reduced axes with length 1 when the flag (`keepdims`) is set. It may appear anywhere:
    /// its value is an array of the reduced shape, broadcast like any other operand.
    Reduce(ReduceOp, Option<i64>, bool),
}

macro_rules! funs {
    ($($(#[$doc:meta])* $v:ident = $name:literal / $arity:literal),* $(,)?) => {
        /// Elementwise operations: operators and functions in canonical form.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum Fun {
            $($(#[$doc])* $v,)*
        }

        impl Fun {
            /// Every operation, in declaration order.
            #[allow(dead_code)]
            pub const ALL: &'static [Fun] = &[$(Fun::$v),*];

            /// The name used in messages and by the disassembler.
            pub fn name(self) -> &'static str {
                match self { $(Fun::$v => $name,)* }
            }

            /// Number of operands.
            pub fn arity(self) -> usize {
                match self { $(Fun::$v => $arity,)* }
            }
        }
    };
}

funs! {
    /// `-x`
    Neg = "neg" / 1,
    /// Logical not on bool, bitwise not on ints (`~`, `not`).
    Not = "invert" / 1,
    /// `+`, wrapping on ints.
    Add = "add" / 2,
    /// `-`, wrapping on ints.
    Sub = "sub" / 2,
    /// `*`, wrapping on ints.
    Mul = "mul" / 2,
    /// True division (floats and complex only).
    Div = "div" / 2,
    /// `//`: floor division; ints: by zero gives 0, `MIN // -1` wraps.
    FloorDiv = "floordiv" / 2,
    /// `%`: sign of the divisor; ints: by zero gives 0; floats: `a - floor(a/b)*b`.
    Mod = "mod" / 2,
    /// `**`; ints: a negative exponent gives `1 / base**|e|` in integer division.
    Pow = "pow" / 2,
    /// Logical and on bool, bitwise and on ints.
    And = "and" / 2,
    /// Logical or on bool, bitwise or on ints.
    Or = "or" / 2,
    /// Logical xor on bool, bitwise xor on ints.
    Xor = "xor" / 2,
    /// `<<`; a count < 0 or >= the width gives 0.
    Shl = "lshift" / 2,
    /// `>>`; a count < 0 or >= the width gives the sign fill.
    Shr = "rshift" / 2,
    /// `<`
    Lt = "lt" / 2,
    /// `<=`
    Le = "le" / 2,
    /// `>`
    Gt = "gt" / 2,
    /// `>=`
    Ge = "ge" / 2,
    /// `==`
    Eq = "eq" / 2,
    /// `!=`
    Ne = "ne" / 2,
    /// `where(cond, x, y)`
    Where = "where" / 3,
    /// `sqrt`
    Sqrt = "sqrt" / 1,
    /// `sin`
    Sin = "sin" / 1,
    /// `cos`
    Cos = "cos" / 1,
    /// `tan`
    Tan = "tan" / 1,
    /// `arcsin`
    Arcsin = "arcsin" / 1,
    /// `arccos`
    Arccos = "arccos" / 1,
    /// `arctan`
    Arctan = "arctan" / 1,
    /// `sinh`
    Sinh = "sinh" / 1,
    /// `cosh`
    Cosh = "cosh" / 1,
    /// `tanh`
    Tanh = "tanh" / 1,
    /// `arcsinh`
    Arcsinh = "arcsinh" / 1,
    /// `arccosh`
    Arccosh = "arccosh" / 1,
    /// `arctanh`
    Arctanh = "arctanh" / 1,
    /// `log`
    Log = "log" / 1,
    /// `log10`
    Log10 = "log10" / 1,
    /// `log2`
    Log2 = "log2" / 1,
    /// `log1p`
    Log1p = "log1p" / 1,
    /// `exp`
    Exp = "exp" / 1,
    /// `expm1`
    Expm1 = "expm1" / 1,
    /// `abs`; wraps on `MIN`; complex gives `|z| + 0j`.
    Abs = "abs" / 1,
    /// `ceil`
    Ceil = "ceil" / 1,
    /// `floor`
    Floor = "floor" / 1,
    /// `round`, half to even (complex: both parts).
    Round = "round" / 1,
    /// `sign` (complex: `z / |z|`, 0 for 0).
    Sign = "sign" / 1,
    /// `trunc`
    Trunc = "trunc" / 1,
    /// `real`
    Real = "real" / 1,
    /// `imag`
    Imag = "imag" / 1,
    /// `conj`
    Conj = "conj" / 1,
    /// `isnan`
    IsNan = "isnan" / 1,
    /// `isfinite`
    IsFinite = "isfinite" / 1,
    /// `isinf`
    IsInf = "isinf" / 1,
    /// `signbit`
    SignBit = "signbit" / 1,
    /// `ones_like`
    OnesLike = "ones_like" / 1,
    /// `arctan2(y, x)`
    Arctan2 = "arctan2" / 2,
    /// `fmod` (C's, sign of the dividend)
    Fmod = "fmod" / 2,
    /// `hypot`
    Hypot = "hypot" / 2,
    /// `nextafter`
    NextAfter = "nextafter" / 2,
    /// `copysign`
    CopySign = "copysign" / 2,
    /// `maximum`, NaN-propagating.
    Maximum = "maximum" / 2,
    /// `minimum`, NaN-propagating.
    Minimum = "minimum" / 2,
    /// `complex(re, im)`
    Complex = "complex" / 2,
    /// `contains(haystack, needle)`: substring test on byte strings.
    Contains = "contains" / 2,
}

use DType::{Bool as B, Complex128 as C, Float32 as F, Float64 as D, Int32 as I, Int64 as L};

impl Fun {
    /// The canonical kernel signatures: the result dtype for these operand dtypes, or `None`
    /// when no kernel exists (typing must cast operands to a listed signature first).
    ///
    /// Read off the operations table ([`table`]) that also defines the opcodes and kernels,
    /// so typing accepts exactly what the VM implements; the reference evaluator implements
    /// every signature too (tested against the VM).
    pub fn signature(self, args: &[DType]) -> Option<DType> {
        use Fun::*;
        if args.len() != self.arity() {
            return None;
        }
        let bytes = args.iter().all(|a| a.is_bytes());
        // Byte strings have their own kernels, outside the numeric table.
        match self {
            Lt | Le | Gt | Ge | Eq | Ne | Contains if bytes => return Some(B),
            Where => {
                if let (B, DType::Bytes(n), DType::Bytes(m)) = (args[0], args[1], args[2]) {
                    return Some(DType::Bytes(n.max(m)));
                }
            }
            _ => {}
        }
        // A `where` takes a bool condition and two values of one dtype; every other
        // function takes operands of one dtype.
        let values = match self {
            Where if args[0] == B => &args[1..],
            Where => return None,
            _ => args,
        };
        let t = values[0];
        if values.iter().any(|&a| a != t) {
            return None;
        }
        table::MAP_SIGNATURES
            .iter()
            .flatten()
            .find(|&&(f, arg, _)| f == self && arg == t)
            .map(|&(_, _, result)| result)
    }
}

/// Reductions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ReduceOp {
    /// `sum`: wraps on ints (in the input's own width).
    Sum,
    /// `prod`: wraps on ints.
    Prod,
    /// `min`: NaN propagates.
    Min,
    /// `max`: NaN propagates.
    Max,
    /// `any` (bool).
    Any,
    /// `all` (bool).
    All,
    /// `mean`: the sum divided by the number of elements (float or complex operand).
    Mean,
    /// `var`: the mean of `|x - mean(x)|**2`, divided by `n - ddof` instead of `n`.
    Var {
        /// Delta degrees of freedom.
        ddof: i64,
    },
    /// `std`: the square root of `var`.
    Std {
        /// Delta degrees of freedom.
        ddof: i64,
    },
}

impl ReduceOp {
    /// The function name.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Prod => "prod",
            ReduceOp::Min => "min",
            ReduceOp::Max => "max",
            ReduceOp::Any => "any",
            ReduceOp::All => "all",
            ReduceOp::Mean => "mean",
            ReduceOp::Var { .. } => "var",
            ReduceOp::Std { .. } => "std",
        }
    }

    /// Whether the VM folds this reduction itself; `mean`, `var` and `std` are planned as
    /// sums and element-wise arithmetic (`compile::plan`).
    pub fn is_fold(self) -> bool {
        !matches!(
            self,
            ReduceOp::Mean | ReduceOp::Var { .. } | ReduceOp::Std { .. }
        )
    }

    /// The canonical kernel signatures: result dtype for this operand dtype.
    pub fn signature(self, arg: DType) -> Option<DType> {
        use ReduceOp::*;
        let ok = match self {
            Sum | Prod => [I, L, F, D, C].contains(&arg),
            Min | Max => [I, L, F, D].contains(&arg),
            Any | All => arg == B,
            Mean => [F, D, C].contains(&arg),
            // The variance of complex numbers is real (NumPy's rule).
            Var { .. } | Std { .. } if arg == C => return Some(D),
            Var { .. } | Std { .. } => [F, D].contains(&arg),
        };
        ok.then_some(arg)
    }
}

/// Whether `Op::Cast` may convert `from` to `to`: numeric, to a strictly higher rank.
pub(crate) fn cast_allowed(from: DType, to: DType) -> bool {
    !from.is_bytes() && !to.is_bytes() && from < to
}

impl Hir {
    /// The result node.
    pub fn root(&self) -> &Node {
        self.nodes.last().expect("a Hir has at least one node")
    }

    /// The result dtype.
    pub fn dtype(&self) -> DType {
        self.root().dtype
    }

    /// Check the invariants in the module docs; an `Internal` error names the first broken one.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |i: usize, what: String| {
            Err(Error::new(
                ErrorKind::Internal,
                format!("invalid HIR at node {i}: {what}"),
            ))
        };
        if self.nodes.is_empty() {
            return bad(0, "no nodes".into());
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.args.iter().any(|&a| a as usize >= i) {
                return bad(i, "argument is not an earlier node".into());
            }
            let arg_types: Vec<DType> = n
                .args
                .iter()
                .map(|&a| self.nodes[a as usize].dtype)
                .collect();
            let ok = match &n.op {
                Op::Input(k) => {
                    n.args.is_empty()
                        && self
                            .inputs
                            .get(*k as usize)
                            .is_some_and(|s| s.dtype == n.dtype)
                }
                Op::Const(s) => n.args.is_empty() && s.dtype() == n.dtype,
                Op::Cast => arg_types.len() == 1 && cast_allowed(arg_types[0], n.dtype),
                Op::Map(f) => f.signature(&arg_types) == Some(n.dtype),
                Op::Reduce(r, _, _) => {
                    arg_types.len() == 1 && r.signature(arg_types[0]) == Some(n.dtype)
                }
            };
            if !ok {
                return bad(
                    i,
                    format!("{:?} of {:?} giving {}", n.op, arg_types, n.dtype),
                );
            }
        }
        Ok(())
    }
}
