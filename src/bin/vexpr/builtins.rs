//! The REPL's builtins, which make arrays: `load`, `linspace`, `arange`, `random`, `zeros`,
//! `ones`, and the arguments of `save`.
//!
//! In: a [`Builtin`] and its unevaluated [`Arg`]s. Out: an [`Array`], or a [`Failure`].
//! Numeric arguments are vexpr constant expressions (`1e6`, `1_000_000`, `2**20`, `-1`), so
//! they follow the language's literal rules; paths are vexpr string literals (`"x.npy"`);
//! shapes are a count or a Python tuple of counts. Results follow NumPy: `linspace`,
//! `random`, `zeros` and `ones` give float64, `arange` int64 for whole-number arguments
//! and float64 otherwise.
//!
//! Invariants: memory is reserved with `try_reserve`, so a huge request is an error, not an
//! abort; filling checks the cancel flag every [`CHUNK`] elements, so Ctrl-C stops it;
//! `random` is splitmix64, the same numbers for the same seed on every machine.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{ArrayD, IxDyn};
use vexpr::{Array, Scalar, Vars};

use crate::Failure;
use crate::statement::{Arg, Builtin, tuple_items};

/// 2**63: floats below it (in magnitude) convert to int64 exactly when they are whole.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Elements filled between two looks at the cancel flag.
const CHUNK: usize = 1 << 16;

/// Run `builtin` on `args`; `cancel` interrupts filling large arrays.
pub(crate) fn call(
    builtin: Builtin,
    args: &[Arg<'_>],
    cancel: &AtomicBool,
) -> Result<Array, Failure> {
    let name = builtin.name();
    let about = |f: Failure| f.about(name);
    match builtin {
        Builtin::Load => {
            let [path, wrap] = bind(args, ["path", "wrap_uint64"], 1).map_err(about)?;
            let path = path_arg(path.unwrap_or_default()).map_err(about)?;
            let wrap = wrap.map_or(Ok(false), bool_arg).map_err(about)?;
            vexpr::npy::ReadOptions::new()
                .wrap_uint64(wrap)
                .read(path)
                .map_err(
                    |e| match e.message().split_once(": uint64 is not supported") {
                        Some((path, _)) => Failure::msg(format!(
                            "{path}: uint64 is not supported; its values do not all fit int64 \
                         (load(..., wrap_uint64=True) wraps them, like NumPy's unsafe casting)"
                        )),
                        None => e.into(),
                    },
                )
        }
        Builtin::Linspace => {
            let [start, stop, num, endpoint] =
                bind(args, ["start", "stop", "num", "endpoint"], 2).map_err(about)?;
            let start = float_arg(start.unwrap_or_default()).map_err(about)?;
            let stop = float_arg(stop.unwrap_or_default()).map_err(about)?;
            let num = num.map_or(Ok(50), count_arg).map_err(about)?;
            let endpoint = endpoint.map_or(Ok(true), bool_arg).map_err(about)?;
            linspace(start, stop, num, endpoint, cancel)
        }
        Builtin::Arange => {
            let [a, b, step] = bind(args, ["start", "stop", "step"], 0).map_err(about)?;
            // One argument is the stop, as in NumPy.
            let (start, stop) = match (a, b) {
                (None, None) => return Err(about(Failure::msg("missing argument `stop`"))),
                (Some(stop), None) => ("0", stop),
                (start, Some(stop)) => (start.unwrap_or("0"), stop),
            };
            let numbers = [start, stop, step.unwrap_or("1")]
                .map(number_arg)
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
                .map_err(about)?;
            match numbers.as_slice() {
                &[Number::Int(start), Number::Int(stop), Number::Int(step)] => {
                    arange_int(start, stop, step, cancel)
                }
                [start, stop, step] => {
                    arange_float(start.as_f64(), stop.as_f64(), step.as_f64(), cancel)
                }
                _ => Err(Failure::msg("arange: internal argument error")),
            }
            .map_err(about)
        }
        Builtin::Random => {
            let [shape, seed] = bind(args, ["shape", "seed"], 1).map_err(about)?;
            let shape = shape_arg(shape.unwrap_or_default()).map_err(about)?;
            let seed = match seed {
                Some(text) => seed_arg(text).map_err(about)?,
                None => clock_seed(),
            };
            uniform(&shape, seed, cancel).map_err(about)
        }
        Builtin::Zeros | Builtin::Ones => {
            let [shape] = bind(args, ["shape"], 1).map_err(about)?;
            let shape = shape_arg(shape.unwrap_or_default()).map_err(about)?;
            let fill = if builtin == Builtin::Ones { 1.0 } else { 0.0 };
            filled(&shape, cancel, |_| fill).map_err(about)
        }
    }
}

/// The arguments of `save(value, path)`: the value's source and the path.
pub(crate) fn save_args<'a>(args: &[Arg<'a>]) -> Result<(&'a str, PathBuf), Failure> {
    let about = |f: Failure| f.about("save");
    let [value, path] = bind(args, ["value", "path"], 2).map_err(about)?;
    let path = path_arg(path.unwrap_or_default()).map_err(about)?;
    Ok((value.unwrap_or_default(), path))
}

