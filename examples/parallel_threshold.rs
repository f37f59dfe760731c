//! How the size below which a call never wakes the worker pool (`vm::block::PARALLEL_MIN`)
//! was chosen: times each expression at sizes around it on 1 thread and on 2 threads (the
//! threshold forced to 0, so the pool is used at every size), medians of interleaved runs, and
//! prints the ratio. The threshold is the smallest size where 2 threads win for the cheapest
//! expression; dearer expressions win earlier, so for them it is conservative.
//!
//! ```text
//! cargo run --release --example parallel_threshold [-- RUNS]
//! ```

use std::time::Instant;

use ndarray::Array1;
use vexpr::{RunOptions, Vars};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(301);
    let exprs = ["a*b + c", "a**2 + b**2 + 2*a*b", "sin(a)**2 + cos(b)**2"];
    println!("| expression | N | 1 thread (us) | 2 threads (us) | 1 / 2 |");
    println!("|---|---:|---:|---:|---:|");
    for expr in exprs {
        for shift in 10..=19 {
            let n = 1usize << shift;
            let a = Array1::linspace(0.0, 1.0, n);
            let b = a.mapv(|x: f64| 1.0 - x);
            let c = a.mapv(|x: f64| x * 0.5);
            let vars = Vars::new().with("a", &a).with("b", &b).with("c", &c);
            let prog = vexpr::compile(expr, &vars.signature()).expect("compiles");
            let one = RunOptions::new().threads(1);
            let two = RunOptions::new().threads(2).parallel_min(0);
            let (mut t1, mut t2) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                for (options, times) in [(&one, &mut t1), (&two, &mut t2)] {
                    let start = Instant::now();
                    let out = prog.run_with(&vars, options).expect("runs");
                    times.push(start.elapsed().as_secs_f64() * 1e6);
                    drop(out);
                }
            }
            let (m1, m2) = (median(&mut t1), median(&mut t2));
            println!("| `{expr}` | {n} | {m1:.1} | {m2:.1} | {:.2} |", m1 / m2);
        }
    }
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
