//! PLACEHOLDER until the `math` branch lands: scalar libm calls with the lane functions' names.
#![allow(dead_code)]
use crate::vm::isa::Isa;

macro_rules! unary {
    ($($name:ident: $t:ty => $m:ident),* $(,)?) => {$(
        #[inline(always)]
        pub(crate) fn $name<I: Isa>(x: $t) -> $t { x.$m() }
    )*};
}
unary!(
    exp_f64: f64 => exp, exp_f32: f32 => exp, expm1_f64: f64 => exp_m1, expm1_f32: f32 => exp_m1,
    log_f64: f64 => ln, log_f32: f32 => ln, log1p_f64: f64 => ln_1p, log1p_f32: f32 => ln_1p,
    log2_f64: f64 => log2, log2_f32: f32 => log2, log10_f64: f64 => log10, log10_f32: f32 => log10,
    sin_f64: f64 => sin, sin_f32: f32 => sin, cos_f64: f64 => cos, cos_f32: f32 => cos,
    tan_f64: f64 => tan, tan_f32: f32 => tan, asin_f64: f64 => asin, asin_f32: f32 => asin,
    acos_f64: f64 => acos, acos_f32: f32 => acos, atan_f64: f64 => atan, atan_f32: f32 => atan,
    sinh_f64: f64 => sinh, sinh_f32: f32 => sinh, cosh_f64: f64 => cosh, cosh_f32: f32 => cosh,
    tanh_f64: f64 => tanh, tanh_f32: f32 => tanh,
);
use crate::vm::reference::scalar::{f32_ops, f64_ops};
#[inline(always)]
pub(crate) fn asinh_f64<I: Isa>(x: f64) -> f64 {
    f64_ops::asinh(x)
}
#[inline(always)]
pub(crate) fn asinh_f32<I: Isa>(x: f32) -> f32 {
    f32_ops::asinh(x)
}
#[inline(always)]
pub(crate) fn acosh_f64<I: Isa>(x: f64) -> f64 {
    f64_ops::acosh(x)
}
#[inline(always)]
pub(crate) fn acosh_f32<I: Isa>(x: f32) -> f32 {
    f32_ops::acosh(x)
}
#[inline(always)]
pub(crate) fn atanh_f64<I: Isa>(x: f64) -> f64 {
    f64_ops::atanh(x)
}
#[inline(always)]
pub(crate) fn atanh_f32<I: Isa>(x: f32) -> f32 {
    f32_ops::atanh(x)
}
#[inline(always)]
pub(crate) fn pow_f64<I: Isa>(x: f64, y: f64) -> f64 {
    x.powf(y)
}
#[inline(always)]
pub(crate) fn pow_f32<I: Isa>(x: f32, y: f32) -> f32 {
    x.powf(y)
}
#[inline(always)]
pub(crate) fn atan2_f64<I: Isa>(x: f64, y: f64) -> f64 {
    x.atan2(y)
}
#[inline(always)]
pub(crate) fn atan2_f32<I: Isa>(x: f32, y: f32) -> f32 {
    x.atan2(y)
}
#[inline(always)]
pub(crate) fn hypot_f64<I: Isa>(x: f64, y: f64) -> f64 {
    x.hypot(y)
}
