r"""Counting statistics of quadratic (Gaussian) master equations of oscillator networks: no truncation.

Conventions: ħ = k_B = 1; H_S = Σ_ij h_ij a_i† a_j with h real symmetric (in a working basis: sites,
or normal modes). A *channel* c is a pair of Lindblad terms with a linear jump L_c = l_cᵀa (l_c real),

.. math:: g_c D[L_c] + g'_c D[L_c^†],

emission rate g_c, absorption rate g'_c, net damping Γ_c = g_c − g'_c > 0 (given separately, free of
cancellation). Every quantum absorbed through channel c adds q_fc to the energy counted by field f
(an emission subtracts it): for the heat from bath α, q_αc = ε_c (the jump energy: the node frequency
for the local approach, the mode frequency for global, ω̃ for unified) on the channels of α.

Tilted generator in the Husimi representation
---------------------------------------------
With u_c = e^{−s q_c}, v_c = e^{s q_c} (s = iχ) the tilted generator replaces L ρ L† by u_c L ρ L†
and L†ρL by v_c L†ρL. In the Husimi function Q(α) = ⟨α|ρ|α⟩/π^N the maps read
aρ ↔ (α + ∂_{α*})Q, a†ρ ↔ α*Q, ρa ↔ αQ, ρa† ↔ (α* + ∂_α)Q, so the tilted generator is a
second-order differential operator with quadratic coefficients. It maps the Gaussian
Q = exp(c − α†Kα) into (quadratic polynomial) × Q; matching the coefficients (with P_c = l_c l_cᵀ)
gives, for Y = K⁻¹ (at s = 0, Y = 1 + Cᵀ with C_ij = ⟨a_i†a_j⟩),

.. math::
    \dot Y = i(Yh − hY) + Σ_c \big[a_c\, Y P_c Y − b_c (P_c Y + Y P_c) + g_c u_c P_c\big],\qquad
    \dot c = Σ_c \big[g_c u_c(\mathrm{Tr}P_c − \mathrm{Tr}\,Y^{-1}P_c) − g'_c \mathrm{Tr}P_c\big],

a_c = g_c(u_c − 1) + g'_c(v_c − 1), b_c = g_c(u_c − ½) − ½g'_c. Tr ρ ∝ e^c/det K, so the scaled
cumulant generating function is λ(s) = ċ at the stationary Y(s) (the root of the Riccati equation
continuously connected to Y(0) = 1 + Cᵀ). At s = 0, a_c = 0 and the Y equation is the Lyapunov
equation of the correlation matrix (Ċᵀ = M̄Cᵀ + CᵀM + Γ↑ with M = ih − ½Σ_c Γ_c P_c), and ċ = 0.

Checks of the derivation: one mode and one bath gives λ ≡ 0 (the exchanged energy is bounded by the
mode's), and one mode with several channels gives the closed form below, which is exactly the
Levitov–Lesovik (Saito–Dhar) formula for a Lorentzian transmission (used by
:func:`single_mode_cgf`); the Fock-space tilted Liouvillian (:mod:`.counting`) agrees with both in
the tests.

Single mode (closed form)
    With e_c = g_c|l_c|², f_c = g'_c|l_c|², Γ = Σ_c Γ_c|l_c|² and
    κ(s) = Σ_{c,c'} e_c f_{c'} (e^{s(q_{c'} − q_c)} − 1),

    .. math:: λ(s) = ½\big[Γ − \sqrt{Γ^2 − 4κ(s)}\big] = ½Γ\, f(4κ/Γ^2),\qquad f(x) = 1 − \sqrt{1 − x},

    so that J = κ'(0)/Γ and S = κ''(0)/Γ + 2κ'(0)²/Γ³. Global (Davies) generators of networks with
    distinct normal-mode frequencies are a sum of such modes.

Cumulants by the perturbation series (general block)
    Expand Y(s) = Σ_n y_n s^n. Order n of the Riccati equation is the Lyapunov equation
    ℳ(y_n) + R_n = 0 with ℳ(X) = M̄X + XM and

    .. math::
        R_0 = Σ_c g_c P_c,\quad
        R_n = Σ_c \Big[Σ_{k=1}^{n} a_{c,k} Σ_{p=0}^{n−k} y_p P_c y_{n−k−p}
              − Σ_{k=1}^{n} b_{c,k}(P_c y_{n−k} + y_{n−k} P_c) + g_c \frac{(−q_c)^n}{n!} P_c\Big],

    a_{c,k}, b_{c,k} the Taylor coefficients of a_c, b_c. For real s the Riccati flow preserves
    Hermiticity, so every y_n is Hermitian and R_n is a sum of outer products u v† of the vectors
    l_c and y_p l_c. With the eigen-decomposition M = RΛR⁻¹ (M is complex symmetric),
    ℳ⁻¹(B) = R̄ [(R̄⁻¹ B R) ⊘ (λ̄_i + λ_j)] R⁻¹, so y_n applied to any vector costs O(N² · rank):
    after one O(N³) eigen-decomposition and one Cholesky factorisation of Y_0, every cumulant costs
    O(N²). The coefficients of K = Y⁻¹ follow from k_0 = Y_0⁻¹, k_m = −k_0 Σ_{j=1}^{m} y_j k_{m−j},
    and λ_n = Σ_c g_c[(−q_c)^n/n!·Tr P_c − Σ_{k=0}^{n} (−q_c)^k/k!·l_cᵀ k_{n−k} l_c]; c_n = n! λ_n.

Checks: the eigen-decomposition's residual (``EIG_RTOL``) and the smallest decay rate (a mode
decoupled from every bath makes ℳ singular: refused); Y_0 must be Hermitian positive definite (its
Cholesky factorisation); the residual of the Lyapunov equation of Y_0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from .. import config
from ..errors import ConvergenceError

__all__ = [
    "QuadraticCounting",
    "single_mode_cumulants",
    "single_mode_cgf",
    "block_cumulants",
    "block_cgf",
]


@dataclass(frozen=True, eq=False)
class QuadraticCounting:
    """Cumulants of one block (or a sum of blocks) of a quadratic generator.

    ``cumulants`` (n_fields, order): c_1 … c_order per field; ``gross`` (n_fields, order): the gross
    n-th moment Σ_c |q_c|^n (g_c⟨L_c†L_c⟩ + g'_c⟨L_cL_c†⟩) of the counted jumps (the scale of the
    rounding of c_n); ``occupations`` (m,): ⟨a_i†a_i⟩ of the block's basis from Y_0; ``residual``:
    relative residual of the Lyapunov equation of Y_0 and of the eigen-decomposition; ``min_decay``:
    the slowest decay rate −Re λ of M.
    """

    cumulants: np.ndarray
    gross: np.ndarray
    occupations: np.ndarray
    residual: float
    min_decay: float


def _f_series(order: int) -> np.ndarray:
    """Taylor coefficients of f(x) = 1 − √(1 − x): C_j = binom(2j, j)/((2j − 1) 4^j), C_0 = 0."""
    return np.array([0.0] + [math.comb(2 * j, j) / ((2 * j - 1) * 4.0**j) for j in range(1, order + 1)])


def _series_mul(a: np.ndarray, b: np.ndarray, order: int) -> np.ndarray:
    """Product of two truncated series (coefficients along axis 0)."""
    out = np.zeros((order + 1,) + np.broadcast(a[0], b[0]).shape)
    for n in range(order + 1):
        for k in range(n + 1):
            out[n] = out[n] + a[k] * b[n - k]
    return out


def single_mode_cumulants(e, f, net, q, order: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Cumulants c_1 … c_order of independent modes (vectorised over the last axis), closed form.

    Parameters
    ----------
    e, f : (n_channels, n_modes) emission g|l|² and absorption g'|l|² of each channel and mode
    net : (n_modes,) Γ = Σ_c (g − g')|l|², the total net damping (cancellation-free, > 0)
    q : (n_channels, n_modes) counted energy per absorbed quantum
    order : highest cumulant

    Returns
    -------
    (cumulants, gross): (order, n_modes) arrays, c_n of each mode (sum over the modes for the network)
    and the gross n-th moment Σ_c |q_c|^n (e_c n + f_c (n + 1)) of its counted jumps, n = F/Γ.
    """
    e, f, q = (np.asarray(x, float) for x in (e, f, q))
    net = np.asarray(net, float)
    # κ_n = Σ_{c,c'} e_c f_{c'} (q_{c'} − q_c)^n / n!   (n ≥ 1; κ_0 = 0)
    diff = q[None, :, :] - q[:, None, :]  # [c, c', k] = q_c' − q_c
    ef = e[:, None, :] * f[None, :, :]
    kappa = np.zeros((order + 1, net.size))
    for n in range(1, order + 1):
        kappa[n] = np.sum(ef * diff**n, axis=(0, 1)) / math.factorial(n)
    x = 4.0 * kappa / net**2
    coef = _f_series(order)
    fx = np.zeros_like(x)
    power = np.zeros_like(x)
    power[0] = 1.0
    for j in range(1, order + 1):
        power = _series_mul(power, x, order)
        fx = fx + coef[j] * power
    lam = 0.5 * net * fx
    occ = np.sum(f, axis=0) / net
    gross = np.array([np.sum(np.abs(q) ** n * (e * occ + f * (occ + 1)), axis=0) for n in range(1, order + 1)])
    return np.array([math.factorial(n) * lam[n] for n in range(1, order + 1)]), gross


