"""Helpers shared by the benchmark scripts: medians of repeated runs, the machine's load, table rows."""

from __future__ import annotations

import os
import statistics
import sys
import time

AGREEMENT = 1e-9  # nats: routes that disagree on h by more make a script exit with 1


def median_time(fn, repeat: int, setup=None):
    """(median seconds, last result) of ``repeat`` calls of ``fn()``, or of ``fn(setup())`` with an
    untimed ``setup`` run before each call."""
    times, result = [], None
    for _ in range(repeat):
        arg = setup() if setup else None
        t = time.perf_counter()
        result = fn(arg) if setup else fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (as ``uptime`` shows them), or ``n/a``."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def print_row(values: list[str], widths: list[int], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(values) + " |")
    else:
        print("  ".join(v.rjust(w) for v, w in zip(values, widths)))


def print_start() -> None:
    print(f"# {os.cpu_count()} cores, load average {load_average()} at the start")


def finish(worst: float, what: str) -> int:
    """Print the closing load; exit status 1 (with a message) if ``what`` disagreed by more than AGREEMENT."""
    print(f"# load average {load_average()} at the end")
    if worst > AGREEMENT:
        print(f"ERROR: {what} disagree on h by {worst:.2e}", file=sys.stderr)
        return 1
    return 0
