"""Symbolic derivations behind the registry's constants, with SymPy doing the algebra.

Each public function derives one fact proved in a note (``notes/<id>.md``) and returns SymPy
objects wrapped in one of three small result types of :mod:`.common`: :class:`Identity`
(``derived == target``), :class:`Bound` (``value <= bound`` by the sign of the factored gap) or
:class:`Table` (an exact finite check).  One module per fact:

=================  ==============================================================================
:mod:`.common`     result types, exact helpers, the registry's constants (P1 factor, P2 allowance,
                   S1 constant) evaluated exactly
:mod:`.p1p2`       P2's halving recursion solved: Theorem 1's factor (Li & Cai, arXiv 2505.21400)
:mod:`.corollary1` Corollary 1's constant: 2 from Theorem 1, 1 from S1, both suprema
:mod:`.copy`       S1 is tight on the copy distribution
:mod:`.offset`     S3's weights ``c_s(u)``: defining sum = closed form, and their bounds
:mod:`.f3`         F3's profile forms of ``TC``, ``DTC``, ``MI`` for general ``L``
=================  ==============================================================================

Every formula is taken from :mod:`theory.registry` / :mod:`theory.definitions`.  The few formulas
the registry does not hold are defined once, in the module that needs them, and say so in their
docstring: the copy distribution's profile (:data:`COPY_PROFILE`), the unrolled P2 recursion
(:func:`p2_unrolled`).  Nothing here samples floating-point values: symbolic results are compared
with ``simplify``/``factor`` and sign assumptions, finite ones with exact rationals.
"""

from __future__ import annotations

from .common import Bound, Identity, Table, form_to_h, p1_factor, p1_factor_with_exponent, p2_allowance, s1_constant
from .copy import COPY_PROFILE, copy_ideal_errors, s1_copy_tightness
from .corollary1 import (corollary1_p1_bound, corollary1_p1_supremum, corollary1_p1_table, corollary1_s1_bound,
                         corollary1_s1_table)
from .f3 import f3_dtc_form, f3_mi_split, f3_table, f3_tc_form, weighted_g_sum
from .offset import c_s_closed, c_s_inner, c_s_table, c_s_tail, c_s_upper_bound, offset_identity
from .p1p2 import (p2_floor_allowance, p2_floor_table, p2_general, p2_general_symbolic, p2_power_of_two,
                   p2_unrolled)

__all__ = [
    "Bound", "Identity", "Table", "form_to_h", "p1_factor", "p1_factor_with_exponent", "p2_allowance",
    "s1_constant", "COPY_PROFILE", "copy_ideal_errors", "s1_copy_tightness", "corollary1_p1_bound",
    "corollary1_p1_supremum", "corollary1_p1_table", "corollary1_s1_bound", "corollary1_s1_table",
    "f3_dtc_form", "f3_mi_split", "f3_table", "f3_tc_form", "weighted_g_sum", "c_s_closed", "c_s_inner",
    "c_s_table", "c_s_tail", "c_s_upper_bound", "offset_identity", "p2_floor_allowance", "p2_floor_table",
    "p2_general", "p2_general_symbolic", "p2_power_of_two", "p2_unrolled", "run_all",
]


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
