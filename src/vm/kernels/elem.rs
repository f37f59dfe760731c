//! Element functions of the VM that are not plain operators: integer division, modulo, powers
//! and shifts with numexpr's defined results, and the float roundings.
//!
//! Everything is branch-free where the kernels should vectorise. The baseline x86-64 ISA has
//! no rounding instruction (`roundpd` is SSE4.1), so there `floor` and friends use the
//! 2^52 trick instead of a libm call; with `I::ROUND` they use the instruction.

use crate::vm::isa::Isa;

macro_rules! int_ops {
    ($t:ty, $floordiv:ident, $modulo:ident, $pow:ident, $shl:ident, $shr:ident) => {
        /// Floor division; by zero gives 0; `MIN // -1` wraps to `MIN`.
        #[inline(always)]
        pub(crate) fn $floordiv(a: $t, b: $t) -> $t {
            if b == 0 {
                return 0;
            }
            let q = a.wrapping_div(b);
            // Truncation rounded toward zero: step down when the signs differ and it was inexact.
            if (a.wrapping_rem(b) != 0) & ((a < 0) != (b < 0)) {
                q - 1
            } else {
                q
            }
        }

        /// Modulo with the sign of the divisor (Python's); by zero gives 0; `MIN % -1` is 0.
        #[inline(always)]
        pub(crate) fn $modulo(a: $t, b: $t) -> $t {
            if b == 0 {
                return 0;
            }
            let r = a.wrapping_rem(b);
            if (r != 0) & ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }

        /// `a ** b` wrapping; a negative exponent gives `1 / a**|b|` in integer division:
        /// 1 for a == 1, ±1 for a == -1 (by parity), 0 otherwise (also for a == 0).
        #[inline(always)]
        pub(crate) fn $pow(a: $t, b: $t) -> $t {
            if b < 0 {
                return match a {
                    1 => 1,
                    -1 => {
                        if b & 1 == 0 {
                            1
                        } else {
                            -1
                        }
                    }
                    _ => 0,
                };
            }
            let (mut base, mut e, mut acc) = (a, b, 1 as $t);
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                e >>= 1;
            }
            acc
        }

        /// `a << b`; a count outside `0..bits` gives 0.
        #[inline(always)]
        pub(crate) fn $shl(a: $t, b: $t) -> $t {
            if (b as u64) < <$t>::BITS as u64 {
                a << b
            } else {
                0
            }
        }

        /// `a >> b` (arithmetic); a count outside `0..bits` gives the sign fill.
        #[inline(always)]
        pub(crate) fn $shr(a: $t, b: $t) -> $t {
            let max = (<$t>::BITS - 1) as $t;
            a >> if (b as u64) < <$t>::BITS as u64 {
                b
            } else {
                max
            }
        }
    };
}

int_ops!(i32, floordiv_i32, mod_i32, pow_i32, shl_i32, shr_i32);
int_ops!(i64, floordiv_i64, mod_i64, pow_i64, shl_i64, shr_i64);

macro_rules! roundings {
    ($t:ty, $bits:ty, $big:expr, $rint:ident, $floor:ident, $ceil:ident $(, $trunc:ident)?) => {
        /// Round half to even.
        #[inline(always)]
        pub(crate) fn $rint<I: Isa>(x: $t) -> $t {
            if I::ROUND {
                return x.round_ties_even();
            }
            // Adding and subtracting 2^mantissa rounds in the current (nearest-even) mode;
            // values at least that large are already integers (or inf/nan).
            let big: $t = $big;
            let m = big.copysign(x);
            let r = ((x + m) - m).copysign(x);
            if x.abs() < big { r } else { x }
        }

        /// Round toward -inf.
        #[inline(always)]
        pub(crate) fn $floor<I: Isa>(x: $t) -> $t {
            if I::ROUND {
                return x.floor();
            }
            let r = $rint::<I>(x);
            if r > x { r - 1.0 } else { r }
        }

        /// Round toward +inf.
        #[inline(always)]
        pub(crate) fn $ceil<I: Isa>(x: $t) -> $t {
            if I::ROUND {
                return x.ceil();
            }
            let r = $rint::<I>(x);
            // A result of zero from a negative `x` is `-0.0`, as C's ceil gives.
            (if r < x { r + 1.0 } else { r }).copysign(x)
        }

        $(
        /// Round toward zero.
        #[inline(always)]
        pub(crate) fn $trunc<I: Isa>(x: $t) -> $t {
            if I::ROUND {
                return x.trunc();
            }
            let r = $floor::<I>(x.abs());
            r.copysign(x)
        }
        )?
    };
}

roundings!(
    f64,
    u64,
    4503599627370496.0,
    rint_f64,
    floor_f64,
    ceil_f64,
    trunc_f64
);
roundings!(f32, u32, 8388608.0, rint_f32, floor_f32, ceil_f32);

/// -1, 0 (keeping the zero's sign), 1, or nan.
#[inline(always)]
pub(crate) fn sign_f64(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

/// C's `nextafter`: the next double after `x` toward `y`.
#[inline(always)]
pub(crate) fn nextafter_f64(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    if x == y {
        return y;
    }
    if x == 0.0 {
        return f64::from_bits(1).copysign(y);
    }
    let bits = x.to_bits();
    let away = (y > x) == (x > 0.0);
    f64::from_bits(if away { bits + 1 } else { bits - 1 })
}

/// The larger, NaN-propagating.
#[inline(always)]
pub(crate) fn maximum_f64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a >= b {
        a
    } else {
        b
    }
}

