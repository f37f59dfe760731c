//! Constants with Python's numeric semantics, for constant folding before typing.
//!
//! numexpr folds a subexpression made only of literals and operators with Python's own
//! arithmetic (arbitrary-precision integers, `2**-1 == 0.5`, `7 // -2 == -4`, `1/0` an error,
//! `(-8)**(1/3)` complex) and only then types the result like a literal. [`PyValue`] is that
//! arithmetic; [`PyValue::literal_dtype`] and [`PyValue::to_scalar`] are the typing.
//!
//! In: literal values and operators. Out: the folded [`PyValue`], or the [`FoldError`] Python
//! would raise (classified by kind; the caller adds the span). Invariants: no integer ever
//! exceeds `limits::MAX_CONSTANT_BITS` bits (the size is bounded before a big result is
//! built), and nothing here panics or recurses. Float results are bit-identical to CPython
//! 3.11 on the same libm; `float` and `complex` hold the algorithms CPython spells out in C.

mod complex;
mod float;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cmp::Ordering;

use num_bigint::{BigInt, Sign};
use num_complex::Complex64;
use num_traits::{One, ToPrimitive, Zero};

use crate::dtype::{DType, Scalar};
use crate::limits::MAX_CONSTANT_BITS;
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
        let cleaned: String = text.chars().filter(|&c| c != '_').collect();
        let (digits, radix) = match cleaned.get(..2) {
            Some("0x" | "0X") => (cleaned.get(2..).unwrap_or(""), 16),
            Some("0o" | "0O") => (cleaned.get(2..).unwrap_or(""), 8),
            Some("0b" | "0B") => (cleaned.get(2..).unwrap_or(""), 2),
            _ => (cleaned.as_str(), 10),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return Err(FoldError::Type(format!("invalid integer literal '{text}'")));
        }
        let significant = digits.trim_start_matches('0');
        // Refuse before parsing: n digits are at least (n - 1) * floor(log2(radix)) + 1 bits.
        let bits_per_digit: u64 = match radix {
            2 => 1,
            8 => 3,
            16 => 4,
            _ => 3,
        };
        let digit_count = u64::try_from(significant.len()).unwrap_or(u64::MAX);
        if digit_count.saturating_sub(1).saturating_mul(bits_per_digit) >= MAX_CONSTANT_BITS {
            return Err(too_many_bits());
        }
        if significant.is_empty() {
            return Ok(PyValue::Int(BigInt::zero()));
        }
        match BigInt::parse_bytes(significant.as_bytes(), radix) {
            Some(n) => checked_int(n),
            None => Err(FoldError::Type(format!("invalid integer literal '{text}'"))),
        }
    }

    /// `op v` with Python semantics (`-True == -1`, `~True == -2`, `+x == x` for numbers).
    /// `UnaryOp::Not` is not handled here (vexpr's `not` is bool-only and element-wise).
    pub fn unary(op: UnaryOp, v: &PyValue) -> Result<PyValue, FoldError> {
        let symbol = match op {
            UnaryOp::Neg => "-",
            UnaryOp::Pos => "+",
            UnaryOp::Invert => "~",
            UnaryOp::Not => {
                return Err(FoldError::Type(
                    "'not' is not folded as a Python operator".into(),
                ));
            }
        };
        let bad_operand = || {
            FoldError::Type(format!(
                "bad operand type for unary {symbol}: '{}'",
                v.type_name()
            ))
        };
        if let Some(n) = v.as_int() {
            return match op {
                UnaryOp::Neg => checked_int(-n.into_owned()),
                UnaryOp::Invert => checked_int(!n.into_owned()),
                _ => Ok(PyValue::Int(n.into_owned())),
            };
        }
        match (op, v) {
            (UnaryOp::Neg, PyValue::Float(x)) => Ok(PyValue::Float(-x)),
            (UnaryOp::Pos, PyValue::Float(x)) => Ok(PyValue::Float(*x)),
            (UnaryOp::Neg, PyValue::Complex(z)) => {
                Ok(PyValue::Complex(Complex64::new(-z.re, -z.im)))
            }
            (UnaryOp::Pos, PyValue::Complex(z)) => Ok(PyValue::Complex(*z)),
            _ => Err(bad_operand()),
        }
    }

    /// `a op b` with Python semantics. `BinaryOp::And`/`Or` are not handled here.
    pub fn binary(op: BinaryOp, a: &PyValue, b: &PyValue) -> Result<PyValue, FoldError> {
        let unsupported = || {
            FoldError::Type(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                binary_symbol(op),
                a.type_name(),
                b.type_name()
            ))
        };
        let (Some(level_a), Some(level_b)) = (a.level(), b.level()) else {
            return Err(unsupported());
        };
        match op {
            BinaryOp::And | BinaryOp::Or => Err(FoldError::Type(format!(
                "'{}' is not folded as a Python operator",
                binary_symbol(op)
            ))),
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
                if let (PyValue::Bool(x), PyValue::Bool(y)) = (a, b) {
                    return Ok(PyValue::Bool(match op {
                        BinaryOp::BitAnd => x & y,
                        BinaryOp::BitOr => x | y,
                        _ => x ^ y,
                    }));
                }
                let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else {
                    return Err(unsupported());
                };
                // num-bigint's bitwise operators use two's complement with infinite sign
                // extension, as Python's do.
                checked_int(match op {
                    BinaryOp::BitAnd => x.as_ref() & y.as_ref(),
                    BinaryOp::BitOr => x.as_ref() | y.as_ref(),
                    _ => x.as_ref() ^ y.as_ref(),
                })
            }
            BinaryOp::Shl | BinaryOp::Shr => {
                let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else {
                    return Err(unsupported());
                };
                int_shift(op, &x, &y)
            }
            _ => match level_a.max(level_b) {
                Level::Int => match (a.as_int(), b.as_int()) {
                    (Some(x), Some(y)) => int_arithmetic(op, &x, &y),
                    _ => Err(unsupported()),
                },
                Level::Float => float_arithmetic(op, a.to_f64()?, b.to_f64()?),
                Level::Complex => {
                    if matches!(op, BinaryOp::FloorDiv | BinaryOp::Mod) {
                        // Checked before converting: `10**400 // 1j` is this error too.
                        return Err(FoldError::Type(
                            "can't take floor or mod of complex number".into(),
                        ));
                    }
                    complex_arithmetic(op, a.to_complex()?, b.to_complex()?)
                }
            },
        }
    }

    /// `a op b` with Python semantics, except that byte strings compare NUL-padded
    /// (`b'a' == b'a\0'`), and a byte string compared with a number is a type error.
    pub fn compare(op: CompareOp, a: &PyValue, b: &PyValue) -> Result<bool, FoldError> {
        let ordering = match (a, b) {
            (PyValue::Bytes(x), PyValue::Bytes(y)) => Some(trim_nuls(x).cmp(trim_nuls(y))),
            (PyValue::Bytes(_), _) | (_, PyValue::Bytes(_)) => {
                return Err(FoldError::Type(
                    "strings can only be compared with strings".into(),
                ));
            }
            (PyValue::Complex(_), _) | (_, PyValue::Complex(_)) => {
                let equal = complex_equals(a, b)?;
                return match op {
                    CompareOp::Eq => Ok(equal),
                    CompareOp::Ne => Ok(!equal),
                    _ => Err(FoldError::Type(format!(
                        "'{}' not supported between instances of '{}' and '{}'",
                        compare_symbol(op),
                        a.type_name(),
                        b.type_name()
                    ))),
                };
            }
            _ => real_ordering(a, b),
        };
        // `None` is a NaN operand: every comparison is false except `!=`.
        Ok(match ordering {
            None => op == CompareOp::Ne,
            Some(ord) => match op {
                CompareOp::Lt => ord == Ordering::Less,
                CompareOp::Le => ord != Ordering::Greater,
                CompareOp::Gt => ord == Ordering::Greater,
                CompareOp::Ge => ord != Ordering::Less,
                CompareOp::Eq => ord == Ordering::Equal,
                CompareOp::Ne => ord != Ordering::Equal,
            },
        })
    }

    /// `complex(v).real` (`v.real` in an expression); bytes are a type error.
    pub fn real(&self) -> Result<f64, FoldError> {
        self.to_complex_attr("real").map(|z| z.re)
    }

    /// `complex(v).imag`.
    pub fn imag(&self) -> Result<f64, FoldError> {
        self.to_complex_attr("imag").map(|z| z.im)
    }

    /// The dtype a literal of this value has: bool; int32 if the integer fits, else int64
    /// (also beyond int64: such a value only errors when it must become an integer);
    /// float64; complex128; `Bytes(len.max(1))`.
    pub fn literal_dtype(&self) -> DType {
        match self {
            PyValue::Bool(_) => DType::Bool,
            PyValue::Int(n) if n.to_i32().is_some() => DType::Int32,
            PyValue::Int(_) => DType::Int64,
            PyValue::Float(_) => DType::Float64,
            PyValue::Complex(_) => DType::Complex128,
            PyValue::Bytes(b) => DType::Bytes(b.len().max(1)),
        }
    }

    /// The value converted to `dtype` (a rank at least `literal_dtype`'s, or bytes to bytes):
    /// integers beyond int64 to an integer dtype are `FoldError::Overflow`; ints to floats
    /// round to nearest even (to float32 through float64, as NumPy does); bools to numbers
    /// are 0/1. Bytes are padded with NULs to the dtype's item size.
    pub fn to_scalar(&self, dtype: DType) -> Result<Scalar, FoldError> {
        let cannot = || {
            FoldError::Type(format!(
                "cannot convert a {} constant to {dtype}",
                self.type_name()
            ))
        };
        match (dtype, self) {
            (DType::Bool, PyValue::Bool(x)) => Ok(Scalar::Bool(*x)),
            (DType::Int32, PyValue::Bool(_) | PyValue::Int(_)) => {
                let n = self.as_int().ok_or_else(cannot)?;
                n.to_i32().map(Scalar::Int32).ok_or_else(|| {
                    FoldError::Overflow(match n.to_i64() {
                        Some(small) => format!("integer constant {small} does not fit in int32"),
                        None => "integer constant does not fit in int32".into(),
                    })
                })
            }
            (DType::Int64, PyValue::Bool(_) | PyValue::Int(_)) => {
                let n = self.as_int().ok_or_else(cannot)?;
                n.to_i64().map(Scalar::Int64).ok_or_else(|| {
                    FoldError::Overflow("integer constant too large for int64".into())
                })
            }
            // Through float64 first, as NumPy converts a Python int.
            (DType::Float32, PyValue::Bool(_) | PyValue::Int(_) | PyValue::Float(_)) => {
                Ok(Scalar::Float32(self.to_f64()? as f32))
            }
            (DType::Float64, PyValue::Bool(_) | PyValue::Int(_) | PyValue::Float(_)) => {
                Ok(Scalar::Float64(self.to_f64()?))
            }
            (DType::Complex128, v) if v.level().is_some() => {
                Ok(Scalar::Complex128(self.to_complex()?))
            }
            (DType::Bytes(size), PyValue::Bytes(b)) if b.len() <= size => {
                let mut padded = b.clone();
                padded.resize(size, 0);
                Ok(Scalar::Bytes(padded))
            }
            _ => Err(cannot()),
        }
    }

    /// Python's name for the value's type, as used in messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Complex(_) => "complex",
            PyValue::Bytes(_) => "bytes",
        }
    }

    /// Where a number sits in Python's numeric tower; `None` for bytes.
    fn level(&self) -> Option<Level> {
        match self {
            PyValue::Bool(_) | PyValue::Int(_) => Some(Level::Int),
            PyValue::Float(_) => Some(Level::Float),
            PyValue::Complex(_) => Some(Level::Complex),
            PyValue::Bytes(_) => None,
        }
    }

    /// The value as an int (a bool is 0 or 1); `None` for other types.
    fn as_int(&self) -> Option<Cow<'_, BigInt>> {
        match self {
            PyValue::Bool(x) => Some(Cow::Owned(BigInt::from(u8::from(*x)))),
            PyValue::Int(n) => Some(Cow::Borrowed(n)),
            _ => None,
        }
    }

    /// `float(v)` for a bool, int or float (ints correctly rounded, `Overflow` beyond f64).
    fn to_f64(&self) -> Result<f64, FoldError> {
        match self {
            PyValue::Bool(x) => Ok(f64::from(u8::from(*x))),
            PyValue::Int(n) => float::int_to_f64(n),
            PyValue::Float(x) => Ok(*x),
            PyValue::Complex(_) | PyValue::Bytes(_) => Err(FoldError::Type(format!(
                "cannot convert a {} to float",
                self.type_name()
            ))),
        }
    }

    /// `complex(v)` for any number (a real number gets a `+0.0` imaginary part).
    fn to_complex(&self) -> Result<Complex64, FoldError> {
        match self {
            PyValue::Complex(z) => Ok(*z),
            _ => Ok(Complex64::new(self.to_f64()?, 0.0)),
        }
    }

    /// `complex(v)` for the attribute `.attr`, which byte strings do not have.
    fn to_complex_attr(&self, attr: &str) -> Result<Complex64, FoldError> {
        if let PyValue::Bytes(_) = self {
            return Err(FoldError::Type(format!("bytes have no attribute '{attr}'")));
        }
        self.to_complex()
    }
}

