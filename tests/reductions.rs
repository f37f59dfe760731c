//! Reductions anywhere in an expression, `keepdims`, and `mean`, `var`, `std` (issue 16):
//! the VM (every phase, 1 and 2 threads) against the reference evaluator, which evaluates
//! the typed tree directly with its own compensated algorithms; shapes, dtypes, empty inputs
//! and errors as NumPy has them.

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use num_complex::Complex64;
use vexpr::{Array, DType, Engine, ErrorKind, RunOptions, Vars};

/// Deterministic values in [-1, 1) (a 64-bit LCG), `n` of them, from `seed`.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
        })
        .collect()
}

fn f64s(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), noise(n, seed)).unwrap()
}

/// Every element of `a` as a complex number (for comparisons of any dtype).
fn elements(a: &Array) -> Vec<Complex64> {
    let c = |x: f64| Complex64::new(x, 0.0);
    match a {
        Array::Bool(x) => x.iter().map(|&b| c(f64::from(u8::from(b)))).collect(),
        Array::Int32(x) => x.iter().map(|&v| c(f64::from(v))).collect(),
        Array::Int64(x) => x.iter().map(|&v| c(v as f64)).collect(),
        Array::Float32(x) => x.iter().map(|&v| c(f64::from(v))).collect(),
        Array::Float64(x) => x.iter().map(|&v| c(v)).collect(),
        Array::Complex128(x) => x.iter().copied().collect(),
        Array::Bytes(_) => panic!("no byte strings here"),
    }
}

/// The VM's result of `expr` matches the reference's: same dtype and shape, elements within
/// `rtol` of the larger of 1 and the largest magnitude of the reference's result (NaN where
/// NaN), on 1 thread and on 2 threads with the pool used even for small arrays.
fn check(expr: &str, vars: &Vars<'_>, rtol: f64) -> Array {
    let prog = vexpr::compile(expr, &vars.signature()).unwrap_or_else(|e| panic!("{expr}: {e}"));
    let want = prog
        .run_with(vars, &RunOptions::new().engine(Engine::Reference))
        .unwrap_or_else(|e| panic!("{expr} (reference): {e}"));
    let scale = elements(&want)
        .iter()
        .map(|z| z.norm())
        .filter(|m| m.is_finite())
        .fold(1.0, f64::max);
    for options in [
        RunOptions::new().threads(1),
        RunOptions::new().threads(2).parallel_min(0).block_len(64),
    ] {
        let got = prog
            .run_with(vars, &options)
            .unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(got.dtype(), want.dtype(), "{expr}");
        assert_eq!(got.shape(), want.shape(), "{expr}");
        for (k, (g, w)) in elements(&got).iter().zip(elements(&want)).enumerate() {
            let nan = |z: &Complex64| z.re.is_nan() || z.im.is_nan();
            if nan(&w) || nan(g) {
                assert!(
                    nan(&w) && nan(g),
                    "{expr}: element {k}: vm {g}, reference {w}"
                );
                continue;
            }
            if w.re.is_infinite() || w.im.is_infinite() {
                assert_eq!(*g, w, "{expr}: element {k}");
                continue;
            }
            assert!(
                (g - w).norm() <= rtol * scale,
                "{expr}: element {k}: vm {g}, reference {w}"
            );
        }
    }
    want
}

