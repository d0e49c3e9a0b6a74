"""Option values, validated in one place.

Each function here is an argparse ``type=``: it turns the option's text into a value or raises
``argparse.ArgumentTypeError`` with a message naming the value and the allowed range, which
argparse prints on one line with exit code 2 before the command starts.  Bounds come from
:mod:`proofs_check.limits`.  Schedules are validated by :mod:`proofs_check.model.schedules`
(through ``cli/common.py``) and output paths by :func:`proofs_check.files.check_writable`.
"""

from __future__ import annotations

import argparse
import math
import re
from fractions import Fraction

from theory import registry

from proofs_check.limits import limit, show

_INT = re.compile(r"[+-]?\d{1,40}")


def _int(text: str) -> int:
    text = text.strip()
    if not _INT.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an integer")
    return int(text)


def int_in(lo: int, hi: int | str):
    """Type for an integer in ``lo..hi`` (``hi`` a number or the name of a limit)."""
    top = limit(hi) if isinstance(hi, str) else hi

    def parse(text: str) -> int:
        n = _int(text)
        if not lo <= n <= top:
            raise argparse.ArgumentTypeError(f"{show(n)} must lie in {lo}..{top}")
        return n

    parse.__name__ = "integer"
    return parse


def seconds(text: str) -> float:
    """A positive, finite number of seconds up to the ``budget_seconds`` limit."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
    top = limit("budget_seconds")
    if not (math.isfinite(x) and 0 < x <= top):
        raise argparse.ArgumentTypeError(f"{text[:40]} must be a positive number of seconds, at most {top}")
    return x


def fraction_in(lo: float, hi: float, open_hi: bool = False, open_lo: bool = False):
    """Type for a finite real number in ``[lo, hi]`` (either end open on request)."""

    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number") from None
        ok = math.isfinite(x) and (lo < x if open_lo else lo <= x) and (x < hi if open_hi else x <= hi)
        if not ok:
            left, right = "(" if open_lo else "[", ")" if open_hi else "]"
            raise argparse.ArgumentTypeError(f"{text[:40]} must lie in {left}{lo}, {hi}{right}")
        return x

    parse.__name__ = "number"
    return parse


_DECIMAL = re.compile(r"[+]?(\d{1,30}(\.\d{0,30})?|\.\d{1,30})([eE][+-]?\d{1,2})?")


def positive_fraction(text: str) -> Fraction:
    """A positive rational read exactly from its decimal text (``0.1`` is 1/10, not a float)."""
    t = text.strip()
    if not _DECIMAL.fullmatch(t):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a positive decimal number (e.g. 1, 0.5, 1e-3)")
    x = Fraction(t)
    if not 0 < x <= 10**6:
        raise argparse.ArgumentTypeError(f"{t} must be positive and at most 10^6")
    return x


def schedule_text(text: str) -> str:
    """A --schedule list, bounded in length before it is parsed (the schedule module checks the rest)."""
    if len(text) > limit("schedule_chars"):
        raise argparse.ArgumentTypeError(f"the schedule has {len(text)} characters, more than the limit "
                                         f"schedule_chars = {limit('schedule_chars')}")
    return text


def seed(text: str) -> int:
    return int_in(0, "seed")(text)


def digits(text: str) -> int:
    return int_in(1, "digits")(text)


def statement_id(text: str) -> str:
    """A statement id known to :mod:`theory.registry` (e.g. ``S1``)."""
    try:
        return registry.get(text.strip()).id
    except KeyError as exc:
        raise argparse.ArgumentTypeError(str(exc.args[0])) from None
