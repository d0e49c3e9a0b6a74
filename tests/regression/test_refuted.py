"""Recorded refutations stay refuted (provenance ``refuted`` in the registry).

Each refuted statement carries a pinned counterexample: the case (``L`` and bound values) and a
distribution built from the family table.  These tests fail if the certified verdict on that
counterexample stops failing (a changed definition, a weakened clause) or if the prover stops
refuting the clause, and they check that the clauses that were not refuted are still proved.
"""

from __future__ import annotations

import dataclasses

import pytest

from proofs_check.cli.main import main
from proofs_check.prover import core as pv
from proofs_check.search.counterexamples import pinned_case, pinned_sides, pinned_verdict
from theory import registry

REFUTED = [st for st in registry.STATEMENTS if st.provenance == "refuted"]


def test_there_is_a_recorded_refutation():
    assert [st.id for st in REFUTED] == ["W3"]


@pytest.mark.parametrize("st", REFUTED, ids=lambda st: st.id)
def test_pinned_counterexample_still_fails_certified(st):
    cx = st.counterexample
    assert cx is not None, f"{st.id} is refuted but records no counterexample"
    v = pinned_verdict(st)
    assert v.status == "fails", v
    lhs, rhs = pinned_sides(st)
    assert f"{float(lhs):.10f}" in cx.lhs and f"{float(rhs):.10f}" in cx.rhs
    cert = pv.certificate(st, st.clause_index(cx.clause), pinned_case(st))
    assert cert.status == "refuted" and cert.direction is not None


def _stale_record(st):
    """The same statement with its pinned counterexample moved to the clause that holds."""
    other = next(c.key for c in st.clauses if c.key != st.counterexample.clause)
    return dataclasses.replace(st, counterexample=dataclasses.replace(st.counterexample, clause=other))


@pytest.mark.parametrize("st", REFUTED, ids=lambda st: st.id)
def test_a_stale_record_is_not_refuted(st):
    assert pinned_verdict(_stale_record(st)).status != "fails"


def test_the_main_job_fails_when_a_recorded_refutation_stops_failing(tmp_path, monkeypatch, capsys):
    args = ["run", "--statement", "W3", "--rounds", "0", "--max-L", "2", "--workers", "1",
            "--json", str(tmp_path / "r.json")]
    assert main(args) == 0  # W3 fails on instances by record, and its record still fails
    real = registry.get
    monkeypatch.setattr(registry, "get", lambda sid: _stale_record(real(sid)) if sid == "W3" else real(sid))
    assert main(args) == 1
    assert "NO LONGER REFUTED W3.lower" in capsys.readouterr().out


@pytest.mark.parametrize("st", REFUTED, ids=lambda st: st.id)
def test_refuted_clause_is_refuted_at_every_L_and_the_others_proved(st):
    r = pv.prove_statement(st, 6)
    keys = {st.clauses[c.index].key: c for c in r.clauses}
    for key, c in keys.items():
        if key == st.counterexample.clause:
            assert all(per.refuted for per in c.per_L), (key, [len(per.refuted) for per in c.per_L])
        else:
            assert c.proved == c.cases, (key, c.to_json())


def test_a_refuted_statement_does_not_fail_the_prove_run(capsys):
    assert main(["prove", "--statement", "W3", "--max-L", "3"]) == 0
    out = capsys.readouterr().out
    assert "refuted" in out and "never fail the run" in out
