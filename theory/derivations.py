"""Symbolic derivations behind the registry's constants, with SymPy doing the algebra.

Each public function derives one fact proved in a note (notes/<id>.md) and returns SymPy objects wrapped
in one of three small result types:

* :class:`Identity`  -- ``derived`` (what SymPy computed) should equal ``target`` (read from the
  registry); :meth:`Identity.holds` is ``simplify(derived - target) == 0``.
* :class:`Bound`     -- ``value <= bound``, proved by the sign of ``gap = bound - value``, which
  SymPy decides from the assumptions on the symbols (positive integers etc.).
* :class:`Table`     -- an exact finite check: rows of SymPy Integers/Rationals over a range.

Every formula is taken from :mod:`theory.registry` / :mod:`theory.definitions` (``P1_CONSTANT``,
the P2 allowance, S1's constant, ``C_S``, ``KL_IDEAL_H_FORM``, the scalar definitions).  The few
formulas the registry does not hold are defined once here and say so in their docstring:
the copy distribution's profile (:data:`COPY_PROFILE`), the unrolled P2 recursion
(:func:`p2_unrolled`) and the piecewise closed form of ``c_s`` (:func:`c_s_closed`).

Nothing here samples floating-point values: symbolic results are compared with
``simplify``/``factor`` and sign assumptions, finite ones with exact rationals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from . import registry
from .definitions import C_S, C_S_SUM, KL_IDEAL_H_FORM, SCALAR_DEFINITIONS, D_def, delta_def, g_def
from .linear import Case, linear_form
from .registry import P1_CONSTANT
from .symbols import (DTC, KL_ideal, KL_ideal_refined, MI, TC, H, L, delta, g, h,
                      k, m, s, s_max, s_step, u)

# ---------------------------------------------------------------------------------------------
# result types


@dataclass(frozen=True)
class Identity:
    """``derived == target`` as SymPy expressions; ``steps`` keeps the intermediate results."""

    name: str
    derived: sp.Expr
    target: sp.Expr
    steps: dict = field(default_factory=dict)

    def residual(self, target=None) -> sp.Expr:
        other = self.target if target is None else sp.sympify(target)
        return sp.simplify(self.derived - other)

    def holds(self, target=None) -> bool:
        """True iff SymPy simplifies ``derived - target`` to exactly 0."""
        return self.residual(target) == 0


@dataclass(frozen=True)
class Bound:
    """``value <= bound`` (``< bound`` when ``strict``), proved by the sign of the factored gap."""

    name: str
    value: sp.Expr
    bound: sp.Expr
    strict: bool = False
    steps: dict = field(default_factory=dict)

    def gap(self, bound=None) -> sp.Expr:
        other = self.bound if bound is None else sp.sympify(bound)
        return sp.factor(sp.simplify(other - self.value))

    def holds(self, bound=None) -> bool:
        """True iff SymPy decides the gap's sign from the symbols' assumptions (None counts as False)."""
        gap = self.gap(bound)
        return bool(gap.is_positive if self.strict else gap.is_nonnegative)


@dataclass(frozen=True)
class Table:
    """An exact finite check: ``rows`` of SymPy numbers under ``columns``."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]

    def column(self, name: str) -> list:
        idx = self.columns.index(name)
        return [row[idx] for row in self.rows]

    def dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _q(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


# ---------------------------------------------------------------------------------------------
# quantities read from the registry

#: The exponent ceiling(log2 s_max) inside the registry's P1_CONSTANT.
_P1_EXPONENT = next(iter(P1_CONSTANT.atoms(sp.ceiling)))


def p1_factor_with_exponent(c) -> sp.Expr:
    """``L * P1_CONSTANT`` with its exponent ``ceiling(log2 s_max)`` replaced by ``c``.

    Used where SymPy cannot evaluate the ceiling of a symbolic argument; the caller shows that
    ``2^(c-1) < s_max <= 2^c`` (which is what ``c = ceiling(log2 s_max)`` means)."""
    return sp.expand(L * P1_CONSTANT.xreplace({_P1_EXPONENT: c}))


@lru_cache(maxsize=None)
def p1_factor(s_value: int) -> sp.Integer:
    """``L * P1_CONSTANT`` at ``s_max = s_value``: the registry's factor ``2^ceil(log2 s) - 1``, exactly."""
    val = sp.simplify((L * P1_CONSTANT).subs(s_max, s_value))
    if not val.is_Integer:
        raise ValueError(f"P1 factor at s_max={s_value} did not evaluate exactly: {val}")
    return val


def p2_allowance() -> sp.Expr:
    """P2's allowance per halving in units of ``MI/L``, read off the registry's clause (``s_max/2``)."""
    clause = registry.get("P2").clauses[0]
    return sp.simplify((clause.rhs - KL_ideal_refined) * L / MI)


def s1_constant() -> sp.Expr:
    """S1's constant ``(s_max - 1)/L`` (coefficient of ``MI``), read off the registry's clause."""
    clause = registry.get("S1").clauses[1]
    return sp.simplify(clause.rhs / MI)


# ---------------------------------------------------------------------------------------------
# 1. P2's recursion


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
    return p2_unrolled(_ceil_div(s_value, 2)) + p2_allowance().subs(s_max, s_value)


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
        chain = sum((allowance.subs(s_max, _ceil_div(sv, 2 ** i)) for i in range(c)), sp.Integer(0))
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
            x = _ceil_div(x, 2)
        rows.append((sp.Integer(sv), sp.Integer(total), sp.simplify(L * s1_constant().subs(s_max, sv))))
    return Table("P2 with floor drops vs S1", ("s", "unrolled_floor", "s1"), tuple(rows))


# ---------------------------------------------------------------------------------------------
# 2. Corollary 1 (P3)


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
        best = max((Fraction(TT * int(p1_factor(_ceil_div(LL, TT))), LL), TT) for TT in range(1, LL + 1))
        rows.append((sp.Integer(LL), sp.Integer(best[1]), sp.Integer(_ceil_div(LL, best[1])), _q(best[0])))
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
        best = max((Fraction(TT * nums[_ceil_div(LL, TT)], LL), TT) for TT in range(1, LL + 1))
        rows.append((sp.Integer(LL), sp.Integer(best[1]), _q(best[0])))
    return Table("Corollary 1 via S1: worst T per L", ("L", "T", "factor"), tuple(rows))


# ---------------------------------------------------------------------------------------------
# 3. S1 is tight on the copy distribution

_x = sp.Symbol("x", integer=True, nonnegative=True)

#: The copy distribution's profile (defined here; the registry has no distributions):
#: ``h(0) = 0`` and ``h(m) = H`` for ``m >= 1`` (all tokens equal, each of entropy ``H``).
COPY_PROFILE = sp.Lambda(_x, sp.Piecewise((0, sp.Eq(_x, 0)), (H, True)))


def _on_profile(expr, profile=COPY_PROFILE) -> sp.Expr:
    """Expand ``delta`` through its definition, then put ``profile`` in for ``h``."""
    expr = expr.replace(delta, lambda a: delta_def(a))
    return sp.simplify(expr.replace(h, lambda a: profile(a)))


def s1_copy_tightness() -> Identity:
    """On copy, a schedule whose first step is ``s_max`` has ``KL_ideal = (s_max - 1) H``, which is
    S1's bound ``(s_max - 1)/L * MI`` (``MI = L H`` on copy): S1 is tight, symbolic in ``H``, ``s_max``.

    The per-step term of the registry's ``KL_IDEAL_H_FORM``, ``s_k delta(m_k) - (h(m_k+s_k) - h(m_k))``,
    is ``(s_max - 1) H`` for the first step (``m_1 = 0``, ``s_1 = s_max``) and 0 for every later step
    (``m_k >= 1``: ``h`` is flat there). ``MI`` from the registry's definition is ``L H`` for
    ``L >= 2`` (written ``L = n + 1``, ``n >= 1``).
    """
    term = KL_IDEAL_H_FORM.function
    first = _on_profile(term.subs({s[k]: s_max, m[k]: 0}))
    mk = sp.Symbol("m_k", integer=True, positive=True)
    sk = sp.Symbol("s_k", integer=True, positive=True)
    later = _on_profile(term.subs({s[k]: sk, m[k]: mk}))
    n = sp.Symbol("n", integer=True, positive=True)
    mi_copy = sp.simplify(_on_profile(SCALAR_DEFINITIONS[MI].subs(L, n + 1)).subs(n, L - 1))
    bound = sp.simplify(s1_constant() * mi_copy)
    return Identity("S1 tight on copy", first + later, bound,
                    {"first_step": first, "later_step": later, "MI_copy": mi_copy})


def copy_ideal_errors(schedules) -> Table:
    """Exact ``KL_ideal`` and S1's bound on copy for concrete schedules, via :mod:`theory.linear`.

    Columns: ``sizes``, ``KL`` (the registry's ``KL_ideal`` linear form with the copy profile, a
    multiple of ``H``), ``bound`` (S1's ``(s_max-1)/L * MI`` on copy), ``first`` (``(s_1 - 1) H``).
    Expected: ``KL == first`` always and ``KL == bound`` iff the first step is a largest one.
    """
    rows = []
    for sizes in schedules:
        sizes = tuple(sizes)
        case = Case(sum(sizes), sizes)
        kl = _form_on_copy(linear_form(KL_ideal, case))
        mi = _form_on_copy(linear_form(MI, case))
        bound = sp.simplify(s1_constant().subs({s_max: max(sizes), L: sum(sizes)}) * mi)
        rows.append((sizes, kl, bound, (sizes[0] - 1) * H))
    return Table("copy: KL_ideal vs S1 bound", ("sizes", "KL", "bound", "first"), tuple(rows))


def _form_on_copy(form) -> sp.Expr:
    total = sp.Integer(0)
    for key, coeff in form.items():
        if not isinstance(key, int):
            raise ValueError(f"unexpected term {key} in a profile form")
        total += _q(coeff) * COPY_PROFILE(key)
    return sp.simplify(total)


# ---------------------------------------------------------------------------------------------
# 4. S3's weights c_s(u)

_t = sp.Symbol("t", integer=True, nonnegative=True)  # t = L - 1 - u, the room left after u
_d = sp.Symbol("d", integer=True, nonnegative=True)  # u = L - s - d on the inner range
_n = sp.Symbol("n", integer=True, positive=True)     # s = t + 1 + n on the tail (t < s - 1)
_j = sp.Symbol("j", integer=True, nonnegative=True)  # re-indexed summation variable


def _c_s_parts(expr):
    """Split the defining ``C_S_SUM(u)`` (``Sum(Min(kk, L-1-u), (kk, 0, s-1)) / s``) into the Sum, its
    summand, the summation variable and the outside factor."""
    (sm,) = [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Sum)]
    (var, lo, hi), = sm.limits
    return sm, sm.function, var, sp.simplify(expr / sm), (lo, hi)


