"""Markov chains: closed-form profile against enumeration, enclosures, JSON, families, rate."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from math import comb

import mpmath
import numpy as np
import pytest

from proofs_check.sources import families
from proofs_check.numerics.certify import compare
from proofs_check.sources.jsonio import from_json, load
from proofs_check.errors import DistributionError, TooLargeError
from proofs_check.model.instance import Instance, check_all
from proofs_check.numerics.exact import Enclosure, LogLinear
from proofs_check.sources.markov import (MarkovChain, bigram_chain, markov_distribution, random_chain,
                                         stationary_distribution)
from proofs_check.sources.markov_profile import (EXACT_MAX_L, IntervalValue, _binomial_column, _coefficients,
                                                 markov_profile)
from proofs_check.sources.profile import InformationProfile
from proofs_check.model.schedules import Schedule, balanced


def _random_weights(rng, V, zero_fraction):
    W = rng.integers(0, 6, size=(V, V))
    W[rng.random((V, V)) < zero_fraction] = 0
    for i in range(V):
        if W[i].sum() == 0:
            W[i, rng.integers(V)] = 1 + int(rng.integers(3))
    return W.tolist()


def _random_test_chain(seed, V, L, per_step):
    rng = np.random.default_rng(seed)
    init = rng.integers(0, 4, size=V)
    if init.sum() == 0:
        init[0] = 1
    if per_step:
        return MarkovChain(init.tolist(), transitions=[_random_weights(rng, V, 0.4) for _ in range(L - 1)], length=L)
    return MarkovChain(init.tolist(), _random_weights(rng, V, 0.4), length=L)


# (seed, V, L, per-step matrices): zero transitions, non-stationary starts, both kinds of chain
ENUM_CASES = [(0, 2, 10, False), (1, 2, 9, True), (2, 3, 6, False), (3, 3, 5, True), (4, 4, 4, False),
              (5, 2, 1, False), (6, 3, 2, True), (7, 2, 7, False)]


@pytest.mark.parametrize("seed,V,L,per_step", ENUM_CASES)
def test_closed_form_equals_enumeration_certified(seed, V, L, per_step):
    chain = _random_test_chain(seed, V, L, per_step)
    dist = chain.distribution()
    assert sum(dist.probabilities()) == 1
    enum = InformationProfile.of(dist)
    closed = chain.profile()
    np.testing.assert_allclose(closed.h_float, enum.h_float, rtol=1e-12, atol=1e-12)
    for m in range(L + 1):
        verdict = compare(closed.h_exact[m], enum.h_exact[m], "==")
        assert verdict.status == "equal" and verdict.method == "exact", (m, verdict)


def test_enumeration_weights_follow_the_chain():
    chain = MarkovChain([1, 3], [[1, 1], [0, 5]], length=3)
    dist = markov_distribution(chain)
    probs = {tuple(r): Fraction(w, dist.total) for r, w in zip(dist.support.tolist(), dist.weights)}
    # p(x) = mu(x1) P(x1, x2) P(x2, x3), exactly; the zero transition 1 -> 0 removes paths
    assert probs[(0, 0, 1)] == Fraction(1, 4) * Fraction(1, 2) * Fraction(1, 2)
    assert probs[(1, 1, 1)] == Fraction(3, 4)
    assert (1, 0, 0) not in probs and dist.n_support == chain.n_support == 4
    with pytest.raises(TooLargeError, match="closed-form profile"):
        random_chain(40, V=4).distribution()


def test_enclosures_contain_exact_values():
    chain = _random_test_chain(11, 3, 8, per_step=False)
    form = chain._closed_form
    lo, hi = form.float_box
    exact = form.h_exact
    for m in range(chain.L + 1):
        x = exact[m].interval(300)
        assert lo[m] <= x.a and x.b <= hi[m]
        if m:
            box = form.h_interval(m, 160)
            assert box.a <= x.a and x.b <= box.b
            assert float(box.delta) < 1e-40  # the high-precision path really is tighter


def test_nonhomogeneous_high_precision_enclosure():
    chain = _random_test_chain(12, 3, 6, per_step=True)
    form = chain._closed_form
    for m in (1, 3, 6):
        x = form.h_exact[m].interval(300)
        box = form.h_interval(m, 128)
        assert box.a <= x.a and x.b <= box.b


def test_subset_counts():
    for L in (1, 2, 5, 9):
        for m in range(1, L + 1):
            first = _binomial_column(L - 1, m - 1, L)
            assert first == [comb(L - 1 - a, m - 1) for a in range(L)]
            assert sum(first) == comb(L, m)  # every m-subset has one smallest element
            if L >= 2:
                pairs = _binomial_column(L - 2, m - 2, L - 1)
                assert pairs == [comb(L - 1 - d, m - 2) if m >= 2 else 0 for d in range(1, L)]
                # each m-subset has m - 1 consecutive pairs; a pair at gap d has L - d positions
                assert sum((L - d) * c for d, c in zip(range(1, L), pairs)) == (m - 1) * comb(L, m)
    L = 50
    ms = np.arange(1, L + 1, dtype=float)
    c1 = _coefficients(L, ms, ms / L, L - 1, L)
    c2 = _coefficients(L, ms, ms * (ms - 1) / (L * (L - 1.0)), L - 2, L - 1)
    for m in (1, 2, 17, 50):
        np.testing.assert_allclose(c1[m - 1], [comb(L - 1 - a, m - 1) / comb(L, m) for a in range(L)], rtol=1e-13)
        np.testing.assert_allclose(c2[m - 1], [comb(L - 1 - d, m - 2) / comb(L, m) if m >= 2 else 0.0
                                               for d in range(1, L)], rtol=1e-13)


def test_stationary_chain_profile_endpoints():
    P = [[2, 1, 0], [1, 1, 1], [0, 3, 1]]
    chain = MarkovChain.stationary(P, 30)
    assert chain.is_stationary
    pi = stationary_distribution([[Fraction(w, sum(r)) for w in r] for r in P])
    assert sum(pi) == 1
    h = chain.profile().h_float
    H_pi = -sum(float(q) * math.log(q) for q in pi if q)
    H_step = -sum(float(pi[i]) * sum(w / sum(r) * math.log(w / sum(r)) for w in r if w) for i, r in enumerate(P))
    assert h[1] == pytest.approx(H_pi, rel=1e-13)
    assert h[30] == pytest.approx(H_pi + 29 * H_step, rel=1e-13)
    with pytest.raises(DistributionError, match="reducible"):
        MarkovChain.stationary([[1, 0], [0, 1]], 5)


def test_long_chain_profile():
    chain = random_chain(4096, V=4, seed=0)
    prof = chain.profile()
    lo, hi = chain._closed_form.float_box
    h = prof.h_float
    width = hi - lo
    assert np.all(np.isfinite(h)) and np.all(lo <= h) and np.all(h <= hi)
    assert float(width.max()) < 1e-6
    # non-decreasing and concave (g >= 0), each within the enclosure's width
    assert np.all(np.diff(h) >= -(width[1:] + width[:-1]))
    g = -(h[2:] - 2 * h[1:-1] + h[:-2])
    assert np.all(g >= -(width[2:] + 2 * width[1:-1] + width[:-2]))
    assert g.min() > 0  # for this chain g is bounded well away from 0
    assert prof.has_exact and isinstance(prof.h_exact[5], IntervalValue)


def test_interval_values_in_certified_comparisons():
    chain = random_chain(64, V=3, seed=4, stationary=False)
    prof = markov_profile(chain)
    h = prof.h_exact
    assert isinstance(h[1], Enclosure) and chain.L > EXACT_MAX_L
    v = compare(h[2], h[1] * 2, "<=")  # subadditivity
    assert v.status == "holds" and v.method == "float64"
    v = compare(h[10] + h[12], h[11] * 2, "<=")  # concavity (g(10) >= 0)
    assert v.status == "holds"
    same = compare(h[7] - h[3], (h[7] * 2 - h[3] * 2) * Fraction(1, 2), "==")
    assert same.status == "equal within width" and same.method.startswith("width<")  # neither proven
    value, err = h[64].float_with_error()
    assert abs(value - prof.h_float[64]) <= err and err < 1e-9


def test_long_chain_instance_checks_every_statement():
    chain = random_chain(40, V=3, seed=2)
    inst = Instance(chain, balanced(40, 8), profile=chain.profile(), bruteforce=False)
    results = check_all(inst)
    assert results and all(r.verdict.ok for r in results)
    assert {r.statement for r in results} >= {"F2", "F3", "P1", "P3", "S1", "S3", "S4"}


# -- JSON --------------------------------------------------------------------------------

def test_json_round_trip_and_exact_floats(tmp_path):
    obj = {"kind": "markov", "length": 6, "initial": [0.5, 0.25, 0.25],
           "transition": [[0.1, 0.9, 0], [1, 1, 1], [0, 0, 2.5]]}
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(obj))
    chain = load(path)
    assert isinstance(chain, MarkovChain) and (chain.V, chain.L) == (3, 6)
    assert chain.initial_probs == (Fraction(1, 2), Fraction(1, 4), Fraction(1, 4))
    p0 = chain.step_probs(0)[0]
    assert p0[0] == Fraction(0.1) / (Fraction(0.1) + Fraction(0.9))  # the floats' exact values
    again = from_json(chain.to_json())
    assert again.initial == chain.initial and again.weights == chain.weights
    per_step = {"kind": "markov", "length": 3, "initial": [1, 1], "transitions": [[[1, 0], [1, 1]], [[2, 1], [0, 1]]]}
    c2 = from_json(per_step)
    assert not c2.homogeneous and c2.step_probs(1)[0] == (Fraction(2, 3), Fraction(1, 3))
    assert from_json(c2.to_json()).weights == c2.weights


@pytest.mark.parametrize("obj,fragments", [
    ({"length": 3, "initial": [1, 1], "transition": [[0, 0], [1, 1]]}, ["transition row 0", "sums to zero", "self-loop"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, 1]]}, ["1 rows", "V=2", "2 x 2"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, 1], [1]]}, ["transition row 1", "1 entries", "exactly 2"]),
    ({"length": 3, "initial": [1, -1], "transition": [[1, 1], [1, 1]]}, ["initial[1] = -1", "negative"]),
    ({"length": 3, "initial": [1, float("nan")], "transition": [[1, 1], [1, 1]]}, ["initial[1]", "not finite"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, float("inf")], [1, 1]]}, ["not finite"]),
    ({"length": 3, "initial": [0, 0], "transition": [[1, 1], [1, 1]]}, ["initial", "zero"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, "a"], [1, 1]]}, ["'a'", "not a number"]),
    ({"length": 0, "initial": [1, 1], "transition": [[1, 1], [1, 1]]}, ["length=0", ">= 1"]),
    ({"length": 3, "initial": [1, 1]}, ["needs a 'transition'"]),
    ({"length": 4, "initial": [1, 1], "transitions": [[[1, 1], [1, 1]]]}, ["1 matrices", "L-1 = 3"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, 1], [1, 1]], "transitions": []}, ["not both"]),
    ({"initial": [1, 1], "transition": [[1, 1], [1, 1]]}, ["missing the key 'length'"]),
    ({"length": 3, "initial": [1, 1], "transition": [[1, 1], [1, 1]], "weights": [1]}, ["unknown keys", "weights"]),
])
def test_json_errors_name_value_and_fix(obj, fragments):
    with pytest.raises(DistributionError) as info:
        from_json({"kind": "markov", **obj})
    for fragment in fragments:
        assert fragment in str(info.value)


# -- families and the bigram chain -------------------------------------------------------------

def test_markov_family():
    chain = families.build("markov", 300, V=3, seed=5)
    assert isinstance(chain, MarkovChain) and chain.is_stationary and (chain.V, chain.L) == (3, 300)
    assert families.build("markov", 300, V=3, seed=5).weights == chain.weights
    assert families.build("markov", 8).V == 4


@pytest.mark.skipif(__import__("importlib").util.find_spec("wordfreq") is None, reason="wordfreq is not installed")
def test_bigram_chain():
    chain = families.build("markov", 200, lang="fr")
    assert (chain.V, chain.L) == (26, 200) and chain.homogeneous
    assert all(w > 0 for row in chain.weights[0] for w in row)  # add-one smoothing: no zero transition
    h = chain.profile().h_float
    assert np.all(np.isfinite(h)) and h[1] < math.log(26) and np.all(np.diff(h) > 0)
    short = bigram_chain("en", 3, fit_length=3)
    assert short.initial != bigram_chain("en", 3).initial
    with pytest.raises(DistributionError, match="V = 26"):
        families.build("markov", 10, V=4, lang="en")
