"""Extended-precision (mpmath) reference for the two-node model, written independently of the library.

The local steady state solves the 4×4 linear system of the equations of
motion (eq. 8 of Levy & Kosloff 2014, re-derived below); the global one
diagonalises h = [[ω_h, ε], [ε, ω_c]] numerically (``mpmath.eigsy``) and
balances each normal mode against both baths. Neither uses a closed form of
:mod:`qheatnet.physics.two_node`.

Equations of motion (ħ = 1, H = ω_h a†a + ω_c b†b + ε(a†b + ab†), z = ⟨a†b⟩,
X = 2 Re z, Y = −2 Im z, Γ_α the relaxation rate of node α and n_α its
thermal occupation; [ab†, a†b] = b†b − a†a holds for oscillators and qubits):

    d⟨a†a⟩/dt = −εY − Γ_h (⟨a†a⟩ − n_h)
    d⟨b†b⟩/dt = +εY − Γ_c (⟨b†b⟩ − n_c)
    dX/dt     = ΔY − Γ̄X
    dY/dt     = −ΔX − 2ε(⟨b†b⟩ − ⟨a†a⟩) − Γ̄Y,     Δ = ω_h − ω_c, Γ̄ = (Γ_h + Γ_c)/2

and the hot bath's current J_h = Tr[𝓛_h(ρ) H_S] = −ω_h Γ_h (⟨a†a⟩ − n_h) − ε Γ_h X / 2.
"""

from __future__ import annotations

import mpmath as mp

DPS = 60  # s² ~ ε² / Δ² reaches 1e-25 at ε = 1e-12: 60 digits leave 35 to spare


def _rates(kind: str, params: dict, omega, temperature):
    """(emission, absorption) at ω > 0 in mpmath: γ(ω) and γ(ω) e^{−ω/T} (detailed balance)."""
    w = mp.mpf(omega)
    t = mp.mpf(temperature)
    boltz = mp.mpf(0) if t == 0 else mp.exp(-w / t)
    if kind == "flat":
        em = mp.mpf(params["rate"])
    else:
        if kind == "phonon3d":
            j = mp.mpf(params["kappa"]) * w**3
        elif kind == "ohmic":
            j = mp.mpf(params["kappa"]) * w * mp.exp(-w / mp.mpf(params["cutoff"]))
        else:
            raise ValueError(kind)
        em = j / (1 - boltz)  # J (1 + n)
    return em, em * boltz


def local_reference(node_kind, wh, wc, eps, th, tc, spec_h, spec_c=None):
    """dict J_h, n_A, n_B, X, Y of the local master equation, from the 4×4 linear system."""
    spec_c = spec_c or spec_h
    delta = -1 if node_kind == "oscillator" else 1
    with mp.workdps(DPS):
        wh_, wc_, e = mp.mpf(wh), mp.mpf(wc), mp.mpf(eps)
        em_h, ab_h = _rates(spec_h[0], spec_h[1], wh, th)
        em_c, ab_c = _rates(spec_c[0], spec_c[1], wc, tc)
        g_h, g_c = em_h + delta * ab_h, em_c + delta * ab_c
        n_h, n_c = ab_h / g_h, ab_c / g_c
        d = wh_ - wc_
        gbar = (g_h + g_c) / 2
        # unknowns (nA, nB, X, Y); rows: the four stationarity conditions
        m = mp.matrix(
            [
                [-g_h, 0, 0, -e],
                [0, -g_c, 0, e],
                [0, 0, -gbar, d],
                [2 * e, -2 * e, -d, -gbar],
            ]
        )
        rhs = mp.matrix([-g_h * n_h, -g_c * n_c, 0, 0])
        n_a, n_b, x, y = mp.lu_solve(m, rhs)
        j_h = -wh_ * g_h * (n_a - n_h) - e * g_h * x / 2
        return {"J_h": j_h, "n_A": n_a, "n_B": n_b, "X": x, "Y": y}


def global_reference(wh, wc, eps, th, tc, spec_h, spec_c=None):
    """dict J_h, n_A, n_B of the global (Davies) master equation of two oscillators."""
    spec_c = spec_c or spec_h
    with mp.workdps(DPS):
        h = mp.matrix([[mp.mpf(wh), mp.mpf(eps)], [mp.mpf(eps), mp.mpf(wc)]])
        evals, evecs = mp.eigsy(h)
        j_h = mp.mpf(0)
        n_a = n_b = mp.mpf(0)
        for k in range(2):
            w = evals[k]
            u_a, u_b = evecs[0, k], evecs[1, k]
            em_h, ab_h = (u_a**2 * r for r in _rates(spec_h[0], spec_h[1], w, th))
            em_c, ab_c = (u_b**2 * r for r in _rates(spec_c[0], spec_c[1], w, tc))
            n_k = (ab_h + ab_c) / ((em_h - ab_h) + (em_c - ab_c))
            j_h += w * (ab_h * (n_k + 1) - em_h * n_k)  # energy the hot bath puts into mode k
            n_a += u_a**2 * n_k
            n_b += u_b**2 * n_k
        return {"J_h": j_h, "n_A": n_a, "n_B": n_b}
