"""vexpr's exceptions, each also an instance of the built-in type numexpr raises.

The extension raises one type, ``vexpr._vexpr.Error(message, kind, start, end)``; `convert`
turns it into a subclass of `VexprError` that also derives from the exception type numexpr
(and NumPy, where numexpr defers to it) raises for the same mistake, so code written for
numexpr (``except SyntaxError``, ``except KeyError``, ...) keeps working.
"""

from __future__ import annotations

from . import _vexpr


class VexprError(Exception):
    """Base of every error vexpr reports about an expression.

    ``kind`` names the error's kind (``"Syntax"``, ``"Type"``, ``"Shape"``, ...), ``span`` is
    the ``(start, end)`` byte range of the culprit in the expression (or None), ``message``
    the text, which shows the expression with a caret under the culprit.
    """

    kind = "Error"

    def __init__(self, message: str, kind: str | None = None, span=None):
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.span = span

    def __str__(self) -> str:
        return self.message


class VexprSyntaxError(VexprError, SyntaxError, ValueError):
    """Not in the language (numexpr: SyntaxError; with its sanitizer on: ValueError)."""

    def __init__(self, message: str, kind: str | None = None, span=None):
        VexprError.__init__(self, message, kind, span)
        self.msg = message
        if span is not None:
            self.offset = span[0] + 1


class VexprLimitError(VexprError, ValueError):
    """A documented limit (source length, nesting, dimensions) was exceeded."""


class VexprNameError(VexprError, KeyError):
    """A variable that is not defined (numexpr: KeyError)."""


class VexprCallError(VexprError, TypeError):
    """An unknown function, or a call with the wrong arguments (numexpr: TypeError)."""


class VexprTypeError(VexprError, NotImplementedError, TypeError):
    """An operation not defined for its operands' kinds (numexpr: NotImplementedError)."""


class VexprValueError(VexprError, ValueError):
    """A value the operation refuses: shapes that do not broadcast, a bad axis, a bad output,
    integers to negative integer powers (numexpr and NumPy: ValueError)."""


class VexprOverflowError(VexprError, OverflowError):
    """A constant beyond the kinds' range (an integer literal beyond int64)."""


class VexprZeroDivisionError(VexprError, ZeroDivisionError):
    """Division by zero between constants (numexpr: Python's ZeroDivisionError)."""


class VexprMemoryError(VexprError, MemoryError):
    """Not enough memory for the result."""


class VexprInternalError(VexprError, RuntimeError):
    """A failure that should never happen: please report it."""


_BY_KIND = {
    "Syntax": VexprSyntaxError,
    "Limit": VexprLimitError,
    "UnknownVariable": VexprNameError,
    "UnknownFunction": VexprCallError,
    "Arity": VexprCallError,
    "Type": VexprTypeError,
    "Overflow": VexprOverflowError,
    "ZeroDivision": VexprZeroDivisionError,
    "Shape": VexprValueError,
    "Axis": VexprValueError,
    "Input": VexprValueError,
    "Output": VexprValueError,
    "Memory": VexprMemoryError,
    "Cancelled": VexprInternalError,
    "Internal": VexprInternalError,
}

# A type error that numexpr and NumPy raise as ValueError.
_NEGATIVE_POWER = "integers to negative integer powers are not allowed"


def convert(error: _vexpr.Error) -> VexprError:
    """The `VexprError` for an error raised by the extension."""
    message, kind, start, end = error.args
    message = message.removeprefix("error: ")
    span = None if start is None else (start, end)
    cls = _BY_KIND.get(kind, VexprInternalError)
    if kind == "Type" and _NEGATIVE_POWER in message:
        cls = VexprValueError
    return cls(message, kind, span)
