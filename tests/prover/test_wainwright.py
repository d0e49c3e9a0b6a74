"""Wainwright's statements (arXiv 2608.13520) and the Bernoulli error BER: slightly wrong versions
are refuted by the prover, each refutation confirmed by a certified verdict on a distribution.

The registry versions are proved for every case with L <= 10 in tests/prover/test_prover.py
(``test_statement_proved_for_every_case_up_to_L10``); W3's refuted clause is in
tests/regression/test_refuted.py.
"""

from __future__ import annotations

import dataclasses

import pytest

from proofs_check.cli.main import main
from proofs_check.prover import core as pv
from theory import definitions as defs
from theory import registry
from theory.registry import W_C, W5_RHS
from theory.symbols import DTC, TSE, D_B, H_ugc, Hc, L, T, a_n, b_n, c_step, m, p_t, q_t


def mutant(sid: str, key: str, **changes):
    st = registry.get(sid)
    idx = st.clause_index(key)
    clauses = list(st.clauses)
    clauses[idx] = dataclasses.replace(clauses[idx], **changes)
    return dataclasses.replace(st, id=f"{sid}-mutant", clauses=tuple(clauses), provenance="paper")


MUTANTS = {
    "W1 upper without the 1 of (1+c)/c": mutant("W1", "upper", rhs=1 / W_C * D_B(p_t, q_t)),
    "W1 lower with 2D/c": mutant("W1", "lower", lhs=2 * D_B(p_t, q_t) / W_C),
    "W2 with c/3": mutant("W2", "step", rhs=W_C / 3 * H_ugc(p_t, q_t)),  # c/2 still holds on the grid
    "W4 with b-a-2 in rho": mutant("W4", "step", rhs=L * (b_n - a_n - 2) / ((a_n + 1) * (L - b_n)) * Hc(a_n, b_n)),
    "W5 without the last step": mutant("W5", "bound", rhs=W5_RHS - c_step(m[T], L)),
    "W6 with 2 TSE/L": mutant("W6", "tse", rhs=2 * TSE / L),
    "W6 with Hc(0,L) <= H(0,1)": mutant("W6", "card_upper", rhs=H_ugc(0, 1)),
    "W6 DTC half with DTC/2": mutant("W6", "dtc", rhs=DTC / 2),
    "BER with the UGC integrand t(1-t)": mutant("BER", "integral", rhs=H_ugc(p_t, q_t)),
}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_wainwright_mutant_is_refuted_with_a_certified_witness(name):
    r = pv.prove_statement(MUTANTS[name], 5)
    assert r.refuted, name
    witnesses = [x.witness for x in r.refuted if x.witness is not None and x.witness.confirmed is not None]
    assert witnesses, name
    for w in witnesses:
        assert w.confirmed is True and w.verdict == "fails", (name, w)


def test_the_W5_bound_is_tight_on_one_step_and_W4_on_adjacent_cuts():
    """W5 at T = 1 is c(0, L) = KL_ideal exactly; W4 at b = a + 1 is 0 <= 0."""
    r = pv.prove_statement(registry.get("W5"), 6)
    assert r.proved
    from theory.linear import Case, linear_form
    from theory.symbols import KL_ideal
    case = Case(5, (5,))
    assert {k_: v for k_, v in linear_form(W5_RHS - KL_ideal, case).items() if k_ != 0} == {}
    assert linear_form(defs.rho_ab(a_n, b_n) * Hc(a_n, b_n) - c_step(a_n, b_n),
                       Case(5, bind=((a_n, 2), (b_n, 3)))) == {}


def test_prove_covers_the_wainwright_statements(capsys):
    assert main(["prove", "--statement", "W2", "--statement", "W4", "--max-L", "5"]) == 0
    out = capsys.readouterr().out
    assert "W2" in out and "W4" in out and "proved" in out