/// The levels of Python's numeric tower a binary operation can take place at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    /// Both operands are bools or ints.
    Int,
    /// The higher operand is a float.
    Float,
    /// The higher operand is a complex.
    Complex,
}

/// The error for an integer beyond `MAX_CONSTANT_BITS`.
fn too_many_bits() -> FoldError {
    FoldError::Limit(format!(
        "integer constant too large: more than {MAX_CONSTANT_BITS} bits"
    ))
}

/// `n` as a value, or `Limit` if it has more than `MAX_CONSTANT_BITS` bits.
fn checked_int(n: BigInt) -> Result<PyValue, FoldError> {
    if n.bits() > MAX_CONSTANT_BITS {
        return Err(too_many_bits());
    }
    Ok(PyValue::Int(n))
}

/// The operator as written, for messages.
fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Or => "or",
        BinaryOp::And => "and",
        BinaryOp::BitOr => "|",
        BinaryOp::BitXor => "^",
        BinaryOp::BitAnd => "&",
        BinaryOp::Shl => "<<",
        BinaryOp::Shr => ">>",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::FloorDiv => "//",
        BinaryOp::Mod => "%",
        BinaryOp::Pow => "**",
    }
}

/// The comparison as written, for messages.
fn compare_symbol(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Eq => "==",
        CompareOp::Ne => "!=",
    }
}

