//! The native side of `benches/compare.py`: times the hand-fused loop of one suite expression
//! over `.npy` inputs, and measures the STREAM triad bandwidth of this machine.
//!
//! ```text
//! cargo run --release --example bench_native -- list
//! cargo run --release --example bench_native -- isa
//! cargo run --release --example bench_native -- fused SLUG [--dtype f64] [--runs R]
//!     [--threads T] [--reuse-out] [-o OUT.npy] NAME=FILE.npy ...
//! cargo run --release --example bench_native -- triad [--threads T] [--runs R] [--len N]
//! cargo run --release --example bench_native -- vexpr EXPR [--runs R] [--threads T]
//!     [--reuse-out] [--jit off|auto|always] NAME=FILE.npy ...
//! ```
//!
//! `list` prints the suite (slug, dtype, bound, bytes read and written per element, inputs,
//! expression; tab-separated). `fused`
//! loads the inputs with `vexpr::npy::read`, runs the loop once untimed (writing `-o` if
//! given), then times R runs and ends with the line `vexpr eval --time` prints:
//! `time: median_s=... min_s=... max_s=... runs=R`. Each timed run allocates its output, as
//! `vexpr eval --time` and numexpr do, unless `--reuse-out`. `triad` times `a[k] = b[k] +
//! s*c[k]` over arrays of N doubles (default 2^25), each of T threads on its own contiguous
//! part, and prints `triad: threads=T len=N median_gbs=... max_gbs=... runs=R`, counting 24
//! bytes per element (two reads, one write; write-allocate traffic not counted, as STREAM).
//! `vexpr` times vexpr itself through the public API as `vexpr eval --time` does (one
//! warm-up run, then R timed `run_with` calls), or with `--reuse-out` R `run_into` calls into
//! the warm-up's result (the reused-output column); `--jit` sets the native tier's mode.

#[path = "../benches/common/fused.rs"]
mod fused;

use std::process::ExitCode;
use std::time::Instant;

use fused::{Column, Dtype, Entry, OutBuf};
use vexpr::Array;

/// What went wrong, for stderr.
type Failure = String;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) => match command.as_str() {
            "list" => list(),
            "isa" => {
                println!("fused {} vexpr {}", fused::isa_name(), vexpr::active_isa());
                Ok(())
            }
            "fused" => Options::parse(rest).and_then(|o| time_fused(&o)),
            "triad" => Options::parse(rest).and_then(|o| time_triad(&o)),
            "vexpr" => Options::parse(rest).and_then(|o| time_vexpr(&o)),
            other => Err(format!(
                "unknown command `{other}` (list, isa, fused, triad, vexpr)"
            )),
        },
        None => Err("usage: bench_native list | isa | fused SLUG ... | triad ...".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_native: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `list`: the suite, one entry a line.
fn list() -> Result<(), Failure> {
    for e in fused::SUITE {
        let bound = match e.bound {
            fused::Bound::Memory => "memory",
            fused::Bound::Compute => "compute",
        };
        println!(
            "{}\t{}\t{bound}\t{}\t{}\t{}",
            e.slug,
            e.dtype.name(),
            e.bytes_per_element(),
            e.inputs.join(","),
            e.expr
        );
    }
    Ok(())
}

/// The options of `fused` and `triad`.
struct Options {
    /// The positional arguments: the slug, then `NAME=FILE` bindings.
    positional: Vec<String>,
    dtype: Dtype,
    runs: usize,
    threads: usize,
    reuse_out: bool,
    out: Option<String>,
    len: usize,
    jit: vexpr::Jit,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, Failure> {
        let mut options = Options {
            positional: Vec::new(),
            dtype: Dtype::F64,
            runs: 10,
            threads: 1,
            reuse_out: false,
            out: None,
            len: 1 << 25,
            jit: vexpr::get_jit(),
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            let count = |v: &String| {
                v.parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("{arg} wants a positive whole number, not `{v}`"))
            };
            match arg.as_str() {
                "--dtype" => {
                    let name = value()?;
                    options.dtype = [Dtype::F32, Dtype::F64, Dtype::I64, Dtype::C128]
                        .into_iter()
                        .find(|d| d.name() == name)
                        .ok_or_else(|| format!("unknown dtype `{name}` (f32, f64, i64, c128)"))?;
                }
                "--runs" => options.runs = count(value()?)?,
                "--threads" => options.threads = count(value()?)?,
                "--len" => options.len = count(value()?)?,
                "--reuse-out" => options.reuse_out = true,
                "--jit" => options.jit = value()?.parse()?,
                "-o" | "--out" => options.out = Some(value()?.clone()),
                _ => options.positional.push(arg.clone()),
            }
        }
        Ok(options)
    }
}

