"""Every input limit of the suite, named once, with what it bounds.

A limit is checked *before* anything proportional to the checked size is computed or
formatted: ``V^L`` is compared through logarithms (``L log V`` against ``log limit``) and an
error message names ``V`` and ``L``, never the (possibly astronomically large) product.
Algorithmic thresholds (e.g. when an enclosure replaces an exact value) stay in the module
that uses them; this module holds only bounds on what a user may ask for.

``dlm-verify limits`` prints this table (``--json`` for a machine-readable copy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from proofs_check.errors import TooLargeError


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    description: str


_TABLE = (
    Limit("L", 16, "sequence length of a dense or sparse distribution (its profile visits 2^L subsets)"),
    Limit("V", 1 << 16, "vocabulary size of a dense or sparse distribution"),
    Limit("dense_states", 1 << 16, "V^L weights of a dense distribution or an enumerated law"),
    Limit("profile_work", 3**15, "cells the profile visits: (V+1)^L when dense, support rows x 2^L when sparse"),
    Limit("support_rows", 1 << 16, "support rows of a sparse distribution"),
    Limit("support_cells", 1 << 20, "support rows times L of a sparse distribution (profile cost ~ 2^L rows)"),
    Limit("markov_L", 4096, "length of a Markov chain (closed-form profile, O(L^2) terms)"),
    Limit("markov_V", 32, "vocabulary size of a Markov chain (O(V^3) per step of the closed form)"),
    Limit("markov_work", 1 << 18, "L x V^2 of a Markov chain (e.g. L=4096, V=8 or L=256, V=32)"),
    Limit("run_max_L", 8, "largest --max-L of `run` (exact checks enumerate V^L states)"),
    Limit("status_max_L", 14, "largest --max-L of `status` (use `prove` beyond)"),
    Limit("prove_max_L", 256, "largest --max-L of `prove` (schedule quantifiers decided by step shapes, polynomial in L)"),
    Limit("schedule_chars", 20_000, "characters of a --schedule list"),
    Limit("T", 4096, "number of steps of a schedule (--balanced T, --schedule entries)"),
    Limit("digits", 1000, "significant digits of printed values (--digits)"),
    Limit("samples", 1_000_000, "training samples of a learned predictor (--samples)"),
    Limit("budget_seconds", 7 * 24 * 3600, "seconds of a campaign or check (--budget)"),
    Limit("seed", (1 << 63) - 1, "largest random seed (--seed >= 0)"),
    Limit("file_bytes", 64 << 20, "bytes of a distribution or results file read by the suite"),
    Limit("json_depth", 16, "nesting depth of a JSON input file"),
    Limit("weight_digits", 1000, "decimal digits of one integer weight (or numerator/denominator of a float)"),
    Limit("name_chars", 200, "characters of a distribution name read from a file"),
    Limit("statement_file_bytes", 256 * 1024, "bytes of a TOML statement file (check --file, run --statements, the pytest plugin)"),
    Limit("statements_per_file", 64, "statements in one statement file"),
    Limit("clauses_per_file", 256, "clauses in one statement file, all statements together"),
    Limit("statement_budget", 3600, "seconds of the search budget of one clause in a statement file"),
    Limit("statement_text_chars", 200, "characters of a statement's title in a statement file"),
)

LIMITS: dict[str, Limit] = {lim.name: lim for lim in _TABLE}


def limit(name: str) -> int:
    """The value of the named limit."""
    return LIMITS[name].value


def show(n: int) -> str:
    """``n`` in decimal when short, else its order of magnitude (a huge int is never formatted)."""
    if abs(n) < 10**30:
        return str(n)
    return f"about 10^{int(abs(n).bit_length() * math.log10(2))}" if n > 0 else "a huge negative number"


def check_at_most(value: int, name: str, what: str, fix: str = "") -> int:
    """``value`` if it is at most the limit ``name``; else a TooLargeError naming both."""
    top = limit(name)
    if value > top:
        raise TooLargeError(f"{what} = {show(value)} exceeds the limit {name} = {top}"
                            + (f"; {fix}" if fix else "") + " (see `dlm-verify limits`)")
    return value


def power_exceeds(V: int, L: int, top: int) -> bool:
    """Whether ``V^L > top``, decided without computing ``V^L`` when it is clearly huge."""
    if V <= 1:
        return 1 > top
    if L > top.bit_length():  # V^L >= 2^L > top, and L * log(V) might not even fit a float
        return True
    if L * math.log(V) > math.log(top) + 1e-9 * max(1.0, L):  # certainly beyond: no big power
        return True
    return V**L > top  # here V^L <= about e * top: cheap and exact


def check_power(V: int, L: int, name: str, what: str, fix: str = "") -> int:
    """``V^L`` if it is at most the limit ``name`` (checked through logs first); else a TooLargeError."""
    top = limit(name)
    if power_exceeds(V, L, top):
        raise TooLargeError(f"{what} V^L = {show(V)}^{show(L)} exceeds the limit {name} = {top}"
                            + (f"; {fix}" if fix else "") + " (see `dlm-verify limits`)")
    return V**L
