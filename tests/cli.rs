//! The `vexpr` binary's one-shot commands (`eval`, `dis`, `demo`), run as a separate process.
//!
//! Expected values are stated by hand from the language spec and from the NumPy-written
//! fixtures in `tests/data/npy/` (their values are listed in `scripts/gen_npy_fixtures.py`);
//! byte-exact comparisons are against files written by `numpy.save`, and printed arrays
//! against NumPy's `repr` of the same values.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use num_complex::Complex64;
use vexpr::{Array, BytesArray, Scalar, npy};

/// A fixture written by NumPy.
fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/npy")
        .join(path)
}

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// Run `vexpr` with `args` and no standard input.
fn vexpr<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_vexpr"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run vexpr")
}

/// Run `vexpr` with `args`, no standard input, and one environment variable set.
fn with_env<const N: usize>(args: [&str; N], (name, value): (&str, &str)) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vexpr"))
        .args(args)
        .env(name, value)
        .stdin(Stdio::null())
        .output()
        .expect("run vexpr")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn owned<I, S>(args: I) -> Vec<OsString>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    args.into_iter().map(|a| a.as_ref().to_owned()).collect()
}

/// Run, require success, and return stdout.
fn ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args = owned(args);
    let out = vexpr(&args);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}):\n{}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Run, require exit status 1 with an `error` message and nothing on stdout; return stderr.
fn fails<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args = owned(args);
    let out = vexpr(&args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(err.starts_with("error"), "{args:?}: {err}");
    assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    err
}

/// `name=<path>`.
fn bind(name: &str, path: &Path) -> String {
    format!("{name}={}", path.display())
}

