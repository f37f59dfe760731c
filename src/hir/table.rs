//! The operations on numbers, defined once: for each function and operand dtype, the result
//! dtype, the instruction's name and the element function that computes it.
//!
//! `for_each_instruction!(m)` hands the whole table to the macro `m`. Typing reads it
//! ([`Fun::signature`](super::Fun::signature): a function is defined for a dtype exactly when
//! the table has an entry), the bytecode uses it to define `OpCode` with its names and
//! signatures (so the disassembler cannot drift from the kernels), and the VM uses it to
//! instantiate one kernel per entry and per ISA. So a typed expression always has an opcode,
//! and every opcode a kernel.
//!
//! An entry is `Name: shape(operation, "mnemonic", operand types -> result type, element fn)`:
//! - `shape` is `unary`, `binary` or `select` (`where`), which picks the kernel driver, or
//!   `math1`/`math2` for the transcendental functions, whose element "function" is the VM
//!   math module's `UnaryFn` / `BinaryFn` that names its vectorised slice driver;
//! - `operation` is what the HIR calls it (`Map(Fun)`, `Cast`, `Copy`);
//! - the element function is a closure over lane values, written with `I` (the ISA marker)
//!   in scope, so transcendental functions pick the FMA or plain variant of the target.
//!
//! Element functions live in `vm::kernels` (`elem`, `complex`) and `vm::math`; they are only
//! tokens here, resolved where the VM expands the table (other expansions drop them).

