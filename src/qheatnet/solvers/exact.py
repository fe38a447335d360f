r"""Exact steady state of a linear oscillator network: non-equilibrium Green's functions.

Model (ħ = k_B = 1). H = H_S + Σ_α [H_{B,α} + X_{s(α)} ⊗ B_α + ½ μ_α X_{s(α)}²] with
H_S = Σ h_ij a_i† a_j = ½ xᵀ h x + ½ pᵀ h p (+ const), x = (a + a†)/√2,
p = i(a† − a)/√2, X_s = a_s + a_s† = √2 x_s and B_α = Σ_k g_k (b_k + b_k†).
Position–position coupling is not number conserving, so this is solved in the
full (x, p) form, without any Born, Markov or secular approximation
(Dhar, Adv. Phys. 57, 457 (2008); Hofer et al., NJP 19, 123037 (2017)).

Dipole and other quadratic couplings (not number conserving) give
H_S = ½ xᵀ V x + ½ pᵀ W p with V ≠ W (:mod:`qheatnet.physics.quadratic_xp`); every
formula below holds with h → V in the position blocks and h → W in the momentum
blocks, G(ν) = [V − ν² W⁻¹ + Σ(ν)]⁻¹, and the normal modes of V, W (x = MQ) in place
of the eigenvectors of h.

Spectral density
    J_α(ω) = 2π Σ_k g_k² δ(ω − ω_k) is ``spectrum.spectral_density``, the same
    J that defines the master-equation rates (emission J(1 + n), absorption
    J n), so that the weak-coupling limits coincide. The bath susceptibility
    χ(ν) = −(1/π)∫ J(ω) ω/(ω² − (ν + i0)²) dω has Im χ(ν) = −J(ν)/2.

Frequency renormalisation
    The counter-term ½ μ_α X² with μ_α = −χ_α(0) = (1/π)∫ J_α(ω)/ω dω
    (Caldeira–Leggett) cancels the static shift, so the network keeps its
    bare frequencies ω_i (as in the master equations, which have no Lamb
    shift) and H stays bounded below whenever H_S is. The dynamical part
    Re[χ(ν) − χ(0)] (a shift of order J) is kept: it is part of the exact
    answer and vanishes with the coupling. This needs J with a high-frequency
    cut-off: ``drude_lorentz`` (χ = −κω_c²/(2(ω_c − iν))) and ``ohmic``
    (closed form with exponential integrals). ``flat`` (a temperature-
    dependent J) and ``phonon3d`` (J ∝ ω³ without cut-off: divergent shift)
    are refused.

Equations
    Eliminating p = h⁻¹ ẋ and the baths, x(ν) = G(ν) ξ(ν) with
    G(ν) = D(ν)⁻¹, D(ν) = h − ν² h⁻¹ + 2 Σ_α [χ_α(ν) − χ_α(0)] E_{s(α)}
    (E_s = e_s e_sᵀ) and ξ = −√2 Σ_α B_α e_{s(α)} the free bath force. Then

    .. math:: J_α = \frac{2}{π} Σ_β ∫_0^∞ J_α(ν) J_β(ν)
              |G_{s(α)s(β)}(ν)|²\, ν[n_α(ν) − n_β(ν)]\, dν,

    the heat current from bath α into the network (d⟨H_S⟩/dt from bath α,
    "full" bookkeeping; the counter-term does no work at steady state), and
    the symmetrised covariance, with Q = ν h⁻¹ G (= i P, the momentum response),

    .. math:: V_{xx} = \frac1π ∫_0^∞ \mathrm{Re}[G N G^†] dν,\;
              V_{pp} = \frac1π ∫_0^∞ \mathrm{Re}[Q N Q^†] dν,\;
              V_{xp} = -\frac1π ∫_0^∞ \mathrm{Im}[G N Q^†] dν,

    N = Σ_α J_α(ν)(2n_α(ν) + 1) E_{s(α)}. The pair form of J_α is
    antisymmetric in (α, β), so Σ_α J_α = 0 holds to round-off.

Algorithm (why it neither hangs nor wastes work)
    1. Poles of G (:mod:`.exact_poles`): first order in the bath coupling with
       degenerate clusters for any spectrum; for Drude–Lorentz baths the exact
       eigenvalues of the enlarged linear problem when it is small.
    2. Columns of G at the bath sites (:mod:`.exact_green`): O(N) per frequency
       for chains (block-tridiagonal elimination), dense otherwise. Currents need
       only the bath-site block; the rows at every node are computed only for
       populations (O(N) more per frequency) or the covariance (O(N²) per frequency).
    3. Vectorised Gauss–Kronrod on a mesh graded towards the complex poles
       (:mod:`.exact_quadrature`): a peak of width γ costs O(log(1/γ)) panels.
    4. Resonances narrower than double precision can resolve (half-width below
       ``NARROW_RTOL`` × frequency: an out-of-band impurity, a band-edge mode of a
       long chain, a nearly dark mode) are taken out of the numerical integral: in a
       window of half-width W ≫ γ around the pole, each entry of G is modelled as
       A/(ν − z) + B + B'(ν − Re z), with the residue A = ψ ψ_Sᵀ/(ψᵀ M' ψ) from inverse
       iteration (ψ the null vector of M(z), see :mod:`.exact_green`), the width from
       the exact identity γ = Σ_α J_α |ψ_{s_α}|² / (2 Re ψ_x†ψ_q) (imaginary part of
       ψ† M(z) ψ = 0, accurate however small γ is), and B, B' from G at ν = Re z ± W.
       The window integral is then analytic. Two inverse iterations from different
       start vectors must agree on the bath weights J_α|ψ_{s_α}|²: a mode coupled
       below what double precision resolves (a symmetry-dark mode) has no unique
       occupation, and populations are then refused (its current contribution is nil).
       A window needs isolation W ≤ ``WINDOW_ISOLATION`` × distance to the next
       singularity; otherwise the peak is integrated numerically and its rounding,
       ≈ eps·ν/γ of its weight, is part of the reported error.
    5. A cost estimate (points × cost per point, memory) is made before any
       integrand evaluation; a hopeless integral is refused with ConvergenceError.
       Every output is checked for finiteness.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from ..errors import ConvergenceError, ModelError, ValidationError
from ..model.spectra import DrudeLorentz, Ohmic
from . import exact_quadrature as quad
from .exact_green import ChainGreen, DenseGreen, path_order
from .exact_poles import drude_lorentz_poles, first_order_poles, normal_modes

__all__ = ["ExactResult", "exact_steady_state", "susceptibility_shift", "estimate_cost"]

#: Resonances with half-width |Im z| below NARROW_RTOL·Re z get the analytic window model: a
#: numerically integrated peak of half-width γ carries a rounding error ≈ eps·ν/γ per point
#: (the distance ν − Re z is itself only known to eps·ν), 1e-9 at this threshold.
NARROW_RTOL = 1e-7
#: The window half-width W is at least this many half-widths (the Lorentzian tails beyond W,
#: a fraction (2/π)γ/W of the peak, are integrated numerically).
WINDOW_GAMMAS = 10.0
#: ... and at most this fraction of the distance d to the nearest other singularity (the model
#: leaves out the curvature of the background, an error ≈ (W/d)²/6 of the background's share of
#: the window; measured against a classical Lyapunov reference and against numerical
#: integration, this keeps the window within ~1e-10 of the exact value).
WINDOW_ISOLATION = 0.02
#: Resonances narrower than HOPELESS_RTOL·Re z cannot be integrated numerically at all (rounding
#: ≳ 1e-4 of the peak): they get a window even when less isolated, up to WINDOW_ISOLATION_MAX.
HOPELESS_RTOL = 1e-10
WINDOW_ISOLATION_MAX = 0.2
#: ... and large enough that rounding in G at the window edges (eps·ν/W relative) stays below
#: this relative error of the peak's weight: W ≥ sqrt(eps·ν·γ/WINDOW_NOISE_TARGET).
WINDOW_NOISE_TARGET = 1e-11
#: Largest enlarged Drude–Lorentz eigenproblem (2N + n_baths) solved densely for exact poles
#: (≈ 0.3 s at this size; beyond, first-order poles are used).
ENLARGED_MAX = 500
#: Results whose estimated relative error exceeds this are refused (ConvergenceError); between
#: rtol and this the error is reported in ``residual``/``errors`` and in ``notes``.
REFUSE_RTOL = 1e-6
#: Default time budget of one call; the cost estimate refuses integrals expected to take longer.
DEFAULT_MAX_SECONDS = 600.0
#: Memory budget (bytes) of the arrays the estimate knows about.
MAX_MEMORY_BYTES = 4e9
#: Memory per evaluation chunk (bytes): frequencies are processed in chunks of this size.
CHUNK_BYTES = 2.5e8
#: Calibration of the cost model, measured on the 2-core CI-type machine (one BLAS thread,
#: benchmarks/bench_exact.py and a ring of 60 nodes): elementary vectorised complex operations per
#: second of the chain recursion (N = 1000: 8 s measured, 9.7 s estimated), flops per second of
#: the batched dense solves (general graphs) and of the covariance accumulation (BLAS-3 zgemm,
#: N = 200: 3.6 s measured), and the normal-mode problem (seconds per N² for chains
#: (eigh_tridiagonal with vectors), per N³ dense). Conservative by up to 2× on a quiet machine;
#: a loaded one is slower.
OPS_PER_SECOND = 1e9
FLOPS_PER_SECOND = 1e10
BLAS3_FLOPS_PER_SECOND = 3e10
CHAIN_EIG_SECONDS = 1.0e-7
DENSE_EIG_SECONDS = 2.0e-10
#: Expected growth of the number of points by adaptive refinement (for the estimate only).
REFINE_MARGIN = 0.5


def susceptibility_shift(spectrum, nu):
    """Δχ(ν) = χ(ν) − χ(0) for ν > 0 (see module docstring)."""
    nu = np.asarray(nu, float)
    if isinstance(spectrum, DrudeLorentz):
        k, c = spectrum.kappa, spectrum.cutoff
        return -0.5 * k * c * (1j * nu) / (c - 1j * nu)
    if isinstance(spectrum, Ohmic):
        k, c = spectrum.kappa, spectrum.cutoff
        x = nu / c
        with np.errstate(over="ignore", invalid="ignore"):
            # Re χ(ν) = −(κ/π)[c − (ν/2)(e^{−x} Ei(x) + e^{x} E1(x))]; Re χ(0) = −κc/π
            re = (k / np.pi) * 0.5 * nu * (np.exp(-x) * special.expi(x) + np.exp(x) * special.exp1(x))
        re = np.where(x < 700, re, k * c / np.pi)  # far tail: Re χ(ν) → 0, Δχ → −χ(0)
        return re - 0.5j * spectrum.spectral_density(nu)
    raise ModelError(
        f"the exact approach needs a spectral density with a high-frequency cut-off, got spectrum kind "
        f"{spectrum.kind!r} ({'a temperature-dependent J(ω)' if spectrum.kind == 'flat' else 'divergent shift'}); "
        "use 'ohmic' or 'drude_lorentz'"
    )


def _j_over_nu(spectrum, nu):
    """J(ν)/ν, finite at ν → 0 and overflow-free at ν → ∞."""
    k, c = spectrum.kappa, spectrum.cutoff
    if isinstance(spectrum, Ohmic):
        return k * np.exp(-nu / c)
    x = nu / c
    return k / (1.0 + x * x)


def _nu_bose(nu, temperature):
    """ν n_T(ν) = T φ(ν/T), φ(x) = x/(eˣ − 1): finite at ν → 0, zero at T = 0, no overflow or NaN."""
    if temperature == 0.0:
        return np.zeros_like(nu)
    x = nu / temperature  # may be inf for tiny T
    phi = np.zeros_like(x)
    small = x < 700.0
    xs = x[small]
    phi[small] = np.where(xs > 1e-300, xs / np.where(xs > 1e-300, np.expm1(xs), 1.0), 1.0)
    big = ~small & np.isfinite(x)
    phi[big] = x[big] * np.exp(-x[big])
    return temperature * phi


def _nu_bose_difference(nu, ta, tb, nna, nnb):
    """ν[n_a(ν) − n_b(ν)] without cancellation (nna, nnb = ν n_a, ν n_b).

    n_a − n_b = (e^{x_b − x_a} − 1)(1 + n_a) n_b with x = ν/T, used where |x_b − x_a| < 1
    (elsewhere the two occupations differ by more than a factor e and the plain difference
    is accurate): ν(n_a − n_b) = [expm1(Δ)/ν]·(ν n_b)·(ν + ν n_a), each factor finite.
    """
    if ta == tb:
        return np.zeros_like(nu)
    if ta == 0.0 or tb == 0.0:
        return nna - nnb
    dbeta = 1.0 / tb - 1.0 / ta
    delta = nu * dbeta
    small = np.abs(delta) < 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        prod = np.where(small, (np.expm1(delta) / nu) * nnb * (nu + nna), 0.0)
    return np.where(small, prod, nna - nnb)


@dataclass(frozen=True)
class ExactResult:
    """Exact (NEGF) steady state of an oscillator network.

    Attributes
    ----------
    heat_currents : dict
        Bath name → J_α (energy per time into the network from α).
    populations : dict
        Node name → ⟨a_i† a_i⟩ (empty unless populations or covariance were asked for).
    covariance : ndarray or None
        2N × 2N symmetrised covariance, order (x_1, p_1, x_2, p_2, ...), or None.
    residual : float
        Estimated relative error of the pair currents (quadrature + rounding).
    gross_exchange : float
        Σ_{α<β} of the gross pair exchange (2/π)∫ J_α J_β |G|² ν(n_α + n_β + 1) dν.
    solver : dict
        Method, points, panels, poles, narrow resonances, timings.
    errors : dict
        Estimated absolute errors: "currents" (max over pairs), "populations" (max over nodes).
    cost : dict
        The cost estimate made before the integral (points, seconds, bytes).
    notes : tuple of str
        Conditions worth a diagnostic (error above rtol, very slow modes).
    """

    heat_currents: dict
    populations: dict
    covariance: np.ndarray | None  # 2N × 2N, order (x_1, p_1, x_2, p_2, ...)
    residual: float
    gross_exchange: float
    solver: dict
    errors: dict = field(default_factory=dict)
    cost: dict = field(default_factory=dict)
    notes: tuple = ()


class _Problem:
    """Plain-array form of the network (built once at the boundary)."""

    def __init__(self, network):
        if network.swap_only:
            self.h = network.single_particle_matrix()
            self.v, self.w = self.h, self.h
        else:  # dipole and other quadratic couplings: H_S = ½xᵀVx + ½pᵀWp (qheatnet.physics.quadratic_xp)
            from ..physics.quadratic_xp import quadratic_form

            self.v, self.w = quadratic_form(network)
            self.h = self.v
        self.swap = network.swap_only
        self.n = self.h.shape[0]
        self.names = [node.name for node in network.nodes]
        self.baths = list(network.baths)
        self.nb = len(self.baths)
        self.bath_names = [b.name for b in self.baths]
        self.site_of = np.array([network.node_index(b.node) for b in self.baths], dtype=int)
        self.spectra = [b.spectrum for b in self.baths]
        self.temps = [float(b.temperature) for b in self.baths]
        for s in self.spectra:
            susceptibility_shift(s, 1.0)  # refuses unsupported spectra early
        self.usites = np.unique(self.site_of)
        col = {int(x): k for k, x in enumerate(self.usites)}
        self.bcol = np.array([col[int(x)] for x in self.site_of], dtype=int)
        self.nu_sites = self.usites.size
        self.pairs = [(a, b) for a in range(self.nb) for b in range(a + 1, self.nb)]
        if self.swap:
            self.chain = path_order(self.h)
            self.links_p = None
        else:  # the path of the joint coupling pattern, and the links of V and W along it
            pattern = np.abs(self.v) + np.abs(self.w)
            pattern[np.diag_indices_from(pattern)] = np.diag(self.v)
            po = path_order(pattern)
            if po is None:
                self.chain, self.links_p = None, None
            else:
                order = po[0]
                self.chain = (order, np.array([self.v[order[i], order[i + 1]] for i in range(self.n - 1)]))
                self.links_p = np.array([self.w[order[i], order[i + 1]] for i in range(self.n - 1)])

    def sigma(self, nu):
        """Σ_u(ν) = Σ_{α at u} 2Δχ_α(ν): (m, n_u)."""
        nu = np.atleast_1d(np.asarray(nu, float))
        out = np.zeros((nu.size, self.nu_sites), complex)
        for a, s in enumerate(self.spectra):
            out[:, self.bcol[a]] += 2.0 * susceptibility_shift(s, nu)
        return out

    def bath_factors(self, nu):
        jv = np.stack([_j_over_nu(s, nu) * nu for s in self.spectra], axis=1)  # J_α(ν)
        jo = np.stack([_j_over_nu(s, nu) for s in self.spectra], axis=1)  # J_α(ν)/ν
        nn = np.stack([_nu_bose(nu, t) for t in self.temps], axis=1)  # ν n_α(ν)
        return jv, jo, nn

    def pair_factors(self, nu, jv, nn):
        """(2/π) J_α J_β ν(n_α − n_β) and (2/π) J_α J_β ν(n_α + n_β + 1) for α < β: (m, n_pairs) each."""
        net = np.empty((nu.size, len(self.pairs)))
        gross = np.empty_like(net)
        for k, (a, b) in enumerate(self.pairs):
            jj = (2.0 / np.pi) * jv[:, a] * jv[:, b]
            net[:, k] = jj * _nu_bose_difference(nu, self.temps[a], self.temps[b], nn[:, a], nn[:, b])
            gross[:, k] = jj * (nn[:, a] + nn[:, b] + nu)
        return net, gross

    def noise(self, nu, jo, nn):
        """N_u(ν)/π = Σ_{α at u} J_α(2n_α + 1)/π: (m, n_u)."""
        out = np.zeros((nu.size, self.nu_sites))
        for a in range(self.nb):
            out[:, self.bcol[a]] += jo[:, a] * (2.0 * nn[:, a] + nu)
        return out / np.pi


def _check_options(rtol, covariance, populations, progress, max_seconds):
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float, np.floating)) or not (1e-14 <= float(rtol) < 1):
        raise ValidationError("rtol", f"must be a number in [1e-14, 1), got {rtol!r}")
    if not isinstance(covariance, (bool, np.bool_)):
        raise ValidationError("covariance", f"must be true or false, got {covariance!r}")
    if populations is not None and not isinstance(populations, (bool, np.bool_)):
        raise ValidationError("populations", f"must be true, false or None (= covariance), got {populations!r}")
    if progress is not None and not callable(progress):
        raise ValidationError("progress", f"must be None or a callable(done_fraction, message), got {progress!r}")
    if (
        isinstance(max_seconds, bool)
        or not isinstance(max_seconds, (int, float, np.floating))
        or not (float(max_seconds) > 0)
    ):
        raise ValidationError("max_seconds", f"must be a number > 0, got {max_seconds!r}")


def _mode_cost(n, is_chain):
    secs = CHAIN_EIG_SECONDS * n * n if is_chain else DENSE_EIG_SECONDS * n**3
    return secs, 8.0 * n * n * (1 if is_chain else 3)


def _refuse(msg):
    raise ConvergenceError(msg)


def integrand_condition(poles, aux, wmax):
    """ν ↦ max(ν, ω_max)/distance to the nearest pole of G (searched among the neighbours in Re z): the
    condition of the integrands at ν, which sets their rounding level in the adaptive quadrature."""
    pole_all = np.sort_complex(np.concatenate([poles, aux])) if poles.size else np.array([wmax + 0j])

    def cond(nu):
        j = np.searchsorted(pole_all.real, nu)
        d = np.full(nu.shape, np.inf)
        for off in range(-8, 9):
            jj = np.clip(j + off, 0, pole_all.size - 1)
            d = np.minimum(d, np.abs(nu - pole_all[jj]))
        return np.maximum(np.maximum(nu, wmax) / np.maximum(d, 1e-300), 1.0)

    return cond


def integrand_singularities(prob, poles, aux):
    """Complex singular points of the integrands (for the mesh and the rounding level)."""
    s = [poles, -np.conj(poles), aux]
    extra = []
    for sp in prob.spectra:
        if isinstance(sp, DrudeLorentz):
            extra += [1j * sp.cutoff, -1j * sp.cutoff]
    for t in prob.temps:
        if t > 0:
            extra += [2j * np.pi * t, -2j * np.pi * t]
    s.append(np.array(extra, complex))
    return np.concatenate(s)


class _Window:
    """Analytic treatment of one narrow resonance (see module docstring, step 4)."""

    def __init__(self, center, half, gamma_est, k_mode, dist):
        self.center = center
        self.half = half
        self.gamma_est = gamma_est
        self.k_mode = k_mode
        self.dist = dist


def _integrals(w, g):
    """∫_{−W}^{W} of 1/(δ²+γ²), 1/(δ+iγ), δ/(δ+iγ): I1, I2, I3 (γ ≥ 0)."""
    at = math.atan2(w, g)  # atan(W/γ), π/2 at γ = 0
    i1 = 2.0 * at / g if g > 0 else math.inf
    return i1, -2j * at, 2.0 * w - 2.0 * g * at


def _window_quadratic(a, b0, b1, w, g, i1, i2, i3):
    """∫ E Ē* for E = A/(δ+iγ) + B + B'δ, entrywise, A/B/B' arrays of equal shape (summed last axis)."""
    val = np.sum(np.abs(b0) ** 2, axis=-1) * (2 * w) + np.sum(np.abs(b1) ** 2, axis=-1) * (2 * w**3 / 3)
    if np.any(a != 0):
        val = val + np.sum(np.abs(a) ** 2, axis=-1) * i1
        val = val + 2.0 * np.sum((a * np.conj(b0) * i2).real, axis=-1)
        val = val + 2.0 * np.sum((a * np.conj(b1) * i3).real, axis=-1)
    return val


def estimate_cost(network, *, covariance=True, populations=None, rtol=1e-10):
    """The cost estimate that :func:`exact_steady_state` makes before integrating (no integration).

    Returns a dict with ``points`` (frequency points expected), ``seconds`` (expected CPU time on
    the calibration machine), ``bytes`` (largest memory), ``method`` and ``n``.
    """
    res = exact_steady_state(
        network, covariance=covariance, populations=populations, rtol=rtol, max_seconds=1e300, _estimate_only=True
    )
    return res


def exact_steady_state(
    network,
    bookkeeping="full",
    *,
    rtol=1e-10,
    covariance=True,
    populations=None,
    progress=None,
    max_seconds=DEFAULT_MAX_SECONDS,
    _estimate_only=False,
) -> ExactResult:
    """Exact (NEGF) heat currents, populations and covariance of an oscillator network.

    Parameters
    ----------
    network : Network
        Oscillators only, with a positive-definite h; baths ``ohmic`` or
        ``drude_lorentz``.
    bookkeeping : "full"
    rtol : float
        Relative tolerance of the frequency integrals (per output group: pair currents,
        gross exchange, ⟨x_i²⟩, ⟨p_i²⟩; relative to the largest member of the group).
    covariance : bool
        Also compute the 2N × 2N covariance (costs O(N²) per frequency point, a second
        pass over the final mesh; implies populations).
    populations : bool or None
        ⟨n_i⟩ of every node (the diagonal only: O(N) more per frequency point for chains).
        None (default): the same as ``covariance``.
    progress : callable(done_fraction, message) or None
        Called during long integrals (after each chunk of frequency points).
    max_seconds : float
        Refuse (ConvergenceError, before any integration) when the cost estimate exceeds this.

    Returns
    -------
    ExactResult

    Raises
    ------
    ModelError
        Unsupported spectra or bookkeeping, no ground state.
    ConvergenceError
        Cost estimate above ``max_seconds`` or memory above ``MAX_MEMORY_BYTES``; integral not
        converged; a normal mode decoupled from every bath while populations are asked for
        (no unique steady state); a non-finite result (e.g. temperatures near the largest
        double).

    Examples
    --------
    >>> from qheatnet import Network, Ohmic
    >>> net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 2.0, 1.0, Ohmic(1e-3, 5.0))
    >>> res = exact_steady_state(net, covariance=False)
    >>> res.heat_currents["hot"] > 0
    True
    """
    t_start = time.process_time()
    if bookkeeping != "full":
        raise ModelError("the exact approach supports only the full H_S bookkeeping")
    _check_options(rtol, covariance, populations, progress, max_seconds)
    rtol = float(rtol)
    covariance = bool(covariance)
    want_pops = covariance if populations is None else bool(populations) or covariance
    with np.errstate(all="ignore"):
        return _solve(network, rtol, covariance, want_pops, progress, float(max_seconds), _estimate_only, t_start)


def _solve(network, rtol, covariance, want_pops, progress, max_seconds, estimate_only, t_start):
    prob = _Problem(network)
    n, nb = prob.n, prob.nb
    is_chain = prob.chain is not None
    notes = []

    def report(frac, msg):
        if progress is not None:
            progress(float(frac), msg)

    # -- normal modes: cost first ------------------------------------------------------------------
    secs_modes, mem_modes = _mode_cost(n, is_chain)
    if secs_modes > max_seconds or mem_modes > MAX_MEMORY_BYTES:
        _refuse(
            f"exact approach: the normal modes of {n} oscillators alone need ≈ {secs_modes:.3g} s and "
            f"{mem_modes / 1e9:.3g} GB (budget {max_seconds:g} s, {MAX_MEMORY_BYTES / 1e9:g} GB); use the "
            "global or local approach (Gaussian engine), or raise max_seconds"
        )
    report(0.0, "normal modes")
    if prob.swap:
        omega, u = normal_modes(prob.h, prob.chain)
    else:  # modes of ½xᵀVx + ½pᵀWp; x = M Q plays the part of u (Mᵀ G⁻¹ M = diag(Ω − ν²/Ω) + MᵀΣM)
        from ..physics.quadratic_xp import normal_modes_xp

        xp = normal_modes_xp(prob.v, prob.w)
        omega, u = xp.omega, xp.M
    if not np.all(np.isfinite(omega)):
        _refuse("exact approach: non-finite normal-mode frequencies (overflowing couplings or frequencies)")
    if omega[0] <= 0:
        raise ModelError(
            f"the exact approach needs a Hamiltonian with a ground state, but the lowest normal-mode "
            f"frequency is {omega[0]:.6g} ≤ 0"
        )
    ub = u[prob.usites]  # (n_u, N)
    if is_chain:
        green = ChainGreen(prob.h, prob.usites, *prob.chain, links_p=prob.links_p)
    elif prob.swap:
        green = DenseGreen(prob.h, prob.usites, (u / omega[None, :]) @ u.T)
    else:  # W⁻¹ = 𝒩 Ω⁻¹ 𝒩ᵀ
        green = DenseGreen(prob.v, prob.usites, (xp.N / omega[None, :]) @ xp.N.T, w=prob.w)

    # -- poles --------------------------------------------------------------------------------------
    all_dl = all(isinstance(s, DrudeLorentz) for s in prob.spectra)
    aux = np.zeros(0, complex)
    if all_dl and 2 * n + nb <= ENLARGED_MAX:
        poles, aux = drude_lorentz_poles(
            prob.h, prob.site_of, [s.kappa for s in prob.spectra], [s.cutoff for s in prob.spectra], w=prob.w
        )
        pole_method = "exact (enlarged Drude-Lorentz eigenproblem)"
        clusters = 0
    else:
        poles, clusters = first_order_poles(omega, ub, prob.sigma)
        pole_method = "first order in the bath coupling, degenerate clusters"
    poles = poles[np.isfinite(poles)]
    sing = integrand_singularities(prob, poles, aux)
    wmax = float(max(np.max(omega), np.max(poles.real) if poles.size else 0.0))
    top = 2.0 * wmax + 10.0 * float(np.max(np.abs(poles.imag))) if poles.size else 2.0 * wmax

    # -- narrow resonances: windows -----------------------------------------------------------------
    eps = np.finfo(float).eps
    windows = []
    narrow = np.flatnonzero(np.abs(poles.imag) < NARROW_RTOL * np.abs(poles.real)) if poles.size else []
    for k in narrow:
        z = poles[k]
        others = np.concatenate([sing[:k], sing[k + 1 :]]) if sing.size else sing
        others = others[np.abs(others - z) > 0] if others.size else others
        dist = float(np.min(np.abs(others - z))) if others.size else math.inf
        dist = min(dist, float(z.real))
        g = abs(float(z.imag))
        w_lo = max(WINDOW_GAMMAS * g, math.sqrt(eps * z.real * max(g, eps * z.real) / WINDOW_NOISE_TARGET))
        w_hi = (WINDOW_ISOLATION if g >= HOPELESS_RTOL * z.real else WINDOW_ISOLATION_MAX) * dist
        if w_lo > w_hi:
            continue  # not isolated: integrated numerically (its rounding level is reported)
        half = min(w_hi, 2.0 * w_lo)
        k_mode = int(np.argmin(np.abs(omega - z.real)))
        windows.append(_Window(float(z.real), half, g, k_mode, dist))
    _refine_poles(prob, green, windows, u, want_pops)
    windows = [w for w in windows if not w.drop]
    windows.sort(key=lambda w: w.center)
    merged = []
    for w in windows:  # overlapping windows (should not happen: isolation) -> numerical
        if merged and w.center - w.half <= merged[-1].center + merged[-1].half:
            merged.pop()
            continue
        merged.append(w)
    windows = merged
    top = max(top, max((w.center + 2 * w.half for w in windows), default=0.0))

    # -- mesh ---------------------------------------------------------------------------------------
    wall = [0.0]
    for w in windows:
        wall += [w.center - w.half, w.center + w.half]
    wall.append(top)
    est_secs_per_point = green.work_per_point("diag" if want_pops else "bath") / OPS_PER_SECOND
    if not is_chain:
        est_secs_per_point = green.work_per_point("diag" if want_pops else "bath") / FLOPS_PER_SECOND
    cov_secs_per_point = (8.0 * (2 * n) ** 2 * prob.nu_sites) / BLAS3_FLOPS_PER_SECOND if covariance else 0.0
    max_points = int(max_seconds / max(est_secs_per_point + cov_secs_per_point, 1e-12)) + 1000
    max_panels = max(max_points // 15, 10)
    lo, hi = [], []
    scale = wmax
    try:
        for a, b in zip(wall[0::2], wall[1::2]):
            e = quad.march(a, b, sing, scale, max_panels)
            lo.append(e[:-1])
            hi.append(e[1:])
        e = quad.march(top, quad.TAIL_FACTOR * top, sing, scale, max_panels)
        lo.append(e[:-1])
        hi.append(e[1:])
    except quad._TooMany as exc:
        _refuse(
            f"exact approach: the frequency mesh needs more than {exc.args[0]} panels "
            f"(≈ {15 * exc.args[0]} frequency points, ≈ {15 * exc.args[0] * (est_secs_per_point + cov_secs_per_point):.3g} s "
            f"at {est_secs_per_point + cov_secs_per_point:.2g} s per point) before refinement: more than the "
            f"budget max_seconds = {max_seconds:g}; {_advice(covariance, want_pops)}"
        )
    lo = np.concatenate(lo)
    hi = np.concatenate(hi)
    kind = np.zeros(lo.size, int)
    panels = quad.PanelSet(
        np.concatenate([lo, [0.0]]), np.concatenate([hi, [1.0 / quad.TAIL_FACTOR]]), np.concatenate([kind, [1]]), top
    )
    n_points0 = 15 * panels.lo.size + 8 * len(windows)
    points_est = int(n_points0 * (1 + REFINE_MARGIN))
    rows_mode = "diag" if want_pops else "bath"
    chunk = int(np.clip(CHUNK_BYTES / green.memory_per_point(rows_mode), 16, 4096))
    if not is_chain:
        chunk = int(np.clip(CHUNK_BYTES / green.memory_per_point(rows_mode), 1, 4096))
    secs = secs_modes + points_est * est_secs_per_point + n_points0 * (1 + REFINE_MARGIN) * cov_secs_per_point
    if covariance:
        secs += points_est * est_secs_per_point  # second pass over the final mesh
    mem = max(mem_modes, chunk * green.memory_per_point(rows_mode), 16.0 * (2 * n) ** 2 * (3 if covariance else 0))
    cost = {
        "points": points_est,
        "panels": int(panels.lo.size),
        "seconds": float(secs),
        "bytes": float(mem),
        "seconds_per_point": float(est_secs_per_point + cov_secs_per_point),
        "method": green.kind,
        "n": n,
    }
    if estimate_only:
        return cost
    if secs > max_seconds or mem > MAX_MEMORY_BYTES:
        _refuse(
            f"exact approach: estimated cost {points_est} frequency points × {est_secs_per_point + cov_secs_per_point:.2g} s "
            f"= {secs:.3g} s and {mem / 1e9:.3g} GB (budget max_seconds = {max_seconds:g}, "
            f"{MAX_MEMORY_BYTES / 1e9:g} GB); {_advice(covariance, want_pops)}"
        )

    # -- integrand ----------------------------------------------------------------------------------
    npair = len(prob.pairs)
    n_out = 2 * npair + (2 * n if want_pops else 0)
    pr = np.array([prob.bcol[a] for a, _ in prob.pairs], dtype=int)  # bath-site row of each pair
    ps = np.array([prob.bcol[b] for _, b in prob.pairs], dtype=int)  # bath-site column of each pair

    def evaluate(nu):
        sig = prob.sigma(nu)
        jv, jo, nn = prob.bath_factors(nu)
        out = np.empty((nu.size, n_out))
        if want_pops:
            xs, dx, dq = green.columns(nu, sig, rows="diag", weights=prob.noise(nu, jo, nn))
            out[:, 2 * npair : 2 * npair + n] = dx
            out[:, 2 * npair + n :] = dq
        else:
            xs, _ = green.columns(nu, sig, rows="bath")
        if npair:
            g2 = np.abs(xs[:, pr, ps]) ** 2
            net, gross = prob.pair_factors(nu, jv, nn)
            out[:, :npair] = net * g2
            out[:, npair : 2 * npair] = gross * g2
        return out

    cond = integrand_condition(poles, aux, wmax)

    groups = [np.arange(npair), np.arange(npair, 2 * npair)]
    if want_pops:
        groups += [np.arange(2 * npair, 2 * npair + n), np.arange(2 * npair + n, 2 * npair + 2 * n)]

    # -- narrow windows: analytic ------------------------------------------------------------------
    report(0.01, f"{len(windows)} narrow resonance(s)")
    win_val = np.zeros(n_out)
    win_err = np.zeros(n_out)
    win_cov = []  # (A, B, B', W, γ) per window for the covariance
    win_info = []
    slowest = math.inf
    if windows:  # G at both edges of every window, in one batched evaluation
        edges_all = np.array([[w.center - w.half, w.center + w.half] for w in windows]).ravel()
        ex_all, eq_all = green.columns(
            edges_all, prob.sigma(edges_all), rows="all" if (want_pops or covariance) else "bath"
        )
    for j, w in enumerate(windows):
        xq = (ex_all[2 * j : 2 * j + 2], None if eq_all is None else eq_all[2 * j : 2 * j + 2])
        val, err, covparts = _window(prob, w, xq, want_pops, covariance, n_out, npair, pr, ps)
        if npair and not np.all(np.isfinite(val[: 2 * npair])):
            # A mode dark to double precision: its half-width underflows (measured: 9e-320 for an ω = 3
            # impurity in the middle of a 200-chain, end amplitudes ~1e-160) and the window model's
            # residue is 0/0. One resonance's transmission integrates to at most πγ, so its share of a
            # pair current (or of the gross exchange) is at most γ max ν(n_α + n_β + 1) / 2: far below
            # round-off, taken as zero with that bound as its error. (Populations, if asked, still
            # need the mode's occupation: the checks below refuse them when they are not determined.)
            _, _, nn0 = prob.bath_factors(np.array([w.center]))
            bound = w.gamma * (2.0 * float(np.max(nn0)) + w.center)
            cur = slice(0, 2 * npair)
            val[cur] = np.where(np.isfinite(val[cur]), val[cur], 0.0)
            err[cur] = np.maximum(np.nan_to_num(err[cur], nan=0.0, posinf=0.0), bound)
        win_val += val
        win_err += err
        if covparts is not None:
            win_cov.append(covparts)
        win_info.append({"frequency": w.center, "half_width": w.gamma, "window": w.half})
        slowest = min(slowest, 2 * w.gamma)

    # -- adaptive integral ----------------------------------------------------------------------------
    def prog(frac, msg):
        report(0.02 + (0.96 if not covariance else 0.6) * frac, msg)

    val, err, noise, used, panels = quad.integrate_adaptive(
        panels,
        evaluate,
        groups,
        rtol,
        cond,
        max_points=max(int(max_seconds / max(est_secs_per_point, 1e-12)), 2 * n_points0),
        chunk=chunk,
        progress=prog if progress is not None else None,
        est_points=points_est,
    )
    val = val + win_val
    err = err + win_err

    # -- covariance: second pass on the final mesh ---------------------------------------------------
    cov = None
    if covariance:
        cmat = np.zeros((2 * n, 2 * n), complex)
        chunk = int(np.clip(CHUNK_BYTES / (green.memory_per_point("all") + 2 * n * prob.nu_sites * 16.0), 1, 4096))
        idx = np.arange(panels.lo.size)
        nu_all, jac = panels.nodes(idx)
        nu_flat = nu_all.ravel()
        wts = (jac * quad.GK_WK[None, :]).ravel()
        for s in range(0, nu_flat.size, chunk):
            nu = nu_flat[s : s + chunk]
            x, q = green.columns(nu, prob.sigma(nu), rows="all")
            jv, jo, nn = prob.bath_factors(nu)
            wn = np.sqrt(np.maximum(prob.noise(nu, jo, nn) * wts[s : s + chunk, None], 0.0))  # (m, n_u)
            y = np.concatenate([x, q], axis=1) * wn[:, None, :]  # (m, 2N, n_u)
            y = np.transpose(y, (1, 0, 2)).reshape(2 * n, -1)
            cmat += y @ y.conj().T
            report(0.62 + 0.36 * min((s + chunk) / nu_flat.size, 1.0), f"covariance: {s + nu.size} points")
        for a_, b0, b1, ww, g in win_cov:
            i1, i2, i3 = _integrals(ww, g)
            part = (2 * ww) * (b0 @ b0.conj().T) + (2 * ww**3 / 3) * (b1 @ b1.conj().T)
            if np.any(a_ != 0):
                part += i1 * (a_ @ a_.conj().T)
                ab = a_ @ b0.conj().T
                part += i2 * ab + np.conj(i2) * ab.conj().T
                ab1 = a_ @ b1.conj().T
                part += i3 * (ab1 + ab1.conj().T)
            cmat += part
        vxx, vqq, vxq = cmat[:n, :n].real, cmat[n:, n:].real, cmat[:n, n:]
        cov = np.zeros((2 * n, 2 * n))
        cov[0::2, 0::2] = 0.5 * (vxx + vxx.T)
        cov[1::2, 1::2] = 0.5 * (vqq + vqq.T)
        cov[0::2, 1::2] = -vxq.imag
        cov[1::2, 0::2] = -vxq.imag.T

    # -- results --------------------------------------------------------------------------------------
    pair = np.zeros((nb, nb))
    gross_pair = np.zeros((nb, nb))
    for k, (a, b) in enumerate(prob.pairs):
        pair[a, b], pair[b, a] = val[k], -val[k]
        gross_pair[a, b] = val[npair + k]
    currents = {name: float(np.sum(pair[a])) for a, name in enumerate(prob.bath_names)}
    jmax = float(np.max(np.abs(val[:npair]))) if npair else 0.0
    cur_err = float(np.max(err[:npair])) if npair else 0.0
    # relative to the largest pair current, but never to less than the rounding resolution of a
    # difference n_α − n_β against the gross exchange (currents that vanish to double precision)
    gmax = float(np.max(np.abs(val[npair : 2 * npair]))) if npair else 0.0
    denom = max(jmax, np.finfo(float).eps * gmax)
    residual = cur_err / denom if denom > 0 else (0.0 if cur_err == 0 else math.inf)
    pops = {}
    pop_err = 0.0
    if want_pops:
        vx = val[2 * npair : 2 * npair + n]
        vq = val[2 * npair + n :]
        pvals = 0.5 * (vx + vq) - 0.5
        pops = {name: float(pvals[i]) for i, name in enumerate(prob.names)}
        pop_err = float(np.max(0.5 * (err[2 * npair : 2 * npair + n] + err[2 * npair + n :])))
        pop_scale = float(np.max(0.5 * (vx + vq)))
        if pop_err > REFUSE_RTOL * pop_scale:
            _refuse(
                f"exact approach: populations reached only ≈ {pop_err / pop_scale:.2g} relative accuracy "
                f"(rtol {rtol:g}); likely unresolvable resonances ({len(narrow)} narrow, {len(windows)} isolated)"
            )
        if pop_err > 10 * rtol * pop_scale:
            notes.append(f"populations accurate to ≈ {pop_err / pop_scale:.2g} (relative), above rtol = {rtol:g}")
    gross = float(np.sum(np.triu(gross_pair, 1)))
    if residual > REFUSE_RTOL:
        _refuse(
            f"exact approach: heat currents reached only ≈ {residual:.2g} relative accuracy (rtol {rtol:g}); "
            "likely unresolvable resonances or rounding (see the integrand's condition)"
        )
    if residual > 10 * rtol:
        notes.append(f"heat currents accurate to ≈ {residual:.2g} (relative), above rtol = {rtol:g}")
    if slowest < 1e-12 * wmax:
        notes.append(
            f"the slowest normal mode relaxes at rate ≈ {slowest:.3g} (a localised or nearly dark mode): the "
            "steady state takes ~1/rate to be reached"
        )
    checks = {"heat current": list(currents.values()), "gross exchange": [gross], "population": list(pops.values())}
    if cov is not None:
        checks["covariance"] = [float(np.max(np.abs(cov)))]
    for what, vals in checks.items():
        if not all(math.isfinite(v) for v in vals):
            temps = ", ".join(f"{t:g}" for t in prob.temps)
            _refuse(
                f"exact approach: a {what} is not finite in double precision (bath temperatures {temps}): "
                "occupations, spectral densities and Green's functions over- or underflow; rescale the "
                "energy unit so that temperatures and frequencies are within ~1e±250 of each other"
            )
    report(1.0, "done")
    solver = {
        "method": "NEGF (Landauer) frequency integral",
        "rtol": rtol,
        "green": green.kind,
        "poles": pole_method,
        "pole_count": int(poles.size),
        "clusters": int(clusters),
        "narrow_resonances": len(narrow),
        "windows": win_info,
        "frequency_points": int(used + 2 * len(windows)),
        "panels": int(panels.lo.size),
        "cpu_seconds": time.process_time() - t_start,
    }
    return ExactResult(
        currents,
        pops,
        cov,
        float(residual),
        gross,
        solver,
        errors={"currents": cur_err, "populations": pop_err},
        cost=cost,
        notes=tuple(notes),
    )


def _advice(covariance, want_pops):
    if covariance:
        return (
            "covariance=False (currents only) or populations=True with covariance=False (⟨n_i⟩ only, "
            "O(N) per point) is much cheaper; or raise max_seconds"
        )
    if want_pops:
        return "populations=False (currents only) is cheaper; or raise max_seconds, or use the global approach"
    return "raise max_seconds or rtol, or use the global or local approach (Gaussian engine)"


#: Two inverse iterations from different start vectors must agree on the bath-coupling weights
#: J_α|ψ_{s_α}|² of a narrow mode to this relative tolerance; otherwise its coupling is below
#: what double precision resolves (a dark mode) and its occupation is not determined.
WEIGHTS_RTOL = 1e-6


def _refine_poles(prob, green, windows, u, want_pops):
    """Inverse iteration for the null vectors ψ of M(z) at the narrow poles (batched).

    Sets w.center (Re z from ψ† M(z) ψ = 0), w.gamma (−Im z, the Ward identity), w.psi, w.dsig, and
    adjusts w.half. Two start vectors (the undamped mode, and the mode plus a fixed perturbation) are
    iterated side by side; their bath weights must agree (WEIGHTS_RTOL).
    """
    if not windows:
        return
    n, m = prob.n, len(windows)
    rhs = np.zeros((m, 2 * n, 2), complex)
    for j, w in enumerate(windows):
        # start vectors localised where the mode lives (zero elsewhere, so that the exponentially small
        # tails of a localised mode come out of the recursion as products of ratios, never as the
        # difference of O(1) numbers): its largest and its second-largest site
        big = np.argsort(-np.abs(u[:, w.k_mode]))[:2]
        for k in (0, 1):
            site = big[min(k, big.size - 1)]
            rhs[j, site, k] = 1.0
            rhs[j, n + site, k] = 1.0
    nu_r = np.array([w.center for w in windows])
    gamma = np.zeros(m)
    psi = np.zeros((m, 2 * n, 2), complex)
    hstep = 1e-6 * nu_r
    for it in range(4):
        sig_r = prob.sigma(nu_r)
        dsig = (prob.sigma(nu_r + hstep) - prob.sigma(nu_r - hstep)) / (2 * hstep[:, None])
        z = nu_r - 1j * gamma if it else nu_r.astype(complex)
        sig_z = sig_r - 1j * gamma[:, None] * dsig  # Σ(z) to first order in γ (γ ≪ any scale of Σ)
        x, q = green.columns(z, sig_z, rows="all", rhs=rhs)
        y = np.concatenate([x, q], axis=1)  # (m, 2N, 2)
        norm = np.linalg.norm(y, axis=1, keepdims=True)
        ok = np.all(np.isfinite(y), axis=(1, 2)) & np.all(norm[:, 0, :] > 0, axis=1)
        y = np.where(ok[:, None, None], y / np.where(norm > 0, norm, 1.0), rhs)
        psi = y
        px, pq = y[:, :n, 0], y[:, n:, 0]
        ps_u = px[:, prob.usites]
        den = 2.0 * np.einsum("mi,mi->m", px.conj(), pq).real
        hx = px @ prob.v
        hq = pq @ prob.w
        num = (np.einsum("mi,mi->m", px.conj(), hx) + np.einsum("mi,mi->m", pq.conj(), hq)).real
        num += np.sum(sig_z.real * np.abs(ps_u) ** 2, axis=1)
        good = ok & (den > 0) & np.isfinite(num / np.where(den > 0, den, 1.0))
        nu_r = np.where(
            good, num / np.where(den > 0, den, 1.0), nu_r + (~ok) * 1e-3 * np.array([w.half for w in windows])
        )
        gamma = np.where(
            good, np.maximum(-np.sum(sig_z.imag * np.abs(ps_u) ** 2, axis=1) / np.where(den > 0, den, 1.0), 0.0), gamma
        )
        rhs = y
    for j, w in enumerate(windows):
        nu0, g, p0 = float(nu_r[j]), float(gamma[j]), psi[j, :, 0]
        if not np.all(np.isfinite(p0)):
            raise ConvergenceError(
                f"exact approach: inverse iteration failed at the narrow resonance ν ≈ {w.center:.10g}"
            )
        # bath weights J_u|ψ_u|²/(2 Re ψ_x†ψ_q) from both start vectors (their sum is γ): equal unless the
        # mode's coupling is below what double precision resolves
        wts = []
        for k in (0, 1):
            pk = psi[j, :, k]
            dk = 2.0 * float((pk[:n].conj() @ pk[n:]).real)
            wts.append(np.abs(pk[prob.usites]) ** 2 * (-sig_r[j].imag) / (dk if dk > 0 else np.nan))
        scale = float(np.sum(wts[0]))
        resolved = (
            bool(np.all(np.isfinite(wts[1])) and scale > 0)
            and float(np.max(np.abs(wts[0] - wts[1]))) <= WEIGHTS_RTOL * scale
        )
        if not (g > 1e-300 * nu0) or not resolved:
            if want_pops:
                raise ConvergenceError(
                    f"exact approach: the normal mode at ν ≈ {nu0:.10g} is decoupled from the baths (relaxation rate "
                    f"{2 * g:.3g}, below what double precision resolves): the steady state is not unique and its "
                    "populations are undefined; ask for the heat currents only (covariance=False, populations=False), "
                    "which it does not carry"
                )
            g = max(g, 0.0)
        half = w.half
        w.drop = False
        if g >= NARROW_RTOL * nu0 or (g > 0 and WINDOW_GAMMAS * g > WINDOW_ISOLATION_MAX * w.dist):
            # the first-order estimate was wrong (e.g. near-degenerate bright and dark modes): not a narrow,
            # isolated resonance after all, integrate it numerically
            w.drop = True
            continue
        half = max(half, WINDOW_GAMMAS * g)
        w.half = half
        w.center = nu0
        w.gamma = g
        w.psi = p0
        w.dsig = dsig[j]


def _window(prob, w, xq, want_pops, covariance, n_out, npair, pr, ps):
    """Window model of one narrow resonance (after :func:`_refine_pole`): values, errors, covariance parts."""
    n = prob.n
    eps = np.finfo(float).eps
    nu0, gamma, psi, half, dsig = w.center, w.gamma, w.psi, w.half, w.dsig
    px, pq = psi[:n], psi[n:]
    ps_u = px[prob.usites]
    jv, jo, nn = prob.bath_factors(np.array([nu0]))
    # residue: M(ν)⁻¹ ≈ ψ ψᵀ / ((ν − z) c), c = ψᵀ M_ν ψ = Σ_u Σ_u' ψ_u² − 2 ψ_xᵀ ψ_q
    c = complex(np.sum(dsig * ps_u**2) - 2.0 * (px @ pq))
    res_rows = psi[:, None] * ps_u[None, :] / c  # (2N, n_u): residue of the x and q rows at the bath columns
    # edge values
    edges = np.array([nu0 - half, nu0 + half])
    x, q = xq
    jv_e, jo_e, nn_e = prob.bath_factors(edges)
    i1, i2, i3 = _integrals(half, gamma)
    val = np.zeros(n_out)
    err = np.zeros(n_out)
    rel_model = (half / w.dist) ** 2  # the B'' δ² terms the model leaves out, relative to its B, B' part
    edge_noise = quad.NOISE_FACTOR * eps * nu0 / half
    dm = np.array([-half, half])

    def fit(e_edge, a_coef):
        """B, B' from E(±W) = A/(±W + iγ) + B ± B'W; e_edge (2, ...) and a_coef (...)."""
        r = e_edge - a_coef[None] / (dm.reshape((2,) + (1,) * a_coef.ndim) + 1j * gamma)
        return 0.5 * (r[0] + r[1]), (r[1] - r[0]) / (2 * half)

    if npair:
        net0, gross0 = prob.pair_factors(np.array([nu0]), jv, nn)
        net_e, gross_e = prob.pair_factors(edges, jv_e, nn_e)
        xs = x[:, prob.usites] if x.shape[1] == n else x
        g_e = xs[:, pr, ps]  # (2, npair)
        a_g = res_rows[prob.usites[pr], ps]
        for off, f0, fe in ((0, net0[0], net_e), (npair, gross0[0], gross_e)):
            sgn = np.sign(f0)
            a_c = a_g * np.sqrt(np.abs(f0))
            e_e = g_e * np.sqrt(np.abs(fe))
            b0, b1 = fit(e_e, a_c)
            for k in range(npair):
                v = _window_quadratic(a_c[k : k + 1], b0[k : k + 1], b1[k : k + 1], half, gamma, i1, i2, i3)
                val[off + k] = sgn[k] * v
                bg = 2 * half * abs(b0[k]) ** 2 + (2 * half**3 / 3) * abs(b1[k]) ** 2
                err[off + k] = rel_model * bg + edge_noise * (
                    2 * np.pi * abs(a_c[k]) * np.max(np.abs(e_e[:, k])) + 2 * half * np.max(np.abs(e_e[:, k])) ** 2
                )
    covparts = None
    if want_pops or covariance:
        nz0 = prob.noise(np.array([nu0]), jo, nn)[0]  # (n_u,)
        nz_e = prob.noise(edges, jo_e, nn_e)  # (2, n_u)
        y_e = np.concatenate([x, q], axis=1) * np.sqrt(nz_e)[:, None, :]  # (2, 2N, n_u)
        a_y = res_rows * np.sqrt(nz0)[None, :]
        b0, b1 = fit(y_e, a_y)
        diag = _window_quadratic(a_y, b0, b1, half, gamma, i1, i2, i3)  # (2N,)
        emax = np.max(np.abs(y_e), axis=(0, 2))
        amax = np.max(np.abs(a_y), axis=1)
        bg = 2 * half * np.sum(np.abs(b0) ** 2, axis=-1) + (2 * half**3 / 3) * np.sum(np.abs(b1) ** 2, axis=-1)
        derr = rel_model * bg + edge_noise * (2 * np.pi * amax * emax + 2 * half * emax**2)
        val[2 * npair :] = diag
        err[2 * npair :] = derr
        if covariance:
            covparts = (a_y, b0, b1, half, gamma)
    return val, err, covparts
