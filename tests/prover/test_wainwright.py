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
from fractions import Fraction

from proofs_check.model.quantifiers import quantifier
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


# -- W7: Wainwright's Corollary 1 (eq. 21) on the rational geometric grids --------------------------

def test_geometric_cases_are_exactly_L_2k_plus_1():
    """(L-1)^(2/N) rational with N >= 2 ln(L-1) leaves r = 2: L = 2^k + 1, N = 2k (and nothing else
    up to 200, checked against the definition with exact integer roots and a float log)."""
    import math
    q = quantifier("geometric")
    got = {L_: q.steps(L_) for L_ in range(1, 200)}
    want = {L_: [N for N in range(1, 40) if defs.geometric_ratio(L_, N) is not None
                 and N >= 2 * math.log(L_ - 1) + 1e-9] for L_ in range(1, 200)}
    assert got == want
    assert {L_: n for L_, n in got.items() if n} == {3: [2], 5: [4], 9: [6], 17: [8], 33: [10], 65: [12], 129: [14]}
    assert defs.geometric_points(5, 4) == tuple(Fraction(2**j, 4 + 2**j) for j in range(5))
    assert defs.geometric_points(9, 6)[0] == Fraction(1, 9) and defs.geometric_points(9, 6)[-1] == Fraction(8, 9)


def test_geometric_lambda_is_a_certified_lower_bound_of_the_log():
    from proofs_check.model.quantifiers import LOG_BITS, log_lower_bound
    from proofs_check.numerics.certify import compare
    from proofs_check.numerics.exact import LogLinear
    for n in (2, 4, 8, 16):
        lam = log_lower_bound(n)
        assert compare(lam, LogLinear.log(n), "<").ok
        assert compare(LogLinear.log(n), lam + Fraction(1, 2**LOG_BITS), "<").ok


@pytest.mark.parametrize("L_", [3, 5, 9, 17])
def test_W7_is_proved_on_its_grid_and_the_proof_covers_the_true_log(L_):
    """Proved at lambda <= ln(L-1); H(1/L, 1-1/L) has nonnegative coefficients, so the right side
    only grows from lambda to ln(L-1) and the proof covers the statement as written."""
    st = registry.get("W7")
    (case,) = quantifier("geometric").cases(L_)
    cert = pv.certificate(st, 0, case)
    assert cert.status == "proved", cert.reason
    H = _basis(H_ugc(1 / L, 1 - 1 / L), case)
    assert all(x >= 0 for x in H) and any(x > 0 for x in H)


def _basis(expr, case):
    from theory.linear import linear_form
    from proofs_check.prover.basis import to_basis
    form = linear_form(expr.subs(L, case.L), case)
    return to_basis([form.get(x, Fraction(0)) for x in range(case.L + 1)])


def test_W7_tight_constant_is_far_below_its_bound():
    """The largest ratio of the g(u) coefficients of sum Gamma and H is 0.365..0.438 for L = 3..17,
    against 4 ln(L-1)/N = 2 ln 2 = 1.386: the corollary holds with a factor >= 3 to spare."""
    from theory.symbols import N_w, W_geo
    worst = {}
    for L_ in (3, 5, 9, 17):
        (case,) = quantifier("geometric").cases(L_)
        N = dict(case.bind)[N_w]
        G, H = _basis(W_geo(N), case), _basis(H_ugc(1 / L, 1 - 1 / L), case)
        worst[L_] = max(g_ / h_ for g_, h_ in zip(G, H) if h_)
    assert 0.365 < float(worst[3]) < 0.366 and 0.438 < float(worst[17]) < 0.439
    assert all(float(w) < 1.386 / 3 for w in worst.values())


W7_MUTANTS = {
    # a quarter of the constant: ln(L-1)/N H = (ln 2)/2 H = 0.347 H < 0.365 H at L = 3
    "W7 with 1 ln(L-1)/N": ("grid", lambda c: dataclasses.replace(c, rhs=c.rhs / 4)),
    # N^2 for N: 4 ln(L-1)/N^2 = 0.231 at L = 9 (and 0.173 at L = 17) below the tight ratio
    "W7 with N^2": ("grid", lambda c: dataclasses.replace(c, rhs=c.rhs / N_W)),
}
from theory.symbols import N_w as N_W  # noqa: E402


@pytest.mark.parametrize("name", list(W7_MUTANTS))
def test_W7_mutant_is_refuted_with_a_certified_witness(name):
    key, change = W7_MUTANTS[name]
    st = registry.get("W7")
    m_st = mutant("W7", key, rhs=change(st.clauses[0]).rhs)
    r = pv.prove_statement(m_st, 17 if "N^2" in name else 3)
    assert r.refuted, name
    assert all(x.witness is None or x.witness.confirmed is not False for x in r.refuted)


def test_W7_constant_halved_is_not_refuted():
    """The mutant 4 -> 2 still holds (2 ln 2/2 = 0.69 > 0.44): the corollary's constant is loose, so
    halving it is not a slightly wrong version; the quarter and N^2 mutants above are."""
    st = registry.get("W7")
    r = pv.prove_statement(mutant("W7", "grid", rhs=st.clauses[0].rhs / 2), 17)
    assert r.proved and not r.refuted


def test_certificate_of_one_time_pair_or_cut_pair(capsys):
    """prove --certificate takes the case of a times/cuts clause as --pair; bad pairs exit 2."""
    assert main(["prove", "--certificate", "W3", "--L", "2", "--pair", "2/5,1/2", "--clause", "1"]) == 0
    out = capsys.readouterr().out
    assert "-7/750" in out and "refuted" in out  # the pinned counterexample's slack, W3 never fails the run
    assert main(["prove", "--certificate", "W4", "--L", "5", "--pair", "0,3"]) == 0
    assert "proved" in capsys.readouterr().out
    for argv, msg in [(["W1", "--L", "4", "--pair", "1/2,1/3"], "0 < p < q < 1"),
                      (["W4", "--L", "4", "--pair", "1,4"], "0 <= a < b <= L-1 = 3"),
                      (["W1", "--L", "4", "--pair", "x,y"], "two rationals"),
                      (["S1", "--L", "4", "--pair", "0,1"], "times or cuts"),
                      (["W1", "--L", "4"], "give --pair")]:
        assert main(["prove", "--certificate", *argv]) == 2, argv
        assert msg in capsys.readouterr().err, argv
