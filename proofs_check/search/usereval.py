"""Certified evaluation of a parsed user relation (:mod:`proofs_check.search.userexpr`) on an instance.

Evaluation on an instance (:func:`evaluate`) takes the exact route when both
sides are linear in the profile for the case (:func:`theory.linear.linear_form`
succeeds): the sides are :class:`~proofs_check.numerics.exact.LogLinear` numbers and
:func:`proofs_check.numerics.certify.compare` decides -- through
:func:`proofs_check.model.instance.compare_sides`, the one evaluator registry clauses use too.  Otherwise one generic evaluator
walks the SymPy tree with ``mpmath.iv`` intervals, every quantity being the
enclosure of its exact value (``Instance.value(...).interval(prec)``), at
64, 128, ... bits until the sign of the difference is proven.  If it never is,
the quantities are replaced by their exact closed forms: a difference that SymPy
reduces to the literal 0 is ``equal`` (a proof), and an enclosure of the exact
forms may now decide (``floor`` of an exact integer); failing both, the verdict is
the honest ``equal within width`` (:data:`~proofs_check.verdicts.Status.EQUAL_WITHIN_WIDTH`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import sympy as sp

from theory.linear import Case, NotLinearError
from theory.relations import relation as relation_type

from proofs_check.errors import ExpressionError
from proofs_check.model.instance import compare_sides
from proofs_check.numerics.certify import tightness
from proofs_check.numerics.exact import LogLinear, iv_precision
from proofs_check.numerics.precision import FINAL_MAX_BITS, REPORT_DIGITS, SEARCH_MAX_BITS, ladder
from proofs_check.search.userexpr import PROFILE_FUNCTION_CLASSES, QUANTITY_SYMBOLS, UserRelation
from proofs_check.verdicts import Status

class Undefined(ValueError):
    """The expression has no real value on this instance and case (division by 0, log of 0, ...)."""


class _Imprecise(ArithmeticError):
    """An interval is too wide to decide a floor, a log or a division; retry at higher precision."""


@dataclass(frozen=True)
class Evaluation:
    """Certified outcome of one relation on one instance and case.

    ``status``: ``holds`` (relation proven true), ``equal`` (both sides proven equal),
    ``fails`` (relation proven false: a certified violation) or ``equal within width`` (the
    difference lies within ``width`` of 0 at the highest precision tried).
    ``margin`` is positive when the relation has room to spare.
    """

    status: str
    relation: str
    lhs: str
    rhs: str
    lhs_float: float
    rhs_float: float
    margin: float
    method: str
    linear: bool
    width: float = 0.0

    @property
    def violated(self) -> bool:
        return self.status == Status.FAILS

    @property
    def score(self) -> float:
        """Bounded closeness to violation in [-1, 1]: above 0 means violated (for Hypothesis.target)."""
        scale = abs(self.lhs_float) + abs(self.rhs_float)
        if not math.isfinite(scale) or not math.isfinite(self.margin):
            return 0.0
        if scale < FLOAT_ZERO:
            return -1.0  # both sides 0: says nothing about how close the relation comes to failing
        if self.relation == "==":
            return min(abs(self.margin) / scale, 1.0)
        return max(min(-self.margin / scale, 1.0), -1.0)

    @property
    def ratio(self) -> float | None:
        """The verdict's :func:`~proofs_check.numerics.certify.tightness` (1 is tight, above 1 violated)."""
        return tightness(self.relation, self.lhs_float, self.rhs_float, self.status)

    def to_json(self) -> dict:
        return {"status": self.status, "relation": self.relation, "lhs": self.lhs, "rhs": self.rhs,
                "margin": self.margin, "method": self.method, "linear": self.linear,
                **({"width": self.width} if self.status == Status.EQUAL_WITHIN_WIDTH else {})}


#: Errors of the expansion machinery that mean "this input reached a corner it does not handle".
INTERNAL_ERRORS = (AttributeError, TypeError, KeyError, IndexError, RecursionError)


