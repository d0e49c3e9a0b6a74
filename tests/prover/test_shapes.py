"""The shape route (``proofs_check.prover.shapes``) decides exactly what enumeration decides.

* every registry clause over ``all``, ``small_steps``, ``refinement`` and ``halving``, at every
  ``L <= 12``: the same case count, proved count, refuted count and smallest slack;
* the mutants of ``test_prover.MUTANTS`` and a few more (a constant too small, a term doubled):
  the same verdicts, and every refuted shape names a full schedule that enumeration also refutes,
  with the same coefficient table;
* a refutation found by shapes at ``L = 20`` is confirmed by the exact certificate of the schedule
  it names;
* a clause the route cannot take says why, and is enumerated (only up to a limit).
"""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from proofs_check.prover import core as pv
from proofs_check.prover import shapes
from theory import registry
from theory.registry import Clause, Statement
from theory.symbols import MI, D, KL_ideal, KL_ideal_refined, L, T, g, k, m, s, s_max

from tests.prover.test_prover import MUTANTS, mutant

MAX_L = 12
#: Registry clauses over a shape quantifier that the shape route cannot take, with why: W5's step
#: sum runs to T - 1 and its terms are the per-case forms Hc (Wainwright, arXiv 2608.13520, eq. 17b).
UNSHAPED = {"W5.bound": "only sums over k = 1..T"}
SHAPED = [(st, idx) for st in registry.STATEMENTS for idx, c in enumerate(st.clauses)
          if c.prover and c.over in shapes.SHAPE_QUANTIFIERS and st.clause_id(idx) not in UNSHAPED]


def test_unshaped_registry_clauses_say_why_and_are_enumerated():
    for cid, why in UNSHAPED.items():
        st = registry.get(cid.split(".")[0])
        idx = st.clause_index(cid.split(".")[1])
        with pytest.raises(shapes.ShapeUnsupported, match=why):
            shapes.shape_form(st.clauses[idx])
        r = pv.Prover(confirm_witnesses="none").prove_clause(st, idx, 6)
        assert r.route == "enumerate" and r.proved == r.n_cases == 2 ** 5

EXTRA_MUTANTS = {
    "S1 per-step with s_k - 2": mutant("S1", 0, rhs=sp.Sum((s[k] - 2) * (D(m[k] + s[k] - 1) - D(m[k])), (k, 1, T))),
    "P2 with s_max/(4L)": mutant("P2", 0, rhs=KL_ideal_refined + s_max / (4 * L) * MI),
    "F4 with the refined error doubled": mutant("F4", 0, lhs=2 * KL_ideal_refined),
    "S2 small steps, twice the sum": mutant("S2", 1, rhs=2 * sp.Sum((s[k] - 1) * g(m[k]), (k, 1, T))),
}


def _both(st: Statement, idx: int, L: int):
    enum = pv.Prover(confirm_witnesses="none", route="enumerate").prove_clause(st, idx, L)
    shaped = pv.Prover(confirm_witnesses="none").prove_clause(st, idx, L)
    return enum, shaped


def _summary(r: pv.ClauseLResult) -> tuple:
    return r.n_cases, r.proved, r.refuted_count, r.not_linear, r.min_slack


@pytest.mark.parametrize("st,idx", SHAPED, ids=[st.clause_id(i) for st, i in SHAPED])
def test_registry_clause_shapes_equal_enumeration(st, idx):
    for L_ in range(2, MAX_L + 1):
        enum, shaped = _both(st, idx, L_)
        assert shaped.route == "shapes"
        assert _summary(shaped) == _summary(enum), (st.clause_id(idx), L_)
        assert shaped.n_cases == len(pv.quantifier_cases(st.clauses[idx].over, L_))


def _check_refutations(st, idx, enum, shaped):
    enum_refuted = {pv.case_id(r.case): r for r in enum.refuted}
    assert bool(shaped.refuted) == bool(enum.refuted)
    for ref in shaped.refuted:
        twin = enum_refuted[pv.case_id(ref.case)]  # a full schedule enumeration refutes too
        assert (ref.direction, ref.coefficient) == (twin.direction, twin.coefficient)
        cert = pv.certificate(st, idx, ref.case)
        assert cert.status == "refuted" and cert.direction == ref.direction


ALL_MUTANTS = {**MUTANTS, **EXTRA_MUTANTS}


@pytest.mark.parametrize("name", list(ALL_MUTANTS))
def test_mutants_shapes_equal_enumeration(name):
    st = ALL_MUTANTS[name]
    refuted_somewhere = False
    for idx, clause in enumerate(st.clauses):
        if not clause.prover:
            continue
        for L_ in range(2, MAX_L + 1):
            enum, shaped = _both(st, idx, L_)
            assert _summary(shaped) == _summary(enum), (name, idx, L_)
            _check_refutations(st, idx, enum, shaped)
            refuted_somewhere |= bool(enum.refuted)
    assert refuted_somewhere, name


