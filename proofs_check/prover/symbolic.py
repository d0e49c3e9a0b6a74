"""Proofs for every ``L``: symbolic certificates of linear clauses over the symmetric Shannon cone.

For a fixed ``L`` (:mod:`proofs_check.prover.core`) a clause's slack ``d`` is written in the
basis ``g(0..L-2), delta(L-1)`` of the symmetrized elemental inequalities (Li & Cai,
arXiv 2505.21400 work with the same mutual informations); the clause is Shannon-type iff every
coefficient has the right sign.  Here the coefficients are computed once for *every* ``L``:

1. **Coefficients from the registry.**  The sides are expanded through the definitions of
   :mod:`theory.definitions`, with the basis index ``u`` kept symbolic.  ``h(x)`` contributes
   ``min(x, u+1)`` to ``g(u)`` and ``x`` to ``delta(L-1)`` (the identity
   ``h(x) = x delta(L-1) + sum_u min(x, u+1) g(u)``, valid since ``h(0) = 0``); ``delta``,
   ``g``, ``D`` and ``MI``, ``TC``, ``DTC`` go through their definitions; ``KL`` becomes
   ``KL_ideal + eps_train`` (F1) and ``eps_train`` must cancel.  A sum over the steps ``k`` of a
   schedule is *local*: the summand of a step ``(m_o, s_o)`` before or after the step containing
   ``u`` must contribute ``0`` to ``g(u)`` (an obligation proved like the others), so ``g(u)``
   reads only the step containing ``u`` (:mod:`theory.domains`); its ``delta(L-1)`` and constant
   parts must be affine in the step size, summing to ``a T + b L``.  A sum over an index ``v`` of
   ``c(v) g(v)`` gives ``g(u)`` the weight ``c(u)``.  ``omega(u)`` is ``e - u`` on the step
   containing ``u`` (F2), and the randomized-offset family's ``E_r KL_ideal`` is
   ``sum_u c_s(u) g(u)``: as ``r`` runs over ``1..s`` the distance from ``u`` to the end of its
   step runs over ``0..s-1`` once each, cut at ``L-1-u`` (the last step is truncated), so its
   weight is ``(1/s) sum_k min(k, L-1-u)``, the registry's ``c_s`` (whose closed form is proved
   equal to that sum in :mod:`theory.derivations`).
2. **Signs over the integer domain.**  Each coefficient is split into branches on its
   ``Min``/``Piecewise`` conditions (strict integer inequalities tightened to ``p - 1 >= 0``).
   On each branch, after clearing a denominator and factors certified ``>= 1``, the value is
   written as ``nu + sum_i lam_i c_i + sum_{i<=j} mu_ij c_i c_j`` with ``nu, lam, mu >= 0`` and
   ``c`` the domain's constraints (a Farkas / degree-2 Handelman certificate, found by an LP
   and *verified exactly* as a polynomial identity in rationals); a branch whose constraints
   combine to ``-1 >= 0`` is empty.  ``2^ceiling(log2 x)`` is replaced by a symbol ``P >= x``
   (:data:`theory.domains.POW2_CEIL_LOG2`, a checked lemma).

Every obligation is re-checked independently by z3 (:mod:`proofs_check.prover.smt`).

Known limit: an argument ``x`` of ``h`` is not checked to lie in ``0..L`` (the finite prover
calls such a clause not linear).  The registry's only out-of-range argument, ``D(L - s + 1)`` at
``s = 1`` in S3/S4, carries the factor ``(s - 1)/2 = 0`` there, and the cross-check against the
finite prover (tests) covers it.
"""

from __future__ import annotations

import itertools
import time
from functools import lru_cache
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.optimize import linprog

from theory import definitions as defs
from theory import domains as dom
from theory import registry
from theory.registry import Clause, Statement
from theory.symbols import (DTC, H, KL, KL_ideal, KL_ideal_offset, KL_ideal_refined, L, MI, TC, D, T, c_s, delta,
                            e, eps_train, g, h, m, omega, s, s_step, u)

_v = sp.Symbol("v", integer=True)
KEYS = ("g", "delta", "const", "eps")
_QUANTITIES = (h, delta, g, D, sp.Sum, KL, eps_train, MI, TC, DTC, H, KL_ideal, KL_ideal_refined, KL_ideal_offset)


