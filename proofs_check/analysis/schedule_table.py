"""Which schedule should I run?  ``OPT(T)`` against the common schedules, with certified bounds.

For each number of steps ``T`` the table holds ``OPT(T)`` (:mod:`proofs_check.analysis.optimal`)
and, each with its ideal error, its ratio to ``OPT(T)`` and the bounds P1, S1 and W5:

``balanced``    sizes ``ceil(L/T)`` first, then ``floor(L/T)``;
``best-order``  the best ordering of those sizes (the DP restricted to the two sizes);
``offset``      S3's randomized offset with ``s = ceil(L/T)`` (the law's average over ``r``);
``bernoulli``   Wainwright's geometric Bernoulli grid with the expected number of non-empty
                steps closest to ``T`` (certified when ``(L-1)^(2/N)`` is an integer, so that
                every grid point is rational; else float64, labelled);
``w5-min``      the schedule minimising W5's bound (a float DP; its bound evaluated exactly).

The bounds (optimal predictor, ``eps_train = 0``): P1 ``(2^ceil(log2 s_max) - 1)/L MI`` (Li & Cai,
arXiv 2505.21400, Theorem 1), S1 ``(s_max - 1)/L MI`` (notes/S1.md) and W5 (Wainwright 2026,
Theorem 1, eq. 17b); for the offset law, their average over its members.  Values are
certified enclosures ``[lo, hi]`` unless ``certified`` is false; a ratio is the enclosure of
``value / OPT(T)`` (``None`` when ``OPT(T) = 0``, with ``value_zero`` telling whether the entry
is exactly 0 too).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction

from theory import registry
from theory.linear import Case, linear_form
from theory.symbols import MI, KL_ideal, eps_train

from proofs_check.files import save_figure
from proofs_check.analysis import bernoulli_grid as ber
from proofs_check.analysis import optimal as opt
from proofs_check.model.bernoulli import kl_bernoulli_float, kl_bernoulli_form
from proofs_check.model.instance import dot
from proofs_check.model.schedules import balanced, offset_family
from proofs_check.numerics.exact import Enclosure, LogLinear

SCHEMA_VERSION = 1
KINDS = ("opt", "balanced", "best-order", "offset", "bernoulli", "w5-min")
#: The offset law's W5 average is evaluated when its members times L stay below this.
OFFSET_W5_MAX_WORK = 200_000


def bracket(x) -> tuple[float, float]:
    """A certified float enclosure of an exact value (LogLinear or Enclosure)."""
    if isinstance(x, Enclosure):
        box = x.interval(64)
        return float(box.a), float(box.b)
    v, e = LogLinear.coerce(x).float_with_error()
    return v - e, v + e


def is_zero(x) -> bool:
    """Exactly zero (an Enclosure never is); the costly exact test runs only when float cannot exclude it."""
    if not isinstance(x, LogLinear):
        return False
    lo, hi = bracket(x)
    return lo <= 0 <= hi and x.is_zero()


@dataclass
class Entry:
    """One schedule (or law) at one ``T``: its error, its ratio to ``OPT(T)`` and its bounds."""

    kind: str
    sizes: list[int] | None  # None for a law (offset, bernoulli)
    steps: float  # T, or the law's expected number of (non-empty) steps
    kl: tuple[float, float]  # enclosure of KL_ideal (or a float pair for an uncertified value)
    certified: bool
    ratio: tuple[float, float] | None = None
    value_zero: bool = False
    bounds: dict = field(default_factory=dict)  # P1, S1, W5 -> [lo, hi] or None
    note: str = ""


@dataclass
class Row:
    T: int
    opt_lower: float
    opt_exact: bool  # the OPT schedule is proven optimal (else OPT in [opt_lower, opt kl hi])
    entries: list[Entry]

    def entry(self, kind: str) -> Entry:
        return next(e for e in self.entries if e.kind == kind)


@dataclass
class ScheduleTable:
    source: str
    L: int
    V: int
    MI: tuple[float, float]
    rows: list[Row]
    schema_version: int = SCHEMA_VERSION
    units: str = "nats"

    def to_json(self) -> dict:
        return asdict(self)


def _bound_exprs():
    """P1's and S1's right sides for the optimal predictor (``eps_train = 0``), from the registry."""
    return {"P1": registry.get("P1").clauses[0].rhs.subs(eps_train, 0), "S1": registry.get("S1").clauses[1].rhs}


def offset_form(L: int, s: int) -> dict:
    """``E_r KL_ideal`` of S3's offset law with step ``s`` as ``h``-coefficients: the average over
    ``r = 1..s`` of each member's F2 sum of step costs (``O(L)`` integer terms in all)."""
    acc: dict[int, int] = {}
    for _, sch in offset_family(L, s):
        cuts = opt.cumulative(sch.sizes)
        for a, b in zip(cuts, cuts[1:]):
            for m, c in opt.step_form(a, b).items():
                acc[m] = acc.get(m, 0) + c
    return {m: Fraction(c, s) for m, c in acc.items() if c}


