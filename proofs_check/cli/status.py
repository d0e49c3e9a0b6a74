"""``dlm-verify status``: the blueprint status board (Markdown + HTML + dependency graph)."""

from __future__ import annotations

from pathlib import Path

from theory import registry

from proofs_check import validate
from proofs_check.files import check_writable
from proofs_check.cli.run import DEFAULT_RESULTS


def register(sub) -> None:
    p = sub.add_parser("status", help="write the status board: prover and campaign results per statement")
    p.add_argument("--out", default="status", help="output directory (default status/)")
    p.add_argument("--max-L", type=validate.int_in(2, "status_max_L"), default=8,
                   help="prove every statement up to this L (2..14, default 8; use `prove` beyond)")
    p.add_argument("--results", default=DEFAULT_RESULTS,
                   help=f"campaign results from `dlm-verify run` (default {DEFAULT_RESULTS})")
    p.set_defaults(func=run)


def run(args) -> int:
    from proofs_check.prover.core import prove_statements
    from proofs_check.analysis.status import (SYMBOLIC_FILE, board_rows, clause_rows, load_campaign,
                                              symbolic_verdicts, write_board)
    from proofs_check.search.results import ProverSummary

    out = check_writable(args.out, directory=True)
    campaign = load_campaign(Path(args.results))
    finite = {r.id: r.to_json() for r in prove_statements(registry.STATEMENTS, max_L=args.max_L)}
    proofs = {sid: ProverSummary.from_json(r, "prover") for sid, r in finite.items()}
    symbolic, how = symbolic_verdicts(out / SYMBOLIC_FILE)
    rows = board_rows(proofs, campaign, note_prefix=_relative_notes(out))
    files = write_board(rows, out, clause_rows(finite, symbolic, campaign))
    print(f"symbolic verdicts (every L): {how} ({out / SYMBOLIC_FILE})")
    if campaign is None:
        print(f"no campaign results at {args.results}: run `dlm-verify run` to fill that column")
    for name, f in files.items():
        print(f"{name}: {f}")
    return 0


def _relative_notes(out: Path) -> str:
    """Prefix that reaches the repository's notes/ from the board directory."""
    depth = len(out.resolve().relative_to(Path.cwd().resolve()).parts) if out.resolve().is_relative_to(
        Path.cwd().resolve()) else 0
    return "../" * depth if depth else str(Path.cwd().resolve()) + "/"
