"""The family table (one entry per named family) and the Source protocol every kind implements."""

from __future__ import annotations

import itertools
import json
import math

import pytest

from proofs_check.cli.main import main
from proofs_check.errors import DistributionError
from proofs_check.search import witnesses as W
from proofs_check.search.campaign import sweep_pairs
from proofs_check.sources import families
from proofs_check.sources.base import Source
from proofs_check.sources.distributions import Distribution, copy_distribution, parity_distribution
from proofs_check.sources.jsonio import from_json
from proofs_check.sources.markov import random_chain

SMALL = {"words": dict(lang="en"), "markov": {}, "bigram": {}}


@pytest.mark.parametrize("name", families.cli_names())
def test_every_cli_family_builds_a_source(name):
    L = 3
    src = families.build(name, L, **SMALL.get(name, {}))
    assert isinstance(src, Source) and src.L == L and src.name
    prof = src.profile()
    assert len(prof.h_float) == L + 1 and prof.h_float[0] == 0
    law = src.law()
    assert law is None or (isinstance(law, Distribution) and law.L == L)


def test_unknown_family_lists_the_cli_ones():
    with pytest.raises(DistributionError, match="'mds'; choose one of bigram, copy, markov"):
        families.build("mds", 4)
    with pytest.raises(DistributionError, match="choose one of"):
        families.build("reed-solomon", 4)  # a sweep/library family, not offered on the command line


def test_reed_solomon_members_load_one_direction():
    """A dimension-k code has H(X_A) = min(|A|, k) log p: h(m) = min(m, k) log p exactly."""
    codes = families.FAMILIES["reed-solomon"].members(6, "sweep")
    assert [d.name for d in codes] == [f"reed-solomon(L=6,k={k},p=7)" for k in (2, 3, 4)]  # 7^k <= 4096
    for d, k in zip(codes, (2, 3, 4)):
        h = d.profile().h_float
        assert h == pytest.approx([min(m, k) * math.log(7) for m in range(7)], abs=1e-12)


def test_sum_zero_and_uniform_families():
    assert families.build("sum-zero", 4, V=3).n_support == 27
    assert families.build("sum-zero", 4).n_support == parity_distribution(4).n_support
    h = families.build("uniform", 3, V=3).profile().h_float
    assert h == pytest.approx([m * math.log(3) for m in range(4)], abs=1e-12)


def test_tags_are_checked_and_lists_read_the_table():
    with pytest.raises(ValueError, match="unknown tags"):
        families.Family("x", "doc", tags=frozenset({"sweeep"}))
    with pytest.raises(ValueError, match="no constructor"):
        families.Family("x", "doc", tags=frozenset({"cli"}))
    names = [d.name for d in families.members("library", 4)]
    assert names[:3] == ["copy(L=4,V=2)", "copy(L=4,V=3)", "parity(L=4)"] and len(names) == 11
    assert names[-1] == "noisy-copy(L=4,eta=1/10)"
    assert [d.name for d in W._library(4)] == names


