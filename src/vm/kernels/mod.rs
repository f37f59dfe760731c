//! Kernels: one per instruction of the table and per ISA, each running over one block.
//!
//! A kernel has the uniform signature [`Kernel`]: it reads its operands from the [`Frame`]'s
//! slots (a register's buffer, an input's block read in place or gathered, or a value
//! broadcast as a scalar), writes its destination slot, and returns. The element functions come
//! from the instruction table; the drivers here (`unary`, `binary`, `select`) are the loops,
//! written so that LLVM vectorises them for the ISA the kernel is compiled for. Each kernel is
//! instantiated once per ISA as a `#[target_feature]` function (see [`isa`](super::isa));
//! the VM picks one table at run time.

pub(crate) mod bytes;
pub(crate) mod complex;
pub(crate) mod elem;
pub(crate) mod reduce;
#[cfg(test)]
mod tests;

use std::mem::MaybeUninit;

use super::frame::{Frame, Src, Step};
use super::isa::{Isa, IsaKind, SupportedIsa};
use super::math::mode::{Fast, High};
use super::math::{self, BinaryFn, Mode, Precision, UnaryFn};
use super::value::{Elem, c128};
use crate::bytecode::OpCode;
use crate::hir::table::for_each_instruction;

/// A kernel: runs one instruction over the frame's current block.
///
/// It is `unsafe` to call because it may be compiled for CPU features (AVX2, AVX-512) that
/// the caller must have checked are present (kernel tables only come from a [`SupportedIsa`]),
/// and because it reads and writes the step's slots without checks: the step must come from
/// the validated program the frame was built for (see [`frame`](super::frame)).
pub(crate) type Kernel = unsafe fn(&Step, &Frame<'_>);

/// Per-element access for the drivers: a slice, or one value everywhere.
pub(crate) trait Lanes<T>: Copy {
    fn at(self, i: usize) -> T;
}

impl<T: Copy> Lanes<T> for &[T] {
    #[inline(always)]
    fn at(self, i: usize) -> T {
        self[i]
    }
}

/// One value for every lane.
#[derive(Clone, Copy)]
pub(crate) struct Splat<T>(pub T);

impl<T: Copy> Lanes<T> for Splat<T> {
    #[inline(always)]
    fn at(self, _: usize) -> T {
        self.0
    }
}

/// The loops behind the kernels, over operands already resolved by the frame. Slices are
/// re-sliced to the output's length first so the bounds checks leave the loops.
pub(crate) mod drivers {
    use super::*;

    /// Write `v` to every element.
    #[inline(always)]
    fn fill<R: Copy>(out: &mut [MaybeUninit<R>], v: R) {
        for o in out.iter_mut() {
            o.write(v);
        }
    }

    #[inline(always)]
    pub fn unary<A: Elem, R: Elem>(a: Src<'_, A>, out: &mut [MaybeUninit<R>], f: impl Fn(A) -> R) {
        match a {
            Src::Slice(a) => {
                let a = &a[..out.len()];
                for (o, &x) in out.iter_mut().zip(a) {
                    o.write(f(x));
                }
            }
            Src::Splat(x) => fill(out, f(x)),
        }
    }

    #[inline(always)]
    fn map2<A: Copy, R, X: Lanes<A>, Y: Lanes<A>>(
        x: X,
        y: Y,
        out: &mut [MaybeUninit<R>],
        f: impl Fn(A, A) -> R,
    ) {
        for (k, o) in out.iter_mut().enumerate() {
            o.write(f(x.at(k), y.at(k)));
        }
    }

    #[inline(always)]
    pub fn binary<A: Elem, R: Elem>(
        a: Src<'_, A>,
        b: Src<'_, A>,
        out: &mut [MaybeUninit<R>],
        f: impl Fn(A, A) -> R,
    ) {
        let n = out.len();
        match (a, b) {
            (Src::Slice(a), Src::Slice(b)) => {
                let (a, b) = (&a[..n], &b[..n]);
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    o.write(f(x, y));
                }
            }
            (Src::Slice(a), Src::Splat(b)) => map2(&a[..n], Splat(b), out, f),
            (Src::Splat(a), Src::Slice(b)) => map2(Splat(a), &b[..n], out, f),
            (Src::Splat(a), Src::Splat(b)) => fill(out, f(a, b)),
        }
    }

    #[inline(always)]
    fn map3<T: Copy, C: Lanes<bool>, X: Lanes<T>, Y: Lanes<T>>(
        c: C,
        x: X,
        y: Y,
        out: &mut [MaybeUninit<T>],
        f: impl Fn(bool, T, T) -> T,
    ) {
        for (k, o) in out.iter_mut().enumerate() {
            o.write(f(c.at(k), x.at(k), y.at(k)));
        }
    }

    /// A float type the math module has slice drivers for.
    pub trait MathElem: Elem {
        fn apply1<I: Isa, M: Mode>(f: UnaryFn, x: &[Self], out: &mut [Self]);
        fn apply2<I: Isa, M: Mode>(f: BinaryFn, a: &[Self], b: &[Self], out: &mut [Self]);
    }

    impl MathElem for f64 {
        #[inline(always)]
        fn apply1<I: Isa, M: Mode>(f: UnaryFn, x: &[f64], out: &mut [f64]) {
            f.apply_f64_at::<I, M>(x, out)
        }
        #[inline(always)]
        fn apply2<I: Isa, M: Mode>(f: BinaryFn, a: &[f64], b: &[f64], out: &mut [f64]) {
            f.apply_f64_at::<I, M>(a, b, out)
        }
    }

    impl MathElem for f32 {
        #[inline(always)]
        fn apply1<I: Isa, M: Mode>(f: UnaryFn, x: &[f32], out: &mut [f32]) {
            f.apply_f32_at::<I, M>(x, out)
        }
        #[inline(always)]
        fn apply2<I: Isa, M: Mode>(f: BinaryFn, a: &[f32], b: &[f32], out: &mut [f32]) {
            f.apply_f32_at::<I, M>(a, b, out)
        }
    }

    /// Elements the math drivers compute per pass: the math module writes an initialised
    /// chunk on the stack, which is then copied out (the destination may be uninitialised).
    const CHUNK: usize = 256;

    /// Copy `src` into the front of `out`.
    #[inline(always)]
    fn put<T: Copy>(out: &mut [MaybeUninit<T>], src: &[T]) {
        for (o, &v) in out.iter_mut().zip(src) {
            o.write(v);
        }
    }

    /// A transcendental function of one operand, through the math module's slice driver; a
    /// scalar operand goes through the same driver, so its value never depends on that.
    #[inline(always)]
    pub fn math1<I: Isa, M: Mode, T: MathElem>(
        x: Src<'_, T>,
        out: &mut [MaybeUninit<T>],
        f: UnaryFn,
    ) {
        let mut tmp = [T::default(); CHUNK];
        match x {
            Src::Slice(x) => {
                for (o, x) in out.chunks_mut(CHUNK).zip(x.chunks(CHUNK)) {
                    let t = &mut tmp[..o.len()];
                    T::apply1::<I, M>(f, &x[..o.len()], t);
                    put(o, t);
                }
            }
            Src::Splat(v) => {
                T::apply1::<I, M>(f, &[v; 8], &mut tmp[..8]);
                fill(out, tmp[0]);
            }
        }
    }

    /// A transcendental function of two operands, through the math module's slice driver;
    /// a scalar operand is splatted a chunk at a time.
    #[inline(always)]
    pub fn math2<I: Isa, M: Mode, T: MathElem>(
        a: Src<'_, T>,
        b: Src<'_, T>,
        out: &mut [MaybeUninit<T>],
        f: BinaryFn,
    ) {
        let mut tmp = [T::default(); CHUNK];
        let splat = |s: Src<'_, T>| match s {
            Src::Splat(v) => [v; CHUNK],
            Src::Slice(_) => [T::default(); CHUNK],
        };
        let (sa, sb) = (splat(a), splat(b));
        let mut at = 0;
        for o in out.chunks_mut(CHUNK) {
            let len = o.len();
            let x: &[T] = match a {
                Src::Slice(x) => &x[at..at + len],
                Src::Splat(_) => &sa[..len],
            };
            let y: &[T] = match b {
                Src::Slice(y) => &y[at..at + len],
                Src::Splat(_) => &sb[..len],
            };
            let t = &mut tmp[..len];
            T::apply2::<I, M>(f, x, y, t);
            put(o, t);
            at += len;
        }
    }

    #[inline(always)]
    pub fn select<T: Elem>(
        c: Src<'_, bool>,
        x: Src<'_, T>,
        y: Src<'_, T>,
        out: &mut [MaybeUninit<T>],
        f: impl Fn(bool, T, T) -> T,
    ) {
        let n = out.len();
        use Src::{Slice as V, Splat as S};
        match (c, x, y) {
            (V(c), V(x), V(y)) => map3(&c[..n], &x[..n], &y[..n], out, f),
            (V(c), V(x), S(y)) => map3(&c[..n], &x[..n], Splat(y), out, f),
            (V(c), S(x), V(y)) => map3(&c[..n], Splat(x), &y[..n], out, f),
            (V(c), S(x), S(y)) => map3(&c[..n], Splat(x), Splat(y), out, f),
            (S(c), V(x), V(y)) => map3(Splat(c), &x[..n], &y[..n], out, f),
            (S(c), V(x), S(y)) => map3(Splat(c), &x[..n], Splat(y), out, f),
            (S(c), S(x), V(y)) => map3(Splat(c), Splat(x), &y[..n], out, f),
            (S(c), S(x), S(y)) => fill(out, f(c, x, y)),
        }
    }
}

