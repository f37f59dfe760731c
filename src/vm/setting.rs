//! Process-wide settings chosen from a few named values: set at run time, else read once from
//! an environment variable, else a default (the precision switch, the native tier's mode).
//!
//! A value of the variable that names none of the choices is ignored with one warning line on
//! stderr, as a bad `VEXPR_NUM_THREADS` is.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU8, Ordering};

/// A setting's values: a small enum with names.
pub(crate) trait Choice: Copy + Default + PartialEq + 'static {
    /// Every value, in index order (at most 255).
    const ALL: &'static [Self];
    /// The environment variable that sets it.
    const VAR: &'static str;

    /// The lower-case name.
    fn name(self) -> &'static str;

    /// The value called `text` (any case, spaces around ignored).
    fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The names, for messages: `a, b or c`.
    fn expected() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        }
    }
}

/// The value the environment gives (`get` reads a variable), else the default; an
/// unknown value is reported through `warn` and ignored.
pub(crate) fn from_env<T: Choice>(
    get: impl Fn(&str) -> Option<String>,
    warn: &mut dyn FnMut(String),
) -> T {
    match get(T::VAR) {
        None => T::default(),
        Some(value) => T::parse(&value).unwrap_or_else(|| {
            warn(format!(
                "vexpr: ignoring {}={value:?}: expected {}; using {}",
                T::VAR,
                T::expected(),
                T::default().name()
            ));
            T::default()
        }),
    }
}

/// One process-wide setting of type `T`.
pub(crate) struct Setting<T> {
    /// 0 until first use; then 1 + the value's index in `T::ALL`.
    value: AtomicU8,
    kind: PhantomData<T>,
}

impl<T: Choice> Setting<T> {
    /// Not read yet.
    pub(crate) const fn new() -> Setting<T> {
        Setting {
            value: AtomicU8::new(0),
            kind: PhantomData,
        }
    }

    fn encode(v: T) -> u8 {
        T::ALL
            .iter()
            .position(|&x| x == v)
            .map_or(1, |i| i as u8 + 1)
    }

    fn decode(code: u8) -> T {
        T::ALL
            .get(usize::from(code.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    /// The current value (the environment's on first use).
    pub(crate) fn get(&self) -> T {
        match self.value.load(Ordering::Relaxed) {
            0 => {
                let v = from_env::<T>(|var| std::env::var(var).ok(), &mut |m| eprintln!("{m}"));
                match self.value.compare_exchange(
                    0,
                    Self::encode(v),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => v,
                    Err(current) => Self::decode(current),
                }
            }
            code => Self::decode(code),
        }
    }

    /// Set it; returns the previous value.
    pub(crate) fn set(&self, v: T) -> T {
        let before = self.get();
        self.value.store(Self::encode(v), Ordering::Relaxed);
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, Default, PartialEq)]
    enum Colour {
        #[default]
        Red,
        Green,
        Blue,
    }

    impl Choice for Colour {
        const ALL: &'static [Colour] = &[Colour::Red, Colour::Green, Colour::Blue];
        const VAR: &'static str = "VEXPR_TEST_COLOUR";
        fn name(self) -> &'static str {
            match self {
                Colour::Red => "red",
                Colour::Green => "green",
                Colour::Blue => "blue",
            }
        }
    }

    #[test]
    fn the_environment_is_read_and_bad_values_are_reported() {
        let mut warnings = Vec::new();
        let env = |v: Option<&'static str>| move |_: &str| v.map(str::to_string);
        let mut read = |v| from_env::<Colour>(env(v), &mut |m: String| warnings.push(m));
        assert_eq!(read(None), Colour::Red);
        assert_eq!(read(Some(" GREEN ")), Colour::Green);
        assert_eq!(read(Some("mauve")), Colour::Red);
        assert_eq!(
            warnings,
            ["vexpr: ignoring VEXPR_TEST_COLOUR=\"mauve\": expected red, green or blue; using red"]
        );
    }

    #[test]
    fn set_returns_the_previous_value() {
        static S: Setting<Colour> = Setting::new();
        assert_eq!(S.get(), Colour::Red);
        assert_eq!(S.set(Colour::Blue), Colour::Red);
        assert_eq!(S.set(Colour::Green), Colour::Blue);
        assert_eq!(S.get(), Colour::Green);
    }
}
