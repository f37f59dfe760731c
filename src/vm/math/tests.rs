//! The accuracy harness: one table of (function, references, budgets, input generators),
//! run for f64 and f32 under every ISA this CPU has, through the real dispatch trampolines
//! and slice drivers (so the FMA and non-FMA code are both checked).
//!
//! Error = distance in representable steps between our result and the reference, where the
//! reference is the better (closer) of glibc (called directly through the C ABI) and the
//! `libm` crate; f32 is checked against glibc's f64 result rounded to f32. nan must match
//! nan, and a zero must carry the reference's sign. Points: every special value (and its
//! two neighbours), plus `VEXPR_MATH_POINTS` random points per function and precision
//! (default 2^17, a second or two at the test profile's opt-level 1), split between
//! uniform-in-bits sampling of the whole line and dense sampling of the ranges where the
//! function is hard. `cargo test --release math_accuracy_long -- --ignored --nocapture`
//! runs 2^20 points per function and prints the table of max errors.

use super::mode::{Fast, High};
use super::{BinaryFn, Precision, UnaryFn};
use crate::vm::isa::{Kernel, SupportedIsa, dispatch};

/// glibc's implementations, straight through the C ABI (Rust's `f64::asinh` and friends
/// are not glibc's).
mod glibc {
    // SAFETY: these C99 <math.h> functions take and return plain doubles, have no
    // preconditions and touch no memory we own; declaring them `safe` is sound.
    unsafe extern "C" {
        pub(super) safe fn exp(x: f64) -> f64;
        pub(super) safe fn expm1(x: f64) -> f64;
        pub(super) safe fn log(x: f64) -> f64;
        pub(super) safe fn log1p(x: f64) -> f64;
        pub(super) safe fn log2(x: f64) -> f64;
        pub(super) safe fn log10(x: f64) -> f64;
        pub(super) safe fn sin(x: f64) -> f64;
        pub(super) safe fn cos(x: f64) -> f64;
        pub(super) safe fn tan(x: f64) -> f64;
        pub(super) safe fn asin(x: f64) -> f64;
        pub(super) safe fn acos(x: f64) -> f64;
        pub(super) safe fn atan(x: f64) -> f64;
        pub(super) safe fn atan2(y: f64, x: f64) -> f64;
        pub(super) safe fn sinh(x: f64) -> f64;
        pub(super) safe fn cosh(x: f64) -> f64;
        pub(super) safe fn tanh(x: f64) -> f64;
        pub(super) safe fn asinh(x: f64) -> f64;
        pub(super) safe fn acosh(x: f64) -> f64;
        pub(super) safe fn atanh(x: f64) -> f64;
        pub(super) safe fn pow(x: f64, y: f64) -> f64;
        pub(super) safe fn hypot(x: f64, y: f64) -> f64;
    }
}

/// splitmix64: a tiny deterministic generator (seeded per function, so runs repeat).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// How one share of the random points is drawn.
#[derive(Clone, Copy)]
enum Gen {
    /// Any bit pattern (f64 or f32 as the precision), nan and inf included.
    Bits,
    /// Uniform in value over [lo, hi).
    Uniform(f64, f64),
    /// Random sign (if `signed`) times a random mantissa times 2^e, e uniform in [lo, hi).
    Exponents(i32, i32, bool),
    /// Doubles nearest to k*pi/2 for random k < max: the worst cases for reduction.
    NearPiMultiples(f64),
}

impl Gen {
    fn draw(self, rng: &mut Rng, f32_bits: bool) -> f64 {
        match self {
            Gen::Bits if f32_bits => f64::from(f32::from_bits(rng.next() as u32)),
            Gen::Bits => f64::from_bits(rng.next()),
            Gen::Uniform(lo, hi) => rng.uniform(lo, hi),
            Gen::Exponents(lo, hi, signed) => {
                let e = lo + (rng.next() % (hi - lo) as u64) as i32;
                let m = 1.0 + rng.unit();
                let v = m * 2f64.powi(e);
                if signed && rng.next() & 1 == 1 { -v } else { v }
            }
            Gen::NearPiMultiples(max) => {
                let k = (rng.unit() * max).floor();
                let v = k * std::f64::consts::FRAC_PI_2;
                f64::from_bits(v.to_bits().wrapping_add(rng.next() % 3).wrapping_sub(1))
            }
        }
    }
}

