"""Shards on a Dask distributed cluster (``dlm-verify run|check --scheduler tcp://HOST:8786``).

The optional extra ``[dask]`` installs ``dask.distributed``.  The cluster runs the same shard
functions as the local process pool (:func:`proofs_check.search.campaign.run_shard`,
:func:`proofs_check.search.witnesses.search_round`), through the client's ``concurrent.futures``
executor (:func:`proofs_check.search.shards.executor`), so the merged result is the same as a
local run's.  Every Dask worker needs this package installed (the same version) to import them.
"""

from __future__ import annotations

import contextlib

from proofs_check.errors import DlmInputError


class SchedulerError(DlmInputError):
    """The Dask scheduler named by ``--scheduler`` cannot be used."""


@contextlib.contextmanager
def dask_executor(address: str, timeout: float = 10.0):
    """A ``concurrent.futures`` executor running on the Dask cluster at ``address``."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerError(f"--scheduler {address}: dask.distributed is not installed; "
                             "pip install 'dlm-convergence[dask]'") from None
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"--scheduler {address}: no Dask scheduler answers there ({exc}); "
                             "start one with `dask scheduler` and workers with `dask worker ADDRESS`") from None
    try:
        pool = client.get_executor()
        pool.n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        yield pool
    finally:
        client.close()
