//! The native tier against the interpreter, bit for bit: every eligible opcode over special
//! values, on every ISA this CPU has, streamed and splatted operands, several lengths and chunk
//! widths; segmentation; and random programs (proptest).
//!
//! Two NaNs compare equal whatever their payload and sign: x86 propagates the first operand's
//! NaN and LLVM may swap the operands of a commutative operation in the interpreter's kernels,
//! so neither engine promises a NaN's bits (numexpr and NumPy do not either).

use std::sync::Arc;

use ndarray::{ArrayD, CowArray, IxDyn};
use proptest::prelude::*;

use super::call::Arg;
use super::segment::{MAX_SEGMENT_LEN, segment, segments};
use super::{NativeProgram, eligible};
use crate::array::{Array, ArrayRef};
use crate::bytecode::{Dst, Instr, OpCode, Operand, Program, Register, Shape};
use crate::dtype::{DType, Scalar};
use crate::error::Span;
use crate::hir::InputSlot;
use crate::vm::isa::{IsaKind, SupportedIsa};
use crate::vm::value::{Column, c128};
use crate::vm::{self, Options};

/// The lengths every case runs on: empty, shorter than a chunk, around blocks.
const LENGTHS: [usize; 6] = [0, 1, 7, 64, 1000, 1025];

fn f64_specials() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.0,
        -7.25,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MIN_POSITIVE,
        5e-324,
        -1e-310,
        f64::MAX,
        -f64::MAX,
        4503599627370495.5,
        -4503599627370497.0,
        1e300,
        0.1,
        123456.789,
        -0.8765,
    ]
}

fn f32_specials() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.0,
        -7.25,
        f32::NAN,
        -f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MIN_POSITIVE,
        1e-45,
        -1e-40,
        f32::MAX,
        -f32::MAX,
        8388607.5,
        -8388609.0,
        1e30,
        0.1,
        12345.679,
        -0.8765,
    ]
}

/// The special values of a dtype, then a few pseudo-random ones.
fn specials(d: DType) -> Vec<Scalar> {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    match d {
        DType::Bool => vec![Scalar::Bool(false), Scalar::Bool(true)],
        DType::Int32 => {
            let mut v: Vec<i32> = vec![
                0,
                1,
                -1,
                2,
                -2,
                3,
                7,
                -7,
                30,
                31,
                32,
                33,
                -32,
                100,
                i32::MIN,
                i32::MAX,
                i32::MIN + 1,
            ];
            v.extend((0..6).map(|_| next() as i32));
            v.into_iter().map(Scalar::Int32).collect()
        }
        DType::Int64 => {
            let mut v: Vec<i64> = vec![
                0,
                1,
                -1,
                2,
                -2,
                3,
                7,
                -7,
                62,
                63,
                64,
                65,
                -64,
                1 << 40,
                (1 << 53) + 1,
                i64::MIN,
                i64::MAX,
                i64::MIN + 1,
            ];
            v.extend((0..6).map(|_| next() as i64));
            v.into_iter().map(Scalar::Int64).collect()
        }
        DType::Float32 => {
            let mut v = f32_specials();
            v.extend((0..4).map(|_| f32::from_bits(next() as u32)));
            v.into_iter().map(Scalar::Float32).collect()
        }
        DType::Float64 => {
            let mut v = f64_specials();
            v.extend((0..4).map(|_| f64::from_bits(next())));
            v.into_iter().map(Scalar::Float64).collect()
        }
        DType::Complex128 => {
            let parts = [
                0.0,
                -0.0,
                1.0,
                -2.5,
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                1e-310,
                1e300,
                0.75,
            ];
            let mut v = Vec::new();
            for &re in &parts {
                for &im in &parts {
                    v.push(Scalar::Complex128(c128::new(re, im)));
                }
            }
            v
        }
        DType::Bytes(_) => Vec::new(),
    }
}

/// A one-dimensional array of `values` (all of dtype `d`).
fn array(d: DType, values: &[Scalar]) -> Array {
    fn typed<T: Clone>(values: &[Scalar], f: impl Fn(&Scalar) -> Option<T>) -> ArrayD<T> {
        let v: Vec<T> = values.iter().map(|s| f(s).expect("dtype")).collect();
        ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("shape")
    }
    macro_rules! arrays {
        ($($kind:ident),*) => {
            match d {
                $(DType::$kind => Array::$kind(typed(values, |s| match s {
                    Scalar::$kind(v) => Some(*v),
                    _ => None,
                })),)*
                DType::Bytes(_) => panic!("no byte strings here"),
            }
        };
    }
    arrays!(Bool, Int32, Int64, Float32, Float64, Complex128)
}

fn array_ref(a: &Array) -> ArrayRef<'_> {
    match a {
        Array::Bool(v) => ArrayRef::Bool(CowArray::from(v.view())),
        Array::Int32(v) => ArrayRef::Int32(CowArray::from(v.view())),
        Array::Int64(v) => ArrayRef::Int64(CowArray::from(v.view())),
        Array::Float32(v) => ArrayRef::Float32(CowArray::from(v.view())),
        Array::Float64(v) => ArrayRef::Float64(CowArray::from(v.view())),
        Array::Complex128(v) => ArrayRef::Complex128(CowArray::from(v.view())),
        Array::Bytes(_) => panic!("no byte strings here"),
    }
}

