"""Deciding every schedule of a length ``L`` at once, by the shapes of its steps.

Enumeration decides a clause over ``all`` by building the slack of each of the ``2^(L-1)``
compositions.  This module decides the same question in time polynomial in ``L``.

Decomposition.  Write the slack ``d`` of a clause (rhs - lhs, see
:mod:`proofs_check.prover.core`) as a sum of its top-level terms and sort them:

* *global* terms read the schedule only through ``s_max`` (``P1``'s ``(2^ceil(log2 s_max)-1)/L MI``,
  ``eps_train``).  Each is a product ``f(s_max) * c(L) * Q`` of constant factors and a profile
  quantity ``Q``, whose linear form is built once per ``L`` by :func:`theory.linear.linear_form`;
  its basis vector ``alpha(s_max)`` must give the same number to every ``g(u)`` (true of
  multiples of ``MI = L sum_u g(u)``, of ``TC + DTC``, ...).  A term reading ``T`` is not taken.
* *step* terms are ``c * X`` with a rational ``c`` and ``X`` additive over the steps:
  ``KL_ideal = sum_k c(m_k, m_k + s_k)`` (F2 of Li & Cai, arXiv 2505.21400, in the h-form
  ``sum_k s_k delta(m_k) - h(m_k+s_k) + h(m_k)``), ``KL`` (= ``KL_ideal + eps_train``, F1), a sum
  over ``k = 1..T`` whose summand reads only ``s[k], m[k], e[k]``, or a sum over ``u = 0..L-2`` whose
  summand reads only ``omega(u)`` (the weight ``e_k - u`` of the step containing ``u``);
  ``KL_ideal_refined`` is the same on the refined schedule.

Locality lemma.  Let one step ``(m, s)`` contribute ``F(m, s) = sum_i c_i h(m + a_i)``.  If the
``c_i`` and the offsets ``a_i`` do not depend on ``m`` (checked symbolically on the summand), if
``0 <= a_i <= s`` and ``sum_i c_i = sum_i c_i a_i = 0`` (checked exactly for each ``s``), then in
the elemental basis, using ``h(x) = x delta(L-1) + sum_u min(x, u+1) g(u)``,

    coefficient of g(m + j) in F(m, s) = b(s, j) = sum_i c_i min(a_i, j + 1)   (0 <= j < s),

and every other coefficient is 0: for ``u < m`` it is ``(u+1) sum c_i``, for ``u >= m + s - 1`` it
is ``sum c_i (m + a_i)``, the ``delta(L-1)`` coefficient likewise.  So the coefficient of ``g(u)``
in ``d`` is ``alpha(s_max) + B(s, j)``, where ``(m, s)`` is the step containing ``u``, ``j = u - m``
and ``B`` sums the step terms (for a refined step, the sub-steps' ``b`` at their offsets).

Covering lemma (why the shapes cover every composition).  The steps of a composition partition
``0..L-1``, so each ``g(u)`` coefficient of each case is ``alpha(s_max) + B(s, j)`` for the step
containing ``u``; conversely a size ``s`` occurs in some composition of ``L`` with largest part
``s_max`` iff ``s = s_max`` or ``s + s_max <= L`` (fill with ones; with ``T`` free the parts can be
ordered so that ``s`` comes first, making every offset ``j <= s-1`` a ``g`` position, except for
the single composition ``(L)`` whose last offset is ``delta(L-1)``).  Hence "every coefficient of
every case has the right sign" is exactly "``alpha(s_max) + B(s, j)`` has it for every ``s_max``,
every realisable ``s`` and ``j``", plus ``delta(L-1)`` and the constant per ``s_max``.  For
``refinement`` the split step ``(s; a, s-a)`` is any realisable ``s >= 2``; an unsplit step ``s``
needs another part ``>= 2`` (``s < s_max`` with ``s + s_max <= L``, or ``s = s_max`` with
``s_max + 2 <= L``).  ``halving`` halves every step, ``small_steps`` keeps ``s_max <= 2``.

Each refuted shape is returned with a full schedule realising it (the shape first, then ``s_max``,
then ones), whose exact certificate the prover computes as for an enumerated case.  Case counts
are computed (``2^(L-1)`` compositions, ``(L-1) 2^(L-2)`` refinements, ...) and, where some shape
fails, the proved cases are counted by dynamic programming over cumulative sizes.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

import numpy as np
import sympy as sp

from theory import definitions as defs
from theory.linear import (CONST, QUANTITIES, Case, NotLinearError, compile_expr, expand_definitions, linear_form,
                           summand_leaves)
from theory.registry import Clause
from theory.symbols import (KL, KL_ideal, KL_ideal_offset, KL_ideal_refined, L as L_sym, T, e, h, m, omega, s,
                            s_max, s_step)

from proofs_check.model import schedules as sch

#: Quantifiers the shape route decides.
SHAPE_QUANTIFIERS = ("all", "small_steps", "refinement", "halving")

_S, _M, _W = sp.symbols("S_shape M_shape W_shape", integer=True)


class ShapeUnsupported(Exception):
    """The clause's slack is not of the local form the shape route needs (the message says why)."""


