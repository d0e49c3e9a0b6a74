"""Schedule laws: probability distributions over the compositions of ``L``.

A *schedule law* draws the schedule at random, independently of the data and of the reveal
sets.  With the optimal predictor its ideal error is the average of the fixed-schedule error
(F2, Li & Cai, arXiv 2505.21400, Section 2; the exact form of Chen, Cong & Li, arXiv 2511.04647):

    KL_ideal(law) = sum_S P(S) KL_ideal(S),   KL_ideal(S) = sum_k [s_k delta(m_k) - (h(m_k + s_k) - h(m_k))],

still a rational linear form in the profile ``h``, so the exact engine and the prover apply to it
unchanged.  S3's randomized-offset family (``r`` uniform on ``1..s``) is the law
:func:`offset_law`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from theory.linear import Case, linear_form
from theory.symbols import KL_ideal

from proofs_check.errors import ScheduleError
from proofs_check.model.schedules import Schedule, offset_family


@dataclass(frozen=True)
class ScheduleLaw:
    """``((P(S), S), ...)``: positive rational weights summing to 1 over compositions of one ``L``.

    Repeated schedules are merged (their weights added); the order is that of first appearance.
    """

    items: tuple[tuple[Fraction, Schedule], ...]

    def __post_init__(self):
        items = tuple(self.items)
        if not items:
            raise ScheduleError("empty schedule law: give at least one (probability, schedule) pair")
        merged: dict[Schedule, Fraction] = {}
        for n, pair in enumerate(items):
            try:
                w, S = pair
            except (TypeError, ValueError):
                raise ScheduleError(f"law entry {n} is {pair!r}; give (probability, schedule) pairs") from None
            w = _weight(w, n)
            S = S if isinstance(S, Schedule) else Schedule(tuple(S))
            merged[S] = merged.get(S, Fraction(0)) + w
        lengths = {S.L for S in merged}
        if len(lengths) != 1:
            raise ScheduleError(f"the schedules of a law must all sum to one L; got lengths {sorted(lengths)}")
        total = sum(merged.values())
        if total != 1:
            raise ScheduleError(f"law probabilities sum to {total}, not 1; rescale them so they sum to 1")
        object.__setattr__(self, "items", tuple((w, S) for S, w in merged.items()))

    @property
    def L(self) -> int:
        return self.items[0][1].L

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return tuple(S for _, S in self.items)

    def probability(self, S: Schedule) -> Fraction:
        return next((w for w, x in self.items if x == S), Fraction(0))

    def kl_ideal_form(self) -> dict:
        """``sum_S P(S) KL_ideal(S)`` as an exact linear form in ``h(0..L)`` (keys as in theory.linear)."""
        acc: dict = {}
        for w, S in self.items:
            for key, c in linear_form(KL_ideal, Case(self.L, S.sizes)).items():
                acc[key] = acc.get(key, 0) + w * c
        return {key: c for key, c in acc.items() if c}

    def __str__(self) -> str:
        return " + ".join(f"{w}*({S})" for w, S in self.items)


def _weight(w, n: int) -> Fraction:
    if isinstance(w, float):
        raise ScheduleError(f"law entry {n} has float probability {w!r}; give an exact rational such as 1/3")
    try:
        w = Fraction(w)
    except (TypeError, ValueError):
        raise ScheduleError(f"law entry {n} has probability {w!r}, not a rational number") from None
    if w <= 0:
        raise ScheduleError(f"law entry {n} has probability {w}; every probability must be > 0 (drop the entry)")
    return w


def offset_law(L: int, s: int) -> ScheduleLaw:
    """S3's randomized-offset family of step ``s`` (first size ``r`` uniform on ``1..s``) as a law."""
    return ScheduleLaw(tuple(offset_family(L, s)))


def point_law(S: Schedule) -> ScheduleLaw:
    """The fixed schedule ``S`` as the law that puts all its mass on it."""
    return ScheduleLaw(((Fraction(1), S),))
