"""The input and exit-code contract of every command, under attack.

Every case runs in-process through ``proofs_check.cli.main.main(argv)`` with stdout/stderr
captured, and must keep the contract:

* the exit code is one of 0, 1, 2, 3 (never 4, an internal error: a bug);
* on exit 2 stderr is exactly one line; nowhere is there traceback text;
* the case finishes within ``CASE_SECONDS`` of CPU time (a SIGPROF timer fails it otherwise: CPU,
  not wall time, so a busy shared machine does not fail a case) and its Python
  allocations peak below ``CASE_PEAK_BYTES`` (tracemalloc).

Hypothesis generates malformed distribution files (wrong kinds and types, huge, negative,
fractional, NaN and infinite sizes and weights, deep nesting, huge integers, hostile strings),
malformed results files and hostile option values; ``ATTACKS`` lists the patterns an attacker's
test found, as explicit regression cases.  ``FUZZ_COUNTS=path`` writes how many generated cases
ran and their exit codes (the numbers quoted in the report of this suite's contract).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import signal
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proofs_check.cli.main import main

CASE_SECONDS = 10.0
REPORT_SECONDS = 30.0
CASE_PEAK_BYTES = 512 << 20
RSS_ALLOWANCE = 1 << 30  # untraced cases: the whole process (interpreter, numpy, matplotlib) stays under 1.5 GB
ALLOWED = {0, 1, 2, 3}
COUNTS: Counter = Counter()


class CaseTimeout(BaseException):  # not an Exception: the CLI guard must not turn it into exit 4
    pass


def _alarm(signum, frame):
    raise CaseTimeout("a case ran longer than its time bound")


def run_case(argv: list[str], kind: str = "case", trace: bool = True) -> tuple[int, str, str]:  # noqa: C901
    """Run one command in-process and assert the contract; returns (code, stdout, stderr).

    ``trace=False`` (cases that may write a whole report, whose exact arithmetic tracemalloc slows
    several-fold) bounds the process's peak resident size instead of the traced allocations, and
    allows ``REPORT_SECONDS``: a valid results file means drawing the report's fixed figures."""
    seconds = CASE_SECONDS if trace else REPORT_SECONDS
    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGPROF, _alarm)
    if trace:
        tracemalloc.start()
    t0 = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        elapsed = time.process_time() - t0
        if trace:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - RSS_ALLOWANCE
    o, e = out.getvalue(), err.getvalue()
    COUNTS[(kind, int(code))] += 1
    assert code in ALLOWED, f"{argv}: exit {code}: {e}"
    assert "Traceback" not in o + e, f"{argv}: traceback in the output: {e[-2000:]}"
    if code == 2:
        lines = e.strip().splitlines()
        assert len(lines) == 1 and "error" in lines[0], f"{argv}: stderr is not one error line: {e!r}"
    assert elapsed < seconds and peak < CASE_PEAK_BYTES, (argv, elapsed, peak)
    return code, o, e


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    """Warm up first (imports and the registry's compiled forms are one-time costs, not a case's),
    then write the counts when ``FUZZ_COUNTS`` names a file."""
    import proofs_check.analysis.report  # noqa: F401  (matplotlib)
    import proofs_check.prover.core  # noqa: F401

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["inspect", "--family", "copy", "--L", "3", "--balanced", "2"])
        main(["prove", "--max-L", "2", "--witnesses", "none"])
    yield
    target = os.environ.get("FUZZ_COUNTS")
    if target:
        Path(target).write_text(json.dumps({f"{k} exit {c}": n for (k, c), n in sorted(COUNTS.items())}, indent=1))


def _file(directory: str, name: str, content) -> str:
    path = Path(directory) / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


# -- strategies --------------------------------------------------------------------------------------

HOSTILE_TEXT = ["[bold red]boom[/]", "<script>alert(1)</script>", "\x00\x1b[31m", "$\\frac{1}{0}$", "",
                "a" * 5000, "NaN", "-1", "1e309", "\u202e\ufeff", "{\"kind\": 1}"]
HUGE = [10**30, 10**400, -(10**30), 2**63, 2**64 + 1, 10**1000]

numbers = st.one_of(
    st.integers(-3, 30), st.sampled_from(HUGE), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-300, 5e-324, 1.7e308, 0.5, -0.0, 1.0]),
)
scalars = st.one_of(numbers, st.booleans(), st.none(), st.sampled_from(HOSTILE_TEXT), st.text(max_size=8))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=6),
                                                           st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                           max_leaves=30)
weight_lists = st.one_of(st.lists(numbers, min_size=0, max_size=12), json_values)
sizes = st.one_of(st.integers(-2, 6), st.sampled_from(HUGE), st.floats(), st.sampled_from(["3", None, True, [2]]))


