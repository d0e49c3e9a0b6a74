"""Evaluate registry statements on a concrete instance with certified verdicts.

An :class:`Instance` is a distribution, a schedule and a predictor.  Its atoms
(``h(0..L)`` exactly, ``eps_train`` and the sampler's ``KL``) are computed once;
each clause side is expanded by :func:`theory.linear.linear_form` and dotted with
the atoms, and the two sides are compared by :func:`proofs_check.numerics.certify.compare`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property

from theory import registry
from theory.linear import CONST, Case, NotLinearError, linear_form
from theory.registry import Clause, Statement
from theory.relations import relation as relation_type
from theory.symbols import KL_ideal, POLICY_ATOMS

from proofs_check.numerics.certify import Verdict, compare
from proofs_check.verdicts import Status
from proofs_check.sources.base import Source
from proofs_check.errors import TooLargeError
from proofs_check.numerics.exact import Enclosure, LogLinear
from proofs_check.sources.profile import InformationProfile
from proofs_check.model.sampler import OptimalPredictor, Predictor, eps_train, expected_kl_bruteforce, n_partitions
from proofs_check.model.quantifiers import offset_case, quantifier  # noqa: F401  (offset_case: public here too)
from proofs_check.model.policy_exact import PolicyRun
from proofs_check.model.schedules import Schedule, compositions, offset_family

BRUTE_FORCE_MAX_PARTITIONS = 5_000
EXISTS_SEARCH_MAX_L = 12


@dataclass
class Instance:
    """A source (:class:`~proofs_check.sources.base.Source`), a schedule and a predictor.

    The profile is the source's own (a Markov chain's is in closed form).  When the source's
    law can be enumerated, ``dist`` becomes that law (for the brute-force KL and learned or
    perturbed predictors); otherwise ``dist`` stays the source and only the optimal predictor
    and the profile route apply.
    """

    dist: Source
    schedule: Schedule
    predictor: Predictor | None = None  # None: the optimal predictor
    profile: InformationProfile | None = None
    bruteforce: bool | None = None  # None: when the ordered partitions are few enough
    _values: dict = field(default_factory=dict, init=False, repr=False)  # (expr, case) -> exact value
    _policy_values: dict = field(default_factory=dict, init=False, repr=False)  # (atom, policy) -> value; policy -> run

    def __post_init__(self):
        source = self.dist
        self.schedule.check_length(source.L)
        if self.profile is None:
            self.profile = source.profile()
        law = source.law()
        if law is not None:
            self.dist = law
        elif not self.optimal:
            raise TooLargeError(
                f"{source!r}: a non-optimal predictor needs the source's law, but V^L = {source.V}^{source.L} "
                f"is too many sequences to enumerate; use the optimal predictor or a shorter source")
        else:
            self.bruteforce = False
        if self.bruteforce is None:
            self.bruteforce = n_partitions(self.schedule) <= BRUTE_FORCE_MAX_PARTITIONS

    @property
    def L(self) -> int:
        return self.dist.L

    @property
    def optimal(self) -> bool:
        return self.predictor is None or isinstance(self.predictor, OptimalPredictor)

    @cached_property
    def eps_train(self) -> LogLinear:
        if self.optimal:
            return LogLinear()
        return eps_train(self.dist, self.schedule, self.predictor)

    @cached_property
    def kl_bruteforce(self) -> LogLinear | None:
        if not self.bruteforce:
            return None
        return expected_kl_bruteforce(self.dist, self.schedule, self.predictor)

    @cached_property
    def atoms(self) -> dict:
        """Exact values of the profile atoms and eps_train (``KL`` is added on first use)."""
        out = {m: x for m, x in enumerate(self.profile.h_exact)}
        out["eps_train"] = self.eps_train
        return out

    def kl(self) -> LogLinear:
        """The sampler's E_S KL: brute force when enumerable, else via F1 (verified on small cases)."""
        if self.kl_bruteforce is not None:
            return self.kl_bruteforce
        return dot(linear_form(KL_ideal, canonical_case(Case(self.L, self.schedule.sizes))), self.atoms) + self.eps_train

    def value(self, expr, case: Case) -> LogLinear:
        """Exact value of ``expr`` on this instance for ``case`` (memoised: clauses share sides)."""
        key = (expr, case)
        hit = self._values.get(key)
        if hit is None:
            form = linear_form(expr, case)
            if "KL" in form and "KL" not in self.atoms:
                self.atoms["KL"] = self.kl()
            atoms = self.atoms
            if any(a.name in form for a in POLICY_ATOMS):
                atoms = {**atoms, **{a.name: self.policy_value(a.name, case.policy)
                                     for a in POLICY_ATOMS if a.name in form}}
            hit = self._values[key] = dot(form, atoms)
        return hit

    def policy_value(self, atom: str, policy) -> LogLinear:
        """``KL_policy``, ``TC_policy`` or ``KL_policy_avg`` of ``policy`` on this instance, exactly."""
        key = (atom, policy)
        hit = self._policy_values.get(key)
        if hit is None:
            run = self._policy_values.get(policy)  # one run per policy: its choice and pmf memos shared
            if run is None:
                run = self._policy_values[policy] = PolicyRun(self.dist, policy, self.predictor)
            compute = {"KL_policy": run.kl, "TC_policy": run.tc_path, "KL_policy_avg": run.path_kl}[atom]
            hit = self._policy_values[key] = compute()
        return hit


