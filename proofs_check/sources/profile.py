"""Subset entropies and the information profile ``h(0..L)``.

All ``2^L`` marginals are produced by successive marginalisation: the subsets are
visited depth first, each obtained from its parent by summing out one position
(removed positions in increasing order, so each subset is produced exactly once
and only ``L`` marginals are alive at a time).  Dense distributions add the slices
along a numpy axis; sparse ones group projected rows by an integer key.

For a subset ``A`` with integer marginal weights ``w_A`` (total ``W``),
``H(X_A) = log W - (1/W) sum_x w_A(x) log w_A(x)``.  Averaging over the
``C(L, m)`` subsets of size ``m`` gives ``h(m)``, which is therefore

    h(m) = log W - (1 / (W C(L,m))) * sum_n count_m(n) * n * log(n)

with ``count_m(n)`` the number of pairs (subset of size m, cell) whose weight is
``n``.  The float64 backend sums ``w log w`` with numpy; the exact backend keeps
the counts and returns :class:`~proofs_check.numerics.exact.LogLinear` values, which
mpmath evaluates at any precision.  Both read the same integer marginals.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property
from math import comb, log
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from proofs_check.sources.rows import group_rows
from proofs_check.errors import TooLargeError
from proofs_check.limits import check_at_most, limit
from proofs_check.numerics.exact import LogLinear

if TYPE_CHECKING:  # annotations only: distributions builds on this module
    from proofs_check.sources.distributions import Distribution

DENSE_FILL = 0.25  # use numpy axis sums when at least this fraction of V^L is in the support
MAX_PROFILE_L = limit("L")  # the profile enumerates 2^L subsets: refuse larger L


def subset_marginals(dist: Distribution) -> Iterator[tuple[tuple[int, ...], np.ndarray]]:
    """Yield ``(positions, weights)`` for every subset of positions (0-based), weights > 0.

    Positions are in increasing order; the empty subset yields ``[W]``.
    """
    V, L = dist.V, dist.L
    if L > MAX_PROFILE_L:
        raise TooLargeError(
            f"L={L}: the profile enumerates 2^L = {2**L} subsets, more than 2^{MAX_PROFILE_L}; "
            f"use L <= {MAX_PROFILE_L}, or the Markov family whose profile has a closed form")
    dense = dist.n_support >= DENSE_FILL * V**L
    # every marginal of every subset is visited: sum_A V^|A| = (V+1)^L cells when dense, at most
    # n * 2^L rows when sparse; refuse before the first one (the times at the limit are in the README)
    work = (V + 1) ** L if dense else dist.n_support * 2**L
    check_at_most(work, "profile_work", f"the profile's work ({'(V+1)^L' if dense else 'support rows x 2^L'}, "
                  f"V={V}, L={L}, support {dist.n_support})", "use a smaller L or support, or a Markov chain")
    if dense:
        root = dist.dense_array()

        def drop(node, i):
            # add the V slices along axis i (basic-index views): for small V this is about twice
            # as fast as node.sum(axis=i), for int64 and object (Python int) weights alike
            head = (slice(None),) * i
            if V == 1:
                return node[head + (0,)]
            out = node[head + (0,)] + node[head + (1,)]  # a new array: safe to add into
            for v in range(2, V):
                out += node[head + (v,)]
            return out

        # sums of positive weights stay positive: filter zeros only if the joint has some
        has_zeros = not root.all()

        def values(node):
            flat = np.asarray(node).reshape(-1)
            return flat[flat > 0] if has_zeros else flat
    else:
        root = (dist.support, dist.weights_array)

        def drop(node, i):
            return group_rows(np.delete(node[0], i, axis=1), node[1], V)

        def values(node):
            return node[1]

    stack = [(root, tuple(range(L)), 0)]
    while stack:
        node, pos, start = stack.pop()
        yield pos, values(node)
        for i in range(len(pos) - 1, start - 1, -1):
            stack.append((drop(node, i), pos[:i] + pos[i + 1:], i))


def _xlogx_sum(w: np.ndarray) -> float:
    wf = np.asarray(w, dtype=np.float64)
    # an elementwise product and a numpy sum, not np.dot: BLAS threading stalls on a busy machine
    return float((wf * np.log(wf)).sum())


#: Totals with more bits than this are handled by :func:`_entropy_float`'s big-integer path
#: (float64 would overflow in ``W``, ``w log w`` or ``W C(L, m)``).
FLOAT_TOTAL_MAX_BITS = 900


def _entropy_float(w: np.ndarray, W: int) -> float:
    """``H = log W - (1/W) sum_n n log n`` in float64 for integer cell weights ``n`` of total ``W``.

    For a total beyond the double range the same formula is evaluated as ``log W - sum (n/W) log n``
    with ``n/W`` a correctly rounded big-integer quotient and ``log`` of exact integers (display only;
    verdicts use :func:`exact_profile`).
    """
    if W.bit_length() <= FLOAT_TOTAL_MAX_BITS:
        return log(W) - _xlogx_sum(w) / W
    return log(W) - sum((int(n) / W) * log(int(n)) for n in np.asarray(w).reshape(-1))


def subset_entropies(dist: Distribution) -> dict[tuple[int, ...], float]:
    """``H(X_A)`` in nats (float64) for every subset ``A`` of positions."""
    # the empty subset has entropy exactly 0 (log W - W log W / W rounds to about -2e-16)
    return {pos: _entropy_float(w, dist.total) if pos else 0.0 for pos, w in subset_marginals(dist)}


class InformationProfile:
    """``h(0..L)`` of a distribution, in float64 and (lazily) exactly.

    Everything else (``delta``, ``g``, ``D``, MI, TC, DTC, KL_ideal) is a linear
    function of ``h`` defined once in :mod:`theory` and evaluated by
    :mod:`proofs_check.model.instance`.
    """

    def __init__(self, L: int, h_float: np.ndarray, exact_source: Callable[[], list[LogLinear]] | None):
        self.L = L
        self.h_float = h_float
        self._exact_source = exact_source

    @classmethod
    def of(cls, dist: Distribution) -> "InformationProfile":
        L, W = dist.L, dist.total
        if W.bit_length() <= FLOAT_TOTAL_MAX_BITS:
            sums = np.zeros(L + 1)
            for pos, w in subset_marginals(dist):
                sums[len(pos)] += _xlogx_sum(w)
            binom = np.array([comb(L, m) for m in range(L + 1)], dtype=float)
            h = np.log(float(W)) - sums / (float(W) * binom)
        else:  # h(m) = mean over m-subsets of H(X_A), each evaluated without overflow
            h = np.zeros(L + 1)
            for pos, w in subset_marginals(dist):
                h[len(pos)] += _entropy_float(w, W) / comb(L, len(pos))
        h[0] = 0.0
        return cls(L, h, lambda: exact_profile(dist))

    @cached_property
    def h_exact(self) -> list[LogLinear]:
        if self._exact_source is None:
            raise ValueError("this profile has no exact form")
        return self._exact_source()

    @property
    def has_exact(self) -> bool:
        return self._exact_source is not None

    def h_mpmath(self, dps: int = 50):
        return [x.mpf(dps) for x in self.h_exact]


def exact_profile(dist: Distribution) -> list[LogLinear]:
    """``h(0..L)`` as exact log-linear values from per-level weight counts."""
    L, W = dist.L, dist.total
    chunks: list[list[np.ndarray]] = [[] for _ in range(L + 1)]
    for pos, w in subset_marginals(dist):
        chunks[len(pos)].append(np.asarray(w))
    out = [LogLinear()]
    for m in range(1, L + 1):
        # every cell weight n of every m-subset, with its multiplicity c_n (one sort per level)
        vals, counts = np.unique(np.concatenate(chunks[m]), return_counts=True)
        denom = W * comb(L, m)  # h(m) = log W - sum_n c_n n log n / (W C(L, m))
        acc = Counter({W: denom})
        for n, c in zip(vals.tolist(), counts.tolist()):
            acc[int(n)] -= int(c) * int(n)
        out.append(LogLinear.from_integer_form(denom, 0, acc.items()))
    return out
