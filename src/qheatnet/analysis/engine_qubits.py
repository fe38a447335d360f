r"""Structure-aware steady-state engines for networks of qubits.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the
network; σ = −Σ_α J_α / T_α.

Engines registered here (``qheatnet.solve(..., engine=...)``):

``rate-equation`` (global, qubit networks; priority 10)
    The Davies generator with levels whose coherences do not couple to
    populations (in particular any non-degenerate spectrum) reduces to a
    classical Pauli rate equation in the eigenbasis of H_S, built block by
    block of the excitation number q from the sector eigenvectors, never
    forming the 4^N Liouvillian (:mod:`qheatnet.solvers.rate_equation`).
    When degenerate levels do couple to populations it falls back to the
    generic "fock" engine and says so in ``solver["path"]``.

``free-fermion`` (local, XX chains of qubits with baths on the end sites; priority 20)
    Jordan–Wigner: the two-point function obeys an N×N Lyapunov equation
    (:mod:`qheatnet.solvers.free_fermion`). Exact for the local master
    equation; refused (``applies`` is False) for any other topology.

Block structure in the excitation number q
------------------------------------------
The swap Hamiltonian conserves q = Σ n_i. Local jumps (σ⁻, σ⁺) change q by
exactly −1/+1, so the local steady state is always block diagonal in q
(the generic solver uses it). Davies jump operators X_α(ω) group all
transitions with one Bohr frequency; when a single-particle energy is
negative (strong coupling, ε > ω), a q-raising and a q-lowering transition
can share ω, the jump has no fixed q shift, and the steady state acquires
blocks between q and q ± 2 — the generic solver then uses the full space
(``structure = "full space"``); see ``tests/qubits/test_block_structure.py``.

Measured (2-core machine shared with other jobs, one BLAS thread; chain of
issue 4: ω_i = 1 + 0.1 i, ε = 0.05, flat rate 0.01, T = 2 | 1)
--------------------------------------------------------------------------
* rate-equation, global: N = 10 0.06 s, 12 1.1 s, 13 7.8 s, 14 35 s wall /
  33 s CPU / 3.3 GB peak (74 s wall under heavier load). Cost: sector
  eigh (evd) + V_k^T σ⁻ V_{k+1} products + level reduction, all O(C(N,N/2)^3);
  N = 15 would need ≈ 10 GB. QuTiP's ``steadystate`` on the same Davies
  Liouvillian: N = 7 12.9 s, N ≥ 8 beyond 60 s.
* free-fermion, local: N ≤ 10 ≈ 2 ms. The graded chain is Wannier–Stark
  localised: from N ≈ 13 the currents reach the round-off resolution
  (CURRENT_AT_ROUND_OFF) and from N = 16 the slowest decay rate is below
  round-off and the result is refused. A uniform chain (ω_i = 1): N = 2000
  36 s, N = 4000 311 s wall / 169 s CPU / 2.7 GB — about N ≈ 4000 in 10 min.
* generic sparse Liouvillian, local, q-diagonal blocks (for networks that are
  not end-driven chains): SuperLU orderings at N = 7 (3432 unknowns):
  COLAMD 0.37 s, MMD_ATA 0.46 s, MMD_AT_PLUS_A 0.71 s, NATURAL 1.15 s; at
  N = 8 (12 870) COLAMD 22–50 s complex, and 17 s / 0.78 GB (vs 1.1 GB) with
  a real Hermitian parametrisation of the blocks. N = 9 takes minutes, so
  N = 10 (184 756 unknowns) is out of reach for SuperLU; pypardiso (MKL,
  MEASURED.md: 38 s at N = 9) was not adopted: its wheel set is ≈ 700 MB
  and its MKL runtime was not found when installed outside a virtualenv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import config
from ..errors import ConvergenceError
from ..model.network import Network
from .engines import EngineOutput, register_engine, run_fock

__all__ = ["run_rate_equation", "run_free_fermion", "chain_order", "RHO_MAX_DIM"]

#: Largest Hilbert-space dimension for which the rate-equation engine also
#: returns the dense steady-state density matrix (2^10: 16 MB complex).
RHO_MAX_DIM = 1024


#: A warning is attached when the largest heat current is below this many
#: times the current resolution (ZERO_CURRENT_RTOL × gross exchange): the
#: currents then carry a relative round-off error above ~1e-3. Measured on the
#: graded chain (ω_i = 1 + 0.1 i, ε = 0.05): at N = 14 |J| ≈ 2× the
#: resolution and J_hot, −J_cold differ by 3 % (local) — the chain is
#: Wannier–Stark localised.
ROUND_OFF_FACTOR = 1e3


#: Refuse (ConvergenceError) rather than start a solve whose estimated peak
#: memory exceeds this many bytes (the machines this runs on are shared).
#: Estimates, checked against measured peaks: rate equation
#: 8·C(2N, N−1)·(2·n_baths + 5) + 8·C(2N, N) bytes (N = 14, two baths:
#: 3.0 GB estimated, 3.3 GB measured); free fermions 160·N² bytes (N = 4000:
#: 2.6 GB estimated, 2.7 GB measured).
MAX_MEMORY_BYTES = 8e9


def _check_memory(estimate: float, what: str) -> None:
    if estimate > MAX_MEMORY_BYTES:
        raise ConvergenceError(
            f"{what} would need about {estimate / 1e9:.1f} GB of memory (limit {MAX_MEMORY_BYTES / 1e9:g} GB, "
            "qheatnet.analysis.engine_qubits.MAX_MEMORY_BYTES)"
        )


def _round_off_diagnostics(currents: dict, resolution: float) -> list:
    from .diagnostics import Diagnostic

    jmax = max((abs(j) for j in currents.values()), default=0.0)
    if jmax < ROUND_OFF_FACTOR * resolution:
        return [
            Diagnostic(
                "CURRENT_AT_ROUND_OFF",
                "warning",
                f"the largest heat current {jmax:.3g} is within {ROUND_OFF_FACTOR:g}× of the round-off resolution "
                f"{resolution:.2g} of the gross energy exchange: its relative error may exceed 1e-3 (a strongly "
                "localised network carries almost no current)",
            )
        ]
    return []


def _all_qubits(network: Network) -> bool:
    return all(k == "qubit" for k in network.kinds)


# --------------------------------------------------------------------------
# global: Pauli rate equation in the eigenbasis
# --------------------------------------------------------------------------


def _rate_applies(network: Network, approach: str) -> bool:
    return approach == "global" and _all_qubits(network)


def _fallback(network, approach, bookkeeping, reason: str, **options) -> EngineOutput:
    """Run the generic engine when the rate equation does not hold; refuse if hopeless."""
    n = len(network.nodes)
    worst = 4**n  # Davies jumps may lack a fixed q shift: full space
    limit = config.FOCK_MAX_UNKNOWNS["global"]
    if math.comb(2 * n, n) > limit:
        raise ConvergenceError(
            f"the rate equation does not hold ({reason}) and the generic Liouvillian would have "
            f"{math.comb(2 * n, n)}–{worst} unknowns (limit {limit}); no engine can solve this network"
        )
    out = run_fock(network, approach, bookkeeping, **options)
    # A tiny residual does not prove uniqueness: with degenerate levels the Davies kernel can be
    # larger than one, and the sparse solve then returns some kernel vector, not always a state.
    lowest = float(np.linalg.eigvalsh(out.rho)[0])
    if lowest < -config.STEADY_STATE_RESIDUAL:
        raise ConvergenceError(
            f"the global steady state is not unique: the generic solve ({reason}) returned a kernel vector "
            f"with eigenvalue {lowest:.2e} < 0 (degenerate levels can leave several stationary states)"
        )
    out.solver["path"] = f"generic Liouvillian (rate equation not valid: {reason})"
    return out


@dataclass(eq=False)
class RatePreparation:
    """What the rate equation needs from a qubit network (see :func:`prepare_rate_equation`)."""

    space: Any
    eig: Any
    lowering: list
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
    # ⟨n|H_0|n⟩ and |V|² weights per sector
    h0_diag = np.real(h_0.diagonal())
    weights = [np.abs(v) ** 2 for v in eig.vectors]
    bare = np.concatenate([h0_diag[eig.slice(k)] @ w for k, w in enumerate(weights)])
    baths = [(b.name, b.spectrum, b.temperature) for b in network.baths]
    return RatePreparation(space, eig, lowering, amps, weights, bare, baths, n_pairs, reason)


def run_rate_equation(network, approach, bookkeeping, *, return_rho: bool | None = None, **options):
    """Davies steady state of a qubit network from the eigenbasis rate equation.

    Parameters
    ----------
    return_rho : bool or None
        Also build the dense steady state in the product basis (default: only
        when 2^N ≤ ``RHO_MAX_DIM``).

    Returns
    -------
    EngineOutput
        ``solver["path"]`` is "rate equation (eigenbasis)" or says why the
        generic Liouvillian ran instead.
    """
    from ..solvers.rate_equation import solve_rate_equation

    n = len(network.nodes)
    _check_memory(
        8.0 * math.comb(2 * n, n - 1) * (2 * len(network.baths) + 5) + 8.0 * math.comb(2 * n, n),
        f"the rate equation for {n} qubits",
    )
    prep = prepare_rate_equation(network)
    if prep.reason is not None:
        return _fallback(network, approach, bookkeeping, prep.reason, **options)
    space, eig, weights, n_pairs = prep.space, prep.eig, prep.weights, prep.n_pairs
    sol = solve_rate_equation(
        eig, prep.lowering, prep.baths, bare_diagonal=prep.bare, amp_blocks=prep.amps, consume_blocks=True
    )
    prep.amps = None
    currents = sol.currents if bookkeeping == "full" else sol.currents_bare
    occ = np.zeros(len(network.nodes))
    for k, (w, p) in enumerate(zip(weights, sol.populations)):
        occ += space.states[eig.slice(k)].T @ (w @ p)
    pops = {n.name: float(occ[i]) for i, n in enumerate(network.nodes)}
    rho = None
    if return_rho or (return_rho is None and space.dim <= RHO_MAX_DIM):
        rho = np.zeros((space.dim, space.dim), dtype=complex)
        for k, (v, p) in enumerate(zip(eig.vectors, sol.populations)):
            sl = eig.slice(k)
            rho[sl, sl] = (v * p) @ v.T
    solver: dict[str, Any] = {
        "path": "rate equation (eigenbasis)",
        "structure": "eigenbasis populations, block tridiagonal in q",
        "unknowns": space.dim,
        "hilbert_dimension": space.dim,
        "degenerate_level_pairs": n_pairs,
        "current_resolution": config.ZERO_CURRENT_RTOL * sol.gross_exchange,
    }
    info = {"min_bohr_gap": sol.min_bohr_gap, "max_rate": sol.max_rate, "energies": eig.all_energies}
    extra = {"eigen_populations": sol.populations, "eigen_energies": eig.energies}
    diags = _round_off_diagnostics(currents, solver["current_resolution"])
    return EngineOutput(
        currents, pops, sol.residual, solver, sol.gross_exchange, info, rho, space, extra=extra, diagnostics=diags
    )


register_engine(
    "rate-equation",
    run_rate_equation,
    applies=_rate_applies,
    priority=10,
    approaches=("global",),
    description="global approach for qubit networks: Pauli rate equation in the eigenbasis (falls back to the "
    "generic Liouvillian when degenerate levels couple coherences to populations)",
)


# --------------------------------------------------------------------------
# local: free fermions for XX chains with end baths
# --------------------------------------------------------------------------


def chain_order(network: Network) -> list[int] | None:
    """Node indices along the path if the coupling graph is a simple path (else None).

    A single node is a path. Couplings of strength 0 count as edges.
    """
    n = len(network.nodes)
    if n == 1:
        return [0]
    if len(network.couplings) != n - 1:
        return None
    adj: dict[int, list[int]] = {i: [] for i in range(n)}
    for c in network.couplings:
        i, j = network.node_index(c.nodes[0]), network.node_index(c.nodes[1])
        adj[i].append(j)
        adj[j].append(i)
    ends = [i for i in range(n) if len(adj[i]) == 1]
    if len(ends) != 2 or any(len(v) > 2 for v in adj.values()):
        return None
    order = [min(ends)]
    prev = -1
    while len(order) < n:
        nxt = [j for j in adj[order[-1]] if j != prev]
        if not nxt:
            return None
        prev = order[-1]
        order.append(nxt[0])
    return order


def free_fermion_reason(network: Network) -> str | None:
    """Why the free-fermion route does not apply (None if it does)."""
    if not _all_qubits(network):
        return "not every node is a qubit"
    order = chain_order(network)
    if order is None:
        return "the coupling graph is not a chain"
    ends = {order[0], order[-1]}
    for b in network.baths:
        if network.node_index(b.node) not in ends:
            return f"bath {b.name!r} sits on an interior site (the Jordan–Wigner string does not cancel)"
    return None


def _ff_applies(network: Network, approach: str) -> bool:
    return approach == "local" and free_fermion_reason(network) is None


def run_free_fermion(network, approach, bookkeeping, **_):
    """Local steady state of an XX qubit chain with end baths (N×N Lyapunov equation)."""
    from ..solvers.free_fermion import bath_current, solve_free_fermion

    order = chain_order(network)
    _check_memory(160.0 * len(order) ** 2, f"the free-fermion solution for {len(order)} qubits")
    pos = {node: k for k, node in enumerate(order)}
    h_full = network.single_particle_matrix()
    h = h_full[np.ix_(order, order)]
    n = len(order)
    gm, gp = np.zeros(n), np.zeros(n)
    rates = []
    for b in network.baths:
        k = pos[network.node_index(b.node)]
        w = h[k, k]
        e = float(b.spectrum.emission(w, b.temperature))
        a = float(b.spectrum.absorption(w, b.temperature))
        gm[k] += e
        gp[k] += a
        rates.append((b.name, k, e, a, w))
    sol = solve_free_fermion(h, gm, gp)
    c = sol.correlation
    per_site = np.bincount([k for _, k, _, _, _ in rates], minlength=n)
    currents = {
        name: bath_current(h, c, k, e, a, bare=(bookkeeping == "bare"), alone=per_site[k] == 1)
        for name, k, e, a, _ in rates
    }
    occ = np.real(np.diag(c))
    gross = float(sum(w * (e * occ[k] + a * (1 - occ[k])) for _, k, e, a, w in rates))
    pops = {network.nodes[node].name: float(occ[pos[node]]) for node in range(n)}
    node_rates = np.zeros(n)
    for node in range(n):
        node_rates[node] = gm[pos[node]] + gp[pos[node]]
    solver = {
        "path": "free fermions (Jordan–Wigner, end baths): N×N Lyapunov equation",
        "structure": "two-point function ⟨c_i† c_j⟩",
        "unknowns": n * n,
        "slowest_decay_rate": sol.slowest_decay,
        "current_resolution": config.ZERO_CURRENT_RTOL * gross,
    }
    corr = np.empty_like(c)
    inv = np.argsort(order)
    corr[:] = c[np.ix_(inv, inv)]  # back to network node order
    extra = {"correlation": corr, "correlation_note": "C_ij = <c_i† c_j> (Jordan–Wigner fermions along the chain)"}
    diags = _round_off_diagnostics(currents, solver["current_resolution"])
    return EngineOutput(
        currents, pops, sol.residual, solver, gross, {"node_rates": node_rates}, extra=extra, diagnostics=diags
    )


register_engine(
    "free-fermion",
    run_free_fermion,
    applies=_ff_applies,
    priority=20,
    approaches=("local",),
    description="local approach for XX qubit chains with baths only on the end sites (Jordan–Wigner free "
    "fermions, N×N Lyapunov equation)",
)
