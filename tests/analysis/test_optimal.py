"""OPT(T): the DP over cumulative counts against enumeration of every composition, monotonicity
in T, the certified bracket on enclosure profiles, and mutants (a step cost without its h-term,
a step counted one token too many) that the enumeration check rejects."""

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check.analysis import optimal as opt
from proofs_check.errors import ScheduleError
from proofs_check.model.schedules import Schedule, balanced
from proofs_check.numerics.certify import compare, sign
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.distributions import copy_distribution, parity_distribution
from proofs_check.sources.markov import random_chain
from proofs_check.sources.profile import InformationProfile
from proofs_check.verdicts import Status


def profile_from(g, d_last) -> InformationProfile:
    """The cone point ``h(m) = m delta(L-1) + sum_u min(m, u+1) g(u)`` (exact values)."""
    L = len(g) + 1
    h = [LogLinear.combination([(m, d_last)] + [(min(m, u + 1), gu) for u, gu in enumerate(g)])
         for m in range(L + 1)]
    return InformationProfile(L, np.array([float(x) for x in h]), lambda: h)


def _value(draw) -> LogLinear:
    """A non-negative exact value: rational, or a mix of log 2 and log 3 (zeros are frequent)."""
    p, q, r = draw(st.integers(0, 4)), draw(st.integers(0, 3)), draw(st.integers(0, 3))
    return LogLinear(Fraction(p, 4), {2: Fraction(q, 2), 3: Fraction(r, 3)})


@st.composite
def profiles(draw, max_L=10):
    L = draw(st.integers(2, max_L))
    return profile_from([_value(draw) for _ in range(L - 1)], _value(draw))


def compositions_into(L: int, T: int):
    for cuts in combinations(range(1, L), T - 1):
        bounds = (0,) + cuts + (L,)
        yield Schedule(tuple(b - a for a, b in zip(bounds, bounds[1:])))


def enumerated_opt(profile, T) -> LogLinear:
    """The least exact KL_ideal over every composition of L into T parts (registry F2 form)."""
    best = None
    for sched in compositions_into(profile.L, T):
        v = opt.schedule_value(profile, sched.sizes)
        if best is None or sign(v - best)[0] < 0:
            best = v
    return best


def agrees_with_enumeration(profile, T) -> bool:
    """The DP's schedule has T parts, its exact value is the enumerated minimum and its certified
    lower bound is below it; a mutant that raises (no valid schedule, a broken bound) disagrees."""
    try:
        row = opt.optimal_schedules(profile, [T])[0]
    except (ScheduleError, ArithmeticError):
        return False
    best = enumerated_opt(profile, T)
    return (row.schedule.T == T and row.schedule.L == profile.L and (row.value - best).is_zero()
            and row.lower <= float(best.mpf(30)))


@settings(max_examples=3 * settings.default.max_examples)
@given(profiles(), st.data())
def test_dp_equals_enumeration(profile, data):
    T = data.draw(st.integers(1, profile.L))
    row = opt.optimal_schedules(profile, [T])[0]
    best = enumerated_opt(profile, T)
    assert row.exact
    assert (row.value - best).is_zero()
    assert row.lower <= float(best.mpf(30)) + 1e-300


@given(profiles())
def test_opt_non_increasing_in_T(profile):
    rows = opt.optimal_schedules(profile, range(1, profile.L + 1))
    for prev, nxt in zip(rows, rows[1:]):
        assert compare(nxt.value, prev.value, "<=").ok
    assert rows[-1].schedule == Schedule((1,) * profile.L) and rows[-1].value.is_zero()


def test_step_cost_matches_its_g_form_and_the_float_path():
    g = [LogLinear(Fraction(u + 1, 3), {2: u}) for u in range(6)]
    prof = profile_from(g, LogLinear(Fraction(1, 2)))
    h = prof.h_exact
    fp = opt.FloatProfile.of(prof)
    C = opt.cost_matrix(fp)
    for a in range(prof.L):
        for b in range(a + 1, prof.L + 1):
            # c(a, b) = sum_{u=a}^{b-2} (b-1-u) g(u)
            want = LogLinear.combination((b - 1 - u, g[u]) for u in range(a, b - 1))
            assert (opt.step_cost(h, a, b) - want).is_zero()
            assert abs(C[a, b] - float(want)) <= fp.eps(1)
    sizes = (2, 3, 2)
    total = LogLinear.sum(opt.step_cost(h, a, b) for a, b in zip(opt.cumulative(sizes), opt.cumulative(sizes)[1:]))
    assert (total - opt.schedule_value(prof, sizes)).is_zero()


def test_copy_and_parity_reach_zero_at_two_steps():
    for dist, first in ((copy_distribution(8, 2), (1, 7)), (parity_distribution(8), (7, 1))):
        rows = opt.optimal_schedules(dist.profile(), [1, 2])
        assert not rows[0].value.is_zero() and rows[1].value.is_zero() and rows[1].exact
        # the balanced 4,4 is not optimal on either: the optimum is a different shape
        assert compare(rows[1].value, opt.schedule_value(dist.profile(), balanced(8, 2).sizes), "<").ok


def test_long_chain_gives_a_certified_bracket():
    chain = random_chain(64, V=3, seed=2)
    prof = chain.profile()
    rows = opt.optimal_schedules(prof, [1, 4, 16])
    for row in rows:
        lo_box = row.value.interval(64)
        assert not row.exact and row.lower <= float(lo_box.b)
        # the bracket is narrow: the float DP's error bound is far below the value
        assert float(lo_box.a) - row.lower < 1e-6 * float(lo_box.a)
    bal = opt.schedule_value(prof, balanced(64, 16).sizes)
    assert float(bal.interval(64).a) >= rows[-1].lower


