"""The regression gate: thousands of certified randomized checks of the main statements.

Under the ``ci`` (and ``deep``) Hypothesis profile each test below runs at least
``GATE_EXAMPLES`` examples; every counterexample ever found is pinned with
``@example`` so it is replayed first on every run.  Instances with a predictor
other than the optimal one exercise the ``eps_train`` term.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings

from proofs_check.sources.distributions import copy_distribution, parity_distribution
from proofs_check.model.instance import Instance, check_statement
from proofs_check.model.schedules import Schedule, randomized_offset
from proofs_check.search.strategies import instances_for
from theory import registry

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
GATE_EXAMPLES = 2000 if PROFILE in ("ci", "deep") else 30

# Known extreme cases, replayed first: the copy distribution is tight for S1/P1, parity loads g(L-2).
PINNED = [
    (copy_distribution(6, 3), Schedule((3, 2, 1)), None),
    (copy_distribution(5, 2), Schedule((4, 1)), None),
    (parity_distribution(5), Schedule((2, 3)), None),
    (parity_distribution(4), randomized_offset(4, 3, 1), None),
]


def _check(statement_id: str, triple) -> int:
    dist, sched, pred = triple
    inst = Instance(dist, sched, pred)
    results = check_statement(registry.get(statement_id), inst)
    bad = [r for r in results if not r.verdict.ok]
    assert not bad, f"{statement_id} violated on {dist!r} schedule {sched}: " + "; ".join(
        f"{r.label}: lhs={float(r.lhs)!r} rhs={float(r.rhs)!r} ({r.verdict})" for r in bad)
    return len(results)


def _gate(statement_id: str, with_predictors: bool):
    st = registry.get(statement_id)

    @settings(max_examples=GATE_EXAMPLES, deadline=None)
    @given(instances_for(st, max_L=4 if with_predictors else 5, with_predictors=with_predictors))
    def run(triple):
        _check(statement_id, triple)

    for pinned in PINNED:
        run = example(pinned)(run)
    return run


test_F1_total_equals_ideal_plus_training_error = _gate("F1", with_predictors=True)
test_P1_upper_bound = _gate("P1", with_predictors=True)
test_S1_sharper_upper_bound = _gate("S1", with_predictors=False)
test_S2_lower_bound = _gate("S2", with_predictors=False)
test_S3_offset_matching_bounds = _gate("S3", with_predictors=False)


@pytest.mark.parametrize("triple", PINNED, ids=[f"{d.name}@{s}" for d, s, _ in PINNED])
def test_pinned_cases_are_checked(triple):
    """The pinned instances produce at least one applicable clause for S1 (they are not vacuous)."""
    assert _check("S1", triple) >= 1
