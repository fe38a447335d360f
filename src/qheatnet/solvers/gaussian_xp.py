r"""Steady states of quadratic oscillator networks in the (x, p) form (dipole and other couplings).

Kernel of the Gaussian engine for networks that are quadratic but not number
conserving (:mod:`qheatnet.physics.quadratic_xp`); arrays in, arrays out.
ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network.

Local master equation
---------------------
With r = (x, p) (block order) and V_r = ½⟨{Δr, Δrᵀ}⟩, each bath α on site s
(jumps a_s at rate E_α, a_s† at rate A_α) contributes to

.. math:: \dot V_r = A V_r + V_r A^T + D,\qquad A = Ω_J 𝐇 − ½ Γ,\; D = Σ_α ½(E_α + A_α) P_s,

with 𝐇 = V ⊕ W, Ω_J = [[0, 1], [−1, 0]] ⊗ 1, Γ = Σ_α (E_α − A_α) P_s and P_s
the projector on (x_s, p_s). [A Lindblad operator L = μᵀr adds −Ω_J Im(μμ^H)
to the drift and Ω_J Re(μμ^H) Ω_Jᵀ to the diffusion; a_s = (x_s + ip_s)/√2
gives ½ damping of both quadratures; a single oscillator relaxes to
V = (n + ½)1 with n = A/(E − A).] The steady state solves the Lyapunov
equation A V_r + V_r Aᵀ + D = 0:

``dense``
    Bartels–Stewart (``scipy.linalg.solve_continuous_lyapunov``) on the 2N × 2N
    problem, after checking that every eigenvalue of A has Re λ < 0 (a mode
    decoupled from every bath has no unique steady state): O(N³), used up to
    XP_DENSE_MAX nodes and as the fallback.
``modes``
    In the normal-mode basis of H_S and complex amplitudes c = (b, b̄)
    (b = (Q + iP)/√2, x = MQ, p = 𝒩P) the undamped drift is diag(−iΩ, +iΩ) and
    the damping is a rank-2m matrix E + diag(δ) (m bath sites). Splitting off
    its diagonal, Λ = diag(∓iΩ) + δ, the equation
    (Λ + E) X + X (Λ + E)^H + D_c = 0 is solved by the fixed point

    .. math:: X ← −(D_c + E X + X E^H) ⊘ (Λ_i + \bar Λ_j),

    which converges geometrically when the bath-induced mixing of distinct
    modes is small compared with their spacing (weak damping: the regime of
    long chains). Each step costs O(N² m); the final residual of the Lyapunov
    equation is computed and checked, and the iteration falls back to
    ``dense`` (when N ≤ XP_FALLBACK_MAX) if it does not converge.

Heat currents are formed without the cancellation of the gross exchange:
at steady state the bare current of the baths of site s is minus the energy
that leaves s through its couplings, Σ_α J_α^bare = −Σ_c J_{c→s}, whose
coupling currents involve only the coherences V_r[s, j]; so
⟨n_s⟩ = (Σ_α A_α + Σ_c J_{c→s}/ω_s)/Σ_α(E_α − A_α), J_α^bare = ω_s(A_α − (E_α − A_α)⟨n_s⟩),
and J_α = J_α^bare + Σ_{c∋s} ⟨𝓛_α^†(H_c)⟩ with
⟨𝓛_α^†(H_c)⟩ = −½(E_α − A_α)[(V_c)_{sj} V_r(x_j, x_s) + (W_c)_{sj} V_r(p_j, p_s)].

Global (Davies) master equation
-------------------------------
The jumps M_sk b_k (rate E_α(Ω_k)) and M_sk b_k† (A_α(Ω_k)) act on the normal
modes; a non-degenerate mode relaxes on its own to n_k = Σ_α M_{s_α k}²A_αk /
Σ_α M_{s_α k}²(E_αk − A_αk); a group of degenerate modes keeps its
coherences, C_g solving ½{D_g, C_g} = Γ↑_g. Full-bookkeeping currents in the
pair form J_α = Σ_k Ω_k Σ_β w_αk w_βk(A_αk E_βk − A_βk E_αk)/γ_k (plus a trace
per group), as :func:`qheatnet.thermo.currents.davies_quadratic_currents`;
bare ones with the number-conserving part of H_0 in the mode basis,
(h_0)_kl = ½ Σ_i ω_i (M_ik M_il + 𝒩_ik 𝒩_il).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import config
from ..errors import ConvergenceError
from ..physics.davies import degenerate_groups
from .gaussian import GlobalSolution, group_correlation, single_mode_occupations

__all__ = [
    "LocalXPSolution",
    "local_steady_state_xp",
    "GlobalXPSolution",
    "global_steady_state_xp",
    "global_site_covariance",
    "global_node_bath_currents",
    "local_bath_currents",
    "global_currents_xp",
]


@dataclass(eq=False)
class LocalXPSolution:
    """Steady state of the local (x, p) equation.

    ``rows(idx)`` returns V_r[idx, :] (block order, indices into r = (x, p)); ``cov`` is the full V_r
    or None; ``method`` "dense" or "modes"; ``residual`` the relative Lyapunov residual;
    ``min_decay`` the slowest decay rate; ``iterations`` of the fixed point (0 for dense).
    """

    method: str
    residual: float
    min_decay: float
    iterations: int
    cov: np.ndarray | None
    _rows: object = None
    extra: dict = field(default_factory=dict)

    def rows(self, idx) -> np.ndarray:
        idx = np.asarray(idx, dtype=int)
        if self.cov is not None:
            return self.cov[idx, :]
        return self._rows(idx)  # type: ignore[operator]


def _site_rates(gen) -> tuple[np.ndarray, np.ndarray]:
    """Total net damping γ_s and diffusion ½Σ(E + A) per node."""
    n = gen.V.shape[0]
    gam = np.zeros(n)
    dif = np.zeros(n)
    for a, s in enumerate(gen.sites):
        gam[s] += gen.net_damping[a]
        dif[s] += 0.5 * (gen.emission[a] + gen.absorption[a])
    return gam, dif


def _dense(gen) -> tuple[np.ndarray, float, float]:
    import scipy.linalg as sla

    n = gen.V.shape[0]
    gam, dif = _site_rates(gen)
    a = np.zeros((2 * n, 2 * n))
    a[:n, n:] = gen.W
    a[n:, :n] = -gen.V
    a[np.arange(2 * n), np.arange(2 * n)] -= 0.5 * np.concatenate([gam, gam])
    d = np.diag(np.concatenate([dif, dif]))
    lam = np.linalg.eigvals(a)
    norm_a = float(np.max(np.sum(np.abs(a), axis=1)))
    slowest = float(-np.max(lam.real))
    if not slowest > config.XP_DECOUPLED_RTOL * norm_a:
        raise ConvergenceError(
            f"a normal mode of the network is decoupled from every bath (slowest decay rate {slowest:.3g}, "
            f"‖A‖ = {norm_a:.3g}): the steady state is not unique"
        )
    v = sla.solve_continuous_lyapunov(a, -d)
    v = 0.5 * (v + v.T)
    res = a @ v + v @ a.T + d
    rel = float(np.max(np.abs(res))) / (norm_a * max(float(np.max(np.abs(v))), 1e-300))
    return v, rel, slowest


def _modes_fixed_point(gen, modes):
    """The ``modes`` method (module docstring): returns (rows function, residual, slowest, iterations)."""
    n = gen.V.shape[0]
    m_mat, n_mat, omega = modes.M, modes.N, modes.omega
    gam, dif = _site_rates(gen)
    b = np.flatnonzero((gam != 0) | (dif != 0))
    m = len(b)
    s2 = 1.0 / np.sqrt(2.0)
    # A' = [[0, Ω], [−Ω, 0]] + L Rᵀ in mode coordinates (Q, P); c = F r', F = s2 [[1, i], [1, −i]]
    ell = np.zeros((2 * n, 2 * m))
    r = np.zeros((2 * n, 2 * m))
    ell[:n, :m] = -0.5 * n_mat[b].T * gam[b][None, :]
    r[:n, :m] = m_mat[b].T
    ell[n:, m:] = -0.5 * m_mat[b].T * gam[b][None, :]
    r[n:, m:] = n_mat[b].T

    def f_op(x):
        return np.vstack([(x[:n] + 1j * x[n:]) * s2, (x[:n] - 1j * x[n:]) * s2])

    lc, rc = f_op(ell), f_op(r)
    rch = rc.conj().T
    dpert = np.einsum("ij,ij->i", lc, rc.conj())
    lam = np.concatenate([-1j * omega, 1j * omega]) + dpert
    decay = -lam.real
    scale = float(np.max(decay)) if decay.size else 0.0
    # secular damping rates come from the bath amplitudes directly (exact however small); a mode damped below
    # DARK_RTOL of the largest (e.g. localised far from every bath) carries no current and its occupation is
    # not fixed in double precision: it is left out (vacuum in X) and the populations where it lives are NaN
    dark = ~(decay > max(config.DARK_RTOL * scale, np.finfo(float).tiny))
    if np.all(dark):
        raise ConvergenceError("no normal mode is coupled to a bath: the steady state is not unique")
    live = ~dark
    if np.any(dark):
        lc[dark] = 0.0
        rc[dark] = 0.0
        rch = rc.conj().T
        dpert[dark] = 0.0
        lam = np.where(dark, lam.real * 0 + 1.0 + 1j * lam.imag, lam)  # placeholder decay, entries fixed below
    live_decay = decay[live]
    yd = np.zeros((2 * n, 2 * m))
    yd[:n, :m] = n_mat[b].T * np.sqrt(dif[b])[None, :]
    yd[n:, m:] = m_mat[b].T * np.sqrt(dif[b])[None, :]
    ydc = f_op(yd)
    ydc[dark] = 0.0
    dc = ydc @ ydc.conj().T
    den = lam[:, None] + lam.conj()[None, :]
    x = -dc / den
    vac = np.flatnonzero(dark)

    def fix_dark(xm):
        if vac.size:
            xm[vac, :] = 0.0
            xm[:, vac] = 0.0
            xm[vac, vac] = 0.5  # vacuum: ½⟨{b, b†}⟩ = ½ (the occupation is unknown; no current depends on it)
        return xm

    x = fix_dark(x)
    change = np.inf
    it = 0
    growth = 0
    while it < config.XP_FIXED_POINT_MAXIT:
        it += 1
        ex = lc @ (rch @ x)
        ex -= dpert[:, None] * x
        rhs = ex + ex.conj().T
        rhs += dc
        new = fix_dark(-rhs / den)
        prev, change = change, float(np.max(np.abs(new - x))) / max(float(np.max(np.abs(new))), 1e-300)
        x = new
        growth = growth + 1 if change > prev else 0
        if change <= config.XP_FIXED_POINT_RTOL or growth >= 3:
            break
    # residual of the Lyapunov equation, relative to ‖A_c‖ ‖X‖
    ex = lc @ (rch @ x) - dpert[:, None] * x
    res = x * den + ex + ex.conj().T + dc
    if vac.size:
        res[vac, :] = 0.0
        res[:, vac] = 0.0
    norm = float(np.max(np.abs(lam))) + float(np.max(np.sum(np.abs(lc), axis=1)) * np.max(np.sum(np.abs(rc), axis=1)))
    rel = float(np.max(np.abs(res))) / (norm * max(float(np.max(np.abs(x))), 1e-300))
    if not (change <= config.XP_FIXED_POINT_RTOL and rel <= config.STEADY_STATE_RESIDUAL):
        raise ConvergenceError(
            f"the normal-mode fixed point did not converge ({it} iterations, last change {change:.1e}, residual "
            f"{rel:.1e}): the baths mix normal modes more strongly than their spacing"
        )
    # V' = Fᴴ X F in (Q, P) blocks, real
    x11, x12, x21, x22 = x[:n, :n], x[:n, n:], x[n:, :n], x[n:, n:]
    vqq = 0.5 * np.real(x11 + x21 + x12 + x22)
    vqp = 0.5 * np.real(1j * (x11 + x21 - x12 - x22))
    vpq = 0.5 * np.real(-1j * (x11 - x21 + x12 - x22))
    vpp = 0.5 * np.real(x11 - x21 - x12 + x22)
    del x, x11, x12, x21, x22, den, rhs, new, ex, res

    def rows(idx):
        """V_r[idx, :] with V_r = T V' Tᵀ, T = M ⊕ 𝒩."""
        out = np.empty((len(idx), 2 * n))
        for k, a in enumerate(idx):
            if a < n:
                t = m_mat[a]
                out[k, :n] = (t @ vqq) @ m_mat.T
                out[k, n:] = (t @ vqp) @ n_mat.T
            else:
                t = n_mat[a - n]
                out[k, :n] = (t @ vpq) @ m_mat.T
                out[k, n:] = (t @ vpp) @ n_mat.T
        return out

    def full():
        top = np.hstack([m_mat @ vqq @ m_mat.T, m_mat @ vqp @ n_mat.T])
        bot = np.hstack([n_mat @ vpq @ m_mat.T, n_mat @ vpp @ n_mat.T])
        v = np.vstack([top, bot])
        return 0.5 * (v + v.T)

    half = n
    dark_modes = np.flatnonzero(dark[:half] | dark[half:])
    weight = np.sum(m_mat[:, dark_modes] ** 2 + n_mat[:, dark_modes] ** 2, axis=1)
    return rows, full, rel, float(np.min(live_decay)), it, int(dark_modes.size), weight


