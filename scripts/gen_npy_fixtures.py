#!/usr/bin/env python3
"""Write the .npy fixtures for tests/npy.rs with NumPy (the independent oracle).

Run from the repository root with the project's virtualenv:

    /work/main/.venv/bin/python scripts/gen_npy_fixtures.py

Deterministic: the same NumPy writes the same bytes. Outputs (all tiny):

- tests/data/npy/read/*.npy   arrays of every dtype vexpr reads, both byte orders, Fortran
                              order, 0-d, empty, 3-d, S5 strings, v2.0 and v3.0 headers; the
                              test states the expected values by hand.
- tests/data/npy/unsupported/*.npy  dtypes vexpr refuses (unicode, object, structured, ...).
- tests/data/npy/saved/*.npy  numpy.save output for arrays the test rebuilds in Rust; vexpr's
                              writer must produce the same bytes.
"""

import io
import os
import sys

import numpy as np
from numpy.lib import format as npformat

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "npy")


def save(sub, name, array, version=None, allow_pickle=False):
    folder = os.path.join(ROOT, sub)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".npy")
    if version is None:
        buf = io.BytesIO()
        np.save(buf, array, allow_pickle=allow_pickle)
        data = buf.getvalue()
    else:
        buf = io.BytesIO()
        npformat.write_array(buf, array, version=version, allow_pickle=allow_pickle)
        data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)


def both_orders(name, values, dtype):
    save("read", name, np.array(values, dtype="<" + dtype))
    save("read", name + "_be", np.array(values, dtype=">" + dtype))


def main():
    # --- every dtype, both byte orders -------------------------------------------------
    save("read", "bool", np.array([True, False, True]))
    save("read", "int8", np.array([-128, 0, 127], np.int8))
    save("read", "uint8", np.array([0, 1, 255], np.uint8))
    both_orders("int16", [-32768, 32767, -1], "i2")
    both_orders("uint16", [0, 65535, 1], "u2")
    both_orders("int32", [-2147483648, 2147483647, 1], "i4")
    both_orders("uint32", [0, 4000000000, 4294967295], "u4")
    both_orders("int64", [-(2**63), 2**63 - 1, 42], "i8")
    both_orders("uint64", [0, 2**64 - 1, 2**63], "u8")
    both_orders(
        "float16",
        [0.0, -0.0, 1.0, 65504.0, 2.0**-24, 2.0**-14, np.inf, -np.inf, np.nan, 1.0 / 3.0],
        "f2",
    )
    both_orders("float32", [1.5, -0.0, np.inf, 3.4028234663852886e38, 2.0**-149], "f4")
    both_orders("float64", [1.5, -2.25, 1e300, 5e-324, -np.inf], "f8")
    both_orders("complex64", [1 + 2j, -0.5 - 1.5j], "c8")
    both_orders("complex128", [1 + 2j, complex(-1e300, 5e-324)], "c16")
    save("read", "bytes_s5", np.array([b"ab", b"hello", b""], dtype="S5"))

    # --- layouts and shapes --------------------------------------------------------------
    save("read", "fortran_i4_2x3", np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
    save("read", "fortran_f8_2x3x4", np.asfortranarray(np.arange(24.0).reshape(2, 3, 4)))
    save("read", "fortran_bytes_2x3",
         np.asfortranarray(np.array([[b"a", b"bc", b"def"], [b"gh", b"", b"i"]])))
    save("read", "c_f4_2x3x4", np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    save("read", "scalar_f8", np.array(2.5))
    save("read", "scalar_i2_be", np.array(-7, dtype=">i2"))
    save("read", "empty_f8", np.zeros(0))
    save("read", "empty_i4_2x0x3", np.zeros((2, 0, 3), np.int32))
    save("read", "v2_i8", np.array([1, 2, 3], np.int64), version=(2, 0))
    save("read", "v3_f8", np.array([1.0, -1.0]), version=(3, 0))

    # --- refused dtypes -------------------------------------------------------------------
    save("unsupported", "unicode", np.array(["ab", "c"]))
    save("unsupported", "object", np.array([1, "a"], dtype=object), allow_pickle=True)
    save("unsupported", "structured", np.zeros(2, dtype=[("x", "<i4"), ("y", "<f8")]))
    save("unsupported", "datetime", np.array(["2020-01-01"], dtype="M8[D]"))
    save("unsupported", "longdouble", np.zeros(2, dtype=np.longdouble))

    # --- numpy.save output for arrays rebuilt in Rust ------------------------------------
    save("saved", "f8_3", np.array([1.5, 2.0, -3.25]))
    save("saved", "i4_2x3", np.array([[1, 2, 3], [4, 5, 6]], np.int32))
    save("saved", "i8_0d", np.array(-9, np.int64))
    save("saved", "b1_4", np.array([True, False, False, True]))
    save("saved", "c16_2", np.array([1 + 2j, -3.5 + 0j]))
    save("saved", "f4_2x2x2", np.arange(8, dtype=np.float32).reshape(2, 2, 2))
    save("saved", "s3_2", np.array([b"ab", b"xyz"]))
    save("saved", "f8_empty", np.zeros(0))
    save("saved", "i8_2x0", np.zeros((2, 0), np.int64))
    save("saved", "b1_100", np.arange(100) % 3 == 0)
    # An empty array whose header text is already a multiple of 64 bytes long, so NumPy
    # pads a full 64 more (and the 17-digit axis shows the growth padding shrinking).
    save("saved", "f8_aligned_empty", np.zeros((0,) + (1,) * 7 + (10**17,)))
    print("wrote fixtures under", os.path.relpath(ROOT), "with NumPy", np.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
