"""`dlm-verify check`: parsing user bounds safely, proving, refuting with certified counterexamples."""

from __future__ import annotations

import builtins
import json
import time
from fractions import Fraction

import pytest
import sympy as sp

from proofs_check.search import check as C
from proofs_check.search import usereval as E
from proofs_check.search import userexpr as U
from proofs_check.search import witnesses as W
from proofs_check.search.shards import executor
from proofs_check.numerics.certify import compare
from proofs_check.numerics.precision import FINAL_MAX_BITS
from proofs_check.cli.main import main
from proofs_check.sources.distributions import copy_distribution, parity_distribution
from proofs_check.sources.jsonio import from_json, load
from proofs_check.errors import ExpressionError
from proofs_check.model.instance import Instance, instance_cases
from proofs_check.model.schedules import Schedule
from theory import symbols as sy


def _recheck(cex: dict, text: str, over: str = "all"):
    """Rebuild the counterexample from its JSON and re-evaluate the relation from scratch."""
    dist = from_json(cex["distribution"])
    inst = Instance(dist, Schedule(tuple(cex["schedule"])))
    rel = U.parse(text).for_class(over)
    evs = [E.evaluate(rel, inst, case, max_prec=FINAL_MAX_BITS) for case in instance_cases(rel.clause(over), inst)]
    return evs


# -- false statements are refuted, with a certified counterexample ----------------------------------

FALSE = [
    # S1 with half its constant: the copy distribution with one big step meets S1 with equality
    ("KL_ideal <= (s_max - 1)/(2*L) * MI", "all"),
    # a lower bound claimed for every schedule: the all-ones schedule has KL = 0
    ("KL >= TC / T", "all"),
    # swapped quantities: TC = (L-1) H > DTC = H on copy
    ("TC <= DTC", "all"),
    # an upper bound without the s_max factor
    ("KL_ideal <= MI/(2*L)", "all"),
    # the randomized-offset upper bound with its constant halved
    ("KL_ideal <= (s - 1)/(4*L) * MI", "offset"),
    # not linear: checked by certified interval arithmetic
    ("sqrt(KL_ideal) <= sqrt(MI)/2", "all"),
    ("KL_ideal**2 <= TC*DTC", "all"),
]


@pytest.mark.parametrize("text,over", FALSE)
def test_false_statements_are_refuted_with_a_certified_counterexample(text, over):
    res = C.check(text, schedules=over, budget=20)
    assert res.verdict == "refuted" and res.exit_code == 1
    cex = res.counterexample
    assert cex["status"] == "fails"
    assert len(cex["lhs"].replace(".", "").lstrip("0-")) >= 25 or cex["lhs"] in ("0.0", "0")
    small, big = (cex["lhs"], cex["rhs"]) if cex["relation"] in ("<=", "<") else (cex["rhs"], cex["lhs"])
    assert float(small) > float(big)
    assert any(ev.violated for ev in _recheck(cex, text, over))


def test_halved_s1_counterexample_is_the_tight_copy_case():
    cex = C.check("KL <= (s_max - 1)/(2*L) * MI", budget=20).counterexample
    dist = from_json(cex["distribution"])
    inst = Instance(dist, Schedule(tuple(cex["schedule"])))
    assert inst.bruteforce and "enumerating" in cex["kl"]  # KL recomputed by brute force over reveal orders
    # on that instance S1 itself holds with equality: the halved constant loses exactly a factor 2
    case = instance_cases(U.parse("KL <= MI").clause("all"), inst)[0]
    s1 = compare(inst.value(sy.KL, case), inst.value((sy.s_max - 1) / sy.L * sy.MI, case), "<=")
    assert s1.status == "equal"


def test_upper_bound_without_s_max_fails_only_with_large_steps():
    res = C.check("KL_ideal <= MI/(2*L)", budget=20)
    assert max(res.counterexample["schedule"]) >= 2
    # with one token per step KL_ideal = 0, so the bound holds there
    assert C.check("KL_ideal <= MI/(2*L)", schedules="balanced", max_L=4, budget=5).verdict == "refuted"


def test_refutation_needing_a_larger_alphabet_is_found():
    # not Shannon-type (g(0) has coefficient -1/2) but the constant log 2 hides it for small alphabets
    res = C.check("KL_ideal <= MI/2 + log(2)", budget=20)
    assert res.verdict == "refuted"
    assert res.counterexample["V"] > 4


# -- true statements: verified for L <= N when linear (proved for every L only by the symbolic prover),
# -- not refuted otherwise ---------------------------------------------------------------------------