@st.composite
def distribution_objects(draw):
    kind = draw(st.sampled_from(["dense", "sparse", "markov", "DENSE", None, 3, ["dense"], "random"]))
    obj: dict = {"kind": kind}
    if draw(st.booleans()):
        obj["name"] = draw(st.one_of(st.sampled_from(HOSTILE_TEXT), json_values))
    if kind in ("dense", "sparse") or draw(st.booleans()):
        obj["vocab_size"] = draw(sizes)
        obj["length"] = draw(sizes)
        obj["weights"] = draw(weight_lists)
    if kind == "sparse":
        obj["support"] = draw(st.one_of(st.lists(st.lists(numbers, max_size=5), max_size=8), json_values))
    if kind == "markov":
        obj["length"] = draw(sizes)
        obj["initial"] = draw(weight_lists)
        key = draw(st.sampled_from(["transition", "transitions"]))
        obj[key] = draw(st.one_of(st.lists(st.lists(numbers, max_size=4), max_size=4), json_values))
    if draw(st.integers(0, 9)) == 0:
        obj[draw(st.text(max_size=5))] = draw(json_values)
    return obj


raw_files = st.one_of(
    st.builds(lambda o: json.dumps(o), distribution_objects()),
    st.builds(lambda n: "[" * n + "]" * n, st.integers(1, 50_000)),
    st.builds(lambda d: '{"kind": "dense", "vocab_size": 2, "length": 1, "weights": [' + "9" * d + ", 1]}",
              st.integers(1, 6000)),
    st.binary(max_size=64),
    st.text(max_size=64),
)

# nested_given: `check` runs its own Hypothesis search inside the generated case
FUZZ_SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                HealthCheck.filter_too_much, HealthCheck.nested_given],
                         deadline=None)


def _scaled(fraction: float) -> int:
    return max(5, int(settings.default.max_examples * fraction))


# -- generated distribution files, options and results files -----------------------------------------

SCHEDULE_OPTIONS = [[], ["--balanced", "2"], ["--schedule", "1,1"], ["--offset", "1", "--step", "2"],
                    ["--balanced", "0"], ["--schedule", "x"], ["--predictor", "perturbed"]]


@settings(FUZZ_SETTINGS, max_examples=_scaled(0.6))
@given(content=raw_files, extra=st.sampled_from(SCHEDULE_OPTIONS), as_json=st.booleans())
def test_generated_distribution_files_keep_the_contract(content, extra, as_json):
    with tempfile.TemporaryDirectory() as d:
        path = _file(d, "dist.json", content)
        run_case(["inspect", "--file", path, *extra, *(["--json"] if as_json else [])], "distribution file")


OPTION_POOLS = {
    "int": ["0", "-1", "1", "2", "3", "30", "4096", "1e3", "9" * 40, "9" * 5000, "nan", "x", "", "3.5", "0x10", "+2"],
    "real": ["0", "-1", "nan", "inf", "-inf", "1e999", "0.25", "abc", "1/2", "", "1e-320"],
    "text": HOSTILE_TEXT + ["parity", "product", "random", "ZZ", "S1", "3,2,1", "1," * 20000, "KL <= MI", "__import__('os')"],
}
COMMAND_OPTIONS = {
    "inspect": (["--family", "copy", "--L", "2"], {"--L": "int", "--V": "int", "--seed": "int", "--sparsity": "real",
                                                   "--balanced": "int", "--schedule": "text", "--digits": "int",
                                                   "--samples": "int", "--alpha": "real", "--offset": "int",
                                                   "--step": "int", "--family": "text", "--lang": "text"}),
    "prove": (["--max-L", "2", "--witnesses", "none"], {"--max-L": "int", "--statement": "text",
                                                        "--certificate": "text", "--L": "int", "--u": "int",
                                                        "--clause": "int", "--schedule": "text", "--step": "int"}),
    "check": (["KL <= MI", "--max-L", "2", "--budget", "0.5"], {"--max-L": "int", "--budget": "real",
                                                                "--seed": "int", "--schedules": "text"}),
    "limits": ([], {"--json": None}),
}


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(COMMAND_OPTIONS)))
    base, options = COMMAND_OPTIONS[command]
    argv = [command, *base]
    for opt in draw(st.lists(st.sampled_from(sorted(options)), max_size=3, unique=True)):
        pool = options[opt]
        argv += [opt] if pool is None else [opt, draw(st.sampled_from(OPTION_POOLS[pool]))]
    return argv