#[test]
fn reductions_inside_expressions_match_the_reference() {
    let x = f64s(&[1000], 1);
    let a = f64s(&[7, 5], 2);
    let b = f64s(&[5], 3);
    let c = f64s(&[3, 4, 6], 4);
    let vars = Vars::new()
        .with("x", &x)
        .with("a", &a)
        .with("b", &b)
        .with("c", &c);
    for expr in [
        "(x - min(x)) / (max(x) - min(x))",
        "x - mean(x)",
        "x / sum(x)",
        "sum(x - mean(x))",
        "sum((x - mean(x))**2) / 1000 - var(x)",
        "a - mean(a, axis=0)",
        "a - mean(a, axis=1, keepdims=True)",
        "a / max(a, axis=-1, keepdims=True)",
        "a * sum(b) + b",
        "sum(a, axis=0) + b",
        "sum(a * b, axis=1)",
        "sum(a * b, axis=1, keepdims=True) * a",
        "mean(c, axis=1)",
        "c - mean(c, axis=2, keepdims=True)",
        "std(c, axis=0, ddof=1)",
        "var(c, axis=-1)",
        "c / std(c, keepdims=True)",
        "exp(x - max(x)) / sum(exp(x - max(x)))",
        "sum(a - mean(a, axis=0), axis=0)",
        "max(abs(x - mean(x)))",
        "mean(mean(c, axis=0), axis=0)",
        "min(x) < x",
        "where(x > mean(x), x, mean(x))",
        "mean(x)",
        "var(a)",
        "std(a, ddof=2)",
        "sum(a, keepdims=True)",
        "prod(b, axis=0, keepdims=True)",
    ] {
        check(expr, &vars, 1e-12);
    }
}

#[test]
fn results_have_numpy_shapes() {
    let a = f64s(&[7, 5], 2);
    let b = f64s(&[5], 3);
    let d = f64s(&[3, 1], 5);
    let vars = Vars::new().with("a", &a).with("b", &b).with("d", &d);
    for (expr, shape) in [
        ("a - mean(a, axis=1, keepdims=True)", vec![7, 5]),
        ("mean(a, axis=1, keepdims=True)", vec![7, 1]),
        ("sum(a, keepdims=True)", vec![1, 1]),
        ("mean(a, axis=0)", vec![5]),
        ("sum(a) + d", vec![3, 1]),
        ("sum(a, axis=0) + d", vec![3, 5]),
        ("d * sum(b)", vec![3, 1]),
        ("sum(d * b, axis=0)", vec![5]),
        ("max(a) - min(b)", vec![]),
    ] {
        let prog = vexpr::compile(expr, &vars.signature()).unwrap();
        assert_eq!(prog.shape(&vars).unwrap(), shape, "{expr}");
        let got = check(expr, &vars, 1e-12);
        assert_eq!(got.shape(), shape.as_slice(), "{expr}");
    }
    // Shapes that NumPy cannot broadcast are errors at the operation.
    let prog = vexpr::compile("a + sum(a, axis=1)", &vars.signature()).unwrap();
    let e = prog.run(&vars).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Shape);
    assert_eq!(e.span().map(|s| s.start..s.end), Some(2..3));
}

#[test]
fn every_dtype_gets_numpys_result_dtype() {
    let n = 37;
    let v = noise(n, 9);
    let b: Vec<bool> = v.iter().map(|&x| x > 0.0).collect();
    let i: Vec<i32> = v.iter().map(|&x| (x * 1000.0) as i32).collect();
    let l: Vec<i64> = v.iter().map(|&x| (x * 1e12) as i64).collect();
    let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let z: Vec<Complex64> = v
        .iter()
        .zip(noise(n, 10))
        .map(|(&r, m)| Complex64::new(r, m))
        .collect();
    let vars = Vars::new()
        .with("b", &b[..])
        .with("i", &i[..])
        .with("l", &l[..])
        .with("f", &f[..])
        .with("d", &v[..])
        .with("z", &z[..]);
    use DType::*;
    for (name, mean, var) in [
        ("b", Float64, Float64),
        ("i", Float64, Float64),
        ("l", Float64, Float64),
        ("f", Float32, Float32),
        ("d", Float64, Float64),
        ("z", Complex128, Float64),
    ] {
        let rtol = if name == "f" { 1e-5 } else { 1e-12 };
        for (expr, dtype) in [
            (format!("mean({name})"), mean),
            (format!("var({name})"), var),
            (format!("std({name}, ddof=1)"), var),
            (
                format!("{name} - mean({name})"),
                if name == "b" { Float64 } else { mean },
            ),
        ] {
            if name == "b" && expr.starts_with("b -") {
                continue; // `bool - float` is a float, checked below
            }
            let got = check(&expr, &vars, rtol);
            assert_eq!(got.dtype(), dtype, "{expr}");
        }
    }
    assert_eq!(check("b * mean(b)", &vars, 1e-12).dtype(), Float64);
    assert_eq!(check("i - mean(i)", &vars, 1e-12).dtype(), Float64);
    assert_eq!(check("sum(i) - i", &vars, 0.0).dtype(), Int32);
    assert_eq!(check("l - max(l)", &vars, 0.0).dtype(), Int64);
    assert_eq!(check("any(b) & b", &vars, 0.0).dtype(), Bool);
    assert_eq!(check("i - min(i)", &vars, 0.0).dtype(), Int32);
}

