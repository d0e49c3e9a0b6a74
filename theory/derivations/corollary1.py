"""Corollary 1 of Li & Cai (arXiv 2505.21400): balanced schedules, ``KL_ideal <= C1/T MI``.

From Theorem 1 (P1) ``C1 = 2`` works for every ``1 <= T <= L`` and 2 is the supremum
(:func:`corollary1_p1_bound`, :func:`corollary1_p1_supremum`); from S1 ``C1 = 1``, also a
supremum (:func:`corollary1_s1_bound`).  Proof sketch: ``notes/P3.md``.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ..symbols import L, s_max
from .common import Bound, Identity, Table, ceil_div, p1_factor, p1_factor_with_exponent, q, s1_constant



def corollary1_p1_bound() -> Bound:
    """With ``s_max = ceil(L/T)``, P1 gives ``T * factor/L < 2`` for every ``1 <= T <= L``.

    Let ``c = ceil(log2 s_max) >= 1`` (for ``s_max = 1`` the factor is 0). Then
    ``s_max >= 2^(c-1) + 1`` and ``s_max - 1 < L/T``, so ``L >= T*2^(c-1) + 1``. The quantity
    ``T(2^c - 1)/L`` decreases in ``L`` (``steps['d_dL']`` is negative), so it is largest at
    ``L = T*2^(c-1) + 1``; SymPy puts the gap to 2 in the form ``2(T+2)/(2^c T + 2) > 0``.
    ``value`` is that worst case (in ``T`` and ``c``).
    """
    c = sp.Symbol("c", integer=True, positive=True)
    TT = sp.Symbol("T", integer=True, positive=True)
    LL = sp.Symbol("L", integer=True, positive=True)
    factor = TT * p1_factor_with_exponent(c) / LL
    worst_L = TT * 2 ** (c - 1) + 1
    return Bound("Corollary 1 via P1: C1 = 2", sp.simplify(factor.subs(LL, worst_L)), sp.Integer(2), strict=True,
                 steps={"factor": factor, "d_dL": sp.diff(factor, LL), "worst_L": worst_L, "T": TT, "c": c})


def corollary1_p1_table(max_L: int = 200) -> Table:
    """Exact check of :func:`corollary1_p1_bound`: for each ``L <= max_L``, the largest
    ``T * P1_factor(ceil(L/T)) / L`` over ``T = 1..L`` (columns ``L``, ``T``, ``s``, ``factor``)."""
    rows = []
    for LL in range(1, max_L + 1):
        best = max((Fraction(TT * int(p1_factor(ceil_div(LL, TT))), LL), TT) for TT in range(1, LL + 1))
        rows.append((sp.Integer(LL), sp.Integer(best[1]), sp.Integer(ceil_div(LL, best[1])), q(best[0])))
    return Table("Corollary 1 via P1: worst T per L", ("L", "T", "s", "factor"), tuple(rows))


def corollary1_p1_supremum() -> Identity:
    """2 is the supremum of the Corollary-1 factor from P1: a sequence along which it tends to 2.

    Take ``T = 2^k`` and ``L = 4^k + 1`` (``k >= 1``): ``L/T = 2^k + 2^-k``, so ``ceil(L/T) = 2^k + 1``
    and ``ceil(log2(2^k + 1)) = k + 1``; this is the worst case ``L = T*2^(c-1) + 1`` of
    :func:`corollary1_p1_bound`. The factor is ``2^k (2^(k+1) - 1)/(4^k + 1)`` and SymPy's ``limit``
    as ``k -> oo`` is 2. The brackets that fix the ceilings are in ``steps`` as expressions that must
    be positive/nonnegative. ``steps['alt_limit']`` is the limit along ``L = T(2^k + 1)`` (also 2,
    but only because ``k`` grows; there the gap shrinks like ``3/2^k`` rather than ``2^-k``).
    """
    kk = sp.Symbol("k", integer=True, positive=True)
    TT, LL = 2 ** kk, 2 ** (2 * kk) + 1  # L = 4^k + 1, written as a power of 2 so that SymPy cancels
    s_val = 2 ** kk + 1
    factor = sp.simplify(TT * p1_factor_with_exponent(kk + 1).subs(L, LL) / LL)
    lim = sp.limit(factor, kk, sp.oo)
    alt = sp.simplify(p1_factor_with_exponent(kk + 1) / (2 ** kk + 1))  # T cancels when L = T(2^k+1)
    brackets = {
        # T (s - 1) < L <= T s  <=>  ceil(L/T) = s
        "L - T(s-1)": sp.expand(LL - TT * (s_val - 1)),
        "T s - L": sp.expand(TT * s_val - LL),
        # 2^k < s <= 2^(k+1)  <=>  ceil(log2 s) = k + 1
        "s - 2^k": sp.expand(s_val - 2 ** kk),
        "2^(k+1) - s": sp.expand(2 ** (kk + 1) - s_val),
    }
    return Identity("Corollary 1 via P1: supremum 2", lim, sp.Integer(2),
                    {"k": kk, "factor": factor, "gap": sp.simplify(2 - factor), "brackets": brackets,
                     "alt_factor": alt, "alt_limit": sp.limit(alt, kk, sp.oo)})


def corollary1_s1_bound() -> Bound:
    """From S1, ``T (ceil(L/T) - 1)/L < 1``, i.e. ``C1 = 1``; and 1 is the supremum.

    With ``s = ceil(L/T) = q + 1`` (``q >= 0``), ``L >= T q + 1``; the registry's S1 constant times
    ``T`` decreases in ``L``, so it is largest at that ``L``: ``T q/(T q + 1)``. SymPy gives the gap
    ``1/(T q + 1) > 0``, and with ``n = T q`` the value ``n/(n+1)`` has limit 1 as ``n -> oo``
    (``steps['limit']``).
    """
    TT = sp.Symbol("T", integer=True, positive=True)
    q = sp.Symbol("q", integer=True, nonnegative=True)
    n = sp.Symbol("n", integer=True, nonnegative=True)
    LL = sp.Symbol("L", integer=True, positive=True)
    worst_L = TT * q + 1
    factor = TT * s1_constant().subs({s_max: q + 1, L: LL})
    value = sp.simplify(factor.subs(LL, worst_L))
    value_n = sp.simplify(value.subs(q, n / TT))
    return Bound("Corollary 1 via S1: C1 = 1", value, sp.Integer(1), strict=True,
                 steps={"factor": factor, "d_dL": sp.diff(factor, LL), "worst_L": worst_L, "value_in_n": value_n, "limit": sp.limit(value_n, n, sp.oo)})


def corollary1_s1_table(max_L: int = 200) -> Table:
    """Exact check of :func:`corollary1_s1_bound`: per ``L``, the largest ``T * s1_constant(ceil(L/T))``."""
    num = sp.simplify(s1_constant() * L)  # s_max - 1
    nums = {sv: int(num.subs(s_max, sv)) for sv in range(1, max_L + 1)}
    rows = []
    for LL in range(1, max_L + 1):
        best = max((Fraction(TT * nums[ceil_div(LL, TT)], LL), TT) for TT in range(1, LL + 1))
        rows.append((sp.Integer(LL), sp.Integer(best[1]), q(best[0])))
    return Table("Corollary 1 via S1: worst T per L", ("L", "T", "factor"), tuple(rows))
