"""Exception types of qheatnet.

Each subclasses the built-in exception a caller would expect, so that
``except ValueError`` still catches a :class:`ValidationError`.
"""

from __future__ import annotations


class QheatnetError(Exception):
    """Base class of every error raised on purpose by qheatnet."""


class ValidationError(QheatnetError, ValueError):
    """Input that does not describe a valid network, option or file.

    The message names the offending field (``baths[1].temperature``), says
    what is allowed and what was given.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class ModelError(QheatnetError, ValueError):
    """A valid network for which the requested approach is undefined.

    Example: the global (Davies) master equation of an oscillator network
    whose Hamiltonian has a non-positive normal-mode frequency
    (ε² ≥ ω_h ω_c for two oscillators): the network has no ground state.
    """


class ConvergenceError(QheatnetError, RuntimeError):
    """A numerical method did not reach its stated tolerance."""


class EngineNotApplicable(ValidationError, ModelError):
    """A named engine cannot solve the problem (field ``engine``); the message gives the reason.

    Both a :class:`ValidationError` (the ``engine`` option is not allowed here) and a
    :class:`ModelError` (the approach is undefined on that engine for this network).
    """

    def __init__(self, message: str):
        super().__init__("engine", message)


class MissingExtra(QheatnetError, ImportError):
    """An optional extra is needed for what was asked (the message names it: pip install 'qheatnet[heom]')."""
