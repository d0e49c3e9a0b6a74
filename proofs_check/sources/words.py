"""The "words family": real-language distributions over fixed-length words.

For a language ``lang`` and a length ``L`` this module builds a finite
distribution over sequences of ``L`` tokens drawn from a 26-symbol vocabulary
(``a`` = 0, ``b`` = 1, ..., ``z`` = 25).  The support is the set of words of
exactly ``L`` letters in wordfreq's frequency list for ``lang``, and each word
gets probability proportional to its listed frequency.  These give test
distributions with realistic, strongly non-product structure for checking the
convergence bounds of masked diffusion samplers.

Data source
-----------
Frequencies come from the offline data shipped with the ``wordfreq`` package,
read via ``wordfreq.get_frequency_list(lang, wordlist="best")``.  That call
returns a list of *buckets*: bucket ``i`` holds the words whose frequency,
rounded to the nearest centibel, is ``10 ** (-i / 100)``.  We work with the
bucket indices directly.  ``wordfreq.word_frequency`` is deliberately not
used (it re-tokenises its input and rounds the value to three significant
digits), nor is ``wordfreq.top_n_list`` (a count cut-off can split a bucket,
so which words of equal frequency survive would depend on their alphabetical
order).  The list is truncated by frequency instead: ``max_bucket = M`` keeps
the buckets ``0..M``, i.e. words with frequency at least ``10 ** (-M / 100)``.
The default ``M = 750`` (frequency >= 10**-7.5, about one occurrence per 32
million tokens) gives 20,944 English words of length 8.  In wordfreq 3.1.1
the "best" list is the "large" one for all seven supported languages, and
those lists stop at bucket 799, so ``max_bucket=799`` means "everything"
(38,355 English words of length 8).  The tail of the lists has many proper
names and foreign words; that is real corpus data, and we leave it in.

The word counts depend on the data release, so the wordfreq version is pinned
(``WORDFREQ_VERSION``); data is only loaded after ``check_wordfreq_version``
confirms the installed version is the pinned one.

Licence: wordfreq's code is Apache-2.0, but its word lists are distributed
under CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/), so
derived word lists or tables that are redistributed need attribution and the
same licence.

Which words are kept
--------------------
A word is lowercased and kept only if the result consists entirely of the 26
ASCII letters ``a``-``z``.  Any other character (accented letters such as
``é`` or ``ü``, ``ß``, apostrophes as in ``don't``, digits, periods, emoji)
makes the word be *dropped*, never transliterated.  So German ``für`` and
French ``été`` are simply not in the support, and the result is wordfreq's
distribution conditioned on "ASCII word of length L", not a distribution over
all words of the language.  If two entries become the same word (the 3.1.1
lists are already lowercase and contain no duplicates, but this is not
assumed), their weights are added.

Integer weights and their error
-------------------------------
Bucket frequencies ``10 ** (-i / 100)`` are irrational unless ``i`` is a
multiple of 100, so we use integer weights that approximate them.  With
``S = scale_bits`` (default 32) and ``M = max_bucket``, a word in bucket
``i <= M`` gets the weight

    w(i) = the integer nearest to  x(i) = 2**S * 10 ** ((M - i) / 100).

``x(i)`` is proportional to the bucket frequency, with ``x(M) = 2**S``.  The
rounding is done with integer arithmetic only, so it is exact and the same on
every machine: ``floor(x)`` is the integer 100th root of the integer
``x**100 = 2**(100*S) * 10**(M - i)``, and it is rounded up exactly when
``(2*floor(x) + 1)**100 < 2**100 * x**100``.  Ties cannot occur, because
``x`` is either an integer (``M - i`` a multiple of 100) or irrational.

Error bound.  Since ``x(i) >= 2**S`` and ``|w(i) - x(i)| <= 1/2``, each weight
satisfies ``w(i) = x(i) * (1 + d_i)`` with ``|d_i| <= eps = 2**-(S + 1)``.
Therefore every ratio ``w(i) / w(j)``, and every normalised probability
``w / sum(weights)``, is within a relative error of
``2 * eps / (1 - eps) = 2**-S / (1 - 2**-(S + 1))`` of the value given by the
bucket frequencies; for ``S = 32`` that is below ``2.33e-10``.  This is far
smaller than the quantisation already present in the data (wordfreq rounds
every frequency to the nearest centibel, a relative error of up to
``10**0.005 - 1``, about 1.16%); the weights reproduce the bucket
frequencies, not the unrounded corpus estimates.

Caching
-------
The parsed ASCII word list of each language is cached (one pass over the
data, shared by all cut-offs), and each support is cached per
``(lang, L, max_bucket, scale_bits)``; public functions return fresh copies.

Weights are plain Python ints, all at least ``2**S``.  With the defaults the
largest weight is about ``2**32 * 10**6.31 < 2**53`` and the total is far
below ``2**63``, but callers should not rely on that for other parameters.
"""

