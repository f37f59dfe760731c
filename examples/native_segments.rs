//! The native tier's measurements (issue 12, phase 1): what compiling costs, and how fast a
//! natively compiled program runs over a whole contiguous array next to the hand-fused loop
//! and the interpreter.
//!
//! ```text
//! cargo run --release --example native_segments -- compile [--runs R]
//! cargo run --release --example native_segments -- speed [--runs R] [--len N]... [--chunk W]
//! cargo run --release --example native_segments -- chunks [--runs R] [--len N]
//! cargo run --release --example native_segments -- listing SLUG [DTYPE] [W]
//! ```
//!
//! `compile`: for every suite expression (`benches/common/fused.rs`), the median time of
//! `vexpr::compile` (parse to bytecode) and of `Compiled::native` (Cranelift, every segment),
//! the number of segments and the bytes of machine code. `speed`: for every suite row that is
//! native from end to end, at each length (default 1e5 and 1e6), one thread, each output
//! reused: the fused loop, the interpreter (`run_into`) and the native loop, timed in turn
//! (interleaved, R rounds, medians), the ratios to the fused loop, and the crossover: the
//! number of elements at which the native compile repays itself (compile time divided by the
//! time the native loop saves per element at that length). Each native result is first checked
//! equal to the interpreter's, bit for bit. `chunks`: the native loop with its own choice of elements
//! per iteration, and with 4, 8, 16 and 32. `listing`: the bytecode and the machine code of each segment of
//! one suite expression. Times are medians of interleaved runs on a shared machine: compare
//! the ratios, and repeat.

#[path = "../benches/common/fused.rs"]
mod fused;

use std::process::ExitCode;
use std::time::Instant;

use fused::{Column, Dtype, Entry, OutBuf, Shape};
use num_complex::Complex64;
use vexpr::{Compiled, Output, RunOptions, Vars};

/// The inputs every suite expression draws on, as `benches/suite.rs` makes them.
struct Data {
    f64s: [Vec<f64>; 3],
    f32s: [Vec<f32>; 2],
    i64s: [Vec<i64>; 2],
    c128s: [Vec<Complex64>; 2],
}

impl Data {
    fn new(n: usize) -> Data {
        let f64s = [1, 2, 3].map(|seed| fused::uniform(n, seed));
        let f32s = [0, 1].map(|k| f64s[k].iter().map(|&x| x as f32).collect());
        let i64s = [4, 5].map(|seed| {
            fused::uniform(n, seed)
                .into_iter()
                .map(|x| (x * 1000.0) as i64)
                .collect()
        });
        let c128s = [[6, 7], [8, 9]].map(|[re, im]| {
            fused::uniform(n, re)
                .into_iter()
                .zip(fused::uniform(n, im))
                .map(|(re, im)| Complex64::new(re, im))
                .collect()
        });
        Data {
            f64s,
            f32s,
            i64s,
            c128s,
        }
    }

    fn column(&self, dtype: Dtype, name: &str) -> Option<Column<'_>> {
        Some(match (dtype, name) {
            (Dtype::F64, "a") => Column::F64(&self.f64s[0]),
            (Dtype::F64, "b") => Column::F64(&self.f64s[1]),
            (Dtype::F64, "c") => Column::F64(&self.f64s[2]),
            (Dtype::F32, "a") => Column::F32(&self.f32s[0]),
            (Dtype::F32, "b") => Column::F32(&self.f32s[1]),
            (Dtype::I64, "i") => Column::I64(&self.i64s[0]),
            (Dtype::I64, "j") => Column::I64(&self.i64s[1]),
            (Dtype::C128, "z") => Column::C128(&self.c128s[0]),
            (Dtype::C128, "w") => Column::C128(&self.c128s[1]),
            _ => return None,
        })
    }

    fn columns(&self, entry: &Entry) -> Vec<Column<'_>> {
        entry
            .inputs
            .iter()
            .filter_map(|name| self.column(entry.dtype, name))
            .collect()
    }

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

