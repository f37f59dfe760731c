//! The worker pool from the outside: results do not depend on the thread count, many threads
//! may evaluate at once (also the same `Compiled`), the thread count may change meanwhile,
//! evaluation inside a rayon pool runs on it without oversubscription, and a cancelled or
//! failing evaluation returns promptly with the pool still usable.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{Array1, Array2};
use vexpr::{Array, Compiled, ErrorKind, RunOptions, Signature, Vars};

/// Bit patterns of an array's elements, for exact comparison (NaN payloads included).
fn bits(a: &Array) -> Vec<u64> {
    match a {
        Array::Bool(v) => v.iter().map(|&x| u64::from(x)).collect(),
        Array::Int32(v) => v.iter().map(|&x| x as u64).collect(),
        Array::Int64(v) => v.iter().map(|&x| x as u64).collect(),
        Array::Float32(v) => v.iter().map(|x| u64::from(x.to_bits())).collect(),
        Array::Float64(v) => v.iter().map(|x| x.to_bits()).collect(),
        Array::Complex128(v) => v
            .iter()
            .flat_map(|z| [z.re.to_bits(), z.im.to_bits()])
            .collect(),
        Array::Bytes(b) => b.as_raw().iter().map(|&x| u64::from(x)).collect(),
    }
}

fn parallel(threads: usize) -> RunOptions<'static> {
    RunOptions::new()
        .threads(threads)
        .block_len(64)
        .parallel_min(0)
}

#[test]
fn corpus_results_are_bit_identical_for_1_2_3_and_8_threads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance");
    let text = std::fs::read_to_string(dir.join("golden/cases.jsonl")).unwrap();
    let mut compared = 0;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        if case.get("expect").is_none() {
            continue;
        }
        let arrays: Vec<(String, Array)> = case["vars"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, p)| {
                let a = vexpr::npy::read(dir.join(p.as_str().unwrap())).unwrap();
                (k.clone(), a)
            })
            .collect();
        let mut vars = Vars::new();
        for (k, a) in &arrays {
            vars.insert(k, a);
        }
        let expr = case["expr"].as_str().unwrap();
        let Ok(prog) = vexpr::compile(expr, &vars.signature()) else {
            continue;
        };
        let Ok(one) = prog.run_with(&vars, &parallel(1)) else {
            continue;
        };
        for threads in [2, 3, 8] {
            let many = prog.run_with(&vars, &parallel(threads)).unwrap();
            assert_eq!(bits(&one), bits(&many), "{expr} with {threads} threads");
        }
        compared += 1;
    }
    assert!(compared > 1700, "only {compared} cases compared");
}

#[test]
fn big_reductions_are_bit_identical_for_any_thread_count() {
    let n = 1 << 18;
    let x = Array1::from_shape_fn(n, |i| ((i * 7919) % 1000) as f64 / 7.0 - 50.0);
    let m = Array2::from_shape_fn((512, 512), |(i, j)| ((i * 31 + j * 17) % 97) as f64 * 0.1);
    let vars = Vars::new().with("x", &x).with("m", &m);
    for expr in [
        "sum(x)",
        "prod(x / 50 + 1)",
        "min(x)",
        "max(sin(x))",
        "sum(m, axis=0)",
        "sum(m, axis=1)",
        "max(m, axis=-1)",
        "sum(m > 4)",
    ] {
        let prog = vexpr::compile(expr, &vars.signature()).unwrap();
        let one = prog.run_with(&vars, &RunOptions::new().threads(1)).unwrap();
        for threads in [2, 3, 8] {
            for _ in 0..3 {
                let many = prog
                    .run_with(&vars, &RunOptions::new().threads(threads))
                    .unwrap();
                assert_eq!(bits(&one), bits(&many), "{expr} with {threads} threads");
            }
        }
    }
}

