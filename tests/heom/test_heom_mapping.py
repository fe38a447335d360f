"""The bath mapping κ = 4λ/γ, ω_c = γ and the weak-coupling limits of HEOM (issue 10, item 1).

Independent references: QuTiP's own power spectrum of its Drude–Lorentz environment; the
correlation function integrated numerically from the spectral density; qheatnet's local and global
master equations (public API ``qheatnet.solve``), which HEOM must approach linearly in λ as λ → 0:
global for detuned qubits (secular approximation valid, local approach wrong — Levy & Kosloff 2014),
local for resonant qubits with ε below the decay rates (secular approximation invalid).
"""

from __future__ import annotations

import numpy as np
import pytest
from heom_networks import pair
from scipy import integrate

from qheatnet import DrudeLorentz, solve

pytest.importorskip("qutip")

from qheatnet.solvers.heom import HeomBath, bath_exponents, converged_heom, heom_problem, qutip_lambda  # noqa: E402


@pytest.mark.parametrize("kappa, cutoff, temperature", [(0.01, 2.0, 2.0), (0.4, 0.5, 0.3), (1e-3, 10.0, 5.0)])
def test_qutip_power_spectrum_is_qheatnet_emission_rate(kappa, cutoff, temperature):
    """S(ω) = 2 J_Q(ω)(n+1) of QuTiP equals γ(ω) = J(ω)(1+n) with J = 2 J_Q: the mapping of the docstring."""
    from qutip.core.environment import DrudeLorentzEnvironment

    spec = DrudeLorentz(kappa, cutoff)
    lam, gamma = qutip_lambda(spec)
    env = DrudeLorentzEnvironment(temperature, lam, gamma)
    w = np.linspace(0.05, 8.0, 40)
    np.testing.assert_allclose(env.power_spectrum(w), spec.emission(w, temperature), rtol=1e-12)
    # QuTiP evaluates S(−ω) = −2J(1 + n(−ω)) by cancellation, which loses digits at large ω/T
    w = w[w < 5 * temperature]
    np.testing.assert_allclose(env.power_spectrum(-w), spec.absorption(w, temperature), rtol=1e-10)


def test_expansion_reproduces_the_correlation_function():
    """Σ_k (c^R_k + i c^I_k) e^{−ν_k t} from bath_exponents vs (1/π)∫J_Q(ω)[coth(ω/2T) cos ωt − i sin ωt]dω."""
    lam, gamma, temp = 0.05, 2.0, 1.0
    bath = HeomBath("b", "A", lam, gamma, temp, np.eye(2))
    nu, cr, ci, delta = bath_exponents(bath, terms=8)

    def jq(w):
        return 2 * lam * gamma * w / (w**2 + gamma**2)

    def f_re(w):  # J_Q coth(ω/2T)/π, finite at ω → 0
        return jq(w) / np.tanh(w / (2 * temp)) / np.pi if w > 0 else 4 * lam * temp / (gamma * np.pi)

    for t in (0.2, 0.7, 2.0, 5.0):
        re = integrate.quad(f_re, 0, np.inf, weight="cos", wvar=t, limlst=200)[0]
        im = -lam * gamma * np.exp(-gamma * t)  # −(1/π)∫ J_Q sin ωt dω, closed form
        series = np.sum((cr + 1j * ci) * np.exp(-nu * t))
        assert abs(series - (re + 1j * im)) < 1e-7 * lam * gamma, (t, series, re + 1j * im)
    # the white-noise remainder is small and non-negative with enough terms
    assert 0 <= delta < 1e-8
    assert bath_exponents(bath, terms=1)[3] > bath_exponents(bath, terms=3)[3] >= 0


def _rel(net, approach, heom):
    return solve(net, approach).heat_currents["hot"] / heom.heat_currents["hot"] - 1


def test_detuned_qubits_weak_coupling_limit_is_global():
    """ω = (1, 0.8), ε = 0.05: |J_global/J_HEOM − 1| < 1e-3 at λ = 1e-4, and ∝ λ (10× smaller at 1e-5)."""
    dev = {}
    for lam in (1e-4, 1e-5):
        net = pair(0.8, 0.05, lam)
        res = converged_heom(heom_problem(net), rtol=1e-6)
        dev[lam] = _rel(net, "global", res)
        assert _rel(net, "local", res) < -5  # local: heat from cold to hot (Levy & Kosloff 2014)
    assert abs(dev[1e-4]) < 1e-3, dev
    assert 7 < dev[1e-4] / dev[1e-5] < 13, dev  # linear in λ: the mapping has no O(1) error


def test_resonant_qubits_weak_coupling_limit_is_local():
    """ω = (1, 1), ε = 1e-3 (below the decay rates): local within 1e-3 at λ = 1e-4, global > 5 % off."""
    net = pair(1.0, 1e-3, 1e-4)
    res = converged_heom(heom_problem(net), rtol=1e-6)
    assert abs(_rel(net, "local", res)) < 1e-3
    assert _rel(net, "global", res) > 0.05
    # and with ε above the rates both master equations agree with HEOM
    net = pair(1.0, 0.1, 1e-4)
    res = converged_heom(heom_problem(net), rtol=1e-6)
    assert abs(_rel(net, "local", res)) < 1e-3 and abs(_rel(net, "global", res)) < 1e-3
