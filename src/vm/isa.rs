//! Instruction-set selection and dispatch for the block kernels.
//!
//! In: the CPU (via `is_x86_feature_detected!`) and the `VEXPR_ISA` environment variable.
//! Out: a [`SupportedIsa`], the proof that this CPU runs an instruction set (chosen once per
//! process by [`SupportedIsa::detect`]), zero-sized [`Isa`] markers that generic lane code is
//! instantiated with, and [`dispatch`], which runs a [`Kernel`] compiled for a supported ISA.
//!
//! Kernels are plain scalar lane code (`#[inline(always)]`, branch-free) that LLVM
//! auto-vectorises; the instructions it may use are decided by the `#[target_feature]`
//! attributes of the trampoline the kernel is inlined into, not by the crate's build flags
//! (a default build only has SSE2). Invariant: a trampoline for an ISA is only ever called
//! after its features were detected on this CPU. The type system keeps it: [`dispatch`] and
//! the kernel tables take a [`SupportedIsa`], which only CPU detection creates (its field is
//! private), so no code path can hand out a kernel the CPU cannot run.
//!
//! `VEXPR_ISA=baseline|avx2|avx512` (case-insensitive) overrides the choice. Asking for an
//! ISA this CPU lacks falls back to the best one available, and any other value is ignored;
//! either way one warning line on stderr says why and which ISA runs. On targets other than
//! x86-64 only [`IsaKind::Baseline`] exists in practice, and under Miri too.

use std::sync::OnceLock;

/// A zero-sized marker for one instruction set; generic kernels are instantiated per marker.
pub(crate) trait Isa: Copy + Send + Sync + 'static {
    /// Short lower-case name, as accepted by `VEXPR_ISA`.
    const NAME: &'static str;
    /// Whether fused multiply-add is a single instruction here. When false, [`mul_add`]
    /// stays an unfused `a*b + c`, because `f64::mul_add` would call libm's software fma.
    const FMA: bool;
    /// Whether `floor`/`ceil`/`trunc`/`round_ties_even` are single instructions (SSE4.1
    /// `roundpd`); without them those calls become libm calls that stop vectorisation.
    const ROUND: bool;
}

/// x86-64 baseline: SSE2 only (or the plain target on other architectures).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Baseline;

/// AVX2 with FMA (and BMI1/BMI2/LZCNT/POPCNT, which every AVX2 CPU has).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Avx2;

/// AVX-512 F/DQ/VL/BW on top of the AVX2 set.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Avx512;

impl Isa for Baseline {
    const NAME: &'static str = "baseline";
    const FMA: bool = false;
    const ROUND: bool = false;
}

impl Isa for Avx2 {
    const NAME: &'static str = "avx2";
    const FMA: bool = true;
    const ROUND: bool = true;
}

impl Isa for Avx512 {
    const NAME: &'static str = "avx512";
    const FMA: bool = true;
    const ROUND: bool = true;
}

/// `a * b + c`, fused (one rounding) exactly when the ISA has an FMA instruction.
///
/// Kernels use it only where either rounding is acceptable (polynomial evaluation): the
/// result may differ in the last bit between ISAs, within the documented ulp budgets.
#[inline(always)]
pub(crate) fn mul_add<I: Isa>(a: f64, b: f64, c: f64) -> f64 {
    if I::FMA { a.mul_add(b, c) } else { a * b + c }
}

/// The instruction sets a kernel can be compiled for, in increasing order of capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum IsaKind {
    /// SSE2 (x86-64) or the plain target.
    Baseline,
    /// AVX2 + FMA.
    Avx2,
    /// AVX-512 F/DQ/VL/BW.
    Avx512,
}

impl IsaKind {
    /// Every kind, weakest first.
    pub(crate) const ALL: [IsaKind; 3] = [IsaKind::Baseline, IsaKind::Avx2, IsaKind::Avx512];

