"""The ideal error of the Bernoulli-subset sampler on a time grid, from the profile (float64).

On a grid ``0 = t_0 < ... < t_N = 1`` every position's reveal step is i.i.d. with
``P(step j) = t_{j+1} - t_j`` (a step may reveal nothing).  With the optimal predictor the
expected error is a sum of step costs over the random counts: with ``M_p`` the number of
tokens revealed by time ``p``, ``(M_p, M_q - M_p, L - M_q) ~ Multinomial(L; p, q - p, 1 - q)`` and

    KL_Ber = sum_j Gamma(t_j, t_{j+1}),   Gamma(p, q) = E c(M_p, M_q)
           = sum_u g(u) L (L-1) int_p^q (q - x) B_{u, L-2}(x) dx,

``B_{u,n}(x) = C(n, u) x^u (1-x)^(n-u)`` (Wainwright 2026, the Bernoulli form of the
fixed-cardinality step cost; ``c(a, b) = sum_{u=a}^{b-2} (b-1-u) g(u)`` averaged over the counts).
The integral is closed: with ``I_{u,n}(y) = int_0^y B_{u,n} = P(Bin(n+1, y) >= u+1)/(n+1)`` and
``x B_{u,n}(x) = (u+1)/(n+1) B_{u+1,n+1}(x)``,

    int_p^q (q - x) B_{u,n} dx = q [I_{u,n}]_p^q - (u+1)/(n+1) [I_{u+1,n+1}]_p^q.

The geometric grid is Wainwright's (Corollary 1): ``t_0 = 1/L``, ``psi(t_{j+1}) = (1 + rho)
psi(t_j)`` with ``psi(t) = t/(1-t)``, ``t_N = 1 - 1/L`` (so ``rho = (L-1)^(2/N) - 1``), with
the initial interval ``[0, 1/L]`` and the completion ``[1 - 1/L, 1]``.  Its points are irrational
in general, and then the values are float64 evaluations, not certified; when ``(L-1)^(2/N)`` is an
integer every point is rational (:func:`rational_grid`) and the schedule table evaluates the exact
form of :mod:`proofs_check.model.bernoulli` instead.  ``Gamma`` itself (exact and float) lives in
:mod:`proofs_check.model.bernoulli`; this module only chooses grids.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from theory.definitions import geometric_points, geometric_ratio

from proofs_check.model.bernoulli import Grid, gamma_float, kl_bernoulli_float  # noqa: F401  (one code path)


def geometric_grid(L: int, N: int) -> np.ndarray:
    """``0, t_0 = 1/L, ..., t_N = 1 - 1/L, 1`` with ``psi(t_j) = psi(t_0) (L-1)^(2j/N)``."""
    if L < 3:
        return np.array([0.0, 1.0])
    psi = (L - 1.0) ** (2 * np.arange(N + 1) / N - 1)  # psi(1/L) = 1/(L-1), psi(1-1/L) = L-1
    return np.concatenate([[0.0], psi / (1 + psi), [1.0]])


def expected_steps(L: int, grid: np.ndarray) -> float:
    """Expected number of grid steps that reveal at least one token: ``sum_j 1 - (1 - dt_j)^L``."""
    return float(np.sum(1 - (1 - np.diff(grid)) ** L))


def grid_for_steps(L: int, T: float, max_N: int | None = None) -> np.ndarray:
    """The geometric grid whose expected number of non-empty steps is closest to ``T``."""
    best = None
    for N in range(1, (max_N or 4 * int(T) + 8) + 1):
        grid = geometric_grid(L, N)
        gap = abs(expected_steps(L, grid) - T)
        if best is None or gap < best[0]:
            best = (gap, grid)
        if L < 3:
            break
    return best[1]


#: Longest sequence whose rational geometric grid is evaluated exactly: each interior Gamma costs
#: about L^3 big-rational terms (0.2 s at L = 64, about 25 s at L = 256).
EXACT_MAX_L = 64


def rational_grid(L: int, N: int) -> Grid | None:
    """The geometric grid with its completions as exact rationals, when its points are rational:
    ``(L-1)^(2/N)`` an integer (the grid of W7, :func:`theory.definitions.geometric_points`), and
    ``L <= EXACT_MAX_L``; else ``None`` (the caller evaluates it in float64)."""
    if L < 3 or L > EXACT_MAX_L or geometric_ratio(L, N) is None:
        return None
    return Grid((Fraction(0), *geometric_points(L, N), Fraction(1)))


def n_intervals(L: int, grid: np.ndarray) -> int:
    """``N`` of a geometric grid built by :func:`geometric_grid` (its completions excluded)."""
    return len(grid) - 3 if L >= 3 else 0