from __future__ import annotations

import functools
import importlib.metadata
import numbers
import re
from typing import Any

import numpy as np

from proofs_check.errors import DistributionError
from proofs_check.sources.distributions import Distribution

__all__ = [
    "ALPHABET",
    "DEFAULT_MAX_BUCKET",
    "DEFAULT_SCALE_BITS",
    "MAX_WORD_LENGTH",
    "SUPPORTED_LANGUAGES",
    "WORDFREQ_VERSION",
    "WORDLIST",
    "WordfreqVersionError",
    "WordsError",
    "bucket_weight",
    "check_wordfreq_version",
    "letter_bigram_counts",
    "word_support",
    "words_distribution",
]

#: The pinned wordfreq release; its data determines every count in this module.
WORDFREQ_VERSION = "3.1.1"

#: Language codes accepted by this module (all have a "large" list in 3.1.1).
SUPPORTED_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")

#: The wordfreq wordlist that is read.
WORDLIST = "best"

#: The vocabulary: letter ``ALPHABET[k]`` is token ``k``.
ALPHABET = "abcdefghijklmnopqrstuvwxyz"

#: Largest supported word length ``L``.
MAX_WORD_LENGTH = 20

#: Default frequency cut-off: keep words with frequency >= 10**(-750/100).
DEFAULT_MAX_BUCKET = 750

#: Default number of binary digits of precision in the integer weights.
DEFAULT_SCALE_BITS = 32

_MAX_SCALE_BITS = 256
_ASCII_WORD = re.compile(r"[a-z]+")


class WordsError(DistributionError):
    """Invalid request to the words family (bad language, length, cut-off...).

    A :class:`~proofs_check.errors.DistributionError` (hence a ``ValueError``), so the
    command line reports it as bad input."""


class WordfreqVersionError(RuntimeError):
    """The installed wordfreq is missing or is not the pinned release."""


# ---------------------------------------------------------------------------
# wordfreq version pin
# ---------------------------------------------------------------------------


def _installed_wordfreq_version() -> str | None:
    """Version string of the installed wordfreq distribution, or None."""
    try:
        return importlib.metadata.version("wordfreq")
    except importlib.metadata.PackageNotFoundError:
        return None


def check_wordfreq_version() -> str:
    """Confirm that the installed wordfreq is the pinned release.

    Returns the installed version string.  Raises ``WordfreqVersionError``
    naming both versions when they differ, or when wordfreq is not installed.
    """
    installed = _installed_wordfreq_version()
    if installed is None:
        raise WordfreqVersionError(
            "wordfreq is not installed; the words family needs "
            f"wordfreq=={WORDFREQ_VERSION} (install it with "
            f"'pip install wordfreq=={WORDFREQ_VERSION}')"
        )
    if installed != WORDFREQ_VERSION:
        raise WordfreqVersionError(
            f"installed wordfreq version is {installed}, but the words family "
            f"is pinned to wordfreq {WORDFREQ_VERSION} (word counts and weights "
            f"depend on the data release); install it with "
            f"'pip install wordfreq=={WORDFREQ_VERSION}'"
        )
    return installed