    /// The name used by `VEXPR_ISA` and in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            IsaKind::Baseline => Baseline::NAME,
            IsaKind::Avx2 => Avx2::NAME,
            IsaKind::Avx512 => Avx512::NAME,
        }
    }

    /// Parse a `VEXPR_ISA` value (case-insensitive, surrounding spaces ignored).
    pub(crate) fn parse(text: &str) -> Option<IsaKind> {
        let text = text.trim();
        IsaKind::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(text))
    }

    /// Whether this CPU can run code compiled for this kind. Under Miri only the baseline:
    /// Miri cannot execute the AVX2 and AVX-512 target features.
    pub(crate) fn is_supported(self) -> bool {
        if cfg!(miri) && self != IsaKind::Baseline {
            return false;
        }
        match self {
            IsaKind::Baseline => true,
            #[cfg(target_arch = "x86_64")]
            IsaKind::Avx2 => {
                is_x86_feature_detected!("avx2")
                    && is_x86_feature_detected!("fma")
                    && is_x86_feature_detected!("bmi1")
                    && is_x86_feature_detected!("bmi2")
                    && is_x86_feature_detected!("lzcnt")
                    && is_x86_feature_detected!("popcnt")
            }
            #[cfg(target_arch = "x86_64")]
            IsaKind::Avx512 => {
                IsaKind::Avx2.is_supported()
                    && is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512dq")
                    && is_x86_feature_detected!("avx512vl")
                    && is_x86_feature_detected!("avx512bw")
            }
            #[cfg(not(target_arch = "x86_64"))]
            IsaKind::Avx2 | IsaKind::Avx512 => false,
        }
    }
}

/// An instruction set this CPU was checked to run: the proof every kernel table and
/// [`dispatch`] asks for. Only CPU detection makes one ([`detect`](SupportedIsa::detect),
/// [`by_name`](SupportedIsa::by_name), [`available`](SupportedIsa::available)), and the
/// baseline, which every CPU runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct SupportedIsa(IsaKind);

impl SupportedIsa {
    /// The process-wide choice: the best this CPU has, or `VEXPR_ISA`'s if the CPU has it.
    pub(crate) fn detect() -> SupportedIsa {
        detection().isa
    }

    /// The baseline, which every CPU of the target runs.
    pub(crate) fn baseline() -> SupportedIsa {
        SupportedIsa(IsaKind::Baseline)
    }

    /// `kind`, if this CPU runs it.
    pub(crate) fn check(kind: IsaKind) -> Option<SupportedIsa> {
        kind.is_supported().then_some(SupportedIsa(kind))
    }

    /// The ISA called `name` (as `VEXPR_ISA` spells it), or an `Input` error saying that it
    /// is unknown or that this CPU lacks it.
    pub(crate) fn by_name(name: &str) -> Result<SupportedIsa, crate::error::Error> {
        use crate::error::{Error, ErrorKind};
        let kind = IsaKind::parse(name).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!("unknown instruction set `{name}` (expected baseline, avx2 or avx512)"),
            )
        })?;
        SupportedIsa::check(kind).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                format!("this CPU cannot run the {} kernels", kind.name()),
            )
        })
    }

    /// Every ISA this CPU runs, weakest first (tests run all of them).
    pub(crate) fn available() -> impl Iterator<Item = SupportedIsa> {
        IsaKind::ALL.into_iter().filter_map(SupportedIsa::check)
    }

    /// Which instruction set this is.
    pub(crate) fn kind(self) -> IsaKind {
        self.0
    }

    /// The name used by `VEXPR_ISA` and in reports.
    pub(crate) fn name(self) -> &'static str {
        self.0.name()
    }
}

/// The outcome of ISA selection: the ISA in use and, when `VEXPR_ISA` could not be honoured,
/// why.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Detection {
    /// The ISA every evaluation uses by default.
    isa: SupportedIsa,
    /// Set when `VEXPR_ISA` was unknown or asked for an ISA this CPU lacks.
    note: Option<String>,
}

