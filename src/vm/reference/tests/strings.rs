//! Byte strings: comparisons across item sizes, `contains`, `where`, constants, views.

use ndarray::{Axis, s};

use super::*;
use crate::array::BytesArray;
use crate::dtype::Scalar;

/// A 1-d byte-string array of item size `width` (each string NUL-padded).
fn strings(items: &[&[u8]], width: usize) -> ArrayD<u8> {
    let mut data = vec![0u8; items.len() * width];
    for (row, item) in data.chunks_mut(width).zip(items) {
        row[..item.len()].copy_from_slice(item);
    }
    nd(&[items.len(), width], &data)
}

fn input(a: &ArrayD<u8>) -> ArrayRef<'_> {
    ArrayRef::Bytes(a.view().into())
}

/// `fun(a, b)` of two byte-string arrays.
fn compare(fun: Fun, a: &ArrayD<u8>, b: &ArrayD<u8>) -> Vec<bool> {
    let mut h = HirBuilder::new();
    let x = h.input("a", DType::Bytes(a.shape()[a.ndim() - 1]));
    let y = h.input("b", DType::Bytes(b.shape()[b.ndim() - 1]));
    h.map(fun, &[x, y]);
    bool::out(eval(&h.build(), &[input(a), input(b)]))
        .into_iter()
        .collect()
}

#[test]
fn comparisons_ignore_trailing_nuls_across_widths() {
    let a = strings(&[b"a", b"a", b"ab", b"b", b"", b"a\0b", b"abc"], 3);
    let b = strings(&[b"a", b"ab", b"a", b"ab", b"", b"a", b"abd"], 5);
    assert_eq!(
        compare(Fun::Eq, &a, &b),
        [true, false, false, false, true, false, false]
    );
    assert_eq!(
        compare(Fun::Ne, &a, &b),
        [false, true, true, true, false, true, true]
    );
    // "a" < "ab" (a prefix is smaller); "a\0b" > "a" (an inner NUL is a byte).
    assert_eq!(
        compare(Fun::Lt, &a, &b),
        [false, true, false, false, false, false, true]
    );
    assert_eq!(
        compare(Fun::Le, &a, &b),
        [true, true, false, false, true, false, true]
    );
    assert_eq!(
        compare(Fun::Gt, &a, &b),
        [false, false, true, true, false, true, false]
    );
    assert_eq!(
        compare(Fun::Ge, &a, &b),
        [true, false, true, true, true, true, false]
    );
    // Bytes above 0x7f order as unsigned.
    let hi = strings(&[b"\xff"], 1);
    let lo = strings(&[b"\x01"], 1);
    assert_eq!(compare(Fun::Gt, &hi, &lo), [true]);
}

#[test]
fn contains_is_a_substring_test() {
    let hay = strings(
        &[
            b"hello", b"hello", b"hello", b"hi", b"", b"a\0bc", b"xab", b"aaab",
        ],
        5,
    );
    let needle = strings(
        &[b"ell", b"", b"hello", b"hit", b"", b"\0b", b"ab\0", b"aab"],
        5,
    );
    assert_eq!(
        compare(Fun::Contains, &hay, &needle),
        [true, true, true, false, true, true, true, true]
    );
    // A longer needle than the haystack's item size is simply not contained.
    let hay = strings(&[b"ab"], 2);
    let needle = strings(&[b"abc"], 3);
    assert_eq!(compare(Fun::Contains, &hay, &needle), [false]);
}

