"""proofs_check/validate.py: option types with bounds; and the exit-code table in one place."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path

import pytest

from proofs_check import validate
from proofs_check.cli.main import build_parser
from proofs_check.limits import limit
from proofs_check.verdicts import EXIT_CODE_MEANINGS, ExitCode, exit_code_table


@pytest.mark.parametrize("text", ["0", "-1", "9" * 41, "x", "", "1.5", "1e3"])
def test_int_in_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError):
        validate.int_in(1, "T")(text)


def test_int_in_bounds_are_inclusive():
    assert validate.int_in(1, "T")(str(limit("T"))) == limit("T")
    with pytest.raises(argparse.ArgumentTypeError):
        validate.int_in(1, "T")(str(limit("T") + 1))


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "1e999", "x", str(limit("budget_seconds") + 1)])
def test_seconds_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError):
        validate.seconds(text)


def test_positive_fraction_is_exact():
    assert validate.positive_fraction("0.1") == Fraction(1, 10)
    for bad in ("0", "-1", "nan", "1e99999", "1/2", "1e7"):
        with pytest.raises(argparse.ArgumentTypeError):
            validate.positive_fraction(bad)


def test_statement_ids():
    assert validate.statement_id("S1") == "S1"
    with pytest.raises(argparse.ArgumentTypeError, match="unknown statement 'ZZ'"):
        validate.statement_id("ZZ")


def test_exit_code_table_covers_every_code_and_is_in_help_and_readme():
    assert set(EXIT_CODE_MEANINGS) == set(ExitCode)
    assert exit_code_table() in build_parser().format_help()
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert exit_code_table(markdown=True) in readme
