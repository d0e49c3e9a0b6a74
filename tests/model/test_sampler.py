"""The masked-diffusion sampler (proofs_check.model.sampler).

* F1: with any predictor (perturbed, or a plain user callable returning floats or Fractions),
  ``E_S KL(p || q_S) = KL_ideal + eps_train``, certified equal;
* convexity ``KL(p || E_S q_S) <= E_S KL(p || q_S)`` from the exact output law;
* the brute-force route agrees with the per-order laws ``q_S``;
* Monte Carlo: sequences drawn step by step agree with the exact output law (chi-square
  goodness of fit at a fixed seed, rejection at p < 0.001), and the same test rejects
  samples from a different law;
* predictor and size errors.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from scipy.stats import chisquare

from proofs_check.numerics.certify import compare
from proofs_check.sources.distributions import (Distribution, copy_distribution, mixture, parity_distribution,
                                        product_distribution, random_distribution)
from proofs_check.errors import PredictorError, ScheduleError, TooLargeError
from proofs_check.model.instance import Instance
from proofs_check.numerics.exact import LogLinear
from proofs_check.model.sampler import (OptimalPredictor, PerturbedPredictor, data_law, eps_train,
                                  expected_kl_bruteforce, kl_divergence, n_partitions, ordered_partitions,
                                  output_law, sample, sampler_law)
from proofs_check.model.schedules import Schedule
from proofs_check.search.strategies import distribution_and_schedule
from theory.linear import Case
from theory.symbols import KL_ideal

#: significance level of every chi-square test in this file: reject when p < ALPHA
ALPHA = 1e-3
MIN_EXPECTED = 5  # cells expected fewer times than this are merged into one cell


# -- local strategies: user predictors ----------------------------------------------------------------

@st.composite
def user_predictors(draw, V: int):
    """A plain callable ``(i, positions, values) -> pmf`` unrelated to the data: a fixed random
    positive pmf per context, returned as floats (rounded, not summing to 1 exactly) or Fractions."""
    salt = draw(st.integers(0, 2**32 - 1))
    as_fractions = draw(st.booleans())

    def predictor(i, positions, values):
        rng = np.random.default_rng([salt, i, len(positions), *positions, *values])
        w = rng.integers(1, 12, size=V)
        if as_fractions:
            return [Fraction(int(x), int(w.sum())) for x in w]
        return [float(x) / float(w.sum()) for x in w]

    predictor.kind = "fractions" if as_fractions else "floats"
    return predictor


@st.composite
def any_predictor(draw, dist: Distribution):
    kind = draw(st.sampled_from(["perturbed", "user"]))
    if kind == "perturbed":
        lam = Fraction(draw(st.integers(1, 10)), 10)
        return PerturbedPredictor(dist, lam=lam, seed=draw(st.integers(0, 2**16)))
    return draw(user_predictors(dist.V))


triples = distribution_and_schedule(max_L=4, max_V=3).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), any_predictor(pair[0])))


def kl_ideal(dist, sched) -> LogLinear:
    return Instance(dist, sched, bruteforce=False).value(KL_ideal, Case(dist.L, sched.sizes))


# -- F1 and convexity -------------------------------------------------------------------------------------

@given(triples)
@example((copy_distribution(5, 2), Schedule((3, 2)), PerturbedPredictor(copy_distribution(5, 2))))
@example((parity_distribution(4), Schedule((2, 2)), PerturbedPredictor(parity_distribution(4), lam=1)))
def test_F1_total_kl_is_ideal_plus_training_error(triple):
    dist, sched, pred = triple
    event(f"predictor={getattr(pred, 'kind', type(pred).__name__)}")
    total = expected_kl_bruteforce(dist, sched, pred)
    ideal = kl_ideal(dist, sched)
    eps = eps_train(dist, sched, pred)
    v = compare(total, ideal + eps, "==")
    assert v.status == "equal", f"{float(total)!r} vs {float(ideal)!r} + {float(eps)!r}: {v}"
    assert compare(eps, 0, ">=").ok  # a training error is an average of KL divergences


@given(triples)
def test_the_sampler_error_exceeds_the_error_of_its_average_law(triple):
    """Convexity of KL: KL(p || E_S q_S) <= E_S KL(p || q_S)."""
    dist, sched, pred = triple
    averaged = kl_divergence(data_law(dist), output_law(dist, sched, pred))
    assert compare(averaged, expected_kl_bruteforce(dist, sched, pred), "<=").ok


@given(distribution_and_schedule(max_L=4, max_V=2).flatmap(
    lambda pair: st.tuples(st.just(pair[0]), st.just(pair[1]), st.one_of(st.none(), any_predictor(pair[0])))))
def test_bruteforce_kl_is_the_average_over_reveal_orders_of_kl_to_q_S(triple):
    """expected_kl_bruteforce (via cross entropies) = mean over ordered partitions of KL(p || q_S)."""
    dist, sched, pred = triple
    p = data_law(dist)
    parts = list(ordered_partitions(dist.L, sched))
    assert len(parts) == n_partitions(sched) == len(set(parts))
    mean = LogLinear.sum(kl_divergence(p, sampler_law(dist, part, pred or OptimalPredictor(dist)))
                         for part in parts) / len(parts)
    assert compare(mean, expected_kl_bruteforce(dist, sched, pred), "==").status == "equal"


@given(distribution_and_schedule(max_L=4, max_V=3))
def test_output_law_extremes(pair):
    """One token per step reproduces p exactly; one step draws every token from its marginal."""
    dist, _ = pair
    L = dist.L
    law = output_law(dist, Schedule((1,) * L))
    assert law == {x: q for x, q in data_law(dist).items()}
    marg = [{v: Fraction(0) for v in range(dist.V)} for _ in range(L)]
    for x, q in data_law(dist).items():
        for i, v in enumerate(x):
            marg[i][v] += q
    one = output_law(dist, Schedule((L,)))
    assert sum(one.values()) == 1
    for x, q in one.items():
        assert q == np.prod([marg[i][v] for i, v in enumerate(x)], dtype=object)


def test_training_error_of_the_optimal_predictor_is_zero():
    dist = random_distribution(4, 2, seed=3, sparsity=0.3)
    for sched in (Schedule((2, 2)), Schedule((4,)), Schedule((1, 3))):
        assert eps_train(dist, sched, OptimalPredictor(dist)).is_zero()
        assert compare(expected_kl_bruteforce(dist, sched, OptimalPredictor(dist)),
                       kl_ideal(dist, sched), "==").status == "equal"


def test_F1_fails_without_the_training_error():
    """The F1 check can fail: dropping eps_train for a perturbed predictor is rejected."""
    dist, sched = random_distribution(3, 2, seed=1), Schedule((2, 1))
    pred = PerturbedPredictor(dist, lam=Fraction(3, 10))
    total = expected_kl_bruteforce(dist, sched, pred)
    v = compare(total, kl_ideal(dist, sched), "==")
    assert v.status == "fails"
    assert compare(total, kl_ideal(dist, sched), ">").status == "holds"


def test_convexity_check_can_fail():
    """The reversed inequality is rejected where the laws q_S differ between orders (on the copy
    distribution all q_S agree on the support, and the two sides are equal)."""
    dist, sched = copy_distribution(3, 2), Schedule((2, 1))
    averaged = kl_divergence(data_law(dist), output_law(dist, sched))
    assert compare(averaged, expected_kl_bruteforce(dist, sched), "==").status == "equal"
    dist = random_distribution(3, 2, seed=1)
    averaged = kl_divergence(data_law(dist), output_law(dist, sched))
    assert compare(averaged, expected_kl_bruteforce(dist, sched), ">=").status == "fails"


# -- Monte Carlo ---------------------------------------------------------------------------------------

def chi_square_pvalue(samples: np.ndarray, law: dict, V: int, L: int) -> float:
    """Goodness of fit of ``samples`` to ``law`` over ``V^L``, merging cells expected < 5 times.

    A sample in a cell of probability 0 is an outright failure (returns 0)."""
    n = len(samples)
    counts: dict = {}
    for row in map(tuple, samples.tolist()):
        counts[row] = counts.get(row, 0) + 1
    cells = list(product(range(V), repeat=L))
    expected = np.array([n * float(law.get(c, 0)) for c in cells])
    observed = np.array([counts.get(c, 0) for c in cells], dtype=float)
    if observed[expected == 0].sum() > 0:
        return 0.0
    keep = expected > 0
    expected, observed = expected[keep], observed[keep]
    small = expected < MIN_EXPECTED
    if small.any():
        expected = np.r_[expected[~small], expected[small].sum()]
        observed = np.r_[observed[~small], observed[small].sum()]
    if len(expected) < 2:
        return 1.0
    return float(chisquare(observed, expected * observed.sum() / expected.sum()).pvalue)


def draw_from(law: dict, n: int, seed: int) -> np.ndarray:
    keys = sorted(law)
    probs = np.array([float(law[k]) for k in keys])
    idx = np.random.default_rng(seed).choice(len(keys), size=n, p=probs / probs.sum())
    return np.array([keys[i] for i in idx], dtype=np.int64)


MC_CASES = [
    (copy_distribution(3, 2), Schedule((2, 1))),
    (random_distribution(3, 3, seed=1), Schedule((2, 1))),
    (random_distribution(4, 2, seed=2, sparsity=0.4), Schedule((2, 2))),
    (mixture(copy_distribution(4, 2), parity_distribution(4), 1, 2), Schedule((3, 1))),
]
MC_IDS = [f"{d.name}@{s}" for d, s in MC_CASES]
N_SAMPLES = 4000


@pytest.mark.parametrize("dist,sched", MC_CASES, ids=MC_IDS)
@pytest.mark.parametrize("perturbed", [False, True], ids=["optimal", "perturbed"])
def test_monte_carlo_sampler_matches_the_exact_output_law(dist, sched, perturbed):
    pred = PerturbedPredictor(dist, lam=Fraction(1, 2), seed=3) if perturbed else None
    law = output_law(dist, sched, pred)
    samples = sample(dist, sched, N_SAMPLES, pred=pred, seed=12345)
    assert samples.shape == (N_SAMPLES, dist.L)
    assert chi_square_pvalue(samples, law, dist.V, dist.L) >= ALPHA


@pytest.mark.parametrize("dist,sched", [MC_CASES[0], MC_CASES[2], MC_CASES[3]], ids=[MC_IDS[0], MC_IDS[2], MC_IDS[3]])
def test_chi_square_rejects_samples_from_the_data_law(dist, sched):
    """The same test can fail: draws from p are rejected as draws of the sampler's law."""
    law = output_law(dist, sched)
    assert compare(kl_divergence(data_law(dist), law), 0, ">").status == "holds"  # the laws differ
    assert chi_square_pvalue(draw_from(data_law(dist), N_SAMPLES, seed=7), law, dist.V, dist.L) < ALPHA
    assert chi_square_pvalue(draw_from(law, N_SAMPLES, seed=7), law, dist.V, dist.L) >= ALPHA


