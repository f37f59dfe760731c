//! The benchmark suite and its hand-fused Rust loops: the code a careful Rust programmer writes
//! for one expression, and the ceiling the VM is measured against.
//!
//! In: the input columns of one suite expression (contiguous slices of one dtype) and an output
//! buffer of the expression's result kind. Out: the result, computed in one pass over the
//! elements. Each loop is compiled twice, plainly and under `#[target_feature(enable =
//! "avx2,fma")]`, and the AVX2 copy runs when the CPU has AVX2 and FMA, unless `VEXPR_ISA` is
//! `baseline` (so the loop follows the VM's instruction set). Transcendental functions go
//! through `f64::sin` and friends (glibc); `*` and `+` are never fused into an FMA (Rust does
//! not contract floating-point operations), as numexpr and vexpr never do.
//!
//! Shared by `benches/suite.rs`, `examples/bench_native.rs` and `tests/bench_fused.rs`, which
//! include this file with `#[path]`; `benches/compare.py` keeps its own copy of the suite's
//! expressions and checks it against [`SUITE`] (through `bench_native list`).

// Each includer uses a different part of this module.
#![allow(dead_code)]

use std::sync::OnceLock;

use num_complex::Complex64;

/// An element type of the suite's inputs and outputs, named as in the command lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// `bool` (outputs only).
    Bool,
    /// `float32`.
    F32,
    /// `float64`.
    F64,
    /// `int64`.
    I64,
    /// `complex128`.
    C128,
}

impl Dtype {
    /// The short name (`f64`, ...), as `bench_native` and `compare.py` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
            Dtype::I64 => "i64",
            Dtype::C128 => "c128",
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::Bool => 1,
            Dtype::F32 => 4,
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::C128 => 16,
        }
    }
}

/// What bounds an expression's speed on large arrays: the classification the targets use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// No transcendental function: a few arithmetic operations per element, so a fused loop
    /// runs at memory bandwidth once the arrays leave the caches.
    Memory,
    /// A transcendental function per element: the arithmetic dominates.
    Compute,
}

/// The shape of an expression's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One element per input element.
    Elementwise,
    /// A full reduction to one scalar.
    Scalar,
}

/// One suite expression and its fused loop.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// A short identifier (`square_sum`), unique together with `dtype`.
    pub slug: &'static str,
    /// The expression as vexpr and numexpr read it.
    pub expr: &'static str,
    /// The dtype of every input.
    pub dtype: Dtype,
    /// The input names, in the order the fused loop takes them.
    pub inputs: &'static [&'static str],
    /// The result dtype.
    pub output: Dtype,
    /// Elementwise or a reduction.
    pub shape: Shape,
    /// Memory- or compute-bound.
    pub bound: Bound,
    /// The fused loop: `false` when the columns or the output do not fit it.
    pub kernel: fn(&[Column<'_>], Sink<'_>) -> bool,
}

impl Entry {
    /// Bytes read and written per element (write-allocate traffic not counted, as STREAM).
    pub fn bytes_per_element(&self) -> usize {
        let written = match self.shape {
            Shape::Elementwise => self.output.size(),
            Shape::Scalar => 0,
        };
        self.inputs.len() * self.dtype.size() + written
    }

    /// Whether the expression calls no transcendental function.
    pub fn arithmetic_only(&self) -> bool {
        self.bound == Bound::Memory
    }
}

