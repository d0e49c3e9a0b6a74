"""``dlm-verify check --file my_bounds.toml``: every clause of a statement file, one table."""

from __future__ import annotations

import json
from dataclasses import replace

from rich.console import Console
from rich.table import Table

from proofs_check.cli.common import workers_from_args
from proofs_check.search import statements_file as sf
from proofs_check.search.results import schema
from proofs_check.verdicts import EXIT_CODES


def run_file(args) -> int:
    """Validate the whole file first (exit 2 on any bad field), then check each clause."""
    doc = sf.load(args.file)
    rows = []
    for c in doc.clauses:
        c = _with_cli_defaults(c, args)
        rows.append((c, sf.run_clause(c, workers=workers_from_args(args), scheduler=args.scheduler,
                                      rounds=args.rounds)))
    worst = sf.worst(res.verdict for _, res in rows)
    if args.json:
        print(json.dumps({"schema": schema("check-file"), "file": doc.path, "verdict": str(worst),
                          "exit_code": int(EXIT_CODES[worst]),
                          "clauses": [{"id": c.id, "statement": c.statement, "over": c.over, "min_L": c.min_L,
                                       "result": res.to_json()} for c, res in rows]}, indent=1))
    else:
        _table(doc.path, rows, worst)
    return int(EXIT_CODES[worst])


def _with_cli_defaults(c: sf.UserClause, args) -> sf.UserClause:
    """The file's values where it sets them; else --max-L, --budget, --seed (check's defaults)."""
    raw = c.explicit
    return replace(c, max_L=c.max_L if "max_L" in raw else max(args.max_L, c.min_L),
                   budget=c.budget if "budget" in raw else args.budget, seed=c.seed if "seed" in raw else args.seed)


def _table(path: str, rows, worst) -> None:
    con = Console(width=None if Console().is_terminal else 160)
    t = Table("clause", "verdict", "L range", "over", "expression", "counterexample / reached", title=path)
    for c, res in rows:
        if res.counterexample is not None:
            last = "; ".join(sf.counterexample_lines(res))
        elif res.verdict in ("verified", "not refuted"):
            last = sf.inconclusive_reason(res)
        else:
            last = res.method
        t.add_row(c.id, str(res.verdict).upper(), sf.L_text(res), c.over, c.expr, last)
    con.print(t)
    con.print(f"worst verdict: {str(worst).upper()} (exit code {int(EXIT_CODES[worst])})")