def local_steady_state_xp(gen, *, method: str = "auto", full: bool | None = None) -> LocalXPSolution:
    """Steady state of the local (x, p) master equation of ``gen`` (:func:`qheatnet.physics.quadratic_xp.local_xp`).

    Parameters
    ----------
    method : "auto" (dense up to XP_DENSE_MAX nodes, else modes), "dense" or "modes"
    full : form the full covariance (O(N³)); None: when N ≤ XP_FULL_MAX
    """
    from ..physics.quadratic_xp import normal_modes_xp

    n = gen.V.shape[0]
    if full is None:
        full = n <= config.XP_FULL_MAX
    if method == "auto":
        method = "dense" if n <= config.XP_DENSE_MAX else "modes"
    if method == "modes":
        modes = normal_modes_xp(gen.V, gen.W)
        try:
            rows, full_fn, rel, slowest, it, n_dark, weight = _modes_fixed_point(gen, modes)
            cov = full_fn() if full else None
            extra = {"dark_modes": n_dark, "dark_weight": weight}
            return LocalXPSolution("modes", rel, slowest, it, cov, rows, extra)
        except ConvergenceError as exc:
            if n > config.XP_FALLBACK_MAX:
                raise ConvergenceError(
                    f"the local (x, p) steady state of {n} oscillators: {exc}; method='dense' solves it in O(N³)"
                ) from None
    v, rel, slowest = _dense(gen)
    if rel > config.STEADY_STATE_RESIDUAL:
        raise ConvergenceError(f"the (x, p) Lyapunov residual {rel:.1e} exceeds {config.STEADY_STATE_RESIDUAL:.0e}")
    return LocalXPSolution("dense", rel, slowest, 0, v)


