#!/usr/bin/env bash
# Create .venv/ at the repository root with the pinned NumPy and numexpr
# (the semantic reference and the benchmark peers). Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r benches/requirements.txt
.venv/bin/python -c 'import numpy, numexpr; print("numpy", numpy.__version__, "numexpr", numexpr.__version__)'
