"""Witnesses and the search behind ``dlm-verify check``: the distributions tried on a refuted case,
the instances searched (a sweep, then :func:`proofs_check.search.driver.search`), the certified
re-evaluation of a violation, and the JSON records of instances and counterexamples.

Every extreme ray ``h_k(m) = min(m, k)`` of the symmetric Shannon cone is realised by a
distribution: copy (``k = 1``), MDS codes (``1 < k < L``; for ``k = L - 1`` the sum-zero code),
independent uniform tokens (``k = L``); :func:`witness_candidates` tries those first.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

from hypothesis import strategies as st

from theory.linear import Case

from proofs_check.prover import core as prover
from proofs_check.sources import families
from proofs_check.sources.distributions import (Distribution, copy_distribution, product_distribution,
                                                sum_zero_distribution)
from proofs_check.model.instance import Instance, instance_cases, instance_key
from proofs_check.model.sampler import PerturbedPredictor
from proofs_check.model.quantifiers import quantifier
from proofs_check.model.schedules import Schedule
from proofs_check.numerics.precision import FINAL_MAX_BITS
from proofs_check.search.driver import Outcome, search
from proofs_check.search.results import finite_or_text
from proofs_check.search.shards import Shard, run_shards, until_violation
from proofs_check.search.strategies import dense_distributions, schedules_for, sparse_distributions, structured_distributions
from proofs_check.search.usereval import Evaluation, Undefined, evaluate
from proofs_check.search.userexpr import UserRelation

SEARCH_MAX_L = 6
SWEEP_MAX_L = 5
MAX_WITNESS_SUPPORT = 4096


# ----------------------------------------------------------------------------------------
# schedules of a class
# ----------------------------------------------------------------------------------------

def class_schedules(over: str, L: int) -> list[Schedule]:
    """Schedules of length ``L`` that stand for every case of the class (one per case)."""
    return quantifier(over).representatives(L)


# ----------------------------------------------------------------------------------------
# witnesses for a refuted case
# ----------------------------------------------------------------------------------------


def witness_candidates(L: int, coefficients: dict | None = None):
    """Distributions of length ``L`` to try on a refuted case, most promising first.

    ``coefficients`` maps the basis names ``g(u)``, ``delta(L-1)`` and ``constant`` to the
    certificate's coefficients; the negative directions come first (the distribution the
    prover names for the direction, then larger alphabets, since a positive constant needs
    enough entropy to be beaten), then a fixed library.
    """
    seen = set()
    names = prover.basis_names(L) + ["constant"]
    negative = sorted((c, names.index(k)) for k, c in (coefficients or {}).items() if c < 0 and k in names)
    for _, idx in negative:
        for d in _direction(L, idx):
            key = (d.V, d.L, d.support.tobytes(), d.weights)
            if key not in seen:
                seen.add(key)
                yield d
    for d in _library(L):
        key = (d.V, d.L, d.support.tobytes(), d.weights)
        if key not in seen:
            seen.add(key)
            yield d


def _direction(L: int, idx: int):
    """Distributions loading only basis element ``idx`` (``L``: the constant), growing in size."""
    _, first = prover.direction_distribution(L, idx)
    if first is not None:
        yield first
    for q in range(2, 64):
        if idx == L - 1 and q**L <= MAX_WITNESS_SUPPORT:
            yield product_distribution([[1] * q for _ in range(L)])
        elif idx == 0 and L >= 2:
            yield copy_distribution(L, q)
        elif idx == L - 2 and L >= 3 and q ** (L - 1) <= MAX_WITNESS_SUPPORT:
            yield sum_zero_distribution(L, q)
        else:
            return


def _library(L: int):
    """The family table's witness library at length ``L``."""
    return families.members("library", L)


def _witness(search: "_Search", refuted: list, deadline: float) -> None:
    """Try the witness candidates on each refuted case; stop at the first certified violation."""
    for ref in refuted:
        sched = quantifier(search.over).witness(ref.case)
        for n, dist in enumerate(witness_candidates(ref.L, ref.coefficients)):
            if search.found is not None or (n and time.monotonic() > deadline):
                return
            search.try_instance(dist, sched, False)


# ----------------------------------------------------------------------------------------
# the search
# ----------------------------------------------------------------------------------------

@dataclass
class _Found:
    dist: Distribution
    sched: Schedule
    perturbed: bool
    case: Case
    evaluation: Evaluation


