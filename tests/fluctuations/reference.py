"""Slow, obvious references for the counting-statistics tests (not used by the library).

* :func:`dense_tilted` builds the tilted Lindblad generator 𝓛_s = 𝓛 + Σ_k r_k (e^{sW_k} − 1) J_k ⊗ J_k*
  on the *full* Liouville space with numpy (column stacking, vec(AρB) = (Bᵀ ⊗ A) vec ρ), from the
  dense Hamiltonian and jump operators — none of the library's block structure or sparse assembly.
* :func:`fd_cumulants` differentiates its eigenvalue of largest real part (the Perron root for real s)
  by finite differences: a degree-2m polynomial through 2m + 1 equidistant points s = kh (a centred
  finite-difference stencil of order 2m), whose derivatives at 0 are c_1, c_2, c_3.
"""

from __future__ import annotations

import math

import numpy as np


def dense_tilted(hamiltonian, terms, weights):
    """(𝓛, list of (r_k, W_k, 𝒥_k)) dense, for ``terms`` = [(rate, J)] and counted energies ``weights``."""
    h = np.asarray(hamiltonian.toarray() if hasattr(hamiltonian, "toarray") else hamiltonian, complex)
    d = h.shape[0]
    eye = np.eye(d)
    lmat = -1j * (np.kron(eye, h) - np.kron(h.T, eye))
    jumps = []
    for (rate, j), w in zip(terms, weights):
        j = np.asarray(j.toarray() if hasattr(j, "toarray") else j, complex)
        jj = j.conj().T @ j
        lmat += rate * (np.kron(j.conj(), j) - 0.5 * np.kron(eye, jj) - 0.5 * np.kron(jj.T, eye))
        jumps.append((rate, w, np.kron(j.conj(), j)))
    return lmat, jumps


def tilted_eigenvalue(lmat, jumps, s):
    """Eigenvalue of largest real part of 𝓛_s (s real)."""
    m = lmat.copy()
    for rate, w, jm in jumps:
        if w != 0:
            m = m + rate * math.expm1(s * w) * jm
    ev = np.linalg.eigvals(m)
    return ev[np.argmax(ev.real)]


def fd_cumulants(lmat, jumps, h, points: int = 4):
    """c_1, c_2, c_3 from λ(kh), k = −points … points (polynomial of degree 2·points)."""
    ks = np.arange(-points, points + 1)
    lam = np.array([tilted_eigenvalue(lmat, jumps, k * h).real for k in ks])
    coef = np.polynomial.polynomial.polyfit(ks * h, lam, 2 * points)
    return np.array([coef[1], 2.0 * coef[2], 6.0 * coef[3]]), float(abs(lam[points]))


def generator_terms(gen):
    """[(rate, J)] and, per bath, the counted energies −ω_k of its terms (0 for other baths)."""
    terms = [(t.rate, t.op) for d in gen.dissipators for t in d.terms]
    rows = []
    for d in gen.dissipators:
        rows.append([(-t.omega if d2 is d else 0.0) for d2 in gen.dissipators for t in d2.terms])
    return terms, np.array(rows)
