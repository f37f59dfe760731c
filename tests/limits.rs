//! The documented limits (`vexpr::limits`) at the limit and one past it, through the public
//! API, and results too large for memory.
//!
//! The source length, nesting depth and variable count are tested beside the parser and the
//! typing pass (`syntax` and `hir` unit tests); this file covers the rest: instructions,
//! registers, constants, the dimensions of inputs, of broadcasts and of results, and
//! `ErrorKind::Memory` for results that cannot be allocated.

use ndarray::{ArrayD, ArrayView, IxDyn, ShapeBuilder};
use vexpr::limits::{
    MAX_CONSTANTS, MAX_DIMS, MAX_INSTRUCTIONS, MAX_NESTING, MAX_REGISTERS, MAX_SOURCE_LEN,
};
use vexpr::{Compiled, DType, Engine, ErrorKind, RunOptions, Signature, Vars};

/// Instructions in a disassembly (every line but the `;` header; no reduction here).
fn instructions(prog: &Compiled) -> usize {
    prog.to_string()
        .lines()
        .filter(|l| !l.starts_with(';'))
        .count()
}

/// The register count the disassembly header reports.
fn registers(prog: &Compiled) -> usize {
    let text = prog.to_string();
    let header = text.lines().nth(1).unwrap_or_default();
    let n = header
        .split("registers: ")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .expect("a register count in the header");
    n.trim().parse().expect("a number")
}

fn float_vars(names: &[String]) -> Signature {
    names
        .iter()
        .fold(Signature::new(), |sig, n| sig.with(n, DType::Float64))
}

/// `(a_k + a_l) ** 47`, raised to `** 47` again `levels - 1` times: 1 + 9 * levels
/// instructions (47 = 0b101111 is 5 squarings and 4 products), 6 * levels + 10 bytes.
fn tower(k: usize, l: usize, levels: usize) -> String {
    format!(
        "{}(a{k}+a{l})**47){}",
        "(".repeat(levels),
        "**47)".repeat(levels - 1)
    )
}

/// The largest expressions the language allows compile to more than `MAX_INSTRUCTIONS`: the
/// power expansion makes 9 instructions of `**47` (5 bytes), so the limit is reachable within
/// `MAX_SOURCE_LEN`. At the limit the program compiles; one more instruction is refused.
#[test]
fn instructions_at_the_limit_and_one_past_it() {
    const LEVELS: usize = 250;
    const { assert!(LEVELS + 1 < MAX_NESTING) };
    let per_tower = 1 + 9 * LEVELS;
    let vars: Vec<String> = (0..31).map(|k| format!("a{k}")).collect();
    let sig = float_vars(&vars);
    // Check the arithmetic on one tower.
    let one = vexpr::compile(&tower(0, 1, LEVELS), &sig).expect("one tower compiles");
    assert_eq!(instructions(&one), per_tower);
    // Distinct pairs (k < l) share no node: each tower adds exactly `per_tower`, each `+` one.
    let pairs: Vec<(usize, usize)> = (0..31)
        .flat_map(|k| (k + 1..31).map(move |l| (k, l)))
        .collect();
    let towers = MAX_INSTRUCTIONS / (per_tower + 1);
    assert!(towers <= pairs.len());
    let mut expr = pairs[..towers]
        .iter()
        .map(|&(k, l)| tower(k, l, LEVELS))
        .collect::<Vec<_>>()
        .join("+");
    let mut count = towers * per_tower + towers - 1;
    // Then `+ a_j` terms, one instruction each (every `+` has a different left operand).
    let mut j = 0;
    while count < MAX_INSTRUCTIONS {
        expr.push_str(&format!("+a{}", j % 31));
        count += 1;
        j += 1;
    }
    assert!(expr.len() < MAX_SOURCE_LEN, "{} bytes", expr.len());
    let at_limit = vexpr::compile(&expr, &sig).expect("the limit itself compiles");
    assert_eq!(instructions(&at_limit), MAX_INSTRUCTIONS);
    drop(at_limit);

    expr.push_str("+a0");
    let e = vexpr::compile(&expr, &sig).expect_err("one instruction too many");
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.message(),
        format!(
            "the expression compiles to {} instructions; the limit is {MAX_INSTRUCTIONS}",
            MAX_INSTRUCTIONS + 1
        )
    );
}

