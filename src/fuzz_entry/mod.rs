//! Bodies of the fuzz targets and of the property tests (hidden; not part of the API).
//!
//! In: arbitrary bytes. Out: nothing, or a panic whose message shows the expression, the
//! variables and what went wrong. The cargo-fuzz targets in `fuzz/` call these functions, and
//! so does `tests/fuzz_replay.rs` on the committed seeds and crashers (on stable, in CI).
//!
//! - [`parse`]: the bytes, decoded as lossy UTF-8 (invalid sequences become U+FFFD, so every
//!   input is a test of the lexer with some non-ASCII text), are parsed, then compiled against
//!   a fixed set of variables of every kind. Properties: no panic, no hang, and every error is
//!   a clean one: not `Internal`, rendered without panicking, its span inside the input on
//!   `char` boundaries (and present for parse, name and type errors).
//! - [`compile`]: the bytes drive a generator of environments (random names, kinds including
//!   byte strings, shapes that need not broadcast, layouts) and of expressions, well-formed or
//!   not (unknown names, wrong arities, keywords, ill-typed operations, edited text). Errors
//!   must be clean as above; what compiles is also run on the VM and the reference, whose
//!   errors must be clean too.
//! - [`eval_diff`]: a well-typed expression ([`Case::typed`]) over small random arrays of
//!   every kind, with special values, odd lengths, broadcasting, strided, negative-stride and
//!   0-d views, is compiled (it must compile, to the kind the spec gives it) and run by the
//!   reference evaluator and by the VM on every instruction set this CPU has, with 1 and 2
//!   threads, the default block and 64-element blocks, and once into a negatively strided
//!   output array. Every VM result must match the reference's under the rule of `compare`:
//!   bit-exact where every operation is exact, within a propagated bound otherwise; an error
//!   on one side must be an error of the same kind on the other. The native tier is forced
//!   (`Jit::Always`) on every instruction set with 1 and 2 threads and both block sizes, and
//!   must give the interpreter's bits ([`bits`]) or the same kind of error.
//!
//! [`Case`] is also what the property tests generate (`tests/proptest_vm.rs`): its `Debug`
//! shows the expression and the variables' values exactly, so a shrunk counterexample reads
//! as a bug report.

mod compare;
mod env;
mod expr;

use std::fmt;

use arbitrary::Unstructured;
use bumpalo::Bump;
use ndarray::{ArrayD, IxDyn, Slice};
use num_complex::Complex64;

use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::hir::shape;
use crate::vm::isa::SupportedIsa;
use crate::{Engine, Output, RunOptions, Signature, Vars};
use env::Env;
pub use expr::Kind;
use expr::{ExprGen, Mode};

/// Operations deep an expression of [`Case::typed`] goes (it has up to 2^depth leaves).
const DEPTH: usize = 4;

/// The parse target: see the module docs.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let arena = Bump::new();
    if let Err(e) = crate::syntax::parse(&text, &arena)
        && let Err(why) = check_error(&text, &e, true)
    {
        panic!("parse error of `{}`: {why}", text.escape_debug());
    }
    let sig = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float32)
        .with("i", DType::Int32)
        .with("l", DType::Int64)
        .with("z", DType::Complex128)
        .with("p", DType::Bool)
        .with("s", DType::Bytes(3))
        .with("sum", DType::Float64);
    match crate::compile(&text, &sig) {
        Ok(prog) => {
            let _ = prog.to_string();
        }
        Err(e) => {
            if let Err(why) = check_error(&text, &e, false) {
                panic!("compile error of `{}`: {why}", text.escape_debug());
            }
        }
    }
}

