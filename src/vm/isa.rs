//! Instruction-set selection and dispatch for the block kernels.
//!
//! In: the CPU (via `is_x86_feature_detected!`) and the `VEXPR_ISA` environment variable.
//! Out: an [`IsaKind`] chosen once per process ([`detect`]), zero-sized [`Isa`] markers that
//! generic lane code is instantiated with, and [`dispatch`], which runs a [`Kernel`] compiled
//! for the chosen ISA.
//!
//! Kernels are plain scalar lane code (`#[inline(always)]`, branch-free) that LLVM
//! auto-vectorises; the instructions it may use are decided by the `#[target_feature]`
//! attributes of the trampoline the kernel is inlined into, not by the crate's build flags
//! (a default build only has SSE2). Invariant: a trampoline for an ISA is only ever called
//! after its features were detected on this CPU; [`dispatch`] re-checks this itself, so
//! an `IsaKind` built by hand (tests do) can never reach code the CPU cannot run.
//!
//! `VEXPR_ISA=baseline|avx2|avx512` (case-insensitive) overrides the choice. Asking for an
//! ISA this CPU lacks falls back to the best one available, and the reason is kept in
//! [`Detection::note`]; any other value is ignored (also noted). On targets other than
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

    /// The most capable kind this CPU supports.
    pub(crate) fn best() -> IsaKind {
        IsaKind::ALL
            .into_iter()
            .rev()
            .find(|kind| kind.is_supported())
            .unwrap_or(IsaKind::Baseline)
    }

    /// Every kind this CPU supports, weakest first (tests run all of them).
    #[allow(dead_code)] // used by the math tests and benches/math.rs
    pub(crate) fn available() -> impl Iterator<Item = IsaKind> {
        IsaKind::ALL.into_iter().filter(|kind| kind.is_supported())
    }

    /// This kind if the CPU supports it, otherwise the best supported kind below it.
    fn supported_or_below(self) -> IsaKind {
        IsaKind::ALL
            .into_iter()
            .rev()
            .find(|kind| *kind <= self && kind.is_supported())
            .unwrap_or(IsaKind::Baseline)
    }
}

/// The outcome of ISA selection: the kind in use and, when `VEXPR_ISA` could not be honoured,
/// why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Detection {
    /// The kind every dispatch uses by default.
    pub(crate) kind: IsaKind,
    /// Set when `VEXPR_ISA` was unknown or asked for an ISA this CPU lacks.
    pub(crate) note: Option<String>,
}

impl Detection {
    /// Choose a kind given the value of `VEXPR_ISA` (if set).
    fn from_request(request: Option<&str>) -> Detection {
        let best = IsaKind::best();
        let Some(request) = request else {
            return Detection {
                kind: best,
                note: None,
            };
        };
        match IsaKind::parse(request) {
            Some(kind) if kind.is_supported() => Detection { kind, note: None },
            Some(kind) => Detection {
                kind: best,
                note: Some(format!(
                    "VEXPR_ISA={request}: this CPU lacks {}, using {}",
                    kind.name(),
                    best.name()
                )),
            },
            None => Detection {
                kind: best,
                note: Some(format!(
                    "VEXPR_ISA={request}: unknown value (expected baseline, avx2 or avx512), \
                     using {}",
                    best.name()
                )),
            },
        }
    }
}

/// The process-wide ISA choice, made on first use and cached.
pub(crate) fn detection() -> &'static Detection {
    static DETECTION: OnceLock<Detection> = OnceLock::new();
    DETECTION.get_or_init(|| {
        let request = std::env::var("VEXPR_ISA").ok();
        Detection::from_request(request.as_deref())
    })
}

/// The ISA kind in use (see [`detection`]).
pub(crate) fn detect() -> IsaKind {
    detection().kind
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

/// Run `kernel` compiled for `kind`, or for the best supported kind below it when this CPU
/// lacks `kind` (so a hand-made `IsaKind` is always safe).
pub(crate) fn dispatch<K: Kernel>(kind: IsaKind, kernel: K) -> K::Output {
    match kind.supported_or_below() {
        IsaKind::Baseline => baseline::run(kernel),
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `supported_or_below` returned Avx2 only after `is_supported` detected
        // every feature `avx2::run` enables on this CPU.
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
        let best = IsaKind::best();
        assert_eq!(
            Detection::from_request(None),
            Detection {
                kind: best,
                note: None
            }
        );
        let unknown = Detection::from_request(Some("neon"));
        assert_eq!(unknown.kind, best);
        assert!(
            unknown
                .note
                .as_deref()
                .is_some_and(|n| n.contains("unknown"))
        );
        let base = Detection::from_request(Some("baseline"));
        assert_eq!(
            base,
            Detection {
                kind: IsaKind::Baseline,
                note: None
            }
        );
        let top = Detection::from_request(Some("avx512"));
        if IsaKind::Avx512.is_supported() {
            assert_eq!(
                top,
                Detection {
                    kind: IsaKind::Avx512,
                    note: None
                }
            );
        } else {
            assert_eq!(top.kind, best);
            assert!(
                top.note
                    .as_deref()
                    .is_some_and(|n| n.contains("lacks avx512"))
            );
        }
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
    fn dispatch_runs_the_requested_kind_or_falls_back() {
        for kind in IsaKind::ALL {
            let (ran, fma) = dispatch(kind, WhichIsa);
            assert!(ran <= kind);
            assert!(ran.is_supported());
            assert_eq!(ran == kind, kind.is_supported());
            assert_eq!(fma, ran != IsaKind::Baseline);
        }
        assert!(IsaKind::available().any(|k| k == IsaKind::Baseline));
        assert_eq!(IsaKind::available().last(), Some(IsaKind::best()));
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
