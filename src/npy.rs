//! NumPy `.npy` files: [`read`] any of them into an [`Array`], [`write`](fn@write) an [`Array`] exactly
//! as `numpy.save` does.
//!
//! In (reading): format versions 1.0, 2.0 and 3.0; dtypes `b1 i1 u1 i2 u2 i4 u4 i8 f2 f4 f8
//! c8 c16 S<n>` in either byte order (`u8` only with [`ReadOptions::wrap_uint64`]); C or
//! Fortran order; any number of dimensions up to NumPy's 64, including 0-d and empty arrays.
//! Narrower types are widened as for inputs (int8/uint8/int16/uint16 -> int32, uint32 ->
//! int64, float16 -> float32, complex64 -> complex128). Out: an [`Array`] of the logical
//! shape.
//!
//! Invariants: every malformed, truncated or unsupported file is an [`ErrorKind::Input`]
//! error, never a panic; memory grows only with bytes actually read (a header that promises
//! more data than the file has fails after reading what is there, without allocating the
//! promised amount). Writing produces version 1.0 (2.0 if the header needs it), little-endian,
//! C order, with NumPy's header layout and padding, so the bytes equal `numpy.save`'s.
//!
//! ```
//! use ndarray::array;
//! use vexpr::{Array, npy};
//!
//! let a = Array::from(array![[1.5, 2.0], [3.0, 4.5]]);
//! let mut file = Vec::new();
//! npy::write_to(&mut file, &a)?;
//! assert_eq!(&file[..10], b"\x93NUMPY\x01\x00v\x00");
//! assert_eq!(npy::read_bytes(&file)?, a);
//! # Ok::<(), vexpr::Error>(())
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind as IoErrorKind, Read, Write};
use std::path::Path;

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use num_complex::Complex64;

use crate::array::repr::py_shape;
use crate::array::{Array, BytesArray};
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};

mod map;

pub use map::{Info, MappedArray, MappedOutput, info, replaces_in_place};

/// The first six bytes of every `.npy` file.
const MAGIC: &[u8; 6] = b"\x93NUMPY";
/// NumPy aligns the start of the data to this many bytes.
const ALIGN: usize = 64;
/// Spare spaces NumPy leaves in the header so the first axis can grow in place.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;
/// Longest header accepted (NumPy's own default limit is 10,000 characters).
const MAX_HEADER_LEN: usize = 1 << 20;
/// Most dimensions accepted (NumPy's `NPY_MAXDIMS`).
const MAX_FILE_DIMS: usize = 64;
/// Most elements of a zero-width string array (`|S0`, no data in the file): each still takes
/// a byte here, so the count is capped instead of trusting the header. (NumPy itself makes
/// `S1` arrays when asked for `S0`, so such files are rare.)
const MAX_EMPTY_STRINGS: usize = 1 << 16;
/// Bytes read or written at a time.
const CHUNK: usize = 1 << 16;

/// How to read a file. The default refuses uint64.
///
/// ```
/// use vexpr::{DType, npy::ReadOptions};
/// // A uint64 array holding u64::MAX, as numpy.save writes it.
/// let mut file = b"\x93NUMPY\x01\x00v\x00{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }".to_vec();
/// file.resize(127, b' ');
/// file.push(b'\n');
/// file.extend_from_slice(&u64::MAX.to_le_bytes());
/// assert!(vexpr::npy::read_bytes(&file).is_err());
/// let a = ReadOptions::new().wrap_uint64(true).read_bytes(&file)?;
/// assert_eq!(a.into_i64()?[[0]], -1);
/// # Ok::<(), vexpr::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    wrap_uint64: bool,
    /// Bytes the source is known to hold (a file's length): when the header's claim fits,
    /// the data's memory is reserved at once (and large arrays get huge pages).
    available: Option<u64>,
}

impl ReadOptions {
    /// The defaults: uint64 is refused.
    pub fn new() -> ReadOptions {
        ReadOptions::default()
    }

    /// Accept uint64 (`u8`) arrays, wrapping each value to int64 (NumPy's unsafe cast:
    /// `2**64 - 1` becomes `-1`).
    pub fn wrap_uint64(mut self, wrap: bool) -> ReadOptions {
        self.wrap_uint64 = wrap;
        self
    }

    /// Read the file at `path`.
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Array, Error> {
        let path = path.as_ref();
        let at = |e: Error| Error::new(e.kind(), format!("{}: {}", path.display(), e.message()));
        let file = File::open(path)
            .map_err(|e| input_error(format!("cannot open the file: {e}")))
            .map_err(at)?;
        let mut options = *self;
        options.available = file.metadata().ok().map(|m| m.len());
        options.read_from(BufReader::new(file)).map_err(at)
    }

