"""Tests for proofs_check.sources.words (word distributions from wordfreq data)."""

from __future__ import annotations

import importlib.util
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from proofs_check.sources import words as W
from theory import registry

needs_wordfreq = pytest.mark.skipif(
    importlib.util.find_spec("wordfreq") is None,
    reason="wordfreq is not installed",
)

SAMPLE_CASES = [("en", 3), ("en", 8), ("de", 5), ("fr", 6), ("pt", 4), ("nl", 1), ("it", 2)]


def _decode(row) -> str:
    return "".join(W.ALPHABET[int(k)] for k in row)


# ---------------------------------------------------------------------------
# Version pin
# ---------------------------------------------------------------------------


@needs_wordfreq
def test_installed_version_is_pinned():
    assert W.check_wordfreq_version() == W.WORDFREQ_VERSION == "3.1.1"


def test_version_mismatch_raises(monkeypatch):
    monkeypatch.setattr(W, "_installed_wordfreq_version", lambda: "3.0.2")
    with pytest.raises(W.WordfreqVersionError) as info:
        W.check_wordfreq_version()
    message = str(info.value)
    assert "3.0.2" in message and W.WORDFREQ_VERSION in message
    assert f"wordfreq=={W.WORDFREQ_VERSION}" in message
    # The uncached loader refuses to read data from a mismatched release.
    with pytest.raises(W.WordfreqVersionError):
        W._buckets.__wrapped__("en")


def test_version_missing_raises(monkeypatch):
    monkeypatch.setattr(W, "_installed_wordfreq_version", lambda: None)
    with pytest.raises(W.WordfreqVersionError, match="not installed"):
        W.check_wordfreq_version()


# ---------------------------------------------------------------------------
# Exact integer weights
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("scale_bits", [0, 1, 7, 32, 64])
def test_bucket_weight_is_nearest_integer(scale_bits):
    max_bucket = 799
    for bucket in list(range(0, 800, 13)) + [0, 99, 699, 700, 701, 798, 799]:
        k = max_bucket - bucket
        w = W.bucket_weight(bucket, max_bucket, scale_bits)
        assert type(w) is int and w >= 2**scale_bits
        # |w - x| <= 1/2 with x**100 = 2**(100 S) 10**k, checked exactly:
        # (2w - 1)**100 <= (2x)**100 <= (2w + 1)**100.
        twice_x_pow = (10**k) << (100 * (scale_bits + 1))
        assert (2 * w - 1) ** 100 <= twice_x_pow <= (2 * w + 1) ** 100
        # Independent cross-check with high-precision decimal arithmetic.
        with localcontext() as ctx:
            ctx.prec = 120
            x = Decimal(2**scale_bits) * Decimal(10) ** (Decimal(k) / 100)
            assert abs(Decimal(w) - x) <= Decimal("0.5")


def test_bucket_weight_special_values():
    assert W.bucket_weight(750, 750, 32) == 2**32
    assert W.bucket_weight(550, 750, 32) == 100 * 2**32
    assert W.bucket_weight(0, 300, 0) == 1000
    assert W.bucket_weight(749, 750, 0) == 1  # 10**0.01 = 1.023...
    with pytest.raises(W.WordsError, match="bucket=751"):
        W.bucket_weight(751, 750)


def test_weight_ratio_error_bound():
    scale_bits = 32
    eps = Fraction(1, 2 ** (scale_bits + 1))
    bound = 2 * eps / (1 - eps)
    assert float(bound) < 2.33e-10
    with localcontext() as ctx:
        ctx.prec = 60
        for i, j in [(127, 750), (300, 301), (128, 749), (500, 600)]:
            ratio = Fraction(W.bucket_weight(i, 750, scale_bits), W.bucket_weight(j, 750, scale_bits))
            exact = Decimal(10) ** (Decimal(j - i) / 100)
            rel = abs(Decimal(ratio.numerator) / Decimal(ratio.denominator) / exact - 1)
            assert rel <= Decimal(bound.numerator) / Decimal(bound.denominator)


# ---------------------------------------------------------------------------
# word_support
# ---------------------------------------------------------------------------