/// One row of the table for a one-argument function.
struct UnaryCase {
    op: UnaryFn,
    glibc: extern "C" fn(f64) -> f64,
    libm: fn(f64) -> f64,
    budget: u64,
    gens: &'static [Gen],
}

/// Draws one random argument pair.
type PairGen = fn(&mut Rng) -> (f64, f64);

/// One row of the table for a two-argument function.
struct BinaryCase {
    op: BinaryFn,
    glibc: extern "C" fn(f64, f64) -> f64,
    libm: fn(f64, f64) -> f64,
    budget: u64,
    gens: &'static [PairGen],
}

use Gen::{Bits, Exponents as E, NearPiMultiples as Pi, Uniform as U};

const UNARY: &[UnaryCase] = &[
    UnaryCase {
        op: UnaryFn::Exp,
        glibc: glibc::exp,
        libm: libm::exp,
        budget: 1,
        gens: &[
            Bits,
            U(-745.2, 709.8),
            U(-1.0, 1.0),
            E(-60, 0, true),
            U(-745.2, -708.0),
        ],
    },
    UnaryCase {
        op: UnaryFn::Expm1,
        glibc: glibc::expm1,
        libm: libm::expm1,
        budget: 1,
        gens: &[
            Bits,
            U(-40.0, 40.0),
            U(-1.0, 1.0),
            E(-60, 0, true),
            U(-745.0, 710.0),
        ],
    },
    UnaryCase {
        op: UnaryFn::Log,
        glibc: glibc::log,
        libm: libm::log,
        budget: 1,
        gens: &[Bits, E(-1074, 1024, false), U(0.5, 2.0), U(0.99, 1.01)],
    },
    UnaryCase {
        op: UnaryFn::Log1p,
        glibc: glibc::log1p,
        libm: libm::log1p,
        budget: 1,
        gens: &[
            Bits,
            U(-1.0, 1.0),
            E(-60, 0, true),
            U(-1.0, -0.9),
            E(-10, 1024, false),
        ],
    },
    UnaryCase {
        op: UnaryFn::Log2,
        glibc: glibc::log2,
        libm: libm::log2,
        budget: 1,
        gens: &[Bits, E(-1074, 1024, false), U(0.5, 2.0), U(0.99, 1.01)],
    },
    UnaryCase {
        op: UnaryFn::Log10,
        glibc: glibc::log10,
        libm: libm::log10,
        budget: 1,
        gens: &[Bits, E(-1074, 1024, false), U(0.5, 2.0), U(0.99, 1.01)],
    },
    UnaryCase {
        op: UnaryFn::Sin,
        glibc: glibc::sin,
        libm: libm::sin,
        budget: 2,
        gens: &[
            Bits,
            U(-10.0, 10.0),
            U(-1.1e6, 1.1e6),
            E(-30, 1024, true),
            Pi(1e6),
            Pi(1e15),
        ],
    },
    UnaryCase {
        op: UnaryFn::Cos,
        glibc: glibc::cos,
        libm: libm::cos,
        budget: 2,
        gens: &[
            Bits,
            U(-10.0, 10.0),
            U(-1.1e6, 1.1e6),
            E(-30, 1024, true),
            Pi(1e6),
            Pi(1e15),
        ],
    },
    UnaryCase {
        op: UnaryFn::Tan,
        glibc: glibc::tan,
        libm: libm::tan,
        budget: 4,
        gens: &[
            Bits,
            U(-10.0, 10.0),
            U(-1.1e6, 1.1e6),
            E(-30, 1024, true),
            Pi(1e6),
            Pi(1e15),
        ],
    },
    UnaryCase {
        op: UnaryFn::Arcsin,
        glibc: glibc::asin,
        libm: libm::asin,
        budget: 4,
        gens: &[
            Bits,
            U(-1.0, 1.0),
            U(0.4, 0.6),
            U(0.97, 1.0),
            E(-60, 0, true),
        ],
    },
    UnaryCase {
        op: UnaryFn::Arccos,
        glibc: glibc::acos,
        libm: libm::acos,
        budget: 4,
        gens: &[
            Bits,
            U(-1.0, 1.0),
            U(0.4, 0.6),
            U(-0.6, -0.4),
            U(0.97, 1.0),
            U(-1.0, -0.97),
        ],
    },
    UnaryCase {
        op: UnaryFn::Arctan,
        glibc: glibc::atan,
        libm: libm::atan,
        budget: 4,
        gens: &[Bits, U(-4.0, 4.0), E(-60, 100, true)],
    },
    UnaryCase {
        op: UnaryFn::Sinh,
        glibc: glibc::sinh,
        libm: libm::sinh,
        budget: 4,
        gens: &[
            Bits,
            U(-25.0, 25.0),
            U(-711.0, 711.0),
            U(-1.0, 1.0),
            E(-60, 0, true),
        ],
    },
    UnaryCase {
        op: UnaryFn::Cosh,
        glibc: glibc::cosh,
        libm: libm::cosh,
        budget: 4,
        gens: &[
            Bits,
            U(-25.0, 25.0),
            U(-711.0, 711.0),
            U(-1.0, 1.0),
            E(-60, 0, true),
        ],
    },
    UnaryCase {
        op: UnaryFn::Tanh,
        glibc: glibc::tanh,
        libm: libm::tanh,
        budget: 4,
        gens: &[Bits, U(-25.0, 25.0), U(-1.0, 1.0), E(-60, 0, true)],
    },
    UnaryCase {
        op: UnaryFn::Arcsinh,
        glibc: glibc::asinh,
        libm: libm::asinh,
        budget: 4,
        gens: &[Bits, U(-5.0, 5.0), E(-60, 1024, true)],
    },
    UnaryCase {
        op: UnaryFn::Arccosh,
        glibc: glibc::acosh,
        libm: libm::acosh,
        budget: 4,
        gens: &[Bits, U(1.0, 3.0), U(1.0, 1.01), E(0, 1024, false)],
    },
    UnaryCase {
        op: UnaryFn::Arctanh,
        glibc: glibc::atanh,
        libm: libm::atanh,
        budget: 4,
        gens: &[Bits, U(-1.0, 1.0), U(0.9, 1.0), E(-60, 0, true)],
    },
];

