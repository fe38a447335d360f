"""Bookkeeping and physics checks of every HEOM result: Σ_α J_α = 0, bath side = system side,
positivity and uniqueness of ρ, the second law with three baths, equilibrium limits."""

from __future__ import annotations

import numpy as np
import pytest
from heom_networks import chain, dl, pair, shared_node

from qheatnet import Bath, Network, Node

pytest.importorskip("qutip")

from qheatnet.solvers.heom import CONDITION_LIMIT, converged_heom, heom_problem  # noqa: E402

NETWORKS = {
    "resonant": pair(1.0, 0.1, 0.05),
    "detuned strong": pair(0.8, 0.1, 0.15),
    "3-chain": chain(3, lam=0.02),
    "3-chain, 3 baths": chain(3, lam=0.02, all_baths=True, temps=(2.5, 1.0)),
    "shared node": shared_node(),
}


@pytest.fixture(scope="module", params=list(NETWORKS))
def result(request):
    net = NETWORKS[request.param]
    return net, converged_heom(heom_problem(net))


def test_currents_balance_and_bath_side_equals_system_side(result):
    net, res = result
    assert res.current_sum < 1e-8 and res.current_disagreement < 1e-8
    jmax = max(abs(v) for v in res.heat_currents.values())
    assert abs(sum(res.heat_currents.values())) < 1e-8 * jmax
    for k, j in res.heat_currents.items():
        assert abs(j - res.system_side_currents[k]) < 1e-8 * jmax
        assert np.isfinite(j)


def test_state_is_unique_positive_and_solved(result):
    net, res = result
    assert res.residual < 1e-12
    assert 1 < res.condition < CONDITION_LIMIT
    assert res.eigenvalues[0] > 0 and abs(np.sum(res.eigenvalues) - 1) < 1e-12
    np.testing.assert_allclose(res.rho, res.rho.conj().T, atol=1e-14)
    assert not [d for d in res.diagnostics if d.startswith("HEOM_NOT_POSITIVE")]


def test_second_law(result):
    """σ = −Σ_α J_α/T_α ≥ 0, and heat leaves the hottest bath."""
    net, res = result
    temps = {b.name: b.temperature for b in net.baths}
    sigma = -sum(j / temps[k] for k, j in res.heat_currents.items())
    assert sigma > 0
    hottest = max(temps, key=temps.get)
    assert res.heat_currents[hottest] > 0


def test_equal_temperatures_give_no_current_within_atol():
    """At T_h = T_c the exact steady state is equilibrium: J → 0 as the hierarchy converges."""
    net = pair(0.8, 0.1, 0.01, t_h=2.0, t_c=2.0)
    res = converged_heom(heom_problem(net), atol=1e-10)
    assert all(abs(j) < 1e-10 for j in res.heat_currents.values()), res.heat_currents
    assert res.converged and res.population_error_estimate <= 1e-3
    # the relative change of a vanishing current is meaningless, and the result says so
    assert res.error_estimate > 1e-3 and any(d.startswith("HEOM_ERROR_ABOVE_RTOL") for d in res.diagnostics)


def test_one_qubit_one_bath_relaxes_to_its_thermal_state_at_weak_coupling():
    """λ → 0: ⟨n⟩ → 1/(e^{ω/T} + 1) (the strong-coupling state differs at O(λ)), J = 0."""
    omega, temp = 1.0, 0.7
    net = Network([Node("A", "qubit", omega)], [], [Bath("b", "A", temp, dl(1e-4))])
    res = converged_heom(heom_problem(net), atol=1e-12)
    assert res.terms >= 2  # the population, not the (vanishing) current, asked for the Padé terms
    assert abs(res.populations["A"] - 1 / (np.exp(omega / temp) + 1)) < 1e-4
    assert abs(res.heat_currents["b"]) < 1e-10


def test_non_unique_steady_state_is_refused():
    """A qubit with neither bath nor coupling keeps its initial populations: no unique steady state."""
    from qheatnet.errors import ConvergenceError
    from qheatnet.solvers.heom import heom_steady_state

    net = Network([Node("A", "qubit", 1.0), Node("B", "qubit", 1.0)], [], [Bath("h", "A", 2.0, dl(0.05))])
    with pytest.raises(ConvergenceError, match="not unique"):
        heom_steady_state(heom_problem(net), depth=3, terms=1)