class NotSymbolic(Exception):
    """The clause has no every-L form by this method (the message says why)."""


# -- 1. symbolic coefficients --------------------------------------------------------------------


@dataclass
class _View:
    case: dom.LocalCase
    obligations: list
    lemmas: list


def _zero() -> dict:
    return {k: sp.Integer(0) for k in KEYS}


def _add(a: dict, b: dict, c=1) -> dict:
    return {k: a[k] + c * b[k] for k in KEYS}


def _is_const(expr) -> bool:
    return not expr.has(*_QUANTITIES, *defs.SCALAR_DEFINITIONS, *defs.PROFILE_FORMS)


def _form(expr, view: _View, refined: bool = False) -> dict:
    """Coefficients of ``g(u)``, ``delta(L-1)``, the constant and ``eps_train`` in ``expr``."""
    expr = sp.sympify(expr)
    if _is_const(expr):
        return {**_zero(), "const": _resolve(expr, view)}
    if expr == eps_train:
        return {**_zero(), "eps": sp.Integer(1)}
    if expr == KL:  # F1
        return _add(_form(KL_ideal, view, refined), _form(eps_train, view))
    if expr in defs.SCALAR_DEFINITIONS:
        return _form(defs.SCALAR_DEFINITIONS[expr], view, refined)
    if expr == KL_ideal:
        return _form(defs.KL_IDEAL_H_FORM, view, refined)
    if expr == KL_ideal_refined:
        if view.case.refined_step is None:
            raise NotSymbolic("KL_ideal_refined needs a refinement quantifier")
        return _form(defs.KL_IDEAL_H_FORM, view, refined=True)
    if expr == KL_ideal_offset:
        if not view.case.constraints or not any(c.has(s_step) for c in view.case.constraints):
            raise NotSymbolic("KL_ideal_offset needs the offset family")
        view.lemmas.append("offset weights: E_r KL_ideal = sum_u c_s(u) g(u) (module docstring)")
        return _form(sp.Sum(c_s(_v) * g(_v), (_v, 0, L - 2)), view)
    if expr.is_Add:
        out = _zero()
        for a in expr.args:
            out = _add(out, _form(a, view, refined))
        return out
    if expr.is_Mul:
        consts = [a for a in expr.args if _is_const(a)]
        rest = [a for a in expr.args if not _is_const(a)]
        if len(rest) != 1:
            raise NotSymbolic(f"{expr} multiplies two quantities (not linear in the profile)")
        c = _resolve(sp.Mul(*consts), view)
        return {k: c * x for k, x in _form(rest[0], view, refined).items()}
    if expr.func == h:
        x = _resolve(expr.args[0], view)
        return {**_zero(), "g": sp.Min(x, u + 1), "delta": x}
    if expr.func in defs.FUNCTION_DEFINITIONS:
        return _form(defs.FUNCTION_DEFINITIONS[expr.func](expr.args[0]), view, refined)
    if isinstance(expr, sp.Sum):
        return _sum(expr, view, refined)
    if expr.func in defs.PROFILE_FORMS:  # Gamma(p, q), H(p, q), Hc(a, b), ...: built per case
        raise NotSymbolic(f"{expr}: {expr.func.__name__} is expanded case by case (its g coefficients have no "
                          f"closed form in L here); decided per L by dlm-verify prove")
    raise NotSymbolic(f"{expr.func.__name__} of a quantity is not linear: {expr}")


def _resolve(expr, view: _View):
    """A constant factor with the named weights (``c_s``) and ``omega(u)`` made explicit."""
    while expr.has(*defs.COEFFICIENT_DEFINITIONS):
        expr = expr.replace(lambda x: x.func in defs.COEFFICIENT_DEFINITIONS,
                            lambda x: defs.COEFFICIENT_DEFINITIONS[x.func](x.args[0]))
    for atom in expr.atoms(omega):
        if view.case.step is None or atom.args[0] != u:
            raise NotSymbolic(f"{atom} is not a weight of the step containing u")
        start, size = view.case.step
        expr = expr.xreplace({atom: start + size - 1 - u})  # F2: omega(u) = e - u
    if expr.has(s, m, e):
        raise NotSymbolic(f"{expr}: a schedule entry outside a sum over its steps")
    return expr


