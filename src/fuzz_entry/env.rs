//! Random variable environments: names, kinds, shapes, memory layouts and values.
//!
//! In: bytes (through `arbitrary::Unstructured`). Out: an [`Env`], which owns one backing
//! array per variable and hands out [`Vars`] whose inputs are views of those backings with
//! the chosen layout: C order, Fortran order, every axis reversed (negative strides), every
//! other element (a step of 2), transposed, or broadcast from fewer elements (stride 0).
//! Values lean on the special ones (signed zeros, infinities, NaN, subnormals, extremes of
//! each integer type, NUL bytes) and otherwise take arbitrary bits.
//!
//! Invariant: a variable's logical shape is what its input reports (for byte strings, without
//! the item axis), whatever the layout.

use std::fmt;

use arbitrary::Unstructured;
use ndarray::{ArrayD, ArrayViewD, IxDyn, ShapeBuilder, Slice};
use num_complex::Complex64;

use super::expr::Kind;
use crate::array::ArrayRef;
use crate::{Input, Vars};

/// A choice in `0..n` from the fuzz input (0, the simplest choice, once the input runs out).
pub(crate) fn pick(u: &mut Unstructured<'_>, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    u.int_in_range(0..=n - 1).unwrap_or(0)
}

/// True with about `percent`% probability; false once the input runs out.
pub(crate) fn chance(u: &mut Unstructured<'_>, percent: u8) -> bool {
    u.int_in_range(0..=99u8).unwrap_or(0) >= 100 - percent.min(100)
}

/// One of `items` (the first once the input runs out).
pub(crate) fn one_of<T: Copy>(u: &mut Unstructured<'_>, items: &[T]) -> T {
    items[pick(u, items.len())]
}

/// How a variable's elements sit in memory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Layout {
    /// C order.
    Contiguous,
    /// Fortran order.
    Fortran,
    /// Every axis reversed: negative strides.
    Reversed,
    /// Every other element of a larger array along each axis.
    Stepped,
    /// The transpose of a C-ordered array of the reversed shape.
    Transposed,
    /// Broadcast (stride 0) from an array of this shape, which has 1 where the logical shape
    /// may not.
    Broadcast(Vec<usize>),
}

/// The backing store of one variable, in the layout's own shape.
#[derive(Clone, Debug)]
pub(crate) enum Data {
    /// `bool` elements.
    Bool(ArrayD<bool>),
    /// `int32` elements.
    Int32(ArrayD<i32>),
    /// `int64` elements.
    Int64(ArrayD<i64>),
    /// `float32` elements.
    Float32(ArrayD<f32>),
    /// `float64` elements.
    Float64(ArrayD<f64>),
    /// `complex128` elements.
    Complex(ArrayD<Complex64>),
    /// Byte strings: the item axis is the last.
    Bytes(ArrayD<u8>),
}

/// One variable.
#[derive(Clone, Debug)]
pub(crate) struct Var {
    /// Its name in expressions.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// Its logical shape.
    pub shape: Vec<usize>,
    /// How its elements are laid out.
    pub layout: Layout,
    /// The elements (empty until [`Env::fill`]).
    pub data: Data,
    /// Bytes per element, for byte strings.
    pub width: usize,
}

/// A set of variables, owned.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub(crate) vars: Vec<Var>,
}

/// Variable names: ordinary ones, and some that are also function names (the language lets
/// a variable be called `sum` or `where`).
const NAMES: &[&str] = &[
    "x", "y", "z", "a", "b", "w", "n", "s", "t", "sum", "where", "sin", "real", "x2", "_q",
];

/// The logical shape of the result: up to 3 dimensions, small, sometimes empty, and sometimes
/// longer than a few blocks of 64 elements (the smallest block the VM can be asked for).
pub(crate) fn result_shape(u: &mut Unstructured<'_>) -> Vec<usize> {
    const DIMS: &[usize] = &[1, 2, 3, 4, 5, 7, 2, 3];
    match pick(u, 10) {
        0 => Vec::new(),
        1 => vec![one_of(u, &[65, 130, 200, 0])],
        2 => vec![one_of(u, DIMS), one_of(u, &[0, 1, 33, 70])],
        _ => {
            let ndim = 1 + pick(u, 3);
            (0..ndim).map(|_| one_of(u, DIMS)).collect()
        }
    }
}

