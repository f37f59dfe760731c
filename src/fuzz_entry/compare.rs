//! The comparison rule between the VM and the reference evaluator.
//!
//! In: the typed expression ([`Hir`], unoptimised: what the reference evaluates), its inputs,
//! the reference's result and one VM result. Out: `Ok(())`, or a message naming the first
//! element that differs by more than the rule allows.
//!
//! The rule, per element of the result:
//! 1. The dtype and shape agree, and an error on one side is an error of the same kind on the
//!    other.
//! 2. **Bit-exact** when every operation on the way is exact: integer, bool and byte-string
//!    operations, comparisons, casts, `where`, and the float operations IEEE 754 rounds
//!    correctly or that are exact (`+ - * /`, `sqrt`, `//`, `%`, `fmod`, `floor`, `ceil`,
//!    `trunc`, `round`, `abs`, `sign`, `copysign`, `nextafter`, `maximum`, `minimum`, ...;
//!    complex `+ - *` and `/` use the same textbook formulas on both sides). Signed zeros
//!    count; NaN matches any NaN.
//! 3. Otherwise a **bound on `|vm - reference|` is propagated through the expression**, node by
//!    node, from the reference's value of every node (each prefix of the post-order HIR is
//!    evaluated by the reference):
//!    - an approximate function with exact operands may differ by its budget from
//!      `vm::math` plus one ulp for the reference's own libm error (exp, log and friends 1+1,
//!      sin/cos/pow 2+1, the rest 4+1 ulps); complex functions (not in that table) by a
//!      relative `1e-11` of the result's modulus, the corpus's bound for them;
//!    - an operation whose operands carry a bound `e` adds how much the operation can move
//!      when its operands move by `e` (the condition): exact for `+ -` (`e_a + e_b`), `*`, `/`,
//!      `where`, `maximum` and the like; for every other function measured by evaluating it
//!      at the corners and edge midpoints of the box `[v - e, v + e]` (twice the largest
//!      change, since a few samples of a smooth function can underestimate it), plus the
//!      budget above and one rounding;
//!    - `sin`, `cos` and `tan` of an operand uncertain by half a radian or more may be anything;
//!    - `signbit` of a NaN and `copysign` from a NaN may come out either way (a NaN's sign is
//!      the implementation's choice);
//!    - a comparison, `sign`, `signbit`, `floor`-like or logical operation whose operands are
//!      within `e` of a decision boundary may come out either way: the bound is the jump (1
//!      for bools and `floor`, the distance of the two branches for `where`);
//!    - reductions add the reordering error of a sum, `(n + 1) u Σ|x|`, or of a product (and
//!      give up, with an unbounded tolerance, where a different order could overflow or
//!      underflow an intermediate product);
//!    - a bound that cannot be estimated (a NaN or infinity inside the box, an integer
//!      operation other than `+ -` on an uncertain operand) is unbounded: any value is
//!      accepted there, NaN included.
//!
//!    An element then matches when it is within the bound, or within the ulp budget of its
//!    last operation; a NaN or an infinity must be matched exactly unless the bound is
//!    unbounded ("NaN where NaN").

use ndarray::{ArrayD, Axis, IxDyn};
use num_complex::Complex64;

use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::hir::{Fun, Hir, Node, Op, ReduceOp};
use crate::vm::reference;
use crate::vm::reference::complex as cx;
use crate::vm::reference::scalar::f64_ops;

/// Relative error allowed for complex elementary functions (of the result's modulus).
const COMPLEX_RTOL: f64 = 1e-11;

/// The allowed difference of one element: within `abs`, or within `ulps` representable steps.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bound {
    abs: f64,
    ulps: u64,
    /// Whether a zero's sign must match (not after reordering a complex product, whose zero
    /// parts take their sign from the order of the operations).
    zero_sign: bool,
}

impl Bound {
    const EXACT: Bound = Bound {
        abs: 0.0,
        ulps: 0,
        zero_sign: true,
    };
    const ANY: Bound = Bound {
        abs: f64::INFINITY,
        ulps: u64::MAX,
        zero_sign: false,
    };

