"""Validity diagnostics: the result says when a master equation is out of its depth.

Issue 2, item 4: global with a non-positive normal-mode frequency (two
oscillators, ε² ≥ ω_hω_c) is refused with a clear error; global near
resonance (Bohr frequencies closer than the dissipation rates; Levy &
Kosloff 2014, Fig. 4 inset and the text after it) and local with ε not
small compared with the node frequencies are flagged. Each positive case
has a negative twin so that a diagnostic raised unconditionally would fail.
Thresholds are those of :mod:`qheatnet.config`.
"""

from __future__ import annotations

import math

import pytest

from qheatnet import Flat, ModelError, Network, build_master_equation, config, solve


def _codes(res) -> set[str]:
    return {d.code for d in res.diagnostics}


# -- global: no ground state ---------------------------------------------------------------------


@pytest.mark.parametrize(("omega_h", "omega_c", "eps"), [(1.0, 0.5, 0.8), (1.0, 0.25, 0.5), (2.0, 2.0, 2.5)])
def test_global_refuses_oscillators_without_ground_state(omega_h, omega_c, eps):
    """ε² ≥ ω_hω_c (the border ε² = ω_hω_c included: ω_− = 0) → ModelError, a ValueError."""
    assert eps**2 >= omega_h * omega_c
    net = Network.two_node("oscillator", omega_h, omega_c, eps, 0.5, 0.3, Flat(0.01))
    with pytest.raises(ModelError, match="ground state") as info:
        solve(net, "global")
    assert isinstance(info.value, ValueError)
    with pytest.raises(ModelError, match=r"ε² ≥ ω_h ω_c"):
        build_master_equation(net, "global", cutoff=4)


def test_global_accepts_oscillators_just_below_the_border():
    """ε² slightly below ω_hω_c is legal (ω_− > 0); qubits are bounded at any ε."""
    net = Network.two_node("oscillator", 1.0, 0.5, 0.7, 0.3, 0.2, Flat(0.01))  # ε² = 0.49 < 0.5
    build_master_equation(net, "global", cutoff=3)  # no error
    qubits = Network.two_node("qubit", 1.0, 0.5, 0.8, 0.3, 0.25, Flat(0.01))
    assert solve(qubits, "global", engine="fock").second_law == "satisfied"


def test_local_flags_unbounded_hamiltonian():
    """The local approach does not refuse it, but says the result is an artefact."""
    net = Network.two_node("oscillator", 1.0, 0.5, 0.8, 0.3, 0.25, Flat(0.01))
    res = solve(net, "local", engine="fock", cutoff=4)
    assert "UNBOUNDED_HAMILTONIAN" in _codes(res)
    bounded = Network.two_node("oscillator", 1.0, 0.5, 0.05, 0.3, 0.25, Flat(0.01))
    assert "UNBOUNDED_HAMILTONIAN" not in _codes(solve(bounded, "local", engine="fock", cutoff=4))


# -- global: secular approximation near resonance ------------------------------------------------


@pytest.mark.parametrize("kind", ["qubit", "oscillator"])
def test_secular_approximation_doubtful_near_resonance(kind):
    """ω_h = ω_c, ε = 1e-5 ≪ rate 0.01: Bohr frequencies ω_± are 2ε apart, far below 10 rates."""
    net = Network.two_node(kind, 1.0, 1.0, 1e-5, 0.3, 0.25, Flat(0.01))
    res = solve(net, "global", engine="fock")
    assert "SECULAR_APPROXIMATION_DOUBTFUL" in _codes(res)
    diag = next(d for d in res.diagnostics if d.code == "SECULAR_APPROXIMATION_DOUBTFUL")
    assert diag.severity == "warning"
    assert "2e-05" in diag.message  # the gap it measured: ω_+ − ω_− = 2ε


@pytest.mark.parametrize("kind", ["qubit", "oscillator"])
def test_secular_approximation_fine_when_detuned(kind):
    net = Network.two_node(kind, 1.0, 0.8, 1e-5, 0.3, 0.25, Flat(0.01))
    res = solve(net, "global", engine="fock")
    assert "SECULAR_APPROXIMATION_DOUBTFUL" not in _codes(res)


