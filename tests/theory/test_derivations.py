"""Symbolic derivations of the package theory/derivations/ (common, p1p2, corollary1, copy, offset, f3): the facts the notes prove, checked by SymPy.

Every check is symbolic (``simplify(derived - target) == 0``, or the sign of a factored gap
decided from the symbols' assumptions) or an exact rational comparison over a finite range;
nothing is sampled in floating point. Each group also shows that a wrong target is detected.
"""

from __future__ import annotations

import sympy as sp
import pytest

from proofs_check.model.schedules import compositions, offset_family
from theory import derivations as dv
from theory.definitions import SCALAR_DEFINITIONS
from theory.symbols import DTC, H, L, TC, s_max, s_step, u

# ---------------------------------------------------------------------------------------------
# registry factors evaluated exactly


def test_p1_factor_is_registry_constant_evaluated_exactly():
    for sv in range(1, 257):
        assert dv.p1_factor(sv) == 2 ** (sv - 1).bit_length() - 1
    c = sp.Symbol("c", integer=True, positive=True)
    assert sp.simplify(dv.p1_factor_with_exponent(c) - (2 ** c - 1)) == 0
    assert dv.p2_allowance() == s_max / 2
    assert sp.simplify(dv.s1_constant() - (s_max - 1) / L) == 0


# ---------------------------------------------------------------------------------------------
# 1. P2's recursion


def test_p2_solved_at_powers_of_two():
    d = dv.p2_power_of_two()
    k = d.steps["k"]
    assert d.holds()
    assert d.residual() == 0
    assert sp.simplify(d.steps["rsolve"] - (2 ** k - 1)) == 0
    assert sp.simplify(d.steps["summation"] - (2 ** k - 1)) == 0
    assert sp.simplify(d.steps["target_factor"] - (2 ** k - 1)) == 0
    # the recursion's solution satisfies the recursion and the initial condition
    sol = d.steps["rsolve"]
    assert sol.subs(k, 0) == 0
    assert sp.simplify(sol - sol.subs(k, k - 1) - d.steps["recursion_step"]) == 0


def test_p2_wrong_constant_detected():
    d = dv.p2_power_of_two()
    k = d.steps["k"]
    assert not d.holds(2 ** k / L)            # 2^k instead of 2^k - 1
    assert not d.holds((2 ** k - 2) / L)
    assert d.residual(2 ** k / L) != 0


def test_p2_ceil_form_table():
    table = dv.p2_general(64)
    assert len(table.rows) == 64
    for r in table.dicts():
        sv = int(r["s"])
        assert r["unrolled"] == r["chain"]                      # closed form of the ceil chain
        assert r["p1"] == 2 ** r["c"] - 1
        assert r["unrolled"] <= r["p1"]
        assert (r["unrolled"] == r["p1"]) == (sv & (sv - 1) == 0)  # equality iff power of two
        assert isinstance(r["unrolled"], sp.Rational)
    # known values (notes/P2.md)
    by_s = {int(r["s"]): r["unrolled"] for r in table.dicts()}
    assert [by_s[x] for x in (3, 5, 6, 7)] == [sp.Rational(5, 2), 5, sp.Rational(11, 2), sp.Rational(13, 2)]


def test_p2_ceil_form_wrong_bound_detected():
    table = dv.p2_general(64)
    assert any(r["unrolled"] > r["p1"] - 1 for r in table.dicts())   # 2^c - 2 is violated
    assert not all(r["unrolled"] == r["p1"] for r in table.dicts())  # not an identity off powers of 2


def test_p2_ceil_form_symbolic_majorant():
    d = dv.p2_general_symbolic()
    c = d.steps["c"]
    assert d.holds()
    assert not d.holds(2 ** c)


