"""Gaussian (second-moment) transients of oscillator networks: ``evolve(..., engine="gaussian")``.

Conventions: ħ = k_B = 1; J_α(t) > 0 when energy flows from bath α into the network; full
bookkeeping uses H_S = Σ h_ij a_i† a_j.

The correlation matrix C_ij = ⟨a_i† a_j⟩ obeys a closed linear equation, so the Gaussian route is
exact for the same master equation as the Fock engine. The Fock engine is compared on cold
networks (bath occupations ≲ 1e-3 at ω ≈ 1) at a cut-off K whose truncation error, ~n^K, is far
below the 1e-8 relative tolerance; the two must then agree to round-off.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from qheatnet import Bath, Coupling, Flat, Network, Node, Ohmic, evolve, solve
from qheatnet.cli.main import cli
from qheatnet.errors import ModelError, ValidationError
from qheatnet.io.network_file import dumps_network


def osc_chain(freqs, eps, baths):
    nodes = [Node(f"n{i}", "oscillator", w) for i, w in enumerate(freqs)]
    couplings = [Coupling((f"n{i}", f"n{i + 1}"), eps) for i in range(len(freqs) - 1)]
    return Network(nodes=nodes, couplings=couplings, baths=baths)


def cold_chain():
    """Three oscillators, two spectra, a bath at each end (occupations ≤ 1.3e-3)."""
    return osc_chain(
        [1.0, 0.9, 1.1],
        0.08,
        [Bath("hot", "n0", 0.15, Flat(0.05)), Bath("cold", "n2", 0.05, Ohmic(0.03, 4.0))],
    )


def cold_star():
    """Hub + three equal leaves: two exactly degenerate normal modes (one Davies group) that both
    baths reach, so the global generator keeps the coherences inside the group."""
    nodes = [Node("hub", "oscillator", 1.2)] + [Node(f"l{i}", "oscillator", 1.0) for i in range(3)]
    couplings = [Coupling(("hub", f"l{i}"), 0.1) for i in range(3)]
    baths = [Bath("hot", "l0", 0.15, Flat(0.04)), Bath("cold", "l1", 0.08, Flat(0.06))]
    return Network(nodes=nodes, couplings=couplings, baths=baths)


def rel_diff(a, b) -> float:
    """max_t |a(t) − b(t)| / max_t |b(t)| over every bath."""
    scale = max(float(np.max(np.abs(b[k]))) for k in b)
    return max(float(np.max(np.abs(a[k] - b[k]))) for k in b) / scale


CASES = [
    (cold_chain, 0.12),
    (cold_chain, {"n0": {"fock": 2}, "n1": 0.1}),
    (cold_star, 0.1),
    (cold_star, {"l0": {"fock": 1}, "hub": {"fock": 1}, "l2": 0.12}),
]


@pytest.mark.parametrize("bookkeeping", ["full", "bare"])
@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize(("make", "initial"), CASES, ids=["chain-thermal", "chain-fock", "star-thermal", "star-fock"])
def test_gaussian_transient_equals_fock_transient(make, initial, approach, bookkeeping):
    net = make()
    kw = dict(t_final=60.0, steps=12, initial=initial, bookkeeping=bookkeeping)
    g = evolve(net, approach, engine="gaussian", **kw)
    f = evolve(net, approach, engine="fock", cutoff=5, **kw)
    assert g.engine == "gaussian" and f.engine == "fock"
    np.testing.assert_array_equal(g.times, f.times)
    assert rel_diff(g.heat_currents, f.heat_currents) < 1e-8
    for name in f.populations:
        np.testing.assert_allclose(g.populations[name], f.populations[name], rtol=0, atol=1e-10)
    np.testing.assert_allclose(g.energy, f.energy, rtol=1e-10, atol=1e-12)
    if bookkeeping == "full":
        assert g.first_law_error < 1e-10
    else:
        assert np.isnan(g.first_law_error)


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("make", [cold_chain, cold_star])
def test_long_time_limit_is_the_steady_state(make, approach):
    """Warm baths (the Gaussian route has no cut-off); one step straight to t = 5000, slower modes
    relax at ≳ 0.005 here, so e^{-25} of the transient is left."""
    net = make()
    net = net.replace(baths=[Bath(b.name, b.node, 10 * b.temperature, b.spectrum) for b in net.baths])
    ev = evolve(net, approach, t_final=5000.0, steps=1, initial={net.nodes[0].name: {"fock": 3}}, engine="gaussian")
    ss = solve(net, approach)
    scale = max(abs(j) for j in ss.heat_currents.values())
    for name, j in ss.heat_currents.items():
        assert abs(ev.heat_currents[name][-1] - j) < 1e-8 * scale
        assert abs(ev.heat_currents[name][0] - j) > 0.1 * scale  # far from it at t = 0
    for name, n in ss.populations.items():
        assert ev.populations[name][-1] == pytest.approx(n, rel=1e-8)


def test_long_chain_first_law():
    """200 oscillators (O(N²) unknowns, no Fock space): d⟨H⟩/dt from the energy trace by finite
    differences equals Σ_α J_α, for both approaches; the exact check is reported too."""
    n = 200
    net = osc_chain(
        1.0 + 0.02 * np.sin(np.arange(n)),
        0.1,
        [Bath("hot", "n0", 2.0, Flat(0.05)), Bath("cold", f"n{n - 1}", 0.5, Flat(0.05))],
    )
    initial = {f"n{i}": 1.5 for i in range(n // 2)}
    for approach in ("local", "global"):
        ev = evolve(net, approach, t_final=20.0, steps=200, initial=initial, engine="gaussian")
        assert ev.first_law_error < 1e-10
        total = sum(ev.heat_currents.values())
        de = np.gradient(ev.energy, ev.times, edge_order=2)
        assert float(np.max(np.abs(de - total))) < 1e-4 * float(np.max(np.abs(total)))
        # local: node 0 starts at T = 1.5 < 2 and node 199 in its ground state, so both baths heat the
        # network at t = 0; global: the baths see the delocalised normal modes, half filled at T = 1.5,
        # hotter than the cold bath
        assert ev.heat_currents["hot"][0] > 0
        assert (ev.heat_currents["cold"][0] > 0) == (approach == "local")


def test_auto_keeps_the_fock_engine_when_a_cutoff_is_given():
    net = cold_chain()
    ev = evolve(net, "local", t_final=1.0, steps=1, initial=0.1, cutoff=3)
    assert ev.engine == "fock"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"approach": "exact"}, ValidationError, "approach"),
        ({"method": "dense"}, ValidationError, "method"),
        ({"initial": {"n0": {"coherent": 1.0}}}, ValidationError, "fock"),
        ({"initial": {"n0": {"fock": -1}}}, ValidationError, "fock"),
    ],
)
def test_bad_input(kwargs, error, match):
    kw = {"approach": "local", "t_final": 1.0, **kwargs}
    approach = kw.pop("approach")
    with pytest.raises(error, match=match):
        evolve(cold_chain(), approach, engine="gaussian", **kw)


def test_qubits_are_refused():
    net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.05))
    with pytest.raises(ModelError, match="oscillators"):
        evolve(net, "local", t_final=1.0, engine="gaussian")


def test_cli_engine_gaussian(tmp_path):
    path = tmp_path / "chain.toml"
    path.write_text(dumps_network(cold_chain()))
    out = CliRunner().invoke(
        cli,
        ["evolve", str(path), "--approach", "global", "--t-final", "10", "--steps", "4"]
        + ["--initial", "n0=fock:2,n1=thermal:0.3", "--engine", "gaussian", "--json"],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["engine"] == "gaussian" and len(data["times"]) == 5
    ref = evolve(
        cold_chain(), "global", t_final=10.0, steps=4, initial={"n0": {"fock": 2}, "n1": 0.3}, engine="gaussian"
    )
    np.testing.assert_allclose(data["heat_currents"]["hot"], ref.heat_currents["hot"], rtol=1e-12)