/// `(a+1) + (a+2) + ... + (a+n) + (a+1)*(a+2)*...*(a+n)`: the sum is computed first or
/// second, and either way every `a+i` is still needed by the other chain, so all `n` of them
/// are live at once, one register each.
fn live_values(n: usize) -> String {
    let terms: Vec<String> = (1..=n).map(|i| format!("(a+{i})")).collect();
    format!("({}) + ({})", terms.join(" + "), terms.join(" * "))
}

/// Registers are reused as soon as a value is dead, so only an expression that keeps many
/// values alive reaches `MAX_REGISTERS`: [`live_values`] does.
#[test]
fn registers_at_the_limit_and_one_past_it() {
    let sig = Signature::new().with("a", DType::Float64);
    let used = |n: usize| registers(&vexpr::compile(&live_values(n), &sig).expect("compiles"));
    // One register per live value, plus a fixed few for the running sum and product.
    let base = used(100) - 100;
    assert_eq!(used(101), base + 101);
    let n = MAX_REGISTERS - base;
    assert_eq!(used(n), MAX_REGISTERS);
    let e = vexpr::compile(&live_values(n + 1), &sig).expect_err("one register too many");
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.message(),
        format!("the expression needs more than {MAX_REGISTERS} block registers")
    );
}

/// `x + 1.5 + 2.5 + ...`: at the limit every constant is still the right one (they used to
/// wrap around a 16-bit index past 65,536), one more is refused.
#[test]
fn constants_at_the_limit_and_one_past_it() {
    let sum = |n: usize| {
        let mut s = String::from("x");
        for k in 1..=n {
            s.push_str(&format!("+{k}.5"));
        }
        s
    };
    let x = [0.0f64, 1.0];
    let vars = Vars::new().with("x", &x);
    let at_limit = sum(MAX_CONSTANTS);
    let out = vexpr::evaluate(&at_limit, &vars)
        .expect("the limit compiles")
        .into_f64()
        .expect("float64");
    // Every partial sum is a multiple of 0.5 below 2^53: exact.
    let n = MAX_CONSTANTS as f64;
    let want = n * (n + 1.0) / 2.0 + n / 2.0;
    assert_eq!(out.as_slice(), Some(&[want, want + 1.0][..]));
    let past = sum(MAX_CONSTANTS + 1);
    let e = vexpr::evaluate(&past, &vars).expect_err("one constant too many");
    assert_eq!(e.kind(), ErrorKind::Limit);
    let span = e.span().expect("the constant is located");
    let last = format!("{}.5", MAX_CONSTANTS + 1);
    assert_eq!(&past[span.start..span.end], last);
}

/// An array of `dims` dimensions, all 1 except `big` at the end.
fn ones_shape(dims: usize, last: usize) -> Vec<usize> {
    let mut shape = vec![1; dims];
    if let Some(l) = shape.last_mut() {
        *l = last;
    }
    shape
}

#[test]
fn inputs_of_32_dimensions_and_not_33() {
    let ok = ArrayD::<f64>::from_elem(IxDyn(&ones_shape(MAX_DIMS, 2)), 1.5);
    let out = vexpr::evaluate("x * 2", &Vars::new().with("x", &ok)).expect("32 dimensions");
    assert_eq!(out.shape(), ok.shape());
    assert_eq!(
        out.into_f64()
            .expect("float64")
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        [3.0, 3.0]
    );
    let deep = ArrayD::<f64>::zeros(IxDyn(&ones_shape(MAX_DIMS + 1, 2)));
    let expr = "y + x * 2";
    let y = [1.0];
    let e = vexpr::evaluate(expr, &Vars::new().with("x", &deep).with("y", &y))
        .expect_err("33 dimensions");
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.message(),
        "variable `x` has 33 dimensions; at most 32 are supported"
    );
    let span = e.span().expect("located at the variable");
    assert_eq!(&expr[span.start..span.end], "x");
}

