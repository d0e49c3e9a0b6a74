"""Exact errors of an unmasking policy (``proofs_check.model.policies``) by enumeration (notes/A1.md).

For a policy ``pi`` and a predictor ``phat`` the sampler starts from the empty context; at a
context ``(A, x_A)`` the policy gives a law over reveal sets ``B``, the tokens of ``B`` are drawn
independently from ``phat_i(. | x_A)``, and the context grows to ``(A u B, x_(A u B))``.  This
module computes, exactly (rationals and :class:`~proofs_check.numerics.exact.LogLinear`):

* ``q_at(x)``: the output law ``q_pi(x) = sum over reveal paths of x of
  prod_k pi(B_k | x_(A_k)) prod_(i in B_k) phat_i(x_i | x_(A_k))`` (one path for a deterministic
  policy); ``output_law()`` on all of ``V^L``; ``kl()`` = ``KL(p || q_pi)``, the data first;
* ``tc_path()`` = ``E sum_k TC(X_(B_k) | X_(A_k) = x_(A_k))`` along the *data*: ``x ~ p`` and the
  reveal sets the policy picks on ``x`` (averaged over its randomness), with the conditional total
  correlation at the realised context
  ``TC(X_B | X_A = a) = sum_(i in B) H(X_i | X_A = a) - H(X_B | X_A = a)``;
* ``path_kl()`` = the average over the policy's randomness ``r`` of ``KL(p || q_(pi,r))``, where
  ``pi_r`` is the deterministic policy with those choices fixed: by the chain rule
  ``E_p sum_k [ sum_(i in B_k) CE_i(x_(A_k)) - H(X_(B_k) | X_(A_k) = x_(A_k)) ]`` with the cross
  entropy ``CE_i(a) = -sum_v p(v | a) log phat_i(v | a)``;
* ``expected_steps()``: the sampler's expected number of steps (entropy-sum's cost).

The chain-rule identity ``KL(p || q_pi) = tc_path()`` for deterministic policies with the optimal
predictor, and ``KL(p || q_pi) <= path_kl()`` for randomised ones, are statement A1.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction
from itertools import product
from math import prod

import numpy as np

from proofs_check.errors import PredictorError, TooLargeError
from proofs_check.model.policies import Choice, Policy, counts_entropy
from proofs_check.model.sampler import OptimalPredictor, Predictor, data_law, exact_pmf, kl_divergence
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.distributions import Distribution
from proofs_check.sources.rows import check_dense_size

#: Largest number of distinct sampler contexts ``expected_steps`` enumerates.
MAX_CONTEXTS = 200_000


class PolicyRun:
    """One policy, one law ``dist`` and one predictor (default: the optimal one), evaluated exactly."""

    def __init__(self, dist: Distribution, policy: Policy, predictor: Predictor | None = None):
        self.dist, self.policy = dist, policy
        self.pred = predictor if predictor is not None else OptimalPredictor(dist)
        self.L, self.V = dist.L, dist.V
        self._choices: dict = {}
        self._pmfs: dict = {}
        self._support_of: dict = {}
        # the optimal predictor's conditionals are exact count ratios summing to 1: read them as they are
        self._trusted = isinstance(self.pred, OptimalPredictor) and self.pred.dist is dist

    # -- the policy and the predictor at a context --------------------------------------------
    def pmf(self, i: int, A: tuple, xA: tuple) -> tuple[Fraction, ...]:
        key = (i, A, xA)
        hit = self._pmfs.get(key)
        if hit is None:
            hit = self._pmfs[key] = (tuple(self.pred(i, A, xA)) if self._trusted
                                     else exact_pmf(self.pred, i, A, xA, self.V))
        return hit

    def choices(self, A: tuple, xA: tuple) -> Choice:
        """The policy's law of the next reveal set at ``(A, x_A)`` (memoised, validated)."""
        key = (A, xA)
        hit = self._choices.get(key)
        if hit is None:
            hit = self.policy.choose(A, xA, self.L, lambda i: self.pmf(i, A, xA))
            if sum(p for p, _ in hit) != 1 or any(not B or set(B) & set(A) for _, B in hit):
                raise PredictorError(f"policy {self.policy.label} returned {hit} at {A}={xA}: "
                                     f"a law over non-empty sets of masked positions is needed")
            self._choices[key] = hit
        return hit

    # -- the output law ------------------------------------------------------------------------
    def q_at(self, x: tuple) -> Fraction:
        """``q_pi(x)``: every reveal path that can produce ``x``, weighted exactly."""
        memo: dict = {}

        def rest(A: tuple) -> Fraction:
            if len(A) == self.L:
                return Fraction(1)
            hit = memo.get(A)
            if hit is None:
                xA = tuple(x[a] for a in A)
                hit = Fraction(0)
                for prob, B in self.choices(A, xA):
                    tokens = prod(self.pmf(i, A, xA)[x[i]] for i in B)
                    if tokens:
                        hit += prob * tokens * rest(tuple(sorted(A + B)))
                memo[A] = hit
            return hit

        return rest(())

    def output_law(self) -> dict[tuple, Fraction]:
        """``q_pi`` on all of ``V^L`` (small ``L``): ``{x: q_pi(x)}`` where positive."""
        check_dense_size(self.V, self.L)
        law = {x: self.q_at(x) for x in product(range(self.V), repeat=self.L)}
        return {x: q for x, q in law.items() if q}

    def kl(self) -> LogLinear:
        """``KL(p || q_pi)`` exactly (``q_pi`` is needed only on the support of ``p``)."""
        p = data_law(self.dist)
        return kl_divergence(p, {x: self.q_at(x) for x in p})

    # -- averages along the data ----------------------------------------------------------------
    def data_steps(self):
        """``(weight, A, a, B, rows)`` for every step the policy takes on data ``x ~ p``.

        ``weight`` = ``P(X_A = a) * pi(path)``: the probability that the policy, run on a sequence
        drawn from ``p``, reaches context ``(A, a)`` and then picks ``B``; ``rows`` are the indices
        of the support rows with ``x_A = a``.
        """
        sup, w = self.dist.support, self.dist.weights
        # contexts by number of revealed tokens; one context reached along several paths is merged
        levels: list[dict] = [{} for _ in range(self.L + 1)]
        levels[0][((), ())] = [Fraction(1), list(range(len(w)))]
        for size in range(self.L):
            for (A, a), (weight, rows) in levels[size].items():
                total = sum(w[r] for r in rows)
                for prob, B in self.choices(A, a):
                    yield weight * prob, A, a, B, rows
                    A2 = tuple(sorted(A + B))
                    groups: dict = defaultdict(list)
                    for r in rows:
                        groups[tuple(int(sup[r, j]) for j in A2)].append(r)
                    for a2, sub in groups.items():
                        share = weight * prob * Fraction(sum(w[r] for r in sub), total)
                        slot = levels[len(A2)].get((A2, a2))
                        if slot is None:
                            levels[len(A2)][(A2, a2)] = [share, sub]
                        else:
                            slot[0] += share
            levels[size] = {}

    def _counts(self, rows, positions) -> list[int]:
        cnt: Counter = Counter()
        for r in rows:
            cnt[tuple(int(self.dist.support[r, j]) for j in positions)] += self.dist.weights[r]
        return list(cnt.values())

    def conditional_tc(self, rows, B) -> LogLinear:
        """``TC(X_B | X_A = a) = sum_(i in B) H(X_i | a) - H(X_B | a)`` from the rows with ``x_A = a``."""
        return LogLinear.sum(counts_entropy(self._counts(rows, (i,))) for i in B) - \
            counts_entropy(self._counts(rows, B))

    def tc_path(self) -> LogLinear:
        """``E sum_k TC(X_(B_k) | X_(A_k) = x_(A_k))`` along the data (module docstring)."""
        return LogLinear.combination((wt, self.conditional_tc(rows, B)) for wt, _, _, B, rows in self.data_steps())

    def _cross_entropy(self, rows, i: int, A: tuple, a: tuple) -> LogLinear:
        """``CE_i(a) = -sum_v p(v | a) log phat_i(v | a)``."""
        pm = self.pmf(i, A, a)
        cnt: Counter = Counter()
        for r in rows:
            cnt[int(self.dist.support[r, i])] += self.dist.weights[r]
        total = sum(cnt.values())
        out = LogLinear()
        for v, c in cnt.items():
            if pm[v] == 0:
                raise PredictorError(f"predictor gives probability 0 to symbol {v} at position {i} given "
                                     f"{A}={a}, which the data produces: the KL is infinite")
            out._iadd(LogLinear.log(pm[v]), Fraction(-c, total))
        return out

    def path_kl(self) -> LogLinear:
        """Average over the policy's randomness of ``KL(p || q_(pi,r))`` (module docstring)."""
        pairs = []
        for wt, A, a, B, rows in self.data_steps():
            step = LogLinear.sum(self._cross_entropy(rows, i, A, a) for i in B) - counts_entropy(self._counts(rows, B))
            pairs.append((wt, step))
        return LogLinear.combination(pairs)

    # -- the sampler's number of steps ---------------------------------------------------------------
    def _on_support(self, A: tuple, a: tuple) -> bool:
        seen = self._support_of.get(A)
        if seen is None:
            seen = self._support_of[A] = set(map(tuple, self.dist.marginal(A)[0].tolist()))
        return a in seen

    def expected_steps(self) -> Fraction:
        """The sampler's exact expected number of steps, ``E_(q_pi)[N]``.

        With the optimal predictor every context off the data's support gets the uniform pmf, and
        so does every context below it: there the policy's choices depend on ``A`` alone, and such
        contexts are merged (an exact reduction, not an approximation).
        """
        merge_off = self._trusted
        memo: dict = {}

        def remaining(A: tuple, a: tuple) -> Fraction:
            if len(A) == self.L:
                return Fraction(0)
            key = (A, None) if merge_off and not self._on_support(A, a) else (A, a)
            hit = memo.get(key)
            if hit is not None:
                return hit
            if len(memo) >= MAX_CONTEXTS:
                raise TooLargeError(f"more than {MAX_CONTEXTS} sampler contexts for {self.dist.name or 'this law'}; "
                                    f"use a shorter sequence or a smaller vocabulary")
            hit = Fraction(1)
            for prob, B in self.choices(A, a):
                pms = [self.pmf(i, A, a) for i in B]
                for vals in product(*[[v for v in range(self.V) if pm[v]] for pm in pms]):
                    A2 = tuple(sorted(A + B))
                    full = dict(zip(A, a)) | dict(zip(B, vals))
                    hit += prob * prod(pm[v] for pm, v in zip(pms, vals)) * remaining(A2, tuple(full[j] for j in A2))
            memo[key] = hit
            return hit

        return remaining((), ())

    # -- simulation ----------------------------------------------------------------------------------
    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """``n`` sequences drawn by really running the policy and the sampler (seeded numpy Generator)."""
        rng = np.random.default_rng(seed)
        out = np.empty((n, self.L), dtype=np.int64)
        for t in range(n):
            x: dict = {}
            while len(x) < self.L:
                A = tuple(sorted(x))
                xA = tuple(x[j] for j in A)
                options = self.choices(A, xA)
                _, B = options[rng.choice(len(options), p=[float(p) for p in (q for q, _ in options)])]
                for i in B:
                    probs = np.array([float(v) for v in self.pmf(i, A, xA)])
                    x[i] = int(rng.choice(self.V, p=probs / probs.sum()))
            out[t] = [x[j] for j in range(self.L)]
        return out