/// Python's floor division and modulo of ints (`b` nonzero): the remainder takes the
/// divisor's sign.
fn int_div_mod(a: &BigInt, b: &BigInt) -> (BigInt, BigInt) {
    // num-bigint truncates toward zero; step down once when the signs disagree.
    let mut quotient = a / b;
    let mut remainder = a % b;
    if !remainder.is_zero() && (remainder.sign() == Sign::Minus) != (b.sign() == Sign::Minus) {
        quotient -= 1;
        remainder += b;
    }
    (quotient, remainder)
}

/// `a op b` for two ints (bools already made ints), for the arithmetic operators.
fn int_arithmetic(op: BinaryOp, a: &BigInt, b: &BigInt) -> Result<PyValue, FoldError> {
    match op {
        BinaryOp::Add => checked_int(a + b),
        BinaryOp::Sub => checked_int(a - b),
        BinaryOp::Mul => {
            // The product has at least bits(a) + bits(b) - 1 bits: refuse before building it.
            if !a.is_zero() && !b.is_zero() && a.bits() + b.bits() - 1 > MAX_CONSTANT_BITS {
                return Err(too_many_bits());
            }
            checked_int(a * b)
        }
        BinaryOp::Div => float::int_true_div(a, b).map(PyValue::Float),
        BinaryOp::FloorDiv | BinaryOp::Mod => {
            if b.is_zero() {
                return Err(FoldError::ZeroDivision(
                    "integer division or modulo by zero".into(),
                ));
            }
            let (quotient, remainder) = int_div_mod(a, b);
            checked_int(if op == BinaryOp::FloorDiv {
                quotient
            } else {
                remainder
            })
        }
        BinaryOp::Pow => int_pow(a, b),
        _ => Err(FoldError::Type(format!(
            "'{}' is not an arithmetic operator",
            binary_symbol(op)
        ))),
    }
}

