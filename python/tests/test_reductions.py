"""Reductions anywhere in an expression, keepdims, mean/var/std (issue 16), compared with NumPy.

Every dtype vexpr has, several shapes and axes, keepdims, empty and non-contiguous inputs; the
error of sum, mean and var on ill-conditioned data against math.fsum.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import vexpr

DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64, np.complex128]

RNG = np.random.default_rng(16)


def make(shape, dtype):
    """Values of `dtype` and `shape`: small integers, or floats in [-2, 2) (complex: both parts)."""
    raw = RNG.uniform(-2.0, 2.0, size=shape)
    if dtype == np.bool_:
        return raw > 0
    if dtype in (np.int32, np.int64):
        return (raw * 50).astype(dtype)
    if dtype == np.complex128:
        return (raw + 1j * RNG.uniform(-2.0, 2.0, size=shape)).astype(dtype)
    return raw.astype(dtype)


def close(got, want, dtype):
    """Same dtype, shape and values (floats within a tolerance of the order of summation)."""
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind in "biu":
        assert_array_equal(got, want)
        return
    single = want.dtype == np.float32 or dtype == np.float32
    finite = np.abs(want)[np.isfinite(want)]
    scale = max(1.0, float(finite.max(initial=0.0)))
    assert_allclose(got, want, rtol=1e-5 if single else 1e-12,
                    atol=(1e-5 if single else 1e-12) * scale, equal_nan=True)


def numpy_sum(a, **kw):
    """NumPy's sum with vexpr's dtype rule: the input's kind (int32 stays int32); bool counts."""
    return np.sum(a, dtype=np.int64 if a.dtype == np.bool_ else a.dtype, **kw)


# (expression, NumPy's value, which dtypes it is defined for); `a` is the array.
CASES = [
    ("a - mean(a)", lambda a: a - np.mean(a), "all"),
    ("a / sum(a)", lambda a: a / numpy_sum(a), "float"),
    ("(a - min(a)) / (max(a) - min(a))", lambda a: (a - a.min()) / (a.max() - a.min()), "real"),
    ("sum(a - mean(a))", lambda a: np.sum(a - np.mean(a)), "all"),
    ("mean(a)", lambda a: np.mean(a), "all"),
    ("var(a)", lambda a: np.var(a), "all"),
    ("std(a, ddof=1)", lambda a: np.std(a, ddof=1), "all"),
    ("a * sum(a)", lambda a: a * numpy_sum(a), "number"),
    ("max(a) - a", lambda a: a.max() - a, "real"),
]

AXIS_CASES = [
    ("a - mean(a, axis={k}, keepdims=True)", lambda a, k: a - np.mean(a, axis=k, keepdims=True), "all"),
    ("mean(a, axis={k})", lambda a, k: np.mean(a, axis=k), "all"),
    ("var(a, axis={k}, ddof=1)", lambda a, k: np.var(a, axis=k, ddof=1), "all"),
    ("std(a, axis={k}, keepdims=True)", lambda a, k: np.std(a, axis=k, keepdims=True), "all"),
    ("sum(a, axis={k}, keepdims=True) + a", lambda a, k: numpy_sum(a, axis=k, keepdims=True) + a, "number"),
    ("a / max(a, axis={k}, keepdims=True)", lambda a, k: a / a.max(axis=k, keepdims=True), "realfloat"),
    ("min(a, axis={k}) + max(a, axis={k})", lambda a, k: a.min(axis=k) + a.max(axis=k), "real"),
    ("any(a, axis={k}, keepdims=True) & a", lambda a, k: np.any(a, axis=k, keepdims=True) & a, "bool"),
    ("prod(a, axis={k})", lambda a, k: np.prod(a, axis=k, dtype=a.dtype), "number"),
]


def defined(kinds, dtype):
    """Whether a case applies to `dtype` (vexpr refuses min/max of bool and complex, etc.)."""
    return {
        "all": True,
        "number": dtype != np.bool_,
        "real": dtype not in (np.bool_, np.complex128),
        "float": dtype in (np.float32, np.float64, np.complex128),
        "realfloat": dtype in (np.float32, np.float64),
        "bool": dtype == np.bool_,
    }[kinds]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(1,), (17,), (5, 7), (3, 4, 5)], ids=str)
def test_full_reductions_inside_expressions(dtype, shape):
    a = make(shape, dtype)
    for expr, numpy, kinds in CASES:
        if not defined(kinds, dtype):
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            want = numpy(a)
        close(vexpr.evaluate(expr), want, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 5)], ids=str)