PROVED_FOR_EVERY_L = [
    ("KL_ideal <= (s_max - 1)/L * MI", "all"),                                      # S1
    ("KL <= (2**ceiling(log(s_max, 2)) - 1)/L * MI + eps_train", "all"),             # P1
    ("KL <= 1/T * MI + eps_train", "balanced"),                                     # P3 with C1 = 1
    ("MI == TC + DTC", "all"),                                                      # F3
    ("KL_ideal == TC", "one-step"),                                                 # F3
    ("(s - 1)/2 * D(L - s + 1) <= KL_ideal", "offset"),                             # S3 lower
    ("KL_ideal <= (s - 1)/(2*L) * MI", "offset"),                                   # S3 upper
]


@pytest.mark.parametrize("text,over", PROVED_FOR_EVERY_L)
def test_true_linear_statements_are_proved_for_every_L(text, over):
    # the finite proof to L = 8, no extreme ray refuting beyond it, then the symbolic certificate
    res = C.check(text, schedules=over, max_L=8, budget=10)
    assert res.linear and res.proof["L"] == [2, 8] and res.proof["cases"] > 0
    assert res.verdict == "proved" and res.exit_code == 0, res.notes
    assert res.L_range[1] is None and res.proof["symbolic"]["certificate"]
    assert any("no extreme ray" in n for n in res.notes), res.notes


def test_proof_carries_a_nonnegative_certificate():
    res = C.check("KL_ideal <= (s_max - 1)/L * MI", max_L=6, budget=30)
    cert = res.proof["certificate"]
    assert cert is not None and all(Fraction(c) >= 0 for c in cert["coefficients"].values())
    assert res.proof["cases"] == sum(2 ** (L - 1) for L in range(2, 7))


@pytest.mark.parametrize("text", ["KL_ideal <= sqrt(KL_ideal**2 + 1)", "log(1 + KL_ideal) <= KL_ideal",
                                  "Min(TC, DTC) <= MI/2"])
def test_true_nonlinear_statements_are_not_refuted(text):
    res = C.check(text, budget=3, seed=1)
    assert res.verdict == "not refuted" and res.exit_code == 3
    assert not res.linear and res.instances > 20
    assert res.searched.startswith(f"{res.instances} instances: ") and "Hypothesis" in res.searched
    assert res.best_ratio is not None and res.best_ratio <= 1


def _typed(res) -> dict:
    out = res.to_json()
    for timing in ("elapsed_seconds", "workers"):
        out.pop(timing)
    return out


def test_the_search_rounds_give_the_same_result_on_one_and_two_workers():
    """A fixed number of rounds (a fixed work list): every field of the result but the timing and
    the worker count is the same, however many processes shared the rounds."""
    one = C.check("KL_ideal*KL_ideal <= MI*MI", rounds=2, workers=1)
    two = C.check("KL_ideal*KL_ideal <= MI*MI", rounds=2, workers=2)
    assert one.verdict == "not refuted" and one.instances > 100 and two.workers == 2
    assert _typed(one) == _typed(two)
    assert _typed(C.check("KL_ideal*KL_ideal <= MI*MI", rounds=2, seed=1)) != _typed(one)  # can differ


