//! Segments: the maximal runs of a [`Program`]'s instructions that the native tier compiles.
//!
//! In: an optimised, validated program and the predicate saying which opcodes have native code
//! ([`codegen::eligible`](super::codegen::eligible)). Out: the [`Segment`]s, in program
//! order: each a range of consecutive eligible instructions, at most [`MAX_SEGMENT_LEN`] long,
//! with the values it reads from memory (live-ins) and the values it must leave in memory
//! (live-outs).
//!
//! Inside a segment values flow in machine registers: an instruction's result is never stored
//! unless something after the segment reads it. A live-in is an input or a register the
//! segment reads before writing it (written by an interpreted instruction or by an earlier
//! segment); constants are not live-ins, their values are compiled into the code. A live-out
//! is the output, or a register whose last value written in the segment is read later (by an
//! instruction after the segment, or by the program's reduction) before being overwritten.

use std::ops::Range;

use crate::bytecode::{Dst, Operand, Program, Register};

/// Most instructions in one segment; a longer run of eligible instructions is split into
/// segments of this length (the last one shorter), which pass values through registers in
/// memory. It bounds the compile time and the machine registers one loop body needs.
pub(crate) const MAX_SEGMENT_LEN: usize = 64;

/// A run of instructions compiled into one native loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    /// The instructions, as indices into the program's list.
    pub instrs: Range<usize>,
    /// What the loop reads from memory, in order of first use: inputs and registers, never
    /// constants.
    pub live_in: Vec<Operand>,
    /// What the loop writes to memory: the output and registers read after the segment.
    pub live_out: Vec<Dst>,
}

/// Split `prog` into its segments: every maximal run of instructions for which `eligible`
/// holds, cut into pieces of at most `max_len` (at least 1) instructions.
pub(crate) fn segments(
    prog: &Program,
    eligible: impl Fn(&crate::bytecode::Instr) -> bool,
    max_len: usize,
) -> Vec<Segment> {
    let max_len = max_len.max(1);
    let mut out = Vec::new();
    let mut pc = 0;
    while pc < prog.instrs.len() {
        if !eligible(&prog.instrs[pc]) {
            pc += 1;
            continue;
        }
        let start = pc;
        while pc < prog.instrs.len() && pc - start < max_len && eligible(&prog.instrs[pc]) {
            pc += 1;
        }
        out.push(segment(prog, start..pc));
    }
    out
}

/// The live-ins and live-outs of the instructions `range` of `prog`.
pub(crate) fn segment(prog: &Program, range: Range<usize>) -> Segment {
    let mut written: Vec<Register> = Vec::new();
    let mut live_in: Vec<Operand> = Vec::new();
    let mut live_out: Vec<Dst> = Vec::new();
    for instr in &prog.instrs[range.clone()] {
        for &arg in &instr.args[..instr.op.arity()] {
            let from_memory = match arg {
                Operand::Input(_) => true,
                Operand::Reg(r) => !written.contains(&r),
                Operand::Const(_) => false,
            };
            if from_memory && !live_in.contains(&arg) {
                live_in.push(arg);
            }
        }
        match instr.dst {
            Dst::Reg(r) => {
                if !written.contains(&r) {
                    written.push(r);
                }
            }
            Dst::Output => {
                if !live_out.contains(&Dst::Output) {
                    live_out.push(Dst::Output);
                }
            }
        }
    }
    for &r in &written {
        if read_after(prog, range.end, r) {
            live_out.push(Dst::Reg(r));
        }
    }
    Segment {
        instrs: range,
        live_in,
        live_out,
    }
}

/// Whether register `r`'s value at instruction `from` is read later: by an instruction before
/// one that overwrites it, or by the reduction when nothing does.
fn read_after(prog: &Program, from: usize, r: Register) -> bool {
    for instr in &prog.instrs[from..] {
        if instr.args[..instr.op.arity()].contains(&Operand::Reg(r)) {
            return true;
        }
        if instr.dst == Dst::Reg(r) {
            return false;
        }
    }
    prog.reduction.is_some_and(|red| red.arg == Operand::Reg(r))
}
