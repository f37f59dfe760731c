//! Element functions of the bool, integer and real (float) kinds, and the tables that pick
//! the function of a [`Fun`] for one element type.
//!
//! In: a `Fun` (and, through the module, an element type). Out: `Some(fn)` when the kind has
//! that operation, `None` otherwise; the caller maps the function over whole arrays. Every
//! function is total: integer arithmetic wraps, division and modulo by zero give 0, shift
//! counts out of range are defined, and floats follow IEEE 754 and the C library (Rust's
//! `f32`/`f64` methods call glibc's libm, as numexpr does), except `asinh`, `acosh` and
//! `atanh`, whose std versions are not libm's and lose accuracy (up to 25 million ulps
//! measured near `acosh(1)`; `inf` for `acosh(f64::MAX)`), so they are written here with the
//! fdlibm formulas that glibc uses (bit-identical to glibc on 2 million random arguments).

use crate::hir::Fun;

/// The logical operations of bool (comparisons come from [`compare`]).
pub(crate) fn bool_unary(fun: Fun) -> Option<fn(bool) -> bool> {
    let f: fn(bool) -> bool = match fun {
        Fun::Not => |a| !a,
        _ => return None,
    };
    Some(f)
}

/// The binary logical operations of bool.
pub(crate) fn bool_binary(fun: Fun) -> Option<fn(bool, bool) -> bool> {
    let f: fn(bool, bool) -> bool = match fun {
        Fun::And => |a, b| a & b,
        Fun::Or => |a, b| a | b,
        Fun::Xor => |a, b| a ^ b,
        _ => return None,
    };
    Some(f)
}

/// The six comparisons, for any ordered element type (`false < true`; floats per IEEE, so
/// every comparison with NaN is false except `!=`; byte strings lexicographically).
pub(crate) fn compare<T: PartialOrd>(fun: Fun) -> Option<fn(T, T) -> bool> {
    let f: fn(T, T) -> bool = match fun {
        Fun::Lt => |a, b| a < b,
        Fun::Le => |a, b| a <= b,
        Fun::Gt => |a, b| a > b,
        Fun::Ge => |a, b| a >= b,
        Fun::Eq => |a, b| a == b,
        Fun::Ne => |a, b| a != b,
        _ => return None,
    };
    Some(f)
}

/// `==` and `!=` only, for element types without an order (complex).
pub(crate) fn equality<T: PartialEq>(fun: Fun) -> Option<fn(T, T) -> bool> {
    let f: fn(T, T) -> bool = match fun {
        Fun::Eq => |a, b| a == b,
        Fun::Ne => |a, b| a != b,
        _ => return None,
    };
    Some(f)
}

