"""The counterexample database: refutations found by one run, replayed first by the next.

The idea of Hypothesis's example database: when a clause of a statement file is refuted, its
certified counterexample is stored (``.dlm/counterexamples.json`` under the pytest rootdir) under
the clause id together with the expression and quantifier it refutes.  The next run
re-certifies the stored instance *from scratch* before any search (:func:`replay`): a
counterexample that still violates the relation gives ``refuted`` at once; one that no longer
does (the expression was edited, the evaluator changed) is dropped and the full check runs.
Nothing stored is trusted: the verdict always comes from a fresh certified evaluation.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from theory.linear import Case
from theory.symbols import NAMES, a_n, b_n, p_t, q_t

from proofs_check.errors import DlmInputError, ResultsFileError
from proofs_check.model.instance import Instance, instance_cases
from proofs_check.model.quantifiers import quantifier
from proofs_check.numerics.certify import Verdict, compare
from proofs_check.model.schedules import Schedule
from proofs_check.prover.rays import refute_on_rays
from proofs_check.search.check import _class_name, _is_linear, _quantifier, _refuted_on_ray, ray_clause
from proofs_check.search.results import CHECK_METHODS, CheckResult, schema
from proofs_check.search.userexpr import parse
from proofs_check.search.witnesses import _certify, _Found
from proofs_check.sources import families
from proofs_check.sources.jsonio import from_json
from proofs_check.verdicts import Established

KIND = "counterexamples"
DEFAULT_PATH = Path(".dlm") / "counterexamples.json"


class Database:
    """Clause id -> {"expr", "over", "counterexample"}; :meth:`save` writes it atomically."""

    def __init__(self, path: Path, entries: dict | None = None):
        self.path = Path(path)
        self.entries: dict = dict(entries or {})
        self.changed = False

    @classmethod
    def load(cls, path) -> "Database":
        """The database at ``path`` (empty when the file does not exist)."""
        p = Path(path)
        if not p.exists():
            return cls(p)
        try:
            data = json.loads(p.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsFileError(f"{p}: unreadable counterexample database ({exc}); delete it to start afresh") from None
        if not isinstance(data, dict) or data.get("schema") != schema(KIND) or not isinstance(data.get("entries"), dict):
            raise ResultsFileError(f"{p}: not a counterexample database of schema {schema(KIND)!r}; "
                                   "delete it to start afresh")
        return cls(p, data["entries"])

    def get(self, clause_id: str, expr: str, over: str) -> dict | None:
        """The stored counterexample of this clause, if it was stored for the same expression."""
        e = self.entries.get(clause_id)
        if isinstance(e, dict) and e.get("expr") == expr and e.get("over") == over:
            return e.get("counterexample")
        return None

    def put(self, clause_id: str, expr: str, over: str, counterexample: dict) -> None:
        self.entries[clause_id] = {"expr": expr, "over": over, "counterexample": counterexample}
        self.changed = True

    def drop(self, clause_id: str) -> None:
        if self.entries.pop(clause_id, None) is not None:
            self.changed = True

    def save(self) -> None:
        """Write the file atomically (a temporary file in the same directory, then ``os.replace``)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"schema": schema(KIND), "entries": self.entries}, indent=1, sort_keys=True) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.changed = False


def replay(expr: str, schedules: str, record: dict, max_L: int = 10, seed: int = 0,
           budget: float = 0.0) -> CheckResult | None:
    """Re-certify the stored counterexample ``record`` of ``expr`` over ``schedules``.

    A distribution record is rebuilt from its JSON and every case of the relation's clause on it
    is re-evaluated with the certified evaluator of ``check``; a ray record (a length too large
    to enumerate) is re-decided by :func:`~proofs_check.prover.rays.refute_on_rays` at its ``L``.
    Returns a ``refuted`` :class:`CheckResult` when the violation is certified again, else None.
    """
    start = time.monotonic()
    rel = parse(expr)
    over = _quantifier(schedules)
    read = rel.for_class(over)
    res = CheckResult(Established.REFUTED, rel.text, read.canonical, rel.rel, _is_linear(read, over, max_L),
                      _class_name(over), max_L, seed, float(budget))
    try:
        found = _replay_ray(read, over, record, res) if record.get("ray") else _replay_instance(read, over, record, res)
    except (DlmInputError, KeyError, TypeError, ValueError):
        return None  # a record this version cannot read: not a counterexample any more
    if not found:
        return None
    res.method = CHECK_METHODS[Established.REFUTED]
    res.notes.append("replayed: the stored counterexample was re-certified before any search")
    res.elapsed = time.monotonic() - start
    return res


def _replay_instance(read, over: str, record: dict, res: CheckResult) -> bool:
    dist = from_json(record["distribution"])
    sched = Schedule(tuple(record["schedule"]))
    perturbed = record.get("predictor") == "perturbed"
    clause = read.clause(over)
    for case in instance_cases(clause, Instance(dist, sched, None, bruteforce=False)):
        cex = _certify(read, _Found(dist, sched, perturbed, case, None))
        if cex is not None:
            res.counterexample, res.distribution = cex
            res.L_range = [dist.L, dist.L]
            return True
    return False


def _replay_ray(read, over: str, record: dict, res: CheckResult) -> bool:
    clause, _ = ray_clause(read, over)
    ref = refute_on_rays(clause, [int(record["L"])])
    if ref is None or ref.witness is None or not ref.witness.confirmed:
        return False
    _refuted_on_ray(ref, res)
    return True


def pinned_case(st) -> Case:
    """The case (``L`` and the bound values, e.g. ``p = 2/5, q = 1/2``) a refuted statement records."""
    cx = st.counterexample
    if cx is None:
        raise ValueError(f"{st.id} has provenance {st.provenance!r} but records no counterexample")
    names = {"p": p_t, "q": q_t, "a": a_n, "b": b_n, **NAMES}
    return Case(cx.L, bind=tuple((names[name], Fraction(v)) for name, v in cx.bind))


def pinned_sides(st) -> tuple:
    """Both sides of the recorded clause on the recorded case and family distribution, built afresh."""
    cx, case = st.counterexample, pinned_case(st)
    clause = st.clauses[st.clause_index(cx.clause)]
    inst = Instance(families.build(cx.family, cx.L, **dict(cx.family_args)), quantifier(clause.over).witness(case))
    return inst.value(clause.lhs, case), inst.value(clause.rhs, case)


def pinned_verdict(st) -> Verdict:
    """Re-certify, from scratch, the counterexample a ``refuted`` registry statement records.

    The statement's :class:`theory.registry.Counterexample` names the clause, the case and a
    family distribution; the distribution is built again and the clause's two sides are compared
    exactly.  A verdict other than ``fails`` means the recorded refutation no longer holds (a
    definition or the clause changed), which ``run`` reports as a failure and the regression
    tests pin.
    """
    lhs, rhs = pinned_sides(st)  # raises when the statement records no counterexample
    return compare(lhs, rhs, st.clauses[st.clause_index(st.counterexample.clause)].rel)
