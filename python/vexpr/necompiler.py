"""numexpr's evaluation API on vexpr: `evaluate`, `validate`, `re_evaluate`, `NumExpr`,
`disassemble`.

A call finds the expression's variable names (parsed once per expression text, cached), looks
them up in ``local_dict``/``global_dict`` or the caller's frame, converts each value with
``numpy.asarray`` and, when its dtype is not one vexpr reads as it is, to the dtype numexpr
would use (checked against ``casting``), compiles the expression for those dtypes (cached,
keyed by the text and the dtypes) and runs it with the GIL released. Arrays are read in
place, whatever their strides; ``out`` is written in place when it has the result's dtype and
shape, and otherwise filled from the result with NumPy's broadcasting and ``casting`` rules.

Departures from numexpr are listed in PYTHON.md (the language's own in docs/LANGUAGE.md).
"""

from __future__ import annotations

import sys
import threading
import weakref

import numpy

from . import _vexpr
from ._errors import VexprError, convert
from .expressions import ExpressionNode

__all__ = ["evaluate", "re_evaluate", "validate", "NumExpr", "disassemble", "getExprNames",
           "getType"]

# The dtypes vexpr reads as they are, by their NumPy dtype.
_NATIVE = {numpy.dtype(name): name for name in
           ("bool", "int32", "int64", "float32", "float64", "complex128")}

# numexpr's types in signatures (its ``float`` is float32, its ``double`` float64).
_SIGNATURE_TYPES = {
    bool: "bool", numpy.bool_: "bool",
    numpy.int32: "int32", numpy.int64: "int64", int: "int64",
    float: "float32", numpy.float32: "float32",
    numpy.float64: "float64",
    complex: "complex128", numpy.complex128: "complex128",
    bytes: "bytes",
}
_TYPECODES = {"bool": "b", "int32": "i", "int64": "l", "float32": "f", "float64": "d",
              "complex128": "c"}

_CONTEXT_KEYS = {"optimization": ("none", "moderate", "aggressive"),
                 "truediv": (False, True, "auto")}
_ORDERS = ("C", "F", "A", "K")
_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")


def _check_context(kwargs: dict) -> None:
    """numexpr's ``optimization`` and ``truediv`` options: checked, then ignored (vexpr always
    divides truly and expands powers as numexpr's default 'aggressive' does)."""
    for name, value in kwargs.items():
        allowed = _CONTEXT_KEYS.get(name)
        if allowed is None:
            raise ValueError(f"Unknown keyword argument '{name}'")
        if value not in allowed:
            raise ValueError(f"'{name}' must be one of {allowed}")


def _text(ex) -> str:
    if isinstance(ex, str):
        return ex
    if isinstance(ex, ExpressionNode):
        return ex.text
    raise ValueError("must specify expression as a string")


# ---------------------------------------------------------------------------------------------
# Names and compiled programs, cached

_CACHE_SIZE = 256
_names_cache: dict = {}
_programs: dict = {}


