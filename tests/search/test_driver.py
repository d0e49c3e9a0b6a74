"""The one Hypothesis driver shared by the campaign and `check`."""

from __future__ import annotations

import time

from hypothesis import strategies as st

from proofs_check.search import campaign, driver, witnesses
from proofs_check.search.driver import Outcome


def test_a_violation_is_shrunk_to_the_smallest_failing_example():
    seen = []

    def examine(x):
        seen.append(x)
        return Outcome(float(x), x if x >= 1000 else None)

    found = driver.search(st.integers(0, 10**6), examine, time.monotonic() + 20, seed=1)
    assert found == 1000  # the boundary: 999 passes, so a driver that kept the first raise would say more
    assert max(seen) > 1000


def test_no_violation_runs_until_the_deadline_and_returns_none():
    calls = []
    start = time.monotonic()
    found = driver.search(st.integers(0, 10), lambda x: calls.append(x) or Outcome(), start + 0.5)
    assert found is None and calls and time.monotonic() - start >= 0.5


def test_rounds_are_deterministic_in_the_seed():
    def run(seed):
        seen = []
        driver.search(st.integers(0, 10**9), lambda x: seen.append(x) or Outcome(), time.monotonic() + 0.3,
                      seed=seed, batch=5)
        return seen[:5]

    assert run(3) == run(3) and run(3) != run(4)
    assert driver.round_seed(2, 7) == 2 * driver.SEED_STRIDE + 7


def test_campaign_and_check_have_no_driver_of_their_own():
    import inspect

    for mod in (campaign, witnesses):
        src = inspect.getsource(mod)
        assert "@given" not in src and "hyp_seed" not in src and "_Violation" not in src
        assert "search(" in src
