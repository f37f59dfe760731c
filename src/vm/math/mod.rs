//! Vectorisable transcendental functions for the block kernels, in f64 and f32.
//!
//! In: blocks of f64 or f32 (one or two input slices of equal length). Out: the function
//! value per element, written to an output slice of the same length. Each function comes
//! as a lane function (`exp_f64::<I>(x)`: scalar code, `#[inline(always)]`, branch-free, no
//! libm calls) and a slice driver (`exp_f64_slice::<I>(x, out)`) whose loop LLVM
//! vectorises when it is inlined into a [`dispatch`](super::isa::dispatch) trampoline. The
//! [`UnaryFn`] / [`BinaryFn`] tables name every function once and route a function choice
//! to its driver; the VM and the tests use them.
//!
//! Invariants: no result depends on where an element sits in a slice or on the ISA beyond
//! last-bit differences (FMA) inside the budgets below; special values follow C99/glibc
//! (nan in -> nan out, signed zeros kept where C keeps them, exact infinities and zeros at
//! overflow/underflow, subnormal results rounded once). sin/cos/tan lanes only reduce
//! |x| <= 2^20 (`trig::FAST_MAX`); the slice drivers detect other finite lanes with one
//! vectorised check and patch them with a scalar Payne-Hanek pass, so the common path stays
//! branch-free. `sin_f64` and friends pick the path per call and are right everywhere.
//!
//! f32: every function computes in f64 and rounds once (`f(x as f64) as f32`). The f64
//! result is within 4 f64-ulp, i.e. 2^-27 f32-ulp, so the f32 result is the correctly
//! rounded one except in rare near-halfway cases (max error ~0.5 f32-ulp), special values
//! and overflow/underflow thresholds come out right by construction, and there is one
//! implementation to trust. The cost is half the lanes per vector, measured in
//! `benches/math.rs` (see the crate's benchmark notes): still several times faster than
//! glibc's scalar `expf`/`sinf` loops on AVX2.
//!
//! # Accuracy (the contract)
//! Max error in ulps (distance in representable steps to the better of glibc and the `libm`
//! crate, f32: to glibc's f64 result rounded to f32), measured by `tests.rs` over 2^20
//! points per function, precision and ISA (`VEXPR_MATH_POINTS=1048576 cargo test --release
//! math_accuracy -- --ignored`), plus the special-value lists:
//!
//! | function | budget | f64 baseline | f64 avx2 | f32 baseline | f32 avx2 |
//! |---|---|---|---|---|---|
//! | exp expm1 log log1p log2 log10 | 1 | see `tests.rs` | | | |
//! | sin cos pow | 2 | | | | |
//! | all others | 4 | | | | |
//!
//! The measured table is kept in `ACCURACY.md` beside this file.

mod atrig;
mod consts;
mod exp;
mod lane;
mod log;
mod pow;
mod trig;

#[cfg(test)]
mod tests;

pub(crate) use atrig::{acos_f64, asin_f64, atan_f64, atan2_f64};
pub(crate) use exp::{cosh_f64, exp_f64, expm1_f64, sinh_f64, tanh_f64};
pub(crate) use log::{acosh_f64, asinh_f64, atanh_f64, log_f64, log1p_f64, log2_f64, log10_f64};
pub(crate) use pow::{hypot_f64, pow_f64, pow_f64_for_f32};
pub(crate) use trig::{cos_f64, sin_f64, tan_f64};

use super::isa::Isa;
use trig::{cos_f64_lane, needs_slow_path, sin_f64_lane, tan_f64_lane};

