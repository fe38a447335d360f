"""Eigenbasis Redfield builder (qheatnet.physics.redfield) against a dense Redfield tensor written from scratch.

The reference (redfield_reference.py) builds H, X and the 4-index Redfield tensor with numpy from the
double-commutator formula, takes the kernel by SVD, and computes the currents; it shares no code with
the library (the Drude–Lorentz rates and the principal-value integrals are re-implemented there too).
Tolerances: both sides are direct solves of the same linear problem, so they agree to round-off
amplified by the condition of the generator (measured ≲ 1e-11 relative); 1e-8 leaves room.
"""

from __future__ import annotations

import numpy as np
import pytest
from redfield_reference import drude_lorentz_rate, network_operators, principal_value_shift, reference_redfield

from qheatnet import Bath, Coupling, DrudeLorentz, Flat, Network, Node, Ohmic, Phonon3D
from qheatnet.errors import ModelError
from qheatnet.physics import redfield as rf
from qheatnet.physics.hilbert import FockSpace

RTOL = 1e-8


def _network(kinds, freqs, couplings, baths):
    nodes = [Node(f"n{i}", k, w) for i, (k, w) in enumerate(zip(kinds, freqs))]
    cps = [Coupling((f"n{i}", f"n{j}"), e) for i, j, e in couplings]
    bs = [Bath(f"b{k}", f"n{s}", t, spec) for k, (s, t, spec) in enumerate(baths)]
    return Network(nodes, cps, bs)


def _library(net, cutoff=None, lamb=False):
    space = FockSpace.build(net.kinds, cutoff)
    eb = rf.eigen_basis(net, space)
    pairs = [
        (x, rf.redfield_lambda(eb.energies, x, b.spectrum, b.temperature, lamb_shift=lamb))
        for x, b in zip(eb.couplings, net.baths)
    ]
    ss = rf.steady_state(eb.energies, pairs, eb.excitation)
    h = np.diag(eb.energies)
    currents = np.array([rf.heat_current(ss.rho, x, lam, h) for x, lam in pairs])
    return eb.to_local(ss.rho), currents, ss, eb, pairs