def test_adding_a_family_is_one_entry(monkeypatch, capsys):
    """A throwaway family, registered once, is offered by inspect --family and swept by check and
    the campaign (nothing else is edited)."""
    def constant(L, V=None, seed=0, **_):
        return copy_distribution(L, 1)

    fam = families.Family("throwaway", "a deterministic sequence", constant, ("L",),
                          frozenset({"cli", "sweep"}), lambda L, tag: [constant(L)])
    monkeypatch.setitem(families.FAMILIES, fam.name, fam)
    assert main(["inspect", "--family", "throwaway", "--L", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["L"] == 3 and out["MI"] == 0
    assert "copy(L=3,V=1)" in [d.name for d in W._sweep_distributions(3)]
    # the campaign's sweep shards draw their instances from these (distribution, schedule) pairs
    assert "copy(L=2,V=1)" in {d.name for d, _ in sweep_pairs(2)}
    with pytest.raises(ValueError, match="already in the table"):
        families.register(fam)
    monkeypatch.delitem(families.FAMILIES, fam.name)
    # argparse rejects the choice; the top-level guard of cli/main.py turns it into exit code 2
    assert main(["inspect", "--family", "throwaway", "--L", "3"]) == 2
    assert "invalid choice: 'throwaway'" in capsys.readouterr().err


def test_source_protocol_and_json_round_trip():
    short, long_ = random_chain(4, V=2, seed=1), random_chain(40, V=4, seed=1)
    dist = copy_distribution(3, 2)
    for src in (dist, short, long_):
        assert isinstance(src, Source)
        back = from_json(json.loads(json.dumps(src.to_json())))
        assert type(back) is type(src) and back.to_json() == src.to_json()
    assert dist.law() is dist and dist.enumerable
    assert short.enumerable and short.law().n_support == short.n_support
    assert not long_.enumerable and long_.law() is None


def _noisy_copy_by_enumeration(L, eta):
    """P(x) from its definition: sum over the hidden bit U and the noise W with x = U xor W."""
    from fractions import Fraction
    eta = Fraction(eta)
    law = {}
    for u in (0, 1):
        for w in itertools.product((0, 1), repeat=L):
            x = tuple(u ^ b for b in w)
            pw = math.prod(eta if b else 1 - eta for b in w)
            law[x] = law.get(x, 0) + Fraction(1, 2) * pw
    return {x: q for x, q in law.items() if q}


@pytest.mark.parametrize("L, eta", [(1, "1/3"), (3, "1/10"), (4, "2/7"), (5, "1/2"), (4, "0")])
def test_noisy_copy_is_a_bit_seen_through_independent_binary_symmetric_channels(L, eta):
    from fractions import Fraction
    src = families.build("noisy-copy", L, eta=eta)
    d = src.law()
    got = {tuple(r): Fraction(w, d.total) for r, w in zip(d.support.tolist(), d.weights)}
    assert got == _noisy_copy_by_enumeration(L, eta)
    assert d.name == src.name == f"noisy-copy(L={L},eta={Fraction(eta)})"


def test_noisy_copy_interpolates_between_copy_and_independent_bits():
    h0 = families.build("noisy-copy", 4, eta="0").profile().h_exact
    assert [float(x) for x in h0] == pytest.approx(copy_distribution(4, 2).profile().h_float, abs=1e-15)
    assert all((x - y).is_zero() for x, y in zip(h0, copy_distribution(4, 2).profile().h_exact))
    half = families.build("noisy-copy", 4, eta="1/2").profile().h_exact
    assert [float(x) for x in half] == pytest.approx([m * math.log(2) for m in range(5)], abs=1e-12)
    noisy = families.build("noisy-copy", 4).profile().h_float  # default eta = 1/10: strictly between
    assert noisy[1] == pytest.approx(math.log(2), abs=1e-12)  # every X_i is a uniform bit
    assert all(noisy[m - 1] < noisy[m] < m * math.log(2) for m in range(2, 5))
    assert noisy[4] < 4 * math.log(2) - 0.1 and noisy[2] > math.log(2) + 0.1


@pytest.mark.parametrize("bad, match", [("x", "not a rational"), ("3/2", "must lie in"), ("-1/4", "must lie in")])
def test_noisy_copy_rejects_bad_noise(bad, match):
    with pytest.raises(DistributionError, match=match):
        families.build("noisy-copy", 3, eta=bad)
    with pytest.raises(DistributionError, match="V = 2"):
        families.build("noisy-copy", 3, V=3)


def test_noisy_copy_closed_form_profile_is_the_enumerated_one():
    """h(m) = log D - sum_k C(m,k) (n_k/D) log n_k equals the profile of the enumerated law."""
    from proofs_check.sources.distributions import NoisyCopy, noisy_copy_distribution
    for L in (1, 2, 5):
        for eta in ("0", "1/10", "1/3", "1/2"):
            a, b = NoisyCopy(L, eta).profile(), noisy_copy_distribution(L, eta).profile()
            assert all((x - y).is_zero() for x, y in zip(a.h_exact, b.h_exact)), (L, eta)
            assert max(abs(a.h_float - b.h_float)) < 1e-12
    wrong = NoisyCopy(5, "1/10").profile().h_exact[5] - noisy_copy_distribution(5, "1/9").profile().h_exact[5]
    assert not wrong.is_zero()


def test_long_noisy_copy_has_a_closed_form_profile_and_no_law():
    from proofs_check.sources.jsonio import from_json
    src = families.build("noisy-copy", 32, eta="1/10")
    assert not src.enumerable and src.law() is None and src.profile().L == 32
    assert from_json(src.to_json()).name == src.name
    with pytest.raises(DistributionError, match="1 <= L <= 1024"):
        families.build("noisy-copy", 2000)


def test_noisy_copy_on_the_command_line(capsys):
    assert main(["inspect", "--family", "noisy-copy", "--L", "3", "--eta", "1/4", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["L"] == 3 and out["MI"] > 0
    assert main(["inspect", "--family", "noisy-copy", "--L", "3", "--eta", "5/4"]) == 2
