"""The five relations a clause can state, each knowing its slack, strictness and LaTeX.

A clause ``lhs REL rhs`` holds iff its *slack* is ``>= 0`` (``> 0`` for a strict relation,
``== 0`` for an equation).  The slack is ``rhs - lhs`` for ``<=``, ``<`` and ``==`` and
``lhs - rhs`` for ``>=`` and ``>``: so the smaller side is always the one subtracted, and every
checker (certified comparison, prover, search, ratio) reads the direction from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Relation:
    symbol: str
    latex: str
    sympy_class: type
    upper: bool  # True: lhs is bounded above by rhs (slack = rhs - lhs)
    strict: bool = False
    equation: bool = False

    def slack(self, lhs, rhs):
        """``rhs - lhs`` or ``lhs - rhs``: non-negative exactly when the relation holds (non-strictly)."""
        return rhs - lhs if self.upper else lhs - rhs

    def smaller_larger(self, lhs, rhs) -> tuple:
        """(the side claimed smaller, the side claimed larger)."""
        return (lhs, rhs) if self.upper else (rhs, lhs)

    def sides(self, lhs, rhs) -> tuple:
        """(plus, minus): the slack is ``plus - minus``."""
        return (rhs, lhs) if self.upper else (lhs, rhs)

    def holds_on_sign(self, sign: int) -> bool:
        """Whether a slack of the given sign (-1, 0, 1) satisfies the relation."""
        if self.equation:
            return sign == 0
        return sign > 0 if self.strict else sign >= 0

    @property
    def allows_equality(self) -> bool:
        return not self.strict

    def expr(self, lhs, rhs) -> sp.Rel:
        return self.sympy_class(lhs, rhs, evaluate=False)

    def __str__(self) -> str:
        return self.symbol


RELATIONS: dict[str, Relation] = {
    "<=": Relation("<=", r"\le", sp.Le, upper=True),
    "<": Relation("<", "<", sp.Lt, upper=True, strict=True),
    "==": Relation("==", "=", sp.Eq, upper=True, equation=True),
    ">=": Relation(">=", r"\ge", sp.Ge, upper=False),
    ">": Relation(">", ">", sp.Gt, upper=False, strict=True),
}


def relation(symbol: str) -> Relation:
    try:
        return RELATIONS[symbol]
    except KeyError:
        raise ValueError(f"unknown relation {symbol!r}; use one of {', '.join(RELATIONS)}") from None
