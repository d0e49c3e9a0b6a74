"""Timing of ``dlm-verify schedule`` on a long Markov chain, stage by stage, in one run.

    python benchmarks/bench_schedule.py [--L 4096] [--T 64] [--layers 8]

Stages: the closed-form float profile with its error bound, the cost matrix ``c(a, b)``, the
float DP over ``T`` layers (``O(T L^2)``), and the whole table (every competitor, certified
bounds).  Side by side: the DP's minimum over ``a`` taken along contiguous memory (the suite's
``b``-major layout) against the same minimum along strided memory (``a``-major), for ``--layers``
layers; the two must agree exactly (same floats, same argmins).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import load_average  # noqa: E402
from proofs_check.analysis import optimal as opt  # noqa: E402
from proofs_check.analysis.schedule_table import schedule_table  # noqa: E402
from proofs_check.sources.markov import random_chain  # noqa: E402


def strided_forward(C: np.ndarray, N: int):
    """The same DP with the minimum over ``a`` along axis 0 of ``C[a, b]`` (strided for ``b``-major ``C``)."""
    L = C.shape[0]
    F = np.full((N + 1, L + 1), np.inf)
    F[0, 0] = 0.0
    arg = np.zeros((N + 1, L + 1), dtype=np.int64)
    for t in range(1, N + 1):
        for b0 in range(0, L + 1, opt.BLOCK):
            tot = F[t - 1, :L, None] + C[:, b0:b0 + opt.BLOCK]
            k = np.argmin(tot, axis=0)
            arg[t, b0:b0 + opt.BLOCK] = k
            F[t, b0:b0 + opt.BLOCK] = tot[k, np.arange(tot.shape[1])]
    return F, arg


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--L", type=int, default=4096)
    ap.add_argument("--T", type=int, default=64)
    ap.add_argument("--layers", type=int, default=8)
    args = ap.parse_args()
    print(f"load average at start: {load_average()}")
    chain = random_chain(args.L, V=4, seed=0)
    t_prof, fp = timed(lambda: opt.FloatProfile.of(chain.profile()))
    t_cost, C = timed(lambda: opt.cost_matrix(fp))
    t_dp, (F, _) = timed(lambda: opt.forward(C, args.T))
    t_fast, fast = timed(lambda: opt.forward(C, args.layers))
    t_slow, slow = timed(lambda: strided_forward(C, args.layers))
    same = np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])
    t_table, _ = timed(lambda: schedule_table(random_chain(args.L, V=4, seed=0), range(1, args.T + 1)))
    print(f"| stage (L = {args.L}, T = 1..{args.T}) | seconds |\n|---|---:|")
    for name, t in (("float profile + error bound", t_prof), ("cost matrix", t_cost),
                    (f"float DP, {args.T} layers", t_dp), ("whole table (fresh chain)", t_table)):
        print(f"| {name} | {t:.2f} |")
    print(f"\nDP over {args.layers} layers: contiguous {t_fast:.2f} s, strided {t_slow:.2f} s, "
          f"strided/contiguous {t_slow / t_fast:.1f}x, identical results: {same}")
    print(f"load average at end: {load_average()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
