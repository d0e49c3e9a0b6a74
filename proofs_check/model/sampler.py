"""The masked-diffusion sampler, exactly and by simulation (setting: notes/00-overview.md; F1: notes/F1.md).

A *predictor* is any callable ``p(i, revealed_positions, revealed_values)`` that
returns a pmf over the ``V`` symbols for the masked position ``i`` (positions are
0-based, ``revealed_positions`` sorted, ``revealed_values`` aligned with them).
Its output is read exactly (floats as the dyadic rationals they are) and
normalised exactly by its sum; a sum off 1 by more than ``1e-6`` is an error.

For a fixed reveal order ``S = (S_1..S_T)`` the sampler's law is
``q_S(x) = prod_k prod_{i in S_k} p_i(x_i | x_{S_<k})``.  Since
``KL(p || q_S) = -H(X) + sum_k sum_{i in S_k} CE(i, S_<k)`` with the cross entropy
``CE(i, A) = -E_p log p_i(X_i | X_A)``, the exact ``E_S KL(p || q_S)`` is obtained
by enumerating every ordered partition and counting how often each pair
``(i, A)`` occurs.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from fractions import Fraction
from itertools import combinations, product
from math import comb, factorial, prod
from typing import Callable, Iterator, Sequence

import numpy as np

from proofs_check.sources.distributions import Distribution, check_dense_size
from proofs_check.errors import PredictorError, TooLargeError
from proofs_check.numerics.exact import LogLinear
from proofs_check.model.schedules import Schedule

Predictor = Callable[[int, tuple, tuple], Sequence]
MAX_PARTITIONS = 200_000


def exact_pmf(pred: Predictor, i: int, A: tuple, xA: tuple, V: int) -> tuple[Fraction, ...]:
    """The predictor's pmf for position ``i`` given ``X_A = xA``, as exact fractions."""
    raw = pred(i, A, xA)
    try:
        vals = [x if type(x) is Fraction else
                Fraction(float(x)) if isinstance(x, (float, np.floating)) else Fraction(x) for x in raw]
    except (TypeError, ValueError, OverflowError) as exc:
        raise PredictorError(f"predictor output for position {i} given {A}={xA} is not numeric: {raw!r}") from exc
    if len(vals) != V:
        raise PredictorError(f"predictor returned {len(vals)} probabilities for position {i}; expected V={V}")
    if any(v < 0 for v in vals):
        raise PredictorError(f"predictor returned a negative probability for position {i}: {raw!r}")
    total = sum(vals)
    if total == 1:  # already normalised (the optimal and perturbed predictors): no division
        return tuple(vals)
    if abs(total - 1) > Fraction(1, 10**6):
        raise PredictorError(f"predictor probabilities for position {i} sum to {float(total)}; return a pmf")
    return tuple(v / total for v in vals)


class OptimalPredictor:
    """The true conditionals ``p(x_i | x_A)`` of a distribution (uniform where ``p(x_A) = 0``)."""

    def __init__(self, dist: Distribution):
        self.dist = dist
        self._tables: dict = {}  # (i, A) -> table; per instance, so the predictor can be collected

    def table(self, i: int, A: tuple) -> dict:
        """``{(x_A, v): p(X_i = v | X_A = x_A)}`` on the support, memoised per instance."""
        hit = self._tables.get((i, A))
        if hit is None:
            hit = self._tables[(i, A)] = self._conditional_table(i, A)
        return hit

    def _conditional_table(self, i: int, A: tuple) -> dict:
        pos = tuple(sorted(A + (i,)))
        rows, w = self.dist.marginal(pos)
        k = pos.index(i)
        joint, cond = {}, Counter()
        for r, wt in zip(rows.tolist(), w.tolist()):
            xa = tuple(r[:k] + r[k + 1:])
            joint[(xa, r[k])] = int(wt)
            cond[xa] += int(wt)
        return {key: Fraction(v, cond[key[0]]) for key, v in joint.items()}

    def __call__(self, i, A, xA):
        t = self.table(i, tuple(A))
        V = self.dist.V
        probs = [t.get((tuple(xA), v), Fraction(0)) for v in range(V)]
        if sum(probs) == 0:
            return [Fraction(1, V)] * V
        return probs


