"""User-written relations: a safe parser and a certified evaluator.

``dlm-verify check`` accepts one relation written in the suite's named
quantities, for instance ``KL_ideal <= (s_max - 1)/L * MI`` or
``log(1 + KL_ideal) <= KL_ideal``.  This module turns such a string into a
:class:`UserRelation` and evaluates it on an :class:`~proofs_check.model.instance.Instance`.

Parsing never executes the text.  The string is read by :func:`ast.parse` in
``eval`` mode (which only builds a syntax tree), every node is checked against a
whitelist, sizes are bounded, and only then is the SymPy expression *built
directly from the checked tree* -- no ``eval``, ``exec`` or ``sympify`` of user
text anywhere (SymPy's own ``parse_expr`` evaluates the transformed text with
``eval``, so it is deliberately not used).  Allowed are:

* the quantity names of :data:`theory.symbols.NAMES` (``KL``, ``KL_ideal``,
  ``eps_train``, ``MI``, ``TC``, ``DTC``, ``H``, the schedule constants ``L``,
  ``T``, ``s_max``, ``s`` and the profile functions ``h``, ``delta``, ``g``,
  ``D``, ``omega`` applied to one argument);
* integers up to ``10**12`` and decimal numbers (read exactly: ``0.1`` is 1/10);
* ``+ - * / **``, unary ``+``/``-``, parentheses;
* the functions ``Min``, ``Max``, ``log`` (one argument, or two: ``log(x, base)``),
  ``ceiling``, ``floor``, ``sqrt``;
* exactly one relation among ``<= >= < > ==``.

Exponents must be constants of the case (numbers and ``L``, ``T``, ``s_max``,
``s``) whose absolute value stays at most 64 for every ``L <= NAME_BOUND``, and
every constant sub-expression must stay below ``MAX_BITS`` bits (SymPy's exact
``floor`` or ``sqrt`` of a number of about a thousand bits can run for minutes): a
bound is computed from the tree before SymPy sees anything, so ``9**9**9`` or
``KL ** 10**10`` are rejected without being computed.

Evaluation on an instance lives in :mod:`proofs_check.search.usereval`.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from fractions import Fraction

import sympy as sp

from theory import symbols as sy
from theory.registry import Clause, Statement

from proofs_check.errors import ExpressionError

MAX_CHARS = 500
MAX_INT = 10**12
MAX_EXPONENT = 64
#: Schedule constants (L, T, s_max, s) are bounded by this in the static size checks.
NAME_BOUND = 16
MAX_BITS = 256
MAX_NUMBER_CHARS = 40

RELATIONS = {ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">", ast.Eq: "=="}
BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

#: Mathematical functions a user may call, with the numbers of arguments they take.
FUNCTIONS = {
    "Min": (sp.Min, (1, 8)), "Max": (sp.Max, (1, 8)), "log": (sp.log, (1, 2)),
    "ceiling": (sp.ceiling, (1, 1)), "floor": (sp.floor, (1, 1)), "sqrt": (sp.sqrt, (1, 1)),
}
CASE_CONSTANT_NAMES = ("L", "T", "s_max", "s")
PROFILE_FUNCTIONS = tuple(n for n, v in sy.NAMES.items() if isinstance(v, sp.FunctionClass))
SCALAR_QUANTITIES = tuple(n for n in sy.NAMES if n not in CASE_CONSTANT_NAMES and n not in PROFILE_FUNCTIONS)
QUANTITY_SYMBOLS = frozenset(sy.NAMES[n] for n in SCALAR_QUANTITIES)
PROFILE_FUNCTION_CLASSES = frozenset(sy.NAMES[n] for n in PROFILE_FUNCTIONS)


def allowed_names() -> str:
    """The whitelist as one line, for error messages and ``--help``."""
    return (f"quantities {', '.join(SCALAR_QUANTITIES)}; schedule constants {', '.join(CASE_CONSTANT_NAMES)}; "
            f"profile functions {', '.join(f'{n}(.)' for n in PROFILE_FUNCTIONS)}; "
            f"functions {', '.join(FUNCTIONS)}; operators + - * / ** and one of <= >= < > ==")


# ----------------------------------------------------------------------------------------
# parsing
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserRelation:
    """A parsed relation ``lhs rel rhs`` (SymPy sides, evaluated) and the text it came from."""

    text: str
    lhs: sp.Expr
    rel: str
    rhs: sp.Expr
    names: frozenset = field(default_factory=frozenset)

    @property
    def canonical(self) -> str:
        return f"{sp.sstr(self.lhs)} {self.rel} {sp.sstr(self.rhs)}"

    @property
    def uses_kl(self) -> bool:
        return "KL" in self.names

    @property
    def uses_eps_train(self) -> bool:
        return "eps_train" in self.names

    @property
    def uses_step(self) -> bool:
        return "s" in self.names

    def substituted(self, mapping: dict) -> "UserRelation":
        return UserRelation(self.text, self.lhs.xreplace(mapping), self.rel, self.rhs.xreplace(mapping), self.names)

    def for_class(self, over: str) -> "UserRelation":
        """The relation as it is read for the schedule class ``over``.

        For the randomized-offset class the sampler's schedule is random (first step ``r``
        uniform on ``1..s``), so ``KL`` and ``KL_ideal`` mean its error averaged over ``r``
        (``KL_ideal_offset``, as in S3), with the optimal predictor (``eps_train = 0``).
        Every other class is read as written.
        """
        if over != "offset":
            return self
        return self.substituted({sy.KL: sy.KL_ideal_offset, sy.KL_ideal: sy.KL_ideal_offset,
                                 sy.eps_train: sp.Integer(0)})

    def for_prover(self) -> "UserRelation":
        """The relation with ``KL`` replaced through F1 (``KL = KL_ideal + eps_train``).

        Without ``eps_train`` in the text the predictor is the optimal one, so ``eps_train = 0``.
        """
        if not self.uses_kl:
            return self
        return self.substituted({sy.KL: sy.KL_ideal + (sy.eps_train if self.uses_eps_train else 0)})

    def clause(self, over: str) -> Clause:
        has_kl = self.lhs.has(sy.KL) or self.rhs.has(sy.KL)
        return Clause(self.lhs, self.rel, self.rhs, over, label=self.text, prover=not has_kl)

    def statement(self, over: str, id: str = "USER") -> Statement:
        """A throw-away registry statement (provenance ``conjecture``) holding this relation."""
        return Statement(id, self.text, "conjecture", "user expression (dlm-verify check)", (self.clause(over),))


def parse(text: str) -> UserRelation:
    """Parse and validate a user relation; raise :class:`ExpressionError` on anything not allowed."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"the expression has {len(text)} characters; at most {MAX_CHARS} are accepted")
    if "__" in text:
        raise ExpressionError("double underscores are not allowed in expressions; use the quantity names: "
                              + allowed_names())
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("empty expression; write a relation such as 'KL_ideal <= (s_max - 1)/L * MI'")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        hint = " (use == for equality)" if "=" in stripped and not any(o in stripped for o in ("==", "<=", ">=")) else ""
        raise ExpressionError(f"cannot parse {stripped!r}: {exc.msg}{hint}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is nested too deeply to parse") from None
    try:
        lhs, rel, rhs, names = _relation(tree.body, stripped)
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    for side in (lhs, rhs):
        if side.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
            raise ExpressionError(f"{sp.sstr(side)} is not a finite real expression (division by zero, "
                                  "log of 0 or a negative number?)")
    check_arguments(lhs, rhs)
    return UserRelation(stripped, lhs, rel, rhs, frozenset(names))


