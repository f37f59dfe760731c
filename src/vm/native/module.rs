//! The machine code of a set of segments and the memory it lives in.
//!
//! In: the program, the segments to compile with the splat layout of each, and the VM's
//! [`SupportedIsa`]. Out: a [`Code`] owning one Cranelift `JITModule` and the entry point of each
//! function; dropping the `Code` unmaps the module's memory.
//!
//! The Cranelift target is built from the VM's ISA, never from the host alone: the baseline
//! gets SSE2 only (so `VEXPR_ISA=baseline` never runs an AVX instruction, native or not),
//! AVX2 gets the SSE3 ... SSE4.2, POPCNT, AVX, AVX2, FMA, BMI and LZCNT flags, AVX-512 adds
//! F/DQ/VL. A flag is only ever set when this CPU has the feature. Cranelift never fuses a
//! multiply and an add unless asked (no FMA instruction is emitted here), so the flags change
//! encodings, never results; the one result that depends on the ISA (rounding by instruction
//! or by the 2^52 trick) follows the interpreter's choice for the same ISA.

use std::sync::{Arc, OnceLock};

use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::Module;

use super::codegen::Target;
use super::function;
use super::lanes::Chunk;
use super::segment::Segment;
use crate::bytecode::Program;
use crate::dtype::DType;
use crate::error::{Error, ErrorKind};
use crate::vm::isa::{IsaKind, SupportedIsa};

/// A compiled segment function: `args` holds one pointer per live-in, then one per live-out;
/// `n` is the number of elements (see the [module docs](super#the-compiled-function)).
pub(crate) use crate::vm::tier::Entry;

/// What one compiled function reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Per live-in: its dtype and whether it is one value for every element.
    pub ins: Vec<(DType, bool)>,
    /// Per live-out: its dtype.
    pub outs: Vec<DType>,
}

/// The compiled functions of some segments, and the executable memory they live in.
pub(crate) struct Code {
    /// Owns the memory; `None` only while being dropped.
    module: Option<JITModule>,
    /// Each function's entry point and layout, in the order they were asked for.
    functions: Vec<(Entry, Layout)>,
    /// Each function's machine instructions as text, when asked for.
    listings: Vec<String>,
    /// Bytes of machine code, over all functions.
    code_bytes: usize,
}

// SAFETY: after `finalize_definitions` the module is never used again except to free its memory
// in `Drop` (which has `&mut self`, so no other reference exists). What `&Code` hands out are
// entry points into finalised, read-only, executable memory: the functions keep no state
// between calls (each call's scratch space is on its own stack), so any number of threads may
// call them at once, and the memory can be freed from any thread.
unsafe impl Send for Code {}
// SAFETY: as above: shared references only read the entry points and layouts.
unsafe impl Sync for Code {}

impl Drop for Code {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the entry points are only reachable through `&self` (callers copy an
            // `Entry` out only for the duration of a call made while borrowing the `Code`), so
            // no function of this module is running or can be called after this point.
            unsafe { module.free_memory() };
        }
    }
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("functions", &self.functions.len())
            .field("code_bytes", &self.code_bytes)
            .finish()
    }
}

impl Code {
    /// The number of functions.
    pub(crate) fn len(&self) -> usize {
        self.functions.len()
    }

    /// Function `k`'s entry point and layout.
    pub(crate) fn function(&self, k: usize) -> Option<(Entry, &Layout)> {
        self.functions.get(k).map(|(f, l)| (*f, l))
    }

    /// Bytes of machine code.
    pub(crate) fn code_bytes(&self) -> usize {
        self.code_bytes
    }

    /// Function `k`'s machine instructions as text (Cranelift's listing before encoding), if
    /// the compile was asked for listings.
    pub(crate) fn listing(&self, k: usize) -> Option<&str> {
        self.listings.get(k).map(String::as_str)
    }
}

/// The error for anything that stops a compile (the caller then runs the interpreter).
fn failed(what: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("native compile failed: {what}"),
    )
}

