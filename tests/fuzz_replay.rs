//! Replays the committed fuzz inputs on stable: every file of `tests/data/fuzz/<target>/`
//! (seeds, and the minimised crashers of bugs found and fixed, named `crash-*`) goes through
//! the same function as the cargo-fuzz target (`vexpr::fuzz_entry::<target>`), which panics
//! when a property fails. See FUZZING.md.
//!
//! The regressions the fuzzers and property tests found are also spelled out below as plain
//! expressions, so each bug reads as what it was.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use ndarray::{Array1, ArrayD, IxDyn};
use num_complex::Complex64;
use vexpr::{DType, Engine, ErrorKind, Input, RunOptions, Signature, Vars};

/// The committed inputs of one target.
fn inputs(target: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target)
}

/// Run `entry` on every file of `dir`; the number of files and the names of those that fail.
fn replay(dir: &Path, entry: impl Fn(&[u8])) -> (usize, Vec<String>) {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|f| f.expect("a directory entry").path())
        .collect();
    files.sort();
    let mut failed = Vec::new();
    for path in &files {
        let data = std::fs::read(path).expect("a readable input");
        if catch_unwind(AssertUnwindSafe(|| entry(&data))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    (files.len(), failed)
}

fn check(target: &str, entry: fn(&[u8]), at_least: usize) {
    let (count, failed) = replay(&inputs(target), entry);
    assert!(count >= at_least, "only {count} inputs for {target}");
    assert!(
        failed.is_empty(),
        "{target} fails on:\n{}",
        failed.join("\n")
    );
}

#[test]
fn parse_inputs() {
    check("parse", vexpr::fuzz_entry::parse, 10);
}

#[test]
fn compile_inputs() {
    check("compile", vexpr::fuzz_entry::compile, 10);
}

#[test]
fn eval_diff_inputs() {
    check("eval_diff", vexpr::fuzz_entry::eval_diff, 10);
}

/// The replay is not vacuous: a property that fails on some inputs is reported for exactly
/// those files, and an input the parse target rejects cleanly is not a failure.
#[test]
fn a_failing_property_is_reported() {
    assert!(catch_unwind(|| vexpr::fuzz_entry::parse(b"a +")).is_ok());
    let fails_on_powers = |data: &[u8]| {
        assert!(!data.windows(2).any(|w| w == b"**"), "property failed");
    };
    let (count, failed) = replay(&inputs("parse"), fails_on_powers);
    let powers: Vec<String> = std::fs::read_dir(inputs("parse"))
        .expect("the parse inputs")
        .map(|f| f.expect("a directory entry").path())
        .filter(|p| {
            let data = std::fs::read(p).expect("a readable input");
            data.windows(2).any(|w| w == b"**")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(!powers.is_empty() && powers.len() < count, "{powers:?}");
    let mut want = powers;
    want.sort();
    assert_eq!(failed, want);
}

/// `s / s` on byte strings was an internal error ("cannot cast S3 to float64"): `/` typed
/// every non-float operand as float64 before checking the kind. Found by the property test of
/// ill-typed expressions; now a type error at the operator.
#[test]
fn dividing_byte_strings_is_a_type_error() {
    let sig = Signature::new().with("s", DType::Bytes(3));
    let e = vexpr::compile("s / s", &sig).expect_err("a type error");
    assert_eq!(e.kind(), ErrorKind::Type);
    assert_eq!(e.span().map(|s| (s.start, s.end)), Some((2, 3)));
    let e = vexpr::compile("s / 2", &sig).expect_err("a type error");
    assert_eq!(e.kind(), ErrorKind::Type);
}

/// `where(True, x, z)` with byte strings of widths 2 and 4 is S4 (the wider one), but the
/// optimiser replaced the `where` by `x`, so the VM returned S2 and the reference S4. Found
/// by eval_diff; the optimiser now only picks a branch of the `where`'s own dtype.
#[test]
fn a_constant_where_keeps_the_wider_byte_string_dtype() {
    let x = Input::byte_strings(["ab", "c"]);
    let z = Input::byte_strings(["wxyz", "w"]);
    let vars = Vars::new().with("x", x).with("z", z);
    for engine in [Engine::Vm, Engine::Reference] {
        let out = vexpr::compile("where(55 > 0.5, x, z)", &vars.signature())
            .and_then(|p| p.run_with(&vars, &RunOptions::new().engine(engine)))
            .expect("runs");
        assert_eq!(out.dtype(), DType::Bytes(4), "{engine:?}");
        let bytes = out.into_bytes().expect("bytes");
        assert_eq!(bytes.get(&[0]), Some(&b"ab"[..]));
        assert_eq!(bytes.get(&[1]), Some(&b"c"[..]));
    }
}

/// The VM's complex elementary functions came from `num_complex`, whose formulas overflow for
/// large arguments where the reference (and NumPy) give finite values: `sqrt` near
/// `f64::MAX`, `tan` of a large imaginary part, `arcsinh`/`arccosh`/`arccos` of 1e196..1e285,
/// and `arcsin` of a tiny imaginary part rounded to 0. Found by eval_diff; the VM now calls the
/// reference's functions. Expected values from NumPy 2.4 (`np.sqrt`, `np.tan`, ...).
#[test]
fn complex_functions_of_extreme_arguments() {
    let cases: [(&str, Complex64, Complex64); 4] = [
        (
            "sqrt",
            Complex64::new(-f64::MAX, -f64::MAX),
            Complex64::new(6.101_757_441_282_702e153, -1.473_094_556_905_565_5e154),
        ),
        (
            "tan",
            Complex64::new(-7.73828, 1_657_193.996_031_202_1),
            Complex64::new(-0.0, 1.0),
        ),
        (
            "arcsinh",
            Complex64::new(2.509_172_690_007_803_6e196, 3.896_742_313_870_965e-8),
            Complex64::new(452.919_778_500_630_2, 1.552_998_854_717_666_4e-204),
        ),
        (
            "arccosh",
            Complex64::new(-8.893_083_202_995_457e284, 0.93209),
            Complex64::new(656.812_587_397_252_4, std::f64::consts::PI),
        ),
    ];
    for (f, z, want) in cases {
        let x = ArrayD::from_elem(IxDyn(&[]), z);
        let vars = Vars::new().with("x", &x);
        let prog = vexpr::compile(&format!("{f}(x)"), &vars.signature()).expect("compiles");
        for engine in [Engine::Vm, Engine::Reference] {
            let got = prog
                .run_with(&vars, &RunOptions::new().engine(engine))
                .expect("runs")
                .into_c128()
                .expect("complex");
            let got = got.iter().next().copied().expect("one element");
            let close = |a: f64, b: f64| a == b || (a - b).abs() <= 1e-14 * b.abs();
            assert!(
                close(got.re, want.re) && close(got.im, want.im),
                "{f}({z}) on {engine:?}: {got}, NumPy {want}"
            );
        }
    }
    let tiny = Array1::from(vec![Complex64::new(0.0, 7.944_428_380_100_43e-41)]);
    let vars = Vars::new().with("a", &tiny);
    let out = vexpr::evaluate("arcsin(a) != 0", &vars).expect("runs");
    assert_eq!(out.into_bool().expect("bool").iter().next(), Some(&true));
}