/// Match `args` to the parameters `params` (positionally, then by keyword); the first
/// `required` must be given.
fn bind<'a, const N: usize>(
    args: &[Arg<'a>],
    params: [&str; N],
    required: usize,
) -> Result<[Option<&'a str>; N], Failure> {
    let mut bound: [Option<&'a str>; N] = [None; N];
    let mut next = 0;
    for arg in args {
        let slot = match arg.keyword {
            None => {
                if arg_after_keyword(args, arg) {
                    return Err(Failure::msg(
                        "a positional argument follows a keyword argument",
                    ));
                }
                next += 1;
                next - 1
            }
            Some(k) => params
                .iter()
                .position(|p| *p == k)
                .ok_or_else(|| Failure::msg(format!("unknown argument `{k}`")))?,
        };
        let param = params
            .get(slot)
            .ok_or_else(|| Failure::msg(format!("takes at most {N} argument{}", plural(N))))?;
        match bound.get_mut(slot) {
            Some(b @ None) => *b = Some(arg.text),
            _ => return Err(Failure::msg(format!("`{param}` is given twice"))),
        }
    }
    if let Some(missing) = params
        .iter()
        .zip(&bound)
        .take(required)
        .find(|(_, b)| b.is_none())
    {
        return Err(Failure::msg(format!("missing argument `{}`", missing.0)));
    }
    Ok(bound)
}

/// Whether a keyword argument comes before `arg` in `args`.
fn arg_after_keyword(args: &[Arg<'_>], arg: &Arg<'_>) -> bool {
    args.iter()
        .take_while(|a| !std::ptr::eq(*a, arg))
        .any(|a| a.keyword.is_some())
}

/// The plural ending for `n` things.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The value of a constant argument, computed by vexpr.
fn constant(text: &str) -> Result<Scalar, Failure> {
    let value = vexpr::evaluate(text, &Vars::new())?;
    value
        .to_scalar()
        .ok_or_else(|| Failure::msg(format!("`{text}` is not a single value")))
}

/// A number argument: whole (int32, int64) or not (float32, float64).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Number {
    /// From an integer constant.
    Int(i64),
    /// From a float constant.
    Float(f64),
}

impl Number {
    /// The value as a float (large int64 values round).
    fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(x) => x,
        }
    }
}

/// A real number argument (bool, complex and strings are refused).
fn number_arg(text: &str) -> Result<Number, Failure> {
    match constant(text)? {
        Scalar::Int32(i) => Ok(Number::Int(i64::from(i))),
        Scalar::Int64(i) => Ok(Number::Int(i)),
        Scalar::Float32(x) => Ok(Number::Float(f64::from(x))),
        Scalar::Float64(x) => Ok(Number::Float(x)),
        other => Err(Failure::msg(format!(
            "`{text}` is {}, not a real number",
            other.dtype()
        ))),
    }
}

/// A real number argument, as a float.
fn float_arg(text: &str) -> Result<f64, Failure> {
    number_arg(text).map(Number::as_f64)
}

/// A whole, non-negative number (`1e6` is fine, `1.5` and `-1` are not).
fn count_arg(text: &str) -> Result<usize, Failure> {
    let bad = || Failure::msg(format!("`{text}` is not a whole number >= 0"));
    match number_arg(text)? {
        Number::Int(i) => usize::try_from(i).map_err(|_| bad()),
        // Whole and below 2**63: the conversion is exact.
        Number::Float(x) if x >= 0.0 && x.fract() == 0.0 && x < TWO_POW_63 => {
            usize::try_from(x as u64).map_err(|_| bad())
        }
        Number::Float(_) => Err(bad()),
    }
}

