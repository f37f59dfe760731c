"""vexpr.install(): pandas' numexpr engine (pandas.eval, DataFrame.query) runs on vexpr."""

import sys

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
import vexpr  # noqa: E402


@pytest.fixture
def installed():
    stand_in = vexpr.install()
    yield stand_in
    vexpr.uninstall()


def test_import_numexpr_gives_vexpr(installed):
    import numexpr

    assert numexpr is installed and numexpr.vexpr is vexpr
    assert numexpr.evaluate is vexpr.evaluate
    assert numexpr.__version__.startswith("2.14.2+vexpr")
    from numexpr.necompiler import evaluate

    assert evaluate is vexpr.evaluate


def test_uninstall_restores_numexpr():
    vexpr.install()
    vexpr.uninstall()
    mod = sys.modules.get("numexpr")
    assert mod is None or getattr(mod, "vexpr", None) is None


def count_calls(stand_in, monkeypatch):
    calls = []
    real = vexpr.evaluate

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(stand_in, "evaluate", counting)
    return calls


def test_pandas_eval_with_the_numexpr_engine_runs_on_vexpr(installed, monkeypatch):
    calls = count_calls(installed, monkeypatch)
    df = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) ** 2})
    got = pd.eval("df.a * 2 + df.b", engine="numexpr")
    expected = pd.eval("df.a * 2 + df.b", engine="python")
    pd.testing.assert_series_equal(got, expected)
    assert len(calls) == 1, calls


def test_dataframe_query_runs_on_vexpr(installed, monkeypatch):
    calls = count_calls(installed, monkeypatch)
    df = pd.DataFrame({"a": np.arange(20), "b": np.arange(20) % 3})
    got = df.query("a > 5 and b == 1", engine="numexpr")
    assert got.index.tolist() == [7, 10, 13, 16, 19]
    assert len(calls) >= 1, calls
    calls.clear()
    product = df.eval("a * b", engine="numexpr")
    assert (product == df["a"] * df["b"]).all()
    assert len(calls) >= 1
