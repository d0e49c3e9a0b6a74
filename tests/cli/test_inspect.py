"""``dlm-verify inspect``: values, JSON schema, every way of choosing a distribution and a schedule,
and bad input reported on one line with exit code 2 (never a traceback)."""

from __future__ import annotations

import json
import math

import mpmath
import pytest

from proofs_check.cli.main import main
from theory.registry import BINDING_PROVENANCES
from tests.cli.cli_contract import command_error, command_json

REQUIRED_KEYS = {"L", "V", "H", "MI", "TC", "DTC", "profile", "schedule", "kl_ideal", "kl_bruteforce", "statements"}
STATEMENT_KEYS = {"id", "provenance", "lhs", "rhs", "verdict"}


def inspect_json(capsys, *args) -> dict:
    return command_json(capsys, "inspect", *args)


def inspect_error(capsys, *args) -> str:
    return command_error(capsys, "inspect", *args)


def write(tmp_path, name: str, obj) -> str:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


# -- the headline instance -----------------------------------------------------------------------------

def test_copy_L6_V3_schedule_321_gives_two_ln_3(capsys):
    out = inspect_json(capsys, "--family", "copy", "--L", "6", "--V", "3", "--schedule", "3,2,1")
    assert REQUIRED_KEYS <= set(out)
    ln3 = math.log(3)
    assert out["kl_ideal"] == pytest.approx(math.log(9), rel=1e-15)
    assert out["kl_bruteforce"] == pytest.approx(math.log(9), rel=1e-15)
    assert out["kl_ideal_omega_form"] == pytest.approx(math.log(9), rel=1e-15)
    assert (out["L"], out["V"], out["schedule"]) == (6, 3, [3, 2, 1])
    assert out["H"] == pytest.approx(ln3) and out["DTC"] == pytest.approx(ln3)
    assert out["TC"] == pytest.approx(5 * ln3) and out["MI"] == pytest.approx(6 * ln3)
    assert out["profile"] == pytest.approx([0] + [ln3] * 6)
    assert out["units"] == "nats"
    assert out["statements"]
    for row in out["statements"]:
        assert STATEMENT_KEYS <= set(row)
        assert row["verdict"] in ("holds", "equal", "fails")
        if row["provenance"] in BINDING_PROVENANCES:  # conjectures and refuted statements may fail
            assert row["holds"], row
    s1 = [r for r in out["statements"] if r["id"] == "S1"]
    assert s1 and all(r["verdict"] == "equal" for r in s1)  # S1 is tight on copy


def test_digits_30_are_correct(capsys):
    out = inspect_json(capsys, "--family", "copy", "--L", "6", "--V", "3", "--schedule", "3,2,1", "--digits", "30")
    with mpmath.workdps(60):
        two_ln3 = mpmath.nstr(2 * mpmath.log(3), 30)
        ln3 = mpmath.nstr(mpmath.log(3), 30)
    assert out["digits"]["kl_ideal"] == two_ln3 == out["digits"]["kl_bruteforce"]
    assert out["digits"]["H"] == ln3
    assert len(two_ln3.replace(".", "")) == 30


def test_text_output_is_a_table(capsys):
    assert main(["inspect", "--family", "copy", "--L", "6", "--V", "3", "--schedule", "3,2,1"]) == 0
    out = capsys.readouterr().out
    assert "kl_ideal" in out and "2.19722457733622" in out and "statements" in out


# -- choosing a distribution ---------------------------------------------------------------------------

def test_dense_and_sparse_files_agree(tmp_path, capsys):
    dense = write(tmp_path, "dense.json", {"kind": "dense", "vocab_size": 2, "length": 3,
                                           "weights": [3, 0, 0, 1, 0, 2, 0, 2]})
    sparse = write(tmp_path, "sparse.json", {"kind": "sparse", "vocab_size": 2, "length": 3,
                                             "support": [[1, 1, 1], [0, 0, 0], [1, 0, 1], [0, 1, 1]],
                                             "weights": [0.25, 0.375, 0.25, 0.125]})
    a = inspect_json(capsys, "--file", dense, "--schedule", "2,1")
    b = inspect_json(capsys, "--file", sparse, "--schedule", "2,1")
    for key in ("H", "MI", "TC", "DTC", "kl_ideal", "kl_bruteforce"):
        assert a[key] == pytest.approx(b[key], rel=1e-14, abs=1e-15), key
    assert a["digits"] == b["digits"]
    assert a["kl_ideal"] == pytest.approx(a["kl_bruteforce"], abs=1e-14)


@pytest.mark.parametrize("family,extra", [("parity", []), ("random", ["--V", "3", "--seed", "4"]),
                                          ("product", ["--V", "3"])])
