"""The information profile and the exact ideal error.

* subset entropies and ``h(0..L)``: float64 and exact paths, dense and sparse routes;
* F2: brute-force sampler = ``h``-form = ``omega . g`` form, certified equal (the main gate:
  at least 500 examples under the ``ci`` profile);
* F3 identities, ``g >= 0`` and F4 through the registry (``evaluate.check_statement``);
* every check shown able to fail: deliberately wrong formulas are rejected by the same
  certified comparison.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
import sympy as sp
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from proofs_check.sources import profile as profile_mod
from proofs_check.numerics.certify import compare
from proofs_check.sources.distributions import (Distribution, copy_distribution, parity_distribution,
                                        product_distribution)
from proofs_check.errors import TooLargeError
from proofs_check.model.instance import Instance, check_statement, dot, float_value
from proofs_check.numerics.exact import LogLinear
from proofs_check.sources.profile import InformationProfile, exact_profile, subset_entropies
from proofs_check.model.sampler import entropy, expected_kl_bruteforce
from proofs_check.model.schedules import Schedule
from proofs_check.search.strategies import distribution_and_schedule, distributions
from theory import registry
from theory.definitions import KL_IDEAL_H_FORM, KL_IDEAL_OMEGA_FORM
from theory.linear import Case, linear_form
from theory.registry import Clause, Statement
from theory.symbols import L as L_sym
from theory.symbols import KL_ideal, KL_ideal_refined, MI, TC, delta, g, h, k, m, omega, s, u

#: the brute-force gate must see at least 500 examples under ci (100 a test there)
GATE = 5 * settings.default.max_examples


def exact_entropy_of(weights, total: int) -> LogLinear:
    """``H = log W - (1/W) sum w log w`` built directly from integer cell weights."""
    terms = {total: Fraction(1)}
    for w in weights:
        terms[int(w)] = terms.get(int(w), 0) - Fraction(int(w), total)
    return LogLinear(0, terms)


def direct_subset_weights(dist: Distribution, A) -> list[int]:
    cells: dict = {}
    for r, w in zip(dist.support.tolist(), dist.weights):
        key = tuple(r[i] for i in A)
        cells[key] = cells.get(key, 0) + w
    return list(cells.values())


# -- subset entropies and the profile -------------------------------------------------------------------

@given(distributions(max_L=5, max_V=3))
def test_subset_entropies_match_direct_marginalisation(dist):
    ents = subset_entropies(dist)
    assert len(ents) == 2**dist.L
    for A, val in ents.items():
        w = np.array(direct_subset_weights(dist, A), dtype=float)
        ref = math.log(dist.total) - float(np.dot(w, np.log(w))) / dist.total
        assert val == pytest.approx(ref, abs=1e-10)


@given(distributions(max_L=5, max_V=3))
def test_exact_profile_is_the_average_of_exact_subset_entropies(dist):
    L, W = dist.L, dist.total
    hx = exact_profile(dist)
    assert len(hx) == L + 1 and hx[0].is_zero()
    for size in range(1, L + 1):
        subsets = list(combinations(range(L), size))
        avg = LogLinear.sum(exact_entropy_of(direct_subset_weights(dist, A), W) for A in subsets) / len(subsets)
        assert compare(hx[size], avg, "==").status == "equal"
    assert compare(hx[L], entropy(dist), "==").status == "equal"


@given(distributions(max_L=6, max_V=3))
def test_float_profile_agrees_with_the_exact_one(dist):
    prof = InformationProfile.of(dist)
    assert prof.h_float[0] == 0
    for hf, hx in zip(prof.h_float, prof.h_exact):
        assert hf == pytest.approx(float(hx), rel=1e-10, abs=1e-10)
    for dps in (20, 40):
        assert [x for x in prof.h_mpmath(dps)] == [x.mpf(dps) for x in prof.h_exact]


@given(distributions(max_L=5, max_V=3))
def test_dense_and_sparse_routes_give_the_same_exact_profile(dist):
    routes = []
    for fill in (0.0, 2.0):  # 0: always numpy axis sums; 2: always grouped support rows
        old = profile_mod.DENSE_FILL
        profile_mod.DENSE_FILL = fill
        try:
            routes.append(exact_profile(dist))
        finally:
            profile_mod.DENSE_FILL = old
    for a, b in zip(*routes):
        assert (a - b).is_zero()


@given(distributions(max_L=5, max_V=3), st.randoms(use_true_random=False))
def test_profile_is_invariant_under_relabelling_positions_and_symbols(dist, rnd):
    perm = list(range(dist.L))
    rnd.shuffle(perm)
    sym = list(range(dist.V))
    rnd.shuffle(sym)
    rows = np.array([[sym[v] for v in r] for r in dist.support[:, perm].tolist()], dtype=np.int64)
    other = Distribution(dist.V, dist.L, rows, dist.weights)
    for a, b in zip(exact_profile(dist), exact_profile(other)):
        assert (a - b).is_zero()


@given(distributions(max_L=6, max_V=3))
def test_profile_is_increasing_and_concave(dist):
    hf = InformationProfile.of(dist).h_float
    tol = 1e-12 * (1 + hf[-1])
    d = np.diff(hf)
    assert np.all(d >= -tol)  # delta >= 0
    assert np.all(np.diff(d) <= tol)  # g >= 0


def test_profiles_of_the_structured_families():
    L = 5
    for V in (2, 3):
        inst = Instance(copy_distribution(L, V), Schedule((L,)))
        assert compare(inst.value(g(0), Case(L)), LogLinear.log(V), "==").status == "equal"
        for uu in range(1, L - 1):
            assert inst.value(g(uu), Case(L)).is_zero()
    par = Instance(parity_distribution(L), Schedule((L,)))
    for uu in range(L - 2):
        assert par.value(g(uu), Case(L)).is_zero()
    assert compare(par.value(g(L - 2), Case(L)), LogLinear.log(2), "==").status == "equal"
    prod = Instance(product_distribution([[1, 2, 3], [4, 1, 1], [2, 2, 5], [1, 1, 1]]), Schedule((4,)))
    assert prod.value(MI, Case(4)).is_zero()
    assert all(prod.value(g(uu), Case(4)).is_zero() for uu in range(3))


def test_dense_profile_with_weights_beyond_int64():
    dist = Distribution.dense(2, 2, [1e-20, 0.5, 0.25, 0.25])
    assert dist.total >= 2**62
    prof = InformationProfile.of(dist)
    assert prof.h_float[2] == pytest.approx(float(entropy(dist)))


def test_sparse_profile_with_weights_beyond_int64():
    dist = Distribution(2, 4, [[0, 0, 0, 0], [1, 1, 0, 1], [0, 1, 1, 1]], [2**70 + 1, 2**70 + 5, 3])
    assert dist.weights_array.dtype == object
    prof = InformationProfile.of(dist)
    assert compare(prof.h_exact[4], entropy(dist), "==").status == "equal"
    assert prof.h_float[4] == pytest.approx(float(entropy(dist)), rel=1e-12)


def test_too_many_subsets_is_a_named_error(time_limit):
    with time_limit(3):
        with pytest.raises(TooLargeError, match="40"):
            InformationProfile.of(copy_distribution(40, 2))


# -- F2: brute force = h-form = omega . g form (the main gate) --------------------------------------------

def kl_forms(dist, sched):
    inst = Instance(dist, sched, bruteforce=False)
    case = Case(dist.L, sched.sizes)
    return inst, case, inst.value(KL_ideal, case), inst.value(KL_IDEAL_OMEGA_FORM, case)


@settings(max_examples=GATE)
@given(distribution_and_schedule(max_L=5, max_V=3))
@example((copy_distribution(5, 3), Schedule((3, 2))))
@example((parity_distribution(5), Schedule((2, 3))))
@example((parity_distribution(4), Schedule((1, 1, 1, 1))))
@example((product_distribution([[1, 2], [3, 1], [1, 1]]), Schedule((3,))))
@example((Distribution(3, 1, [[2]], [5]), Schedule((1,))))
def test_bruteforce_equals_h_form_equals_omega_form(pair):
    dist, sched = pair
    event(f"L={dist.L}")  # coverage shown by --hypothesis-show-statistics
    bf = expected_kl_bruteforce(dist, sched)
    inst, case, h_form, omega_form = kl_forms(dist, sched)
    v1, v2 = compare(bf, h_form, "=="), compare(h_form, omega_form, "==")
    assert v1.status == "equal", f"brute force {float(bf)!r} vs h-form {float(h_form)!r}: {v1}"
    assert v2.status == "equal", f"h-form {float(h_form)!r} vs omega form {float(omega_form)!r}: {v2}"
    # the float64 fast path (plots and tables) agrees to rounding
    assert float_value(KL_ideal, case, inst.profile.h_float) == pytest.approx(float(h_form), abs=1e-9)


# -- F3, g >= 0 and F4 through the registry ---------------------------------------------------------------

@given(distribution_and_schedule(max_L=5, max_V=3))
@example((copy_distribution(4, 3), Schedule((4,))))
@example((parity_distribution(4), Schedule((1, 1, 1, 1))))
def test_F3_identities_and_g_nonnegative(pair):
    dist, sched = pair
    results = check_statement(registry.get("F3"), Instance(dist, sched, bruteforce=False))
    labels = {r.label for r in results}
    assert {"MI = TC + DTC", "TC = sum (L-1-u) g(u)", "DTC = sum (u+1) g(u)"} <= labels
    assert sum(r.label.startswith("g(u) >= 0") for r in results) == dist.L - 1
    assert ("one-step schedule: KL_ideal = TC" in labels) == (sched.T == 1)
    assert ("one token per step: KL_ideal = 0" in labels) == (sched.s_max == 1)
    for r in results:
        assert r.verdict.ok, (r.label, r.verdict)
        if r.case.bind == ():  # every clause but g >= 0 is an identity
            assert r.verdict.status == "equal", (r.label, r.verdict)


@given(distribution_and_schedule(max_L=5, max_V=3))
@example((copy_distribution(5, 2), Schedule((5,))))
def test_F4_refinement_never_increases_the_ideal_error(pair):
    dist, sched = pair
    results = check_statement(registry.get("F4"), Instance(dist, sched, bruteforce=False))
    assert len(results) == sum(sz - 1 for sz in sched.sizes)  # one per way of splitting one step
    for r in results:
        assert r.verdict.ok, (r.case, r.verdict)


# -- every check can fail -------------------------------------------------------------------------------

_BODY = KL_IDEAL_H_FORM.function
_LIMITS = KL_IDEAL_H_FORM.limits[0]
WRONG_KL_FORMS = {
    # s_k - 1 in place of s_k in front of delta(m_k)
    "s_k-1": sp.Sum(_BODY.subs(s[k] * delta(m[k]), (s[k] - 1) * delta(m[k])), _LIMITS),
    # the -h(m_k + s_k) term dropped
    "drop-h(m+s)": sp.Sum(_BODY.subs(h(m[k] + s[k]), 0), _LIMITS),
}


def test_the_wrong_forms_really_are_modified():
    for wrong in WRONG_KL_FORMS.values():
        assert wrong != KL_IDEAL_H_FORM
        assert linear_form(wrong, Case(4, (2, 2))) != linear_form(KL_IDEAL_H_FORM, Case(4, (2, 2)))


@pytest.mark.parametrize("name", sorted(WRONG_KL_FORMS))
@given(distribution_and_schedule(max_L=4, max_V=3))
def test_a_wrong_kl_formula_is_rejected_whenever_the_data_is_random(name, pair):
    """Both wrong forms exceed the true KL by at least delta(0) or H, positive unless X is constant."""
    dist, sched = pair
    bf = expected_kl_bruteforce(dist, sched)
    inst = Instance(dist, sched, bruteforce=False)
    wrong = dot(linear_form(WRONG_KL_FORMS[name], Case(dist.L, sched.sizes)), inst.atoms)
    v = compare(bf, wrong, "==")
    if entropy(dist).is_zero():
        assert v.status == "equal"
    else:
        assert v.status == "fails" and not v.ok


def test_a_wrong_omega_weight_is_rejected_on_the_copy_distribution():
    wrong = sp.Sum(KL_IDEAL_OMEGA_FORM.function.subs(omega(u), omega(u) + 1), KL_IDEAL_OMEGA_FORM.limits[0])
    dist, sched = copy_distribution(4, 3), Schedule((2, 2))
    inst = Instance(dist, sched, bruteforce=False)
    value = dot(linear_form(wrong, Case(4, (2, 2))), inst.atoms)
    assert compare(expected_kl_bruteforce(dist, sched), value, "==").status == "fails"


def test_a_wrong_tc_formula_and_a_reversed_F4_are_rejected_by_check_statement():
    """The registry machinery itself reports violations: a false identity, a reversed F4 and g < 0."""
    bogus = Statement("X1", "wrong", "conjecture", "test", (
        Clause(TC, "==", sp.Sum((L_sym - u) * g(u), (u, 0, L_sym - 2)), "profile", "TC = sum (L-u) g(u)"),
        Clause(KL_ideal, "<=", KL_ideal_refined, "refinement", "reversed F4"),
        Clause(g(u), "<", sp.Integer(0), "each_u", "g(u) < 0"),
    ))
    inst = Instance(copy_distribution(4, 2), Schedule((3, 1)), bruteforce=False)
    results = check_statement(bogus, inst)
    assert {r.label for r in results} == {"TC = sum (L-u) g(u)", "reversed F4", "g(u) < 0"}
    assert all(r.verdict.status == "fails" and not r.verdict.ok for r in results)
