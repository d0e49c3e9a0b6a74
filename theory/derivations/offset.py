"""S3's weights ``c_s(u)`` for the randomized-offset family: the defining sum
``(1/s) sum_{k<s} min(k, L-1-u)`` equals the closed form the statements use, and
``c_s(u) <= (s-1)/2`` with equality for ``u <= L - s``.  Proof sketch: ``notes/S3.md``.
"""

from __future__ import annotations

import sympy as sp

from .. import registry
from ..definitions import C_S, C_S_SUM
from ..linear import Case, linear_form
from ..symbols import L, s_step, u
from .common import Bound, Identity, Table, form_to_h

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
    lhs, rhs = (form_to_h(linear_form(side, case)) for side in (clause.lhs, clause.rhs))
    return Identity(f"S3 weights at L={L_value}, s={s_value}", lhs, rhs)
