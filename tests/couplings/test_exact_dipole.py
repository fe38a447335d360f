"""The exact (NEGF) reference with dipole couplings: H_S = ½xᵀVx + ½pᵀWp, G(ν) = [V − ν²W⁻¹ + Σ(ν)]⁻¹.

Checks: the O(N) chain recursion with distinct position and momentum links against dense numpy solves
of M(ν) = [[V + Σ, −ν], [−ν, W]]; the enlarged Drude–Lorentz poles are zeros of det M; and the weak
bath-coupling limit κ → 0, where the exact currents and populations tend to those of the global
master equation (its rates are the κ → 0 limit of the exact transport; the difference is O(κ)).
ħ = k_B = 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import DrudeLorentz, Network, Ohmic, solve
from qheatnet.model.network import Bath, Coupling, Node
from qheatnet.physics.quadratic_xp import quadratic_form
from qheatnet.solvers.exact_green import ChainGreen, DenseGreen, path_order
from qheatnet.solvers.exact_poles import drude_lorentz_poles


def _xp_chain(n=10, seed=3):
    rng = np.random.default_rng(seed)
    net = Network.chain(n, kind="oscillator", frequency=list(1 + 0.2 * rng.random(n)), coupling=0.0)
    cs = []
    for i in range(n - 1):
        a, b = f"n{i}", f"n{i + 1}"
        cs.append(Coupling((a, b), 0.03 + 0.02 * rng.random(), "dipole"))
        if i % 2:
            cs.append(Coupling((a, b), 0.02 * rng.random()))  # swap on some bonds: W has links too
    return net.replace(couplings=tuple(cs))


def test_chain_recursion_with_distinct_position_and_momentum_links():
    net = _xp_chain()
    n = len(net.nodes)
    v, w = quadratic_form(net)
    assert np.any(v != w)
    po = path_order(np.abs(v) + np.abs(w))
    order = po[0]
    links_v = np.array([v[order[i], order[i + 1]] for i in range(n - 1)])
    links_w = np.array([w[order[i], order[i + 1]] for i in range(n - 1)])
    sites = np.array([0, 4, n - 1])
    cg = ChainGreen(v, sites, order, links_v, links_p=links_w)
    rng = np.random.default_rng(0)
    nu = np.concatenate([np.sqrt(np.abs(np.linalg.eigvals(w @ v))) + 1e-9, rng.random(8) * 2])
    sig = -0.01j * nu[:, None] * np.array([1, 2, 3])[None] + 0.001
    x, q = cg.columns(nu, sig, rows="all")
    for k, z in enumerate(nu):
        m = np.block([[v + 0j, -z * np.eye(n)], [-z * np.eye(n), w + 0j]])
        m[sites, sites] += sig[k]
        rhs = np.zeros((2 * n, len(sites)))
        rhs[sites, np.arange(len(sites))] = 1
        ref = np.linalg.solve(m, rhs)
        scale = np.abs(ref).max()
        assert np.abs(x[k] - ref[:n]).max() < 1e-11 * scale
        assert np.abs(q[k] - ref[n:]).max() < 1e-11 * scale
    dg = DenseGreen(v, sites, np.linalg.inv(w), w=w)
    x2, q2 = dg.columns(nu, sig, rows="all")
    assert np.abs(x2 - x).max() < 1e-10 * np.abs(x).max() and np.abs(q2 - q).max() < 1e-10 * np.abs(q).max()


def test_drude_lorentz_poles_of_the_xp_form_are_zeros_of_the_determinant():
    net = _xp_chain(4)
    v, w = quadratic_form(net)
    sites = np.array([0, 3])
    kap, cut = [2e-3, 1e-3], [5.0, 3.0]
    z, _ = drude_lorentz_poles(v, sites, kap, cut, w=w)
    assert z.size == 4
    for zz in z:
        sig = np.zeros(4, complex)
        for s, k, c in zip(sites, kap, cut):
            sig[s] += 2 * (-0.5 * k * c * (1j * zz) / (c - 1j * zz))
        m = v - zz**2 * np.linalg.inv(w) + np.diag(sig)
        smin = np.linalg.svd(m, compute_uv=False)[-1]
        assert smin < 1e-9 * np.linalg.norm(m)


@pytest.mark.parametrize("spectrum", [Ohmic, DrudeLorentz])
def test_exact_dipole_tends_to_the_global_approach_at_weak_bath_coupling(spectrum):
    def pair(kappa):
        sp = spectrum(kappa, 5.0)
        return Network(
            nodes=(Node("A", "oscillator", 1.0), Node("B", "oscillator", 0.8)),
            couplings=(Coupling(("A", "B"), 0.05, "dipole"),),
            baths=(Bath("hot", "A", 2.0, sp), Bath("cold", "B", 1.0, sp)),
        )

    devs = []
    for kappa in (1e-4, 1e-5):  # (at κ = 1e-3 the Drude–Lorentz O(κ) terms happen to cancel to 3e-6)
        e, g = solve(pair(kappa), "exact"), solve(pair(kappa), "global")
        assert e.engine == "gaussian" and e.residual < 1e-8
        devs.append(abs(e.heat_currents["hot"] / g.heat_currents["hot"] - 1))
        assert abs(e.heat_currents["hot"] + e.heat_currents["cold"]) < 1e-12 * abs(e.heat_currents["hot"])
        for n in ("A", "B"):
            assert abs(e.populations[n] / g.populations[n] - 1) < 30 * kappa
        # the covariance gives the heat flow through the coupling: it carries J_hot from A to B
        cc = e.coupling_currents["A-B:dipole"]
        assert cc["B"] == pytest.approx(e.heat_currents["hot"], rel=1e-6)
    assert devs[1] < devs[0] / 5 and devs[1] < 1e-6  # O(κ)
