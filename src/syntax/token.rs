//! The tokens of the language, recognised by a `logos`-generated lexer.
//!
//! In: the source text. Out: [`Token`]s with byte spans (through `logos::Lexer`), or a
//! [`LexError`] at the first malformed literal or unknown character. Numbers and strings are
//! matched by their first character only and then scanned by hand ([`number`], [`string`]),
//! because Python's literal rules (underscores, leading zeros, escapes) and its precise
//! messages are easier to state as code than as one regular expression. Every token the
//! lexer emits is well formed: an integer's text is valid Python syntax, a string's body has
//! only ASCII and valid escapes, so later stages only convert, never re-check.
//!
//! Some tokens exist only to be refused with a helpful message by the adapter in
//! [`super::lexer`]: Python keywords that are not in the language, bracket and operator
//! characters of constructs the language lacks, and newlines.

use logos::{Lexer, Logos};

use super::ast::Attr;
use super::lexer::LexError;
use crate::error::Span;

/// A token. Unit variants are punctuation and keywords; the others carry what the parser
/// needs (a name's text, a literal's value or text).
#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(error(LexError, unexpected_character))]
#[logos(skip r"[ \t\x0C]+")]
// A comment runs to the end of the input (a newline is refused anyway), so reading it
// greedily to the end is exactly right.
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
pub(crate) enum Token<'s> {
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `,`
    #[token(",")]
    Comma,
    /// `.` (attribute access; a `.` that starts a number is part of the number)
    #[token(".")]
    Dot,
    /// `=` (only between a keyword and its value in a call)
    #[token("=")]
    Assign,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `**`
    #[token("**")]
    DoubleStar,
    /// `/`
    #[token("/")]
    Slash,
    /// `//`
    #[token("//")]
    DoubleSlash,
    /// `%`
    #[token("%")]
    Percent,
    /// `~`
    #[token("~")]
    Tilde,
    /// `&`
    #[token("&")]
    Amp,
    /// `|`
    #[token("|")]
    Pipe,
    /// `^`
    #[token("^")]
    Caret,
    /// `<<`
    #[token("<<")]
    Shl,
    /// `>>`
    #[token(">>")]
    Shr,
    /// `<`
    #[token("<")]
    Lt,
    /// `<=`
    #[token("<=")]
    Le,
    /// `>`
    #[token(">")]
    Gt,
    /// `>=`
    #[token(">=")]
    Ge,
    /// `==`
    #[token("==")]
    EqEq,
    /// `!=`
    #[token("!=")]
    Ne,
    /// `if`
    #[token("if")]
    If,
    /// `else`
    #[token("else")]
    Else,
    /// `and`
    #[token("and")]
    And,
    /// `or`
    #[token("or")]
    Or,
    /// `not`
    #[token("not")]
    Not,
    /// `True`
    #[token("True")]
    True,
    /// `False`
    #[token("False")]
    False,
    /// `None`
    #[token("None")]
    None,
    /// A name (variable or function), `[A-Za-z_][A-Za-z0-9_]*`, not a keyword.
    #[regex("[A-Za-z_][A-Za-z0-9_]*", name)]
    Name(&'s str),
    /// `real` or `imag` right after a `.`: produced by the adapter in [`super::lexer`] from a
    /// [`Token::Name`], never by `logos` itself.
    Attr(Attr),
    /// A number literal: an integer's text, or a float's or imaginary's value.
    #[regex("[0-9]", number)]
    #[regex(r"\.[0-9]", number)]
    Number(Literal<'s>),
    /// A byte-string literal: the raw text between the quotes, escapes not yet decoded
    /// (see [`decode_escapes`]) but already checked.
    #[regex(r#"[bB]?['"]"#, string)]
    Str(&'s str),
    /// A Python keyword that is not in the language (`in`, `lambda`, `is`, ...).
    #[token("is", keyword)]
    #[token("in", keyword)]
    #[token("lambda", keyword)]
    #[token("for", keyword)]
    #[token("while", keyword)]
    #[token("def", keyword)]
    #[token("class", keyword)]
    #[token("return", keyword)]
    #[token("yield", keyword)]
    #[token("import", keyword)]
    #[token("from", keyword)]
    #[token("as", keyword)]
    #[token("with", keyword)]
    #[token("assert", keyword)]
    #[token("del", keyword)]
    #[token("global", keyword)]
    #[token("nonlocal", keyword)]
    #[token("pass", keyword)]
    #[token("raise", keyword)]
    #[token("try", keyword)]
    #[token("except", keyword)]
    #[token("finally", keyword)]
    #[token("break", keyword)]
    #[token("continue", keyword)]
    #[token("async", keyword)]
    #[token("await", keyword)]
    PythonKeyword(&'s str),
    /// Punctuation of constructs the language does not have (subscripts, slices, sets,
    /// statements, C-style operators), refused with a message naming the construct.
    #[token("[", keyword)]
    #[token("]", keyword)]
    #[token("{", keyword)]
    #[token("}", keyword)]
    #[token(":", keyword)]
    #[token(";", keyword)]
    #[token("@", keyword)]
    #[token("?", keyword)]
    #[token("!", keyword)]
    #[token("&&", keyword)]
    #[token("||", keyword)]
    #[token("<>", keyword)]
    Unsupported(&'s str),
    /// A line feed or carriage return: an expression is one line.
    #[regex(r"[\r\n]")]
    Newline,
}

/// What a number literal turned out to be (see [`Token::Number`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Literal<'s> {
    /// An integer literal's text.
    Int(&'s str),
    /// A float literal's value.
    Float(f64),
    /// An imaginary literal's value.
    Imag(f64),
}

/// The logos error callback: no token starts here.
fn unexpected_character<'s>(lex: &mut Lexer<'s, Token<'s>>) -> LexError {
    let start = lex.span().start;
    let found = lex
        .source()
        .get(start..)
        .and_then(|rest| rest.chars().next());
    match found {
        Some(c) => LexError::syntax(
            Span::new(start, start + c.len_utf8()),
            format!("unexpected character {}", describe_char(c)),
        ),
        None => LexError::syntax(Span::new(start, start), "unexpected end of input"),
    }
}

/// A character quoted for a message: printable ones as themselves, others by code point.
fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else if c == '`' {
        "'`'".to_owned()
    } else {
        format!("`{c}`")
    }
}

/// The text of a keyword-like token.
fn keyword<'s>(lex: &mut Lexer<'s, Token<'s>>) -> &'s str {
    lex.slice()
}

/// Python's string prefixes other than `b`: a name spelled like one right before a quote
/// is almost certainly meant as a prefix, so it gets its own message.
const STRING_PREFIXES: [&str; 7] = ["r", "u", "f", "br", "rb", "fr", "rf"];

/// A name, unless it is a string prefix the language does not have (`r'...'`).
fn name<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<&'s str, LexError> {
    let text = lex.slice();
    let before_quote = matches!(lex.remainder().bytes().next(), Some(b'\'' | b'"'));
    if before_quote
        && STRING_PREFIXES
            .iter()
            .any(|prefix| prefix.eq_ignore_ascii_case(text))
    {
        return Err(LexError::syntax(
            lex.span().into(),
            format!(
                "string prefix `{text}` is not supported (only byte strings, `'...'` or `b'...'`)"
            ),
        ));
    }
    Ok(text)
}

/// Whether `byte` can continue a name or a number (so it must not follow a literal).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// A malformed number literal: its message and the byte that the scan stopped at.
struct NumberFault {
    /// Where the scan stopped (the error span runs on to the end of the word there).
    stop: usize,
    /// What is wrong, in Python's words.
    message: String,
}

impl NumberFault {
    /// A fault found at `stop`.
    fn new(stop: usize, message: impl Into<String>) -> NumberFault {
        NumberFault {
            stop,
            message: message.into(),
        }
    }
}

/// The number callback: scans the whole literal from its first character (a digit, or a `.`
/// followed by a digit), then moves the lexer past it.
fn number<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<Literal<'s>, LexError> {
    let src = lex.source();
    let start = lex.span().start;
    match scan_number(src, start) {
        Ok((end, literal)) => {
            // The scan only crosses ASCII bytes, so `end` is a char boundary.
            lex.bump(end.saturating_sub(lex.span().end));
            Ok(literal)
        }
        Err(fault) => {
            // Report the literal as far as it goes, including the word characters glued
            // to it (`1abc` as a whole).
            let bytes = src.as_bytes();
            let mut end = fault.stop.max(start + 1);
            while bytes.get(end).copied().is_some_and(is_word_byte) {
                end += 1;
            }
            Err(LexError::syntax(Span::new(start, end), fault.message))
        }
    }
}

