r"""Redfield and unified master equations of linear oscillator networks, at the level of second moments.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network. H_S = Σ_ij h_ij a_i† a_j
with h real symmetric positive definite; bath α couples through X_α = a_s + a_s† of its node s.
Normal modes: h = U diag(Ω) Uᵀ, d_k = Σ_i U_ik a_i, so X_α = Σ_k u_αk (d_k + d_k†), u_αk = U_sk. Both
generators are quadratic, so their steady states are Gaussian and are found without any Fock
cut-off. Bath functions at the mode frequencies (see :mod:`qheatnet.physics.redfield`):
G^±_k = G_α(±Ω_k) (Davies rates), damping J_k = G⁺_k − G⁻_k (= J(Ω_k) for spectra defined by a
spectral density), noise N_k = G⁺_k + G⁻_k = J_k coth(Ω_k/2T), and, if the Lamb shift is enabled,
Σ^±_k = S̃(Ω_k) ± S̃(−Ω_k).

Redfield (:func:`redfield_steady_state`)
-----------------------------------------
Λ_α = Σ_ω Γ(ω) X(ω) = Σ_k u_k [Γ(Ω_k) d_k + Γ(−Ω_k) d_k†] is linear in the quadratures. Redfield is not
number conserving (the secular approximation is what removes the d d and d†d† terms), so it is
solved for the symmetrised covariance V_ab = ½⟨{r_a, r_b}⟩ of the mode quadratures
r = (x̃, p̃), x̃_k = (d_k + d_k†)/√2, p̃_k = i(d_k† − d_k)/√2, [r_a, r_b] = i J_ab,
J = [[0, 1], [−1, 0]]. For linear X = xᵀr and Λ = lᵀr the adjoint dissipator
𝓛†(O) = [X, O]Λ + Λ†[O, X] gives, with [X, r_a] = −i(Jx)_a =: −i v_a and ⟨r_b r_c⟩ = V_bc + ½ iJ_bc,

.. math::
    𝓛^†(r_a r_b) = v_a Σ_c (2\,\mathrm{Im}\,l_c\, r_b r_c + \bar l_c J_{bc}) + (a ↔ b)
    \;⟹\; \dot V = A V + V A^T + D,\quad
    A = JH_m + 2Σ_α v_α m_α^T,\quad D = Σ_α (v_α q_α^T + q_α v_α^T),

with H_m = diag(Ω, Ω) (H_S = ½ rᵀH_m r + const), m = Im l and q = J Re l. Here x_α = (√2 u_α, 0),
v_α = (0, −√2 u_α), l^x = u(Γ⁺ + Γ⁻)/√2, l^p = i u(Γ⁺ − Γ⁻)/√2, which gives

.. math::
    A = \begin{pmatrix} 0 & Ω \\ −Ω − 2Σ_α u_α (Σ^+_α∘u_α)^T & −Σ_α u_α (J_α∘u_α)^T \end{pmatrix},\quad
    D = Σ_α (P_α R_α^T + R_α P_α^T),\; P_α = (0, u_α),\; R_α = (Σ^-_α∘u_α,\ ½ N_α∘u_α).

The bath acts as friction on p̃ through the matrix function J(h) (Redfield's memory of the bath
spectrum across the normal modes) and as noise of rank two per bath, which is not positive
semi-definite: the source of Redfield's non-positivity. A single oscillator relaxes to the Gibbs
state (V = (n + ½)·1 solves A V + V Aᵀ + D = 0). The heat current
J_α = Tr[ρ 𝓛_α†(H_S)], with [X, H_S] = −i(H_m v)ᵀ r, is

.. math:: J_α = 2 w_α^T V m_α + w_α^T q_α
              = ½ Σ_k Ω_k N_{αk} u_{αk}^2 − 2 a_α^T V b_α,\quad
              a_α = (0, Ω∘u_α),\; b_α = (Σ^+_α∘u_α,\ ½ J_α∘u_α).

Solution: A is J H_m (eigenvalues ∓iΩ_k) plus a perturbation of rank B (number of baths),
A = A₀ + Σ_α P_α Q_αᵀ with Q_α = −2 b_α. In the complex mode basis c = T r = (d, d†), A₀ is
diagonal and the eigenvalues of A solve the deflated secular equation
μ = P_jᵀ(1 + M_j(λ))⁻¹ Q_j, M_j(λ) = Σ_{k≠j} Q_k P_kᵀ/(δ_k − λ), λ = δ_j + μ, followed from μ = 0 by a
homotopy in the bath coupling (O(n²B²) per Newton step, n = 2N); eigenvectors are explicit
(right v_k = −P_k·z/(δ_k − λ), z = (1 + M_j)⁻¹Q_j; left with P ↔ Q). With A = R Λ R⁻¹,
V = R Y Rᵀ, Y_jl = −(R⁻¹ D R⁻ᵀ)_jl/(λ_j + λ_l), and every bilinear form aᵀVb needed for the currents is
a Cauchy sum Σ_jl x_j y_l/(λ_j + λ_l), O(n²). The decomposition is verified (trace identities of
A and A², eigen-residuals); on failure, or for small networks, the dense eigen-decomposition is
used. Refused (ModelError): a drift with an eigenvalue Re λ ≥ 0 (Redfield can be unstable at strong
coupling or when the Lamb shift makes a mode frequency negative); a normal mode not coupled to any
bath (no unique steady state).

Unified (:func:`unified_steady_state`)
---------------------------------------
The normal-mode frequencies are clustered with the rule of :func:`qheatnet.physics.unified.
cluster_frequencies` (a mode's dissipation rate is r_αk = N_αk u_αk²); each cluster K gets the
modified frequency Ω̃_K (the mean of its Ω_k), H̃ = Σ_k Ω̃_{K(k)} d_k†d_k, and per bath one loss jump
L_αK = Σ_{k∈K} u_αk √(J_αk/(1 − e^{−Ω̃_K/T_α})) d_k with its detailed-balance partner
e^{−Ω̃_K/2T_α} L_αK† (see :mod:`qheatnet.physics.unified` for why these weights). Both are number
conserving, so the steady state is the correlation matrix C_kl = ⟨d_k†d_l⟩ of
:mod:`qheatnet.solvers.gaussian`, here block diagonal over the clusters: with w_αK = (u_αk √J_αk)_{k∈K},
Δ_α = w wᵀ and n_αK = n(Ω̃_K, T_α) (Bose),

.. math:: Z_K C_K + C_K Z_K^† = Σ_α n_{αK} Δ_α,\qquad Z_K = ½ Σ_α Δ_α − iΩ_K .

C_K = Σ_β n_β X^β with Z X^β + X^β Z† = Δ_β and Σ_β X^β = 1, so the currents take a Landauer pair
form free of cancellation: J̃_α = Σ_K Ω̃_K Σ_β (n_αK − n_βK) T^K_αβ (consistent bookkeeping, w.r.t. H̃),
J_α = Σ_K Σ_β (n_αK − n_βK) Re Tr(Ω_K Δ_α X^β) (w.r.t. H_S), with
T_αβ = Tr(Δ_α X^β) = ∫_0^∞ |w_αᵀ e^{−Zt} w_β|² dt = T_βα ≥ 0 (Z is complex symmetric). Since n(Ω̃, T) grows
with T, every pair contributes (n_α − n_β)(1/T_β − 1/T_α)·Ω̃ T_αβ ≥ 0 to σ̃ = −Σ_α J̃_α/T_α: the second
law holds cluster by cluster, exactly. Singleton clusters reproduce the global (Davies) formulas of
:func:`qheatnet.solvers.gaussian.global_steady_state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from ..errors import ConvergenceError, ModelError
from ..model.spectra import Spectrum, bose
from .redfield import lamb_shift as _lamb_shift
from .unified import CLUSTER_GAP_RATIO, CLUSTER_SPREAD_RATIO, cluster_frequencies

__all__ = [
    "DENSE_MAX",
    "POPULATIONS_MAX",
    "EIG_RTOL",
    "BathTable",
    "bath_table",
    "RedfieldGaussian",
    "redfield_steady_state",
    "redfield_drift",
    "UnifiedGaussian",
    "unified_steady_state",
    "covariance_lowest_eigenvalue",
]

#: Largest number of modes for which the dense O(N³) eigen-decomposition of the Redfield drift is used
#: by default. The normal-mode path is already faster there (measured, uniform chain: 2 ms against 5 ms
#: at N = 40, 0.06 s against 0.34 s at N = 300), but the dense one has no convergence failure near
#: (exceptional) degeneracies, which small symmetric networks tend to have; it is also the fallback when
#: the normal-mode checks fail, up to 10 × DENSE_MAX modes.
DENSE_MAX = 40
#: Largest N for which :func:`redfield_steady_state` forms every population (and, on request, the full
#: covariance) by default: V = R Y Rᵀ costs O(N³) after the O(N²) currents. Measured (uniform chain,
#: one BLAS thread): 0.17 s at N = 300, 1.1 s at N = 600; larger networks get the bath sites only.
POPULATIONS_MAX = 600
#: The eigen-decomposition of the drift is accepted when the relative eigen-residual and the trace
#: identities hold to this.
EIG_RTOL = 1e-9
#: Rows of the work arrays processed at once (memory CHUNK · 2N · 16 B).
CHUNK = 256


# ---------------------------------------------------------------------------
# bath functions at the normal-mode frequencies
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BathTable:
    """Bath functions of every bath (rows) at every mode frequency (columns): see the module docstring."""

    g_plus: np.ndarray
    g_minus: np.ndarray
    damping: np.ndarray
    noise: np.ndarray
    sigma_plus: np.ndarray
    sigma_minus: np.ndarray


def _damping(spectrum: Spectrum, omega, temperature):
    """G(ω)(1 − e^{−ω/T}) without cancellation (T = 0 allowed)."""
    omega = np.asarray(omega, float)
    with np.errstate(divide="ignore"):
        x = np.where(temperature > 0, omega / max(temperature, 1e-300), np.inf)
    return spectrum.bohr_rate(omega, temperature) * -np.expm1(-x)


def bath_table(omega, spectra, temperatures, *, lamb_shift: bool = False) -> BathTable:
    """G(±Ω), damping, noise and Lamb-shift combinations Σ^± for each bath at the frequencies ``omega``."""
    omega = np.asarray(omega, float)
    gp = np.array([s.bohr_rate(omega, t) for s, t in zip(spectra, temperatures)])
    gm = np.array([s.bohr_rate(-omega, t) for s, t in zip(spectra, temperatures)])
    dm = np.array([_damping(s, omega, t) for s, t in zip(spectra, temperatures)])
    if lamb_shift:
        sp_ = np.array([_lamb_shift(s, t, omega) for s, t in zip(spectra, temperatures)])
        sm_ = np.array([_lamb_shift(s, t, -omega) for s, t in zip(spectra, temperatures)])
        splus, sminus = sp_ + sm_, sp_ - sm_
    else:
        splus = sminus = np.zeros_like(gp)
    return BathTable(gp, gm, dm, gp + gm, splus, sminus)


def _modes(h):
    h = np.asarray(h, float)
    n = h.shape[0]
    if n > 2 and not np.any(np.triu(h, 2)):
        omega, u = sla.eigh_tridiagonal(np.diag(h).copy(), np.diag(h, 1).copy())
    else:
        omega, u = np.linalg.eigh(h)
    if omega[0] <= 0:
        raise ModelError(
            f"the oscillator network has no ground state (lowest normal-mode frequency {omega[0]:.6g} ≤ 0)"
        )
    return omega, u


# ---------------------------------------------------------------------------
# Redfield
# ---------------------------------------------------------------------------


def redfield_drift(omega, amps, table: BathTable):
    """(A, D): drift and noise of the Redfield covariance equation in mode quadratures (x̃, p̃), dense.

    ``amps`` is (B, N), u_αk. Used by the dense path and as a test oracle.
    """
    n = len(omega)
    a = np.zeros((2 * n, 2 * n))
    a[:n, n:] = np.diag(omega)
    a[n:, :n] = -np.diag(omega)
    d = np.zeros((2 * n, 2 * n))
    for al in range(amps.shape[0]):
        u = amps[al]
        a[n:, :n] -= 2 * np.outer(u, table.sigma_plus[al] * u)
        a[n:, n:] -= np.outer(u, table.damping[al] * u)
        p = np.concatenate([np.zeros(n), u])
        r = np.concatenate([table.sigma_minus[al] * u, 0.5 * table.noise[al] * u])
        d += np.outer(p, r) + np.outer(r, p)
    return a, d


@dataclass
class _Eig:
    lam: np.ndarray  # (n,) eigenvalues of A
    right: np.ndarray  # (n, n) R in the real quadrature basis r = (x̃, p̃)
    left: np.ndarray  # (n, n) R⁻¹
    method: str
    residual: float


def _eig_dense(a) -> _Eig:
    lam, r = sla.eig(a, check_finite=False)
    try:
        w = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        raise ConvergenceError("the Redfield drift matrix is defective") from None
    res = float(np.linalg.norm(a @ r - r * lam) / (np.linalg.norm(a) * np.linalg.norm(r)))
    return _Eig(lam, r, w, "dense", res)


def _secular_eval(lam_j, rows, delta, pc, qc, qp):
    """For roots ``rows`` at λ_j: M_j, M'_j (deflated, k ≠ j) as (len, B, B)."""
    b = pc.shape[1]
    e = delta[None, :] - lam_j[:, None]
    e[np.arange(len(rows)), rows] = 1.0
    e = 1.0 / e
    e[np.arange(len(rows)), rows] = 0.0
    m = (e @ qp).reshape(len(rows), b, b)
    mp = ((e * e) @ qp).reshape(len(rows), b, b)
    return e, m, mp