#[test]
fn non_contiguous_and_broadcast_inputs() {
    let full = f64s(&[8, 6], 11);
    let strided = full.slice(ndarray::s![..;2, ..;-1]).into_dyn();
    let fortran = ArrayD::from_shape_vec(IxDyn(&[4, 6]).f(), noise(24, 12)).unwrap();
    let vars = Vars::new().with("s", &strided).with("t", &fortran);
    for expr in [
        "s - mean(s, axis=0)",
        "t / sum(t, axis=1, keepdims=True)",
        "s * t - var(s * t)",
        "sum(s - t, axis=0) - mean(t, axis=0)",
    ] {
        check(expr, &vars, 1e-12);
    }
}

#[test]
fn empty_inputs_follow_numpy() {
    let empty = ArrayD::<f64>::zeros(IxDyn(&[0]));
    let empty2 = ArrayD::<f64>::zeros(IxDyn(&[0, 3]));
    let one = ArrayD::<f64>::from_elem(IxDyn(&[1]), 2.0);
    let vars = Vars::new()
        .with("e", &empty)
        .with("m", &empty2)
        .with("o", &one);
    let value = |expr: &str| -> Vec<f64> {
        let a = check(expr, &vars, 0.0);
        elements(&a).iter().map(|z| z.re).collect()
    };
    assert_eq!(value("sum(e) + o"), [2.0]);
    assert_eq!(value("prod(e) * o"), [2.0]);
    assert!(value("mean(e) + o")[0].is_nan());
    assert!(value("var(e)")[0].is_nan());
    assert_eq!(value("mean(m, axis=0)").len(), 3);
    assert!(value("mean(m, axis=0)").iter().all(|v| v.is_nan()));
    assert_eq!(value("sum(m, axis=1)").len(), 0);
    assert_eq!(value("max(m, axis=1)").len(), 0);
    // ddof >= n: NumPy divides by max(n - ddof, 0): inf (or NaN for a zero sum).
    assert!(value("var(o, ddof=1)")[0].is_nan());
    // min and max of nothing are errors with the span of the reduction, never a panic.
    for (expr, span) in [("o + min(e)", 4..7), ("max(m, axis=0) * 2", 0..3)] {
        let prog = vexpr::compile(expr, &vars.signature()).unwrap();
        for engine in [Engine::Vm, Engine::Reference] {
            let e = prog
                .run_with(&vars, &RunOptions::new().engine(engine))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Shape, "{expr}");
            assert_eq!(
                e.span().map(|s| s.start..s.end),
                Some(span.clone()),
                "{expr}"
            );
            assert!(e.message().contains("no identity"), "{e}");
        }
    }
}

#[test]
fn nan_and_inf_propagate() {
    let x = [1.0, f64::NAN, 3.0];
    let y = [1.0, f64::INFINITY, 3.0];
    let vars = Vars::new().with("x", &x[..]).with("y", &y[..]);
    for expr in [
        "x - mean(x)",
        "x - max(x)",
        "var(x)",
        "y - mean(y)",
        "std(y)",
        "y / sum(y)",
    ] {
        check(expr, &vars, 1e-15);
    }
}

#[test]
fn two_pass_variance_survives_a_large_mean() {
    // Values 1e9 + small noise: a one-pass variance (E[x^2] - E[x]^2) loses every digit.
    let noise = noise(100_000, 21);
    let x: Vec<f64> = noise.iter().map(|&e| 1e9 + e).collect();
    let vars = Vars::new().with("x", &x[..]);
    let got = vexpr::evaluate("var(x)", &vars)
        .unwrap()
        .into_f64()
        .unwrap();
    let want = vexpr::compile("var(x)", &vars.signature())
        .unwrap()
        .run_with(&vars, &RunOptions::new().engine(Engine::Reference))
        .unwrap()
        .into_f64()
        .unwrap();
    let (g, w) = (got[[]], want[[]]);
    assert!((g - w).abs() <= 1e-6 * w, "vm {g}, reference {w}");
    assert!(
        (w - 1.0 / 3.0).abs() < 0.01,
        "the variance of U(-1, 1) is 1/3: {w}"
    );
}