def test_axis_reductions_and_keepdims(dtype, shape):
    a = make(shape, dtype)
    for k in range(-len(shape), len(shape)):
        for template, numpy, kinds in AXIS_CASES:
            if not defined(kinds, dtype):
                continue
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", RuntimeWarning)
                want = numpy(a, k)
            close(vexpr.evaluate(template.format(k=k)), want, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_non_contiguous_inputs(dtype):
    base = make((8, 10), dtype)
    for a in (base[::2, ::-3], base.T, np.asfortranarray(base)):
        assert not a.flags.c_contiguous
        close(vexpr.evaluate("a - mean(a, axis=0)"), a - np.mean(a, axis=0), dtype)
        close(vexpr.evaluate("var(a, axis=1)"), np.var(a, axis=1), dtype)
        close(vexpr.evaluate("std(a)"), np.std(a), dtype)
        if dtype != np.bool_:
            close(vexpr.evaluate("sum(a, axis=1, keepdims=True) * a"),
                  numpy_sum(a, axis=1, keepdims=True) * a, dtype)


def test_inputs_read_only_inside_a_reduction_do_not_shape_the_value():
    a = make((4, 3), np.float64)
    b = make((2, 1, 3), np.float64)
    close(vexpr.evaluate("sum(a) + b"), np.sum(a) + b, np.float64)
    close(vexpr.evaluate("b - mean(a, axis=0)"), b - np.mean(a, axis=0), np.float64)
    close(vexpr.evaluate("sum(a * b, axis=0)"), np.sum(a * b, axis=0), np.float64)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_empty_inputs(dtype):
    e = np.zeros((0,), dtype=dtype)
    m = np.zeros((0, 3), dtype=dtype)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        close(vexpr.evaluate("mean(e)"), np.mean(e), dtype)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        close(vexpr.evaluate("var(m, axis=0)"), np.var(m, axis=0), dtype)
    if dtype != np.bool_:
        close(vexpr.evaluate("sum(e) + 1"), numpy_sum(e) + 1, dtype)
        close(vexpr.evaluate("prod(m, axis=0)"), np.prod(m, axis=0, dtype=dtype), dtype)
        close(vexpr.evaluate("sum(m, axis=1, keepdims=True) + m"),
              numpy_sum(m, axis=1, keepdims=True) + m, dtype)
    if dtype not in (np.bool_, np.complex128):
        # NumPy raises for min/max of nothing; so does vexpr, naming the reduction.
        with pytest.raises(ValueError):
            np.min(e)
        with pytest.raises(ValueError, match="zero-size array to reduction operation min"):
            vexpr.evaluate("e - min(e) + 1")
        close(vexpr.evaluate("max(m, axis=1)"), np.max(m, axis=1), dtype)


def test_nan_and_inf_follow_numpy():
    x = np.array([1.0, np.nan, 3.0])
    y = np.array([1.0, np.inf, 3.0])
    with np.errstate(all="ignore"):
        for expr, want in [
            ("x - mean(x)", x - np.mean(x)),
            ("x - max(x)", x - np.max(x)),
            ("var(x)", np.var(x)),
            ("y - mean(y)", y - np.mean(y)),
            ("var(y)", np.var(y)),
            ("y / sum(y)", y / np.sum(y)),
            ("min(y)", np.min(y)),
        ]:
            close(vexpr.evaluate(expr), want, np.float64)


def test_integer_sums_wrap_in_their_width():
    big = np.full(4, np.iinfo(np.int32).max, dtype=np.int32)
    with np.errstate(all="ignore"):
        close(vexpr.evaluate("big - sum(big)"), big - np.sum(big, dtype=np.int32), np.int32)
    # mean computes in float64: no overflow.
    close(vexpr.evaluate("mean(big)"), np.mean(big), np.int32)


def exact_mean_var(x):
    """The mean and population variance of `x` from math.fsum (correctly rounded sums)."""
    n = len(x)
    mean = math.fsum(x) / n
    return mean, math.fsum((v - mean) ** 2 for v in x) / n


@pytest.mark.parametrize("n", [1000, 100_000, 1_000_003])
def test_ill_conditioned_data_against_fsum(n):
    # A large mean and a small spread: a one-pass variance loses every digit.
    x = 1e9 + RNG.standard_normal(n)
    mean, var = exact_mean_var(x.tolist())
    u = 2.0 ** -53
    bound = (144 + max(0.0, math.log2(n / 8192))) * u
    got_mean = float(vexpr.evaluate("mean(x)"))
    assert abs(got_mean - mean) <= bound * np.abs(x).sum() / n + 2 * u * abs(mean)
    got_var = float(vexpr.evaluate("var(x)"))
    assert abs(got_var - var) <= 1e-6 * var, (got_var, var)
    assert abs(got_var - np.var(x)) <= 1e-6 * var
    # Sums with heavy cancellation: within the documented bound of math.fsum.
    y = np.concatenate([RNG.standard_normal(n) * 1e10, -RNG.standard_normal(n) * 1e10, [1.0]])
    got = float(vexpr.evaluate("sum(y)"))
    assert abs(got - math.fsum(y.tolist())) <= (144 + math.log2(2 * n / 8192 + 1)) * u * np.abs(y).sum()
    # The deviations from the mean sum to about zero, as with NumPy.
    dev = float(vexpr.evaluate("sum(x - mean(x))"))
    assert abs(dev) <= bound * np.abs(x - mean).sum() + n * 2 * u * abs(mean)


def test_numexpr_style_two_step_matches_one_call():
    x = RNG.uniform(0, 10, 10_000)
    mn, mx = x.min(), x.max()
    assert_allclose(vexpr.evaluate("(x - min(x)) / (max(x) - min(x))"),
                    vexpr.evaluate("(x - mn) / (mx - mn)"), rtol=0, atol=0)
