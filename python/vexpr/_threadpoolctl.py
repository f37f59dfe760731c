"""A threadpoolctl controller for vexpr's worker pool.

With it, ``threadpoolctl.threadpool_info()`` lists vexpr's pool (``user_api`` and
``internal_api`` ``"vexpr"``) and ``threadpool_limits(n)`` limits it, as it does BLAS and
OpenMP pools. threadpoolctl finds the pool through the loaded extension module
(``_vexpr.abi3.so``); it is registered when vexpr is imported, if threadpoolctl is installed.
"""

from __future__ import annotations


def register() -> bool:
    """Register the controller with threadpoolctl; False if threadpoolctl is missing."""
    try:
        import threadpoolctl
    except ImportError:
        return False
    if any(c.internal_api == "vexpr" for c in threadpoolctl._ALL_CONTROLLERS):
        return True

    from . import _vexpr, utils

    class VexprController(threadpoolctl.LibController):
        """vexpr's worker pool."""

        user_api = "vexpr"
        internal_api = "vexpr"
        filename_prefixes = ("_vexpr",)

        def get_num_threads(self):
            return _vexpr.get_num_threads()

        def set_num_threads(self, num_threads):
            return _vexpr.set_num_threads(max(1, min(int(num_threads), utils.MAX_THREADS)))

        def get_version(self):
            return _vexpr.__version__

        def set_additional_attributes(self):
            self.instruction_set = _vexpr.active_isa()

    threadpoolctl.register(VexprController)
    return True