def c_s_inner() -> Identity:
    """``c_s(u) = (s-1)/2`` for every ``u <= L - s``.

    Put ``u = L - s - d`` (``d >= 0``) into the defining ``C_S_SUM`` and re-index ``kk = s-1-j``:
    the summand becomes ``Min(s-1-j, s-1+d)``, which SymPy reduces to ``s-1-j`` (``j, d >= 0``),
    and the sum evaluates to ``(s-1)/2``.
    """
    expr = C_S_SUM(u).subs(u, L - s_step - _d)
    sm, _, var, outside, _ = _c_s_parts(expr)
    reindexed = sm.change_index(var, -var + s_step - 1, _j)
    target = C_S(L - s_step - _d)  # the closed form's first branch: its condition reduces to d >= 0
    return Identity("c_s(u) on u <= L-s", sp.simplify(outside * reindexed.doit()), target,
                    {"reindexed": reindexed})


def c_s_tail() -> Identity:
    """``c_s(u) = (t(t+1)/2 + (s-1-t) t)/s`` with ``t = L-1-u < s-1`` (the tail ``u > L - s``).

    The defining sum over ``kk = 0..s-1`` is split at ``kk = t``; the first part is re-indexed
    ``kk = t - j`` (``Min(t-j, t) = t-j``), the second ``kk = t+1+j`` (``Min(t+1+j, t) = t``); SymPy
    resolves both ``Min`` from ``j >= 0`` and sums (the split is valid for ``0 <= t <= s-1``; the
    tail is ``t < s-1``). SymPy's form is ``t(2s - t - 1)/(2s)``.
    """
    expr = C_S_SUM(u).subs(u, L - 1 - _t)
    sm, body, var, outside, (lo, hi) = _c_s_parts(expr)
    head = sp.Sum(body, (var, lo, _t)).change_index(var, -var + _t, _j)
    # change_index(var, trafo, new): new = trafo(var); here j = kk - t - 1, i.e. kk = t + 1 + j
    rest = sp.Sum(body, (var, _t + 1, hi)).change_index(var, var - _t - 1, _j)
    total = sp.simplify(outside * (head.doit() + rest.doit()))
    target = C_S(L - 1 - _t).args[1].expr  # the closed form's second branch, at t = L-1-u
    return Identity("c_s(u) on u > L-s", total, target, {"t": _t, "head": head, "rest": rest})