// The loops are macros, not functions taking `impl Fn`: a lane function passed as a value
// is called through `Fn::call`, which LLVM may decline to inline for large bodies, and a
// loop with a call in it does not vectorise (measured: cosh, asinh, pow stayed scalar).
/// `out[i] = lane(x[i])` over equal-length slices, f64 or (through f64) f32.
///
/// The loop walks the two halves of the slice together, so each vectorised iteration
/// carries two independent vectors: the lane code is one long dependency chain, and this
/// lets the core overlap two of them (exp on AVX2: 2.85 -> 2.0 ns/element). Chunking by 8
/// instead measured 3x slower (the inner loop is unrolled to scalars before
/// vectorisation). An odd last element is done on its own.
macro_rules! map_unary {
    ($lane:expr, $x:expr, $out:expr, $t:ty) => {{
        let (x, out): (&[$t], &mut [$t]) = ($x, $out);
        let n = x.len().min(out.len());
        let (x, out) = (&x[..n], &mut out[..n]);
        let half = n / 2;
        let (x_lo, x_hi) = x.split_at(half);
        let (out_lo, out_hi) = out.split_at_mut(half);
        for (((o_lo, o_hi), &u), &v) in out_lo.iter_mut().zip(out_hi.iter_mut()).zip(x_lo).zip(x_hi)
        {
            *o_lo = $lane(f64::from(u)) as $t;
            *o_hi = $lane(f64::from(v)) as $t;
        }
        if n % 2 == 1 {
            if let (Some(o), Some(&v)) = (out.last_mut(), x.last()) {
                *o = $lane(f64::from(v)) as $t;
            }
        }
    }};
}

/// `out[i] = lane(a[i], b[i])`, f64 or (through f64) f32, in two halves as [`map_unary`].
macro_rules! map_binary {
    ($lane:expr, $a:expr, $b:expr, $out:expr, $t:ty) => {{
        let (a, b, out): (&[$t], &[$t], &mut [$t]) = ($a, $b, $out);
        let n = a.len().min(b.len()).min(out.len());
        let (a, b, out) = (&a[..n], &b[..n], &mut out[..n]);
        let half = n / 2;
        let ((a_lo, a_hi), (b_lo, b_hi)) = (a.split_at(half), b.split_at(half));
        let (out_lo, out_hi) = out.split_at_mut(half);
        let pairs = out_lo
            .iter_mut()
            .zip(out_hi.iter_mut())
            .zip(a_lo.iter().zip(a_hi));
        for (((o_lo, o_hi), (&u_lo, &u_hi)), (&v_lo, &v_hi)) in pairs.zip(b_lo.iter().zip(b_hi)) {
            *o_lo = $lane(f64::from(u_lo), f64::from(v_lo)) as $t;
            *o_hi = $lane(f64::from(u_hi), f64::from(v_hi)) as $t;
        }
        if n % 2 == 1 {
            if let (Some(o), Some(&u), Some(&v)) = (out.last_mut(), a.last(), b.last()) {
                *o = $lane(f64::from(u), f64::from(v)) as $t;
            }
        }
    }};
}

/// Whether any element needs the trig slow path: one vectorised OR-reduction.
#[inline(always)]
fn any_needs_slow_path<T: Copy + Into<f64>>(x: &[T]) -> bool {
    x.iter()
        .fold(false, |acc, &v| acc | needs_slow_path(v.into()))
}

/// Second pass of a trig driver: recompute the slow lanes with the full (branching)
/// function. Rare, so the call through `impl Fn` costs nothing measurable.
#[inline(always)]
fn patch_slow_f64(x: &[f64], out: &mut [f64], full: impl Fn(f64) -> f64) {
    if any_needs_slow_path(x) {
        for (o, &v) in out.iter_mut().zip(x) {
            if needs_slow_path(v) {
                *o = full(v);
            }
        }
    }
}

/// As [`patch_slow_f64`] for f32 data.
#[inline(always)]
fn patch_slow_f32(x: &[f32], out: &mut [f32], full: impl Fn(f64) -> f64) {
    if any_needs_slow_path(x) {
        for (o, &v) in out.iter_mut().zip(x) {
            if needs_slow_path(f64::from(v)) {
                *o = full(f64::from(v)) as f32;
            }
        }
    }
}