CASES = {
    # two qubits: resonant at weak inter-node coupling (global fails there) and detuned
    "qubits resonant": (["qubit", "qubit"], [1.0, 1.0], [(0, 1, 1e-3)], [(0, 2.0, 0.01), (1, 1.0, 0.01)]),
    "qubits detuned": (["qubit", "qubit"], [1.0, 0.8], [(0, 1, 0.02)], [(0, 2.02, 0.01), (1, 1.98, 0.01)]),
    "three qubits": (["qubit"] * 3, [1.0, 1.05, 1.3], [(0, 1, 0.03), (1, 2, 0.05)], [(0, 1.5, 0.02), (2, 0.7, 0.02)]),
    "qubit + oscillator": (["qubit", "oscillator"], [1.0, 1.1], [(0, 1, 0.05)], [(0, 0.4, 0.03), (1, 0.3, 0.03)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_steady_state_and_currents_match_dense_redfield_tensor(name):
    kinds, freqs, couplings, baths = CASES[name]
    cut = 5.0
    net = _network(kinds, freqs, couplings, [(s, t, DrudeLorentz(k, cut)) for s, t, k in baths])
    cutoff = 7 if "oscillator" in kinds else None
    rho, currents, ss, eb, _ = _library(net, cutoff)
    # reference in the product basis of the same truncated space (total oscillator quanta ≤ cutoff)
    space = eb.space
    dims_full = [2 if k == "qubit" else cutoff + 1 for k in kinds]
    h_full, a_full = network_operators(freqs, couplings, dims_full)
    keep = [
        int(np.ravel_multi_index(tuple(s), dims_full)) for s in space.states
    ]  # product states kept by the truncation, in the library's order
    h = h_full[np.ix_(keep, keep)]
    xs = [(a_full[s] + a_full[s].T)[np.ix_(keep, keep)] for s, _, _ in baths]
    gams = [(lambda g: lambda w: 0.5 * g(w))(drude_lorentz_rate(k, cut, t)) for _, t, k in baths]
    rho_ref, j_ref, (s_last, s_next) = reference_redfield(h, list(zip(xs, gams)))
    assert s_last < 1e-13 and s_next > 1e-9, "reference kernel must be one-dimensional"
    assert np.max(np.abs(rho - rho_ref)) < RTOL * np.max(np.abs(rho_ref))
    assert np.allclose(currents, j_ref, rtol=RTOL, atol=1e-15)
    # first law of the full bookkeeping
    assert abs(np.sum(currents)) < 1e-12 * np.max(np.abs(currents)) + 1e-17
    assert ss.residual < 1e-12


def test_lamb_shift_matches_principal_value_integral_and_enters_the_generator():
    kappa, cut = 0.05, 2.0
    for temperature in (0.0, 0.7):
        g = drude_lorentz_rate(kappa, cut, temperature)
        omegas = np.array([0.3, 1.0, -1.0, 2.5])
        ref = principal_value_shift(g, omegas, -40.0, 400.0)
        got = rf.lamb_shift(DrudeLorentz(kappa, cut), temperature, omegas)
        assert np.allclose(got, ref, rtol=1e-6, atol=1e-9), (temperature, got, ref)
    # ohmic: reference integral with the ohmic rate written here
    k, c, t = 0.03, 1.5, 0.5

    def g_ohm(w):
        w = np.asarray(w, float)
        aw = np.abs(w)
        jw = k * aw * np.exp(-aw / c)
        with np.errstate(over="ignore"):
            n = 1.0 / np.expm1(np.maximum(aw, 1e-300) / t)
        return np.where(aw < 1e-14, k * t, np.where(w > 0, jw * (1 + n), jw * n))

    omegas = np.array([0.5, 1.2, -0.8])
    ref = principal_value_shift(g_ohm, omegas, -30.0, 60.0)
    assert np.allclose(rf.lamb_shift(Ohmic(k, c), t, omegas), ref, rtol=1e-6, atol=1e-9)
    # with the shift on, the library still equals the dense tensor built with the reference shift
    net = _network(["qubit", "qubit"], [1.0, 0.9], [(0, 1, 0.02)], [(0, 1.2, DrudeLorentz(kappa, cut))])
    net = net.replace(baths=(*net.baths, Bath("b1", "n1", 0.6, DrudeLorentz(kappa, cut))))
    rho, currents, *_ = _library(net, lamb=True)
    h, a = network_operators([1.0, 0.9], [(0, 1, 0.02)], [2, 2])
    coup = []
    for site, temp in ((0, 1.2), (1, 0.6)):
        gg = drude_lorentz_rate(kappa, cut, temp)

        def gam(w, gg=gg):
            flat = np.asarray(w, float).ravel()
            s = principal_value_shift(gg, flat, -40.0, 400.0).reshape(np.shape(w))
            return 0.5 * gg(w) + 1j * s

        coup.append((a[site] + a[site].T, gam))
    rho_ref, j_ref, _ = reference_redfield(h, coup)
    assert np.max(np.abs(rho - rho_ref)) < 1e-6 * np.max(np.abs(rho_ref))
    assert np.allclose(currents, j_ref, rtol=1e-6)


@pytest.mark.parametrize("spec", [Flat(0.01), Phonon3D(0.01)])
def test_lamb_shift_refused_where_it_diverges(spec):
    with pytest.raises(ModelError, match="Lamb shift"):
        rf.lamb_shift(spec, 1.0, [1.0])


def test_adjoint_dissipator_is_the_heisenberg_picture():
    rng = np.random.default_rng(3)
    d = 6
    e = np.sort(rng.uniform(0, 3, d))
    x = rng.normal(size=(d, d))
    x = x + x.T
    lam = rf.redfield_lambda(e, x, DrudeLorentz(0.1, 2.0), 0.8)
    rho = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    op = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    lhs = np.trace(op @ rf.redfield_apply(rho, x, lam))
    rhs = np.trace(rho @ rf.redfield_adjoint(op, x, lam))
    assert abs(lhs - rhs) < 1e-12 * abs(lhs)


def test_single_oscillator_relaxes_to_gibbs():
    """Redfield without Lamb shift has the Gibbs state of a single oscillator as its steady state (exact)."""
    net = Network([Node("A", "oscillator", 1.0)], [], [Bath("h", "A", 0.5, DrudeLorentz(0.05, 2.0))])
    _, _, ss, eb, _ = _library(net, cutoff=30)
    p = np.real(np.diag(ss.rho))
    gibbs = np.exp(-eb.energies / 0.5)
    assert np.allclose(p, gibbs / gibbs.sum(), rtol=1e-10, atol=1e-16)


def test_not_positive_flag():
    """The REDFIELD_NOT_POSITIVE helper: a low-temperature, moderately strong coupling case found by search
    has a negative eigenvalue well beyond round-off; a weak-coupling one does not."""
    strong = Network.two_node("qubit", 1.3243905315095892, 0.5413386698646026, 0.05860766850929328,
                              0.11920284655252482, 0.04565238099030962, DrudeLorentz(0.3774482419228239, 1.8643767318124025))  # fmt: skip
    _, _, ss, *_ = _library(strong)
    low, flag = rf.not_positive(ss.rho)
    assert flag and ss.not_positive and low < -1e-5 and low == pytest.approx(ss.lowest_eigenvalue)
    weak = Network.two_node("qubit", 1.3, 0.54, 0.05, 0.12, 0.05, DrudeLorentz(1e-3, 1.86))
    _, _, ss, *_ = _library(weak)
    assert not ss.not_positive and ss.lowest_eigenvalue > -rf.NEGATIVITY_ATOL
