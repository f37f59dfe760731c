//! Threads: the process-wide thread count and the persistent worker pool ([`workers`]).
//!
//! The thread count is configured the way users of numexpr, OpenMP and BLAS know:
//! [`set_num_threads`] at run time, otherwise `VEXPR_NUM_THREADS`, then `OMP_NUM_THREADS`, then
//! the number of cores (`std::thread::available_parallelism`). A variable that is not a
//! positive integer up to [`MAX_THREADS`] is ignored with a warning on stderr (once), as
//! numexpr ignores a bad `NUMEXPR_NUM_THREADS`.

mod workers;

pub(crate) use workers::run;

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, ErrorKind};

/// The largest thread count accepted.
pub const MAX_THREADS: usize = 1024;

/// 0 until first use; then the current thread count.
static THREADS: AtomicUsize = AtomicUsize::new(0);

/// Parse a thread-count variable's value.
fn parse_threads(value: &str) -> Option<usize> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|&n| (1..=MAX_THREADS).contains(&n))
}

/// The thread count from the environment (`get` reads a variable), else `cores`.
fn from_env(
    get: impl Fn(&str) -> Option<String>,
    cores: usize,
    warn: &mut dyn FnMut(String),
) -> usize {
    for var in ["VEXPR_NUM_THREADS", "OMP_NUM_THREADS"] {
        if let Some(value) = get(var) {
            match parse_threads(&value) {
                Some(n) => return n,
                None => warn(format!(
                    "vexpr: ignoring {var}={value:?}: expected a whole number from 1 to {MAX_THREADS}"
                )),
            }
        }
    }
    cores.clamp(1, MAX_THREADS)
}

fn initial() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    from_env(|v| std::env::var(v).ok(), cores, &mut |m| eprintln!("{m}"))
}

/// The number of threads evaluations use (the caller's thread included).
///
/// ```
/// assert!(vexpr::get_num_threads() >= 1);
/// ```
pub fn get_num_threads() -> usize {
    match THREADS.load(Ordering::Relaxed) {
        0 => {
            let n = initial();
            // Another thread may have set it meanwhile: keep theirs.
            match THREADS.compare_exchange(0, n, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => n,
                Err(current) => current,
            }
        }
        n => n,
    }
}

/// Set the number of threads evaluations use; returns the previous value.
///
/// `n` must be from 1 to 1,024; anything else is an error and changes nothing.
///
/// ```
/// let before = vexpr::set_num_threads(1)?;
/// assert_eq!(vexpr::get_num_threads(), 1);
/// vexpr::set_num_threads(before)?;
/// assert!(vexpr::set_num_threads(0).is_err());
/// # Ok::<(), vexpr::Error>(())
/// ```
pub fn set_num_threads(n: usize) -> Result<usize, Error> {
    if !(1..=MAX_THREADS).contains(&n) {
        return Err(Error::new(
            ErrorKind::Input,
            format!("the thread count must be from 1 to {MAX_THREADS}, not {n}"),
        ));
    }
    get_num_threads(); // initialise from the environment first
    Ok(THREADS.swap(n, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn variables_in_order_of_precedence() {
        let mut warnings = Vec::new();
        let mut warn = |m: String| warnings.push(m);
        assert_eq!(from_env(env(&[]), 8, &mut warn), 8);
        assert_eq!(from_env(env(&[("OMP_NUM_THREADS", "3")]), 8, &mut warn), 3);
        assert_eq!(
            from_env(
                env(&[("VEXPR_NUM_THREADS", "2"), ("OMP_NUM_THREADS", "3")]),
                8,
                &mut warn
            ),
            2
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn bad_values_are_ignored_with_a_warning() {
        for bad in ["0", "-1", "two", "", "1.5", "100000"] {
            let mut warnings = Vec::new();
            let n = from_env(
                env(&[("VEXPR_NUM_THREADS", bad), ("OMP_NUM_THREADS", "4")]),
                8,
                &mut |m| warnings.push(m),
            );
            assert_eq!(n, 4, "{bad:?}");
            assert_eq!(warnings.len(), 1, "{bad:?}");
            assert!(warnings[0].contains("VEXPR_NUM_THREADS"), "{}", warnings[0]);
        }
        assert_eq!(
            from_env(env(&[("OMP_NUM_THREADS", "x")]), 0, &mut |_| {}),
            1
        );
        assert_eq!(parse_threads(" 7 "), Some(7));
    }
}
