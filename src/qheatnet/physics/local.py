r"""Local master equation: one dissipator per bath on its own node, in every representation.

Each bath α at temperature T_α attached to node i (frequency ω_i) acts as
if the node were alone (the inter-node coupling is ignored in the
derivation), eqs. 6–7 of Levy & Kosloff (2014):

    𝓛_α ρ = γ_α(ω_i) ( D[a_i] ρ + e^{−ω_i/T_α} D[a_i†] ρ ),

with a_i = σ⁻_i for a qubit. The Hamiltonian part keeps the full H_S.

Representations built here:

* :func:`build_local` — Fock space (any network), for the sparse Liouvillian;
* :func:`local_quadratic` — oscillator networks, loss/gain on ⟨a_i† a_j⟩;
* :func:`local_free_fermion` — XX qubit chains with baths on the end sites
  (Jordan–Wigner; :mod:`qheatnet.solvers.free_fermion` derives why the
  string cancels there).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..model.network import Network
from .generator import (
    Dissipator,
    FockGenerator,
    FreeFermionGenerator,
    LindbladTerm,
    QuadraticGenerator,
    ValidityInfo,
)
from .hilbert import FockSpace

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = [
    "build_local",
    "local_quadratic",
    "local_free_fermion",
    "network_hamiltonians",
    "node_rates",
    "chain_order",
    "free_fermion_reason",
]


def network_hamiltonians(network: Network, space: FockSpace) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(H_S, H_0) of ``network`` in the product basis of ``space``."""
    couplings = [
        (network.node_index(c.nodes[0]), network.node_index(c.nodes[1]), c.strength) for c in network.couplings
    ]
    h_s = space.hamiltonian(network.frequencies, couplings)
    h_0 = space.hamiltonian(network.frequencies, [])
    return h_s, h_0


def node_rates(network: Network, rates: list[tuple[int, float, float, float]] | None = None) -> np.ndarray:
    """Total local relaxation rate γ(ω_i)(1 + e^{−ω_i/T}) summed over the baths of each node."""
    out = np.zeros(len(network.nodes))
    for i, emit, absorb, _ in _local_rates(network) if rates is None else rates:
        out[i] += emit + absorb
    return out


def _local_rates(network: Network) -> list[tuple[int, float, float, float]]:
    """(node, emission, absorption, net damping) at the node frequency, per bath (each spectrum evaluated once)."""
    out = []
    for bath in network.baths:
        i = network.node_index(bath.node)
        w = network.nodes[i].frequency
        emit = float(bath.spectrum.emission(w, bath.temperature))
        absorb = float(bath.spectrum.absorption(w, bath.temperature))
        t = bath.temperature
        # net damping γ(ω)(1 − e^{−ω/T}) without cancellation, as physics.rates.damping
        net = emit * (-math.expm1(-w / t)) if t > 0 else emit
        out.append((i, emit, absorb, float(net)))
    return out


def build_local(network: Network, space: FockSpace) -> FockGenerator:
    """The local master equation of ``network`` in the truncated ``space``."""
    h_s, h_0 = network_hamiltonians(network, space)
    dissipators = []
    local = _local_rates(network)
    for bath, (i, emit, absorb, _) in zip(network.baths, local):
        w = network.nodes[i].frequency
        a = space.lowering[i].astype(complex).tocsr()
        terms = [LindbladTerm(emit, a, w)]
        if absorb > 0:
            terms.append(LindbladTerm(absorb, a.T.conj().tocsr(), -w))
        dissipators.append(Dissipator(bath.name, tuple(terms)))
    rates = [t.rate for d in dissipators for t in d.terms]
    validity = ValidityInfo(node_rates=node_rates(network, local), max_rate=max(rates, default=0.0))
    return FockGenerator("local", network, space, h_s, h_0, tuple(dissipators), basis="local", validity=validity)


def local_quadratic(network: Network) -> QuadraticGenerator:
    """The local master equation of an oscillator network on ⟨a_i† a_j⟩ (site basis, one channel per bath)."""
    rates = _local_rates(network)
    return QuadraticGenerator(
        approach="local",
        network=network,
        h=network.single_particle_matrix(),
        sites=np.array([r[0] for r in rates], dtype=int),
        names=tuple(b.name for b in network.baths),
        emission=np.array([r[1] for r in rates]),
        absorption=np.array([r[2] for r in rates]),
        net_damping=np.array([r[3] for r in rates]),
        validity=ValidityInfo(node_rates=node_rates(network, rates)),
    )


# --------------------------------------------------------------------------
# free fermions: XX chains of qubits with baths on the end sites
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
    """Why the free-fermion representation does not apply (None if it does)."""
    if not all(k == "qubit" for k in network.kinds):
        return "not every node is a qubit"
    order = chain_order(network)
    if order is None:
        return "the coupling graph is not a chain"
    ends = {order[0], order[-1]}
    for b in network.baths:
        if network.node_index(b.node) not in ends:
            return f"bath {b.name!r} sits on an interior site (the Jordan–Wigner string does not cancel)"
    return None


def local_free_fermion(network: Network) -> FreeFermionGenerator:
    """The local master equation of an XX chain with end baths as free fermions (see :func:`free_fermion_reason`)."""
    order = chain_order(network)
    assert order is not None
    pos = {node: k for k, node in enumerate(order)}
    h = network.single_particle_matrix()[np.ix_(order, order)]
    n = len(order)
    gm, gp = np.zeros(n), np.zeros(n)
    baths = []
    local = _local_rates(network)
    for b, (i, e, a, _) in zip(network.baths, local):
        k = pos[i]
        gm[k] += e
        gp[k] += a
        baths.append((b.name, k, e, a))
    return FreeFermionGenerator(
        network, order, h, gm, gp, tuple(baths), validity=ValidityInfo(node_rates=node_rates(network, local))
    )
