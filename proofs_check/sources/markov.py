"""Markov chains of any length: exact parameters, the stationary law, enumeration, JSON, ready-made chains.

A chain on ``V`` symbols and ``L`` positions is given by integer (or exactly converted
float) weights: initial weights over ``V`` and transition weight rows, either one matrix
for every step (homogeneous) or one matrix per step ``t -> t+1`` (``L - 1`` of them).
Row ``i`` of a transition matrix is normalised by its own sum, so
``P_t(i, j) = W_t[i][j] / sum_j W_t[i][j]`` and ``mu_1(i) = w_i / sum w`` are exact
rationals.

The closed-form information profile of a chain (any ``L``, no enumeration of ``V^L``) is
computed in :mod:`proofs_check.sources.markov_profile`; :meth:`MarkovChain.profile` returns it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property

import numpy as np

from proofs_check.errors import DistributionError, TooLargeError
from proofs_check.limits import check_at_most, limit, power_exceeds
from proofs_check.sources import words as W
from proofs_check.sources.distributions import Distribution, _exact_weights, index_to_rows
from proofs_check.sources.markov_profile import _ClosedForm, markov_profile
from proofs_check.sources.profile import InformationProfile

#: Largest number of states V^L that :meth:`MarkovChain.distribution` enumerates (the law is a
#: sparse distribution, so it obeys the ``support_rows`` limit of :mod:`proofs_check.limits`).
ENUMERATE_MAX_STATES = limit("support_rows")


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

    def law(self) -> Distribution | None:
        """The enumerated law when ``V^L <= ENUMERATE_MAX_STATES``, else ``None`` (Source protocol)."""
        return self.distribution() if self.enumerable else None

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