def local_bath_currents(network, gen, sol: LocalXPSolution, bookkeeping: str):
    """(currents {bath: J_α}, bath-site populations {node index: ⟨n_s⟩}, gross exchange, coupling currents at
    bath sites) of the local (x, p) steady state, cancellation-free (module docstring)."""
    from ..physics.quadratic_xp import coupling_entries

    n = gen.V.shape[0]
    sites = sorted({int(s) for s in gen.sites})
    rows = sol.rows([s for s in sites] + [n + s for s in sites])
    pos = {s: k for k, s in enumerate(sites)}
    ns = len(sites)

    def vr(a_site: int, a_p: bool, b: int) -> float:
        return float(rows[pos[a_site] + (ns if a_p else 0), b])

    freqs = network.frequencies
    per_site_cc: dict[int, list[tuple[object, float, float]]] = {s: [] for s in sites}
    for c in network.couplings:
        i0, i1, vij, wij = coupling_entries(network, c)
        for s in (i0, i1):
            if s not in pos:
                continue
            j = i1 if s == i0 else i0
            # J_{c→s} = i⟨[H_c, H_s]⟩: i[H_c, x_s] = ∂H_c/∂p_s = (W_c)_sj p_j, i[H_c, p_s] = −(V_c)_sj x_j, so
            # i[H_c, ½ω_s(x_s² + p_s²)] has the mean ω_s [(W_c)_sj V(x_s, p_j) − (V_c)_sj V(p_s, x_j)]
            j_cs = freqs[s] * (wij * vr(s, False, n + j) - vij * vr(s, True, j))
            lind = -0.5 * (vij * vr(s, False, j) + wij * vr(s, True, n + j))  # ⟨𝓛†(H_c)⟩ / γ
            per_site_cc[s].append((c, j_cs, lind))
    gam, _ = _site_rates(gen)
    absorb = np.zeros(n)
    for a, s in enumerate(gen.sites):
        absorb[s] += gen.absorption[a]
    pops = {}
    for s in sites:
        inflow = sum(j for _, j, _ in per_site_cc[s])
        pops[s] = (absorb[s] + inflow / freqs[s]) / gam[s]
    currents = {}
    gross = 0.0
    for a, (name, s) in enumerate(zip(gen.names, gen.sites)):
        s = int(s)
        g_a = float(gen.net_damping[a])
        bare = freqs[s] * (gen.absorption[a] - g_a * pops[s])
        full = bare + g_a * sum(lind for _, _, lind in per_site_cc[s])
        currents[name] = float(bare if bookkeeping == "bare" else full)
        gross += freqs[s] * (gen.emission[a] * pops[s] + gen.absorption[a] * (pops[s] + 1))
    return currents, pops, float(gross)