@needs_wordfreq
@pytest.mark.parametrize("lang,L", SAMPLE_CASES)
def test_support_structure(lang, L):
    words, rows, weights = W.word_support(lang, L)
    n = len(words)
    assert n > 0 and len(weights) == n
    assert len(set(words)) == n
    assert all(type(w) is int and w >= 2**W.DEFAULT_SCALE_BITS for w in weights)
    assert isinstance(rows, np.ndarray) and rows.dtype == np.int64
    assert rows.shape == (n, L)
    assert rows.min() >= 0 and rows.max() <= 25
    assert all(re.fullmatch(r"[a-z]+", w) and len(w) == L for w in words)
    assert [_decode(row) for row in rows] == words
    # Most frequent first, ties alphabetical.
    keys = [(-w, s) for w, s in zip(weights, words)]
    assert keys == sorted(keys)
    total = sum(weights)
    assert sum(Fraction(w, total) for w in weights) == 1


@needs_wordfreq
@pytest.mark.parametrize("lang", W.SUPPORTED_LANGUAGES)
def test_all_languages_and_lengths_nonempty(lang):
    for L in range(3, 9):
        words, rows, weights = W.word_support(lang, L)
        assert len(words) > 100, (lang, L)
        assert rows.shape == (len(words), L)


@needs_wordfreq
def test_default_cutoff_size_en_8():
    # Pinned data (wordfreq 3.1.1): documented in the module docstring.
    assert len(W.word_support("en", 8)[0]) == 20944
    assert len(W.word_support("en", 8, max_bucket=799)[0]) == 38355


@needs_wordfreq
def test_support_matches_raw_buckets():
    import wordfreq

    max_bucket, L = 720, 5
    buckets = wordfreq.get_frequency_list("en", wordlist="best")
    expected = {}
    for i, bucket in enumerate(buckets[: max_bucket + 1]):
        for word in bucket:
            word = word.lower()
            if len(word) == L and re.fullmatch(r"[a-z]+", word):
                expected[word] = expected.get(word, 0) + W.bucket_weight(i, max_bucket)
    words, _, weights = W.word_support("en", L, max_bucket=max_bucket)
    assert dict(zip(words, weights)) == expected
    # Words with letters outside a..z are dropped, not transliterated.
    assert "which" in expected
    assert not any(w in expected for w in ("don't", "über"))


@needs_wordfreq
def test_non_ascii_words_are_dropped():
    de3 = W.word_support("de", 3)[0]
    fr3 = W.word_support("fr", 3)[0]
    assert "für" not in de3 and "und" in de3
    assert "été" not in fr3 and "les" in fr3
    assert all(ch in W.ALPHABET for w in de3 + fr3 for ch in w)


@needs_wordfreq
def test_cutoff_is_monotone():
    small = set(W.word_support("es", 6, max_bucket=650)[0])
    large = set(W.word_support("es", 6, max_bucket=750)[0])
    assert small < large


@needs_wordfreq
def test_results_are_independent_copies():
    words, rows, weights = W.word_support("en", 4)
    words.append("QQQQ")
    weights[0] = -1
    rows[0, 0] = 99
    again = W.word_support("en", 4)
    assert "QQQQ" not in again[0]
    assert again[2][0] > 0 and again[1][0, 0] != 99


@needs_wordfreq
def test_repeated_calls_are_cached():
    W.word_support("it", 7)
    hits = W._support.cache_info().hits
    W.word_support("it", 7)
    assert W._support.cache_info().hits == hits + 1


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,kwargs,fragments",
    [
        (("xx", 5), {}, ["'xx'", "en, de, fr, es, it, nl, pt"]),
        (("EN", 5), {}, ["'EN'", "did you mean 'en'"]),
        ((None, 5), {}, ["None", "en, de"]),
        (("en", 0), {}, ["L=0", "1 <= L <= 20"]),
        (("en", 21), {}, ["L=21", "1 <= L <= 20"]),
        (("en", 2.5), {}, ["L must be an integer", "2.5"]),
        (("en", True), {}, ["L must be an integer"]),
        (("en", 5), {"max_bucket": -1}, ["max_bucket=-1", "750"]),
        (("en", 5), {"scale_bits": -3}, ["scale_bits=-3"]),
    ],
)
def test_bad_arguments(args, kwargs, fragments):
    for func in (W.word_support, W.letter_bigram_counts):
        with pytest.raises(W.WordsError) as info:
            func(*args, **kwargs)
        assert isinstance(info.value, ValueError)
        for fragment in fragments:
            assert fragment in str(info.value)


