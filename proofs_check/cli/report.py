"""``dlm-verify report``: Markdown and self-contained HTML report with figures."""

from __future__ import annotations

from pathlib import Path

from proofs_check import validate
from proofs_check.files import check_writable
from proofs_check.search.campaign import Campaign
from proofs_check.search.results import CampaignResult
from proofs_check.cli.run import DEFAULT_RESULTS


def register(sub) -> None:
    p = sub.add_parser("report", help="write report.md, report.html and PNG figures")
    p.add_argument("--out", default="report", help="output directory (default report/)")
    p.add_argument("--results", default=DEFAULT_RESULTS,
                   help=f"campaign results JSON from `dlm-verify run` (default {DEFAULT_RESULTS}); "
                        "a short campaign is run when the file does not exist")
    p.add_argument("--budget", type=validate.seconds, default=20.0, help="seconds for that short campaign (default 20)")
    p.set_defaults(func=run)


def run(args) -> int:
    from proofs_check.analysis.report import write_report  # matplotlib import only when needed

    out = check_writable(args.out, directory=True)
    path = Path(args.results)
    if path.exists():
        results = CampaignResult.load(path)
    else:
        results = Campaign(budget=args.budget).run().results()
    files = write_report(results, out)
    for name, f in files.items():
        print(f"{name}: {f}")
    return 0
