"""Definitions of the named quantities in terms of the profile ``h`` (derived in notes/00-overview.md).

These are the only places where the quantities are written down; everything that
evaluates or proves a statement expands it through :mod:`theory.linear`, which
reads this module.
"""

import sympy as sp

from .symbols import (DTC, H, KL_ideal, MI, TC, L, D, c_s, delta, e, g, h, k, m, s, T, u, omega, s_step)

#: delta(m) = h(m+1) - h(m): mean conditional entropy of a fresh token given m others.
def delta_def(x):
    return h(x + 1) - h(x)


#: g(u) = delta(u) - delta(u+1): mean pairwise conditional mutual information.
def g_def(x):
    return delta(x) - delta(x + 1)


#: D(w) = delta(0) - delta(w) = sum_{u<w} g(u).
def D_def(x):
    return delta(0) - delta(x)


SCALAR_DEFINITIONS = {
    H: h(L),
    # MI = sum_i I(X_i; X_{-i}) = sum_i [H(X_i) + H(X_{-i}) - H(X)]
    MI: L * (h(1) + h(L - 1) - h(L)),
    # TC = sum_i H(X_i) - H(X)
    TC: L * h(1) - h(L),
    # DTC = H(X) - sum_i H(X_i | X_{-i})
    DTC: h(L) - L * (h(L) - h(L - 1)),
}

#: F2, h-form: the exact error of the optimal predictor for a schedule (s_1..s_T).
KL_IDEAL_H_FORM = sp.Sum(s[k] * delta(m[k]) - (h(m[k] + s[k]) - h(m[k])), (k, 1, T))

#: F2, omega-form: schedule weights times the pairwise profile.
KL_IDEAL_OMEGA_FORM = sp.Sum(omega(u) * g(u), (u, 0, L - 2))

#: S3: weight of g(u) in E_r KL_ideal for the randomized-offset family with step s (the definition).
_kk = sp.Symbol("kk", integer=True)
C_S_SUM = sp.Lambda(u, sp.Sum(sp.Min(_kk, L - 1 - u), (_kk, 0, s_step - 1)) / s_step)

#: The same weight in closed form, with t = L-1-u the room after u: (s-1)/2 when t >= s-1, else
#: (t(t+1)/2 + (s-1-t) t)/s.  theory.derivations proves it equal to C_S_SUM (c_s_inner, c_s_tail)
#: and checks it exactly against the sum (c_s_table); statements use it, so that evaluating S3 at
#: L in the thousands costs one expression per u instead of s.
_t = L - 1 - u
C_S = sp.Lambda(u, sp.Piecewise(((s_step - 1) / 2, _t >= s_step - 1),
                                ((_t * (_t + 1) / 2 + (s_step - 1 - _t) * _t) / s_step, True)))

FUNCTION_DEFINITIONS = {delta: delta_def, g: g_def, D: D_def}

#: Named numeric weights (functions of the index and the case constants only).
COEFFICIENT_DEFINITIONS = {c_s: C_S}


def steps(sizes):
    """(k, s_k, m_k, e_k) for k = 1..T of a schedule given by its sizes."""
    out, acc = [], 0
    for idx, sz in enumerate(sizes, 1):
        out.append((idx, sz, acc, acc + sz - 1))
        acc += sz
    return out


def omega_weights(sizes) -> list[int]:
    """omega(0..L-2): e_k - u on step k's range m_k <= u < e_k, and 0 at u = e_k."""
    L_ = sum(sizes)
    w = [0] * max(L_ - 1, 0)
    for _, sz, mk, ek in steps(sizes):
        for x in range(mk, min(ek, L_ - 1)):
            w[x] = ek - x
    return w
