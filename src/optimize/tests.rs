//! Each rewrite keeps every result bit for bit: checked against the reference evaluator on
//! the unoptimised HIR, and against the VM without the rewrite.

use std::sync::Arc;

use bumpalo::Bump;
use ndarray::{ArrayD, IxDyn};

use super::{cse, dce, fold, optimize};
use crate::array::{Array, ArrayRef};
use crate::dtype::{DType, Scalar};
use crate::hir::{self, Fun, Hir, Op, Signature};
use crate::vm::{self, Executable, isa::SupportedIsa};

fn lower(src: &str, sig: &Signature) -> Hir {
    let arena = Bump::new();
    let source: Arc<str> = Arc::from(src);
    let ast = crate::syntax::parse(src, &arena).unwrap();
    hir::lower(ast, &source, sig).unwrap()
}

fn options() -> vm::Options<'static> {
    vm::Options::serial(SupportedIsa::detect())
}

/// The folding callback the API uses: the VM itself on the 0-d HIR.
fn eval(tiny: &Hir) -> Result<Scalar, crate::Error> {
    let exe = Executable::new(crate::compile::compile(tiny)?)?;
    let value = exe.run(&[], &[], &[], &options())?;
    Ok(value.to_scalar().expect("a scalar"))
}

/// Run `hir` (any stage) on the VM.
fn run(hir: &Hir, inputs: &[ArrayRef<'_>]) -> Array {
    let exe = Executable::new(crate::compile::compile(hir).unwrap()).unwrap();
    let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
    let plan = hir::shape::plan(hir, &shapes).unwrap();
    exe.run(inputs, &plan.broadcast, &plan.result, &options())
        .unwrap()
}

fn f64s(a: &Array) -> Vec<u64> {
    a.as_f64()
        .expect("float64")
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

fn x_input(values: &[f64]) -> ArrayRef<'static> {
    ArrayRef::Float64(
        ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec())
            .unwrap()
            .into(),
    )
}

#[test]
fn folding_computes_constants_with_the_run_time_engine() {
    let sig = Signature::new().with("x", DType::Float64);
    let hir = lower("x + sin(0.5) * exp(1.25)", &sig);
    let folded = fold(hir.clone(), &eval).unwrap();
    let folded = dce(folded);
    assert!(folded.nodes.iter().all(|n| n.op != Op::Map(Fun::Sin)));
    assert!(folded.nodes.iter().all(|n| n.op != Op::Map(Fun::Exp)));
    // The folded program gives the same bits as the unfolded one run by the VM, and the
    // same value as the reference within its ulp budget.
    let x = [0.0, 1.0, -2.5];
    let inputs = [x_input(&x)];
    assert_eq!(f64s(&run(&folded, &inputs)), f64s(&run(&hir, &inputs)));
    let reference = vm::reference::evaluate(&hir, &inputs).unwrap();
    for (a, b) in f64s(&run(&folded, &inputs)).iter().zip(f64s(&reference)) {
        assert!((f64::from_bits(*a) - f64::from_bits(b)).abs() <= 4.0 * f64::EPSILON * 3.0);
    }
}

#[test]
fn a_constant_condition_selects_a_branch_but_keeps_kind_and_shape() {
    let sig = Signature::new()
        .with("i", DType::Int32)
        .with("y", DType::Float64);
    let hir = lower("where(True, i, y)", &sig);
    let optimized = optimize(hir.clone(), &eval).unwrap();
    assert!(optimized.nodes.iter().all(|n| n.op != Op::Map(Fun::Where)));
    assert_eq!(optimized.dtype(), DType::Float64);
    assert_eq!(
        optimized.inputs.len(),
        2,
        "every input still shapes the result"
    );
    let i = ArrayRef::Int32(
        ArrayD::from_shape_vec(IxDyn(&[3]), vec![1, 2, 3])
            .unwrap()
            .into(),
    );
    let y = ArrayRef::Float64(ArrayD::from_elem(IxDyn(&[2, 3]), 0.5).into());
    let out = run(&optimized, &[i.view(), y.view()]);
    assert_eq!(out.shape(), &[2, 3]);
    let reference = vm::reference::evaluate(&hir, &[i, y]).unwrap();
    assert_eq!(out, reference);
}

