"""``dlm-verify prove``: exact proofs over the symmetric Shannon cone for every schedule.

Without ``--certificate``: every provable clause of every statement (or of the
``--statement`` ones) for every case of its quantifier and every ``L`` up to
``--max-L``; one table row per clause, conjectures in their own section.  Exit code 0
when no ``paper``/``derived`` clause is refuted, 1 otherwise.

With ``--symbolic``: every provable clause proved for *every* ``L`` (symbolic certificates,
re-checked by z3); exit 0 when every paper/derived clause is proved, 3 otherwise.

With ``--certificate ID --L N`` and the case (``--schedule``, ``--step``, ``--refined``,
``--u``): the exact coefficient table of each clause of that statement on that case.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from theory import registry
from theory.relations import relation as relation_type

from proofs_check import validate
from proofs_check.limits import limit
from proofs_check.errors import DlmInputError
from proofs_check.verdicts import Established, ExitCode
from proofs_check.prover.core import (Certificate, ProverInputError, StatementResult, case_for, case_text, certificate,
                      prove_statements)

DEFAULT_MAX_L = 12
LIMIT_MAX_L = limit("prove_max_L")  # schedule quantifiers are decided by step shapes (polynomial in L)

MEANING = {
    "g": "mean I(X_i; X_j | X_A), |A| = {u}",
    "delta": "mean H(X_i | all other tokens)",
}


def register(sub) -> None:
    p = sub.add_parser("prove", help="exact proofs over the Shannon cone for every schedule up to --max-L")
    p.add_argument("--max-L", type=validate.int_in(2, LIMIT_MAX_L), default=DEFAULT_MAX_L,
                   help=f"largest sequence length (default {DEFAULT_MAX_L}, at most {LIMIT_MAX_L})")
    p.add_argument("--statement", type=validate.statement_id, action="append", metavar="ID", help="only this statement (repeatable)")
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per statement")
    p.add_argument("--witnesses", choices=["none", "first", "all"], default="first",
                   help="confirm refutations on a concrete distribution: none, the first per clause and L "
                        "(default), or all")
    p.add_argument("--symbolic", action="store_true",
                   help="prove for every L: symbolic coefficients, their signs certified, re-checked by z3")
    c = p.add_argument_group("one certificate (--certificate ID --L N and the case)")
    c.add_argument("--certificate", type=validate.statement_id, metavar="ID", help="print the coefficient table of statement ID")
    c.add_argument("--L", type=validate.int_in(1, 64), help="sequence length of the case (at most 64)")
    c.add_argument("--schedule", help="step sizes, e.g. 3,2,1 (schedule clauses)")
    c.add_argument("--step", type=validate.int_in(1, 64), help="step s of the randomized-offset family (offset/exists clauses)")
    c.add_argument("--refined", help="the refinement, for F4 (one step of --schedule split in two)")
    c.add_argument("--u", type=validate.int_in(0, 64), help="the index u, for clauses that hold for each u")
    c.add_argument("--pair", type=validate.schedule_text, metavar="P,Q",
                   help="the times p,q (e.g. 2/5,1/2) or counts a,b of a clause over times or cuts")
    c.add_argument("--clause", type=validate.int_in(0, 64), help="only this clause (0-based) of the statement")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.symbolic:
        return _run_symbolic(args)
    if args.certificate is not None:
        return _run_certificate(args)
    for flag in ("L", "schedule", "step", "refined", "u", "clause"):
        if getattr(args, flag) is not None:
            raise DlmInputError(f"--{flag} describes one case and needs --certificate ID")
    if isinstance(args.max_L, bool) or not 2 <= args.max_L <= LIMIT_MAX_L:
        raise DlmInputError(f"--max-L {args.max_L} must lie in 2..{LIMIT_MAX_L} "
                            f"(each L takes time polynomial in L; use a smaller --max-L)")
    statements = tuple(_statement(s) for s in args.statement) if args.statement else registry.STATEMENTS
    con = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=con,
                  transient=True, disable=args.json and not con.is_terminal) as bar:
        task = bar.add_task("prove", total=1.0)
        results = prove_statements(statements, args.max_L, confirm_witnesses=args.witnesses,
                                   progress=lambda what, frac: bar.update(task, completed=frac, description=what))
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=1))
    else:
        _print(results, args.max_L)
    return 1 if failed(results) else 0


def failed(results: list[StatementResult]) -> list[StatementResult]:
    """Paper/derived statements with a refuted clause (conjectures and recorded refutations never fail the run)."""
    return [r for r in results if r.provenance in registry.BINDING_PROVENANCES and r.refuted]


def _statement(sid: str):
    try:
        return registry.get(sid)
    except KeyError as exc:
        raise ProverInputError(str(exc.args[0])) from None


def _fmt(x) -> str:
    return "-" if x is None else str(x)


def _clause_table(results: list[StatementResult], title: str) -> Table:
    t = Table("id", "provenance", "#", "clause", "over", "L", "cases", "proved", "min slack (where)",
              "refuted", "status", title=title)
    for r in results:
        for c in r.clauses:
            Ls = f"{r.min_L}..{r.max_L}"
            if not c.prover:
                t.add_row(r.id, r.provenance, str(c.index), c.label, c.over, Ls, "-", "-", "-", "-",
                          "[dim]not linear / sampler-level (checked on instances)[/]")
                continue
            slack, where = c.min_slack
            refs = c.refuted
            if refs:
                status = f"[red]refuted[/] ({len(refs)})"
            elif c.not_linear:
                status = f"[yellow]not linear in {c.not_linear} cases[/]"
            elif c.over == "exists":  # every case proved: a finite route verifies, only --symbolic proves
                status = f"[green]{Established.VERIFIED}[/] for L <= {r.max_L} (offset-family witness)"
            else:
                status = f"[green]{Established.VERIFIED}[/] for L <= {r.max_L}"
            t.add_row(r.id, r.provenance, str(c.index), c.label, c.over, Ls, str(c.cases), str(c.proved),
                      f"{_fmt(slack)} ({where})" if slack is not None else "- (all zero)",
                      str(len(refs)), status)
    return t


def _refutation_table(results: list[StatementResult], limit: int = 25) -> Table | None:
    rows = [x for r in results for x in r.refuted]
    if not rows:
        return None
    t = Table("id", "clause", "L", "case", "direction", "coefficient", "witness", title="refutations")
    for x in rows[:limit]:
        w = x.witness
        if w is None:
            wtext = "not evaluated"
        elif w.confirmed is None:
            wtext = w.distribution
        else:
            wtext = (f"{w.distribution}: {w.verdict} (lhs {w.lhs:.6g}, rhs {w.rhs:.6g}, {w.method})"
                     + (f"; {w.note}" if w.note else ""))
        t.add_row(x.statement, f"{x.clause} {x.label}", str(x.L), case_text(x.case), x.direction,
                  str(x.coefficient), wtext)
    if len(rows) > limit:
        t.caption = f"{len(rows) - limit} more refutations (see --json)"
    return t


def _print(results: list[StatementResult], max_L: int) -> None:
    con = Console(width=None if Console().is_terminal else 160)
    main = [r for r in results if r.provenance in registry.BINDING_PROVENANCES]
    conj = [r for r in results if r.provenance not in registry.BINDING_PROVENANCES]
    if main:
        con.print(_clause_table(main, f"statements proved over the Shannon cone, L <= {max_L}"))
        for r in main:
            if r.provable:
                con.print(f"  {r.id}: {r.schedules_proved} cases proved ({r.clause_cases_proved} clause-cases) "
                          f"in {r.seconds:.2f}s")
        ref = _refutation_table(main)
        if ref:
            con.print(ref)
    if conj:
        con.print(_clause_table(conj, "conjectures and refuted statements (never fail the run)"))
        for r in conj:
            con.print(f"  {r.id}: {r.schedules_proved} cases proved by the witness family")
        ref = _refutation_table(conj)
        if ref:
            con.print(ref)
    bad = failed(results)
    if bad:
        con.print(f"[red]refuted: {', '.join(r.id for r in bad)}[/]")
    else:
        con.print("[green]no paper/derived clause refuted[/]")


# -- one certificate ---------------------------------------------------------------------------


def _run_certificate(args) -> int:
    st = _statement(args.certificate)
    if args.L is None:
        raise DlmInputError("--certificate needs --L N (and the case: --schedule, --step, --refined, --u or --pair)")
    if args.L > 64:
        raise DlmInputError(f"--L {args.L} is too large for a printed certificate; use L <= 64")
    if args.clause is not None and not 0 <= args.clause < len(st.clauses):
        raise ProverInputError(f"{st.id} has clauses 0..{len(st.clauses) - 1}, not --clause {args.clause}")
    indices = [args.clause] if args.clause is not None else range(len(st.clauses))
    certs, errors = [], []
    for idx in indices:
        if not st.clauses[idx].prover:
            errors.append(f"clause {idx} is sampler-level (not linear; checked on instances)")
            continue
        try:
            case = case_for(st, idx, args.L, schedule=args.schedule, step=args.step, refined=args.refined,
                            u_value=args.u, pair=args.pair)
        except DlmInputError as exc:
            errors.append(str(exc))
            continue
        certs.append(certificate(st, idx, case))
    if not certs:
        raise ProverInputError(f"no clause of {st.id} fits this case: " + "; ".join(dict.fromkeys(errors)))
    if args.json:
        print(json.dumps([c.to_json() for c in certs], indent=1))
    else:
        con = Console()
        for c in certs:
            _print_certificate(con, c)
    return 1 if any(c.status == "refuted" for c in certs) and st.binding else 0


def _meaning(name: str) -> str:
    if name.startswith("g("):
        return MEANING["g"].format(u=name[2:-1])
    if name.startswith("delta("):
        return MEANING["delta"]
    return "constant part"


def _print_certificate(con: Console, c: Certificate) -> None:
    side = "rhs - lhs" if relation_type(c.relation).upper else "lhs - rhs"
    colour = {"proved": "green", "refuted": "red"}.get(c.status, "yellow")
    con.print(f"[bold]{c.statement}[/] clause {c.clause}: {c.label}   L={c.L}, case {case_text(c.case)}")
    if c.status not in ("proved", "refuted"):
        con.print(f"  [{colour}]{c.status}[/]: {c.reason}")
        return
    t = Table("basis element", "meaning", "coefficient", title=f"slack d = {side} in the elemental basis")
    for name, coef in c.table():
        mark = "" if c.relation == "==" and coef == 0 or c.relation != "==" and coef >= 0 else " [red]<-[/]"
        t.add_row(name, _meaning(name), f"{coef}{mark}")
    con.print(t)
    need = "every coefficient = 0" if c.relation == "==" else "every coefficient >= 0"
    verdict = (f"[green]proved[/]: {need}, and each basis element is >= 0 on the Shannon cone"
               if c.status == "proved" else
               f"[red]refuted as a Shannon-type inequality[/]: load {c.direction}")
    con.print(f"  {verdict}")


# -- every L (--symbolic) ----------------------------------------------------------------------


def _run_symbolic(args) -> int:
    """Per clause id: the every-L verdict, L0, z3's verdict and the certificate."""
    from proofs_check.prover.smt import check_result
    from proofs_check.prover.symbolic import prove_statement_symbolic

    if args.certificate is not None:
        raise DlmInputError("--symbolic proves every L; drop --certificate (which prints one case)")
    statements = tuple(_statement(s) for s in args.statement) if args.statement else registry.STATEMENTS
    rows = []
    for st in statements:
        for res in prove_statement_symbolic(st):
            rows.append((st, res, check_result(res)))
    if args.json:
        print(json.dumps([{**r.to_json(), "provenance": st.provenance, "z3": rep.to_json()}
                          for st, r, rep in rows], indent=1))
    else:
        _print_symbolic(rows, detail=bool(args.statement))
    if any(not rep.agrees for _, _, rep in rows):
        return int(ExitCode.INTERNAL)
    missing = [r for st, r, _ in rows if st.binding and not r.proved]
    return int(ExitCode.INCONCLUSIVE if missing else ExitCode.OK)


def _print_symbolic(rows, detail: bool) -> None:
    """The table, then each certificate (every branch's Farkas combination with ``detail``)."""
    con = Console(width=None if Console().is_terminal else 160)
    t = Table("clause", "provenance", "over", "every L", "L0", "z3", "seconds", title="proofs for every L")
    for st, r, rep in rows:
        z3v = "agrees" if rep.agrees else "[red]DISAGREES[/]"
        verdict = "[green]proved[/]" if r.proved else "[yellow]not proved[/]"
        t.add_row(r.clause_id, st.provenance, r.over, verdict, str(r.L0) if r.proved else "-", z3v, f"{r.seconds:.2f}")
    con.print(t)
    for _, r, _ in rows:
        print(r.certificate_text(detail))
    missing = [(st, r) for st, r, _ in rows if not r.proved]
    for st, r in missing:
        tag = "" if st.binding else f" ({st.provenance}: never fails the run)"
        con.print(f"[yellow]{r.clause_id} not proved for every L{tag}[/]: {r.reason}", markup=True, highlight=False)
    if not [1 for st, r in missing if st.binding]:
        con.print("[green]every paper/derived clause is proved for every L[/]")
