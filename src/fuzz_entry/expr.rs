//! Random expressions, typed by LANGUAGE.md's rules.
//!
//! In: bytes (through `arbitrary::Unstructured`) and the variables' names and kinds. Out: the
//! text of an expression and the kind the language gives it. The typing model here is written
//! from the spec's tables, independently of `hir::lower`, so the property tests check the
//! compiler's typing against it:
//! - [`Typing`] is three-valued: a result kind, an error the spec requires, or "not settled
//!   by the spec" (`bool / bool`, mixed `bool & int`, ...), which the generators never use;
//! - a binary operation takes the highest rank of its operands (a bool operand counts as the
//!   other kind), with the exceptions the spec lists (`bool - bool`, `/` always float, ...);
//! - constant folding could change a kind (`2**-1` is float64, `3000000000 - 3000000000` is
//!   int32), so no generated operation has only literal operands;
//! - a literal exponent of `**` follows the power expansion rule (`x_i4 ** 2.0` is int32).
//!
//! Modes: [`Mode::Typed`] builds only well-typed expressions; [`Mode::IllTyped`] builds one
//! ill-typed operation (a type error by the spec) inside a well-typed context and records its
//! text; [`Mode::Chaos`] also makes syntax errors, unknown names, wrong arities and keywords.
//! Recursion depth is bounded by the generator's own `depth` argument, never by input.

use std::sync::LazyLock;

use arbitrary::Unstructured;

use super::env::{chance, one_of, pick};
use crate::dtype::DType;

/// The kinds of the language, in rank order, and byte strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `bool`
    Bool,
    /// `int32`
    Int32,
    /// `int64`
    Int64,
    /// `float32`
    Float32,
    /// `float64`
    Float64,
    /// `complex128`
    Complex,
    /// Byte strings (any width).
    Bytes,
}

use Kind::{
    Bool as B, Bytes as S, Complex as C, Float32 as F, Float64 as D, Int32 as I, Int64 as L,
};

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 7] = [B, I, L, F, D, C, S];

    /// The kind of a dtype.
    pub fn of(d: DType) -> Kind {
        match d {
            DType::Bool => B,
            DType::Int32 => I,
            DType::Int64 => L,
            DType::Float32 => F,
            DType::Float64 => D,
            DType::Complex128 => C,
            DType::Bytes(_) => S,
        }
    }

    fn numeric(self) -> bool {
        self != S
    }

    fn int(self) -> bool {
        matches!(self, I | L)
    }
}

/// What the spec says an operation gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Typing {
    /// A value of this kind.
    Ok(Kind),
    /// A type error.
    Error,
    /// The spec does not settle it; generators avoid it.
    Unsettled,
}

use Typing::{Error as Bad, Ok as Gives, Unsettled as Open};

/// Functions of one argument whose result kind follows the transcendental row of the table.
const TRANSCENDENTAL: &[&str] = &[
    "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arccosh", "arctanh", "log", "log10", "log2", "log1p", "exp", "expm1",
];

/// The element-wise functions of `arity` arguments, from the library's own table (so a
/// function added there is generated here; `unary_function` and `binary_function` then say
/// how the spec types it).
fn functions_of_arity(arity: usize) -> Vec<&'static str> {
    use crate::hir::function::{Function, NAMES, lookup};
    NAMES
        .iter()
        .copied()
        .filter(|&n| {
            lookup(n).is_some_and(|f| !matches!(f, Function::Reduce(_)) && f.arity() == arity)
        })
        .collect()
}

/// Every element-wise function of one argument.
static UNARY_FUNCTIONS: LazyLock<Vec<&'static str>> = LazyLock::new(|| functions_of_arity(1));

/// Every function of two arguments (`contains` included).
static BINARY_FUNCTIONS: LazyLock<Vec<&'static str>> = LazyLock::new(|| functions_of_arity(2));

/// Binary operators.
const BINARY_OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "<", "<=", ">", ">=", "==",
    "!=", "and", "or",
];

/// Unary operators (with their trailing space where the token needs one).
const UNARY_OPERATORS: &[&str] = &["-", "+", "~", "not "];

