"""``dlm-verify inspect``: every quantity and statement for one distribution and schedule."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import mpmath
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from theory import registry
from theory.linear import Case
from theory.symbols import DTC, H, KL_ideal, MI, TC
from theory.definitions import KL_IDEAL_OMEGA_FORM

from proofs_check import validate
from proofs_check.model.instance import Instance, check_all
from proofs_check.numerics.exact import LogLinear
from proofs_check.errors import DlmInputError
from proofs_check.verdicts import ExitCode, Status
from proofs_check.model.learned import learn_predictor
from proofs_check.model.sampler import PerturbedPredictor
from proofs_check.cli.common import add_distribution_args, add_schedule_args, distribution_from_args, schedule_from_args

BRUTE_FORCE_MAX_L = 6


def register(sub) -> None:
    p = sub.add_parser("inspect", help="information quantities, KL and every statement for one instance")
    add_distribution_args(p)
    add_schedule_args(p)
    p.add_argument("--predictor", choices=["optimal", "perturbed", "learned"], default="optimal",
                   help="mask predictor (perturbed: 10%% mixed with a fixed random pmf; learned: counted "
                        "from --samples draws of the distribution with add-alpha smoothing)")
    p.add_argument("--samples", type=validate.int_in(1, "samples"), default=1000,
                   help="training samples for --predictor learned")
    p.add_argument("--alpha", type=validate.positive_fraction, default=Fraction(1),
                   help="add-alpha smoothing for --predictor learned (read exactly: 0.1 is 1/10)")
    p.add_argument("--digits", type=validate.digits, default=15, help="significant digits of printed values (mpmath)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def summary(inst: Instance, digits: int = 15) -> dict:
    """The quantities of an instance as floats, and as decimal strings at ``digits`` digits."""
    L = inst.L
    prof, sched = Case(L), Case(L, inst.schedule.sizes)
    exact: dict[str, LogLinear] = {
        "H": inst.value(H, prof), "MI": inst.value(MI, prof), "TC": inst.value(TC, prof),
        "DTC": inst.value(DTC, prof), "kl_ideal": inst.value(KL_ideal, sched),
        "kl_ideal_omega_form": inst.value(KL_IDEAL_OMEGA_FORM, sched),
    }
    if not inst.optimal:
        exact["eps_train"] = inst.eps_train
    if inst.kl_bruteforce is not None:
        exact["kl_bruteforce"] = inst.kl_bruteforce
    out = {"L": L, "V": inst.dist.V, "support": _count(inst.dist.n_support), "schedule": list(inst.schedule.sizes)}
    out.update({k: float(v) for k, v in exact.items()})
    h = [float(x) for x in inst.profile.h_exact]
    out["profile"] = h
    # display only (verdicts use the exact values): differences of the correctly rounded h(m)
    out["delta"] = [h[m + 1] - h[m] for m in range(L)]
    out["g"] = [out["delta"][u] - out["delta"][u + 1] for u in range(L - 1)]
    out["digits"] = {k: mpmath.nstr(v.mpf(digits), digits) for k, v in exact.items()}
    out["units"] = "nats"
    return out


def _count(n: int) -> int | str:
    """An exact count, or for one beyond 10^15 (a long chain's support) a string like '3.62e2466'."""
    if n < 10**15:
        return n
    e = math.floor(math.log10(n))
    e += (10 ** (e + 1) <= n) - (10**e > n)  # log10 may round across a power of ten
    return f"{n // 10 ** (e - 3) / 1000:.3f}e{e}"  # leading digits exactly, then truncated


def statement_rows(inst: Instance) -> list[dict]:
    rows = []
    for r in check_all(inst):
        st = registry.get(r.statement)
        rows.append({"id": r.statement, "provenance": st.provenance, "clause": r.label,
                     "case": _case_text(r.case), "lhs": float(r.lhs), "rhs": float(r.rhs),
                     "verdict": r.verdict.status, "holds": r.verdict.ok, "margin": r.verdict.margin,
                     "method": r.verdict.method, **({"note": r.note} if r.note else {})})
    return rows


def _case_text(case: Case) -> str:
    parts = []
    if case.refined:
        parts.append("refined " + ",".join(map(str, case.refined)))
    if case.step:
        parts.append(f"offset family s={case.step}")
    parts += [f"{sym}={v}" for sym, v in case.bind]
    return "; ".join(parts)


def run(args) -> int:
    dist = distribution_from_args(args)
    sched = schedule_from_args(args, dist.L)
    pred = None
    if args.predictor != "optimal":
        law = dist.law()
        if law is None:
            raise DlmInputError(f"--predictor {args.predictor} needs the law of {dist!r}, which is too long "
                                f"to enumerate: use --predictor optimal or a shorter chain")
        dist = law
    if args.predictor == "perturbed":
        pred = PerturbedPredictor(dist)
    elif args.predictor == "learned":
        pred = learn_predictor(dist, args.samples, args.alpha, seed=args.seed)
    inst = Instance(dist, sched, pred, bruteforce=None if dist.L <= BRUTE_FORCE_MAX_L else False)
    out = summary(inst, args.digits)
    out["statements"] = statement_rows(inst)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        _print(out, dist)
    return exit_code(out["statements"])


def exit_code(rows: list[dict]) -> ExitCode:
    """1 when a paper/derived clause fails; else 3 when one ended ``equal within width`` (enclosures that
    could not be separated prove nothing either way); else 0.  Conjectures and refuted statements never set the code."""
    counted = [r for r in rows if r["provenance"] in registry.BINDING_PROVENANCES]
    if any(r["verdict"] == Status.FAILS for r in counted):
        return ExitCode.FAILS
    if any(r["verdict"] == Status.EQUAL_WITHIN_WIDTH for r in counted):
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK


def _print(out: dict, dist) -> None:
    con = Console()
    con.print(f"[bold]{escape(repr(dist))}[/]  schedule {','.join(map(str, out['schedule']))}  (nats)")
    t = Table("quantity", "value", title="information quantities")
    for key, val in out["digits"].items():
        t.add_row(key, val)
    con.print(t)
    p = Table("m", "h(m)", "delta(m)", "g(m)", title="profile")
    L = out["L"]
    for mm in range(L + 1):
        p.add_row(str(mm), f"{out['profile'][mm]:.10g}",
                  f"{out['delta'][mm]:.10g}" if mm < L else "", f"{out['g'][mm]:.10g}" if mm < L - 1 else "")
    con.print(p)
    s = Table("id", "provenance", "clause", "case", "lhs", "rhs", "verdict", title="statements")
    for row in out["statements"]:
        colour = {"holds": "green", "equal": "cyan", "equal within width": "yellow"}.get(row["verdict"], "red")
        verdict = f"[{colour}]{row['verdict']}[/]" + ("" if row["holds"] else " [red](violated)[/]")
        s.add_row(row["id"], row["provenance"], row["clause"], row["case"], f"{row['lhs']:.8g}",
                  f"{row['rhs']:.8g}", verdict)
    con.print(s)
