"""Distributions with integer weights, the JSON file format, the structured families, schedules,
and the named errors for every kind of bad input."""

from __future__ import annotations

import json
import math
from collections import Counter
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs_check.sources.distributions import (Distribution, copy_distribution, mixture,
                                        parity_distribution, product_distribution, random_distribution)
from proofs_check.sources.jsonio import from_json, load
from proofs_check.errors import DistributionError, DlmInputError, ScheduleError, TooLargeError
from proofs_check.model.schedules import (Schedule, all_ones, balanced, compositions, offset_family, one_step,
                                    randomized_offset)
from proofs_check.search.strategies import dense_distributions, distributions, schedules, sparse_distributions


def law(dist: Distribution) -> dict:
    """The pmf as {row: Fraction}."""
    return {tuple(r): Fraction(w, dist.total) for r, w in zip(dist.support.tolist(), dist.weights)}


# -- construction ---------------------------------------------------------------------------------------

def test_dense_weights_are_row_major_with_position_one_slowest():
    d = Distribution.dense(3, 2, range(1, 10))
    assert law(d)[(0, 1)] == Fraction(2, 45)
    assert law(d)[(1, 0)] == Fraction(4, 45)
    assert law(d)[(2, 2)] == Fraction(9, 45)
    assert Distribution.dense(2, 3, np.arange(8).reshape(2, 2, 2)).dense_array()[1, 0, 1] == 5