/// The typing of a function of one argument (LANGUAGE.md, Functions).
pub(crate) fn unary_function(name: &str, k: Kind) -> Typing {
    if k == S {
        return if name == "copy" { Gives(S) } else { Bad };
    }
    let g = Gives;
    if TRANSCENDENTAL.contains(&name) {
        return match k {
            B | F => g(F),
            I | L | D => g(D),
            _ => g(C),
        };
    }
    match name {
        "abs" => match k {
            B => g(F),
            _ => g(k),
        },
        "ceil" | "floor" => match k {
            B | F => g(F),
            I | L | D => g(D),
            _ => Bad,
        },
        "round" | "sign" => match k {
            B | F | D => g(D),
            _ => g(k),
        },
        "trunc" => match k {
            C => Bad,
            _ => g(D),
        },
        "real" | "imag" => g(D),
        "conj" => match k {
            I | L => g(D),
            _ => g(C),
        },
        "isnan" | "isfinite" | "isinf" => g(B),
        "signbit" => match k {
            C => Bad,
            _ => g(B),
        },
        "copy" => g(k),
        "ones_like" => match k {
            B => Bad,
            _ => g(k),
        },
        _ => Open,
    }
}

/// The typing of a function of two arguments.
pub(crate) fn binary_function(name: &str, a: Kind, b: Kind) -> Typing {
    if name == "contains" {
        return if a == S && b == S { Gives(B) } else { Bad };
    }
    if a == S || b == S {
        return Bad;
    }
    let k = a.max(b);
    match (name, k) {
        (_, C) => Bad,
        ("arctan2" | "fmod", B | F) => Gives(F),
        ("arctan2" | "fmod", _) => Gives(D),
        ("complex", _) => Gives(C),
        _ => Gives(D),
    }
}

/// The typing of a binary operator (LANGUAGE.md, Grammar and Types).
pub(crate) fn binary_operator(op: &str, a: Kind, b: Kind) -> Typing {
    let bytes = a == S && b == S;
    if a == S || b == S {
        return match op {
            "<" | "<=" | ">" | ">=" | "==" | "!=" if bytes => Gives(B),
            _ => Bad,
        };
    }
    let k = a.max(b);
    let both_bool = a == B && b == B;
    let one_bool = (a == B) != (b == B);
    match op {
        "+" | "*" => Gives(k),
        "-" if both_bool => Bad,
        "-" => Gives(k),
        "/" => match k {
            B => Open,
            I | L => Gives(D),
            _ => Gives(k),
        },
        "//" | "%" => match k {
            B => Open,
            C => Bad,
            _ if one_bool => Open,
            _ => Gives(k),
        },
        "**" => match k {
            _ if a == B || b == B => Open,
            _ => Gives(k),
        },
        "&" | "|" | "^" => match (a, b) {
            (B, B) => Gives(B),
            _ if a.int() && b.int() => Gives(k),
            _ if a >= F || b >= F => Bad,
            _ => Open,
        },
        "<<" | ">>" => match (a, b) {
            _ if a.int() && b.int() => Gives(k),
            _ if a >= F || b >= F => Bad,
            _ => Open,
        },
        "<" | "<=" | ">" | ">=" => match k {
            C => Bad,
            _ => Gives(B),
        },
        "==" | "!=" => Gives(B),
        "and" | "or" => {
            if both_bool {
                Gives(B)
            } else {
                Bad
            }
        }
        _ => Open,
    }
}

/// The typing of a unary operator.
pub(crate) fn unary_operator(op: &str, k: Kind) -> Typing {
    match (op.trim(), k) {
        ("+", S) => Open,
        (_, S) => Bad,
        ("-", B) => Bad,
        ("-", _) => Gives(k),
        ("+", B) => Open,
        ("+", _) => Gives(k),
        ("~", B | I | L) => Gives(k),
        ("~", _) => Bad,
        ("not", B) => Gives(B),
        ("not", _) => Bad,
        _ => Open,
    }
}

/// The typing of `where(cond, x, y)` (and `x if cond else y`).
pub(crate) fn select(cond: Kind, x: Kind, y: Kind) -> Typing {
    match (cond, x, y) {
        (B, S, S) => Gives(S),
        (B, S, _) | (B, _, S) => Bad,
        (B, _, _) => Gives(x.max(y)),
        _ => Bad,
    }
}

