"""Transients ρ(t), J_α(t) (qheatnet.api.evolve and ``qheatnet evolve``).

Conventions: ħ = k_B = 1; J_α(t) = Tr[H 𝓛_α ρ(t)] > 0 when energy flows from bath α
into the network.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from qubit_networks import chain, star

from qheatnet import Flat, Network, evolve, solve
from qheatnet.cli.main import cli
from qheatnet.errors import ValidationError
from qheatnet.io.network_file import dumps_network


@pytest.mark.parametrize("approach", ["local", "global"])
def test_long_time_limit_is_the_steady_state(approach):
    """Rates 0.05: the slowest relaxation rate is ~0.02, so t = 2000 leaves e^{-40} of the transient."""
    net = chain(2, rate=0.05)
    ev = evolve(net, approach, t_final=2000.0, steps=100, initial=5.0)
    ss = solve(net, approach)
    scale = max(abs(j) for j in ss.heat_currents.values())
    for name, j in ss.heat_currents.items():
        assert abs(ev.heat_currents[name][-1] - j) < 1e-9 * scale
    for name, n in ss.populations.items():
        assert ev.populations[name][-1] == pytest.approx(n, abs=1e-10)
    assert ev.trace_error < 1e-12 and ev.first_law_error < 1e-10
    assert ev.engine == ("free-fermion" if approach == "local" else "fock")
    kr = evolve(net, approach, t_final=2000.0, steps=100, initial=5.0, method="krylov")
    assert kr.method == "krylov" and kr.engine == "fock"
    np.testing.assert_allclose(kr.heat_currents["hot"], ev.heat_currents["hot"], atol=1e-12 * scale * 100)


def test_initial_state_hotter_than_both_baths_loses_heat_to_both():
    ev = evolve(chain(3), "global", t_final=10.0, steps=5, initial=5.0)
    assert ev.heat_currents["hot"][0] < 0 and ev.heat_currents["cold"][0] < 0


def test_transient_current_from_cold_to_hot_under_the_global_equation():
    """Yes, transiently: start with the qubit at the hot bath excited and the one at the cold bath in
    its ground state. Heat then leaves the cold bath (J_cold > 0) while heat enters the hot bath
    (J_hot < 0) — cold → network → hot. No second-law violation: the Davies generator obeys Spohn's
    inequality bath by bath, so σ(t) = dS/dt − Σ_α J_α/T_α ≥ 0 at every time (checked), the network's
    entropy change paying for it; at steady state the current runs hot → cold again."""
    net = chain(2, rate=0.02)
    ev = evolve(net, "global", t_final=40.0, steps=400, initial={"q0": {"fock": 1}, "q1": {"fock": 0}})
    jh, jc = ev.heat_currents["hot"], ev.heat_currents["cold"]
    cold_to_hot = (jc > 0) & (jh < 0)
    assert cold_to_hot[0] and cold_to_hot.sum() > 10
    temps = {b.name: b.temperature for b in net.baths}
    ds = np.gradient(ev.entropy, ev.times, edge_order=2)
    sigma = ds - sum(ev.heat_currents[n] / temps[n] for n in temps)
    scale = float(np.max(np.abs(jh)))
    assert np.all(sigma[1:] >= -1e-4 * scale), float(np.min(sigma[1:]))  # centred differences, dt = 0.1
    assert solve(net, "global").heat_currents["hot"] > 0


def test_star_network_global_full_space_and_bare_bookkeeping():
    ev = evolve(star(), "local", t_final=5.0, steps=5, initial={"a": 3.0, "hub": {"fock": 1}}, bookkeeping="bare")
    assert np.isnan(ev.first_law_error) and ev.structure == "q-diagonal blocks"
    assert ev.populations["hub"][0] == pytest.approx(1.0)
    assert ev.populations["a"][0] == pytest.approx(1 / (1 + np.exp(1.0 / 3.0)))


def test_oscillators_need_a_cutoff_and_report_truncation():
    """The Fock engine needs a cut-off for oscillators and reports the weight it truncates.

    ("auto" without a cut-off takes the exact Gaussian route instead; tests/physics/test_gaussian_evolve.py.)
    """
    net = Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.05))
    with pytest.raises(ValidationError, match="cutoff"):
        evolve(net, "local", t_final=1.0, engine="fock")
    assert evolve(net, "local", t_final=1.0, steps=2).engine == "gaussian"
    ev = evolve(net, "local", t_final=1.0, steps=2, initial=1.0, cutoff=6)
    x, y = np.exp(-1.0), np.exp(-0.8)  # thermal ratios at T = 1
    kept = sum((1 - x) * x**a * (1 - y) * y**b for a in range(7) for b in range(7 - a))
    assert ev.truncated_weight == pytest.approx(1 - kept, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"t_final": 0.0}, "t_final"),
        ({"t_final": 1.0, "steps": 0}, "steps"),
        ({"t_final": 1.0, "method": "rk4"}, "method"),
        ({"t_final": 1.0, "initial": {"q0": {"fock": 2}}}, "fock"),
        ({"t_final": 1.0, "initial": {"nope": 1.0}}, "unknown node"),
        ({"t_final": 1.0, "initial": -1.0}, "temperature"),
        ({"t_final": 1.0, "engine": "rate-equation"}, "engine"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        evolve(chain(2), "local", **kwargs)


def test_cli_evolve_json_and_plot(tmp_path):
    path = tmp_path / "chain.toml"
    path.write_text(dumps_network(chain(2, rate=0.05)))
    runner = CliRunner()
    png = tmp_path / "j.png"
    out = runner.invoke(
        cli,
        [
            "evolve",
            str(path),
            "--approach",
            "global",
            "--t-final",
            "20",
            "--steps",
            "4",
            "--initial",
            "q0=fock:1,q1=thermal:0.5",
            "--json",
            "--plot",
            str(png),
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert len(data["times"]) == 5 and set(data["heat_currents"]) == {"hot", "cold"}
    assert data["initial"]["q0"] == {"fock": 1} and png.stat().st_size > 0
    assert json.loads(png.with_suffix(".json").read_text())["times"] == data["times"]
    text = runner.invoke(cli, ["evolve", str(path), "--t-final", "5", "--steps", "2"])
    assert text.exit_code == 0 and "heat currents J_α(t)" in text.output
    pauli = runner.invoke(
        cli, ["evolve", str(path), "--approach", "global", "--t-final", "5", "--engine", "rate-equation"]
    )
    assert pauli.exit_code == 0 and "rate-equation" in pauli.output
    bad = runner.invoke(cli, ["evolve", str(path), "--t-final", "5", "--initial", "q0=hot:3"])
    assert bad.exit_code == 2 and "--initial" in bad.output and "Traceback" not in bad.output


@pytest.mark.parametrize("bookkeeping", ["full", "bare"])
def test_free_fermion_transient_matches_the_liouvillian(bookkeeping):
    """Exact two-point route vs the full Liouvillian, chain of 4, mixed Fock/thermal product state."""
    ini = {"q0": {"fock": 1}, "q2": 0.7, "q3": {"temperature": 4.0}}
    a = evolve(chain(4), "local", t_final=300.0, steps=15, initial=ini, bookkeeping=bookkeeping)
    b = evolve(chain(4), "local", t_final=300.0, steps=15, initial=ini, bookkeeping=bookkeeping, engine="fock")
    assert a.engine == "free-fermion" and b.engine == "fock"
    scale = max(float(np.max(np.abs(j))) for j in b.heat_currents.values())
    for name in b.heat_currents:
        np.testing.assert_allclose(a.heat_currents[name], b.heat_currents[name], rtol=0, atol=1e-10 * scale)
    for name in b.populations:
        np.testing.assert_allclose(a.populations[name], b.populations[name], rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.energy, b.energy, rtol=0, atol=1e-12)
    with pytest.raises(ValidationError, match="free-fermion"):
        evolve(star(), "local", t_final=1.0, engine="free-fermion")


@pytest.mark.parametrize("net", [chain(4), star()], ids=["chain4", "star"])
def test_rate_equation_transient_currents_match_the_liouvillian(net):
    """Global: J_α(t) and ⟨H⟩(t) depend on the eigenstate populations only (when the rate equation
    holds), so the Pauli equation reproduces the full Liouvillian's transient currents to round-off."""
    ini = {net.nodes[0].name: {"fock": 1}, net.nodes[-1].name: 3.0}
    a = evolve(net, "global", t_final=400.0, steps=20, initial=ini, engine="rate-equation")
    b = evolve(net, "global", t_final=400.0, steps=20, initial=ini, engine="fock")
    scale = max(float(np.max(np.abs(j))) for j in b.heat_currents.values())
    for name in b.heat_currents:
        np.testing.assert_allclose(a.heat_currents[name], b.heat_currents[name], rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(a.energy, b.energy, rtol=0, atol=1e-12)
    assert a.populations == {} and a.first_law_error < 1e-12
    with pytest.raises(ValidationError, match="bookkeeping"):
        evolve(net, "global", t_final=1.0, engine="rate-equation", bookkeeping="bare")
    with pytest.raises(ValidationError, match="global"):
        evolve(net, "local", t_final=1.0, engine="rate-equation")
