r"""Structure-aware engines for networks of qubits.

``rate-equation`` (global; steady priority 10, transients only when named)
    The Davies generator with levels whose coherences do not couple to
    populations (in particular any non-degenerate spectrum) reduces to a
    classical Pauli rate equation in the eigenbasis of H_S, built block by
    block of the excitation number q from the sector eigenvectors, never
    forming the 4^N Liouvillian (:mod:`qheatnet.solvers.rate_equation`,
    rates from :func:`qheatnet.physics.davies.pauli_rates`). When degenerate
    levels do couple to populations it refuses at run time
    (:class:`~qheatnet.engines.base.EngineRefused`) and ``engine="auto"``
    runs the Fock engine instead. Transients: J_α(t) = Σ_n p_n(t) c_{α,n}
    and ⟨H⟩(t) = Σ_n E_n p_n(t) depend on the eigenstate populations only;
    they follow ṗ = W p (``expm_multiply``; the cost grows with ‖W‖ t, and
    ‖W‖ is of the order of the bath rates). Node populations need the
    coherences and are not returned.

``free-fermion`` (local, XX chains of qubits with baths on the end sites; priority 20)
    Jordan–Wigner: the two-point function obeys an N×N Lyapunov equation
    (:mod:`qheatnet.solvers.free_fermion`). Exact for the local master
    equation; refused for any other topology. Transients: the product
    initial state is a fermionic Gaussian state with C(0) = diag(⟨n_i⟩),
    and C(t) = C_ss + e^{At}(C(0) − C_ss)e^{A†t} exactly.

Measured (2-core machine shared with other jobs, one BLAS thread; chain
ω_i = 1 + 0.1 i, ε = 0.05, flat rate 0.01, T = 2 | 1)
----------------------------------------------------------------------
* rate-equation, global: N = 10 0.06 s, 12 1.1 s, 13 7.8 s, 14 35 s wall /
  33 s CPU / 3.3 GB peak. Cost: sector eigh (evd) + V_k^T σ⁻ V_{k+1}
  products + level reduction, all O(C(N,N/2)^3); N = 15 would need ≈ 10 GB.
* free-fermion, local: N ≤ 10 ≈ 2 ms; a uniform chain (ω_i = 1): N = 2000
  36 s, N = 4000 311 s wall / 169 s CPU / 2.7 GB. The graded chain is
  Wannier–Stark localised: from N ≈ 13 the currents reach the round-off
  resolution (CURRENT_AT_ROUND_OFF) and from N = 16 the slowest decay rate is
  below round-off and the result is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import checks, config
from ..errors import ConvergenceError, ValidationError
from ..model.network import Network
from ..thermo.diagnostics import Diagnostic
from .base import (
    YES,
    Engine,
    EngineRefused,
    Fit,
    NoOptions,
    Options,
    Problem,
    SteadyOutput,
    TransientOutput,
    TransientPlan,
    check_memory,
    no,
)
from .choose import register

__all__ = ["RateEquationEngine", "FreeFermionEngine", "RateEquationOptions", "prepare_rate_equation"]


def round_off_diagnostics(currents: dict, resolution: float) -> list[Diagnostic]:
    """CURRENT_AT_ROUND_OFF when the largest current is within ROUND_OFF_FACTOR of ``resolution``."""
    jmax = max((abs(j) for j in currents.values()), default=0.0)
    if jmax < config.ROUND_OFF_FACTOR * resolution:
        return [
            Diagnostic(
                "CURRENT_AT_ROUND_OFF",
                "warning",
                f"the largest heat current {jmax:.3g} is within {config.ROUND_OFF_FACTOR:g}× of the round-off "
                f"resolution {resolution:.2g} of the gross energy exchange: its relative error may exceed 1e-3 (a "
                "strongly localised network carries almost no current)",
            )
        ]
    return []


def _all_qubits(network: Network) -> bool:
    return all(k == "qubit" for k in network.kinds)


# --------------------------------------------------------------------------
# global: Pauli rate equation in the eigenbasis
# --------------------------------------------------------------------------


@dataclass(eq=False)
class RatePreparation:
    """What the rate equation needs from a qubit network (see :func:`prepare_rate_equation`)."""

    space: Any
    eig: Any
    amps: Any
    weights: list
    bare: np.ndarray
    baths: list
    n_pairs: int
    reason: str | None


def prepare_rate_equation(network: Network) -> RatePreparation:
    """Eigen-decomposition by q-sector, coupling blocks, and whether the rate equation holds.

    ``reason`` is None when it holds, else why not (degenerate levels coupled by the jumps).
    """
    from ..physics.hilbert import FockSpace
    from ..physics.local import network_hamiltonians
    from ..solvers.rate_equation import _coupling_blocks, coupled_degeneracies, eigen_sectors

    space = FockSpace.build(network.kinds)
    h_s, h_0 = network_hamiltonians(network, space)
    # T = Σ_i 2^i n_i breaks ties inside degenerate clusters (eigen_sectors): distinct sets of localised
    # modes get distinct values. Measured on graded XX chains: √prime weights left tie-break gaps of 6e-5
    # and round-off couplings K ≈ 2e-9 at N = 12; 2^i weights keep K below 1.3e-12.
    tiebreak = space.states @ (2.0 ** np.arange(len(network.nodes)))
    eig = eigen_sectors(h_s, space.excitation, tiebreak)
    lowering = [space.lowering[network.node_index(b.node)] for b in network.baths]
    amps = _coupling_blocks(eig, lowering)
    n_pairs, bad = coupled_degeneracies(eig, amps)
    reason = None
    if bad:
        (ka, _), (kb, _), kab = bad[0]
        reason = (
            f"{len(bad)} degenerate level pair(s) coupled by the jumps (coherences that feed populations, or a "
            f"zero Bohr frequency), e.g. in sectors q={ka} and q={kb} (K = {kab:.2g})"
        )
    h0_diag = np.real(h_0.diagonal())
    weights = [np.abs(v) ** 2 for v in eig.vectors]
    bare = np.concatenate([h0_diag[eig.slice(k)] @ w for k, w in enumerate(weights)])
    baths = [(b.name, b.spectrum, b.temperature) for b in network.baths]
    return RatePreparation(space, eig, amps, weights, bare, baths, n_pairs, reason)


def _pauli_memory(n: int, n_baths: int) -> float:
    """Peak memory of the rate equation for n qubits (see MAX_MEMORY_BYTES in :mod:`qheatnet.config`)."""
    try:
        return 8.0 * math.comb(2 * n, n - 1) * (2 * n_baths + 5) + 8.0 * math.comb(2 * n, n)
    except OverflowError:
        return float("inf")


@dataclass(frozen=True)
class RateEquationOptions(Options):
    """``return_rho``: also build the dense steady state (default: only when 2^N ≤ RHO_MAX_DIM)."""

    return_rho: bool | None = field(
        default=None, metadata={"check": checks.optional_bool, "help": "also return the dense steady state"}
    )


class RateEquationEngine(Engine):
    """Global approach for qubit networks: Pauli rate equation in the eigenbasis."""

    name = "rate-equation"
    description = (
        "global approach for qubit networks: Pauli rate equation in the eigenbasis (refuses when degenerate "
        "levels couple coherences to populations; auto then runs the generic Liouvillian)"
    )
    steady_approaches = frozenset({"global"})
    transient_approaches = frozenset({"global"})
    priority = {"steady": 10, "transient": -1}
    steady_options = RateEquationOptions

    def applies(self, problem: Problem, mode: str) -> Fit:
        if not _all_qubits(problem.network):
            return no("rate-equation: qubit networks only")
        bad = next((c for c in problem.network.couplings if not c.conserves_excitation), None)
        if bad is not None:
            return no(
                f"rate-equation: its excitation-sector structure needs couplings that conserve q = Σ n_i, and "
                f"coupling {bad.label!r} ({bad.kind}) changes q by ±{max(bad.excitation_changes())}"
            )
        return YES

    def _prepare(self, network: Network) -> RatePreparation:
        n = len(network.nodes)
        check_memory(_pauli_memory(n, len(network.baths)), f"the rate equation for {n} qubits")
        return prepare_rate_equation(network)

    def steady(self, problem: Problem, options: RateEquationOptions) -> SteadyOutput:
        from ..physics.davies import pauli_rates
        from ..solvers.rate_equation import stationary_populations
        from ..thermo.currents import pauli_currents

        network = problem.network
        prep = self._prepare(network)
        if prep.reason is not None:
            raise EngineRefused(self.name, f"the rate equation does not hold: {prep.reason}")
        space, eig, weights = prep.space, prep.eig, prep.weights
        rates = pauli_rates(eig.energies, prep.amps, prep.baths, consume_blocks=True)
        prep.amps = None
        p, residual = stationary_populations(rates)
        bare = np.split(prep.bare, np.cumsum([len(e) for e in eig.energies])[:-1])
        currents_full, currents_bare, gross = pauli_currents(rates, p, bare)
        currents = currents_full if problem.bookkeeping == "full" else currents_bare
        occ = np.zeros(len(network.nodes))
        for k, (w, pk) in enumerate(zip(weights, p)):
            occ += space.states[eig.slice(k)].T @ (w @ pk)
        pops = {nd.name: float(occ[i]) for i, nd in enumerate(network.nodes)}
        rho = None
        ret = options.return_rho
        if ret or (ret is None and space.dim <= config.RHO_MAX_DIM):
            rho = np.zeros((space.dim, space.dim), dtype=complex)
            for k, (v, pk) in enumerate(zip(eig.vectors, p)):
                sl = eig.slice(k)
                rho[sl, sl] = (v * pk) @ v.T
        solver: dict[str, Any] = {
            "path": "rate equation (eigenbasis)",
            "structure": "eigenbasis populations, block tridiagonal in q",
            "unknowns": space.dim,
            "hilbert_dimension": space.dim,
            "degenerate_level_pairs": prep.n_pairs,
            "current_resolution": config.ZERO_CURRENT_RTOL * gross,
        }
        from ..physics.generator import ValidityInfo

        return SteadyOutput(
            heat_currents=currents,
            populations=pops,
            residual=residual,
            gross_exchange=gross,
            solver=solver,
            validity=ValidityInfo(min_bohr_gap=rates.min_bohr_gap, max_rate=rates.max_rate, secular=rates.secular),
            diagnostics=round_off_diagnostics(currents, solver["current_resolution"]),
            rho=rho,
            space=space,
            eigen_populations=p,
            eigen_energies=eig.energies,
        )

    def transient(self, problem: Problem, options: Any, plan: TransientPlan) -> TransientOutput:
        import scipy.sparse.linalg as spla

        from ..physics.davies import pauli_rates
        from ..physics.hilbert import initial_diagonal
        from ..solvers.rate_equation import stationary_populations, transition_matrix
        from ..thermo.currents import first_law_error, pauli_current_vectors, pauli_currents

        network = problem.network
        if problem.bookkeeping != "full":
            # H_0 is not diagonal in the eigenbasis: ⟨H_0⟩(t) depends on the coherences
            raise ValidationError("bookkeeping", "rate-equation evolution supports only full bookkeeping")
        prep = self._prepare(network)
        if prep.reason is not None:
            raise ValidationError("engine", f"rate-equation evolution does not apply: {prep.reason}")
        eig = prep.eig
        rates = pauli_rates(eig.energies, prep.amps, prep.baths)
        energies = np.concatenate(eig.energies)
        cvec = pauli_current_vectors(rates, energies)
        w = transition_matrix(rates)
        diag0, _ = initial_diagonal(network, prep.space, plan.initial)
        p0 = np.concatenate([diag0[eig.slice(k)] @ wt for k, wt in enumerate(prep.weights)])
        times = plan.times
        out = -w.diagonal()
        ps = spla.expm_multiply(
            w, p0, start=0.0, stop=float(times[-1]), num=len(times), endpoint=True, traceA=-out.sum()
        )
        currents = {name: ps @ c for name, c in cvec.items()}
        energy = ps @ energies
        de = ps @ (w.T @ energies)
        p_ss, _ = stationary_populations(rates)
        steady, _, _ = pauli_currents(rates, p_ss)
        return TransientOutput(
            method="krylov (Pauli equation)",
            structure="eigenstate populations",
            heat_currents=currents,
            populations={},
            energy=energy,
            entropy=None,
            trace_error=float(np.max(np.abs(ps.sum(axis=1) - 1.0))),
            first_law_error=first_law_error(de, currents),
            unknowns=len(energies),
            steady_heat_currents=steady,
        )


# --------------------------------------------------------------------------
# local: free fermions for XX chains with end baths
# --------------------------------------------------------------------------


class FreeFermionEngine(Engine):
    """Local approach for XX qubit chains with baths only on the end sites (Jordan–Wigner free fermions)."""

    name = "free-fermion"
    description = (
        "local approach for XX qubit chains with baths only on the end sites (Jordan–Wigner free fermions, "
        "N×N Lyapunov equation)"
    )
    steady_approaches = frozenset({"local"})
    transient_approaches = frozenset({"local"})
    priority = {"steady": 20, "transient": 20}
    steady_options = NoOptions
    transient_options = NoOptions

    def applies(self, problem: Problem, mode: str) -> Fit:
        from ..physics.local import free_fermion_reason

        reason = free_fermion_reason(problem.network)
        return YES if reason is None else no(f"free-fermion: {reason}")

    def steady(self, problem: Problem, options: Any) -> SteadyOutput:
        from ..physics.local import local_free_fermion
        from ..solvers.free_fermion import solve_free_fermion
        from ..thermo.currents import free_fermion_current

        network = problem.network
        n = len(network.nodes)
        check_memory(160.0 * n * n, f"the free-fermion solution for {n} qubits")
        gen = local_free_fermion(network)
        try:
            sol = solve_free_fermion(gen.h, gen.gamma_minus, gen.gamma_plus)
        except ConvergenceError as exc:
            raise EngineRefused(self.name, str(exc)) from None
        c = sol.correlation
        per_site = np.bincount([k for _, k, _, _ in gen.baths], minlength=n)
        bare = problem.bookkeeping == "bare"
        currents = {
            name: free_fermion_current(gen.h, c, k, e, a, bare=bare, alone=per_site[k] == 1)
            for name, k, e, a in gen.baths
        }
        occ = np.real(np.diag(c))
        freqs = np.diag(gen.h)
        gross = float(sum(freqs[k] * (e * occ[k] + a * (1 - occ[k])) for _, k, e, a in gen.baths))
        pos = {node: k for k, node in enumerate(gen.order)}
        pops = {network.nodes[node].name: float(occ[pos[node]]) for node in range(n)}
        solver = {
            "path": "free fermions (Jordan–Wigner, end baths): N×N Lyapunov equation",
            "structure": "two-point function ⟨c_i† c_j⟩",
            "unknowns": n * n,
            "slowest_decay_rate": sol.slowest_decay,
            "current_resolution": config.ZERO_CURRENT_RTOL * gross,
        }
        inv = np.argsort(gen.order)
        corr = c[np.ix_(inv, inv)]  # back to network node order: C_ij = <c_i† c_j> of the Jordan–Wigner fermions
        return SteadyOutput(
            heat_currents=currents,
            populations=pops,
            residual=sol.residual,
            gross_exchange=gross,
            solver=solver,
            validity=gen.validity,
            diagnostics=round_off_diagnostics(currents, solver["current_resolution"]),
            correlation_matrix=corr,
        )

    def transient(self, problem: Problem, options: Any, plan: TransientPlan) -> TransientOutput:
        from ..physics.hilbert import node_distribution
        from ..physics.local import local_free_fermion
        from ..solvers.free_fermion import solve_free_fermion
        from ..thermo.currents import first_law_error, free_fermion_current

        network, bookkeeping = problem.network, problem.bookkeeping
        gen = local_free_fermion(network)
        h, n = gen.h, len(gen.order)
        c_ss = solve_free_fermion(h, gen.gamma_minus, gen.gamma_plus).correlation
        pos = {node: k for k, node in enumerate(gen.order)}
        n0 = np.zeros(n)
        for node in range(n):
            nd = network.nodes[node]
            n0[pos[node]] = node_distribution(plan.initial[nd.name], nd, 2)[1]
        a_mat = gen.drift
        lam, s_mat = np.linalg.eig(a_mat)
        s_inv = np.linalg.inv(s_mat)
        d0 = s_inv @ (np.diag(n0) - c_ss) @ s_inv.conj().T
        times = plan.times
        hh = np.diag(np.diag(h)) if bookkeeping == "bare" else h
        currents = {name: np.empty(len(times)) for name, *_ in gen.baths}
        pops = {nd.name: np.empty(len(times)) for nd in network.nodes}
        energy = np.empty(len(times))
        de = np.empty(len(times))
        gp = np.diag(gen.gamma_plus)
        for it, t in enumerate(times):
            ph = np.exp(lam * t)
            c = c_ss + s_mat @ (ph[:, None] * d0 * ph.conj()[None, :]) @ s_mat.conj().T
            c = 0.5 * (c + c.conj().T)
            for name, k, e, a in gen.baths:
                currents[name][it] = free_fermion_current(h, c, k, e, a, bare=(bookkeeping == "bare"), alone=False)
            occ = np.real(np.diag(c))
            for node in range(n):
                pops[network.nodes[node].name][it] = occ[pos[node]]
            energy[it] = float(np.real(np.sum(hh * c)))
            # d⟨H⟩/dt = Tr[h Ċ] with Ċ = A C + C A† + Γ⁺, exactly, against Σ_α J_α
            cdot = a_mat @ c + c @ a_mat.conj().T + gp
            de[it] = float(np.real(np.sum(h * cdot)))
        first_law = first_law_error(de, currents) if bookkeeping == "full" else float("nan")
        return TransientOutput(
            method="eigen (exact)",
            structure="two-point function ⟨c_i† c_j⟩",
            heat_currents=currents,
            populations=pops,
            energy=energy,
            entropy=None,
            trace_error=0.0,
            first_law_error=first_law,
            unknowns=n * n,
        )


register(RateEquationEngine())
register(FreeFermionEngine())
