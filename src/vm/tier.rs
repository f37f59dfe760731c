//! Which tier runs a program: the interpreter's kernels, or the program's element-wise
//! segments compiled to machine code (`vm::native`, feature `jit`).
//!
//! In: an [`Executable`](super::Executable), the run's ISA, which inputs are one value for
//! every element, the run's size and the [`Jit`] mode. Out: `None` (interpret), or a [`Native`]
//! schedule: the program's instructions as units, each one kernel step or one native segment
//! called with the frame's slot pointers.
//!
//! Tiering: with [`Jit::Auto`] (the default) a program is interpreted until the elements it
//! has run add up to [`TIER_UP`], then compiled once and run natively from then on; the
//! compile costs a few hundred microseconds, which that much work repays (BENCHMARKS.md, "Native
//! tier threshold"). [`Jit::Always`] compiles on the first run, [`Jit::Off`] never. The code
//! depends on the ISA and on which inputs are splats, so it is cached per (ISA, splat layout)
//! in the executable, compiled once even when threads race, and freed with it. A compile that
//! fails is reported once on stderr and the interpreter runs instead; it never panics.

use crate::vm::setting::{Choice, Setting};

/// When the native tier compiles a program's element-wise segments to machine code.
///
/// ```
/// use vexpr::Jit;
/// assert_eq!(Jit::default(), Jit::Auto);
/// assert_eq!("always".parse::<Jit>(), Ok(Jit::Always));
/// assert_eq!(Jit::Off.to_string(), "off");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Jit {
    /// Interpret only.
    Off,
    /// Compile a program once it has processed enough elements to repay the compile.
    #[default]
    Auto,
    /// Compile a program on its first run (for tests and measurements).
    Always,
}

impl Jit {
    /// The lower-case name (`off`, `auto`, `always`).
    pub fn name(self) -> &'static str {
        match self {
            Jit::Off => "off",
            Jit::Auto => "auto",
            Jit::Always => "always",
        }
    }
}

impl Choice for Jit {
    const ALL: &'static [Jit] = &[Jit::Off, Jit::Auto, Jit::Always];
    const VAR: &'static str = "VEXPR_JIT";
    fn name(self) -> &'static str {
        Jit::name(self)
    }
}

impl std::fmt::Display for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Jit {
    type Err = String;

    /// `off`, `auto` or `always`, in any case.
    fn from_str(text: &str) -> Result<Jit, String> {
        <Jit as Choice>::parse(text)
            .ok_or_else(|| format!("unknown jit mode {text:?} (expected off, auto or always)"))
    }
}

/// The process-wide mode.
static JIT: Setting<Jit> = Setting::new();

/// The native tier's mode unless a call asks for another: [`set_jit`]'s, else the
/// environment variable `VEXPR_JIT` (`off`, `auto` or `always`; another value is ignored with
/// a warning), else `auto`. A build without the `jit` feature always interprets.
///
/// ```
/// let mode = vexpr::get_jit();
/// assert!(["off", "auto", "always"].contains(&mode.name()));
/// ```
pub fn get_jit() -> Jit {
    JIT.get()
}

/// Set the native tier's mode; returns the previous one.
///
/// ```
/// let before = vexpr::set_jit(vexpr::Jit::Off);
/// assert_eq!(vexpr::get_jit(), vexpr::Jit::Off);
/// vexpr::set_jit(before);
/// ```
pub fn set_jit(jit: Jit) -> Jit {
    JIT.set(jit)
}

/// Elements a program runs interpreted, summed over its runs, before [`Jit::Auto`] compiles
/// it: the measured point where the compile (about 200-650 us) is repaid by the time native
/// code saves per element (examples/jit_threshold.rs, BENCHMARKS.md).
pub(crate) const TIER_UP: u64 = 1 << 18;

/// Elements a whole-piece native call handles at once (so cancellation and progress are
/// checked this often).
pub(crate) const WHOLE_CHUNK: usize = 1 << 20;

/// A compiled segment's entry point: one pointer per live-in, then one per live-out; `n`
/// elements (`vm::native`'s contract).
pub(crate) type Entry = unsafe extern "C" fn(args: *const *mut u8, n: usize);

/// One thing the block loop runs.
#[derive(Clone, Debug)]
#[cfg_attr(not(feature = "jit"), allow(dead_code))] // only native schedules are made of units
pub(crate) enum Unit {
    /// The kernel of step `k`.
    Kernel(usize),
    /// A native segment: its entry point and the frame slots of its arguments (live-ins, then
    /// live-outs).
    Native { entry: Entry, slots: Box<[u32]> },
}

