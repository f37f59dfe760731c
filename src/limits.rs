//! Input limits: the contract on what vexpr accepts. Each limit exceeded is an
//! [`ErrorKind::Limit`](crate::ErrorKind::Limit) error, never a crash or a hang.
//!
//! Nothing after the parser recurses over the expression, so deep trees (a flat
//! `x+x+...+x` of 100,000 terms) are fine; these limits bound memory and time instead.

/// Longest accepted expression, in bytes.
pub const MAX_SOURCE_LEN: usize = 1 << 20;

/// Deepest accepted nesting of brackets (parentheses and call argument lists).
pub const MAX_NESTING: usize = 256;

/// Most distinct variables one expression may use.
pub const MAX_VARIABLES: usize = 255;

/// Most dimensions of an input or result array.
pub const MAX_DIMS: usize = 32;

/// Largest integer constant (in bits) that constant folding will build: Python's
/// arbitrary-precision integers are emulated up to this size.
pub const MAX_CONSTANT_BITS: u64 = 1 << 16;

/// Most instructions a compiled program may have (after optimisation).
pub const MAX_INSTRUCTIONS: usize = 1 << 20;

/// Most distinct constants (after folding) a compiled program may hold: instructions address
/// their constants with 16 bits. Reached only by machine-made expressions (`x+1.5+2.5+...`
/// with 65,537 different numbers is about 500 KB).
pub const MAX_CONSTANTS: usize = 1 << 16;

/// Most block registers a compiled program may use at once. Registers are reused as soon as
/// their value is dead and operands are scheduled to need few of them, so only pathological
/// expressions come near this.
pub const MAX_REGISTERS: usize = 1024;