def instance_key(dist: Source, schedule: Schedule) -> tuple:
    """The identity of an instance (what makes two draws the same one, counted once): the law, or
    the parameters of a source too long to enumerate, and the schedule, with the offset family a
    member was drawn from (``Schedule.offset_step``: the sizes alone do not fix it, and the offset
    clauses check that family's case)."""
    sizes = schedule.sizes if schedule.offset_step is None else (schedule.sizes, schedule.offset_step)
    law = dist.law()
    if law is None:
        return (json.dumps(dist.to_json()), sizes)
    return (law.V, law.L, law.support.tobytes(), law.weights, sizes)


def float_value(expr, case: Case, h_float) -> float:
    """Fast float64 value of a profile-only expression (plots and tables; never a verdict)."""
    total = 0.0
    for key, c in linear_form(expr, case).items():
        if key == CONST:
            total += float(c)
        elif isinstance(key, tuple) and key[0] == "log":
            total += float(c) * math.log(key[1])
        elif isinstance(key, int):
            total += float(c) * float(h_float[key])
        else:
            raise NotLinearError(f"{key} is not a profile quantity; use Instance.value")
    return total


def dot(form: dict, atoms: dict):
    """Exact value of a linear form: a LogLinear, or an Enclosure if any atom used is one."""
    pairs, loose = [], []
    for key, c in form.items():
        if key == CONST:
            pairs.append((c, LogLinear(1)))
        elif isinstance(key, tuple) and key[0] == "log":
            pairs.append((c, LogLinear.log(key[1])))
        elif isinstance(atoms[key], Enclosure):
            loose.append(atoms[key] * c)
        else:
            pairs.append((c, atoms[key]))
    exact = LogLinear.combination(pairs)
    if not loose:
        return exact
    return Enclosure(lambda prec: sum((e.interval(prec) for e in loose), exact.interval(prec)))


#: One canonical :class:`~theory.linear.Case` per distinct case in this process: a Case carries the
#: memo of its linear forms, so every instance evaluated on the same case shares one SymPy expansion
#: per expression instead of redoing it on the fresh Case objects the quantifiers build.
_CANONICAL_CASES: dict = {}


def canonical_case(case: Case) -> Case:
    return _CANONICAL_CASES.setdefault(case, case)


def instance_cases(clause: Clause, inst: Instance) -> list[Case]:
    """The cases of ``clause`` that apply to the instance's schedule (maybe none), canonical."""
    return [canonical_case(c) for c in quantifier(clause.over).instance_cases(inst.L, inst.schedule)]


