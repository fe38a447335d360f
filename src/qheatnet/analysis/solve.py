"""Steady state of a network under a chosen master equation: the main API.

:func:`solve` checks its input, builds the generator (local or global),
solves for the steady state, and returns a frozen :class:`SteadyState` that
carries the inputs, the method, the residuals and the validity diagnostics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from .. import config
from ..errors import ValidationError
from ..model.network import Network
from ..physics.davies import build_global, check_bounded_below
from ..physics.generator import MasterEquation
from ..physics.hilbert import FockSpace
from ..physics.local import build_local
from .diagnostics import coupling_diagnostics, outcome_diagnostics
from .engines import ENGINE_REGISTRY, pick_engine
from .thermo import entropy_production, second_law_verdict

__all__ = ["SteadyState", "solve", "build_master_equation", "current_resolution", "Bookkeeping", "APPROACHES"]

Bookkeeping = Literal["full", "bare"]
#: Approaches :func:`solve` accepts. "local" and "global" are master
#: equations; engines may add others (e.g. an exact reference).
APPROACHES: tuple[str, ...] = ("local", "global", "exact")


@dataclass(frozen=True, eq=False)
class SteadyState:
    """Result of :func:`solve`. All energies in the network's unit (ħ = k_B = 1).

    Attributes
    ----------
    network : Network
        The input.
    approach : str
        "local", "global" (master equations) or "exact" (the Gaussian
        engine's non-Markovian reference for oscillator networks).
    engine : str
        Which solver ran ("fock": sparse Liouvillian in a truncated Fock space).
    bookkeeping : "full" or "bare"
        Which Hamiltonian defines the heat currents.
    heat_currents : dict
        Bath name → J_α, positive when energy enters the network from α.
    entropy_production : float
        σ = −Σ_α J_α / T_α.
    first_law_residual : float
        Σ_α J_α (zero at the exact steady state with full bookkeeping).
    second_law : "satisfied" or "violated"
    second_law_tolerance : float
    populations : dict
        Node name → ⟨n_i⟩.
    diagnostics : tuple of Diagnostic
    residual : float
        Relative steady-state residual ‖𝓛ρ‖/(‖𝓛‖‖ρ‖).
    solver : dict
        How the number was obtained (cut-off, truncation error, structure).
    rho : ndarray or None
        Steady-state density matrix in the local product basis of ``space``
        (engines that do not build one leave None).
    extra : dict
        Engine-specific results (e.g. a covariance matrix).
    """

    network: Network
    approach: str
    engine: str
    bookkeeping: str
    heat_currents: dict
    entropy_production: float
    first_law_residual: float
    second_law: str
    second_law_tolerance: float
    populations: dict
    diagnostics: tuple
    residual: float
    solver: dict = field(default_factory=dict)
    rho: Any = field(default=None, repr=False)
    space: Any = field(default=None, repr=False)
    extra: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the schema of ``qheatnet solve --json``)."""

        def num(x):
            x = float(x)
            return x if math.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")

        return {
            "approach": self.approach,
            "engine": self.engine,
            "bookkeeping": self.bookkeeping,
            "heat_currents": {k: num(v) for k, v in self.heat_currents.items()},
            "entropy_production": num(self.entropy_production),
            "first_law_residual": num(self.first_law_residual),
            "second_law": self.second_law,
            "second_law_tolerance": num(self.second_law_tolerance),
            "populations": {k: num(v) for k, v in self.populations.items()},
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "residual": num(self.residual),
            "solver": {k: (num(v) if isinstance(v, float) else v) for k, v in self.solver.items()},
        }


def build_master_equation(network: Network, approach: str, cutoff: int | None = None) -> MasterEquation:
    """The local or global generator of ``network`` in a Fock space with cut-off K."""
    space = FockSpace.build(network.kinds, cutoff)
    return (build_local if approach == "local" else build_global)(network, space)


def _check_inputs(network, approach, bookkeeping):
    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a qheatnet.Network, got {type(network).__name__}")
    if approach not in APPROACHES:
        raise ValidationError("approach", f"must be one of {', '.join(APPROACHES)}, got {approach!r}")
    if bookkeeping not in ("full", "bare"):
        raise ValidationError("bookkeeping", f"must be 'full' or 'bare', got {bookkeeping!r}")
    if not network.baths:
        raise ValidationError("baths", "the network has no bath: its steady state is not unique")
    with_bath = {network.node_index(b.node) for b in network.baths}
    for comp in network.components():
        if not with_bath.intersection(comp):
            names = ", ".join(network.nodes[i].name for i in comp)
            raise ValidationError(
                "baths", f"nodes {names} are not connected to any bath: the steady state is not unique"
            )


def current_resolution(gross_exchange: float, currents, bookkeeping: str) -> float:
    """Absolute round-off of the computed heat currents, measured where possible.

    With full bookkeeping Σ_α J_α vanishes exactly at steady state, so its computed value is a direct
    sample of the round-off in the currents (for one bath it is the current itself); the resolution is
    twice that, and never below SECOND_LAW_RESOLUTION_RTOL × gross exchange (a few ulps). With bare
    bookkeeping Σ_α J_α is physical, and only the floor is used.
    """
    floor = config.SECOND_LAW_RESOLUTION_RTOL * gross_exchange
    if bookkeeping != "full":
        return floor
    return max(floor, 2.0 * abs(float(sum(currents))))


def solve(
    network: Network,
    approach: str = "local",
    *,
    bookkeeping: Bookkeeping = "full",
    engine: str = "auto",
    **options,
) -> SteadyState:
    """Steady state, heat currents and second-law verdict of ``network``.

    Parameters
    ----------
    network : Network
    approach : {"local", "global", ...}
        Local (eqs. 6–7 of Levy & Kosloff 2014) or global/Davies (eqs. 10–12,
        generalised to any network). Engines may add approaches.
    bookkeeping : {"full", "bare"}
        Heat currents with the full H_S (default, eq. 5) or with H_0 only.
    engine : str
        "auto" (default) picks the best applicable registered engine;
        "fock": sparse Liouvillian, oscillators in a Fock space truncated
        at total excitation K. See :data:`ENGINES`.
    **options
        Passed to the engine, e.g. ``cutoff=K`` for "fock" (fix K instead of
        converging it automatically).

    Returns
    -------
    SteadyState

    Raises
    ------
    ValidationError
        Bad input (the message names the field).
    ModelError
        The approach is undefined for this network (global approach without
        a ground state) or no engine can solve it.
    ConvergenceError
        No unique steady state, residual above tolerance, or Fock cut-off
        not converged within the size limits.

    Examples
    --------
    >>> from qheatnet import Network, Flat, solve
    >>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    >>> res = solve(net, "global")
    >>> res.second_law
    'satisfied'
    """
    _check_inputs(network, approach, bookkeeping)
    if approach == "global":
        check_bounded_below(network)
    eng = pick_engine(network, approach, engine)
    out = eng.run(network, approach, bookkeeping, **options)
    solver = {"engine": eng.name, **out.solver, "gross_exchange": out.gross_exchange}

    currents = out.heat_currents
    temps = [b.temperature for b in network.baths]
    resolution = current_resolution(out.gross_exchange, currents.values(), bookkeeping)
    sigma = entropy_production(currents.values(), temps, resolution)
    verdict, tol = second_law_verdict(sigma, list(currents.values()), temps, resolution=resolution)
    diags = coupling_diagnostics(network, approach, out.info)
    diags += outcome_diagnostics(network, currents, verdict, sigma, tol, out.gross_exchange)
    diags += list(out.diagnostics)
    return SteadyState(
        network=network,
        approach=approach,
        engine=eng.name,
        bookkeeping=bookkeeping,
        heat_currents=currents,
        entropy_production=sigma,
        first_law_residual=float(sum(currents.values())),
        second_law=verdict,
        second_law_tolerance=tol,
        populations=out.populations,
        diagnostics=tuple(diags),
        residual=out.residual,
        solver=solver,
        rho=out.rho,
        space=out.space,
        extra=out.extra,
    )


def __getattr__(name):
    if name == "ENGINES":  # live view: engines register on import
        return ("auto", *ENGINE_REGISTRY)
    raise AttributeError(name)
