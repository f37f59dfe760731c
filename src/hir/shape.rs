//! The shape pass: the n-d shape of every node of a [`Hir`] for given input shapes, with
//! NumPy's broadcasting rules.
//!
//! In: a HIR and the shape of each of its input slots (`input_shapes[k]` for
//! `hir.inputs[k]`). Out: the shape of every node, of the expression's value, and the
//! broadcast of all inputs, checked together ([`plan`]; [`result`] for the API).
//! A constant is 0-d; an elementwise node has the broadcast shape of its arguments; a
//! reduction removes its axis (all axes when it has none), or keeps it with length 1
//! (`keepdims`).
//!
//! **Every input outside reductions participates in the result shape**, as in NumPy and
//! numexpr, even one that no node reads any more (an optimisation may drop a use but never
//! the broadcast): the value of an expression has the broadcast shape of its outer inputs
//! ([`outer_inputs`]) and of the reductions it reads, and a reduction at the root reduces its
//! argument broadcast to that shape. An input read only inside a reduction shapes that
//! reduction's argument: `sum(a) + b` has the shape of `b`.
//!
//! Errors carry the span of the node (or input slot) at fault: shapes that do not broadcast
//! ([`ErrorKind::Shape`]), a reduction axis out of range ([`ErrorKind::Axis`]), an input of
//! more than [`MAX_DIMS`] dimensions ([`ErrorKind::Limit`]) and a shape whose size does not fit
//! in memory addresses ([`ErrorKind::Memory`]). The pass is a loop over the nodes.

use super::{Hir, Node, Op};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind, Span};
use crate::limits::MAX_DIMS;

/// The shapes an evaluation needs, from [`plan`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ShapePlan {
    /// The shape of each node's value; the root's is the result shape.
    pub nodes: Vec<Vec<usize>>,
    /// The shape the VM iterates over: the broadcast of the outer inputs with the root (or,
    /// for a root reduction, with its argument: what it reduces).
    pub broadcast: Vec<usize>,
    /// The shape of the expression's value.
    pub result: Vec<usize>,
}

/// NumPy's broadcast of two shapes (aligned at the right; a dimension of 1 stretches, 0
/// included), or `None` when they do not broadcast.
pub(crate) fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let ndim = a.len().max(b.len());
    // Dimension `i` from the right, 1 where a shape has fewer dimensions.
    let dim = |s: &[usize], i: usize| s.len().checked_sub(i + 1).map_or(1, |j| s[j]);
    let mut out = vec![0; ndim];
    for i in 0..ndim {
        let (x, y) = (dim(a, i), dim(b, i));
        out[ndim - 1 - i] = match (x, y) {
            _ if x == y => x,
            (1, _) => y,
            (_, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// A shape as NumPy prints a tuple: `()`, `(3,)`, `(2,3)`.
pub(crate) fn format_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(","))
        }
    }
}

/// The axis `axis` (negative counts from the end) of an array of `ndim` dimensions, or `None`
/// when it is out of range.
pub(crate) fn normalize_axis(axis: i64, ndim: usize) -> Option<usize> {
    let ndim = i64::try_from(ndim).ok()?;
    let k = if axis < 0 { axis + ndim } else { axis };
    if (0..ndim).contains(&k) {
        usize::try_from(k).ok()
    } else {
        None
    }
}

