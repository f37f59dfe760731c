//! Speed of the transcendental slice drivers (`src/vm/math`) on 4,096-element blocks, per
//! ISA available on this CPU, against glibc's scalar functions called in a loop.
//!
//! The math and ISA modules are crate-private, so they are compiled into this benchmark
//! directly from their source files (the same code the library builds).
//! Run: `cargo bench --bench math` (short measurement times, ~2 minutes in all); each
//! benchmark id is `<function>/<f64|f32>/<baseline|avx2|avx512|glibc>` and its throughput
//! is reported in elements per second.

// The included sources are crate-private code seen from outside: much of it is unused
// here, and cargo builds benchmarks with `cfg(test)` but without `#[test]` functions, so
// the sources' test modules compile with nothing using their imports.
#![allow(dead_code, unused_imports)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
// `isa.rs` names the library's error types by their path inside the library.
mod error {
    pub(crate) use vexpr::{Error, ErrorKind};
}

// The library's own `vm::isa` and `vm::math` sources, re-exported under the paths they use.
#[path = "../src/vm/isa.rs"]
mod isa;
#[path = "../src/vm/math/mod.rs"]
mod math;
mod vm {
    pub(crate) use super::{isa, math};
}

use vm::isa::{Isa, Kernel, SupportedIsa, dispatch};
use vm::math::{BinaryFn, UnaryFn};

const BLOCK: usize = 4096;

/// glibc's scalar functions through the C ABI (Rust's asinh/acosh/atanh are not glibc's).
mod glibc {
    macro_rules! c_math {
        ($($f64:ident $f32:ident;)*) => {
            // SAFETY: C99 <math.h> functions on plain values, no preconditions.
            unsafe extern "C" {
                $(
                    pub(crate) safe fn $f64(x: f64) -> f64;
                    pub(crate) safe fn $f32(x: f32) -> f32;
                )*
            }
        };
    }
    c_math! {
        exp expf; expm1 expm1f; log logf; log1p log1pf; log2 log2f; log10 log10f;
        sin sinf; cos cosf; tan tanf; asin asinf; acos acosf; atan atanf;
        sinh sinhf; cosh coshf; tanh tanhf; asinh asinhf; acosh acoshf; atanh atanhf;
    }
    // SAFETY: as above.
    unsafe extern "C" {
        pub(crate) safe fn atan2(y: f64, x: f64) -> f64;
        pub(crate) safe fn atan2f(y: f32, x: f32) -> f32;
        pub(crate) safe fn pow(x: f64, y: f64) -> f64;
        pub(crate) safe fn powf(x: f32, y: f32) -> f32;
        pub(crate) safe fn hypot(x: f64, y: f64) -> f64;
        pub(crate) safe fn hypotf(x: f32, y: f32) -> f32;
    }
}

/// glibc's f64 and f32 versions of a unary function.
fn glibc_unary(op: UnaryFn) -> (extern "C" fn(f64) -> f64, extern "C" fn(f32) -> f32) {
    use glibc::*;
    match op {
        UnaryFn::Exp => (exp, expf),
        UnaryFn::Expm1 => (expm1, expm1f),
        UnaryFn::Log => (log, logf),
        UnaryFn::Log1p => (log1p, log1pf),
        UnaryFn::Log2 => (log2, log2f),
        UnaryFn::Log10 => (log10, log10f),
        UnaryFn::Sin => (sin, sinf),
        UnaryFn::Cos => (cos, cosf),
        UnaryFn::Tan => (tan, tanf),
        UnaryFn::Arcsin => (asin, asinf),
        UnaryFn::Arccos => (acos, acosf),
        UnaryFn::Arctan => (atan, atanf),
        UnaryFn::Sinh => (sinh, sinhf),
        UnaryFn::Cosh => (cosh, coshf),
        UnaryFn::Tanh => (tanh, tanhf),
        UnaryFn::Arcsinh => (asinh, asinhf),
        UnaryFn::Arccosh => (acosh, acoshf),
        UnaryFn::Arctanh => (atanh, atanhf),
    }
}

/// glibc's f64 and f32 versions of a binary function.
fn glibc_binary(
    op: BinaryFn,
) -> (
    extern "C" fn(f64, f64) -> f64,
    extern "C" fn(f32, f32) -> f32,
) {
    use glibc::*;
    match op {
        BinaryFn::Arctan2 => (atan2, atan2f),
        BinaryFn::Pow => (pow, powf),
        BinaryFn::Hypot => (hypot, hypotf),
    }
}

