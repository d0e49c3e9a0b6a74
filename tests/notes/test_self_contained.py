"""The repository stands alone: no tracked file points a reader at a document or a path outside it.

Notes, docstrings and comments carry their own derivations and cite papers by arXiv id and
theorem number.  A reference to a planning document that is not in the repository, or to a
machine path (a home or scratch directory of one machine), leaves the reader with nothing to open, so it fails here with the
file and line to fix.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Built from parts, so that this file does not mention what it forbids.
_DOCS = "|".join(re.escape(name + ".md") for name in ("THEORY", "DESIGN", "PEERS"))
OUTSIDE_DOCS = re.compile(rf"\b(?:{_DOCS})|\b(?:the|project)\s+{'brief'}\b", re.I)
MACHINE_PATH = re.compile(r"(?<![\w.~/-])(?:/(?:work|home|Users|root|tmp|mnt|srv|scratch)/[\w.-]"
                          r"|~/[\w.-]|[A-Za-z]:\\\\?[\w.-]|(?:\.\./){2,})")
SKIP_DIRS = {".git", ".venv", "build", "dist", "__pycache__", "out", "status", "report"}
SKIP_SUFFIXES = {".png", ".jpg", ".gif", ".pdf", ".whl", ".gz", ".zip", ".pyc"}


def tracked_files() -> list[Path]:
    """Files under version control (``git ls-files``); without git, every file outside build dirs."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
        paths = [ROOT / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return [p for p in paths if p.is_file() and p.suffix not in SKIP_SUFFIXES]


def outside_references(text: str) -> list[tuple[int, str]]:
    """``(line number, offending text)`` for every mention of an outside document or machine path."""
    hits = []
    for n, line in enumerate(text.splitlines(), 1):
        for pattern in (OUTSIDE_DOCS, MACHINE_PATH):
            hits += [(n, m.group(0)) for m in pattern.finditer(line)]
    return hits


def test_no_tracked_file_refers_outside_the_repository():
    bad = []
    for path in tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        bad += [f"{path.relative_to(ROOT)}:{n}: {hit!r}" for n, hit in outside_references(text)]
    assert not bad, ("these lines point outside the repository; give the derivation or the paper's "
                     "arXiv id and theorem instead:\n" + "\n".join(bad))


def test_the_scan_finds_tracked_files():
    names = {p.relative_to(ROOT).as_posix() for p in tracked_files()}
    assert {"README.md", "theory/registry.py", "notes/00-overview.md"} <= names


@pytest.mark.parametrize("line", [
    "Derived (" + "THEORY" + ".md, section 3, F1).",
    "see " + "design" + ".md for the layers",
    "as recorded in the project " + "brief",
    "as the " + "brief says",
    "run /" + "work/main/.venv/bin/python",
    "data in /" + "home/alice/words.json",
    "open ~/" + "notes.txt",
    "C:" + "\\Users\\bob",
    "from ../" + "../shared/x.md",
])
def test_outside_references_are_caught(line):
    assert outside_references(line), line


@pytest.mark.parametrize("line", [
    "Li & Cai, arXiv 2505.21400, Theorem 1",
    "derived here; proof in notes/S1.md",
    "theory/derivations/copy.py and tests/notes/test_notes.py",
    "ratio 1/2 of MI/L, and/or s/2",
    "`status/index.md` and `out/campaign.json`",
    "in brief: the error is MI/T",
])
def test_repository_references_pass(line):
    assert not outside_references(line), line
