"""The generator object shared by every master-equation builder.

A :class:`MasterEquation` holds the network Hamiltonian and, for each bath,
its dissipator as a list of Lindblad terms ``rate · D[J]`` with

    D[J] ρ = J ρ J† − ½ {J† J, ρ}.

Every dissipator keeps the name of its bath, so heat currents
J_α = Tr[(𝓛_α ρ) H] (eq. 5 of Levy & Kosloff 2014) can be evaluated per
bath. Operators are sparse matrices in ``basis``: "local" (product Fock
basis of :class:`~qheatnet.physics.hilbert.FockSpace`) or "eigen" (the
eigenbasis of H_S, built sector by sector; ``eigvecs`` maps it back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp

from ..model.network import Network
from .hilbert import FockSpace

__all__ = ["LindbladTerm", "Dissipator", "MasterEquation", "Approach", "APPROACHES"]

Approach = Literal["local", "global"]
APPROACHES: tuple[str, ...] = ("local", "global")


@dataclass(frozen=True, eq=False)
class LindbladTerm:
    """``rate · D[op]``; ``omega`` is the energy the network loses per jump."""

    rate: float
    op: sp.csr_matrix
    omega: float


@dataclass(frozen=True, eq=False)
class Dissipator:
    """The dissipator 𝓛_α of one bath: a sum of Lindblad terms."""

    bath: str
    terms: tuple[LindbladTerm, ...]


@dataclass(frozen=True, eq=False)
class MasterEquation:
    """dρ/dt = −i[H, ρ] + Σ_α 𝓛_α ρ, with operators in ``basis``.

    Attributes
    ----------
    approach : "local" or "global"
    network : Network
    space : FockSpace
    hamiltonian : sparse matrix, the full network Hamiltonian H_S
    bare_hamiltonian : sparse matrix, H_0 = Σ ω_i n_i (for "bare" bookkeeping)
    dissipators : tuple of Dissipator, one per bath, in network order
    basis : "local" or "eigen"
    eigvecs : list of dense blocks (one per q-sector) or None. For the eigen
        basis, local = V · eigen · V† sector by sector.
    info : dict of facts gathered while building (e.g. the smallest
        distance between Bohr frequencies), used by the diagnostics.
    """

    approach: str
    network: Network
    space: FockSpace
    hamiltonian: sp.csr_matrix
    bare_hamiltonian: sp.csr_matrix
    dissipators: tuple[Dissipator, ...]
    basis: str = "local"
    eigvecs: list | None = None
    info: dict = field(default_factory=dict)

    def to_local(self, rho: np.ndarray) -> np.ndarray:
        """Transform a block-diagonal (in q) operator from ``basis`` to the local basis."""
        if self.basis == "local":
            return rho
        out = np.zeros_like(rho, dtype=complex)
        for idx, v in zip(self.space.sectors(), self.eigvecs):
            sl = slice(idx[0], idx[-1] + 1)
            out[sl, sl] = v @ rho[sl, sl] @ v.conj().T
        # q-off-diagonal blocks (only present if the solver used the full space)
        secs = self.space.sectors()
        for a, ia in enumerate(secs):
            for b, ib in enumerate(secs):
                if a != b:
                    blk = rho[ia[0] : ia[-1] + 1, ib[0] : ib[-1] + 1]
                    if np.any(blk):
                        out[ia[0] : ia[-1] + 1, ib[0] : ib[-1] + 1] = self.eigvecs[a] @ blk @ self.eigvecs[b].conj().T
        return out

    def all_terms(self):
        for d in self.dissipators:
            yield from d.terms
