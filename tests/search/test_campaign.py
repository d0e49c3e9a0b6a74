"""The campaign (`dlm-verify run`) and the report (`dlm-verify report`)."""

from __future__ import annotations

import json
import struct

import pytest

from proofs_check.search.campaign import Campaign
from proofs_check.cli.main import main
from proofs_check.model.instance import check_all
from theory import registry
from theory.registry import Clause, Statement
from theory.symbols import KL_ideal, L, MI, s_max

FALSE = Statement(
    "X1", "deliberately false: S1 with half its constant", "derived", "test",
    (Clause(KL_ideal, "<=", (s_max - 1) / (2 * L) * MI, "all", "halved S1"),),
)


@pytest.fixture
def with_false_statement(monkeypatch):
    statements = registry.STATEMENTS + (FALSE,)
    monkeypatch.setattr(registry, "STATEMENTS", statements)
    monkeypatch.setattr(registry, "BY_ID", {s.id: s for s in statements})


def test_campaign_on_registry_exits_0(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["run", "--budget", "8", "--max-L", "4", "--json", str(out)])
    assert code == 0
    results = json.loads(out.read_text())
    ids = [s["id"] for s in results["statements"]]
    assert ids == [s.id for s in registry.STATEMENTS]
    for s in results["statements"]:
        assert set(s) >= {"id", "title", "provenance", "instances", "checks", "holds", "equal", "fails",
                          "tightest_ratio", "worst", "counterexample", "ratios"}
        assert s["instances"] > 0 and s["checks"] >= s["instances"]
        assert s["holds"] + s["equal"] + s["fails"] == s["checks"]
        if registry.get(s["id"]).binding:  # paper/derived; a conjecture or a refuted statement (W3) may fail
            assert s["fails"] == 0
    assert results["total_checks"] == sum(s["checks"] for s in results["statements"])
    printed = capsys.readouterr().out
    assert "Conjectures" in printed and "S1" in printed


def test_campaign_exits_1_on_a_false_statement(tmp_path, capsys, with_false_statement):
    out = tmp_path / "r.json"
    code = main(["run", "--budget", "4", "--max-L", "4", "--statement", "X1", "--json", str(out)])
    assert code == 1
    assert "COUNTEREXAMPLE X1" in capsys.readouterr().out
    res = json.loads(out.read_text())["statements"][0]
    cex = res["counterexample"]
    assert res["fails"] > 0 and cex is not None
    # the counterexample carries both sides at 30 digits and violates the claim
    assert float(cex["lhs"]) > float(cex["rhs"])
    assert len(cex["lhs"].replace(".", "").lstrip("0")) >= 25


def test_tightness_reaches_the_copy_witness_for_S1():
    camp = Campaign(statements=(registry.get("S1"),), budget=2, structured_max_L=3).run()
    tally = camp.tallies["S1"]
    assert tally.tightest == pytest.approx(1.0)  # the copy distribution is tight
    assert tally.fails == 0


def test_bad_usage_exits_2(capsys):
    assert main(["run", "--budget", "-1"]) == 2
    assert "budget" in capsys.readouterr().err


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_report_writes_figures(tmp_path):
    results = Campaign(budget=2, structured_max_L=3).run().results()
    res_path = tmp_path / "r.json"
    res_path.write_text(json.dumps(results))
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--results", str(res_path)]) == 0
    for name in ("kl_vs_T.png", "omega_g.png", "ratios.png"):
        w, h = _png_size(out / name)
        assert w >= 800 and h >= 400, (name, w, h)
        assert (out / name).stat().st_size > 10_000
    md = (out / "report.md").read_text()
    assert "kl_vs_T.png" in md and "| S1 |" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3


def test_the_sweep_covers_real_words_and_long_chains_and_every_statement_holds_there():
    from proofs_check.search.campaign import real_and_long_instances
    from proofs_check.sources.markov import MarkovChain

    insts = list(real_and_long_instances())
    assert any("words" in getattr(i.dist, "name", "") for i in insts)
    assert any(isinstance(i.dist, MarkovChain) and i.L == 64 for i in insts)  # closed form only
    for inst in insts:
        results = check_all(inst)
        assert {r.statement for r in results} >= {"F3", "P1", "S1", "S3"}
        bad = [(r.statement, r.label, str(r.verdict)) for r in results
               if not r.verdict.ok and registry.get(r.statement).binding]  # a refuted statement fails by record
        assert not bad, (inst.dist, inst.schedule, bad)
