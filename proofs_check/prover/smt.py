"""Independent re-check of every-L certificates by the SMT solver z3.

:mod:`proofs_check.prover.symbolic` proves that each coefficient of a clause's slack has the
right sign on an integer domain, by its own case split and Farkas/Handelman combinations.
Here the same obligations are handed to z3 with none of that work: the coefficient (with its
``Min``/``Piecewise`` as ``If``), the domain constraints of :mod:`theory.domains`, the
positivity of ``L``, ``T``, ``s_max``, ``s``, and the lemma ``2^ceiling(log2 x) >= x``
(:data:`theory.domains.POW2_CEIL_LOG2`) as an axiom on a fresh integer.  The *negation* of
"the coefficient has the sign the relation needs" must be unsatisfiable; a model is a
counterexample point (integers), ``unknown`` means z3 gave up (nonlinear terms).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp
import z3

from theory import domains as dom

from proofs_check.prover.symbolic import Obligation, SymbolicResult

#: Milliseconds z3 may spend on one obligation.
TIMEOUT_MS = 5_000


class _Translator:
    """SymPy -> z3.  ``real``: every parameter a real (the relaxation; its unsat implies the
    integer one), else integers promoted to reals for the rational coefficients."""

    def __init__(self, real: bool = False):
        self.ints: dict = {}
        self.axioms: list = []
        self.real = real

    def var(self, sym):
        if sym not in self.ints:
            self.ints[sym] = z3.Real(str(sym)) if self.real else z3.Int(str(sym))
        return self.ints[sym] if self.real else z3.ToReal(self.ints[sym])

    def expr(self, e):
        e = sp.sympify(e)
        if e.is_Integer or e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e.is_Symbol:
            return self.var(e)
        if e.is_Add:
            return z3.Sum(*[self.expr(a) for a in e.args])
        if e.is_Mul:
            out = self.expr(e.args[0])
            for a in e.args[1:]:
                out = out * self.expr(a)
            return out
        if e.is_Pow:
            x = dom.POW2_CEIL_LOG2.match(e)
            if x is not None:
                return self._pow2(x)
            if e.exp.is_Integer:
                base, n = self.expr(e.base), int(e.exp)
                out = z3.RealVal(1)
                for _ in range(abs(n)):
                    out = out * base
                return out if n >= 0 else 1 / out
        if isinstance(e, (sp.Min, sp.Max)):
            args = [self.expr(a) for a in e.args]
            out = args[0]
            for a in args[1:]:
                out = z3.If(a < out, a, out) if isinstance(e, sp.Min) else z3.If(a > out, a, out)
            return out
        if isinstance(e, sp.Piecewise):
            out = None
            for value, cond in reversed(e.args):
                v = self.expr(value)
                out = v if out is None else z3.If(self.cond(cond), v, out)
            return out
        raise ValueError(f"z3 translation: unsupported {e}")

    def _pow2(self, x):
        P = self.var(sp.Symbol(f"pow2ceil_{x}"))
        self.axioms.append(P >= self.expr(x))  # the lemma, as an axiom
        self.axioms.append(P >= 1)
        return P

    def cond(self, c):
        if c in (True, sp.true):
            return z3.BoolVal(True)
        if c in (False, sp.false):
            return z3.BoolVal(False)
        if isinstance(c, sp.And):
            return z3.And(*[self.cond(a) for a in c.args])
        if isinstance(c, sp.Or):
            return z3.Or(*[self.cond(a) for a in c.args])
        if isinstance(c, sp.Not):
            return z3.Not(self.cond(c.args[0]))
        a, b = self.expr(c.lhs), self.expr(c.rhs)
        ops = {sp.GreaterThan: lambda: a >= b, sp.StrictGreaterThan: lambda: a > b, sp.LessThan: lambda: a <= b,
               sp.StrictLessThan: lambda: a < b, sp.Eq: lambda: a == b, sp.Ne: lambda: a != b}
        return ops[type(c)]()


@dataclass
class SmtVerdict:
    region: str
    element: str
    result: str  # "unsat" (the obligation holds), "sat" (model is a counterexample), "unknown"
    model: dict = field(default_factory=dict)


def check_obligation(ob: Obligation, region: dom.LocalCase, L0: int) -> SmtVerdict:
    """z3 on ``not (ob.expr REL 0)`` over the region, the obligation's constraints and the axioms:
    over the integers first; if z3 gives up (nonlinear), over the reals (nlsat is complete there,
    and no real point means no integer point)."""
    got = _check(ob, region, L0, real=False)
    if got.result == "unknown":
        relaxed = _check(ob, region, L0, real=True)
        if relaxed.result == "unsat":
            return SmtVerdict(region.label, ob.label, "unsat", {"relaxation": "real"})
    return got


def _check(ob: Obligation, region: dom.LocalCase, L0: int, real: bool) -> SmtVerdict:
    tr = _Translator(real)
    solver = z3.Solver()
    solver.set("timeout", TIMEOUT_MS)
    value = tr.expr(ob.expr)
    cons = tuple(region.constraints) + tuple(ob.constraints) + (sp.Ge(dom.L, L0, evaluate=False),)
    syms = set(ob.expr.free_symbols).union(*[sp.sympify(c).free_symbols for c in cons])
    for c in cons + dom.assumption_constraints(syms):
        solver.add(tr.cond(c))
    solver.add(*tr.axioms)
    negated = {">=": value < 0, ">": value <= 0, "==": value != 0}[ob.rel]
    solver.add(negated)
    got = solver.check()
    if got == z3.unsat:
        return SmtVerdict(region.label, ob.label, "unsat")
    if got == z3.sat and not real:
        mdl = solver.model()
        return SmtVerdict(region.label, ob.label, "sat",
                          {str(v): mdl.eval(x, model_completion=True).as_long() for v, x in tr.ints.items()})
    return SmtVerdict(region.label, ob.label, "unknown")


@dataclass
class SmtReport:
    clause_id: str
    symbolic_status: str
    verdicts: list

    @property
    def proved(self) -> bool:
        return bool(self.verdicts) and all(v.result == "unsat" for v in self.verdicts)

    @property
    def refuted(self) -> bool:
        return any(v.result == "sat" for v in self.verdicts)

    @property
    def agrees(self) -> bool:
        """Both routes say proved, or the symbolic route did not prove it and z3 has a model (a
        clause with no every-L form has no obligations: nothing to disagree on)."""
        if not self.verdicts:
            return self.symbolic_status != "proved"
        return self.proved if self.symbolic_status == "proved" else self.refuted

    def to_json(self) -> dict:
        return {"clause": self.clause_id, "symbolic": self.symbolic_status, "z3_proved": self.proved,
                "agrees": self.agrees,
                "verdicts": [{"region": v.region, "element": v.element, "result": v.result, "model": v.model}
                             for v in self.verdicts]}


def check_result(res: SymbolicResult) -> SmtReport:
    """Re-check every obligation of a symbolic result with z3."""
    return SmtReport(res.clause_id, res.status, [check_obligation(ob, region, res.L0)
                                                 for region, ob in res.obligations])
