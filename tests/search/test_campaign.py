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
                          "tightest_ratio", "worst", "counterexample", "ratios", "predictors", "eps_train_instances"}
        assert s["instances"] > 0 and s["checks"] >= s["instances"]
        assert s["holds"] + s["equal"] + s["fails"] == s["checks"]
        if registry.get(s["id"]).binding:  # paper/derived; a conjecture or a refuted statement (W3) may fail
            assert s["fails"] == 0
    assert results["total_checks"] == sum(s["checks"] for s in results["statements"])
    assert results["schema"] == "dlm-verify/campaign/1"
    printed = capsys.readouterr().out
    assert "Conjectures" in printed and "S1" in printed and "non-optimal" in printed
    # training error in the main job: P1 (Theorem 1, "+ eps_train") on instances with eps_train > 0
    p1 = next(s for s in results["statements"] if s["id"] == "P1")
    assert p1["predictors"].get("perturbed", 0) + p1["predictors"].get("learned", 0) > 0
    positive = [x for x in p1["eps_train_instances"] if x["eps_train_positive"] and float(x["eps_train"]) > 0]
    assert positive and all(v["ok"] for x in positive for v in x["verdicts"])
    assert any(v["verdict"] == "holds" for x in positive for v in x["verdicts"])
    assert {x["predictor"] for x in positive} == {"perturbed", "learned"}
    # statements that say nothing about a predictor are checked with the optimal one only
    s1 = next(s for s in results["statements"] if s["id"] == "S1")
    assert set(s1["predictors"]) == {"optimal"} and not s1["eps_train_instances"]


def test_the_non_optimal_share_is_deterministic_in_the_seed_and_near_its_documented_value():
    from proofs_check.model.instance import Instance
    from proofs_check.model.schedules import compositions
    from proofs_check.search.campaign import NON_OPTIMAL_SHARE, draw_predictor
    from proofs_check.sources.distributions import random_distribution

    insts = [Instance(random_distribution(4, 2, seed=k), sched) for k in range(8) for sched in compositions(4)]
    kinds = [None if (d := draw_predictor(i, 0)) is None else d[0] for i in insts]
    assert kinds == [None if (d := draw_predictor(i, 0)) is None else d[0] for i in insts]
    assert kinds != [None if (d := draw_predictor(i, 1)) is None else d[0] for i in insts]
    share = sum(k is not None for k in kinds) / len(kinds)
    assert abs(share - float(NON_OPTIMAL_SHARE)) < 0.15, share
    assert {"perturbed", "learned"} <= set(kinds)


def test_a_wrong_training_error_term_is_caught_on_non_optimal_instances(monkeypatch):
    """P1 with eps_train dropped is false for some perturbed predictor: the campaign must see it."""
    from proofs_check.search import campaign as C
    from theory.registry import P1_CONSTANT
    from theory.symbols import KL, eps_train

    dropped = Statement("X2", "P1 without + eps_train", "paper", "test",
                        (Clause(KL, "<=", P1_CONSTANT * MI + 0 * eps_train, "all", "no eps_train"),))
    assert not C.eps_train_statements((dropped,))  # 0 * eps_train is 0: nothing to draw for
    kept = Statement("X3", "P1 with eps_train halved", "paper", "test",
                     (Clause(KL, "<=", P1_CONSTANT * MI + eps_train / 4, "all", "eps_train / 4"),))
    camp = Campaign(statements=(kept,), budget=0.1, structured_max_L=3, extra_instances=())
    monkeypatch.setattr(C, "real_and_long_instances", lambda: iter(()))
    camp.run()
    t = camp.tallies["X3"]
    assert t.predictors["perturbed"] + t.predictors["learned"] > 0
    assert t.fails > 0  # copy with one step is tight for P1: a quarter of eps_train is too little


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
    assert tally.tightest_ratio == pytest.approx(1.0)  # the copy distribution is tight
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
    res_path.write_text(json.dumps(results.to_json()))
    out = tmp_path / "rep"
    assert main(["report", "--out", str(out), "--results", str(res_path)]) == 0
    for name in ("kl_vs_T.png", "omega_g.png", "ratios.png", "schedules.png"):
        w, h = _png_size(out / name)
        assert w >= 800 and h >= 400, (name, w, h)
        assert (out / name).stat().st_size > 10_000
    md = (out / "report.md").read_text()
    assert "kl_vs_T.png" in md and "| S1 |" in md
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 4


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


def test_equal_within_width_is_counted_apart_never_as_holds():
    from proofs_check.numerics.certify import Verdict
    from proofs_check.search.campaign import Tally
    from proofs_check.verdicts import Status

    class _R:  # a clause result whose sides could not be separated by their enclosures
        verdict = Verdict(Status.EQUAL_WITHIN_WIDTH, "<=", 0.0, 0, "width<1e-150", 0.0, 0.0)  # no ratio

    tally = Tally(registry.get("S3"))
    tally.add(None, [_R()], digest="one instance")
    out = tally.summary()
    assert (out.within_width, out.holds, out.equal, out.fails, out.checks) == (1, 0, 0, 0, 1)
