"""vexpr.dask: blockwise graphs, chunk alignment, broadcasting, reductions, a real cluster."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

da = pytest.importorskip("dask.array")
import vexpr  # noqa: E402
import vexpr.dask  # noqa: E402


def test_elementwise_with_misaligned_chunks_and_broadcasting():
    x = np.random.default_rng(1).random((30, 40))
    a = da.from_array(x, chunks=(7, 11))
    b = da.from_array(x[0], chunks=13)  # (40,) broadcast over rows, other chunks
    c = x[:, :1]  # a NumPy column
    r = vexpr.dask.evaluate("a * b + sin(c) - 2")
    assert isinstance(r, da.Array)
    assert r.dtype == np.float64 and r.shape == (30, 40)
    assert_allclose(r.compute(), x * x[0] + np.sin(x[:, :1]) - 2, rtol=1e-14)


def test_the_graph_is_blockwise_one_task_per_chunk():
    a = da.ones((100, 100), chunks=(25, 50))
    r = vexpr.dask.evaluate("a + 1")
    layer = r.dask.layers[r.name]
    assert type(layer).__name__ == "Blockwise"
    assert r.numblocks == (4, 2)
    assert_array_equal(r.compute(), 2.0)


@pytest.mark.parametrize("op", ["sum", "prod", "min", "max"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_reductions_per_chunk_then_combined(op, axis):
    x = np.random.default_rng(2).random((23, 17)) + 0.5
    a = da.from_array(x, chunks=(5, 4))
    text = f"{op}(a * 2)" if axis is None else f"{op}(a * 2, axis={axis})"
    r = vexpr.dask.evaluate(text)
    expected = getattr(np, op)(x * 2, axis=axis)
    assert r.shape == np.shape(expected)
    assert_allclose(r.compute(), expected, rtol=1e-12)


def test_boolean_and_integer_reductions():
    x = np.arange(1000).reshape(40, 25)
    a = da.from_array(x, chunks=(9, 7))
    assert vexpr.dask.evaluate("any(a > 998)").compute()
    assert not vexpr.dask.evaluate("all(a > 0)").compute()
    assert_array_equal(vexpr.dask.evaluate("all(a >= 0, axis=1)").compute(), True)
    # sum of bools counts (int64); int64 sums stay int64.
    count = vexpr.dask.evaluate("sum(a % 3 == 0)")
    assert count.dtype == np.int64 and count.compute() == np.sum(x % 3 == 0)
    assert vexpr.dask.evaluate("sum(a, axis=0)").compute().tolist() == x.sum(axis=0).tolist()


def test_nested_reductions_and_errors_are_reported_eagerly():
    a = da.ones(10, chunks=3)
    with pytest.raises(ValueError, match="outermost"):
        vexpr.dask.evaluate("sum(a) + 1")
    # A chunk's mean is not the mean: refused rather than wrong.
    for ex in ("a - mean(a)", "var(a)", "sum(a, keepdims=True)"):
        with pytest.raises(ValueError, match="not supported over chunks"):
            vexpr.dask.evaluate(ex)
    with pytest.raises(ValueError, match="out of bounds"):
        vexpr.dask.evaluate("sum(a, axis=1)")
    with pytest.raises(SyntaxError):
        vexpr.dask.evaluate("a +")
    with pytest.raises(KeyError):
        vexpr.dask.evaluate("a + nothing")


def test_tasks_pickle_as_text():
    task = vexpr.dask.Blockwise("a * b", ("a", "b"), ("float64", "float64"))
    back = pickle.loads(pickle.dumps(task))
    assert_array_equal(back(np.ones(3), np.arange(3.0)), [0.0, 1.0, 2.0])
    reduce = pickle.loads(pickle.dumps(vexpr.dask.Reduce("max")))
    assert_array_equal(reduce(np.arange(6.0).reshape(2, 3), axis=(1,), keepdims=True),
                       [[2.0], [5.0]])


def test_distributed_cluster_with_two_worker_processes():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            x = np.random.default_rng(3).random((400, 300))
            a = da.from_array(x, chunks=(50, 100))
            r = vexpr.dask.evaluate("where(a > 0.5, a**2, -a)")
            s = vexpr.dask.evaluate("sum(a * 3, axis=0)")
            got, total = client.compute([r, s], sync=True)
            assert_allclose(got, np.where(x > 0.5, x**2, -x))
            assert_allclose(total, (x * 3).sum(axis=0), rtol=1e-12)
            # vexpr ran in both worker processes (each counts the chunks it evaluated).
            calls = client.run(lambda: __import__("vexpr.dask").dask.calls)
            assert len(calls) == 2 and all(n > 0 for n in calls.values()), calls
