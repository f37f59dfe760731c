//! Every case of `tests/data/reference/oracle.json` (glibc, numexpr and NumPy values; see
//! `gen_oracle.py`): one elementwise node over 1-d inputs, compared exactly, within 2 ulps
//! (glibc's transcendental functions, so that another glibc version still passes), or within
//! `1.1e-14 |z|` per part for complex functions.

use ndarray::{ArrayD, IxDyn};
use num_complex::Complex64;
use serde_json::Value as Json;

use super::eval;
use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::hir::Fun;
use crate::hir::builder::HirBuilder;

fn dtype(name: &str) -> DType {
    match name {
        "bool" => DType::Bool,
        "int32" => DType::Int32,
        "int64" => DType::Int64,
        "float32" => DType::Float32,
        "float64" => DType::Float64,
        "complex128" => DType::Complex128,
        _ => panic!("unknown dtype {name}"),
    }
}

fn decode(dtype: DType, values: &Json) -> Array {
    let items = values.as_array().expect("a list of values");
    let shape = IxDyn(&[items.len()]);
    let f64_of = |v: &Json| f64::from_bits(v.as_u64().expect("f64 bits"));
    macro_rules! build {
        ($v:ident, $f:expr) => {
            Array::$v(ArrayD::from_shape_vec(shape, items.iter().map($f).collect()).unwrap())
        };
    }
    match dtype {
        DType::Bool => build!(Bool, |v| v.as_bool().expect("bool")),
        DType::Int32 => build!(Int32, |v| i32::try_from(v.as_i64().expect("int")).unwrap()),
        DType::Int64 => build!(Int64, |v| v.as_i64().expect("int")),
        DType::Float32 => build!(Float32, |v| f32::from_bits(
            u32::try_from(v.as_u64().expect("f32 bits")).unwrap()
        )),
        DType::Float64 => build!(Float64, f64_of),
        DType::Complex128 => build!(Complex128, |v| {
            let pair = v.as_array().expect("[re, im]");
            Complex64::new(f64_of(&pair[0]), f64_of(&pair[1]))
        }),
        DType::Bytes(_) => panic!("no byte strings in the oracle"),
    }
}

/// Within `ulps` units in the last place (same sign, both finite), or equal bits, or both NaN.
fn close_bits(got: u64, exp: u64, nan: bool, finite: bool, ulps: u64) -> bool {
    let sign = 1u64 << 63;
    got == exp || nan || (finite && (got & sign) == (exp & sign) && got.abs_diff(exp) <= ulps)
}

fn close_f64(g: f64, e: f64, ulps: u64) -> bool {
    let nan = g.is_nan() && e.is_nan();
    let finite = g.is_finite() && e.is_finite() && g != 0.0 && e != 0.0;
    close_bits(g.to_bits(), e.to_bits(), nan, finite, ulps)
}

fn close_f32(g: f32, e: f32, ulps: u64) -> bool {
    let nan = g.is_nan() && e.is_nan();
    let finite = g.is_finite() && e.is_finite() && g != 0.0 && e != 0.0;
    // Widen to f64 bit patterns' spacing: compare the f32 patterns directly.
    let (gb, eb) = (u64::from(g.to_bits()), u64::from(e.to_bits()));
    let sign = 1u64 << 31;
    gb == eb || nan || (finite && (gb & sign) == (eb & sign) && gb.abs_diff(eb) <= ulps)
}

/// Each part within `1.1e-14 |e|` (or both NaN); sign of zero not compared.
fn close_c128(g: Complex64, e: Complex64) -> bool {
    let tol = (1.1e-14 * e.re.hypot(e.im)).max(f64::MIN_POSITIVE);
    let part = |g: f64, e: f64| (g.is_nan() && e.is_nan()) || g == e || (g - e).abs() <= tol;
    part(g.re, e.re) && part(g.im, e.im)
}

