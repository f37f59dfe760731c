//! The flat frame: where each operand of a program is for the current block.
//!
//! In: a validated [`Program`] and, per block, the places its values live: block registers,
//! the inputs (read in place, gathered, or one value for all elements), the constants and the
//! output. Out: one [`Slot`] per operand, a pointer to the block's first element (or to the one
//! value of a splat), and the instructions as [`Step`]s whose operands are slot indices.
//!
//! This is the seam between the block loop and whatever computes a block: an interpreter
//! kernel reads `slots[step.args[k]]` and writes `slots[step.dst]`, with no `Option` and no
//! type test, and a natively compiled segment can take the same table.
//!
//! Invariants, established before any kernel runs and relied on by the `unsafe` accessors:
//! - the program passed [`Program::validate`]: every operand has the dtype its opcode reads,
//!   no instruction writes a slot it reads, and only registers and the output are written;
//! - slot `k` holds the dtype the program gives operand `k` (registers are allocated with their
//!   dtype, inputs are bound after a dtype check, the output after one too);
//! - a slot that is not a splat points at `len` valid elements (at least) for the whole time the
//!   frame is used, and distinct slots that are written never overlap anything else.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::kernels::bytes::BytesSrc;
use super::value::Elem;
use crate::bytecode::{Dst, Instr, OpCode, Operand, Program, Register};
use crate::dtype::Scalar;

/// Where one operand's values are for the current block.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Slot {
    /// The block's first element, or the one value of a splat.
    pub ptr: *mut u8,
    /// For byte strings, bytes per element (a splatted string's own length); else unused.
    pub width: usize,
    /// One value for every element.
    pub splat: bool,
}

impl Slot {
    /// A slot that no operand reads (an empty program's output before it is bound).
    pub(crate) const EMPTY: Slot = Slot {
        ptr: std::ptr::null_mut(),
        width: 0,
        splat: true,
    };

    /// `len` elements from `ptr` (a register, a gathered or in-place input, the output).
    pub(crate) fn block(ptr: *mut u8, width: usize) -> Slot {
        Slot {
            ptr,
            width,
            splat: false,
        }
    }

    /// The value of a constant, for every element. The pointer borrows `value`: the slot is
    /// only valid while `value` is neither moved nor dropped, and is never written through.
    pub(crate) fn scalar(value: &Scalar) -> Slot {
        fn at<T>(v: &T) -> *mut u8 {
            v as *const T as *mut u8
        }
        let (ptr, width) = match value {
            Scalar::Bool(v) => (at(v), 1),
            Scalar::Int32(v) => (at(v), 4),
            Scalar::Int64(v) => (at(v), 8),
            Scalar::Float32(v) => (at(v), 4),
            Scalar::Float64(v) => (at(v), 8),
            Scalar::Complex128(v) => (at(v), 16),
            Scalar::Bytes(b) => (b.as_ptr() as *mut u8, b.len()),
        };
        Slot {
            ptr,
            width,
            splat: true,
        }
    }
}

/// The slot numbering of a program: registers, then inputs, then constants, then the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    registers: u32,
    inputs: u32,
    consts: u32,
}

impl Layout {
    /// The numbering of `prog`'s operands.
    pub(crate) fn of(prog: &Program) -> Layout {
        Layout {
            registers: prog.registers.len() as u32,
            inputs: prog.inputs.len() as u32,
            consts: prog.consts.len() as u32,
        }
    }

    /// The slot of an operand.
    pub(crate) fn operand(self, o: Operand) -> u32 {
        match o {
            Operand::Reg(Register(r)) => u32::from(r),
            Operand::Input(k) => self.registers + u32::from(k),
            Operand::Const(k) => self.registers + self.inputs + u32::from(k),
        }
    }

    /// The slot of a destination.
    pub(crate) fn dst(self, d: Dst) -> u32 {
        match d {
            Dst::Reg(Register(r)) => u32::from(r),
            Dst::Output => self.output(),
        }
    }

    /// The slot of input `k`.
    pub(crate) fn input(self, k: usize) -> usize {
        self.registers as usize + k
    }

    /// The slot of constant `k`.
    pub(crate) fn constant(self, k: usize) -> usize {
        (self.registers + self.inputs) as usize + k
    }

    /// The output's slot.
    pub(crate) fn output(self) -> u32 {
        self.registers + self.inputs + self.consts
    }

    /// The number of slots.
    pub(crate) fn len(self) -> usize {
        self.output() as usize + 1
    }
}

/// An instruction with its operands resolved to slots: what a kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// What to compute (byte-string comparisons read their `Fun` from it).
    pub op: OpCode,
    /// The slot written.
    pub dst: u32,
    /// The slots read; only the first `op.arity()` are meaningful.
    pub args: [u32; 3],
}

impl Step {
    /// `instr` with its operands numbered by `layout`.
    pub(crate) fn new(instr: &Instr, layout: Layout) -> Step {
        Step {
            op: instr.op,
            dst: layout.dst(instr.dst),
            args: instr.args.map(|a| layout.operand(a)),
        }
    }
}

/// An operand's values for the current block.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Src<'a, T> {
    /// One value per element.
    Slice(&'a [T]),
    /// The same value for every element.
    Splat(T),
}

/// One block's operands: a slot per operand and the number of elements.
///
/// The lifetime `'a` is that of the data the slots point into (the caller's inputs and output,
/// the run's buffers); the frame never outlives them.
pub(crate) struct Frame<'a> {
    /// Elements in the current block.
    pub len: usize,
    /// One per operand, numbered by [`Layout`].
    pub slots: Vec<Slot>,
    data: PhantomData<&'a mut [u8]>,
}