class PerturbedPredictor:
    """``(1 - lam) * optimal + lam * r`` with a fixed random rational pmf ``r`` per context."""

    def __init__(self, dist: Distribution, lam: Fraction = Fraction(1, 10), seed: int = 0):
        self.opt = OptimalPredictor(dist)
        self.lam = Fraction(lam)
        self.seed = seed
        self.V = dist.V

    def __call__(self, i, A, xA):
        key = hash((self.seed, i, tuple(A), tuple(xA))) & 0xFFFFFFFF
        r = np.random.default_rng(key).integers(1, 10, size=self.V).tolist()
        tot = sum(r)
        base = [Fraction(b) for b in self.opt(i, A, xA)]
        # (1 - a/d) p + (a/d) x/tot over the one denominator d * tot * den(p): integers, one gcd each
        a, d = self.lam.numerator, self.lam.denominator
        den = math.lcm(*(b.denominator for b in base))
        return [Fraction((d - a) * tot * b.numerator * (den // b.denominator) + a * x * den, d * tot * den)
                for b, x in zip(base, r)]


def entropy(dist: Distribution) -> LogLinear:
    """``H(X) = log W - (1/W) sum w log w``, exactly."""
    W = dist.total
    acc = Counter({W: W})
    for w in dist.weights:
        acc[int(w)] -= int(w)
    return LogLinear.from_integer_form(W, 0, acc.items())


#: Per predictor object: ``(i, A) -> (dist, CE(i, A))``.  The brute-force KL and eps_train of one
#: instance need the same pairs ``(i, |A| = m_k)``, so each cross entropy is computed once.
_CE_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def cross_entropy(dist: Distribution, pred: Predictor, i: int, A: tuple) -> LogLinear:
    """``CE(i, A)`` of :func:`_cross_entropy`, memoised per (predictor, distribution, i, A)."""
    try:
        memo = _CE_CACHE.setdefault(pred, {})
    except TypeError:  # a predictor that cannot be weakly referenced: no memo
        return _cross_entropy(dist, pred, i, A)
    hit = memo.get((i, A))
    if hit is None or hit[0] is not dist:
        hit = memo[(i, A)] = (dist, _cross_entropy(dist, pred, i, A))
    return hit[1]


def _cross_entropy(dist: Distribution, pred: Predictor, i: int, A: tuple) -> LogLinear:
    """``CE(i, A) = -E_p log pred_i(X_i | X_A)``, exactly.

    For the optimal predictor the conditional is kept as the unreduced count ratio
    ``w(x_A, x_i) / w(x_A)``, so the logarithms are of the same marginal counts as in the
    profile and the brute-force KL cancels against the profile formula term by term.
    """
    pos = tuple(sorted(A + (i,)))
    rows, w = dist.marginal(pos)
    k = pos.index(i)
    optimal = isinstance(pred, OptimalPredictor) and pred.dist is dist
    if optimal:
        crow, cw = dist.marginal(tuple(A))
        cond = {tuple(r): int(x) for r, x in zip(crow.tolist(), cw.tolist())}
    acc: Counter = Counter()  # log argument -> its coefficient times the total weight
    cache: dict = {}
    for r, wt in zip(rows.tolist(), w.tolist()):
        xa = tuple(r[:k] + r[k + 1:])
        wt = int(wt)
        if optimal:
            num, den = wt, cond[xa]
        else:
            pmf = cache.get(xa)
            if pmf is None:
                pmf = cache[xa] = exact_pmf(pred, i, tuple(A), xa, dist.V)
            q = pmf[r[k]]
            if q == 0:
                raise PredictorError(
                    f"predictor gives probability 0 to symbol {r[k]} at position {i} given {A}={xa}, "
                    f"which the data produces: the KL is infinite; give every such symbol positive mass")
            num, den = q.numerator, q.denominator
        acc[num] -= wt
        acc[den] += wt
    return LogLinear.from_integer_form(dist.total, 0, acc.items())


def ordered_partitions(L: int, sched: Schedule) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Every ordered partition ``(S_1..S_T)`` of ``0..L-1`` with ``|S_k| = s_k``."""
    sched.check_length(L)

    def rec(rest: tuple, k: int):
        if k == sched.T:
            yield ()
            return
        for block in combinations(rest, sched.sizes[k]):
            left = tuple(x for x in rest if x not in block)
            for tail in rec(left, k + 1):
                yield (block,) + tail

    yield from rec(tuple(range(L)), 0)


def n_partitions(sched: Schedule) -> int:
    return factorial(sched.L) // prod(factorial(s) for s in sched.sizes)


def _check_enumerable(sched: Schedule) -> int:
    n = n_partitions(sched)
    if n > MAX_PARTITIONS:
        raise TooLargeError(
            f"schedule {sched} has {n} ordered partitions, more than {MAX_PARTITIONS} to enumerate; "
            f"use the profile formula (KL_ideal) or a shorter sequence")
    return n


def expected_kl_bruteforce(dist: Distribution, sched: Schedule, pred: Predictor | None = None) -> LogLinear:
    """``E_S KL(p || q_S)`` by enumerating every ordered partition (small ``L``)."""
    pred = pred or OptimalPredictor(dist)
    n = _check_enumerable(sched.check_length(dist.L))
    uses: Counter = Counter()
    for part in ordered_partitions(dist.L, sched):
        before: tuple = ()
        for block in part:
            A = tuple(sorted(before))
            for i in block:
                uses[(i, A)] += 1
            before += block
    total = LogLinear.sum(cross_entropy(dist, pred, i, A) * c for (i, A), c in uses.items())
    return total / n - entropy(dist)


def eps_train(dist: Distribution, sched: Schedule, pred: Predictor) -> LogLinear:
    """Training error (Li & Cai's Definition 1 as read in notes/00-overview.md): ``tau`` with ``P(tau=k) = s_k/L``, mask ``M`` uniform
    of size ``L - m_tau``, loss ``(L/|M|) sum_{i in M} log(p*_i / pred_i)`` averaged exactly."""
    L = dist.L
    sched.check_length(L)
    opt = OptimalPredictor(dist)
    pairs = []  # one integer combination at the end, not a Fraction sum per log term
    for sk, mk in zip(sched.sizes, sched.m):
        weight = Fraction(sk, L) * Fraction(L, L - mk) / comb(L, mk)
        for A in combinations(range(L), mk):
            for i in range(L):
                if i in A:
                    continue
                pairs += ((weight, cross_entropy(dist, pred, i, A)), (-weight, cross_entropy(dist, opt, i, A)))
    return LogLinear.combination(pairs)


def sampler_law(dist: Distribution, part, pred: Predictor) -> dict[tuple, Fraction]:
    """``q_S(x)`` on all of ``V^L`` for one ordered partition ``part``."""
    V, L = dist.V, dist.L
    check_dense_size(V, L)
    law = {(): Fraction(1)}  # partial assignments keyed by the revealed positions in reveal order
    order: tuple = ()
    for block in part:
        new = {}
        A = tuple(sorted(order))
        for xs, q in law.items():
            assign = dict(zip(order, xs))
            xA = tuple(assign[a] for a in A)
            pmfs = [exact_pmf(pred, i, A, xA, V) for i in block]
            for vals in product(range(V), repeat=len(block)):
                p = q * prod(pm[v] for pm, v in zip(pmfs, vals))
                if p:
                    new[xs + vals] = p
        law, order = new, order + tuple(block)
    idx = [order.index(pos) for pos in range(L)]
    return {tuple(xs[j] for j in idx): q for xs, q in law.items()}


def output_law(dist: Distribution, sched: Schedule, pred: Predictor | None = None) -> dict[tuple, Fraction]:
    """The sampler's output law ``E_S q_S`` exactly (small ``L``)."""
    pred = pred or OptimalPredictor(dist)
    n = _check_enumerable(sched.check_length(dist.L))
    acc: Counter = Counter()
    for part in ordered_partitions(dist.L, sched):
        for x, q in sampler_law(dist, part, pred).items():
            acc[x] += q
    return {x: q / n for x, q in acc.items()}


def kl_divergence(p: dict[tuple, Fraction], q: dict[tuple, Fraction]) -> LogLinear:
    """``KL(p || q) = sum_x p(x) log(p(x)/q(x))`` exactly for rational laws."""
    out = LogLinear()
    for x, px in p.items():
        if px == 0:
            continue
        qx = q.get(x, Fraction(0))
        if qx == 0:
            raise PredictorError(f"q({x}) = 0 where p({x}) > 0: the KL divergence is infinite")
        out._iadd(LogLinear.log(px / qx), px)
    return out


def data_law(dist: Distribution) -> dict[tuple, Fraction]:
    return {tuple(r): Fraction(w, dist.total) for r, w in zip(dist.support.tolist(), dist.weights)}


def sample(dist: Distribution, sched: Schedule, n: int, pred: Predictor | None = None,
           seed: int = 0) -> np.ndarray:
    """Draw ``n`` sequences by really running the sampler step by step (seeded numpy Generator)."""
    pred = pred or OptimalPredictor(dist)
    sched.check_length(dist.L)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dist.L), dtype=np.int64)
    cuts = np.cumsum((0,) + sched.sizes)
    for t in range(n):
        perm = rng.permutation(dist.L)
        x = {}
        for a, b in zip(cuts[:-1], cuts[1:]):
            A = tuple(sorted(x))
            xA = tuple(x[p] for p in A)
            for i in perm[a:b].tolist():
                probs = np.array([float(v) for v in exact_pmf(pred, i, A, xA, dist.V)])
                x[i] = int(rng.choice(dist.V, p=probs / probs.sum()))
        out[t] = [x[p] for p in range(dist.L)]
    return out
