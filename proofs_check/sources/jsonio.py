"""Reading sources from JSON: dense and sparse distributions, Markov chains.

::

    {"kind": "dense",  "vocab_size": 2, "length": 2, "weights": [1, 0, 0, 1]}
    {"kind": "sparse", "vocab_size": 3, "length": 2, "support": [[0, 0], [2, 1]], "weights": [3, 1]}
    {"kind": "markov", "length": 64, "initial": [1, 1], "transition": [[3, 1], [1, 3]]}

(``"transitions"`` with ``L - 1`` matrices gives a chain with one matrix per step.)  Every
source's ``to_json()`` is read back by :func:`from_json`; a bad file raises a
:class:`~proofs_check.errors.DistributionError` naming the key or value to fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from proofs_check.errors import DistributionError
from proofs_check.sources.base import Source
from proofs_check.sources.distributions import Distribution
from proofs_check.sources.markov import chain_from_json

JSON_KINDS = ("dense", "sparse", "markov")


def from_json(obj) -> Source:
    """Build a source from a parsed JSON object: a Distribution, or a MarkovChain for ``markov``."""
    if not isinstance(obj, dict):
        raise DistributionError("a distribution file must hold one JSON object with a 'kind' key")
    kind = obj.get("kind")
    if kind == "markov":
        return chain_from_json(obj)
    try:
        if kind == "dense":
            return Distribution.dense(obj["vocab_size"], obj["length"], obj["weights"], name=obj.get("name", ""))
        if kind == "sparse":
            return Distribution(obj["vocab_size"], obj["length"], obj["support"], obj["weights"],
                                name=obj.get("name", ""))
    except KeyError as exc:
        raise DistributionError(f"{kind} distribution is missing the key {exc.args[0]!r}") from None
    raise DistributionError(f"unknown distribution kind {kind!r}; use one of {sorted(JSON_KINDS)}")


def load(path: str | Path) -> Source:
    """The source stored in the JSON file ``path``."""
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise DistributionError(f"cannot read distribution file {path}: {exc.strerror}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DistributionError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return from_json(obj)