@settings(FUZZ_SETTINGS, max_examples=_scaled(0.5))
@given(argv=command_lines())
def test_generated_option_values_keep_the_contract(argv):
    run_case(argv, "options")


@settings(FUZZ_SETTINGS, max_examples=_scaled(0.4))
@given(budget=st.sampled_from(OPTION_POOLS["real"] + OPTION_POOLS["int"]),
       statement=st.sampled_from(OPTION_POOLS["text"]), max_l=st.sampled_from(OPTION_POOLS["int"]))
def test_run_options_are_rejected_before_the_campaign(budget, statement, max_l):
    """``run`` with hostile options and an output path that cannot be written: always exit 2, at once
    (a valid run is a whole campaign, tested elsewhere)."""
    with tempfile.TemporaryDirectory() as d:
        blocker = _file(d, "file", "x")
        code, _, _ = run_case(["run", "--budget", budget, "--statement", statement, "--max-L", max_l,
                               "--json", str(Path(blocker) / "out.json")], "run options")
    assert code == 2


@st.composite
def results_objects(draw):
    statement = draw(st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.sampled_from(HOSTILE_TEXT), json_values), "provenance": st.sampled_from(["paper", 3, None]),
        "instances": sizes, "holds": sizes, "equal": sizes, "fails": sizes,
        "tightest_ratio": numbers, "ratios": weight_lists,
        "worst": st.one_of(st.none(), json_values)}))
    top = draw(st.fixed_dictionaries({}, optional={
        "statements": st.one_of(st.lists(st.just(statement), max_size=3), json_values),
        "version": st.sampled_from([1, 2, "x", None]), "total_checks": numbers, "seed": scalars}))
    return top if draw(st.integers(0, 5)) else draw(json_values)


@settings(FUZZ_SETTINGS, max_examples=_scaled(0.3))
@given(content=st.one_of(st.builds(json.dumps, results_objects()), st.binary(max_size=32)),
       command=st.sampled_from(["report", "status"]))
def test_generated_results_files_keep_the_contract(content, command):
    with tempfile.TemporaryDirectory() as d:
        path = _file(d, "results.json", content)
        extra = ["--max-L", "2"] if command == "status" else []
        run_case([command, "--results", path, "--out", str(Path(d) / "out"), *extra], "results file", trace=False)


# -- the attacker's patterns, one by one -------------------------------------------------------------

def _dense(**kw):
    return {"kind": "dense", "vocab_size": 2, "length": 3, "weights": [1] * 8, **kw}


