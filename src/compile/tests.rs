//! Scheduling, register allocation and emission, checked on the programs they produce.

use std::sync::Arc;

use bumpalo::Bump;

use super::compile;
use crate::api::Signature;
use crate::bytecode::{Dst, Operand, Program};
use crate::dtype::DType;
use crate::hir;

fn program(src: &str, vars: &[&str]) -> Program {
    let mut sig = Signature::new();
    for v in vars {
        sig.insert(v, DType::Float64);
    }
    let arena = Bump::new();
    let source: Arc<str> = Arc::from(src);
    let ast = crate::syntax::parse(src, &arena).unwrap();
    let typed = hir::lower(ast, &source, &sig).unwrap();
    let p = compile(&crate::optimize::cse(typed)).unwrap();
    assert_eq!(p.validate(), Ok(()), "{p}");
    p
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|k| format!("v{k}")).collect()
}

#[test]
fn the_disassembly_names_inputs_registers_and_constants() {
    let p = program("a*b + 1", &["a", "b"]);
    assert_eq!(
        p.to_string(),
        "; a*b + 1\n\
         ; inputs: a: float64, b: float64; registers: 1; result: float64\n   \
         0  mul.f64        r0, a, b\n   \
         1  add.f64        out, r0, 1.0\n"
    );
    let p = program("sum(a > 0.5)", &["a"]);
    let text = p.to_string();
    assert!(text.contains("gt.f64         r0, a, 0.5"), "{text}");
    assert!(text.contains("cast.i64       r1, r0"), "{text}");
    assert!(text.contains("sum.i64        out, r1, axis=all"), "{text}");
}

#[test]
fn inputs_and_constants_are_operands_not_loads() {
    let p = program("x + 1", &["x"]);
    assert_eq!(p.instrs.len(), 1);
    assert_eq!(p.registers.len(), 0);
    assert!(matches!(p.instrs[0].args[0], Operand::Input(0)));
    assert!(matches!(p.instrs[0].args[1], Operand::Const(0)));
    assert_eq!(p.instrs[0].dst, Dst::Output);
}

#[test]
fn a_copy_when_the_result_is_an_input() {
    let p = program("x", &["x"]);
    assert_eq!(p.instrs.len(), 1);
    assert_eq!(p.instrs[0].op.mnemonic(), "copy");
}

#[test]
fn registers_are_reused_along_a_chain() {
    // ((((v0 + v1) + v2) + v3) ...): each sum dies at the next one.
    let vars = names(60);
    let refs: Vec<&str> = vars.iter().map(String::as_str).collect();
    let p = program(&vars.join(" + "), &refs);
    assert_eq!(p.instrs.len(), 59);
    // An instruction never writes the register it reads, so a chain alternates two.
    assert_eq!(p.registers.len(), 2, "{p}");
}

#[test]
fn the_operand_needing_more_registers_is_evaluated_first() {
    // v0*v1 + (v2*v3 + (v4*v5 + ...)): left to right this keeps every product alive (one
    // register per level); the deeper operand first needs a constant number.
    let vars = names(200);
    let refs: Vec<&str> = vars.iter().map(String::as_str).collect();
    let mut src = String::from("v198*v199");
    for k in (0..99).rev() {
        src = format!("v{}*v{} + ({src})", 2 * k, 2 * k + 1);
    }
    let p = program(&src, &refs);
    assert!(p.registers.len() <= 3, "{} registers", p.registers.len());
}

#[test]
fn balanced_trees_need_logarithmically_many_registers() {
    let vars = names(128);
    let refs: Vec<&str> = vars.iter().map(String::as_str).collect();
    let mut level: Vec<String> = vars.clone();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| format!("({} * {})", p[0], p[1]))
            .collect();
    }
    let p = program(&level[0], &refs);
    // 7 levels: the Sethi-Ullman number of a complete binary tree of depth 7, plus one
    // because a destination differs from its sources.
    assert!(p.registers.len() <= 8, "{} registers", p.registers.len());
}

#[test]
fn registers_are_per_dtype() {
    let p = program("where(a > 0, a, 0) + where(a < 1, a, 1)", &["a"]);
    let bools = p.registers.iter().filter(|&&d| d == DType::Bool).count();
    let floats = p.registers.iter().filter(|&&d| d == DType::Float64).count();
    assert!(bools >= 1 && floats >= 1, "{p}");
    assert!(bools + floats <= 4, "{p}");
}
