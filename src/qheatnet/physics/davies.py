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

Representations built here:

* :func:`build_global` — Fock space (any network), for the sparse Liouvillian;
* :func:`davies_quadratic` — oscillator networks: X_α(ω_k) = U_{s,k} d_k for
  the normal modes d_k of h, one channel per bath and mode, degenerate modes
  grouped (their coherences survive);
* :func:`pauli_rates` — qubit networks whose eigenstate populations decouple
  from the coherences (:mod:`qheatnet.solvers.rate_equation` decides when):
  the rates W_nm = Σ_α G_α(E_m − E_n) |⟨n|X_α|m⟩|² between adjacent
  excitation sectors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import config
from ..errors import ModelError
from ..model.network import Network
from .generator import Dissipator, FockGenerator, PauliRates, QuadraticGenerator, ValidityInfo
from .hilbert import FockSpace
from .local import network_hamiltonians
from .rates import bohr_tolerance, cluster_frequencies, damping, secular_margin

if TYPE_CHECKING:
    pass

__all__ = [
    "build_global",
    "davies_quadratic",
    "pauli_rates",
    "normal_modes",
    "check_bounded_below",
    "lowest_oscillator_mode",
    "cluster_frequencies",
    "chain_bands",
    "degenerate_groups",
]


def chain_bands(network: Network, nodes: list[int] | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """(diagonal, off-diagonal) of h restricted to ``nodes`` (default: all) when that block is tridiagonal.

    A chain in node order — every swap coupling between two of ``nodes`` joins neighbours of the list — has
    a tridiagonal h: its normal modes come from ``eigh_tridiagonal`` and its ground-state test is an O(N)
    LDLᵀ factorisation. Read from the couplings in O(N + couplings), without forming the N × N matrix.
    None when the block is not tridiagonal or a coupling is not a swap (h is then undefined).
    """
    if not network.swap_only:
        return None
    index = network.node_index
    if nodes is None:
        diag = network.frequencies.astype(float)
        pos = None
    else:
        diag = np.array([network.nodes[i].frequency for i in nodes], dtype=float)
        pos = {i: k for k, i in enumerate(nodes)}
    off = [0.0] * max(len(diag) - 1, 0)
    for c in network.couplings:
        if c.strength == 0:
            continue
        a, b = index(c.nodes[0]), index(c.nodes[1])
        if pos is not None:
            if a not in pos or b not in pos:
                continue  # a coupling to a node outside the block
            a, b = pos[a], pos[b]
        if a - b not in (1, -1):
            return None
        off[min(a, b)] += c.strength
    return diag, np.array(off, dtype=float)


def normal_modes(h: np.ndarray, bands: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ω, U) with h = U diag(ω) Uᵀ; ``eigh_tridiagonal`` when h is tridiagonal (chains).

    ``bands``: h's (diagonal, off-diagonal) when the caller knows h is tridiagonal (:func:`chain_bands`),
    which spares the O(N²) test.
    """
    import scipy.linalg as sla

    n = h.shape[0]
    if bands is None and n > 2 and not np.any(np.triu(h, 2)):
        bands = (np.diag(h).copy(), np.diag(h, 1).copy())
    if bands is not None and n > 2:
        w, u = sla.eigh_tridiagonal(bands[0], bands[1])
    else:
        w, u = np.linalg.eigh(h)
    return w, u


def lowest_oscillator_mode(network: Network) -> float | None:
    """None if the oscillator sub-network has a ground state, else its lowest normal-mode frequency (≤ 0).

    The swap Hamiltonian of oscillators is Σ h_ij a_i† a_j; it has a ground state only if h (restricted to
    oscillator nodes) is positive definite. A Cholesky factorisation decides that at a third of the cost of
    the eigenvalues (measured: the dense eigvalsh took most of an N = 4000 chain solve); for a chain
    (tridiagonal h, :func:`chain_bands`) the LDLᵀ factorisation ``dpttrf`` does it in O(N) — its pivots
    are the squared Cholesky pivots, so the verdict is the same. The eigenvalue is computed only to word
    the refusal.
    """
    osc = [i for i, k in enumerate(network.kinds) if k == "oscillator"]
    if not osc:
        return None
    bands = chain_bands(network, None if len(osc) == len(network.nodes) else osc)
    if bands is not None:
        return _lowest_of_bands(*bands)
    h = network.single_particle_matrix()[np.ix_(osc, osc)]
    try:
        np.linalg.cholesky(h)
        return None
    except np.linalg.LinAlgError:
        return float(np.linalg.eigvalsh(h)[0])


def _lowest_of_bands(d: np.ndarray, e: np.ndarray) -> float | None:
    """:func:`lowest_oscillator_mode` of the tridiagonal h with diagonal d and off-diagonal e, in O(N)."""
    import scipy.linalg as sla
    from scipy.linalg.lapack import dpttrf

    if len(d) == 1:
        return None if d[0] > 0 else float(d[0])
    *_, info = dpttrf(d, e)
    if info == 0:
        return None
    return float(sla.eigvalsh_tridiagonal(d, e, select="i", select_range=(0, 0))[0])


def _unbounded(lowest: float) -> ModelError:
    return ModelError(
        f"the global approach needs a Hamiltonian with a ground state, but the lowest normal-mode "
        f"frequency of the oscillators is {lowest:.6g} ≤ 0 (for two oscillators: ε² ≥ ω_h ω_c)"
    )


def check_bounded_below(network: Network) -> None:
    """Refuse (ModelError) an oscillator network without a ground state (two oscillators: ε² ≥ ω_h ω_c)."""
    lowest = lowest_oscillator_mode(network)
    if lowest is not None:
        raise _unbounded(lowest)


def _rates_at(spectrum, omegas: np.ndarray, temperature: float) -> np.ndarray:
    """G(ω) of ``spectrum`` at every Bohr frequency (one vectorised call; element by element if that fails)."""
    try:
        out = np.asarray(spectrum.bohr_rate(omegas, temperature), dtype=float)
        if out.shape == omegas.shape:
            return out
    except (TypeError, ValueError):
        pass
    return np.array([float(spectrum.bohr_rate(float(w), temperature)) for w in omegas])


def _eigen_entries(op, sectors, vecs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, values) of V† op V, computed block by block of the sectors that ``op`` connects."""
    import scipy.sparse as sp

    op = sp.csr_matrix(op)
    coo = op.tocoo()
    dim = op.shape[0]
    which = np.empty(dim, dtype=np.int64)
    for k, idx in enumerate(sectors):
        which[idx] = k
    pairs = np.unique(np.stack([which[coo.row], which[coo.col]], axis=1), axis=0) if coo.nnz else np.zeros((0, 2), int)
    rr, cc, vv = [], [], []
    for a, b in pairs:
        ia, ib = sectors[a], sectors[b]
        blk = op[ia[0] : ia[-1] + 1, ib[0] : ib[-1] + 1].toarray().astype(complex)
        out = vecs[a].conj().T @ blk @ vecs[b]
        r, c = np.nonzero(out)  # row-major order, as np.nonzero of the dense matrix
        rr.append(r + ia[0])
        cc.append(c + ib[0])
        vv.append(out[r, c])
    if not rr:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=complex)
    rows, cols, vals = np.concatenate(rr), np.concatenate(cc), np.concatenate(vv)
    order = np.lexsort((cols, rows))  # the row-major order of the whole matrix
    return rows[order], cols[order], vals[order]


