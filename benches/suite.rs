//! The benchmark suite under criterion: each suite expression (`benches/common/fused.rs`) at
//! N = 1e3, 1e5, 1e6 and 1e7 elements, four ways:
//!
//! - `vexpr_into`: a cached `Compiled::run_into` into a preallocated output;
//! - `vexpr_run`: `Compiled::run`, allocating its result;
//! - `fused`: the hand-written fused loop (AVX2+FMA copy when the CPU has it), output reused;
//! - `ndarray`: whole-array `ndarray` operations, as a Rust user writes them today.
//!
//! Then two groups at fixed sizes: `block_len` (`a*b + c`, the headline and
//! `sin(a)**2 + cos(b)**2` at N = 1e6 with `RunOptions::block_len(B)`, B = 256 ... 8192, and
//! the VM's own choice as `default`), `overhead` (a cached `a*b + c` at N = 1 and N = 1000,
//! `run_into` on one thread: the per-call cost, with the native tier's default mode and with it
//! off), and `compile` (each suite expression compiled to bytecode, and to bytecode plus native
//! code with a one-element run).
//!
//! Benchmark ids are `<slug>/<dtype>/<way>/<N>`, `block_len/<slug>/<B>`,
//! `overhead/run_into[_interpreted]/<N>` and `compile/{bytecode,native}/<slug>/<dtype>`. Run everything (about ten minutes) or one group with a filter:
//!
//! ```text
//! cargo bench --bench suite
//! cargo bench --bench suite -- 'square_sum/f64/'          # one expression, all sizes
//! cargo bench --bench suite -- '/1000000$'                 # every expression at N = 1e6
//! cargo bench --bench suite -- block_len
//! cargo bench --bench suite -- overhead
//! cargo bench --bench suite -- compile
//! ```
//!
//! vexpr and the fused loop run on one thread unless `VEXPR_BENCH_THREADS` says otherwise (the
//! block-length and overhead groups are always single-threaded). Measurement times are short (0.5 s warm-up, 1 s measurement, ten
//! samples); criterion's `--warm-up-time`, `--measurement-time` and `--sample-size` raise them.

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ndarray::{Array1, Zip};
use num_complex::Complex64;
use vexpr::{Compiled, Jit, Output, RunOptions, Vars};

#[path = "common/fused.rs"]
mod fused;

use fused::{Column, Dtype, Entry, OutBuf, SUITE};

/// The element counts of the suite groups.
const SIZES: [usize; 4] = [1_000, 100_000, 1_000_000, 10_000_000];

/// The block lengths of the `block_len` group.
const BLOCK_LENS: [usize; 6] = [256, 512, 1024, 2048, 4096, 8192];

/// The expressions of the `block_len` group.
const BLOCK_LEN_SLUGS: [&str; 3] = ["mul_add", "square_sum", "sin2_cos2"];

/// The inputs every suite expression draws on, at one size: float64 `a b c` uniform in (0, 1),
/// their float32 roundings, int64 `i j` in 0..1000, complex128 `z w` with parts in (0, 1).
struct Data {
    f64s: [Array1<f64>; 3],
    f32s: [Array1<f32>; 2],
    i64s: [Array1<i64>; 2],
    c128s: [Array1<Complex64>; 2],
}

impl Data {
    fn new(n: usize) -> Data {
        let f64s = [1, 2, 3].map(|seed| Array1::from_vec(fused::uniform(n, seed)));
        let f32s = [0, 1].map(|k| f64s[k].mapv(|x| x as f32));
        let i64s = [4, 5].map(|seed| {
            Array1::from_iter(
                fused::uniform(n, seed)
                    .into_iter()
                    .map(|x| (x * 1000.0) as i64),
            )
        });
        let c128s = [[6, 7], [8, 9]].map(|[re, im]| {
            let parts = fused::uniform(n, re).into_iter().zip(fused::uniform(n, im));
            Array1::from_iter(parts.map(|(re, im)| Complex64::new(re, im)))
        });
        Data {
            f64s,
            f32s,
            i64s,
            c128s,
        }
    }