#[test]
fn common_subexpressions_are_computed_once() {
    let sig = Signature::new()
        .with("x", DType::Float64)
        .with("y", DType::Float64);
    let hir = lower("sin(x*y) + sin(x*y) * (x*y)", &sig);
    let shared = dce(cse(hir.clone()));
    let count = |h: &Hir, f: Fun| h.nodes.iter().filter(|n| n.op == Op::Map(f)).count();
    assert_eq!(count(&hir, Fun::Sin), 2);
    assert_eq!(count(&shared, Fun::Sin), 1);
    assert_eq!(count(&shared, Fun::Mul), 2, "x*y once, and the product");
    let inputs = [x_input(&[0.5, 2.0]), x_input(&[3.0, -1.0])];
    assert_eq!(f64s(&run(&shared, &inputs)), f64s(&run(&hir, &inputs)));
}

#[test]
fn constants_are_shared_by_bits() {
    let sig = Signature::new().with("x", DType::Float64);
    // 0.0 and -0.0 are different constants; 2.0 twice is one.
    let hir = cse(lower("x * 2.0 + x * 2.0 + (x - 0.0) + (x - -0.0)", &sig));
    let consts: Vec<u64> = hir
        .nodes
        .iter()
        .filter_map(|n| match &n.op {
            Op::Const(Scalar::Float64(v)) => Some(v.to_bits()),
            _ => None,
        })
        .collect();
    assert_eq!(consts.iter().filter(|&&b| b == 2.0f64.to_bits()).count(), 1);
    assert!(consts.contains(&0.0f64.to_bits()) && consts.contains(&(-0.0f64).to_bits()));
}

#[test]
fn dead_code_goes_but_inputs_stay() {
    let sig = Signature::new()
        .with("x", DType::Float64)
        .with("y", DType::Float64);
    let hir = lower("where(False, sin(x) * cos(x), y)", &sig);
    let optimized = optimize(hir, &eval).unwrap();
    assert_eq!(optimized.nodes.len(), 1, "{:?}", optimized.nodes);
    assert_eq!(optimized.inputs.len(), 2);
}

#[test]
fn rewrites_never_change_results() {
    // Expressions whose operations are exact (no transcendental functions), so the VM on the
    // optimised program must equal the reference on the typed one bit for bit.
    let sig = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64)
        .with("i", DType::Int64);
    let a = [0.5, -1.25, 3.0, 0.0, 1e300, f64::NAN, -0.0];
    let b = [2.0, 0.75, -3.0, 4.0, 1e-300, 1.0, 5.0];
    let i = [3i64, -7, 0, i64::MIN, 5, 2, -1];
    let inputs = [
        x_input(&a),
        x_input(&b),
        ArrayRef::Int64(
            ArrayD::from_shape_vec(IxDyn(&[7]), i.to_vec())
                .unwrap()
                .into(),
        ),
    ];
    for expr in [
        "a*b + a*b",
        "a**2 + b**2 + 2*a*b",
        "a**4 - a**3 + a**-2",
        "a**0.5 + b**1.5",
        "(a + 1) * (a + 1) - (2 + 3) * b",
        "where(1 < 2, a, b) + where(a > b, a, b)",
        "i * 2 + i % 7 + (i // 3) * (i // 3)",
        "(i << 3) ^ (i >> 1) ^ (i << 3)",
        "a / (1 + b) - b**3",
        "-(-a) + abs(-b) + 0 * a",
    ] {
        let hir = lower(expr, &sig);
        let optimized = optimize(hir.clone(), &eval).unwrap();
        // Inputs in the expression's slot order (first use).
        let bound: Vec<ArrayRef<'_>> = hir
            .inputs
            .iter()
            .map(|s| match s.name.as_str() {
                "a" => inputs[0].view(),
                "b" => inputs[1].view(),
                _ => inputs[2].view(),
            })
            .collect();
        let reference =
            vm::reference::evaluate(&hir, &bound).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let got = run(&optimized, &bound);
        let same = match (&got, &reference) {
            (Array::Float64(g), Array::Float64(r)) => g
                .iter()
                .zip(r.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())),
            (g, r) => g == r,
        };
        assert!(same, "{expr}: {got:?} vs {reference:?}");
    }
}
