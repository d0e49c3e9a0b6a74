"""Markov chains of any length: exact parameters, enumeration, and the closed-form profile.

A chain on ``V`` symbols and ``L`` positions is given by integer (or exactly converted
float) weights: initial weights over ``V`` and transition weight rows, either one matrix
for every step (homogeneous) or one matrix per step ``t -> t+1`` (``L - 1`` of them).
Row ``i`` of a transition matrix is normalised by its own sum, so
``P_t(i, j) = W_t[i][j] / sum_j W_t[i][j]`` and ``mu_1(i) = w_i / sum w`` are exact
rationals.

Closed-form profile
-------------------
For sorted positions ``a_1 < ... < a_m`` the variables ``X_{a_1}, ..., X_{a_m}`` again form
a Markov chain (with the products of the transition matrices between them), so

    H(X_A) = H(X_{a_1}) + sum_t H(X_{a_{t+1}} | X_{a_t}).

Averaging over the ``C(L, m)`` subsets of size ``m`` only needs to count, for each
position ``a``, the subsets whose smallest element is ``a`` (``C(L - a, m - 1)`` with
1-based ``a``), and for each pair ``a < b`` the subsets in which ``a`` and ``b`` are
consecutive (the other ``m - 2`` elements avoid the ``b - a - 1`` positions between them:
``C(L - 1 - (b - a), m - 2)``).  Hence

    h(m) = ( sum_a C(L-a, m-1) H(X_a) + sum_{d>=1} C(L-1-d, m-2) S(d) ) / C(L, m),
    S(d) = sum_a H(X_{a+d} | X_a).

For a homogeneous chain ``H(X_{a+d} | X_a) = mu_a . r_d`` with ``r_d(i)`` the entropy of
row ``i`` of ``P^d``, so ``S(d) = (sum_{a <= L-d} mu_a) . r_d``: the whole profile costs
``O(L V^3)`` for the basis plus ``O(L^2)`` cheap multiply-adds for the binomial weights
(no enumeration of ``V^L``).  A non-homogeneous chain needs the products
``P_a ... P_{a+d-1}`` for every pair, ``O(L^2 V^3)``.

Three backends run the same basis computation (:func:`_basis`):

* ``_FloatBox``  -- float64 interval arithmetic: every operation on the (non-negative)
  quantities is widened outward by a bound on its rounding error, so the result is a
  rigorous enclosure; the float profile is its midpoint;
* ``_FixedBox``  -- the same at any precision ``p``: integers scaled by ``2^p`` rounded
  down/up, with ``mpmath.iv`` for the logarithms;
* ``_Exact``     -- exact rationals, with entropies as :class:`~proofs_check.numerics.exact.LogLinear`
  (used for short chains so that certified comparisons can be exact).

Rigour assumptions of the float backend: IEEE binary64 with round-to-nearest (so each
``+ - * /`` has relative error at most ``u = 2^-53``, and dot products of ``n``
non-negative terms are within ``gamma_n = n u / (1 - n u)`` in any summation order), and
``numpy.log`` within 64 ulp of the true logarithm (implementations are within a few ulp).
Underflow is covered by an absolute slack of ``2^-1000`` per operation.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from functools import cached_property
from math import comb

import mpmath
import numpy as np
from mpmath.libmp import from_man_exp, mpf_log, mpf_mul, mpf_neg, round_ceiling, round_floor

from proofs_check.sources.distributions import Distribution, _exact_weights, index_to_rows
from proofs_check.errors import DistributionError, TooLargeError
from proofs_check.limits import check_at_most, limit, power_exceeds
from proofs_check.numerics.exact import Enclosure, LogLinear, iv_precision
from proofs_check.sources.profile import InformationProfile

#: Largest L whose profile is kept as exact LogLinear values (longer chains get enclosures).
EXACT_MAX_L = 12
#: Largest number of states V^L that :meth:`MarkovChain.distribution` enumerates (the law is a
#: sparse distribution, so it obeys the ``support_rows`` limit of :mod:`proofs_check.limits`).
ENUMERATE_MAX_STATES = limit("support_rows")
#: Enclosures asked for at most this many bits come from the float64 interval backend.
FLOAT_BOX_MAX_PREC = 64
#: Non-homogeneous chains: largest L for which the high-precision backend is run
#: (its cost is O(L^2 V^3) big-integer operations); beyond it the float enclosure is final.
FIXED_NONHOMOGENEOUS_MAX_L = 256

_U = 2.0**-53
_ETA = 2.0**-1000  # absolute slack for underflow, far below any quantity of interest
_TINY = 2.0**-900  # binomial weights below this are replaced by the interval [0, 2*_TINY]
_LOG_ULPS = 64  # assumed accuracy of numpy.log, in ulp
_INV_E_LO = np.nextafter(1 / math.e, 0.0)
_INV_E_HI = np.nextafter(1 / math.e, 1.0)


# ------------------------------------------------------------------------------------
# The chain
# ------------------------------------------------------------------------------------

def _weight_row(raw, what: str, V: int | None) -> list[int]:
    if isinstance(raw, (str, bytes)) or not hasattr(raw, "__len__"):
        raise DistributionError(f"{what} = {raw!r} is not a list of numbers; give one weight per symbol")
    row = list(raw)
    if V is not None and len(row) != V:
        raise DistributionError(
            f"{what} has {len(row)} entries but the vocabulary has V={V} symbols; give exactly {V} weights")
    if not row:
        raise DistributionError(f"{what} is empty; give one non-negative weight per symbol")
    if any(isinstance(w, (list, tuple)) for w in row):
        raise DistributionError(f"{what} = {raw!r} is nested one level too deep; give a flat list of weights")
    try:
        return _exact_weights(row, what=what)
    except DistributionError as exc:
        if "are zero" in str(exc) and "row" not in what:
            raise DistributionError(f"{what} weights are all zero; at least one must be positive") from None
        if "are zero" in str(exc):
            raise DistributionError(
                f"{what} sums to zero; every row needs a positive weight (for a state that is never "
                f"left, put weight 1 on its self-loop)") from None
        raise


def _weight_matrix(raw, what: str, V: int) -> tuple[tuple[int, ...], ...]:
    if isinstance(raw, (str, bytes)) or not hasattr(raw, "__len__"):
        raise DistributionError(f"{what} is not a list of rows; give a {V} x {V} list of weight rows")
    rows = list(raw)
    if len(rows) != V:
        raise DistributionError(
            f"{what} has {len(rows)} rows but V={V}; give one row of {V} weights per symbol ({V} x {V})")
    return tuple(tuple(_weight_row(r, f"{what} row {i}", V)) for i, r in enumerate(rows))


def _row_probabilities(mat) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(w, sum(row)) for w in row) for row in mat)


class MarkovChain:
    """A Markov chain of length ``L`` on ``V`` symbols with exact rational parameters.

    ``initial``: ``V`` non-negative weights; ``transition``: one ``V x V`` weight matrix used
    at every step, or ``transitions``: ``L - 1`` matrices, one per step ``t -> t+1``.
    Floats are read exactly (as the dyadic rationals they are).
    """

    def __init__(self, initial, transition=None, *, length: int, transitions=None, name: str = ""):
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 1:
            raise DistributionError(f"length={length!r} must be an integer >= 1 (the number of positions L)")
        L = check_at_most(int(length), "markov_L", "chain length L")
        if hasattr(initial, "__len__") and not isinstance(initial, (str, bytes)):
            check_at_most(len(initial), "markov_V", "the chain's vocabulary size V (entries of 'initial')")
        init = _weight_row(initial, "initial", None)
        V = len(init)
        check_at_most(L * V * V, "markov_work", f"L x V^2 of the chain (L={L}, V={V})",
                      "use a shorter chain or fewer symbols")
        if transition is not None and transitions is not None:
            raise DistributionError("give either 'transition' (one matrix for every step) or 'transitions' "
                                    "(one per step), not both")
        if transitions is not None:
            mats = list(transitions) if hasattr(transitions, "__len__") else None
            if mats is None or len(mats) != L - 1:
                got = "not a list" if mats is None else f"{len(mats)} matrices"
                raise DistributionError(
                    f"'transitions' has {got} but a chain of length L={L} needs L-1 = {L - 1} "
                    f"(one per step t -> t+1); or give a single 'transition' matrix")
            steps = tuple(_weight_matrix(mt, f"transitions[{t}]", V) for t, mt in enumerate(mats))
            homogeneous = False
        elif transition is not None:
            steps = (_weight_matrix(transition, "transition", V),)
            homogeneous = True
        elif L == 1:
            steps, homogeneous = (tuple(tuple(int(i == j) for j in range(V)) for i in range(V)),), True
        else:
            raise DistributionError(f"a chain of length L={L} needs a 'transition' matrix (V x V weight rows)")
        g = math.gcd(*init)
        self.V, self.L, self.name = V, L, name or f"markov(L={L},V={V})"
        self.initial = tuple(w // g for w in init)
        self.weights = tuple(tuple(tuple(w // math.gcd(*row) for w in row) for row in mt) for mt in steps)
        self.homogeneous = homogeneous

    # -- exact parameters -------------------------------------------------------------
    @cached_property
    def initial_probs(self) -> tuple[Fraction, ...]:
        s = sum(self.initial)
        return tuple(Fraction(w, s) for w in self.initial)

    @cached_property
    def _step_probs(self) -> tuple:
        return tuple(_row_probabilities(mt) for mt in self.weights)

    def step_probs(self, t: int) -> tuple[tuple[Fraction, ...], ...]:
        """``P_t`` (0-based step ``t``: positions ``t -> t+1``) as exact fractions."""
        return self._step_probs[0 if self.homogeneous else t]

    def with_length(self, L: int) -> "MarkovChain":
        """The same homogeneous chain with ``L`` positions."""
        if not self.homogeneous:
            raise DistributionError("a chain with one matrix per step has a fixed length")
        return MarkovChain(self.initial, self.weights[0], length=L, name=self.name.replace(f"L={self.L}", f"L={L}"))

    @classmethod
    def stationary(cls, transition, length: int, name: str = "") -> "MarkovChain":
        """A homogeneous chain started in its (unique) stationary distribution, exactly."""
        mat = _weight_matrix(transition, "transition", len(transition))
        pi = stationary_distribution(_row_probabilities(mat))
        den = math.lcm(*(q.denominator for q in pi))
        return cls([int(q * den) for q in pi], mat, length=length, name=name)

    # -- views --------------------------------------------------------------------------
    @property
    def is_stationary(self) -> bool:
        if not self.homogeneous:
            return False
        P = self.step_probs(0)
        mu = self.initial_probs
        return all(sum(mu[i] * P[i][j] for i in range(self.V)) == mu[j] for j in range(self.V))

    @cached_property
    def n_support(self) -> int:
        """Number of sequences with positive probability (exact, by counting paths)."""
        v = np.array([int(w > 0) for w in self.initial], dtype=object)
        for t in range(self.L - 1):
            v = v @ np.array([[int(w > 0) for w in row] for row in self.weights[0 if self.homogeneous else t]],
                             dtype=object)
        return int(sum(v))

    def to_json(self) -> dict:
        out = {"kind": "markov", "length": self.L, "initial": list(self.initial)}
        if self.homogeneous:
            out["transition"] = [list(r) for r in self.weights[0]]
        else:
            out["transitions"] = [[list(r) for r in mt] for mt in self.weights]
        out["name"] = self.name
        return out

    def __repr__(self) -> str:
        kind = "homogeneous" if self.homogeneous else "per-step"
        return f"<MarkovChain {self.name!r} V={self.V} L={self.L} {kind}>"

    @property
    def enumerable(self) -> bool:
        return not power_exceeds(self.V, self.L, ENUMERATE_MAX_STATES)

    # -- derived objects ------------------------------------------------------------------
    def distribution(self) -> Distribution:
        """The chain's law on ``V^L`` with exact integer weights (see :func:`markov_distribution`)."""
        return markov_distribution(self)

    def profile(self) -> InformationProfile:
        """The closed-form information profile (see :func:`markov_profile`)."""
        return markov_profile(self)

    @cached_property
    def _closed_form(self) -> "_ClosedForm":
        return _ClosedForm(self)


