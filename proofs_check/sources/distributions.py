"""Sequence distributions with integer weights: ``p(x) = w(x) / W``.

Integer weights make every marginal an exact integer sum, so any information
quantity can be evaluated exactly (see :mod:`proofs_check.numerics.exact`) or in float64
from the same data.

Kinds
-----
* **dense**: weights over all of ``V^L`` in row-major order (position 1 varies slowest);
* **sparse**: support rows and their weights.

Both are stored the same way (support rows with positive weights); ``dense``
only changes how the input is read.  Float weights read from a file are
converted *exactly*: a float is a dyadic rational, all weights are brought to a
common denominator (a power of two) and the numerators become the integer
weights.  Nothing is rounded.

JSON format (hand-writable; read by :mod:`proofs_check.sources.jsonio`)::

    {"kind": "dense",  "vocab_size": 2, "length": 2, "weights": [1, 0, 0, 1]}
    {"kind": "sparse", "vocab_size": 3, "length": 2, "support": [[0, 0], [2, 1]], "weights": [3, 1]}
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from itertools import product as iproduct

import numpy as np

from proofs_check.errors import DistributionError, TooLargeError
from proofs_check.limits import check_at_most, limit, show
from proofs_check.sources.profile import InformationProfile
from proofs_check.sources.rows import (INT64_SAFE, MAX_DENSE_STATES, check_dense_size, group_rows,  # noqa: F401
                                       index_to_rows, rows_to_index)


_WEIGHT_BITS = int(limit("weight_digits") * math.log2(10)) + 1


def _exact_weights(raw, what: str = "weights") -> list[int]:
    """Validate weights and convert them exactly to non-negative integers."""
    vals = []
    for i, w in enumerate(raw):
        if isinstance(w, bool) or not isinstance(w, (int, float, Fraction, np.integer, np.floating)):
            raise DistributionError(f"{what}[{i}] = {w!r} is not a number; weights are non-negative numbers")
        if isinstance(w, (float, np.floating)):
            if math.isnan(w) or math.isinf(w):
                raise DistributionError(f"{what}[{i}] = {w!r} is not finite; use a non-negative finite weight")
            w = Fraction(*w.as_integer_ratio())  # exact for every float width (no float64 rounding)
        elif isinstance(w, int) and w.bit_length() > _WEIGHT_BITS:
            raise TooLargeError(f"{what}[{i}] has more than {limit('weight_digits')} digits (limit weight_digits); "
                                f"divide all weights by a common factor")
        else:
            w = Fraction(w) if not isinstance(w, np.integer) else Fraction(int(w))
        if w < 0:
            raise DistributionError(f"{what}[{i}] = {w} is negative; weights must be >= 0")
        vals.append(w)
    if not vals or all(v == 0 for v in vals):
        raise DistributionError(f"all {len(vals)} {what} are zero; at least one weight must be positive")
    den = math.lcm(*(v.denominator for v in vals))
    return [int(v * den) for v in vals]


class Distribution:
    """A pmf on ``V^L`` with positive integer weights on its support."""

    def __init__(self, vocab_size: int, length: int, support, weights, name: str = ""):
        for label, val in (("vocab_size", vocab_size), ("length", length)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
                raise DistributionError(f"{label}={val!r} must be an integer >= 1")
        V, L = int(vocab_size), int(length)
        check_shape(V, L)
        if not isinstance(weights, (list, tuple, np.ndarray)):
            raise DistributionError(f"weights must be a list of numbers, got {type(weights).__name__}")
        check_at_most(len(weights), "support_rows", "the number of support rows", "use fewer rows")
        check_at_most(len(weights) * L, "support_cells", f"support rows x L (L={L})", "use fewer rows or a smaller L")
        ints = _exact_weights(list(weights))
        rows = _support_rows(support, len(ints), L)
        bad = np.argwhere((rows < 0) | (rows >= V))
        if bad.size:
            r, c = bad[0]
            raise DistributionError(
                f"support row {r} has symbol {rows[r, c]} at position {c + 1}, outside the vocabulary "
                f"0..{V - 1}; use symbols 0..{V - 1} or raise vocab_size"
            )
        keep = [i for i, w in enumerate(ints) if w > 0]
        rows, ints = rows[keep], [ints[i] for i in keep]
        rows, ints = _merge_duplicates(rows, ints, V)
        g = math.gcd(*ints)
        self.V, self.L, self.name = V, L, name
        self.support = rows
        self.weights = tuple(w // g for w in ints)
        self.total = sum(self.weights)

    # -- constructors -------------------------------------------------------
    @classmethod
    def dense(cls, vocab_size: int, length: int, weights, name: str = "") -> "Distribution":
        V, L = vocab_size, length
        for label, val in (("vocab_size", V), ("length", L)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
                raise DistributionError(f"{label}={val!r} must be an integer >= 1")
        n = check_dense_size(V, L)
        check_shape(V, L)
        if isinstance(weights, (str, bytes, dict)) or not hasattr(weights, "__len__"):
            raise DistributionError(f"dense weights must be a list of {n} numbers, got {type(weights).__name__}")
        if not isinstance(weights, np.ndarray) and all(not isinstance(w, (list, tuple)) for w in weights):
            flat = list(weights)
        else:
            try:
                flat = list(np.asarray(weights, dtype=object).reshape(-1))
            except ValueError:
                raise DistributionError(f"dense weights must be a flat list of {n} numbers (row-major order)") \
                    from None
        if len(flat) != n:
            raise DistributionError(
                f"dense weights have {len(flat)} entries but V^L = {V}^{L} = {n}; "
                f"give exactly {n} weights in row-major order (position 1 slowest)"
            )
        ints = _exact_weights(flat)
        idx = [i for i, w in enumerate(ints) if w]
        rows = index_to_rows(np.array(idx, dtype=np.int64), V, L)
        return cls(V, L, rows, [ints[i] for i in idx], name=name)

    # -- views --------------------------------------------------------------
    @property
    def n_support(self) -> int:
        return len(self.weights)

    def probabilities(self) -> list[Fraction]:
        return [Fraction(w, self.total) for w in self.weights]

    @cached_property
    def weights_array(self) -> np.ndarray:
        """Weights as int64 when the total allows exact int64 sums, else Python ints (object)."""
        dtype = np.int64 if self.total < INT64_SAFE else object
        return np.array(self.weights, dtype=dtype)

    def dense_array(self) -> np.ndarray:
        """Weights as an array of shape ``(V,) * L`` (needs ``V^L`` small enough)."""
        check_dense_size(self.V, self.L)
        arr = np.zeros(self.V**self.L, dtype=self.weights_array.dtype)
        arr[rows_to_index(self.support, self.V)] = self.weights_array
        return arr.reshape((self.V,) * self.L)

    def marginal(self, positions) -> tuple[np.ndarray, np.ndarray]:
        """Distinct values of ``X_positions`` on the support and their integer weights."""
        pos = list(positions)
        if not pos:
            return np.zeros((1, 0), dtype=np.int64), np.array([self.total], dtype=object)
        return group_rows(self.support[:, pos], self.weights_array, self.V)

    # -- the Source protocol (proofs_check.sources.base) ---------------------------
    enumerable = True  # the support is stored: the law is the distribution itself

    def law(self) -> "Distribution":
        return self

    def profile(self) -> InformationProfile:
        """The exact information profile ``h(0..L)`` from every subset marginal."""
        return InformationProfile.of(self)

    def to_json(self) -> dict:
        return {
            "kind": "sparse",
            "vocab_size": self.V,
            "length": self.L,
            "support": self.support.tolist(),
            "weights": list(self.weights),
            **({"name": self.name} if self.name else {}),
        }

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return f"<Distribution{label} V={self.V} L={self.L} support={self.n_support} W={show(self.total)}>"


def check_shape(V: int, L: int) -> None:
    """Length and vocabulary of a dense or sparse distribution against their limits."""
    check_at_most(L, "L", "length L", "use a Markov chain for long sequences")
    check_at_most(V, "V", "vocab_size V")


def _support_rows(support, n: int, L: int) -> np.ndarray:
    """Support rows as an int64 array of shape (n, L); every symbol must be an integer (exactly)."""
    if isinstance(support, np.ndarray) and np.issubdtype(support.dtype, np.integer):
        rows = support.astype(np.int64, copy=False)
    else:
        if not isinstance(support, (list, tuple, np.ndarray)) or len(support) != n:
            got = f"{len(support)} rows" if isinstance(support, (list, tuple, np.ndarray)) else type(support).__name__
            if isinstance(support, (list, tuple)) and support and isinstance(support[0], (list, tuple)):
                got += f", shape ({len(support)}, {len(support[0])})"
            raise DistributionError(f"support must be a list of {n} rows (one per weight), got {got}; "
                                    f"it needs shape ({n}, {L})")
        for i, row in enumerate(support):
            if not isinstance(row, (list, tuple, np.ndarray)) or len(row) != L:
                got = f"shape ({n}, {len(row)})" if isinstance(row, (list, tuple, np.ndarray)) else repr(row)[:40]
                raise DistributionError(f"support row {i} must be a list of L={L} integer symbols (got {got}); "
                                        f"the support needs shape ({n}, {L})")
            for j, x in enumerate(row):
                ok = isinstance(x, (int, np.integer)) and not isinstance(x, bool) or \
                    isinstance(x, float) and x.is_integer()
                if not ok or not -INT64_SAFE < x < INT64_SAFE:
                    raise DistributionError(f"support row {i} position {j + 1} holds {_short(x)}; "
                                            f"support rows must hold integer symbols 0..V-1")
        rows = np.array(support, dtype=np.int64).reshape(n, L)
    if rows.ndim != 2 or rows.shape != (n, L):
        raise DistributionError(f"support has shape {rows.shape} but {n} weights and length L={L} need "
                                f"shape ({n}, {L}); give one row of {L} symbols per weight")
    return rows


def _short(x) -> str:
    text = repr(x) if not isinstance(x, int) else show(x)
    return text if len(text) <= 40 else text[:37] + "..."


def _merge_duplicates(rows: np.ndarray, ints: list[int], V: int):
    if len(ints) <= 1:
        return rows, ints
    w = np.array(ints, dtype=object)
    grouped_rows, grouped_w = group_rows(rows, w, V)
    return grouped_rows, [int(x) for x in grouped_w]


# -- structured families (copy, parity, ...: notes/00-overview.md) -----------------

def copy_distribution(L: int, V: int) -> Distribution:
    """``X_1 = ... = X_L`` uniform on ``V`` symbols."""
    rows = np.repeat(np.arange(V, dtype=np.int64)[:, None], L, axis=1)
    return Distribution(V, L, rows, [1] * V, name=f"copy(L={L},V={V})")


def parity_distribution(L: int) -> Distribution:
    """Uniform bits with even parity (``V = 2``)."""
    rows = index_to_rows(np.arange(2**L, dtype=np.int64), 2, L)
    rows = rows[rows.sum(axis=1) % 2 == 0]
    return Distribution(2, L, rows, [1] * len(rows), name=f"parity(L={L})")


def product_distribution(marginals) -> Distribution:
    """Independent positions with the given integer weight vectors (all of one length V)."""
    margs = [_exact_weights(list(m), what="marginal weights") for m in marginals]
    V = len(margs[0])
    check_dense_size(V, len(margs))
    if any(len(m) != V for m in margs):
        raise DistributionError("all marginals of a product distribution need the same vocabulary size")
    rows, weights = [], []
    for combo in iproduct(*[[(v, w) for v, w in enumerate(m) if w] for m in margs]):
        rows.append([v for v, _ in combo])
        weights.append(math.prod(w for _, w in combo))
    return Distribution(V, len(margs), rows, weights, name=f"product(L={len(margs)},V={V})")


def noisy_copy_distribution(L: int, eta) -> Distribution:
    """Noisy copy: a hidden uniform bit ``U``, ``X_i = U xor W_i`` with ``W_i ~ Bernoulli(eta)`` i.i.d.

    For ``eta = a/b`` a sequence with ``k`` ones has probability
    ``(a^k (b-a)^(L-k) + a^(L-k) (b-a)^k) / (2 b^L)``; the weights are the integer numerators.
    ``eta = 0`` is the copy distribution, ``eta = 1/2`` independent uniform bits.
    """
    check_dense_size(2, L)
    try:
        eta = Fraction(eta)
    except (TypeError, ValueError):
        raise DistributionError(f"noise eta={eta!r} is not a rational number; give e.g. --eta 1/10") from None
    if not 0 <= eta <= 1:
        raise DistributionError(f"noise eta={eta} must lie in [0, 1]; give e.g. --eta 1/10")
    a, b = eta.numerator, eta.denominator
    rows = index_to_rows(np.arange(2**L, dtype=np.int64), 2, L)
    ones = rows.sum(axis=1).tolist()
    w = [a**k * (b - a) ** (L - k) + a ** (L - k) * (b - a) ** k for k in ones]
    keep = [i for i, x in enumerate(w) if x]
    return Distribution(2, L, rows[keep], [w[i] for i in keep], name=f"noisy-copy(L={L},eta={eta})")


#: Longest noisy copy with a closed-form profile (h(m) has m + 1 terms with logs of m-digit integers).
NOISY_COPY_MAX_L = 1024


def _eta(eta) -> Fraction:
    try:
        x = Fraction(eta) if not isinstance(eta, float) else None
    except (TypeError, ValueError):
        x = None
    if x is None:
        raise DistributionError(f"noise eta={str(eta)[:40]!r} is not a rational number; give e.g. --eta 1/10")
    if not 0 <= x <= 1:
        raise DistributionError(f"noise eta={x} must lie in [0, 1]; give e.g. --eta 1/10")
    return x


class NoisyCopy:
    """Noisy copy at any length (Source protocol) with its profile in closed form.

    The law is exchangeable, so ``H(X_A)`` depends on ``m = |A|`` only.  With ``eta = a/b`` a block
    of ``m`` symbols with ``k`` ones has probability ``n_k/D``, ``n_k = a^k (b-a)^(m-k) +
    a^(m-k) (b-a)^k``, ``D = 2 b^m``, and ``sum_k C(m, k) n_k = D``, hence exactly

        h(m) = log D - sum_k C(m, k) (n_k/D) log n_k,

    ``m + 1`` log terms (no ``2^L`` enumeration).  The law is enumerated only while ``2^L`` is
    at most the ``support_rows`` limit (:func:`noisy_copy_distribution`).
    """

    V = 2

    def __init__(self, L: int, eta):
        if isinstance(L, bool) or not isinstance(L, int) or not 1 <= L <= NOISY_COPY_MAX_L:
            raise DistributionError(f"noisy copy needs an integer length 1 <= L <= {NOISY_COPY_MAX_L}, got {L!r}")
        self.L, self.eta = L, _eta(eta)
        self.name = f"noisy-copy(L={L},eta={self.eta})"

    def _level(self, m: int) -> tuple[int, list[tuple[int, int]]]:
        a, b = self.eta.numerator, self.eta.denominator
        return 2 * b**m, [(math.comb(m, k), a**k * (b - a) ** (m - k) + a ** (m - k) * (b - a) ** k)
                          for k in range(m + 1)]

    def _h_exact(self) -> list:
        from proofs_check.numerics.exact import LogLinear
        out = []
        for m in range(self.L + 1):
            D, terms = self._level(m)
            logs: dict[int, Fraction] = {D: Fraction(1)}
            for c, n in terms:
                if n:
                    logs[n] = logs.get(n, Fraction(0)) - Fraction(c * n, D)
            out.append(LogLinear(0, logs))
        return out

    def _h_float(self) -> np.ndarray:
        h = np.zeros(self.L + 1)
        for m in range(1, self.L + 1):
            D, terms = self._level(m)
            h[m] = math.log(D) - sum(c * (n / D) * math.log(n) for c, n in terms if n)
        return h

    @cached_property
    def _profile(self) -> InformationProfile:
        return InformationProfile(self.L, self._h_float(), self._h_exact)

    def profile(self) -> InformationProfile:
        return self._profile

    @property
    def enumerable(self) -> bool:
        return 2**self.L <= limit("support_rows")

    @property
    def n_support(self) -> int:
        return 2 if self.eta in (0, 1) else 2**self.L

    def law(self) -> Distribution | None:
        return noisy_copy_distribution(self.L, self.eta) if self.enumerable else None

    def to_json(self) -> dict:
        return {"kind": "noisy-copy", "length": self.L, "eta": str(self.eta), "name": self.name}

    def __repr__(self) -> str:
        return f"<NoisyCopy {self.name!r}>"


def mixture(d1: Distribution, d2: Distribution, a: int = 1, b: int = 1) -> Distribution:
    """``(a p1 + b p2) / (a + b)`` with exact integer weights."""
    if (d1.V, d1.L) != (d2.V, d2.L):
        raise DistributionError(f"cannot mix V={d1.V},L={d1.L} with V={d2.V},L={d2.L}")
    rows = np.vstack([d1.support, d2.support])
    w = [a * x * d2.total for x in d1.weights] + [b * x * d1.total for x in d2.weights]
    return Distribution(d1.V, d1.L, rows, w, name=f"mixture({d1.name},{d2.name})")


def random_distribution(L: int, V: int, seed: int = 0, sparsity: float = 0.0,
                        max_weight: int = 20) -> Distribution:
    """Integer weights uniform on ``1..max_weight``; each state is zeroed with prob. ``sparsity``."""
    check_dense_size(V, L)
    if not 0 <= sparsity < 1:
        raise DistributionError(f"sparsity={sparsity} must lie in [0, 1)")
    rng = np.random.default_rng(seed)
    w = rng.integers(1, max_weight + 1, size=V**L)
    w[rng.random(V**L) < sparsity] = 0
    if not w.any():
        w[rng.integers(V**L)] = 1
    return Distribution.dense(V, L, w.tolist(), name=f"random(L={L},V={V},seed={seed},sparsity={sparsity})")


def smallest_prime_at_least(n: int) -> int:
    p = max(n, 2)
    while any(p % q == 0 for q in range(2, math.isqrt(p) + 1)):
        p += 1
    return p


def mds_distribution(L: int, k: int) -> Distribution:
    """Uniform codeword of a Reed-Solomon code of length ``L`` and dimension ``k`` over GF(p),
    ``p`` the smallest prime ``>= L``: any ``k`` positions are independent and uniform and
    determine the rest, so ``H(X_A) = min(|A|, k) log p`` and ``g`` is concentrated at ``k - 1``."""
    p = smallest_prime_at_least(L)
    msgs = np.array(np.meshgrid(*[np.arange(p)] * k, indexing="ij")).reshape(k, -1).T
    vander = np.array([[pow(a, j, p) for a in range(L)] for j in range(k)], dtype=np.int64)
    rows = (msgs @ vander) % p
    return Distribution(p, L, rows, [1] * len(rows), name=f"reed-solomon(L={L},k={k},p={p})")


def sum_zero_distribution(L: int, q: int) -> Distribution:
    """Uniform sequences over ``q`` symbols whose sum is 0 mod ``q`` (even parity for ``q = 2``).

    Any ``L - 1`` tokens are independent and uniform and determine the last one: the
    direction ``g(L-2)`` of the cone with size ``log q``.
    """
    msgs = np.array(list(iproduct(range(q), repeat=L - 1)), dtype=np.int64).reshape(-1, L - 1)
    rows = np.hstack([msgs, (-msgs.sum(axis=1) % q)[:, None]])
    return Distribution(q, L, rows, [1] * len(rows), name=f"sum-zero(L={L},q={q})")