def c_s_upper_bound() -> dict[str, Bound]:
    """``c_s(u) <= (s-1)/2`` everywhere: equality on ``u <= L-s`` (gap 0) and a positive gap on the tail.

    On the tail SymPy factors ``(s-1)/2 - c_s`` into ``n(n+1)/(2s)`` with ``n = s-1-t >= 1``, i.e.
    ``(s-t)(s-t-1)/(2s)``. Also ``c_s(u) >= 0`` on the tail (``t >= 0``). Returns the three bounds.
    """
    inner, tail = c_s_inner(), c_s_tail()
    half = (s_step - 1) / 2
    tail_in_n = sp.simplify(tail.derived.subs(s_step, _t + 1 + _n))
    return {
        "inner": Bound("c_s <= (s-1)/2 on u <= L-s", inner.derived, half),
        "tail": Bound("c_s < (s-1)/2 on u > L-s", tail_in_n, half.subs(s_step, _t + 1 + _n), strict=True,
                      steps={"n": _n, "t": _t}),
        "tail_nonnegative": Bound("c_s >= 0 on u > L-s", sp.Integer(0), tail_in_n),
    }


def c_s_closed(L_value: int, s_value: int, u_value: int) -> sp.Rational:
    """The closed form ``C_S`` (what the statements use) at concrete ``L``, ``s``, ``u``."""
    return C_S(sp.Integer(u_value)).xreplace({L: sp.Integer(L_value), s_step: sp.Integer(s_value)})


