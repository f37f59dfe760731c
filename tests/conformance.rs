//! The golden corpus computed by numexpr 2.14.2 (`tests/data/conformance/`), run case by case
//! with the comparison rule of its README (`compare.py`): dtype, shape, exact bools, ints and
//! strings, floats within the case's tolerance class, and errors where numexpr raised.
//!
//! Cases marked `departure` in the corpus, and the few listed in [`SPEC_EXTENSIONS`], record
//! numexpr behaviour that vexpr deliberately does not copy (LANGUAGE.md); they are skipped
//! here and vexpr's own rule for each is tested in `tests/departures.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use num_complex::Complex64;
use serde_json::Value;
use vexpr::fuzz_entry::bits;
use vexpr::{Array, Engine, Jit, RunOptions, Signature, Vars};

/// Cases where LANGUAGE.md gives vexpr its own rule but the corpus does not mark them
/// `departure` (mostly extensions numexpr refuses, and expressions whose dtype follows from a
/// departure): (id, the rule). vexpr's rule for each is tested in `tests/departures.rs`.
const SPEC_EXTENSIONS: &[(&str, &str)] = &[
    ("reduce-0001", SUM_BOOL),
    ("reduce-0002", SUM_BOOL),
    ("reduce-0003", SUM_BOOL),
    ("reduce-0004", SUM_BOOL),
    ("reduce-0005", SUM_BOOL),
    ("reduce-0006", SUM_BOOL),
    ("reduce-0164", SUM_BOOL),
    ("error-0081", SUM_BOOL),
    ("reduce-0204", NEGATIVE_AXIS),
    ("reduce-0205", NEGATIVE_AXIS),
    ("where-0058", WHERE_BYTES),
    ("where-0062", WHERE_BYTES),
    ("string-0042", WHERE_BYTES),
    ("reduce-0181", EXACT_INT_EXTREMA),
    ("reduce-0182", EXACT_INT_EXTREMA),
    ("func-0328", ABS_INT),
    ("random-0258", FOLDED_FUNCTION),
    ("random-0383", FOLDED_FUNCTION),
    ("random-0402", FOLDED_FUNCTION),
    ("random-0392", WHERE_NOT_FOLDED),
    ("reduce-0199", REDUCTIONS_ANYWHERE),
    ("reduce-0200", REDUCTIONS_ANYWHERE),
    ("reduce-0201", REDUCTIONS_ANYWHERE),
    ("reduce-0202", REDUCTIONS_ANYWHERE),
    ("reduce-0203", REDUCTIONS_ANYWHERE),
    ("error-0037", MEAN),
];

const MEAN: &str = "Reductions: `mean`, `var` and `std` are extensions (numexpr has no `mean`)";

const REDUCTIONS_ANYWHERE: &str = "Reductions: a reduction may appear anywhere in an expression \
     (numexpr allows it only as the outermost operation)";

const SUM_BOOL: &str =
    "Reductions: sum of bool counts the trues as int64 (extension: numexpr refuses)";
const NEGATIVE_AXIS: &str =
    "Reductions: `axis` is an integer literal (negative counts from the end)";
const WHERE_BYTES: &str = "Functions, where: byte strings are allowed when both are";
const EXACT_INT_EXTREMA: &str = "Reductions: the result kind is the input kind; numexpr's int64 \
     min/max go through double and can return a value that is not in the array (2**62 for \
     2**62+1); vexpr's integer min/max are exact";
const ABS_INT: &str = "Functions: abs keeps the int kind (defect fixed), so abs(int64) + \
     abs(bool) is int64 + float32 = float32";
const FOLDED_FUNCTION: &str = "Constant folding: a function of literals folds to the value the \
     VM would compute at that literal's kind (round(10) is int32, real(3) is float64, \
     conj(True) is complex128 and so cannot be ordered)";
const WHERE_NOT_FOLDED: &str = "Constant folding: the result kind of where never depends on \
     folding (where(True, 3, 1j) is complex128)";

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance")
}

/// One line of `cases.jsonl`.
struct Case {
    id: String,
    expr: String,
    vars: BTreeMap<String, String>,
    expect: Option<String>,
    tol: String,
    error: Option<String>,
    departure: bool,
}

fn load_cases() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus_dir().join("golden/cases.jsonl"))
        .expect("the corpus index is readable");
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("a JSON line");
            let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
            Case {
                id: s("id").expect("id"),
                expr: s("expr").expect("expr"),
                vars: v["vars"]
                    .as_object()
                    .expect("vars")
                    .iter()
                    .map(|(k, p)| (k.clone(), p.as_str().expect("path").to_string()))
                    .collect(),
                expect: s("expect"),
                tol: s("tol").unwrap_or_else(|| "arith".into()),
                error: s("error"),
                departure: v.get("departure").is_some(),
            }
        })
        .collect()
}