class _Search:
    """Instances tried, the tightest one, and the first (or shrunk) violation."""

    def __init__(self, rel: UserRelation, over: str, max_L: int, seed: int, predictors: bool = False,
                 min_L: int = 2):
        self.rel = rel
        self.predictors = predictors
        self.over = over
        self.clause = rel.clause(over)
        self.min_L = min_L
        self.max_L = max(min_L, min(max_L, SEARCH_MAX_L))
        self.seed = seed
        self.instances = 0
        self.best_ratio: float | None = None
        self.best_score = -math.inf
        self.tightest: dict | None = None
        self.found: _Found | None = None
        self.seen: set = set()
        self.events: list = []
        self.searched: list[str] = []

    def describe(self) -> str:
        """What was searched, for a ``not refuted`` verdict."""
        what = "; ".join(self.searched) or "nothing (no budget left)"
        return f"{self.instances} instances: {what}"

    def evaluate(self, dist: Distribution, sched: Schedule, perturbed: bool):
        """All cases of the instance: a list of (case, evaluation), undefined cases left out."""
        pred = PerturbedPredictor(dist) if perturbed else None
        # KL by F1 during the search (fast); the final certification recomputes it by brute force
        inst = Instance(dist, sched, pred, bruteforce=False)
        out = []
        for case in instance_cases(self.clause, inst):
            try:
                out.append((case, evaluate(self.rel, inst, case)))
            except Undefined:
                continue
        return out

    def try_instance(self, dist: Distribution, sched: Schedule, perturbed: bool = False) -> None:
        """Evaluate one instance, update the tallies, record the first violation."""
        results = self.evaluate(dist, sched, perturbed)
        self._tally(dist, sched, perturbed, results)
        bad = [(c, ev) for c, ev in results if ev.violated]
        if bad and self.found is None:
            self.found = _Found(dist, sched, perturbed, *bad[0])

    # -- deterministic sweep -------------------------------------------------------------
    def sweep(self, deadline: float) -> None:
        """Structured families over every schedule of the class, smallest first."""
        perturbed = (False, True) if self.predictors else (False,)
        top = max(self.min_L, min(self.max_L, SWEEP_MAX_L))
        self.searched.append(f"structured families over every schedule of the class, L = {self.min_L}..{top}")
        for L in range(self.min_L, top + 1):
            for dist in _sweep_distributions(L):
                for sched in class_schedules(self.over, L):
                    for pert in perturbed:
                        if self.found is not None or time.monotonic() > deadline:
                            return
                        self.try_instance(dist, sched, pert)

    # -- Hypothesis ------------------------------------------------------------------
    def hypothesis(self, deadline: float, pool=None, workers: int = 1, rounds: int | None = None) -> None:
        """Random and structured instances steered toward violation (:func:`driver.search`); shrunk.

        The search runs as shards of one Hypothesis round each (:mod:`proofs_check.search.shards`:
        in this process, a process pool or a Dask cluster), merged in round order up to the first
        round that met a violation, so the outcome is the same for any worker count: rounds until
        ``deadline``, or exactly ``rounds`` of them."""
        if self.found is not None:
            return
        self.searched.append(f"Hypothesis over random dense and sparse distributions, structured families and "
                             f"MDS codes, L <= {self.max_L}, seed {self.seed}")
        plan = SearchPlan(self.rel, self.over, self.max_L, self.seed, self.predictors, self.min_L)
        todo = itertools.count() if rounds is None else range(rounds)
        shards = (Shard("explore", k, k + 1, "search") for k in todo)
        done = run_shards(pool, workers, search_round, plan, shards, None if rounds is not None else deadline)
        for res in until_violation(done):
            for event in res.events:
                self._apply(event)
            self.found = self.found or res.found

    def _rounds(self, rounds: range) -> "_Found | None":
        """Exactly these Hypothesis rounds, in this process; the shrunk violation, if one was met."""
        def examine(triple) -> Outcome:
            dist, sched, pert = triple
            results = self.evaluate(dist, sched, pert)
            if not results:
                return Outcome()
            self._tally(dist, sched, pert, results)
            bad = [(c, ev) for c, ev in results if ev.violated]
            return Outcome(max(ev.score for _, ev in results), _Found(dist, sched, pert, *bad[0]) if bad else None)

        return search(_instances(self.over, self.max_L, self.predictors, self.min_L), examine, 0.0,
                      seed=self.seed, label="closeness to violation", rounds=rounds)

    # -- the tally: events, so that rounds done elsewhere merge by replaying them ------------------
    def _tally(self, dist, sched, pert, results) -> None:
        if not results:
            return
        self._apply(("seen", (instance_key(dist, sched), pert)))
        for _, ev in results:
            r = ev.ratio
            if r is not None and math.isnan(r):
                r = None
            if self._better(r, ev.score):  # the record is built only for an instance that may be kept
                record = {k: v for k, v in _instance_record(dist, sched, pert).items() if k != "distribution"}
                self._apply(("best", r, ev.score, {**record, "lhs": ev.lhs, "rhs": ev.rhs, "status": ev.status,
                                                   "ratio": finite_or_text(r) if r is not None else None}))

    def _better(self, r: float | None, score: float) -> bool:
        """The tightest instance: the largest ratio; the largest score while no ratio is known."""
        return ((r is not None and (self.best_ratio is None or r > self.best_ratio))
                or (self.best_ratio is None and r is None and score > self.best_score))

    def _apply(self, event: tuple) -> None:
        """Count one event (here, or replayed from a round done in another process) and log it.

        ``("seen", key)``: an instance tried (counted once); ``("best", ratio, score, record)``: a
        candidate for the tightest instance, kept when :meth:`_better` than what is known.  A round
        logs only its own improvements; replayed in round order they give the one-process result,
        since an instance better than everything before it is better than its own round's past."""
        self.events.append(event)
        if event[0] == "seen":
            if event[1] not in self.seen:
                self.seen.add(event[1])
                self.instances += 1
            return
        _, r, score, record = event
        if self._better(r, score):
            self.tightest = record
        if r is not None and (self.best_ratio is None or r > self.best_ratio):
            self.best_ratio = r
        self.best_score = max(self.best_score, score)


