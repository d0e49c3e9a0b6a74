"""The family route (``proofs_check.prover.offsets``) decides exactly what enumeration decides.

* its closed forms equal the definition: for every ``L <= 24`` and every step ``s`` the ``g``
  coefficients of ``KL_ideal_offset`` from :func:`offsets.family_form` are those of
  :func:`theory.linear.linear_form` on the family (its members built one by one), with
  ``delta(L-1)`` coefficient 0; likewise :func:`offsets.balanced_form` for every ``T``;
* an off-by-one in either closed form is caught by that comparison and makes the prover refute
  the registry clause it touches;
* every registry clause over ``offset``, ``exists`` and ``balanced``: the same counts and smallest
  slack as enumeration for every ``L <= 12``;
* mutants (a constant too small, a term dropped) are refuted by the route as by enumeration, each
  listed case with an exact certificate.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from proofs_check.model.quantifiers import offset_case
from proofs_check.model.schedules import balanced
from proofs_check.prover import core as pv
from proofs_check.prover import offsets
from proofs_check.prover.basis import to_basis
from theory import registry
from theory.linear import Case, linear_form
from theory.symbols import MI, D, KL, KL_ideal_offset, L, T, eps_train, s_step

from tests.prover.test_prover import mutant

FAMILY_CLAUSES = [(st, idx) for st in registry.STATEMENTS for idx, c in enumerate(st.clauses)
                  if c.prover and c.over in offsets.FAMILIES]
MAX_L = 12
CLOSED_FORM_MAX_L = 24


def _definition(quantity, case: Case) -> list[Fraction]:
    """``g(0..L-2), delta(L-1)`` coefficients of ``quantity`` on ``case`` through theory.linear."""
    form = linear_form(quantity, case)
    assert set(form) <= set(range(case.L + 1)), form  # no constant, no eps_train
    return to_basis([Fraction(form.get(x, 0)) for x in range(case.L + 1)])


def _mismatch(form, quantity, case_of, params_of, max_L: int = CLOSED_FORM_MAX_L):
    """The first ``(L, parameter)`` where the closed form ``form`` differs from the definition."""
    for L_ in range(2, max_L + 1):
        params = params_of(L_)
        den, nums = form(L_, params)
        for i, p in enumerate(params):
            closed = [Fraction(int(x), int(den[i])) for x in nums[i]] + [Fraction(0)]
            if closed != _definition(quantity, case_of(L_, p)):
                return L_, p
    return None


def _steps(L_):
    return list(range(1, L_ + 1))


def test_family_closed_form_equals_the_family_average_for_every_L_and_s():
    assert _mismatch(offsets.family_form, KL_ideal_offset, offset_case, _steps) is None


def test_balanced_closed_form_equals_F2_on_every_balanced_schedule():
    assert _mismatch(offsets.balanced_form, pv.KL_ideal, lambda L_, p: Case(L_, balanced(L_, p).sizes),
                     _steps) is None


def _room_sums_one_past_the_end(t, s):
    """Off by one: the distance to the first index *after* the step, sum_d min(d + 1, t)."""
    return np.where(t >= s, s * (s + 1) // 2, t * (t + 1) // 2 + (s - t) * t)


def test_an_off_by_one_offset_is_caught_and_its_refutation_is_not_trusted(monkeypatch):
    monkeypatch.setattr(offsets, "room_sums", _room_sums_one_past_the_end)
    assert _mismatch(offsets.family_form, KL_ideal_offset, offset_case, _steps, max_L=4) is not None
    st = registry.get("S3")
    # the mutated route calls S3's identity refuted; the exact certificate of the case it lists
    # (built member by member) says otherwise, and the prover stops
    with pytest.raises(AssertionError, match="offsets route names offset s=.* refuted, its certificate says proved"):
        pv.Prover(confirm_witnesses="none").prove_clause(st, st.clause_index("exact"), 6)


def test_an_off_by_one_balanced_boundary_is_caught(monkeypatch):
    real = offsets.balanced_form

    def shifted(L_, Ts):  # the long steps put last instead of first
        den, nums = real(L_, Ts)
        return den, np.array([np.concatenate([row[1:], [0]]) if L_ % t else row for row, t in zip(nums, Ts)])

    monkeypatch.setattr(offsets, "balanced_form", shifted)
    assert _mismatch(offsets.balanced_form, pv.KL_ideal, lambda L_, p: Case(L_, balanced(L_, p).sizes),
                     _steps, max_L=6) is not None


def _summary(r: pv.ClauseLResult) -> tuple:
    return r.n_cases, r.proved, r.refuted_count, r.not_linear, r.min_slack


@pytest.mark.parametrize("st,idx", FAMILY_CLAUSES, ids=[st.clause_id(i) for st, i in FAMILY_CLAUSES])
def test_registry_family_clause_equals_enumeration(st, idx):
    for L_ in range(max(2, st.min_L), MAX_L + 1):
        enum = pv.Prover(confirm_witnesses="none", route="enumerate").prove_clause(st, idx, L_)
        fam = pv.Prover(confirm_witnesses="none").prove_clause(st, idx, L_)
        assert fam.route == "offsets"
        assert _summary(fam) == _summary(enum), (st.clause_id(idx), L_)
        assert fam.min_slack_case == enum.min_slack_case or fam.min_slack is None


FAMILY_MUTANTS = {
    "S3 upper with (s-1)/(4L) MI": mutant("S3", 2, rhs=(s_step - 1) / (4 * L) * MI),
    "S3 lower with s/2": mutant("S3", 1, lhs=s_step / 2 * D(L - s_step + 1)),
    "S4 rate lower with L D(L-s+1)": mutant("S4", 1, lhs=L * D(L - s_step + 1)),
    "P4 with s/2 instead of s/16": mutant("P4", 0, rhs=registry.P4_RHS * 8),
    "P3 with C1 = 1/2": mutant("P3", 1, rhs=1 / (2 * T) * MI + eps_train),
    "P3 with eps_train dropped": mutant("P3", 0, rhs=2 / T * MI),
    "S3 exact with the family doubled": mutant("S3", 0, lhs=2 * KL_ideal_offset),
}


@pytest.mark.parametrize("name", FAMILY_MUTANTS)
def test_mutants_are_rejected_as_by_enumeration(name):
    st = FAMILY_MUTANTS[name]
    idx = next(i for i, c in enumerate(st.clauses) if c is not registry.get(st.id.split("-")[0]).clauses[i])
    rejected = False
    for L_ in range(max(2, st.min_L), 9):
        enum = pv.Prover(confirm_witnesses="none", route="enumerate").prove_clause(st, idx, L_)
        fam = pv.Prover(confirm_witnesses="none").prove_clause(st, idx, L_)
        assert fam.route == "offsets" and _summary(fam) == _summary(enum), (name, L_)
        assert {pv.case_id(r.case) for r in fam.refuted} == {pv.case_id(r.case) for r in enum.refuted}
        rejected |= fam.refuted_count > 0 or fam.not_linear > 0
    assert rejected, name


def test_a_clause_outside_the_route_is_enumerated():
    # a log constant (kept exact as a log-atom by theory.linear) is not a rational row entry
    st = mutant("S3", 2, rhs=(s_step - 1) / (2 * L) * MI + sp.log(2))
    res = pv.Prover(confirm_witnesses="none").prove_clause(st, 2, 5)
    assert res.route == "enumerate" and res.proved == res.n_cases == 5
    with pytest.raises(offsets.OffsetUnsupported, match="KL"):
        offsets.offset_terms(mutant("S3", 2, rhs=KL).clauses[2])


def test_route_reaches_large_L_with_counts_not_lists():
    st = registry.get("S4")
    res = pv.Prover(confirm_witnesses="none").prove_clause(st, 0, 96)
    assert res.route == "offsets" and res.n_cases == res.proved == 96
    assert res.min_slack == Fraction(1, 96) and res.min_slack_at == offset_case(96, 96)