/// The Cranelift flags of each ISA (checked against this CPU before they are set).
#[cfg(target_arch = "x86_64")]
fn isa_flags(kind: IsaKind) -> Vec<(&'static str, bool)> {
    let avx2 = [
        ("has_sse3", is_x86_feature_detected!("sse3")),
        ("has_ssse3", is_x86_feature_detected!("ssse3")),
        ("has_sse41", is_x86_feature_detected!("sse4.1")),
        ("has_sse42", is_x86_feature_detected!("sse4.2")),
        ("has_popcnt", is_x86_feature_detected!("popcnt")),
        ("has_avx", is_x86_feature_detected!("avx")),
        ("has_avx2", is_x86_feature_detected!("avx2")),
        ("has_fma", is_x86_feature_detected!("fma")),
        ("has_bmi1", is_x86_feature_detected!("bmi1")),
        ("has_bmi2", is_x86_feature_detected!("bmi2")),
        ("has_lzcnt", is_x86_feature_detected!("lzcnt")),
    ];
    let avx512 = [
        ("has_avx512f", is_x86_feature_detected!("avx512f")),
        ("has_avx512dq", is_x86_feature_detected!("avx512dq")),
        ("has_avx512vl", is_x86_feature_detected!("avx512vl")),
    ];
    match kind {
        IsaKind::Baseline => Vec::new(),
        IsaKind::Avx2 => avx2.to_vec(),
        IsaKind::Avx512 => avx2.into_iter().chain(avx512).collect(),
    }
}

/// The Cranelift target for `isa`, built once per process.
fn target_isa(isa: SupportedIsa) -> Result<OwnedTargetIsa, Error> {
    let kind = isa.kind();
    static ISAS: [OnceLock<Result<OwnedTargetIsa, String>>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    ISAS[kind as usize]
        .get_or_init(|| build_isa(kind))
        .clone()
        .map_err(failed)
}

#[cfg(target_arch = "x86_64")]
fn build_isa(kind: IsaKind) -> Result<OwnedTargetIsa, String> {
    use cranelift_codegen::settings::{self, Configurable};
    if !kind.is_supported() {
        return Err(format!("this CPU cannot run {} code", kind.name()));
    }
    let mut shared = settings::builder();
    let verify = if cfg!(debug_assertions) {
        "true"
    } else {
        "false"
    };
    for (name, value) in [
        ("opt_level", "speed"),
        ("is_pic", "false"),
        ("use_colocated_libcalls", "false"),
        ("enable_verifier", verify),
    ] {
        shared.set(name, value).map_err(|e| e.to_string())?;
    }
    let mut isa = cranelift_native::builder_with_options(false)?;
    for (flag, present) in isa_flags(kind) {
        if present {
            isa.enable(flag).map_err(|e| e.to_string())?;
        }
    }
    isa.finish(settings::Flags::new(shared))
        .map_err(|e| e.to_string())
}

#[cfg(not(target_arch = "x86_64"))]
fn build_isa(_kind: IsaKind) -> Result<OwnedTargetIsa, String> {
    Err("the native tier is only built for x86-64".into())
}

/// What to compile: a segment and, per live-in, whether it is one value for every element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    /// The segment.
    pub segment: &'a Segment,
    /// One flag per live-in.
    pub splat: &'a [bool],
}

/// Elements per loop iteration chosen for a segment: 16 (eight f64x2 vectors per float64
/// value, four f32x4 per float32 value, one full vector of bool bytes), or 8 when the segment
/// holds complex values (two lists of vectors each: 16 would spill). Measured with 4, 8 and 16
/// by `examples/native_segments.rs chunks` (see the module docs of `native`).
pub(crate) fn chunk_for(prog: &Program, segment: &Segment) -> usize {
    let complex = prog.instrs[segment.instrs.clone()].iter().any(|i| {
        i.op.operand_dtype() == Some(DType::Complex128)
            || i.op.result_dtype() == Some(DType::Complex128)
    });
    if complex { 8 } else { 16 }
}

