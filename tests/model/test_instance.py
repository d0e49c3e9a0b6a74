"""One clause evaluator: registry clauses and user relations go through compare_sides."""

from __future__ import annotations

import pytest

from proofs_check.model.instance import Instance, check_clause, compare_sides, instance_cases
from proofs_check.model.schedules import Schedule
from proofs_check.search import usereval as E
from proofs_check.search import userexpr as U

from proofs_check.sources.distributions import copy_distribution, random_distribution
from theory import registry
from theory.linear import NotLinearError


@pytest.mark.parametrize("sid,key", [("F3", "mi_split"), ("S1", "telescoped"), ("S2", "lower"), ("F2", "omega_form")])
def test_a_user_relation_written_as_a_registry_clause_gets_the_same_verdict(sid, key):
    st = registry.get(sid)
    idx = st.clause_index(key)
    clause = st.clauses[idx]
    inst = Instance(random_distribution(4, 2, seed=5), Schedule((2, 1, 1)))
    rel = U.UserRelation(clause.text(), clause.lhs, clause.rel, clause.rhs)
    for r in check_clause(st, idx, inst):
        ev = E.evaluate(rel, inst, r.case)
        assert ev.status == r.verdict.status and ev.method == f"exact:{r.verdict.method}"
        assert ev.ratio == r.verdict.tightness or (ev.ratio == pytest.approx(r.verdict.tightness, rel=1e-12))


def test_identical_linear_forms_are_settled_without_arithmetic_and_strictness_is_respected():
    st = registry.get("F3")
    clause = st.clauses[st.clause_index("mi_split")]
    inst = Instance(copy_distribution(4, 3), Schedule((4,)))
    case = instance_cases(clause, inst)[0]
    _, _, v, note = compare_sides(inst, clause.lhs, "==", clause.rhs, case)
    assert v.status == "equal" and v.method == "exact" and "same linear form" in note
    _, _, v, _ = compare_sides(inst, clause.lhs, "<", clause.rhs, case)
    assert v.status == "fails"  # a strict relation between equal sides is false


def test_a_side_that_is_not_linear_is_reported_as_such():
    import sympy as sp

    from theory.symbols import MI

    inst = Instance(copy_distribution(3, 2), Schedule((3,)))
    case = instance_cases(registry.get("F3").clauses[0], inst)[0]
    with pytest.raises(NotLinearError):
        compare_sides(inst, sp.sqrt(MI), "<=", MI, case)
