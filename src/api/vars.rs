//! The caller's variables: [`Vars`] (name -> [`Input`]) and their dtypes, [`Signature`].
//!
//! Inputs of dtypes outside vexpr's kinds are widened on entry (int8/uint8/int16/uint16 ->
//! int32, uint32 -> int64, complex64 -> complex128); views of any dimension and strides are
//! borrowed, never copied.

use crate::array::ArrayRef;
use crate::dtype::DType;

/// Named input arrays for an evaluation: `ndarray` arrays and views of any dimension and
/// strides, slices, and scalars.
#[derive(Clone, Debug, Default)]
pub struct Vars<'a> {
    entries: Vec<(String, Input<'a>)>,
}

/// One variable's value, made with `From`/`Into` from an array, a view, a slice or a scalar.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    pub(crate) array: ArrayRef<'a>,
}

/// The names and dtypes of a set of variables: what [`compile`] needs to type an expression.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signature {
    pub(crate) vars: Vec<(String, DType)>,
}

impl Signature {
    /// The dtype of variable `name`, if present.
    pub fn get(&self, name: &str) -> Option<DType> {
        self.vars.iter().find(|(n, _)| n == name).map(|&(_, d)| d)
    }
}

impl<'a> Vars<'a> {
    /// No variables.
    pub fn new() -> Vars<'a> {
        Vars::default()
    }

    /// Add (or replace) variable `name`.
    pub fn with(mut self, name: &str, value: impl Into<Input<'a>>) -> Vars<'a> {
        self.insert(name, value);
        self
    }

    /// Add (or replace) variable `name`.
    pub fn insert(&mut self, name: &str, value: impl Into<Input<'a>>) {
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((name.to_string(), value)),
        }
    }

    /// The names and dtypes, for [`compile`].
    pub fn signature(&self) -> Signature {
        Signature {
            vars: self
                .entries
                .iter()
                .map(|(n, v)| (n.clone(), v.array.dtype()))
                .collect(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&ArrayRef<'a>> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| &v.array)
    }
}
