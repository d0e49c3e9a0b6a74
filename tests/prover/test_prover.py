"""The exact prover over the symmetric Shannon cone (``dlm-verify prove``).

* every provable paper/derived statement is proved for every case of its
  quantifier with ``L <= 10`` (all ``2^(L-1)`` schedules, all refinements, ...);
* mutants are refuted, and each refutation is confirmed by a certified exact
  verdict on a concrete distribution;
* the bulk (vectorized) path agrees with the one-case exact certificates;
* the conjecture P4 (reading A) is reported separately.
"""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction

import pytest
import sympy as sp

from proofs_check.prover import core as pv
from proofs_check.cli.main import main
from proofs_check.sources.distributions import copy_distribution
from proofs_check.errors import QuantifierError
from proofs_check.model.instance import Instance, offset_case
from proofs_check.model.schedules import Schedule, one_step
from theory import registry
from theory.linear import Case
from theory.registry import Clause, Statement
from theory.symbols import KL, MI, D, L, T, delta, eps_train, g, k, m, s, s_max, s_step

MAX_L = 10
PROVABLE = ("F2", "F3", "F4", "P1", "P2", "P3", "S1", "S2", "S3", "S4", "BER", "W1", "W2", "W4", "W5", "W6")


def mutant(sid: str, idx: int, **changes) -> Statement:
    """A registry statement with one clause changed (the registry itself is never edited)."""
    st = registry.get(sid)
    clauses = list(st.clauses)
    clauses[idx] = dataclasses.replace(clauses[idx], **changes)
    return dataclasses.replace(st, id=f"{sid}-mutant", clauses=tuple(clauses))


MUTANTS = {
    "S1 with (s_max-1)/2": mutant("S1", 1, rhs=(s_max - 1) / (2 * L) * MI),
    "P1 with half its constant": mutant("P1", 0, rhs=registry.P1_CONSTANT / 2 * MI + eps_train),
    "S2 with s_k instead of s_k-1": mutant("S2", 0, rhs=sp.Sum(s[k] * g(m[k]), (k, 1, T))),
    "S3 lower with s/2": mutant("S3", 1, lhs=s_step / 2 * D(L - s_step + 1)),
}


#: Statements over the 210 time pairs are proved to this L here (1470 cases each); `dlm-verify
#: prove` takes them to its max-L 12, and test_wainwright.py / test_refuted.py cover them too.
TIMES_MAX_L = 7


def _over_times(st) -> bool:
    return any(c.over == "times" for c in st.clauses)


@pytest.fixture(scope="module")
def registry_results():
    timed = [st for st in registry.STATEMENTS if _over_times(st)]
    rest = [st for st in registry.STATEMENTS if not _over_times(st)]
    return {r.id: r for r in pv.prove_all(MAX_L, rest) + pv.prove_all(TIMES_MAX_L, timed)}


# -- the registry is proved ---------------------------------------------------------------------


@pytest.mark.parametrize("sid", PROVABLE)
def test_statement_proved_for_every_case_up_to_L10(registry_results, sid):
    r = registry_results[sid]
    assert r.proved, r.to_json()
    for c in r.clauses:
        if not c.prover:
            continue
        assert c.cases > 0
        assert c.proved == c.cases, (sid, c.label, c.to_json())
        for per in c.per_L:
            assert per.n_cases == len(pv.quantifier_cases(c.over, per.L))


def test_all_quantified_statements_cover_every_composition(registry_results):
    total = sum(2 ** (L_ - 1) for L_ in range(2, MAX_L + 1))
    for sid in ("F2", "P1", "S1", "S2"):
        assert registry_results[sid].schedules_proved == total
    # F4: (L-1) 2^(L-2) (schedule, split) pairs per L
    assert registry_results["F4"].schedules_proved == sum((L_ - 1) * 2 ** (L_ - 2) for L_ in range(2, MAX_L + 1))


def test_sampler_level_clauses_are_skipped(registry_results):
    f1 = registry_results["F1"]
    assert not f1.provable and f1.clauses[0].cases == 0
    cert = pv.certificate("F1", 0, Case(4, (2, 2)))
    assert cert.status == "skipped" and "sampler-level" in cert.reason
    f2 = registry_results["F2"]
    assert not f2.clauses[0].prover and f2.clauses[1].proved == f2.clauses[1].cases


def test_equality_tightness_of_S1_on_one_step():
    """S1's telescoped bound is an identity for the one-step schedule (L): slack exactly 0."""
    for L_ in range(2, 8):
        cert = pv.certificate("S1", 1, Case(L_, (L_,)))
        assert cert.status == "proved" and all(c == 0 for c in cert.coefficients)


