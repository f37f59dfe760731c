"""NumPy arrays in and out: dtypes, strides, 0-d, broadcasting, byte strings, `out=`."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal, assert_allclose

import vexpr
from conftest import run_script


@pytest.mark.parametrize(
    "dtype, result",
    [
        (np.bool_, np.bool_), (np.int8, np.int32), (np.uint8, np.int32), (np.int16, np.int32),
        (np.uint16, np.int32), (np.int32, np.int32), (np.uint32, np.int64),
        (np.int64, np.int64), (np.float16, np.float32), (np.float32, np.float32),
        (np.float64, np.float64), (np.complex64, np.complex128),
        (np.complex128, np.complex128),
    ],
)
def test_input_dtypes_widen_as_numexpr(dtype, result):
    a = np.array([0, 1, 1, 0, 1], dtype=dtype)
    r = vexpr.evaluate("copy(a)")
    assert r.dtype == result
    assert_array_equal(r, a.astype(result))


def test_non_native_byte_order_is_converted():
    for dtype in (">f8", ">i4", ">c16"):
        a = np.arange(5).astype(dtype)
        r = vexpr.evaluate("a * 2")
        assert r.dtype == np.dtype(dtype).newbyteorder("=")
        assert_array_equal(r, np.arange(5) * 2)
    a = np.arange(3).astype(">f8")
    with pytest.raises(TypeError, match="cannot cast"):
        vexpr.evaluate("a", casting="no")


def test_uint64_follows_the_casting_rule():
    a = np.array([2**64 - 1, 5], dtype=np.uint64)
    # numexpr's default casting ('same_kind') wraps to int64, as numexpr does.
    assert_array_equal(vexpr.evaluate("a + 1"), [0, 6])
    with pytest.raises(TypeError, match="uint64.*int64.*'safe'"):
        vexpr.evaluate("a + 1", casting="safe")


@pytest.mark.parametrize(
    "value, message",
    [
        (np.array(["x"], dtype=object), "unknown type object"),
        (np.array(["2020-01-01"], dtype="M8[D]"), "unknown type datetime64"),
        (np.array([1], dtype="m8[s]"), "unknown type timedelta64"),
        (np.array(["text"]), "Unicode"),
        (np.zeros(2, dtype=[("x", "f8")]), "unknown type void"),
        (object(), "unknown type object"),
    ],
)
def test_unsupported_dtypes_are_value_errors(value, message):
    with pytest.raises(ValueError, match=message):
        vexpr.evaluate("v + 1", local_dict={"v": value})


def test_any_strides_are_read_in_place():
    base = np.arange(60.0).reshape(3, 4, 5)
    views = [
        base[::-1, ::2, 1::2],
        base.transpose(2, 0, 1),
        base[:, 1, ::-1],
        np.broadcast_to(np.arange(5.0), (4, 5)),  # zero strides
        base[..., 2],
        np.asfortranarray(base),
    ]
    for v in views:
        assert_array_equal(vexpr.evaluate("v * 2 + 1"), v * 2 + 1)
        assert_allclose(vexpr.evaluate("sum(v, axis=0)"), v.sum(axis=0))


def test_unaligned_and_packed_fields_are_copied_then_read():
    rec = np.zeros(7, dtype=[("i", "i1"), ("x", "f8"), ("c", "c16")])  # packed: unaligned
    rec["x"] = np.arange(7) * 1.5
    rec["c"] = np.arange(7) * (1 + 1j)
    x, c = rec["x"], rec["c"]
    assert not x.flags.aligned
    assert_array_equal(vexpr.evaluate("x + 1"), x + 1)
    assert_array_equal(vexpr.evaluate("c * 2"), c * 2)
    # Aligned complex128 whose stride (24 bytes) is not a whole number of elements.
    z = np.zeros(5, dtype=np.dtype([("c", "c16"), ("pad", "f8")], align=True))["c"]
    z[:] = np.arange(5) + 2j
    assert_array_equal(vexpr.evaluate("z.imag + z.real"), z.imag + z.real)


def test_zero_dimensional_scalars_and_empty_arrays():
    assert vexpr.evaluate("3 * 2").shape == ()
    assert vexpr.evaluate("3 * 2").dtype == np.int32
    x = np.float32(2.5)
    r = vexpr.evaluate("x * x")
    assert r.shape == () and r.dtype == np.float32 and r == 6.25
    n = 7  # a Python int is int64, as in numexpr
    assert vexpr.evaluate("n + 1").dtype == np.int64
    e = np.zeros((0, 3))
    assert vexpr.evaluate("e + 1").shape == (0, 3)
    assert vexpr.evaluate("sum(e, axis=1)").shape == (0,)


def test_broadcasting():
    col = np.arange(3.0).reshape(3, 1)
    row = np.arange(4.0)
    assert_array_equal(vexpr.evaluate("col * 10 + row"), col * 10 + row)
    with pytest.raises(ValueError):
        vexpr.evaluate("col + e", local_dict={"col": col, "e": np.ones((5, 1))})


def test_byte_strings_in_place_with_strides():
    words = np.array([b"apple", b"kiwi", b"", b"banana", b"fig\0"])
    rev = words[::-2]
    assert_array_equal(vexpr.evaluate("rev == b'fig'"), rev == b"fig")
    assert_array_equal(vexpr.evaluate("contains(words, b'an')"),
                       [b"an" in w for w in words])
    two_d = np.array([[b"a", b"bb"], [b"ccc", b"a"]]).T
    assert_array_equal(vexpr.evaluate("two_d < b'b'"), two_d < b"b")
    copied = vexpr.evaluate("where(words > b'b', words, b'-')")
    assert copied.dtype.kind == "S"
    assert_array_equal(copied, np.where(words > b"b", words, b"-"))


def test_out_is_written_in_place_and_returned():
    a = np.arange(6.0)
    out = np.empty(6)
    r = vexpr.evaluate("a * 3", out=out)
    assert r is out
    assert_array_equal(out, a * 3)
    # A strided out of the right dtype and shape.
    big = np.zeros((6, 2))
    r = vexpr.evaluate("a + 1", out=big[::-1, 1])
    assert_array_equal(big[:, 1], (a + 1)[::-1])
    assert_array_equal(big[:, 0], 0)


def test_out_that_is_an_input():
    a = np.arange(10.0)
    expected = a + 1
    assert vexpr.evaluate("a + 1", out=a) is a
    assert_array_equal(a, expected)
    m = np.arange(12.0).reshape(3, 4).T  # a transposed view written in place
    expected = m * m - 3
    assert vexpr.evaluate("m * m - 3", out=m) is m
    assert_array_equal(m, expected)


@pytest.mark.parametrize("shift", [1, 3, 100, -1, -7])
def test_out_overlapping_an_input_shifted(shift):
    """numexpr computes these wrongly (its blocks read what they already wrote); vexpr
    computes into new memory first when `out` overlaps an input."""
    n = 5000
    buf = np.arange(n + abs(shift), dtype=np.float64)
    if shift > 0:
        src, dst = buf[:n], buf[shift:shift + n]
    else:
        src, dst = buf[-shift:-shift + n], buf[:n]
    expected = src * 2 + 1
    vexpr.evaluate("src * 2 + 1", out=dst)
    assert_array_equal(dst, expected)


def test_out_overlapping_reversed_and_interleaved():
    a = np.arange(1000.0)
    expected = a[::-1] - a
    vexpr.evaluate("b - a", local_dict={"a": a, "b": a[::-1]}, out=a)
    assert_array_equal(a, expected)
    c = np.arange(20.0)
    expected = c[0::2] + c[1::2]
    vexpr.evaluate("x + y", local_dict={"x": c[0::2], "y": c[1::2]}, out=c[1::2])
    assert_array_equal(c[1::2], expected)


def test_out_with_other_dtypes_shapes_and_flags():
    i = np.arange(5, dtype=np.int32)
    wide = np.zeros(5)
    assert vexpr.evaluate("i * 2", out=wide) is wide
    assert_array_equal(wide, i * 2)
    narrow = np.zeros(5, dtype=np.float32)
    with pytest.raises(TypeError):
        vexpr.evaluate("i / 3", out=narrow, casting="safe")
    assert_array_equal(narrow, 0)  # untouched on error
    vexpr.evaluate("i / 4", out=narrow, casting="same_kind")
    assert_array_equal(narrow, (i / 4).astype(np.float32))
    ints = np.zeros(5, dtype=np.int64)
    with pytest.raises(TypeError):
        vexpr.evaluate("i / 4", out=ints)  # float into int: not same_kind
    # A larger out receives the result broadcast, as in numexpr.
    grid = np.zeros((2, 5))
    vexpr.evaluate("i + 1", out=grid)
    assert_array_equal(grid, [i + 1, i + 1])
    with pytest.raises(ValueError):
        vexpr.evaluate("i + 1", out=np.zeros(4))
    frozen = np.zeros(5, dtype=np.int32)
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        vexpr.evaluate("i + 1", out=frozen)
    # A reduction into a 0-d out.
    total = np.zeros(())
    vexpr.evaluate("sum(i)", out=total)
    assert total == 10


def test_out_is_not_kept_alive():
    import gc
    import weakref

    a = np.arange(10.0)
    out = np.zeros(10)
    ref = weakref.ref(out)
    vexpr.evaluate("a + 1", out=out)
    del out
    gc.collect()
    assert ref() is None


def test_inputs_are_not_copied():
    """A zero-stride view of 1.6 GB of float64 is summed without materialising it: the
    process's peak memory stays small (a copy anywhere would need the whole 1.6 GB)."""
    run_script("""
        import resource
        import numpy as np
        import vexpr
        n = 200_000_000
        huge = np.broadcast_to(np.float64(0.5), (n,))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        total = vexpr.evaluate("sum(huge * 2)")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert total == n, total
        grew_mib = (after - before) / 1024
        assert grew_mib < 200, f"peak memory grew by {grew_mib:.0f} MiB"
    """, timeout=300)
