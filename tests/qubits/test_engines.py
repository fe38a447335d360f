"""The qubit engines against the generic sparse Liouvillian ("fock" engine).

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network.
Tolerances: both sides are exact solutions of the same linear problem, so they
agree to round-off amplified by the conditioning of the steady state (the net
current of a graded chain is ~1e-2 of the gross exchange at N = 4); 1e-9
relative to the largest current leaves a wide margin over the observed 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
from qubit_networks import chain, star, strong_chain

from qheatnet import Bath, Coupling, Flat, Network, Node, solve
from qheatnet.errors import ConvergenceError, ModelError
from qheatnet.physics.local import chain_order, free_fermion_reason


def _close(a, b, rtol=1e-9):
    scale = max(abs(v) for v in b.values())
    for k in b:
        assert abs(a[k] - b[k]) <= rtol * scale, (k, a[k], b[k])


@pytest.mark.parametrize("n", [1, 2, 3, 5])
@pytest.mark.parametrize("bookkeeping", ["full", "bare"])
def test_free_fermion_matches_liouvillian(n, bookkeeping):
    net = chain(n) if n > 1 else Network([Node("q0", "qubit", 1.0)], [], [Bath("hot", "q0", 2.0, Flat(0.01))])
    ff = solve(net, "local", bookkeeping=bookkeeping)
    assert ff.engine == "free-fermion"
    ref = solve(net, "local", engine="fock", bookkeeping=bookkeeping)
    _close(ff.heat_currents, ref.heat_currents)
    for k in ref.populations:
        assert ff.populations[k] == pytest.approx(ref.populations[k], abs=1e-12)
    assert ff.residual < 1e-12


def test_free_fermion_chain_in_any_node_order():
    """Nodes listed out of path order, baths on both ends, two baths on one end."""
    nodes = [Node("m", "qubit", 1.1), Node("e2", "qubit", 0.9), Node("e1", "qubit", 1.0)]
    couplings = [Coupling(("e1", "m"), 0.05), Coupling(("e2", "m"), 0.03)]
    baths = [
        Bath("hot", "e1", 2.0, Flat(0.01)),
        Bath("cold", "e2", 0.5, Flat(0.02)),
        Bath("extra", "e2", 1.5, Flat(0.005)),
    ]
    net = Network(nodes, couplings, baths)
    assert chain_order(net) in ([2, 0, 1], [1, 0, 2])
    ff = solve(net, "local")
    assert ff.engine == "free-fermion"
    ref = solve(net, "local", engine="fock")
    _close(ff.heat_currents, ref.heat_currents)
    assert abs(ff.first_law_residual) < 1e-12 * max(map(abs, ff.heat_currents.values()))


def test_free_fermion_refuses_interior_bath_and_non_chains():
    assert "interior" in free_fermion_reason(
        star().replace(couplings=chain(4).couplings, nodes=chain(4).nodes, baths=[Bath("x", "q1", 1.0, Flat(0.01))])
    )
    assert "not a chain" in free_fermion_reason(star())
    with pytest.raises(ModelError, match="free-fermion"):
        solve(star(), "local", engine="free-fermion")
    assert solve(star(), "local").engine == "fock"


def test_free_fermion_refuses_localised_chain():
    """A graded chain long enough that its slowest mode decays below round-off (MEASURED.md trap)."""
    with pytest.raises(ConvergenceError, match="localised"):
        solve(chain(40), "local")


@pytest.mark.parametrize("n", [2, 3, 4, 6])
@pytest.mark.parametrize("bookkeeping", ["full", "bare"])
def test_rate_equation_matches_davies_liouvillian(n, bookkeeping):
    re = solve(chain(n), "global", bookkeeping=bookkeeping)
    assert re.engine == "rate-equation"
    assert re.solver["path"] == "rate equation (eigenbasis)"
    ref = solve(chain(n), "global", engine="fock", bookkeeping=bookkeeping)
    _close(re.heat_currents, ref.heat_currents)
    assert np.max(np.abs(re.rho - ref.rho)) < 1e-12
    assert re.residual < 1e-12
    assert [d.code for d in re.diagnostics] == [d.code for d in ref.diagnostics]


def test_rate_equation_on_a_star_with_three_baths():
    net = star()
    re = solve(net, "global")
    ref = solve(net, "global", engine="fock")
    assert re.solver["path"] == "rate equation (eigenbasis)"
    _close(re.heat_currents, ref.heat_currents)
    assert re.entropy_production >= 0


def test_rate_equation_handles_degenerate_levels_that_do_not_couple():
    """The graded chain has exactly degenerate many-body levels (its single-particle spectrum is symmetric:
    ε_1 + ε_4 = ε_2 + ε_3 at N = 4); they differ in two fermion modes, so no single jump couples them and
    the rate equation stays exact — checked against the full Davies Liouvillian."""
    re = solve(chain(4), "global")
    assert re.solver["degenerate_level_pairs"] >= 1
    assert re.solver["path"] == "rate equation (eigenbasis)"


def test_rate_equation_falls_back_when_degeneracy_couples_coherences():
    """Three equal qubits (ω = 1) in a chain with ε = √2 (and a bath on every site): single-particle
    energies −1, 1, 3, so the
    vacuum (q = 0) and the two-fermion level {−1, 1} (q = 2) are degenerate at E = 0 and one bath
    operator connects both to the same q = 1 level: coherences feed populations, the rate equation
    does not hold, and the engine must say that it ran the generic Liouvillian instead."""
    net = strong_chain()
    res = solve(net, "global")
    # the engine layer falls back (engine="auto"): the rate-equation engine refuses at run time, fock runs
    assert res.engine == "fock" and res.solver["fallback"][0]["engine"] == "rate-equation"
    assert res.solver["fallback"][0]["reason"].startswith("the rate equation does not hold")
    assert "q=0 and q=2" in res.solver["fallback"][0]["reason"]
    assert "ENGINE_FALLBACK" in [d.code for d in res.diagnostics]
    ref = solve(net, "global", engine="fock")
    _close(res.heat_currents, ref.heat_currents)


def test_non_unique_davies_steady_state_is_refused():
    """Same chain with baths on the end sites only: the Davies generator has a two-dimensional kernel
    (checked with a dense eigen-decomposition). The generic solver returns one kernel vector with a tiny
    residual but negative eigenvalues; the rate-equation engine's fallback checks positivity and refuses."""
    net = strong_chain(mid_bath=False)
    with pytest.raises(ConvergenceError, match="not unique"):
        solve(net, "global")


