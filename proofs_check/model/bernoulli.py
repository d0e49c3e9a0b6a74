"""The Bernoulli-subset sampler on a rational time grid, exactly and by simulation (notes/BER.md).

Grid ``0 = t_0 < t_1 < ... < t_N = 1``.  Every position gets an i.i.d. reveal step ``J_i`` with
``P(J_i = j) = t_{j+1} - t_j``; equivalently, at step ``j`` every still-masked position is revealed
independently with probability ``(t_{j+1} - t_j)/(1 - t_j)``.  A step may reveal nothing.  The
tokens revealed at one step are drawn independently from the predictor given all tokens revealed
before (the sampler of Li & Cai, arXiv 2505.21400, with a random schedule; Wainwright, arXiv
2608.13520, Section 3, calls it Bernoulli unmasking).

For one assignment of reveal steps the sampler's law is ``q_S`` of the ordered partition
``S_j = {i : J_i = j}``, so (as for fixed cardinality, :mod:`proofs_check.model.sampler`)

    E KL(p || q_S) = -H(X) + sum_{(i, A)} P(i is revealed right after exactly A) CE(i, A).

With the optimal predictor this equals (derived in notes/BER.md)

    KL_Ber = sum_j Gamma(t_j, t_{j+1}),  Gamma(p, q) = E c(M_p, M_q),
    (M_p, M_q - M_p, L - M_q) ~ Multinomial(L; p, q - p, 1 - q),  c(a, b) = (b - a) delta(a) - (h(b) - h(a)),

a rational linear form in ``h`` (``theory.definitions.gamma_def``).  This module gives the
formula's value, the brute-force value by enumerating all ``N^L`` reveal-step assignments, the
exact output law, and a Monte Carlo sampler that really draws the reveal steps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from math import prod

import numpy as np
import sympy as sp

from theory.linear import Case, linear_form
from theory.symbols import Gamma

from proofs_check.errors import ScheduleError, TooLargeError
from proofs_check.model.instance import dot
from proofs_check.model.sampler import (OptimalPredictor, Predictor, cross_entropy, entropy, exact_pmf,
                                        sampler_law)
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.distributions import Distribution

#: Largest number of reveal-step assignments N^L the brute force enumerates.
MAX_ASSIGNMENTS = 100_000


@dataclass(frozen=True)
class Grid:
    """Rational times ``0 = t_0 < ... < t_N = 1`` (validated); ``P(step j) = t_{j+1} - t_j``."""

    times: tuple[Fraction, ...]

    def __post_init__(self):
        ts = []
        for n, t in enumerate(self.times):
            if isinstance(t, float):
                raise ScheduleError(f"grid time t_{n} = {t!r} is a float; give exact rationals such as 1/3")
            try:
                ts.append(Fraction(t))
            except (TypeError, ValueError):
                raise ScheduleError(f"grid time t_{n} = {t!r} is not a rational number") from None
        if len(ts) < 2 or ts[0] != 0 or ts[-1] != 1:
            raise ScheduleError(f"grid {[str(t) for t in ts]} must start at 0 and end at 1, e.g. 0,1/2,1")
        for n, (a, b) in enumerate(zip(ts, ts[1:])):
            if not a < b:
                raise ScheduleError(f"grid times must increase strictly: t_{n} = {a} >= t_{n + 1} = {b}")
        object.__setattr__(self, "times", tuple(ts))

    @classmethod
    def parse(cls, text: str) -> "Grid":
        """``"0,1/3,1"``."""
        return cls(tuple(t for t in text.replace(" ", "").split(",") if t))

    @classmethod
    def uniform(cls, N: int) -> "Grid":
        if isinstance(N, bool) or not isinstance(N, int) or N < 1:
            raise ScheduleError(f"uniform grid needs N >= 1 steps, got N={N!r}")
        return cls(tuple(Fraction(j, N) for j in range(N + 1)))

    @property
    def N(self) -> int:
        return len(self.times) - 1

    @property
    def step_probabilities(self) -> tuple[Fraction, ...]:
        return tuple(b - a for a, b in zip(self.times, self.times[1:]))

    def __str__(self) -> str:
        return ",".join(map(str, self.times))


def gamma_sum(grid: Grid) -> sp.Expr:
    """``sum_j Gamma(t_j, t_{j+1})`` as a SymPy expression (expanded by theory.linear)."""
    r = [sp.Rational(t.numerator, t.denominator) for t in grid.times]
    return sp.Add(*(Gamma(a, b) for a, b in zip(r, r[1:])))


def kl_bernoulli_form(L: int, grid: Grid) -> dict:
    """``KL_Ber`` as an exact linear form in ``h(0..L)``."""
    return linear_form(gamma_sum(grid), Case(L))


def kl_bernoulli(dist, grid: Grid) -> LogLinear:
    """``KL_Ber`` of a source from its exact profile (any ``L`` the profile allows)."""
    return dot(kl_bernoulli_form(dist.L, grid), dict(enumerate(dist.profile().h_exact)))


def _tail_integral(u: np.ndarray, n: int, y: float) -> np.ndarray:
    """``I_{u,n}(y) = int_0^y B_{u,n}(x) dx = P(Bin(n+1, y) >= u+1) / (n+1)``."""
    from scipy.stats import binom
    return binom.sf(u, n + 1, y) / (n + 1)


def gamma_float(h: np.ndarray, p: float, q: float) -> float:
    """``Gamma(p, q)`` in float64 for a float profile ``h(0..L)`` and real times (not certified):
    ``Gamma = sum_u g(u) L (L-1) int_p^q (q - x) B_{u, L-2}(x) dx`` (notes/BER.md), the integral by
    ``x B_{u,n}(x) = (u+1)/(n+1) B_{u+1,n+1}(x)`` and binomial tails.  For irrational grids only;
    rational times use the exact form (:func:`kl_bernoulli_form`)."""
    L = len(h) - 1
    if L < 2:
        return 0.0
    n, u = L - 2, np.arange(L - 1)
    g = 2 * h[1:-1] - h[:-2] - h[2:]
    first = q * (_tail_integral(u, n, q) - _tail_integral(u, n, p))
    second = (u + 1) / (n + 1) * (_tail_integral(u + 1, n + 1, q) - _tail_integral(u + 1, n + 1, p))
    return float(L * (L - 1) * np.sum(g * (first - second)))


def kl_bernoulli_float(h: np.ndarray, times) -> float:
    """``sum_j Gamma(t_j, t_{j+1})`` in float64 on increasing real ``times`` (not certified)."""
    return float(sum(gamma_float(h, p, q) for p, q in zip(times[:-1], times[1:])))


def assignments(L: int, grid: Grid):
    """Every reveal-step assignment ``(J_1..J_L)`` with its probability, as (partition, probability)."""
    n = grid.N ** L
    if n > MAX_ASSIGNMENTS:
        raise TooLargeError(f"grid with N={grid.N} steps has {n} reveal-step assignments at L={L}, more than "
                            f"{MAX_ASSIGNMENTS}; use the profile formula (kl_bernoulli) or a shorter sequence")
    P = grid.step_probabilities
    for steps in product(range(grid.N), repeat=L):
        part = tuple(tuple(i for i in range(L) if steps[i] == j) for j in range(grid.N))
        yield part, prod((P[j] for j in steps), start=Fraction(1))


def kl_bernoulli_bruteforce(dist: Distribution, grid: Grid, pred: Predictor | None = None) -> LogLinear:
    """``E KL(p || q_S)`` over the reveal-step assignments, enumerated (small ``L``)."""
    pred = pred or OptimalPredictor(dist)
    uses: Counter = Counter()
    for part, w in assignments(dist.L, grid):
        before: tuple = ()
        for block in part:
            A = tuple(sorted(before))
            for i in block:
                uses[(i, A)] += w
            before += block
    return LogLinear.combination((c, cross_entropy(dist, pred, i, A)) for (i, A), c in uses.items()) - entropy(dist)


def output_law_bernoulli(dist: Distribution, grid: Grid, pred: Predictor | None = None) -> dict:
    """The sampler's output law ``E q_S`` exactly (small ``L``)."""
    pred = pred or OptimalPredictor(dist)
    acc: Counter = Counter()
    for part, w in assignments(dist.L, grid):
        for x, q in sampler_law(dist, part, pred).items():
            acc[x] += w * q
    return dict(acc)


def sample_bernoulli(dist: Distribution, grid: Grid, n: int, pred: Predictor | None = None,
                     seed: int = 0) -> np.ndarray:
    """Draw ``n`` sequences by running the sampler: at step ``j`` each masked position is revealed
    with probability ``(t_{j+1} - t_j)/(1 - t_j)``, then the revealed tokens are drawn from the
    predictor given the tokens revealed before (seeded numpy Generator)."""
    pred = pred or OptimalPredictor(dist)
    rng = np.random.default_rng(seed)
    ts = grid.times
    reveal = [float((b - a) / (1 - a)) for a, b in zip(ts, ts[1:])]
    out = np.empty((n, dist.L), dtype=np.int64)
    for r in range(n):
        x: dict = {}
        for prob in reveal:
            masked = [i for i in range(dist.L) if i not in x]
            block = [i for i in masked if rng.random() < prob]
            A = tuple(sorted(x))
            xA = tuple(x[a] for a in A)
            for i in block:
                pm = np.array([float(v) for v in exact_pmf(pred, i, A, xA, dist.V)])
                x[i] = int(rng.choice(dist.V, p=pm / pm.sum()))
        out[r] = [x[i] for i in range(dist.L)]
    return out
