"""The Bernoulli-subset sampler (proofs_check.model.bernoulli).

* the profile formula KL_Ber = sum_j Gamma(t_j, t_{j+1}) equals the brute-force error over all
  N^L reveal-step assignments, certified exactly, for L <= 5 (Hypothesis over distributions and
  rational grids), and a formula with a term dropped or a wrong step probability is rejected;
* any predictor: the brute-force error is the optimal error plus the average training gap
  (the F1 decomposition for a random schedule), and the output law's KL is at most the path error;
* Monte Carlo: sequences drawn by really drawing the reveal steps agree with the exact output law
  (chi-square at a fixed seed), and the test rejects samples from another grid's law;
* grid validation.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from proofs_check.errors import ScheduleError, TooLargeError
from proofs_check.model.bernoulli import (Grid, assignments, gamma_sum, kl_bernoulli, kl_bernoulli_bruteforce,
                                          output_law_bernoulli, sample_bernoulli)
from proofs_check.model.instance import dot
from proofs_check.model.sampler import (OptimalPredictor, PerturbedPredictor, cross_entropy, data_law,
                                        kl_divergence)
from proofs_check.numerics.certify import compare
from proofs_check.numerics.exact import LogLinear
from proofs_check.search.strategies import distributions
from proofs_check.sources.distributions import copy_distribution, noisy_copy_distribution, parity_distribution
from tests.model.test_sampler import ALPHA, chi_square_pvalue
from theory.linear import Case, linear_form
from theory.symbols import Gamma


@st.composite
def grids(draw, max_N=3, max_den=6):
    """Rational grids 0 = t_0 < ... < t_N = 1 with denominators up to ``max_den``."""
    inner = draw(st.sets(st.fractions(min_value=Fraction(1, max_den), max_value=1 - Fraction(1, max_den),
                                      max_denominator=max_den), max_size=max_N - 1))
    return Grid((Fraction(0), *sorted(inner), Fraction(1)))


@given(distributions(min_L=1, max_L=5, max_V=2), grids())
@example(copy_distribution(5, 2), Grid.parse("0,1/2,1"))
@example(parity_distribution(5), Grid.parse("0,1/3,2/3,1"))
@example(noisy_copy_distribution(5, "1/10"), Grid.parse("0,1/4,1"))
def test_profile_formula_equals_enumeration_of_reveal_steps(dist, grid):
    if grid.N ** dist.L > 3**5:
        grid = Grid.parse("0,1/2,1")
    v = compare(kl_bernoulli(dist, grid), kl_bernoulli_bruteforce(dist, grid), "==")
    assert v.status == "equal", v


def _h(dist):
    return dict(enumerate(dist.profile().h_exact))


def test_a_formula_with_a_step_dropped_or_a_wrong_time_is_rejected():
    dist, grid = noisy_copy_distribution(4, "1/5"), Grid.parse("0,1/3,2/3,1")
    brute = kl_bernoulli_bruteforce(dist, grid)
    t = [sp_r for sp_r in grid.times]
    dropped = Gamma(t[0], t[1]) + Gamma(t[1], t[2])  # the last step's Gamma left out
    shifted = Gamma(t[0], Fraction(1, 4)) + Gamma(Fraction(1, 4), t[2]) + Gamma(t[2], t[3])
    for wrong in (dropped, shifted):
        assert not compare(dot(linear_form(wrong, Case(4)), _h(dist)), brute, "==").ok
    assert compare(dot(linear_form(gamma_sum(grid), Case(4)), _h(dist)), brute, "==").ok


@pytest.mark.parametrize("dist", [noisy_copy_distribution(3, "1/4"), parity_distribution(3)], ids=lambda d: d.name)
def test_any_predictor_pays_the_optimal_error_plus_its_training_gap(dist):
    """Brute force with a perturbed predictor = KL_Ber + sum over (i, A) of P(i right after A) times
    the cross-entropy gap; and KL(p || output law) <= the expected path error (convexity)."""
    grid = Grid.parse("0,1/2,1")
    pred, opt = PerturbedPredictor(dist, lam=Fraction(1, 3), seed=1), OptimalPredictor(dist)
    gap = LogLinear()
    for part, w in assignments(dist.L, grid):
        before: tuple = ()
        for block in part:
            A = tuple(sorted(before))
            for i in block:
                gap._iadd(cross_entropy(dist, pred, i, A) - cross_entropy(dist, opt, i, A), w)
            before += block
    total = kl_bernoulli_bruteforce(dist, grid, pred)
    assert compare(total, kl_bernoulli(dist, grid) + gap, "==").status == "equal"
    assert compare(gap, 0, ">").ok
    assert compare(kl_divergence(data_law(dist), output_law_bernoulli(dist, grid, pred)), total, "<=").ok


def test_output_law_is_a_law_and_the_fine_grid_limit_is_sharper():
    dist = noisy_copy_distribution(3, "1/4")
    for grid in (Grid.parse("0,1"), Grid.uniform(2), Grid.uniform(4)):
        law = output_law_bernoulli(dist, grid)
        assert sum(law.values()) == 1
    errs = [kl_bernoulli(dist, Grid.uniform(N)) for N in (1, 2, 4)]
    assert compare(errs[0], errs[1], ">").ok and compare(errs[1], errs[2], ">").ok


MC = [(copy_distribution(3, 2), Grid.parse("0,1/2,1")), (noisy_copy_distribution(3, "1/4"), Grid.parse("0,1/3,2/3,1")),
      (parity_distribution(3), Grid.parse("0,1/4,1"))]


@pytest.mark.parametrize("dist, grid", MC, ids=lambda x: str(x))
def test_monte_carlo_reveal_steps_follow_the_exact_output_law(dist, grid):
    samples = sample_bernoulli(dist, grid, 3000, seed=7)
    assert chi_square_pvalue(samples, output_law_bernoulli(dist, grid), dist.V, dist.L) > ALPHA


def test_the_chi_square_test_rejects_another_grids_law():
    dist = copy_distribution(3, 2)
    samples = sample_bernoulli(dist, Grid.parse("0,1"), 3000, seed=7)  # one step: independent marginals
    assert chi_square_pvalue(samples, output_law_bernoulli(dist, Grid.parse("0,1/2,1")), 2, 3) < ALPHA


@pytest.mark.parametrize("text, match", [
    ("0,1/2", "start at 0 and end at 1"), ("1/4,1", "start at 0"), ("0,1/2,1/2,1", "increase strictly"),
    ("0,2/3,1/3,1", "increase strictly"), ("0,x,1", "not a rational"),
])
def test_bad_grids_are_rejected(text, match):
    with pytest.raises(ScheduleError, match=match):
        Grid.parse(text)
    with pytest.raises(ScheduleError, match="float"):
        Grid((0, 0.5, 1))
    with pytest.raises(ScheduleError, match="N >= 1"):
        Grid.uniform(0)


def test_too_many_assignments_is_refused_before_work():
    with pytest.raises(TooLargeError, match="reveal-step assignments"):
        kl_bernoulli_bruteforce(copy_distribution(12, 2), Grid.uniform(4))
