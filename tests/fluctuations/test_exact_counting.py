"""Exact (Levitov–Lesovik / Saito–Dhar) counting statistics of harmonic networks against independent references.

References: the exact NEGF current of qheatnet.solvers.exact (the first cumulant), a dense Green's function
and the unitarity of the phonon scattering matrix built from it in the test (the normalisation T = 4J_hJ_c|G|²),
finite differences of the generating function −∫dν/2π ln(1 − T K(s)) integrated by scipy.integrate.quad in the
test (all three cumulants, without the library's cumulant formulas), the Gallavotti–Cohen symmetry, and the
weak-coupling limit: the global (Davies) Gaussian counting statistics (Saito & Dhar, PRL 99, 180601 (2007)
derive the same formula; as κ → 0 the transmission peaks are Lorentzians whose Levitov–Lesovik integral is the
single-mode closed form of qheatnet.solvers.counting_gaussian).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from qheatnet import Bath, Coupling, DrudeLorentz, Network, Node, Ohmic
from qheatnet.errors import ModelError
from qheatnet.solvers.counting_exact import exact_counting, transmission
from qheatnet.solvers.exact import exact_steady_state, susceptibility_shift
from qheatnet.thermo.fluctuations import counting_statistics


def _pair(kappa=0.01, w2=0.9, eps=0.05, spectrum=Ohmic):
    return Network.two_node("oscillator", 1.0, w2, eps, 2.0, 1.0, spectrum(kappa, 5.0))


def _dense_green(net, nu):
    """G(ν) = [h − ν² h⁻¹ + Σ(ν)]⁻¹, Σ = 2Δχ on the bath sites (the exact reference's conventions)."""
    h = net.single_particle_matrix()
    d = h - nu**2 * np.linalg.inv(h)
    d = d.astype(complex)
    for b in net.baths:
        i = net.node_index(b.node)
        d[i, i] += 2.0 * complex(susceptibility_shift(b.spectrum, np.array([nu]))[0])
    return np.linalg.inv(d)


def test_first_cumulant_is_the_exact_current():
    for net in (_pair(), _pair(0.02, 1.0, 0.1, DrudeLorentz)):
        got = exact_counting(net)
        ref = exact_steady_state(net, covariance=False)
        assert got.cumulants[0, 0] == pytest.approx(ref.heat_currents["hot"], rel=1e-9)
        assert got.cumulants[1, 0] == pytest.approx(ref.heat_currents["cold"], rel=1e-9)
        assert got.cumulants[1, 1] == got.cumulants[0, 1]  # Q_c = −Q_h + bounded
        assert got.max_transmission <= 1.0


def test_transmission_is_the_probability_of_a_unitary_scattering_matrix():
    """s = 1 + 2i√J G √J on the bath sites is unitary, and T = |s_hc|² = 4 J_h J_c |G_hc|²."""
    net = _pair(0.05, 1.0, 0.05)
    nus = np.array([0.3, 0.95, 1.0, 1.05, 2.0])
    got = transmission(net, nus)
    for nu, t in zip(nus, got):
        g = _dense_green(net, nu)
        jv = np.array([float(b.spectrum.spectral_density(nu)) for b in net.baths])
        r = np.sqrt(jv)
        s = np.eye(2) + 2j * r[:, None] * g * r[None, :]
        assert np.allclose(s.conj().T @ s, np.eye(2), atol=1e-12)
        assert t == pytest.approx(abs(s[0, 1]) ** 2, rel=1e-10)


def test_cumulants_are_derivatives_of_the_levitov_lesovik_integral():
    """Finite differences (9 points) of λ(s) = −∫dν/2π ln{1 − T[n_h(1+n_c)(e^{sν}−1) + n_c(1+n_h)(e^{−sν}−1)]},
    each λ integrated by scipy.integrate.quad with the test's dense Green's function."""
    net = _pair(0.02, 1.0, 0.08)
    th, tc = 2.0, 1.0

    def lam(s):
        def f(nu):
            g = _dense_green(net, nu)
            jv = [float(b.spectrum.spectral_density(nu)) for b in net.baths]
            t = 4 * jv[0] * jv[1] * abs(g[0, 1]) ** 2
            nh, nc = 1 / np.expm1(nu / th), 1 / np.expm1(nu / tc)
            k = nh * (1 + nc) * np.expm1(s * nu) + nc * (1 + nh) * np.expm1(-s * nu)
            return -np.log1p(-t * k) / (2 * np.pi)

        pts = [0.92, 1.0, 1.08]
        val = 0.0
        for a, b in ((1e-12, 0.5), (0.5, 1.5), (1.5, 60.0)):
            v, _ = integrate.quad(f, a, b, points=pts if a == 0.5 else None, limit=400, epsabs=1e-17, epsrel=1e-13)
            val += v
        return val

    h = 0.02
    ks = np.arange(-4, 5)
    vals = np.array([lam(k * h) for k in ks])
    coef = np.polynomial.polynomial.polyfit(ks * h, vals, 8)
    ref = np.array([coef[1], 2 * coef[2], 6 * coef[3]])
    got = exact_counting(net).cumulants[0]
    # measured: the 9-point fit at h = 0.02 is 6e-7 (c_3) and 2e-10 (c_1, c_2) from the library's cumulants;
    # at h = 0.05 the stencil's truncation alone is 4.5e-5 (c_3)
    assert np.allclose(got, ref, rtol=2e-6, atol=0), (got, ref)


def test_gallavotti_cohen_symmetry():
    net = _pair()
    db = 1.0 / 1.0 - 1.0 / 2.0
    chi = np.array([0.3, -0.8, 0.5 + 0.2j])
    got = exact_counting(net, order=1, chi=np.concatenate([chi, -chi + 1j * db]))
    assert np.allclose(got.cgf[:3], got.cgf[3:], rtol=1e-8, atol=1e-16)
    assert np.min(np.abs(got.cgf)) > 1e-7


@pytest.mark.parametrize("w2", [1.0, 0.97])
def test_weak_coupling_limit_is_the_global_gaussian_counting(w2):
    """|c_n(exact)/c_n(global) − 1| falls with the coupling κ (first order: ×10 per decade; measured on the
    resonant pair 2e-4/3e-4 (S/c_3) at κ = 1e-3 and 1.6e-5/2.0e-5 at 1e-4)."""
    errs = []
    for kappa in (1e-3, 1e-4):
        net = _pair(kappa, w2, 0.05)
        ex = counting_statistics(net, "exact", "exact").cumulants[0]
        gl = counting_statistics(net, "global", "gaussian").cumulants[0]
        errs.append(np.max(np.abs(gl / ex - 1)))
    assert errs[1] < 5e-5
    assert errs[1] < errs[0] / 5


def test_chain_exact_noise_and_three_baths_refused():
    nodes = [Node(f"n{i}", "oscillator", 1.0) for i in range(30)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(29)]
    baths = [Bath("hot", "n0", 2.0, Ohmic(0.001, 5.0)), Bath("cold", "n29", 1.0, Ohmic(0.001, 5.0))]
    net = Network(nodes, cps, baths)
    ex = counting_statistics(net, "exact", "exact")
    gl = counting_statistics(net, "global", "gaussian")
    assert np.allclose(ex.cumulants, gl.cumulants, rtol=2e-3)
    three = Network(nodes, cps, [*baths, Bath("mid", "n10", 1.5, Ohmic(0.001, 5.0))])
    with pytest.raises(ModelError, match="two baths"):
        exact_counting(three)