/// Calls `$m! { entries }` with every instruction of the VM.
macro_rules! for_each_instruction {
    ($m:ident) => {
        $m! {
            // ---- copies and casts -------------------------------------------------------
            CopyB: unary(Copy, "copy", bool -> bool, |a: bool| a),
            CopyI: unary(Copy, "copy", i32 -> i32, |a: i32| a),
            CopyL: unary(Copy, "copy", i64 -> i64, |a: i64| a),
            CopyF: unary(Copy, "copy", f32 -> f32, |a: f32| a),
            CopyD: unary(Copy, "copy", f64 -> f64, |a: f64| a),
            CopyC: unary(Copy, "copy", c128 -> c128, |a: c128| a),
            CastBI: unary(Cast, "cast", bool -> i32, |a: bool| a as i32),
            CastBL: unary(Cast, "cast", bool -> i64, |a: bool| a as i64),
            CastBF: unary(Cast, "cast", bool -> f32, |a: bool| u8::from(a) as f32),
            CastBD: unary(Cast, "cast", bool -> f64, |a: bool| u8::from(a) as f64),
            CastBC: unary(Cast, "cast", bool -> c128, |a: bool| c128::new(u8::from(a) as f64, 0.0)),
            CastIL: unary(Cast, "cast", i32 -> i64, |a: i32| a as i64),
            CastIF: unary(Cast, "cast", i32 -> f32, |a: i32| a as f32),
            CastID: unary(Cast, "cast", i32 -> f64, |a: i32| a as f64),
            CastIC: unary(Cast, "cast", i32 -> c128, |a: i32| c128::new(a as f64, 0.0)),
            CastLF: unary(Cast, "cast", i64 -> f32, |a: i64| a as f32),
            CastLD: unary(Cast, "cast", i64 -> f64, |a: i64| a as f64),
            CastLC: unary(Cast, "cast", i64 -> c128, |a: i64| c128::new(a as f64, 0.0)),
            CastFD: unary(Cast, "cast", f32 -> f64, |a: f32| a as f64),
            CastFC: unary(Cast, "cast", f32 -> c128, |a: f32| c128::new(a as f64, 0.0)),
            CastDC: unary(Cast, "cast", f64 -> c128, |a: f64| c128::new(a, 0.0)),

            // ---- arithmetic ---------------------------------------------------------------
            NegI: unary(Map(Neg), "neg", i32 -> i32, |a: i32| a.wrapping_neg()),
            NegL: unary(Map(Neg), "neg", i64 -> i64, |a: i64| a.wrapping_neg()),
            NegF: unary(Map(Neg), "neg", f32 -> f32, |a: f32| -a),
            NegD: unary(Map(Neg), "neg", f64 -> f64, |a: f64| -a),
            NegC: unary(Map(Neg), "neg", c128 -> c128, |a: c128| -a),
            AddI: binary(Map(Add), "add", i32 -> i32, |a: i32, b: i32| a.wrapping_add(b)),
            AddL: binary(Map(Add), "add", i64 -> i64, |a: i64, b: i64| a.wrapping_add(b)),
            AddF: binary(Map(Add), "add", f32 -> f32, |a: f32, b: f32| a + b),
            AddD: binary(Map(Add), "add", f64 -> f64, |a: f64, b: f64| a + b),
            AddC: binary(Map(Add), "add", c128 -> c128, |a: c128, b: c128| a + b),
            SubI: binary(Map(Sub), "sub", i32 -> i32, |a: i32, b: i32| a.wrapping_sub(b)),
            SubL: binary(Map(Sub), "sub", i64 -> i64, |a: i64, b: i64| a.wrapping_sub(b)),
            SubF: binary(Map(Sub), "sub", f32 -> f32, |a: f32, b: f32| a - b),
            SubD: binary(Map(Sub), "sub", f64 -> f64, |a: f64, b: f64| a - b),
            SubC: binary(Map(Sub), "sub", c128 -> c128, |a: c128, b: c128| a - b),
            MulI: binary(Map(Mul), "mul", i32 -> i32, |a: i32, b: i32| a.wrapping_mul(b)),
            MulL: binary(Map(Mul), "mul", i64 -> i64, |a: i64, b: i64| a.wrapping_mul(b)),
            MulF: binary(Map(Mul), "mul", f32 -> f32, |a: f32, b: f32| a * b),
            MulD: binary(Map(Mul), "mul", f64 -> f64, |a: f64, b: f64| a * b),
            MulC: binary(Map(Mul), "mul", c128 -> c128, |a: c128, b: c128| complex::mul(a, b)),
            DivF: binary(Map(Div), "div", f32 -> f32, |a: f32, b: f32| a / b),
            DivD: binary(Map(Div), "div", f64 -> f64, |a: f64, b: f64| a / b),
            DivC: binary(Map(Div), "div", c128 -> c128, |a: c128, b: c128| complex::div(a, b)),
            FloorDivI: binary(Map(FloorDiv), "floordiv", i32 -> i32, |a: i32, b: i32| elem::floordiv_i32(a, b)),
            FloorDivL: binary(Map(FloorDiv), "floordiv", i64 -> i64, |a: i64, b: i64| elem::floordiv_i64(a, b)),
            FloorDivF: binary(Map(FloorDiv), "floordiv", f32 -> f32, |a: f32, b: f32| elem::floor_f32::<I>(a / b)),
            FloorDivD: binary(Map(FloorDiv), "floordiv", f64 -> f64, |a: f64, b: f64| elem::floor_f64::<I>(a / b)),
            ModI: binary(Map(Mod), "mod", i32 -> i32, |a: i32, b: i32| elem::mod_i32(a, b)),
            ModL: binary(Map(Mod), "mod", i64 -> i64, |a: i64, b: i64| elem::mod_i64(a, b)),
            ModF: binary(Map(Mod), "mod", f32 -> f32, |a: f32, b: f32| a - elem::floor_f32::<I>(a / b) * b),
            ModD: binary(Map(Mod), "mod", f64 -> f64, |a: f64, b: f64| a - elem::floor_f64::<I>(a / b) * b),
            PowI: binary(Map(Pow), "pow", i32 -> i32, |a: i32, b: i32| elem::pow_i32(a, b)),
            PowL: binary(Map(Pow), "pow", i64 -> i64, |a: i64, b: i64| elem::pow_i64(a, b)),
            PowF: math2(Map(Pow), "pow", f32 -> f32, BinaryFn::Pow),
            PowD: math2(Map(Pow), "pow", f64 -> f64, BinaryFn::Pow),
            PowC: binary(Map(Pow), "pow", c128 -> c128, |a: c128, b: c128| complex::pow::<I>(a, b)),
            AbsI: unary(Map(Abs), "abs", i32 -> i32, |a: i32| a.wrapping_abs()),
            AbsL: unary(Map(Abs), "abs", i64 -> i64, |a: i64| a.wrapping_abs()),
            AbsF: unary(Map(Abs), "abs", f32 -> f32, |a: f32| a.abs()),
            AbsD: unary(Map(Abs), "abs", f64 -> f64, |a: f64| a.abs()),
            AbsC: unary(Map(Abs), "abs", c128 -> c128, |a: c128| c128::new(math::hypot_f64::<I>(a.re, a.im), 0.0)),
            OnesLikeI: unary(Map(OnesLike), "ones_like", i32 -> i32, |_a: i32| 1),
            OnesLikeL: unary(Map(OnesLike), "ones_like", i64 -> i64, |_a: i64| 1),
            OnesLikeF: unary(Map(OnesLike), "ones_like", f32 -> f32, |_a: f32| 1.0),
            OnesLikeD: unary(Map(OnesLike), "ones_like", f64 -> f64, |_a: f64| 1.0),
            OnesLikeC: unary(Map(OnesLike), "ones_like", c128 -> c128, |_a: c128| c128::new(1.0, 0.0)),

            // ---- logic and bits -----------------------------------------------------------
            NotB: unary(Map(Not), "not", bool -> bool, |a: bool| !a),
            NotI: unary(Map(Not), "not", i32 -> i32, |a: i32| !a),
            NotL: unary(Map(Not), "not", i64 -> i64, |a: i64| !a),
            AndB: binary(Map(And), "and", bool -> bool, |a: bool, b: bool| a & b),
            AndI: binary(Map(And), "and", i32 -> i32, |a: i32, b: i32| a & b),
            AndL: binary(Map(And), "and", i64 -> i64, |a: i64, b: i64| a & b),
            OrB: binary(Map(Or), "or", bool -> bool, |a: bool, b: bool| a | b),
            OrI: binary(Map(Or), "or", i32 -> i32, |a: i32, b: i32| a | b),
            OrL: binary(Map(Or), "or", i64 -> i64, |a: i64, b: i64| a | b),
            XorB: binary(Map(Xor), "xor", bool -> bool, |a: bool, b: bool| a ^ b),
            XorI: binary(Map(Xor), "xor", i32 -> i32, |a: i32, b: i32| a ^ b),
            XorL: binary(Map(Xor), "xor", i64 -> i64, |a: i64, b: i64| a ^ b),
            ShlI: binary(Map(Shl), "lshift", i32 -> i32, |a: i32, b: i32| elem::shl_i32(a, b)),
            ShlL: binary(Map(Shl), "lshift", i64 -> i64, |a: i64, b: i64| elem::shl_i64(a, b)),
            ShrI: binary(Map(Shr), "rshift", i32 -> i32, |a: i32, b: i32| elem::shr_i32(a, b)),
            ShrL: binary(Map(Shr), "rshift", i64 -> i64, |a: i64, b: i64| elem::shr_i64(a, b)),

            // ---- comparisons --------------------------------------------------------------
            LtB: binary(Map(Lt), "lt", bool -> bool, |a: bool, b: bool| !a & b),
            LtI: binary(Map(Lt), "lt", i32 -> bool, |a: i32, b: i32| a < b),
            LtL: binary(Map(Lt), "lt", i64 -> bool, |a: i64, b: i64| a < b),
            LtF: binary(Map(Lt), "lt", f32 -> bool, |a: f32, b: f32| a < b),
            LtD: binary(Map(Lt), "lt", f64 -> bool, |a: f64, b: f64| a < b),
            LeB: binary(Map(Le), "le", bool -> bool, |a: bool, b: bool| !a | b),
            LeI: binary(Map(Le), "le", i32 -> bool, |a: i32, b: i32| a <= b),
            LeL: binary(Map(Le), "le", i64 -> bool, |a: i64, b: i64| a <= b),
            LeF: binary(Map(Le), "le", f32 -> bool, |a: f32, b: f32| a <= b),
            LeD: binary(Map(Le), "le", f64 -> bool, |a: f64, b: f64| a <= b),
            GtB: binary(Map(Gt), "gt", bool -> bool, |a: bool, b: bool| a & !b),
            GtI: binary(Map(Gt), "gt", i32 -> bool, |a: i32, b: i32| a > b),
            GtL: binary(Map(Gt), "gt", i64 -> bool, |a: i64, b: i64| a > b),
            GtF: binary(Map(Gt), "gt", f32 -> bool, |a: f32, b: f32| a > b),
            GtD: binary(Map(Gt), "gt", f64 -> bool, |a: f64, b: f64| a > b),
            GeB: binary(Map(Ge), "ge", bool -> bool, |a: bool, b: bool| a | !b),
            GeI: binary(Map(Ge), "ge", i32 -> bool, |a: i32, b: i32| a >= b),
            GeL: binary(Map(Ge), "ge", i64 -> bool, |a: i64, b: i64| a >= b),
            GeF: binary(Map(Ge), "ge", f32 -> bool, |a: f32, b: f32| a >= b),
            GeD: binary(Map(Ge), "ge", f64 -> bool, |a: f64, b: f64| a >= b),
            EqB: binary(Map(Eq), "eq", bool -> bool, |a: bool, b: bool| a == b),
            EqI: binary(Map(Eq), "eq", i32 -> bool, |a: i32, b: i32| a == b),
            EqL: binary(Map(Eq), "eq", i64 -> bool, |a: i64, b: i64| a == b),
            EqF: binary(Map(Eq), "eq", f32 -> bool, |a: f32, b: f32| a == b),
            EqD: binary(Map(Eq), "eq", f64 -> bool, |a: f64, b: f64| a == b),
            EqC: binary(Map(Eq), "eq", c128 -> bool, |a: c128, b: c128| a.re == b.re && a.im == b.im),
            NeB: binary(Map(Ne), "ne", bool -> bool, |a: bool, b: bool| a != b),
            NeI: binary(Map(Ne), "ne", i32 -> bool, |a: i32, b: i32| a != b),
            NeL: binary(Map(Ne), "ne", i64 -> bool, |a: i64, b: i64| a != b),
            NeF: binary(Map(Ne), "ne", f32 -> bool, |a: f32, b: f32| a != b),
            NeD: binary(Map(Ne), "ne", f64 -> bool, |a: f64, b: f64| a != b),
            NeC: binary(Map(Ne), "ne", c128 -> bool, |a: c128, b: c128| a.re != b.re || a.im != b.im),

            // ---- selection ----------------------------------------------------------------
            WhereB: select(Map(Where), "where", bool -> bool, |c: bool, a: bool, b: bool| if c { a } else { b }),
            WhereI: select(Map(Where), "where", i32 -> i32, |c: bool, a: i32, b: i32| if c { a } else { b }),
            WhereL: select(Map(Where), "where", i64 -> i64, |c: bool, a: i64, b: i64| if c { a } else { b }),
            WhereF: select(Map(Where), "where", f32 -> f32, |c: bool, a: f32, b: f32| if c { a } else { b }),
            WhereD: select(Map(Where), "where", f64 -> f64, |c: bool, a: f64, b: f64| if c { a } else { b }),
            WhereC: select(Map(Where), "where", c128 -> c128, |c: bool, a: c128, b: c128| if c { a } else { b }),

            // ---- real functions -----------------------------------------------------------
            SqrtF: unary(Map(Sqrt), "sqrt", f32 -> f32, |a: f32| a.sqrt()),
            SqrtD: unary(Map(Sqrt), "sqrt", f64 -> f64, |a: f64| a.sqrt()),
            SinF: math1(Map(Sin), "sin", f32 -> f32, UnaryFn::Sin),
            SinD: math1(Map(Sin), "sin", f64 -> f64, UnaryFn::Sin),
            CosF: math1(Map(Cos), "cos", f32 -> f32, UnaryFn::Cos),
            CosD: math1(Map(Cos), "cos", f64 -> f64, UnaryFn::Cos),
            TanF: math1(Map(Tan), "tan", f32 -> f32, UnaryFn::Tan),
            TanD: math1(Map(Tan), "tan", f64 -> f64, UnaryFn::Tan),
            ArcsinF: math1(Map(Arcsin), "arcsin", f32 -> f32, UnaryFn::Arcsin),
            ArcsinD: math1(Map(Arcsin), "arcsin", f64 -> f64, UnaryFn::Arcsin),
            ArccosF: math1(Map(Arccos), "arccos", f32 -> f32, UnaryFn::Arccos),
            ArccosD: math1(Map(Arccos), "arccos", f64 -> f64, UnaryFn::Arccos),
            ArctanF: math1(Map(Arctan), "arctan", f32 -> f32, UnaryFn::Arctan),
            ArctanD: math1(Map(Arctan), "arctan", f64 -> f64, UnaryFn::Arctan),
            SinhF: math1(Map(Sinh), "sinh", f32 -> f32, UnaryFn::Sinh),
            SinhD: math1(Map(Sinh), "sinh", f64 -> f64, UnaryFn::Sinh),
            CoshF: math1(Map(Cosh), "cosh", f32 -> f32, UnaryFn::Cosh),
            CoshD: math1(Map(Cosh), "cosh", f64 -> f64, UnaryFn::Cosh),
            TanhF: math1(Map(Tanh), "tanh", f32 -> f32, UnaryFn::Tanh),
            TanhD: math1(Map(Tanh), "tanh", f64 -> f64, UnaryFn::Tanh),
            ArcsinhF: math1(Map(Arcsinh), "arcsinh", f32 -> f32, UnaryFn::Arcsinh),
            ArcsinhD: math1(Map(Arcsinh), "arcsinh", f64 -> f64, UnaryFn::Arcsinh),
            ArccoshF: math1(Map(Arccosh), "arccosh", f32 -> f32, UnaryFn::Arccosh),
            ArccoshD: math1(Map(Arccosh), "arccosh", f64 -> f64, UnaryFn::Arccosh),
            ArctanhF: math1(Map(Arctanh), "arctanh", f32 -> f32, UnaryFn::Arctanh),
            ArctanhD: math1(Map(Arctanh), "arctanh", f64 -> f64, UnaryFn::Arctanh),
            LogF: math1(Map(Log), "log", f32 -> f32, UnaryFn::Log),
            LogD: math1(Map(Log), "log", f64 -> f64, UnaryFn::Log),
            Log10F: math1(Map(Log10), "log10", f32 -> f32, UnaryFn::Log10),
            Log10D: math1(Map(Log10), "log10", f64 -> f64, UnaryFn::Log10),
            Log2F: math1(Map(Log2), "log2", f32 -> f32, UnaryFn::Log2),
            Log2D: math1(Map(Log2), "log2", f64 -> f64, UnaryFn::Log2),
            Log1pF: math1(Map(Log1p), "log1p", f32 -> f32, UnaryFn::Log1p),
            Log1pD: math1(Map(Log1p), "log1p", f64 -> f64, UnaryFn::Log1p),
            ExpF: math1(Map(Exp), "exp", f32 -> f32, UnaryFn::Exp),
            ExpD: math1(Map(Exp), "exp", f64 -> f64, UnaryFn::Exp),
            Expm1F: math1(Map(Expm1), "expm1", f32 -> f32, UnaryFn::Expm1),
            Expm1D: math1(Map(Expm1), "expm1", f64 -> f64, UnaryFn::Expm1),
            CeilF: unary(Map(Ceil), "ceil", f32 -> f32, |a: f32| elem::ceil_f32::<I>(a)),
            CeilD: unary(Map(Ceil), "ceil", f64 -> f64, |a: f64| elem::ceil_f64::<I>(a)),
            FloorF: unary(Map(Floor), "floor", f32 -> f32, |a: f32| elem::floor_f32::<I>(a)),
            FloorD: unary(Map(Floor), "floor", f64 -> f64, |a: f64| elem::floor_f64::<I>(a)),
            TruncD: unary(Map(Trunc), "trunc", f64 -> f64, |a: f64| elem::trunc_f64::<I>(a)),
            RoundI: unary(Map(Round), "round", i32 -> i32, |a: i32| a),
            RoundL: unary(Map(Round), "round", i64 -> i64, |a: i64| a),
            RoundD: unary(Map(Round), "round", f64 -> f64, |a: f64| elem::rint_f64::<I>(a)),
            RoundC: unary(Map(Round), "round", c128 -> c128, |a: c128| c128::new(elem::rint_f64::<I>(a.re), elem::rint_f64::<I>(a.im))),
            SignI: unary(Map(Sign), "sign", i32 -> i32, |a: i32| a.signum()),
            SignL: unary(Map(Sign), "sign", i64 -> i64, |a: i64| a.signum()),
            SignD: unary(Map(Sign), "sign", f64 -> f64, |a: f64| elem::sign_f64(a)),
            SignC: unary(Map(Sign), "sign", c128 -> c128, |a: c128| complex::sign::<I>(a)),
            RealD: unary(Map(Real), "real", f64 -> f64, |a: f64| a),
            RealC: unary(Map(Real), "real", c128 -> f64, |a: c128| a.re),
            ImagD: unary(Map(Imag), "imag", f64 -> f64, |_a: f64| 0.0),
            ImagC: unary(Map(Imag), "imag", c128 -> f64, |a: c128| a.im),
            ConjD: unary(Map(Conj), "conj", f64 -> f64, |a: f64| a),
            ConjC: unary(Map(Conj), "conj", c128 -> c128, |a: c128| a.conj()),
            IsNanF: unary(Map(IsNan), "isnan", f32 -> bool, |a: f32| a.is_nan()),
            IsNanD: unary(Map(IsNan), "isnan", f64 -> bool, |a: f64| a.is_nan()),
            IsNanC: unary(Map(IsNan), "isnan", c128 -> bool, |a: c128| a.re.is_nan() | a.im.is_nan()),
            IsFiniteF: unary(Map(IsFinite), "isfinite", f32 -> bool, |a: f32| a.is_finite()),
            IsFiniteD: unary(Map(IsFinite), "isfinite", f64 -> bool, |a: f64| a.is_finite()),
            IsFiniteC: unary(Map(IsFinite), "isfinite", c128 -> bool, |a: c128| a.re.is_finite() & a.im.is_finite()),
            IsInfF: unary(Map(IsInf), "isinf", f32 -> bool, |a: f32| a.is_infinite()),
            IsInfD: unary(Map(IsInf), "isinf", f64 -> bool, |a: f64| a.is_infinite()),
            IsInfC: unary(Map(IsInf), "isinf", c128 -> bool, |a: c128| a.re.is_infinite() | a.im.is_infinite()),
            SignBitF: unary(Map(SignBit), "signbit", f32 -> bool, |a: f32| a.is_sign_negative()),
            SignBitD: unary(Map(SignBit), "signbit", f64 -> bool, |a: f64| a.is_sign_negative()),
            Arctan2F: math2(Map(Arctan2), "arctan2", f32 -> f32, BinaryFn::Arctan2),
            Arctan2D: math2(Map(Arctan2), "arctan2", f64 -> f64, BinaryFn::Arctan2),
            FmodF: binary(Map(Fmod), "fmod", f32 -> f32, |a: f32, b: f32| a % b),
            FmodD: binary(Map(Fmod), "fmod", f64 -> f64, |a: f64, b: f64| a % b),
            HypotD: math2(Map(Hypot), "hypot", f64 -> f64, BinaryFn::Hypot),
            NextAfterD: binary(Map(NextAfter), "nextafter", f64 -> f64, |a: f64, b: f64| elem::nextafter_f64(a, b)),
            CopySignD: binary(Map(CopySign), "copysign", f64 -> f64, |a: f64, b: f64| a.copysign(b)),
            MaximumD: binary(Map(Maximum), "maximum", f64 -> f64, |a: f64, b: f64| elem::maximum_f64(a, b)),
            MinimumD: binary(Map(Minimum), "minimum", f64 -> f64, |a: f64, b: f64| elem::minimum_f64(a, b)),
            ComplexD: binary(Map(Complex), "complex", f64 -> c128, |a: f64, b: f64| c128::new(a, b)),

            // ---- complex functions --------------------------------------------------------
            SqrtC: unary(Map(Sqrt), "sqrt", c128 -> c128, |a: c128| complex::sqrt::<I>(a)),
            SinC: unary(Map(Sin), "sin", c128 -> c128, |a: c128| complex::sin::<I>(a)),
            CosC: unary(Map(Cos), "cos", c128 -> c128, |a: c128| complex::cos::<I>(a)),
            TanC: unary(Map(Tan), "tan", c128 -> c128, |a: c128| complex::tan::<I>(a)),
            ArcsinC: unary(Map(Arcsin), "arcsin", c128 -> c128, |a: c128| complex::asin::<I>(a)),
            ArccosC: unary(Map(Arccos), "arccos", c128 -> c128, |a: c128| complex::acos::<I>(a)),
            ArctanC: unary(Map(Arctan), "arctan", c128 -> c128, |a: c128| complex::atan::<I>(a)),
            SinhC: unary(Map(Sinh), "sinh", c128 -> c128, |a: c128| complex::sinh::<I>(a)),
            CoshC: unary(Map(Cosh), "cosh", c128 -> c128, |a: c128| complex::cosh::<I>(a)),
            TanhC: unary(Map(Tanh), "tanh", c128 -> c128, |a: c128| complex::tanh::<I>(a)),
            ArcsinhC: unary(Map(Arcsinh), "arcsinh", c128 -> c128, |a: c128| complex::asinh::<I>(a)),
            ArccoshC: unary(Map(Arccosh), "arccosh", c128 -> c128, |a: c128| complex::acosh::<I>(a)),
            ArctanhC: unary(Map(Arctanh), "arctanh", c128 -> c128, |a: c128| complex::atanh::<I>(a)),
            LogC: unary(Map(Log), "log", c128 -> c128, |a: c128| complex::log::<I>(a)),
            Log10C: unary(Map(Log10), "log10", c128 -> c128, |a: c128| complex::log10::<I>(a)),
            Log2C: unary(Map(Log2), "log2", c128 -> c128, |a: c128| complex::log2::<I>(a)),
            Log1pC: unary(Map(Log1p), "log1p", c128 -> c128, |a: c128| complex::log1p::<I>(a)),
            ExpC: unary(Map(Exp), "exp", c128 -> c128, |a: c128| complex::exp::<I>(a)),
            Expm1C: unary(Map(Expm1), "expm1", c128 -> c128, |a: c128| complex::expm1::<I>(a)),
        }
    };
}