/// Node shapes, the broadcast of all inputs and the result shape, checked together.
pub(crate) fn plan(hir: &Hir, input_shapes: &[&[usize]]) -> Result<ShapePlan, Error> {
    check_inputs(hir, input_shapes)?;
    let Some((root, inner)) = hir.nodes.split_last() else {
        return Err(Error::new(ErrorKind::Internal, "an empty HIR has no shape"));
    };
    let mut nodes: Vec<Vec<usize>> = Vec::with_capacity(hir.nodes.len());
    for node in inner {
        let shape = node_shape(node, &nodes, input_shapes)?;
        nodes.push(shape);
    }
    // The root's own operands first: a mismatch there has the most precise span.
    let own = match root.op {
        Op::Reduce(..) => None,
        _ => Some(node_shape(root, &nodes, input_shapes)?),
    };
    let outer = outer_inputs(hir);
    let mut broadcast: Vec<usize> = Vec::new();
    for (k, (slot, shape)) in hir.inputs.iter().zip(input_shapes).enumerate() {
        if outer[k] {
            broadcast = broadcast_or_error(slot.span, &[&broadcast, shape])?;
        }
    }
    let result = match (&root.op, own) {
        // A root reduction reduces its argument broadcast to the outer inputs (the argument's
        // own shape was checked in the loop above).
        (&Op::Reduce(op, axis, keepdims), _) => {
            let arg = root.args.first().and_then(|&a| nodes.get(a as usize));
            let arg =
                arg.ok_or_else(|| Error::new(ErrorKind::Internal, "a reduction without operand"))?;
            broadcast = broadcast_or_error(root.span, &[arg, &broadcast])?;
            let shape = reduce_shape(root, &broadcast, axis, keepdims)?;
            check_identity(
                op,
                axis.and_then(|a| normalize_axis(a, broadcast.len())),
                &broadcast,
                root.span,
            )?;
            shape
        }
        // Otherwise the root broadcasts with the outer inputs; its own shape is a broadcast of
        // some of them and of reductions' results.
        (_, own) => {
            broadcast = broadcast_or_error(root.span, &[&own.unwrap_or_default(), &broadcast])?;
            broadcast.clone()
        }
    };
    check_size(root.span, &result, root.dtype)?;
    nodes.push(result.clone());
    Ok(ShapePlan {
        nodes,
        broadcast,
        result,
    })
}

/// Which inputs take part in the broadcast of the expression's value (or of a root
/// reduction's argument): every input except those read only inside (other) reductions,
/// which shape those reductions' arguments instead. `sum(a) + b` has `b`'s shape, as in
/// NumPy. An input no node reads (an optimisation may drop a use) still takes part.
pub(crate) fn outer_inputs(hir: &Hir) -> Vec<bool> {
    let n = hir.nodes.len();
    // reached[i]: node i is read at all; outside[i]: read without crossing a reduction.
    let mut reached = vec![false; n];
    let mut outside = vec![false; n];
    if let Some(last) = n.checked_sub(1) {
        reached[last] = true;
        outside[last] = true;
    }
    for i in (0..n).rev() {
        let node = &hir.nodes[i];
        if !reached[i] {
            continue;
        }
        // The root reduction's argument is the outer region itself.
        let crosses = matches!(node.op, Op::Reduce(..)) && i + 1 != n;
        for &a in &node.args {
            reached[a as usize] = true;
            if outside[i] && !crosses {
                outside[a as usize] = true;
            }
        }
    }
    let mut outer = vec![true; hir.inputs.len()];
    for (i, node) in hir.nodes.iter().enumerate() {
        if let Op::Input(k) = node.op
            && let Some(o) = outer.get_mut(k as usize)
        {
            *o = outside[i] || !reached[i];
        }
    }
    outer
}

/// `min` and `max` have no identity: reducing an empty lane is an error (NumPy's rule), unless
/// there are no lanes at all (`max(x, axis=1)` of a (0, 3) array is an empty result).
pub(crate) fn check_identity(
    op: super::ReduceOp,
    axis: Option<usize>,
    shape: &[usize],
    span: Span,
) -> Result<(), Error> {
    use super::ReduceOp::{Max, Min};
    if !matches!(op, Min | Max) {
        return Ok(());
    }
    let lane_len = axis.map_or(shape.iter().product(), |k| {
        shape.get(k).copied().unwrap_or(1)
    });
    let lanes: usize = shape
        .iter()
        .enumerate()
        .filter(|&(i, _)| axis.is_some_and(|k| k != i))
        .map(|(_, &d)| d)
        .product();
    if lane_len == 0 && lanes > 0 {
        return Err(Error::at(
            ErrorKind::Shape,
            span,
            format!(
                "zero-size array to reduction operation {} which has no identity",
                op.name()
            ),
        ));
    }
    Ok(())
}

