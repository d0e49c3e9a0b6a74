"""Refutation on the extreme rays ``h_k(m) = min(m, k)`` (``proofs_check.prover.rays``)."""

from __future__ import annotations

import pytest

from proofs_check.prover import core as pv
from proofs_check.prover import rays
from theory.linear import Case
from theory.registry import Clause, Statement
from theory.symbols import DTC, KL, MI, TC, KL_ideal, L, T, eps_train, s_max


def test_tc_9_dtc_is_refuted_at_L11_by_copy():
    ref = rays.refute_on_rays(Clause(TC, "<=", 9 * DTC, "profile"), range(2, 64))
    assert ref is not None and ref.L == 11 and ref.direction == "g(0)"
    assert rays.ray_of(ref.L, ref.direction) == 1
    assert ref.coefficient == -1  # 9 DTC - TC has g(0) coefficient 9 - (L - 1)
    assert ref.witness.distribution == "copy" and ref.witness.confirmed is True


def test_tc_10_dtc_is_refuted_first_at_L12():
    clause = Clause(TC, "<=", 10 * DTC, "profile")
    assert rays.refute_on_rays(clause, range(2, 12)) is None
    ref = rays.refute_on_rays(clause, range(2, 64))
    assert ref.L == 12 and ref.direction == "g(0)" and ref.witness.confirmed


def test_closed_form_ray_agrees_with_the_distribution():
    """At L = 11 both witnesses exist: the copy distribution and the ray's closed form."""
    clause = Clause(TC, "<=", 9 * DTC, "profile")
    ref = rays.refute_on_rays(clause, [11])
    closed = rays.closed_form_witness(clause, ref.case, 1)
    assert closed.confirmed is True
    assert closed.lhs == pytest.approx(ref.witness.lhs, rel=1e-12)
    assert closed.rhs == pytest.approx(ref.witness.rhs, rel=1e-12)


def test_large_L_refutation_is_certified_on_the_closed_form():
    ref = rays.refute_on_rays(Clause(TC, "<=", 1000 * DTC, "profile"), range(1000, 1025))
    assert ref.L == 1002 and ref.direction == "g(0)"
    assert ref.witness.confirmed is True and "closed-form" in ref.witness.distribution
    assert ref.witness.margin < 0


def test_kl_ideal_s1_bound_is_not_refuted_to_L256_on_all_schedules():
    clause = Clause(KL_ideal, "<=", (s_max - 1) / L * MI, "all")
    assert rays.refute_on_rays(clause, range(2, 257)) is None


def test_a_constant_too_small_is_refuted_on_all_schedules_at_large_L():
    clause = Clause(KL, "<=", (s_max - 2) / L * MI + eps_train, "all")
    ref = rays.refute_on_rays(clause, [40])
    assert ref is not None and ref.L == 40 and sum(ref.case.sizes) == 40
    cert = pv.certificate(Statement("user", "t", "conjecture", "t", (clause,)), 0, ref.case)
    assert cert.status == "refuted"
    assert ref.witness.confirmed is True  # on the ray's closed form (L = 40 is too large to enumerate)


def test_cheap_schedule_quantifiers_at_large_L():
    assert rays.refute_on_rays(Clause(KL_ideal, "==", TC, "one_step"), [300]) is None
    assert rays.refute_on_rays(Clause(KL_ideal, "<=", 1 / T * MI, "balanced"), [60]) is None
    ref = rays.refute_on_rays(Clause(KL_ideal, "<=", 1 / (2 * L) * MI, "one_step"), [300])
    assert ref is not None and ref.witness.confirmed is True


def test_bad_input():
    with pytest.raises(rays.RaysInputError, match="L=1"):
        rays.refute_on_rays(Clause(TC, "<=", DTC, "profile"), [1])
    with pytest.raises(rays.RaysInputError, match="sampler-level"):
        rays.refute_on_rays(Clause(KL, "==", KL_ideal + eps_train, "all", prover=False), [4])


def test_side_on_ray_reads_min_m_k():
    # TC on ray k: L min(1, k) - min(L, k), in units of log p
    case = Case(20)
    for k in (1, 5, 20):
        val = rays.side_on_ray(TC, case, k, 7)
        assert val.terms == ({7: 20 - k} if k < 20 else {}) and val.const == 0  # the all-bits ray: TC = 0
