//! Constants with Python's numeric semantics, for constant folding before typing.
//!
//! numexpr folds a subexpression made only of literals and operators with Python's own
//! arithmetic (arbitrary-precision integers, `2**-1 == 0.5`, `7 // -2 == -4`, `1/0` an error,
//! `(-8)**(1/3)` complex) and only then types the result like a literal. [`PyValue`] is that
//! arithmetic; [`PyValue::literal_dtype`] and [`PyValue::to_scalar`] are the typing.

use num_bigint::BigInt;
use num_complex::Complex64;

use crate::dtype::{DType, Scalar};
use crate::syntax::ast::{BinaryOp, CompareOp, UnaryOp};

/// A Python value: what a literal, or an operator applied to literals, evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum PyValue {
    /// `True` / `False` (in Python a bool is also an int: `True + True == 2`).
    Bool(bool),
    /// An arbitrary-precision integer (bounded by `limits::MAX_CONSTANT_BITS`).
    Int(BigInt),
    /// A double.
    Float(f64),
    /// A complex number.
    Complex(Complex64),
    /// A byte string.
    Bytes(Vec<u8>),
}

/// Why folding failed; the caller attaches the span and turns it into an `Error`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum FoldError {
    /// Division or modulo by zero, `0 ** -1`, ... (`ErrorKind::ZeroDivision`).
    ZeroDivision(String),
    /// A float result out of range (`10.0 ** 400`), an int too large for a float
    /// (`ErrorKind::Overflow`).
    Overflow(String),
    /// The operator is not defined for these operand types (`1.5 & 2`, `1j < 2`,
    /// `b'a' + 1`) (`ErrorKind::Type`).
    Type(String),
    /// An integer result beyond `limits::MAX_CONSTANT_BITS`, a negative shift count
    /// (`ErrorKind::Limit` / `ErrorKind::Overflow`).
    Limit(String),
}

impl PyValue {
    /// The value of an integer literal's text as the lexer accepted it (`10`, `0x1F`, `0o17`,
    /// `0b101`, `1_000`, `00`); `Limit` beyond `limits::MAX_CONSTANT_BITS`.
    pub fn parse_int(text: &str) -> Result<PyValue, FoldError> {
        let _ = text;
        todo!("pyconst")
    }

    /// `op v` with Python semantics (`-True == -1`, `~True == -2`, `+x == x` for numbers).
    /// `UnaryOp::Not` is not handled here (vexpr's `not` is bool-only and element-wise).
    pub fn unary(op: UnaryOp, v: &PyValue) -> Result<PyValue, FoldError> {
        let _ = (op, v);
        todo!("pyconst")
    }

    /// `a op b` with Python semantics. `BinaryOp::And`/`Or` are not handled here.
    pub fn binary(op: BinaryOp, a: &PyValue, b: &PyValue) -> Result<PyValue, FoldError> {
        let _ = (op, a, b);
        todo!("pyconst")
    }

    /// `a op b` with Python semantics, except that byte strings compare NUL-padded
    /// (`b'a' == b'a\0'`), and a byte string compared with a number is a type error.
    pub fn compare(op: CompareOp, a: &PyValue, b: &PyValue) -> Result<bool, FoldError> {
        let _ = (op, a, b);
        todo!("pyconst")
    }

    /// `complex(v).real` (`v.real` in an expression); bytes are a type error.
    pub fn real(&self) -> Result<f64, FoldError> {
        todo!("pyconst")
    }

    /// `complex(v).imag`.
    pub fn imag(&self) -> Result<f64, FoldError> {
        todo!("pyconst")
    }

    /// The dtype a literal of this value has: bool; int32 if the integer fits, else int64
    /// (also beyond int64: such a value only errors when it must become an integer);
    /// float64; complex128; `Bytes(len.max(1))`.
    pub fn literal_dtype(&self) -> DType {
        todo!("pyconst")
    }

    /// The value converted to `dtype` (a rank at least `literal_dtype`'s, or bytes to bytes):
    /// integers beyond int64 to an integer dtype are `FoldError::Overflow`; ints to floats
    /// round to nearest even (to float32 through float64, as NumPy does); bools to numbers
    /// are 0/1. Bytes are padded with NULs to the dtype's item size.
    pub fn to_scalar(&self, dtype: DType) -> Result<Scalar, FoldError> {
        let _ = dtype;
        todo!("pyconst")
    }
}
