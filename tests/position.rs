//! No element's value depends on where it sits: in a vectorised loop body, in a loop's scalar
//! remainder, in a full block or in the short last one, on any thread. Each element computed
//! as part of a long array equals the same element computed alone (a one-element array, so
//! purely scalar code), bit for bit, on every instruction set this CPU has.

use vexpr::{Array, Engine, RunOptions, Signature, Vars};

fn bits(a: &Array) -> Vec<u64> {
    match a {
        Array::Float64(v) => v.iter().map(|x| x.to_bits()).collect(),
        Array::Float32(v) => v.iter().map(|x| u64::from(x.to_bits())).collect(),
        Array::Bool(v) => v.iter().map(|&x| u64::from(x)).collect(),
        Array::Int64(v) => v.iter().map(|&x| x as u64).collect(),
        other => panic!("unexpected result {other:?}"),
    }
}

fn isas() -> Vec<&'static str> {
    let x = [1.0];
    let sig = Signature::new().with("x", vexpr::DType::Float64);
    let probe = vexpr::compile("x", &sig).unwrap();
    ["baseline", "avx2", "avx512"]
        .into_iter()
        .filter(|isa| {
            probe
                .run_with(
                    &Vars::new().with("x", &x),
                    &RunOptions::new().engine(Engine::VmWith(isa)),
                )
                .is_ok()
        })
        .collect()
}

#[test]
fn every_element_equals_itself_computed_alone() {
    // 2,500 values over a wide range, special values included, at odd offsets of the blocks.
    let n = 2_500;
    let x: Vec<f64> = (0..n)
        .map(|k| match k % 250 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -0.0,
            3 => 1e-310,
            4 => 1e300,
            _ => ((k as f64) * 0.731).sin() * 10f64.powi((k % 13) as i32 - 6),
        })
        .collect();
    let y: Vec<f64> = x.iter().map(|v| v * 0.5 + 0.25).collect();
    let xs: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let exprs = [
        "x*y + x",
        "exp(x) + log1p(y)",
        "sin(x) * cos(y) + tan(x)",
        "arctan2(x, y) + hypot(x, y)",
        "x**1.3 + sqrt(abs(x))",
        "sinh(y) - tanh(x) + arcsinh(x)",
        "floor(x) + ceil(y) + round(x)",
        "x // y + x % y",
        "where(x > y, expm1(x), log10(abs(y)))",
        "xs * 2 + exp(xs) + sin(xs)",
    ];
    for isa in isas() {
        for expr in exprs {
            let whole = Vars::new().with("x", &x).with("y", &y).with("xs", &xs);
            let prog = vexpr::compile(expr, &whole.signature()).unwrap();
            for (threads, block) in [(1, 1024), (1, 64), (2, 128)] {
                let options = RunOptions::new()
                    .engine(Engine::VmWith(isa))
                    .threads(threads)
                    .block_len(block)
                    .parallel_min(0);
                let all = bits(&prog.run_with(&whole, &options).unwrap());
                for k in (0..n).step_by(7) {
                    let one = Vars::new()
                        .with("x", &x[k..k + 1])
                        .with("y", &y[k..k + 1])
                        .with("xs", &xs[k..k + 1]);
                    let alone = bits(&prog.run_with(&one, &options).unwrap());
                    assert_eq!(
                        all[k], alone[0],
                        "{expr} on {isa}, element {k} (x = {}), block {block}",
                        x[k]
                    );
                }
            }
        }
    }
}