# ---------------------------------------------------------------------------
# Exact integer weights
# ---------------------------------------------------------------------------


def _integer_root(n: int, e: int, guess: int | None = None) -> int:
    """floor(n ** (1/e)) for integers n >= 0, e >= 1 (Newton's method).

    ``guess`` is only a starting hint; it is used when it is provably at
    least the root, and the result does not depend on it.
    """
    if n < 2 or e == 1:
        return n
    x = 1 << -(-n.bit_length() // e)  # 2**ceil(bits/e) > root
    if guess is not None and guess > 0 and guess**e > n:
        x = min(x, guess)
    # Starting at or above the root, integer Newton steps decrease strictly
    # and never drop below floor(root); the first non-decrease ends it there.
    while True:
        y = ((e - 1) * x + n // x ** (e - 1)) // e
        if y >= x:
            break
        x = y
    if not (x**e <= n < (x + 1) ** e):  # pragma: no cover - internal check
        raise AssertionError("integer root computation failed")
    return x


@functools.lru_cache(maxsize=None)
def _scaled_power_of_ten(k: int, scale_bits: int) -> int:
    """The integer nearest to 2**scale_bits * 10**(k/100), for k >= 0."""
    q, r = divmod(k, 100)
    if r == 0:
        return (10**q) << scale_bits
    power = (10**k) << (100 * scale_bits)  # = x**100
    hint = int(2.0**scale_bits * 10.0 ** (k / 100) * (1 + 2.0**-30)) + 2
    m = _integer_root(power, 100, hint)  # floor(x)
    # x is irrational here, so x != m + 1/2; round up iff m + 1/2 < x.
    if (2 * m + 1) ** 100 < (power << 100):
        m += 1
    return m


def bucket_weight(
    bucket: int,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    scale_bits: int = DEFAULT_SCALE_BITS,
) -> int:
    """Integer weight of a word in wordfreq bucket ``bucket`` (see module doc).

    Equals the integer nearest to ``2**scale_bits * 10**((max_bucket -
    bucket) / 100)``, computed exactly; ``0 <= bucket <= max_bucket``.
    """
    bucket = _as_int("bucket", bucket)
    max_bucket = _as_int("max_bucket", max_bucket)
    scale_bits = _check_scale_bits(scale_bits)
    if not 0 <= bucket <= max_bucket:
        raise WordsError(
            f"bucket={bucket} must satisfy 0 <= bucket <= max_bucket={max_bucket}"
        )
    return _scaled_power_of_ten(max_bucket - bucket, scale_bits)


# ---------------------------------------------------------------------------
# Argument validation
# ---------------------------------------------------------------------------


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise WordsError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _check_lang(lang: Any) -> str:
    if not isinstance(lang, str) or lang not in SUPPORTED_LANGUAGES:
        hint = ""
        if isinstance(lang, str) and lang.strip().lower()[:2] in SUPPORTED_LANGUAGES:
            hint = f" (did you mean {lang.strip().lower()[:2]!r}?)"
        raise WordsError(
            f"unsupported language {lang!r}{hint}; use one of the codes "
            f"{', '.join(SUPPORTED_LANGUAGES)}"
        )
    return lang


def _check_length(L: Any) -> int:
    L = _as_int("L", L)
    if not 1 <= L <= MAX_WORD_LENGTH:
        raise WordsError(
            f"word length L={L} is out of range; use 1 <= L <= {MAX_WORD_LENGTH}"
        )
    return L


def _check_max_bucket(max_bucket: Any) -> int:
    max_bucket = _as_int("max_bucket", max_bucket)
    if max_bucket < 0:
        raise WordsError(
            f"max_bucket={max_bucket} is negative; it is a frequency cut-off in "
            f"centibels below 1 (the default is {DEFAULT_MAX_BUCKET})"
        )
    return max_bucket


def _check_scale_bits(scale_bits: Any) -> int:
    scale_bits = _as_int("scale_bits", scale_bits)
    if not 0 <= scale_bits <= _MAX_SCALE_BITS:
        raise WordsError(
            f"scale_bits={scale_bits} is out of range; use 0 <= scale_bits <= "
            f"{_MAX_SCALE_BITS} (the default is {DEFAULT_SCALE_BITS})"
        )
    return scale_bits


# ---------------------------------------------------------------------------
# Data loading (cached)
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _buckets(lang: str) -> tuple[tuple[str, ...], ...]:
    """wordfreq's bucket list for ``lang``, after the version check."""
    check_wordfreq_version()
    import wordfreq  # imported lazily: only this module needs it

    return tuple(tuple(b) for b in wordfreq.get_frequency_list(lang, wordlist=WORDLIST))


@functools.lru_cache(maxsize=None)
def _ascii_entries(lang: str) -> dict[int, tuple[tuple[int, str], ...]]:
    """Every ASCII word of the language's list, grouped by length.

    Maps each length 1..MAX_WORD_LENGTH that occurs to the ``(bucket,
    word)`` pairs of that length, in increasing bucket order.  This one pass
    over the whole list does not depend on the cut-off, so it is shared by
    all values of ``max_bucket``.
    """
    by_length: dict[int, list[tuple[int, str]]] = {}
    for i, bucket in enumerate(_buckets(lang)):
        for raw in bucket:
            word = raw.lower()
            if len(word) <= MAX_WORD_LENGTH and _ASCII_WORD.fullmatch(word):
                by_length.setdefault(len(word), []).append((i, word))
    return {n: tuple(items) for n, items in by_length.items()}


def _check_max_bucket_against_data(lang: str, max_bucket: int) -> None:
    last = len(_buckets(lang)) - 1
    if max_bucket > last:
        raise WordsError(
            f"max_bucket={max_bucket} is beyond the last bucket ({last}) of the "
            f"wordfreq {WORDLIST!r} list for {lang!r}; use max_bucket <= {last} "
            f"({last} already keeps every word)"
        )


@functools.lru_cache(maxsize=256)
def _support(
    lang: str, L: int, max_bucket: int, scale_bits: int
) -> tuple[tuple[str, ...], np.ndarray, tuple[int, ...]]:
    """Cached core of ``word_support`` (arguments already validated)."""
    _check_max_bucket_against_data(lang, max_bucket)
    entries = _ascii_entries(lang).get(L, ())
    merged: dict[str, int] = {}
    for i, word in entries:
        if i > max_bucket:
            break  # entries are in increasing bucket order
        merged[word] = merged.get(word, 0) + _scaled_power_of_ten(max_bucket - i, scale_bits)
    if not merged:
        raise WordsError(
            f"no {L}-letter ASCII words found for language {lang!r} with "
            f"max_bucket={max_bucket}; choose another L or a larger max_bucket "
            f"(the default is {DEFAULT_MAX_BUCKET})"
        )
    ordered = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    words = tuple(word for word, _ in ordered)
    weights = tuple(weight for _, weight in ordered)
    codes = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
    rows = (codes.astype(np.int64) - ord("a")).reshape(len(words), L)
    rows.setflags(write=False)
    return words, rows, weights


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def word_support(
    lang: str,
    L: int,
    *,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    scale_bits: int = DEFAULT_SCALE_BITS,
) -> tuple[list[str], np.ndarray, list[int]]:
    """Support and integer weights of the ``L``-letter word distribution.

    Parameters
    ----------
    lang:
        One of ``SUPPORTED_LANGUAGES``.
    L:
        Word length, ``1 <= L <= MAX_WORD_LENGTH``.
    max_bucket:
        Frequency cut-off: keep words whose wordfreq bucket is at most this,
        i.e. whose frequency is at least ``10 ** (-max_bucket / 100)``.
    scale_bits:
        Precision of the integer weights (see the module docstring).

    Returns
    -------
    ``(words, rows, weights)``: the ``n`` words (most frequent first, ties in
    alphabetical order), an ``int64`` array of shape ``(n, L)`` whose row
    ``r`` holds the letter indices (0..25) of ``words[r]``, and the ``n``
    integer weights (Python ints >= ``2**scale_bits``).  The probability of
    ``words[r]`` is ``weights[r] / sum(weights)``.  The lists and the array
    are fresh copies that the caller may modify.

    Raises ``WordsError`` for invalid arguments or when no word qualifies.
    """
    lang = _check_lang(lang)
    L = _check_length(L)
    max_bucket = _check_max_bucket(max_bucket)
    scale_bits = _check_scale_bits(scale_bits)
    words, rows, weights = _support(lang, L, max_bucket, scale_bits)
    return list(words), rows.copy(), list(weights)


@functools.lru_cache(maxsize=256)
def _bigram_counts(
    lang: str, L: int, max_bucket: int, scale_bits: int
) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    words, _, weights = _support(lang, L, max_bucket, scale_bits)
    initial = [0] * 26
    transitions = [[0] * 26 for _ in range(26)]
    a = ord("a")
    for word, weight in zip(words, weights):
        codes = [ord(ch) - a for ch in word]
        initial[codes[0]] += weight
        for x, y in zip(codes, codes[1:]):
            transitions[x][y] += weight
    return tuple(initial), tuple(tuple(row) for row in transitions)


def letter_bigram_counts(
    lang: str,
    L: int,
    *,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    scale_bits: int = DEFAULT_SCALE_BITS,
) -> tuple[list[int], list[list[int]]]:
    """Frequency-weighted first-letter and letter-bigram counts.

    Uses the same support and integer weights as ``word_support`` (same
    arguments).  Returns ``(initial_counts, transition_counts)``:
    ``initial_counts[a]`` is the total weight of words starting with letter
    ``a``, and ``transition_counts[a][b]`` is the sum over words of weight
    times the number of positions ``t`` with ``word[t] = a`` and
    ``word[t+1] = b``.  Entries are exact Python ints, ``sum(initial_counts)
    == sum(weights)`` and the transition entries add up to ``(L - 1) *
    sum(weights)`` (all zero for ``L = 1``).  No smoothing is applied:
    letters or bigrams that never occur have count 0, and the caller adds
    pseudo-counts if a Markov chain fitted to these counts needs them.
    """
    lang = _check_lang(lang)
    L = _check_length(L)
    max_bucket = _check_max_bucket(max_bucket)
    scale_bits = _check_scale_bits(scale_bits)
    initial, transitions = _bigram_counts(lang, L, max_bucket, scale_bits)
    return list(initial), [list(row) for row in transitions]


def words_distribution(
    lang: str,
    L: int,
    *,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    scale_bits: int = DEFAULT_SCALE_BITS,
):
    """The words family as a sparse exact :class:`~proofs_check.sources.distributions.Distribution`.

    Vocabulary ``a..z`` (``V = 26``), support the ``L``-letter ASCII words of ``lang``
    (see :func:`word_support`), integer weights from the frequency buckets; the
    probabilities ``w / sum(w)`` are exact rationals.
    """

    words, rows, weights = word_support(lang, L, max_bucket=max_bucket, scale_bits=scale_bits)
    tag = "" if (max_bucket, scale_bits) == (DEFAULT_MAX_BUCKET, DEFAULT_SCALE_BITS) else \
        f",max_bucket={max_bucket},scale_bits={scale_bits}"
    return Distribution(len(ALPHABET), L, rows, weights, name=f"words({lang},L={L}{tag})")
