"""Steady state of a network under a chosen master equation: the main API.

:func:`solve` checks its input, builds the generator (local or global),
solves for the steady state, and returns a frozen :class:`SteadyState` that
carries the inputs, the method, the residuals and the validity diagnostics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .. import config
from ..errors import ConvergenceError, ValidationError
from ..model.network import Network
from ..physics.davies import build_global, check_bounded_below
from ..physics.generator import APPROACHES, MasterEquation
from ..physics.hilbert import FockSpace, fock_dimension
from ..physics.local import build_local
from ..solvers.liouvillian import steady_state
from .diagnostics import Diagnostic, coupling_diagnostics, outcome_diagnostics
from .thermo import current_operator, entropy_production, expectation, second_law_verdict

__all__ = ["SteadyState", "solve", "build_master_equation", "Bookkeeping", "ENGINES"]

Bookkeeping = Literal["full", "bare"]
ENGINES: tuple[str, ...] = ("auto", "fock")


@dataclass(frozen=True, eq=False)
class SteadyState:
    """Result of :func:`solve`. All energies in the network's unit (ħ = k_B = 1).

    Attributes
    ----------
    network : Network
        The input.
    approach : "local" or "global"
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
    rho : ndarray
        Steady-state density matrix in the local product basis of ``space``.
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


def _check_inputs(network, approach, bookkeeping, engine):
    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a qheatnet.Network, got {type(network).__name__}")
    if approach not in APPROACHES:
        raise ValidationError("approach", f"must be one of {', '.join(APPROACHES)}, got {approach!r}")
    if bookkeeping not in ("full", "bare"):
        raise ValidationError("bookkeeping", f"must be 'full' or 'bare', got {bookkeeping!r}")
    if engine not in ENGINES:
        raise ValidationError("engine", f"must be one of {', '.join(ENGINES)}, got {engine!r}")
    if not network.baths:
        raise ValidationError("baths", "the network has no bath: its steady state is not unique")
    with_bath = {network.node_index(b.node) for b in network.baths}
    for comp in network.components():
        if not with_bath.intersection(comp):
            names = ", ".join(network.nodes[i].name for i in comp)
            raise ValidationError(
                "baths", f"nodes {names} are not connected to any bath: the steady state is not unique"
            )


def _initial_cutoff(network: Network) -> int:
    """Smallest K whose thermal tail C(K+M−1, M−1) p^{K+1} < FOCK_TAIL (p = n/(n+1))."""
    osc = [i for i, k in enumerate(network.kinds) if k == "oscillator"]
    h = network.single_particle_matrix()[np.ix_(osc, osc)]
    lowest = float(np.linalg.eigvalsh(h)[0])
    lowest = min(lowest, float(np.min(h.diagonal())))
    t_max = max(b.temperature for b in network.baths)
    if lowest <= 0:
        return config.FOCK_MAX_CUTOFF + 1
    n = 0.0 if t_max == 0 else 1.0 / math.expm1(lowest / t_max)
    p = n / (n + 1.0)
    m = len(osc)
    for k in range(2, config.FOCK_MAX_CUTOFF + 1):
        if p == 0 or math.comb(k + m - 1, m - 1) * p ** (k + 1) < config.FOCK_TAIL:
            return k
    return config.FOCK_MAX_CUTOFF + 1


def _block_unknowns(kinds, cutoff) -> int:
    """Number of q-diagonal density-matrix elements for cut-off K (without building)."""
    space_states = fock_dimension(kinds, cutoff)
    if space_states > 20000:
        return space_states**2
    return int(np.sum(np.bincount(FockSpace.build(kinds, cutoff).excitation) ** 2))


def _solve_once(network, approach, bookkeeping, cutoff):
    me = build_master_equation(network, approach, cutoff)
    terms = [(t.rate, t.op) for t in me.all_terms()]
    sol = steady_state(me.hamiltonian, terms, me.space.excitation)
    h_book = me.hamiltonian if bookkeeping == "full" else me.bare_hamiltonian
    currents = {d.bath: expectation(current_operator(d.terms, h_book), sol.rho) for d in me.dissipators}
    rho_local = me.to_local(sol.rho)
    pops = {
        n.name: float(np.real(np.sum(rho_local.diagonal() * me.space.states[:, i])))
        for i, n in enumerate(network.nodes)
    }
    return me, sol, currents, pops, rho_local