def test_the_command_line_shares_rounds_and_reports_the_workers(capsys):
    assert main(["check", "KL_ideal*KL_ideal <= MI*MI", "--rounds", "1", "--workers", "2", "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "not refuted" and out["workers"] == 2 and out["instances"] > 20
    assert main(["check", "KL_ideal*KL_ideal <= MI*MI", "--rounds", "1", "--workers", "1", "--json"]) == 3
    one = json.loads(capsys.readouterr().out)
    assert (one["workers"], one["instances"], one["tightest"]) == (1, out["instances"], out["tightest"])


def test_a_violation_met_in_parallel_rounds_is_the_one_process_violation():
    """Rounds after the first violating one may have run on another worker; the merge drops them,
    so the shrunk counterexample and the tallies are the one-process ones."""
    def found(workers):
        search = W._Search(U.parse("MI*MI <= 16").for_class("all"), "all", 6, seed=0)
        with executor(workers) as (pool, n):
            search.hypothesis(time.monotonic() + 60, pool, n, rounds=4)
        f = search.found
        assert f is not None and f.evaluation.violated
        return search.instances, search.best_ratio, search.tightest, f.dist.to_json(), f.sched.sizes, f.case

    assert found(1) == found(2)


def test_hypothesis_search_finds_and_certifies_a_violation():
    rel = U.parse("KL_ideal <= 0.9*TC")  # false: KL_ideal = TC on the one-step schedule
    search = W._Search(rel, "all", 6, seed=3)
    search.hypothesis(time.monotonic() + 20)
    assert search.found is not None and search.found.evaluation.violated
    assert W._certify(rel, search.found) is not None


# -- the evaluator -----------------------------------------------------------------------------------

def _case(inst, over="all"):
    return instance_cases(U.parse("KL <= MI").clause(over), inst)[0]


def test_linear_sides_are_evaluated_exactly_and_others_by_intervals():
    inst = Instance(copy_distribution(3, 2), Schedule((2, 1)))
    ev = E.evaluate(U.parse("KL_ideal <= MI"), inst, _case(inst))
    assert ev.linear and ev.method.startswith("exact") and ev.status == "holds"
    ev = E.evaluate(U.parse("sqrt(KL_ideal) <= sqrt(MI)"), inst, _case(inst))
    assert not ev.linear and ev.method.startswith("interval") and ev.status == "holds"


def test_exact_equality_of_a_nonlinear_relation_is_recognised():
    inst = Instance(copy_distribution(3, 2), Schedule((1, 1, 1)))  # KL_ideal = 0 exactly
    ev = E.evaluate(U.parse("log(1 + KL_ideal) <= KL_ideal"), inst, _case(inst))
    assert ev.status == "equal" and ev.method == "exact-zero"


def test_floor_of_an_exact_integer_is_decided():
    inst = Instance(copy_distribution(3, 2), Schedule((3,)))  # MI = 3 log 2
    ev = E.evaluate(U.parse("ceiling(MI/log(2)) <= 3"), inst, _case(inst))
    assert ev.status == "equal"


def test_undefined_values_are_skipped_not_guessed():
    inst = Instance(copy_distribution(3, 2), Schedule((1, 1, 1)))
    with pytest.raises(E.Undefined):
        E.evaluate(U.parse("log(KL_ideal) <= 0"), inst, _case(inst))


# -- the parser ----------------------------------------------------------------------------------

def test_decimals_are_read_exactly():
    rel = U.parse("KL_ideal <= 0.1*MI")
    assert rel.rhs == sp.Rational(1, 10) * sy.MI


def test_parser_never_calls_eval_or_exec(monkeypatch):
    def forbidden(*a, **k):
        raise AssertionError("eval/exec called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    rel = U.parse("KL <= (2**ceiling(log(s_max, 2)) - 1)/L * MI + Min(eps_train, H) + g(L-2)")
    assert rel.rel == "<=" and rel.uses_kl


@pytest.mark.parametrize("text,needle", [
    ("foo <= 1", "allowed"), ("KL <= MI <= TC", "exactly one"), ("KL = MI", "=="), ("KL <= 2^L", "**"),
    ("KL", "not a relation"), ("KL <= h(KL)", "argument"), ("KL <= 2**KL", "exponent"),
])
def test_parser_messages_say_what_to_fix(text, needle):
    with pytest.raises(ExpressionError, match=None) as exc:
        U.parse(text)
    assert needle in str(exc.value)


HOSTILE = [
    "__import__('os').system('true')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__() <= 1",
    "lambda: 1",
    "(lambda: 1)() <= 1",
    "KL ** 10**10 <= 1",
    "9**9**9 <= KL",
    "((999999999999**64)**64)**64 <= KL",
    "KL <= 10000000000000",
    "open('x') <= 1",
    "KL <= MI.real",
    "KL <= [MI][0]",
    "KL <= 'x'",
    "x <= KL",
    "exp(KL) <= 1",
    "KL <= Max(*[1, 2])",
    "KL <= (L*L)**(L*L)",
    "KL <= MI if True else TC",
    "KL" * 200 + " <= 1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_expressions_exit_2_without_evaluation(text, monkeypatch, capsys):
    def no_evaluation(*a, **k):
        raise AssertionError("Instance.value was called for a rejected expression")

    monkeypatch.setattr(Instance, "value", no_evaluation)
    assert main(["check", text, "--budget", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dlm-verify check: error:") and "Traceback" not in err


# -- the command line ---------------------------------------------------------------------------------

def test_example_commands_give_the_right_verdicts(capsys):
    assert main(["check", "KL <= (s_max - 1)/(2*L) * MI", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "refuted" and out["linear"] is True
    assert out["counterexample"]["inspect"].startswith("dlm-verify inspect ")
    # balanced schedules include T = L (one token per step, KL = 0 < TC/L): the claim is false
    assert main(["check", "KL >= TC / T", "--schedules", "balanced", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "refuted" and out["schedules"] == "balanced"


def test_text_output_of_a_finite_proof(capsys):
    code = main(["check", "KL_ideal <= (s_max - 1)/L * MI", "--max-L", "6"])
    out = capsys.readouterr().out
    assert code == 0 and "delta(" in out and "PROVED for every L" in out


def test_saved_counterexample_reproduces_with_inspect(tmp_path, capsys):
    path = tmp_path / "cex.json"
    assert main(["check", "TC <= DTC", "--json", "--save-counterexample", str(path)]) == 1
    out = json.loads(capsys.readouterr().out)
    cex = out["counterexample"]
    assert load(path).L == cex["L"]
    assert cex["inspect"] == f"dlm-verify inspect --file {path} --schedule {','.join(map(str, cex['schedule']))} --digits 30"
    assert main(["inspect", "--file", str(path), "--schedule", ",".join(map(str, cex["schedule"])), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["TC"] == pytest.approx(float(cex["lhs"]), rel=1e-12)
    assert shown["DTC"] == pytest.approx(float(cex["rhs"]), rel=1e-12)


def test_not_refuted_output(capsys):
    assert main(["check", "KL_ideal <= sqrt(KL_ideal**2 + 1)", "--budget", "2", "--json"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "not refuted" and out["instances"] > 0 and out["counterexample"] is None
    assert out["schema"] == "dlm-verify/check/1" and out["method"] == "search" and out["L_range"] == [2, 6]
    assert out["searched"]


@pytest.mark.parametrize("argv", [["--schedules", "weird"], ["--max-L", "99"], ["--budget", "0"], ["--workers", "0"],
                                  ["--rounds", "-1"]])
def test_bad_options_exit_2(argv):
    assert main(["check", "KL <= MI", *argv]) == 2  # argparse's own errors too: the guard returns its code



def test_step_s_needs_the_offset_class():
    with pytest.raises(ExpressionError, match="offset"):
        C.check("KL_ideal <= s * MI")


def test_witness_directions_are_extreme_rays():
    # the distribution the prover names for g(u) has its pairwise profile concentrated at u
    L = 5
    for idx in range(L - 1):
        dist = next(W._direction(L, idx))
        inst = Instance(dist, Schedule((L,)))
        gs = [inst.value(sy.g(x), instance_cases(U.parse("MI <= MI").clause("all"), inst)[0]) for x in range(L - 1)]
        assert [not v.is_zero() for v in gs] == [x == idx for x in range(L - 1)]
    assert W.sum_zero_distribution(4, 3).n_support == 27
    assert parity_distribution(4).n_support == W.sum_zero_distribution(4, 2).n_support


# -- the every-L contract ------------------------------------------------------------------------------

def test_a_bound_true_up_to_max_L_but_false_beyond_is_refuted_not_proved(capsys):
    """TC <= 9 DTC holds for L <= 10 and fails on copy at L = 11 (TC = 10 log 2 > 9 log 2 = 9 DTC)."""
    assert main(["check", "TC <= 9*DTC", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "refuted" and out["L_range"] == [11, 11]
    cex = out["counterexample"]
    assert cex["L"] == 11 and cex["family"] == {"family": "copy", "L": 11, "V": 2} and cex["status"] == "fails"
    assert any(ev.violated for ev in _recheck(cex, "TC <= 9*DTC"))
    # with the constant that grows with L it is true for every L (L-1-u <= (L-1)(u+1)): no ray refutes it
    res = C.check("TC <= (L - 1)*DTC", max_L=6, budget=20)
    assert res.verdict in ("verified", "proved") and res.counterexample is None


@pytest.mark.parametrize("text,needle", [
    ("h(L+1) <= MI", "h(L + 1)"), ("g(-1) >= 0", "g(-1)"), ("delta(L) >= 0", "delta(L)"),
    ("D(L) <= MI", "D(L)"), ("h(1/2) <= H", "h(1/2)"), ("h(0.5) <= H", "h(1/2)"),
])
def test_meaningless_terms_are_bad_input_naming_the_term_and_its_range(text, needle, capsys):
    assert main(["check", text]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and needle in err and "<= arg <= L" in err


def test_a_relation_undefined_on_every_instance_is_bad_input_not_not_refuted(capsys):
    assert main(["check", "log(KL_ideal - TC) <= 0", "--budget", "2"]) == 2
    assert "no value on any instance" in capsys.readouterr().err


def test_terms_meaningful_for_some_L_are_accepted():
    for text in ("g(L-2) >= 0", "D(L-1) <= H", "h(L/2) <= H", "delta(L-1) >= 0"):
        U.parse(text)
