//! Caller-provided output arrays for `evaluate_into` and `Compiled::run_into`.
//!
//! In: a mutable `ndarray` array or view (any dimension, strides and storage), a mutable slice
//! or `Vec`, or a mutable scalar, of one of the six numeric kinds. Out: [`Output`], which holds
//! a typed mutable view (`ArrayMut`, the same type the VM writes new results through).
//!
//! Invariants: [`Output::assign`] writes only after every check passed (same shape, a result
//! kind that fits the output kind), so on error the caller's array is untouched; the only
//! conversions are NumPy's safe casts to a higher rank (an int32 result into a float64
//! buffer, never float64 into float32).

use ndarray::{ArrayBase, ArrayViewMut, DataMut, Dimension, IxDyn, Zip};
use num_complex::Complex64;

use super::mapping::MapRef;
use super::repr::py_shape;
use super::{Array, ArrayMut, BytesArray, Element};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};

/// A mutable view of the caller's array that receives a result, made with `From`/`Into`.
///
/// ```
/// use ndarray::{Array2, s};
/// use vexpr::{DType, Output};
///
/// let mut buf = Array2::<f64>::zeros((4, 4));
/// let out = Output::from(buf.slice_mut(s![.., ..;2])); // strided is fine
/// assert_eq!((out.dtype(), out.shape()), (DType::Float64, &[4, 2][..]));
/// let mut v = vec![0i32; 3];
/// assert_eq!(Output::from(&mut v).dtype(), DType::Int32);
/// ```
#[derive(Debug)]
pub struct Output<'a> {
    pub(crate) view: ArrayMut<'a>,
    /// The file mapping the view lives in, for a result written to a memory-mapped file.
    pub(crate) map: Option<MapRef<'a>>,
}

impl Output<'_> {
    /// The element type of the caller's array.
    pub fn dtype(&self) -> DType {
        self.view.dtype()
    }

    /// The shape of the caller's array.
    pub fn shape(&self) -> &[usize] {
        self.view.shape()
    }

    /// Whether the view is in C order without gaps.
    pub(crate) fn is_standard_layout(&self) -> bool {
        self.view.is_standard_layout()
    }

    /// The view the engine writes into.
    pub(crate) fn view_mut(&mut self) -> ArrayMut<'_> {
        self.view.reborrow()
    }

    /// Overwrite every element after a failed run (NaN for floats, zero otherwise), so that
    /// what a stopped evaluation wrote cannot pass for a result.
    pub(crate) fn poison(&mut self) {
        match &mut self.view {
            ArrayMut::Bool(v) => v.fill(false),
            ArrayMut::Int32(v) => v.fill(0),
            ArrayMut::Int64(v) => v.fill(0),
            ArrayMut::Float32(v) => v.fill(f32::NAN),
            ArrayMut::Float64(v) => v.fill(f64::NAN),
            ArrayMut::Complex128(v) => v.fill(Complex64::new(f64::NAN, f64::NAN)),
            ArrayMut::Bytes(v) => v.fill(0),
        }
    }

    /// Whether a result of `dtype` and `shape` can be written here: the same shape, and a
    /// numeric kind of at most the output's rank. [`ErrorKind::Output`] otherwise.
    pub(crate) fn check(&self, dtype: DType, shape: &[usize]) -> Result<(), Error> {
        if shape != self.shape() {
            return Err(Error::new(
                ErrorKind::Output,
                format!(
                    "output has shape {} but the result has shape {}",
                    py_shape(self.shape()),
                    py_shape(shape)
                ),
            ));
        }
        let out = self.dtype();
        let fits = match (dtype, out) {
            (DType::Bytes(_), _) | (_, DType::Bytes(_)) => dtype == out,
            _ => dtype <= out,
        };
        if !fits {
            return Err(Error::new(
                ErrorKind::Output,
                format!("output is {out} but the result is {dtype}, which does not fit"),
            ));
        }
        Ok(())
    }

    /// Check `result` against the view's shape and dtype, then copy it in (any strides).
    /// On error nothing is written.
    pub(crate) fn assign(self, result: Array) -> Result<(), Error> {
        self.check(result.dtype(), result.shape())?;
        let out_dtype = self.dtype();
        // After `check` the shapes are equal, so `Zip` cannot fail; a kind outside a target's
        // list cannot happen either, and reports the same error as `check` if it did.
        let unfit = |result: &Array| {
            Error::new(
                ErrorKind::Output,
                format!(
                    "output is {out_dtype} but the result is {}, which does not fit",
                    result.dtype()
                ),
            )
        };
        macro_rules! copy_into {
            ($out:expr, $($src:ident => $cast:expr),* $(,)?) => {
                match result {
                    $(Array::$src(r) => {
                        Zip::from(&mut $out).and(&r).for_each(|o, &x| *o = $cast(x));
                        Ok(())
                    })*
                    other => Err(unfit(&other)),
                }
            };
        }
        match self.view {
            ArrayMut::Bool(mut o) => copy_into!(o, Bool => |x: bool| x),
            ArrayMut::Int32(mut o) => copy_into!(o,
                Bool => i32::from,
                Int32 => |x: i32| x,
            ),
            ArrayMut::Int64(mut o) => copy_into!(o,
                Bool => i64::from,
                Int32 => i64::from,
                Int64 => |x: i64| x,
            ),
            ArrayMut::Float32(mut o) => copy_into!(o,
                Bool => |x: bool| f32::from(u8::from(x)),
                // numexpr's rank order puts every int below float32; large int64 round.
                Int32 => |x: i32| x as f32,
                Int64 => |x: i64| x as f32,
                Float32 => |x: f32| x,
            ),
            ArrayMut::Float64(mut o) => copy_into!(o,
                Bool => |x: bool| f64::from(u8::from(x)),
                Int32 => f64::from,
                Int64 => |x: i64| x as f64,
                Float32 => f64::from,
                Float64 => |x: f64| x,
            ),
            ArrayMut::Bytes(mut o) => match result {
                Array::Bytes(BytesArray { data, .. }) => {
                    o.assign(&data);
                    Ok(())
                }
                other => Err(unfit(&other)),
            },
            ArrayMut::Complex128(mut o) => copy_into!(o,
                Bool => |x: bool| Complex64::new(f64::from(u8::from(x)), 0.0),
                Int32 => |x: i32| Complex64::new(f64::from(x), 0.0),
                Int64 => |x: i64| Complex64::new(x as f64, 0.0),
                Float32 => |x: f32| Complex64::new(f64::from(x), 0.0),
                Float64 => |x: f64| Complex64::new(x, 0.0),
                Complex128 => |x: Complex64| x,
            ),
        }
    }
}

