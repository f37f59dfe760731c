//! The functions of the language and their typing rules (LANGUAGE.md, "Functions").
//!
//! A call is typed in two steps: the arguments' common kind `K` (the highest rank among them)
//! picks, through the function's [`Rule`], the dtype `O` every argument is cast to; the kernel
//! signature [`Fun::signature`] then gives the result dtype for `O`. So `sin(int32)` casts to
//! float64 and gives float64, `abs(int32)` stays int32, `conj(float32)` casts to complex128.

use super::{Fun, ReduceOp};
use crate::dtype::DType;
use DType::{Bool as B, Complex128 as C, Float32 as F, Float64 as D, Int32 as I, Int64 as L};

/// What a function name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    /// An element-wise kernel with its typing rule.
    Map(Fun, Rule),
    /// `where(cond, x, y)`.
    Where,
    /// `copy(x)`: the value itself.
    Copy,
    /// A reduction, `name(x, axis=None)`.
    Reduce(ReduceOp),
}

/// How the arguments' common kind maps to the dtype the arguments are cast to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rule {
    /// `sqrt sin ... expm1`: bool -> float32, ints -> float64, floats and complex stay.
    Float,
    /// `abs`: bool -> float32, everything else stays.
    Abs,
    /// `ceil floor`: like `Float`, complex refused.
    Rounding,
    /// `round sign`: bool and float32 -> float64, ints stay.
    RoundSign,
    /// `trunc`: everything real -> float64.
    Trunc,
    /// `real imag`: real kinds -> float64, complex stays (the kernel gives float64).
    Part,
    /// `conj`: ints -> float64, bool and floats -> complex128.
    Conj,
    /// `isnan isfinite isinf`: like `Float` (the kernel gives bool).
    Predicate,
    /// `signbit`: like `Rounding` (the kernel gives bool).
    SignBit,
    /// `ones_like`: every numeric kind but bool stays.
    SameNumeric,
    /// `arctan2 fmod`: like `Rounding`, two arguments.
    Float2,
    /// `hypot nextafter copysign maximum minimum complex`: every real kind -> float64.
    Double,
    /// `contains`: byte strings only.
    Bytes,
}

impl Rule {
    /// The dtype the arguments are cast to when their common kind is `k`; `None` when the
    /// function is not defined for `k`.
    pub fn operand(self, k: DType) -> Option<DType> {
        let to = match (self, k) {
            (Rule::Bytes, DType::Bytes(_)) => return Some(k),
            (_, DType::Bytes(_)) | (Rule::Bytes, _) => return None,
            (Rule::Float | Rule::Predicate, B) => F,
            (Rule::Float | Rule::Predicate, I | L) => D,
            (Rule::Float | Rule::Predicate, _) => k,
            (Rule::Abs, B) => F,
            (Rule::Abs, _) => k,
            (Rule::Rounding | Rule::SignBit | Rule::Float2, C) => return None,
            (Rule::Rounding | Rule::SignBit | Rule::Float2, B) => F,
            (Rule::Rounding | Rule::SignBit | Rule::Float2, I | L) => D,
            (Rule::Rounding | Rule::SignBit | Rule::Float2, _) => k,
            (Rule::RoundSign, B | F) => D,
            (Rule::RoundSign, _) => k,
            (Rule::Trunc | Rule::Double, C) => return None,
            (Rule::Trunc | Rule::Double, _) => D,
            (Rule::Part, C) => C,
            (Rule::Part, _) => D,
            (Rule::Conj, I | L) => D,
            (Rule::Conj, _) => C,
            (Rule::SameNumeric, B) => return None,
            (Rule::SameNumeric, _) => k,
        };
        Some(to)
    }
}

