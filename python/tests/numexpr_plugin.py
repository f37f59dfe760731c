"""pytest plugin: run numexpr's own test suite against vexpr.

Loaded with ``-p numexpr_plugin`` (this folder on PYTHONPATH) before pytest imports any test
module, it calls `vexpr.install()`, so ``import numexpr`` in numexpr's tests gives vexpr.
``python/scripts/numexpr-suite.sh`` runs it.
"""

import vexpr

vexpr.install()


def pytest_report_header(config):
    import numexpr

    return f"numexpr is vexpr: {numexpr.__version__} ({numexpr.vexpr.__file__})"