impl<'a> Frame<'a> {
    /// A frame over `slots`. The caller upholds the module's invariants for every block it
    /// runs (the accessors below are `unsafe` and rely on them).
    pub(crate) fn new(slots: Vec<Slot>) -> Frame<'a> {
        Frame {
            len: 0,
            slots,
            data: PhantomData,
        }
    }

    /// The values of slot `k` as `T`.
    ///
    /// # Safety
    /// Slot `k` exists and holds `T` (the module's invariants), and nothing writes it while the
    /// result is alive.
    #[inline(always)]
    pub(crate) unsafe fn src<T: Elem>(&self, k: u32) -> Src<'_, T> {
        // SAFETY: the caller guarantees the slot exists and holds `T`; a splat points at one
        // `T`, any other slot at `len` initialised `T`s that nothing writes meanwhile.
        unsafe {
            let slot = self.slots.get_unchecked(k as usize);
            if slot.splat {
                Src::Splat(*(slot.ptr as *const T))
            } else {
                Src::Slice(std::slice::from_raw_parts(slot.ptr as *const T, self.len))
            }
        }
    }

    /// The `len` elements of slot `k` as a destination of `T`s.
    ///
    /// # Safety
    /// Slot `k` is a written slot (a register or the output) holding `T`, and no other
    /// reference to its elements is alive while the result is.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)] // the slot's memory is not the frame's: see the contract
    pub(crate) unsafe fn dst<T: Elem>(&self, k: u32) -> &mut [MaybeUninit<T>] {
        // SAFETY: the caller guarantees a written slot of `T` with `len` elements that no
        // other reference aliases; `MaybeUninit<T>` has `T`'s layout, and kernels only write.
        unsafe {
            let slot = self.slots.get_unchecked(k as usize);
            std::slice::from_raw_parts_mut(slot.ptr as *mut MaybeUninit<T>, self.len)
        }
    }

    /// The byte strings of slot `k`.
    ///
    /// # Safety
    /// As [`src`](Frame::src), for a byte-string slot.
    #[inline(always)]
    pub(crate) unsafe fn bytes(&self, k: u32) -> BytesSrc<'_> {
        // SAFETY: as in `src`: a splat is one string of `width` bytes, any other byte-string
        // slot `len * width` bytes.
        unsafe {
            let slot = self.slots.get_unchecked(k as usize);
            if slot.splat {
                BytesSrc::Splat(std::slice::from_raw_parts(slot.ptr, slot.width))
            } else {
                BytesSrc::Slice(
                    std::slice::from_raw_parts(slot.ptr, self.len * slot.width),
                    slot.width,
                )
            }
        }
    }

    /// The bytes of slot `k` as a destination, and the item size.
    ///
    /// # Safety
    /// As [`dst`](Frame::dst), for a byte-string slot.
    #[inline(always)]
    #[allow(clippy::mut_from_ref)] // the slot's memory is not the frame's: see the contract
    pub(crate) unsafe fn bytes_dst(&self, k: u32) -> (&mut [MaybeUninit<u8>], usize) {
        // SAFETY: as in `dst`, with `len * width` bytes.
        unsafe {
            let slot = self.slots.get_unchecked(k as usize);
            let out = std::slice::from_raw_parts_mut(
                slot.ptr as *mut MaybeUninit<u8>,
                self.len * slot.width,
            );
            (out, slot.width)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_numbers_registers_inputs_constants_then_the_output() {
        let l = Layout {
            registers: 2,
            inputs: 3,
            consts: 4,
        };
        assert_eq!(l.operand(Operand::Reg(Register(1))), 1);
        assert_eq!(l.operand(Operand::Input(0)), 2);
        assert_eq!(l.operand(Operand::Const(3)), 8);
        assert_eq!(l.dst(Dst::Output), 9);
        assert_eq!(l.len(), 10);
        assert_eq!((l.input(2), l.constant(0)), (4, 5));
    }

    #[test]
    fn slots_read_back_what_they_point_at() {
        let mut x = [1.5f64, 2.5, 3.5];
        let c = Scalar::Float64(-1.0);
        let s = Scalar::Bytes(b"ab".to_vec());
        let mut frame = Frame::new(vec![
            Slot::block(x.as_mut_ptr() as *mut u8, 8),
            Slot::scalar(&c),
            Slot::scalar(&s),
        ]);
        frame.len = 3;
        // SAFETY: slot 0 holds three f64s, slot 1 one f64, slot 2 a two-byte string.
        unsafe {
            match frame.src::<f64>(0) {
                Src::Slice(v) => assert_eq!(v, &[1.5, 2.5, 3.5]),
                Src::Splat(_) => panic!("a block slot read as a splat"),
            }
            match frame.src::<f64>(1) {
                Src::Splat(v) => assert_eq!(v, -1.0),
                Src::Slice(_) => panic!("a splat read as a block"),
            }
            match frame.bytes(2) {
                BytesSrc::Splat(b) => assert_eq!(b, b"ab"),
                BytesSrc::Slice(..) => panic!("a splat read as a block"),
            }
            for (k, o) in frame.dst::<f64>(0).iter_mut().enumerate() {
                o.write(k as f64);
            }
        }
        assert_eq!(x, [0.0, 1.0, 2.0]);
    }
}
