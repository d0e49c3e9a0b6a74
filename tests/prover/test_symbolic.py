"""Every-L certificates (``proofs_check.prover.symbolic``) and their two cross-checks.

* (a) each symbolic coefficient, evaluated at the local parameters of a concrete case, equals
  the finite prover's exact coefficient (``core.certificate``) for every ``u``: every case of
  every quantifier for ``L <= 8`` here, and up to ``L = 16`` under the ``slow`` marker, where
  schedule quantifiers use representative schedules (see :func:`_representatives`);
* (b) z3 re-checks every obligation and agrees with the symbolic verdict;
* mutants (a constant too small, a term dropped) are not proved, and z3 finds a counterexample.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest
import sympy as sp

from proofs_check.prover import core
from proofs_check.prover.smt import check_result
from proofs_check.prover.symbolic import prove_for_all_L, prove_statement_symbolic
from proofs_check.search.userexpr import parse
from theory import definitions as defs
from theory import domains as dom
from theory import registry
from theory.linear import Case
from theory.symbols import MI, TC, L, delta, e, eps_train, g, k, m, s, s_max, s_step, u, T

NOT_SYMBOLIC = {"P4.reading_a"}  # conjecture; its sum of 2^-j D(2^j) has no c(j) g(j) form


@pytest.fixture(scope="module")
def results():
    return {r.clause_id: r for st in registry.STATEMENTS for r in prove_statement_symbolic(st)}


def _case_by_case(clause) -> bool:
    """Clauses over a quantifier with no symbolic domain, or built from the per-case profile forms
    (Gamma, H, Hc, ...) of Wainwright's statements: decided per L by the finite prover only."""
    from theory import definitions as defs
    return clause.over in dom.FINITE_ONLY or sp.sympify(clause.lhs - clause.rhs).has(*defs.PROFILE_FORMS)


def test_every_paper_and_derived_linear_clause_is_proved_for_all_L(results):
    expected = {st.clause_id(i) for st in registry.STATEMENTS if st.provenance != "conjecture"
                for i, c in enumerate(st.clauses) if c.prover and not _case_by_case(c)}
    proved = {cid for cid, r in results.items() if r.proved}
    assert expected <= proved, sorted(expected - proved)


def test_case_by_case_clauses_say_why_they_are_not_proved_symbolically(results):
    """BER, W1-W7: 'not proved symbolically' with the reason (no domain, or a per-case form)."""
    seen = 0
    for st in registry.STATEMENTS:
        for i, c in enumerate(st.clauses):
            if c.prover and _case_by_case(c):
                r = results[st.clause_id(i)]
                assert not r.proved and ("no symbolic domain" in r.reason or "case by case" in r.reason
                                         or "up to T - 1" in r.reason), (r.clause_id, r.reason)
                assert "NOT proved symbolically" in r.certificate_text(detail=False)
                seen += 1
    assert seen == 15  # BER 2, W1 2, W2 1, W3 2, W4 1, W5 1, W6 5, W7 1
    for cid in NOT_SYMBOLIC:
        assert not results[cid].proved and "Sum over j" in results[cid].reason


def test_z3_agrees_on_every_registry_clause(results):
    for cid, r in results.items():
        rep = check_result(r)
        assert rep.agrees, (cid, rep.to_json())
        if r.proved:
            assert rep.proved


def test_user_relations():
    ok = prove_for_all_L(parse("KL_ideal <= (s_max - 1)/L * MI").clause("all"))
    assert ok.proved and check_result(ok).proved
    bad = prove_for_all_L(parse("TC <= 9*DTC").clause("profile"))
    assert not bad.proved
    coef = bad.coefficients["g(u)"]
    assert all(coef.subs({u: 0, L: n}) == 10 - n for n in range(2, 30))  # the coefficient of g(0)
    rep = check_result(bad)
    assert rep.agrees and any(v.result == "sat" and v.model["L"] >= 11 for v in rep.verdicts)


def _mutant(sid, key, **changes):
    st = registry.get(sid)
    return dataclasses.replace(st.clauses[st.clause_index(key)], **changes)