/// The smaller, NaN-propagating.
#[inline(always)]
pub(crate) fn minimum_f64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        a + b
    } else if a <= b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::isa::Baseline;

    #[test]
    fn integer_division_follows_python_and_never_traps() {
        // (a, b, a // b, a % b), worked out by hand.
        let cases: &[(i32, i32, i32, i32)] = &[
            (7, 2, 3, 1),
            (-7, 2, -4, 1),
            (7, -2, -4, -1),
            (-7, -2, 3, -1),
            (6, 3, 2, 0),
            (-6, 3, -2, 0),
            (5, 0, 0, 0),
            (i32::MIN, -1, i32::MIN, 0),
            (i32::MIN, 1, i32::MIN, 0),
            (i32::MAX, -1, -i32::MAX, 0),
            (i32::MIN, 2, i32::MIN / 2, 0),
            (i32::MIN, 3, -715827883, 1),
        ];
        for &(a, b, q, r) in cases {
            assert_eq!(floordiv_i32(a, b), q, "{a} // {b}");
            assert_eq!(mod_i32(a, b), r, "{a} % {b}");
        }
        assert_eq!(floordiv_i64(i64::MIN, -1), i64::MIN);
        assert_eq!(mod_i64(i64::MIN, -1), 0);
        assert_eq!(mod_i64(-1, i64::MIN), -1);
        assert_eq!(mod_i64(1, i64::MIN), i64::MIN + 1);
    }

    #[test]
    fn integer_powers_wrap_and_negative_exponents_divide() {
        assert_eq!(pow_i32(3, 4), 81);
        assert_eq!(pow_i32(-2, 3), -8);
        assert_eq!(pow_i32(0, 0), 1);
        assert_eq!(pow_i32(2, 31), i32::MIN);
        assert_eq!(pow_i32(2, 32), 0);
        assert_eq!(pow_i32(3, 21), 3i32.wrapping_pow(21));
        assert_eq!(pow_i32(2, -1), 0);
        assert_eq!(pow_i32(1, -5), 1);
        assert_eq!(pow_i32(-1, -2), 1);
        assert_eq!(pow_i32(-1, -3), -1);
        assert_eq!(pow_i32(0, -1), 0);
        assert_eq!(pow_i64(10, 18), 1_000_000_000_000_000_000);
        assert_eq!(pow_i64(7, 40), 7i64.wrapping_pow(40));
    }

    #[test]
    fn shift_counts_outside_the_width() {
        assert_eq!(shl_i32(1, 31), i32::MIN);
        assert_eq!(shl_i32(1, 32), 0);
        assert_eq!(shl_i32(1, -1), 0);
        assert_eq!(shr_i32(-8, 1), -4);
        assert_eq!(shr_i32(-8, 40), -1);
        assert_eq!(shr_i32(8, 32), 0);
        assert_eq!(shr_i32(8, -3), 0);
        assert_eq!(shl_i64(3, 63), i64::MIN);
        assert_eq!(shl_i64(3, 64), 0);
        assert_eq!(shr_i64(i64::MIN, 100), -1);
    }

    #[test]
    fn software_rounding_matches_the_instructions() {
        let xs = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -1.0000000000000002,
            4503599627370495.5,
            4503599627370497.0,
            -4503599627370495.5,
            1e300,
            -1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            7.0,
            -7.25,
            123456.789,
            -0.8765,
            0.8765,
            -0.25,
            0.25,
            -1.0,
            1.0,
            f64::EPSILON / 2.0 - 1.0,
            1.0 - f64::EPSILON / 2.0,
            -1.5,
            1e-310,
            -1e-310,
        ];
        for x in xs {
            for (got, want) in [
                (rint_f64::<Baseline>(x), x.round_ties_even()),
                (floor_f64::<Baseline>(x), x.floor()),
                (ceil_f64::<Baseline>(x), x.ceil()),
                (trunc_f64::<Baseline>(x), x.trunc()),
            ] {
                assert_eq!(got.to_bits(), want.to_bits(), "{x}: {got} vs {want}");
            }
        }
        assert!(floor_f64::<Baseline>(f64::NAN).is_nan());
        for x in [
            0.5f32, -0.5, 2.5, -3.5, 8388607.5, -1e-30, 1e30, -0.0, -0.8765, 0.25, -1.0,
        ] {
            assert_eq!(
                rint_f32::<Baseline>(x).to_bits(),
                x.round_ties_even().to_bits(),
                "{x}"
            );
            assert_eq!(
                floor_f32::<Baseline>(x).to_bits(),
                x.floor().to_bits(),
                "{x}"
            );
            assert_eq!(ceil_f32::<Baseline>(x).to_bits(), x.ceil().to_bits(), "{x}");
        }
    }

    #[test]
    fn nextafter_and_nan_propagating_extrema() {
        assert_eq!(nextafter_f64(1.0, 2.0), 1.0 + f64::EPSILON);
        assert_eq!(nextafter_f64(1.0, 0.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(nextafter_f64(0.0, 1.0), f64::from_bits(1));
        assert_eq!(nextafter_f64(0.0, -1.0), -f64::from_bits(1));
        assert_eq!(nextafter_f64(-1.0, -2.0), -1.0 - f64::EPSILON);
        assert_eq!(nextafter_f64(f64::MAX, f64::INFINITY), f64::INFINITY);
        assert_eq!(nextafter_f64(2.0, 2.0), 2.0);
        assert!(nextafter_f64(f64::NAN, 1.0).is_nan());
        assert!(maximum_f64(1.0, f64::NAN).is_nan());
        assert!(minimum_f64(f64::NAN, 1.0).is_nan());
        assert_eq!(maximum_f64(1.0, 2.0), 2.0);
        assert_eq!(minimum_f64(1.0, 2.0), 1.0);
        assert_eq!(sign_f64(-3.0), -1.0);
        assert!(sign_f64(f64::NAN).is_nan());
    }
}