fn column(a: &Array) -> Column<'_> {
    match a {
        Array::Bool(v) => Column::Bool(v.as_slice().expect("contiguous")),
        Array::Int32(v) => Column::I32(v.as_slice().expect("contiguous")),
        Array::Int64(v) => Column::I64(v.as_slice().expect("contiguous")),
        Array::Float32(v) => Column::F32(v.as_slice().expect("contiguous")),
        Array::Float64(v) => Column::F64(v.as_slice().expect("contiguous")),
        Array::Complex128(v) => Column::C128(v.as_slice().expect("contiguous")),
        Array::Bytes(_) => panic!("no byte strings here"),
    }
}

/// Bits of every element (NaNs as one canonical pattern), for an exact comparison.
fn bits(a: &Array) -> Vec<u128> {
    let f64_bits = |x: f64| {
        if x.is_nan() {
            1 << 100
        } else {
            u128::from(x.to_bits())
        }
    };
    match a {
        Array::Bool(v) => v.iter().map(|&x| u128::from(x)).collect(),
        Array::Int32(v) => v.iter().map(|&x| u128::from(x as u32)).collect(),
        Array::Int64(v) => v.iter().map(|&x| u128::from(x as u64)).collect(),
        Array::Float32(v) => v
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    1 << 100
                } else {
                    u128::from(x.to_bits())
                }
            })
            .collect(),
        Array::Float64(v) => v.iter().map(|&x| f64_bits(x)).collect(),
        Array::Complex128(v) => v
            .iter()
            .map(|z| (f64_bits(z.re) << 1) ^ (f64_bits(z.im) << 20))
            .collect(),
        Array::Bytes(_) => panic!("no byte strings here"),
    }
}

/// How an operand of a test program is given.
#[derive(Clone, Debug)]
enum Given {
    /// An input array of the case's length.
    Stream(Vec<Scalar>),
    /// A constant of the program.
    Const(Scalar),
    /// A 0-d input: one value for every element.
    Splat(Scalar),
}

/// Run `prog` over `givens` (one per input, `Const`s already in the program) at length `n` by
/// the interpreter and natively, and compare. `Err` names the first difference.
fn compare(
    prog: &Program,
    givens: &[Given],
    isa: SupportedIsa,
    native: &NativeProgram,
    n: usize,
) -> Result<(), String> {
    let arrays: Vec<Array> = givens
        .iter()
        .zip(&prog.inputs)
        .map(|(g, slot)| match g {
            Given::Stream(v) => {
                let vals: Vec<Scalar> = v.iter().cycle().take(n).cloned().collect();
                array(slot.dtype, &vals)
            }
            Given::Splat(s) | Given::Const(s) => Array::from_scalar(s.clone()),
        })
        .collect();
    let refs: Vec<ArrayRef<'_>> = arrays.iter().map(array_ref).collect();
    let exe = vm::Executable::new(prog.clone()).map_err(|e| e.to_string())?;
    let want = exe
        .run(&refs, &[n], &[n], &Options::serial(isa))
        .map_err(|e| format!("interpreter: {e}"))?;
    let mut got = crate::array::alloc::zeros(prog.dtype, &[n]).map_err(|e| e.to_string())?;
    let args: Vec<Arg<'_>> = givens
        .iter()
        .zip(&arrays)
        .map(|(g, a)| match g {
            Given::Stream(_) => Arg::Column(column(a)),
            Given::Splat(s) | Given::Const(s) => Arg::Splat(s),
        })
        .collect();
    let out = match vm::target(got.view_mut()) {
        vm::block::Target::Contiguous(c) => c,
        vm::block::Target::Strided(_) => return Err("a strided output".into()),
    };
    native
        .run(&args, out, n)
        .map_err(|e| format!("native: {e}"))?;
    let (w, g) = (bits(&want), bits(&got));
    if let Some(k) = (0..n).find(|&k| w[k] != g[k]) {
        let operands: Vec<String> = arrays
            .iter()
            .map(|a| format!("{:?}", element(a, k)))
            .collect();
        return Err(format!(
            "{isa:?} n={n} element {k}: operands {operands:?}: interpreter {:?}, native {:?}",
            element(&want, k),
            element(&got, k)
        ));
    }
    Ok(())
}