/// The typing of `base ** p` for a literal exponent `p` (given as text and value): numexpr's
/// power expansion of integral and half-integral exponents up to 50.
pub(crate) fn literal_power(base: Kind, text: &str, p: f64) -> Typing {
    if base == S {
        return Bad;
    }
    if base == B {
        return Open;
    }
    let is_int_literal = !text.contains('.');
    let integral = p.fract() == 0.0;
    let half = (2.0 * p).fract() == 0.0 && !integral;
    if p.abs() > 50.0 || !(integral || half) {
        // Not expanded: an ordinary `**` with a float64 (or int32) literal.
        let lit = if is_int_literal { I } else { D };
        return binary_operator("**", base, lit);
    }
    if p < 0.0 && is_int_literal && base.int() {
        return Bad;
    }
    // Multiplications of the base keep its kind; a half adds a sqrt (float64 for ints).
    let product = if half {
        match base {
            I | L => D,
            _ => base,
        }
    } else {
        base
    };
    if p < 0.0 {
        // `1 / product`: true division of an int literal.
        binary_operator("/", I, product)
    } else {
        Gives(product)
    }
}

/// The typing of a reduction of a `k` argument.
pub(crate) fn reduction(name: &str, k: Kind) -> Typing {
    match (name, k) {
        (_, S) => Bad,
        ("sum", B) => Gives(L),
        ("sum", _) => Gives(k),
        ("prod", B) => Open,
        ("prod", _) => Gives(k),
        ("min" | "max", B) => Open,
        ("min" | "max", C) => Bad,
        ("min" | "max", _) => Gives(k),
        ("any" | "all", B) => Gives(B),
        ("any" | "all", _) => Bad,
        // NumPy's dtypes: float64 for bools and integers, the float kind, complex mean
        // complex, complex var/std float64.
        ("mean" | "var" | "std", B | I | L) => Gives(D),
        ("mean", _) => Gives(k),
        ("var" | "std", C) => Gives(D),
        ("var" | "std", _) => Gives(k),
        _ => Open,
    }
}

/// A generated (sub)expression.
#[derive(Clone, Debug)]
pub(crate) struct Term {
    /// Its text.
    pub text: String,
    /// Its kind (for an ill-typed term: a stand-in, the kind of its first operand).
    pub kind: Kind,
    /// Made only of literals (constant folding would compute it).
    pub constant: bool,
    /// Needs no parentheses as an operand (a name, an unsigned literal, a call, brackets).
    pub atomic: bool,
}

impl Term {
    fn leaf(text: String, kind: Kind, constant: bool) -> Term {
        Term {
            atomic: !text.starts_with('-'),
            text,
            kind,
            constant,
        }
    }

    fn call(text: String, kind: Kind, constant: bool) -> Term {
        Term {
            text,
            kind,
            constant,
            atomic: true,
        }
    }

    fn compound(text: String, kind: Kind, constant: bool) -> Term {
        Term {
            text,
            kind,
            constant,
            atomic: false,
        }
    }

    /// The text as an operand: bracketed unless atomic.
    fn operand(&self) -> String {
        if self.atomic {
            self.text.clone()
        } else {
            format!("({})", self.text)
        }
    }
}

/// What the generator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Only well-typed expressions.
    Typed,
    /// One ill-typed operation in a well-typed context.
    IllTyped,
    /// Anything: also syntax errors, unknown names, wrong arities, keywords.
    Chaos,
}

/// The expression generator.
pub(crate) struct ExprGen<'a, 'u> {
    u: &'a mut Unstructured<'u>,
    vars: &'a [(String, Kind)],
    /// Dimensions of the broadcast result, for reduction axes.
    ndim: usize,
    mode: Mode,
    /// The ill-typed operation's text, once made ([`Mode::IllTyped`]).
    pub ill: Option<String>,
}

impl<'a, 'u> ExprGen<'a, 'u> {
    /// A generator over variables `vars` whose broadcast has `ndim` dimensions.
    pub(crate) fn new(
        u: &'a mut Unstructured<'u>,
        vars: &'a [(String, Kind)],
        ndim: usize,
        mode: Mode,
    ) -> ExprGen<'a, 'u> {
        ExprGen {
            u,
            vars,
            ndim,
            mode,
            ill: None,
        }
    }

