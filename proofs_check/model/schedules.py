"""Unmasking schedules: how many tokens are revealed at each step.

A schedule is a tuple of step sizes ``(s_1, ..., s_T)`` in reveal order, each at
least 1, summing to the sequence length ``L``.  ``m_k`` tokens are revealed before
step ``k`` and ``e_k = m_k + s_k - 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Iterator

from proofs_check.errors import ScheduleError


@dataclass(frozen=True)
class Schedule:
    sizes: tuple[int, ...]
    #: for a member of S3's randomized-offset family, the family's step ``s`` (which the sizes alone
    #: do not determine when ``L - r < s``, e.g. ``L=5, s=4, r=3`` gives ``(3, 2)``); else None
    offset_step: int | None = field(default=None, compare=False)

    def __post_init__(self):
        sizes = tuple(self.sizes)
        if not sizes:
            raise ScheduleError("empty schedule: give at least one step size, e.g. --schedule 2,1")
        for k, s in enumerate(sizes, 1):
            if isinstance(s, bool) or not isinstance(s, int):
                raise ScheduleError(f"step {k} size {s!r} is not an integer; sizes are whole numbers >= 1")
            if s < 1:
                raise ScheduleError(f"step {k} has size {s}; every step must reveal at least 1 token")
        object.__setattr__(self, "sizes", sizes)

    @classmethod
    def parse(cls, text: str, L: int | None = None) -> "Schedule":
        """Parse ``"3,2,1"``; with ``L`` given, check that the sizes sum to it."""
        try:
            sizes = tuple(int(t) for t in text.replace(" ", "").split(",") if t)
        except ValueError:
            raise ScheduleError(f"cannot parse schedule {text!r}; write step sizes like 3,2,1") from None
        sched = cls(sizes)
        if L is not None:
            sched.check_length(L)
        return sched

    def check_length(self, L: int) -> "Schedule":
        if self.L != L:
            raise ScheduleError(
                f"schedule {self} sums to {self.L} but the sequence has length L={L}; "
                f"the step sizes must add up to {L}"
            )
        return self

    @property
    def L(self) -> int:
        return sum(self.sizes)

    @property
    def T(self) -> int:
        return len(self.sizes)

    @property
    def s_max(self) -> int:
        return max(self.sizes)

    @property
    def m(self) -> tuple[int, ...]:
        """Tokens revealed before each step (``m_1 = 0``)."""
        out, acc = [], 0
        for s in self.sizes:
            out.append(acc)
            acc += s
        return tuple(out)

    @property
    def e(self) -> tuple[int, ...]:
        return tuple(m + s - 1 for m, s in zip(self.m, self.sizes))

    def __str__(self) -> str:
        return ",".join(map(str, self.sizes))

    def __len__(self) -> int:
        return self.T

    def halved(self) -> "Schedule":
        """Split every step of size ``s`` into ``ceil(s/2)`` then ``floor(s/2)`` (P2's refinement)."""
        out = []
        for s in self.sizes:
            out.append((s + 1) // 2)
            if s // 2:
                out.append(s // 2)
        return Schedule(tuple(out))

    def split(self, k: int, a: int) -> "Schedule":
        """Split step ``k`` (0-based) into sizes ``a`` and ``s_k - a``."""
        s = self.sizes[k]
        if not 1 <= a < s:
            raise ScheduleError(f"cannot split step of size {s} at {a}; need 1 <= a < {s}")
        return Schedule(self.sizes[:k] + (a, s - a) + self.sizes[k + 1:])

    def refinements(self) -> Iterator["Schedule"]:
        """Every schedule obtained by splitting one step in two."""
        for k, s in enumerate(self.sizes):
            for a in range(1, s):
                yield self.split(k, a)


def _check_L(L: int) -> None:
    if isinstance(L, bool) or not isinstance(L, int) or L < 1:
        raise ScheduleError(f"sequence length L={L!r} must be an integer >= 1")


def balanced(L: int, T: int) -> Schedule:
    """``T`` steps of sizes ``ceil(L/T)`` (first ``L mod T`` steps) and ``floor(L/T)``."""
    _check_L(L)
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= L:
        raise ScheduleError(f"number of steps T={T!r} must be an integer with 1 <= T <= L={L}")
    q, r = divmod(L, T)
    return Schedule(tuple([q + 1] * r + [q] * (T - r)))


def randomized_offset(L: int, s: int, r: int) -> Schedule:
    """First step of size ``r``, then steps of size ``s``, the last one truncated (S3)."""
    _check_L(L)
    if not 1 <= s <= L:
        raise ScheduleError(f"step size s={s} must satisfy 1 <= s <= L={L}")
    if not 1 <= r <= s:
        raise ScheduleError(f"offset r={r} must satisfy 1 <= r <= s={s}")
    sizes = [r]
    left = L - r
    while left > 0:
        sizes.append(min(s, left))
        left -= s
    return Schedule(tuple(sizes), offset_step=s)


def offset_family(L: int, s: int) -> list[tuple[Fraction, Schedule]]:
    """S3's randomized-offset family: ``r`` uniform on ``1..s``, as (probability, schedule)."""
    return [(Fraction(1, s), randomized_offset(L, s, r)) for r in range(1, s + 1)]


def one_step(L: int) -> Schedule:
    _check_L(L)
    return Schedule((L,))


def all_ones(L: int) -> Schedule:
    _check_L(L)
    return Schedule((1,) * L)


def compositions(L: int) -> Iterator[Schedule]:
    """All ``2^(L-1)`` schedules of length ``L`` (compositions of ``L``)."""
    _check_L(L)
    for k in range(L):
        for cuts in combinations(range(1, L), k):
            bounds = (0,) + cuts + (L,)
            yield Schedule(tuple(b - a for a, b in zip(bounds, bounds[1:])))
