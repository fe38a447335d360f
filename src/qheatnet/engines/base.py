"""What an engine is: the protocol, typed options, and the typed outputs it hands back.

An :class:`Engine` solves master equations in one representation (Fock
space, Gaussian second moments, Pauli rates, free fermions, closed forms).
It declares

* the approaches it supports for steady states (``steady_approaches``), for
  transients (``transient_approaches``) and for vectorised batches of sweep
  points (``batch_approaches``);
* its priority per mode (``priority``): ``engine="auto"`` picks the
  applicable engine of highest priority; a negative priority means "only
  when asked for by name";
* typed options per mode (:class:`Options` subclasses): unknown or
  ill-typed options raise :class:`~qheatnet.errors.ValidationError` naming
  the option and listing the allowed ones;
* :meth:`Engine.applies` — :data:`YES` or a :class:`Fit` carrying the
  reason it does not apply. That reason is what users see when they force
  an engine, or when no engine applies.

At run time an engine may still find that it cannot solve a network (the
rate equation with coupled degenerate levels, free fermions below
round-off): it raises :class:`EngineRefused`, and ``engine="auto"`` falls
back to the next applicable engine (:mod:`.choose`), saying so in the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar

import numpy as np

from ..errors import ConvergenceError, ValidationError
from ..model.network import Network
from ..physics.generator import ValidityInfo

__all__ = [
    "Mode",
    "Fit",
    "YES",
    "no",
    "Problem",
    "Options",
    "NoOptions",
    "EngineRefused",
    "Engine",
    "SteadyOutput",
    "TransientPlan",
    "TransientOutput",
    "empty_batch",
    "check_memory",
]

Mode = Literal["steady", "transient", "batch"]
MODES: tuple[str, ...] = ("steady", "transient", "batch")


@dataclass(frozen=True)
class Fit:
    """Whether an engine applies: truthy when it does, else ``reason`` says why not."""

    reason: str | None = None

    def __bool__(self) -> bool:
        return self.reason is None


#: The engine applies.
YES = Fit()


def no(reason: str) -> Fit:
    """The engine does not apply, because ``reason``."""
    return Fit(reason)


@dataclass(frozen=True)
class Problem:
    """What is asked of an engine: a validated network, an approach and a bookkeeping."""

    network: Network
    approach: str
    bookkeeping: str = "full"


class EngineRefused(ConvergenceError):
    """An engine found at run time that it cannot solve this network (``reason``).

    ``engine="auto"`` then tries the next applicable engine; a forced engine
    reports this error.
    """

    def __init__(self, engine: str, reason: str):
        self.engine = engine
        self.reason = reason
        super().__init__(f"engine {engine!r} cannot solve this network: {reason}")


OptionsT = TypeVar("OptionsT", bound="Options")


@dataclass(frozen=True)
class Options:
    """Base of the typed options of an engine.

    Each field carries its check in ``metadata["check"]``: a callable
    ``(field_name, value) -> value`` from :mod:`qheatnet.checks`, and a
    one-line ``metadata["help"]``.
    """

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def parse(cls: type[OptionsT], given: Mapping[str, Any], *, engine: str, prefix: str = "") -> OptionsT:
        """Check ``given`` (option name → value) and build the options; errors name ``prefix + name``."""
        allowed = cls.names()
        values = {}
        for key, value in given.items():
            if key not in allowed:
                listing = ", ".join(allowed) if allowed else "none"
                raise ValidationError(f"{prefix}{key}", f"unknown option for engine {engine!r} (allowed: {listing})")
            check = next(f for f in dataclasses.fields(cls) if f.name == key).metadata.get("check")
            values[key] = check(f"{prefix}{key}", value) if check is not None else value
        return cls(**values)

    def given(self) -> dict[str, Any]:
        """The options that differ from their defaults (for the result's ``solver`` section)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            default = f.default if f.default is not dataclasses.MISSING else None
            if v != default:
                out[f.name] = v
        return out


@dataclass(frozen=True)
class NoOptions(Options):
    """An engine (mode) without options."""


@dataclass(frozen=True, eq=False)
class SteadyOutput:
    """What an engine hands back to :func:`qheatnet.solve` (typed; the API freezes it into a SteadyState).

    ``gross_exchange`` is Σ_k r_k |ω_k| ⟨J_k†J_k⟩ (or an equivalent scale of the individual energy
    exchanges), used to tell a zero current from round-off. ``validity`` feeds the validity
    diagnostics. ``solver`` is the user-facing report of how the number was obtained.
    ``coupling_currents`` ({coupling label: {node: J_{c→i}}}) and ``node_bath_currents``
    ({node: J_bath(i)}) are the heat flow through the couplings in bare bookkeeping
    (:mod:`qheatnet.thermo.currents`), where the engine computes them.
    """

    heat_currents: dict[str, float]
    populations: dict[str, float]
    residual: float
    gross_exchange: float
    solver: dict[str, Any]
    validity: ValidityInfo = field(default_factory=ValidityInfo)
    diagnostics: list[Any] = field(default_factory=list)
    rho: np.ndarray | None = None
    space: Any = None
    correlation_matrix: np.ndarray | None = None
    covariance: np.ndarray | None = None
    eigen_populations: list[np.ndarray] | None = None
    eigen_energies: list[np.ndarray] | None = None
    coupling_currents: dict[str, dict[str, float]] | None = None
    node_bath_currents: dict[str, float] | None = None


@dataclass(frozen=True)
class TransientPlan:
    """The time grid and the initial product state of a transient (validated by the API)."""

    times: np.ndarray
    initial: dict[str, dict[str, float]]


@dataclass(frozen=True, eq=False)
class TransientOutput:
    """What an engine hands back to :func:`qheatnet.evolve` (arrays indexed by time)."""

    method: str
    structure: str
    heat_currents: dict[str, np.ndarray]
    populations: dict[str, np.ndarray]
    energy: np.ndarray
    entropy: np.ndarray | None
    trace_error: float
    first_law_error: float
    unknowns: int
    truncated_weight: float = 0.0
    steady_heat_currents: dict[str, float] | None = None


class Engine:
    """Base class of engines (see the module docstring). Subclasses set the class attributes."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    steady_approaches: ClassVar[frozenset[str]] = frozenset()
    transient_approaches: ClassVar[frozenset[str]] = frozenset()
    batch_approaches: ClassVar[frozenset[str]] = frozenset()
    priority: ClassVar[Mapping[str, int]] = {}
    steady_options: ClassVar[type[Options]] = NoOptions
    transient_options: ClassVar[type[Options]] = NoOptions
    batch_options: ClassVar[type[Options]] = NoOptions

    def approaches(self, mode: str) -> frozenset[str]:
        return {"steady": self.steady_approaches, "transient": self.transient_approaches}.get(
            mode, self.batch_approaches
        )

    def options_class(self, mode: str) -> type[Options]:
        return {"steady": self.steady_options, "transient": self.transient_options}.get(mode, self.batch_options)

    def applies(self, problem: Problem, mode: str) -> Fit:
        """YES or the reason this engine cannot solve ``problem`` in ``mode`` (cheap: no solve)."""
        return YES

    def steady(self, problem: Problem, options: Any) -> SteadyOutput:
        raise NotImplementedError

    def transient(self, problem: Problem, options: Any, plan: TransientPlan) -> TransientOutput:
        raise NotImplementedError

    def batch(self, problem: Problem, targets: Any, values: np.ndarray, base: dict) -> dict[str, np.ndarray]:
        raise NotImplementedError


def check_memory(estimate: float, what: str) -> None:
    """Refuse (ConvergenceError) before allocating when ``estimate`` bytes exceed MAX_MEMORY_BYTES."""
    from .. import config

    if not estimate <= config.MAX_MEMORY_BYTES:
        size = f"{estimate / 1e9:.3g} GB" if np.isfinite(estimate) else "more than any machine has"
        raise ConvergenceError(
            f"{what} would need about {size} of memory (limit {config.MAX_MEMORY_BYTES / 1e9:g} GB, "
            "qheatnet.config.MAX_MEMORY_BYTES)"
        )


def empty_batch(n: int, n_baths: int, n_nodes: int, codes: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The columnar result of ``n`` points (plain arrays; see :mod:`qheatnet.sweeps.kernels`), all NaN/False."""
    return {
        "heat_current": np.full((n, n_baths), np.nan),
        "entropy_production": np.full(n, np.nan),
        "population": np.full((n, n_nodes), np.nan),
        "first_law_residual": np.full(n, np.nan),
        "second_law_violated": np.zeros(n, dtype=bool),
        "failed": np.zeros(n, dtype=bool),
        "error_at": np.zeros(0, dtype=np.int64),
        "error": np.zeros(0, dtype="U1"),
        "engine": np.full(n, "", dtype="U24"),
        "codes": np.array(codes),
        "diagnostics": np.zeros((n, len(codes)), dtype=bool),
    }
