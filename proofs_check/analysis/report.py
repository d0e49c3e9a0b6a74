"""Figures and the Markdown/HTML report of ``dlm-verify report``.

(a) ``kl_vs_T.png``: KL_ideal of the balanced schedule against the number of
    steps T (log-log) for several families, with the P1 and S1 upper bounds and
    S3's two sides for the randomized-offset schedule with ``s = ceil(L/T)``, and a
    panel with S4's rate ``T * KL_ideal`` against ``T`` on a 4096-long Markov chain;
(b) ``omega_g.png``: the F2 decomposition ``KL_ideal = sum_u omega(u) g(u)`` of
    one distribution and schedule as bars;
(c) ``ratios.png``: per statement, the distribution of ``lhs/rhs`` over the
    campaign's instances (1 = tight);
(d) ``schedules.png``: "KL vs T" of ``OPT(T)`` and the common schedules on a 256-long Markov
    chain (:mod:`proofs_check.analysis.schedule_table`, as ``dlm-verify schedule --plot``).
Values on plots are float64 (from the same linear forms as the verdicts).
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from theory import registry  # noqa: E402
from theory.definitions import omega_weights  # noqa: E402
from theory.linear import Case  # noqa: E402
from theory.symbols import KL_ideal, eps_train, g  # noqa: E402

from proofs_check.sources import families  # noqa: E402
from proofs_check.sources.distributions import Distribution, random_distribution  # noqa: E402
from proofs_check.model.instance import float_value, offset_case  # noqa: E402
from proofs_check.analysis.rates import rate_curve  # noqa: E402
from proofs_check.analysis.schedule_table import figure_schedules, schedule_table  # noqa: E402
from proofs_check.sources.markov import random_chain  # noqa: E402
from proofs_check.sources.profile import InformationProfile  # noqa: E402
from proofs_check.model.schedules import balanced  # noqa: E402
from proofs_check.search.results import CampaignResult  # noqa: E402
from proofs_check.files import save_figure, write_atomic  # noqa: E402

DPI = 110


@dataclass
class Curve:
    """KL_ideal and bounds along balanced schedules T = 1..L for one profile."""
    name: str
    T: list
    kl: list
    p1: list
    s1: list
    s3_mean: list
    s3_lower: list
    s3_upper: list


def bound_curves(name: str, L: int, h) -> Curve:
    """Evaluate KL_ideal and the registry's P1, S1 and S3 sides on balanced/offset schedules."""
    st_p1, st_s1, st_s3 = registry.get("P1"), registry.get("S1"), registry.get("S3")
    out = Curve(name, [], [], [], [], [], [], [])
    for T in range(1, L + 1):
        case = Case(L, balanced(L, T).sizes)
        off = offset_case(L, math.ceil(L / T))
        out.T.append(T)
        out.kl.append(float_value(KL_ideal, case, h))
        # P1's bound minus eps_train (the optimal predictor has eps_train = 0)
        out.p1.append(float_value(st_p1.clauses[0].rhs.subs(eps_train, 0), case, h))
        out.s1.append(float_value(st_s1.clauses[1].rhs, case, h))
        out.s3_mean.append(float_value(st_s3.clauses[0].lhs, off, h))
        out.s3_lower.append(float_value(st_s3.clauses[1].lhs, off, h))
        out.s3_upper.append(float_value(st_s3.clauses[2].rhs, off, h))
    return out


def default_families() -> list[tuple[str, Distribution]]:
    """The family table's report examples at ``L = 10``, labelled by their names."""
    return [(d.name, d) for d in families.members("report", 10)]


def default_rate() -> dict:
    """S4's rate on a long sequence: a random 4096-long Markov chain (closed-form profile)."""
    return rate_curve(random_chain(4096, V=4, seed=1), Ts=[2**k for k in range(1, 9)])


