"""Expand a statement side into an exact linear form for a concrete case.

A *case* fixes the sequence length ``L`` and, as needed, a schedule, a refinement
of it, or a family of schedules to average over.  :func:`linear_form` rewrites a
SymPy expression in the named quantities (:mod:`theory.symbols`) into

    {m: c_m for the profile values h(m)} + {"KL": c, "eps_train": c, "const": constant}

with exact ``Fraction`` coefficients, using only the definitions in
:mod:`theory.definitions`.  The numeric evaluator and the prover both read these
forms, so a formula is written once.

Expressions that are not linear in the profile (products of two quantities, a
quantity under ``log`` or ``sqrt``) raise :class:`NotLinearError`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import sympy as sp

from . import definitions as defs
from .symbols import (DTC, H, KL, KL_ideal, KL_ideal_offset, KL_ideal_refined, L, MI, TC, D, delta, e,
                      eps_train, g, h, m, omega, s, s_max, s_step, T, POLICY_ATOMS)

Form = dict  # key -> Fraction; keys: int m (h(m)), "KL", "eps_train", ("log", n), CONST
CONST = "const"


class NotLinearError(ValueError):
    """The expression is not a linear function of the profile for a fixed case."""


@dataclass(frozen=True)
class Case:
    """What a statement is evaluated on: ``L`` and the schedule data it needs.

    ``sizes``: the schedule; ``refined``: a refinement (F4/P2); ``family``: schedules
    averaged uniformly (S3's randomized-offset family) with ``step`` its ``s``.
    """

    L: int
    sizes: tuple[int, ...] | None = None
    refined: tuple[int, ...] | None = None
    family: tuple[tuple[int, ...], ...] | None = None
    step: int | None = None
    bind: tuple = ()  # extra (symbol, integer or Fraction) bindings, e.g. ((u, 3),) for "each_u" clauses
    policy: object = None  # an unmasking policy (proofs_check.model.policies) for the POLICY_ATOMS
    _memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def constants(self) -> dict:
        out = {L: self.L}
        if self.sizes is not None:
            out[T] = len(self.sizes)
            out[s_max] = max(self.sizes)
        if self.step is not None:
            out[s_step] = self.step
        out.update(self.bind)
        return {key: sp.Rational(v) for key, v in out.items()}

    @cached_property
    def indexed(self) -> dict:
        """s[k], m[k], e[k] values (1-based k) and omega(u) of the schedule."""
        if self.sizes is None:
            return {}
        st = defs.steps(self.sizes)
        return {
            s: {kk: sk for kk, sk, _, _ in st},
            m: {kk: mk for kk, _, mk, _ in st},
            e: {kk: ek for kk, _, _, ek in st},
            omega: dict(enumerate(defs.omega_weights(self.sizes))),
        }

    def with_sizes(self, sizes) -> "Case":
        return Case(self.L, tuple(sizes))


def _add(acc: Form, form: Form, scale: Fraction) -> None:
    unit = scale == 1  # skip the Fraction product in the common case (sums of terms)
    for key, c in form.items():
        v = acc.get(key, 0) + (c if unit else scale * c)
        if v:
            acc[key] = v
        else:
            acc.pop(key, None)


def _frac(x) -> Fraction:
    return Fraction(int(x.p), int(x.q))


# Expressions that no longer depend on the schedule are shared between cases of one L.
_SHARED: dict = {}
_SCHEDULE_DEPENDENT = (T, s_max, s_step, KL_ideal, KL_ideal_refined, KL_ideal_offset)
#: Every name whose value depends on a schedule: an expression with none of them is a profile quantity.
SCHEDULE_DEPENDENT = (*_SCHEDULE_DEPENDENT, KL, s, m, e, omega)
_QUANTITIES = (h, delta, g, D, sp.Sum, KL, eps_train, MI, TC, DTC, H, KL_ideal, KL_ideal_refined, KL_ideal_offset)


def linear_form(expr, case: Case) -> Form:
    """Exact linear form of ``expr`` for ``case`` (see the module docstring)."""
    return dict(_lf(sp.sympify(expr), case))


def _lf(expr, case: Case) -> Form:
    memo = case._memo
    hit = memo.get(expr)
    if hit is None:
        hit = memo[expr] = _lf_uncached(expr, case)
    return hit


def _const(expr, case: Case):
    """Value of a case-constant expression as a SymPy number (or raise NotLinearError)."""
    val = expr.xreplace(case.constants)
    if val.has(sp.Indexed) and case.sizes is not None:  # m[T], s[1]: the schedule's entries are constants
        val = _resolve_indexed(val, case)
    if val.free_symbols or val.has(h, delta, g, D):
        raise NotLinearError(f"{expr} is not a constant for this case")
    val = _resolve_indexed(val, case)
    return sp.nsimplify(val) if val.is_Float else val


def _resolve_indexed(expr, case: Case):
    reps = {}
    for atom in expr.atoms(sp.Indexed, omega):
        base = atom.base if isinstance(atom, sp.Indexed) else omega
        idx = atom.indices[0] if isinstance(atom, sp.Indexed) else atom.args[0]
        table = case.indexed.get(base)
        if table is None or not idx.is_Integer or int(idx) not in table:
            raise NotLinearError(f"{atom} is undefined for case {case}")
        reps[atom] = sp.Integer(table[int(idx)])
    return expr.xreplace(reps) if reps else expr


def _number(expr, case: Case) -> Form:
    val = _const(expr, case)
    if val.is_Rational:
        return {CONST: _frac(val)} if val != 0 else {}
    # log of a positive rational constant: keep it exact as log-atoms
    if isinstance(val, sp.log) and val.args[0].is_Rational and val.args[0] > 0:
        q = _frac(val.args[0])
        out: Form = {}
        if q.numerator != 1:
            out[("log", q.numerator)] = Fraction(1)
        if q.denominator != 1:
            out[("log", q.denominator)] = Fraction(-1)
        return out
    if isinstance(val, sp.Mul):
        coeff, rest = val.as_coeff_Mul()
        if coeff.is_Rational and rest is not val:
            inner = _number(rest, case)
            return {key: c * _frac(coeff) for key, c in inner.items()}
    raise NotLinearError(f"constant {val} is not a rational or the log of one")


def _lf_uncached(expr, case: Case) -> Form:
    if expr.is_Number:
        return _number(expr, case)
    if expr in case.constants:
        return {CONST: _frac(case.constants[expr])}
    if expr == KL:
        return {"KL": Fraction(1)}
    if expr == eps_train:
        return {"eps_train": Fraction(1)}
    if expr in POLICY_ATOMS:
        if case.policy is None:
            raise NotLinearError(f"{expr} needs a policy case")
        return {expr.name: Fraction(1)}
    if expr in defs.SCALAR_DEFINITIONS:
        return _lf(defs.SCALAR_DEFINITIONS[expr], case)
    if expr == KL_ideal:
        if case.sizes is None:
            raise NotLinearError("KL_ideal needs a schedule")
        return _lf(defs.KL_IDEAL_H_FORM, case)
    if expr == KL_ideal_refined:
        if case.refined is None:
            raise NotLinearError("KL_ideal_refined needs a refined schedule")
        return _lf(KL_ideal, case.with_sizes(case.refined))
    if expr == KL_ideal_offset:
        if not case.family:
            raise NotLinearError("KL_ideal_offset needs the randomized-offset family")
        acc: Form = {}
        w = Fraction(1, len(case.family))
        for sizes in case.family:
            _add(acc, _lf(KL_ideal, case.with_sizes(sizes)), w)
        return acc
    if isinstance(expr, (sp.Indexed,)) or expr.func == omega:
        return _number(expr, case)
    if expr.is_Add:
        acc = {}
        for a in expr.args:
            _add(acc, _lf(a, case), Fraction(1))
        return acc
    if expr.is_Mul:
        coeff = Fraction(1)
        variable = None
        # constant factors first, so that a zero coefficient (e.g. (s-1)/2 at s = 1) short-cuts
        # a factor that would be undefined for this case (D(L - s + 1) = D(L))
        for a in sorted(expr.args, key=lambda a: a.has(*_QUANTITIES)):
            if coeff == 0:
                return {}
            f = _lf(a, case)
            if set(f) <= {CONST}:
                coeff *= f.get(CONST, Fraction(0))
            elif variable is None:
                variable = f
            else:
                raise NotLinearError(f"{expr} multiplies two non-constant quantities")
        if variable is None:
            return {CONST: coeff} if coeff else {}
        return {key: coeff * c for key, c in variable.items()} if coeff else {}
    if isinstance(expr, sp.Sum):
        return _sum(expr, case)
    if isinstance(expr, sp.Piecewise):  # a case-constant condition picks the branch
        for branch, cond in expr.args:
            cond = _resolve_indexed(cond.xreplace(case.constants), case)
            if cond == sp.true:
                return _lf(branch, case)
            if cond != sp.false:
                raise NotLinearError(f"condition {cond} of {expr} is undecided for case {case}")
        raise NotLinearError(f"no branch of {expr} applies to case {case}")
    if expr.func == h:
        arg = _const(expr.args[0], case)
        if not (arg.is_Integer and 0 <= arg <= case.L):
            raise NotLinearError(f"h({arg}) is outside h(0..{case.L})")
        return {int(arg): Fraction(1)}
    if expr.func in defs.PROFILE_FORMS:  # several case-constant arguments: c(a, b), Gamma(p, q), ...
        args = [_const(a, case) for a in expr.args]
        try:
            built = defs.PROFILE_FORMS[expr.func](case.L, *args)
        except defs.DomainError as exc:
            raise NotLinearError(f"{expr.func}{tuple(args)}: {exc}") from None
        if isinstance(built, defs.GCoefficients):  # sum_u c_u g(u), each g(u) by its stencil
            acc: Form = {}
            for x, c in enumerate(built):
                if c:
                    _add(acc, _stencil(g, x, case.L), c)
            return acc
        return _lf(built, case)
    if expr.func in defs.COEFFICIENT_DEFINITIONS:
        return _lf(defs.COEFFICIENT_DEFINITIONS[expr.func](expr.args[0]), case)
    if expr.func in defs.FUNCTION_DEFINITIONS:
        arg = _const(expr.args[0], case)
        if not arg.is_Integer:  # a rational binding (times p, q) must not be truncated to an index
            raise NotLinearError(f"{expr.func}({arg}) needs an integer argument")
        return _stencil(expr.func, int(arg), case.L)
    if expr.has(h, delta, g, D, KL, eps_train, *defs.SCALAR_DEFINITIONS, *_SCHEDULE_DEPENDENT[3:]):
        raise NotLinearError(f"{expr.func.__name__} of a quantity is not linear: {expr}")
    return _number(expr, case)


_STENCILS: dict = {}
_x = sp.Symbol("x", integer=True)


def _stencil(func, v: int, L_: int) -> Form:
    """``func(v)`` for ``func`` in delta, g, D: its definition expanded once for a symbolic argument
    into ``sum c_i h(arg_i(x))`` (compiled by :func:`_compile_linear`), then read at ``x = v``."""
    st = _STENCILS.get(func)
    if st is None:
        st = _STENCILS[func] = _compile_linear(_expand_definitions(defs.FUNCTION_DEFINITIONS[func](_x)))
    acc: dict = {}
    _accumulate(acc, *st, {_x: v}, L_)
    return {k: Fraction(c) for k, c in acc.items() if c}


def _shared(expr, case: Case) -> Form:
    key = (expr, case.L)
    hit = _SHARED.get(key)
    if hit is None:
        hit = _SHARED[key] = _lf(expr, Case(case.L))
    return hit


def _leaves(body, var):
    """Sub-expressions of ``body`` that depend on the summation variable through the schedule,
    as ``(atom, base, index, direct)``: ``base`` an IndexedBase or ``omega``, ``direct`` when the
    index is the summation variable itself (``s[k]``, ``m[k]``, ``omega(u)``: a table lookup)."""
    out = []
    for a in body.atoms(sp.Indexed, omega):
        idx = a.indices[0] if isinstance(a, sp.Indexed) else a.args[0]
        if idx.has(var):
            out.append((a, a.base if isinstance(a, sp.Indexed) else omega, idx, idx == var))
    return tuple(out)


def _leaf_value(leaf, table, var, v: int, case: Case) -> int:
    """Value of one leaf at ``var = v`` (``table``: the case's table for a direct leaf)."""
    atom, _, _, direct = leaf
    if direct:
        if table is None or v not in table:
            raise NotLinearError(f"{atom.xreplace({var: v})} is undefined for case {case}")
        return table[v]
    return int(_resolve_indexed(atom.xreplace({var: v}), case))


def _limit(expr, case: Case) -> int:
    """A summation limit: an integer, a case constant such as ``T``, or a constant expression."""
    if expr.is_Integer:
        return int(expr)
    val = case.constants.get(expr)
    val = val if val is not None else _const(expr, case)
    if not val.is_Integer:
        raise NotLinearError(f"summation limit {expr} = {val} is not an integer")
    return int(val)


_LEAVES: dict = {}
_TERMS: dict = {}


def _integer_form(form: Form) -> tuple[int, tuple]:
    """``form`` as ``(den, ((key, numerator), ...))`` over a common denominator."""
    den = 1
    for c in form.values():
        den = den * c.denominator // math.gcd(den, c.denominator)
    return den, tuple((key, c.numerator * (den // c.denominator)) for key, c in form.items())


def _sum(expr, case: Case) -> Form:
    body, (var, lo, hi) = expr.args[0], expr.args[1]
    if len(expr.args) != 2:
        raise NotLinearError("nested Sum limits are not supported; nest Sum() calls instead")
    lo, hi = _limit(lo, case), _limit(hi, case)
    leaves = _LEAVES.get((body, var))
    if leaves is None:
        leaves = _LEAVES[(body, var)] = _leaves(body, var)
    tables = [case.indexed.get(leaf[1]) if leaf[3] else None for leaf in leaves]
    stencil = _STENCIL_SUMS.get((body, var))
    if stencil is None:
        stencil = _STENCIL_SUMS[(body, var)] = _compile_sum_body(body, var, leaves)
    if stencil:
        return _stencil_sum(stencil, var, leaves, tables, lo, hi, case)
    # accumulate integer numerators over a common denominator (Fractions only at the end)
    den, acc = 1, {}
    for v in range(lo, hi + 1):
        vals = tuple(_leaf_value(leaf, table, var, v, case) for leaf, table in zip(leaves, tables))
        key = (body, var, v, vals, case.L)
        term = _TERMS.get(key)
        if term is None:
            inst = body.xreplace({**{leaf[0]: x for leaf, x in zip(leaves, vals)}, var: v})
            if inst.has(*_SCHEDULE_DEPENDENT, s, m, e, omega, *defs.COEFFICIENT_DEFINITIONS,
                        *(sym for sym, _ in case.bind)):
                term = _integer_form(_lf(inst, case))  # still case-specific: do not share
            else:
                term = _TERMS[key] = _integer_form(_shared(inst, case))
        tden, items = term
        if den % tden:
            new = den * tden // math.gcd(den, tden)
            acc = {k: x * (new // den) for k, x in acc.items()}
            den = new
        f = den // tden
        for k, x in items:
            acc[k] = acc.get(k, 0) + x * f
    return {k: Fraction(x, den) for k, x in acc.items() if x}


# -- compiled Sum bodies ---------------------------------------------------------------------------
# A Sum whose body is linear in h after the function definitions are expanded, with coefficients and
# h-arguments that are rational expressions (or Piecewise of them) in the summation variable, the
# schedule leaves (s[k], m[k], omega(u), ...) and the case constants, is compiled once into Python
# closures, so evaluating it for a long schedule costs no SymPy work per term.  Anything else takes
# the general route above; both read the same definitions.

_STENCIL_SUMS: dict = {}


class _NotCompilable(Exception):
    pass


def _compile_expr(expr):
    """A closure ``env -> int | Fraction`` evaluating ``expr`` exactly (``env``: symbol -> integer)."""
    if expr.is_Integer:
        k = int(expr)
        return lambda env: k
    if expr.is_Rational:
        q = _frac(expr)
        return lambda env: q
    if expr.is_Symbol:
        return lambda env: env[expr]
    if expr.is_Add or expr.is_Mul:
        fs = [_compile_expr(a) for a in expr.args]
        if expr.is_Add:
            return lambda env: sum(f(env) for f in fs)
        return lambda env: math.prod(f(env) for f in fs)
    if expr.is_Pow and expr.exp.is_Integer:
        base, n = _compile_expr(expr.base), int(expr.exp)
        return lambda env: Fraction(base(env)) ** n
    if isinstance(expr, sp.Piecewise):
        branches = [(_compile_expr(b), _compile_cond(c)) for b, c in expr.args]

        def piecewise(env):
            for f, cond in branches:
                if cond(env):
                    return f(env)
            raise NotLinearError(f"no branch of {expr} applies")
        return piecewise
    raise _NotCompilable(expr)


_RELATIONS = {sp.GreaterThan: lambda a, b: a >= b, sp.StrictGreaterThan: lambda a, b: a > b,
              sp.LessThan: lambda a, b: a <= b, sp.StrictLessThan: lambda a, b: a < b,
              sp.Eq: lambda a, b: a == b}


def _compile_cond(cond):
    if cond == sp.true:
        return lambda env: True
    rel = _RELATIONS.get(type(cond))
    if rel is None:
        raise _NotCompilable(cond)
    a, b = _compile_expr(cond.lhs), _compile_expr(cond.rhs)
    return lambda env: rel(a(env), b(env))


def _compile_sum_body(body, var, leaves):
    """Closures for ``body``: ``(branches, leaf symbols)``, each branch ``(condition, const, ((arg, coeff),
    ...))`` meaning ``const + sum coeff * h(arg)`` where its condition is the first to hold; or ``()``."""
    syms = {leaf[0]: sp.Dummy(f"leaf{i}", integer=True) for i, leaf in enumerate(leaves)}
    expr = _expand_definitions(body.xreplace(syms))
    others = tuple(q for q in _QUANTITIES if q not in (h, delta, g, D))
    if expr.has(*others, KL, eps_train, *defs.SCALAR_DEFINITIONS, sp.Indexed, omega):
        return ()
    pieces = expr.args if isinstance(expr, sp.Piecewise) else ((expr, sp.true),)
    try:
        branches = tuple((_compile_cond(cond), *_compile_linear(piece)) for piece, cond in pieces)
    except _NotCompilable:
        return ()
    return branches, tuple(syms.values())


def _expand_definitions(expr):
    """``expr`` with the named weights and delta, g, D replaced by their definitions (h only)."""
    tables = (defs.COEFFICIENT_DEFINITIONS, defs.FUNCTION_DEFINITIONS)
    while expr.has(*defs.COEFFICIENT_DEFINITIONS, *defs.FUNCTION_DEFINITIONS):
        for table in tables:
            expr = expr.replace(lambda x: x.func in table, lambda x: table[x.func](x.args[0]))
    return expr


def _accumulate(acc: dict, const_f, parts, env: dict, L_: int) -> None:
    """Add ``const + sum coeff * h(arg)`` at ``env`` to ``acc`` (keys: CONST and ``m`` of ``h(m)``)."""
    c0 = const_f(env)
    if c0:
        acc[CONST] = acc.get(CONST, 0) + c0
    for arg_f, coeff_f in parts:
        c = coeff_f(env)
        if not c:
            continue
        arg = arg_f(env)
        if arg != int(arg) or not 0 <= arg <= L_:
            raise NotLinearError(f"h({arg}) is outside h(0..{L_})")
        acc[int(arg)] = acc.get(int(arg), 0) + c


def _compile_linear(expr):
    """``(const, ((arg, coeff), ...))`` closures for ``expr = const + sum coeff * h(arg)``."""
    const, by_arg = sp.Integer(0), {}
    for term in sp.Add.make_args(sp.expand(expr)):
        hs = [f for f in sp.Mul.make_args(term) if f.func == h]
        rest = term / hs[0] if len(hs) == 1 else term
        if len(hs) > 1 or rest.has(h):
            raise _NotCompilable(term)
        if hs:
            by_arg[hs[0].args[0]] = by_arg.get(hs[0].args[0], 0) + rest
        else:
            const += term
    return _compile_expr(const), tuple((_compile_expr(a), _compile_expr(c)) for a, c in by_arg.items())


def _stencil_sum(stencil, var, leaves, tables, lo: int, hi: int, case: Case) -> Form:
    branches, leaf_syms = stencil
    env = {sym: int(val) if val.is_Integer else Fraction(int(val.p), int(val.q)) for sym, val in case.constants.items()}
    acc: dict = {}
    try:
        for v in range(lo, hi + 1):
            env[var] = v
            for leaf, table, sym in zip(leaves, tables, leaf_syms):
                env[sym] = _leaf_value(leaf, table, var, v, case)
            const_f, parts = next(((c, p) for cond, c, p in branches if cond(env)), (None, None))
            if const_f is None:
                raise NotLinearError(f"no branch of the summand applies at {var} = {v} for case {case}")
            _accumulate(acc, const_f, parts, env, case.L)
    except KeyError as exc:
        raise NotLinearError(f"{exc.args[0]} is not a constant for case {case}") from None
    return {k: Fraction(c) for k, c in acc.items() if c}


# -- public names for the provers' closed-form routes (proofs_check.prover.shapes, .offsets) -------
#: Every name that is a quantity of the profile (a factor without one of them is a case constant).
QUANTITIES = _QUANTITIES
#: ``compile_expr(expr)``: a closure ``env -> int | Fraction`` evaluating ``expr`` exactly.
compile_expr = _compile_expr
#: ``acc += scale * form``, dropping keys whose coefficient cancels to 0.
add_scaled = _add
#: Raised by :func:`compile_expr` for an expression it cannot compile (evaluate it by :func:`linear_form`).
NotCompilable = _NotCompilable
#: ``summand_leaves(body, var)``: the schedule atoms of a Sum's summand that depend on its variable.
summand_leaves = _leaves
#: ``expand_definitions(expr)``: named weights and ``delta``, ``g``, ``D`` replaced by their definitions.
expand_definitions = _expand_definitions