    /// Within `abs` or `ulps`, signed zeros kept.
    fn new(abs: f64, ulps: u64) -> Bound {
        Bound {
            abs: if abs.is_nan() { f64::INFINITY } else { abs },
            ulps,
            zero_sign: true,
        }
    }

    fn is_exact(self) -> bool {
        self.abs == 0.0 && self.ulps == 0 && self.zero_sign
    }

    fn unbounded(self) -> bool {
        self.abs == f64::INFINITY
    }
}

/// Whether every node of `hir` is exact (rule 2).
pub(crate) fn all_exact(hir: &Hir) -> bool {
    hir.nodes.iter().all(|n| match &n.op {
        Op::Map(f) => budget(*f, &arg_dtypes(hir, n)) == Budget::Exact,
        Op::Reduce(op, ..) => {
            op.is_fold()
                && (matches!(n.dtype, DType::Bool | DType::Int32 | DType::Int64)
                    || matches!(op, ReduceOp::Min | ReduceOp::Max))
        }
        _ => true,
    })
}

fn arg_dtypes(hir: &Hir, n: &Node) -> Vec<DType> {
    n.args
        .iter()
        .filter_map(|&a| hir.nodes.get(a as usize).map(|m| m.dtype))
        .collect()
}

/// How far the VM's result of one operation on identical operands may be from the
/// reference's.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Budget {
    /// Bit for bit.
    Exact,
    /// Within this many ulps of the result.
    Ulps(u64),
    /// Within `COMPLEX_RTOL` of the result's modulus.
    Complex,
}

fn budget(f: Fun, args: &[DType]) -> Budget {
    use Fun::*;
    let complex = args.contains(&DType::Complex128);
    let float = args
        .iter()
        .any(|d| matches!(d, DType::Float32 | DType::Float64));
    if complex {
        // The elementary functions of complex numbers are written differently on the two
        // sides; arithmetic, parts, `round` and the predicates are the same formulas.
        return match f {
            Exp | Expm1 | Log | Log1p | Log2 | Log10 | Sin | Cos | Tan | Arcsin | Arccos
            | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh | Sqrt | Pow | Abs
            | Sign => Budget::Complex,
            _ => Budget::Exact,
        };
    }
    if !float {
        return Budget::Exact;
    }
    let ulps = match f {
        Exp | Expm1 | Log | Log1p | Log2 | Log10 => 1,
        Sin | Cos | Pow => 2,
        Tan | Arcsin | Arccos | Arctan | Sinh | Cosh | Tanh | Arcsinh | Arccosh | Arctanh
        | Arctan2 | Hypot => 4,
        _ => return Budget::Exact,
    };
    // One more for the reference's own libm error.
    Budget::Ulps(ulps + 1)
}

/// One node's value per element (C order of the broadcast shape): bools and integers as
/// real numbers, byte strings as their position only.
struct Values {
    v: Vec<Complex64>,
    bytes: Option<Vec<Vec<u8>>>,
}

fn values(a: &Array) -> Values {
    let c = |re: f64| Complex64::new(re, 0.0);
    let v: Vec<Complex64> = match a {
        Array::Bool(x) => x.iter().map(|&b| c(f64::from(u8::from(b)))).collect(),
        Array::Int32(x) => x.iter().map(|&i| c(f64::from(i))).collect(),
        Array::Int64(x) => x.iter().map(|&i| c(i as f64)).collect(),
        Array::Float32(x) => x.iter().map(|&f| c(f64::from(f))).collect(),
        Array::Float64(x) => x.iter().map(|&f| c(f)).collect(),
        Array::Complex128(x) => x.iter().copied().collect(),
        Array::Bytes(b) => {
            return Values {
                v: vec![c(0.0); b.len()],
                bytes: Some(b.iter().map(<[u8]>::to_vec).collect()),
            };
        }
    };
    Values { v, bytes: None }
}

