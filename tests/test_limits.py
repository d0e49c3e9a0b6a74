"""proofs_check/limits.py: named limits, checked through logarithms before any big number exists."""

from __future__ import annotations

import pytest

from proofs_check.errors import TooLargeError
from proofs_check.limits import LIMITS, check_at_most, check_power, limit, power_exceeds, show


def test_every_limit_is_a_positive_int_with_a_description():
    assert LIMITS and all(isinstance(v.value, int) and v.value > 0 and len(v.description) > 10
                          for v in LIMITS.values())


@pytest.mark.parametrize("V, L, top, expected", [
    (2, 20, 2**20, False), (2, 21, 2**20, True), (2**20, 1, 2**20, False), (2**20 + 1, 1, 2**20, True),
    (1, 10**30, 1, False), (10**30, 10**400, 2**16, True), (3, 13, 3**13, False), (3, 13, 3**13 - 1, True), (10, 6, 10**6, False),
])
def test_power_exceeds_is_exact_at_the_boundary(V, L, top, expected):
    assert power_exceeds(V, L, top) is expected


def test_huge_powers_are_refused_without_being_computed(time_limit):
    with time_limit(2), pytest.raises(TooLargeError) as info:
        check_power(7, 10**30, "dense_states", "states")
    assert "7^10^30" not in str(info.value) and len(str(info.value)) < 300
    assert "dense_states" in str(info.value)


def test_check_at_most_names_the_limit_and_never_formats_a_huge_value():
    top = limit("markov_L")
    assert check_at_most(top, "markov_L", "L") == top
    with pytest.raises(TooLargeError, match="markov_L"):
        check_at_most(top + 1, "markov_L", "L")
    with pytest.raises(TooLargeError) as info:
        check_at_most(10**5000, "markov_L", "L")
    assert "about 10^5000" in str(info.value) or "about 10^4999" in str(info.value)
    assert show(12) == "12"


def test_the_readme_lists_every_limit_with_its_value():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name, lim in LIMITS.items():
        assert f"| `{name}` | {lim.value} |" in readme, name
