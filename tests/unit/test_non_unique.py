"""Non-unique steady states are refused by every engine, never returned as one arbitrary answer.

Regression tests for the hardening issue's second silent wrong number: four ω = 1 qubits in a star (hot
bath on the centre, cold on one leaf, ε = 0.05, flat 1e-3) have a 2-dimensional Liouvillian kernel (the
two free leaves can be swapped); the rate-equation engine used to return one arbitrary current (another
valid steady state carries 60 % more). The same for a qubit chain whose baths both sit on the middle node.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, ConvergenceError, Coupling, Flat, Network, Node, solve


def _star():
    return Network(
        nodes=[Node("c", "qubit", 1.0)] + [Node(f"l{i}", "qubit", 1.0) for i in range(3)],
        couplings=[Coupling(("c", f"l{i}"), 0.05) for i in range(3)],
        baths=[Bath("hot", "c", 2.0, Flat(1e-3)), Bath("cold", "l0", 1.0, Flat(1e-3))],
    )


def _middle_baths():
    return Network(
        nodes=[Node(f"q{i}", "qubit", 1.0) for i in range(3)],
        couplings=[Coupling(("q0", "q1"), 0.05), Coupling(("q1", "q2"), 0.05)],
        baths=[Bath("hot", "q1", 2.0, Flat(1e-3)), Bath("cold", "q1", 1.0, Flat(1e-3))],
    )


def _kernel_dimension(net, approach):
    """Dimension of the Liouvillian's kernel from a dense eigen-decomposition (independent reference)."""
    from qheatnet import build_master_equation

    me = build_master_equation(net, approach)
    h = me.hamiltonian.toarray()
    d = h.shape[0]
    eye = np.eye(d)
    lmat = -1j * (np.kron(eye, h) - np.kron(h.T, eye))
    for t in me.all_terms():
        j = t.op.toarray()
        jj = j.conj().T @ j
        lmat += t.rate * (np.kron(j.conj(), j) - 0.5 * np.kron(eye, jj) - 0.5 * np.kron(jj.T, eye))
    ev = np.linalg.eigvals(lmat)
    return int(np.sum(np.abs(ev) < 1e-10 * np.max(np.abs(ev))))


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("make", [_star, _middle_baths], ids=["symmetric-star", "baths-on-the-middle-node"])
@pytest.mark.parametrize("engine", ["auto", "fock"])
def test_non_unique_steady_state_is_refused(make, approach, engine):
    net = make()
    assert _kernel_dimension(net, approach) >= 2  # the premise: the steady state really is not unique
    with pytest.raises(ConvergenceError, match="not unique"):
        solve(net, approach, engine=engine)


def test_rate_equation_refuses_a_reducible_pauli_chain():
    """The middle-node chain under the global approach: the rate equation itself (forced) refuses."""
    with pytest.raises(ConvergenceError, match="not unique"):
        solve(_middle_baths(), "global", engine="rate-equation")