@given(st.integers(1, 3), st.integers(1, 4), st.data())
def test_dense_round_trip_and_pmf(V, L, data):
    raw = data.draw(st.lists(st.integers(0, 50), min_size=V**L, max_size=V**L).filter(any))
    d = Distribution.dense(V, L, raw)
    g = math.gcd(*raw)
    assert d.dense_array().reshape(-1).tolist() == [w // g for w in raw]
    assert sum(d.probabilities()) == 1
    for idx, w in enumerate(raw):
        row = tuple(np.unravel_index(idx, (V,) * L))
        assert law(d).get(tuple(int(x) for x in row), Fraction(0)) == Fraction(w, sum(raw))
    assert math.gcd(*d.weights) == 1 and all(w > 0 for w in d.weights)


def test_float_and_fraction_weights_are_converted_exactly():
    d = Distribution.dense(2, 1, [0.1, 0.3])
    exact = Fraction(0.1) / (Fraction(0.1) + Fraction(0.3))  # the dyadic rationals, not 1/4
    assert law(d)[(0,)] == exact and exact != Fraction(1, 4)
    e = Distribution(2, 1, [[0], [1]], [Fraction(1, 3), Fraction(2, 3)])
    assert law(e)[(0,)] == Fraction(1, 3)
    assert Distribution(2, 1, [[0], [1]], [np.int64(3), np.float64(1.5)]).weights == (2, 1)


def test_sparse_duplicates_merge_and_zeros_drop():
    d = Distribution(3, 2, [[0, 1], [2, 2], [0, 1], [1, 1]], [1, 2, 3, 0])
    assert law(d) == {(0, 1): Fraction(4, 6), (2, 2): Fraction(2, 6)}
    assert d.n_support == 2


@given(distributions(max_L=5, max_V=3), st.data())
def test_marginals_are_exact_integer_sums(dist, data):
    pos = sorted(data.draw(st.sets(st.integers(0, dist.L - 1))))
    rows, w = dist.marginal(pos)
    expected = Counter()
    for r, wt in zip(dist.support.tolist(), dist.weights):
        expected[tuple(r[p] for p in pos)] += wt
    got = {tuple(r): int(x) for r, x in zip(rows.tolist(), w.tolist())}
    if pos:
        assert got == dict(expected)
    else:
        assert [int(x) for x in w] == [dist.total]


@given(distributions(max_L=6, max_V=4))
def test_json_round_trip(tmp_path_factory, dist):
    path = tmp_path_factory.mktemp("json") / "d.json"
    path.write_text(json.dumps(dist.to_json()))
    back = load(path)
    assert (back.V, back.L) == (dist.V, dist.L)
    assert law(back) == law(dist)


def test_dense_and_sparse_files_describe_the_same_law(tmp_path):
    dense = tmp_path / "dense.json"
    sparse = tmp_path / "sparse.json"
    dense.write_text('{"kind": "dense", "vocab_size": 3, "length": 2, "weights": [3, 0, 0, 0, 0, 1, 0, 0, 0]}')
    sparse.write_text('{"kind": "sparse", "vocab_size": 3, "length": 2, "support": [[0, 0], [1, 2]], '
                      '"weights": [0.75, 0.25], "name": "hand"}')
    a, b = load(dense), load(sparse)
    assert law(a) == law(b) == {(0, 0): Fraction(3, 4), (1, 2): Fraction(1, 4)}
    assert b.name == "hand"


# -- structured families --------------------------------------------------------------------------------

@given(st.integers(1, 7), st.integers(1, 5))
def test_copy_distribution(L, V):
    d = copy_distribution(L, V)
    assert law(d) == {(v,) * L: Fraction(1, V) for v in range(V)}


@given(st.integers(1, 10))
def test_parity_distribution(L):
    d = parity_distribution(L)
    assert d.n_support == 2 ** (L - 1)
    assert all(sum(r) % 2 == 0 for r in d.support.tolist())
    assert len(set(d.weights)) == 1


@given(st.lists(st.lists(st.integers(0, 9), min_size=3, max_size=3).filter(any), min_size=1, max_size=4))
def test_product_distribution_is_a_product(margs):
    d = product_distribution(margs)
    tot = [sum(m) for m in margs]
    for x in product(range(3), repeat=len(margs)):
        p = math.prod(Fraction(m[v], t) for m, v, t in zip(margs, x, tot))
        assert law(d).get(x, Fraction(0)) == p


@given(dense_distributions(max_L=3), st.integers(1, 5), st.integers(1, 5))
def test_mixture_weights(d1, a, b):
    d2 = copy_distribution(d1.L, d1.V)
    m = mixture(d1, d2, a, b)
    p1, p2 = law(d1), law(d2)
    for x, q in law(m).items():
        assert q == (a * p1.get(x, 0) + b * p2.get(x, 0)) / (a + b)


def test_random_distribution_is_seeded_and_sparse():
    a, b = random_distribution(4, 3, seed=7, sparsity=0.5), random_distribution(4, 3, seed=7, sparsity=0.5)
    assert law(a) == law(b)
    assert law(a) != law(random_distribution(4, 3, seed=8, sparsity=0.5))
    assert a.n_support < 3**4 and random_distribution(4, 3, seed=7).n_support == 3**4


# -- schedules --------------------------------------------------------------------------------------------

@given(st.integers(1, 40), st.data())
def test_balanced_schedules(L, data):
    T = data.draw(st.integers(1, L))
    sch = balanced(L, T)
    assert sch.L == L and sch.T == T
    assert set(sch.sizes) <= {L // T, -(-L // T)}
    assert list(sch.sizes) == sorted(sch.sizes, reverse=True)


@given(st.integers(1, 30), st.data())
def test_randomized_offset_schedules(L, data):
    s = data.draw(st.integers(1, L))
    fam = offset_family(L, s)
    assert sum(p for p, _ in fam) == 1 and len(fam) == s
    for r, (_, sch) in enumerate(fam, 1):
        assert sch.L == L and sch.sizes[0] == r and all(x == s for x in sch.sizes[1:-1])
        assert sch.s_max <= s


@pytest.mark.parametrize("L", range(1, 9))
def test_compositions_are_all_distinct_schedules_of_L(L):
    comps = list(compositions(L))
    assert len(comps) == 2 ** (L - 1) == len(set(comps))
    assert all(c.L == L for c in comps)
    assert one_step(L) in comps and all_ones(L) in comps


@given(distributions(max_L=6).flatmap(lambda d: schedules(d.L)))
def test_schedule_bookkeeping(sch):
    assert sch.m[0] == 0
    assert all(e - m == s - 1 for m, e, s in zip(sch.m, sch.e, sch.sizes))
    assert sch.e[-1] == sch.L - 1
    half = sch.halved()
    assert half.L == sch.L and half.s_max == -(-sch.s_max // 2)
    for ref in sch.refinements():
        assert ref.L == sch.L and ref.T == sch.T + 1


def test_schedule_parse():
    assert Schedule.parse("3, 2,1", L=6).sizes == (3, 2, 1)
    assert str(Schedule((3, 2, 1))) == "3,2,1"


# -- bad input: named exceptions whose message names the offending value -------------------------------

@pytest.mark.parametrize("make,exc,needle", [
    (lambda: Distribution.dense(2, 2, [1, -1, 0, 0]), DistributionError, "-1"),
    (lambda: Distribution.dense(2, 2, [1, float("nan"), 0, 0]), DistributionError, "nan"),
    (lambda: Distribution.dense(2, 2, [1, float("inf"), 0, 0]), DistributionError, "inf"),
    (lambda: Distribution.dense(2, 2, [1, -float("inf"), 0, 0]), DistributionError, "inf"),
    (lambda: Distribution.dense(2, 2, [0, 0, 0, 0]), DistributionError, "zero"),
    (lambda: Distribution.dense(2, 2, [0.0, 0, Fraction(0), 0]), DistributionError, "zero"),
    (lambda: Distribution.dense(2, 2, [1, 2, 3]), DistributionError, "3 entries"),
    (lambda: Distribution.dense(3, 2, [1] * 10), DistributionError, "9"),
    (lambda: Distribution.dense(2, 2, [1, "x", 0, 0]), DistributionError, "'x'"),
    (lambda: Distribution.dense(2, 2, [1, True, 0, 0]), DistributionError, "True"),
    (lambda: Distribution(2, 2, [[0, 2]], [1]), DistributionError, "symbol 2"),
    (lambda: Distribution(3, 2, [[0, 1], [-1, 0]], [1, 1]), DistributionError, "symbol -1"),
    (lambda: Distribution(2, 3, [[0, 1]], [1]), DistributionError, "(1, 2)"),
    (lambda: Distribution(2, 2, [[0, 1], [1, 1]], [1]), DistributionError, "(2, 2)"),
    (lambda: Distribution(2, 2, [[0, 0.5]], [1]), DistributionError, "integer symbols"),
    (lambda: Distribution(0, 2, [[0, 0]], [1]), DistributionError, "vocab_size=0"),
    (lambda: Distribution(2, 0, [[]], [1]), DistributionError, "length=0"),
    (lambda: Distribution.dense(2, 30, [1]), TooLargeError, "2^30"),
    (lambda: random_distribution(25, 2), TooLargeError, "2^25"),
    (lambda: random_distribution(3, 2, sparsity=1.0), DistributionError, "sparsity=1.0"),
    (lambda: product_distribution([[1, 2], [1, 2, 3]]), DistributionError, "vocabulary"),
    (lambda: mixture(copy_distribution(2, 2), copy_distribution(3, 2)), DistributionError, "L=3"),
    (lambda: Schedule((2, 0, 1)), ScheduleError, "size 0"),
    (lambda: Schedule((2, -1)), ScheduleError, "size -1"),
    (lambda: Schedule(()), ScheduleError, "empty"),
    (lambda: Schedule((2, 1.5)), ScheduleError, "1.5"),
    (lambda: Schedule.parse("2,2", L=5), ScheduleError, "sums to 4"),
    (lambda: Schedule.parse("2,x"), ScheduleError, "2,x"),
    (lambda: Schedule((3, 2)).check_length(4), ScheduleError, "L=4"),
    (lambda: balanced(5, 6), ScheduleError, "T=6"),
    (lambda: balanced(5, 0), ScheduleError, "T=0"),
    (lambda: randomized_offset(5, 2, 3), ScheduleError, "r=3"),
    (lambda: randomized_offset(5, 6, 1), ScheduleError, "s=6"),
    (lambda: Schedule((3, 2)).split(0, 3), ScheduleError, "size 3"),
])
def test_bad_input_raises_a_named_error(make, exc, needle):
    with pytest.raises(exc) as info:
        make()
    assert isinstance(info.value, DlmInputError)
    assert needle in str(info.value)


@pytest.mark.parametrize("text,needle", [
    ('{"kind": "dense", "vocab_size": 2, "weights": [1, 0, 0, 1]}', "'length'"),
    ('{"kind": "sparse", "vocab_size": 2, "length": 2, "weights": [1]}', "'support'"),
    ('{"kind": "banana", "vocab_size": 2, "length": 2}', "'banana'"),
    ('{"vocab_size": 2, "length": 2}', "None"),
    ('{"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 0, 0, 1]', "not valid JSON"),
    ("[1, 2, 3]", "JSON object"),
    ('{"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 0, 0, -4]}', "-4"),
    ('{"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 0, 0, NaN]}', "nan"),
    ('{"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 0, 0, 1e400]}', "inf"),
    ('{"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 0, 0, null]}', "None"),
    ('{"kind": "dense", "vocab_size": "2", "length": 2, "weights": [1, 0, 0, 1]}', "'2'"),
    ('{"kind": "sparse", "vocab_size": 2, "length": 2, "support": [[0, 3]], "weights": [1]}', "symbol 3"),
])
def test_json_file_errors(tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(DistributionError) as info:
        load(path)
    assert needle in str(info.value)


def test_missing_file_is_a_named_error(tmp_path):
    with pytest.raises(DistributionError, match="nope.json"):
        load(tmp_path / "nope.json")


@pytest.mark.parametrize("obj", [
    {"kind": "sparse", "vocab_size": 2, "length": 2, "support": [[0, 1]], "weights": 5},
    {"kind": "sparse", "vocab_size": 2, "length": 2, "support": [[0, 1], [0]], "weights": [1, 1]},
    {"kind": "sparse", "vocab_size": 2, "length": 2, "support": [[0, "a"]], "weights": [1]},
], ids=["weights-not-a-list", "ragged-support", "string-symbol"])
def test_malformed_json_values_raise_distribution_error(obj):
    with pytest.raises(DistributionError):
        from_json(obj)