/// Evaluate `expr` with `bindings` into `dir/out.npy` (printing nothing) and read it back.
fn eval_to_file(dir: &Path, expr: &str, bindings: &[String]) -> Array {
    let out = dir.join("out.npy");
    let _ = std::fs::remove_file(&out);
    let mut args = vec!["eval".to_string(), expr.to_string()];
    args.extend(bindings.iter().cloned());
    args.extend(["-o".to_string(), out.display().to_string()]);
    assert_eq!(ok(&args), "", "{args:?} printed with -o");
    npy::read(&out).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Equal dtype, shape and elements, floats compared bit for bit (so NaN and -0.0 count).
fn same(a: &Array, b: &Array) -> bool {
    fn bits<T: Copy, B: PartialEq>(x: &ArrayD<T>, y: &ArrayD<T>, key: impl Fn(T) -> B) -> bool {
        x.shape() == y.shape() && x.iter().zip(y.iter()).all(|(&p, &q)| key(p) == key(q))
    }
    match (a, b) {
        (Array::Float32(x), Array::Float32(y)) => bits(x, y, f32::to_bits),
        (Array::Float64(x), Array::Float64(y)) => bits(x, y, f64::to_bits),
        (Array::Complex128(x), Array::Complex128(y)) => {
            bits(x, y, |z: Complex64| (z.re.to_bits(), z.im.to_bits()))
        }
        _ => a == b,
    }
}

fn array<T: vexpr::Element>(shape: &[usize], values: Vec<T>) -> Array {
    Array::from(ArrayD::from_shape_vec(IxDyn(shape), values).expect("shape"))
}

#[test]
fn eval_prints_numpy_repr_dtype_and_shape() {
    assert_eq!(
        ok(["eval", "a*2 + 1", "a=3"]),
        "array(7, dtype=int32)\ndtype=int32 shape=()\n"
    );
    // int32 arithmetic wraps: [-2**31, 2**31-1, 1] * 2 -> [0, -2, 2].
    assert_eq!(
        ok(["eval", "x * 2", &bind("x", &fixture("read/int32.npy"))]),
        "array([ 0, -2,  2], dtype=int32)\ndtype=int32 shape=(3,)\n"
    );
    // numpy.arange(2000.0): summarised, as NumPy prints it.
    let dir = scratch("repr");
    let big = dir.join("big.npy");
    npy::write(&big, &array(&[2000], (0..2000).map(f64::from).collect())).unwrap();
    assert_eq!(
        ok(["eval", "x + 0", &bind("x", &big)]),
        "array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n       \
         1.999e+03], shape=(2000,))\ndtype=float64 shape=(2000,)\n"
    );
}

/// Every dtype NumPy writes that vexpr reads, in both byte orders where it matters, with
/// the values `scripts/gen_npy_fixtures.py` wrote, widened as the spec says.
fn every_dtype() -> Vec<(String, Array)> {
    let c = Complex64::new;
    let f16_third = 0.333_251_95_f32; // 1/3 rounded to float16, then widened exactly
    let little: Vec<(&str, Array)> = vec![
        ("bool", array(&[3], vec![true, false, true])),
        ("int8", array(&[3], vec![-128i32, 0, 127])),
        ("uint8", array(&[3], vec![0i32, 1, 255])),
        ("int16", array(&[3], vec![-32768i32, 32767, -1])),
        ("uint16", array(&[3], vec![0i32, 65535, 1])),
        ("int32", array(&[3], vec![i32::MIN, i32::MAX, 1])),
        (
            "uint32",
            array(&[3], vec![0i64, 4_000_000_000, 4_294_967_295]),
        ),
        ("int64", array(&[3], vec![i64::MIN, i64::MAX, 42])),
        (
            "float16",
            array(
                &[10],
                vec![
                    0.0f32,
                    -0.0,
                    1.0,
                    65504.0,
                    2f32.powi(-24),
                    2f32.powi(-14),
                    f32::INFINITY,
                    f32::NEG_INFINITY,
                    f32::NAN,
                    f16_third,
                ],
            ),
        ),
        (
            "float32",
            array(
                &[5],
                vec![1.5f32, -0.0, f32::INFINITY, f32::MAX, 2f32.powi(-149)],
            ),
        ),
        (
            "float64",
            array(&[5], vec![1.5, -2.25, 1e300, 5e-324, f64::NEG_INFINITY]),
        ),
        ("complex64", array(&[2], vec![c(1.0, 2.0), c(-0.5, -1.5)])),
        (
            "complex128",
            array(&[2], vec![c(1.0, 2.0), c(-1e300, 5e-324)]),
        ),
    ];
    // float16 NaN: NumPy writes the quiet NaN 0x7e00, which widens to f32 0x7fc00000.
    let mut cases: Vec<(String, Array)> = little
        .iter()
        .map(|(name, a)| (name.to_string(), a.clone()))
        .collect();
    cases.extend(
        little
            .iter()
            .filter(|(name, _)| !["bool", "int8", "uint8"].contains(name))
            .map(|(name, a)| (format!("{name}_be"), a.clone())),
    );
    let others: [(&str, Array); 11] = [
        (
            "bytes_s5",
            Array::from(
                BytesArray::from_raw(
                    ArrayD::from_shape_vec(IxDyn(&[3, 5]), b"ab\0\0\0hello\0\0\0\0\0".to_vec())
                        .unwrap(),
                )
                .unwrap(),
            ),
        ),
        (
            "fortran_i4_2x3",
            array(&[2, 3], (0..6).collect::<Vec<i32>>()),
        ),
        (
            "fortran_f8_2x3x4",
            array(&[2, 3, 4], (0..24).map(f64::from).collect()),
        ),
        (
            "fortran_bytes_2x3",
            Array::from(
                BytesArray::from_items(["a", "bc", "def", "gh", "", "i"], &[2, 3]).unwrap(),
            ),
        ),
        (
            "c_f4_2x3x4",
            array(&[2, 3, 4], (0..24u8).map(f32::from).collect()),
        ),
        ("scalar_f8", Array::from_scalar(Scalar::Float64(2.5))),
        ("scalar_i2_be", Array::from_scalar(Scalar::Int32(-7))),
        ("empty_f8", array::<f64>(&[0], vec![])),
        ("empty_i4_2x0x3", array::<i32>(&[2, 0, 3], vec![])),
        ("v2_i8", array(&[3], vec![1i64, 2, 3])),
        ("v3_f8", array(&[2], vec![1.0, -1.0])),
    ];
    cases.extend(others.into_iter().map(|(name, a)| (name.to_string(), a)));
    cases
}

#[test]
fn npy_round_trips_for_every_dtype() {
    let dir = scratch("round-trips");
    for (name, expect) in every_dtype() {
        let input = fixture(&format!("read/{name}.npy"));
        for expr in ["copy(x)", "x"] {
            let got = eval_to_file(&dir, expr, &[bind("x", &input)]);
            assert!(
                same(&got, &expect),
                "{name} {expr}: got {got}, expected {expect}"
            );
        }
    }
}

#[test]
fn written_files_are_byte_identical_to_numpy_save() {
    let dir = scratch("bytes");
    for name in [
        "b1_100", "b1_4", "c16_2", "f4_2x2x2", "f8_3", "f8_empty", "i4_2x3", "i8_0d", "i8_2x0",
        "s3_2",
    ] {
        let numpy = fixture(&format!("saved/{name}.npy"));
        eval_to_file(&dir, "x", &[bind("x", &numpy)]);
        let ours = std::fs::read(dir.join("out.npy")).unwrap();
        assert_eq!(ours, std::fs::read(&numpy).unwrap(), "{name}");
    }
}

#[test]
fn inputs_written_by_the_binary_read_back() {
    let dir = scratch("own-inputs");
    let input = dir.join("in.npy");
    // A literal written to a file, then read as a variable.
    ok(["eval", "x", "x=2.5", "-o", &input.display().to_string()]);
    let got = eval_to_file(&dir, "x * 2", &[bind("x", &input)]);
    assert_eq!(got, Array::from_scalar(Scalar::Float64(5.0)));
    // A full reduction writes a 0-d array.
    let got = eval_to_file(&dir, "sum(x)", &[bind("x", &fixture("read/v2_i8.npy"))]);
    assert_eq!(got, Array::from_scalar(Scalar::Int64(6)));
    // A Fortran-order input with a reduction along an axis: [[0, 1, 2], [3, 4, 5]].
    let got = eval_to_file(
        &dir,
        "sum(x, axis=0)",
        &[bind("x", &fixture("read/fortran_i4_2x3.npy"))],
    );
    assert_eq!(got, array(&[3], vec![3i32, 5, 7]));
}

/// `-o` onto something that is not a regular file writes through it: renaming the mapped
/// result over `/dev/null` (as root) once turned it into a plain file that every later
/// `> /dev/null` appended to and every reader of it read back.
#[cfg(unix)]
#[test]
fn output_onto_a_device_or_a_link_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let a = bind("a", &fixture("read/v2_i8.npy"));
    assert_eq!(ok(["eval", "a * 2", &a, "-o", "/dev/null"]), "");
    let null = std::fs::symlink_metadata("/dev/null").expect("/dev/null");
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    assert!(!std::path::Path::new("/dev").read_dir().unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".vexpr-tmp")
    }));

    let dir = scratch("through-link");
    let target = dir.join("target.npy");
    let link = dir.join("link.npy");
    std::fs::write(&target, b"old").unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    ok(["eval", "a * 2", &a, "-o", &link.display().to_string()]);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let want = npy::read(fixture("read/v2_i8.npy")).unwrap();
    let Array::Int64(want) = want else {
        panic!("v2_i8 is int64")
    };
    assert_eq!(npy::read(&target).unwrap(), Array::Int64(want * 2));
}

