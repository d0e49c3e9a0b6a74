"""Statement files: a user's own bounds in TOML, checked like ``dlm-verify check``.

A statement file holds one or more statements, each with one or more clauses written in the
syntax of ``dlm-verify check`` (:mod:`proofs_check.search.userexpr`)::

    [[statement]]
    id = "MY1"                          # letters, digits, _ or -; unique in the file
    title = "Theorem 1's bound, constant 1"
    provenance = "conjecture"           # default; or "paper" / "derived"
    min_L = 2                           # optional: the claim is for L >= min_L

    [[statement.clause]]
    key = "main"                        # optional: c0, c1, ... by position
    expr = "KL_ideal <= (s_max - 1)/L * MI"
    over = "all"                        # quantifier: all, balanced, one_step, offset
    max_L = 10                          # optional: the finite prover's range (as check --max-L)
    budget = 30                         # optional: seconds for this clause
    seed = 0                            # optional: seed of the random search

Reading never executes anything: the file is read by :mod:`tomllib` (data only) and every
expression by the same whitelisting parser as ``check`` (:func:`~proofs_check.search.userexpr.parse`).
Everything is validated before any check runs; a bad file raises a
:class:`~proofs_check.errors.StatementsFileError` whose one line names the file, the statement
(index and id), the clause and the field.  Each clause is checked by
:func:`proofs_check.search.check.check`, so its verdict means what ``check``'s does (Li & Cai,
arXiv 2505.21400: the quantities of Section 2, KL read through F1).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from theory.registry import PROVENANCES, Statement

from proofs_check.errors import DlmInputError, StatementsFileError
from proofs_check.limits import limit
from proofs_check.model.quantifiers import DISPLAYED, QUANTIFIERS
from proofs_check.search.check import MAX_L, check
from proofs_check.search.counterexamples import replay
from proofs_check.search.results import CheckResult
from proofs_check.search.userexpr import parse
from proofs_check.search.witnesses import inspect_command
from proofs_check.search.witnesses import SEARCH_MAX_L
from proofs_check.verdicts import Established

#: Size limits, checked before anything is parsed.
MAX_FILE_BYTES = limit("statement_file_bytes")
MAX_STATEMENTS = limit("statements_per_file")
MAX_CLAUSES = limit("clauses_per_file")
MAX_BUDGET = float(limit("statement_budget"))
MAX_TEXT = limit("statement_text_chars")
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}\Z")
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")
#: The quantifiers ``check`` takes, by their table names (``one_step``); ``one-step`` is accepted too.
CHECK_QUANTIFIERS = tuple(q.name for q in DISPLAYED.values())
STATEMENT_FIELDS = {"id", "title", "provenance", "min_L", "clause"}
CLAUSE_FIELDS = {"key", "expr", "over", "max_L", "budget", "seed"}
DEFAULTS = {"over": "all", "max_L": 10, "budget": 30.0, "seed": 0}


@dataclass(frozen=True)
class UserClause:
    """One clause of a statement file, validated; :meth:`run` checks it."""

    statement: str
    key: str
    expr: str
    over: str
    min_L: int
    max_L: int
    budget: float
    seed: int
    #: the optional fields the file set itself (the command line fills in the others)
    explicit: frozenset = frozenset()

    @property
    def id(self) -> str:
        """Stable id ``STATEMENT.key``, as :meth:`theory.registry.Statement.clause_id`."""
        return f"{self.statement}.{self.key}"

    def run(self, budget: float | None = None, **share) -> CheckResult:
        """``check(expr, over, max_L, budget, seed, min_L)``; ``budget`` overrides the file's;
        ``share``: check's ``workers``, ``scheduler`` and ``rounds``."""
        return check(self.expr, schedules=self.over, max_L=self.max_L, budget=budget or self.budget,
                     seed=self.seed, min_L=self.min_L, **share)


