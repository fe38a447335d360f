"""Slow, obvious reference implementations for tests/qubits (dense numpy, small N only).

Conventions: ħ = k_B = 1; column-stacking vectorisation vec(AρB) = (Bᵀ⊗A)vec(ρ).
"""

from __future__ import annotations

import numpy as np


def dissipator(a: np.ndarray) -> np.ndarray:
    """D[A] as a dense superoperator."""
    eye = np.eye(a.shape[0])
    ada = a.conj().T @ a
    return np.kron(a.conj(), a) - 0.5 * np.kron(eye, ada) - 0.5 * np.kron(ada.T, eye)


def davies_generator(h: np.ndarray, couplings, tol: float = 1e-9) -> np.ndarray:
    """Textbook Davies generator −i[H,·] + Σ_α Σ_ω S_α(ω) D[X_α(ω)] for dense H.

    ``couplings`` is a list of (X_α, S_α) with S_α(ω) the rate at Bohr frequency
    ω = E_initial − E_final (ω > 0: the system loses ω). X_α(ω) collects every
    eigenbasis element whose Bohr frequency is within ``tol`` of ω.
    """
    e, v = np.linalg.eigh(h)
    d = len(e)
    eye = np.eye(d)
    gen = -1j * (np.kron(eye, h) - np.kron(h.T, eye))
    w = e[None, :] - e[:, None]  # element (row, col): energy lost going col → row
    for x, spec in couplings:
        xe = v.conj().T @ x @ v
        nz = np.abs(xe) > 1e-12
        used = np.zeros_like(nz)
        for i, j in zip(*np.nonzero(nz)):
            if used[i, j]:
                continue
            sel = nz & (np.abs(w - w[i, j]) < tol)
            used |= sel
            a = v @ np.where(sel, xe, 0) @ v.conj().T
            gen = gen + spec(w[i, j]) * dissipator(a)
    return gen


def steady_state(gen: np.ndarray) -> np.ndarray:
    """The kernel vector of a dense generator, normalised to a unit-trace density matrix."""
    d = int(round(np.sqrt(gen.shape[0])))
    _, _, vh = np.linalg.svd(gen)
    rho = vh[-1].conj().reshape(d, d, order="F")
    return rho / np.trace(rho)
