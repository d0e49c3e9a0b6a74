"""Hypothesis strategies for distributions, schedules and instances.

They live in the package (not in ``tests/``) so that the campaign and
``dlm-verify check`` draw from exactly the same generators as the test suite.
"""

from __future__ import annotations

from hypothesis import strategies as st

from proofs_check.sources import families
from proofs_check.sources.distributions import Distribution
from proofs_check.model.quantifiers import any_schedule, quantifier


@st.composite
def dense_distributions(draw, min_L=2, max_L=5, min_V=2, max_V=3, max_weight=30, max_states=4096):
    """Random integer weights over ``V^L``; zeros allowed (sparsity comes from the zero weights)."""
    V = draw(st.integers(min_V, max_V))
    L = draw(st.integers(min_L, max_L))
    while V**L > max_states and L > min_L:
        L -= 1
    n = V**L
    zero_rate = draw(st.sampled_from([0.0, 0.3, 0.7, 0.9]))
    weights = draw(st.lists(st.integers(1, max_weight), min_size=n, max_size=n))
    mask = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    weights = [w if r >= zero_rate else 0 for w, r in zip(weights, mask)]
    if not any(weights):
        weights[draw(st.integers(0, n - 1))] = 1
    return Distribution.dense(V, L, weights, name="random")


@st.composite
def sparse_distributions(draw, min_L=2, max_L=8, min_V=2, max_V=5, max_support=40, max_weight=30):
    V = draw(st.integers(min_V, max_V))
    L = draw(st.integers(min_L, max_L))
    rows = draw(st.lists(st.lists(st.integers(0, V - 1), min_size=L, max_size=L), min_size=1,
                         max_size=max_support))
    weights = draw(st.lists(st.integers(1, max_weight), min_size=len(rows), max_size=len(rows)))
    return Distribution(V, L, rows, weights, name="sparse")


@st.composite
def structured_distributions(draw, min_L=2, max_L=6, max_V=3):
    """A member of a family the table tags ``strategy`` (copy, parity, product, mixture, ...)."""
    L = draw(st.integers(min_L, max_L))
    fam = draw(st.sampled_from(families.tagged("strategy")))
    return fam.draw(draw, L, max_V)


def distributions(min_L=2, max_L=5, max_V=3):
    return st.one_of(
        dense_distributions(min_L=min_L, max_L=max_L, max_V=max_V),
        sparse_distributions(min_L=min_L, max_L=max_L, max_V=max_V),
        structured_distributions(min_L=min_L, max_L=max_L, max_V=max_V),
    )


def schedules(L: int | None = None, min_L: int = 2, max_L: int = 8):
    """Any composition of ``L`` (of a drawn ``L = min_L..max_L`` when ``L`` is None), biased toward
    the structured ones (one step, all ones, balanced)."""
    if L is None:
        return st.integers(min_L, max_L).flatmap(any_schedule)
    return any_schedule(L)


def instances(min_L: int = 2, max_L: int = 5, max_V: int = 3, over: str = "all"):
    """:class:`~proofs_check.model.instance.Instance` objects: a distribution of :func:`distributions`
    and a schedule its length admits under the quantifier ``over`` (optimal predictor)."""
    from proofs_check.model.instance import Instance

    return distributions(min_L=min_L, max_L=max_L, max_V=max_V).flatmap(
        lambda d: schedules_for(over, d.L).map(lambda s: Instance(d, s)))


@st.composite
def distribution_and_schedule(draw, min_L=2, max_L=5, max_V=3):
    dist = draw(distributions(min_L=min_L, max_L=max_L, max_V=max_V))
    return dist, draw(schedules(dist.L))


def schedules_for(over: str, L: int):
    """A schedule that the quantifier ``over`` of a registry clause applies to."""
    return quantifier(over).strategy(L)


@st.composite
def predictors(draw, dist: Distribution):
    """The optimal predictor (None), a perturbed one, or a random user callable returning floats."""
    from fractions import Fraction

    from proofs_check.model.sampler import OptimalPredictor, PerturbedPredictor

    kind = draw(st.sampled_from(["optimal", "perturbed", "user"]))
    if kind == "optimal":
        return None
    if kind == "perturbed":
        lam = Fraction(draw(st.integers(1, 9)), 10)
        return PerturbedPredictor(dist, lam=lam, seed=draw(st.integers(0, 2**16)))
    opt = OptimalPredictor(dist)
    mix = draw(st.floats(0.01, 0.99))
    salt = draw(st.integers(0, 2**16))

    def user(i, A, xA):  # a smoothed optimal predictor in floats, as a user might write
        base = [float(p) for p in opt(i, A, xA)]
        noise = [((hash((salt, i, tuple(A), tuple(xA), v)) % 97) + 1) / 97 for v in range(dist.V)]
        tot = sum(noise)
        return [(1 - mix) * b + mix * n / tot for b, n in zip(base, noise)]

    return user


def instances_for(statement, min_L=2, max_L=5, max_V=3, with_predictors=False):
    """(distribution, schedule, predictor) triples that ``statement``'s first clause applies to."""
    lo = max(min_L, statement.min_L)
    over = statement.clauses[0].over

    @st.composite
    def build(draw):
        dist = draw(st.one_of(dense_distributions(min_L=lo, max_L=max_L, max_V=max_V),
                              sparse_distributions(min_L=lo, max_L=max_L, max_V=max_V),
                              structured_distributions(min_L=lo, max_L=max_L, max_V=max_V)))
        sched = draw(schedules_for(over, dist.L))
        pred = draw(predictors(dist)) if with_predictors else None
        return dist, sched, pred

    return build()
