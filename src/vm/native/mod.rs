//! The native tier: element-wise segments of a program compiled to machine code with
//! Cranelift, one loop per segment.
//!
//! The interpreter stores every instruction's block, so an expression of k operations makes
//! about 3k memory accesses per element; a segment's loop keeps intermediate values in vector
//! registers and touches memory only for what it reads and what is needed after it.
//!
//! - [`segment`]: the program split into maximal runs of native instructions, at most
//!   [`MAX_SEGMENT_LEN`] long, with their live-ins and live-outs;
//! - [`codegen`]: the Cranelift IR of each eligible opcode ([`eligible`]), bit for bit the
//!   interpreter's element function; [`lanes`]: how a chunk of elements sits in vectors;
//! - [`function`]: the loop of one segment; [`module`]: the machine code and its memory
//!   ([`Code`], freed on drop), with Cranelift's target taken from the VM's ISA;
//! - [`call`]: calling a compiled function, checked or raw; [`program`]: all the segments of
//!   a program compiled together, and a fully native program run over whole arrays (the
//!   tests' and measurements' driver).
//!
//! # The compiled function
//! Each segment becomes `unsafe extern "C" fn(args: *const *mut u8, n: usize)` ([`Entry`]).
//! `args[k]` for `k < live_in.len()` is the base pointer of live-in `k` (in the order of
//! [`Segment::live_in`]); `args[live_in.len() + k]` is the base pointer of live-out `k`
//! ([`Segment::live_out`]). A live-in is either streamed (`n` elements from its pointer) or a
//! splat (one element at its pointer, the same for every element), as chosen when compiling
//! ([`Request::splat`]); live-outs are always `n` elements. Elements are stored as the VM
//! stores them: bool one byte (0 or 1), int32/int64/float32/float64 native, complex128 as
//! real then imaginary float64. The same code runs over one block (pointers into block
//! buffers, `n` the block's length) or over a whole contiguous piece.
//!
//! Ownership and threads: the caller owns all the memory; the code reads live-ins and writes
//! live-outs only within `n` elements, keeps its remainder buffer on its own stack, and holds
//! no state between calls, so a [`Code`] (which is `Send + Sync`) may be called from any
//! number of threads at once. The pointer contract is on [`Code::call`]; [`Code::run`] checks
//! it on typed slices.

// Phase 1 builds the tier and tests it; phase 2 calls it from the block loop. Until then
// only the tests and the measurement hook use parts of it.
#![cfg_attr(not(test), allow(dead_code))]

pub(crate) mod call;
pub(crate) mod codegen;
pub(crate) mod function;
pub(crate) mod lanes;
pub(crate) mod module;
pub(crate) mod program;
pub(crate) mod segment;

#[cfg(test)]
mod tests;

// The interface of the native tier.
#[allow(unused_imports)]
pub(crate) use call::Arg;
#[allow(unused_imports)]
pub(crate) use codegen::eligible;
#[allow(unused_imports)]
pub(crate) use module::{Code, Entry, Layout, Request, chunk_for, compile};
#[allow(unused_imports)]
pub(crate) use program::NativeProgram;
#[allow(unused_imports)]
pub(crate) use segment::{MAX_SEGMENT_LEN, Segment, segments};
