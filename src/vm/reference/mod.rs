//! The reference evaluator: plain, obviously-correct whole-array code for every node of a
//! [`Hir`]. It is the oracle the fast VM is tested against.
//!
//! In: a validated HIR and one array per input slot, of the slot's dtype, with any strides
//! (negative, non-contiguous, broadcast, Fortran order). Out: the expression's value as an
//! owned, C-ordered [`Array`] of the result shape (the broadcast of all inputs, less a
//! root reduction's axis), or the first error.
//!
//! The nodes are evaluated in order, NumPy style: each node's value is a whole n-d array of
//! its own broadcast shape ([`shape::plan`]), inputs are borrowed, and a value is dropped
//! after its last use. Element semantics live in one table per kind: [`scalar`] (bool,
//! integers, floats), [`complex`], [`bytes`], [`reduce`]; this module only casts, broadcasts
//! and maps those functions over arrays, in logical order through ndarray's iterators (no
//! raw pointers, no `unsafe`). Allocations are fallible ([`ErrorKind::Memory`]).

mod bytes;
pub(crate) mod complex;
mod reduce;
pub(crate) mod scalar;
#[cfg(test)]
mod tests;

use ndarray::{ArrayD, ArrayViewD, CowArray, IxDyn};
use num_complex::Complex64;

use crate::array::{Array, ArrayRef, BytesArray};
use crate::dtype::{DType, Scalar};
use crate::error::{Error, ErrorKind};
use crate::hir::shape::{self, ShapePlan};
use crate::hir::{Fun, Hir, Node, Op};

/// A node's value: an n-d array of the node's shape (inputs borrowed, results owned).
type Value<'a> = ArrayRef<'a>;

/// Evaluate `hir`; `inputs[k]` is the value of `hir.inputs[k]` (same dtype).
pub(crate) fn evaluate(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Result<Array, Error> {
    hir.validate()?;
    check_inputs(hir, inputs)?;
    let input_shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
    let plan = shape::plan(hir, &input_shapes)?;
    // The last node that reads each node, so its value can be dropped after that.
    let mut last_use: Vec<usize> = (0..hir.nodes.len()).collect();
    for (i, node) in hir.nodes.iter().enumerate() {
        for &a in &node.args {
            if let Some(slot) = last_use.get_mut(a as usize) {
                *slot = i;
            }
        }
    }
    let root = hir.nodes.len() - 1;
    let mut values: Vec<Option<Value<'_>>> = Vec::with_capacity(hir.nodes.len());
    for (i, node) in hir.nodes.iter().enumerate() {
        let value = eval_node(node, i == root, &values, inputs, &plan, i)?;
        if value.dtype() != node.dtype {
            return Err(internal(&format!(
                "node {i} computed {} instead of {}",
                value.dtype(),
                node.dtype
            )));
        }
        values.push(Some(value));
        for &a in &node.args {
            let a = a as usize;
            if last_use.get(a) == Some(&i)
                && a != root
                && let Some(v) = values.get_mut(a)
            {
                *v = None;
            }
        }
    }
    let value = values
        .pop()
        .flatten()
        .ok_or_else(|| internal("no result"))?;
    into_result(value, &plan.result)
}

/// The inputs match the slots in number and dtype (the API guarantees it; a mismatch is a bug).
fn check_inputs(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Result<(), Error> {
    if inputs.len() != hir.inputs.len() {
        return Err(internal(&format!(
            "{} inputs for {} input slots",
            inputs.len(),
            hir.inputs.len()
        )));
    }
    for (slot, input) in hir.inputs.iter().zip(inputs) {
        if input.dtype() != slot.dtype {
            return Err(internal(&format!(
                "input `{}` is {} but its slot is {}",
                slot.name,
                input.dtype(),
                slot.dtype
            )));
        }
    }
    Ok(())
}

/// The value of node `i`, from the values of the nodes before it.
fn eval_node<'a>(
    node: &Node,
    is_root: bool,
    values: &[Option<Value<'a>>],
    inputs: &'a [ArrayRef<'_>],
    plan: &ShapePlan,
    i: usize,
) -> Result<Value<'a>, Error> {
    let mut args: Vec<&Value<'a>> = Vec::with_capacity(node.args.len());
    for &a in &node.args {
        let v = values.get(a as usize).and_then(Option::as_ref);
        args.push(v.ok_or_else(|| internal(&format!("node {i} reads a dropped value")))?);
    }
    let shape = plan
        .nodes
        .get(i)
        .ok_or_else(|| internal("no shape for a node"))?;
    match (&node.op, args.as_slice()) {
        (&Op::Input(k), []) => inputs
            .get(k as usize)
            .map(ArrayRef::view)
            .ok_or_else(|| internal(&format!("no input {k}"))),
        (Op::Const(value), []) => Ok(constant(value)),
        (Op::Cast, [arg]) => cast(arg, node.dtype),
        (&Op::Map(fun), args) => apply(fun, args, shape),
        (&Op::Reduce(op, axis, keepdims), [arg]) => {
            let value = if is_root {
                // The root reduces its argument broadcast to the outer inputs.
                let full = broadcast_view(arg, &plan.broadcast)?;
                reduce::reduce(op, &full, axis, node.span)?
            } else {
                reduce::reduce(op, arg, axis, node.span)?
            };
            if keepdims {
                with_shape(value, shape)
            } else {
                Ok(value)
            }
        }
        (op, args) => Err(internal(&format!("{op:?} with {} operands", args.len()))),
    }
}

