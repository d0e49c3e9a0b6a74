"""Integer parameter domains of the quantifiers and the lemma on P1's constant (theory.domains)."""

import sympy as sp

from theory import domains as dom
from theory import registry
from theory.symbols import L, s_max


def test_one_domain_per_quantifier():
    assert set(dom.DOMAINS) | set(dom.NO_SYMBOLIC_DOMAIN) | set(dom.FINITE_ONLY) == set(registry.QUANTIFIERS)
    assert not set(dom.DOMAINS) & set(dom.NO_SYMBOLIC_DOMAIN)
    assert not (set(dom.DOMAINS) | set(dom.NO_SYMBOLIC_DOMAIN)) & set(dom.FINITE_ONLY)
    clauses = [c for st in registry.STATEMENTS for c in st.clauses if c.over in dom.NO_SYMBOLIC_DOMAIN]
    assert clauses and not any(c.prover for c in clauses), "a prover clause needs a symbolic domain"
    for over, regions in dom.DOMAINS.items():
        assert regions and all(r.constraints for r in regions), over


def test_pow2_lemma():
    assert dom.pow2_lemma_symbolic() and dom.pow2_lemma_finite(4096)
    assert dom.POW2_CEIL_LOG2.match(registry.P1_CONSTANT * L + 1) == s_max
    assert dom.POW2_CEIL_LOG2.match(2 ** sp.ceiling(sp.log(s_max, 3))) is None


def test_a_stronger_lemma_is_false():
    """The lemma is tight at powers of two: 2^ceiling(log2 x) >= x + 1 fails at x = 1, 2, 4, ..."""
    bad = [x for x in range(1, 65) if (1 << (x - 1).bit_length()) < x + 1]
    assert bad == [1, 2, 4, 8, 16, 32, 64]


def test_positivity_is_stated_explicitly():
    # SymPy folds Ge(L, 1) to True for a positive symbol; the domains must not lose it
    assert sp.Ge(L, 1) is sp.true
    cons = dom.assumption_constraints({L, s_max, dom.m_u})
    assert [str(c) for c in cons] == ["L >= 1", "s_max >= 1"]