/// The function called `name`, if there is one.
pub(crate) fn lookup(name: &str) -> Option<Function> {
    use Fun::*;
    use Rule::*;
    let map = |f, r| Some(Function::Map(f, r));
    match name {
        "sqrt" => map(Sqrt, Float),
        "sin" => map(Sin, Float),
        "cos" => map(Cos, Float),
        "tan" => map(Tan, Float),
        "arcsin" => map(Arcsin, Float),
        "arccos" => map(Arccos, Float),
        "arctan" => map(Arctan, Float),
        "sinh" => map(Sinh, Float),
        "cosh" => map(Cosh, Float),
        "tanh" => map(Tanh, Float),
        "arcsinh" => map(Arcsinh, Float),
        "arccosh" => map(Arccosh, Float),
        "arctanh" => map(Arctanh, Float),
        "log" => map(Log, Float),
        "log10" => map(Log10, Float),
        "log2" => map(Log2, Float),
        "log1p" => map(Log1p, Float),
        "exp" => map(Exp, Float),
        "expm1" => map(Expm1, Float),
        "abs" => map(Fun::Abs, Rule::Abs),
        "ceil" => map(Ceil, Rounding),
        "floor" => map(Floor, Rounding),
        "round" => map(Round, RoundSign),
        "sign" => map(Sign, RoundSign),
        "trunc" => map(Fun::Trunc, Rule::Trunc),
        "real" => map(Real, Part),
        "imag" => map(Imag, Part),
        "conj" => map(Fun::Conj, Rule::Conj),
        "isnan" => map(IsNan, Predicate),
        "isfinite" => map(IsFinite, Predicate),
        "isinf" => map(IsInf, Predicate),
        "signbit" => map(Fun::SignBit, Rule::SignBit),
        "ones_like" => map(OnesLike, SameNumeric),
        "arctan2" => map(Arctan2, Float2),
        "fmod" => map(Fmod, Float2),
        "hypot" => map(Hypot, Double),
        "nextafter" => map(NextAfter, Double),
        "copysign" => map(CopySign, Double),
        "maximum" => map(Maximum, Double),
        "minimum" => map(Minimum, Double),
        "complex" => map(Complex, Double),
        "contains" => map(Contains, Rule::Bytes),
        "where" => Some(Function::Where),
        "copy" => Some(Function::Copy),
        "sum" => Some(Function::Reduce(ReduceOp::Sum)),
        "prod" => Some(Function::Reduce(ReduceOp::Prod)),
        "min" => Some(Function::Reduce(ReduceOp::Min)),
        "max" => Some(Function::Reduce(ReduceOp::Max)),
        "any" => Some(Function::Reduce(ReduceOp::Any)),
        "all" => Some(Function::Reduce(ReduceOp::All)),
        "mean" => Some(Function::Reduce(ReduceOp::Mean)),
        "var" => Some(Function::Reduce(ReduceOp::Var { ddof: 0 })),
        "std" => Some(Function::Reduce(ReduceOp::Std { ddof: 0 })),
        _ => None,
    }
}

/// Every function name, for "did you mean" suggestions.
pub(crate) const NAMES: &[&str] = &[
    "sqrt",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "log",
    "log10",
    "log2",
    "log1p",
    "exp",
    "expm1",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "trunc",
    "real",
    "imag",
    "conj",
    "isnan",
    "isfinite",
    "isinf",
    "signbit",
    "ones_like",
    "arctan2",
    "fmod",
    "hypot",
    "nextafter",
    "copysign",
    "maximum",
    "minimum",
    "complex",
    "contains",
    "where",
    "copy",
    "sum",
    "prod",
    "min",
    "max",
    "any",
    "all",
    "mean",
    "var",
    "std",
];

impl Function {
    /// Number of positional arguments (reductions: the array; `axis` is separate).
    pub fn arity(self) -> usize {
        match self {
            Function::Map(f, _) => f.arity(),
            Function::Where => 3,
            Function::Copy | Function::Reduce(_) => 1,
        }
    }
}

