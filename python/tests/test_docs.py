"""The examples in the package's docstrings run (doctest)."""

import doctest

import pytest

import vexpr
import vexpr.expressions
import vexpr.necompiler
import vexpr.utils


@pytest.mark.parametrize("module", [vexpr, vexpr.necompiler, vexpr.expressions, vexpr.utils],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module, threads):
    threads(vexpr.get_num_threads())  # restored afterwards: the examples set threads
    failed, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0


def test_dask_docstring_examples():
    pytest.importorskip("dask.array")
    import vexpr.dask

    failed, attempted = doctest.testmod(vexpr.dask, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failed == 0