#: The Davies steady state in the normal-mode basis of ½xᵀVx + ½pᵀWp: the same fields as the swap path's.
GlobalXPSolution = GlobalSolution


def _mode_weights(gen):
    return gen.modes.M[gen.sites, :] ** 2  # (B, N): |M_sk|², the bath amplitude on each mode


def global_steady_state_xp(gen) -> GlobalXPSolution:
    """Davies steady state of :func:`qheatnet.physics.quadratic_xp.global_xp` (module docstring)."""
    modes, labels = gen.modes, gen.labels
    omega, m_mat, n_mat = modes.omega, modes.M, modes.N
    sel, dark, gam, n_modes, resid = single_mode_occupations(
        _mode_weights(gen), gen.absorption, gen.net_damping, labels
    )
    wx, wp = m_mat**2, n_mat**2
    pops = 0.5 * ((wx + wp)[:, sel] @ (n_modes[sel] + 0.5)) - 0.5
    # modes not in sel (dark, or in groups) contribute their vacuum ½ here; groups add their occupation below
    pops += 0.25 * np.sum((wx + wp)[:, ~sel], axis=1)
    if np.any(dark):
        pops[np.sum(wx[:, dark] + wp[:, dark], axis=1) > config.DARK_WEIGHT] = np.nan
    groups = {}
    for idx in degenerate_groups(labels):
        cg, res = group_correlation(m_mat[gen.sites][:, idx], gen.net_damping, gen.absorption, idx, omega)
        groups[tuple(int(i) for i in idx)] = cg
        # ⟨n_i⟩ += ½ Σ_kl (M_ik M_il + 𝒩_ik 𝒩_il) Re C_kl
        mg, ng = m_mat[:, idx], n_mat[:, idx]
        pops += 0.5 * (np.einsum("ik,kl,il->i", mg, cg.real, mg) + np.einsum("ik,kl,il->i", ng, cg.real, ng))
        resid = max(resid, res)
    return GlobalXPSolution(n_modes, sel, gam, groups, pops, resid, int(np.sum(dark)))


