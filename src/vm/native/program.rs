//! A program's segments compiled together and, when every instruction is native, run from
//! end to end over whole contiguous arrays without the block loop: what the tests compare with
//! the interpreter and what the measurements time.
//!
//! In: a program, which of its inputs are one value for every element, and the ISA. Out: a
//! [`NativeProgram`] holding the code of all its segments. When the program is element-wise
//! and every instruction is [`eligible`], [`NativeProgram::run`] runs the
//! segments one after another over `n` elements each; registers that pass a value from one
//! segment to the next (a run longer than the segment limit) get a buffer of `n` elements.
//! Phase 2 calls the segments from the block loop instead.

use super::call::{Arg, column_mut_parts, column_parts, scalar_bytes};
use super::codegen::eligible;
use super::module::{self, Code, Request};
use super::segment::{MAX_SEGMENT_LEN, Segment, segments};
use crate::bytecode::{Dst, Operand, Program};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::vm::isa::SupportedIsa;
use crate::vm::value::ColumnMut;

/// A program's segments, compiled.
#[derive(Debug)]
pub(crate) struct NativeProgram {
    code: Code,
    segments: Vec<Segment>,
    splat_inputs: Vec<bool>,
    /// The dtype of each input, of each register and of the result (the program compiled).
    inputs: Vec<DType>,
    registers: Vec<DType>,
    dtype: DType,
    /// Whether every instruction is native and there is no reduction: [`NativeProgram::run`] works.
    complete: bool,
}

fn unsupported(what: &str) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("not natively compiled: {what}"),
    )
}

impl NativeProgram {
    /// Compile the segments of `prog` for `isa` with `chunk` elements per iteration (`None`:
    /// each segment's own choice) and at most `max_len` instructions per segment;
    /// `splat_inputs[k]` says whether input `k` will be a scalar.
    pub(crate) fn compile(
        prog: &Program,
        splat_inputs: &[bool],
        isa: SupportedIsa,
        chunk: Option<usize>,
        max_len: usize,
    ) -> Result<NativeProgram, Error> {
        Self::compile_with_listing(prog, splat_inputs, isa, chunk, max_len, false)
    }

    /// [`compile`](NativeProgram::compile), keeping the machine instructions of each segment
    /// as text when `listing` is set ([`Code::listing`]).
    pub(crate) fn compile_with_listing(
        prog: &Program,
        splat_inputs: &[bool],
        isa: SupportedIsa,
        chunk: Option<usize>,
        max_len: usize,
        listing: bool,
    ) -> Result<NativeProgram, Error> {
        if splat_inputs.len() != prog.inputs.len() {
            return Err(unsupported("one splat flag per input is needed"));
        }
        let segments = segments(prog, |i| eligible(i.op), max_len.clamp(1, MAX_SEGMENT_LEN));
        let flags: Vec<Vec<bool>> = segments
            .iter()
            .map(|s| {
                s.live_in
                    .iter()
                    .map(|op| matches!(op, Operand::Input(k) if splat_inputs[*k as usize]))
                    .collect()
            })
            .collect();
        let requests: Vec<Request<'_>> = segments
            .iter()
            .zip(&flags)
            .map(|(segment, splat)| Request { segment, splat })
            .collect();
        let code = module::compile(prog, &requests, isa, chunk, listing)?;
        Ok(NativeProgram {
            code,
            segments,
            splat_inputs: splat_inputs.to_vec(),
            inputs: prog.inputs.iter().map(|s| s.dtype).collect(),
            registers: prog.registers.clone(),
            dtype: prog.dtype,
            complete: prog.reduction.is_none() && prog.instrs.iter().all(|i| eligible(i.op)),
        })
    }

    /// Whether [`run`](NativeProgram::run) can run the program (all of it is native).
    pub(crate) fn is_complete(&self) -> bool {
        self.complete
    }

    /// The compiled code.
    pub(crate) fn code(&self) -> &Code {
        &self.code
    }

