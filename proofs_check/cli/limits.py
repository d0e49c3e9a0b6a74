"""``dlm-verify limits``: every input limit of the suite (see :mod:`proofs_check.limits`)."""

from __future__ import annotations

import json

from proofs_check.limits import LIMITS


def register(sub) -> None:
    p = sub.add_parser("limits", help="print every input limit (sizes, lengths, digits, budgets, file sizes)")
    p.add_argument("--json", action="store_true", help="print one JSON object {name: {value, description}}")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.json:
        print(json.dumps({k: {"value": v.value, "description": v.description} for k, v in LIMITS.items()},
                         indent=1))
        return 0
    width = max(len(k) for k in LIMITS)
    for k, v in LIMITS.items():
        print(f"{k:<{width}}  {v.value:>12}  {v.description}")
    return 0