#[test]
fn literal_values_are_typed_like_literals_of_the_language() {
    let dir = scratch("literals");
    let c = Complex64::new;
    let cases = [
        ("2.5", Scalar::Float64(2.5)),
        ("3", Scalar::Int32(3)),
        ("-4", Scalar::Int32(-4)),
        ("3000000000", Scalar::Int64(3_000_000_000)),
        ("1e3", Scalar::Float64(1000.0)),
        ("0x10", Scalar::Int32(16)),
        ("true", Scalar::Bool(true)),
        ("false", Scalar::Bool(false)),
        ("True", Scalar::Bool(true)),
        ("False", Scalar::Bool(false)),
        ("1+2j", Scalar::Complex128(c(1.0, 2.0))),
        ("-1.5j", Scalar::Complex128(c(-0.0, -1.5))),
        ("'abc'", Scalar::Bytes(b"abc".to_vec())),
    ];
    for (literal, expect) in cases {
        let got = eval_to_file(&dir, "x", &[format!("x={literal}")]);
        assert_eq!(got.to_scalar(), Some(expect.clone()), "{literal}");
        assert_eq!(got.ndim(), 0, "{literal}");
    }
    // Literals mix with files: int32 + float64 -> float64.
    let got = eval_to_file(
        &dir,
        "x + k",
        &["k=1".into(), bind("x", &fixture("read/v3_f8.npy"))],
    );
    assert_eq!(got, array(&[2], vec![2.0, 0.0]));
}

#[test]
fn options_before_after_and_double_dash() {
    let dir = scratch("options");
    let out = dir.join("o.npy");
    let o = out.display().to_string();
    let a = bind("a", &fixture("read/v3_f8.npy")); // [1.0, -1.0]
    // -a+b and b-a are both [1.0, 3.0].
    let arrangements: [&[&str]; 4] = [
        &["eval", "-o", &o, "--threads", "1", "--", "-a+b", &a, "b=2"],
        &["eval", "--threads=2", "b-a", "-o", &o, &a, "b=2"],
        &["eval", "b - a", &a, "--threads", "2", "b=2", "--out", &o],
        &["eval", "b-a", &a, "b=2", "-o", &o],
    ];
    for args in arrangements {
        let _ = std::fs::remove_file(&out);
        assert_eq!(ok(args), "", "{args:?}");
        assert_eq!(
            npy::read(&out).unwrap(),
            array(&[2], vec![1.0, 3.0]),
            "{args:?}"
        );
    }
    // An expression starting with `-` must come after `--`.
    let err = fails(["eval", "-a", "a=1"]);
    assert!(err.contains("'-a'"), "{err}");
    // After `--`, `-o` is a positional argument, not an option.
    let err = fails(["eval", "--", "a", "a=1", "-o", &o]);
    assert!(err.contains("`-o` is not NAME=VALUE"), "{err}");
}

#[test]
fn threads_option() {
    for n in ["1", "2", "7"] {
        assert_eq!(
            ok(["eval", "--threads", n, "x + 1", "x=1"]),
            "array(2, dtype=int32)\ndtype=int32 shape=()\n"
        );
    }
    for bad in ["0", "-1", "two", "1025", ""] {
        let err = fails(["eval", "x", "x=1", "--threads", bad]);
        // clap reads `-1` as an unknown option rather than a value.
        assert!(
            err.contains("--threads") || err.contains("'-1'"),
            "{bad}: {err}"
        );
    }
}