    /// A whole expression: a term up to `depth` deep, sometimes reduced at the root.
    pub(crate) fn expression(&mut self, depth: usize) -> Term {
        let mut t = self.term(depth);
        if self.mode == Mode::IllTyped {
            // The ill term may have been dropped with an operand no operation could take.
            let kept = self.ill.as_deref().is_some_and(|ill| t.text.contains(ill));
            if !kept {
                let ill = self.ill_term();
                t = self.combine_any(t, ill);
            }
        }
        if chance(self.u, 20) {
            t = self.reduce(t);
        } else if chance(self.u, 15) {
            t = self.reduced_inside(t);
        }
        if self.mode == Mode::Chaos && chance(self.u, 30) {
            t.text = self.mangle(&t.text);
        }
        t
    }

    /// `a + b` or another operation valid on any two kinds, used to attach the ill term.
    fn combine_any(&mut self, a: Term, b: Term) -> Term {
        let text = format!("{} == {}", a.operand(), b.operand());
        Term::compound(text, B, false)
    }

    /// A reduction inside an expression, in a linear context (what `compare` bounds): `v + r`,
    /// `v - r` or `v * r` with `v` a variable and `r` a reduction of `t`, or `t - r` with `r`
    /// a reduction of `t` itself, `t`'s mean for instance.
    fn reduced_inside(&mut self, t: Term) -> Term {
        let r = self.reduce(t.clone());
        if r.text == t.text {
            return t;
        }
        let v = if chance(self.u, 50) {
            self.variable(None).unwrap_or_else(|| t.clone())
        } else {
            t
        };
        let ops = ["+", "-", "*"];
        let op = one_of(self.u, &ops);
        match binary_operator(op, v.kind, r.kind) {
            Gives(k) => Term::compound(format!("{} {op} {}", v.operand(), r.operand()), k, false),
            _ if self.mode == Mode::Chaos => Term::compound(
                format!("{} {op} {}", v.operand(), r.operand()),
                v.kind,
                false,
            ),
            _ => r,
        }
    }

    fn reduce(&mut self, t: Term) -> Term {
        let names = [
            "sum", "prod", "min", "max", "any", "all", "mean", "var", "std",
        ];
        let valid: Vec<(&str, Kind)> = names
            .iter()
            .filter_map(|&n| match reduction(n, t.kind) {
                Gives(k) => Some((n, k)),
                _ => None,
            })
            .collect();
        if valid.is_empty() && self.mode != Mode::Chaos {
            return t;
        }
        let (name, kind) = if valid.is_empty() || (self.mode == Mode::Chaos && chance(self.u, 20)) {
            (one_of(self.u, &names), t.kind)
        } else {
            one_of(self.u, &valid)
        };
        let axis = if chance(self.u, 50) {
            let nd = self.ndim as i64;
            let axis = if chance(self.u, 10) || nd == 0 {
                // Out of range: an axis error on every engine.
                nd + pick(self.u, 2) as i64
            } else if chance(self.u, 30) {
                -1 - pick(self.u, self.ndim) as i64
            } else {
                pick(self.u, self.ndim) as i64
            };
            format!(", axis={axis}")
        } else {
            String::new()
        };
        let keepdims = if chance(self.u, 25) {
            ", keepdims=True"
        } else {
            ""
        };
        let ddof = if matches!(name, "var" | "std") && chance(self.u, 30) {
            format!(", ddof={}", pick(self.u, 3))
        } else {
            String::new()
        };
        Term::call(
            format!("{name}({}{axis}{keepdims}{ddof})", t.text),
            kind,
            false,
        )
    }

    /// A variable (of `kind` if given and one exists).
    fn variable(&mut self, kind: Option<Kind>) -> Option<Term> {
        let matching: Vec<&(String, Kind)> = self
            .vars
            .iter()
            .filter(|(_, k)| kind.is_none_or(|want| *k == want))
            .collect();
        if matching.is_empty() {
            return None;
        }
        let (name, k) = matching[pick(self.u, matching.len())];
        Some(Term::leaf(name.clone(), *k, false))
    }

