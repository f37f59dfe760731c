//! Byte-string kernels: comparisons, `contains`, `where` and copies of fixed-width,
//! NUL-padded strings (NumPy's `S<n>`). Trailing NULs are not part of a string's value, so
//! strings of different widths compare as NumPy compares them (`b'a' == b'a\0'`).
//!
//! These kernels are the same for every ISA (byte strings are rare and not vectorised).

use std::mem::MaybeUninit;

use crate::hir::Fun;
use crate::vm::frame::{Frame, Src, Step};

/// A byte-string operand for the current block.
#[derive(Clone, Copy, Debug)]
pub(crate) enum BytesSrc<'a> {
    /// `len * width` bytes: one string of `width` bytes per element.
    Slice(&'a [u8], usize),
    /// One string for every element.
    Splat(&'a [u8]),
}

impl<'a> BytesSrc<'a> {
    /// Element `k`, trailing NULs removed.
    #[inline]
    fn at(self, k: usize) -> &'a [u8] {
        let s = match self {
            BytesSrc::Slice(v, w) => &v[k * w..(k + 1) * w],
            BytesSrc::Splat(s) => s,
        };
        trim(s)
    }
}

/// `s` without its trailing NUL bytes.
pub(crate) fn trim(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    &s[..end]
}

/// Whether `needle` occurs in `haystack` (the empty needle always does).
pub(crate) fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// The byte-string comparison kernel for `f` (`<`, `<=`, `>`, `>=`, `==`, any other: `!=`).
pub(crate) fn comparison(f: Fun) -> super::Kernel {
    match f {
        Fun::Lt => compare::<LT>,
        Fun::Le => compare::<LE>,
        Fun::Gt => compare::<GT>,
        Fun::Ge => compare::<GE>,
        Fun::Eq => compare::<EQ>,
        _ => compare::<NE>,
    }
}

const LT: u8 = 0;
const LE: u8 = 1;
const GT: u8 = 2;
const GE: u8 = 3;
const EQ: u8 = 4;
const NE: u8 = 5;

/// A comparison of byte strings (`F` is one of the constants above).
///
/// # Safety
/// The `Kernel` contract (`super::Kernel`).
unsafe fn compare<const F: u8>(step: &Step, frame: &Frame<'_>) {
    // SAFETY: the `Kernel` contract: two byte-string slots, a bool destination.
    let (a, b, out) = unsafe {
        (
            frame.bytes(step.args[0]),
            frame.bytes(step.args[1]),
            frame.dst::<bool>(step.dst),
        )
    };
    for (k, o) in out.iter_mut().enumerate() {
        let (x, y) = (a.at(k), b.at(k));
        o.write(match F {
            LT => x < y,
            LE => x <= y,
            GT => x > y,
            GE => x >= y,
            EQ => x == y,
            _ => x != y,
        });
    }
}

/// `contains(haystack, needle)`.
///
/// # Safety
/// The `Kernel` contract (`super::Kernel`).
pub(crate) unsafe fn contains(step: &Step, frame: &Frame<'_>) {
    // SAFETY: the `Kernel` contract: two byte-string slots, a bool destination.
    let (h, n, out) = unsafe {
        (
            frame.bytes(step.args[0]),
            frame.bytes(step.args[1]),
            frame.dst::<bool>(step.dst),
        )
    };
    for (k, o) in out.iter_mut().enumerate() {
        o.write(contains_bytes(h.at(k), n.at(k)));
    }
}

/// Write string `src` NUL-padded into the `width`-byte slot `dst`.
fn put(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    for (k, d) in dst.iter_mut().enumerate() {
        d.write(src.get(k).copied().unwrap_or(0));
    }
}

/// `where(cond, x, y)` on byte strings.
///
/// # Safety
/// The `Kernel` contract (`super::Kernel`).
pub(crate) unsafe fn select(step: &Step, frame: &Frame<'_>) {
    // SAFETY: the `Kernel` contract: a bool slot, two byte-string slots, a byte-string
    // destination.
    let (c, x, y, (out, width)) = unsafe {
        (
            frame.src::<bool>(step.args[0]),
            frame.bytes(step.args[1]),
            frame.bytes(step.args[2]),
            frame.bytes_dst(step.dst),
        )
    };
    for (k, slot) in out.chunks_exact_mut(width.max(1)).enumerate() {
        let pick = match c {
            Src::Slice(c) => c[k],
            Src::Splat(c) => c,
        };
        put(slot, if pick { x.at(k) } else { y.at(k) });
    }
}

/// A copy of byte strings (into a destination at least as wide).
///
/// # Safety
/// The `Kernel` contract (`super::Kernel`).
pub(crate) unsafe fn copy(step: &Step, frame: &Frame<'_>) {
    // SAFETY: the `Kernel` contract: a byte-string slot and destination.
    let (x, (out, width)) = unsafe { (frame.bytes(step.args[0]), frame.bytes_dst(step.dst)) };
    for (k, slot) in out.chunks_exact_mut(width.max(1)).enumerate() {
        put(slot, x.at(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_nuls_are_not_part_of_the_value() {
        assert_eq!(trim(b"ab\0\0"), b"ab");
        assert_eq!(trim(b"a\0b\0"), b"a\0b");
        assert_eq!(trim(b"\0\0"), b"");
        assert!(trim(b"a") < trim(b"ab\0"));
        assert!(trim(b"b\0") > trim(b"ab"));
    }

    #[test]
    fn contains_is_a_substring_test() {
        assert!(contains_bytes(b"abc", b"bc"));
        assert!(contains_bytes(b"abc", b""));
        assert!(contains_bytes(b"", b""));
        assert!(!contains_bytes(b"abc", b"cb"));
        assert!(!contains_bytes(b"ab", b"abc"));
        assert!(contains_bytes(b"a\0b", b"\0b"));
    }
}