/// A shape that broadcasts to `target`: some leading axes dropped, some axes set to 1.
pub(crate) fn broadcastable(u: &mut Unstructured<'_>, target: &[usize]) -> Vec<usize> {
    let drop = if chance(u, 30) {
        pick(u, target.len() + 1)
    } else {
        0
    };
    target[drop..]
        .iter()
        .map(|&d| if chance(u, 25) { 1 } else { d })
        .collect()
}

/// Any small shape (for environments whose shapes need not broadcast).
pub(crate) fn any_shape(u: &mut Unstructured<'_>) -> Vec<usize> {
    let ndim = pick(u, 4);
    (0..ndim).map(|_| one_of(u, &[0, 1, 2, 3, 4])).collect()
}

impl Env {
    /// An environment of 1 to `max_vars` variables whose shapes come from `shape` and whose
    /// kinds from `kinds`, with names, shapes and layouts from `u` and values from `values`.
    pub(crate) fn generate(
        u: &mut Unstructured<'_>,
        max_vars: usize,
        kinds: &[Kind],
        shape: &mut dyn FnMut(&mut Unstructured<'_>) -> Vec<usize>,
    ) -> Env {
        let count = 1 + pick(u, max_vars.max(1));
        let mut vars: Vec<Var> = Vec::with_capacity(count);
        for i in 0..count {
            let mut name = one_of(u, NAMES).to_string();
            if vars.iter().any(|v| v.name == name) {
                name = format!("v{i}");
            }
            let kind = one_of(u, kinds);
            let shape = shape(u);
            vars.push(Var::generate(u, name, kind, shape));
        }
        Env { vars }
    }

    /// Fill the variables with values drawn from `u`.
    pub(crate) fn fill(&mut self, u: &mut Unstructured<'_>) {
        for v in &mut self.vars {
            v.fill(u);
        }
    }

    /// The names and kinds, for the expression generator.
    pub(crate) fn signature(&self) -> Vec<(String, Kind)> {
        self.vars.iter().map(|v| (v.name.clone(), v.kind)).collect()
    }

    /// The most dimensions of any variable (the broadcast result's).
    pub(crate) fn ndim(&self) -> usize {
        self.vars.iter().map(|v| v.shape.len()).max().unwrap_or(0)
    }

    /// The variables as engine inputs (views of the backings).
    pub fn vars(&self) -> Vars<'_> {
        let mut vars = Vars::new();
        for v in &self.vars {
            vars.insert(&v.name, v.input());
        }
        vars
    }
}

