r"""Exact full counting statistics of the heat through a linear oscillator network (two baths).

Conventions: ħ = k_B = 1; the counted heat Q is the energy taken from the first bath ("h"), positive
when it flows into the network (the sign of J_h); the network, the baths and the counter-term are
those of :mod:`qheatnet.solvers.exact`.

Transmission
------------
The exact steady current of :mod:`.exact` is J_h = (2/π)∫_0^∞ ν J_h(ν) J_c(ν) |G_{hc}(ν)|²
(n_h − n_c) dν, with G(ν) = [h − ν²h⁻¹ + Σ(ν)]⁻¹ the retarded position response and Σ_u = 2Σ_α Δχ_α
on the bath sites, Im Σ_u = −Σ_{α at u} J_α(ν). Writing it in Landauer form,
J_h = ∫_0^∞ (dν/2π) ν T(ν) (n_h − n_c), identifies

.. math:: T(ν) = 4\,J_h(ν) J_c(ν)\, |G_{s_h s_c}(ν)|^2 = 4\,\mathrm{Im}Σ_h\,\mathrm{Im}Σ_c\,|G_{hc}|^2,

the Caroli form Tr[Γ_h G Γ_c G†] with Γ = −2 Im Σ = 2J. It is the transmission probability of
the phonon scattering matrix s = 1 + 2i√J G√J on the bath sites: G − G† = 2iG†JG (from
G⁻¹ − G⁻† = Σ − Σ† = −2iJ) makes s unitary, so 0 ≤ T ≤ 1 (checked at every frequency).

Levitov–Lesovik formula for phonons (Saito & Dhar, PRL 99, 180601 (2007))
-------------------------------------------------------------------------
The two-time measurement of the energy of bath h gives, at long times,

.. math:: \ln Z(χ) = −t ∫_0^∞ \frac{dν}{2π} \ln\{1 − T(ν)[n_h(1 + n_c)(e^{iχν} − 1)
          + n_c(1 + n_h)(e^{−iχν} − 1)]\},

(each phonon crossing h → c carries ν, with the bosonic weights n_h(1 + n_c) and n_c(1 + n_h)). Its
first cumulant reproduces the Landauer current above, which fixes the normalisation of T. With
s = iχ, a = n_h(1 + n_c), b = n_c(1 + n_h), d = n_h − n_c = a − b, and K(s) = a(e^{sν} − 1) +
b(e^{−sν} − 1), the derivatives of −ln(1 − TK) at s = 0 (K = 0, K' = νd, K'' = ν²(a + b),
K''' = ν³d) give the scaled cumulants

.. math::
    c_1 = ∫\frac{dν}{2π} νTd,\qquad
    c_2 = S = ∫\frac{dν}{2π} ν^2[T(a + b) + T^2 d^2],\qquad
    c_3 = ∫\frac{dν}{2π} ν^3[Td + 3T^2 d(a + b) + 2T^3 d^3],

(a + b = n_h + n_c + 2n_h n_c: no vacuum term, the integrals converge). The fluctuation theorem
ln Z(χ) = ln Z(−χ + i(β_c − β_h)) holds frequency by frequency: K(χ) is invariant because
n_h(1 + n_c) e^{−(β_c − β_h)ν} = n_c(1 + n_h). For the second bath Q_c = −Q_h + (bounded), so
its cumulants are (−1)^n c_n.

Numerics: the pole-graded Gauss–Kronrod quadrature of :mod:`.exact_quadrature` on the mesh built
from the poles of G (:mod:`.exact_poles`), the Matsubara poles of the Bose factors and the poles of
Drude–Lorentz spectra; G from the O(N)-per-frequency chain recursion or dense solves
(:mod:`.exact_green`). Narrow resonances are resolved by the geometric grading of the mesh (their
rounding is part of the reported error; their weight in the integrals is proportional to their
width). All integrands are formed from ν n(ν) and (J/ν)², finite at ν → 0.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .. import config
from ..errors import ConvergenceError, ModelError
from ..model.spectra import DrudeLorentz
from . import exact_quadrature as quad
from .exact import (
    CHUNK_BYTES,
    ENLARGED_MAX,
    FLOPS_PER_SECOND,
    OPS_PER_SECOND,
    integrand_condition,
    integrand_singularities,
    susceptibility_shift,
)
from .exact_green import make_green, path_order
from .exact_poles import drude_lorentz_poles, first_order_poles, normal_modes

__all__ = ["ExactCounting", "exact_counting", "transmission"]


@dataclass(frozen=True, eq=False)
class ExactCounting:
    """Exact scaled cumulants of the heat from each of the two baths (see the module docstring).

    ``cumulants`` (2, order): c_1 … c_order of Q_h (row 0) and Q_c = −Q_h (row 1, (−1)^n c_n);
    ``errors`` (order,): estimated absolute errors of c_n (quadrature + rounding); ``cgf``: λ(χ) at the
    requested χ (or None); ``cgf_errors``; ``max_transmission``: the largest T(ν) met (≤ 1);
    ``solver``: points, panels, poles, seconds.
    """

    cumulants: np.ndarray
    errors: np.ndarray
    cgf: np.ndarray | None
    cgf_errors: np.ndarray | None
    max_transmission: float
    solver: dict = field(default_factory=dict)


def _nu_bose(nu, temperature):
    """ν n_T(ν) = T φ(ν/T), φ(x) = x/(eˣ − 1): finite at ν → 0, zero at T = 0."""
    if temperature == 0.0:
        return np.zeros_like(nu)
    x = nu / temperature
    with np.errstate(over="ignore", invalid="ignore"):
        phi = np.where(x > 1e-300, x / np.where(x > 1e-300, np.expm1(np.minimum(x, 700.0)), 1.0), 1.0)
    phi = np.where(x < 700.0, phi, x * np.exp(-np.minimum(x, 1e300)))
    return temperature * phi


def _nu_difference(nu, ta, tb, nna, nnb):
    """ν(n_a − n_b) without cancellation: (e^{x_b − x_a} − 1)/ν · (ν n_b)(ν + ν n_a) where |x_b − x_a| < 1."""
    if ta == tb:
        return np.zeros_like(nu)
    if ta == 0.0 or tb == 0.0:
        return nna - nnb
    delta = nu * (1.0 / tb - 1.0 / ta)
    small = np.abs(delta) < 1.0
    with np.errstate(over="ignore", invalid="ignore"):
        prod = np.where(small, (np.expm1(np.where(small, delta, 0.0)) / nu) * nnb * (nu + nna), 0.0)
    return np.where(small, prod, nna - nnb)


class _TwoTerminal:
    """Plain arrays of a two-bath oscillator network (checked once)."""

    def __init__(self, network):
        if len(network.baths) != 2:
            raise ModelError(
                f"exact counting statistics are implemented for two-terminal networks (two baths); this network "
                f"has {len(network.baths)}"
            )
        self.h = network.single_particle_matrix()
        self.n = self.h.shape[0]
        self.baths = list(network.baths)
        self.spectra = [b.spectrum for b in self.baths]
        self.temps = [float(b.temperature) for b in self.baths]
        for s in self.spectra:
            susceptibility_shift(s, 1.0)  # refuses spectra without a cut-off (ModelError)
        self.site_of = np.array([network.node_index(b.node) for b in self.baths], dtype=int)
        self.usites = np.unique(self.site_of)
        col = {int(x): k for k, x in enumerate(self.usites)}
        self.bcol = np.array([col[int(x)] for x in self.site_of], dtype=int)
        self.chain = path_order(self.h)

    def sigma(self, nu):
        nu = np.atleast_1d(np.asarray(nu, float))
        out = np.zeros((nu.size, self.usites.size), complex)
        for a, s in enumerate(self.spectra):
            out[:, self.bcol[a]] += 2.0 * susceptibility_shift(s, nu)
        return out

    def jo(self, nu):
        """J_α(ν)/ν: (m, 2)."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return np.stack([np.asarray(s.spectral_density(nu)) / nu for s in self.spectra], axis=1)


