"""Reading a campaign results file for ``report`` and ``status``, as untrusted input.

The file is read through :func:`proofs_check.files.read_json` (size and depth limits) and every
field the report and the board use is checked for its type; anything else is a one-line
:class:`ResultsFileError` (exit 2), never a traceback.  The fields are still *data*: the HTML
writers escape every one of them.
"""

from __future__ import annotations

import math
from pathlib import Path

from proofs_check.errors import DlmInputError
from proofs_check.files import read_json

#: Versions of the results format this reader understands (a file without a version is the first one).
KNOWN_VERSIONS = (None, 1)
_INT_FIELDS = ("instances", "holds", "equal", "fails")
_STR_FIELDS = ("id", "provenance")


class ResultsFileError(DlmInputError):
    """A results file is malformed or of an unknown version."""


def load_results(path: Path) -> dict:
    """The parsed results of ``dlm-verify run`` at ``path``, with every used field type-checked."""
    obj = read_json(path, "results", ResultsFileError)
    fix = "rerun `dlm-verify run` to write it again"
    if not isinstance(obj, dict) or not isinstance(obj.get("statements"), list):
        raise ResultsFileError(f"{path} is not a results file (no 'statements' list); {fix}")
    version = obj.get("schema_version", obj.get("version"))
    if version not in KNOWN_VERSIONS:
        raise ResultsFileError(f"{path} has results version {str(version)[:20]!r}; this dlm-verify reads "
                               f"{[v for v in KNOWN_VERSIONS if v is not None]}; {fix}")
    for i, s in enumerate(obj["statements"]):
        _check_statement(s, f"{path}: statements[{i}]", fix)
    for key in ("total_checks", "seed", "elapsed_seconds"):
        if key in obj and not _is_number(obj[key]) and obj[key] is not None:
            raise ResultsFileError(f"{path}: '{key}' must be a number; {fix}")
    return obj


def _check_statement(s, where: str, fix: str) -> None:
    if not isinstance(s, dict):
        raise ResultsFileError(f"{where} is not an object; {fix}")
    for key in _STR_FIELDS:
        if not isinstance(s.get(key), str):
            raise ResultsFileError(f"{where} needs a string '{key}'; {fix}")
    for key in _INT_FIELDS:
        if isinstance(s.get(key), bool) or not isinstance(s.get(key), int) or s[key] < 0:
            raise ResultsFileError(f"{where} needs a count '{key}' (integer >= 0); {fix}")
    t = s.get("tightest_ratio")
    if t is not None and not (_is_number(t) and math.isfinite(t)):
        raise ResultsFileError(f"{where}: 'tightest_ratio' must be a finite number or null; {fix}")
    ratios = s.get("ratios", [])
    if not isinstance(ratios, list) or not all(_is_number(r) for r in ratios):
        raise ResultsFileError(f"{where}: 'ratios' must be a list of numbers; {fix}")
    worst = s.get("worst")
    if worst is not None and not (isinstance(worst, dict) and isinstance(worst.get("name"), str)
                                  and isinstance(worst.get("schedule"), list)):
        raise ResultsFileError(f"{where}: 'worst' must be null or an object with 'name' and 'schedule'; {fix}")


def _is_number(x) -> bool:
    """A JSON number usable as a float: a float, or an int of fewer than 1000 bits (no overflow)."""
    return isinstance(x, float) or isinstance(x, int) and not isinstance(x, bool) and x.bit_length() < 1000
