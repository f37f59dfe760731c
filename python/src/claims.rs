//! The memory that evaluations in flight read and write.
//!
//! The GIL is released while vexpr computes, so two Python threads may run evaluations at
//! once. Reading the same arrays is fine; but if one evaluation writes an `out` that another
//! one reads or writes, the binding would hold a mutable view and another view of the same
//! memory on two threads. Each run therefore claims the byte ranges of its inputs (reads)
//! and of the `out` it writes in place (a write) for as long as it runs; a claim that would
//! conflict is refused with a `ValueError` instead of racing. Claims are taken and released
//! with the GIL held.

use std::fmt;
use std::sync::{Mutex, PoisonError};

/// A byte range `[lo, hi)`.
pub(crate) type Extent = (usize, usize);

struct Claim {
    run: u64,
    extent: Extent,
    write: bool,
}

struct Claims {
    next_run: u64,
    live: Vec<Claim>,
}

static CLAIMS: Mutex<Claims> = Mutex::new(Claims {
    next_run: 0,
    live: Vec::new(),
});

/// Releases a run's claims when dropped.
pub(crate) struct Held {
    run: u64,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut claims = CLAIMS.lock().unwrap_or_else(PoisonError::into_inner);
        claims.live.retain(|c| c.run != self.run);
    }
}

fn meets(a: Extent, b: Extent) -> bool {
    a.0 < a.1 && b.0 < b.1 && a.0 < b.1 && b.0 < a.1
}

/// A claim refused because it meets a conflicting one of another run.
#[derive(Debug)]
pub(crate) struct Conflict;

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "another thread's evaluation is writing an input of this one, or reading or \
             writing its `out`: vexpr refuses to race on the same memory",
        )
    }
}

/// Claim `reads` and `write` for one run, or refuse if another run in flight writes any of
/// them, or reads or writes `write`.
pub(crate) fn claim(reads: &[Extent], write: Option<Extent>) -> Result<Held, Conflict> {
    let mut claims = CLAIMS.lock().unwrap_or_else(PoisonError::into_inner);
    for c in &claims.live {
        let read_conflict = c.write && reads.iter().any(|&r| meets(r, c.extent));
        let write_conflict = write.is_some_and(|w| meets(w, c.extent));
        if read_conflict || write_conflict {
            return Err(Conflict);
        }
    }
    let run = claims.next_run;
    claims.next_run += 1;
    let reads = reads.iter().map(|&extent| Claim {
        run,
        extent,
        write: false,
    });
    let write = write.map(|extent| Claim {
        run,
        extent,
        write: true,
    });
    claims.live.extend(reads.chain(write));
    Ok(Held { run })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_share_and_writes_exclude() {
        let _a = claim(&[(0, 100)], Some((1000, 1100))).unwrap();
        // Reading what another run reads: fine.
        let b = claim(&[(50, 60)], None).unwrap();
        // Reading what another run writes, or writing what it reads: refused.
        assert!(claim(&[(1099, 1200)], None).is_err());
        assert!(claim(&[], Some((90, 95))).is_err());
        // Adjacent ranges do not meet.
        assert!(claim(&[(1100, 1200)], Some((100, 200))).is_ok());
        drop(b);
        // Released claims no longer conflict; empty ranges never do.
        assert!(claim(&[(5, 5)], Some((55, 55))).is_ok());
    }
}
