"""``dlm-verify check "EXPR"``: prove a user's bound, refute it with a certified counterexample, or neither."""

from __future__ import annotations

import json

from proofs_check import validate
from proofs_check.cli.common import add_parallel_args, workers_from_args
from proofs_check.errors import DlmInputError
from proofs_check.files import PathError, check_writable, write_atomic
from proofs_check.search.check import MAX_L, SCHEDULE_CLASSES, check
from proofs_check.search.witnesses import inspect_command
from proofs_check.search.results import CheckResult
from proofs_check.verdicts import Established
from proofs_check.search.userexpr import allowed_names

PRINT_MAX_SUPPORT = 64  # larger counterexamples are shown by --json or saved with --save-counterexample


def register(sub) -> None:
    p = sub.add_parser(
        "check", help="prove or refute your own bound, e.g. \"KL <= (s_max - 1)/(2*L) * MI\"",
        description="Check one relation written in the suite's named quantities. Verdicts: PROVED (for every "
                    "L, from a symbolic certificate; exit 0); VERIFIED for L <= --max-L (the exact Shannon-cone "
                    "prover proved every schedule of the class for each L up to --max-L and no extreme ray "
                    "refutes it beyond; exit 3); NOT REFUTED (non-linear or undecided: a search found no "
                    "counterexample, the output names what was searched; exit 3); REFUTED (a certified "
                    "counterexample; exit 1). Bad or meaningless expression (h(L+1), g(-1), delta(L), D(L), "
                    "fractional arguments, undefined everywhere): exit 2. "
                    "Allowed: " + allowed_names() + ". An expression starting with '-' goes after '--'.")
    p.add_argument("expression", nargs="?", help="one relation, e.g. \"KL_ideal <= (s_max - 1)/L * MI\"")
    p.add_argument("--file", metavar="TOML", help="check every clause of a statement file instead (one table; exit "
                   "code of the worst verdict: refuted 1 > inconclusive 3 > proved 0; --max-L, --budget and --seed "
                   "apply to clauses that do not set them)")
    p.add_argument("--schedules", choices=list(SCHEDULE_CLASSES), default="all",
                   help="schedule class the relation is claimed for (default all)")
    p.add_argument("--max-L", type=validate.int_in(2, MAX_L), default=10,
                   help=f"the finite prover covers every L up to this (default 10, at most {MAX_L}); extreme rays "
                        "are tried beyond it; the search uses L <= 6")
    p.add_argument("--budget", type=validate.seconds, default=30.0, help="seconds for the whole check (default 30)")
    p.add_argument("--seed", type=validate.seed, default=0, help="seed of the random search (default 0)")
    add_parallel_args(p, "of the search")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--save-counterexample", metavar="PATH",
                   help="write the counterexample distribution as JSON (usable with `dlm-verify inspect --file`)")
    p.set_defaults(func=run)


def run(args) -> int:
    if (args.expression is None) == (args.file is None):
        raise DlmInputError("give either one expression or --file TOML, e.g. check \"TC <= 9*DTC\"")
    if args.save_counterexample:
        check_writable(args.save_counterexample)  # before the search, not after it
    if args.file:
        from proofs_check.cli.check_file import run_file

        return run_file(args)
    res = check(args.expression, schedules=args.schedules, max_L=args.max_L, budget=args.budget, seed=args.seed,
                workers=workers_from_args(args), scheduler=args.scheduler, rounds=args.rounds)
    saved = None
    if args.save_counterexample and res.distribution is not None:
        saved = args.save_counterexample
        try:
            write_atomic(saved, json.dumps(res.distribution.to_json(), indent=1) + "\n")
        except OSError as exc:
            raise PathError(f"cannot write {saved}: {exc.strerror}") from None
    if res.counterexample is not None and not res.counterexample.get("ray"):
        res.counterexample["inspect"] = inspect_command(res.counterexample, saved)
        if saved:
            res.counterexample["saved_to"] = saved
    if args.json:
        print(json.dumps(res.to_json(), indent=1))
    else:
        _print(res, args, saved)
    return res.exit_code