#: Where each profile function is defined, as (lowest, highest) argument in terms of ``L``:
#: ``h(m)`` for ``0 <= m <= L``; ``delta(m) = h(m+1) - h(m)`` for ``m <= L-1``; ``g(u) = delta(u) -
#: delta(u+1)`` and ``omega(u)`` for ``u <= L-2``; ``D(w) = delta(0) - delta(w)`` for ``w <= L-1``.
ARGUMENT_RANGES = {sy.h: (0, 0), sy.delta: (0, 1), sy.g: (0, 2), sy.D: (0, 1), sy.omega: (0, 2)}


def argument_range(func) -> str:
    """The valid arguments of a profile function, as text (``0 <= u <= L-2``)."""
    lo, minus = ARGUMENT_RANGES[func]
    return f"an integer {lo} <= arg <= L" + (f"-{minus}" if minus else "")


def check_arguments(*sides) -> None:
    """Reject a profile function applied where it means nothing for every ``L = 2..NAME_BOUND``:
    ``h(L+1)``, ``g(-1)``, ``delta(L)``, ``D(L)``, ``h(1/2)``.  Arguments that also depend on
    ``T``, ``s_max`` or ``s`` are checked per case when evaluated."""
    for side in sides:
        for node in sp.preorder_traversal(side):
            func = getattr(node, "func", None)
            if func not in ARGUMENT_RANGES or len(node.args) != 1:
                continue
            arg = node.args[0]
            if not arg.free_symbols <= {sy.L}:
                continue
            lo, minus = ARGUMENT_RANGES[func]
            if not any(_integer_in(arg.xreplace({sy.L: sp.Integer(n)}), lo, n - minus) for n in range(2, NAME_BOUND + 1)):
                raise ExpressionError(f"{sp.sstr(node)} means nothing for any L = 2..{NAME_BOUND}: "
                                      f"{func.__name__} takes {argument_range(func)}")