@dataclass(frozen=True)
class UserStatement:
    id: str
    title: str
    provenance: str
    min_L: int
    clauses: tuple[UserClause, ...]

    def registry_statement(self, source: str) -> Statement:
        """The statement as a :class:`theory.registry.Statement` (for the campaign of ``run``)."""
        clauses = [replace(parse(c.expr).for_class(c.over).clause(c.over), key=c.key) for c in self.clauses]
        return Statement(self.id, self.title, self.provenance, f"statement file {source}", tuple(clauses),
                         min_L=self.min_L, note=f"{source}#{self.id}")


@dataclass(frozen=True)
class StatementsFile:
    path: str
    statements: tuple[UserStatement, ...]

    @property
    def clauses(self) -> list[UserClause]:
        return [c for s in self.statements for c in s.clauses]


def load(path) -> StatementsFile:
    """Read and validate the statement file ``path`` (a StatementsFileError names what to fix)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise StatementsFileError(f"{p}: {size} bytes; a statement file may have at most {MAX_FILE_BYTES}")
        raw = p.read_bytes()
    except OSError as exc:
        raise StatementsFileError(f"cannot read statement file {p}: {exc.strerror}") from None
    return loads(raw, str(p))


def loads(raw: bytes | str, source: str = "<statements>") -> StatementsFile:
    """Validate the TOML text ``raw``; ``source`` names it in error messages."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > MAX_FILE_BYTES:
        raise StatementsFileError(f"{source}: {len(data)} bytes; a statement file may have at most {MAX_FILE_BYTES}")
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise StatementsFileError(f"{source}: not UTF-8 text; save the statement file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise StatementsFileError(f"{source}: not valid TOML: {exc}") from None
    _unknown(doc, {"statement"}, source, "top level")
    items = doc.get("statement")
    if not isinstance(items, list) or not items:
        raise StatementsFileError(f"{source}: no [[statement]] table; write at least one [[statement]] "
                                  "with id, title and [[statement.clause]] expr = \"...\"")
    if len(items) > MAX_STATEMENTS:
        raise StatementsFileError(f"{source}: {len(items)} statements; at most {MAX_STATEMENTS} per file")
    statements = tuple(_statement(x, i, source) for i, x in enumerate(items))
    ids = [s.id for s in statements]
    dup = next((x for x in ids if ids.count(x) > 1), None)
    if dup:
        raise StatementsFileError(f"{source}: statement id {dup!r} is used twice; give every statement its own id")
    n = sum(len(s.clauses) for s in statements)
    if n > MAX_CLAUSES:
        raise StatementsFileError(f"{source}: {n} clauses; at most {MAX_CLAUSES} per file")
    return StatementsFile(source, statements)


def _statement(x, i: int, source: str) -> UserStatement:
    where = f"{source}: statement {i + 1}"
    if not isinstance(x, dict):
        raise StatementsFileError(f"{where}: must be a table ([[statement]]), got {type(x).__name__}")
    sid = _field(x, "id", str, "a string such as \"MY1\"", where)
    if not ID_PATTERN.match(sid):
        raise StatementsFileError(f"{where}, field 'id': {sid!r} must start with a letter and use only "
                                  "letters, digits, _ or - (at most 32 characters)")
    where = f"{source}: statement {i + 1} ({sid})"
    _unknown(x, STATEMENT_FIELDS, where, "statement")
    title = _field(x, "title", str, "a string", where)
    if len(title) > MAX_TEXT:
        raise StatementsFileError(f"{where}, field 'title': {len(title)} characters; at most {MAX_TEXT}")
    prov = _field(x, "provenance", str, "a string", where, "conjecture")
    if prov not in PROVENANCES:
        raise StatementsFileError(f"{where}, field 'provenance': {prov!r}; use one of {', '.join(PROVENANCES)}")
    top = min(SEARCH_MAX_L, MAX_L)
    min_L = _integer(x, "min_L", 2, top, where, 2)
    clauses = x.get("clause")
    if not isinstance(clauses, list) or not clauses:
        raise StatementsFileError(f"{where}: no clause; add [[statement.clause]] with expr = \"...\"")
    out = tuple(_clause(c, j, sid, min_L, f"{where}, clause {j + 1}") for j, c in enumerate(clauses))
    keys = [c.key for c in out]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise StatementsFileError(f"{where}: clause key {dup!r} is used twice; give every clause its own key")
    return UserStatement(sid, title, prov, min_L, out)


def _clause(x, j: int, sid: str, min_L: int, where: str) -> UserClause:
    if not isinstance(x, dict):
        raise StatementsFileError(f"{where}: must be a table ([[statement.clause]]), got {type(x).__name__}")
    _unknown(x, CLAUSE_FIELDS, where, "clause")
    key = _field(x, "key", str, "a string", where, f"c{j}")
    if not KEY_PATTERN.match(key):
        raise StatementsFileError(f"{where}, field 'key': {key!r} must be lower-case letters, digits or _ "
                                  "(starting with a letter)")
    expr = _field(x, "expr", str, "a relation such as \"KL_ideal <= (s_max - 1)/L * MI\"", where)
    over = _quantifier(_field(x, "over", str, "a quantifier name", where, DEFAULTS["over"]), where)
    max_L = _integer(x, "max_L", max(2, min_L), MAX_L, where, max(DEFAULTS["max_L"], min_L))
    budget = _field(x, "budget", (int, float), "a number of seconds", where, DEFAULTS["budget"])
    if not 0 < budget <= MAX_BUDGET:
        raise StatementsFileError(f"{where}, field 'budget': {budget!r}; give seconds in (0, {MAX_BUDGET:g}]")
    seed = _integer(x, "seed", 0, 2**32 - 1, where, DEFAULTS["seed"])
    try:
        rel = parse(expr)
    except DlmInputError as exc:
        raise StatementsFileError(f"{where}, field 'expr': {exc}") from None
    if rel.uses_step and over != "offset":
        raise StatementsFileError(f"{where}, field 'expr': s is the step of the randomized-offset family; "
                                  "set over = \"offset\" (or write s_max)")
    return UserClause(sid, key, expr, over, min_L, max_L, float(budget), seed,
                      frozenset(k for k in ("max_L", "budget", "seed") if k in x))


def _field(x: dict, name: str, types, expected: str, where: str, default=...):
    if name not in x:
        if default is ...:
            raise StatementsFileError(f"{where}: missing field '{name}' ({expected})")
        return default
    v = x[name]
    if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)) \
            or not isinstance(v, types):
        raise StatementsFileError(f"{where}, field '{name}': expected {expected}, got {type(v).__name__} {_short(v)}")
    return v


