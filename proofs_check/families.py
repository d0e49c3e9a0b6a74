"""Named distribution families for the command line, the campaign and ``check``.

``build(name, L=..., V=..., seed=...)`` returns a :class:`Distribution`; each
family states which parameters it reads.
"""

from __future__ import annotations

from .distributions import (Distribution, copy_distribution, parity_distribution, product_distribution,
                            random_distribution)
from .errors import DistributionError


def _copy(L, V, seed, **_):
    return copy_distribution(L, V)


def _parity(L, V, seed, **_):
    if V not in (None, 2):
        raise DistributionError(f"the parity family has V = 2, got --V {V}; drop --V or use 2")
    return parity_distribution(L)


def _random(L, V, seed, sparsity=0.0, **_):
    return random_distribution(L, V, seed=seed, sparsity=sparsity)


def _product(L, V, seed, **_):
    import numpy as np

    rng = np.random.default_rng(seed)
    return product_distribution(rng.integers(1, 10, size=(L, V)).tolist())


FAMILIES = {
    "copy": _copy,
    "parity": _parity,
    "random": _random,
    "product": _product,
}


def build(name: str, L: int, V: int | None = None, seed: int = 0, **extra) -> Distribution:
    if name not in FAMILIES:
        raise DistributionError(f"unknown family {name!r}; choose one of {', '.join(FAMILIES)}")
    if L is None or L < 1:
        raise DistributionError(f"family {name} needs --L N with N >= 1 (got {L})")
    return FAMILIES[name](L=L, V=V if V is not None else 2, seed=seed, **extra)