/// Element `k` of a 1-d array (or the value of a 0-d one), for messages.
fn element(a: &Array, k: usize) -> String {
    let idx = |shape: &[usize]| if shape.is_empty() { vec![] } else { vec![k] };
    match a {
        Array::Bool(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Int32(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Int64(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Float32(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Float64(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Complex128(v) => format!("{:?}", v[IxDyn(&idx(v.shape()))]),
        Array::Bytes(_) => String::new(),
    }
}

fn slot(name: &str, dtype: DType) -> InputSlot {
    InputSlot {
        name: name.into(),
        dtype,
        span: Span::new(0, 0),
    }
}

/// A program of one instruction `out = op(operands)`: `Stream` and `Splat` operands become
/// inputs, `Const` ones constants.
fn one_instruction(op: OpCode, givens: &[Given]) -> (Program, Vec<Given>) {
    let mut inputs = Vec::new();
    let mut consts = Vec::new();
    let mut input_givens = Vec::new();
    let mut args = [Operand::Const(0); 3];
    for (k, g) in givens.iter().enumerate() {
        let dtype = match (op.shape(), k) {
            (Shape::Select, 0) => DType::Bool,
            _ => op.operand_dtype().expect("numeric"),
        };
        args[k] = match g {
            Given::Const(s) => {
                consts.push(s.clone());
                Operand::Const((consts.len() - 1) as u16)
            }
            _ => {
                inputs.push(slot(&format!("x{k}"), dtype));
                input_givens.push(g.clone());
                Operand::Input((inputs.len() - 1) as u16)
            }
        };
    }
    let prog = Program {
        instrs: vec![Instr {
            op,
            dst: Dst::Output,
            args,
        }],
        registers: Vec::new(),
        consts,
        inputs,
        reduction: None,
        dtype: op.result_dtype().expect("numeric"),
        source: Arc::from(op.mnemonic()),
    };
    if let Err(e) = prog.validate() {
        panic!("{e}\n{prog}");
    }
    (prog, input_givens)
}

/// Check one case on every ISA this CPU has, every length, and the given chunk widths.
fn check(op: OpCode, givens: &[Given], chunks: &[Option<usize>]) -> Result<(), String> {
    let (prog, inputs) = one_instruction(op, givens);
    let splat: Vec<bool> = inputs
        .iter()
        .map(|g| matches!(g, Given::Splat(_)))
        .collect();
    for isa in SupportedIsa::available() {
        for &chunk in chunks {
            let native = NativeProgram::compile(&prog, &splat, isa, chunk, MAX_SEGMENT_LEN)
                .map_err(|e| format!("{op:?} {isa:?} w={chunk:?}: {e}"))?;
            for n in LENGTHS {
                compare(&prog, &inputs, isa, &native, n)
                    .map_err(|e| format!("{op:?} w={chunk:?} {givens:?}: {e}"))?;
            }
        }
    }
    Ok(())
}

/// Every pair of the values, as two columns.
fn pairs(x: &[Scalar], y: &[Scalar]) -> (Vec<Scalar>, Vec<Scalar>) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for p in x {
        for q in y {
            a.push(p.clone());
            b.push(q.clone());
        }
    }
    (a, b)
}

/// The cases of an opcode: all operands streamed over all combinations of special values, and
/// each operand in turn a constant or a splatted input.
fn cases(op: OpCode) -> Vec<(Vec<Given>, bool)> {
    let d = op.operand_dtype().expect("numeric");
    let v = specials(d);
    let mut out = Vec::new();
    match op.shape() {
        Shape::Unary => {
            out.push((vec![Given::Stream(v.clone())], true));
            for s in v.iter().take(3) {
                out.push((vec![Given::Splat(s.clone())], false));
                out.push((vec![Given::Const(s.clone())], false));
            }
        }
        Shape::Binary => {
            let (a, b) = pairs(&v, &v);
            out.push((vec![Given::Stream(a), Given::Stream(b)], true));
            // Every special value as a constant right operand (divisors, shift counts and
            // exponents have their own lowerings for constants), a few as a left one.
            for s in &v {
                out.push((
                    vec![Given::Stream(v.clone()), Given::Const(s.clone())],
                    false,
                ));
            }
            for s in v.iter().take(3) {
                out.push((
                    vec![Given::Const(s.clone()), Given::Stream(v.clone())],
                    false,
                ));
                out.push((
                    vec![Given::Stream(v.clone()), Given::Splat(s.clone())],
                    false,
                ));
                out.push((
                    vec![Given::Splat(s.clone()), Given::Stream(v.clone())],
                    false,
                ));
            }
        }
        Shape::Select => {
            let cond = specials(DType::Bool);
            let (x, y) = pairs(&v, &v);
            let c: Vec<Scalar> = (0..x.len())
                .map(|k| Scalar::Bool((k * 7 + k / 3) % 2 == 0))
                .collect();
            out.push((
                vec![
                    Given::Stream(c.clone()),
                    Given::Stream(x.clone()),
                    Given::Stream(y),
                ],
                true,
            ));
            for t in &cond {
                out.push((
                    vec![
                        Given::Const(t.clone()),
                        Given::Stream(x.clone()),
                        Given::Stream(x.clone()),
                    ],
                    false,
                ));
                out.push((
                    vec![
                        Given::Splat(t.clone()),
                        Given::Stream(v.clone()),
                        Given::Const(v[2 % v.len()].clone()),
                    ],
                    false,
                ));
            }
            out.push((
                vec![
                    Given::Stream(c),
                    Given::Const(v[1].clone()),
                    Given::Splat(v[3 % v.len()].clone()),
                ],
                false,
            ));
        }
    }
    out
}

#[test]
fn every_eligible_opcode_matches_the_interpreter_bit_for_bit() {
    let mut failures = Vec::new();
    let mut count = 0;
    for &op in OpCode::NUMERIC.iter().filter(|op| eligible(**op)) {
        for (givens, all_widths) in cases(op) {
            let chunks: &[Option<usize>] = if all_widths {
                &[None, Some(4), Some(8), Some(16)]
            } else {
                &[None]
            };
            count += 1;
            if let Err(e) = check(op, &givens, chunks) {
                failures.push(e);
            }
        }
    }
    assert!(count > 1000, "only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .map(|f| f.chars().take(400).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// `expr` through the compiler as `api::compile` runs it (constants folded by the VM).
fn program(expr: &str, vars: &[(&str, DType)]) -> Result<Program, crate::error::Error> {
    let mut sig = crate::hir::Signature::new();
    for &(name, dtype) in vars {
        sig.insert(name, dtype);
    }
    let source: Arc<str> = Arc::from(expr);
    let arena = bumpalo::Bump::new();
    let ast = crate::syntax::parse(&source, &arena)?;
    let hir = crate::hir::lower(ast, &source, &sig)?;
    let fold = |tiny: &crate::hir::Hir| -> Result<Scalar, crate::error::Error> {
        let p = crate::compile::compile(tiny)?;
        let exe = vm::Executable::new(p)?;
        let v = exe.run(&[], &[], &[], &Options::serial(SupportedIsa::baseline()))?;
        v.to_scalar()
            .ok_or_else(|| crate::error::Error::new(crate::error::ErrorKind::Internal, "fold"))
    };
    let hir = crate::optimize::optimize(hir, &fold)?;
    crate::compile::compile(&hir)
}

#[test]
fn a_segment_reads_what_was_written_before_it_and_keeps_what_is_read_after_it() {
    let f = DType::Float64;
    // sin stays interpreted: the segment starts after it and reads its register.
    let p = program("sin(a) * 2 + b", &[("a", f), ("b", f)]).unwrap();
    let segs = segments(&p, |i| eligible(i.op), MAX_SEGMENT_LEN);
    assert_eq!(segs.len(), 1, "{p}");
    assert_eq!(segs[0].instrs, 1..3, "{p}");
    assert!(matches!(segs[0].live_in[0], Operand::Reg(_)), "{segs:?}");
    assert_eq!(segs[0].live_in[1], Operand::Input(1), "{segs:?}");
    assert_eq!(segs[0].live_out, vec![Dst::Output]);

    // Two segments around an interpreted instruction: the first leaves what the rest reads
    // (r0 for sin, r1 for the last add).
    let p = program("sin(a * b) + a * b * 3", &[("a", f), ("b", f)]).unwrap();
    assert_eq!(p.instrs[2].op, OpCode::SinD, "{p}");
    let segs = segments(&p, |i| eligible(i.op), MAX_SEGMENT_LEN);
    assert_eq!(segs.len(), 2, "{p}");
    assert_eq!(segs[0].instrs, 0..2);
    assert_eq!(segs[0].live_in, vec![Operand::Input(0), Operand::Input(1)]);
    assert_eq!(
        segs[0].live_out,
        vec![Dst::Reg(Register(0)), Dst::Reg(Register(1))],
        "{p}"
    );
    assert_eq!(
        segs[1].live_in,
        vec![Operand::Reg(Register(2)), Operand::Reg(Register(1))]
    );
    assert_eq!(segs[1].live_out, vec![Dst::Output]);

    // A reduction reads its argument after the last instruction.
    let p = program("sum(a * b)", &[("a", f), ("b", f)]).unwrap();
    let segs = segments(&p, |i| eligible(i.op), MAX_SEGMENT_LEN);
    let arg = p.reduction.expect("a reduction").arg;
    assert_eq!(
        segs[0].live_out,
        vec![Dst::Reg(match arg {
            Operand::Reg(r) => r,
            other => panic!("{other:?}"),
        })]
    );

    // A register overwritten before anyone reads it is not a live-out.
    let reg = |k| Register(k);
    let add = |dst, x, y| Instr {
        op: OpCode::AddD,
        dst,
        args: [x, y, Operand::Const(0)],
    };
    let prog = Program {
        instrs: vec![
            add(Dst::Reg(reg(0)), Operand::Input(0), Operand::Const(0)),
            Instr {
                op: OpCode::SinD,
                dst: Dst::Reg(reg(1)),
                args: [Operand::Input(0); 3],
            },
            add(Dst::Reg(reg(0)), Operand::Reg(reg(1)), Operand::Const(0)),
            add(Dst::Output, Operand::Reg(reg(0)), Operand::Const(0)),
        ],
        registers: vec![f, f],
        consts: vec![Scalar::Float64(1.0)],
        inputs: vec![slot("a", f)],
        reduction: None,
        dtype: f,
        source: Arc::from("hand-made"),
    };
    prog.validate().unwrap();
    let first = segment(&prog, 0..1);
    assert!(first.live_out.is_empty(), "{first:?}");
    let last = segment(&prog, 2..4);
    assert_eq!(last.live_in, vec![Operand::Reg(reg(1))]);
    assert_eq!(last.live_out, vec![Dst::Output]);
}

/// `x + 1 + 0.1 + 1 + ...` (`len` additions) as a chain through two registers in turn (the
/// interpreter never reads the register an instruction writes).
fn chain(len: usize) -> Program {
    let f = DType::Float64;
    let instrs = (0..len)
        .map(|k| Instr {
            op: OpCode::AddD,
            dst: if k + 1 == len {
                Dst::Output
            } else {
                Dst::Reg(Register((k % 2) as u16))
            },
            args: [
                if k == 0 {
                    Operand::Input(0)
                } else {
                    Operand::Reg(Register(((k - 1) % 2) as u16))
                },
                Operand::Const((k % 2) as u16),
                Operand::Const(0),
            ],
        })
        .collect();
    let prog = Program {
        instrs,
        registers: vec![f, f],
        consts: vec![Scalar::Float64(1.0), Scalar::Float64(0.1)],
        inputs: vec![slot("x", f)],
        reduction: None,
        dtype: f,
        source: Arc::from("chain"),
    };
    prog.validate().unwrap();
    prog
}

#[test]
fn segments_are_split_at_the_limit_and_pass_values_through_a_register() {
    let x = Given::Stream(specials(DType::Float64));
    for (len, pieces) in [
        (MAX_SEGMENT_LEN, 1),
        (MAX_SEGMENT_LEN + 1, 2),
        (2 * MAX_SEGMENT_LEN + 1, 3),
    ] {
        let prog = chain(len);
        let segs = segments(&prog, |i| eligible(i.op), MAX_SEGMENT_LEN);
        assert_eq!(segs.len(), pieces, "{len} instructions");
        assert!(segs.iter().all(|s| s.instrs.len() <= MAX_SEGMENT_LEN));
        assert_eq!(segs[0].instrs.len(), MAX_SEGMENT_LEN.min(len));
        for pair in segs.windows(2) {
            assert_eq!(pair[0].instrs.end, pair[1].instrs.start);
            let r = Register(((pair[0].instrs.end - 1) % 2) as u16);
            assert_eq!(pair[0].live_out, vec![Dst::Reg(r)]);
            assert_eq!(pair[1].live_in, vec![Operand::Reg(r)]);
        }
        let native = NativeProgram::compile(
            &prog,
            &[false],
            SupportedIsa::baseline(),
            None,
            MAX_SEGMENT_LEN,
        )
        .unwrap();
        assert_eq!(native.segments().len(), pieces);
        assert_eq!(native.code().len(), pieces);
        for n in LENGTHS {
            compare(
                &prog,
                std::slice::from_ref(&x),
                SupportedIsa::baseline(),
                &native,
                n,
            )
            .unwrap();
        }
    }
    // A shorter limit asked for is honoured; zero means one instruction per segment.
    let prog = chain(10);
    assert_eq!(segments(&prog, |i| eligible(i.op), 3).len(), 4);
    assert_eq!(segments(&prog, |i| eligible(i.op), 0).len(), 10);
}

#[test]
fn a_program_with_interpreted_instructions_compiles_its_segments_but_does_not_run_whole() {
    let f = DType::Float64;
    let p = program("sin(a) * 2 + b", &[("a", f), ("b", f)]).unwrap();
    let native =
        NativeProgram::compile(&p, &[false, false], SupportedIsa::baseline(), None, 64).unwrap();
    assert!(!native.is_complete());
    assert_eq!(native.code().len(), 1);
    assert!(native.code().code_bytes() > 0);
    let a = [1.0];
    let mut out = [std::mem::MaybeUninit::new(0.0)];
    let err = native
        .run(
            &[Arg::Column(Column::F64(&a)), Arg::Column(Column::F64(&a))],
            crate::vm::value::ColumnMut::F64(&mut out),
            1,
        )
        .unwrap_err();
    assert!(err.to_string().contains("not native"), "{err}");
}

/// A compile that fails (injected here; Cranelift errors are not expected) falls back to the
/// interpreter with the same result, is not retried on the next run, and never panics.
#[test]
fn a_failed_compile_falls_back_to_the_interpreter_and_is_not_retried() {
    let f = DType::Float64;
    let p = program("a * 2 + b / 3", &[("a", f), ("b", f)]).unwrap();
    let a = Array::from(ndarray::Array1::from_iter((0..1000).map(f64::from)));
    let b = Array::from_scalar(Scalar::Float64(7.0));
    let refs = [array_ref(&a), array_ref(&b)];
    let isa = SupportedIsa::detect();
    let exe = vm::Executable::new(p).unwrap();
    let want = exe
        .run(&refs, &[1000], &[1000], &Options::serial(isa))
        .unwrap();

    super::super::tier::FAIL_COMPILE.set(true);
    let always = Options::serial(isa).jit(vm::tier::Jit::Always);
    let got = exe.run(&refs, &[1000], &[1000], &always);
    super::super::tier::FAIL_COMPILE.set(false);
    assert_eq!(bits(&got.unwrap()), bits(&want));
    // The failure is remembered for this (ISA, splat) layout: no second compile.
    assert!(
        exe.native(vm::tier::Jit::Always, isa, &[false, true], 0)
            .is_none()
    );
    // Another layout compiles, and runs natively with the same bits.
    let b = Array::from(ndarray::Array1::from_elem(1000, 7.0));
    let refs = [array_ref(&a), array_ref(&b)];
    assert!(
        exe.native(vm::tier::Jit::Always, isa, &[false, false], 0)
            .is_some()
    );
    assert_eq!(
        bits(&exe.run(&refs, &[1000], &[1000], &always).unwrap()),
        bits(&want)
    );
}

#[test]
fn the_checked_call_refuses_slots_that_do_not_fit() {
    let f = DType::Float64;
    let p = program("a * b + 1", &[("a", f), ("b", f)]).unwrap();
    let native =
        NativeProgram::compile(&p, &[false, true], SupportedIsa::baseline(), None, 64).unwrap();
    let code = native.code();
    let a = [1.0, 2.0, 3.0];
    let b = Scalar::Float64(10.0);
    let i = [1i64, 2, 3];
    use crate::vm::value::ColumnMut;
    let run = |ins: &[Arg<'_>], n: usize| {
        let mut out = [std::mem::MaybeUninit::new(0.0); 3];
        let mut outs = [ColumnMut::F64(&mut out)];
        code.run(0, ins, &mut outs, n)
            // SAFETY: every element was initialised (to 0.0, then by the run).
            .map(|()| out.map(|v| unsafe { v.assume_init() }))
    };
    // Right: a column and a splat.
    let good = run(&[Arg::Column(Column::F64(&a)), Arg::Splat(&b)], 3).unwrap();
    assert_eq!(good, [11.0, 21.0, 31.0]);
    // Wrong dtype, wrong length, splat for a streamed slot and the other way round, wrong
    // count of slots: errors, not undefined behaviour.
    for (ins, n) in [
        (vec![Arg::Column(Column::I64(&i)), Arg::Splat(&b)], 3),
        (vec![Arg::Column(Column::F64(&a)), Arg::Splat(&b)], 2),
        (vec![Arg::Splat(&b), Arg::Splat(&b)], 3),
        (
            vec![Arg::Column(Column::F64(&a)), Arg::Column(Column::F64(&a))],
            3,
        ),
        (vec![Arg::Column(Column::F64(&a))], 3),
        (
            vec![Arg::Column(Column::F64(&a)), Arg::Splat(&Scalar::Int64(1))],
            3,
        ),
    ] {
        assert!(run(&ins, n).is_err(), "{ins:?}");
    }
    let mut short = [std::mem::MaybeUninit::new(0.0); 2];
    let mut outs = [ColumnMut::F64(&mut short)];
    assert!(
        code.run(
            0,
            &[Arg::Column(Column::F64(&a)), Arg::Splat(&b)],
            &mut outs,
            3
        )
        .is_err()
    );
    assert!(code.run(1, &[], &mut [], 0).is_err());
}

#[test]
fn code_runs_from_several_threads_at_once() {
    let f = DType::Float64;
    let p = program("a * a + 0.5", &[("a", f)]).unwrap();
    let native = NativeProgram::compile(&p, &[false], SupportedIsa::detect(), None, 64).unwrap();
    let a: Vec<f64> = (0..10_000).map(|k| k as f64).collect();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (native, a) = (&native, &a);
            s.spawn(move || {
                for _ in 0..20 {
                    let mut out = vec![std::mem::MaybeUninit::new(0.0); a.len()];
                    native
                        .run(
                            &[Arg::Column(Column::F64(a))],
                            crate::vm::value::ColumnMut::F64(&mut out),
                            a.len(),
                        )
                        .unwrap();
                    let k = 1000 * t + 7;
                    // SAFETY: every element was initialised (to 0.0, then by the run).
                    assert_eq!(unsafe { out[k].assume_init() }, (k * k) as f64 + 0.5);
                }
            });
        }
    });
}

/// The variables of the random programs.
const VARS: [(&str, DType); 12] = [
    ("a", DType::Float64),
    ("b", DType::Float64),
    ("f", DType::Float32),
    ("g", DType::Float32),
    ("i", DType::Int64),
    ("k", DType::Int64),
    ("j", DType::Int32),
    ("m", DType::Int32),
    ("p", DType::Bool),
    ("q", DType::Bool),
    ("z", DType::Complex128),
    ("w", DType::Complex128),
];

/// Random expressions of native operations, by result kind: 0 float, 1 int, 2 bool,
/// 3 complex. Built level by level so that the strategies are shared, not copied.
fn expressions() -> BoxedStrategy<String> {
    fn pick(names: &'static [&'static str]) -> BoxedStrategy<String> {
        prop::sample::select(names).prop_map(String::from).boxed()
    }
    let mut level: Vec<BoxedStrategy<String>> = vec![
        pick(&[
            "a", "b", "f", "g", "0.5", "-0.0", "2.5", "1e300", "3.0", "-1.5",
        ]),
        pick(&[
            "i", "k", "j", "m", "0", "1", "-1", "2", "3", "7", "-8", "63", "64",
        ]),
        pick(&["p", "q"]),
        pick(&["z", "w"]),
    ];
    for _ in 0..3 {
        let (f, i, b, c) = (
            level[0].clone(),
            level[1].clone(),
            level[2].clone(),
            level[3].clone(),
        );
        let bin =
            |x: BoxedStrategy<String>, y: BoxedStrategy<String>, ops: &'static [&'static str]| {
                (x, prop::sample::select(ops), y)
                    .prop_map(|(x, op, y)| format!("({x} {op} {y})"))
                    .boxed()
            };
        let call1 = |x: BoxedStrategy<String>, fs: &'static [&'static str]| {
            (prop::sample::select(fs), x)
                .prop_map(|(f, x)| format!("{f}({x})"))
                .boxed()
        };
        let call2 =
            |x: BoxedStrategy<String>, y: BoxedStrategy<String>, fs: &'static [&'static str]| {
                (prop::sample::select(fs), x, y)
                    .prop_map(|(f, x, y)| format!("{f}({x}, {y})"))
                    .boxed()
            };
        let select = |c: BoxedStrategy<String>, x: BoxedStrategy<String>| {
            (c, x.clone(), x)
                .prop_map(|(c, x, y)| format!("where({c}, {x}, {y})"))
                .boxed()
        };
        let float = prop_oneof![
            f.clone(),
            bin(f.clone(), f.clone(), &["+", "-", "*", "/", "//", "%"]),
            bin(f.clone(), i.clone(), &["+", "*", "-", "/"]),
            call1(
                f.clone(),
                &[
                    "abs",
                    "sqrt",
                    "floor",
                    "ceil",
                    "trunc",
                    "round",
                    "sign",
                    "-",
                    "ones_like"
                ]
            ),
            call2(f.clone(), f.clone(), &["copysign", "maximum", "minimum"]),
            select(b.clone(), f.clone()),
            call1(c.clone(), &["real", "imag"]),
        ]
        .boxed();
        let int = prop_oneof![
            i.clone(),
            bin(
                i.clone(),
                i.clone(),
                &["+", "-", "*", "//", "%", "**", "&", "|", "^", "<<", ">>"]
            ),
            call1(i.clone(), &["abs", "sign", "-", "~", "round", "ones_like"]),
            select(b.clone(), i.clone()),
            bin(b.clone(), i.clone(), &["+", "*"]),
        ]
        .boxed();
        let boolean = prop_oneof![
            b.clone(),
            bin(f.clone(), f.clone(), &["<", "<=", ">", ">=", "==", "!="]),
            bin(i.clone(), i.clone(), &["<", "<=", ">", ">=", "==", "!="]),
            bin(
                b.clone(),
                b.clone(),
                &["&", "|", "^", "<", "<=", ">", ">=", "==", "!="]
            ),
            call1(b.clone(), &["~"]),
            call1(f.clone(), &["isnan", "isinf", "isfinite", "signbit"]),
            call1(c.clone(), &["isnan", "isinf", "isfinite"]),
            bin(c.clone(), c.clone(), &["==", "!="]),
        ]
        .boxed();
        let complex = prop_oneof![
            c.clone(),
            bin(c.clone(), c.clone(), &["+", "-", "*", "/"]),
            bin(c.clone(), f.clone(), &["+", "*"]),
            call1(c.clone(), &["conj", "-", "ones_like"]),
            call2(f.clone(), f.clone(), &["complex"]),
            select(b.clone(), c.clone()),
        ]
        .boxed();
        level = vec![float, int, boolean, complex];
    }
    prop_oneof![
        level[0].clone(),
        level[1].clone(),
        level[2].clone(),
        level[3].clone()
    ]
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    })]

    /// Random programs of native operations, natively (whole, and cut into short segments
    /// that pass values through registers) and by the interpreter: the same bits.
    #[test]
    fn random_native_programs_match_the_interpreter(
        expr in expressions(),
        offset in 0usize..40,
        n in prop::sample::select(&LENGTHS[..]),
        max_len in prop::sample::select(&[1usize, 2, 5, MAX_SEGMENT_LEN][..]),
        chunk in prop::sample::select(&[None, Some(4usize), Some(8), Some(16)][..]),
    ) {
        let prog = program(&expr, &VARS);
        prop_assume!(prog.is_ok());
        let prog = prog.unwrap();
        prop_assume!(prog.instrs.iter().all(|i| eligible(i.op)));
        let givens: Vec<Given> = prog
            .inputs
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let mut v = specials(s.dtype);
                let len = v.len();
                v.rotate_left((offset + 5 * k) % len);
                Given::Stream(v)
            })
            .collect();
        for isa in SupportedIsa::available() {
            let native = NativeProgram::compile(&prog, &vec![false; givens.len()], isa, chunk, max_len)
                .map_err(|e| TestCaseError::fail(format!("{expr}: {e}\n{prog}")))?;
            compare(&prog, &givens, isa, &native, n)
                .map_err(|e| TestCaseError::fail(format!("{expr}: {e}\n{prog}")))?;
        }
    }
}

