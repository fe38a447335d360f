r"""Propagators for transients: linear generators on a vector, and the affine map of a Lyapunov flow.

* :func:`propagate` — x(t) for ẋ = 𝓛 x on a uniform time grid, either
  ``"dense"`` (P = expm(𝓛Δt) once by scaling and squaring, then x_{k+1} = P x_k;
  exact at any t) or ``"krylov"`` (:func:`scipy.sparse.linalg.expm_multiply`;
  the cost grows with ‖𝓛‖ t_final).
* :func:`affine_propagator` — (P, Q) with C(t + Δt) = P C(t) P† + Q for
  Ċ = M C + C M† + Γ↑, from Van Loan's block exponential: no steady state
  needed, exact for any M (defective, or with undamped modes).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg as sla

__all__ = ["propagate", "affine_propagator"]


def propagate(lmat, x0: np.ndarray, times: np.ndarray, method: str) -> np.ndarray:
    """x(t_k) for ẋ = ``lmat`` x, x(0) = ``x0``, on the uniform grid ``times`` (rows: times)."""
    if method == "dense":
        dense = lmat.toarray() if hasattr(lmat, "toarray") else np.asarray(lmat)
        prop = sla.expm(dense * (times[1] - times[0]))
        xs = np.empty((len(times), len(x0)), dtype=complex)
        xs[0] = x0
        for k in range(1, len(times)):
            xs[k] = prop @ xs[k - 1]
        return xs
    import scipy.sparse.linalg as spla

    return np.asarray(
        spla.expm_multiply(
            lmat.tocsr() if hasattr(lmat, "tocsr") else lmat,
            x0,
            start=0.0,
            stop=float(times[-1]),
            num=len(times),
            endpoint=True,
            traceA=lmat.diagonal().sum(),
        )
    )


def affine_propagator(m_mat: np.ndarray, gain: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """(P, Q) with C(t + dt) = P C(t) P† + Q for Ċ = M C + C M† + Γ↑.

    P = e^{M dt}, Q = ∫_0^dt e^{Ms} Γ↑ e^{M†s} ds. Van Loan's block exponential on a step
    δ = dt/2^k with ‖M‖δ ≤ 1 (no growing factor), then k doublings P ← P², Q ← Q + P Q P†:
    exact for any M (defective, or with undamped modes), no steady state needed.
    """
    n = m_mat.shape[0]
    norm = float(np.linalg.norm(m_mat, 1)) * dt
    k = max(0, int(math.ceil(math.log2(norm)))) if norm > 1.0 else 0
    delta = dt / 2.0**k
    blk = np.zeros((2 * n, 2 * n), dtype=complex)
    blk[:n, :n] = m_mat
    blk[:n, n:] = gain
    blk[n:, n:] = -m_mat.conj().T
    f = sla.expm(blk * delta)
    p = f[:n, :n]
    q = f[:n, n:] @ p.conj().T
    for _ in range(k):
        q = q + p @ q @ p.conj().T
        p = p @ p
    return p, 0.5 * (q + q.conj().T)
