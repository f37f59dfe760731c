//! The variables an expression is typed against: names and dtypes, no data.
//!
//! In: what the caller declares (or `Vars::signature` reads off the data). Out: the lookups
//! name resolution makes while lowering (`hir::lower`).

use crate::dtype::DType;

/// The names and dtypes of a set of variables: what `compile` needs to type
/// an expression. Made from `Vars::signature`, or by hand to compile without data:
///
/// ```
/// use vexpr::{DType, Signature};
/// let sig = Signature::new().with("a", DType::Float64).with("n", DType::Int32);
/// assert_eq!(sig.get("n"), Some(DType::Int32));
/// assert_eq!(sig.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signature {
    pub(crate) vars: Vec<(String, DType)>,
}

impl Signature {
    /// No variables.
    pub fn new() -> Signature {
        Signature::default()
    }

    /// Add (or retype) variable `name`.
    pub fn with(mut self, name: &str, dtype: DType) -> Signature {
        self.insert(name, dtype);
        self
    }

    /// Add (or retype) variable `name`.
    pub fn insert(&mut self, name: &str, dtype: DType) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = dtype,
            None => self.vars.push((name.to_string(), dtype)),
        }
    }

    /// The dtype of variable `name`, if present.
    pub fn get(&self, name: &str) -> Option<DType> {
        self.vars.iter().find(|(n, _)| n == name).map(|&(_, d)| d)
    }

    /// The variables and their dtypes, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, DType)> + '_ {
        self.vars.iter().map(|(n, d)| (n.as_str(), *d))
    }

    /// The number of variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether there are no variables.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}