/// A seed: any whole number (negative ones wrap, as the bits of an int64).
fn seed_arg(text: &str) -> Result<u64, Failure> {
    match number_arg(text)? {
        Number::Int(i) => Ok(i as u64),
        Number::Float(x) if x.fract() == 0.0 && x.abs() < TWO_POW_63 => Ok(x as i64 as u64),
        Number::Float(_) => Err(Failure::msg(format!("seed `{text}` is not a whole number"))),
    }
}

/// A `True`/`False` argument.
fn bool_arg(text: &str) -> Result<bool, Failure> {
    match constant(text)? {
        Scalar::Bool(b) => Ok(b),
        other => Err(Failure::msg(format!(
            "`{text}` is {}, not True or False",
            other.dtype()
        ))),
    }
}

/// A path: a string literal (`"x.npy"`, `'x.npy'`).
fn path_arg(text: &str) -> Result<PathBuf, Failure> {
    match constant(text) {
        Ok(Scalar::Bytes(bytes)) => Ok(path_from_bytes(bytes)),
        _ => Err(Failure::msg(format!(
            "expected a path in quotes, like \"x.npy\", not `{text}`"
        ))),
    }
}

/// A path from the bytes of a string literal (any bytes on Unix).
#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}

/// A path from the bytes of a string literal (as UTF-8, lossily).
#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&bytes).into_owned())
}

/// A shape: a count (`1000`, `1e6`) or a tuple of counts (`(3, 4)`, `(5,)`, `()`).
fn shape_arg(text: &str) -> Result<Vec<usize>, Failure> {
    let dims = match tuple_items(text) {
        Some(items) => items
            .into_iter()
            .map(count_arg)
            .collect::<Result<Vec<_>, _>>()?,
        None => vec![count_arg(text)?],
    };
    if dims.len() > vexpr::limits::MAX_DIMS {
        return Err(Failure::msg(format!(
            "{} dimensions; at most {} are supported",
            dims.len(),
            vexpr::limits::MAX_DIMS
        )));
    }
    Ok(dims)
}

/// An array of `shape` whose element `i` (in C order) is `value(i)`.
fn filled<T: vexpr::Element + Copy>(
    shape: &[usize],
    cancel: &AtomicBool,
    mut value: impl FnMut(usize) -> T,
) -> Result<Array, Failure>
where
    Array: From<ArrayD<T>>,
{
    let count = shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| Failure::msg(format!("shape {} is too large", crate::show::shape(shape))))?;
    let mut data: Vec<T> = Vec::new();
    data.try_reserve_exact(count).map_err(|_| {
        Failure::msg(format!(
            "not enough memory for {count} elements ({})",
            crate::show::memory(count.saturating_mul(size_of::<T>()))
        ))
    })?;
    let mut start = 0;
    while start < count {
        if cancel.load(Ordering::Relaxed) {
            return Err(Failure::msg("interrupted"));
        }
        let end = count.min(start.saturating_add(CHUNK));
        data.extend((start..end).map(&mut value));
        start = end;
    }
    let array = ArrayD::from_shape_vec(IxDyn(shape), data)
        .map_err(|e| Failure::msg(format!("cannot shape the array: {e}")))?;
    Ok(Array::from(array))
}

/// NumPy's `linspace`: `num` evenly spaced float64 values from `start`, up to `stop`
/// (included when `endpoint`).
fn linspace(
    start: f64,
    stop: f64,
    num: usize,
    endpoint: bool,
    cancel: &AtomicBool,
) -> Result<Array, Failure> {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let step = delta / div as f64;
    // NumPy's order of operations, so the values agree to the last bit; a zero step (tiny
    // delta) scales first instead, which keeps subnormal spacings.
    let value = |i: usize| {
        let i = i as f64;
        if div == 0 {
            start
        } else if step == 0.0 {
            i / div as f64 * delta + start
        } else {
            i * step + start
        }
    };
    let last = num.saturating_sub(1);
    filled(&[num], cancel, |i| {
        if endpoint && num > 1 && i == last {
            stop
        } else {
            value(i)
        }
    })
}

