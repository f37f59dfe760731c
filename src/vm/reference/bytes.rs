//! Byte-string kernels: comparisons, `contains` and `where` on fixed-width NUL-padded strings.
//!
//! In: byte-string values as `u8` arrays with a trailing item axis (see `crate::array`), of
//! any item sizes and strides. Out: bool arrays, or a padded `u8` array for `where`.
//! Trailing NULs are insignificant (`b'a' == b'a\0'`); a NUL inside a string is an ordinary
//! byte (numexpr stops at the first NUL; vexpr deliberately does not).

use ndarray::{ArrayD, ArrayViewD, CowArray, IxDyn};

use super::scalar::compare;
use super::{internal, map2, map3, reserve};
use crate::array::ArrayRef;
use crate::error::Error;
use crate::hir::Fun;

/// `s` without its trailing NULs.
pub(crate) fn strip(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &s[..end]
}

/// Whether `needle` (trailing NULs stripped) occurs in `haystack` (same); the empty needle
/// always does. A plain window scan: items are short, and this is the oracle.
pub(crate) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    let (h, n) = (strip(haystack), strip(needle));
    n.is_empty() || h.windows(n.len()).any(|w| w == n)
}

/// The strings of a byte-string array (shape `s + [itemsize]`) as an array of shape `s` of
/// slices, trailing NULs stripped. `data` must be in standard layout.
fn items<'a>(data: &'a ArrayViewD<'_, u8>) -> Result<ArrayD<&'a [u8]>, Error> {
    let Some((&width, shape)) = data.shape().split_last() else {
        return Err(internal("a byte-string array without its item axis"));
    };
    let bytes = data
        .as_slice()
        .ok_or_else(|| internal("byte strings not in standard layout"))?;
    let count = shape.iter().product();
    let mut out: Vec<&[u8]> = reserve(count)?;
    if width == 0 {
        out.resize(count, &[]);
    } else {
        out.extend(bytes.chunks_exact(width).map(strip));
    }
    ArrayD::from_shape_vec(IxDyn(shape), out).map_err(|e| internal(&e.to_string()))
}

/// A comparison or `contains` of two byte-string arrays, broadcast to `shape`; `None` for
/// any other operation.
pub(crate) fn binary<'o>(
    fun: Fun,
    a: &CowArray<'_, u8, IxDyn>,
    b: &CowArray<'_, u8, IxDyn>,
    shape: &[usize],
) -> Option<Result<ArrayRef<'o>, Error>> {
    // Strings have the six comparisons and `contains`, nothing else.
    if fun != Fun::Contains && compare::<&[u8]>(fun).is_none() {
        return None;
    }
    let (a, b) = (a.as_standard_layout(), b.as_standard_layout());
    let (a, b) = (a.view(), b.view());
    let run = || {
        // Stripped strings compare like NUL-padded ones of any item size.
        let (a, b) = (items(&a)?, items(&b)?);
        let out = if fun == Fun::Contains {
            map2(a.view(), b.view(), shape, contains)?
        } else {
            let cmp = compare(fun).ok_or_else(|| internal("no comparison"))?;
            map2(a.view(), b.view(), shape, cmp)?
        };
        Ok(ArrayRef::Bool(out.into()))
    };
    Some(run())
}

/// `where(c, x, y)` on byte strings: the chosen strings NUL-padded to the wider item size.
pub(crate) fn select<'o>(
    c: &CowArray<'_, bool, IxDyn>,
    x: &CowArray<'_, u8, IxDyn>,
    y: &CowArray<'_, u8, IxDyn>,
    shape: &[usize],
) -> Result<ArrayRef<'o>, Error> {
    let (xs, ys) = (x.as_standard_layout(), y.as_standard_layout());
    let (xs, ys) = (xs.view(), ys.view());
    let (xs, ys) = (items(&xs)?, items(&ys)?);
    let width = [x, y]
        .iter()
        .map(|a| a.shape().last().copied().unwrap_or(0))
        .max()
        .unwrap_or(0);
    let chosen = map3(
        c.view(),
        xs.view(),
        ys.view(),
        shape,
        |c, x, y| {
            if c { x } else { y }
        },
    )?;
    let count = chosen.len();
    let total = count
        .checked_mul(width)
        .ok_or_else(|| internal("byte-string result too large"))?;
    let mut data: Vec<u8> = reserve(total)?;
    for s in chosen.iter() {
        data.extend_from_slice(s);
        data.resize(data.len() + (width - s.len()), 0);
    }
    let mut full = shape.to_vec();
    full.push(width);
    let out = ArrayD::from_shape_vec(IxDyn(&full), data).map_err(|e| internal(&e.to_string()))?;
    Ok(ArrayRef::Bytes(out.into()))
}