    /// The column of `name` for an expression over `dtype` inputs.
    fn column(&self, dtype: Dtype, name: &str) -> Option<Column<'_>> {
        Some(match (dtype, name) {
            (Dtype::F64, "a") => Column::F64(self.f64s[0].as_slice()?),
            (Dtype::F64, "b") => Column::F64(self.f64s[1].as_slice()?),
            (Dtype::F64, "c") => Column::F64(self.f64s[2].as_slice()?),
            (Dtype::F32, "a") => Column::F32(self.f32s[0].as_slice()?),
            (Dtype::F32, "b") => Column::F32(self.f32s[1].as_slice()?),
            (Dtype::I64, "i") => Column::I64(self.i64s[0].as_slice()?),
            (Dtype::I64, "j") => Column::I64(self.i64s[1].as_slice()?),
            (Dtype::C128, "z") => Column::C128(self.c128s[0].as_slice()?),
            (Dtype::C128, "w") => Column::C128(self.c128s[1].as_slice()?),
            _ => return None,
        })
    }

    /// The columns of `entry`, in its order.
    fn columns(&self, entry: &Entry) -> Vec<Column<'_>> {
        entry
            .inputs
            .iter()
            .filter_map(|name| self.column(entry.dtype, name))
            .collect()
    }

    /// The variables of `entry` for vexpr.
    fn vars(&self, entry: &Entry) -> Vars<'_> {
        let mut vars = Vars::new();
        for name in entry.inputs {
            match self.column(entry.dtype, name) {
                Some(Column::F32(v)) => vars.insert(name, v),
                Some(Column::F64(v)) => vars.insert(name, v),
                Some(Column::I64(v)) => vars.insert(name, v),
                Some(Column::C128(v)) => vars.insert(name, v),
                None => {}
            }
        }
        vars
    }
}

/// The buffer as vexpr's output argument.
fn output(buf: &mut OutBuf) -> Output<'_> {
    match buf {
        OutBuf::Bool(v) => v.into(),
        OutBuf::F32(v) => v.into(),
        OutBuf::F64(v) => v.into(),
        OutBuf::I64(v) => v.into(),
        OutBuf::C128(v) => v.into(),
        OutBuf::Sum(s) => s.into(),
    }
}

/// The `ndarray` version of `entry` over `d`: whole-array operations (a `Zip` where ndarray
/// has no whole-array function), each intermediate a new array.
fn ndarray_version<'d>(entry: &Entry, d: &'d Data) -> Option<Box<dyn Fn() + 'd>> {
    let [a, b, c] = &d.f64s;
    let [a32, b32] = &d.f32s;
    let [i, j] = &d.i64s;
    let [z, w] = &d.c128s;
    /// Boxes a closure that computes an expression and hides its value from the optimiser.
    macro_rules! version {
        ($e:expr) => {
            Some(Box::new(move || {
                black_box($e);
            }))
        };
    }
    match (entry.slug, entry.dtype) {
        ("square_sum", Dtype::F64) => version!(a * a + b * b + 2.0 * a * b),
        ("square_sum", Dtype::F32) => version!(a32 * a32 + b32 * b32 + 2.0f32 * a32 * b32),
        ("linear", _) => version!(2.0 * a + 3.0 * b),
        ("mul_add", _) => version!(a * b + c),
        ("sin2_cos2", Dtype::F64) => version!(a.sin().powi(2) + b.cos().powi(2)),
        ("sin2_cos2", Dtype::F32) => version!(a32.sin().powi(2) + b32.cos().powi(2)),
        ("exp_log1p", Dtype::F64) => version!((-a).exp() * b.ln_1p()),
        ("exp_log1p", Dtype::F32) => version!((-a32).exp() * b32.ln_1p()),
        ("hypot", _) => version!((a * a + b * b).sqrt()),
        ("arctan2", _) => version!(Zip::from(a).and(b).map_collect(|&x, &y| x.atan2(y))),
        ("where", _) => {
            version!(
                Zip::from(a)
                    .and(b)
                    .map_collect(|&x, &y| if x > 0.5 { x } else { y })
            )
        }
        ("and_cmp", _) => version!(a.mapv(|x| x > 0.3) & b.mapv(|y| y < 0.7)),
        ("div_cube", _) => version!(a / (1.0 + b) - c.powi(3)),
        ("tanh", _) => version!((a * b).tanh()),
        ("pow15", _) => version!(a.powf(1.5)),
        ("sum_mul", _) => version!((a * b).sum()),
        // Rust's `%` truncates; for these non-negative inputs it equals Python's.
        ("int_mod", _) => version!(i * 2 + j % 7),
        ("complex", _) => version!(z * w + z.mapv(|v| v.conj())),
        ("horner", _) => version!(((0.25 * a + 0.75) * a - 1.5) * a - 2.0),
        _ => None,
    }
}

