"""Check a user's own bound: prove it, refute it with a certified counterexample, or say neither.

:func:`check` is the engine behind ``dlm-verify check "EXPR"`` and is meant to be
called from notebooks and tests as well::

    >>> from proofs_check.search.check import check
    >>> check("KL_ideal <= (s_max - 1)/(2*L) * MI", budget=5).verdict
    'refuted'

The relation is parsed by :mod:`proofs_check.search.userexpr` and wrapped in a throw-away
registry :class:`~theory.registry.Statement` (provenance ``conjecture``) that
quantifies over the chosen schedule class, so the prover and the evaluator treat
it exactly like a registry statement.  Then:

1. **Proof** (relations linear in the profile): the exact symmetric Shannon-cone
   prover (:mod:`proofs_check.prover.core`) runs for every ``L = 2..max_L`` and every
   case of the class.  ``KL`` is read through F1 (``KL = KL_ideal + eps_train``);
   without ``eps_train`` in the text the predictor is the optimal one, so
   ``eps_train = 0``.  With ``schedules="offset"``, ``KL`` and ``KL_ideal`` are the
   randomized-offset sampler's error averaged over its random first step (S3).
   Every certificate non-negative: ``proved``.
2. **Witness** (a negative certificate coefficient): the relation is not a
   Shannon-type inequality for that ``L`` and case.  Every extreme ray of the
   symmetric Shannon cone is realised by a distribution (the prover names it: copy,
   parity, Reed-Solomon codes, independent uniform tokens); those, then the same
   directions over larger alphabets (a positive constant term needs enough entropy
   to be beaten), then a small library are tried on the refuted case.
3. **Search** (non-linear relations, or when no witness was certified): a sweep of
   the structured families over every schedule of the class for small ``L``,
   then a Hypothesis search over random dense and sparse distributions,
   structured families and codes, steered by ``hypothesis.target`` toward
   violation and shrunk by Hypothesis.

Only a *certified* numeric violation on a concrete distribution is reported as
``refuted``: the counterexample is re-evaluated from scratch (``KL`` by brute-force
enumeration of the reveal orders when they are few enough) and the sign of the
difference must be proven.  Everything else is ``not refuted`` with the number of
instances tried and the tightest ratio seen.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product as iproduct

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from theory.linear import Case, NotLinearError, linear_form

from proofs_check.prover import core as prover
from proofs_check.sources.distributions import (Distribution, copy_distribution, mixture, parity_distribution,
                            product_distribution, random_distribution)
from proofs_check.errors import DlmInputError, ExpressionError
from proofs_check.model.instance import Instance, instance_cases
from proofs_check.model.sampler import PerturbedPredictor
from proofs_check.model.schedules import Schedule, balanced, compositions, one_step, randomized_offset
from proofs_check.search.driver import Outcome, search
from proofs_check.search.results import CHECK_METHODS, CheckResult, finite_or_text
from proofs_check.verdicts import Established
from proofs_check.search.strategies import dense_distributions, schedules_for, sparse_distributions, structured_distributions
from proofs_check.numerics.precision import FINAL_MAX_BITS
from proofs_check.search.userexpr import (INTERNAL_ERRORS, NAME_BOUND, Evaluation, Undefined, UserRelation,
                       evaluate, internal_error, parse)

#: ``--schedules`` choices and the registry quantifier each one maps to.
SCHEDULE_CLASSES = {"all": "all", "balanced": "balanced", "offset": "offset", "one-step": "one_step"}
MAX_L = NAME_BOUND
SEARCH_MAX_L = 6
SWEEP_MAX_L = 5
MAX_WITNESS_SUPPORT = 4096


RAY_FALLBACK_MAX_L = NAME_BOUND
RAYS_MAX_L = 1024


def check(expression: str, schedules: str = "all", max_L: int = 10, budget: float = 30.0,
          seed: int = 0) -> CheckResult:
    """Decide what can be established about ``expression`` over the schedule class ``schedules``.

    Verdicts (:class:`~proofs_check.verdicts.Established`): ``proved`` for every ``L`` (only from
    a symbolic certificate), ``verified`` for ``L = 2..max_L`` (the exact prover proved every case,
    no extreme ray refutes it beyond), ``refuted`` (a certified counterexample) or ``not refuted``
    (a search found nothing; ``searched`` says what was tried).  ``budget``: seconds for the whole
    check (a proof that finishes is never cut short by the search).  Raises
    :class:`~proofs_check.errors.ExpressionError` for an expression that is not allowed or means
    nothing, :class:`~proofs_check.errors.DlmInputError` for bad options.
    """
    start = time.monotonic()
    rel = parse(expression)
    over = _quantifier(schedules)
    if isinstance(max_L, bool) or not isinstance(max_L, int) or not 2 <= max_L <= MAX_L:
        raise DlmInputError(f"max_L={max_L!r} must be an integer in 2..{MAX_L}")
    if not (isinstance(budget, (int, float)) and budget > 0 and math.isfinite(budget)):
        raise DlmInputError(f"budget={budget!r} must be a positive number of seconds")
    if rel.uses_step and over != "offset":
        raise ExpressionError("s is the step of the randomized-offset family: use --schedules offset "
                              "(or s_max for the largest step of any schedule)")
    deadline = start + budget
    read = rel.for_class(over)
    res = CheckResult(Established.NOT_REFUTED, rel.text, read.canonical, rel.rel, _is_linear(read, over, max_L),
                      _class_name(over), max_L, seed, float(budget))
    predictors = rel.uses_eps_train and over != "offset"
    search = _Search(read, over, max_L, seed, predictors)
    refuted: list = []
    if res.linear:
        refuted = _prove(read, over, max_L, deadline, res)
        if res.proof is not None:
            _beyond_max_L(read, over, max_L, search, deadline, res)
            if search.found is None:
                _every_L(read, over, max_L, res)
        elif refuted:  # not Shannon-type: load the refuting direction on a concrete distribution
            _witness(search, refuted, deadline)
    if res.verdict not in (Established.PROVED, Established.VERIFIED):
        _search_and_certify(read, search, deadline, res)
    if refuted and res.verdict != Established.REFUTED:
        res.notes.append("no distribution tried violates it, although the prover shows it is not a "
                         "Shannon-type inequality: a witness may need a larger alphabet than tried here")
    res.notes[:0] = _reading_notes(rel, over, res.verdict, predictors)
    res.instances, res.best_ratio, res.tightest = search.instances, search.best_ratio, search.tightest
    if res.verdict == Established.NOT_REFUTED:
        if res.instances == 0:
            raise ExpressionError(f"{rel.text!r} has no value on any instance tried (L = 2..{search.max_L}, "
                                  f"schedules {res.schedules}): check the arguments of h, delta, g, D, omega "
                                  "and divisions by quantities that can be 0")
        res.searched = search.describe()
        res.L_range, res.method = [2, search.max_L], CHECK_METHODS[Established.NOT_REFUTED]
    res.elapsed = time.monotonic() - start
    return res


def _search_and_certify(read: UserRelation, search: "_Search", deadline: float, res: CheckResult) -> None:
    """The sweep, then Hypothesis, unless a violation is already known; a violation is re-evaluated
    from scratch and only a certified one makes the verdict ``refuted``."""
    if search.found is None:
        search.sweep(deadline)
    if search.found is None:
        search.hypothesis(deadline)
    if search.found is None:
        return
    cex = _certify(read, search.found)
    if cex is None:
        res.notes.append("a violation seen during the search was not confirmed by the certified "
                         "re-evaluation, so it is not reported")
        return
    res.verdict = Established.REFUTED
    res.counterexample, res.distribution = cex
    res.L_range = [cex[0]["L"], cex[0]["L"]]
    res.method = CHECK_METHODS[Established.REFUTED]


def _every_L(read: UserRelation, over: str, max_L: int, res: CheckResult) -> None:
    """Every case of ``L = 2..max_L`` is proved: ``proved`` if the symbolic prover covers every L,
    else ``verified`` for ``L <= max_L``."""
    sym = _symbolic_proof(read.for_prover().clause(over), 2)
    if sym is not None and sym.status == "proved":
        res.verdict, res.L_range = Established.PROVED, [max(2, int(sym.L0 or 2)), None]
        res.method = CHECK_METHODS[Established.PROVED]
        res.proof["symbolic"] = {"L0": sym.L0, "certificate": sym.certificate_text()}
        return
    res.verdict, res.L_range = Established.VERIFIED, [2, max_L]
    res.method = CHECK_METHODS[Established.VERIFIED].replace("N", str(max_L))
    why = ("no every-L prover on this installation (proofs_check.prover.symbolic is missing)" if sym is None
           else f"the symbolic prover did not prove it for every L ({sym.reason})")
    res.notes.append(f"verified for L <= {max_L} only: {why}")


def _symbolic_proof(clause, min_L: int):
    """``prover.symbolic.prove_for_all_L(clause, min_L)``, or None while that module is absent."""
    try:
        from proofs_check.prover.symbolic import prove_for_all_L
    except ImportError:
        return None
    return prove_for_all_L(clause, min_L)


def _beyond_max_L(read: UserRelation, over: str, max_L: int, search: "_Search", deadline: float,
                  res: CheckResult) -> None:
    """Before ``verified``/``proved``: the extreme rays ``h_k(m) = min(m, k)`` at larger ``L``.

    A ray that refutes the relation at some ``L`` is loaded on the distribution realising it
    (copy for ``k = 1``, MDS codes between, independent tokens for ``k = L``) and evaluated with
    a certified verdict like every other instance; the search then certifies it from scratch.
    """
    clause = read.for_prover().clause(over)
    rays = _ray_refutation(clause, range(max_L + 1, RAYS_MAX_L + 1))
    if rays is _NO_RAYS_MODULE:  # fallback while prover.rays is absent: the copy ray, L <= 16
        res.notes.append(f"extreme rays beyond L={max_L}: only the copy ray (k = 1) up to "
                         f"L={RAY_FALLBACK_MAX_L} (proofs_check.prover.rays is missing)")
        for L in range(max_L + 1, RAY_FALLBACK_MAX_L + 1):
            _try_ray(search, over, L, 1, deadline)
            if search.found is not None or time.monotonic() > deadline:
                return
        return
    if rays:
        _try_ray(search, over, int(rays.L), getattr(rays, "k", None), deadline)


_NO_RAYS_MODULE = object()


def _ray_refutation(clause, Ls):
    """``prover.rays.refute_on_rays(clause, Ls)`` (a refutation with ``.L`` and ``.k``, or None),
    or ``_NO_RAYS_MODULE`` while that module is absent."""
    try:
        from proofs_check.prover.rays import refute_on_rays
    except ImportError:
        return _NO_RAYS_MODULE
    return refute_on_rays(clause, list(Ls))


def _try_ray(search: "_Search", over: str, L: int, k: int | None, deadline: float) -> None:
    """Evaluate the relation on the distributions realising ray ``k`` at length ``L``."""
    if k == 1:
        dists = [copy_distribution(L, 2)]
    else:
        dists = list(_direction(L, k - 1)) if k else list(witness_candidates(L))
    scheds = class_schedules(over, L)
    scheds = scheds if len(scheds) <= 2 * L else [scheds[0], scheds[-1]]
    for dist in dists:
        for sched in scheds:
            if search.found is not None or time.monotonic() > deadline:
                return
            search.try_instance(dist, sched, False)


def _reading_notes(rel: UserRelation, over: str, verdict: str, predictors: bool) -> list[str]:
    """How KL and the predictor were read, for the notes of a result."""
    if over == "offset" and (rel.uses_kl or "KL_ideal" in rel.names or rel.uses_eps_train):
        return ["offset class: KL and KL_ideal are the randomized-offset sampler's error averaged over "
                "its first step r (KL_ideal_offset, as in S3), optimal predictor"]
    if not rel.uses_kl:
        return []
    if verdict in (Established.PROVED, Established.VERIFIED):
        return ["KL read through F1: KL = KL_ideal + eps_train" + ("" if rel.uses_eps_train else
                " with the optimal predictor (eps_train = 0)")]
    return ["KL is the sampler's error; " + ("predictors: optimal and perturbed (eps_train appears)"
                                            if predictors else "predictor: optimal (KL = KL_ideal by F1)")]


def _quantifier(schedules: str) -> str:
    key = schedules.replace("_", "-") if isinstance(schedules, str) else schedules
    if key not in SCHEDULE_CLASSES:
        raise DlmInputError(f"schedules={schedules!r}; choose one of {', '.join(SCHEDULE_CLASSES)}")
    return SCHEDULE_CLASSES[key]


def _class_name(over: str) -> str:
    return {v: k for k, v in SCHEDULE_CLASSES.items()}[over]


# ----------------------------------------------------------------------------------------
# schedules of a class, and linearity
# ----------------------------------------------------------------------------------------

def class_schedules(over: str, L: int) -> list[Schedule]:
    """Schedules of length ``L`` that stand for every case of the class (one per case)."""
    if over == "all":
        return list(compositions(L))
    if over == "balanced":
        return [balanced(L, T) for T in range(1, L + 1)]
    if over == "offset":  # the member r = s has s_max = s, so its case is the step-s family
        return [randomized_offset(L, s, s) for s in range(1, L + 1)]
    return [one_step(L)]


def _representative_cases(rel: UserRelation, over: str, max_L: int):
    clause = rel.for_prover().clause(over)
    for L in range(2, max_L + 1):
        scheds = class_schedules(over, L)
        for sched in (scheds[0], scheds[-1]):
            dummy = _DummyInstance(L, sched)
            yield from instance_cases(clause, dummy)


@dataclass
class _DummyInstance:
    """Just what :func:`instance_cases` reads: ``L`` and ``schedule``."""

    L: int
    schedule: Schedule


def _is_linear(rel: UserRelation, over: str, max_L: int) -> bool:
    """Linear in the profile: both sides expand to exact linear forms for some case of the class.

    (Linearity is decided per case: ``sqrt(L) * MI`` is linear exactly when ``L`` is a square;
    cases that are not linear are left to the search.)
    """
    p = rel.for_prover()
    for case in _representative_cases(rel, over, max_L):
        if all(_linear_side(side, case) for side in (p.lhs, p.rhs)):
            return True
    return False


def _linear_side(side, case: Case) -> bool:
    try:
        linear_form(side, case)
    except (NotLinearError, ZeroDivisionError):
        return False
    except INTERNAL_ERRORS as exc:
        raise internal_error(side, exc) from exc
    return True


# ----------------------------------------------------------------------------------------
# the prover
# ----------------------------------------------------------------------------------------

@dataclass
class _Refuted:
    """A case on which the prover found a negative certificate coefficient."""

    L: int
    case: Case
    coefficients: dict  # basis name or "constant" -> Fraction (rhs - lhs, or lhs - rhs for >=)


def _prove(rel: UserRelation, over: str, max_L: int, deadline: float, res: CheckResult) -> list:
    """Run the exact prover for ``L = 2..max_L``; fill ``res.proof`` when every case is proved.

    Returns the refuted cases of the smallest refuted ``L`` (empty when proved or undecided).
    """
    st = rel.for_prover().statement(over)
    engine = prover.Prover("none")
    per_L, min_slack, undecided, reason = {}, None, 0, ""
    for L in range(2, max_L + 1):
        if time.monotonic() > deadline:
            res.notes.append(f"the prover ran out of budget after L={L - 1}")
            return []
        try:
            r = prover.prove_statements([st], L, min_L=L, confirm_witnesses="none", prover=engine)[0].clauses[0]
        except INTERNAL_ERRORS + (ArithmeticError, ValueError) as exc:
            res.notes.append(f"the prover failed at L={L} ({type(exc).__name__}: {exc}); searched instead")
            return []
        lr = r.per_L[0] if r.per_L else None
        if lr is None:
            return []
        per_L[L] = {"cases": lr.n_cases, "proved": lr.proved}
        if lr.refuted:
            res.notes.append(f"the prover refutes it as a Shannon-type inequality at L={L} "
                             f"({len(lr.refuted)} of {lr.n_cases} cases; first: schedule "
                             f"{prover.case_text(lr.refuted[0].case)}, direction {lr.refuted[0].direction} "
                             f"with coefficient {lr.refuted[0].coefficient})")
            return [_refuted(st, ref) for ref in lr.refuted[:8]]
        if lr.not_linear:
            undecided += lr.not_linear
            if not reason:
                reason = f"L={L}: {lr.not_linear_reason or 'not linear for some cases'}"
        if lr.min_slack is not None and (min_slack is None or lr.min_slack < min_slack[0]):
            at = getattr(lr, "min_slack_at", None) or next(
                (c for c in lr.proved_cases if prover.case_text(c) == lr.min_slack_case), None)
            min_slack = (lr.min_slack, L, lr.min_slack_case, at)
    if undecided:
        res.notes.append(f"the prover cannot decide {undecided} case(s) (first at {reason}); searched instead")
        return []
    res.proof = _proof_record(st, over, max_L, per_L, min_slack)
    return []


def _refuted(st, ref) -> _Refuted:
    cert = prover.certificate(st, 0, ref.case)
    coeffs = dict(zip(cert.basis, cert.coefficients))
    # the constant only orders the directions to try, so a float-exact rational of it is enough
    coeffs["constant"] = cert.constant.const if cert.constant.is_rational() else Fraction(float(cert.constant))
    return _Refuted(ref.L, ref.case, coeffs)


def _proof_record(st, over: str, max_L: int, per_L: dict, min_slack) -> dict:
    cases = sum(v["cases"] for v in per_L.values())
    out = {"L": [2, max_L], "schedules": _class_name(over), "cases": cases,
           "cases_per_L": {str(L): v["cases"] for L, v in per_L.items()},
           "basis": "g(0..L-2), delta(L-1): the symmetrized elemental Shannon inequalities",
           "min_slack": None, "certificate": None}
    if min_slack is None:
        return out
    value, L, where, case = min_slack
    out["min_slack"] = str(value)
    out["min_slack_at"] = {"L": L, "case": where}
    if case is not None:
        cert = prover.certificate(st, 0, case)
        out["certificate"] = {"L": L, "case": where,
                              "slack": "rhs - lhs" if st.clauses[0].relation_type.upper else "lhs - rhs",
                              "coefficients": {b: str(c) for b, c in cert.table()},
                              "expression": sp.sstr(cert.slack_expression())}
    return out


# ----------------------------------------------------------------------------------------
# witnesses for a refuted case
# ----------------------------------------------------------------------------------------

def sum_zero_distribution(L: int, q: int) -> Distribution:
    """Uniform sequences over ``q`` symbols whose sum is 0 mod ``q`` (even parity for ``q = 2``).

    Any ``L - 1`` tokens are independent and uniform and determine the last one: the
    direction ``g(L-2)`` of the cone with size ``log q``.
    """
    msgs = np.array(list(iproduct(range(q), repeat=L - 1)), dtype=np.int64).reshape(-1, L - 1)
    rows = np.hstack([msgs, (-msgs.sum(axis=1) % q)[:, None]])
    return Distribution(q, L, rows, [1] * len(rows), name=f"sum-zero(L={L},q={q})")


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
    yield copy_distribution(L, 2)
    yield parity_distribution(L)
    for idx in range(1, L - 2):
        _, d = prover.direction_distribution(L, idx)
        if d is not None:
            yield d
    yield mixture(copy_distribution(L, 2), parity_distribution(L), 1, 1)
    yield product_distribution([[1 + (i + v) % 3 for v in range(2)] for i in range(L)])
    yield copy_distribution(L, 3)
    for seed in range(4):
        if 2**L <= MAX_WITNESS_SUPPORT:
            yield random_distribution(L, 2, seed=seed)


def witness_schedule(case: Case) -> Schedule:
    """A schedule whose instance has ``case`` among its cases (offset family: the member r = s)."""
    if case.step is not None:
        return randomized_offset(case.L, case.step, case.step)
    if case.sizes is not None:
        return Schedule(case.sizes)
    return one_step(case.L)


def _witness(search: "_Search", refuted: list, deadline: float) -> None:
    """Try the witness candidates on each refuted case; stop at the first certified violation."""
    for ref in refuted:
        sched = witness_schedule(ref.case)
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

    def __init__(self, rel: UserRelation, over: str, max_L: int, seed: int, predictors: bool = False):
        self.rel = rel
        self.predictors = predictors
        self.over = over
        self.clause = rel.clause(over)
        self.max_L = max(2, min(max_L, SEARCH_MAX_L))
        self.seed = seed
        self.instances = 0
        self.best_ratio: float | None = None
        self.best_score = -math.inf
        self.tightest: dict | None = None
        self.found: _Found | None = None
        self.seen: set = set()
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
        self.searched.append(f"structured families over every schedule of the class, L <= {min(self.max_L, SWEEP_MAX_L)}")
        for L in range(2, min(self.max_L, SWEEP_MAX_L) + 1):
            for dist in _sweep_distributions(L):
                for sched in class_schedules(self.over, L):
                    for pert in perturbed:
                        if self.found is not None or time.monotonic() > deadline:
                            return
                        self.try_instance(dist, sched, pert)

    # -- Hypothesis ------------------------------------------------------------------
    def hypothesis(self, deadline: float) -> None:
        """Random and structured instances steered toward violation (:func:`driver.search`); shrunk."""
        def examine(triple) -> Outcome:
            dist, sched, pert = triple
            results = self.evaluate(dist, sched, pert)
            if not results:
                return Outcome()
            self._tally(dist, sched, pert, results)
            bad = [(c, ev) for c, ev in results if ev.violated]
            return Outcome(max(ev.score for _, ev in results), _Found(dist, sched, pert, *bad[0]) if bad else None)

        if self.found is None:
            self.searched.append(f"Hypothesis over random dense and sparse distributions, structured families and "
                                 f"MDS codes, L <= {self.max_L}, seed {self.seed}")
            self.found = search(_instances(self.over, self.max_L, self.predictors), examine, deadline,
                                seed=self.seed, label="closeness to violation")

    def _tally(self, dist, sched, pert, results) -> None:
        if not results:
            return
        key = (dist.V, dist.L, dist.support.tobytes(), dist.weights, sched.sizes, pert)
        if key not in self.seen:
            self.seen.add(key)
            self.instances += 1
        for _, ev in results:
            r = ev.ratio
            if r is not None and math.isnan(r):
                r = None
            # the tightest instance: the largest ratio; the largest score while no ratio is known
            better = ((r is not None and (self.best_ratio is None or r > self.best_ratio))
                      or (self.best_ratio is None and r is None and ev.score > self.best_score))
            if r is not None and (self.best_ratio is None or r > self.best_ratio):
                self.best_ratio = r
            self.best_score = max(self.best_score, ev.score)
            if better:
                record = {k: v for k, v in _instance_record(dist, sched, pert).items() if k != "distribution"}
                self.tightest = {**record, "lhs": ev.lhs, "rhs": ev.rhs, "status": ev.status,
                                 "ratio": finite_or_text(r) if r is not None else None}


def _sweep_distributions(L: int):
    yield copy_distribution(L, 2)
    yield parity_distribution(L)
    yield copy_distribution(L, 3)
    for idx in range(1, L - 2):
        _, d = prover.direction_distribution(L, idx)
        if d is not None:
            yield d
    yield product_distribution([[1 + (i + v) % 3 for v in range(2)] for i in range(L)])
    yield mixture(copy_distribution(L, 2), parity_distribution(L), 1, 2)
    yield random_distribution(L, 2, seed=L)


@st.composite
def _codes(draw, max_L: int):
    """MDS-code distributions: each loads a single direction g(u) of the Shannon cone."""
    L = draw(st.integers(3, max_L))
    idx = draw(st.integers(0, L - 2))
    _, d = prover.direction_distribution(L, idx)
    return d if d is not None else copy_distribution(L, 2)


def _instances(over: str, max_L: int, with_predictors: bool):
    @st.composite
    def build(draw):
        dist = draw(st.one_of(dense_distributions(min_L=2, max_L=max_L, max_V=4),
                              sparse_distributions(min_L=2, max_L=max_L, max_V=4),
                              structured_distributions(min_L=2, max_L=max_L, max_V=3),
                              _codes(max(max_L, 3))))
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