def build_global(network: Network, space: FockSpace) -> FockGenerator:
    """The Davies generator of ``network`` in the eigenbasis of H_S (truncated ``space``).

    H_S is diagonalised block by block of the charge its couplings conserve: q = Σ n_i for swap,
    density and q-conserving products, a weighted charge or one block otherwise
    (:func:`qheatnet.physics.local.charge_space`; the generator's ``space`` is that ordering).
    The jump operators X_α(ω) of one bath are built together as one COO list
    (:class:`~qheatnet.solvers.liouvillian.Jumps`), one term per cluster of Bohr frequencies.
    """
    import scipy.sparse as sp

    from ..solvers.liouvillian import Jumps
    from .local import charge_space
    from .quadratic_xp import check_ground_state

    if network.swap_only:
        check_bounded_below(network)
    else:
        check_ground_state(network)
    space = charge_space(network, space)
    h_s, h_0 = network_hamiltonians(network, space)
    sectors = space.sectors()
    energies = np.empty(space.dim)
    vecs = []
    for idx in sectors:
        sl = slice(idx[0], idx[-1] + 1)
        e, v = np.linalg.eigh(h_s[sl, sl].toarray())
        energies[sl] = e
        vecs.append(v)

    tol = bohr_tolerance(energies) if space.dim else bohr_tolerance([1.0])
    dissipators = []
    min_gap = np.inf
    max_rate = 0.0
    secular = (np.inf, np.inf, 0.0)
    for bath in network.baths:
        i = network.node_index(bath.node)
        low = space.lowering[i]
        r_all, c_all, x_all = _eigen_entries(low + low.T, sectors, vecs)
        xabs = np.abs(x_all)
        keep = xabs > config.JUMP_DROP_RTOL * (np.max(xabs) if len(xabs) else 0.0)
        rows, cols, xv = r_all[keep], c_all[keep], x_all[keep]
        omegas = energies[cols] - energies[rows]  # energy lost by the network: E_col − E_row
        labels = cluster_frequencies(omegas, tol)
        n_lab = int(labels.max()) + 1 if len(labels) else 0
        counts = np.bincount(labels, minlength=n_lab)
        w = np.bincount(labels, weights=omegas, minlength=n_lab) / np.maximum(counts, 1)
        w[np.abs(w) <= tol] = 0.0
        rate = _rates_at(bath.spectrum, w, bath.temperature)
        both = rate + _rates_at(bath.spectrum, -w, bath.temperature)
        quanta = np.maximum(1, np.maximum(space.excitation[rows], space.excitation[cols]))
        weight = np.zeros(n_lab)
        np.maximum.at(weight, labels, np.abs(xv) ** 2 / quanta)
        nonneg = w >= 0
        secular = min(secular, secular_margin(w[nonneg], (both * weight)[nonneg], tol))
        pos = w > 0
        if np.any(pos):
            max_rate = max(max_rate, float(np.max(both[pos])))
        distinct = np.sort(w[pos])
        if len(distinct) > 1:
            min_gap = min(min_gap, float(np.min(np.diff(distinct))))
        kept = np.flatnonzero(rate > 0)  # terms in order of frequency
        new_index = np.full(n_lab, -1, dtype=np.int64)
        new_index[kept] = np.arange(len(kept))
        sel = new_index[labels] >= 0
        jumps = Jumps.from_arrays(
            space.dim, rate[kept], new_index[labels[sel]], rows[sel], cols[sel], xv[sel], omega=w[kept]
        )
        dissipators.append(Dissipator(bath.name, jumps=jumps, dim=space.dim))

    diag = sp.diags(energies).astype(complex).tocsr()
    hr, hc, hv = _eigen_entries(h_0, sectors, vecs)
    h0_eig = sp.csr_matrix((hv, (hr, hc)), shape=(space.dim, space.dim))
    return FockGenerator(
        "global",
        network,
        space,
        diag,
        h0_eig,
        tuple(dissipators),
        basis="eigen",
        eigvecs=vecs,
        validity=ValidityInfo(min_bohr_gap=min_gap, max_rate=max_rate, secular=secular),
    )


