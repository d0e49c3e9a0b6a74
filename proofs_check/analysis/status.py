"""The blueprint status board: where every statement stands.

One row per registry statement: provenance, the prover's result, the campaign's
last result and a link to the note; one row per clause with what is established about
it (the words of :class:`proofs_check.verdicts.Established`) and by which method; plus the
dependency graph between statements (the registry's ``uses``), drawn as a figure.  Written as
Markdown and HTML into one directory.

A clause reads, strongest first (a certified counterexample always wins):

* ``refuted`` -- the finite prover's exact certificate on a case, or a campaign failure;
* ``proved (all L)`` -- the symbolic prover (:mod:`proofs_check.prover.symbolic`) certifies it
  for every ``L >= L0``;
* ``verified to L = N`` -- the finite prover proved every case of every ``L <= N``;
* ``not refuted`` -- checked on instances only (sampler-level clauses), no failure found.

The symbolic verdicts take seconds to compute; they are recorded in a JSON file next to the board
together with a hash of what they depend on (every clause of the registry and the source of the
symbolic prover), and read back while that hash is unchanged.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import time
from pathlib import Path

import sympy as sp

from theory import registry

from proofs_check.files import save_figure, write_atomic
from proofs_check.search.results import CampaignResult, ProverSummary
from proofs_check.verdicts import Established

#: Where the symbolic verdicts are recorded, inside the board directory.
SYMBOLIC_FILE = "symbolic.json"
#: Strength of each verdict, weakest first (a statement shows its weakest clause).
_ORDER = (Established.REFUTED, Established.NOT_REFUTED, Established.VERIFIED, Established.PROVED)

PROVENANCE_COLOURS = {"paper": "#4c72b0", "derived": "#55a868", "conjecture": "#c44e52", "refuted": "#8c8c8c"}


def load_campaign(path: Path) -> CampaignResult | None:
    """The campaign results at ``path`` (None when there are none yet); a bad file is an input error."""
    return CampaignResult.load(path) if Path(path).exists() else None


def board_rows(prover: dict[str, ProverSummary], campaign: CampaignResult | None,
               note_prefix: str = "../") -> list[dict]:
    """Rows of the board; ``prover`` maps a statement id to its prover summary."""
    camp = {s.id: s for s in campaign.statements} if campaign is not None else {}
    rows = []
    for st in registry.STATEMENTS:
        pr = prover.get(st.id)
        if not st.provable:
            proof = "not linear (sampler-level; checked on instances)"
        elif pr is None:
            proof = "not run"
        elif pr.refuted:
            first = pr.refuted[0]
            proof = f"refuted at L={first.get('L')} schedule {first.get('schedule')}"
        else:
            proof = f"verified: all {pr.schedules_proved} cases proved up to L={pr.max_L}"
        c = camp.get(st.id)
        if c:
            tight = "-" if c.tightest_ratio is None else f"{c.tightest_ratio:.4f}"
            result = (f"{c.instances} instances ({c.non_optimal} with eps_train > 0), {c.fails} fails, "
                      f"tightest {tight}")
        else:
            result = "no campaign results"
        rows.append({"id": st.id, "title": st.title, "provenance": st.provenance, "prover": proof,
                     "campaign": result, "note": note_prefix + st.note, "uses": list(st.uses)})
    return rows


def registry_hash(statements=None) -> str:
    """sha256 of what the symbolic verdicts depend on: each clause (``srepr`` of its sides, its
    relation, quantifier and the statement's ``min_L``) and the source of the symbolic prover."""
    from proofs_check.prover import symbolic
    from theory import definitions, domains

    h = hashlib.sha256()
    for st in statements if statements is not None else registry.STATEMENTS:
        for idx, c in enumerate(st.clauses):
            h.update(repr((st.clause_id(idx), sp.srepr(c.lhs), c.rel, sp.srepr(c.rhs), c.over, c.prover,
                           st.min_L)).encode())
    for mod in (symbolic, domains, definitions):
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()


def symbolic_verdicts(path: Path | None, statements=None) -> tuple[dict[str, dict], str]:
    """``(clause id -> {"status", "L0", "reason"}, how)`` for every prover clause: read from ``path``
    when it records the current :func:`registry_hash`, else computed by the symbolic prover and
    written there (``how``: ``"recorded"`` or ``"computed in N s"``)."""
    from proofs_check.prover.symbolic import prove_statement_symbolic

    statements = tuple(statements if statements is not None else registry.STATEMENTS)
    key = registry_hash(statements)
    if path is not None and Path(path).exists():
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, ValueError):
            data = {}
        if isinstance(data, dict) and data.get("registry_hash") == key and isinstance(data.get("clauses"), dict):
            return data["clauses"], "recorded"
    t0 = time.perf_counter()
    out = {r.clause_id: {"status": r.status, "L0": r.L0, "reason": r.reason}
           for st in statements for r in prove_statement_symbolic(st)}
    how = f"computed in {time.perf_counter() - t0:.1f} s"
    if path is not None:
        write_atomic(Path(path), json.dumps({"registry_hash": key, "clauses": out}, indent=1))
    return out, how


