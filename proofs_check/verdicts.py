"""Every status word and exit code of the suite, in one place.

Three levels of what was established, from one comparison up to a whole statement:

* :class:`Status`: one certified comparison of two exact values on one instance;
* :class:`ProofStatus`: the prover on one case (one ``L``, one schedule, ...);
* :class:`Established`: a statement or a user's relation over every ``L`` -- ``proved`` only when
  a symbolic certificate covers every ``L``; ``verified`` when every case up to some ``L = N`` is
  proved (and nothing more); ``not refuted`` when a search found no counterexample; ``refuted``
  with a certified counterexample.

The members are ``str`` (``Status.HOLDS == "holds"``), so JSON and older results read the same.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(StrEnum):
    HOLDS = "holds"
    EQUAL = "equal"
    #: two sides known only through enclosures that could not be separated: not a proof of anything
    EQUAL_WITHIN_WIDTH = "equal within width"
    FAILS = "fails"


class ProofStatus(StrEnum):
    PROVED = "proved"
    REFUTED = "refuted"
    NOT_LINEAR = "not_linear"
    SKIPPED = "skipped"


class Established(StrEnum):
    PROVED = "proved"            # for every L (symbolic certificate)
    VERIFIED = "verified"        # every case for L <= N (finite proof only)
    NOT_REFUTED = "not refuted"  # a search found no counterexample
    REFUTED = "refuted"          # a certified counterexample


class ExitCode(IntEnum):
    OK = 0
    FAILS = 1          # a statement fails, a recorded refutation stops failing, or `check` refuted
    USAGE = 2          # bad usage or bad input (a one-line message names the value and the fix)
    INCONCLUSIVE = 3   # verified for L <= N only, or not refuted
    INTERNAL = 4       # a bug: the message says where the traceback was written
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # the reader of stdout went away (e.g. `| head`): stop quietly, 128 + SIGPIPE


#: What each exit code means; the README table and ``dlm-verify --help`` are generated from it.
EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success: nothing fails (`check`: proved)",
    ExitCode.FAILS: "a paper/derived statement fails, a recorded refutation stops failing, or `check` refuted the relation",
    ExitCode.USAGE: "bad usage or bad input (one line names the value and the fix)",
    ExitCode.INCONCLUSIVE: "inconclusive: verified for L <= N only, not refuted, or equal within width",
    ExitCode.INTERNAL: "internal error, a bug (one line gives the file holding the traceback)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.BROKEN_PIPE: "stdout closed early (e.g. piped into `head`): stopped quietly, no verdict",
}


def exit_code_table(markdown: bool = False) -> str:
    """The exit codes as text (``--help``) or as a Markdown table (README)."""
    if markdown:
        rows = ["| code | meaning |", "|---|---|"]
        rows += [f"| {int(c)} | {m} |" for c, m in EXIT_CODE_MEANINGS.items()]
    else:
        rows = ["exit codes:"] + [f"  {int(c):>3}  {m}" for c, m in EXIT_CODE_MEANINGS.items()]
    return "\n".join(rows)


EXIT_CODES: dict[Established, ExitCode] = {
    Established.PROVED: ExitCode.OK,
    Established.VERIFIED: ExitCode.INCONCLUSIVE,
    Established.NOT_REFUTED: ExitCode.INCONCLUSIVE,
    Established.REFUTED: ExitCode.FAILS,
}
