"""The verification campaign behind ``dlm-verify run``.

Every registry statement is checked on many instances with certified verdicts:

1. a deterministic sweep of the structured families (copy, parity, product,
   mixtures) over all schedules of small ``L``, then English words, a short and a
   64-long Markov chain (:func:`real_and_long_instances`);
2. a Hypothesis exploration per statement, drawing random dense and sparse
   integer-weight distributions and schedules that the statement quantifies
   over, steered by ``hypothesis.target`` toward the tightest ratio
   ``lhs/rhs`` (for ``<=``; ``rhs/lhs`` for ``>=``).  A violation of a
   ``paper``/``derived`` statement stops that exploration, Hypothesis shrinks
   it, and the shrunk instance is reported as the counterexample.

Results are tallied per statement: instances, checks, holds / equal / fails,
the tightest ratio and the instance that reached it.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hyp_seed
from hypothesis import strategies as st

from theory import registry
from theory.registry import Statement
from theory.relations import relation as relation_type

from proofs_check.numerics.certify import mpmath_str
from proofs_check.sources import families
from proofs_check.model.instance import ClauseResult, Instance, check_all, check_statement
from proofs_check.sources.markov import random_chain
from proofs_check.model.schedules import Schedule, balanced, compositions
from proofs_check.sources.words import words_distribution
from proofs_check.search.strategies import instances_for

MAX_RATIOS_KEPT = 2000


def ratio(r: ClauseResult) -> float | None:
    """How close a clause came to failing: 1 is tight, above 1 is a violation (None for identities)."""
    rel = r.verdict.relation
    if rel == "==":
        return None
    small, big = relation_type(rel).smaller_larger(r.verdict.lhs, r.verdict.rhs)
    if r.verdict.status == "equal":
        return None if r.rhs.is_zero() else 1.0  # 0 <= 0 says nothing about tightness
    if big > 0:
        return small / big
    if big == 0:
        return math.inf if small > 0 else 0.0
    return -math.inf if r.verdict.ok else math.inf


def describe(inst: Instance, r: ClauseResult) -> dict:
    """A reproducible record of one checked case (both sides at 30 digits)."""
    return {
        "clause": r.label,
        "distribution": (inst.dist.to_json() if inst.dist.law() is None or inst.dist.n_support <= 4096
                         else {"name": inst.dist.name}),
        "name": inst.dist.name,
        "schedule": list(inst.schedule.sizes),
        "case": {"refined": list(r.case.refined or ()), "step": r.case.step,
                 "bind": [[str(s), v if isinstance(v, int) else str(v)] for s, v in r.case.bind]},
        "lhs": mpmath_str(r.lhs, 30),
        "rhs": mpmath_str(r.rhs, 30),
        "verdict": r.verdict.status,
        "method": r.verdict.method,
        "note": r.note,
    }


@dataclass
class Tally:
    statement: Statement
    instances: int = 0
    checks: int = 0
    holds: int = 0
    equal: int = 0
    fails: int = 0
    tightest: float | None = None
    worst: dict | None = None
    counterexample: dict | None = None
    ratios: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    _cex_size: tuple = ()

    def add(self, inst: Instance, results: list[ClauseResult], key) -> None:
        if not results or key in self.seen:
            return
        self.seen.add(key)
        self.instances += 1
        for r in results:
            self.checks += 1
            if not r.verdict.ok:
                self.fails += 1
                size = (inst.L, inst.dist.n_support, getattr(inst.dist, "total", 0))
                if self.counterexample is None or size < self._cex_size:
                    self.counterexample, self._cex_size = describe(inst, r), size
            elif r.verdict.status == "equal":
                self.equal += 1
            else:
                self.holds += 1
            q = ratio(r)
            if q is None or math.isnan(q):
                continue
            if len(self.ratios) < MAX_RATIOS_KEPT:
                self.ratios.append(q)
            if self.tightest is None or q > self.tightest:
                self.tightest = q
                self.worst = describe(inst, r)

    @property
    def failed(self) -> bool:
        return self.fails > 0

    def summary(self) -> dict:
        st_ = self.statement
        return {
            "id": st_.id, "title": st_.title, "provenance": st_.provenance,
            "instances": self.instances, "checks": self.checks,
            "holds": self.holds, "equal": self.equal, "fails": self.fails,
            "tightest_ratio": self.tightest, "worst": self.worst, "counterexample": self.counterexample,
            "ratios": self.ratios,
        }


def real_and_long_instances() -> Iterable[Instance]:
    """Real language and long sequences (notes/00-overview.md): English words of 3 letters, a short
    Markov chain (enumerated, so the brute-force identities run too) and a 64-long chain (closed-form
    profile only), each under two schedules.  About 7 s together."""
    words = words_distribution("en", 3)
    short = random_chain(5, V=3, seed=2)
    long_ = random_chain(64, V=4, seed=3)
    for source, schedules in ((words, (balanced(3, 2), Schedule((1, 2)))),
                              (short, (balanced(5, 2), balanced(5, 3))),
                              (long_, (balanced(64, 8), balanced(64, 16)))):
        for sched in schedules:
            yield Instance(source, sched)


def _key(inst: Instance):
    d = inst.dist
    if d.law() is None:  # a source too long to enumerate: its parameters are its identity
        return (json.dumps(d.to_json()), inst.schedule.sizes)
    return (d.V, d.L, d.support.tobytes(), d.weights, inst.schedule.sizes)


class _Violation(AssertionError):
    pass


@dataclass
class Campaign:
    statements: tuple[Statement, ...] = registry.STATEMENTS
    budget: float = 120.0
    seed: int = 0
    max_L: int = 6
    structured_max_L: int = 5
    progress: Callable[[str, float], None] | None = None
    extra_instances: Iterable[Instance] = ()
    tallies: dict = field(default_factory=dict)
    elapsed: float = 0.0

    def __post_init__(self):
        self.tallies = {s.id: Tally(s) for s in self.statements}

    # -- sources ------------------------------------------------------------
    def structured_instances(self) -> Iterable[Instance]:
        for L in range(2, self.structured_max_L + 1):
            for d in families.members("sweep", L):
                for sched in compositions(L):
                    yield Instance(d, sched)
        yield from real_and_long_instances()

    def record(self, inst: Instance, statements=None) -> list[ClauseResult]:
        results = check_all(inst, statements or self.statements)
        key = _key(inst)
        by_id: dict = {}
        for r in results:
            by_id.setdefault(r.statement, []).append(r)
        for sid, rs in by_id.items():
            self.tallies[sid].add(inst, rs, key)
        return results

    # -- exploration --------------------------------------------------------
    def explore(self, st_: Statement, seconds: float, batch: int = 40) -> None:
        """Hypothesis search on one statement, steered toward its tightest ratio.

        Runs batches of ``batch`` examples with successive seeds until ``seconds`` are used;
        a violation of a paper/derived statement is shrunk by Hypothesis and recorded.
        """
        deadline = time.monotonic() + seconds
        triples = instances_for(st_, max_L=self.max_L, max_V=4)
        strict = st_.binding

        @settings(max_examples=batch, deadline=None, database=None, derandomize=False,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.target, Phase.shrink])
        @given(st.data())
        def search(data):
            dist, sched, _ = data.draw(triples)
            inst = Instance(dist, sched)
            results = check_statement(st_, inst)
            self.tallies[st_.id].add(inst, results, _key(inst))
            qs = [q for q in map(ratio, results) if q is not None and math.isfinite(q)]
            if qs:
                target(max(qs), label=st_.id)
            if strict and any(not r.verdict.ok for r in results):
                raise _Violation(st_.id)

        round_ = 0
        while time.monotonic() < deadline and not (strict and self.tallies[st_.id].failed):
            runner = hyp_seed(self.seed * 100_003 + round_)(search)
            round_ += 1
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    runner()
                except _Violation:
                    pass  # recorded in the tally; Hypothesis replayed the shrunk example last

    # -- driver ---------------------------------------------------------------
    def run(self) -> "Campaign":
        start = time.monotonic()
        sweep = list(self.structured_instances()) + list(self.extra_instances)
        for n, inst in enumerate(sweep, 1):
            self.record(inst)
            self._tick(f"structured {n}/{len(sweep)}", start)
        remaining = max(self.budget - (time.monotonic() - start), 0.0)
        per = remaining / max(len(self.statements), 1)
        for st_ in self.statements:
            self.explore(st_, per)
            self._tick(f"explored {st_.id}", start)
        self.elapsed = time.monotonic() - start
        return self

    def _tick(self, what: str, start: float) -> None:
        if self.progress:
            self.progress(what, min((time.monotonic() - start) / max(self.budget, 1e-9), 1.0))

    # -- results ----------------------------------------------------------------
    @property
    def failed_statements(self) -> list[Tally]:
        return [t for t in self.tallies.values() if t.failed and t.statement.binding]

    def results(self) -> dict:
        return {
            "seed": self.seed, "budget_seconds": self.budget, "elapsed_seconds": round(self.elapsed, 2),
            "total_checks": sum(t.checks for t in self.tallies.values()),
            "statements": [t.summary() for t in self.tallies.values()],
        }
