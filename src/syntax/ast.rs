//! The syntax tree, allocated in a `bumpalo` arena by the parser.
//!
//! Nodes only borrow from the arena and the source, so freeing the arena frees the tree
//! without any recursive `Drop`. Spans are byte ranges in the source. Parentheses leave no
//! node; literals keep what later stages need (integer literals keep their text, because
//! their value may exceed any machine integer and is only judged when it is typed).

use crate::error::Span;

/// An expression node.
#[derive(Debug, Clone, Copy)]
pub struct Expr<'a> {
    /// What the node is.
    pub kind: ExprKind<'a>,
    /// The node's source range (without surrounding parentheses).
    pub span: Span,
}

/// The forms of expression.
#[derive(Debug, Clone, Copy)]
pub enum ExprKind<'a> {
    /// An integer literal's text as written (`0x1F`, `1_000`), already checked by the lexer.
    Int(&'a str),
    /// A float literal's value (`1e400` is `inf`).
    Float(f64),
    /// An imaginary literal's value (`1.5j` holds 1.5).
    Imag(f64),
    /// `True` or `False`.
    Bool(bool),
    /// `None`: only meaningful as a keyword value (`axis=None`); an error anywhere else.
    NoneLit,
    /// A byte-string literal with its escapes decoded.
    Str(&'a [u8]),
    /// A name.
    Name(&'a str),
    /// A prefix operator.
    Unary {
        /// Which operator.
        op: UnaryOp,
        /// The operator token's span.
        op_span: Span,
        /// The operand.
        arg: &'a Expr<'a>,
    },
    /// An infix operator other than a comparison.
    Binary {
        /// Which operator.
        op: BinaryOp,
        /// The operator token's span.
        op_span: Span,
        /// Left operand.
        lhs: &'a Expr<'a>,
        /// Right operand.
        rhs: &'a Expr<'a>,
    },
    /// A comparison chain `first op1 e1 op2 e2 ...` (length 1 for a plain comparison).
    Compare {
        /// The leftmost operand.
        first: &'a Expr<'a>,
        /// Each further operator (with its token span) and right operand.
        rest: &'a [(CompareOp, Span, &'a Expr<'a>)],
    },
    /// `then if cond else otherwise`.
    IfElse {
        /// Value where `cond` is true.
        then: &'a Expr<'a>,
        /// The condition.
        cond: &'a Expr<'a>,
        /// Value where `cond` is false.
        otherwise: &'a Expr<'a>,
    },
    /// A call `name(args, key=value)`.
    Call {
        /// The called name.
        name: &'a str,
        /// The name token's span.
        name_span: Span,
        /// Positional arguments.
        args: &'a [&'a Expr<'a>],
        /// Keyword arguments, in source order.
        kwargs: &'a [Kwarg<'a>],
    },
    /// `.real` or `.imag` after an operand.
    Attr {
        /// Which attribute.
        attr: Attr,
        /// The attribute name token's span.
        attr_span: Span,
        /// The operand.
        arg: &'a Expr<'a>,
    },
}

/// A keyword argument `name=value`.
#[derive(Debug, Clone, Copy)]
pub struct Kwarg<'a> {
    /// The keyword.
    pub name: &'a str,
    /// The keyword token's span.
    pub name_span: Span,
    /// The value.
    pub value: &'a Expr<'a>,
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Pos,
    /// `~x`
    Invert,
    /// `not x`
    Not,
}

/// Infix operators (comparisons are separate, because they chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// The attributes the language has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// `.real`
    Real,
    /// `.imag`
    Imag,
}

/// `impl Display` (and a `symbol` method) giving each operator as it is written.
macro_rules! written_as {
    ($($ty:ident { $($variant:ident => $text:literal),+ $(,)? })+) => {$(
        impl $ty {
            /// The operator as written in an expression (`**`, `not`, `real`).
            pub fn symbol(self) -> &'static str {
                match self {
                    $($ty::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.symbol())
            }
        }
    )+};
}

written_as! {
    UnaryOp { Neg => "-", Pos => "+", Invert => "~", Not => "not" }
    BinaryOp {
        Or => "or", And => "and", BitOr => "|", BitXor => "^", BitAnd => "&", Shl => "<<",
        Shr => ">>", Add => "+", Sub => "-", Mul => "*", Div => "/", FloorDiv => "//",
        Mod => "%", Pow => "**",
    }
    CompareOp { Lt => "<", Le => "<=", Gt => ">", Ge => ">=", Eq => "==", Ne => "!=" }
    Attr { Real => "real", Imag => "imag" }
}