@dataclass(frozen=True)
class SearchPlan:
    """What every round of a check's search needs (picklable: sent to worker processes as is)."""

    rel: UserRelation
    over: str
    max_L: int
    seed: int
    predictors: bool
    min_L: int


@dataclass
class RoundResult:
    """One round's tally events (:meth:`_Search._apply`), its shrunk violation and the group it stops."""

    shard: Shard
    events: list
    found: _Found | None
    violated: tuple = ()


def search_round(plan: SearchPlan, shard: Shard) -> RoundResult:
    """Do one shard of rounds of a check's search in this process (top-level: a worker runs it)."""
    s = _Search(plan.rel, plan.over, plan.max_L, plan.seed, plan.predictors, plan.min_L)
    found = s._rounds(range(shard.start, shard.stop))
    return RoundResult(shard, s.events, found, (shard.group,) if found is not None else ())


def _sweep_distributions(L: int):
    """The family table's sweep members at length ``L``."""
    return families.members("sweep", L)


@st.composite
def _codes(draw, max_L: int, min_L: int = 3):
    """MDS-code distributions: each loads a single direction g(u) of the Shannon cone."""
    L = draw(st.integers(max(3, min_L), max_L))
    idx = draw(st.integers(0, L - 2))
    _, d = prover.direction_distribution(L, idx)
    return d if d is not None else copy_distribution(L, 2)


def _instances(over: str, max_L: int, with_predictors: bool, min_L: int = 2):
    @st.composite
    def build(draw):
        dist = draw(st.one_of(dense_distributions(min_L=min_L, max_L=max_L, max_V=4),
                              sparse_distributions(min_L=min_L, max_L=max_L, max_V=4),
                              structured_distributions(min_L=min_L, max_L=max_L, max_V=3),
                              _codes(max(max_L, 3), min_L)))
        sched = draw(schedules_for(over, dist.L))
        pert = draw(st.booleans()) if with_predictors else False
        return dist, sched, pert

    return build()


# ----------------------------------------------------------------------------------------
# certification and reporting
# ----------------------------------------------------------------------------------------

def _certify(rel: UserRelation, found: _Found):
    """Re-evaluate a violation from scratch; return (record, distribution) if it is certified."""
    pred = PerturbedPredictor(found.dist) if found.perturbed else None
    inst = Instance(found.dist, found.sched, pred)  # brute-force KL whenever enumerable
    try:
        ev = evaluate(rel, inst, found.case, max_prec=FINAL_MAX_BITS)
    except Undefined:
        return None
    if not ev.violated:
        return None
    record = {**_instance_record(found.dist, found.sched, found.perturbed),
              "relation": rel.rel, "lhs": ev.lhs, "rhs": ev.rhs, "status": ev.status,
              "margin": ev.margin, "method": ev.method, "case": _case_record(found.case)}
    if rel.uses_kl:
        record["kl"] = ("exact, by enumerating every reveal order" if inst.bruteforce
                        else "exact, via F1 (too many reveal orders to enumerate)")
    return record, found.dist


def _case_record(case: Case) -> dict:
    out = {"L": case.L, "schedule": list(case.sizes) if case.sizes else None}
    if case.step is not None:
        out["offset_step"] = case.step
    return out


def family_of(dist: Distribution) -> dict | None:
    """``{"family": ..., "L": ..., "V": ...}`` when ``dist`` is a built-in family ``inspect`` can rebuild."""
    name = dist.name or ""
    if name.startswith("copy(") and dist.weights == (1,) * dist.V:
        return {"family": "copy", "L": dist.L, "V": dist.V}
    if name.startswith("parity(") and dist.V == 2:
        return {"family": "parity", "L": dist.L, "V": 2}
    return None


def _instance_record(dist: Distribution, sched: Schedule, perturbed: bool) -> dict:
    fam = family_of(dist)
    return {
        "name": dist.name or "custom", "L": dist.L, "V": dist.V, "support": dist.n_support,
        "schedule": list(sched.sizes), "predictor": "perturbed" if perturbed else "optimal",
        "family": fam, "distribution": dist.to_json(),
    }


def inspect_command(record: dict, path: str | None = None) -> str:
    """The ``dlm-verify inspect`` command line that reproduces a counterexample record."""
    sched = ",".join(map(str, record["schedule"]))
    fam = record.get("family")
    if path is None and fam is not None:
        src = f"--family {fam['family']} --L {fam['L']}" + (f" --V {fam['V']}" if fam["family"] == "copy" else "")
    else:
        src = f"--file {path or 'counterexample.json'}"
    pred = " --predictor perturbed" if record.get("predictor") == "perturbed" else ""
    return f"dlm-verify inspect {src} --schedule {sched}{pred} --digits 30"