def clause_status(st, idx: int, symbolic: dict | None, finite: dict | None, campaign=None) -> tuple[Established, str, str]:
    """``(word, text, method)`` for clause ``idx`` of ``st``; ``finite`` is ``StatementResult.to_json()``
    of the finite prover, ``symbolic`` the clause's symbolic verdict, ``campaign`` its statement tally."""
    clause = st.clauses[idx]
    fc = next((c for c in finite["clauses"] if c["index"] == idx), None) if finite else None
    refs = [r for r in finite.get("refuted", []) if r.get("clause") == idx] if finite else []
    if fc and fc["status"] == "refuted":
        r = refs[0] if refs else {}
        return (Established.REFUTED, str(Established.REFUTED),
                f"exact certificate at L = {r.get('L')}, case {r.get('schedule')} (finite prover)")
    if symbolic and symbolic.get("status") == "proved":
        return (Established.PROVED, f"{Established.PROVED} (all L)",
                f"symbolic certificate for every L >= {symbolic.get('L0')}")
    if fc and fc["status"] == "proved" and fc["cases"]:
        routes = sorted({v["route"] for v in fc["per_L"].values()})
        witness = ", offset-family witness" if clause.over == "exists" else ""
        return (Established.VERIFIED, f"{Established.VERIFIED} to L = {finite['max_L']}",
                f"finite prover ({'/'.join(routes)}{witness}): all {fc['cases']} cases of L = "
                f"{finite['min_L']}..{finite['max_L']}")
    if campaign is not None and campaign.fails:
        return Established.REFUTED, str(Established.REFUTED), f"campaign: {campaign.fails} failing instances"
    if campaign is not None and campaign.instances:
        return (Established.NOT_REFUTED, str(Established.NOT_REFUTED),
                f"campaign: {campaign.instances} instances, no failure")
    why = "sampler-level (checked on instances)" if not clause.prover else "not run"
    return Established.NOT_REFUTED, "not run", why


def clause_rows(finite: dict[str, dict], symbolic: dict[str, dict], campaign: CampaignResult | None,
                statements=None) -> list[dict]:
    """One row per clause: what is established and how (see the module docstring)."""
    camp = {s.id: s for s in campaign.statements} if campaign is not None else {}
    rows = []
    for st in statements if statements is not None else registry.STATEMENTS:
        for idx, c in enumerate(st.clauses):
            cid = st.clause_id(idx)
            word, text, method = clause_status(st, idx, symbolic.get(cid), finite.get(st.id), camp.get(st.id))
            rows.append({"clause": cid, "statement": st.id, "label": c.label, "over": c.over,
                         "word": word, "established": text, "method": method})
    return rows


def statement_established(clauses: list[dict], sid: str) -> str:
    """The weakest clause verdict of a statement (its text)."""
    mine = [r for r in clauses if r["statement"] == sid]
    if not mine:
        return "-"
    return min(mine, key=lambda r: (_ORDER.index(r["word"]), r["established"] == "not run"))["established"]


def dependency_layers() -> dict[str, int]:
    """Depth of each statement in the ``uses`` graph (0 = uses nothing)."""
    depth: dict[str, int] = {}

    def visit(sid: str, stack=()) -> int:
        if sid in depth:
            return depth[sid]
        if sid in stack:
            raise ValueError(f"cycle in the registry's uses: {' -> '.join(stack + (sid,))}")
        uses = registry.get(sid).uses
        depth[sid] = 0 if not uses else 1 + max(visit(u, stack + (sid,)) for u in uses)
        return depth[sid]

    for st in registry.STATEMENTS:
        visit(st.id)
    return depth