def test_round_off_current_is_flagged():
    """Graded chain, local: at N = 14 |J| ≈ 2× the round-off resolution of the gross exchange.

    Before the free-fermion solution was iteratively refined, J_hot and −J_cold differed by 3 % here; now the
    first-law residual (a direct sample of the currents' round-off) is far below the resolution the warning
    quotes, and the warning stays as the conservative bound it is.
    """
    long = solve(chain(14), "local")
    assert "CURRENT_AT_ROUND_OFF" in [d.code for d in long.diagnostics]
    assert abs(long.first_law_residual) <= long.solver["current_resolution"]
    short = solve(chain(6), "local")
    assert "CURRENT_AT_ROUND_OFF" not in [d.code for d in short.diagnostics]


def test_memory_guard_refuses_before_allocating(monkeypatch):
    from qheatnet import config

    monkeypatch.setattr(config, "MAX_MEMORY_BYTES", 1e4)
    with pytest.raises(ConvergenceError, match="memory"):
        solve(chain(6), "global")
    with pytest.raises(ConvergenceError, match="memory"):
        solve(chain(40, slope=0.0), "local")


def test_zero_single_particle_energy_falls_back_or_is_refused():
    """ω = ε = 0.3 for two qubits: a zero-energy mode, so the vacuum (q = 0) and one q = 1 level are
    degenerate and a jump connects them at Bohr frequency 0. X(0) maps the coherence ρ_ab onto ρ_ba,
    which can then be stationary. The engine leaves this to the full Liouvillian: at T > 0 it is unique
    (and agrees), with every bath at T = 0 the steady state is not unique and the answer is refused."""
    from qheatnet import Ohmic

    def net(t):
        nodes = [Node("q0", "qubit", 0.3), Node("q1", "qubit", 0.3)]
        baths = [Bath("b0", "q0", t, Flat(0.0625)), Bath("b1", "q1", 0.5 * t, Ohmic(0.02, 1.0))]
        return Network(nodes, [Coupling(("q0", "q1"), 0.3)], baths)

    warm = solve(net(0.7), "global")
    assert warm.engine == "fock" and "zero Bohr frequency" in warm.solver["fallback"][0]["reason"]
    _close(warm.heat_currents, solve(net(0.7), "global", engine="fock").heat_currents)
    with pytest.raises(ConvergenceError, match="not unique"):
        solve(net(0.0), "global")