/// The spacing of floats of `dtype` at `x` (infinite at infinities and NaN).
fn ulp(x: f64, dtype: DType) -> f64 {
    let x = x.abs();
    if !x.is_finite() {
        return f64::INFINITY;
    }
    if dtype == DType::Float32 {
        let s = x as f32;
        if !s.is_finite() {
            return f64::INFINITY;
        }
        f64::from(s.next_up() - s).max(f64::from(s - s.next_down()))
    } else {
        (x.next_up() - x).max(x - x.next_down())
    }
}

/// Representable steps between two floats of `dtype` (both not NaN).
fn ulp_distance(a: f64, b: f64, dtype: DType) -> u64 {
    fn key64(x: f64) -> i128 {
        let bits = x.to_bits() as i64;
        i128::from(if bits < 0 { i64::MIN - bits } else { bits })
    }
    fn key32(x: f32) -> i128 {
        let bits = x.to_bits() as i32;
        i128::from(if bits < 0 { i32::MIN - bits } else { bits })
    }
    let d = if dtype == DType::Float32 {
        key32(a as f32) - key32(b as f32)
    } else {
        key64(a) - key64(b)
    };
    u64::try_from(d.unsigned_abs()).unwrap_or(u64::MAX)
}

/// Unit roundoff of a dtype's arithmetic.
fn roundoff(dtype: DType) -> f64 {
    if dtype == DType::Float32 {
        f64::from(f32::EPSILON) / 2.0
    } else {
        f64::EPSILON / 2.0
    }
}

/// The bound of every element of every node, and the reference's value of every node.
struct Model<'h> {
    hir: &'h Hir,
    vals: Vec<Values>,
    bounds: Vec<Vec<Bound>>,
}