@dataclass(frozen=True)
class ClauseResult:
    statement: str
    clause: int
    label: str
    case: Case
    lhs: LogLinear
    rhs: LogLinear
    verdict: Verdict
    note: str = ""


def check_clause(st: Statement, idx: int, inst: Instance) -> list[ClauseResult]:
    clause = st.clauses[idx]
    if clause.needs_optimal and not inst.optimal:
        return []
    if not clause.prover and not inst.bruteforce:
        return []  # sampler-level identity: meaningful only with the brute-force KL
    if inst.L < st.min_L:
        return []
    limit = getattr(quantifier(clause.over), "max_states", None)
    if limit is not None and inst.dist.V ** inst.L > limit:
        return []  # policy cases enumerate the support and every reveal path: small instances only
    out = []
    for case in instance_cases(clause, inst):
        try:
            lhs, rhs, v, note = compare_sides(inst, clause.lhs, clause.rel, clause.rhs, case)
        except NotLinearError:
            continue
        if clause.over == "exists" and not v.ok:
            v, note = _search_witness(clause, inst, case, rhs)
        out.append(ClauseResult(st.id, idx, clause.label, case, lhs, rhs, v, note))
    return out


def compare_sides(inst: Instance, lhs_expr, rel: str, rhs_expr, case: Case):
    """Certified verdict on ``lhs_expr REL rhs_expr`` on ``inst`` for ``case``: (lhs, rhs, Verdict, note).

    The one evaluator of a clause on an instance, for registry clauses and user relations
    alike: both sides are expanded to exact linear forms in ``h(0..L)`` and the instance's
    atoms (:meth:`Instance.value`); two identical forms are an identity of the profile algebra,
    settled without any arithmetic; otherwise :func:`~proofs_check.numerics.certify.compare`
    decides.  Raises :class:`~theory.linear.NotLinearError` when a side is not linear for the
    case (a division by zero counts as not linear).
    """
    try:
        lhs, rhs = inst.value(lhs_expr, case), inst.value(rhs_expr, case)
        same = _same_form(linear_form(lhs_expr, case), linear_form(rhs_expr, case))
    except ZeroDivisionError as exc:
        raise NotLinearError(f"division by zero in {lhs_expr} {rel} {rhs_expr}") from exc
    if same:
        rtype = relation_type(rel)
        status = Status.EQUAL if rtype.allows_equality else Status.FAILS
        return lhs, rhs, Verdict(status, rel, 0.0, 0, "exact", float(lhs), float(rhs)), \
            "both sides have the same linear form in h(m)"
    return lhs, rhs, compare(lhs, rhs, rel), ""


def _same_form(a: dict, b: dict) -> bool:
    """Equal linear forms up to the h(0) = 0 term."""
    return {k: c for k, c in a.items() if k != 0} == {k: c for k, c in b.items() if k != 0}


def _search_witness(clause: Clause, inst: Instance, case: Case, rhs: LogLinear) -> tuple[Verdict, str]:
    """'exists' clauses: the family average failed; look for one schedule with the same s_max."""
    L, smax = inst.L, case.step
    candidates = [sch for _, sch in offset_family(L, smax)]
    if L <= EXISTS_SEARCH_MAX_L:
        candidates += [c for c in compositions(L) if c.s_max == smax]
    best, best_v = None, None
    for sch in candidates:
        val = inst.value(KL_ideal, Case(L, sch.sizes))
        v = compare(val, rhs, clause.rel)
        if best_v is None or v.margin > best_v.margin:
            best, best_v = sch, v
        if v.ok:
            return v, f"witness schedule {sch}"
    scope = "all schedules" if L <= EXISTS_SEARCH_MAX_L else "the offset family"
    return best_v, f"no witness among {scope} with s_max={smax}; best {best}"


def check_statement(st: Statement, inst: Instance) -> list[ClauseResult]:
    out = []
    for idx in range(len(st.clauses)):
        out += check_clause(st, idx, inst)
    return out


def check_all(inst: Instance, statements=None) -> list[ClauseResult]:
    out = []
    for st in statements or registry.STATEMENTS:
        out += check_statement(st, inst)
    return out