def _eig_secular(omega, pc, qc) -> _Eig:
    """Eigen-decomposition of A_c = diag(δ) + t·P Qᵀ (t: 0 → 1), roots near δ_j = −iΩ_j; the rest by symmetry."""
    n_modes = len(omega)
    n = 2 * n_modes
    delta = np.concatenate([-1j * omega, 1j * omega])
    b = pc.shape[1]
    qp = (qc[:, :, None] * pc[:, None, :]).reshape(n, b * b)  # Q_k P_kᵀ
    eye = np.eye(b)
    half = np.arange(n_modes)
    scale = float(np.max(np.abs(pc))) * float(np.max(np.abs(qc))) * b

    def solve_roots(mu0, t, rows):
        mu = mu0.copy()
        for _ in range(40):
            lam = delta[rows] + mu
            _, m, mp = _secular_eval(lam, rows, delta, pc, qc, qp)
            mat = eye[None] + t * m
            z = np.linalg.solve(mat, qc[rows][..., None])[..., 0]  # (1 + tM)⁻¹ Q_j
            y = np.linalg.solve(np.swapaxes(mat, 1, 2), pc[rows][..., None])[..., 0]  # (1 + tMᵀ)⁻¹ P_j
            g = t * np.einsum("jb,jb->j", pc[rows], z)
            gp = t * t * np.einsum("jb,jbc,jc->j", y, mp, z)
            f = mu - g
            step = f / (1.0 + gp)
            mu = mu - step
            if np.all(np.abs(step) <= 4 * np.finfo(float).eps * (np.abs(mu) + np.abs(delta[rows]))):
                return mu, True
        return mu, False

    mu = np.zeros(n_modes, complex)
    t0, dt = 0.0, 1.0
    steps = 0
    while t0 < 1.0:
        t1 = min(1.0, t0 + dt)
        guess = mu * (t1 / t0) if t0 > 0 else mu
        new = np.empty_like(mu)
        ok = True
        for c in range(0, n_modes, CHUNK):
            rows = half[c : c + CHUNK]
            new[rows], good = solve_roots(guess[rows], t1, rows)
            ok &= good
        steps += 1
        lam_half = delta[half] + new
        distinct = np.min(np.abs(np.diff(np.sort_complex(lam_half)))) > 1e-13 * scale if n_modes > 1 else True
        # trace identity Σ_all λ = Σ δ + t tr(P Qᵀ): the roots come in conjugate pairs, so 2 Re Σ_half μ
        trace_ok = abs(2 * np.sum(new.real) - t1 * np.sum(qc * pc).real) <= 1e-8 * max(scale, 1e-300) * n_modes
        if ok and distinct and trace_ok:
            mu, t0 = new, t1
            dt = min(2 * dt, 1.0)
        else:
            dt /= 4
            if dt < 1e-4 or steps > 200:
                raise ConvergenceError("the secular-equation homotopy for the Redfield drift did not converge")
    lam_half = delta[half] + mu
    # eigenvectors in the complex basis
    vr = np.empty((n, n_modes), complex)
    vl = np.empty((n_modes, n), complex)
    for c in range(0, n_modes, CHUNK):
        rows = half[c : c + CHUNK]
        e, m, mp = _secular_eval(lam_half[rows], rows, delta, pc, qc, qp)
        mat = eye[None] + m
        z = np.linalg.solve(mat, qc[rows][..., None])[..., 0]
        y = np.linalg.solve(np.swapaxes(mat, 1, 2), pc[rows][..., None])[..., 0]
        right = -(z @ pc.T) * e  # (rows, n): component k of eigenvector j
        right[np.arange(len(rows)), rows] = 1.0
        left = -(y @ qc.T) * e
        left[np.arange(len(rows)), rows] = 1.0
        norm = 1.0 + np.einsum("jb,jbc,jc->j", y, mp, z)
        vr[:, rows] = right.T
        vl[rows, :] = left / norm[:, None]
    # partners λ̄ (A is real): v' = swap(v̄)
    swap = np.concatenate([np.arange(n_modes, n), np.arange(n_modes)])
    vr_all = np.concatenate([vr, np.conj(vr[swap, :])], axis=1)
    vl_all = np.concatenate([vl, np.conj(vl[:, swap])], axis=0)
    lam = np.concatenate([lam_half, np.conj(lam_half)])
    # checks: eigen-residual with A_c = diag(δ) + P Qᵀ, biorthonormality on the diagonal, trace of A_c²
    av = delta[:, None] * vr_all + pc @ (qc.T @ vr_all) - vr_all * lam[None, :]
    res = float(np.max(np.linalg.norm(av, axis=0) / np.linalg.norm(vr_all, axis=0))) / max(
        1.0, float(np.max(np.abs(lam)))
    )
    diag = np.einsum("jk,kj->j", vl_all, vr_all)
    res = max(res, float(np.max(np.abs(diag - 1.0))))
    tr2 = np.sum(delta**2) + 2 * np.sum(delta[:, None] * pc * qc) + np.sum((qc.T @ pc) * (qc.T @ pc).T)
    res = max(res, float(abs(np.sum(lam**2) - tr2) / max(abs(tr2), 1e-300)))
    # back to the real quadrature basis: c = T r, T = [[1, i], [1, −i]]/√2 per mode
    s2 = 1 / np.sqrt(2)
    tinv_v = np.empty_like(vr_all)  # r-components = T⁻¹ c = T† c
    tinv_v[:n_modes] = s2 * (vr_all[:n_modes] + vr_all[n_modes:])
    tinv_v[n_modes:] = s2 * (-1j * vr_all[:n_modes] + 1j * vr_all[n_modes:])
    wl = np.empty_like(vl_all)  # rows of R⁻¹ in r: w_r = w_c T
    wl[:, :n_modes] = s2 * (vl_all[:, :n_modes] + vl_all[:, n_modes:])
    wl[:, n_modes:] = s2 * (1j * vl_all[:, :n_modes] - 1j * vl_all[:, n_modes:])
    return _Eig(lam, tinv_v, wl, "modes", res)


