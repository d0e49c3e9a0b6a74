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
   it, and the shrunk instance is reported as the counterexample.  Every instance drawn is
   checked on every statement (its profile and atoms are computed once and shared); only the
   statement being explored steers the search and stops it.

3. training error: the statements whose clauses carry ``eps_train`` (F1; P1 and P3, Theorem 1
   and Corollary 1 of arXiv 2505.21400, bound ``KL`` by ``... + eps_train``) are checked on
   :data:`NON_OPTIMAL_SHARE` of their instances a second time, with a perturbed or a learned
   predictor (:func:`draw_predictor`, deterministic in the seed), so ``eps_train > 0`` there.

Results are tallied per statement (:class:`~proofs_check.search.results.StatementTally`):
instances (per predictor kind), checks, holds / equal / fails, the tightest ratio
(:func:`~proofs_check.numerics.certify.tightness`) and the instance that reached it.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import itertools
import math
import time
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, fields
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
from proofs_check.model.instance import ClauseResult, Instance, check_all, check_statement, instance_key
from proofs_check.sources.markov import random_chain
from proofs_check.model.schedules import Schedule, balanced, compositions
from proofs_check.sources.words import words_distribution
from proofs_check.verdicts import Status
from proofs_check.search.driver import Outcome, search
from proofs_check.search.shards import Shard, executor, run_shards, until_violation
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


@dataclass(frozen=True)
class Entry:
    """What one checked instance adds to a statement's tally: plain data, so a shard computed in
    another process (or on a Dask worker) is merged by replaying its entries in shard order.

    ``best``: ``(q, describe)`` of the instance's tightest case, kept only when it beat the tightest
    ratio seen before it in its shard (a ratio that beats the merged tally's must); ``cex``:
    ``(size, describe)`` of its first failing case, likewise; ``eps``: the record of an instance
    checked with a non-optimal predictor.
    """

    key: str
    kind: str
    holds: int
    equal: int
    fails: int
    ratios: tuple
    best: tuple | None = None
    cex: tuple | None = None
    eps: dict | None = None
    within_width: int = 0

    @property
    def checks(self) -> int:
        return self.holds + self.equal + self.fails + self.within_width


def _column(r: ClauseResult) -> str:
    """The tally column of one verdict: fails, equal, equal within width (never holds), or holds."""
    if not r.verdict.ok:
        return "fails"
    if r.verdict.status == Status.EQUAL:
        return "equal"
    return "within_width" if r.verdict.status == Status.EQUAL_WITHIN_WIDTH else "holds"


def key_digest(key) -> str:
    """A short stable digest of an instance key (:func:`~proofs_check.model.instance.instance_key`),
    the identity used to skip repeats; computed once per checked instance (about 2.5 ms for a
    4096-state support), not once per statement."""
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


class Tally(StatementTally):
    """A statement's :class:`~proofs_check.search.results.StatementTally` while the campaign runs:
    the same count fields (one class, not a copy of them), plus what counting needs.

    :meth:`add` turns one checked instance into an :class:`Entry` and applies it; ``entries``
    keeps the applied entries in order (what a shard sends back for merging); ``seen`` holds the
    digests of the instances counted, so a repeat is skipped.
    """

    def __init__(self, statement: Statement):
        super().__init__(statement.id, statement.title, statement.provenance, predictors=Counter())
        self.statement = statement
        self.seen: set = set()
        self.entries: list = []
        self._cex_size: tuple = ()

    def add(self, inst: Instance, results: list[ClauseResult], digest: str, kind: str = "optimal") -> None:
        """Count one checked instance, identified by ``digest`` (:func:`key_digest`), unless seen."""
        if not results or digest in self.seen:
            return
        self.apply(self.entry(inst, results, digest, kind))

    def entry(self, inst: Instance, results: list[ClauseResult], digest: str, kind: str) -> Entry:
        """The :class:`Entry` of one instance; describes are built only where they can matter."""
        counts = Counter(_column(r) for r in results)
        qs = [r.verdict.tightness for r in results]
        best = cex = None
        top = max((q for q in qs if q is not None), default=None)
        if top is not None and (self.tightest_ratio is None or top > self.tightest_ratio):
            best = (top, describe(inst, results[qs.index(top)]))
        bad = next((r for r in results if not r.verdict.ok), None)
        if bad is not None:
            size = (inst.L, inst.dist.n_support, getattr(inst.dist, "total", 0))
            if self.counterexample is None or size < self._cex_size:
                cex = (size, describe(inst, bad))
        eps = describe_non_optimal(inst, kind, results) if kind != "optimal" else None
        return Entry(digest, kind, counts["holds"], counts["equal"], counts["fails"],
                     tuple(q for q in qs if q is not None), best, cex, eps, counts["within_width"])

    def apply(self, e: Entry) -> None:
        """Count one entry unless its instance was counted already (the same rule in every process)."""
        if e.key in self.seen:
            return
        self.seen.add(e.key)
        self.entries.append(e)
        self.instances += 1
        self.predictors[e.kind] += 1
        self.checks += e.checks
        self.holds, self.equal, self.fails = self.holds + e.holds, self.equal + e.equal, self.fails + e.fails
        self.within_width += e.within_width
        self.ratios.extend(e.ratios[:max(MAX_RATIOS_KEPT - len(self.ratios), 0)])
        if e.best is not None and (self.tightest_ratio is None or e.best[0] > self.tightest_ratio):
            self.tightest_ratio, self.worst = e.best
        if e.cex is not None and (self.counterexample is None or e.cex[0] < self._cex_size):
            self._cex_size, self.counterexample = e.cex
        if e.eps is not None and len(self.eps_train_instances) < MAX_EPS_TRAIN_KEPT:
            self.eps_train_instances.append(e.eps)

    @property
    def failed(self) -> bool:
        return self.fails > 0

    def summary(self) -> StatementTally:
        """The plain typed result (copies: the tally may go on counting)."""
        out = StatementTally(**{f.name: copy.copy(getattr(self, f.name)) for f in fields(StatementTally)})
        out.predictors = dict(out.predictors)
        return out


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
    h = zlib.crc32(repr((seed, instance_key(inst.dist, inst.schedule))).encode())
    if Fraction(h % 1_000_003, 1_000_003) >= NON_OPTIMAL_SHARE:
        return None
    if (h >> 20) % 2:
        return "learned", learn_predictor(d, LEARNED_SAMPLES, seed=h % 9973)
    return "perturbed", PerturbedPredictor(d, lam=Fraction(1 + (h >> 8) % 5, 10), seed=h % 65_521)


