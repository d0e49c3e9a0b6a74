"""Named exceptions for bad input.

Every error raised for a user's input is a subclass of :class:`DlmInputError`
(itself a ``ValueError``) and its message states the offending value and how to
fix it.  The command line prints the message on one line and exits with 2.
"""


class DlmInputError(ValueError):
    """Base class of every input error of the suite."""


class DistributionError(DlmInputError):
    """A distribution's weights, shape or support are unusable."""


class ScheduleError(DlmInputError):
    """An unmasking schedule is malformed (zero size, wrong sum, ...)."""


class TooLargeError(DlmInputError):
    """The requested computation would enumerate too many states."""


class PredictorError(DlmInputError):
    """A mask predictor returned something that is not a pmf over the vocabulary."""


class ExpressionError(DlmInputError):
    """A statement or user expression cannot be parsed or evaluated."""


class QuantifierError(DlmInputError):
    """An unknown quantifier name, or a case that does not fit a clause's quantifier."""


class ResultsFileError(DlmInputError):
    """A results file (campaign, check, prover) is missing a field, has a wrong type or an unknown schema."""


class StatementsFileError(DlmInputError):
    """A statement file (TOML of user statements) is unreadable, has a wrong field or a bad expression."""