/// The mnemonic of each instruction line of a listing.
fn mnemonics(listing: &str) -> Vec<String> {
    listing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.ends_with(':') && !l.starts_with(';'))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn baseline_code_uses_sse2_only_and_avx2_code_uses_avx() {
    // Every family of lowering: float arithmetic and rounding, casts, comparisons and masks,
    // selects, integer division and shifts, complex parts.
    let expr = "where(a > b, floor(a) * 2, ceil(b) - trunc(a)) + round(f) + (i // k) \
                + (j << 3) + (i % 7) + maximum(a, b) + real(z * w) + (p & (f < g))";
    let prog = program(expr, &VARS).unwrap();
    assert!(prog.instrs.iter().all(|i| eligible(i.op)), "{prog}");
    let splat = vec![false; prog.inputs.len()];
    // SSE3 and later instructions Cranelift's x86-64 backend can emit (prefixes that no SSE2
    // mnemonic starts with).
    let beyond_sse2: Vec<&str> = "round blendv pblend pmulld pmuldq pmovsx pmovzx pinsrb pinsrd \
         pinsrq pextrb pextrd pextrq pshufb pabs pcmpeqq pcmpgtq ptest insertps extractps \
         pminsb pminsd pmaxsb pmaxsd pminuw pminud pmaxuw pmaxud palignr packusdw movddup \
         hadd popcnt lzcnt tzcnt andnl andnq shlx sarx shrx"
        .split_whitespace()
        .collect();
    let native = NativeProgram::compile_with_listing(
        &prog,
        &splat,
        SupportedIsa::baseline(),
        None,
        MAX_SEGMENT_LEN,
        true,
    )
    .unwrap();
    let listing = native.code().listing(0).expect("a listing");
    let words = mnemonics(listing);
    assert!(words.len() > 50, "{listing}");
    for w in &words {
        assert!(
            !w.starts_with('v') && !beyond_sse2.iter().any(|b| w.starts_with(b)),
            "the baseline code uses `{w}`:\n{listing}"
        );
    }
    if let Some(avx2) = SupportedIsa::check(IsaKind::Avx2) {
        let native =
            NativeProgram::compile_with_listing(&prog, &splat, avx2, None, MAX_SEGMENT_LEN, true)
                .unwrap();
        let listing = native.code().listing(0).expect("a listing");
        let words = mnemonics(listing);
        assert!(words.iter().any(|w| w.starts_with("vround")), "{listing}");
        assert!(
            !words
                .iter()
                .any(|w| w.starts_with("vfmadd") || w.contains("ymm")),
            "{listing}"
        );
    }
}

