"""The status board reads prover and campaign results through the typed results."""

from __future__ import annotations

import json

import pytest

from proofs_check.analysis.status import board_rows, load_campaign
from proofs_check.errors import ResultsFileError
from proofs_check.prover.core import prove_statements
from proofs_check.search.results import CampaignResult, ProverSummary, StatementTally
from theory import registry


def _campaign() -> CampaignResult:
    rows = [StatementTally(s.id, s.title, s.provenance, instances=10, checks=12, holds=7, equal=5,
                           tightest_ratio=0.5, predictors={"optimal": 7, "perturbed": 3} if s.id == "P1" else
                           {"optimal": 10}) for s in registry.STATEMENTS]
    return CampaignResult(0, 1.0, 1.0, rows, 1 / 3)


def test_rows_show_finite_proofs_as_verified_and_count_non_optimal_instances(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(_campaign().to_json()))
    proofs = {r.id: ProverSummary.from_json(r.to_json(), "prover")
              for r in prove_statements([registry.get("S1"), registry.get("P1")], max_L=3)}
    rows = {r["id"]: r for r in board_rows(proofs, load_campaign(path))}
    assert rows["S1"]["prover"].startswith("verified:") and "up to L=3" in rows["S1"]["prover"]
    assert "proved for all" not in rows["S1"]["prover"]  # a finite range is not a proof for every L
    assert rows["P1"]["campaign"] == "10 instances (3 with eps_train > 0), 0 fails, tightest 0.5000"
    assert rows["F3"]["prover"] == "not run"


def test_a_missing_campaign_file_is_no_results_and_a_bad_one_is_an_error(tmp_path):
    assert load_campaign(tmp_path / "none.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**_campaign().to_json(), "seed": "zero"}))
    with pytest.raises(ResultsFileError, match="'seed' must be an integer"):
        load_campaign(bad)


def test_the_dependency_figure_colours_every_provenance(tmp_path):
    """Every registry provenance has a colour (a refuted statement, W3, crashed the board once)."""
    from proofs_check.analysis.status import PROVENANCE_COLOURS, figure_dependencies
    assert set(PROVENANCE_COLOURS) == set(registry.PROVENANCES)
    path = figure_dependencies(tmp_path / "dependencies.png")
    assert (tmp_path / "dependencies.png").stat().st_size > 0 and path is not None
