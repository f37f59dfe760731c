//! Byte-string kernels: comparisons, `contains`, `where` and copies of fixed-width,
//! NUL-padded strings (NumPy's `S<n>`). Trailing NULs are not part of a string's value, so
//! strings of different widths compare as NumPy compares them (`b'a' == b'a\0'`).
//!
//! These kernels are the same for every ISA (byte strings are rare and not vectorised).

use std::mem::MaybeUninit;

use super::{Frame, Sources};
use crate::bytecode::{Instr, OpCode};
use crate::hir::Fun;

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

fn two<'s>(s: &Sources<'s>, i: &Instr) -> Option<(BytesSrc<'s>, BytesSrc<'s>)> {
    Some((s.bytes(i.args[0])?, s.bytes(i.args[1])?))
}

/// `<`, `<=`, `>`, `>=`, `==`, `!=` of byte strings.
pub(crate) fn compare(i: &Instr, frame: &mut Frame<'_>) {
    let OpCode::CompareBytes(f) = i.op else {
        frame.fault = true;
        return;
    };
    frame.with_dst::<bool>(i.dst, |s, out| {
        let Some((a, b)) = two(s, i) else {
            return false;
        };
        for (k, o) in out.iter_mut().enumerate() {
            let (x, y) = (a.at(k), b.at(k));
            o.write(match f {
                Fun::Lt => x < y,
                Fun::Le => x <= y,
                Fun::Gt => x > y,
                Fun::Ge => x >= y,
                Fun::Eq => x == y,
                _ => x != y,
            });
        }
        true
    });
}

/// `contains(haystack, needle)`.
pub(crate) fn contains(i: &Instr, frame: &mut Frame<'_>) {
    frame.with_dst::<bool>(i.dst, |s, out| {
        let Some((h, n)) = two(s, i) else {
            return false;
        };
        for (k, o) in out.iter_mut().enumerate() {
            o.write(contains_bytes(h.at(k), n.at(k)));
        }
        true
    });
}

/// Write string `src` NUL-padded into the `width`-byte slot `dst`.
fn put(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    for (k, d) in dst.iter_mut().enumerate() {
        d.write(src.get(k).copied().unwrap_or(0));
    }
}

/// `where(cond, x, y)` on byte strings.
pub(crate) fn select(i: &Instr, frame: &mut Frame<'_>) {
    frame.with_bytes_dst(i.dst, |s, out, width| {
        let (Some(super::Src::Slice(c)), Some(x), Some(y)) = (
            s.get::<bool>(i.args[0]).map(|c| match c {
                super::Src::Slice(c) => super::Src::Slice(c),
                super::Src::Splat(v) => super::Src::Splat(v),
            }),
            s.bytes(i.args[1]),
            s.bytes(i.args[2]),
        ) else {
            return select_splat(s, i, out, width);
        };
        for (k, slot) in out.chunks_exact_mut(width).enumerate() {
            put(slot, if c[k] { x.at(k) } else { y.at(k) });
        }
        true
    });
}

fn select_splat(s: &Sources<'_>, i: &Instr, out: &mut [MaybeUninit<u8>], width: usize) -> bool {
    let (Some(super::Src::Splat(c)), Some(x), Some(y)) = (
        s.get::<bool>(i.args[0]),
        s.bytes(i.args[1]),
        s.bytes(i.args[2]),
    ) else {
        return false;
    };
    for (k, slot) in out.chunks_exact_mut(width).enumerate() {
        put(slot, if c { x.at(k) } else { y.at(k) });
    }
    true
}

/// A copy of byte strings (into a destination at least as wide).
pub(crate) fn copy(i: &Instr, frame: &mut Frame<'_>) {
    frame.with_bytes_dst(i.dst, |s, out, width| {
        let Some(x) = s.bytes(i.args[0]) else {
            return false;
        };
        for (k, slot) in out.chunks_exact_mut(width).enumerate() {
            put(slot, x.at(k));
        }
        true
    });
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
