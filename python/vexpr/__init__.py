"""vexpr: numexpr's API on a compiled, vectorised, multi-threaded expression engine.

    >>> import numpy as np
    >>> import vexpr as ne
    >>> a = np.arange(5.0)
    >>> b = np.sqrt(a)
    >>> ne.evaluate("a**2 + b**2 + 2*a*b")
    array([ 0.        ,  4.        , 11.65685425, 22.39230485, 36.        ])

`vexpr.install()` makes ``import numexpr`` give vexpr, so code written for numexpr (pandas
included) runs on it. The GIL is released while an expression runs; the worker pool
survives ``fork``; `threadpoolctl` lists and limits it; `vexpr.dask.evaluate` runs an
expression over dask arrays. PYTHON.md in the repository lists where vexpr differs from
numexpr.
"""

from __future__ import annotations

from . import _vexpr
from ._errors import (VexprCallError, VexprError, VexprLimitError, VexprNameError,
                      VexprSyntaxError, VexprTypeError, VexprValueError)
from ._install import install, uninstall
from .expressions import E
from .necompiler import NumExpr, disassemble, evaluate, re_evaluate, validate
from .utils import (MAX_THREADS, _init_num_threads, detect_number_of_cores,
                    detect_number_of_threads, get_num_threads, get_vml_num_threads,
                    get_vml_version, set_num_threads, set_vml_accuracy_mode,
                    set_vml_num_threads, use_vml)

__version__ = _vexpr.__version__

#: numexpr's block size (vexpr chooses its own per expression); kept for compatibility.
__BLOCK_SIZE1__ = 1024

#: The number of cores detected.
ncores = detect_number_of_cores()
#: The thread count set at import (see `vexpr.utils`).
nthreads = _init_num_threads()


def active_isa() -> str:
    """The instruction set vexpr's kernels use here: 'baseline', 'avx2' or 'avx512'."""
    return _vexpr.active_isa()


def print_versions() -> None:
    """Print the versions of vexpr and what it runs on."""
    import platform
    import sys

    import numpy

    print("-=" * 38)
    print(f"vexpr version:     {__version__} (numexpr API)")
    print(f"NumPy version:     {numpy.__version__}")
    print(f"Python version:    {sys.version}")
    print(f"Platform:          {sys.platform}-{platform.machine()}")
    print(f"Instruction set:   {active_isa()}")
    print(f"VML available?     {use_vml}")
    print(f"Number of threads used by default: {nthreads} (out of {ncores} detected cores)")
    print(f"Maximum number of threads: {MAX_THREADS}")
    print("-=" * 38)


from . import _threadpoolctl  # noqa: E402  (needs the functions above)

_threadpoolctl.register()

__all__ = [
    "E", "NumExpr", "evaluate", "re_evaluate", "validate", "disassemble",
    "set_num_threads", "get_num_threads", "detect_number_of_cores", "detect_number_of_threads",
    "set_vml_num_threads", "get_vml_num_threads", "get_vml_version", "set_vml_accuracy_mode",
    "use_vml", "ncores", "nthreads", "MAX_THREADS", "install", "uninstall", "active_isa",
    "print_versions", "VexprError", "VexprSyntaxError", "VexprNameError", "VexprTypeError",
    "VexprValueError", "VexprCallError", "VexprLimitError",
]