# -- analysis of a clause ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTerm:
    """``coef * X`` with ``X`` additive over steps; ``refined``: ``X`` is read on the refined schedule.

    ``pieces``: ``((c_i, a_i), ...)`` closures of the per-step h-form ``sum c_i h(m + a_i)``
    (``kind == "steps"``: of ``S`` and ``L``; ``kind == "positions"``: per position of ``W`` and ``L``).
    """

    coef: Fraction
    refined: bool
    kind: str
    pieces: tuple
    reads_L: bool = False  # some c_i or a_i contains L (then nothing is cached across L)

    def h_form(self, size: int, L: int) -> dict[int, Fraction]:
        """Coefficients over offsets ``0..size`` of one step of this size (checked local)."""
        out: dict[int, Fraction] = {}
        if self.kind == "steps":
            env = {_S: size, L_sym: L}
            for c_f, a_f in self.pieces:
                _put(out, a_f(env), c_f(env), size)
        else:
            for j in range(size - 1):  # position j of the step has omega = size - 1 - j; omega = 0 adds 0
                env = {_W: size - 1 - j, L_sym: L}
                for c_f, a_f in self.pieces:
                    _put(out, j + a_f(env), c_f(env), size)
        if sum(out.values()) != 0 or sum(a * c for a, c in out.items()) != 0:
            raise ShapeUnsupported(f"a step of size {size} leaks outside its range (sum c != 0 or sum c a != 0)")
        return out


def _put(out: dict, a, c, size: int) -> None:
    if not c:
        return
    if a != int(a) or not 0 <= a <= size:
        raise ShapeUnsupported(f"a step of size {size} reads h at offset {a}, outside 0..{size}")
    out[int(a)] = out.get(int(a), 0) + Fraction(c)
    if not out[int(a)]:
        del out[int(a)]


@dataclass(frozen=True)
class ShapeForm:
    """A clause split into global terms (signed) and step terms."""

    globals_: tuple  # ((sign, term), ...)
    steps: tuple[StepTerm, ...]
    kl_eps: Fraction  # eps_train coefficient contributed by the KL terms (F1)
    reads_L: bool  # some step term's h-form depends on L (no caching across L)


def _h_pieces(expr, var_free, shift):
    """``expr = sum c_i h(shift + a_i)``: closures ``(c_i, a_i)``; ``c_i``, ``a_i`` must not contain ``var_free``."""
    expr = sp.expand(expand_definitions(expr))
    by_arg: dict = {}
    for term in sp.Add.make_args(expr):
        if term == 0:
            continue
        hs = [f for f in sp.Mul.make_args(term) if f.func == h]
        if len(hs) != 1 or (term / hs[0]).has(h):
            raise ShapeUnsupported(f"summand term {term} is not a multiple of one h value")
        by_arg[hs[0].args[0]] = by_arg.get(hs[0].args[0], 0) + term / hs[0]
    pieces = []
    for arg, c in by_arg.items():
        a = sp.expand(arg - shift)
        c = sp.simplify(c)
        if c.has(var_free) or a.has(var_free):
            raise ShapeUnsupported(f"the summand's h({arg}) term depends on the step's position")
        pieces.append((compile_expr(c), compile_expr(a)))
    reads_L = any(sp.sympify(c).has(L_sym) or sp.sympify(a).has(L_sym) for a, c in by_arg.items())
    return tuple(pieces), by_arg, reads_L


