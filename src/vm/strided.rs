//! Reading and writing blocks of a strided n-d view in C order, starting at any flat index.
//!
//! Inputs that are not C-contiguous after broadcasting (transposed, sliced with a step,
//! negative strides, broadcast along some axes) are gathered into a block buffer, and a
//! strided output is scattered from one, `len` elements at a time, starting at the block's
//! flat index. [`Runs`] turns a flat range into runs along the last axis, so the inner loops
//! are simple strided copies.
//!
//! The element accesses use raw pointers: ndarray offers no random access by flat index, and
//! indexing by `IxDyn` costs tens of nanoseconds per element. Every offset is computed from a
//! valid multi-index of the view, which is exactly how ndarray itself addresses elements.

use ndarray::{ArrayViewD, ArrayViewMutD};

/// Runs along the last axis that cover flat indices `start..start + len` of `shape` (C order).
/// Each run is `(offset of its first element, number of elements)`; consecutive elements of a
/// run are `strides[last]` apart.
pub(crate) struct Runs<'s> {
    shape: &'s [usize],
    strides: &'s [isize],
    /// Multi-index of the next element.
    index: Vec<usize>,
    /// Its offset.
    offset: isize,
    left: usize,
}

impl<'s> Runs<'s> {
    /// Runs of the flat range `start..start + len`; `start + len` must not exceed the size.
    pub fn new(shape: &'s [usize], strides: &'s [isize], start: usize, len: usize) -> Runs<'s> {
        let mut index = vec![0; shape.len()];
        let mut rest = start;
        for d in (0..shape.len()).rev() {
            if shape[d] > 0 {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
        }
        let offset = index
            .iter()
            .zip(strides)
            .map(|(&i, &s)| i as isize * s)
            .sum();
        Runs {
            shape,
            strides,
            index,
            offset,
            left: len,
        }
    }
}

impl Iterator for Runs<'_> {
    type Item = (isize, usize);

    fn next(&mut self) -> Option<(isize, usize)> {
        if self.left == 0 {
            return None;
        }
        let Some(last) = self.shape.len().checked_sub(1) else {
            // 0-d: one element.
            self.left = 0;
            return Some((0, 1));
        };
        let run = (self.shape[last] - self.index[last]).min(self.left);
        let item = (self.offset, run);
        self.left -= run;
        // Advance the multi-index by `run` elements: carry into the outer axes.
        self.index[last] += run;
        self.offset += run as isize * self.strides[last];
        let mut d = last;
        while self.index[d] == self.shape[d] && d > 0 {
            self.offset -= self.shape[d] as isize * self.strides[d];
            self.index[d] = 0;
            d -= 1;
            self.index[d] += 1;
            self.offset += self.strides[d];
        }
        Some(item)
    }
}

/// A view read through broadcasting: the element at a multi-index of `shape` is the view's
/// element at `strides`-weighted offset (stride 0 along broadcast axes).
pub(crate) struct Broadcast<'a, T> {
    view: ArrayViewD<'a, T>,
    shape: Vec<usize>,
    strides: Vec<isize>,
}

