#!/usr/bin/env bash
# Make a fresh virtual environment for the Python package, build the wheel into it, and install
# the pinned test and peer packages (python/requirements-test.txt) from PyPI.
#
#   python/scripts/venv.sh [DIR]      default DIR: target/python-venv (removed and made anew)
#
# Prints the venv's python on the last line. The wheel is a release build (abi3, CPython 3.10+).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
venv=${1:-$root/target/python-venv}
python=${PYTHON:-python3}

rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/pip" --quiet --disable-pip-version-check)
"${pip[@]}" install -r "$here/requirements-test.txt"
wheels=$root/target/wheels
rm -f "$wheels"/vexpr-*.whl
(cd "$here" && "$venv/bin/maturin" build --release --quiet --interpreter "$venv/bin/python" --out "$wheels")
"${pip[@]}" install --no-deps "$wheels"/vexpr-*.whl
"$venv/bin/python" -c 'import vexpr, numexpr; print("vexpr", vexpr.__version__, "numexpr", numexpr.__version__)' >&2
echo "$venv/bin/python"
