"""Certified comparison (proofs_check.numerics.certify): every relation, every route (float64, exact zero
test, escalating intervals), and the equality cases that must come out as 'equal'."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs_check.verdicts import Status
from proofs_check.numerics.certify import compare, mpmath_str, sign
from proofs_check.sources.distributions import copy_distribution
from proofs_check.model.instance import Instance, check_statement
from proofs_check.numerics.exact import Enclosure, LogLinear
from proofs_check.model.schedules import Schedule
from theory import registry


def log(n, c=1):
    return LogLinear.log(n, c)


TINY_LO, TINY_HI = log(10**30), log(10**30 + 1)  # differ by about 1e-30


# -- statuses for every relation --------------------------------------------------------------------

@pytest.mark.parametrize("lhs,rel,rhs,status,ok", [
    (1, "<=", 2, "holds", True),
    (2, "<=", 1, "fails", False),
    (2, "<=", 2, "equal", True),
    (1, "<", 2, "holds", True),
    (2, "<", 2, "fails", False),  # strict relation at equality
    (3, ">", 2, "holds", True),
    (2, ">", 2, "fails", False),
    (2, ">=", 3, "fails", False),
    (3, ">=", 3, "equal", True),
    (3, "==", 3, "equal", True),
    (3, "==", 2, "fails", False),
    (log(8), "==", log(2, 3), "equal", True),
    (log(6), "==", log(2) + log(3), "equal", True),
    (log(2) + log(3), "==", log(5), "fails", False),
    (log(2) + log(3), ">", log(5), "holds", True),
    (log(8), "<", log(2, 3), "fails", False),
    (log(8), ">=", log(2, 3), "equal", True),
])
def test_status_for_each_relation(lhs, rel, rhs, status, ok):
    v = compare(lhs, rhs, rel)
    assert v.status == status and v.ok is ok and v.relation == rel
    if status == "equal":
        assert v.margin == 0 and v.method == "exact"
    else:
        # margin is rhs - lhs for <=, <, ==; lhs - rhs for >=, >: positive exactly when it holds
        assert (v.margin > 0) == (status == "holds")


def test_unknown_relation_is_rejected():
    with pytest.raises(ValueError, match="=<"):
        compare(1, 2, "=<")


# -- routes ------------------------------------------------------------------------------------------

def test_a_clear_margin_is_decided_in_float64():
    v = compare(log(2), log(3), "<")
    assert v.status == "holds" and v.method == "float64" and v.digits == 15


def test_a_1e_minus_30_difference_is_decided_by_escalation_not_by_float():
    assert float(TINY_LO) == float(TINY_HI)  # float64 cannot see the difference at all
    v = compare(TINY_LO, TINY_HI, "<")
    assert v.status == "holds" and v.ok
    assert v.method.startswith("interval@") and v.digits >= 30
    assert compare(TINY_HI, TINY_LO, "<=").status == "fails"
    assert compare(TINY_HI, TINY_LO, ">").status == "holds"
    assert compare(TINY_LO, TINY_HI, "==").status == "fails"


def test_the_margin_of_a_tiny_difference_is_its_value():
    v = compare(TINY_LO, TINY_HI, "<")
    assert 0.9e-30 < v.margin < 1.1e-30


@pytest.mark.parametrize("exponent", [10, 30, 60, 120])
def test_escalation_reaches_differences_far_below_double_precision(exponent):
    big = 10**exponent
    v = compare(log(big + 1), log(big), ">")
    assert v.status == "holds"
    assert v.digits >= exponent  # the arithmetic that decided resolved the difference


def test_an_exact_zero_hidden_under_rounding_noise_is_equal():
    # log(2^200) and 200 log 2 agree only up to rounding in float64; the exact test settles it
    v = compare(log(2**200), log(2, 200), "==")
    assert v.status == "equal" and v.method == "exact"


@given(st.integers(-10**6, 10**6), st.integers(1, 10**6), st.integers(-10**6, 10**6), st.integers(1, 10**6),
       st.sampled_from(["<=", "<", ">=", ">", "=="]))
def test_rational_comparisons_agree_with_fraction_arithmetic(a, b, c, d, rel):
    x, y = Fraction(a, b), Fraction(c, d)
    truth = {"<=": x <= y, "<": x < y, ">=": x >= y, ">": x > y, "==": x == y}[rel]
    v = compare(x, y, rel)
    assert v.ok is truth
    assert (v.status == "equal") is (x == y and rel in ("<=", ">=", "=="))


@given(st.integers(2, 10**9), st.integers(2, 10**9), st.integers(-5, 5), st.integers(-5, 5))
def test_log_comparisons_agree_with_integer_arithmetic(p, q, a, b):
    """a log p vs b log q is decided by p^a vs q^b, computed exactly with integers."""
    lhs, rhs = log(p, a), log(q, b)
    num = (p ** max(a, 0)) * (q ** max(-b, 0))
    den = (q ** max(b, 0)) * (p ** max(-a, 0))  # p^a / q^b = num / den
    v = compare(lhs, rhs, "<=")
    assert v.ok is (num <= den)
    assert (v.status == "equal") is (num == den)


def test_sign_reports_the_route():
    assert sign(log(3) - log(2))[0] == 1 and sign(log(3) - log(2))[2] == "float64"
    assert sign(log(4) - log(2, 2)) == (0, 0, "exact")
    s, digits, method = sign(TINY_LO - TINY_HI)
    assert s == -1 and method.startswith("interval@")


def test_enclosures_are_equal_only_within_a_width():
    third = Enclosure(lambda prec: LogLinear.log(3, Fraction(1, 3)).interval(prec))
    v = compare(third, LogLinear.log(3, Fraction(1, 3)), "==")
    assert v.status == Status.EQUAL_WITHIN_WIDTH and v.method.startswith("width<")
    assert not v.decided and v.ok  # not refuted, not proven
    for rel in ("<=", "<", ">=", ">"):  # never `holds`, never `equal`, never a certified `fails`
        assert compare(third, LogLinear.log(3, Fraction(1, 3)), rel).status == Status.EQUAL_WITHIN_WIDTH
    assert compare(third, log(2), "<").status == "holds"
    assert compare(third, log(2), "<").decided


def test_rationals_beyond_the_double_range_are_still_compared():
    v = compare(LogLinear(10**400), LogLinear(10**400 + 1), "<")
    assert v.status == "holds"


def test_mpmath_str_gives_correct_digits():
    with mpmath.workdps(80):
        ref = mpmath.nstr(2 * mpmath.log(3), 30)
    assert mpmath_str(log(9), 30) == ref


def test_mpmath_str_is_correct_to_significant_digits_under_cancellation():
    d = TINY_HI - TINY_LO  # log(1 + 1e-30) = 1e-30 - 5e-61 + ...
    assert mpmath_str(d, 20) == "1.0e-30"  # nstr drops the trailing zeros of 9.999...97 rounded


# -- statement-level equality: S1 is tight on the copy distribution ---------------------------------

@pytest.mark.parametrize("L,V,sizes", [(6, 3, (3, 2, 1)), (5, 2, (4, 1)), (4, 5, (2, 1, 1)), (7, 2, (7,))])
def test_copy_distribution_makes_both_S1_clauses_equal(L, V, sizes):
    """Copy with the largest step first: KL_ideal = (s_max - 1) H = (s_max - 1)/L MI exactly."""
    inst = Instance(copy_distribution(L, V), Schedule(sizes))
    results = check_statement(registry.get("S1"), inst)
    assert len(results) == 2
    for r in results:
        assert r.verdict.status == "equal", (r.label, r.verdict)
        assert r.verdict.method == "exact"
    expected = log(V, sizes[0] - 1)
    assert compare(results[0].lhs, expected, "==").status == "equal"


def test_an_enclosure_margin_is_correct_to_significant_digits():
    lo = Enclosure(TINY_LO.interval)
    v = compare(lo, TINY_HI, "<")
    assert v.status == "holds" and v.method.startswith("interval@")
    assert 0.9e-30 < v.margin < 1.1e-30


def test_floats_of_values_beyond_the_double_range_are_infinite_not_errors():
    assert float(LogLinear(10**400)) == float("inf") and float(LogLinear(-10**400)) == float("-inf")


# -- tightness: the one ratio of run, check, report and status ---------------------------------------

def test_tightness_divides_the_side_claimed_smaller_by_the_side_claimed_larger():
    from proofs_check.numerics.certify import tightness

    assert tightness("<=", 1.0, 4.0) == 0.25 and tightness("<", 1.0, 4.0) == 0.25
    assert tightness(">=", 1.0, 4.0) == 4.0 and tightness(">", 4.0, 1.0) == 0.25  # rhs/lhs for lower bounds
    assert tightness("<=", 3.0, 2.0) == 1.5  # above 1: violated
    assert tightness("<=", 1.0, 0.0) == math.inf and tightness("<=", -1.0, 0.0) == -math.inf
    assert tightness("<=", 0.0, 0.0) is None and tightness("==", 1.0, 1.0) is None
    assert tightness("<=", 1.0, -2.0) is None
    # proven equal: exactly 1 whatever the floats' rounding
    assert tightness("<=", 1.0, 1.0 + 2e-16, "equal") == 1.0 and tightness(">=", 0.0, 0.0, "equal") is None


def test_a_verdict_carries_its_tightness():
    v = compare(LogLinear(1), LogLinear(Fraction(1, 4)), ">=")
    assert v.tightness == pytest.approx(0.25)
    v = compare(LogLinear.log(2), LogLinear.log(2), "<=")
    assert v.status == "equal" and v.tightness == 1.0
