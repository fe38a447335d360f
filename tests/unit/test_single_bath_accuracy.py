"""Local single-bath steady states of nearly decoupled modes: right, or flagged (hardening issue, item 4).

With one bath on node b, the local steady state is ⊗_i e^{−(ω_b/T) n_i}/z exactly (every node at the
bath's occupation, whatever its own frequency), so every population is known. A five-oscillator chain
whose far nodes are weakly and detunedly coupled has a mode relaxing at 1.5e-13 (7e-10 of the bath rate):
the dense eigen-decomposition resolves that rate only to ε‖Z‖ ≈ 7e-16 and used to put populations 7e-6
off, unflagged (found by a random scan of 400 networks). Now "auto" takes the normal-mode path there
(accurate to 1e-15), and an explicit method="dense" carries SLOW_NORMAL_MODE.
"""

from __future__ import annotations

import numpy as np

from qheatnet import Bath, Coupling, Flat, Network, Node, solve

W = [2.14460708, 2.00560146, 0.77979551, 2.55420188, 2.04883953]
EPS = [0.06217224, 0.05433781, 0.05335754, 0.00137305]
T, RATE = 2.3781767243133305, 0.00020178731183098227


def _net():
    return Network(
        nodes=[Node(f"n{i}", "oscillator", w) for i, w in enumerate(W)],
        couplings=[Coupling((f"n{i}", f"n{i + 1}"), e) for i, e in enumerate(EPS)],
        baths=[Bath("b", "n0", T, Flat(RATE))],
    )


def test_nearly_decoupled_modes_are_right_by_default():
    expected = 1 / np.expm1(W[0] / T)
    res = solve(_net(), "local")
    assert res.solver["method"] == "modes"
    for name, n in res.populations.items():
        assert abs(n / expected - 1) < 1e-12, name


def test_explicit_dense_method_is_flagged_where_it_is_not_resolved():
    expected = 1 / np.expm1(W[0] / T)
    res = solve(_net(), "local", method="dense")
    worst = max(abs(n / expected - 1) for n in res.populations.values())
    assert worst > 1e-7  # the dense route really is off here ...
    assert "SLOW_NORMAL_MODE" in [str(d.code) for d in res.diagnostics]  # ... and says so