def test_families(capsys, family, extra):
    out = inspect_json(capsys, "--family", family, "--L", "4", *extra, "--schedule", "2,2")
    assert out["L"] == 4 and out["kl_ideal"] == pytest.approx(out["kl_bruteforce"], abs=1e-12)
    if family == "parity":
        assert out["kl_ideal"] == pytest.approx(math.log(2))  # last step has size >= 2: one bit
    if family == "product":
        assert out["MI"] == pytest.approx(0, abs=1e-12) and out["kl_ideal"] == pytest.approx(0, abs=1e-12)


# -- choosing a schedule ----------------------------------------------------------------------------------

def test_default_schedule_is_one_step_and_its_error_is_TC(capsys):
    out = inspect_json(capsys, "--family", "random", "--L", "4", "--V", "2")
    assert out["schedule"] == [4]
    assert out["kl_ideal"] == pytest.approx(out["TC"], rel=1e-12)


def test_balanced_schedule(capsys):
    out = inspect_json(capsys, "--family", "copy", "--L", "7", "--V", "2", "--balanced", "3")
    assert out["schedule"] == [3, 2, 2]
    assert out["kl_ideal"] == pytest.approx(2 * math.log(2))  # (s_1 - 1) H for copy
    assert "kl_bruteforce" not in out  # L = 7: the brute-force route is skipped


def test_offset_schedule(capsys):
    out = inspect_json(capsys, "--family", "copy", "--L", "6", "--V", "2", "--offset", "2", "--step", "3")
    assert out["schedule"] == [2, 3, 1]
    assert out["kl_ideal"] == pytest.approx(math.log(2))


def test_perturbed_predictor_has_a_positive_training_error(capsys):
    out = inspect_json(capsys, "--family", "random", "--L", "4", "--V", "2", "--schedule", "2,2",
                       "--predictor", "perturbed")
    assert out["eps_train"] > 0
    assert out["kl_bruteforce"] == pytest.approx(out["kl_ideal"] + out["eps_train"], rel=1e-12)
    f1 = [r for r in out["statements"] if r["id"] == "F1"]
    assert f1 and f1[0]["verdict"] == "equal"
    opt = inspect_json(capsys, "--family", "random", "--L", "4", "--V", "2", "--schedule", "2,2")
    assert "eps_train" not in opt


# -- bad input: one line, exit 2 -----------------------------------------------------------------------

FAMILY = ["--family", "copy", "--L", "6", "--V", "3"]


@pytest.mark.parametrize("args,needle", [
    (FAMILY + ["--schedule", "3,2"], "sums to 5"),
    (FAMILY + ["--schedule", "3,0,3"], "size 0"),
    (FAMILY + ["--schedule", "3,x"], "3,x"),
    (FAMILY + ["--balanced", "0"], "--balanced: 0 must lie in 1.."),
    (FAMILY + ["--balanced", "7"], "T=7"),
    (FAMILY + ["--offset", "2"], "--step"),
    (FAMILY + ["--step", "2"], "--offset"),
    (FAMILY + ["--offset", "4", "--step", "3"], "r=4"),
    (FAMILY + ["--schedule", "6", "--balanced", "2"], "--balanced"),
    (["--family", "parity", "--L", "4", "--V", "3"], "--V 3"),
    (["--family", "copy", "--L", "0"], "--L: 0 must lie in 1.."),
    (["--family", "copy"], "None"),
    (["--family", "random", "--L", "30", "--V", "2"], "2^30"),
    (["--family", "random", "--L", "3", "--sparsity", "1.5"], "1.5"),
    ([], "--file"),
])
def test_bad_arguments(capsys, args, needle):
    assert needle in inspect_error(capsys, *args)


def test_file_and_family_together(tmp_path, capsys):
    path = write(tmp_path, "d.json", {"kind": "dense", "vocab_size": 2, "length": 1, "weights": [1, 1]})
    assert "exactly one" in inspect_error(capsys, "--file", path, *FAMILY)


