//! The native function of one segment: a loop over `n` elements, a chunk per iteration.
//!
//! In: the program, one of its [`Segment`]s, which live-ins are one scalar for every element
//! (splats), and the [`Target`]. Out: the Cranelift IR of
//! `extern "C" fn(args: *const *mut u8, n: usize)`, where `args` holds one base pointer per
//! live-in then one per live-out (the [argument layout](super#the-compiled-function)).
//!
//! Shape: the entry reads the pointers, loads the splats once and jumps to the loop head; the
//! loop body loads every live-in of the chunk, computes the segment's instructions in vector
//! registers, then stores the live-outs (all loads of a chunk come before its stores, so an
//! output may be the very memory of an input). The `n % w` remaining elements are copied into
//! a stack buffer, run through the same body once more, and copied out: one body, no scalar
//! copy of the instructions to keep in step with it.

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AbiParam, Block, BlockArg, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind,
    Type, Value, types,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::codegen::{self, Arg, Target};
use super::lanes::{Val, data_access, elem_size};
use super::segment::Segment;
use crate::bytecode::{Dst, Operand, Program};
use crate::dtype::DType;

/// The signature of every segment function: `(args: *const *mut u8, n: usize)`.
pub(super) fn signature(call_conv: cranelift_codegen::isa::CallConv, ptr: Type) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(ptr));
    sig
}

/// The dtype of a live-in.
pub(super) fn live_in_dtype(prog: &Program, op: Operand) -> Result<DType, String> {
    prog.operand_dtype(op)
        .ok_or_else(|| format!("live-in {op:?} does not exist"))
}

/// The dtype of a live-out.
pub(super) fn live_out_dtype(prog: &Program, dst: Dst) -> Result<DType, String> {
    match dst {
        Dst::Output => Ok(prog.dtype),
        Dst::Reg(r) => prog
            .registers
            .get(r.0 as usize)
            .copied()
            .ok_or_else(|| format!("live-out r{} does not exist", r.0)),
    }
}

/// A memory slot of the loop: its dtype and where its pointer is in `args`.
#[derive(Clone, Copy)]
struct Slot {
    dtype: DType,
    size: usize,
}