#[test]
fn constants_and_broadcasting() {
    // contains(x, 'b') with a constant needle, and x == b'' against a 0-d constant.
    let mut h = HirBuilder::new();
    let x = h.input("x", DType::Bytes(3));
    let k = h.constant(Scalar::Bytes(b"b".to_vec()));
    h.map(Fun::Contains, &[x, k]);
    let xs = strings(&[b"abc", b"", b"bb"], 3);
    let out = bool::out(eval(&h.build(), &[input(&xs)]));
    assert_eq!(out.into_iter().collect::<Vec<_>>(), [true, false, true]);

    let mut h = HirBuilder::new();
    let x = h.input("x", DType::Bytes(3));
    let k = h.constant(Scalar::Bytes(Vec::new()));
    h.map(Fun::Eq, &[x, k]);
    let out = bool::out(eval(&h.build(), &[input(&xs)]));
    assert_eq!(out.into_iter().collect::<Vec<_>>(), [false, true, false]);

    // (2,1) against (3,) strings broadcast to (2,3).
    let col = nd(&[2, 1, 2], b"b\0zz");
    let row = strings(&[b"a", b"b", b"zz"], 2);
    let mut h = HirBuilder::new();
    let a = h.input("a", DType::Bytes(2));
    let b = h.input("b", DType::Bytes(2));
    h.map(Fun::Ge, &[a, b]);
    let out = bool::out(eval(&h.build(), &[input(&col), input(&row)]));
    assert_eq!(out, nd(&[2, 3], &[true, true, false, true, true, true]));
}

#[test]
fn where_pads_to_the_wider_item() {
    let mut h = HirBuilder::new();
    let c = h.input("c", DType::Bool);
    let x = h.input("x", DType::Bytes(2));
    let y = h.input("y", DType::Bytes(4));
    h.map(Fun::Where, &[c, x, y]);
    let cs = vec1(&[true, false, true]);
    let xs = strings(&[b"ab", b"c", b"d"], 2);
    let ys = strings(&[b"wxyz", b"uv", b"t"], 4);
    let out = eval(&h.build(), &[bool::view(cs.view()), input(&xs), input(&ys)]);
    let expect = strings(&[b"ab", b"uv", b"d"], 4);
    assert_eq!(
        out,
        Array::Bytes(BytesArray {
            itemsize: 4,
            data: expect
        })
    );
}

#[test]
fn strided_and_reversed_string_views() {
    // Reversed rows, and every other row of a wider array: the item axis stays contiguous
    // or not, the strings are the same.
    let base = strings(&[b"aa", b"bb", b"cc", b"dd"], 2);
    let reversed = base.slice(s![..;-1, ..]).into_dyn();
    let every_other = base.slice(s![..;2, ..]).into_dyn();
    let mut h = HirBuilder::new();
    let x = h.input("x", DType::Bytes(2));
    let y = h.input("y", DType::Bytes(2));
    h.map(Fun::Lt, &[x, y]);
    let out = bool::out(eval(
        &h.build(),
        &[
            ArrayRef::Bytes(reversed.slice(s![..2, ..]).into_dyn().into()),
            ArrayRef::Bytes(every_other.view().into()),
        ],
    ));
    // "dd" < "aa", "cc" < "cc"
    assert_eq!(out.into_iter().collect::<Vec<_>>(), [false, false]);

    // A string input as the result: copied out in standard layout, bytes reversed in order.
    let mut h = HirBuilder::new();
    h.input("x", DType::Bytes(2));
    let out = eval(&h.build(), &[ArrayRef::Bytes(reversed.view().into())]);
    let Array::Bytes(b) = out else {
        panic!("not bytes")
    };
    assert_eq!(b.itemsize, 2);
    assert_eq!(b.data, strings(&[b"dd", b"cc", b"bb", b"aa"], 2));
    assert!(b.data.is_standard_layout());
    // Transposed item axis (a Fortran-ordered string array).
    let f = base.t().to_owned();
    let ft = f.t();
    assert_eq!(ft.len_of(Axis(1)), 2);
    let mut h = HirBuilder::new();
    let x = h.input("x", DType::Bytes(2));
    let k = h.constant(Scalar::Bytes(b"bb".to_vec()));
    h.map(Fun::Eq, &[x, k]);
    let out = bool::out(eval(&h.build(), &[ArrayRef::Bytes(ft.into_dyn().into())]));
    assert_eq!(
        out.into_iter().collect::<Vec<_>>(),
        [false, true, false, false]
    );
}
