"""The annotated notes in ``notes/`` are executed and cross-checked against the registry.

* every registry statement has its note (``Statement.note``), and every other Markdown file in
  ``notes/`` (except the overview and the README section) is a statement's note, titled with
  the statement's id and its registry title;
* the overview's table lists every statement with its registry provenance and title and links
  its note;
* every test file and test name a note cites exists, and every ``dlm-verify`` command a note
  shows is accepted by the command-line parser;
* every fenced ```python cell runs.  The cells of one note share one namespace and run in
  order, so a note reads like a notebook.  A cell followed directly by a ```text or ```math
  block must print exactly that block: the numbers a reader sees on GitHub are the numbers the
  code computes today.  After an intended change, regenerate the blocks with

      python tests/notes/test_notes.py --update            # all notes
      python tests/notes/test_notes.py --update notes/S1.md

  and review the diff.

Cells are executed here rather than by a Markdown pytest plugin: nothing to configure
(``testpaths = ["tests"]`` already collects this file), no extra dependency (the Markdown parser
is ``markdown-it-py``, which ``rich`` already requires), and output blocks are checked, which
neither sybil nor pytest-markdown-docs does for plain fenced code.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import os
import re
import shlex
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "notes"
OVERVIEW = "00-overview.md"
NOT_STATEMENT_NOTES = {OVERVIEW, "README_SECTION.md"}
OUTPUT_INFOS = ("text", "math")
SHELL_INFOS = ("sh", "bash", "console", "shell")
UPDATE_HINT = "if the change is intended, run `python tests/notes/test_notes.py --update {path}` and review the diff"

if str(ROOT) not in sys.path:  # allow `python tests/notes/test_notes.py --update` from anywhere
    sys.path.insert(0, str(ROOT))

from theory import registry  # noqa: E402


# -- parsing ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    """One ```python block: its code, where it starts, and the output block that follows it."""

    index: int
    source: str
    line: int  # 1-based line of the first code line in the note
    output: str | None = None  # expected stdout (a ```text / ```math block right after the cell)
    output_lines: tuple[int, int] | None = None  # 0-based [start, end) of the output block's body


def _tokens(text: str):
    return MarkdownIt("commonmark").parse(text)


def parse_cells(path: Path) -> list[Cell]:
    tokens = _tokens(path.read_text())
    cells: list[Cell] = []
    for i, tok in enumerate(tokens):
        if tok.type != "fence" or tok.info.strip() != "python":
            continue
        cell = Cell(len(cells), tok.content, tok.map[0] + 2)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.type == "fence" and nxt.info.strip() in OUTPUT_INFOS:
            cell.output = nxt.content
            cell.output_lines = (nxt.map[0] + 1, nxt.map[1] - 1)
        cells.append(cell)
    return cells


def fences(path: Path, infos) -> list[str]:
    return [t.content for t in _tokens(path.read_text()) if t.type == "fence" and t.info.strip() in infos]


def title(path: Path) -> str:
    tokens = _tokens(path.read_text())
    for a, b in zip(tokens, tokens[1:]):
        if a.type == "heading_open" and a.tag == "h1":
            return b.content
    return ""


def note_paths() -> list[Path]:
    return sorted(NOTES.glob("*.md"))


def statement_note_paths() -> list[Path]:
    return [p for p in note_paths() if p.name not in NOT_STATEMENT_NOTES]


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


# -- running ---------------------------------------------------------------------------------------


class CellError(AssertionError):
    pass


def run_note(path: Path) -> list[tuple[Cell, str]]:
    """Run every python cell of ``path`` in one namespace; return each cell with its stdout.

    The code is compiled with the note's own file name and line numbers, so a traceback points
    at the line of the Markdown file that failed.
    """
    ns = {"__name__": f"notes.{path.stem}", "__file__": str(path)}
    out = []
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        for cell in parse_cells(path):
            code = compile("\n" * (cell.line - 1) + cell.source, str(path), "exec")
            buf = io.StringIO()
            try:
                with contextlib.redirect_stdout(buf):
                    exec(code, ns)
            except Exception as exc:
                raise CellError(f"{path.relative_to(ROOT)}: cell {cell.index} (line {cell.line}) raised "
                                f"{type(exc).__name__}: {exc}") from exc
            out.append((cell, buf.getvalue()))
    finally:
        os.chdir(old)
    return out


def update_note(path: Path) -> int:
    """Rewrite the output blocks of ``path`` with what its cells print now; return how many changed."""
    lines = path.read_text().splitlines(keepends=True)
    changed = 0
    for cell, printed in reversed(run_note(path)):
        if cell.output_lines is None or _normal(printed) == _normal(cell.output):
            continue
        start, end = cell.output_lines
        body = _normal(printed)
        lines[start:end] = [line + "\n" for line in body.splitlines()] if body else []
        changed += 1
    path.write_text("".join(lines))
    return changed


# -- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sid", [st.id for st in registry.STATEMENTS])
def test_every_statement_has_a_note(sid):
    st = registry.get(sid)
    assert st.note == f"notes/{sid}.md", f"{sid}: note path {st.note!r} is not notes/{sid}.md"
    assert (ROOT / st.note).is_file(), f"{sid}: its note {st.note} does not exist"


@pytest.mark.parametrize("path", statement_note_paths(), ids=lambda p: p.name)
def test_every_note_is_titled_with_its_statement(path):
    st = registry.BY_ID.get(path.stem)
    assert st is not None, f"{path.name} is not the note of a registry statement ({', '.join(registry.BY_ID)})"
    head = title(path)
    assert re.match(rf"{st.id}\b", head), f"{path.name}: the title {head!r} must start with {st.id}"
    assert st.title in head, f"{path.name}: the title {head!r} must contain the registry title {st.title!r}"
    assert parse_cells(path), f"{path.name} has no python cell (the formula must be rendered from the registry)"
    assert any(f'registry.get("{st.id}")' in c.source for c in parse_cells(path)), \
        f"{path.name} never renders its statement from the registry"


def test_overview_table_lists_every_statement():
    text = (NOTES / OVERVIEW).read_text()
    rows = {m["id"]: m for m in re.finditer(
        r"^\|\s*\[(?P<id>\w+)\]\((?P<link>[\w.-]+)\)\s*\|\s*(?P<prov>\w+)\s*\|\s*(?P<title>[^|]+?)\s*\|", text, re.M)}
    assert set(rows) == set(registry.BY_ID), f"overview table ids {sorted(rows)} != registry {sorted(registry.BY_ID)}"
    for st in registry.STATEMENTS:
        row = rows[st.id]
        assert row["link"] == Path(st.note).name, f"overview: {st.id} links {row['link']}"
        assert row["prov"] == st.provenance, f"overview: {st.id} provenance {row['prov']} != {st.provenance}"
        assert row["title"] == st.title, f"overview: {st.id} title {row['title']!r} != {st.title!r}"


def test_readme_section_links_every_note():
    text = (NOTES / "README_SECTION.md").read_text()
    missing = [st.note for st in registry.STATEMENTS if f"]({st.note})" not in text]
    assert not missing and f"](notes/{OVERVIEW})" in text, f"README section does not link {missing or OVERVIEW}"


TEST_REF = re.compile(r"tests/(?P<file>(?:\w+/)*test_\w+\.py)(?:::(?P<name>\w+)(?:\[[^\]\s`]*\])?)?")


