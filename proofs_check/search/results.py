"""Typed results with a versioned JSON form: campaign, check and (read back) prover results.

Each result is a dataclass; ``to_json()`` gives a JSON object carrying
``"schema": "dlm-verify/<kind>/<version>"`` and ``from_json(data, source)`` reads it back,
checking the schema, every required key and its type, and raising a one-line
:class:`~proofs_check.errors.ResultsFileError` that names the file, the field and what was
expected.  ``dlm-verify report`` and ``status`` read results only through these types.

Ratios are :func:`proofs_check.numerics.certify.tightness` values: the side claimed smaller
over the side claimed larger (1 tight, above 1 violated); JSON has no infinities, so they are
written as the strings ``"inf"`` / ``"-inf"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from proofs_check.errors import ResultsFileError
from proofs_check.files import read_json
from proofs_check.verdicts import EXIT_CODES, Established

SCHEMA_VERSION = 1
_NUMBER = (int, float)
_OPT_DICT = (dict, type(None))


def schema(kind: str) -> str:
    return f"dlm-verify/{kind}/{SCHEMA_VERSION}"


def finite_or_text(x: float | None):
    """A float for JSON: ``inf``/``-inf`` as strings, NaN as None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf")


#: Integers of at least this many bits overflow a float (JSON may hold any integer).
_FLOAT_INT_BITS = 1000


def _tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _ratio_value(x):
    return float(x) if isinstance(x, str) else x


class _Reader:
    """Typed access to one JSON object of a results file; errors name the file and the field."""

    def __init__(self, data, source: str, where: str = ""):
        self.source, self.where = source, where
        if not isinstance(data, dict):
            self.fail("", "a JSON object", data)
        self.data = data

    def fail(self, key: str, expected: str, got) -> None:
        name = f"{self.where}.{key}" if self.where and key else (key or self.where or "top level")
        shown = type(got).__name__ if isinstance(got, (dict, list)) else repr(got)
        raise ResultsFileError(f"{self.source}: field {name!r} must be {expected}, got {shown}; "
                               "regenerate the file with the dlm-verify command that writes it")

    def get(self, key: str, types, expected: str, default=...):
        if key not in self.data:
            if default is not ...:
                return default
            raise ResultsFileError(f"{self.source}: required field {self._name(key)!r} ({expected}) is missing; "
                                   "regenerate the file with the dlm-verify command that writes it")
        v = self.data[key]
        if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.fail(key, expected, v)
        if not isinstance(v, types):
            self.fail(key, expected, v)
        if float in _tuple(types) and isinstance(v, int) and v.bit_length() >= _FLOAT_INT_BITS:
            self.fail(key, expected + " within the float range", f"an integer of {v.bit_length()} bits")
        return v

    def ratio(self, key: str, default=...):
        v = self.get(key, (int, float, str, type(None)), "a number, 'inf', '-inf' or null", default)
        if isinstance(v, str) and v not in ("inf", "-inf"):
            self.fail(key, "a number, 'inf', '-inf' or null", v)
        return _ratio_value(v)

    def check_schema(self, kind: str) -> None:
        got = self.get("schema", str, f"{schema(kind)!r}")
        if got != schema(kind):
            self.fail("schema", f"{schema(kind)!r}", got)

    def child(self, data, where: str) -> "_Reader":
        return _Reader(data, self.source, where)

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key


def read_json_file(path: Path):
    """The parsed JSON in ``path``, read as untrusted input by :func:`proofs_check.files.read_json`
    (size limit ``file_bytes``, nesting limit ``json_depth``); a missing, oversized or malformed
    file is a one-line :class:`~proofs_check.errors.ResultsFileError`."""
    return read_json(path, "results", ResultsFileError)


# ----------------------------------------------------------------------------------------------
# campaign (dlm-verify run)
# ----------------------------------------------------------------------------------------------