/// The compile target: see the module docs.
pub fn compile(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let target = env::result_shape(&mut u);
    let broadcasting = env::chance(&mut u, 70);
    let mut env = Env::generate(&mut u, 6, &Kind::ALL, &mut |u| {
        if broadcasting {
            env::broadcastable(u, &target)
        } else {
            env::any_shape(u)
        }
    });
    let sig = env.signature();
    let mut generator = ExprGen::new(&mut u, &sig, env.ndim(), Mode::Chaos);
    let text = generator.expression(DEPTH + 1).text;
    let values = value_bytes(data, u);
    env.fill(&mut Unstructured::new(&values));
    let vars = env.vars();
    let fail = |why: String| -> ! {
        panic!("expression `{}` with\n{env}{why}", text.escape_debug());
    };
    let prog = match crate::compile(&text, &vars.signature()) {
        Ok(p) => p,
        Err(e) => {
            if let Err(why) = check_error(&text, &e, false) {
                fail(why);
            }
            return;
        }
    };
    let _ = prog.to_string();
    for engine in [Engine::Reference, Engine::Vm] {
        let options = RunOptions::new().engine(engine).threads(1);
        if let Err(e) = prog.run_with(&vars, &options)
            && let Err(why) = check_error(&text, &e, false)
        {
            fail(format!("{engine:?}: {why}"));
        }
    }
}

/// The eval_diff target: see the module docs.
pub fn eval_diff(data: &[u8]) {
    let case = Case::typed(data);
    if let Err(why) = case.check() {
        panic!("{case:?}\n{why}");
    }
}

