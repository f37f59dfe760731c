"""Threads and the VML settings, with numexpr's functions and environment variables.

vexpr has one process-wide thread count (the Rust core's). At import it is set as numexpr
sets its own: ``VEXPR_NUM_THREADS`` if set, else ``NUMEXPR_NUM_THREADS``, else
``OMP_NUM_THREADS``, else the number of cores (at most 16 unless ``NUMEXPR_MAX_THREADS`` or
``OMP_NUM_THREADS`` is set). ``NUMEXPR_MAX_THREADS`` (default 64) bounds `set_num_threads`.

vexpr has no VML: its vectorised maths are its own, so ``use_vml`` is False and the VML
functions answer as numexpr does without VML, except `set_vml_accuracy_mode`, which keeps the
mode for vexpr's precision switch (see `_apply_accuracy_mode`).
"""

from __future__ import annotations

import logging
import os

from . import _vexpr

log = logging.getLogger(__name__)

#: vexpr does not use Intel's VML.
use_vml = False

#: The largest thread count the core accepts.
_CORE_MAX_THREADS = 1024


def _max_threads() -> int:
    """numexpr's pool size: ``NUMEXPR_MAX_THREADS`` if it is a positive integer, else 64."""
    value = os.environ.get("NUMEXPR_MAX_THREADS", "")
    try:
        n = int(value)
    except ValueError:
        n = 64
    return max(1, min(n, _CORE_MAX_THREADS))


#: The largest value `set_num_threads` accepts.
MAX_THREADS = _max_threads()


def set_num_threads(nthreads: int) -> int:
    """Set the number of threads evaluations use; returns the previous number.

    >>> old = set_num_threads(1)
    >>> get_num_threads()
    1
    >>> _ = set_num_threads(old)
    """
    nthreads = int(nthreads)
    if not 1 <= nthreads <= MAX_THREADS:
        raise ValueError(f"number of threads {nthreads} not in range [1, {MAX_THREADS}]")
    return _vexpr.set_num_threads(nthreads)


def get_num_threads() -> int:
    """The number of threads evaluations use (the calling thread included)."""
    return _vexpr.get_num_threads()


def detect_number_of_cores() -> int:
    """The number of online processors."""
    try:
        n = os.sysconf("SC_NPROCESSORS_ONLN")
        if isinstance(n, int) and n > 0:
            return n
    except (AttributeError, ValueError, OSError):
        pass
    return os.cpu_count() or 1


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "")
    return int(value) if value != "" else None


def _init_num_threads() -> int:
    """Set the thread count from the environment as numexpr does (``VEXPR_NUM_THREADS``
    first); returns it."""
    n_cores = detect_number_of_cores()
    configured = os.environ.get("NUMEXPR_MAX_THREADS", "") != "" or (
        os.environ.get("OMP_NUM_THREADS", "") != ""
    )
    if configured:
        n_cores = MAX_THREADS
    elif n_cores > 16:
        log.info("vexpr detected %d cores but NUMEXPR_MAX_THREADS is not set: using 16", n_cores)
        n_cores = 16
    requested = None
    for name in ("VEXPR_NUM_THREADS", "NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS"):
        requested = _env_int(name)
        if requested is not None:
            break
    if requested is None:
        requested = n_cores
    set_num_threads(requested)
    return requested


def detect_number_of_threads() -> int:
    """Deprecated in numexpr: the thread count the environment asks for."""
    for name in ("NUMEXPR_NUM_THREADS", "OMP_NUM_THREADS"):
        try:
            n = int(os.environ.get(name, ""))
            return min(n, MAX_THREADS)
        except ValueError:
            continue
    return min(detect_number_of_cores(), MAX_THREADS)


def get_vml_version():
    """None: vexpr does not use VML."""
    return None


def set_vml_num_threads(nthreads):
    """No effect (vexpr does not use VML): returns None, as numexpr does without VML."""
    return None


def get_vml_num_threads():
    """None: vexpr does not use VML."""
    return None


_ACCURACY_MODES = (None, "high", "low", "fast")
_accuracy_mode = "high"


def _apply_accuracy_mode(mode: str) -> None:
    """The one place where VML accuracy modes meet vexpr's precision switch: ``'high'`` is
    vexpr's high precision (its documented ulp budgets), ``'low'`` and ``'fast'`` its fast one
    (every function within 4 ulp, as VML's low-accuracy mode)."""
    _vexpr.set_precision("high" if mode == "high" else "fast")


def set_vml_accuracy_mode(mode):
    """Set the accuracy of the transcendental functions: ``'high'``, ``'low'``, ``'fast'``, or
    None to leave it. Returns the previous mode. Any other value is a ValueError.

    >>> set_vml_accuracy_mode('fast')
    'high'
    >>> set_vml_accuracy_mode('high')
    'fast'
    """
    global _accuracy_mode
    if mode not in _ACCURACY_MODES:
        raise ValueError("mode argument must be one of: None, 'high', 'low', 'fast'")
    previous = _accuracy_mode
    if mode is not None:
        _apply_accuracy_mode(mode)
        _accuracy_mode = mode
    return previous
