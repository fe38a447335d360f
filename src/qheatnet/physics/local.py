"""Local master equation: one dissipator per bath on its own node.

Each bath α at temperature T_α attached to node i (frequency ω_i) acts as
if the node were alone (the inter-node coupling is ignored in the
derivation), eqs. 6–7 of Levy & Kosloff (2014):

    𝓛_α ρ = γ_α(ω_i) ( D[a_i] ρ + e^{−ω_i/T_α} D[a_i†] ρ ),

with a_i = σ⁻_i for a qubit. The Hamiltonian part keeps the full H_S.
"""

from __future__ import annotations

import numpy as np

from ..model.network import Network
from .generator import Dissipator, LindbladTerm, MasterEquation
from .hilbert import FockSpace

__all__ = ["build_local"]


def network_hamiltonians(network: Network, space: FockSpace):
    """(H_S, H_0) of ``network`` in the product basis of ``space``."""
    couplings = [
        (network.node_index(c.nodes[0]), network.node_index(c.nodes[1]), c.strength) for c in network.couplings
    ]
    h_s = space.hamiltonian(network.frequencies, couplings)
    h_0 = space.hamiltonian(network.frequencies, [])
    return h_s, h_0


def build_local(network: Network, space: FockSpace) -> MasterEquation:
    """The local master equation of ``network`` in the truncated ``space``."""
    h_s, h_0 = network_hamiltonians(network, space)
    dissipators = []
    for bath in network.baths:
        i = network.node_index(bath.node)
        w = network.nodes[i].frequency
        a = space.lowering[i].astype(complex).tocsr()
        emit = float(bath.spectrum.emission(w, bath.temperature))
        absorb = float(bath.spectrum.absorption(w, bath.temperature))
        terms = [LindbladTerm(emit, a, w)]
        if absorb > 0:
            terms.append(LindbladTerm(absorb, a.T.conj().tocsr(), -w))
        dissipators.append(Dissipator(bath.name, tuple(terms)))
    rates = [t.rate for d in dissipators for t in d.terms]
    return MasterEquation(
        "local",
        network,
        space,
        h_s,
        h_0,
        tuple(dissipators),
        basis="local",
        info={"max_rate": max(rates, default=0.0), "node_rates": _node_rates(network)},
    )


def _node_rates(network: Network) -> np.ndarray:
    """Total local relaxation rate γ(ω_i)(1 + e^{−ω_i/T}) summed over baths of each node."""
    out = np.zeros(len(network.nodes))
    for bath in network.baths:
        i = network.node_index(bath.node)
        w = network.nodes[i].frequency
        out[i] += float(bath.spectrum.emission(w, bath.temperature) + bath.spectrum.absorption(w, bath.temperature))
    return out