    /// Read a `.npy` stream from `reader` (everything after the data is left unread).
    pub fn read_from(&self, mut reader: impl Read) -> Result<Array, Error> {
        let header = read_header(&mut reader)?;
        read_data(&mut reader, &header, *self)
    }

    /// Read a `.npy` file held in memory.
    pub fn read_bytes(&self, bytes: &[u8]) -> Result<Array, Error> {
        let mut options = *self;
        options.available = Some(bytes.len() as u64);
        options.read_from(bytes)
    }
}

/// Read the `.npy` file at `path` (errors name the path).
///
/// ```
/// use vexpr::{Array, DType, npy};
/// let path = std::env::temp_dir().join(format!("vexpr-doc-read-{}.npy", std::process::id()));
/// npy::write(&path, &Array::from(ndarray::array![1i64, 2, 3]))?;
/// let a = npy::read(&path)?;
/// assert_eq!((a.dtype(), a.shape()), (DType::Int64, &[3][..]));
/// let missing = npy::read("no/such/file.npy").unwrap_err();
/// assert!(missing.message().starts_with("no/such/file.npy: cannot open the file"));
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn read(path: impl AsRef<Path>) -> Result<Array, Error> {
    ReadOptions::new().read(path)
}

/// Read the `.npy` file at `path` with `options`.
///
/// ```
/// use vexpr::npy::{self, ReadOptions};
/// // A file numpy.save wrote from np.array([2**64 - 1], dtype=np.uint64).
/// let mut file = b"\x93NUMPY\x01\x00v\x00{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }".to_vec();
/// file.resize(127, b' ');
/// file.push(b'\n');
/// file.extend_from_slice(&u64::MAX.to_le_bytes());
/// let path = std::env::temp_dir().join(format!("vexpr-doc-u8-{}.npy", std::process::id()));
/// std::fs::write(&path, &file).unwrap();
/// assert!(npy::read(&path).is_err()); // uint64 does not fit int64: refused by default
/// let a = npy::read_with(&path, &ReadOptions::new().wrap_uint64(true))?;
/// assert_eq!(a.into_i64()?.into_raw_vec_and_offset().0, [-1]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn read_with(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Array, Error> {
    options.read(path)
}

/// Read a `.npy` stream (a file, a socket, a decompressor: anything `Read`).
///
/// ```
/// use vexpr::{Array, npy};
/// let mut bytes = Vec::new();
/// npy::write_to(&mut bytes, &Array::from(ndarray::array![true, false]))?;
/// let a = npy::read_from(std::io::Cursor::new(bytes))?;
/// assert_eq!(a.into_bool()?.into_raw_vec_and_offset().0, [true, false]);
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn read_from(reader: impl Read) -> Result<Array, Error> {
    ReadOptions::new().read_from(reader)
}

/// Read a `.npy` file held in memory.
///
/// ```
/// use vexpr::{Array, ErrorKind, npy};
/// let mut bytes = Vec::new();
/// npy::write_to(&mut bytes, &Array::from(ndarray::array![[1.5f32, 2.5]]))?;
/// assert_eq!(npy::read_bytes(&bytes)?.shape(), &[1, 2]);
/// let truncated = npy::read_bytes(&bytes[..bytes.len() - 1]).unwrap_err();
/// assert_eq!(truncated.kind(), ErrorKind::Input);
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn read_bytes(bytes: &[u8]) -> Result<Array, Error> {
    ReadOptions::new().read_bytes(bytes)
}

/// Write `array` to the file at `path` (created or truncated), as `numpy.save` would.
/// I/O failures are [`ErrorKind::Output`] errors naming the path.
///
/// ```
/// use vexpr::{Vars, npy};
/// let path = std::env::temp_dir().join(format!("vexpr-doc-write-{}.npy", std::process::id()));
/// let x = [1.0, 4.0, 9.0];
/// npy::write(&path, &vexpr::evaluate("sqrt(x)", &Vars::new().with("x", &x))?)?;
/// assert_eq!(npy::read(&path)?.into_f64()?.into_raw_vec_and_offset().0, [1.0, 2.0, 3.0]);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn write(path: impl AsRef<Path>, array: &Array) -> Result<(), Error> {
    let path = path.as_ref();
    let at = |e: std::io::Error| {
        Error::new(
            ErrorKind::Output,
            format!("{}: cannot write the file: {e}", path.display()),
        )
    };
    let mut file = BufWriter::new(File::create(path).map_err(at)?);
    write_to(&mut file, array)
        .map_err(|e| Error::new(e.kind(), format!("{}: {}", path.display(), e.message())))?;
    file.flush().map_err(at)
}

