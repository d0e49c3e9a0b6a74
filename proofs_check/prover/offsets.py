"""Deciding every case of a one-parameter family of schedules at once, in closed form.

Clauses over ``offset`` (S3, S4: the randomized-offset family of step ``s`` for every
``s = 1..L``), ``exists`` (P4: ``s = s_max = 2..L``, the family of step ``s_max`` as the witness),
``balanced`` (P3: ``balanced(L, T)`` for every ``T = 1..L``) and ``each_u`` (F3: a profile
inequality for each ``u = 0..L-2``) have one case per value of a parameter (``s``, ``T``, ``u``)
at each ``L``.  Enumeration builds each case's linear form through
:mod:`theory.linear` (for the offset family: ``s`` members of ``O(L/s)`` steps each, for every
``s``); this module writes the basis vectors of all of them down at once.

Closed form of the family.  By F2 of Li & Cai (arXiv 2505.21400) in the ``g`` basis, one schedule's
ideal error is ``sum_{u=0}^{L-2} omega(u) g(u)``, ``omega(u) = e - u`` with ``e`` the last index of
the step containing ``u``; its ``delta(L-1)`` coefficient is ``0`` (each step ``(m, s)`` of the
h-form ``s delta(m) - h(m+s) + h(m)`` gives ``s - (m+s) + m``, as ``h(x)`` carries
``x delta(L-1)``) and it has no constant.  The member ``r`` of the offset family
``(r, s, ..., s, rest)`` has its step ends at ``r-1, r-1+s, r-1+2s, ...`` and at ``L-1``.  The
first end at or after ``u`` lies ``d = (r-1-u) mod s`` past ``u``, so as ``r`` runs over ``1..s``,
``d`` runs over ``0..s-1`` once each; the last step is cut at ``L-1``, which makes the distance
``min(d, t)`` with ``t = L-1-u`` the room after ``u``.  Hence

    coefficient of g(u) in KL_ideal_offset = N(t, s) / s,     N(t, s) = sum_{d=0}^{s-1} min(d, t)
        N(t, s) = s(s-1)/2                    when t >= s-1,
        N(t, s) = t(t+1)/2 + (s-1-t) t        when t <  s-1,

one integer matrix over all ``s`` and ``u``, ``O(L^2)`` per ``L`` (the weight S3 names ``c_s``).
For ``balanced(L, T)`` the steps are known in closed form too (:func:`balanced_form`).  The tests
check both against :func:`theory.linear.linear_form`, which stays the definition.

The other terms.  Each top-level term of the slack (``rhs - lhs`` or ``lhs - rhs``, as
:mod:`proofs_check.prover.core`) is ``f(L, p) * Q``, ``p`` the parameter: ``f`` a rational
constant and ``Q`` the family's quantity (``KL_ideal_offset``; ``KL_ideal`` or ``KL`` =
``KL_ideal + eps_train`` by F1 for ``balanced``) or a profile quantity free of the schedule
(``MI``, ``D(L-s+1)``, P4's sum of ``D(2^j)``).  ``f``, and ``Q = sum_i c_i h(a_i)`` (after the
definitions of delta, g, D, MI) with coefficients and arguments rational in ``(L, p)``, are
evaluated for all ``p`` at once with integer numpy arithmetic; so is ``Q = sum_u w(u) g(u)`` whose
weight reads ``u`` only through ``t = L-1-u`` (S3's ``c_s``), whose basis vector is ``w`` on the
``(t, p)`` grid.  Anything else is expanded by :func:`theory.linear.linear_form` once per ``L``
(``Q`` without ``p``) or per ``(L, p)``.  A factor ``f = 0`` skips its ``Q`` (``(s-1)/2 *
D(L-s+1)`` at ``s = 1``, where ``D(L)`` is undefined).

Decision.  Per ``L`` the slacks of all cases are rows of integers over a per-row denominator,
columns ``g(0..L-2), delta(L-1)``, constant, ``eps_train`` (which must cancel).  A row whose
entries all have the sign the relation asks is proved (the Shannon-cone certificate of
:mod:`proofs_check.prover.core`); any other row is refuted, and its case is handed back for an
exact certificate, built the definition's way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from theory import definitions as defs
from theory.linear import (CONST, QUANTITIES, SCHEDULE_DEPENDENT, Case, NotCompilable, NotLinearError,
                           compile_expr, expand_definitions, linear_form)
from theory.registry import Clause
from theory.symbols import KL, KL_ideal, KL_ideal_offset, L as L_sym, T, g, h, s_step, u

from proofs_check.model.quantifiers import offset_case, quantifier
from proofs_check.model.schedules import balanced
from proofs_check.prover.basis import basis_matrix
from proofs_check.prover.shapes import MAX_LISTED_REFUTATIONS, ShapeOutcome, ShapeUnsupported, _integers

_t = sp.Symbol("t_room", integer=True, nonnegative=True)


class OffsetUnsupported(ShapeUnsupported):
    """The clause is not a sum of ``f(L, p) * Q`` terms the family route can build (says why)."""


# -- the family in closed form ------------------------------------------------------------------


def room_sums(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``N(t, s) = sum_{d=0}^{s-1} min(d, t)`` elementwise (see the module docstring)."""
    return np.where(t >= s - 1, s * (s - 1) // 2, t * (t + 1) // 2 + (s - 1 - t) * t)


def family_form(L: int, steps) -> tuple[np.ndarray, np.ndarray]:
    """``(den, nums)``: row ``i`` holds the ``g(0..L-2)`` coefficients of ``KL_ideal_offset`` for the
    family of step ``steps[i]``, as ``nums[i] / den[i]`` with ``den[i] = steps[i]`` (its
    ``delta(L-1)`` and constant parts are 0)."""
    s = np.asarray(steps, dtype=np.int64)[:, None]
    t = (L - 1 - np.arange(L - 1, dtype=np.int64))[None, :]
    return s[:, 0].copy(), room_sums(t, s)


def balanced_form(L: int, Ts) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`family_form` for ``KL_ideal`` of ``balanced(L, T)``, ``T`` in ``Ts``: F2's weight
    ``omega(u) = e - u``; the first ``r = L mod T`` steps have size ``q + 1`` (``q = L // T``), so
    ``e = (u // (q+1) + 1)(q+1) - 1`` below ``r(q+1)`` and ``r(q+1) + ((u - r(q+1)) // q + 1) q - 1``
    above (denominator 1)."""
    T_ = np.asarray(Ts, dtype=np.int64)[:, None]
    q, r = L // T_, L % T_
    top = r * (q + 1)
    u = np.arange(L - 1, dtype=np.int64)[None, :]
    e = np.where(u < top, (u // (q + 1) + 1) * (q + 1) - 1, top + ((u - top) // q + 1) * q - 1)
    return np.ones(len(Ts), dtype=np.int64), e - u


@dataclass(frozen=True)
class Family:
    """A quantifier with one case per value of a parameter (``s`` or ``T``) at each ``L``:
    ``quantities`` are the schedule quantities whose rows :attr:`form` gives in closed form
    (``KL`` is ``KL_ideal + eps_train``, F1), ``case`` the full case of a parameter value,
    ``light_case`` the case :func:`theory.linear.linear_form` needs for the other terms."""

    param: sp.Symbol
    quantities: tuple
    params: object  # L -> parameter values, in case order
    form: object  # (L, values) -> (den, g numerators)
    case: object  # (L, value) -> Case
    light_case: object  # (L, value) -> Case


def _steps(over):
    return lambda L: list(quantifier(over).steps(L))


_OFFSET = dict(param=s_step, quantities=(KL_ideal_offset,), form=family_form, case=offset_case,
               light_case=lambda L, p: Case(L, step=p))
#: Quantifiers this route decides, and how.
FAMILIES = {
    "offset": Family(params=_steps("offset"), **_OFFSET),
    "exists": Family(params=_steps("exists"), **_OFFSET),
    "balanced": Family(T, (KL_ideal, KL), lambda L: list(range(1, L + 1)), balanced_form,
                       lambda L, p: Case(L, balanced(L, p).sizes), lambda L, p: Case(L, balanced(L, p).sizes)),
    # a profile clause binding u (F3's g(u) >= 0): one case per u = 0..L-2, no schedule
    "each_u": Family(u, (), lambda L: list(range(L - 1)), None, lambda L, p: Case(L, bind=((u, p),)),
                     lambda L, p: Case(L, bind=((u, p),))),
}
OFFSET_QUANTIFIERS = tuple(FAMILIES)


# -- analysis of a clause ---------------------------------------------------------------------


@dataclass(frozen=True)
class OffsetTerm:
    """``sign * f(L, s) * Q``; ``Q`` is ``KL_ideal_offset`` (``family``), a profile quantity, or
    ``None`` (the term is the constant ``f``)."""

    sign: int
    factor_expr: sp.Expr
    factor: object  # closure env -> value, or None: evaluate factor_expr by linear_form
    quantity: sp.Expr | None
    family: bool
    reads_step: bool  # reads the parameter (s or T)
    eps: int = 0  # 1 for KL = KL_ideal + eps_train (F1)
    room: tuple | None = None  # vectorised w(t, s), for Q = sum_u w(u) g(u) with w reading u as t = L-1-u
    ratio: tuple | None = None  # the factor vectorised over (L, s) (see _vectorised)
    hform: tuple | None = None  # Q = sum_i c_i h(a_i) with c_i, a_i vectorised over (L, s) (see _h_terms)


def _room_weight(q, param):
    """For ``q = Sum(w(u) g(u), (u, 0, L-2))`` with ``w`` reading ``u`` and ``L`` only through
    ``t = L-1-u``: ``w`` as vectorised branches in ``(t, s)`` (:func:`_vectorised`); else ``None``."""
    if not isinstance(q, sp.Sum) or len(q.args) != 2:
        return None
    body, (var, lo, hi) = q.args[0], q.args[1]
    if lo != 0 or hi != L_sym - 2:
        return None
    gs = [f for f in sp.Mul.make_args(body) if f.func == g and f.args[0] == var]
    if len(gs) != 1:
        return None
    w = expand_definitions(body / gs[0])
    if w.has(*QUANTITIES):
        return None
    w = w.xreplace({var: L_sym - 1 - _t})
    if w.free_symbols - {_t, param}:
        return None
    return _vectorised(w, (_t, param))


def _vectorised(expr, syms):
    """``expr`` (a rational function or a Piecewise of them) as branches ``(cond, P, Q)`` of numpy
    functions of ``syms``: on the first branch whose condition holds, ``expr = P/Q`` with integer
    polynomials ``P``, ``Q``; ``None`` when ``expr`` is not of that form."""
    pieces = expr.args if isinstance(expr, sp.Piecewise) else ((expr, sp.true),)
    out = []
    for val, cond in pieces:
        if cond != sp.true and (not isinstance(cond, sp.core.relational.Relational)
                                or cond.free_symbols - set(syms)):
            return None
        P, Q = sp.fraction(sp.together(val))
        for x in (P, Q):
            if not x.is_polynomial(*syms) or not all(c.is_Integer for c in sp.Poly(x, *syms).coeffs()):
                return None
        out.append((None if cond == sp.true else sp.lambdify(syms, cond, "numpy"),
                    sp.lambdify(syms, P, "numpy"), sp.lambdify(syms, Q, "numpy")))
    return tuple(out)


def _evaluate(branches, args: tuple, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    """``(dens, nums)`` per row of a vectorised expression on broadcast int64 ``args``: row ``i`` is
    ``nums[i] / dens[i]`` (exact: every value is checked to stay far inside int64)."""
    P, Q = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    done = np.zeros(shape, dtype=bool)
    for cond, p, q in branches:
        m = ~done if cond is None else ~done & np.broadcast_to(cond(*args), shape)
        fargs = tuple(np.asarray(a, dtype=float) for a in args)
        if max(_fmax(p(*fargs)), _fmax(q(*fargs))) > 2.0**40:
            raise OffsetUnsupported("a constant of the clause is too large for int64 rows")
        P[m] = np.broadcast_to(p(*args), shape)[m]
        Q[m] = np.broadcast_to(q(*args), shape)[m]
        done |= m
    if not done.all() or (Q == 0).any():
        raise OffsetUnsupported("a factor or weight of the clause is undefined for some s")
    sign = np.sign(Q)
    P, Q = P * sign, Q * sign
    den = np.lcm.reduce(Q, axis=-1)
    if _fmax(den.astype(float)) * _fmax(P.astype(float)) > 2.0**60:
        raise OffsetUnsupported("a constant of the clause is too large for int64 rows")
    return den, P * (den[..., None] // Q)


def _fmax(a) -> float:
    a = np.asarray(a, dtype=float)
    return float(np.max(np.abs(a))) if a.size else 0.0


def _term(sgn: int, term, fam: Family) -> OffsetTerm:
    consts, qty = [], []
    for f in sp.Mul.make_args(term):
        (qty if f.has(*QUANTITIES) else consts).append(f)
    c, q = sp.Mul(*consts), sp.Mul(*qty)
    family = q in fam.quantities
    other = tuple(x for x in SCHEDULE_DEPENDENT + (sp.Indexed,) if x not in fam.quantities + (fam.param,))
    if not family and q.has(*other, *fam.quantities):
        raise OffsetUnsupported(f"term {term} reads the schedule other than through {fam.quantities}")
    if c.free_symbols - {L_sym, fam.param}:
        raise OffsetUnsupported(f"factor {c} of {term} reads {c.free_symbols - {L_sym, fam.param}}")
    try:
        factor = compile_expr(c)
    except NotCompilable:
        factor = None
    quantity = None if q == 1 else q
    room = None if family or quantity is None else _room_weight(q, fam.param)
    reads = family or expand_definitions(q).has(fam.param)  # named weights (c_s) read s inside
    hform = _h_terms(q, fam.param) if reads and not family and quantity is not None and room is None else None
    return OffsetTerm(sgn, c, factor, quantity, family, reads, int(q == KL), room, _ratio(c, fam.param), hform)


def _h_terms(q, param):
    """``q = sum_i c_i h(a_i)`` (after the definitions of delta, g, D, MI, ...) with ``c_i`` and
    ``a_i`` vectorisable in ``(L, s)``: the pairs ``(c_i, a_i)`` as :func:`_vectorised` branches;
    else ``None``."""
    expr = sp.expand(expand_definitions(_scalars(q)))
    by_arg: dict = {}
    for term in sp.Add.make_args(expr):
        hs = [f for f in sp.Mul.make_args(term) if f.func == h]
        if len(hs) != 1 or (term / hs[0]).has(h):
            return None
        by_arg[hs[0].args[0]] = by_arg.get(hs[0].args[0], 0) + term / hs[0]
    out = []
    for a, c in by_arg.items():
        va, vc = _vectorised(sp.sympify(a), (L_sym, param)), _vectorised(sp.sympify(c), (L_sym, param))
        if va is None or vc is None:
            return None
        out.append((vc, va))
    return tuple(out)


def _scalars(q):
    """``q`` with the named scalars (``MI``, ``TC``, ...) replaced by their definitions."""
    return q.xreplace(defs.SCALAR_DEFINITIONS) if q.has(*defs.SCALAR_DEFINITIONS) else q


def _ratio(c, param):
    """The constant factor ``c`` vectorised over ``(L, s)`` (:func:`_vectorised`), or ``None``."""
    return _vectorised(sp.sympify(c), (L_sym, param))


_TERMS: dict = {}


def offset_terms(clause: Clause) -> tuple[OffsetTerm, ...]:
    """The clause's slack as offset terms (raises :class:`OffsetUnsupported` with the reason)."""
    from proofs_check.prover.certificate import _signed_terms  # the one split of a slack into signed terms

    key = (clause.lhs, clause.rel, clause.rhs, clause.over)
    hit = _TERMS.get(key)
    if hit is None:
        try:
            if clause.over not in FAMILIES:
                raise OffsetUnsupported(f"quantifier {clause.over!r} is not an offset family")
            hit = tuple(_term(sgn, t, FAMILIES[clause.over]) for sgn, t in _signed_terms(clause))
        except OffsetUnsupported as exc:
            hit = exc
        _TERMS[key] = hit
    if isinstance(hit, OffsetUnsupported):
        raise hit
    return hit


# -- rows of one L ----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _basis(L: int) -> np.ndarray:
    return basis_matrix(L)


def _sparse_row(form: dict, L: int) -> tuple[int, np.ndarray]:
    """``(den, numerators of [g(0..L-2), delta(L-1), const, eps_train])`` of a linear form in ``h``
    (``h(x)`` carries ``min(x, u+1)`` on ``g(u)`` and ``x`` on ``delta(L-1)``)."""
    extra = [k for k in form if not isinstance(k, int) and k not in (CONST, "eps_train")]
    if extra:
        raise OffsetUnsupported(f"{extra[0]} in a form (log constants are enumerated)")
    keys = list(form)
    den, nums = _integers([Fraction(form[k]) for k in keys])
    row = np.zeros(L + 2, dtype=nums.dtype)
    B = _basis(L) if nums.dtype != object else _basis(L).astype(object)
    for k, x in zip(keys, nums):
        if k == CONST:
            row[L] += x
        elif k == "eps_train":
            row[L + 1] += x
        else:
            row[:L] += x * B[k]
    return den, row


def _hform_rows(hform, L: int, steps: list[int]) -> tuple[list[int], np.ndarray]:
    """Rows of ``sum_i c_i h(a_i)`` for every step at once: ``h(a)`` is row ``a`` of the basis matrix."""
    n, B = len(steps), _basis(L)
    args = (np.int64(L), np.array(steps, dtype=np.int64)[:, None])
    pieces = []
    for vc, va in hform:
        dc, nc = _evaluate(vc, args, (n, 1))
        da, na = _evaluate(va, args, (n, 1))
        a = na[:, 0]
        if (da != 1).any() or (a < 0).any() or (a > L).any():
            raise NotLinearError(f"an argument of h is not an integer in 0..{L} for some s")
        pieces.append((dc, nc[:, 0], a))
    den = np.lcm.reduce(np.array([p[0] for p in pieces]), axis=0)
    if sum(_fmax((nc * (den // dc)).astype(float)) for dc, nc, _ in pieces) * L > 2.0**60:
        raise OffsetUnsupported("a coefficient of the clause is too large for int64 rows")
    out = np.zeros((n, L + 2), dtype=np.int64)
    for dc, nc, a in pieces:
        out[:, :L] += (nc * (den // dc))[:, None] * B[a]
    return [int(x) for x in den], out


def _profile_row(q, case: Case) -> tuple[int, np.ndarray]:
    """``(den, numerators of [g(0..L-2), delta(L-1), const])`` of a profile quantity on ``case``."""
    return _sparse_row(linear_form(q, case), case.L)


def _absmax(a: np.ndarray) -> int:
    return int(np.max(np.abs(a))) if a.size else 0


def _combine(den: list, acc: np.ndarray, kf: list, fd: list, tnums: np.ndarray) -> tuple[list, np.ndarray]:
    """Row by row ``acc/den + kf/fd * tnums`` over new denominators (int64 when it provably fits)."""
    D = [math.lcm(a, b) for a, b in zip(den, fd)]
    ka = [d // a for d, a in zip(D, den)]
    kb = [k * (d // b) for k, d, b in zip(kf, D, fd)]
    bound = max(ka) * _absmax(acc) + max(abs(x) for x in kb) * _absmax(tnums)
    dtype = np.int64 if bound < 2**62 and acc.dtype != object and tnums.dtype != object else object
    acc = (acc.astype(dtype) * np.array(ka, dtype=dtype)[:, None]
           + tnums.astype(dtype) * np.array(kb, dtype=dtype)[:, None])
    if dtype == np.int64:  # keep the numbers small: divide each row by its gcd with its denominator
        G = np.gcd(np.gcd.reduce(acc, axis=1), np.array(D, dtype=np.int64))
        acc //= G[:, None]
        D = [d // int(x) for d, x in zip(D, G)]
    return D, acc


_ROWS: dict = {}  # (quantity, L, s) -> profile row, shared by the clauses of one L


class OffsetDecider:
    """Family route for one clause (its analysis cached); :meth:`decide` answers one ``L``."""

    def __init__(self, clause: Clause):
        self.clause = clause
        self.terms = offset_terms(clause)
        self.over = clause.over
        self.family = FAMILIES[clause.over]

    def _factors(self, term: OffsetTerm, L: int, steps: list[int]) -> list[Fraction]:
        if term.ratio is not None:  # P/Q over all steps at once, in integers
            s_arr = np.array(steps, dtype=np.int64)
            den, nums = _evaluate(term.ratio, (np.int64(L), s_arr[:, None]), (len(steps), 1))
            return [Fraction(int(x[0]), int(d)) for x, d in zip(nums, den)]
        out = []
        for s in steps:
            if term.factor is not None:
                out.append(Fraction(term.factor({L_sym: L, self.family.param: s})))
                continue
            form = linear_form(term.factor_expr, self.family.light_case(L, s))
            if set(form) - {CONST}:
                raise OffsetUnsupported(f"factor {term.factor_expr} is not a rational constant")
            out.append(Fraction(form.get(CONST, 0)))
        return out

    def _profile(self, q, L: int, s: int | None) -> tuple[int, np.ndarray]:
        key = (q, L, s)
        hit = _ROWS.get(key)
        if hit is None:
            if len(_ROWS) > 8192:
                _ROWS.clear()
            hit = _ROWS[key] = _profile_row(q, Case(L) if s is None else self.family.light_case(L, s))
        return hit

    def _rows(self, i: int, term: OffsetTerm, L: int, steps: list[int]) -> tuple[list[int], np.ndarray]:
        """``(dens, numerators)`` of ``Q`` for each step (columns ``g(0..L-2), delta(L-1), const, eps``)."""
        n = len(steps)
        if term.quantity is None:
            out = np.zeros((n, L + 2), dtype=np.int64)
            out[:, L] = 1
            return [1] * n, out
        if term.family:
            den, nums = self.family.form(L, steps)
            out = np.zeros((n, L + 2), dtype=np.int64)
            out[:, :L - 1] = nums
            out[:, L + 1] = den * term.eps
            return [int(x) for x in den], out
        if not term.reads_step:
            den, row = self._profile(term.quantity, L, None)
            return [den] * n, np.broadcast_to(row, (n, L + 2))
        if term.hform is not None:
            return _hform_rows(term.hform, L, steps)
        if term.room is not None:  # w(t, s) on the grid t = L-1-u, one row per step
            t = (L - 1 - np.arange(L - 1, dtype=np.int64))[None, :]
            den, nums = _evaluate(term.room, (t, np.array(steps, dtype=np.int64)[:, None]), (n, L - 1))
            out = np.zeros((n, L + 2), dtype=np.int64)
            out[:, :L - 1] = nums
            return [int(x) for x in den], out
        parts = [self._profile(term.quantity, L, s) for s in steps]
        dtype = object if any(p[1].dtype == object for p in parts) else np.int64
        return [p[0] for p in parts], np.array([p[1] for p in parts], dtype=dtype)

    def slacks(self, L: int, steps: list[int]) -> tuple[list[int], np.ndarray, list[str]]:
        """Slack rows of the given steps: ``(dens, numerators [g, delta(L-1), const, eps], not-linear reasons)``
        (a reason is ``""`` for a row that is linear)."""
        n = len(steps)
        den, acc = [1] * n, np.zeros((n, L + 2), dtype=np.int64)
        reasons = [""] * n
        for i, term in enumerate(self.terms):
            factors = self._factors(term, L, steps)
            live = [j for j, f in enumerate(factors) if f and not reasons[j]]
            if not live:
                continue
            try:
                tden, tnums = self._rows(i, term, L, [steps[j] for j in live])
            except NotLinearError:
                tden, tnums = self._rows_one_by_one(i, term, L, steps, live, reasons)
                live = [j for j in live if not reasons[j]]
                if not live:
                    continue
            kf = [term.sign * factors[j].numerator for j in live]
            fd = [factors[j].denominator * d for j, d in zip(live, tden)]
            d_live, a_live = _combine([den[j] for j in live], acc[live], kf, fd, tnums)
            if a_live.dtype == object and acc.dtype != object:
                acc = acc.astype(object)
            acc[live] = a_live
            for j, d in zip(live, d_live):
                den[j] = d
        return den, acc, reasons

    def _rows_one_by_one(self, i, term, L, steps, live, reasons):
        """As :meth:`_rows` for the live steps, marking the steps whose ``Q`` is not linear."""
        dens, rows = [], []
        for j in live:
            try:
                d, r = self._rows(i, term, L, [steps[j]])
            except NotLinearError as exc:
                reasons[j] = f"not linear in the profile: {exc}"
                continue
            dens.append(d[0])
            rows.append(r[0])
        return dens, np.array(rows, dtype=object if any(r.dtype == object for r in rows) else np.int64)

    def decide(self, L: int, prover=None) -> ShapeOutcome:
        """Every case (offset family) of the clause's quantifier at ``L`` (see the module docstring)."""
        steps = self.family.params(L)
        out = ShapeOutcome(len(steps))
        if not steps:
            return out
        den, acc, reasons = self.slacks(L, steps)
        for j in np.flatnonzero(acc[:, L + 1] != 0):  # F1's eps_train must cancel
            reasons[j] = reasons[j] or "not linear in the profile: eps_train does not cancel"
        rel = self.clause.relation_type
        basis, const = acc[:, :L], acc[:, L]
        if rel.symbol == "==":
            ok = np.all(basis == 0, axis=1) & (const == 0)
        else:
            ok = np.all(basis >= 0, axis=1) & ((const > 0) if rel.strict else (const >= 0))
        best = None
        for j, s in enumerate(steps):
            if reasons[j]:
                out.not_linear += 1
                out.not_linear_reason = out.not_linear_reason or reasons[j]
            elif not ok[j]:
                out.n_refuted += 1
                if len(out.refuted_cases) < MAX_LISTED_REFUTATIONS:
                    out.refuted_cases.append(self.family.case(L, s))
            else:
                pos = basis[j][basis[j] > 0]
                if pos.size:
                    v = Fraction(int(pos.min()), den[j])
                    if best is None or v < best[0]:
                        best = (v, s)
        out.proved = out.n_cases - out.not_linear - out.n_refuted
        if best is not None:
            out.min_slack, out.min_slack_at = best[0], self.family.case(L, best[1])
        return out