def internal_error(expr, exc: Exception) -> ExpressionError:
    """An :class:`ExpressionError` for an expression the suite's expansion code failed on."""
    return ExpressionError(f"the suite cannot evaluate {sp.sstr(expr)} (internal {type(exc).__name__}: {exc}); "
                           "rewrite it or report it")


def value(inst, expr, case: Case):
    """``inst.value(expr, case)``; division by zero counts as not linear, internal failures are reported."""
    try:
        return inst.value(expr, case)
    except ZeroDivisionError as exc:
        raise NotLinearError(f"division by zero in {expr}") from exc
    except INTERNAL_ERRORS as exc:
        raise internal_error(expr, exc) from exc


def evaluate(rel: UserRelation, inst, case: Case, max_prec: int = SEARCH_MAX_BITS) -> Evaluation:
    """Evaluate ``rel`` on ``inst`` for ``case`` with a certified verdict.

    Raises :class:`Undefined` when a side has no real value for this case.
    """
    try:
        lhs, rhs, v, _ = compare_sides(inst, rel.lhs, rel.rel, rel.rhs, case)
    except NotLinearError:
        return _evaluate_intervals(rel, inst, case, max_prec)
    except INTERNAL_ERRORS as exc:
        raise internal_error(rel.lhs - rel.rhs, exc) from exc
    status = v.status  # interval-only atoms (very long sequences) may end equal within width
    ls, rs = _digits(lhs), _digits(rhs)
    return Evaluation(status, rel.rel, ls, rs, _clean(ls), _clean(rs), v.margin, f"exact:{v.method}", True)


def _digits(x) -> str:
    return mpmath.nstr(x.mpf(REPORT_DIGITS + 5), REPORT_DIGITS)


#: Values below this are reported as 0 in the float summaries (ratios, scores): they are
#: the rounding residue of an exact 0 at 30+ digits, never a real quantity of a small instance.
FLOAT_ZERO = 1e-25


def _clean(text: str) -> float:
    """Float of a high-precision decimal string, with sub-``FLOAT_ZERO`` residue set to 0."""
    try:
        x = float(text.split(" ")[0])
    except ValueError:
        return math.nan
    return 0.0 if abs(x) < FLOAT_ZERO else x


