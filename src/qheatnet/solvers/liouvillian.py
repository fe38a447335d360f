r"""Steady state of a Lindblad generator by a sparse direct solve.

Vectorisation is column stacking, vec(A ρ B) = (Bᵀ ⊗ A) vec(ρ), so

.. math::
    𝓛 = −i\,I⊗H_{eff} + i\,\overline{H_{eff}}⊗I + Σ_k r_k \bar J_k ⊗ J_k,
    \qquad H_{eff} = H − \tfrac{i}{2} Σ_k r_k J_k^† J_k .

Structure used: when H conserves the excitation number q and every jump
operator changes q by one fixed amount, 𝓛 maps the block ρ_{q q'} into
blocks with the same q − q'. The unique steady state then lives in the
q-diagonal blocks, and only those are solved for — the "zero-difference
block" (for two oscillators with cut-off K: Σ (q+1)² unknowns instead of
((K+1)(K+2)/2)²). Otherwise the full space is used; the result says which.

The trace condition replaces the equation of the first diagonal element.
The residual ‖𝓛ρ‖_∞ / (‖𝓛‖_∞ ‖ρ‖_∞) is always computed and a steady state
whose residual exceeds the tolerance is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import config
from ..errors import ConvergenceError

__all__ = [
    "SteadyStateSolution",
    "steady_state",
    "liouvillian_blocks",
    "block_sectors",
    "observable_vector",
    "blocks_to_vector",
]


@dataclass(frozen=True, eq=False)
class SteadyStateSolution:
    rho: np.ndarray
    residual: float
    unknowns: int
    structure: str  # "q-diagonal blocks" or "full space"
    condition: float = float("nan")  # estimated 1-norm condition number of the trace-constrained generator


def _shift(op: sp.csr_matrix, q: np.ndarray):
    """The fixed change of q made by ``op``, or None if it has none."""
    coo = op.tocoo()
    if coo.nnz == 0:
        return 0
    d = q[coo.row] - q[coo.col]
    return int(d[0]) if np.all(d == d[0]) else None


def block_sectors(hamiltonian, terms, excitation: np.ndarray | None) -> tuple[list[np.ndarray], bool]:
    """(index ranges of the q-sectors, True) when H conserves q and every jump shifts it by a fixed amount, else
    ([all states], False): the q-diagonal blocks of ρ then evolve on their own (module docstring)."""
    dim = hamiltonian.shape[0]
    if excitation is None or _shift(hamiltonian, excitation) != 0:
        return [np.arange(dim)], False
    if not all(_shift(j, excitation) is not None for _, j in terms):
        return [np.arange(dim)], False
    qs, starts = np.unique(excitation, return_index=True)
    bounds = list(starts) + [dim]
    return [np.arange(bounds[k], bounds[k + 1]) for k in range(len(qs))], True


def observable_vector(op, sectors, offsets, n_unknowns) -> np.ndarray:
    """c with Tr[ρ A] = c · x for the unknown vector x (column-stacked q-diagonal blocks)."""
    c = np.zeros(n_unknowns, dtype=complex)
    op = sp.csr_matrix(op)
    for k, s in enumerate(sectors):
        sl = slice(s[0], s[-1] + 1)
        blk = op[sl, sl].toarray()
        c[offsets[k] : offsets[k + 1]] = blk.T.reshape(-1, order="F")
    return c


def blocks_to_vector(rho: np.ndarray, sectors) -> np.ndarray:
    """The unknown vector (column-stacked q-diagonal blocks) of a dense ρ."""
    return np.concatenate([rho[s[0] : s[-1] + 1, s[0] : s[-1] + 1].reshape(-1, order="F") for s in sectors])


def liouvillian_blocks(hamiltonian, terms, sectors):
    """Sparse 𝓛 restricted to the q-diagonal blocks given by ``sectors``.

    ``terms`` is a list of (rate, J). Returns (L, offsets) where offsets[s]
    is the position of vec(ρ_{ss}) in the unknown vector.
    """
    dim = hamiltonian.shape[0]
    m = sp.csr_matrix((dim, dim), dtype=complex)
    for rate, j in terms:
        m = m + rate * (j.conj().T @ j)
    h_eff = (hamiltonian - 0.5j * m).tocsr()
    sizes = [len(s) for s in sectors]
    offsets = np.concatenate([[0], np.cumsum([n * n for n in sizes])])
    which = np.empty(dim, dtype=np.int64)
    for k, s in enumerate(sectors):
        which[s] = k
    blocks = [[None] * len(sectors) for _ in sectors]
    for k, s in enumerate(sectors):
        sl = slice(s[0], s[-1] + 1)
        he = h_eff[sl, sl]
        eye = sp.identity(len(s), dtype=complex, format="csr")
        blocks[k][k] = -1j * sp.kron(eye, he) + 1j * sp.kron(he.conj(), eye)
    for rate, j in terms:
        coo = j.tocoo()
        if coo.nnz == 0:
            continue
        # source sector -> target sector (unique by construction)
        for src in np.unique(which[coo.col]):
            tgt = int(which[coo.row[which[coo.col] == src][0]])
            ss, ts = sectors[src], sectors[tgt]
            jb = j[ts[0] : ts[-1] + 1, ss[0] : ss[-1] + 1]
            add = rate * sp.kron(jb.conj(), jb)
            blocks[tgt][src] = add if blocks[tgt][src] is None else blocks[tgt][src] + add
    lmat = sp.bmat(blocks, format="csc")
    return lmat, offsets


def steady_state(hamiltonian, terms, excitation: np.ndarray | None = None, *, residual_tol: float | None = None):
    """Unique steady state of dρ/dt = −i[H, ρ] + Σ_k r_k D[J_k] ρ.

    Parameters
    ----------
    hamiltonian : sparse (d, d)
    terms : list of (rate, sparse J)
    excitation : (d,) int array or None
        Conserved excitation number of each basis state, non-decreasing.
        When given and respected by every jump, only q-diagonal blocks are
        solved.
    residual_tol : float
        Refuse (ConvergenceError) above this relative residual.

    Returns
    -------
    SteadyStateSolution
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    dim = hamiltonian.shape[0]
    sectors, blockwise = block_sectors(hamiltonian, terms, excitation)
    lmat, offsets = liouvillian_blocks(hamiltonian, terms, sectors)
    n = lmat.shape[0]
    # trace row: ones at the diagonal entries of every block
    diag_pos = np.concatenate([offsets[k] + np.arange(len(s)) * (len(s) + 1) for k, s in enumerate(sectors)])
    a = lmat.tolil()
    a[0, :] = 0
    a[0, diag_pos] = 1.0
    a = a.tocsc()
    rhs = np.zeros(n, dtype=complex)
    rhs[0] = 1.0
    norm_l = float(abs(lmat).sum(axis=1).max())

    def attempt(threshold, symmetric):
        try:
            lu = spla.splu(
                a,
                permc_spec=config.SUPERLU_ORDERING,
                diag_pivot_thresh=threshold,
                options={"SymmetricMode": symmetric},
            )
        except RuntimeError as exc:  # exactly singular: no unique steady state
            raise ConvergenceError(f"the steady state is not unique or does not exist ({exc})") from None
        x = lu.solve(rhs)
        res = float(np.max(np.abs(lmat @ x)))
        return x, res / (norm_l * float(np.max(np.abs(x)))), lu

    x, rel, lu = attempt(config.SUPERLU_PIVOT_THRESHOLD, True)
    if not np.isfinite(rel) or rel > tol:  # fall back to strict partial pivoting
        x, rel, lu = attempt(1.0, False)
    if not np.isfinite(rel) or rel > tol:
        raise ConvergenceError(
            f"steady-state residual {rel:.2e} exceeds the tolerance {tol:.1e} "
            "(the steady state may not be unique: is every node connected to a bath?)"
        )
    cond = _condition_estimate(a, lu)
    if not cond <= config.STEADY_STATE_MAX_CONDITION:
        raise ConvergenceError(
            f"the steady state is not unique to working precision: the generator with the trace condition is "
            f"singular (condition number ≈ {cond:.1e} > {config.STEADY_STATE_MAX_CONDITION:.0e}): either some part "
            "of the network is decoupled from every bath (a dark state, or a symmetry such as two equal free "
            "leaves), or it relaxes more than ~1e15 times slower than the generator's fastest scale"
        )
    rho = np.zeros((dim, dim), dtype=complex)
    for k, s in enumerate(sectors):
        blk = x[offsets[k] : offsets[k + 1]].reshape(len(s), len(s), order="F")
        rho[s[0] : s[-1] + 1, s[0] : s[-1] + 1] = blk
    rho = 0.5 * (rho + rho.conj().T)
    rho /= np.trace(rho).real
    # A Lindblad generator with a unique steady state has a positive one. When the kernel of 𝓛 is
    # more than one-dimensional (a mode decoupled from every bath, e.g. a dark state of resonant
    # nodes), the factorisation can still return a trace-one kernel vector with a tiny residual
    # that is not a density matrix (measured: min eigenvalue −10.8 at residual 1e-17). Refuse it.
    lowest = min(float(np.linalg.eigvalsh(rho[s[0] : s[-1] + 1, s[0] : s[-1] + 1])[0]) for s in sectors)
    if lowest < -config.POSITIVITY_TOL:
        raise ConvergenceError(
            f"the computed steady state is not positive (lowest eigenvalue {lowest:.2e}): the steady state "
            "is not unique — some mode of the network may be decoupled from every bath (e.g. a dark state of "
            "resonant nodes)"
        )
    return SteadyStateSolution(rho, rel, n, "q-diagonal blocks" if blockwise else "full space", cond)


def _condition_estimate(a, lu) -> float:
    """‖A‖₁ ‖A⁻¹‖₁ from the LU factors (Hager/Higham 1-norm estimator: a few extra triangular solves)."""
    n = a.shape[0]
    if n == 1:
        return 1.0
    inv = spla.LinearOperator(
        (n, n), matvec=lu.solve, rmatvec=lambda y: lu.solve(np.asarray(y), trans="H"), dtype=complex
    )
    with np.errstate(all="ignore"):
        est = float(spla.onenormest(inv))
    norm_a = float(abs(a).sum(axis=0).max())
    return norm_a * est if np.isfinite(est) else float("inf")