@pytest.mark.parametrize("dist,sched", MC_CASES, ids=MC_IDS)
def test_chi_square_rejects_a_perturbed_sampler_against_the_optimal_law(dist, sched):
    pred = PerturbedPredictor(dist, lam=Fraction(1, 2), seed=3)
    samples = sample(dist, sched, N_SAMPLES, pred=pred, seed=99)
    assert chi_square_pvalue(samples, output_law(dist, sched), dist.V, dist.L) < ALPHA


def test_sampling_is_reproducible_from_its_seed():
    dist, sched = MC_CASES[1]
    a, b = sample(dist, sched, 50, seed=5), sample(dist, sched, 50, seed=5)
    assert np.array_equal(a, b) and not np.array_equal(a, sample(dist, sched, 50, seed=6))


# -- predictor and size errors --------------------------------------------------------------------------

DIST = product_distribution([[1, 2], [2, 1], [1, 1]])


@pytest.mark.parametrize("output,needle", [
    ([1.0], "returned 1 probabilities"),
    ([0.2, 0.3, 0.5], "returned 3 probabilities"),
    ([1.5, -0.5], "-0.5"),
    ([Fraction(-1, 2), Fraction(3, 2)], "Fraction(-1, 2)"),
    (["a", "b"], "'a'"),
    ([0.2, 0.2], "0.4"),
    ([float("nan"), 0.5], "nan"),
])
def test_a_bad_predictor_output_is_a_named_error(output, needle):
    with pytest.raises(PredictorError) as info:
        expected_kl_bruteforce(DIST, Schedule((2, 1)), lambda i, A, xA: output)
    assert needle in str(info.value)


