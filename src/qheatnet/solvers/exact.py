r"""Exact steady state of a linear oscillator network: non-equilibrium Green's functions.

Model (ħ = k_B = 1). H = H_S + Σ_α [H_{B,α} + X_{s(α)} ⊗ B_α + ½ μ_α X_{s(α)}²] with
H_S = Σ h_ij a_i† a_j = ½ xᵀ h x + ½ pᵀ h p (+ const), x = (a + a†)/√2,
p = i(a† − a)/√2, X_s = a_s + a_s† = √2 x_s and B_α = Σ_k g_k (b_k + b_k†).
Position–position coupling is not number conserving, so this is solved in the
full (x, p) form, without any Born, Markov or secular approximation
(Dhar, Adv. Phys. 57, 457 (2008); Hofer et al., NJP 19, 123037 (2017)).

Spectral density
    J_α(ω) = 2π Σ_k g_k² δ(ω − ω_k) is ``spectrum.spectral_density``, the same
    J that defines the master-equation rates (emission J(1 + n), absorption
    J n), so that the weak-coupling limits coincide. The bath susceptibility
    χ(ν) = −(1/π)∫ J(ω) ω/(ω² − (ν + i0)²) dω has Im χ(ν) = −J(ν)/2.

Frequency renormalisation
    The counter-term ½ μ_α X² with μ_α = −χ_α(0) = (1/π)∫ J_α(ω)/ω dω
    (Caldeira–Leggett) cancels the static shift, so the network keeps its
    bare frequencies ω_i (as in the master equations, which have no Lamb
    shift) and H stays bounded below whenever H_S is. The dynamical part
    Re[χ(ν) − χ(0)] (a shift of order J) is kept: it is part of the exact
    answer and vanishes with the coupling. This needs J with a high-frequency
    cut-off: ``drude_lorentz`` (χ = −κω_c²/(2(ω_c − iν))) and ``ohmic``
    (closed form with exponential integrals). ``flat`` (a temperature-
    dependent J) and ``phonon3d`` (J ∝ ω³ without cut-off: divergent shift)
    are refused.

Equations
    Eliminating p = h⁻¹ ẋ and the baths, x(ν) = G(ν) ξ(ν) with
    G(ν) = D(ν)⁻¹, D(ν) = h − ν² h⁻¹ + 2 Σ_α [χ_α(ν) − χ_α(0)] E_{s(α)}
    (E_s = e_s e_sᵀ) and ξ = −√2 Σ_α B_α e_{s(α)} the free bath force. Then

    .. math:: J_α = \frac{2}{π} Σ_β ∫_0^∞ ν\, J_α(ν) J_β(ν)
              |G_{s(α)s(β)}(ν)|² [n_α(ν) − n_β(ν)]\, dν,

    the heat current from bath α into the network (d⟨H_S⟩/dt from bath α,
    "full" bookkeeping; the counter-term does no work at steady state), and
    the symmetrised covariance

    .. math:: V_{xx} = \frac1π ∫_0^∞ \mathrm{Re}[G N G^†] dν,\;
              V_{pp} = \frac1π ∫_0^∞ ν² \mathrm{Re}[h⁻¹ G N G^† h⁻¹] dν,\;
              V_{xp} = \frac1π ∫_0^∞ \mathrm{Re}[G N G^† (iν h⁻¹)] dν,

    N = Σ_α J_α(ν)(2n_α(ν) + 1) E_{s(α)}. The pair form of J_α is
    antisymmetric in (α, β), so Σ_α J_α = 0 holds to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from ..errors import ModelError
from ..model.spectra import DrudeLorentz, Ohmic, bose

__all__ = ["ExactResult", "exact_steady_state", "susceptibility_shift"]


def susceptibility_shift(spectrum, nu):
    """Δχ(ν) = χ(ν) − χ(0) for ν > 0 (see module docstring)."""
    nu = np.asarray(nu, float)
    if isinstance(spectrum, DrudeLorentz):
        k, c = spectrum.kappa, spectrum.cutoff
        return -0.5 * k * c * (1j * nu) / (c - 1j * nu)
    if isinstance(spectrum, Ohmic):
        k, c = spectrum.kappa, spectrum.cutoff
        x = nu / c
        with np.errstate(over="ignore", invalid="ignore"):
            # Re χ(ν) = −(κ/π)[c − (ν/2)(e^{−x} Ei(x) + e^{x} E1(x))]; Re χ(0) = −κc/π
            re = (k / np.pi) * 0.5 * nu * (np.exp(-x) * special.expi(x) + np.exp(x) * special.exp1(x))
        re = np.where(x < 700, re, k * c / np.pi)  # far tail: Re χ(ν) → 0, Δχ → −χ(0)
        return re - 0.5j * spectrum.spectral_density(nu)
    raise ModelError(
        f"the exact approach needs a spectral density with a high-frequency cut-off, got spectrum kind "
        f"{spectrum.kind!r} ({'a temperature-dependent J(ω)' if spectrum.kind == 'flat' else 'divergent shift'}); "
        "use 'ohmic' or 'drude_lorentz'"
    )


@dataclass(frozen=True)
class ExactResult:
    heat_currents: dict
    populations: dict
    covariance: np.ndarray  # 2N × 2N, order (x_1, p_1, x_2, p_2, ...)
    residual: float
    gross_exchange: float
    solver: dict


def _breakpoints(network, h):
    omega, u = np.linalg.eigh(h)
    width = np.zeros_like(omega)
    for b in network.baths:
        s = network.node_index(b.node)
        width += b.spectrum.spectral_density(omega) * u[s] ** 2
    width = np.maximum(width, 1e-9 * omega)
    pts = [0.0]
    for w, g in zip(omega, width):
        for m in (-200, -30, -5, -1, 0, 1, 5, 30, 200):
            pts.append(w + m * g)
    top = 3 * float(np.max(omega)) + 10 * max(b.temperature for b in network.baths)
    pts.append(top)
    pts = np.unique(np.clip(pts, 0.0, top))
    return pts, top


def exact_steady_state(network, bookkeeping="full", *, rtol=1e-10, covariance=True) -> ExactResult:
    """Exact (NEGF) heat currents, populations and covariance of an oscillator network.

    Parameters
    ----------
    network : Network
        Oscillators only, with a positive-definite h; baths ``ohmic`` or
        ``drude_lorentz``.
    bookkeeping : "full"
    rtol : float
        Relative tolerance of the adaptive frequency integrals.
    covariance : bool
        Also integrate the 2N × 2N covariance (populations come from it).
    """
    if bookkeeping != "full":
        raise ModelError("the exact approach supports only the full H_S bookkeeping")
    h = network.single_particle_matrix()
    n = h.shape[0]
    hinv = np.linalg.inv(h)
    baths = network.baths
    nb = len(baths)
    sites = np.array([network.node_index(b.node) for b in baths])
    for b in baths:
        susceptibility_shift(b.spectrum, 1.0)  # refuses unsupported spectra early
    temps = [b.temperature for b in baths]

    usites = np.unique(sites)
    col = {int(x): k for k, x in enumerate(usites)}
    bcol = np.array([col[int(x)] for x in sites])
    rhs = np.eye(n)[:, usites].astype(complex)

    def green_cols(nu):
        """G(ν)[:, bath sites] (G is symmetric, so these columns are all that is needed)."""
        d = (h - nu * nu * hinv).astype(complex)
        for a, b in enumerate(baths):
            d[sites[a], sites[a]] += 2 * complex(susceptibility_shift(b.spectrum, nu))
        return np.linalg.solve(d, rhs)

    def jn(nu):
        jv = np.array([float(b.spectrum.spectral_density(nu)) for b in baths])
        nv = np.array([float(bose(nu, t)) for t in temps])
        return jv, nv

    def f_current(nu):
        nu = max(float(nu), 1e-300)
        gb = green_cols(nu)
        jv, nv = jn(nu)
        gs = np.abs(gb[np.ix_(sites, bcol)]) ** 2
        base = (2 / np.pi) * nu * np.outer(jv, jv) * gs
        net = base * (nv[:, None] - nv[None, :])
        gross = base * (nv[:, None] + nv[None, :] + 1)
        return np.concatenate([net.ravel(), gross.ravel()])

    def f_cov(nu):
        nu = max(float(nu), 1e-300)
        gb = green_cols(nu)
        jv, nv = jn(nu)
        noise = np.zeros(len(usites))
        for a in range(nb):
            noise[bcol[a]] += jv[a] * (2 * nv[a] + 1) if np.isfinite(nv[a]) else 0.0
        gng = (gb * noise[None, :]) @ gb.conj().T  # G N G†
        hg = hinv @ gb
        vxx = gng.real
        vpp = (nu * nu) * ((hg * noise[None, :]) @ hg.conj().T).real
        vxp = (1j * nu * (gb * noise[None, :]) @ hg.conj().T).real  # G N G† (iν h⁻¹), h⁻¹ real symmetric
        return np.concatenate([vxx.ravel(), vpp.ravel(), vxp.ravel()]) / np.pi

    pts, top = _breakpoints(network, h)
    tot_c = np.zeros(2 * nb * nb)
    err_c = np.zeros_like(tot_c)
    tot_v = np.zeros(3 * n * n)
    err_v = np.zeros_like(tot_v)
    intervals = list(zip(pts[:-1], pts[1:])) + [(top, np.inf)]
    for lo, hi in intervals:
        val, err = integrate.quad_vec(f_current, lo, hi, epsrel=rtol, epsabs=0.0, norm="max", limit=2000)
        tot_c += val
        err_c += err
        if covariance:
            val, err = integrate.quad_vec(f_cov, lo, hi, epsrel=rtol, epsabs=1e-15, norm="max", limit=2000)
            tot_v += val
            err_v += err
    pair = tot_c[: nb * nb].reshape(nb, nb)
    gross_pair = tot_c[nb * nb :].reshape(nb, nb)
    pair = 0.5 * (pair - pair.T)  # exact antisymmetry of the pair form
    currents = {b.name: float(np.sum(pair[a])) for a, b in enumerate(baths)}
    jmax = max(max(abs(v) for v in currents.values()), 1e-300)
    residual = float(np.max(np.abs(err_c[: nb * nb]))) / jmax
    cov = None
    pops = {}
    if covariance:
        vxx, vpp, vxp = (tot_v[k * n * n : (k + 1) * n * n].reshape(n, n) for k in range(3))
        cov = np.zeros((2 * n, 2 * n))
        cov[0::2, 0::2] = 0.5 * (vxx + vxx.T)
        cov[1::2, 1::2] = 0.5 * (vpp + vpp.T)
        cov[0::2, 1::2] = vxp
        cov[1::2, 0::2] = vxp.T
        pops = {node.name: float(0.5 * (vxx[i, i] + vpp[i, i]) - 0.5) for i, node in enumerate(network.nodes)}
    solver = {"method": "NEGF (Landauer) frequency integral", "rtol": rtol, "intervals": len(intervals)}
    return ExactResult(currents, pops, cov, residual, float(np.sum(np.triu(gross_pair, 1))), solver)
