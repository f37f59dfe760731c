//! The precision switch: how accurately the transcendental functions are computed, for the
//! whole process ([`set_precision`], `VEXPR_PRECISION`) or per call (`RunOptions::precision`).
//!
//! A precision is chosen when a program's kernel table is resolved (each one has its own
//! instantiation of every slice driver, the `Mode` markers), so no element pays a branch for
//! it. Like numexpr's VML accuracy modes: `high` is the default, `fast` trades the last bits
//! for speed. Arithmetic, `sqrt`, comparisons and the other exact operations are the same
//! in both.

use crate::vm::setting::{Choice, Setting};

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
        <Precision as Choice>::parse(text)
            .ok_or_else(|| format!("unknown precision {text:?} (expected high or fast)"))
    }
}

impl Choice for Precision {
    const ALL: &'static [Precision] = &[Precision::High, Precision::Fast];
    const VAR: &'static str = "VEXPR_PRECISION";
    fn name(self) -> &'static str {
        Precision::name(self)
    }
}

/// The process-wide precision.
static PRECISION: Setting<Precision> = Setting::new();

/// The precision evaluations use unless a call asks for another: [`set_precision`]'s, else
/// the environment variable `VEXPR_PRECISION` (`high` or `fast`; another value is ignored
/// with a warning), else `high`.
///
/// ```
/// assert!(matches!(vexpr::get_precision(), vexpr::Precision::High | vexpr::Precision::Fast));
/// ```
pub fn get_precision() -> Precision {
    PRECISION.get()
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
    PRECISION.set(precision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for p in Precision::ALL {
            assert_eq!(p.name().parse::<Precision>(), Ok(p));
        }
        assert!("medium".parse::<Precision>().is_err());
    }
}
