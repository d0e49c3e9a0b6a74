"""Time the information-profile engine against two ways of getting the same subset entropies.

Methods, all on the same random dense distribution (integer weights 1..20 on every state of V^L):

engine float   ``InformationProfile.of``: all 2^L subset marginals by successive
               marginalisation (each subset summed out of a parent one position larger),
               float64 entropies averaged into h(0..L)
engine exact   ``exact_profile``: the same marginals, kept as exact log-linear values
naive          for every subset A, the full joint summed over the complement of A (numpy)
dit            ``dit.Distribution`` built from the outcomes, then ``dit.shannon.entropy(d, A)``
               for every subset A (construction included in the time)

Every time is the median of ``--repeat`` runs (default 3).  All methods run side by side in
one process, so the ratios compare like with like on the same machine.  Before timing, the
h(0..L) of the naive and dit routes are checked against the engine (column ``max abs dh``).
dit is run only up to ``--dit-max-states`` states (default 2^14: V = 2 up to L = 14,
V = 4 up to L = 7); larger sizes show ``-`` and nothing is extrapolated.

Usage:
    python benchmarks/bench_profile.py            # full table: V=2 L=10..16, V=4 L=6..9
    python benchmarks/bench_profile.py --quick    # a smaller grid, under a minute
    python benchmarks/bench_profile.py --markdown # the same table as Markdown
    python benchmarks/bench_profile.py --only 2:16 --dit-max-states 65536 --repeat 1   # one row, dit included
"""

from __future__ import annotations

import argparse
import math
import sys
from itertools import combinations
from math import comb

import dit  # imported up front so that its import time is not charged to the first dit run
import numpy as np

from proofs_check.sources.distributions import random_distribution
from proofs_check.sources.profile import InformationProfile, _xlogx_sum, exact_profile

from timing import finish, median_time, print_row, print_start  # benchmarks/timing.py

FULL_GRID = [(2, L) for L in range(10, 17)] + [(4, L) for L in range(6, 10)]
QUICK_GRID = [(2, 10), (2, 12), (4, 6), (4, 7)]


def h_from_entropies(ents: dict, L: int) -> np.ndarray:
    """Average subset entropies by subset size into h(0..L)."""
    sums = np.zeros(L + 1)
    for A, H in ents.items():
        sums[len(A)] += H
    return sums / np.array([comb(L, m) for m in range(L + 1)], dtype=float)


def engine_float(dist) -> np.ndarray:
    return InformationProfile.of(dist).h_float


def engine_exact(dist) -> np.ndarray:
    return np.array([float(x) for x in exact_profile(dist)])


def naive(dist) -> np.ndarray:
    """Marginalise every subset directly from the full joint."""
    joint = dist.dense_array()
    W, L = float(dist.total), dist.L
    ents = {(): 0.0}
    for m in range(1, L + 1):
        for A in combinations(range(L), m):
            rest = tuple(i for i in range(L) if i not in A)
            w = (joint.sum(axis=rest) if rest else joint).reshape(-1)
            # the engine's own sum of w log w, so that only the marginalisation strategy differs
            ents[A] = math.log(W) - _xlogx_sum(w[w > 0]) / W
    return h_from_entropies(ents, L)


def with_dit(dist) -> np.ndarray:
    """Build a dit Distribution and ask it for every subset entropy (bits, converted to nats)."""
    outcomes = [tuple(r) for r in dist.support.tolist()]
    pmf = (np.asarray(dist.weights, dtype=np.float64) / dist.total).tolist()
    d = dit.Distribution(outcomes, pmf)
    L = dist.L
    ents = {(): 0.0}
    for m in range(1, L + 1):
        for A in combinations(range(L), m):
            ents[A] = dit.shannon.entropy(d, list(A)) * math.log(2)
    return h_from_entropies(ents, L)


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.4f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(num: float | None, den: float) -> str:
    return "-" if num is None else f"{num / den:.0f}x" if num / den >= 10 else f"{num / den:.1f}x"


COLUMNS = ("V", "L", "states", "engine float s", "engine exact s", "naive s", "dit s",
           "naive/engine", "dit/engine", "max abs dh")


def run_row(V: int, L: int, repeat: int, dit_max_states: int) -> dict:
    dist = random_distribution(L, V, seed=L * 10 + V)
    t_float, h = median_time(lambda: engine_float(dist), repeat)
    t_exact, h_exact = median_time(lambda: engine_exact(dist), repeat)
    t_naive, h_naive = median_time(lambda: naive(dist), repeat)
    t_dit, h_dit = (None, None)
    if V**L <= dit_max_states:
        t_dit, h_dit = median_time(lambda: with_dit(dist), repeat)
    err = max(float(np.max(np.abs(other - h))) for other in (h_exact, h_naive, h_dit) if other is not None)
    return {"V": V, "L": L, "states": V**L, "float": t_float, "exact": t_exact, "naive": t_naive,
            "dit": t_dit, "err": err}


def cells(row: dict) -> list[str]:
    return [str(row["V"]), str(row["L"]), str(row["states"]), fmt_s(row["float"]), fmt_s(row["exact"]),
            fmt_s(row["naive"]), fmt_s(row["dit"]), fmt_ratio(row["naive"], row["float"]),
            fmt_ratio(row["dit"], row["float"]), f"{row['err']:.1e}"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"small grid {QUICK_GRID} (under a minute)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    ap.add_argument("--dit-max-states", type=int, default=2**14, help="skip dit above this many states")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--only", metavar="V:L[,V:L...]", help="measure just these sizes, e.g. 2:16,4:9")
    args = ap.parse_args(argv)

    grid = QUICK_GRID if args.quick else FULL_GRID
    if args.only:
        try:
            grid = [tuple(int(x) for x in item.split(":")) for item in args.only.split(",")]
            if any(len(cell) != 2 or min(cell) < 1 for cell in grid):
                raise ValueError
        except ValueError:
            ap.error(f"--only {args.only!r}: give sizes as V:L pairs separated by commas, e.g. 2:16,4:9")
    widths = [max(len(c), 7) for c in COLUMNS]
    print(f"# information profile: medians of {args.repeat} runs, seconds; ratios = other / engine float")
    print_start()
    print_row(list(COLUMNS), widths, args.markdown)
    if args.markdown:
        print("|" + "|".join("---:" for _ in COLUMNS) + "|")
    worst = 0.0
    for V, L in grid:
        row = run_row(V, L, args.repeat, args.dit_max_states)
        worst = max(worst, row["err"])
        print_row(cells(row), widths, args.markdown)
        sys.stdout.flush()
    return finish(worst, "the methods")


if __name__ == "__main__":
    sys.exit(main())