/// The `time:` line: `time: median_s=<f> min_s=<f> max_s=<f> runs=<R>`; returns the floats.
fn time_line(line: &str, runs: u64) -> [f64; 3] {
    let fields = line
        .strip_prefix("time: ")
        .unwrap_or_else(|| panic!("{line}"));
    let pairs: Vec<(&str, &str)> = fields
        .split(' ')
        .map(|f| f.split_once('=').unwrap_or_else(|| panic!("{line}")))
        .collect();
    let keys: Vec<&str> = pairs.iter().map(|p| p.0).collect();
    assert_eq!(keys, ["median_s", "min_s", "max_s", "runs"], "{line}");
    assert_eq!(pairs[3].1, runs.to_string(), "{line}");
    let seconds = [pairs[0].1, pairs[1].1, pairs[2].1].map(|v| {
        // A plain decimal number, as `{}` or `{:.9}` prints it.
        assert!(
            !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'),
            "{line}"
        );
        v.parse::<f64>().unwrap_or_else(|_| panic!("{line}"))
    });
    let [median, min, max] = seconds;
    assert!(min <= median && median <= max, "{line}");
    seconds
}

#[test]
fn time_option_ends_with_the_time_line() {
    let a = bind("a", &fixture("read/float64.npy"));
    for runs in [1u64, 4] {
        let out = ok(["eval", "--time", &runs.to_string(), "a * 2", &a]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "{out:?}");
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].starts_with("array(["), "{out}");
        assert_eq!(lines[1], "dtype=float64 shape=(5,)");
        time_line(lines[2], runs);
    }
    // With -o, the time line is all that is printed.
    let dir = scratch("time");
    let o = dir.join("t.npy").display().to_string();
    let out = ok(["eval", "a + 1", &a, "-o", &o, "--time", "3"]);
    assert_eq!(out.lines().count(), 1, "{out}");
    time_line(out.trim_end(), 3);
    for bad in ["0", "x"] {
        let err = fails(["eval", "a", &a, "--time", bad]);
        assert!(err.contains("at least 1"), "{bad}: {err}");
        assert!(!err.contains("18446744073709551615"), "{bad}: {err}");
    }
    fails(["eval", "a", &a, "--time", "-2"]);
    let err = fails(["eval", "a", &a, "--threads", "0"]);
    assert!(err.contains("from 1 to 1024"), "{err}");
}

#[test]
fn expression_errors_have_carets_and_status_1() {
    let err = fails(["eval", "a + q", "a=1"]);
    assert_eq!(err, "error: unknown variable `q`\n  a + q\n      ^\n");
    let err = fails(["eval", "a +", "a=1"]);
    assert!(err.contains("\n  a +\n     ^"), "{err}");
    // complex128 has no `<` (spec, Types).
    let err = fails(["eval", "a < b", "a=1j", "b=2j"]);
    assert!(err.contains('^'), "{err}");
    // Shapes (2, 3) and (5,) do not broadcast.
    let err = fails([
        "eval",
        "a + b",
        &bind("a", &fixture("read/fortran_i4_2x3.npy")),
        &bind("b", &fixture("read/float64.npy")),
    ]);
    assert!(err.contains("(2,3)") && err.contains("(5,)"), "{err}");
    // A bad literal VALUE names its variable.
    let err = fails(["eval", "x", "x=1+"]);
    assert!(err.starts_with("error: variable `x`: "), "{err}");
    // Names: not an identifier, given twice, not NAME=VALUE.
    fails(["eval", "x", "1x=1"]);
    fails(["eval", "x", "True=1"]);
    let err = fails(["eval", "x", "x=1", "x=2"]);
    assert_eq!(err, "error: variable `x` is given more than once\n");
    fails(["eval", "x", "x"]);
}

#[test]
fn unreadable_and_malformed_files_are_clean_errors() {
    let dir = scratch("malformed");
    let good = std::fs::read(fixture("saved/f8_3.npy")).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("empty.npy".into(), vec![]),
        (
            "garbage.npy".into(),
            b"this is not a numpy file at all".to_vec(),
        ),
        ("truncated.npy".into(), good[..good.len() - 4].to_vec()),
        ("header_only.npy".into(), good[..20].to_vec()),
    ];
    let mut bad_magic = good.clone();
    bad_magic[5] = b'X';
    files.push(("magic.npy".into(), bad_magic));
    let mut bad_header = good.clone();
    if let Some(p) = bad_header.iter().position(|&b| b == b'<') {
        bad_header[p] = b'?';
    }
    files.push(("descr.npy".into(), bad_header));
    for (name, bytes) in &files {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = fails(["eval", "x", &bind("x", &path)]);
        assert!(err.contains(name.as_str()), "{name}: {err}");
    }
    // Dtypes vexpr refuses, each written by NumPy.
    for name in ["unicode", "object", "structured", "datetime", "longdouble"] {
        let path = fixture(&format!("unsupported/{name}.npy"));
        let err = fails(["eval", "x", &bind("x", &path)]);
        assert!(err.contains(&format!("{name}.npy")), "{name}: {err}");
    }
    // uint64 is refused too (its values do not all fit int64), with the flag that reads it.
    let err = fails(["eval", "x", &bind("x", &fixture("read/uint64.npy"))]);
    assert!(
        err.contains("uint64.npy") && err.contains("--wrap-uint64"),
        "{err}"
    );
    assert!(!err.contains("ReadOptions"), "{err}");
    // Missing files and directories, whether or not they end in .npy.
    for path in ["missing.npy", "no/such/dir/x", "./missing"] {
        let err = fails(["eval", "x", &format!("x={path}")]);
        assert!(err.contains(path), "{path}: {err}");
    }
    let err = fails(["eval", "x", &format!("x={}/", dir.display())]);
    assert!(err.contains("x`"), "{err}");
    // An output file that cannot be created.
    let err = fails([
        "eval",
        "1",
        "-o",
        &dir.join("no/such/o.npy").display().to_string(),
    ]);
    assert!(err.contains("o.npy"), "{err}");
}

