"""A mask predictor learned from samples, with its exact training error.

Training a masked language model minimises the cross entropy of the hidden tokens given
the visible ones, averaged over random masks.  When the predictor may be any function of
the context (a table), the minimiser on ``N`` samples is the empirical conditional: for
position ``i`` and visible positions ``A`` with values ``x_A``, the fraction of the samples
that match ``x_A`` and have ``X_i = v``.  With add-``alpha`` smoothing (a Dirichlet prior
pseudo-count ``alpha`` per symbol):

    phat_i(v | x_A) = (n(x_A, v) + alpha) / (n(x_A) + V alpha).

So a context never seen in training predicts uniformly, and no symbol gets probability 0
(the KL stays finite).  Every probability is an exact fraction, so
:func:`proofs_check.model.sampler.eps_train` and the brute-force sampler KL are exact and F1
(``E_S KL = KL_ideal + eps_train``) can be certified as an identity.

Samples are drawn from the distribution with a seeded ``numpy`` Generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory import registry
from theory.linear import Case
from theory.symbols import KL_ideal

from proofs_check.sources.distributions import Distribution
from proofs_check.errors import PredictorError
from proofs_check.model.instance import ClauseResult, Instance, check_statement
from proofs_check.numerics.exact import as_fraction
from proofs_check.model.sampler import eps_train
from proofs_check.model.schedules import Schedule


def draw_samples(dist: Distribution, n: int, seed: int = 0) -> np.ndarray:
    """``n`` sequences drawn i.i.d. from ``dist`` (shape ``(n, L)``), reproducible from ``seed``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise PredictorError(f"number of samples n={n!r} must be an integer >= 0")
    rng = np.random.default_rng(seed)
    w = np.array([float(x) for x in dist.weights])
    idx = rng.choice(dist.n_support, size=int(n), p=w / w.sum())
    return dist.support[idx]


class CountingPredictor:
    """The add-``alpha`` counting estimate of every conditional ``p(x_i | x_A)`` from samples.

    Callable with the sampler's predictor signature ``p(i, revealed_positions,
    revealed_values)``; returns ``V`` exact fractions summing to 1.
    """

    def __init__(self, samples, V: int, alpha=1):
        self.samples = np.asarray(samples, dtype=np.int64)
        if self.samples.ndim != 2:
            raise PredictorError(f"samples must be a 2-d array (n, L), got shape {self.samples.shape}")
        self.V = int(V)
        self.alpha = as_fraction(alpha)
        if self.alpha <= 0:
            raise PredictorError(f"alpha={alpha} must be > 0: with alpha = 0 an unseen symbol gets probability 0 "
                                 f"and the KL is infinite")
        self._tables: dict[tuple, dict] = {}

    @property
    def n(self) -> int:
        return len(self.samples)

    def table(self, i: int, A: tuple) -> dict:
        """Counts ``{x_A: Counter({v: n(x_A, v)})}`` for position ``i`` given positions ``A``."""
        key = (i, A)
        hit = self._tables.get(key)
        if hit is None:
            hit = {}
            cols = self.samples[:, list(A) + [i]]
            for row in map(tuple, cols.tolist()):
                hit.setdefault(row[:-1], Counter())[row[-1]] += 1
            self._tables[key] = hit
        return hit

    def __call__(self, i, A, xA):
        counts = self.table(int(i), tuple(int(a) for a in A)).get(tuple(int(x) for x in xA), Counter())
        total = sum(counts.values()) + self.V * self.alpha
        return [(counts.get(v, 0) + self.alpha) / total for v in range(self.V)]


def learn_predictor(dist: Distribution, n: int, alpha=1, seed: int = 0) -> CountingPredictor:
    """Draw ``n`` samples of ``dist`` (seeded) and fit the counting predictor to them."""
    return CountingPredictor(draw_samples(dist, n, seed), dist.V, alpha)


@dataclass(frozen=True)
class LearnedRun:
    """One trained predictor: its size, seed, exact eps_train and the F1/P1 verdicts."""

    n: int
    seed: int
    alpha: Fraction
    eps_train: float
    kl: float
    kl_ideal: float
    checks: tuple[ClauseResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.verdict.ok for r in self.checks)


def evaluate_learned(dist: Distribution, sched: Schedule, n: int, alpha=1, seed: int = 0,
                     statements=("F1", "P1")) -> LearnedRun:
    """Train on ``n`` samples and check ``statements`` (default F1 and P1) with the learned predictor.

    The sampler's KL is brute force (every ordered partition), so keep ``L`` small.
    """
    pred = learn_predictor(dist, n, alpha, seed)
    inst = Instance(dist, sched, pred, bruteforce=True)
    checks = []
    for sid in statements:
        checks += check_statement(registry.get(sid), inst)
    return LearnedRun(n=n, seed=seed, alpha=as_fraction(alpha), eps_train=float(inst.eps_train),
                      kl=float(inst.kl_bruteforce), kl_ideal=float(inst.value(KL_ideal, Case(dist.L, sched.sizes))),
                      checks=tuple(checks))


def eps_train_curve(dist: Distribution, sched: Schedule, sizes=(10, 100, 1000, 10000), seeds=range(5),
                    alpha=1) -> list[dict]:
    """``eps_train`` (exact, shown as floats) of the counting predictor for each sample size and
    seed, with the mean over seeds: the training error falls as ``n`` grows."""
    rows = []
    for n in sizes:
        vals = [float(eps_train(dist, sched, learn_predictor(dist, n, alpha, s))) for s in seeds]
        rows.append({"n": n, "eps_train": vals, "mean": sum(vals) / len(vals)})
    return rows