/// Evaluate every prefix of `hir` with the reference: the value of each node, broadcast to the
/// shape of the whole expression (the root's own shape for a root reduction).
fn node_values(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Result<Vec<Values>, String> {
    let mut out = Vec::with_capacity(hir.nodes.len());
    for i in 0..hir.nodes.len() {
        let prefix = Hir {
            nodes: hir.nodes[..=i].to_vec(),
            inputs: hir.inputs.clone(),
            source: hir.source.clone(),
        };
        let a = reference::evaluate(&prefix, inputs)
            .map_err(|e| format!("the reference fails on node {i}: {e}"))?;
        out.push(values(&a));
    }
    Ok(out)
}

impl<'h> Model<'h> {
    fn build(hir: &'h Hir, inputs: &[ArrayRef<'_>], shape: &[usize]) -> Result<Model<'h>, String> {
        let vals = node_values(hir, inputs)?;
        let mut model = Model {
            hir,
            vals,
            bounds: Vec::with_capacity(hir.nodes.len()),
        };
        for (i, node) in hir.nodes.iter().enumerate() {
            let b = match &node.op {
                Op::Input(_) | Op::Const(_) => vec![Bound::EXACT; model.vals[i].v.len()],
                Op::Reduce(op, axis, _) => model.reduction(node, *op, *axis, shape)?,
                Op::Cast => model.elementwise(i, |m, j| m.cast(i, j)),
                Op::Map(f) => model.elementwise(i, |m, j| m.map(*f, i, j)),
            };
            model.bounds.push(b);
        }
        Ok(model)
    }

    fn elementwise(&self, i: usize, bound: impl Fn(&Model<'_>, usize) -> Bound) -> Vec<Bound> {
        (0..self.vals[i].v.len()).map(|j| bound(self, j)).collect()
    }

    /// Operand `k` of `node` at element `j`: value and bound.
    fn arg(&self, node: &Node, k: usize, j: usize) -> (Complex64, f64) {
        let a = node.args[k] as usize;
        let v = self.vals[a].v.get(j).copied().unwrap_or_default();
        let e = self.bounds[a].get(j).map_or(f64::INFINITY, |b| b.abs);
        (v, e)
    }

    /// The reference's value of node `i` at element `j`.
    fn result(&self, i: usize, j: usize) -> Complex64 {
        self.vals[i].v.get(j).copied().unwrap_or_default()
    }

    fn cast(&self, i: usize, j: usize) -> Bound {
        let node = &self.hir.nodes[i];
        let (_, e) = self.arg(node, 0, j);
        if e == 0.0 {
            return Bound::EXACT;
        }
        let r = self.result(i, j);
        Bound::new(e + ulp(r.norm(), node.dtype), 1)
    }

    /// The bound of `f` at element `j` (rule 3 of the module docs).
    fn map(&self, f: Fun, i: usize, j: usize) -> Bound {
        use Fun::*;
        let node = &self.hir.nodes[i];
        let n = node.args.len();
        let args: Vec<(Complex64, f64)> = (0..n).map(|k| self.arg(node, k, j)).collect();
        let arg_types = arg_dtypes(self.hir, node);
        let r = self.result(i, j);
        let kind = budget(f, &arg_types);
        // The budget of the operation itself, in ulps and as an absolute amount.
        let (own_ulps, own_abs) = match kind {
            Budget::Exact => (0, 0.0),
            Budget::Ulps(k) => (k, k as f64 * ulp(r.re, node.dtype)),
            Budget::Complex => (0, COMPLEX_RTOL * r.norm()),
        };
        let own_abs = if own_abs.is_nan() {
            f64::INFINITY
        } else {
            own_abs
        };
        // Reads the sign of a NaN, which the other engine may have produced with the other
        // sign (see `SignBit` below): never exact.
        let nan_sign = match f {
            SignBit => args[0].0.re.is_nan(),
            CopySign => args[1].0.re.is_nan(),
            _ => false,
        };
        if !nan_sign && args.iter().all(|&(_, e)| e == 0.0) {
            return Bound::new(own_abs, own_ulps);
        }
        if args.iter().any(|&(_, e)| e.is_infinite() || e.is_nan()) {
            return Bound::ANY;
        }
        let is_bool = node.dtype == DType::Bool;
        let is_int = matches!(node.dtype, DType::Int32 | DType::Int64);
        let is_bytes = node.dtype.is_bytes() || arg_types.iter().any(|d| d.is_bytes());
        let e = |k: usize| args[k].1;
        let v = |k: usize| args[k].0;
        let near =
            |a: Complex64, b: Complex64, e: f64| (a - b).norm() <= e || (a - b).norm().is_nan();
        let flip: f64 = if is_bool { 1.0 } else { f64::INFINITY };
        let moved = match f {
            _ if is_bytes && f != Where => flip,
            Lt | Le | Gt | Ge | Eq | Ne => {
                if near(v(0), v(1), e(0) + e(1)) {
                    1.0
                } else {
                    0.0
                }
            }
            And | Or | Xor | Not if is_bool || is_int => flip,
            Where => {
                if e(0) > 0.0 {
                    let d = (v(1) - v(2)).norm();
                    if is_bytes || d.is_nan() {
                        f64::INFINITY
                    } else {
                        d + e(1).max(e(2))
                    }
                } else if v(0).re != 0.0 {
                    e(1)
                } else {
                    e(2)
                }
            }
            Add | Sub => e(0) + e(1),
            Neg | Conj | Real | Imag => e(0),
            Abs if !is_int => e(0),
            OnesLike => 0.0,
            _ if is_int => f64::INFINITY,
            Mul => v(0).norm() * e(1) + v(1).norm() * e(0) + e(0) * e(1),
            Div => {
                let b = v(1).norm();
                if b > e(1) {
                    (e(0) + r.norm() * e(1)) / (b - e(1))
                } else {
                    f64::INFINITY
                }
            }
            Floor | Ceil | Trunc | Round => e(0) + 1.0,
            Sign => {
                let a = v(0).norm();
                if a <= e(0) {
                    2.0
                } else {
                    2.0 * e(0) / (a - e(0))
                }
            }
            // IEEE 754 leaves the sign of a NaN result to the implementation (x86's default NaN
            // is negative; libm's `pow` returns a positive one), so the sign bit of a NaN may
            // come out either way (found by eval_diff: `signbit(nextafter(v, x ** 0.5))`).
            SignBit => {
                if v(0).re.is_nan() || v(0).re.abs() <= e(0) {
                    1.0
                } else {
                    0.0
                }
            }
            IsNan | IsFinite | IsInf => 0.0,
            Maximum | Minimum => e(0).max(e(1)),
            CopySign => {
                if v(1).re.is_nan() || v(1).re.abs() <= e(1) {
                    2.0 * v(0).norm() + e(0)
                } else {
                    e(0)
                }
            }
            Complex => e(0) + e(1),
            NextAfter => e(0) + 4.0 * ulp(r.re, node.dtype),
            // A box wider than a fraction of the period holds every value; sampling its
            // corners can miss that (found by eval_diff: `tan(exp(exp(v)))`, where one ulp of
            // exp's 1e50 is 1e34).
            Sin | Cos | Tan if e(0) >= 0.5 => f64::INFINITY,
            FloorDiv | Mod | Fmod => f64::INFINITY,
            _ => self.perturbed(f, &args, &arg_types),
        };
        let rounding = if is_bool || is_int {
            0.0
        } else {
            ulp(r.norm(), node.dtype)
        };
        let abs = moved + own_abs + rounding;
        Bound::new(abs, own_ulps + 1)
    }

    /// Twice the largest change of `f` over the box of its operands' bounds, sampled at the
    /// corners and edge midpoints; unbounded if a sample is NaN or infinite where the value is
    /// not.
    fn perturbed(&self, f: Fun, args: &[(Complex64, f64)], types: &[DType]) -> f64 {
        let complex = types.contains(&DType::Complex128);
        let eval = |xs: &[Complex64]| -> Option<Complex64> {
            match (complex, xs) {
                (false, [a]) => f64_ops::unary(f).map(|g| Complex64::new(g(a.re), 0.0)),
                (false, [a, b]) => f64_ops::binary(f).map(|g| Complex64::new(g(a.re, b.re), 0.0)),
                (true, [a]) => cx::unary(f).map(|g| g(*a)),
                (true, [a, b]) => cx::binary(f).map(|g| g(*a, *b)),
                _ => None,
            }
        };
        let center: Vec<Complex64> = args.iter().map(|&(v, _)| v).collect();
        let Some(f0) = eval(&center) else {
            return f64::INFINITY;
        };
        let steps: &[(f64, f64)] = if complex {
            &[
                (1.0, 0.0),
                (-1.0, 0.0),
                (0.0, 1.0),
                (0.0, -1.0),
                (1.0, 1.0),
                (1.0, -1.0),
                (-1.0, 1.0),
                (-1.0, -1.0),
                (0.5, 0.0),
                (-0.5, 0.0),
            ]
        } else {
            &[(1.0, 0.0), (-1.0, 0.0), (0.5, 0.0), (-0.5, 0.0)]
        };
        let mut worst = 0.0f64;
        // Each operand moved alone; the changes add up.
        for (k, &(_, e)) in args.iter().enumerate() {
            if e == 0.0 {
                continue;
            }
            let mut most = 0.0f64;
            for &(dr, di) in steps {
                let mut xs = center.clone();
                xs[k] += Complex64::new(dr * e, di * e);
                let Some(y) = eval(&xs) else {
                    return f64::INFINITY;
                };
                let finite = |z: Complex64| z.re.is_finite() && z.im.is_finite();
                if finite(y) != finite(f0) {
                    return f64::INFINITY;
                }
                if finite(y) {
                    most = most.max((y - f0).norm());
                } else if !(y.re.to_bits() == f0.re.to_bits() && y.im.to_bits() == f0.im.to_bits())
                {
                    return f64::INFINITY;
                }
            }
            worst += most;
        }
        2.0 * worst
    }

    /// Bounds of a reduction's results (the root), from its argument's values and bounds.
    fn reduction(
        &self,
        node: &Node,
        op: ReduceOp,
        axis: Option<i64>,
        shape: &[usize],
    ) -> Result<Vec<Bound>, String> {
        let a = node.args[0] as usize;
        let arg_type = self.hir.nodes[a].dtype;
        let vals = ArrayD::from_shape_vec(IxDyn(shape), self.vals[a].v.clone())
            .map_err(|e| format!("argument values: {e}"))?;
        let errs: Vec<f64> = self.bounds[a].iter().map(|b| b.abs).collect();
        let errs = ArrayD::from_shape_vec(IxDyn(shape), errs)
            .map_err(|e| format!("argument bounds: {e}"))?;
        let lanes: Vec<(Vec<Complex64>, Vec<f64>)> = match axis {
            None => vec![(
                vals.iter().copied().collect(),
                errs.iter().copied().collect(),
            )],
            Some(ax) => {
                let nd = shape.len() as i64;
                let k = if ax < 0 { ax + nd } else { ax };
                let k = usize::try_from(k).map_err(|_| "axis".to_string())?;
                vals.lanes(Axis(k))
                    .into_iter()
                    .zip(errs.lanes(Axis(k)))
                    .map(|(v, e)| (v.to_vec(), e.to_vec()))
                    .collect()
            }
        };
        let u = roundoff(arg_type);
        let float = !matches!(arg_type, DType::Bool | DType::Int32 | DType::Int64);
        let complex = arg_type == DType::Complex128;
        Ok(lanes
            .iter()
            .map(|(v, e)| reduce_bound(op, v, e, u, float, complex))
            .collect())
    }
}

