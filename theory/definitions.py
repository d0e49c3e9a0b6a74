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


# -- Bernoulli unmasking and the unmasking growth complexity (Wainwright, arXiv 2608.13520) -------
#
# A Bernoulli-subset sampler reveals each position at an i.i.d. random step; between times p < q
# the numbers of revealed tokens are (M_p, M_q - M_p, L - M_q) ~ Multinomial(L; p, q - p, 1 - q).
# Every quantity below is, for rational arguments, a rational linear form in the profile; each is
# built here as a SymPy expression in g(u) (or h, delta) for a concrete L, so theory.linear expands
# it like any other definition.  Wainwright writes d for our L and e_k for our h(k);
# B_{k,n}(t) = C(n,k) t^k (1-t)^(n-k) and psi(t) = t/(1-t) (his eq. 14).

from fractions import Fraction as _F  # noqa: E402
from functools import lru_cache as _lru_cache  # noqa: E402
from math import comb as _comb, factorial as _fact  # noqa: E402

from .symbols import D_B, Gamma, Gamma_int, H_ugc, Hc, TSE, W_dyadic, W_geo, c_step, h_B  # noqa: E402

_x = sp.Symbol("x")
_jj = sp.Symbol("jj", integer=True)


class DomainError(ValueError):
    """A profile function was given arguments outside its domain (theory.linear reports it)."""


def psi(t):
    """Reveal odds psi(t) = t/(1-t) (Wainwright, arXiv 2608.13520, eq. 14)."""
    return t / (1 - t)


def _frac(x) -> _F:
    x = sp.nsimplify(x) if getattr(x, "is_Float", False) else sp.sympify(x)
    if not x.is_Rational:
        raise DomainError(f"{x} is not a rational number")
    return _F(int(x.p), int(x.q))


def _times(p, q, lo_open=False):
    p, q = _frac(p), _frac(q)
    if not (0 <= p < q <= 1) or (lo_open and p == 0):
        raise DomainError(f"times p={p}, q={q} need 0 {'<' if lo_open else '<='} p < q <= 1")
    return p, q


class GCoefficients(tuple):
    """``(c_0, ..., c_{L-2})`` standing for ``sum_u c_u g(u)`` (exact Fractions): what a builder of
    ``PROFILE_FORMS`` returns when the SymPy sum would only be expanded again term by term."""

    def expr(self) -> sp.Expr:
        return sp.Add(*(sp.Rational(c.numerator, c.denominator) * g(x) for x, c in enumerate(self) if c))


def _g_sum(coeffs) -> GCoefficients:
    return GCoefficients(_F(c) for c in coeffs)


def step_cost_def(L_, a, b) -> sp.Expr:
    """c(a, b) = (b - a) delta(a) - (h(b) - h(a)): the ideal error of revealing tokens a+1..b in one
    step (F2 of Li & Cai, arXiv 2505.21400, is KL_ideal = sum_k c(a_{k-1}, a_k)).  Equal to
    sum_{u=a}^{b-2} (b-1-u) g(u) (tests/theory/test_bernoulli_defs.py)."""
    a, b = int(a), int(b)
    if not 0 <= a <= b <= L_:
        raise DomainError(f"c(a, b) needs 0 <= a <= b <= L={L_}, got a={a}, b={b}")
    return (b - a) * delta(a) - (h(b) - h(a))


@_lru_cache(maxsize=None)
def _gamma_coeffs(L_: int, p: _F, q: _F) -> tuple:
    """g-coefficients of Gamma(p, q) = sum_{a<=b} P(M_p = a, M_q = b) c(a, b), using
    c(a, b) = sum_{u=a}^{b-2} (b-1-u) g(u)."""
    out = [_F(0)] * max(L_ - 1, 0)
    for a in (range(L_ + 1) if p else (0,)):  # M_0 = 0 and M_1 = L surely: skip the zero weights
        for b in (range(a + 2, L_ + 1) if q < 1 else ((L_,) if L_ >= a + 2 else ())):
            w = (_F(_fact(L_), _fact(a) * _fact(b - a) * _fact(L_ - b))
                 * p**a * (q - p) ** (b - a) * (1 - q) ** (L_ - b))
            if w:
                for x in range(a, b - 1):
                    out[x] += w * (b - 1 - x)
    return tuple(out)


