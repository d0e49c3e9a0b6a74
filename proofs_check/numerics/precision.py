"""The one precision policy of certified arithmetic: which interval precisions are tried, in order.

Every certified sign in the suite is decided by enclosures at doubling precisions
``FIRST_BITS, 2 FIRST_BITS, ...`` (in bits of ``mpmath.iv``) up to a ceiling that depends on
what is at stake:

* ``CHEAP_INTERVAL_BITS``: the intervals tried before the exact zero test of a log-linear
  difference (that test factors every log argument, so cheap enclosures go first);
* ``ENCLOSURE_MAX_BITS``: the ceiling for values known only through enclosures (no exact zero
  test exists for them, so they end as "equal within width" here);
* ``SEARCH_MAX_BITS``: the ceiling while a search evaluates thousands of instances of a
  non-linear user expression;
* ``FINAL_MAX_BITS``: the ceiling for the final, from-scratch certification of a counterexample
  (and for the 30-digit values it reports);
* ``MAX_PREC_BITS``: the ceiling for a log-linear difference proven non-zero, whose sign every
  enclosure narrow enough must show.

:func:`numerics.certify.sign` and the interval evaluator of user expressions read these;
precision is switched only through :func:`proofs_check.numerics.exact.iv_precision`.
"""

from __future__ import annotations

from typing import Iterator

FIRST_BITS = 64
CHEAP_INTERVAL_BITS = 256
ENCLOSURE_MAX_BITS = 512
SEARCH_MAX_BITS = 1024
FINAL_MAX_BITS = 8192
MAX_PREC_BITS = 1 << 16
#: Significant digits of every reported decimal value.
REPORT_DIGITS = 30


def ladder(max_bits: int, first: int = FIRST_BITS) -> Iterator[int]:
    """The precisions ``first, 2 first, 4 first, ...`` not above ``max_bits``."""
    prec = first
    while prec <= max_bits:
        yield prec
        prec *= 2
