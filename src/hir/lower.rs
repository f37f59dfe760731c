//! Syntax tree to [`Hir`]: name resolution, numexpr's casting rules, constant folding.
//!
//! The tree is walked with an explicit stack (never recursively, so a 100,000-deep tree is
//! fine). Each subtree becomes a [`Val`]: either a Python constant, folded with Python's
//! semantics as numexpr does ([`PyValue`]), or a typed HIR node. A constant only gets a dtype
//! when it meets a typed operand (or is the whole expression): then it takes the dtype the
//! operation needs, as numexpr retypes its constants, so `x_f4 + 2` stays float32 and
//! `x_i4 + 2147483648` is int64.
//!
//! Typing rules (LANGUAGE.md, "Types"): a binary operation takes the highest rank of its
//! operands and casts both to it (`/` of non-floats computes in float64; `bool + bool` is `|`,
//! `bool * bool` is `&`); functions follow [`function::Rule`]; a constant exponent is expanded
//! into multiplications the way numexpr does (`x**2 -> x*x`, `x**0.5 -> sqrt(x)`).

use std::collections::HashMap;
use std::sync::Arc;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::Signature;
use super::function::{self, Function, Rule};
use super::pyconst::{FoldError, PyValue};
use super::{Fun, Hir, InputSlot, Node, NodeId, Op, ReduceOp, cast_allowed};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Span};
use crate::limits;
use crate::syntax::ast::{Attr, BinaryOp, CompareOp, Expr, ExprKind, Kwarg, UnaryOp};

/// Type `ast` against the variables in `sig`.
pub(crate) fn lower<'a>(
    ast: &'a Expr<'a>,
    source: &Arc<str>,
    sig: &Signature,
) -> Result<Hir, Error> {
    let mut cx = Lowering {
        sig,
        nodes: Vec::new(),
        inputs: Vec::new(),
        input_nodes: HashMap::new(),
    };
    let root = walk(&mut cx, ast)?;
    match root {
        Val::Node(_) => {}
        Val::Py(v, span) => {
            let dtype = v.literal_dtype();
            cx.constant(&v, dtype, span)?;
        }
        Val::None(span) => return Err(none_error(span)),
    }
    let hir = Hir {
        nodes: cx.nodes,
        inputs: cx.inputs,
        source: source.clone(),
    };
    debug_assert!(hir.validate().is_ok(), "{:?}", hir.validate());
    Ok(hir)
}

/// The value of a subtree during lowering.
#[derive(Clone, Debug)]
enum Val {
    /// A constant not typed yet, with the span of the expression it came from.
    Py(PyValue, Span),
    /// A typed node.
    Node(NodeId),
    /// `None`, only meaningful as `axis=None`.
    None(Span),
}

struct Lowering<'s> {
    sig: &'s Signature,
    nodes: Vec<Node>,
    inputs: Vec<InputSlot>,
    /// The `Op::Input` node of each variable already read.
    input_nodes: HashMap<String, NodeId>,
}

/// Post-order walk with an explicit stack; children's values are taken from `vals`.
fn walk<'a>(cx: &mut Lowering<'_>, root: &'a Expr<'a>) -> Result<Val, Error> {
    enum Step<'a> {
        Enter(&'a Expr<'a>),
        Exit(&'a Expr<'a>),
    }
    let mut stack = vec![Step::Enter(root)];
    let mut vals: Vec<Val> = Vec::new();
    while let Some(step) = stack.pop() {
        match step {
            Step::Enter(e) => {
                stack.push(Step::Exit(e));
                // Children are pushed in reverse so they are evaluated left to right.
                let mut push = |c: &'a Expr<'a>| stack.push(Step::Enter(c));
                match &e.kind {
                    ExprKind::Unary { arg, .. } | ExprKind::Attr { arg, .. } => push(arg),
                    ExprKind::Binary { lhs, rhs, .. } => {
                        push(rhs);
                        push(lhs);
                    }
                    ExprKind::Compare { first, rest } => {
                        for (_, _, e) in rest.iter().rev() {
                            push(e);
                        }
                        push(first);
                    }
                    ExprKind::IfElse {
                        then,
                        cond,
                        otherwise,
                    } => {
                        push(otherwise);
                        push(then);
                        push(cond);
                    }
                    ExprKind::Call { args, kwargs, .. } => {
                        for k in kwargs.iter().rev() {
                            push(k.value);
                        }
                        for a in args.iter().rev() {
                            push(a);
                        }
                    }
                    _ => {}
                }
            }
            Step::Exit(e) => {
                let v = exit(cx, e, &mut vals)?;
                vals.push(v);
            }
        }
    }
    vals.pop()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "lowering produced no value"))
}

/// Combine the values of `e`'s children (on top of `vals`) into `e`'s value.
fn exit(cx: &mut Lowering<'_>, e: &Expr<'_>, vals: &mut Vec<Val>) -> Result<Val, Error> {
    let span = e.span;
    let v = match &e.kind {
        ExprKind::Int(text) => Val::Py(PyValue::parse_int(text).map_err(fold(span))?, span),
        ExprKind::Float(x) => Val::Py(PyValue::Float(*x), span),
        ExprKind::Imag(x) => Val::Py(PyValue::Complex(num_complex::Complex64::new(0.0, *x)), span),
        ExprKind::Bool(b) => Val::Py(PyValue::Bool(*b), span),
        ExprKind::Str(s) => Val::Py(PyValue::Bytes(s.to_vec()), span),
        ExprKind::NoneLit => Val::None(span),
        ExprKind::Name(name) => Val::Node(cx.input(name, span)?),
        ExprKind::Unary { op, op_span, .. } => {
            let a = pop(vals)?;
            cx.unary(*op, a, *op_span, span)?
        }
        ExprKind::Binary { op, op_span, .. } => {
            let b = pop(vals)?;
            let a = pop(vals)?;
            cx.binary(*op, a, b, *op_span, span)?
        }
        ExprKind::Compare { rest, .. } => {
            let operands = take(vals, rest.len() + 1)?;
            cx.compare_chain(operands, rest, span)?
        }
        ExprKind::IfElse { .. } => {
            let mut abc = take(vals, 3)?.into_iter();
            let (cond, then, otherwise) = (next(&mut abc)?, next(&mut abc)?, next(&mut abc)?);
            cx.where_(cond, then, otherwise, span)?
        }
        ExprKind::Attr {
            attr, attr_span, ..
        } => {
            let a = pop(vals)?;
            let (fun, name) = match attr {
                Attr::Real => (Fun::Real, "real"),
                Attr::Imag => (Fun::Imag, "imag"),
            };
            match a {
                Val::Py(v, _) => {
                    let x = match attr {
                        Attr::Real => v.real(),
                        Attr::Imag => v.imag(),
                    };
                    Val::Py(PyValue::Float(x.map_err(fold(*attr_span))?), span)
                }
                a => cx.map(fun, Rule::Part, name, vec![a], *attr_span)?,
            }
        }
        ExprKind::Call {
            name,
            name_span,
            args,
            kwargs,
        } => {
            let kw_vals = take(vals, kwargs.len())?;
            let arg_vals = take(vals, args.len())?;
            cx.call(name, *name_span, span, args, arg_vals, kwargs, kw_vals)?
        }
    };
    Ok(v)
}