#[test]
fn sixteen_threads_evaluate_at_once() {
    let n = 50_000;
    let a = Array1::linspace(0.0, 1.0, n);
    let b = a.mapv(|v| v * v);
    let exprs = [
        "a**2 + b**2 + 2*a*b",
        "sin(a)**2 + cos(b)**2",
        "where(a > 0.5, a, b)",
        "sum(a*b)",
        "exp(-a) * log1p(b)",
        "(a > 0.3) & (b < 0.7)",
        "sqrt(a**2 + b**2)",
        "arctan2(a, b)",
    ];
    let vars = Vars::new().with("a", &a).with("b", &b);
    let shared: Vec<Compiled> = exprs
        .iter()
        .map(|e| vexpr::compile(e, &vars.signature()).unwrap())
        .collect();
    let expected: Vec<Vec<u64>> = shared
        .iter()
        .map(|p| bits(&p.run_with(&vars, &RunOptions::new().threads(1)).unwrap()))
        .collect();
    std::thread::scope(|s| {
        for t in 0..16 {
            let (vars, shared, expected) = (&vars, &shared, &expected);
            s.spawn(move || {
                for i in 0..200 {
                    let k = (t + i) % shared.len();
                    // Half the threads share one `Compiled`, the others compile their own.
                    let out = if t % 2 == 0 {
                        shared[k].run(vars).unwrap()
                    } else {
                        vexpr::evaluate(exprs[k], vars).unwrap()
                    };
                    assert_eq!(bits(&out), expected[k], "{} in thread {t}", exprs[k]);
                }
            });
        }
    });
}

#[test]
fn the_thread_count_can_change_while_others_evaluate() {
    let a = Array1::linspace(-1.0, 1.0, 200_000);
    let vars = Vars::new().with("a", &a);
    let prog = vexpr::compile("tanh(a) * a + 1", &vars.signature()).unwrap();
    let expected = bits(&prog.run_with(&vars, &RunOptions::new().threads(1)).unwrap());
    let before = vexpr::get_num_threads();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    assert_eq!(bits(&prog.run(&vars).unwrap()), expected);
                }
            });
        }
        for n in [1, 2, 3, 8, 2, 1, 4].iter().cycle().take(40) {
            vexpr::set_num_threads(*n).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        stop.store(true, Ordering::Relaxed);
    });
    vexpr::set_num_threads(before).unwrap();
}

#[test]
fn evaluation_inside_rayon_runs_on_the_callers_thread() {
    use rayon::prelude::*;
    let a = Array1::linspace(0.0, 1.0, 100_000);
    let vars = Vars::new().with("a", &a);
    let prog = vexpr::compile("sqrt(a) * 2 + a", &vars.signature()).unwrap();
    let expected = bits(&prog.run(&vars).unwrap());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    pool.install(|| {
        rayon::scope(|s| {
            for _ in 0..4 {
                s.spawn(|_| {
                    let out = prog.run_with(&vars, &RunOptions::new().threads(8)).unwrap();
                    assert_eq!(bits(&out), expected);
                });
            }
        });
        let results: Vec<Vec<u64>> = (0..8)
            .into_par_iter()
            .map(|_| bits(&prog.run(&vars).unwrap()))
            .collect();
        assert!(results.iter().all(|r| *r == expected));
    });
}

#[test]
fn cancelling_stops_every_thread_and_the_pool_stays_usable() {
    let a = Array1::linspace(0.0, 1.0, 2_000_000);
    let vars = Vars::new().with("a", &a);
    let prog = vexpr::compile("sin(a) * cos(a) + tan(a)", &vars.signature()).unwrap();
    let cancel = AtomicBool::new(true);
    let options = RunOptions::new().threads(2).cancel(&cancel);
    let err = prog.run_with(&vars, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    // Into a caller's buffer: the error leaves nothing that looks like a result (NaN).
    let mut out = Array1::<f64>::from_elem(a.len(), 7.0);
    let err = prog
        .run_into_with(&vars, (&mut out).into(), &options)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert!(out.iter().all(|v| *v == 7.0 || v.is_nan()));
    // Cancelled from another thread while running.
    let cancel = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(5));
            cancel.store(true, Ordering::Relaxed);
        });
        let options = RunOptions::new().threads(2).cancel(&cancel);
        let big = Array1::linspace(0.0, 1.0, 20_000_000);
        let vars = Vars::new().with("a", &big);
        let r = prog.run_with(&vars, &options);
        assert!(r.is_err() || !cancel.load(Ordering::Relaxed));
    });
    let ok = prog.run_with(&vars, &RunOptions::new().threads(2)).unwrap();
    assert_eq!(ok.shape(), &[a.len()]);
}

#[test]
fn set_num_threads_rejects_zero_and_too_many() {
    assert_eq!(
        vexpr::set_num_threads(0).unwrap_err().kind(),
        ErrorKind::Input
    );
    assert!(vexpr::set_num_threads(1_000_000).is_err());
    let sig = Signature::new().with("x", vexpr::DType::Float64);
    assert!(vexpr::compile("x + 1", &sig).is_ok());
}
