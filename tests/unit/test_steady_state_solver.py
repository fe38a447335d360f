"""The sparse steady-state solver refuses what is not a unique steady state.

Found by the property tests: three resonant qubits in a star (q0 coupled to
q1 and q2, all at ω = 1) with the only bath on the centre q0 have a dark
mode (ε₂|q1⟩ − ε₁|q2⟩ has no weight on q0), so the kernel of 𝓛 is more than
one-dimensional. The factorisation then returned a trace-one kernel vector
with residual ~1e-17 that was not a density matrix (lowest eigenvalue
−10.8), and ``solve`` reported it as the steady state.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, ConvergenceError, Coupling, Flat, Network, Node, solve


def _star(e1, e2, rate, temperature, bath_node="q0"):
    return Network(
        nodes=[Node("q0", "qubit", 1.0), Node("q1", "qubit", 1.0), Node("q2", "qubit", 1.0)],
        couplings=[Coupling(("q0", "q1"), e1), Coupling(("q0", "q2"), e2)],
        baths=[Bath("b0", bath_node, temperature, Flat(rate))],
    )


@pytest.mark.parametrize(
    ("e1", "e2", "rate", "temperature"),
    [(0.001, 0.001, 0.015625, 0.05078125), (0.001, 0.001, 0.015625, 0.0), (0.001, 0.001, 0.0625, 1.0)],
)
def test_dark_state_is_not_returned_as_a_negative_density_matrix(e1, e2, rate, temperature):
    """Either a ConvergenceError, or (if a kernel vector happens to be positive) a valid density matrix."""
    try:
        res = solve(_star(e1, e2, rate, temperature), "local", engine="fock")
    except ConvergenceError as exc:
        assert "not unique" in str(exc)
        return
    assert np.linalg.eigvalsh(res.rho).min() >= -1e-6


def test_bath_on_a_leaf_sees_every_mode_and_the_state_is_unique():
    """Same star with the bath on q1: the dark mode has weight on q1, so the steady state is unique."""
    res = solve(_star(0.05, 0.03, 0.02, 0.5, bath_node="q1"), "local", engine="fock")
    n = 1 / (np.exp(1 / 0.5) + 1)
    for name in ("q0", "q1", "q2"):
        assert res.populations[name] == pytest.approx(n, rel=1e-9)  # one bath: Gibbs of the nodes


def test_dark_state_is_always_refused():
    """A dark normal mode (kernel of dimension 2): once an xfail (a positive, round-off-dependent output slipped
    through); the condition estimate of the trace-constrained generator now refuses it whatever the output."""
    with pytest.raises(ConvergenceError, match="not unique"):
        solve(_star(0.001, 0.001, 0.001, 1.0), "local", engine="fock")
