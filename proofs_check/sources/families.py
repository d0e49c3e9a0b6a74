"""Named distribution families for the command line, the campaign and ``check``.

``build(name, L=..., V=..., seed=..., **extra)`` returns a :class:`Distribution` (or, for
``markov``, a :class:`~proofs_check.sources.markov.MarkovChain`, whose profile has a closed form at
any length); each family states which parameters it reads.  ``V=None`` means the family's
default vocabulary size.

=========  ==================================================================================
copy       ``X_1 = ... = X_L`` uniform on ``V`` symbols (default ``V = 2``)
parity     uniform bits with even parity (``V = 2``)
random     i.i.d. integer weights on ``V^L`` (``seed``, ``sparsity``)
product    independent positions with random integer marginals (``seed``)
words      words of exactly ``L`` letters of language ``lang`` with their wordfreq frequencies
           (``V = 26``; ``lang`` default ``en``; optional ``max_bucket``, ``scale_bits``)
markov     a random stationary chain on ``V`` symbols (default 4) from ``seed``; or, with
           ``lang``, the letter-bigram chain fitted to that language's words (``V = 26``)
=========  ==================================================================================
"""

from __future__ import annotations

from proofs_check.sources.distributions import (Distribution, copy_distribution, parity_distribution, product_distribution,
                            random_distribution)
from proofs_check.errors import DistributionError
from proofs_check.sources.distributions import check_dense_size, check_shape


def _copy(L, V, seed, **_):
    return copy_distribution(L, V or 2)


def _parity(L, V, seed, **_):
    if V not in (None, 2):
        raise DistributionError(f"the parity family has V = 2, got --V {V}; drop --V or use 2")
    return parity_distribution(L)


def _random(L, V, seed, sparsity=0.0, **_):
    return random_distribution(L, V or 2, seed=seed, sparsity=sparsity)


def _product(L, V, seed, **_):
    import numpy as np

    rng = np.random.default_rng(seed)
    return product_distribution(rng.integers(1, 10, size=(L, V or 2)).tolist())


def _words(L, V, seed, lang=None, **extra):
    from proofs_check.sources.words import words_distribution

    if V not in (None, 26):
        raise DistributionError(f"the words family has V = 26 (letters a..z), got --V {V}; drop --V")
    options = {k: extra[k] for k in ("max_bucket", "scale_bits") if extra.get(k) is not None}
    return words_distribution(lang or "en", L, **options)


def _markov(L, V, seed, lang=None, **extra):
    from proofs_check.sources.markov import bigram_chain, random_chain

    if lang is not None:
        if V not in (None, 26):
            raise DistributionError(f"the letter-bigram chain has V = 26 (letters a..z), got --V {V}; drop --V")
        return bigram_chain(lang, L)
    return random_chain(L, V or 4, seed=seed, stationary=extra.get("stationary", True))


#: Families built as an explicit (dense or sparse) distribution, bounded by the ``L`` and ``V`` limits.
ENUMERATED = ("copy", "parity", "random", "product")

FAMILIES = {
    "copy": _copy,
    "parity": _parity,
    "random": _random,
    "product": _product,
    "words": _words,
    "markov": _markov,
}


def build(name: str, L: int, V: int | None = None, seed: int = 0, **extra) -> Distribution:
    if name not in FAMILIES:
        raise DistributionError(f"unknown family {name!r}; choose one of {', '.join(FAMILIES)}")
    if L is None or L < 1:
        raise DistributionError(f"family {name} needs --L N with N >= 1 (got {L})")
    if V is not None and (isinstance(V, bool) or not isinstance(V, int) or V < 1):
        raise DistributionError(f"--V {V!r} must be an integer >= 1")
    if name in ENUMERATED:  # their builders allocate L x V (or 2^L) arrays: check the sizes first
        if name in ("parity", "random"):  # these enumerate all V^L states
            check_dense_size(V or 2, L)
        check_shape(V or 2, L)
    return FAMILIES[name](L=L, V=V, seed=seed, **extra)