/// Declares the unary function table: the enum, its names, and per-precision slice
/// drivers. `plain` functions are one branch-free lane pass; `trig` ones add the slow-path
/// patch.
macro_rules! unary_table {
    (
        plain { $($pname:ident, $pvariant:ident, $plane:ident, $p64:ident, $p32:ident;)* }
        trig { $($tname:ident, $tvariant:ident, $tlane:ident, $tfull:ident, $t64:ident, $t32:ident;)* }
    ) => {
        $(
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($pname), "(x[i])` (f64).")]
            #[inline(always)]
            pub(crate) fn $p64<I: Isa>(x: &[f64], out: &mut [f64]) {
                map_unary!($plane::<I>, x, out, f64)
            }
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($pname), "(x[i])` (f32).")]
            #[inline(always)]
            pub(crate) fn $p32<I: Isa>(x: &[f32], out: &mut [f32]) {
                map_unary!($plane::<I>, x, out, f32)
            }
        )*
        $(
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($tname), "(x[i])` (f64).")]
            #[inline(always)]
            pub(crate) fn $t64<I: Isa>(x: &[f64], out: &mut [f64]) {
                map_unary!($tlane::<I>, x, out, f64);
                patch_slow_f64(x, out, $tfull::<I>);
            }
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($tname), "(x[i])` (f32).")]
            #[inline(always)]
            pub(crate) fn $t32<I: Isa>(x: &[f32], out: &mut [f32]) {
                map_unary!($tlane::<I>, x, out, f32);
                patch_slow_f32(x, out, $tfull::<I>);
            }
        )*

        /// The one-argument functions, named as in numexpr.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum UnaryFn {
            $(
                #[doc = concat!("`", stringify!($pname), "`")]
                $pvariant,
            )*
            $(
                #[doc = concat!("`", stringify!($tname), "`")]
                $tvariant,
            )*
        }

        impl UnaryFn {
            /// Every unary function.
            pub(crate) const ALL: &'static [UnaryFn] =
                &[$(UnaryFn::$pvariant,)* $(UnaryFn::$tvariant,)*];

            /// The numexpr name.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(UnaryFn::$pvariant => stringify!($pname),)*
                    $(UnaryFn::$tvariant => stringify!($tname),)*
                }
            }

            /// The f64 value at one point (any input; trig takes the slow path if needed).
            #[inline(always)]
            pub(crate) fn eval_f64<I: Isa>(self, x: f64) -> f64 {
                match self {
                    $(UnaryFn::$pvariant => $plane::<I>(x),)*
                    $(UnaryFn::$tvariant => $tfull::<I>(x),)*
                }
            }

            /// Apply to an f64 slice (`x` and `out` of equal length).
            #[inline(always)]
            pub(crate) fn apply_f64<I: Isa>(self, x: &[f64], out: &mut [f64]) {
                match self {
                    $(UnaryFn::$pvariant => $p64::<I>(x, out),)*
                    $(UnaryFn::$tvariant => $t64::<I>(x, out),)*
                }
            }

            /// Apply to an f32 slice (`x` and `out` of equal length).
            #[inline(always)]
            pub(crate) fn apply_f32<I: Isa>(self, x: &[f32], out: &mut [f32]) {
                match self {
                    $(UnaryFn::$pvariant => $p32::<I>(x, out),)*
                    $(UnaryFn::$tvariant => $t32::<I>(x, out),)*
                }
            }
        }
    };
}

