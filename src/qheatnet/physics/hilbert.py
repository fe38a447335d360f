"""Product Hilbert space of a network, truncated by total oscillator excitation.

Qubit nodes keep both levels. Oscillator nodes share one cut-off K on their
*total* number of quanta, Σ_osc n_i ≤ K. Because the swap Hamiltonian
conserves the total excitation number q = Σ_i n_i, every basis state has a
definite q and H is exactly block diagonal in q even after truncation, and
every ladder operator changes q by exactly ±1. The solvers use this to
restrict the steady-state problem to the q-diagonal blocks of ρ.

Basis states are ordered by q, so each q-sector is a contiguous range.

Couplings that do not conserve q (dipole, products such as σ_c σ_r† σ_h) may
still conserve a weighted charge Q = Σ_i w_i n_i (for the refrigerator term,
w = (1, 1, 0) on (c, r, h)); :meth:`FockSpace.reordered` returns the same
space ordered by Q, with ``excitation`` holding Q, so that the solvers use
the Q-blocks instead (:func:`qheatnet.physics.local.conserved_charge` finds w).

Operators of the coupling kinds (:meth:`FockSpace.monomial`): a product of
ladder operators on distinct nodes is built in normal order (lowering
factors first, then n, then raising), so the truncated matrix equals the
exact operator restricted to the truncated space, P M P: every intermediate
state has no more quanta than the initial or the final one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations_with_replacement, product
from math import comb
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["FockSpace", "fock_dimension", "sector_sizes", "block_unknowns", "node_distribution", "initial_diagonal"]


def fock_dimension(kinds: tuple[str, ...], cutoff: int | None) -> int:
    """Dimension of the truncated space without building it."""
    n_osc = sum(k == "oscillator" for k in kinds)
    n_qubit = len(kinds) - n_osc
    osc = comb(int(cutoff or 0) + n_osc, n_osc) if n_osc else 1
    return osc * 2**n_qubit


def sector_sizes(kinds: tuple[str, ...], cutoff: int | None) -> list[int]:
    """Number of basis states with total excitation q = 0, 1, …, without building the space.

    Oscillators with Σ n ≤ K contribute C(k + M − 1, M − 1) states of k quanta (M oscillators); qubits
    C(N_q, j) states of j excitations; the q-sector sizes are their convolution (exact integers).
    """
    n_osc = sum(k == "oscillator" for k in kinds)
    n_qubit = len(kinds) - n_osc
    osc = [comb(k + n_osc - 1, n_osc - 1) for k in range(int(cutoff or 0) + 1)] if n_osc else [1]
    qub = [comb(n_qubit, j) for j in range(n_qubit + 1)]
    out = [0] * (len(osc) + len(qub) - 1)
    for i, a in enumerate(osc):
        for j, b in enumerate(qub):
            out[i + j] += a * b
    return out


def block_unknowns(kinds: tuple[str, ...], cutoff: int | None) -> int:
    """Number of q-diagonal density-matrix elements Σ_q d_q² (the unknowns of the block-wise solve)."""
    return sum(d * d for d in sector_sizes(kinds, cutoff))


def _enumerate_states(kinds: tuple[str, ...], cutoff: int) -> np.ndarray:
    """Every occupation vector: qubits 0/1, oscillators with Σ n ≤ ``cutoff`` (stars and bars, no filtering)."""
    osc = [i for i, k in enumerate(kinds) if k == "oscillator"]
    qub = [i for i, k in enumerate(kinds) if k == "qubit"]
    m = len(osc)
    if m:
        # a multiset of size K over m + 1 symbols ↔ occupations of m oscillators with Σ n ≤ K (symbol m: unused)
        combos = np.array(list(combinations_with_replacement(range(m + 1), cutoff)), dtype=np.int64)
        combos = combos.reshape(-1, cutoff)
        occ = np.zeros((len(combos), m + 1), dtype=np.int64)
        for c in range(cutoff):
            np.add.at(occ, (np.arange(len(combos)), combos[:, c]), 1)
        osc_states = occ[:, :m]
    else:
        osc_states = np.zeros((1, 0), dtype=np.int64)
    qub_states = np.array(list(product(range(2), repeat=len(qub))), dtype=np.int64).reshape(2 ** len(qub), len(qub))
    states = np.zeros((len(osc_states) * len(qub_states), len(kinds)), dtype=np.int64)
    states[:, osc] = np.repeat(osc_states, len(qub_states), axis=0)
    states[:, qub] = np.tile(qub_states, (len(osc_states), 1))
    return states


class _StateIndex:
    """Position of occupation vectors in a basis (mixed-radix codes and a sorted search)."""

    def __init__(self, states: np.ndarray):
        top = states.max(axis=0) + 1 if len(states) else np.ones(states.shape[1], dtype=np.int64)
        self.radix = np.cumprod(np.concatenate([[1], top[:-1]])).astype(np.int64)
        codes = states @ self.radix
        self.order = np.argsort(codes, kind="stable")
        self.sorted = codes[self.order]

    def find(self, states: np.ndarray) -> np.ndarray:
        codes = states @ self.radix
        pos = np.searchsorted(self.sorted, codes)
        return self.order[pos].astype(np.int64)


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
    charge : tuple of int or None
        None: ``excitation`` is q = Σ_i n_i (:meth:`build`). Otherwise the weights w of the
        conserved charge Q = Σ_i w_i n_i that ``excitation`` holds (:meth:`reordered`).
    """

    kinds: tuple[str, ...]
    cutoff: int | None
    states: np.ndarray
    excitation: np.ndarray
    lowering: tuple
    charge: tuple[int, ...] | None = None

    @classmethod
    def build(cls, kinds, cutoff: int | None = None) -> FockSpace:
        import scipy.sparse as sp

        kinds = tuple(kinds)
        osc = [i for i, k in enumerate(kinds) if k == "oscillator"]
        if osc and (cutoff is None or cutoff < 1):
            raise ValueError("an oscillator network needs a cut-off K ≥ 1")
        states = _enumerate_states(kinds, int(cutoff) if osc and cutoff is not None else 0)
        q = states.sum(axis=1)
        # the order of itertools.product over the nodes (node 0 most significant), then stable by q
        order = np.lexsort(tuple(states[:, i] for i in range(len(kinds) - 1, -1, -1)) + (q,))
        states, q = states[order], q[order]
        index = _StateIndex(states)
        lowering = []
        for node, kind in enumerate(kinds):
            src = np.nonzero(states[:, node] > 0)[0]
            tgt_states = states[src].copy()
            tgt_states[:, node] -= 1
            tgt = index.find(tgt_states)
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
        import scipy.sparse as sp

        return sp.diags(self.states[:, node].astype(float)).tocsr()

    def hamiltonian(self, frequencies, couplings=(), terms=()) -> sp.csr_matrix:
        """H_S = Σ ω_i n_i + Σ ε (a_i† a_j + a_j† a_i) + Σ c (M + M†).

        ``couplings`` = [(i, j, ε)] swap terms; ``terms`` = [(c, M)] with M a monomial, a sequence of
        (node index, "a" | "adag" | "n") on distinct nodes (:meth:`monomial`). The entries of every
        term are collected and summed into one matrix at the end (one sparse construction instead of
        one sparse addition per term: most of the cost of small networks).
        """
        import scipy.sparse as sp

        diag = self.states @ np.asarray(frequencies, dtype=float)
        idx = np.arange(self.dim)
        rows, cols, vals = [idx], [idx], [diag.astype(complex)]

        def add(c, m) -> None:
            coo = m.tocoo()
            rows.extend((coo.row, coo.col))
            cols.extend((coo.col, coo.row))
            v = c * coo.data.astype(complex)
            vals.extend((v, v))

        for i, j, eps in couplings:
            add(eps, self.lowering[i].T @ self.lowering[j])  # a_i† a_j (real matrices), plus its transpose
        for c, factors in terms:
            add(c, self.monomial(factors))
        h = sp.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(self.dim, self.dim)
        )
        h.sum_duplicates()
        h.eliminate_zeros()
        return h

    def ladder(self, node: int, op: str) -> sp.csr_matrix:
        """a_i ("a"), a_i† ("adag"), n_i ("n") or a_i + a_i† ("x") of one node (real, truncated)."""
        low = self.lowering[node]
        if op == "a":
            return low.tocsr()
        if op == "adag":
            return low.T.tocsr()
        if op == "n":
            return self.number(node)
        if op == "x":
            return (low + low.T).tocsr()
        raise ValueError(f"unknown operator {op!r}")

    def monomial(self, factors) -> sp.csr_matrix:
        """Π_k O_k for (node, O) factors on distinct nodes, O ∈ {"a", "adag", "n"}, in normal order.

        The lowering factors act first, then the number operators, then the raising ones, so that
        the truncated product is exactly P M P (see the module docstring). Real matrix.
        """
        import scipy.sparse as sp

        order = {"a": 0, "n": 1, "adag": 2}
        out = sp.identity(self.dim, format="csr")
        for node, op in sorted(factors, key=lambda f: order[f[1]]):
            out = self.ladder(node, op) @ out
        return out.tocsr()

    def reordered(self, weights) -> FockSpace:
        """The same space with its basis sorted (stably) by the charge Q = Σ_i w_i n_i.

        ``excitation`` of the result holds Q and ``charge`` the integer weights w; ``states`` and
        ``lowering`` are permuted accordingly. Used when the couplings conserve Q but not q.
        """
        w = np.asarray(weights, dtype=np.int64)
        q = self.states @ w
        perm = np.argsort(q, kind="stable")
        lowering = tuple(op[perm][:, perm].tocsr() for op in self.lowering)
        return FockSpace(self.kinds, self.cutoff, self.states[perm], q[perm], lowering, tuple(int(x) for x in w))