/// Defines a module of element functions for one integer type.
macro_rules! int_kernels {
    ($module:ident, $t:ident) => {
        #[doc = concat!("Element functions of `", stringify!($t), "`, wrapping on overflow.")]
        pub(crate) mod $module {
            use crate::hir::Fun;

            /// The unary operations.
            pub(crate) fn unary(fun: Fun) -> Option<fn($t) -> $t> {
                let f: fn($t) -> $t = match fun {
                    Fun::Neg => $t::wrapping_neg,
                    Fun::Not => |a| !a,
                    Fun::Abs => $t::wrapping_abs,
                    Fun::Round => |a| a,
                    Fun::Sign => $t::signum,
                    Fun::OnesLike => |_| 1,
                    _ => return None,
                };
                Some(f)
            }

            /// The binary operations with a result of the same type.
            pub(crate) fn binary(fun: Fun) -> Option<fn($t, $t) -> $t> {
                let f: fn($t, $t) -> $t = match fun {
                    Fun::Add => $t::wrapping_add,
                    Fun::Sub => $t::wrapping_sub,
                    Fun::Mul => $t::wrapping_mul,
                    Fun::FloorDiv => floor_div,
                    Fun::Mod => modulo,
                    Fun::Pow => pow,
                    Fun::And => |a, b| a & b,
                    Fun::Or => |a, b| a | b,
                    Fun::Xor => |a, b| a ^ b,
                    Fun::Shl => shl,
                    Fun::Shr => shr,
                    _ => return None,
                };
                Some(f)
            }

            /// Python's `//`: the quotient rounded toward minus infinity; 0 for `b == 0`;
            /// `MIN // -1` wraps to `MIN`.
            pub(crate) fn floor_div(a: $t, b: $t) -> $t {
                if b == 0 {
                    return 0;
                }
                let q = a.wrapping_div(b);
                // Truncation rounded toward zero; step down when the exact quotient is
                // negative and not whole.
                if a.wrapping_rem(b) != 0 && ((a < 0) != (b < 0)) {
                    q - 1
                } else {
                    q
                }
            }

            /// Python's `%`: the remainder with the sign of the divisor; 0 for `b == 0`;
            /// `MIN % -1` is 0.
            pub(crate) fn modulo(a: $t, b: $t) -> $t {
                if b == 0 {
                    return 0;
                }
                let r = a.wrapping_rem(b);
                // `r` and `b` have opposite signs here, so `r + b` cannot overflow.
                if r != 0 && ((r < 0) != (b < 0)) {
                    r + b
                } else {
                    r
                }
            }

            /// `a ** e`: exact with wrapping for `e >= 0` (repeated squaring, which is exact
            /// modulo 2^bits in any order); for `e < 0` it is `1 / a**|e|` in integer
            /// division: 1 for `a == 1`, `±1` for `a == -1` by the parity of `e`, else 0
            /// (division by zero included).
            pub(crate) fn pow(a: $t, e: $t) -> $t {
                if e < 0 {
                    return match a {
                        1 => 1,
                        -1 if e % 2 == 0 => 1,
                        -1 => -1,
                        _ => 0,
                    };
                }
                let (mut result, mut base, mut e) = (1 as $t, a, e);
                while e > 0 {
                    if e & 1 == 1 {
                        result = result.wrapping_mul(base);
                    }
                    e >>= 1;
                    base = base.wrapping_mul(base);
                }
                result
            }

            /// `a << n`; 0 for a count below zero or at least the bit width.
            pub(crate) fn shl(a: $t, n: $t) -> $t {
                match u32::try_from(n) {
                    Ok(n) if n < $t::BITS => a << n,
                    _ => 0,
                }
            }

            /// `a >> n`, arithmetic; the sign fill (0 or -1) for a count below zero or at
            /// least the bit width.
            pub(crate) fn shr(a: $t, n: $t) -> $t {
                match u32::try_from(n) {
                    Ok(n) if n < $t::BITS => a >> n,
                    _ if a < 0 => -1,
                    _ => 0,
                }
            }
        }
    };
}

int_kernels!(i32_ops, i32);
int_kernels!(i64_ops, i64);