def _integer_in(x, lo: int, hi: int) -> bool:
    return bool(x.is_Integer) and lo <= int(x) <= hi


def _relation(body, text: str):
    """Check the tree of a relation, then build its two SymPy sides: (lhs, rel, rhs, names)."""
    checker = _Checker(text)
    if not isinstance(body, ast.Compare):
        checker.check(body)  # a forbidden construct is named before the missing relation
        raise ExpressionError(f"{text!r} is not a relation; write exactly one of <=, >=, <, >, == "
                              "between two expressions")
    if len(body.ops) != 1:
        raise ExpressionError(f"{text!r} chains {len(body.ops)} relations; write exactly one")
    op = type(body.ops[0])
    if op not in RELATIONS:
        raise ExpressionError(f"relation {op.__name__} is not allowed; use <=, >=, <, > or ==")
    for side in (body.left, body.comparators[0]):
        checker.check(side)
    # only now, with every node allowed and every constant bounded, does SymPy see anything
    lhs = _Builder(text).build(body.left)
    rhs = _Builder(text).build(body.comparators[0])
    return lhs, RELATIONS[op], rhs, checker.names


@dataclass
class _Bound:
    """Static information on a checked node.

    ``constant``: the node depends only on numbers and the schedule constants;
    ``lo``/``hi``: a float enclosure of its value over ``1 <= L, T, s_max, s <= NAME_BOUND``
    (meaningful when constant); ``bits``: an upper bound on the size in bits of the
    numerator and denominator SymPy will hold for it.
    """

    constant: bool
    lo: float = -math.inf
    hi: float = math.inf
    bits: float = 0.0

    @property
    def magnitude(self) -> float:
        return max(abs(self.lo), abs(self.hi))


def _fsafe(f, *args) -> float:
    try:
        v = f(*args)
    except (OverflowError, ZeroDivisionError):
        return math.inf
    except ValueError:
        return math.nan
    return v if not math.isnan(v) else math.nan


def _span(values) -> tuple[float, float]:
    vals = [v for v in values]
    if any(math.isnan(v) for v in vals):
        return -math.inf, math.inf
    return min(vals), max(vals)