@dataclass
class StatementTally:
    """One statement over a campaign: counts of certified checks, the tightest instance, predictors.

    ``predictors``: instances per predictor kind (``optimal``, ``perturbed``, ``learned``);
    ``eps_train_instances``: the first instances checked with a non-optimal predictor
    (eps_train > 0), each with its verdicts.
    """

    id: str
    title: str
    provenance: str
    instances: int = 0
    checks: int = 0
    holds: int = 0
    equal: int = 0
    fails: int = 0
    #: checks whose two sides are known only through enclosures that could not be separated: neither
    #: holds nor fails (never counted as holds)
    within_width: int = 0
    tightest_ratio: float | None = None
    worst: dict | None = None
    counterexample: dict | None = None
    ratios: list = field(default_factory=list)
    predictors: dict = field(default_factory=dict)
    eps_train_instances: list = field(default_factory=list)

    @property
    def non_optimal(self) -> int:
        """Instances checked with a predictor other than the optimal one."""
        return sum(n for kind, n in self.predictors.items() if kind != "optimal")

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "provenance": self.provenance,
                "instances": self.instances, "checks": self.checks, "holds": self.holds, "equal": self.equal,
                "fails": self.fails, "within_width": self.within_width, "tightest_ratio": finite_or_text(self.tightest_ratio), "worst": self.worst,
                "counterexample": self.counterexample, "ratios": [finite_or_text(r) for r in self.ratios],
                "predictors": dict(self.predictors), "eps_train_instances": list(self.eps_train_instances)}

    @classmethod
    def from_json(cls, r: _Reader) -> "StatementTally":
        counts = {k: r.get(k, int, "an integer") for k in ("instances", "checks", "holds", "equal", "fails")}
        counts["within_width"] = r.get("within_width", int, "an integer", default=0)
        decided = counts["holds"] + counts["equal"] + counts["fails"] + counts["within_width"]
        if decided != counts["checks"]:
            r.fail("checks", f"holds + equal + fails + within_width = {decided}", counts["checks"])
        predictors = r.get("predictors", dict, "an object kind -> instances")
        for kind, n in predictors.items():
            if isinstance(n, bool) or not isinstance(n, int):
                r.child(predictors, r._name("predictors")).fail(kind, "an integer", n)
        ratios = r.get("ratios", list, "a list of numbers")
        return cls(r.get("id", str, "a statement id"), r.get("title", str, "a string"),
                   r.get("provenance", str, "a provenance"), **counts,
                   tightest_ratio=r.ratio("tightest_ratio"), worst=r.get("worst", _OPT_DICT, "an object or null"),
                   counterexample=r.get("counterexample", _OPT_DICT, "an object or null"),
                   ratios=[_ratio_value(x) for x in ratios], predictors=predictors,
                   eps_train_instances=r.get("eps_train_instances", list, "a list of objects"))


@dataclass
class CampaignResult:
    """The whole campaign: seed, budget, per-statement tallies."""

    seed: int
    budget_seconds: float
    elapsed_seconds: float
    statements: list[StatementTally]
    non_optimal_share: float = 0.0  # the documented share of drawn instances given a non-optimal predictor
    workers: int = 1  # processes (or Dask workers) that ran the shards
    rounds: int | None = None  # Hypothesis rounds per statement when fixed (None: until the budget)
    KIND = "campaign"

    @property
    def total_checks(self) -> int:
        return sum(s.checks for s in self.statements)

    def statement(self, sid: str) -> StatementTally:
        for s in self.statements:
            if s.id == sid:
                return s
        raise KeyError(f"no statement {sid!r} in these results; they hold {', '.join(s.id for s in self.statements)}")

    def to_json(self) -> dict:
        return {"schema": schema(self.KIND), "seed": self.seed, "budget_seconds": self.budget_seconds,
                "elapsed_seconds": self.elapsed_seconds, "total_checks": self.total_checks,
                "non_optimal_share": self.non_optimal_share, "workers": self.workers, "rounds": self.rounds,
                "statements": [s.to_json() for s in self.statements]}

    @classmethod
    def from_json(cls, data, source: str = "campaign results") -> "CampaignResult":
        r = _Reader(data, source)
        r.check_schema(cls.KIND)
        rows = r.get("statements", list, "a list of statement tallies")
        out = cls(r.get("seed", int, "an integer"), r.get("budget_seconds", _NUMBER, "a number"),
                  r.get("elapsed_seconds", _NUMBER, "a number"),
                  [StatementTally.from_json(r.child(s, f"statements[{i}]")) for i, s in enumerate(rows)],
                  r.get("non_optimal_share", _NUMBER, "a number"), r.get("workers", int, "an integer", 1),
                  r.get("rounds", (int, type(None)), "an integer or null", None))
        total = r.get("total_checks", int, "an integer")
        if total != out.total_checks:
            r.fail("total_checks", f"the sum of the statements' checks ({out.total_checks})", total)
        return out

    @classmethod
    def load(cls, path) -> "CampaignResult":
        return cls.from_json(read_json_file(path), str(path))


# ----------------------------------------------------------------------------------------------
# check (dlm-verify check)
# ----------------------------------------------------------------------------------------------

#: How each verdict of ``check`` was obtained.
CHECK_METHODS = {
    Established.PROVED: "symbolic certificate for every L",
    Established.VERIFIED: "exact Shannon-cone prover on every case of L = 2..N",
    Established.NOT_REFUTED: "search",
    Established.REFUTED: "certified counterexample",
}