def node_distribution(spec: dict, node, levels: int) -> np.ndarray:
    """Occupation probabilities p(n), n = 0 … levels − 1, of one node's initial state.

    ``spec`` is {"fock": n} or {"temperature": T}; an oscillator's thermal distribution is the
    untruncated geometric one (the weight lost to a cut-off is reported by the caller).
    """
    import math

    p = np.zeros(levels)
    if "fock" in spec:
        p[spec["fock"]] = 1.0
        return p
    t = spec["temperature"]
    if t == 0:
        p[0] = 1.0
        return p
    n = np.arange(levels)
    logw = -node.frequency * n / t
    if node.kind == "oscillator":
        return np.exp(logw) * -math.expm1(-node.frequency / t)
    w = np.exp(logw - logw.max())
    return w / w.sum()


def initial_diagonal(network, space: FockSpace, spec: dict) -> tuple[np.ndarray, float]:
    """Diagonal of a product initial state in ``space`` (renormalised) and the weight lost to truncation."""
    from ..errors import ValidationError

    diag = np.ones(space.dim)
    for i, node in enumerate(network.nodes):
        levels = int(space.states[:, i].max()) + 1
        p = node_distribution(spec[node.name], node, max(levels, 2))
        if "fock" in spec[node.name] and spec[node.name]["fock"] >= levels:
            raise ValidationError(
                f"initial.{node.name}.fock",
                f"Fock state {spec[node.name]['fock']} lies outside the truncated space (cut-off {space.cutoff})",
            )
        diag *= p[space.states[:, i]]
    total = float(diag.sum())
    return diag / total, max(0.0, 1.0 - total)