def _print(res: CheckResult, args, saved: str | None) -> None:
    kind = "linear in the profile" if res.linear else "not linear in the profile"
    print(f"expression: {res.expression}")
    print(f"  read as   {res.canonical}   ({kind}; schedules: {res.schedules})")
    if res.verdict in (Established.PROVED, Established.VERIFIED):
        _print_proof(res)
    elif res.verdict == Established.REFUTED:
        _print_counterexample(res, args, saved)
    else:
        ratio = "-" if res.best_ratio is None else f"{res.best_ratio:.6g}"
        print(f"verdict: NOT REFUTED (L <= {res.L_range[1]}, schedules: {res.schedules}); searched {res.searched}; "
              f"tightest ratio {ratio} (1 = tight, above 1 = violated)")
        if res.tightest:
            t = res.tightest
            print(f"  tightest instance: {t['name']}, schedule {','.join(map(str, t['schedule']))}: "
                  f"lhs {t['lhs']}  rhs {t['rhs']}")
    for note in res.notes:
        print(f"  note: {note}")
    print(f"  (exit code {res.exit_code}; {res.elapsed:.1f} s)")


def _print_proof(res: CheckResult) -> None:
    pr = res.proof
    lo, hi = pr["L"]
    if res.verdict == Established.PROVED:
        print(f"verdict: PROVED for every L >= {res.L_range[0]} and every schedule of class '{pr['schedules']}' "
              "(symbolic certificate)")
        print("  " + pr["symbolic"]["certificate"].replace("\n", "\n  "))
    else:
        print(f"verdict: VERIFIED for every schedule of class '{pr['schedules']}' and every {lo} <= L <= {hi} "
              f"({pr['cases']} cases, exactly over the symmetric Shannon cone); not proved for every L")
    cert = pr.get("certificate")
    if cert:
        print(f"  certificate with the smallest positive coefficient (L={cert['L']}, case {cert['case']}): "
              f"{cert['slack']} = {cert['expression']}")
        width = max(len(k) for k in cert["coefficients"])
        for name, c in cert["coefficients"].items():
            print(f"    {name:<{width}}  {c}")
        print("  every coefficient is >= 0 and g(u) >= 0, delta(L-1) >= 0 are Shannon inequalities, "
              "so the slack is >= 0")


def _print_counterexample(res: CheckResult, args, saved: str | None) -> None:
    c = res.counterexample
    sched = ",".join(map(str, c["schedule"]))
    print("verdict: REFUTED by a certified counterexample")
    if c.get("ray"):  # too long to enumerate: certified on the extreme ray's closed-form profile
        print(f"  extreme ray {c['ray']['direction']} at L={c['L']}: {c['name']}, schedule {sched}")
        print(f"  lhs = {c['lhs']}\n  rhs = {c['rhs']}\n  certified: the relation {c['relation']} fails "
              f"({c['method']}); the ray is realised by a maximum-distance-separable code")
        return
    print(f"  distribution: {c['name']} (L={c['L']}, V={c['V']}, support {c['support']}), schedule {sched}, "
          f"predictor {c['predictor']}")
    print(f"  lhs = {c['lhs']}")
    print(f"  rhs = {c['rhs']}")
    print(f"  certified: the relation {c['relation']} fails ({c['method']})"
          + (f"; KL {c['kl']}" if c.get("kl") else ""))
    if saved is None and c["support"] <= PRINT_MAX_SUPPORT:
        print(f"  distribution JSON: {json.dumps(c['distribution'])}")
    if saved:
        print(f"  saved to {saved}")
    elif c["family"] is None:
        print("  (save it with --save-counterexample FILE to reproduce it with inspect)")
    print(f"  reproduce: {c['inspect']}")
