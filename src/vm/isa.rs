//! PLACEHOLDER until the `math` branch lands: ISA markers and detection.

/// An instruction-set target for the kernels.
pub(crate) trait Isa: Copy + Send + Sync + 'static {
    /// Name.
    const NAME: &'static str;
    /// Fused multiply-add available.
    const FMA: bool;
    /// SSE4.1 rounding available.
    const ROUND: bool;
}

/// Baseline x86-64.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Baseline;
/// AVX2 + FMA.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Avx2;
/// AVX-512.
#[derive(Clone, Copy, Debug)]
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

/// Which kernels to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IsaKind {
    Baseline,
    Avx2,
    Avx512,
}

impl IsaKind {
    /// Its name, as `VEXPR_ISA` spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            IsaKind::Baseline => "baseline",
            IsaKind::Avx2 => "avx2",
            IsaKind::Avx512 => "avx512",
        }
    }
}

/// The ISA called `name`, if this CPU supports it.
pub(crate) fn by_name(name: &str) -> Result<IsaKind, crate::Error> {
    match name {
        "baseline" => Ok(IsaKind::Baseline),
        "avx2" if detect() != IsaKind::Baseline => Ok(IsaKind::Avx2),
        _ => Err(crate::Error::new(
            crate::ErrorKind::Input,
            format!("this CPU cannot run the `{name}` kernels"),
        )),
    }
}

/// The best ISA of this CPU.
pub(crate) fn detect() -> IsaKind {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        return IsaKind::Avx2;
    }
    IsaKind::Baseline
}