def stationary_distribution(P) -> tuple[Fraction, ...]:
    """The unique ``pi`` with ``pi P = pi``, ``sum pi = 1``, by exact Gaussian elimination."""
    V = len(P)
    # rows: (P^T - I) pi = 0 for j < V-1, and sum(pi) = 1 replacing the last equation
    A = [[Fraction(P[i][j]) - (1 if i == j else 0) for i in range(V)] + [Fraction(0)] for j in range(V - 1)]
    A.append([Fraction(1)] * V + [Fraction(1)])
    for col in range(V):
        piv = next((r for r in range(col, V) if A[r][col] != 0), None)
        if piv is None:
            raise DistributionError(
                "the transition matrix has more than one stationary distribution (it is reducible); "
                "give the initial weights explicitly")
        A[col], A[piv] = A[piv], A[col]
        inv = 1 / A[col][col]
        A[col] = [x * inv for x in A[col]]
        for r in range(V):
            if r != col and A[r][col] != 0:
                f = A[r][col]
                A[r] = [x - f * y for x, y in zip(A[r], A[col])]
    pi = tuple(A[r][V] for r in range(V))
    if any(q < 0 for q in pi):  # cannot happen for a stochastic matrix; kept as a guard
        raise DistributionError("no non-negative stationary distribution found")
    return pi