/// One element of a kind, from a table of special values or arbitrary bits.
trait Special: Sized + Copy {
    fn special(u: &mut Unstructured<'_>) -> Self;
}

impl Special for bool {
    fn special(u: &mut Unstructured<'_>) -> bool {
        chance(u, 50)
    }
}

impl Special for i32 {
    fn special(u: &mut Unstructured<'_>) -> i32 {
        match pick(u, 4) {
            0 => one_of(
                u,
                &[0, 1, -1, 2, 3, -7, 31, 32, 33, -32, i32::MIN, i32::MAX],
            ),
            1 => u.arbitrary().unwrap_or(0),
            _ => u.int_in_range(-20..=20).unwrap_or(0),
        }
    }
}

impl Special for i64 {
    fn special(u: &mut Unstructured<'_>) -> i64 {
        match pick(u, 4) {
            0 => one_of(
                u,
                &[
                    0,
                    1,
                    -1,
                    2,
                    63,
                    64,
                    -64,
                    i64::MIN,
                    i64::MAX,
                    i64::from(i32::MAX) + 1,
                    1 << 53,
                    (1 << 53) + 1,
                ],
            ),
            1 => u.arbitrary().unwrap_or(0),
            _ => u.int_in_range(-20..=20).unwrap_or(0),
        }
    }
}

impl Special for f64 {
    fn special(u: &mut Unstructured<'_>) -> f64 {
        match pick(u, 5) {
            0 => one_of(
                u,
                &[
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    2.0,
                    -2.5,
                    3.0,
                    0.1,
                    1e-300,
                    5e-324,
                    f64::MIN_POSITIVE,
                    f64::MAX,
                    -f64::MAX,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NAN,
                    std::f64::consts::PI,
                    1e10,
                    710.0,
                    -745.5,
                    1e300,
                    0.999_999_999,
                ],
            ),
            1 => f64::from_bits(u.arbitrary().unwrap_or(0)),
            2 => f64::from(u.int_in_range(-40..=40).unwrap_or(0)) / 4.0,
            _ => f64::from(u.int_in_range(-1_000_000..=1_000_000).unwrap_or(0)) / 1e5,
        }
    }
}

impl Special for f32 {
    fn special(u: &mut Unstructured<'_>) -> f32 {
        match pick(u, 5) {
            0 => one_of(
                u,
                &[
                    0.0,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    2.0,
                    -2.5,
                    0.1,
                    1e-38,
                    1e-45,
                    f32::MIN_POSITIVE,
                    f32::MAX,
                    -f32::MAX,
                    f32::INFINITY,
                    f32::NEG_INFINITY,
                    f32::NAN,
                    std::f32::consts::PI,
                    88.0,
                    -104.0,
                    1e30,
                ],
            ),
            1 => f32::from_bits(u.arbitrary().unwrap_or(0)),
            2 => u.int_in_range(-40..=40).unwrap_or(0) as f32 / 4.0,
            _ => u.int_in_range(-1_000_000..=1_000_000).unwrap_or(0) as f32 / 1e5,
        }
    }
}

impl Special for Complex64 {
    fn special(u: &mut Unstructured<'_>) -> Complex64 {
        Complex64::new(f64::special(u), f64::special(u))
    }
}

/// `n` elements.
fn elements<T: Special>(u: &mut Unstructured<'_>, n: usize) -> Vec<T> {
    (0..n).map(|_| T::special(u)).collect()
}

/// The backing shape a layout needs for a logical shape.
fn backing_shape(layout: &Layout, shape: &[usize]) -> Vec<usize> {
    match layout {
        Layout::Contiguous | Layout::Fortran | Layout::Reversed => shape.to_vec(),
        Layout::Stepped => shape.iter().map(|&d| 2 * d + 1).collect(),
        Layout::Transposed => shape.iter().rev().copied().collect(),
        Layout::Broadcast(small) => small.clone(),
    }
}

/// A C- (or, for [`Layout::Fortran`], F-) ordered array of `shape` holding `values`.
fn store<T: Clone>(layout: &Layout, shape: &[usize], values: Vec<T>) -> ArrayD<T> {
    let built = if *layout == Layout::Fortran {
        ArrayD::from_shape_vec(IxDyn(shape).f(), values)
    } else {
        ArrayD::from_shape_vec(IxDyn(shape), values)
    };
    // The element count is the product of `shape` by construction.
    built.unwrap_or_else(|_| unreachable!("elements for every index"))
}

/// The logical view of a backing: the layout's transformation of its first `logical` axes
/// (byte strings keep their trailing item axis as it is).
fn view<'a, T>(
    data: &'a ArrayD<T>,
    layout: &Layout,
    logical: usize,
    shape: &[usize],
) -> ArrayViewD<'a, T> {
    let mut v = data.view();
    match layout {
        Layout::Contiguous | Layout::Fortran => {}
        Layout::Reversed => v.slice_each_axis_inplace(|a| {
            if a.axis.index() < logical {
                Slice::new(0, None, -1)
            } else {
                Slice::from(..)
            }
        }),
        Layout::Stepped => v.slice_each_axis_inplace(|a| {
            if a.axis.index() < logical {
                Slice::new(1, None, 2)
            } else {
                Slice::from(..)
            }
        }),
        Layout::Transposed => {
            let mut axes: Vec<usize> = (0..logical).rev().collect();
            axes.extend(logical..v.ndim());
            v = v.permuted_axes(IxDyn(&axes));
        }
        Layout::Broadcast(_) => {
            let mut full = shape.to_vec();
            full.extend_from_slice(&data.shape()[logical..]);
            // The small shape has 1 wherever it differs from the logical one.
            v = data
                .broadcast(IxDyn(&full))
                .unwrap_or_else(|| unreachable!("a broadcastable backing"));
        }
    }
    v
}

