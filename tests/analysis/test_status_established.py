"""The board's clause lines: proved (all L) only from the symbolic prover, verified to L = N from the
finite prover, refuted from a certified counterexample; the symbolic verdicts are recorded per hash."""

from __future__ import annotations

import json

from proofs_check.analysis.status import clause_rows, registry_hash, statement_established, symbolic_verdicts
from proofs_check.prover.core import prove_statements
from proofs_check.verdicts import Established
from theory import registry
from theory.symbols import MI, L, s_step

from tests.prover.test_prover import mutant

# S3's upper bound with half its constant: false (the copy distribution refutes it)
S3_SMALL = mutant("S3", 2, rhs=(s_step - 1) / (4 * L) * MI)


def _rows(statements, max_L, path):
    finite = {r.id: r.to_json() for r in prove_statements(statements, max_L=max_L)}
    symbolic, how = symbolic_verdicts(path, statements)
    return {r["clause"]: r for r in clause_rows(finite, symbolic, None, statements)}, how


def test_symbolic_proof_shows_proved_all_L_and_P4_shows_its_finite_reach(tmp_path):
    rows, _ = _rows([registry.get("S3"), registry.get("P4")], 6, tmp_path / "sym.json")
    assert rows["S3.upper"]["established"] == f"{Established.PROVED} (all L)" == "proved (all L)"
    assert rows["S3.upper"]["method"].startswith("symbolic certificate for every L >= 1")
    assert rows["P4.reading_a"]["established"] == "verified to L = 6"
    assert rows["P4.reading_a"]["word"] == Established.VERIFIED
    assert "offset-family witness" in rows["P4.reading_a"]["method"]
    assert statement_established(list(rows.values()), "P4") == "verified to L = 6"


def test_a_constant_too_small_is_refuted_never_proved(tmp_path):
    rows, _ = _rows([S3_SMALL], 5, tmp_path / "sym.json")
    r = rows["S3-mutant.upper"]
    assert r["word"] == Established.REFUTED and r["established"] == "refuted"
    assert "exact certificate at L = " in r["method"]
    assert rows["S3-mutant.exact"]["established"] == "proved (all L)"  # the untouched clauses stay proved
    # without a finite run the symbolic prover alone does not prove the mutant either
    symbolic, _ = symbolic_verdicts(None, [S3_SMALL])
    bare = {x["clause"]: x for x in clause_rows({}, symbolic, None, [S3_SMALL])}
    assert bare["S3-mutant.upper"]["word"] != Established.PROVED


def test_symbolic_verdicts_are_recorded_and_recomputed_when_the_registry_changes(tmp_path):
    path = tmp_path / "sym.json"
    sts = [registry.get("P4")]
    first, how1 = symbolic_verdicts(path, sts)
    second, how2 = symbolic_verdicts(path, sts)
    assert how1.startswith("computed") and how2 == "recorded" and first == second
    assert json.loads(path.read_text())["registry_hash"] == registry_hash(sts)
    changed = [mutant("P4", 0, rhs=registry.P4_RHS * 2)]
    assert registry_hash(changed) != registry_hash(sts)
    _, how3 = symbolic_verdicts(path, changed)
    assert how3.startswith("computed")
    path.write_text("{not json")
    _, how4 = symbolic_verdicts(path, sts)
    assert how4.startswith("computed")