def c_s_table(max_L: int = 12) -> Table:
    """Exact check, for every ``L <= max_L``, ``s = 1..L``, ``u = 0..L-2``: the defining sum ``C_S_SUM``
    (evaluated term by term in exact integers) against the closed form ``C_S`` and the bound ``(s-1)/2``."""
    sm, body, var, outside, (lo, hi) = _c_s_parts(C_S_SUM(u))
    rows = []
    for LL in range(2, max_L + 1):
        for sv in range(1, LL + 1):
            for uv in range(LL - 1):
                # the registry's Sum, term by term (Sum.doit() on Min is ~100x slower, same values)
                env = {L: sp.Integer(LL), s_step: sp.Integer(sv), u: sp.Integer(uv)}
                terms = range(int(lo.xreplace(env)), int(hi.xreplace(env)) + 1)
                reg = outside.xreplace(env) * sum((body.xreplace({**env, var: sp.Integer(i)}) for i in terms),
                                                  sp.Integer(0))
                rows.append((sp.Integer(LL), sp.Integer(sv), sp.Integer(uv), reg, c_s_closed(LL, sv, uv),
                             sp.Rational(sv - 1, 2)))
    return Table("c_s: registry vs closed form", ("L", "s", "u", "registry", "closed", "half"), tuple(rows))


