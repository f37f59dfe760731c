#!/usr/bin/env python3
"""Write tests/data/pyconst/cases.txt: CPython's answers for constant folding.

Run with CPython 3.11 (the reference of `src/hir/pyconst.rs`) and NumPy:

    /work/main/.venv/bin/python scripts/gen_pyconst_cases.py

Each line is one case, space-separated: the operation, its operands, then the expected
result. Values are encoded as

    T / F              True / False
    i:<decimal>        an int
    f:<repr>           a float (repr round-trips exactly: 'inf', '-0.0', '5e-324', 'nan')
    c:<repr>,<repr>    a complex (real part, imaginary part)
    s:<hex>            a byte string (hex of its bytes; 's:' is empty)
    !<Kind>            an error: ZeroDivision, Overflow, Type, Limit

Where vexpr's rules deliberately differ from plain Python, the expectation follows vexpr's
language (LANGUAGE.md) and says so below: arithmetic on byte strings is a type error (Python
would concatenate), byte strings compare NUL-padded as NumPy's `S` arrays do (the answer comes
from NumPy), a byte string compared with a number is a type error, ints beyond
MAX_CONSTANT_BITS (and negative shift counts) are `Limit`.
"""

import operator
import os
import random
import sys

import numpy as np

MAX_CONSTANT_BITS = 1 << 16  # src/limits.rs

VALUES = [
    0, 1, -1, 2, -2, 3, -3, 7, -7,
    2**31 - 1, -2**31, 2**53 + 1, 2**63, 10**20, -10**30,
    0.0, -0.0, 0.5, -2.5, 2.0, -3.0, 1e308, 5e-324, float("inf"), float("-inf"), float("nan"),
    1j, 1 + 2j, -0.5 - 3j,
    True, False,
    b"a", b"ab\x00",
]

BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": operator.truediv, "floordiv": operator.floordiv, "mod": operator.mod,
    "pow": operator.pow,
    "and": operator.and_, "or": operator.or_, "xor": operator.xor,
    "lshift": operator.lshift, "rshift": operator.rshift,
}

COMPARE = {
    "lt": operator.lt, "le": operator.le, "gt": operator.gt,
    "ge": operator.ge, "eq": operator.eq, "ne": operator.ne,
}

UNARY = {
    "neg": operator.neg, "pos": operator.pos, "invert": operator.invert,
    "real": lambda v: complex(v).real, "imag": lambda v: complex(v).imag,
}

ERRORS = {
    ZeroDivisionError: "!ZeroDivision",
    OverflowError: "!Overflow",
    TypeError: "!Type",
    ValueError: "!Limit",  # "negative shift count"
    MemoryError: "!Limit",
}


class Limit(Exception):
    """An int result beyond MAX_CONSTANT_BITS."""


def encode(v):
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, int):
        return f"i:{v}"
    if isinstance(v, float):
        return f"f:{v!r}"
    if isinstance(v, complex):
        return f"c:{v.real!r},{v.imag!r}"
    if isinstance(v, bytes):
        return f"s:{v.hex()}"
    raise AssertionError(repr(v))


def is_int(v):
    return isinstance(v, int)  # bools included


def guarded_binary(name, a, b):
    """Python's `a op b`, refusing up front what would build an enormous int."""
    if is_int(a) and is_int(b):
        if name == "pow" and b >= 0 and abs(a) >= 2 and b > 10**6:
            raise Limit  # at least b + 1 bits
        if name == "lshift" and b > 10**6 and a != 0:
            raise Limit  # at least b + 1 bits
    result = BINARY[name](a, b)
    if is_int(result) and not isinstance(result, bool) and result.bit_length() > MAX_CONSTANT_BITS:
        raise Limit
    return result


def expect_binary(name, a, b):
    if isinstance(a, bytes) or isinstance(b, bytes):
        return "!Type"  # vexpr: no arithmetic on byte strings
    try:
        result = guarded_binary(name, a, b)
    except Limit:
        return "!Limit"
    except tuple(ERRORS) as e:
        return ERRORS[type(e)]
    return encode(result)