def test_p2_with_floor_drops_gives_s1_constant():
    d = dv.p2_floor_allowance()
    assert d.steps["pointwise_residual"] == [0, 0]
    assert d.holds()
    assert not d.holds(s_max / L)
    assert not d.holds(dv.p1_factor_with_exponent(sp.Symbol("c")) / L)
    table = dv.p2_floor_table(64)
    assert all(r["unrolled_floor"] == r["s1"] == r["s"] - 1 for r in table.dicts())


# ---------------------------------------------------------------------------------------------
# 2. Corollary 1 (P3)


def test_corollary1_p1_bound_symbolic():
    b = dv.corollary1_p1_bound()
    T_, c = b.steps["T"], b.steps["c"]
    assert b.holds()
    assert sp.simplify(b.gap() - 2 * (T_ + 2) / (2 ** c * T_ + 2)) == 0
    assert b.steps["d_dL"].is_negative  # factor decreases in L: worst case is the smallest L
    assert not b.holds(sp.Rational(3, 2))
    assert not b.holds(2 - 1 / T_)  # the gap is smaller than 1/T for large c


def test_corollary1_p1_bound_exact_range():
    table = dv.corollary1_p1_table(200)
    b = dv.corollary1_p1_bound()
    T_, c = b.steps["T"], b.steps["c"]
    for r in table.dicts():
        assert r["factor"] < 2
        cv = (int(r["s"]) - 1).bit_length()
        if cv:  # the table's worst T never beats the symbolic worst case for its (T, c)
            assert r["factor"] <= b.value.subs({T_: r["T"], c: cv})
    worst = max(table.column("factor"))
    assert sp.Rational(17, 10) < worst < 2
    assert not all(f < sp.Rational(3, 2) for f in table.column("factor"))