impl Var {
    /// A variable of `kind` and logical `shape`, with a random layout and random values.
    fn generate(u: &mut Unstructured<'_>, name: String, kind: Kind, shape: Vec<usize>) -> Var {
        let layout = match pick(u, 8) {
            0 if !shape.is_empty() => Layout::Fortran,
            1 if !shape.is_empty() => Layout::Reversed,
            2 if !shape.is_empty() => Layout::Stepped,
            3 if shape.len() > 1 => Layout::Transposed,
            4 if shape.iter().any(|&d| d > 1) => Layout::Broadcast(
                shape
                    .iter()
                    .map(|&d| if chance(u, 60) { 1 } else { d })
                    .collect(),
            ),
            _ => Layout::Contiguous,
        };
        let width = 1 + pick(u, 4);
        Var {
            name,
            kind,
            data: Data::Bytes(ArrayD::zeros(IxDyn(&[0]))),
            width,
            shape,
            layout,
        }
    }

    /// Values for every element of the backing.
    fn fill(&mut self, u: &mut Unstructured<'_>) {
        let (layout, width) = (&self.layout, self.width);
        let logical = backing_shape(layout, &self.shape);
        let n: usize = logical.iter().product();
        self.data = match self.kind {
            Kind::Bool => Data::Bool(store(layout, &logical, elements(u, n))),
            Kind::Int32 => Data::Int32(store(layout, &logical, elements(u, n))),
            Kind::Int64 => Data::Int64(store(layout, &logical, elements(u, n))),
            Kind::Float32 => Data::Float32(store(layout, &logical, elements(u, n))),
            Kind::Float64 => Data::Float64(store(layout, &logical, elements(u, n))),
            Kind::Complex => Data::Complex(store(layout, &logical, elements(u, n))),
            Kind::Bytes => {
                let mut bytes = Vec::with_capacity(n * width);
                for _ in 0..n {
                    let len = pick(u, width + 1);
                    for k in 0..width {
                        bytes.push(if k < len { one_of(u, b"abcA\0\xff") } else { 0 });
                    }
                }
                let mut full = logical.clone();
                full.push(width);
                Data::Bytes(store(layout, &full, bytes))
            }
        };
    }

    /// The variable as an engine input: a view of the backing.
    pub(crate) fn input(&self) -> Input<'_> {
        let (layout, d, shape) = (&self.layout, self.shape.len(), self.shape.as_slice());
        match &self.data {
            Data::Bool(a) => Input::from(view(a, layout, d, shape)),
            Data::Int32(a) => Input::from(view(a, layout, d, shape)),
            Data::Int64(a) => Input::from(view(a, layout, d, shape)),
            Data::Float32(a) => Input::from(view(a, layout, d, shape)),
            Data::Float64(a) => Input::from(view(a, layout, d, shape)),
            Data::Complex(a) => Input::from(view(a, layout, d, shape)),
            Data::Bytes(a) => Input {
                array: ArrayRef::Bytes(view(a, layout, d, shape).into()),
                map: None,
            },
        }
    }
}

impl fmt::Display for Env {
    /// One line per variable: name, kind, shape, layout and the values in logical order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in &self.vars {
            let values = values_text(&v.input().to_array());
            writeln!(
                f,
                "  {}: {:?} {:?} {:?} = {values}",
                v.name, v.kind, v.shape, v.layout
            )?;
        }
        Ok(())
    }
}

/// The elements of `a` in C order, each printed exactly (Rust's shortest round-trip form).
pub(crate) fn values_text(a: &crate::Array) -> String {
    use crate::Array;
    fn list<T: fmt::Debug>(items: impl Iterator<Item = T>) -> String {
        let items: Vec<String> = items.map(|x| format!("{x:?}")).collect();
        format!("[{}]", items.join(", "))
    }
    /// Byte strings as Python literals.
    struct Bytes<'b>(&'b [u8]);
    impl fmt::Debug for Bytes<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "b'{}'", self.0.escape_ascii())
        }
    }
    match a {
        Array::Bool(x) => list(x.iter()),
        Array::Int32(x) => list(x.iter()),
        Array::Int64(x) => list(x.iter()),
        Array::Float32(x) => list(x.iter()),
        Array::Float64(x) => list(x.iter()),
        Array::Complex128(x) => list(x.iter().map(|z| (z.re, z.im))),
        Array::Bytes(b) => list(b.iter().map(Bytes)),
    }
}