def test_secular_threshold_is_ten_dissipation_rates():
    """Gap just below / above SECULAR_RATIO × the rate at which a bath drives the two transitions.

    The criterion (physics.rates.secular_margin) weighs each Bohr frequency by the bath's rate times the
    largest |X_e|² per quantum: for two resonant qubits each bath drives both normal-mode transitions ω ± ε
    with |X_e|² = ½, so r = γ(1 + e^{−ω/T})/2 (a flat bath) and the margin is 2ε/r.
    """
    rate = 0.01
    total = rate * (1 + math.exp(-1.0 / 0.3))  # emission + absorption at ω ≈ 1
    for factor, expected in ((0.8, True), (1.25, False)):
        eps = factor * config.SECULAR_RATIO * (total / 2) / 2  # gap = 2ε on resonance
        net = Network.two_node("qubit", 1.0, 1.0, eps, 0.3, 0.3, Flat(rate))
        res = solve(net, "global", engine="fock")
        assert ("SECULAR_APPROXIMATION_DOUBTFUL" in _codes(res)) is expected, factor


# -- local: strong coupling and detuning ---------------------------------------------------------


def test_local_strong_coupling_flagged_above_ratio():
    """|ε|/min(ω) > LOCAL_COUPLING_RATIO (0.1) is flagged; 0.05 is not."""
    strong = Network.two_node("qubit", 1.0, 0.8, 0.2, 0.5, 0.3, Flat(0.05))
    weak = Network.two_node("qubit", 1.0, 0.8, 0.04, 0.5, 0.3, Flat(0.05))
    assert "LOCAL_STRONG_COUPLING" in _codes(solve(strong, "local", engine="fock"))
    assert "LOCAL_STRONG_COUPLING" not in _codes(solve(weak, "local", engine="fock"))
    # a local-approach diagnostic never appears for the global approach
    assert not {c for c in _codes(solve(strong, "global", engine="fock")) if c.startswith("LOCAL_")}


def test_local_detuned_nodes_flagged():
    """Detuning 0.2 > 10 × the node rate (≈ 0.002) is flagged; detuning 0.01 < 0.02 is not."""
    detuned = Network.two_node("qubit", 1.0, 0.8, 0.01, 0.5, 0.3, Flat(0.002))
    near = Network.two_node("qubit", 1.0, 0.99, 0.001, 0.5, 0.3, Flat(0.002))
    res = solve(detuned, "local", engine="fock")
    assert "LOCAL_DETUNED_NODES" in _codes(res)
    assert "Figs. 3–4" in next(d.message for d in res.diagnostics if d.code == "LOCAL_DETUNED_NODES")
    assert "LOCAL_DETUNED_NODES" not in _codes(solve(near, "local", engine="fock"))


# -- outcome: second law --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["qubit", "oscillator"])
def test_second_law_violated_diagnostic(kind):
    """Local with ω_c/T_c = 2 < ω_h/T_h = 2.5 and T_h > T_c (eq. 9): J_h < 0, σ < 0, flagged; global is not."""
    net = Network.two_node(kind, 1.25, 0.8, 0.05, 0.5, 0.4, Flat(0.01))  # x_h = 2.5 > x_c = 2, T_h > T_c
    loc = solve(net, "local", engine="fock")
    assert loc.heat_currents["hot"] < 0
    assert loc.entropy_production < -loc.second_law_tolerance
    assert loc.second_law == "violated"
    assert "SECOND_LAW_VIOLATED" in _codes(loc)
    glo = solve(net, "global", engine="fock")
    assert glo.second_law == "satisfied"
    assert "SECOND_LAW_VIOLATED" not in _codes(glo)


def test_diagnostic_serialises():
    res = solve(Network.two_node("qubit", 1.0, 0.8, 0.2, 0.5, 0.3, Flat(0.05)), "local", engine="fock")
    d = res.diagnostics[0]
    assert d.to_dict() == {"code": d.code, "severity": d.severity, "message": d.message}
    assert d.severity in {"info", "warning"}