/// Write `array` to `writer` in `.npy` format, byte for byte as `numpy.save` would.
///
/// ```
/// use vexpr::{Array, npy};
/// let mut bytes = Vec::new();
/// npy::write_to(&mut bytes, &Array::from(ndarray::array![7i32]))?;
/// // Magic, version 1.0, a 118-byte header padded so the data starts at byte 128.
/// assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
/// assert_eq!(bytes.len(), 128 + 4);
/// assert!(bytes.starts_with(b"\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }"));
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn write_to(mut writer: impl Write, array: &Array) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::new(ErrorKind::Output, format!("cannot write: {e}"));
    writer
        .write_all(&header_bytes(&descr(array.dtype()), array.shape()))
        .map_err(io)?;
    match array {
        Array::Bool(a) => write_elements(&mut writer, a, |x| [u8::from(x)]),
        Array::Int32(a) => write_elements(&mut writer, a, i32::to_le_bytes),
        Array::Int64(a) => write_elements(&mut writer, a, i64::to_le_bytes),
        Array::Float32(a) => write_elements(&mut writer, a, f32::to_le_bytes),
        Array::Float64(a) => write_elements(&mut writer, a, f64::to_le_bytes),
        Array::Complex128(a) => write_elements(&mut writer, a, complex_bytes),
        // Standard layout is an invariant of BytesArray: the rows are already in C order.
        Array::Bytes(b) => write_elements(&mut writer, &b.as_raw(), |x| [x]),
    }
}

/// The elements of `array` in C order, `encode`d, written a chunk at a time. Contiguous
/// arrays take a fast path over the flat slice.
fn write_elements<T: Copy, const N: usize>(
    writer: &mut impl Write,
    array: &ndarray::ArrayRef<T, IxDyn>,
    encode: impl Fn(T) -> [u8; N],
) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::new(ErrorKind::Output, format!("cannot write: {e}"));
    let mut chunk = Vec::with_capacity(CHUNK);
    if let Some(flat) = array.as_slice() {
        for part in flat.chunks(CHUNK / N) {
            chunk.clear();
            for &x in part {
                chunk.extend_from_slice(&encode(x));
            }
            writer.write_all(&chunk).map_err(io)?;
        }
        return Ok(());
    }
    for &x in array.iter() {
        chunk.extend_from_slice(&encode(x));
        if chunk.len() >= CHUNK {
            writer.write_all(&chunk).map_err(io)?;
            chunk.clear();
        }
    }
    writer.write_all(&chunk).map_err(io)
}

/// NumPy's little-endian descriptor of `dtype` (`<f8`, `|S3`).
fn descr(dtype: DType) -> String {
    match dtype {
        DType::Bool => "|b1".to_string(),
        DType::Int32 => "<i4".to_string(),
        DType::Int64 => "<i8".to_string(),
        DType::Float32 => "<f4".to_string(),
        DType::Float64 => "<f8".to_string(),
        DType::Complex128 => "<c16".to_string(),
        DType::Bytes(w) => format!("|S{w}"),
    }
}

/// A complex128 as 16 little-endian bytes, real part first.
fn complex_bytes(z: Complex64) -> [u8; 16] {
    let mut out = [0u8; 16];
    let (re, im) = out.split_at_mut(8);
    re.copy_from_slice(&z.re.to_le_bytes());
    im.copy_from_slice(&z.im.to_le_bytes());
    out
}

/// Magic, version, header length and the padded header dict, as NumPy's `_write_array_header`
/// lays them out: keys sorted, Python reprs, 21 spare spaces minus the first axis' digits, then
/// spaces and a newline up to a multiple of 64 bytes (a full 64 if already aligned).
fn header_bytes(descr: &str, shape: &[usize]) -> Vec<u8> {
    let mut dict = format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': {}, }}",
        py_shape(shape)
    );
    if let Some(first) = shape.first() {
        let digits = first.to_string().len();
        dict.push_str(&" ".repeat(GROWTH_AXIS_MAX_DIGITS.saturating_sub(digits)));
    }
    let text_len = dict.len() + 1; // the final newline
    let build = |major: u8, len_size: usize| -> Option<Vec<u8>> {
        let prefix = MAGIC.len() + 2 + len_size;
        let pad = ALIGN - (prefix + text_len) % ALIGN;
        let total = text_len + pad;
        let mut out = Vec::with_capacity(prefix + total);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[major, 0]);
        if len_size == 2 {
            out.extend_from_slice(&u16::try_from(total).ok()?.to_le_bytes());
        } else {
            out.extend_from_slice(&u32::try_from(total).ok()?.to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(out.len() + pad, b' ');
        out.push(b'\n');
        Some(out)
    };
    // A header beyond 4 GiB would need a shape of hundreds of millions of dimensions.
    build(1, 2).or_else(|| build(2, 4)).unwrap_or_default()
}