def degenerate_groups(labels: np.ndarray) -> list[np.ndarray]:
    """Index sets (increasing) of the labels shared by more than one mode, in label order; O(N log N)."""
    labels = np.asarray(labels)
    if not len(labels):
        return []
    counts = np.bincount(labels)
    multi = np.flatnonzero(counts > 1)
    if not len(multi):
        return []
    shared = np.flatnonzero(counts[labels] > 1)  # increasing
    order = shared[np.argsort(labels[shared], kind="stable")]
    return np.split(order, np.cumsum(counts[multi])[:-1])


def davies_quadratic(network: Network) -> QuadraticGenerator:
    """The Davies generator of an oscillator network on ⟨d_k† d_l⟩ (normal modes; see the module docstring).

    Rates of a group of degenerate modes are taken at the group's mean frequency. ``validity`` holds the
    smallest gap between distinct coupled mode frequencies seen by one bath and the largest rate.
    """
    bands = chain_bands(network)
    if bands is not None:  # a chain: O(N) ground-state test, h from its bands
        lowest = _lowest_of_bands(*bands)
        if lowest is not None:
            raise _unbounded(lowest)
        n = len(bands[0])
        h = np.zeros((n, n))
        h[np.diag_indices(n)] = bands[0]
        k = np.arange(n - 1)
        h[k, k + 1] = h[k + 1, k] = bands[1]
    else:
        h = network.single_particle_matrix()
    omega, umat = normal_modes(h, bands)
    if bands is None and not omega[0] > 0:  # the ground-state test from the eigenvalues just computed
        raise _unbounded(float(omega[0]))
    tol = bohr_tolerance(omega)
    labels = cluster_frequencies(omega, tol)
    at = omega.copy()  # the frequency each mode's rates are evaluated at
    for idx in degenerate_groups(labels):
        at[idx] = float(np.mean(omega[idx]))
    sites = np.array([network.node_index(b.node) for b in network.baths], dtype=int)
    em = np.array([b.spectrum.emission(at, b.temperature) * np.ones_like(at) for b in network.baths])
    ab = np.array([b.spectrum.absorption(at, b.temperature) * np.ones_like(at) for b in network.baths])
    dm = np.array([damping(b.spectrum, at, b.temperature) * np.ones_like(at) for b in network.baths])
    em, ab, dm = (x.reshape(len(sites), len(omega)) for x in (em, ab, dm))
    # diagnostics: distinct coupled Bohr frequencies of each bath and the largest rate
    min_gap = np.inf
    max_rate = 0.0
    secular = (np.inf, np.inf, 0.0)
    for a, s in enumerate(sites):
        secular = min(secular, secular_margin(omega, (em[a] + ab[a]) * umat[s] ** 2, tol))
        amp = np.abs(umat[s])
        coupled = amp > config.JUMP_DROP_RTOL * np.max(amp)
        freqs = np.unique(labels[coupled])
        if len(freqs) < 64:
            reps = np.array([np.mean(omega[labels == lab]) for lab in freqs])
        else:
            reps = np.sort(omega[coupled])
            reps = reps[np.concatenate([[True], np.diff(reps) > tol])]
        if len(reps) > 1:
            min_gap = min(min_gap, float(np.min(np.diff(np.sort(reps)))))
        if np.any(coupled):
            max_rate = max(max_rate, float(np.max(em[a][coupled] + ab[a][coupled])))
    return QuadraticGenerator(
        approach="global",
        network=network,
        h=h,
        sites=sites,
        names=tuple(b.name for b in network.baths),
        emission=em,
        absorption=ab,
        net_damping=dm,
        omega=omega,
        modes=umat,
        labels=labels,
        validity=ValidityInfo(min_bohr_gap=min_gap, max_rate=max_rate, secular=secular),
    )