/// The broadcast shape of all inputs and the result shape, like [`plan`] but without the
/// per-node shapes, which the VM does not need. When every input has the same shape or is
/// 0-d, no node can fail to broadcast, so the node pass is skipped (the common case, and
/// what keeps a call on small arrays cheap); otherwise this is [`plan`].
pub(crate) fn result(
    hir: &Hir,
    input_shapes: &[&[usize]],
) -> Result<(Vec<usize>, Vec<usize>), Error> {
    let mut full: &[usize] = &[];
    let uniform = input_shapes.iter().all(|s| {
        if s.is_empty() {
            true
        } else if full.is_empty() {
            full = s;
            true
        } else {
            *s == full
        }
    });
    let inner_reduction = hir
        .nodes
        .iter()
        .rev()
        .skip(1)
        .any(|n| matches!(n.op, Op::Reduce(..)));
    if !uniform || inner_reduction {
        let p = plan(hir, input_shapes)?;
        return Ok((p.broadcast, p.result));
    }
    check_inputs(hir, input_shapes)?;
    let Some(root) = hir.nodes.last() else {
        return Err(Error::new(ErrorKind::Internal, "an empty HIR has no shape"));
    };
    let result = match root.op {
        Op::Reduce(op, axis, keepdims) => {
            let shape = reduce_shape(root, full, axis, keepdims)?;
            check_identity(
                op,
                axis.and_then(|a| normalize_axis(a, full.len())),
                full,
                root.span,
            )?;
            shape
        }
        _ => full.to_vec(),
    };
    check_size(root.span, &result, root.dtype)?;
    Ok((full.to_vec(), result))
}

/// Every slot has a shape, of at most [`MAX_DIMS`] dimensions.
fn check_inputs(hir: &Hir, input_shapes: &[&[usize]]) -> Result<(), Error> {
    if input_shapes.len() != hir.inputs.len() {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "{} input shapes for {} input slots",
                input_shapes.len(),
                hir.inputs.len()
            ),
        ));
    }
    for (slot, shape) in hir.inputs.iter().zip(input_shapes) {
        if shape.len() > MAX_DIMS {
            return Err(Error::at(
                ErrorKind::Limit,
                slot.span,
                format!(
                    "variable `{}` has {} dimensions; at most {MAX_DIMS} are supported",
                    slot.name,
                    shape.len()
                ),
            ));
        }
    }
    Ok(())
}

/// The shape of `node`, given the shapes of the nodes before it.
fn node_shape(
    node: &Node,
    earlier: &[Vec<usize>],
    input_shapes: &[&[usize]],
) -> Result<Vec<usize>, Error> {
    let internal = || {
        Error::at(
            ErrorKind::Internal,
            node.span,
            format!("invalid HIR: {:?} refers to a missing operand", node.op),
        )
    };
    let mut args: Vec<&[usize]> = Vec::with_capacity(node.args.len());
    for &a in &node.args {
        args.push(earlier.get(a as usize).ok_or_else(internal)?);
    }
    let shape = match node.op {
        Op::Input(k) => input_shapes.get(k as usize).ok_or_else(internal)?.to_vec(),
        Op::Const(_) => Vec::new(),
        Op::Cast => args.first().ok_or_else(internal)?.to_vec(),
        Op::Map(_) => broadcast_or_error(node.span, &args)?,
        Op::Reduce(op, axis, keepdims) => {
            let arg = args.first().ok_or_else(internal)?;
            check_identity(
                op,
                axis.and_then(|a| normalize_axis(a, arg.len())),
                arg,
                node.span,
            )?;
            reduce_shape(node, arg, axis, keepdims)?
        }
    };
    check_size(node.span, &shape, node.dtype)?;
    Ok(shape)
}

/// The broadcast of all `shapes`, or NumPy's error naming them.
fn broadcast_or_error(span: Span, shapes: &[&[usize]]) -> Result<Vec<usize>, Error> {
    let mut out: Vec<usize> = Vec::new();
    for s in shapes {
        out = broadcast_shapes(&out, s).ok_or_else(|| {
            let listed: Vec<String> = shapes.iter().map(|s| format_shape(s)).collect();
            Error::at(
                ErrorKind::Shape,
                span,
                format!(
                    "operands could not be broadcast together with shapes {}",
                    listed.join(" ")
                ),
            )
        })?;
    }
    Ok(out)
}

