"""The public API: ``solve`` returns a frozen SteadyState that carries inputs, method and residuals.

STYLE.md: "Results are frozen dataclasses that carry the inputs, the method
and the residual, so a number can always be traced back"; DESIGN.md: the
Python API mirrors the CLI (same JSON schema from ``SteadyState.to_dict``).
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import qheatnet
from qheatnet import Flat, Network, build_master_equation, solve


@pytest.fixture(scope="module")
def oscillators():
    net = Network.two_node("oscillator", 1.0, 0.7, 0.05, 0.4, 0.25, Flat(0.01))
    return net, solve(net, "global", engine="fock")


def test_result_is_frozen_and_carries_its_inputs(oscillators):
    net, res = oscillators
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.approach = "local"  # type: ignore[misc]
    assert res.network is net
    assert (res.approach, res.engine, res.bookkeeping) == ("global", "fock", "full")
    assert 0 <= res.residual < 1e-9
    assert res.solver["engine"] == "fock"
    assert isinstance(res.solver["cutoff"], int) and res.solver["cutoff"] >= 2  # says what was used
    assert res.solver["truncation_error"] <= 1e-9
    assert res.first_law_residual == sum(res.heat_currents.values())
    assert res.entropy_production == pytest.approx(
        -sum(j / b.temperature for j, b in zip(res.heat_currents.values(), net.baths))
    )


def test_rho_is_in_the_local_basis_of_space(oscillators):
    net, res = oscillators
    assert res.rho.shape == (res.space.dim, res.space.dim)
    for i, node in enumerate(net.nodes):
        n = float(np.real(np.sum(np.diag(res.rho) * res.space.states[:, i])))
        assert n == pytest.approx(res.populations[node.name], rel=1e-12)


def test_to_dict_is_the_cli_schema_and_strict_json(oscillators):
    _, res = oscillators
    data = res.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert {
        "approach",
        "heat_currents",
        "entropy_production",
        "first_law_residual",
        "second_law",
        "populations",
        "diagnostics",
    } <= set(json.loads(text))


def test_to_dict_handles_infinite_entropy_production():
    """A T = 0 bath that absorbs heat gives σ = +inf; the JSON stays strict (no bare Infinity)."""
    net = Network.two_node("qubit", 1.0, 0.8, 0.05, 0.5, 0.0, Flat(0.01))
    res = solve(net, "local", engine="fock")
    assert res.entropy_production == np.inf
    data = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert data["entropy_production"] == "inf"


def test_bookkeeping_option_is_recorded_and_changes_the_currents():
    net = Network.two_node("qubit", 1.0, 0.7, 0.05, 0.5, 0.3, Flat(0.01))
    full = solve(net, "local", engine="fock")
    bare = solve(net, "local", engine="fock", bookkeeping="bare")
    assert bare.bookkeeping == "bare"
    assert bare.heat_currents["hot"] != pytest.approx(full.heat_currents["hot"], rel=1e-6)


def test_build_master_equation_keeps_dissipators_tagged_by_bath():
    net = Network.two_node("qubit", 1.0, 0.7, 0.05, 0.5, 0.3, Flat(0.01))
    for approach in ("local", "global"):
        me = build_master_equation(net, approach)
        assert me.approach == approach
        assert [d.bath for d in me.dissipators] == ["hot", "cold"]
        assert all(t.rate > 0 for d in me.dissipators for t in d.terms)


def test_public_names():
    for name in qheatnet.__all__:
        assert hasattr(qheatnet, name), name
    assert issubclass(qheatnet.ValidationError, ValueError)
    assert issubclass(qheatnet.ModelError, ValueError)
    assert issubclass(qheatnet.ConvergenceError, RuntimeError)
