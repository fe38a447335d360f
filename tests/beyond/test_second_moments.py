"""Second-moment (Gaussian) Redfield and unified versions against the eigenbasis (truncated Fock) builders,
against each other's solution paths, and against closed forms.

Truncation: at T_h = 0.3, T_c = 0.2 and K = 8 total quanta the thermal tail of the Fock space is
~(n/(n+1))^K ≈ 1e-11, so the Fock builders converge to ~1e-9 relative (measured 3e-9 for the resonant
pair at K = 8, 2e-11 at K = 10); the tolerance 1e-8 is set by that, not by the second-moment code.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, DrudeLorentz, Network, Node, Ohmic
from qheatnet.errors import ModelError
from qheatnet.model.spectra import bose
from qheatnet.physics import quadratic_beyond as qb
from qheatnet.physics import redfield as rf
from qheatnet.physics import unified as un
from qheatnet.physics.hilbert import FockSpace

FOCK_RTOL = 1e-8


def _args(net):
    return (
        net.single_particle_matrix(),
        [net.node_index(b.node) for b in net.baths],
        [b.spectrum for b in net.baths],
        [b.temperature for b in net.baths],
    )


def _fock(net, cutoff, lamb=False):
    eb = rf.eigen_basis(net, FockSpace.build(net.kinds, cutoff))
    specs = [b.spectrum for b in net.baths]
    temps = [b.temperature for b in net.baths]
    pairs = [
        (x, rf.redfield_lambda(eb.energies, x, s, t, lamb_shift=lamb)) for x, s, t in zip(eb.couplings, specs, temps)
    ]
    ss = rf.steady_state(eb.energies, pairs, eb.excitation)
    jr = np.array([rf.heat_current(ss.rho, x, lam, np.diag(eb.energies)) for x, lam in pairs])
    rho_loc = eb.to_local(ss.rho)
    pops_r = np.array([np.real(np.sum(np.diag(rho_loc) * eb.space.states[:, i])) for i in range(len(net.nodes))])
    gen = un.build_unified(eb.energies, eb.couplings, specs, temps, excitation=eb.excitation)
    us = un.unified_steady_state(gen)
    rho_u = eb.to_local(us.rho)
    pops_u = np.array([np.real(np.sum(np.diag(rho_u) * eb.space.states[:, i])) for i in range(len(net.nodes))])
    return jr, pops_r, us, pops_u, gen


PAIRS = {
    "detuned": (1.2, 1.0, 0.05),
    "resonant, clustered": (1.0, 1.0, 1e-3),
    "near-resonant, clustered": (1.0, 1.004, 2e-3),
}


@pytest.mark.parametrize("name", list(PAIRS))
def test_two_oscillators_agree_with_truncated_fock_builders(name):
    wa, wb, eps = PAIRS[name]
    net = Network.two_node("oscillator", wa, wb, eps, 0.3, 0.2, DrudeLorentz(2e-2, 5.0))
    jr, pops_r, us, pops_u, gen = _fock(net, 8)
    red = qb.redfield_steady_state(*_args(net))
    uni = qb.unified_steady_state(*_args(net))
    assert np.allclose(red.currents, jr, rtol=FOCK_RTOL, atol=0)
    assert np.allclose(red.site_populations, pops_r, rtol=FOCK_RTOL, atol=1e-14)
    assert np.allclose(uni.currents, us.currents, rtol=FOCK_RTOL, atol=0)
    assert np.allclose(uni.currents_consistent, us.currents_consistent, rtol=FOCK_RTOL, atol=0)
    assert np.allclose(uni.site_populations, pops_u, rtol=FOCK_RTOL, atol=1e-14)
    # same clusters in both representations
    multi = sum(len(c) > 1 for c in uni.clusters)
    assert multi == gen.info["n_multi_frequency_clusters"] == (0 if name == "detuned" else 1)


def test_lamb_shift_version_agrees_with_fock():
    net = Network.two_node("oscillator", 1.1, 1.0, 0.03, 0.3, 0.2, Ohmic(2e-2, 3.0))
    jr, pops_r, *_ = _fock(net, 8, lamb=True)
    red = qb.redfield_steady_state(*_args(net), lamb_shift=True)
    assert np.allclose(red.currents, jr, rtol=FOCK_RTOL)
    assert np.allclose(red.site_populations, pops_r, rtol=FOCK_RTOL)


def _chain(n, eps=0.05, kappa=0.02, disorder=0.0, seed=0):
    rng = np.random.default_rng(seed)
    w = 1.0 + disorder * (rng.random(n) - 0.5)
    nodes = [Node(f"n{i}", "oscillator", float(w[i])) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), eps) for i in range(n - 1)]
    baths = [Bath("hot", "n0", 2.0, Ohmic(kappa, 5.0)), Bath("cold", f"n{n - 1}", 1.0, Ohmic(kappa, 5.0))]
    return Network(nodes, cps, baths)


@pytest.mark.parametrize("disorder", [0.0, 0.01])
def test_secular_equation_path_equals_dense_path(disorder):
    """The O(N²) normal-mode (secular-equation) eigen-decomposition gives the dense result.

    (Stronger disorder localises a mode in the chain's middle; with a decay rate ~1e-12 the dense path
    then loses ~4 digits of the populations there, measured at W = 0.05, while the currents still agree.)
    """
    net = _chain(60, disorder=disorder)
    dense = qb.redfield_steady_state(*_args(net), method="dense", populations="all")
    modes = qb.redfield_steady_state(*_args(net), method="modes", populations="all")
    assert modes.method == "modes" and dense.method == "dense"
    assert np.allclose(modes.currents, dense.currents, rtol=1e-9)
    assert np.allclose(modes.site_populations, dense.site_populations, rtol=1e-9)
    assert abs(np.sum(modes.currents)) < 1e-12 * modes.gross  # first law (full bookkeeping)
    # the covariance solves the Lyapunov equation of the drift (independent residual check)
    omega, u = np.linalg.eigh(net.single_particle_matrix())
    table = qb.bath_table(omega, [b.spectrum for b in net.baths], [b.temperature for b in net.baths])
    a, d = qb.redfield_drift(omega, u[[0, 59], :], table)
    n = len(omega)
    t = np.zeros((2 * n, 2 * n))
    t[:n, :n] = u
    t[n:, n:] = u
    idx = np.concatenate([np.arange(0, 2 * n, 2), np.arange(1, 2 * n, 2)])
    v_sites = modes.covariance[np.ix_(idx, idx)]  # (x…, p…) site order
    v_modes = t.T @ v_sites @ t
    res = a @ v_modes + v_modes @ a.T + d
    assert np.max(np.abs(res)) < 1e-10 * np.max(np.abs(d))


def test_single_oscillator_closed_forms():
    """One oscillator: Redfield (no Lamb shift) and unified both give the Gibbs occupation n(ω) and no current."""
    net = Network([Node("A", "oscillator", 1.3)], [], [Bath("h", "A", 0.7, DrudeLorentz(0.05, 2.0))])
    red = qb.redfield_steady_state(*_args(net))
    uni = qb.unified_steady_state(*_args(net))
    n_th = float(bose(1.3, 0.7))
    assert red.site_populations[0] == pytest.approx(n_th, rel=1e-12)
    assert uni.site_populations[0] == pytest.approx(n_th, rel=1e-12)
    assert abs(red.currents[0]) < 1e-15 and abs(uni.currents[0]) < 1e-15
    # Redfield covariance: V = (n + ½)·1 exactly, a physical Gaussian state
    assert np.allclose(red.covariance, (n_th + 0.5) * np.eye(2), atol=1e-12)
    assert red.lowest_eigenvalue > -1e-12


def test_unified_singleton_clusters_reproduce_global():
    """Well-separated normal modes: unified is the Davies generator, currents equal the global engine's."""
    from qheatnet import solve

    net = _chain(8, eps=0.1, kappa=1e-3, disorder=0.5, seed=2)
    uni = qb.unified_steady_state(*_args(net))
    assert all(len(c) == 1 for c in uni.clusters)
    glob = solve(net, "global")
    assert uni.currents[0] == pytest.approx(glob.heat_currents["hot"], rel=1e-10)
    assert np.allclose(uni.currents, uni.currents_consistent, rtol=1e-12)
    pops = np.array([glob.populations[n.name] for n in net.nodes])
    assert np.allclose(uni.site_populations, pops, rtol=1e-10)
    corr = uni.correlation_matrix()
    assert np.allclose(np.diag(corr).real, uni.site_populations, rtol=1e-12)
    assert np.allclose(corr, corr.conj().T) and np.linalg.eigvalsh(corr)[0] > -1e-14