def _rate_panel(ax, rate: dict) -> None:
    """``T * KL_ideal`` against ``T`` with S4's constant ``(1 - 1/s) MI / 2``."""
    bal, off = rate["balanced"], rate["offset"]
    ax.semilogx([r["T"] for r in bal], [r["T_KL"] for r in bal], "o-", color="black",
                label="T KL_ideal, balanced")
    ax.semilogx([r["T"] for r in off], [r["T_KL"] for r in off], "s:", color="tab:blue",
                label="(L/s) E_r KL_ideal, offset")
    ax.semilogx([r["T"] for r in bal], [r["bound"] for r in bal], "--", color="tab:red",
                label="S4: (1-1/s) MI/2, s=ceil(L/T)")
    ax.set_title(f"S4 rate, {rate['name']}")
    ax.set_xlabel("number of steps T")
    ax.set_ylabel("T x KL (nats)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)


def figure_kl_vs_T(curves: list[Curve], path: Path, rate: dict | None = None) -> Path:
    n = len(curves) + (rate is not None)
    cols = 2
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(11, 4.2 * rows), squeeze=False)
    if rate is not None:
        _rate_panel(list(axes.flat)[len(curves)], rate)
    for ax, c in zip(axes.flat, curves):
        tiny = 1e-9 * max(c.p1 + c.kl)  # float64 cancellation noise of exact zeros stays below this
        pos = [i for i, v in enumerate(c.kl) if v > tiny]
        T = [c.T[i] for i in pos]
        ax.loglog(T, [c.kl[i] for i in pos], "o-", color="black", label="KL_ideal, balanced schedule")
        ax.loglog(c.T, c.p1, "--", color="tab:red", label="P1 bound (2^ceil(log2 s)-1)/L MI")
        ax.loglog(c.T, c.s1, "-.", color="tab:orange", label="S1 bound (s_max-1)/L MI")
        pos3 = [i for i, v in enumerate(c.s3_mean) if v > tiny]
        ax.loglog([c.T[i] for i in pos3], [c.s3_mean[i] for i in pos3], "s:", color="tab:blue",
                  label="S3: E_r KL_ideal, offset s=ceil(L/T)")
        ax.loglog(c.T, c.s3_upper, ":", color="tab:green", label="S3 upper (s-1)/(2L) MI")
        low = [(c.T[i], c.s3_lower[i]) for i in range(len(c.T)) if c.s3_lower[i] > tiny]
        if low:
            ax.loglog(*zip(*low), ":", color="tab:purple", label="S3 lower (s-1)/2 D(L-s+1)")
        if T:
            ref = [c.kl[pos[0]] * T[0] / t for t in T]
            ax.loglog(T, ref, color="grey", alpha=0.4, lw=4, label="slope -1 (1/T)")
        ax.set_title(c.name)
        ax.set_xlabel("number of steps T")
        ax.set_ylabel("KL (nats)")
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)
    fig.suptitle("Sampling error of the optimal predictor versus the number of steps")
    fig.tight_layout(rect=(0, 0.08, 1, 0.97))
    save_figure(fig, path, DPI)
    plt.close(fig)
    return path


