"""The symmetric elemental basis of the Shannon cone and the distributions realising its directions.

With ``h(0) = 0`` every profile is ``h(m) = m delta(L-1) + sum_{u<L-1} min(m, u+1) g(u)``;
``g(u) >= 0`` and ``delta(L-1) >= 0`` are the symmetrized elemental Shannon inequalities, and the
cone's extreme rays ``min(m, k)`` are realised by maximum-distance-separable codes (copy for
``g(0)``, even parity for ``g(L-2)``, Reed-Solomon codes between, independent uniform symbols for
``delta(L-1)``); see ``notes/00-overview.md``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from proofs_check.sources.distributions import (Distribution, copy_distribution, mds_distribution,
                                                parity_distribution, product_distribution, smallest_prime_at_least)

#: Largest support (rows) of a witness distribution the prover builds to confirm a refutation.
WITNESS_MAX_SUPPORT = 5_000
#: Largest ``L`` at which a refutation is confirmed on a distribution (all ``2^L`` marginals).
WITNESS_MAX_L = 12
#: Up to this ``L`` a witness's ``KL`` comes from the brute-force sampler (when its ordered
#: partitions are few enough, see :mod:`proofs_check.model.instance`); above it, from F1.
WITNESS_BRUTEFORCE_MAX_L = 7


# -- the elemental basis --------------------------------------------------------------------


def basis_names(L: int) -> list[str]:
    """Names of the symmetric elemental directions: ``g(0..L-2)`` then ``delta(L-1)``."""
    return [f"g({x})" for x in range(L - 1)] + [f"delta({L - 1})"]


def basis_matrix(L: int) -> np.ndarray:
    """Integer matrix ``B`` with ``h(m) = sum_b B[m, b] * basis_b`` (rows m = 0..L)."""
    rows = np.arange(L + 1, dtype=np.int64)
    B = np.empty((L + 1, L), dtype=np.int64)
    B[:, :L - 1] = np.minimum.outer(rows, np.arange(1, L, dtype=np.int64))
    B[:, L - 1] = rows
    return B


def to_basis(h_coeffs: list[Fraction]) -> list[Fraction]:
    """Coefficients of ``sum_m c_m h(m)`` (list over m = 0..L) in the elemental basis."""
    L = len(h_coeffs) - 1
    out = [sum((c * min(mm, x + 1) for mm, c in enumerate(h_coeffs)), Fraction(0)) for x in range(L - 1)]
    out.append(sum((c * mm for mm, c in enumerate(h_coeffs)), Fraction(0)))
    return out


# -- realizing a direction by a distribution -------------------------------------------------------


def direction_support(L: int, idx: int) -> int:
    """Support size of the smallest known distribution loading only basis element ``idx``."""
    if idx == L - 1:
        return 2**L
    if idx == 0:
        return 2
    if idx == L - 2:
        return 2 ** (L - 1)
    return smallest_prime_at_least(L) ** (idx + 1)


def direction_distribution(L: int, idx: int) -> tuple[str, Distribution | None]:
    """(description, distribution) loading only basis element ``idx`` (``L`` = the constant).

    ``None`` when the distribution would be too large to evaluate here.
    """
    if idx == L:
        return "deterministic sequence (all entropies 0)", copy_distribution(L, 1)
    if direction_support(L, idx) > WITNESS_MAX_SUPPORT or L > WITNESS_MAX_L:
        return (f"{basis_names(L)[idx]}: realizable (MDS code / product) but too large to evaluate "
                f"here ({direction_support(L, idx)} rows, L={L})"), None
    if idx == L - 1:
        return "independent uniform bits", product_distribution([[1, 1]] * L)
    if idx == 0:
        return "copy", copy_distribution(L, 2)
    if idx == L - 2:
        return "even parity", parity_distribution(L)
    dist = mds_distribution(L, idx + 1)
    return f"Reed-Solomon code, dimension {idx + 1} over GF({dist.V})", dist


def _preferred_direction(candidates: list[int], coefficients) -> int:
    """Among refuting directions, the one with the smallest witness (then the most violated)."""
    L = len(coefficients)
    return min(candidates, key=lambda i: (direction_support(L, i), coefficients[i]))
