"""Exact real numbers of the form ``q0 + sum_n c_n * log(n)``.

Every information quantity of a distribution with integer weights (entropies,
KL divergences of rational pmfs, the profile ``h(m)`` and everything linear in
it) is a rational combination of logarithms of positive integers.  A
:class:`LogLinear` stores that combination exactly, so the suite can

* add, subtract and scale quantities by rationals without rounding;
* decide *exactly* whether a combination is zero: over a pairwise coprime
  basis of the integers involved the logarithms are linearly independent over
  the rationals, and the log of a rational other than 1 is transcendental, so
  ``q0 + sum c_n log n == 0`` iff ``q0 == 0`` and every coefficient on the
  coprime basis vanishes;
* evaluate in float64 with a rigorous error bound, in mpmath at any number of
  digits, or as an mpmath interval enclosure at any precision.
"""

from __future__ import annotations

import math
from fractions import Fraction
from contextlib import contextmanager
from functools import lru_cache, reduce
from typing import Iterable, Mapping

import mpmath
import numpy as np

Rationalish = int | Fraction

# Unit roundoff of IEEE binary64.
_U = 2.0**-53


def as_fraction(x) -> Fraction:
    """Convert an int, Fraction, float (exactly, as a dyadic rational) or SymPy Rational."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"cannot convert non-finite float {x!r} to an exact rational")
        return Fraction(x)
    p = getattr(x, "p", None)
    q = getattr(x, "q", None)
    if p is not None and q is not None:  # sympy Rational / Integer
        return Fraction(int(p), int(q))
    if hasattr(x, "numerator") and hasattr(x, "denominator"):
        return Fraction(int(x.numerator), int(x.denominator))
    raise TypeError(f"cannot convert {type(x).__name__} {x!r} to an exact rational")


class LogLinear:
    """``const + sum(coef * log(n))`` with rational ``const``/``coef`` and integers ``n >= 2``."""

    # ``_terms`` (Fraction coefficients) and ``_int`` (integer numerators over one denominator)
    # are two views of the same terms; either may be missing and is built from the other on use.
    __slots__ = ("const", "_terms", "_int", "_float")

    def __init__(self, const: Rationalish = 0, terms: Mapping[int, Rationalish] | None = None):
        self._int = self._float = None
        self.const = as_fraction(const)
        clean: dict[int, Fraction] = {}
        if terms:
            for n, c in terms.items():
                n = int(n)
                if n < 1:
                    raise ValueError(f"log argument must be a positive integer, got {n}")
                c = as_fraction(c)
                if n == 1 or c == 0:
                    continue
                clean[n] = clean.get(n, Fraction(0)) + c
                if clean[n] == 0:
                    del clean[n]
        self._terms = clean

    @property
    def terms(self) -> dict[int, Fraction]:
        if self._terms is None:
            den, _, items = self._int
            self._terms = {n: Fraction(v, den) for n, v in items}
        return self._terms

    @terms.setter
    def terms(self, value: dict[int, Fraction]) -> None:
        self._terms, self._int, self._float = value, None, None

    # -- constructors -------------------------------------------------------
    @classmethod
    def log(cls, x: Rationalish, coef: Rationalish = 1) -> "LogLinear":
        """``coef * log(x)`` for a positive rational ``x``."""
        x = as_fraction(x)
        if x <= 0:
            raise ValueError(f"log of a non-positive number {x}")
        coef = as_fraction(coef)
        terms: dict[int, Fraction] = {}
        if x.numerator != 1:
            terms[x.numerator] = coef
        if x.denominator != 1:
            terms[x.denominator] = terms.get(x.denominator, Fraction(0)) - coef
        return cls(0, terms)

    @classmethod
    def sum(cls, items: Iterable["LogLinear"]) -> "LogLinear":
        return cls.combination((1, it) for it in items)

    @staticmethod
    def coerce(x) -> "LogLinear":
        if isinstance(x, LogLinear):
            return x
        return LogLinear(as_fraction(x))

    @classmethod
    def combination(cls, pairs: Iterable[tuple[Rationalish, "LogLinear"]]) -> "LogLinear":
        """``sum(c * x for c, x in pairs)``, accumulated as integers over one common denominator.

        Equal to repeated ``+``, but without a ``Fraction`` normalisation (a gcd) per term:
        the profile of a real distribution has tens of thousands of log terms per ``h(m)``.
        """
        den, items = 1, []
        for c, x in pairs:
            c = as_fraction(c)
            if not c:
                continue
            xden, xconst, xterms = cls.coerce(x)._integer_form()
            d = c.denominator * xden
            items.append((c.numerator, d, xconst, xterms))
            den = math.lcm(den, d)
        const, acc = 0, {}
        for num, d, xconst, xterms in items:
            f = num * (den // d)
            const += f * xconst
            for n, v in xterms:
                acc[n] = acc.get(n, 0) + f * v
        return cls.from_integer_form(den, const, acc.items())

    @classmethod
    def from_integer_form(cls, den: int, const: int, items: Iterable[tuple[int, int]]) -> "LogLinear":
        """``(const + sum(v * log(n) for n, v in items)) / den`` for integers ``den > 0`` and distinct ``n >= 1``."""
        out = cls(Fraction(const, den))
        out._terms, out._int = None, (den, const, tuple((n, v) for n, v in items if v and n != 1))
        return out

    def _integer_form(self) -> tuple[int, int, tuple[tuple[int, int], ...]]:
        """``(den, const * den, ((n, c_n * den), ...))`` for a common denominator ``den``."""
        if self._int is None:
            den = lcm_of_denominators([self.const, *self.terms.values()])
            self._int = (den, self.const.numerator * (den // self.const.denominator),
                         tuple((n, c.numerator * (den // c.denominator)) for n, c in self.terms.items()))
        return self._int

    # -- arithmetic ---------------------------------------------------------
    def _iadd(self, other: "LogLinear", scale: Fraction | int) -> None:
        t = self.terms
        self._int = self._float = None
        self.const += scale * other.const
        for n, c in other.terms.items():
            v = t.get(n, 0) + scale * c
            if v:
                t[n] = v
            else:
                t.pop(n, None)

    def __add__(self, other):
        return LogLinear.combination(((1, self), (1, LogLinear.coerce(other))))

    __radd__ = __add__

    def __sub__(self, other):
        return LogLinear.combination(((1, self), (-1, LogLinear.coerce(other))))

    def __rsub__(self, other):
        return LogLinear.coerce(other) - self

    def __neg__(self):
        return self * -1

    def __mul__(self, other):
        if isinstance(other, LogLinear):
            if other.is_rational():
                other = other.const
            elif self.is_rational():
                return other * self.const
            else:
                raise TypeError("product of two logarithmic quantities is not log-linear")
        return LogLinear.combination(((other, self),))

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, LogLinear):
            if not other.is_rational():
                raise TypeError("division by a logarithmic quantity is not log-linear")
            other = other.const
        k = as_fraction(other)
        if k == 0:
            raise ZeroDivisionError("LogLinear division by zero")
        return self * (1 / k)

    # -- exact tests --------------------------------------------------------
    def is_rational(self) -> bool:
        return not (self._terms if self._terms is not None else self._int[2])

    def coprime_coefficients(self) -> dict[int, Fraction]:
        """Coefficients of the logarithms over a pairwise coprime basis of the integers used."""
        factors = coprime_factorizations(self.terms)
        out: dict[int, Fraction] = {}
        for n, c in self.terms.items():
            for b, e in factors.get(n, {}).items():
                out[b] = out.get(b, Fraction(0)) + c * e
        return {b: c for b, c in out.items() if c != 0}

    def is_zero(self) -> bool:
        """Exact test of ``self == 0`` (see the module docstring for why it is exact)."""
        if self.const != 0:
            # const + (log of a positive rational) = 0 would make e^const rational: impossible
            # for const != 0 unless the log part is exactly -const, which is transcendental.
            return False
        if self.is_rational():
            return True
        # the coefficients over the coprime basis, in integers (all scaled by the common denominator)
        _, _, items = self._integer_form()
        factors = coprime_factorizations(n for n, _ in items)
        acc: dict[int, int] = {}
        for n, v in items:
            for b, e in factors.get(n, {}).items():
                acc[b] = acc.get(b, 0) + v * e
        return not any(acc.values())

    # -- evaluation ---------------------------------------------------------
    def float_with_error(self) -> tuple[float, float]:
        """float64 value and a rigorous bound on its absolute error.

        Each term ``c * log(n)`` is formed from ``c`` as a correctly rounded integer
        quotient (relative error <= u), ``log`` of ``n`` rounded to float64 (``n >= 2``, so
        the rounding of ``n`` costs at most 1.5u relative, numpy's log at most 4 ulp) and one
        product; the terms are summed with ``math.fsum`` (correctly rounded).  So the error
        is at most ``8u * sum|term| + u*|value|``; we report ``16u * sum|term| + tiny``.
        Coefficients or arguments beyond the double range give ``(nan, inf)``: no float verdict.
        """
        if self._float is None:
            self._float = self._float_with_error()
        return self._float

    def _float_with_error(self) -> tuple[float, float]:
        den, cnum, items = self._integer_form()
        try:
            coef = np.array([v / den for _, v in items], dtype=np.float64)
            args = np.array([float(n) for n, _ in items], dtype=np.float64)
            terms = (coef * np.log(args)).tolist()
            terms.append(cnum / den)
        except OverflowError:
            return math.nan, math.inf
        value = math.fsum(terms)
        mag = math.fsum(map(abs, terms))
        if not math.isfinite(mag):
            return math.nan, math.inf
        return value, 16 * _U * mag + 1e-300

    def __float__(self) -> float:
        value = self.float_with_error()[0]
        return float(self.mpf(20)) if math.isnan(value) else value  # beyond the double range: +-inf

    def mpf(self, dps: int = 50):
        """mpmath value correct to ``dps`` significant decimal digits, even under cancellation.

        The sum is formed with ``guard`` extra digits; its absolute error is then below
        ``sum|terms| * 10^-(dps+guard)``.  While that is not below ``|value| * 10^-(dps+5)``
        (the terms cancel to a much smaller value) the guard is doubled; once it is large the
        exact zero test runs, and an exact zero is returned as 0.
        """
        den, cnum, items = self._integer_form()
        guard = 10
        while True:
            with mpmath.workdps(dps + guard):
                prec = mpmath.mp.prec
                parts = [mpmath.mpf(cnum)] + [v * _mp_log(n, prec) for n, v in items]
                total = mpmath.fsum(parts)
                mag = mpmath.fsum(abs(x) for x in parts)
                if total != 0 and mag / abs(total) < mpmath.mpf(10) ** (guard - 5):
                    return total / den
            if guard >= 40 and self.is_zero():  # the exact test is costly for many terms: only when needed
                return mpmath.mpf(0)
            guard *= 2

    def interval(self, prec: int):
        """A rigorous mpmath interval enclosing the value, computed at ``prec`` bits."""
        den, cnum, items = self._integer_form()
        with iv_precision(prec):
            total = mpmath.iv.mpf(cnum)
            for n, v in items:
                total += v * _iv_log(n, prec)
            return total / den

    def __repr__(self) -> str:
        parts = [str(self.const)] if self.const or not self.terms else []
        parts += [f"{c}*log({n})" for n, c in sorted(self.terms.items())]
        return "LogLinear(" + " + ".join(parts) + ")"

    def __eq__(self, other):  # structural equality after exact normalisation
        if not isinstance(other, (LogLinear, int, Fraction)):
            return NotImplemented
        return (self - LogLinear.coerce(other)).is_zero()

    __hash__ = None  # mutable-ish value type; not hashable


@lru_cache(maxsize=1 << 18)
def _mp_log(n: int, prec: int):
    """``log(n)`` rounded to ``prec`` bits (cached: a profile reuses the same arguments)."""
    with mpmath.workprec(prec):
        return mpmath.log(n)


@contextmanager
def iv_precision(prec: int):
    """Run a block with ``mpmath.iv`` at ``prec`` bits (the interval context has no ``workprec``)."""
    old = mpmath.iv.prec
    mpmath.iv.prec = prec
    try:
        yield
    finally:
        mpmath.iv.prec = old


@lru_cache(maxsize=1 << 18)
def _iv_log(n: int, prec: int):
    """A ``prec``-bit interval enclosing ``log(n)`` (cached like :func:`_mp_log`)."""
    with iv_precision(prec):
        return mpmath.iv.log(mpmath.iv.mpf(n))


def _primes_below(n: int) -> list[int]:
    sieve = bytearray([1]) * n
    sieve[:2] = b"\x00\x00"
    for p in range(2, int(n**0.5) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytearray(len(range(p * p, n, p)))
    return [p for p in range(n) if sieve[p]]


_SMALL_PRIMES = _primes_below(1 << 12)


def coprime_factorizations(numbers: Iterable[int]) -> dict[int, dict[int, int]]:
    """``n -> {b: e}`` with ``n = prod b^e`` over one pairwise coprime set of ``b > 1``, for every input ``n > 1``.

    Trial division by the primes below 4096 first (marginal counts of small distributions factor
    completely, and what is left of an ``n`` below ``4096^2`` is a prime); the few parts left with
    no small factor are divided by the large primes found, then refined by gcd splitting
    (:func:`_gcd_split_basis`).  Linear in the number of inputs where the gcd splitting alone is
    quadratic, which decides the exact zero test of a profile with thousands of log terms.
    """
    out: dict[int, dict[int, int]] = {}
    residual: dict[int, int] = {}
    for n in {int(x) for x in numbers if int(x) > 1}:
        f, r = _small_factors(n)
        out[n] = dict(f)
        if r > 1:
            residual[n] = r
    if residual:
        large = {b for f in out.values() for b in f if b >= 1 << 12}
        for n, r in residual.items():
            for q in large:
                while r % q == 0:
                    r //= q
                    out[n][q] = out[n].get(q, 0) + 1
            residual[n] = r
        basis = _gcd_split_basis(r for r in residual.values() if r > 1)
        for n, r in residual.items():
            if r > 1:
                for b, e in factor_over(r, basis).items():
                    out[n][b] = out[n].get(b, 0) + e
    return out


@lru_cache(maxsize=1 << 18)
def _small_factors(n: int) -> tuple[tuple[tuple[int, int], ...], int]:
    """``(((p, e), ...), r)``: ``n = prod p^e * r`` by trial division by the primes below 4096, where
    ``r`` (1 when ``n`` factored completely) has no prime factor below 4096 and may be composite.
    Cached: the exact zero tests of one campaign meet the same marginal counts over and over."""
    f: dict[int, int] = {}
    r = n
    for p in _SMALL_PRIMES:
        if p * p > r:
            break
        if r % p == 0:
            e = 0
            while r % p == 0:
                r //= p
                e += 1
            f[p] = e
    else:
        if r > 1:  # no factor below 4096 and maybe composite: refined by the caller
            return tuple(f.items()), r
    if r > 1:  # r < p^2 for the first untried prime p: r is prime
        f[r] = f.get(r, 0) + 1
    return tuple(f.items()), 1


def coprime_basis(numbers: Iterable[int]) -> list[int]:
    """A pairwise coprime set ``B`` of integers > 1 such that every input factors over ``B``."""
    return sorted({b for f in coprime_factorizations(numbers).values() for b in f})


def _gcd_split_basis(numbers: Iterable[int]) -> list[int]:
    """A pairwise coprime basis by repeated gcd splitting (no factorisation; quadratic in the inputs)."""
    basis: list[int] = []
    work = [int(n) for n in numbers if int(n) > 1]
    while work:
        n = work.pop()
        for i, b in enumerate(basis):
            g = math.gcd(n, b)
            if g > 1:
                basis.pop(i)
                work.extend(x for x in (g, b // g, n // g) if x > 1)
                break
        else:
            basis.append(n)
    return sorted(set(basis))


def factor_over(n: int, basis: list[int]) -> dict[int, int]:
    """Exponents of ``n`` over a coprime basis it factors over (raises if it does not)."""
    out: dict[int, int] = {}
    for b in basis:
        if n == 1:
            break
        e = 0
        while n % b == 0:
            n //= b
            e += 1
        if e:
            out[b] = e
    if n != 1:
        raise ArithmeticError("integer does not factor over the given coprime basis")
    return out


def lcm_of_denominators(values: Iterable[Fraction]) -> int:
    return reduce(lambda a, b: a * b // math.gcd(a, b), (v.denominator for v in values), 1)


MPF_MAX_BITS = 4096


class Enclosure:
    """A real known only through rigorous interval enclosures at any requested precision.

    ``fn(prec)`` returns an ``mpmath.iv`` interval computed at ``prec`` bits that contains
    the value.  Used where an exact log-linear form would be too large (e.g. the closed-form
    profile of a long Markov chain).  Sums and rational multiples stay lazy, so a comparison
    can ask for more bits; equality can only be certified to a width, never exactly.
    """

    __slots__ = ("fn", "_memo")

    def __init__(self, fn):
        self.fn = fn
        self._memo: dict = {}  # prec -> interval: an atom (a long chain's h(m)) is asked again and again

    @staticmethod
    def coerce(x) -> "Enclosure":
        if isinstance(x, Enclosure):
            return x
        if isinstance(x, LogLinear):
            return Enclosure(x.interval)
        q = as_fraction(x)
        return Enclosure(lambda prec: _iv_rational(q, prec))

    def interval(self, prec: int):
        hit = self._memo.get(prec)
        if hit is None:
            with iv_precision(prec):
                hit = self._memo[prec] = self.fn(prec)
        return hit

    def __add__(self, other):
        o = Enclosure.coerce(other)
        return Enclosure(lambda prec: self.interval(prec) + o.interval(prec))

    __radd__ = __add__

    def __sub__(self, other):
        o = Enclosure.coerce(other)
        return Enclosure(lambda prec: self.interval(prec) - o.interval(prec))

    def __rsub__(self, other):
        return Enclosure.coerce(other) - self

    def __neg__(self):
        return Enclosure(lambda prec: -self.interval(prec))

    def __mul__(self, k):
        q = as_fraction(k)
        return Enclosure(lambda prec: self.interval(prec) * _iv_rational(q, prec))

    __rmul__ = __mul__

    def __truediv__(self, k):
        return self * (1 / as_fraction(k))

    def is_zero(self):
        return None  # unknown: only a width can be certified

    def float_with_error(self) -> tuple[float, float]:
        box = self.interval(64)
        lo, hi = float(box.a), float(box.b)
        mid = (lo + hi) / 2
        return mid, (hi - lo) / 2 + 4 * _U * max(abs(lo), abs(hi)) + 1e-300

    def __float__(self) -> float:
        return self.float_with_error()[0]

    def mpf(self, dps: int = 50):
        """Midpoint of an enclosure narrower than ``10^-dps`` relative to the value, refining up to
        ``MPF_MAX_BITS`` bits (a value that encloses 0 that far is returned as its midpoint)."""
        prec = int(dps * 3.33) + 20
        while True:
            box = self.interval(prec)
            with mpmath.workdps(dps + 10):
                lo, hi = mpmath.mpf(box.a), mpmath.mpf(box.b)
                mid = (lo + hi) / 2
                if prec >= MPF_MAX_BITS or (hi - lo) <= abs(mid) * mpmath.mpf(10) ** -dps:
                    return mid
            prec *= 2

    def __repr__(self) -> str:
        return f"Enclosure({self.interval(64)})"


def _iv_rational(q: Fraction, prec: int):
    with iv_precision(prec):
        return mpmath.iv.mpf(q.numerator) / q.denominator