/// A program's native schedule for one ISA and splat layout, with the code it calls.
#[derive(Debug)]
pub(crate) struct Native {
    /// The program's instructions, in order, as kernel steps and native segments.
    pub units: Vec<Unit>,
    /// Whether the whole program is one native segment writing the output (no reduction), so
    /// a contiguous run can call it once over a whole piece instead of per block.
    pub whole: bool,
    /// Owns the machine code the entries point into; freed with the schedule.
    #[cfg(feature = "jit")]
    _code: crate::vm::native::Code,
}

#[cfg(test)]
thread_local! {
    /// Set by a test: the next compiles on this thread fail, as a Cranelift error would.
    pub(crate) static FAIL_COMPILE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether anything in a build can run natively.
pub(crate) const BUILT: bool = cfg!(feature = "jit");

/// The native schedule of `prog` for `isa` with input `k` a splat where `splat[k]`:
/// `Ok(None)` when no instruction has native code.
#[cfg(feature = "jit")]
pub(crate) fn compile(
    prog: &crate::bytecode::Program,
    layout: crate::vm::frame::Layout,
    isa: crate::vm::isa::SupportedIsa,
    splat: &[bool],
) -> Result<Option<Native>, crate::error::Error> {
    use crate::bytecode::Operand;
    use crate::vm::native::{MAX_SEGMENT_LEN, Request, eligible, segments};

    #[cfg(test)]
    if FAIL_COMPILE.get() {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::Internal,
            "a compile failure injected by a test",
        ));
    }
    let segs = segments(prog, |i| eligible(i.op), MAX_SEGMENT_LEN);
    if segs.is_empty() {
        return Ok(None);
    }
    let flags: Vec<Vec<bool>> = segs
        .iter()
        .map(|s| {
            s.live_in
                .iter()
                .map(|op| matches!(op, Operand::Input(k) if splat[*k as usize]))
                .collect()
        })
        .collect();
    let requests: Vec<Request<'_>> = segs
        .iter()
        .zip(&flags)
        .map(|(segment, splat)| Request { segment, splat })
        .collect();
    let code = crate::vm::native::compile(prog, &requests, isa, None, false)?;
    let mut units = Vec::new();
    let mut pc = 0;
    for (k, seg) in segs.iter().enumerate() {
        units.extend((pc..seg.instrs.start).map(Unit::Kernel));
        let (entry, _) = code.function(k).ok_or_else(|| {
            crate::error::Error::new(
                crate::error::ErrorKind::Internal,
                "a segment was not compiled",
            )
        })?;
        let slots = seg
            .live_in
            .iter()
            .map(|&op| layout.operand(op))
            .chain(seg.live_out.iter().map(|&d| layout.dst(d)))
            .collect();
        units.push(Unit::Native { entry, slots });
        pc = seg.instrs.end;
    }
    units.extend((pc..prog.instrs.len()).map(Unit::Kernel));
    let whole = prog.reduction.is_none() && units.len() == 1;
    Ok(Some(Native {
        units,
        whole,
        _code: code,
    }))
}

/// The instruction ranges that would run natively (for the disassembly): none without the
/// `jit` feature.
pub(crate) fn segments(prog: &crate::bytecode::Program) -> Vec<std::ops::Range<usize>> {
    #[cfg(feature = "jit")]
    {
        use crate::vm::native::{MAX_SEGMENT_LEN, eligible, segments};
        segments(prog, |i| eligible(i.op), MAX_SEGMENT_LEN)
            .into_iter()
            .map(|s| s.instrs)
            .collect()
    }
    #[cfg(not(feature = "jit"))]
    {
        let _ = prog;
        Vec::new()
    }
}

/// Report a failed native compile once per process (the interpreter runs instead).
#[cfg(feature = "jit")]
pub(crate) fn report_failure(e: &crate::error::Error) {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if !REPORTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        eprintln!(
            "vexpr: warning: the native tier could not compile a program ({}); interpreting it",
            e.message()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back() {
        for &j in Jit::ALL {
            assert_eq!(j.name().parse::<Jit>(), Ok(j));
        }
        assert!("sometimes".parse::<Jit>().is_err());
        assert_eq!(Jit::expected(), "off, auto or always");
    }
}
