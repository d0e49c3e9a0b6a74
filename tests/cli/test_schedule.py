"""``dlm-verify schedule``: OPT(T) and the common schedules on small families (checked against
enumeration and the exact profile), the JSON schema, the figure, and bad input on one line."""

from __future__ import annotations

import pytest

from proofs_check.analysis import optimal as opt
from proofs_check.cli.main import main
from proofs_check.model.schedules import compositions
from proofs_check.numerics.certify import sign
from proofs_check.sources import families
from proofs_check.analysis.schedule_table import KINDS, SCHEMA_VERSION
from tests.cli.cli_contract import command_error, command_json

ENTRY_KEYS = {"kind", "sizes", "steps", "kl", "certified", "ratio", "value_zero", "bounds", "note"}


def schedule_json(capsys, *args) -> dict:
    return command_json(capsys, "schedule", *args)


def schedule_error(capsys, *args) -> str:
    return command_error(capsys, "schedule", *args)


def test_json_schema_and_opt_against_enumeration(capsys):
    out = schedule_json(capsys, "--family", "random", "--L", "6", "--T", "1..6")
    assert out["schema_version"] == SCHEMA_VERSION and out["L"] == 6 and out["units"] == "nats"
    prof = families.build("random", L=6).profile()
    for row in out["rows"]:
        assert [e["kind"] for e in row["entries"]] == list(KINDS)
        assert all(set(e) == ENTRY_KEYS for e in row["entries"])
        T = row["T"]
        best = min((opt.schedule_value(prof, c.sizes) for c in compositions(6) if c.T == T),
                   key=lambda v: float(v.mpf(30)))
        lo, hi = row["entries"][0]["kl"]
        assert row["opt_exact"] and lo <= float(best.mpf(30)) <= hi
        for e in row["entries"]:
            if e["certified"] and e["sizes"] is not None:
                assert sum(e["sizes"]) == 6 and len(e["sizes"]) == T
            if e["ratio"] is not None:
                assert e["ratio"][0] <= e["ratio"][1]
            if e["ratio"] is not None and e["sizes"] is not None:
                # a T-step schedule is at least OPT(T): a ratio certified below 1 would be a bug
                # (the laws may use more steps: the offset members have up to T + 1)
                assert e["ratio"][1] >= 1
            for key in ("P1", "S1", "W5"):  # the certified bounds hold on every fixed schedule
                if e["certified"] and e["bounds"][key] is not None:
                    assert e["kl"][0] <= e["bounds"][key][1]


def test_copy_reaches_zero_and_balanced_does_not(capsys):
    out = schedule_json(capsys, "--family", "copy", "--L", "8", "--T", "2..3")
    for row in out["rows"]:
        first = row["entries"][0]
        assert row["opt_exact"] and first["value_zero"] is True and first["ratio"] is None
        assert first["sizes"][0] == 1  # the first token alone, then everything is determined
        bal = next(e for e in row["entries"] if e["kind"] == "balanced")
        assert bal["ratio"] is None and not bal["value_zero"] and bal["kl"][0] > 0


def test_words_T4_prints_the_optimal_schedule(capsys):
    code = main(["schedule", "--family", "words", "--lang", "en", "--L", "6", "--T", "4"])
    out, err = capsys.readouterr()
    assert code == 0, err
    prof = families.build("words", L=6, lang="en").profile()
    sched, value = opt.optimal_schedule(prof, 4)
    assert "proved optimal (exact)" in out and str(sched) in out
    # no 4-part composition is better (the enumeration decides exactly)
    assert all(sign(opt.schedule_value(prof, c.sizes) - value)[0] >= 0 for c in compositions(6) if c.T == 4)


def test_plot_is_written(capsys, tmp_path):
    path = tmp_path / "kl.png"
    code = main(["schedule", "--family", "parity", "--L", "6", "--T", "1..6", "--plot", str(path)])
    capsys.readouterr()
    assert code == 0 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markov_chain_gives_brackets(capsys):
    out = schedule_json(capsys, "--family", "markov", "--L", "256", "--V", "3", "--T", "8")
    (row,) = out["rows"]
    first = row["entries"][0]
    assert not row["opt_exact"] and row["opt_lower"] <= first["kl"][1]
    assert first["kl"][1] - row["opt_lower"] < 1e-6 * first["kl"][1]
    bal = next(e for e in row["entries"] if e["kind"] == "balanced")
    assert bal["ratio"][0] >= 1 - 1e-6


@pytest.mark.parametrize("T, word", [("0", "1 <= T"), ("9", "L=8"), ("3..2", "A <= B"), ("x", "range like")])
def test_bad_T(capsys, T, word):
    assert word in schedule_error(capsys, "--family", "copy", "--L", "8", "--T", T)


def test_bad_plot_name(capsys):
    assert ".png" in schedule_error(capsys, "--family", "copy", "--L", "4", "--T", "2", "--plot", "out.pdf")