def figure_dependencies(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    depth = dependency_layers()
    layers: dict[int, list[str]] = {}
    for sid, d in depth.items():
        layers.setdefault(d, []).append(sid)
    pos = {}
    for d, ids in layers.items():
        for k, sid in enumerate(sorted(ids)):
            pos[sid] = (d, -(k - (len(ids) - 1) / 2))
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for st in registry.STATEMENTS:
        for u in st.uses:
            (x0, y0), (x1, y1) = pos[u], pos[st.id]
            ax.annotate("", xy=(x1 - 0.12, y1), xytext=(x0 + 0.12, y0),
                        arrowprops=dict(arrowstyle="->", color="#777", lw=1,
                                        connectionstyle="arc3,rad=0.18"))
    for st in registry.STATEMENTS:
        x, y = pos[st.id]
        ax.text(x, y, st.id, ha="center", va="center", fontsize=11, color="white", weight="bold",
                bbox=dict(boxstyle="round,pad=0.4", fc=PROVENANCE_COLOURS[st.provenance], ec="none"))
    for name, colour in PROVENANCE_COLOURS.items():
        ax.plot([], [], "s", color=colour, label=name, markersize=10)
    ax.legend(loc="upper left", frameon=False)
    ax.set_xlim(-0.5, max(layers) + 0.5)
    ax.set_ylim(min(p[1] for p in pos.values()) - 0.8, max(p[1] for p in pos.values()) + 0.8)
    ax.set_title("Which statements each proof uses (arrow: used -> user)")
    ax.set_xlabel("dependency depth")
    ax.set_yticks([])
    ax.set_xticks(range(max(layers) + 1))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    save_figure(fig, path, 110)
    plt.close(fig)
    return path


COLUMNS = ("id", "provenance", "title", "established", "prover", "campaign", "note")
CLAUSE_COLUMNS = ("clause", "over", "label", "established", "method")


def write_board(rows: list[dict], out: Path, clauses: list[dict] | None = None) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    graph = figure_dependencies(out / "dependencies.png")
    clauses = clauses or []
    for r in rows:
        r.setdefault("established", statement_established(clauses, r["id"]))
    md = ["# Status board", "",
          "Generated by `dlm-verify status`. Prover: exact Shannon-cone certificates "
          "(`dlm-verify prove`, and `prove --symbolic` for every L); campaign: the last `dlm-verify run` "
          "results. A statement is established as far as its weakest clause.", "",
          "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        md.append(f"| {r['id']} | {r['provenance']} | {r['title']} | {r['established']} | {r['prover']} | "
                  f"{r['campaign']} | [note]({r['note']}) |")
    if clauses:
        md += ["", "## Clauses", "", "| " + " | ".join(CLAUSE_COLUMNS) + " |", "|" + "---|" * len(CLAUSE_COLUMNS)]
        md += ["| " + " | ".join(str(c[k]).replace("|", "\\|") for k in CLAUSE_COLUMNS) + " |" for c in clauses]
    md += ["", "![dependency graph](dependencies.png)", ""]
    write_atomic(out / "index.md", "\n".join(md))
    data = base64.b64encode(graph.read_bytes()).decode()
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in COLUMNS[:-1])
        + f"<td><a href=\"{html.escape(r['note'])}\">note</a></td></tr>" for r in rows)
    clause_cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c[k]))}</td>" for k in CLAUSE_COLUMNS)
                           + "</tr>" for c in clauses)
    clause_table = ("<h2>Clauses</h2><table><tr>" + "".join(f"<th>{k}</th>" for k in CLAUSE_COLUMNS)
                    + f"</tr>{clause_cells}</table>") if clauses else ""
    write_atomic(out / "index.html",
        "<!doctype html><html><head><meta charset='utf-8'><title>dlm-verify status</title><style>"
        "body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:3px 8px;vertical-align:top}img{max-width:100%}</style>"
        "</head><body><h1>Status board</h1><table><tr>"
        + "".join(f"<th>{c}</th>" for c in COLUMNS) + f"</tr>{cells}</table>{clause_table}"
        f"<img alt='dependency graph' src='data:image/png;base64,{data}'></body></html>")
    return {"markdown": out / "index.md", "html": out / "index.html", "graph": graph}