def offset_identity(L_value: int, s_value: int, family) -> Identity:
    """``E_r KL_ideal = sum_u c_s(u) g(u)`` (S3 clause 0) for one concrete ``L``, ``s``, exactly.

    ``family``: the schedules of S3's randomized-offset family, as size tuples or objects with a
    ``sizes`` attribute (``proofs_check.model.schedules.offset_family`` supplies them; ``theory`` does not
    import ``proofs_check``). Both sides are turned into exact linear forms in ``h(1..L)`` by
    :mod:`theory.linear` (``h(0) = 0`` is dropped) and returned as SymPy expressions.
    """
    fam = tuple(tuple(getattr(f, "sizes", f)) for f in family)
    case = Case(L_value, family=fam, step=s_value)
    clause = registry.get("S3").clauses[0]
    lhs, rhs = (_form_to_h(linear_form(side, case)) for side in (clause.lhs, clause.rhs))
    return Identity(f"S3 weights at L={L_value}, s={s_value}", lhs, rhs)


def _form_to_h(form) -> sp.Expr:
    out = sp.Integer(0)
    for key, coeff in form.items():
        if not isinstance(key, int):
            raise ValueError(f"unexpected term {key} in a profile form")
        if key:  # h(0) = 0
            out += _q(coeff) * h(key)
    return out


# ---------------------------------------------------------------------------------------------
# 5. F3's forms


def weighted_g_sum(weight) -> tuple[sp.Expr, dict]:
    """``sum_{u=0}^{L-2} w(u) g(u)`` in terms of ``h``, for general symbolic ``L``.

    Summation by parts: ``w(u)(delta(u) - delta(u+1)) = [F(u) - F(u+1)] + (w(u+1) - w(u)) delta(u+1)``
    with ``F(u) = w(u) delta(u)`` (SymPy checks the pointwise identity: ``steps['pointwise']`` is 0).
    SymPy telescopes the bracket for an abstract ``F`` and then substitutes it; the second part has a
    constant coefficient for the weights used here, and SymPy telescopes it after expanding ``delta``.
    ``h(0) = 0`` is applied at the end.
    """
    w = sp.Lambda(u, weight)
    F = sp.Function("F")
    summand = w(u) * g_def(u)
    tele = w(u) * delta(u) - w(u + 1) * delta(u + 1)
    diff = sp.simplify(w(u + 1) - w(u))
    pointwise = sp.expand(summand - tele - diff * delta(u + 1))
    first = sp.Sum(F(u) - F(u + 1), (u, 0, L - 2)).doit().subs(F, sp.Lambda(u, w(u) * delta(u)))
    second = sp.Sum(diff * delta_def(u + 1), (u, 0, L - 2)).doit()
    total = (first + second).replace(delta, lambda a: delta_def(a)).subs(h(0), 0)
    return sp.expand(total), {"pointwise": pointwise, "telescoped": first, "remainder": second, "w_step": diff}


def f3_tc_form() -> Identity:
    """``TC = sum_u (L-1-u) g(u)`` for general ``L`` (target: the registry's definition ``L h(1) - h(L)``)."""
    clause = registry.get("F3").clauses[1]
    weight = clause.rhs.function / g(u)
    derived, steps = weighted_g_sum(weight)
    return Identity("F3: TC = sum (L-1-u) g(u)", derived, SCALAR_DEFINITIONS[TC], steps)