    /// A literal.
    fn literal(&mut self) -> Term {
        let u = &mut *self.u;
        let (text, kind): (&str, Kind) = match pick(u, 6) {
            0 => one_of(
                u,
                &[
                    ("True", B),
                    ("False", B),
                    ("b'ab'", S),
                    ("'a\\x00'", S),
                    ("\"abc\"", S),
                    ("b''", S),
                ],
            ),
            1 => one_of(
                u,
                &[
                    ("0", I),
                    ("1", I),
                    ("2", I),
                    ("-3", I),
                    ("0x1F", I),
                    ("0o17", I),
                    ("0b101", I),
                    ("1_000", I),
                    ("2147483647", I),
                    ("-2147483648", I),
                    ("2147483648", L),
                    ("-9223372036854775808", L),
                    ("9223372036854775807", L),
                    ("31", I),
                    ("64", I),
                ],
            ),
            2 => one_of(
                u,
                &[
                    ("0.5", D),
                    ("1.", D),
                    (".25", D),
                    ("1e3", D),
                    ("1E-3", D),
                    ("1e400", D),
                    ("-0.0", D),
                    ("1_000.5", D),
                    ("3.14159", D),
                    ("-1.5", D),
                    ("1e-310", D),
                ],
            ),
            3 => one_of(
                u,
                &[("1j", C), ("1.5j", C), ("3.j", C), ("1e5J", C), ("0j", C)],
            ),
            _ => {
                let v: i32 = u.int_in_range(-9..=99).unwrap_or(0);
                return Term::leaf(v.to_string(), I, true);
            }
        };
        Term::leaf(text.to_string(), kind, true)
    }

    /// A leaf: mostly a variable.
    fn leaf(&mut self) -> Term {
        if self.vars.is_empty() || chance(self.u, 25) {
            return self.literal();
        }
        self.variable(None).unwrap_or_else(|| self.literal())
    }

    /// A term that is not a constant (a variable when `t` would be one).
    fn not_constant(&mut self, t: Term) -> Term {
        if t.constant {
            self.variable(None).unwrap_or(t)
        } else {
            t
        }
    }

    /// A term up to `depth` operations deep.
    fn term(&mut self, depth: usize) -> Term {
        if self.mode == Mode::IllTyped && self.ill.is_none() && chance(self.u, 12) {
            return self.ill_term();
        }
        if depth == 0 {
            return self.leaf();
        }
        // Choice 0, all an exhausted input gives, is the simplest.
        let t = match pick(self.u, 11) {
            0 | 1 => return self.leaf(),
            2 | 3 => self.unary_call(depth),
            4..=6 => self.binary(depth),
            7 => self.unary(depth),
            8 => self.power(depth),
            9 => self.select(depth),
            _ => match pick(self.u, 3) {
                0 => self.binary_call(depth),
                1 => self.chain(depth),
                _ => self.attribute(depth),
            },
        };
        if self.mode == Mode::Chaos && chance(self.u, 5) {
            return self.chaos_term(t);
        }
        t
    }

    /// A choice among `candidates` whose typing is `Gives`, or `None`.
    fn valid<T: Copy>(
        &mut self,
        candidates: &[T],
        typing: impl Fn(T) -> Typing,
    ) -> Option<(T, Kind)> {
        let ok: Vec<(T, Kind)> = candidates
            .iter()
            .filter_map(|&c| match typing(c) {
                Gives(k) => Some((c, k)),
                _ => None,
            })
            .collect();
        if ok.is_empty() {
            None
        } else {
            Some(ok[pick(self.u, ok.len())])
        }
    }

    fn unary_call(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        match self.valid(&UNARY_FUNCTIONS, |f| unary_function(f, a.kind)) {
            Some((f, k)) => Term::call(format!("{f}({})", a.text), k, a.constant),
            None => a,
        }
    }

    fn binary_call(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let b = self.term(depth - 1);
        let b = if a.constant { self.not_constant(b) } else { b };
        match self.valid(&BINARY_FUNCTIONS, |f| binary_function(f, a.kind, b.kind)) {
            Some((f, k)) => Term::call(format!("{f}({}, {})", a.text, b.text), k, false),
            None => a,
        }
    }

