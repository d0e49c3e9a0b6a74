"""F3's profile forms for general ``L``: ``TC = sum (L-1-u) g(u)``, ``DTC = sum (u+1) g(u)``,
``MI = TC + DTC = L D(L-1)``, by summation by parts.  Proof sketch: ``notes/F3.md``.
"""

from __future__ import annotations

import sympy as sp

from .. import registry
from ..definitions import SCALAR_DEFINITIONS, D_def, delta_def, g_def
from ..linear import Case, linear_form
from ..symbols import DTC, MI, TC, L, delta, g, h, u
from .common import Identity, Table, form_to_h



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
            res = sp.expand(form_to_h(linear_form(clause.lhs, case)) - form_to_h(linear_form(clause.rhs, case)))
            rows.append((sp.Integer(LL), clause.label, res))
    return Table("F3 profile clauses", ("L", "clause", "residual"), tuple(rows))