/// Consumes `digit (_? digit)*` of the given radix from `at`, where `at` holds a digit.
/// Returns the end, or the position of an underscore not followed by a digit.
fn digit_run(bytes: &[u8], at: usize, is_digit: fn(u8) -> bool) -> Result<usize, usize> {
    let mut i = at;
    while let Some(&b) = bytes.get(i) {
        if is_digit(b) {
            i += 1;
        } else if b == b'_' && bytes.get(i + 1).copied().is_some_and(is_digit) {
            i += 2;
        } else if b == b'_' {
            return Err(i);
        } else {
            break;
        }
    }
    Ok(i)
}

/// Scans the number literal at `start`: its end and value, or why it is malformed.
fn scan_number(src: &str, start: usize) -> Result<(usize, Literal<'_>), NumberFault> {
    let bytes = src.as_bytes();
    let at = |i: usize| bytes.get(i).copied();
    if at(start) == Some(b'0')
        && let Some(prefix) = at(start + 1)
        && let Some(radix) = radix_of(prefix)
    {
        return scan_radix_integer(src, start, radix);
    }

    let invalid = |stop: usize| NumberFault::new(stop, "invalid decimal literal");
    let mut i = start;
    let mut is_float = false;
    if at(i).is_some_and(|b| b.is_ascii_digit()) {
        i = digit_run(bytes, i, |b| b.is_ascii_digit()).map_err(invalid)?;
    }
    if at(i) == Some(b'.') {
        is_float = true;
        i += 1;
        if at(i).is_some_and(|b| b.is_ascii_digit()) {
            i = digit_run(bytes, i, |b| b.is_ascii_digit()).map_err(invalid)?;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(at(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if !at(j).is_some_and(|b| b.is_ascii_digit()) {
            return Err(invalid(j));
        }
        i = digit_run(bytes, j, |b| b.is_ascii_digit()).map_err(invalid)?;
        is_float = true;
    }
    let body_end = i;
    let is_imag = matches!(at(i), Some(b'j' | b'J'));
    if is_imag {
        i += 1;
    }
    if at(i).is_some_and(is_word_byte) {
        let what = if is_imag { "imaginary" } else { "decimal" };
        return Err(NumberFault::new(i, format!("invalid {what} literal")));
    }

    let text = src.get(start..body_end).unwrap_or_default();
    if !is_float && !is_imag {
        if text.starts_with('0') && text.bytes().any(|b| b != b'0' && b != b'_') {
            return Err(NumberFault::new(
                start,
                "leading zeros in decimal integer literals are not permitted; \
                 use an 0o prefix for octal integers",
            ));
        }
        return Ok((i, Literal::Int(text)));
    }
    // Rust's parse is correctly rounded and gives inf / 0 out of range, like Python's.
    let value = if text.contains('_') {
        text.replace('_', "").parse::<f64>()
    } else {
        text.parse::<f64>()
    };
    let value = value.map_err(|_| invalid(start))?;
    Ok((
        i,
        if is_imag {
            Literal::Imag(value)
        } else {
            Literal::Float(value)
        },
    ))
}

/// A radix of prefixed integer literals: its name in messages and its digits.
#[derive(Clone, Copy)]
struct Radix {
    /// `hexadecimal`, `octal` or `binary`.
    name: &'static str,
    /// Whether a byte is one of its digits.
    is_digit: fn(u8) -> bool,
}

/// The radix named by the letter after a leading `0`.
fn radix_of(prefix: u8) -> Option<Radix> {
    let (name, is_digit): (&'static str, fn(u8) -> bool) = match prefix {
        b'x' | b'X' => ("hexadecimal", |b| b.is_ascii_hexdigit()),
        b'o' | b'O' => ("octal", |b| (b'0'..=b'7').contains(&b)),
        b'b' | b'B' => ("binary", |b| b == b'0' || b == b'1'),
        _ => return None,
    };
    Some(Radix { name, is_digit })
}

/// Scans `0x...`, `0o...` or `0b...`: underscores may precede each digit (`0x_1F`).
fn scan_radix_integer<'s>(
    src: &'s str,
    start: usize,
    radix: Radix,
) -> Result<(usize, Literal<'s>), NumberFault> {
    let Radix {
        name: radix_name,
        is_digit,
    } = radix;
    let bytes = src.as_bytes();
    let invalid = |stop: usize| NumberFault::new(stop, format!("invalid {radix_name} literal"));
    let mut i = start + 2;
    let mut digits = 0usize;
    while let Some(&b) = bytes.get(i) {
        if is_digit(b) {
            digits += 1;
            i += 1;
        } else if b == b'_' && bytes.get(i + 1).copied().is_some_and(is_digit) {
            i += 1;
        } else if b.is_ascii_digit() {
            let message = format!("invalid digit '{}' in {radix_name} literal", char::from(b));
            return Err(NumberFault::new(i, message));
        } else if is_word_byte(b) {
            return Err(invalid(i));
        } else {
            break;
        }
    }
    if digits == 0 {
        return Err(invalid(i));
    }
    Ok((i, Literal::Int(src.get(start..i).unwrap_or_default())))
}

/// The string callback: the opening quote (with an optional `b`/`B` prefix) has been
/// matched; finds the closing quote and checks the body (ASCII only, on one line, valid
/// escapes).
fn string<'s>(lex: &mut Lexer<'s, Token<'s>>) -> Result<&'s str, LexError> {
    let src = lex.source();
    let bytes = src.as_bytes();
    let open = lex.span();
    let quote = bytes.get(open.end - 1).copied().unwrap_or(b'\'');
    let body_start = open.end;
    let mut i = body_start;
    loop {
        match bytes.get(i).copied() {
            None => {
                return Err(LexError::syntax(
                    Span::new(open.start, src.len()),
                    "unterminated string literal",
                ));
            }
            Some(b'\r' | b'\n') => {
                return Err(LexError::syntax(
                    Span::new(i, i + 1),
                    "newline in expression",
                ));
            }
            Some(b) if !b.is_ascii() => {
                let c = src.get(i..).and_then(|rest| rest.chars().next());
                let width = c.map_or(1, char::len_utf8);
                return Err(LexError::syntax(
                    Span::new(i, i + width),
                    "byte strings can only contain ASCII characters",
                ));
            }
            Some(b'\\') => {
                // The escaped character is checked on the next turn only if it could end
                // the string or the line; otherwise skip it (it is ASCII or caught below).
                match bytes.get(i + 1).copied() {
                    Some(b) if b.is_ascii() && b != b'\r' && b != b'\n' => i += 2,
                    _ => i += 1,
                }
            }
            Some(b) if b == quote => break,
            Some(_) => i += 1,
        }
    }
    let body = src.get(body_start..i).unwrap_or_default();
    if let Err(fault) = decode_escapes(body, |_| ()) {
        let span = Span::new(body_start + fault.start, body_start + fault.end);
        return Err(LexError::syntax(span, fault.message));
    }
    lex.bump(i + 1 - open.end);
    Ok(body)
}

/// A bad escape in a string body, as a byte range of the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EscapeFault {
    /// First byte of the escape (its backslash), relative to the body.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// What is wrong.
    pub message: String,
}

/// Decodes Python's bytes escapes in a string body, feeding each byte to `push`.
///
/// `\\ \' \" \a \b \f \n \r \t \v`, octal `\0`..`\377` (one to three digits), `\xNN`
/// (exactly two hex digits); any other backslash is kept with the character after it, as
/// Python does. Non-ASCII bytes pass through unchanged (the lexer has refused them).
pub(crate) fn decode_escapes(body: &str, mut push: impl FnMut(u8)) -> Result<(), EscapeFault> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'\\' {
            push(b);
            i += 1;
            continue;
        }
        let Some(&escaped) = bytes.get(i + 1) else {
            push(b'\\');
            break;
        };
        let simple = match escaped {
            b'\\' | b'\'' | b'"' => Some(escaped),
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0C),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0B),
            _ => None,
        };
        if let Some(value) = simple {
            push(value);
            i += 2;
        } else if (b'0'..=b'7').contains(&escaped) {
            let mut value = 0u32;
            let mut j = i + 1;
            while j < i + 4
                && let Some(&d) = bytes.get(j)
                && (b'0'..=b'7').contains(&d)
            {
                value = value * 8 + u32::from(d - b'0');
                j += 1;
            }
            let Ok(byte) = u8::try_from(value) else {
                return Err(EscapeFault {
                    start: i,
                    end: j,
                    message: format!(
                        "octal escape `{}` is out of range (the largest is `\\377`)",
                        body.get(i..j).unwrap_or_default()
                    ),
                });
            };
            push(byte);
            i = j;
        } else if escaped == b'x' {
            let hex = |k: usize| bytes.get(k).and_then(|&d| char::from(d).to_digit(16));
            match (hex(i + 2), hex(i + 3)) {
                (Some(high), Some(low)) => {
                    // Two hex digits make at most 0xFF.
                    push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
                    i += 4;
                }
                (high, _) => {
                    let end = if high.is_some() { i + 3 } else { i + 2 };
                    return Err(EscapeFault {
                        start: i,
                        end: end.min(bytes.len()),
                        message: "invalid `\\x` escape: it needs two hex digits".to_owned(),
                    });
                }
            }
        } else {
            // Python keeps an unknown escape as written: the backslash and the character.
            push(b'\\');
            i += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All tokens of `src`, or the first error as `(start, end, message)`.
    fn lex(src: &str) -> Result<Vec<Token<'_>>, (usize, usize, String)> {
        Token::lexer(src)
            .map(|t| t.map_err(|e| (e.span.start, e.span.end, e.message)))
            .collect()
    }

    /// The single token of `src`.
    fn one(src: &str) -> Token<'_> {
        match lex(src).as_deref() {
            Ok([token]) => *token,
            other => panic!("{src:?} gave {other:?}"),
        }
    }

    /// The error of `src`, which must fail.
    fn fault(src: &str) -> (usize, usize, String) {
        match lex(src) {
            Err(e) => e,
            Ok(tokens) => panic!("{src:?} lexed as {tokens:?}"),
        }
    }

    #[test]
    fn integers_keep_their_text() {
        for src in [
            "10", "0x1F", "0X1f", "0o17", "0O17", "0b101", "0B1", "1_000", "00", "0_0", "0x_1f",
            "0",
        ] {
            assert_eq!(one(src), Token::Number(Literal::Int(src)), "{src}");
        }
        // An integer may be as long as the source: its value is judged later.
        let long = "9".repeat(500);
        assert_eq!(one(&long), Token::Number(Literal::Int(&long)));
    }

    #[test]
    fn floats_take_the_correctly_rounded_value() {
        let cases: [(&str, f64); 14] = [
            ("1.", 1.0),
            (".5", 0.5),
            ("1e3", 1000.0),
            ("1E-3", 0.001),
            ("1.5e+2", 150.0),
            ("1_000.5", 1000.5),
            ("1.e3", 1000.0),
            ("1e1_0", 1e10),
            ("010.5", 10.5),
            ("010e1", 100.0),
            ("0e0", 0.0),
            ("0.1", 0.1),
            ("1e400", f64::INFINITY),
            // 2**-1074, the smallest subnormal, written out to 17 significant digits.
            ("4.9406564584124654e-324", f64::from_bits(1)),
        ];
        for (src, value) in cases {
            assert_eq!(one(src), Token::Number(Literal::Float(value)), "{src}");
        }
        match one("1e-400") {
            Token::Number(Literal::Float(v)) => assert_eq!(v.to_bits(), 0, "+0.0"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn imaginaries_hold_their_imaginary_part() {
        let cases: [(&str, f64); 8] = [
            ("1j", 1.0),
            ("1.5j", 1.5),
            ("3.j", 3.0),
            ("1e5J", 1e5),
            ("2J", 2.0),
            ("1.5J", 1.5),
            ("010j", 10.0),
            ("1_000j", 1000.0),
        ];
        for (src, value) in cases {
            assert_eq!(one(src), Token::Number(Literal::Imag(value)), "{src}");
        }
    }

    #[test]
    fn malformed_numbers_are_located_with_pythons_messages() {
        let leading = "leading zeros in decimal integer literals are not permitted; \
                       use an 0o prefix for octal integers";
        let cases: [(&str, usize, usize, &str); 19] = [
            ("010", 0, 3, leading),
            ("0_1", 0, 3, leading),
            ("09", 0, 2, leading),
            ("1__0", 0, 4, "invalid decimal literal"),
            ("1_", 0, 2, "invalid decimal literal"),
            ("1_.5", 0, 2, "invalid decimal literal"),
            ("1._5", 0, 4, "invalid decimal literal"),
            ("1e", 0, 2, "invalid decimal literal"),
            ("1e+", 0, 3, "invalid decimal literal"),
            ("1e_5", 0, 4, "invalid decimal literal"),
            ("1abc", 0, 4, "invalid decimal literal"),
            ("1.5abc", 0, 6, "invalid decimal literal"),
            ("1.real", 0, 6, "invalid decimal literal"),
            ("1jx", 0, 3, "invalid imaginary literal"),
            ("0x", 0, 2, "invalid hexadecimal literal"),
            ("0xg", 0, 3, "invalid hexadecimal literal"),
            ("0b2", 0, 3, "invalid digit '2' in binary literal"),
            ("0o8", 0, 3, "invalid digit '8' in octal literal"),
            ("0b1_", 0, 4, "invalid binary literal"),
        ];
        for (src, start, end, message) in cases {
            assert_eq!(fault(src), (start, end, message.to_owned()), "{src}");
        }
        // Offsets are absolute.
        assert_eq!(fault("x + 0x1j").0..fault("x + 0x1j").1, 4..8);
        assert_eq!(fault("x + 0x1j").2, "invalid hexadecimal literal");
    }

    #[test]
    fn numbers_end_where_an_attribute_begins() {
        assert_eq!(
            lex("1.5.real").unwrap_or_default(),
            [
                Token::Number(Literal::Float(1.5)),
                Token::Dot,
                Token::Name("real")
            ]
        );
        assert_eq!(
            lex("1..imag").unwrap_or_default(),
            [
                Token::Number(Literal::Float(1.0)),
                Token::Dot,
                Token::Name("imag")
            ]
        );
        assert_eq!(
            lex("0x1.real").unwrap_or_default(),
            [
                Token::Number(Literal::Int("0x1")),
                Token::Dot,
                Token::Name("real")
            ]
        );
    }

    /// The decoded bytes of a one-string source.
    fn bytes_of(src: &str) -> Vec<u8> {
        let Token::Str(body) = one(src) else {
            panic!("{src:?} is not a string");
        };
        let mut out = Vec::new();
        assert_eq!(decode_escapes(body, |b| out.push(b)), Ok(()));
        out
    }

    #[test]
    fn strings_with_every_prefix_and_quote() {
        for src in ["'abc'", "\"abc\"", "b'abc'", "B\"abc\"", "b\"abc\""] {
            assert_eq!(bytes_of(src), b"abc", "{src}");
        }
        assert_eq!(bytes_of("''"), b"");
        assert_eq!(bytes_of(r#""it's""#), b"it's");
        assert_eq!(bytes_of(r#"'say "hi"'"#), b"say \"hi\"");
        assert_eq!(bytes_of("'a # not a comment'"), b"a # not a comment");
    }

    #[test]
    fn escapes_decode_as_in_python_bytes() {
        assert_eq!(
            bytes_of(r#"'\\ \' \" \a \b \f \n \r \t \v'"#),
            [
                92, 32, 39, 32, 34, 32, 7, 32, 8, 32, 12, 32, 10, 32, 13, 32, 9, 32, 11
            ]
        );
        assert_eq!(bytes_of(r"'\0'"), [0]);
        assert_eq!(bytes_of(r"'\7'"), [7]);
        assert_eq!(bytes_of(r"'\101\060'"), b"A0");
        assert_eq!(bytes_of(r"'\377'"), [255]);
        // At most three octal digits; a non-octal digit ends the escape.
        assert_eq!(bytes_of(r"'\1234'"), [0o123, b'4']);
        assert_eq!(bytes_of(r"'\08'"), [0, b'8']);
        assert_eq!(bytes_of(r"'\x41\x7f\xFF\x00'"), [0x41, 0x7F, 0xFF, 0]);
        // Unknown escapes keep the backslash.
        assert_eq!(bytes_of(r"'\d\q\u00e9'"), br"\d\q\u00e9");
        assert_eq!(bytes_of(r"'\\d'"), br"\d");
    }

    #[test]
    fn malformed_strings_are_located() {
        assert_eq!(
            fault(r"x == '\x4'"),
            (
                6,
                9,
                "invalid `\\x` escape: it needs two hex digits".to_owned()
            )
        );
        assert_eq!(fault(r"'\x'").0..fault(r"'\x'").1, 1..3);
        assert_eq!(fault(r"'\xg1'").0..fault(r"'\xg1'").1, 1..3);
        assert_eq!(
            fault(r"'\400'"),
            (
                1,
                5,
                "octal escape `\\400` is out of range (the largest is `\\377`)".to_owned()
            )
        );
        assert_eq!(
            fault("x + 'abc"),
            (4, 8, "unterminated string literal".to_owned())
        );
        assert_eq!(
            fault("'abc\\'"),
            (0, 6, "unterminated string literal".to_owned())
        );
        assert_eq!(
            fault("'aé'"),
            (
                2,
                4,
                "byte strings can only contain ASCII characters".to_owned()
            )
        );
        assert_eq!(fault("'a\nb'"), (2, 3, "newline in expression".to_owned()));
        assert_eq!(
            fault("'a\\\rb'"),
            (3, 4, "newline in expression".to_owned())
        );
        assert_eq!(
            fault("r'abc'"),
            (
                0,
                1,
                "string prefix `r` is not supported (only byte strings, `'...'` or `b'...'`)"
                    .to_owned()
            )
        );
        assert_eq!(fault("x + Rb'abc'").0..fault("x + Rb'abc'").1, 4..6);
    }

    #[test]
    fn names_and_keywords() {
        assert_eq!(one("_x1"), Token::Name("_x1"));
        assert_eq!(one("__import__"), Token::Name("__import__"));
        assert_eq!(one("iff"), Token::Name("iff"));
        assert_eq!(one("true"), Token::Name("true"));
        assert_eq!(one("r"), Token::Name("r"));
        assert_eq!(one("b"), Token::Name("b"));
        assert_eq!(
            lex("if else and or not True False None").unwrap_or_default(),
            [
                Token::If,
                Token::Else,
                Token::And,
                Token::Or,
                Token::Not,
                Token::True,
                Token::False,
                Token::None
            ]
        );
        assert_eq!(one("lambda"), Token::PythonKeyword("lambda"));
        assert_eq!(one("in"), Token::PythonKeyword("in"));
        assert_eq!(one("inx"), Token::Name("inx"));
    }

    #[test]
    fn operators_take_the_longest_match() {
        assert_eq!(
            lex("** * // / << < <= <> >> >= > == = != ~ & && | || ^ %").unwrap_or_default(),
            [
                Token::DoubleStar,
                Token::Star,
                Token::DoubleSlash,
                Token::Slash,
                Token::Shl,
                Token::Lt,
                Token::Le,
                Token::Unsupported("<>"),
                Token::Shr,
                Token::Ge,
                Token::Gt,
                Token::EqEq,
                Token::Assign,
                Token::Ne,
                Token::Tilde,
                Token::Amp,
                Token::Unsupported("&&"),
                Token::Pipe,
                Token::Unsupported("||"),
                Token::Caret,
                Token::Percent,
            ]
        );
        assert_eq!(
            lex("a--b").unwrap_or_default(),
            [
                Token::Name("a"),
                Token::Minus,
                Token::Minus,
                Token::Name("b")
            ]
        );
    }

    #[test]
    fn blanks_and_comments_are_skipped_but_newlines_are_tokens() {
        assert_eq!(
            lex(" \tx\x0C+ y # a comment ( [").unwrap_or_default(),
            [Token::Name("x"), Token::Plus, Token::Name("y")]
        );
        assert_eq!(
            lex("x # c\ny").unwrap_or_default(),
            [Token::Name("x"), Token::Newline, Token::Name("y")]
        );
        assert_eq!(
            lex("x\r").unwrap_or_default(),
            [Token::Name("x"), Token::Newline]
        );
    }

    #[test]
    fn unknown_characters_are_located_on_char_boundaries() {
        assert_eq!(
            fault("x $ y"),
            (2, 3, "unexpected character `$`".to_owned())
        );
        assert_eq!(
            fault("x + é"),
            (4, 6, "unexpected character `é`".to_owned())
        );
        assert_eq!(fault("x`"), (1, 2, "unexpected character '`'".to_owned()));
        assert_eq!(
            fault("x\u{0}"),
            (1, 2, "unexpected character U+0000".to_owned())
        );
        assert_eq!(
            fault("\u{a0}x"),
            (0, 2, "unexpected character U+00A0".to_owned())
        );
        assert_eq!(fault("\\"), (0, 1, "unexpected character `\\`".to_owned()));
    }
}
