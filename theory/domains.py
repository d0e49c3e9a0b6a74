"""Integer parameter domains of the quantifiers, for proofs that hold for every ``L``.

For a fixed ``L`` and schedule, the slack of a linear clause in the basis
``g(0..L-2), delta(L-1)`` is a list of rational numbers.  For every ``L`` at once, the
coefficient of ``g(u)`` is an expression in a few integer parameters that describe the
neighbourhood of ``u``; this module says, per quantifier name of
:data:`theory.registry.QUANTIFIERS`, which parameters those are and which integer
constraints they satisfy (the domain a sign proof must cover).

Schedule quantifiers describe *the step containing position u*: it starts at ``m_u``, has
size ``s_u`` and ``u = m_u + j_u`` with ``0 <= j_u < s_u``; the schedule has ``T`` steps and
largest step ``s_max``.  Any composition of ``L`` with a step ``(m_u, s_u)`` satisfies

    0 <= m_u,  1 <= s_u <= s_max <= L,  m_u + s_u <= L,  1 <= T,  T - 1 <= L - s_max,

and conversely every point of this domain (with ``u <= L-2``) is realised by some schedule,
so a sign proved on the domain is a sign for every schedule of every ``L``.  Refinements
add the split point ``a`` of the step (``1 <= a < s_u``); P2's halving splits every step
at ``a = ceil(s_u/2)``, i.e. ``s_u <= 2a <= s_u + 1``.  Balanced schedules (Li & Cai,
arXiv 2505.21400, Corollary 1) have sizes in ``{floor(L/T), ceil(L/T)}``:
``T(s_u - 1) <= L - 1`` and ``T(s_u + 1) >= L + 1``, with ``s_max = ceil(L/T)``.

The one lemma about a non-affine term is :data:`POW2_CEIL_LOG2` (P1's constant).

SymPy only; nothing here imports from ``proofs_check``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .symbols import L, T, s_max, s_step, u

m_u = sp.Symbol("m_u", integer=True)
s_u = sp.Symbol("s_u", integer=True)
j_u = sp.Symbol("j_u", integer=True)
a_split = sp.Symbol("a", integer=True)
u_0 = sp.Symbol("u_0", integer=True)  # the u bound by an ``each_u`` clause (u is the basis index)
m_o = sp.Symbol("m_o", integer=True)  # another step of the same schedule (locality lemma)
s_o = sp.Symbol("s_o", integer=True)


@dataclass(frozen=True)
class LocalCase:
    """One region of the parameter space of a quantifier.

    ``constraints``: integer inequalities (SymPy relations) describing the region, for a
    position ``u`` in ``0..L-1``; the ``g(u)`` coefficient is read with ``u <= L-2`` added.
    ``subs``: parameters fixed by the quantifier (``T = 1`` for the one-step schedule).
    ``u_expr``: ``u`` in the local parameters.  ``step``/``refined_step``: ``(start, size)``
    of the step containing ``u`` in the schedule and in its refinement; ``refined_T``: the
    refinement's number of steps when it is a local expression.  ``bind``: ``(symbol, value)``
    for a clause's own bound index.
    """

    label: str
    constraints: tuple
    subs: tuple = ()
    u_expr: sp.Expr = u
    step: tuple | None = None
    refined_step: tuple | None = None
    refined_T: sp.Expr | None = None
    bind: tuple = ()

    @property
    def params(self) -> tuple:
        syms = set()
        for c in self.constraints:
            syms |= c.free_symbols
        return tuple(sorted(syms, key=str))


def _schedule(extra=(), subs=None) -> tuple:
    base = (sp.Ge(L, 1), sp.Ge(T, 1), sp.Le(T, L - s_max + 1), sp.Ge(s_max, 1), sp.Le(s_max, L),
            sp.Ge(m_u, 0), sp.Ge(s_u, 1), sp.Le(s_u, s_max), sp.Le(m_u + s_u, L),
            sp.Ge(j_u, 0), sp.Le(j_u, s_u - 1)) + tuple(extra)
    subs = dict(subs or {})
    out = []
    for c in base:
        c = c.subs(subs)
        if c is sp.false:
            raise ValueError(f"empty domain: {c}")
        if c is not sp.true:
            out.append(c)
    return tuple(out)


_U = m_u + j_u
_STEP = (m_u, s_u)
_SPLIT = (sp.Ge(a_split, 1), sp.Le(a_split, s_u - 1))
_HALF = (sp.Ge(2 * a_split, s_u), sp.Le(2 * a_split, s_u + 1))
_ONE_STEP = {T: 1, s_max: L, m_u: 0, s_u: L}
_ALL_ONES = {T: L, s_max: 1, s_u: 1, j_u: 0}
_BALANCED = (sp.Le(T * (s_u - 1), L - 1), sp.Ge(T * (s_u + 1), L + 1),
             sp.Le(T * (s_max - 1), L - 1), sp.Ge(T * s_max, L))
_POSITION = (sp.Ge(L, 1), sp.Ge(u, 0), sp.Le(u, L - 1))

#: Quantifiers with no symbolic domain: adaptive policies choose by the revealed *values*, so
#: their clauses are not functions of the profile and are checked on instances only.
NO_SYMBOLIC_DOMAIN = ("policy", "policy_random")
#: Quantifiers whose clauses are linear in the profile but have no symbolic domain yet, with why:
#: they are decided case by case (``dlm-verify prove``, every case up to its max-L).
FINITE_ONLY: dict[str, str] = {
    "times": "its cases are rational time pairs (p, q), not integer parameters; the coefficients of "
             "Gamma, H and D are polynomials in p, q of degree up to L with no closed form in L",
    "cuts": "the slack of c(a, b) <= rho_ab Hc(a, b) is a rational function of (a, b, L) whose sign needs "
            "a case split the Farkas search does not make",
    "geometric": "one case per L = 2^k + 1 with N = 2k grid points t_j = 2^j/(2^k + 2^j): the coefficients "
                 "are sums of N terms with no closed form in k",
}

#: Per quantifier name: the regions its cases fall into (see the module docstring).
DOMAINS: dict[str, tuple[LocalCase, ...]] = {
    "profile": (LocalCase("every L", _POSITION),),
    "each_u": (LocalCase("every L and u_0 <= L-2", _POSITION + (sp.Ge(u_0, 0), sp.Le(u_0, L - 2)),
                         bind=((u, u_0),)),),
    "all": (LocalCase("every schedule", _schedule(), u_expr=_U, step=_STEP),),
    "balanced": (LocalCase("balanced schedules", _schedule(_BALANCED), u_expr=_U, step=_STEP),),
    "one_step": (LocalCase("the schedule (L)", _schedule(subs=_ONE_STEP), subs=tuple(_ONE_STEP.items()),
                           u_expr=j_u, step=(0, L)),),
    "all_ones": (LocalCase("the schedule (1,...,1)", _schedule(subs=_ALL_ONES), subs=tuple(_ALL_ONES.items()),
                           u_expr=m_u, step=(m_u, 1)),),
    "small_steps": (LocalCase("schedules with s_max <= 2", _schedule((sp.Le(s_max, 2),)), u_expr=_U, step=_STEP),),
    "refinement": (
        LocalCase("u outside the split step", _schedule((sp.Ge(s_max, 2),)), u_expr=_U, step=_STEP,
                  refined_step=_STEP, refined_T=T + 1),
        LocalCase("u in the first part (j_u < a)", _schedule(_SPLIT + (sp.Le(j_u, a_split - 1),)), u_expr=_U,
                  step=_STEP, refined_step=(m_u, a_split), refined_T=T + 1),
        LocalCase("u in the second part (j_u >= a)", _schedule(_SPLIT + (sp.Ge(j_u, a_split),)), u_expr=_U,
                  step=_STEP, refined_step=(m_u + a_split, s_u - a_split), refined_T=T + 1),
    ),
    "halving": (
        LocalCase("u in the first half (j_u < a = ceil(s_u/2))",
                  _schedule(_HALF + (sp.Ge(s_max, 2), sp.Le(j_u, a_split - 1))), u_expr=_U, step=_STEP,
                  refined_step=(m_u, a_split)),
        LocalCase("u in the second half (j_u >= a = ceil(s_u/2))",
                  _schedule(_HALF + (sp.Ge(s_max, 2), sp.Ge(j_u, a_split))), u_expr=_U, step=_STEP,
                  refined_step=(m_u + a_split, s_u - a_split)),
    ),
    "offset": (LocalCase("offset family, 1 <= s <= L", _POSITION + (sp.Ge(s_step, 1), sp.Le(s_step, L))),),
    "exists": (LocalCase("offset witness s = s_max, 2 <= s <= L",
                         _POSITION + (sp.Ge(s_step, 2), sp.Le(s_step, L)), subs=((s_max, s_step),)),),
}


def assumption_constraints(symbols) -> tuple:
    """``x >= 1`` for the positive integer symbols (``L``, ``T``, ``s_max``, ``s``): SymPy folds
    ``Ge(L, 1)`` to ``True``, so a domain states them explicitly (unevaluated) here."""
    return tuple(sp.Ge(x, 1, evaluate=False) for x in sorted(symbols, key=str) if x.is_positive and x.is_integer)


def other_steps(start, size) -> dict[str, tuple]:
    """Domains of another step ``(m_o, s_o)`` of the same composition of ``L``: before or after
    the step ``(start, size)``.  Used to show a per-step term does not reach position ``u``."""
    return {"before": (sp.Ge(m_o, 0), sp.Ge(s_o, 1), sp.Le(m_o + s_o, start)),
            "after": (sp.Ge(m_o, start + size), sp.Ge(s_o, 1), sp.Le(m_o + s_o, L))}


# -- lemmas about non-affine terms ---------------------------------------------------------------


@dataclass(frozen=True)
class Lemma:
    name: str
    text: str

    def match(self, expr) -> sp.Expr | None:
        """The argument ``x`` if ``expr`` is ``2**ceiling(log2 x)``, else ``None``."""
        if not (isinstance(expr, sp.Pow) and expr.base == 2 and isinstance(expr.exp, sp.ceiling)):
            return None
        arg = sp.simplify(expr.exp.args[0] * sp.log(2))
        return arg.args[0] if isinstance(arg, sp.log) else None

    def constraints(self, symbol, x) -> tuple:
        """What the lemma lets a proof use about ``symbol = 2**ceiling(log2 x)`` (``x >= 1``)."""
        return (sp.Ge(symbol, x), sp.Ge(symbol, 1))


#: 2^ceil(log2 x) >= x for every integer x >= 1: ceil(t) >= t and 2^t is increasing, so
#: 2^ceil(log2 x) >= 2^log2 x = x.  Checked by SymPy (:func:`pow2_lemma_symbolic`) and on
#: x = 1..4096 exactly (tests).  It is the only fact a proof may use about P1's constant.
POW2_CEIL_LOG2 = Lemma("pow2_ceil_log2", "2^ceiling(log2 x) >= x for integers x >= 1")


def pow2_lemma_symbolic() -> bool:
    """SymPy's own reasoning: for real t, ceiling(t) - t = frac(-t) >= 0 (ceiling(t) = -floor(-t)),
    and 2^y is increasing in y; so 2^ceiling(log2 x) >= 2^(log2 x) = x."""
    t = sp.Symbol("t", real=True)
    y = sp.Symbol("y", real=True)
    gap = sp.ceiling(t) - t
    return (sp.simplify(gap.rewrite(sp.floor) - sp.frac(-t).rewrite(sp.floor)) == 0
            and bool(sp.frac(-t).is_nonnegative) and (sp.ceiling(t) >= t) is sp.true
            and bool(sp.diff(2 ** y, y).is_positive))


def pow2_lemma_finite(upto: int) -> bool:
    """Exact check of the lemma for x = 1..upto (integer ceil(log2 x) via bit lengths, and
    SymPy's own evaluation of the registry form)."""
    for x in range(1, upto + 1):
        p = 1 << (x - 1).bit_length()
        if p < x:
            return False
    xs = sp.Symbol("x", integer=True, positive=True)
    form = 2 ** sp.ceiling(sp.log(xs, 2))
    return all(form.subs(xs, x) >= x for x in range(1, min(upto, 300) + 1))
