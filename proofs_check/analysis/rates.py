"""Rates along schedule families: ``T * KL_ideal`` against ``T`` (statement S4).

The 1/T rate of Li & Cai (arXiv 2505.21400, Corollary 1) with its constant: for the
randomized-offset family with step ``s`` (nominal ``T = L/s`` steps),
``(L/s) E_r KL_ideal`` lies between ``(1-1/s)/2 * L * D(L-s+1)`` and ``(1-1/s) MI/2``
(note S4); on a long stationary chain the two meet.
"""

from __future__ import annotations

from theory.linear import Case
from theory.symbols import MI, D, KL_ideal, KL_ideal_offset

from proofs_check.model.instance import float_value, offset_case
from proofs_check.model.schedules import balanced
from proofs_check.sources.markov import MarkovChain


def rate_curve(chain: MarkovChain, Ts=None, steps=None) -> dict:
    """``T * KL_ideal`` against ``T`` for balanced and randomized-offset schedules (S4).

    ``KL_ideal`` comes from the float profile through :func:`theory.linear.linear_form`
    (:func:`proofs_check.model.instance.float_value`).  Balanced rows: ``T`` steps, ``s = ceil(L/T)``,
    ``T * KL_ideal``.  Offset rows: step ``s``, nominal ``T = L/s``, ``(L/s) E_r KL_ideal``
    (the family average).  Each row carries the ratio to ``(1 - 1/s) MI / 2``.
    """
    L = chain.L
    h = chain.profile().h_float
    mi = float_value(MI, Case(L), h)
    Ts = sorted(set(Ts or [t for t in (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024) if t <= L]))
    steps = sorted(set(steps or [s for s in (2, 3, 4, 8, 16, 32, 64) if s <= L]))
    out = {"L": L, "name": chain.name, "MI": mi, "balanced": [], "offset": []}
    for T in Ts:
        s = -(-L // T)
        kl = float_value(KL_ideal, Case(L, balanced(L, T).sizes), h)
        bound = (1 - 1 / s) * mi / 2
        out["balanced"].append({"T": T, "s": s, "KL_ideal": kl, "T_KL": T * kl, "bound": bound,
                                "ratio": T * kl / bound if bound else float("nan")})
    for s in steps:
        kl = float_value(KL_ideal_offset, offset_case(L, s), h)
        bound = (1 - 1 / s) * mi / 2
        lower = (1 - 1 / s) / 2 * L * float_value(D(L - s + 1), Case(L), h) if s >= 2 else 0.0
        out["offset"].append({"s": s, "T": L / s, "KL_ideal": kl, "T_KL": L / s * kl, "bound": bound,
                              "lower": lower, "ratio": L / s * kl / bound if bound else float("nan")})
    return out
