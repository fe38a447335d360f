r"""Slow, obvious dense references for tests/beyond (numpy only, written from scratch; small systems only).

Conventions: ħ = k_B = 1; a heat current is positive when energy enters the network from its bath.

Redfield tensor. With H_I = Σ_α X_α ⊗ B_α and C_α(s) = ⟨B_α(s) B_α⟩, the Born–Markov equation
ρ̇ = −i[H, ρ] − Σ_α ∫_0^∞ ds Tr_B[H_I, [H_I(−s), ρ ⊗ ρ_B]] written out in the eigenbasis H|a⟩ = E_a|a⟩,
using X(−s)_{cd} = e^{−iω_{cd}s} X_{cd} (ω_ij = E_i − E_j) and Γ(ω) = ∫_0^∞ e^{iωs} C(s) ds, reads

    ρ̇_ab = −i ω_ab ρ_ab + Σ_cd R_abcd ρ_cd,
    R_abcd = Σ_α [ X_ac X_db (Γ(ω_ca) + Γ*(ω_db)) − δ_bd Σ_n X_an X_nc Γ(ω_cn) − δ_ac Σ_n X_dn X_nb Γ*(ω_dn) ]

(the four terms are X Λρ, Λρ X, X ρ Λ† and ρ Λ† X of the double commutator; e.g. Blum, *Density
Matrix Theory*, ch. 8, or Breuer & Petruccione eq. 3.118 before the secular step). Γ = G/2 + iS with
the Davies rates G(ω) = J(ω)(1 + n(ω)), G(−ω) = J(ω)n(ω) (ω > 0) and, optionally, the principal
value S(ω) = (1/2π) P∫ G(ν)/(ω − ν) dν − S(0), integrated here with scipy's Cauchy weight.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate

SM = np.array([[0.0, 1.0], [0.0, 0.0]])  # σ⁻ in the basis (|0⟩, |1⟩): σ⁻|1⟩ = |0⟩


def embed(op, site, dims):
    """op on subsystem ``site`` of a product space with local dimensions ``dims``."""
    out = np.array([[1.0]])
    for k, d in enumerate(dims):
        out = np.kron(out, op if k == site else np.eye(d))
    return out


def lowering(d):
    """Truncated bosonic a (d levels) or σ⁻ (d = 2 is the same matrix)."""
    return np.diag(np.sqrt(np.arange(1, d)), 1)


def network_operators(freqs, couplings, dims):
    """(H, [a_i]) for nodes of local dimension ``dims`` (2 = qubit), swap couplings [(i, j, ε)]."""
    a = [embed(lowering(d), i, dims) for i, d in enumerate(dims)]
    h = sum(w * ai.T @ ai for w, ai in zip(freqs, a))
    for i, j, e in couplings:
        h = h + e * (a[i].T @ a[j] + a[j].T @ a[i])
    return h, a


def drude_lorentz_rate(kappa, cutoff, temperature):
    """G(ω) for J(ω) = κ ω c²/(ω² + c²) (emission at ω > 0, absorption at ω < 0, J'(0)T at 0)."""

    def g(w):
        w = np.asarray(w, float)
        aw = np.abs(w)
        jw = kappa * aw * cutoff**2 / (aw**2 + cutoff**2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if temperature > 0:
                n = 1.0 / np.expm1(aw / temperature)
            else:
                n = np.zeros_like(aw)
            out = np.where(w > 0, jw * (1 + n), jw * n)
        return np.where(aw < 1e-14, kappa * temperature, out)

    return g


def principal_value_shift(g, omega, lo, hi):
    """S(ω) − S(0), S(ω) = (1/2π) P∫ G(ν)/(ω − ν) dν, on [lo, hi] plus tails (Cauchy-weighted quad)."""

    def s(w):
        pv, _ = integrate.quad(g, lo, hi, weight="cauchy", wvar=w, limit=800, epsabs=1e-14, epsrel=1e-11)
        tail_hi, _ = integrate.quad(lambda v: g(v) / (v - w), hi, np.inf, limit=400, epsabs=1e-15, epsrel=1e-11)
        tail_lo, _ = integrate.quad(lambda v: g(v) / (v - w), -np.inf, lo, limit=400, epsabs=1e-15, epsrel=1e-11)
        return -(pv + tail_hi + tail_lo) / (2 * np.pi)

    return np.array([s(w) - s(0.0) for w in np.atleast_1d(omega)])


def redfield_tensor(h, couplings):
    """Dense generator (−iω_ab δ + R) on vec(ρ̃) (row-major, ρ̃ in the eigenbasis), per bath and total.

    ``couplings`` is a list of (X_α, Γ_α) with X_α in the product basis and Γ_α a callable on arrays.
    Returns (E, V, total, [R_α]).
    """
    e, v = np.linalg.eigh(h)
    d = len(e)
    w = e[:, None] - e[None, :]  # ω_ij = E_i − E_j
    eye = np.eye(d)
    total = np.diag((-1j * w).ravel())
    parts = []
    for x, gam in couplings:
        xe = v.T @ x @ v
        g_ca = gam(w.T)  # Γ(ω_ca) as [a, c] → transpose of w
        t1 = np.einsum("ac,db,ac->abcd", xe, xe, g_ca) + np.einsum("ac,db,db->abcd", xe, xe, np.conj(gam(w)))
        # δ_bd Σ_n X_an X_nc Γ(ω_cn)
        m1 = np.einsum("an,nc,cn->ac", xe, xe, gam(w))
        # δ_ac Σ_n X_dn X_nb Γ*(ω_dn)
        m2 = np.einsum("dn,nb,dn->db", xe, xe, np.conj(gam(w)))
        t2 = np.einsum("ac,bd->abcd", m1, eye) + np.einsum("ac,db->abcd", eye, m2)
        r = (t1 - t2).reshape(d * d, d * d)
        parts.append(r)
        total = total + r
    return e, v, total, parts


def kernel_state(gen):
    """Unit-trace kernel vector of a dense generator on row-major vec(ρ)."""
    d = int(round(np.sqrt(gen.shape[0])))
    _, sv, vh = np.linalg.svd(gen)
    rho = vh[-1].conj().reshape(d, d)
    rho = rho / np.trace(rho)
    return 0.5 * (rho + rho.conj().T), sv[-1] / sv[0], sv[-2] / sv[0]


def reference_redfield(h, couplings):
    """(ρ in the product basis, heat currents Tr[H R_α ρ̃], smallest two singular values/largest)."""
    e, v, total, parts = redfield_tensor(h, couplings)
    rho_e, s_last, s_next = kernel_state(total)
    d = len(e)
    currents = []
    for r in parts:
        drho = (r @ rho_e.ravel()).reshape(d, d)
        currents.append(float(np.real(np.sum(e * np.diag(drho)))))
    return v @ rho_e @ v.T, np.array(currents), (s_last, s_next)
