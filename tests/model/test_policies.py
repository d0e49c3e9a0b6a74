"""Unmasking policies and their exact errors (statement A1, notes/A1.md).

* the chain-rule identity ``KL(p || q_pi) = E sum_k TC(X_Bk | X_Ak = x_Ak)`` on random
  distributions (Hypothesis, L <= 5) for every deterministic policy, and its two mutants rejected:
  the marginal TC (conditioning dropped) and the unconditional entropy order;
* the tie-break average: the tree formula equals the brute-force mean over every tie-break
  function, and the random-order policy reproduces the sampler (``E_S KL``, ``E_S q_S``);
* Monte Carlo runs of a policy agree with its exact output law (chi-square, fixed seed), and the
  exact expected number of steps of entropy-sum with the simulated mean;
* scores are ordered exactly, even when float64 cannot separate them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check.errors import DlmInputError
from proofs_check.model.policies import (LowestEntropy, Policy, counts_entropy, make, pmf_entropy, ranked_groups,
                                         take)
from proofs_check.model.policy_exact import PolicyRun
from proofs_check.model.sampler import (PerturbedPredictor, data_law, expected_kl_bruteforce, kl_divergence,
                                        ordered_partitions, output_law, sampler_law)
from proofs_check.model.schedules import Schedule, balanced
from proofs_check.numerics.certify import compare
from proofs_check.numerics.exact import LogLinear
from proofs_check.search.strategies import dense_distributions
from proofs_check.sources.distributions import copy_distribution, parity_distribution, random_distribution
from tests.model.test_sampler import ALPHA, chi_square_pvalue

DETERMINISTIC = ("left", "entropy", "confidence")


@st.composite
def small_law_and_policy(draw, ties="position"):
    dist = draw(dense_distributions(min_L=2, max_L=5, max_V=3, max_states=64))
    kind = draw(st.sampled_from(DETERMINISTIC + ("entropy-sum",)))
    if kind == "entropy-sum":
        eps = Fraction(draw(st.integers(0, 12)), 4)
        return dist, make(kind, eps=eps, ties=ties)
    return dist, make(kind, balanced(dist.L, draw(st.integers(1, dist.L))).sizes, ties=ties)


# -- the chain-rule identity and its mutants ---------------------------------------------------------

@settings(max_examples=max(settings.default.max_examples, 20))
@given(small_law_and_policy())
def test_chain_rule_identity_on_random_distributions(case):
    dist, policy = case
    run = PolicyRun(dist, policy)
    assert compare(run.kl(), run.tc_path(), "==").status == "equal", policy.label


@settings(max_examples=max(settings.default.max_examples // 2, 10))
@given(small_law_and_policy(), st.integers(1, 9), st.integers(0, 2**16))
def test_one_path_per_sequence_with_a_perturbed_predictor(case, tenths, seed):
    """Any predictor: a deterministic policy produces each sequence along one path, so its output-law
    KL equals the path average of the per-step log-ratios (the chain rule, as in F1)."""
    dist, policy = case
    run = PolicyRun(dist, policy, PerturbedPredictor(dist, lam=Fraction(tenths, 10), seed=seed))
    assert compare(run.kl(), run.path_kl(), "==").status == "equal", policy.label


def marginal_tc(run: PolicyRun) -> LogLinear:
    """Mutant: the TC of each step's tokens *without* the revealed context (conditioning dropped)."""
    everything = list(range(len(run.dist.weights)))
    return LogLinear.combination((wt, run.conditional_tc(everything, B)) for wt, _, _, B, _ in run.data_steps())


@dataclass(frozen=True)
class MarginalEntropyOrder(LowestEntropy):
    """Mutant: lowest *unconditional* entropy H(X_i) first, whatever is revealed."""

    marginals: tuple = ()

    def choose(self, A, xA, L, pmf):
        scores = {i: self.marginals[i] for i in self.masked(A, L)}
        return take(ranked_groups(scores), self.step_size(A, L), self.ties)


PINNED = random_distribution(4, 2, seed=3, sparsity=0.5)


def test_dropping_the_conditioning_is_rejected():
    run = PolicyRun(PINNED, make("entropy", (1, 2, 1)))
    assert compare(run.kl(), run.tc_path(), "==").status == "equal"
    assert compare(run.kl(), marginal_tc(run), "==").status == "fails"


