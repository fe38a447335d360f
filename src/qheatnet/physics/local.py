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

The Fock-space Hamiltonian of every coupling kind (swap, dipole, density,
product; formulas in :mod:`qheatnet.model.network`) is built here
(:func:`network_hamiltonians`, :func:`coupling_operator`). When the couplings
do not conserve the excitation number q, :func:`charge_space` orders the
basis by a weighted charge Q = Σ w_i n_i they do conserve (found by
:func:`conserved_charge`), or puts everything in one block when there is
none; the local jumps a_i, a_i† change Q by ∓w_i, so the steady state still
lives in the Q-diagonal blocks.
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
    "coupling_operator",
    "coupling_terms",
    "conserved_charge",
    "charge_space",
    "fock_unknowns",
    "describe_structure",
    "local_quadratic",
    "local_free_fermion",
    "network_hamiltonians",
    "node_rates",
    "chain_order",
    "free_fermion_reason",
]


def coupling_terms(network: Network, coupling) -> list[tuple[float, list[tuple[int, str]]]]:
    """The monomials of ``coupling`` with node indices: [(c, [(node index, op)])] (H_c = Σ c (M + M†))."""
    return [(c, [(network.node_index(n), o) for n, o in m]) for c, m in coupling.monomials()]


def network_hamiltonians(network: Network, space: FockSpace) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """(H_S, H_0) of ``network`` in the product basis of ``space`` (every coupling kind)."""
    swaps = [
        (network.node_index(c.nodes[0]), network.node_index(c.nodes[1]), c.strength)
        for c in network.couplings
        if c.kind == "swap"
    ]
    terms = [t for c in network.couplings if c.kind != "swap" for t in coupling_terms(network, c)]
    h_s = space.hamiltonian(network.frequencies, swaps, terms)
    h_0 = space.hamiltonian(network.frequencies, [])
    return h_s, h_0


def coupling_operator(network: Network, space: FockSpace, coupling) -> sp.csr_matrix:
    """H_c of one coupling in the product basis of ``space`` (real sparse matrix)."""
    import scipy.sparse as sp

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for c, factors in coupling_terms(network, coupling):
        m = space.monomial(factors).tocoo()
        rows.extend((m.row, m.col))
        cols.extend((m.col, m.row))
        vals.extend((c * m.data, c * m.data))
    if not rows:
        return sp.csr_matrix((space.dim, space.dim))
    out = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(space.dim, space.dim)
    )
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def _charge_basis(network: Network) -> list[np.ndarray]:
    """Integer basis of the weights w with Σ_k s_k w_{node_k} = 0 for every monomial of every coupling.

    Exact rational Gaussian elimination (the constraint matrix has entries 0, ±1 and a few columns).
    """
    from fractions import Fraction

    n = len(network.nodes)
    rows = []
    for c in network.couplings:
        for _, m in c.monomials():
            r = [Fraction(0)] * n
            for node, op in m:
                r[network.node_index(node)] += {"a": -1, "adag": 1, "n": 0}[op]
            if any(r):
                rows.append(r)
    pivots: list[int] = []
    mat = [list(r) for r in rows]
    rank = 0
    for col in range(n):
        piv = next((k for k in range(rank, len(mat)) if mat[k][col] != 0), None)
        if piv is None:
            continue
        mat[rank], mat[piv] = mat[piv], mat[rank]
        p = mat[rank][col]
        mat[rank] = [v / p for v in mat[rank]]
        for k in range(len(mat)):
            if k != rank and mat[k][col] != 0:
                f = mat[k][col]
                mat[k] = [a - f * b for a, b in zip(mat[k], mat[rank])]
        pivots.append(col)
        rank += 1
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        v = [Fraction(0)] * n
        v[free] = Fraction(1)
        for row, pc in enumerate(pivots):
            v[pc] = -mat[row][free]
        den = 1
        for x in v:
            den = den * x.denominator // math.gcd(den, x.denominator)
        basis.append(np.array([int(x * den) for x in v], dtype=np.int64))
    return basis


def conserved_charge(network: Network, states: np.ndarray | None = None) -> np.ndarray | None:
    """Weights w of a charge Q = Σ_i w_i n_i that every coupling conserves, for the block structure.

    None when q = Σ_i n_i itself is conserved (the standard ordering applies). Otherwise a
    combination Σ_k c_k b_k of an integer basis b_k of all conserved charges (c_k chosen so that
    distinct joint values stay distinct on the occupations ``states``, when given); all zeros when
    the couplings conserve no charge at all (e.g. a dipole-coupled component: one block).
    """
    if network.conserves_excitation:
        return None
    basis = _charge_basis(network)
    w = np.zeros(len(network.nodes), dtype=np.int64)
    scale = 1
    for b in basis:
        w = w + scale * b
        span = int(np.sum(np.abs(b) * (np.max(states, axis=0) if states is not None else 1))) if len(b) else 0
        scale *= 2 * span + 1
    return w


def charge_space(network: Network, space: FockSpace) -> FockSpace:
    """``space`` itself when the couplings conserve q, else ordered by :func:`conserved_charge`."""
    w = conserved_charge(network, space.states)
    return space if w is None else space.reordered(w)


def describe_structure(space: FockSpace) -> str:
    """In words: which conserved quantity the blocks of ``space`` follow (for the result's ``solver``)."""
    if space.charge is None:
        return "q = Σ_i n_i (every coupling conserves the excitation number)"
    if not any(space.charge):
        return "none (the couplings conserve no weighted excitation number: one block)"
    return "Q = Σ_i w_i n_i with w = (" + ", ".join(str(x) for x in space.charge) + ")"


def fock_unknowns(network: Network, cutoff: int | None) -> int:
    """Unknowns of the block-wise Fock solve (Σ over the conserved-charge sectors of their size squared).

    Without the excitation-number structure the sector sizes are counted on the enumerated basis
    (up to FOCK_ENUMERATE_MAX states); beyond, the dimension itself is returned, a lower bound far
    above every limit of the Fock engine (what a refusal needs).
    """
    from .. import config
    from .hilbert import block_unknowns, fock_dimension

    if network.conserves_excitation:
        return block_unknowns(network.kinds, cutoff)
    dim = fock_dimension(network.kinds, cutoff)
    if dim > config.FOCK_ENUMERATE_MAX:
        return dim  # a lower bound (Σ_Q d_Q² ≥ Σ_Q d_Q = dim), far above every limit of the Fock engine
    w = conserved_charge(network)
    assert w is not None
    if not np.any(w):
        return dim * dim
    from .hilbert import _enumerate_states

    kinds = network.kinds
    states = _enumerate_states(kinds, int(cutoff or 0) if "oscillator" in kinds else 0)
    w = conserved_charge(network, states)
    assert w is not None
    _, counts = np.unique(states @ w, return_counts=True)
    return int(np.sum(counts.astype(np.int64) ** 2))


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
    """The local master equation of ``network`` in the truncated ``space``.

    When the couplings do not conserve q the generator's space is ``space`` reordered by a conserved
    charge (:func:`charge_space`); use ``generator.space`` afterwards.
    """
    space = charge_space(network, space)
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
    bad = next((c for c in network.couplings if c.kind != "swap"), None)
    if bad is not None:
        return (
            f"coupling {bad.label!r} is a {bad.kind} term, not an XX (swap) term: the Jordan–Wigner fermions "
            "interact (or their number is not conserved), so the two-point function is not closed"
        )
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