def _step_term(sgn: int, term) -> tuple[StepTerm, Fraction]:
    coef, rest = sp.sympify(term).as_coeff_Mul()
    if not coef.is_Rational:
        raise ShapeUnsupported(f"coefficient {coef} of {rest} is not rational")
    coef = Fraction(int(coef.p), int(coef.q)) * sgn
    eps = Fraction(0)
    refined = False
    if rest == KL:
        eps, rest = coef, KL_ideal
    if rest == KL_ideal_refined:
        refined, rest = True, KL_ideal
    if rest == KL_ideal:
        rest = defs.KL_IDEAL_H_FORM
    if not isinstance(rest, sp.Sum) or len(rest.args) != 2:
        raise ShapeUnsupported(f"{rest} is neither a step-additive quantity nor a simple Sum")
    body, (var, lo, hi) = rest.args[0], rest.args[1]
    leaves = summand_leaves(body, var)
    if not all(leaf[3] for leaf in leaves):
        raise ShapeUnsupported(f"the summand of {rest} reads a neighbouring step")
    bases = {leaf[1] for leaf in leaves}
    if lo == 1 and hi == T and bases <= {s, m, e}:
        reps = {leaf[0]: {s: _S, m: _M, e: _M + _S - 1}[leaf[1]] for leaf in leaves}
        body = body.xreplace(reps)
        _check_free(body, {_S, _M, L_sym}, rest)
        pieces, _, reads_L = _h_pieces(body, _M, _M)
        return StepTerm(coef, refined, "steps", pieces, reads_L), eps
    if lo == 0 and hi == L_sym - 2 and bases <= {omega}:
        body = body.xreplace({leaf[0]: _W for leaf in leaves})
        _check_free(body, {_W, var, L_sym}, rest)
        pieces, by_arg, reads_L = _h_pieces(body, var, var)
        if any(sp.simplify(c.subs(_W, 0)) != 0 for c in by_arg.values()):
            raise ShapeUnsupported(f"the summand of {rest} is not 0 where omega = 0 (the last position)")
        return StepTerm(coef, refined, "positions", pieces, reads_L), eps
    raise ShapeUnsupported(f"{rest}: only sums over k = 1..T of s[k], m[k], e[k] or over u = 0..L-2 of omega(u)")


def _check_free(body, allowed: set, what) -> None:
    if body.has(T, s_max, s_step, KL, KL_ideal, KL_ideal_refined, KL_ideal_offset, sp.Indexed, omega):
        raise ShapeUnsupported(f"the summand of {what} reads a global of the schedule")
    extra = body.free_symbols - allowed
    if extra:
        raise ShapeUnsupported(f"the summand of {what} has free symbols {extra}")


_FORMS: dict = {}


def shape_form(clause: Clause) -> ShapeForm:
    """Split ``clause``'s slack (raises :class:`ShapeUnsupported` with the reason)."""
    key = (clause.lhs, clause.rel, clause.rhs, clause.over)
    hit = _FORMS.get(key)
    if hit is None:
        hit = _FORMS[key] = _analyse(clause)
    if isinstance(hit, ShapeUnsupported):
        raise hit
    return hit


