"""The optimal ``T``-step schedule: ``OPT(T)``, the least ideal error over compositions of ``L``.

Step cost
---------
Revealing the tokens ``a+1..b`` (counts, not positions) in one step costs

    c(a, b) = (b - a) delta(a) - (h(b) - h(a)) = sum_{u=a}^{b-2} (b - 1 - u) g(u)  >= 0,

and the ideal error of a schedule with cumulative counts ``0 = a_0 < a_1 < ... < a_T = L`` is
``KL_ideal = sum_k c(a_{k-1}, a_k)`` (the h-form of the exact decomposition of the error of the
optimal predictor, proved in ``notes/F2.md``; Li & Cai, arXiv 2505.21400, Theorem 1's proof
bounds the same sum).  So ``OPT(T) = min over compositions of L into T parts`` is a shortest
path with exactly ``T`` edges in the DAG ``0 -> ... -> L``:

    F_0(0) = 0,   F_t(b) = min_{a < b} F_{t-1}(a) + c(a, b),   OPT(T) = F_T(L),

``O(T L^2)`` for every ``T <= N`` at once.  ``OPT`` is non-increasing in ``T < L``: splitting a
step at ``m`` changes the cost by ``c(a, m) + c(m, b) - c(a, b) = -(b - m)(delta(a) - delta(m))
<= 0`` (the refinement identity, ``notes/F4.md``).

Certification
-------------
The DP runs in float64 on ``h`` values that carry a rigorous error bound ``E``
(``float_with_error`` of the exact profile).  Every path's float sum is within

    eps = 2 (L + T) (2 E + (8 + 2 T) u H),   H = max |h|,  u = 2^-53,

of its true value (each edge ``a -> b``: inputs ``2E(b - a + 1)``, rounding ``8 u H (b - a + 1)``;
the ``T`` additions along a path ``2 u T H (L + T)``; doubled for the second-order terms), and
rounding is monotone, so the DP's float minimum is the least float path sum.  Hence

    OPT(T) >= F_T(L) - eps   and   OPT(T) <= KL_ideal(returned schedule) (exact).

Near ties are then re-decided exactly: an edge survives when the best float path through it,
less ``3 eps`` and its own rounding, is not above the exact value of the returned schedule; every
optimal schedule uses only surviving edges, and a DP over them with exact (LogLinear) values and
certified comparisons (:func:`proofs_check.numerics.certify.sign`) returns a schedule that is
optimal exactly.  When the profile is only known as enclosures (a long Markov chain) or too many
edges survive, the result is the certified bracket ``[lower, value]`` instead, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory.linear import Case, linear_form
from theory.symbols import KL_ideal

from proofs_check.errors import ScheduleError
from proofs_check.model.instance import dot
from proofs_check.model.schedules import Schedule
from proofs_check.numerics.certify import sign
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.profile import InformationProfile

_U = 2.0**-53
#: Rows of ``b`` per block of the float DP (bounds the temporary at ``(L + 1) x BLOCK`` floats).
BLOCK = 512
#: Exact re-decision runs only when at most this many edges survive the float pruning.
EXACT_MAX_EDGES = 200_000


def step_cost(h, a, b):
    """``c(a, b) = (b - a) delta(a) - (h(b) - h(a))``: reveal counts ``a -> b`` in one step.

    ``h`` is a sequence of exact values (LogLinear, Enclosure: the result is exact of that kind)
    or a float numpy array, in which case ``a`` and ``b`` may be integer arrays (broadcast).
    """
    if isinstance(h[a], LogLinear):  # one exact combination instead of four
        return LogLinear.combination((c, h[m]) for m, c in step_form(a, b).items())
    return (b - a) * (h[a + 1] - h[a]) - (h[b] - h[a])


def step_form(a: int, b: int) -> dict[int, int]:
    """``c(a, b)`` as integer coefficients of ``h``: ``(b-a) h(a+1) + (1-(b-a)) h(a) - h(b)``."""
    out: dict[int, int] = {}
    for m, c in ((a + 1, b - a), (a, 1 - (b - a)), (b, -1)):
        out[m] = out.get(m, 0) + c
    return {m: c for m, c in out.items() if c}


def cumulative(sizes) -> list[int]:
    """``0 = a_0 < a_1 < ... < a_T = L`` of a schedule given by its sizes."""
    out = [0]
    for s in sizes:
        out.append(out[-1] + s)
    return out


def schedule_value(profile: InformationProfile, sizes):
    """Exact ``KL_ideal`` of a schedule (the registry's F2 form, evaluated on the exact profile)."""
    atoms = dict(enumerate(profile.h_exact))
    return dot(linear_form(KL_ideal, Case(profile.L, tuple(sizes))), atoms)


@dataclass(frozen=True)
class FloatProfile:
    """``h(0..L)`` in float64 with a rigorous bound ``err`` on ``max_m |h_float(m) - h(m)|``."""

    h: np.ndarray
    err: float

    @classmethod
    def of(cls, profile: InformationProfile) -> "FloatProfile":
        pairs = [LogLinear.coerce(x).float_with_error() if not hasattr(x, "float_with_error")
                 else x.float_with_error() for x in profile.h_exact]
        h = np.array([v for v, _ in pairs], dtype=np.float64)
        return cls(h, max(e for _, e in pairs))

    @property
    def L(self) -> int:
        return len(self.h) - 1

    def eps(self, T: int) -> float:
        """Bound on |float path sum - true path sum| for any path of at most ``T`` edges."""
        H = float(np.max(np.abs(self.h)))
        return 2 * (self.L + T) * (2 * self.err + (8 + 2 * T) * _U * H) + 1e-300


@dataclass(frozen=True)
class Optimum:
    """``OPT(T)``: a schedule, its exact ``KL_ideal`` and what is certified about it.

    ``exact``: the schedule is proven optimal (near ties re-decided exactly), so ``value`` is
    ``OPT(T)``; otherwise ``lower <= OPT(T) <= value`` is what is certified.  ``lower`` is a
    rigorous float lower bound in either case; ``survivors`` counts the edges left after pruning.
    """

    T: int
    schedule: Schedule
    value: object  # LogLinear, or an Enclosure for profiles known only as enclosures
    lower: float
    exact: bool
    survivors: int | None = None


def cost_matrix(fp: FloatProfile) -> np.ndarray:
    """Float ``C[a, b] = c(a, b)`` for ``0 <= a < b <= L`` (``inf`` where ``a >= b``); rows ``a = 0..L-1``.

    Stored ``b``-major (``C`` is the transpose of a contiguous array), so the DP's minimum over
    ``a`` for a block of ``b`` runs along contiguous memory.
    """
    L = fp.L
    b = np.arange(L + 1)[:, None]
    a = np.arange(L)[None, :]
    CT = step_cost(fp.h, a, b)
    CT[a >= b] = np.inf
    return CT.T


def forward(C: np.ndarray, N: int, sizes=None) -> tuple[np.ndarray, np.ndarray]:
    """``F[t, b]``: least float cost of reaching count ``b`` in ``t`` steps, and its argmin ``a``.

    ``sizes``: only steps of these sizes (``O(N L |sizes|)``); otherwise every ``a < b``
    (``O(N L^2)``, in blocks of ``BLOCK`` counts ``b``).
    """
    L = C.shape[0]
    F = np.full((N + 1, L + 1), np.inf)
    F[0, 0] = 0.0
    arg = np.zeros((N + 1, L + 1), dtype=np.int64)
    CT = C.T
    for t in range(1, N + 1):
        prev = F[t - 1, :L]
        if sizes is not None:
            _sized_layer(C, prev, sizes, F[t], arg[t])
            continue
        for b0 in range(0, L + 1, BLOCK):
            b1 = min(b0 + BLOCK, L + 1)
            n = min(b1, L)  # only a < b1 can reach this block
            tot = CT[b0:b1, :n] + prev[None, :n]
            k = np.argmin(tot, axis=1)
            arg[t, b0:b1] = k
            F[t, b0:b1] = tot[np.arange(b1 - b0), k]
    return F, arg


def _sized_layer(C, prev, sizes, F_t, arg_t) -> None:
    """One DP layer restricted to steps of the given sizes (smallest ``a`` wins float ties)."""
    L = C.shape[0]
    for s in sorted(sizes, reverse=True):  # larger s = smaller a: it must win ties, so goes first
        if not 1 <= s <= L:
            continue
        b = np.arange(s, L + 1)
        cand = prev[b - s] + C[b - s, b]
        better = cand < F_t[b]
        F_t[b[better]] = cand[better]
        arg_t[b[better]] = (b - s)[better]


def backtrack(arg: np.ndarray, T: int, end: int) -> list[int]:
    """Cumulative counts ``a_0 = 0, ..., a_T = end`` of the path the float DP chose."""
    cuts, b = [end], end
    for t in range(T, 0, -1):
        b = int(arg[t, b])
        cuts.append(b)
    return cuts[::-1]


def from_cuts(cuts) -> Schedule:
    return Schedule(tuple(y - x for x, y in zip(cuts, cuts[1:])))


def _check_T(T, L: int) -> None:
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= L:
        raise ScheduleError(f"number of steps T={T!r} must be an integer with 1 <= T <= L={L}")


def _allowed(C: np.ndarray, sizes) -> np.ndarray:
    """``C`` with every edge whose size ``b - a`` is not in ``sizes`` removed (``inf``)."""
    a = np.arange(C.shape[0])[:, None]
    b = np.arange(C.shape[1])[None, :]
    return np.where(np.isin(b - a, list(sizes)), C, np.inf)


def optimal_schedules(profile: InformationProfile, Ts, redecide: bool = True, sizes=None) -> list[Optimum]:
    """``OPT(T)`` for every ``T`` in ``Ts``: one float DP up to ``max(Ts)``, then per ``T`` the
    exact value of the chosen schedule and (exact profiles, ``redecide``) the exact re-decision.

    ``sizes``: a function ``T -> allowed step sizes``; the optimum is then over the compositions
    into ``T`` parts of those sizes (one restricted DP per ``T``).
    """
    Ts = list(Ts)
    L = profile.L
    for T in Ts:
        _check_T(T, L)
    fp = FloatProfile.of(profile)
    C = cost_matrix(fp)
    if sizes is None:
        F, arg = forward(C, max(Ts))
    out = []
    for T in Ts:
        CT = C
        if sizes is not None:
            F, arg = forward(C, T, sizes(T))
            if not np.isfinite(F[T, L]):
                raise ScheduleError(f"no composition of L={L} into T={T} parts of sizes {sorted(sizes(T))}")
        sched = from_cuts(backtrack(arg, T, L))
        value = schedule_value(profile, sched.sizes)
        eps = fp.eps(T)
        lower = float(F[T, L]) - eps
        v, e = value.float_with_error()
        if lower > v + e:  # the float DP and the exact F2 form disagree: a bug, never a result
            raise ArithmeticError(f"OPT({T}): float DP lower bound {lower!r} above the exact value {v!r}")
        row = Optimum(T, sched, value, lower, False)
        if redecide and isinstance(value, LogLinear):
            if sizes is not None:
                CT = _allowed(C, sizes(T))
            row = _redecide(profile, fp, CT, F, row, eps)
        out.append(row)
    return out


def best_balanced_order(profile: InformationProfile, Ts, redecide: bool = True) -> list[Optimum]:
    """The best ordering of the balanced sizes ``floor(L/T)``, ``ceil(L/T)`` for each ``T``
    (any ``T`` parts of those sizes summing to ``L`` has the balanced multiset)."""
    L = profile.L
    return optimal_schedules(profile, Ts, redecide, sizes=lambda T: {L // T, -(-L // T)})


def optimal_schedule(profile: InformationProfile, T: int):
    """``(schedule, exact KL_ideal)`` of an optimal ``T``-step schedule (see :class:`Optimum`)."""
    row = optimal_schedules(profile, [T])[0]
    return row.schedule, row.value


def backward(C: np.ndarray, T: int) -> np.ndarray:
    """``B[t, a]``: least float cost of going from count ``a`` after ``t`` steps to ``L`` at step ``T``."""
    L = C.shape[0]
    B = np.full((T + 1, L + 1), np.inf)
    B[T, L] = 0.0
    for t in range(T - 1, -1, -1):
        B[t, :L] = np.min(C + B[t + 1][None, :], axis=1)
    return B


def survivors(C: np.ndarray, F: np.ndarray, T: int, eps: float, bound: float) -> list[np.ndarray]:
    """Per step ``t = 1..T`` the boolean mask of edges ``a -> b`` that an optimal schedule may use.

    An optimal path through the edge has true value at least ``F + C + B - 3 eps`` (each float
    part is within ``eps`` of a true path part) less the rounding of that sum; edges whose
    bound exceeds ``bound`` (an upper bound on ``OPT(T)``) are dropped.
    """
    B = backward(C, T)
    masks = []
    for t in range(1, T + 1):
        parts = F[t - 1, :-1, None], C, B[t][None, :]
        with np.errstate(invalid="ignore"):
            total = parts[0] + parts[1] + parts[2]
            mag = np.abs(parts[0]) + np.abs(parts[1]) + np.abs(parts[2])
            lower = total - 3 * eps - 8 * _U * mag
        masks.append(np.isfinite(total) & (lower <= bound))
    return masks


def form_bracket(form, fp: FloatProfile) -> tuple[float, float]:
    """A rigorous float enclosure of ``sum_m form[m] h(m)`` (``form``: a coefficient array over
    ``m = 0..L``, or a dict ``m -> rational``): the float sum of ``n`` products is within
    ``sum |c| E + gamma_{n+1} sum |c h|`` (doubled) of the true value."""
    if isinstance(form, dict):
        idx = np.array(sorted(form), dtype=np.int64)
        c = np.array([float(form[m]) for m in idx])
        # float(c) of a rational is off by at most u relative: covered by the gamma term below
    else:
        idx = np.nonzero(form)[0]
        c = form[idx].astype(np.float64)
    if not len(idx):
        return 0.0, 0.0
    terms = c * fp.h[idx]
    n = len(idx) + 2
    bound = float(np.abs(c).sum()) * fp.err * (1 + 4 * n * _U) + 4 * n * _U * float(np.abs(terms).sum()) + 1e-300
    value = float(terms.sum())
    return value - bound, value + bound


def form_sign(form: np.ndarray, fp: FloatProfile, profile: InformationProfile) -> int:
    """Certified sign of ``sum_m form[m] h(m)`` for integer coefficients ``form``: the float
    enclosure of :func:`form_bracket` first, the exact combination only when it contains 0."""
    lo, hi = form_bracket(form, fp)
    if lo > 0 or hi < 0:
        return 1 if lo > 0 else -1
    nz = np.nonzero(form)[0]
    if not len(nz):
        return 0
    h = profile.h_exact
    return sign(LogLinear.combination((int(form[m]), h[m]) for m in nz))[0]


def _redecide(profile, fp: FloatProfile, C, F, row: Optimum, eps: float) -> Optimum:
    """Re-decide near ties exactly: a DP over the edges that survive pruning, each path value an
    integer form in ``h`` compared by :func:`form_sign` (exact when float cannot decide)."""
    value, err = row.value.float_with_error()
    masks = survivors(C, F, row.T, eps, value + err)
    count = int(sum(int(m.sum()) for m in masks))
    if count > EXACT_MAX_EDGES:
        return Optimum(row.T, row.schedule, row.value, row.lower, False, count)
    L = profile.L
    cur: dict[int, np.ndarray] = {0: np.zeros(L + 1, dtype=np.int64)}
    back: list[dict[int, int]] = []
    for mask in masks:
        nxt: dict[int, np.ndarray] = {}
        came: dict[int, int] = {}
        for a, b in zip(*np.nonzero(mask)):
            a, b = int(a), int(b)
            if a not in cur:
                continue
            v = cur[a].copy()
            for m, c in step_form(a, b).items():
                v[m] += c
            if b not in nxt or form_sign(v - nxt[b], fp, profile) < 0:
                nxt[b], came[b] = v, a
        cur = nxt
        back.append(came)
    if L not in cur:  # the true optimum survives the pruning: reaching here is a bug, not a result
        raise ArithmeticError(f"OPT({row.T}): no surviving path reaches L={L}; the error bound is wrong")
    cuts, b = [L], L
    for came in reversed(back):
        b = came[b]
        cuts.append(b)
    sched = from_cuts(cuts[::-1])
    return Optimum(row.T, sched, schedule_value(profile, sched.sizes), row.lower, True, count)


# -- Wainwright's W5 bound and the schedule that minimises it ---------------------------------

def w5_step_form(L: int, a: int, b: int) -> tuple[int, list[int], int]:
    """``rho_ab Hc(a, b)`` as ``h``-coefficients ``num[i] / den`` at ``m = start + i`` (integers),
    ``0 <= a < b <= L - 1`` (Wainwright's Lemma 5): ``rho_ab = L (b-a-1) / ((a+1)(L-b))``,
    ``Hc(a, b) = sum_{j=a+1}^{b-1} j (L-j)/L g(j-1)`` with ``g(j-1) = 2 h(j) - h(j-1) - h(j+1)``;
    so ``h(m)`` gets ``(b-a-1) (2 w(m) - w(m+1) - w(m-1)) / ((a+1)(L-b))``, ``w(j) = j (L-j)`` on
    ``a < j < b`` (0 elsewhere): only ``m = a..b`` are touched."""
    if not 0 <= a < b <= L - 1:
        raise ScheduleError(f"W5's step term needs 0 <= a < b <= L-1, got a={a}, b={b}, L={L}")
    w = [j * (L - j) if a < j < b else 0 for j in range(a - 1, b + 2)]  # w(a-1..b+1)
    k = b - a - 1
    num = [k * (2 * w[i + 1] - w[i + 2] - w[i]) for i in range(b - a + 1)]  # m = a..b
    return a, num, (a + 1) * (L - b)


def w5_form(sizes) -> dict[int, Fraction]:
    """W5's right side for a schedule: ``sum_{k<T} rho Hc(a_{k-1}, a_k) + c(a_{T-1}, L)`` (eq. 17b of
    Wainwright's Theorem 1, the last step counted exactly), as exact ``h``-coefficients."""
    cuts = cumulative(sizes)
    L = cuts[-1]
    out: dict[int, Fraction] = {}
    for a, b in zip(cuts[:-2], cuts[1:-1]):
        if b - a < 2:
            continue  # rho = 0 and Hc is an empty sum
        start, num, den = w5_step_form(L, a, b)
        for i, c in enumerate(num):
            if c:
                out[start + i] = out.get(start + i, 0) + Fraction(c, den)
    for m, c in step_form(cuts[-2], L).items():
        out[m] = out.get(m, 0) + c
    return {m: c for m, c in out.items() if c}


def w5_value(profile: InformationProfile, sizes):
    """Exact value of W5's bound for a schedule (an Enclosure when the profile is one)."""
    atoms = dict(enumerate(profile.h_exact))
    return dot(dict(w5_form(sizes)), atoms)


def w5_matrix(fp: FloatProfile) -> np.ndarray:
    """Float ``W[a, b] = rho_ab Hc(a, b)`` for ``0 <= a < b <= L - 1``, ``inf`` elsewhere (and at ``b = L``)."""
    L, h = fp.L, fp.h
    j = np.arange(1, L)
    terms = j * (L - j) / L * (2 * h[j] - h[j - 1] - h[j + 1])  # j (L-j)/L g(j-1), j = 1..L-1
    P = np.concatenate([[0.0], np.cumsum(terms)])  # P[j] = sum_{i<=j} terms, P[0] = 0
    b = np.arange(L + 1)[:, None]
    a = np.arange(L)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        Hc = P[np.maximum(b - 1, 0)] - P[a]
        WT = L * (b - a - 1) / ((a + 1) * (L - b)) * Hc
    WT[(b - a) == 1] = 0.0
    WT[(a >= b) | (b >= L)] = np.inf
    return WT.T


def w5_minimisers(profile: InformationProfile, Ts) -> list[tuple[int, Schedule]]:
    """For each ``T`` the schedule minimising W5's bound, by the DP over cumulative counts with the
    cost ``rho Hc`` for steps ``1..T-1`` and ``c(a, L)`` for the last.  Decided in float64 (the
    minimisation is not certified; the bound of the schedule found is evaluated exactly)."""
    Ts = list(Ts)
    L = profile.L
    for T in Ts:
        _check_T(T, L)
    fp = FloatProfile.of(profile)
    C, W = cost_matrix(fp), w5_matrix(fp)
    FW, argW = forward(W, max(Ts) - 1)
    out = []
    for T in Ts:
        a_last = int(np.argmin(FW[T - 1, :L] + C[:, L]))
        out.append((T, from_cuts(backtrack(argW, T - 1, a_last) + [L])))
    return out
