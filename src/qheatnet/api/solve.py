"""Steady state of a network under a chosen master equation: the main API.

:func:`solve` checks its input, lets the engine layer choose and run an
engine (:mod:`qheatnet.engines.choose`), and returns a frozen
:class:`~qheatnet.api.results.SteadyState` that carries the inputs, the
method, the residuals and the validity diagnostics.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from ..errors import ConvergenceError, ValidationError
from ..model.network import Network
from .results import SteadyState

__all__ = ["SteadyState", "solve", "build_master_equation", "check_problem", "Bookkeeping", "APPROACHES"]

Bookkeeping = Literal["full", "bare"]
#: Approaches :func:`solve` accepts: master equations ("local", "global") and the exact reference for
#: linear oscillator networks ("exact"). Which engine solves which is declared by the engines.
APPROACHES: tuple[str, ...] = ("local", "global", "exact")
#: The master equations that have generator builders (:func:`build_master_equation`).
MASTER_EQUATIONS: tuple[str, ...] = ("local", "global")


def check_problem(network: Any, approach: Any, bookkeeping: Any, approaches: tuple[str, ...] = APPROACHES) -> None:
    """Validate the common arguments of ``solve``, ``evolve`` and ``sweep`` (ValidationError naming the field)."""
    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a qheatnet.Network, got {type(network).__name__}")
    if not isinstance(approach, str) or approach not in approaches:
        raise ValidationError("approach", f"must be one of {', '.join(approaches)}, got {approach!r}")
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


def build_master_equation(network: Network, approach: str, cutoff: int | None = None):
    """The local or global generator of ``network`` in a Fock space with cut-off K (a FockGenerator)."""
    from .. import checks
    from ..engines.fock import build_generator

    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a qheatnet.Network, got {type(network).__name__}")
    checks.choice("approach", approach, MASTER_EQUATIONS)
    if "oscillator" in network.kinds:
        if cutoff is None:
            raise ValidationError("cutoff", "a network with oscillators needs a Fock cut-off K ≥ 1")
        cutoff = checks.integer("cutoff", cutoff, minimum=1)
    else:
        cutoff = None
    return build_generator(network, approach, cutoff)


def solve(
    network: Network,
    approach: str = "local",
    *,
    bookkeeping: Bookkeeping = "full",
    engine: str = "auto",
    **options: Any,
) -> SteadyState:
    """Steady state, heat currents and second-law verdict of ``network``.

    Parameters
    ----------
    network : Network
    approach : {"local", "global", "exact"}
        Local (eqs. 6–7 of Levy & Kosloff 2014), global/Davies (eqs. 10–12,
        generalised to any network), or the exact (Landauer/NEGF) reference
        for linear oscillator networks.
    bookkeeping : {"full", "bare"}
        Heat currents with the full H_S (default, eq. 5) or with H_0 only.
    engine : str
        "auto" (default) picks the best applicable engine (see
        :mod:`qheatnet.engines.choose`); or one of "fock", "gaussian",
        "rate-equation", "free-fermion".
    **options
        Options of the engine (checked: unknown or ill-typed options raise
        ValidationError), e.g. ``cutoff=K`` for "fock" (fix K instead of
        converging it), ``method=`` and ``populations=`` for "gaussian".

    Returns
    -------
    SteadyState

    Raises
    ------
    ValidationError
        Bad input (the message names the field).
    ModelError
        The approach is undefined for this network (global approach without
        a ground state) or no engine can solve it (the message gives each
        engine's reason).
    ConvergenceError
        No unique steady state, residual above tolerance, non-finite
        results, or Fock cut-off not converged within the size limits.

    Examples
    --------
    >>> from qheatnet import Network, Flat, solve
    >>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    >>> res = solve(net, "global")
    >>> res.second_law
    'satisfied'
    """
    from ..engines.base import Problem
    from ..engines.choose import run_steady
    from ..physics.davies import check_bounded_below
    from ..thermo.diagnostics import Diagnostic, coupling_diagnostics, outcome_diagnostics
    from ..thermo.entropy import current_resolution, entropy_production, second_law_verdict

    check_problem(network, approach, bookkeeping)
    if not network.swap_only:  # other coupling kinds: refused in every approach without a ground state
        from ..physics.quadratic_xp import check_ground_state

        check_ground_state(network)
    elif approach == "global":
        check_bounded_below(network)
    ran = run_steady(Problem(network, approach, bookkeeping), engine, options)
    out = ran.output
    name = ran.engine.name
    currents = dict(out.heat_currents)
    bad = [k for k, v in currents.items() if not math.isfinite(v)]
    if bad:
        raise ConvergenceError(
            f"engine {name!r} returned a non-finite heat current for bath {bad[0]!r} (J = {currents[bad[0]]}); the "
            "parameters are beyond the range this engine resolves in double precision"
        )
    if not math.isfinite(out.gross_exchange):
        raise ConvergenceError(
            f"the energy exchanged with the baths overflows double precision (engine {name!r}; e.g. a temperature "
            f"of {max(b.temperature for b in network.baths):.3g}): no current can be resolved against it"
        )
    solver: dict[str, Any] = {"engine": name, **out.solver, "gross_exchange": out.gross_exchange}
    diags: list[Diagnostic] = []
    if ran.fallbacks:
        solver["fallback"] = [{"engine": f.engine, "reason": f.reason} for f in ran.fallbacks]
        first = ran.fallbacks[0]
        solver["path"] = f"{name} ({first.engine} refused: {first.reason})"
        diags.append(
            Diagnostic(
                "ENGINE_FALLBACK",
                "info",
                f"engine {first.engine!r} refused ({first.reason}); engine {name!r} produced this result",
            )
        )
    temps = [b.temperature for b in network.baths]
    resolution = current_resolution(out.gross_exchange, currents.values(), bookkeeping)
    sigma = entropy_production(currents.values(), temps, resolution)
    verdict, tol = second_law_verdict(sigma, list(currents.values()), temps, resolution=resolution)
    from ..thermo.currents import steady_flows
    from ..thermo.machines import machine_summary

    coupling_currents, node_bath_currents, how = steady_flows(network, approach, name, out)
    solver["coupling_currents"] = how
    machine = machine_summary({b.name: b.temperature for b in network.baths}, currents, resolution)
    diags = (
        coupling_diagnostics(network, approach, out.validity)
        + outcome_diagnostics(network, currents, verdict, sigma, tol, out.gross_exchange)
        + list(out.diagnostics)
        + diags
    )
    return SteadyState(
        network=network,
        approach=approach,
        engine=name,
        bookkeeping=bookkeeping,
        heat_currents=currents,
        entropy_production=sigma,
        first_law_residual=float(sum(currents.values())),
        second_law=verdict,
        second_law_tolerance=tol,
        populations=dict(out.populations),
        diagnostics=tuple(diags),
        residual=out.residual,
        solver=solver,
        rho=out.rho,
        space=out.space,
        correlation_matrix=out.correlation_matrix,
        covariance=out.covariance,
        eigen_populations=out.eigen_populations,
        eigen_energies=out.eigen_energies,
        coupling_currents=coupling_currents,
        node_bath_currents=node_bath_currents,
        machine=machine,
    )
