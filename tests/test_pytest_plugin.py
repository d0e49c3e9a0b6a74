"""The pytest plugin (``proofs_check/pytest_plugin.py``) run on temporary projects with pytester:
a statement file of a clause true for every L, one false (refuted at L = 11) and one undecided
gives one pass, one failure with its certified counterexample and one inconclusive; the next run
replays the stored counterexample first; a hostile file is one clean collection error."""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

# imported here, before pytester's in-process runs, so that they stay loaded between runs
# (pytester restores sys.modules after each run, and numpy cannot be imported twice)
import proofs_check.pytest_plugin  # noqa: F401
import proofs_check.search.counterexamples  # noqa: F401
import proofs_check.search.statements_file  # noqa: F401

from tests.test_readme_example import readme_example

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
BOUNDS = readme_example("dlm_bounds.toml")  # the README's statement file, as written


def _plugin_args() -> list[str]:
    """``-p proofs_check.pytest_plugin`` unless the installed package already registers it."""
    names = {e.value for e in metadata.entry_points(group="pytest11")}
    return [] if "proofs_check.pytest_plugin" in names else ["-p", "proofs_check.pytest_plugin"]


def test_the_package_declares_the_plugin_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"dlm": "proofs_check.pytest_plugin"}


def test_one_pass_one_counterexample_one_inconclusive_then_the_counterexample_replays_first(pytester):
    pytester.makefile(".toml", dlm_bounds=BOUNDS)
    first = pytester.runpytest(*_plugin_args(), "--dlm", "dlm_bounds.toml", "-p", "no:cacheprovider", "-rA")
    first.assert_outcomes(passed=1, failed=1, xfailed=1)
    out = first.stdout.str()
    assert "TC9.c0: TC <= 9*DTC over all: REFUTED at L = 11" in out
    assert "counterexample: copy(L=11,V=2)" in out
    assert "reproduce: dlm-verify inspect --family copy --L 11 --V 2 --schedule 11 --digits 30" in out
    assert "XFAIL dlm_bounds.toml::LOG.c0" in out and "not refuted for L = 2..6" in out
    db = json.loads((pytester.path / ".dlm" / "counterexamples.json").read_text())
    assert set(db["entries"]) == {"TC9.c0"} and db["entries"]["TC9.c0"]["counterexample"]["L"] == 11

    second = pytester.runpytest(*_plugin_args(), "--dlm", "dlm_bounds.toml", "-p", "no:cacheprovider", "-v",
                                "--dlm-inconclusive=skip")
    second.assert_outcomes(passed=1, failed=1, skipped=1)
    lines = second.stdout.str().splitlines()
    order = [n for line in lines for n in ("TC9.c0", "THM1.c0", "LOG.c0") if line.startswith(f"dlm_bounds.toml::{n}")]
    assert order[0] == "TC9.c0", order  # the stored counterexample runs first
    assert "REFUTED at L = 11 (replayed from .dlm/counterexamples.json)" in second.stdout.str()


def test_a_file_outside_the_collected_paths_given_by_option_and_inconclusive_as_fail_by_ini(pytester):
    pytester.makefile(".toml", my_bounds='[[statement]]\nid = "LOG"\ntitle = "t"\n[[statement.clause]]\n'
                                         'expr = "log(1 + KL_ideal) <= KL_ideal"\nbudget = 2\n')
    pytester.makeini("[pytest]\ndlm_inconclusive = fail\n")
    res = pytester.runpytest(*_plugin_args(), "--dlm", "my_bounds.toml", "-p", "no:cacheprovider")
    res.assert_outcomes(failed=1)
    assert "INCONCLUSIVE LOG.c0: log(1 + KL_ideal) <= KL_ideal over all: not refuted" in res.stdout.str()


@pytest.mark.parametrize("clause,needle", [
    ('expr = "TC <= DTC"\nover = "sometimes"', "field 'over': unknown quantifier 'sometimes'"),
    ('expr = "__import__(\'os\').system(\'touch pwned\') <= 1"', "field 'expr': double underscores"),
    ('expr = ["TC <= DTC"]', "field 'expr': expected a relation"),
])
def test_a_hostile_statement_file_is_one_clean_collection_error(pytester, clause, needle):
    pytester.makefile(".toml", dlm_bad=f'[[statement]]\nid = "BAD"\ntitle = "t"\n[[statement.clause]]\n{clause}\n')
    res = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    res.assert_outcomes(errors=1)
    err = [line for line in res.stdout.lines if "dlm_bad.toml: statement 1 (BAD), clause 1" in line]
    assert len(err) >= 1 and needle in err[0]
    assert "Traceback" not in res.stdout.str() and not (pytester.path / "pwned").exists()


def test_a_huge_statement_file_is_refused(pytester):
    pytester.makefile(".toml", dlm_huge="# padding\n" * 30000)
    res = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    res.assert_outcomes(errors=1)
    assert "bytes; a statement file may have at most" in res.stdout.str()


def test_a_missing_dlm_file_is_a_usage_error(pytester):
    res = pytester.runpytest(*_plugin_args(), "--dlm", "nowhere.toml")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    assert "--dlm nowhere.toml: no such file" in res.stderr.str()
