"""The one Hypothesis search driver, used by the campaign (``dlm-verify run``) and by ``check``.

A search draws examples from a strategy, evaluates each with certified verdicts, steers
Hypothesis (``hypothesis.target``) toward the tightest instance, and stops at the first
certified violation, which Hypothesis then shrinks.  Hypothesis runs at most ``batch``
examples per call, so the driver calls it in rounds with successive seeds
(:func:`round_seed` of the search's seed, the round and its label) until the deadline, or until
a violation was found.  The label is in the seed so that two searches over the same strategy
(the campaign explores every statement, many with the same quantifier) draw different
instances: with one seed per round they drew the same ones, and since the campaign checks every
drawn instance on every statement, each repeat was work thrown away.

When a test raises, Hypothesis shrinks the failing example and replays the smallest one
last, so the violation the driver keeps is the last one raised: the shrunk instance.

Reproducibility: besides its seed, Hypothesis (6.13x and later) mixes into its draws the literal
constants of every *local* module loaded in the process, so the same seed drew other instances
after ``import proofs_check.search.check`` (measured: a different 8th example), and a worker
process, which loads fewer modules than the CLI, would search elsewhere than one process.  The
driver runs its rounds with that pool emptied (:func:`_seed_only_draws`): the draws depend on the
seed alone, in any process.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hyp_seed
from hypothesis import strategies as st

#: Examples per Hypothesis call (one round).
BATCH = 40
#: Round ``k`` of a search with seed ``s`` and label ``x`` runs Hypothesis with seed
#: ``(s * SEED_STRIDE + k) * 2**32 + crc32(x)``.
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


_POOL_LOCK = threading.Lock()
_POOL_DEPTH = [0, None]  # searches running in this process, the patched-out constants function


@contextlib.contextmanager
def _seed_only_draws():
    """Hypothesis's pool of local-module constants emptied while searches run (module docstring);
    restored, with its cache, when the last one ends.  A Hypothesis without that pool: no-op."""
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - an older Hypothesis draws from its seed alone
        yield
        return
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "CONSTANTS_CACHE"):
        yield  # pragma: no cover
        return
    with _POOL_LOCK:
        if _POOL_DEPTH[0] == 0:
            _POOL_DEPTH[1] = providers._get_local_constants
            providers._get_local_constants = Constants
            providers.CONSTANTS_CACHE.cache.clear()
        _POOL_DEPTH[0] += 1
    try:
        yield
    finally:
        with _POOL_LOCK:
            _POOL_DEPTH[0] -= 1
            if _POOL_DEPTH[0] == 0:
                providers._get_local_constants = _POOL_DEPTH[1]
                providers.CONSTANTS_CACHE.cache.clear()


def round_seed(seed: int, round_: int, label: str = "") -> int:
    """The Hypothesis seed of round ``round_`` of the search ``label`` seeded with ``seed``."""
    return (seed * SEED_STRIDE + round_) * 2**32 + zlib.crc32(label.encode())


def search(examples: st.SearchStrategy, examine: Callable[[Any], Outcome], deadline: float, seed: int = 0,
           label: str = "tightness", batch: int = BATCH, rounds: range | None = None):
    """Run Hypothesis rounds over ``examples`` until ``deadline`` (``time.monotonic``) or a violation.

    ``rounds``: run exactly these rounds (each to its end, whatever the deadline) instead of
    rounds ``0, 1, ...`` until the deadline: a fixed work list, so a search split into rounds
    over several processes gives the same examples as one process running them in turn.

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

    for round_ in (rounds if rounds is not None else itertools.count()):
        if rounds is None and time.monotonic() >= deadline:
            break
        runner = hyp_seed(round_seed(seed, round_, label))(test)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                _seed_only_draws():
            try:
                runner()
            except Violation:
                return raised[-1]  # Hypothesis replays the shrunk example last
    return None
