"""Independent cross-check of the prover: the full (unsymmetrized) Shannon cone as an LP.

For ``n`` random variables the entropy vector has one coordinate ``H(X_A)`` per
nonempty subset ``A`` of ``{1..n}`` (``2^n - 1`` of them).  The Shannon cone is cut
out by the *elemental* inequalities

    H(X_i | X_rest) >= 0                      (n of them)
    I(X_i; X_j | X_K) >= 0,  i < j, K a subset of the others   (C(n,2) 2^(n-2) of them)

and every Shannon-type inequality is a nonnegative combination of them.  A
statement that is linear in the profile becomes a linear function on this cone
through ``h(m) = mean of H(X_A) over |A| = m``.  Minimizing it over the cone cut by
the normalization ``sum_A H(X_A) <= 1`` (scipy's HiGHS) gives 0 when the
inequality is Shannon-type and a negative value otherwise.

Nothing here uses the symmetric basis of :mod:`proofs_check.prover.core`, so agreement
between the two is a real check.  The LP only *guides*; every verdict is certified
exactly with rationals:

* ``proved``: nonnegative rational multipliers ``y`` of the elemental inequalities
  with ``sum_i y_i a_i = c`` exactly (a Farkas certificate, rebuilt exactly from
  the support of the LP's solution);
* ``refuted``: a rational point of the cone (every elemental inequality checked
  exactly) where the statement is negative, rebuilt exactly from the LP vertex's
  active constraints.

If neither can be rebuilt the verdict is ``undecided`` (never observed for n <= 5).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np
from scipy.optimize import linprog

from theory.linear import CONST, Case, NotLinearError
from theory.relations import relation as relation_type

from proofs_check.numerics.certify import sign
from proofs_check.errors import TooLargeError
from proofs_check.numerics.exact import LogLinear
from proofs_check.prover.core import slack_form

MAX_N = 6
_TOL = 1e-9


def _check_n(n: int) -> None:
    if not 1 <= n <= MAX_N:
        raise TooLargeError(f"n={n} variables gives 2^n - 1 = {2**n - 1} coordinates; the LP "
                            f"cross-check supports 1 <= n <= {MAX_N}")


def subset_index(n: int) -> dict[int, int]:
    """Column of each nonempty subset (as a bitmask over positions 0..n-1)."""
    return {mask: mask - 1 for mask in range(1, 2**n)}


def elemental_inequalities(n: int) -> np.ndarray:
    """Integer matrix ``A`` (one row per elemental inequality) with ``A x >= 0`` the cone."""
    _check_n(n)
    full = 2**n - 1
    rows = []

    def vec(terms):
        r = [0] * full
        for mask, c in terms:
            if mask:
                r[mask - 1] += c
        return r

    for i in range(n):  # H(X_i | X_rest) = H(all) - H(rest)
        rows.append(vec([(full, 1), (full & ~(1 << i), -1)]))
    for i, j in itertools.combinations(range(n), 2):  # I(X_i; X_j | X_K)
        others = [x for x in range(n) if x not in (i, j)]
        for r in range(len(others) + 1):
            for K in itertools.combinations(others, r):
                k = sum(1 << x for x in K)
                rows.append(vec([(k | 1 << i, 1), (k | 1 << j, 1), (k | 1 << i | 1 << j, -1), (k, -1)]))
    return np.array(rows, dtype=np.int64)


def profile_objective(h_coeffs, n: int) -> list[Fraction]:
    """Coefficients on ``H(X_A)`` of ``sum_m c_m h(m)`` (``c_0`` is ignored: ``h(0) = 0``)."""
    if len(h_coeffs) != n + 1:
        raise ValueError(f"need n + 1 = {n + 1} profile coefficients, got {len(h_coeffs)}")
    out = []
    for mask in range(1, 2**n):
        size = bin(mask).count("1")
        out.append(Fraction(h_coeffs[size]) / comb(n, size))
    return out


# -- exact linear algebra ----------------------------------------------------------------------


def solve_exact(rows: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """One solution of ``rows @ x = rhs`` over the rationals (free unknowns 0), or None."""
    nvar = len(rows[0]) if rows else 0
    M = [list(map(Fraction, r)) + [Fraction(b)] for r, b in zip(rows, rhs)]
    pivots = []
    r = 0
    for col in range(nvar):
        piv = next((i for i in range(r, len(M)) if M[i][col] != 0), None)
        if piv is None:
            continue
        M[r], M[piv] = M[piv], M[r]
        inv = 1 / M[r][col]
        M[r] = [x * inv for x in M[r]]
        for i in range(len(M)):
            if i != r and M[i][col] != 0:
                f = M[i][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        pivots.append(col)
        r += 1
        if r == len(M):
            break
    if any(all(x == 0 for x in row[:-1]) and row[-1] != 0 for row in M):
        return None
    x = [Fraction(0)] * nvar
    for i, col in enumerate(pivots):
        x[col] = M[i][-1]
    return x


# -- the decision -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LPVerdict:
    """Outcome for ``d >= 0`` (or the clause's relation) over the Shannon cone of ``n`` variables.

    ``optimum``: the LP minimum of the linear part under ``sum H <= 1`` (a float, a guide only);
    ``multipliers``: exact Farkas multipliers {row of the elemental matrix: y} for a proof;
    ``point``: an exact entropy vector (by subset bitmask) of the cone refuting the statement.
    """

    status: str  # "proved" | "refuted" | "undecided"
    n: int
    optimum: float
    multipliers: dict | None = None
    point: dict | None = None
    reason: str = ""


def _farkas(A: np.ndarray, c: list[Fraction]) -> dict | None:
    """Exact ``y >= 0`` with ``A^T y = c``, or None if the LP finds none that rebuilds exactly."""
    cf = np.array([float(x) for x in c])
    res = linprog(np.ones(A.shape[0]), A_eq=A.T.astype(float), b_eq=cf, bounds=(0, None), method="highs-ds")
    if res.status != 0:
        return None
    for tol in (1e-7, 1e-9, 1e-5):
        support = [i for i, y in enumerate(res.x) if y > tol]
        cols = [[Fraction(int(A[i, j])) for i in support] for j in range(A.shape[1])]
        y = solve_exact(cols, c) if support else ([] if all(x == 0 for x in c) else None)
        if y is None or any(v < 0 for v in y):
            continue
        full = {i: v for i, v in zip(support, y) if v}
        if all(sum((v * int(A[i, j]) for i, v in full.items()), Fraction(0)) == c[j] for j in range(A.shape[1])):
            return full
    return None


def _vertex(A: np.ndarray, c: list[Fraction]) -> tuple[float, dict | None]:
    """LP minimum of ``c.x`` over the normalized cone and an exact refuting point if negative."""
    m, N = A.shape
    cf = np.array([float(x) for x in c])
    A_ub = np.vstack([-A.astype(float), np.ones((1, N))])
    b_ub = np.r_[np.zeros(m), 1.0]
    res = linprog(cf, A_ub=A_ub, b_ub=b_ub, bounds=(None, None), method="highs-ds")
    if res.status != 0:
        raise ArithmeticError(f"Shannon LP failed: {res.message}")
    if res.fun >= -_TOL:
        return float(res.fun), None
    x = res.x
    for tol in (1e-9, 1e-7, 1e-5):
        active = [i for i in range(m) if abs(A[i] @ x) <= tol]
        rows = [[Fraction(int(v)) for v in A[i]] for i in active] + [[Fraction(1)] * N]
        pt = solve_exact(rows, [Fraction(0)] * len(active) + [Fraction(1)])
        if pt is None:
            continue
        if all(sum((Fraction(int(a)) * p for a, p in zip(A[i], pt) if a), Fraction(0)) >= 0 for i in range(m)) \
                and sum((ci * p for ci, p in zip(c, pt)), Fraction(0)) < 0:
            return float(res.fun), {mask: pt[mask - 1] for mask in range(1, N + 1)}
    return float(res.fun), None


def decide_profile_form(h_coeffs, constant, relation: str, n: int) -> LPVerdict:
    """Decide ``d = constant + sum_m h_coeffs[m] h(m)`` REL-wise over the Shannon cone of ``n``.

    ``relation`` is the clause's; ``d`` is already its slack (rhs - lhs, or lhs - rhs for
    >= and >), so the question is ``d >= 0`` (``> 0`` when strict, ``== 0`` for ==).
    """
    _check_n(n)
    A = elemental_inequalities(n)
    const = LogLinear.coerce(constant)
    csign = sign(const)[0]
    c = profile_objective(h_coeffs, n)
    if relation == "==":
        up = decide_profile_form(h_coeffs, constant, ">=", n)
        down = decide_profile_form([-x for x in h_coeffs], -const, ">=", n)
        if up.status == "proved" and down.status == "proved":
            return LPVerdict("proved", n, up.optimum, up.multipliers, reason="both directions")
        bad = up if up.status == "refuted" else down
        return LPVerdict(bad.status, n, bad.optimum, None, bad.point, bad.reason)
    optimum, point = _vertex(A, c)
    if point is not None:
        if csign <= 0:
            return LPVerdict("refuted", n, optimum, point=point)
        # d = const + t * c.x with c.x < 0 along the ray through the point: negative for t large
        slope = -sum((ci * p for ci, p in zip(c, point)), Fraction(0))
        t = Fraction(int(abs(float(const)) + 1) * 2) / slope + 1
        return LPVerdict("refuted", n, optimum, point={a: t * v for a, v in point.items()},
                         reason="point scaled along its ray past the positive constant")
    if not relation_type(relation).holds_on_sign(csign):
        return LPVerdict("refuted", n, optimum, point={mask: Fraction(0) for mask in range(1, 2**n)},
                         reason="negative or zero constant at the zero vector")
    y = _farkas(A, c)
    if y is not None:
        return LPVerdict("proved", n, optimum, multipliers=y)
    return LPVerdict("undecided", n, optimum, reason="no exact certificate rebuilt from the LP")


def decide_clause(clause, case: Case) -> LPVerdict:
    """The clause's slack on ``case`` (``n = case.L`` variables) decided over the full cone."""
    form = slack_form(clause, case)
    extra = [k for k in form if not (isinstance(k, int) or k == CONST or (isinstance(k, tuple) and k[0] == "log"))]
    if extra:
        raise NotLinearError(f"{', '.join(map(str, extra))} remains in the slack")
    L = case.L
    h = [Fraction(form.get(m, 0)) for m in range(L + 1)]
    const = LogLinear(form.get(CONST, 0), {k[1]: v for k, v in form.items() if isinstance(k, tuple)})
    return decide_profile_form(h, const, clause.rel, L)


