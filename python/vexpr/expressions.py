"""numexpr's expression builder ``E``, as expression text.

``E.a`` is the variable ``a``; Python operators on it build a larger expression, which
`NumExpr` (or `str`) turns into the text vexpr compiles::

    >>> from vexpr import E
    >>> str(2.0 * E.a + 3 * E.b ** 2)
    '((2.0 * a) + (3 * (b ** 2)))'

numexpr builds a typed tree here and compiles it itself; vexpr compiles the text, so only the
text is kept. `ConstantNode` keeps numexpr's ``value`` and ``astKind`` for constants that have
a literal in the language.
"""

from __future__ import annotations

import numpy

__all__ = ["E", "ExpressionNode", "VariableNode", "ConstantNode"]

# numexpr's kind of a Python or NumPy scalar.
_KIND_OF = (
    (bool, "bool"),
    (numpy.bool_, "bool"),
    (numpy.int32, "int"),
    (numpy.int64, "long"),
    (int, "long"),
    (numpy.float32, "float"),
    (float, "double"),
    (numpy.float64, "double"),
    (complex, "complex"),
    (numpy.complex128, "complex"),
    (bytes, "bytes"),
)


class ExpressionNode:
    """A piece of expression text; operators combine pieces."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"

    def __bool__(self):
        raise TypeError("an expression has no truth value; use & | ~ or where()")


def _text(x) -> str:
    return x.text if isinstance(x, ExpressionNode) else ConstantNode(x).text


def _binary(symbol: str, reflected: bool = False):
    def op(self, other):
        a, b = (_text(other), self.text) if reflected else (self.text, _text(other))
        return ExpressionNode(f"({a} {symbol} {b})")

    return op


def _unary(symbol: str):
    def op(self):
        return ExpressionNode(f"({symbol}{self.text})")

    return op


for _name, _symbol in (
    ("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"),
    ("mod", "%"), ("pow", "**"), ("and", "&"), ("or", "|"), ("xor", "^"),
    ("lshift", "<<"), ("rshift", ">>"),
):
    setattr(ExpressionNode, f"__{_name}__", _binary(_symbol))
    setattr(ExpressionNode, f"__r{_name}__", _binary(_symbol, reflected=True))
for _name, _symbol in (
    ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="), ("eq", "=="), ("ne", "!="),
):
    setattr(ExpressionNode, f"__{_name}__", _binary(_symbol))
for _name, _symbol in (("neg", "-"), ("pos", "+"), ("invert", "~")):
    setattr(ExpressionNode, f"__{_name}__", _unary(_symbol))
ExpressionNode.__hash__ = object.__hash__


class VariableNode(ExpressionNode):
    """A variable by name."""

    def __init__(self, name: str, kind: str = "double"):
        super().__init__(name)
        self.value = name
        self.astKind = kind


class ConstantNode(ExpressionNode):
    """A literal constant (numexpr's ``value`` and ``astKind`` included)."""

    def __init__(self, value, kind: str | None = None):
        self.value = value
        self.astKind = kind or next(
            (k for t, k in _KIND_OF if isinstance(value, t)), "double"
        )
        super().__init__(_literal(value))


def _literal(value) -> str:
    """The language's literal for `value` (float64 for floats, as every float literal is)."""
    if isinstance(value, (bool, numpy.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, numpy.integer)):
        return str(int(value))
    if isinstance(value, (float, numpy.floating)):
        return repr(float(value))
    if isinstance(value, (complex, numpy.complexfloating)):
        return f"({value.real!r} + {value.imag!r}j)"
    if isinstance(value, bytes):
        return repr(value)
    raise TypeError(f"no literal for {value!r}")


class _Expression:
    """``E.name`` is the variable ``name``."""

    def __getattr__(self, name: str) -> VariableNode:
        if name.startswith("_"):
            raise AttributeError(name)
        return VariableNode(name)


E = _Expression()