/// pow: x positive of any size, y scaled so that x^y spans the whole finite range.
fn pow_full_range(rng: &mut Rng) -> (f64, f64) {
    let x = Gen::Exponents(-1074, 1024, false).draw(rng, false);
    let t = rng.uniform(-745.2, 709.8);
    (x, t / x.ln())
}

/// pow: x near 1 with large y (where ln x must be very accurate).
fn pow_near_one(rng: &mut Rng) -> (f64, f64) {
    let x = 1.0 + rng.uniform(-1e-3, 1e-3);
    let t = rng.uniform(-700.0, 700.0);
    (x, t / x.ln())
}

/// pow: negative bases with integer exponents.
fn pow_negative_base(rng: &mut Rng) -> (f64, f64) {
    (
        -rng.uniform(0.0, 10.0),
        (rng.uniform(-300.0, 300.0)).round(),
    )
}

fn pair_bits(rng: &mut Rng) -> (f64, f64) {
    (f64::from_bits(rng.next()), f64::from_bits(rng.next()))
}

fn pair_small(rng: &mut Rng) -> (f64, f64) {
    (rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0))
}

fn pair_ratio(rng: &mut Rng) -> (f64, f64) {
    let a = Gen::Exponents(-1000, 1000, true).draw(rng, false);
    let b = a * Gen::Exponents(-80, 80, true).draw(rng, false);
    if rng.next() & 1 == 0 { (a, b) } else { (b, a) }
}

const BINARY: &[BinaryCase] = &[
    BinaryCase {
        op: BinaryFn::Arctan2,
        glibc: glibc::atan2,
        libm: libm::atan2,
        budget: 4,
        gens: &[pair_bits, pair_small, pair_ratio],
    },
    BinaryCase {
        op: BinaryFn::Pow,
        glibc: glibc::pow,
        libm: libm::pow,
        budget: 2,
        gens: &[
            pair_bits,
            pair_small,
            pow_full_range,
            pow_near_one,
            pow_negative_base,
        ],
    },
    BinaryCase {
        op: BinaryFn::Hypot,
        glibc: glibc::hypot,
        libm: libm::hypot,
        budget: 4,
        gens: &[pair_bits, pair_small, pair_ratio],
    },
];