class _Checker:
    """Walk the Python syntax tree, allow only whitelisted nodes, bound sizes statically."""

    def __init__(self, text: str):
        self.text = text
        self.names: set[str] = set()

    def fail(self, node, why: str):
        seg = ast.get_source_segment(self.text, node) or type(node).__name__
        raise ExpressionError(f"{why}: {seg!r}")

    def check(self, node) -> _Bound:
        b = self._check(node)
        if b.bits > MAX_BITS:
            self.fail(node, f"a constant in the expression would exceed {MAX_BITS} bits")
        return b

    def _check(self, node) -> _Bound:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.UAdd, ast.USub)):
                self.fail(node, "only unary + and - are allowed")
            b = self.check(node.operand)
            return _Bound(b.constant, -b.hi, -b.lo, b.bits) if isinstance(node.op, ast.USub) else b
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            self.fail(node, "exactly one relation is allowed")
        if isinstance(node, ast.Attribute):
            self.fail(node, "attribute access is not allowed")
        if isinstance(node, ast.Lambda):
            self.fail(node, "lambda is not allowed")
        self.fail(node, f"{type(node).__name__} is not allowed in an expression (allowed: {allowed_names()})")

    def _constant(self, node) -> _Bound:
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(node, "only numbers are allowed as literals")
        if isinstance(v, int):
            if abs(v) > MAX_INT:
                self.fail(node, f"integer literals above {MAX_INT} are not allowed")
            return _Bound(True, float(v), float(v), math.log2(abs(v) + 1))
        seg = ast.get_source_segment(self.text, node) or repr(v)
        if not math.isfinite(v) or abs(v) > MAX_INT or len(seg) > MAX_NUMBER_CHARS:
            self.fail(node, f"decimal literals must be finite, at most {MAX_INT} and {MAX_NUMBER_CHARS} characters")
        q = _decimal(seg)
        return _Bound(True, float(q), float(q), math.log2(max(abs(q.numerator), q.denominator) + 1))

    def _name(self, node) -> _Bound:
        name = node.id
        if name.startswith("_") or name not in sy.NAMES:
            self.fail(node, f"unknown name; allowed: {allowed_names()}")
        if name in PROFILE_FUNCTIONS:
            self.fail(node, f"{name} is a function of one argument, e.g. {name}(0)")
        self.names.add(name)
        if name in CASE_CONSTANT_NAMES:
            return _Bound(True, 1.0, float(NAME_BOUND), math.log2(NAME_BOUND + 1))
        return _Bound(False)

    def _binop(self, node) -> _Bound:
        op = type(node.op)
        if op not in BINOPS:
            hint = " (use ** for powers)" if op is ast.BitXor else ""
            self.fail(node, f"operator {type(node.op).__name__} is not allowed{hint}")
        a, b = self.check(node.left), self.check(node.right)
        const = a.constant and b.constant
        if op is ast.Pow:
            return self._pow(node, a, b)
        if op in (ast.Add, ast.Sub):
            lo, hi = (a.lo + b.lo, a.hi + b.hi) if op is ast.Add else (a.lo - b.hi, a.hi - b.lo)
            lo, hi = _span([lo, hi])
            return _Bound(const, lo, hi, a.bits + b.bits + 1)
        if op is ast.Mult:
            lo, hi = _span([_fsafe(lambda x, y: x * y, x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)])
            return _Bound(const, lo, hi, a.bits + b.bits)
        if b.lo <= 0 <= b.hi:
            lo, hi = -math.inf, math.inf
        else:
            lo, hi = _span([_fsafe(lambda x, y: x / y, x, y) for x in (a.lo, a.hi) for y in (b.lo, b.hi)])
        return _Bound(const, lo, hi, a.bits + b.bits)

    def _pow(self, node, base: _Bound, exp: _Bound) -> _Bound:
        if not exp.constant:
            self.fail(node, "exponents must not contain quantities (only numbers and L, T, s_max, s)")
        if exp.magnitude > MAX_EXPONENT:
            self.fail(node, f"exponents are limited to absolute value {MAX_EXPONENT} "
                            f"(this one may reach {exp.magnitude:.3g} for L <= {NAME_BOUND})")
        bits = base.bits * max(exp.magnitude, 1.0)
        if not base.constant:
            return _Bound(False, bits=bits)
        m = base.magnitude
        if exp.lo < 0:
            small = 0.0 if base.lo <= 0 <= base.hi else min(abs(base.lo), abs(base.hi))
            big = _fsafe(lambda x, y: x ** y, small, exp.lo) if small > 0 else math.inf
            top = max(big, _fsafe(lambda x, y: x ** y, max(m, 1.0), exp.magnitude))
        else:
            top = _fsafe(lambda x, y: x ** y, max(m, 1.0), exp.hi)
        return _Bound(True, -top, top, bits)

    def _call(self, node) -> _Bound:
        if not isinstance(node.func, ast.Name):
            self.fail(node, "only calls of the allowed functions by name are allowed")
        name = node.func.id
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(node, "keyword and starred arguments are not allowed")
        if name in PROFILE_FUNCTIONS:
            if len(node.args) != 1:
                self.fail(node, f"{name} takes exactly one argument")
            arg = self.check(node.args[0])
            if not arg.constant:
                self.fail(node, f"the argument of {name} must be built from numbers and L, T, s_max, s")
            self.names.add(name)
            return _Bound(False, bits=arg.bits)
        if name not in FUNCTIONS:
            self.fail(node, f"function {name!r} is not allowed; allowed: {allowed_names()}")
        lo_n, hi_n = FUNCTIONS[name][1]
        if not lo_n <= len(node.args) <= hi_n:
            self.fail(node, f"{name} takes {lo_n}..{hi_n} arguments")
        args = [self.check(a) for a in node.args]
        const = all(a.constant for a in args)
        bits = max(a.bits for a in args)
        x = args[0]
        if name in ("Min", "Max"):
            pick = min if name == "Min" else max
            return _Bound(const, pick(a.lo for a in args), pick(a.hi for a in args), bits)
        if name in ("ceiling", "floor"):
            f = math.ceil if name == "ceiling" else math.floor
            lo = f(x.lo) if math.isfinite(x.lo) else x.lo
            hi = f(x.hi) if math.isfinite(x.hi) else x.hi
            return _Bound(const, float(lo), float(hi), bits + 1)
        if name == "sqrt":
            return _Bound(const, math.sqrt(max(x.lo, 0.0)), _fsafe(math.sqrt, max(x.hi, 0.0)), bits)
        # log(x) or log(x, base): |log(p/q)| <= bits * log 2, and 1/|log(base)| <= bits(base) + 1
        lo = _fsafe(math.log, x.lo) if x.lo > 0 else -math.inf
        hi = _fsafe(math.log, x.hi) if x.hi > 0 else -math.inf
        lo, hi = _span([lo, hi])
        if len(args) == 2:
            b = args[1]
            blo = _fsafe(math.log, b.lo) if b.lo > 0 else -math.inf
            bhi = _fsafe(math.log, b.hi) if b.hi > 0 else -math.inf
            if blo <= 0 <= bhi or math.isnan(blo) or math.isnan(bhi):
                lo, hi = -math.inf, math.inf
            else:
                lo, hi = _span([_fsafe(lambda p, q: p / q, p, q) for p in (lo, hi) for q in (blo, bhi)])
        return _Bound(const, lo, hi, math.log2(bits + 2) + 2)


def _decimal(seg: str) -> Fraction:
    """The exact rational a decimal literal denotes (``0.1`` is 1/10, not the nearest float)."""
    return Fraction(seg.replace("_", ""))


class _Builder:
    """Build the SymPy expression from a tree that :class:`_Checker` accepted."""

    def __init__(self, text: str):
        self.text = text

    def build(self, node) -> sp.Expr:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):
                return sp.Integer(node.value)
            q = _decimal(ast.get_source_segment(self.text, node) or repr(node.value))
            return sp.Rational(q.numerator, q.denominator)
        if isinstance(node, ast.Name):
            return sy.NAMES[node.id]
        if isinstance(node, ast.UnaryOp):
            x = self.build(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            a, b = self.build(node.left), self.build(node.right)
            op = type(node.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if op is ast.Div:
                return a / b
            return a ** b
        if isinstance(node, ast.Call):
            args = [self.build(a) for a in node.args]
            name = node.func.id
            if name in PROFILE_FUNCTIONS:
                return sy.NAMES[name](*args)
            return FUNCTIONS[name][0](*args)
        raise ExpressionError(f"unexpected node {type(node).__name__}")  # unreachable after _Checker
