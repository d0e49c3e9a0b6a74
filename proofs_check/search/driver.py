"""The one Hypothesis search driver, used by the campaign (``dlm-verify run``) and by ``check``.

A search draws examples from a strategy, evaluates each with certified verdicts, steers
Hypothesis (``hypothesis.target``) toward the tightest instance, and stops at the first
certified violation, which Hypothesis then shrinks.  Hypothesis runs at most ``batch``
examples per call, so the driver calls it in rounds with successive seeds
``seed * SEED_STRIDE + round`` until the deadline, or until a violation was found.

When a test raises, Hypothesis shrinks the failing example and replays the smallest one
last, so the violation the driver keeps is the last one raised: the shrunk instance.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hyp_seed
from hypothesis import strategies as st

#: Examples per Hypothesis call (one round).
BATCH = 40
#: Round ``k`` of a search with seed ``s`` runs Hypothesis with seed ``s * SEED_STRIDE + k``.
SEED_STRIDE = 100_003


@dataclass(frozen=True)
class Outcome:
    """What one example gave: a steering value (larger = closer to failing) and maybe a violation."""

    target: float | None = None
    violation: Any = None


class Violation(AssertionError):
    """Raised inside the Hypothesis test when an example violates the relation searched."""

    def __init__(self, payload):
        super().__init__("certified violation")
        self.payload = payload


def round_seed(seed: int, round_: int) -> int:
    """The Hypothesis seed of round ``round_`` of a search seeded with ``seed``."""
    return seed * SEED_STRIDE + round_


def search(examples: st.SearchStrategy, examine: Callable[[Any], Outcome], deadline: float, seed: int = 0,
           label: str = "tightness", batch: int = BATCH):
    """Run Hypothesis rounds over ``examples`` until ``deadline`` (``time.monotonic``) or a violation.

    ``examine(example)`` evaluates one drawn example (and tallies it: the driver keeps no
    counts of its own) and returns an :class:`Outcome`.  Returns the payload of the shrunk
    violation, or ``None`` when none was found before the deadline.
    """
    raised: list = []

    @settings(max_examples=batch, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.target, Phase.shrink])
    @given(st.data())
    def test(data):
        out = examine(data.draw(examples))
        if out.target is not None and math.isfinite(out.target):
            target(out.target, label=label)
        if out.violation is not None:
            raised.append(out.violation)
            raise Violation(out.violation)

    round_ = 0
    while time.monotonic() < deadline:
        runner = hyp_seed(round_seed(seed, round_))(test)
        round_ += 1
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                runner()
            except Violation:
                return raised[-1]  # Hypothesis replays the shrunk example last
    return None