/// Two 32-dimensional inputs, and a 32-dimensional with a 1-dimensional one, broadcast to a
/// 32-dimensional result; every engine agrees on its values.
#[test]
fn the_32_dimension_broadcast() {
    let mut col = vec![1; MAX_DIMS];
    col[0] = 2;
    let a = ArrayD::from_shape_vec(IxDyn(&col), vec![10.0, 20.0]).expect("shape");
    let b = ArrayD::from_shape_vec(IxDyn(&ones_shape(MAX_DIMS, 3)), vec![1.0, 2.0, 3.0])
        .expect("shape");
    let c = [100.0, 200.0, 300.0];
    let vars = Vars::new().with("a", &a).with("b", &b).with("c", &c);
    let prog = vexpr::compile("a + b + c", &vars.signature()).expect("compiles");
    let mut want_shape = vec![1; MAX_DIMS];
    want_shape[0] = 2;
    want_shape[MAX_DIMS - 1] = 3;
    for engine in [Engine::Reference, Engine::Vm] {
        let out = prog
            .run_with(&vars, &RunOptions::new().engine(engine))
            .expect("runs");
        assert_eq!(out.shape(), want_shape.as_slice(), "{engine:?}");
        let values: Vec<f64> = out.into_f64().expect("float64").iter().copied().collect();
        assert_eq!(
            values,
            [111.0, 212.0, 313.0, 121.0, 222.0, 323.0],
            "{engine:?}"
        );
    }
    // The result can be written into a 32-dimensional output, not a 33-dimensional one.
    let mut out = ArrayD::<f64>::zeros(IxDyn(&want_shape));
    prog.run_into(&vars, (&mut out).into())
        .expect("a 32-d output");
    assert_eq!(out.iter().sum::<f64>(), 1302.0);
    let mut deeper = want_shape.clone();
    deeper.insert(0, 1);
    let mut out33 = ArrayD::<f64>::zeros(IxDyn(&deeper));
    let e = prog
        .run_into(&vars, (&mut out33).into())
        .expect_err("a 33-d output");
    assert_eq!(e.kind(), ErrorKind::Output);
    assert_eq!(out33.iter().sum::<f64>(), 0.0, "nothing written on error");
}

#[test]
fn reductions_of_32_dimensions() {
    let x = ArrayD::from_shape_vec(IxDyn(&ones_shape(MAX_DIMS, 4)), vec![1i64, 2, 3, 4])
        .expect("shape");
    let vars = Vars::new().with("x", &x);
    let last = vexpr::evaluate("sum(x, axis=31)", &vars).expect("the last axis");
    assert_eq!(last.shape(), vec![1; MAX_DIMS - 1].as_slice());
    assert_eq!(last.into_i64().expect("int64").iter().sum::<i64>(), 10);
    let first = vexpr::evaluate("prod(x, axis=-32)", &vars).expect("the first axis");
    assert_eq!(first.shape(), ones_shape(MAX_DIMS - 1, 4).as_slice());
    for axis in ["32", "-33"] {
        let e = vexpr::evaluate(&format!("sum(x, axis={axis})"), &vars).expect_err(axis);
        assert_eq!(e.kind(), ErrorKind::Axis, "axis={axis}");
    }
}

/// A view of one element with every stride 0: any shape, no memory.
fn broadcast_one<'a>(value: &'a f64, shape: &[usize]) -> ArrayView<'a, f64, IxDyn> {
    let strides = IxDyn(&vec![0; shape.len()]);
    ArrayView::from_shape(IxDyn(shape).strides(strides), std::slice::from_ref(value))
        .expect("zero strides address the one element")
}

/// (1, 10^6) by (10^6, 1) float64 is an 8 TB result: a `Memory` error on every engine, not an
/// abort. (On Linux with the default heuristic overcommit, an allocation larger than RAM and
/// swap fails at once, so the error is immediate.)
#[test]
fn results_larger_than_memory_are_memory_errors() {
    let one = 1.0;
    let row = broadcast_one(&one, &[1, 1_000_000]);
    let col = broadcast_one(&one, &[1_000_000, 1]);
    let vars = Vars::new().with("a", row).with("b", col);
    let prog = vexpr::compile("a * b + 1", &vars.signature()).expect("compiles");
    for engine in [Engine::Vm, Engine::Reference] {
        let e = prog
            .run_with(&vars, &RunOptions::new().engine(engine))
            .expect_err("8 TB");
        assert_eq!(e.kind(), ErrorKind::Memory, "{engine:?}: {e}");
    }
}