EXTRA_CHANGED = {"S1 per-step with s_k - 2": 0, "P2 with s_max/(4L)": 0, "F4 with the refined error doubled": 0,
                 "S2 small steps, twice the sum": 1}


def test_extra_mutants_take_the_shape_route_and_fail():
    for name, idx in EXTRA_CHANGED.items():
        r = pv.Prover(confirm_witnesses="none").prove_clause(EXTRA_MUTANTS[name], idx, 8)
        assert r.route == "shapes" and r.refuted_count > 0, name


def test_refutation_at_L20_is_confirmed_by_its_full_schedule():
    st = MUTANTS["P1 with half its constant"]
    r = pv.Prover(confirm_witnesses="first").prove_clause(st, 0, 20)
    assert r.route == "shapes" and r.n_cases == 2 ** 19
    assert 0 < r.refuted_count < r.n_cases and r.proved + r.refuted_count == r.n_cases
    for ref in r.refuted:
        assert sum(ref.case.sizes) == 20
        cert = pv.certificate(st, 0, ref.case)  # exact coefficients of the named schedule
        assert cert.status == "refuted"
        assert dict(zip(cert.basis + ["constant"], list(cert.coefficients) + [cert.constant.const]))[ref.direction] \
            == ref.coefficient < 0
    assert r.refuted[0].witness is not None  # too large to build at L = 20, and says so
    assert r.refuted[0].witness.confirmed is None


def test_proved_counts_by_dynamic_programming_match_enumeration_when_some_shapes_fail():
    st = MUTANTS["S1 with (s_max-1)/2"]
    enum, shaped = _both(st, 1, 11)
    assert shaped.proved == enum.proved and 0 < shaped.refuted_count == len(enum.refuted)


def test_case_counts_are_computed_not_enumerated():
    assert shapes.n_cases("all", 256) == 2 ** 255
    assert shapes.n_cases("refinement", 40) == 39 * 2 ** 38
    for over in shapes.SHAPE_QUANTIFIERS:
        for L_ in range(2, 11):
            assert shapes.n_cases(over, L_) == len(pv.quantifier_cases(over, L_))
            assert sum(shapes.group_count(over, L_, sm) for sm in shapes.smax_range(over, L_)) \
                == shapes.n_cases(over, L_)


def test_unsupported_clause_says_why_and_is_enumerated_only_up_to_the_limit():
    # D(2) = g(0) + g(1): a global term whose g(u) coefficients vary with u
    st = Statement("X", "a bound the shapes cannot take", "derived", "test",
                   (Clause(KL_ideal, "<=", (s_max - 1) * L * D(2), "all", "varies along u"),))
    with pytest.raises(shapes.ShapeUnsupported, match="vary with u"):
        shapes.ShapeDecider(st.clauses[0]).decide(6, pv.Prover())
    r = pv.Prover(confirm_witnesses="none").prove_clause(st, 0, 6)
    assert r.route == "enumerate" and r.refuted
    with pytest.raises(pv.ProverInputError, match="cannot take the shape route"):
        pv.Prover(confirm_witnesses="none").prove_clause(st, 0, pv.ENUMERATION_MAX_L + 1)
    st2 = MUTANTS["S2 with s_k instead of s_k-1"]  # g(m_k) of a last step of size 1 is g(L-1): undefined
    with pytest.raises(shapes.ShapeUnsupported, match="outside"):
        shapes.shape_form(st2.clauses[0]).steps[1].h_form(1, 5)


def test_registry_at_L64_is_proved_by_shapes():
    res = pv.prove_statements([registry.get("S1"), registry.get("F4")], 64, min_L=64)
    for r in res:
        assert r.proved
        for c in r.clauses:
            assert c.per_L[0].route == "shapes" and c.proved == c.cases
    assert res[0].schedules_proved == 2 ** 63
    assert res[1].schedules_proved == 63 * 2 ** 62


def test_covering_lemma_realisable_sizes_match_the_compositions():
    """A size p occurs with largest step s_max iff p = s_max or p + s_max <= L; an unsplit step of
    a refinement also needs another part >= 2; the single composition (L) loses its last offset."""
    from proofs_check.model import schedules as sch

    for L_ in range(2, 11):
        comps = list(sch.compositions(L_))
        steps = {(S.s_max, p) for S in comps for p in S.sizes}
        assert steps == {(sm, p) for sm in range(1, L_ + 1) for p in range(1, sm + 1) if p == sm or p + sm <= L_}
        unsplit = {(S.s_max, p) for S in comps for i, p in enumerate(S.sizes)
                   if any(q >= 2 for j, q in enumerate(S.sizes) if j != i)}
        assert unsplit == {(sm, p) for sm in range(2, L_ + 1) for p in range(1, sm + 1)
                           if (p < sm and p + sm <= L_) or (p == sm and sm + 2 <= L_)}
        last_alone = {S.sizes for S in comps if S.T == 1}
        assert last_alone == {(L_,)}
