"""HEOM on a truncated two-oscillator network against the exact (NEGF) approach.

Both include the Caldeira–Leggett counter-term (static frequency shift cancelled), so they describe
the same Hamiltonian; HEOM truncates each oscillator at 3 quanta. Low temperatures (T ≈ 0.3 ω) keep
the truncation error small (⟨n⟩ ≈ 0.06: the 4-quanta tail ~1e-5) at the price of two Padé terms.
The global master equation is 6e-3 off at this coupling, so the 1e-3 agreement is a real test of the
non-perturbative terms, not only of the weak-coupling limit.
"""

from __future__ import annotations

import pytest
from heom_networks import dl

from qheatnet import Network, solve

pytest.importorskip("qutip")

from qheatnet.solvers.heom import heom_problem, heom_steady_state  # noqa: E402


def test_two_oscillators_agree_with_exact():
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 0.35, 0.3, dl(0.005, gamma=1.0))
    exact = solve(net, "exact").heat_currents["hot"]
    res = heom_steady_state(heom_problem(net, cutoff=3), depth=3, terms=2)
    assert abs(res.heat_currents["hot"] / exact - 1) < 1e-3, (res.heat_currents, exact)
    assert res.current_disagreement < 1e-8 and res.current_sum < 1e-8
    assert abs(solve(net, "global").heat_currents["hot"] / exact - 1) > 5e-3
    # a coarser truncation is visibly worse: the agreement is not an accident of the cut-off
    coarse = heom_steady_state(heom_problem(net, cutoff=2), depth=3, terms=2)
    assert abs(coarse.heat_currents["hot"] / exact - 1) > 2e-3
