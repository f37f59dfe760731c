//! Kernels: one per instruction of the table and per ISA, each running over one block.
//!
//! A kernel has the uniform signature [`Kernel`]: it resolves its operands from the
//! [`Frame`] (a register's buffer, an input's block read in place or gathered, or a constant
//! broadcast as a scalar), writes its destination, and returns. The element functions come
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

use crate::bytecode::table::for_each_instruction;
use crate::bytecode::{Dst, Instr, OpCode, Operand, Register};
use crate::dtype::Scalar;
use crate::vm::isa::{Isa, IsaKind};
use std::mem::MaybeUninit;

use crate::vm::value::{Buf, Column, Elem, c128, writable};

use crate::vm::math::mode::{Fast, High};
use crate::vm::math::{self, BinaryFn, Mode, Precision, UnaryFn};

/// A kernel: runs one instruction over the frame's current block.
///
/// It is `unsafe` to call because it may be compiled for CPU features (AVX2, AVX-512) that
/// the caller must have checked are present.
pub(crate) type Kernel = unsafe fn(&Instr, &mut Frame<'_>);

/// Where an input's values for the current block are.
#[derive(Clone, Debug)]
pub(crate) enum Source<'a> {
    /// Read in place: the block's elements of a contiguous input.
    Column(Column<'a>),
    /// Copied into the input's gather buffer.
    Gathered,
    /// One value for every element.
    Splat(Scalar),
}

/// Per-thread state of a run: the current block and everything its operands live in.
pub(crate) struct Frame<'a> {
    /// Elements in the current block.
    pub len: usize,
    /// The block registers.
    pub regs: Vec<Buf>,
    /// Per input: where the current block's values are.
    pub inputs: Vec<Source<'a>>,
    /// Per input: the gather buffer.
    pub gathered: Vec<Buf>,
    /// The program's constants.
    pub consts: &'a [Scalar],
    /// The output block: a slice of the caller's output, or `temp` when `direct` is unset.
    pub direct: Option<crate::vm::value::ColumnMut<'a>>,
    /// Flat index of the first element of `direct`.
    pub base: usize,
    /// Flat index of the current block's first element.
    pub start: usize,
    /// Whether the current block writes `direct` (else `temp`).
    pub use_direct: bool,
    /// The padded output block, when the output is not written in place.
    pub temp: Buf,
    /// Set when an operand did not have the type its opcode expects (an internal error).
    pub fault: bool,
}

/// An operand's values for the current block.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Src<'a, T> {
    /// One value per element.
    Slice(&'a [T]),
    /// The same value for every element.
    Splat(T),
}

/// The read-only part of a frame, borrowed while a kernel writes its destination.
pub(crate) struct Sources<'s> {
    len: usize,
    regs: &'s [Buf],
    inputs: &'s [Source<'s>],
    gathered: &'s [Buf],
    consts: &'s [Scalar],
}

impl<'s> Sources<'s> {
    /// The operand's values as `T`, or `None` if it does not hold `T`.
    #[inline(always)]
    pub fn get<T: Elem>(&self, op: Operand) -> Option<Src<'s, T>> {
        let len = self.len;
        match op {
            Operand::Reg(Register(r)) => T::buf(self.regs.get(r as usize)?)
                .and_then(|v| v.get(..len))
                .map(Src::Slice),
            Operand::Const(k) => T::scalar(self.consts.get(k as usize)?).map(Src::Splat),
            Operand::Input(k) => match self.inputs.get(k as usize)? {
                Source::Column(c) => T::column(c).and_then(|v| v.get(..len)).map(Src::Slice),
                Source::Gathered => T::buf(self.gathered.get(k as usize)?)
                    .and_then(|v| v.get(..len))
                    .map(Src::Slice),
                Source::Splat(s) => T::scalar(s).map(Src::Splat),
            },
        }
    }

    /// Byte-string operand: `(bytes, item size)` per element, or one string for all.
    pub fn bytes(&self, op: Operand) -> Option<bytes::BytesSrc<'s>> {
        let len = self.len;
        let slice = |b: &'s Buf| match b {
            Buf::Bytes(v, w) => v.get(..len * w).map(|v| bytes::BytesSrc::Slice(v, *w)),
            _ => None,
        };
        match op {
            Operand::Reg(Register(r)) => slice(self.regs.get(r as usize)?),
            Operand::Const(k) => match self.consts.get(k as usize)? {
                Scalar::Bytes(b) => Some(bytes::BytesSrc::Splat(b)),
                _ => None,
            },
            Operand::Input(k) => match self.inputs.get(k as usize)? {
                Source::Column(Column::Bytes(v, w)) => {
                    v.get(..len * w).map(|v| bytes::BytesSrc::Slice(v, *w))
                }
                Source::Gathered => slice(self.gathered.get(k as usize)?),
                Source::Splat(Scalar::Bytes(b)) => Some(bytes::BytesSrc::Splat(b)),
                _ => None,
            },
        }
    }
}