/// `a ** b` for ints: exact for `b >= 0`, a float power (`float(a) ** float(b)`) for `b < 0`.
fn int_pow(a: &BigInt, b: &BigInt) -> Result<PyValue, FoldError> {
    if b.sign() == Sign::Minus {
        return float::float_pow(float::int_to_f64(a)?, float::int_to_f64(b)?);
    }
    // Bases whose powers never grow, for any exponent (`(-1) ** 10**100 == 1`).
    if a.is_zero() {
        return Ok(PyValue::Int(if b.is_zero() {
            BigInt::one()
        } else {
            BigInt::zero()
        }));
    }
    if a.magnitude().is_one() {
        let negative = a.sign() == Sign::Minus && b.bit(0);
        return Ok(PyValue::Int(if negative {
            -BigInt::one()
        } else {
            BigInt::one()
        }));
    }
    // |a| >= 2, so a ** b has more than b bits and at least (bits(a) - 1) * b + 1.
    let exponent = b
        .to_u64()
        .filter(|&e| e <= MAX_CONSTANT_BITS)
        .ok_or_else(too_many_bits)?;
    if (a.bits() - 1).saturating_mul(exponent) >= MAX_CONSTANT_BITS {
        return Err(too_many_bits());
    }
    let exponent = u32::try_from(exponent).map_err(|_| too_many_bits())?;
    checked_int(a.pow(exponent))
}