MUTANTS = {
    "S1 constant (s_max-2)/L": _mutant("S1", "telescoped", rhs=(s_max - 2) / L * MI),
    "P1 constant 2^ceil(log2 s_max) - 2": _mutant(
        "P1", "upper", rhs=(2 ** sp.ceiling(sp.log(s_max, 2)) - 2) / L * MI + eps_train),
    "S1 per-step bound with -delta(e_k) dropped": _mutant(
        "S1", "per_step", rhs=sp.Sum((s[k] - 1) * delta(m[k]), (k, 1, T))),
    "TC form with the -u dropped": _mutant("F3", "tc_form", rhs=sp.Sum((L - 1) * g(u), (u, 0, L - 2))),
    "P2 allowance s_max/(4L)": _mutant("P2", "halving", rhs=registry.KL_ideal_refined + s_max / (4 * L) * MI),
    "S3 lower with s/2": _mutant("S3", "lower", lhs=s_step / 2 * registry.D(L - s_step + 1)),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutants_are_not_proved_and_z3_finds_a_counterexample(name):
    r = prove_for_all_L(MUTANTS[name])
    assert not r.proved, r.certificate_text()
    rep = check_result(r)
    assert rep.refuted and rep.agrees, rep.to_json()


def test_certificate_text_and_json(results):
    r = results["S1.telescoped"]
    text = r.certificate_text()
    assert "PROVED for all L >= 1" in text and "s_max - s_u" in text
    js = r.to_json()
    assert js["status"] == "proved" and js["coefficients"]["delta(L-1)"] == "0"
    assert "2^ceiling(log2 x) >= x" not in text
    p1 = results["P1.upper"].certificate_text()
    assert "lemma: 2^ceiling(log2 x) >= x" in p1 and "P_s_max" in p1


# -- (a) cross-check with the finite prover ---------------------------------------------------------


def _exact(expr):
    """A closure evaluating ``expr`` exactly at integer arguments (Fractions, no floats)."""
    reps = {}
    for atom in expr.atoms(sp.Pow):
        x = dom.POW2_CEIL_LOG2.match(atom)
        if x is not None:
            reps[atom] = sp.Function("pow2ceil")(x)
    expr = expr.xreplace(reps)
    rats = {q: sp.Symbol(f"q{i}") for i, q in enumerate(sorted(expr.atoms(sp.Rational) - expr.atoms(sp.Integer),
                                                                 key=str))}
    expr = expr.xreplace(rats)
    syms = sorted(expr.free_symbols - set(rats.values()), key=str)
    fn = sp.lambdify(syms + list(rats.values()), expr,
                     modules=[{"Min": min, "Max": max, "pow2ceil": lambda x: 1 << (int(x) - 1).bit_length()}])
    qs = [Fraction(int(q.p), int(q.q)) for q in rats]
    return lambda env: Fraction(fn(*[Fraction(env[x]) for x in syms], *qs))


def _step_of(sizes, x):
    for _, sz, mk, ek in defs.steps(sizes):
        if mk <= x <= ek:
            return mk, sz
    raise AssertionError


def _env(over, case: Case, x: int) -> tuple[int, dict]:
    """(region index, parameter values) of position ``x`` in ``case``."""
    env = {L: case.L, u: x, s_step: case.step or 1, dom.u_0: dict(case.bind).get(u, 0)}
    region = 0
    if case.sizes is not None:
        mk, sz = _step_of(case.sizes, x)
        env.update({dom.m_u: mk, dom.s_u: sz, dom.j_u: x - mk, T: len(case.sizes), s_max: max(case.sizes),
                    dom.a_split: 1})
    if over == "refinement":
        rk, rs = _step_of(case.refined, x)
        if (rk, rs) != (env[dom.m_u], env[dom.s_u]):
            env[dom.a_split] = rs if rk == env[dom.m_u] else env[dom.s_u] - rs
            region = 1 if rk == env[dom.m_u] else 2
    if over == "halving":
        env[dom.a_split] = (env[dom.s_u] + 1) // 2
        region = 0 if env[dom.j_u] < env[dom.a_split] else 1
    if over == "exists":
        env[s_max] = case.step
    return region, env


def _representatives(over, L_):
    """Cases for the cross-check.  Up to L = 9 every case.  Above, the g(u) coefficient of a
    schedule clause reads only (L, T, s_max, m_u, s_u, j_u) (the locality obligations prove it;
    this test checks the value): for every step (m_u, s_u) and s_max in {s_u, s_u + 1, m_u, L - m_u - s_u}
    (the step itself the largest, one more, the largest step fitting before or after it), the schedule with that
    step, one step s_max elsewhere when s_u < s_max and the rest in steps of 1 (the largest T),
    and the one packing the rest greedily into steps of s_max (the smallest T)."""
    if L_ <= 9 or over not in ("all", "small_steps", "refinement", "halving"):
        return core.quantifier_cases(over, L_)
    seen, out = set(), []
    for mk in range(L_):
        for sz in range(1, L_ - mk + 1):
            for top in sorted({sz, min(sz + 1, L_), max(sz, L_ - mk - sz), max(sz, mk)}):
                for packed in (False, True):
                    sizes = _around(mk, sz, L_ - mk - sz, top, packed)
                    if sizes and sizes not in seen and (over != "small_steps" or max(sizes) <= 2):
                        seen.add(sizes)
                        out += _cases_of(over, L_, sizes, mk)
    return out


def _around(before, sz, after, top, packed):
    def fill(n, need_top):
        parts = []
        if need_top:
            if n < top:
                return None
            parts.append(top)
            n -= top
        chunk = top if packed else 1
        while n:
            parts.append(min(chunk, n))
            n -= parts[-1]
        return parts
    need = sz < top
    a = fill(before, need and before >= top)
    b = fill(after, need and (a is None or before < top))
    if a is None or b is None or max(a + b + [sz]) != top:
        return None
    return tuple(a + [sz] + b)


def _cases_of(over, L_, sizes, mk):
    from proofs_check.model.schedules import Schedule
    S = Schedule(sizes)
    if over == "refinement":
        return [Case(L_, sizes, refined=R.sizes) for R in S.refinements()][:6]
    if over == "halving":
        return [Case(L_, sizes, refined=S.halved().sizes)] if S.s_max >= 2 else []
    return [Case(L_, sizes)]


def _cross_check(results, lengths):
    checked = 0
    for st in registry.STATEMENTS:
        for idx, clause in enumerate(st.clauses):
            cid = st.clause_id(idx)
            if not clause.prover or cid in NOT_SYMBOLIC or _case_by_case(clause):
                continue
            r = results[cid]
            regions = dom.DOMAINS[clause.over]
            evals = {(reg.label, ob.label): _exact(ob.expr) for reg, ob in r.obligations}
            for L_ in [n for n in lengths if n >= max(2, st.min_L)]:
                for case in _representatives(clause.over, L_):
                    cert = core.certificate(st, idx, case)
                    assert cert.status in ("proved", "refuted"), (cid, cert.reason)
                    for x in range(L_ - 1):
                        ri, env = _env(clause.over, case, x)
                        got = evals[(regions[ri].label, "g(u)")](env)
                        assert got == cert.coefficients[x], (cid, core.case_text(case), x, got, cert.coefficients[x])
                    _, env = _env(clause.over, case, 0)
                    label = regions[0].label
                    assert evals[(label, "delta(L-1)")](env) == cert.coefficients[L_ - 1], (cid, core.case_text(case))
                    assert evals[(label, "1 (constant)")](env) == cert.constant.const, (cid, core.case_text(case))
                    checked += 1
    return checked


def test_symbolic_coefficients_match_the_finite_prover(results):
    assert _cross_check(results, range(2, 9)) > 1000


@pytest.mark.slow
def test_symbolic_coefficients_match_the_finite_prover_to_16(results):
    """Every case at L = 9, representative schedules (see ``_representatives``) at L = 12 and 16,
    every case of the other quantifiers."""
    assert _cross_check(results, (9, 12, 16)) > 5_000


def test_every_case_lies_in_its_region():
    """The domains over-approximate the cases: each case's local parameters satisfy the
    region's constraints (so a sign proved on the region covers the case)."""
    for over, regions in dom.DOMAINS.items():
        for L_ in range(2, 7):
            for case in core.quantifier_cases(over, L_):
                for x in range(L_ - 1):
                    ri, env = _env(over, case, x)
                    reg = regions[ri]
                    for kk, vv in reg.subs:  # parameters the quantifier fixes (T = 1 for (L), ...)
                        assert env[kk] == sp.sympify(vv).subs(env), (over, core.case_text(case), kk)
                    full = env
                    assert reg.u_expr.subs(full) == x, (over, case, x)
                    for c in reg.constraints:
                        assert bool(c.subs(full)), (over, core.case_text(case), x, c)



def test_cli_prove_symbolic(capsys, monkeypatch):
    import json

    from proofs_check.cli.main import main

    assert main(["prove", "--symbolic", "--statement", "S1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["clause"] for r in rows] == ["S1.per_step", "S1.telescoped"]
    assert all(r["status"] == "proved" and r["L0"] == 1 and r["z3"]["agrees"] for r in rows)
    assert main(["prove", "--symbolic", "--statement", "P4"]) == 0  # a conjecture never fails the run
    assert "not proved for every L" in capsys.readouterr().out
    wrong = dataclasses.replace(registry.get("S1"), clauses=(MUTANTS["S1 constant (s_max-2)/L"],))
    monkeypatch.setitem(registry.BY_ID, "S1", wrong)
    assert main(["prove", "--symbolic", "--statement", "S1"]) == 3
    out = capsys.readouterr().out
    assert "S1.telescoped not proved for every L" in out and "counterexample" in out


def test_unsupported_forms_are_not_proved_with_a_reason():
    from theory.registry import Clause
    from theory.symbols import KL_ideal

    partial = Clause(KL_ideal, "<=", sp.Sum((s[k] - 1) * (delta(m[k]) - delta(e[k])), (k, 1, T - 1)), "all")
    r = prove_for_all_L(partial)
    assert not r.proved and "only k = 1..T" in r.reason
    nonlinear = Clause(KL_ideal * MI, "<=", MI, "all")
    r = prove_for_all_L(nonlinear)
    assert not r.proved and "multiplies two quantities" in r.reason