pub(crate) use for_each_instruction;

/// The `DType` of a table type name (`f64` -> `DType::Float64`).
macro_rules! dtype_of {
    (bool) => {
        $crate::dtype::DType::Bool
    };
    (i32) => {
        $crate::dtype::DType::Int32
    };
    (i64) => {
        $crate::dtype::DType::Int64
    };
    (f32) => {
        $crate::dtype::DType::Float32
    };
    (f64) => {
        $crate::dtype::DType::Float64
    };
    (c128) => {
        $crate::dtype::DType::Complex128
    };
}

pub(crate) use dtype_of;

/// The typing entry of a table row: `Some((function, operand, result))` for a function,
/// `None` for casts and copies.
macro_rules! map_entry {
    (Map($fun:ident), $arg:ident, $ret:ident) => {
        Some((super::Fun::$fun, dtype_of!($arg), dtype_of!($ret)))
    };
    ($other:ident, $arg:ident, $ret:ident) => {
        None
    };
}

macro_rules! map_signatures {
    ($($name:ident: $shape:ident($op:ident $(($fun:ident))?, $mnemonic:literal,
        $arg:ident -> $ret:ident, $f:expr),)*) => {
        /// `(function, operand dtype, result dtype)` of every numeric instruction that
        /// computes a function (casts and copies are `None`), in table order.
        pub(crate) const MAP_SIGNATURES: &[Option<(super::Fun, crate::dtype::DType, crate::dtype::DType)>] =
            &[$(map_entry!($op $(($fun))?, $arg, $ret)),*];
    };
}

for_each_instruction!(map_signatures);