def _complex_perturbation(p, q):
    """P, Q (real, (2N, B)) of A = A₀ + P Qᵀ in the complex basis c = T r: P_c = T P, Q_c = T⁻ᵀ Q."""
    n = p.shape[0] // 2
    s2 = 1 / np.sqrt(2)
    pc = np.concatenate([s2 * (p[:n] + 1j * p[n:]), s2 * (p[:n] - 1j * p[n:])])
    qc = np.concatenate([s2 * (q[:n] - 1j * q[n:]), s2 * (q[:n] + 1j * q[n:])])
    return pc, qc


def _cauchy(lam, x, y):
    """Σ_jl x_j y_l / (λ_j + λ_l), chunked (x, y of shape (n,) or (n, k) summed columnwise pairwise)."""
    n = len(lam)
    tot = 0j
    for c in range(0, n, 4 * CHUNK):
        rows = slice(c, min(n, c + 4 * CHUNK))
        k = 1.0 / (lam[rows, None] + lam[None, :])
        tot += x[rows] @ (k @ y)
    return tot


@dataclass
class RedfieldGaussian:
    """Steady state of the Redfield equation of an oscillator network (second moments, no cut-off).

    Attributes
    ----------
    currents : (B,) heat currents J_α (w.r.t. H_S; Σ_α J_α = 0 up to round-off)
    gross : Σ_α ½ Σ_k Ω_k N_αk u_αk², the gross energy exchange scale (for the current resolution)
    site_populations : (N,) ⟨a_i† a_i⟩ (NaN where not computed: see ``populations``)
    covariance : (2N, 2N) symmetrised covariance of (x_1, p_1, x_2, p_2, …) (site quadratures) or None
    eigenvalues : (2N,) eigenvalues of the drift A
    min_decay : min_j −Re λ_j (> 0: stable)
    method : "dense" or "modes"
    residual : relative residual of the eigen-decomposition / Lyapunov equation
    lowest_eigenvalue : lowest eigenvalue of V + iJ/2 (≥ 0 for a physical Gaussian state) or None
    """

    currents: np.ndarray
    gross: float
    site_populations: np.ndarray
    covariance: np.ndarray | None
    eigenvalues: np.ndarray
    min_decay: float
    method: str
    residual: float
    lowest_eigenvalue: float | None = None
    extra: dict = field(default_factory=dict)


