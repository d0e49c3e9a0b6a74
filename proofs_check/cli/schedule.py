"""``dlm-verify schedule``: the optimal ``T``-step schedule and how far the common schedules are from it.

For each ``T`` (``--T N`` or ``--T 1..N``): ``OPT(T)`` with its schedule, and the balanced
schedule, the best ordering of the balanced sizes, S3's randomized offset, the geometric
Bernoulli grid with about ``T`` expected steps and the schedule minimising W5's bound, each
with its ideal error, its ratio to ``OPT(T)`` and the bounds P1, S1 and W5
(:mod:`proofs_check.analysis.schedule_table`).
"""

from __future__ import annotations

import json
import re

from rich.console import Console
from rich.table import Table

from proofs_check.analysis.schedule_table import schedule_table
from proofs_check.cli.common import add_distribution_args, distribution_from_args
from proofs_check.errors import DlmInputError, ScheduleError
from proofs_check.files import check_writable

_RANGE = re.compile(r"^\s*(\d+)\s*(?:\.\.\s*(\d+))?\s*$")


def register(sub) -> None:
    p = sub.add_parser("schedule", help="the optimal T-step schedule OPT(T) and the common schedules' ratios to it")
    add_distribution_args(p)
    p.add_argument("--T", required=True, metavar="N|A..B",
                   help="number of steps: one value (4) or a range (1..64)")
    p.add_argument("--json", action="store_true", help="print one JSON object (schema_version inside)")
    p.add_argument("--plot", metavar="OUT.png", help="write the figure 'KL vs T' for every schedule")
    p.set_defaults(func=run)


def parse_T(text: str) -> tuple[int, int]:
    """``"4"`` or ``"1..64"`` -> ``(lo, hi)``; checked for form before any source is built."""
    m = _RANGE.match(text or "")
    if not m:
        raise ScheduleError(f"--T {text!r}: give a number of steps like 4 or a range like 1..64")
    lo = int(m.group(1))
    return lo, int(m.group(2)) if m.group(2) else lo


def steps_in(bounds: tuple[int, int], text: str, L: int) -> list[int]:
    """The step counts ``lo..hi``, each checked against ``1 <= T <= L``."""
    lo, hi = bounds
    if not 1 <= lo <= hi <= L:
        raise ScheduleError(f"--T {text!r}: need 1 <= T <= L={L} (and A <= B in A..B)")
    return list(range(lo, hi + 1))


def run(args) -> int:
    bounds = parse_T(args.T)
    if args.plot and not args.plot.lower().endswith(".png"):
        raise DlmInputError(f"--plot {args.plot!r}: give a .png file name, e.g. --plot kl_vs_T.png")
    if args.plot:
        check_writable(args.plot)  # before the work
    src = distribution_from_args(args)
    Ts = steps_in(bounds, args.T, src.L)
    table = schedule_table(src, Ts)
    if args.plot:
        from proofs_check.analysis.schedule_table import figure_schedules  # matplotlib only when asked

        figure_schedules(table, args.plot)
    if args.json:
        print(json.dumps(table.to_json(), indent=1, allow_nan=False))
        return 0
    _print(table, args.plot)
    return 0


def _fmt_box(box) -> str:
    if box is None:
        return "-"
    lo, hi = box
    mid = (lo + hi) / 2
    return f"{mid:.6g}"


def _fmt_ratio(entry) -> str:
    if entry.ratio is None:
        return "1 (both 0)" if entry.value_zero else ("inf (OPT = 0)" if entry.kind != "bernoulli" else "-")
    lo, hi = entry.ratio
    return f"{lo:.4f}" if f"{lo:.4f}" == f"{hi:.4f}" else f"{lo:.4f}..{hi:.4f}"


def _print(table, plot) -> None:
    con = Console(width=160)
    con.print(f"[bold]{table.source}[/]  L={table.L}  V={table.V}  MI={_fmt_box(table.MI)} nats")
    for row in table.rows:
        opt = row.entry("opt")
        status = "proved optimal (exact)" if row.opt_exact else f"optimal within [{row.opt_lower:.9g}, {opt.kl[1]:.9g}]"
        value = "0" if opt.value_zero else _fmt_box(opt.kl)
        t = Table("schedule", "sizes", "steps", "KL_ideal", "ratio to OPT", "P1", "S1", "W5", "note",
                  title=f"T = {row.T}: OPT = {value} nats, {status}")
        for e in row.entries:
            sizes = "-" if e.sizes is None else _short(e.sizes)
            kl = "0 (exact)" if e.value_zero else _fmt_box(e.kl) + ("" if e.certified else " (float)")
            t.add_row(e.kind, sizes, f"{e.steps:.4g}", kl,
                      _fmt_ratio(e), *(_fmt_box(e.bounds.get(k)) for k in ("P1", "S1", "W5")), e.note)
        con.print(t)
    if plot:
        con.print(f"figure: {plot}")


def _short(sizes) -> str:
    text = ",".join(map(str, sizes))
    return text if len(text) <= 40 else text[:37] + "..."