/// The bound of one reduced element (see the module docs).
fn reduce_bound(
    op: ReduceOp,
    v: &[Complex64],
    e: &[f64],
    u: f64,
    float: bool,
    complex: bool,
) -> Bound {
    let n = v.len() as f64;
    let uncertain = e.iter().any(|&x| x > 0.0);
    if e.iter().any(|x| x.is_infinite() || x.is_nan()) {
        return Bound::ANY;
    }
    let abs = match op {
        // Planned as sums and arithmetic: compared by [`staged_bound`] instead.
        ReduceOp::Mean | ReduceOp::Var { .. } | ReduceOp::Std { .. } => f64::INFINITY,
        ReduceOp::Any | ReduceOp::All => f64::from(u8::from(uncertain)),
        ReduceOp::Min | ReduceOp::Max => e.iter().copied().fold(0.0, f64::max),
        ReduceOp::Sum if !float => e.iter().sum(),
        ReduceOp::Prod if !float => {
            if uncertain {
                f64::INFINITY
            } else {
                0.0
            }
        }
        ReduceOp::Sum => {
            let total: f64 = v.iter().map(|z| z.norm()).sum();
            if total * (1.0 + (n + 1.0) * u) >= f64::MAX {
                f64::INFINITY
            } else {
                e.iter().sum::<f64>() + (n + 1.0) * u * total
            }
        }
        ReduceOp::Prod => {
            // In log2 space: the largest and smallest partial products any order can form,
            // against the exponent range of the dtype the product is computed in (float32's
            // is 8 times narrower than float64's: a product of float32s that overflows in one
            // order and underflows in another was found by the long proptest run).
            let log = |x: f64| x.log2();
            let range = if u > f64::from(f32::EPSILON) / 4.0 {
                120.0
            } else {
                1000.0
            };
            let big: f64 = v.iter().map(|z| log(z.norm().max(1.0))).sum();
            let small: f64 = v.iter().map(|z| log(z.norm().min(1.0))).sum();
            let grown: f64 = v.iter().zip(e).map(|(z, &x)| log(z.norm() + x)).sum();
            if big > range || (small < -range && big > 0.0) || grown > range {
                f64::INFINITY
            } else {
                let plain: f64 = v.iter().map(|z| z.norm()).product();
                let wide: f64 = v.iter().zip(e).map(|(z, &x)| z.norm() + x).product();
                (wide - plain) + 4.0 * (n + 1.0) * u * wide
            }
        }
    };
    Bound {
        // The parts of a complex product are sums of products, whose zeros take their sign
        // from the order the elements are multiplied in.
        zero_sign: !(complex && op == ReduceOp::Prod),
        ..Bound::new(abs, 0)
    }
}

