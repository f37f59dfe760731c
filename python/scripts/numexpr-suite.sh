#!/usr/bin/env bash
# Run numexpr's own test suite (the tests shipped in the installed numexpr wheel) against vexpr,
# through vexpr.install(). Extra arguments go to pytest.
#
#   python/scripts/numexpr-suite.sh [PYTHON] [PYTEST ARGS...]    default PYTHON: target/python-venv
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
python=$(realpath -s "${1:-$here/../target/python-venv/bin/python}")
shift || true
tests=$("$python" -c 'import importlib.util, os; print(os.path.join(importlib.util.find_spec("numexpr").submodule_search_locations[0], "tests"))')
cd "$here/tests"
PYTHONPATH="$here/tests${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m pytest -p numexpr_plugin -p no:cacheprovider "$tests" "$@"
