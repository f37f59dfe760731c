//! Native code is freed with its owner: compiling 100,000 distinct expressions to machine code,
//! one after another, leaves the process's resident memory and its memory mappings where they
//! were after the first thousand (each compile maps its own executable pages; a leak would add
//! at least one mapping and one page per expression).
//!
//! The compiles take about half a minute in release and several minutes in the test profile
//! (Cranelift unoptimised), so `cargo test` skips it and CI runs it in release:
//! `cargo test --release --test native_memory` (`.ci/run native-memory`).
#![cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]

use vexpr::{DType, Jit, RunOptions, Signature, Vars};

/// Resident memory of this process, in KiB.
fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("statm");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("resident pages");
    // SAFETY: `sysconf` only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page / 1024
}

/// The number of memory mappings of this process.
fn mappings() -> usize {
    std::fs::read_to_string("/proc/self/maps")
        .expect("maps")
        .lines()
        .count()
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "100,000 native compiles: run in release (.ci/run native-memory)"
)]
fn compiling_100_000_expressions_natively_keeps_memory_bounded() {
    let sig = Signature::new().with("x", DType::Float64);
    let x = [1.0, 2.0, 3.0];
    let vars = Vars::new().with("x", &x);
    let options = RunOptions::new().jit(Jit::Always).threads(1);
    let mut baseline = None;
    for k in 0..100_000u32 {
        // A different constant each time: a different segment, compiled from scratch, run
        // natively, and freed with its `Compiled` at the end of the iteration.
        let expr = format!("x * {k} + 0.5");
        let prog = vexpr::compile(&expr, &sig).unwrap();
        let out = prog.run_with(&vars, &options).unwrap().into_f64().unwrap();
        if k % 1000 == 0 {
            assert_eq!(out.as_slice().unwrap(), x.map(|v| v * f64::from(k) + 0.5));
        }
        if k == 1000 {
            baseline = Some((resident_kib(), mappings()));
        }
    }
    let (rss0, maps0) = baseline.expect("measured after 1000");
    let (rss, maps) = (resident_kib(), mappings());
    assert!(
        maps <= maps0 + 16,
        "mappings grew from {maps0} to {maps} over 99,000 compiles"
    );
    assert!(
        rss <= rss0 + 16 * 1024,
        "resident memory grew from {rss0} KiB to {rss} KiB over 99,000 compiles"
    );
}