@functools.lru_cache(maxsize=None)
def _words3():
    """The English 3-letter words distribution, built once per process (about 2 s)."""
    return words_distribution("en", 3)


def real_and_long_instances() -> Iterable[Instance]:
    """Real language and long sequences (notes/00-overview.md): English words of 3 letters, a short
    Markov chain (enumerated, so the brute-force identities run too) and a 64-long chain (closed-form
    profile only), each under two schedules.  About 7 s together."""
    words = _words3()
    short = random_chain(5, V=3, seed=2)
    long_ = random_chain(64, V=4, seed=3)
    for source, schedules in ((words, (balanced(3, 2), Schedule((1, 2)))),
                              (short, (balanced(5, 2), balanced(5, 3))),
                              (long_, (balanced(64, 8), balanced(64, 16)))):
        for sched in schedules:
            yield Instance(source, sched)


def statements_tag(statements) -> str:
    """A digest of what a list of statements says (ids and clauses): the part of a memo key that
    tells two statement lists apart, e.g. two statement files that reuse an id."""
    text = repr([(s.id, s.provenance, s.min_L, [(c.key, c.over, str(c.lhs), c.rel, str(c.rhs), c.needs_optimal,
                                                 c.prover) for c in s.clauses]) for s in statements])
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


#: Instances whose clause results :class:`ResultsMemo` keeps (larger supports seldom repeat).
MEMO_MAX_SUPPORT = 512
#: Instances kept per process.  Measured on ``Campaign(rounds=2)`` in one process: 1024 entries
#: gave 46 s and 447 MB peak; 256 gave 48 s and 288 MB; no memo 56 s and 214 MB.  In the
#: benchmark (budget 40, 2 workers) 1024 gave 15.7x the baseline, 256 gave 14.9x.
MEMO_SIZE = 1024


class ResultsMemo:
    """The clause results of the instances this process checked lately, by instance key.

    Hypothesis draws the same small instance again and again (its simplest examples, in every
    round), and the sweep's structured families come back in the exploration; such a repeat is
    counted once per statement (:meth:`Tally.apply`), so checking it again would only be thrown
    away.  The memo hands back the results of the first check instead.  The results are a
    function of the key alone, so a merged campaign is the same with or without it, for any
    worker count.  Bounded: least recently used first out, small supports only.
    """

    def __init__(self, size: int = MEMO_SIZE):
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.hits = self.misses = 0

    def get(self, key, n_support: int, compute: Callable):
        if n_support > MEMO_MAX_SUPPORT:
            return compute()
        hit = self.data.get(key)
        if hit is not None:
            self.hits += 1
            self.data.move_to_end(key)
            return hit
        self.misses += 1
        hit = self.data[key] = compute()
        if len(self.data) > self.size:
            self.data.popitem(last=False)
        return hit


#: This process's memo (a worker process or Dask worker keeps its own across shards).
MEMO = ResultsMemo()


