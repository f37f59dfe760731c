//! The precision switch: how accurately the transcendental functions are computed, for the
//! whole process ([`set_precision`], `VEXPR_PRECISION`) or per call (`RunOptions::precision`).
//!
//! A precision is chosen when a program's kernel table is resolved (each one has its own
//! instantiation of every slice driver, the `Mode` markers), so no element pays a branch for
//! it. Like numexpr's VML accuracy modes: `high` is the default, `fast` trades the last bits
//! for speed. Arithmetic, `sqrt`, comparisons and the other exact operations are the same
//! in both.

use std::sync::atomic::{AtomicU8, Ordering};

/// How accurately the transcendental functions (`exp`, `log`, `sin`, `arctan2`, `**` of
/// floats, ...) are computed.
///
/// ```
/// use vexpr::Precision;
/// assert_eq!(Precision::default(), Precision::High);
/// assert_eq!("FAST".parse::<Precision>(), Ok(Precision::Fast));
/// assert_eq!(Precision::Fast.to_string(), "fast");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Precision {
    /// The default: exp, expm1, log, log1p, log2 and log10 within 1 ulp; sin, cos and pow
    /// within 2; every other function within 4 (docs/LANGUAGE.md has the table).
    #[default]
    High,
    /// Every function within 4 ulp (glibc's libmvec's class), for speed.
    Fast,
}

impl Precision {
    /// Both precisions.
    #[allow(dead_code)] // for the tests and benches/math.rs
    pub(crate) const ALL: [Precision; 2] = [Precision::High, Precision::Fast];

    /// The lower-case name (`high`, `fast`).
    pub fn name(self) -> &'static str {
        match self {
            Precision::High => "high",
            Precision::Fast => "fast",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;

    /// `high` or `fast`, in any case, spaces around ignored.
    fn from_str(text: &str) -> Result<Precision, String> {
        Precision::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| format!("unknown precision {text:?} (expected high or fast)"))
    }
}

/// 0 until first use; then 1 + the precision's index.
static PRECISION: AtomicU8 = AtomicU8::new(0);

fn encode(p: Precision) -> u8 {
    match p {
        Precision::High => 1,
        Precision::Fast => 2,
    }
}

/// The precision given by `VEXPR_PRECISION` (read with `get`), else `High`; a value that is
/// neither is ignored with a warning (as a bad `VEXPR_NUM_THREADS` is).
fn from_env(get: impl Fn(&str) -> Option<String>, warn: &mut dyn FnMut(String)) -> Precision {
    match get("VEXPR_PRECISION") {
        None => Precision::High,
        Some(value) => value.parse().unwrap_or_else(|_| {
            warn(format!(
                "vexpr: ignoring VEXPR_PRECISION={value:?}: expected high or fast; using high"
            ));
            Precision::High
        }),
    }
}

/// The precision evaluations use unless a call asks for another: [`set_precision`]'s, else
/// the environment variable `VEXPR_PRECISION` (`high` or `fast`), else `high`.
///
/// ```
/// assert!(matches!(vexpr::get_precision(), vexpr::Precision::High | vexpr::Precision::Fast));
/// ```
pub fn get_precision() -> Precision {
    match PRECISION.load(Ordering::Relaxed) {
        0 => {
            let p = from_env(|v| std::env::var(v).ok(), &mut |m| eprintln!("{m}"));
            match PRECISION.compare_exchange(0, encode(p), Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => p,
                Err(current) => decode(current),
            }
        }
        v => decode(v),
    }
}

fn decode(v: u8) -> Precision {
    if v == 2 {
        Precision::Fast
    } else {
        Precision::High
    }
}

/// Set the precision evaluations use (unless a call asks for another); returns the
/// previous one.
///
/// ```
/// use vexpr::Precision;
/// let before = vexpr::set_precision(Precision::Fast);
/// assert_eq!(vexpr::get_precision(), Precision::Fast);
/// vexpr::set_precision(before);
/// ```
pub fn set_precision(precision: Precision) -> Precision {
    let before = get_precision();
    PRECISION.store(encode(precision), Ordering::Relaxed);
    before
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_is_read_and_bad_values_are_reported() {
        let mut warnings = Vec::new();
        let env = |v: Option<&'static str>| move |_: &str| v.map(str::to_string);
        let mut read = |v| from_env(env(v), &mut |m: String| warnings.push(m));
        assert_eq!(read(None), Precision::High);
        assert_eq!(read(Some("fast")), Precision::Fast);
        assert_eq!(read(Some(" High ")), Precision::High);
        assert_eq!(read(Some("low")), Precision::High);
        assert_eq!(
            warnings,
            ["vexpr: ignoring VEXPR_PRECISION=\"low\": expected high or fast; using high"]
        );
    }

    #[test]
    fn names_parse_back() {
        for p in Precision::ALL {
            assert_eq!(p.name().parse::<Precision>(), Ok(p));
        }
        assert!("medium".parse::<Precision>().is_err());
    }
}
