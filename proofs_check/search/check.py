"""Check a user's own bound: the verdict logic of ``dlm-verify check`` (witnesses and the search
are in :mod:`proofs_check.search.witnesses`, parsing in :mod:`~proofs_check.search.userexpr`,
evaluation in :mod:`~proofs_check.search.usereval`).

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
   Every certificate non-negative for every case: ``verified`` for ``L <= max_L`` -- a
   finite proof, not one for every ``L``.  Before saying so, the extreme rays
   ``h_k(m) = min(m, k)`` are tried at larger ``L`` (``TC <= 9 DTC`` holds to ``L = 10`` and
   fails on copy at ``L = 11``); only the symbolic every-``L`` prover turns ``verified``
   into ``proved``.
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
instances tried, what was searched and the tightest ratio seen.  Exit codes follow
:data:`proofs_check.verdicts.EXIT_CODES`: proved 0, verified 3, not refuted 3, refuted 1.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from theory.linear import SCHEDULE_DEPENDENT, Case, NotLinearError, linear_form

from proofs_check.errors import DlmInputError, ExpressionError
from proofs_check.model.instance import instance_cases
from proofs_check.model.quantifiers import DISPLAYED, quantifier
from proofs_check.model.schedules import Schedule
from proofs_check.prover import core as prover
from proofs_check.prover.rays import refute_on_rays
from proofs_check.prover.symbolic import prove_for_all_L
from proofs_check.search.results import CHECK_METHODS, CheckResult
from proofs_check.search.shards import MAX_WORKERS, executor
from proofs_check.search.usereval import INTERNAL_ERRORS, internal_error
from proofs_check.search.userexpr import NAME_BOUND, UserRelation, parse
from proofs_check.search.witnesses import SEARCH_MAX_L, _certify, _direction, _Search, _witness, class_schedules, witness_candidates
from proofs_check.sources.distributions import copy_distribution
from proofs_check.verdicts import Established

#: ``--schedules`` choices and the registry quantifier each one maps to (from the quantifier table).
SCHEDULE_CLASSES = {name: q.name for name, q in DISPLAYED.items()}
MAX_L = NAME_BOUND
#: Extreme rays are tried up to these lengths: profile relations (cheap), schedule relations (by
#: the shape route, whose cost grows like L^3 per length: 256 takes about 7 s here).
RAYS_MAX_L = 1024
RAYS_SCHEDULES_MAX_L = 256


def check(expression: str, schedules: str = "all", max_L: int = 10, budget: float = 30.0,
          seed: int = 0, min_L: int = 2, workers: int = 1, scheduler: str | None = None,
          rounds: int | None = None) -> CheckResult:
    """Decide what can be established about ``expression`` over the schedule class ``schedules``.

    Verdicts (:class:`~proofs_check.verdicts.Established`): ``proved`` for every ``L`` (only from
    a symbolic certificate), ``verified`` for ``L = 2..max_L`` (the exact prover proved every case,
    no extreme ray refutes it beyond), ``refuted`` (a certified counterexample) or ``not refuted``
    (a search found nothing; ``searched`` says what was tried).  ``budget``: seconds for the whole
    check (a proof that finishes is never cut short by the search).  Raises
    :class:`~proofs_check.errors.ExpressionError` for an expression that is not allowed or means
    nothing, :class:`~proofs_check.errors.DlmInputError` for bad options.  ``min_L``: the claim
    is for ``L >= min_L`` only (as a registry statement's ``min_L``); every range starts there.
    ``workers`` processes (or the Dask cluster at ``scheduler``) share the Hypothesis rounds of the
    search (:mod:`proofs_check.search.shards`); ``rounds``: exactly that many rounds instead of
    rounds until the budget is spent (a fixed work list: the same result for any ``workers``).
    """
    start = time.monotonic()
    rel = parse(expression)
    over = _quantifier(schedules)
    if isinstance(max_L, bool) or not isinstance(max_L, int) or not 2 <= max_L <= MAX_L:
        raise DlmInputError(f"max_L={max_L!r} must be an integer in 2..{MAX_L}")
    if isinstance(min_L, bool) or not isinstance(min_L, int) or not 2 <= min_L <= min(max_L, SEARCH_MAX_L):
        raise DlmInputError(f"min_L={min_L!r} must be an integer in 2..{min(max_L, SEARCH_MAX_L)} "
                            f"(at most max_L and the search's L <= {SEARCH_MAX_L})")
    if not (isinstance(budget, (int, float)) and budget > 0 and math.isfinite(budget)):
        raise DlmInputError(f"budget={budget!r} must be a positive number of seconds")
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise DlmInputError(f"workers={workers!r} must be an integer in 1..{MAX_WORKERS}")
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0):
        raise DlmInputError(f"rounds={rounds!r} must be a whole number of Hypothesis rounds (or None)")
    if rel.uses_step and over != "offset":
        raise ExpressionError("s is the step of the randomized-offset family: use --schedules offset "
                              "(or s_max for the largest step of any schedule)")
    with executor(workers, scheduler) as (pool, workers_used):
        deadline = start + budget
        read = rel.for_class(over)
        res = CheckResult(Established.NOT_REFUTED, rel.text, read.canonical, rel.rel, _is_linear(read, over, max_L),
                          _class_name(over), max_L, seed, float(budget), workers=workers_used)
        predictors = rel.uses_eps_train and over != "offset"
        search = _Search(read, over, max_L, seed, predictors, min_L)
        refuted: list = []
        if res.linear:
            refuted = _prove(read, over, max_L, deadline, res, min_L)
            if res.proof is not None:
                ray = _beyond_max_L(read, over, max_L, search, deadline, res)
                if search.found is None and ray is not None:
                    _refuted_on_ray(ray, res)
                elif search.found is None:
                    _every_L(read, over, max_L, res, min_L)
            elif refuted:  # not Shannon-type: load the refuting direction on a concrete distribution
                _witness(search, refuted, deadline)
        if res.verdict not in (Established.PROVED, Established.VERIFIED):
            _search_and_certify(read, search, deadline, res, pool, rounds)
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
            res.L_range, res.method = [min_L, search.max_L], CHECK_METHODS[Established.NOT_REFUTED]
    res.elapsed = time.monotonic() - start
    return res


def prove(target: str, schedules: str = "all", min_L: int = 2):
    """The every-``L`` symbolic proof of a relation (``"TC <= (L - 1)*DTC"``) over ``schedules``, or
    of a registry clause by its id (``"S1.telescoped"``); a
    :class:`~proofs_check.prover.symbolic.SymbolicResult` (``.status`` ``proved`` or not, ``.L0``,
    ``.certificate_text()``).  Not proved is *not* refuted: :func:`check` searches for that."""
    from theory import registry

    sid, _, key = target.partition(".") if isinstance(target, str) else ("", "", "")
    if key and sid in {s.id for s in registry.STATEMENTS}:
        st = registry.get(sid)
        idx = st.clause_index(key)
        return prove_for_all_L(st.clauses[idx], max(min_L, st.min_L), st.clause_id(idx))
    over = _quantifier(schedules)
    return prove_for_all_L(parse(target).for_class(over).for_prover().clause(over), min_L)


def _search_and_certify(read: UserRelation, search: "_Search", deadline: float, res: CheckResult, pool=None,
                        rounds: int | None = None) -> None:
    """The sweep, then Hypothesis (its rounds on ``pool``: :func:`proofs_check.search.shards.executor`),
    unless a violation is already known; a violation is re-evaluated from scratch and only a
    certified one makes the verdict ``refuted``."""
    if search.found is None:
        search.sweep(deadline)
    if search.found is None:
        search.hypothesis(deadline, pool, res.workers, rounds)
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


def _every_L(read: UserRelation, over: str, max_L: int, res: CheckResult, min_L: int = 2) -> None:
    """Every case of ``L = 2..max_L`` is proved: ``proved`` if the symbolic prover covers every L,
    else ``verified`` for ``L <= max_L``."""
    sym = prove_for_all_L(read.for_prover().clause(over), min_L)
    if sym.status == "proved":
        res.verdict, res.L_range = Established.PROVED, [max(min_L, int(sym.L0 or min_L)), None]
        res.method = CHECK_METHODS[Established.PROVED]
        res.proof["symbolic"] = {"L0": sym.L0, "certificate": sym.certificate_text()}
        return
    res.verdict, res.L_range = Established.VERIFIED, [min_L, max_L]
    res.method = CHECK_METHODS[Established.VERIFIED].replace("N", str(max_L))
    why = f"the symbolic prover did not prove it for every L ({sym.reason})"
    res.notes.append(f"verified for L <= {max_L} only: {why}")


def _beyond_max_L(read: UserRelation, over: str, max_L: int, search: "_Search", deadline: float,
                  res: CheckResult):
    """Before ``verified``/``proved``: the extreme rays ``h_k(m) = min(m, k)`` at larger ``L``.

    A ray that refutes the relation at some ``L`` is loaded on the distribution realising it
    (copy for ``k = 1``, MDS codes between, independent tokens for ``k = L``) and evaluated with
    a certified verdict like every other instance; the search then certifies it from scratch.
    Returns the ray refutation when its witness is certified (on the ray's profile), else None.
    """
    clause, schedule_free = ray_clause(read, over)
    top = RAYS_MAX_L if schedule_free else RAYS_SCHEDULES_MAX_L
    rays, reached = _ray_refutation(clause, range(max_L + 1, top + 1), deadline)
    if rays is None and reached > max_L:
        res.notes.append(f"no extreme ray min(m, k) refutes it for L = {max_L + 1}..{reached}"
                         + ("" if schedule_free else " on any schedule")
                         + ("" if reached == top else f" (the budget ran out before L = {top})"))
    if isinstance(rays, str):
        res.notes.append(f"extreme rays beyond L={reached} not tried: {rays}")
    elif rays:
        if rays.L <= prover.WITNESS_MAX_L:  # small enough to build the distribution and its schedules
            _try_ray(search, over, rays.L, _ray_index(rays), deadline)
        if rays.witness is not None and rays.witness.confirmed:
            return rays
    return None


def ray_clause(read: UserRelation, over: str):
    """The clause the extreme rays are tried on, and whether it is schedule-free (then the profile
    quantifier: one case per ``L``)."""
    schedule_free = not any(side.has(*SCHEDULE_DEPENDENT) for side in (read.lhs, read.rhs))
    return read.for_prover().clause("profile" if schedule_free else over), schedule_free


def _refuted_on_ray(ref, res: CheckResult) -> None:
    """A violation certified on an extreme ray's closed-form profile at a length too large to
    enumerate a distribution for (the ray ``min(m, k)`` is realised by an MDS code)."""
    res.verdict = Established.REFUTED
    w = ref.witness
    sizes = list(ref.case.sizes) if ref.case.sizes else [ref.L]
    res.counterexample = {
        "name": w.distribution, "L": ref.L, "V": None, "support": None, "schedule": sizes,
        "predictor": "optimal", "family": None, "distribution": None, "relation": res.relation,
        "lhs": w.lhs, "rhs": w.rhs, "status": w.verdict, "margin": w.margin, "method": w.method,
        "case": {"L": ref.L, "schedule": sizes}, "ray": ref.to_json()}
    res.L_range = [ref.L, ref.L]
    res.method = CHECK_METHODS[Established.REFUTED]
    res.notes.append(f"refuted at L={ref.L} on the extreme ray {ref.direction}, certified exactly on "
                     f"its profile ({ref.witness.distribution})")


def _ray_index(ref) -> int | None:
    """The ray ``k`` of a refutation's basis direction: ``g(u)`` is ``min(m, u+1)``, ``delta(L-1)``
    is ``min(m, L)``; the constant needs no ray (None: try the whole witness library)."""
    name = ref.direction
    if name.startswith("g("):
        return int(name[2:-1]) + 1
    if name.startswith("delta("):
        return ref.L
    return None


def _ray_refutation(clause, Ls, deadline: float):
    """``prover.rays.refute_on_rays`` one length at a time until ``deadline``: ``(refutation or None,
    the last L decided)``; ``(reason, max_L)`` when the ray route cannot take the clause."""
    prover_ = prover.Prover(confirm_witnesses="none")
    reached = Ls.start - 1
    for L in Ls:
        if time.monotonic() > deadline:
            break
        try:
            ref = refute_on_rays(clause, [L], prover=prover_)
        except DlmInputError as exc:  # a clause the ray route cannot take at large L: say why
            return str(exc), reached
        if ref is not None:
            return ref, L
        reached = L
    return None, reached


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
    if key not in DISPLAYED:
        raise DlmInputError(f"schedules={schedules!r}; choose one of {', '.join(DISPLAYED)}")
    return DISPLAYED[key].name


def _class_name(over: str) -> str:
    return quantifier(over).display


# ----------------------------------------------------------------------------------------
# linearity (the schedules of a class: witnesses.class_schedules)
# ----------------------------------------------------------------------------------------



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


def _prove(rel: UserRelation, over: str, max_L: int, deadline: float, res: CheckResult, min_L: int = 2) -> list:
    """Run the exact prover for ``L = min_L..max_L``; fill ``res.proof`` when every case is proved.

    Returns the refuted cases of the smallest refuted ``L`` (empty when proved or undecided).
    """
    st = rel.for_prover().statement(over)
    engine = prover.Prover("none")
    per_L, min_slack, undecided, reason = {}, None, 0, ""
    for L in range(min_L, max_L + 1):
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
    res.proof = _proof_record(st, over, max_L, per_L, min_slack, min_L)
    return []


def _refuted(st, ref) -> _Refuted:
    cert = prover.certificate(st, 0, ref.case)
    coeffs = dict(zip(cert.basis, cert.coefficients))
    # the constant only orders the directions to try, so a float-exact rational of it is enough
    coeffs["constant"] = cert.constant.const if cert.constant.is_rational() else Fraction(float(cert.constant))
    return _Refuted(ref.L, ref.case, coeffs)


def _proof_record(st, over: str, max_L: int, per_L: dict, min_slack, min_L: int = 2) -> dict:
    cases = sum(v["cases"] for v in per_L.values())
    out = {"L": [min_L, max_L], "schedules": _class_name(over), "cases": cases,
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