macro_rules! isa_table {
    ($module:ident, $isa:ident, $features:tt, $($name:ident $shape:ident)*) => {
        /// The kernels compiled for one ISA.
        #[allow(non_snake_case)]
        mod $module {
            use super::*;
            use crate::vm::isa::$isa;
            $(isa_fn!($name, $isa, High, $features);)*

            /// The [`Precision::Fast`] kernels of the transcendental functions.
            #[allow(non_snake_case)]
            mod fast {
                use super::*;
                $(fast_fn!($shape, $name, $isa, $features);)*
            }

            /// This ISA's fast-precision kernel for `op`, when `op` has one.
            pub(super) fn fast_kernel(op: OpCode) -> Option<Kernel> {
                #[allow(unreachable_patterns)]
                match op {
                    $(OpCode::$name => fast_entry!($shape, $name),)*
                    _ => None,
                }
            }

            /// This ISA's kernel for `op`.
            pub(super) fn kernel(op: OpCode) -> Kernel {
                match op {
                    $(OpCode::$name => $name as Kernel,)*
                    OpCode::CompareBytes(f) => bytes::comparison(f),
                    OpCode::ContainsBytes => bytes::contains as Kernel,
                    OpCode::WhereBytes => bytes::select as Kernel,
                    OpCode::CopyBytes => bytes::copy as Kernel,
                }
            }
        }
    };
}

