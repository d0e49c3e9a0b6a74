"""Certified comparison of two exact quantities.

``compare(lhs, rhs, "<=")`` returns a :class:`Verdict` whose status is

* ``"equal"``  -- ``lhs == rhs`` proven exactly (:meth:`LogLinear.is_zero`);
* ``"holds"``  -- the relation holds strictly, the sign of ``rhs - lhs`` being proven;
* ``"fails"``  -- the relation is violated, proven the same way;
* ``"equal within width"`` -- only for interval-only values
  (:class:`~proofs_check.numerics.exact.Enclosure`, e.g. a Markov profile beyond its exact range):
  the enclosure of the difference still contains 0 at ``ENCLOSURE_MAX_BITS`` (the width is in
  ``Verdict.method``).  Nothing is proven either way: it is never reported as ``holds`` or
  ``equal``, and ``dlm-verify inspect`` exits 3 (inconclusive) when a statement ends there.

The sign of ``d = rhs - lhs`` is decided by the cheapest route that is rigorous:

1. float64 with the error bound of :meth:`LogLinear.float_with_error`: decided when
   ``|d| > bound``;
2. a rational ``d`` (no logarithms left) is decided exactly;
3. otherwise mpmath interval arithmetic (``mpmath.iv``) at 64, 128 and 256 bits;
4. if those enclosures all contain 0, the exact zero test (a zero difference is ``"equal"``),
   run this late because it factors every log argument (thousands for a real profile);
5. otherwise intervals at 512, 1024, ... bits until the enclosure excludes 0, which
   always happens because ``d != 0``.

``Verdict.digits`` is the number of decimal digits of the arithmetic that decided
(about 15 for float64), ``Verdict.method`` names the route.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

from theory.relations import relation as relation_type

from proofs_check.numerics.exact import Enclosure, LogLinear
from proofs_check.numerics.precision import (CHEAP_INTERVAL_BITS, ENCLOSURE_MAX_BITS, FIRST_BITS, MAX_PREC_BITS,
                                             REPORT_DIGITS)
from proofs_check.verdicts import Status


@dataclass(frozen=True)
class Verdict:
    """Outcome of one certified comparison of ``lhs REL rhs``."""

    status: Status
    relation: str
    margin: float  # rhs - lhs for <=, <, ==; lhs - rhs for >=, > (positive = room to spare)
    digits: int
    method: str
    lhs: float
    rhs: float

    @property
    def ok(self) -> bool:
        """True when the stated relation is true -- or, for ``equal within width``, not refuted (see
        :attr:`decided`: such a verdict is neither a proof nor a failure)."""
        if self.status in (Status.FAILS,):
            return False
        if self.status == Status.EQUAL_WITHIN_WIDTH:
            return True
        if self.status == Status.EQUAL:
            return relation_type(self.relation).allows_equality
        return self.relation != "=="

    @property
    def tightness(self) -> float | None:
        """:func:`tightness` of this verdict's two sides."""
        return tightness(self.relation, self.lhs, self.rhs, self.status)

    @property
    def decided(self) -> bool:
        """False when the two sides could not be separated by certified enclosures."""
        return self.status != Status.EQUAL_WITHIN_WIDTH

    def __str__(self) -> str:
        return f"{self.status} ({self.relation}, margin {self.margin:.6g}, {self.method})"