def test_bad_T_is_an_input_error():
    prof = copy_distribution(4, 2).profile()
    for T in (0, 5, 2.0):
        with pytest.raises(ScheduleError, match="T="):
            opt.optimal_schedules(prof, [T])


# -- mutants: each must be caught by the enumeration check on some fixed profile ---------------

_FIXED = [profile_from([LogLinear(Fraction(x)) for x in g], LogLinear(Fraction(1)))
          for g in ([3, 0, 1, 0, 2, 0, 0], [0, 0, 0, 0, 0, 5, 1], [1, 1, 1, 1, 1, 1, 1], [0, 4, 0, 0, 3, 0, 0])]


def _mutant_costs(monkeypatch, cost, form):
    """Replace the step cost in the float DP and in the exact re-decision alike."""
    monkeypatch.setattr(opt, "step_cost", cost)
    monkeypatch.setattr(opt, "step_form", form)


def _caught_in_both_modes(monkeypatch) -> bool:
    """Some fixed case disagrees with enumeration, both for the float DP's own choice (exact
    re-decision off) and with the re-decision on."""
    def some_wrong():
        return any(not agrees_with_enumeration(p, T) for p in _FIXED for T in range(2, p.L))

    with monkeypatch.context() as m:
        m.setattr(opt, "EXACT_MAX_EDGES", -1)
        float_only = some_wrong()
    return float_only and some_wrong()


def test_the_check_passes_the_real_dp(monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(opt, "EXACT_MAX_EDGES", -1)
        assert all(agrees_with_enumeration(p, T) for p in _FIXED for T in range(1, p.L + 1))
    assert all(agrees_with_enumeration(p, T) for p in _FIXED for T in range(1, p.L + 1))


def test_mutant_without_h_term_is_rejected(monkeypatch):
    # the h-terms telescope to h(L) along any path, so this mutant picks the same schedules; it is
    # caught by its value (every path H(X) too high: the lower bound passes the exact value)
    _mutant_costs(monkeypatch, lambda h, a, b: (b - a) * (h[a + 1] - h[a]),
                  lambda a, b: {m: c for m, c in ((a + 1, b - a), (a, -(b - a))) if c})
    assert _caught_in_both_modes(monkeypatch)


def test_mutant_counting_one_token_too_many_is_rejected(monkeypatch):
    _mutant_costs(monkeypatch, lambda h, a, b: (b - a + 1) * (h[a + 1] - h[a]) - (h[b] - h[a]),
                  lambda a, b: {m: c for m, c in ((a + 1, b - a + 1), (a, -(b - a + 1) + 1), (b, -1)) if c})
    assert _caught_in_both_modes(monkeypatch)


def test_mutant_backtrack_off_by_one_is_rejected(monkeypatch):
    real = opt.backtrack
    monkeypatch.setattr(opt, "backtrack", lambda arg, T, L: real(arg - (arg > 1), T, L))
    monkeypatch.setattr(opt, "EXACT_MAX_EDGES", -1)  # the float choice is returned as it is
    assert any(not agrees_with_enumeration(p, T) for p in _FIXED for T in range(2, p.L))


# -- W5 (Wainwright's Theorem 1, eq. 17b) -----------------------------------------------------

def test_w5_float_matrix_matches_the_exact_step_forms():
    prof = _FIXED[0]
    fp = opt.FloatProfile.of(prof)
    W, atoms = opt.w5_matrix(fp), dict(enumerate(prof.h_exact))
    L = prof.L
    for a in range(L - 1):
        for b in range(a + 1, L):
            start, num, den = opt.w5_step_form(L, a, b)
            exact = LogLinear.combination((Fraction(c, den), atoms[start + i]) for i, c in enumerate(num) if c)
            assert abs(W[a, b] - float(exact)) <= 1e-9 * (1 + abs(float(exact)))
    # rho Hc(a, b) by its definition, term by term, on one edge
    a, b = 1, 6
    g = [2 * atoms[j] - atoms[j - 1] - atoms[j + 1] for j in range(1, L)]  # g(j-1)
    hc = LogLinear.combination((Fraction(j * (L - j), L), g[j - 1]) for j in range(a + 1, b))
    assert abs(W[a, b] - float(hc) * L * (b - a - 1) / ((a + 1) * (L - b))) <= 1e-9


@given(profiles(max_L=8), st.data())
def test_w5_minimiser_and_bound(profile, data):
    T = data.draw(st.integers(1, profile.L))
    ((_, sched),) = opt.w5_minimisers(profile, [T])
    w5 = {c: opt.w5_value(profile, c.sizes) for c in compositions_into(profile.L, T)}
    best = min(float(v.mpf(30)) for v in w5.values())
    assert float(opt.w5_value(profile, sched.sizes).mpf(30)) <= best + 1e-9 * (1 + best)
    for c, v in w5.items():  # Wainwright's W5: KL_ideal <= the bound, for every composition
        assert compare(opt.schedule_value(profile, c.sizes), v, "<=").ok


def test_offset_form_is_the_registry_average():
    from proofs_check.analysis.schedule_table import offset_form
    from proofs_check.model.instance import dot, offset_case
    from theory.linear import linear_form
    from theory.symbols import KL_ideal_offset

    prof = _FIXED[1]
    atoms = dict(enumerate(prof.h_exact))
    for s in range(1, prof.L + 1):
        want = dot(linear_form(KL_ideal_offset, offset_case(prof.L, s)), atoms)
        got = LogLinear.combination((c, atoms[m]) for m, c in offset_form(prof.L, s).items())
        assert (got - want).is_zero()
