"""dlm-convergence: certified checks of the convergence theory of masked diffusion language models
(Li & Cai, arXiv 2505.21400), usable from a user's own tests.

Everything a test needs is importable from here; the heavy modules load on first use::

    from hypothesis import given
    from proofs_check import check, instances

    @given(instances(max_L=4))
    def test_kl_is_bounded_by_mutual_information(inst):
        ...

* sources: :class:`Distribution` and its constructors, :class:`MarkovChain`, the family table
  ``families`` (``families.build("copy", L=5, V=2)``);
* schedules: :class:`Schedule`, ``balanced``, ``one_step``, ``all_ones``, ``compositions``;
* :class:`Instance` (source, schedule, predictor; exact profile and KL);
* :func:`check` (prove, refute with a certified counterexample, or neither) and :func:`prove`
  (every-``L`` symbolic proof); :func:`load_statements` reads a statement file;
* Hypothesis strategies :func:`distributions`, :func:`schedules`, :func:`instances`;
* :func:`compare`: the certified comparison of two exact values (``compare(a, b, "<=").ok``);
* the verdict words :class:`Established`, :class:`Status` and :class:`ExitCode`.
"""

from __future__ import annotations

import importlib

#: public name -> (module, attribute); imported on first access (SymPy and z3 take seconds).
_EXPORTS = {
    "Distribution": ("proofs_check.sources.distributions", "Distribution"),
    "copy_distribution": ("proofs_check.sources.distributions", "copy_distribution"),
    "parity_distribution": ("proofs_check.sources.distributions", "parity_distribution"),
    "product_distribution": ("proofs_check.sources.distributions", "product_distribution"),
    "mixture": ("proofs_check.sources.distributions", "mixture"),
    "random_distribution": ("proofs_check.sources.distributions", "random_distribution"),
    "mds_distribution": ("proofs_check.sources.distributions", "mds_distribution"),
    "MarkovChain": ("proofs_check.sources.markov", "MarkovChain"),
    "families": ("proofs_check.sources.families", None),
    "Schedule": ("proofs_check.model.schedules", "Schedule"),
    "balanced": ("proofs_check.model.schedules", "balanced"),
    "one_step": ("proofs_check.model.schedules", "one_step"),
    "all_ones": ("proofs_check.model.schedules", "all_ones"),
    "compositions": ("proofs_check.model.schedules", "compositions"),
    "Instance": ("proofs_check.model.instance", "Instance"),
    "check": ("proofs_check.search.check", "check"),
    "prove": ("proofs_check.search.check", "prove"),
    "load_statements": ("proofs_check.search.statements_file", "load"),
    "distributions": ("proofs_check.search.strategies", "distributions"),
    "schedules": ("proofs_check.search.strategies", "schedules"),
    "instances": ("proofs_check.search.strategies", "instances"),
    "compare": ("proofs_check.numerics.certify", "compare"),
    "Established": ("proofs_check.verdicts", "Established"),
    "Status": ("proofs_check.verdicts", "Status"),
    "ExitCode": ("proofs_check.verdicts", "ExitCode"),
    "DlmInputError": ("proofs_check.errors", "DlmInputError"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'proofs_check' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    value = mod if attr is None else getattr(mod, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