def gamma_def(L_, p, q) -> sp.Expr:
    """Gamma(p, q) = E c(M_p, M_q), (M_p, M_q - M_p, L - M_q) ~ Multinomial(L; p, q-p, 1-q): the ideal
    error of one Bernoulli step from time p to time q (derived; notes/BER.md)."""
    return _g_sum(_gamma_coeffs(int(L_), *_times(p, q)))


@_lru_cache(maxsize=None)
def _bernstein_tails(m: int, t: _F) -> tuple:
    """``T_j = sum_{i=j}^{m} B_{i,m}(t)`` for j = 0..m+1 (so T_{m+1} = 0)."""
    B = [_comb(m, i) * t**i * (1 - t) ** (m - i) for i in range(m + 1)]
    tails = [_F(0)] * (m + 2)
    for i in range(m, -1, -1):
        tails[i] = tails[i + 1] + B[i]
    return tuple(tails)


def _integral_from_0(L_: int, u: int, k: int, t: _F) -> _F:
    """int_0^t L(L-1) x^k B_{u,L-2}(x) dx in closed form: x^k B_{u,n} = C(n,u)/C(n+k,u+k) B_{u+k,n+k}
    and int_0^t B_{j,m} = (1/(m+1)) sum_{i>j} B_{i,m+1}(t) (n = L-2; checked against SymPy's
    integration in tests/theory/test_bernoulli_defs.py)."""
    n = L_ - 2
    m, j = n + k, u + k
    if t == 0:
        return _F(0)
    tail = _F(1) if t == 1 else _bernstein_tails(m + 1, t)[j + 1]
    return _F(L_ * (L_ - 1) * _comb(n, u), _comb(m, j) * (m + 1)) * tail


@_lru_cache(maxsize=None)
def _integral(L_: int, u: int, k: int, p: _F, q: _F) -> _F:
    """int_p^q L(L-1) x^k B_{u,L-2}(x) dx, exactly."""
    return _integral_from_0(L_, u, k, q) - _integral_from_0(L_, u, k, p)


def h_B_prime_coeffs(L_: int, t) -> tuple:
    """h_B'(t) = L(L-1) sum_u B_{u,L-2}(t) g(u) (Wainwright, arXiv 2608.13520, eq. 16b)."""
    t = _frac(t)
    return tuple(L_ * (L_ - 1) * _comb(L_ - 2, x) * t**x * (1 - t) ** (L_ - 2 - x) for x in range(L_ - 1))


@_lru_cache(maxsize=None)
def _h_B_coeffs(L_: int, t: _F) -> tuple:
    # h_B(t) = L sum_{j=0}^{L-1} B_{j,L-1}(t) D(j), D(j) = sum_{u<j} g(u): g(u) gets L P(Bin(L-1, t) > u)
    tails = _bernstein_tails(L_ - 1, t)
    return tuple(L_ * tails[x + 1] for x in range(L_ - 1))


def h_B_def(L_, t) -> sp.Expr:
    """Bernoulli gain h_B(t) = L sum_{j=0}^{L-1} B_{j,L-1}(t) (delta(0) - delta(j)) (arXiv 2608.13520, eq. 16a)."""
    t = _frac(t)
    if not 0 <= t <= 1:
        raise DomainError(f"h_B(t) needs 0 <= t <= 1, got t={t}")
    return _g_sum(_h_B_coeffs(int(L_), t))


def gamma_integral_def(L_, p, q) -> sp.Expr:
    """Gamma(p, q) as int_p^q (q - x) h_B'(x) dx, the Bernstein polynomials integrated exactly."""
    L_ = int(L_)
    p, q = _times(p, q)
    return _g_sum([q * _integral(L_, x, 0, p, q) - _integral(L_, x, 1, p, q) for x in range(L_ - 1)])


def ugc_def(L_, p, q) -> sp.Expr:
    """UGC H(p, q) = int_p^q t(1-t) h_B'(t) dt (arXiv 2608.13520, eq. 16c), exactly."""
    L_ = int(L_)
    p, q = _times(p, q)
    return _g_sum([_integral(L_, x, 1, p, q) - _integral(L_, x, 2, p, q) for x in range(L_ - 1)])


def card_ugc_def(L_, a, b) -> sp.Expr:
    """Card-UGC Hc(a, b) = sum_{j=a+1}^{b-1} j(L-j)/L g(j-1) (arXiv 2608.13520, eq. 18)."""
    a, b = int(a), int(b)
    if not 0 <= a < b <= L_:
        raise DomainError(f"Hc(a, b) needs 0 <= a < b <= L={L_}, got a={a}, b={b}")
    return _g_sum(_F((x + 1) * (L_ - 1 - x), L_) if a <= x <= b - 2 else 0 for x in range(L_ - 1))


