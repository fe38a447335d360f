r"""Closed forms for the two-node model of Levy & Kosloff (2014), vectorised.

Node A (frequency ω_h) touches the hot bath, node B (ω_c) the cold one, and
H_S = ω_h a†a + ω_c b†b + ε(a†b + ab†). All inputs broadcast (numpy), so a
whole parameter map is one call. These are a fast path and a test oracle;
the generic solvers never rely on them.

Local approach (derived here from eq. 8; δ = −1 oscillators, +1 qubits)
--------------------------------------------------------------------------
With γ_α = γ_α(ω_α) the emission rate of bath α at its node frequency,
Γ_α = γ_α (1 + δ e^{−ω_α/T_α}) the node's relaxation rate and
n_α = γ_α e^{−ω_α/T_α}/Γ_α = 1/(e^{ω_α/T_α} + δ) its thermal occupation, the
stationary point of eq. 8 is (Δ = ω_h − ω_c, Γ = (Γ_h + Γ_c)/2)

    Y = 4εΓ_hΓ_c(Γ_h+Γ_c)(n_h − n_c) / D,
    D = Γ_hΓ_c((Γ_h+Γ_c)² + 4Δ²) + 4ε²(Γ_h+Γ_c)²,
    X = ΔY/Γ,  ⟨a†a⟩ = n_h − εY/Γ_h,  ⟨b†b⟩ = n_c + εY/Γ_c,

and the heat current of eq. 5 (full H_S) is

    J_h = −J_c = εY (ω_hΓ_c + ω_cΓ_h)/(Γ_h + Γ_c)
        = (e^{ω_c/T_c} − e^{ω_h/T_h}) F,
    F = 4ε²Γ_hΓ_c(ω_hΓ_c + ω_cΓ_h) / (D (e^{ω_h/T_h}+δ)(e^{ω_c/T_c}+δ)) > 0,

which is eq. 9; the appendix-A expression of the paper is this formula with
OCR damage. Its sign is that of ω_h/T_h − ω_c/T_c reversed: J_h < 0 (heat
from cold to hot) whenever ω_c/T_c < ω_h/T_h, at any ε.

Global approach, oscillators (eqs. 10–13)
-------------------------------------------
Normal modes ω_± = (ω_h+ω_c)/2 ± r, r = √(Δ²/4 + ε²), a = c d_+ − s d_−,
b = s d_+ + c d_−, c² = (r + Δ/2)/(2r), s² = (r − Δ/2)/(2r). Each mode k
is an independent oscillator relaxed by both baths with weights w_{hk}
(c², s²) and w_{ck} (s², c²): emission E_{αk} = w_{αk} γ_α(ω_k),
absorption A_{αk} = E_{αk} e^{−ω_k/T_α}, Γ_{αk} = E_{αk} − A_{αk}. Then

    n_k = (A_{hk} + A_{ck}) / (Γ_{hk} + Γ_{ck}),
    J_h = Σ_k ω_k (A_{hk}E_{ck} − A_{ck}E_{hk}) / (Γ_{hk} + Γ_{ck})
        = Σ_k ω_k γ_h^k γ_c^k (e^{ω_k/T_c} − e^{ω_k/T_h})
              / (w_{ck}^{-1} γ_h^k e^{ω_k/T_c}(e^{ω_k/T_h} − 1)
                 + w_{hk}^{-1} γ_c^k e^{ω_k/T_h}(e^{ω_k/T_c} − 1)).

(the hot rate pairs with the cold weight: for mode + that is s^{-2} γ_h^+,
as printed in eq. 13; for baths with γ = J(1 + n) both denominator terms
are equal, so only a flat bath tells the pairings apart)

The printed eq. 13 has e^{β_c ω_+} in the second denominator term of the
ω_− fraction where e^{β_c ω_−} belongs (:func:`global_current_printed_eq13`
keeps the printed form so that the difference can be shown).
"""

from __future__ import annotations

import numpy as np

from ..model.spectra import Spectrum

__all__ = ["local_closed_form", "global_closed_form", "normal_modes", "global_current_printed_eq13"]


def _as(x):
    return np.asarray(x, dtype=float)


def local_closed_form(
    kind, omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None
):
    """Steady state of the local master equation (eq. 8) and its currents.

    Returns a dict of arrays: ``J_h``, ``J_c``, ``n_A``, ``n_B``, ``X``, ``Y``,
    ``F`` (eq. 9), ``sigma`` (entropy production).
    """
    spectrum_c = spectrum_c or spectrum_h
    delta = {"oscillator": -1.0, "qubit": 1.0}[kind]
    wh, wc, eps, th, tc = map(_as, (omega_h, omega_c, epsilon, T_h, T_c))
    em_h, ab_h = spectrum_h.emission(wh, th), spectrum_h.absorption(wh, th)
    em_c, ab_c = spectrum_c.emission(wc, tc), spectrum_c.absorption(wc, tc)
    g_h = em_h + delta * ab_h
    g_c = em_c + delta * ab_c
    n_h, n_c = ab_h / g_h, ab_c / g_c
    dw = wh - wc
    gs = g_h + g_c
    den = g_h * g_c * (gs**2 + 4 * dw**2) + 4 * eps**2 * gs**2
    y = 4 * eps * g_h * g_c * gs * (n_h - n_c) / den
    x = 2 * dw * y / gs
    j_h = eps * y * (wh * g_c + wc * g_h) / gs
    # F of eq. 9: n_h − n_c = (e^{x_c} − e^{x_h}) / ((e^{x_h}+δ)(e^{x_c}+δ)); written with
    # n_α = 1/(e^{x_α}+δ) so that it stays finite where e^{x} overflows
    f = 4 * eps**2 * g_h * g_c * (wh * g_c + wc * g_h) / den * n_h * n_c
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(th > 0, -j_h / np.where(th > 0, th, 1), 0) + np.where(tc > 0, j_h / np.where(tc > 0, tc, 1), 0)
    return {
        "J_h": j_h,
        "J_c": -j_h,
        "n_A": n_h - eps * y / g_h,
        "n_B": n_c + eps * y / g_c,
        "X": x,
        "Y": y,
        "F": f,
        "sigma": sigma,
    }


