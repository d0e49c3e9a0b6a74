"""The one precision policy: ladders of interval precisions read by certify and user expressions."""

from proofs_check.numerics import certify, precision
from proofs_check.search import usereval, userexpr


def test_ladder_doubles_from_the_first_precision_up_to_the_ceiling():
    assert list(precision.ladder(512)) == [64, 128, 256, 512]
    assert list(precision.ladder(1000, first=128)) == [128, 256, 512]
    assert list(precision.ladder(32)) == []


def test_the_ceilings_are_ordered_and_shared():
    p = precision
    assert p.FIRST_BITS <= p.CHEAP_INTERVAL_BITS <= p.ENCLOSURE_MAX_BITS <= p.SEARCH_MAX_BITS
    assert p.SEARCH_MAX_BITS <= p.FINAL_MAX_BITS <= p.MAX_PREC_BITS
    # certify and the user-expression evaluator read the same numbers, defined nowhere else
    assert certify.CHEAP_INTERVAL_BITS is p.CHEAP_INTERVAL_BITS and certify.MAX_PREC_BITS is p.MAX_PREC_BITS
    assert usereval.evaluate.__defaults__ == (p.SEARCH_MAX_BITS,)
    for mod in (userexpr, usereval):
        assert not hasattr(mod, "FINAL_MAX_PREC") and not hasattr(mod, "SEARCH_MAX_PREC")
