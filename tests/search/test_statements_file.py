"""Statement files: validation with one-line errors naming file, statement, clause and field;
the counterexample database and its replay; the worst verdict of a file."""

from __future__ import annotations

import pytest

from proofs_check.errors import DlmInputError, StatementsFileError
from proofs_check.search import statements_file as sf
from proofs_check.search.counterexamples import Database, replay
from proofs_check.verdicts import Established

GOOD = '''
[[statement]]
id = "MY1"
title = "two clauses"
min_L = 3
[[statement.clause]]
key = "main"
expr = "TC <= (L - 1)*DTC"
[[statement.clause]]
expr = "KL <= (s_max - 1)/L * MI"
over = "one-step"
budget = 5
'''


def test_a_good_file_gives_clauses_with_ids_quantifiers_and_defaults():
    doc = sf.loads(GOOD, "b.toml")
    a, b = doc.clauses
    assert (a.id, a.over, a.min_L, a.max_L, a.budget) == ("MY1.main", "all", 3, 10, 30.0)
    assert (b.id, b.over, b.budget, b.explicit) == ("MY1.c1", "one_step", 5.0, frozenset({"budget"}))
    st = doc.statements[0].registry_statement("b.toml")
    assert st.provenance == "conjecture" and st.min_L == 3 and st.clause_id(1) == "MY1.c1"


def _one(clause: str, statement: str = 'id = "X"\ntitle = "t"') -> str:
    return f"[[statement]]\n{statement}\n[[statement.clause]]\n{clause}\n"


@pytest.mark.parametrize("text,needle", [
    (_one('expr = 3'), "statement 1 (X), clause 1, field 'expr': expected a relation"),
    (_one('expr = "TC <= DTC"\nover = "sometimes"'), "field 'over': unknown quantifier 'sometimes'"),
    (_one('expr = "TC <= DTC"\nover = "halving"'), "quantifier 'halving' is not checked"),
    (_one('expr = "__import__(\'os\').system(\'true\') <= 1"'), "field 'expr': double underscores"),
    (_one('expr = "exec(1) <= TC"'), "field 'expr'"),
    (_one('expr = "TC <= DTC"\nmax_L = true'), "field 'max_L': expected an integer"),
    (_one('expr = "TC <= DTC"\nmax_L = 99'), "field 'max_L': 99 is outside"),
    (_one('expr = "TC <= DTC"\nbudget = -1'), "field 'budget'"),
    (_one('expr = "TC <= DTC"\nexpression = "x"'), "unknown clause field 'expression'"),
    (_one('expr = "TC <= s*DTC"'), "set over = \"offset\""),
    (_one('expr = "TC <= DTC"', 'id = "X"\ntitle = "t"\nmin_L = 40'), "field 'min_L': 40 is outside"),
    (_one('expr = "TC <= DTC"', 'id = "1x"\ntitle = "t"'), "field 'id'"),
    (_one('expr = "TC <= DTC"', 'id = "X"'), "missing field 'title'"),
    (_one('expr = "TC <= DTC"', 'id = "X"\ntitle = "t"\nprovenance = "folklore"'), "field 'provenance'"),
    ('[[statement]]\nid = "X"\ntitle = "t"\n', "statement 1 (X): no clause"),
    ('title = "t"\n', "unknown top level field 'title'"),
    ('[[statement]\nid = ', "not valid TOML"),
    ("", "no [[statement]] table"),
    (_one('expr = "TC <= DTC"') * 2, "statement id 'X' is used twice"),
])
def test_a_hostile_file_gives_one_line_naming_where(text, needle):
    with pytest.raises(StatementsFileError) as exc:
        sf.loads(text, "bad.toml")
    msg = str(exc.value)
    assert needle in msg and msg.startswith("bad.toml") and "\n" not in msg


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    p = tmp_path / "huge.toml"
    p.write_text("# x\n" * (sf.MAX_FILE_BYTES // 4 + 1))
    with pytest.raises(StatementsFileError, match=r"huge.toml: \d+ bytes; a statement file may have at most"):
        sf.load(p)


def test_too_many_statements_are_refused():
    text = "".join(_one('expr = "TC <= DTC"', f'id = "X{i}"\ntitle = "t"') for i in range(sf.MAX_STATEMENTS + 1))
    with pytest.raises(StatementsFileError, match="statements; at most"):
        sf.loads(text, "many.toml")


def test_worst_verdict_orders_refuted_over_inconclusive_over_proved():
    E = Established
    assert sf.worst([E.PROVED, E.VERIFIED]) == E.VERIFIED
    assert sf.worst([E.NOT_REFUTED, E.REFUTED, E.PROVED]) == E.REFUTED
    assert sf.worst([E.PROVED]) == E.PROVED


def test_check_refuses_a_min_L_beyond_the_search():
    from proofs_check.search.check import check

    with pytest.raises(DlmInputError, match="min_L=7"):
        check("TC <= 9*DTC", min_L=7)


def test_refuted_clause_is_stored_and_replayed_and_a_stale_record_is_not(tmp_path):
    c = sf.loads(_one('expr = "TC <= 9*DTC"\nbudget = 20'), "f.toml").clauses[0]
    db = Database(tmp_path / "cx.json")
    first = sf.run_clause(c, db, save_dir=tmp_path)
    assert first.verdict == Established.REFUTED and first.counterexample["L"] == 11
    assert "--family copy --L 11" in first.counterexample["inspect"]
    db.save()
    again = Database.load(tmp_path / "cx.json")
    rec = again.get(c.id, c.expr, c.over)
    assert rec is not None and again.get(c.id, "TC <= 10*DTC", c.over) is None
    second = sf.run_clause(c, again)
    assert second.verdict == Established.REFUTED and any(n.startswith("replayed") for n in second.notes)
    # the same instance does not refute a bound that is true on it: replay re-certifies, it trusts nothing
    assert replay("TC <= 10*DTC", "all", rec) is None


def test_a_corrupt_database_names_the_file_and_the_fix(tmp_path):
    p = tmp_path / "cx.json"
    p.write_text("{not json")
    with pytest.raises(DlmInputError, match="cx.json: unreadable counterexample database.*delete it"):
        Database.load(p)