def chain_from_json(obj: dict) -> MarkovChain:
    """Build a chain from ``{"kind": "markov", "length": L, "initial": [...], "transition": [[...]]}``
    (or ``"transitions": [[[...]]]`` with ``L - 1`` matrices)."""
    unknown = set(obj) - {"kind", "length", "initial", "transition", "transitions", "name"}
    if unknown:
        raise DistributionError(f"markov distribution has unknown keys {sorted(unknown)}; allowed: kind, length, "
                                f"initial, transition, transitions, name")
    for key in ("length", "initial"):
        if key not in obj:
            raise DistributionError(f"markov distribution is missing the key {key!r}")
    return MarkovChain(obj["initial"], obj.get("transition"), length=obj["length"],
                       transitions=obj.get("transitions"), name=obj.get("name", ""))


# ------------------------------------------------------------------------------------
# Enumeration (small L)
# ------------------------------------------------------------------------------------

def _common_row_sum(mat) -> tuple[list[list[int]], int]:
    """Scale the rows of an integer matrix to one common row sum ``R`` (the lcm of the sums)."""
    sums = [sum(r) for r in mat]
    R = math.lcm(*sums)
    return [[w * (R // s) for w in r] for r, s in zip(mat, sums)], R


def markov_distribution(chain: MarkovChain, L: int | None = None) -> Distribution:
    """The chain's law as a :class:`Distribution`.

    Each step's rows are scaled to a common row sum ``R_t`` so that the product of the
    integer weights along a path, ``w_0(x_1) prod_t W'_t(x_t, x_{t+1})``, is proportional to
    the path's probability (total ``sum w_0 * prod R_t``).  Needs ``V^L <= ENUMERATE_MAX_STATES``.
    """
    if L is not None and L != chain.L:
        chain = chain.with_length(L)
    V, L = chain.V, chain.L
    if power_exceeds(V, L, ENUMERATE_MAX_STATES):
        raise TooLargeError(f"V^L = {V}^{L} paths is more than {ENUMERATE_MAX_STATES} to enumerate; "
                            f"use the closed-form profile (MarkovChain.profile) instead")
    scaled = [_common_row_sum(chain.weights[0 if chain.homogeneous else t]) for t in range(L - 1)]
    bound = sum(chain.initial) * math.prod(R for _, R in scaled)
    dtype = np.int64 if bound < 2**62 else object
    w = np.array(chain.initial, dtype=dtype)
    for mat, _ in scaled:  # w is indexed by paths, last position fastest
        last = np.arange(len(w)) % V
        w = (w[:, None] * np.array(mat, dtype=dtype)[last]).reshape(-1)
    idx = np.flatnonzero(w)
    rows = index_to_rows(idx.astype(np.int64), V, L)
    return Distribution(V, L, rows, [int(x) for x in w[idx]], name=chain.name)


# ------------------------------------------------------------------------------------
# Backends for the basis: H(X_a) for every a and S(d) for every gap d
# ------------------------------------------------------------------------------------

def _scaled_floor(x, p: int) -> int:
    """``floor(x 2^p)`` for a non-negative raw mpmath value ``x``."""
    sign, man, exp, _ = x
    if not man:
        return 0
    k = exp + p
    return man << k if k >= 0 else man >> -k


def _scaled_ceil(x, p: int) -> int:
    """``ceil(x 2^p)`` for a non-negative raw mpmath value ``x``."""
    sign, man, exp, _ = x
    if not man:
        return 0
    k = exp + p
    return man << k if k >= 0 else -((-man) >> -k)


def _gamma(n: int) -> float:
    return n * _U / (1 - n * _U)


def _down(x, n: int):
    """A float array <= x (1 - gamma_n) - eta: a lower bound after n roundings (x >= 0)."""
    c = 1.0 - 2.0 * _gamma(n) - 4.0 * _U
    return np.maximum(np.nextafter(np.asarray(x, dtype=float) * c - _ETA, -np.inf), 0.0)


def _up(x, n: int):
    """A float array >= x (1 + gamma_n) + eta: an upper bound after n roundings (x >= 0)."""
    c = 1.0 + 2.0 * _gamma(n) + 4.0 * _U
    return np.nextafter(np.asarray(x, dtype=float) * c + _ETA, np.inf)


class _FloatBox:
    """Non-negative float64 intervals ``(lo, hi)`` with outward-widened operations."""

    @staticmethod
    def const(fracs):
        arr = np.array(fracs, dtype=object)
        f = np.array([float(q) for q in arr.reshape(-1)], dtype=float).reshape(arr.shape)
        zero = np.array([q == 0 for q in arr.reshape(-1)]).reshape(arr.shape)
        lo = np.where(zero, 0.0, np.nextafter(f, -np.inf))
        hi = np.where(zero, 0.0, np.nextafter(f, np.inf))
        return np.maximum(lo, 0.0), hi

    @staticmethod
    def matmul(a, b, prob: bool = True):
        n = a[0].shape[-1]
        lo, hi = _down(a[0] @ b[0], n), _up(a[1] @ b[1], n)
        return lo, (np.minimum(hi, 1.0) if prob else hi)

    @staticmethod
    def stack(items):
        return np.stack([x[0] for x in items]), np.stack([x[1] for x in items])

    @staticmethod
    def cumsum(x):
        n = x[0].shape[0]
        return _down(np.cumsum(x[0], axis=0), n), _up(np.cumsum(x[1], axis=0), n)

    @staticmethod
    def entropy_rows(p):
        """Entropies (nats) of the rows (last axis) of a box of probabilities."""
        lo, hi = p
        hi = np.minimum(hi, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            f_lo_at = lambda x: np.where(x > 0, _down(-x * np.log(np.where(x > 0, x, 1.0)), 2 * _LOG_ULPS), 0.0)
            f_hi_at = lambda x: np.where(x > 0, _up(-x * np.log(np.where(x > 0, x, 1.0)), 2 * _LOG_ULPS), 0.0)
            flo = np.minimum(f_lo_at(lo), f_lo_at(hi))  # -p log p is concave: min at an endpoint
            fhi = np.where(hi <= _INV_E_LO, f_hi_at(hi), np.where(lo >= _INV_E_HI, f_hi_at(lo), _INV_E_HI))
        n = lo.shape[-1]
        return _down(flo.sum(axis=-1), n), _up(fhi.sum(axis=-1), n)

    @staticmethod
    def rowdot(w, r):
        """``sum_i w_i r_i`` along the last axis (both non-negative boxes)."""
        n = w[0].shape[-1] + 1
        return _down((w[0] * r[0]).sum(axis=-1), n), _up((w[1] * r[1]).sum(axis=-1), n)

    @staticmethod
    def take(x, sl):
        return x[0][sl], x[1][sl]

    @staticmethod
    def total(x):
        n = len(x[0])
        return _down(x[0].sum(), n), _up(x[1].sum(), n)


class _FixedBox:
    """Non-negative intervals of integers scaled by ``2^-p`` (floor / ceiling rounding)."""

    def __init__(self, prec: int):
        self.p = prec

    def const(self, fracs):
        arr = np.array(fracs, dtype=object)
        flat = arr.reshape(-1)
        lo = np.array([(q.numerator << self.p) // q.denominator for q in flat], dtype=object)
        hi = np.array([-((-q.numerator << self.p) // q.denominator) for q in flat], dtype=object)
        return lo.reshape(arr.shape), hi.reshape(arr.shape)

    def _floor(self, x):
        return np.vectorize(lambda v: v >> self.p, otypes=[object])(x)

    def _ceil(self, x):
        return np.vectorize(lambda v: -((-v) >> self.p), otypes=[object])(x)

    def matmul(self, a, b, prob: bool = True):
        return self._floor(a[0] @ b[0]), self._ceil(a[1] @ b[1])

    @staticmethod
    def stack(items):
        return np.stack([x[0] for x in items]), np.stack([x[1] for x in items])

    @staticmethod
    def cumsum(x):
        return np.cumsum(x[0], axis=0), np.cumsum(x[1], axis=0)

    def _endpoint(self, x, up: bool) -> int:
        """``floor`` (or ``ceil``) of ``x * 2^p`` for an interval endpoint ``x``."""
        with mpmath.workprec(self.p + 128):
            v = mpmath.mpf(x) * (1 << self.p)
            return int(mpmath.ceil(v) if up else mpmath.floor(v))

    @cached_property
    def _inv_e(self) -> tuple[int, int]:
        """Integers ``(a, b)`` with ``a 2^-p <= 1/e <= b 2^-p``."""
        with iv_precision(self.p + 32):
            e = mpmath.iv.mpf(1) / mpmath.iv.e
            return self._endpoint(e.a, False), self._endpoint(e.b, True)

    def _f_at(self, v: int) -> tuple[int, int]:
        """Fixed-point lower and upper bounds of ``-x log x`` at ``x = v 2^-p`` (``0 < v <= 2^p``),
        with mpmath's directed-rounding logarithm (the primitive behind ``mpmath.iv.log``)."""
        prec = self.p + 32
        x = from_man_exp(v, -self.p)  # exact
        log_dn = mpf_log(x, prec, round_floor)  # <= log x <= 0
        log_up = mpf_log(x, prec, round_ceiling)
        lower = mpf_mul(x, mpf_neg(log_up), prec, round_floor)
        upper = mpf_mul(x, mpf_neg(log_dn), prec, round_ceiling)
        return _scaled_floor(lower, self.p), _scaled_ceil(upper, self.p)

    def _f_box(self, lo: int, hi: int) -> tuple[int, int]:
        """Fixed-point enclosure of ``{-x log x : x in [lo, hi] 2^-p}`` (``-x log x`` is concave,
        increasing up to ``1/e`` and decreasing after it)."""
        one = 1 << self.p
        hi = min(hi, one)
        e_lo, e_hi = self._inv_e
        a_lo, a_hi = self._f_at(lo) if lo > 0 else (0, 0)
        b_lo, b_hi = self._f_at(hi) if hi > 0 else (0, 0)
        if hi <= e_lo:
            high = b_hi
        elif lo >= e_hi:
            high = a_hi
        else:
            high = e_hi  # the maximum value 1/e
        return max(min(a_lo, b_lo), 0), high

    def entropy_rows(self, p):
        lo, hi = p
        shape = lo.shape[:-1]
        out_lo = np.empty(shape, dtype=object)
        out_hi = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            s_lo = s_hi = 0
            for a, b in zip(lo[idx], hi[idx]):
                x, y = self._f_box(int(a), int(b))
                s_lo += x
                s_hi += y
            out_lo[idx], out_hi[idx] = s_lo, s_hi
        return out_lo, out_hi

    def rowdot(self, w, r):
        lo = (w[0] * r[0]).sum(axis=-1)
        hi = (w[1] * r[1]).sum(axis=-1)
        return self._floor(np.asarray(lo, dtype=object)), self._ceil(np.asarray(hi, dtype=object))

    @staticmethod
    def take(x, sl):
        return x[0][sl], x[1][sl]

    @staticmethod
    def total(x):
        return sum(x[0]), sum(x[1])


class _Exact:
    """Exact rationals; entropies as LogLinear values (object arrays throughout)."""

    @staticmethod
    def const(fracs):
        return np.array(fracs, dtype=object)

    @staticmethod
    def matmul(a, b, prob: bool = True):
        return a @ b

    @staticmethod
    def stack(items):
        if all(isinstance(x, np.ndarray) for x in items):
            return np.stack(items)
        out = np.empty(len(items), dtype=object)
        out[:] = list(items)
        return out

    @staticmethod
    def total(x):
        return LogLinear.sum(x)

    @staticmethod
    def cumsum(x):
        return np.cumsum(x, axis=0)

    @staticmethod
    def entropy_rows(p):
        shape = p.shape[:-1]
        out = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            acc = LogLinear()
            for q in p[idx]:
                if q:
                    acc._iadd(LogLinear.log(q), -q)
            out[idx] = acc
        return out

    @staticmethod
    def rowdot(w, r):
        shape = w.shape[:-1]
        out = np.empty(shape, dtype=object)
        for idx in np.ndindex(*shape):
            acc = LogLinear()
            for a, b in zip(w[idx], r[idx]):
                if a:
                    acc._iadd(b, a)
            out[idx] = acc
        return out

    @staticmethod
    def take(x, sl):
        return x[sl]


def _basis(chain: MarkovChain, B):
    """``(H, S)``: ``H[a] = H(X_a)`` for ``a = 0..L-1`` and ``S[d-1] = sum_a H(X_{a+d} | X_a)``
    for ``d = 1..L-1``, in backend ``B``'s representation (stacked along axis 0)."""
    L = chain.L
    mu = B.const([list(chain.initial_probs)])  # shape (1, V)
    P = [B.const(chain.step_probs(t)) for t in range(L - 1 if not chain.homogeneous else min(L - 1, 1))]
    mus = [mu]
    for t in range(L - 1):
        mus.append(B.matmul(mus[-1], P[0 if chain.homogeneous else t]))
    mu_stack = B.stack([B.take(x, 0) for x in mus])  # (L, V)
    H = B.entropy_rows(mu_stack)  # (L,)
    if L == 1:
        return H, None
    if chain.homogeneous:
        prefix = B.cumsum(mu_stack)  # prefix[k] = sum_{a <= k} mu_a
        Q, rows = P[0], []
        for d in range(1, L):
            if d > 1:
                Q = B.matmul(Q, P[0])
            rows.append(Q)
        r = B.entropy_rows(B.stack(rows))  # (L-1, V): entropy of row i of P^d
        weights = B.take(prefix, slice(L - 2, None, -1))  # d = 1..L-1 -> prefix[L-1-d]
        S = B.rowdot(weights, r)
        return H, S
    Pst = B.stack(P)  # (L-1, V, V)
    Q = Pst  # Q[a] = P_a ... P_{a+d-1}, a = 0..L-1-d
    S_items = []
    for d in range(1, L):
        if d > 1:
            Q = B.matmul(B.take(Q, slice(0, L - d)), B.take(Pst, slice(d - 1, None)))
        r = B.entropy_rows(Q)  # (L-d, V)
        S_items.append(B.rowdot(B.take(mu_stack, slice(0, L - d)), r))
    S = B.stack([B.total(s) for s in S_items])
    return H, S


# ------------------------------------------------------------------------------------
# Binomial weights and the profile
# ------------------------------------------------------------------------------------

def _coefficients(L: int, ms: np.ndarray, first: np.ndarray, K: int, n: int) -> np.ndarray:
    """Float values of ``c[m, j]`` for ``j = 0..n-1`` with ``c[m, 0] = first[m]`` and
    ``c[m, j+1] = c[m, j] * max(L - j - m, 0) / (K - j)``.

    ``(first, K) = (m/L, L-1)`` gives ``C(L-1-a, m-1)/C(L, m)`` (``a = j``) and
    ``(m(m-1)/(L(L-1)), L-2)`` gives ``C(L-1-d, m-2)/C(L, m)`` (``d = j+1``).  All integers
    involved are exact in float64, so entry ``j`` carries at most ``2j + 1`` roundings (see
    :func:`_column_factors`).  The true values are non-increasing in ``j``; entries that fell
    below ``_TINY`` are set to 0 here and accounted for by an additive slack of the caller.
    """
    j = np.arange(n - 1, dtype=float)
    c = np.empty((len(ms), n))
    c[:, 0] = first
    np.subtract(L - j[None, :], ms[:, None], out=c[:, 1:])
    np.maximum(c[:, 1:], 0.0, out=c[:, 1:])
    c[:, 1:] /= (K - j)[None, :]
    np.cumprod(c, axis=1, out=c)
    c[c < _TINY] = 0.0
    return c


def _column_factors(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-column factors ``(1 - 2 gamma_{2j+2} - 4u, 1 + 2 gamma_{2j+2} + 4u)`` covering the
    rounding of :func:`_coefficients` (folded into the vector the coefficients multiply)."""
    k = 2.0 * np.arange(n) + 2
    g = 2.0 * (k * _U / (1 - k * _U)) + 4 * _U
    return 1.0 - g, 1.0 + g


def _folded(vec, n: int) -> tuple[np.ndarray, np.ndarray, float]:
    """``vec`` (a non-negative box of length ``n``) times the column factors of
    :func:`_coefficients`, rounded outward, and the slack covering the dropped tiny weights."""
    f_lo, f_hi = _column_factors(n)
    v_lo = np.maximum(np.nextafter(vec[0] * f_lo, -np.inf), 0.0)
    v_hi = np.nextafter(vec[1] * f_hi, np.inf)
    slack = 2 * _TINY * float(np.nextafter(np.sum(v_hi) * (1 + 2 * _gamma(n)), np.inf))
    return v_lo, v_hi, slack


def _outward(x) -> tuple[np.ndarray, np.ndarray]:
    """Float enclosure of exactly computed non-negative quotients (one rounding each)."""
    return np.maximum(np.nextafter(x, -np.inf), 0.0), np.nextafter(x, np.inf)


class _ClosedForm:
    """Caches of one chain's basis in each backend and the resulting ``h(m)`` values."""

    BLOCK = 256  # rows of m per block of binomial weights (bounds memory at O(BLOCK * L))

    def __init__(self, chain: MarkovChain):
        self.chain = chain
        self._fixed: dict[int, tuple] = {}
        self._fixed_h: dict[tuple[int, int], object] = {}

    @cached_property
    def float_box(self) -> tuple[np.ndarray, np.ndarray]:
        """Rigorous float64 enclosure ``(lo, hi)`` of ``h(0..L)``.

        Both weight families come from one matrix per block: with ``c2(m, d) =
        C(L-1-d, m-2)/C(L, m)``, the first-element weights are ``C(L-1-a, m-1)/C(L, m) =
        c2(m+1, a) (L-m)/(m+1)`` for ``a >= 1`` and ``m/L`` for ``a = 0``.
        """
        L = self.chain.L
        H, S = _basis(self.chain, _FloatBox)
        lo, hi = np.zeros(L + 1), np.zeros(L + 1)
        if L == 1:
            lo[1], hi[1] = H[0][0], H[1][0]
            return lo, hi
        n = L - 1
        s_lo, s_hi, s_slack = _folded(S, n)
        t_lo, t_hi, t_slack = _folded((H[0][1:], H[1][1:]), n)
        cols = (s_lo, s_hi, t_lo, t_hi)
        for start in range(1, L + 1, self.BLOCK):
            ms = np.arange(start, min(start + self.BLOCK, L + 1), dtype=float)
            ext = np.append(ms, ms[-1] + 1)  # rows m and m + 1
            c = _coefficients(L, ext, ext * (ext - 1) / (L * (L - 1.0)), L - 2, n)
            prod = np.stack([np.einsum("ij,j->i", c, v) for v in cols], axis=1)  # no BLAS threads
            pair_lo, pair_hi = _down(prod[:-1, 0], n), _up(prod[:-1, 1] + s_slack, n + 1)
            rest_lo, rest_hi = _down(prod[1:, 2], n), _up(prod[1:, 3] + t_slack, n + 1)
            sc_lo, sc_hi = _outward((L - ms) / (ms + 1))
            a0_lo, a0_hi = _outward(ms / L)
            idx = ms.astype(int)
            lo[idx] = _down(pair_lo + sc_lo * rest_lo + a0_lo * H[0][0], 4)
            hi[idx] = _up(pair_hi + sc_hi * rest_hi + a0_hi * H[1][0], 4)
        return lo, hi

    @cached_property
    def h_float(self) -> np.ndarray:
        lo, hi = self.float_box
        return (lo + hi) / 2

    @cached_property
    def h_exact(self) -> list[LogLinear]:
        L = self.chain.L
        H, S = _basis(self.chain, _Exact)
        out = [LogLinear()]
        for m in range(1, L + 1):
            total = comb(L, m)
            acc = LogLinear()
            for a in range(L):
                c = comb(L - 1 - a, m - 1)
                if c:
                    acc._iadd(H[a], Fraction(c, total))
            if m >= 2:
                for d in range(1, L):
                    c = comb(L - 1 - d, m - 2)
                    if c:
                        acc._iadd(S[d - 1], Fraction(c, total))
            out.append(acc)
        return out

    def fixed_basis(self, prec: int):
        hit = self._fixed.get(prec)
        if hit is None:
            hit = self._fixed[prec] = _basis(self.chain, _FixedBox(prec))
        return hit

    @property
    def high_precision_available(self) -> bool:
        return self.chain.homogeneous or self.chain.L <= FIXED_NONHOMOGENEOUS_MAX_L

    def h_interval(self, m: int, prec: int):
        """An ``mpmath.iv`` interval containing ``h(m)``, computed at about ``prec`` bits."""
        iv = mpmath.iv
        if m == 0:
            return iv.mpf(0)
        if prec <= FLOAT_BOX_MAX_PREC or not self.high_precision_available:
            lo, hi = self.float_box
            return iv.mpf([float(lo[m]), float(hi[m])])
        key = (m, prec)
        hit = self._fixed_h.get(key)
        if hit is None:
            hit = self._fixed_h[key] = self._fixed_h_value(m, prec)
        return hit

    def _fixed_h_value(self, m: int, prec: int):
        L = self.chain.L
        (H_lo, H_hi), S = self.fixed_basis(prec)
        # weights C(L-1-a, m-1), a = 0..L-1, and C(L-1-d, m-2), d = 1..L-1, as exact integers
        c1 = _binomial_column(L - 1, m - 1, L)
        num_lo = sum(map(operator.mul, c1, H_lo))
        num_hi = sum(map(operator.mul, c1, H_hi))
        if S is not None and m >= 2:
            c2 = _binomial_column(L - 2, m - 2, L - 1)
            num_lo += sum(map(operator.mul, c2, S[0]))
            num_hi += sum(map(operator.mul, c2, S[1]))
        den = comb(L, m) << prec
        with iv_precision(prec):
            iv = mpmath.iv
            return iv.mpf([(iv.mpf(num_lo) / den).a, (iv.mpf(num_hi) / den).b])


def _binomial_column(top: int, k: int, n: int) -> list[int]:
    """``[C(top - j, k) for j in range(n)]`` with exact integers, by the ratio recurrence."""
    out = [0] * n
    if k < 0:
        return out
    # start from the smallest nonzero entry C(k, k) = 1 at j = top - k and go up in the top index
    j = top - k
    if j < 0:
        return out
    c = 1
    while j >= 0:
        if j < n:
            out[j] = c
        nxt = top - j + 1  # C(nxt, k) = C(nxt - 1, k) * nxt / (nxt - k)
        c = c * nxt // (nxt - k)
        j -= 1
    return out


class IntervalValue(Enclosure):
    """``h(m)`` of a long chain as a rigorous enclosure at any precision.

    ``interval(prec)`` for ``prec <= FLOAT_BOX_MAX_PREC`` is the float64 interval result
    (cheap, shared by all ``m``); above, it is recomputed with integers scaled by ``2^prec``
    (a few seconds for the shared basis at ``L = 4096``, then milliseconds per ``m``).
    It can be added, subtracted and scaled by rationals like any :class:`Enclosure`.
    """

    __slots__ = ("_form", "m")

    def __init__(self, form: _ClosedForm, m: int):
        self._form, self.m = form, m
        self.fn = lambda prec: form.h_interval(m, prec)

    def interval(self, prec: int):
        return self._form.h_interval(self.m, prec)

    def float_with_error(self) -> tuple[float, float]:
        lo, hi = self._form.float_box
        a, b = float(lo[self.m]), float(hi[self.m])
        mid = (a + b) / 2
        return mid, max(mid - a, b - mid) * (1 + 4 * _U) + 1e-300

    def __repr__(self) -> str:
        v, e = self.float_with_error()
        return f"IntervalValue(h({self.m}) = {v!r} +- {e:.2g})"


def markov_profile(chain: MarkovChain, L: int | None = None) -> InformationProfile:
    """The information profile of the chain in closed form (no enumeration of ``V^L``).

    ``h_float`` is the midpoint of a rigorous float64 enclosure; the exact source gives
    LogLinear values for ``L <= EXACT_MAX_L`` and :class:`IntervalValue` enclosures beyond.
    """
    if L is not None and L != chain.L:
        chain = chain.with_length(L)
    form = chain._closed_form
    if chain.L <= EXACT_MAX_L:
        source = lambda: form.h_exact
    else:
        source = lambda: [LogLinear()] + [IntervalValue(form, m) for m in range(1, chain.L + 1)]
    return InformationProfile(chain.L, form.h_float, source)


# ------------------------------------------------------------------------------------
# Ready-made chains
# ------------------------------------------------------------------------------------

def random_chain(L: int, V: int = 4, seed: int = 0, zero_fraction: float = 0.25, max_weight: int = 9,
                 stationary: bool = True) -> MarkovChain:
    """A random homogeneous chain: weights uniform on ``1..max_weight``, each set to zero with
    probability ``zero_fraction`` except the cycle ``i -> i+1 (mod V)`` (kept positive so the
    chain is irreducible); started stationary, or from random initial weights."""
    if isinstance(V, bool) or not isinstance(V, (int, np.integer)) or V < 1:
        raise DistributionError(f"V={V!r} must be an integer >= 1")
    check_at_most(V, "markov_V", "the chain's vocabulary size V")
    check_at_most(L, "markov_L", "chain length L")
    check_at_most(L * V * V, "markov_work", f"L x V^2 of the chain (L={L}, V={V})", "use a shorter chain or fewer symbols")
    if not 0 <= zero_fraction < 1:
        raise DistributionError(f"zero_fraction={zero_fraction} must lie in [0, 1)")
    rng = np.random.default_rng(seed)
    W = rng.integers(1, max_weight + 1, size=(V, V))
    W[rng.random((V, V)) < zero_fraction] = 0
    for i in range(V):
        W[i, (i + 1) % V] = max(W[i, (i + 1) % V], 1)
    kind = "stationary" if stationary else "random start"
    name = f"markov(L={L},V={V},seed={seed},{kind})"
    if stationary:
        return MarkovChain.stationary(W.tolist(), L, name=name)
    init = rng.integers(1, max_weight + 1, size=V).tolist()
    return MarkovChain(init, W.tolist(), length=L, name=name)


def bigram_chain(lang: str, L: int, alpha: int | Fraction = 1, fit_length: int | None = None, **word_args) -> MarkovChain:
    """A letter-bigram chain on ``a..z`` fitted to the words family of ``lang``.

    Counts come from :func:`proofs_check.sources.words.letter_bigram_counts` (frequency-weighted
    first letters and letter pairs), summed over the word lengths ``2..MAX_WORD_LENGTH``
    (or only ``fit_length``).  Add-``alpha`` smoothing: every first letter and every letter
    pair gets ``alpha`` extra counts in the unit of one word at the frequency cut-off
    (weight ``2^scale_bits``), i.e. as if seen ``alpha`` more times in the rarest kept word;
    so no transition is zero.  The chain starts from the smoothed first-letter distribution
    (not stationary) and uses one transition matrix for every step.
    """
    from proofs_check.sources import words as W

    check_at_most(L * 26 * 26, "markov_work", f"L x V^2 of the bigram chain (L={L}, V=26)", "use a shorter chain")
    scale_bits = word_args.get("scale_bits", W.DEFAULT_SCALE_BITS)
    alpha = Fraction(alpha)
    if alpha < 0:
        raise DistributionError(f"alpha={alpha} must be >= 0 (the pseudo-count per letter pair)")
    lengths = [fit_length] if fit_length is not None else range(2, W.MAX_WORD_LENGTH + 1)
    init = [0] * 26
    trans = [[0] * 26 for _ in range(26)]
    for n in lengths:
        try:
            a, t = W.letter_bigram_counts(lang, n, **word_args)
        except W.WordsError as exc:
            if fit_length is not None or "no " not in str(exc):
                raise DistributionError(str(exc)) from None
            continue  # a length with no words contributes nothing
        init = [x + y for x, y in zip(init, a)]
        trans = [[x + y for x, y in zip(r, s)] for r, s in zip(trans, t)]
    unit = alpha * (1 << scale_bits)
    init = [x + unit for x in init]
    trans = [[x + unit for x in r] for r in trans]
    tag = f",fit_length={fit_length}" if fit_length is not None else ""
    return MarkovChain(init, trans, length=L, name=f"bigram({lang},L={L},alpha={alpha}{tag})")