def single_mode_cgf(e, f, net, q, s) -> np.ndarray:
    """λ(s) = Σ_modes ½[Γ − √(Γ² − 4κ(s))] for counting parameters ``s`` (complex; s = iχ).

    The principal square root is the branch connected to λ(0) = 0. For real s the scaled cumulant
    generating function exists only while Γ² − 4κ(s) > 0 for every mode; elsewhere NaN is returned.
    """
    e, f, q = (np.asarray(x, float) for x in (e, f, q))
    net = np.asarray(net, float)
    s = np.atleast_1d(np.asarray(s, complex))
    diff = q[None, :, :] - q[:, None, :]
    ef = e[:, None, :] * f[None, :, :]
    out = np.empty(s.shape, complex)
    for i, sv in enumerate(s.ravel()):
        kap = np.sum(ef * np.expm1(sv * diff), axis=(0, 1))
        disc = net**2 - 4.0 * kap
        if sv.imag == 0 and np.any(disc.real <= 0):
            out.ravel()[i] = np.nan
            continue
        out.ravel()[i] = np.sum(0.5 * (net - np.sqrt(disc.astype(complex))))
    return out


# ---------------------------------------------------------------------------
# general block: perturbation series of the tilted Riccati equation
# ---------------------------------------------------------------------------


