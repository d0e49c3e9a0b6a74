"""The full Shannon cone LP agrees with the symmetric prover.

The LP works on all ``2^n - 1`` subset entropies with the elemental inequalities
and certifies its verdicts exactly (Farkas multipliers or a rational point of the
cone); the prover works in the symmetric basis ``g(0..L-2), delta(L-1)``.  They
must agree on every statement, every case with ``n = L <= 4`` (and on the
registry at ``n = 5``), on the mutants, and on random symmetric forms.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check.model.quantifiers import quantifier
from proofs_check.prover import core as pv
from proofs_check.prover import shannon_lp as lp
from theory import registry
from theory.linear import NotLinearError

from test_prover import MUTANTS  # tests/prover is on sys.path (rootdir-relative, prepend mode)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_elemental_inequality_count(n):
    A = lp.elemental_inequalities(n)
    assert A.shape == (n + comb(n, 2) * 2 ** (n - 2), 2**n - 1)


def test_han_inequalities_proved_and_their_converse_refuted():
    # h(1) >= h(2)/2 (subadditivity, averaged) is Shannon-type; h(1) >= h(2) is not
    v = lp.decide_profile_form([0, 2, -1, 0], 0, ">=", 3)
    assert v.status == "proved" and v.multipliers
    v = lp.decide_profile_form([0, 1, -1, 0], 0, ">=", 3)
    assert v.status == "refuted" and lp.check_point(v.point, 3)
    # the refuting point is exact: the statement is negative there
    value = sum(Fraction([0, 1, -1, 0][bin(a).count("1")], comb(3, bin(a).count("1"))) * x
                for a, x in v.point.items())
    assert value < 0


def test_constants_and_strict_relations():
    assert lp.decide_profile_form([0, 0, 0], 0, ">=", 2).status == "proved"
    assert lp.decide_profile_form([0, 0, 0], 0, ">", 2).status == "refuted"  # zero vector
    assert lp.decide_profile_form([0, 0, 0], -1, ">=", 2).status == "refuted"
    v = lp.decide_profile_form([0, -1, 0], 1, ">=", 2)  # 1 - h(1) fails far out along a ray
    assert v.status == "refuted" and lp.check_point(v.point, 2)
    assert lp.decide_profile_form([0, 0, 0], 0, "==", 2).status == "proved"
    assert lp.decide_profile_form([0, 1, -1], 0, "==", 2).status == "refuted"


def test_solve_exact():
    assert lp.solve_exact([[1, 1], [1, -1]], [3, 1]) == [2, 1]
    assert lp.solve_exact([[1, 1], [2, 2]], [1, 3]) is None


def _cases(over: str, L: int):
    """The prover's cases, with the time pairs of ``times`` thinned to denominators <= 4 (10 of the
    210 pairs; the LP solve per case is the cost: ``dlm-verify prove`` keeps all 210)."""
    cases = pv.quantifier_cases(over, L)
    if over != "times":
        return cases
    keep = set(quantifier("times").pairs(4))
    return [c for c in cases if tuple(v for _, v in c.bind) in keep]


def _agreement(statements, n_max):
    tally: dict = {}
    for L in range(2, n_max + 1):
        for st_ in statements:
            if L < st_.min_L:
                continue
            for idx, clause in enumerate(st_.clauses):
                if not clause.prover:
                    continue
                for case in _cases(clause.over, L):
                    cert = pv.certificate(st_, idx, case)
                    try:
                        v = lp.decide_clause(clause, case)
                        status = v.status
                        if status == "refuted":
                            assert lp.check_point(v.point, L)
                    except NotLinearError:
                        status = "not_linear"
                    assert status == cert.status, (st_.id, idx, case, cert.status, status)
                    tally[status] = tally.get(status, 0) + 1
    return tally


HOLDING = [st_ for st_ in registry.STATEMENTS if st_.provenance != "refuted"]
#: Statements recorded as refuted (W3): LP and prover must agree there too, refuted cases included.
REFUTED = [st_ for st_ in registry.STATEMENTS if st_.provenance == "refuted"]


def test_lp_agrees_with_prover_on_registry_n_le_4():
    tally = _agreement(HOLDING, 4)
    assert tally == {"proved": sum(tally.values())} and tally["proved"] >= 190
    tally = _agreement(REFUTED, 4)
    assert tally.get("refuted", 0) > 0 and tally.get("proved", 0) > 0 and set(tally) == {"proved", "refuted"}


def test_lp_agrees_with_prover_on_mutants_n_le_4():
    tally = _agreement(MUTANTS.values(), 4)
    assert tally.get("refuted", 0) >= 20 and tally.get("proved", 0) > 0


def test_lp_agrees_with_prover_on_registry_n_5():
    tally = _agreement(HOLDING, 5)
    assert set(tally) == {"proved"}
    assert set(_agreement(REFUTED, 5)) == {"proved", "refuted"}


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).flatmap(lambda n: st.lists(st.integers(-4, 4), min_size=n + 1, max_size=n + 1)))
def test_random_symmetric_forms_agree(coeffs):
    """Any symmetric linear form: nonnegative in the elemental basis iff Shannon-type on the full cone."""
    n = len(coeffs) - 1
    h = [Fraction(c) for c in coeffs]
    status, _ = pv.decide(pv.to_basis(h), lp.LogLinear(0), ">=")
    v = lp.decide_profile_form(h, 0, ">=", n)
    assert v.status == status


def test_random_forms_n5_agree():
    rng = random.Random(5)
    for _ in range(15):
        h = [Fraction(rng.randint(-3, 3)) for _ in range(6)]
        status, _ = pv.decide(pv.to_basis(h), lp.LogLinear(0), ">=")
        assert lp.decide_profile_form(h, 0, ">=", 5).status == status


def test_psitip_agrees_when_installed():
    """psitip (optional peer prover, floats) on the profile forms of a few statements."""
    pytest.importorskip("psitip")
    for sid, idx, case in [("S1", 1, pv.Case(4, (3, 1))), ("S2", 0, pv.Case(4, (2, 2))),
                           ("P1", 0, pv.Case(3, (3,)))]:
        form = pv.slack_form(registry.get(sid).clauses[idx], case)
        h = [Fraction(form.get(m, 0)) for m in range(case.L + 1)]
        assert lp.psitip_decide(h, case.L) is True
    assert lp.psitip_decide([0, 1, -1, 0], 3) is False
