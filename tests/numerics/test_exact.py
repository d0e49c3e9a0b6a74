"""Exact log-linear arithmetic (proofs_check.numerics.exact): algebra, the exact zero test, the coprime
basis it rests on, and the rigour of the float64 error bound and of the interval enclosures."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import assume, example, given
from hypothesis import strategies as st

from proofs_check.numerics.exact import Enclosure, LogLinear, as_fraction, coprime_basis, factor_over

# -- local strategies ----------------------------------------------------------------------------

SMALL_PRIMES = (2, 3, 5, 7, 11, 13)

fractions_ = st.builds(Fraction, st.integers(-60, 60), st.integers(1, 40))
#: coefficients with more bits than any float or 64-bit interval endpoint holds
big_fractions = st.builds(Fraction, st.integers(-10**40, 10**40), st.integers(1, 3**90))
nonzero_fractions = fractions_.filter(bool)
positive_rationals = st.builds(Fraction, st.integers(1, 10**12), st.integers(1, 10**12))


@st.composite
def smooth_ints(draw, max_exp=6):
    """Products of small prime powers: many shared factors, so gcd splitting has work to do."""
    n = 1
    for p in SMALL_PRIMES:
        n *= p ** draw(st.integers(0, max_exp))
    return n


log_args = st.one_of(st.integers(2, 10**6), smooth_ints(), st.integers(2, 10**40))


@st.composite
def loglinears(draw, args=log_args, max_terms=6):
    coefs = st.one_of(fractions_, big_fractions)
    terms = draw(st.dictionaries(args, coefs, max_size=max_terms))
    return LogLinear(draw(coefs), terms)


#: combinations over a few composite arguments sharing the primes 2 and 3: exact zeros are
#: common, and a nonzero value is far from 0 (|a log 2 + b log 3 + c| with small a, b, c)
small_basis_loglinears = st.builds(
    LogLinear,
    st.sampled_from([0, 0, 0, Fraction(1, 2), -1]),
    st.dictionaries(st.sampled_from([2, 3, 4, 6, 8, 9, 12, 18, 27, 72]), st.integers(-6, 6), max_size=5),
)


def mp_value(x: LogLinear, dps: int = 80):
    """Reference value computed independently of LogLinear.mpf, straight from the fields."""
    with mpmath.workdps(dps):
        total = mpmath.mpf(x.const.numerator) / x.const.denominator
        for n, c in x.terms.items():
            total += mpmath.mpf(c.numerator) / c.denominator * mpmath.log(n)
        return total


def same(a: LogLinear, b: LogLinear) -> bool:
    """Structural equality of the stored normal form (not just equal values)."""
    return a.const == b.const and a.terms == b.terms


# -- algebra --------------------------------------------------------------------------------------

@given(loglinears(), loglinears())
def test_addition_is_exact_and_commutative(a, b):
    assert same((a + b) - b, a)
    assert same(a + b, b + a)
    assert (a - a).is_zero() and same(a - a, LogLinear())
    assert same(-(-a), a)


@given(loglinears(), loglinears(), loglinears())
def test_addition_is_associative(a, b, c):
    assert same((a + b) + c, a + (b + c))
    assert same(LogLinear.sum([a, b, c]), a + b + c)


@given(loglinears(), nonzero_fractions, fractions_)
def test_rational_scaling(a, q, r):
    assert same((a * q) / q, a)
    assert same(q * a, a * q)
    assert same(a * (q + r), a * q + a * r)
    assert (a * 0).is_zero()
    assert same(a * LogLinear(q), a * q)  # a rational LogLinear acts as a scalar


@given(loglinears(), loglinears())
def test_arithmetic_does_not_mutate_operands(a, b):
    a0, b0 = LogLinear(a.const, dict(a.terms)), LogLinear(b.const, dict(b.terms))
    _ = a + b, a - b, a * 3, -a, a / 2
    assert same(a, a0) and same(b, b0)


@given(loglinears(), loglinears(), positive_rationals, st.integers(-3, 3))
def test_integer_combination_equals_fraction_arithmetic(a, b, q, k):
    """LogLinear.combination (integer numerators) against term-by-term Fraction sums."""
    terms = {}
    for c, x in ((q, a), (k, b)):
        for n, v in x.terms.items():
            terms[n] = terms.get(n, 0) + c * v
    expected = LogLinear(q * a.const + k * b.const, terms)
    got = LogLinear.combination([(q, a), (k, b)])
    assert got.const == expected.const and got.terms == expected.terms


@given(loglinears(), loglinears())
def test_float_value_is_additive(a, b):
    va, ea = a.float_with_error()
    vb, eb = b.float_with_error()
    vs, es = (a + b).float_with_error()
    assert abs(vs - (va + vb)) <= ea + eb + es + 4 * 2.0**-53 * abs(va + vb)


@given(positive_rationals, positive_rationals, st.integers(-5, 5))
def test_log_of_rationals_follows_the_log_laws(x, y, k):
    assert (LogLinear.log(x * y) - LogLinear.log(x) - LogLinear.log(y)).is_zero()
    assert (LogLinear.log(x**k) - LogLinear.log(x) * k).is_zero()
    assert (LogLinear.log(x, coef=k) - LogLinear.log(x) * k).is_zero()
    assert LogLinear.log(1).is_zero() and LogLinear.log(Fraction(7, 7)).is_zero()


def test_products_and_quotients_of_logarithms_are_rejected():
    two, three = LogLinear.log(2), LogLinear.log(3)
    with pytest.raises(TypeError):
        two * three
    with pytest.raises(TypeError):
        two / three
    with pytest.raises(ZeroDivisionError):
        two / 0
    with pytest.raises(ValueError, match="-3"):
        LogLinear.log(-3)
    with pytest.raises(ValueError, match="0"):
        LogLinear(0, {0: 1})


def test_as_fraction_is_exact_and_refuses_non_finite_input():
    assert as_fraction(0.1) == Fraction(3602879701896397, 36028797018963968)  # the dyadic 0.1
    assert as_fraction(sp.Rational(-7, 3)) == Fraction(-7, 3)
    assert as_fraction(True) == 1
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match=repr(bad).lstrip("-")):
            as_fraction(bad)
    with pytest.raises(TypeError, match="str"):
        as_fraction("1/2")


# -- the exact zero test ---------------------------------------------------------------------------

def L_(n, c=1):
    return LogLinear.log(n, c)


@pytest.mark.parametrize("expr,zero", [
    (L_(8) - L_(2) * 3, True),
    (L_(6) - L_(2) - L_(3), True),
    (L_(2) + L_(3) - L_(5), False),
    (L_(Fraction(9, 4)) - L_(Fraction(3, 2)) * 2, True),
    (L_(12) * 2 - L_(16) - L_(9), True),
    (L_(10**30 + 1) - L_(10**30), False),  # |value| about 1e-30
    (L_(2**64) - L_(4**32), True),
    (LogLinear(Fraction(1, 10**40)), False),  # a tiny rational is not zero
    (LogLinear(1) - L_(3), False),  # 1 = log 3 would make e rational
])
def test_is_zero_is_exact(expr, zero):
    assert expr.is_zero() is zero


@given(small_basis_loglinears)
def test_is_zero_agrees_with_high_precision_numerics(x):
    """Over arguments built from the primes 2 and 3 a nonzero value is at least ~1e-3 away from 0,
    so 80-digit arithmetic separates the two cases unambiguously."""
    v = abs(mp_value(x))
    if x.is_zero():
        assert v < mpmath.mpf(10) ** -70
    else:
        assert v > mpmath.mpf(10) ** -6


@given(loglinears())
def test_coprime_coefficients_preserve_the_value(x):
    coeffs = x.coprime_coefficients()
    basis = list(coeffs)
    assert all(math.gcd(a, b) == 1 for i, a in enumerate(basis) for b in basis[i + 1:])
    with mpmath.workdps(60):
        rebuilt = mpmath.mpf(x.const.numerator) / x.const.denominator + mpmath.fsum(
            mpmath.mpf(c.numerator) / c.denominator * mpmath.log(b) for b, c in coeffs.items())
        assert abs(rebuilt - mp_value(x, 60)) <= mpmath.mpf(10) ** -50 * (1 + abs(rebuilt))
    assert x.is_zero() == (x.const == 0 and not coeffs)


def test_equality_operator_uses_the_exact_test():
    assert L_(8) == L_(2) * 3
    assert L_(10**30 + 1) != L_(10**30)
    assert LogLinear(Fraction(3, 2)) == Fraction(3, 2)


# -- coprime basis ---------------------------------------------------------------------------------

int_sets = st.one_of(
    st.sets(st.integers(0, 10**12), max_size=8),
    st.sets(smooth_ints(), max_size=8),
    st.sets(st.one_of(smooth_ints(3), st.integers(0, 200)), max_size=12),
)


@given(int_sets)
@example({4, 6, 9})
@example({12, 18, 8, 27})
@example({2**40, 6**20, 3**30 * 5})
@example({0, 1})
def test_coprime_basis_is_pairwise_coprime_and_factors_every_input(numbers):
    basis = coprime_basis(numbers)
    assert basis == sorted(set(basis))
    assert all(b > 1 for b in basis)
    assert all(math.gcd(a, b) == 1 for i, a in enumerate(basis) for b in basis[i + 1:])
    for n in numbers:
        if n <= 1:
            continue
        exps = factor_over(n, basis)
        assert math.prod(b**e for b, e in exps.items()) == n
    # nothing superfluous: every basis element divides some input
    assert all(any(n > 1 and n % b == 0 for n in numbers) for b in basis)


def test_factor_over_refuses_an_integer_outside_the_basis():
    with pytest.raises(ArithmeticError):
        factor_over(10, [2, 3])


# -- numerical evaluation: float64 bound, mpmath, intervals ----------------------------------------

@given(loglinears())
@example(L_(10**30 + 1) - L_(10**30))
@example(L_(3, Fraction(1, 3)) * 10**6 - L_(3, Fraction(10**6, 3)))
@example(LogLinear(Fraction(1, 3), {10**40: Fraction(-7, 3), 2**133: Fraction(5, 9)}))
def test_float_error_bound_contains_the_true_value(x):
    v, err = x.float_with_error()
    assert err > 0
    assert abs(mpmath.mpf(v) - mp_value(x)) <= err


@given(loglinears(), st.sampled_from([15, 30, 60]))
def test_mpf_is_correct_to_the_requested_digits(x, dps):
    ref = mp_value(x, dps + 40)
    got = x.mpf(dps)
    assert abs(got - ref) <= mpmath.mpf(10) ** (-dps) * max(1, abs(ref))


@given(loglinears(), st.sampled_from([53, 64, 113, 200, 400]))
@example(L_(10**30 + 1) - L_(10**30), 64)
def test_interval_encloses_the_value(x, prec):
    box = x.interval(prec)
    ref = mp_value(x, 150)
    with mpmath.workdps(150):
        assert mpmath.mpf(box.a) <= ref <= mpmath.mpf(box.b)


@given(loglinears().filter(lambda x: x.terms))
def test_intervals_shrink_with_precision(x):
    def width(p):
        box = x.interval(p)
        with mpmath.workdps(200):
            return mpmath.mpf(box.b) - mpmath.mpf(box.a)
    assert width(256) < width(64)


def test_interval_of_a_tiny_difference_separates_it_from_zero_only_at_high_precision():
    d = L_(10**30 + 1) - L_(10**30)
    assert 0 in d.interval(64)  # too coarse
    box = d.interval(256)
    assert box.a > 0 and box.b < mpmath.mpf("1.1e-30")


@given(loglinears(), loglinears(), nonzero_fractions)
def test_enclosures_track_loglinear_arithmetic(a, b, q):
    ea, eb = Enclosure.coerce(a), Enclosure.coerce(b)
    assert ea.is_zero() is None
    for enc, exact in ((ea + eb, a + b), (ea - eb, a - b), (ea * q, a * q), (-ea, -a), (ea / q, a / q)):
        box = enc.interval(128)
        ref = mp_value(exact, 100)
        with mpmath.workdps(100):
            assert mpmath.mpf(box.a) <= ref <= mpmath.mpf(box.b)
        v, err = enc.float_with_error()
        assert abs(mpmath.mpf(v) - ref) <= err


@pytest.mark.parametrize("numbers", [
    [12, 4099 * 4099, 4099 * 4111, 97 * 97],                                  # parts left after trial division
    [(2**61 - 1) * (2**89 - 1), (2**61 - 1) * 3, 5 * (2**89 - 1) ** 2],       # large factors shared by residuals
    [4093 * 4093 * 7, 4093, 16769023 * 2],                                    # a prime just below 4096^2
])
def test_coprime_factorizations_multiply_back_over_a_pairwise_coprime_basis(numbers):
    from math import gcd, prod

    from proofs_check.numerics.exact import coprime_factorizations

    factors = coprime_factorizations(numbers)
    basis = sorted({b for f in factors.values() for b in f})
    assert all(gcd(a, b) == 1 for i, a in enumerate(basis) for b in basis[i + 1:])
    for n in numbers:
        assert prod(b**e for b, e in factors[n].items()) == n
