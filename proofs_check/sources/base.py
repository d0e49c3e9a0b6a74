"""The Source protocol: what every kind of sequence source offers the layers above.

A *source* is a law of ``(X_1, ..., X_L)`` over ``V`` symbols.  The convergence theory of
Li & Cai (arXiv 2505.21400) reads a source only through its information profile
``h(m) = C(L, m)^-1 sum_{|A| = m} H(X_A)`` (the average entropy of ``m`` positions), and the
sampler (brute-force ``KL``, learned and perturbed predictors) through its law when that can
be enumerated.  So a source has

* ``L``, ``V``, ``name``;
* ``profile()``: its :class:`~proofs_check.sources.profile.InformationProfile`;
* ``enumerable``: whether its law on ``V^L`` can be listed, and ``law()``: that law as a
  :class:`~proofs_check.sources.distributions.Distribution` (``None`` when not enumerable);
* ``to_json()``: the object :func:`proofs_check.sources.jsonio.from_json` reads back.

:class:`~proofs_check.sources.distributions.Distribution` (its law is itself) and
:class:`~proofs_check.sources.markov.MarkovChain` (closed-form profile at any length, law
enumerated when ``V^L`` is small) implement it.  Callers use the protocol, never the kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # annotations only: the kinds build on this module's callers, not on it
    from proofs_check.sources.distributions import Distribution
    from proofs_check.sources.profile import InformationProfile


@runtime_checkable
class Source(Protocol):
    L: int
    V: int
    name: str

    @property
    def enumerable(self) -> bool: ...

    def profile(self) -> InformationProfile: ...

    def law(self) -> Distribution | None: ...

    def to_json(self) -> dict: ...