def _sum(expr, view: _View, refined: bool) -> dict:
    if len(expr.args) != 2:
        raise NotSymbolic("nested Sum limits are not supported")
    body, (var, lo, hi) = expr.args
    if body.has(s[var]) or body.has(m[var]) or body.has(e[var]):
        if hi != T:
            raise NotSymbolic(f"sum over steps up to {hi}: only k = 1..T is supported")
        return _step_sum(body, var, lo, view, refined)
    factors = sp.Mul.make_args(body)
    gs = [f for f in factors if f.func == g and f.args[0] == var]
    rest = sp.Mul(*[f for f in factors if f not in gs])
    if len(gs) != 1 or not _is_const(rest):
        raise NotSymbolic(f"Sum over {var} of {body}: only sums of c({var}) * g({var}) are supported")
    weight = _resolve(rest.xreplace({var: u}), view)
    if lo == 0 and sp.simplify(hi - (L - 2)) == 0:
        return {**_zero(), "g": weight}
    return {**_zero(), "g": sp.Piecewise((weight, sp.And(u >= lo, u <= hi)), (0, True))}


def _step_sum(body, var, lo, view: _View, refined: bool) -> dict:
    """Sum over the steps of a schedule (see the module docstring: locality, a T + b L)."""
    case = view.case
    start_size = case.refined_step if refined else case.step
    steps_T = case.refined_T if refined else T
    if start_size is None:
        raise NotSymbolic("a sum over schedule steps needs a schedule quantifier")
    if lo != 1:
        raise NotSymbolic(f"sum over steps from {lo}: only k = 1..T is supported")
    one = body.xreplace({s[var]: dom.s_o, m[var]: dom.m_o, e[var]: dom.m_o + dom.s_o - 1})
    f = _form(one, view, refined)
    start, size = start_size
    for where, cons in dom.other_steps(start, size).items():
        view.obligations.append(Obligation(f"locality ({where}) of {sp.sstr(body)}", f["g"], "==", cons, note=(
            f"the summand of a step {where} the one containing u adds nothing to g(u)")))
    out = {"g": f["g"].xreplace({dom.m_o: start, dom.s_o: size})}
    for k in ("delta", "const", "eps"):
        c = sp.expand(f[k])
        if c.has(dom.m_o) or c.has(u) or sp.degree(c, dom.s_o) > 1:
            raise NotSymbolic(f"the {k} part {c} of a step term is not affine in the step size")
        a, b = c.coeff(dom.s_o, 0), c.coeff(dom.s_o, 1)
        if a != 0 and steps_T is None:
            raise NotSymbolic("the number of steps of the refinement is not a local quantity")
        out[k] = b * L + (a * steps_T if a != 0 else 0)  # sum_k s_k = L, sum_k 1 = T
    return out


# -- 2. signs over the integer domain ---------------------------------------------------------------


@dataclass
class Branch:
    conditions: tuple
    value: sp.Expr
    verdict: str  # "holds", "empty", "unproved"
    argument: str = ""


@dataclass
class Obligation:
    """``expr REL 0`` on the integer points of ``constraints`` (plus the case's region)."""

    label: str
    expr: sp.Expr
    rel: str  # ">=", "==", ">"
    constraints: tuple = ()
    note: str = ""
    branches: list = field(default_factory=list)
    lemma_constraints: tuple = ()
    assumptions: tuple = ()
    base: tuple = ()  # the region's constraints as integer polynomials p >= 0
    counterexample: dict | None = None

    @property
    def holds(self) -> bool:
        return bool(self.branches) and all(b.verdict != "unproved" for b in self.branches)


def _lemmas(expr) -> tuple[sp.Expr, tuple]:
    """Replace ``2**ceiling(log2 x)`` by a symbol ``P_x`` and return the lemma's constraints."""
    cons, reps = [], {}
    for atom in expr.atoms(sp.Pow):
        x = dom.POW2_CEIL_LOG2.match(atom)
        if x is not None:
            P = sp.Symbol(f"P_{x}", integer=True)
            reps[atom] = P
            cons += dom.POW2_CEIL_LOG2.constraints(P, x)
    return (expr.xreplace(reps) if reps else expr), tuple(cons)