def _bounded_put(cache: dict, key, value) -> None:
    """Insert, dropping the oldest tenth when the cache is full (as numexpr's CacheDict)."""
    if len(cache) >= _CACHE_SIZE:
        for old in list(cache)[: _CACHE_SIZE // 10]:
            cache.pop(old, None)
    cache[key] = value


def _names(ex: str) -> tuple:
    try:
        return _names_cache[ex]
    except KeyError:
        pass
    try:
        names = tuple(_vexpr.variables(ex))
    except _vexpr.Error as e:
        raise convert(e) from None
    _bounded_put(_names_cache, ex, names)
    return names


class _Program:
    """A compiled expression, and where each of its inputs is among the looked-up names."""

    __slots__ = ("compiled", "order", "run")

    def __init__(self, ex: str, names: tuple, kinds: tuple):
        try:
            self.compiled = _vexpr.Compiled(ex, list(zip(names, kinds)))
        except _vexpr.Error as e:
            raise convert(e) from None
        self.run = self.compiled.run
        position = {name: i for i, name in enumerate(names)}
        order = tuple(position[name] for name, _ in self.compiled.inputs)
        self.order = None if order == tuple(range(len(names))) else order

    def __call__(self, arrays, out, order, casting):
        if self.order is not None:
            arrays = [arrays[i] for i in self.order]
        try:
            result = self.run(tuple(arrays), out)
        except _vexpr.Error as e:
            raise convert(e) from None
        if out is not None:
            if result is not out:
                numpy.copyto(out, result, casting=casting)
            return out
        if order == "K" or order == "C" or result.ndim < 2:
            return result
        return _layout(result, order, arrays)


def _program(ex: str, names: tuple, kinds: tuple) -> _Program:
    key = (ex, kinds)
    try:
        return _programs[key]
    except KeyError:
        program = _Program(ex, names, kinds)
        _bounded_put(_programs, key, program)
        return program


def _layout(result, order: str, arrays):
    """``order='F'``, or ``'A'`` with every input Fortran-ordered: a Fortran-ordered copy."""
    if order == "F" or (order == "A" and arrays
                        and all(a.flags.f_contiguous and not a.flags.c_contiguous
                                for a in arrays if a.ndim > 1)):
        return numpy.asfortranarray(result)
    return result


# ---------------------------------------------------------------------------------------------
# Values: lookup and conversion


def getType(a) -> type:
    """numexpr's signature type of an array (``float`` stands for float32)."""
    return {"bool": bool, "int32": numpy.int32, "int64": numpy.int64, "float32": float,
            "float64": numpy.float64, "complex128": complex}.get(_kind_for(a.dtype), bytes)


def _kind_for(dtype: numpy.dtype) -> str:
    """The vexpr dtype name numexpr would use for an array of `dtype`."""
    kind, size = dtype.kind, dtype.itemsize
    if kind == "b":
        return "bool"
    if kind in "iu":
        return "int64" if size > 4 or (kind == "u" and size == 4) else "int32"
    if kind == "f":
        return "float64" if size > 4 else "float32"
    if kind == "c":
        return "complex128"
    if kind == "S":
        return f"S{max(size, 1)}"
    if kind == "U":
        raise ValueError("vexpr does not support Unicode strings: encode them to bytes (dtype S)")
    raise ValueError(f"unknown type {dtype.name}: vexpr takes booleans, numbers and byte strings")


def _convert(a: numpy.ndarray, kind: str, casting: str, name: str) -> numpy.ndarray:
    """`a` as dtype `kind`, if `casting` allows the conversion (numexpr's rule)."""
    target = numpy.dtype(kind)
    if not numpy.can_cast(a.dtype, target, casting):
        raise TypeError(
            f"variable '{name}': cannot cast array data from {a.dtype!r} to {target!r} "
            f"according to the rule {casting!r}"
        )
    return a.astype(target)


def _values(names, local_dict, global_dict, depth: int) -> list:
    """The values of `names`, from the dicts or the frame `depth` levels above the caller."""
    clear = False
    if local_dict is None or global_dict is None:
        frame = sys._getframe(depth + 1)
        if local_dict is None:
            local_dict = frame.f_locals
            # A function's f_locals is a snapshot that would keep the arrays alive: numexpr
            # clears it (numexpr issue #310). Other frames (a module, a class body, exec)
            # return their real namespace, which must not be cleared.
            clear = type(local_dict) is dict and frame.f_code.co_flags & _CO_OPTIMIZED
        if global_dict is None:
            global_dict = frame.f_globals
        del frame
    try:
        values = []
        for name in names:
            try:
                values.append(local_dict[name])
            except KeyError:
                values.append(global_dict[name])
        return values
    finally:
        if clear:
            local_dict.clear()


def _prepare(names, values, casting: str):
    """NumPy arrays of the dtypes vexpr reads, and those dtypes' names."""
    kinds = []
    native = _NATIVE
    for value in values:
        # The common case first: arrays of a kind vexpr reads as it is.
        if type(value) is not _ndarray:
            break
        kind = native.get(value.dtype)
        if kind is None:
            break
        kinds.append(kind)
    else:
        return values, tuple(kinds)
    arrays = []
    kinds = []
    for name, value in zip(names, values):
        a = value if type(value) is _ndarray else numpy.asarray(value)
        dtype = a.dtype
        kind = native.get(dtype)
        if kind is None:
            kind = _kind_for(dtype)
            if kind[0] != "S":
                a = _convert(a, kind, casting, name)
        arrays.append(a)
        kinds.append(kind)
    return arrays, tuple(kinds)


_ndarray = numpy.ndarray


# ---------------------------------------------------------------------------------------------
# numexpr's entry points

_last = threading.local()
_CO_OPTIMIZED = 0x1  # inspect.CO_OPTIMIZED: a function's frame


def _check_options(order: str, casting: str) -> None:
    if order not in _ORDERS:
        raise ValueError(f"order must be one of 'C', 'F', 'A', 'K', not {order!r}")
    if casting not in _CASTINGS:
        raise ValueError(f"casting must be one of {_CASTINGS}, not {casting!r}")


def evaluate(ex, local_dict=None, global_dict=None, out=None, order="K",
             casting="same_kind", sanitize=None, _frame_depth=3, disable_cache=False,
             **kwargs):
    """Evaluate the array expression `ex` element-wise, as ``numexpr.evaluate`` does.

    Variables are taken from `local_dict` and `global_dict`, or else from the calling frame.
    `out`, if given, receives the result (in place when it has the result's dtype and shape;
    otherwise it must take it under `casting`, with NumPy broadcasting) and is returned.
    `order` is the result's memory order ('K' and 'C' give C order). `sanitize` is accepted
    and has no effect: vexpr parses a grammar and never runs Python code. `optimization` and
    `truediv` are checked and ignored (their numexpr defaults are vexpr's only behaviour).

    >>> import numpy as np, vexpr
    >>> a = np.arange(4.0)
    >>> vexpr.evaluate("2*a + 1")
    array([1., 3., 5., 7.])
    """
    if kwargs:
        _check_context(kwargs)
    if order != "K" or casting != "same_kind":
        _check_options(order, casting)
    ex = _text(ex)
    names = _names(ex)
    values = _values(names, local_dict, global_dict, _frame_depth - 2)
    arrays, kinds = _prepare(names, values, casting)
    program = _program(ex, names, kinds)
    if not disable_cache:
        _last.state = (program, names, kinds, None if out is None else weakref.ref(out),
                       order, casting)
    return program(arrays, out, order, casting)


def validate(ex, local_dict=None, global_dict=None, out=None, order="K", casting="safe",
             _frame_depth=2, sanitize=None, **kwargs):
    """Check `ex` and its variables, and remember them for `re_evaluate` (in this thread).
    Returns None, or the exception that `evaluate` would raise."""
    try:
        if kwargs:
            _check_context(kwargs)
        _check_options(order, casting)
        ex = _text(ex)
        names = _names(ex)
        values = _values(names, local_dict, global_dict, _frame_depth - 1)
        _, kinds = _prepare(names, values, casting)
        program = _program(ex, names, kinds)
    except Exception as e:  # noqa: BLE001 - numexpr returns the exception
        return e
    _last.state = (program, names, kinds, None if out is None else weakref.ref(out),
                   order, casting)
    return None


def re_evaluate(local_dict=None, global_dict=None, _frame_depth=2):
    """Evaluate the expression last given to `evaluate` or `validate` in this thread again,
    with the variables' current values."""
    try:
        program, names, last_kinds, out_ref, order, casting = _last.state
    except AttributeError:
        raise RuntimeError(
            "A previous evaluate() execution was not found, please call `validate` or "
            "`evaluate` once before `re_evaluate`"
        ) from None
    out = out_ref() if out_ref is not None else None
    values = _values(names, local_dict, global_dict, _frame_depth - 1)
    arrays, kinds = _prepare(names, values, casting)
    if kinds != last_kinds:
        program = _program(program.compiled.source, names, kinds)
    return program(arrays, out, order, casting)


def getExprNames(text, context=None, sanitize=True):
    """numexpr's ``(names, ex_uses_vml)``: the variable names, sorted, and False (no VML)."""
    return sorted(_names(_text(text))), False


class NumExpr:
    """A compiled expression with a fixed signature, called with positional arrays.

    `signature` is a list of ``(name, type)`` with numexpr's types (``bool``,
    ``numpy.int32``, ``numpy.int64``, ``float`` for float32, ``numpy.double``, ``complex``,
    ``bytes``) or NumPy dtypes; without one, the variables are float64 and taken in sorted
    order, as numexpr does. Calls take the arrays in signature order, convert each to its
    type under `casting` (default 'safe'), and accept `out` and `order` as `evaluate` does.
    Pickles as its text and signature.

    >>> import numpy as np
    >>> f = NumExpr("2*a + b", [("a", np.double), ("b", np.double)])
    >>> f(np.arange(3.0), 1.0)
    array([1., 3., 5.])
    """

    def __init__(self, ex, signature=(), sanitize=None, **kwargs):
        if kwargs:
            _check_context(kwargs)
        self.ex = _text(ex)
        names = _names(self.ex)
        if signature:
            kinds = tuple(_signature_kind(t) for _, t in signature)
            input_names = tuple(name for name, _ in signature)
            if set(input_names) != set(names):
                raise ValueError(
                    f"input names {list(input_names)} don't match those found in "
                    f"expression {sorted(names)}"
                )
        else:
            input_names = tuple(sorted(names))
            kinds = ("float64",) * len(input_names)
        self.input_names = input_names
        self._kinds = kinds
        self.signature = "".join(_TYPECODES.get(k, "s") for k in kinds)
        self._program = None if "bytes" in kinds else _program(self.ex, input_names, kinds)

    def __call__(self, *args, out=None, order="K", casting="safe", ex_uses_vml=False):
        _check_options(order, casting)
        if len(args) != len(self.input_names):
            raise ValueError(
                f"expected {len(self.input_names)} arguments ({', '.join(self.input_names)}), "
                f"got {len(args)}"
            )
        arrays = []
        kinds = []
        for name, kind, value in zip(self.input_names, self._kinds, args):
            a = numpy.asarray(value)
            if kind == "bytes":
                kind = _kind_for(a.dtype)
                if kind[0] != "S":
                    raise TypeError(f"variable '{name}' must be a byte-string array")
            elif a.dtype != numpy.dtype(kind):
                a = _convert(a, kind, casting, name)
            arrays.append(a)
            kinds.append(kind)
        program = self._program or _program(self.ex, self.input_names, tuple(kinds))
        return program(arrays, out, order, casting)

    run = __call__

    def __reduce__(self):
        return (_rebuild_numexpr, (self.ex, list(zip(self.input_names, self._kinds))))

    def __str__(self) -> str:
        return disassemble(self)

    def __repr__(self) -> str:
        return f"NumExpr({self.ex!r}, {list(zip(self.input_names, self._kinds))!r})"


def _rebuild_numexpr(ex, signature):
    return NumExpr(ex, [(n, bytes if k == "bytes" else numpy.dtype(k).type)
                        for n, k in signature])


def _signature_kind(t) -> str:
    kind = _SIGNATURE_TYPES.get(t)
    if kind is None:
        kind = _kind_for(numpy.dtype(t))
        if kind[0] == "S":
            kind = "bytes"
    return kind


def disassemble(nex) -> str:
    """vexpr's listing of the optimised bytecode of a `NumExpr` (numexpr returns its own
    opcodes; the two machines differ)."""
    if nex._program is None:
        raise TypeError("a NumExpr with byte-string inputs is compiled when it is called")
    return str(nex._program.compiled)


__all__ += ["VexprError"]