def solve(
    network: Network,
    approach: str = "local",
    *,
    bookkeeping: Bookkeeping = "full",
    engine: str = "auto",
    cutoff: int | None = None,
) -> SteadyState:
    """Steady state, heat currents and second-law verdict of ``network``.

    Parameters
    ----------
    network : Network
    approach : {"local", "global"}
        Local (eqs. 6–7 of Levy & Kosloff 2014) or global/Davies (eqs. 10–12,
        generalised to any network).
    bookkeeping : {"full", "bare"}
        Heat currents with the full H_S (default, eq. 5) or with H_0 only.
    engine : {"auto", "fock"}
        "fock": sparse Liouvillian; oscillators in a Fock space truncated at
        total excitation K.
    cutoff : int, optional
        Fix K instead of choosing it automatically. The automatic choice
        starts from the thermal tail of the hottest normal mode and raises K
        until currents and populations change by less than ``FOCK_RTOL``
        (relative) between K − FOCK_STEP and K.

    Returns
    -------
    SteadyState

    Raises
    ------
    ValidationError
        Bad input (the message names the field).
    ModelError
        The approach is undefined for this network (global approach without
        a ground state).
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
    _check_inputs(network, approach, bookkeeping, engine)
    if approach == "global":
        check_bounded_below(network)
    has_osc = "oscillator" in network.kinds
    solver: dict[str, Any] = {"engine": "fock"}
    if not has_osc:
        me, sol, currents, pops, rho = _solve_once(network, approach, bookkeeping, None)
    else:
        if cutoff is not None:
            if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
                raise ValidationError("cutoff", f"must be an integer ≥ 1, got {cutoff!r}")
            me, sol, currents, pops, rho = _solve_once(network, approach, bookkeeping, int(cutoff))
            solver.update(cutoff=int(cutoff), truncation_error="not estimated (fixed cut-off)")
        else:
            k = max(_initial_cutoff(network), config.FOCK_STEP + 2)
            prev = None
            while True:
                if k > config.FOCK_MAX_CUTOFF or _block_unknowns(network.kinds, k) > config.FOCK_MAX_UNKNOWNS[approach]:
                    raise ConvergenceError(
                        f"the Fock engine would need a cut-off K ≥ {k} "
                        f"({_block_unknowns(network.kinds, min(k, config.FOCK_MAX_CUTOFF))} unknowns, limit "
                        f"{config.FOCK_MAX_UNKNOWNS[approach]}); the network is too hot or too large for a truncated Fock "
                        "space — use a Gaussian engine for oscillator networks"
                    )
                if prev is None:
                    prev = _solve_once(network, approach, bookkeeping, k - config.FOCK_STEP)
                cur = _solve_once(network, approach, bookkeeping, k)
                j_prev, j_cur = np.array(list(prev[2].values())), np.array(list(cur[2].values()))
                n_prev, n_cur = np.array(list(prev[3].values())), np.array(list(cur[3].values()))
                jscale = max(float(np.max(np.abs(j_cur))), 1e-300)
                err = max(
                    float(np.max(np.abs(j_cur - j_prev))) / jscale,
                    float(np.max(np.abs(n_cur - n_prev) / np.maximum(np.abs(n_cur), 1e-300))),
                )
                if err <= config.FOCK_RTOL:
                    me, sol, currents, pops, rho = cur
                    solver.update(cutoff=k, truncation_error=err)
                    break
                prev, k = cur, k + max(config.FOCK_STEP, k // 4)
    solver.update(structure=sol.structure, unknowns=sol.unknowns, hilbert_dimension=me.space.dim)

    temps = [b.temperature for b in network.baths]
    sigma = entropy_production(currents.values(), temps)
    verdict, tol = second_law_verdict(sigma, list(currents.values()), temps)
    throughput = sum(abs(t.rate) * abs(t.omega) for t in me.all_terms())
    diags = coupling_diagnostics(network, approach, me.info)
    diags += outcome_diagnostics(network, currents, verdict, sigma, tol, throughput)
    if "cutoff" in solver:
        diags.append(
            Diagnostic(
                "FOCK_TRUNCATION",
                "info",
                f"oscillators truncated at K = {solver['cutoff']} total quanta; estimated relative effect on the "
                f"results: {solver['truncation_error'] if isinstance(solver['truncation_error'], str) else format(solver['truncation_error'], '.1e')}",
            )
        )
    return SteadyState(
        network=network,
        approach=approach,
        engine="fock",
        bookkeeping=bookkeeping,
        heat_currents=currents,
        entropy_production=sigma,
        first_law_residual=float(sum(currents.values())),
        second_law=verdict,
        second_law_tolerance=tol,
        populations=pops,
        diagnostics=tuple(diags),
        residual=sol.residual,
        solver=solver,
        rho=rho,
        space=me.space,
    )