def expr_form(expr, case: Case) -> dict:
    """The registry's linear form of a profile-only expression, as ``h``-coefficients."""
    form = linear_form(expr, case)
    bad = [k for k, c in form.items() if not isinstance(k, int) and c]
    if bad:
        raise ValueError(f"{expr} is not a function of the profile alone (terms {bad})")
    return {k: c for k, c in form.items() if isinstance(k, int)}


def form_box(form: dict, fp) -> tuple[float, float]:
    return opt.form_bracket(form, fp)


_BOUND_FORMS: dict = {}


def schedule_bounds(fp, sizes) -> dict:
    """Certified enclosures of P1, S1 and W5 on ``KL_ideal`` of one schedule.

    P1's and S1's right sides read a schedule only through ``T`` and ``s_max`` (no per-step
    terms), so their forms are expanded once per ``(L, T, s_max)``.
    """
    L, T, smax = fp.L, len(sizes), max(sizes)
    out = {}
    for k, e in _bound_exprs().items():
        key = (k, L, T, smax)
        if key not in _BOUND_FORMS:
            _BOUND_FORMS[key] = expr_form(e, Case(L, tuple(sizes)))
        out[k] = form_box(_BOUND_FORMS[key], fp)
    out["W5"] = form_box(opt.w5_form(sizes), fp)
    return out


def _average(forms) -> dict:
    """``sum_i c_i form_i`` for ``(c_i, form_i)`` pairs of ``h``-coefficient dicts."""
    out: dict = {}
    for c, form in forms:
        for m, v in form.items():
            out[m] = out.get(m, 0) + c * v
    return out


def offset_bounds(fp, s: int) -> dict:
    """The offset law's P1 and S1 at its largest step ``s`` (each member has ``s_max <= s`` and the
    bounds grow with ``s_max``, so they bound the law's average), and W5 averaged over its members
    (only while the work ``s L`` is small; else ``None``)."""
    L = fp.L
    members = [sch for _, sch in offset_family(L, s)]
    widest = max(members, key=lambda sch: sch.s_max)
    out = schedule_bounds(fp, widest.sizes)
    out["W5"] = (form_box(_average((Fraction(1, s), opt.w5_form(m.sizes)) for m in members), fp)
                 if s * L <= OFFSET_W5_MAX_WORK else None)
    return out


def _ratio(kl: tuple[float, float], opt_box: tuple[float, float], opt_zero: bool):
    if opt_zero or opt_box[0] <= 0:
        return None
    return kl[0] / opt_box[1], kl[1] / opt_box[0]


def _entry(kind, sizes, steps, box, exact, fp, opt_box, opt_zero, bounds=None, note="") -> Entry:
    """``exact()`` builds the exact value, asked for only when ``OPT = 0`` and ``box`` holds 0."""
    zero = opt_zero and box[0] <= 0 <= box[1] and is_zero(exact())
    return Entry(kind, None if sizes is None else list(sizes), steps, box, True, _ratio(box, opt_box, opt_zero),
                 zero, bounds if bounds is not None else schedule_bounds(fp, sizes), note)


def schedule_table(source, Ts) -> ScheduleTable:
    """Every competitor of :data:`KINDS` for each ``T`` in ``Ts`` on one source."""
    profile = source.profile()
    L = profile.L
    Ts = sorted(set(Ts))
    opts = opt.optimal_schedules(profile, Ts)
    orders = opt.best_balanced_order(profile, Ts)
    w5s = dict(opt.w5_minimisers(profile, Ts))
    fp = opt.FloatProfile.of(profile)
    rows = [_row(profile, fp, o, order, w5s[o.T]) for o, order in zip(opts, orders)]
    return ScheduleTable(getattr(source, "name", repr(source)), L, source.V, form_box(expr_form(MI, Case(L)), fp), rows)


