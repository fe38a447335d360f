r"""Full counting statistics of the heat exchanged with the baths: the tilted Lindblad generator.

Conventions: ħ = k_B = 1. A *counting field* f assigns to every jump term k of the generator the
energy W_fk that the counted quantity gains when the term jumps. For the heat Q_α taken from bath α
(positive when energy flows from the bath into the network, the sign of J_α), W_αk = −ω_k for the
terms of bath α (``LindbladTerm.omega`` is the energy the network *loses* per jump) and 0 otherwise.

Tilted generator
----------------
With ρ(Q, t) the density matrix resolved by the counted energy Q and ρ(χ, t) = Σ_Q e^{iχQ} ρ(Q, t),

.. math::
    \dot ρ(χ) = 𝓛_χ ρ(χ),\qquad 𝓛_χ = 𝓛 + Σ_k r_k (e^{iχ W_k} − 1)\, 𝒥_k,\qquad 𝒥_k ρ = J_k ρ J_k^†,

because every jump k multiplies the generating function by e^{iχW_k} (Esposito, Harbola & Mukamel,
Rev. Mod. Phys. 81, 1665 (2009), sec. IV). Z(χ, t) = Tr ρ(χ, t) ∼ e^{λ(χ) t} with λ(χ) the
eigenvalue of 𝓛_χ that tends to 0 at χ = 0. With s = iχ (derivatives in s, at s = 0) the scaled
cumulants are c_n = d^n λ/ds^n, i.e. c_1 = J (the mean current), c_2 = S = ⟨⟨Q²⟩⟩/t (the
zero-frequency noise), c_3 = ⟨⟨Q³⟩⟩/t.

Recursive scheme (Flindt et al., PRB 82, 155407 (2010); Flindt, Novotný & Jauho, EPL 69, 475 (2005))
------------------------------------------------------------------------------------------------
Write 𝓛_s = Σ_n (s^n/n!) 𝓛^{(n)} with 𝓛^{(0)} = 𝓛 and 𝓛^{(n)} = Σ_k r_k W_k^n 𝒥_k (n ≥ 1), and
expand the right eigenvector ρ(s) = Σ_n (s^n/n!) ρ^{(n)} with the normalisation Tr ρ(s) = 1, i.e.
Tr ρ^{(0)} = 1 and Tr ρ^{(n)} = 0 for n ≥ 1. Differentiating 𝓛_s ρ(s) = λ(s) ρ(s) n times
(Leibniz) and taking the trace (Tr 𝓛 X = 0 for every X: 𝓛 preserves the trace) gives, without any
numerical differentiation,

.. math::
    c_n = Σ_{k=1}^{n} \binom{n}{k} \mathrm{Tr}[𝓛^{(k)} ρ^{(n−k)}],\qquad
    𝓛 ρ^{(n)} = Σ_{k=1}^{n} \binom{n}{k} (c_k − 𝓛^{(k)})\, ρ^{(n−k)},\quad \mathrm{Tr}\,ρ^{(n)} = 0 .

The right-hand side of the second equation has zero trace (by the first), so it is solved with
the *same* LU factorisation as the steady state: the trace-constrained Liouvillian A (the first
diagonal equation replaced by the trace), with trace target 0. This is the pseudo-inverse
𝓡 = 𝒬𝓛^{-1}𝒬 of Flindt et al. restricted to the traceless subspace. Explicitly

.. math::
    c_1 = \mathrm{Tr}\,𝓛^{(1)}ρ_0,\quad
    c_2 = \mathrm{Tr}\,𝓛^{(2)}ρ_0 − 2\,\mathrm{Tr}\,𝓛^{(1)}𝓡𝓛^{(1)}ρ_0,\quad
    c_3 = \mathrm{Tr}[𝓛^{(3)}ρ_0 + 3𝓛^{(2)}ρ^{(1)} + 3𝓛^{(1)}ρ^{(2)}],

and, for two fields f ≠ g (no jump counted by both), the cross noise
S_fg = Tr[𝓛_f^{(1)} ρ_g^{(1)}] + Tr[𝓛_g^{(1)} ρ_f^{(1)}].

Bookkeeping. The mean c_1 = Σ_k r_k W_k Tr[J_k ρ J_k^†] counts the *jump energies*: for the
local approach (J = a_i, a_i† with ω_k = ±ω_i) it is the bare current Tr[H_0 𝓛_α ρ], because
Tr[H_0 D[a_i]ρ] = −ω_i ⟨a_i†a_i⟩ exactly; for the global (Davies) approach the jumps are
eigen-operators, [H_S, A(ω)] = −ωA(ω), so it is the full current Tr[H_S 𝓛_α ρ]; for the unified
equation (jumps of frequency ω̃ w.r.t. H̃) it is the consistent current Tr[H̃ 𝓛_α ρ].

Structure. When H conserves the excitation number q and every jump shifts q by a fixed amount
(:func:`qheatnet.solvers.liouvillian.block_sectors`), 𝓛 and every 𝒥_k map the q-diagonal blocks of
ρ into themselves; the steady state and all ρ^{(n)} live there. Small spaces (dimension at most
``COUNTING_DENSE_MAX_DIM``) are treated with dense LAPACK, larger ones with SuperLU on the sparse
block generator of :func:`~qheatnet.solvers.liouvillian.liouvillian_blocks`.

Checks. Every solve's residual ‖𝓛x − b‖ is compared with ``STEADY_STATE_RESIDUAL`` × (‖𝓛‖‖x‖ + ‖b‖);
the 1-norm condition number of A is estimated and a steady state that is not unique to working
precision is refused (as in :func:`qheatnet.solvers.liouvillian.steady_state`). Each cumulant comes
with its rounding resolution κ(A)·ε·Σ_k r_k |W_k|^n ⟨J_k^†J_k⟩ (the gross n-th moment of the jump
energies); cumulants are real, and an imaginary part above ``COUNTING_IMAG_RTOL`` of that scale is
refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import config
from ..errors import ConvergenceError

__all__ = ["TiltedGenerator", "FockCounting", "build_tilted", "counting_cumulants", "tilted_eigenvalue"]


@dataclass(frozen=True, eq=False)
class TiltedGenerator:
    """The generator 𝓛 and the jump superoperators 𝒥_k on the solved unknowns (dense or sparse).

    ``unknown_pairs`` (m, 2): the (row, column) of ρ of every unknown; ``trace`` the unknowns on the
    diagonal (x[trace].sum() = Tr ρ); ``structure``: "q-diagonal blocks" or "full space".
    """

    lmat: np.ndarray | sp.csc_matrix
    jumps: list
    rates: np.ndarray
    trace: np.ndarray
    unknown_pairs: np.ndarray
    dim: int
    dense: bool
    structure: str

    @property
    def unknowns(self) -> int:
        return int(self.lmat.shape[0])

    def expect(self, x: np.ndarray, op) -> complex:
        """Tr[ρ op] for the unknown vector x (only the unknowns' entries of op are used)."""
        o = sp.csr_matrix(op)
        i, j = self.unknown_pairs[:, 0], self.unknown_pairs[:, 1]
        vals = np.asarray(o[j, i]).ravel()  # Tr[ρ op] = Σ_ij ρ_ij op_ji
        return complex(np.sum(vals * x))

    def density_matrix(self, x: np.ndarray) -> np.ndarray:
        """The dense ρ of the unknown vector x (zero outside the unknowns)."""
        rho = np.zeros((self.dim, self.dim), dtype=complex)
        rho[self.unknown_pairs[:, 0], self.unknown_pairs[:, 1]] = x
        return rho


@dataclass(frozen=True, eq=False)
class FockCounting:
    """Scaled cumulants of the counted energies (see the module docstring).

    Attributes
    ----------
    cumulants : (n_fields, order) real, c_n (column n − 1) of every field
    noise_matrix : (n_fields, n_fields) real, zero-frequency (cross) noise S_fg (diagonal = c_2)
    resolution : (n_fields, order) rounding resolution of each cumulant (absolute)
    rho : (m,) the steady-state unknown vector (see :class:`TiltedGenerator`)
    residual : largest relative residual of the solves
    condition : estimated 1-norm condition number of the trace-constrained generator
    unknowns : number of unknowns; structure : "q-diagonal blocks" or "full space"
    imaginary : largest |Im c_n| relative to the resolution scale of c_n
    """

    cumulants: np.ndarray
    noise_matrix: np.ndarray
    resolution: np.ndarray
    rho: np.ndarray
    residual: float
    condition: float
    unknowns: int
    structure: str
    imaginary: float
    generator: TiltedGenerator | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------
# the generator on the solved unknowns
# ---------------------------------------------------------------------------


def _dense_generator(hamiltonian, terms, excitation) -> TiltedGenerator:
    """Dense 𝓛 (column stacking, vec(AρB) = (Bᵀ ⊗ A) vec ρ) restricted to the q-diagonal unknowns."""
    h = np.asarray(hamiltonian.toarray() if sp.issparse(hamiltonian) else hamiltonian, dtype=complex)
    d = h.shape[0]
    ops = [np.asarray(j.toarray() if sp.issparse(j) else j, dtype=complex) for _, j in terms]
    rates = np.array([float(r) for r, _ in terms])
    m = np.zeros((d, d), dtype=complex)
    for r, j in zip(rates, ops):
        m += r * (j.conj().T @ j)
    heff = h - 0.5j * m
    eye = np.eye(d)
    lfull = -1j * np.kron(eye, heff) + 1j * np.kron(heff.conj(), eye)
    jumps_full = [np.kron(j.conj(), j) for j in ops]
    for r, jf in zip(rates, jumps_full):
        lfull += r * jf
    jj, ii = np.divmod(np.arange(d * d), d)  # vec index i + d·j of ρ_ij (column stacking)
    keep = np.ones(d * d, dtype=bool)
    structure = "full space"
    if excitation is not None:
        q = np.asarray(excitation)
        cand = q[ii] == q[jj]
        if not np.all(cand) and not np.any(lfull[np.ix_(~cand, cand)]):
            keep = cand  # the q-diagonal unknowns are invariant under 𝓛 (hence under every 𝒥_k, see below)
            structure = "q-diagonal blocks"
    idx = np.flatnonzero(keep)
    lmat = np.ascontiguousarray(lfull[np.ix_(idx, idx)])
    jumps = [np.ascontiguousarray(jf[np.ix_(idx, idx)]) for jf in jumps_full]
    if structure == "q-diagonal blocks":
        # each 𝒥_k alone must also keep the q-diagonal unknowns (a jump shifting q by a fixed amount does)
        for jf in jumps_full:
            if np.any(jf[np.ix_(~keep, keep)]):
                idx = np.arange(d * d)
                lmat, jumps, structure = lfull, jumps_full, "full space"
                break
    pairs = np.stack([ii[idx], jj[idx]], axis=1)
    trace = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
    return TiltedGenerator(lmat, jumps, rates, trace, pairs, d, True, structure)


def _sparse_generator(hamiltonian, terms, excitation) -> TiltedGenerator:
    """Sparse block generator of :func:`liouvillian_blocks` and the jump superoperators in its layout."""
    from .liouvillian import block_sectors, liouvillian_blocks

    sectors, blockwise = block_sectors(hamiltonian, terms, excitation)
    lmat, offsets = liouvillian_blocks(hamiltonian, terms, sectors)
    d = hamiltonian.shape[0]
    which = np.empty(d, dtype=np.int64)
    for k, s in enumerate(sectors):
        which[s] = k
    n = lmat.shape[0]
    jumps = []
    for _, j in terms:
        j = sp.csr_matrix(j)
        coo = j.tocoo()
        rows_all, cols_all, vals_all = [], [], []
        if coo.nnz:
            for src in np.unique(which[coo.col]):
                tgt = int(which[coo.row[which[coo.col] == src][0]])
                ss, ts = sectors[src], sectors[tgt]
                jb = j[ts[0] : ts[-1] + 1, ss[0] : ss[-1] + 1]
                blk = sp.kron(jb.conj(), jb, format="coo")
                rows_all.append(blk.row + offsets[tgt])
                cols_all.append(blk.col + offsets[src])
                vals_all.append(blk.data)
        if rows_all:
            jm = sp.csc_matrix(
                (np.concatenate(vals_all), (np.concatenate(rows_all), np.concatenate(cols_all))), shape=(n, n)
            )
        else:
            jm = sp.csc_matrix((n, n), dtype=complex)
        jumps.append(jm)
    pairs = np.concatenate(
        [np.stack([np.tile(s, len(s)), np.repeat(s, len(s))], axis=1) for s in sectors]
    )  # column stacking within each block: (i, j) with i fastest
    trace = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
    rates = np.array([float(r) for r, _ in terms])
    return TiltedGenerator(
        lmat.tocsc(), jumps, rates, trace, pairs, d, False, "q-diagonal blocks" if blockwise else "full space"
    )


def build_tilted(hamiltonian, terms, excitation=None) -> TiltedGenerator:
    """𝓛 and the 𝒥_k of dρ/dt = −i[H, ρ] + Σ_k r_k D[J_k]ρ on the q-diagonal blocks where they suffice.

    ``terms``: list of (rate, J). Dense up to ``COUNTING_DENSE_MAX_DIM`` states, sparse beyond.
    """
    d = hamiltonian.shape[0]
    if d <= config.COUNTING_DENSE_MAX_DIM:
        return _dense_generator(hamiltonian, terms, excitation)
    return _sparse_generator(hamiltonian, terms, excitation)


# ---------------------------------------------------------------------------
# factorisation of the trace-constrained generator
# ---------------------------------------------------------------------------


class _Factor:
    """LU of A = 𝓛 with its first (diagonal) equation replaced by the trace; solves with a trace target."""

    def __init__(self, gen: TiltedGenerator):
        self.gen = gen
        n = gen.unknowns
        r0 = int(gen.trace[0])
        if r0 != 0:
            raise ConvergenceError("internal error: the first unknown is not a diagonal element of ρ")
        self.row = r0
        if gen.dense:
            a = np.array(gen.lmat, dtype=complex)
            a[r0, :] = 0.0
            a[r0, gen.trace] = 1.0
            self.a = a
            self.norm_l = float(np.max(np.sum(np.abs(gen.lmat), axis=1))) if n else 1.0
            try:
                with np.errstate(all="ignore"):
                    self.lu = sla.lu_factor(a, check_finite=True)
            except (ValueError, np.linalg.LinAlgError) as exc:
                raise ConvergenceError(f"the steady state is not unique or does not exist ({exc})") from None
            self._solve = lambda b: sla.lu_solve(self.lu, b, check_finite=False)
            with np.errstate(all="ignore"):
                ainv_norm = float(np.linalg.norm(sla.lu_solve(self.lu, np.eye(n), check_finite=False), 1))
            self.condition = float(np.linalg.norm(a, 1)) * ainv_norm if np.isfinite(ainv_norm) else math.inf
        else:
            lil = sp.csc_matrix(gen.lmat).tolil()
            lil[r0, :] = 0
            lil[r0, gen.trace] = 1.0
            a = lil.tocsc()
            self.a = a
            self.norm_l = float(abs(gen.lmat).sum(axis=1).max())
            self.lu = self._splu(a)
            self._solve = self.lu.solve
            self.condition = self._sparse_condition(a)

    def _splu(self, a):
        last = None
        for threshold, symmetric in ((config.SUPERLU_PIVOT_THRESHOLD, True), (1.0, False)):
            try:
                lu = spla.splu(
                    a,
                    permc_spec=config.SUPERLU_ORDERING,
                    diag_pivot_thresh=threshold,
                    options={"SymmetricMode": symmetric},
                )
            except RuntimeError as exc:  # exactly singular
                last = exc
                continue
            rhs = np.zeros(a.shape[0], dtype=complex)
            rhs[self.row] = 1.0
            x = lu.solve(rhs)
            res = float(np.max(np.abs(self.gen.lmat @ x))) / (self.norm_l * max(float(np.max(np.abs(x))), 1e-300))
            if np.isfinite(res) and res <= config.STEADY_STATE_RESIDUAL:
                return lu
            last = RuntimeError(f"residual {res:.1e}")
        raise ConvergenceError(f"the steady state is not unique or does not exist ({last})")

    def _sparse_condition(self, a) -> float:
        n = a.shape[0]
        if n == 1:
            return 1.0
        inv = spla.LinearOperator(
            (n, n), matvec=self.lu.solve, rmatvec=lambda y: self.lu.solve(np.asarray(y), trans="H"), dtype=complex
        )
        with np.errstate(all="ignore"):
            est = float(spla.onenormest(inv))
        return float(abs(a).sum(axis=0).max()) * est if np.isfinite(est) else math.inf

    def solve(self, b: np.ndarray, trace: float) -> tuple[np.ndarray, float]:
        """x with 𝓛x = b (b traceless unless trace = 1 and b = 0) and Tr x = ``trace``; relative residual."""
        rhs = np.array(b, dtype=complex)
        rhs[self.row] = trace
        with np.errstate(all="ignore"):
            x = self._solve(rhs)
        lx = self.gen.lmat @ x
        # the replaced equation is implied by the others (Tr 𝓛x = 0 = Tr b): check all of them
        res = float(np.max(np.abs(lx - b)))
        scale = self.norm_l * float(np.max(np.abs(x))) + float(np.max(np.abs(b)))
        return x, (res / scale if scale > 0 else 0.0)


# ---------------------------------------------------------------------------
# cumulants
# ---------------------------------------------------------------------------


def counting_cumulants(hamiltonian, terms, counted, *, order: int = 3, excitation=None) -> FockCounting:
    """Scaled cumulants c_1 … c_order of every counting field by the recursive scheme (module docstring).

    Parameters
    ----------
    hamiltonian : (d, d) sparse or dense, H
    terms : list of (rate, J) — the generator is −i[H, ·] + Σ_k rate_k D[J_k]
    counted : (n_fields, n_terms) array, W_fk: the energy counted by field f when term k jumps
    order : highest cumulant (≥ 2: the noise is always computed)
    excitation : (d,) conserved excitation number of each basis state, or None

    Returns
    -------
    FockCounting

    Raises
    ------
    ConvergenceError
        No unique steady state, a residual above ``STEADY_STATE_RESIDUAL``, or complex cumulants.
    """
    gen = build_tilted(hamiltonian, terms, excitation)
    return cumulants_of(gen, counted, order=order)


def cumulants_of(gen: TiltedGenerator, counted, *, order: int = 3) -> FockCounting:
    """As :func:`counting_cumulants`, for a generator already built by :func:`build_tilted`."""
    w = np.atleast_2d(np.asarray(counted, dtype=float))
    n_fields, n_terms = w.shape
    if n_terms != len(gen.jumps):
        raise ValueError(f"counted has {n_terms} columns for {len(gen.jumps)} jump terms")
    order = max(int(order), 2)
    fac = _Factor(gen)
    if not fac.condition <= config.STEADY_STATE_MAX_CONDITION:
        raise ConvergenceError(
            f"the steady state is not unique to working precision (condition number ≈ {fac.condition:.1e} > "
            f"{config.STEADY_STATE_MAX_CONDITION:.0e}): part of the network is decoupled from every bath, or "
            "relaxes more than ~1e15 times slower than the generator's fastest scale"
        )
    n = gen.unknowns
    zero = np.zeros(n, dtype=complex)
    rho0, res = fac.solve(zero, 1.0)
    worst = res
    if not (np.isfinite(res) and res <= config.STEADY_STATE_RESIDUAL):
        raise ConvergenceError(f"steady-state residual {res:.2e} exceeds {config.STEADY_STATE_RESIDUAL:.1e}")
    tr = np.zeros(n)
    tr[gen.trace] = 1.0
    # Tr[𝒥_k x] = tvec_k · x, and the occupation of every jump ⟨J_k†J_k⟩ = tvec_k · ρ0
    if gen.dense:
        tvecs = np.array([tr @ j for j in gen.jumps]) if gen.jumps else np.zeros((0, n))
    else:
        tvecs = np.array([j.T @ tr for j in gen.jumps]) if gen.jumps else np.zeros((0, n))
    occ = np.real(tvecs @ rho0)  # ⟨J_k†J_k⟩ ≥ 0
    eps = np.finfo(float).eps
    cum = np.zeros((n_fields, order))
    resol = np.zeros((n_fields, order))
    first = np.zeros((n_fields, n), dtype=complex)
    imag = 0.0
    for f in range(n_fields):
        wf = w[f]
        sel = np.flatnonzero(wf != 0)
        # 𝓛^{(k)} x = Σ_t r_t W_t^k 𝒥_t x and Tr 𝓛^{(k)} x = Σ_t r_t W_t^k tvec_t · x
        coef = [gen.rates[sel] * wf[sel] ** k for k in range(order + 1)]

        def lk(k, x, coef=coef, sel=sel):
            out = np.zeros(n, dtype=complex)
            for c, t in zip(coef[k], sel):
                out += c * (gen.jumps[t] @ x)
            return out

        def trk(k, x, coef=coef, sel=sel):
            return complex(np.sum(coef[k] * (tvecs[sel] @ x))) if len(sel) else 0j

        rhos = [rho0]
        cs = []
        for m in range(1, order + 1):
            c = sum(math.comb(m, k) * trk(k, rhos[m - k]) for k in range(1, m + 1))
            cs.append(c)
            scale = float(np.sum(gen.rates[sel] * np.abs(wf[sel]) ** m * np.abs(occ[sel])))
            resol[f, m - 1] = 10.0 * fac.condition * eps * scale
            imag = max(imag, abs(c.imag) / scale if scale > 0 else 0.0)
            if m == order:
                break
            b = np.zeros(n, dtype=complex)
            for k in range(1, m + 1):
                b += math.comb(m, k) * (cs[k - 1] * rhos[m - k] - lk(k, rhos[m - k]))
            x, res = fac.solve(b, 0.0)
            worst = max(worst, res)
            rhos.append(x)
        cum[f] = np.real(np.array(cs))
        first[f] = rhos[1]  # kept for the cross noise
    if not (np.isfinite(worst) and worst <= config.STEADY_STATE_RESIDUAL):
        raise ConvergenceError(
            f"a counting-statistics solve has residual {worst:.2e} > {config.STEADY_STATE_RESIDUAL:.1e}"
        )
    if imag > config.COUNTING_IMAG_RTOL:
        raise ConvergenceError(
            f"the cumulants have an imaginary part {imag:.1e} of their scale (> {config.COUNTING_IMAG_RTOL:g}): "
            "the tilted generator is not resolved in double precision"
        )
    noise = np.diag(cum[:, 1]).astype(float)
    for f in range(n_fields):
        for g in range(f + 1, n_fields):
            sf = np.flatnonzero(w[f] != 0)
            sg = np.flatnonzero(w[g] != 0)
            a = np.sum(gen.rates[sf] * w[f, sf] * (tvecs[sf] @ first[g]))
            b = np.sum(gen.rates[sg] * w[g, sg] * (tvecs[sg] @ first[f]))
            noise[f, g] = noise[g, f] = float(np.real(a + b))
    return FockCounting(cum, noise, resol, rho0, worst, fac.condition, n, gen.structure, imag, gen)


# ---------------------------------------------------------------------------
# the scaled cumulant generating function
# ---------------------------------------------------------------------------


def tilted_eigenvalue(gen: TiltedGenerator, counted_row, chi, *, guess=None) -> np.ndarray:
    """λ(χ): the eigenvalue of 𝓛_χ = 𝓛 + Σ_k r_k (e^{iχW_k} − 1)𝒥_k that tends to 0 at χ = 0.

    ``chi`` may be complex (χ = −is gives the real scaled cumulant generating function
    θ(s) = lim ln⟨e^{sQ}⟩/t = λ(−is)). Dense generators: the eigenvalue of largest real part (the
    spectral bound; for real s the tilted semigroup is completely positive and its spectral bound is
    the eigenvalue connected to 0). Sparse ones: shift-invert Arnoldi around ``guess(χ)`` (e.g. the
    cumulant expansion), keeping the eigenvalue of largest real part among the nearest few.
    """
    w = np.asarray(counted_row, dtype=float)
    chi = np.atleast_1d(np.asarray(chi, dtype=complex))
    out = np.empty(chi.shape, dtype=complex)
    sel = np.flatnonzero(w != 0)
    for i, x in enumerate(chi.ravel()):
        fac = np.expm1(1j * x * w[sel]) * gen.rates[sel]
        if gen.dense:
            lm = np.array(gen.lmat, dtype=complex)
            for c, t in zip(fac, sel):
                lm += c * gen.jumps[t]
            ev = np.linalg.eigvals(lm)
            out.ravel()[i] = ev[np.argmax(ev.real)]
        else:
            lm = sp.csc_matrix(gen.lmat, dtype=complex)
            for c, t in zip(fac, sel):
                lm = lm + c * gen.jumps[t]
            sigma = complex(guess(x)) if guess is not None else 0j
            k = min(4, gen.unknowns - 2)
            ev = spla.eigs(lm.tocsc(), k=k, sigma=sigma + 1e-9 * (1 + abs(sigma)), return_eigenvectors=False)
            out.ravel()[i] = ev[np.argmax(ev.real)]
    return out