/// `arg` without the reduced axis (every axis for `None`), or with it as length 1 when
/// `keepdims` is set.
pub(crate) fn reduce_shape(
    node: &Node,
    arg: &[usize],
    axis: Option<i64>,
    keepdims: bool,
) -> Result<Vec<usize>, Error> {
    let Some(axis) = axis else {
        return Ok(if keepdims {
            vec![1; arg.len()]
        } else {
            Vec::new()
        });
    };
    let k = normalize_axis(axis, arg.len()).ok_or_else(|| {
        Error::at(
            ErrorKind::Axis,
            node.span,
            format!(
                "axis {axis} is out of bounds for an array of dimension {}",
                arg.len()
            ),
        )
    })?;
    let mut out = arg.to_vec();
    if keepdims {
        out[k] = 1;
    } else {
        out.remove(k);
    }
    Ok(out)
}

/// The number of elements of `shape` and their bytes fit in memory addresses (`isize`).
fn check_size(span: Span, shape: &[usize], dtype: DType) -> Result<(), Error> {
    let bytes = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .and_then(|n| n.checked_mul(dtype.itemsize().max(1)));
    match bytes {
        Some(b) if isize::try_from(b).is_ok() => Ok(()),
        _ => Err(Error::at(
            ErrorKind::Memory,
            span,
            format!(
                "an array of shape {} and dtype {dtype} is too large for memory",
                format_shape(shape)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType::{Bool, Float64, Int32};
    use crate::hir::builder::HirBuilder;
    use crate::hir::{Fun, ReduceOp};

    /// The shape of every node, in node order.
    fn shapes(hir: &Hir, input_shapes: &[&[usize]]) -> Result<Vec<Vec<usize>>, Error> {
        Ok(plan(hir, input_shapes)?.nodes)
    }

    /// The shape of the expression's value: the broadcast of all inputs, with the root's axis
    /// removed when the root is a reduction.
    fn result_shape(hir: &Hir, input_shapes: &[&[usize]]) -> Result<Vec<usize>, Error> {
        Ok(plan(hir, input_shapes)?.result)
    }

    fn err(r: Result<impl std::fmt::Debug, Error>) -> Error {
        match r {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn broadcast_pairs() {
        assert_eq!(broadcast_shapes(&[5, 1], &[1, 7]), Some(vec![5, 7]));
        assert_eq!(broadcast_shapes(&[], &[2, 3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[2, 3, 4], &[3, 1]), Some(vec![2, 3, 4]));
        assert_eq!(broadcast_shapes(&[0], &[1]), Some(vec![0]));
        assert_eq!(broadcast_shapes(&[1], &[0]), Some(vec![0]));
        assert_eq!(broadcast_shapes(&[0], &[0]), Some(vec![0]));
        assert_eq!(broadcast_shapes(&[0], &[5]), None);
        assert_eq!(broadcast_shapes(&[3], &[4]), None);
        assert_eq!(broadcast_shapes(&[2, 1], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[], &[]), Some(vec![]));
    }

    #[test]
    fn numpy_tuple_format() {
        assert_eq!(format_shape(&[]), "()");
        assert_eq!(format_shape(&[3]), "(3,)");
        assert_eq!(format_shape(&[2, 3]), "(2,3)");
        assert_eq!(format_shape(&[0, 1, 7]), "(0,1,7)");
    }

    #[test]
    fn axes_count_from_either_end() {
        assert_eq!(normalize_axis(0, 2), Some(0));
        assert_eq!(normalize_axis(1, 2), Some(1));
        assert_eq!(normalize_axis(-1, 2), Some(1));
        assert_eq!(normalize_axis(-2, 2), Some(0));
        assert_eq!(normalize_axis(2, 2), None);
        assert_eq!(normalize_axis(-3, 2), None);
        assert_eq!(normalize_axis(0, 0), None);
        assert_eq!(normalize_axis(i64::MIN, 3), None);
        assert_eq!(normalize_axis(i64::MAX, 3), None);
    }

    #[test]
    fn every_node_has_its_shape() {
        // sum(where(x > 0, x, 1.5) * y, axis=-1) with x: (5,1), y: (1,7)
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        let zero = b.constant(0.0);
        let gt = b.map(Fun::Gt, &[x, zero]);
        let half = b.constant(1.5);
        let w = b.map(Fun::Where, &[gt, x, half]);
        let y = b.input("y", Float64);
        let m = b.map(Fun::Mul, &[w, y]);
        b.reduce(ReduceOp::Sum, Some(-1), m);
        let hir = b.build();
        let got = shapes(&hir, &[&[5, 1], &[1, 7]]).unwrap();
        let expect: Vec<Vec<usize>> = vec![
            vec![5, 1],
            vec![],
            vec![5, 1],
            vec![],
            vec![5, 1],
            vec![1, 7],
            vec![5, 7],
            vec![5],
        ];
        assert_eq!(got, expect);
        let p = plan(&hir, &[&[5, 1], &[1, 7]]).unwrap();
        assert_eq!(p.nodes, expect);
        assert_eq!(p.broadcast, vec![5, 7]);
        assert_eq!(p.result, vec![5]);
        assert_eq!(result_shape(&hir, &[&[5, 1], &[1, 7]]).unwrap(), vec![5]);
    }

    #[test]
    fn full_reduction_is_0d() {
        let mut b = HirBuilder::new();
        let x = b.input("x", Int32);
        b.reduce(ReduceOp::Max, None, x);
        let hir = b.build();
        assert_eq!(
            result_shape(&hir, &[&[2, 3, 4]]).unwrap(),
            Vec::<usize>::new()
        );
        assert_eq!(result_shape(&hir, &[&[]]).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn constants_only_give_0d() {
        let mut b = HirBuilder::new();
        let one = b.constant(1.0);
        let two = b.constant(2.0);
        b.map(Fun::Add, &[one, two]);
        let hir = b.build();
        assert_eq!(result_shape(&hir, &[]).unwrap(), Vec::<usize>::new());
    }

    #[test]
    fn unused_inputs_still_broadcast() {
        // `x` is read; `y` (shape (4,1)) is not, yet it shapes the result.
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        b.map(Fun::Neg, &[x]);
        b.unused_input("y", Float64, Span::new(10, 11));
        let hir = b.build();
        assert_eq!(result_shape(&hir, &[&[3], &[4, 1]]).unwrap(), vec![4, 3]);
        let e = err(result_shape(&hir, &[&[3], &[4]]));
        assert_eq!(e.kind(), ErrorKind::Shape);
        assert_eq!(e.span(), Some(Span::new(10, 11)));
        assert_eq!(
            e.message(),
            "operands could not be broadcast together with shapes (3,) (4,)"
        );
    }

    #[test]
    fn root_reduction_reduces_the_full_broadcast() {
        // sum(x, axis=0) where x: (3,), unused y: (2,3) -> the argument is (2,3), result (3,).
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        b.reduce(ReduceOp::Sum, Some(0), x);
        b.unused_input("y", Float64, Span::new(20, 21));
        let hir = b.build();
        let p = plan(&hir, &[&[3], &[2, 3]]).unwrap();
        assert_eq!(p.broadcast, vec![2, 3]);
        assert_eq!(p.result, vec![3]);
    }

    #[test]
    fn mismatch_names_both_shapes_at_the_operation() {
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        let y = b.input("y", Float64);
        b.at(2, 3).map(Fun::Add, &[x, y]);
        let hir = b.build();
        let e = err(shapes(&hir, &[&[3], &[4]]));
        assert_eq!(e.kind(), ErrorKind::Shape);
        assert_eq!(e.span(), Some(Span::new(2, 3)));
        assert_eq!(
            e.message(),
            "operands could not be broadcast together with shapes (3,) (4,)"
        );
        let e = err(plan(&hir, &[&[2, 3], &[3, 2]]));
        assert_eq!(
            e.message(),
            "operands could not be broadcast together with shapes (2,3) (3,2)"
        );
        assert_eq!(e.span(), Some(Span::new(2, 3)));
        // Zero-length dimensions broadcast only with 1 or 0.
        let e = err(shapes(&hir, &[&[0], &[5]]));
        assert_eq!(
            e.message(),
            "operands could not be broadcast together with shapes (0,) (5,)"
        );
        assert_eq!(shapes(&hir, &[&[0], &[1]]).unwrap()[2], vec![0]);
    }

    #[test]
    fn where_lists_its_three_shapes() {
        let mut b = HirBuilder::new();
        let c = b.input("c", Bool);
        let x = b.input("x", Int32);
        let y = b.input("y", Int32);
        b.at(0, 14).map(Fun::Where, &[c, x, y]);
        let hir = b.build();
        let e = err(shapes(&hir, &[&[], &[2], &[3]]));
        assert_eq!(
            e.message(),
            "operands could not be broadcast together with shapes () (2,) (3,)"
        );
        assert_eq!(e.span(), Some(Span::new(0, 14)));
    }

    #[test]
    fn axis_out_of_bounds() {
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        b.at(0, 17).reduce(ReduceOp::Sum, Some(2), x);
        let hir = b.build();
        let e = err(result_shape(&hir, &[&[5, 7]]));
        assert_eq!(e.kind(), ErrorKind::Axis);
        assert_eq!(e.span(), Some(Span::new(0, 17)));
        assert_eq!(
            e.message(),
            "axis 2 is out of bounds for an array of dimension 2"
        );
        let e = err(shapes(&hir, &[&[5, 7]]));
        assert_eq!(e.kind(), ErrorKind::Axis);

        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        b.reduce(ReduceOp::Sum, Some(-3), x);
        let hir = b.build();
        let e = err(result_shape(&hir, &[&[5, 7]]));
        assert_eq!(
            e.message(),
            "axis -3 is out of bounds for an array of dimension 2"
        );
        assert_eq!(result_shape(&hir, &[&[5, 7, 2]]).unwrap(), vec![7, 2]);
        // A 0-d argument has no axis at all.
        let e = err(result_shape(&hir, &[&[]]));
        assert_eq!(
            e.message(),
            "axis -3 is out of bounds for an array of dimension 0"
        );
    }

    #[test]
    fn too_many_dimensions() {
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        b.map(Fun::Neg, &[x]);
        let hir = b.build();
        let ok = vec![1usize; MAX_DIMS];
        assert_eq!(result_shape(&hir, &[&ok]).unwrap(), ok);
        let big = vec![1usize; MAX_DIMS + 1];
        let e = err(result_shape(&hir, &[&big]));
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(e.span(), Some(Span::new(0, 1)));
        assert_eq!(err(shapes(&hir, &[&big])).kind(), ErrorKind::Limit);
    }

    #[test]
    fn sizes_that_overflow_are_memory_errors() {
        let mut b = HirBuilder::new();
        let x = b.input("x", Float64);
        let y = b.input("y", Float64);
        b.at(4, 5).map(Fun::Add, &[x, y]);
        let hir = b.build();
        let huge = 1usize << 40;
        let e = err(shapes(&hir, &[&[huge, 1], &[1, huge]]));
        assert_eq!(e.kind(), ErrorKind::Memory);
        assert_eq!(e.span(), Some(Span::new(4, 5)));
        assert!(e.message().contains("(1099511627776,1099511627776)"), "{e}");
        // Fits in usize as a count, but not as bytes of float64.
        let e = err(shapes(&hir, &[&[1 << 31, 1], &[1, 1 << 31]]));
        assert_eq!(e.kind(), ErrorKind::Memory);
    }

    #[test]
    fn wrong_number_of_input_shapes_is_internal() {
        let mut b = HirBuilder::new();
        b.input("x", Float64);
        let hir = b.build();
        assert_eq!(err(shapes(&hir, &[])).kind(), ErrorKind::Internal);
        assert_eq!(err(plan(&hir, &[&[1], &[2]])).kind(), ErrorKind::Internal);
    }
}
