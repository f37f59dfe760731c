//! Short text forms for results: Python-style shape tuples, memory sizes, and the
//! `dtype=... shape=...` line printed under a result.
//!
//! In: arrays, shapes, byte counts. Out: strings. The array itself is printed with the
//! library's `Display` (NumPy's `repr`, summarised with `...` beyond 1,000 elements).

use vexpr::Array;

/// A shape as Python writes a tuple: `()`, `(3,)`, `(2, 3)`.
pub(crate) fn shape(dims: &[usize]) -> String {
    match dims {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
            format!("({})", parts.join(", "))
        }
    }
}

/// The line under a printed result: `dtype=float64 shape=(3,)`.
pub(crate) fn describe(array: &Array) -> String {
    format!("dtype={} shape={}", array.dtype(), shape(array.shape()))
}

/// The first `count` elements of `array` in C order, as a 1-d array of the same dtype.
pub(crate) fn head(array: &Array, count: usize) -> Array {
    /// A 1-d array of the first `count` elements of an `ndarray` array.
    fn first<T: Clone>(a: &ndarray::ArrayD<T>, count: usize) -> ndarray::Array1<T> {
        a.iter().take(count).cloned().collect()
    }
    match array {
        Array::Bool(a) => Array::from(first(a, count)),
        Array::Int32(a) => Array::from(first(a, count)),
        Array::Int64(a) => Array::from(first(a, count)),
        Array::Float32(a) => Array::from(first(a, count)),
        Array::Float64(a) => Array::from(first(a, count)),
        Array::Complex128(a) => Array::from(first(a, count)),
        Array::Bytes(b) => Array::from(b.iter().take(count).collect::<vexpr::BytesArray>()),
    }
}

/// A result in one line: the value of a 0-d array, else its first elements
/// (`array([1., 2., 3.]) ...` when there are more).
pub(crate) fn brief(array: &Array, count: usize) -> String {
    if array.ndim() == 0 {
        return array.to_string();
    }
    let more = if array.len() > count { " ..." } else { "" };
    format!("{}{more}", head(array, count))
}

/// The bytes an array's elements take.
pub(crate) fn nbytes(array: &Array) -> usize {
    array.len().saturating_mul(array.dtype().itemsize())
}

/// A byte count for people: `24 B`, `7.6 MiB`.
pub(crate) fn memory(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("PiB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_look_like_python_tuples() {
        assert_eq!(shape(&[]), "()");
        assert_eq!(shape(&[3]), "(3,)");
        assert_eq!(shape(&[2, 0, 4]), "(2, 0, 4)");
    }

    #[test]
    fn memory_sizes() {
        assert_eq!(memory(0), "0 B");
        assert_eq!(memory(1023), "1023 B");
        assert_eq!(memory(1536), "1.5 KiB");
        assert_eq!(memory(8_000_000), "7.6 MiB");
        assert_eq!(memory(3 << 30), "3.0 GiB");
    }

    #[test]
    fn heads_and_briefs() {
        let a = Array::from(ndarray::arr2(&[[1i32, 2, 3], [4, 5, 6]]));
        assert_eq!(head(&a, 4), Array::from(ndarray::arr1(&[1i32, 2, 3, 4])));
        assert_eq!(brief(&a, 2), "array([1, 2], dtype=int32) ...");
        assert_eq!(brief(&a, 6), "array([1, 2, 3, 4, 5, 6], dtype=int32)");
        let s = Array::from_scalar(vexpr::Scalar::Float64(2.5));
        assert_eq!(brief(&s, 3), "array(2.5)");
        let b = Array::from(vexpr::BytesArray::from_items(["ab", "c", "d"], &[3]).unwrap());
        assert_eq!(brief(&b, 2), "array([b'ab', b'c'], dtype='|S2') ...");
    }

    #[test]
    fn describe_and_nbytes() {
        let a = Array::from(ndarray::arr2(&[[1i64, 2, 3], [4, 5, 6]]));
        assert_eq!(describe(&a), "dtype=int64 shape=(2, 3)");
        assert_eq!(nbytes(&a), 48);
        let s = Array::from_scalar(vexpr::Scalar::Bytes(b"abc".to_vec()));
        assert_eq!(
            (describe(&s), nbytes(&s)),
            ("dtype=S3 shape=()".to_string(), 3)
        );
    }
}