/// Whether `got` matches `want` within `b` (rule 3's last paragraph).
fn element_ok(want: Complex64, got: Complex64, b: Bound, dtype: DType) -> bool {
    if b.unbounded() {
        return true;
    }
    let part = |w: f64, g: f64| -> Option<bool> {
        // Some(true): equal as far as this part goes; Some(false): differ; None: compare further.
        if w.is_nan() || g.is_nan() {
            return Some(w.is_nan() && g.is_nan());
        }
        if w.to_bits() == g.to_bits() || (!b.zero_sign && w == 0.0 && g == 0.0) {
            return Some(true);
        }
        if b.is_exact() || w.is_infinite() || g.is_infinite() {
            return Some(false);
        }
        None
    };
    let (re, im) = (part(want.re, got.re), part(want.im, got.im));
    if re == Some(false) || im == Some(false) {
        return false;
    }
    if re == Some(true) && im == Some(true) {
        return true;
    }
    let within_ulps =
        |w: f64, g: f64| w.to_bits() == g.to_bits() || ulp_distance(w, g, dtype) <= b.ulps;
    if within_ulps(want.re, got.re) && within_ulps(want.im, got.im) {
        return true;
    }
    // A part already matched (both NaN, say) adds nothing to the distance.
    let part_diff = |matched: Option<bool>, w: f64, g: f64| {
        if matched == Some(true) { 0.0 } else { w - g }
    };
    Complex64::new(
        part_diff(re, want.re, got.re),
        part_diff(im, want.im, got.im),
    )
    .norm()
        <= b.abs
}

