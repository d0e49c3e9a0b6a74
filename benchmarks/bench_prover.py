"""Enumeration vs the shape and family routes of the exact prover, side by side in one run.

Part 1: the statements whose clauses range over schedules (F2, F4, P1, P2, S1, S2) at one length
L, decided by enumerating every case and by the step shapes (proofs_check/prover/shapes.py),
with the ratio of the two times; the verdicts and proved counts must agree (exit 1 otherwise).
Part 2: the same for the statements over the randomized-offset family and the balanced schedules
(S3, S4, P4, P3) against the family route (proofs_check/prover/offsets.py), at one length L.
Part 3: the default routes alone for every L from 2 to N, for the schedule statements and for the
whole registry, with wall time, CPU time, the load and each statement's seconds.

Usage: python benchmarks/bench_prover.py [--markdown] [--side L ...] [--family-side L ...]
                                         [--alone N ...] [--registry N ...]
"""

from __future__ import annotations

import argparse
import sys
import time

from timing import load_average, print_row, print_start  # benchmarks/timing.py
from proofs_check.prover.core import Prover, prove_statements
from theory import registry

SHAPED = ("F2", "F4", "P1", "P2", "S1", "S2")
FAMILY = ("S3", "S4", "P4", "P3")


def _run(statements, max_L: int, min_L: int, route: str):
    t = time.perf_counter()
    res = prove_statements(statements, max_L, min_L=min_L, prover=Prover(route=route))
    return time.perf_counter() - t, res


def _verdicts(res) -> list:
    return [(r.id, r.proved, r.clause_cases_proved, [c.min_slack[0] for c in r.clauses]) for r in res]


def side_by_side(lengths, markdown: bool, ids=SHAPED, label: str = "shapes s") -> float:
    sts = [registry.get(x) for x in ids]
    widths = [3, 14, 12, 12, 8, 10]
    print_row(["L", "clause-cases", "enumerate s", label, "ratio", "load 1min"], widths, markdown)
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
    widths = [10, 8, 10, 10, 10, 40]
    print_row([label, "max L", "wall s", "CPU s", "load 1min", "seconds per statement"], widths, markdown)
    if markdown:
        print("|---|---:|---:|---:|---:|---|")
    for N in limits:
        c = time.process_time()
        t, res = _run(statements, N, 2, "auto")
        cpu = time.process_time() - c
        assert all(r.proved or r.provenance == "conjecture" or not r.provable for r in res), "a statement failed"
        per = " ".join(f"{r.id} {r.seconds:.1f}" for r in res if r.provable)
        print_row(["default", str(N), f"{t:.1f}", f"{cpu:.1f}", load_average().split(",")[0], per], widths, markdown)


def main(argv) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--side", type=int, nargs="*", default=[12, 13, 14, 15, 16])
    ap.add_argument("--family-side", type=int, nargs="*", default=[32, 48, 64])
    ap.add_argument("--alone", type=int, nargs="*", default=[64, 128, 256])
    ap.add_argument("--registry", type=int, nargs="*", default=[32, 64])
    args = ap.parse_args(argv)
    print_start()
    worst = side_by_side(args.side, args.markdown)
    print()
    worst = max(worst, side_by_side(args.family_side, args.markdown, FAMILY, "family s"))
    print()
    alone(args.alone, [registry.get(x) for x in SHAPED], "F2 F4 P1 P2 S1 S2, every L <= max L", args.markdown)
    print()
    alone(args.registry, registry.STATEMENTS, "whole registry, every L <= max L", args.markdown)
    print(f"# load average {load_average()} at the end")
    if worst:
        print("ERROR: enumeration and the shape or family route disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
