"""Counting statistics of quadratic master equations (tilted Riccati equation) against independent references.

References: the tilted Liouvillian in a Fock space of converged cut-off (an independent discretisation of
the same generator), the closed form of one mode (derived in qheatnet.solvers.counting_gaussian and equal to
the Levitov–Lesovik formula for a Lorentzian transmission), the engines' steady-state currents and
correlation matrices, one mode with one bath (λ ≡ 0: the exchanged energy is bounded), and the
Gallavotti–Cohen symmetry of the generating function.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node, solve
from qheatnet.physics.local import local_quadratic
from qheatnet.solvers import counting_gaussian as cg
from qheatnet.thermo.fluctuations import counting_statistics

#: Fock truncation at K = 30 for these cold networks (⟨n⟩ ≲ 0.2): the thermal tail beyond K weighs
#: ~(n/(n+1))^K ≈ 1e-24; the noise converged to < 1e-11 between K = 26 and 30 (measured).
FOCK_CUTOFF = 30
#: Fock against Gaussian: both exact for the truncated/untruncated generator, so they agree to the
#: truncation and the rounding of the two solves (measured 1e-11 … 3e-10).
FOCK_RTOL = 1e-8


def _pair(w2=0.8, eps=0.05):
    return Network.two_node("oscillator", 1.0, w2, eps, 0.5, 0.3, Flat(0.01))


def _triangle():
    """Three oscillators in a ring (not a chain), three baths, one degenerate pair of normal modes."""
    nodes = [Node(n, "oscillator", 1.0) for n in "abc"]
    cps = [Coupling(("a", "b"), 0.03), Coupling(("b", "c"), 0.03), Coupling(("c", "a"), 0.03)]
    baths = [Bath("h", "a", 0.3, Flat(0.01)), Bath("c", "b", 0.2, Flat(0.012)), Bath("m", "c", 0.25, Flat(0.008))]
    return Network(nodes, cps, baths)


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("make", [_pair, _triangle], ids=["pair", "ring"])
def test_gaussian_matches_the_tilted_liouvillian_in_fock_space(approach, make):
    net = make()
    gau = counting_statistics(net, approach, "gaussian")
    # the ring (three oscillators: a 3-D stencil, SuperLU fill grows fast with K) at K = 8: its hottest mode
    # has n/(n + 1) ≈ 0.036, tail ~C(10, 2)·0.036⁹ ≈ 5e-12
    fock = counting_statistics(net, approach, "fock", cutoff=FOCK_CUTOFF if make is _pair else 8)
    rtol = FOCK_RTOL
    assert gau.bookkeeping == fock.bookkeeping
    assert np.allclose(gau.cumulants, fock.cumulants, rtol=rtol, atol=0), (gau.cumulants, fock.cumulants)
    assert np.allclose(gau.noise_matrix, fock.noise_matrix, rtol=rtol, atol=1e-14)
    if make is _triangle and approach == "global":
        assert gau.solver["degenerate_groups"] == 1  # the ring's degenerate pair went through the block kernel


def test_unified_gaussian_matches_unified_fock():
    net = Network.two_node("oscillator", 1.0, 1.004, 0.002, 0.5, 0.3, Flat(0.01))  # one cluster of two modes
    gau = counting_statistics(net, "unified", "gaussian")
    fock = counting_statistics(net, "unified", "fock", cutoff=FOCK_CUTOFF)
    assert gau.solver["largest_cluster"] == 2
    assert np.allclose(gau.cumulants, fock.cumulants, rtol=FOCK_RTOL, atol=0)
    from qheatnet.physics import quadratic_beyond as qb

    sol = qb.unified_steady_state(
        net.single_particle_matrix(), [0, 1], [b.spectrum for b in net.baths], [b.temperature for b in net.baths]
    )
    assert np.allclose(gau.cumulants[:, 0], sol.currents_consistent, rtol=1e-9, atol=0)


def test_single_mode_closed_form_equals_the_block_kernel_and_newton():
    rng = np.random.default_rng(7)
    e = rng.uniform(0.5, 2.0, size=(3, 1)) * 1e-2
    f = e * rng.uniform(0.05, 0.6, size=(3, 1))
    net = np.sum(e - f, axis=0)
    q = np.array([[1.3], [0.0], [0.0]])
    c_closed, _ = cg.single_mode_cumulants(e, f, net, q, order=3)
    blk = cg.block_cumulants(np.array([[1.3]]), np.ones((3, 1)), e[:, 0], f[:, 0], (e - f)[:, 0], q.T, order=3)
    assert np.allclose(c_closed[:, 0], blk.cumulants[0], rtol=1e-11, atol=0)
    s = np.array([0.2, -0.5, 0.1 + 0.3j])
    assert np.allclose(
        cg.single_mode_cgf(e, f, net, q, s),
        cg.block_cgf(np.array([[1.3]]), np.ones((3, 1)), e[:, 0], f[:, 0], (e - f)[:, 0], q[:, 0], s),
        rtol=1e-10,
        atol=1e-18,
    )


def test_one_mode_one_bath_exchanges_no_net_heat():
    """λ ≡ 0: Q(t) = ω (n(t) − n(0)) is bounded, so every scaled cumulant vanishes."""
    net = Network([Node("a", "oscillator", 1.0)], [], [Bath("b", "a", 0.7, Flat(0.01))])
    got = counting_statistics(net, "local", "gaussian")
    assert np.max(np.abs(got.cumulants)) < 1e-15
    assert got.populations["a"] == pytest.approx(1.0 / np.expm1(1.0 / 0.7), rel=1e-12)


@pytest.mark.parametrize("approach", ["local", "global"])
def test_mean_and_correlations_are_the_engines(approach):
    nodes = [Node(f"n{i}", "oscillator", 1.0 + 0.02 * i) for i in range(6)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(5)]
    net = Network(nodes, cps, [Bath("hot", "n0", 2.0, Flat(0.01)), Bath("cold", "n5", 1.0, Flat(0.02))])
    got = counting_statistics(net, approach, "gaussian")
    ref = solve(net, approach, bookkeeping="bare" if approach == "local" else "full")
    for a, b in enumerate(net.baths):
        assert got.cumulants[a, 0] == pytest.approx(ref.heat_currents[b.name], rel=1e-9)
    if approach == "local":  # the kernel's own Y_0 = 1 + Cᵀ gives the engine's populations
        for name, n in ref.populations.items():
            assert got.populations[name] == pytest.approx(n, rel=1e-10)


@pytest.mark.parametrize("approach, w2", [("global", 0.8), ("local", 1.0)])
def test_gallavotti_cohen_symmetry_of_the_gaussian_generating_function(approach, w2):
    net = Network.two_node("oscillator", 1.0, w2, 0.05, 2.0, 1.0, Flat(0.01))
    db = 1.0 - 0.5
    s = np.array([0.2, -0.15, 0.1])
    chi = -1j * np.concatenate([s, -s - db])
    got = counting_statistics(net, approach, "gaussian", chi=chi)
    lam = got.cgf[0]
    assert np.allclose(lam[:3], lam[3:], rtol=1e-9, atol=1e-18)
    assert np.max(np.abs(lam.imag)) < 1e-14 and np.min(np.abs(lam)) > 1e-7
    # and the cumulants are the derivatives of this function at 0 (a fit through small s)
    h = 0.01
    ks = np.arange(-4, 5)
    vals = counting_statistics(net, approach, "gaussian", chi=-1j * ks * h).cgf[0].real
    coef = np.polynomial.polynomial.polyfit(ks * h, vals, 8)
    assert np.allclose([coef[1], 2 * coef[2]], got.cumulants[0, :2], rtol=1e-6)


def test_degenerate_drift_is_refused():
    """A mode decoupled from the baths (two equal leaves): ℳ is singular, no unique steady state."""
    nodes = [Node("c", "oscillator", 1.0), Node("a", "oscillator", 1.0), Node("b", "oscillator", 1.0)]
    cps = [Coupling(("c", "a"), 0.05), Coupling(("c", "b"), 0.05)]
    net = Network(nodes, cps, [Bath("hot", "c", 1.0, Flat(0.01))])
    from qheatnet.errors import ConvergenceError

    with pytest.raises(ConvergenceError, match="decoupled"):
        cg.block_cumulants(net.single_particle_matrix(), np.array([[1.0, 0, 0]]), [0.02], [0.01], [0.01], [[1.0]])
    assert local_quadratic(net).h.shape == (3, 3)  # the generator exists; the kernel refuses its steady state
    with pytest.raises(ConvergenceError):
        counting_statistics(net, "local", "gaussian")