/// The options of the commands.
struct Options {
    runs: usize,
    lens: Vec<usize>,
    chunk: Option<usize>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            runs: 0,
            lens: Vec::new(),
            chunk: None,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let mut value = || {
                it.next()
                    .ok_or_else(|| format!("{flag} needs a value"))?
                    .parse::<f64>()
                    .map_err(|e| format!("{flag}: {e}"))
                    .map(|v| v as usize)
            };
            match flag.as_str() {
                "--runs" => o.runs = value()?,
                "--len" => o.lens.push(value()?),
                "--chunk" => o.chunk = Some(value()?),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(o)
    }
}

/// The median of `v` (sorted in place).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Seconds of one call of `f`.
fn time(mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn compile_times(o: &Options) -> Result<(), String> {
    let runs = if o.runs == 0 { 51 } else { o.runs };
    let data = Data::new(16);
    println!(
        "{:<12} {:<5} {:>10} {:>10} {:>8} {:>8}  expression",
        "slug", "dtype", "bytecode", "native", "segments", "bytes"
    );
    for entry in fused::SUITE {
        let vars = data.vars(entry);
        let sig = vars.signature();
        let (mut front, mut back) = (Vec::new(), Vec::new());
        let mut shape = (0, 0);
        for _ in 0..runs {
            let t = Instant::now();
            let prog = vexpr::compile(entry.expr, &sig).map_err(|e| e.to_string())?;
            front.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let native = prog
                .native(None, o.chunk, false)
                .map_err(|e| e.to_string())?;
            back.push(t.elapsed().as_secs_f64());
            shape = (native.segments(), native.code_bytes());
        }
        println!(
            "{:<12} {:<5} {:>8.1}us {:>8.1}us {:>8} {:>8}  {}",
            entry.slug,
            entry.dtype.name(),
            median(&mut front) * 1e6,
            median(&mut back) * 1e6,
            shape.0,
            shape.1,
            entry.expr
        );
    }
    println!("isa {}, {runs} runs, medians", vexpr::active_isa());
    Ok(())
}

/// The rows `speed` and `chunks` time: element-wise, native from end to end.
fn native_rows(data: &Data) -> Vec<(&'static Entry, Compiled)> {
    fused::SUITE
        .iter()
        .filter(|e| e.shape == Shape::Elementwise)
        .filter_map(|e| {
            let prog = vexpr::compile(e.expr, &data.vars(e).signature()).ok()?;
            let complete = prog.native(None, None, false).ok()?.is_complete();
            complete.then_some((e, prog))
        })
        .collect()
}

fn speed(o: &Options) -> Result<(), String> {
    let runs = if o.runs == 0 { 41 } else { o.runs };
    let lens = if o.lens.is_empty() {
        vec![100_000, 1_000_000]
    } else {
        o.lens.clone()
    };
    let one = RunOptions::new().threads(1);
    println!(
        "isa {} (fused loop: {}), 1 thread, outputs reused, {runs} interleaved runs, medians",
        vexpr::active_isa(),
        fused::isa_name()
    );
    println!(
        "{:<11} {:<5} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9} {:>10}",
        "slug",
        "dtype",
        "N",
        "fused",
        "interp",
        "native",
        "nat/fus",
        "int/fus",
        "compile",
        "crossover"
    );
    for &n in &lens {
        let data = Data::new(n);
        for (entry, prog) in native_rows(&data) {
            let vars = data.vars(entry);
            let columns = data.columns(entry);
            let mut compile = Vec::new();
            let mut native = None;
            for _ in 0..11 {
                let t = Instant::now();
                native = Some(
                    prog.native(None, o.chunk, false)
                        .map_err(|e| e.to_string())?,
                );
                compile.push(t.elapsed().as_secs_f64());
            }
            let native = native.ok_or("no native code")?;
            let compile = median(&mut compile);
            // The native result must be the interpreter's, bit for bit (NaNs aside: none here).
            let mut want = OutBuf::new(entry, n);
            let mut got = OutBuf::new(entry, n);
            prog.run_into_with(&vars, output(&mut want), &one)
                .map_err(|e| e.to_string())?;
            prog.run_native_into(&native, &vars, output(&mut got))
                .map_err(|e| e.to_string())?;
            if format!("{want:?}") != format!("{got:?}") {
                return Err(format!("{}: native and interpreter differ", entry.slug));
            }
            let mut out_f = OutBuf::new(entry, n);
            let (mut tf, mut ti, mut tn) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..runs {
                tf.push(time(|| {
                    fused::run(entry, &columns, &mut out_f, 1).expect("fused loop");
                }));
                ti.push(time(|| {
                    prog.run_into_with(&vars, output(&mut want), &one)
                        .expect("interpreter");
                }));
                tn.push(time(|| {
                    prog.run_native_into(&native, &vars, output(&mut got))
                        .expect("native");
                }));
            }
            let (f, i, v) = (median(&mut tf), median(&mut ti), median(&mut tn));
            let saved = (i - v) / n as f64;
            let crossover = if saved > 0.0 {
                format!("{:.0}", compile / saved)
            } else {
                "never".into()
            };
            println!(
                "{:<11} {:<5} {:>9} {:>7.1}us {:>7.1}us {:>7.1}us {:>8.2} {:>8.2} {:>7.0}us {:>10}",
                entry.slug,
                entry.dtype.name(),
                n,
                f * 1e6,
                i * 1e6,
                v * 1e6,
                v / f,
                i / f,
                compile * 1e6,
                crossover
            );
        }
    }
    Ok(())
}

fn chunks(o: &Options) -> Result<(), String> {
    const WIDTHS: [Option<usize>; 5] = [None, Some(4), Some(8), Some(16), Some(32)];
    let runs = if o.runs == 0 { 41 } else { o.runs };
    let n = o.lens.first().copied().unwrap_or(100_000);
    let data = Data::new(n);
    println!(
        "isa {}, N = {n}, 1 thread, output reused, {runs} interleaved runs, medians (us)",
        vexpr::active_isa()
    );
    println!(
        "{:<11} {:<5} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "slug", "dtype", "chosen", "w=4", "w=8", "w=16", "w=32"
    );
    for (entry, prog) in native_rows(&data) {
        let vars = data.vars(entry);
        let natives = WIDTHS.map(|w| prog.native(None, w, false).map_err(|e| e.to_string()));
        let mut out = OutBuf::new(entry, n);
        let mut times: [Vec<f64>; 5] = Default::default();
        for _ in 0..runs {
            for (native, t) in natives.iter().zip(&mut times) {
                let native = native.as_ref().map_err(Clone::clone)?;
                t.push(time(|| {
                    prog.run_native_into(native, &vars, output(&mut out))
                        .expect("native");
                }));
            }
        }
        let [c, a, b, d, e] = times.map(|mut t| median(&mut t) * 1e6);
        println!(
            "{:<11} {:<5} {c:>9.1} {a:>9.1} {b:>9.1} {d:>9.1} {e:>9.1}",
            entry.slug,
            entry.dtype.name()
        );
    }
    Ok(())
}

/// The machine code of each segment of a suite expression (`listing SLUG [DTYPE] [W]`).
fn listing(args: &[String]) -> Result<(), String> {
    let slug = args.first().ok_or("listing needs a slug")?;
    let dtype = match args.get(1).map(String::as_str) {
        Some("f32") => Dtype::F32,
        Some("i64") => Dtype::I64,
        Some("c128") => Dtype::C128,
        _ => Dtype::F64,
    };
    let entry = fused::find(slug, dtype)
        .or_else(|| fused::SUITE.iter().find(|e| e.slug == slug.as_str()))
        .ok_or_else(|| format!("no suite expression `{slug}`"))?;
    let chunk = args.get(2).and_then(|w| w.parse().ok());
    let data = Data::new(1);
    let prog =
        vexpr::compile(entry.expr, &data.vars(entry).signature()).map_err(|e| e.to_string())?;
    println!("{prog}");
    let native = prog.native(None, chunk, true).map_err(|e| e.to_string())?;
    for k in 0..native.segments() {
        println!("; segment {k}\n{}", native.listing(k).unwrap_or(""));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) if command == "listing" => listing(rest),
        Some((command, rest)) => Options::parse(rest).and_then(|o| match command.as_str() {
            "compile" => compile_times(&o),
            "speed" => speed(&o),
            "chunks" => chunks(&o),
            other => Err(format!(
                "unknown command `{other}` (compile, speed, chunks, listing)"
            )),
        }),
        None => Err("usage: native_segments compile | speed | chunks [options]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("native_segments: {message}");
            ExitCode::FAILURE
        }
    }
}