impl Detection {
    /// Choose a kind given the value of `VEXPR_ISA` (if set).
    fn from_request(request: Option<&str>) -> Detection {
        let best = SupportedIsa::available()
            .last()
            .unwrap_or(SupportedIsa::baseline());
        let Some(request) = request else {
            return Detection {
                isa: best,
                note: None,
            };
        };
        match IsaKind::parse(request) {
            Some(kind) => match SupportedIsa::check(kind) {
                Some(isa) => Detection { isa, note: None },
                None => Detection {
                    isa: best,
                    note: Some(format!(
                        "vexpr: ignoring VEXPR_ISA={request:?}: this CPU lacks {}; using {}",
                        kind.name(),
                        best.name()
                    )),
                },
            },
            None => Detection {
                isa: best,
                note: Some(format!(
                    "vexpr: ignoring VEXPR_ISA={request:?}: expected baseline, avx2 or avx512; \
                     using {}",
                    best.name()
                )),
            },
        }
    }
}

/// The process-wide ISA choice, made on first use and cached; a `VEXPR_ISA` that cannot be
/// honoured is reported once on stderr, as a bad `VEXPR_NUM_THREADS` is.
fn detection() -> &'static Detection {
    static DETECTION: OnceLock<Detection> = OnceLock::new();
    DETECTION.get_or_init(|| {
        let request = std::env::var("VEXPR_ISA").ok();
        let detection = Detection::from_request(request.as_deref());
        if let Some(note) = &detection.note {
            eprintln!("{note}");
        }
        detection
    })
}

/// A computation written once, generically over the ISA, and run through [`dispatch`].
///
/// Implementations must mark `run` `#[inline(always)]` so that its body (and the
/// `#[inline(always)]` lane code it calls) is compiled inside the per-ISA trampoline, with
/// that trampoline's target features.
pub(crate) trait Kernel {
    /// What the computation returns.
    type Output;
    /// Run the computation with lane code instantiated for `I`.
    fn run<I: Isa>(self) -> Self::Output;
}

