"""The quantifier table: one class per registry quantifier, its parts agreeing with each other."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import registry
from theory.linear import Case

from proofs_check.errors import QuantifierError, ScheduleError
from proofs_check.model.quantifiers import DISPLAYED, QUANTIFIERS, offset_case, quantifier
from proofs_check.model.schedules import Schedule, compositions

NAMES = list(QUANTIFIERS)


def test_table_names_are_the_registry_quantifiers():
    assert tuple(QUANTIFIERS) == registry.QUANTIFIERS
    assert all(q.name == name and q.domain and q.symbolic is None for name, q in QUANTIFIERS.items())
    assert {name: q.name for name, q in DISPLAYED.items()} == {
        "all": "all", "balanced": "balanced", "offset": "offset", "one-step": "one_step"}


def test_unknown_quantifier_names_the_known_ones():
    with pytest.raises(QuantifierError, match="'sometimes'; known: profile, each_u, all"):
        quantifier("sometimes")


def _same(a: Case, b: Case) -> bool:
    """Equal cases; an offset case from a schedule also carries that schedule's sizes."""
    if a.step is not None and b.step is not None:
        a, b = dataclasses.replace(a, sizes=None), dataclasses.replace(b, sizes=None)
    return a == b


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("L", [1, 2, 3, 6])
def test_every_finite_case_is_an_instance_case_of_its_witness(name, L):
    q = quantifier(name)
    L = max(L, q.covers_from_L)  # times: an instance checks 2 of its 210 pairs, all reached from L = 8
    cases = q.cases(L)
    assert len(set(map(_key, cases))) == len(cases)  # no case twice
    for case in cases:
        found = q.instance_cases(L, q.witness(case).check_length(L))
        assert any(_same(case, c) for c in found), (name, case, found)


def _key(c: Case):
    return (c.L, c.sizes, c.refined, c.step, c.bind, c.policy)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("L", [2, 4, 5])
def test_instance_cases_are_finite_cases_and_cover_them(name, L):
    """Over every schedule of length L, the instance cases are among the finite cases, and
    every finite case is reached by some schedule."""
    q = quantifier(name)
    L = max(L, q.covers_from_L)
    finite = q.cases(L)
    reached = []
    for S in compositions(L):
        for c in q.instance_cases(L, S):
            assert any(_same(c, f) for f in finite), (name, S, c)
            reached.append(c)
    assert all(any(_same(f, c) for c in reached) for f in finite), name


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data(), L=st.integers(2, 9))
def test_strategy_draws_schedules_the_quantifier_applies_to(name, data, L):
    S = data.draw(quantifier(name).strategy(L))
    assert isinstance(S, Schedule) and S.L == L
    # geometric has cases only at L = 2^k + 1 (3, 5, 9): elsewhere nothing applies
    assert quantifier(name).instance_cases(L, S) or not quantifier(name).cases(L), (name, S)


def test_case_counts_are_those_of_the_definitions():
    """Counts from the definitions, not from the code: compositions 2^(L-1), Fibonacci for steps <= 2."""
    L = 6
    expected = {"profile": 1, "each_u": 5, "all": 32, "balanced": 6, "one_step": 1, "all_ones": 1,
                "small_steps": 13, "refinement": 5 * 16, "halving": 31, "offset": 6, "exists": 5,
                "policy": 3 * 6 + 3, "policy_random": 3 * 6 + 3,
                "times": 210,  # pairs of the 21 rationals in (0, 1) with denominator <= 8 (sum of phi(2..8))
                "cuts": 15,    # 0 <= a < b <= 5: C(6, 2)
                "geometric": 0}  # only L = 2^k + 1 has a rational geometric grid with N >= 2 ln(L-1)
    assert {n: len(q.cases(L)) for n, q in QUANTIFIERS.items()} == expected


def test_representatives_are_one_schedule_per_case():
    assert quantifier("offset").representatives(4) == [Schedule((1, 1, 1, 1)), Schedule((2, 2)),
                                                      Schedule((3, 1)), Schedule((4,))]
    assert quantifier("balanced").representatives(5)[1] == Schedule((3, 2))
    assert quantifier("one_step").representatives(3) == [Schedule((3,))]


def test_case_for_validates_input():
    assert quantifier("halving").case_for(5, "3,2") == Case(5, (3, 2), refined=(2, 1, 1, 1))
    assert quantifier("exists").case_for(5, step=3) == offset_case(5, 3)
    assert quantifier("all_ones").case_for(3) == Case(3, (1, 1, 1))
    bad = [("balanced", dict(schedule="4,1"), "not balanced; the balanced one with T=2 is"),
           ("exists", dict(step=1), "2 <= s <= L=5"),
           ("offset", dict(), "give --step s"),
           ("each_u", dict(u_value=4), "0 <= u <= 3"),
           ("small_steps", dict(schedule="3,2"), "s_max=3"),
           ("one_step", dict(schedule="4,1"), "one-step"),
           ("all", dict(), "give --schedule"),
           ("refinement", dict(schedule="3,2"), "needs --refined")]
    for name, kw, msg in bad:
        with pytest.raises(QuantifierError, match=msg):
            quantifier(name).case_for(5, **kw)
    with pytest.raises(ScheduleError, match="exactly one step split"):
        quantifier("refinement").case_for(5, "3,2", refined="1,1,1,2")


def test_composition_rank_is_a_bijection():
    from proofs_check.model.quantifiers import composition_of_rank, composition_rank
    for L in range(1, 8):
        ranks = sorted(composition_rank(S) for S in compositions(L))
        assert ranks == list(range(2 ** (L - 1)))
        assert all(composition_of_rank(L, composition_rank(S)) == S for S in compositions(L))


def test_times_slices_partition_the_pairs():
    """From L = 8 the two-pair slices of ``times`` over the schedules of one L cover the 210 pairs
    (each pair once per 105 ranks); every schedule of every L gets exactly two pairs."""
    q = quantifier("times")
    for L in (8, 9):
        seen = {c.bind for S in compositions(L) for c in q.instance_cases(L, S)}
        assert seen == {c.bind for c in q.cases(L)}
    for L in (1, 2, 5, 10):
        assert all(len(q.instance_cases(L, S)) == 2 for S in compositions(L))
    assert [len(q.cases(L)) for L in (1, 8)] == [210, 210]