/// The median, minimum and maximum of `seconds` (not empty).
fn summary(seconds: &mut [f64]) -> (f64, f64, f64) {
    seconds.sort_by(f64::total_cmp);
    let n = seconds.len();
    let at = |k: usize| seconds.get(k).copied().unwrap_or(f64::NAN);
    let median = if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    };
    (median, at(0), at(n.saturating_sub(1)))
}

/// The loaded inputs of one entry, as contiguous arrays.
enum Loaded {
    F32(Vec<f32>),
    F64(Vec<f64>),
    I64(Vec<i64>),
    C128(Vec<num_complex::Complex64>),
}

impl Loaded {
    /// Reads `path` as a one-dimensional array of `dtype`.
    fn read(path: &str, dtype: Dtype) -> Result<Loaded, Failure> {
        let array = vexpr::npy::read(path).map_err(|e| format!("{path}: {e}"))?;
        if array.ndim() != 1 {
            return Err(format!("{path}: expected a one-dimensional array"));
        }
        let wrong = |e: vexpr::Error| format!("{path}: not {}: {e}", dtype.name());
        Ok(match dtype {
            Dtype::F32 => Loaded::F32(array.into_f32().map_err(wrong)?.into_iter().collect()),
            Dtype::F64 => Loaded::F64(array.into_f64().map_err(wrong)?.into_iter().collect()),
            Dtype::I64 => Loaded::I64(array.into_i64().map_err(wrong)?.into_iter().collect()),
            Dtype::C128 => Loaded::C128(array.into_c128().map_err(wrong)?.into_iter().collect()),
            Dtype::Bool => return Err("bool inputs are not in the suite".to_owned()),
        })
    }

    fn column(&self) -> Column<'_> {
        match self {
            Loaded::F32(v) => Column::F32(v),
            Loaded::F64(v) => Column::F64(v),
            Loaded::I64(v) => Column::I64(v),
            Loaded::C128(v) => Column::C128(v),
        }
    }
}

/// The result buffer as a vexpr array, for `-o`.
fn to_array(out: OutBuf) -> Array {
    match out {
        OutBuf::Bool(v) => Array::from(ndarray::Array1::from_vec(v)),
        OutBuf::F32(v) => Array::from(ndarray::Array1::from_vec(v)),
        OutBuf::F64(v) => Array::from(ndarray::Array1::from_vec(v)),
        OutBuf::I64(v) => Array::from(ndarray::Array1::from_vec(v)),
        OutBuf::C128(v) => Array::from(ndarray::Array1::from_vec(v)),
        OutBuf::Sum(s) => Array::from(ndarray::arr0(s)),
    }
}

