"""Write `oracle.json`: expected element values for the reference evaluator's unit tests.

Every value comes from an implementation independent of vexpr:
- float functions from glibc's libm itself (through ctypes: `sinf` for float32, `sin` for
  float64), which is what numexpr calls and what vexpr must reproduce;
- operators and numexpr-specific functions (`//`, `%`, `**`, `sign`, `round`, `maximum`,
  `minimum`, comparisons, integer arithmetic, complex arithmetic) from numexpr 2.14;
- complex elementary functions from NumPy (glibc's C99 complex functions).

Run with the project's conformance venv (numexpr 2.14.2, NumPy 2.4):
    python gen_oracle.py            # rewrites oracle.json next to this file

Format: {"arrays": {name: [dtype, values]}, "cases": [{"fun", "args": [name...], "dtype",
"expect", "tol"}]} (arguments are stored once and named), with
float64 values as their IEEE bit patterns (u64), float32 as u32, complex128 as [re, im] pairs
of u64 patterns, ints as numbers, bools as JSON booleans. `fun` is vexpr's `Fun::name`.
`tol` is "exact" (bits equal, NaN matches NaN), "ulp2" (within 2 ulps, same sign, both
finite, or bits equal), or "complex" (each part within 1e-14 * |expected| + 4 ulps of
|expected|; NaN matches NaN).
"""

import ctypes
import json
import math
import os
import struct

import numexpr as ne
import numpy as np

assert ne.__version__.startswith("2.14"), ne.__version__
ne.set_num_threads(1)
libm = ctypes.CDLL("libm.so.6")
HERE = os.path.dirname(os.path.abspath(__file__))


def c_fn(name, ctype, arity):
    f = getattr(libm, name)
    f.restype = ctype
    f.argtypes = [ctype] * arity
    return f


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", np.float32(x)))[0]


def encode(dtype, values):
    values = list(values)
    if dtype == "float64":
        return [f64_bits(v) for v in values]
    if dtype == "float32":
        return [f32_bits(v) for v in values]
    if dtype == "complex128":
        return [[f64_bits(complex(v).real), f64_bits(complex(v).imag)] for v in values]
    if dtype == "bool":
        return [bool(v) for v in values]
    return [int(v) for v in values]


cases = []
arrays = {}  # encoded argument arrays, stored once: name -> [dtype, values]


def arg(dtype, values):
    encoded = encode(dtype, values)
    key = json.dumps([dtype, encoded])
    for name, stored in arrays.items():
        if json.dumps(stored) == key:
            return name
    name = f"a{len(arrays)}"
    arrays[name] = [dtype, encoded]
    return name


def case(fun, args, dtype, expect, tol):
    cases.append(
        {
            "fun": fun,
            "args": [arg(d, v) for d, v in args],
            "dtype": dtype,
            "expect": encode(dtype, expect),
            "tol": tol,
        }
    )


inf, nan = float("inf"), float("nan")
# Special and ordinary arguments for unary float functions.
SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 0.75, -0.999, 1.5, 3.0, 10.0, -10.0,
           100.0, 1e-8, -1e-8, 1e-300, 5e-324, -5e-324, 1e300, -1e300, 700.0, -745.0, 1e22,
           math.pi, -math.pi / 2, 2.5, -2.5, 3.5, 1.0 + 2**-52, 1.0 - 2**-53, 0.1, 123.456,
           inf, -inf, nan]
SPECIAL32 = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 0.75, -0.999, 1.5, 3.0, 10.0,
             -10.0, 100.0, 1e-8, -1e-8, 1e-40, -1e-45, 1e38, -1e38, 80.0, -100.0, 1e10,
             3.1415927, 2.5, -2.5, 3.5, 0.1, 123.456, 1.0000001, 0.99999994, inf, -inf, nan]
f64 = np.array(SPECIAL, dtype=np.float64)
f32 = np.array(SPECIAL32, dtype=np.float32)

# glibc functions: vexpr name -> C name.
LIBM_UNARY = {"sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "asin",
              "arccos": "acos", "arctan": "atan", "sinh": "sinh", "cosh": "cosh",
              "tanh": "tanh", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
              "log": "log", "log10": "log10", "log2": "log2", "log1p": "log1p", "exp": "exp",
              "expm1": "expm1", "abs": "fabs", "ceil": "ceil", "floor": "floor"}
