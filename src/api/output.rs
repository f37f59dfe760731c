//! Caller-provided output arrays for [`evaluate_into`](crate::evaluate_into).

use crate::array::Array;
use crate::error::Error;

/// A mutable view of the caller's array that receives a result.
#[derive(Debug)]
pub struct Output<'a> {
    _marker: std::marker::PhantomData<&'a mut ()>,
}

impl Output<'_> {
    /// Check `result` against the view's shape and dtype, then copy it in.
    pub(crate) fn assign(self, result: Array) -> Result<(), Error> {
        let _ = result;
        todo!("api: typed mutable output views")
    }
}
