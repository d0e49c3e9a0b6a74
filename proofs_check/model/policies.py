"""Unmasking policies: which masked positions to reveal next, given what is revealed.

A *policy* sees the revealed positions ``A`` (sorted), their values ``x_A``, the length ``L``
and the predictor's pmfs ``phat_i(. | x_A)`` of the masked positions, and returns the next
reveal set ``B`` -- or, for a randomised policy, a finite law over reveal sets as
``[(probability, B), ...]`` with exact rational probabilities.  A deterministic policy returns
one pair ``(1, B)``.  The sampler then draws the tokens of ``B`` independently, each from
``phat_i(. | x_A)`` (Li & Cai, arXiv 2505.21400, Section 2), and the policy is asked again.

The policies (the first is the sampler of Li & Cai's Theorem 1, the reference):

``random``      a fixed schedule ``(s_1..s_T)``, each step a uniformly random ``s_k``-subset of
                the masked positions (values ignored);
``left``        the same sizes, always the leftmost masked positions (deterministic, values ignored);
``entropy``     the same sizes, the ``s_k`` masked positions of lowest predictive entropy
                ``H(phat_i(. | x_A))`` first (Li & Cai, arXiv 2505.21400, Remark 1);
``confidence``  the same sizes, the ``s_k`` positions of largest confidence ``max_v phat_i(v | x_A)``
                (top-confidence remasking as in LLaDA-style samplers);
``entropy-sum`` adaptive sizes: sort the masked positions by entropy and reveal the longest
                lowest-entropy run whose summed entropy is at most ``eps`` -- always at least one
                token (the entropy-sum rule of Cai & Li, arXiv 2603.22248; the token that would
                push the sum past ``eps`` waits for the next step).

Ties between equal scores are broken by position (lowest first: deterministic) or, with
``ties="random"``, uniformly at random among the tied positions at the boundary of the chosen
set (every subset of the needed size equally likely).  Scores are compared exactly: an
entropy is a :class:`~proofs_check.numerics.exact.LogLinear` and a confidence a rational, and
their order is decided by :func:`proofs_check.numerics.certify.sign` (no float tolerance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key
from itertools import combinations
from typing import Callable, Sequence

from proofs_check.errors import DlmInputError, ScheduleError
from proofs_check.model.schedules import Schedule
from proofs_check.numerics.certify import sign
from proofs_check.numerics.exact import LogLinear

#: ``pmf(i)``: the predictor's exact pmf of masked position ``i`` at the current context.
PmfGetter = Callable[[int], Sequence[Fraction]]
Choice = list  # [(Fraction probability, tuple of positions), ...], probabilities summing to 1
TIES = ("position", "random")


class PolicyError(DlmInputError):
    """A policy was asked for with unusable parameters (kind, ties, threshold)."""


def counts_entropy(counts) -> LogLinear:
    """``H = log n - (1/n) sum_v c_v log c_v`` for integer counts ``c_v`` summing to ``n``, exactly."""
    counts = [int(c) for c in counts if c]
    n = sum(counts)
    return LogLinear.from_integer_form(n, 0, _merge([(n, n)] + [(c, -c) for c in counts]))


def _merge(items):
    acc: dict = {}
    for k, v in items:
        acc[k] = acc.get(k, 0) + v
    return acc.items()


_ENTROPIES: dict = {}  # sorted pmf -> its entropy: equal multisets give the *same* object (a cheap tie)


def pmf_entropy(pmf: Sequence[Fraction]) -> LogLinear:
    """``H(q) = -sum_v q_v log q_v`` of an exact rational pmf (over the common denominator)."""
    key = tuple(sorted(Fraction(q) for q in pmf if q))
    hit = _ENTROPIES.get(key)
    if hit is None:
        den = math.lcm(*(q.denominator for q in key))
        hit = counts_entropy(q * den for q in key)
        if len(_ENTROPIES) < 1 << 16:
            _ENTROPIES[key] = hit
    return hit


def _cmp(a, b) -> int:
    """Certified order of two exact scores (LogLinear or rational)."""
    if a is b:
        return 0
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return (a > b) - (a < b)
    return sign(LogLinear.coerce(a) - LogLinear.coerce(b))[0]


def ranked_groups(scores: dict[int, object], descending: bool = False) -> list[list[int]]:
    """Positions grouped into classes of exactly equal score, best class first, each class by position."""
    key = cmp_to_key(lambda i, j: (-1 if descending else 1) * _cmp(scores[i], scores[j]) or (i > j) - (i < j))
    order = sorted(scores, key=key)
    groups: list[list[int]] = []
    for i in order:
        if groups and _cmp(scores[groups[-1][0]], scores[i]) == 0:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def take(groups: list[list[int]], n: int, ties: str) -> Choice:
    """The first ``n`` positions of the ranked classes; the boundary class split by ``ties``."""
    chosen: list[int] = []
    for g in groups:
        if len(chosen) + len(g) <= n:
            chosen += g
            continue
        need = n - len(chosen)
        if ties == "position":
            return [(Fraction(1), tuple(sorted(chosen + g[:need])))]
        subsets = list(combinations(g, need))
        return [(Fraction(1, len(subsets)), tuple(sorted(chosen + list(c)))) for c in subsets]
    return [(Fraction(1), tuple(sorted(chosen)))]


@dataclass(frozen=True)
class Policy:
    """Base: ``choose(A, xA, L, pmf)`` returns the law of the next reveal set (see the module docstring)."""

    kind = ""
    ties: str = "position"

    def __post_init__(self):
        if self.ties not in TIES:
            raise PolicyError(f"ties={self.ties!r}; use one of {', '.join(TIES)}")

    @property
    def randomised(self) -> bool:
        return self.ties == "random"

    def choose(self, A: tuple, xA: tuple, L: int, pmf: PmfGetter) -> Choice:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return self.kind + ("" if self.ties == "position" else "/random-ties")


@dataclass(frozen=True)
class _FixedSizes(Policy):
    """A policy with a fixed schedule: step ``k`` (when ``m_k`` tokens are revealed) reveals ``s_k``."""

    sizes: tuple[int, ...] = ()

    def __post_init__(self):
        super().__post_init__()
        Schedule(tuple(self.sizes))  # validates the sizes

    def step_size(self, A: tuple, L: int) -> int:
        sched = Schedule(tuple(self.sizes)).check_length(L)
        for mk, sk in zip(sched.m, sched.sizes):
            if mk == len(A):
                return sk
        raise ScheduleError(f"{len(A)} revealed tokens is not a step boundary of the schedule {sched}")

    @staticmethod
    def masked(A: tuple, L: int) -> list[int]:
        return [i for i in range(L) if i not in A]

    @property
    def label(self) -> str:
        return f"{super().label}({','.join(map(str, self.sizes))})"


@dataclass(frozen=True)
class RandomOrder(_FixedSizes):
    """Each step a uniformly random ``s_k``-subset of the masked positions (Li & Cai's sampler)."""

    kind = "random"
    ties: str = "random"

    @property
    def label(self) -> str:
        return f"random({','.join(map(str, self.sizes))})"

    def choose(self, A, xA, L, pmf):
        subsets = list(combinations(self.masked(A, L), self.step_size(A, L)))
        return [(Fraction(1, len(subsets)), c) for c in subsets]


@dataclass(frozen=True)
class LeftToRight(_FixedSizes):
    """Each step the ``s_k`` leftmost masked positions (a fixed order: a non-adaptive reference)."""

    kind = "left"

    def choose(self, A, xA, L, pmf):
        return [(Fraction(1), tuple(self.masked(A, L)[:self.step_size(A, L)]))]


@dataclass(frozen=True)
class LowestEntropy(_FixedSizes):
    """Each step the ``s_k`` masked positions of lowest predictive entropy (Li & Cai, Remark 1)."""

    kind = "entropy"

    def choose(self, A, xA, L, pmf):
        scores = {i: pmf_entropy(pmf(i)) for i in self.masked(A, L)}
        return take(ranked_groups(scores), self.step_size(A, L), self.ties)


@dataclass(frozen=True)
class TopConfidence(_FixedSizes):
    """Each step the ``s_k`` masked positions of largest ``max_v phat_i(v | x_A)``."""

    kind = "confidence"

    def choose(self, A, xA, L, pmf):
        scores = {i: max(Fraction(q) for q in pmf(i)) for i in self.masked(A, L)}
        return take(ranked_groups(scores, descending=True), self.step_size(A, L), self.ties)


@dataclass(frozen=True)
class EntropySum(Policy):
    """Adaptive sizes: the longest lowest-entropy run with summed entropy ``<= eps``, at least one token."""

    kind = "entropy-sum"
    eps: Fraction = Fraction(1)

    def __post_init__(self):
        super().__post_init__()
        eps = Fraction(self.eps)
        if eps < 0:
            raise PolicyError(f"entropy-sum threshold eps={self.eps} must be >= 0 (nats)")
        object.__setattr__(self, "eps", eps)

    def choose(self, A, xA, L, pmf):
        masked = [i for i in range(L) if i not in A]
        scores = {i: pmf_entropy(pmf(i)) for i in masked}
        groups = ranked_groups(scores)
        order = [i for g in groups for i in g]
        total, n = LogLinear(), 0
        for i in order:
            total = total + scores[i]
            if sign(LogLinear(self.eps) - total)[0] < 0:
                break
            n += 1
        return take(groups, max(n, 1), self.ties)

    @property
    def label(self) -> str:
        return f"{super().label}(eps={self.eps})"


KINDS = {c.kind: c for c in (RandomOrder, LeftToRight, LowestEntropy, TopConfidence, EntropySum)}


def make(kind: str, sizes: tuple[int, ...] | None = None, eps=None, ties: str = "position") -> Policy:
    """A policy by name: ``make("entropy", (2, 2, 1))``, ``make("entropy-sum", eps=Fraction(1, 2))``."""
    cls = KINDS.get(kind)
    if cls is None:
        raise PolicyError(f"unknown policy {kind!r}; known: {', '.join(KINDS)}")
    if cls is EntropySum:
        if eps is None:
            raise PolicyError("the entropy-sum policy needs a threshold eps (nats), e.g. eps=1/2")
        return EntropySum(ties=ties, eps=Fraction(eps))
    if sizes is None:
        raise PolicyError(f"the {kind} policy needs step sizes (a schedule), e.g. sizes=(2, 2, 1)")
    if cls is RandomOrder:
        return RandomOrder(sizes=tuple(sizes))
    return cls(ties=ties, sizes=tuple(sizes))
