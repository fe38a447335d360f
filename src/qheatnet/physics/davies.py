r"""Global master equation: the Davies (secular Born–Markov) generator.

The network Hamiltonian H_S is diagonalised (sector by sector of the
conserved excitation number q). The coupling operator X_α = a_i + a_i† of
the node that bath α touches is split into eigen-operators

.. math:: X_α(ω) = Σ_{E' − E = ω} Π(E) X_α Π(E'),

one per Bohr frequency ω (positive: the network loses ω). The generator is

.. math:: 𝓛_α ρ = Σ_ω G_α(ω) D[X_α(ω)] ρ,

with G_α(ω) = γ_α(ω) for ω > 0 and G_α(−ω) = γ_α(ω) e^{−ω/T_α} (detailed
balance), G_α(0) the ω → 0 limit. For two oscillators this reproduces
eqs. 10–12 of Levy & Kosloff (2014): X_h(ω_±) = cos θ d_+, −sin θ d_−.

Bohr frequencies equal up to round-off (``BOHR_RTOL``, ``BOHR_ATOL`` in
:mod:`qheatnet.config`) are grouped into one; close but distinct ones are
not, and are reported by the ``SECULAR_APPROXIMATION_DOUBTFUL`` diagnostic.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .. import config
from ..errors import ModelError
from ..model.network import Network
from .generator import Dissipator, LindbladTerm, MasterEquation
from .hilbert import FockSpace
from .local import network_hamiltonians

__all__ = ["build_global", "check_bounded_below", "lowest_oscillator_mode", "cluster_frequencies"]


def lowest_oscillator_mode(network: Network) -> float | None:
    """None if the oscillator sub-network has a ground state, else its lowest normal-mode frequency (≤ 0).

    The swap Hamiltonian of oscillators is Σ h_ij a_i† a_j; it has a ground state only if h (restricted to
    oscillator nodes) is positive definite. A Cholesky factorisation decides that at a third of the cost of
    the eigenvalues (measured: the dense eigvalsh took most of an N = 4000 chain solve); the eigenvalue is
    computed only to word the refusal.
    """
    osc = [i for i, k in enumerate(network.kinds) if k == "oscillator"]
    if not osc:
        return None
    h = network.single_particle_matrix()[np.ix_(osc, osc)]
    try:
        np.linalg.cholesky(h)
        return None
    except np.linalg.LinAlgError:
        return float(np.linalg.eigvalsh(h)[0])


def check_bounded_below(network: Network) -> None:
    """Refuse (ModelError) an oscillator network without a ground state (two oscillators: ε² ≥ ω_h ω_c)."""
    lowest = lowest_oscillator_mode(network)
    if lowest is not None:
        raise ModelError(
            f"the global approach needs a Hamiltonian with a ground state, but the lowest normal-mode "
            f"frequency of the oscillators is {lowest:.6g} ≤ 0 (for two oscillators: ε² ≥ ω_h ω_c)"
        )


def cluster_frequencies(omegas: np.ndarray, tol: float) -> np.ndarray:
    """Label each frequency by its cluster: sorted, split where gaps exceed ``tol``."""
    order = np.argsort(omegas, kind="stable")
    labels = np.empty(len(omegas), dtype=np.int64)
    if len(omegas):
        labels[order] = np.concatenate([[0], np.cumsum(np.diff(omegas[order]) > tol)])
    return labels


def build_global(network: Network, space: FockSpace) -> MasterEquation:
    """The Davies generator of ``network`` in the eigenbasis of H_S (truncated ``space``)."""
    check_bounded_below(network)
    h_s, h_0 = network_hamiltonians(network, space)
    sectors = space.sectors()
    energies = np.empty(space.dim)
    vecs = []
    for idx in sectors:
        sl = slice(idx[0], idx[-1] + 1)
        e, v = np.linalg.eigh(h_s[sl, sl].toarray())
        energies[sl] = e
        vecs.append(v)

    def to_eigen(op: sp.spmatrix) -> np.ndarray:
        dense = op.toarray().astype(complex)
        out = np.zeros_like(dense)
        for a, ia in enumerate(sectors):
            sa = slice(ia[0], ia[-1] + 1)
            for b, ib in enumerate(sectors):
                sb = slice(ib[0], ib[-1] + 1)
                blk = dense[sa, sb]
                if np.any(blk):
                    out[sa, sb] = vecs[a].conj().T @ blk @ vecs[b]
        return out

    scale = float(np.max(np.abs(energies))) if space.dim else 1.0
    tol = config.BOHR_ATOL + config.BOHR_RTOL * scale
    dissipators = []
    min_gap = np.inf
    max_rate = 0.0
    for bath in network.baths:
        i = network.node_index(bath.node)
        low = space.lowering[i]
        x = to_eigen(low + low.T)
        rows, cols = np.nonzero(np.abs(x) > config.JUMP_DROP_RTOL * np.max(np.abs(x)))
        omegas = energies[cols] - energies[rows]  # energy lost by the network: E_col − E_row
        labels = cluster_frequencies(omegas, tol)
        terms = []
        positive = []
        for lab in np.unique(labels):
            sel = labels == lab
            w = float(np.mean(omegas[sel]))
            if abs(w) <= tol:
                w = 0.0
            rate = float(bath.spectrum.bohr_rate(w, bath.temperature))
            op = sp.csr_matrix((x[rows[sel], cols[sel]], (rows[sel], cols[sel])), shape=x.shape)
            if w > 0:
                positive.append(w)
                max_rate = max(max_rate, rate + float(bath.spectrum.bohr_rate(-w, bath.temperature)))
            if rate > 0:
                terms.append(LindbladTerm(rate, op, w))
        positive = np.sort(np.array(positive))
        if len(positive) > 1:
            min_gap = min(min_gap, float(np.min(np.diff(positive))))
        dissipators.append(Dissipator(bath.name, tuple(terms)))

    diag = sp.diags(energies).astype(complex).tocsr()
    h0_eig = sp.csr_matrix(to_eigen(h_0))
    return MasterEquation(
        "global",
        network,
        space,
        diag,
        h0_eig,
        tuple(dissipators),
        basis="eigen",
        eigvecs=vecs,
        info={"min_bohr_gap": min_gap, "max_rate": max_rate, "energies": energies},
    )