def test_the_unconditional_entropy_order_is_rejected():
    run = PolicyRun(PINNED, make("entropy", (1, 2, 1)))
    everything = list(range(len(PINNED.weights)))
    marginals = tuple(counts_entropy(run._counts(everything, (i,))) for i in range(PINNED.L))
    wrong = PolicyRun(PINNED, MarginalEntropyOrder(sizes=(1, 2, 1), marginals=marginals))
    assert compare(run.kl(), wrong.tc_path(), "==").status == "fails"
    # the mutant is a fine (non-adaptive) policy of its own: the identity holds for it
    assert compare(wrong.kl(), wrong.tc_path(), "==").status == "equal"


def test_a_value_dependent_order_differs_from_every_fixed_order():
    """The entropy policy is not one fixed permutation in disguise on the pinned law."""
    run = PolicyRun(PINNED, make("entropy", (1, 2, 1)))
    firsts = {B for _, A, _, B, _ in run.data_steps() if len(A) == 1}
    assert len(firsts) >= 2


# -- the sampler as a policy -----------------------------------------------------------------------

@settings(max_examples=max(settings.default.max_examples // 2, 10))
@given(dense_distributions(min_L=2, max_L=4, max_V=3, max_states=27), st.data())
def test_random_order_policy_is_the_sampler(dist, data):
    sched = balanced(dist.L, data.draw(st.integers(1, dist.L)))
    run = PolicyRun(dist, make("random", sched.sizes))
    assert compare(run.path_kl(), expected_kl_bruteforce(dist, sched), "==").status == "equal"
    assert run.output_law() == output_law(dist, sched)


def test_left_to_right_is_the_fixed_order_sampler_with_any_predictor():
    dist = random_distribution(4, 2, seed=3)
    pred = PerturbedPredictor(dist, lam=Fraction(1, 3), seed=1)
    run = PolicyRun(dist, make("left", (2, 1, 1)), pred)
    fixed = sampler_law(dist, ((0, 1), (2,), (3,)), pred)
    assert run.output_law() == fixed
    assert compare(run.kl(), kl_divergence(data_law(dist), fixed), "==").status == "equal"
    # chain rule with a non-optimal predictor: one path per sequence, so the path average is the KL
    assert compare(run.kl(), run.path_kl(), "==").status == "equal"


# -- random tie-breaks: the tree formula against every tie-break function ----------------------------

@dataclass(frozen=True)
class Fixed(Policy):
    """A deterministic policy given by a table ``{(A, x_A): B}`` (one tie-break function)."""

    table: tuple = ()

    def choose(self, A, xA, L, pmf):
        return [(Fraction(1), dict(self.table)[(A, xA)])]


def tie_break_functions(run: PolicyRun):
    """Every assignment of one choice to each context the sampler can reach, with its probability."""
    def rec(pending, fixed, weight):
        if not pending:
            yield fixed, weight
            return
        (A, a), rest = pending[0], pending[1:]
        if len(A) == run.L or (A, a) in fixed:
            yield from rec(rest, fixed, weight)
            return
        for prob, B in run.choices(A, a):
            A2 = tuple(sorted(A + B))
            children = []
            for vals in product(*[[v for v, q in enumerate(run.pmf(i, A, a)) if q] for i in B]):
                full = dict(zip(A, a)) | dict(zip(B, vals))
                children.append((A2, tuple(full[j] for j in A2)))
            yield from rec(rest + children, {**fixed, (A, a): B}, weight * prob)
    yield from rec([((), ())], {}, Fraction(1))


@pytest.mark.parametrize("dist,policy", [
    (parity_distribution(3), make("entropy", (1, 1, 1), ties="random")),
    (copy_distribution(3, 2), make("confidence", (2, 1), ties="random")),
    (parity_distribution(3), make("entropy-sum", eps=Fraction(1), ties="random")),
], ids=["parity-entropy", "copy-confidence", "parity-entropy-sum"])
def test_tie_average_equals_the_mean_over_every_tie_break_function(dist, policy):
    run = PolicyRun(dist, policy)
    mean_law: dict = {}
    mean_kl, total, count = LogLinear(), Fraction(0), 0
    for table, weight in tie_break_functions(run):
        det = PolicyRun(dist, Fixed(table=tuple(table.items())))
        for x, q in det.output_law().items():
            mean_law[x] = mean_law.get(x, 0) + weight * q
        mean_kl = mean_kl + det.kl() * weight
        total, count = total + weight, count + 1
    assert total == 1 and count >= 2
    assert mean_law == run.output_law()
    assert compare(mean_kl, run.path_kl(), "==").status == "equal"
    assert compare(run.kl(), run.path_kl(), "<=").ok


def test_the_tie_average_is_strict_for_random_order():
    """Random order on a random law: the output law's KL is strictly below the average over orders
    (so the mutant 'KL of the output law == average' is rejected), and even below every single
    fixed order's KL: mixing the orders helps."""
    dist = random_distribution(4, 3, seed=1)
    run = PolicyRun(dist, make("random", (2, 2)))
    assert compare(run.kl(), run.path_kl(), "==").status == "fails"
    assert compare(run.kl(), run.path_kl(), "<").status == "holds"
    p = data_law(dist)
    fixed = [kl_divergence(p, sampler_law(dist, part, run.pred)) for part in ordered_partitions(4, Schedule((2, 2)))]
    assert len(fixed) == 6 and all(compare(run.kl(), f, "<").status == "holds" for f in fixed)


# -- Monte Carlo --------------------------------------------------------------------------------------

MC = [(random_distribution(3, 2, seed=1), make("entropy", (2, 1))),
      (random_distribution(3, 3, seed=2, sparsity=0.3), make("confidence", (2, 1), ties="random")),
      (random_distribution(4, 2, seed=5), make("entropy-sum", eps=Fraction(3, 2)))]


@pytest.mark.parametrize("dist,policy", MC, ids=[p.label for _, p in MC])
def test_monte_carlo_run_matches_the_exact_output_law(dist, policy):
    run = PolicyRun(dist, policy)
    law = run.output_law()
    assert sum(law.values()) == 1
    samples = run.sample(4000, seed=2024)
    assert chi_square_pvalue(samples, law, dist.V, dist.L) >= ALPHA
    # a wrong law (the same policy with a predictor half mixed with noise) is rejected by the same test
    other = PolicyRun(dist, policy, PerturbedPredictor(dist, lam=Fraction(1, 2), seed=3)).output_law()
    assert other != law and chi_square_pvalue(samples, other, dist.V, dist.L) < ALPHA


def test_expected_steps_of_entropy_sum():
    # copy, L = 3: every token has entropy log 2 ~ 0.693, then 0 once one is revealed
    copy3 = copy_distribution(3, 2)
    assert PolicyRun(copy3, make("entropy-sum", eps=Fraction(1, 2))).expected_steps() == 2
    two = PolicyRun(copy3, make("entropy-sum", eps=Fraction(2)))  # 2 log 2 <= 2 < 3 log 2: two at once
    assert two.expected_steps() == 2
    assert compare(two.kl(), LogLinear.log(2), "==").status == "equal"  # I(X_1; X_2) = log 2
    # a random law: exact E[N] against the simulated mean (5 standard errors)
    dist, policy = MC[2]
    run = PolicyRun(dist, policy)
    exact = float(run.expected_steps())
    rng_steps = _simulated_steps(run, 4000, seed=7)
    assert abs(rng_steps.mean() - exact) < 5 * rng_steps.std() / np.sqrt(len(rng_steps)) + 1e-12
    assert 1 < exact < dist.L


def _simulated_steps(run: PolicyRun, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x: dict = {}
        steps = 0
        while len(x) < run.L:
            A = tuple(sorted(x))
            xA = tuple(x[j] for j in A)
            options = run.choices(A, xA)
            _, B = options[rng.choice(len(options), p=[float(p) for p, _ in options])]
            for i in B:
                probs = np.array([float(v) for v in run.pmf(i, A, xA)])
                x[i] = int(rng.choice(run.V, p=probs / probs.sum()))
            steps += 1
        out.append(steps)
    return np.array(out, dtype=float)


# -- exact order of scores ----------------------------------------------------------------------------

def test_scores_closer_than_float_precision_are_ordered_exactly():
    a = LogLinear.log(2)
    b = LogLinear.log(2) + LogLinear(Fraction(1, 10**30))
    assert float(a) == float(b)
    assert ranked_groups({0: b, 1: a, 2: a}) == [[1, 2], [0]]
    assert take([[1, 2], [0]], 1, "random") == [(Fraction(1, 2), (1,)), (Fraction(1, 2), (2,))]
    assert take([[1, 2], [0]], 1, "position") == [(Fraction(1), (1,))]


def test_pmf_entropy_is_exact():
    h = pmf_entropy((Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)))
    assert compare(h, LogLinear.log(2) * Fraction(3, 2), "==").status == "equal"


def test_bad_policy_parameters_are_named():
    with pytest.raises(DlmInputError, match="eps=-1 must be >= 0"):
        make("entropy-sum", eps=-1)
    with pytest.raises(DlmInputError, match="unknown policy 'greedy'"):
        make("greedy", (1,))
    with pytest.raises(DlmInputError, match="needs step sizes"):
        make("entropy")
    with pytest.raises(DlmInputError, match="ties='sometimes'"):
        make("entropy", (1, 1), ties="sometimes")
