"""The README's "Use it in your repository" example, extracted and run as written: its test file
passes with pytest, and its ``dlm_bounds.toml`` is the statement file of the plugin tests."""

from __future__ import annotations

import re
from pathlib import Path

# loaded before pytester's in-process run (it restores sys.modules afterwards; numpy loads once)
import proofs_check.numerics.certify  # noqa: F401
import proofs_check.search.check  # noqa: F401
import proofs_check.search.strategies  # noqa: F401

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_example(name: str) -> str:
    """The fenced block right after ``<!-- example: NAME -->`` in the README."""
    m = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w*\n(.*?)```", README.read_text(), re.S)
    assert m, f"README has no example {name}"
    return m.group(1)


def test_the_readme_example_test_file_runs_as_written(pytester):
    pytester.makepyfile(test_my_bounds=readme_example("test_my_bounds.py"))
    res = pytester.runpytest("-p", "no:cacheprovider", "-q")
    res.assert_outcomes(passed=4)
