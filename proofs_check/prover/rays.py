"""Refuting a linear clause at large ``L`` on the extreme rays of the symmetric Shannon cone.

For a fixed ``L`` the valid symmetric profiles form the cone ``{h(0) = 0, g >= 0,
delta(L-1) >= 0}`` (Han's inequality in its strong form, cf. Li & Cai, arXiv 2505.21400,
section 2).  Its extreme rays are

    h_k(m) = min(m, k),   k = 1..L,

and ``h_k`` is the basis direction ``g(k-1)`` for ``k < L`` (``h(m) = m delta(L-1) + sum_u
min(m, u+1) g(u)``) and ``delta(L-1)`` for ``k = L``.  A linear slack ``d = const + sum_b c_b b``
is therefore ``>= 0`` on every distribution of length ``L`` iff ``const >= 0`` and every ``c_b >= 0``:
evaluating ``d`` on the ray ``h_k`` *is* reading the coefficient ``c_{k-1}``.  This module reads
them with the bulk prover (:mod:`proofs_check.prover.core`; the schedule quantifiers ``all``,
``refinement``, ``halving``, ``small_steps`` through the shape route of
:mod:`proofs_check.prover.shapes`), for every case of the clause's quantifier and every ``L`` asked.

Each ray is realised by a distribution: ``k = 1`` by the copy distribution (``h(m) = min(m, 1) log 2``),
``k = L`` by independent uniform bits (``h(m) = m log 2``), ``k = L - 1`` by even parity and the
``k`` between by a Reed-Solomon code of dimension ``k`` over ``GF(p)``, ``p`` the least prime
``>= L`` (a maximum-distance-separable code: any ``k`` symbols are uniform, so
``H(X_A) = min(|A|, k) log p``).  When that distribution is small the refutation is confirmed on it
by the prover's own witness check; above that the ray's profile is used in closed form,
``h(m) = min(m, k) log p``, and the two sides are compared exactly as log-linear numbers by
:func:`proofs_check.numerics.certify.compare` (the training error is 0: the optimal predictor).
"""

from __future__ import annotations

from typing import Iterable

from theory.linear import CONST, Case, linear_form
from theory.registry import Clause, Statement

from proofs_check.errors import DlmInputError
from proofs_check.numerics.certify import compare
from proofs_check.numerics.exact import LogLinear
from proofs_check.prover import core
from proofs_check.sources.distributions import smallest_prime_at_least


class RaysInputError(DlmInputError):
    """The clause or the lengths given to :func:`refute_on_rays` do not fit."""


def ray_of(L: int, direction: str) -> int:
    """The ray index ``k`` of a basis direction: ``g(u)`` is ``k = u + 1``, ``delta(L-1)`` is ``k = L``,
    the constant part ``k = 0`` (the zero profile)."""
    names = core.basis_names(L) + ["constant"]
    idx = names.index(direction)
    return 0 if idx == L else idx + 1


def ray_prime(L: int, k: int) -> int:
    """Alphabet size of the distribution realising ray ``k``: 2 for copy and uniform bits, else the
    least prime ``>= L`` (Reed-Solomon codes of length ``L``)."""
    return 2 if k in (0, 1, L) else smallest_prime_at_least(L)


def side_on_ray(side, case: Case, k: int, p: int) -> LogLinear:
    """A clause side on the profile ``h(m) = min(m, k) log p`` (``KL`` = ``KL_ideal``: eps_train = 0)."""
    form = core._substitute_kl(linear_form(side, case), case)
    form.pop("eps_train", None)
    logs = {key[1]: v for key, v in form.items() if isinstance(key, tuple)}
    weight = sum((c * min(x, k) for x, c in form.items() if isinstance(x, int)), 0)
    out = LogLinear(form.get(CONST, 0), logs)
    return out + LogLinear(0, {p: weight}) if weight else out


def closed_form_witness(clause: Clause, case: Case, k: int) -> core.Witness:
    """Certified verdict of ``clause`` on ray ``k``'s closed-form profile."""
    p = ray_prime(case.L, k)
    lhs, rhs = side_on_ray(clause.lhs, case, k, p), side_on_ray(clause.rhs, case, k, p)
    v = compare(lhs, rhs, clause.rel)
    desc = (f"ray h(m) = min(m, {k}) log {p} (closed-form profile of "
            + ("the copy distribution" if k == 1 else "independent uniform bits" if k == case.L else
               "a deterministic sequence" if k == 0 else f"a Reed-Solomon code of dimension {k} over GF({p})") + ")")
    return core.Witness(desc, not v.ok, v.status, float(lhs), float(rhs), v.margin, v.method)


def refute_on_rays(clause: Clause, Ls: Iterable[int], statement_id: str = "user",
                   prover: core.Prover | None = None) -> core.Refutation | None:
    """The first ``L`` (in the order given) at which ``clause`` fails on an extreme ray, with the case,
    the ray (its basis direction) and a certified witness; ``None`` if every ray of every case of
    every ``L`` keeps the slack's sign (the clause is then *not refuted* there, which is less than
    proved for every ``L``).

    Raises :class:`RaysInputError` for a non-linear clause or a bad length, and
    :class:`proofs_check.prover.core.ProverInputError` when a schedule clause cannot take the
    shape route and ``L`` exceeds ``core.ENUMERATION_MAX_L`` (never a silent "not refuted")."""
    if not clause.prover:
        raise RaysInputError("this clause is sampler-level (not linear); rays only decide linear clauses")
    st = Statement(statement_id, "clause checked on the extreme rays", "conjecture", "user", (clause,))
    prover = prover or core.Prover(confirm_witnesses="none")
    for L in Ls:
        if isinstance(L, bool) or not isinstance(L, int) or L < 2:
            raise RaysInputError(f"L={L!r}: every length must be an integer >= 2")
        res = prover.prove_clause(st, 0, L)
        if res.not_linear:
            raise RaysInputError(f"{clause.text()} is not linear in the profile at L={L}: {res.not_linear_reason}")
        if res.refuted:
            return with_witness(st, res.refuted[0])
    return None


def with_witness(st: Statement, ref: core.Refutation) -> core.Refutation:
    """``ref`` confirmed on a concrete distribution when it is small, else on the ray's closed form."""
    clause = st.clauses[ref.clause]
    idx = (core.basis_names(ref.L) + ["constant"]).index(ref.direction)
    _, dist = core.direction_distribution(ref.L, idx)
    if dist is not None:
        witness = core.confirm(st, ref.clause, ref.case, idx)
    else:
        witness = closed_form_witness(clause, ref.case, ray_of(ref.L, ref.direction))
    return core.Refutation(ref.statement, ref.clause, ref.label, ref.L, ref.case, ref.direction,
                           ref.coefficient, witness)
