r"""Steady state of the global (Davies) master equation as a classical rate equation.

Conventions: ħ = k_B = 1; a heat current is positive when energy flows from
its bath into the network.

When does the Davies generator reduce to a rate equation?
---------------------------------------------------------
Write H_S = Σ_n E_n |n⟩⟨n| and X_α = a_i + a_i† for the node that bath α
touches. The Davies generator is 𝓛_α ρ = Σ_ω G_α(ω) D[X_α(ω)] ρ with
X_α(ω) = Σ_{E_n − E_m = ω} X_{α,mn} |m⟩⟨n|. Acting on a diagonal ρ = Σ p_n |n⟩⟨n|,

.. math::
    ⟨a|X_α(ω) ρ X_α(ω)^†|b⟩ = Σ_m X_{α,am} p_m X_{α,mb} \quad (E_m − E_a = E_m − E_b = ω),

so a population can feed a coherence ρ_ab (a ≠ b) only if E_a = E_b *and*
some intermediate state m is connected to both by the same X_α. The same
product K_ab = Σ_α Σ_m |X_{α,am}| |X_{α,mb}| decides whether coherences feed
populations and whether the anticommutator term X(ω)†X(ω) is diagonal.
Hence, if K_ab = 0 for every degenerate pair (within the Bohr tolerance of
:mod:`qheatnet.config`), populations and coherences decouple exactly, the
coherences relax to zero, and the populations obey the Pauli equation

.. math::
    \dot p_n = Σ_m (W_{nm} p_m − W_{mn} p_n), \qquad
    W_{nm} = Σ_α G_α(E_m − E_n)\, |⟨n|X_α|m⟩|^2 .

A non-degenerate spectrum is the common sufficient case (degenerate *Bohr
frequencies* alone do not matter). Degenerate levels with K_ab ≠ 0 are
reported and the caller falls back to the full Liouvillian.

Structure used
--------------
For qubits with swap couplings the eigenstates have a definite excitation
number q and X_α changes q by ±1, so W is block tridiagonal in q. It is
built block by block from the eigenvectors of each q-sector (only the
matrix elements of σ⁻_i between adjacent sectors), never forming the 4^N
Liouvillian, and solved by linear level reduction (the stationary vector of
a quasi-birth–death process): from the top level down, p_q = R_q p_{q−1}
with R_q = −(W_qq + W_{q,q+1} R_{q+1})^{-1} W_{q,q−1}. Every matrix inverted
is a (negated) non-singular M-matrix when the chain is irreducible.

The residual ‖W p‖_∞ / (‖W‖_∞ ‖p‖_∞) of the assembled rate equation is
always computed; above the tolerance the result is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .. import config
from ..errors import ConvergenceError
from ..physics.rates import bohr_tolerance

__all__ = [
    "EigenSectors",
    "eigen_sectors",
    "coupled_degeneracies",
    "stationary_populations",
    "transition_matrix",
]


@dataclass(frozen=True, eq=False)
class EigenSectors:
    """Eigen-decomposition of H_S sector by sector of the excitation number q.

    ``bounds[k]:bounds[k+1]`` is the index range of sector k in the product
    basis (ordered by q); ``energies[k]`` and ``vectors[k]`` its eigenpairs
    (columns of ``vectors[k]`` are eigenvectors in the product basis).
    """

    bounds: np.ndarray
    energies: list
    vectors: list

    @property
    def all_energies(self) -> np.ndarray:
        return np.concatenate(self.energies)

    def slice(self, k: int) -> slice:
        return slice(int(self.bounds[k]), int(self.bounds[k + 1]))


def eigen_sectors(hamiltonian, excitation: np.ndarray, tiebreak: np.ndarray | None = None) -> EigenSectors:
    """Diagonalise the real symmetric ``hamiltonian`` (sparse) sector by sector of ``excitation``.

    Within each cluster of degenerate levels (Bohr tolerance of
    :mod:`qheatnet.config`) the eigenvectors returned by LAPACK are an
    arbitrary rotation. If ``tiebreak`` (a diagonal operator in the product
    basis, e.g. Σ_i c_i n_i with generic c_i) is given, the cluster is
    re-diagonalised with it: for free-fermion chains this recovers the
    mode-occupation basis, in which degenerate levels that differ in two
    modes are not coupled by any single jump.
    """
    qs, starts = np.unique(excitation, return_index=True)
    bounds = np.concatenate([starts, [len(excitation)]])
    energies, vectors = [], []
    for k in range(len(qs)):
        sl = slice(int(bounds[k]), int(bounds[k + 1]))
        blk = hamiltonian[sl, sl].toarray()
        if np.any(np.abs(blk.imag) > 0):
            raise ValueError("the rate-equation solver needs a real Hamiltonian")
        e, v = sla.eigh(np.ascontiguousarray(blk.real), driver="evd", check_finite=False)
        energies.append(e)
        vectors.append(v)
    if tiebreak is not None:
        tol = _bohr_tol(np.concatenate(energies))
        for k, (e, v) in enumerate(zip(energies, vectors)):
            d = np.asarray(tiebreak, float)[int(bounds[k]) : int(bounds[k + 1])]
            for g in np.split(np.arange(len(e)), np.nonzero(np.diff(e) > tol)[0] + 1):
                if len(g) > 1:
                    sub = v[:, g]
                    _, u = np.linalg.eigh(sub.T @ (d[:, None] * sub))
                    v[:, g] = sub @ u
    return EigenSectors(bounds, energies, vectors)


def _bohr_tol(energies: np.ndarray) -> float:
    return bohr_tolerance(energies) if len(energies) else bohr_tolerance([1.0])


def _coupling_blocks(eig: EigenSectors, lowering_ops):
    """A[α][k] = V_k^T σ⁻ V_{k+1}: matrix elements of X_α between sectors k and k+1.

    σ⁻_i maps product states onto product states, so σ⁻ V_{k+1} is a row
    gather and only the rows of sector-k states with node i empty take part.
    """
    out = []
    nsec = len(eig.energies)
    for low in lowering_ops:
        blocks = []
        for k in range(nsec - 1):
            lo = low[eig.slice(k), eig.slice(k + 1)].tocsr().real
            rows = np.nonzero(np.diff(lo.indptr))[0]
            g = lo[rows] @ eig.vectors[k + 1]
            blocks.append(eig.vectors[k][rows].T @ g)
        out.append(blocks)
    return out


def coupled_degeneracies(eig: EigenSectors, amp_blocks, tol: float | None = None):
    """Degenerate level pairs (a, b) whose coherence couples to populations.

    Returns (n_degenerate_pairs, list of offending ((k_a, i_a), (k_b, i_b), K_ab)).
    K_ab = Σ_α Σ_m |X_{α,am}||X_{α,mb}| (see the module docstring). Pairs in
    sectors that differ by q ± 1 are reported when a jump connects them
    directly (K_ab = Σ_α |X_{α,ab}|: a zero Bohr frequency, whose coherences
    can be stationary); pairs further apart cannot couple.
    """
    energies = eig.all_energies
    nsec = len(eig.energies)
    tol = _bohr_tol(energies) if tol is None else tol
    sector_of = np.repeat(np.arange(nsec), [len(e) for e in eig.energies])
    local_index = np.concatenate([np.arange(len(e)) for e in eig.energies])
    order = np.argsort(energies, kind="stable")
    es = energies[order]
    groups = np.split(order, np.nonzero(np.diff(es) > tol)[0] + 1)
    scale = max((float(np.max(np.abs(b))) for blocks in amp_blocks for b in blocks if b.size), default=1.0) ** 2
    drop = config.COHERENCE_COUPLING_RTOL * scale

    def rows(blocks, k, idx, km):
        """|X_{a m}| for a ∈ idx (sector k), m ∈ sector km = k ± 1."""
        return np.abs(blocks[k][idx, :]) if km > k else np.abs(blocks[km][:, idx].T)

    n_pairs = 0
    bad = []
    for g in groups:
        if len(g) < 2:
            continue
        n_pairs += len(g) * (len(g) - 1) // 2
        secs = sector_of[g]
        for ka in np.unique(secs):
            for kb in np.unique(secs):
                if kb < ka or (kb - ka) not in (0, 1, 2):
                    continue
                ia = local_index[g[secs == ka]]
                ib = local_index[g[secs == kb]]
                kmat = np.zeros((len(ia), len(ib)))
                if kb - ka == 1:
                    # a zero-frequency jump a ↔ b: X(0) maps ρ_ab onto ρ_ba, and that coherence block can
                    # be stationary (non-unique steady state) — leave such cases to the full Liouvillian
                    scale1 = np.sqrt(scale)
                    for blocks in amp_blocks:
                        kmat += np.abs(blocks[ka][np.ix_(ia, ib)])
                    for x, y in zip(*np.nonzero(kmat > config.COHERENCE_COUPLING_RTOL * scale1)):
                        bad.append(((int(ka), int(ia[x])), (int(kb), int(ib[y])), float(kmat[x, y])))
                    continue
                for blocks in amp_blocks:
                    for km in {ka - 1, ka + 1} & {kb - 1, kb + 1}:
                        if 0 <= km < nsec:
                            kmat += rows(blocks, ka, ia, km) @ rows(blocks, kb, ib, km).T
                if ka == kb:
                    kmat[np.arange(len(ia)), np.arange(len(ia))] = 0.0
                for x, y in zip(*np.nonzero(kmat > drop)):
                    if ka == kb and y <= x:
                        continue
                    bad.append(((int(ka), int(ia[x])), (int(kb), int(ib[y])), float(kmat[x, y])))
    return n_pairs, bad


def _level_reduction(down, up, out_rates):
    """Stationary vector of a block-tridiagonal generator (levels k = 0..K).

    ``down[k]`` (n_k × n_{k+1}): rate n (level k+1) → m (level k) at [m, n];
    ``up[k]`` (n_{k+1} × n_k): rate m (level k) → n (level k+1) at [n, m];
    ``out_rates[k]``: total exit rate of each state of level k.
    """
    import warnings

    nlev = len(out_rates)
    r: list = [None] * nlev
    for k in range(nlev - 1, 0, -1):
        # censored generator of levels ≥ k seen from level k: singular (LAPACK's rcond below ε) when a closed
        # class of states never reaches the levels below, i.e. when the stationary state is not unique
        m = -np.diag(out_rates[k]) + (down[k] @ r[k + 1] if k < nlev - 1 else 0.0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", sla.LinAlgWarning)
                r[k] = -sla.solve(m, up[k - 1], check_finite=False, overwrite_a=True)
        except (ValueError, np.linalg.LinAlgError, sla.LinAlgWarning) as exc:
            raise ConvergenceError(
                f"rate equation: the steady state is not unique (the reduced generator of excitation level {k} is "
                f"singular: {exc})"
            ) from None
    m0 = -np.diag(out_rates[0]) + (down[0] @ r[1] if nlev > 1 else 0.0)
    if m0.shape[0] == 1:
        p0 = np.ones(1)
    else:  # null vector of the reduced ground-level generator; a second (near-)null vector: not unique
        _, s, vt = np.linalg.svd(m0)
        if s[-2] <= config.PAULI_KERNEL_RTOL * s[0]:
            raise ConvergenceError(
                f"rate equation: the steady state is not unique (the reduced ground-level generator has two null "
                f"vectors: singular values {s[-2]:.1e}, {s[-1]:.1e} of {s[0]:.1e})"
            )
        p0 = np.abs(vt[-1])
    p = [p0]
    for k in range(1, nlev):
        p.append(r[k] @ p[-1])
    total = sum(float(np.sum(x)) for x in p)
    return [x / total for x in p]


def stationary_populations(rates, *, residual_tol: float | None = None) -> tuple[list[np.ndarray], float]:
    """Stationary eigenstate populations of the Pauli equation with ``rates`` (:class:`~qheatnet.physics.generator.PauliRates`).

    Returns (populations per sector, relative residual ‖W p‖_∞ / (‖W‖_∞ ‖p‖_∞)).

    Raises
    ------
    ConvergenceError
        Residual above tolerance, or negative populations (no unique steady state).
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    down, up = rates.down, rates.up
    nsec = len(rates.energies)
    out_rates = rates.out_rates()
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        try:
            p = _level_reduction(down, up, out_rates)
        except FloatingPointError as exc:
            raise ConvergenceError(f"rate equation: no unique steady state ({exc})") from None
    res = 0.0
    norm_w = 0.0
    for k in range(nsec):
        r = -out_rates[k] * p[k]
        rowsum = np.abs(out_rates[k]).copy()
        if k < nsec - 1:
            r += down[k] @ p[k + 1]
            rowsum += down[k].sum(axis=1)
        if k > 0:
            r += up[k - 1] @ p[k - 1]
            rowsum += up[k - 1].sum(axis=1)
        res = max(res, float(np.max(np.abs(r))))
        norm_w = max(norm_w, float(np.max(rowsum)))
    pmax = max(float(np.max(np.abs(x))) for x in p)
    rel = res / (norm_w * pmax) if norm_w > 0 else res
    pmin = min(float(np.min(x)) for x in p)
    if not np.isfinite(rel) or rel > tol or pmin < -tol * pmax:
        raise ConvergenceError(
            f"rate-equation steady state refused: residual {rel:.2e} (tolerance {tol:.1e}), smallest population "
            f"{pmin:.2e} (the steady state may not be unique: is every node connected to a bath?)"
        )
    p = [np.clip(x, 0.0, None) for x in p]
    total = sum(float(np.sum(x)) for x in p)
    return [x / total for x in p], rel


def transition_matrix(rates):
    """The sparse Pauli generator W (ṗ = W p) over all eigenstates, block tridiagonal in q."""
    import scipy.sparse as sp

    sizes = [len(e) for e in rates.energies]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    nsec = len(sizes)
    blocks: list[list] = [[None] * nsec for _ in range(nsec)]
    out = np.zeros(int(starts[-1]))
    for k in range(nsec - 1):
        blocks[k + 1][k] = sp.csr_matrix(rates.up[k])  # m (k) → n (k + 1)
        blocks[k][k + 1] = sp.csr_matrix(rates.down[k])  # n (k + 1) → m (k)
        out[starts[k] : starts[k + 1]] += rates.up[k].sum(axis=0)
        out[starts[k + 1] : starts[k + 2]] += rates.down[k].sum(axis=0)
    for k in range(nsec):
        blocks[k][k] = sp.diags(-out[starts[k] : starts[k + 1]])
    return sp.bmat(blocks, format="csr")