/// The tolerance classes of the corpus README: (ulps, rtol f64, rtol f32, rtol c128, scaled atol).
fn tolerance(class: &str) -> (f64, f64, f64, f64, bool) {
    match class {
        "arith" => (4.0, 0.0, 0.0, 0.0, false),
        "transc" => (4.0, 1e-14, 1e-6, 1e-11, false),
        "composite" => (8.0, 1e-9, 1e-4, 1e-9, true),
        "reduction" => (8.0, 1e-10, 1e-3, 1e-10, true),
        other => panic!("unknown tolerance class {other}"),
    }
}

/// `numpy.spacing(|x|)` in the result's precision.
fn spacing(x: f64, single: bool) -> f64 {
    let x = x.abs();
    if single {
        let x = x as f32;
        (f32::from_bits(x.to_bits() + 1) - x) as f64
    } else {
        f64::from_bits(x.to_bits() + 1) - x
    }
}

/// Rule 4 of the README for one float element; `scale` is `|exp|` (the modulus for complex).
struct FloatRule {
    ulps: f64,
    rtol: f64,
    atol: f64,
    single: bool,
}

impl FloatRule {
    fn new(class: &str, single: bool, complex: bool, scale_all: f64) -> FloatRule {
        let (ulps, r64, r32, rc, scaled) = tolerance(class);
        let rtol = if complex {
            rc
        } else if single {
            r32
        } else {
            r64
        };
        let tiny = if single {
            f32::MIN_POSITIVE as f64
        } else {
            f64::MIN_POSITIVE
        };
        let atol = if scaled {
            tiny.max(rtol * scale_all)
        } else {
            tiny
        };
        FloatRule {
            ulps,
            rtol,
            atol,
            single,
        }
    }

    fn ok(&self, e: f64, g: f64, scale: f64) -> bool {
        if e.is_nan() && g.is_nan() || e == g {
            return true;
        }
        let lim = (self.ulps * spacing(scale, self.single))
            .max(self.rtol * scale.abs())
            .max(self.atol);
        e.is_finite() && g.is_finite() && (g - e).abs() <= lim
    }
}

fn scale_all(mods: impl Iterator<Item = f64>) -> f64 {
    mods.filter(|m| m.is_finite()).fold(1.0, f64::max)
}

/// `None` when `got` matches `exp` under the corpus rule, else the reason.
fn compare(exp: &Array, got: &Array, class: &str) -> Option<String> {
    if exp.dtype() != got.dtype() {
        return Some(format!("dtype {} != expected {}", got.dtype(), exp.dtype()));
    }
    if exp.shape() != got.shape() {
        return Some(format!(
            "shape {:?} != expected {:?}",
            got.shape(),
            exp.shape()
        ));
    }
    let mismatch =
        |i: usize, g: String, e: String| Some(format!("element {i}: got {g}, expected {e}"));
    match (exp, got) {
        (Array::Float64(e), Array::Float64(g)) => {
            let rule = FloatRule::new(class, false, false, scale_all(e.iter().map(|x| x.abs())));
            for (i, (e, g)) in e.iter().zip(g.iter()).enumerate() {
                if !rule.ok(*e, *g, *e) {
                    return mismatch(i, g.to_string(), e.to_string());
                }
            }
        }
        (Array::Float32(e), Array::Float32(g)) => {
            let rule = FloatRule::new(
                class,
                true,
                false,
                scale_all(e.iter().map(|x| x.abs() as f64)),
            );
            for (i, (e, g)) in e.iter().zip(g.iter()).enumerate() {
                if !rule.ok(*e as f64, *g as f64, *e as f64) {
                    return mismatch(i, g.to_string(), e.to_string());
                }
            }
        }
        (Array::Complex128(e), Array::Complex128(g)) => {
            let rule = FloatRule::new(class, false, true, scale_all(e.iter().map(|z| z.norm())));
            for (i, (e, g)) in e.iter().zip(g.iter()).enumerate() {
                let m = e.norm();
                let (e, g): (&Complex64, &Complex64) = (e, g);
                if !(rule.ok(e.re, g.re, m) && rule.ok(e.im, g.im, m)) {
                    return mismatch(i, g.to_string(), e.to_string());
                }
            }
        }
        _ => {
            if exp != got {
                return Some("values differ".to_string());
            }
        }
    }
    None
}

/// Why `case` fails under `engine`, or `None` when vexpr agrees with numexpr.
fn run_case(case: &Case, engine: Engine, threads: usize) -> Option<String> {
    let (result, expected_error) = match evaluate_case(case, engine, threads, Jit::Off) {
        Ok(r) => (r, case.error.as_ref()),
        // An input vexpr cannot take (a unicode array) counts as the error numexpr raised.
        Err(_) if case.error.is_some() => return None,
        Err(why) => return Some(why),
    };
    let dir = corpus_dir();
    match (expected_error, result) {
        (Some(_), Err(_)) => None,
        (Some(err), Ok(got)) => Some(format!(
            "numexpr raised {err}, vexpr returned {} of shape {:?}",
            got.dtype(),
            got.shape()
        )),
        (None, Err(e)) => Some(format!("unexpected error: {e}")),
        (None, Ok(got)) => {
            let path = case.expect.as_ref().expect("a result case names its file");
            let exp = vexpr::npy::read(dir.join(path)).expect("expected result is readable");
            compare(&exp, &got, &case.tol)
        }
    }
}

