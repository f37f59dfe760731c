//! The persistent worker pool: `n - 1` threads that sleep between jobs, plus the calling
//! thread, which always works too.
//!
//! A job is `tasks` numbered pieces of work and a function that runs one of them. It lives on
//! the caller's stack; the caller publishes a pointer to it, wakes the workers it wants, and
//! every participant claims task numbers from one atomic counter until none are left. The
//! caller then closes the job and waits until no worker is inside it before returning, even
//! when unwinding, so the borrowed job never outlives its frame.
//!
//! Rules (documented on [`crate::set_num_threads`] too):
//! - one job at a time: a caller that finds the pool busy (another thread's evaluation is
//!   running on it) runs its tasks serially on its own thread instead of waiting, so any
//!   number of threads may evaluate at once without deadlock;
//! - inside a rayon worker (`rayon::current_thread_index()`), tasks run serially on the
//!   calling thread: the caller's pool already uses the cores, so adding ours would
//!   oversubscribe them;
//! - a task that fails (or panics: caught and turned into an `Internal` error) stops the
//!   others from claiming new tasks; the first error is returned; the pool stays usable.
//! - `fork` (Unix): a `pthread_atfork` hook, registered when the pool starts, holds the pool
//!   lock across the fork, so no job is in flight when the process is copied; the child then
//!   drops the pool it inherited (its threads were not copied) and starts a new one on its
//!   first parallel job. The parent just releases the lock.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossbeam_utils::sync::{Parker, Unparker};
use crossbeam_utils::{Backoff, CachePadded};

use crate::error::{Error, ErrorKind};

/// A task body: runs task `k`.
pub(crate) type Task<'a> = &'a (dyn Fn(usize) -> Result<(), Error> + Sync);

/// One job: the tasks, the claim counter and the outcome.
struct Job<'a> {
    task: Task<'a>,
    tasks: usize,
    /// Workers with an index below this take part (the caller is not counted).
    workers: usize,
    next: CachePadded<AtomicUsize>,
    failed: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl Job<'_> {
    /// Claim and run tasks until none are left or one has failed.
    fn work(&self) {
        while !self.failed.load(Ordering::Relaxed) {
            let k = self.next.fetch_add(1, Ordering::Relaxed);
            if k >= self.tasks {
                break;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| (self.task)(k)))
                .unwrap_or_else(|_| Err(Error::new(ErrorKind::Internal, "a worker panicked")));
            if let Err(e) = outcome {
                self.failed.store(true, Ordering::Relaxed);
                let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
                slot.get_or_insert(e);
            }
        }
    }
}

/// State shared with the worker threads.
struct Shared {
    /// The current job (type-erased `*const Job`), or null between jobs.
    job: AtomicPtr<()>,
    /// Bumped for every job, so sleeping workers know there is a new one.
    epoch: CachePadded<AtomicU64>,
    /// Workers currently between "entered" and "left" a job.
    inside: CachePadded<AtomicUsize>,
}

/// The workers, owned by whoever holds the pool lock.
struct Pool {
    shared: Arc<Shared>,
    unparkers: Vec<Unparker>,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);

/// Keeps the pool consistent across `fork` (see the module docs). Not under Miri, which
/// cannot call `pthread_atfork` (nor fork).
#[cfg(all(unix, not(miri)))]
mod fork {
    use std::cell::RefCell;
    use std::sync::{MutexGuard, Once, PoisonError};

    use super::{POOL, Pool};

    thread_local! {
        /// The pool lock, held by the forking thread from `prepare` to `parent`/`child`.
        static HELD: RefCell<Option<MutexGuard<'static, Option<Pool>>>> =
            const { RefCell::new(None) };
    }

    extern "C" fn prepare() {
        let guard = POOL.lock().unwrap_or_else(PoisonError::into_inner);
        HELD.with(|h| *h.borrow_mut() = Some(guard));
    }

    extern "C" fn parent() {
        HELD.with(|h| h.borrow_mut().take());
    }

    extern "C" fn child() {
        HELD.with(|h| {
            if let Some(mut guard) = h.borrow_mut().take() {
                // The workers were not copied into this process: forget them. Dropping a
                // `Pool` joins nothing; the old shared state stays allocated (the dead
                // threads' references are never released), which is a few bytes per fork.
                *guard = None;
            }
        });
    }

    /// Register the hooks, once per process (children inherit them).
    pub(super) fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            // SAFETY: the three hooks are `extern "C"` functions with the signature
            // `pthread_atfork` expects and live for the whole program. They only lock or
            // unlock the pool mutex and touch a thread-local of the forking thread. If
            // registration fails (ENOMEM), fork keeps the old behaviour: a child runs its
            // evaluations serially, never wrongly.
            unsafe {
                libc::pthread_atfork(Some(prepare), Some(parent), Some(child));
            }
        });
    }
}

/// How long an idle worker spins before it sleeps: back-to-back evaluations find it awake.
const SPIN: Duration = Duration::from_micros(50);