/// An [`ErrorKind::Input`] error.
fn input_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Input, message)
}

/// Byte order of the stored elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ByteOrder {
    Little,
    Big,
}

/// The stored element type (before widening).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    Bool,
    I1,
    U1,
    I2,
    U2,
    I4,
    U4,
    I8,
    U8,
    F2,
    F4,
    F8,
    C8,
    C16,
    /// `S<n>`; `n` may be 0 (NumPy's empty strings).
    Bytes(usize),
}

impl Code {
    /// Bytes per stored element.
    fn itemsize(self) -> usize {
        match self {
            Code::Bool | Code::I1 | Code::U1 => 1,
            Code::I2 | Code::U2 | Code::F2 => 2,
            Code::I4 | Code::U4 | Code::F4 => 4,
            Code::I8 | Code::U8 | Code::F8 | Code::C8 => 8,
            Code::C16 => 16,
            Code::Bytes(n) => n,
        }
    }
}

/// The parsed header.
#[derive(Debug)]
struct Header {
    code: Code,
    order: ByteOrder,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Reads magic, version, and the header dict, leaving `reader` at the first data byte.
fn read_header(reader: &mut impl Read) -> Result<Header, Error> {
    let mut lead = [0u8; 8];
    let got = read_full(reader, &mut lead)?;
    if lead.get(..got.min(6)) != MAGIC.get(..got.min(6)) {
        return Err(input_error("not a .npy file (bad magic string)"));
    }
    if got < lead.len() {
        return Err(input_error(format!(
            "not a .npy file: it ends after {got} bytes, inside the magic string"
        )));
    }
    let (major, minor) = (lead[6], lead[7]);
    let len_size = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => {
            return Err(input_error(format!(
                "unsupported .npy format version {major}.{minor} (1.0, 2.0 and 3.0 are)"
            )));
        }
    };
    let mut len_bytes = [0u8; 4];
    let len_field = len_bytes.get_mut(..len_size).unwrap_or_default();
    if read_full(reader, len_field)? < len_size {
        return Err(input_error(
            "truncated .npy header: the header length is cut off",
        ));
    }
    let header_len = usize::try_from(u32::from_le_bytes(len_bytes))
        .map_err(|_| input_error("the .npy header length does not fit in memory"))?;
    if header_len > MAX_HEADER_LEN {
        return Err(input_error(format!(
            "the .npy header is {header_len} bytes long; at most {MAX_HEADER_LEN} are accepted"
        )));
    }
    let mut text = Vec::new();
    reader
        .take(header_len as u64)
        .read_to_end(&mut text)
        .map_err(|e| input_error(format!("cannot read the .npy header: {e}")))?;
    if text.len() < header_len {
        return Err(input_error(format!(
            "truncated .npy header: expected {header_len} bytes, found {}",
            text.len()
        )));
    }
    if major == 3 && std::str::from_utf8(&text).is_err() {
        return Err(input_error("the .npy header is not valid UTF-8"));
    }
    parse_header(&text)
}

/// `read`, retrying on interruption, until `buf` is full or the stream ends; the byte count.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, Error> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == IoErrorKind::Interrupted => {}
            Err(e) => return Err(input_error(format!("cannot read: {e}"))),
        }
    }
    Ok(filled)
}

