"""Evaluate registry statements on a concrete instance with certified verdicts.

An :class:`Instance` is a distribution, a schedule and a predictor.  Its atoms
(``h(0..L)`` exactly, ``eps_train`` and the sampler's ``KL``) are computed once;
each clause side is expanded by :func:`theory.linear.linear_form` and dotted with
the atoms, and the two sides are compared by :func:`proofs_check.numerics.certify.compare`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from theory import registry
from theory.linear import CONST, Case, NotLinearError, linear_form
from theory.registry import Clause, Statement
from theory.symbols import KL_ideal, u

from proofs_check.numerics.certify import Verdict, compare
from proofs_check.verdicts import Status
from proofs_check.sources.distributions import Distribution
from proofs_check.errors import TooLargeError
from proofs_check.numerics.exact import Enclosure, LogLinear
from proofs_check.sources.markov import MarkovChain
from proofs_check.sources.profile import InformationProfile
from proofs_check.model.sampler import OptimalPredictor, Predictor, eps_train, expected_kl_bruteforce, n_partitions
from proofs_check.model.schedules import Schedule, balanced, compositions, offset_family

BRUTE_FORCE_MAX_PARTITIONS = 5_000
EXISTS_SEARCH_MAX_L = 12
#: F4 is checked on every one-split refinement up to this many, else on the middle split of each step.
REFINEMENTS_MAX = 256


@dataclass
class Instance:
    """A distribution (or a Markov chain), a schedule and a predictor.

    A :class:`MarkovChain` gets its closed-form profile; when ``V^L`` is small enough to
    enumerate it is also expanded to its exact law (for the brute-force KL and learned or
    perturbed predictors), otherwise only the optimal predictor and the profile route apply.
    """

    dist: Distribution | MarkovChain
    schedule: Schedule
    predictor: Predictor | None = None  # None: the optimal predictor
    profile: InformationProfile | None = None
    bruteforce: bool | None = None  # None: when the ordered partitions are few enough
    _values: dict = field(default_factory=dict, init=False, repr=False)  # (expr, case) -> exact value

    def __post_init__(self):
        self.schedule.check_length(self.dist.L)
        if isinstance(self.dist, MarkovChain):
            chain = self.dist
            if self.profile is None:
                self.profile = chain.profile()
            if chain.enumerable:
                self.dist = chain.distribution()
            elif not self.optimal:
                raise TooLargeError(
                    f"{chain!r}: a non-optimal predictor needs the chain's law, but V^L = {chain.V}^{chain.L} "
                    f"is too many sequences to enumerate; use the optimal predictor or a shorter chain")
            else:
                self.bruteforce = False
        if self.profile is None:
            self.profile = InformationProfile.of(self.dist)
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
        return dot(linear_form(KL_ideal, Case(self.L, self.schedule.sizes)), self.atoms) + self.eps_train

    def value(self, expr, case: Case) -> LogLinear:
        """Exact value of ``expr`` on this instance for ``case`` (memoised: clauses share sides)."""
        key = (expr, case)
        hit = self._values.get(key)
        if hit is None:
            form = linear_form(expr, case)
            if "KL" in form and "KL" not in self.atoms:
                self.atoms["KL"] = self.kl()
            hit = self._values[key] = dot(form, self.atoms)
        return hit


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


def is_balanced(sched: Schedule) -> bool:
    return sched == balanced(sched.L, sched.T)


def instance_cases(clause: Clause, inst: Instance) -> list[Case]:
    """The cases of ``clause`` that apply to the instance's schedule (maybe none)."""
    L, S = inst.L, inst.schedule
    over = clause.over
    if over == "profile":
        return [Case(L)]
    if over == "each_u":
        return [Case(L, bind=((u, v),)) for v in range(L - 1)]
    if over == "all":
        return [Case(L, S.sizes)]
    if over == "balanced":
        return [Case(L, S.sizes)] if is_balanced(S) else []
    if over == "one_step":
        return [Case(L, S.sizes)] if S.T == 1 else []
    if over == "all_ones":
        return [Case(L, S.sizes)] if S.s_max == 1 else []
    if over == "small_steps":
        return [Case(L, S.sizes)] if S.s_max <= 2 else []
    if over == "refinement":
        refs = list(S.refinements())
        if len(refs) > REFINEMENTS_MAX:  # long schedules: split each step once, in its middle
            refs = [S.split(k, sk // 2) for k, sk in enumerate(S.sizes) if sk >= 2]
        return [Case(L, S.sizes, refined=R.sizes) for R in refs]
    if over == "halving":
        return [Case(L, S.sizes, refined=S.halved().sizes)] if S.s_max >= 2 else []
    if over in ("offset", "exists"):
        step = S.offset_step or S.s_max  # an offset-family member is checked on its own family s
        if over == "exists" and (step < 2 or L < 2):
            return []
        return [offset_case(L, step, S.sizes)]
    raise ValueError(f"unknown quantifier {over!r}")


def offset_case(L: int, step: int, sizes=None) -> Case:
    fam = tuple(sch.sizes for _, sch in offset_family(L, step))
    return Case(L, sizes, family=fam, step=step)


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
    out = []
    for case in instance_cases(clause, inst):
        try:
            lhs, rhs = inst.value(clause.lhs, case), inst.value(clause.rhs, case)
        except NotLinearError:
            continue
        note = ""
        if _same_form(linear_form(clause.lhs, case), linear_form(clause.rhs, case)):
            # an identity of the profile algebra: exact whatever the values (and no enclosure needed)
            status = Status.EQUAL if clause.relation_type.allows_equality else Status.FAILS
            v = Verdict(status, clause.rel, 0.0, 0, "exact", float(lhs), float(rhs))
            note = "both sides have the same linear form in h(m)"
        else:
            v = compare(lhs, rhs, clause.rel)
        if clause.over == "exists" and not v.ok:
            v, note = _search_witness(clause, inst, case, rhs)
        out.append(ClauseResult(st.id, idx, clause.label, case, lhs, rhs, v, note))
    return out


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