/// Write the IR of `seg`'s loop into `func` (whose signature is [`signature`]).
pub(super) fn build(
    func: &mut cranelift_codegen::ir::Function,
    fctx: &mut FunctionBuilderContext,
    prog: &Program,
    seg: &Segment,
    splat: &[bool],
    t: Target,
    config: TargetFrontendConfig,
) -> Result<(), String> {
    let w = t.chunk.w;
    if !w.is_power_of_two() || !w.is_multiple_of(4) {
        return Err(format!(
            "chunk width {w} is not a power of two of at least 4"
        ));
    }
    if splat.len() != seg.live_in.len() {
        return Err("one splat flag per live-in is needed".into());
    }
    let ptr = func.signature.params[0].value_type;
    let ins: Vec<Slot> = seg
        .live_in
        .iter()
        .map(|&op| live_in_dtype(prog, op).map(slot))
        .collect::<Result<_, _>>()?;
    let outs: Vec<Slot> = seg
        .live_out
        .iter()
        .map(|&d| live_out_dtype(prog, d).map(slot))
        .collect::<Result<_, _>>()?;
    if ins.iter().chain(&outs).any(|s| s.dtype.is_bytes()) {
        return Err("byte strings are not native".into());
    }
    // The live-ins read per element (not splats), then the live-outs: the loop's pointers.
    let streamed: Vec<usize> = (0..ins.len()).filter(|&k| !splat[k]).collect();
    let moving: Vec<Slot> = streamed
        .iter()
        .map(|&k| ins[k])
        .chain(outs.iter().copied())
        .collect();

    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    let head = b.create_block();
    let body = b.create_block();
    let tail_check = b.create_block();
    let tail = b.create_block();
    let copy_in = b.create_block();
    let finish = b.create_block();
    let copy_out = b.create_block();
    let exit = b.create_block();

    // ---- entry: pointers, splats, the length of the whole chunks ----------------------------
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let args = b.block_params(entry)[0];
    let n = b.block_params(entry)[1];
    let pointer_flags = MemFlagsData::trusted();
    let mut bases = Vec::with_capacity(ins.len() + outs.len());
    for k in 0..ins.len() + outs.len() {
        bases.push(b.ins().load(ptr, pointer_flags, args, (8 * k) as i32));
    }
    let mut splats: HashMap<usize, Val> = HashMap::new();
    for (k, slot) in ins.iter().enumerate() {
        if splat[k] {
            splats.insert(k, t.chunk.splat_load(&mut b, slot.dtype, bases[k]));
        }
    }
    let moving_bases: Vec<Value> = streamed
        .iter()
        .copied()
        .chain(ins.len()..ins.len() + outs.len())
        .map(|k| bases[k])
        .collect();
    let full = b.ins().band_imm_s(n, !(w as i64 - 1));
    // The remainder's buffers: one chunk per moving slot, on the stack (addressed here, where
    // both the copy-in and the copy-out paths see them).
    let sizes: Vec<usize> = moving.iter().map(|s| s.size * w).collect();
    let total: usize = sizes.iter().sum();
    let scratch = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        total.max(16) as u32,
        4,
    ));
    let mut buffers = Vec::with_capacity(moving.len());
    let mut at = 0;
    for size in &sizes {
        buffers.push(b.ins().stack_addr(ptr, scratch, at as i32));
        at += size;
    }
    let zero = b.ins().iconst(ptr, 0);
    b.ins().jump(head, &[BlockArg::Value(zero)]);

    // ---- head: next chunk, or the remainder ---------------------------------------------------
    let i = b.append_block_param(head, ptr);
    b.switch_to_block(head);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, i, full);
    let mut chunk_args = Vec::with_capacity(moving.len() + 2);
    for (slot, &base) in moving.iter().zip(&moving_bases) {
        let offset = b.ins().imul_imm_s(i, slot.size as i64);
        chunk_args.push(BlockArg::Value(b.ins().iadd(base, offset)));
    }
    let next = b.ins().iadd_imm_s(i, w as i64);
    let no = b.ins().iconst(types::I8, 0);
    chunk_args.push(BlockArg::Value(next));
    chunk_args.push(BlockArg::Value(no));
    b.ins().brif(more, body, &chunk_args, tail_check, &[]);

    // ---- body: one chunk, at the pointers it is given -----------------------------------------
    let pointers: Vec<Value> = moving
        .iter()
        .map(|_| b.append_block_param(body, ptr))
        .collect();
    let next = b.append_block_param(body, ptr);
    let is_tail = b.append_block_param(body, types::I8);
    b.switch_to_block(body);
    let mut live: Vec<Option<Val>> = vec![None; ins.len()];
    for (j, &k) in streamed.iter().enumerate() {
        live[k] = Some(t.chunk.load(&mut b, ins[k].dtype, pointers[j]));
    }
    for (k, v) in splats {
        live[k] = Some(v);
    }
    let results = compute(&mut b, prog, seg, &live, t)?;
    for (j, (dst, slot)) in seg.live_out.iter().zip(&outs).enumerate() {
        let val = results
            .get(dst)
            .ok_or_else(|| format!("live-out {dst:?} is never written"))?;
        t.chunk
            .store(&mut b, slot.dtype, pointers[streamed.len() + j], val)?;
    }
    b.ins()
        .brif(is_tail, finish, &[], head, &[BlockArg::Value(next)]);

    // ---- the remainder: through a stack buffer of one chunk per moving slot ---------------
    b.switch_to_block(tail_check);
    let rem = b.ins().isub(n, full);
    b.ins().brif(rem, tail, &[], exit, &[]);

    b.switch_to_block(tail);
    let zero = b.ins().iconst(ptr, 0);
    b.ins().jump(copy_in, &[BlockArg::Value(zero)]);

    // copy_in(j): element j of each streamed live-in into its buffer, while j < rem.
    let j = b.append_block_param(copy_in, ptr);
    b.switch_to_block(copy_in);
    let in_count = streamed.len();
    copy_loop(
        &mut b,
        copy_in,
        j,
        rem,
        full,
        &moving[..in_count],
        &moving_bases[..in_count],
        &buffers[..in_count],
        true,
    );
    let mut tail_args: Vec<BlockArg> = buffers.iter().map(|&p| BlockArg::Value(p)).collect();
    let yes = b.ins().iconst(types::I8, 1);
    tail_args.push(BlockArg::Value(zero));
    tail_args.push(BlockArg::Value(yes));
    b.ins().jump(body, &tail_args);

    b.switch_to_block(finish);
    let zero = b.ins().iconst(ptr, 0);
    b.ins().jump(copy_out, &[BlockArg::Value(zero)]);
    let j = b.append_block_param(copy_out, ptr);
    b.switch_to_block(copy_out);
    // `rem` does not dominate this path (the body is also reached from the loop head).
    let rem = b.ins().isub(n, full);
    copy_loop(
        &mut b,
        copy_out,
        j,
        rem,
        full,
        &moving[in_count..],
        &moving_bases[in_count..],
        &buffers[in_count..],
        false,
    );
    b.ins().return_(&[]);

    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(config);
    Ok(())
}