/// Compare one VM result with the reference's (both already known to have equal dtype and
/// shape). `Ok` or the first mismatch, described.
pub(crate) fn compare(
    hir: &Hir,
    inputs: &[ArrayRef<'_>],
    shape: &[usize],
    want: &Array,
    got: &Array,
) -> Result<(), String> {
    let dtype = want.dtype();
    // Rule 2 first: most results are bit-identical and need no model.
    let (w, g) = (values(want), values(got));
    let identical = match (&w.bytes, &g.bytes) {
        (Some(a), Some(b)) => a == b,
        (None, None) => {
            w.v.iter()
                .zip(&g.v)
                .all(|(a, b)| element_ok(*a, *b, Bound::EXACT, dtype))
        }
        _ => false,
    };
    if identical {
        return Ok(());
    }
    if all_exact(hir) {
        return Err(first_difference(&w, &g, None, dtype));
    }
    let bounds = if is_staged(hir) {
        vec![staged_bound(hir, inputs, want); w.v.len()]
    } else {
        let model = Model::build(hir, inputs, shape)?;
        model.bounds.last().cloned().unwrap_or_default()
    };
    let ok = match (&w.bytes, &g.bytes) {
        (Some(a), Some(b)) => a
            .iter()
            .zip(b)
            .zip(&bounds)
            .all(|((x, y), bd)| x == y || bd.unbounded()),
        _ => {
            w.v.iter()
                .zip(&g.v)
                .zip(&bounds)
                .all(|((a, b), bd)| element_ok(*a, *b, *bd, dtype))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(first_difference(&w, &g, Some(&bounds), dtype))
    }
}

/// Whether `hir` has a reduction that runs as a phase of its own (not a fold at the root):
/// the node-by-node model (which evaluates every node over the whole expression's shape)
/// does not describe it.
fn is_staged(hir: &Hir) -> bool {
    let last = hir.nodes.len().saturating_sub(1);
    hir.nodes.iter().enumerate().any(|(i, n)| match n.op {
        Op::Reduce(op, _, keepdims) => i != last || !op.is_fold() || keepdims,
        _ => false,
    })
}

/// The bound for an expression with reductions inside it (the generators put them in linear
/// contexts: `t + r`, `t - r`, `t * r` with `r` a reduction and `t` a variable or a
/// constant): a reduction of `n` elements differs by at most `(n + 1) u S` with `S` the
/// largest magnitude in play, and a product with `t` scales that by `|t| <= S`; a factor 64
/// covers the elementary functions inside the reduced terms (a few ulps each) and the
/// two-pass variance's second pass. Weaker than the node model, but it catches a wrong phase,
/// axis, keepdims, count or dtype, which are errors of order `S`.
fn staged_bound(hir: &Hir, inputs: &[ArrayRef<'_>], want: &Array) -> Bound {
    // A float or complex product depends on the order of its factors far beyond a rounding
    // (overflow, underflow, `inf * 0` in a complex part): the node model gives up there too.
    let float_product = hir.nodes.iter().any(|n| {
        matches!(n.op, Op::Reduce(ReduceOp::Prod, ..))
            && matches!(n.dtype, DType::Float32 | DType::Float64 | DType::Complex128)
    });
    if float_product {
        return Bound::ANY;
    }
    let mut scale: f64 = 1.0;
    let mut n: usize = 1;
    let mut fold = |a: &Array| {
        for z in values(a).v {
            let m = z.norm();
            if m.is_finite() {
                scale = scale.max(m);
            }
        }
    };
    fold(want);
    for input in inputs {
        n = n.max(input.shape().iter().product());
        let largest = match input {
            ArrayRef::Bool(_) | ArrayRef::Bytes(_) => 1.0,
            ArrayRef::Int32(a) => a.iter().map(|&x| f64::from(x).abs()).fold(0.0, f64::max),
            ArrayRef::Int64(a) => a.iter().map(|&x| (x as f64).abs()).fold(0.0, f64::max),
            ArrayRef::Float32(a) => a.iter().map(|&x| f64::from(x).abs()).fold(0.0, finite_max),
            ArrayRef::Float64(a) => a.iter().map(|&x| x.abs()).fold(0.0, finite_max),
            ArrayRef::Complex128(a) => a.iter().map(|z| z.norm()).fold(0.0, finite_max),
        };
        scale = scale.max(largest);
    }
    let u = hir
        .nodes
        .iter()
        .map(|node| roundoff(node.dtype))
        .fold(roundoff(DType::Float64), f64::max);
    // Partial sums that may overflow in one order and not in another (then `inf - inf`):
    // any value, as the node model allows for a root sum.
    let largest = if u > roundoff(DType::Float64) {
        f64::from(f32::MAX)
    } else {
        f64::MAX
    };
    if scale * (n as f64 + 1.0) >= largest {
        return Bound::ANY;
    }
    Bound::new(64.0 * (n as f64 + 1.0) * u * scale * scale, 4)
}

/// The larger of `m` and `x` when `x` is finite.
fn finite_max(m: f64, x: f64) -> f64 {
    if x.is_finite() { m.max(x) } else { m }
}

/// A description of the first element that does not match.
fn first_difference(w: &Values, g: &Values, bounds: Option<&[Bound]>, dtype: DType) -> String {
    if let (Some(a), Some(b)) = (&w.bytes, &g.bytes) {
        for (j, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y && !bounds.is_some_and(|bs| bs.get(j).is_some_and(|b| b.unbounded())) {
                return format!(
                    "element {j}: vm b'{}', reference b'{}'",
                    y.escape_ascii(),
                    x.escape_ascii()
                );
            }
        }
    }
    for (j, (a, b)) in w.v.iter().zip(&g.v).enumerate() {
        let bound = bounds
            .and_then(|bs| bs.get(j))
            .copied()
            .unwrap_or(Bound::EXACT);
        if !element_ok(*a, *b, bound, dtype) {
            let show = |z: &Complex64| {
                if dtype == DType::Complex128 {
                    format!("({:?}, {:?})", z.re, z.im)
                } else {
                    format!("{:?}", z.re)
                }
            };
            return format!(
                "element {j}: vm {}, reference {} (allowed: {} or {} ulps)",
                show(b),
                show(a),
                bound.abs,
                bound.ulps
            );
        }
    }
    "the results differ".to_string()
}