#[test]
fn reductions_inside_expressions_evaluate_and_disassemble_in_phases() {
    let dir = scratch("reductions");
    let x = dir.join("x.npy");
    npy::write(&x, &array(&[4], vec![1.0, 2.0, 3.0, 6.0])).unwrap();
    // Exact in binary: (x - 1) / 5 and x - 3.
    let got = eval_to_file(&dir, "(x - min(x)) / (max(x) - min(x))", &[bind("x", &x)]);
    assert!(
        same(&got, &array(&[4], vec![0.0, 0.2, 0.4, 1.0])),
        "{got:?}"
    );
    let got = eval_to_file(&dir, "x - mean(x)", &[bind("x", &x)]);
    assert!(
        same(&got, &array(&[4], vec![-2.0, -1.0, 0.0, 3.0])),
        "{got:?}"
    );
    let out = ok(["eval", "var(x, ddof=1)", &bind("x", &x)]);
    assert!(out.starts_with("array(4.66666667)"), "{out}");
    let out = ok(["dis", "x - mean(x)", "x:f64"]);
    assert!(out.starts_with("; phases: 2"), "{out}");
    assert!(out.contains("; phase 0 -> %0"), "{out}");
    assert!(out.contains("sum.f64"), "{out}");
    assert!(out.contains("div.f64"), "{out}");
    assert!(out.contains("%n0: float64"), "{out}");
    let err = fails(["eval", "x + min(x, axis=1)", &bind("x", &x)]);
    assert!(err.contains("axis 1 is out of bounds"), "{err}");
}

#[test]
fn dis_prints_bytecode_typed_by_the_values() {
    let out = ok([
        "dis",
        "a*b + 1",
        "a=1.5",
        &bind("b", &fixture("read/float64.npy")),
    ]);
    assert!(out.contains("mul.f64"), "{out}");
    assert!(!out.ends_with("\n\n"), "{out:?}");
    let out = ok(["dis", "a*b", "a=1", "b=2"]);
    assert!(out.contains("mul.i32"), "{out}");
    let out = ok(["dis", "a*b", "a=1", "b=3000000000"]);
    assert!(out.contains("mul.i64"), "{out}");
    // A name without a value or type is float64 (int32 + float64 is float64).
    let out = ok(["dis", "a + q", "a=1"]);
    assert!(out.contains("add.f64"), "{out}");
    assert!(out.contains("q: float64"), "{out}");
    let out = ok(["dis", "sin(a)"]);
    assert!(out.contains("sin.f64"), "{out}");
    // NAME:TYPE, in NumPy's and Rust's spellings.
    let out = ok(["dis", "a*b", "a:f32", "b:int32"]);
    assert!(out.contains("mul.f32"), "{out}");
    let out = ok(["dis", "where(c, a, b)", "c:bool", "a:i8", "b:<i8"]);
    assert!(out.contains("a: int64, b: int64"), "{out}");
    let err = fails(["dis", "a", "a:f16"]);
    assert!(err.contains("`f16` is not a dtype"), "{err}");
    let err = fails(["dis", "a", "a"]);
    assert!(err.contains("neither NAME:TYPE"), "{err}");
    // Only the header of a file is read: a file whose data is cut short still types.
    let dir = scratch("dis");
    let good = std::fs::read(fixture("saved/f8_3.npy")).unwrap();
    let cut = dir.join("cut.npy");
    std::fs::write(&cut, &good[..good.len() - 8]).unwrap();
    let out = ok(["dis", "x * 2", &bind("x", &cut)]);
    assert!(out.contains("mul.f64"), "{out}");
    fails(["dis"]);
}

#[test]
fn demo_runs_every_expression() {
    let out = ok(["demo", "--n", "1000"]);
    for expr in [
        "a**2 + b**2 + 2*a*b",
        "sin(a)**2 + cos(b)**2",
        "exp(-a) * log1p(b)",
        "where(a > 0.5, a, b)",
        "sum(a*b)",
    ] {
        assert!(out.lines().any(|l| l == expr), "{expr}:\n{out}");
    }
    assert_eq!(out.matches("M elements/s").count(), 5, "{out}");
    assert_eq!(
        out.matches("dtype=float64 shape=(1000,)").count(),
        4,
        "{out}"
    );
    assert_eq!(out.matches("dtype=float64 shape=()").count(), 1, "{out}");
    fails(["demo", "--n", "0"]);
    fails(["demo", "--n", "many"]);
}