/// The bytes the variables' values are drawn from: what the structure left of `data`, then a
/// pseudo-random stream seeded by all of `data` (so values are not all zero when the input is
/// short, and the same input always gives the same values).
fn value_bytes(data: &[u8], u: Unstructured<'_>) -> Vec<u8> {
    const LEN: usize = 1 << 14;
    let mut bytes = u.take_rest().to_vec();
    // FNV-1a of the input seeds a xorshift stream.
    let mut state = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    while bytes.len() < LEN {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes
}

/// Whether `e`, an error about `src`, is clean: not internal, rendered without panicking,
/// with a span inside `src` on char boundaries (required when `needs_span`, and for the
/// errors of names and types).
fn check_error(src: &str, e: &Error, needs_span: bool) -> Result<(), String> {
    let shown = e.to_string();
    if e.kind() == ErrorKind::Internal {
        return Err(format!("internal error: {shown}"));
    }
    let spanned = matches!(
        e.kind(),
        ErrorKind::Syntax
            | ErrorKind::UnknownVariable
            | ErrorKind::UnknownFunction
            | ErrorKind::Arity
            | ErrorKind::Type
            | ErrorKind::Overflow
            | ErrorKind::ZeroDivision
    );
    match e.span() {
        None if needs_span || spanned => Err(format!("no span: {shown}")),
        None => Ok(()),
        Some(s) => {
            if s.start > s.end || s.end > src.len() {
                Err(format!(
                    "span {s:?} outside the {} bytes: {shown}",
                    src.len()
                ))
            } else if !src.is_char_boundary(s.start) || !src.is_char_boundary(s.end) {
                Err(format!("span {s:?} splits a character: {shown}"))
            } else {
                Ok(())
            }
        }
    }
}

/// A generated test case: variables and an expression over them.
#[derive(Clone)]
pub struct Case {
    env: Env,
    expr: String,
    /// The kind the spec gives the expression.
    kind: Kind,
    /// For an ill-typed case: the text of the operation the spec refuses.
    ill: Option<String>,
}

impl Case {
    fn generate(data: &[u8], mode: Mode) -> Case {
        let mut u = Unstructured::new(data);
        let target = env::result_shape(&mut u);
        let mut env = Env::generate(&mut u, 4, &Kind::ALL, &mut |u| {
            env::broadcastable(u, &target)
        });
        let sig = env.signature();
        let mut generator = ExprGen::new(&mut u, &sig, env.ndim(), mode);
        let term = generator.expression(DEPTH);
        let ill = generator.ill.take();
        let values = value_bytes(data, u);
        env.fill(&mut Unstructured::new(&values));
        Case {
            env,
            expr: term.text,
            kind: term.kind,
            ill,
        }
    }

    /// A well-typed expression and its variables, from `data`.
    pub fn typed(data: &[u8]) -> Case {
        Case::generate(data, Mode::Typed)
    }

    /// An expression with one operation the spec makes a type error, from `data`.
    pub fn ill_typed(data: &[u8]) -> Case {
        Case::generate(data, Mode::IllTyped)
    }

    /// The expression.
    pub fn expression(&self) -> &str {
        &self.expr
    }

    /// The variables.
    pub fn vars(&self) -> Vars<'_> {
        self.env.vars()
    }

    /// The well-typed case compiles to the spec's kind, and every VM configuration agrees
    /// with the reference (see the module docs).
    pub fn check(&self) -> Result<(), String> {
        let vars = self.env.vars();
        let prog = crate::compile(&self.expr, &vars.signature())
            .map_err(|e| format!("a well-typed expression does not compile:\n{e}"))?;
        if Kind::of(prog.dtype()) != self.kind {
            return Err(format!(
                "compiled to {}, but the spec gives {:?}",
                prog.dtype(),
                self.kind
            ));
        }
        let hir = prog.hir();
        let inputs: Vec<ArrayRef<'_>> = hir
            .inputs
            .iter()
            .map(|slot| {
                vars.get(&slot.name)
                    .map(|v| v.view())
                    .ok_or_else(|| format!("no variable `{}`", slot.name))
            })
            .collect::<Result<_, _>>()?;
        let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
        let reference = prog.run_with(&vars, &RunOptions::new().engine(Engine::Reference));
        if let Err(e) = &reference {
            check_error(&self.expr, e, false).map_err(|why| format!("reference: {why}"))?;
        }
        let broadcast = match &reference {
            Ok(_) => {
                shape::plan(hir, &shapes)
                    .map_err(|e| format!("the shape pass fails after the reference ran: {e}"))?
                    .broadcast
            }
            Err(_) => Vec::new(),
        };
        for (name, got) in vm_runs(&prog, &vars) {
            let verdict = match (&reference, got) {
                (Err(a), Err(b)) if a.kind() == b.kind() => Ok(()),
                (Err(a), Err(b)) => Err(format!("reference error: {a}\nvm error: {b}")),
                (Err(a), Ok(b)) => Err(format!(
                    "reference error: {a}\nvm result: {}",
                    env::values_text(&b)
                )),
                (Ok(a), Err(b)) => Err(format!(
                    "vm error: {b}\nreference result: {}",
                    env::values_text(a)
                )),
                (Ok(a), Ok(b)) if (a.dtype(), a.shape()) != (b.dtype(), b.shape()) => Err(format!(
                    "vm gives {} {:?}, the reference {} {:?}",
                    b.dtype(),
                    b.shape(),
                    a.dtype(),
                    a.shape()
                )),
                (Ok(a), Ok(b)) => {
                    compare::compare(hir, &inputs, &broadcast, a, &b).map_err(|why| {
                        format!(
                            "{why}\nreference: {}\nvm:        {}",
                            env::values_text(a),
                            env::values_text(&b)
                        )
                    })
                }
            };
            verdict.map_err(|why| format!("{name}: {why}"))?;
        }
        native_agrees(&prog, &vars)
    }

    /// The ill-typed case is refused with a type error located in the refused operation.
    pub fn check_ill_typed(&self) -> Result<(), String> {
        let ill = self
            .ill
            .as_deref()
            .ok_or("the case has no ill-typed operation")?;
        let vars = self.env.vars();
        let e = match crate::compile(&self.expr, &vars.signature()) {
            Ok(prog) => return Err(format!("compiled to {}", prog.dtype())),
            Err(e) => e,
        };
        check_error(&self.expr, &e, true)?;
        if e.kind() != ErrorKind::Type {
            return Err(format!("expected a type error, got {:?}: {e}", e.kind()));
        }
        let span = e.span().ok_or("no span")?;
        let inside = self
            .expr
            .match_indices(ill)
            .any(|(at, m)| at <= span.start && span.end <= at + m.len());
        if !inside {
            return Err(format!("the error is not inside `{ill}`: {e}"));
        }
        Ok(())
    }
}