/// A cursor over the header text, a Python dict literal such as
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }`.
struct HeaderParser<'t> {
    text: &'t [u8],
    pos: usize,
}

impl HeaderParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    /// Consume `c` (after optional whitespace) if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), Error> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", char::from(c))))
        }
    }

    fn error(&self, what: &str) -> Error {
        let shown: String = String::from_utf8_lossy(self.text)
            .trim_end()
            .chars()
            .take(200)
            .collect();
        input_error(format!(
            "malformed .npy header ({what} at byte {}): {shown}",
            self.pos
        ))
    }

    /// A quoted string, `'...'` or `"..."`; a backslash takes the next byte literally.
    fn string(&mut self) -> Result<String, Error> {
        self.skip_space();
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(self.error("expected a quoted string")),
        };
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&out).into_owned());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    out.push(c);
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// A bare word such as `True`.
    fn word(&mut self) -> &[u8] {
        self.skip_space();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// A non-negative decimal integer (Python 2's `L` suffix allowed).
    fn dimension(&mut self) -> Result<usize, Error> {
        self.skip_space();
        if self.peek() == Some(b'-') {
            return Err(self.error("negative dimension"));
        }
        let word = self.word();
        let digits = word.strip_suffix(b"L").unwrap_or(word);
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(self.error("expected a dimension"));
        }
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<usize>().ok())
            .ok_or_else(|| self.error("dimension too large"))
    }

    /// A tuple of dimensions: `()`, `(3,)`, `(2, 3)`, `(2, 3,)`.
    fn shape(&mut self) -> Result<Vec<usize>, Error> {
        self.expect(b'(')?;
        let mut dims = Vec::new();
        if self.eat(b')') {
            return Ok(dims);
        }
        loop {
            if dims.len() >= MAX_FILE_DIMS {
                return Err(self.error(&format!("more than {MAX_FILE_DIMS} dimensions")));
            }
            dims.push(self.dimension()?);
            if self.eat(b',') {
                if self.eat(b')') {
                    return Ok(dims);
                }
            } else if self.eat(b')') {
                // `(3)` is an int, not a tuple.
                if dims.len() == 1 {
                    return Err(self.error("the shape is not a tuple"));
                }
                return Ok(dims);
            } else {
                return Err(self.error("expected ',' or ')' in the shape"));
            }
        }
    }
}

/// The header dict: exactly the keys `descr`, `fortran_order` and `shape`.
fn parse_header(text: &[u8]) -> Result<Header, Error> {
    let mut p = HeaderParser { text, pos: 0 };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    p.expect(b'{')?;
    while !p.eat(b'}') {
        let key = p.string()?;
        p.expect(b':')?;
        p.skip_space();
        match key.as_str() {
            "descr" => {
                if matches!(p.peek(), Some(b'[' | b'(' | b'{')) {
                    return Err(input_error(
                        "structured dtypes (a list of fields in 'descr') are not supported",
                    ));
                }
                descr = Some(p.string()?);
            }
            "fortran_order" => {
                fortran_order = Some(match p.word() {
                    b"True" => true,
                    b"False" => false,
                    _ => return Err(p.error("fortran_order must be True or False")),
                });
            }
            "shape" => shape = Some(p.shape()?),
            other => return Err(p.error(&format!("unexpected key '{other}'"))),
        }
        if !p.eat(b',') {
            p.expect(b'}')?;
            break;
        }
    }
    p.skip_space();
    if p.pos != text.len() {
        return Err(p.error("unexpected text after the dict"));
    }
    let missing = |key: &str| p.error(&format!("no '{key}' key"));
    let descr = descr.ok_or_else(|| missing("descr"))?;
    let (code, order) = parse_descr(&descr)?;
    Ok(Header {
        code,
        order,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

/// A dtype string such as `<f8`, `>i4`, `|b1` or `|S5`.
fn parse_descr(descr: &str) -> Result<(Code, ByteOrder), Error> {
    let native = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };
    let (order, code) = match descr.as_bytes().first() {
        Some(b'<') => (ByteOrder::Little, &descr[1..]),
        Some(b'>') => (ByteOrder::Big, &descr[1..]),
        Some(b'|' | b'=') => (native, &descr[1..]),
        _ => (native, descr),
    };
    let code = match code {
        "b1" | "?" => Code::Bool,
        "i1" => Code::I1,
        "u1" => Code::U1,
        "i2" => Code::I2,
        "u2" => Code::U2,
        "i4" => Code::I4,
        "u4" => Code::U4,
        "i8" => Code::I8,
        "u8" => Code::U8,
        "f2" => Code::F2,
        "f4" => Code::F4,
        "f8" => Code::F8,
        "c8" => Code::C8,
        "c16" => Code::C16,
        _ => {
            let sized = |prefix: char| {
                code.strip_prefix(prefix)
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            if let Some(n) = sized('S').or_else(|| sized('a')) {
                let n = n.parse().map_err(|_| {
                    input_error(format!("the string width in '{descr}' is too large"))
                })?;
                Code::Bytes(n)
            } else {
                return Err(input_error(unsupported_dtype(descr, code)));
            }
        }
    };
    Ok((code, order))
}

/// Why uint64 is refused.
fn uint64_error() -> Error {
    input_error(
        "uint64 is not supported; its values do not all fit int64 (read with \
         ReadOptions::wrap_uint64 to wrap them, like NumPy's unsafe casting)",
    )
}

/// Why a dtype is refused, naming it.
fn unsupported_dtype(descr: &str, code: &str) -> String {
    match code.chars().next() {
        Some('U') => format!("unicode strings ('{descr}') are not supported; use byte strings (S)"),
        Some('O') => {
            format!("object arrays ('{descr}') are not supported (vexpr reads no pickles)")
        }
        Some('V') => format!("void and structured dtypes ('{descr}') are not supported"),
        Some('M' | 'm') => {
            format!("datetime and timedelta dtypes ('{descr}') are not supported")
        }
        Some('f' | 'c' | 'g' | 'G') => {
            format!("extended-precision floats ('{descr}') are not supported")
        }
        _ => format!("unsupported dtype '{descr}'"),
    }
}

/// The number of elements and of data bytes the header promises, or why they are too many.
fn extent(header: &Header) -> Result<(usize, usize), Error> {
    let shape = &header.shape;
    // NumPy (and ndarray) require the product of the non-zero dimensions to fit an isize.
    let nonzero = shape
        .iter()
        .filter(|&&d| d != 0)
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| isize::try_from(n).is_ok());
    let Some(nonzero) = nonzero else {
        return Err(input_error(format!(
            "the shape {} has too many elements",
            py_shape(shape)
        )));
    };
    let count = if shape.contains(&0) { 0 } else { nonzero };
    let nbytes = count
        .checked_mul(header.code.itemsize())
        .filter(|&n| isize::try_from(n).is_ok())
        .ok_or_else(|| input_error(format!("the shape {} has too many bytes", py_shape(shape))))?;
    Ok((count, nbytes))
}

/// The elements after the header, converted and shaped.
fn read_data(
    reader: &mut impl Read,
    header: &Header,
    options: ReadOptions,
) -> Result<Array, Error> {
    let shape = &header.shape;
    let (count, nbytes) = extent(header)?;
    let big = header.order == ByteOrder::Big;
    let ctx = Shaping {
        shape,
        fortran: header.fortran_order,
        count,
        nbytes,
        present: options.available.is_some_and(|a| a >= nbytes as u64),
    };
    /// Decodes fixed-size elements of `$n` bytes with `$decode` into an `Array::$v`.
    macro_rules! numeric {
        ($v:ident, $n:literal, $decode:expr) => {{
            let values = read_elements::<$n, _>(reader, &ctx, $decode)?;
            Ok(Array::$v(ctx.shaped(values)?))
        }};
    }
    /// A decoder for one primitive type in the file's byte order.
    macro_rules! prim {
        ($t:ty) => {
            move |b| {
                if big {
                    <$t>::from_be_bytes(b)
                } else {
                    <$t>::from_le_bytes(b)
                }
            }
        };
    }
    match header.code {
        Code::Bool => numeric!(Bool, 1, |b: [u8; 1]| b[0] != 0),
        Code::I1 => numeric!(Int32, 1, |b: [u8; 1]| i32::from(i8::from_le_bytes(b))),
        Code::U1 => numeric!(Int32, 1, |b: [u8; 1]| i32::from(b[0])),
        Code::I2 => numeric!(Int32, 2, |b| i32::from(prim!(i16)(b))),
        Code::U2 => numeric!(Int32, 2, |b| i32::from(prim!(u16)(b))),
        Code::I4 => numeric!(Int32, 4, prim!(i32)),
        Code::U4 => numeric!(Int64, 4, |b| i64::from(prim!(u32)(b))),
        Code::I8 => numeric!(Int64, 8, prim!(i64)),
        Code::U8 if options.wrap_uint64 => {
            // NumPy's unsafe cast: two's-complement reinterpretation.
            numeric!(Int64, 8, |b| prim!(u64)(b) as i64)
        }
        Code::U8 => Err(uint64_error()),
        Code::F2 => numeric!(Float32, 2, |b| f16_to_f32(prim!(u16)(b))),
        Code::F4 => numeric!(Float32, 4, prim!(f32)),
        Code::F8 => numeric!(Float64, 8, prim!(f64)),
        Code::C8 => numeric!(Complex128, 8, |b: [u8; 8]| {
            let [r0, r1, r2, r3, i0, i1, i2, i3] = b;
            let part = prim!(f32);
            Complex64::new(
                f64::from(part([r0, r1, r2, r3])),
                f64::from(part([i0, i1, i2, i3])),
            )
        }),
        Code::C16 => numeric!(Complex128, 16, |b: [u8; 16]| {
            let [
                r0,
                r1,
                r2,
                r3,
                r4,
                r5,
                r6,
                r7,
                i0,
                i1,
                i2,
                i3,
                i4,
                i5,
                i6,
                i7,
            ] = b;
            let part = prim!(f64);
            Complex64::new(
                part([r0, r1, r2, r3, r4, r5, r6, r7]),
                part([i0, i1, i2, i3, i4, i5, i6, i7]),
            )
        }),
        Code::Bytes(n) => read_strings(reader, &ctx, n).map(Array::Bytes),
    }
}

/// The element count and layout shared by the decoders.
struct Shaping<'s> {
    shape: &'s [usize],
    fortran: bool,
    count: usize,
    nbytes: usize,
    /// The source holds at least `nbytes` more bytes (checked against its length).
    present: bool,
}

impl Shaping<'_> {
    /// `values` (in file order) as an array of the logical shape.
    fn shaped<T>(&self, values: Vec<T>) -> Result<ArrayD<T>, Error> {
        let dim = IxDyn(self.shape);
        let array = if self.fortran {
            ArrayD::from_shape_vec(dim.f(), values)
        } else {
            ArrayD::from_shape_vec(dim, values)
        };
        array.map_err(|e| input_error(format!("bad shape {}: {e}", py_shape(self.shape))))
    }

    fn truncated(&self, found: usize) -> Error {
        input_error(format!(
            "truncated .npy data: shape {} needs {} bytes, found {found}",
            py_shape(self.shape),
            self.nbytes
        ))
    }
}

/// `count` elements of `N` bytes each, decoded as they are read, so memory only grows with
/// data that is really there.
fn read_elements<const N: usize, T>(
    reader: &mut impl Read,
    ctx: &Shaping<'_>,
    decode: impl Fn([u8; N]) -> T,
) -> Result<Vec<T>, Error> {
    // Capacity up front only when the source's length backs the header's claim: otherwise
    // the count is a claim, and the bytes read are the facts.
    let mut values = Vec::new();
    if ctx.present && values.try_reserve_exact(ctx.count).is_ok() {
        crate::array::alloc::advise_huge_pages(
            values.as_mut_ptr() as *mut u8,
            values.capacity() * std::mem::size_of::<T>(),
        );
    }
    let mut buf = vec![0u8; (CHUNK - CHUNK % N).min(ctx.nbytes)];
    let mut remaining = ctx.nbytes;
    while remaining > 0 {
        let want = buf.len().min(remaining);
        let chunk = buf.get_mut(..want).unwrap_or_default();
        let got = read_full(reader, chunk)?;
        values.extend(
            chunk
                .chunks_exact(N)
                .map(|c| decode(c.try_into().unwrap_or([0; N]))),
        );
        if got < want {
            return Err(ctx.truncated(ctx.nbytes - remaining + got));
        }
        remaining -= want;
    }
    Ok(values)
}

/// Fixed-width byte strings of `width` bytes each (`S0`: empty strings, no data).
fn read_strings(
    reader: &mut impl Read,
    ctx: &Shaping<'_>,
    width: usize,
) -> Result<BytesArray, Error> {
    let mut full = ctx.shape.to_vec();
    full.push(width.max(1));
    let data = if width == 0 {
        if ctx.count > MAX_EMPTY_STRINGS {
            return Err(input_error(format!(
                "the shape {} has too many empty strings (at most {MAX_EMPTY_STRINGS})",
                py_shape(ctx.shape)
            )));
        }
        ArrayD::zeros(IxDyn(&full))
    } else {
        let mut bytes = Vec::new();
        reader
            .take(ctx.nbytes as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| input_error(format!("cannot read: {e}")))?;
        if bytes.len() < ctx.nbytes {
            return Err(ctx.truncated(bytes.len()));
        }
        let dim = IxDyn(&full);
        let array = if ctx.fortran {
            // Elements in column-major order, each one's bytes contiguous.
            let mut strides = Vec::with_capacity(full.len());
            let mut step = width;
            for &d in ctx.shape {
                strides.push(step);
                step = step.saturating_mul(d.max(1));
            }
            strides.push(1);
            ArrayD::from_shape_vec(dim.strides(IxDyn(&strides)), bytes)
        } else {
            ArrayD::from_shape_vec(dim, bytes)
        };
        array.map_err(|e| input_error(format!("bad shape {}: {e}", py_shape(ctx.shape))))?
    };
    BytesArray::from_raw(data)
}

/// IEEE 754 half precision to single precision (exact: every half is a single).
pub(crate) fn f16_to_f32(half: u16) -> f32 {
    let sign = u32::from(half >> 15) << 31;
    let exp = u32::from((half >> 10) & 0x1f);
    let mant = u32::from(half & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: m * 2^-24. Shift the leading one into the implicit bit's place.
            let shift = m.leading_zeros() - 21;
            sign | ((103 + 10 - shift) << 23) | (((m << shift) & 0x3ff) << 13)
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 127 - 15) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_values() {
        // Bit patterns and values from IEEE 754 binary16.
        let cases: [(u16, f32); 10] = [
            (0x0000, 0.0),
            (0x3c00, 1.0),
            (0xc000, -2.0),
            (0x3555, 1365.0 / 4096.0), // 1/3 rounded
            (0x7bff, 65504.0),
            (0x0400, 1.0 / 16384.0),         // smallest normal, 2^-14
            (0x0001, 1.0 / 16_777_216.0),    // smallest subnormal, 2^-24
            (0x03ff, 1023.0 / 16_777_216.0), // largest subnormal, 1023 * 2^-24
            (0x7c00, f32::INFINITY),
            (0xfc00, f32::NEG_INFINITY),
        ];
        for (bits, value) in cases {
            assert_eq!(f16_to_f32(bits), value, "{bits:#06x}");
        }
        assert!(f16_to_f32(0x7e00).is_nan());
        assert!(f16_to_f32(0x8000).is_sign_negative());
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0200), 2f32.powi(-15));
    }

    #[test]
    fn every_half_converts_like_the_arithmetic_definition() {
        for bits in 0..=u16::MAX {
            let sign = if bits >> 15 == 1 { -1.0 } else { 1.0 };
            let exp = i32::from((bits >> 10) & 0x1f);
            let mant = f64::from(bits & 0x3ff);
            let expected = match exp {
                0 => sign * mant * 2f64.powi(-24),
                31 if mant == 0.0 => sign * f64::INFINITY,
                31 => f64::NAN,
                _ => sign * (1.0 + mant / 1024.0) * 2f64.powi(exp - 15),
            };
            let got = f64::from(f16_to_f32(bits));
            assert!(
                got == expected || (got.is_nan() && expected.is_nan()),
                "{bits:#06x}: {got} != {expected}"
            );
        }
    }

    #[test]
    fn header_matches_numpy_layout() {
        // numpy.save(f, np.array([1.5, 2.0, -3.25])): 128 bytes of header.
        let h = header_bytes("<f8", &[3]);
        assert_eq!(h.len(), 128);
        assert_eq!(&h[..10], b"\x93NUMPY\x01\x00\x76\x00");
        let text = std::str::from_utf8(&h[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"));
        assert!(text.ends_with(" \n"));
        // 0-d: still a multiple of 64, ending in a newline.
        let h = header_bytes("<i4", &[]);
        assert_eq!((h.len(), h.last()), (128, Some(&b'\n')));
        assert!(h[10..].starts_with(b"{'descr': '<i4', 'fortran_order': False, 'shape': (), }"));
    }

    #[test]
    fn huge_headers_switch_to_version_2() {
        // 30,000 dimensions of length 1: "1, " each, beyond a u16 header length.
        let h = header_bytes("<f8", &[1; 30_000]);
        assert_eq!(&h[..8], b"\x93NUMPY\x02\x00");
        let len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
        assert_eq!((h.len(), h.len() % 64), (12 + len, 0));
        assert!(len > usize::from(u16::MAX));
        assert_eq!(h.last(), Some(&b'\n'));
    }

    #[test]
    fn descr_forms() {
        assert_eq!(parse_descr("<f8").unwrap(), (Code::F8, ByteOrder::Little));
        assert_eq!(parse_descr(">i4").unwrap(), (Code::I4, ByteOrder::Big));
        assert_eq!(parse_descr("|S12").unwrap().0, Code::Bytes(12));
        assert_eq!(parse_descr("|b1").unwrap().0, Code::Bool);
        assert_eq!(parse_descr("f4").unwrap().0, Code::F4);
        for (bad, needle) in [
            ("<U5", "unicode"),
            ("|O", "object"),
            ("|V8", "void"),
            ("<M8[ns]", "datetime"),
            ("<f16", "extended"),
            ("<q", "unsupported dtype '<q'"),
            ("|S", "unsupported dtype"),
            ("|S99999999999999999999999", "too large"),
        ] {
            let e = parse_descr(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Input);
            assert!(e.message().contains(needle), "{bad}: {}", e.message());
            assert!(
                e.message().contains(bad) || needle == "too large",
                "{}",
                e.message()
            );
        }
    }

    #[test]
    fn header_dicts_parse_robustly() {
        let ok = [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
            "{\"descr\":\"<f8\",\"fortran_order\":False,\"shape\":(3,)}",
            "{ 'shape' : ( 3 , ) , 'fortran_order' : False , 'descr' : '<f8' }\n   \n",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3L,), }",
        ];
        for text in ok {
            let h = parse_header(text.as_bytes()).unwrap();
            assert_eq!(
                (h.code, h.fortran_order, h.shape.as_slice()),
                (Code::F8, false, &[3][..])
            );
        }
        let h =
            parse_header(b"{'descr': '>c16', 'fortran_order': True, 'shape': (2, 3, 4)}").unwrap();
        assert_eq!(
            (h.code, h.order, h.fortran_order),
            (Code::C16, ByteOrder::Big, true)
        );
        assert_eq!(h.shape, [2, 3, 4]);
        let h = parse_header(b"{'descr': '<i4', 'fortran_order': False, 'shape': ()}").unwrap();
        assert!(h.shape.is_empty());
    }
}
