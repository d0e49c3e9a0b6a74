"""The quantifier table: what each clause quantifier of the registry ranges over.

A clause ``lhs REL rhs`` of :mod:`theory.registry` carries a quantifier name (``over``).
Each name has ONE class here holding everything the suite needs to know about it:

* ``cases(L)``: every finite case at length ``L`` (the prover proves them all);
* ``instance_cases(L, S)``: the cases that apply to a concrete schedule ``S`` (maybe none);
* ``case_for(L, schedule=, step=, refined=, u_value=)``: one case from command-line input,
  validated (a :class:`~proofs_check.errors.QuantifierError` names the value and the fix);
* ``pair_case(L, text)`` (``times`` and ``cuts`` only): one case from ``--pair p,q`` / ``a,b``;
* ``strategy(L)``: a Hypothesis strategy of schedules the quantifier applies to;
* ``witness(case)``: a schedule whose instance has ``case`` among its instance cases;
* ``display``: the name offered by ``check --schedules`` (``None``: not offered);
* ``domain``: its symbolic parameters in words; ``symbolic``: a hook for the symbolic
  (every-``L``) parameter domain, ``None`` until wired.

The schedule quantities follow Li & Cai, arXiv 2505.21400, Section 2: a schedule is a
composition ``s_1 + ... + s_T = L``; ``s_max = max_k s_k``; the randomized-offset family of
step ``s`` (used by S3 and as the witness of ``exists``) averages the schedules
``(r, s, ..., s, rest)`` over ``r = 1..s``.

Adding a quantifier: one class here plus its name in ``theory.registry.QUANTIFIERS``.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from theory.linear import Case
from theory.definitions import geometric_ratio
from theory.symbols import N_w, a_n, b_n, lam_w, p_t, q_t, u

from proofs_check.errors import QuantifierError, ScheduleError
from proofs_check.model import policies
from proofs_check.model.schedules import (Schedule, all_ones, balanced, compositions, offset_family, one_step,
                                          randomized_offset)

#: Instance cases of ``refinement`` enumerate every one-split refinement up to this many,
#: else the middle split of each step (long schedules).
REFINEMENTS_MAX = 256


def offset_case(L: int, step: int, sizes=None) -> Case:
    """The case of the randomized-offset family of step ``step`` (its members, uniformly weighted)."""
    fam = tuple(sch.sizes for _, sch in offset_family(L, step))
    return Case(L, sizes, family=fam, step=step)


def is_balanced(S: Schedule) -> bool:
    return S == balanced(S.L, S.T)


@st.composite
def any_schedule(draw, L: int):
    """Any composition of ``L``, biased toward the balanced and offset ones."""
    kind = draw(st.sampled_from(["any", "any", "balanced", "offset"]))
    if kind == "balanced":
        return balanced(L, draw(st.integers(1, L)))
    if kind == "offset":
        s = draw(st.integers(1, L))
        return randomized_offset(L, s, draw(st.integers(1, s)))
    cuts = draw(st.sets(st.integers(1, L - 1), max_size=L - 1)) if L > 1 else set()
    bounds = [0, *sorted(cuts), L]
    return Schedule(tuple(b - a for a, b in zip(bounds, bounds[1:])))


class Quantifier:
    """Base: a quantifier over schedules of length ``L`` (one case per schedule)."""

    name: str = ""
    domain: str = ""
    display: str | None = None
    symbolic = None  # the symbolic parameter domain (every-L certificates); wired by the prover
    covers_from_L = 1  # from this L on, the instance cases of all schedules cover cases(L)

    def schedules(self, L: int) -> list[Schedule]:
        """The schedules the quantifier ranges over at length ``L``."""
        return list(compositions(L))

    def applies(self, S: Schedule) -> bool:
        return True

    def cases(self, L: int) -> list[Case]:
        return [Case(L, S.sizes) for S in self.schedules(L)]

    def instance_cases(self, L: int, S: Schedule) -> list[Case]:
        return [Case(L, S.sizes)] if self.applies(S) else []

    def case_for(self, L: int, schedule: str | None = None, step: int | None = None,
                 refined: str | None = None, u_value: int | None = None, what: str = "this clause") -> Case:
        if schedule is None:
            raise QuantifierError(f"{what} ranges over schedules: give --schedule 3,2,1")
        S = Schedule.parse(schedule, L)
        self._check_fits(S, what)
        return Case(L, S.sizes)

    def _check_fits(self, S: Schedule, what: str) -> None:
        if not self.applies(S):
            raise QuantifierError(f"{what} ranges over {self.domain}; {S} is not one of them")

    def strategy(self, L: int):
        return any_schedule(L)

    def witness(self, case: Case) -> Schedule:
        return Schedule(case.sizes)

    def representatives(self, L: int) -> list[Schedule]:
        """One schedule per finite case (its witness), in case order, without repeats."""
        return list(dict.fromkeys(self.witness(c) for c in self.cases(L)))

    def __repr__(self) -> str:
        return f"<Quantifier {self.name}>"


class Profile(Quantifier):
    """No schedule: an identity or inequality of the profile ``h(0..L)`` alone."""

    name, domain = "profile", "every L >= 1 (no schedule)"

    def cases(self, L):
        return [Case(L)]

    def instance_cases(self, L, S):
        return [Case(L)]

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        return Case(L)

    def witness(self, case):
        return one_step(case.L)


class EachU(Profile):
    """As ``profile``, once for every ``u = 0..L-2`` (the clause binds the symbol ``u``)."""

    name, domain = "each_u", "every L >= 2 and every u with 0 <= u <= L-2"

    def cases(self, L):
        return [Case(L, bind=((u, x),)) for x in range(L - 1)]

    def instance_cases(self, L, S):
        return self.cases(L)

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        if u_value is None or not 0 <= u_value <= L - 2:
            raise QuantifierError(f"{what} holds for each u: give --u with 0 <= u <= {L - 2}")
        return Case(L, bind=((u, u_value),))


class All(Quantifier):
    """Every schedule of length ``L``: all ``2^(L-1)`` compositions."""

    name, domain, display = "all", "every L >= 1 and every composition s_1 + ... + s_T = L", "all"


class Balanced(Quantifier):
    """The balanced schedules ``balanced(L, T)``, ``T = 1..L`` (sizes differ by at most one)."""

    name, domain, display = "balanced", "every L >= 1 and every T = 1..L (balanced sizes)", "balanced"

    def schedules(self, L):
        return [balanced(L, TT) for TT in range(1, L + 1)]

    def applies(self, S):
        return is_balanced(S)

    def _check_fits(self, S, what):
        if not is_balanced(S):
            raise QuantifierError(f"schedule {S} is not balanced; the balanced one with T={S.T} is "
                                  f"{balanced(S.L, S.T)}")

    def strategy(self, L):
        return st.integers(1, L).map(lambda TT: balanced(L, TT))


class _Single(Quantifier):
    """One fixed schedule per ``L`` (``make(L)``), the default of ``case_for``."""

    make = staticmethod(one_step)
    fixed_text = ""

    def schedules(self, L):
        return [self.make(L)]

    def applies(self, S):
        return S == self.make(S.L)

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        if schedule is None:
            return Case(L, self.make(L).sizes)
        return super().case_for(L, schedule, what=what)

    def _check_fits(self, S, what):
        if not self.applies(S):
            raise QuantifierError(f"this clause is about {self.fixed_text} {self.make(S.L)}, not {S}")

    def strategy(self, L):
        return st.just(self.make(L))


class OneStep(_Single):
    """The schedule ``(L)``: every token revealed at once."""

    name, domain, display, fixed_text = "one_step", "every L >= 1 (the schedule (L))", "one-step", "the one-step schedule"


class AllOnes(_Single):
    """The schedule ``(1, ..., 1)``: one token per step."""

    name, domain, fixed_text = "all_ones", "every L >= 1 (the schedule 1,...,1)", "the schedule of ones"
    make = staticmethod(all_ones)


@st.composite
def _steps_at_most_two(draw, L: int):
    sizes, left = [], L
    while left:
        step = draw(st.integers(1, min(2, left)))
        sizes.append(step)
        left -= step
    return Schedule(tuple(sizes))


@st.composite
def _with_a_step_of_two_or_more(draw, L: int):
    """Any schedule with ``s_max >= 2`` (for ``L >= 2``; at ``L = 1`` the schedule ``(1)``)."""
    S = draw(any_schedule(L))
    if S.s_max >= 2 or L < 2:
        return S
    return Schedule((2,) + S.sizes[2:])


class SmallSteps(Quantifier):
    """Every schedule whose sizes are all ``<= 2`` (S2's equality case)."""

    name, domain = "small_steps", "every L >= 1 and every composition of L with all s_k <= 2"

    def schedules(self, L):
        return [S for S in compositions(L) if S.s_max <= 2]

    def applies(self, S):
        return S.s_max <= 2

    def _check_fits(self, S, what):
        if S.s_max > 2:
            raise QuantifierError(f"this clause needs every step <= 2, but {S} has s_max={S.s_max}")

    def strategy(self, L):
        return _steps_at_most_two(L)


class Refinement(Quantifier):
    """Every schedule ``S`` and every split of one of its steps in two (F4)."""

    name = "refinement"
    domain = "every L >= 2, every composition S of L and every S' obtained by splitting one step of S in two"

    def cases(self, L):
        return [Case(L, S.sizes, refined=R.sizes) for S in compositions(L) for R in S.refinements()]

    def instance_cases(self, L, S):
        refs = list(S.refinements())
        if len(refs) > REFINEMENTS_MAX:  # long schedules: split each step once, in its middle
            refs = [S.split(k, sk // 2) for k, sk in enumerate(S.sizes) if sk >= 2]
        return [Case(L, S.sizes, refined=R.sizes) for R in refs]

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        if schedule is None:
            raise QuantifierError(f"{what} ranges over schedules: give --schedule 3,2,1")
        S = Schedule.parse(schedule, L)
        if refined is None:
            raise QuantifierError("a refinement clause needs --refined (the schedule with one step split in two)")
        R = Schedule.parse(refined, L)
        if R not in set(S.refinements()):
            raise ScheduleError(f"{R} is not {S} with exactly one step split in two")
        return Case(L, S.sizes, refined=R.sizes)

    def strategy(self, L):
        return _with_a_step_of_two_or_more(L)


class Halving(Quantifier):
    """Every schedule with ``s_max >= 2`` against its halving (the refinement of P2, arXiv 2505.21400, proof of Thm 1)."""

    name, domain = "halving", "every L >= 2 and every composition S of L with s_max >= 2, against halve(S)"

    def schedules(self, L):
        return [S for S in compositions(L) if S.s_max >= 2]

    def applies(self, S):
        return S.s_max >= 2

    def cases(self, L):
        return [Case(L, S.sizes, refined=S.halved().sizes) for S in self.schedules(L)]

    def instance_cases(self, L, S):
        return [Case(L, S.sizes, refined=S.halved().sizes)] if self.applies(S) else []

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        if schedule is None:
            raise QuantifierError(f"{what} ranges over schedules: give --schedule 3,2,1")
        S = Schedule.parse(schedule, L)
        if not self.applies(S):
            raise QuantifierError(f"halving needs s_max >= 2; {S} has only steps of 1")
        return Case(L, S.sizes, refined=S.halved().sizes)

    def strategy(self, L):
        return _with_a_step_of_two_or_more(L)


@st.composite
def _offset_member(draw, L: int, min_step: int):
    """A member ``(r, s, ..., s, rest)`` of an offset family with ``s >= min_step`` (when ``L`` allows).

    A short member (``L - r < s``) has ``s_max < s``; if that falls below ``min_step`` the
    member ``r = s`` (whose ``s_max`` is ``s``) is taken instead.
    """
    s = draw(st.integers(min_step if L >= min_step else 1, L))
    S = randomized_offset(L, s, draw(st.integers(1, s)))
    return S if S.s_max >= min(min_step, L) else randomized_offset(L, s, s)


class Offset(Quantifier):
    """S3's randomized-offset family of step ``s``, for every ``s = 1..L``.

    A schedule stands for the family of step ``s = s_max`` (its member ``r = s`` has that
    ``s_max``), unless it was built as a member of the family of step ``s``
    (``Schedule.offset_step``): a short member such as ``L=5, s=4, r=3 -> (3, 2)`` has
    ``s_max < s`` and is checked on its own family.  Its instance case carries its sizes as well.
    """

    name, domain, display = "offset", "every L >= 1 and every step s = 1..L (offsets r = 1..s averaged)", "offset"
    min_step = 1

    def steps(self, L):
        return range(self.min_step, L + 1)

    def cases(self, L):
        return [offset_case(L, step) for step in self.steps(L)]

    def instance_cases(self, L, S):
        step = S.offset_step or S.s_max  # an offset-family member is checked on its own family s
        return [offset_case(L, step, S.sizes)] if step in self.steps(L) else []

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        if step is None:
            raise QuantifierError(f"{what} ranges over the offset family: give --step s")
        if step not in self.steps(L):
            raise QuantifierError(f"--step {step} must satisfy {self.min_step} <= s <= L={L}")
        return offset_case(L, step)

    def strategy(self, L):
        return _offset_member(L, self.min_step)

    def witness(self, case):
        if case.sizes is not None:
            return Schedule(case.sizes, offset_step=case.step)
        return randomized_offset(case.L, case.step, case.step)


class Exists(Offset):
    """*Some* schedule with largest step ``s_max``, ``s_max = 2..L`` (P4).

    The finite cases are the offset families of step ``s = s_max``: a family average that
    satisfies the bound proves that one member does.
    """

    name = "exists"
    domain = "every L >= 2 and every s_max = 2..L (witness: the offset family of step s_max)"
    display = None
    min_step = 2


#: An instance is checked on every cut pair up to this L, on a sample of reveal counts above it.
CUTS_ALL_MAX_L = 6
#: Denominators of the time grid of ``times``: every pair of it is a finite case (the prover takes them all).
TIME_DENOMINATORS = 8


def time_points(max_den: int) -> list[Fraction]:
    """The rationals ``0 < t < 1`` with denominator ``<= max_den``, increasing."""
    return sorted({Fraction(n, d) for d in range(2, max_den + 1) for n in range(1, d)})


def time_case(L: int, p: Fraction, q: Fraction) -> Case:
    return Case(L, bind=((p_t, Fraction(p)), (q_t, Fraction(q))))


def composition_rank(S: Schedule) -> int:
    """The cut set ``{m_1, ..., m_{T-1}}`` of ``S`` as a binary number: a bijection of the
    ``2^(L-1)`` compositions of ``L`` onto ``0..2^(L-1)-1``."""
    return sum(1 << (m - 1) for m in S.m[1:])


def composition_of_rank(L: int, r: int) -> Schedule:
    """Inverse of :func:`composition_rank`."""
    bounds = [0, *(m for m in range(1, L) if r >> (m - 1) & 1), L]
    return Schedule(tuple(b - a for a, b in zip(bounds, bounds[1:])))


class Times(Profile):
    """Every pair of rational times ``0 < p < q < 1`` with denominators ``<= 8`` (210 pairs;
    Wainwright, arXiv 2608.13520: the Bernoulli-unmasking statements hold for every such pair; the
    clause binds ``p`` and ``q``).  The prover takes all 210 pairs at every ``L``.  The clauses are
    about the profile, not the schedule, so an instance checks only ``PER_INSTANCE = 2`` pairs,
    selected by its schedule: the pairs ``i`` with ``i mod 105 = rank(S) mod 105``
    (:func:`composition_rank`), one with a small ``p`` and one with a large one.  From
    ``L = 8`` (``2^7 >= 105`` schedules) every pair is reached by some schedule, its witness;
    below that a witness is a schedule of the right length whose two pairs may be others.
    Instances longer than ``INSTANCE_MAX_L = 64`` are not checked on time pairs: Gamma's exact
    trinomial form costs about ``L^3`` big-rational terms (0.2 s per pair at L = 64, 90 s for
    two pairs at L = 300)."""

    name = "times"
    domain = f"every L >= 1 and every rational 0 < p < q < 1 with denominators <= {TIME_DENOMINATORS}"
    PER_INSTANCE = 2
    INSTANCE_MAX_L = 64
    covers_from_L = 8

    @staticmethod
    def pairs(max_den: int = TIME_DENOMINATORS):
        pts = time_points(max_den)
        return [(p, q) for n, p in enumerate(pts) for q in pts[n + 1:]]

    def cases(self, L):
        return [time_case(L, p, q) for p, q in self.pairs()]

    def _slices(self) -> int:
        return -(-len(self.pairs()) // self.PER_INSTANCE)

    def instance_cases(self, L, S):
        if L > self.INSTANCE_MAX_L:
            return []
        n = self._slices()
        r = composition_rank(S) % n
        return [time_case(L, p, q) for i, (p, q) in enumerate(self.pairs()) if i % n == r]

    def witness(self, case):
        i = self.pairs().index((case.constants[p_t], case.constants[q_t]))
        return composition_of_rank(case.L, (i % self._slices()) % (1 << (case.L - 1)))

    def strategy(self, L):
        return st.integers(0, min(self._slices(), 1 << (L - 1)) - 1).map(lambda r: composition_of_rank(L, r))

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        raise QuantifierError(f"{what} ranges over time pairs 0 < p < q < 1: give --pair p,q (e.g. 2/5,1/2)")

    def pair_case(self, L: int, text: str, what: str = "this clause") -> Case:
        """``p,q`` from the command line: rationals ``0 < p < q < 1`` with denominators ``<= 64``."""
        try:
            p, q = (Fraction(x) for x in text.replace(" ", "").split(","))
        except (ValueError, ZeroDivisionError):
            raise QuantifierError(f"--pair {text[:40]!r} for {what} must be two rationals p,q such as 2/5,1/2") from None
        if not (0 < p < q < 1 and max(p.denominator, q.denominator) <= 64):
            raise QuantifierError(f"--pair {p},{q} for {what} needs 0 < p < q < 1 with denominators <= 64")
        return time_case(L, p, q)


class Cuts(Profile):
    """Every pair of reveal counts ``0 <= a < b <= L-1`` (Wainwright, arXiv 2608.13520, Lemma 5; the
    clause binds ``a`` and ``b``).  No schedule."""

    name, domain = "cuts", "every L >= 2 and every pair of reveal counts 0 <= a < b <= L-1"

    def cases(self, L):
        return [Case(L, bind=((a_n, a), (b_n, b))) for a in range(L - 1) for b in range(a + 1, L)]

    def instance_cases(self, L, S):
        if L <= CUTS_ALL_MAX_L:
            return self.cases(L)
        counts = sorted({0, 1, 2, L // 4, L // 2, (3 * L) // 4, L - 2, L - 1})  # long sequences: a sample
        return [Case(L, bind=((a_n, a), (b_n, b))) for a in counts for b in counts if a < b]

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        raise QuantifierError(f"{what} ranges over reveal counts 0 <= a < b <= L-1: give --pair a,b (e.g. 0,2)")

    def pair_case(self, L: int, text: str, what: str = "this clause") -> Case:
        """``a,b`` from the command line: integers ``0 <= a < b <= L-1``."""
        try:
            a, b = (int(x) for x in text.replace(" ", "").split(","))
        except ValueError:
            raise QuantifierError(f"--pair {text[:40]!r} for {what} must be two integers a,b such as 0,2") from None
        if not 0 <= a < b <= L - 1:
            raise QuantifierError(f"--pair {a},{b} for {what} needs 0 <= a < b <= L-1 = {L - 1}")
        return Case(L, bind=((a_n, a), (b_n, b)))


class Policies(Quantifier):
    """Value-dependent unmasking policies (statement A1; :mod:`proofs_check.model.policies`).

    A case is one policy: each fixed-size kind with each balanced schedule ``balanced(L, T)``,
    ``T = 1..L``, and the entropy-sum policy with each threshold of ``EPS`` (nats).  The fixed-size
    cases apply to their balanced schedule, the entropy-sum cases (no schedule) to the one-step
    schedule ``(L)``, which stands for them.  ``ties="position"``: the deterministic policies
    (lowest entropy first, top confidence, left to right); ``ties="random"``: random tie-breaks,
    plus Li & Cai's random-order sampler.  Instances larger than ``max_states = V^L`` are skipped
    (every policy case enumerates the support and its reveal paths).
    """

    EPS = (Fraction(1, 2), Fraction(1), Fraction(2))
    max_states = 16

    def __init__(self, name: str, ties: str):
        self.name, self.ties = name, ties
        self.kinds = ("left", "entropy", "confidence") if ties == "position" else ("random", "entropy", "confidence")
        self.domain = (f"every L >= 1; the policies {', '.join(self.kinds)} with each balanced schedule and "
                       f"entropy-sum with eps in {{1/2, 1, 2}}, ties broken {'by position' if ties == 'position' else 'at random'}")

    def _fixed(self, S: Schedule) -> list[Case]:
        return [Case(S.L, S.sizes, policy=policies.make(k, S.sizes, ties=self.ties)) for k in self.kinds]

    def _adaptive(self, L: int) -> list[Case]:
        return [Case(L, policy=policies.make("entropy-sum", eps=e, ties=self.ties)) for e in self.EPS]

    def cases(self, L):
        return [c for TT in range(1, L + 1) for c in self._fixed(balanced(L, TT))] + self._adaptive(L)

    def applies(self, S):
        return is_balanced(S)

    def instance_cases(self, L, S):
        if not self.applies(S):
            return []
        return self._fixed(S) + (self._adaptive(L) if S == one_step(L) else [])

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        raise QuantifierError(f"{what} ranges over unmasking policies; use `dlm-verify adaptive` for one source")

    def strategy(self, L):
        return st.integers(1, L).map(lambda TT: balanced(L, TT))

    def witness(self, case):
        return Schedule(case.sizes) if case.sizes is not None else one_step(case.L)


#: Bits of the certified lower bound of ln(L-1) bound by ``geometric`` cases (width 2^-LOG_BITS).
LOG_BITS = 48


def log_lower_bound(n: int, bits: int = LOG_BITS) -> Fraction:
    """A rational ``lam`` with ``lam <= ln(n) < lam + 2^-bits``, both ends certified by the exact
    engine (``numerics.certify.compare`` against ``log(n)``)."""
    from proofs_check.numerics.certify import compare  # numerics is below model
    from proofs_check.numerics.exact import LogLinear
    import mpmath
    with mpmath.workprec(bits + 64):
        lam = Fraction(int(mpmath.floor(mpmath.log(n) * 2**bits)), 2**bits)
    exact = LogLinear.log(n)
    if not (compare(lam, exact, "<=").ok and compare(exact, lam + Fraction(1, 2**bits), "<").ok):
        raise ArithmeticError(f"could not certify the enclosure of ln({n})")  # never: mpmath is correctly rounded
    return lam


class Geometric(Profile):
    """Wainwright's geometric grid (arXiv 2608.13520, Corollary 1, eq. 21): the ``(L, N)`` with
    rational grid points and ``N >= 2 ln(L-1)``.  The points are rational iff ``r = (L-1)^(2/N)``
    is rational, hence an integer, and ``N >= 2 ln(L-1) = N ln r`` iff ``r <= e``; ``r = 1`` is
    ``L = 2`` (an empty grid), so ``r = 2``: exactly ``L = 2^k + 1`` with ``N = 2k``, one case.
    The case binds ``N`` and ``lambda``, a certified lower bound of ``ln(L-1)`` within ``2^-48``
    (:func:`log_lower_bound`): the clause's right side grows with ``lambda`` (its ``H`` is
    nonnegative on the cone), so proving it at ``lambda`` proves it at ``ln(L-1)``."""

    name = "geometric"
    domain = "every L = 2^k + 1 (k >= 1) with N = 2k: the rational geometric grids with N >= 2 ln(L-1)"

    @staticmethod
    def steps(L: int) -> list[int]:
        """Every ``N`` with ``(L-1)^(2/N)`` an integer ``r <= 2`` (the module docstring's ``r = 2``)."""
        return [N for N in range(1, 2 * L.bit_length() + 1) if geometric_ratio(L, N) == 2]

    def cases(self, L):
        return [Case(L, bind=((N_w, N), (lam_w, log_lower_bound(L - 1)))) for N in self.steps(L)]

    def instance_cases(self, L, S):
        return self.cases(L)

    def strategy(self, L):
        return any_schedule(L)

    def case_for(self, L, schedule=None, step=None, refined=None, u_value=None, what="this clause"):
        cases = self.cases(L)
        if not cases:
            raise QuantifierError(f"{what} has a rational geometric grid only at L = 2^k + 1 (3, 5, 9, 17, ...), "
                                  f"not L={L}")
        return cases[0]


QUANTIFIERS: dict[str, Quantifier] = {q.name: q for q in (
    Profile(), EachU(), All(), Balanced(), OneStep(), AllOnes(), SmallSteps(), Refinement(), Halving(),
    Offset(), Exists(), Policies("policy", "position"), Policies("policy_random", "random"), Times(), Cuts(), Geometric())}

#: ``check --schedules`` choices and the quantifier each stands for.
DISPLAYED: dict[str, Quantifier] = {q.display: q for q in QUANTIFIERS.values() if q.display}


def quantifier(name: str) -> Quantifier:
    """The table entry of quantifier ``name`` (a QuantifierError lists the known names)."""
    try:
        return QUANTIFIERS[name]
    except (KeyError, TypeError):
        raise QuantifierError(f"unknown quantifier {name!r}; known: {', '.join(QUANTIFIERS)}") from None