def _site_order(v_modes, u):
    """Mode covariance (x̃, p̃ blocks) → site covariance in the order (x_1, p_1, x_2, p_2, …)."""
    n = u.shape[0]
    t = np.zeros((2 * n, 2 * n))
    t[:n, :n] = u
    t[n:, n:] = u
    vs = t @ v_modes @ t.T
    out = np.empty_like(vs)
    idx = np.empty(2 * n, int)
    idx[0::2] = np.arange(n)
    idx[1::2] = np.arange(n, 2 * n)
    out[:] = vs[np.ix_(idx, idx)]
    return out


def covariance_lowest_eigenvalue(cov) -> float:
    """Lowest eigenvalue of V + iJ/2 for a covariance in the order (x_1, p_1, …): < 0 ⇔ not a quantum state."""
    n2 = cov.shape[0]
    j = np.zeros((n2, n2))
    j[0::2, 1::2] = np.eye(n2 // 2)
    j[1::2, 0::2] = -np.eye(n2 // 2)
    return float(np.linalg.eigvalsh(cov + 0.5j * j)[0])


def redfield_steady_state(
    h,
    bath_sites,
    spectra,
    temperatures,
    *,
    lamb_shift: bool = False,
    method: str = "auto",
    populations: str = "auto",
    covariance: bool | None = None,
) -> RedfieldGaussian:
    """Redfield steady state of the oscillator network H_S = Σ h_ij a_i†a_j (see the module docstring).

    Parameters
    ----------
    h : (N, N) real symmetric positive-definite single-particle matrix
    bath_sites : (B,) node index of each bath
    spectra, temperatures : per bath
    lamb_shift : include the renormalised Lamb shift (ohmic and drude_lorentz only)
    method : "auto" (dense for N ≤ DENSE_MAX), "dense" or "modes"
    populations : "auto" (all while N ≤ POPULATIONS_MAX, else bath sites only), "all", "baths"
    covariance : form the full 2N × 2N covariance (default: N ≤ POPULATIONS_MAX)

    Returns
    -------
    RedfieldGaussian

    Raises
    ------
    ModelError : no ground state, unstable drift (Re λ ≥ 0), or a mode decoupled from every bath
    ConvergenceError : the eigen-decomposition failed its checks
    """
    h = np.asarray(h, float)
    n = h.shape[0]
    sites = np.asarray(bath_sites, int)
    omega, u = _modes(h)
    amps = u[sites, :]  # (B, N)
    table = bath_table(omega, spectra, temperatures, lamb_shift=lamb_shift)
    nb = len(sites)
    if method == "auto":
        method = "dense" if n <= DENSE_MAX else "modes"
    if populations not in ("auto", "all", "baths"):
        raise ValueError(f"populations must be 'auto', 'all' or 'baths', got {populations!r}")
    want_all = {"auto": n <= POPULATIONS_MAX, "all": True, "baths": False}[populations]
    if covariance is None:
        covariance = n <= POPULATIONS_MAX
    coupled = np.max(np.abs(amps), axis=0) * np.sqrt(np.max(np.abs(table.damping), axis=0))
    if np.any(coupled <= 1e-13 * np.max(coupled)):
        k = int(np.argmin(coupled))
        raise ModelError(
            f"normal mode {k} (ω = {omega[k]:.6g}) is not coupled to any bath: the Redfield steady state is not unique"
        )
    # drift A = A₀ + Σ P_α Q_αᵀ, noise D = Σ (P_α R_αᵀ + R_α P_αᵀ)
    p = np.zeros((2 * n, nb))
    q = np.zeros((2 * n, nb))
    r = np.zeros((2 * n, nb))
    for al in range(nb):
        ua = amps[al]
        p[n:, al] = ua
        q[:n, al] = -2 * table.sigma_plus[al] * ua
        q[n:, al] = -table.damping[al] * ua
        r[:n, al] = table.sigma_minus[al] * ua
        r[n:, al] = 0.5 * table.noise[al] * ua
    eig = None
    if method == "modes":
        try:
            pc, qc = _complex_perturbation(p, q)
            eig = _eig_secular(omega, pc, qc)
            if not eig.residual <= EIG_RTOL:
                raise ConvergenceError(f"eigen-decomposition residual {eig.residual:.1e}")
        except ConvergenceError:
            if n > 10 * DENSE_MAX:
                raise
            eig = None
    if eig is None:
        a_full = np.zeros((2 * n, 2 * n))
        a_full[:n, n:] = np.diag(omega)
        a_full[n:, :n] = -np.diag(omega)
        a_full += p @ q.T
        eig = _eig_dense(a_full)
    lam = eig.lam
    max_re = float(np.max(lam.real))
    if not max_re < 0:
        raise ModelError(
            f"the Redfield drift is unstable (an eigenvalue has Re λ = {max_re:.3g} ≥ 0): the Redfield equation has "
            "no steady state here (strong coupling or a Lamb shift larger than a mode frequency); use 'unified'"
        )
    # projections needed for V = R Y Rᵀ, Y_jl = −Σ_α (p̂_αj r̂_αl + r̂_αj p̂_αl)/(λ_j + λ_l)
    ph = eig.left @ p  # (n2, B)
    rh = eig.left @ r
    rt = eig.right.T  # (n2, n2): â = Rᵀ a

    def form(a_vec, b_vec):
        ah = rt @ a_vec
        bh = rt @ b_vec
        tot = 0j
        for be in range(nb):
            tot += _cauchy(lam, ah * ph[:, be], bh * rh[:, be]) + _cauchy(lam, ah * rh[:, be], bh * ph[:, be])
        return -tot

    currents = np.empty(nb)
    gross = 0.0
    imag = 0.0
    for al in range(nb):
        a_vec = np.concatenate([np.zeros(n), omega * amps[al]])
        b_vec = -0.5 * q[:, al]
        val = form(a_vec, b_vec)
        base = 0.5 * float(np.sum(omega * table.noise[al] * amps[al] ** 2))
        currents[al] = base - 2 * val.real
        gross += base
        imag = max(imag, abs(val.imag) / max(abs(val), 1e-300))
    pops = np.full(n, np.nan)
    cov = None
    low = None
    if covariance or want_all:
        # V = R Y Rᵀ in the mode quadratures, then to sites
        kmat = 1.0 / (lam[:, None] + lam[None, :])
        y = -(ph @ rh.T + rh @ ph.T) * kmat
        v = eig.right @ y @ eig.right.T
        imag = max(imag, float(np.max(np.abs(v.imag)) / np.max(np.abs(v))))
        v = 0.5 * (v.real + v.real.T)
        cov = _site_order(v, u)
        pops = 0.5 * (np.diag(cov)[0::2] + np.diag(cov)[1::2]) - 0.5
        low = covariance_lowest_eigenvalue(cov)
        if not covariance:
            cov = None
    else:
        for s in np.unique(sites):
            xs = np.concatenate([u[s], np.zeros(n)])
            ps = np.concatenate([np.zeros(n), u[s]])
            pops[s] = 0.5 * (form(xs, xs).real + form(ps, ps).real) - 0.5
    return RedfieldGaussian(
        currents,
        gross,
        pops,
        cov,
        lam,
        float(-max_re),
        eig.method,
        max(eig.residual, imag),
        low,
        {"modes": omega},
    )


# ---------------------------------------------------------------------------
# unified
# ---------------------------------------------------------------------------


@dataclass
class UnifiedGaussian:
    """Steady state of the unified master equation of an oscillator network (see the module docstring).

    Attributes
    ----------
    currents : (B,) heat currents w.r.t. H_S (Σ_α J_α = 0 up to round-off)
    currents_consistent : (B,) heat currents w.r.t. H̃ = Σ_k Ω̃_k d_k†d_k (σ̃ = −Σ J̃_α/T_α ≥ 0 exactly)
    site_populations : (N,) ⟨a_i† a_i⟩
    mode_frequencies, modified_frequencies : (N,) Ω_k and Ω̃_k
    clusters : list of arrays of mode indices (each cluster shares one jump operator per bath)
    correlation_blocks : {cluster index: C_K = ⟨d_k† d_l⟩ block}
    gross : Σ_α Σ_k Ω̃_k (emission + absorption fluxes), the gross exchange scale
    exchange_scale : Σ_α Σ_k Ω̃_k (emission + absorption rate per quantum): × round-off, the floor of the
        current resolution where the gross exchange is itself tiny (T = 0)
    residual : largest relative residual of the per-cluster Lyapunov equations
    cluster_info : what the clustering did (threshold, splits; see cluster_frequencies)
    modes : (N, N) U with h = U diag(Ω) Uᵀ (columns: normal modes)
    """

    currents: np.ndarray
    currents_consistent: np.ndarray
    site_populations: np.ndarray
    mode_frequencies: np.ndarray
    modified_frequencies: np.ndarray
    clusters: list
    correlation_blocks: dict
    gross: float
    exchange_scale: float
    residual: float
    cluster_info: dict
    modes: np.ndarray | None = None

    def correlation_matrix(self) -> np.ndarray:
        """C_ij = ⟨a_i† a_j⟩ in the site basis, Σ_K U_K C_K U_Kᵀ (O(N Σ_K |K|²)). The state is number
        conserving, so :func:`qheatnet.thermo.covariance.covariance_from_correlation` gives the covariance."""
        n = len(self.mode_frequencies)
        out = np.zeros((n, n), complex)
        assert self.modes is not None
        for c, idx in enumerate(self.clusters):
            ug = self.modes[:, idx]
            out += ug @ self.correlation_blocks[c] @ ug.T
        return out


def unified_steady_state(
    h,
    bath_sites,
    spectra,
    temperatures,
    *,
    gap_ratio: float = CLUSTER_GAP_RATIO,
    spread_ratio: float = CLUSTER_SPREAD_RATIO,
    gap: float | None = None,
) -> UnifiedGaussian:
    """Unified (partial-secular, thermodynamically consistent) steady state of an oscillator network.

    Parameters
    ----------
    h, bath_sites, spectra, temperatures : as :func:`redfield_steady_state`
    gap_ratio, spread_ratio, gap : clustering parameters (see
        :func:`qheatnet.physics.unified.cluster_frequencies`); ``gap`` (absolute) overrides the rate rule.

    Returns
    -------
    UnifiedGaussian
    """
    h = np.asarray(h, float)
    n = h.shape[0]
    sites = np.asarray(bath_sites, int)
    temps = np.asarray(temperatures, float)
    omega, u = _modes(h)
    amps = u[sites, :]
    nb = len(sites)
    table = bath_table(omega, spectra, temps)
    rates = table.noise * amps**2  # r_αk
    drop = 1e-12 * np.max(np.abs(amps), axis=1, keepdims=True)
    coupled = np.abs(amps) > drop
    freq_lists = [omega[coupled[al]] for al in range(nb)]
    rate_lists = [rates[al][coupled[al]] for al in range(nb)]
    idx_lists = [np.flatnonzero(coupled[al]) for al in range(nb)]
    labels_per_bath, info = cluster_frequencies(
        freq_lists, rate_lists, temps, gap_ratio=gap_ratio, spread_ratio=spread_ratio, gap=gap
    )
    # mode → cluster label (modes coupled to no bath get their own label and are refused below)
    label: np.ndarray = np.full(n, -1, int)
    for al in range(nb):
        for k, lab in zip(idx_lists[al], labels_per_bath[al]):
            if label[k] >= 0 and label[k] != lab:
                raise ConvergenceError("inconsistent cluster labels across baths")  # cannot happen: union-find
            label[k] = lab
    if np.any(label < 0):
        dark = int(np.flatnonzero(label < 0)[0])
        raise ModelError(
            f"normal mode {dark} (ω = {omega[dark]:.6g}) is not coupled to any bath: no unique steady state"
        )
    clusters = [np.flatnonzero(label == lab) for lab in np.unique(label)]
    if info.get("zero_cluster"):
        raise ModelError(
            "a normal-mode frequency is within the clustering scale of zero: the unified equation is undefined"
        )
    omega_t = np.empty(n)
    jf = np.zeros(nb)
    jt = np.zeros(nb)
    pops = np.zeros(n)
    blocks = {}
    gross = 0.0
    scale = 0.0
    resid = 0.0
    for c, idx in enumerate(clusters):
        wt = float(np.mean(omega[idx]))
        omega_t[idx] = wt
        nbose = np.array([float(bose(wt, t)) if t > 0 else 0.0 for t in temps])
        w = amps[:, idx] * np.sqrt(np.maximum(table.damping[:, idx], 0.0))  # (B, g)
        om = omega[idx]
        if len(idx) == 1:
            dk = w[:, 0] ** 2
            tot = float(np.sum(dk))
            if not tot > 0:
                raise ModelError(f"normal mode {idx[0]} is not damped by any bath: no unique steady state")
            tmat = np.outer(dk, dk) / tot  # T_αβ = Δ_α Δ_β/ΣΔ
            smat = om[0] * tmat  # Re Tr(Ω Δ_α X^β)
            cblk = np.array([[float(np.sum(nbose * dk)) / tot]])
        else:
            z = 0.5 * (w.T @ w) - 1j * np.diag(om)
            lam, r = np.linalg.eig(z)
            if not np.min(lam.real) > 1e-14 * np.max(np.abs(lam)):
                raise ModelError(
                    f"a combination of the clustered modes at ω ≈ {wt:.6g} is not damped by any bath (decay rate "
                    f"{float(np.min(lam.real)):.2g}, below the resolution of the frequencies): no unique steady state"
                )
            rinv = np.linalg.inv(r)
            kmat = 1.0 / (lam[:, None] + np.conj(lam)[None, :])
            xs = []
            for be in range(nb):
                s = rinv @ w[be]
                xs.append(r @ (np.outer(s, np.conj(s)) * kmat) @ r.conj().T)
            tmat = np.array([[float(np.real(w[al] @ xs[be] @ w[al])) for be in range(nb)] for al in range(nb)])
            smat = np.array([[float(np.real(w[al] @ xs[be] @ (om * w[al]))) for be in range(nb)] for al in range(nb)])
            cblk = sum(nbose[be] * xs[be] for be in range(nb))
            cblk = 0.5 * (cblk + cblk.conj().T)
            src = sum(nbose[be] * np.outer(w[be], w[be]) for be in range(nb))
            res = np.linalg.norm(z @ cblk + cblk @ z.conj().T - src) / max(float(np.linalg.norm(src)), 1e-300)
            eye_res = np.linalg.norm(np.sum(xs, axis=0) - np.eye(len(idx)))
            resid = max(resid, float(res), float(eye_res))
        blocks[c] = cblk
        dn = nbose[:, None] - nbose[None, :]
        jt += wt * np.sum(dn * tmat, axis=1)
        jf += np.sum(dn * smat, axis=1)
        ug = u[:, idx]
        pops += np.real(np.einsum("ik,kl,il->i", ug, cblk, ug))
        ntr = np.array([float(np.real(w[al] @ cblk @ w[al])) for al in range(nb)])
        exp_t = np.array([np.exp(-wt / t) if t > 0 else 0.0 for t in temps])
        # emission flux ŵᵀCŵ, absorption flux e^{−Ω̃/T} ŵᵀ(C + 1)ŵ, ŵ = w/√(1 − e^{−Ω̃/T})
        with np.errstate(divide="ignore", invalid="ignore"):
            gsum = np.sum(w**2, axis=1)
            fac = 1.0 / -np.expm1(np.where(temps > 0, -wt / np.maximum(temps, 1e-300), -np.inf))
            gross += float(np.sum(wt * fac * (ntr + exp_t * (ntr + gsum))))
            scale += float(np.sum(wt * fac * gsum * (1 + exp_t)))
    info = dict(info)
    info["n_clusters"] = len(clusters)
    info["largest_cluster"] = int(max(len(c) for c in clusters))
    return UnifiedGaussian(jf, jt, pops, omega, omega_t, clusters, blocks, gross, scale, resid, info, u)
