"""Certified checks per second of ``dlm-verify run``: a baseline commit against this checkout, side by side.

    python benchmarks/bench_campaign.py [--baseline REV] [--budget B] [--seed S] [--workers 1,2]

The baseline (default ``5415f6c``, the commit before the layered redesign) is checked out into a
temporary ``git worktree``; its ``dlm-verify run --budget B --seed S --json`` runs first, then this
checkout's with each ``--workers`` count, on the whole registry and on the baseline's statements
alone (``--statement`` for each), in the same invocation so they share the machine's load.
Each rate is the campaign's ``total_checks / elapsed_seconds`` as its own JSON reports them (the
same kinds of certified checks: every clause case of every statement on every instance).  The load
averages are printed before and after each run: on a shared machine the ratio is what to read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import load_average  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _cli_module(tree: Path) -> str:
    """``proofs_check.cli.main`` since the redesign, ``proofs_check.cli`` before it."""
    return "proofs_check.cli.main" if (tree / "proofs_check" / "cli" / "main.py").exists() else "proofs_check.cli"


def campaign(tree: Path, budget: float, seed: int, out: Path, workers: int | None, statements=()) -> dict:
    """Run ``dlm-verify run`` of the checkout ``tree`` (only ``statements``, if given); (checks,
    seconds, checks/s, loads, the statement ids it ran)."""
    cmd = [sys.executable, "-m", _cli_module(tree), "run", "--budget", str(budget), "--seed", str(seed),
           "--json", str(out)]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    for sid in statements:
        cmd += ["--statement", sid]
    env = dict(os.environ, PYTHONPATH=str(tree))
    before = load_average()
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1):  # 1: a statement failed, still a finished campaign
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    data = json.loads(out.read_text())
    checks, secs = data["total_checks"], data["elapsed_seconds"]
    return {"checks": checks, "seconds": secs, "rate": checks / secs, "load": f"{before} -> {load_average()}",
            "ids": [st["id"] for st in data["statements"]]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default="5415f6c", help="git revision to compare against (default 5415f6c)")
    ap.add_argument("--budget", type=float, default=40.0, help="seconds of each campaign (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", default="1,2", help="worker counts of the current run (default 1,2)")
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",")]
    print(f"# {os.cpu_count()} cores; budget {args.budget} s, seed {args.seed}; baseline {args.baseline}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(base), args.baseline],
                       check=True)
        try:
            rows.append((f"baseline {args.baseline}", campaign(base, args.budget, args.seed, Path(tmp) / "b.json", None)))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False)
        # Like for like: the registry has grown since the baseline, and every drawn instance is
        # checked on every statement, so the current rate is also measured on the baseline's
        # statements alone.
        same = tuple(rows[0][1]["ids"])
        for w in counts:
            name = f"current, {w} worker{'s' if w > 1 else ''}"
            rows.append((name, campaign(ROOT, args.budget, args.seed, Path(tmp) / f"c{w}.json", w)))
            rows.append((f"{name}, the baseline's {len(same)} statements",
                         campaign(ROOT, args.budget, args.seed, Path(tmp) / f"s{w}.json", w, same)))
    base_rate = rows[0][1]["rate"]
    print("| run | checks | seconds | checks/s | vs baseline | load average (1, 5, 15 min) before -> after |")
    print("|---|---:|---:|---:|---:|---|")
    for name, r in rows:
        print(f"| {name} | {r['checks']} | {r['seconds']:.1f} | {r['rate']:.0f} | {r['rate'] / base_rate:.2f}x "
              f"| {r['load']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