/// One input column.
#[derive(Clone, Copy, Debug)]
pub enum Column<'a> {
    /// `float32` values.
    F32(&'a [f32]),
    /// `float64` values.
    F64(&'a [f64]),
    /// `int64` values.
    I64(&'a [i64]),
    /// `complex128` values.
    C128(&'a [Complex64]),
}

impl<'a> Column<'a> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            Column::F32(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::I64(v) => v.len(),
            Column::C128(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The elements `start..end` (clamped to the column).
    pub fn part(&self, start: usize, end: usize) -> Column<'a> {
        fn cut<T>(v: &[T], start: usize, end: usize) -> &[T] {
            let end = end.min(v.len());
            v.get(start.min(end)..end).unwrap_or_default()
        }
        match *self {
            Column::F32(v) => Column::F32(cut(v, start, end)),
            Column::F64(v) => Column::F64(cut(v, start, end)),
            Column::I64(v) => Column::I64(cut(v, start, end)),
            Column::C128(v) => Column::C128(cut(v, start, end)),
        }
    }
}

/// Where a fused loop writes its result.
#[derive(Debug)]
pub enum Sink<'a> {
    /// `bool` elements.
    Bool(&'a mut [bool]),
    /// `float32` elements.
    F32(&'a mut [f32]),
    /// `float64` elements.
    F64(&'a mut [f64]),
    /// `int64` elements.
    I64(&'a mut [i64]),
    /// `complex128` elements.
    C128(&'a mut [Complex64]),
    /// The scalar of a reduction.
    Sum(&'a mut f64),
}

/// An owned result buffer of one kind, reused across runs.
#[derive(Clone, Debug, PartialEq)]
pub enum OutBuf {
    /// `bool` elements.
    Bool(Vec<bool>),
    /// `float32` elements.
    F32(Vec<f32>),
    /// `float64` elements.
    F64(Vec<f64>),
    /// `int64` elements.
    I64(Vec<i64>),
    /// `complex128` elements.
    C128(Vec<Complex64>),
    /// The scalar of a reduction.
    Sum(f64),
}

impl OutBuf {
    /// A zeroed buffer for `entry`'s result over `n` elements.
    pub fn new(entry: &Entry, n: usize) -> OutBuf {
        match (entry.shape, entry.output) {
            (Shape::Scalar, _) => OutBuf::Sum(0.0),
            (Shape::Elementwise, Dtype::Bool) => OutBuf::Bool(vec![false; n]),
            (Shape::Elementwise, Dtype::F32) => OutBuf::F32(vec![0.0; n]),
            (Shape::Elementwise, Dtype::F64) => OutBuf::F64(vec![0.0; n]),
            (Shape::Elementwise, Dtype::I64) => OutBuf::I64(vec![0; n]),
            (Shape::Elementwise, Dtype::C128) => OutBuf::C128(vec![Complex64::new(0.0, 0.0); n]),
        }
    }

    /// The number of elements (1 for a scalar).
    pub fn len(&self) -> usize {
        match self {
            OutBuf::Bool(v) => v.len(),
            OutBuf::F32(v) => v.len(),
            OutBuf::F64(v) => v.len(),
            OutBuf::I64(v) => v.len(),
            OutBuf::C128(v) => v.len(),
            OutBuf::Sum(_) => 1,
        }
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The buffer cut into sinks of `chunk` elements, in order (one for a scalar).
    fn sinks(&mut self, chunk: usize) -> Vec<Sink<'_>> {
        let chunk = chunk.max(1);
        match self {
            OutBuf::Bool(v) => v.chunks_mut(chunk).map(Sink::Bool).collect(),
            OutBuf::F32(v) => v.chunks_mut(chunk).map(Sink::F32).collect(),
            OutBuf::F64(v) => v.chunks_mut(chunk).map(Sink::F64).collect(),
            OutBuf::I64(v) => v.chunks_mut(chunk).map(Sink::I64).collect(),
            OutBuf::C128(v) => v.chunks_mut(chunk).map(Sink::C128).collect(),
            OutBuf::Sum(s) => vec![Sink::Sum(s)],
        }
    }
}

/// Whether the AVX2+FMA copies of the loops run: the CPU has both and `VEXPR_ISA` does not ask
/// for `baseline`. Decided once.
pub fn uses_avx2() -> bool {
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| {
        let baseline = std::env::var("VEXPR_ISA").is_ok_and(|v| v.trim() == "baseline");
        #[cfg(target_arch = "x86_64")]
        let has = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let has = false;
        has && !baseline
    })
}

/// The name of the instruction set the loops use (`avx2` or `baseline`).
pub fn isa_name() -> &'static str {
    if uses_avx2() { "avx2" } else { "baseline" }
}

/// Defines `fn $name(args) { body }` that runs `body` compiled for AVX2+FMA when
/// [`uses_avx2`], and compiled plainly otherwise. `body` is inlined into each copy, so its
/// loops are vectorised for that copy's instruction set.
macro_rules! per_isa {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn avx2($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if uses_avx2() {
                // SAFETY: `uses_avx2` checked at run time that the CPU has AVX2 and FMA.
                return unsafe { avx2($($arg),*) };
            }
            body($($arg),*)
        }
    };
}

/// Defines an elementwise fused loop `fn $name(&[Column], Sink) -> bool` over inputs of
/// variant `$in` (element type `$t`) into an output of variant `$out` (element type `$o`):
/// `out[k] = $expr` with each input name bound to its element `k`.
macro_rules! elementwise {
    ($name:ident: $in:ident $t:ty => $out:ident $o:ty, |$($x:ident),+| $expr:expr) => {
        fn $name(columns: &[Column<'_>], sink: Sink<'_>) -> bool {
            per_isa! {
                fn compute(out: &mut [$o], $($x: &[$t]),+) {
                    let n = out.len();
                    // Every column is cut to the output's length, so the indexing below cannot
                    // fail and the compiler drops its bounds checks (and vectorises).
                    $(let Some($x) = $x.get(..n) else { return };)+
                    #[allow(clippy::needless_range_loop)] // several slices share one index
                    for k in 0..n {
                        $(let $x = $x[k];)+
                        out[k] = $expr;
                    }
                }
            }
            let (Sink::$out(out), [$(Column::$in($x)),+]) = (sink, columns) else {
                return false;
            };
            if $($x.len() != out.len())||+ {
                return false;
            }
            compute(out, $($x),+);
            true
        }
    };
}

/// Lanes of the reduction's partial sums: eight independent accumulators (two AVX2 vectors),
/// as a hand-written sum keeps the adder busy instead of waiting on one running total.
const SUM_LANES: usize = 8;

per_isa! {
    /// `sum(a*b)` in eight interleaved partial sums, added at the end.
    fn dot(a: &[f64], b: &[f64]) -> f64 {
        let mut lanes = [0.0f64; SUM_LANES];
        let (a_chunks, b_chunks) = (a.chunks_exact(SUM_LANES), b.chunks_exact(SUM_LANES));
        let tail: f64 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| x * y).sum();
        for (x, y) in a_chunks.zip(b_chunks) {
            for ((lane, &x), &y) in lanes.iter_mut().zip(x).zip(y) {
                *lane += x * y;
            }
        }
        lanes.iter().sum::<f64>() + tail
    }
}

/// The fused loop of `sum(a*b)`.
fn sum_mul(columns: &[Column<'_>], sink: Sink<'_>) -> bool {
    let (Sink::Sum(out), [Column::F64(a), Column::F64(b)]) = (sink, columns) else {
        return false;
    };
    if a.len() != b.len() {
        return false;
    }
    *out = dot(a, b);
    true
}

elementwise!(square_sum_f64: F64 f64 => F64 f64, |a, b| a * a + b * b + 2.0 * a * b);
elementwise!(square_sum_f32: F32 f32 => F32 f32, |a, b| a * a + b * b + 2.0 * a * b);
elementwise!(linear: F64 f64 => F64 f64, |a, b| 2.0 * a + 3.0 * b);
elementwise!(mul_add: F64 f64 => F64 f64, |a, b, c| a * b + c);
elementwise!(sin2_cos2_f64: F64 f64 => F64 f64, |a, b| {
    let (s, c) = (a.sin(), b.cos());
    s * s + c * c
});
elementwise!(sin2_cos2_f32: F32 f32 => F32 f32, |a, b| {
    let (s, c) = (a.sin(), b.cos());
    s * s + c * c
});
elementwise!(exp_log1p_f64: F64 f64 => F64 f64, |a, b| (-a).exp() * b.ln_1p());
elementwise!(exp_log1p_f32: F32 f32 => F32 f32, |a, b| (-a).exp() * b.ln_1p());
elementwise!(hypot: F64 f64 => F64 f64, |a, b| (a * a + b * b).sqrt());
elementwise!(arctan2: F64 f64 => F64 f64, |a, b| a.atan2(b));
elementwise!(select: F64 f64 => F64 f64, |a, b| if a > 0.5 { a } else { b });
elementwise!(and_cmp: F64 f64 => Bool bool, |a, b| (a > 0.3) & (b < 0.7));
elementwise!(div_cube: F64 f64 => F64 f64, |a, b, c| a / (1.0 + b) - c * c * c);
elementwise!(tanh: F64 f64 => F64 f64, |a, b| (a * b).tanh());
elementwise!(pow15: F64 f64 => F64 f64, |a| a.powf(1.5));
// `%` follows Python (the sign of the divisor): `rem_euclid` for the positive divisor 7.
elementwise!(int_mod: I64 i64 => I64 i64, |i, j| i.wrapping_mul(2).wrapping_add(j.rem_euclid(7)));
elementwise!(complex: C128 Complex64 => C128 Complex64, |z, w| z * w + z.conj());
elementwise!(horner: F64 f64 => F64 f64, |a| ((0.25 * a + 0.75) * a - 1.5) * a - 2.0);

/// Builds an [`Entry`] from its fields in a fixed order.
macro_rules! entry {
    ($slug:literal, $expr:literal, $dtype:ident [$($input:literal),+] -> $output:ident $shape:ident,
     $bound:ident, $kernel:ident) => {
        Entry {
            slug: $slug,
            expr: $expr,
            dtype: Dtype::$dtype,
            inputs: &[$($input),+],
            output: Dtype::$output,
            shape: Shape::$shape,
            bound: Bound::$bound,
            kernel: $kernel,
        }
    };
}

/// The benchmark suite: the sixteen float64/int64/complex128 expressions, then the float32
/// variants of three of them.
pub const SUITE: &[Entry] = &[
    entry!("square_sum", "a**2 + b**2 + 2*a*b", F64["a", "b"] -> F64 Elementwise, Memory, square_sum_f64),
    entry!("linear", "2*a + 3*b", F64["a", "b"] -> F64 Elementwise, Memory, linear),
    entry!("mul_add", "a*b + c", F64["a", "b", "c"] -> F64 Elementwise, Memory, mul_add),
    entry!("sin2_cos2", "sin(a)**2 + cos(b)**2", F64["a", "b"] -> F64 Elementwise, Compute, sin2_cos2_f64),
    entry!("exp_log1p", "exp(-a) * log1p(b)", F64["a", "b"] -> F64 Elementwise, Compute, exp_log1p_f64),
    entry!("hypot", "sqrt(a**2 + b**2)", F64["a", "b"] -> F64 Elementwise, Memory, hypot),
    entry!("arctan2", "arctan2(a, b)", F64["a", "b"] -> F64 Elementwise, Compute, arctan2),
    entry!("where", "where(a > 0.5, a, b)", F64["a", "b"] -> F64 Elementwise, Memory, select),
    entry!("and_cmp", "(a > 0.3) & (b < 0.7)", F64["a", "b"] -> Bool Elementwise, Memory, and_cmp),
    entry!("div_cube", "a / (1 + b) - c**3", F64["a", "b", "c"] -> F64 Elementwise, Memory, div_cube),
    entry!("tanh", "tanh(a*b)", F64["a", "b"] -> F64 Elementwise, Compute, tanh),
    entry!("pow15", "a**1.5", F64["a"] -> F64 Elementwise, Compute, pow15),
    entry!("sum_mul", "sum(a*b)", F64["a", "b"] -> F64 Scalar, Memory, sum_mul),
    entry!("int_mod", "i*2 + j % 7", I64["i", "j"] -> I64 Elementwise, Memory, int_mod),
    entry!("complex", "z*w + conj(z)", C128["z", "w"] -> C128 Elementwise, Memory, complex),
    entry!("horner", "((.25*a + .75)*a - 1.5)*a - 2", F64["a"] -> F64 Elementwise, Memory, horner),
    entry!("square_sum", "a**2 + b**2 + 2*a*b", F32["a", "b"] -> F32 Elementwise, Memory, square_sum_f32),
    entry!("sin2_cos2", "sin(a)**2 + cos(b)**2", F32["a", "b"] -> F32 Elementwise, Compute, sin2_cos2_f32),
    entry!("exp_log1p", "exp(-a) * log1p(b)", F32["a", "b"] -> F32 Elementwise, Compute, exp_log1p_f32),
];

/// `n` deterministic values uniform in (0, 1) from `seed` (splitmix64; the top 53 bits, offset
/// by half a step so neither 0 nor 1 occurs).
pub fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        })
        .collect()
}

/// The suite entry with this slug and input dtype.
pub fn find(slug: &str, dtype: Dtype) -> Option<&'static Entry> {
    SUITE.iter().find(|e| e.slug == slug && e.dtype == dtype)
}

/// Runs `entry`'s fused loop over `columns` into `out` on `threads` threads (the calling
/// thread and up to `threads - 1` scoped threads, each on a contiguous part). Errors when the
/// columns or the buffer do not fit the entry.
pub fn run(
    entry: &Entry,
    columns: &[Column<'_>],
    out: &mut OutBuf,
    threads: usize,
) -> Result<(), String> {
    let n = columns.first().map_or(0, Column::len);
    if columns.len() != entry.inputs.len() || columns.iter().any(|c| c.len() != n) {
        return Err(format!(
            "{}: expected {} columns of equal length",
            entry.slug,
            entry.inputs.len()
        ));
    }
    let chunk = n.div_ceil(threads.clamp(1, n.max(1))).max(1);
    let part = |t: usize| -> Vec<Column<'_>> {
        columns
            .iter()
            .map(|c| c.part(t * chunk, (t + 1) * chunk))
            .collect()
    };
    let ok = match out {
        OutBuf::Sum(total) => {
            // Each thread sums its part; the parts are added in order.
            let mut parts = vec![0.0; n.div_ceil(chunk).max(1)];
            let ok = scoped(parts.iter_mut().collect(), |t, sum| {
                (entry.kernel)(&part(t), Sink::Sum(sum))
            });
            *total = parts.iter().sum();
            ok
        }
        _ => {
            if out.len() != n {
                return Err(format!(
                    "{}: the output does not have {n} elements",
                    entry.slug
                ));
            }
            scoped(out.sinks(chunk), |t, sink| (entry.kernel)(&part(t), sink))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}: the columns or the output have the wrong kind",
            entry.slug
        ))
    }
}

/// Runs `work(t, items[t])` for every item, item 0 on the calling thread and each other one
/// on a scoped thread of its own; whether all of them succeeded.
fn scoped<T: Send>(items: Vec<T>, work: impl Fn(usize, T) -> bool + Sync) -> bool {
    let work = &work;
    let mut items = items.into_iter().enumerate();
    let first = items.next();
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .map(|(t, item)| scope.spawn(move || work(t, item)))
            .collect();
        let mine = first.is_none_or(|(t, item)| work(t, item));
        handles
            .into_iter()
            .fold(mine, |ok, h| h.join().unwrap_or(false) && ok)
    })
}

per_isa! {
    /// The STREAM triad `a[k] = b[k] + s*c[k]` (a multiply and an add, not an FMA).
    fn triad(a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
        for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
            *a = b + s * c;
        }
    }
}
