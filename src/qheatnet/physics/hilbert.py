"""Product Hilbert space of a network, truncated by total oscillator excitation.

Qubit nodes keep both levels. Oscillator nodes share one cut-off K on their
*total* number of quanta, Σ_osc n_i ≤ K. Because the swap Hamiltonian
conserves the total excitation number q = Σ_i n_i, every basis state has a
definite q and H is exactly block diagonal in q even after truncation, and
every ladder operator changes q by exactly ±1. The solvers use this to
restrict the steady-state problem to the q-diagonal blocks of ρ.

Basis states are ordered by q, so each q-sector is a contiguous range.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from math import comb

import numpy as np
import scipy.sparse as sp

__all__ = ["FockSpace", "fock_dimension"]


def fock_dimension(kinds: tuple[str, ...], cutoff: int) -> int:
    """Dimension of the truncated space without building it."""
    n_osc = sum(k == "oscillator" for k in kinds)
    n_qubit = len(kinds) - n_osc
    osc = comb(cutoff + n_osc, n_osc) if n_osc else 1
    return osc * 2**n_qubit


@dataclass(frozen=True, eq=False)
class FockSpace:
    """Truncated basis of a network with given node ``kinds``.

    Attributes
    ----------
    kinds : tuple of str
    cutoff : int or None
        K, the bound on the total number of oscillator quanta (None if no
        oscillator).
    states : (dim, n_nodes) int array
        Occupation of each node in each basis state.
    excitation : (dim,) int array
        q = Σ_i n_i of each basis state (non-decreasing).
    lowering : tuple of scipy.sparse.csr_matrix
        a_i (oscillator) or σ⁻_i (qubit), truncated to the space.
    """

    kinds: tuple[str, ...]
    cutoff: int | None
    states: np.ndarray
    excitation: np.ndarray
    lowering: tuple

    @classmethod
    def build(cls, kinds, cutoff: int | None = None) -> FockSpace:
        kinds = tuple(kinds)
        osc = [i for i, k in enumerate(kinds) if k == "oscillator"]
        if osc and (cutoff is None or cutoff < 1):
            raise ValueError("an oscillator network needs a cut-off K ≥ 1")
        ranges = [range(2) if k == "qubit" else range(cutoff + 1) for k in kinds]
        states = np.array(
            [s for s in product(*ranges) if not osc or sum(s[i] for i in osc) <= cutoff],
            dtype=np.int64,
        ).reshape(-1, len(kinds))
        q = states.sum(axis=1)
        order = np.lexsort((np.arange(len(q)), q))  # stable sort by q
        states, q = states[order], q[order]
        index = {tuple(s): i for i, s in enumerate(states)}
        lowering = []
        for node, kind in enumerate(kinds):
            src = np.nonzero(states[:, node] > 0)[0]
            tgt_states = states[src].copy()
            tgt_states[:, node] -= 1
            tgt = np.array([index[tuple(s)] for s in tgt_states], dtype=np.int64)
            amp = np.sqrt(states[src, node].astype(float)) if kind == "oscillator" else np.ones(len(src))
            lowering.append(sp.csr_matrix((amp, (tgt, src)), shape=(len(q), len(q))))
        return cls(kinds, cutoff if osc else None, states, q, tuple(lowering))

    @property
    def dim(self) -> int:
        return len(self.excitation)

    def sectors(self) -> list[np.ndarray]:
        """Index ranges of the q-sectors, in increasing q."""
        qs, starts = np.unique(self.excitation, return_index=True)
        bounds = list(starts) + [self.dim]
        return [np.arange(bounds[k], bounds[k + 1]) for k in range(len(qs))]

    def number(self, node: int) -> sp.csr_matrix:
        """n_i = a_i† a_i (diagonal)."""
        return sp.diags(self.states[:, node].astype(float)).tocsr()

    def hamiltonian(self, frequencies, couplings) -> sp.csr_matrix:
        """H_S = Σ ω_i n_i + Σ ε (a_i† a_j + a_j† a_i); ``couplings`` = [(i, j, ε)]."""
        h = sp.diags(self.states @ np.asarray(frequencies, dtype=float)).astype(complex).tocsr()
        for i, j, eps in couplings:
            hop = self.lowering[i].T @ self.lowering[j]  # a_i† a_j (real matrices)
            h = h + eps * (hop + hop.T)
        return h.tocsr()
