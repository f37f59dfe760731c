//! NumPy's `repr` of an array, for `Display` of [`Array`] and [`BytesArray`].
//!
//! In: an array. Out: the text NumPy 2.4 prints for `repr(a)` with default print options
//! (line width 75, summary beyond 1,000 elements with 3 items at each edge, 8 digits of
//! float precision in `maxprec` mode). The rules follow `numpy/_core/arrayprint.py`:
//! every displayed element is formatted with one formatter fitted to all of them (common
//! width, common number of decimals), then rows are wrapped and nested in brackets.
//!
//! Nothing here recurses: the bracket structure is produced by one loop over an odometer of
//! the displayed positions, so any number of dimensions is fine.

use std::fmt::{Display, LowerExp};

use ndarray::{ArrayViewD, IxDyn};
use num_complex::Complex64;

use super::{Array, BytesArray};
use crate::dtype::DType;

/// NumPy's default `linewidth`.
const LINE_WIDTH: usize = 75;
/// Arrays with more elements than this are summarised with `...`.
const THRESHOLD: usize = 1000;
/// Items shown at each end of a summarised axis.
const EDGE_ITEMS: usize = 3;
/// Most digits after the decimal point (`precision`).
const PRECISION: usize = 8;
/// What precedes the nested brackets.
const PREFIX: &str = "array(";

/// One displayed position along an axis.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Slot {
    /// The element (or sub-array) at this index.
    Index(usize),
    /// The `...` of a summarised axis.
    Ellipsis,
}

/// Which positions of each axis are shown.
struct Layout {
    /// `slots[axis]`: the displayed positions along `axis`, in order.
    slots: Vec<Vec<Slot>>,
}

impl Layout {
    /// The layout of an array of `shape`, summarised when `summarize` is set.
    fn new(shape: &[usize], summarize: bool) -> Layout {
        let slots = shape
            .iter()
            .map(|&n| {
                if summarize && n > 2 * EDGE_ITEMS {
                    (0..EDGE_ITEMS)
                        .map(Slot::Index)
                        .chain([Slot::Ellipsis])
                        .chain((n - EDGE_ITEMS..n).map(Slot::Index))
                        .collect()
                } else {
                    (0..n).map(Slot::Index).collect()
                }
            })
            .collect();
        Layout { slots }
    }

