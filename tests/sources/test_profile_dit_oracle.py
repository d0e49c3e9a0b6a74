"""dit as an independent oracle: subset entropies, total correlation and dual total correlation.

dit reports information in bits; the suite works in nats, so every dit value is multiplied
by ln 2 before comparing.  Distributions are kept small (L <= 5): building a dit
Distribution is the slow part.
"""

from __future__ import annotations

import math

import dit
import pytest
from hypothesis import given

from proofs_check.sources.distributions import Distribution, copy_distribution, parity_distribution
from proofs_check.model.instance import Instance
from proofs_check.sources.profile import subset_entropies
from proofs_check.model.schedules import Schedule
from proofs_check.search.strategies import distributions
from theory.linear import Case
from theory.symbols import DTC, MI, TC, H

LN2 = math.log(2)
TOL = dict(rel=1e-9, abs=1e-11)


def to_dit(dist: Distribution) -> dit.Distribution:
    outcomes = [tuple(r) for r in dist.support.tolist()]
    pmf = [w / dist.total for w in dist.weights]
    d = dit.Distribution(outcomes, pmf)
    assert d.get_base() == "linear"  # probabilities, so entropies come out in bits
    return d


def ours(dist: Distribution) -> dict:
    inst = Instance(dist, Schedule((dist.L,)), bruteforce=False)
    return {name: float(inst.value(sym, Case(dist.L))) for name, sym in
            (("H", H), ("TC", TC), ("DTC", DTC), ("MI", MI))}


@given(distributions(max_L=5, max_V=3))
def test_subset_entropies_agree_with_dit(dist):
    d = to_dit(dist)
    for A, value in subset_entropies(dist).items():
        if not A:  # H of no variables: 0 up to the rounding of log W - (W log W) / W
            assert value == pytest.approx(0, abs=1e-12)
            continue
        assert value == pytest.approx(dit.shannon.entropy(d, list(A)) * LN2, **TOL), A


@given(distributions(max_L=5, max_V=3))
def test_total_and_dual_total_correlation_agree_with_dit(dist):
    d = to_dit(dist)
    q = ours(dist)
    assert q["H"] == pytest.approx(dit.shannon.entropy(d) * LN2, **TOL)
    assert q["TC"] == pytest.approx(dit.multivariate.total_correlation(d) * LN2, **TOL)
    assert q["DTC"] == pytest.approx(dit.multivariate.dual_total_correlation(d) * LN2, **TOL)
    # MI = sum_i I(X_i; X_-i), through dit's mutual information of each position with the rest
    if dist.L >= 2:
        mi = sum(dit.shannon.mutual_information(d, [i], [j for j in range(dist.L) if j != i])
                 for i in range(dist.L))
        assert q["MI"] == pytest.approx(mi * LN2, **TOL)


@pytest.mark.parametrize("dist", [copy_distribution(4, 3), parity_distribution(5)], ids=["copy", "parity"])
def test_the_oracle_comparison_can_fail(dist):
    """A units slip (bits read as nats) would be caught: the values differ by the factor ln 2."""
    d = to_dit(dist)
    q = ours(dist)
    assert q["TC"] > 0
    assert q["TC"] != pytest.approx(dit.multivariate.total_correlation(d), **TOL)
    assert q["TC"] == pytest.approx(dit.multivariate.total_correlation(d) * LN2, **TOL)
