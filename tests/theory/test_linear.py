"""theory.linear: the compiled route for Sum bodies agrees with the general SymPy route, term by term."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import definitions as defs
from theory import linear, registry
from theory.linear import Case, linear_form
from theory.symbols import L, c_s, g, u

from proofs_check.model.instance import offset_case
from proofs_check.search.strategies import schedules

SUMS = [defs.KL_IDEAL_H_FORM, defs.KL_IDEAL_OMEGA_FORM, sp.Sum(c_s(u) * g(u), (u, 0, L - 2)),
        sp.Sum((L - 1 - u) * g(u), (u, 0, L - 2)), sp.Sum((u + 1) * g(u), (u, 0, L - 2))]


def general_route(expr, case):
    """The same linear form with compilation switched off (a fresh case, so no memo is shared)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(linear, "_STENCIL_SUMS", {})
        mp.setattr(linear, "_compile_sum_body", lambda body, var, leaves: ())
        return linear_form(expr, Case(case.L, case.sizes, family=case.family, step=case.step))


def test_the_registry_sums_are_compiled():
    for expr in SUMS:
        body, var = expr.args[0], expr.args[1][0]
        assert linear._compile_sum_body(body, var, linear._leaves(body, var)), expr


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_compiled_and_general_routes_agree(data):
    n = data.draw(st.integers(2, 9))
    sched = data.draw(schedules(n))
    step = data.draw(st.integers(1, n))
    case = offset_case(n, step, sched.sizes)
    for expr in SUMS:
        assert linear_form(expr, case) == general_route(expr, case), expr


def test_a_wrong_stencil_is_caught(monkeypatch):
    """Compiling g(u) as h(u) - h(u+1) + h(u+2) (a coefficient dropped) changes the form: the
    comparison above would see it."""
    case = Case(7, (3, 2, 2))
    good = linear_form(defs.KL_IDEAL_OMEGA_FORM, case)
    with monkeypatch.context() as mp:
        mp.setattr(linear, "_STENCIL_SUMS", {})
        mp.setattr(defs, "FUNCTION_DEFINITIONS", {**defs.FUNCTION_DEFINITIONS,
                                                  g: lambda x: defs.h(x) - defs.h(x + 1) + defs.h(x + 2)})
        bad = linear_form(defs.KL_IDEAL_OMEGA_FORM, Case(7, (3, 2, 2)))
    assert bad != good


def test_f2_holds_as_an_identity_of_forms_at_a_long_length():
    """At L = 2048 (the compiled route; the general one takes minutes) the h-form and the omega form
    of KL_ideal are the same linear form in h(1..L), and every registry side expands."""
    case = offset_case(2048, 16, tuple([16] * 128))
    strip = lambda f: {k: c for k, c in f.items() if k != 0}
    assert strip(linear_form(defs.KL_IDEAL_H_FORM, case)) == strip(linear_form(defs.KL_IDEAL_OMEGA_FORM, case))
    expanded = 0
    for st_ in registry.STATEMENTS:
        for cl in st_.clauses:
            for side in (cl.lhs, cl.rhs):
                try:
                    expanded += bool(linear_form(side, case))
                except linear.NotLinearError:
                    pass
    assert expanded >= 20
