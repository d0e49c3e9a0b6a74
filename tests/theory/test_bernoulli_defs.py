"""The Bernoulli and UGC definitions of theory/definitions.py, checked against independent forms.

* c(a, b) = (b - a) delta(a) - (h(b) - h(a)) equals sum_{u=a}^{b-2} (b-1-u) g(u) (F2's step cost);
* h_B(q) - h_B(p) equals int_p^q h_B'(x) dx (the two Bernstein definitions agree);
* H(0, 1) has the closed form sum_u (u+1)(L-1-u)/(L+1) g(u);
* Hc(a, b) reads sum_{j=a+1}^{b-1} j(L-j)/L g(j-1) coefficient by coefficient;
* the dyadic partition doubles the reveal odds and ends at q;
* rational bindings are never truncated; arguments outside a domain are reported as not linear.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy as sp

from theory import definitions as defs
from theory.linear import Case, NotLinearError, linear_form
from theory.symbols import Gamma, H_ugc, Hc, c_step, g, h_B, p_t, q_t

TIMES = [F(0), F(1, 5), F(1, 3), F(1, 2), F(5, 7), F(1)]


def _same(a, b) -> bool:
    """Equal linear forms up to the h(0) = 0 term."""
    return {k: v for k, v in a.items() if k != 0} == {k: v for k, v in b.items() if k != 0}


@pytest.mark.parametrize("L", [1, 2, 3, 5, 8])
def test_step_cost_h_form_is_the_g_form(L):
    for a in range(L + 1):
        for b in range(a, L + 1):
            g_form = sum(((b - 1 - x) * g(x) for x in range(a, b - 1)), sp.Integer(0))
            assert _same(linear_form(c_step(a, b), Case(L)), linear_form(g_form, Case(L))), (a, b)


@pytest.mark.parametrize("L", [2, 3, 6])
def test_h_B_increments_integrate_its_derivative(L):
    for n, p in enumerate(TIMES):
        for q in TIMES[n + 1:]:
            inc = linear_form(h_B(q) - h_B(p), Case(L))
            integral = sum((defs._integral(L, x, 0, p, q) * g(x) for x in range(L - 1)), sp.Integer(0))
            assert _same(inc, linear_form(integral, Case(L))), (p, q)


@pytest.mark.parametrize("L", [2, 4, 7])
def test_whole_range_ugc_closed_form(L):
    closed = sum((sp.Rational((x + 1) * (L - 1 - x), L + 1) * g(x) for x in range(L - 1)), sp.Integer(0))
    assert _same(linear_form(H_ugc(0, 1), Case(L)), linear_form(closed, Case(L)))
    wrong = sum((sp.Rational((x + 1) * (L - 1 - x), L) * g(x) for x in range(L - 1)), sp.Integer(0))
    assert not _same(linear_form(H_ugc(0, 1), Case(L)), linear_form(wrong, Case(L)))


def test_card_ugc_coefficients():
    L = 6
    form = linear_form(Hc(1, 5), Case(L))
    explicit = sum((sp.Rational(j * (L - j), L) * g(j - 1) for j in range(2, 5)), sp.Integer(0))
    assert _same(form, linear_form(explicit, Case(L)))
    assert linear_form(Hc(2, 3), Case(L)) == {}


@pytest.mark.parametrize("p, q", [(F(1, 8), F(7, 8)), (F(1, 3), F(1, 2)), (F(2, 5), F(1, 2)), (F(1, 7), F(1, 6))])
def test_dyadic_partition_doubles_the_odds(p, q):
    v = defs.dyadic_points(p, q)
    assert v[0] == p and v[-1] == q and list(v) == sorted(set(v))
    odds = [defs.psi(x) for x in v]
    assert all(b / a == 2 for a, b in zip(odds[:-2], odds[1:-1]))
    assert 1 < odds[-1] / odds[-2] <= 2
    J = len(v) - 1
    assert 2 ** (J - 1) < defs.psi(q) / defs.psi(p) <= 2**J


def test_gamma_of_a_single_step_grid_is_the_one_step_cost():
    """Gamma(0, 1): M_0 = 0, M_1 = L, so it is c(0, L) (the one-step schedule's error, TC)."""
    assert _same(linear_form(Gamma(0, 1), Case(5)), linear_form(c_step(0, 5), Case(5)))


def test_rational_bindings_are_exact_and_domains_checked():
    case = Case(3, bind=((p_t, F(1, 3)), (q_t, F(1, 2))))
    assert linear_form(p_t + q_t, case) == {"const": F(5, 6)}  # never truncated to integers
    with pytest.raises(NotLinearError, match="integer argument"):
        linear_form(g(p_t), case)
    with pytest.raises(NotLinearError, match="0 <= p < q <= 1"):
        linear_form(Gamma(q_t, p_t), case)
    with pytest.raises(NotLinearError, match="Hc\\(a, b\\) needs"):
        linear_form(Hc(2, 1), Case(3))


@pytest.mark.parametrize("L", [2, 3, 5, 7])
def test_closed_form_bernstein_integrals_match_sympy_integration(L):
    x = sp.Symbol("x")
    for u in range(L - 1):
        for k in range(3):
            poly = L * (L - 1) * sp.binomial(L - 2, u) * x ** (u + k) * (1 - x) ** (L - 2 - u)
            for p, q in [(F(0), F(1)), (F(1, 5), F(1, 2)), (F(1, 3), F(1)), (F(0), F(5, 7))]:
                exact = sp.integrate(poly, (x, sp.Rational(p.numerator, p.denominator), sp.Rational(q.numerator, q.denominator)))
                assert defs._integral(L, u, k, p, q) == F(int(exact.p), int(exact.q)), (u, k, p, q)
