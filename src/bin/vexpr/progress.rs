//! A progress bar on stderr for long evaluations: elements done, the share of the total,
//! the rate, and the run for a `--time` loop.
//!
//! In: the elements one run evaluates, how many runs, and the work, which advances a
//! counter (`RunOptions::progress`). Out: nothing on stdout; on stderr, when it is a
//! terminal and the work has taken longer than [`DELAY`], a bar redrawn in place every
//! [`TICK`] and erased when the work ends (so results and errors print on a clean line).
//! Off when stderr is not a terminal: scripts and logs see no control characters.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the work runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(100);

/// Width of the bar itself, in characters.
const WIDTH: usize = 30;

/// Run `work` with a counter of elements done; `per_run` elements make one run, `runs`
/// runs the whole work. Draws the bar on a terminal (see the module doc).
pub(crate) fn watch<R>(per_run: u64, runs: u64, work: impl FnOnce(&AtomicU64) -> R) -> R {
    let counter = AtomicU64::new(0);
    if !std::io::stderr().is_terminal() {
        return work(&counter);
    }
    let total = per_run.saturating_mul(runs.max(1));
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::scope(|s| {
        let counter = &counter;
        s.spawn(move || {
            let start = Instant::now();
            if stopped.recv_timeout(DELAY) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            loop {
                let done = counter.load(Ordering::Relaxed);
                let line = bar(done, total, per_run, runs, start.elapsed().as_secs_f64());
                let _ = write!(std::io::stderr().lock(), "\r{line}\x1b[K");
                if stopped.recv_timeout(TICK) != Err(mpsc::RecvTimeoutError::Timeout) {
                    break;
                }
            }
            // Erase the bar: what follows starts on a clean line.
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        });
        let result = work(counter);
        let _ = stop.send(());
        result
    })
}

/// The bar's text: `[#####.....]  45%  45.0 M / 100.0 M elements  512.3 M/s  run 3/10`.
pub(crate) fn bar(done: u64, total: u64, per_run: u64, runs: u64, seconds: f64) -> String {
    let share = if total == 0 {
        1.0
    } else {
        (done as f64 / total as f64).min(1.0)
    };
    let filled = ((share * WIDTH as f64) as usize).min(WIDTH);
    let rate = if seconds > 0.0 {
        done as f64 / seconds / 1e6
    } else {
        0.0
    };
    let mut line = format!(
        "[{}{}] {:>3.0}%  {} / {} elements  {rate:.1} M/s",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        share * 100.0,
        millions(done.min(total)),
        millions(total),
    );
    if runs > 1 && per_run > 0 {
        let run = (done / per_run + 1).min(runs);
        line.push_str(&format!("  run {run}/{runs}"));
    }
    line
}

/// The number of elements of the broadcast of `shapes` (what one run evaluates).
pub(crate) fn broadcast_len<'s>(shapes: impl Iterator<Item = &'s [usize]>) -> u64 {
    let mut dims: Vec<usize> = Vec::new();
    for shape in shapes {
        if shape.len() > dims.len() {
            let extra = shape.len() - dims.len();
            dims.splice(0..0, std::iter::repeat_n(1, extra));
        }
        let offset = dims.len() - shape.len();
        for (d, &s) in dims[offset..].iter_mut().zip(shape) {
            *d = if *d == 0 || s == 0 { 0 } else { (*d).max(s) };
        }
    }
    dims.iter().map(|&d| d as u64).product()
}

/// A count in millions, `45.0 M`.
fn millions(n: u64) -> String {
    format!("{:.1} M", n as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_share_counts_rate_and_run() {
        let line = bar(45_000_000, 100_000_000, 100_000_000, 1, 0.5);
        assert_eq!(
            line,
            "[#############.................]  45%  45.0 M / 100.0 M elements  90.0 M/s"
        );
        let line = bar(250, 1000, 100, 10, 1.0);
        assert!(line.ends_with("run 3/10"), "{line}");
        let quarter = format!("[{}{}]  25%", "#".repeat(7), ".".repeat(23));
        assert!(line.starts_with(&quarter), "{line}");
        // Overshoot (a total estimated low) and an empty total stay within the bar.
        assert!(bar(5000, 1000, 1000, 1, 1.0).starts_with(&format!("[{}] 100%", "#".repeat(30))));
        assert!(bar(0, 0, 0, 1, 0.0).contains("100%"));
    }

    #[test]
    fn the_work_runs_and_gives_its_value() {
        // Quicker than the delay: nothing is drawn even on a terminal.
        let got = watch(10, 2, |c| {
            c.fetch_add(20, Ordering::Relaxed);
            7
        });
        assert_eq!(got, 7);
    }

    #[test]
    fn broadcast_lengths() {
        let len = |shapes: &[&[usize]]| broadcast_len(shapes.iter().copied());
        assert_eq!(len(&[]), 1);
        assert_eq!(len(&[&[]]), 1);
        assert_eq!(len(&[&[5], &[]]), 5);
        assert_eq!(len(&[&[3, 1], &[4]]), 12);
        assert_eq!(len(&[&[2, 1, 4], &[3, 1]]), 24);
        assert_eq!(len(&[&[0, 4], &[4]]), 0);
        assert_eq!(len(&[&[1], &[0]]), 0);
    }
}
