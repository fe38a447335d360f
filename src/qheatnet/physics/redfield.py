r"""Bloch–Redfield master equation in the eigenbasis of H_S (Born–Markov, no secular approximation).

Conventions: ħ = k_B = 1; a heat current J_α is positive when energy flows from bath α into the
network; a Bohr frequency ω > 0 is energy *lost* by the network.

Derivation
----------
The network couples to bath α through H_I = X_α ⊗ B_α with X_α = a_s + a_s† (σ_x for a qubit) on
the node s the bath touches. Second-order (Born) and Markov approximations give, in the
interaction picture, ρ̇ = −∫_0^∞ ds Tr_B[H_I(t), [H_I(t − s), ρ(t) ⊗ ρ_B]]. Write H_S = Σ_n E_n |n⟩⟨n|
and split X into Bohr components

.. math:: X(ω) = Σ_{E_n − E_m = ω} |m⟩⟨m| X |n⟩⟨n|, \qquad X = Σ_ω X(ω),\quad X(ω)^† = X(−ω),

so that e^{iH_S t} X e^{−iH_S t} = Σ_ω e^{−iωt} X(ω) (X(ω) lowers the energy by ω). With the bath
correlation function C(s) = ⟨B(s) B(0)⟩ and its one-sided transform

.. math:: Γ(ω) = ∫_0^∞ ds\, e^{iωs} C(s) = ½ G(ω) + i S(ω),

the ``s``-integral of the double commutator returns to the Schrödinger picture as

.. math::
    𝓛_α ρ = Λ_α ρ X_α − X_α Λ_α ρ + X_α ρ Λ_α^† − ρ Λ_α^† X_α
          = [Λ_α ρ, X_α] + [X_α, ρ Λ_α^†], \qquad Λ_α = Σ_ω Γ_α(ω) X_α(ω),

(Breuer & Petruccione, *The Theory of Open Quantum Systems*, eq. 3.118 before the secular step;
Redfield, IBM J. Res. Dev. 1, 19 (1957)). In the eigenbasis Λ is the elementwise product
Λ_{mn} = Γ(E_n − E_m) X_{mn}. The full equation is ρ̇ = −i[H_S, ρ] + Σ_α 𝓛_α ρ.

Rates. G(ω) = ∫ ds e^{iωs} C(s) is the Davies rate of :meth:`Spectrum.bohr_rate`: for
X ⊗ Σ_k g_k (b_k + b_k†), C(s) = Σ_k g_k² [(n_k + 1) e^{−iω_k s} + n_k e^{iω_k s}], whose transform is
J(ω)(1 + n(ω)) at ω > 0 and J(|ω|) n(|ω|) at ω < 0 (J = 2π Σ g_k² δ(ω − ω_k)). Keeping only the terms
ω = ω' of Λ ρ X = Σ_{ω,ω'} Γ(ω) X(ω) ρ X(ω')^† recovers the Davies generator Σ_ω G(ω) D[X(ω)] plus a
Lamb-shift Hamiltonian, so Redfield contains the global approach as its secular part.

Lamb shift (the principal-value part; **off by default**). From C(s) = (1/2π)∫ dν G(ν) e^{−iνs} and
∫_0^∞ e^{ixs} ds = πδ(x) + i P/x,

.. math:: S(ω) = \frac{1}{2π} P\!∫_{−∞}^{∞} \frac{G(ν)}{ω − ν} dν .

S(0) = −(1/2π)∫_0^∞ J(ν)/ν dν = −μ/2 is the static polaron shift: a constant S adds −i[S X², ρ] to
the generator (Λ = iSX gives [iSXρ, X] + [X, −iSρX] = −iS[X², ρ]), which is exactly what the
Caldeira–Leggett counter-term ½ μ X² of the exact reference (:mod:`qheatnet.solvers.exact`)
cancels. So, when enabled, the *renormalised* shift S̃(ω) = S(ω) − S(0) is used, matching the
exact reference's convention that the network keeps its bare frequencies. Extending J to ν < 0 as
an odd function, G(ν) = J(ν)(1 + n(ν)) for every real ν, and splitting G = J/2 + (J/2) coth(ν/2T)
into its odd and even parts gives

.. math::
    S̃(ω) = ½[\mathrm{Re}\,χ(ω) − χ(0)] + \frac{ω}{2π} ∫_0^∞
            \frac{J(ν)\coth(ν/2T) − J(|ω|)\coth(|ω|/2T)}{ω^2 − ν^2} dν,

with χ(ω) = −(1/π) P∫_0^∞ J(ν) ν/(ν² − ω²) dν the bath susceptibility of the exact reference (the
subtracted constant integrates to zero because P∫_0^∞ dν/(ω² − ν²) = 0, which also removes the
singularity at ν = |ω|). Closed forms of the temperature-independent part:
Drude–Lorentz ½[Re χ(ω) − χ(0)] = ¼ κ ω_c ω²/(ω² + ω_c²); ohmic (κ/4π) ω [e^{−x} Ei(x) + e^{x} E₁(x)],
x = ω/ω_c. The thermal (even) part is integrated numerically (adaptive quadrature, one integral
per distinct |ω|). ``flat`` (γ = const: S diverges logarithmically) and ``phonon3d`` (no cut-off)
have no finite Lamb shift and are refused.

Heat currents. J_α = Tr[H 𝓛_α ρ] = Tr[ρ 𝓛_α^†(H)] with the adjoint (Heisenberg) dissipator

.. math:: 𝓛_α^†(O) = [X_α, O] Λ_α + Λ_α^† [O, X_α],

which follows from cycling the trace in the four terms of 𝓛_α ρ. With H = H_S the currents obey the
first law Σ_α J_α = 0 at any steady state (the Hamiltonian part conserves H_S).

Positivity. Redfield is not completely positive: the steady state can have small negative
eigenvalues (of the order of the neglected fourth-order terms). :func:`lowest_eigenvalue` returns
the most negative one and :func:`not_positive` compares it with ``NEGATIVITY_ATOL`` (the
``REDFIELD_NOT_POSITIVE`` flag).

Structure used by :func:`steady_state`: when H_S conserves the excitation number q and every X_α
changes q by ±1 (swap networks), Λ ρ X etc. change q − q' by 0 or ±2, so the steady state lives in
the blocks ρ_{qq'} with q − q' even (Redfield keeps the a a and a†a† terms that the secular
approximation drops, so the odd-q blocks are not the only ones that vanish: the even off-diagonal
ones do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import integrate, special

from .. import config
from ..errors import ConvergenceError, ModelError
from ..model.network import Network
from ..model.spectra import DrudeLorentz, Ohmic, Spectrum
from .hilbert import FockSpace
from .local import network_hamiltonians

__all__ = [
    "NEGATIVITY_ATOL",
    "ROUNDOFF_FACTOR",
    "LAMB_SHIFT_RTOL",
    "roundoff_bound",
    "EigenBasis",
    "RedfieldSteadyState",
    "eigen_basis",
    "lamb_shift",
    "one_sided_correlation",
    "redfield_lambda",
    "redfield_apply",
    "redfield_adjoint",
    "heat_current",
    "redfield_superoperator",
    "steady_state",
    "lowest_eigenvalue",
    "not_positive",
]

#: ``REDFIELD_NOT_POSITIVE`` threshold: a steady state whose lowest eigenvalue is below
#: −max(NEGATIVITY_ATOL, round-off bound) is reported as not positive. The round-off bound is
#: ROUNDOFF_FACTOR × ε_machine × cond₁(𝓛) × max|ρ| (cond₁ estimated from the LU factors with
#: scipy's onenormest): round-off in ρ grows with the stiffness of the generator. Measured on positive
#: (GKLS, unified) steady states of random networks solved the same way: lowest eigenvalues down to
#: −6.7e-12 for a node attached through ε = 5e-5 (slowest rate ~1e-9 of the fastest), always above
#: −bound (tests/beyond/test_thermodynamics.py); Redfield's own negativities at low temperature and
#: moderate coupling are 1e-6 … 1e-4. NEGATIVITY_ATOL = 1e-10 is the floor for well-conditioned cases.
NEGATIVITY_ATOL = 1e-10
#: Safety factor of the round-off bound on the eigenvalues of a computed steady state (see above).
ROUNDOFF_FACTOR = 10.0

#: Relative accuracy requested from the adaptive quadrature of the thermal Lamb-shift integral.
LAMB_SHIFT_RTOL = 1e-10


# ---------------------------------------------------------------------------
# eigenbasis of a network
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EigenBasis:
    """H_S diagonalised sector by sector of the excitation number q (basis states ordered by q).

    Attributes
    ----------
    energies : (d,) eigenvalues E_n (ascending within each q-sector)
    excitation : (d,) q of each eigenstate
    vectors : list of (n_q, n_q) arrays; the product-basis block of sector q is V_q diag(E) V_qᵀ
    couplings : list of (d, d) real arrays, X_α = a_s + a_s† of each bath in the eigenbasis
    bare : (d, d) array, H_0 = Σ_i ω_i n_i in the eigenbasis (for "bare" bookkeeping)
    space : the FockSpace (product basis)
    """

    energies: np.ndarray
    excitation: np.ndarray
    vectors: list
    couplings: list
    bare: np.ndarray
    space: FockSpace

    def to_local(self, rho: np.ndarray) -> np.ndarray:
        """Transform an operator from the eigenbasis to the product basis (all q-blocks)."""
        v = _block_diag(self.vectors, self.space.dim)
        return v @ rho @ v.conj().T


def _block_diag(blocks, dim):
    out = np.zeros((dim, dim))
    start = 0
    for b in blocks:
        n = b.shape[0]
        out[start : start + n, start : start + n] = b
        start += n
    return out


#: Generic weights of the tie-break operator Σ_i c_i n_i used inside degenerate eigenspaces (any
#: irrational-looking, distinct values work; these are 1 + √p/10 for the first primes p).
_TIEBREAK = 1.0 + np.sqrt(np.array([2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71])) / 10


def eigen_basis(network: Network, space: FockSpace) -> EigenBasis:
    """Diagonalise H_S of ``network`` in ``space`` and express every bath coupling X_α in its eigenbasis.

    H_S is block diagonal in q (swap couplings), so each sector is diagonalised on its own; the
    eigenvectors are real (H_S is real symmetric). Inside a degenerate eigenspace (Bohr tolerance)
    LAPACK returns an arbitrary rotation; it is re-diagonalised with the generic diagonal operator
    Σ_i c_i n_i, which for free-fermion and harmonic networks recovers the mode-occupation basis, in
    which degenerate levels that differ in two modes are not coupled by any single jump (fewer
    coupled coherences for the solvers; the physics does not depend on the choice).
    """
    if not network.conserves_excitation:  # the block-by-block construction below needs q-conserving couplings
        from ..errors import ModelError

        bad = next(c for c in network.couplings if not c.conserves_excitation)
        raise ModelError(
            f"the eigenbasis construction of the Redfield/unified kernels needs couplings that conserve the "
            f"excitation number; coupling {bad.label!r} ({bad.kind}) does not"
        )
    h_s, h_0 = network_hamiltonians(network, space)
    sectors = space.sectors()
    energies = np.empty(space.dim)
    vecs = []
    nn = space.states.shape[1]
    weights = _TIEBREAK[np.arange(nn) % len(_TIEBREAK)] * (1 + np.arange(nn) // len(_TIEBREAK))
    tie = space.states @ weights
    for idx in sectors:
        sl = slice(idx[0], idx[-1] + 1)
        e, v = np.linalg.eigh(h_s[sl, sl].toarray().real)
        tol = config.BOHR_ATOL + config.BOHR_RTOL * max(1.0, float(np.max(np.abs(e))))
        for g in np.split(np.arange(len(e)), np.flatnonzero(np.diff(e) > tol) + 1):
            if len(g) > 1:
                sub = v[:, g]
                _, rot = np.linalg.eigh(sub.T @ (tie[sl][:, None] * sub))
                v[:, g] = sub @ rot
        energies[sl] = e
        vecs.append(v)
    # X = a_s + a_s† only connects adjacent q-sectors: transform block by block
    xs = []
    for bath in network.baths:
        low = space.lowering[network.node_index(bath.node)].tocsr()
        x = np.zeros((space.dim, space.dim))
        for k in range(len(sectors) - 1):
            a, b = sectors[k], sectors[k + 1]
            sa, sb = slice(a[0], a[-1] + 1), slice(b[0], b[-1] + 1)
            blk = low[sa, sb]
            if blk.nnz:
                t = vecs[k].T @ (blk.real @ vecs[k + 1])
                x[sa, sb] = t
                x[sb, sa] = t.T
        xs.append(x)
    h0 = h_0.tocsr()
    bare = np.zeros((space.dim, space.dim))
    for k, idx in enumerate(sectors):
        sl = slice(idx[0], idx[-1] + 1)
        bare[sl, sl] = vecs[k].T @ (h0[sl, sl].real @ vecs[k])
    return EigenBasis(energies, space.excitation.copy(), vecs, xs, bare, space)


# ---------------------------------------------------------------------------
# one-sided bath correlation function
# ---------------------------------------------------------------------------


def _check_lamb_spectrum(spectrum: Spectrum) -> None:
    if not isinstance(spectrum, (Ohmic, DrudeLorentz)):
        why = "a temperature-dependent J(ω) with γ constant" if spectrum.kind == "flat" else "no high-frequency cut-off"
        raise ModelError(
            f"the Lamb shift (principal-value part of the bath correlation function) diverges for spectrum kind "
            f"{spectrum.kind!r} ({why}); use lamb_shift=False or an 'ohmic' or 'drude_lorentz' bath"
        )


def _lamb_odd(spectrum: Spectrum, omega: np.ndarray) -> np.ndarray:
    """½[Re χ(ω) − χ(0)] (temperature independent, even in ω), closed forms."""
    assert isinstance(spectrum, (DrudeLorentz, Ohmic))  # checked by _check_lamb_spectrum
    k, c = spectrum.kappa, spectrum.cutoff
    w = np.abs(omega)
    if isinstance(spectrum, DrudeLorentz):
        return 0.25 * k * c * w * w / (w * w + c * c)
    # ohmic: Re χ(ω) − χ(0) = (κ/π)(ω/2)[e^{−x}Ei(x) + e^{x}E₁(x)], x = ω/ω_c; the bracket → 2/x for x → ∞
    x = w / c
    out = np.empty_like(w)
    small = x < 600
    xs = x[small]
    out[small] = (k / (4 * np.pi)) * w[small] * (np.exp(-xs) * special.expi(xs) + np.exp(xs) * special.exp1(xs))
    out[~small] = (k / (4 * np.pi)) * w[~small] * (2 / x[~small] + 4 / x[~small] ** 3)
    return out


@lru_cache(maxsize=65536)
def _lamb_even_one(spectrum: Spectrum, temperature: float, w: float) -> float:
    """(w/2π) ∫_0^∞ [f(ν) − f(w)]/(w² − ν²) dν, f = J(ν) coth(ν/2T), for w > 0."""

    def f(nu):
        nu = np.asarray(nu, float)
        jv = spectrum.spectral_density(nu)
        if temperature <= 0:
            return jv
        x = nu / (2 * temperature)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            coth = np.where(x > 1e-8, 1.0 / np.tanh(np.maximum(x, 1e-300)), 1.0 / np.maximum(x, 1e-300))
            val = np.where(nu > 0, jv * coth, 2 * temperature * spectrum.kappa)
        return val

    fw = float(f(w))

    def integrand(nu):
        d = w * w - nu * nu
        if abs(d) < 1e-12 * w * w:  # removable point ν = w: limit −f'(w)/(2w), by a central difference
            h = 1e-5 * w
            return -(float(f(w + h)) - float(f(w - h))) / (2 * h) / (2 * w)
        return (float(f(nu)) - fw) / d

    assert isinstance(spectrum, (DrudeLorentz, Ohmic))  # checked by _check_lamb_spectrum
    scale = max(w, spectrum.cutoff, temperature)
    pieces = [(0.0, w), (w, 2 * w), (2 * w, 2 * w + 10 * scale), (2 * w + 10 * scale, np.inf)]
    total = 0.0
    for lo, hi in pieces:
        val, _ = integrate.quad(integrand, lo, hi, epsrel=LAMB_SHIFT_RTOL, epsabs=0.0, limit=400)
        total += val
    return w * total / (2 * np.pi)


def lamb_shift(spectrum: Spectrum, temperature: float, omega) -> np.ndarray:
    r"""Renormalised Lamb shift S̃(ω) = S(ω) − S(0) of a bath (see the module docstring).

    Parameters
    ----------
    spectrum : Ohmic or DrudeLorentz (others raise ModelError)
    temperature : T ≥ 0
    omega : array of Bohr frequencies (ω > 0: energy lost by the network)

    Returns
    -------
    ndarray of S̃(ω), same shape as ``omega``; S̃(0) = 0.

    Examples
    --------
    >>> from qheatnet.model.spectra import DrudeLorentz
    >>> float(lamb_shift(DrudeLorentz(1e-2, 1.0), 0.0, [0.0])[0])
    0.0
    """
    _check_lamb_spectrum(spectrum)
    omega = np.asarray(omega, float)
    flat = omega.ravel()
    out = _lamb_odd(spectrum, flat)
    w = np.abs(flat)
    key = np.round(w, 13)
    uniq, inv = np.unique(key, return_inverse=True)
    even = np.array([_lamb_even_one(spectrum, float(temperature), float(u)) if u > 0 else 0.0 for u in uniq])
    out = out + np.sign(flat) * even[inv]
    return out.reshape(omega.shape)


def one_sided_correlation(spectrum: Spectrum, temperature: float, omega, *, lamb_shift: bool = False) -> np.ndarray:
    """Γ(ω) = ½ G(ω) + i S̃(ω): G from :meth:`Spectrum.bohr_rate`, S̃ only if ``lamb_shift``."""
    omega = np.asarray(omega, float)
    g = 0.5 * spectrum.bohr_rate(omega, temperature).astype(complex)
    if lamb_shift:
        g = g + 1j * globals()["lamb_shift"](spectrum, temperature, omega)
    return g


# ---------------------------------------------------------------------------
# the Redfield dissipator of one bath: the pair (X, Λ)
# ---------------------------------------------------------------------------


def redfield_lambda(energies, x, spectrum: Spectrum, temperature: float, *, lamb_shift: bool = False) -> np.ndarray:
    r"""Λ = Σ_ω Γ(ω) X(ω) in the eigenbasis: Λ_{mn} = Γ(E_n − E_m) X_{mn}.

    Parameters
    ----------
    energies : (d,) eigenvalues of H_S
    x : (d, d) coupling operator X_α in the eigenbasis (Hermitian)
    spectrum, temperature : the bath
    lamb_shift : include i S̃(ω) (ohmic and drude_lorentz only)

    Returns
    -------
    (d, d) complex array Λ_α. Together with X_α it defines
    𝓛_α ρ = [Λ_α ρ, X_α] + [X_α, ρ Λ_α^†].
    """
    e = np.asarray(energies, float)
    x = np.asarray(x)
    omega = e[None, :] - e[:, None]  # element (m, n): energy lost going n → m
    nz = x != 0
    lam = np.zeros(x.shape, complex)
    lam[nz] = one_sided_correlation(spectrum, temperature, omega[nz], lamb_shift=lamb_shift) * x[nz]
    return lam


def redfield_apply(rho, x, lam) -> np.ndarray:
    """𝓛_α ρ = Λρ X − XΛρ + XρΛ† − ρΛ†X (dense)."""
    lr = lam @ rho
    rl = rho @ lam.conj().T
    return lr @ x - x @ lr + x @ rl - rl @ x


def redfield_adjoint(op, x, lam) -> np.ndarray:
    """𝓛_α†(O) = [X, O] Λ + Λ† [O, X] (dense): Tr[O 𝓛_α ρ] = Tr[ρ 𝓛_α†(O)]."""
    c = x @ op - op @ x
    return c @ lam - lam.conj().T @ c


def heat_current(rho, x, lam, h) -> float:
    """J_α = Re Tr[ρ 𝓛_α†(H)] for the Hamiltonian ``h`` of the bookkeeping (dense, eigenbasis)."""
    return float(np.real(np.sum(redfield_adjoint(h, x, lam).T * rho)))


# ---------------------------------------------------------------------------
# superoperator and steady state
# ---------------------------------------------------------------------------


def _kept_indices(dim: int, excitation, pairs) -> tuple[np.ndarray, str]:
    """Column-stacked indices vec(ρ)_{i + d j} of the unknowns, and the structure used."""
    if excitation is not None:
        q = np.asarray(excitation)
        ok = True
        for x, _ in pairs:
            r, c = np.nonzero(x)
            if len(r) and not np.all(np.abs(q[r] - q[c]) == 1):
                ok = False
        if ok:
            i, j = np.meshgrid(np.arange(dim), np.arange(dim), indexing="ij")
            keep = ((q[i] - q[j]) % 2 == 0).ravel(order="F")
            return np.flatnonzero(keep), "even q − q' blocks"
    return np.arange(dim * dim), "full space"


def redfield_superoperator(energies, pairs, keep=None) -> sp.csr_matrix:
    r"""Sparse Redfield generator −i[H_S, ·] + Σ_α 𝓛_α in column-stacked form, restricted to ``keep``.

    vec(AρB) = (Bᵀ ⊗ A) vec(ρ), so 𝓛_α = Xᵀ⊗Λ − 1⊗XΛ + Λ̄⊗X − (Λ†X)ᵀ⊗1.

    Parameters
    ----------
    energies : (d,) eigenvalues of H_S (the Hamiltonian is diagonal in this basis)
    pairs : list of (X_α, Λ_α), dense (d, d)
    keep : indices of vec(ρ) kept (rows and columns), or None for all d²
    """
    e = np.asarray(energies, float)
    d = len(e)
    eye = sp.identity(d, format="csr")
    diag = (-1j * (e[:, None] - e[None, :])).ravel(order="F")
    total = sp.diags(diag).tocsr()
    for x, lam in pairs:
        xs = sp.csr_matrix(x)
        ls = sp.csr_matrix(lam)
        xl = sp.csr_matrix(x @ lam)
        lx = sp.csr_matrix(lam.conj().T @ x)
        total = total + sp.kron(xs.T, ls) - sp.kron(eye, xl) + sp.kron(ls.conj(), xs) - sp.kron(lx.T, eye)
    total = total.tocsr()
    if keep is not None:
        total = total[keep][:, keep]
    return total.tocsr()


@dataclass(frozen=True, eq=False)
class RedfieldSteadyState:
    """Steady state of the Redfield equation in the eigenbasis.

    ``rho`` (d × d, trace one, Hermitian; may have small negative eigenvalues),
    ``residual`` = ‖𝓛ρ‖_∞/(‖𝓛‖_∞‖ρ‖_∞), ``unknowns``, ``structure``, ``lowest_eigenvalue``,
    ``roundoff`` (the round-off bound on ρ's eigenvalues, see NEGATIVITY_ATOL), ``not_positive``
    (the REDFIELD_NOT_POSITIVE flag: lowest_eigenvalue < −max(NEGATIVITY_ATOL, roundoff)).
    """

    rho: np.ndarray
    residual: float
    unknowns: int
    structure: str
    lowest_eigenvalue: float
    not_positive: bool
    roundoff: float = 0.0


def lowest_eigenvalue(rho) -> float:
    """Most negative (lowest) eigenvalue of the Hermitian part of ``rho``."""
    rho = np.asarray(rho)
    return float(np.linalg.eigvalsh(0.5 * (rho + rho.conj().T))[0])


def not_positive(rho, atol: float = NEGATIVITY_ATOL, roundoff: float = 0.0) -> tuple[float, bool]:
    """(lowest eigenvalue, flag): the REDFIELD_NOT_POSITIVE test ``lowest < −max(atol, roundoff)``."""
    low = lowest_eigenvalue(rho)
    return low, bool(low < -max(atol, roundoff))


def roundoff_bound(a_mat, lu, x) -> float:
    """ROUNDOFF_FACTOR · ε · cond₁(A) · max|x| for a solve of A x = b with the factorisation ``lu``.

    ‖A⁻¹‖₁ is estimated by Hager–Higham (scipy.sparse.linalg.onenormest) from a few solves with the
    factors; the bound is that of a backward-stable solve, ‖δx‖ ≲ cond(A) ε ‖x‖.
    """
    n = a_mat.shape[0]
    inv = spla.LinearOperator(
        (n, n),
        matvec=lambda v: lu.solve(np.asarray(v, complex)),
        rmatvec=lambda v: lu.solve(np.asarray(v, complex), trans="H"),
        dtype=complex,
    )
    try:
        inv_norm = float(spla.onenormest(inv)) if n > 1 else float(abs(1.0 / a_mat[0, 0]))
    except (ValueError, RuntimeError):  # tiny systems: fall back to the dense inverse
        inv_norm = float(np.linalg.norm(np.linalg.inv(a_mat.toarray()), 1))
    a_norm = float(abs(a_mat).sum(axis=0).max())
    return ROUNDOFF_FACTOR * np.finfo(float).eps * a_norm * inv_norm * float(np.max(np.abs(x)))


def steady_state(energies, pairs, excitation=None, *, residual_tol: float | None = None) -> RedfieldSteadyState:
    """Steady state of ρ̇ = −i[H_S, ρ] + Σ_α 𝓛_α ρ with 𝓛_α given by the pairs (X_α, Λ_α).

    A direct sparse LU solve (SuperLU) with the first diagonal equation replaced by Tr ρ = 1; the
    relative residual is checked (``STEADY_STATE_RESIDUAL``) and a solution above it is refused. With
    ``excitation`` (q of each eigenstate) only the blocks with q − q' even are solved (see the
    module docstring).
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    e = np.asarray(energies, float)
    d = len(e)
    keep, structure = _kept_indices(d, excitation, pairs)
    lmat = redfield_superoperator(e, pairs, keep).tocsc()
    n = lmat.shape[0]
    diag_full = np.arange(d) * (d + 1)
    pos = np.full(d * d, -1)
    pos[keep] = np.arange(n)
    diag_pos = pos[diag_full]
    a = lmat.tolil()
    row = int(diag_pos[0])
    a[row, :] = 0
    a[row, diag_pos] = 1.0
    a = a.tocsc()
    rhs = np.zeros(n, complex)
    rhs[row] = 1.0
    norm_l = float(abs(lmat).sum(axis=1).max())
    try:
        lu = spla.splu(a, permc_spec=config.SUPERLU_ORDERING)
    except RuntimeError as exc:
        raise ConvergenceError(f"the Redfield steady state is not unique or does not exist ({exc})") from None
    x = lu.solve(rhs)
    res = float(np.max(np.abs(lmat @ x))) / (norm_l * float(np.max(np.abs(x))))
    if not np.isfinite(res) or res > tol:
        raise ConvergenceError(f"Redfield steady-state residual {res:.2e} exceeds the tolerance {tol:.1e}")
    full = np.zeros(d * d, complex)
    full[keep] = x
    rho = full.reshape(d, d, order="F")
    rho = 0.5 * (rho + rho.conj().T)
    rho /= np.trace(rho).real
    bound = roundoff_bound(a, lu, x)
    low, flag = not_positive(rho, roundoff=bound)
    return RedfieldSteadyState(rho, res, n, structure, low, flag, bound)
