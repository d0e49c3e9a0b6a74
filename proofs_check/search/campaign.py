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

3. training error: the statements whose clauses carry ``eps_train`` (F1; P1 and P3, Theorem 1
   and Corollary 1 of arXiv 2505.21400, bound ``KL`` by ``... + eps_train``) are checked on
   :data:`NON_OPTIMAL_SHARE` of their instances a second time, with a perturbed or a learned
   predictor (:func:`draw_predictor`, deterministic in the seed), so ``eps_train > 0`` there.

Results are tallied per statement (:class:`~proofs_check.search.results.StatementTally`):
instances (per predictor kind), checks, holds / equal / fails, the tightest ratio
(:func:`~proofs_check.numerics.certify.tightness`) and the instance that reached it.
"""

from __future__ import annotations

import json
import math
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable

from theory import registry
from theory.registry import Statement

from theory.symbols import eps_train as eps_train_symbol

from proofs_check.numerics.certify import mpmath_str, sign
from proofs_check.model.learned import learn_predictor
from proofs_check.model.sampler import PerturbedPredictor
from proofs_check.search.results import CampaignResult, StatementTally, finite_or_text
from proofs_check.sources import families
from proofs_check.model.instance import ClauseResult, Instance, check_all, check_statement
from proofs_check.sources.markov import random_chain
from proofs_check.model.schedules import Schedule, balanced, compositions
from proofs_check.sources.words import words_distribution
from proofs_check.verdicts import Status
from proofs_check.search.driver import Outcome, search
from proofs_check.search.strategies import instances_for

MAX_RATIOS_KEPT = 2000
MAX_EPS_TRAIN_KEPT = 40


def describe(inst: Instance, r: ClauseResult) -> dict:
    """A reproducible record of one checked case (both sides at 30 digits)."""
    return {
        "clause": r.label,
        "distribution": (inst.dist.to_json() if inst.dist.law() is None or inst.dist.n_support <= 4096
                         else {"name": inst.dist.name}),
        "name": inst.dist.name,
        "schedule": list(inst.schedule.sizes),
        "case": {"refined": list(r.case.refined or ()), "step": r.case.step,
                 "bind": [[str(s), v if isinstance(v, int) else str(v)] for s, v in r.case.bind],
                 "policy": getattr(r.case.policy, "label", None)},
        "lhs": mpmath_str(r.lhs, 30),
        "rhs": mpmath_str(r.rhs, 30),
        "verdict": r.verdict.status,
        "method": r.verdict.method,
        "note": r.note,
    }


@dataclass
class Tally:
    """Running counts of one statement; :meth:`summary` gives its typed result."""

    statement: Statement
    instances: int = 0
    checks: int = 0
    holds: int = 0
    equal: int = 0
    fails: int = 0
    within_width: int = 0
    tightest: float | None = None
    worst: dict | None = None
    counterexample: dict | None = None
    ratios: list = field(default_factory=list)
    predictors: Counter = field(default_factory=Counter)
    eps_train_instances: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    _cex_size: tuple = ()

    def add(self, inst: Instance, results: list[ClauseResult], key, kind: str = "optimal") -> None:
        if not results or key in self.seen:
            return
        self.seen.add(key)
        self.instances += 1
        self.predictors[kind] += 1
        for r in results:
            self._count(inst, r)
        if kind != "optimal" and len(self.eps_train_instances) < MAX_EPS_TRAIN_KEPT:
            self.eps_train_instances.append(describe_non_optimal(inst, kind, results))

    def _count(self, inst: Instance, r: ClauseResult) -> None:
        self.checks += 1
        if not r.verdict.ok:
            self.fails += 1
            size = (inst.L, inst.dist.n_support, getattr(inst.dist, "total", 0))
            if self.counterexample is None or size < self._cex_size:
                self.counterexample, self._cex_size = describe(inst, r), size
        elif r.verdict.status == Status.EQUAL:
            self.equal += 1
        elif r.verdict.status == Status.EQUAL_WITHIN_WIDTH:
            self.within_width += 1
        else:
            self.holds += 1
        q = r.verdict.tightness
        if q is None:
            return
        if len(self.ratios) < MAX_RATIOS_KEPT:
            self.ratios.append(q)
        if self.tightest is None or q > self.tightest:
            self.tightest = q
            self.worst = describe(inst, r)

    @property
    def failed(self) -> bool:
        return self.fails > 0

    def summary(self) -> StatementTally:
        st_ = self.statement
        return StatementTally(st_.id, st_.title, st_.provenance, self.instances, self.checks, self.holds,
                              self.equal, self.fails, within_width=self.within_width,
                              tightest_ratio=self.tightest, worst=self.worst, counterexample=self.counterexample,
                              ratios=list(self.ratios), predictors=dict(self.predictors),
                              eps_train_instances=list(self.eps_train_instances))


def describe_non_optimal(inst: Instance, kind: str, results: list[ClauseResult]) -> dict:
    """An instance checked with a non-optimal predictor: its exact eps_train (30 digits, sign certified)
    and the verdict of each clause case."""
    return {"name": inst.dist.name, "L": inst.L, "schedule": list(inst.schedule.sizes), "predictor": kind,
            "eps_train": mpmath_str(inst.eps_train), "eps_train_positive": sign(inst.eps_train)[0] > 0,
            "verdicts": [{"clause": r.label, "verdict": str(r.verdict.status), "ok": r.verdict.ok,
                          "tightness": finite_or_text(r.verdict.tightness)} for r in results]}


# -- non-optimal predictors ---------------------------------------------------------------------

#: Share of the instances of the statements about a trained predictor (those whose clauses contain
#: eps_train: F1, P1, P3) that are checked a second time with a non-optimal predictor: perturbed
#: (``(1 - lam) p* + lam r``) or learned from ``LEARNED_SAMPLES`` samples (add-one counts), chosen
#: from a CRC of the campaign seed and the instance, so a run is reproducible from its seed.
NON_OPTIMAL_SHARE = Fraction(1, 3)
LEARNED_SAMPLES = 24
#: A non-optimal predictor needs the law and an exact eps_train (sum over every mask): kept small.
NON_OPTIMAL_MAX_SUPPORT = 256
NON_OPTIMAL_MAX_L = 5


def eps_train_statements(statements) -> tuple[Statement, ...]:
    """The statements that say something about a trained predictor: a clause mentions eps_train."""
    return tuple(st_ for st_ in statements if any(c.lhs.has(eps_train_symbol) or c.rhs.has(eps_train_symbol)
                                                  for c in st_.clauses))


def draw_predictor(inst: Instance, seed: int) -> tuple[str, object] | None:
    """``(kind, predictor)`` for :data:`NON_OPTIMAL_SHARE` of the instances, deterministic in ``seed``."""
    d = inst.dist
    if (not d.enumerable or d.n_support > NON_OPTIMAL_MAX_SUPPORT or inst.L > NON_OPTIMAL_MAX_L
            or not inst.optimal):
        return None
    h = zlib.crc32(repr((seed, _key(inst))).encode())
    if Fraction(h % 1_000_003, 1_000_003) >= NON_OPTIMAL_SHARE:
        return None
    if (h >> 20) % 2:
        return "learned", learn_predictor(d, LEARNED_SAMPLES, seed=h % 9973)
    return "perturbed", PerturbedPredictor(d, lam=Fraction(1 + (h >> 8) % 5, 10), seed=h % 65_521)


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

    def record_non_optimal(self, inst: Instance, statements=None) -> None:
        """For a drawn share of the instances (:func:`draw_predictor`), the same distribution and
        schedule with a perturbed or learned predictor, checked on the eps_train statements."""
        sts = eps_train_statements(statements or self.statements)
        drawn = draw_predictor(inst, self.seed) if sts else None
        if drawn is None:
            return
        kind, pred = drawn
        other = Instance(inst.dist, inst.schedule, pred)
        for st_ in sts:
            self.tallies[st_.id].add(other, check_statement(st_, other), (_key(inst), kind), kind)

    # -- exploration --------------------------------------------------------
    def explore(self, st_: Statement, seconds: float) -> None:
        """Hypothesis search on one statement (:func:`proofs_check.search.driver.search`), steered
        toward its tightest ratio; a violation of a paper/derived statement stops it, shrunk."""
        triples = instances_for(st_, max_L=self.max_L, max_V=4)
        strict = st_.binding
        if strict and self.tallies[st_.id].failed:
            return  # the sweep already holds its counterexample

        def examine(triple) -> Outcome:
            dist, sched, _ = triple
            inst = Instance(dist, sched)
            results = check_statement(st_, inst)
            self.tallies[st_.id].add(inst, results, _key(inst))
            self.record_non_optimal(inst, (st_,))
            qs = [q for q in (r.verdict.tightness for r in results) if q is not None and math.isfinite(q)]
            bad = strict and any(not r.verdict.ok for r in results)
            return Outcome(max(qs) if qs else None, st_.id if bad else None)

        search(triples, examine, time.monotonic() + seconds, seed=self.seed, label=st_.id)

    # -- driver ---------------------------------------------------------------
    def run(self) -> "Campaign":
        start = time.monotonic()
        sweep = list(self.structured_instances()) + list(self.extra_instances)
        for n, inst in enumerate(sweep, 1):
            self.record(inst)
            self.record_non_optimal(inst)
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

    def results(self) -> CampaignResult:
        return CampaignResult(self.seed, float(self.budget), round(self.elapsed, 2),
                              [t.summary() for t in self.tallies.values()], float(NON_OPTIMAL_SHARE))