/// `arange` over whole numbers: int64 `start, start+step, ...` below `stop` (above it for a
/// negative step).
fn arange_int(start: i64, stop: i64, step: i64, cancel: &AtomicBool) -> Result<Array, Failure> {
    if step == 0 {
        return Err(Failure::msg("step must not be zero"));
    }
    let span = i128::from(stop) - i128::from(start);
    let step_wide = i128::from(step);
    let len = if (span > 0) != (step > 0) || span == 0 {
        0
    } else {
        (span.abs() + step_wide.abs() - 1) / step_wide.abs()
    };
    let len = usize::try_from(len).map_err(|_| Failure::msg("too many elements"))?;
    // Every value lies between start and stop, so it fits in int64.
    filled(&[len], cancel, |i| {
        (i128::from(start) + i as i128 * step_wide) as i64
    })
}

/// `arange` with a float argument: float64 `start + i*delta`, `ceil((stop - start)/step)`
/// values, where `delta = (start + step) - start` as NumPy computes it.
fn arange_float(start: f64, stop: f64, step: f64, cancel: &AtomicBool) -> Result<Array, Failure> {
    if step == 0.0 {
        return Err(Failure::msg("step must not be zero"));
    }
    let len = ((stop - start) / step).ceil();
    if len.is_nan() {
        return Err(Failure::msg("the length of the range is not a number"));
    }
    if len >= TWO_POW_63 {
        return Err(Failure::msg("too many elements"));
    }
    let len = if len > 0.0 { len as usize } else { 0 };
    let delta = (start + step) - start;
    filled(&[len], cancel, |i| start + i as f64 * delta)
}