fn pop(vals: &mut Vec<Val>) -> Result<Val, Error> {
    vals.pop()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "lowering stack underflow"))
}

fn take(vals: &mut Vec<Val>, n: usize) -> Result<Vec<Val>, Error> {
    let at = vals
        .len()
        .checked_sub(n)
        .ok_or_else(|| Error::new(ErrorKind::Internal, "lowering stack underflow"))?;
    Ok(vals.split_off(at))
}

fn next(it: &mut impl Iterator<Item = Val>) -> Result<Val, Error> {
    it.next()
        .ok_or_else(|| Error::new(ErrorKind::Internal, "lowering stack underflow"))
}

/// Turn a folding failure into an error at `span`.
fn fold(span: Span) -> impl Fn(FoldError) -> Error {
    move |e| match e {
        FoldError::ZeroDivision(m) => Error::at(
            ErrorKind::ZeroDivision,
            span,
            format!("{m} in a constant expression"),
        ),
        FoldError::Overflow(m) => Error::at(ErrorKind::Overflow, span, m),
        FoldError::Type(m) => Error::at(ErrorKind::Type, span, m),
        FoldError::Limit(m) => Error::at(ErrorKind::Limit, span, m),
    }
}

fn none_error(span: Span) -> Error {
    Error::at(
        ErrorKind::Type,
        span,
        "`None` is only allowed as `axis=None` in a reduction",
    )
}

fn reject_none(vals: &[&Val]) -> Result<(), Error> {
    match vals.iter().find(|v| matches!(v, Val::None(_))) {
        Some(Val::None(span)) => Err(none_error(*span)),
        _ => Ok(()),
    }
}

fn type_error(span: Span, message: impl Into<String>) -> Error {
    Error::at(ErrorKind::Type, span, message)
}

