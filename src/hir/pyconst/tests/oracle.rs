//! The CPython oracle: every case of `tests/data/pyconst/cases.txt` (written by
//! `scripts/gen_pyconst_cases.py` from CPython 3.11 and NumPy) checked against `PyValue`:
//! floats bit for bit (any NaN matches any NaN), complex numbers part by part, errors by kind.

use num_bigint::BigInt;

use super::{cx, kind};
use crate::hir::pyconst::{FoldError, PyValue};
use crate::syntax::ast::{BinaryOp, CompareOp, UnaryOp};

/// A value as `scripts/gen_pyconst_cases.py` encodes it.
fn decode(token: &str) -> Result<PyValue, String> {
    let bad = || format!("bad value token {token:?}");
    let parse_float = |s: &str| s.parse::<f64>().map_err(|_| bad());
    match token {
        "T" => return Ok(PyValue::Bool(true)),
        "F" => return Ok(PyValue::Bool(false)),
        _ => {}
    }
    let (tag, body) = token.split_once(':').ok_or_else(bad)?;
    match tag {
        "i" => body.parse::<BigInt>().map(PyValue::Int).map_err(|_| bad()),
        "f" => parse_float(body).map(PyValue::Float),
        "c" => {
            let (re, im) = body.split_once(',').ok_or_else(bad)?;
            Ok(cx(parse_float(re)?, parse_float(im)?))
        }
        "s" => {
            let digits = body.as_bytes();
            if digits.len() % 2 != 0 {
                return Err(bad());
            }
            digits
                .chunks(2)
                .map(|pair| {
                    std::str::from_utf8(pair)
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .ok_or_else(bad)
                })
                .collect::<Result<Vec<u8>, String>>()
                .map(PyValue::Bytes)
        }
        _ => Err(bad()),
    }
}

/// The same float, NaNs of any sign or payload being the same.
fn same_float(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Whether a computed result is the expected token (a value or `!Kind`).
fn matches_expected(result: &Result<PyValue, FoldError>, expected: &str) -> Result<bool, String> {
    if let Some(expected_kind) = expected.strip_prefix('!') {
        return Ok(kind(result.clone()) == expected_kind);
    }
    let want = decode(expected)?;
    Ok(match (result, &want) {
        (Ok(PyValue::Float(a)), PyValue::Float(b)) => same_float(*a, *b),
        (Ok(PyValue::Complex(a)), PyValue::Complex(b)) => {
            same_float(a.re, b.re) && same_float(a.im, b.im)
        }
        (Ok(got), want) => got == want,
        (Err(_), _) => false,
    })
}

/// Runs one fixture line; `Ok(None)` when it passes, `Ok(Some(report))` when it does not.
fn check_case(line: &str) -> Result<Option<String>, String> {
    let tokens: Vec<&str> = line.split(' ').collect();
    let (name, args, expected) = match tokens.as_slice() {
        [name, a, expected] => (*name, vec![decode(a)?], *expected),
        [name, a, b, expected] => (*name, vec![decode(a)?, decode(b)?], *expected),
        _ => return Err(format!("bad line {line:?}")),
    };
    let binary = |op| match args.as_slice() {
        [a, b] => Ok(PyValue::binary(op, a, b)),
        _ => Err(format!("{name} needs two operands")),
    };
    let compare = |op| match args.as_slice() {
        [a, b] => Ok(PyValue::compare(op, a, b).map(PyValue::Bool)),
        _ => Err(format!("{name} needs two operands")),
    };
    let unary = |op| match args.as_slice() {
        [a] => Ok(PyValue::unary(op, a)),
        _ => Err(format!("{name} needs one operand")),
    };
    let part = |imag: bool| match args.as_slice() {
        [a] => Ok(if imag { a.imag() } else { a.real() }.map(PyValue::Float)),
        _ => Err(format!("{name} needs one operand")),
    };
    let result = match name {
        "add" => binary(BinaryOp::Add)?,
        "sub" => binary(BinaryOp::Sub)?,
        "mul" => binary(BinaryOp::Mul)?,
        "div" => binary(BinaryOp::Div)?,
        "floordiv" => binary(BinaryOp::FloorDiv)?,
        "mod" => binary(BinaryOp::Mod)?,
        "pow" => binary(BinaryOp::Pow)?,
        "and" => binary(BinaryOp::BitAnd)?,
        "or" => binary(BinaryOp::BitOr)?,
        "xor" => binary(BinaryOp::BitXor)?,
        "lshift" => binary(BinaryOp::Shl)?,
        "rshift" => binary(BinaryOp::Shr)?,
        "lt" => compare(CompareOp::Lt)?,
        "le" => compare(CompareOp::Le)?,
        "gt" => compare(CompareOp::Gt)?,
        "ge" => compare(CompareOp::Ge)?,
        "eq" => compare(CompareOp::Eq)?,
        "ne" => compare(CompareOp::Ne)?,
        "neg" => unary(UnaryOp::Neg)?,
        "pos" => unary(UnaryOp::Pos)?,
        "invert" => unary(UnaryOp::Invert)?,
        "real" => part(false)?,
        "imag" => part(true)?,
        _ => return Err(format!("unknown operation in {line:?}")),
    };
    if matches_expected(&result, expected)? {
        Ok(None)
    } else {
        let shown: String = line.chars().take(200).collect();
        Ok(Some(format!("{shown}\n    got {result:?}")))
    }
}

#[test]
fn cpython_oracle_fixture() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/pyconst/cases.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut checked = 0usize;
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        match check_case(line) {
            Ok(None) => {}
            Ok(Some(report)) => failures.push(report),
            Err(e) => failures.push(e),
        }
        checked += 1;
    }
    assert!(checked > 20_000, "only {checked} cases in {path}");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases differ from CPython:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
