"""pytest plugin: the clauses of statement files as test items, so a CI gate can run on them.

Installed with the package (entry point ``pytest11: dlm``).  ``pytest --dlm my_bounds.toml`` (and
every ``dlm_*.toml`` file that pytest's collection walks past) turns each clause of the file
(:mod:`proofs_check.search.statements_file`) into one test item, checked by ``dlm-verify
check``'s engine (:func:`proofs_check.search.check.check`):

* ``proved`` (a symbolic certificate for every ``L``): the item passes;
* ``refuted`` (a certified counterexample): the item fails, printing the counterexample and the
  ``dlm-verify inspect`` command that reproduces it;
* ``verified`` for ``L <= N`` or ``not refuted``: inconclusive, reported as ``xfail`` (default),
  ``skip`` or ``fail`` with the range reached (``--dlm-inconclusive``, ini ``dlm_inconclusive``).

Counterexamples are stored in ``.dlm/counterexamples.json`` under the rootdir and replayed
(re-certified from scratch) first on the next run: items with a stored counterexample run first
and skip the search when it still refutes (:mod:`proofs_check.search.counterexamples`).  A bad
statement file is a collection error of one line naming the file, statement, clause and field.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from proofs_check.errors import DlmInputError
from proofs_check.verdicts import Established

INCONCLUSIVE_MODES = ("xfail", "skip", "fail")
PATTERN = "dlm_*.toml"
DB_DIR = ".dlm"


@dataclass
class _State:
    explicit: set
    mode: str
    budget: float | None
    root: Path
    collected: set = field(default_factory=set)
    _db: object = None

    @property
    def db(self):
        if self._db is None:
            from proofs_check.search.counterexamples import Database

            self._db = Database.load(self.root / DB_DIR / "counterexamples.json")
        return self._db


_STATE = pytest.StashKey[_State]()


def pytest_addoption(parser):
    group = parser.getgroup("dlm", "dlm-convergence statement files")
    group.addoption("--dlm", action="append", default=[], metavar="FILE",
                    help="check the clauses of this statement file (TOML) as test items (repeatable)")
    group.addoption("--dlm-inconclusive", choices=INCONCLUSIVE_MODES, default=None,
                    help="how a clause only verified for L <= N or not refuted is reported (default xfail)")
    group.addoption("--dlm-budget", type=float, default=None, metavar="SECONDS",
                    help="seconds per clause, overriding the statement files' budget")
    parser.addini("dlm_inconclusive", "xfail, skip or fail: how inconclusive clauses are reported", default="xfail")
    parser.addini("dlm_budget", "seconds per clause, overriding the statement files' budget", default="")


def pytest_configure(config):
    mode = config.getoption("dlm_inconclusive") or config.getini("dlm_inconclusive")
    if mode not in INCONCLUSIVE_MODES:
        raise pytest.UsageError(f"dlm_inconclusive = {mode!r}; use one of {', '.join(INCONCLUSIVE_MODES)}")
    budget = config.getoption("dlm_budget")
    raw = config.getini("dlm_budget")
    if budget is None and raw:
        try:
            budget = float(raw)
        except ValueError:
            raise pytest.UsageError(f"dlm_budget = {raw!r}; give a number of seconds") from None
    if budget is not None and not budget > 0:
        raise pytest.UsageError(f"--dlm-budget {budget}: give a positive number of seconds")
    explicit = set()
    for name in config.getoption("dlm"):
        p = Path(name) if Path(name).is_absolute() else Path(config.invocation_params.dir) / name
        if not p.is_file():
            raise pytest.UsageError(f"--dlm {name}: no such file; give the path of a statement file (TOML)")
        explicit.add(p.resolve())
    config.stash[_STATE] = _State(explicit, mode, budget, Path(config.rootpath))


def pytest_collect_file(file_path: Path, parent):
    state = parent.config.stash[_STATE]
    if file_path.suffix == ".toml" and (fnmatch.fnmatch(file_path.name, PATTERN) or file_path.resolve() in state.explicit):
        state.collected.add(file_path.resolve())
        return DlmFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session, config, items):
    """Collect the ``--dlm`` files the walk did not reach; then stored counterexamples first."""
    state = config.stash[_STATE]
    for path in sorted(state.explicit - state.collected):
        col = DlmFile.from_parent(session, path=path)
        rep = col.ihook.pytest_make_collect_report(collector=col)
        session.ihook.pytest_collectreport(report=rep)
        if rep.passed:
            items.extend(x for x in rep.result if isinstance(x, pytest.Item))
    if any(isinstance(i, DlmItem) for i in items):
        items[:] = sorted(items, key=lambda i: not (isinstance(i, DlmItem) and i.stored(state) is not None))


def pytest_sessionfinish(session):
    state = session.config.stash.get(_STATE, None)
    if state is not None and state._db is not None and state._db.changed:
        state._db.save()


class DlmFile(pytest.File):
    """A statement file; one :class:`DlmItem` per clause."""

    def collect(self):
        from proofs_check.search.statements_file import load

        for clause in load(self.path).clauses:
            yield DlmItem.from_parent(self, name=clause.id, clause=clause)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, DlmInputError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class DlmRefuted(AssertionError):
    """A clause refuted by a certified counterexample."""


class DlmInconclusive(AssertionError):
    """A clause neither proved nor refuted, with ``--dlm-inconclusive=fail``."""


class DlmItem(pytest.Item):
    """One clause of a statement file, checked as ``dlm-verify check`` would."""

    def __init__(self, *, clause, **kw):
        super().__init__(**kw)
        self.clause = clause
        self.result = None

    def stored(self, state):
        return state.db.get(self.clause.id, self.clause.expr, self.clause.over)

    def runtest(self):
        from proofs_check.search import statements_file as sf

        state = self.config.stash[_STATE]
        c = self.clause
        res = self.result = sf.run_clause(c, state.db, state.budget, state.root / DB_DIR / "distributions")
        self.user_properties.append(("dlm_verdict", str(res.verdict)))
        head = f"{c.id}: {c.expr} over {c.over}"
        if res.verdict == Established.REFUTED:
            replayed = any(n.startswith("replayed") for n in res.notes)
            lines = [f"{head}: REFUTED at {sf.L_text(res)}" + (" (replayed from .dlm/counterexamples.json)"
                                                                  if replayed else "")]
            raise DlmRefuted("\n".join(lines + ["  " + x for x in sf.counterexample_lines(res)]))
        if res.verdict == Established.PROVED:
            return
        reason = f"{head}: {sf.inconclusive_reason(res)}"
        if state.mode == "xfail":
            pytest.xfail(reason)
        if state.mode == "skip":
            pytest.skip(reason)
        raise DlmInconclusive(f"INCONCLUSIVE {reason}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, (DlmRefuted, DlmInconclusive, DlmInputError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"dlm clause {self.clause.id}"