/// Shapes whose element count, or byte count, overflows `usize`.
#[test]
fn shapes_that_overflow_usize_are_memory_errors() {
    let one = 1.0;
    let cases: [(&[usize], &[usize]); 2] = [
        // 2^64 elements.
        (&[1 << 32, 1], &[1, 1 << 32]),
        // 2^61 elements of 8 bytes: 2^64 bytes.
        (&[1 << 31, 1], &[1, 1 << 30]),
    ];
    for (a, b) in cases {
        let vars = Vars::new()
            .with("a", broadcast_one(&one, a))
            .with("b", broadcast_one(&one, b));
        let prog = vexpr::compile("a + b", &vars.signature()).expect("compiles");
        for engine in [Engine::Vm, Engine::Reference] {
            let e = prog
                .run_with(&vars, &RunOptions::new().engine(engine))
                .expect_err("too large");
            assert_eq!(e.kind(), ErrorKind::Memory, "{a:?} {b:?} {engine:?}: {e}");
        }
    }
}

/// A full reduction keeps one partial result per block of the broadcast shape: (1, 10^7) by
/// (10^7, 1) needs 781 GB of partials. That allocation used to be an infallible `vec!`, which
/// aborted the process even with the cancel flag already set; now it is a `Memory` error.
#[test]
fn a_full_reduction_of_a_huge_broadcast_is_a_memory_error() {
    let one = 1.0;
    let vars = Vars::new()
        .with("a", broadcast_one(&one, &[1, 10_000_000]))
        .with("b", broadcast_one(&one, &[10_000_000, 1]));
    let stop = std::sync::atomic::AtomicBool::new(true);
    let e = vexpr::compile("prod(a * b)", &vars.signature())
        .and_then(|p| p.run_with(&vars, &RunOptions::new().cancel(&stop)))
        .expect_err("cancelled or out of memory");
    assert!(
        matches!(e.kind(), ErrorKind::Memory | ErrorKind::Cancelled),
        "{e}"
    );
}

/// Inputs the size of the limits go through every stage without recursion on their size
/// (CI runs this file with 256 KiB test-thread stacks too): a flat sum of 100,000 terms, a
/// chain of 100,000 unary minuses and a product of 100,000 factors all
/// evaluate on both engines; 100,000 nested brackets are a `Limit` error at the bracket that
/// crosses `MAX_NESTING`.
#[test]
fn huge_inputs_evaluate_or_fail_cleanly_without_deep_recursion() {
    let x = ndarray::Array1::from(vec![0.5, -2.0, 3.0]);
    let vars = Vars::new().with("x", &x);
    let cases = [
        (vec!["x"; 100_000].join("+"), 100_000.0),
        (format!("{}x", "-".repeat(100_000)), 1.0),
        (format!("x{}", "*(x/x)".repeat(100_000)), 1.0),
    ];
    for (text, factor) in cases {
        let prog = vexpr::compile(&text, &vars.signature()).expect("compiles");
        for engine in [Engine::Vm, Engine::Reference] {
            let out = prog
                .run_with(&vars, &RunOptions::new().engine(engine))
                .expect("runs")
                .into_f64()
                .expect("float64");
            let want: Vec<f64> = x.iter().map(|v| v * factor).collect();
            let got: Vec<f64> = out.iter().copied().collect();
            assert!(
                got.iter().zip(&want).all(|(g, w)| g == w),
                "{engine:?} {}...: {got:?}",
                &text[..20]
            );
        }
    }
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = vexpr::compile(&deep, &vars.signature()).expect_err("too deep");
    assert_eq!(e.kind(), ErrorKind::Limit);
    assert_eq!(
        e.span().map(|s| s.start),
        Some(MAX_NESTING),
        "the bracket past the limit"
    );
}
