"""The one registry of statements (each one explained, with its proof or citation, in ``notes/<id>.md``).

Each :class:`Statement` has an id, a title, a provenance (``paper``, ``derived``
or ``conjecture``), a citation, the statements it relies on, its note file and
one or more :class:`Clause` values.  A clause is a relation ``lhs REL rhs`` in the
named quantities of :mod:`theory.symbols` together with what it quantifies over:

=============  ===============================================================
``profile``    no schedule: an identity or inequality of the profile alone
``each_u``     as ``profile``, for every ``u = 0..L-2`` (binds the symbol ``u``)
``all``        every schedule of length ``L`` (all ``2^(L-1)`` compositions)
``balanced``   the balanced schedules, ``T = 1..L``
``one_step``   the schedule ``(L)``;  ``all_ones``: the schedule ``(1,...,1)``
``small_steps`` every schedule whose sizes are all ``<= 2``
``refinement`` every schedule and every split of one of its steps in two
``halving``    every schedule with ``s_max >= 2`` and its halving (P2's refinement)
``offset``     S3's randomized-offset family, for every step ``s = 1..L``
``exists``     *some* schedule with largest step ``s_max`` (``s_max = 2..L``);
               the prover uses the randomized-offset family with ``s = s_max``
               as the witness (an average that satisfies the bound proves that
               one member does)
``policy``     deterministic value-dependent unmasking policies (A1): lowest
               entropy first, top confidence and left-to-right with each
               balanced schedule, entropy-sum with a few thresholds
``policy_random`` the same policies with random tie-breaks, and the random-order
               sampler with each balanced schedule
``times``      every rational ``0 < p < q < 1`` with denominators ``<= 8`` (binds ``p``, ``q``)
``cuts``       every pair of reveal counts ``0 <= a < b <= L-1`` (binds ``a``, ``b``)
``geometric``  ``L = 2^k + 1`` with ``N = 2k`` (binds ``N`` and ``lambda``, a certified
               lower bound of ``ln(L-1)``): W7's rational geometric grids
=============  ===============================================================

``prover=False`` marks clauses about the sampler itself (they involve the
brute-force ``KL`` and cannot be reduced to the profile); they are checked
numerically only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import sympy as sp

from . import definitions as defs
from .relations import RELATIONS, relation
from .symbols import (DTC, KL, KL_ideal, KL_ideal_offset, KL_ideal_refined, L, MI, TC, D, c_s, delta, e,
                      eps_train, g, j, k, m, s, s_max, s_step, u, T, KL_policy, KL_policy_avg, TC_policy)
from .symbols import D_B, Gamma, Gamma_int, H_ugc, Hc, TSE, W_dyadic, a_n, b_n, c_step, p_t, q_t
from .symbols import N_w, W_geo, lam_w

PROVENANCES = ("paper", "derived", "conjecture", "refuted")
#: Provenances whose failure fails a run (a conjecture is tested; a refuted statement is a recorded finding).
BINDING_PROVENANCES = ("paper", "derived")
QUANTIFIERS = ("profile", "each_u", "all", "balanced", "one_step", "all_ones", "small_steps",
               "refinement", "halving", "offset", "exists", "policy", "policy_random", "times", "cuts",
               "geometric")


@dataclass(frozen=True)
class Clause:
    lhs: sp.Expr
    rel: str
    rhs: sp.Expr
    over: str
    label: str = ""
    key: str = ""  # stable within its statement: the clause id is ``<statement>.<key>``
    prover: bool = True
    needs_optimal: bool = False  # only meaningful with the optimal predictor (eps_train = 0)

    def __post_init__(self):
        relation(self.rel)  # raises on an unknown relation
        if self.over not in QUANTIFIERS:
            raise ValueError(f"quantifier {self.over!r} not in {QUANTIFIERS}")

    @property
    def relation_type(self):
        """The :class:`theory.relations.Relation` (slack direction, strictness, LaTeX)."""
        return RELATIONS[self.rel]

    @property
    def relation(self) -> sp.Rel:
        return self.relation_type.expr(self.lhs, self.rhs)

    def slack(self) -> sp.Expr:
        """The expression that is ``>= 0`` (``> 0``, ``== 0``) exactly when the clause holds."""
        return self.relation_type.slack(self.lhs, self.rhs)

    def latex(self) -> str:
        return f"{sp.latex(self.lhs)} {self.relation_type.latex} {sp.latex(self.rhs)}"

    def text(self) -> str:
        return f"{sp.sstr(self.lhs)} {self.rel} {sp.sstr(self.rhs)}"


@dataclass(frozen=True)
class Statement:
    id: str
    title: str
    provenance: str
    source: str
    clauses: tuple[Clause, ...]
    uses: tuple[str, ...] = ()
    hypotheses: str = ""
    remarks: str = ""
    min_L: int = 1
    note: str = field(default="")
    counterexample: "Counterexample | None" = None  # provenance "refuted": the pinned certified counterexample

    def __post_init__(self):
        if self.provenance not in PROVENANCES:
            raise ValueError(f"provenance {self.provenance!r} not in {PROVENANCES}")
        if not self.note:
            object.__setattr__(self, "note", f"notes/{self.id}.md")
        object.__setattr__(self, "source", self.source.replace("{note}", self.note))
        # ad-hoc statements (user conjectures, tests) get positional keys c0, c1, ...
        object.__setattr__(self, "clauses", tuple(c if c.key else replace(c, key=f"c{i}")
                                                  for i, c in enumerate(self.clauses)))
        keys = [c.key for c in self.clauses]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.id}: every clause needs a distinct key, got {keys}")

    def clause_id(self, idx: int) -> str:
        """Stable id of clause ``idx``: ``S1.telescoped``."""
        return f"{self.id}.{self.clauses[idx].key}"

    def clause_index(self, key: str) -> int:
        """Position of the clause with this key (or full id ``S1.telescoped``)."""
        key = key.split(".", 1)[1] if key.startswith(self.id + ".") else key
        for idx, c in enumerate(self.clauses):
            if c.key == key:
                return idx
        raise KeyError(f"{self.id} has no clause {key!r}; its clauses: "
                       f"{', '.join(self.clause_id(i) for i in range(len(self.clauses)))}")

    @property
    def quantifiers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.over for c in self.clauses))

    @property
    def provable(self) -> bool:
        return any(c.prover for c in self.clauses)

    @property
    def binding(self) -> bool:
        """Whether a failure fails a run (paper and derived statements; not conjectures or refuted ones)."""
        return self.provenance in BINDING_PROVENANCES


@dataclass(frozen=True)
class Counterexample:
    """A certified counterexample to one clause: the case (``L`` and bindings) and a distribution
    (a family name and its arguments, built by ``proofs_check.sources.families``) on which the
    certified verdict fails, with both sides to 12 digits for the reader."""

    clause: str  # the clause key
    L: int
    bind: tuple  # ((symbol name, value as text), ...)
    family: str
    family_args: tuple = ()  # ((name, value), ...)
    lhs: str = ""
    rhs: str = ""


PAPER = "Li & Cai, arXiv 2505.21400"
#: Provenance of the derived statements; ``{note}`` becomes the statement's note (``notes/F1.md``).
BRIEF = "derived here; proof in {note}"

# Shorthands used by several statements.
SUM_TELESCOPE = sp.Sum((s[k] - 1) * (delta(m[k]) - delta(e[k])), (k, 1, T))
P1_CONSTANT = (2 ** sp.ceiling(sp.log(s_max, 2)) - 1) / L
_J = sp.ceiling(sp.log(L - 1, 2))
P4_RHS = s_step / 16 * (sp.Sum(2 ** (-j) * D(2 ** j), (j, 0, _J - 1)) + 2 ** (1 - _J) * D(L - 1))

W26 = "Wainwright, arXiv 2608.13520"
#: c = psi(q)/psi(p) - 1 for the bound times p, q (Wainwright's Lemma 1).
W_C = defs.psi(q_t) / defs.psi(p_t) - 1
#: W5's right side: cumulative counts a_{k-1} = m_k, a_k = m_k + s_k; the last step T exactly.
W5_RHS = (sp.Sum(defs.rho_ab(m[k], m[k] + s[k]) * Hc(m[k], m[k] + s[k]), (k, 1, T - 1))
          + c_step(m[T], L))

STATEMENTS: tuple[Statement, ...] = (
    Statement(
        "F1", "Exact decomposition: sampling error = ideal error + training error", "derived", BRIEF,
        (Clause(KL, "==", KL_ideal + eps_train, "all", "E_S KL = KL_ideal + eps_train", key="identity", prover=False),),
        hypotheses="any mask predictor; eps_train as defined in notes/00-overview.md (the paper's Definition 1, read so that F1 is exact)",
        remarks="The paper's '+ eps_train' is an identity, not an inequality.",
    ),
    Statement(
        "F2", "Exact ideal error from the information profile", "derived", BRIEF,
        (Clause(KL, "==", KL_ideal, "all", "brute-force sampler = h-form", key="bruteforce", prover=False, needs_optimal=True),
         Clause(KL_ideal, "==", defs.KL_IDEAL_OMEGA_FORM, "all", "h-form = omega . g form", key="omega_form")),
        uses=("F1",),
        hypotheses="optimal predictor for the first clause",
        remarks="Compare the exact characterisation of Chen, Cong & Li, arXiv 2511.04647.",
    ),
    Statement(
        "F3", "MI = TC + DTC and their profile forms", "derived", BRIEF,
        (Clause(MI, "==", TC + DTC, "profile", "MI = TC + DTC", key="mi_split"),
         Clause(TC, "==", sp.Sum((L - 1 - u) * g(u), (u, 0, L - 2)), "profile", "TC = sum (L-1-u) g(u)", key="tc_form"),
         Clause(DTC, "==", sp.Sum((u + 1) * g(u), (u, 0, L - 2)), "profile", "DTC = sum (u+1) g(u)", key="dtc_form"),
         Clause(KL_ideal, "==", TC, "one_step", "one-step schedule: KL_ideal = TC", key="one_step"),
         Clause(KL_ideal, "==", sp.Integer(0), "all_ones", "one token per step: KL_ideal = 0", key="all_ones"),
         Clause(g(u), ">=", sp.Integer(0), "each_u", "g(u) >= 0 (Han, strong form)", key="han")),
        uses=("F2",),
    ),
    Statement(
        "F4", "Refinement: splitting a step never increases the ideal error", "derived", BRIEF,
        (Clause(KL_ideal_refined, "<=", KL_ideal, "refinement", "split one step in two", key="split"),),
        uses=("F2", "F3"),
    ),
    Statement(
        "P1", "Theorem 1: upper bound with constant 2^ceil(log2 s_max) - 1", "paper", PAPER + ", Theorem 1",
        (Clause(KL, "<=", P1_CONSTANT * MI + eps_train, "all", "E_S KL <= (2^ceil(log2 s_max)-1)/L MI + eps_train", key="upper"),),
        uses=("F1", "P2"),
    ),
    Statement(
        "P2", "Halving recursion in the proof of Theorem 1", "paper", PAPER + ", proof of Theorem 1",
        (Clause(KL_ideal, "<=", KL_ideal_refined + s_max / (2 * L) * MI, "halving",
                "KL_ideal(S) <= KL_ideal(halve(S)) + s_max/(2L) MI", key="halving"),),
        uses=("F2", "F3"),
        hypotheses="reading: eps(s) compared schedule by schedule with the halved schedule",
    ),
    Statement(
        "P3", "Corollary 1: balanced schedules, KL <= C1/T MI + eps_train", "paper", PAPER + ", Corollary 1",
        (Clause(KL, "<=", 2 / T * MI + eps_train, "balanced", "C1 = 2 (from P1)", key="c1_two"),
         Clause(KL, "<=", 1 / T * MI + eps_train, "balanced", "C1 = 1 (from S1, sharper)", key="c1_one")),
        uses=("P1", "S1"),
    ),
    Statement(
        "P4", "Theorem 2 lower bound, reading A of the random subsets W_j", "conjecture",
        PAPER + ", Theorem 2 (as reported; W_j undefined in the source)",
        (Clause(KL_ideal_offset, ">=", P4_RHS, "exists",
                "some schedule with max size s_max: KL_ideal >= s_max/16 sum_j 2^-j D(min(2^j, L-1))", key="reading_a"),),
        uses=("S3",),
        hypotheses="W_j uniform of size min(2^j, L-1); s_max >= 2 (with s_max = 1 every KL_ideal is 0)",
        min_L=2,
    ),
    Statement(
        "S1", "Sharper Theorem 1: KL_ideal <= (s_max - 1)/L MI, tight on copy", "derived", BRIEF,
        (Clause(KL_ideal, "<=", SUM_TELESCOPE, "all", "KL_ideal <= sum (s_k-1)(delta(m_k)-delta(e_k))", key="per_step"),
         Clause(SUM_TELESCOPE, "<=", (s_max - 1) / L * MI, "all", "telescoped <= (s_max-1)/L MI", key="telescoped")),
        uses=("F2", "F3"),
    ),
    Statement(
        "S2", "Per-schedule lower bound KL_ideal >= sum (s_k - 1) g(m_k)", "derived", BRIEF,
        (Clause(KL_ideal, ">=", sp.Sum((s[k] - 1) * g(m[k]), (k, 1, T)), "all", "lower bound", key="lower"),
         Clause(KL_ideal, "==", sp.Sum((s[k] - 1) * g(m[k]), (k, 1, T)), "small_steps", "equality if all s_k <= 2", key="small_steps")),
        uses=("F2", "F3"),
    ),
    Statement(
        "S3", "Randomized-offset schedule: matching bounds with one constant", "derived", BRIEF,
        (Clause(KL_ideal_offset, "==", sp.Sum(c_s(u) * g(u), (u, 0, L - 2)), "offset", "E_r KL = sum c_s(u) g(u)", key="exact"),
         Clause((s_step - 1) / 2 * D(L - s_step + 1), "<=", KL_ideal_offset, "offset", "lower (s-1)/2 D(L-s+1)", key="lower"),
         Clause(KL_ideal_offset, "<=", (s_step - 1) / (2 * L) * MI, "offset", "upper (s-1)/(2L) MI", key="upper")),
        uses=("F2", "F3"),
    ),
    Statement(
        "S4", "Rate: (L/s) E_r KL_ideal is pinned between (1-1/s)/2 L D(L-s+1) and (1-1/s) MI/2", "derived", BRIEF,
        (Clause(L / s_step * KL_ideal_offset, "<=", (1 - 1 / s_step) * MI / 2, "offset", "rate upper", key="rate_upper"),
         Clause((1 - 1 / s_step) / 2 * L * D(L - s_step + 1), "<=", L / s_step * KL_ideal_offset, "offset",
                "rate lower", key="rate_lower")),
        uses=("S3",),
        remarks="T is about L/s; the two sides meet when D(L-s+1) is close to D(L-1) (e.g. Markov chains, L >> s).",
    ),
    Statement(
        "A1", "Adaptive unmasking: the chain rule along a value-dependent policy", "derived", BRIEF,
        (Clause(KL_policy, "==", TC_policy, "policy", "KL(p || q_pi) = E sum_k TC(X_Bk | X_Ak = x_Ak)",
                key="chain_rule", prover=False, needs_optimal=True),
         Clause(KL_policy, "<=", KL_policy_avg, "policy_random", "KL(p || E_r q_pi,r) <= E_r KL(p || q_pi,r)",
                key="tie_average", prover=False)),
        uses=("F1",),
        hypotheses="the policy's next reveal set depends only on the revealed positions, their values and the "
                   "predictor; the optimal predictor for the first clause",
        remarks="Li & Cai, arXiv 2505.21400, Remark 1 (lowest entropy first); Cai & Li, arXiv 2603.22248 "
                "(entropy-sum). Policies are not functions of the profile: checked on instances only.",
    ),
    Statement(
        "BER", "Exact ideal error of the Bernoulli-subset sampler: KL_Ber = sum_j Gamma(t_j, t_j+1)", "derived", BRIEF,
        (Clause(Gamma(p_t, q_t), "==", Gamma_int(p_t, q_t), "times",
                "E c(M_p, M_q) = int_p^q (q - x) h_B'(x) dx", key="integral"),
         Clause(Gamma(0, 1), "==", TC, "profile", "one step from 0 to 1 reveals everything: Gamma(0, 1) = TC",
                key="one_step")),
        uses=("F2", "F3"),
        hypotheses="optimal predictor; the sampler itself (KL_Ber = sum_j Gamma(t_j, t_j+1) for every rational "
                   "grid) is checked against enumeration of reveal steps in tests/model/test_bernoulli.py",
        remarks="Gamma(p, q) is a rational linear form in g for rational p, q.",
    ),
    Statement(
        "W1", "UGC sandwich: D(p,q)/c <= H(p,q) <= (1+c)/c D(p,q), c = psi(q)/psi(p) - 1", "paper", W26 + ", Lemma 1, eq. (31b)",
        (Clause(D_B(p_t, q_t) / W_C, "<=", H_ugc(p_t, q_t), "times", "D(p,q)/c <= H(p,q)", key="lower"),
         Clause(H_ugc(p_t, q_t), "<=", (1 + W_C) / W_C * D_B(p_t, q_t), "times", "H(p,q) <= (1+c)/c D(p,q)",
                key="upper")),
        hypotheses="0 < p < q < 1; psi(t) = t/(1-t); Wainwright's d is our L",
    ),
    Statement(
        "W2", "One Bernoulli step: Gamma(p, q) <= (psi(q)/psi(p) - 1) H(p, q)", "paper", W26 + ", Lemma 4, eq. (49)",
        (Clause(Gamma(p_t, q_t), "<=", W_C * H_ugc(p_t, q_t), "times", "Gamma(p,q) <= c H(p,q)", key="step"),),
        uses=("BER",),
        hypotheses="0 < p < q < 1",
    ),
    Statement(
        "W3", "Reveal-odds-dyadic partition: sum_j D(v_j, v_j+1) <= H(p,q) <= 2 sum_j D(v_j, v_j+1)", "refuted",
        W26 + ", eqs. (32a)-(32c), used by Proposition 2",
        (Clause(W_dyadic(p_t, q_t), "<=", H_ugc(p_t, q_t), "times", "sum_j D(v_j, v_j+1) <= H(p,q)", key="lower"),
         Clause(H_ugc(p_t, q_t), "<=", 2 * W_dyadic(p_t, q_t), "times", "H(p,q) <= 2 sum_j D(v_j, v_j+1)",
                key="upper")),
        uses=("W1",),
        hypotheses="0 < p < q < 1; J = ceil(log2(psi(q)/psi(p))), psi(v_j) = min(2^j psi(p), psi(q))",
        remarks="The upper clause is false: a short last interval [v_J-1, q] has H/D up to (1+c)/c > 2 (W1); "
                "the lower clause is proved.",
        # slack 2 sum_j D - H = -7/750 g(0): on copy (g(0) = log 2) H = 37/750 log 2 > 2 D = 1/25 log 2
        counterexample=Counterexample("upper", 2, (("p", "2/5"), ("q", "1/2")), "copy", (("V", 2),),
                                      "37/750 log 2 = 0.0341952609", "1/25 log 2 = 0.0277258872"),
    ),
    Statement(
        "W4", "Card-UGC step bound: c(a, b) <= rho_ab Hc(a, b)", "paper", W26 + ", Lemma 5, eq. (53)",
        (Clause(c_step(a_n, b_n), "<=", defs.rho_ab(a_n, b_n) * Hc(a_n, b_n), "cuts",
                "c(a,b) <= L(b-a-1)/((a+1)(L-b)) Hc(a,b)", key="step"),),
        hypotheses="0 <= a < b <= L-1",
        min_L=2,
    ),
    Statement(
        "W5", "Fixed cardinality: KL_ideal <= sum_k<T rho Hc(a_k-1, a_k) + c(a_T-1, L)", "paper", W26 + ", Theorem 1, eq. (17b)",
        (Clause(KL_ideal, "<=", W5_RHS, "all", "KL_ideal <= sum_{k<T} rho Hc + last step exactly", key="bound"),),
        uses=("F2", "W4"),
        hypotheses="a_k = s_1 + ... + s_k the cumulative counts; the last step is counted exactly",
    ),
    Statement(
        "W6", "Whole-range UGC: H(0,1) = 2 TSE/(L+1), H(0,1) <= Hc(0,L) <= 2 H(0,1), H(0,1) <= min(TC, DTC)",
        "paper", W26 + ", Proposition 3, eqs. (62a)-(62b), (61c)",
        (Clause(H_ugc(0, 1), "==", 2 * TSE / (L + 1), "profile", "H(0,1) = 2 TSE/(L+1)", key="tse"),
         Clause(H_ugc(0, 1), "<=", Hc(0, L), "profile", "H(0,1) <= Hc(0,L)", key="card_lower"),
         Clause(Hc(0, L), "<=", 2 * H_ugc(0, 1), "profile", "Hc(0,L) <= 2 H(0,1)", key="card_upper"),
         Clause(H_ugc(0, 1), "<=", TC, "profile", "H(0,1) <= min(TC, DTC): the TC half", key="tc"),
         Clause(H_ugc(0, 1), "<=", DTC, "profile", "H(0,1) <= min(TC, DTC): the DTC half", key="dtc")),
        uses=("F3",),
    ),
    Statement(
        "W7", "Geometric grid: sum_j Gamma(t_j, t_j+1) <= (4 ln(L-1)/N) H(1/L, 1-1/L)", "paper",
        W26 + ", Corollary 1, eq. (21)",
        (Clause(W_geo(N_w), "<=", 4 * lam_w / N_w * H_ugc(1 / L, 1 - 1 / L), "geometric",
                "sum_{j<N} Gamma(t_j, t_j+1) <= (4 ln(L-1)/N) H(1/L, 1-1/L), lambda <= ln(L-1)", key="grid"),),
        uses=("BER", "W2"),
        hypotheses="t_0 = 1/L, psi(t_j+1) = (L-1)^(2/N) psi(t_j), t_N = 1 - 1/L, N >= 2 ln(L-1); decided on the "
                   "grids with rational points (L = 2^k + 1, N = 2k), with lambda a certified lower bound of ln(L-1)",
        min_L=3,
    ),
)

BY_ID = {st.id: st for st in STATEMENTS}


def get(statement_id: str) -> Statement:
    try:
        return BY_ID[statement_id]
    except KeyError:
        raise KeyError(f"unknown statement {statement_id!r}; known: {', '.join(BY_ID)}") from None
