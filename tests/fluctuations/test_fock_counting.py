"""Counting statistics on the tilted Liouvillian (qheatnet.solvers.counting) against independent references.

References: a dense finite-difference derivative of the tilted generator's eigenvalue (tests/fluctuations/
reference.py), the steady-state heat currents of ``solve`` (the mean of the counted energy, in the right
bookkeeping), energy/quantum conservation (Q_h + Q_c bounded ⇒ the cross noise fixes the other bath's
cumulants), and the Gallavotti–Cohen symmetry λ(s) = λ(−s − (β_c − β_h)) (Esposito, Harbola & Mukamel,
RMP 81, 1665 (2009), eq. (125)).
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node, Ohmic, solve
from qheatnet.engines.fock import build_generator
from qheatnet.errors import ConvergenceError
from qheatnet.solvers import counting as cs
from qheatnet.thermo.fluctuations import counting_statistics, fock_counting

from .reference import dense_tilted, fd_cumulants, generator_terms, tilted_eigenvalue

#: Finite differences of a degree-12 fit (13 points) at step h = 0.1/ω_max. Measured against the
#: recursion: truncation of the stencil 1e-10 relative (c_3 of resonant qubits; 2e-7 with 9 points, since
#: c_3 is small against c_2 there); rounding of the eigenvalue (~ε‖𝓛‖, 256 unknowns) amplified by ~1/h³:
#: 1.5e-8 of the smallest c_3 (the mixed network's second bath). The tolerance leaves a factor ≥ 7.
FD_RTOL = 1e-7
FD_STEP = 0.1
FD_POINTS = 6


def _qubits(w2=0.8, eps=0.05):
    return Network.two_node("qubit", 1.0, w2, eps, 2.0, 1.0, Flat(0.01))


def _mixed():
    """A qubit coupled to an oscillator (Fock cut-off K = 3 in the tests), a third node and three baths."""
    nodes = [Node("q", "qubit", 1.0), Node("o", "oscillator", 0.9), Node("r", "qubit", 1.1)]
    cps = [Coupling(("q", "o"), 0.04), Coupling(("o", "r"), 0.03)]
    baths = [
        Bath("hot", "q", 1.5, Flat(0.02)),
        Bath("cold", "r", 0.4, Flat(0.015)),
        Bath("mid", "o", 0.3, Ohmic(0.01, 5.0)),
    ]
    return Network(nodes, cps, baths)


CASES = [
    ("qubits local", _qubits(), "local", None),
    ("qubits global", _qubits(), "global", None),
    ("resonant qubits local", _qubits(1.0), "local", None),
    ("mixed local", _mixed(), "local", 3),
    ("mixed global", _mixed(), "global", 3),
]


@pytest.mark.parametrize("label, net, approach, cutoff", CASES, ids=[c[0] for c in CASES])
def test_cumulants_match_finite_differences_of_the_dense_tilted_generator(label, net, approach, cutoff):
    gen = build_generator(net, approach, cutoff)
    terms, w = generator_terms(gen)
    res = cs.counting_cumulants(gen.hamiltonian, terms, w, order=3, excitation=gen.space.excitation)
    lmat, _ = dense_tilted(gen.hamiltonian, terms, w[0])
    wmax = max(abs(t.omega) for t in gen.all_terms())
    for a in range(len(net.baths)):
        _, jumps = dense_tilted(gen.hamiltonian, terms, w[a])
        ref, lam0 = fd_cumulants(lmat, jumps, FD_STEP / wmax, FD_POINTS)
        assert lam0 < 1e-14  # the reference's eigenvalue at s = 0 is the steady state's
        got = res.cumulants[a]
        assert np.allclose(got, ref, rtol=FD_RTOL, atol=0), (label, a, got, ref)


@pytest.mark.parametrize("approach", ["local", "global"])
def test_mean_is_the_steady_state_current_in_the_counted_bookkeeping(approach):
    """Local counts the node frequency per quantum (bare currents), global the Bohr frequency (full)."""
    net = _mixed()
    got = counting_statistics(net, approach, "fock", cutoff=3)
    book = "bare" if approach == "local" else "full"
    assert got.bookkeeping == book
    state = solve(net, approach, engine="fock", cutoff=3, bookkeeping=book)
    ref = state.heat_currents
    for a, b in enumerate(net.baths):
        assert got.cumulants[a, 0] == pytest.approx(ref[b.name], rel=1e-10, abs=1e-16)
    gen = build_generator(net, approach, 3)
    own = fock_counting(gen, populations=True).populations  # the kernel's own steady state
    for name, n in state.populations.items():
        assert own[name] == pytest.approx(n, rel=1e-10)
    if approach == "local":  # and the bare currents are not the full ones here (detuned, coupled nodes)
        full = solve(net, approach, engine="fock", cutoff=3).heat_currents
        assert abs(full["hot"] - ref["hot"]) > 1e-3 * abs(ref["hot"])


def test_energy_conservation_of_the_counted_jumps():
    """Q_h + Q_c = −ΔE (bounded) for global: S_hh = S_cc = −S_hc and c3_h = −c3_c. Local, detuned:
    Q_h/ω_h + Q_c/ω_c counts quanta (bounded), so S_hh/ω_h² = S_cc/ω_c² = −S_hc/(ω_h ω_c)."""
    glob = counting_statistics(_qubits(), "global", "fock")
    s = glob.noise_matrix
    assert s[0, 0] == pytest.approx(s[1, 1], rel=1e-10)
    assert s[0, 1] == pytest.approx(-s[0, 0], rel=1e-10)
    assert glob.cumulants[0, 2] == pytest.approx(-glob.cumulants[1, 2], rel=1e-9)
    loc = counting_statistics(_qubits(0.8), "local", "fock")
    s = loc.noise_matrix
    assert s[0, 0] / 1.0**2 == pytest.approx(s[1, 1] / 0.8**2, rel=1e-10)
    assert s[0, 1] / (1.0 * 0.8) == pytest.approx(-s[0, 0], rel=1e-10)


def test_sparse_and_dense_paths_agree(monkeypatch):
    """The sparse block generator (liouvillian_blocks + block krons) against the dense one."""
    from qheatnet import config

    net = _mixed()  # d = 2 · 4 · 2 = 16 states at K = 3
    chi = -1j * np.array([0.3, -0.6])  # real s = 0.3, −0.6
    monkeypatch.setattr(config, "COUNTING_DENSE_MAX_DIM", 16)
    dense = counting_statistics(net, "local", "fock", cutoff=3, chi=chi)
    monkeypatch.setattr(config, "COUNTING_DENSE_MAX_DIM", 0)
    sparse = counting_statistics(net, "local", "fock", cutoff=3, chi=chi)
    assert sparse.solver["unknowns"] == dense.solver["unknowns"]
    assert np.allclose(sparse.cumulants, dense.cumulants, rtol=1e-10, atol=0)
    assert np.allclose(sparse.noise_matrix, dense.noise_matrix, rtol=1e-10, atol=0)
    # the generating function: shift-invert Arnoldi (sparse) against the full spectrum (dense)
    assert np.allclose(sparse.cgf, dense.cgf, rtol=1e-9, atol=1e-18)
    assert np.min(np.abs(dense.cgf)) > 1e-8


@pytest.mark.parametrize("approach, w2", [("global", 0.8), ("local", 1.0)])
def test_gallavotti_cohen_symmetry(approach, w2):
    """λ(s) = λ(−s − Δβ), Δβ = β_c − β_h, for the heat from the hot bath (two terminals, consistent jumps)."""
    net = _qubits(w2)
    gen = build_generator(net, approach, None)
    terms, w = generator_terms(gen)
    tg = cs.build_tilted(gen.hamiltonian, terms, gen.space.excitation)
    db = 1.0 / 1.0 - 1.0 / 2.0
    s = np.array([0.3, -0.2, 0.9, -1.4])
    lam = cs.tilted_eigenvalue(tg, w[0], -1j * s)
    mirror = cs.tilted_eigenvalue(tg, w[0], -1j * (-s - db))
    assert np.max(np.abs(lam.imag)) < 1e-15
    assert np.allclose(lam.real, mirror.real, rtol=1e-9, atol=1e-18)
    assert np.min(np.abs(lam)) > 1e-7  # non-trivial values
    # and the library's eigenvalue equals the dense reference's
    lmat, jumps = dense_tilted(gen.hamiltonian, terms, w[0])
    ref = np.array([tilted_eigenvalue(lmat, jumps, x) for x in s])
    assert np.allclose(lam, ref, rtol=1e-9, atol=1e-18)


def test_detuned_local_obeys_the_fluctuation_theorem_of_its_quanta_not_of_its_heat():
    """Local approach, ω_h ≠ ω_c: each quantum carries ω_h out of h and ω_c into c, so the symmetry is
    λ(s) = λ(−s − (β_c ω_c/ω_h − β_h)) — the local equation's thermodynamics is that of the bare bookkeeping."""
    net = _qubits(0.8)
    gen = build_generator(net, "local", None)
    terms, w = generator_terms(gen)
    tg = cs.build_tilted(gen.hamiltonian, terms, gen.space.excitation)
    s = np.array([0.4, -0.7])
    lam = cs.tilted_eigenvalue(tg, w[0], -1j * s).real
    affinity = 1.0 * 0.8 / 1.0 - 0.5
    assert np.allclose(lam, cs.tilted_eigenvalue(tg, w[0], -1j * (-s - affinity)).real, rtol=1e-9)
    wrong = cs.tilted_eigenvalue(tg, w[0], -1j * (-s - 0.5)).real
    assert np.max(np.abs(wrong - lam)) > 1e-3 * np.max(np.abs(lam))


