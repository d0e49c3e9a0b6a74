"""``dlm-verify run`` (the default command): the certified verification campaign."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from theory import registry

from proofs_check.search.campaign import Campaign
from proofs_check.errors import DlmInputError

DEFAULT_RESULTS = "out/campaign.json"


def register(sub) -> None:
    p = sub.add_parser("run", help="check every statement on thousands of instances (default command)")
    p.add_argument("--budget", type=float, default=120.0, help="seconds for the whole campaign (default 120)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random exploration (default 0)")
    p.add_argument("--statement", action="append", help="only this statement id (repeatable)")
    p.add_argument("--max-L", type=int, default=6, help="largest sequence length explored (default 6)")
    p.add_argument("--json", metavar="PATH", default=DEFAULT_RESULTS,
                   help=f"where to write the results (default {DEFAULT_RESULTS})")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.budget <= 0:
        raise DlmInputError(f"--budget {args.budget} must be positive (seconds)")
    if not 2 <= args.max_L <= 8:
        raise DlmInputError(f"--max-L {args.max_L} must lie in 2..8 (exact checks enumerate V^L states)")
    statements = tuple(registry.get(s) for s in args.statement) if args.statement else registry.STATEMENTS
    con = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=con,
                  transient=True) as bar:
        task = bar.add_task("campaign", total=1.0)
        camp = Campaign(statements=statements, budget=args.budget, seed=args.seed, max_L=args.max_L,
                        progress=lambda what, frac: bar.update(task, completed=frac, description=what))
        camp.run()
    results = camp.results()
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    out = Console(width=None if Console().is_terminal else 132)
    print_table(results, out)
    failed = camp.failed_statements
    for t in failed:
        out.print(f"[red]COUNTEREXAMPLE {t.statement.id}[/]: {json.dumps(t.counterexample)}")
    out.print(f"{results['total_checks']} certified checks in {results['elapsed_seconds']} s; "
                    f"results in {path}")
    return 1 if failed else 0


def _fmt_ratio(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def _short(worst: dict | None) -> str:
    if not worst:
        return ""
    return f"{worst['name']} @ {','.join(map(str, worst['schedule']))}"


def print_table(results: dict, con: Console) -> None:
    for section, keep in (("Statements (paper and derived)", lambda p: p in registry.BINDING_PROVENANCES),
                          ("Conjectures and refuted statements", lambda p: p not in registry.BINDING_PROVENANCES)):
        t = Table("id", "provenance", "instances", "holds", "equal", "fails", "tightest", "worst instance",
                  title=section)
        for s in results["statements"]:
            if not keep(s["provenance"]):
                continue
            fails = f"[red]{s['fails']}[/]" if s["fails"] else "0"
            t.add_row(s["id"], s["provenance"], str(s["instances"]), str(s["holds"]), str(s["equal"]), fails,
                      _fmt_ratio(s["tightest_ratio"]), _short(s["worst"]))
        if t.row_count:
            con.print(t)