/// Special f64 inputs: every class boundary the brief names, and then some.
fn specials_f64() -> Vec<f64> {
    let base = [
        0.0,
        5e-324,
        2.225_073_858_507_201e-308,
        f64::MIN_POSITIVE,
        f64::MAX,
        1.0,
        0.5,
        2.0,
        f64::INFINITY,
        1e-300,
        1e-20,
        1e-8,
        3.725_290_298_461_914e-9,
        0.35,
        0.55,
        std::f64::consts::LN_2,
        1.5,
        3.0,
        7.0 / 16.0,
        11.0 / 16.0,
        19.0 / 16.0,
        39.0 / 16.0,
        std::f64::consts::FRAC_PI_4,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::PI,
        22.0,
        40.0,
        268_435_456.0,
        709.782_712_893_384,
        709.79,
        710.0,
        710.475_860_073_943_9,
        711.0,
        708.396_418_532_264_1,
        744.440_071_921_381_2,
        745.133_219_101_941_1,
        745.2,
        740.0,
        1_048_576.0,
        1.6e6,
        1e15,
        9_007_199_254_740_992.0,
        1e22,
        1e300,
        88.722_839,
        88.73,
        103.97,
        87.33,
    ];
    let mut out = vec![f64::NAN];
    for v in base {
        for w in [v, -v] {
            out.push(w);
            if w.is_finite() && w != 0.0 {
                out.push(f64::from_bits(w.to_bits() + 1));
                out.push(f64::from_bits(w.to_bits() - 1));
            }
        }
    }
    out
}

/// Special f32 inputs: the f64 list rounded, plus f32's own boundaries.
fn specials_f32() -> Vec<f32> {
    let mut out: Vec<f32> = specials_f64().into_iter().map(|v| v as f32).collect();
    for v in [
        f32::MIN_POSITIVE,
        1e-45,
        1.1754942e-38,
        f32::MAX,
        16_777_216.0,
    ] {
        for w in [v, -v] {
            out.extend([
                w,
                f32::from_bits(w.to_bits() + 1),
                f32::from_bits(w.to_bits() - 1),
            ]);
        }
    }
    out
}

/// Map a float to an integer line where adjacent floats differ by 1 (±0 both map to 0).
fn ordinal(x: f64) -> i128 {
    let b = x.to_bits();
    let magnitude = i128::from(b & 0x7fff_ffff_ffff_ffff);
    if b >> 63 == 1 { -magnitude } else { magnitude }
}

/// Steps between `ours` and `reference` in the format of width `bits` (64 or 32).
fn error_steps(ours: f64, reference: f64, f32_format: bool) -> u64 {
    if reference.is_nan() || ours.is_nan() {
        return if reference.is_nan() && ours.is_nan() {
            0
        } else {
            u64::MAX
        };
    }
    if reference == 0.0 && ours == 0.0 && reference.is_sign_negative() != ours.is_sign_negative() {
        return u64::MAX;
    }
    let d = if f32_format {
        let o = |v: f64| {
            let b = (v as f32).to_bits();
            let m = i128::from(b & 0x7fff_ffff);
            if b >> 31 == 1 { -m } else { m }
        };
        (o(ours) - o(reference)).unsigned_abs()
    } else {
        (ordinal(ours) - ordinal(reference)).unsigned_abs()
    };
    u64::try_from(d).unwrap_or(u64::MAX)
}

/// Kernels that run a function table entry over whole slices under one ISA, at a
/// precision (the benchmark `benches/math.rs` times these same kernels).
pub(crate) struct Unary64<'a>(pub Precision, pub UnaryFn, pub &'a [f64], pub &'a mut [f64]);
/// As [`Unary64`] for f32.
pub(crate) struct Unary32<'a>(pub Precision, pub UnaryFn, pub &'a [f32], pub &'a mut [f32]);
/// As [`Unary64`] for a function of two arguments.
pub(crate) struct Binary64<'a>(
    pub Precision,
    pub BinaryFn,
    pub &'a [f64],
    pub &'a [f64],
    pub &'a mut [f64],
);
/// As [`Binary64`] for f32.
pub(crate) struct Binary32<'a>(
    pub Precision,
    pub BinaryFn,
    pub &'a [f32],
    pub &'a [f32],
    pub &'a mut [f32],
);

