"""vexpr over dask arrays: the same expressions on data split into chunks.

    >>> import dask.array as da, numpy as np, vexpr.dask
    >>> a = da.arange(10.0, chunks=4)
    >>> b = np.linspace(0, 1, 10)            # NumPy arrays and scalars mix in
    >>> vexpr.dask.evaluate("2*a + b").compute().round(3)[:3]
    array([0.   , 2.111, 4.222])
    >>> float(vexpr.dask.evaluate("sum(a**2)").compute())
    285.0

An element-wise expression becomes one dask ``blockwise`` task per output chunk (dask's
broadcasting and chunk alignment: chunks of different inputs are unified first). A reduction
``sum prod min max any all`` that is the outermost call, with or without ``axis``, becomes a
vexpr reduction per chunk followed by the same reduction over the partial results (a dask
``reduction`` tree). The tasks carry the expression's text and dtypes, not compiled code, so
they pickle and run on a ``dask.distributed`` cluster's worker processes, each compiling
once (vexpr's compile cache).
"""

from __future__ import annotations

import re

import numpy

from . import necompiler
from .necompiler import _kind_for, _names, _NATIVE, _program, _text

__all__ = ["evaluate"]

_REDUCTIONS = ("sum", "prod", "min", "max", "any", "all")
_REDUCTION_CALL = re.compile(r"\b(" + "|".join(_REDUCTIONS) + r")\s*\(")
#: What chunks cannot compute on their own (a chunk's mean is not the mean): refused.
_NOT_CHUNKED = re.compile(r"\b(mean|var|std)\s*\(|\bkeepdims\b")

#: Chunks evaluated by this process (tests read it on each worker).
calls = 0


class Blockwise:
    """``ex`` on one chunk of each input (pickles as text, names and dtypes)."""

    def __init__(self, ex: str, names: tuple, kinds: tuple):
        self.ex, self.names, self.kinds = ex, names, kinds

    def __reduce__(self):
        return (Blockwise, (self.ex, self.names, self.kinds))

    def __call__(self, *blocks):
        global calls
        calls += 1
        arrays = [numpy.asarray(b) for b in blocks]
        arrays = [a if _NATIVE.get(a.dtype) == k or k[0] == "S" else a.astype(k)
                  for a, k in zip(arrays, self.kinds)]
        return _program(self.ex, self.names, self.kinds)(arrays, None, "K", "unsafe")


class Reduce:
    """One reduction (``sum`` ...) of a chunk or of partial results, as dask's ``chunk`` and
    ``aggregate`` functions are called: ``f(block, axis=(...), keepdims=bool)``."""

    def __init__(self, op: str):
        self.op = op

    def __reduce__(self):
        return (Reduce, (self.op,))

    def __call__(self, block, axis=None, keepdims=False):
        global calls
        calls += 1
        block = numpy.asarray(block)
        ndim = block.ndim
        axes = tuple(range(ndim)) if axis is None else tuple(a % max(ndim, 1) for a in axis)
        kind = _NATIVE.get(block.dtype) or _kind_for(block.dtype)
        if len(axes) == ndim:
            ex = f"{self.op}(x)"
        elif len(axes) == 1:
            ex = f"{self.op}(x, axis={axes[0]})"
        else:
            raise ValueError(f"vexpr reduces along one axis or all of them, not {axes}")
        result = _program(ex, ("x",), (kind,))([block.astype(kind, copy=False)], None, "K",
                                               "unsafe")
        if keepdims:
            result = numpy.expand_dims(result, axes)
        return result


