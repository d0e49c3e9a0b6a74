"""``dlm-verify``: the command line.

Subcommands live in :mod:`proofs_check.cli`; each module there provides
``register(subparsers)`` and a ``run(args) -> int``.  Bad input raises a
:class:`~proofs_check.errors.DlmInputError`; it is printed on one line and the
exit code is 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from proofs_check.errors import DlmInputError

#: Subcommand modules in :mod:`proofs_check.cli`, in help order.
COMMANDS = ("run", "inspect", "prove", "check", "report", "status", "schedule", "adaptive")
DEFAULT = "run"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlm-verify",
        description="Verify the convergence theory of masked diffusion language models "
                    "(Li & Cai, arXiv 2505.21400). Without a subcommand: `run`.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"proofs_check.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = [DEFAULT, *argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DlmInputError as exc:
        print(f"dlm-verify {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