impl Kernel for Unary64<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: crate::vm::isa::Isa>(self) {
        match self.0 {
            Precision::High => self.1.apply_f64_at::<I, High>(self.2, self.3),
            Precision::Fast => self.1.apply_f64_at::<I, Fast>(self.2, self.3),
        }
    }
}
impl Kernel for Unary32<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: crate::vm::isa::Isa>(self) {
        match self.0 {
            Precision::High => self.1.apply_f32_at::<I, High>(self.2, self.3),
            Precision::Fast => self.1.apply_f32_at::<I, Fast>(self.2, self.3),
        }
    }
}
impl Kernel for Binary64<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: crate::vm::isa::Isa>(self) {
        match self.0 {
            Precision::High => self.1.apply_f64_at::<I, High>(self.2, self.3, self.4),
            Precision::Fast => self.1.apply_f64_at::<I, Fast>(self.2, self.3, self.4),
        }
    }
}
impl Kernel for Binary32<'_> {
    type Output = ();
    #[inline(always)]
    fn run<I: crate::vm::isa::Isa>(self) {
        match self.0 {
            Precision::High => self.1.apply_f32_at::<I, High>(self.2, self.3, self.4),
            Precision::Fast => self.1.apply_f32_at::<I, Fast>(self.2, self.3, self.4),
        }
    }
}

/// The worst point found for one (function, precision, ISA).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Worst {
    /// The error in ulps (representable steps).
    pub steps: u64,
    input: (f64, f64),
    ours: f64,
    reference: f64,
}

impl Worst {
    fn new() -> Worst {
        Worst {
            steps: 0,
            input: (0.0, 0.0),
            ours: 0.0,
            reference: 0.0,
        }
    }

    fn update(&mut self, steps: u64, input: (f64, f64), ours: f64, reference: f64) {
        if steps > self.steps {
            *self = Worst {
                steps,
                input,
                ours,
                reference,
            };
        }
    }
}

/// The better of the two references: the one closer to our value.
fn better(ours: f64, a: f64, b: f64, f32_format: bool) -> (u64, f64) {
    let (ea, eb) = (
        error_steps(ours, a, f32_format),
        error_steps(ours, b, f32_format),
    );
    if ea <= eb { (ea, a) } else { (eb, b) }
}