    fn binary(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let b = self.term(depth - 1);
        let b = if a.constant { self.not_constant(b) } else { b };
        match self.valid(BINARY_OPERATORS, |op| binary_operator(op, a.kind, b.kind)) {
            // `**` with a constant exponent has its own rule (`power`).
            Some(("**", _)) if b.constant => a,
            Some((op, k)) => {
                let text = format!("{} {op} {}", a.operand(), b.operand());
                Term::compound(text, k, false)
            }
            None => a,
        }
    }

    fn unary(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let a = self.not_constant(a);
        match self.valid(UNARY_OPERATORS, |op| unary_operator(op, a.kind)) {
            Some((op, k)) => Term::compound(format!("{op}{}", a.operand()), k, false),
            None => a,
        }
    }

    fn power(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let a = self.not_constant(a);
        let exponents: &[(&str, f64)] = &[
            ("0", 0.0),
            ("1", 1.0),
            ("2", 2.0),
            ("3", 3.0),
            ("5", 5.0),
            ("2.0", 2.0),
            ("3.0", 3.0),
            ("0.5", 0.5),
            ("1.5", 1.5),
            ("2.5", 2.5),
            ("-1", -1.0),
            ("-2", -2.0),
            ("-1.0", -1.0),
            ("-2.0", -2.0),
            ("-0.5", -0.5),
            ("0.3", 0.3),
            ("51", 51.0),
            ("7.25", 7.25),
            ("50", 50.0),
        ];
        match self.valid(exponents, |(text, p)| literal_power(a.kind, text, p)) {
            Some(((text, _), k)) => {
                let exp = if text.starts_with('-') {
                    format!("({text})")
                } else {
                    text.to_string()
                };
                Term::compound(format!("{} ** {exp}", a.operand()), k, false)
            }
            None => a,
        }
    }

    /// A bool term: a bool variable or operation, or a comparison of a term.
    fn condition(&mut self, depth: usize) -> Term {
        let t = self.term(depth.saturating_sub(1));
        if t.kind == B {
            return t;
        }
        let text = match t.kind {
            S => format!("{} >= b'b'", t.operand()),
            C => format!("{} != 0", t.operand()),
            _ => match pick(self.u, 3) {
                0 => format!("{} > 0.5", t.operand()),
                1 => format!("isnan({})", t.text),
                _ => format!("{} <= 1", t.operand()),
            },
        };
        Term::compound(text, B, t.constant)
    }

    fn select(&mut self, depth: usize) -> Term {
        let c = self.condition(depth);
        let x = self.term(depth - 1);
        let y = self.term(depth - 1);
        let y = if c.constant && x.constant {
            self.not_constant(y)
        } else {
            y
        };
        match select(c.kind, x.kind, y.kind) {
            Gives(k) if chance(self.u, 50) => Term::compound(
                format!("{} if {} else {}", x.operand(), c.operand(), y.operand()),
                k,
                false,
            ),
            Gives(k) => Term::call(
                format!("where({}, {}, {})", c.text, x.text, y.text),
                k,
                false,
            ),
            _ => x,
        }
    }

    /// `a < b <= c`: a chained comparison.
    fn chain(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let a = self.not_constant(a);
        let b = self.term(depth - 1);
        let b = self.not_constant(b);
        let c = self.term(depth - 1);
        let c = self.not_constant(c);
        let ops = ["<", "<=", ">", ">=", "==", "!="];
        let first = self.valid(&ops, |op| binary_operator(op, a.kind, b.kind));
        let second = self.valid(&ops, |op| binary_operator(op, b.kind, c.kind));
        match (first, second) {
            (Some((p, _)), Some((q, _))) => Term::compound(
                format!("{} {p} {} {q} {}", a.operand(), b.operand(), c.operand()),
                B,
                false,
            ),
            _ => a,
        }
    }

    /// `x.real` or `x.imag`.
    fn attribute(&mut self, depth: usize) -> Term {
        let a = self.term(depth - 1);
        let a = self.not_constant(a);
        if !a.kind.numeric() {
            return a;
        }
        let part = if chance(self.u, 50) { "real" } else { "imag" };
        let base = if a.atomic && !a.text.starts_with(|c: char| c.is_ascii_digit()) {
            a.text.clone()
        } else {
            format!("({})", a.text)
        };
        Term::call(format!("{base}.{part}"), D, false)
    }