ATTACKS = {
    "L = 10^30 (V^L must not be formatted)": (_dense(length=10**30), 2),
    "V = 10^30": (_dense(vocab_size=10**30, length=1), 2),
    "V = 10^30, L = 10^400 (L log V overflows a float; found by the deep fuzz run)":
        (_dense(vocab_size=10**30, length=10**400, weights=[]), 2),
    "weights past the float range": (_dense(weights=[1.0, 1e-300, 0, 0, 0, 0, 0, 1.0]), 0),
    "integer weights of 10^400": ({"kind": "dense", "vocab_size": 2, "length": 1, "weights": [10**400, 1]}, 0),
    "weight of 5000 digits": ('{"kind": "dense", "vocab_size": 2, "length": 1, "weights": [' + "7" * 5000 + ", 1]}", 2),
    "markov L = 10^9": ({"kind": "markov", "length": 10**9, "initial": [1, 1], "transition": [[1, 1], [1, 1]]}, 2),
    "markov V = 5000": ({"kind": "markov", "length": 3, "initial": [1] * 5000, "transition": [[1]]}, 2),
    "nesting 100000 deep": ("[" * 100_000 + "]" * 100_000, 2),
    "NaN weight": ('{"kind": "dense", "vocab_size": 2, "length": 1, "weights": [NaN, 1]}', 2),
    "Infinity length": ('{"kind": "dense", "vocab_size": 2, "length": Infinity, "weights": [1, 1]}', 2),
    "fractional symbol": ({"kind": "sparse", "vocab_size": 2, "length": 1, "support": [[0.5]], "weights": [1]}, 2),
    "symbol 1e300": ({"kind": "sparse", "vocab_size": 2, "length": 1, "support": [[1e300]], "weights": [1]}, 2),
    "support of strings": ({"kind": "sparse", "vocab_size": 2, "length": 1, "support": "ab", "weights": [1, 1]}, 2),
    "not UTF-8": (b"\xff\xfe\x00", 2),
    "kind is a list": ({"kind": ["dense"]}, 2),
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacker_distribution_files(name, tmp_path):
    content, expected = ATTACKS[name]
    path = _file(str(tmp_path), "attack.json", content)
    code, out, err = run_case(["inspect", "--file", path], "attack")
    assert code == expected, (name, err)


def test_names_from_files_are_not_rich_markup(tmp_path):
    path = _file(str(tmp_path), "n.json", _dense(name="[bold red]boom[/]"))
    code, out, _ = run_case(["inspect", "--file", path], "attack")
    assert code == 0 and "[bold red]boom[/]" in out


@pytest.mark.parametrize("argv, needle", [
    (["run", "--statement", "ZZ"], "unknown statement 'ZZ'"),
    (["report", "--budget", "-1"], "--budget"),
    (["run", "--budget", "nan"], "--budget"),
    (["check", "KL <= MI", "--budget", "inf"], "--budget"),
    (["inspect", "--family", "copy", "--L", "3", "--digits", "100000"], "--digits"),
    (["inspect", "--family", "copy", "--L", "3", "--samples", "-5", "--predictor", "learned"], "--samples"),
    (["inspect", "--family", "markov", "--L", "10", "--V", "1000"], "markov_V"),
    (["inspect", "--family", "copy", "--L", "999999999999999999999"], "--L"),
    (["inspect", "--family", "parity", "--L", "4096"], "limit"),  # was an internal error (2^4096 rows)
    (["inspect", "--family", "parity", "--L", "30"], "limit"),  # was 4 GB and minutes
    (["inspect", "--family", "product", "--L", "4096", "--V", "65536"], "limit"),  # was 4 GB
    (["inspect", "--family", "copy", "--L", "4096", "--V", "65536"], "limit"),  # was 2 GB before the check
    (["prove", "--max-L", "1000000"], "--max-L"),
    (["status", "--max-L", "99"], "--max-L"),
])
def test_attacker_options_are_one_line_errors(argv, needle):
    code, _, err = run_case(argv, "attack")
    assert code == 2 and needle in err, err


def test_unwritable_run_output_fails_before_the_campaign(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    t0 = time.process_time()
    code, _, err = run_case(["run", "--budget", "60", "--json", str(blocker / "out.json")], "attack")
    assert code == 2 and "f" in err and time.process_time() - t0 < 2  # no 60 s campaign first


def test_output_directory_in_the_way(tmp_path):
    code, _, err = run_case(["check", "KL <= MI", "--save-counterexample", str(tmp_path)], "attack")
    assert code == 2 and "is a directory" in err


@pytest.mark.parametrize("content", ["{", "[]", '{"statements": 3}', '{"statements": [{"id": 1}]}',
                                     '{"statements": [], "version": 99}', "\xff"])
@pytest.mark.parametrize("command", ["report", "status"])
def test_malformed_results_files_are_one_line_errors(command, content, tmp_path):
    path = _file(str(tmp_path), "r.json", content)
    code, _, err = run_case([command, "--results", path, "--out", str(tmp_path / "o")], "attack")
    assert code == 2 and "r.json" in err


def test_hostile_results_fields_are_escaped_in_html(tmp_path):
    from proofs_check.search.results import CampaignResult, StatementTally

    stmt = StatementTally("<script>alert(1)</script>", "<b>title</b>", "[bold red]paper[/]", instances=1,
                          checks=1, holds=1, tightest_ratio=0.5, ratios=[0.5])
    valid = CampaignResult(seed=0, budget_seconds=1.0, elapsed_seconds=1.0, statements=[stmt]).to_json()
    path = _file(str(tmp_path), "r.json", valid)  # valid by the schema, hostile in its text fields
    code, out, _ = run_case(["report", "--results", path, "--out", str(tmp_path / "rep")], "attack", trace=False)
    page = (tmp_path / "rep" / "report.html").read_text()
    assert code == 0 and "<script>" not in page and "&lt;script&gt;" in page
    assert "<script>" not in (tmp_path / "rep" / "report.md").read_text()


def test_a_bug_exits_4_with_the_traceback_in_a_file(monkeypatch, capsys):
    import proofs_check.cli.limits as limits_cmd

    def boom(args):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(limits_cmd, "run", boom)
    assert main(["limits"]) == 4
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "a bug" in err and "ZeroDivisionError: planted" in err
    trace = Path(err.rsplit("traceback in ", 1)[1])
    assert "Traceback" in trace.read_text() and "planted" in trace.read_text()
    trace.unlink()


def test_a_closed_stdout_is_quiet_and_not_a_failure(monkeypatch, capsys):
    import proofs_check.cli.limits as limits_cmd

    def closed(args):
        raise BrokenPipeError

    monkeypatch.setattr(limits_cmd, "run", closed)
    assert main(["limits"]) == 141
    assert capsys.readouterr().err == ""
