"""Exact proofs and refutations of linear statements over the symmetric Shannon cone.

Method (derived in notes/00-overview.md, "Why a coefficient check is a proof").  Fix ``L`` and a *case* (a schedule, a refinement
of it, the randomized-offset family, ... as the clause's quantifier requires).
A clause ``lhs REL rhs`` is turned into its *slack*

    d = rhs - lhs   (for <=, <, ==)        d = lhs - rhs   (for >=, >)

a linear form in the profile ``h(0..L)`` obtained from the registry by
:func:`theory.linear.linear_form`.  The sampler's error ``KL`` is replaced by
``KL_ideal + eps_train`` (F1, an identity); the training error must then cancel,
otherwise the clause is not a statement about the profile.

Because ``h(0) = 0``, every profile is a combination of the *symmetric elemental
directions*

    h(m) = m * delta(L-1) + sum_{u=0}^{L-2} min(m, u+1) * g(u),

and ``g(u) >= 0``, ``delta(L-1) >= 0`` are exactly the symmetrized elemental
Shannon inequalities.  So ``d >= 0`` holds on the whole (symmetric) Shannon cone
iff every coefficient of ``d`` in the basis ``g(0..L-2), delta(L-1)`` is ``>= 0``
(and its constant part is ``>= 0``): those rational coefficients are the
certificate.  A negative coefficient refutes the clause as a Shannon-type
inequality and names the direction to load.  Every direction is realized by a
distribution: ``g(u)`` alone by a maximum-distance-separable code of dimension
``u + 1`` (the copy distribution for ``u = 0``, even parity for ``u = L-2``,
Reed-Solomon codes over a prime field in between: ``H(X_A) = min(|A|, u+1) log p``),
and ``delta(L-1)`` alone by independent uniform symbols.  The refutation is then
confirmed on that distribution by a certified exact verdict
(:mod:`proofs_check.model.instance`).

``exists`` clauses (some schedule with largest step ``s_max`` satisfies the bound) are
proved through a witness: the randomized-offset family with ``s = s_max``, whose
average satisfying the bound means one member does.  A negative coefficient there
only says the family average is no witness; :func:`confirm` then also runs the
evaluator's search over every schedule with that ``s_max`` on the refuting
distribution and says whether it is a real counterexample.

Speed.  Over thousands of cases the prover never builds a form twice: each
top-level term of a clause side depends only on part of the case (the schedule,
only ``T`` or ``s_max``, the refinement, the offset family, a bound ``u``), so its
form is computed once per distinct part and stored as a row of integers over a
common denominator; the slacks of all cases of a clause are then assembled and
moved to the elemental basis with one integer matrix product (numpy).  By default
(``Prover(route="auto")``) the schedule quantifiers ``all``, ``small_steps``,
``refinement``, ``halving`` are decided by the shapes of their steps
(:mod:`proofs_check.prover.shapes`) and ``offset``, ``exists``, ``balanced`` from the
closed form of their one-parameter family (:mod:`proofs_check.prover.offsets`), both
polynomial in ``L``; ``route="enumerate"`` builds every case as above.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable

import numpy as np
import sympy as sp

from theory import definitions as defs
from theory import registry
from theory.linear import CONST, Case, NotLinearError, linear_form
from theory.registry import Clause, Statement
from theory.relations import relation as relation_type
from theory.symbols import KL, KL_ideal, KL_ideal_offset, KL_ideal_refined, T, e, m, omega, s, s_max, s_step

from proofs_check.model.quantifiers import quantifier
from proofs_check.numerics.exact import LogLinear
from proofs_check.prover import offsets, shapes
# The per-case pieces live in basis.py and certificate.py; they are re-exported here so that the
# prover can be used as one module (``core.certificate``, ``core.confirm``, ...).
from proofs_check.prover.basis import (WITNESS_BRUTEFORCE_MAX_L, WITNESS_MAX_L, WITNESS_MAX_SUPPORT,  # noqa: F401
                                       basis_matrix, basis_names, direction_distribution, direction_support,
                                       to_basis)
from proofs_check.prover.certificate import (Certificate, ProverInputError, Witness, _signed_terms,  # noqa: F401
                                             _substitute_kl, case_id, case_text, certificate, confirm, decide,
                                             slack_form)

#: Slack matrices whose entries (times the basis change) could reach this use Python integers.
INT64_LIMIT = 2**62
#: Largest ``L`` at which a clause the shape route cannot take is decided by enumerating its cases.
ENUMERATION_MAX_L = 18


# -- cases of each quantifier ------------------------------------------------------------------


def quantifier_cases(over: str, L: int) -> list[Case]:
    """Every case a clause with quantifier ``over`` ranges over at sequence length ``L``."""
    return quantifier(over).cases(L)


# -- bulk proving: all cases of a clause at once ------------------------------------------------


def _term_key(term) -> Callable[[Case], tuple]:
    """Function giving the part of a case that ``term``'s linear form depends on.

    :func:`theory.linear.linear_form` reads a case only through ``L``, the schedule (its
    ``T``, ``s_max``, ``s_k``, ``m_k``, ``e_k``, ``omega``), the refinement, the offset family
    with its step, and bound symbols; a term that mentions none of a schedule's indexed
    quantities but only ``T`` or ``s_max`` needs only that number.
    """
    # named weights such as c_s read case constants through their definitions: look inside them
    term = term.replace(lambda x: x.func in defs.COEFFICIENT_DEFINITIONS,
                        lambda x: defs.COEFFICIENT_DEFINITIONS[x.func](x.args[0]))
    sizes = term.has(KL, KL_ideal, s, m, e, omega, sp.Indexed)
    need_T = not sizes and term.has(T)
    need_smax = not sizes and term.has(s_max)
    refined = term.has(KL_ideal_refined)
    family = term.has(KL_ideal_offset)
    step = term.has(s_step)
    free = term.free_symbols

    def key(case: Case) -> tuple:
        return (case.L,
                case.sizes if sizes else None,
                (len(case.sizes) if case.sizes else None) if need_T else None,
                (max(case.sizes) if case.sizes else None) if need_smax else None,
                case.refined if refined else None,
                case.family if family else None,
                case.step if step else None,
                tuple((sym, v) for sym, v in case.bind if sym in free))

    return key


@dataclass
class _Row:
    """A term's form for one key: integer numerators over ``den`` for
    ``[h(0..L), const, eps_train]``, log constants kept aside, or the reason it is not linear."""

    den: int = 1
    nums: tuple = ()
    logs: dict | None = None
    error: str | None = None


def _row_of(form: dict, L: int) -> _Row:
    width = L + 3
    slots = {}
    logs = {}
    for key, c in form.items():
        if isinstance(key, int):
            slots[key] = c
        elif key == CONST:
            slots[L + 1] = c
        elif key == "eps_train":
            slots[L + 2] = c
        elif isinstance(key, tuple) and key[0] == "log":
            logs[key] = c
        else:
            return _Row(error=f"not linear in the profile: {key} remains")
    den = math.lcm(*(c.denominator for c in slots.values())) if slots else 1
    nums = [0] * width
    for i, c in slots.items():
        nums[i] = c.numerator * (den // c.denominator)
    return _Row(den, tuple(nums), logs or None)


@dataclass
class ClauseLResult:
    """One clause at one ``L``: counts, the smallest slack, refutations and failures."""

    L: int
    n_cases: int
    proved: int = 0
    not_linear: int = 0
    not_linear_reason: str = ""
    refuted: list = field(default_factory=list)  # of Refutation
    min_slack: Fraction | None = None
    min_slack_case: str = ""
    min_slack_at: Case | None = None
    proved_cases: set = field(default_factory=set, repr=False)  # the proved Case objects
    route: str = "enumerate"  # or "shapes" / "offsets" (prover/shapes.py, prover/offsets.py: cases counted, not listed)
    n_refuted: int | None = None  # refuted cases when not all are listed (shape route)

    @property
    def refuted_count(self) -> int:
        return len(self.refuted) if self.n_refuted is None else self.n_refuted


@dataclass(frozen=True)
class Refutation:
    statement: str
    clause: int
    label: str
    L: int
    case: Case
    direction: str
    coefficient: Fraction
    witness: Witness | None = None

    def to_json(self) -> dict:
        return {"L": self.L, "schedule": case_text(self.case), "clause": self.clause, "label": self.label,
                "direction": self.direction, "coefficient": str(self.coefficient),
                "witness": None if self.witness is None else self.witness.to_json()}


class Prover:
    """Bulk prover with a per-``L`` cache of term forms shared by all statements."""

    def __init__(self, confirm_witnesses: str = "first", route: str = "auto"):
        if confirm_witnesses not in ("none", "first", "all"):
            raise ProverInputError(f"confirm_witnesses={confirm_witnesses!r}: use none, first or all")
        if route not in ("auto", "enumerate"):
            raise ProverInputError(f"route={route!r}: use auto (shapes where they apply) or enumerate")
        self.confirm_witnesses = confirm_witnesses
        self.route = route
        self._deciders: dict = {}
        self._rows: dict = {}
        self._rows_L: int | None = None
        self._cases: dict = {}

    # cache -----------------------------------------------------------------------------
    def _use_L(self, L: int) -> None:
        if self._rows_L != L:
            for cases in self._cases.values():  # results keep the cases, not their cached forms
                for case in cases:
                    case._memo.clear()
            self._rows.clear()
            self._cases.clear()
            self._rows_L = L

    def cases(self, over: str, L: int) -> list[Case]:
        self._use_L(L)
        hit = self._cases.get(over)
        if hit is None:
            hit = self._cases[over] = quantifier_cases(over, L)
        return hit

    def _row(self, term, key, case: Case) -> _Row:
        hit = self._rows.get((term, key))
        if hit is None:
            try:
                form = linear_form(term, case)
                c = form.pop("KL", 0)
                hit = _row_of(form, case.L)
                if c and hit.error is None:
                    if case.sizes is None:
                        raise NotLinearError("KL needs a schedule")
                    kl = self._row(KL_ideal, _term_key(KL_ideal)(case), case)
                    if kl.error:
                        hit = kl
                    else:
                        hit = _combine_rows(hit, c, kl, case.L)
            except NotLinearError as exc:
                hit = _Row(error=f"not linear in the profile: {exc}")
            self._rows[(term, key)] = hit
        return hit

    # one clause at one L ---------------------------------------------------------------
    def prove_clause(self, st: Statement, idx: int, L: int) -> ClauseLResult:
        """Decide one clause on every case of its quantifier at this ``L`` (by the shapes of
        :mod:`proofs_check.prover.shapes` where they apply, otherwise case by case)."""
        clause = st.clauses[idx]
        why = ""
        if self.route == "auto" and clause.over in offsets.OFFSET_QUANTIFIERS:
            try:  # every offset family at once in closed form; else enumerated (polynomial in L)
                return self._by_shapes(st, idx, L, "offsets")
            except shapes.ShapeUnsupported:
                pass
        if self.route == "auto" and clause.over in shapes.SHAPE_QUANTIFIERS:
            try:
                return self._by_shapes(st, idx, L)
            except shapes.ShapeUnsupported as exc:
                why = str(exc)
            if L > ENUMERATION_MAX_L:
                raise ProverInputError(f"{st.clause_id(idx)} cannot take the shape route ({why}); "
                                       f"enumerating its cases is limited to L <= {ENUMERATION_MAX_L}")
        cases = self.cases(clause.over, L)
        out = ClauseLResult(L, len(cases))
        if not cases:
            return out
        d, den, bad, special, out.not_linear_reason = _slack_matrix(self._blocks(clause, cases), len(cases), L)
        coeffs = d[:, :L + 1] @ basis_matrix(L).astype(d.dtype)
        const = d[:, L + 1]
        ok = ~bad & ~special
        proved = ok & _holds(coeffs, const, clause.rel)
        out.not_linear, out.proved = int(bad.sum()), int(proved.sum())
        out.proved_cases = {cases[i] for i in np.flatnonzero(proved)}
        out.min_slack, where = _smallest_slack(coeffs[proved], den)
        if where is not None:
            out.min_slack_at = cases[int(np.flatnonzero(proved)[where])]
            out.min_slack_case = case_text(out.min_slack_at)
        for i in np.flatnonzero(ok & ~proved):
            coef_i = [Fraction(int(x), den) for x in coeffs[i]]
            const_i = Fraction(int(const[i]), den)
            _, di = decide(coef_i, LogLinear(const_i), clause.rel)
            out.refuted.append(self._refutation(st, idx, cases[i], coef_i, const_i, di))
        for i in np.flatnonzero(special & ~bad):  # log constants: one exact certificate each
            self._record_certificate(st, out, certificate(st, idx, cases[i]))
        self._confirm(st, out)
        return out

    def _by_shapes(self, st: Statement, idx: int, L: int, route: str = "shapes") -> ClauseLResult:
        """All cases at once from the step shapes (``route="offsets"``: from the offset family's
        closed form, :mod:`proofs_check.prover.offsets`); each listed refuted case gets an exact
        certificate (and a witness, as an enumerated refutation does)."""
        clause = st.clauses[idx]
        key = (clause.lhs, clause.rel, clause.rhs, clause.over)
        decider = self._deciders.get(key)
        if decider is None:
            make = offsets.OffsetDecider if route == "offsets" else shapes.ShapeDecider
            decider = self._deciders[key] = make(clause)
        self._use_L(L)
        res = decider.decide(L, self)
        out = ClauseLResult(L, res.n_cases, proved=res.proved, not_linear=res.not_linear,
                            not_linear_reason=res.not_linear_reason, min_slack=res.min_slack,
                            min_slack_at=res.min_slack_at, route=route, n_refuted=res.n_refuted)
        if res.min_slack_at is not None:
            out.min_slack_case = case_text(res.min_slack_at)
        for case in res.refuted_cases:
            cert = certificate(st, idx, case)
            if cert.status != "refuted":
                raise AssertionError(f"{route} route names {case_text(case)} refuted, its certificate says {cert.status}")
            self._record_certificate(st, out, cert)
        self._confirm(st, out)
        return out

    def _blocks(self, clause: Clause, cases: list[Case]) -> list[tuple[int, list[_Row], np.ndarray]]:
        """For each signed term of the slack: its distinct rows and the row of every case."""
        blocks = []
        for sgn, term in _signed_terms(clause):
            keyf = _term_key(term)
            index: dict = {}
            rows: list[_Row] = []
            idx_arr = np.empty(len(cases), dtype=np.int64)
            for i, case in enumerate(cases):
                k = keyf(case)
                j = index.get(k)
                if j is None:
                    j = index[k] = len(rows)
                    rows.append(self._row(term, k, case))
                idx_arr[i] = j
            blocks.append((sgn, rows, idx_arr))
        return blocks

    def _record_certificate(self, st: Statement, out: ClauseLResult, cert: Certificate) -> None:
        if cert.status == "proved":
            out.proved += 1
            out.proved_cases.add(cert.case)
        elif cert.status == "refuted":
            di = (basis_names(cert.L) + ["constant"]).index(cert.direction)
            out.refuted.append(self._refutation(st, cert.clause, cert.case, list(cert.coefficients),
                                                cert.constant.const, di))
        else:
            out.not_linear += 1
            out.not_linear_reason = out.not_linear_reason or cert.reason

    def _refutation(self, st, idx, case, coeffs, const, di) -> Refutation:
        names = basis_names(case.L) + ["constant"]
        coef = coeffs[di] if di < len(coeffs) else const
        return Refutation(st.id, idx, st.clauses[idx].label, case.L, case, names[di], coef)

    def _confirm(self, st: Statement, out: ClauseLResult) -> None:
        if self.confirm_witnesses == "none":
            return
        todo = out.refuted if self.confirm_witnesses == "all" else out.refuted[:1]
        for j, ref in enumerate(todo):
            di = (basis_names(ref.L) + ["constant"]).index(ref.direction)
            out.refuted[j] = Refutation(ref.statement, ref.clause, ref.label, ref.L, ref.case, ref.direction,
                                        ref.coefficient, confirm(st, ref.clause, ref.case, di))


def _slack_matrix(blocks, N: int, L: int):
    """Integer slacks of all cases: ``(d, den, not_linear mask, log-constant mask, reason)``.

    ``d[i]`` holds the numerators of ``[h(0..L), const, eps_train]`` over the common ``den``;
    int64 when the entries provably fit, Python integers otherwise.
    """
    bad = np.zeros(N, dtype=bool)
    special = np.zeros(N, dtype=bool)
    reason = ""
    den = 1
    for _, rows, idx_arr in blocks:
        err = np.array([r.error is not None for r in rows])
        if err.any():
            hit = err[idx_arr]
            if hit.any() and not reason:
                reason = rows[int(idx_arr[np.argmax(hit)])].error
            bad |= hit
        special |= np.array([r.logs is not None for r in rows])[idx_arr]
        den = math.lcm(den, *(r.den for r in rows if r.error is None))
    width = L + 3
    mats, bound = [], 0
    for sgn, rows, idx_arr in blocks:
        ints = [[0] * width if r.error else [x * (den // r.den) for x in r.nums] for r in rows]
        bound += max((abs(x) for row in ints for x in row), default=0)
        mats.append((sgn, ints, idx_arr))
    dtype = np.int64 if bound * (L + 1) * L < INT64_LIMIT else object
    d = np.zeros((N, width), dtype=dtype)
    for sgn, ints, idx_arr in mats:
        d += sgn * np.array(ints, dtype=dtype)[idx_arr]
    eps_bad = (d[:, L + 2] != 0) & ~bad
    if eps_bad.any():
        reason = reason or "not linear in the profile: eps_train does not cancel"
        bad |= eps_bad
    return d, den, bad, special, reason


def _holds(coeffs: np.ndarray, const: np.ndarray, relation: str) -> np.ndarray:
    """Cases whose slack is a Shannon-type certificate for ``relation`` (see :func:`decide`)."""
    if relation == "==":
        return np.all(coeffs == 0, axis=1) & (const == 0)
    positive_const = (const > 0) if relation_type(relation).strict else (const >= 0)
    return np.all(coeffs >= 0, axis=1) & positive_const


def _smallest_slack(coeffs: np.ndarray, den: int) -> tuple[Fraction | None, int | None]:
    """Smallest positive coefficient among the rows and the row where it occurs."""
    positive = coeffs[coeffs > 0]
    if not positive.size:
        return None, None
    val = positive.min()
    return Fraction(int(val), den), int(np.argwhere(coeffs == val)[0][0])


def _combine_rows(a: _Row, c: Fraction, b: _Row, L: int) -> _Row:
    """Row of ``a + c * (b + eps_train)`` in integers (the F1 substitution of ``c * KL``)."""
    c = Fraction(c)
    den = math.lcm(a.den, b.den * c.denominator)
    fa, fb = den // a.den, c.numerator * (den // (b.den * c.denominator))
    nums = [x * fa + y * fb for x, y in zip(a.nums, b.nums)]
    nums[L + 2] += c.numerator * (den // c.denominator)
    logs = dict(a.logs or {})
    for k, v in (b.logs or {}).items():
        logs[k] = logs.get(k, 0) + c * v
    logs = {k: v for k, v in logs.items() if v}
    g = math.gcd(den, *nums)
    return _Row(den // g, tuple(x // g for x in nums), logs or None)


# -- statements -------------------------------------------------------------------------------


@dataclass
class ClauseResult:
    """One clause over every ``L`` tried."""

    index: int
    label: str
    relation: str
    over: str
    prover: bool
    per_L: list[ClauseLResult] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(r.n_cases for r in self.per_L)

    @property
    def proved(self) -> int:
        return sum(r.proved for r in self.per_L)

    @property
    def not_linear(self) -> int:
        return sum(r.not_linear for r in self.per_L)

    @property
    def refuted(self) -> list[Refutation]:
        return [x for r in self.per_L for x in r.refuted]

    @property
    def min_slack(self) -> tuple[Fraction | None, str]:
        best = [(r.min_slack, r.L, r.min_slack_case) for r in self.per_L if r.min_slack is not None]
        if not best:
            return None, ""
        val, L, where = min(best, key=lambda t: t[0])
        return val, f"L={L} {where}"

    def to_json(self) -> dict:
        slack, where = self.min_slack
        return {"index": self.index, "label": self.label, "relation": self.relation, "over": self.over,
                "prover": self.prover,
                "status": ("skipped" if not self.prover else "refuted" if self.refuted else
                           "not_linear" if self.not_linear else "proved"),
                "cases": self.cases, "proved": self.proved, "not_linear": self.not_linear,
                "not_linear_reason": next((r.not_linear_reason for r in self.per_L if r.not_linear_reason), ""),
                "refuted": sum(r.refuted_count for r in self.per_L),
                "min_slack": None if slack is None else str(slack), "min_slack_at": where,
                "per_L": {str(r.L): {"route": r.route, "cases": r.n_cases, "proved": r.proved, "refuted": r.refuted_count,
                                     "not_linear": r.not_linear} for r in self.per_L}}


@dataclass
class StatementResult:
    """The prover's verdict on one statement for ``L = min_L..max_L``.

    ``schedules_proved``: distinct cases (schedule, refinement, offset family, bound u, or the
    bare profile) at some ``L`` on which every provable clause quantifying over it was proved.
    """

    id: str
    provenance: str
    min_L: int
    max_L: int
    clauses: list[ClauseResult]
    seconds: float = 0.0

    @property
    def provable(self) -> bool:
        return any(c.prover for c in self.clauses)

    @property
    def refuted(self) -> list[Refutation]:
        return [x for c in self.clauses for x in c.refuted]

    @property
    def not_linear(self) -> int:
        return sum(c.not_linear for c in self.clauses)

    @property
    def proved(self) -> bool:
        return self.provable and not self.refuted and not self.not_linear

    @property
    def schedules_proved(self) -> int:
        """Distinct proved cases; a (quantifier, L) decided by shapes counts its ``n_cases`` when
        every clause over it proved all of them, else nothing (its cases are counted, not listed)."""
        failed: set = set()
        good: set = set()
        whole: dict = {}  # (quantifier, L) -> (cases, cases not proved by some clause)
        for c in self.clauses:
            if not c.prover:
                continue
            for r in c.per_L:
                if r.route != "enumerate":  # shapes, offsets: cases counted, not listed
                    n, bad = whole.get((c.over, r.L), (r.n_cases, 0))
                    whole[(c.over, r.L)] = (n, max(bad, r.n_cases - r.proved))
                    continue
                good |= {case_id(x) for x in r.proved_cases}
                failed |= {case_id(x.case) for x in r.refuted}
        for (over, L), (n, bad) in list(whole.items()):  # small_steps schedules are schedules of `all`
            if over == "small_steps" and ("all", L) in whole:
                del whole[(over, L)]
                N, bad_all = whole[("all", L)]
                whole[("all", L)] = (N, bad_all + bad)
        return len(good - failed) + sum(n for n, bad in whole.values() if not bad)

    @property
    def clause_cases_proved(self) -> int:
        return sum(c.proved for c in self.clauses)

    def to_json(self) -> dict:
        return {"id": self.id, "provenance": self.provenance, "min_L": self.min_L, "max_L": self.max_L,
                "provable": self.provable, "proved": self.proved,
                "schedules_proved": self.schedules_proved, "clause_cases_proved": self.clause_cases_proved,
                "not_linear": self.not_linear, "refuted": [r.to_json() for r in self.refuted],
                "clauses": [c.to_json() for c in self.clauses], "seconds": round(self.seconds, 3)}


def prove_statements(statements: Iterable[Statement], max_L: int, min_L: int | None = None,
                     confirm_witnesses: str = "first", prover: Prover | None = None,
                     progress: Callable[[str, float], None] | None = None) -> list[StatementResult]:
    """Prove every provable clause of each statement for every case of every ``L`` from
    ``max(statement.min_L, 2, min_L)`` up to ``max_L`` (``L`` outer, so forms are shared).

    ``progress(what, fraction)`` is called as the work advances (weights ~ L^3 per length: the
    shape route and the offset family are polynomial in ``L``).
    """
    statements = list(statements)
    if isinstance(max_L, bool) or not isinstance(max_L, int) or max_L < 1:
        raise ProverInputError(f"max_L={max_L!r} must be an integer >= 1")
    prover = prover or Prover(confirm_witnesses)
    lows = {st.id: max(st.min_L, 2, min_L or 1) for st in statements}
    results = {st.id: StatementResult(st.id, st.provenance, lows[st.id], max_L,
                                      [ClauseResult(i, c.label, c.rel, c.over, c.prover)
                                       for i, c in enumerate(st.clauses)]) for st in statements}
    first = min(lows.values(), default=max_L + 1)
    total = sum(float(L) ** 3 for L in range(first, max_L + 1)) or 1.0
    done = 0.0
    for L in range(first, max_L + 1):
        for j, st in enumerate(statements):
            if progress:
                progress(f"L={L} {st.id}", (done + float(L) ** 3 * j / len(statements)) / total)
            if L < lows[st.id]:
                continue
            t0 = time.perf_counter()
            for idx, clause in enumerate(st.clauses):
                if clause.prover:
                    results[st.id].clauses[idx].per_L.append(prover.prove_clause(st, idx, L))
            results[st.id].seconds += time.perf_counter() - t0
        done += float(L) ** 3
    if progress:
        progress("done", 1.0)
    return [results[st.id] for st in statements]


def prove_statement(statement: Statement | str, max_L: int, min_L: int | None = None,
                    confirm_witnesses: str = "first") -> StatementResult:
    """Prove one statement for every case of its quantifiers and ``L`` up to ``max_L``."""
    st = registry.get(statement) if isinstance(statement, str) else statement
    return prove_statements([st], max_L, min_L, confirm_witnesses)[0]


def prove_all(max_L: int, statements: Iterable[Statement] | None = None,
              confirm_witnesses: str = "first") -> list[StatementResult]:
    """Every registry statement (or the given ones)."""
    return prove_statements(statements if statements is not None else registry.STATEMENTS, max_L,
                            confirm_witnesses=confirm_witnesses)


def case_for(statement: Statement, clause_idx: int, L: int, schedule: str | None = None,
             step: int | None = None, refined: str | None = None, u_value: int | None = None,
             pair: str | None = None) -> Case:
    """Build the case of one clause from command-line style input (validated by its quantifier);
    ``pair`` is the ``p,q`` or ``a,b`` of a clause over ``times`` or ``cuts``."""
    if not 0 <= clause_idx < len(statement.clauses):
        raise ProverInputError(f"{statement.id} has clauses 0..{len(statement.clauses) - 1}, not {clause_idx}")
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise ProverInputError(f"--L {L!r} must be an integer >= 1")
    q, what = quantifier(statement.clauses[clause_idx].over), f"{statement.id} clause {clause_idx}"
    if pair is not None:
        if not hasattr(q, "pair_case"):
            raise ProverInputError(f"--pair is for clauses over times or cuts; {what} is over {q.name}")
        return q.pair_case(L, pair, what)
    return q.case_for(L, schedule, step, refined, u_value, what=what)