/// Every VM configuration's result: each available ISA with 1 and 2 threads, default and
/// 64-element blocks, and the default ISA into a negatively strided output.
fn vm_runs(prog: &crate::Compiled, vars: &Vars<'_>) -> Vec<(String, Result<Array, Error>)> {
    let mut runs = Vec::new();
    for isa in SupportedIsa::available() {
        for threads in [1, 2] {
            for block in [None, Some(64)] {
                let mut options = RunOptions::new()
                    .engine(Engine::VmWith(isa.name()))
                    .threads(threads);
                if let Some(b) = block {
                    options = options.block_len(b);
                }
                let name = format!(
                    "vm {} threads={threads} block={}",
                    isa.name(),
                    block.map_or("default".into(), |b| b.to_string())
                );
                runs.push((name, prog.run_with(vars, &options)));
            }
        }
    }
    if let Some(result) = run_into_reversed(prog, vars) {
        runs.push(("vm run_into a reversed output".into(), result));
    }
    runs
}

/// The native tier gives the interpreter's bits (NaN payloads aside) or the same kind of
/// error, on every available ISA, with default and 64-element blocks and 1 and 2 threads.
/// Without the `jit` feature both runs interpret and this checks nothing new.
fn native_agrees(prog: &crate::Compiled, vars: &Vars<'_>) -> Result<(), String> {
    for isa in SupportedIsa::available() {
        for (threads, block) in [(1, None), (1, Some(64)), (2, Some(64))] {
            let run = |jit| {
                let mut options = RunOptions::new()
                    .engine(Engine::VmWith(isa.name()))
                    .threads(threads)
                    .jit(jit);
                if let Some(b) = block {
                    options = options.block_len(b);
                }
                prog.run_with(vars, &options)
            };
            let name = format!("{} threads={threads} block={block:?}", isa.name());
            match (run(crate::Jit::Off), run(crate::Jit::Always)) {
                (Ok(a), Ok(b)) if bits(&a) == bits(&b) => {}
                (Err(a), Err(b)) if a.kind() == b.kind() => {}
                (a, b) => {
                    return Err(format!(
                        "{name}: the native tier differs from the interpreter:\n\
                         interpreted {a:?}\nnative      {b:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// An array's dtype, shape and element bits, every NaN the same: which NaN an operation of two
/// NaNs returns is the hardware's choice of operand, and LLVM may swap the operands of a
/// commutative operation in the interpreter's kernels. A NaN is never confused with a number,
/// nor one signed zero with the other.
pub fn bits(a: &Array) -> (String, Vec<usize>, Vec<u64>) {
    fn f64_bits(x: f64) -> u64 {
        if x.is_nan() { u64::MAX } else { x.to_bits() }
    }
    fn f32_bits(x: f32) -> u64 {
        if x.is_nan() {
            u64::MAX
        } else {
            u64::from(x.to_bits())
        }
    }
    let values: Vec<u64> = match a {
        Array::Bool(v) => v.iter().map(|&x| u64::from(x)).collect(),
        Array::Int32(v) => v.iter().map(|&x| u64::from(x as u32)).collect(),
        Array::Int64(v) => v.iter().map(|&x| x as u64).collect(),
        Array::Float32(v) => v.iter().map(|&x| f32_bits(x)).collect(),
        Array::Float64(v) => v.iter().map(|&x| f64_bits(x)).collect(),
        Array::Complex128(v) => v
            .iter()
            .flat_map(|z| [f64_bits(z.re), f64_bits(z.im)])
            .collect(),
        Array::Bytes(b) => b.as_raw().iter().map(|&x| u64::from(x)).collect(),
    };
    (a.dtype().to_string(), a.shape().to_vec(), values)
}

/// Run into a zeroed output of the result's dtype whose axes are all reversed (negative
/// strides), read back in logical order; `None` for byte strings or when the shape is not
/// known (an error before running).
fn run_into_reversed(prog: &crate::Compiled, vars: &Vars<'_>) -> Option<Result<Array, Error>> {
    let shape = prog
        .run_with(vars, &RunOptions::new())
        .ok()?
        .shape()
        .to_vec();
    fn go<T: Clone + num_traits::Zero + crate::array::Element>(
        prog: &crate::Compiled,
        vars: &Vars<'_>,
        shape: &[usize],
    ) -> Result<Array, Error>
    where
        for<'a> Output<'a>: From<ndarray::ArrayViewMutD<'a, T>>,
    {
        let mut buf = ArrayD::<T>::zeros(IxDyn(shape));
        let mut view = buf.view_mut();
        view.slice_each_axis_inplace(|_| Slice::new(0, None, -1));
        prog.run_into(vars, Output::from(view.view_mut()))?;
        Ok(Array::from(view.to_owned()))
    }
    Some(match prog.dtype() {
        DType::Bool => {
            let mut buf = ArrayD::<bool>::from_elem(IxDyn(&shape), false);
            let mut view = buf.view_mut();
            view.slice_each_axis_inplace(|_| Slice::new(0, None, -1));
            prog.run_into(vars, Output::from(view.view_mut()))
                .map(|()| Array::from(view.to_owned()))
        }
        DType::Int32 => go::<i32>(prog, vars, &shape),
        DType::Int64 => go::<i64>(prog, vars, &shape),
        DType::Float32 => go::<f32>(prog, vars, &shape),
        DType::Float64 => go::<f64>(prog, vars, &shape),
        DType::Complex128 => go::<Complex64>(prog, vars, &shape),
        DType::Bytes(_) => return None,
    })
}

impl fmt::Debug for Case {
    /// The expression, its kind, and every variable with its exact values.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "expression: {}", self.expr)?;
        writeln!(f, "spec kind:  {:?}", self.kind)?;
        if let Some(ill) = &self.ill {
            writeln!(f, "ill-typed:  {ill}")?;
        }
        write!(f, "variables:\n{}", self.env)
    }
}

#[cfg(test)]
mod tests {
    //! Small runs of the VM over every kind and layout against the reference, cheap enough for
    //! Miri (`cargo +nightly miri test --lib miri_`): they go through the zeroed result
    //! allocation, the kernel table calls, and the strided gather and scatter.
    use ndarray::{Array1, Array2, ArrayD, IxDyn, s};
    use num_complex::Complex64;

    use super::*;
    use crate::Input;

    /// Run `expr` on the VM and the reference, into a new array and into a reversed output;
    /// every result must match the reference's under the eval_diff rule.
    fn agree(expr: &str, vars: &Vars<'_>) -> Array {
        let prog = crate::compile(expr, &vars.signature()).expect("compiles");
        let want = prog
            .run_with(vars, &RunOptions::new().engine(Engine::Reference))
            .expect("the reference runs");
        let hir = prog.hir();
        let inputs: Vec<ArrayRef<'_>> = hir
            .inputs
            .iter()
            .map(|slot| vars.get(&slot.name).expect("bound").view())
            .collect();
        let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
        let broadcast = shape::plan(hir, &shapes).expect("shapes").broadcast;
        let mut runs = vec![(
            "vm".to_string(),
            prog.run_with(vars, &RunOptions::new().threads(1)),
        )];
        runs.extend(run_into_reversed(&prog, vars).map(|r| ("run_into".to_string(), r)));
        for (name, got) in runs {
            let got = got.unwrap_or_else(|e| panic!("{expr}: {name}: {e}"));
            assert_eq!(
                (got.dtype(), got.shape()),
                (want.dtype(), want.shape()),
                "{expr}"
            );
            if let Err(why) = compare::compare(hir, &inputs, &broadcast, &want, &got) {
                panic!("{expr}: {name}: {why}");
            }
        }
        want
    }

    #[test]
    fn miri_every_kind_and_layout() {
        let base = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 - 5.5);
        let x = base.slice(s![..;-1, ..]); // negative strides
        let wide = Array1::from_iter(0..9);
        let y = wide.slice(s![1..;2]); // every other element: [1, 3, 5, 7]
        let b = Array1::from(vec![true, false, true, true]);
        let z = ArrayD::from_elem(IxDyn(&[]), Complex64::new(0.5, -2.0));
        let f = Array2::from_shape_fn((4, 3), |(i, j)| (i as f32) - (j as f32) / 4.0);
        let vars = Vars::new()
            .with("x", x)
            .with("y", y)
            .with("b", &b)
            .with("z", &z)
            .with("f", f.t())
            .with("s", Input::byte_strings(["ab", "b", "", "abc"]));
        // Hand-checked: row 0 of the reversed x is base row 2, 2.5..5.5, times y + 1.
        let first = agree("x * y + 1", &vars).into_f64().expect("float64");
        assert_eq!(first.slice(s![0, ..]).to_vec(), [3.5, 11.5, 23.5, 39.5]);
        for expr in [
            "where(b, x, -x) // 2",
            "y % 3 - (y << 2) ^ ~y",
            "sqrt(abs(x)) + z * x",
            "exp(f) > 1",
            "sin(x) * cos(f) + log1p(abs(f))",
            "sum(x, axis=1)",
            "max(f * y, axis=0)",
            "prod(z * y)",
            "s == b'ab'",
            "contains(s, 'b') & b",
            "copy(s)",
            "where(b, s, 'zz')",
            "y ** 3 + (x > 0)",
        ] {
            agree(expr, &vars);
        }
    }

    #[test]
    fn miri_empty_and_zero_dimensional() {
        let empty = Array2::<f64>::zeros((0, 3));
        let one = ArrayD::from_elem(IxDyn(&[]), 2i64);
        let vars = Vars::new().with("e", &empty).with("k", &one);
        assert_eq!(agree("e * k", &vars).shape(), &[0, 3]);
        assert_eq!(agree("k * k", &vars).shape(), &[] as &[usize]);
        let total = agree("sum(e)", &vars).into_f64().expect("float64");
        assert_eq!(total.iter().next(), Some(&0.0));
    }

    /// A float32 product whose order decides between overflow and underflow: the reference
    /// (element order) and the VM (eight interleaved accumulators) get -inf and -0. Both are
    /// right for their order, and the comparison accepts either; it used to check the exponent
    /// range of float64 only (found by the long proptest run, `FUZZING.md`).
    #[test]
    fn a_float32_product_may_overflow_or_underflow_by_order() {
        let x = Array1::from(vec![
            1.0f32,
            4.153_837_5e34,
            -10.0,
            -10.0,
            2.5,
            -10.0,
            1.734_723_5e-18,
            -10.0,
            0.25,
            8.796_093e12,
            2.350_988_7e-38,
            3.051_757_8e-5,
            2.350_988_7e-38,
            0.5,
            std::f32::consts::PI,
            2.350_988_7e-38,
            -10.0,
        ]);
        let vars = Vars::new().with("x", &x);
        agree("prod(x)", &vars);
    }

    /// The differential check is not vacuous: a VM result that differs from the reference in
    /// one element, by one ulp of an exact operation, is reported.
    #[test]
    fn a_difference_is_detected() {
        let x = [1.0, 2.0, 3.0];
        let vars = Vars::new().with("x", &x);
        let prog = crate::compile("x * 3", &vars.signature()).expect("compiles");
        let want = prog.run(&vars).expect("runs");
        let mut off = want.clone().into_f64().expect("float64");
        off[[1]] = f64::from_bits(off[[1]].to_bits() + 1);
        let inputs = vec![vars.get("x").expect("bound").view()];
        let why = compare::compare(prog.hir(), &inputs, &[3], &want, &Array::from(off))
            .expect_err("a one-ulp difference of an exact product");
        assert!(why.starts_with("element 1:"), "{why}");
    }
}