/// An internal error: a broken invariant, never the user's input.
pub(super) fn internal(what: &str) -> Error {
    Error::new(ErrorKind::Internal, format!("reference evaluator: {what}"))
}

/// An empty vector with room for `n` elements, or a memory error.
pub(super) fn reserve<T>(n: usize) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::new(
            ErrorKind::Memory,
            format!("out of memory for an array of {n} elements"),
        )
    })?;
    Ok(v)
}

/// An array of `shape` filled from `items` in logical order.
fn collect<R>(
    shape: &[usize],
    items: impl ExactSizeIterator<Item = R>,
) -> Result<ArrayD<R>, Error> {
    let mut data = reserve(items.len())?;
    data.extend(items);
    ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|e| internal(&e.to_string()))
}

/// `a` broadcast to `shape` (a view), or an internal error: the shape pass checked it.
fn broadcast<'v, T>(
    a: &'v ndarray::ArrayRef<T, IxDyn>,
    shape: &[usize],
) -> Result<ArrayViewD<'v, T>, Error> {
    a.broadcast(IxDyn(shape)).ok_or_else(|| {
        internal(&format!(
            "cannot broadcast {} to {}",
            shape::format_shape(a.shape()),
            shape::format_shape(shape)
        ))
    })
}

/// `f` of each element of `a` broadcast to `shape`.
pub(super) fn map1<T: Clone, R>(
    a: ArrayViewD<'_, T>,
    shape: &[usize],
    f: impl Fn(T) -> R,
) -> Result<ArrayD<R>, Error> {
    let a = broadcast(&a, shape)?;
    collect(shape, a.iter().map(|x| f(x.clone())))
}

/// `f` of each pair of elements of `a` and `b` broadcast to `shape`.
pub(super) fn map2<T: Clone, U: Clone, R>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, U>,
    shape: &[usize],
    f: impl Fn(T, U) -> R,
) -> Result<ArrayD<R>, Error> {
    let (a, b) = (broadcast(&a, shape)?, broadcast(&b, shape)?);
    collect(
        shape,
        a.iter().zip(b.iter()).map(|(x, y)| f(x.clone(), y.clone())),
    )
}

/// `f` of each triple of elements of `a`, `b` and `c` broadcast to `shape`.
pub(super) fn map3<T: Clone, U: Clone, V: Clone, R>(
    a: ArrayViewD<'_, T>,
    b: ArrayViewD<'_, U>,
    c: ArrayViewD<'_, V>,
    shape: &[usize],
    f: impl Fn(T, U, V) -> R,
) -> Result<ArrayD<R>, Error> {
    let (a, b, c) = (
        broadcast(&a, shape)?,
        broadcast(&b, shape)?,
        broadcast(&c, shape)?,
    );
    collect(
        shape,
        a.iter()
            .zip(b.iter())
            .zip(c.iter())
            .map(|((x, y), z)| f(x.clone(), y.clone(), z.clone())),
    )
}