impl<'a> Frame<'a> {
    /// Run `f` with the sources and the destination `dst`, the block's padded length of
    /// elements that `f` must all write. `f` returns false when an operand had the wrong type.
    #[inline(always)]
    pub fn with_dst<R: Elem>(
        &mut self,
        dst: Dst,
        f: impl FnOnce(&Sources<'_>, &mut [MaybeUninit<R>]) -> bool,
    ) {
        let len = self.len;
        let ok = match dst {
            Dst::Reg(Register(r)) => {
                let Some(mut v) = self.regs.get_mut(r as usize).and_then(R::take) else {
                    self.fault = true;
                    return;
                };
                let ok = match v.get_mut(..len) {
                    // SAFETY: the drivers only write values through the view (`f` writes every
                    // element with `MaybeUninit::write`).
                    Some(out) => f(&self.sources(), unsafe { writable(out) }),
                    None => false,
                };
                self.regs[r as usize] = R::wrap(v);
                ok
            }
            Dst::Output => {
                let sources = Sources {
                    len,
                    regs: &self.regs,
                    inputs: &self.inputs,
                    gathered: &self.gathered,
                    consts: self.consts,
                };
                let out = if self.use_direct {
                    self.direct
                        .as_mut()
                        .and_then(R::column_mut)
                        .and_then(|all| {
                            let at = self.start - self.base;
                            all.get_mut(at..at + len)
                        })
                } else {
                    R::buf_mut(&mut self.temp)
                        .and_then(|v| v.get_mut(..len))
                        // SAFETY: as above, the drivers only write values through the view.
                        .map(|v| unsafe { writable(v) })
                };
                match out {
                    Some(out) => f(&sources, out),
                    None => false,
                }
            }
        };
        self.fault |= !ok;
    }

    /// Like [`with_dst`](Frame::with_dst) for a byte-string destination: `f` gets the
    /// block's bytes and the item size.
    pub fn with_bytes_dst(
        &mut self,
        dst: Dst,
        f: impl FnOnce(&Sources<'_>, &mut [MaybeUninit<u8>], usize) -> bool,
    ) {
        let len = self.len;
        let ok = match dst {
            Dst::Reg(Register(r)) => {
                let Some(Buf::Bytes(mut v, w)) = self.regs.get_mut(r as usize).map(std::mem::take)
                else {
                    self.fault = true;
                    return;
                };
                let ok = match v.get_mut(..len * w) {
                    // SAFETY: the byte kernels only write values through the view.
                    Some(out) => f(&self.sources(), unsafe { writable(out) }, w),
                    None => false,
                };
                self.regs[r as usize] = Buf::Bytes(v, w);
                ok
            }
            Dst::Output => {
                let sources = Sources {
                    len,
                    regs: &self.regs,
                    inputs: &self.inputs,
                    gathered: &self.gathered,
                    consts: self.consts,
                };
                let out = if self.use_direct {
                    match self.direct.as_mut() {
                        Some(crate::vm::value::ColumnMut::Bytes(all, w)) => {
                            let at = self.start - self.base;
                            all.get_mut(at * *w..(at + len) * *w).map(|o| (o, *w))
                        }
                        _ => None,
                    }
                } else {
                    match &mut self.temp {
                        // SAFETY: the byte kernels only write values through the view.
                        Buf::Bytes(v, w) => {
                            v.get_mut(..len * *w).map(|o| (unsafe { writable(o) }, *w))
                        }
                        _ => None,
                    }
                };
                match out {
                    Some((out, w)) => f(&sources, out, w),
                    None => false,
                }
            }
        };
        self.fault |= !ok;
    }

    /// The read-only view of the frame.
    pub fn sources(&self) -> Sources<'_> {
        Sources {
            len: self.len,
            regs: &self.regs,
            inputs: &self.inputs,
            gathered: &self.gathered,
            consts: self.consts,
        }
    }
}

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

/// The loops behind the kernels. `out.len()` is the padded block length; slices are
/// re-sliced to it first so the bounds checks leave the loops.
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
    pub fn unary<A: Elem, R: Elem>(
        s: &Sources<'_>,
        i: &Instr,
        out: &mut [MaybeUninit<R>],
        f: impl Fn(A) -> R,
    ) -> bool {
        match s.get::<A>(i.args[0]) {
            Some(Src::Slice(a)) => {
                let a = &a[..out.len()];
                for (o, &x) in out.iter_mut().zip(a) {
                    o.write(f(x));
                }
            }
            Some(Src::Splat(x)) => fill(out, f(x)),
            None => return false,
        }
        true
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
        s: &Sources<'_>,
        i: &Instr,
        out: &mut [MaybeUninit<R>],
        f: impl Fn(A, A) -> R,
    ) -> bool {
        let n = out.len();
        match (s.get::<A>(i.args[0]), s.get::<A>(i.args[1])) {
            (Some(Src::Slice(a)), Some(Src::Slice(b))) => {
                let (a, b) = (&a[..n], &b[..n]);
                for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
                    o.write(f(x, y));
                }
            }
            (Some(Src::Slice(a)), Some(Src::Splat(b))) => map2(&a[..n], Splat(b), out, f),
            (Some(Src::Splat(a)), Some(Src::Slice(b))) => map2(Splat(a), &b[..n], out, f),
            (Some(Src::Splat(a)), Some(Src::Splat(b))) => fill(out, f(a, b)),
            _ => return false,
        }
        true
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
        s: &Sources<'_>,
        i: &Instr,
        out: &mut [MaybeUninit<T>],
        f: UnaryFn,
    ) -> bool {
        let mut tmp = [T::default(); CHUNK];
        match s.get::<T>(i.args[0]) {
            Some(Src::Slice(x)) => {
                for (o, x) in out.chunks_mut(CHUNK).zip(x.chunks(CHUNK)) {
                    let t = &mut tmp[..o.len()];
                    T::apply1::<I, M>(f, &x[..o.len()], t);
                    put(o, t);
                }
            }
            Some(Src::Splat(v)) => {
                T::apply1::<I, M>(f, &[v; 8], &mut tmp[..8]);
                fill(out, tmp[0]);
            }
            None => return false,
        }
        true
    }

    /// A transcendental function of two operands, through the math module's slice driver;
    /// a scalar operand is splatted a chunk at a time.
    #[inline(always)]
    pub fn math2<I: Isa, M: Mode, T: MathElem>(
        s: &Sources<'_>,
        i: &Instr,
        out: &mut [MaybeUninit<T>],
        f: BinaryFn,
    ) -> bool {
        let n = out.len();
        let (Some(a), Some(b)) = (s.get::<T>(i.args[0]), s.get::<T>(i.args[1])) else {
            return false;
        };
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
        debug_assert_eq!(at, n);
        true
    }

    #[inline(always)]
    pub fn select<T: Elem, R: Elem>(
        s: &Sources<'_>,
        i: &Instr,
        out: &mut [MaybeUninit<T>],
        f: impl Fn(bool, T, T) -> T,
    ) -> bool {
        let n = out.len();
        let (Some(c), Some(x), Some(y)) = (
            s.get::<bool>(i.args[0]),
            s.get::<T>(i.args[1]),
            s.get::<T>(i.args[2]),
        ) else {
            return false;
        };
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
        true
    }
}

