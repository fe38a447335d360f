"""Convergence reporting, the memory estimate and refusal, and input validation of the HEOM kernel."""

from __future__ import annotations

import sys

import pytest
from heom_networks import dl, pair

from qheatnet import Bath, Flat, Network, Node
from qheatnet.errors import ConvergenceError, ModelError, ValidationError

pytest.importorskip("qutip")

from qheatnet.solvers import heom  # noqa: E402
from qheatnet.solvers.heom import (  # noqa: E402
    converged_heom,
    count_ados,
    estimate_memory,
    heom_problem,
    heom_steady_state,
)


@pytest.fixture(scope="module")
def strong():
    return heom_problem(pair(1.0, 0.1, 0.2))


def test_convergence_report_is_consistent(strong):
    lines = []
    res = converged_heom(strong, progress=lines.append)
    assert res.converged and res.error_estimate <= 1e-3
    assert res.depth >= 4 and res.n_exponents == 2 * (1 + res.terms)
    assert res.n_ados == count_ados(res.n_exponents, res.depth)
    assert len(lines) == len(res.history) and all("heom depth" in line for line in lines)
    hist = {(d, t): j for d, t, j in res.history}
    assert hist[(res.depth, res.terms)] == res.heat_currents
    # the error estimate is the larger of the final depth step and the last terms step, recomputed here
    j = res.heat_currents["hot"]
    depth_step = abs(j - hist[(res.depth - 1, res.terms)]["hot"]) / abs(j)
    assert depth_step <= res.error_estimate * (1 + 1e-12)
    assert any(d.startswith("convergence: depth") for d in res.diagnostics)
    assert res.cost > 0 and res.memory_estimate >= heom.LU_BYTES_PER_ENTRY * res.factor_entries


@pytest.mark.parametrize("omega_b, lam", [(1.0, 0.1), (0.8, 0.1)])
def test_error_estimate_is_honest(omega_b, lam):
    """The rtol = 1e-3 result lies within 1e-3 of solves one level deeper and with one more term,
    and of the rtol = 1e-4 result."""
    prob = heom_problem(pair(omega_b, 0.1, lam))
    res = converged_heom(prob)
    for depth, terms in ((res.depth + 1, res.terms), (res.depth, res.terms + 1)):
        ref = heom_steady_state(prob, depth=depth, terms=terms)
        assert abs(res.heat_currents["hot"] / ref.heat_currents["hot"] - 1) < 1e-3, (depth, terms)
    tight = converged_heom(prob, rtol=1e-4)
    assert tight.depth >= res.depth and tight.terms >= res.terms and tight.error_estimate <= 1e-4
    assert abs(res.heat_currents["hot"] / tight.heat_currents["hot"] - 1) < 1e-3


def test_not_converged_within_limits_raises_with_what_was_reached(strong):
    with pytest.raises(ConvergenceError, match=r"not converged.*max_depth 4.*last solve: depth 4"):
        converged_heom(strong, max_depth=4)


def test_memory_limit_refuses_before_allocating(strong):
    est = estimate_memory(strong, 6, 2)
    with pytest.raises(ConvergenceError, match=r"depth 6, 2 pade terms \(924 ADOs\) needs an estimated .* GiB"):
        heom_steady_state(strong, depth=6, terms=2, memory_limit=est - 1)
    with pytest.raises(ConvergenceError, match="above the memory limit"):
        converged_heom(strong, memory_limit=estimate_memory(strong, 4, 1))
    # the default limit refuses a hierarchy of ~10^6 ADOs at once (nothing is built: this returns fast)
    with pytest.raises(ConvergenceError, match="memory limit of 4.00 GiB"):
        heom_steady_state(strong, depth=20, terms=8)


@pytest.mark.parametrize("depth, terms", [(3, 1), (5, 1), (4, 2)])
def test_memory_estimate_bounds_the_measured_factor(strong, depth, terms):
    res = heom_steady_state(strong, depth=depth, terms=terms)
    assert res.memory_estimate == estimate_memory(strong, depth, terms)
    assert res.memory_estimate >= heom.LU_BYTES_PER_ENTRY * res.factor_entries
    assert res.error_estimate is None and not res.converged


def test_matsubara_expansion_agrees_with_pade():
    prob = heom_problem(pair(1.0, 0.1, 0.05))
    a = converged_heom(prob)
    b = converged_heom(prob, expansion="matsubara")
    assert b.expansion == "matsubara"
    assert abs(a.heat_currents["hot"] / b.heat_currents["hot"] - 1) < 2e-3


def _two_qubits(spectrum, t_c=1.0):
    nodes = [Node("A", "qubit", 1.0), Node("B", "qubit", 1.0)]
    return Network(nodes, [], [Bath("hot", "A", 2.0, dl(0.01)), Bath("cold", "B", t_c, spectrum)])


def test_validation_errors():
    with pytest.raises(
        ModelError, match=r"drude_lorentz baths only; bath 'cold' \(baths\[1\]\) has spectrum kind 'flat'"
    ):
        heom_problem(_two_qubits(Flat(0.01)))
    with pytest.raises(ModelError, match="T = 0"):
        heom_problem(_two_qubits(dl(0.01), t_c=0.0))
    with pytest.raises(ModelError, match="no bath"):
        heom_problem(Network([Node("A", "qubit", 1.0)]))
    osc = Network.two_node("oscillator", 1.0, 0.8, 0.05, 1.0, 0.5, dl(0.01))
    with pytest.raises(ModelError, match="needs a Fock cut-off"):
        heom_problem(osc)
    with pytest.raises(ValidationError, match="cutoff"):
        heom_problem(osc, cutoff=0)
    with pytest.raises(ValidationError, match="network"):
        heom_problem("not a network")
    prob = heom_problem(pair(1.0, 0.1, 0.05))
    for kwargs, field in (({"depth": 0, "terms": 1}, "depth"), ({"depth": 2, "terms": -1}, "terms")):
        with pytest.raises(ValidationError, match=field):
            heom_steady_state(prob, **kwargs)
    with pytest.raises(ValidationError, match="expansion"):
        heom_steady_state(prob, depth=2, terms=1, expansion="fit")
    with pytest.raises(ValidationError, match="rtol"):
        converged_heom(prob, rtol=0)
    with pytest.raises(ValidationError, match="atol"):
        converged_heom(prob, atol=-1.0)


def test_missing_qutip_names_the_extra(monkeypatch):
    prob = heom_problem(pair(1.0, 0.1, 0.05))  # fresh problem: no cached expansion
    monkeypatch.setitem(sys.modules, "qutip", None)
    monkeypatch.setitem(sys.modules, "qutip.core.environment", None)
    with pytest.raises(ImportError, match=r"pip install 'qheatnet\[heom\]'"):
        heom_steady_state(prob, depth=2, terms=1)