#[test]
fn uint64_is_read_with_the_flag() {
    // The fixture holds [0, 2**64 - 1, 2**63] (scripts/gen_npy_fixtures.py): wrapped,
    // 0, -1 and -2**63, as NumPy's astype(np.int64) gives.
    let u = bind("x", &fixture("read/uint64.npy"));
    let out = ok(["eval", "--wrap-uint64", "x", &u]);
    assert!(
        out.contains("0,                   -1, -9223372036854775808]"),
        "{out}"
    );
    assert!(out.contains("dtype=int64"), "{out}");
    let out = ok(["dis", "--wrap-uint64", "x + 1", &u]);
    assert!(out.contains("add.i64"), "{out}");
}

#[test]
fn only_the_files_the_expression_uses_are_read() {
    let dir = scratch("unused");
    let u = bind("u", &fixture("read/uint64.npy"));
    let missing = dir.join("missing.npy");
    let out = vexpr(["eval", "a * 2", "a=3", &u, &bind("m", &missing), "n=nope"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // `n=nope` is an argument error before anything is read.
    assert!(err.contains("the file `nope` does not exist"), "{err}");
    let out = vexpr(["eval", "a * 2", "a=3", &u, &bind("m", &missing)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(
        text(&out.stdout),
        "array(6, dtype=int32)\ndtype=int32 shape=()\n"
    );
    assert!(
        err.contains("warning: `u=") && err.contains("uint64.npy` is not used"),
        "{err}"
    );
    assert!(err.contains("missing.npy` is not used"), "{err}");
    // Used, the same files are the errors.
    let err = fails(["eval", "a * m", "a=3", &bind("m", &missing)]);
    assert!(
        err.starts_with("error: variable `m`: ") && err.contains("missing.npy"),
        "{err}"
    );
}

#[test]
fn a_value_that_is_neither_file_nor_literal_is_a_missing_file() {
    let err = fails(["eval", "a", "a=nope"]);
    assert!(
        err.starts_with("error: variable `a`: the file `nope` does not exist"),
        "{err}"
    );
    let err = fails(["eval", "a", "a=data.bin"]);
    assert!(err.contains("the file `data.bin` does not exist"), "{err}");
}

#[test]
fn demo_takes_threads() {
    let out = ok(["demo", "--n", "1000", "--threads", "1"]);
    assert!(
        out.lines()
            .next()
            .is_some_and(|l| l.ends_with(", 1 threads")),
        "{out}"
    );
    fails(["demo", "--threads", "0"]);
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef vexpr"),
        ("fish", "complete -c vexpr"),
    ] {
        let script = ok(["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        for word in ["eval", "dis", "demo", "threads", "wrap-uint64"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    let err = fails(["completions", "tcsh"]);
    assert!(err.contains("tcsh"), "{err}");
}

/// A `.npy` file of `n` float64 values `i * 0.001 - 7`.
fn big_f64(path: &Path, n: usize) {
    let values: Vec<f64> = (0..n).map(|i| i as f64 * 0.001 - 7.0).collect();
    npy::write(path, &array(&[n], values)).unwrap();
}

/// Run `vexpr args` and return its exit status, stderr and peak resident memory in KiB.
///
/// The peak is the child's `VmHWM`, polled from `/proc` while it runs: `ru_maxrss` would
/// count this test process's memory too (Linux keeps the high-water mark across `exec`).
#[cfg(target_os = "linux")]
fn run_measured(args: &[String]) -> (Option<i32>, String, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vexpr"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vexpr");
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let status = loop {
        let hwm = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmHWM:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0);
        peak = peak.max(hwm);
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut err).expect("read stderr");
    }
    (status.code(), err, peak)
}

#[cfg(target_os = "linux")]
#[test]
fn mapped_files_stream_through_a_few_mib_and_match_the_in_memory_results() {
    // 64 MiB in, 64 MiB out: read whole and held whole, the run would peak above 128 MiB.
    let dir = scratch("mapped");
    let n = 8 << 20;
    let r = dir.join("r.npy");
    big_f64(&r, n);
    let out = dir.join("out.npy");
    let args = |expr: &str| -> Vec<String> {
        vec![
            "eval".into(),
            expr.into(),
            bind("r", &r),
            "s=0.5".into(),
            "-o".into(),
            out.display().to_string(),
        ]
    };
    let (code, err, rss_kib) = run_measured(&args("r * 2 + s"));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        rss_kib < 48 << 10,
        "peak RSS {rss_kib} KiB for a 64 MiB file"
    );
    // The same values as the library computes from the file read whole.
    let input = npy::read(&r).unwrap();
    let vars = vexpr::Vars::new().with("r", &input).with("s", 0.5);
    for expr in [
        "r * 2 + s",
        "sum(r * s)",
        "sum(r)",
        "max(r)",
        "any(r > s)",
        "min(r, axis=0)",
    ] {
        let (code, err, rss_kib) = run_measured(&args(expr));
        assert_eq!(code, Some(0), "{expr}: {err}");
        assert!(rss_kib < 48 << 10, "{expr}: peak RSS {rss_kib} KiB");
        let want = vexpr::evaluate(expr, &vars).unwrap();
        let got = npy::read(&out).unwrap();
        assert!(same(&got, &want), "{expr}: {got} != {want}");
    }
    // Along an axis, and a Fortran-order file: as the library computes them in memory.
    let m = dir.join("m.npy");
    let matrix = Array::from(
        ArrayD::from_shape_vec(
            IxDyn(&[3000, 700]).f(),
            (0..2_100_000).map(|i| (i % 977) as f64 - 488.5).collect(),
        )
        .unwrap(),
    );
    npy::write(&m, &matrix).unwrap();
    let vars = vexpr::Vars::new().with("m", &matrix);
    for expr in ["sum(m, axis=0)", "sum(m * 0.5, axis=1)", "m - 1"] {
        let got = eval_to_file(&dir, expr, &[bind("m", &m)]);
        let want = vexpr::evaluate(expr, &vars).unwrap();
        assert!(same(&got, &want), "{expr}");
    }
    // A failed evaluation leaves no output file (and no temporary one).
    let _ = std::fs::remove_file(&out);
    fails([
        "eval",
        "r + q",
        &bind("r", &r),
        "q=1",
        "-o",
        &out.display().to_string(),
        "--threads",
        "0",
    ]);
    assert!(!out.exists());
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_string_lossy().contains("vexpr-tmp")),
        "{names:?}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_during_eval_time_says_cancelled_and_exits_130() {
    let dir = scratch("cancel");
    let r = dir.join("r.npy");
    big_f64(&r, 1 << 20);
    let child = Command::new(env!("CARGO_BIN_EXE_vexpr"))
        .args([
            "eval",
            "--time",
            "1000000",
            "sum(sin(r) * cos(r))",
            &bind("r", &r),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run vexpr");
    // Wait until it is evaluating (it has used CPU time: the handler is installed before the
    // first evaluation), and a little more, even on a loaded machine.
    let stat = format!("/proc/{}/stat", child.id());
    let cpu_ticks = || {
        std::fs::read_to_string(&stat)
            .ok()
            .and_then(|s| {
                let after_name = s.rsplit_once(')')?.1.to_string();
                after_name.split_whitespace().nth(11)?.parse::<u64>().ok()
            })
            .unwrap_or(0)
    };
    let start = std::time::Instant::now();
    while cpu_ticks() < 30 && start.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: sending a signal to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().expect("wait");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert_eq!(err, "error: the evaluation was cancelled\n");
    // Not a terminal: no progress bar, though the run took over a second.
    assert!(!err.contains('\r'));
    assert!(out.stdout.is_empty());
}

#[test]
fn help_and_version() {
    let help = ok(["--help"]);
    for word in ["Usage:", "eval", "dis", "demo", "REPL"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    let help = ok(["eval", "--help"]);
    for word in ["NAME=VALUE", "--threads", "--time", "-o", "--"] {
        assert!(help.contains(word), "{word}: {help}");
    }
    assert!(ok(["help", "dis"]).contains("bytecode"));
    assert!(ok(["demo", "-h"]).contains("--n"));
    assert_eq!(
        ok(["--version"]),
        format!("vexpr {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn garbage_arguments_never_panic() {
    let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    // One argument may hold at most 128 KiB on Linux.
    let long = "a+".repeat(30_000) + "a";
    let cases: Vec<Vec<OsString>> = vec![
        owned(["eval"]),
        owned(["eval", ""]),
        owned(["eval", "((((((", "a=1"]),
        owned(["eval", &deep, "a=1"]),
        owned(["eval", &long, "a=1"]),
        owned(["eval", "a", "a="]),
        owned(["eval", "a", "=1"]),
        owned(["eval", "a", "a==1"]),
        owned(["eval", "a", "a=/"]),
        owned(["eval", "a", "a=.npy"]),
        owned(["eval", "a", "a=/dev/null"]),
        owned(["eval", "a", "a=1e400"]),
        owned(["eval", "a", "a=99999999999999999999999"]),
        owned(["eval", "\u{1}", "é=1"]),
        owned(["eval", "a ** -1", "a=2"]),
        owned(["eval", "a // 0", "a=1"]),
        owned(["eval", "sum(a, axis=5)", "a=1"]),
        owned(["eval", "--time", "99999999999999999999999", "a", "a=1"]),
        owned(["eval", "-o", "", "1"]),
        owned(["eval", "-o"]),
        owned(["dis", "", "x"]),
        owned(["demo", "--n", "-1"]),
        owned(["demo", "--n", "18446744073709551615"]),
        owned(["--nonsense"]),
        owned(["evaluate", "1"]),
        owned(["-"]),
        owned(["--"]),
        owned(["eval", "--", "--"]),
    ];
    let mut all = cases;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        all.push(vec![
            "eval".into(),
            OsString::from_vec(vec![0xff, 0xfe, b'a']),
            "a=1".into(),
        ]);
        all.push(vec![
            "eval".into(),
            "a".into(),
            OsString::from_vec(b"a=\xff.npy".to_vec()),
        ]);
    }
    for args in all {
        let out = vexpr(&args);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{args:?}: {code:?}\n{}",
            text(&out.stderr)
        );
        if code == Some(1) {
            assert!(
                text(&out.stderr).starts_with("error"),
                "{args:?}: {}",
                text(&out.stderr)
            );
        }
    }
}

/// `--jit` (or `VEXPR_JIT`) says when the native tier compiles: `dis` shows the segments and
/// the mode, and every mode gives the same bits.
#[test]
fn jit_is_a_flag_and_an_environment_variable() {
    let dir = scratch("jit");
    let x: Vec<f64> = (0..5000).map(|k| f64::from(k) * 0.37 - 900.0).collect();
    let path = dir.join("x.npy");
    npy::write(&path, &Array::from(ndarray::Array1::from(x))).unwrap();
    let bind = format!("x={}", path.display());

    let listing = ok(["dis", "x*x + 2*x - 1", "--jit", "always"]);
    let native = cfg!(feature = "jit");
    if native {
        assert!(
            listing.contains("; native segments: 1 (always: native from the first run)"),
            "{listing}"
        );
        assert!(listing.contains("; native 0"), "{listing}");
    } else {
        assert!(
            listing.contains("this build has no native tier"),
            "{listing}"
        );
    }
    let out = with_env(["dis", "x*x"], ("VEXPR_JIT", "off"));
    if native {
        assert!(
            text(&out.stdout).contains("(off: interpreted)"),
            "{}",
            text(&out.stdout)
        );
    }
    let out = with_env(["dis", "x*x"], ("VEXPR_JIT", "sometimes"));
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains("vexpr: ignoring VEXPR_JIT=\"sometimes\""),
        "{}",
        text(&out.stderr)
    );
    let e = fails(["eval", "x", &bind, "--jit", "sometimes"]);
    assert!(e.contains("must be off, auto or always"), "{e}");

    let run = |mode: &str| {
        let out = dir.join(format!("{mode}.npy"));
        ok([
            "eval",
            "where(x > 0, x // 3.5, -x) * 1e-3 + x % 7",
            &bind,
            "-o",
            out.to_str().unwrap(),
            "--jit",
            mode,
        ]);
        let bits: Vec<u64> = npy::read(&out)
            .unwrap()
            .into_f64()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        bits
    };
    let off = run("off");
    assert_eq!(off, run("always"));
    assert_eq!(off, run("auto"));
}

/// `--precision` (or `VEXPR_PRECISION`) picks the transcendental kernels: `dis` says which,
/// and `fast` results stay within 4 ulp of `high` ones but are not all equal to them.
#[test]
fn precision_is_a_flag_and_an_environment_variable() {
    let dir = scratch("precision");
    let x: Vec<f64> = (0..4096)
        .map(|k| -20.0 + 40.0 * f64::from(k) / 4096.0)
        .collect();
    let path = dir.join("x.npy");
    npy::write(&path, &Array::from(ndarray::Array1::from(x))).unwrap();
    let bind = format!("x={}", path.display());

    let listing = ok(["dis", "sin(a)", "--precision", "fast"]);
    assert!(listing.contains("; precision: fast"), "{listing}");
    assert!(ok(["dis", "sin(a)"]).contains("; precision: high"));
    let out = with_env(["dis", "sin(a)"], ("VEXPR_PRECISION", "fast"));
    assert!(text(&out.stdout).contains("; precision: fast"));
    let out = with_env(["dis", "sin(a)"], ("VEXPR_PRECISION", "medium"));
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("; precision: high"));
    assert!(
        text(&out.stderr).contains("vexpr: ignoring VEXPR_PRECISION=\"medium\""),
        "{}",
        text(&out.stderr)
    );
    let e = fails(["eval", "sin(x)", &bind, "--precision", "low"]);
    assert!(e.contains("must be high or fast"), "{e}");

    let run = |precision: &str| {
        let out = dir.join(format!("{precision}.npy"));
        ok([
            "eval",
            "sin(x) * exp(x / 10)",
            &bind,
            "-o",
            out.to_str().unwrap(),
            "--precision",
            precision,
        ]);
        npy::read(&out).unwrap().into_f64().unwrap()
    };
    let (high, fast) = (run("high"), run("fast"));
    let mut differ = 0;
    for (h, f) in high.iter().zip(&fast) {
        // Two functions of 4 ulp each and a product: within 12 ulp of the high result.
        let ulp = h.abs().max(f64::MIN_POSITIVE) * f64::EPSILON;
        assert!((h - f).abs() <= 12.0 * ulp, "{h} vs {f}");
        differ += usize::from(h.to_bits() != f.to_bits());
    }
    assert!(
        differ > 0,
        "the fast kernels gave the high results everywhere"
    );
}