impl<'a, T> Broadcast<'a, T> {
    /// `view` broadcast to `shape`, or `None` if NumPy's rules do not allow it.
    pub fn new(view: ArrayViewD<'a, T>, shape: &[usize]) -> Option<Broadcast<'a, T>> {
        let lead = shape.len().checked_sub(view.ndim())?;
        let mut strides = vec![0isize; shape.len()];
        for (d, (&n, &s)) in view.shape().iter().zip(view.strides()).enumerate() {
            let want = shape[lead + d];
            if n == want {
                strides[lead + d] = if n == 1 { 0 } else { s };
            } else if n != 1 {
                return None;
            }
        }
        Some(Broadcast {
            view,
            shape: shape.to_vec(),
            strides,
        })
    }
}

/// Copy elements `start..start + out.len()` (C order) of `src` into `out`.
pub(crate) fn gather<T: Copy>(src: &Broadcast<'_, T>, start: usize, out: &mut [T]) {
    let base = src.view.as_ptr();
    let last = src.strides.last().copied().unwrap_or(0);
    let mut k = 0;
    for (offset, run) in Runs::new(&src.shape, &src.strides, start, out.len()) {
        for (j, o) in out[k..k + run].iter_mut().enumerate() {
            // SAFETY: `offset + j * last` is the offset of the element at a valid multi-index
            // of the broadcast shape; along broadcast axes the stride is 0 and along the others
            // it is the view's own, so it is the offset of a valid element of `view` (Runs
            // walks valid indices only). The pointer is in bounds of the view's data and
            // points to an initialised `T` borrowed for the view's lifetime.
            *o = unsafe { *base.offset(offset + j as isize * last) };
        }
        k += run;
    }
}

/// Copy `src` into elements `start..start + src.len()` (C order) of `view`.
pub(crate) fn scatter<T: Copy>(view: &mut ArrayViewMutD<'_, T>, start: usize, src: &[T]) {
    let strides = view.strides().to_vec();
    let shape = view.shape().to_vec();
    let base = view.as_mut_ptr();
    let last = strides.last().copied().unwrap_or(0);
    let mut k = 0;
    for (offset, run) in Runs::new(&shape, &strides, start, src.len()) {
        for (j, &v) in src[k..k + run].iter().enumerate() {
            // SAFETY: as in `gather`, the offset addresses a valid element of `view`, which
            // we borrow mutably; output views never alias themselves (ndarray refuses to
            // build a mutable view with overlapping elements), so no other write races it.
            unsafe { *base.offset(offset + j as isize * last) = v };
        }
        k += run;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, IxDyn, s};

    /// Gathering every block of every view equals ndarray's own C-order iteration.
    #[test]
    fn gather_matches_iteration_order() {
        let a = Array::from_shape_fn(IxDyn(&[4, 5, 6]), |i| {
            (i[0] * 100 + i[1] * 10 + i[2]) as i64
        });
        let views = [
            a.view(),
            a.view().reversed_axes(),
            a.slice(s![..;-1, 1..;2, ..;3]).into_dyn(),
            a.slice(s![1, .., ..;-2]).into_dyn(),
            a.slice(s![2, 3, 4]).into_dyn(),
        ];
        for v in &views {
            let want: Vec<i64> = v.iter().copied().collect();
            for block in [1, 2, 3, 7, 64] {
                let mut got = Vec::new();
                let mut start = 0;
                while start < want.len() {
                    let n = block.min(want.len() - start);
                    let mut buf = vec![0; n];
                    let b = Broadcast::new(v.view(), v.shape()).unwrap();
                    gather(&b, start, &mut buf);
                    got.extend(buf);
                    start += n;
                }
                assert_eq!(got, want, "shape {:?} block {block}", v.shape());
            }
        }
    }

    #[test]
    fn gather_broadcast_views() {
        let col = Array::from_shape_vec(IxDyn(&[3, 1]), vec![1, 2, 3]).unwrap();
        let want: Vec<i32> = col
            .broadcast(IxDyn(&[2, 3, 4]))
            .unwrap()
            .iter()
            .copied()
            .collect();
        let b = Broadcast::new(col.view(), &[2, 3, 4]).unwrap();
        let mut buf = vec![0; 24];
        gather(&b, 0, &mut buf);
        assert_eq!(buf, want);
        assert!(Broadcast::new(col.view(), &[2, 4]).is_none());
        let mut tail = vec![0; 5];
        gather(&b, 19, &mut tail);
        assert_eq!(tail, buf[19..]);
    }

    #[test]
    fn scatter_writes_in_c_order() {
        let mut a = Array::<i32, _>::zeros(IxDyn(&[3, 4]));
        {
            let mut v = a.view_mut().reversed_axes().into_dyn();
            let src: Vec<i32> = (1..=12).collect();
            scatter(&mut v, 0, &src[..5]);
            scatter(&mut v, 5, &src[5..]);
        }
        // The transposed view is 4x3: its C order walks `a` column by column.
        let want = Array::from_shape_fn(IxDyn(&[3, 4]), |i| (i[1] * 3 + i[0] + 1) as i32);
        assert_eq!(a, want);
    }

    #[test]
    fn zero_dimensional_views() {
        let a = Array::from_elem(IxDyn(&[]), 7u8);
        let mut buf = [0u8; 3];
        gather(&Broadcast::new(a.view(), &[]).unwrap(), 0, &mut buf[..1]);
        assert_eq!(buf[0], 7);
        gather(&Broadcast::new(a.view(), &[3]).unwrap(), 0, &mut buf);
        assert_eq!(buf, [7, 7, 7]);
    }
}
