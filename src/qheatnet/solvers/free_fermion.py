r"""Local steady state of a boundary-driven XX qubit chain via free fermions.

Conventions: ħ = k_B = 1; a heat current is positive when energy flows from
its bath into the network.

Mapping (Jordan–Wigner)
-----------------------
For qubits 1…N on a path, σ⁻_k = P_{<k} c_k with the string
P_{<k} = Π_{j<k} (−1)^{n_j}. Nearest-neighbour swaps become hopping,
σ⁺_i σ⁻_{i+1} = c_i† c_{i+1}, so H_S = Σ_ij h_ij c_i† c_j with h the
single-particle matrix of the network in path order.

The local dissipators act on the end sites. On site 1 there is no string.
On site N the string is a unitary, Hermitian P that commutes with every
c_i† c_j (i, j < N); in D†[P c_N](c_i†c_j) = c_N† P c_i†c_j P c_N − ½{n_N, c_i†c_j}
any term with c_N in c_i†c_j vanishes (c_N c_N = 0), and for i, j < N the
string cancels. The same holds for P c_N†. So the two-point function
C_ij = ⟨c_i† c_j⟩ obeys a closed linear equation

.. math::
    \dot C = A C + C A^† + Γ^+, \qquad A = i h − Γ/2,

with Γ = diag(γ^−_k + γ^+_k) and Γ^+ = diag(γ^+_k) (emission γ^− = γ(ω_k),
absorption γ^+ = γ(ω_k) e^{−ω_k/T}, summed over the baths of site k). On an
interior site the string does not cancel (quartic terms appear), so the
route is refused there. The steady state solves the N×N Lyapunov equation
A C + C A† = −Γ^+, and the heat current of bath α is

.. math:: J_α = Σ_ij h_ij (\dot C_α)_{ij}, \quad \dot C_α = −½\{Γ_α, C\} + Γ^+_α .

The Lyapunov equation is solved by diagonalising A once (A = S Λ S^{-1},
C̃ = −S^{-1}Γ^+S^{-†} / (λ_i + λ̄_j)), which is faster than Schur for the
sizes met here (see MEASURED.md); the residual is computed in the original
basis and checked. The smallest decay rate −max Re λ(A) is reported: when it
is below double-precision resolution of ‖A‖ (e.g. strongly Wannier–Stark
localised graded chains) the steady state is not numerically unique and the
result is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .. import config
from ..errors import ConvergenceError

__all__ = ["FreeFermionSolution", "solve_free_fermion"]


@dataclass(frozen=True, eq=False)
class FreeFermionSolution:
    """C_ij = ⟨c_i† c_j⟩ (path order), residual, slowest decay rate."""

    correlation: np.ndarray
    residual: float
    slowest_decay: float


def solve_free_fermion(h: np.ndarray, gamma_minus: np.ndarray, gamma_plus: np.ndarray, *, residual_tol=None):
    """Steady state of Ċ = A C + C A† + Γ⁺ (see the module docstring).

    Parameters
    ----------
    h : (N, N) real symmetric single-particle matrix, path order
    gamma_minus, gamma_plus : (N,) total emission / absorption rates per site
        (non-zero only on the end sites)

    Returns
    -------
    FreeFermionSolution

    Raises
    ------
    ConvergenceError
        Slowest decay rate below round-off, or residual above tolerance.
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    gm, gp = np.asarray(gamma_minus, float), np.asarray(gamma_plus, float)
    a = 1j * np.asarray(h, float) - 0.5 * np.diag(gm + gp)
    q = np.diag(gp).astype(complex)
    lam, s = np.linalg.eig(a)
    norm_a = float(np.max(np.sum(np.abs(a), axis=1)))
    slowest = float(-np.max(lam.real))
    if slowest <= config.FREE_FERMION_MIN_DECAY_RTOL * norm_a:
        raise ConvergenceError(
            f"free-fermion steady state refused: the slowest decay rate of the chain is {slowest:.3g}, below "
            f"round-off of the generator (‖A‖ = {norm_a:.3g}); the chain is too strongly localised (e.g. a graded "
            "Wannier–Stark chain) for its steady state to be unique in double precision"
        )
    denom = lam[:, None] + lam.conj()[None, :]
    sinv = None
    try:
        sinv = np.linalg.inv(s)
        c = s @ (-(sinv @ q @ sinv.conj().T) / denom) @ s.conj().T
    except np.linalg.LinAlgError:  # defective A: fall back to Schur
        c = sla.solve_continuous_lyapunov(a, -q)
    res = a @ c + c @ a.conj().T + q
    rel = float(np.max(np.abs(res))) / (norm_a * max(float(np.max(np.abs(c))), 1e-300))
    # forward error ≈ ‖residual‖ / sep(A, −A†), sep ≥ 2·slowest: one step of iterative refinement when that
    # estimate is not negligible. Measured: a detuned node coupled through ε = 1/64 (slowest rate 1.3e-8 of ‖A‖)
    # came out 1.3e-8 off the exact population by both the eigen and the Schur route; one step gives 1e-16.
    cmax = max(float(np.max(np.abs(c))), 1e-300)
    if sinv is not None and float(np.max(np.abs(res))) / (2 * slowest * cmax) > config.FREE_FERMION_REFINE_RTOL:
        c_ref = c + s @ (-(sinv @ res @ sinv.conj().T) / denom) @ s.conj().T
        res_ref = a @ c_ref + c_ref @ a.conj().T + q
        rel_ref = float(np.max(np.abs(res_ref))) / (norm_a * max(float(np.max(np.abs(c_ref))), 1e-300))
        if rel_ref <= rel:
            c, res, rel = c_ref, res_ref, rel_ref
    if rel > tol:
        c2 = sla.solve_continuous_lyapunov(a, -q)  # ill-conditioned eigenvectors: Bartels–Stewart
        res = a @ c2 + c2 @ a.conj().T + q
        rel2 = float(np.max(np.abs(res))) / (norm_a * max(float(np.max(np.abs(c2))), 1e-300))
        if rel2 < rel:
            c, rel = c2, rel2
    if not np.isfinite(rel) or rel > tol:
        raise ConvergenceError(f"free-fermion steady-state residual {rel:.2e} exceeds the tolerance {tol:.1e}")
    c = 0.5 * (c + c.conj().T)
    return FreeFermionSolution(c, rel, slowest)