    /// Calls `visit` with the index of every displayed element, in display (C) order.
    fn for_each_shown(&self, mut visit: impl FnMut(&[usize])) {
        let nd = self.slots.len();
        if self.slots.iter().any(Vec::is_empty) {
            return;
        }
        let mut pos = vec![0usize; nd];
        let mut index = vec![0usize; nd];
        loop {
            let mut shown = true;
            for ((slots, &p), i) in self.slots.iter().zip(&pos).zip(index.iter_mut()) {
                match slots.get(p) {
                    Some(Slot::Index(k)) => *i = *k,
                    _ => shown = false,
                }
            }
            if shown {
                visit(&index);
            }
            // Advance the odometer, last axis fastest.
            let mut d = nd;
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                pos[d] += 1;
                if pos[d] < self.slots[d].len() {
                    break;
                }
                pos[d] = 0;
            }
        }
    }

    /// The nested, wrapped text of the displayed elements (`words`, in display order).
    fn render(&self, words: &[String]) -> String {
        let nd = self.slots.len();
        let mut words = words.iter().map(String::as_str);
        if nd == 0 {
            return words.next().unwrap_or_default().to_string();
        }
        // The hanging indent of axis d (what aligns a line with the first element after the
        // brackets) and the line width left at that depth, as in NumPy's `_formatArray`.
        let hang = |d: usize| PREFIX.len() + 1 + d;
        let width = |d: usize| (LINE_WIDTH - 1).saturating_sub(d);
        let row_axis = nd - 1;
        let mut out = "[".repeat(nd);
        let mut pos = vec![0usize; nd];
        loop {
            self.render_row(&mut out, &mut words, hang(row_axis), width(row_axis));
            out.push(']');
            // Move to the next sibling of the deepest axis that has one, closing brackets.
            let mut d = row_axis;
            loop {
                if d == 0 {
                    return out;
                }
                d -= 1;
                pos[d] += 1;
                if pos[d] < self.slots[d].len() {
                    break;
                }
                pos[d] = 0;
                out.push(']');
            }
            let separator = format!(",{}{}", "\n".repeat(nd - d - 1), " ".repeat(hang(d)));
            out.push_str(&separator);
            if self.slots[d].get(pos[d]) == Some(&Slot::Ellipsis) {
                out.push_str("...");
                out.push_str(&separator);
                pos[d] += 1;
            }
            out.push_str(&"[".repeat(nd - 1 - d));
        }
    }

    /// One innermost row, wrapped at `width` with continuation lines indented by `hang`.
    fn render_row<'w>(
        &self,
        out: &mut String,
        words: &mut impl Iterator<Item = &'w str>,
        hang: usize,
        width: usize,
    ) {
        let indent = " ".repeat(hang);
        // Room for the "," or "]" after each element.
        let elem_width = width.saturating_sub(1);
        let mut text = String::new();
        let mut line = indent.clone();
        let slots = self.slots.last().map(Vec::as_slice).unwrap_or_default();
        for (k, slot) in slots.iter().enumerate() {
            let word = match slot {
                Slot::Index(_) => words.next().unwrap_or_default(),
                Slot::Ellipsis => "...",
            };
            if line.len() + word.len() > elem_width && line.len() > indent.len() {
                text.push_str(line.trim_end());
                text.push('\n');
                line.clone_from(&indent);
            }
            line.push_str(word);
            if k + 1 < slots.len() {
                line.push_str(", ");
            }
        }
        text.push_str(&line);
        // The first line's indent is where the opening brackets already are.
        out.push_str(text.get(hang..).unwrap_or_default());
    }
}

/// `repr(a)` for any [`Array`].
pub(crate) fn array_repr(array: &Array) -> String {
    match array {
        Array::Bool(a) => {
            let zero_d = a.ndim() == 0;
            numeric_repr(a.view(), DType::Bool, |vals| {
                vals.iter()
                    .map(|&b| match (b, zero_d) {
                        (true, true) => "True".to_string(),
                        (true, false) => " True".to_string(),
                        (false, _) => "False".to_string(),
                    })
                    .collect()
            })
        }
        Array::Int32(a) => numeric_repr(a.view(), DType::Int32, format_ints),
        Array::Int64(a) => numeric_repr(a.view(), DType::Int64, format_ints),
        Array::Float32(a) => numeric_repr(a.view(), DType::Float32, format_floats),
        Array::Float64(a) => numeric_repr(a.view(), DType::Float64, format_floats),
        Array::Complex128(a) => numeric_repr(a.view(), DType::Complex128, format_complex),
        Array::Bytes(b) => bytes_repr(b),
    }
}

/// `repr(a)` for byte strings.
pub(crate) fn bytes_repr(bytes: &BytesArray) -> String {
    let shape = bytes.shape();
    let size = bytes.len();
    let layout = Layout::new(shape, size > THRESHOLD);
    let mut words = Vec::new();
    layout.for_each_shown(|index| words.push(py_bytes(bytes.get(index).unwrap_or_default())));
    finish(&layout, &words, shape, DType::Bytes(bytes.itemsize()))
}

/// `repr(a)` for a numeric array: gather the shown elements, format them together, lay out.
fn numeric_repr<T: Copy>(
    a: ArrayViewD<'_, T>,
    dtype: DType,
    format: impl FnOnce(&[T]) -> Vec<String>,
) -> String {
    let layout = Layout::new(a.shape(), a.len() > THRESHOLD);
    let mut values = Vec::new();
    layout.for_each_shown(|index| {
        if let Some(&v) = a.get(IxDyn(index)) {
            values.push(v);
        }
    });
    finish(&layout, &format(&values), a.shape(), dtype)
}