def test_unified_mean_is_the_consistent_current():
    """Unified jumps carry ω̃ (w.r.t. H̃): the counted mean is the consistent current J̃ of the unified solver."""
    from qheatnet.physics import unified as un
    from qheatnet.physics.hilbert import FockSpace
    from qheatnet.physics.redfield import eigen_basis

    net = Network.two_node("qubit", 1.0, 1.002, 0.01, 2.0, 1.0, Flat(0.01))  # nearly degenerate: real clusters
    got = counting_statistics(net, "unified", "fock")
    eb = eigen_basis(net, FockSpace.build(net.kinds, None))
    temps = [b.temperature for b in net.baths]
    ug = un.build_unified(eb.energies, eb.couplings, [b.spectrum for b in net.baths], temps, excitation=eb.excitation)
    ref = un.unified_steady_state(ug)
    assert got.bookkeeping == "consistent"
    assert np.allclose(got.cumulants[:, 0], ref.currents_consistent, rtol=1e-10, atol=0)
    # consistent jumps: energy conservation in H̃ makes the two baths' noise equal
    assert got.noise_matrix[0, 0] == pytest.approx(got.noise_matrix[1, 1], rel=1e-9)


def test_non_unique_steady_state_is_refused():
    """Two equal leaves on a bath node: a dark combination, no unique steady state."""
    nodes = [Node("c", "qubit", 1.0), Node("a", "qubit", 1.0), Node("b", "qubit", 1.0)]
    cps = [Coupling(("c", "a"), 0.05), Coupling(("c", "b"), 0.05)]
    net = Network(nodes, cps, [Bath("hot", "c", 1.0, Flat(0.01))])
    gen = build_generator(net, "local", None)
    terms, w = generator_terms(gen)
    with pytest.raises(ConvergenceError, match="not unique"):
        cs.counting_cumulants(gen.hamiltonian, terms, w, excitation=gen.space.excitation)
