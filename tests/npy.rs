//! `.npy` reading and writing against files written by NumPy (`scripts/gen_npy_fixtures.py`,
//! under `tests/data/npy/`) and the golden conformance corpus; expected values are stated by
//! hand. Malformed files of every kind must be clean `ErrorKind::Input` errors.

use std::path::{Path, PathBuf};

use ndarray::{Array1, ArrayD, IxDyn, arr0, arr1, arr2};
use num_complex::Complex64;
use proptest::prelude::*;
use vexpr::npy::{self, ReadOptions};
use vexpr::{Array, BytesArray, DType, ErrorKind};

fn fixture(sub: &str, name: &str) -> PathBuf {
    Path::new("tests/data/npy")
        .join(sub)
        .join(format!("{name}.npy"))
}

fn read(name: &str) -> Array {
    npy::read(fixture("read", name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A 3-d array whose element `[i, j, k]` is `12 i + 4 j + k` (NumPy's `arange(24).reshape(2, 3, 4)`).
fn arange_2x3x4<T>(f: impl Fn(u8) -> T) -> ArrayD<T> {
    ArrayD::from_shape_fn(IxDyn(&[2, 3, 4]), |ix| {
        f((12 * ix[0] + 4 * ix[1] + ix[2]) as u8)
    })
}

fn bytes(items: &[&str], shape: &[usize], itemsize: usize) -> Array {
    let mut raw = Vec::new();
    for item in items {
        let mut row = item.as_bytes().to_vec();
        row.resize(itemsize, 0);
        raw.extend(row);
    }
    let mut full = shape.to_vec();
    full.push(itemsize);
    Array::Bytes(BytesArray::from_raw(ArrayD::from_shape_vec(IxDyn(&full), raw).unwrap()).unwrap())
}

#[test]
fn integers_of_every_width_and_order_widen_exactly() {
    let i32s = |v: &[i32]| Array::from(arr1(v));
    let i64s = |v: &[i64]| Array::from(arr1(v));
    assert_eq!(read("bool"), Array::from(arr1(&[true, false, true])));
    assert_eq!(read("int8"), i32s(&[-128, 0, 127]));
    assert_eq!(read("uint8"), i32s(&[0, 1, 255]));
    for order in ["", "_be"] {
        assert_eq!(read(&format!("int16{order}")), i32s(&[-32768, 32767, -1]));
        assert_eq!(read(&format!("uint16{order}")), i32s(&[0, 65535, 1]));
        assert_eq!(
            read(&format!("int32{order}")),
            i32s(&[i32::MIN, i32::MAX, 1])
        );
        assert_eq!(
            read(&format!("uint32{order}")),
            i64s(&[0, 4_000_000_000, 4_294_967_295])
        );
        assert_eq!(
            read(&format!("int64{order}")),
            i64s(&[i64::MIN, i64::MAX, 42])
        );
    }
}

#[test]
fn uint64_is_refused_unless_wrapping_is_asked_for() {
    for order in ["", "_be"] {
        let path = fixture("read", &format!("uint64{order}"));
        let e = npy::read(&path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert!(e.message().contains("uint64 is not supported"), "{e}");
        let wrapped = npy::read_with(&path, &ReadOptions::new().wrap_uint64(true)).unwrap();
        assert_eq!(wrapped, Array::from(arr1(&[0i64, -1, i64::MIN])));
    }
}

#[test]
fn floats_of_every_width_and_order() {
    for order in ["", "_be"] {
        let half = read(&format!("float16{order}")).into_f32().unwrap();
        let expected = [
            0.0,
            -0.0,
            1.0,
            65504.0,
            2f32.powi(-24),
            2f32.powi(-14),
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        for (got, want) in half.iter().zip(expected) {
            assert_eq!(got.to_bits(), want.to_bits(), "{got} vs {want}");
        }
        assert!(half[[8]].is_nan());
        // 1/3 rounded to half precision: 0x3555 = 1365/4096.
        assert_eq!(half[[9]], 1365.0 / 4096.0);
        assert_eq!(half.len(), 10);

        let single = read(&format!("float32{order}")).into_f32().unwrap();
        let expected = [1.5, -0.0, f32::INFINITY, f32::MAX, f32::from_bits(1)];
        let got: Vec<u32> = single.iter().map(|x| x.to_bits()).collect();
        let want: Vec<u32> = expected.iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, want);

        let double = read(&format!("float64{order}"));
        assert_eq!(
            double,
            Array::from(arr1(&[1.5, -2.25, 1e300, 5e-324, f64::NEG_INFINITY]))
        );

        let c8 = read(&format!("complex64{order}"));
        assert_eq!(
            c8,
            Array::from(arr1(&[
                Complex64::new(1.0, 2.0),
                Complex64::new(-0.5, -1.5)
            ]))
        );
        let c16 = read(&format!("complex128{order}"));
        assert_eq!(
            c16,
            Array::from(arr1(&[
                Complex64::new(1.0, 2.0),
                Complex64::new(-1e300, 5e-324)
            ]))
        );
    }
}

#[test]
fn byte_strings_keep_their_width() {
    let s5 = read("bytes_s5");
    assert_eq!(s5.dtype(), DType::Bytes(5));
    assert_eq!(s5, bytes(&["ab", "hello", ""], &[3], 5));
    let f = read("fortran_bytes_2x3");
    assert_eq!(f, bytes(&["a", "bc", "def", "gh", "", "i"], &[2, 3], 3));
    assert_eq!(f.as_bytes().unwrap().get(&[1, 0]), Some(&b"gh"[..]));
}

#[test]
fn fortran_order_gives_the_logical_shape() {
    assert_eq!(
        read("fortran_i4_2x3"),
        Array::from(arr2(&[[0i32, 1, 2], [3, 4, 5]]))
    );
    assert_eq!(
        read("fortran_f8_2x3x4"),
        Array::from(arange_2x3x4(f64::from))
    );
    assert_eq!(read("c_f4_2x3x4"), Array::from(arange_2x3x4(f32::from)));
}

#[test]
fn zero_d_empty_and_later_versions() {
    assert_eq!(read("scalar_f8"), Array::from(arr0(2.5)));
    assert_eq!(read("scalar_i2_be"), Array::from(arr0(-7i32)));
    assert_eq!(
        read("empty_f8"),
        Array::from(ArrayD::<f64>::zeros(IxDyn(&[0])))
    );
    assert_eq!(
        read("empty_i4_2x0x3"),
        Array::from(ArrayD::<i32>::zeros(IxDyn(&[2, 0, 3])))
    );
    assert_eq!(read("v2_i8"), Array::from(arr1(&[1i64, 2, 3])));
    assert_eq!(read("v3_f8"), Array::from(arr1(&[1.0, -1.0])));
}

#[test]
fn unsupported_dtypes_are_named() {
    for (name, needle) in [
        ("unicode", "'<U2'"),
        ("object", "'|O'"),
        ("structured", "structured"),
        ("datetime", "'<M8[D]'"),
        ("longdouble", "'<f16'"),
    ] {
        let e = npy::read(fixture("unsupported", name)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input, "{name}");
        assert!(e.message().contains(needle), "{name}: {e}");
        assert!(e.message().contains("not supported"), "{name}: {e}");
    }
}

/// The arrays behind `tests/data/npy/saved/`, built by hand.
fn saved_arrays() -> Vec<(&'static str, Array)> {
    vec![
        ("f8_3", Array::from(arr1(&[1.5, 2.0, -3.25]))),
        ("i4_2x3", Array::from(arr2(&[[1i32, 2, 3], [4, 5, 6]]))),
        ("i8_0d", Array::from(arr0(-9i64))),
        ("b1_4", Array::from(arr1(&[true, false, false, true]))),
        (
            "c16_2",
            Array::from(arr1(&[Complex64::new(1.0, 2.0), Complex64::new(-3.5, 0.0)])),
        ),
        (
            "f4_2x2x2",
            Array::from(
                Array1::from_iter((0..8).map(|i| i as f32))
                    .into_shape_with_order((2, 2, 2))
                    .unwrap(),
            ),
        ),
        ("s3_2", bytes(&["ab", "xyz"], &[2], 3)),
        ("f8_empty", Array::from(ArrayD::<f64>::zeros(IxDyn(&[0])))),
        ("i8_2x0", Array::from(ArrayD::<i64>::zeros(IxDyn(&[2, 0])))),
        (
            "b1_100",
            Array::from(Array1::from_iter((0..100).map(|i| i % 3 == 0))),
        ),
        (
            "f8_aligned_empty",
            Array::from(ArrayD::<f64>::zeros(IxDyn(&[
                0,
                1,
                1,
                1,
                1,
                1,
                1,
                1,
                100_000_000_000_000_000,
            ]))),
        ),
    ]
}

#[test]
fn written_bytes_equal_numpy_save() {
    for (name, array) in saved_arrays() {
        let expected = std::fs::read(fixture("saved", name)).unwrap();
        let mut written = Vec::new();
        npy::write_to(&mut written, &array).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
        assert_eq!(written, expected, "{name}");
        assert_eq!(npy::read_bytes(&expected).unwrap(), array, "{name}");
    }
}

#[test]
fn numpy_files_of_the_six_kinds_are_rewritten_identically() {
    for name in [
        "bool",
        "int32",
        "int64",
        "float32",
        "float64",
        "complex128",
        "bytes_s5",
        "c_f4_2x3x4",
        "scalar_f8",
        "empty_f8",
        "empty_i4_2x0x3",
    ] {
        let original = std::fs::read(fixture("read", name)).unwrap();
        let mut again = Vec::new();
        npy::write_to(&mut again, &npy::read_bytes(&original).unwrap()).unwrap();
        assert_eq!(again, original, "{name}");
    }
}

#[test]
fn every_kind_round_trips() {
    let t = arr2(&[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    let arrays = vec![
        Array::from(arr1(&[true, false])),
        Array::from(arr1(&[i32::MIN, 0, i32::MAX])),
        Array::from(arr1(&[i64::MIN, i64::MAX])),
        Array::from(arr1(&[f32::MIN_POSITIVE, -0.0, f32::NAN])),
        Array::from(arr1(&[f64::MAX, f64::INFINITY])),
        Array::from(arr1(&[Complex64::new(-1.0, f64::MIN_POSITIVE)])),
        bytes(&["a", "", "xyz\0q"], &[3], 6),
        bytes(&[""], &[], 1),
        Array::from(arr0(1.25f32)),
        Array::from(ArrayD::<Complex64>::zeros(IxDyn(&[3, 0]))),
        Array::from(arange_2x3x4(i64::from)),
        // A transposed (Fortran-layout) result is written in C order.
        Array::from(t.clone().reversed_axes()),
    ];
    for array in arrays {
        let mut file = Vec::new();
        npy::write_to(&mut file, &array).unwrap();
        assert_eq!(file.len() % 64, array.len() * array.dtype().itemsize() % 64);
        let back = npy::read_bytes(&file).unwrap();
        // NaN != NaN, so compare the bytes of a second write instead of the values.
        let mut again = Vec::new();
        npy::write_to(&mut again, &back).unwrap();
        assert_eq!(again, file);
        assert_eq!((back.dtype(), back.shape()), (array.dtype(), array.shape()));
        if !matches!(&array, Array::Float32(_)) {
            assert_eq!(back, array);
        }
    }
    let back = npy::read_bytes(&{
        let mut f = Vec::new();
        npy::write_to(&mut f, &Array::from(t.clone().reversed_axes())).unwrap();
        f
    })
    .unwrap();
    assert_eq!(
        back,
        Array::from(arr2(&[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]))
    );
}

#[test]
fn files_on_disk_round_trip_and_io_errors_name_the_path() {
    let dir = std::env::temp_dir().join(format!("vexpr-npy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.npy");
    let array = Array::from(arr2(&[[1i32, 2], [3, 4]]));
    npy::write(&path, &array).unwrap();
    assert_eq!(npy::read(&path).unwrap(), array);
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = dir.join("missing.npy");
    let e = npy::read(&missing).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Input);
    assert!(e.message().contains("missing.npy"), "{e}");
    let e = npy::write(&missing, &array).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Output);
    assert!(e.message().contains("missing.npy"), "{e}");
}

/// A version 1.0 file with `header` (padded like NumPy) followed by `data`.
fn npy_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut text = header.as_bytes().to_vec();
    while !(10 + text.len() + 1).is_multiple_of(64) {
        text.push(b' ');
    }
    text.push(b'\n');
    let mut file = b"\x93NUMPY\x01\x00".to_vec();
    file.extend_from_slice(&(text.len() as u16).to_le_bytes());
    file.extend_from_slice(&text);
    file.extend_from_slice(data);
    file
}

fn f8_header(shape: &str) -> String {
    format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}")
}

#[test]
fn header_variants_numpy_accepts_are_read() {
    let data: Vec<u8> = [1.0f64, 2.0, 3.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let expected = Array::from(arr1(&[1.0, 2.0, 3.0]));
    for header in [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3,)}",
        "{'shape':(3,),'descr':'<f8','fortran_order':False}",
        "{ 'descr' : '<f8' , 'fortran_order' : False , 'shape' : ( 3 , ) , }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }",
        "{'descr': '=f8', 'fortran_order': False, 'shape': (3,), }",
        "{'descr': 'f8', 'fortran_order': True, 'shape': (3,), }",
    ] {
        let file = npy_file(header, &data);
        assert_eq!(npy::read_bytes(&file).unwrap(), expected, "{header}");
    }
    // Data after the array is ignored, as NumPy does.
    let mut longer = npy_file(&f8_header("(3,)"), &data);
    longer.extend_from_slice(b"trailing");
    assert_eq!(npy::read_bytes(&longer).unwrap(), expected);
    // `|S0`: NumPy's zero-width strings, no data; here width 1, all empty.
    let s0 = npy_file(
        "{'descr': '|S0', 'fortran_order': False, 'shape': (3,), }",
        b"",
    );
    assert_eq!(npy::read_bytes(&s0).unwrap(), bytes(&["", "", ""], &[3], 1));
    // Many dimensions, as long as NumPy allows them.
    let deep = format!("({})", "1, ".repeat(64));
    let file = npy_file(&f8_header(&deep), &1.0f64.to_le_bytes());
    assert_eq!(npy::read_bytes(&file).unwrap().ndim(), 64);
}

#[test]
fn malformed_headers_are_input_errors() {
    let eight = 1.0f64.to_le_bytes();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "expected '{'"),
        ("{}".into(), "no 'descr'"),
        (
            "{'descr': '<f8', 'fortran_order': False}".into(),
            "no 'shape'",
        ),
        (
            "{'descr': '<f8', 'shape': (1,)}".into(),
            "no 'fortran_order'",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}".into(),
            "unexpected key 'x'",
        ),
        (
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}".into(),
            "True or False",
        ),
        (f8_header("(1)"), "not a tuple"),
        (f8_header("[1]"), "expected '('"),
        (f8_header("(-1,)"), "negative dimension"),
        (f8_header("(1.5,)"), "expected ',' or ')'"),
        (f8_header("(1,,)"), "expected a dimension"),
        (f8_header("(99999999999999999999999,)"), "too large"),
        (format!("{} extra", f8_header("(1,)")), "unexpected text"),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)".into(),
            "expected '}'",
        ),
        (
            "{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}".into(),
            "expected '}' at byte 17",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'desc".into(),
            "unterminated",
        ),
        ("{descr: '<f8'}".into(), "quoted string"),
        (
            "{'descr': [('x', '<i4')], 'fortran_order': False, 'shape': (1,)}".into(),
            "structured",
        ),
        (
            f8_header(&format!("({})", "1, ".repeat(65))),
            "more than 64 dimensions",
        ),
        (
            f8_header("(4611686018427387904, 4611686018427387904)"),
            "too many elements",
        ),
        (f8_header("(2305843009213693952,)"), "too many bytes"),
        (f8_header("(1000000000000,)"), "truncated .npy data"),
        (
            "{'descr': '|S1000000000000', 'fortran_order': False, 'shape': (1,)}".into(),
            "truncated .npy data",
        ),
        (
            "{'descr': '|S0', 'fortran_order': False, 'shape': (1000000000000,)}".into(),
            "too many empty strings",
        ),
        (
            "{'descr': '<u8', 'fortran_order': False, 'shape': (1,)}".into(),
            "uint64 is not supported",
        ),
        (
            "{'descr': '<U1', 'fortran_order': False, 'shape': (1,)}".into(),
            "unicode",
        ),
    ];
    for (header, needle) in &cases {
        let e = npy::read_bytes(&npy_file(header, &eight)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input, "{header}");
        assert!(e.message().contains(needle), "{header}\n -> {e}");
    }
}