# -- shards: the fixed work list ------------------------------------------------------------------

#: Structured-sweep instances per shard.
SWEEP_CHUNK = 12
#: The real and long instances (words, chains) of :func:`real_and_long_instances`: one shard each.
N_REAL = 6


@dataclass(frozen=True)
class Plan:
    """Everything a shard needs, picklable (sent to worker processes and Dask workers as is)."""

    statements: tuple
    seed: int
    max_L: int
    structured_max_L: int


def sweep_pairs(max_L: int):
    """The structured sweep: every member of the families tagged ``sweep`` under every schedule,
    for ``L = 2..max_L`` (the sweep shards are slices of it)."""
    for L in range(2, max_L + 1):
        for d in families.members("sweep", L):
            for sched in compositions(L):
                yield d, sched


def sweep_shards(structured_max_L: int) -> list[Shard]:
    """The sweep as shards: chunks of the structured families, then one shard per real instance."""
    n = sum(1 for _ in sweep_pairs(structured_max_L))
    out = [Shard("sweep", a, min(a + SWEEP_CHUNK, n)) for a in range(0, n, SWEEP_CHUNK)]
    return out + [Shard("real", j, j + 1) for j in range(N_REAL)]


def _shard_instances(plan: Plan, shard: Shard) -> Iterable[Instance]:
    if shard.phase == "sweep":
        for d, sched in itertools.islice(sweep_pairs(plan.structured_max_L), shard.start, shard.stop):
            yield Instance(d, sched)
    else:
        yield from itertools.islice(real_and_long_instances(), shard.start, shard.stop)


@dataclass
class ShardResult:
    """A shard's entries per statement id, and the statements whose search it stopped (a violation)."""

    shard: Shard
    entries: dict
    violated: tuple = ()


def run_shard(plan: Plan, shard: Shard) -> ShardResult:
    """Do one shard in this process (top-level, so a spawned process or a Dask worker can run it)."""
    camp = Campaign(statements=plan.statements, seed=plan.seed, max_L=plan.max_L,
                    structured_max_L=plan.structured_max_L)
    violated: tuple = ()
    if shard.phase == "explore":
        st_ = next(s for s in plan.statements if s.id == shard.group)
        if camp.explore(st_, rounds=range(shard.start, shard.stop)) is not None:
            violated = (st_.id,)
    else:
        for inst in _shard_instances(plan, shard):
            camp.record(inst)
            camp.record_non_optimal(inst)
    return ShardResult(shard, {sid: t.entries for sid, t in camp.tallies.items() if t.entries}, violated)