def _integer(x: dict, name: str, lo: int, hi: int, where: str, default: int) -> int:
    v = _field(x, name, int, f"an integer in {lo}..{hi}", where, default)
    if not lo <= v <= hi:
        raise StatementsFileError(f"{where}, field '{name}': {v} is outside {lo}..{hi}")
    return v


def _quantifier(name: str, where: str) -> str:
    key = name.replace("-", "_")
    if key in CHECK_QUANTIFIERS:
        return key
    known = f"use one of {', '.join(CHECK_QUANTIFIERS)}"
    if key in QUANTIFIERS:
        raise StatementsFileError(f"{where}, field 'over': quantifier {name!r} is not checked for user "
                                  f"statements; {known}")
    raise StatementsFileError(f"{where}, field 'over': unknown quantifier {name!r}; {known}")


def _unknown(x: dict, allowed: set, where: str, what: str) -> None:
    extra = sorted(set(x) - allowed)
    if extra:
        raise StatementsFileError(f"{where}: unknown {what} field {extra[0]!r}; allowed: {', '.join(sorted(allowed))}")


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


# ----------------------------------------------------------------------------------------
# the worst verdict of a file
# ----------------------------------------------------------------------------------------

#: Worst first: a refutation outweighs an inconclusive clause, which outweighs a proof.
SEVERITY = (Established.REFUTED, Established.NOT_REFUTED, Established.VERIFIED, Established.PROVED)