def global_currents_xp(gen, sol: GlobalXPSolution) -> tuple[np.ndarray, np.ndarray, float]:
    """(J full, J bare, gross exchange) per bath of the Davies (x, p) steady state (module docstring)."""
    modes = gen.modes
    omega, m_mat, n_mat = modes.omega, modes.M, modes.N
    w = _mode_weights(gen)
    scale = float(np.max(gen.emission, initial=0.0)) or 1.0  # rates scaled to O(1) (no underflow of products)
    e_ak, a_ak = w * (gen.emission / scale), w * (gen.absorption / scale)
    gam = sol.gamma / scale
    freqs = np.asarray(gen.network.frequencies, dtype=float)
    h0_modes = 0.5 * (np.einsum("ik,i,ik->k", m_mat, freqs, m_mat) + np.einsum("ik,i,ik->k", n_mat, freqs, n_mat))
    from ..thermo.currents import add_group_currents, single_mode_currents

    jf, jb, gross = single_mode_currents(omega, h0_modes, e_ak, a_ak, gam, sol.resolved, sol.n_modes)
    for idx, cg in sol.groups.items():
        idx = np.asarray(idx)
        mg, ng = m_mat[:, idx], n_mat[:, idx]
        h0g = 0.5 * (mg.T @ (freqs[:, None] * mg) + ng.T @ (freqs[:, None] * ng))
        wg = float(np.mean(omega[idx]))
        gross = add_group_currents(jf, jb, gross, gen, idx, cg, m_mat[gen.sites][:, idx], h0g, wg, scale)
    return jf * scale, jb * scale, gross * scale


