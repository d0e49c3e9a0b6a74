"""Schedule laws (proofs_check.model.laws): validation, the offset family as a law, and the ideal
error of a law as the average of the brute-force sampler's error over its schedules (certified)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from proofs_check.errors import ScheduleError
from proofs_check.model.instance import dot
from proofs_check.model.laws import ScheduleLaw, offset_law, point_law
from proofs_check.model.quantifiers import offset_case
from proofs_check.model.sampler import expected_kl_bruteforce
from proofs_check.model.schedules import Schedule
from proofs_check.numerics.certify import compare
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.distributions import copy_distribution, noisy_copy_distribution, parity_distribution
from theory.linear import linear_form
from theory.symbols import KL_ideal_offset


def _atoms(dist):
    return dict(enumerate(dist.profile().h_exact))


def _law_kl_bruteforce(dist, law):
    """sum_S P(S) E_S KL(p || q_S) with every ordered partition enumerated (optimal predictor)."""
    return LogLinear.combination((w, expected_kl_bruteforce(dist, S)) for w, S in law.items)


LAWS = [
    ScheduleLaw(((Fraction(1, 3), Schedule((2, 2))), (Fraction(2, 3), Schedule((1, 3))))),
    ScheduleLaw(((Fraction(1, 4), (4,)), (Fraction(1, 4), (1, 1, 2)), (Fraction(1, 2), (3, 1)))),
    offset_law(4, 3),
    point_law(Schedule((2, 1, 1))),
]


@pytest.mark.parametrize("law", LAWS, ids=str)
@pytest.mark.parametrize("dist", [copy_distribution(4, 3), parity_distribution(4), noisy_copy_distribution(4, "1/5")],
                         ids=lambda d: d.name)
def test_law_error_is_the_average_of_the_sampled_errors(law, dist):
    exact = dot(law.kl_ideal_form(), _atoms(dist))
    assert compare(exact, _law_kl_bruteforce(dist, law), "==").ok


def test_a_wrong_weight_is_rejected():
    """The mutant law with the two probabilities swapped has a different error on noisy copy."""
    dist = noisy_copy_distribution(4, "1/5")
    good = LAWS[0]
    swapped = ScheduleLaw(tuple((1 - w, S) for w, S in good.items))
    v = compare(dot(swapped.kl_ideal_form(), _atoms(dist)), _law_kl_bruteforce(dist, good), "==")
    assert not v.ok


@pytest.mark.parametrize("L, s", [(5, 1), (5, 2), (7, 3), (6, 6)])
def test_offset_family_is_one_law(L, s):
    law = offset_law(L, s)
    assert sum(w for w, _ in law.items) == 1 and len(law.items) == s
    assert law.kl_ideal_form() == {k: v for k, v in linear_form(KL_ideal_offset, offset_case(L, s)).items() if v}


def test_repeated_schedules_are_merged():
    law = ScheduleLaw(((Fraction(1, 2), (2, 1)), (Fraction(1, 4), (1, 2)), (Fraction(1, 4), (2, 1))))
    assert law.probability(Schedule((2, 1))) == Fraction(3, 4) and len(law.items) == 2


@pytest.mark.parametrize("items, match", [
    ((), "empty schedule law"),
    (((Fraction(1, 2), (2, 1)), (Fraction(1, 3), (1, 2))), "sum to 1/3 \\+|sum to 5/6, not 1"),
    (((Fraction(1), (2, 1)), (Fraction(0), (1, 2))), "must be > 0"),
    (((Fraction(3, 2), (2, 1)), (Fraction(-1, 2), (1, 2))), "must be > 0"),
    (((Fraction(1, 2), (2, 1)), (Fraction(1, 2), (2, 2))), "one L; got lengths \\[3, 4\\]"),
    (((0.5, (2, 1)), (0.5, (1, 2))), "float probability"),
    ((("x", (3,)),), "not a rational"),
    (((Fraction(1), (0, 3)),), "size 0"),
    ((Schedule((3,)),), "give \\(probability, schedule\\) pairs"),
])
def test_bad_laws_are_rejected_with_the_value(items, match):
    with pytest.raises(ScheduleError, match=match):
        ScheduleLaw(items)
