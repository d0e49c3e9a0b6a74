"""Reading sources from JSON: dense and sparse distributions, Markov chains.

::

    {"kind": "dense",  "vocab_size": 2, "length": 2, "weights": [1, 0, 0, 1]}
    {"kind": "sparse", "vocab_size": 3, "length": 2, "support": [[0, 0], [2, 1]], "weights": [3, 1]}
    {"kind": "markov", "length": 64, "initial": [1, 1], "transition": [[3, 1], [1, 3]]}
    {"kind": "noisy-copy", "length": 32, "eta": "1/10"}

(``"transitions"`` with ``L - 1`` matrices gives a chain with one matrix per step.)  Every
source's ``to_json()`` is read back by :func:`from_json`; a bad file raises a
:class:`~proofs_check.errors.DistributionError` naming the key or value to fix.
"""

from __future__ import annotations

from pathlib import Path

from proofs_check.errors import DistributionError
from proofs_check.files import read_json
from proofs_check.limits import check_at_most
from proofs_check.sources.base import Source
from proofs_check.sources.distributions import Distribution, NoisyCopy
from proofs_check.sources.markov import chain_from_json

JSON_KINDS = ("dense", "sparse", "markov", "noisy-copy")


def from_json(obj) -> Source:
    """Build a source from a parsed JSON object: a Distribution, or a MarkovChain for ``markov``."""
    if not isinstance(obj, dict):
        raise DistributionError("a distribution file must hold one JSON object with a 'kind' key")
    kind = obj.get("kind")
    name = obj.get("name", "")
    if not isinstance(name, str):
        raise DistributionError(f"'name' must be a string, got {type(name).__name__}")
    check_at_most(len(name), "name_chars", "the length of 'name'", "use a shorter name")
    if kind == "markov":
        return chain_from_json(obj)
    try:
        if kind == "dense":
            return Distribution.dense(obj["vocab_size"], obj["length"], obj["weights"], name=obj.get("name", ""))
        if kind == "sparse":
            return Distribution(obj["vocab_size"], obj["length"], obj["support"], obj["weights"],
                                name=obj.get("name", ""))
        if kind == "noisy-copy":  # {"kind": "noisy-copy", "length": 32, "eta": "1/10"}
            return NoisyCopy(obj["length"], obj["eta"])
    except KeyError as exc:
        raise DistributionError(f"{kind} distribution is missing the key {exc.args[0]!r}") from None
    raise DistributionError(f"unknown distribution kind {repr(kind)[:40]}; use one of {sorted(JSON_KINDS)}")


def load(path: str | Path) -> Source:
    """The source stored in the JSON file ``path``: its size, JSON nesting depth and name are
    checked (limits ``file_bytes``, ``json_depth``, ``name_chars``) before it is built."""
    return from_json(read_json(path, "distribution", DistributionError))
