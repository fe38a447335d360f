r"""Thermodynamic bookkeeping at steady state.

* Heat current of bath α (eq. 5 of Levy & Kosloff 2014), positive when
  energy flows from the bath into the network:

  .. math:: J_α = \mathrm{Tr}[(𝓛_α ρ) H] = \mathrm{Tr}[ρ\, 𝓛_α^†(H)],
            𝓛^†_α(H) = Σ_k r_k (J_k^† H J_k − ½\{J_k^† J_k, H\}).

  H is the full network Hamiltonian H_S ("full" bookkeeping, default, as in
  the paper) or H_0 = Σ ω_i n_i ("bare").
* Entropy production: σ = −Σ_α J_α / T_α; the second law holds if σ ≥ 0
  within the tolerance ``SECOND_LAW_RTOL · Σ_α |J_α| / T_α``.
* First-law residual: Σ_α J_α. With full bookkeeping it vanishes at the
  exact steady state (Tr[−i[H, ρ] H] = 0), so it measures the accuracy of
  the solution. With bare bookkeeping it also contains the power
  Tr[ρ i[H_S, H_0]] exchanged through the couplings and need not vanish.
"""

from __future__ import annotations

import numpy as np

from .. import config

__all__ = ["current_operator", "expectation", "entropy_production", "second_law_verdict"]


def current_operator(terms, h):
    """𝓛^†(H) = Σ_k r_k (J_k† H J_k − ½{J_k†J_k, H}) as a sparse matrix."""
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


def entropy_production(currents, temperatures, resolution: float = 0.0) -> float:
    """σ = −Σ_α J_α / T_α.

    A bath at T = 0 contributes ±inf if its current exceeds ``resolution``
    (the absolute round-off of a computed current) and nothing otherwise.
    """
    sigma = 0.0
    for j, t in zip(currents, temperatures):
        if t > 0:
            sigma -= j / t
        elif abs(j) > resolution:
            sigma -= np.inf if j > 0 else -np.inf
    return float(sigma)


def second_law_verdict(sigma: float, currents, temperatures, rtol: float | None = None, resolution: float = 0.0):
    """("satisfied" | "violated", tolerance) for entropy production ``sigma``.

    tolerance = rtol · Σ_α |J_α|/T_α + resolution · Σ_α 1/T_α, where
    ``resolution`` is the absolute round-off of a computed current (a
    current below it has no meaningful sign, e.g. the exact zero current
    between baths at one temperature).
    """
    rtol = config.SECOND_LAW_RTOL if rtol is None else rtol
    scale = sum(abs(j) / t for j, t in zip(currents, temperatures) if t > 0)
    tol = rtol * scale + resolution * sum(1.0 / t for t in temperatures if t > 0)
    return ("satisfied" if sigma >= -tol else "violated"), float(tol)