def _analyse(clause: Clause):
    from proofs_check.prover.core import _signed_terms  # the one split of a slack into signed terms

    if clause.over not in SHAPE_QUANTIFIERS:
        return ShapeUnsupported(f"quantifier {clause.over!r} is not decided by shapes")
    globals_, steps, eps = [], [], Fraction(0)
    try:
        for sgn, term in _signed_terms(clause):
            schedule_part = term.has(KL, KL_ideal, KL_ideal_refined, s, m, e, omega, sp.Indexed)
            if term.has(KL_ideal_offset, s_step) or (term.has(T) and not schedule_part):
                return ShapeUnsupported(f"term {term} reads T or the offset family")
            if not schedule_part:
                globals_.append((sgn, term))
                continue
            st, de = _step_term(sgn, term)
            steps.append(st)
            eps += de
        if any(st.refined for st in steps) and clause.over not in ("refinement", "halving"):
            return ShapeUnsupported("KL_ideal_refined outside a refinement quantifier")
        reads_L = any(st.reads_L for st in steps)
    except ShapeUnsupported as exc:
        return exc
    return ShapeForm(tuple(globals_), tuple(steps), eps, reads_L)


# -- per-size values B(s, j) --------------------------------------------------------------------------


def _b(form: dict[int, Fraction], size: int) -> list[Fraction]:
    """``b(size, j) = sum_a c_a min(a, j+1)`` for ``j = 0..size-1`` (prefix sums of suffix sums)."""
    suffix = [Fraction(0)] * (size + 2)
    for a in range(size, -1, -1):
        suffix[a] = suffix[a + 1] + form.get(a, 0)
    out, acc = [], Fraction(0)
    for j in range(size):
        acc += suffix[j + 1]
        out.append(acc)
    return out


def _sub_steps(over: str, size: int, a: int | None) -> tuple[int, ...]:
    if over == "halving":
        return sch.Schedule((size,)).halved().sizes
    if a is not None:
        return (a, size - a)
    return (size,)


