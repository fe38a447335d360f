r"""Heat currents: every formula, for every representation, in one place.

Convention (eq. 5 of Levy & Kosloff 2014): the heat current of bath α is

.. math:: J_α = \mathrm{Tr}[(𝓛_α ρ) H] = \mathrm{Tr}[ρ\, 𝓛_α^†(H)],

positive when energy flows from the bath into the network. H is the full
network Hamiltonian H_S ("full" bookkeeping, default, as in the paper) or
H_0 = Σ ω_i n_i ("bare"). The *gross exchange* Σ_k r_k |ω_k| ⟨J_k†J_k⟩
(energy exchanged with the baths in both directions) is returned beside
the currents: a net current below ZERO_CURRENT_RTOL of it is round-off.

Per representation (the generators of :mod:`qheatnet.physics.generator`):

Fock space
    𝓛^†_α(H) = Σ_k r_k (J_k^† H J_k − ½\{J_k^† J_k, H\}) as a sparse operator
    (:func:`current_operator`), J_α = Re Tr[ρ 𝓛^†_α(H)] (:func:`fock_currents`).
Quadratic (oscillators, C = ⟨a†a⟩ in the working basis)
    Ċ_α = Γ↑_α − ½\{G_α, C\}, so J_α = Tr[h Γ↑_α] − Re Tr[(h G_α) C]
    (:func:`quadratic_currents`; transients). At steady state the local
    currents use the Landauer-like pair form of :mod:`qheatnet.solvers.gaussian`,
    J_α = δ_α Σ_t (n_α − n_t) δ_t S_{st}, free of cancellation and
    antisymmetric pair by pair (:func:`local_quadratic_currents`); the
    Davies currents are sums over normal modes, J_α = Σ_k ω_k Σ_β
    (A_αk E_βk − A_βk E_αk)/Σ_β(E_βk − A_βk), plus a trace per group of
    degenerate modes (:func:`davies_quadratic_currents`).
Free fermions (XX chains, end baths)
    J = Σ_ij H_ij (Ċ_α)_ij, written without the cancellation of the gross
    exchange (:func:`free_fermion_current`).
Pauli (eigenstate populations)
    J_α = Σ_{m∈k, n∈k+1} (E_n − E_m)[r↑_mn p_m − r↓_mn p_n] with the net flow
    formed per transition first (:func:`pauli_currents`), or as c_α · p for
    transients (:func:`pauli_current_vectors`).

Heat flow through the couplings (bare bookkeeping, node energies H_i = ω_i n_i)
    The energy entering node i through coupling c is

    .. math:: J_{c→i} = i⟨[H_c, H_i]⟩,

    (Heisenberg: dH_i/dt = Σ_c i[H_c, H_i] + Σ_α 𝓛_α^†(H_i), the other node
    terms commute with H_i). Its partner, the energy the baths put into node i,
    is J_bath(i) = Σ_α ⟨𝓛_α^†(H_i)⟩ (for the local approach: the bare currents of
    the baths on node i; for the global one every bath contributes). At steady
    state continuity holds for every node: Σ_c J_{c→i} + J_bath(i) = 0, and
    Σ_i J_bath(i) = Σ_α J_α^bare. Fock space: from ρ (:func:`fock_flows`);
    quadratic oscillator networks: from the covariance matrix V,
    J_{c→i} = ½ Tr[(𝐇_i Ω_J 𝐇_c − 𝐇_c Ω_J 𝐇_i) V] (:func:`quadratic_coupling_currents`,
    derived there); XX chains as free fermions: J_{c→i} = 2 ε ω_i Im C_ij
    (:func:`swap_coupling_currents`). A density coupling ε n_i n_j commutes with
    every H_i and carries no energy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = [
    "current_operator",
    "expectation",
    "fock_currents",
    "quadratic_currents",
    "local_quadratic_currents",
    "davies_quadratic_currents",
    "free_fermion_current",
    "pauli_currents",
    "pauli_current_vectors",
    "first_law_error",
    "fock_flows",
    "quadratic_coupling_currents",
    "swap_coupling_currents",
    "local_node_bath_currents",
    "rho_coupling_currents",
    "steady_flows",
]


# --------------------------------------------------------------------------
# Fock space
# --------------------------------------------------------------------------


def current_operator(terms, h) -> sp.csr_matrix | None:
    """𝓛^†(H) = Σ_k r_k (J_k† H J_k − ½{J_k†J_k, H}) as a sparse matrix (None for no terms)."""
    out = None
    for t in terms:
        j = t.op
        jd = j.conj().T
        jj = jd @ j
        g = t.rate * (jd @ h @ j - 0.5 * (jj @ h + h @ jj))
        out = g if out is None else out + g
    return out


def expectation(op, rho: np.ndarray) -> float:
    """Re Tr[ρ op] for sparse ``op`` and dense ρ."""
    if op is None:
        return 0.0
    coo = op.tocoo()
    return float(np.real(np.sum(coo.data * rho[coo.col, coo.row])))


def fock_currents(gen, rho: np.ndarray, bookkeeping: str) -> tuple[dict[str, float], float]:
    """(bath name → J_α, gross exchange) of a Fock-space generator ``gen`` at state ``rho`` (in ``gen``'s basis).

    J_α = Re Tr[H 𝓓_α(ρ)] is evaluated from the entry pairs of the assembled block Liouvillian
    (:meth:`~qheatnet.solvers.liouvillian.BlockLiouvillian.bath_currents`), without an operator per term.
    """
    h_book = gen.hamiltonian if bookkeeping == "full" else gen.bare_hamiltonian
    bl = gen.block_liouvillian()
    js = bl.bath_currents(rho, h_book, len(gen.dissipators))
    currents = {d.bath: float(j) for d, j in zip(gen.dissipators, js)}
    return currents, bl.gross_exchange(rho)


# --------------------------------------------------------------------------
# quadratic (oscillator) generators
# --------------------------------------------------------------------------


def quadratic_currents(h_book_w: np.ndarray, gains: list, nets: list, c: np.ndarray) -> list[float]:
    """J_α = Tr[h Γ↑_α] − Re Tr[(h G_α) C] for Hermitian h, G_α and C (all in one working basis)."""
    return [
        float(np.sum(h_book_w * up)) - float(np.real(np.sum((h_book_w @ net).T * c))) for up, net in zip(gains, nets)
    ]


def local_quadratic_currents(gen, sol, bookkeeping: str) -> tuple[dict[str, float], np.ndarray, float]:
    """Steady-state local currents of an oscillator network, its node populations and the gross exchange.

    ``sol`` is the :class:`~qheatnet.solvers.gaussian.LocalSolution` of the local generator ``gen``
    (bath sites aggregated; see :func:`qheatnet.solvers.gaussian.local_steady_state`).
    """
    h = gen.h
    n = h.shape[0]
    freqs = np.diag(h)
    sites = [int(s) for s in sol.sites]
    pos = {s: p for p, s in enumerate(sites)}
    m = len(sites)
    delta_s, gain_s = _aggregate_sites(gen, sites)
    occ_s = gain_s / delta_s
    currents = {}
    coef = sol.X if bookkeeping == "bare" else sol.S
    for a, (name, s) in enumerate(zip(gen.names, gen.sites)):
        s = int(s)
        p = pos[s]
        occ_a = gen.absorption[a] / gen.net_damping[a]
        own = freqs[s] if bookkeeping == "bare" else h[s, s]
        scale = freqs[s] if bookkeeping == "bare" else 1.0
        others = [q for q in range(m) if q != p]
        tot = sum((occ_a - occ_s[q]) * delta_s[q] * coef[p, q] * scale for q in others)
        rest = own - sum(delta_s[q] * coef[p, q] * scale for q in others)
        currents[name] = float(gen.net_damping[a] * (tot + (occ_a - occ_s[p]) * rest))
    if sol.C is not None:
        pop_arr = np.real(np.diag(sol.C)).copy()
        pop_arr[sites] = sol.site_populations  # the cancellation-free form for the bath sites
    else:
        pop_arr = np.full(n, np.nan)
        pop_arr[sites] = sol.site_populations
    with np.errstate(over="ignore", invalid="ignore"):  # beyond double range: inf, refused by the API
        gross = float(
            sum(
                freqs[s] * (gen.emission[a] * pop_arr[s] + gen.absorption[a] * (pop_arr[s] + 1))
                for a, s in enumerate(gen.sites)
            )
        )
    return currents, pop_arr, gross


def _aggregate_sites(gen, sites) -> tuple[np.ndarray, np.ndarray]:
    """Net damping δ_s and gain g_s summed over the baths of each bath site."""
    pos = {s: p for p, s in enumerate(sites)}
    delta_s = np.zeros(len(sites))
    gain_s = np.zeros(len(sites))
    for a, s in enumerate(gen.sites):
        delta_s[pos[int(s)]] += gen.net_damping[a]
        gain_s[pos[int(s)]] += gen.absorption[a]
    return delta_s, gain_s


def single_mode_currents(omega, h0_modes, e_ak, a_ak, gam, sel, n_modes) -> tuple[np.ndarray, np.ndarray, float]:
    """(J full, J bare, gross exchange) per bath carried by the resolved non-degenerate normal modes ``sel`` of
    a Davies quadratic generator (swap or (x, p)): J_α = Σ_k ω_k Σ_β (A_αk E_βk − A_βk E_αk)/Γ_k, with the
    mode's bare energy ``h0_modes`` in place of ω_k for J bare. ``e_ak``, ``a_ak`` (B, N): emission and
    absorption per bath and mode (weights included); ``gam``: total net damping per mode."""
    nb = e_ak.shape[0]
    jf = np.zeros(nb)
    jb = np.zeros(nb)
    for a in range(nb):
        pair = np.zeros(len(omega))
        for b in range(nb):
            if b != a:
                pair += a_ak[a] * e_ak[b] - a_ak[b] * e_ak[a]
        with np.errstate(invalid="ignore", divide="ignore"):
            per_mode = np.where(sel, pair / np.where(sel, gam, 1.0), 0.0)
        jf[a] = float(np.sum(omega * per_mode))
        jb[a] = float(np.sum(h0_modes * per_mode))
    with np.errstate(over="ignore", invalid="ignore"):  # beyond double range: inf, refused by the API
        gross = float(np.sum(omega[sel] * (e_ak[:, sel] * n_modes[sel] + a_ak[:, sel] * (n_modes[sel] + 1))))
    return jf, jb, gross


def davies_quadratic_currents(gen, sol) -> tuple[np.ndarray, np.ndarray, float]:
    """(J full, J bare, gross exchange) per bath of the Davies steady state ``sol`` of ``gen``.

    ``sol`` is the :class:`~qheatnet.solvers.gaussian.GlobalSolution`: stationary mode occupations of
    non-degenerate modes and the correlation block of each group of degenerate modes.
    """
    omega, umat = gen.omega, gen.modes
    w = umat[gen.sites, :] ** 2
    # currents and the gross exchange are homogeneous of degree 1 in the rates: evaluate them with the rates
    # scaled to O(1), so that products of two tiny rates (κ = 1e-300) do not underflow to an exact zero
    scale = float(np.max(gen.emission, initial=0.0)) or 1.0
    e_ak, a_ak = w * (gen.emission / scale), w * (gen.absorption / scale)
    gam = sol.gamma / scale
    h0_modes = np.einsum("ik,i,ik->k", umat, np.diag(gen.h), umat)  # (Uᵀ diag(ω_i) U)_kk
    jf, jb, gross = single_mode_currents(omega, h0_modes, e_ak, a_ak, gam, sol.resolved, sol.n_modes)
    h0 = np.diag(np.diag(gen.h))
    for idx, cg in sol.groups.items():
        idx = np.asarray(idx)
        ug = umat[:, idx]
        wg = float(np.mean(omega[idx]))
        gross = add_group_currents(jf, jb, gross, gen, idx, cg, umat[gen.sites][:, idx], ug.T @ h0 @ ug, wg, scale)
    return jf * scale, jb * scale, gross * scale


def add_group_currents(jf, jb, gross, gen, idx, cg, vecs, h0g, wg, scale) -> float:
    """Add one group ``idx`` of degenerate modes (frequency ``wg``, correlation block ``cg``, bath amplitudes
    ``vecs`` (B, g), bare-energy block ``h0g``) to the currents ``jf``, ``jb`` (in place, rates divided by ``scale``);
    returns the gross exchange with the group's share added. J_α += ω_g Tr[𝒟_α C], 𝒟_α C =
    Γ↑_α − ½{Γ_α, C} (swap and (x, p) Davies generators alike)."""
    for a in range(vecs.shape[0]):
        vv = np.outer(vecs[a], vecs[a])
        g_dn = gen.emission[a, idx[0]] / scale * vv
        g_up = gen.absorption[a, idx[0]] / scale * vv
        g_net = gen.net_damping[a, idx[0]] / scale * vv
        dca = g_up - 0.5 * (g_net @ cg + cg @ g_net)
        jf[a] += wg * float(np.trace(dca))
        jb[a] += float(np.sum(h0g * dca))
        gross += wg * float(np.sum(g_dn * cg) + np.sum(g_up * (np.eye(len(idx)) + cg)))
    return gross


# --------------------------------------------------------------------------
# free fermions
# --------------------------------------------------------------------------


def free_fermion_current(
    h: np.ndarray, c: np.ndarray, site: int, g_minus: float, g_plus: float, *, bare: bool = False, alone: bool = False
) -> float:
    """J = Σ_ij H_ij (Ċ_α)_ij for one bath on ``site`` (H = h, or diag(h) if ``bare``).

    Ċ_α = −½(Γ_α C + C Γ_α) + Γ⁺_α has entries only in row and column
    ``site``, so J = H_kk (γ⁺ − Γ C_kk) − Γ Σ_{j≠k} H_kj Re C_kj. The first
    bracket is a small difference of large numbers (the net exchange is much
    smaller than the gross one in long chains); when this bath is ``alone``
    on its site the steady-state identity γ⁺ − Γ C_kk = −2 Σ_{j≠k} h_kj Im C_kj
    (particle conservation at site k) gives it without cancellation.
    """
    gam = g_minus + g_plus
    hh = np.diag(np.diag(h)) if bare else h
    off = np.arange(h.shape[0]) != site
    if alone:
        net_in = float(-2.0 * np.sum(h[site, off] * np.imag(c[site, off])))
    else:
        net_in = float(g_plus - gam * np.real(c[site, site]))
    return float(hh[site, site] * net_in - gam * np.sum(hh[site, off] * np.real(c[site, off])))


# --------------------------------------------------------------------------
# Pauli (eigenstate populations)
# --------------------------------------------------------------------------


def pauli_currents(rates, p: list, bare: list | None = None) -> tuple[dict[str, float], dict[str, float], float]:
    """(J with the energies of ``rates``, J with the bare energies ``bare`` or {}, gross exchange).

    ``p``: stationary populations per sector; ``bare``: ⟨n|H_0|n⟩ per sector (optional).
    """
    currents: dict[str, float] = {}
    currents_bare: dict[str, float] = {}
    gross = 0.0
    energies = rates.energies
    for name, bath_blocks in zip(rates.names, rates.per_bath):
        j = jb = 0.0
        for k, (r_up, r_down) in enumerate(bath_blocks):
            flow_up = r_up * p[k][:, None]  # m → n (the network gains E_n − E_m)
            flow_down = r_down * p[k + 1][None, :]  # n → m
            gross += float(np.sum((flow_up + flow_down) * np.abs(rates.omegas[k])))
            net = flow_up - flow_down
            j += float(np.sum(net * (energies[k + 1][None, :] - energies[k][:, None])))
            if bare is not None:
                jb += float(np.sum(net * (bare[k + 1][None, :] - bare[k][:, None])))
        currents[name] = j
        currents_bare[name] = jb
    return currents, (currents_bare if bare is not None else {}), gross


def pauli_current_vectors(rates, book: np.ndarray) -> dict[str, np.ndarray]:
    """c_α with J_α(t) = c_α · p(t), for eigen-energies ``book`` (concatenated over sectors) of the bookkeeping."""
    sizes = [len(e) for e in rates.energies]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out: dict[str, Any] = {}
    for name, blocks in zip(rates.names, rates.per_bath):
        c = np.zeros(int(starts[-1]))
        for k, (r_up, r_down) in enumerate(blocks):
            lo, mid, hi = starts[k], starts[k + 1], starts[k + 2]
            de = book[mid:hi][None, :] - book[lo:mid][:, None]  # energy gained going m (k) → n (k + 1)
            c[lo:mid] += np.sum(r_up * de, axis=1)
            c[mid:hi] -= np.sum(r_down * de, axis=0)
        out[name] = c
    return out


def first_law_error(de: np.ndarray, currents: dict) -> float:
    """max_t |d⟨H⟩/dt − Σ_α J_α(t)| relative to the largest current (transients, full bookkeeping)."""
    js = np.array(list(currents.values()))
    scale = max(float(np.max(np.abs(js))), 1e-300) if js.size else 1e-300
    total = js.sum(axis=0) if js.size else 0.0
    return float(np.max(np.abs(de - total))) / scale


# --------------------------------------------------------------------------
# heat flow through the couplings
# --------------------------------------------------------------------------


def fock_flows(gen, rho_gen: np.ndarray, rho_local: np.ndarray) -> tuple[dict, dict]:
    """(coupling currents {label: {node: J_{c→i}}}, node bath currents {node: J_bath(i)}) of a Fock generator.

    ``rho_gen`` is the state in the generator's basis, ``rho_local`` in the product basis of
    ``gen.space``. J_{c→i} = Re Tr[ρ i[H_c, H_i]]: H_i = ω_i n_i is diagonal (d), so
    (i[H_c, H_i])_ab = i (H_c)_ab (d_b − d_a). J_bath(i) = Re Tr[ρ Σ_α 𝓛_α^†(H_i)].
    """
    from ..physics.local import coupling_operator

    network, space = gen.network, gen.space
    freqs = network.frequencies
    couplings: dict[str, dict[str, float]] = {}
    for c in network.couplings:
        hc = coupling_operator(network, space, c).tocoo()
        per: dict[str, float] = {}
        for name in c.nodes:
            i = network.node_index(name)
            d = freqs[i] * space.states[:, i].astype(float)
            vals = 1j * hc.data * (d[hc.col] - d[hc.row])
            per[name] = float(np.real(np.sum(vals * rho_local[hc.col, hc.row])))
        couplings[c.label] = per
    # J_bath(i) = Re Tr[𝓓(ρ) H_i] with the dissipative part 𝓓(ρ) = Σ_k r_k (J ρ J† − ½{J†J, ρ}), formed once
    drho = gen.block_liouvillian().dissipated(rho_gen)
    diag = np.real(np.diagonal(gen.to_local(drho)))
    baths = {node.name: float(np.sum(diag * freqs[i] * space.states[:, i])) for i, node in enumerate(network.nodes)}
    return couplings, baths


def quadratic_coupling_currents(network, cov: np.ndarray) -> dict[str, dict[str, float]]:
    r"""J_{c→i} of a quadratic oscillator network from its covariance V (2N × 2N, order x_1, p_1, …).

    With H_A = ½ rᵀ A r, H_B = ½ rᵀ B r and [r_a, r_b] = i (Ω_J)_ab, [H_A, r] = −i Ω_J A r, so

    .. math:: i[H_A, H_B] = ½ rᵀ (B Ω_J A − A Ω_J B) r,

    a symmetric form whose mean is ½ Tr[(B Ω_J A − A Ω_J B) V] (the commutator part of ⟨r rᵀ⟩ is
    antisymmetric and drops out). Only the 2 × 2 blocks of V at the two nodes of c enter.
    """
    from ..physics.quadratic_xp import coupling_entries

    cov = np.asarray(cov, dtype=float)
    omega = np.array([[0.0, 1.0], [-1.0, 0.0]])
    out: dict[str, dict[str, float]] = {}
    for c in network.couplings:
        i, j, vij, wij = coupling_entries(network, c)
        # 4 × 4 blocks in the order (x_i, p_i, x_j, p_j)
        hc = np.zeros((4, 4))
        hc[0, 2] = hc[2, 0] = vij
        hc[1, 3] = hc[3, 1] = wij
        om = np.kron(np.eye(2), omega)
        idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
        blk = cov[np.ix_(idx, idx)]
        per = {}
        for k, name in ((0, c.nodes[0]), (1, c.nodes[1])):
            hn = np.zeros((4, 4))
            w_node = network.nodes[(i, j)[k]].frequency
            hn[2 * k, 2 * k] = hn[2 * k + 1, 2 * k + 1] = w_node
            kmat = hn @ om @ hc - hc @ om @ hn
            per[name] = float(0.5 * np.sum(kmat * blk))
        out[c.label] = per
    return out


def swap_coupling_currents(network, corr: np.ndarray) -> dict[str, dict[str, float]]:
    """J_{c→i} = 2 ε ω_i Im C_ij of swap couplings from C_ij = ⟨a_i† a_j⟩ (or ⟨c_i† c_j⟩ of XX chains).

    i[ε(a_i†a_j + a_j†a_i), ω_i n_i] = iεω_i(a_j†a_i − a_i†a_j), whose mean is iεω_i(C_ji − C_ij) =
    2εω_i Im C_ij (C Hermitian). For nearest neighbours of a Jordan–Wigner chain σ_i⁺σ_j⁻ = c_i†c_j.
    """
    out: dict[str, dict[str, float]] = {}
    for c in network.couplings:
        i, j = network.node_index(c.nodes[0]), network.node_index(c.nodes[1])
        wi, wj = network.nodes[i].frequency, network.nodes[j].frequency
        out[c.label] = {
            c.nodes[0]: float(2 * c.strength * wi * np.imag(corr[i, j])),
            c.nodes[1]: float(2 * c.strength * wj * np.imag(corr[j, i])),
        }
    return out


def local_node_bath_currents(network, populations) -> dict[str, float]:
    """J_bath(i) of the local approach: Σ_{α on i} ⟨𝓛_α^†(ω_i n_i)⟩ from the node populations ⟨n_i⟩.

    Oscillator: 𝓛_α^†(n) = A_α − (E_α − A_α) n; qubit: A_α − (E_α + A_α) n (E emission, A absorption
    at ω_i). The local dissipators of other nodes commute with n_i.
    """
    out = {n.name: 0.0 for n in network.nodes}
    for b in network.baths:
        i = network.node_index(b.node)
        node = network.nodes[i]
        w = node.frequency
        e = float(b.spectrum.emission(w, b.temperature))
        a = float(b.spectrum.absorption(w, b.temperature))
        n = float(populations[node.name])
        loss = (e - a) if node.kind == "oscillator" else (e + a)
        out[node.name] += w * (a - loss * n)
    return out


def rho_coupling_currents(network, space, rho: np.ndarray) -> dict[str, dict[str, float]]:
    """J_{c→i} = Re Tr[ρ i[H_c, H_i]] for a density matrix ``rho`` in the product basis of ``space``."""
    from ..physics.local import coupling_operator

    freqs = network.frequencies
    out: dict[str, dict[str, float]] = {}
    for c in network.couplings:
        hc = coupling_operator(network, space, c).tocoo()
        per = {}
        for name in c.nodes:
            i = network.node_index(name)
            d = freqs[i] * space.states[:, i].astype(float)
            per[name] = float(np.real(np.sum(1j * hc.data * (d[hc.col] - d[hc.row]) * rho[hc.col, hc.row])))
        out[c.label] = per
    return out


def steady_flows(network, approach: str, engine: str, out) -> tuple[dict | None, dict | None, str]:
    """(coupling currents, node bath currents, how they were obtained or why not) of a steady state.

    ``out`` is the engine's :class:`~qheatnet.engines.base.SteadyOutput`. Engines that compute the flows
    themselves (fock, the (x, p) Gaussian path) hand them over; otherwise they are evaluated here from
    what the engine returns: the covariance (quadratic oscillator networks, also the exact approach),
    the Jordan–Wigner correlation matrix (free fermions) or the density matrix (rate equation). The
    bath side J_bath(i) needs the dissipators: for the local approach it follows from the populations
    (:func:`local_node_bath_currents`); for the global approach only engines that have the generator
    provide it.
    """
    if out.coupling_currents is not None:
        return dict(out.coupling_currents), out.node_bath_currents, f"engine {engine!r} (from its steady state)"
    local_baths = None
    if approach == "local" and out.populations and all(np.isfinite(v) for v in out.populations.values()):
        local_baths = local_node_bath_currents(network, out.populations)
    if not network.couplings:
        return {}, local_baths, "the network has no couplings"
    cov = out.covariance
    if cov is not None and all(k == "oscillator" for k in network.kinds):
        from ..physics.quadratic_xp import quadratic_reason

        if quadratic_reason(network) is None and np.all(np.isfinite(cov)):
            baths = local_baths if approach == "local" else None
            return quadratic_coupling_currents(network, cov), baths, "from the covariance matrix"
    corr = out.correlation_matrix
    if engine == "free-fermion" and corr is not None and network.swap_only:
        return swap_coupling_currents(network, corr), local_baths, "from the Jordan–Wigner correlation matrix"
    if out.rho is not None and out.space is not None:
        return rho_coupling_currents(network, out.space, out.rho), local_baths, "from the density matrix"
    return None, None, f"not available: engine {engine!r} returned no state to evaluate them on"
