"""Work split into shards and run by worker processes or a Dask cluster: the one runner behind
``dlm-verify run --workers/--scheduler`` and ``dlm-verify check --workers/--scheduler``.

A shard is a plain, picklable unit of work (:class:`Shard`); a *plan* is everything the shards
share (picklable too); ``fn(plan, shard)`` is a top-level function that does one shard in
whatever process runs it and returns a result with a ``shard`` and a ``violated`` tuple (the
groups whose search met a certified violation).  :func:`run_shards` hands the shards out in
order, at most two per worker in flight, and returns the results **in shard order**, so a merge
that replays them in that order does not depend on how many workers ran them or in which order
they finished.  With one worker the shards run in this process, through the same ``fn``.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import os
import time
from dataclasses import dataclass
from typing import Callable, Iterable

#: Bounds of ``--workers`` (processes) and ``--rounds`` (Hypothesis rounds of a search).
MAX_WORKERS = 512
MAX_ROUNDS = 100_000


@dataclass(frozen=True)
class Shard:
    """One unit of work: ``phase`` (``"sweep"``, ``"real"``, ``"explore"``, ...), the range
    ``start:stop`` of it (items of a sweep, Hypothesis rounds of a search) and the ``group`` it
    belongs to (the statement explored; a violation stops the rest of its group)."""

    phase: str
    start: int
    stop: int
    group: str | None = None


def default_workers() -> int:
    """Cores this process may use (the default of ``--workers``)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


@contextlib.contextmanager
def executor(workers: int, scheduler: str | None = None):
    """``(pool, workers)``: None and 1 (this process), a spawn-safe process pool of ``workers``, or
    the executor of the Dask cluster at ``scheduler`` and its worker count."""
    if scheduler:
        from proofs_check.search.cluster import dask_executor
        with dask_executor(scheduler) as pool:
            yield pool, pool.n_workers
    elif workers <= 1:
        yield None, 1
    else:
        with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            yield pool, workers


def run_shards(pool, workers: int, fn: Callable, plan, shards: Iterable[Shard], deadline: float | None = None,
               tick: Callable[[str, int], None] | None = None) -> list:
    """Run ``fn(plan, shard)`` for the shards (in this process when ``pool`` is None), at most
    ``2 workers`` in flight; with a ``deadline`` (``time.monotonic``) none is started after it, and
    the ones started by then are finished.  A group's shards after one that met a violation are not
    started.  Returns the results in shard order; ``tick(phase, done)`` after each."""
    done: list = []
    stopped: set = set()
    shards = iter(shards)
    if pool is None:
        for n, sh in enumerate(shards):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if sh.group in stopped:
                continue
            done.append((n, fn(plan, sh)))
            stopped.update(done[-1][1].violated)
            if tick:
                tick(sh.phase, len(done))
        return [r for _, r in done]
    flight: dict = {}
    order = itertools.count()
    exhausted = False
    while True:
        while not exhausted and len(flight) < 2 * workers:
            if deadline is not None and time.monotonic() >= deadline:
                exhausted = True
                break
            sh = next(shards, None)
            if sh is None:
                exhausted = True
            elif sh.group not in stopped:
                flight[pool.submit(fn, plan, sh)] = next(order)
        if not flight:
            break
        finished, _ = cf.wait(list(flight), return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            res = fut.result()
            done.append((flight.pop(fut), res))
            stopped.update(res.violated)
            if tick:
                tick(res.shard.phase, len(done))
    return [r for _, r in sorted(done, key=lambda x: x[0])]


def until_violation(results: list) -> list:
    """Drop a group's shards after its first violating one (one process would never have run
    them), so a merge does not depend on what ran in parallel."""
    first: dict = {}
    for r in results:
        if r.violated and r.shard.group not in first:
            first[r.shard.group] = r.shard.start
    return [r for r in results if r.shard.group not in first or r.shard.start <= first[r.shard.group]]