def figure_omega_g(name: str, dist: Distribution, sizes, path: Path) -> Path:
    prof = InformationProfile.of(dist)
    L = dist.L
    w = omega_weights(sizes)
    gs = [float_value(g(u), Case(L), prof.h_float) for u in range(L - 1)]
    contrib = [a * b for a, b in zip(w, gs)]
    total = float_value(KL_ideal, Case(L, tuple(sizes)), prof.h_float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.bar(range(L - 1), gs, color="tab:blue")
    ax1.set_xlabel("u")
    ax1.set_ylabel("g(u) (nats)")
    ax1.set_title("pairwise conditional MI profile g(u)")
    ax2.bar(range(L - 1), contrib, color="tab:orange", label="omega(u) g(u)")
    for u, (wu, cu) in enumerate(zip(w, contrib)):
        ax2.annotate(f"w={wu}", (u, cu), ha="center", va="bottom", fontsize=7)
    ax2.set_xlabel("u")
    ax2.set_ylabel("omega(u) g(u) (nats)")
    ax2.set_title(f"F2: KL_ideal = sum omega(u) g(u) = {total:.4f} nats")
    ax2.legend()
    fig.suptitle(f"{name}, schedule {','.join(map(str, sizes))}")
    fig.tight_layout()
    save_figure(fig, path, DPI)
    plt.close(fig)
    return path


def figure_ratios(results: CampaignResult, path: Path) -> Path:
    rows = [(s.id, [r for r in s.ratios if math.isfinite(r)]) for s in results.statements]
    rows = [(i, r) for i, r in rows if r]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    if rows:
        ax.boxplot([r for _, r in rows], whis=(0, 100))
        ax.set_xticks(range(1, len(rows) + 1), [i.replace("$", r"\$") for i, _ in rows])  # no mathtext
    ax.axhline(1.0, color="red", lw=1, label="ratio 1 (tight; above = violated)")
    ax.set_ylabel("lhs / rhs (>= clauses: rhs / lhs)")
    ax.set_xlabel("statement")
    ax.set_title(f"How tight each statement is across {results.total_checks} campaign checks")
    ax.legend(loc="lower right")
    fig.tight_layout()
    save_figure(fig, path, DPI)
    plt.close(fig)
    return path


def write_report(results: CampaignResult, out: Path, extra_curves: list[Curve] | None = None) -> dict[str, Path]:
    """Write the three figures and report.md / report.html into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    curves = [bound_curves(n, d.L, InformationProfile.of(d).h_float) for n, d in default_families()]
    curves += extra_curves or []
    rate = default_rate()
    files = {
        "kl_vs_T": figure_kl_vs_T(curves, out / "kl_vs_T.png", rate),
        "omega_g": figure_omega_g("random dense (L=8, V=2)", random_distribution(8, 2, seed=3), (3, 3, 2),
                                  out / "omega_g.png"),
        "ratios": figure_ratios(results, out / "ratios.png"),
        "schedules": figure_schedules(schedule_table(random_chain(256, V=4, seed=1), SCHEDULE_TS),
                                      out / "schedules.png"),
    }
    md = _markdown(results, files, rate)
    write_atomic(out / "report.md", md)
    write_atomic(out / "report.html", _html(results, files))
    files["markdown"], files["html"] = out / "report.md", out / "report.html"
    return files


def _table_rows(results: CampaignResult) -> list[list[str]]:
    rows = []
    for s in results.statements:
        t = s.tightest_ratio
        rows.append([s.id, s.provenance, str(s.instances), str(s.non_optimal), str(s.holds), str(s.equal),
                     str(s.fails), "-" if t is None else f"{t:.4f}"])
    return rows


HEADER = ["id", "provenance", "instances", "non-optimal predictor", "holds", "equal", "fails", "tightest ratio"]
CAPTIONS = {
    "kl_vs_T": "KL_ideal versus T (log-log) with P1, S1 and S3's two sides; the grey band has slope -1. "
               "Last panel: S4's rate T x KL_ideal on a 4096-long Markov chain against (1-1/s) MI/2.",
    "omega_g": "The F2 decomposition of KL_ideal into schedule weights times the pairwise profile.",
    "ratios": "Distribution of lhs/rhs per statement over the campaign (1 = tight, above 1 = violated).",
    "schedules": "KL vs T on a 256-long Markov chain: OPT(T) (exact DP) against the balanced schedule, the best "
                 "ordering of its sizes, the randomized offset, the Bernoulli grid and the W5-minimising schedule.",
}
#: Step counts of the report's schedule figure.
SCHEDULE_TS = (1, 2, 4, 8, 16, 32, 64)
FIGURES = ("kl_vs_T", "omega_g", "ratios", "schedules")


def _markdown(results: CampaignResult, files: dict, rate: dict | None = None) -> str:
    lines = ["# dlm-verify report", "",
             f"Campaign: {results.total_checks} certified checks, seed {results.seed}, "
             f"{results.elapsed_seconds} s. All values in nats. Tightest ratio: the side claimed smaller "
             "over the side claimed larger (1 = tight).", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in _table_rows(results)]
    if rate is not None:
        lines += ["", f"S4 rate on {rate['name']} (MI = {rate['MI']:.6g}): ratio = T KL_ideal / ((1-1/s) MI/2)", "",
                  "| schedule | T | s | T KL_ideal | ratio |", "|---|---|---|---|---|"]
        lines += [f"| {kind} | {r['T']:.6g} | {r['s']} | {r['T_KL']:.6g} | {r['ratio']:.4f} |"
                  for kind in ("balanced", "offset") for r in rate[kind]]
    for key in FIGURES:
        lines += ["", f"![{CAPTIONS[key]}]({files[key].name})", "", CAPTIONS[key]]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    """A results-file field as inert Markdown table text (HTML escaped, pipes and brackets quoted)."""
    return html.escape(text).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def _html(results: CampaignResult, files: dict) -> str:
    """report.html; every field from the results file is HTML-escaped (it is untrusted data)."""
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                   for r in _table_rows(results))
    figs = ""
    for key in FIGURES:
        data = base64.b64encode(files[key].read_bytes()).decode()
        figs += (f'<figure><img alt="{CAPTIONS[key]}" src="data:image/png;base64,{data}">'
                 f"<figcaption>{CAPTIONS[key]}</figcaption></figure>")
    return ("<!doctype html><html><head><meta charset='utf-8'><title>dlm-verify report</title>"
            "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #999;padding:3px 8px}img{max-width:100%}</style></head><body>"
            f"<h1>dlm-verify report</h1><p>{html.escape(str(results.total_checks))} certified checks; "
            "values in nats.</p>"
            f"<table><tr>{head}</tr>{body}</table>{figs}</body></html>")
