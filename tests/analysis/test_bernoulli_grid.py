"""The geometric Bernoulli grid of the schedule table: one Gamma (model/bernoulli.py), exact on
rational grids, float64 (labelled) otherwise."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from proofs_check.analysis import bernoulli_grid as ber
from proofs_check.analysis.schedule_table import bracket, schedule_table
from proofs_check.model.bernoulli import Grid, kl_bernoulli, kl_bernoulli_float
from proofs_check.sources.distributions import NoisyCopy


@pytest.mark.parametrize("L,N", [(5, 1), (5, 2), (5, 4), (9, 6), (32, 2)])
def test_rational_grid_is_the_float_grid_and_its_float_value_agrees(L, N):
    grid = ber.rational_grid(L, N)
    assert grid is not None and len(grid.times) == N + 3
    assert np.allclose([float(t) for t in grid.times], ber.geometric_grid(L, N), rtol=0, atol=1e-15)
    src = NoisyCopy(L, "1/10")
    exact = kl_bernoulli(src, grid)
    assert abs(kl_bernoulli_float(src.profile().h_float, ber.geometric_grid(L, N)) - float(exact)) < 1e-12


def test_irrational_grids_are_refused_as_exact():
    assert ber.rational_grid(5, 3) is None and ber.rational_grid(32, 3) is None and ber.rational_grid(2, 1) is None
    assert ber.rational_grid(256, 2) is None  # rational (255 is an integer) but beyond EXACT_MAX_L: float


def test_table_certifies_the_rational_grid_and_labels_the_float_one():
    """Noisy copy, L = 5: T = 2 picks a rational grid (certified, its enclosure holds the exact
    KL_Ber and not that of a grid with a point moved); some T picks an irrational one (float)."""
    src = NoisyCopy(5, "1/10")
    table = schedule_table(src, range(1, 6))
    entries = {r.T: r.entry("bernoulli") for r in table.rows}
    certified = [T for T, e in entries.items() if e.certified]
    floats = [T for T, e in entries.items() if not e.certified]
    assert certified and floats
    for T in certified:
        e = entries[T]
        N = int(e.note.split("N = ")[1].split(",")[0])
        grid = ber.rational_grid(5, N)
        lo, hi = bracket(kl_bernoulli(src, grid))
        assert e.kl[0] <= lo and hi <= e.kl[1]
        moved = Grid(grid.times[:1] + (grid.times[1] + Fraction(1, 50),) + grid.times[2:])
        v = float(kl_bernoulli(src, moved))
        assert not e.kl[0] <= v <= e.kl[1]
    assert all("float64 (not certified)" in entries[T].note for T in floats)