def check_point(point: dict, n: int) -> bool:
    """Exact check that an entropy vector (by bitmask) satisfies every elemental inequality."""
    A = elemental_inequalities(n)
    x = [Fraction(point[mask]) for mask in range(1, 2**n)]
    return all(sum((int(a) * v for a, v in zip(row, x) if a), Fraction(0)) >= 0 for row in A)


def psitip_decide(h_coeffs, n: int) -> bool:
    """``sum_m h_coeffs[m] h(m) >= 0`` decided by psitip (an optional peer prover; floats).

    psitip is not a dependency of the suite: ``pip install --no-deps psitip`` works with
    scipy as its LP solver.  Raises ImportError when it is absent.
    """
    import psitip  # noqa: F401  (optional)

    psitip.PsiOpts.setting(solver="scipy")
    X = [psitip.rv(f"X{i + 1}") for i in range(n)]
    expr = None
    for mask in range(1, 2**n):
        A = [X[i] for i in range(n) if mask >> i & 1]
        size = len(A)
        coef = Fraction(h_coeffs[size]) / comb(n, size)
        if not coef:
            continue
        joint = A[0]
        for x in A[1:]:
            joint = joint + x
        term = psitip.H(joint) * float(coef)
        expr = term if expr is None else expr + term
    if expr is None:
        return True
    return bool(expr >= 0)