/// A typical input range for each function (inside its domain, away from overflow).
fn unary_range(op: UnaryFn) -> (f64, f64) {
    match op {
        UnaryFn::Exp | UnaryFn::Expm1 | UnaryFn::Sinh | UnaryFn::Cosh | UnaryFn::Tanh => {
            (-50.0, 50.0)
        }
        UnaryFn::Log | UnaryFn::Log2 | UnaryFn::Log10 | UnaryFn::Log1p => (0.01, 100.0),
        UnaryFn::Sin | UnaryFn::Cos | UnaryFn::Tan => (-10.0, 10.0),
        UnaryFn::Arcsin | UnaryFn::Arccos | UnaryFn::Arctanh => (-0.99, 0.99),
        UnaryFn::Arctan | UnaryFn::Arcsinh => (-100.0, 100.0),
        UnaryFn::Arccosh => (1.0, 100.0),
    }
}

/// Deterministic pseudo-random values in [lo, hi).
fn values(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            lo + (hi - lo) * ((state >> 11) as f64 / 9_007_199_254_740_992.0)
        })
        .collect()
}

struct Unary64<'a>(UnaryFn, &'a [f64], &'a mut [f64]);
struct Unary32<'a>(UnaryFn, &'a [f32], &'a mut [f32]);
struct Binary64<'a>(BinaryFn, &'a [f64], &'a [f64], &'a mut [f64]);
struct Binary32<'a>(BinaryFn, &'a [f32], &'a [f32], &'a mut [f32]);

impl Kernel for Unary64<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: Isa>(self) {
        self.0.apply_f64::<I>(self.1, self.2)
    }
}
impl Kernel for Unary32<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: Isa>(self) {
        self.0.apply_f32::<I>(self.1, self.2)
    }
}
impl Kernel for Binary64<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: Isa>(self) {
        self.0.apply_f64::<I>(self.1, self.2, self.3)
    }
}
impl Kernel for Binary32<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: Isa>(self) {
        self.0.apply_f32::<I>(self.1, self.2, self.3)
    }
}

fn bench_unary(c: &mut Criterion) {
    for &op in UnaryFn::ALL {
        let (lo, hi) = unary_range(op);
        let x = values(BLOCK, lo, hi, 1);
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (g64, g32) = glibc_unary(op);
        let mut group = c.benchmark_group(op.name());
        group.throughput(Throughput::Elements(BLOCK as u64));
        let mut out = vec![0.0; BLOCK];
        let mut out32 = vec![0.0f32; BLOCK];
        for kind in SupportedIsa::available() {
            group.bench_function(format!("f64/{}", kind.name()), |b| {
                b.iter(|| dispatch(kind, Unary64(op, black_box(&x), &mut out)))
            });
            group.bench_function(format!("f32/{}", kind.name()), |b| {
                b.iter(|| dispatch(kind, Unary32(op, black_box(&x32), &mut out32)))
            });
        }
        group.bench_function("f64/glibc", |b| {
            b.iter(|| {
                for (o, &v) in out.iter_mut().zip(black_box(&x)) {
                    *o = g64(v);
                }
            })
        });
        group.bench_function("f32/glibc", |b| {
            b.iter(|| {
                for (o, &v) in out32.iter_mut().zip(black_box(&x32)) {
                    *o = g32(v);
                }
            })
        });
        group.finish();
    }
}

fn bench_binary(c: &mut Criterion) {
    for &op in BinaryFn::ALL {
        let (a, b) = match op {
            BinaryFn::Pow => (values(BLOCK, 0.1, 10.0, 2), values(BLOCK, -5.0, 5.0, 3)),
            _ => (values(BLOCK, -10.0, 10.0, 2), values(BLOCK, -10.0, 10.0, 3)),
        };
        let a32: Vec<f32> = a.iter().map(|&v| v as f32).collect();
        let b32: Vec<f32> = b.iter().map(|&v| v as f32).collect();
        let (g64, g32) = glibc_binary(op);
        let mut group = c.benchmark_group(op.name());
        group.throughput(Throughput::Elements(BLOCK as u64));
        let mut out = vec![0.0; BLOCK];
        let mut out32 = vec![0.0f32; BLOCK];
        for kind in SupportedIsa::available() {
            group.bench_function(format!("f64/{}", kind.name()), |bench| {
                bench.iter(|| dispatch(kind, Binary64(op, black_box(&a), &b, &mut out)))
            });
            group.bench_function(format!("f32/{}", kind.name()), |bench| {
                bench.iter(|| dispatch(kind, Binary32(op, black_box(&a32), &b32, &mut out32)))
            });
        }
        group.bench_function("f64/glibc", |bench| {
            bench.iter(|| {
                for ((o, &u), &v) in out.iter_mut().zip(black_box(&a)).zip(&b) {
                    *o = g64(u, v);
                }
            })
        });
        group.bench_function("f32/glibc", |bench| {
            bench.iter(|| {
                for ((o, &u), &v) in out32.iter_mut().zip(black_box(&a32)).zip(&b32) {
                    *o = g32(u, v);
                }
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300))
        .sample_size(10)
}

criterion_group! { name = benches; config = config(); targets = bench_unary, bench_binary }
criterion_main!(benches);