def test_certificate_values_by_hand():
    # S1 clause 0 on (3,2,1): KL_ideal = 2g0 + g1 + g3, telescoped = 2(g0 + g1) + g3: slack g1
    cert = pv.certificate("S1", 0, Case(6, (3, 2, 1)))
    assert cert.status == "proved"
    assert dict(cert.table())["g(1)"] == 1 and sum(cert.coefficients) == 1
    # S3 lower on L=6, s=3: c_3(4) = 2/3 is the only slack
    cert = pv.certificate("S3", 1, offset_case(6, 3))
    assert [str(c) for c in cert.coefficients] == ["0", "0", "0", "0", "2/3", "0"]
    assert cert.slack_expression() == sp.Rational(2, 3) * g(4)


def test_zero_factor_next_to_undefined_quantity_is_fine():
    """(s-1)/2 D(L-s+1) at s = 1 is D(L) (undefined) times 0: linear, proved; a nonzero factor is not."""
    for sid, idx in (("S3", 1), ("S4", 1)):
        assert pv.certificate(sid, idx, offset_case(5, 1)).status == "proved"
    bad = MUTANTS["S3 lower with s/2"]
    cert = pv.certificate(bad, 1, offset_case(5, 1))
    assert cert.status == "not_linear" and "outside h(0..5)" in cert.reason


def test_training_error_must_cancel():
    st = Statement("X", "KL <= MI (eps_train does not cancel)", "derived", "test",
                   (Clause(KL, "<=", MI, "all", "no eps_train on the right"),))
    cert = pv.certificate(st, 0, Case(3, (3,)))
    assert cert.status == "not_linear" and "eps_train" in cert.reason
    r = pv.prove_statement(st, 4)
    assert r.not_linear == sum(2 ** (L_ - 1) for L_ in range(2, 5)) and not r.refuted


# -- the basis and the quantifiers -----------------------------------------------------------------


def test_basis_matrix_rebuilds_h():
    """h(m) = m delta(L-1) + sum_u min(m, u+1) g(u), checked on the definitions via linear forms."""
    from theory.linear import linear_form

    for L_ in range(2, 8):
        B = pv.basis_matrix(L_)
        basis_forms = [linear_form(g(x), Case(L_)) for x in range(L_ - 1)] + [linear_form(delta(L_ - 1), Case(L_))]
        for mm in range(L_ + 1):
            acc: dict = {}
            for b, form in enumerate(basis_forms):
                for key, c in form.items():
                    acc[key] = acc.get(key, 0) + int(B[mm, b]) * c
            acc = {key: c for key, c in acc.items() if c and key != 0}
            assert acc == ({mm: 1} if mm else {})
            unit = [Fraction(int(x == mm)) for x in range(L_ + 1)]
            assert pv.to_basis(unit) == [Fraction(int(x)) for x in B[mm]]