def test_a_predictor_that_rules_out_data_gives_an_infinite_kl_error():
    def never_one(i, A, xA):
        return [1, 0]
    with pytest.raises(PredictorError, match="probability 0 to symbol 1"):
        expected_kl_bruteforce(DIST, Schedule((3,)), never_one)
    with pytest.raises(PredictorError, match="infinite"):
        kl_divergence(data_law(DIST), output_law(DIST, Schedule((3,)), never_one))


def test_predictor_values_are_read_exactly_and_normalised():
    def slightly_off(i, A, xA):
        return [0.3333333, 0.6666667]  # sums to 1 within 1e-6: normalised exactly by its sum
    total = expected_kl_bruteforce(DIST, Schedule((1, 2)), slightly_off)
    assert compare(total, 0, ">").status == "holds"
    with pytest.raises(PredictorError, match="sum to 0.99"):
        expected_kl_bruteforce(DIST, Schedule((1, 2)), lambda i, A, xA: [0.3333, 0.6666])


def test_a_float32_predictor_is_accepted():
    def float32_model(i, A, xA):
        return np.array([0.25, 0.75], dtype=np.float32)
    value = expected_kl_bruteforce(DIST, Schedule((3,)), float32_model)
    assert compare(value, 0, ">").status == "holds"


def test_too_many_partitions_is_a_named_error():
    dist = copy_distribution(9, 2)
    with pytest.raises(TooLargeError, match="362880"):
        expected_kl_bruteforce(dist, Schedule((1,) * 9))
    with pytest.raises(TooLargeError, match="362880"):
        output_law(dist, Schedule((1,) * 9))


def test_a_schedule_that_does_not_match_L_is_a_named_error():
    for call in (lambda: expected_kl_bruteforce(DIST, Schedule((2, 2))),
                 lambda: eps_train(DIST, Schedule((1,)), OptimalPredictor(DIST)),
                 lambda: output_law(DIST, Schedule((4,))),
                 lambda: sample(DIST, Schedule((1, 1)), 3),
                 lambda: Instance(DIST, Schedule((2, 2)))):
        with pytest.raises(ScheduleError, match="L=3"):
            call()


def test_optimal_predictor_is_collected_after_use():
    """Its conditional tables are memoised per instance (an lru_cache on the method kept every
    predictor, and its distribution, alive for the life of the process)."""
    import gc
    import weakref

    pred = OptimalPredictor(copy_distribution(3, 2))
    assert pred(0, (1,), (1,)) == [Fraction(0), Fraction(1)]  # fills the memo
    assert pred.table(0, (1,)) is pred.table(0, (1,))
    ref = weakref.ref(pred)
    del pred
    gc.collect()
    assert ref() is None