/// Defines a module of element functions for one float type; `$small` and `$large` are the
/// argument bounds where `asinh` switches formula (glibc's, per type).
macro_rules! real_kernels {
    ($module:ident, $t:ident, small = $small:expr, large = $large:expr) => {
        #[doc = concat!("Element functions of `", stringify!($t), "` (IEEE 754, C library).")]
        pub(crate) mod $module {
            use crate::hir::Fun;

            /// The unary operations with a result of the same type.
            pub(crate) fn unary(fun: Fun) -> Option<fn($t) -> $t> {
                let f: fn($t) -> $t = match fun {
                    Fun::Neg => |a| -a,
                    Fun::OnesLike => |_| 1.0,
                    Fun::Sqrt => $t::sqrt,
                    Fun::Sin => $t::sin,
                    Fun::Cos => $t::cos,
                    Fun::Tan => $t::tan,
                    Fun::Arcsin => $t::asin,
                    Fun::Arccos => $t::acos,
                    Fun::Arctan => $t::atan,
                    Fun::Sinh => $t::sinh,
                    Fun::Cosh => $t::cosh,
                    Fun::Tanh => $t::tanh,
                    Fun::Arcsinh => asinh,
                    Fun::Arccosh => acosh,
                    Fun::Arctanh => atanh,
                    Fun::Log => $t::ln,
                    Fun::Log10 => $t::log10,
                    Fun::Log2 => $t::log2,
                    Fun::Log1p => $t::ln_1p,
                    Fun::Exp => $t::exp,
                    Fun::Expm1 => $t::exp_m1,
                    Fun::Abs => $t::abs,
                    Fun::Ceil => $t::ceil,
                    Fun::Floor => $t::floor,
                    Fun::Trunc => $t::trunc,
                    Fun::Round => $t::round_ties_even,
                    Fun::Sign => sign,
                    // A real number is its own real part and conjugate; its imaginary part
                    // is +0.
                    Fun::Real | Fun::Conj => |a| a,
                    Fun::Imag => |_| 0.0,
                    _ => return None,
                };
                Some(f)
            }

            /// The binary operations with a result of the same type.
            pub(crate) fn binary(fun: Fun) -> Option<fn($t, $t) -> $t> {
                let f: fn($t, $t) -> $t = match fun {
                    Fun::Add => |a, b| a + b,
                    Fun::Sub => |a, b| a - b,
                    Fun::Mul => |a, b| a * b,
                    Fun::Div => |a, b| a / b,
                    Fun::FloorDiv => |a, b| (a / b).floor(),
                    // numexpr's formula, literally (not fmod, not Python's): `x % 0` is NaN.
                    Fun::Mod => |a, b| a - (a / b).floor() * b,
                    Fun::Pow => $t::powf,
                    Fun::Arctan2 => $t::atan2,
                    // Rust's `%` on floats is C's fmod (exact, sign of the dividend).
                    Fun::Fmod => |a, b| a % b,
                    Fun::Hypot => $t::hypot,
                    Fun::NextAfter => next_after,
                    Fun::CopySign => $t::copysign,
                    Fun::Maximum => maximum,
                    Fun::Minimum => minimum,
                    _ => return None,
                };
                Some(f)
            }

            /// The predicates.
            pub(crate) fn test(fun: Fun) -> Option<fn($t) -> bool> {
                let f: fn($t) -> bool = match fun {
                    Fun::IsNan => $t::is_nan,
                    Fun::IsFinite => $t::is_finite,
                    Fun::IsInf => $t::is_infinite,
                    Fun::SignBit => $t::is_sign_negative,
                    _ => return None,
                };
                Some(f)
            }

            /// -1, 1, or the argument itself for ±0 and NaN.
            pub(crate) fn sign(a: $t) -> $t {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else {
                    a
                }
            }

            /// The larger of the two; NaN if either is NaN.
            pub(crate) fn maximum(a: $t, b: $t) -> $t {
                if a.is_nan() || b.is_nan() {
                    $t::NAN
                } else if a >= b {
                    a
                } else {
                    b
                }
            }

            /// The smaller of the two; NaN if either is NaN.
            pub(crate) fn minimum(a: $t, b: $t) -> $t {
                if a.is_nan() || b.is_nan() {
                    $t::NAN
                } else if a <= b {
                    a
                } else {
                    b
                }
            }

            /// C's `nextafter`: the neighbour of `a` in the direction of `b`; `b` when they
            /// are equal; NaN if either is NaN.
            pub(crate) fn next_after(a: $t, b: $t) -> $t {
                if a.is_nan() || b.is_nan() {
                    return a + b;
                }
                if a == b {
                    return b;
                }
                if a == 0.0 {
                    // The smallest subnormal, with the sign of the direction.
                    return $t::from_bits(1).copysign(b);
                }
                // For a given sign, the bit patterns of floats are ordered like their
                // magnitudes, so one step away from zero is +1 and toward zero is -1.
                let away_from_zero = (b > a) == (a > 0.0);
                let bits = a.to_bits();
                $t::from_bits(if away_from_zero { bits + 1 } else { bits - 1 })
            }

            /// `asinh`, as glibc computes it (fdlibm's method).
            pub(crate) fn asinh(x: $t) -> $t {
                let a = x.abs();
                let r = if a < $small {
                    return x;
                } else if a <= 2.0 {
                    let t = a * a;
                    (a + t / (1.0 + (1.0 + t).sqrt())).ln_1p()
                } else if a <= $large {
                    (2.0 * a + 1.0 / ((a * a + 1.0).sqrt() + a)).ln()
                } else {
                    // Also for inf and NaN.
                    a.ln() + core::$t::consts::LN_2
                };
                r.copysign(x)
            }

            /// `acosh`, as glibc computes it (fdlibm's method); NaN below 1.
            pub(crate) fn acosh(x: $t) -> $t {
                if x.is_nan() || x < 1.0 {
                    return $t::NAN;
                }
                if x >= 268435456.0 {
                    x.ln() + core::$t::consts::LN_2
                } else if x > 2.0 {
                    (2.0 * x - 1.0 / (x + (x * x - 1.0).sqrt())).ln()
                } else {
                    let t = x - 1.0;
                    (t + (2.0 * t + t * t).sqrt()).ln_1p()
                }
            }

            /// `atanh`, as glibc computes it (fdlibm's method); NaN beyond ±1, ±inf at ±1.
            pub(crate) fn atanh(x: $t) -> $t {
                let a = x.abs();
                if a.is_nan() || a > 1.0 {
                    return $t::NAN;
                }
                let r = if a == 1.0 {
                    $t::INFINITY
                } else if a < 1.0 / 268435456.0 {
                    return x;
                } else if a < 0.5 {
                    let t = a + a;
                    0.5 * (t + t * a / (1.0 - a)).ln_1p()
                } else {
                    0.5 * ((a + a) / (1.0 - a)).ln_1p()
                };
                r.copysign(x)
            }
        }
    };
}

real_kernels!(f32_ops, f32, small = 1.0 / 32768.0, large = 32768.0);
real_kernels!(f64_ops, f64, small = 1.0 / 268435456.0, large = 268435456.0);