def _outer_reduction(ex: str):
    """``(op, inner, axis)`` if `ex` is one call of a reduction around everything, else None.
    ``axis`` is an int or None."""
    m = re.match(r"\s*(" + "|".join(_REDUCTIONS) + r")\s*\(", ex)
    if not m:
        return None
    depth, quote, args, start = 0, None, [], m.end()
    i = m.end() - 1
    while i < len(ex):
        c = ex[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                args.append(ex[start:i])
                break
        elif c == "," and depth == 1:
            args.append(ex[start:i])
            start = i + 1
        i += 1
    else:
        return None
    rest = ex[i + 1:].split("#", 1)[0]
    if rest.strip():
        return None  # the call is part of a larger expression
    inner, *options = args
    axis = None
    for option in options:
        key, _, value = option.partition("=")
        if key.strip() != "axis" or not _:
            raise ValueError(f"vexpr.dask: unexpected argument {option.strip()!r} in {ex!r}")
        value = value.strip()
        axis = None if value == "None" else int(value, 0)
    return m.group(1), inner, axis


def evaluate(ex, local_dict=None, global_dict=None, casting="same_kind", _frame_depth=2):
    """Evaluate `ex` lazily over dask arrays (mixed with NumPy arrays and scalars): returns a
    dask array. Variables come from `local_dict`/`global_dict` or the calling frame, as in
    `vexpr.evaluate`; their dtypes are converted as `vexpr.evaluate` converts them (checked
    against `casting`)."""
    import dask.array as da

    ex = _text(ex)
    # Before the reduction is parsed: `keepdims=` would be refused there as an unknown argument.
    if _NOT_CHUNKED.search(_strip_strings(ex)):
        raise ValueError("vexpr.dask: mean, var, std and keepdims are not supported over chunks")
    reduction = _outer_reduction(ex)
    inner = reduction[1] if reduction else ex
    if _REDUCTION_CALL.search(_strip_strings(inner)):
        raise ValueError("vexpr.dask: a reduction must be the outermost call of the expression")
    names = _names(inner)
    values = necompiler._values(names, local_dict, global_dict, _frame_depth - 1)
    args, kinds = [], []
    for name, value in zip(names, values):
        if not isinstance(value, da.Array):
            value = numpy.asarray(value)
        kind = _NATIVE.get(value.dtype) or _kind_for(value.dtype)
        if kind[0] != "S" and value.dtype != numpy.dtype(kind):
            if not numpy.can_cast(value.dtype, kind, casting):
                raise TypeError(f"variable '{name}': cannot cast {value.dtype} to {kind} "
                                f"according to the rule {casting!r}")
        args.append(value)
        kinds.append(kind)
    kinds = tuple(kinds)
    program = _program(inner, names, kinds)  # compile here: errors surface now, not in a task
    dtype = numpy.dtype(program.compiled.dtype)
    ndim = max((numpy.ndim(a) for a in args), default=0)
    if ndim == 0:
        x = da.asarray(program([numpy.asarray(a) for a in args], None, "K", casting))
    else:
        # Indices aligned at the right, as NumPy broadcasts; blockwise unifies the chunks
        # (a length-1 dimension broadcasts) and calls the function once per output chunk.
        pairs = []
        for a in args:
            if numpy.ndim(a) == 0:
                pairs += [a, None]
            else:
                pairs += [da.asarray(a), tuple(range(ndim - a.ndim, ndim))]
        x = da.blockwise(Blockwise(inner, names, kinds), tuple(range(ndim)), *pairs,
                         dtype=dtype, align_arrays=True)
    if reduction is None:
        return x
    op, _, axis = reduction
    if axis is not None:
        if not -x.ndim <= axis < x.ndim:
            raise ValueError(f"axis {axis} is out of bounds for an array of {x.ndim} dimensions")
        axis = axis % x.ndim
    reduce = Reduce(op)
    result_dtype = numpy.dtype(_program(f"{op}(x)", ("x",), (dtype.name,)).compiled.dtype)
    return da.reduction(x, reduce, reduce, axis=axis, dtype=result_dtype, combine=reduce,
                        concatenate=True)


def _strip_strings(ex: str) -> str:
    """`ex` with the contents of string literals removed (so a name inside one is not seen)."""
    return re.sub(r"""(['"])(?:\\.|(?!\1).)*\1""", "''", ex)