impl Pool {
    fn new() -> Pool {
        Pool {
            shared: Arc::new(Shared {
                job: AtomicPtr::new(ptr::null_mut()),
                epoch: CachePadded::new(AtomicU64::new(0)),
                inside: CachePadded::new(AtomicUsize::new(0)),
            }),
            unparkers: Vec::new(),
        }
    }

    /// Start workers until there are `n` (fewer if the OS refuses threads).
    fn grow(&mut self, n: usize) {
        while self.unparkers.len() < n {
            let index = self.unparkers.len();
            let parker = Parker::new();
            let unparker = parker.unparker().clone();
            let shared = Arc::clone(&self.shared);
            let spawned = std::thread::Builder::new()
                .name(format!("vexpr-worker-{}", index + 1))
                .spawn(move || worker(index, &shared, &parker));
            if spawned.is_err() {
                break;
            }
            self.unparkers.push(unparker);
        }
    }
}

/// A worker thread's loop: wait for a new epoch, enter the job, work, leave.
fn worker(index: usize, shared: &Shared, parker: &Parker) {
    let mut seen = shared.epoch.load(Ordering::Acquire);
    loop {
        let backoff = Backoff::new();
        let idle_since = std::time::Instant::now();
        loop {
            let epoch = shared.epoch.load(Ordering::Acquire);
            if epoch != seen {
                seen = epoch;
                break;
            }
            if backoff.is_completed() && idle_since.elapsed() > SPIN {
                // An unpark that raced with this check is remembered by the parker.
                parker.park_timeout(Duration::from_millis(500));
            } else {
                backoff.snooze();
            }
        }
        // Enter before reading the job; the caller closes the job before reading `inside`.
        // With both sides SeqCst, either this thread sees the job null, or the caller sees
        // this thread inside and waits for it.
        shared.inside.fetch_add(1, Ordering::SeqCst);
        let job = shared.job.load(Ordering::SeqCst) as *const Job<'static>;
        if !job.is_null() {
            // SAFETY: the job pointer is non-null, so the caller that published it has not
            // closed it yet, and it will not return (and free the job on its stack) until
            // `inside` drops to zero, which needs this thread's decrement below. `Job` is only
            // read through shared references and its mutable parts are atomics or a mutex.
            let job = unsafe { &*job };
            if index < job.workers {
                job.work();
            }
        }
        shared.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Closes a published job and waits for the workers to leave it, also when unwinding.
struct Close<'p> {
    shared: &'p Shared,
}

impl Drop for Close<'_> {
    fn drop(&mut self) {
        self.shared.job.store(ptr::null_mut(), Ordering::SeqCst);
        let backoff = Backoff::new();
        while self.shared.inside.load(Ordering::SeqCst) != 0 {
            backoff.snooze();
        }
    }
}