/// The dtype a reduction's argument is cast to, for an argument of kind `k`:
/// `sum` counts the trues of a bool array as int64 (an extension); `mean`, `var` and `std`
/// compute bools and integers in float64 (NumPy's rule); every other reduction takes its
/// argument's own kind; `None` where the reduction is not defined.
pub(crate) fn reduce_operand(op: ReduceOp, k: DType) -> Option<DType> {
    let to = match (op, k) {
        (ReduceOp::Sum, B) => L,
        (ReduceOp::Mean | ReduceOp::Var { .. } | ReduceOp::Std { .. }, B | I | L) => D,
        _ => k,
    };
    op.signature(to).map(|_| to)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's function table, row by row: (function, [result for bool, int32, int64,
    /// float32, float64, complex128]) with `None` for "error".
    #[test]
    fn result_kinds_follow_the_spec_table() {
        let float = [Some(F), Some(D), Some(D), Some(F), Some(D), Some(C)];
        let rows: &[(&str, [Option<DType>; 6])] = &[
            ("sqrt", float),
            ("sin", float),
            ("arctanh", float),
            ("expm1", float),
            (
                "abs",
                [Some(F), Some(I), Some(L), Some(F), Some(D), Some(C)],
            ),
            ("ceil", [Some(F), Some(D), Some(D), Some(F), Some(D), None]),
            ("floor", [Some(F), Some(D), Some(D), Some(F), Some(D), None]),
            (
                "round",
                [Some(D), Some(I), Some(L), Some(D), Some(D), Some(C)],
            ),
            (
                "sign",
                [Some(D), Some(I), Some(L), Some(D), Some(D), Some(C)],
            ),
            ("trunc", [Some(D), Some(D), Some(D), Some(D), Some(D), None]),
            ("real", [Some(D); 6]),
            ("imag", [Some(D); 6]),
            (
                "conj",
                [Some(C), Some(D), Some(D), Some(C), Some(C), Some(C)],
            ),
            ("isnan", [Some(B); 6]),
            ("isinf", [Some(B); 6]),
            (
                "signbit",
                [Some(B), Some(B), Some(B), Some(B), Some(B), None],
            ),
            (
                "ones_like",
                [None, Some(I), Some(L), Some(F), Some(D), Some(C)],
            ),
            (
                "arctan2",
                [Some(F), Some(D), Some(D), Some(F), Some(D), None],
            ),
            ("fmod", [Some(F), Some(D), Some(D), Some(F), Some(D), None]),
            ("hypot", [Some(D), Some(D), Some(D), Some(D), Some(D), None]),
            (
                "maximum",
                [Some(D), Some(D), Some(D), Some(D), Some(D), None],
            ),
            (
                "complex",
                [Some(C), Some(C), Some(C), Some(C), Some(C), None],
            ),
        ];
        for (name, expected) in rows {
            let Some(Function::Map(fun, rule)) = lookup(name) else {
                panic!("{name} is not an element-wise function");
            };
            for (k, want) in DType::NUMERIC.iter().zip(expected) {
                let got = rule
                    .operand(*k)
                    .and_then(|o| fun.signature(&vec![o; fun.arity()]));
                assert_eq!(got, *want, "{name}({k})");
            }
        }
    }

    #[test]
    fn contains_takes_byte_strings_only() {
        let Some(Function::Map(fun, rule)) = lookup("contains") else {
            panic!()
        };
        assert_eq!(rule.operand(DType::Bytes(3)), Some(DType::Bytes(3)));
        assert_eq!(fun.signature(&[DType::Bytes(3), DType::Bytes(1)]), Some(B));
        assert_eq!(rule.operand(D), None);
    }

    #[test]
    fn reductions_keep_the_kind_but_sum_counts_bools() {
        assert_eq!(reduce_operand(ReduceOp::Sum, B), Some(L));
        assert_eq!(reduce_operand(ReduceOp::Sum, I), Some(I));
        assert_eq!(reduce_operand(ReduceOp::Prod, B), None);
        assert_eq!(reduce_operand(ReduceOp::Min, C), None);
        assert_eq!(reduce_operand(ReduceOp::Max, I), Some(I));
        assert_eq!(reduce_operand(ReduceOp::Any, B), Some(B));
        assert_eq!(reduce_operand(ReduceOp::All, D), None);
        assert_eq!(reduce_operand(ReduceOp::Sum, DType::Bytes(2)), None);
        // mean, var and std compute integers and bools in float64, floats in their own kind.
        assert_eq!(reduce_operand(ReduceOp::Mean, B), Some(D));
        assert_eq!(reduce_operand(ReduceOp::Mean, I), Some(D));
        assert_eq!(reduce_operand(ReduceOp::Var { ddof: 1 }, L), Some(D));
        assert_eq!(reduce_operand(ReduceOp::Std { ddof: 0 }, F), Some(F));
        assert_eq!(reduce_operand(ReduceOp::Mean, C), Some(C));
        assert_eq!(ReduceOp::Mean.signature(C), Some(C));
        assert_eq!(ReduceOp::Var { ddof: 0 }.signature(C), Some(D));
        assert_eq!(ReduceOp::Std { ddof: 0 }.signature(F), Some(F));
        assert_eq!(reduce_operand(ReduceOp::Mean, DType::Bytes(2)), None);
    }

    #[test]
    fn every_name_resolves() {
        for name in NAMES {
            assert!(lookup(name).is_some(), "{name}");
        }
        assert_eq!(lookup("pow"), None);
        assert_eq!(lookup("median"), None);
    }
}