/// Run `kernel` compiled for `isa`.
pub(crate) fn dispatch<K: Kernel>(isa: SupportedIsa, kernel: K) -> K::Output {
    match isa.kind() {
        IsaKind::Baseline => baseline::run(kernel),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `SupportedIsa` of Avx2 exists only after `is_supported` detected every
        // feature `avx2::run` enables on this CPU (`SupportedIsa::check`).
        IsaKind::Avx2 => unsafe { avx2::run(kernel) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above, every feature `avx512::run` enables was detected.
        IsaKind::Avx512 => unsafe { avx512::run(kernel) },
        #[cfg(not(target_arch = "x86_64"))]
        IsaKind::Avx2 | IsaKind::Avx512 => kernel.run::<Baseline>(),
    }
}

/// Calls `$m!(module, Marker, [target features], args...)` once per ISA: the single list of
/// the target features each ISA's code is compiled with (`is_supported` checks exactly these).
/// `#[target_feature]` only takes a literal, so code that instantiates something per ISA is
/// written as a macro and handed to this one.
macro_rules! for_each_isa {
    ($m:ident ! ($($args:tt)*)) => {
        $m!(baseline, Baseline, [], $($args)*);
        #[cfg(target_arch = "x86_64")]
        $m!(avx2, Avx2, ["avx,avx2,fma,bmi1,bmi2,lzcnt,popcnt"], $($args)*);
        #[cfg(target_arch = "x86_64")]
        $m!(
            avx512,
            Avx512,
            ["avx,avx2,fma,bmi1,bmi2,lzcnt,popcnt,avx512f,avx512dq,avx512vl,avx512bw"],
            $($args)*
        );
    };
}
pub(crate) use for_each_isa;

/// `kernel.run::<I>()` compiled with the ISA's target features (none for the baseline).
macro_rules! trampoline {
    ($module:ident, $isa:ident, [$($feature:literal)?],) => {
        /// The entry point of one ISA.
        mod $module {
            use super::{$isa, Kernel};

            $(#[target_feature(enable = $feature)])?
            pub(super) fn run<K: Kernel>(kernel: K) -> K::Output {
                kernel.run::<$isa>()
            }
        }
    };
}

for_each_isa!(trampoline!());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_known_names_case_insensitively() {
        assert_eq!(IsaKind::parse("baseline"), Some(IsaKind::Baseline));
        assert_eq!(IsaKind::parse(" AVX2 "), Some(IsaKind::Avx2));
        assert_eq!(IsaKind::parse("Avx512"), Some(IsaKind::Avx512));
        assert_eq!(IsaKind::parse("sse4"), None);
        assert_eq!(IsaKind::parse(""), None);
    }

    #[test]
    fn request_handling() {
        let best = SupportedIsa::available().last().unwrap();
        assert!(
            IsaKind::ALL
                .iter()
                .all(|k| *k <= best.kind() || !k.is_supported())
        );
        assert_eq!(
            Detection::from_request(None),
            Detection {
                isa: best,
                note: None
            }
        );
        let unknown = Detection::from_request(Some("neon"));
        assert_eq!(unknown.isa, best);
        assert_eq!(
            unknown.note.as_deref(),
            Some(
                format!(
                    "vexpr: ignoring VEXPR_ISA=\"neon\": expected baseline, avx2 or avx512; \
                     using {}",
                    best.name()
                )
                .as_str()
            )
        );
        let base = Detection::from_request(Some("baseline"));
        assert_eq!(
            base,
            Detection {
                isa: SupportedIsa::baseline(),
                note: None
            }
        );
        let top = Detection::from_request(Some("avx512"));
        match SupportedIsa::check(IsaKind::Avx512) {
            Some(isa) => assert_eq!(top, Detection { isa, note: None }),
            None => {
                assert_eq!(top.isa, best);
                let note = top.note.unwrap_or_default();
                assert!(note.contains("this CPU lacks avx512"), "{note}");
                assert!(note.ends_with(&format!("using {}", best.name())), "{note}");
            }
        }
    }

    #[test]
    fn only_supported_kinds_become_proofs() {
        for kind in IsaKind::ALL {
            assert_eq!(SupportedIsa::check(kind).is_some(), kind.is_supported());
        }
        assert_eq!(
            SupportedIsa::by_name("AVX2").ok().map(SupportedIsa::kind),
            IsaKind::Avx2.is_supported().then_some(IsaKind::Avx2)
        );
        let e = SupportedIsa::by_name("sse9").unwrap_err();
        assert!(e.message().contains("unknown instruction set `sse9`"));
        assert_eq!(
            SupportedIsa::available().next(),
            Some(SupportedIsa::baseline())
        );
    }

    /// Reports which marker the kernel was instantiated with.
    struct WhichIsa;

    impl Kernel for WhichIsa {
        type Output = (IsaKind, bool);
        #[inline(always)]
        fn run<I: Isa>(self) -> (IsaKind, bool) {
            (IsaKind::parse(I::NAME).unwrap_or(IsaKind::Baseline), I::FMA)
        }
    }

    #[test]
    fn dispatch_runs_the_requested_kind() {
        for isa in SupportedIsa::available() {
            let (ran, fma) = dispatch(isa, WhichIsa);
            assert_eq!(ran, isa.kind());
            assert_eq!(fma, ran != IsaKind::Baseline);
        }
    }

    #[test]
    fn mul_add_fuses_only_with_fma() {
        // (1 + 2^-30)^2 - 1 - 2^-29 = 2^-60 exactly; unfused rounding loses it.
        let a = 1.0 + 2f64.powi(-30);
        let c = -(1.0 + 2f64.powi(-29));
        assert_eq!(mul_add::<Baseline>(a, a, c), 0.0);
        assert_eq!(mul_add::<Avx2>(a, a, c), 2f64.powi(-60));
    }
}