def tightness(relation: str, lhs: float, rhs: float, status: str | None = None) -> float | None:
    """How close ``lhs REL rhs`` comes to failing: (side claimed smaller) / (side claimed larger).

    That is ``lhs/rhs`` for an upper bound (``<=``, ``<``) and ``rhs/lhs`` for a lower bound
    (``>=``, ``>``), the direction read from :meth:`theory.relations.Relation.smaller_larger`:
    1 is tight, above 1 a violation.  A larger side of 0 gives ``inf`` (a positive smaller side)
    or ``-inf`` (a negative one); ``None`` when the ratio says nothing: an equation, ``0 <= 0``,
    or a larger side below 0.  Sides proven equal (``status`` ``equal``) are exactly 1 (``None`` when
    both are 0), whatever the rounding of their floats.  A float summary for tables and search
    steering, never a verdict.
    """
    rel = relation_type(relation)
    if rel.equation:
        return None
    small, big = rel.smaller_larger(float(lhs), float(rhs))
    if math.isnan(small) or math.isnan(big):
        return None
    if status == Status.EQUAL:
        return None if big == 0 and small == 0 else 1.0
    if big > 0:
        return small / big
    if big == 0 and small != 0:
        return math.inf if small > 0 else -math.inf
    return None


def sign(d) -> tuple[int, int, str]:
    """Proven sign of ``d`` (a LogLinear or an Enclosure) with the digits and method that decided.

    For an :class:`~proofs_check.numerics.exact.Enclosure` zero cannot be proven; if the enclosure
    still contains 0 at ``ENCLOSURE_MAX_BITS`` the sign is reported as 0 with the method
    ``width<...>`` (equal within the certified width).
    """
    value, err = d.float_with_error()
    if abs(value) > err:
        return (1 if value > 0 else -1), 15, "float64"
    # Intervals at a few precisions first: the exact zero test factors every log argument over a
    # coprime basis (thousands for a real profile), so it runs only when they cannot decide.
    if isinstance(d, LogLinear) and d.is_rational():
        return (d.const > 0) - (d.const < 0), 0, "exact"
    prec = FIRST_BITS
    zero = None
    while True:
        if prec > CHEAP_INTERVAL_BITS and zero is None:
            zero = d.is_zero()
            if zero:
                return 0, 0, "exact"
        limit = MAX_PREC_BITS if zero is False else ENCLOSURE_MAX_BITS
        if prec > limit:
            break
        box = d.interval(prec)
        if box.a > 0:
            return 1, int(prec * math.log10(2)), f"interval@{prec}bits"
        if box.b < 0:
            return -1, int(prec * math.log10(2)), f"interval@{prec}bits"
        prec *= 2
    if zero is None:
        return 0, int(limit * math.log10(2)), f"width<{mpmath.nstr(mpmath.mpf(box.b.b) - mpmath.mpf(box.a.a), 3)}"
    raise ArithmeticError(f"sign undecided at {MAX_PREC_BITS} bits for a nonzero value {d!r}")


def compare(lhs, rhs, relation: str = "<=") -> Verdict:
    """Certified verdict on ``lhs relation rhs`` for exact (LogLinear or rational) values."""
    rel = relation_type(relation)  # raises on an unknown relation
    if isinstance(lhs, Enclosure) or isinstance(rhs, Enclosure):
        lhs, rhs = Enclosure.coerce(lhs), Enclosure.coerce(rhs)
    else:
        lhs, rhs = LogLinear.coerce(lhs), LogLinear.coerce(rhs)
    d = rel.slack(lhs, rhs)
    s, digits, method = sign(d)
    if s == 0 and method.startswith("width"):
        # enclosures that still contain 0: neither equality nor either strict side is proven
        status = Status.EQUAL_WITHIN_WIDTH
    elif s == 0:
        status = Status.EQUAL if rel.allows_equality else Status.FAILS
    else:
        status = Status.HOLDS if rel.holds_on_sign(s) else Status.FAILS
    if s == 0:
        margin = 0.0
    elif method == "float64":
        margin = d.float_with_error()[0]  # already decided in float64: its value is accurate enough
    else:
        margin = float(d.mpf(20))  # correct to 20 significant digits however small
    return Verdict(status, relation, margin, digits, method, float(lhs), float(rhs))


def mpmath_str(x: LogLinear, digits: int = REPORT_DIGITS) -> str:
    """Decimal string of ``x`` correct to ``digits`` significant digits."""
    return mpmath.nstr(x.mpf(digits + 5), digits)
