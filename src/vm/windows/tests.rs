//! Windowed runs give the whole run's bits, for every kind of program, window, thread count
//! and shape (through the public API's hidden `window` option).

use ndarray::{ArrayD, IxDyn};

use crate::{Array, RunOptions, Vars};

/// Values whose sums depend on the order of the additions, so a different tree shows.
fn values(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let m = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            m * 10f64.powi((s >> 3) as i32 % 13 - 6)
        })
        .collect()
}

/// `expr` over `x` (and `y`) whole and in windows of several sizes on 1 and 2 threads:
/// identical arrays, NaNs and signed zeros included.
fn same(expr: &str, x: &ArrayD<f64>, y: &ArrayD<f64>) {
    let vars = Vars::new().with("x", x).with("y", y);
    let sig = vars.signature();
    let prog = crate::compile(expr, &sig).unwrap_or_else(|e| panic!("{expr}: {e}"));
    for threads in [1, 2] {
        let base = RunOptions::new().threads(threads).parallel_min(0);
        let whole = prog.run_with(&vars, &base);
        for window in [1, 1024, 3000, 5 << 10, 1 << 20] {
            let got = prog.run_with(&vars, &base.window(window));
            match (&got, &whole) {
                (Ok(got), Ok(whole)) => assert!(
                    bits(got) == bits(whole),
                    "{expr}, {threads} threads, window {window}"
                ),
                // The empty min/max is an error either way.
                (Err(a), Err(b)) => assert_eq!(a.message(), b.message()),
                _ => panic!("{expr}, window {window}: {got:?} but whole {whole:?}"),
            }
        }
    }
}

/// The array's shape, dtype and element bits.
fn bits(a: &Array) -> (Vec<usize>, String, Vec<u64>) {
    let b = match a {
        Array::Float64(v) => v.iter().map(|x| x.to_bits()).collect(),
        Array::Bool(v) => v.iter().map(|&x| u64::from(x)).collect(),
        Array::Int64(v) => v.iter().map(|&x| x as u64).collect(),
        other => panic!("unexpected {}", other.dtype()),
    };
    (a.shape().to_vec(), a.dtype().to_string(), b)
}

fn array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), values(n, seed)).unwrap()
}

#[test]
fn element_wise_and_full_reductions() {
    for n in [0, 1, 1023, 1024, 1025, 20_000, 70_001] {
        let x = array(&[n], 1);
        let y = array(&[n], 2);
        for expr in [
            "x * y + 1",
            "sum(x)",
            "sum(x * y)",
            "prod(x / x)",
            "max(x)",
            "any(x > y)",
        ] {
            same(expr, &x, &y);
        }
    }
}

#[test]
fn broadcasts_and_reductions_along_axes() {
    for (xs, ys) in [
        (&[300, 70][..], &[70][..]),
        (&[3, 9000], &[1, 9000]),
        (&[2, 5, 3000], &[5, 1]),
        (&[1, 40_000], &[40_000]),
        (&[0, 5], &[5]),
    ] {
        let x = array(xs, 3);
        let y = array(ys, 4);
        for expr in [
            "x - y",
            "sum(x * y)",
            "sum(x + y, axis=0)",
            "sum(x * y, axis=-1)",
            "min(x - y, axis=0)",
            "prod(x / x, axis=1)",
        ] {
            same(expr, &x, &y);
        }
    }
}
