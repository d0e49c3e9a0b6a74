"""Enumeration vs the shape route of the exact prover, side by side in one run.

Part 1: the statements whose clauses range over schedules (F2, F4, P1, P2, S1, S2) at one length
L, decided by enumerating every case and by the step shapes (proofs_check/prover/shapes.py),
with the ratio of the two times; the verdicts and proved counts must agree (exit 1 otherwise).
Part 2: the shape route alone for every L from 2 to N, and the whole registry (the offset
family of S3/S4/P4 and the balanced schedules are enumerated; they are polynomial in L too).

Usage: python benchmarks/bench_prover.py [--markdown] [--side L ...] [--alone N ...] [--registry N ...]
"""

from __future__ import annotations

import argparse
import sys
import time

from timing import load_average, print_row, print_start  # benchmarks/timing.py
from proofs_check.prover.core import Prover, prove_statements
from theory import registry

SHAPED = ("F2", "F4", "P1", "P2", "S1", "S2")


def _run(statements, max_L: int, min_L: int, route: str):
    t = time.perf_counter()
    res = prove_statements(statements, max_L, min_L=min_L, prover=Prover(route=route))
    return time.perf_counter() - t, res


def _verdicts(res) -> list:
    return [(r.id, r.proved, r.clause_cases_proved, [c.min_slack[0] for c in r.clauses]) for r in res]


def side_by_side(lengths, markdown: bool) -> float:
    sts = [registry.get(x) for x in SHAPED]
    widths = [3, 14, 12, 12, 8, 10]
    print_row(["L", "clause-cases", "enumerate s", "shapes s", "ratio", "load 1min"], widths, markdown)
    if markdown:
        print("|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for L in lengths:
        te, re = _run(sts, L, L, "enumerate")
        ts, rs = _run(sts, L, L, "auto")
        worst = max(worst, float(_verdicts(re) != _verdicts(rs)))
        print_row([str(L), str(sum(r.clause_cases_proved for r in rs)), f"{te:.2f}", f"{ts:.3f}",
                   f"{te / ts:.0f}x", load_average().split(",")[0]], widths, markdown)
    return worst


def alone(limits, statements, label: str, markdown: bool) -> None:
    widths = [10, 8, 14, 10]
    print_row([label, "max L", "seconds", "load 1min"], widths, markdown)
    if markdown:
        print("|---|---:|---:|---:|")
    for N in limits:
        t, res = _run(statements, N, 2, "auto")
        assert all(r.proved or r.provenance == "conjecture" or not r.provable for r in res), "a statement failed"
        print_row(["shapes", str(N), f"{t:.1f}", load_average().split(",")[0]], widths, markdown)


def main(argv) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--side", type=int, nargs="*", default=[12, 13, 14, 15, 16])
    ap.add_argument("--alone", type=int, nargs="*", default=[64, 128, 256])
    ap.add_argument("--registry", type=int, nargs="*", default=[32, 64])
    args = ap.parse_args(argv)
    print_start()
    worst = side_by_side(args.side, args.markdown)
    print()
    alone(args.alone, [registry.get(x) for x in SHAPED], "F2 F4 P1 P2 S1 S2, every L <= max L", args.markdown)
    print()
    alone(args.registry, registry.STATEMENTS, "whole registry, every L <= max L", args.markdown)
    print(f"# load average {load_average()} at the end")
    if worst:
        print("ERROR: enumeration and shapes disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