def _minmax_to_piecewise(expr):
    def mn(*args):
        a, rest = args[0], args[1:]
        return sp.Piecewise((a, sp.And(*[a <= b for b in rest])), (sp.Min(*rest) if len(rest) > 1 else rest[0], True))

    def mx(*args):
        a, rest = args[0], args[1:]
        return sp.Piecewise((a, sp.And(*[a >= b for b in rest])), (sp.Max(*rest) if len(rest) > 1 else rest[0], True))
    while expr.has(sp.Min, sp.Max):
        expr = expr.replace(sp.Min, mn).replace(sp.Max, mx)
    return expr


def _integral(p) -> sp.Expr:
    """``p`` times a positive rational so that its coefficients are coprime integers."""
    p = sp.expand(p)
    if p == 0:
        return p
    poly = sp.Poly(p, *sorted(p.free_symbols, key=str)) if p.free_symbols else None
    if poly is None:
        return sp.sign(p)
    den = sp.ilcm(1, 1, *[sp.Rational(c).q for c in poly.coeffs()])
    q = sp.expand(p * den)
    num = sp.igcd(0, 0, *[int(c) for c in sp.Poly(q, *poly.gens).coeffs()])
    return sp.expand(q / num)


def _dnf(cond, negate=False) -> list[list]:
    """A condition as a disjunction of conjunctions of integer polynomials ``p >= 0``."""
    if cond in (sp.true, True):
        return [[]] if not negate else []
    if cond in (sp.false, False):
        return [] if not negate else [[]]
    if isinstance(cond, sp.Not):
        return _dnf(cond.args[0], not negate)
    if isinstance(cond, (sp.And, sp.Or)):
        conj = isinstance(cond, sp.And) != negate
        parts = [_dnf(c, negate) for c in cond.args]
        if conj:
            return [sum(combo, []) for combo in itertools.product(*parts)]
        return [x for p in parts for x in p]
    if isinstance(cond, sp.Eq):
        d = cond.lhs - cond.rhs
        return [[_integral(d) - 1], [_integral(-d) - 1]] if negate else [[_integral(d), _integral(-d)]]
    if isinstance(cond, sp.Ne):
        return _dnf(sp.Eq(cond.lhs, cond.rhs), not negate)
    if isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan, sp.StrictLessThan)):
        big, small = (cond.lhs, cond.rhs) if isinstance(cond, (sp.GreaterThan, sp.StrictGreaterThan)) else (cond.rhs, cond.lhs)
        strict = isinstance(cond, (sp.StrictGreaterThan, sp.StrictLessThan))
        if negate:  # not (big >= small) is small - big >= 1; not (big > small) is small - big >= 0
            big, small, strict = small, big, not strict
        p = _integral(big - small)
        return [[p - 1]] if strict else [[p]]
    raise NotSymbolic(f"condition {cond} is not an integer inequality")


def branches(expr, base: list = ()) -> list[tuple[list, sp.Expr, tuple | None]]:
    """``expr`` split on its Piecewise/Min/Max conditions: ``[(conditions p >= 0, value, empty)]``.

    A partial branch whose linear constraints (with ``base``) combine to ``-1 >= 0`` is not split
    further: it is returned once with ``empty`` = that exact Farkas certificate."""
    expr = _minmax_to_piecewise(expr)
    pws = sorted((p for p in expr.atoms(sp.Piecewise)  # innermost first, in a fixed order
                  if not any(q.has(p) for q in expr.atoms(sp.Piecewise) if q != p)), key=sp.default_sort_key)
    if not pws:
        return [([], expr, None)]
    pw = pws[0]
    out, before = [], []
    for value, cond in pw.args:
        for conj in _dnf(sp.And(cond, *[sp.Not(c) for c in before])):
            conj = [c for c in dict.fromkeys(conj) if c not in base]
            empty = _empty(list(base) + conj)
            if empty is not None:
                out.append((conj, value, empty))
                continue
            for sub_conds, sub_value, sub_empty in branches(expr.xreplace({pw: value}), list(base) + conj):
                out.append((conj + sub_conds, sub_value, sub_empty))
        before.append(cond)
        if cond in (sp.true, True):
            break
    return out


def _empty(cons: list):
    """An exact certificate that the linear constraints have no (rational) solution, or None."""
    linear = [c for c in cons if c.free_symbols and sp.Poly(c, *c.free_symbols).total_degree() <= 1]
    return farkas(sp.Integer(-1), linear, degree=1) if linear else None