def _defines(source: str, name: str) -> bool:
    return re.search(rf"^(?:async\s+def|def|class)\s+{name}\b|^{name}\s*=", source, re.M) is not None


def missing_citations(text: str) -> list[str]:
    """Test files (``tests/<layer>/test_x.py``) and test names (``::test_y``) cited in ``text``
    that do not exist."""
    missing = []
    for m in TEST_REF.finditer(text):
        f = ROOT / "tests" / m["file"]
        if not f.is_file():
            missing.append(f"tests/{m['file']} (no such file)")
        elif m["name"] and not _defines(f.read_text(), m["name"]):
            missing.append(f"tests/{m['file']}::{m['name']} (not defined there)")
    return missing


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_cited_tests_exist(path):
    missing = missing_citations(path.read_text())
    assert not missing, f"{path.name} cites checks that do not exist: {sorted(set(missing))}"


def test_citation_check_reads_layered_paths():
    assert not missing_citations("`tests/prover/test_prover.py::test_mutant_refuted_with_certified_witness`")
    assert missing_citations("`tests/prover/test_prover.py::test_no_such_test`")
    assert missing_citations("`tests/prover/test_no_such_file.py`")


def _commands(path: Path) -> list[str]:
    cmds = [line.strip() for block in fences(path, SHELL_INFOS) for line in block.splitlines()]
    cmds += re.findall(r"`(dlm-verify(?: [^`]*)?)`", path.read_text())
    return [c.removeprefix("$ ") for c in cmds if c.removeprefix("$ ").startswith("dlm-verify")]


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_cited_commands_parse(path):
    from proofs_check.cli.main import DEFAULT, build_parser

    parser = build_parser()
    bad = []
    for cmd in _commands(path):
        argv = shlex.split(cmd, comments=True)[1:]
        if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
            argv = [DEFAULT, *argv]
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                parser.parse_args(argv)
        except SystemExit as exc:
            if exc.code:
                bad.append(f"{cmd!r}: {err.getvalue().strip().splitlines()[-1] if err.getvalue() else exc}")
    assert not bad, f"{path.name} shows commands the CLI rejects: {bad}"


@pytest.mark.parametrize("path", note_paths(), ids=lambda p: p.name)
def test_note_cells_run_and_print_their_output_blocks(path):
    rel = path.relative_to(ROOT)
    for cell, printed in run_note(path):
        if cell.output is None:
            continue
        want, got = _normal(cell.output), _normal(printed)
        if want != got:
            diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "note", "printed", lineterm=""))
            pytest.fail(f"{rel}: cell {cell.index} (line {cell.line}) printed something else than its output "
                        f"block:\n{diff}\n{UPDATE_HINT.format(path=rel)}", pytrace=False)


# -- regenerating output blocks --------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Run the notes and compare their output blocks; with --update "
                                             "rewrite the blocks instead.")
    ap.add_argument("--update", action="store_true", help="rewrite the ```text/```math blocks after cells")
    ap.add_argument("notes", nargs="*", type=Path, help="notes to process (default: all)")
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.notes] or note_paths()
    failed = False
    for p in paths:
        t0 = time.perf_counter()
        if args.update:
            n = update_note(p)
            print(f"{p.relative_to(ROOT)}: {n} output block(s) rewritten ({time.perf_counter() - t0:.2f}s)")
        else:
            stale = [c.index for c, printed in run_note(p)
                     if c.output is not None and _normal(printed) != _normal(c.output)]
            status = f"output blocks of cells {stale} differ" if stale else "ok"
            failed = failed or bool(stale)
            print(f"{p.relative_to(ROOT)}: {status} ({time.perf_counter() - t0:.2f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