/// A constant as a 0-d array (a byte string: its bytes, at least one, as the item axis).
fn constant<'o>(value: &Scalar) -> Value<'o> {
    let zero_d = IxDyn(&[]);
    match value {
        Scalar::Bool(x) => Value::Bool(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Int32(x) => Value::Int32(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Int64(x) => Value::Int64(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Float32(x) => Value::Float32(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Float64(x) => Value::Float64(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Complex128(x) => Value::Complex128(ArrayD::from_elem(zero_d, *x).into()),
        Scalar::Bytes(b) => {
            let mut bytes = b.clone();
            if bytes.is_empty() {
                // The empty string has item size 1 (see `Scalar::dtype`).
                bytes.push(0);
            }
            let n = bytes.len();
            Value::Bytes(
                ArrayD::from_shape_vec(IxDyn(&[n]), bytes)
                    .map_or_else(|_| ArrayD::zeros(IxDyn(&[1])).into(), CowArray::from),
            )
        }
    }
}

/// `value` converted to `to`: one of the casts that [`crate::hir::cast_allowed`] allows
/// (bool as 0/1, wider ints, ints to floats rounding to nearest even, f32 to f64, reals to
/// complex with a zero imaginary part).
fn cast<'o>(value: &Value<'_>, to: DType) -> Result<Value<'o>, Error> {
    macro_rules! casts {
        ($($from:ident => $to:ident: $f:expr;)*) => {
            match (value, to) {
                $((Value::$from(a), DType::$to) => {
                    Ok(Value::$to(map1(a.view(), a.shape(), $f)?.into()))
                })*
                _ => Err(internal(&format!("no cast from {} to {to}", value.dtype()))),
            }
        };
    }
    let complex = |re: f64| Complex64::new(re, 0.0);
    casts! {
        Bool => Int32: i32::from;
        Bool => Int64: i64::from;
        Bool => Float32: f32::from;
        Bool => Float64: f64::from;
        Bool => Complex128: |x| complex(f64::from(x));
        Int32 => Int64: i64::from;
        Int32 => Float32: |x| x as f32;
        Int32 => Float64: f64::from;
        Int32 => Complex128: |x| complex(f64::from(x));
        Int64 => Float32: |x| x as f32;
        Int64 => Float64: |x| x as f64;
        Int64 => Complex128: |x| complex(x as f64);
        Float32 => Float64: f64::from;
        Float32 => Complex128: |x| complex(f64::from(x));
        Float64 => Complex128: complex;
    }
}

/// The elementwise operation `fun` of `args`, broadcast to `shape`.
fn apply<'o>(fun: Fun, args: &[&Value<'_>], shape: &[usize]) -> Result<Value<'o>, Error> {
    use Value as V;
    // Return the result of the kernel `$table` when the table has one for `fun`.
    macro_rules! kernel {
        ($table:expr, $out:ident, $map:ident($($a:expr),+)) => {
            if let Some(f) = $table {
                return Ok(V::$out($map($($a.view()),+, shape, f)?.into()));
            }
        };
    }
    match args {
        [V::Bool(a)] => kernel!(scalar::bool_unary(fun), Bool, map1(a)),
        [V::Int32(a)] => kernel!(scalar::i32_ops::unary(fun), Int32, map1(a)),
        [V::Int64(a)] => kernel!(scalar::i64_ops::unary(fun), Int64, map1(a)),
        [V::Float32(a)] => {
            kernel!(scalar::f32_ops::unary(fun), Float32, map1(a));
            kernel!(scalar::f32_ops::test(fun), Bool, map1(a));
        }
        [V::Float64(a)] => {
            kernel!(scalar::f64_ops::unary(fun), Float64, map1(a));
            kernel!(scalar::f64_ops::test(fun), Bool, map1(a));
        }
        [V::Complex128(a)] => {
            kernel!(complex::unary(fun), Complex128, map1(a));
            kernel!(complex::part(fun), Float64, map1(a));
            kernel!(complex::test(fun), Bool, map1(a));
        }
        [V::Bool(a), V::Bool(b)] => {
            kernel!(scalar::bool_binary(fun), Bool, map2(a, b));
            kernel!(scalar::compare::<bool>(fun), Bool, map2(a, b));
        }
        [V::Int32(a), V::Int32(b)] => {
            kernel!(scalar::i32_ops::binary(fun), Int32, map2(a, b));
            kernel!(scalar::compare::<i32>(fun), Bool, map2(a, b));
        }
        [V::Int64(a), V::Int64(b)] => {
            kernel!(scalar::i64_ops::binary(fun), Int64, map2(a, b));
            kernel!(scalar::compare::<i64>(fun), Bool, map2(a, b));
        }
        [V::Float32(a), V::Float32(b)] => {
            kernel!(scalar::f32_ops::binary(fun), Float32, map2(a, b));
            kernel!(scalar::compare::<f32>(fun), Bool, map2(a, b));
        }
        [V::Float64(a), V::Float64(b)] => {
            kernel!(scalar::f64_ops::binary(fun), Float64, map2(a, b));
            kernel!(scalar::compare::<f64>(fun), Bool, map2(a, b));
            let make: Option<fn(f64, f64) -> Complex64> =
                (fun == Fun::Complex).then_some(Complex64::new);
            kernel!(make, Complex128, map2(a, b));
        }
        [V::Complex128(a), V::Complex128(b)] => {
            kernel!(complex::binary(fun), Complex128, map2(a, b));
            kernel!(scalar::equality::<Complex64>(fun), Bool, map2(a, b));
        }
        [V::Bytes(a), V::Bytes(b)] => {
            if let Some(result) = bytes::binary(fun, a, b, shape) {
                return result;
            }
        }
        [V::Bool(c), x, y] if fun == Fun::Where => return select(c, x, y, shape),
        _ => {}
    }
    let kinds: Vec<String> = args.iter().map(|a| a.dtype().to_string()).collect();
    Err(internal(&format!(
        "no kernel {} for ({})",
        fun.name(),
        kinds.join(", ")
    )))
}

