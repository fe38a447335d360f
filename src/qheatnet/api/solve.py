"""Steady state of a network under a chosen master equation: the main API.

:func:`solve` checks its input, lets the engine layer choose and run an
engine (:mod:`qheatnet.engines.choose`), and returns a frozen
:class:`~qheatnet.api.results.SteadyState` that carries the inputs, the
method, the residuals and the validity diagnostics. :func:`fluctuations` adds
the counting statistics of the heat exchanged with each bath (noise, third
cumulant, Fano factor, precision, TUR ratio; :mod:`qheatnet.thermo.fluctuations`).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np

from ..errors import ConvergenceError, ModelError, ValidationError
from ..model.network import Network
from .results import SteadyState

__all__ = [
    "SteadyState",
    "solve",
    "fluctuations",
    "build_master_equation",
    "check_problem",
    "Bookkeeping",
    "APPROACHES",
]

Bookkeeping = Literal["full", "bare"]
#: Approaches :func:`solve` accepts: master equations ("local", "global") and the exact reference for
#: linear oscillator networks ("exact"). Which engine solves which is declared by the engines.
APPROACHES: tuple[str, ...] = ("local", "global", "unified", "redfield", "exact", "heom")
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
    approach : {"local", "global", "unified", "exact"}
        Redfield (not a GKLS equation: its "jumps" have no counting statistics) and HEOM are not
        supported. ``"unified"`` is checked against the unified steady state of
        :mod:`qheatnet.physics.unified` (Fock space, ``cutoff=K`` required with oscillators) or
        :mod:`qheatnet.physics.quadratic_beyond` (oscillator networks) instead of a ``solve`` result
        (``state`` is then None).
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
    elif approach != "local":  # every eigenbasis approach needs a ground state
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


def fluctuations(
    network: Network,
    approach: str = "local",
    *,
    engine: str = "auto",
    order: int = 3,
    chi: Any = None,
    state: SteadyState | None = None,
    **options: Any,
):
    """Heat-current fluctuations of every bath: noise, third cumulant, Fano factor, precision, TUR ratio.

    A separate function rather than a ``solve(..., fluctuations=True)`` keyword: the counted heat has its
    own bookkeeping (the jump energies: bare for local, full for global and exact), so it is computed
    against a steady state solved in that bookkeeping and returned in its own frozen result, which
    carries that state; ``solve`` keeps its cost and its result type.

    Parameters
    ----------
    network : Network
    approach : {"local", "global", "exact"}
    engine : str
        As for :func:`solve`. The counting runs on the matching representation: the Gaussian
        tilted Riccati equation when the Gaussian engine solved the state (oscillator networks, no
        truncation), the exact Levitov–Lesovik formula for ``"exact"``, and the tilted Liouvillian in
        Fock space otherwise (qubits, mixed networks, ``engine="fock"``; oscillators at the engine's
        cut-off, raised until the noise converges).
    order : 2 or 3
        Highest cumulant (3: also the third cumulant).
    chi : number or list of numbers (complex allowed), optional
        Also evaluate the scaled cumulant generating function λ_α(χ) = ln Z_α(χ)/t there
        (χ = −is gives the real one, lim ln⟨e^{sQ}⟩/t).
    state : SteadyState, optional
        A result of ``solve(network, approach, bookkeeping=<counted>)`` to check against instead of
        solving again.
    **options
        Engine options, as for :func:`solve` (for ``"exact"`` the state is solved with
        ``covariance=False`` unless given: only its currents are needed).

    Returns
    -------
    Fluctuations
        See :mod:`qheatnet.thermo.fluctuations` for the definitions and the bookkeeping.

    Raises
    ------
    ValidationError, ModelError, ConvergenceError
        As :func:`solve`; ConvergenceError also when the counted mean current disagrees with the
        steady-state current (an internal inconsistency) or the cut-off does not converge.

    Examples
    --------
    >>> from qheatnet import Network, Flat, fluctuations
    >>> net = Network.two_node("qubit", 1.0, 1.0, 0.01, 2.0, 1.0, Flat(0.01))
    >>> fl = fluctuations(net, "global")
    >>> fl.tur_ratio["hot"] > 1
    True
    """
    from .. import checks, config
    from ..physics.hilbert import block_unknowns
    from ..thermo import fluctuations as fl

    if isinstance(approach, str) and approach in ("redfield", "heom"):
        raise ValidationError(
            "approach",
            f"no counting statistics for {approach!r} (Redfield is not a GKLS equation: it has no jump unravelling; "
            f"HEOM counting is not implemented); use one of {', '.join(fl.BOOKKEEPING)}",
        )
    check_problem(network, approach, "full", tuple(fl.BOOKKEEPING))
    order = checks.integer("order", order, minimum=2, maximum=3)
    chis = fl.check_chi(chi)
    if approach == "unified":
        if state is not None:
            raise ValidationError("state", "is not used by the unified approach (its steady state is solved here)")
        return _unified_fluctuations(network, engine, order, chis, options)
    book: Any = fl.BOOKKEEPING[approach]
    if state is None:
        if approach == "exact" and "covariance" not in options:
            options = {**options, "covariance": False}  # the check needs the currents only (O(N) per frequency)
        state = solve(network, approach, bookkeeping=book, engine=engine, **options)
    else:
        if not isinstance(state, SteadyState):
            raise ValidationError("state", f"must be a SteadyState from qheatnet.solve, got {type(state).__name__}")
        if state.approach != approach or state.bookkeeping != book:
            raise ValidationError(
                "state",
                f"must be solved with approach {approach!r} and bookkeeping {book!r} (the counted energy), got "
                f"{state.approach!r} / {state.bookkeeping!r}",
            )
        if state.network.to_dict() != network.to_dict():
            raise ValidationError("state", "was solved for a different network")
    oscillators = "oscillator" in network.kinds
    if approach == "exact":
        representation = "exact"
    elif state.engine == "gaussian":
        representation = "gaussian"
    else:
        representation = "fock"
    diags = []
    solver: dict[str, Any] = {}
    cutoff = None
    comparable = True
    if representation == "fock":
        limit = int(config.FOCK_MAX_UNKNOWNS[approach])
        if oscillators:
            if state.engine != "fock":
                raise ConvergenceError(
                    f"counting statistics of this network need the Fock engine (the state came from {state.engine!r})"
                )
            cutoff = int(state.solver["cutoff"])
        n_unk = block_unknowns(network.kinds, cutoff)
        if n_unk > limit:
            raise ModelError(
                f"counting statistics of this network need the tilted Liouvillian in Fock space: {n_unk} unknowns, "
                f"more than the limit {limit} for the {approach} approach"
            )
        counted = fl.counting_statistics(network, approach, "fock", cutoff=cutoff, order=order, chi=chis)
        if oscillators:
            fixed = "cutoff" in options and options["cutoff"] is not None
            if fixed:
                solver["truncation_error"] = "not estimated (fixed cut-off)"
            else:
                counted, cutoff, err = _converge_counting(network, approach, cutoff, counted, order, chis, limit)
                comparable = cutoff == int(state.solver["cutoff"])
                solver["truncation_error"] = err
            assert cutoff is not None
            solver["cutoff"] = cutoff
            diags.append(fl.truncation_diagnostic(cutoff, solver["truncation_error"]))
    else:
        counted = fl.counting_statistics(network, approach, representation, order=order, chi=chis)
    names = list(counted.baths)
    mean = counted.cumulants[:, 0]
    # the counted mean is the steady-state current in the same bookkeeping: an independent check
    ref = np.array([state.heat_currents[n] for n in names])
    resolution = max(float(state.solver.get("current_resolution", 0.0)), float(np.max(counted.resolution[:, 0])))
    if approach == "exact":
        resolution = max(resolution, float(state.residual) * float(np.max(np.abs(ref))))
    diff = float(np.max(np.abs(mean - ref)))
    solver["mean_check"] = diff / max(float(np.max(np.abs(ref))), 1e-300)
    if comparable and not diff <= config.COUNTING_MEAN_RTOL * float(np.max(np.abs(ref))) + 10.0 * resolution:
        raise ConvergenceError(
            f"the mean heat current from the counting statistics ({mean.tolist()}) disagrees with the steady-state "
            f"current of engine {state.engine!r} ({ref.tolist()}) by {diff:.2e}: an internal inconsistency"
        )
    return _result(network, approach, counted, order, chis, state, solver, diags, resolution)


def _unified_fluctuations(network, engine, order, chis, options):
    """The unified approach: counting statistics checked against the unified steady state (consistent currents)."""
    from .. import checks, config
    from ..thermo import fluctuations as fl

    oscillators = "oscillator" in network.kinds
    unknown = set(options) - {"cutoff"}
    if unknown:
        key = sorted(unknown)[0]
        raise ValidationError(key, "unknown option for the unified counting statistics (allowed: cutoff)")
    if engine not in ("auto", "gaussian", "fock"):
        raise ValidationError("engine", f"must be auto, gaussian or fock for the unified approach, got {engine!r}")
    gaussian = all(k == "oscillator" for k in network.kinds) and engine != "fock" and "cutoff" not in options
    if gaussian:
        counted = fl.counting_statistics(network, "unified", "gaussian", order=order, chi=chis)
    else:
        if engine == "gaussian":
            raise ValidationError("engine", "gaussian needs a network of oscillators only")
        cutoff = None
        if oscillators:
            if options.get("cutoff") is None:
                raise ValidationError(
                    "cutoff",
                    "the unified approach in Fock space needs a cut-off K for oscillators (or use the Gaussian path)",
                )
            cutoff = checks.integer("cutoff", options["cutoff"], minimum=1)
        counted = fl.counting_statistics(network, "unified", "fock", cutoff=cutoff, order=order, chi=chis)
    mean = counted.cumulants[:, 0]
    ref = np.asarray(counted.solver["steady_state_currents"], float)
    scale = float(np.max(np.abs(ref)))
    res_j = counted.resolution[:, 0]
    diff = float(np.max(np.abs(mean - ref)))
    if not diff <= config.COUNTING_MEAN_RTOL * scale + 10.0 * float(np.max(res_j)) + 1e-300:
        raise ConvergenceError(
            f"the mean heat current from the counting statistics ({mean.tolist()}) disagrees with the unified steady "
            f"state's consistent current ({ref.tolist()}) by {diff:.2e}: an internal inconsistency"
        )
    return _result(network, "unified", counted, order, chis, None, {"mean_check": diff / max(scale, 1e-300)}, [], 0.0)


def _result(network, approach, counted, order, chis, state, extra, diags, resolution):
    """Assemble the Fluctuations result from the counted cumulants (``resolution``: floor of the current's)."""
    from ..thermo import fluctuations as fl
    from ..thermo.diagnostics import Diagnostic

    names = list(counted.baths)
    mean = counted.cumulants[:, 0]
    noise = counted.cumulants[:, 1]
    third = counted.cumulants[:, 2] if order >= 3 else np.full(len(names), np.nan)
    res_j = np.maximum(counted.resolution[:, 0], resolution)
    temps = [b.temperature for b in network.baths]
    out = fl.derived_outputs(mean, noise, temps, res_j)
    diags = list(diags)
    unresolved = [n for n, j, r in zip(names, mean, res_j) if not abs(j) > r]
    if unresolved:
        diags.append(
            Diagnostic(
                "CURRENT_AT_ROUND_OFF",
                "info",
                f"the mean heat current of bath(s) {', '.join(unresolved)} is at round-off (e.g. equal "
                "temperatures): the Fano factor, precision and TUR ratio are undefined there (NaN)",
            )
        )
    solver = {"representation": counted.method, **counted.solver, **extra}
    solver.pop("steady_state_currents", None)
    if state is not None:
        solver["engine"] = state.engine
    cgf = None
    if chis is not None and counted.cgf is not None:
        cgf = {n: np.asarray(counted.cgf[a]) for a, n in enumerate(names)}
    return fl.Fluctuations(
        network=network,
        approach=approach,
        representation=counted.method,
        bookkeeping=counted.bookkeeping,
        heat_currents={n: float(v) for n, v in zip(names, mean)},
        current_noise={n: float(v) for n, v in zip(names, noise)},
        third_cumulant={n: float(v) for n, v in zip(names, third)},
        fano_factor={n: float(v) for n, v in zip(names, out["fano_factor"])},
        precision={n: float(v) for n, v in zip(names, out["precision"])},
        tur_ratio={n: float(v) for n, v in zip(names, out["tur_ratio"])},
        noise_matrix=np.array(counted.noise_matrix, float),
        entropy_production=float(out["entropy_production"]),
        state=state,
        solver=solver,
        diagnostics=tuple(diags),
        chi=chis,
        cgf=cgf,
    )


def _converge_counting(network, approach, cutoff, counted, order, chis, limit):
    """Raise the Fock cut-off until the noise and third cumulant change by < COUNTING_FOCK_RTOL (see config)."""
    from .. import config
    from ..physics.hilbert import block_unknowns
    from ..thermo.fluctuations import counting_statistics

    k = cutoff
    cur = counted
    prev = None
    if k - config.FOCK_STEP >= 1:
        prev = counting_statistics(network, approach, "fock", cutoff=k - config.FOCK_STEP, order=order)
    while True:
        if prev is None:
            return cur, k, "not estimated (cut-off too small to compare)"
        c, p = cur.cumulants[:, 1:], prev.cumulants[:, 1:]
        scale = np.maximum(np.abs(c), cur.resolution[:, 1:])
        err = float(np.max(np.abs(c - p) / np.maximum(scale, 1e-300)))
        if err <= config.COUNTING_FOCK_RTOL:
            return cur, k, err
        k_next = k + max(config.FOCK_STEP, k // 4)
        if k_next > config.FOCK_MAX_CUTOFF or block_unknowns(network.kinds, k_next) > limit:
            raise ConvergenceError(
                f"the counting statistics do not converge in the Fock cut-off (relative change {err:.1e} at K = {k}; "
                f"K = {k_next} would exceed the Fock engine's limits): use the Gaussian engine for oscillator networks"
            )
        prev, k = cur, k_next
        cur = counting_statistics(network, approach, "fock", cutoff=k, order=order, chi=chis)
