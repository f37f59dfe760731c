#!/usr/bin/env python3
"""Record NumPy's repr() of many small arrays for tests/io.rs (the independent oracle for
vexpr's `Display` of `Array`).

Run from the repository root with the project's virtualenv:

    /work/main/.venv/bin/python scripts/gen_repr_fixtures.py

Writes tests/data/repr/cases.json: a list of {"dtype", "shape", "values" | "arange", "repr"}.
Values are in C order; floats are Python reprs (exact round trip, "nan"/"inf" included),
complex numbers [re, im], byte strings hex. "arange": true means the values are
0, 1, 2, ... in the dtype (used for the big, summarised arrays). Deterministic (fixed seed).
"""

import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "repr")

DTYPES = {"bool": np.bool_, "int32": np.int32, "int64": np.int64, "float32": np.float32,
          "float64": np.float64, "complex128": np.complex128}


def encode(a):
    flat = a.reshape(-1)
    if a.dtype.kind == "S":
        return [bytes(x).hex() for x in flat]
    if a.dtype.kind == "b":
        return [bool(x) for x in flat]
    if a.dtype.kind == "i":
        return [int(x) for x in flat]
    if a.dtype.kind == "f":
        return [repr(float(x)) for x in flat]
    return [[repr(float(x.real)), repr(float(x.imag))] for x in flat]


def case(a, arange=False):
    a = np.asarray(a)
    dtype = str(a.dtype) if a.dtype.kind != "S" else "S%d" % a.dtype.itemsize
    c = {"dtype": dtype, "shape": list(a.shape), "repr": repr(a)}
    if arange:
        c["arange"] = True
    else:
        c["values"] = encode(a)
    return c


def main():
    rng = np.random.default_rng(20240607)
    cases = []
    f8 = lambda v: np.array(v, np.float64)
    f4 = lambda v: np.array(v, np.float32)
    # Hand-picked float formatting edges.
    for v in [
        [1.5, 2.0, 3.0], [0.1, 0.2, 0.30000000000000004], [1.0 / 3, 2.0 / 3], [0.001953125],
        [0.0001, 1.0], [0.0001, 0.1], [9.999e-5, 1.0], [1e8 - 1, 1.0], [1e8, 1.0], [99999999.5],
        [1e-300, 1e300], [5e-324], [-0.0, 0.0], [-0.0], [0.0, 0.0], [np.nan], [np.inf, -np.inf],
        [np.nan, 1e10], [np.nan, -1.5, 100.25], [123456.789], [1.23456789012], [0.5, 1000.0],
        [0.5, 1000.5], [1.0, 1001.0], [2.5e-5, np.inf], [1e100, 1e-100, -np.inf, np.nan],
        [12345678.9, 0.1], [0.12345678951], [7.0, -7.25, 1e-3], [3.14159, 2.71828, 1.41421],
    ]:
        cases.append(case(f8(v)))
    for v in [[1.5, 2.0], [0.1, 0.2], [1e6, 1.0], [999999.0, 1.0], [1e-4, 3.0], [1.0 / 3],
              [np.nan, 16777216.0], [3.4028235e38], [1e-45], [0.3, -0.7, 1e5]]:
        cases.append(case(f4(v)))
    # 0-d.
    for a in [np.array(2.5), np.array(1e10), np.array(-0.0), np.array(np.nan), np.array(7, np.int32),
              np.array(-7), np.array(True), np.array(False), np.array(1 + 2j), np.array(0.1, np.float32),
              np.array(b"ab"), np.array(1e-5)]:
        cases.append(case(a))
    # Complex.
    for v in [[1 + 2j, 3 - 1j], [1.5 + 0j, 2 + 0.25j], [complex(np.nan, 1), complex(1, np.inf)],
              [complex(0, -0.0), -1j], [1e10 + 1j, 1 + 1e-10j], [complex(1, np.nan)],
              [complex(-np.inf, -np.inf), 0.5 + 0.5j]]:
        cases.append(case(np.array(v, np.complex128)))
    # Ints and bools.
    for a in [np.array([-5, 100]), np.array([2**63 - 1, -(2**63)]), np.array([0], np.int32),
              np.array([-2147483648, 2147483647], np.int32), np.array([True, False, True]),
              np.array([[True], [False]])]:
        cases.append(case(a))
    # Byte strings.
    for v in [[b"a", b"abc"], [b"it's", b'say "hi"'], [b"\x00a\x7f\xff\t\n\r\\"], [b"", b""],
              [b"both ' and \""]]:
        cases.append(case(np.array(v)))
    cases.append(case(np.array([[b"ab", b"c"], [b"", b"xyz"]])))
    # Shapes: empty, multi-d, wrapping.
    for a in [np.zeros(0), np.zeros((0, 3), np.int32), np.zeros((2, 0)), np.zeros(0, np.complex128),
              np.zeros((3, 0, 2), bool), np.array([], dtype="S3"),
              np.arange(30), np.arange(30, dtype=np.float64) / 7, np.arange(24).reshape(2, 3, 4),
              np.arange(16.0).reshape(2, 2, 2, 2) - 5, np.arange(60).reshape(3, 20) * 1000,
              np.ones((1, 1, 1), np.float32)]:
        cases.append(case(a))
    # Random arrays of every numeric kind, several magnitudes and shapes.
    for _ in range(60):
        dtype = rng.choice(list(DTYPES))
        shape = tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 4)))
        scale = 10.0 ** rng.integers(-6, 10)
        if dtype == "bool":
            a = rng.random(shape) < 0.5
        elif dtype in ("int32", "int64"):
            hi = 2**31 - 1 if dtype == "int32" else 2**62
            a = rng.integers(-min(hi, int(scale) + 1), min(hi, int(scale) + 1) + 1, size=shape, dtype=DTYPES[dtype])
        elif dtype == "complex128":
            a = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) * scale
        else:
            a = (rng.standard_normal(shape) * scale).astype(DTYPES[dtype])
            if rng.random() < 0.2:
                a = np.round(a, 2)
        cases.append(case(a))
    # Summarised arrays (more than 1,000 elements).
    for shape, dtype in [((2000,), "int64"), ((1001,), "float64"), ((40, 30), "int32"),
                         ((11, 11, 11), "int64"), ((3, 400), "float32"), ((1500,), "bool")]:
        a = np.arange(int(np.prod(shape))).astype(DTYPES[dtype]).reshape(shape)
        cases.append(case(a, arange=True))
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=0)
        f.write("\n")
    print(len(cases), "cases")


if __name__ == "__main__":
    main()
