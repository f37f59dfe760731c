//! The precision is chosen when a program's kernel table is resolved: the fast table runs
//! the transcendental instructions through the math module's fast drivers and everything
//! else through the same kernels as the high table.

use std::sync::Arc;

use bumpalo::Bump;
use ndarray::{ArrayD, IxDyn};

use super::{kernel, kernel_at};
use crate::array::{Array, ArrayRef};
use crate::dtype::DType;
use crate::hir::{self, Signature};
use crate::vm::isa::{Isa, Kernel, SupportedIsa, dispatch};
use crate::vm::math::mode::{Fast, High};
use crate::vm::math::{BinaryFn, Precision, UnaryFn};
use crate::vm::{Executable, Options};

const SOURCE: &str = "sin(a) + arctan2(b, a) * exp(b)";

/// The typed tree and program of [`SOURCE`] over float64 `a` and `b`.
fn compiled() -> (hir::Hir, crate::bytecode::Program) {
    let sig = Signature::new()
        .with("a", DType::Float64)
        .with("b", DType::Float64);
    let arena = Bump::new();
    let ast = crate::syntax::parse(SOURCE, &arena).unwrap();
    let hir = hir::lower(ast, &Arc::from(SOURCE), &sig).unwrap();
    let program = crate::compile::compile(&hir).unwrap();
    (hir, program)
}

/// [`SOURCE`] over `a`, `b` on the VM at `precision`.
fn run_at(precision: Precision, a: &[f64], b: &[f64], isa: SupportedIsa) -> Vec<f64> {
    let (hir, program) = compiled();
    let column = |v: &[f64]| {
        ArrayRef::Float64(
            ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec())
                .unwrap()
                .into(),
        )
    };
    let inputs = [column(a), column(b)];
    let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
    let plan = hir::shape::plan(&hir, &shapes).unwrap();
    let options = Options::serial(isa).precision(precision);
    let exe = Executable::new(program).unwrap();
    let out = exe
        .run(&inputs, &plan.broadcast, &plan.result, &options)
        .unwrap();
    match out {
        Array::Float64(v) => v.iter().copied().collect(),
        other => panic!("float64 expected, got {other:?}"),
    }
}

/// The same expression from the math module's slice drivers at precision `M`.
struct Expected<'a, M>(
    &'a [f64],
    &'a [f64],
    &'a mut [f64],
    std::marker::PhantomData<M>,
);

impl<M: crate::vm::math::Mode> Kernel for Expected<'_, M> {
    type Output = ();
    fn run<I: Isa>(self) {
        let n = self.0.len();
        let (mut s, mut t, mut e) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        UnaryFn::Sin.apply_f64_at::<I, M>(self.0, &mut s);
        BinaryFn::Arctan2.apply_f64_at::<I, M>(self.1, self.0, &mut t);
        UnaryFn::Exp.apply_f64_at::<I, M>(self.1, &mut e);
        for (o, ((s, t), e)) in self.2.iter_mut().zip(s.iter().zip(&t).zip(&e)) {
            *o = s + t * e;
        }
    }
}

#[test]
fn the_fast_table_runs_the_fast_drivers() {
    let a: Vec<f64> = (0..3000)
        .map(|i| (f64::from(i) * 0.37).sin() * 20.0)
        .collect();
    let b: Vec<f64> = (0..3000)
        .map(|i| (f64::from(i) * 0.11).cos() * 3.0)
        .collect();
    for isa in SupportedIsa::available() {
        // The program is compiled the same way inside run_at, so the tables line up with
        // its instructions.
        let (_, program) = compiled();
        let exe = Executable::new(program.clone()).unwrap();
        let high = exe.kernels(isa, Precision::High);
        let fast = exe.kernels(isa, Precision::Fast);
        let got_high = run_at(Precision::High, &a, &b, isa);
        let got_fast = run_at(Precision::Fast, &a, &b, isa);
        let mut want_high = vec![0.0; a.len()];
        let mut want_fast = vec![0.0; a.len()];
        dispatch(
            isa,
            Expected::<High>(&a, &b, &mut want_high, Default::default()),
        );
        dispatch(
            isa,
            Expected::<Fast>(&a, &b, &mut want_fast, Default::default()),
        );
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got_high), bits(&want_high), "{}", isa.name());
        assert_eq!(bits(&got_fast), bits(&want_fast), "{}", isa.name());
        // The two precisions are different code (their results differ somewhere).
        assert_ne!(bits(&got_high), bits(&got_fast), "{}", isa.name());
        // Only the transcendental instructions change kernels.
        for (i, instr) in program.instrs.iter().enumerate() {
            let math = matches!(instr.op.mnemonic(), "sin" | "arctan2" | "exp");
            assert_eq!(
                high[i] as usize != fast[i] as usize,
                math,
                "{} {}",
                instr.op.mnemonic(),
                isa.name()
            );
            assert_eq!(kernel(isa, instr.op) as usize, high[i] as usize);
            assert_eq!(
                kernel_at(isa, instr.op, Precision::Fast) as usize,
                fast[i] as usize
            );
        }
    }
}