#[test]
fn bad_magic_versions_and_lengths_are_input_errors() {
    let good = std::fs::read(fixture("read", "float64")).unwrap();
    let with_prefix = |prefix: &[u8]| {
        let mut f = prefix.to_vec();
        f.extend_from_slice(&good[prefix.len()..]);
        f
    };
    let mut cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "ends after 0 bytes"),
        (b"\x93NUM".to_vec(), "ends after 4 bytes"),
        (b"PK\x03\x04".to_vec(), "bad magic"),
        (with_prefix(b"\x93NUMPZ"), "bad magic"),
        (with_prefix(b"\x93NUMPY\x04\x00"), "version 4.0"),
        (with_prefix(b"\x93NUMPY\x01\x01"), "version 1.1"),
        (with_prefix(b"\x93NUMPY\x00\x00"), "version 0.0"),
        (
            b"\x93NUMPY\x01\x00\xff".to_vec(),
            "header length is cut off",
        ),
        (
            with_prefix(b"\x93NUMPY\x01\x00\xff\xff"),
            "truncated .npy header",
        ),
        (
            b"\x93NUMPY\x02\x00\xff\xff\xff\xff{".to_vec(),
            "at most 1048576",
        ),
        (
            b"\x93NUMPY\x02\x00\x01\x00\x10\x00{".to_vec(),
            "at most 1048576",
        ),
    ];
    // A version 3.0 header that is not UTF-8.
    let mut v3 = b"\x93NUMPY\x03\x00\x04\x00\x00\x00{\xff}\n".to_vec();
    v3.extend_from_slice(&[0; 8]);
    cases.push((v3, "not valid UTF-8"));
    for (file, needle) in cases {
        let e = npy::read_bytes(&file).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert!(e.message().contains(needle), "{needle}: {e}");
    }
}

