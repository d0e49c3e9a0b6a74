"""Sequences as integer rows: row-major keys, merging equal rows with exact weight sums.

The lowest piece of ``sources/``: both :mod:`proofs_check.sources.distributions` and the
profile computation (:mod:`proofs_check.sources.profile`) build on it, so neither needs the other.
"""

from __future__ import annotations

import numpy as np

from proofs_check.errors import TooLargeError
from proofs_check.limits import check_power, limit

MAX_DENSE_STATES = limit("dense_states")
INT64_SAFE = 1 << 62


def check_dense_size(V: int, L: int) -> int:
    """``V^L`` when at most the ``dense_states`` limit (compared through logs, never formatted huge)."""
    return check_power(V, L, "dense_states", "the number of states",
                       "use a smaller L or V, or a sparse/Markov distribution")


def index_to_rows(idx: np.ndarray, V: int, L: int) -> np.ndarray:
    rows = np.empty((len(idx), L), dtype=np.int64)
    rest = idx.copy()
    for j in range(L - 1, -1, -1):
        rows[:, j] = rest % V
        rest //= V
    return rows


def rows_to_index(rows: np.ndarray, V: int) -> np.ndarray:
    """Row-major integer key of each row (position 1 most significant)."""
    k = rows.shape[1]
    if V**k >= INT64_SAFE:
        raise TooLargeError(f"V^k = {V}^{k} does not fit a 64-bit key; use fewer positions")
    powers = V ** np.arange(k - 1, -1, -1, dtype=np.int64)
    return rows @ powers


def group_rows(rows: np.ndarray, weights: np.ndarray, V: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge equal rows, adding their weights exactly (integer key + sort + reduceat)."""
    if rows.shape[1] == 0:
        return rows[:1], np.array([weights.sum()], dtype=weights.dtype)
    if V ** rows.shape[1] < INT64_SAFE:
        keys = rows_to_index(rows, V)
        order = np.argsort(keys, kind="stable")
        skeys = keys[order]
        starts = np.flatnonzero(np.r_[True, skeys[1:] != skeys[:-1]])
    else:  # keys too wide for int64: lexicographic sort of the rows themselves
        order = np.lexsort(rows.T[::-1])
        srows = rows[order]
        starts = np.flatnonzero(np.r_[True, np.any(srows[1:] != srows[:-1], axis=1)])
    sw = weights[order]
    return rows[order[starts]], np.add.reduceat(sw, starts)