def normal_modes(omega_h, omega_c, epsilon):
    """(ω_+, ω_−, c², s²) of the two-node swap Hamiltonian, cancellation-free."""
    wh, wc, eps = map(_as, (omega_h, omega_c, epsilon))
    half = 0.5 * (wh - wc)
    r = np.hypot(half, eps)
    w_plus = 0.5 * (wh + wc) + r
    w_minus = (wh * wc - eps**2) / w_plus  # ω_+ ω_− = ω_h ω_c − ε²
    with np.errstate(divide="ignore", invalid="ignore"):
        small = np.where(half >= 0, eps**2 / (2 * r * (r + np.abs(half))), 0.0)
        c2 = np.where(half >= 0, 1 - small, eps**2 / (2 * r * (r + np.abs(half))))
    c2 = np.where(r > 0, c2, 1.0)
    return w_plus, w_minus, c2, 1 - c2


def global_closed_form(omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None):
    """Steady state of the global master equation for two oscillators (eqs. 10–13).

    Requires ε² < ω_h ω_c (ω_− > 0); entries outside give NaN.

    Returns a dict of arrays: ``J_h``, ``J_c``, ``n_A``, ``n_B``, ``n_plus``,
    ``n_minus``, ``omega_plus``, ``omega_minus``, ``cos2``, ``sigma``.
    """
    spectrum_c = spectrum_c or spectrum_h
    th, tc = _as(T_h), _as(T_c)
    w_p, w_m, c2, s2 = normal_modes(omega_h, omega_c, epsilon)
    valid = w_m > 0
    w_m_safe = np.where(valid, w_m, np.nan)
    out_j, n_modes = 0.0, []
    for w, wh_, wc_ in ((w_p, c2, s2), (w_m_safe, s2, c2)):
        e_h = wh_ * spectrum_h.emission(w, th)
        e_c = wc_ * spectrum_c.emission(w, tc)
        a_h = wh_ * spectrum_h.absorption(w, th)
        a_c = wc_ * spectrum_c.absorption(w, tc)
        gam = (e_h - a_h) + (e_c - a_c)
        n_modes.append((a_h + a_c) / gam)
        out_j = out_j + w * (a_h * e_c - a_c * e_h) / gam
    n_p, n_m = n_modes
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(th > 0, -out_j / np.where(th > 0, th, 1), 0) + np.where(
            tc > 0, out_j / np.where(tc > 0, tc, 1), 0
        )
    return {
        "J_h": out_j,
        "J_c": -out_j,
        "n_A": c2 * n_p + s2 * n_m,
        "n_B": s2 * n_p + c2 * n_m,
        "n_plus": n_p,
        "n_minus": n_m,
        "omega_plus": w_p,
        "omega_minus": w_m_safe,
        "cos2": c2,
        "sigma": sigma,
    }


def global_current_printed_eq13(
    omega_h, omega_c, epsilon, T_h, T_c, spectrum_h: Spectrum, spectrum_c: Spectrum | None = None
):
    """Eq. 13 exactly as printed (with e^{β_c ω_+} in the ω_− term). Do not use for physics."""
    spectrum_c = spectrum_c or spectrum_h
    th, tc = _as(T_h), _as(T_c)
    w_p, w_m, c2, s2 = normal_modes(omega_h, omega_c, epsilon)
    bh = 1.0 / th
    bc = 1.0 / tc
    gh_m, gc_m = spectrum_h.emission(w_m, th), spectrum_c.emission(w_m, tc)
    gh_p, gc_p = spectrum_h.emission(w_p, th), spectrum_c.emission(w_p, tc)
    term_m = (
        (np.exp(bc * w_m) - np.exp(bh * w_m))
        * gc_m
        * gh_m
        * w_m
        / (np.exp(bh * w_m) * np.expm1(bc * w_m) * gc_m / s2 + np.exp(bc * w_p) * np.expm1(bh * w_m) * gh_m / c2)
    )
    term_p = (
        (np.exp(bc * w_p) - np.exp(bh * w_p))
        * gc_p
        * gh_p
        * w_p
        / (np.exp(bh * w_p) * np.expm1(bc * w_p) * gc_p / c2 + np.exp(bc * w_p) * np.expm1(bh * w_p) * gh_p / s2)
    )
    return term_m + term_p
