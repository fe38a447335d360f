"""Which engine takes which coupling kind (and why not), the structure used, and the heat flow per coupling.

ħ = k_B = 1. Continuity, for every node at steady state: Σ_c J_{c→i} + J_bath(i) = 0, with
J_{c→i} = i⟨[H_c, H_i]⟩ and J_bath(i) = Σ_α ⟨𝓛_α^†(H_i)⟩ computed from the state by separate formulas.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Flat, evolve, solve
from qheatnet.errors import EngineNotApplicable, ModelError
from qheatnet.model.network import Bath, Coupling, Network, Node

F = Flat(0.01)


def _two(kind, eps, ckind="swap", w=(1.0, 0.8), t=(2.0, 1.0)):
    return Network(
        nodes=(Node("A", kind, w[0]), Node("B", kind, w[1])),
        couplings=(Coupling(("A", "B"), eps, ckind),),
        baths=(Bath("hot", "A", t[0], F), Bath("cold", "B", t[1], F)),
    )


def _xxz(n=4, delta=0.03):
    net = Network.chain(n, kind="qubit", frequency=1.0, coupling=0.05, baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F)])
    return net.replace(couplings=net.couplings + tuple(Coupling(c.nodes, delta, "density") for c in net.couplings))


def _fridge(g=0.02):
    return Network(
        nodes=(Node("c", "qubit", 1.0), Node("r", "qubit", 3.0), Node("h", "qubit", 2.0)),
        couplings=(Coupling(("c", "r", "h"), g, "product", ("a", "adag", "a")),),
        baths=(Bath("cold", "c", 1.0, F), Bath("room", "r", 1.5, F), Bath("hot", "h", 5.0, F)),
    )


def _continuity(res):
    scale = max(abs(j) for j in res.heat_currents.values())
    worst = 0.0
    for node in res.network.nodes:
        inflow = sum(per[node.name] for per in res.coupling_currents.values() if node.name in per)
        worst = max(worst, abs(inflow + res.node_bath_currents[node.name]) / scale)
    return worst


def test_free_fermion_keeps_xx_chains_and_refuses_the_rest_with_the_reason():
    xx = Network.chain(4, kind="qubit", frequency=1.0, coupling=0.05, baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F)])
    assert solve(xx, "local").engine == "free-fermion"
    with pytest.raises(EngineNotApplicable, match="A-B|n0-n1:density.*not an XX"):
        solve(_xxz(), "local", engine="free-fermion")
    res = solve(_xxz(), "local")
    assert res.engine == "fock" and res.solver["structure"] == "q-diagonal blocks"


def test_rate_equation_refuses_couplings_that_change_q():
    with pytest.raises(EngineNotApplicable, match=r"rate-equation: .*'c-r-h:a,adag,a' \(product\) changes q by ±1"):
        solve(_fridge(), "global", engine="rate-equation")
    res = solve(_fridge(), "global")
    assert res.engine == "fock"
    assert res.solver["structure"] == "diagonal blocks of the conserved charge Q"
    assert "w = (" in res.solver["conserved_charge"]
    assert solve(_xxz(), "global").engine == "rate-equation"  # density couplings conserve q


def test_gaussian_engine_takes_quadratic_couplings_only():
    quartic = _two("oscillator", 0.01, "density", t=(0.3, 0.2))
    with pytest.raises(EngineNotApplicable, match=r"quadratic couplings only .*quartic"):
        solve(quartic, "local", engine="gaussian")
    assert solve(quartic, "local").engine == "fock"
    dip = _two("oscillator", 0.05, "dipole")
    with pytest.raises(EngineNotApplicable, match="time evolution with swap couplings only"):
        evolve(dip, "local", t_final=1.0, steps=3, engine="gaussian")


def test_dipole_stability_limit_and_unbounded_couplings_are_refused():
    # ε² < ω_Aω_B = 0.8 but 4ε² ≥ 0.8: the swap pair has a ground state, the dipole pair none
    assert solve(_two("oscillator", 0.5), "global").second_law == "satisfied"
    for approach in ("local", "global"):
        with pytest.raises(ModelError, match=r"no ground state: .*position \(V\) .*4ε² ≥ ω_1ω_2 \(dipole\)"):
            solve(_two("oscillator", 0.5, "dipole"), approach)
    cubic = Network(
        nodes=tuple(Node(n, "oscillator", 1.0) for n in "ABC"),
        couplings=(Coupling(("A", "B", "C"), 0.01, "product", ("a", "a", "adag")),),
        baths=(Bath("b", "A", 0.3, F),),
    )
    with pytest.raises(ModelError, match="odd degree 3 .*unbounded below"):
        solve(cubic, "local")
    with pytest.raises(ModelError, match="n_i n_j terms .*strength -0.01 < 0"):
        solve(_two("oscillator", -0.01, "density"), "local")
    # qubits keep every coupling bounded: a strong Rabi coupling to an oscillator is fine to build
    rabi = Network(
        nodes=(Node("Q", "qubit", 1.0), Node("O", "oscillator", 1.0)),
        couplings=(Coupling(("Q", "O"), 0.4, "dipole"),),
        baths=(Bath("b", "O", 0.2, F),),
    )
    from qheatnet.physics.quadratic_xp import ground_state_problem

    assert ground_state_problem(rabi) is None


def test_fock_block_structure_follows_the_conserved_charge():
    dip = _two("oscillator", 0.05, "dipole", t=(0.2, 0.15))
    res = solve(dip, "local", engine="fock", cutoff=6)
    assert res.solver["structure"] == "full space" and res.solver["conserved_charge"].startswith("none")
    assert res.solver["unknowns"] == 28**2  # dim C(8, 2) = 28, no block structure
    xxz = solve(_xxz(3), "local", engine="fock")
    assert xxz.solver["conserved_charge"].startswith("q = Σ_i n_i")


@pytest.mark.parametrize("approach", ["local", "global"])
def test_continuity_fock_every_kind(approach):
    for net in (_xxz(3), _fridge(), _two("qubit", 0.1, "dipole")):
        res = solve(net, approach, engine="fock")
        assert res.coupling_currents is not None and res.node_bath_currents is not None
        assert _continuity(res) < 1e-9, (approach, net.couplings[0].label)


def test_density_coupling_carries_no_energy():
    res = solve(_xxz(3), "local")
    for c in res.network.couplings:
        if c.kind == "density":
            assert all(j == 0.0 for j in res.coupling_currents[c.label].values())


@pytest.mark.parametrize("approach", ["local", "global"])
def test_xp_gaussian_dense_and_modes_agree_and_flows_are_continuous(approach):
    n = 70
    net = Network.chain(
        n,
        kind="oscillator",
        frequency=1.0,
        coupling=0.05,
        coupling_kind="dipole",
        baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F), ("mid", 35, 1.5, Flat(0.005))],
    )
    net = net.replace(couplings=net.couplings + (Coupling(("n0", "n2"), 0.02),))
    res = solve(net, approach)
    assert res.engine == "gaussian" and res.covariance is not None
    assert _continuity(res) < 1e-9
    assert abs(res.first_law_residual) < 1e-12 * max(abs(j) for j in res.heat_currents.values()) + 1e-18
    if approach == "local":
        dense, modes = solve(net, "local", method="dense"), solve(net, "local", method="modes")
        assert dense.solver["method"].endswith("dense") and modes.solver["method"].endswith("modes")
        for b in net.baths:
            assert abs(dense.heat_currents[b.name] / modes.heat_currents[b.name] - 1) < 1e-9
        p1, p2 = np.array(list(dense.populations.values())), np.array(list(modes.populations.values()))
        assert np.max(np.abs(p1 / p2 - 1)) < 1e-9


def test_xp_large_chain_reports_partial_flows_unless_asked():
    net = Network.chain(
        400,
        kind="oscillator",
        frequency=1.0,
        coupling=0.05,
        coupling_kind="dipole",
        baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F)],
    )
    res = solve(net, "local")
    assert res.coupling_currents is None and "not available" in res.solver["coupling_currents"]
    assert "POPULATIONS_PARTIAL" in {str(d.code) for d in res.diagnostics}
    glob = solve(net, "global", populations="all")
    assert glob.coupling_currents is not None and _continuity(glob) < 1e-9


def test_swap_engines_give_the_same_flows_as_fock():
    osc = _two("oscillator", 0.05, t=(0.3, 0.2))
    fk = solve(osc, "local", engine="fock")
    g = solve(osc, "local")
    assert g.engine == "gaussian" and g.solver["coupling_currents"] == "from the covariance matrix"
    scale = max(abs(j) for j in fk.heat_currents.values())
    for node, j in fk.coupling_currents["A-B"].items():
        assert abs(g.coupling_currents["A-B"][node] - j) < 1e-9 * scale
    for node, j in fk.node_bath_currents.items():
        assert abs(g.node_bath_currents[node] - j) < 1e-9 * scale
    xx = Network.chain(
        4,
        kind="qubit",
        frequency=[1.0, 1.1, 0.9, 1.05],
        coupling=0.05,
        baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F)],
    )
    ff, fk = solve(xx, "local"), solve(xx, "local", engine="fock")
    assert ff.engine == "free-fermion"
    scale = max(abs(j) for j in fk.heat_currents.values())
    for label, per in fk.coupling_currents.items():
        for node, j in per.items():
            assert abs(ff.coupling_currents[label][node] - j) < 1e-9 * scale
    assert _continuity(ff) < 1e-9


def test_rate_equation_flows_from_its_density_matrix():
    res = solve(_xxz(3), "global")
    assert res.engine == "rate-equation" and res.coupling_currents is not None
    assert res.node_bath_currents is None
    fk = solve(_xxz(3), "global", engine="fock")
    scale = max(abs(j) for j in fk.heat_currents.values())
    for label, per in fk.coupling_currents.items():
        for node, j in per.items():
            assert abs(res.coupling_currents[label][node] - j) < 1e-9 * scale


def test_time_evolution_with_other_kinds_uses_the_fock_engine():
    ev = evolve(_fridge(), "local", t_final=50.0, steps=6)
    assert ev.engine == "fock" and ev.trace_error < 1e-10 and ev.first_law_error < 1e-8


def test_xp_localised_impurity_modes():
    """An impurity above the band (ω = 1.2 in a dipole chain of 300) makes a mode localised far from both
    baths: its decay underflows (dark): no current through it, NaN populations where it lives, the rest as
    usual; a weaker impurity (1.02, N = 120) gives a slow but resolved mode (SLOW_NORMAL_MODE)."""
    for n, w, dark in ((120, 1.02, 0), (300, 1.2, 1)):
        net = Network.chain(
            n,
            kind="oscillator",
            frequency=1.0,
            coupling=0.05,
            coupling_kind="dipole",
            overrides={f"n{n // 2}": {"frequency": w}},
            baths=[("hot", 0, 2.0, F), ("cold", -1, 1.0, F)],
        )
        res = solve(net, "local", populations="all")
        assert res.solver["dark_modes"] == dark and "SLOW_NORMAL_MODE" in {str(d.code) for d in res.diagnostics}
        pops = np.array(list(res.populations.values()))
        assert np.isnan(pops[n // 2]) if dark else np.all(np.isfinite(pops))
        assert np.isfinite(pops[0]) and np.isfinite(pops[-1])
        scale = abs(res.heat_currents["hot"])
        for node in net.nodes:
            if np.isfinite(res.node_bath_currents[node.name]):
                inflow = sum(per[node.name] for per in res.coupling_currents.values() if node.name in per)
                assert abs(inflow + res.node_bath_currents[node.name]) < 1e-9 * scale
        glob = solve(net, "global")
        assert glob.solver["dark_modes"] == dark