/// `a << b` and `a >> b` for ints; `>>` floors (`-5 >> 1 == -3`).
fn int_shift(op: BinaryOp, a: &BigInt, b: &BigInt) -> Result<PyValue, FoldError> {
    if b.sign() == Sign::Minus {
        return Err(FoldError::Limit("negative shift count".into()));
    }
    if a.is_zero() {
        return Ok(PyValue::Int(BigInt::zero()));
    }
    let count = b.to_u64();
    if op == BinaryOp::Shl {
        let count = count
            .filter(|&n| a.bits().saturating_add(n) <= MAX_CONSTANT_BITS)
            .ok_or_else(too_many_bits)?;
        return checked_int(a << count);
    }
    match count.filter(|&n| n < a.bits()) {
        // num-bigint's `>>` rounds toward negative infinity, as Python's does.
        Some(n) => checked_int(a >> n),
        None => Ok(PyValue::Int(if a.sign() == Sign::Minus {
            -BigInt::one()
        } else {
            BigInt::zero()
        })),
    }
}

/// `a op b` for floats (ints and bools already converted), for the arithmetic operators.
fn float_arithmetic(op: BinaryOp, a: f64, b: f64) -> Result<PyValue, FoldError> {
    let value = match op {
        // Overflow to infinity is silent for these, as in CPython.
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => {
            if b == 0.0 {
                return Err(FoldError::ZeroDivision("float division by zero".into()));
            }
            a / b
        }
        BinaryOp::FloorDiv => float::float_floor_div(a, b)?,
        BinaryOp::Mod => float::float_mod(a, b)?,
        BinaryOp::Pow => return float::float_pow(a, b),
        _ => {
            return Err(FoldError::Type(format!(
                "'{}' is not an arithmetic operator",
                binary_symbol(op)
            )));
        }
    };
    Ok(PyValue::Float(value))
}

/// `a op b` for complex numbers (other numbers already converted), for `+ - * / **`.
fn complex_arithmetic(op: BinaryOp, a: Complex64, b: Complex64) -> Result<PyValue, FoldError> {
    let value = match op {
        BinaryOp::Add => Complex64::new(a.re + b.re, a.im + b.im),
        BinaryOp::Sub => Complex64::new(a.re - b.re, a.im - b.im),
        BinaryOp::Mul => complex::prod(a, b),
        BinaryOp::Div => complex::div(a, b)?,
        BinaryOp::Pow => complex::complex_pow(a, b)?,
        _ => {
            return Err(FoldError::Type(format!(
                "'{}' is not defined for complex numbers",
                binary_symbol(op)
            )));
        }
    };
    Ok(PyValue::Complex(value))
}

/// A byte string without its trailing NULs (NumPy's fixed-width `S` comparison).
fn trim_nuls(bytes: &[u8]) -> &[u8] {
    let len = bytes
        .iter()
        .rposition(|&c| c != 0)
        .map_or(0, |last| last + 1);
    bytes.get(..len).unwrap_or(bytes)
}

/// The order of two real numbers (bools, ints, floats), exact across ints and floats;
/// `None` when a NaN is involved.
fn real_ordering(a: &PyValue, b: &PyValue) -> Option<Ordering> {
    match (a.as_int(), b.as_int()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        (Some(x), None) => float::cmp_int_float(&x, b.to_f64().ok()?),
        (None, Some(y)) => float::cmp_int_float(&y, a.to_f64().ok()?).map(Ordering::reverse),
        (None, None) => a.to_f64().ok()?.partial_cmp(&b.to_f64().ok()?),
    }
}

/// `a == b` where at least one side is complex: parts compared exactly, an int against the
/// real part without rounding the int (`complex(2**53) != 2**53 + 1`).
fn complex_equals(a: &PyValue, b: &PyValue) -> Result<bool, FoldError> {
    let (z, other) = match (a, b) {
        (PyValue::Complex(z), other) | (other, PyValue::Complex(z)) => (z, other),
        _ => return Err(FoldError::Type("no complex operand".into())),
    };
    Ok(match other {
        PyValue::Complex(w) => z.re == w.re && z.im == w.im,
        PyValue::Float(x) => z.im == 0.0 && z.re == *x,
        _ => match other.as_int() {
            Some(n) => z.im == 0.0 && float::cmp_int_float(&n, z.re) == Some(Ordering::Equal),
            None => false,
        },
    })
}
