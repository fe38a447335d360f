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
    """(bath name → J_α, gross exchange) of a Fock-space generator ``gen`` at state ``rho`` (in ``gen``'s basis)."""
    h_book = gen.hamiltonian if bookkeeping == "full" else gen.bare_hamiltonian
    currents = {d.bath: expectation(current_operator(d.terms, h_book), rho) for d in gen.dissipators}
    gross = sum(abs(t.rate * t.omega) * expectation(t.op.conj().T @ t.op, rho) for t in gen.all_terms())
    return currents, float(gross)


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


def davies_quadratic_currents(gen, sol) -> tuple[np.ndarray, np.ndarray, float]:
    """(J full, J bare, gross exchange) per bath of the Davies steady state ``sol`` of ``gen``.

    ``sol`` is the :class:`~qheatnet.solvers.gaussian.GlobalSolution`: stationary mode occupations of
    non-degenerate modes and the correlation block of each group of degenerate modes.
    """
    omega, umat = gen.omega, gen.modes
    nb = len(gen.sites)
    w = umat[gen.sites, :] ** 2
    # currents and the gross exchange are homogeneous of degree 1 in the rates: evaluate them with the rates
    # scaled to O(1), so that products of two tiny rates (κ = 1e-300) do not underflow to an exact zero
    scale = float(np.max(gen.emission, initial=0.0)) or 1.0
    e_ak, a_ak = w * (gen.emission / scale), w * (gen.absorption / scale)
    gam = sol.gamma / scale
    h0_modes = np.einsum("ik,i,ik->k", umat, np.diag(gen.h), umat)  # (Uᵀ diag(ω_i) U)_kk
    sel, n_modes = sol.resolved, sol.n_modes
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
    h0 = np.diag(np.diag(gen.h))
    for idx, cg in sol.groups.items():
        idx = np.asarray(idx)
        ug = umat[:, idx]
        wg = float(np.mean(omega[idx]))
        vecs = umat[gen.sites][:, idx]
        h0g = ug.T @ h0 @ ug
        for a in range(nb):
            vv = np.outer(vecs[a], vecs[a])
            g_dn = gen.emission[a, idx[0]] / scale * vv
            g_up = gen.absorption[a, idx[0]] / scale * vv
            g_net = gen.net_damping[a, idx[0]] / scale * vv
            dca = g_up - 0.5 * (g_net @ cg + cg @ g_net)
            jf[a] += wg * float(np.trace(dca))
            jb[a] += float(np.sum(h0g * dca))
            gross += wg * float(np.sum(g_dn * cg) + np.sum(g_up * (np.eye(len(idx)) + cg)))
    return jf * scale, jb * scale, gross * scale


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