/// Mismatches between `got` and `exp` under tolerance `tol`, described.
fn mismatches(got: &Array, exp: &Array, args: &[Array], tol: &str) -> Vec<String> {
    let ulps = match tol {
        "exact" => 0,
        "ulp2" => 2,
        "complex" => 0,
        _ => panic!("unknown tolerance {tol}"),
    };
    let mut bad = Vec::new();
    let mut check = |i: usize, ok: bool, g: String, e: String| {
        if !ok {
            let a: Vec<String> = args.iter().map(|a| element(a, i)).collect();
            bad.push(format!(
                "at {i} args ({}): got {g}, expected {e}",
                a.join(", ")
            ));
        }
    };
    match (got, exp) {
        (Array::Bool(g), Array::Bool(e)) => {
            for (i, (g, e)) in g.iter().zip(e).enumerate() {
                check(i, g == e, format!("{g}"), format!("{e}"));
            }
        }
        (Array::Int32(g), Array::Int32(e)) => {
            for (i, (g, e)) in g.iter().zip(e).enumerate() {
                check(i, g == e, format!("{g}"), format!("{e}"));
            }
        }
        (Array::Int64(g), Array::Int64(e)) => {
            for (i, (g, e)) in g.iter().zip(e).enumerate() {
                check(i, g == e, format!("{g}"), format!("{e}"));
            }
        }
        (Array::Float32(g), Array::Float32(e)) => {
            for (i, (&g, &e)) in g.iter().zip(e).enumerate() {
                check(i, close_f32(g, e, ulps), format!("{g:e}"), format!("{e:e}"));
            }
        }
        (Array::Float64(g), Array::Float64(e)) => {
            for (i, (&g, &e)) in g.iter().zip(e).enumerate() {
                check(i, close_f64(g, e, ulps), format!("{g:e}"), format!("{e:e}"));
            }
        }
        (Array::Complex128(g), Array::Complex128(e)) => {
            for (i, (&g, &e)) in g.iter().zip(e).enumerate() {
                let ok = if tol == "exact" {
                    close_f64(g.re, e.re, 0) && close_f64(g.im, e.im, 0)
                } else {
                    close_c128(g, e)
                };
                check(i, ok, format!("{g:e}"), format!("{e:e}"));
            }
        }
        _ => bad.push(format!("kinds differ: got {got:?}")),
    }
    if got.len() != exp.len() {
        bad.push(format!("lengths differ: {} vs {}", got.len(), exp.len()));
    }
    bad
}

fn element(a: &Array, i: usize) -> String {
    match a {
        Array::Bool(a) => format!("{}", a[[i]]),
        Array::Int32(a) => format!("{}", a[[i]]),
        Array::Int64(a) => format!("{}", a[[i]]),
        Array::Float32(a) => format!("{:e}", a[[i]]),
        Array::Float64(a) => format!("{:e}", a[[i]]),
        Array::Complex128(a) => format!("{:e}", a[[i]]),
        Array::Bytes(_) => String::new(),
    }
}

#[test]
fn oracle_values() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/reference/oracle.json"
    );
    let text = std::fs::read_to_string(path).expect("oracle.json is readable");
    let json: Json = serde_json::from_str(&text).expect("oracle.json parses");
    let arrays = json["arrays"].as_object().expect("arrays");
    let cases = json["cases"].as_array().expect("cases");
    assert!(cases.len() > 150, "the oracle has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["fun"].as_str().expect("fun");
        let fun = *Fun::ALL
            .iter()
            .find(|f| f.name() == name)
            .unwrap_or_else(|| panic!("unknown function {name}"));
        let args: Vec<Array> = case["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| {
                let stored = &arrays[a.as_str().expect("array name")];
                decode(dtype(stored[0].as_str().expect("dtype")), &stored[1])
            })
            .collect();
        let expect = decode(
            dtype(case["dtype"].as_str().expect("dtype")),
            &case["expect"],
        );
        let mut b = HirBuilder::new();
        let nodes: Vec<u32> = args
            .iter()
            .enumerate()
            .map(|(k, a)| b.input(&format!("x{k}"), a.dtype()))
            .collect();
        b.map(fun, &nodes);
        let inputs: Vec<ArrayRef<'_>> = args.iter().map(Array::as_input).collect();
        let got = eval(&b.build(), &inputs);
        let tol = case["tol"].as_str().expect("tol");
        for m in mismatches(&got, &expect, &args, tol) {
            failures.push(format!("{name} of {}: {m}", args[0].dtype()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
