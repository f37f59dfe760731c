//! A hidden hook on [`Compiled`] for the native tier's measurements (issue 12, phase 1):
//! compile a program's element-wise segments with Cranelift and, when all of the program is
//! native, run it over whole contiguous arrays on the calling thread. Not a stable interface:
//! phase 2 replaces it with tiering inside `run`.

use super::{Compiled, Output, Vars};
use crate::array::ArrayRef;
use crate::error::{Error, ErrorKind};
use crate::hir;
use crate::vm::native::{Arg, MAX_SEGMENT_LEN, NativeProgram};
use crate::vm::value::Column;
use crate::vm::{self, isa::SupportedIsa};

/// A program's segments compiled to machine code ([`Compiled::native`]).
#[doc(hidden)]
#[derive(Debug)]
pub struct Native {
    program: NativeProgram,
}

impl Native {
    /// The number of segments compiled.
    pub fn segments(&self) -> usize {
        self.program.segments().len()
    }

    /// Bytes of machine code.
    pub fn code_bytes(&self) -> usize {
        self.program.code().code_bytes()
    }

    /// Whether every instruction is native, so that [`Compiled::run_native_into`] can run it.
    pub fn is_complete(&self) -> bool {
        self.program.is_complete()
    }

    /// Segment `k`'s machine instructions as text, when compiled with a listing.
    pub fn listing(&self, k: usize) -> Option<&str> {
        self.program.code().listing(k)
    }
}

fn refused(what: &str) -> Error {
    Error::new(ErrorKind::Input, format!("the native run needs {what}"))
}

impl Compiled {
    /// Compile this program's native segments for the ISA named `isa` (`None`: the VM's),
    /// with `chunk` elements per loop iteration (`None`: each segment's own choice), every input streamed,
    /// keeping the machine instructions as text when `listing` is set.
    ///
    /// ```
    /// let sig = vexpr::Signature::new().with("a", vexpr::DType::Float64);
    /// let prog = vexpr::compile("a * 2 + 1", &sig)?;
    /// let native = prog.native(None, None, false)?;
    /// assert!(native.is_complete() && native.segments() == 1);
    /// let (a, mut out) = ([1.0, 2.0], vec![0.0; 2]);
    /// prog.run_native_into(&native, &vexpr::Vars::new().with("a", &a), (&mut out).into())?;
    /// assert_eq!(out, [3.0, 5.0]);
    /// # Ok::<(), vexpr::Error>(())
    /// ```
    #[doc(hidden)]
    pub fn native(
        &self,
        isa: Option<&str>,
        chunk: Option<usize>,
        listing: bool,
    ) -> Result<Native, Error> {
        let isa = match isa {
            Some(name) => SupportedIsa::by_name(name)?,
            None => SupportedIsa::detect(),
        };
        if chunk.is_some_and(|w| !w.is_power_of_two() || !(4..=64).contains(&w)) {
            return Err(refused("a chunk of 4, 8, 16, 32 or 64 elements"));
        }
        let splat = vec![false; self.exe.program().inputs.len()];
        let program = NativeProgram::compile_with_listing(
            self.exe.program(),
            &splat,
            isa,
            chunk,
            MAX_SEGMENT_LEN,
            listing,
        )?;
        Ok(Native { program })
    }

    /// Run `native` (compiled from this program) with `vars` into `out`: every input a
    /// contiguous array of the result's shape (no broadcasting), `out` contiguous and of the
    /// result's dtype.
    #[doc(hidden)]
    pub fn run_native_into(
        &self,
        native: &Native,
        vars: &Vars<'_>,
        mut out: Output<'_>,
    ) -> Result<(), Error> {
        let inputs = self.bind(vars)?;
        let shapes: Vec<&[usize]> = inputs.iter().map(ArrayRef::shape).collect();
        let (broadcast, result) = hir::shape::result(&self.hir, &shapes)?;
        out.check(self.dtype(), &result)?;
        if out.dtype() != self.dtype() {
            return Err(refused("an output of the result's dtype"));
        }
        let n: usize = broadcast.iter().product();
        let args = inputs
            .iter()
            .map(|a| {
                let column = match a {
                    ArrayRef::Bool(v) => v.as_slice().map(Column::Bool),
                    ArrayRef::Int32(v) => v.as_slice().map(Column::I32),
                    ArrayRef::Int64(v) => v.as_slice().map(Column::I64),
                    ArrayRef::Float32(v) => v.as_slice().map(Column::F32),
                    ArrayRef::Float64(v) => v.as_slice().map(Column::F64),
                    ArrayRef::Complex128(v) => v.as_slice().map(Column::C128),
                    ArrayRef::Bytes(_) => None,
                };
                match column {
                    Some(c) if a.shape() == broadcast.as_slice() => Ok(Arg::Column(c)),
                    _ => Err(refused("contiguous numeric inputs of the result's shape")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        match vm::target(out.view_mut()) {
            vm::block::Target::Contiguous(column) => native.program.run(&args, column, n),
            vm::block::Target::Strided(_) => Err(refused("a contiguous output")),
        }
    }
}