#[test]
fn every_truncation_of_every_fixture_is_an_error() {
    let mut files = Vec::new();
    for sub in ["read", "saved"] {
        for entry in std::fs::read_dir(Path::new("tests/data/npy").join(sub)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert!(files.len() > 40);
    let options = ReadOptions::new().wrap_uint64(true);
    for path in files {
        let file = std::fs::read(&path).unwrap();
        assert!(options.read_bytes(&file).is_ok(), "{}", path.display());
        for cut in 0..file.len() {
            let e = options.read_bytes(&file[..cut]).unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::Input,
                "{} cut at {cut}",
                path.display()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Corrupting bytes of a valid file never panics (it may still read, or fail cleanly).
    #[test]
    fn corrupted_files_never_panic(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
    ) {
        let name = ["fortran_bytes_2x3", "float16_be", "complex64", "v3_f8"][which];
        let mut file = std::fs::read(fixture("read", name)).unwrap();
        for (at, byte) in edits {
            let at = at % file.len();
            file[at] = byte;
        }
        if let Err(e) = npy::read_bytes(&file) {
            prop_assert_eq!(e.kind(), ErrorKind::Input);
        }
    }

    /// Any header text (printable ASCII) is parsed or refused, never a panic.
    #[test]
    fn arbitrary_headers_never_panic(header in "[ -~]{0,120}") {
        let _ = npy::read_bytes(&npy_file(&header, &[0; 16]));
    }
}

/// Every `.npy` file of the conformance corpus reads, with the dtype and shape that
/// `cases.jsonl` records for the expected results (NumPy's unicode inputs are refused).
#[test]
fn conformance_corpus_files_read() {
    let root = Path::new("tests/data/conformance");
    let index = std::fs::read_to_string(root.join("golden/cases.jsonl")).unwrap();
    let mut checked = 0;
    for line in index.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(expect) = case["expect"].as_str() else {
            continue;
        };
        let array = npy::read(root.join(expect)).unwrap();
        let dtype = case["dtype"].as_str().unwrap();
        let kind = match array.dtype() {
            DType::Bytes(n) => format!("|S{n}"),
            other => other.to_string(),
        };
        assert_eq!(kind, dtype, "{expect}");
        let shape: Vec<usize> = case["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(array.shape(), shape.as_slice(), "{expect}");
        checked += 1;
    }
    assert!(checked > 1500, "{checked}");
    for entry in std::fs::read_dir(root.join("golden/inputs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let result = npy::read(&path);
        if name.starts_with('U') {
            assert_eq!(result.unwrap_err().kind(), ErrorKind::Input, "{name}");
        } else {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