/// The body of a copy loop at `block(j)`: while `j < rem`, copy element `j` of each slot
/// between the memory at `full + j` and its buffer (into the buffers when `inward`), then loop;
/// afterwards the builder is in the block that follows the loop.
#[allow(clippy::too_many_arguments)]
fn copy_loop(
    b: &mut FunctionBuilder<'_>,
    block: Block,
    j: Value,
    rem: Value,
    full: Value,
    slots: &[Slot],
    bases: &[Value],
    buffers: &[Value],
    inward: bool,
) {
    let step = b.create_block();
    let after = b.create_block();
    let more = b.ins().icmp(IntCC::UnsignedLessThan, j, rem);
    b.ins().brif(more, step, &[], after, &[]);
    b.switch_to_block(step);
    let at = b.ins().iadd(full, j);
    for ((slot, &base), &buffer) in slots.iter().zip(bases).zip(buffers) {
        let size = slot.size as i64;
        let far = b.ins().imul_imm_s(at, size);
        let far = b.ins().iadd(base, far);
        let near = b.ins().imul_imm_s(j, size);
        let near = b.ins().iadd(buffer, near);
        let (from, to) = if inward { (far, near) } else { (near, far) };
        let ty = match slot.size {
            1 => types::I8,
            4 => types::I32,
            8 => types::I64,
            _ => types::I8X16,
        };
        let v = b.ins().load(ty, data_access(), from, 0);
        b.ins().store(data_access(), v, to, 0);
    }
    let j1 = b.ins().iadd_imm_s(j, 1);
    b.ins().jump(block, &[BlockArg::Value(j1)]);
    b.switch_to_block(after);
}

fn slot(dtype: DType) -> Slot {
    Slot {
        dtype,
        size: elem_size(dtype),
    }
}

/// The segment's instructions over one chunk: the final value of each destination.
fn compute(
    b: &mut FunctionBuilder<'_>,
    prog: &Program,
    seg: &Segment,
    live: &[Option<Val>],
    t: Target,
) -> Result<HashMap<Dst, Val>, String> {
    let mut written: HashMap<Dst, Val> = HashMap::new();
    let mut consts: HashMap<u16, Arg> = HashMap::new();
    for pc in seg.instrs.clone() {
        let instr = prog
            .instrs
            .get(pc)
            .ok_or_else(|| format!("instruction {pc} does not exist"))?;
        let mut args: Vec<Arg> = Vec::with_capacity(3);
        for &op in &instr.args[..instr.op.arity()] {
            args.push(match op {
                Operand::Const(k) => match consts.get(&k) {
                    Some(a) => a.clone(),
                    None => {
                        let s = prog
                            .consts
                            .get(k as usize)
                            .ok_or_else(|| format!("constant {k} does not exist"))?;
                        let a = Arg {
                            val: t.chunk.constant(b, s)?,
                            konst: Some(s.clone()),
                        };
                        consts.insert(k, a.clone());
                        a
                    }
                },
                Operand::Reg(r) if written.contains_key(&Dst::Reg(r)) => Arg {
                    val: written[&Dst::Reg(r)].clone(),
                    konst: None,
                },
                _ => {
                    let k = seg
                        .live_in
                        .iter()
                        .position(|&l| l == op)
                        .ok_or_else(|| format!("{op:?} is read but is not a live-in"))?;
                    Arg {
                        val: live[k]
                            .clone()
                            .ok_or_else(|| format!("live-in {k} has no value"))?,
                        konst: None,
                    }
                }
            });
        }
        let refs: Vec<&Arg> = args.iter().collect();
        let val = codegen::lower(b, t, instr.op, &refs)
            .map_err(|e| format!("instruction {pc} ({:?}): {e}", instr.op))?;
        written.insert(instr.dst, val);
    }
    Ok(written)
}