    /// The segments, in program order.
    pub(crate) fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Run the whole program over `n` elements: `inputs[k]` is input `k` (a column of `n` elements, or a scalar
    /// where it was compiled as one), `out` the result's `n` elements.
    pub(crate) fn run(
        &self,
        inputs: &[Arg<'_>],
        mut out: ColumnMut<'_>,
        n: usize,
    ) -> Result<(), Error> {
        if !self.complete {
            return Err(unsupported("a program that is not native from end to end"));
        }
        if inputs.len() != self.splat_inputs.len() {
            return Err(unsupported("the wrong number of inputs"));
        }
        // Check every input and the output once, and take their pointers.
        let mut scalars: Vec<[u64; 2]> = vec![[0; 2]; inputs.len()];
        let mut input_ptrs: Vec<*mut u8> = Vec::with_capacity(inputs.len());
        for (k, (arg, &dtype)) in inputs.iter().zip(&self.inputs).enumerate() {
            match (arg, self.splat_inputs[k]) {
                (Arg::Column(c), false) => {
                    let (d, p, len) = column_parts(c);
                    if d != dtype || len != n {
                        return Err(unsupported("an input of the wrong dtype or length"));
                    }
                    input_ptrs.push(p.cast_mut());
                }
                (Arg::Splat(s), true) => {
                    let (d, bytes) =
                        scalar_bytes(s).ok_or_else(|| unsupported("a byte-string scalar"))?;
                    if d != dtype {
                        return Err(unsupported("a scalar of the wrong dtype"));
                    }
                    scalars[k] = bytes;
                    input_ptrs.push(scalars[k].as_mut_ptr().cast());
                }
                _ => return Err(unsupported("an input of the wrong kind (scalar or array)")),
            }
        }
        let (d, out_ptr, len) = column_mut_parts(&mut out);
        if d != self.dtype || len != n {
            return Err(unsupported("an output of the wrong dtype or length"));
        }
        // Registers that cross segments: `n` elements each, as raw bytes (the loop's accesses
        // need no alignment).
        let mut regs: Vec<Vec<u8>> = vec![Vec::new(); self.registers.len()];
        for seg in &self.segments {
            let crossing = seg.live_in.iter().filter_map(|op| match op {
                Operand::Reg(r) => Some(r.0),
                _ => None,
            });
            let crossing = crossing.chain(seg.live_out.iter().filter_map(|d| match d {
                Dst::Reg(r) => Some(r.0),
                Dst::Output => None,
            }));
            for r in crossing {
                let r = r as usize;
                let size = self
                    .registers
                    .get(r)
                    .ok_or_else(|| unsupported("a register that does not exist"))?
                    .itemsize();
                if regs[r].is_empty() && n > 0 {
                    let bytes = n
                        .checked_mul(size)
                        .ok_or_else(|| Error::new(ErrorKind::Memory, "a register overflows"))?;
                    let mut v = Vec::new();
                    v.try_reserve_exact(bytes)
                        .map_err(|_| Error::new(ErrorKind::Memory, "no memory for a register"))?;
                    v.resize(bytes, 0);
                    regs[r] = v;
                }
            }
        }
        for (k, seg) in self.segments.iter().enumerate() {
            let mut pointers = Vec::with_capacity(seg.live_in.len() + seg.live_out.len());
            for op in &seg.live_in {
                pointers.push(match *op {
                    Operand::Input(i) => input_ptrs[i as usize],
                    Operand::Reg(r) => regs[r.0 as usize].as_mut_ptr(),
                    Operand::Const(_) => return Err(unsupported("a constant live-in")),
                });
            }
            for dst in &seg.live_out {
                pointers.push(match *dst {
                    Dst::Output => out_ptr,
                    Dst::Reg(r) => regs[r.0 as usize].as_mut_ptr(),
                });
            }
            // SAFETY: input pointers start `n` elements of the input's dtype (checked above) or
            // one scalar in `scalars` (alive until the end of this function), matching the
            // splat flags the code was compiled with; the output pointer starts `n` writable
            // elements of the program's dtype; register pointers start `n * itemsize` bytes
            // owned by `regs`, a separate buffer per register. Live-outs are the output and
            // registers, which are distinct from the inputs and from each other; a register
            // that is both read and written by a segment is the exact same memory, which the
            // contract allows. Nothing else touches this memory during the call.
            unsafe { self.code.call(k, &pointers, n)? };
        }
        Ok(())
    }
}