impl Lowering<'_> {
    fn push(&mut self, op: Op, dtype: DType, args: Vec<NodeId>, span: Span) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            op,
            dtype,
            args,
            span,
        });
        id
    }

    fn dtype(&self, id: NodeId) -> DType {
        self.nodes[id as usize].dtype
    }

    /// The kind a value contributes to a common-kind computation.
    fn kind(&self, v: &Val) -> Option<DType> {
        match v {
            Val::Py(p, _) => Some(p.literal_dtype()),
            Val::Node(id) => Some(self.dtype(*id)),
            Val::None(_) => None,
        }
    }

    fn input(&mut self, name: &str, span: Span) -> Result<NodeId, Error> {
        if let Some(&id) = self.input_nodes.get(name) {
            return Ok(id);
        }
        let Some(dtype) = self.sig.get(name) else {
            let mut msg = format!("unknown variable `{name}`");
            if function::lookup(name).is_some() {
                msg += &format!(" (`{name}` is a function: call it as `{name}(...)`)");
            } else if let Some(s) = suggest(name, self.sig.vars.iter().map(|(n, _)| n.as_str())) {
                msg += &format!("; did you mean `{s}`?");
            }
            return Err(Error::at(ErrorKind::UnknownVariable, span, msg));
        };
        if self.inputs.len() >= limits::MAX_VARIABLES {
            return Err(Error::at(
                ErrorKind::Limit,
                span,
                format!(
                    "too many variables: an expression may use at most {}",
                    limits::MAX_VARIABLES
                ),
            ));
        }
        let k = self.inputs.len() as u32;
        self.inputs.push(InputSlot {
            name: name.to_string(),
            dtype,
            span,
        });
        let id = self.push(Op::Input(k), dtype, Vec::new(), span);
        self.input_nodes.insert(name.to_string(), id);
        Ok(id)
    }

    /// A constant node holding `v` converted to `dtype`.
    fn constant(&mut self, v: &PyValue, dtype: DType, span: Span) -> Result<NodeId, Error> {
        let s = v.to_scalar(dtype).map_err(fold(span))?;
        let dtype = s.dtype();
        Ok(self.push(Op::Const(s), dtype, Vec::new(), span))
    }

    /// `v` as a node of dtype `to`: constants are converted, nodes cast (to a higher rank).
    fn coerce(&mut self, v: Val, to: DType) -> Result<NodeId, Error> {
        match v {
            Val::Py(p, span) => {
                // A byte string keeps its own width: the kernels accept mixed widths.
                let to = match (to, p.literal_dtype()) {
                    (DType::Bytes(_), own @ DType::Bytes(_)) => own,
                    _ => to,
                };
                self.constant(&p, to, span)
            }
            Val::Node(id) => {
                let from = self.dtype(id);
                if from == to || (from.is_bytes() && to.is_bytes()) {
                    Ok(id)
                } else if cast_allowed(from, to) {
                    let span = self.nodes[id as usize].span;
                    Ok(self.push(Op::Cast, to, vec![id], span))
                } else {
                    Err(Error::new(
                        ErrorKind::Internal,
                        format!("cannot cast {from} to {to}"),
                    ))
                }
            }
            Val::None(span) => Err(none_error(span)),
        }
    }

    /// The common kind of `vals` (highest rank; byte strings only with byte strings).
    fn common_kind(&self, vals: &[&Val], span: Span, what: &str) -> Result<DType, Error> {
        let mut kinds = Vec::with_capacity(vals.len());
        for v in vals {
            match (self.kind(v), v) {
                (Some(k), _) => kinds.push(k),
                (None, Val::None(s)) => return Err(none_error(*s)),
                (None, _) => return Err(none_error(span)),
            }
        }
        let bytes = kinds.iter().filter(|k| k.is_bytes()).count();
        if bytes > 0 && bytes < kinds.len() {
            return Err(type_error(
                span,
                format!(
                    "{what} mixes byte strings with numbers ({})",
                    list_kinds(&kinds)
                ),
            ));
        }
        kinds
            .iter()
            .copied()
            .max()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "no operands"))
    }

    fn unary(&mut self, op: UnaryOp, a: Val, op_span: Span, span: Span) -> Result<Val, Error> {
        reject_none(&[&a])?;
        if let Val::Py(v, _) = &a {
            let folded = match op {
                UnaryOp::Not => match v {
                    PyValue::Bool(b) => PyValue::Bool(!b),
                    _ => {
                        return Err(type_error(
                            op_span,
                            format!("`not` needs a bool operand, not {}", v.literal_dtype()),
                        ));
                    }
                },
                _ => PyValue::unary(op, v).map_err(fold(op_span))?,
            };
            return Ok(Val::Py(folded, span));
        }
        let (fun, symbol) = match op {
            UnaryOp::Pos => return Ok(a),
            UnaryOp::Neg => (Fun::Neg, "-"),
            UnaryOp::Invert => (Fun::Not, "~"),
            UnaryOp::Not => (Fun::Not, "not"),
        };
        let k = self.common_kind(&[&a], op_span, &format!("`{symbol}`"))?;
        let defined = match op {
            UnaryOp::Not => k == DType::Bool,
            _ => fun.signature(&[k]).is_some(),
        };
        if !defined {
            let what = if op == UnaryOp::Not {
                "`not` needs a bool operand".to_string()
            } else {
                format!("operator `{symbol}` is not defined")
            };
            return Err(type_error(op_span, format!("{what}, not {k}")));
        }
        let id = self.coerce(a, k)?;
        Ok(Val::Node(self.push(Op::Map(fun), k, vec![id], op_span)))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        a: Val,
        b: Val,
        op_span: Span,
        span: Span,
    ) -> Result<Val, Error> {
        reject_none(&[&a, &b])?;
        if let (Val::Py(x, _), Val::Py(y, _)) = (&a, &b) {
            let folded = match op {
                BinaryOp::And | BinaryOp::Or => match (x, y) {
                    (PyValue::Bool(p), PyValue::Bool(q)) => PyValue::Bool(if op == BinaryOp::And {
                        *p && *q
                    } else {
                        *p || *q
                    }),
                    _ => {
                        return Err(type_error(
                            op_span,
                            format!(
                                "`{}` needs bool operands, not {} and {}",
                                symbol(op),
                                x.literal_dtype(),
                                y.literal_dtype()
                            ),
                        ));
                    }
                },
                _ => PyValue::binary(op, x, y).map_err(fold(op_span))?,
            };
            return Ok(Val::Py(folded, span));
        }
        if op == BinaryOp::Pow
            && let Val::Py(exponent, exp_span) = &b
        {
            return self.power(a, exponent.clone(), *exp_span, op_span);
        }
        self.arith(op, a, b, op_span)
    }

    /// A typed binary operation (at least one operand is a node).
    fn arith(&mut self, op: BinaryOp, a: Val, b: Val, op_span: Span) -> Result<Val, Error> {
        let sym = symbol(op);
        let k = self.common_kind(&[&a, &b], op_span, &format!("operator `{sym}`"))?;
        let (fun, operand) = match op {
            BinaryOp::Add if k == DType::Bool => (Fun::Or, k),
            BinaryOp::Mul if k == DType::Bool => (Fun::And, k),
            BinaryOp::Add => (Fun::Add, k),
            BinaryOp::Sub => (Fun::Sub, k),
            BinaryOp::Mul => (Fun::Mul, k),
            // Bool and integer operands divide in float64; anything else keeps its kind,
            // so byte strings reach the signature check below (a type error).
            BinaryOp::Div => (
                Fun::Div,
                if k == DType::Bool || k.is_int() {
                    DType::Float64
                } else {
                    k
                },
            ),
            BinaryOp::FloorDiv => (Fun::FloorDiv, k),
            BinaryOp::Mod => (Fun::Mod, k),
            BinaryOp::Pow => (Fun::Pow, k),
            BinaryOp::BitAnd => (Fun::And, k),
            BinaryOp::BitOr => (Fun::Or, k),
            BinaryOp::BitXor => (Fun::Xor, k),
            BinaryOp::Shl => (Fun::Shl, k),
            BinaryOp::Shr => (Fun::Shr, k),
            BinaryOp::And | BinaryOp::Or => {
                if k != DType::Bool {
                    let (ka, kb) = (self.kind(&a), self.kind(&b));
                    return Err(type_error(
                        op_span,
                        format!(
                            "`{sym}` needs bool operands, not {} and {}",
                            opt_kind(ka),
                            opt_kind(kb)
                        ),
                    ));
                }
                (
                    if op == BinaryOp::And {
                        Fun::And
                    } else {
                        Fun::Or
                    },
                    k,
                )
            }
        };
        let Some(result) = fun.signature(&[operand, operand]) else {
            let (ka, kb) = (self.kind(&a), self.kind(&b));
            let operands = if ka == kb {
                format!("{} operands", opt_kind(ka))
            } else {
                format!("{} and {}", opt_kind(ka), opt_kind(kb))
            };
            return Err(type_error(
                op_span,
                format!("operator `{sym}` is not defined for {operands}"),
            ));
        };
        let x = self.coerce(a, operand)?;
        let y = self.coerce(b, operand)?;
        Ok(Val::Node(self.push(
            Op::Map(fun),
            result,
            vec![x, y],
            op_span,
        )))
    }

    /// `a ** p` with a constant exponent: numexpr's default ("aggressive") expansion of
    /// integral and half-integral exponents up to 50 into multiplications (and `sqrt`), by
    /// binary powering, so `x_i4 ** 2.0` stays int32 and `b ** 2` of a bool is `b & b`.
    fn power(&mut self, a: Val, p: PyValue, exp_span: Span, op_span: Span) -> Result<Val, Error> {
        let base_kind = self.kind(&a);
        let p_is_int = matches!(p, PyValue::Int(_));
        let negative = match &p {
            PyValue::Int(i) => i.is_negative(),
            PyValue::Float(f) => *f < 0.0,
            _ => false,
        };
        if negative && p_is_int && base_kind.is_some_and(|k| k.is_int()) {
            return Err(type_error(
                exp_span,
                "integers to negative integer powers are not allowed",
            ));
        }
        let twice: Option<i64> = match &p {
            PyValue::Bool(b) => Some(2 * i64::from(*b)),
            PyValue::Int(i) => (i.abs() <= BigInt::from(50)).then(|| 2 * i.to_i64().unwrap_or(0)),
            PyValue::Float(f) if (2.0 * f).fract() == 0.0 && f.abs() <= 50.0 => {
                Some((2.0 * f) as i64)
            }
            _ => None,
        };
        let Some(twice) = twice else {
            return self.arith(BinaryOp::Pow, a, Val::Py(p, exp_span), op_span);
        };
        let n = twice.unsigned_abs() / 2;
        let half = twice.unsigned_abs() % 2 == 1;
        let mut result: Option<Val> = None;
        let mut power = a.clone();
        let mut mask = 1u64;
        loop {
            if n & mask != 0 {
                result = Some(match result {
                    None => power.clone(),
                    Some(r) => self.arith(BinaryOp::Mul, r, power.clone(), op_span)?,
                });
            }
            mask <<= 1;
            if mask > n {
                break;
            }
            power = self.arith(BinaryOp::Mul, power.clone(), power, op_span)?;
        }
        if half {
            let root = self.sqrt_for_power(a.clone(), op_span)?;
            result = Some(match result {
                None => root,
                Some(r) => self.arith(BinaryOp::Mul, r, root, op_span)?,
            });
        }
        let result = match result {
            Some(r) => r,
            None => self.map(
                Fun::OnesLike,
                Rule::SameNumeric,
                "ones_like",
                vec![a],
                op_span,
            )?,
        };
        if twice < 0 {
            let one = Val::Py(PyValue::Int(BigInt::from(1)), exp_span);
            return self.arith(BinaryOp::Div, one, result, op_span);
        }
        Ok(result)
    }

    /// The `sqrt` of a half-integral power: ints compute in float64; a bool base is refused
    /// (numexpr has no `sqrt` for bool there).
    fn sqrt_for_power(&mut self, a: Val, op_span: Span) -> Result<Val, Error> {
        let k = self.common_kind(&[&a], op_span, "operator `**`")?;
        if k == DType::Bool || k.is_bytes() {
            return Err(type_error(
                op_span,
                format!("operator `**` is not defined for {k} operands"),
            ));
        }
        self.map(Fun::Sqrt, Rule::Float, "sqrt", vec![a], op_span)
    }

    fn compare_chain(
        &mut self,
        operands: Vec<Val>,
        rest: &[(CompareOp, Span, &Expr<'_>)],
        span: Span,
    ) -> Result<Val, Error> {
        let mut result: Option<Val> = None;
        for (i, (op, op_span, _)) in rest.iter().enumerate() {
            let c = self.compare(
                *op,
                operands[i].clone(),
                operands[i + 1].clone(),
                *op_span,
                span,
            )?;
            result = Some(match result {
                None => c,
                Some(r) => self.binary(BinaryOp::BitAnd, r, c, *op_span, span)?,
            });
        }
        result.ok_or_else(|| Error::new(ErrorKind::Internal, "empty comparison chain"))
    }

    fn compare(
        &mut self,
        op: CompareOp,
        a: Val,
        b: Val,
        op_span: Span,
        span: Span,
    ) -> Result<Val, Error> {
        reject_none(&[&a, &b])?;
        if let (Val::Py(x, _), Val::Py(y, _)) = (&a, &b) {
            let r = PyValue::compare(op, x, y).map_err(fold(op_span))?;
            return Ok(Val::Py(PyValue::Bool(r), span));
        }
        let (fun, sym) = match op {
            CompareOp::Lt => (Fun::Lt, "<"),
            CompareOp::Le => (Fun::Le, "<="),
            CompareOp::Gt => (Fun::Gt, ">"),
            CompareOp::Ge => (Fun::Ge, ">="),
            CompareOp::Eq => (Fun::Eq, "=="),
            CompareOp::Ne => (Fun::Ne, "!="),
        };
        let k = self.common_kind(&[&a, &b], op_span, &format!("comparison `{sym}`"))?;
        let x = self.coerce(a, k)?;
        let y = self.coerce(b, k)?;
        let kinds = [self.dtype(x), self.dtype(y)];
        let Some(result) = fun.signature(&kinds) else {
            return Err(type_error(
                op_span,
                format!("comparison `{sym}` is not defined for {k} operands"),
            ));
        };
        Ok(Val::Node(self.push(
            Op::Map(fun),
            result,
            vec![x, y],
            op_span,
        )))
    }

    /// `where(cond, x, y)` (also `x if cond else y`): never folded here, so the result kind
    /// is always the common kind of `x` and `y`.
    fn where_(&mut self, cond: Val, x: Val, y: Val, span: Span) -> Result<Val, Error> {
        let cond_span = self.val_span(&cond).unwrap_or(span);
        if self.kind(&cond) != Some(DType::Bool) {
            return Err(type_error(
                cond_span,
                format!(
                    "the condition of `where` must be bool, not {}",
                    opt_kind(self.kind(&cond))
                ),
            ));
        }
        let k = self.common_kind(&[&x, &y], span, "`where`")?;
        let c = self.coerce(cond, DType::Bool)?;
        let x = self.coerce(x, k)?;
        let y = self.coerce(y, k)?;
        let kinds = [DType::Bool, self.dtype(x), self.dtype(y)];
        let result = Fun::Where
            .signature(&kinds)
            .ok_or_else(|| type_error(span, format!("`where` is not defined for {k}")))?;
        Ok(Val::Node(self.push(
            Op::Map(Fun::Where),
            result,
            vec![c, x, y],
            span,
        )))
    }

    fn val_span(&self, v: &Val) -> Option<Span> {
        match v {
            Val::Py(_, s) | Val::None(s) => Some(*s),
            Val::Node(id) => Some(self.nodes[*id as usize].span),
        }
    }

    /// An element-wise function of typed arguments.
    fn map(
        &mut self,
        fun: Fun,
        rule: Rule,
        name: &str,
        args: Vec<Val>,
        span: Span,
    ) -> Result<Val, Error> {
        let refs: Vec<&Val> = args.iter().collect();
        let k = self.common_kind(&refs, span, &format!("`{name}`"))?;
        let operand = rule.operand(k);
        let kinds: Option<Vec<DType>> = operand.map(|o| match o {
            DType::Bytes(_) => args.iter().map(|a| self.kind(a).unwrap_or(o)).collect(),
            _ => vec![o; args.len()],
        });
        let result = kinds.as_ref().and_then(|ks| fun.signature(ks));
        let (Some(operand), Some(result)) = (operand, result) else {
            return Err(type_error(span, format!("`{name}` is not defined for {k}")));
        };
        let mut ids = Vec::with_capacity(args.len());
        for a in args {
            ids.push(self.coerce(a, operand)?);
        }
        Ok(Val::Node(self.push(Op::Map(fun), result, ids, span)))
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        span: Span,
        arg_exprs: &[&Expr<'_>],
        args: Vec<Val>,
        kwargs: &[Kwarg<'_>],
        kw_vals: Vec<Val>,
    ) -> Result<Val, Error> {
        let Some(f) = function::lookup(name) else {
            let mut msg = format!("unknown function `{name}`");
            if self.sig.get(name).is_some() {
                msg = format!("`{name}` is a variable, not a function");
            } else if let Some(s) = suggest(name, function::NAMES.iter().copied()) {
                msg += &format!("; did you mean `{s}`?");
            }
            return Err(Error::at(ErrorKind::UnknownFunction, name_span, msg));
        };
        if let Function::Reduce(op) = f {
            return self.reduce(op, name, name_span, span, arg_exprs, args, kwargs, kw_vals);
        }
        if let Some(k) = kwargs.first() {
            return Err(Error::at(
                ErrorKind::Arity,
                k.name_span,
                format!("`{name}` takes no keyword arguments"),
            ));
        }
        if args.len() != f.arity() {
            return Err(arity_error(name, name_span, f.arity(), args.len()));
        }
        match f {
            Function::Copy => Ok(args.into_iter().next().unwrap_or(Val::None(span))),
            Function::Where => {
                let mut it = args.into_iter();
                let (c, x, y) = (next(&mut it)?, next(&mut it)?, next(&mut it)?);
                self.where_(c, x, y, name_span)
            }
            Function::Map(fun, rule) => self.map(fun, rule, name, args, name_span),
            Function::Reduce(_) => Err(Error::new(ErrorKind::Internal, "unreachable")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn reduce(
        &mut self,
        op: ReduceOp,
        name: &str,
        name_span: Span,
        span: Span,
        arg_exprs: &[&Expr<'_>],
        args: Vec<Val>,
        kwargs: &[Kwarg<'_>],
        kw_vals: Vec<Val>,
    ) -> Result<Val, Error> {
        if args.is_empty() || args.len() > 2 {
            return Err(Error::at(
                ErrorKind::Arity,
                name_span,
                format!(
                    "`{name}` takes an array and an optional axis, got {} positional arguments",
                    args.len()
                ),
            ));
        }
        let mut axis_val: Option<(Val, Span)> = None;
        if args.len() == 2 {
            axis_val = Some((args[1].clone(), arg_exprs[1].span));
        }
        let mut keepdims = false;
        let mut ddof: Option<i64> = None;
        let takes_ddof = matches!(op, ReduceOp::Var { .. } | ReduceOp::Std { .. });
        for (k, v) in kwargs.iter().zip(kw_vals) {
            let twice = || {
                Error::at(
                    ErrorKind::Arity,
                    k.name_span,
                    format!("`{name}` got `{}` twice", k.name),
                )
            };
            match k.name {
                "axis" if axis_val.is_some() => return Err(twice()),
                "axis" => axis_val = Some((v, k.value.span)),
                "keepdims" => match v {
                    Val::Py(PyValue::Bool(b), _) => keepdims = b,
                    _ => {
                        return Err(Error::at(
                            ErrorKind::Type,
                            k.value.span,
                            "`keepdims` must be True or False",
                        ));
                    }
                },
                "ddof" if takes_ddof && ddof.is_some() => return Err(twice()),
                "ddof" if takes_ddof => match v {
                    Val::Py(PyValue::Int(i), _) => {
                        ddof = Some(i.to_i64().ok_or_else(|| {
                            Error::at(ErrorKind::Type, k.value.span, "`ddof` is too large")
                        })?);
                    }
                    _ => {
                        return Err(Error::at(
                            ErrorKind::Type,
                            k.value.span,
                            "`ddof` must be an integer constant",
                        ));
                    }
                },
                _ => {
                    return Err(Error::at(
                        ErrorKind::Arity,
                        k.name_span,
                        format!("`{name}` has no keyword argument `{}`", k.name),
                    ));
                }
            }
        }
        let op = match op {
            ReduceOp::Var { .. } => ReduceOp::Var {
                ddof: ddof.unwrap_or(0),
            },
            ReduceOp::Std { .. } => ReduceOp::Std {
                ddof: ddof.unwrap_or(0),
            },
            other => other,
        };
        let axis = match axis_val {
            None | Some((Val::None(_), _)) => None,
            Some((Val::Py(PyValue::Int(i), _), s)) => Some(
                i.to_i64()
                    .filter(|a| a.unsigned_abs() <= limits::MAX_DIMS as u64)
                    .ok_or_else(|| {
                        Error::at(ErrorKind::Axis, s, format!("axis {i} is out of bounds"))
                    })?,
            ),
            Some((_, s)) => {
                return Err(Error::at(
                    ErrorKind::Axis,
                    s,
                    "the axis must be an integer constant or None",
                ));
            }
        };
        let x = args.into_iter().next().unwrap_or(Val::None(span));
        let k = self.common_kind(&[&x], name_span, &format!("`{name}`"))?;
        let Some(operand) = function::reduce_operand(op, k) else {
            return Err(type_error(
                name_span,
                format!("`{name}` is not defined for {k}"),
            ));
        };
        let id = self.coerce(x, operand)?;
        let result = op
            .signature(operand)
            .ok_or_else(|| type_error(name_span, format!("`{name}` is not defined for {k}")))?;
        Ok(Val::Node(self.push(
            Op::Reduce(op, axis, keepdims),
            result,
            vec![id],
            name_span,
        )))
    }
}

fn arity_error(name: &str, span: Span, want: usize, got: usize) -> Error {
    let plural = if want == 1 { "" } else { "s" };
    Error::at(
        ErrorKind::Arity,
        span,
        format!("`{name}` takes {want} argument{plural}, got {got}"),
    )
}

fn symbol(op: BinaryOp) -> &'static str {
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

fn opt_kind(k: Option<DType>) -> String {
    k.map_or_else(|| "None".to_string(), |k| k.to_string())
}

fn list_kinds(kinds: &[DType]) -> String {
    kinds
        .iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `name` within a small edit distance, for "did you mean".
fn suggest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let budget = match name.len() {
        0..=2 => return None,
        3..=5 => 1,
        _ => 2,
    };
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= budget)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Scalar;
    use DType::{Bool as B, Complex128 as C, Float32 as F, Float64 as D, Int32 as I, Int64 as L};
    use bumpalo::Bump;

    /// Variables named by their kind: `b` bool, `i` int32, `l` int64, `f` float32, `d` float64,
    /// `c` complex128, `s` S3 and `t` S5 byte strings, and `i2`, `d2`, ... second copies.
    fn sig() -> Signature {
        let mut vars = Vec::new();
        for (name, dtype) in [
            ("b", B),
            ("i", I),
            ("l", L),
            ("f", F),
            ("d", D),
            ("c", C),
            ("s", DType::Bytes(3)),
            ("t", DType::Bytes(5)),
        ] {
            vars.push((name.to_string(), dtype));
            vars.push((format!("{name}2"), dtype));
        }
        Signature { vars }
    }

    fn lower_str(src: &str) -> Result<Hir, Error> {
        let arena = Bump::new();
        let source: Arc<str> = Arc::from(src);
        let ast = crate::syntax::parse(src, &arena)?;
        lower(ast, &source, &sig())
    }

    fn dtype_of(src: &str) -> Result<DType, ErrorKind> {
        lower_str(src).map(|h| h.dtype()).map_err(|e| e.kind())
    }

    /// The value of an expression that folds to one constant.
    fn constant(src: &str) -> Scalar {
        let hir = lower_str(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        match &hir.root().op {
            Op::Const(s) => s.clone(),
            op => panic!("{src}: not a constant: {op:?}"),
        }
    }

    #[track_caller]
    fn check(rows: &[(&str, Result<DType, ErrorKind>)]) {
        for (src, want) in rows {
            assert_eq!(dtype_of(src), *want, "{src}");
        }
    }

    use ErrorKind::{Arity, Axis, Overflow, Type, UnknownFunction, UnknownVariable, ZeroDivision};

    #[test]
    fn binary_operations_take_the_highest_rank() {
        check(&[
            ("i + l", Ok(L)),
            ("i + f", Ok(F)),
            ("l * f", Ok(F)),
            ("f - d", Ok(D)),
            ("d + c", Ok(C)),
            ("b + i", Ok(I)),
            ("b * d", Ok(D)),
            ("l % i", Ok(L)),
            ("i // f", Ok(F)),
            ("l & i", Ok(L)),
            ("b | i", Ok(I)),
            ("i << l", Ok(L)),
        ]);
    }

    #[test]
    fn literals_are_typed_by_value_and_retyped_by_their_use() {
        check(&[
            ("f + 0.5", Ok(D)),
            ("f + 2", Ok(F)),
            ("f + 2147483648", Ok(F)),
            ("i + 2147483647", Ok(I)),
            ("i + 2147483648", Ok(L)),
            ("i + -2147483648", Ok(I)),
            ("i + True", Ok(I)),
            ("b + True", Ok(B)),
            ("i + 1j", Ok(C)),
            ("d + 10**20", Ok(D)),
            ("f + 10**20", Ok(F)),
            ("i + 10**20", Err(Overflow)),
            ("b + 10**20", Err(Overflow)),
            ("i + 9223372036854775808", Err(Overflow)),
            ("i + 3000000000 - 3000000000", Ok(L)),
            ("i + (3000000000 - 3000000000)", Ok(I)),
            ("i + 2**-1", Ok(D)),
            ("f * (1/3)", Ok(D)),
            ("i + 1/0", Err(ZeroDivision)),
            ("d + 1 % 0", Err(ZeroDivision)),
        ]);
    }

    #[test]
    fn constant_expressions_fold_with_python_semantics() {
        assert_eq!(constant("1 + 2"), Scalar::Int32(3));
        assert_eq!(constant("3000000000 - 3000000000"), Scalar::Int32(0));
        assert_eq!(constant("3000000000"), Scalar::Int64(3_000_000_000));
        assert_eq!(constant("-2147483648"), Scalar::Int32(i32::MIN));
        assert_eq!(constant("2 ** -1"), Scalar::Float64(0.5));
        assert_eq!(constant("-2**2"), Scalar::Int32(-4));
        assert_eq!(constant("(-2)**2"), Scalar::Int32(4));
        assert_eq!(constant("2**3**2"), Scalar::Int32(512));
        assert_eq!(constant("-7 // 2"), Scalar::Int32(-4));
        assert_eq!(constant("7 % -3"), Scalar::Int32(-2));
        assert_eq!(constant("True + True"), Scalar::Int32(2));
        assert_eq!(constant("True & False"), Scalar::Bool(false));
        assert_eq!(constant("~5"), Scalar::Int32(-6));
        assert_eq!(constant("1 < 2 < 3"), Scalar::Bool(true));
        assert_eq!(constant("1 < 2 > 3"), Scalar::Bool(false));
        assert_eq!(constant("not True"), Scalar::Bool(false));
        assert_eq!(constant("True and not False"), Scalar::Bool(true));
        assert_eq!(constant("1.5.real"), Scalar::Float64(1.5));
        assert_eq!(constant("(1+2j).imag"), Scalar::Float64(2.0));
        assert_eq!(constant("'ab'"), Scalar::Bytes(b"ab".to_vec()));
        assert_eq!(dtype_of("2 ** 63"), Err(Overflow));
        assert_eq!(dtype_of("1 and 2"), Err(Type));
        assert_eq!(dtype_of("not 1"), Err(Type));
        assert_eq!(dtype_of("None"), Err(Type));
        assert_eq!(dtype_of("d + None"), Err(Type));
    }

    #[test]
    fn bool_arithmetic_is_logic_or_an_error() {
        check(&[
            ("b + b2", Ok(B)),
            ("b * b2", Ok(B)),
            ("b - b2", Err(Type)),
            ("-b", Err(Type)),
            ("b // b2", Err(Type)),
            ("b % b2", Err(Type)),
            ("b ** b2", Err(Type)),
            ("b << b2", Err(Type)),
            ("b / b2", Ok(D)),
            ("~b", Ok(B)),
            ("b ^ b2", Ok(B)),
        ]);
        let hir = lower_str("b + b2").unwrap();
        assert_eq!(hir.root().op, Op::Map(Fun::Or));
        let hir = lower_str("b * b2").unwrap();
        assert_eq!(hir.root().op, Op::Map(Fun::And));
    }

    #[test]
    fn division_gives_a_float() {
        check(&[
            ("i / i2", Ok(D)),
            ("l / i", Ok(D)),
            ("f / f2", Ok(F)),
            ("f / 2", Ok(F)),
            ("f / 2.0", Ok(D)),
            ("c / 2", Ok(C)),
            ("i // i2", Ok(I)),
            ("c // c2", Err(Type)),
            ("c % 3", Err(Type)),
        ]);
    }

    #[test]
    fn operators_not_defined_for_a_kind_are_type_errors() {
        check(&[
            ("f & f2", Err(Type)),
            ("d | 3", Err(Type)),
            ("~d", Err(Type)),
            ("d << 1", Err(Type)),
            ("c < c2", Err(Type)),
            ("c >= 1", Err(Type)),
            ("c == c2", Ok(B)),
            ("c != 1", Ok(B)),
            ("s + t", Err(Type)),
            ("-s", Err(Type)),
            ("~s", Err(Type)),
            ("s * 2", Err(Type)),
            ("s == 1", Err(Type)),
            ("s < d", Err(Type)),
            ("s == t", Ok(B)),
            ("s < 'ab'", Ok(B)),
            ("'ab' >= t", Ok(B)),
            ("2.5 & i", Err(Type)),
            ("1.5 & 2", Err(Type)),
        ]);
    }

    #[test]
    fn reflected_operators_work() {
        check(&[
            ("2.5 // d", Ok(D)),
            ("3 // i", Ok(I)),
            ("1 | i", Ok(I)),
            ("7 ^ l", Ok(L)),
            ("2 ** i", Ok(I)),
            ("2 ** d", Ok(D)),
            ("2.5 % f", Ok(D)),
        ]);
    }

    #[test]
    fn constant_exponents_expand_like_numexpr() {
        check(&[
            ("i ** 2.0", Ok(I)),
            ("i ** 2", Ok(I)),
            ("i ** 3", Ok(I)),
            ("i ** 0", Ok(I)),
            ("i ** 1", Ok(I)),
            ("i ** 0.5", Ok(D)),
            ("i ** 2.5", Ok(D)),
            ("i ** -1.0", Ok(D)),
            ("i ** -1", Err(Type)),
            ("i ** (-2)", Err(Type)),
            ("l ** -3", Err(Type)),
            ("i ** 60", Ok(I)),
            ("f ** 2", Ok(F)),
            ("f ** -2", Ok(F)),
            ("f ** 0.5", Ok(F)),
            ("f ** 1.3", Ok(D)),
            ("d ** -1", Ok(D)),
            ("b ** 2", Ok(B)),
            ("b ** 3", Ok(B)),
            ("b ** -1", Ok(D)),
            ("b ** 0.5", Err(Type)),
            ("b ** 0", Err(Type)),
            ("c ** 2", Ok(C)),
            ("d ** i", Ok(D)),
        ]);
        // x**4 is (x*x)*(x*x): two multiplications, sharing x*x.
        let hir = lower_str("d ** 4").unwrap();
        let muls = hir
            .nodes
            .iter()
            .filter(|n| n.op == Op::Map(Fun::Mul))
            .count();
        assert_eq!(muls, 2);
        assert!(hir.nodes.iter().all(|n| n.op != Op::Map(Fun::Pow)));
        // x**0.5 is sqrt(x); x**0 is ones_like(x); x**-1 is 1/x.
        assert_eq!(lower_str("d ** 0.5").unwrap().root().op, Op::Map(Fun::Sqrt));
        assert_eq!(
            lower_str("d ** 0").unwrap().root().op,
            Op::Map(Fun::OnesLike)
        );
        assert_eq!(lower_str("d ** -1").unwrap().root().op, Op::Map(Fun::Div));
        assert_eq!(lower_str("d ** 51").unwrap().root().op, Op::Map(Fun::Pow));
        assert_eq!(lower_str("d ** 1").unwrap().root().op, Op::Input(0));
    }

    #[test]
    fn comparisons_chain_and_follow_python_precedence() {
        check(&[
            ("d < d2 < f", Ok(B)),
            ("d == d2 == f", Ok(B)),
            ("i < d < 3", Ok(B)),
            ("d < d2 & b", Err(Type)),
            ("(d < d2) & b", Ok(B)),
            ("b < b2 & b", Ok(B)),
        ]);
        // a < b < c reads b once.
        let hir = lower_str("d < d2 < f").unwrap();
        let inputs = hir
            .nodes
            .iter()
            .filter(|n| matches!(n.op, Op::Input(_)))
            .count();
        assert_eq!(inputs, 3);
    }

    #[test]
    fn logical_keywords_need_bools() {
        check(&[
            ("b and b2", Ok(B)),
            ("b or d < 1", Ok(B)),
            ("not b", Ok(B)),
            ("not i", Err(Type)),
            ("i and b", Err(Type)),
            ("b or 1", Err(Type)),
            ("d if b else i", Ok(D)),
            ("1 if b else 2.5", Ok(D)),
            ("s if b else t", Ok(DType::Bytes(5))),
            ("d if i else d2", Err(Type)),
            ("d if 1 else d2", Err(Type)),
        ]);
    }

    #[test]
    fn where_takes_the_common_kind_of_its_branches() {
        check(&[
            ("where(b, i, d)", Ok(D)),
            ("where(b, 1, 2)", Ok(I)),
            ("where(b, 1, 2.5)", Ok(D)),
            ("where(True, i, d)", Ok(D)),
            ("where(True, 1, 2)", Ok(I)),
            ("where(b, s, t)", Ok(DType::Bytes(5))),
            ("where(b, 'a', 'bcd')", Ok(DType::Bytes(3))),
            ("where(b, s, 1)", Err(Type)),
            ("where(i, 1, 2)", Err(Type)),
            ("where(d, 1, 2)", Err(Type)),
            ("where(0, d, 2)", Err(Type)),
            ("where(b, d)", Err(Arity)),
            ("where(b, d, d, d)", Err(Arity)),
        ]);
    }

    #[test]
    fn functions_follow_the_spec_table() {
        check(&[
            ("sin(i)", Ok(D)),
            ("sqrt(b)", Ok(F)),
            ("exp(f)", Ok(F)),
            ("log(c)", Ok(C)),
            ("abs(i)", Ok(I)),
            ("abs(l)", Ok(L)),
            ("abs(b)", Ok(F)),
            ("abs(c)", Ok(C)),
            ("floor(c)", Err(Type)),
            ("round(f)", Ok(D)),
            ("sign(i)", Ok(I)),
            ("trunc(i)", Ok(D)),
            ("trunc(c)", Err(Type)),
            ("real(c)", Ok(D)),
            ("imag(i)", Ok(D)),
            ("c.real", Ok(D)),
            ("f.imag", Ok(D)),
            ("conj(d)", Ok(C)),
            ("conj(i)", Ok(D)),
            ("conj(b)", Ok(C)),
            ("isnan(i)", Ok(B)),
            ("signbit(c)", Err(Type)),
            ("ones_like(b)", Err(Type)),
            ("ones_like(f)", Ok(F)),
            ("copy(s)", Ok(DType::Bytes(3))),
            ("copy(l)", Ok(L)),
            ("arctan2(f, f2)", Ok(F)),
            ("arctan2(i, f)", Ok(F)),
            ("fmod(i, l)", Ok(D)),
            ("arctan2(c, c2)", Err(Type)),
            ("hypot(f, f2)", Ok(D)),
            ("maximum(i, i2)", Ok(D)),
            ("minimum(c, c2)", Err(Type)),
            ("complex(i, i2)", Ok(C)),
            ("complex(f, d)", Ok(C)),
            ("complex(c, d)", Err(Type)),
            ("contains(s, 'ab')", Ok(B)),
            ("contains(s, t)", Ok(B)),
            ("contains(i, i2)", Err(Type)),
            ("contains(s, 1)", Err(Type)),
            ("sin(s)", Err(Type)),
            ("sqrt(4)", Ok(D)),
            ("i + abs(-3)", Ok(I)),
            ("f + sqrt(4)", Ok(D)),
        ]);
    }

    #[test]
    fn calls_are_checked() {
        check(&[
            ("sin()", Err(Arity)),
            ("sin(d, d2)", Err(Arity)),
            ("arctan2(d)", Err(Arity)),
            ("log(d, 10)", Err(Arity)),
            ("sin(x=d)", Err(Arity)),
            ("foo(d)", Err(UnknownFunction)),
            ("pow(d, 2)", Err(UnknownFunction)),
            ("mean(d)", Ok(D)),
            ("median(d)", Err(UnknownFunction)),
            ("d(1)", Err(UnknownFunction)),
            ("q + 1", Err(UnknownVariable)),
            ("inf", Err(UnknownVariable)),
        ]);
        let e = lower_str("sinn(d)").unwrap_err();
        assert_eq!(e.message(), "unknown function `sinn`; did you mean `sin`?");
        assert_eq!(e.span(), Some(Span::new(0, 4)));
        let e = lower_str("d + q * 2").unwrap_err();
        assert_eq!(e.message(), "unknown variable `q`");
        assert_eq!(e.span(), Some(Span::new(4, 5)));
        let e = lower_str("sum + 1").unwrap_err();
        assert!(e.message().contains("is a function"), "{}", e.message());
    }

    #[test]
    fn reductions_are_typed_anywhere() {
        check(&[
            ("sum(i)", Ok(I)),
            ("sum(b)", Ok(L)),
            ("sum(d > 0)", Ok(L)),
            ("prod(l)", Ok(L)),
            ("prod(c)", Ok(C)),
            ("prod(b)", Err(Type)),
            ("min(i)", Ok(I)),
            ("max(f, axis=0)", Ok(F)),
            ("min(c)", Err(Type)),
            ("max(b)", Err(Type)),
            ("sum(s)", Err(Type)),
            ("any(b)", Ok(B)),
            ("all(d < 1, axis=-1)", Ok(B)),
            ("any(d)", Err(Type)),
            ("sum(3)", Ok(I)),
            ("sum(d, 1)", Ok(D)),
            ("sum(d, axis=None)", Ok(D)),
            ("sum(d, axis=1.5)", Err(Axis)),
            ("sum(d, axis=d2)", Err(Axis)),
            ("sum(d, axis=True)", Err(Axis)),
            ("sum(d, 0, 1)", Err(Arity)),
            ("sum()", Err(Arity)),
            ("sum(d, keepdims=1)", Err(Type)),
            ("sum(d, keepdims=True)", Ok(D)),
            ("sum(d, axis=0, keepdims=False)", Ok(D)),
            ("sum(d, ddof=1)", Err(Arity)),
            ("sum(d, 0, axis=1)", Err(Arity)),
            ("sum(d) + 1", Ok(D)),
            ("sum(sum(d))", Ok(D)),
            ("sin(sum(d))", Ok(D)),
            ("d - sum(i)", Ok(D)),
            ("i - sum(i)", Ok(I)),
            ("+sum(d)", Ok(D)),
            ("mean(i)", Ok(D)),
            ("mean(b)", Ok(D)),
            ("mean(f)", Ok(F)),
            ("mean(c)", Ok(C)),
            ("var(c)", Ok(D)),
            ("std(f, ddof=1)", Ok(F)),
            ("var(l, axis=0, ddof=-1, keepdims=True)", Ok(D)),
            ("var(d, ddof=1.5)", Err(Type)),
            ("var(d, ddof=d)", Err(Type)),
            ("var(d, ddof=1, ddof=2)", Err(ErrorKind::Syntax)),
            ("mean(d, ddof=1)", Err(Arity)),
            ("mean(s)", Err(Type)),
            ("d - mean(d, axis=1, keepdims=True)", Ok(D)),
        ]);
        let hir = lower_str("sum(d, axis=-2)").unwrap();
        assert_eq!(hir.root().op, Op::Reduce(ReduceOp::Sum, Some(-2), false));
        let hir = lower_str("std(d, 1, ddof=2, keepdims=True)").unwrap();
        assert_eq!(
            hir.root().op,
            Op::Reduce(ReduceOp::Std { ddof: 2 }, Some(1), true)
        );
    }

    #[test]
    fn variables_are_read_once_and_limited() {
        let hir = lower_str("d + d * d").unwrap();
        assert_eq!(hir.inputs.len(), 1);
        assert_eq!(
            hir.nodes
                .iter()
                .filter(|n| matches!(n.op, Op::Input(_)))
                .count(),
            1
        );
        let names = |n: usize| (0..n).map(|k| format!("v{k}")).collect::<Vec<_>>();
        let many = |n: usize| {
            let sig = Signature {
                vars: names(n).into_iter().map(|v| (v, D)).collect(),
            };
            let src = names(n).join(" + ");
            let arena = Bump::new();
            let source: Arc<str> = Arc::from(src.as_str());
            let ast = crate::syntax::parse(&src, &arena)?;
            lower(ast, &source, &sig).map(|h| h.inputs.len())
        };
        assert_eq!(
            many(limits::MAX_VARIABLES).ok(),
            Some(limits::MAX_VARIABLES)
        );
        assert_eq!(
            many(limits::MAX_VARIABLES + 1).map_err(|e| e.kind()),
            Err(ErrorKind::Limit)
        );
    }

    #[test]
    fn deep_trees_lower_without_recursion() {
        let run = || {
            let flat = vec!["d"; 100_000].join("+");
            assert_eq!(dtype_of(&flat), Ok(D));
            let unary = format!("{}d", "-".repeat(100_000));
            assert_eq!(dtype_of(&unary), Ok(D));
            let powers = vec!["d"; 50_000].join("**");
            assert_eq!(dtype_of(&powers), Ok(D));
            let nots = format!("{}b", "not ".repeat(50_000));
            assert_eq!(dtype_of(&nots), Ok(B));
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }
}