def f3_dtc_form() -> Identity:
    """``DTC = sum_u (u+1) g(u)`` for general ``L`` (target: ``h(L) - L(h(L) - h(L-1))``)."""
    clause = registry.get("F3").clauses[2]
    weight = clause.rhs.function / g(u)
    derived, steps = weighted_g_sum(weight)
    return Identity("F3: DTC = sum (u+1) g(u)", derived, SCALAR_DEFINITIONS[DTC], steps)


def f3_mi_split() -> Identity:
    """``MI = TC + DTC = L D(L-1)`` for general ``L`` from the registry's definitions.

    ``derived`` is ``TC + DTC`` expanded, ``target`` is ``MI``; ``steps['L_D']`` is ``L D(L-1)`` in ``h``
    (with ``h(0) = 0``), ``steps['D_telescoped']`` is SymPy's sum ``sum_{u<w} g(u) = delta(0) - delta(w)``.
    """
    wv = sp.Symbol("w", integer=True, positive=True)
    LD = sp.expand((L * D_def(L - 1)).replace(delta, lambda a: delta_def(a)).subs(h(0), 0))
    d_tel = sp.Sum(g_def(u), (u, 0, wv - 1)).doit()
    return Identity("F3: MI = TC + DTC", sp.expand(SCALAR_DEFINITIONS[TC] + SCALAR_DEFINITIONS[DTC]),
                    sp.expand(SCALAR_DEFINITIONS[MI]),
                    {"L_D": LD, "D_telescoped": d_tel, "D_def": D_def(wv), "weights_sum": sp.simplify((L - 1 - u) + (u + 1))})


def f3_table(max_L: int = 12) -> Table:
    """Exact check of F3's three profile clauses for ``L = 2..max_L`` via :mod:`theory.linear`:
    columns ``L``, ``clause`` (its label) and the residual ``lhs - rhs`` in ``h(1..L)`` (0 expected)."""
    rows = []
    for LL in range(2, max_L + 1):
        for clause in registry.get("F3").clauses:
            if clause.over != "profile":
                continue
            case = Case(LL)
            res = sp.expand(_form_to_h(linear_form(clause.lhs, case)) - _form_to_h(linear_form(clause.rhs, case)))
            rows.append((sp.Integer(LL), clause.label, res))
    return Table("F3 profile clauses", ("L", "clause", "residual"), tuple(rows))


# ---------------------------------------------------------------------------------------------

def run_all(max_s: int = 64, max_L: int = 200, max_L_small: int = 12) -> list[tuple[str, bool]]:
    """Every symbolic derivation and finite table with its verdict (for a report or a quick look).

    ``max_s``: range of the P2 tables; ``max_L``: range of the Corollary-1 tables; ``max_L_small``:
    range of the ``c_s`` and F3 tables."""
    out: list[tuple[str, bool]] = []
    for d in (p2_power_of_two(), p2_general_symbolic(), p2_floor_allowance(), corollary1_p1_supremum(),
              s1_copy_tightness(), c_s_inner(), c_s_tail(), f3_tc_form(), f3_dtc_form(), f3_mi_split()):
        out.append((d.name, d.holds()))
    for b in (corollary1_p1_bound(), corollary1_s1_bound(), *c_s_upper_bound().values()):
        out.append((b.name, b.holds()))
    checks = (
        (p2_general(max_s), lambda r: r["unrolled"] == r["chain"] <= r["p1"]),
        (p2_floor_table(max_s), lambda r: r["unrolled_floor"] == r["s1"]),
        (corollary1_p1_table(max_L), lambda r: r["factor"] < 2),
        (corollary1_s1_table(max_L), lambda r: r["factor"] < 1),
        (c_s_table(max_L_small), lambda r: r["registry"] == r["closed"] <= r["half"]),
        (f3_table(max_L_small), lambda r: r["residual"] == 0),
    )
    for table, ok in checks:
        out.append((table.name, all(ok(r) for r in table.dicts())))
    return out
