"""Shared pytest configuration: the Hypothesis profiles.

Three profiles, chosen with the environment variable ``HYPOTHESIS_PROFILE``:

``dev``   (default when the variable is unset) a quick local loop, 20 examples a test;
``ci``    what ``make test`` uses: 100 examples a test unless a test asks for more,
          derandomized so that two CI runs draw exactly the same examples, and with
          the reproduction blob printed for any failure;
``deep``  long exploratory runs (5000 examples a test), randomized and using the
          example database so that every failure found is replayed next time.

No profile has a deadline: exact arithmetic makes the time of one example depend
on the sizes Hypothesis happens to draw, and a slow example is not a wrong one.
Tests that need more examples than the profile gives (the brute-force equality
test must see at least 500 under ``ci``) multiply ``settings.default.max_examples``
rather than hard-coding a count, so ``dev`` stays fast and ``deep`` stays deep.
"""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, settings

PROFILE_ENV = "HYPOTHESIS_PROFILE"

# Some strategies draw whole weight vectors over V^L (up to a few hundred integers);
# generating them can take longer than Hypothesis's default budget on a busy 2-core machine.
_SLOW_DATA = [HealthCheck.too_slow]

settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=_SLOW_DATA)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, print_blob=True,
                          suppress_health_check=_SLOW_DATA)
settings.register_profile("deep", max_examples=5000, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_DATA)

settings.load_profile(os.environ.get(PROFILE_ENV, "dev"))

# Under pytest-xdist (``make test`` runs ``-n auto``) each worker process keeps its own Hypothesis
# example database, so two workers never write the same directory.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _XDIST_WORKER:
    from hypothesis.database import DirectoryBasedExampleDatabase

    for _name in ("dev", "ci", "deep"):
        settings.register_profile(f"{_name}-{_XDIST_WORKER}", settings.get_profile(_name),
                                  database=DirectoryBasedExampleDatabase(
                                      os.path.join(".hypothesis", "examples", _XDIST_WORKER)))
    settings.load_profile(f"{os.environ.get(PROFILE_ENV, 'dev')}-{_XDIST_WORKER}")


@contextmanager
def _time_limit(seconds: float):
    """Raise TimeoutError in the main thread once ``seconds`` have passed (POSIX timers)."""
    def alarm(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def time_limit():
    """``with time_limit(3): ...`` bounds a call that must fail fast (e.g. a missing size check)."""
    return _time_limit