fn points_per_function() -> usize {
    std::env::var("VEXPR_MATH_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1 << 17)
}

/// The error budget of a function in ulps: its own in [`Precision::High`], 4 in `Fast`.
fn budget_of(high: u64, precision: Precision) -> u64 {
    match precision {
        Precision::High => high,
        Precision::Fast => 4,
    }
}

/// One measured row: function name, dtype (`f64`/`f32`), ISA, worst point, budget.
pub(crate) type Row = (String, &'static str, SupportedIsa, Worst, u64);

/// Run every function and ISA at `precision` over `points` random points per function and
/// dtype plus the special values.
pub(crate) fn run_all(points: usize, precision: Precision) -> Vec<Row> {
    let mut rows = Vec::new();
    for (index, case) in UNARY.iter().enumerate() {
        let mut rng = Rng(0x5eed_0000 + index as u64);
        let share = points / case.gens.len();
        // f64
        let mut xs = specials_f64();
        for &g in case.gens {
            xs.extend((0..share).map(|_| g.draw(&mut rng, false)));
        }
        let refs: Vec<(f64, f64)> = xs
            .iter()
            .map(|&x| ((case.glibc)(x), (case.libm)(x)))
            .collect();
        for kind in SupportedIsa::available() {
            let mut out = vec![0.0; xs.len()];
            dispatch(kind, Unary64(precision, case.op, &xs, &mut out));
            let mut worst = Worst::new();
            for ((&x, &o), &(g, l)) in xs.iter().zip(&out).zip(&refs) {
                let (steps, r) = better(o, g, l, false);
                worst.update(steps, (x, 0.0), o, r);
            }
            let budget = budget_of(case.budget, precision);
            rows.push((case.op.name().to_owned(), "f64", kind, worst, budget));
        }
        // f32: reference is glibc in f64, rounded once.
        let mut xs32 = specials_f32();
        for &g in case.gens {
            xs32.extend((0..share).map(|_| g.draw(&mut rng, true) as f32));
        }
        for kind in SupportedIsa::available() {
            let mut out = vec![0.0f32; xs32.len()];
            dispatch(kind, Unary32(precision, case.op, &xs32, &mut out));
            let mut worst = Worst::new();
            for (&x, &o) in xs32.iter().zip(&out) {
                let r = f64::from((case.glibc)(f64::from(x)) as f32);
                worst.update(
                    error_steps(f64::from(o), r, true),
                    (f64::from(x), 0.0),
                    o.into(),
                    r,
                );
            }
            let budget = budget_of(case.budget, precision);
            rows.push((case.op.name().to_owned(), "f32", kind, worst, budget));
        }
    }
    for (index, case) in BINARY.iter().enumerate() {
        let mut rng = Rng(0xb1_0000 + index as u64);
        let share = points / case.gens.len();
        let specials = specials_f64();
        let mut pairs: Vec<(f64, f64)> = Vec::new();
        for &a in &specials {
            for &b in &specials {
                pairs.push((a, b));
            }
        }
        for &g in case.gens {
            pairs.extend((0..share).map(|_| g(&mut rng)));
        }
        let (a, b): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        for kind in SupportedIsa::available() {
            let mut out = vec![0.0; a.len()];
            dispatch(kind, Binary64(precision, case.op, &a, &b, &mut out));
            let mut worst = Worst::new();
            for (&(x, y), &o) in pairs.iter().zip(&out) {
                let (steps, r) = better(o, (case.glibc)(x, y), (case.libm)(x, y), false);
                worst.update(steps, (x, y), o, r);
            }
            let budget = budget_of(case.budget, precision);
            rows.push((case.op.name().to_owned(), "f64", kind, worst, budget));
        }
        let (a32, b32): (Vec<f32>, Vec<f32>) =
            pairs.iter().map(|&(x, y)| (x as f32, y as f32)).unzip();
        for kind in SupportedIsa::available() {
            let mut out = vec![0.0f32; a32.len()];
            dispatch(kind, Binary32(precision, case.op, &a32, &b32, &mut out));
            let mut worst = Worst::new();
            for ((&x, &y), &o) in a32.iter().zip(&b32).zip(&out) {
                let (x, y) = (f64::from(x), f64::from(y));
                let r = f64::from((case.glibc)(x, y) as f32);
                worst.update(error_steps(f64::from(o), r, true), (x, y), o.into(), r);
            }
            let budget = budget_of(case.budget, precision);
            rows.push((case.op.name().to_owned(), "f32", kind, worst, budget));
        }
    }
    rows
}

fn check(points: usize, precision: Precision) {
    let rows = run_all(points, precision);
    let mut failures = Vec::new();
    println!("precision {}", precision.name());
    println!("| function | dtype | isa | max ulp | budget | worst input | ours | reference |");
    println!("|---|---|---|---|---|---|---|---|");
    for (name, dtype, kind, worst, budget) in &rows {
        let Worst {
            steps,
            input,
            ours,
            reference,
        } = worst;
        let input = if BinaryFn::ALL.iter().any(|op| op.name() == name) {
            format!("({:e}, {:e})", input.0, input.1)
        } else {
            format!("{:e}", input.0)
        };
        println!(
            "| {name} | {dtype} | {} | {steps} | {budget} | {input} | {ours:e} | \
             {reference:e} |",
            kind.name()
        );
        if worst.steps > *budget {
            failures.push(format!(
                "{name} {dtype} {} {}: {worst:?}",
                kind.name(),
                precision.name()
            ));
        }
    }
    assert!(failures.is_empty(), "over budget:\n{}", failures.join("\n"));
}

#[test]
fn math_accuracy() {
    check(points_per_function(), Precision::High);
}

#[test]
fn math_accuracy_fast() {
    check(points_per_function(), Precision::Fast);
}

/// The long run: 2^22 random points per function and dtype (plus the specials), both
/// precisions.
#[test]
#[ignore = "long: run with --release -- --ignored --nocapture"]
fn math_accuracy_long() {
    for precision in Precision::ALL {
        check(1 << 22, precision);
    }
}

#[test]
fn slice_drivers_handle_mixed_fast_and_slow_lanes() {
    // A block with huge arguments among ordinary ones: the patch pass must fix exactly the
    // huge lanes and leave the others as the lane code computed them.
    let xs: Vec<f64> = (0..37)
        .map(|i| {
            if i % 5 == 0 {
                1e22 * f64::from(i + 1)
            } else {
                0.1 * f64::from(i)
            }
        })
        .collect();
    for (kind, p) in SupportedIsa::available().flat_map(|k| Precision::ALL.map(|p| (k, p))) {
        let mut out = vec![0.0; xs.len()];
        dispatch(kind, Unary64(p, UnaryFn::Sin, &xs, &mut out));
        for (&x, &o) in xs.iter().zip(&out) {
            assert!(error_steps(o, glibc::sin(x), false) <= 2, "sin({x}) = {o}");
        }
        let xs32: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
        let mut out32 = vec![0.0f32; xs.len()];
        dispatch(kind, Unary32(p, UnaryFn::Cos, &xs32, &mut out32));
        for (&x, &o) in xs32.iter().zip(&out32) {
            let r = glibc::cos(f64::from(x)) as f32;
            let budget = budget_of(1, p);
            assert!(
                error_steps(f64::from(o), f64::from(r), true) <= budget,
                "cos({x}) = {o}"
            );
        }
    }
}

#[test]
fn scalar_entry_points_agree_with_slice_drivers() {
    use crate::vm::isa::Baseline;
    let xs = specials_f64();
    for p in Precision::ALL {
        let unary = |op: UnaryFn, x: f64| match p {
            Precision::High => op.eval_f64_at::<Baseline, High>(x),
            Precision::Fast => op.eval_f64_at::<Baseline, Fast>(x),
        };
        let binary = |op: BinaryFn, x: f64, y: f64| match p {
            Precision::High => op.eval_f64_at::<Baseline, High>(x, y),
            Precision::Fast => op.eval_f64_at::<Baseline, Fast>(x, y),
        };
        for &op in UnaryFn::ALL {
            let mut out = vec![0.0; xs.len()];
            dispatch(SupportedIsa::baseline(), Unary64(p, op, &xs, &mut out));
            for (&x, &o) in xs.iter().zip(&out) {
                let s = unary(op, x);
                assert!(
                    s.to_bits() == o.to_bits() || (s.is_nan() && o.is_nan()),
                    "{}({x}) {}",
                    op.name(),
                    p.name()
                );
            }
        }
        for &op in BinaryFn::ALL {
            let ys = [2.0, -0.5];
            let a: Vec<f64> = xs.iter().flat_map(|&x| ys.map(|_| x)).collect();
            let b: Vec<f64> = xs.iter().flat_map(|_| ys).collect();
            let mut out = vec![0.0; a.len()];
            dispatch(SupportedIsa::baseline(), Binary64(p, op, &a, &b, &mut out));
            for ((&x, &y), &o) in a.iter().zip(&b).zip(&out) {
                let s = binary(op, x, y);
                assert!(
                    s.to_bits() == o.to_bits() || (s.is_nan() && o.is_nan()),
                    "{} {}",
                    op.name(),
                    p.name()
                );
            }
        }
    }
}

/// Bit-equal, or both nan.
fn same<T: Copy + PartialEq + Into<f64>>(a: T, b: T) -> bool {
    let (a, b): (f64, f64) = (a.into(), b.into());
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn results_do_not_depend_on_position_or_length() {
    // Every length from 0 to 19 (odd lengths take the lone-last-element path), under every
    // ISA and precision, f64 and f32: each output equals the function of its own input.
    let pool = [
        0.3, -1.7, 2.5, 1e-9, 700.0, -3.0, 0.999, 12.0, 5e-324, 80.0, -0.0, 0.5, 1e30, -7.25, 0.01,
        1.0, 3.0, -0.75, 2e6,
    ];
    let pool32: Vec<f32> = pool.iter().map(|&v| v as f32).collect();
    for (kind, p) in SupportedIsa::available().flat_map(|k| Precision::ALL.map(|p| (k, p))) {
        for n in 0..=pool.len() {
            let (x, x32) = (&pool[..n], &pool32[..n]);
            for &op in UnaryFn::ALL {
                let mut whole = vec![0.0; n];
                dispatch(kind, Unary64(p, op, x, &mut whole));
                let mut whole32 = vec![0.0f32; n];
                dispatch(kind, Unary32(p, op, x32, &mut whole32));
                for i in 0..n {
                    let mut one = [0.0];
                    dispatch(kind, Unary64(p, op, &x[i..=i], &mut one));
                    assert!(same(whole[i], one[0]), "{} n={n} i={i}", op.name());
                    let mut one32 = [0.0f32];
                    dispatch(kind, Unary32(p, op, &x32[i..=i], &mut one32));
                    assert!(same(whole32[i], one32[0]), "{} f32 n={n} i={i}", op.name());
                }
            }
            for &op in BinaryFn::ALL {
                let y: Vec<f64> = x.iter().rev().copied().collect();
                let y32: Vec<f32> = x32.iter().rev().copied().collect();
                let mut whole = vec![0.0; n];
                dispatch(kind, Binary64(p, op, x, &y, &mut whole));
                let mut whole32 = vec![0.0f32; n];
                dispatch(kind, Binary32(p, op, x32, &y32, &mut whole32));
                for i in 0..n {
                    let mut one = [0.0];
                    dispatch(kind, Binary64(p, op, &x[i..=i], &y[i..=i], &mut one));
                    assert!(same(whole[i], one[0]), "{} n={n} i={i}", op.name());
                    let mut one32 = [0.0f32];
                    dispatch(kind, Binary32(p, op, &x32[i..=i], &y32[i..=i], &mut one32));
                    assert!(same(whole32[i], one32[0]), "{} f32 n={n} i={i}", op.name());
                }
            }
        }
    }
}

#[test]
fn common_lanes_equal_complete_lanes() {
    // A chunk of ordinary arguments takes the common-case lane of a split function; the
    // same chunk with one nan in it takes the complete lane. Every other element must come
    // out bit-equal both ways (and for unsplit functions this holds trivially).
    let mut rng = Rng(0xc0_77_0a);
    for (kind, p) in SupportedIsa::available().flat_map(|k| Precision::ALL.map(|p| (k, p))) {
        for _ in 0..8 {
            let x: Vec<f64> = (0..64).map(|_| rng.uniform(0.05, 0.95)).collect();
            let y: Vec<f64> = (0..64).map(|_| rng.uniform(-3.0, 3.0)).collect();
            let mut x_nan = x.clone();
            x_nan[63] = f64::NAN;
            for &op in UnaryFn::ALL {
                let (mut a, mut b) = (vec![0.0; 64], vec![0.0; 64]);
                dispatch(kind, Unary64(p, op, &x, &mut a));
                dispatch(kind, Unary64(p, op, &x_nan, &mut b));
                for i in 0..63 {
                    assert!(same(a[i], b[i]), "{} {} x={}", op.name(), p.name(), x[i]);
                }
            }
            for &op in BinaryFn::ALL {
                let (mut a, mut b) = (vec![0.0; 64], vec![0.0; 64]);
                dispatch(kind, Binary64(p, op, &x, &y, &mut a));
                dispatch(kind, Binary64(p, op, &x_nan, &y, &mut b));
                for i in 0..63 {
                    assert!(
                        same(a[i], b[i]),
                        "{} {} ({}, {})",
                        op.name(),
                        p.name(),
                        x[i],
                        y[i]
                    );
                }
            }
        }
    }
}

/// Every f32 from 2^-3 to the f32 trig lanes' limit (both signs; below 2^-3 sin, cos and
/// tan are within an ulp of x, 1 and x by their first terms), for sin, cos and tan in both
/// precisions on every ISA: the reduction's worst cases near multiples of pi/2 are among
/// them. About a minute in release: `cargo test --release --lib f32_trig_exhaustive --
/// --ignored`.
#[test]
#[ignore = "long: run with --release -- --ignored"]
fn f32_trig_exhaustive() {
    let lo = (0.125f32).to_bits();
    let hi = super::single::F32_TRIG_MAX.to_bits();
    let xs: Vec<f32> = (lo..=hi)
        .map(f32::from_bits)
        .flat_map(|x| [x, -x])
        .collect();
    let cases: [(UnaryFn, extern "C" fn(f64) -> f64, u64); 3] = [
        (UnaryFn::Sin, glibc::sin, 2),
        (UnaryFn::Cos, glibc::cos, 2),
        (UnaryFn::Tan, glibc::tan, 4),
    ];
    for (op, reference, budget) in cases {
        let want: Vec<f32> = xs.iter().map(|&x| reference(f64::from(x)) as f32).collect();
        for (kind, p) in SupportedIsa::available().flat_map(|k| Precision::ALL.map(|p| (k, p))) {
            let mut out = vec![0.0f32; xs.len()];
            dispatch(kind, Unary32(p, op, &xs, &mut out));
            let worst = xs
                .iter()
                .zip(&out)
                .zip(&want)
                .map(|((&x, &o), &w)| (error_steps(f64::from(o), f64::from(w), true), x))
                .max_by_key(|&(e, _)| e)
                .unwrap_or((0, 0.0));
            println!(
                "{} f32 {} {}: worst {} ulp at {:e}",
                op.name(),
                kind.name(),
                p.name(),
                worst.0,
                worst.1
            );
            assert!(
                worst.0 <= budget.max(budget_of(budget, p)),
                "{} {}",
                op.name(),
                kind.name()
            );
        }
    }
}
