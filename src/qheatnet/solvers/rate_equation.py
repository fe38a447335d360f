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

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla

from .. import config
from ..errors import ConvergenceError

#: A degenerate pair (a, b) counts as coupling coherences to populations when
#: K_ab = Σ_α Σ_m |X_am||X_mb| exceeds this times max|X|². The neglected
#: coherence is then at most ~K_ab relative to the populations that drive it,
#: so the populations change by at most that much: the threshold matches the
#: steady-state tolerance (STEADY_STATE_RESIDUAL = 1e-9). Measured: pairs that
#: differ in two fermion modes (graded XX chains) give K ≈ 1e-12 from the
#: round-off of the eigenvectors; genuine couplings are O(1).
COHERENCE_COUPLING_RTOL = 1e-9

__all__ = [
    "COHERENCE_COUPLING_RTOL",
    "RateEquationSolution",
    "EigenSectors",
    "eigen_sectors",
    "coupled_degeneracies",
    "solve_rate_equation",
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


@dataclass(frozen=True, eq=False)
class RateEquationSolution:
    """Stationary populations of the eigenstates and the bookkeeping built from them.

    Attributes
    ----------
    populations : list of arrays, p_n per q-sector (eigenbasis of each sector)
    residual : float, relative residual of the Pauli equation
    currents : dict, bath name → J_α (with the Hamiltonian used for ``energies``)
    currents_bare : dict, bath name → J_α with H_0 = Σ ω_i n_i
    gross_exchange : float, Σ_α Σ rates·|ω|·p (energy exchanged both ways)
    min_bohr_gap, max_rate : float, for the secular-approximation diagnostic
    degenerate_pairs : int, pairs of levels closer than the Bohr tolerance
        (all found harmless, K_ab = 0)
    """

    populations: list
    residual: float
    currents: dict
    currents_bare: dict
    gross_exchange: float
    min_bohr_gap: float
    max_rate: float
    degenerate_pairs: int
    info: dict = field(default_factory=dict)


def _bohr_tol(energies: np.ndarray) -> float:
    scale = float(np.max(np.abs(energies))) if len(energies) else 1.0
    return config.BOHR_ATOL + config.BOHR_RTOL * scale


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
    drop = COHERENCE_COUPLING_RTOL * scale

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
                    for x, y in zip(*np.nonzero(kmat > COHERENCE_COUPLING_RTOL * scale1)):
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
    nlev = len(out_rates)
    r = [None] * nlev
    for k in range(nlev - 1, 0, -1):
        # censored generator of levels ≥ k seen from level k
        m = -np.diag(out_rates[k]) + (down[k] @ r[k + 1] if k < nlev - 1 else 0.0)
        try:
            r[k] = -sla.solve(m, up[k - 1], check_finite=False, overwrite_a=True)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise ConvergenceError(f"rate equation: no unique steady state (level {k}: {exc})") from None
    m0 = -np.diag(out_rates[0]) + (down[0] @ r[1] if nlev > 1 else 0.0)
    if m0.shape[0] == 1:
        p0 = np.ones(1)
    else:  # null vector of the reduced ground-level generator
        _, _, vt = np.linalg.svd(m0)
        p0 = np.abs(vt[-1])
    p = [p0]
    for k in range(1, nlev):
        p.append(r[k] @ p[-1])
    total = sum(float(np.sum(x)) for x in p)
    return [x / total for x in p]


def solve_rate_equation(
    eig: EigenSectors,
    lowering_ops,
    baths,
    *,
    bare_diagonal: np.ndarray | None = None,
    residual_tol: float | None = None,
    amp_blocks=None,
    consume_blocks: bool = False,
    keep_rates: bool = False,
) -> RateEquationSolution:
    """Stationary populations of the Davies rate equation (see the module docstring).

    Parameters
    ----------
    eig : EigenSectors of H_S (real), sectors of consecutive excitation number
    lowering_ops : list of sparse σ⁻ of the node each bath touches (one per bath)
    baths : list of (name, spectrum, temperature), one per bath
    bare_diagonal : ⟨n|H_0|n⟩ for every eigenstate (concatenated), for the bare currents
    residual_tol : refuse above this relative residual (default STEADY_STATE_RESIDUAL)
    amp_blocks : precomputed :func:`_coupling_blocks` (optional)
    consume_blocks : free each block of ``amp_blocks`` once used (saves memory at large N)
    keep_rates : also return, in ``info["rates"]``, the per-bath rate blocks
        (r_up[m, n] for m → n, r_down[m, n] for n → m, m in sector k, n in k + 1)

    Raises
    ------
    ConvergenceError
        Residual above tolerance, or negative populations (no unique steady state).
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    amps = _coupling_blocks(eig, lowering_ops) if amp_blocks is None else amp_blocks
    nsec = len(eig.energies)
    btol = _bohr_tol(eig.all_energies)
    # Bohr frequency of the down transition n (sector k+1) → m (sector k): ω = E_n − E_m
    omegas = []
    for k in range(nsec - 1):
        w = eig.energies[k + 1][None, :] - eig.energies[k][:, None]
        w[np.abs(w) <= btol] = 0.0
        omegas.append(w)
    down = [np.zeros_like(w) for w in omegas]
    up = [np.zeros_like(w.T) for w in omegas]
    per_bath = []  # per bath and block: (rate up m → n, rate down n → m), both indexed [m, n]
    max_rate = 0.0
    min_gap = np.inf
    for blocks, (_, spectrum, temp) in zip(amps, baths):
        bath_blocks = []
        positive = []
        xmax = max((float(np.max(np.abs(b))) for b in blocks if b is not None and b.size), default=0.0)
        drop = (config.JUMP_DROP_RTOL * xmax) ** 2  # as in the Davies builder: round-off elements
        for k in range(nsec - 1):
            sq = blocks[k] ** 2
            if consume_blocks:
                blocks[k] = None
            nz = sq > drop
            sq[~nz] = 0.0
            w = np.abs(omegas[k])
            # G(ω) for the down move (network loses ω), G(−ω) for the up move
            emit = np.asarray(spectrum.emission(w, temp), dtype=float)
            absorb = np.asarray(spectrum.absorption(w, temp), dtype=float)
            pos = omegas[k] >= 0
            r_down = np.where(pos, emit, absorb)
            r_up = np.where(pos, absorb, emit)
            zero = omegas[k] == 0.0
            if np.any(zero):  # as the Davies builder: one X(0) at rate G(0) acts both ways
                g0 = float(spectrum.bohr_rate(0.0, temp))
                r_down[zero] = g0
                r_up[zero] = g0
            r_down *= sq
            r_up *= sq
            down[k] += r_down
            up[k] += r_up.T
            if np.any(nz):
                max_rate = max(max_rate, float(np.max((emit + absorb) * nz)))
                positive.append(np.unique(w[nz]))
            del sq, emit, absorb, pos, nz, w
            bath_blocks.append((r_up, r_down))
        per_bath.append(bath_blocks)
        if positive:
            u = np.unique(np.concatenate(positive))
            u = u[u > 0]
            if len(u) > 1:
                # frequencies within the Bohr tolerance are one frequency
                d = np.diff(u)
                d = d[d > btol]
                if len(d):
                    min_gap = min(min_gap, float(np.min(d)))
    out_rates = []
    for k in range(nsec):
        o = np.zeros(len(eig.energies[k]))
        if k < nsec - 1:
            o += up[k].sum(axis=0)
        if k > 0:
            o += down[k - 1].sum(axis=0)
        out_rates.append(o)
    with np.errstate(divide="raise", invalid="raise", over="raise"):
        try:
            p = _level_reduction(down, up, out_rates)
        except FloatingPointError as exc:
            raise ConvergenceError(f"rate equation: no unique steady state ({exc})") from None
    # residual of W p = 0
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
    p = [x / total for x in p]
    # heat currents: J_α = Σ_{m∈k, n∈k+1} (E_n − E_m) s_mn [G_α(−ω) p_m − G_α(ω) p_n]
    bare = None
    if bare_diagonal is not None:
        bare = np.split(np.asarray(bare_diagonal, float), np.cumsum([len(e) for e in eig.energies])[:-1])
    currents, currents_bare, gross = {}, {}, 0.0
    for (name, _, _), bath_blocks in zip(baths, per_bath):
        j = jb = 0.0
        for k, (r_up, r_down) in enumerate(bath_blocks):
            flow_up = r_up * p[k][:, None]  # m → n (the network gains E_n − E_m)
            flow_down = r_down * p[k + 1][None, :]  # n → m
            gross += float(np.sum((flow_up + flow_down) * np.abs(omegas[k])))
            net = flow_up - flow_down
            j += float(np.sum(net * (eig.energies[k + 1][None, :] - eig.energies[k][:, None])))
            if bare is not None:
                jb += float(np.sum(net * (bare[k + 1][None, :] - bare[k][:, None])))
        currents[name] = j
        currents_bare[name] = jb
    return RateEquationSolution(
        populations=p,
        residual=rel,
        currents=currents,
        currents_bare=currents_bare if bare is not None else {},
        gross_exchange=gross,
        min_bohr_gap=min_gap,
        max_rate=max_rate,
        degenerate_pairs=0,
        info={"rates": per_bath} if keep_rates else {},
    )