@lru_cache(maxsize=200_000)
def _poly_dict(p) -> dict:
    """``p`` as ``{monomial: Fraction}``, a monomial being a sorted tuple of (symbol name, power)."""
    p = sp.expand(p)
    if not p.free_symbols:
        q = sp.Rational(p)
        return {(): Fraction(int(q.p), int(q.q))} if q else {}
    gens = sorted(p.free_symbols, key=str)
    out = {}
    for powers, c in sp.Poly(p, *gens).terms():
        out[tuple((str(x), k) for x, k in zip(gens, powers) if k)] = Fraction(int(c.p), int(c.q))
    return out


def _mono_mul(a: tuple, b: tuple) -> tuple:
    d = dict(a)
    for x, k in b:
        d[x] = d.get(x, 0) + k
    return tuple(sorted(d.items()))


def _poly_mul(p: dict, q: dict) -> dict:
    out: dict = {}
    for ma, ca in p.items():
        for mb, cb in q.items():
            mm = _mono_mul(ma, mb)
            out[mm] = out.get(mm, 0) + ca * cb
    return {k: v for k, v in out.items() if v}


def farkas(target, constraints: list, degree: int = 2) -> tuple[list, sp.Expr] | None:
    """Nonnegative ``nu, lam`` with ``target = nu + sum lam_i G_i`` exactly, where ``G`` are the
    constraints and (``degree`` 2) their pairwise products; ``None`` if the LP finds none.
    Returns ``([(lam_i, G_i as text)], nu)``."""
    cons = list(dict.fromkeys(sp.expand(c) for c in constraints))
    cons = [c for c in cons if c != 0]
    polys = [_poly_dict(c) for c in cons]
    labels = [sp.sstr(c) for c in cons]
    tpoly = _poly_dict(sp.sympify(target))
    got = _solve(tpoly, polys, labels)
    if got is not None or degree < 2:
        return got
    for (i, a), (j, b) in itertools.combinations_with_replacement(list(enumerate(polys)), 2):
        polys.append(_poly_mul(a, b))
        labels.append(f"({labels[i]})*({labels[j]})")
    return _solve(tpoly, polys, labels)