def global_site_covariance(gen, sol: GlobalXPSolution) -> np.ndarray:
    """The full covariance V (2N × 2N, interleaved x_1, p_1, …) of the Davies steady state (O(N³)).

    In the mode basis ⟨Q_kQ_l⟩ = ⟨P_kP_l⟩ = Re C_kl + ½δ_kl and ⟨{Q_k, P_l}⟩/2 = Im C_kl with
    C_kl = ⟨b_k†b_l⟩ (diagonal n_k outside degenerate groups); then V_xx = M S Mᵀ, V_pp = 𝒩 S 𝒩ᵀ,
    V_xp = M (Im C) 𝒩ᵀ.
    """
    modes = gen.modes
    m_mat, n_mat = modes.M, modes.N
    n = m_mat.shape[0]
    c = np.diag(np.nan_to_num(sol.n_modes, nan=0.0)).astype(complex)
    for idx, blk in sol.groups.items():
        c[np.ix_(idx, idx)] = blk
    s = c.real + 0.5 * np.eye(n)
    vxx = m_mat @ s @ m_mat.T
    vpp = n_mat @ s @ n_mat.T
    vxp = m_mat @ c.imag @ n_mat.T
    v = np.zeros((2 * n, 2 * n))
    v[0::2, 0::2] = 0.5 * (vxx + vxx.T)
    v[1::2, 1::2] = 0.5 * (vpp + vpp.T)
    v[0::2, 1::2] = vxp
    v[1::2, 0::2] = vxp.T
    unknown = np.isnan(sol.populations)
    if np.any(unknown):
        bad = np.repeat(unknown, 2)
        v[bad, :] = np.nan
        v[:, bad] = np.nan
    return v


def global_node_bath_currents(gen, sol: GlobalXPSolution) -> np.ndarray:
    """J_bath(i) = Σ_α ⟨𝓛_α^†(ω_i n_i)⟩ of the Davies steady state, for every node i.

    The number-conserving part of ω_i n_i in the mode basis is (h_i)_kl = ½ω_i(M_ik M_il + 𝒩_ik 𝒩_il) (its
    anomalous b b part has zero mean under the number-conserving Davies generator); the baths change
    C_kk at the rate Σ_α w_αk (A_αk − (E_αk − A_αk) n_k), and a group's block at Γ↑_g − ½{G_g, C_g}.
    """
    modes = gen.modes
    m_mat, n_mat = modes.M, modes.N
    freqs = np.asarray(gen.network.frequencies, dtype=float)
    w = _mode_weights(gen)
    sel = sol.resolved
    rate = np.zeros(len(modes.omega))
    rate[sel] = np.sum(w[:, sel] * (gen.absorption[:, sel] - gen.net_damping[:, sel] * sol.n_modes[sel]), axis=0)
    out = 0.5 * freqs * ((m_mat**2 + n_mat**2) @ rate)
    for idx, cg in sol.groups.items():
        idx = np.asarray(idx)
        vecs = m_mat[gen.sites][:, idx]
        dc = np.zeros((len(idx), len(idx)))
        for a in range(len(gen.sites)):
            vv = np.outer(vecs[a], vecs[a])
            g_up = gen.absorption[a, idx[0]] * vv
            g_net = gen.net_damping[a, idx[0]] * vv
            dc += np.real(g_up - 0.5 * (g_net @ cg + cg @ g_net))
        mg, ng = m_mat[:, idx], n_mat[:, idx]
        out += 0.5 * freqs * (np.einsum("ik,kl,il->i", mg, dc, mg) + np.einsum("ik,kl,il->i", ng, dc, ng))
    return out