unary_table! {
    plain {
        exp, Exp, exp_f64, exp_f64_slice, exp_f32_slice;
        expm1, Expm1, expm1_f64, expm1_f64_slice, expm1_f32_slice;
        log, Log, log_f64, log_f64_slice, log_f32_slice;
        log1p, Log1p, log1p_f64, log1p_f64_slice, log1p_f32_slice;
        log2, Log2, log2_f64, log2_f64_slice, log2_f32_slice;
        log10, Log10, log10_f64, log10_f64_slice, log10_f32_slice;
        arcsin, Arcsin, asin_f64, asin_f64_slice, asin_f32_slice;
        arccos, Arccos, acos_f64, acos_f64_slice, acos_f32_slice;
        arctan, Arctan, atan_f64, atan_f64_slice, atan_f32_slice;
        sinh, Sinh, sinh_f64, sinh_f64_slice, sinh_f32_slice;
        cosh, Cosh, cosh_f64, cosh_f64_slice, cosh_f32_slice;
        tanh, Tanh, tanh_f64, tanh_f64_slice, tanh_f32_slice;
        arcsinh, Arcsinh, asinh_f64, asinh_f64_slice, asinh_f32_slice;
        arccosh, Arccosh, acosh_f64, acosh_f64_slice, acosh_f32_slice;
        arctanh, Arctanh, atanh_f64, atanh_f64_slice, atanh_f32_slice;
    }
    trig {
        sin, Sin, sin_f64_lane, sin_f64, sin_f64_slice, sin_f32_slice;
        cos, Cos, cos_f64_lane, cos_f64, cos_f64_slice, cos_f32_slice;
        tan, Tan, tan_f64_lane, tan_f64, tan_f64_slice, tan_f32_slice;
    }
}

/// Declares the binary function table, as [`unary_table`].
macro_rules! binary_table {
    ($($name:ident, $variant:ident, $lane:ident, $lane32:ident, $s64:ident, $s32:ident;)*) => {
        $(
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($name), "(a[i], b[i])` (f64).")]
            #[inline(always)]
            pub(crate) fn $s64<I: Isa>(a: &[f64], b: &[f64], out: &mut [f64]) {
                map_binary!($lane::<I>, a, b, out, f64)
            }
            #[doc = concat!("Slice driver: `out[i] = ", stringify!($name), "(a[i], b[i])` (f32).")]
            #[inline(always)]
            pub(crate) fn $s32<I: Isa>(a: &[f32], b: &[f32], out: &mut [f32]) {
                map_binary!($lane32::<I>, a, b, out, f32)
            }
        )*

        /// The two-argument functions, named as in numexpr (`arctan2(y, x)`, `pow(x, y)`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum BinaryFn {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $variant,
            )*
        }

        impl BinaryFn {
            /// Every binary function.
            pub(crate) const ALL: &'static [BinaryFn] = &[$(BinaryFn::$variant,)*];

            /// The numexpr name.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(BinaryFn::$variant => stringify!($name),)*
                }
            }

            /// The f64 value at one point.
            #[inline(always)]
            pub(crate) fn eval_f64<I: Isa>(self, a: f64, b: f64) -> f64 {
                match self {
                    $(BinaryFn::$variant => $lane::<I>(a, b),)*
                }
            }

            /// Apply to f64 slices (all of equal length).
            #[inline(always)]
            pub(crate) fn apply_f64<I: Isa>(self, a: &[f64], b: &[f64], out: &mut [f64]) {
                match self {
                    $(BinaryFn::$variant => $s64::<I>(a, b, out),)*
                }
            }

            /// Apply to f32 slices (all of equal length).
            #[inline(always)]
            pub(crate) fn apply_f32<I: Isa>(self, a: &[f32], b: &[f32], out: &mut [f32]) {
                match self {
                    $(BinaryFn::$variant => $s32::<I>(a, b, out),)*
                }
            }
        }
    };
}

binary_table! {
    arctan2, Arctan2, atan2_f64, atan2_f64, atan2_f64_slice, atan2_f32_slice;
    pow, Pow, pow_f64, pow_f64_for_f32, pow_f64_slice, pow_f32_slice;
    hypot, Hypot, hypot_f64, hypot_f64, hypot_f64_slice, hypot_f32_slice;
}
