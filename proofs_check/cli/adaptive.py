"""``dlm-verify adaptive``: value-dependent unmasking policies against OPT(T), exactly (notes/A1.md).

For a source whose law can be enumerated and a step budget ``--T``: every policy's exact
``KL(p || q_pi)`` with ``T`` fixed sizes beside ``OPT(T)`` (the best fixed schedule of the
random-order sampler, Li & Cai, arXiv 2505.21400) and the random-order balanced schedule; then
the entropy-sum policy (Cai & Li, arXiv 2603.22248) for each ``--eps``, its KL beside the
sampler's exact expected number of steps.  ``--json PATH`` writes the typed result (with its
``schema_version``), ``--plot out.png`` draws KL against the number of steps.
"""

from __future__ import annotations

import json
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from proofs_check.files import check_writable, write_atomic
from proofs_check.analysis.adaptive import AdaptiveComparison, compare_policies, opt_curve, plot
from proofs_check.cli.common import add_distribution_args, distribution_from_args
from proofs_check.errors import DlmInputError
from proofs_check.model.policies import TIES

DEFAULT_EPS = "0.5,1,2"


def register(sub) -> None:
    p = sub.add_parser("adaptive", help="exact KL of adaptive unmasking policies beside OPT(T)")
    add_distribution_args(p)
    p.add_argument("--T", type=int, required=True, help="number of steps of the fixed-size policies (1..L)")
    p.add_argument("--eps", default=DEFAULT_EPS,
                   help=f"entropy-sum thresholds in nats, comma separated, e.g. 1/4,0.5,1 (default {DEFAULT_EPS}; "
                        f"'none' to skip)")
    p.add_argument("--ties", choices=TIES, default="position", help="tie-break: by position (default) or at random")
    p.add_argument("--json", metavar="PATH", help="write the typed result as JSON ('-' for stdout)")
    p.add_argument("--plot", metavar="PNG", help="draw KL against the number of steps")
    p.set_defaults(func=run)


def parse_eps(text: str) -> list[Fraction]:
    """``"1/4,0.5,1"`` -> exact fractions (decimals read exactly); ``"none"`` -> no thresholds."""
    if text.strip().lower() == "none":
        return []
    out = []
    for part in filter(None, (t.strip() for t in text.split(","))):
        try:
            eps = Fraction(part)
        except (ValueError, ZeroDivisionError):
            raise DlmInputError(f"--eps value {part!r} is not a number; write thresholds like 1/4,0.5,1") from None
        if eps < 0:
            raise DlmInputError(f"--eps value {part} is negative; thresholds are entropies in nats, >= 0")
        out.append(eps)
    return out


def run(args) -> int:
    eps_values = parse_eps(args.eps)
    for path in (args.plot, None if args.json == "-" else args.json):
        if path:
            check_writable(path)  # before the work
    source = distribution_from_args(args)
    if not 1 <= args.T <= source.L:
        raise DlmInputError(f"--T {args.T} must satisfy 1 <= T <= L={source.L}")
    result = compare_policies(source, args.T, eps_values, ties=args.ties)
    if args.json == "-":
        print(json.dumps(result.to_json(), indent=1))
    else:
        print_result(result, Console(width=None if Console().is_terminal else 140))
        if args.json:
            write_atomic(args.json, json.dumps(result.to_json(), indent=1))
    if args.plot:
        plot(result, opt_curve(source), args.plot)
    return 0


def _f(x) -> str:
    return "-" if x is None else f"{x:.6f}"


def print_result(res: AdaptiveComparison, con: Console) -> None:
    con.print(f"{res.source}: L={res.L}, V={res.V}, T={res.T}; OPT(T) = {res.opt_float:.6f} at schedule "
              f"{','.join(map(str, res.opt_schedule))} ({res.opt_method})")
    t = Table("policy", "sizes", "KL(p || q_pi)", "average over randomness", "vs OPT(T)", "note",
              title=f"Policies with T={res.T} steps (optimal predictor, exact; vs OPT certified)")
    for r in res.policies:
        t.add_row(r.policy, ",".join(map(str, r.sizes)), _f(r.kl_float), _f(r.average_float), r.versus_opt, r.note)
    con.print(t)
    if res.entropy_sum:
        e = Table("eps (nats)", "E(steps)", "KL(p || q_pi)", "average over randomness", "n = ceil E(steps)",
                  "OPT(n)", "vs OPT(n)", title="Entropy-sum policy (adaptive sizes, exact expected steps)")
        for r in res.entropy_sum:
            e.add_row(r.eps, f"{r.expected_steps_float:.4f}", _f(r.kl_float), _f(r.average_float),
                      str(r.opt_at_steps), _f(r.opt_at_steps_float), r.versus_opt)
        con.print(e)
