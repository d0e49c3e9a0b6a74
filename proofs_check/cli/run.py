"""``dlm-verify run`` (the default command): the certified verification campaign."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from theory import registry

from proofs_check.errors import DlmInputError
from proofs_check.cli.common import add_parallel_args, workers_from_args
from proofs_check.search.campaign import Campaign
from proofs_check.search.results import CampaignResult
from proofs_check import validate
from proofs_check.files import check_writable, write_atomic
from proofs_check.verdicts import Status

DEFAULT_RESULTS = "out/campaign.json"


def register(sub) -> None:
    p = sub.add_parser("run", help="check every statement on thousands of instances (default command)")
    p.add_argument("--budget", type=validate.seconds, default=120.0, help="seconds for the whole campaign (default 120)")
    p.add_argument("--seed", type=validate.seed, default=0, help="seed of the random exploration (default 0)")
    p.add_argument("--statement", type=validate.statement_id, action="append",
                   help="only this statement id (repeatable)")
    p.add_argument("--statements", metavar="TOML",
                   help="also check the statements of this statement file, beside the registry's")
    p.add_argument("--max-L", type=validate.int_in(2, "run_max_L"), default=6,
                   help="largest sequence length explored (2..8, default 6; exact checks enumerate V^L states)")
    p.add_argument("--json", metavar="PATH", default=DEFAULT_RESULTS,
                   help=f"where to write the results (default {DEFAULT_RESULTS})")
    add_parallel_args(p, "per statement")
    p.set_defaults(func=run)


def run(args) -> int:
    path = check_writable(args.json)  # before the campaign, not after it
    workers = workers_from_args(args)
    statements = tuple(registry.get(s) for s in args.statement) if args.statement else registry.STATEMENTS
    statements += _file_statements(args.statements)
    con = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=con,
                  transient=True) as bar:
        task = bar.add_task("campaign", total=1.0)
        camp = Campaign(statements=statements, budget=args.budget, seed=args.seed, max_L=args.max_L,
                        workers=workers, rounds=args.rounds, scheduler=args.scheduler,
                        progress=lambda what, frac: bar.update(task, completed=frac, description=what))
        camp.run()
    results = camp.results()
    write_atomic(path, json.dumps(results.to_json(), indent=1))
    out = Console(width=None if Console().is_terminal else 132)
    print_table(results, out)
    failed = camp.failed_statements
    for t in failed:
        out.print(f"[red]COUNTEREXAMPLE {t.statement.id}[/]: {escape(json.dumps(t.counterexample))}")
    stale = _stale_refutations(statements)
    for st, verdict in stale:
        out.print(f"[red]NO LONGER REFUTED {st.clause_id(st.clause_index(st.counterexample.clause))}[/]: "
                  f"its pinned counterexample now gives '{verdict.status.value}'; the registry's record is stale")
    out.print(f"{results.total_checks} certified checks in {results.elapsed_seconds} s "
              f"({results.workers} worker{'s' if results.workers != 1 else ''}); "
              f"{_non_optimal_line(results)}; results in {escape(str(path))}")
    return 1 if failed or stale else 0


def _stale_refutations(statements) -> list:
    """Refuted statements whose pinned counterexample no longer fails (re-certified from scratch)."""
    from proofs_check.search.counterexamples import pinned_verdict

    checked = [(st, pinned_verdict(st)) for st in statements if st.provenance == "refuted"]
    return [(st, v) for st, v in checked if v.status != Status.FAILS]


def _file_statements(path: str | None) -> tuple:
    """The statements of a statement file as registry statements; an id the registry uses is refused."""
    if path is None:
        return ()
    from proofs_check.search.statements_file import load

    doc = load(path)
    known = {s.id for s in registry.STATEMENTS}
    for s in doc.statements:
        if s.id in known:
            raise DlmInputError(f"{path}: statement id {s.id!r} is a registry statement; rename it in the file")
    return tuple(s.registry_statement(path) for s in doc.statements)


def _fmt_ratio(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def _short(worst: dict | None) -> str:
    if not worst:
        return ""
    return f"{worst['name']} @ {','.join(map(str, worst['schedule']))}"


def _non_optimal_line(results: CampaignResult) -> str:
    n = sum(s.non_optimal for s in results.statements)
    return (f"{n} statement instances with a perturbed or learned predictor (eps_train > 0; "
            f"drawn for {results.non_optimal_share:.0%} of the instances of the eps_train statements)")


def print_table(results: CampaignResult, con: Console) -> None:
    """Per statement: instances (of them with a non-optimal predictor), verdict counts, tightest ratio."""
    for section, keep in (("Statements (paper and derived)", lambda p: p in registry.BINDING_PROVENANCES),
                          ("Conjectures and refuted statements", lambda p: p not in registry.BINDING_PROVENANCES)):
        t = Table("id", "provenance", "instances", "non-optimal", "holds", "equal", "within width", "fails",
                  "tightest", "worst instance", title=section)
        for s in results.statements:
            if not keep(s.provenance):
                continue
            fails = f"[red]{s.fails}[/]" if s.fails else "0"
            t.add_row(s.id, s.provenance, str(s.instances), str(s.non_optimal), str(s.holds), str(s.equal),
                      str(s.within_width), fails, _fmt_ratio(s.tightest_ratio), _short(s.worst))
        if t.row_count:
            con.print(t)