#[test]
fn the_comparison_sees_a_signed_zero_but_not_a_nan_sign() {
    let zero = Given::Const(Scalar::Float64(0.0));
    // x + 0.0 and x - 0.0 differ only for x = -0.0 (+0.0 against -0.0).
    let (add, inputs) = one_instruction(OpCode::AddD, &[Given::Stream(vec![]), zero.clone()]);
    let (sub, _) = one_instruction(OpCode::SubD, &[Given::Stream(vec![]), zero]);
    let native =
        NativeProgram::compile(&add, &[false], SupportedIsa::baseline(), None, 64).unwrap();
    let only = |v: f64| {
        vec![Given::Stream(vec![
            Scalar::Float64(1.0),
            Scalar::Float64(v),
        ])]
    };
    assert!(compare(&add, &only(-0.0), SupportedIsa::baseline(), &native, 2).is_ok());
    let err = compare(&sub, &only(-0.0), SupportedIsa::baseline(), &native, 2).unwrap_err();
    assert!(err.contains("element 1"), "{err}");
    assert_eq!(inputs.len(), 1);
    // -x and x differ only in the sign, which for a NaN is no difference.
    let (neg, _) = one_instruction(OpCode::NegD, &[Given::Stream(vec![])]);
    let (copy, _) = one_instruction(OpCode::CopyD, &[Given::Stream(vec![])]);
    let native =
        NativeProgram::compile(&copy, &[false], SupportedIsa::baseline(), None, 64).unwrap();
    assert!(compare(&neg, &only(f64::NAN), SupportedIsa::baseline(), &native, 2).is_err());
    let nan = vec![Given::Stream(vec![Scalar::Float64(f64::NAN)])];
    assert!(compare(&neg, &nan, SupportedIsa::baseline(), &native, 2).is_ok());
}