    /// An operation that the spec makes a type error, on leaves.
    fn ill_term(&mut self) -> Term {
        let a = self.leaf();
        let a = self.not_constant(a);
        let b = self.leaf();
        let b = self.not_constant(b);
        let made = match pick(self.u, 4) {
            0 => self
                .invalid(&UNARY_FUNCTIONS, |f| unary_function(f, a.kind))
                .map(|f| format!("{f}({})", a.text)),
            1 => self
                .invalid(UNARY_OPERATORS, |op| unary_operator(op, a.kind))
                .map(|op| format!("{op}{}", a.operand())),
            2 => self
                .invalid(&BINARY_FUNCTIONS, |f| binary_function(f, a.kind, b.kind))
                .map(|f| format!("{f}({}, {})", a.text, b.text)),
            _ => self
                .invalid(BINARY_OPERATORS, |op| binary_operator(op, a.kind, b.kind))
                .map(|op| format!("{} {op} {}", a.operand(), b.operand())),
        };
        // Every kind has an operator the spec refuses: `not` of a non-bool, `-` of a bool
        // or a byte string.
        let text = made.unwrap_or_else(|| {
            if a.kind == B || a.kind == S {
                format!("-{}", a.operand())
            } else {
                format!("not {}", a.operand())
            }
        });
        // Bracketed with a space before the `)`, which nothing else generates, so the text
        // can be found in the whole expression.
        let text = format!("({text} )");
        self.ill = Some(text.clone());
        Term::call(text, a.kind, false)
    }

    /// A choice among `candidates` whose typing is an error.
    fn invalid<T: Copy>(&mut self, candidates: &[T], typing: impl Fn(T) -> Typing) -> Option<T> {
        let bad: Vec<T> = candidates
            .iter()
            .copied()
            .filter(|&c| typing(c) == Bad)
            .collect();
        (!bad.is_empty()).then(|| bad[pick(self.u, bad.len())])
    }

    /// Something the typing rules may refuse, or that is not in the language.
    fn chaos_term(&mut self, t: Term) -> Term {
        let other = self.leaf();
        let text = match pick(self.u, 8) {
            0 => format!("{}({})", one_of(self.u, &UNARY_FUNCTIONS), other.text),
            1 => format!(
                "{}({}, {})",
                one_of(self.u, &BINARY_FUNCTIONS),
                t.text,
                other.text
            ),
            2 => format!(
                "{} {} {}",
                t.operand(),
                one_of(self.u, BINARY_OPERATORS),
                other.operand()
            ),
            3 => format!(
                "{}({}, axis={})",
                one_of(self.u, &["sum", "min", "sin", "where"]),
                t.text,
                pick(self.u, 4)
            ),
            4 => format!("nosuch({})", t.text),
            5 => format!(
                "{}({})",
                one_of(self.u, &["sin", "where", "arctan2", "contains"]),
                [t.text.as_str(); 4][..pick(self.u, 5)].join(", ")
            ),
            6 => format!("unknown_{} + {}", pick(self.u, 3), t.operand()),
            _ => format!("{}[0]", t.operand()),
        };
        Term::compound(text, t.kind, false)
    }

    /// The text with a random edit: a token dropped, duplicated or inserted.
    fn mangle(&mut self, text: &str) -> String {
        const JUNK: &[&str] = &[
            "(", ")", ",", "**", "if", "else", ".", "=", "axis=", "lambda", "[", "'", "\\", "#",
            "\n", "é", "1e", "0x", "j", "not", "<", "<<", "..", "@",
        ];
        let mut chars: Vec<char> = text.chars().collect();
        let at = pick(self.u, chars.len() + 1);
        match pick(self.u, 3) {
            0 if at < chars.len() => {
                chars.remove(at);
            }
            1 if at < chars.len() => {
                let c = chars[at];
                chars.insert(at, c);
            }
            _ => {
                let junk: Vec<char> = one_of(self.u, JUNK).chars().collect();
                for (k, c) in junk.into_iter().enumerate() {
                    chars.insert(at + k, c);
                }
            }
        }
        chars.into_iter().collect()
    }
}