class ShapeValues:
    """``B`` of one clause: for a size ``s`` (split at ``a``, or halved) the coefficients of
    ``g(m + j)``, ``j = 0..s-1``, as integer numerators over a per-size denominator."""

    def __init__(self, form: ShapeForm, over: str):
        self.form, self.over = form, over
        self._b: dict = {}
        self._arrays: dict = {}
        self._stats: dict = {}

    def _key(self, L: int):
        return L if self.form.reads_L else None

    def b(self, idx: int, size: int, L: int) -> tuple[int, np.ndarray]:
        """``coef * b(size, j)`` of step term ``idx`` as ``(den, numerators)``."""
        key = (idx, size, self._key(L))
        hit = self._b.get(key)
        if hit is None:
            st = self.form.steps[idx]
            hit = self._b[key] = _integers([st.coef * v for v in _b(st.h_form(size, L), size)])
        return hit

    def values(self, size: int, a: int | None, L: int) -> list[Fraction]:
        """``B`` of one shape as exact fractions (``a``: the split of a refinement step)."""
        den, arr = self.array(size, a, L)
        return [Fraction(int(x), den) for x in arr]

    def array(self, size: int, a: int | None, L: int) -> tuple[int, np.ndarray]:
        """``B`` of one shape: the step terms' ``b``, a refined term's sub-steps side by side."""
        key = (size, a, self._key(L))
        hit = self._arrays.get(key)
        if hit is None:
            pieces = []  # (den, numerators, offset)
            for idx, st in enumerate(self.form.steps):
                off = 0
                for p in (_sub_steps(self.over, size, a) if st.refined else (size,)):
                    den, nums = self.b(idx, p, L)
                    pieces.append((den, nums, off))
                    off += p
            den = math.lcm(1, *(d for d, _, _ in pieces))
            big = (any(nums.dtype == object for _, nums, _ in pieces) or
                   sum(int(np.abs(nums).max(initial=0)) * (den // d) for d, nums, _ in pieces) >= 2**62)
            acc = np.zeros(size, dtype=object if big else np.int64)
            for d, nums, off in pieces:
                acc[off:off + len(nums)] += nums * (den // d)
            hit = self._arrays[key] = (den, acc)
        return hit

    def stats(self, kind: str, size: int, L: int, trunc: bool) -> list[Fraction]:
        """Sorted distinct values of the shapes of one size: ``kind`` ``main`` (a step; for
        refinement every split of it) or ``unsplit``; ``trunc`` drops the last offset."""
        key = (kind, size, trunc, self._key(L))
        hit = self._stats.get(key)
        if hit is None:
            n = size - 1 if trunc else size
            splits = range(1, size) if kind == "main" and self.over == "refinement" else (None,)
            found: set = set()
            for a in splits:
                den, arr = self.array(size, a, L)
                found.update(Fraction(int(x), den) for x in np.unique(arr[:n]))
            hit = self._stats[key] = sorted(found)
        return hit


def _integers(values: list[Fraction]) -> tuple[int, np.ndarray]:
    """``(den, numerators)`` of exact values over their common denominator (int64 when it fits)."""
    den = math.lcm(1, *(v.denominator for v in values))
    nums = [v.numerator * (den // v.denominator) for v in values]
    big = max((abs(x) for x in nums), default=0) >= 2**60
    return den, np.array(nums, dtype=object if big else np.int64)


# -- counting cases -----------------------------------------------------------------------------------


def n_cases(over: str, L: int) -> int:
    """Number of cases of ``over`` at ``L`` (closed forms, checked against enumeration in the tests)."""
    if over == "all":
        return 2 ** (L - 1)
    if over == "halving":
        return 2 ** (L - 1) - 1
    if over == "refinement":
        return (L - 1) * 2 ** (L - 2) if L >= 2 else 0
    if over == "small_steps":
        a, b = 1, 1  # compositions of n into 1s and 2s: Fibonacci
        for _ in range(L - 1):
            a, b = b, a + b
        return b
    raise ShapeUnsupported(f"no count for {over!r}")


def _count(L: int, top: int, unsplit_ok, split_ways) -> int:
    """Compositions of ``L`` with parts ``<= top`` whose every part ``p`` has ``unsplit_ok(p)``;
    with ``split_ways``, one marked part ``p`` instead carries ``split_ways(p)`` choices."""
    none, marked = [1] + [0] * L, [0] * (L + 1)
    for n in range(1, L + 1):
        for p in range(1, min(top, n) + 1):
            if unsplit_ok(p):
                none[n] += none[n - p]
                marked[n] += marked[n - p]
            if split_ways is not None:
                marked[n] += none[n - p] * split_ways(p)
    return marked[L] if split_ways is not None else none[L]


def group_count(over: str, L: int, smax: int, unsplit_ok=lambda p: True, split_ways=None) -> int:
    """Cases with largest step exactly ``smax`` (all cases by default) whose shapes pass the tests."""
    if over == "refinement" and split_ways is None:
        split_ways = lambda p: p - 1
    return (_count(L, smax, unsplit_ok, split_ways) - _count(L, smax - 1, unsplit_ok, split_ways))


# -- representative schedules -------------------------------------------------------------------------


def representative(over: str, L: int, smax: int, size: int, a: int | None = None, unsplit: bool = False) -> Case:
    """A full case with largest step ``smax`` whose first step (or, ``unsplit``, an unsplit first step)
    has the given shape: ``size``, then ``smax`` (or a 2 to split), then ones."""
    rest = []
    if size != smax:
        rest.append(smax)
    elif unsplit:
        rest.append(2)
    sizes = tuple([size] + rest + [1] * (L - size - sum(rest)))
    S = sch.Schedule(sizes)
    if over == "halving":
        return Case(L, sizes, refined=S.halved().sizes)
    if over == "refinement":
        R = S.split(1, 1) if unsplit else S.split(0, a)
        return Case(L, sizes, refined=R.sizes)
    return Case(L, sizes)


def smax_range(over: str, L: int) -> range:
    if over == "small_steps":
        return range(1, min(2, L) + 1)
    if over in ("halving", "refinement"):
        return range(2, L + 1)
    return range(1, L + 1)


def offsets(L: int, size: int, unsplit: bool) -> int:
    """How many offsets ``j`` of the shape are ``g`` positions (the composition ``(L)`` loses its last)."""
    return size - 1 if size == L and not unsplit else size


def _h_basis(h_coeffs: list[Fraction], L: int) -> tuple[Fraction, Fraction]:
    """(common ``g(u)`` coefficient, ``delta(L-1)`` coefficient) of ``sum_x c_x h(x)``; the ``g``
    part must not vary with ``u`` (the ``g(u)`` coefficient of ``h(x)`` is ``min(x, u+1)``)."""
    den, nums = _integers(h_coeffs)
    u1 = np.arange(1, L, dtype=nums.dtype)
    g = np.zeros(L - 1, dtype=nums.dtype)
    for x in np.flatnonzero(nums):
        g += nums[x] * np.minimum(x, u1)
    if len(np.unique(g)) > 1:
        raise ShapeUnsupported("a global term's g(u) coefficients vary with u")
    beta = sum(int(nums[x]) * int(x) for x in np.flatnonzero(nums))
    return Fraction(int(g[0]) if L > 1 else 0, den), Fraction(beta, den)


# -- the decision at one L ----------------------------------------------------------------------------

#: At most this many refuted shapes per clause and L get a full schedule and an exact certificate.
MAX_LISTED_REFUTATIONS = 32


@dataclass
class Group:
    """The global part of the slack for one ``s_max``: ``alpha`` (every ``g(u)``), ``beta``
    (``delta(L-1)``), the constant, the ``eps_train`` coefficient, or why it is not linear."""

    smax: int
    alpha: Fraction = Fraction(0)
    beta: Fraction = Fraction(0)
    const: Fraction = Fraction(0)
    eps: Fraction = Fraction(0)
    error: str = ""


@dataclass
class ShapeOutcome:
    """What the shape route found for one clause at one ``L`` (counts are of cases, computed)."""

    n_cases: int
    proved: int = 0
    not_linear: int = 0
    not_linear_reason: str = ""
    n_refuted: int = 0
    refuted_cases: list = field(default_factory=list)  # of Case, a full schedule per refuted shape
    min_slack: Fraction | None = None
    min_slack_at: Case | None = None


class ShapeDecider:
    """Shape route for one clause (cached across ``L``); :meth:`decide` answers one ``L``."""

    def __init__(self, clause: Clause):
        self.clause = clause
        self.form = shape_form(clause)
        self.over = clause.over
        self.values = ShapeValues(self.form, self.over)
        self._prefix: dict = {}
        self._constants: dict = {}
        self._quantities: dict = {}

    # per-size value sets -------------------------------------------------------------------------
    def _vals(self, kind: str, p: int, L: int, trunc: bool) -> list[Fraction]:
        return self.values.stats(kind, p, L, trunc)

    def _prefix_union(self, kind: str, n: int, L: int) -> list[Fraction]:
        """Sorted distinct values over sizes ``1..n`` (full offsets)."""
        key = (kind, L if self.form.reads_L else None)
        lst = self._prefix.setdefault(key, [[]])
        while len(lst) <= n:
            p = len(lst)
            lst.append(sorted(set(lst[-1]).union(self._vals(kind, p, L, False))))
        return lst[n]

    def _candidates(self, L: int, smax: int) -> list[tuple[str, list[Fraction]]]:
        """Value lists covering every shape realisable with largest step ``smax`` (covering lemma)."""
        small = min(smax - 1, L - smax)
        out = [("main", self._prefix_union("main", small, L)),
               ("main", self._vals("main", smax, L, trunc=smax == L))]
        if self.over == "refinement":
            out.append(("unsplit", self._prefix_union("unsplit", small, L)))
            if smax + 2 <= L:
                out.append(("unsplit", self._vals("unsplit", smax, L, False)))
        return out

    # globals -------------------------------------------------------------------------------------
    def _group(self, L: int, smax: int, prover) -> Group:
        """The global terms on any schedule with largest step ``smax``: each is a constant factor
        ``f(s_max) g(L)`` times a profile quantity, whose form is built once per ``L``."""
        grp = Group(smax, eps=self.form.kl_eps)
        for i, (sgn, f, g, g_smax, q) in enumerate(self._global_parts):
            try:
                c = self._constant((i, "f", smax), f, smax, smax) * self._constant(
                    (i, "g", L, smax if g_smax else None), g, L, smax)
                if not c:
                    continue
                alpha, beta, const, eps = self._quantity(q, L)
            except NotLinearError as exc:
                grp.error = f"not linear in the profile: {exc}"
                return grp
            grp.alpha += sgn * c * alpha
            grp.beta += sgn * c * beta
            grp.const += sgn * c * const
            grp.eps += sgn * c * eps
        return grp

    @cached_property
    def _global_parts(self) -> list[tuple]:
        """Each global term as ``(f, g, q)``: ``f`` reads only ``s_max``, ``g`` the rest of the
        constants (``L``), ``q`` the profile quantities."""
        out = []
        for sgn, term in self.form.globals_:
            f, g, q = [], [], []
            for factor in sp.Mul.make_args(term):
                if factor.has(*QUANTITIES):
                    q.append(factor)
                elif factor.free_symbols <= {s_max}:
                    f.append(factor)
                else:
                    g.append(factor)
            g = sp.Mul(*g)
            out.append((sgn, sp.Mul(*f), g, g.has(s_max), sp.Mul(*q)))
        return out

    def _constant(self, key, expr, L: int, smax: int) -> Fraction:
        """Exact value of a constant factor at ``L`` and ``s_max`` (through :mod:`theory.linear`)."""
        hit = self._constants.get(key)
        if hit is None:
            form = linear_form(expr, Case(L, (smax,) + (1,) * (L - smax)))
            if set(form) - {CONST}:
                raise ShapeUnsupported(f"factor {expr} of a global term is not a rational constant")
            hit = self._constants[key] = Fraction(form.get(CONST, 0))
        return hit

    def _quantity(self, q, L: int) -> tuple[Fraction, Fraction, Fraction, Fraction]:
        """``(alpha, beta, const, eps)`` of a schedule-free quantity at ``L`` (built once per ``L``)."""
        key = (q, L)
        hit = self._quantities.get(key)
        if hit is None:
            form = linear_form(q, Case(L))
            if any(isinstance(k, tuple) for k in form) or set(form) - {CONST, "eps_train"} - set(range(L + 1)):
                raise ShapeUnsupported(f"{q} is not a rational linear form of the profile")
            alpha, beta = _h_basis([Fraction(form.get(x, 0)) for x in range(L + 1)], L)
            hit = (alpha, beta, Fraction(form.get(CONST, 0)), Fraction(form.get("eps_train", 0)))
            if len(self._quantities) > 4096:
                self._quantities.clear()
            self._quantities[key] = hit
        return hit

    # one L ---------------------------------------------------------------------------------------
    def decide(self, L: int, prover) -> ShapeOutcome:
        """Every case of the clause's quantifier at ``L`` (see the module docstring)."""
        out = ShapeOutcome(n_cases(self.over, L))
        out.proved = -1  # set at the end: n_cases less the cases of groups that are not proved
        rel = self.clause.relation_type
        best: tuple | None = None  # (slack, smax, alpha or None for delta(L-1))
        for smax in smax_range(self.over, L):
            grp = self._group(L, smax, prover)
            if grp.error or grp.eps:
                out.not_linear += group_count(self.over, L, smax)
                out.not_linear_reason = out.not_linear_reason or (
                    grp.error or "not linear in the profile: eps_train does not cancel")
                continue
            const_ok = (grp.const == 0 if rel.symbol == "==" else grp.const > 0 if rel.strict else grp.const >= 0)
            if not (const_ok and self._ok(grp.beta, rel)):
                out.n_refuted += group_count(self.over, L, smax)
                self._list(out, representative(self.over, L, smax, smax, 1 if self.over == "refinement" else None))
                continue
            cands = self._candidates(L, smax)
            if all(self._ok(grp.alpha + v, rel) for _, vals in cands for v in vals[:1] + vals[-1:]):
                values = [v for _, vals in cands for v in self._min_positive(vals, grp.alpha)]
            else:
                values = self._partial(out, L, smax, grp, rel)
                if values is None:  # no proved case in this group
                    continue
            found = [(grp.alpha + v, smax, grp.alpha) for v in values if grp.alpha + v > 0]
            found += [(grp.beta, smax, None)] if grp.beta > 0 else []
            for item in found:
                if best is None or item[0] < best[0]:
                    best = item
        out.proved = out.n_cases - out.not_linear - out.n_refuted
        if best is not None:
            out.min_slack = best[0]
            out.min_slack_at = self._where(L, *best)
        return out

    @staticmethod
    def _ok(x: Fraction, rel) -> bool:
        return x == 0 if rel.symbol == "==" else x >= 0

    @staticmethod
    def _min_positive(vals: list[Fraction], alpha: Fraction) -> list[Fraction]:
        """The smallest ``v`` in the sorted ``vals`` with ``alpha + v > 0`` (as a list of 0 or 1)."""
        i = bisect.bisect_right(vals, -alpha)
        return vals[i:i + 1]

    def _shapes(self, L: int, smax: int):
        """Every shape realisable with largest step ``smax``: ``(size, split a, unsplit, values)``
        (the covering lemma; one pass over ``O(L)`` sizes, for groups with a failing shape)."""
        small = min(smax - 1, L - smax)
        for p in [*range(1, small + 1), smax]:
            n = p - 1 if p == L else p
            if self.over != "refinement":
                yield p, None, False, self.values.values(p, None, L)[:n]
                continue
            for a in range(1, p):
                yield p, a, False, self.values.values(p, a, L)[:n]
            if p <= small or smax + 2 <= L:
                yield p, None, True, self.values.values(p, None, L)

    def _partial(self, out: ShapeOutcome, L: int, smax: int, grp: Group, rel) -> list[Fraction] | None:
        """A group with failing shapes: count its proved cases by DP, list the failing shapes with a
        realising schedule, and return the values of the shapes that occur in some proved case
        (``None`` when no case of the group is proved)."""
        ok = lambda vals: all(self._ok(grp.alpha + v, rel) for v in vals)
        refinement = self.over == "refinement"
        trunc = lambda p: p - 1 if p == L and not refinement else p
        good = {p: ok(self.values.values(p, None, L)[:trunc(p)]) for p in range(1, smax + 1)}
        ways = ({p: sum(ok(self.values.values(p, a, L)[:p - 1 if p == L else p]) for a in range(1, p))
                 for p in range(1, smax + 1)} if refinement else None)
        split = ways.__getitem__ if refinement else None
        total = group_count(self.over, L, smax)
        proved = group_count(self.over, L, smax, good.__getitem__, split)
        out.n_refuted += total - proved
        usable: list[Fraction] = []
        for p, a, unsplit, vals in self._shapes(L, smax):
            if not ok(vals):
                self._list(out, representative(self.over, L, smax, p, a, unsplit))
            elif not proved:
                continue
            elif a is not None:  # some proved case splits this step at a
                if group_count(self.over, L, smax, good.__getitem__, lambda q, p=p: int(q == p)):
                    usable += vals
            elif proved > group_count(self.over, L, smax, lambda q, p=p: good[q] and q != p, split):
                usable += vals  # some proved case has an (unsplit) step of size p
        return usable if proved else None

    @staticmethod
    def _list(out: ShapeOutcome, case: Case) -> None:
        if len(out.refuted_cases) < MAX_LISTED_REFUTATIONS:
            out.refuted_cases.append(case)

    def _where(self, L: int, slack: Fraction, smax: int, alpha: Fraction | None) -> Case:
        """A realising schedule of a shape with this slack (for ``delta(L-1)``: any case of the group)."""
        if alpha is not None:
            for p, a, unsplit, vals in self._shapes(L, smax):
                if slack - alpha in vals:
                    return representative(self.over, L, smax, p, a, unsplit)
        return representative(self.over, L, smax, smax, 1 if self.over == "refinement" else None)