@dataclass
class CheckResult:
    """Outcome of :func:`proofs_check.search.check.check`; ``to_json()`` gives the ``--json`` object.

    ``verdict`` is an :class:`~proofs_check.verdicts.Established`; ``L_range`` the lengths it
    covers (``[min_L, None]`` for every L), ``method`` how it was obtained.
    """

    verdict: Established
    expression: str
    canonical: str
    relation: str
    linear: bool
    schedules: str
    max_L: int
    seed: int
    budget: float
    L_range: list | None = None
    method: str = ""
    proof: dict | None = None
    counterexample: dict | None = None
    instances: int = 0
    best_ratio: float | None = None
    tightest: dict | None = None
    searched: str = ""
    notes: list = field(default_factory=list)
    elapsed: float = 0.0
    workers: int = 1  # processes (or Dask workers) that shared the search
    distribution: object = field(default=None, repr=False)  # the counterexample, for --save-counterexample
    KIND = "check"

    @property
    def exit_code(self) -> int:
        return int(EXIT_CODES[Established(self.verdict)])

    def to_json(self) -> dict:
        return {
            "schema": schema(self.KIND), "verdict": str(self.verdict), "L_range": self.L_range,
            "method": self.method, "expression": self.expression, "canonical": self.canonical,
            "relation": self.relation, "linear": self.linear, "schedules": self.schedules,
            "max_L": self.max_L, "seed": self.seed, "budget_seconds": self.budget,
            "elapsed_seconds": round(self.elapsed, 3), "workers": self.workers,
            "proof": self.proof, "counterexample": self.counterexample, "instances": self.instances,
            "best_ratio": finite_or_text(self.best_ratio), "tightest": self.tightest, "searched": self.searched,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data, source: str = "check result") -> "CheckResult":
        r = _Reader(data, source)
        r.check_schema(cls.KIND)
        verdict = r.get("verdict", str, "a verdict")
        if verdict not in set(Established):
            r.fail("verdict", " or ".join(repr(str(v)) for v in Established), verdict)
        return cls(Established(verdict), r.get("expression", str, "a string"), r.get("canonical", str, "a string"),
                   r.get("relation", str, "a relation"), r.get("linear", bool, "true or false"),
                   r.get("schedules", str, "a schedule class"), r.get("max_L", int, "an integer"),
                   r.get("seed", int, "an integer"), r.get("budget_seconds", _NUMBER, "a number"),
                   L_range=r.get("L_range", (list, type(None)), "[min_L, max_L or null] or null"),
                   method=r.get("method", str, "a string"), proof=r.get("proof", _OPT_DICT, "an object or null"),
                   counterexample=r.get("counterexample", _OPT_DICT, "an object or null"),
                   instances=r.get("instances", int, "an integer"), best_ratio=r.ratio("best_ratio"),
                   tightest=r.get("tightest", _OPT_DICT, "an object or null"),
                   searched=r.get("searched", str, "a string"), notes=r.get("notes", list, "a list of strings"),
                   elapsed=r.get("elapsed_seconds", _NUMBER, "a number"),
                   workers=r.get("workers", int, "an integer", 1))


# ----------------------------------------------------------------------------------------------
# prover (read back only: the prover writes its own JSON)
# ----------------------------------------------------------------------------------------------

@dataclass
class ProverSummary:
    """What the status board needs from the prover's result on one statement (finite ``L`` range)."""

    id: str
    provable: bool
    proved: bool
    max_L: int
    schedules_proved: int
    refuted: list = field(default_factory=list)  # of {"L": ..., "schedule": ...}
    KIND = "prover"

    def to_json(self) -> dict:
        return {"schema": schema(self.KIND), "id": self.id, "provable": self.provable, "proved": self.proved,
                "max_L": self.max_L, "schedules_proved": self.schedules_proved, "refuted": list(self.refuted)}

    @classmethod
    def from_json(cls, data, source: str = "prover result") -> "ProverSummary":
        """Read a summary, or the prover's own ``StatementResult.to_json()`` (which has no schema key)."""
        r = _Reader(data, source)
        if "schema" in r.data:
            r.check_schema(cls.KIND)
        refuted = r.get("refuted", list, "a list of refutations")
        for i, x in enumerate(refuted):
            ref = r.child(x, f"refuted[{i}]")
            ref.get("L", int, "an integer")
        return cls(r.get("id", str, "a statement id"), r.get("provable", bool, "true or false"),
                   r.get("proved", bool, "true or false"), r.get("max_L", int, "an integer"),
                   r.get("schedules_proved", int, "an integer"), refuted)