/// Run tasks `0..tasks` on up to `threads` threads (the caller's included); see the module
/// docs for when they run serially. Returns the first error.
pub(crate) fn run(threads: usize, tasks: usize, task: Task<'_>) -> Result<(), Error> {
    let serial = || {
        for k in 0..tasks {
            catch_unwind(AssertUnwindSafe(|| task(k)))
                .unwrap_or_else(|_| Err(Error::new(ErrorKind::Internal, "a task panicked")))?;
        }
        Ok(())
    };
    if threads <= 1 || tasks <= 1 || rayon::current_thread_index().is_some() {
        return serial();
    }
    let mut guard = match POOL.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return serial(),
    };
    let pool = guard.get_or_insert_with(|| {
        #[cfg(all(unix, not(miri)))]
        fork::install();
        Pool::new()
    });
    let workers = (threads - 1).min(tasks - 1);
    pool.grow(workers);
    let workers = workers.min(pool.unparkers.len());
    let job = Job {
        task,
        tasks,
        workers,
        next: CachePadded::new(AtomicUsize::new(0)),
        failed: AtomicBool::new(false),
        error: Mutex::new(None),
    };
    {
        let shared = &*pool.shared;
        let _close = Close { shared };
        shared
            .job
            .store(&job as *const Job<'_> as *mut (), Ordering::SeqCst);
        shared.epoch.fetch_add(1, Ordering::SeqCst);
        for u in &pool.unparkers[..workers] {
            u.unpark();
        }
        job.work();
        // `_close` closes the job and waits for every worker to leave it.
    }
    match job
        .error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_runs_exactly_once() {
        for threads in [1, 2, 3, 8] {
            let hits: Vec<AtomicUsize> = (0..100).map(|_| AtomicUsize::new(0)).collect();
            run(threads, hits.len(), &|k| {
                hits[k].fetch_add(1, Ordering::Relaxed);
                Ok(())
            })
            .unwrap();
            assert!(
                hits.iter().all(|h| h.load(Ordering::Relaxed) == 1),
                "{threads}"
            );
        }
    }

    #[test]
    fn the_first_error_stops_the_job_and_the_pool_stays_usable() {
        let ran = AtomicUsize::new(0);
        let r = run(2, 1000, &|k| {
            ran.fetch_add(1, Ordering::Relaxed);
            if k == 3 {
                Err(Error::new(ErrorKind::Cancelled, "stop"))
            } else {
                Ok(())
            }
        });
        assert_eq!(r.map_err(|e| e.kind()), Err(ErrorKind::Cancelled));
        assert!(ran.load(Ordering::Relaxed) < 1000);
        assert!(run(2, 10, &|_| Ok(())).is_ok());
    }

    #[test]
    fn a_panicking_task_becomes_an_error() {
        let r = run(2, 4, &|k| {
            if k == 1 {
                panic!("boom");
            }
            Ok(())
        });
        assert_eq!(r.map_err(|e| e.kind()), Err(ErrorKind::Internal));
        assert!(run(2, 4, &|_| Ok(())).is_ok());
    }

    #[test]
    fn concurrent_callers_all_finish() {
        std::thread::scope(|s| {
            for t in 0..4 {
                s.spawn(move || {
                    for _ in 0..20 {
                        let sum = AtomicUsize::new(0);
                        run(2, 16, &|k| {
                            sum.fetch_add(k + t, Ordering::Relaxed);
                            Ok(())
                        })
                        .unwrap();
                        assert_eq!(sum.load(Ordering::Relaxed), 120 + 16 * t);
                    }
                });
            }
        });
    }

    /// Threads that ran at least one of `tasks` tasks of a 2-thread job (each task sleeps a
    /// little so a woken worker has time to claim some).
    fn threads_used(tasks: usize) -> usize {
        let ids = Mutex::new(std::collections::HashSet::new());
        run(2, tasks, &|_| {
            std::thread::sleep(Duration::from_millis(2));
            ids.lock().unwrap().insert(std::thread::current().id());
            Ok(())
        })
        .unwrap();
        ids.into_inner().unwrap().len()
    }

    /// Fork; the child runs `body` and exits with its status; the parent waits at most 30 s.
    #[cfg(unix)]
    fn in_child(body: impl FnOnce() -> bool) -> bool {
        // SAFETY: the child only runs `body` (which takes locks and spawns threads: glibc's
        // allocator and the pool's hooks are fork-safe) and leaves with `_exit`, which runs
        // no destructor or test-harness code of the copied process.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = std::panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(false);
            // SAFETY: ends the child at once, see above.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let start = std::time::Instant::now();
        loop {
            let mut status = 0;
            // SAFETY: `pid` is our child; `status` is a valid out-pointer.
            let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if done == pid {
                return libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            }
            if start.elapsed() > Duration::from_secs(30) {
                // SAFETY: kill and reap our own hung child.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                    libc::waitpid(pid, &mut status, 0);
                }
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    #[cfg(unix)]
    #[cfg_attr(miri, ignore)] // Miri cannot fork
    fn a_forked_child_gets_a_working_pool_of_its_own() {
        // The parent's pool exists and has run jobs on two threads.
        assert!((0..20).any(|_| threads_used(16) == 2));
        // The child's first parallel job starts a new pool: tasks run on two threads again
        // (the inherited workers do not exist in the child), and the results are whole.
        let child_ok = in_child(|| {
            let every_task_ran = {
                let hits: Vec<AtomicUsize> = (0..64).map(|_| AtomicUsize::new(0)).collect();
                run(2, hits.len(), &|k| {
                    hits[k].fetch_add(1, Ordering::Relaxed);
                    Ok(())
                })
                .is_ok()
                    && hits.iter().all(|h| h.load(Ordering::Relaxed) == 1)
            };
            every_task_ran && (0..20).any(|_| threads_used(16) == 2)
        });
        assert!(child_ok, "the child hung, failed, or ran serially");
        // The parent's pool is unaffected.
        assert!((0..20).any(|_| threads_used(16) == 2));
    }

    #[test]
    #[cfg(unix)]
    #[cfg_attr(miri, ignore)] // Miri cannot fork
    fn fork_while_another_thread_runs_jobs() {
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    threads_used(8);
                }
            });
            for _ in 0..5 {
                assert!(in_child(|| (0..20).any(|_| threads_used(16) == 2)));
            }
            stop.store(true, Ordering::Relaxed);
        });
    }

    #[test]
    // rayon's deque (crossbeam-epoch 0.9) retags a pointer in a way Stacked Borrows rejects,
    // inside rayon's own worker threads: not this crate's code, so Miri skips this one.
    #[cfg_attr(miri, ignore)]
    fn inside_rayon_tasks_run_on_the_caller() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            let me = std::thread::current().id();
            let others = AtomicUsize::new(0);
            run(4, 8, &|_| {
                if std::thread::current().id() != me {
                    others.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(others.load(Ordering::Relaxed), 0);
        });
    }
}
