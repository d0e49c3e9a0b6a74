"""The family table: every named source the suite builds, in one place.

Each :class:`Family` has a constructor ``build(L, V=None, seed=0, **extra)`` (for the command
line), the parameters it reads, its concrete members at a length ``L`` (``members(L)``: the
sources the sweeps and the witness library use), an optional Hypothesis draw, and tags:

``cli``      offered by ``--family`` (``inspect``, ``run``, ...);
``sweep``    the campaign's structured instances and ``check``'s sweep (every schedule, small ``L``);
``library``  the witnesses ``check`` tries on a refuted case after the cone's own directions;
``report``   the example distributions of the report's figures (at ``L = 10``);
``strategy`` drawn by the structured Hypothesis strategy (``draw``).

=============  ================================================================================
copy           ``X_1 = ... = X_L`` uniform on ``V`` symbols (default ``V = 2``): ``g`` at ``u = 0``
parity         uniform bits with even parity (``V = 2``): ``g`` at ``u = L - 2``
reed-solomon   a uniform codeword of a Reed-Solomon code of dimension ``k`` over GF(p), ``p`` the
               smallest prime ``>= L``: ``H(X_A) = min(|A|, k) log p`` (an MDS code, ``g`` at ``k-1``)
sum-zero       uniform sequences over ``V`` symbols summing to 0 mod ``V`` (parity for ``V = 2``)
uniform        independent uniform symbols (the direction ``delta(L-1)`` alone)
product        independent positions with random integer marginals (``seed``)
mixture        ``a : b`` mixture of copy and parity
random         i.i.d. integer weights on ``V^L`` (``seed``, ``sparsity``)
words          words of exactly ``L`` letters of language ``lang`` with their wordfreq frequencies
               (``V = 26``; ``lang`` default ``en``; optional ``max_bucket``, ``scale_bits``)
markov         a random stationary chain on ``V`` symbols (default 4) from ``seed``; or, with
               ``lang``, the letter-bigram chain fitted to that language's words (``V = 26``)
bigram         the letter-bigram chain of ``lang`` (default ``en``; ``V = 26``)
noisy-copy     a hidden uniform bit seen through ``L`` independent binary symmetric channels of
               crossover ``eta`` (rational, default ``1/10``): copy at ``eta = 0``, uniform at ``1/2``
=============  ================================================================================

Adding a family is one :func:`register` call (or one entry of ``FAMILIES`` below).
The cone directions these realise are those of the symmetric Shannon cone used in the proofs
of Li & Cai, arXiv 2505.21400 (Theorem 1): ``h(m) = m delta(L-1) + sum_u min(m, u+1) g(u)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from proofs_check.errors import DistributionError
from proofs_check.sources.base import Source
from proofs_check.sources.distributions import (check_dense_size, check_shape, copy_distribution, mds_distribution,
                                                mixture, NoisyCopy, noisy_copy_distribution, parity_distribution,
                                                product_distribution, random_distribution, smallest_prime_at_least,
                                                sum_zero_distribution)
from proofs_check.sources.markov import bigram_chain, random_chain
from proofs_check.sources.words import words_distribution

TAGS = ("cli", "sweep", "library", "report", "strategy")
#: Largest support of a member built for the sweep or the library (witnesses stay cheap to check).
MEMBER_MAX_SUPPORT = 4096
#: Reed-Solomon members are built up to this length (all 2^L marginals of the profile).
CODE_MAX_L = 12


@dataclass(frozen=True)
class Family:
    """One named family: constructor, parameters, tags, members at ``L`` and an optional draw."""

    name: str
    doc: str
    build: Callable[..., Source] | None = None  # build(L=, V=, seed=, **extra); None: not for the CLI
    params: tuple[str, ...] = ("L",)
    tags: frozenset = frozenset()
    members: Callable[[int, str], list] = lambda L, tag: []  # members(L, tag): the sources a tag uses at L
    draw: Callable | None = None  # draw(draw, L, max_V) -> Source, for the structured strategy

    def __post_init__(self):
        unknown = set(self.tags) - set(TAGS)
        if unknown:
            raise ValueError(f"family {self.name}: unknown tags {sorted(unknown)}; known: {TAGS}")
        if "cli" in self.tags and self.build is None:
            raise ValueError(f"family {self.name} is tagged cli but has no constructor")


# -- constructors for the command line (validated; each reads the parameters it names) ---------

def _copy(L, V, seed, **_):
    return copy_distribution(L, V or 2)


def _parity(L, V, seed, **_):
    if V not in (None, 2):
        raise DistributionError(f"the parity family has V = 2, got --V {V}; drop --V or use 2")
    return parity_distribution(L)


def _sum_zero(L, V, seed, **_):
    return sum_zero_distribution(L, V or 2)


def _uniform(L, V, seed, **_):
    return product_distribution([[1] * (V or 2)] * L)


def _random(L, V, seed, sparsity=0.0, **_):
    return random_distribution(L, V or 2, seed=seed, sparsity=sparsity)


def _product(L, V, seed, **_):
    rng = np.random.default_rng(seed)
    return product_distribution(rng.integers(1, 10, size=(L, V or 2)).tolist())


def _words(L, V, seed, lang=None, **extra):
    if V not in (None, 26):
        raise DistributionError(f"the words family has V = 26 (letters a..z), got --V {V}; drop --V")
    options = {k: extra[k] for k in ("max_bucket", "scale_bits") if extra.get(k) is not None}
    return words_distribution(lang or "en", L, **options)


def _markov(L, V, seed, lang=None, **extra):
    if lang is not None:
        if V not in (None, 26):
            raise DistributionError(f"the letter-bigram chain has V = 26 (letters a..z), got --V {V}; drop --V")
        return bigram_chain(lang, L)
    return random_chain(L, V or 4, seed=seed, stationary=extra.get("stationary", True))


def _bigram(L, V, seed, lang=None, **_):
    return _markov(L, V, seed, lang=lang or "en")


def _noisy_copy(L, V, seed, eta=None, **_):
    if V not in (None, 2):
        raise DistributionError(f"the noisy-copy family has V = 2, got --V {V}; drop --V or use 2")
    return NoisyCopy(L, "1/10" if eta is None else eta)  # closed-form profile at any L; law while 2^L is small


#: Families built as an explicit (dense or sparse) distribution, bounded by the ``L`` and ``V`` limits.
ENUMERATED = ("copy", "parity", "random", "product", "sum-zero", "uniform")
#: Of those, the ones whose builders enumerate (about) all ``V^L`` sequences.
ENUMERATE_ALL = ("parity", "random", "sum-zero", "uniform")


# -- members used by the sweep, the library and the report ------------------------------------

def _step_product(L: int):
    """Independent bits with marginals ``(1 + i % 3, 1 + (i + 1) % 3)`` at position ``i``."""
    return product_distribution([[1 + (i + v) % 3 for v in range(2)] for i in range(L)])


def _codes(L: int) -> list:
    """Reed-Solomon codes of every dimension ``k = 2..L-2`` small enough to evaluate."""
    if L > CODE_MAX_L:
        return []
    p = smallest_prime_at_least(L)
    return [mds_distribution(L, k) for k in range(2, L - 1) if p**k <= MEMBER_MAX_SUPPORT]


def _copy_members(L, tag):
    return [copy_distribution(L, 2)] if tag == "report" else [copy_distribution(L, 2), copy_distribution(L, 3)]


def _mixture_members(L, tag):
    b = 2 if tag == "sweep" else 1
    return [mixture(copy_distribution(L, 2), parity_distribution(L), 1, b)]


def _random_members(L, tag):
    if tag == "sweep":
        return [random_distribution(L, 2, seed=L)]
    if tag == "report":
        return [random_distribution(L, 2, seed=1)]
    return [random_distribution(L, 2, seed=s) for s in range(4)] if 2**L <= MEMBER_MAX_SUPPORT else []


# -- Hypothesis draws for the structured strategy ----------------------------------------------

def _draw_copy(draw, L, max_V):
    return copy_distribution(L, draw(st.integers(2, max_V)))


def _draw_product(draw, L, max_V):
    V = draw(st.integers(2, max_V))
    return product_distribution(draw(st.lists(st.lists(st.integers(1, 9), min_size=V, max_size=V),
                                              min_size=L, max_size=L)))


def _draw_mixture(draw, L, max_V):
    a, b = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    return mixture(copy_distribution(L, 2), parity_distribution(L), a, b)


def _tags(*names: str) -> frozenset:
    return frozenset(names)


_ALL_TAGS = _tags("cli", "sweep", "library", "report", "strategy")
FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("copy", "X_1 = ... = X_L uniform on V symbols", _copy, ("L", "V"), _ALL_TAGS, _copy_members, _draw_copy),
    Family("parity", "uniform bits with even parity", _parity, ("L",), _ALL_TAGS,
           lambda L, tag: [parity_distribution(L)], lambda draw, L, max_V: parity_distribution(L)),
    Family("reed-solomon", "uniform codeword of a Reed-Solomon code of dimension k over GF(p)",
           None, ("L", "k"), _tags("sweep", "library"), lambda L, tag: _codes(L)),
    Family("mixture", "a : b mixture of copy and parity", None, ("L", "a", "b"),
           _tags("sweep", "library", "report", "strategy"), _mixture_members, _draw_mixture),
    Family("product", "independent positions with random integer marginals", _product, ("L", "V", "seed"),
           _tags("cli", "sweep", "library", "strategy"), lambda L, tag: [_step_product(L)], _draw_product),
    Family("random", "i.i.d. integer weights on V^L", _random, ("L", "V", "seed", "sparsity"),
           _tags("cli", "sweep", "library", "report"), _random_members),
    Family("sum-zero", "uniform sequences over V symbols summing to 0 mod V", _sum_zero, ("L", "V"), _tags("cli")),
    Family("uniform", "independent uniform symbols", _uniform, ("L", "V"), _tags("cli")),
    Family("words", "words of exactly L letters of a language, with their frequencies", _words,
           ("L", "lang", "max_bucket", "scale_bits"), _tags("cli")),
    Family("markov", "a random stationary chain, or with lang the letter-bigram chain", _markov,
           ("L", "V", "seed", "lang"), _tags("cli")),
    Family("bigram", "the letter-bigram chain of a language", _bigram, ("L", "lang"), _tags("cli")),
    Family("noisy-copy", "a hidden uniform bit U, X_i = U xor W_i with W_i ~ Bernoulli(eta) i.i.d.", _noisy_copy,
           ("L", "eta"), _tags("cli", "library"),
           lambda L, tag: [noisy_copy_distribution(L, "1/10")] if 2**L <= MEMBER_MAX_SUPPORT else []),
)}


def register(family: Family) -> Family:
    """Add ``family`` to the table (adding a family is this one call or one entry above)."""
    if family.name in FAMILIES:
        raise ValueError(f"family {family.name!r} is already in the table")
    FAMILIES[family.name] = family
    return family


def tagged(tag: str) -> list[Family]:
    """The families carrying ``tag``, in table order."""
    if tag not in TAGS:
        raise ValueError(f"unknown tag {tag!r}; known: {TAGS}")
    return [f for f in FAMILIES.values() if tag in f.tags]


def cli_names() -> list[str]:
    """The ``--family`` choices."""
    return sorted(f.name for f in tagged("cli"))


def members(tag: str, L: int) -> list:
    """Every member at length ``L`` of the families tagged ``tag`` (table order)."""
    return [src for f in tagged(tag) for src in f.members(L, tag)]


def build(name: str, L: int, V: int | None = None, seed: int = 0, **extra) -> Source:
    """The command-line family ``name`` at length ``L`` (validated before any work)."""
    fam = FAMILIES.get(name)
    if fam is None or fam.build is None or "cli" not in fam.tags:
        raise DistributionError(f"unknown family {name!r}; choose one of {', '.join(cli_names())}")
    if L is None or L < 1:
        raise DistributionError(f"family {name} needs --L N with N >= 1 (got {L})")
    if V is not None and (isinstance(V, bool) or not isinstance(V, int) or V < 1):
        raise DistributionError(f"--V {V!r} must be an integer >= 1")
    if name in ENUMERATED:  # their builders allocate L x V (or 2^L) arrays: check the sizes first
        if name in ENUMERATE_ALL:
            check_dense_size(V or 2, L)
        check_shape(V or 2, L)
    return fam.build(L=L, V=V, seed=seed, **extra)
