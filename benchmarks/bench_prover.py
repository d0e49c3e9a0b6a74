"""Time the exact prover on every registry statement for all cases of one length L.

Usage: python benchmarks/bench_prover.py [L ...]   (default: 12 14 16)
"""

import sys
import time

from proofs_check.prover.core import prove_statements
from theory import registry


def main(lengths):
    print(f"{'L':>3} {'seconds':>8} {'clause-cases proved':>20}")
    for L in lengths:
        t = time.perf_counter()
        res = prove_statements(registry.STATEMENTS, L, min_L=L)
        print(f"{L:>3} {time.perf_counter() - t:>8.1f} {sum(r.clause_cases_proved for r in res):>20}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [12, 14, 16])
