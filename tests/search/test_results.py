"""Typed results: versioned JSON written and read back, one-line errors naming file and field."""

from __future__ import annotations

import json

import pytest

from proofs_check.errors import DlmInputError, ResultsFileError
from proofs_check.search.campaign import Campaign
from proofs_check.search.results import CampaignResult, CheckResult, ProverSummary
from proofs_check.verdicts import Established
from theory import registry


@pytest.fixture(scope="module")
def campaign_json():
    return Campaign(statements=(registry.get("S1"), registry.get("P1")), budget=0.5, structured_max_L=3).run() \
        .results().to_json()


def test_a_campaign_result_survives_its_json(campaign_json, tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(campaign_json))
    back = CampaignResult.load(path)
    assert back.to_json() == campaign_json
    assert back.statement("S1").tightest_ratio == pytest.approx(1.0)
    assert back.total_checks == sum(s.checks for s in back.statements) > 0


@pytest.mark.parametrize("edit,needle", [
    (lambda d: d.pop("schema"), "'schema'"),
    (lambda d: d.update(schema="dlm-verify/campaign/0"), "dlm-verify/campaign/1"),
    (lambda d: d.update(schema="dlm-verify/check/1"), "dlm-verify/campaign/1"),
    (lambda d: d["statements"][0].update(fails="3"), "statements[0].fails"),
    (lambda d: d["statements"][1].pop("holds"), "statements[1].holds"),
    (lambda d: d["statements"][0].update(checks=d["statements"][0]["checks"] + 1), "statements[0].checks"),
    (lambda d: d.update(total_checks=d["total_checks"] + 1), "total_checks"),
    (lambda d: d["statements"][0].update(tightest_ratio="big"), "tightest_ratio"),
    (lambda d: d["statements"][0]["predictors"].update(optimal=True), "optimal"),
    (lambda d: d.update(statements={}), "statements"),
])
def test_a_bad_campaign_file_is_a_one_line_error_naming_file_and_field(campaign_json, tmp_path, edit, needle):
    data = json.loads(json.dumps(campaign_json))
    edit(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultsFileError) as info:
        CampaignResult.load(path)
    msg = str(info.value)
    assert isinstance(info.value, DlmInputError) and "\n" not in msg
    assert str(path) in msg and needle in msg


def test_report_and_status_refuse_a_bad_results_file_with_exit_2(tmp_path, capsys):
    from proofs_check.cli.main import main

    path = tmp_path / "old.json"
    path.write_text(json.dumps({"statements": []}))  # a results file without a schema
    assert main(["report", "--results", str(path), "--out", str(tmp_path / "rep")]) == 2
    assert "schema" in capsys.readouterr().err
    path.write_text("{not json")
    assert main(["report", "--results", str(path), "--out", str(tmp_path / "rep")]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_a_check_result_survives_its_json_and_its_verdict_is_checked():
    res = CheckResult(Established.VERIFIED, "TC <= 9*DTC", "TC <= 9*DTC", "<=", True, "all", 10, 0, 5.0,
                      L_range=[2, 10], method="prover", instances=3, best_ratio=float("inf"))
    data = res.to_json()
    assert data["schema"] == "dlm-verify/check/1" and data["best_ratio"] == "inf"
    back = CheckResult.from_json(data)
    assert back.verdict is Established.VERIFIED and back.exit_code == 3 and back.best_ratio == float("inf")
    with pytest.raises(ResultsFileError, match="'verdict'.*'proved'"):
        CheckResult.from_json({**data, "verdict": "PROVED"})


def test_prover_results_are_read_back_from_the_provers_own_json():
    from proofs_check.prover.core import prove_statements

    r = prove_statements([registry.get("S1")], max_L=4)[0]
    s = ProverSummary.from_json(r.to_json(), "prover")
    assert s.id == "S1" and s.proved and s.max_L == 4 and s.schedules_proved > 0 and not s.refuted
    assert ProverSummary.from_json(s.to_json()).to_json() == s.to_json()
    with pytest.raises(ResultsFileError, match="'max_L'"):
        ProverSummary.from_json({**r.to_json(), "max_L": "4"}, "prover")
