//! Element types (`DType`) and typed scalar values (`Scalar`).
//!
//! The six numeric kinds are ranked `bool < int32 < int64 < float32 < float64 < complex128`;
//! byte strings stand apart (they only meet other byte strings). The rank order is numexpr's
//! casting order: a binary operation takes the highest rank of its operands.

use std::fmt;

use num_complex::Complex64;

/// The element type of an array or scalar.
///
/// ```
/// use vexpr::DType;
/// assert!(DType::Int32 < DType::Float32);
/// assert_eq!(DType::Float64.to_string(), "float64");
/// assert_eq!(DType::Bytes(5).to_string(), "S5");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// `bool`.
    Bool,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
    /// `float32`.
    Float32,
    /// `float64`.
    Float64,
    /// `complex128` (two `f64`).
    Complex128,
    /// Fixed-width byte strings of the given item size in bytes (NumPy's `S<n>`), NUL-padded.
    Bytes(usize),
}

impl DType {
    /// The numeric kinds in rank order.
    pub const NUMERIC: [DType; 6] = [
        DType::Bool,
        DType::Int32,
        DType::Int64,
        DType::Float32,
        DType::Float64,
        DType::Complex128,
    ];

    /// Size of one element in bytes.
    pub fn itemsize(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
            DType::Complex128 => 16,
            DType::Bytes(n) => n,
        }
    }

    /// `int32` or `int64`.
    pub fn is_int(self) -> bool {
        matches!(self, DType::Int32 | DType::Int64)
    }

    /// `float32` or `float64`.
    pub fn is_float(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    /// Any byte-string type.
    pub fn is_bytes(self) -> bool {
        matches!(self, DType::Bytes(_))
    }

    /// NumPy's short name (`float64`, `S5`), as used in messages.
    pub fn name(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DType::Bool => f.write_str("bool"),
            DType::Int32 => f.write_str("int32"),
            DType::Int64 => f.write_str("int64"),
            DType::Float32 => f.write_str("float32"),
            DType::Float64 => f.write_str("float64"),
            DType::Complex128 => f.write_str("complex128"),
            DType::Bytes(n) => write!(f, "S{n}"),
        }
    }
}

/// One typed value: a literal, a folded constant, or a 0-d input.
///
/// ```
/// use vexpr::{DType, Scalar};
/// assert_eq!(Scalar::from(2.5).dtype(), DType::Float64);
/// assert_eq!(Scalar::Bytes(b"ab".to_vec()).dtype(), DType::Bytes(2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A `bool`.
    Bool(bool),
    /// An `int32`.
    Int32(i32),
    /// An `int64`.
    Int64(i64),
    /// A `float32`.
    Float32(f32),
    /// A `float64`.
    Float64(f64),
    /// A `complex128`.
    Complex128(Complex64),
    /// A byte string; its length is its item size (at least 1 when it types an array).
    Bytes(Vec<u8>),
}

impl Scalar {
    /// The value's element type.
    pub fn dtype(&self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int32(_) => DType::Int32,
            Scalar::Int64(_) => DType::Int64,
            Scalar::Float32(_) => DType::Float32,
            Scalar::Float64(_) => DType::Float64,
            Scalar::Complex128(_) => DType::Complex128,
            Scalar::Bytes(b) => DType::Bytes(b.len().max(1)),
        }
    }
}

macro_rules! scalar_from {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl From<$t> for Scalar {
            fn from(x: $t) -> Scalar {
                Scalar::$v(x)
            }
        }
    )*};
}
scalar_from!(bool => Bool, i32 => Int32, i64 => Int64, f32 => Float32, f64 => Float64, Complex64 => Complex128);
