//! Wall-clock timing of repeated runs: `eval --time`, `:time` and `demo`.
//!
//! In: a closure that runs one evaluation, and how many times to run it. Out: a [`Timing`]
//! (the seconds of each run, sorted) with its median, minimum and maximum. The caller does
//! the warm-up run; only the closure is inside the timed region.

use std::time::{Duration, Instant};

/// The durations of a series of runs, in seconds, sorted (never empty).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Timing {
    /// Seconds per run, ascending.
    seconds: Vec<f64>,
}

impl Timing {
    /// From measured durations, in any order; `None` when there are none.
    pub(crate) fn from_seconds(mut seconds: Vec<f64>) -> Option<Timing> {
        if seconds.is_empty() {
            return None;
        }
        seconds.sort_by(f64::total_cmp);
        Some(Timing { seconds })
    }

    /// The number of runs.
    pub(crate) fn runs(&self) -> usize {
        self.seconds.len()
    }

    /// The median (the mean of the middle two for an even count).
    pub(crate) fn median(&self) -> f64 {
        let n = self.seconds.len();
        let upper = self.seconds.get(n / 2).copied().unwrap_or(0.0);
        if n % 2 == 1 {
            upper
        } else {
            let lower = self.seconds.get(n / 2 - 1).copied().unwrap_or(upper);
            (lower + upper) / 2.0
        }
    }

    /// The fastest run.
    pub(crate) fn min(&self) -> f64 {
        self.seconds.first().copied().unwrap_or(0.0)
    }

    /// The slowest run.
    pub(crate) fn max(&self) -> f64 {
        self.seconds.last().copied().unwrap_or(0.0)
    }

    /// The machine-readable line `eval --time` ends with.
    pub(crate) fn line(&self) -> String {
        format!(
            "time: median_s={:.9} min_s={:.9} max_s={:.9} runs={}",
            self.median(),
            self.min(),
            self.max(),
            self.runs()
        )
    }
}

/// Run `run` `runs` times (at least once) and time each run. The first error stops it.
pub(crate) fn repeat<E>(runs: u64, mut run: impl FnMut() -> Result<(), E>) -> Result<Timing, E> {
    let mut seconds = Vec::new();
    for _ in 0..runs.max(1) {
        seconds.push(timed(&mut run)?);
    }
    Ok(Timing::from_seconds(seconds).unwrap_or(Timing { seconds: vec![0.0] }))
}

/// Run `run` at least `min_runs` times, and more while the total stays under `budget`, up
/// to `max_runs`: enough runs for a stable median without a long wait.
pub(crate) fn adaptive<E>(
    min_runs: usize,
    max_runs: usize,
    budget: Duration,
    mut run: impl FnMut() -> Result<(), E>,
) -> Result<Timing, E> {
    let start = Instant::now();
    let mut seconds = Vec::new();
    while seconds.len() < min_runs.max(1) || (seconds.len() < max_runs && start.elapsed() < budget)
    {
        seconds.push(timed(&mut run)?);
    }
    Ok(Timing::from_seconds(seconds).unwrap_or(Timing { seconds: vec![0.0] }))
}

/// The seconds one call of `run` takes.
fn timed<E>(run: &mut impl FnMut() -> Result<(), E>) -> Result<f64, E> {
    let start = Instant::now();
    run()?;
    Ok(start.elapsed().as_secs_f64())
}

/// A duration in seconds as a short human text: `812 ns`, `3.42 ms`, `1.25 s`.
pub(crate) fn human(seconds: f64) -> String {
    if seconds < 1e-6 {
        format!("{:.0} ns", seconds * 1e9)
    } else if seconds < 1e-3 {
        format!("{:.2} us", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_of_odd_and_even_counts() {
        let t = Timing::from_seconds(vec![3.0, 1.0, 2.0]).unwrap();
        assert_eq!((t.median(), t.min(), t.max(), t.runs()), (2.0, 1.0, 3.0, 3));
        let t = Timing::from_seconds(vec![4.0, 1.0, 2.0, 10.0]).unwrap();
        assert_eq!((t.median(), t.min(), t.max()), (3.0, 1.0, 10.0));
        let t = Timing::from_seconds(vec![0.5]).unwrap();
        assert_eq!((t.median(), t.min(), t.max()), (0.5, 0.5, 0.5));
        assert!(Timing::from_seconds(Vec::new()).is_none());
    }

    #[test]
    fn the_line_has_the_contract_format() {
        let t = Timing::from_seconds(vec![0.25, 0.001, 1.5]).unwrap();
        assert_eq!(
            t.line(),
            "time: median_s=0.250000000 min_s=0.001000000 max_s=1.500000000 runs=3"
        );
    }

    #[test]
    fn repeat_runs_exactly_and_stops_at_an_error() {
        let mut calls = 0;
        let t = repeat(4, || {
            calls += 1;
            Ok::<(), ()>(())
        });
        assert_eq!((t.map(|t| t.runs()), calls), (Ok(4), 4));
        let mut calls = 0;
        let e = repeat(5, || {
            calls += 1;
            if calls == 2 { Err("stop") } else { Ok(()) }
        });
        assert_eq!((e.err(), calls), (Some("stop"), 2));
    }

    #[test]
    fn adaptive_respects_its_bounds() {
        let t = adaptive(3, 5, Duration::ZERO, || Ok::<(), ()>(()));
        assert_eq!(t.map(|t| t.runs()), Ok(3));
        let t = adaptive(1, 6, Duration::from_secs(60), || Ok::<(), ()>(()));
        assert_eq!(t.map(|t| t.runs()), Ok(6));
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(5e-7), "500 ns");
        assert_eq!(human(2.5e-5), "25.00 us");
        assert_eq!(human(0.00342), "3.42 ms");
        assert_eq!(human(1.25), "1.25 s");
    }
}