@needs_wordfreq
def test_max_bucket_beyond_data():
    with pytest.raises(W.WordsError, match=r"max_bucket=5000 .*max_bucket <= 799"):
        W.word_support("en", 5, max_bucket=5000)


@needs_wordfreq
def test_no_words_found():
    # The most frequent English word ("the") is in bucket 127.
    with pytest.raises(W.WordsError) as info:
        W.word_support("en", 8, max_bucket=130)
    message = str(info.value)
    assert "no 8-letter" in message and "'en'" in message and "larger max_bucket" in message


# ---------------------------------------------------------------------------
# letter_bigram_counts
# ---------------------------------------------------------------------------


@needs_wordfreq
@pytest.mark.parametrize("lang,L", [("en", 4), ("nl", 6)])
def test_bigram_counts_match_brute_force(lang, L):
    words, rows, weights = W.word_support(lang, L)
    initial, transitions = W.letter_bigram_counts(lang, L)
    assert len(initial) == 26 and len(transitions) == 26
    assert all(len(row) == 26 for row in transitions)
    assert all(type(c) is int for c in initial)
    assert all(type(c) is int for row in transitions for c in row)
    expected_initial = [0] * 26
    expected_trans = [[0] * 26 for _ in range(26)]
    for row, w in zip(rows.tolist(), weights):
        expected_initial[row[0]] += w
        for t in range(L - 1):
            expected_trans[row[t]][row[t + 1]] += w
    assert initial == expected_initial
    assert transitions == expected_trans
    assert sum(initial) == sum(weights)
    assert sum(map(sum, transitions)) == (L - 1) * sum(weights)
    # No smoothing: some bigrams are absent.
    assert any(c == 0 for row in transitions for c in row)


@needs_wordfreq
def test_bigram_counts_length_one():
    words, _, weights = W.word_support("en", 1)
    initial, transitions = W.letter_bigram_counts("en", 1)
    assert initial == [dict(zip(words, weights)).get(ch, 0) for ch in W.ALPHABET]
    assert all(c == 0 for row in transitions for c in row)


# ---------------------------------------------------------------------------
# The words family as a Distribution: exactness and the registry statements
# ---------------------------------------------------------------------------


@needs_wordfreq
def test_words_family_probabilities_sum_to_one_exactly():
    from proofs_check.sources import families

    dist = families.build("words", 4, lang="nl")
    words, _, weights = W.word_support("nl", 4)
    assert (dist.V, dist.L, dist.n_support) == (26, 4, len(words))
    assert sum(dist.probabilities()) == 1
    assert isinstance(W.WordsError("x"), ValueError)
    from proofs_check.errors import DistributionError

    with pytest.raises(DistributionError, match="V = 26"):
        families.build("words", 4, V=2)


@needs_wordfreq
def test_words_mi_equals_tc_plus_dtc_certified():
    from proofs_check.model.instance import Instance, check_statement
    from proofs_check.model.schedules import Schedule
    from theory import registry

    inst = Instance(W.words_distribution("es", 3), Schedule((3,)), bruteforce=False)
    results = check_statement(registry.get("F3"), inst)
    mi = [r for r in results if r.label == "MI = TC + DTC"]
    assert len(mi) == 1 and mi[0].verdict.status == "equal" and mi[0].verdict.method == "exact"
    assert all(r.verdict.ok for r in results)


@needs_wordfreq
@pytest.mark.parametrize("schedule", [(1, 2), (3,)])
def test_every_statement_holds_on_english_three_letter_words(schedule):
    # Brute-force sampler KL included (F1, F2's sampler clause): 3! ordered partitions at most.
    from proofs_check.model.instance import Instance, check_all
    from proofs_check.model.schedules import Schedule

    inst = Instance(W.words_distribution("en", 3), Schedule(schedule), bruteforce=True)
    results = check_all(inst)
    binding = {st.id for st in registry.STATEMENTS if st.binding}
    failed = [(r.statement, r.label, str(r.verdict)) for r in results if not r.verdict.ok]
    assert results and not [f for f in failed if f[0] in binding]
    assert {f[0] for f in failed} <= {"W3"}  # the recorded refutation also fails on English words
    assert {"F1", "F3", "P1", "S1", "S3"} <= {r.statement for r in results}