/// The thread count of the suite groups: one unless `VEXPR_BENCH_THREADS` names another.
fn suite_threads() -> usize {
    std::env::var("VEXPR_BENCH_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// Compiles `entry`'s expression for `vars`.
fn compiled(entry: &Entry, vars: &Vars<'_>) -> Compiled {
    vexpr::compile(entry.expr, &vars.signature()).unwrap_or_else(|e| panic!("{}: {e}", entry.expr))
}

/// The suite groups: every expression, every size, four ways.
fn suite(c: &mut Criterion) {
    let threads = suite_threads();
    let options = RunOptions::new().threads(threads);
    for n in SIZES {
        let data = Data::new(n);
        for entry in SUITE {
            let mut group = c.benchmark_group(format!("{}/{}", entry.slug, entry.dtype.name()));
            group
                .sampling_mode(SamplingMode::Flat)
                .throughput(Throughput::Elements(n as u64));
            let vars = data.vars(entry);
            let program = compiled(entry, &vars);
            let mut out = OutBuf::new(entry, n);
            group.bench_function(BenchmarkId::new("vexpr_into", n), |bench| {
                bench.iter(|| program.run_into_with(&vars, output(&mut out), &options))
            });
            group.bench_function(BenchmarkId::new("vexpr_run", n), |bench| {
                bench.iter(|| program.run_with(&vars, &options))
            });
            let columns = data.columns(entry);
            group.bench_function(BenchmarkId::new("fused", n), |bench| {
                bench.iter(|| fused::run(entry, &columns, &mut out, threads))
            });
            if let Some(version) = ndarray_version(entry, &data) {
                group.bench_function(BenchmarkId::new("ndarray", n), |bench| bench.iter(&version));
            }
            group.finish();
        }
    }
}

/// The block-length group: N = 1e6, one thread, each block length and the VM's default.
fn block_len(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let data = Data::new(N);
    let mut group = c.benchmark_group("block_len");
    group
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(N as u64));
    for slug in BLOCK_LEN_SLUGS {
        let Some(entry) = fused::find(slug, Dtype::F64) else {
            continue;
        };
        let vars = data.vars(entry);
        let program = compiled(entry, &vars);
        let mut out = OutBuf::new(entry, N);
        let single = RunOptions::new().threads(1);
        group.bench_function(BenchmarkId::new(slug, "default"), |bench| {
            bench.iter(|| program.run_into_with(&vars, output(&mut out), &single))
        });
        for len in BLOCK_LENS {
            let options = single.block_len(len);
            group.bench_function(BenchmarkId::new(slug, len), |bench| {
                bench.iter(|| program.run_into_with(&vars, output(&mut out), &options))
            });
        }
    }
    group.finish();
}

/// The per-call overhead group: a cached `a*b + c` on one thread at N = 1 and N = 1000.
fn overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("overhead");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(2));
    let single = RunOptions::new().threads(1);
    for n in [1, 1000] {
        let data = Data::new(n);
        let Some(entry) = fused::find("mul_add", Dtype::F64) else {
            continue;
        };
        let vars = data.vars(entry);
        let program = compiled(entry, &vars);
        let mut out = vec![0.0; n];
        group.bench_function(BenchmarkId::new("run_into", n), |bench| {
            bench.iter(|| program.run_into_with(&vars, (&mut out).into(), &single))
        });
        // The same calls with the native tier off: what the tier-up rule must not tax.
        let interpreted = single.jit(Jit::Off);
        group.bench_function(BenchmarkId::new("run_into_interpreted", n), |bench| {
            bench.iter(|| program.run_into_with(&vars, (&mut out).into(), &interpreted))
        });
    }
    group.finish();
}

/// The compile group: each suite expression from text to bytecode (`vexpr::compile`), and
/// that plus the native compile and a one-element run (`Jit::Always` on a fresh program);
/// the difference is what the native tier's compile costs.
fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(1));
    let data = Data::new(1);
    let native = RunOptions::new().threads(1).jit(Jit::Always);
    for entry in SUITE {
        let vars = data.vars(entry);
        let sig = vars.signature();
        let id = format!("{}/{}", entry.slug, entry.dtype.name());
        group.bench_function(BenchmarkId::new("bytecode", &id), |bench| {
            bench.iter(|| vexpr::compile(entry.expr, &sig))
        });
        group.bench_function(BenchmarkId::new("native", &id), |bench| {
            bench.iter(|| vexpr::compile(entry.expr, &sig)?.run_with(&vars, &native))
        });
    }
    group.finish();
}

/// Short measurements: the suite has over three hundred benchmarks.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .sample_size(10)
}

criterion_group! {
    name = benches;
    config = config();
    targets = suite, block_len, overhead, compile
}
criterion_main!(benches);
