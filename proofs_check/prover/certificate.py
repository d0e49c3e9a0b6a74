"""Certificates for one clause on one case: its slack in the elemental basis, decided exactly.

A clause ``lhs REL rhs`` becomes its slack ``d`` (direction from :mod:`theory.relations`), a
linear form in ``h(0..L)`` with ``KL`` replaced by ``KL_ideal + eps_train`` (F1); the clause holds
on the whole symmetric Shannon cone iff every coefficient of ``d`` in the basis
``g(0..L-2), delta(L-1)`` has the sign the relation needs.  A refutation is confirmed on the
distribution that loads the offending direction (:func:`confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from theory import registry
from theory.linear import CONST, Case, NotLinearError, add_scaled, linear_form
from theory.registry import Clause, Statement
from theory.relations import relation as relation_type
from theory.symbols import KL_ideal

from proofs_check.errors import DlmInputError
from proofs_check.model.instance import Instance, check_clause
from proofs_check.model.quantifiers import quantifier
from proofs_check.numerics.certify import compare, sign
from proofs_check.numerics.exact import LogLinear
from proofs_check.prover.basis import (WITNESS_BRUTEFORCE_MAX_L, _preferred_direction, basis_names,
                                       direction_distribution, to_basis)

class ProverInputError(DlmInputError):
    """A statement, clause or case given to the prover does not exist or does not fit."""


def case_id(case: Case) -> tuple:
    """A light hashable identity of a case (no memo of forms attached)."""
    return (case.L, case.sizes, case.refined, case.step, case.bind)


def case_text(case: Case) -> str:
    """Short description of a case: ``3,2,1``, ``3,2,1 -> 2,1,2,1``, ``offset s=3``, ``u=2``."""
    parts = []
    if case.sizes is not None:
        parts.append(",".join(map(str, case.sizes)))
    if case.refined is not None:
        parts.append("-> " + ",".join(map(str, case.refined)))
    if case.step is not None:
        parts.append(f"offset s={case.step}")
    parts += [f"{sym}={val}" for sym, val in case.bind]
    return " ".join(parts) if parts else "profile"


# -- slack forms ---------------------------------------------------------------------------------


def _signed_terms(clause: Clause) -> list[tuple[int, sp.Expr]]:
    """Top-level terms of ``d`` with their signs; sides are never expanded (a zero factor must
    stay next to a factor that is undefined for the case, e.g. ``(s-1)/2 * D(L-s+1)`` at s=1)."""
    plus, minus = clause.relation_type.sides(clause.lhs, clause.rhs)
    return ([(1, t) for t in sp.Add.make_args(sp.sympify(plus))]
            + [(-1, t) for t in sp.Add.make_args(sp.sympify(minus))])


def _substitute_kl(form: dict, case: Case) -> dict:
    """Replace ``KL`` by ``KL_ideal + eps_train`` (F1) in a linear form."""
    c = form.pop("KL", 0)
    if not c:
        return form
    if case.sizes is None:
        raise NotLinearError("KL needs a schedule")
    add_scaled(form, linear_form(KL_ideal, case), c)
    add_scaled(form, {"eps_train": Fraction(1)}, c)
    return form


def slack_form(clause: Clause, case: Case) -> dict:
    """``d`` for one case as a linear form (keys ``m`` for ``h(m)``, ``const``, logs, ``eps_train``)."""
    acc: dict = {}
    for sgn, term in _signed_terms(clause):
        add_scaled(acc, _substitute_kl(linear_form(term, case), case), sgn)
    return acc


# -- certificates for one case ---------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    """The slack of one clause on one case, in the elemental basis, and what it proves.

    ``status``: ``proved`` (every coefficient and the constant have the sign the
    relation needs: the coefficients are the proof), ``refuted`` (``direction``
    names a basis element whose coefficient has the wrong sign, or ``constant``),
    ``not_linear`` (``reason`` says why), or ``skipped`` (a sampler-level clause).
    """

    statement: str
    clause: int
    label: str
    relation: str
    case: Case
    status: str
    coefficients: tuple[Fraction, ...] = ()
    constant: LogLinear = field(default_factory=LogLinear)
    direction: str | None = None
    reason: str = ""

    @property
    def L(self) -> int:
        return self.case.L

    @property
    def basis(self) -> list[str]:
        return basis_names(self.L)

    def table(self) -> list[tuple[str, Fraction]]:
        """(basis element, exact coefficient) rows, then the constant part if it is rational."""
        rows = list(zip(self.basis, self.coefficients))
        if self.constant.is_rational():
            rows.append(("1 (constant)", self.constant.const))
        return rows

    def slack_expression(self) -> sp.Expr:
        """``d`` as a SymPy expression in ``g(u)`` and ``delta(L-1)``."""
        from theory.symbols import delta, g

        L = self.L
        syms = [g(x) for x in range(L - 1)] + [delta(L - 1)]
        return sum((sp.Rational(c.numerator, c.denominator) * x for c, x in zip(self.coefficients, syms)),
                   sp.Integer(0)) + sp.Rational(self.constant.const.numerator, self.constant.const.denominator)

    def to_json(self) -> dict:
        return {"statement": self.statement, "clause": self.clause, "label": self.label,
                "relation": self.relation, "L": self.L, "case": case_text(self.case), "status": self.status,
                "coefficients": {b: str(c) for b, c in zip(self.basis, self.coefficients)},
                "constant": str(self.constant.const) if self.constant.is_rational() else repr(self.constant),
                "direction": self.direction, "reason": self.reason}


def decide(coefficients: list[Fraction], constant: LogLinear, relation: str) -> tuple[str, int | None]:
    """Status and the index of the refuting direction (``len(coefficients)`` = the constant)."""
    n = len(coefficients)
    csign = sign(constant)[0] if not constant.is_rational() else (constant.const > 0) - (constant.const < 0)
    if relation == "==":
        bad = [i for i, c in enumerate(coefficients) if c != 0]
        if bad:
            return "refuted", _preferred_direction(bad, coefficients)
        return ("proved", None) if csign == 0 else ("refuted", n)
    bad = [i for i, c in enumerate(coefficients) if c < 0]
    if bad:
        return "refuted", _preferred_direction(bad, coefficients)
    if not relation_type(relation).holds_on_sign(csign):
        return "refuted", n
    return "proved", None


def certificate(statement: Statement | str, clause_idx: int, case: Case) -> Certificate:
    """Exact certificate (or refutation) of one clause of ``statement`` on one case."""
    st = registry.get(statement) if isinstance(statement, str) else statement
    if not 0 <= clause_idx < len(st.clauses):
        raise ProverInputError(f"{st.id} has clauses 0..{len(st.clauses) - 1}, not {clause_idx}")
    clause = st.clauses[clause_idx]
    base = dict(statement=st.id, clause=clause_idx, label=clause.label, relation=clause.rel, case=case)
    if not clause.prover:
        return Certificate(**base, status="skipped", reason="not linear / sampler-level (checked on instances)")
    try:
        form = slack_form(clause, case)
    except NotLinearError as exc:
        return Certificate(**base, status="not_linear", reason=f"not linear in the profile: {exc}")
    extra = [k for k in form if not (isinstance(k, int) or k == CONST or (isinstance(k, tuple) and k[0] == "log"))]
    if extra:
        return Certificate(**base, status="not_linear",
                           reason=f"not linear in the profile: {', '.join(map(str, extra))} remains")
    L = case.L
    h_coeffs = [Fraction(form.get(mm, 0)) for mm in range(L + 1)]
    const = LogLinear(form.get(CONST, 0), {k[1]: v for k, v in form.items() if isinstance(k, tuple)})
    coeffs = to_basis(h_coeffs)
    status, idx = decide(coeffs, const, clause.rel)
    names = basis_names(L) + ["constant"]
    return Certificate(**base, status=status, coefficients=tuple(coeffs), constant=const,
                       direction=None if idx is None else names[idx])


@dataclass(frozen=True)
class Witness:
    """A concrete distribution on which a refuted clause is checked with a certified verdict."""

    distribution: str
    confirmed: bool | None  # None: not evaluated (too large)
    verdict: str = ""
    lhs: float | None = None
    rhs: float | None = None
    margin: float | None = None
    method: str = ""
    note: str = ""

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")} | {"confirmed": self.confirmed}


def confirm(statement: Statement, clause_idx: int, case: Case, direction: int) -> Witness:
    """Evaluate the clause on the distribution that loads ``direction`` with a certified verdict.

    For an ``exists`` clause the family average failing is not yet a counterexample: the
    evaluator's witness search (every schedule with the same ``s_max`` when ``L`` is small) is
    run as well, and ``note`` says whether some schedule still satisfies the bound.
    """
    L = case.L
    desc, dist = direction_distribution(L, direction)
    if dist is None:
        return Witness(desc, None, note="direction not evaluated")
    clause = statement.clauses[clause_idx]
    sched = quantifier(clause.over).witness(case)
    inst = Instance(dist, sched, bruteforce=None if L <= WITNESS_BRUTEFORCE_MAX_L else False)
    lhs, rhs = inst.value(clause.lhs, case), inst.value(clause.rhs, case)
    v = compare(lhs, rhs, clause.rel)
    note = ""
    if clause.over == "exists" and not v.ok:
        searched = check_clause(statement, clause_idx, inst)
        found = [r for r in searched if r.verdict.ok]
        note = (f"not a counterexample to the existence claim: {found[0].note}" if found else
                "real counterexample on this distribution: " + "; ".join(r.note for r in searched))
    return Witness(desc, not v.ok, v.status, float(lhs), float(rhs), v.margin, v.method, note)