/// One kernel compiled for one ISA (with its target features, if any) and one precision.
macro_rules! isa_fn {
    ($name:ident, $isa:ident, $mode:ident, []) => {
        pub(super) unsafe fn $name(s: &Step, f: &Frame<'_>) {
            // SAFETY: the kernel's contract (`Kernel`) is the caller's.
            unsafe { generic::$name::<$isa, $mode>(s, f) }
        }
    };
    ($name:ident, $isa:ident, $mode:ident, [$feature:literal]) => {
        #[target_feature(enable = $feature)]
        pub(super) unsafe fn $name(s: &Step, f: &Frame<'_>) {
            // SAFETY: the kernel's contract (`Kernel`) is the caller's.
            unsafe { generic::$name::<$isa, $mode>(s, f) }
        }
    };
}

/// The fast-precision kernel of a `math1`/`math2` entry; nothing for other shapes.
macro_rules! fast_fn {
    (math1, $name:ident, $isa:ident, $features:tt) => {
        isa_fn!($name, $isa, Fast, $features);
    };
    (math2, $name:ident, $isa:ident, $features:tt) => {
        isa_fn!($name, $isa, Fast, $features);
    };
    ($shape:ident, $name:ident, $isa:ident, $features:tt) => {};
}

/// `Some(fast kernel)` for a `math1`/`math2` entry, `None` for other shapes.
macro_rules! fast_entry {
    (math1, $name:ident) => {
        Some(fast::$name as Kernel)
    };
    (math2, $name:ident) => {
        Some(fast::$name as Kernel)
    };
    ($shape:ident, $name:ident) => {
        None
    };
}