/// The stack of the thread that runs Cranelift: its frames are large (several hundred KiB deep
/// in an unoptimised build), and a caller's thread may have a small one (a 256 KiB test
/// thread, a user's worker): the compile must not depend on it. Pages are only touched as used.
const COMPILE_STACK: usize = 16 << 20;

/// Compile each request of `prog` into one function, in one module, for `isa`, with `chunk`
/// elements per iteration (a power of two, at least 4; `None`: [`chunk_for`] each segment),
/// keeping each function's listing of machine instructions when `listing` is set. Runs on a
/// thread of its own with [`COMPILE_STACK`] (tens of microseconds against a compile's hundreds).
pub(crate) fn compile(
    prog: &Program,
    requests: &[Request<'_>],
    isa: SupportedIsa,
    chunk: Option<usize>,
    listing: bool,
) -> Result<Code, Error> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("vexpr-jit".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, || compile_here(prog, requests, isa, chunk, listing))
            .map_err(|e| failed(format!("cannot start the compiling thread: {e}")))?
            .join()
            .map_err(|_| failed("the compiling thread panicked"))?
    })
}

/// [`compile`] on the calling thread.
fn compile_here(
    prog: &Program,
    requests: &[Request<'_>],
    isa: SupportedIsa,
    chunk: Option<usize>,
    listing: bool,
) -> Result<Code, Error> {
    let target_isa = target_isa(isa)?;
    let call_conv = target_isa.default_call_conv();
    let ptr = target_isa.pointer_type();
    let builder = JITBuilder::with_isa(
        Arc::clone(&target_isa),
        cranelift_module::default_libcall_names(),
    );
    // Owned by `code` from here on, so an error below still frees whatever was allocated.
    let mut code = Code {
        module: Some(JITModule::new(builder)),
        functions: Vec::with_capacity(requests.len()),
        listings: Vec::new(),
        code_bytes: 0,
    };
    let module = code.module.as_mut().ok_or_else(|| failed("no module"))?;
    let mut ctx = module.make_context();
    ctx.set_disasm(listing);
    let mut fctx = FunctionBuilderContext::new();
    let mut ids = Vec::with_capacity(requests.len());
    for req in requests {
        let t = Target {
            chunk: Chunk {
                w: chunk.unwrap_or_else(|| chunk_for(prog, req.segment)),
            },
            round: isa.kind() != IsaKind::Baseline,
        };
        let sig = function::signature(call_conv, ptr);
        ctx.func.signature = sig.clone();
        function::build(
            &mut ctx.func,
            &mut fctx,
            prog,
            req.segment,
            req.splat,
            t,
            target_isa.frontend_config(),
        )
        .map_err(failed)?;
        let id = module.declare_anonymous_function(&sig).map_err(failed)?;
        module
            .define_function(id, &mut ctx)
            .map_err(|e| failed(format!("{e:?}")))?;
        if let Some(compiled) = ctx.compiled_code() {
            code.code_bytes += compiled.code_buffer().len();
            if listing {
                code.listings
                    .push(compiled.vcode.clone().unwrap_or_default());
            }
        }
        module.clear_context(&mut ctx);
        let layout = Layout {
            ins: req
                .segment
                .live_in
                .iter()
                .zip(req.splat)
                .map(|(&op, &s)| function::live_in_dtype(prog, op).map(|d| (d, s)))
                .collect::<Result<_, _>>()
                .map_err(failed)?,
            outs: req
                .segment
                .live_out
                .iter()
                .map(|&d| function::live_out_dtype(prog, d))
                .collect::<Result<_, _>>()
                .map_err(failed)?,
        };
        ids.push((id, layout));
    }
    module.finalize_definitions().map_err(failed)?;
    for (id, layout) in ids {
        let p = module.get_finalized_function(id);
        // SAFETY: `p` is the finalised code of a function whose signature is
        // `function::signature`: two pointer-sized integer parameters and no result, in the
        // target's default calling convention (System V on x86-64 Linux, which is `extern "C"`).
        let f = unsafe { std::mem::transmute::<*const u8, Entry>(p) };
        code.functions.push((f, layout));
    }
    Ok(code)
}