/// `fused`: load, run once, time `runs` runs.
fn time_fused(options: &Options) -> Result<(), Failure> {
    let (slug, bindings) = options
        .positional
        .split_first()
        .ok_or("fused needs a suite slug (see `list`)")?;
    let entry: &Entry = fused::find(slug, options.dtype)
        .ok_or_else(|| format!("no suite entry `{slug}` for {}", options.dtype.name()))?;
    let loaded = entry
        .inputs
        .iter()
        .map(|name| {
            let path = bindings
                .iter()
                .find_map(|b| b.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
                .ok_or_else(|| format!("{slug} needs {name}=FILE.npy"))?;
            Loaded::read(path, entry.dtype)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let columns: Vec<Column<'_>> = loaded.iter().map(Loaded::column).collect();
    let n = columns.first().map_or(0, Column::len);
    let threads = options.threads;

    let mut out = OutBuf::new(entry, n);
    fused::run(entry, &columns, &mut out, threads)?;
    let mut seconds = Vec::with_capacity(options.runs);
    for _ in 0..options.runs {
        let start = Instant::now();
        if options.reuse_out {
            fused::run(entry, &columns, &mut out, threads)?;
        } else {
            // A fresh output each run (its pages are faulted in by the loop's writes).
            let mut fresh = OutBuf::new(entry, n);
            fused::run(entry, &columns, &mut fresh, threads)?;
            std::hint::black_box(&fresh);
        }
        seconds.push(start.elapsed().as_secs_f64());
    }
    if let Some(path) = &options.out {
        vexpr::npy::write(path, &to_array(out)).map_err(|e| format!("{path}: {e}"))?;
    }
    let (median, min, max) = summary(&mut seconds);
    println!(
        "time: median_s={median:.9} min_s={min:.9} max_s={max:.9} runs={}",
        options.runs
    );
    Ok(())
}

/// `vexpr`: vexpr's own time on an expression, through the public API.
fn time_vexpr(options: &Options) -> Result<(), Failure> {
    let (expr, bindings) = options
        .positional
        .split_first()
        .ok_or("vexpr needs an expression")?;
    let mut arrays = Vec::new();
    for binding in bindings {
        let (name, path) = binding
            .split_once('=')
            .ok_or_else(|| format!("`{binding}` is not NAME=FILE.npy"))?;
        let array = vexpr::npy::read(path).map_err(|e| format!("{path}: {e}"))?;
        arrays.push((name, array));
    }
    let mut vars = vexpr::Vars::new();
    for (name, array) in &arrays {
        vars.insert(name, array);
    }
    let prog = vexpr::compile(expr, &vars.signature()).map_err(|e| e.to_string())?;
    let run = vexpr::RunOptions::new()
        .threads(options.threads)
        .jit(options.jit);
    let fail = |e: vexpr::Error| e.to_string();
    let mut out = prog.run_with(&vars, &run).map_err(fail)?;
    let mut seconds = Vec::with_capacity(options.runs);
    for _ in 0..options.runs {
        let start = Instant::now();
        if options.reuse_out {
            prog.run_into_with(&vars, (&mut out).into(), &run)
                .map_err(fail)?;
        } else {
            std::hint::black_box(prog.run_with(&vars, &run).map_err(fail)?);
        }
        seconds.push(start.elapsed().as_secs_f64());
    }
    let (median, min, max) = summary(&mut seconds);
    println!(
        "time: median_s={median:.9} min_s={min:.9} max_s={max:.9} runs={}",
        options.runs
    );
    Ok(())
}

/// `triad`: the STREAM triad bandwidth on `threads` threads.
fn time_triad(options: &Options) -> Result<(), Failure> {
    const SCALAR: f64 = 3.0;
    let n = options.len;
    let threads = options.threads.min(n);
    let chunk = n.div_ceil(threads);
    let b: Vec<f64> = (0..n).map(|k| (k % 1000) as f64).collect();
    let c: Vec<f64> = (0..n).map(|k| (k % 7) as f64).collect();
    // Written once before timing, so no run pays for page faults.
    let mut a = vec![1.0; n];
    let pass = |a: &mut [f64]| {
        std::thread::scope(|scope| {
            let mut parts = a
                .chunks_mut(chunk)
                .zip(b.chunks(chunk))
                .zip(c.chunks(chunk));
            let first = parts.next();
            for ((a, b), c) in parts {
                scope.spawn(move || fused::triad(a, b, c, SCALAR));
            }
            if let Some(((a, b), c)) = first {
                fused::triad(a, b, c, SCALAR);
            }
        });
    };
    pass(&mut a);
    let mut seconds = Vec::with_capacity(options.runs);
    for _ in 0..options.runs {
        let start = Instant::now();
        pass(&mut a);
        seconds.push(start.elapsed().as_secs_f64());
    }
    // The result is used, so the passes cannot be dropped: b[1] + 3*c[1] = 1 + 3.
    if a.get(1).is_some_and(|&x| x != 4.0) {
        return Err("the triad computed a wrong value".to_owned());
    }
    let (median, min, _) = summary(&mut seconds);
    let bytes = 24.0 * n as f64;
    println!(
        "triad: threads={threads} len={n} median_gbs={:.3} max_gbs={:.3} runs={}",
        bytes / median / 1e9,
        bytes / min / 1e9,
        options.runs
    );
    Ok(())
}
