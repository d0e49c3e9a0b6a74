"""P2, the halving recursion in the proof of Li & Cai's Theorem 1 (arXiv 2505.21400), solved.

``eps(1) = 0``, ``eps(s) <= eps(ceil(s/2)) + s/(2L) MI`` gives Theorem 1's factor ``2^k - 1`` at
``s = 2^k`` (:func:`p2_power_of_two`), never more in between (:func:`p2_general`,
:func:`p2_general_symbolic`), and with the exact drop ``floor(s/2)`` S1's ``s - 1``
(:func:`p2_floor_allowance`).  Proof sketch: ``notes/P2.md``.
"""

from __future__ import annotations

import sympy as sp

from ..registry import P1_CONSTANT
from ..symbols import L, s_max
from .common import Identity, Table, ceil_div, p1_factor, p1_factor_with_exponent, p2_allowance, s1_constant



def p2_power_of_two() -> Identity:
    """Solve P2's recursion at ``s = 2^k``: the worst ideal error is at most ``(2^k - 1)/L * MI``.

    In units of ``MI/L`` write ``a(k)`` for the solution of the recursion taken with equality at
    ``s = 2^k``. Since ``ceil(2^k/2) = 2^(k-1)``, ``a(k) = a(k-1) + allowance(2^k)`` with
    ``a(0) = eps(1) = 0``. SymPy's ``rsolve`` solves it (and, independently, ``summation`` adds up
    the allowances); the target is the registry's ``P1_CONSTANT`` at ``s_max = 2^k``, which SymPy
    simplifies to ``(2^k - 1)/L``. The recursion's solution with equality bounds ``eps`` by
    induction on ``k`` because the right side is increasing in ``eps(ceil(s/2))``.
    ``derived`` and ``target`` are coefficients of ``MI``.
    """
    kk = sp.Symbol("k", integer=True, nonnegative=True)
    ii = sp.Symbol("i", integer=True, positive=True)
    a = sp.Function("a")
    allowance = p2_allowance()
    step = allowance.subs(s_max, 2 ** kk)  # 2^(k-1)
    solved = sp.rsolve(a(kk) - a(kk - 1) - step, a(kk), {a(0): 0})
    summed = sp.summation(allowance.subs(s_max, 2 ** ii), (ii, 1, kk))
    target = sp.simplify(P1_CONSTANT.subs(s_max, 2 ** kk))
    return Identity(
        "P2 solved at s = 2^k", sp.simplify(solved / L), target,
        {"k": kk, "allowance": allowance, "recursion_step": step, "rsolve": solved,
         "summation": sp.simplify(summed), "target_factor": sp.simplify(L * target)},
    )


def p2_unrolled(s_value: int) -> sp.Rational:
    """P2's recursion unrolled with equality (defined here; the registry holds the one-step clause):
    ``U(1) = 0``, ``U(s) = U(ceil(s/2)) + allowance(s)``, in units of ``MI/L``."""
    if s_value == 1:
        return sp.Integer(0)
    return p2_unrolled(ceil_div(s_value, 2)) + p2_allowance().subs(s_max, s_value)


def p2_general(max_s: int = 64) -> Table:
    """The general (``ceil``) form of P2's solution, exactly for ``s = 1..max_s``.

    Columns: ``s``; ``c = ceil(log2 s)``; ``unrolled`` = :func:`p2_unrolled`; ``chain`` = the closed
    form ``sum_{i<c} allowance(ceil(s/2^i))`` (the ceil chain ``s, ceil(s/2), ...`` is
    ``ceil(s/2^i)``, it reaches 1 after exactly ``c`` halvings); ``p1`` = the registry's factor
    ``2^c - 1``. Expected: ``unrolled == chain <= p1`` with equality iff ``s`` is a power of two.
    The symbolic half of the argument is :func:`p2_general_symbolic`.
    """
    allowance = p2_allowance()
    rows = []
    for sv in range(1, max_s + 1):
        c = (sv - 1).bit_length()
        chain = sum((allowance.subs(s_max, ceil_div(sv, 2 ** i)) for i in range(c)), sp.Integer(0))
        rows.append((sp.Integer(sv), sp.Integer(c), p2_unrolled(sv), sp.nsimplify(chain), p1_factor(sv)))
    return Table("P2 unrolled with ceil vs P1's factor", ("s", "c", "unrolled", "chain", "p1"), tuple(rows))


def p2_general_symbolic() -> Identity:
    """Why the ``ceil`` form never exceeds P1's factor, symbolically.

    For ``s <= 2^c`` every chain value satisfies ``ceil(s/2^i) <= 2^(c-i)`` and the allowance is
    increasing, so the unrolled sum is at most the sum at ``s = 2^c``. SymPy evaluates that sum,
    ``sum_{i=0}^{c-1} allowance(2^(c-i))``, to ``2^c - 1``: the registry's P1 factor with exponent
    ``c``. (The finite table :func:`p2_general` checks the inequality itself for ``s <= 64``.)
    """
    c = sp.Symbol("c", integer=True, positive=True)
    ii = sp.Symbol("i", integer=True, nonnegative=True)
    majorant = sp.summation(p2_allowance().subs(s_max, 2 ** (c - ii)), (ii, 0, c - 1))
    return Identity("P2 ceil form <= P1 factor (majorant at s = 2^c)", sp.simplify(majorant),
                    p1_factor_with_exponent(c), {"c": c})


def p2_floor_allowance() -> Identity:
    """With the exact halving drop ``floor(s/2)`` instead of ``s/2``, the recursion solves to ``s - 1``.

    (Extra, beyond P2 as stated.) The proof sketch of P2 (notes/P2.md) shows halving lowers the
    ideal error by at most ``floor(s_max/2) MI/L``. Along the ceil chain ``s_0 = s``,
    ``s_{i+1} = ceil(s_i/2)``, one has ``floor(s_i/2) = s_i - s_{i+1}``, so SymPy telescopes the
    unrolled sum to ``s_0 - s_c = s - 1``: exactly S1's constant ``(s_max - 1)/L`` (registry).
    ``derived`` and ``target`` are coefficients of ``MI``.
    """
    c = sp.Symbol("c", integer=True, nonnegative=True)
    ii = sp.Symbol("i", integer=True, nonnegative=True)
    chain = sp.Function("chain")
    y = sp.Symbol("y", integer=True)
    # floor(x/2) = x - ceil(x/2) for every integer x, checked on both parities x = 2y, 2y + 1:
    pointwise = [sp.simplify(sp.floor(x / 2) - (x - sp.ceiling(x / 2))) for x in (2 * y, 2 * y + 1)]
    telescoped = sp.Sum(chain(ii) - chain(ii + 1), (ii, 0, c - 1)).doit()
    derived = telescoped.subs({chain(0): s_max, chain(c): 1}) / L
    return Identity("P2 with floor(s/2) drops solves to S1's constant", sp.simplify(derived), s1_constant(),
                    {"pointwise_residual": pointwise, "telescoped": telescoped})


def p2_floor_table(max_s: int = 64) -> Table:
    """Exact check of :func:`p2_floor_allowance` for ``s = 1..max_s``: columns ``s``, the unrolled
    sum of ``floor(s_i/2)`` along the ceil chain, and ``s - 1``."""
    rows = []
    for sv in range(1, max_s + 1):
        total, x = 0, sv
        while x > 1:
            total += x // 2
            x = ceil_div(x, 2)
        rows.append((sp.Integer(sv), sp.Integer(total), sp.simplify(L * s1_constant().subs(s_max, sv))))
    return Table("P2 with floor drops vs S1", ("s", "unrolled_floor", "s1"), tuple(rows))
