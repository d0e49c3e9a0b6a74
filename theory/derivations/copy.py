"""S1 is tight: on the copy distribution ``X_1 = ... = X_L`` a schedule whose first step is a
largest one has ``KL_ideal = (s_max - 1)/L MI`` exactly.  Proof sketch: ``notes/S1.md``.
"""

from __future__ import annotations

import sympy as sp

from ..definitions import KL_IDEAL_H_FORM, SCALAR_DEFINITIONS, delta_def
from ..linear import Case, linear_form
from ..symbols import KL_ideal, MI, H, L, delta, h, k, m, s, s_max
from .common import Identity, Table, form_to_h, s1_constant

_x = sp.Symbol("x", integer=True, nonnegative=True)

#: The copy distribution's profile (defined here; the registry has no distributions):
#: ``h(0) = 0`` and ``h(m) = H`` for ``m >= 1`` (all tokens equal, each of entropy ``H``).
COPY_PROFILE = sp.Lambda(_x, sp.Piecewise((0, sp.Eq(_x, 0)), (H, True)))


def _on_profile(expr, profile=COPY_PROFILE) -> sp.Expr:
    """Expand ``delta`` through its definition, then put ``profile`` in for ``h``."""
    expr = expr.replace(delta, lambda a: delta_def(a))
    return sp.simplify(expr.replace(h, lambda a: profile(a)))


def s1_copy_tightness() -> Identity:
    """On copy, a schedule whose first step is ``s_max`` has ``KL_ideal = (s_max - 1) H``, which is
    S1's bound ``(s_max - 1)/L * MI`` (``MI = L H`` on copy): S1 is tight, symbolic in ``H``, ``s_max``.

    The per-step term of the registry's ``KL_IDEAL_H_FORM``, ``s_k delta(m_k) - (h(m_k+s_k) - h(m_k))``,
    is ``(s_max - 1) H`` for the first step (``m_1 = 0``, ``s_1 = s_max``) and 0 for every later step
    (``m_k >= 1``: ``h`` is flat there). ``MI`` from the registry's definition is ``L H`` for
    ``L >= 2`` (written ``L = n + 1``, ``n >= 1``).
    """
    term = KL_IDEAL_H_FORM.function
    first = _on_profile(term.subs({s[k]: s_max, m[k]: 0}))
    mk = sp.Symbol("m_k", integer=True, positive=True)
    sk = sp.Symbol("s_k", integer=True, positive=True)
    later = _on_profile(term.subs({s[k]: sk, m[k]: mk}))
    n = sp.Symbol("n", integer=True, positive=True)
    mi_copy = sp.simplify(_on_profile(SCALAR_DEFINITIONS[MI].subs(L, n + 1)).subs(n, L - 1))
    bound = sp.simplify(s1_constant() * mi_copy)
    return Identity("S1 tight on copy", first + later, bound,
                    {"first_step": first, "later_step": later, "MI_copy": mi_copy})


def copy_ideal_errors(schedules) -> Table:
    """Exact ``KL_ideal`` and S1's bound on copy for concrete schedules, via :mod:`theory.linear`.

    Columns: ``sizes``, ``KL`` (the registry's ``KL_ideal`` linear form with the copy profile, a
    multiple of ``H``), ``bound`` (S1's ``(s_max-1)/L * MI`` on copy), ``first`` (``(s_1 - 1) H``).
    Expected: ``KL == first`` always and ``KL == bound`` iff the first step is a largest one.
    """
    rows = []
    for sizes in schedules:
        sizes = tuple(sizes)
        case = Case(sum(sizes), sizes)
        kl = _form_on_copy(linear_form(KL_ideal, case))
        mi = _form_on_copy(linear_form(MI, case))
        bound = sp.simplify(s1_constant().subs({s_max: max(sizes), L: sum(sizes)}) * mi)
        rows.append((sizes, kl, bound, (sizes[0] - 1) * H))
    return Table("copy: KL_ideal vs S1 bound", ("sizes", "KL", "bound", "first"), tuple(rows))


def _form_on_copy(form) -> sp.Expr:
    """A linear form in ``h`` evaluated on :data:`COPY_PROFILE` (a multiple of ``H``)."""
    return sp.simplify(form_to_h(form).replace(h, lambda a: COPY_PROFILE(a)))