impl<'a, T, S, D> From<&'a mut ArrayBase<S, D>> for Output<'a>
where
    T: Element,
    S: DataMut<Elem = T>,
    D: Dimension,
{
    fn from(array: &'a mut ArrayBase<S, D>) -> Output<'a> {
        T::output(array.view_mut().into_dyn())
    }
}

impl<'a, T: Element, D: Dimension> From<&'a mut ndarray::ArrayRef<T, D>> for Output<'a> {
    fn from(array: &'a mut ndarray::ArrayRef<T, D>) -> Output<'a> {
        T::output(array.view_mut().into_dyn())
    }
}

impl<'a, T: Element, D: Dimension> From<ArrayViewMut<'a, T, D>> for Output<'a> {
    fn from(view: ArrayViewMut<'a, T, D>) -> Output<'a> {
        T::output(view.into_dyn())
    }
}

impl<'a> From<&'a mut Array> for Output<'a> {
    /// A result array of an earlier run, to be overwritten by the next (no allocation).
    ///
    /// ```
    /// let a = ndarray::Array1::<f64>::linspace(0.0, 1.0, 5);
    /// let vars = vexpr::Vars::new().with("a", &a);
    /// let prog = vexpr::compile("a * 2", &vars.signature())?;
    /// let mut out = prog.run(&vars)?;
    /// prog.run_into(&vars, (&mut out).into())?;
    /// assert_eq!(out, prog.run(&vars)?);
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    fn from(array: &'a mut Array) -> Output<'a> {
        Output {
            view: array.view_mut(),
            map: None,
        }
    }
}

impl<'a, T: Element> From<&'a mut [T]> for Output<'a> {
    fn from(values: &'a mut [T]) -> Output<'a> {
        T::output(ArrayViewMut::from(values).into_dyn())
    }
}

impl<'a, T: Element> From<&'a mut Vec<T>> for Output<'a> {
    fn from(values: &'a mut Vec<T>) -> Output<'a> {
        Output::from(values.as_mut_slice())
    }
}

impl<'a, T: Element> From<&'a mut T> for Output<'a> {
    /// A scalar: a 0-d output (for full reductions).
    fn from(value: &'a mut T) -> Output<'a> {
        let one = ArrayViewMut::from(std::slice::from_mut(value)).into_dyn();
        // Reshaping one element to 0-d cannot fail; if it did, an empty view would stand in
        // and `assign` would refuse it with a shape error.
        let view = one
            .into_shape_with_order(IxDyn(&[]))
            .unwrap_or_else(|_| ArrayViewMut::<T, ndarray::Ix1>::from(&mut [][..]).into_dyn());
        T::output(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, ArrayD, arr1, arr2, s};

    fn result_f64(values: &[f64]) -> Array {
        Array::from(arr1(values))
    }

    #[test]
    fn copies_an_equal_kind() {
        let mut out = Array1::<f64>::zeros(3);
        Output::from(&mut out)
            .assign(result_f64(&[1.0, 2.5, -3.0]))
            .unwrap();
        assert_eq!(out, arr1(&[1.0, 2.5, -3.0]));
    }

    #[test]
    fn shape_mismatch_is_an_error_and_writes_nothing() {
        let mut out = Array1::<f64>::from_elem(3, 9.0);
        let e = Output::from(&mut out)
            .assign(result_f64(&[1.0, 2.0, 3.0, 4.0]))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Output);
        assert_eq!(
            e.message(),
            "output has shape (3,) but the result has shape (4,)"
        );
        assert_eq!(out, arr1(&[9.0, 9.0, 9.0]));
        // Same element count, different shape: still refused.
        let mut out = Array2::<f64>::from_elem((2, 2), 9.0);
        let e = Output::from(&mut out)
            .assign(result_f64(&[1.0, 2.0, 3.0, 4.0]))
            .unwrap_err();
        assert_eq!(
            e.message(),
            "output has shape (2, 2) but the result has shape (4,)"
        );
        assert!(out.iter().all(|&x| x == 9.0));
    }

    #[test]
    fn narrowing_is_an_error_and_writes_nothing() {
        let mut out = vec![7.0f32; 2];
        let e = Output::from(&mut out)
            .assign(result_f64(&[1.0, 2.0]))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Output);
        assert_eq!(
            e.message(),
            "output is float32 but the result is float64, which does not fit"
        );
        assert_eq!(out, [7.0, 7.0]);
        let mut ints = [5i32; 2];
        let e = Output::from(&mut ints[..])
            .assign(Array::from(arr1(&[1i64, 2])))
            .unwrap_err();
        assert_eq!(
            e.message(),
            "output is int32 but the result is int64, which does not fit"
        );
        assert_eq!(ints, [5, 5]);
    }

    #[test]
    fn byte_results_do_not_fit_numeric_outputs() {
        let mut out = vec![0i64; 2];
        let bytes = crate::BytesArray::from_items(["a", "b"], &[2]).unwrap();
        let e = Output::from(&mut out)
            .assign(Array::from(bytes))
            .unwrap_err();
        assert_eq!(
            e.message(),
            "output is int64 but the result is S1, which does not fit"
        );
    }

    #[test]
    fn safe_casts_widen() {
        let mut f = vec![0.0f64; 3];
        Output::from(&mut f)
            .assign(Array::from(arr1(&[1i32, -2, i32::MAX])))
            .unwrap();
        assert_eq!(f, [1.0, -2.0, 2147483647.0]);

        let mut c = vec![Complex64::new(9.0, 9.0); 2];
        Output::from(&mut c)
            .assign(Array::from(arr1(&[true, false])))
            .unwrap();
        assert_eq!(c, [Complex64::new(1.0, 0.0), Complex64::new(0.0, 0.0)]);

        let mut i = vec![0i64; 2];
        Output::from(&mut i)
            .assign(Array::from(arr1(&[i32::MIN, 3])))
            .unwrap();
        assert_eq!(i, [-2147483648, 3]);

        // int64 into float32 rounds to nearest, like NumPy's astype.
        let mut g = vec![0.0f32; 1];
        Output::from(&mut g)
            .assign(Array::from(arr1(&[16_777_217i64])))
            .unwrap();
        assert_eq!(g, [16_777_216.0]);
    }

    #[test]
    fn strided_and_transposed_outputs() {
        let mut buf = Array2::<i64>::zeros((3, 4));
        let result = Array::from(arr2(&[[1i64, 2], [3, 4], [5, 6]]));
        Output::from(buf.slice_mut(s![.., ..;-2]))
            .assign(result)
            .unwrap();
        // Columns 3 and 1, in that order.
        assert_eq!(buf, arr2(&[[0, 2, 0, 1], [0, 4, 0, 3], [0, 6, 0, 5]]));

        let mut t = Array2::<f64>::zeros((2, 3));
        let result = Array::from(arr2(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]));
        Output::from(t.view_mut().reversed_axes())
            .assign(result)
            .unwrap();
        assert_eq!(t, arr2(&[[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]));
    }

    #[test]
    fn scalar_and_dyn_outputs() {
        let mut x = 0.0f64;
        Output::from(&mut x)
            .assign(Array::from(ndarray::arr0(2.5)))
            .unwrap();
        assert_eq!(x, 2.5);
        let mut d = ArrayD::<bool>::from_elem(IxDyn(&[1, 2]), false);
        let out = Output::from(&mut d);
        assert_eq!((out.dtype(), out.shape()), (DType::Bool, &[1, 2][..]));
        out.assign(Array::from(arr2(&[[true, false]]))).unwrap();
        assert_eq!(d, arr2(&[[true, false]]).into_dyn());
    }
}
