"""Running one ``dlm-verify`` command in-process and checking the output contract.

Shared by the command tests: a ``--json`` run must exit 0 and print one JSON document; a bad
input must exit 2 with nothing on stdout, no traceback, and exactly one line on stderr that
starts with ``dlm-verify COMMAND: error: ``.
"""

from __future__ import annotations

import json

from proofs_check.cli.main import main


def command_json(capsys, command: str, *args) -> dict:
    """Run ``dlm-verify COMMAND ARGS --json``; return the parsed output."""
    code = main([command, *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def command_error(capsys, command: str, *args) -> str:
    """Run a failing ``dlm-verify COMMAND ARGS``; return its one-line message after checking the contract."""
    code = main([command, *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in err and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"dlm-verify {command}: error: "), err
    return lines[0]
