"""The S4 rate curve on a long stationary chain (closed-form profile)."""

from proofs_check.analysis.rates import rate_curve
from proofs_check.sources.markov import random_chain


def test_rate_curve_stationary_chain():
    chain = random_chain(512, V=3, seed=1)
    out = rate_curve(chain, Ts=[8, 64, 256], steps=[2, 4, 8])
    assert out["MI"] > 0
    for row in out["offset"]:
        # S3/S4: (1 - 1/s)/2 L D(L-s+1) <= (L/s) E_r KL_ideal <= (1 - 1/s) MI / 2, nearly equal here
        assert row["lower"] <= row["T_KL"] * (1 + 1e-12) and row["ratio"] <= 1 + 1e-12
        assert row["ratio"] > 0.95
    for row in out["balanced"]:
        assert 0 < row["T_KL"] <= 2 * out["MI"]