class _Lyapunov:
    """ℳ(X) = M̄X + XM for complex symmetric M = ih − ½G, through M = RΛR⁻¹ (see the module docstring)."""

    def __init__(self, h: np.ndarray, g_mat: np.ndarray):
        m = 1j * h - 0.5 * g_mat
        lam, r = sla.eig(m, check_finite=False)
        try:
            rinv = np.linalg.inv(r)
        except np.linalg.LinAlgError:
            raise ConvergenceError("the drift matrix of the quadratic generator is defective") from None
        scale = max(float(np.max(np.abs(m))), 1e-300)
        resid = float(np.linalg.norm(m @ r - r * lam) / (np.linalg.norm(m) * np.linalg.norm(r)))
        ident = float(np.max(np.abs(rinv @ r - np.eye(len(lam)))))
        self.residual = resid
        if not (resid <= config.EIG_RTOL and ident <= config.COUNTING_EIGVEC_RTOL):
            raise ConvergenceError(
                f"the eigen-decomposition of the drift matrix is not accurate (residual {resid:.1e}, "
                f"‖R⁻¹R − 1‖ = {ident:.1e}): the drift is close to defective (an exceptional point)"
            )
        decay = -lam.real
        floor = 100 * np.finfo(float).eps * scale
        if not np.all(decay > floor):
            raise ConvergenceError(
                f"a normal mode is decoupled from every bath (decay rate {float(np.min(decay)):.3g} ≤ {floor:.1g}): "
                "the steady state is not unique, or the rate is below the precision of the dense eigen-decomposition"
            )
        self.min_decay = float(np.min(decay))
        self.lam, self.r, self.rinv = lam, r, rinv
        self.cinv = 1.0 / (np.conj(lam)[:, None] + lam[None, :])  # 1/(λ̄_i + λ_j), all with Re < 0

    def apply_inverse(self, u: np.ndarray, alpha: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """ℳ⁻¹(Σ_r α_r u_r v_r†) applied to the columns of ``w``: (m, p).

        ℳ⁻¹(uv†) w = R̄[(R̄⁻¹u) ⊙ (C⁻¹((v†R)ᵀ ⊙ R⁻¹w))] with C_ij = λ̄_i + λ_j.
        """
        ut = np.conj(self.rinv @ np.conj(u))  # R̄⁻¹ u: (m, r)
        vt = (np.conj(v).T @ self.r).T  # (v†R)ᵀ: (m, r)
        wt = self.rinv @ w  # (m, p)
        m, nr = u.shape
        p = w.shape[1]
        prod = (vt[:, :, None] * wt[:, None, :]).reshape(m, nr * p)
        z = (self.cinv @ prod).reshape(m, nr, p)
        z = np.einsum("mr,mrp->mp", ut * alpha[None, :], z)
        return np.conj(self.r) @ z

    def full_inverse(self, u: np.ndarray, alpha: np.ndarray, v: np.ndarray) -> np.ndarray:
        """ℳ⁻¹(Σ_r α_r u_r v_r†) as a dense matrix (two O(m³) products)."""
        ut = np.conj(self.rinv @ np.conj(u))
        vt = np.conj(v).T @ self.r  # (r, m)
        z = (ut * alpha[None, :]) @ vt * self.cinv
        return np.conj(self.r) @ z @ self.rinv


def _taylor_u(q: np.ndarray, order: int) -> np.ndarray:
    """Coefficients of u = e^{−sq}: (order + 1, n_channels)."""
    return np.array([(-q) ** k / math.factorial(k) for k in range(order + 1)])


def block_cumulants(h, jumps, emission, absorption, net, quantum, *, order: int = 3) -> QuadraticCounting:
    """Cumulants of every field of one quadratic block (see the module docstring).

    Parameters
    ----------
    h : (m, m) real symmetric, the block's single-particle Hamiltonian in its working basis
    jumps : (n_channels, m) real, the jump vectors l_c (L_c = l_cᵀ a)
    emission, absorption, net : (n_channels,) g_c, g'_c and Γ_c = g_c − g'_c
    quantum : (n_fields, n_channels) counted energy per absorbed quantum
    order : highest cumulant (≥ 1)

    Returns
    -------
    QuadraticCounting
    """
    h = np.asarray(h, float)
    lm = np.atleast_2d(np.asarray(jumps, float)).T  # (m, n_ch)
    g = np.asarray(emission, float)
    gp = np.asarray(absorption, float)
    net = np.asarray(net, float)
    qf = np.atleast_2d(np.asarray(quantum, float))
    m, nch = lm.shape
    est = config.COUNTING_GAUSSIAN_ARRAYS * 16.0 * m * m
    if not est <= config.MAX_MEMORY_BYTES:
        raise ConvergenceError(
            f"the Gaussian counting statistics of a block of {m} coupled modes need about {est / 1e9:.3g} GB "
            f"(limit {config.MAX_MEMORY_BYTES / 1e9:g} GB, qheatnet.config.MAX_MEMORY_BYTES)"
        )
    g_mat = (lm * net[None, :]) @ lm.T
    lyap = _Lyapunov(h, g_mat)
    # Y_0 = 1 + Cᵀ: ℳ(Y_0) + Σ_c g_c P_c = 0
    y0 = -lyap.full_inverse(lm.astype(complex), g.astype(complex), lm.astype(complex))
    y0 = 0.5 * (y0 + y0.conj().T)
    src = (lm * g[None, :]) @ lm.T
    mres = np.conj(1j * h - 0.5 * g_mat) @ y0 + y0 @ (1j * h - 0.5 * g_mat) + src
    res = float(np.max(np.abs(mres))) / max(float(np.max(np.abs(src))), 1e-300)
    try:
        cho = sla.cho_factor(y0, lower=True, check_finite=True)
    except (np.linalg.LinAlgError, ValueError):
        raise ConvergenceError(
            "the steady state of the quadratic generator is not a state (1 + ⟨a†a⟩ is not positive definite)"
        ) from None
    if not res <= config.COUNTING_LYAPUNOV_RTOL:
        raise ConvergenceError(
            f"the Lyapunov equation of the quadratic steady state has residual {res:.1e} "
            f"(> {config.COUNTING_LYAPUNOV_RTOL:g}); the drift is too ill-conditioned"
        )

    def k0(x):
        return sla.cho_solve(cho, x, check_finite=False)

    occ = np.real(np.diag(y0)) - 1.0
    trp = np.sum(lm * lm, axis=0)  # Tr P_c
    lyl = np.real(np.sum(lm * (y0 @ lm), axis=0))  # l_cᵀ Y_0 l_c = ⟨L_c L_c†⟩; minus Tr P_c: ⟨L_c†L_c⟩
    cum = np.zeros((qf.shape[0], order))
    gross = np.array(
        [[float(np.sum(np.abs(q) ** n * (g * (lyl - trp) + gp * lyl))) for n in range(1, order + 1)] for q in qf]
    )
    for fi, q in enumerate(qf):
        ucoef = _taylor_u(q, order)  # (order + 1, nch)
        vcoef = _taylor_u(-q, order)
        a = g[None, :] * ucoef + gp[None, :] * vcoef  # a_{c,k} for k ≥ 1 (a_{c,0} = 0 is not used)
        b = g[None, :] * ucoef  # b_{c,k} for k ≥ 1
        yl = [y0 @ lm]  # y_n l_c: (m, nch) per order
        rank_terms: list = [None]  # (U, α, V) of R_n for n ≥ 1
        for n in range(1, order + 1):
            us, als, vs = [], [], []
            for c in np.flatnonzero(q != 0):
                for k in range(1, n + 1):
                    for p in range(0, n - k + 1):
                        us.append(yl[p][:, c])
                        vs.append(yl[n - k - p][:, c])
                        als.append(a[k, c])
                    us += [lm[:, c], yl[n - k][:, c]]
                    vs += [yl[n - k][:, c], lm[:, c]]
                    als += [-b[k, c], -b[k, c]]
                us.append(lm[:, c])
                vs.append(lm[:, c])
                als.append(g[c] * ucoef[n, c])
            if us:
                u_ = np.array(us, dtype=complex).T
                v_ = np.array(vs, dtype=complex).T
                al = np.array(als, dtype=complex)
            else:
                u_ = v_ = np.zeros((m, 0), complex)
                al = np.zeros(0, complex)
            rank_terms.append((u_, al, v_))
            if n < order:  # y_order l is not needed (only y_order applied to k_0 l, below)
                yl.append(-lyap.apply_inverse(u_, al, v_, lm.astype(complex)) if us else np.zeros((m, nch), complex))

        def y_apply(j, x, rank_terms=rank_terms):
            u_, al, v_ = rank_terms[j]
            if not al.size:
                return np.zeros_like(x, dtype=complex)
            return -lyap.apply_inverse(u_, al, v_, x)

        kap = [k0(lm.astype(complex))]  # k_m l_c
        for mm in range(1, order + 1):
            acc = np.zeros((m, nch), complex)
            for j in range(1, mm + 1):
                acc += y_apply(j, kap[mm - j])
            kap.append(-k0(acc))
        trk = [np.real(np.sum(lm * kv, axis=0)) for kv in kap]  # l_cᵀ k_m l_c (real: y_n Hermitian)
        for n in range(1, order + 1):
            val = g * (ucoef[n] * trp - sum(ucoef[k] * trk[n - k] for k in range(n + 1)))
            cum[fi, n - 1] = math.factorial(n) * float(np.sum(val))
    return QuadraticCounting(cum, gross, occ, max(res, lyap.residual), lyap.min_decay)


def block_cgf(h, jumps, emission, absorption, net, quantum_row, s, *, steps: int = 8) -> np.ndarray:
    """λ(s) of one block at counting parameters ``s`` (complex), by Newton's method on the Riccati equation.

    Each value is reached by continuation from s = 0 in ``steps`` steps (Newton with the Sylvester
    Jacobian Δ ↦ A_L Δ + Δ A_R at every step). Dense O(m³) per iteration: for tests and small blocks.
    Where the continuation loses the root (for real s: beyond the interval where the generating
    function exists, i.e. where ⟨e^{sQ}⟩ diverges) the value is NaN, as in :func:`single_mode_cgf`.
    """
    h = np.asarray(h, float)
    lm = np.atleast_2d(np.asarray(jumps, float)).T
    g = np.asarray(emission, float)
    gp = np.asarray(absorption, float)
    net = np.asarray(net, float)
    q = np.asarray(quantum_row, float)
    m, nch = lm.shape
    ps = [np.outer(lm[:, c], lm[:, c]) for c in range(nch)]
    g_mat = sum((net[c] * ps[c] for c in range(nch)), np.zeros((m, m)))
    lyap = _Lyapunov(h, g_mat)
    y0 = -lyap.full_inverse(lm.astype(complex), g.astype(complex), lm.astype(complex))
    y0 = 0.5 * (y0 + y0.conj().T)
    s = np.atleast_1d(np.asarray(s, complex))
    out = np.empty(s.shape, complex)
    trp = np.sum(lm * lm, axis=0)
    for i, sv in enumerate(s.ravel()):
        y = y0.copy()
        lost = False
        for t in np.linspace(0, 1, steps + 1)[1:]:
            st = t * sv
            u = np.exp(-st * q)
            v = np.exp(st * q)
            a = g * (u - 1) + gp * (v - 1)
            b = g * (u - 0.5) - 0.5 * gp
            fscale = float(np.max(np.abs(g))) * max(1.0, float(np.max(np.abs(y)))) ** 2 * float(np.max(trp))
            last = np.inf
            for _it in range(60):
                f = 1j * (y @ h - h @ y)
                al = -1j * h.astype(complex)
                ar = 1j * h.astype(complex)
                for c in range(nch):
                    pc = ps[c]
                    f = f + a[c] * (y @ pc @ y) - b[c] * (pc @ y + y @ pc) + g[c] * u[c] * pc
                    al = al + a[c] * (y @ pc) - b[c] * pc
                    ar = ar + a[c] * (pc @ y) - b[c] * pc
                dy = sla.solve_sylvester(al, ar, -f)
                y = y + dy
                step = float(np.max(np.abs(dy)))
                # quadratic convergence down to the rounding of F: stop when the steps stop shrinking
                if step <= 1e-15 * max(1.0, float(np.max(np.abs(y)))) or (step > 0.25 * last and _it > 2):
                    break
                last = step
            if not float(np.max(np.abs(f))) <= config.COUNTING_NEWTON_RTOL * fscale:
                lost = True
                break
        if lost:
            out.ravel()[i] = np.nan
            continue
        u = np.exp(-sv * q)
        kl = np.linalg.solve(y, lm.astype(complex))
        out.ravel()[i] = np.sum(g * u * (trp - np.sum(lm * kl, axis=0)) - gp * trp)
    return out