def pauli_rates(energies, amp_blocks, baths, *, consume_blocks: bool = False) -> PauliRates:
    """Davies rates between adjacent excitation sectors of a qubit network (the Pauli equation).

    Parameters
    ----------
    energies : list of (n_k,) arrays, eigen-energies per excitation sector (consecutive q)
    amp_blocks : per bath, list of (n_k, n_{k+1}) arrays A[α][k] = ⟨m|X_α|n⟩ (m in sector k, n in k + 1)
    baths : list of (name, spectrum, temperature), one per bath
    consume_blocks : free each amplitude block once used (saves memory for large networks)

    Notes
    -----
    For the down move n (k + 1) → m (k) the network loses ω = E_n − E_m: rate G(ω) |A_mn|², the up
    move G(−ω) |A_mn|²; a zero Bohr frequency (within the Bohr tolerance) gets one X(0) at rate G(0)
    acting both ways, as in :func:`build_global`. Matrix elements below JUMP_DROP_RTOL of the
    bath's largest are round-off and dropped, as there.
    """
    nsec = len(energies)
    btol = bohr_tolerance(np.concatenate(energies))
    omegas = []
    for k in range(nsec - 1):
        w = energies[k + 1][None, :] - energies[k][:, None]
        w[np.abs(w) <= btol] = 0.0
        omegas.append(w)
    down = [np.zeros_like(w) for w in omegas]
    up = [np.zeros_like(w.T) for w in omegas]
    per_bath = []
    max_rate = 0.0
    min_gap = np.inf
    secular = (np.inf, np.inf, 0.0)
    for blocks, (_, spectrum, temp) in zip(amp_blocks, baths):
        bath_blocks = []
        positive = []
        sec_w, sec_r = [], []
        xmax = max((float(np.max(np.abs(b))) for b in blocks if b is not None and b.size), default=0.0)
        drop = (config.JUMP_DROP_RTOL * xmax) ** 2
        for k in range(nsec - 1):
            sq = blocks[k] ** 2
            if consume_blocks:
                blocks[k] = None
            nz = sq > drop
            sq[~nz] = 0.0
            w = np.abs(omegas[k])
            emit = np.asarray(spectrum.emission(w, temp), dtype=float)
            absorb = np.asarray(spectrum.absorption(w, temp), dtype=float)
            pos = omegas[k] >= 0
            r_down = np.where(pos, emit, absorb)
            r_up = np.where(pos, absorb, emit)
            zero = omegas[k] == 0.0
            if np.any(zero):
                g0 = float(spectrum.bohr_rate(0.0, temp))
                r_down[zero] = g0
                r_up[zero] = g0
            r_down *= sq
            r_up *= sq
            down[k] += r_down
            up[k] += r_up.T
            if np.any(nz):
                max_rate = max(max_rate, float(np.max((emit + absorb) * nz)))
                positive.append(np.unique(w[nz]))
                sec_w.append(w[nz])
                sec_r.append(((emit + absorb) * sq)[nz])
            del sq, emit, absorb, pos, nz, w
            bath_blocks.append((r_up, r_down))
        per_bath.append(bath_blocks)
        if sec_w:
            secular = min(secular, secular_margin(np.concatenate(sec_w), np.concatenate(sec_r), btol))
        if positive:
            u = np.unique(np.concatenate(positive))
            u = u[u > 0]
            if len(u) > 1:
                d = np.diff(u)
                d = d[d > btol]  # frequencies within the Bohr tolerance are one frequency
                if len(d):
                    min_gap = min(min_gap, float(np.min(d)))
    return PauliRates(
        energies=list(energies),
        omegas=omegas,
        down=down,
        up=up,
        per_bath=per_bath,
        names=tuple(b[0] for b in baths),
        min_bohr_gap=min_gap,
        max_rate=max_rate,
        secular=secular,
    )
