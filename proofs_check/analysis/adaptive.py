"""Adaptive unmasking against the best fixed schedule, exactly (``dlm-verify adaptive``; notes/A1.md).

For a source (its law enumerated) and a step budget ``T``:

* ``OPT(T)``: the least ideal error ``E_S KL(p || q_S) = KL_ideal(s)`` of a random-order sampler
  over every schedule ``s`` with ``T`` steps (Li & Cai, arXiv 2505.21400, Theorem 1's sampler;
  ``KL_ideal`` from the information profile, F2);
* the random-order sampler with the balanced schedule: ``KL_ideal(balanced(L, T))``, and, when
  affordable, the KL of its output law ``E_S q_S`` (smaller, by convexity);
* each value-dependent policy with ``T`` fixed sizes (the balanced ones, and those of the
  ``OPT(T)`` schedule when they differ): ``KL(p || q_pi)`` of its exact output law;
* the entropy-sum policy for each threshold ``eps``: ``KL(p || q_pi)`` beside the sampler's exact
  expected number of steps ``E[N]``.

Every comparison with ``OPT(T)`` is certified (:func:`proofs_check.numerics.certify.compare`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction

from theory.linear import Case, linear_form
from theory.symbols import KL_ideal

from proofs_check.files import save_figure
from proofs_check.analysis.optimal import optimal_schedule
from proofs_check.errors import TooLargeError
from proofs_check.model.instance import dot
from proofs_check.model.policies import make
from proofs_check.model.policy_exact import PolicyRun
from proofs_check.model.sampler import n_partitions
from proofs_check.model.schedules import Schedule, balanced
from proofs_check.numerics.certify import compare, mpmath_str
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.base import Source

SCHEMA_VERSION = 1
FIXED_KINDS = ("left", "entropy", "confidence")
#: The random-order output law costs (ordered partitions) x (support); beyond this it is skipped.
RANDOM_OUTPUT_MAX = 50_000
DIGITS = 30


def kl_ideal(profile, sizes) -> LogLinear:
    """``KL_ideal`` of the schedule ``sizes`` from the exact profile (F2's h-form)."""
    return dot(linear_form(KL_ideal, Case(profile.L, tuple(sizes))), dict(enumerate(profile.h_exact)))


@dataclass(frozen=True)
class PolicyValue:
    """One policy's exact error; ``versus_opt``: its output law's KL ``beats`` / ``ties`` / ``loses``
    against ``OPT(T)`` (certified; the random-order row without its output law compares its average)."""

    policy: str
    kind: str
    sizes: list | None
    eps: str | None
    kl: str | None  # KL(p || q_pi) of the output law, DIGITS digits (None: not computed, see note)
    kl_float: float | None
    average: str | None = None  # mean over the policy's randomness of KL(p || q_pi,r)
    average_float: float | None = None
    expected_steps: str | None = None  # E[N] exactly (a fraction), entropy-sum only
    expected_steps_float: float | None = None
    versus_opt: str | None = None
    #: entropy-sum: OPT at ceil(E[N]) steps (a fixed schedule with at least as many steps on average)
    opt_at_steps: int | None = None
    opt_at_steps_float: float | None = None
    note: str = ""


@dataclass
class AdaptiveComparison:
    """The typed result of ``dlm-verify adaptive`` (``to_json`` carries ``schema_version``)."""

    source: str
    L: int
    V: int
    T: int
    opt_schedule: list
    opt_value: str
    opt_float: float
    opt_method: str
    policies: list = field(default_factory=list)
    entropy_sum: list = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict:
        return asdict(self)


def _versus(value: LogLinear, opt: LogLinear) -> str:
    v = compare(value, opt, "<=")
    return "ties" if v.status == "equal" else ("beats" if v.ok else "loses")


def _value(kind, sizes, eps, label, kl, opt, average=None, steps=None, note="") -> PolicyValue:
    return PolicyValue(
        label, kind, list(sizes) if sizes else None, None if eps is None else str(eps),
        None if kl is None else mpmath_str(kl, DIGITS), None if kl is None else float(kl),
        None if average is None else mpmath_str(average, DIGITS), None if average is None else float(average),
        None if steps is None else str(steps), None if steps is None else float(steps),
        _versus(kl if kl is not None else average, opt), note)


def _random_order(dist, profile, sizes, opt) -> PolicyValue:
    """Li & Cai's random-order sampler: its average ``E_S KL`` (F2) and, if affordable, its output law's KL."""
    pol = make("random", sizes)
    average = kl_ideal(profile, sizes)
    if n_partitions(Schedule(tuple(sizes))) * dist.n_support <= RANDOM_OUTPUT_MAX:
        return _value("random", sizes, None, pol.label, PolicyRun(dist, pol).kl(), opt, average)
    return _value("random", sizes, None, pol.label, None, opt, average,
                  note=f"output law skipped: more than {RANDOM_OUTPUT_MAX} (order, sequence) pairs")


def compare_policies(source: Source, T: int, eps_values=(), ties: str = "position") -> AdaptiveComparison:
    """Every policy with ``T`` steps beside ``OPT(T)`` (module docstring); entropy-sum for each ``eps``."""
    dist = source.law()
    if dist is None:
        raise TooLargeError(f"{source.name}: its law on V^L = {source.V}^{source.L} cannot be enumerated; the "
                            f"exact policy errors need it (use a shorter sequence)")
    profile = source.profile()
    bal = balanced(dist.L, T)  # validates T
    opt_sched, opt = optimal_schedule(profile, T)
    out = AdaptiveComparison(source.name, dist.L, dist.V, T, list(opt_sched.sizes), mpmath_str(opt, DIGITS),
                             float(opt), "dynamic programme over cumulative counts (analysis.optimal), certified exactly")
    size_sets = [bal.sizes] + ([opt_sched.sizes] if opt_sched.sizes != bal.sizes else [])
    for sizes in size_sets:
        out.policies.append(_random_order(dist, profile, sizes, opt))
        for kind in FIXED_KINDS:
            pol = make(kind, sizes, ties=ties)
            run = PolicyRun(dist, pol)
            average = run.path_kl() if pol.randomised else None
            out.policies.append(_value(kind, sizes, None, pol.label, run.kl(), opt, average))
    for eps in eps_values:
        out.entropy_sum.append(_entropy_sum(dist, profile, Fraction(eps), ties))
    return out


def _entropy_sum(dist, profile, eps: Fraction, ties: str) -> PolicyValue:
    """Entropy-sum with threshold ``eps``, compared with OPT at ``ceil(E[N])`` steps."""
    pol = make("entropy-sum", eps=eps, ties=ties)
    run = PolicyRun(dist, pol)
    steps = run.expected_steps()
    n = min(-(-steps.numerator // steps.denominator), dist.L)
    _, opt_n = optimal_schedule(profile, n)
    average = run.path_kl() if pol.randomised else None
    row = _value("entropy-sum", None, pol.eps, pol.label, run.kl(), opt_n, average, steps)
    return replace(row, opt_at_steps=n, opt_at_steps_float=float(opt_n))


def opt_curve(source: Source) -> list[tuple[int, float]]:
    """``(T, OPT(T))`` for ``T = 1..L`` (floats, for the plot only)."""
    profile = source.profile()
    return [(T, float(optimal_schedule(profile, T)[1])) for T in range(1, source.L + 1)]


def plot(result: AdaptiveComparison, curve, path: str) -> None:
    """KL against the number of steps: entropy-sum's ``(E[N], KL)`` for each eps, ``OPT(T)`` for every T."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([t for t, _ in curve], [v for _, v in curve], "o-", label="OPT(T), best fixed schedule")
    pts = [(r.expected_steps_float, r.kl_float, r.eps) for r in result.entropy_sum]
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "s--", label="entropy-sum, E[N] steps")
        for x, y, e in pts:
            ax.annotate(f"eps={e}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    for r in result.policies:
        if r.kind == "entropy" and r.kl_float is not None:
            ax.plot([result.T], [r.kl_float], "^", label=f"{r.policy}")
    ax.set_xlabel("steps")
    ax.set_ylabel("KL (nats)")
    ax.set_title(f"{result.source}: adaptive unmasking vs OPT(T)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)
    plt.close(fig)
