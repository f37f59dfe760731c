//! Scheduling, register allocation and emission, checked on the programs they produce.

use std::sync::Arc;

use bumpalo::Bump;

use super::compile;
use crate::bytecode::{Dst, Operand, Program};
use crate::dtype::DType;
use crate::hir;
use crate::hir::Signature;

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
    if let Err(e) = p.validate() {
        panic!("{e}\n{p}");
    }
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

/// Typing and the instruction set come from one table (`hir::table`); this checks the
/// contract from both ends. Every (function, operand dtypes) that typing accepts has an
/// opcode, and a kernel on every ISA of this CPU; and every opcode is reached by some
/// expression (so the table holds no instruction that typing can never emit).
#[test]
fn every_typed_signature_has_an_opcode_and_every_opcode_is_reachable() {
    use crate::bytecode::{OpCode, Operation};
    use crate::hir::Fun;
    use crate::vm::isa::SupportedIsa;

    let mut kinds = DType::NUMERIC.to_vec();
    kinds.extend([DType::Bytes(2), DType::Bytes(3)]);
    let mut checked = 0;
    for &f in Fun::ALL {
        let n = f.arity();
        let mut idx = vec![0usize; n];
        loop {
            let args: Vec<DType> = idx.iter().map(|&i| kinds[i]).collect();
            if let Some(result) = f.signature(&args) {
                let operand = if f == Fun::Where { args[1] } else { args[0] };
                let op = OpCode::find(Operation::Map(f), operand, result);
                let op = op.unwrap_or_else(|| panic!("{f:?}{args:?} -> {result} has no opcode"));
                assert_eq!(op.arity(), n, "{op:?}");
                for isa in SupportedIsa::available() {
                    let _ = crate::vm::kernels::kernel(isa, op);
                }
                checked += 1;
            }
            let Some(k) = (0..n).find(|&k| idx[k] + 1 < kinds.len()) else {
                break;
            };
            idx[k] += 1;
            idx[..k].fill(0);
        }
    }
    assert!(checked > 200, "only {checked} signatures");

    // Every opcode of the table appears in the program of some expression over variables
    // `a`, `b` (any numeric kinds) and a bool `c`.
    let mut templates: Vec<String> = [
        "a",
        "-a",
        "~a",
        "a + b",
        "a - b",
        "a * b",
        "a / b",
        "a // b",
        "a % b",
        "a ** b",
        "a & b",
        "a | b",
        "a ^ b",
        "a << b",
        "a >> b",
        "a < b",
        "a <= b",
        "a > b",
        "a >= b",
        "a == b",
        "a != b",
        "where(c, a, b)",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for name in hir::function::NAMES {
        match hir::function::lookup(name) {
            Some(hir::function::Function::Map(f, _)) if f.arity() == 1 => {
                templates.push(format!("{name}(a)"))
            }
            Some(hir::function::Function::Map(f, _)) if f.arity() == 2 => {
                templates.push(format!("{name}(a, b)"))
            }
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for template in &templates {
        for &ka in &DType::NUMERIC {
            for &kb in &DType::NUMERIC {
                let sig = Signature::new()
                    .with("a", ka)
                    .with("b", kb)
                    .with("c", DType::Bool);
                let arena = Bump::new();
                let source: Arc<str> = Arc::from(template.as_str());
                let Ok(ast) = crate::syntax::parse(template, &arena) else {
                    continue;
                };
                let Ok(typed) = hir::lower(ast, &source, &sig) else {
                    continue;
                };
                let p = compile(&typed).unwrap();
                seen.extend(p.instrs.iter().map(|i| i.op));
            }
        }
    }
    let missing: Vec<OpCode> = OpCode::NUMERIC
        .iter()
        .copied()
        .filter(|op| !seen.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "opcodes no expression reaches: {missing:?}"
    );
}