def transmission(network, nu) -> np.ndarray:
    """T(ν) = 4 J_h J_c |G_{hc}(ν)|² of a two-bath oscillator network at frequencies ``nu`` > 0."""
    prob = _TwoTerminal(network)
    nu = np.atleast_1d(np.asarray(nu, float))
    green = make_green(prob.h, prob.usites)
    x, _ = green.columns(nu, prob.sigma(nu), rows="bath")
    g = x[:, prob.bcol[0], prob.bcol[1]]
    jo = prob.jo(nu)
    return 4.0 * (jo[:, 0] * nu) * (jo[:, 1] * nu) * np.abs(g) ** 2


def exact_counting(
    network, *, order: int = 3, chi=None, rtol: float = 1e-9, max_seconds: float = 600.0
) -> ExactCounting:
    """Exact (Levitov–Lesovik / Saito–Dhar) cumulants c_1 … c_order (order ≤ 3) and optionally λ(χ).

    Parameters
    ----------
    network : Network
        Oscillators only, two baths with ``ohmic`` or ``drude_lorentz`` spectra, a ground state.
    order : 1, 2 or 3
    chi : array of complex χ or None — also integrate λ(χ) = ln Z(χ)/t there
    rtol : relative tolerance of every integral
    max_seconds : budget: the number of frequency points is limited to what it allows

    Raises
    ------
    ModelError
        Not two baths, unsupported spectra, no ground state.
    ConvergenceError
        An integral not converged within the budget, a transmission above one (broken conventions
        or rounding), or a non-finite result.
    """
    t0 = time.process_time()
    order = int(order)
    if not 1 <= order <= 3:
        raise ValueError("order must be 1, 2 or 3")
    prob = _TwoTerminal(network)
    n = prob.n
    omega, u = normal_modes(prob.h, prob.chain)
    if not omega[0] > 0:
        raise ModelError(f"the exact approach needs a ground state; the lowest normal-mode frequency is {omega[0]:.6g}")
    ub = u[prob.usites]
    green = make_green(prob.h, prob.usites, (u / omega[None, :]) @ u.T if prob.chain is None else None)
    aux = np.zeros(0, complex)
    if all(isinstance(s, DrudeLorentz) for s in prob.spectra) and 2 * n + 2 <= ENLARGED_MAX:
        poles, aux = drude_lorentz_poles(
            prob.h, prob.site_of, [s.kappa for s in prob.spectra], [s.cutoff for s in prob.spectra]
        )
    else:
        poles, _ = first_order_poles(omega, ub, prob.sigma)
    poles = poles[np.isfinite(poles)]
    sing = integrand_singularities(prob, poles, aux)
    wmax = float(max(np.max(omega), np.max(poles.real) if poles.size else 0.0))
    tmax = max(prob.temps)
    top = max(2.0 * wmax + (10.0 * float(np.max(np.abs(poles.imag))) if poles.size else 0.0), 40.0 * tmax)
    per_point = green.work_per_point("bath") / (OPS_PER_SECOND if green.kind == "chain" else FLOPS_PER_SECOND)
    max_points = int(max_seconds / max(per_point, 1e-12)) + 1000
    try:
        edges = quad.march(0.0, top, sing, wmax, max(max_points // 15, 10))
        tail = quad.march(top, quad.TAIL_FACTOR * top, sing, wmax, max(max_points // 15, 10))
    except quad._TooMany as exc:
        raise ConvergenceError(
            f"exact counting statistics: the frequency mesh needs more than {exc.args[0]} panels within the budget "
            f"max_seconds = {max_seconds:g}"
        ) from None
    lo = np.concatenate([edges[:-1], tail[:-1], [0.0]])
    hi = np.concatenate([edges[1:], tail[1:], [1.0 / quad.TAIL_FACTOR]])
    kind = np.concatenate([np.zeros(edges.size - 1 + tail.size - 1, int), [1]])
    panels = quad.PanelSet(lo, hi, kind, top)
    chis = None if chi is None else np.atleast_1d(np.asarray(chi, complex))
    n_out = order + (2 * chis.size if chis is not None else 0)
    ta, tb = prob.temps
    tmax_seen = [0.0]

    def evaluate(nu):
        x, _ = green.columns(nu, prob.sigma(nu), rows="bath")
        g2 = np.abs(x[:, prob.bcol[0], prob.bcol[1]]) ** 2
        jo = prob.jo(nu)
        tn2 = 4.0 * jo[:, 0] * jo[:, 1] * g2  # T/ν²
        tr = tn2 * nu * nu
        finite = np.isfinite(tr)
        if np.any(finite):
            tmax_seen[0] = max(tmax_seen[0], float(np.max(tr[finite])))
        na, nb = _nu_bose(nu, ta), _nu_bose(nu, tb)
        nd = _nu_difference(nu, ta, tb, na, nb)  # ν(n_h − n_c)
        s2 = nu * (na + nb) + 2.0 * na * nb  # ν²(a + b)
        out = np.empty((nu.size, n_out))
        out[:, 0] = tr * nd
        if order >= 2:
            out[:, 1] = tr * s2 + tr * tr * nd * nd
        if order >= 3:
            out[:, 2] = tr * nu * nu * nd + 3.0 * tr * tr * nd * s2 + 2.0 * tr**3 * nd**3
        if chis is not None:
            ta_ = tn2 * na * (nu + nb)  # T a
            tb_ = tn2 * nb * (nu + na)  # T b
            for k, c in enumerate(chis):
                with np.errstate(over="ignore", invalid="ignore"):
                    arg = -ta_ * np.expm1(1j * c * nu) - tb_ * np.expm1(-1j * c * nu)
                    val = -np.log1p(arg)
                val = np.where((ta_ == 0) & (tb_ == 0), 0.0, val)
                out[:, order + 2 * k] = val.real
                out[:, order + 2 * k + 1] = val.imag
        out /= 2.0 * np.pi
        return np.nan_to_num(out, nan=np.nan, posinf=np.nan, neginf=np.nan)

    cond = integrand_condition(poles, aux, wmax)

    groups = [np.array([k]) for k in range(order)]
    if chis is not None:
        groups += [np.array([order + 2 * k, order + 2 * k + 1]) for k in range(chis.size)]
    chunk = int(np.clip(CHUNK_BYTES / max(green.memory_per_point("bath"), 1.0), 16, 4096))
    val, err, _noise, used, panels = quad.integrate_adaptive(
        panels, evaluate, groups, rtol, cond, max_points=max_points, chunk=chunk, label="counting-statistics integral"
    )
    if not np.all(np.isfinite(val)):
        raise ConvergenceError(
            "exact counting statistics: a non-finite integral (occupations or Green's functions over- or underflow; "
            "rescale the energy unit)"
        )
    if tmax_seen[0] > 1.0 + config.COUNTING_TRANSMISSION_ATOL:
        raise ConvergenceError(
            f"the transmission reached T = {tmax_seen[0]:.12g} > 1: the Green's function is not resolved (rounding at a "
            "resonance narrower than double precision resolves)"
        )
    cum = np.zeros((2, order))
    cum[0] = val[:order]
    cum[1] = [(-1) ** (k + 1) * val[k] for k in range(order)]
    cgf = cgf_err = None
    if chis is not None:
        cgf = val[order::2][: chis.size] + 1j * val[order + 1 :: 2][: chis.size]
        cgf_err = err[order::2][: chis.size] + err[order + 1 :: 2][: chis.size]
    solver = {
        "method": "Levitov-Lesovik formula for phonons (Saito & Dhar 2007), NEGF transmission",
        "green": green.kind,
        "frequency_points": int(used),
        "panels": int(panels.lo.size),
        "pole_count": int(poles.size),
        "rtol": float(rtol),
        "cpu_seconds": time.process_time() - t0,
    }
    return ExactCounting(cum, err[:order].copy(), cgf, cgf_err, float(tmax_seen[0]), solver)