def expect_compare(name, a, b):
    a_bytes, b_bytes = isinstance(a, bytes), isinstance(b, bytes)
    if a_bytes and b_bytes:
        # NumPy's fixed-width byte strings compare NUL-padded.
        x = np.array([a], dtype="S")
        y = np.array([b], dtype="S")
        return encode(bool(COMPARE[name](x, y)[0]))
    if a_bytes or b_bytes:
        return "!Type"  # vexpr: strings only compare with strings
    try:
        result = COMPARE[name](a, b)
    except tuple(ERRORS) as e:
        return ERRORS[type(e)]
    return encode(result)


def expect_unary(name, v):
    if isinstance(v, bytes):
        return "!Type"
    try:
        result = UNARY[name](v)
    except tuple(ERRORS) as e:
        return ERRORS[type(e)]
    if is_int(result) and not isinstance(result, bool) and result.bit_length() > MAX_CONSTANT_BITS:
        return "!Limit"
    return encode(result)


def extra_pairs(rng):
    """Operands aimed at correct rounding: big ints near halfway points, quotients that land
    in the subnormal range or just past the largest float."""
    pairs = []
    for _ in range(150):
        a = rng.getrandbits(rng.randint(1, 1200)) * rng.choice([1, -1])
        b = rng.getrandbits(rng.randint(1, 1200)) or 1
        pairs.append(("div", a, b))
    for _ in range(60):
        # Ties and near-ties when rounding to 53 bits.
        top = rng.getrandbits(53) | (1 << 52)
        shift = rng.randint(1, 960)
        low = rng.choice([0, 1, (1 << shift) - 1, 1 << (shift - 1), (1 << (shift - 1)) + 1,
                          (1 << (shift - 1)) - 1])
        n = (top << shift) + low
        pairs.append(("add", n, 0.0))
        pairs.append(("eq", n, float(n)))
        pairs.append(("lt", n, float(n)))
        pairs.append(("gt", n, float(n)))
    for a, b in [
        (1, 2**1074), (1, 2**1075), (3, 2**1076), (1, 3 * 2**1073), (2**1024, 1),
        (2**1024 - 2**970, 1), (2**1024 - 2**971, 1), (2**1100, 2**76), (-(2**1100), 2**77 - 1),
        (10**400, 10**399), (1, 10**400), (-1, 10**400), (0, -5), (2**54 + 1, 1), (2**54 + 3, 2),
    ]:
        pairs.append(("div", a, b))
    for n in [2**1024 - 2**970, 2**1024 - 2**970 - 1, 10**400, -(10**400)]:
        pairs.append(("add", n, 0.0))
        pairs.append(("lt", n, 1e308))
        pairs.append(("eq", n, float("inf")))
    for a, b in [(10**400, 1.0), (10**400, 1j), (2, -(10**400)), (1.5, 10**400), (2, 70000),
                 (3, 41350), (3, 41349), (3, 41348), (2, 65536), (1, 10**100), (-1, 10**100 + 1),
                 (0, 10**100)]:
        pairs.append(("pow", a, b))
    for a, b in [(1, 65535), (1, 65536), (-1, 65535), (-(2**100), 65436), (2**100, 65436),
                 (5, 10**100), (-5, 10**100), (0, 10**100)]:
        pairs.append(("lshift", a, b))
        pairs.append(("rshift", a, b))
    return pairs


def main():
    if sys.version_info[:2] != (3, 11):
        sys.exit("run with CPython 3.11, the reference semantics")
    sys.set_int_max_str_digits(0)  # results up to MAX_CONSTANT_BITS bits are written out
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "tests", "data", "pyconst", "cases.txt")
    lines = [
        "# Generated by scripts/gen_pyconst_cases.py with CPython "
        f"{sys.version.split()[0]} and NumPy {np.__version__}; see that script for the format.",
    ]
    for name in UNARY:
        for v in VALUES:
            lines.append(f"{name} {encode(v)} {expect_unary(name, v)}")
    for name in BINARY:
        for a in VALUES:
            for b in VALUES:
                lines.append(f"{name} {encode(a)} {encode(b)} {expect_binary(name, a, b)}")
    for name in COMPARE:
        for a in VALUES:
            for b in VALUES:
                lines.append(f"{name} {encode(a)} {encode(b)} {expect_compare(name, a, b)}")
    rng = random.Random(20260509)
    for name, a, b in extra_pairs(rng):
        expect = expect_compare(name, a, b) if name in COMPARE else expect_binary(name, a, b)
        lines.append(f"{name} {encode(a)} {encode(b)} {expect}")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines) - 1} cases to {out}")


if __name__ == "__main__":
    main()
