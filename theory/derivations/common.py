"""Shared pieces of the derivations: three result types, exact-number helpers, and the registry's
constants evaluated exactly.

* :class:`Identity`  -- ``derived`` (what SymPy computed) should equal ``target`` (read from the
  registry); :meth:`Identity.holds` is ``simplify(derived - target) == 0``.
* :class:`Bound`     -- ``value <= bound``, proved by the sign of ``gap = bound - value``, which
  SymPy decides from the assumptions on the symbols (positive integers etc.).
* :class:`Table`     -- an exact finite check: rows of SymPy Integers/Rationals over a range.

The constants are read off :mod:`theory.registry` (Li & Cai's Theorem 1 factor ``P1_CONSTANT``,
arXiv 2505.21400; the P2 allowance; S1's constant), never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from .. import registry
from ..registry import P1_CONSTANT
from ..symbols import KL_ideal_refined, L, MI, h, s_max

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


def q(x) -> sp.Rational:
    x = Fraction(x)
    return sp.Rational(x.numerator, x.denominator)


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


# ---------------------------------------------------------------------------------------------
# quantities read from the registry

#: The exponent ceiling(log2 s_max) inside the registry's P1_CONSTANT.
P1_EXPONENT = next(iter(P1_CONSTANT.atoms(sp.ceiling)))


def p1_factor_with_exponent(c) -> sp.Expr:
    """``L * P1_CONSTANT`` with its exponent ``ceiling(log2 s_max)`` replaced by ``c``.

    Used where SymPy cannot evaluate the ceiling of a symbolic argument; the caller shows that
    ``2^(c-1) < s_max <= 2^c`` (which is what ``c = ceiling(log2 s_max)`` means)."""
    return sp.expand(L * P1_CONSTANT.xreplace({P1_EXPONENT: c}))


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


def form_to_h(form) -> sp.Expr:
    """A linear form of :mod:`theory.linear` (``{m: coefficient}``) as the SymPy expression
    ``sum_m c_m h(m)``, exactly, with ``h(0) = 0`` dropped."""
    out = sp.Integer(0)
    for key, coeff in form.items():
        if not isinstance(key, int):
            raise ValueError(f"unexpected term {key} in a profile form")
        if key:  # h(0) = 0
            out += q(coeff) * h(key)
    return out
