"""`install`: make ``import numexpr`` give vexpr.

After ``vexpr.install()``, ``import numexpr`` (and ``numexpr.necompiler``,
``numexpr.expressions``, ``numexpr.utils``) returns a module with numexpr's API backed by
vexpr, and modules that had already imported the real numexpr (pandas'
``pandas.core.computation.expressions``, say) are pointed at it too. The stand-in reports
numexpr's API version with vexpr's as a local label (``2.14.2+vexpr.0.1.0``), so version
checks such as pandas' accept it. Its ``__path__`` is the real numexpr's, if one is
installed, so that ``numexpr.tests`` (numexpr's own test suite) can be imported and run
against vexpr.
"""

from __future__ import annotations

import importlib.util
import sys
import types

#: The numexpr release whose API vexpr follows.
NUMEXPR_API = "2.14.2"

_SUBMODULES = ("necompiler", "expressions", "utils")
_saved: dict = {}


def _stand_in() -> types.ModuleType:
    import vexpr

    from . import expressions, necompiler, utils

    module = types.ModuleType("numexpr", vexpr.__doc__)
    for name in vexpr.__all__ + ["_init_num_threads", "__BLOCK_SIZE1__"]:
        setattr(module, name, getattr(vexpr, name))
    module.__version__ = f"{NUMEXPR_API}+vexpr.{vexpr.__version__}"
    module.vexpr = vexpr
    module.necompiler = necompiler
    module.expressions = expressions
    module.utils = utils
    module.version = types.SimpleNamespace(version=module.__version__)
    real = _real_spec()
    module.__path__ = list(real.submodule_search_locations or []) if real else []
    module.test = _test
    return module


def _real_spec():
    """The installed numexpr's import spec (not imported), or None."""
    saved = sys.modules.pop("numexpr", None)
    try:
        return importlib.util.find_spec("numexpr")
    except (ImportError, ValueError):
        return None
    finally:
        if saved is not None:
            sys.modules["numexpr"] = saved


def _test(verbosity=1):
    """Run numexpr's own test suite (if numexpr is installed) against vexpr."""
    import numexpr.tests

    return numexpr.tests.test(verbosity=verbosity)


def install() -> types.ModuleType:
    """Make ``import numexpr`` give vexpr; returns the stand-in module. Idempotent."""
    current = sys.modules.get("numexpr")
    if current is not None and getattr(current, "vexpr", None) is not None:
        return current
    stand_in = _stand_in()
    real = sys.modules.get("numexpr")
    _saved.clear()
    for name in ("numexpr", *(f"numexpr.{s}" for s in _SUBMODULES)):
        if name in sys.modules:
            _saved[name] = sys.modules[name]
    sys.modules["numexpr"] = stand_in
    for sub in _SUBMODULES:
        sys.modules[f"numexpr.{sub}"] = getattr(stand_in, sub)
    if real is not None:
        _repoint(real, stand_in)
    return stand_in


def uninstall() -> None:
    """Undo `install` (the real numexpr, if it had been imported, comes back)."""
    stand_in = sys.modules.get("numexpr")
    if stand_in is None or getattr(stand_in, "vexpr", None) is None:
        return
    for name in ("numexpr", *(f"numexpr.{s}" for s in _SUBMODULES)):
        sys.modules.pop(name, None)
    sys.modules.update(_saved)
    real = _saved.get("numexpr")
    if real is not None:
        _repoint(stand_in, real)
    _saved.clear()


def _repoint(old: types.ModuleType, new: types.ModuleType) -> None:
    """Module attributes that hold `old` now hold `new` (``import numexpr as ne`` done
    earlier at the top of a module)."""
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict) or module is new:
            continue
        for key, value in list(namespace.items()):
            if value is old:
                namespace[key] = new
