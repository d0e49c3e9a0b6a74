"""The registry: stable clause ids, relations that know their slack."""

import re

import pytest
import sympy as sp

from theory import registry
from theory.relations import RELATIONS, relation
from theory.symbols import MI, TC


def test_every_registry_clause_has_a_named_stable_id():
    ids = [st.clause_id(i) for st in registry.STATEMENTS for i in range(len(st.clauses))]
    assert len(ids) == len(set(ids))
    assert not [x for x in ids if re.fullmatch(r"\w+\.c\d+", x)], "registry clauses need explicit keys"
    st = registry.get("S1")
    assert st.clause_index("S1.telescoped") == 1 and st.clause_index("per_step") == 0
    with pytest.raises(KeyError, match="S1.per_step"):
        st.clause_index("nope")


@pytest.mark.parametrize("sym,lhs,rhs,sign", [("<=", 1, 3, 1), ("<", 3, 3, 0), (">=", 1, 3, -1),
                                              (">", 5, 3, 1), ("==", 2, 2, 0)])
def test_slack_is_nonnegative_when_the_relation_holds(sym, lhs, rhs, sign):
    rel = relation(sym)
    d = rel.slack(lhs, rhs)
    assert (d > 0) - (d < 0) == sign
    assert rel.holds_on_sign(sign) == {"<=": True, "<": False, ">=": False, ">": True, "==": True}[sym]
    small, large = rel.smaller_larger(lhs, rhs)
    assert rel.equation or small <= large or not rel.holds_on_sign(sign)


def test_a_reversed_slack_would_be_caught():
    # the direction is what makes S1 true: the reversed slack of TC <= MI is negative on copy-like values
    assert RELATIONS["<="].slack(TC, MI) == MI - TC
    assert RELATIONS[">="].slack(TC, MI) == TC - MI
    assert sp.latex(RELATIONS["<="].expr(TC, MI)).replace(" ", "") == r"TC\leqMI"
    with pytest.raises(ValueError, match="unknown relation"):
        relation("=<")