class _IntervalContext:
    """Interval values of one relation on one instance and case, with the exact atoms cached."""

    def __init__(self, rel: UserRelation, inst, case: Case):
        self.inst = inst
        self.case = case
        self.atoms: dict = {}
        # case constants first: SymPy evaluates constant parts exactly (ceiling(log(4)/log(2)) = 2),
        # which intervals alone could never decide; sizes were bounded when the text was parsed
        self.lhs = rel.lhs.xreplace(case.constants)
        self.rhs = rel.rhs.xreplace(case.constants)

    def atom(self, expr) -> LogLinear:
        hit = self.atoms.get(expr)
        if hit is None:
            try:
                hit = self.atoms[expr] = value(self.inst, expr, self.case)
            except NotLinearError as exc:
                raise Undefined(str(exc)) from None
        return hit

    def value(self, expr, prec: int):
        with iv_precision(prec):
            return self._iv(expr)

    def _iv(self, expr):
        iv = mpmath.iv
        if expr.is_Rational:
            return iv.mpf(int(expr.p)) / int(expr.q)
        if expr in (sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or expr.is_Number and not expr.is_real:
            raise Undefined(f"{expr} is not a finite real number")
        if expr in self.case.constants:
            return iv.mpf(int(self.case.constants[expr]))
        if expr in QUANTITY_SYMBOLS or getattr(expr, "func", None) in PROFILE_FUNCTION_CLASSES:
            return self.atom(expr).interval(iv.prec)
        if isinstance(expr, sp.Symbol):
            raise Undefined(f"{expr} has no value for this case")
        args = [self._iv(a) for a in expr.args] if not expr.is_Pow else None
        if expr.is_Add:
            out = args[0]
            for a in args[1:]:
                out = out + a
            return out
        if expr.is_Mul:
            out = args[0]
            for a in args[1:]:
                out = out * a
            return out
        if expr.is_Pow:
            return self._pow(expr)
        if isinstance(expr, sp.log):
            return self._log(args[0])
        if isinstance(expr, (sp.Min, sp.Max)):
            pick = min if isinstance(expr, sp.Min) else max
            return iv.mpf([pick(a.a for a in args), pick(a.b for a in args)])
        if isinstance(expr, sp.Abs):
            x = args[0]
            if x.a >= 0:
                return x
            if x.b <= 0:
                return -x
            return iv.mpf([0, max(-x.a, x.b)])
        if isinstance(expr, (sp.floor, sp.ceiling)):
            f = mpmath.floor if isinstance(expr, sp.floor) else mpmath.ceil
            x = args[0]
            lo, hi = f(x.a), f(x.b)
            if lo != hi:
                raise _Imprecise("floor/ceiling straddles an integer")
            return iv.mpf(lo)
        if expr.is_Number:  # e.g. a Float produced by SymPy: use its exact binary value
            return iv.mpf(expr)
        raise Undefined(f"cannot evaluate {type(expr).__name__} in {expr}")

    def _log(self, x):
        iv = mpmath.iv
        if x.b <= 0:
            raise Undefined("log of a non-positive number")
        if x.a <= 0:
            raise _Imprecise("log argument not separated from 0")
        return iv.log(x)

    def _pow(self, expr):
        iv = mpmath.iv
        base = self._iv(expr.base)
        e = expr.exp
        if e.is_Integer:
            n = int(e)
            if n < 0:
                if base.a == 0 and base.b == 0:
                    raise Undefined("division by zero")
                if base.a <= 0 <= base.b:
                    raise _Imprecise("divisor not separated from 0")
                return (iv.mpf(1) / base) ** (-n)
            return base ** n
        x = self._iv(e)
        if base.b < 0 or (base.a == 0 and base.b == 0 and x.b <= 0):
            raise Undefined("power of a negative number or 0 to a non-positive power")
        if base.a < 0:
            raise _Imprecise("base not separated from 0")
        if e == sp.Rational(1, 2):
            return iv.sqrt(base)
        if base.a == 0:
            if x.a <= 0:
                raise _Imprecise("0 to a non-positive power")
            return iv.mpf([0, (iv.exp(x * iv.log(iv.mpf(base.b)))).b])
        return iv.exp(x * iv.log(base))


def _evaluate_intervals(rel: UserRelation, inst, case: Case, max_prec: int) -> Evaluation:
    ctx = _IntervalContext(rel, inst, case)
    sides = (ctx.lhs, ctx.rhs)
    box = _enclose(ctx, sides, rel.rel, max_prec)
    method = "interval"
    if box is None or not _decided(box[2]):
        # exact closed forms of the quantities: SymPy's exact simplification may settle it
        # (a literal 0 difference), or resolve a floor/ceiling of an exact integer
        exact = _exact_sides(ctx)
        if exact is not None:
            if _structural_zero(exact[1] - exact[0]):
                box, sides, method = _zero_box(ctx, exact, rel.rel, max_prec), exact, "exact-zero"
            else:
                again = _enclose(ctx, exact, rel.rel, max_prec)
                if again is not None and (box is None or _decided(again[2])):
                    box, sides, method = again, exact, "exact-forms+interval"
    if box is None:
        raise Undefined("no enclosure at any precision (e.g. the floor of an exact integer)")
    lhs, rhs, d, prec = box
    if method == "exact-zero":
        status = Status.EQUAL if relation_type(rel.rel).allows_equality else Status.FAILS
    elif _decided(d):
        status = Status.FAILS if rel.rel == "==" or d.b < 0 else Status.HOLDS
        method = f"{method}@{prec}bits"
    else:
        status, method = Status.EQUAL_WITHIN_WIDTH, f"{method}@{prec}bits"
    lhs_s, rhs_s = _report(sides[0], ctx), _report(sides[1], ctx)
    margin = 0.0 if status in (Status.EQUAL, Status.EQUAL_WITHIN_WIDTH) else float(d.mid)
    return Evaluation(status, rel.rel, lhs_s, rhs_s, _clean(lhs_s), _clean(rhs_s), margin, method,
                      False, width=float(d.delta))


def _decided(d) -> bool:
    return d.a > 0 or d.b < 0


def _enclose(ctx: "_IntervalContext", sides, rel: str, max_prec: int):
    """(lhs, rhs, d, prec) at the first precision of the ladder that decides the sign of ``d``,
    or the last enclosure reached (``None`` if no precision gave one)."""
    last = None
    for prec in ladder(max_prec):
        try:
            with iv_precision(prec):  # the slack too is enclosed at this precision
                lhs, rhs = ctx.value(sides[0], prec), ctx.value(sides[1], prec)
                if not _is_real_interval(lhs) or not _is_real_interval(rhs):
                    raise Undefined("a side has a non-real value")
                d = relation_type(rel).slack(lhs, rhs)
        except _Imprecise:
            continue
        except (ZeroDivisionError, mpmath.libmp.ComplexResult):
            raise Undefined("division by zero or a non-real value") from None
        last = (lhs, rhs, d, prec)
        if _decided(d):
            break
    return last


def _zero_box(ctx, sides, rel: str, max_prec: int):
    box = _enclose(ctx, sides, rel, max_prec)
    if box is not None:
        return box
    z = mpmath.iv.mpf(0)
    return z, z, z, 0


def _is_real_interval(x) -> bool:
    return hasattr(x, "a") and hasattr(x, "b") and mpmath.isfinite(x.a) and mpmath.isfinite(x.b)


def _report(expr, ctx: _IntervalContext) -> str:
    """Value at ``REPORT_DIGITS`` digits from an enclosure narrow enough for them."""
    x = None
    for prec in ladder(FINAL_MAX_BITS, first=128):
        try:
            x = ctx.value(expr, prec)
        except _Imprecise:
            continue
        if x.delta <= abs(x.mid) * mpmath.mpf(10) ** -(REPORT_DIGITS + 2) or x.delta < mpmath.mpf(10) ** -60:
            with mpmath.workdps(REPORT_DIGITS + 10):
                return mpmath.nstr(mpmath.mpf(x.mid), REPORT_DIGITS)
    if x is None:
        return "nan (no enclosure)"
    return mpmath.nstr(mpmath.mpf(x.mid), 15) + " (+-" + mpmath.nstr(mpmath.mpf(x.delta), 3) + ")"


def sympy_value(x: LogLinear) -> sp.Expr:
    """The exact closed form ``q0 + sum c_n log(n)`` of a LogLinear number as a SymPy expression.

    The logarithms are taken over a pairwise coprime basis, so equal numbers get the same
    form (``log 4 - 2 log 2`` becomes 0).
    """
    out = sp.Rational(x.const.numerator, x.const.denominator)
    for n, c in sorted(x.coprime_coefficients().items()):
        out += sp.Rational(c.numerator, c.denominator) * sp.log(n)
    return out


def _exact_sides(ctx: _IntervalContext):
    """Both sides with every quantity replaced by its exact closed form (None if not possible)."""
    reps = {}
    for side in (ctx.lhs, ctx.rhs):
        for node in sp.preorder_traversal(side):
            if node in QUANTITY_SYMBOLS or getattr(node, "func", None) in PROFILE_FUNCTION_CLASSES:
                if node not in reps:
                    try:
                        atom = ctx.atom(node)
                    except Undefined:
                        return None
                    if not isinstance(atom, LogLinear):
                        return None  # interval-only value: no closed form
                    reps[node] = sympy_value(atom)
    try:
        return ctx.lhs.xreplace(reps), ctx.rhs.xreplace(reps)
    except Exception:  # noqa: BLE001 - SymPy failing to build the exact form only means "no exact form"
        return None


def _structural_zero(d) -> bool:
    """True only when SymPy's exact simplification turns ``d`` into the literal 0 (a proof)."""
    try:
        return sp.expand(d) == 0
    except Exception:  # noqa: BLE001
        return False