/// float64 values uniform in [0, 1): splitmix64 from `seed`, the top 53 bits of each
/// output scaled by 2^-53.
pub(crate) fn uniform(shape: &[usize], seed: u64, cancel: &AtomicBool) -> Result<Array, Failure> {
    let mut state = seed;
    filled(shape, cancel, |_| {
        (splitmix64(&mut state) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    })
}

/// Vigna's splitmix64: advance `state` and return the next output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed for `random` without `seed=`: the clock, mixed with the process id.
fn clock_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut state = nanos ^ u64::from(std::process::id()).rotate_left(32);
    splitmix64(&mut state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statement::{Statement, parse};

    fn run(line: &str) -> Result<Array, String> {
        let never = AtomicBool::new(false);
        match parse(line) {
            Ok(Statement::Call { builtin, args, .. }) => {
                call(builtin, &args, &never).map_err(|f| f.to_string())
            }
            other => panic!("{line}: {other:?}"),
        }
    }

    fn f64s(line: &str) -> Vec<f64> {
        let a = run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        a.as_f64()
            .map(|v| v.iter().copied().collect())
            .unwrap_or_else(|| panic!("{line}: {a}"))
    }

    fn i64s(line: &str) -> Vec<i64> {
        let a = run(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        a.as_i64()
            .map(|v| v.iter().copied().collect())
            .unwrap_or_else(|| panic!("{line}: {a}"))
    }

    #[test]
    fn splitmix64_known_answers() {
        // Vigna's reference splitmix64.c seeded with 0: the first three outputs.
        let mut state = 0;
        let first: Vec<u64> = (0..3).map(|_| splitmix64(&mut state)).collect();
        assert_eq!(
            first,
            [
                0xE220_A839_7B1D_CDAF,
                0x6E78_9E6A_A1B9_65F4,
                0x06C4_5D18_8009_454F
            ]
        );
    }

    #[test]
    fn random_is_uniform_and_deterministic() {
        let a = f64s("random(1e4, seed=1)");
        assert_eq!(a.len(), 10_000);
        assert!(a.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert_eq!(a, f64s("random(10_000, seed=1)"));
        assert_ne!(a, f64s("random(1e4, seed=2)"));
        // The first value is the top 53 bits of splitmix64's first output for seed 1.
        let mut state = 1;
        let expect = (splitmix64(&mut state) >> 11) as f64 / 9_007_199_254_740_992.0;
        assert_eq!(a.first().copied(), Some(expect));
        let r = run("random((2, 3), seed=5)").unwrap();
        assert_eq!(r.shape(), &[2, 3]);
    }

    #[test]
    fn linspace_matches_numpy() {
        assert_eq!(f64s("linspace(0, 1, 5)"), [0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(
            f64s("linspace(0, 1, 4, endpoint=False)"),
            [0.0, 0.25, 0.5, 0.75]
        );
        assert_eq!(f64s("linspace(2, 3, 1)"), [2.0]);
        assert_eq!(f64s("linspace(2, 3, 0)"), Vec::<f64>::new());
        assert_eq!(f64s("linspace(1, -1, num=3)"), [1.0, 0.0, -1.0]);
        assert_eq!(f64s("linspace(0, 1)").len(), 50);
        // Printed by NumPy 2.4: `numpy.linspace(0, 0.3, 4).tolist()` and friends.
        assert_eq!(
            f64s("linspace(0, 0.3, 4)"),
            [0.0, 0.09999999999999999, 0.19999999999999998, 0.3]
        );
        assert_eq!(
            f64s("linspace(0.1, 0.7, 7)"),
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
        );
    }

    #[test]
    fn arange_int_and_float() {
        assert_eq!(i64s("arange(5)"), [0, 1, 2, 3, 4]);
        assert_eq!(i64s("arange(2, 11, 3)"), [2, 5, 8]);
        assert_eq!(i64s("arange(5, 0, -2)"), [5, 3, 1]);
        assert_eq!(i64s("arange(5, 5)"), Vec::<i64>::new());
        assert_eq!(i64s("arange(0, 5, -1)"), Vec::<i64>::new());
        assert_eq!(f64s("arange(0, 1, 0.25)"), [0.0, 0.25, 0.5, 0.75]);
        assert_eq!(f64s("arange(3.0)"), [0.0, 1.0, 2.0]);
        assert_eq!(f64s("arange(1, 2.5)"), [1.0, 2.0]);
        // `numpy.arange(0.1, 1.0, 0.3).tolist()`.
        assert_eq!(
            f64s("arange(0.1, 1.0, 0.3)"),
            [0.1, 0.4, 0.7000000000000001]
        );
        assert!(
            run("arange(1, 2, 0)")
                .unwrap_err()
                .contains("step must not be zero")
        );
    }

    #[test]
    fn zeros_ones_and_shapes() {
        assert_eq!(f64s("zeros(3)"), [0.0; 3]);
        assert_eq!(f64s("ones((2, 2))"), [1.0; 4]);
        assert_eq!(run("ones((2, 0, 3))").unwrap().shape(), &[2, 0, 3]);
        assert_eq!(run("zeros(())").unwrap().shape(), &[] as &[usize]);
        assert_eq!(run("zeros(shape=(4,))").unwrap().shape(), &[4]);
    }

    #[test]
    fn argument_errors() {
        let cases = [
            (
                "zeros(1.5)",
                "error: zeros: `1.5` is not a whole number >= 0",
            ),
            ("zeros(-1)", "error: zeros: `-1` is not a whole number >= 0"),
            ("zeros()", "error: zeros: missing argument `shape`"),
            ("zeros(1, 2)", "error: zeros: takes at most 1 argument"),
            ("zeros(size=3)", "error: zeros: unknown argument `size`"),
            (
                "random(3, seed=1, seed=2)",
                "error: random: `seed` is given twice",
            ),
            (
                "linspace(num=3, 0, 1)",
                "error: linspace: a positional argument follows a keyword argument",
            ),
            (
                "linspace(0, 'a')",
                "error: linspace: `'a'` is S1, not a real number",
            ),
            (
                "load(x.npy)",
                "error: load: expected a path in quotes, like \"x.npy\", not `x.npy`",
            ),
            (
                "zeros(1e30)",
                "error: zeros: `1e30` is not a whole number >= 0",
            ),
        ];
        for (line, expect) in cases {
            assert_eq!(run(line).unwrap_err(), expect, "{line}");
        }
        let huge = run("zeros((1e9, 1e9, 1e9))").unwrap_err();
        assert!(huge.contains("too large"), "{huge}");
        let much = run("zeros(1e15)").unwrap_err();
        assert!(much.contains("not enough memory"), "{much}");
        let deep = run(&format!("zeros(({}))", "1,".repeat(33))).unwrap_err();
        assert!(deep.contains("33 dimensions"), "{deep}");
    }

    #[test]
    fn cancel_stops_filling() {
        let stop = AtomicBool::new(true);
        let e = uniform(&[CHUNK * 2], 1, &stop).err().map(|f| f.to_string());
        assert_eq!(e.as_deref(), Some("error: interrupted"));
    }

    #[test]
    fn save_arguments() {
        let Ok(Statement::Save(args)) = parse("save(a * 2, path='out dir/x.npy')") else {
            panic!()
        };
        let (value, path) = save_args(&args).map_err(|f| f.to_string()).unwrap();
        assert_eq!((value, path), ("a * 2", PathBuf::from("out dir/x.npy")));
    }
}
