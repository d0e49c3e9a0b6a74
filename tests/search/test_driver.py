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
    def run(seed, label="tightness"):
        seen = []
        driver.search(st.integers(0, 10**9), lambda x: seen.append(x) or Outcome(), time.monotonic() + 0.3,
                      seed=seed, batch=5, label=label)
        return seen[:5]

    assert run(3) == run(3) and run(3) != run(4)
    # two searches over one strategy (two statements with the same quantifier) draw apart
    assert run(3, "S1") != run(3, "S2")
    seeds = {driver.round_seed(s, k, x) for s in (0, 1, 2) for k in range(50) for x in ("S1", "S2", "")}
    assert len(seeds) == 3 * 50 * 3


def test_campaign_and_check_have_no_driver_of_their_own():
    import inspect

    for mod in (campaign, witnesses):
        src = inspect.getsource(mod)
        assert "@given" not in src and "hyp_seed" not in src and "_Violation" not in src
        assert "search(" in src


def test_draws_do_not_depend_on_the_local_modules_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes the literal constants of loaded local modules into its draws; the driver
    empties that pool, so a worker process (fewer modules) draws what one process draws."""
    import contextlib
    import importlib
    import sys

    def draws():
        seen = []
        driver.search(st.lists(st.integers(0, 10**6), min_size=8, max_size=8),
                      lambda x: seen.append(x) or Outcome(), 0, seed=5, rounds=range(2))
        return seen

    before = draws()
    (tmp_path / "dlm_many_constants.py").write_text(
        "CONSTANTS = (" + ", ".join(str(7919 * k + 13) for k in range(1, 400)) + ")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("dlm_many_constants")
    try:
        assert draws() == before
        # the same search without the emptied pool draws the new module's constants: the test can fail
        monkeypatch.setattr(driver, "_seed_only_draws", contextlib.nullcontext)
        assert draws() != before
    finally:
        sys.modules.pop("dlm_many_constants", None)
