r"""Poles of the retarded Green's function of a damped oscillator network (kernel of :mod:`.exact`).

G(ν) = [h − ν² h⁻¹ + Σ(ν)]⁻¹ with Σ = diag(Σ_u) on the bath sites, Σ_u = 2 Σ_{α at u} Δχ_α.
Its poles z_k (Im z_k < 0) are the complex frequencies of the damped network; the
Landauer and covariance integrands have peaks of half-width |Im z_k| at Re z_k.

First order, with degenerate clusters
    In the normal-mode basis of h (h u_k = ω_k u_k) and near ν ≈ ω_k,
    (ω_k² − ν²)/ω_k ≈ 2(ω_k − ν), so the poles near a group of close modes are the
    eigenvalues of the non-Hermitian matrix

    .. math:: H_{kl} = ω_k δ_{kl} + \tfrac12 Σ_u Σ_u(ω_c)\, u_{uk} u_{ul}

    (ω_c the centre of the group): z_k = ω_k + ½ Σ_u Σ_u(ω_k) u_{uk}² for an isolated mode,
    half-width ½ Σ_α J_α(ω_k) u_{s_α k}² (the global master equation's mode decay rate over
    two). Modes whose peaks overlap (spacing < ``CLUSTER_OVERLAP`` × sum of half-widths) are
    grouped and diagonalised together, which gives the bright and dark combinations of
    (near-)degenerate modes. Valid for any spectrum to first order in the bath coupling.
Exact, Drude–Lorentz
    Δχ(ν) = −½ κ ω_c iν/(ω_c − iν) is rational: with one auxiliary force y_α per bath the
    equations of motion are linear and local in time,

    .. math:: \dot x = h p,\quad \dot p = −h x − Σ_α y_α e_{s_α},\quad
              \dot y_α = −ω_{c,α} y_α + κ_α ω_{c,α} (h p)_{s_α},

    (in frequency space (ω_c − iν) y = −κ ω_c iν x_s, i.e. y = 2Δχ x_s) so the poles are
    z = iλ for the eigenvalues λ of this (2N + n_b)-dimensional real matrix.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

__all__ = ["normal_modes", "first_order_poles", "drude_lorentz_poles"]

#: Modes are grouped when their spacing is below this multiple of the sum of their first-order
#: half-widths (the first-order poles of overlapping peaks are not the true poles).
CLUSTER_OVERLAP = 4.0
#: Largest group diagonalised as one cluster (larger groups keep their first-order poles; the
#: adaptive quadrature still converges, with more refinement).
CLUSTER_MAX = 400


def normal_modes(h: np.ndarray, chain=None, rows=None):
    """ω_k (ascending) and eigenvectors of h (columns), via eigh_tridiagonal for chains.

    ``chain`` is (order, links) from :func:`.exact_green.path_order`, or None.
    """
    if chain is not None:
        order, links = chain
        w, v = linalg.eigh_tridiagonal(np.diag(h)[order], links)
        u = np.empty_like(v)
        u[order] = v
        return w, u
    return np.linalg.eigh(h)


def first_order_poles(omega: np.ndarray, ub: np.ndarray, sigma):
    """First-order poles with degenerate clusters (see module docstring).

    Parameters
    ----------
    omega : (N,) mode frequencies, ascending
    ub : (n_u, N) components of the modes at the unique bath sites
    sigma : callable(ν (m,)) -> (m, n_u) self-energies Σ_u(ν)

    Returns
    -------
    z : (N,) complex poles (Re z ascending per cluster), and the number of clusters formed
    """
    sig = sigma(omega)  # (N, n_u)
    z = omega + 0.5 * np.einsum("ku,uk->k", sig, ub * ub)
    hw = np.abs(z.imag)
    gaps = np.diff(omega)
    close = gaps < CLUSTER_OVERLAP * (hw[:-1] + hw[1:])
    clusters = 0
    k = 0
    n = omega.size
    while k < n - 1:
        if not close[k]:
            k += 1
            continue
        j = k
        while j < n - 1 and close[j]:
            j += 1
        grp = np.arange(k, j + 1)
        if grp.size <= CLUSTER_MAX:
            wc = float(np.mean(omega[grp]))
            s = sigma(np.array([wc]))[0]
            u = ub[:, grp]
            heff = np.diag(omega[grp]).astype(complex) + 0.5 * (u.T * s[None, :]) @ u
            ev = np.linalg.eigvals(heff)
            z[grp] = ev[np.argsort(ev.real)]
            clusters += 1
        k = j + 1
    return z, clusters


def drude_lorentz_poles(h: np.ndarray, sites: np.ndarray, kappas, cutoffs, w: np.ndarray | None = None):
    """All poles z = iλ of the enlarged linear problem (Drude–Lorentz baths, see module docstring).

    Returns
    -------
    network : poles with Re z > 0 (one of each ±Re z pair; G(−ν*) = G(ν)*)
    auxiliary : poles on the negative imaginary axis (overdamped bath modes)
    """
    n, nb = h.shape[0], len(sites)
    w = h if w is None else w  # (x, p) form: ẋ = W p, ṗ = −V x (h = V)
    a = np.zeros((2 * n + nb, 2 * n + nb))
    a[:n, n : 2 * n] = w
    a[n : 2 * n, :n] = -h
    for k, (s, kap, c) in enumerate(zip(sites, kappas, cutoffs)):
        a[n + s, 2 * n + k] = -1.0
        a[2 * n + k, 2 * n + k] = -c
        a[2 * n + k, n : 2 * n] = kap * c * w[s]
    lam = np.linalg.eigvals(a)
    z = 1j * lam
    scale = max(float(np.max(np.abs(z))), 1e-300)
    net = z[z.real > 1e-12 * scale]
    aux = z[np.abs(z.real) <= 1e-12 * scale]
    return np.sort_complex(net), aux