#[test]
fn identical_reductions_are_computed_once() {
    let x = [1.0, 2.0];
    let vars = Vars::new().with("x", &x[..]);
    let dis = vexpr::compile("(x - min(x)) / (max(x) - min(x))", &vars.signature())
        .unwrap()
        .to_string();
    assert!(dis.starts_with("; phases: 3"), "{dis}");
    assert_eq!(dis.matches("min.f64").count(), 1, "{dis}");
    // var's first pass is mean's sum.
    let dis = vexpr::compile("(x - mean(x)) / std(x)", &vars.signature())
        .unwrap()
        .to_string();
    assert!(dis.starts_with("; phases: 3"), "{dis}");
    // Without inner reductions nothing changes.
    let dis = vexpr::compile("sum(x * 2)", &vars.signature())
        .unwrap()
        .to_string();
    assert!(!dis.contains("phase"), "{dis}");
}

#[test]
fn reductions_of_the_same_values_share_one_pass() {
    let mut x = f64s(&[1000], 5);
    let a = f64s(&[7, 5], 6);
    let i = ArrayD::from_shape_vec(IxDyn(&[6]), vec![3i64, -9, 12, 0, i64::MAX, i64::MIN]).unwrap();
    let vars = Vars::new().with("x", &x).with("a", &a).with("i", &i);
    let sig = vars.signature();
    let dis = |expr: &str| vexpr::compile(expr, &sig).unwrap().to_string();
    // min(x) and max(x) read x once: the later phase is folded in the earlier one's pass.
    let shown = dis("(x - min(x)) / (max(x) - min(x))");
    assert!(
        shown.contains("; phase 1 -> %1 (folded in phase 0's pass)"),
        "{shown}"
    );
    // Not the same values: other constants (down to the sign of a zero), another axis.
    for expr in [
        "min(x * 0.0) + max(x * -0.0)",
        "min(x * 2) + max(x * 3)",
        "min(a, axis=0) + max(a, axis=1, keepdims=True)",
    ] {
        assert!(!dis(expr).contains("folded"), "{expr}: {}", dis(expr));
    }
    for expr in [
        "(x - min(x)) / (max(x) - min(x))",
        "min(x * 0.0) + max(x * -0.0)",
        "sum(x * 2) - prod(x * 2) + max(x * 2)",
        "max(a, axis=0, keepdims=True) - min(a, axis=0) + a",
        "a - (max(a, axis=1, keepdims=True) + min(a, axis=1, keepdims=True)) / 2",
        "any(x > 0.5) & ~all(x > 0.5)",
        "max(i) - min(i) + i",
        "(min(i) < 0) & (max(i) > 0)",
    ] {
        assert!(
            dis(expr).contains("folded") || expr.contains("0.0"),
            "{expr}: {}",
            dis(expr)
        );
        check(expr, &vars, 1e-12);
    }
    // NaN wins both folds of the shared pass, as it wins each alone.
    x[17] = f64::NAN;
    let vars = Vars::new().with("x", &x);
    let got = check("max(x) - min(x) + 0 * x", &vars, 0.0);
    assert!(elements(&got).iter().all(|z| z.re.is_nan()));
}

#[test]
fn a_cancelled_evaluation_leaves_no_result_in_the_output() {
    let x = vec![1.0; 100_000];
    let vars = Vars::new().with("x", &x[..]);
    let prog = vexpr::compile("x - mean(x)", &vars.signature()).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(true);
    let mut out = vec![7.0f64; x.len()];
    let e = prog
        .run_into_with(&vars, (&mut out).into(), &RunOptions::new().cancel(&stop))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(out.iter().all(|v| v.is_nan()), "{:?}", &out[..4]);
}