/// `case` evaluated by `engine` with `threads` and the native tier in mode `jit`; `Err` when
/// an input cannot be read.
fn evaluate_case(
    case: &Case,
    engine: Engine,
    threads: usize,
    jit: Jit,
) -> Result<vexpr::Result<Array>, String> {
    let dir = corpus_dir();
    let mut arrays = Vec::new();
    for (name, path) in &case.vars {
        match vexpr::npy::read(dir.join(path)) {
            Ok(a) => arrays.push((name.clone(), a)),
            Err(e) => return Err(format!("cannot read input {path}: {e}")),
        }
    }
    let mut vars = Vars::new();
    for (name, a) in &arrays {
        vars.insert(name, a);
    }
    // Small blocks and no size threshold, so the corpus's small arrays really are split
    // among the threads.
    let mut options = RunOptions::new().engine(engine).threads(threads).jit(jit);
    if threads > 1 {
        options = options.block_len(64).parallel_min(0);
    }
    Ok(vexpr::compile(&case.expr, &vars.signature())
        .and_then(|prog| prog.run_with(&vars, &options)))
}

/// The engines every case runs on: the reference evaluator and the VM on every instruction
/// set this CPU has (`VEXPR_ISA` narrows the VM to one of them, as CI does).
fn engines() -> Vec<Engine> {
    let mut engines = vec![Engine::Reference];
    for isa in ["baseline", "avx2", "avx512"] {
        let wanted = std::env::var("VEXPR_ISA").map_or(true, |v| v == isa);
        let x = [1.0];
        let probe = vexpr::compile("x", &Signature::new().with("x", vexpr::DType::Float64))
            .and_then(|p| {
                p.run_with(
                    &Vars::new().with("x", &x),
                    &RunOptions::new().engine(Engine::VmWith(isa)),
                )
            });
        if wanted && probe.is_ok() {
            engines.push(Engine::VmWith(isa));
        }
    }
    engines
}

#[test]
fn golden_corpus() {
    for engine in engines() {
        for threads in [1, 2, 3, 8] {
            corpus_on(engine, threads);
        }
    }
}

fn corpus_on(engine: Engine, threads: usize) {
    let cases = load_cases();
    assert_eq!(cases.len(), 2273, "the whole corpus is present");
    let skipped: Vec<&str> = SPEC_EXTENSIONS.iter().map(|(id, _)| *id).collect();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in &cases {
        if case.departure || skipped.contains(&case.id.as_str()) {
            continue;
        }
        ran += 1;
        if let Some(why) = run_case(case, engine, threads) {
            failures.push(format!("{} `{}`: {why}", case.id, case.expr));
        }
    }
    assert!(
        failures.is_empty(),
        "{engine:?} with {threads} threads: {} of {ran} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The native tier computes what the interpreter computes, bit for bit, on every case of the
/// corpus, on every ISA this CPU has (`VEXPR_ISA` narrows it), with 1 and 2 threads.
#[test]
fn the_native_tier_gives_the_interpreters_bits_on_the_corpus() {
    let cases = load_cases();
    for engine in engines().into_iter().filter(|e| *e != Engine::Reference) {
        for threads in [1, 2] {
            let mut failures = Vec::new();
            for case in &cases {
                let (Ok(off), Ok(on)) = (
                    evaluate_case(case, engine, threads, Jit::Off),
                    evaluate_case(case, engine, threads, Jit::Always),
                ) else {
                    continue;
                };
                match (off, on) {
                    (Ok(a), Ok(b)) if bits(&a) == bits(&b) => {}
                    (Err(a), Err(b)) if a.kind() == b.kind() => {}
                    (a, b) => failures.push(format!(
                        "{} `{}`: interpreted {a:?}, native {b:?}",
                        case.id, case.expr
                    )),
                }
            }
            assert!(
                failures.is_empty(),
                "{engine:?} with {threads} threads: {} cases differ:\n{}",
                failures.len(),
                failures.join("\n")
            );
        }
    }
}

#[test]
fn spec_extension_list_names_real_unmarked_cases() {
    let cases = load_cases();
    for (id, _) in SPEC_EXTENSIONS {
        let case = cases
            .iter()
            .find(|c| c.id == *id)
            .unwrap_or_else(|| panic!("{id} is not in the corpus"));
        assert!(!case.departure, "{id} is already marked in the corpus");
    }
}