/// Wraps the body in `array(...)` with NumPy's `shape=` and `dtype=` extras.
fn finish(layout: &Layout, words: &[String], shape: &[usize], dtype: DType) -> String {
    let size: usize = shape.iter().product();
    let body = if size == 0 {
        "[]".to_string()
    } else {
        layout.render(words)
    };
    let mut extras = Vec::new();
    if size > THRESHOLD || (size == 0 && shape != [0]) {
        extras.push(format!("shape={}", py_shape(shape)));
    }
    let implied = matches!(
        dtype,
        DType::Bool | DType::Int64 | DType::Float64 | DType::Complex128
    );
    if !implied || size == 0 {
        let name = match dtype {
            DType::Bytes(n) => format!("'|S{n}'"),
            other => other.to_string(),
        };
        extras.push(format!("dtype={name}"));
    }
    if extras.is_empty() {
        return format!("{PREFIX}{body})");
    }
    let head = format!("{PREFIX}{body},");
    let tail = format!("{})", extras.join(", "));
    let last_line = head.len() - head.rfind('\n').map_or(0, |p| p + 1);
    let spacer = if last_line + tail.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(PREFIX.len()))
    } else {
        " ".to_string()
    };
    format!("{head}{spacer}{tail}")
}

/// Python's `repr` of a shape tuple: `()`, `(3,)`, `(2, 3)`.
pub(crate) fn py_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// Python's `repr` of a `bytes` value: `b'abc'`, `b"it's"`, `b'\x00\n'`.
fn py_bytes(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut s = String::with_capacity(bytes.len() + 3);
    s.push('b');
    s.push(char::from(quote));
    for &b in bytes {
        match b {
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\\' => s.push_str("\\\\"),
            _ if b == quote => {
                s.push('\\');
                s.push(char::from(b));
            }
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push(char::from(quote));
    s
}

/// Integers, right-aligned to the widest.
fn format_ints<T: Display>(values: &[T]) -> Vec<String> {
    let words: Vec<String> = values.iter().map(T::to_string).collect();
    let width = words.iter().map(String::len).max().unwrap_or(0);
    words.into_iter().map(|w| format!("{w:>width$}")).collect()
}

/// Floats, all with one [`FloatFormat`].
fn format_floats<F: ReprFloat>(values: &[F]) -> Vec<String> {
    let format = FloatFormat::new(values, false);
    values.iter().map(|&x| format.format(x)).collect()
}

/// Complex numbers: the real parts with one format, the imaginary parts with another that
/// always shows the sign, then `j` before the imaginary part's padding.
fn format_complex(values: &[Complex64]) -> Vec<String> {
    let re: Vec<f64> = values.iter().map(|z| z.re).collect();
    let im: Vec<f64> = values.iter().map(|z| z.im).collect();
    let re_format = FloatFormat::new(&re, false);
    let im_format = FloatFormat::new(&im, true);
    values
        .iter()
        .map(|z| {
            let i = im_format.format(z.im);
            let end = i.trim_end().len();
            format!("{}{}j{}", re_format.format(z.re), &i[..end], &i[end..])
        })
        .collect()
}

/// What the float formatter needs from `f32` and `f64`.
trait ReprFloat: num_traits::Float + Display + LowerExp {
    /// Values at least this large switch to scientific notation
    /// (`10 ** min(8, finfo.precision)`).
    const EXP_CUTOFF: Self;
    /// Non-zero values below this switch to scientific notation.
    const SMALL: Self;
    /// A ratio of largest to smallest non-zero above this switches to scientific notation.
    const RATIO: Self;
}

impl ReprFloat for f64 {
    const EXP_CUTOFF: f64 = 1e8;
    const SMALL: f64 = 1e-4;
    const RATIO: f64 = 1e3;
}

impl ReprFloat for f32 {
    const EXP_CUTOFF: f32 = 1e6;
    const SMALL: f32 = 1e-4;
    const RATIO: f32 = 1e3;
}

/// NumPy's `FloatingFormat` in its default mode: positional or scientific for the whole
/// array, at most 8 digits after the point (fewer if the shortest round-trip form is
/// shorter), aligned on the decimal point.
struct FloatFormat {
    /// Scientific notation.
    exp: bool,
    /// Width of the integer part, sign included.
    pad_left: usize,
    /// Width of the fraction (positional) or of everything after the point (scientific).
    pad_right: usize,
    /// Digits after the point in scientific notation.
    precision: usize,
    /// Digits of the exponent (at least 2).
    exp_size: usize,
    /// Always print the sign (the imaginary parts).
    plus: bool,
}

impl FloatFormat {
    /// The format that fits all of `values`.
    fn new<F: ReprFloat>(values: &[F], plus: bool) -> FloatFormat {
        let finite: Vec<F> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let mut nonzero = finite.iter().filter(|x| !x.is_zero()).map(|x| x.abs());
        let exp = match nonzero.next() {
            Some(first) => {
                let (min, max) = nonzero.fold((first, first), |(lo, hi), x| (lo.min(x), hi.max(x)));
                max >= F::EXP_CUTOFF || min < F::SMALL || max / min > F::RATIO
            }
            None => false,
        };
        let mut format = FloatFormat {
            exp,
            pad_left: 0,
            pad_right: 0,
            precision: 0,
            exp_size: 2,
            plus,
        };
        if exp {
            for &x in &finite {
                let (int, frac, e) = scientific(x, plus);
                format.pad_left = format.pad_left.max(int.len());
                format.precision = format.precision.max(frac.len());
                format.exp_size = format.exp_size.max(e.unsigned_abs().to_string().len());
            }
            format.pad_right = format.exp_size + 2 + format.precision;
        } else {
            for &x in &finite {
                let (int, frac) = positional(x, plus);
                format.pad_left = format.pad_left.max(int.len());
                format.pad_right = format.pad_right.max(frac.len());
            }
        }
        if finite.len() != values.len() {
            // Make room for "nan" and "-inf" right-aligned in the common width.
            let neg_inf = plus
                || values
                    .iter()
                    .any(|x| x.is_infinite() && x.is_sign_negative());
            let offset = format.pad_right + 1;
            let needed = (3 + usize::from(neg_inf)).saturating_sub(offset);
            format.pad_left = format.pad_left.max(needed);
        }
        format
    }

    /// One value in this format.
    fn format<F: ReprFloat>(&self, x: F) -> String {
        if !x.is_finite() {
            let text = if x.is_nan() {
                if self.plus { "+nan" } else { "nan" }
            } else if x.is_sign_negative() {
                "-inf"
            } else if self.plus {
                "+inf"
            } else {
                "inf"
            };
            let width = self.pad_left + self.pad_right + 1;
            return format!("{text:>width$}");
        }
        if self.exp {
            let (int, frac, e) = scientific(x, self.plus);
            let sign = if e < 0 { '-' } else { '+' };
            format!(
                "{int:>pl$}.{frac:0<pr$}e{sign}{digits:0>es$}",
                pl = self.pad_left,
                pr = self.precision,
                digits = e.unsigned_abs(),
                es = self.exp_size,
            )
        } else {
            let (int, frac) = positional(x, self.plus);
            format!(
                "{int:>pl$}.{frac:<pr$}",
                pl = self.pad_left,
                pr = self.pad_right
            )
        }
    }
}

/// The sign NumPy prints: `-` for negatives (and -0.0), `+` in `plus` mode.
fn sign_of<F: ReprFloat>(x: F, plus: bool) -> &'static str {
    if x.is_sign_negative() {
        "-"
    } else if plus {
        "+"
    } else {
        ""
    }
}

/// `x` as (signed integer digits, fraction digits): the shortest round-trip digits, or if
/// those need more than [`PRECISION`] decimals, the value rounded to that many with trailing
/// zeros trimmed. `1.5 -> ("1", "5")`, `2.0 -> ("2", "")`.
fn positional<F: ReprFloat>(x: F, plus: bool) -> (String, String) {
    let abs = x.abs();
    let mut text = format!("{abs}");
    if text
        .split_once('.')
        .is_some_and(|(_, f)| f.len() > PRECISION)
    {
        text = format!("{abs:.PRECISION$}");
    }
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    (format!("{}{int}", sign_of(x, plus)), frac.to_string())
}

/// `x` as (signed leading digit, fraction digits, exponent) in scientific notation, with the
/// same digit rule as [`positional`]. `1.5e10 -> ("1", "5", 10)`.
fn scientific<F: ReprFloat>(x: F, plus: bool) -> (String, String, i32) {
    let abs = x.abs();
    let split = |text: &str| -> (String, String, i32) {
        let (mantissa, exp) = text.split_once('e').unwrap_or((text, "0"));
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let frac = frac.trim_end_matches('0');
        (int.to_string(), frac.to_string(), exp.parse().unwrap_or(0))
    };
    let mut parts = split(&format!("{abs:e}"));
    if parts.1.len() > PRECISION {
        parts = split(&format!("{abs:.PRECISION$e}"));
    }
    (format!("{}{}", sign_of(x, plus), parts.0), parts.1, parts.2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, arr0, arr1, arr2};

    // Expected strings come from NumPy 2.4.6: `repr(np.array(...))`.

    #[test]
    fn floats_align_on_the_point() {
        // repr(np.array([1.5, 2., 3.]))
        let a = Array::from(arr1(&[1.5, 2.0, 3.0]));
        assert_eq!(a.to_string(), "array([1.5, 2. , 3. ])");
        // repr(np.array([0.1 + 0.2, -1.0]))
        let a = Array::from(arr1(&[0.1 + 0.2, -1.0]));
        assert_eq!(a.to_string(), "array([ 0.3, -1. ])");
    }

    #[test]
    fn large_ranges_switch_to_scientific() {
        // repr(np.array([1e10, 1.5]))
        let a = Array::from(arr1(&[1e10, 1.5]));
        assert_eq!(a.to_string(), "array([1.0e+10, 1.5e+00])");
        // repr(np.array([1e-5, 0.0, -2.5e-7]))
        let a = Array::from(arr1(&[1e-5, 0.0, -2.5e-7]));
        assert_eq!(a.to_string(), "array([ 1.0e-05,  0.0e+00, -2.5e-07])");
    }

    #[test]
    fn non_finite_values_share_the_width() {
        // repr(np.array([np.nan, 1.0, -np.inf]))
        let a = Array::from(arr1(&[f64::NAN, 1.0, f64::NEG_INFINITY]));
        assert_eq!(a.to_string(), "array([ nan,   1., -inf])");
        // repr(np.array([np.nan, np.inf]))
        let a = Array::from(arr1(&[f64::NAN, f64::INFINITY]));
        assert_eq!(a.to_string(), "array([nan, inf])");
    }

    #[test]
    fn ints_bools_and_dtype_suffix() {
        // repr(np.array([[1, 2], [3, 4]], dtype=np.int32))
        let a = Array::from(arr2(&[[1i32, 2], [3, 4]]));
        assert_eq!(
            a.to_string(),
            "array([[1, 2],\n       [3, 4]], dtype=int32)"
        );
        // repr(np.array([-5, 100]))
        assert_eq!(
            Array::from(arr1(&[-5i64, 100])).to_string(),
            "array([ -5, 100])"
        );
        // repr(np.array([True, False]))
        assert_eq!(
            Array::from(arr1(&[true, false])).to_string(),
            "array([ True, False])"
        );
        // repr(np.array(True))
        assert_eq!(Array::from(arr0(true)).to_string(), "array(True)");
    }

    #[test]
    fn zero_d_arrays() {
        // repr(np.array(2.5)), repr(np.array(1, dtype=np.int32)), repr(np.array(1e10))
        assert_eq!(Array::from(arr0(2.5)).to_string(), "array(2.5)");
        assert_eq!(Array::from(arr0(1i32)).to_string(), "array(1, dtype=int32)");
        assert_eq!(Array::from(arr0(1e10)).to_string(), "array(1.e+10)");
    }

    #[test]
    fn complex_numbers() {
        // repr(np.array([1+2j, 3-1j]))
        let a = Array::from(arr1(&[Complex64::new(1.0, 2.0), Complex64::new(3.0, -1.0)]));
        assert_eq!(a.to_string(), "array([1.+2.j, 3.-1.j])");
        // repr(np.array([1.5+0j, 2+0.25j]))
        let a = Array::from(arr1(&[Complex64::new(1.5, 0.0), Complex64::new(2.0, 0.25)]));
        assert_eq!(a.to_string(), "array([1.5+0.j  , 2. +0.25j])");
    }

    #[test]
    fn byte_strings() {
        // repr(np.array([b'a', b"it's", b'\x00x\n']))
        let b = BytesArray::from_items([&b"a"[..], b"it's", b"\0x\n"], &[3]).unwrap();
        assert_eq!(
            b.to_string(),
            "array([b'a', b\"it's\", b'\\x00x\\n'], dtype='|S4')"
        );
    }

    #[test]
    fn empty_arrays_show_dtype_and_shape() {
        // repr(np.zeros(0)), repr(np.zeros((0, 3), np.int32))
        assert_eq!(
            Array::from(ArrayD::<f64>::zeros(IxDyn(&[0]))).to_string(),
            "array([], dtype=float64)"
        );
        assert_eq!(
            Array::from(ArrayD::<i32>::zeros(IxDyn(&[0, 3]))).to_string(),
            "array([], shape=(0, 3), dtype=int32)"
        );
    }

    #[test]
    fn long_rows_wrap_and_large_arrays_summarise() {
        // repr(np.arange(30))
        let a = Array::from(ndarray::Array1::from_iter(0..30i64));
        assert_eq!(
            a.to_string(),
            "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n       \
             17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])"
        );
        // repr(np.arange(2000))
        let a = Array::from(ndarray::Array1::from_iter(0..2000i64));
        assert_eq!(
            a.to_string(),
            "array([   0,    1,    2, ..., 1997, 1998, 1999], shape=(2000,))"
        );
    }

    #[test]
    fn three_d_blocks_are_separated_by_blank_lines() {
        // repr(np.arange(8).reshape(2, 2, 2))
        let a = Array::from(
            ndarray::Array::from_iter(0..8i64)
                .into_shape_with_order((2, 2, 2))
                .unwrap(),
        );
        assert_eq!(
            a.to_string(),
            "array([[[0, 1],\n        [2, 3]],\n\n       [[4, 5],\n        [6, 7]]])"
        );
    }

    #[test]
    fn deep_arrays_do_not_recurse() {
        let a = Array::from(ArrayD::<i64>::zeros(IxDyn(&[1; 200])));
        let s = a.to_string();
        assert!(s.starts_with(&format!("array({}0", "[".repeat(200))), "{s}");
    }

    #[test]
    fn shape_tuples_look_like_python() {
        assert_eq!(py_shape(&[]), "()");
        assert_eq!(py_shape(&[3]), "(3,)");
        assert_eq!(py_shape(&[2, 3]), "(2, 3)");
    }
}