@pytest.mark.parametrize("content,needle", [
    ({"kind": "dense", "vocab_size": 2, "weights": [1, 1, 1, 1]}, "'length'"),
    ({"kind": "sparse", "vocab_size": 2, "length": 2, "weights": [1]}, "'support'"),
    ({"kind": "banana", "vocab_size": 2, "length": 2}, "'banana'"),
    ('{"kind": "dense", "vocab_size": 2,', "not valid JSON"),
    ({"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, -2, 0, 0]}, "-2"),
    ({"kind": "dense", "vocab_size": 2, "length": 2, "weights": [0, 0, 0, 0]}, "zero"),
    ({"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 1, 1]}, "3 entries"),
    ({"kind": "sparse", "vocab_size": 2, "length": 2, "support": [[0, 5]], "weights": [1]}, "symbol 5"),
    ({"kind": "sparse", "vocab_size": 2, "length": 3, "support": [[0, 1]], "weights": [1]}, "L=3"),
    ({"kind": "dense", "vocab_size": 2, "length": 30, "weights": [1]}, "2^30"),
])
def test_bad_files(tmp_path, capsys, content, needle):
    path = write(tmp_path, "bad.json", content)
    assert needle in inspect_error(capsys, "--file", path, "--schedule", "1,1")


def test_missing_file(tmp_path, capsys):
    assert "nope.json" in inspect_error(capsys, "--file", str(tmp_path / "nope.json"))


def test_a_schedule_that_does_not_match_the_file(tmp_path, capsys):
    path = write(tmp_path, "d.json", {"kind": "dense", "vocab_size": 2, "length": 2, "weights": [1, 2, 3, 4]})
    assert "L=2" in inspect_error(capsys, "--file", path, "--schedule", "2,1")


def test_argparse_errors_exit_2_without_a_traceback(capsys):
    assert main(["inspect", "--family", "nonsense", "--L", "3"]) == 2  # the guard returns argparse's code
    err = capsys.readouterr().err
    assert "nonsense" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_ragged_support_file_is_a_one_line_error(tmp_path, capsys):
    path = write(tmp_path, "ragged.json", {"kind": "sparse", "vocab_size": 2, "length": 2,
                                           "support": [[0, 1], [0]], "weights": [1, 1]})
    inspect_error(capsys, "--file", path)


def test_dense_file_with_tiny_float_weight(tmp_path, capsys):
    path = write(tmp_path, "tiny.json", {"kind": "dense", "vocab_size": 2, "length": 2,
                                         "weights": [1e-20, 0.5, 0.25, 0.25]})
    out = inspect_json(capsys, "--file", path)
    assert out["H"] == pytest.approx(-(0.5 * math.log(0.5) + 0.5 * math.log(0.25)), rel=1e-12)


def test_an_L_too_large_for_the_profile_is_a_one_line_error(capsys, time_limit):
    with time_limit(3):
        assert "40" in inspect_error(capsys, "--family", "copy", "--L", "40", "--V", "2")


def test_a_long_markov_chain_file_is_inspected_from_its_closed_form(capsys, tmp_path):
    """A chain too long to enumerate: profile in closed form, every profile-level statement checked,
    KL_ideal equal to the profile formula evaluated independently from the float profile."""
    from proofs_check.sources.markov import random_chain

    chain = random_chain(300, V=4, seed=5)
    out = inspect_json(capsys, "--file", write(tmp_path, "chain.json", chain.to_json()), "--balanced", "10")
    assert out["L"] == 300 and out["V"] == 4 and "kl_bruteforce" not in out
    assert isinstance(out["support"], str) and out["support"].endswith("e" + str(len(str(chain.n_support)) - 1))
    h = chain.profile().h_float
    sizes, m, kl = out["schedule"], 0, 0.0
    for sk in sizes:  # F2's h-form, written out by hand
        kl += sk * (h[m + 1] - h[m]) - (h[m + sk] - h[m])
        m += sk
    assert math.isclose(out["kl_ideal"], kl, rel_tol=1e-9)
    ids = {r["id"] for r in out["statements"]}
    assert {"F3", "F4", "P1", "S1", "S3", "S4"} <= ids
    assert all(r["holds"] for r in out["statements"] if r["provenance"] in BINDING_PROVENANCES)


def test_a_learned_predictor_on_real_words_satisfies_f1_exactly(capsys):
    out = inspect_json(capsys, "--family", "words", "--lang", "en", "--L", "3", "--balanced", "2",
                       "--predictor", "learned", "--samples", "300", "--alpha", "0.5")
    assert out["eps_train"] > 0
    assert math.isclose(out["kl_bruteforce"], out["kl_ideal"] + out["eps_train"], rel_tol=1e-12)
    f1 = [r for r in out["statements"] if r["id"] == "F1"]
    assert f1 and all(r["verdict"] == "equal" for r in f1)


@pytest.mark.parametrize("args, fragment", [
    (["--family", "markov", "--L", "100", "--V", "3", "--predictor", "learned"], "too long to enumerate"),
    (["--family", "copy", "--L", "3", "--predictor", "learned", "--samples", "0"], "--samples: 0 must lie in 1.."),
    (["--family", "copy", "--L", "3", "--predictor", "learned", "--alpha", "-1"], "not a positive decimal number"),
])
def test_learned_predictor_bad_input(capsys, args, fragment):
    assert fragment in inspect_error(capsys, *args)