def worst(verdicts) -> Established:
    """The worst of ``verdicts`` by :data:`SEVERITY` (``proved`` for none)."""
    vs = {Established(v) for v in verdicts}
    return next((v for v in SEVERITY if v in vs), Established.PROVED)


# ----------------------------------------------------------------------------------------
# checking a clause, with the counterexample database
# ----------------------------------------------------------------------------------------

def run_clause(c: UserClause, db=None, budget: float | None = None, save_dir: Path | None = None,
               **share) -> CheckResult:
    """Check one clause; with a :class:`~proofs_check.search.counterexamples.Database`, replay its
    stored counterexample first (re-certified) and store a new one.  ``budget`` overrides the file's.

    A refutation's record gets the ``dlm-verify inspect`` command that reproduces it; a
    distribution that is not a named family is written to ``save_dir/<clause id>.json`` for it."""
    res = None
    if db is not None:
        record = db.get(c.id, c.expr, c.over)
        if record is not None:
            res = replay(c.expr, c.over, record, c.max_L, c.seed, budget or c.budget)
            if res is None:
                db.drop(c.id)
    res = res or c.run(budget, **share)
    if res.verdict == Established.REFUTED:
        _add_inspect(c, res, save_dir)
    if db is not None and res.verdict == Established.REFUTED:
        db.put(c.id, c.expr, c.over, res.counterexample)
    elif db is not None:
        db.drop(c.id)
    return res


# ----------------------------------------------------------------------------------------
# text, shared by `check --file` and the pytest plugin
# ----------------------------------------------------------------------------------------

def L_text(res: CheckResult) -> str:
    """The lengths a verdict covers: ``L >= 2`` (proved), ``L = 2..10``, ``L = 11`` (refuted)."""
    lo, hi = (res.L_range or [None, None]) + [None] * (2 - len(res.L_range or []))
    if lo is None:
        return "-"
    if hi is None:
        return f"L >= {lo}"
    return f"L = {lo}" if lo == hi else f"L = {lo}..{hi}"


def inconclusive_reason(res: CheckResult) -> str:
    """One line: what was established short of a proof for every L, and how far it reached."""
    if res.verdict == Established.VERIFIED:
        return f"verified for {L_text(res)} (every case proved exactly), not proved for every L"
    ratio = "-" if res.best_ratio is None else f"{res.best_ratio:.6g}"
    return (f"not refuted for {L_text(res)}: searched {res.searched}; tightest ratio {ratio} "
            "(1 = tight, above 1 = violated)")


def counterexample_lines(res: CheckResult) -> list[str]:
    """The certified counterexample of a refuted result, and the command that reproduces it."""
    c = res.counterexample or {}
    sched = ",".join(map(str, c.get("schedule") or []))
    if c.get("ray"):
        head = f"extreme ray {c['ray']['direction']} at L={c['L']}: {c['name']}, schedule {sched}"
    else:
        head = (f"{c.get('name')} (L={c.get('L')}, V={c.get('V')}, support {c.get('support')}), "
                f"schedule {sched}, predictor {c.get('predictor')}")
    out = [f"counterexample: {head}", f"lhs = {c.get('lhs')}", f"rhs = {c.get('rhs')}",
           f"certified: the relation {c.get('relation')} fails ({c.get('method')})"]
    if c.get("inspect"):
        out.append(f"reproduce: {c['inspect']}")
    return out


def _add_inspect(c: UserClause, res: CheckResult, save_dir: Path | None) -> None:
    rec = res.counterexample
    if rec.get("ray"):
        return  # certified on the ray's closed-form profile: too long to enumerate for inspect
    path = None
    if rec.get("family") is None and save_dir is not None and rec.get("distribution") is not None:
        path = Path(save_dir) / f"{c.id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rec["distribution"], indent=1) + "\n")
    if rec.get("family") is not None or path is not None:
        rec["inspect"] = inspect_command(rec, None if path is None else str(path))