def _kl_entry(kind, sizes, profile, fp, opt_box, opt_zero, note=""):
    box = form_box(expr_form(KL_ideal, Case(profile.L, tuple(sizes))), fp)
    return _entry(kind, sizes, len(sizes), box, lambda: opt.schedule_value(profile, sizes), fp, opt_box, opt_zero,
                  note=note)


def _row(profile, fp, o: opt.Optimum, order: opt.Optimum, w5_sched) -> Row:
    L, T = profile.L, o.T
    box = bracket(o.value)
    opt_box = box if o.exact else (max(o.lower, 0.0), box[1])
    opt_zero = o.exact and is_zero(o.value)
    ctx = (fp, opt_box, opt_zero)
    s = -(-L // T)
    members = offset_family(L, s)
    off_form = offset_form(L, s)
    atoms = lambda: dict(enumerate(profile.h_exact))
    grid = ber.grid_for_steps(L, T)
    entries = [
        _entry("opt", o.schedule.sizes, T, box, lambda: o.value, *ctx,
               note="" if o.exact else f"optimal within [{opt_box[0]:.9g}, {opt_box[1]:.9g}]"),
        _kl_entry("balanced", balanced(L, T).sizes, profile, *ctx),
        _entry("best-order", order.schedule.sizes, T, bracket(order.value), lambda: order.value, *ctx,
               note="" if order.exact else "best ordering within the float DP's error bound"),
        _entry("offset", None, float(sum(p * sch.T for p, sch in members)), form_box(off_form, fp),
               lambda: dot(off_form, atoms()), *ctx, bounds=offset_bounds(fp, s),
               note=f"s = {s}, r uniform on 1..{s}"),
        _bernoulli_entry(profile, fp, grid, opt_box, opt_zero),
        _kl_entry("w5-min", w5_sched.sizes, profile, *ctx, note="W5 minimised by a float DP (not certified)"),
    ]
    return Row(T, o.lower, o.exact, entries)


def _bernoulli_entry(profile, fp, grid, opt_box, opt_zero) -> Entry:
    """The geometric Bernoulli grid: certified (its exact form in ``h``) when every point is
    rational, else a float64 value labelled as such."""
    L, N = profile.L, ber.n_intervals(profile.L, grid)
    steps, no_bounds = ber.expected_steps(L, grid), {"P1": None, "S1": None, "W5": None}
    exact_grid = ber.rational_grid(L, N)
    if exact_grid is not None:
        form = kl_bernoulli_form(L, exact_grid)
        return _entry("bernoulli", None, steps, form_box(form, fp), lambda: dot(form, dict(enumerate(profile.h_exact))),
                      fp, opt_box, opt_zero, bounds=no_bounds,
                      note=f"geometric grid, N = {N}, rational points: certified")
    kl = kl_bernoulli_float(fp.h, grid)
    return Entry("bernoulli", None, steps, (kl, kl), False,
                 None if opt_zero or opt_box[0] <= 0 else (kl / opt_box[1], kl / opt_box[0]), False, no_bounds,
                 f"geometric grid, N = {N}, irrational points: float64 (not certified)")


def figure_schedules(table: ScheduleTable, path, ax=None):
    """"KL vs T": every competitor's ideal error against ``T`` (log y; zeros are not drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    own = ax is None
    if own:
        fig, ax = plt.subplots(figsize=(8, 4.8))
    styles = {"opt": ("k", "o", 2.2), "balanced": ("C0", "s", 1.2), "best-order": ("C1", "^", 1.2),
              "offset": ("C2", "v", 1.2), "bernoulli": ("C3", "x", 1.2), "w5-min": ("C4", "d", 1.2)}
    for kind in KINDS:
        pts = [((e := r.entry(kind)).steps, sum(e.kl) / 2) for r in table.rows]
        pts = sorted({(x, y) for x, y in pts if y > 0})  # laws: rows may share a grid (same point)
        if pts:
            colour, marker, width = styles[kind]
            ax.plot(*zip(*pts), color=colour, marker=marker, lw=width, ms=4, label=kind)
    ax.set_yscale("log")
    ax.set_xlabel("T (number of steps; expected non-empty steps for bernoulli, offset)")
    ax.set_ylabel("KL_ideal (nats)")
    ax.set_title(f"{table.source}: KL vs T", fontsize=9)
    ax.legend(fontsize=7)
    if own:
        fig.tight_layout()
        save_figure(fig, path, dpi=110)
        plt.close(fig)
    return path