/// The body of a kernel: resolve the operands, borrow the destination, run the shape's
/// driver. The element closure must be inlined into the kernel so that it is compiled with
/// the target features of the ISA wrapper that inlines it (a closure is a function of its own).
macro_rules! kernel_body {
    ($i:ident, $m:ident, math1, $arg:ident, $ret:ident, $f:expr, $s:ident, $frame:ident) => {
        drivers::math1::<$i, $m, $arg>($frame.src($s.args[0]), $frame.dst::<$ret>($s.dst), $f)
    };
    ($i:ident, $m:ident, math2, $arg:ident, $ret:ident, $f:expr, $s:ident, $frame:ident) => {
        drivers::math2::<$i, $m, $arg>(
            $frame.src($s.args[0]),
            $frame.src($s.args[1]),
            $frame.dst::<$ret>($s.dst),
            $f,
        )
    };
    ($i:ident, $m:ident, unary, $arg:ident, $ret:ident, $f:expr, $s:ident, $frame:ident) => {
        drivers::unary::<$arg, $ret>(
            $frame.src($s.args[0]),
            $frame.dst::<$ret>($s.dst),
            #[inline(always)]
            $f,
        )
    };
    ($i:ident, $m:ident, binary, $arg:ident, $ret:ident, $f:expr, $s:ident, $frame:ident) => {
        drivers::binary::<$arg, $ret>(
            $frame.src($s.args[0]),
            $frame.src($s.args[1]),
            $frame.dst::<$ret>($s.dst),
            #[inline(always)]
            $f,
        )
    };
    ($i:ident, $m:ident, select, $arg:ident, $ret:ident, $f:expr, $s:ident, $frame:ident) => {
        drivers::select::<$ret>(
            $frame.src($s.args[0]),
            $frame.src($s.args[1]),
            $frame.src($s.args[2]),
            $frame.dst::<$ret>($s.dst),
            #[inline(always)]
            $f,
        )
    };
}

macro_rules! define_kernels {
    ($($name:ident: $shape:ident($op:ident $(($fun:ident))?, $mnemonic:literal,
        $arg:ident -> $ret:ident, $f:expr),)*) => {
        /// The kernels, generic over the ISA; instantiated per ISA below.
        #[allow(non_snake_case)]
        mod generic {
            use super::*;
            $(
                /// # Safety
                /// The `Kernel` contract.
                #[inline(always)]
                pub(super) unsafe fn $name<I: Isa, M: Mode>(step: &Step, frame: &Frame<'_>) {
                    // SAFETY: the step comes from the validated program the frame was built
                    // for, so its slots hold the table's operand and result types and its
                    // destination is written by nothing else meanwhile (the `Kernel` contract).
                    unsafe { kernel_body!(I, M, $shape, $arg, $ret, $f, step, frame) }
                }
            )*
        }

        crate::vm::isa::for_each_isa!(isa_table!($($name $shape)*));
    };
}

for_each_instruction!(define_kernels);

/// The kernel for `op` compiled for `isa`, with a transcendental function at `precision`
/// (the only place a precision is chosen: nothing per element).
pub(crate) fn kernel_at(isa: SupportedIsa, op: OpCode, precision: Precision) -> Kernel {
    if precision == Precision::Fast {
        let fast = match isa.kind() {
            IsaKind::Baseline => baseline::fast_kernel(op),
            #[cfg(target_arch = "x86_64")]
            IsaKind::Avx2 => avx2::fast_kernel(op),
            #[cfg(target_arch = "x86_64")]
            IsaKind::Avx512 => avx512::fast_kernel(op),
            #[allow(unreachable_patterns)]
            _ => baseline::fast_kernel(op),
        };
        if let Some(k) = fast {
            return k;
        }
    }
    kernel(isa, op)
}

/// The kernel for `op` compiled for `isa` (transcendental functions at high precision).
pub(crate) fn kernel(isa: SupportedIsa, op: OpCode) -> Kernel {
    match isa.kind() {
        IsaKind::Baseline => baseline::kernel(op),
        #[cfg(target_arch = "x86_64")]
        IsaKind::Avx2 => avx2::kernel(op),
        #[cfg(target_arch = "x86_64")]
        IsaKind::Avx512 => avx512::kernel(op),
        #[allow(unreachable_patterns)]
        _ => baseline::kernel(op),
    }
}