def test_corollary1_p1_supremum_is_two():
    d = dv.corollary1_p1_supremum()
    k = d.steps["k"]
    assert d.holds()
    assert d.derived == 2
    assert not d.holds(sp.Rational(3, 2)) and not d.holds(3)
    assert d.steps["alt_limit"] == 2
    assert sp.limit(d.steps["gap"], k, sp.oo) == 0
    br = d.steps["brackets"]
    assert br["L - T(s-1)"].is_positive and br["T s - L"].is_nonnegative
    assert br["s - 2^k"].is_positive and br["2^(k+1) - s"].is_nonnegative
    # the sequence, exactly, against the registry's factor
    for kv in range(1, 11):
        T_, L_ = 2 ** kv, 4 ** kv + 1
        sv = -(-L_ // T_)
        assert sv == 2 ** kv + 1
        exact = sp.Rational(T_ * int(dv.p1_factor(sv)), L_)
        assert exact == d.steps["factor"].subs(k, kv) < 2


def test_corollary1_s1_constant_one():
    b = dv.corollary1_s1_bound()
    assert b.holds()
    assert b.steps["d_dL"].is_nonpositive
    assert b.steps["limit"] == 1
    assert not b.holds(sp.Rational(1, 2))
    table = dv.corollary1_s1_table(200)
    for r in table.dicts():
        assert r["factor"] < 1
        assert r["factor"] == 1 - sp.Rational(1, r["L"])  # attained at T = 1 (and T = L - 1)
    assert not all(r["factor"] <= 1 - sp.Rational(2, r["L"]) for r in table.dicts())


# ---------------------------------------------------------------------------------------------
# 3. S1 tight on copy


def test_s1_tight_on_copy_symbolic():
    d = dv.s1_copy_tightness()
    assert d.holds()
    assert sp.simplify(d.steps["first_step"] - (s_max - 1) * H) == 0
    assert d.steps["later_step"] == 0
    assert sp.simplify(d.steps["MI_copy"] - L * H) == 0
    assert not d.holds(s_max * H)
    assert not d.holds((s_max - 1) * H / 2)


def test_s1_tight_on_copy_exact_schedules():
    rows = dv.copy_ideal_errors(sch.sizes for LL in range(1, 8) for sch in compositions(LL)).dicts()
    assert len(rows) == 2 ** 7 - 1
    for r in rows:
        assert sp.simplify(r["KL"] - r["first"]) == 0
        tight = sp.simplify(r["KL"] - r["bound"]) == 0
        assert tight == (r["sizes"][0] == max(r["sizes"]))
    # the bound is not an identity: schedules whose largest step is not first are strictly below
    assert any(sp.simplify(r["KL"] - r["bound"]) != 0 for r in rows)


# ---------------------------------------------------------------------------------------------
# 4. S3's c_s(u)


def test_c_s_inner_range():
    d = dv.c_s_inner()
    assert d.holds()
    assert not d.holds(s_step / 2)


def test_c_s_tail_range():
    d = dv.c_s_tail()
    t = d.steps["t"]
    assert d.holds()
    assert not d.holds((t * (t + 1) / 2 + (s_step - t) * t) / s_step)
    assert not d.holds((s_step - 1) / 2)


def test_c_s_bounds():
    bounds = dv.c_s_upper_bound()
    assert all(b.holds() for b in bounds.values())
    assert bounds["inner"].gap() == 0
    tail = bounds["tail"]
    n, t = tail.steps["n"], tail.steps["t"]
    assert sp.simplify(tail.gap() - n * (n + 1) / (2 * (n + t + 1))) == 0
    assert not bounds["inner"].holds((s_step - 2) / 2)
    assert not tail.holds(tail.bound - 1)


def test_c_s_exact_table():
    table = dv.c_s_table(12)
    for r in table.dicts():
        assert r["registry"] == r["closed"] <= r["half"]
        assert (r["registry"] == r["half"]) == (r["u"] <= r["L"] - r["s"])
    assert any(r["registry"] != sp.Rational(r["s"], 2) for r in table.dicts())


@pytest.mark.parametrize("L_value", range(2, 9))
def test_offset_identity_exact(L_value):
    for sv in range(1, L_value + 1):
        fam = [sch for _, sch in offset_family(L_value, sv)]
        d = dv.offset_identity(L_value, sv, fam)
        assert d.holds(), (L_value, sv, d.residual())


def test_offset_identity_wrong_family_detected():
    fam = [sch for _, sch in offset_family(6, 3)]
    assert not dv.offset_identity(6, 3, fam[:-1]).holds()
    d = dv.offset_identity(6, 3, fam)
    assert not d.holds(d.target + sp.Function("h")(1))


# ---------------------------------------------------------------------------------------------
# 5. F3


def test_f3_tc_dtc_forms_symbolic():
    tc, dtc = dv.f3_tc_form(), dv.f3_dtc_form()
    for d in (tc, dtc):
        assert d.steps["pointwise"] == 0
        assert d.holds()
    assert not tc.holds(SCALAR_DEFINITIONS[DTC])
    wrong, _ = dv.weighted_g_sum(L - u)            # weight L - u instead of L - 1 - u
    assert sp.simplify(wrong - SCALAR_DEFINITIONS[TC]) != 0
    wrong, _ = dv.weighted_g_sum(u)                # weight u instead of u + 1
    assert sp.simplify(wrong - SCALAR_DEFINITIONS[DTC]) != 0


def test_f3_mi_split_symbolic():
    d = dv.f3_mi_split()
    assert d.holds()
    assert d.holds(d.steps["L_D"])                 # MI = L D(L-1)
    assert sp.simplify(d.steps["D_telescoped"] - d.steps["D_def"]) == 0
    assert d.steps["weights_sum"] == L
    assert not d.holds(SCALAR_DEFINITIONS[TC])


def test_f3_exact_table():
    table = dv.f3_table(12)
    assert len(table.rows) == 3 * 11
    assert all(res == 0 for res in table.column("residual"))


# ---------------------------------------------------------------------------------------------


def test_run_all_small():
    results = dv.run_all(max_s=16, max_L=40, max_L_small=6)
    assert results and all(ok for _, ok in results), [name for name, ok in results if not ok]