def test_redfield_gaussian_positivity_helper_flags_a_known_violation():
    """Low temperature, moderately strong coupling: V + iJ/2 has a negative eigenvalue (found by a search)."""
    spec = DrudeLorentz(0.3774482419228239, 1.8643767318124025)
    net = Network.two_node(
        "oscillator", 1.3243905315095892, 0.5413386698646026, 0.05860766850929328, 0.1192, 0.04565, spec
    )
    red = qb.redfield_steady_state(*_args(net))
    assert red.lowest_eigenvalue < -1e-5
    weak = Network.two_node("oscillator", 1.3, 0.54, 0.05, 0.12, 0.05, DrudeLorentz(1e-3, 1.86))
    assert qb.redfield_steady_state(*_args(weak)).lowest_eigenvalue > -1e-12


def test_refusals():
    # a mode that no bath touches (antisymmetric mode of two resonant nodes attached to one bath)
    nodes = [Node("A", "oscillator", 1.0), Node("B", "oscillator", 1.0), Node("C", "oscillator", 1.0)]
    cps = [Coupling(("A", "B"), 0.1), Coupling(("A", "C"), 0.1)]
    net = Network(nodes, cps, [Bath("h", "A", 1.0, Ohmic(0.01, 5.0))])
    with pytest.raises(ModelError, match="not coupled to any bath"):
        qb.redfield_steady_state(*_args(net))
    with pytest.raises(ModelError, match="not coupled|not damped"):
        qb.unified_steady_state(*_args(net))
    # no ground state
    bad = Network.two_node("oscillator", 1.0, 1.0, 1.5, 1.0, 0.5, Ohmic(0.01, 5.0))
    with pytest.raises(ModelError, match="ground state"):
        qb.unified_steady_state(*_args(bad))
