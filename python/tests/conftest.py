"""Shared fixtures of vexpr's Python tests."""

import os
import subprocess
import sys
import textwrap

import pytest

import vexpr


@pytest.fixture
def threads():
    """Set vexpr's thread count for one test: ``threads(2)``; restored afterwards."""
    before = vexpr.get_num_threads()
    yield vexpr.set_num_threads
    vexpr.set_num_threads(before)


def run_script(source: str, timeout: float = 120, env=None) -> subprocess.CompletedProcess:
    """Run `source` in a fresh interpreter (same venv), failing the test on a non-zero exit or
    when it takes longer than `timeout` seconds (a hang)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(source)],
            capture_output=True, text=True, timeout=timeout, env=full_env,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the script hung (killed after {timeout} s); output so far: {e.stdout!r}")
    if done.returncode != 0:
        pytest.fail(f"the script failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done