/// `where(c, x, y)`: `x` where `c` holds, else `y`, all three broadcast to `shape`.
fn select<'o>(
    c: &CowArray<'_, bool, IxDyn>,
    x: &Value<'_>,
    y: &Value<'_>,
    shape: &[usize],
) -> Result<Value<'o>, Error> {
    use Value as V;
    macro_rules! pick {
        ($($v:ident),*) => {
            match (x, y) {
                $((V::$v(x), V::$v(y)) => {
                    let f = |c: bool, x, y| if c { x } else { y };
                    Ok(V::$v(map3(c.view(), x.view(), y.view(), shape, f)?.into()))
                })*
                (V::Bytes(x), V::Bytes(y)) => bytes::select(c, x, y, shape),
                _ => Err(internal(&format!("where of {} and {}", x.dtype(), y.dtype()))),
            }
        };
    }
    pick!(Bool, Int32, Int64, Float32, Float64, Complex128)
}

/// `value` broadcast to `shape` (a view).
fn broadcast_view<'v>(value: &'v Value<'_>, shape: &[usize]) -> Result<Value<'v>, Error> {
    use Value as V;
    macro_rules! each {
        ($($v:ident),*) => {
            match value {
                $(V::$v(a) => V::$v(broadcast(a, shape)?.into()),)*
                V::Bytes(a) => {
                    let mut full = shape.to_vec();
                    full.push(a.shape().last().copied().unwrap_or(0));
                    V::Bytes(broadcast(a, &full)?.into())
                }
            }
        };
    }
    Ok(each!(Bool, Int32, Int64, Float32, Float64, Complex128))
}

/// A reduction's owned result reshaped to `shape`, the same elements with the reduced axes
/// kept as length 1 (`keepdims`).
fn with_shape<'o>(value: Value<'_>, shape: &[usize]) -> Result<Value<'o>, Error> {
    use Value as V;
    fn reshaped<T: Clone>(a: CowArray<'_, T, IxDyn>, shape: &[usize]) -> Result<ArrayD<T>, Error> {
        let data: Vec<T> = a.iter().cloned().collect();
        ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|e| internal(&e.to_string()))
    }
    Ok(match value {
        V::Bool(a) => V::Bool(reshaped(a, shape)?.into()),
        V::Int32(a) => V::Int32(reshaped(a, shape)?.into()),
        V::Int64(a) => V::Int64(reshaped(a, shape)?.into()),
        V::Float32(a) => V::Float32(reshaped(a, shape)?.into()),
        V::Float64(a) => V::Float64(reshaped(a, shape)?.into()),
        V::Complex128(a) => V::Complex128(reshaped(a, shape)?.into()),
        V::Bytes(_) => return Err(internal("a reduction of byte strings")),
    })
}

/// The final value as an owned C-ordered array of `shape` (moved when it already is one).
fn into_result(value: Value<'_>, shape: &[usize]) -> Result<Array, Error> {
    /// `a` as an owned standard-layout array of `shape`.
    fn owned<T: Clone>(a: CowArray<'_, T, IxDyn>, shape: &[usize]) -> Result<ArrayD<T>, Error> {
        if a.is_owned() && a.is_standard_layout() && a.shape() == shape {
            return Ok(a.into_owned());
        }
        map1(a.view(), shape, |x| x)
    }
    Ok(match value {
        Value::Bool(a) => Array::Bool(owned(a, shape)?),
        Value::Int32(a) => Array::Int32(owned(a, shape)?),
        Value::Int64(a) => Array::Int64(owned(a, shape)?),
        Value::Float32(a) => Array::Float32(owned(a, shape)?),
        Value::Float64(a) => Array::Float64(owned(a, shape)?),
        Value::Complex128(a) => Array::Complex128(owned(a, shape)?),
        Value::Bytes(a) => {
            let itemsize = a.shape().last().copied().unwrap_or(0);
            let mut full = shape.to_vec();
            full.push(itemsize);
            Array::Bytes(BytesArray {
                itemsize,
                data: owned(a, &full)?,
            })
        }
    })
}