macro_rules! isa_table {
    ($module:ident, $isa:ident, $features:tt, $($name:ident $shape:ident)*) => {
        /// The kernels compiled for one ISA.
        #[allow(non_snake_case)]
        pub(crate) mod $module {
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
            pub(crate) fn fast_kernel(op: OpCode) -> Option<Kernel> {
                #[allow(unreachable_patterns)]
                match op {
                    $(OpCode::$name => fast_entry!($shape, $name),)*
                    _ => None,
                }
            }

            /// This ISA's kernel for `op`.
            pub(crate) fn kernel(op: OpCode) -> Kernel {
                match op {
                    $(OpCode::$name => $name as Kernel,)*
                    OpCode::CompareBytes(_) => bytes::compare as Kernel,
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
        pub(super) fn $name(i: &Instr, f: &mut Frame<'_>) {
            generic::$name::<$isa, $mode>(i, f)
        }
    };
    ($name:ident, $isa:ident, $mode:ident, [$feature:literal]) => {
        #[target_feature(enable = $feature)]
        pub(super) fn $name(i: &Instr, f: &mut Frame<'_>) {
            generic::$name::<$isa, $mode>(i, f)
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

/// The body of a kernel: run the shape's driver with the destination borrowed.
///
/// Both closures must be inlined into the kernel so that they are compiled with the target
/// features of the ISA wrapper that inlines it (a closure is a function of its own).
macro_rules! kernel_body {
    ($i:ident, $m:ident, math1, $arg:ident, $ret:ident, $f:expr, $instr:ident, $frame:ident) => {
        $frame.with_dst::<$ret>(
            $instr.dst,
            #[inline(always)]
            |s, out| drivers::math1::<$i, $m, $arg>(s, $instr, out, $f),
        )
    };
    ($i:ident, $m:ident, math2, $arg:ident, $ret:ident, $f:expr, $instr:ident, $frame:ident) => {
        $frame.with_dst::<$ret>(
            $instr.dst,
            #[inline(always)]
            |s, out| drivers::math2::<$i, $m, $arg>(s, $instr, out, $f),
        )
    };
    ($i:ident, $m:ident, $shape:ident, $arg:ident, $ret:ident, $f:expr, $instr:ident,
        $frame:ident) => {
        $frame.with_dst::<$ret>(
            $instr.dst,
            #[inline(always)]
            |s, out| {
                drivers::$shape::<$arg, $ret>(
                    s,
                    $instr,
                    out,
                    #[inline(always)]
                    $f,
                )
            },
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
                // `M` (the precision) matters to the math shapes only.
                #[inline(always)]
                pub(super) fn $name<I: Isa, M: Mode>(instr: &Instr, frame: &mut Frame<'_>) {
                    kernel_body!(I, M, $shape, $arg, $ret, $f, instr, frame);
                }
            )*
        }

        crate::vm::isa::for_each_isa!(isa_table!($($name $shape)*));
    };
}

for_each_instruction!(define_kernels);

/// The kernels of `prog`'s instructions, compiled for `isa`, at high precision.
pub(crate) fn resolve(prog: &crate::bytecode::Program, isa: IsaKind) -> Box<[Kernel]> {
    resolve_at(prog, isa, Precision::High)
}

/// The kernels of `prog`'s instructions, compiled for `isa`, with the transcendental
/// functions at `precision` (the only place a precision is chosen: nothing per element).
pub(crate) fn resolve_at(
    prog: &crate::bytecode::Program,
    isa: IsaKind,
    precision: Precision,
) -> Box<[Kernel]> {
    prog.instrs
        .iter()
        .map(|i| kernel_at(isa, i.op, precision))
        .collect()
}

/// The kernel for `op` compiled for `isa`, at `precision`.
pub(crate) fn kernel_at(isa: IsaKind, op: OpCode, precision: Precision) -> Kernel {
    if precision == Precision::Fast {
        let fast = match isa {
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

/// The kernel for `op` compiled for `isa`.
pub(crate) fn kernel(isa: IsaKind, op: OpCode) -> Kernel {
    match isa {
        IsaKind::Baseline => baseline::kernel(op),
        #[cfg(target_arch = "x86_64")]
        IsaKind::Avx2 => avx2::kernel(op),
        #[cfg(target_arch = "x86_64")]
        IsaKind::Avx512 => avx512::kernel(op),
        #[allow(unreachable_patterns)]
        _ => baseline::kernel(op),
    }
}