def d_b_def(L_, p, q) -> sp.Expr:
    """Wainwright's D(p, q) = (q - p)(h_B(q) - h_B(p)) (arXiv 2608.13520, Lemma 1)."""
    p, q = _times(p, q)
    P, Q = sp.Rational(p.numerator, p.denominator), sp.Rational(q.numerator, q.denominator)
    return (Q - P) * (h_B(Q) - h_B(P))


def dyadic_points(p, q) -> tuple:
    """The reveal-odds-dyadic partition of [p, q] (arXiv 2608.13520, eqs. 32a-c):
    J = ceil(log2(psi(q)/psi(p))), psi(v_j) = min(2^j psi(p), psi(q)), v_0 = p, v_J = q."""
    p, q = _times(p, q, lo_open=True)
    if q == 1:
        raise DomainError("the dyadic partition needs q < 1 (psi(1) is infinite)")
    lo, hi = psi(p), psi(q)
    pts, j = [p], 0
    while pts[-1] < q:
        j += 1
        odds = min(2**j * lo, hi)
        pts.append(odds / (1 + odds))
    return tuple(pts)


def w_dyadic_def(L_, p, q) -> sp.Expr:
    """sum_{j<J} D(v_j, v_{j+1}) over the reveal-odds-dyadic partition of [p, q]."""
    v = [sp.Rational(x.numerator, x.denominator) for x in dyadic_points(p, q)]
    return sp.Add(*(D_B(a, b) for a, b in zip(v, v[1:])))


def geometric_ratio(L_: int, N: int) -> int | None:
    """``r = (L-1)^(2/N)`` when it is rational (then it is an integer: a rational root of an
    integer is an integer), else ``None``; exact integer root, no floats."""
    L_, N = int(L_), int(N)
    if L_ < 3 or N < 1:
        return None
    n = (L_ - 1) ** 2
    r = round(n ** (1.0 / N))
    for c in (r - 1, r, r + 1):
        if c >= 1 and c**N == n:
            return c
    return None


def geometric_points(L_: int, N: int) -> tuple:
    """Wainwright's geometric grid (arXiv 2608.13520, Corollary 1, eq. 21): ``t_0 = 1/L``,
    ``psi(t_{j+1}) = (1 + rho) psi(t_j)`` with ``1 + rho = r = (L-1)^(2/N)``, so
    ``psi(t_j) = r^j/(L-1)``, ``t_j = r^j/(L - 1 + r^j)`` and ``t_N = 1 - 1/L``."""
    r = geometric_ratio(L_, N)
    if r is None:
        raise DomainError(f"the geometric grid at L={L_} with N={N} steps has irrational points "
                          f"((L-1)^(2/N) is not an integer)")
    return tuple(_F(r**j, L_ - 1 + r**j) for j in range(int(N) + 1))


def w_geo_def(L_, N) -> sp.Expr:
    """sum_{j<N} Gamma(t_j, t_{j+1}) over the geometric grid (the middle part, [1/L, 1 - 1/L])."""
    v = [sp.Rational(x.numerator, x.denominator) for x in geometric_points(L_, N)]
    return sp.Add(*(Gamma(a, b) for a, b in zip(v, v[1:])))


def rho_ab(a, b):
    """rho_ab = L(b - a - 1)/((a + 1)(L - b)) (arXiv 2608.13520, Lemma 5)."""
    return L * (b - a - 1) / ((a + 1) * (L - b))


#: Functions of several (case-constant) arguments: ``f(args)`` expands to ``BUILDERS[f](L, *args)``.
PROFILE_FORMS = {c_step: step_cost_def, Gamma: gamma_def, Gamma_int: gamma_integral_def, h_B: h_B_def,
                 H_ugc: ugc_def, Hc: card_ugc_def, D_B: d_b_def, W_dyadic: w_dyadic_def, W_geo: w_geo_def}

#: TSE = sum_{k=1}^{L} (h(k) - (k/L) h(L)) (arXiv 2608.13520, Proposition 3).
SCALAR_DEFINITIONS[TSE] = sp.Sum(h(k) - k / L * h(L), (k, 1, L))