@pytest.mark.parametrize("L_", [2, 5, 8])
def test_quantifier_case_counts(L_):
    fib = [1, 1]
    while len(fib) <= L_:
        fib.append(fib[-1] + fib[-2])
    expected = {"profile": 1, "each_u": L_ - 1, "all": 2 ** (L_ - 1), "balanced": L_, "one_step": 1,
                "all_ones": 1, "small_steps": fib[L_], "refinement": (L_ - 1) * 2 ** (L_ - 2),
                "halving": 2 ** (L_ - 1) - 1, "offset": L_, "exists": L_ - 1, "times": 210,
                "cuts": L_ * (L_ - 1) // 2}
    for over, n in expected.items():
        assert len(pv.quantifier_cases(over, L_)) == n, over
    with pytest.raises(QuantifierError, match="sometimes.*known: profile"):
        pv.quantifier_cases("sometimes", L_)


def test_bulk_path_agrees_with_one_case_certificates():
    """The vectorized prover and the exact per-case certificate give the same verdicts."""
    statements = [registry.get(sid) for sid in PROVABLE + ("P4",)] + list(MUTANTS.values())
    prover = pv.Prover("none", route="enumerate")  # the case-by-case path (shapes: test_shapes.py)
    n = 0
    for L_ in range(2, 8):
        for st in statements:
            for idx, clause in enumerate(st.clauses):
                if not clause.prover:
                    continue
                bulk = prover.prove_clause(st, idx, L_)
                refuted = {x.case: x for x in bulk.refuted}
                cases = pv.quantifier_cases(clause.over, L_)
                if clause.over == "times":  # every 7th of the 210 pairs, matched case by case
                    for case in cases[::7]:
                        cert = pv.certificate(st, idx, case)
                        n += 1
                        assert (cert.status == "proved") == (case in bulk.proved_cases), (st.id, idx, case)
                        if cert.status == "refuted":
                            assert case in refuted and refuted[case].direction == cert.direction
                    continue
                proved = not_linear = 0
                for case in cases:
                    cert = pv.certificate(st, idx, case)
                    n += 1
                    if cert.status == "refuted":
                        assert case in refuted and refuted[case].direction == cert.direction
                    proved += cert.status == "proved"
                    not_linear += cert.status == "not_linear"
                assert (bulk.proved, bulk.not_linear) == (proved, not_linear), (st.id, idx, L_)
    assert n > 2000


# -- distributions realizing each direction ---------------------------------------------------------


@pytest.mark.parametrize("L_, idx", [(4, 0), (4, 1), (4, 2), (4, 3), (5, 1), (5, 2), (6, 2)])
def test_direction_distributions_load_exactly_one_basis_element(L_, idx):
    """copy -> g(0), Reed-Solomon of dimension u+1 -> g(u), parity -> g(L-2), uniform -> delta(L-1)."""
    desc, dist = pv.direction_distribution(L_, idx)
    assert dist is not None, desc
    inst = Instance(dist, one_step(L_))
    prof = Case(L_)
    basis = [g(x) for x in range(L_ - 1)] + [delta(L_ - 1)]
    values = [inst.value(b, prof) for b in basis]
    for b, v in enumerate(values):
        assert (v.is_zero()) == (b != idx), (desc, b, float(v))


# -- mutants are refuted with confirmed witnesses --------------------------------------------------


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_refuted_with_certified_witness(name):
    st = MUTANTS[name]
    r = pv.prove_statement(st, 6)
    assert r.refuted, name
    witnesses = [x.witness for x in r.refuted if x.witness is not None]
    assert witnesses
    for w in witnesses:
        assert w.confirmed is True and w.verdict == "fails", (name, w)
    first = r.refuted[0]
    assert first.direction == "g(0)" and first.witness.distribution == "copy"
    assert first.coefficient < 0


def test_mutant_refutation_matches_a_direct_evaluation():
    """P1 with half its constant on the copy distribution, brute-force sampler KL: violated."""
    st = MUTANTS["P1 with half its constant"]
    inst = Instance(copy_distribution(3, 2), Schedule((2, 1)))
    case = Case(3, (2, 1))
    from proofs_check.numerics.certify import compare

    clause = st.clauses[0]
    v = compare(inst.value(clause.lhs, case), inst.value(clause.rhs, case), clause.rel)
    assert v.status == "fails" and inst.kl_bruteforce is not None
    assert pv.certificate(st, 0, case).status == "refuted"


# -- the conjecture P4 ---------------------------------------------------------------------------


def test_P4_reading_A_is_proved_by_the_offset_witness(registry_results):
    r = registry_results["P4"]
    assert r.provenance == "conjecture" and r.proved
    assert r.clauses[0].proved == sum(L_ - 1 for L_ in range(2, MAX_L + 1))


@pytest.mark.parametrize("factor, real", [(4, False), (8, True)])
def test_P4_with_a_larger_constant(factor, real):
    """Constant 4/16: the offset average fails but another schedule still reaches the bound on
    the copy distribution; 8/16: no schedule does (a real counterexample)."""
    st = registry.get("P4")
    big = dataclasses.replace(st, id=f"P4x{factor}",
                              clauses=(dataclasses.replace(st.clauses[0], rhs=registry.P4_RHS * factor),))
    r = pv.prove_statement(big, 5)
    assert r.refuted
    w = r.refuted[0].witness
    assert w.confirmed and ("real counterexample" in w.note) == real, w.note


# -- the command ---------------------------------------------------------------------------------


def test_cli_prove_json(capsys):
    assert main(["prove", "--max-L", "6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_id = {x["id"]: x for x in out}
    assert set(by_id) == set(registry.BY_ID)
    for x in out:
        assert {"id", "provenance", "max_L", "schedules_proved", "refuted", "clauses"} <= set(x)
        assert x["max_L"] == 6
        st = registry.get(x["id"])
        if st.provenance == "refuted":  # a recorded finding: refuted exactly in its pinned clause
            assert x["refuted"] and {r["clause"] for r in x["refuted"]} == {st.clause_index(st.counterexample.clause)}
        else:
            assert x["refuted"] == [], x["id"]
    assert by_id["P1"]["schedules_proved"] == sum(2 ** (L_ - 1) for L_ in range(2, 7))
    assert by_id["S3"]["clauses"][1]["status"] == "proved"


def test_cli_prove_table_and_certificate(capsys):
    assert main(["prove", "--max-L", "5", "--statement", "S1", "--statement", "P4"]) == 0
    out = capsys.readouterr().out
    assert "S1" in out and "conjectures" in out and "no paper/derived clause refuted" in out
    assert "verified for L <= 5" in out and "offset-family witness" in out  # finite: verified, not proved
    assert main(["prove", "--certificate", "S3", "--L", "6", "--step", "3", "--clause", "1"]) == 0
    out = capsys.readouterr().out
    assert "2/3" in out and "g(4)" in out
    assert main(["prove", "--certificate", "F4", "--L", "4", "--schedule", "3,1", "--refined", "1,2,1",
                 "--json"]) == 0
    cert = json.loads(capsys.readouterr().out)[0]
    assert cert["status"] == "proved" and cert["coefficients"]["g(0)"] == "2"


@pytest.mark.parametrize("argv", [
    ["prove", "--max-L", "1"],
    ["prove", "--max-L", "257"],  # beyond the limit of 256
    ["prove", "--statement", "NOPE"],
    ["prove", "--L", "5"],
    ["prove", "--certificate", "S1"],
    ["prove", "--certificate", "S1", "--L", "6"],
    ["prove", "--certificate", "S1", "--L", "6", "--schedule", "3,2"],
    ["prove", "--certificate", "S3", "--L", "6", "--step", "9"],
    ["prove", "--certificate", "P3", "--L", "6", "--schedule", "4,2"],
    ["prove", "--certificate", "F4", "--L", "4", "--schedule", "3,1", "--refined", "2,2"],
    ["prove", "--certificate", "F1", "--L", "3", "--schedule", "3"],
    ["prove", "--certificate", "S1", "--L", "6", "--schedule", "6", "--clause", "7"],
])
def test_cli_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_cli_exit_1_when_a_paper_statement_is_refuted(monkeypatch, capsys):
    bad = dataclasses.replace(MUTANTS["P1 with half its constant"], id="P1half")
    statements = registry.STATEMENTS + (bad,)
    monkeypatch.setattr(registry, "STATEMENTS", statements)
    monkeypatch.setattr(registry, "BY_ID", {x.id: x for x in statements})
    assert main(["prove", "--max-L", "4", "--statement", "P1half", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)[0]
    assert out["refuted"] and out["refuted"][0]["witness"]["confirmed"] is True
    assert main(["prove", "--certificate", "P1half", "--L", "3", "--schedule", "2,1"]) == 1
    assert "refuted" in capsys.readouterr().out


def test_case_for_builds_each_kind():
    st = registry.get("F3")
    assert pv.case_for(st, 0, 5) == Case(5)
    assert pv.case_for(st, 3, 5) == Case(5, (5,))
    assert pv.case_for(st, 5, 5, u_value=2).bind
    assert pv.case_for(registry.get("P2"), 0, 5, schedule="3,2").refined == (2, 1, 1, 1)
    assert pv.case_for(registry.get("P4"), 0, 5, step=3) == offset_case(5, 3)


def test_constants_logs_and_strict_relations():
    """Constant parts (rationals and logs) are decided exactly, in bulk and one case at a time."""
    zero = sp.Integer(0)
    cases = {
        "MI + log 2 >= 0": (Clause(zero, "<=", MI + sp.log(2), "profile"), "proved"),
        "MI <= log 2": (Clause(MI, "<=", sp.log(2), "profile"), "refuted"),
        "0 < MI (fails at a deterministic sequence)": (Clause(zero, "<", MI, "profile"), "refuted"),
        "0 < MI + 1/2": (Clause(zero, "<", MI + sp.Rational(1, 2), "profile"), "proved"),
        "MI >= 1": (Clause(MI, ">=", sp.Integer(1), "profile"), "refuted"),
    }
    for name, (clause, expected) in cases.items():
        st = Statement("X", name, "derived", "test", (clause,))
        cert = pv.certificate(st, 0, Case(4))
        assert cert.status == expected, (name, cert)
        r = pv.prove_statement(st, 4)
        assert (r.clauses[0].proved == 3) == (expected == "proved"), name
        if expected == "refuted":
            assert r.refuted[0].witness.confirmed is True, (name, r.refuted[0])
    cert = pv.certificate(Statement("X", "", "derived", "t", (Clause(zero, "<", MI, "profile"),)), 0, Case(3))
    assert cert.direction == "constant"


def test_big_integer_path_gives_the_same_results(monkeypatch):
    """Forcing Python integers (object arrays) instead of int64 changes nothing."""
    fast = pv.prove_statements([registry.get("S3"), registry.get("P1"), MUTANTS["S2 with s_k instead of s_k-1"]],
                               6, confirm_witnesses="none")
    monkeypatch.setattr(pv, "INT64_LIMIT", 0)
    slow = pv.prove_statements([registry.get("S3"), registry.get("P1"), MUTANTS["S2 with s_k instead of s_k-1"]],
                               6, confirm_witnesses="none")
    for a, b in zip(fast, slow):
        assert a.to_json() | {"seconds": 0} == b.to_json() | {"seconds": 0}