def _solve(tpoly: dict, polys: list, labels: list) -> tuple[list, sp.Expr] | None:
    const = ()
    mons = sorted(set(tpoly).union(*polys, {const}))
    index = {mm: r for r, mm in enumerate(mons)}
    A = np.zeros((len(mons), len(polys) + 1))
    for col, p in enumerate(polys):
        for mm, c in p.items():
            A[index[mm], col] = float(c)
    A[index[const], len(polys)] = 1.0
    b = np.zeros(len(mons))
    for mm, c in tpoly.items():
        b[index[mm]] = float(c)
    res = linprog(np.ones(A.shape[1]), A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    for limit in (10**3, 10**6, 10**9):
        lam = [Fraction(x).limit_denominator(limit) if x > 1e-12 else Fraction(0) for x in res.x]
        combo = {const: lam[-1]} if lam[-1] else {}
        for c, p in zip(lam[:-1], polys):
            if c:
                for mm, x in p.items():
                    combo[mm] = combo.get(mm, 0) + c * x
        if all(combo.get(mm, 0) == tpoly.get(mm, 0) for mm in set(combo) | set(tpoly)):  # exact check
            return ([(sp.Rational(c.numerator, c.denominator), lab) for c, lab in zip(lam[:-1], labels) if c],
                    sp.Rational(lam[-1].numerator, lam[-1].denominator))
    return None


def _positive_factor(f, constraints) -> bool:
    return farkas(f - 1, constraints, degree=2) is not None


def _prove_branch(value, rel: str, constraints: list) -> tuple[str, str]:
    """(verdict, argument) for ``value REL 0`` on the integer points of ``constraints``."""
    def unproved(why):
        empty = farkas(sp.Integer(-1), constraints)
        return ("empty", _text_combo(empty, "-1")) if empty else ("unproved", why)
    value = sp.together(sp.expand(value)) if value.free_symbols else value
    num, den = sp.fraction(sp.factor(value)) if value.free_symbols else sp.fraction(value)
    for f, mult in sp.factor_list(den)[1]:
        if _positive_factor(f, constraints):
            continue
        if not _positive_factor(-f, constraints):
            return unproved(f"denominator factor {f} has no certified sign")
        if mult % 2:
            num = -num
    if rel == "==":
        if sp.expand(num) == 0:
            return "holds", "identically 0"
        return unproved(f"{num} is not identically 0")
    c0, facs = sp.factor_list(num)
    kept, dropped = [], []
    for f, mult in facs:
        if _positive_factor(f, constraints):
            dropped.append(f"{f} >= 1")
        elif mult % 2 == 0 and rel == ">=":
            dropped.append(f"({f})^{mult} >= 0")
        else:
            kept.append(f ** mult)
    rest = _integral(c0 * sp.Mul(*kept)) if (c0 * sp.Mul(*kept)).free_symbols else sp.sign(c0 * sp.Mul(*kept))
    target = rest - 1 if rel == ">" else rest
    got = farkas(target, constraints)
    pre = (f"dropping {', '.join(dropped)}: " if dropped else "")
    if got is not None:
        return "holds", pre + _text_combo(got, f"{target}")
    return unproved(pre + f"no certificate for {target} >= 0")


def _text_combo(got, target: str) -> str:
    lam, nu = got
    parts = [f"{c}*[{gg}]" if c != 1 else f"[{gg}]" for c, gg in lam]
    if nu != 0:
        parts.append(str(nu))
    return f"{target} = " + (" + ".join(parts) if parts else "0")


def _domain_polys(constraints) -> list:
    out = []
    for c in constraints:
        if c in (True, sp.true):
            continue
        conj = _dnf(c)
        if len(conj) != 1:
            raise NotSymbolic(f"domain constraint {c} is a disjunction")
        out += conj[0]
    return out


def decide(ob: Obligation, region: tuple) -> Obligation:
    """Split ``ob.expr`` into branches and certify each (fills ``ob.branches``)."""
    expr, lemma_cons = _lemmas(ob.expr)
    ob.lemma_constraints = lemma_cons
    cons = region + tuple(ob.constraints) + lemma_cons
    syms = set().union(expr.free_symbols, *[sp.sympify(c).free_symbols for c in cons])
    ob.assumptions = dom.assumption_constraints(syms)
    base = _domain_polys(cons + ob.assumptions)
    ob.base = tuple(base)
    for conds, value, empty in branches(expr, base):
        if empty is not None:
            ob.branches.append(Branch(tuple(conds), value, "empty", _text_combo(empty, "-1")))
            continue
        cons = base + conds
        if ob.rel == "==":
            v1, a1 = _prove_branch(value, "==", cons)
            if v1 == "unproved":  # a nonzero value may still vanish on the branch: both signs
                v2, a2 = _prove_branch(value, ">=", cons)
                v3, a3 = _prove_branch(-value, ">=", cons)
                v1, a1 = ("holds", f"{a2}; {a3}") if v2 != "unproved" and v3 != "unproved" else (v1, a1)
            ob.branches.append(Branch(tuple(conds), value, v1, a1))
        else:
            v, a = _prove_branch(value, ob.rel, cons)
            ob.branches.append(Branch(tuple(conds), value, v, a))
    if not ob.holds:
        ob.counterexample = search_point(ob, region)
    return ob


def search_point(ob: Obligation, region: tuple, max_L: int = 64, budget: int = 200_000) -> dict | None:
    """A small integer point of the domain where ``ob`` fails (exact arithmetic), if any: ``L``
    upwards, every other parameter in ``-1..2L+1``, at most ``budget`` points in all."""
    expr, lemma_cons = _lemmas(ob.expr)
    cons = _domain_polys(region + tuple(ob.constraints) + lemma_cons + ob.assumptions)
    syms = sorted(set().union(expr.free_symbols, *[c.free_symbols for c in cons]) - {L}, key=str)
    f = sp.lambdify([L, *syms], expr, modules=[{"Min": min, "Max": max}, "sympy"])
    checks = [sp.lambdify([L, *syms], c, modules="sympy") for c in cons]
    seen = 0
    for L_ in range(1, max_L + 1):
        for vals in itertools.product(range(-1, 2 * L_ + 2), repeat=len(syms)):
            seen += 1
            if seen > budget:
                return None
            if all(chk(L_, *vals) >= 0 for chk in checks):
                try:
                    val = sp.nsimplify(f(L_, *[sp.Integer(x) for x in vals]))
                except (ZeroDivisionError, TypeError):
                    continue
                if not val.is_Rational:
                    continue
                bad = val != 0 if ob.rel == "==" else (val <= 0 if ob.rel == ">" else val < 0)
                if bad:
                    return {"L": L_, **{str(k): int(v) for k, v in zip(syms, vals)}, "value": str(val)}
    return None


def _on_branch(conds, value) -> sp.Expr:
    """``value`` simplified with the equalities among ``conds`` (``p >= 0`` and ``-p >= 0``)."""
    polys = {sp.expand(c) for c in conds}
    for p in sorted(polys, key=str):
        if sp.expand(-p) in polys and p.free_symbols:
            var = sorted(p.free_symbols, key=str)[0]
            sol = sp.solve(p, var)
            if len(sol) == 1:
                value = value.xreplace({var: sol[0]})
    return sp.simplify(value)


def _shown(base: tuple, conds: tuple) -> tuple:
    """The branch conditions the region's constraints do not already imply (for display)."""
    base = [c for c in base if c.free_symbols and sp.Poly(c, *c.free_symbols).total_degree() <= 1]
    return tuple(c for c in conds if farkas(c, base, degree=1) is None)


def simplified(ob: Obligation) -> sp.Expr:
    """The obligation's expression on its non-empty branches, simplified (for display)."""
    live = [(_shown(ob.base, b.conditions), _on_branch(ob.base + b.conditions, b.value))
            for b in ob.branches if b.verdict != "empty"]
    if not live:
        return sp.Integer(0)
    values = list(dict.fromkeys(v for _, v in live))
    if len(values) == 1:
        return values[0]
    pieces = [(v, sp.Or(*[sp.And(*[sp.Ge(c, 0) for c in conds]) for conds, w in live if w == v]))
              for v in values[:-1]]
    return sp.Piecewise(*pieces, (values[-1], True))


# -- results ---------------------------------------------------------------------------------------


@dataclass
class SymbolicResult:
    """Verdict of the every-L route on one clause (``status``: ``proved`` or ``not_proved``)."""

    clause_id: str
    label: str
    over: str
    status: str
    L0: int
    coefficients: dict = field(default_factory=dict)
    obligations: list = field(default_factory=list)  # (region LocalCase, Obligation)
    lemmas: list = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.status == "proved"

    def certificate_text(self, detail: bool = True) -> str:
        """The verdict, the lemmas used and each obligation (coefficient, region, sign); with
        ``detail`` also every branch with its exact Farkas combination."""
        lines = [f"{self.clause_id}: {self.label}  [over {self.over}]",
                 f"  {'PROVED for all L >= ' + str(self.L0) if self.proved else 'NOT proved symbolically'}"
                 + (f": {self.reason}" if self.reason else "")]
        for lem in dict.fromkeys(self.lemmas):
            lines.append(f"  lemma: {lem}")
        for region, ob in self.obligations:
            mark = "ok" if ob.holds else "FAILS"
            lines.append(f"  [{mark}] {ob.label} {ob.rel} 0 on {region.label}: {sp.sstr(simplified(ob))}")
            if not detail:
                n_empty = sum(b.verdict == "empty" for b in ob.branches)
                lines.append(f"      {len(ob.branches) - n_empty} branches certified"
                             + (f", {n_empty} shown empty" if n_empty else ""))
                if ob.counterexample:
                    lines.append(f"      counterexample: {ob.counterexample}")
                continue
            for br in ob.branches:
                if br.verdict == "empty":
                    continue
                cond = " & ".join(f"{sp.sstr(c)} >= 0" for c in br.conditions) or "always"
                lines.append(f"      if {cond}: {sp.sstr(sp.simplify(br.value))}  [{br.verdict}] {br.argument}")
            if ob.counterexample:
                lines.append(f"      counterexample: {ob.counterexample}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"clause": self.clause_id, "label": self.label, "over": self.over, "status": self.status,
                "L0": self.L0, "reason": self.reason, "seconds": round(self.seconds, 3),
                "coefficients": {k: sp.sstr(v) for k, v in self.coefficients.items()},
                "lemmas": list(dict.fromkeys(self.lemmas)),
                "obligations": [{"region": r.label, "element": ob.label, "rel": ob.rel, "expr": sp.sstr(ob.expr),
                                 "holds": ob.holds, "counterexample": ob.counterexample,
                                 "branches": [{"conditions": [sp.sstr(c) for c in b.conditions],
                                               "value": sp.sstr(b.value), "verdict": b.verdict,
                                               "argument": b.argument} for b in ob.branches]}
                                for r, ob in self.obligations]}


def _needed(rel: str, element: str) -> str:
    if element == "eps_train" or rel == "==":
        return "=="
    if element == "1 (constant)" and rel in ("<", ">"):
        return ">"
    return ">="


def symbolic_coefficients(clause: Clause, region: dom.LocalCase) -> tuple[dict, list, list]:
    """(basis element -> coefficient of the slack, locality obligations, lemmas) on one region."""
    view = _View(region, [], [])
    bind = dict(region.bind)
    slack = clause.slack().xreplace(bind) if bind else clause.slack()
    f = _form(slack, view)
    subs = dict(region.subs)
    fin = lambda x: sp.sympify(x).xreplace({u: region.u_expr}).subs(subs)  # noqa: E731
    coeffs = {"g(u)": fin(f["g"]), "delta(L-1)": fin(f["delta"]), "1 (constant)": fin(f["const"]),
              "eps_train": fin(f["eps"])}
    for ob in view.obligations:
        ob.expr = fin(ob.expr)
    return coeffs, view.obligations, view.lemmas


def prove_for_all_L(clause: Clause, min_L: int = 1, clause_id: str = "") -> SymbolicResult:
    """Prove ``clause`` for every ``L >= min_L`` (and every case of its quantifier) symbolically."""
    t0 = time.perf_counter()
    cid = clause_id or clause.key or clause.label
    res = SymbolicResult(cid, clause.label, clause.over, "not_proved", max(min_L, 1))
    if not clause.prover:
        res.reason = "sampler-level clause (not linear in the profile); checked on instances only"
        return res
    if clause.over in dom.FINITE_ONLY:
        res.reason = f"no symbolic domain for quantifier {clause.over!r}: {dom.FINITE_ONLY[clause.over]}"
        return res
    Lmin = (sp.Ge(L, res.L0),)
    try:
        for region in dom.DOMAINS[clause.over]:
            coeffs, local, lemmas = symbolic_coefficients(clause, region)
            res.lemmas += lemmas
            tag = "" if len(dom.DOMAINS[clause.over]) == 1 else f" | {region.label}"
            for name, expr in coeffs.items():
                extra = (sp.Le(region.u_expr, L - 2),) if name == "g(u)" else ()
                ob = decide(Obligation(name, expr, _needed(clause.rel, name), extra), region.constraints + Lmin)
                res.obligations.append((region, ob))
                if ob.lemma_constraints:
                    res.lemmas.append(f"{dom.POW2_CEIL_LOG2.text} (P_x stands for 2^ceiling(log2 x))")
                if name == "g(u)" or tag == "":
                    res.coefficients[name + tag] = simplified(ob)
            for ob in local:
                ob.constraints = tuple(ob.constraints) + (sp.Le(region.u_expr, L - 2),)
                res.obligations.append((region, decide(ob, region.constraints + Lmin)))
    except NotSymbolic as exc:
        res.reason = str(exc)
        res.seconds = time.perf_counter() - t0
        return res
    failed = [(r, ob) for r, ob in res.obligations if not ob.holds]
    if failed:
        res.reason = "; ".join(f"{ob.label} on {r.label} not certified {ob.rel} 0"
                               + (f" (fails at {ob.counterexample})" if ob.counterexample else "")
                               for r, ob in failed)
    else:
        res.status = "proved"
    res.seconds = time.perf_counter() - t0
    return res


_REGISTRY_RESULTS: dict = {}  # registry statements are immutable: their proofs are computed once


def prove_statement_symbolic(statement: Statement | str) -> list[SymbolicResult]:
    """Every prover clause of a statement, for every ``L >= statement.min_L``."""
    st = registry.get(statement) if isinstance(statement, str) else statement
    hit = _REGISTRY_RESULTS.get(st.id)
    if hit is not None and hit[0] is st:
        return list(hit[1])
    out = [prove_for_all_L(c, st.min_L, st.clause_id(i)) for i, c in enumerate(st.clauses) if c.prover]
    if registry.BY_ID.get(st.id) is st:
        _REGISTRY_RESULTS[st.id] = (st, tuple(out))
    return out
