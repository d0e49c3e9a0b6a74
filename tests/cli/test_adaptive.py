"""``dlm-verify adaptive``: policies against OPT(T), typed JSON, bad input."""

from __future__ import annotations

import json
import math

import pytest

from proofs_check.analysis.adaptive import SCHEMA_VERSION, kl_ideal
from proofs_check.analysis.optimal import optimal_schedule
from proofs_check.cli.main import main
from proofs_check.model.schedules import Schedule, compositions
from proofs_check.sources.distributions import copy_distribution


def _run(capsys, *argv) -> dict:
    assert main(["adaptive", *argv, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)


def test_copy_against_opt(capsys):
    """Copy, L = 3, T = 2: OPT(2) = 0 at (1, 2) (one token fixes the rest); the balanced (2, 1)
    costs I(X_1; X_2) = log 2 for every policy, and the policies with OPT's sizes cost 0."""
    res = _run(capsys, "--family", "copy", "--L", "3", "--T", "2", "--eps", "1/2,2")
    assert res["schema_version"] == SCHEMA_VERSION and res["T"] == 2
    assert res["opt_schedule"] == [1, 2] and res["opt_float"] == 0
    by = {(r["policy"]): r for r in res["policies"]}
    for kind in ("left", "entropy", "confidence"):
        assert math.isclose(by[f"{kind}(2,1)"]["kl_float"], math.log(2), rel_tol=1e-12)
        assert by[f"{kind}(2,1)"]["versus_opt"] == "loses"
        assert by[f"{kind}(1,2)"]["kl_float"] == 0 and by[f"{kind}(1,2)"]["versus_opt"] == "ties"
    assert math.isclose(by["random(2,1)"]["average_float"], math.log(2), rel_tol=1e-12)
    eps = {r["eps"]: r for r in res["entropy_sum"]}
    assert eps["1/2"]["expected_steps"] == "2" and eps["1/2"]["kl_float"] == 0
    assert eps["2"]["expected_steps"] == "2" and math.isclose(eps["2"]["kl_float"], math.log(2), rel_tol=1e-12)


def test_opt_is_the_least_over_compositions():
    prof = copy_distribution(4, 2).profile()
    sched, value = optimal_schedule(prof, 2)  # the comparison's OPT(T): the DP of analysis.optimal
    assert sched.T == 2 and float(value) == 0  # (1, 3): the first token fixes the rest
    others = [kl_ideal(prof, c.sizes) for c in compositions(4) if c.T == 2 and c != sched]
    assert sched == Schedule((1, 3)) and len(others) == 2 and all(float(v) > 0 for v in others)


def test_table_and_plot(tmp_path, capsys):
    png = tmp_path / "a.png"
    assert main(["adaptive", "--family", "parity", "--L", "3", "--T", "2", "--ties", "random",
                 "--eps", "1", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "OPT(T)" in out and "entropy/random-ties(2,1)" in out and "Entropy-sum" in out
    assert png.stat().st_size > 1000


@pytest.mark.parametrize("argv,msg", [
    (["--family", "copy", "--L", "3", "--T", "0"], "--T 0 must satisfy 1 <= T <= L=3"),
    (["--family", "copy", "--L", "3", "--T", "2", "--eps", "-1"], "--eps value -1 is negative"),
    (["--family", "copy", "--L", "3", "--T", "2", "--eps", "abc"], "--eps value 'abc' is not a number"),
])
def test_bad_input_exits_2(argv, msg, capsys):
    assert main(["adaptive", *argv]) == 2
    assert msg in capsys.readouterr().err