EXACT = {"sqrt", "abs", "ceil", "floor", "trunc", "round"}
for name, c in LIBM_UNARY.items():
    tol = "exact" if name in EXACT else "ulp2"
    f = c_fn(c, ctypes.c_double, 1)
    case(name, [("float64", f64)], "float64", [f(float(x)) for x in f64], tol)
    f = c_fn(c + "f", ctypes.c_float, 1)
    case(name, [("float32", f32)], "float32", [f(float(x)) for x in f32], tol)
for name, c in {"trunc": "trunc", "round": "rint"}.items():
    f = c_fn(c, ctypes.c_double, 1)
    case(name, [("float64", f64)], "float64", [f(float(x)) for x in f64], "exact")

# Pairs for binary float functions: every special with every special, then extra pairs.
PAIR = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -7.0, 0.5, 1e-310, 1e300, inf, -inf, nan]
PAIR32 = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 3.0, -7.0, 0.5, 1e-40, 1e30, inf, -inf, nan]
extra = [(7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (-7.0, -2.0), (5.5, 0.1), (-5.5, 0.1),
         (1e10, 3.0), (2.0, 0.5), (-8.0, 1.0 / 3.0), (10.0, 300.0), (1.0, 1e-300),
         (0.1, 0.2), (1e308, 10.0), (4.0, -0.5), (-2.0, 3.0), (-2.0, -3.0)]
x64 = np.array([a for a in PAIR for _ in PAIR] + [a for a, _ in extra])
y64 = np.array([b for _ in PAIR for b in PAIR] + [b for _, b in extra])
extra32 = [(a, b) for a, b in extra if abs(a) < 1e38 and abs(b) > 1e-38]
x32 = np.array([a for a in PAIR32 for _ in PAIR32] + [a for a, _ in extra32], dtype=np.float32)
y32 = np.array([b for _ in PAIR32 for b in PAIR32] + [b for _, b in extra32], dtype=np.float32)

LIBM_BINARY = {"arctan2": ("atan2", "ulp2"), "fmod": ("fmod", "exact"),
               "pow": ("pow", "ulp2")}
for name, (c, tol) in LIBM_BINARY.items():
    f = c_fn(c, ctypes.c_double, 2)
    case(name, [("float64", x64), ("float64", y64)], "float64",
         [f(float(a), float(b)) for a, b in zip(x64, y64)], tol)
    f = c_fn(c + "f", ctypes.c_float, 2)
    case(name, [("float32", x32), ("float32", y32)], "float32",
         [f(float(a), float(b)) for a, b in zip(x32, y32)], tol)
for name, c in {"hypot": "hypot", "nextafter": "nextafter", "copysign": "copysign"}.items():
    f = c_fn(c, ctypes.c_double, 2)
    case(name, [("float64", x64), ("float64", y64)], "float64",
         [f(float(a), float(b)) for a, b in zip(x64, y64)],
         "ulp2" if name == "hypot" else "exact")

# Operators and numexpr's own functions, evaluated by numexpr.
with np.errstate(all="ignore"):
    for x, y, d in [(x64, y64, "float64"), (x32, y32, "float32")]:
        for name, expr in {"add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y",
                           "floordiv": "x // y", "mod": "x % y", "lt": "x < y",
                           "le": "x <= y", "gt": "x > y", "ge": "x >= y", "eq": "x == y",
                           "ne": "x != y"}.items():
            out = ne.evaluate(expr, local_dict={"x": x, "y": y})
            assert out.dtype in (x.dtype, np.bool_), (expr, out.dtype)
            case(name, [(d, x), (d, y)], "bool" if out.dtype == np.bool_ else d, out, "exact")
    for name, expr in {"maximum": "maximum(x, y)", "minimum": "minimum(x, y)"}.items():
        out = ne.evaluate(expr, local_dict={"x": x64, "y": y64})
        # The sign of a zero from comparing +0 with -0 is unspecified: compare those by value.
        out = np.where((x64 == 0) & (y64 == 0), 0.0, out)
        xs = np.where((x64 == 0) & (y64 == 0), 0.0, x64)
        ys = np.where((x64 == 0) & (y64 == 0), 0.0, y64)
        case(name, [("float64", xs), ("float64", ys)], "float64", out, "exact")
    for x, d in [(f64, "float64"), (f32, "float32")]:
        for name, expr in {"neg": "-x", "isnan": "isnan(x)", "isfinite": "isfinite(x)",
                           "isinf": "isinf(x)", "signbit": "signbit(x)"}.items():
            out = ne.evaluate(expr, local_dict={"x": x})
            case(name, [(d, x)], "bool" if out.dtype == np.bool_ else d, out, "exact")
    # numexpr's sign(-0.0) is +0.0; vexpr keeps the zero it is given (its spec), so the
    # expected zeros are the arguments themselves.
    out = ne.evaluate("sign(x)", local_dict={"x": f64})
    case("sign", [("float64", f64)], "float64", np.where(f64 == 0, f64, out), "exact")

# Integers (numexpr), avoiding the cases where numexpr's C code is undefined.
for t, d in [(np.int32, "int32"), (np.int64, "int64")]:
    info = np.iinfo(t)
    vals = [0, 1, -1, 2, -2, 7, -7, 31, 32, 33, 63, 64, -100, info.max, info.min,
            info.min + 1]
    x = np.array([a for a in vals for _ in vals], dtype=t)
    y = np.array([b for _ in vals for b in vals], dtype=t)
    for name, expr in {"add": "x + y", "sub": "x - y", "mul": "x * y", "and": "x & y",
                       "or": "x | y", "xor": "x ^ y", "lshift": "x << y", "rshift": "x >> y",
                       "lt": "x < y", "le": "x <= y", "gt": "x > y", "ge": "x >= y",
                       "eq": "x == y", "ne": "x != y"}.items():
        out = ne.evaluate(expr, local_dict={"x": x, "y": y})
        case(name, [(d, x), (d, y)], "bool" if out.dtype == np.bool_ else d, out, "exact")
    # `//` and `%` are Python's (0 for a zero divisor, MIN // -1 wrapping). numexpr's C code
    # agrees wherever it is defined: it crashes on MIN // -1 and MIN % -1, and its
    # `((a % b) + b) % b` overflows for divisors near the limits.
    bits = 8 * np.dtype(t).itemsize

    def wrap(v):
        return (v + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1)

    pairs = [(int(a), int(b)) for a, b in zip(x, y)]
    fdiv = [wrap(a // b) if b else 0 for a, b in pairs]
    pmod = [a % b if b else 0 for a, b in pairs]
    def c_rem(a, b):  # C's `%`: the sign of the dividend
        r = abs(a) % abs(b)
        return r if a >= 0 else -r

    defined = [b == 0 or (not (a == info.min and b == -1)
                          and info.min <= c_rem(a, b) + b <= info.max) for a, b in pairs]
    with np.errstate(all="ignore"):
        nfd = ne.evaluate("x // y", local_dict={"x": x[defined], "y": y[defined]})
        nmod = ne.evaluate("x % y", local_dict={"x": x[defined], "y": y[defined]})
    assert list(nfd) == [v for v, ok in zip(fdiv, defined) if ok]
    assert list(nmod) == [v for v, ok in zip(pmod, defined) if ok]
    case("floordiv", [(d, x), (d, y)], d, fdiv, "exact")
    case("mod", [(d, x), (d, y)], d, pmod, "exact")
    # `**` where the C code is defined: results that fit, exponents >= 0 or bases +-1, 2.
    # (numexpr's `1 / a` for any negative exponent gives -1 for (-1) ** -4, where vexpr's spec
    # says 1: no such pair here; it is tested by hand.)
    pb = np.array([0, 1, -1, 2, -2, 3, -3, 5, 10, 2, -2, 1, -1, 2, -2, 7, 0], dtype=t)
    pe = np.array([0, 5, 5, 10, 9, 4, 5, 3, 6, 0, 1, -3, -3, -1, -1, 1, 3], dtype=t)
    case("pow", [(d, pb), (d, pe)], d, ne.evaluate("x ** y", local_dict={"x": pb, "y": pe}),
         "exact")
    xs = np.array(vals, dtype=t)
    for name, expr in {"neg": "-x", "invert": "~x", "sign": "sign(x)", "round": "round(x)",
                       "ones_like": "ones_like(x)"}.items():
        case(name, [(d, xs)], d, ne.evaluate(expr, local_dict={"x": xs}), "exact")

# Complex arithmetic (numexpr) and functions (NumPy).
parts = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 1e-8]
grid = [complex(a, b) for a in parts for b in parts]
grid += [complex(x, s) for x in (-2.0, -1.5, 1.5, 2.0, 5.0, -5.0) for s in (0.0, -0.0)]
grid += [complex(s, y) for s in (0.0, -0.0) for y in (-2.0, -1.5, 1.5, 2.0, 5.0, -5.0)]
grid += [100 + 1j, -3 + 0.5j, 0.3 + 0.2j, 1e5 - 2e5j, -1e-5 + 3e-6j, 0.999 + 0.001j,
         20 + 3j, -25 - 1j, 1 + 1e-10j, 1e150 + 1e150j, -1e200 + 1j, 3 + 1e200j,
         0.7 + 0.7j, 1e-300 + 1e-300j]
z = np.array(grid, dtype=np.complex128)
with np.errstate(all="ignore"):
    for name, f in {"sqrt": np.sqrt, "log": np.log, "log10": np.log10, "log2": np.log2,
                    "exp": np.exp, "sin": np.sin, "cos": np.cos, "tan": np.tan,
                    "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh, "arcsin": np.arcsin,
                    "arccos": np.arccos, "arctan": np.arctan, "arcsinh": np.arcsinh,
                    "arccosh": np.arccosh, "arctanh": np.arctanh}.items():
        out = f(z)
        # Keep finite results away from poles (NumPy's and C99's values there are
        # conventions, tested by hand).
        keep = np.isfinite(out) & (np.abs(out) < 1e300)
        case(name, [("complex128", z[keep])], "complex128", out[keep], "complex")
    # NumPy's log1p/expm1 of complex use the textbook formulas, accurate away from 0 only.
    far = np.abs(z) > 1e-3
    for name, f in {"log1p": np.log1p, "expm1": np.expm1}.items():
        out = f(z[far])
        keep = np.isfinite(out) & (np.abs(out) < 1e300)
        case(name, [("complex128", z[far][keep])], "complex128", out[keep], "complex")
    case("abs", [("complex128", z)], "complex128", np.abs(z).astype(np.complex128), "complex")
    w = np.array(grid[::-1], dtype=np.complex128)
    for name, expr in {"add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y",
                       "eq": "x == y", "ne": "x != y"}.items():
        out = ne.evaluate(expr, local_dict={"x": z, "y": w})
        case(name, [("complex128", z), ("complex128", w)],
             "bool" if out.dtype == np.bool_ else "complex128", out,
             "exact" if out.dtype == np.bool_ else "complex")
    # `**`: small whole exponents (repeated squaring), others (exp/log), zero base and exponent.
    pb = np.array([2 + 1j, 1 - 1j, -3 + 0.5j, 0j, 0j, 0.5 + 0.5j, 2 + 0j, -1 + 0j, 1j, 3 - 4j],
                  dtype=np.complex128)
    pe = np.array([3, -2, 5, 2, 0, 0.5 + 1j, 0.5, 1.5, 99, -7], dtype=np.complex128)
    case("pow", [("complex128", pb), ("complex128", pe)], "complex128",
         ne.evaluate("x ** y", local_dict={"x": pb, "y": pe}), "complex")
    for name, expr in {"neg": "-x", "conj": "conj(x)", "round": "round(x)"}.items():
        case(name, [("complex128", z)], "complex128", ne.evaluate(expr, local_dict={"x": z}),
             "exact")
    case("sign", [("complex128", z)], "complex128", np.sign(z), "complex")
    for name, f in {"real": np.real, "imag": np.imag}.items():
        case(name, [("complex128", z)], "float64", f(z), "exact")

with open(os.path.join(HERE, "oracle.json"), "w") as out:
    json.dump({"arrays": arrays, "cases": cases}, out, separators=(",", ":"))
    out.write("\n")
print(f"{len(cases)} cases")
