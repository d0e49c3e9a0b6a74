"""``dlm-verify``: the command line.

Subcommands live in :mod:`proofs_check.cli`; each module there provides
``register(subparsers)`` and a ``run(args) -> int``.  One guard, :func:`main`, turns every way a
command can end into an exit code of :class:`proofs_check.verdicts.ExitCode` (the table is
:data:`proofs_check.verdicts.EXIT_CODE_MEANINGS`, printed by ``--help``):

* bad input raises a :class:`~proofs_check.errors.DlmInputError`: one line on stderr, exit 2;
* any other exception is a bug: the traceback goes to a file under the system temp directory,
  one line on stderr names it, exit 4 (never 1, which means "a statement fails");
* Ctrl-C exits 130; a closed stdout (``| head``) stops quietly with 141 (128 + SIGPIPE).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import traceback

from proofs_check.errors import DlmInputError
from proofs_check.verdicts import ExitCode, exit_code_table

#: Subcommand modules in :mod:`proofs_check.cli`, in help order.
COMMANDS = ("run", "inspect", "prove", "check", "report", "status", "schedule", "adaptive", "limits")
DEFAULT = "run"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2), like every other error of the suite."""

    def error(self, message: str):
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {_one_line(message)} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dlm-verify",
        description="Verify the convergence theory of masked diffusion language models "
                    "(Li & Cai, arXiv 2505.21400). Without a subcommand: `run`.",
        epilog=exit_code_table(), formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"proofs_check.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = [DEFAULT, *argv]
    command = argv[0]
    try:
        args = build_parser().parse_args(argv)
        command = args.command
        return int(args.func(args) or 0)
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except DlmInputError as exc:
        print(f"dlm-verify {command}: error: {_one_line(str(exc))}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return _broken_pipe()
    except Exception as exc:  # noqa: BLE001 -- the one place that turns a bug into exit 4
        return _internal_error(command, exc)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _broken_pipe() -> int:
    """The reader of stdout went away: point stdout at /dev/null so the interpreter's final flush
    does not raise again, and exit quietly with 141."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (captured in tests)
        pass
    return ExitCode.BROKEN_PIPE


def _internal_error(command: str, exc: BaseException) -> int:
    """Write the traceback to a file and print one line saying it is a bug and where the file is."""
    try:
        fd, path = tempfile.mkstemp(prefix="dlm-verify-traceback-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            fh.write(f"dlm-verify {command}: internal error\n")
            traceback.print_exception(exc, file=fh)
        where = f"traceback in {path}"
    except OSError:
        where = "the traceback could not be written"
    name = type(exc).__name__
    print(f"dlm-verify {command}: internal error (a bug, please report it): {name}: "
          f"{_one_line(str(exc))[:200]}; {where}", file=sys.stderr)
    return ExitCode.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
