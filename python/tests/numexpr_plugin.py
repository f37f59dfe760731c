"""pytest plugin: run numexpr's own test suite against vexpr.

Loaded with ``-p numexpr_plugin`` (this folder on PYTHONPATH) before pytest imports any test
module, it calls `vexpr.install()`, so ``import numexpr`` in numexpr's tests gives vexpr.
``python/scripts/numexpr-suite.sh`` runs it.

The tests that fail on vexpr are listed in `KNOWN_FAILURES` with the reason (PYTHON.md has
the same list); they are marked as strict expected failures, so the run passes, and a listed
test that starts to pass fails the run until it is taken off the list.
"""

import pytest

import vexpr

vexpr.install()

_INTERNAL = "numexpr internal: "
_DEPARTURE = "documented departure (docs/LANGUAGE.md): "

#: numexpr test (class::name) -> why it fails on vexpr.
KNOWN_FAILURES = {
    "test_numexpr::test_reductions": _INTERNAL + "compares numexpr's disassembly (its opcode "
    "names and registers); the evaluations in the test agree with NumPy on vexpr",
    "test_numexpr2::test_reductions": _INTERNAL + "as test_numexpr::test_reductions",
    "test_numexpr::test_r0_reuse": _INTERNAL + "compares numexpr's disassembly",
    "test_numexpr2::test_r0_reuse": _INTERNAL + "compares numexpr's disassembly",
    "test_evaluate::test_disassemble": _INTERNAL + "compares numexpr's disassembly",
    "test_evaluate::test_constant_deduplication": _INTERNAL + "reads NumExpr.constants, "
    "numexpr's constant table",
    "test_evaluate::test_nan_constant": _INTERNAL + "builds a NaN ConstantNode (the language "
    "has no NaN literal) and reads NumExpr.constants",
    "test_strings::test_add_string_array": _INTERNAL + "expects numexpr's opcode name "
    "'add_sss' in the message; vexpr raises the same NotImplementedError with its own words",
    "test_strings::test_add_numeric_array": _INTERNAL + "expects numexpr's opcode name "
    "'ge_bsi' in the message; vexpr raises the same NotImplementedError with its own words",
    "test_numexpr::test_axis": _DEPARTURE + "negative axes are an extension (numexpr "
    "raises ValueError for axis=-1; vexpr counts from the end, as NumPy)",
    "test_numexpr2::test_axis": _DEPARTURE + "negative axes, as test_numexpr::test_axis",
    "test_evaluate::test_boolean_operator": _DEPARTURE + "`and`/`or`/`not` are an extension "
    "(numexpr raises TypeError for `(x > 1) and (x < 9)`; vexpr computes it)",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        key = "::".join(item.nodeid.split("::")[-2:])
        reason = KNOWN_FAILURES.get(key)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


def pytest_report_header(config):
    import numexpr

    return f"numexpr is vexpr: {numexpr.__version__} ({numexpr.vexpr.__file__})"