@dataclass
class Campaign:
    """The campaign.  Work is a list of :class:`Shard` run by ``workers`` processes (or on a Dask
    cluster at ``scheduler``); results are merged in shard order, so they do not depend on how many
    workers ran them or in which order they finished.

    ``rounds``: Hypothesis rounds per statement (a fixed work list: identical results for any
    ``workers`` with the same seed).  ``None``: rounds are handed out, statement after statement,
    until ``budget`` seconds have passed, and the rounds started by then are finished and merged
    (so more workers give more rounds; the count depends on the machine's speed).  The sweep is
    always done in full.
    """

    statements: tuple[Statement, ...] = registry.STATEMENTS
    budget: float = 120.0
    seed: int = 0
    max_L: int = 6
    structured_max_L: int = 5
    progress: Callable[[str, float], None] | None = None
    extra_instances: Iterable[Instance] = ()
    workers: int = 1
    rounds: int | None = None
    scheduler: str | None = None
    tallies: dict = field(default_factory=dict)
    elapsed: float = 0.0
    shards_run: int = 0
    workers_used: int = 1

    def __post_init__(self):
        self.tallies = {s.id: Tally(s) for s in self.statements}
        self._tags: dict = {}

    def _tag(self, statements) -> str:
        key = tuple(s.id for s in statements)
        hit = self._tags.get(key)
        if hit is None:
            hit = self._tags[key] = statements_tag(statements)
        return hit

    # -- checking ------------------------------------------------------------
    def record(self, inst: Instance, statements=None) -> list[ClauseResult]:
        sts = statements or self.statements
        key = instance_key(inst.dist, inst.schedule)
        results = MEMO.get(("optimal", key, self._tag(sts)), inst.dist.n_support, lambda: check_all(inst, sts))
        by_id: dict = {}
        for r in results:
            by_id.setdefault(r.statement, []).append(r)
        digest = key_digest(key)
        for sid, rs in by_id.items():
            self.tallies[sid].add(inst, rs, digest)
        return results

    def record_non_optimal(self, inst: Instance, statements=None) -> None:
        """For a drawn share of the instances (:func:`draw_predictor`), the same distribution and
        schedule with a perturbed or learned predictor, checked on the eps_train statements."""
        sts = eps_train_statements(statements or self.statements)
        if not sts:
            return
        key = instance_key(inst.dist, inst.schedule)
        checked = MEMO.get(("non-optimal", self.seed, key, self._tag(sts)), inst.dist.n_support,
                           lambda: self._check_non_optimal(inst, sts))
        if not checked:
            return
        kind, other, results = checked
        digest = key_digest((key, kind))
        for st_, rs in zip(sts, results):
            self.tallies[st_.id].add(other, rs, digest, kind)

    def _check_non_optimal(self, inst: Instance, sts) -> tuple:
        """``(kind, instance, results per statement)`` with the drawn predictor, or ``()`` when
        none is drawn (a memo entry too: falsy, never None)."""
        drawn = draw_predictor(inst, self.seed)
        if drawn is None:
            return ()
        kind, pred = drawn
        other = Instance(inst.dist, inst.schedule, pred)
        return kind, other, [check_statement(st_, other) for st_ in sts]

    # -- exploration --------------------------------------------------------
    def explore(self, st_: Statement, seconds: float = 0.0, rounds: range | None = None):
        """Hypothesis search on one statement (:func:`proofs_check.search.driver.search`), steered
        toward its tightest ratio, for ``seconds`` or exactly the Hypothesis ``rounds`` given; a
        violation of a paper/derived statement stops it, shrunk, and is returned."""
        triples = instances_for(st_, max_L=self.max_L, max_V=4)
        strict = st_.binding
        if strict and self.tallies[st_.id].failed:
            return None  # the sweep already holds its counterexample

        eps_sts = eps_train_statements(self.statements) if eps_train_statements((st_,)) else ()

        def examine(triple) -> Outcome:
            # The drawn instance is checked on every statement (its profile and atoms are computed
            # once); only ``st_``'s own results steer the search and stop it.
            dist, sched, _ = triple
            inst = Instance(dist, sched)
            results = [r for r in self.record(inst) if r.statement == st_.id]
            if eps_sts:
                self.record_non_optimal(inst, eps_sts)
            qs = [q for q in (r.verdict.tightness for r in results) if q is not None and math.isfinite(q)]
            bad = strict and any(not r.verdict.ok for r in results)
            return Outcome(max(qs) if qs else None, st_.id if bad else None)

        return search(triples, examine, time.monotonic() + seconds, seed=self.seed, label=st_.id, rounds=rounds)

    # -- driver ---------------------------------------------------------------
    def run(self) -> "Campaign":
        start = time.monotonic()
        plan = Plan(tuple(self.statements), self.seed, self.max_L, self.structured_max_L)
        tick = lambda phase, n: self._tick(f"{phase} {n}", start)  # noqa: E731
        with executor(self.workers, self.scheduler) as (pool, self.workers_used):
            sweep = run_shards(pool, self.workers_used, run_shard, plan, sweep_shards(self.structured_max_L),
                               tick=tick)
            for inst in self.extra_instances:
                self.record(inst)
                self.record_non_optimal(inst)
            self._merge(sweep)
            self._tick("sweep done", start)
            todo = [st_ for st_ in self.statements
                    if not (st_.provenance != "conjecture" and self.tallies[st_.id].failed)]
            deadline = None if self.rounds is not None else start + self.budget
            explored = run_shards(pool, self.workers_used, run_shard, plan, self._explore_shards(todo),
                                  deadline, tick)
        self._merge(until_violation(explored))
        self.shards_run = len(sweep) + len(explored)
        self.elapsed = time.monotonic() - start
        return self

    def _explore_shards(self, todo):
        """Round 0 of every statement, then round 1 of every statement, ... (``rounds`` or forever)."""
        k = 0
        while (self.rounds is None or k < self.rounds) and todo:
            for st_ in todo:
                yield Shard("explore", k, k + 1, st_.id)
            k += 1

    def _merge(self, results: list[ShardResult]) -> None:
        for r in results:
            for sid, entries in r.entries.items():
                for e in entries:
                    self.tallies[sid].apply(e)

    def _tick(self, what: str, start: float) -> None:
        if self.progress:
            self.progress(what, min((time.monotonic() - start) / max(self.budget, 1e-9), 1.0))

    # -- results ----------------------------------------------------------------
    @property
    def failed_statements(self) -> list[Tally]:
        return [t for t in self.tallies.values() if t.failed and t.statement.binding]

    def results(self) -> CampaignResult:
        return CampaignResult(self.seed, float(self.budget), round(self.elapsed, 2),
                              [t.summary() for t in self.tallies.values()], float(NON_OPTIMAL_SHARE),
                              self.workers_used, self.rounds)
