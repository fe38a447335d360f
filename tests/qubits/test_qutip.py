"""qheatnet against QuTiP (the yardstick of issue 4); skipped when QuTiP is not installed.

Conventions: ħ = k_B = 1; J_α = Tr[H 𝓛_α(ρ)] > 0 when energy flows from bath α
into the network. Two kinds of comparison:

* independent: the network is written by hand with QuTiP operators
  (``destroy``, ``tensor``) and solved with ``qutip.steadystate`` — local
  with Lindblad collapse operators, global with QuTiP's own secular
  Bloch–Redfield tensor (which for a secular cut-off below every distinct Bohr
  gap is the Davies generator, without Lamb shift like qheatnet's);
* export: qheatnet's own H, jump operators and Liouvillian as Qobj, solved by
  ``qutip.steadystate``, on networks that exercise every engine (free
  fermions, rate equation, generic fallback in the full space).

Tolerance 1e-9 relative to the largest current: both are direct solves of the
same problem, observed agreement 1e-12 – 1e-16.
"""

from __future__ import annotations

import numpy as np
import pytest
from qubit_networks import chain, star, strong_chain

from qheatnet import Flat, solve
from qheatnet.errors import ValidationError

qutip = pytest.importorskip("qutip")

from qheatnet.interop.qutip import (  # noqa: E402
    heat_currents,
    network_from_qutip,
    state_to_qutip,
    to_qutip,
)


def _close(a, b, rtol=1e-9):
    scale = max(abs(v) for v in b.values())
    assert set(a) == set(b)
    for k in b:
        assert abs(a[k] - b[k]) <= rtol * scale, (k, a[k], b[k])


def _hand_built_chain(n, eps=0.05):
    """H and node lowering operators of ``chain(n)`` written with QuTiP's tensor products."""
    lows = [qutip.tensor([qutip.destroy(2) if k == i else qutip.qeye(2) for k in range(n)]) for i in range(n)]
    h = sum((1.0 + 0.1 * i) * lows[i].dag() * lows[i] for i in range(n))
    for i in range(n - 1):
        h = h + eps * (lows[i].dag() * lows[i + 1] + lows[i + 1].dag() * lows[i])
    return h, lows


def _flat_davies_spectrum(rate, temperature):
    # QuTiP's Bloch–Redfield convention: S(ω > 0) = emission (the system loses ω)
    return lambda w: rate * (w >= 0) + rate * np.exp(-abs(w) / temperature) * (w < 0)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_local_chain_against_hand_built_qutip(n):
    h, lows = _hand_built_chain(n)
    c_ops = {"hot": [], "cold": []}
    for name, i, temp in (("hot", 0, 2.0), ("cold", n - 1, 1.0)):
        w = 1.0 + 0.1 * i
        c_ops[name] = [np.sqrt(0.01) * lows[i], np.sqrt(0.01 * np.exp(-w / temp)) * lows[i].dag()]
    rho = qutip.steadystate(h, c_ops["hot"] + c_ops["cold"])
    res = solve(chain(n), "local")
    assert res.engine == "free-fermion"
    ref = {}
    for name, ops in c_ops.items():
        d = sum(c * rho * c.dag() - 0.5 * (c.dag() * c * rho + rho * c.dag() * c) for c in ops)
        ref[name] = float(np.real((h * d).tr()))
    _close(res.heat_currents, ref)
    for i in range(n):
        assert res.populations[f"q{i}"] == pytest.approx(qutip.expect(lows[i].dag() * lows[i], rho), abs=1e-12)


@pytest.mark.parametrize("n", [2, 3])
def test_global_chain_against_qutip_bloch_redfield(n):
    """N ≤ 3 only: at N = 4 the chain has exactly degenerate levels, and QuTiP 5.3's secular
    Bloch–Redfield tensor then differs from the textbook Davies generator by 7e-3 (rates 1e-2);
    qheatnet agrees with the textbook generator there (``test_global_degenerate_against_reference``)."""
    h, lows = _hand_built_chain(n)
    a_ops = [
        [lows[0] + lows[0].dag(), _flat_davies_spectrum(0.01, 2.0)],
        [lows[n - 1] + lows[n - 1].dag(), _flat_davies_spectrum(0.01, 1.0)],
    ]
    # secular cut-off far below the smallest distinct Bohr gap (measured ≥ 1e-3 here), far above round-off
    r = qutip.bloch_redfield_tensor(h, a_ops=a_ops, sec_cutoff=1e-7, fock_basis=True)
    rho = qutip.steadystate(r)
    res = solve(chain(n), "global")
    assert res.engine == "rate-equation" and res.solver["path"] == "rate equation (eigenbasis)"
    model = to_qutip(chain(n), "global")
    assert np.max(np.abs((state_to_qutip(res, model) - rho).full())) < 1e-12
    ref = {}
    for name, a_op in zip(("hot", "cold"), a_ops):
        r_alpha = qutip.bloch_redfield_tensor(h, a_ops=[a_op], sec_cutoff=1e-7, fock_basis=True)
        ref[name] = float(np.real((h * qutip.vector_to_operator(r_alpha * qutip.operator_to_vector(rho))).tr()))
    _close(res.heat_currents, ref)


NETWORKS = {
    "chain4": chain(4),
    "star": star(),
    "strong": strong_chain(),
}


@pytest.mark.parametrize("name", NETWORKS)
@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("bookkeeping", ["full", "bare"])
def test_exported_model_steadystate_matches(name, approach, bookkeeping):
    net = NETWORKS[name]
    model = to_qutip(net, approach)
    assert model.hamiltonian.dims == [[2] * len(net.nodes), [2] * len(net.nodes)]
    rho = qutip.steadystate(model.hamiltonian, model.all_c_ops())
    res = solve(net, approach, bookkeeping=bookkeeping)
    _close(res.heat_currents, heat_currents(model, rho, bookkeeping))
    for i, node in enumerate(net.nodes):
        n_i = qutip.tensor([qutip.num(2) if k == i else qutip.qeye(2) for k in range(len(net.nodes))])
        assert res.populations[node.name] == pytest.approx(qutip.expect(n_i, rho), abs=1e-12)
    if res.rho is not None:
        ours = state_to_qutip(res, model)
        assert np.max(np.abs((ours - rho).full())) < 1e-12
        # and it is a steady state of the exported Liouvillian
        assert (model.liouvillian() * qutip.operator_to_vector(ours)).norm() < 1e-12


def test_export_needs_cutoff_for_oscillators():
    from qheatnet import Network

    net = Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    with pytest.raises(ValidationError, match="cutoff"):
        to_qutip(net, "local")
    model = to_qutip(net, "local", cutoff=6)
    assert model.hamiltonian.dims == [[28], [28]]
    rho = qutip.steadystate(model.hamiltonian, model.all_c_ops())
    res = solve(net, "local", engine="fock", cutoff=6)
    _close(res.heat_currents, heat_currents(model, rho))


def test_import_hamiltonian_roundtrip_and_refusals():
    net = star()
    model = to_qutip(net, "local")
    back = network_from_qutip(model.hamiltonian, net.baths, names=[n.name for n in net.nodes])
    assert back.to_dict()["nodes"] == net.to_dict()["nodes"]
    assert {c.nodes: c.strength for c in back.couplings} == pytest.approx({c.nodes: c.strength for c in net.couplings})
    assert solve(back, "local").heat_currents == pytest.approx(solve(net, "local").heat_currents, rel=1e-12)
    # an oscillator factor (d = 4) is read as an oscillator truncated at 3 quanta
    h2 = 1.0 * qutip.tensor(qutip.num(4), qutip.qeye(2)) + 0.7 * qutip.tensor(qutip.qeye(4), qutip.num(2))
    assert network_from_qutip(h2).kinds == ("oscillator", "qubit")
    x = qutip.tensor(qutip.sigmax(), qutip.qeye(2))
    with pytest.raises(ValidationError, match="swap form"):
        network_from_qutip(to_qutip(chain(2), "local").hamiltonian + x)
    with pytest.raises(ValidationError, match="offset"):
        network_from_qutip(to_qutip(chain(2), "local").hamiltonian + 0.3)
    with pytest.raises(ValidationError, match="Qobj"):
        network_from_qutip(np.eye(4))
    with pytest.raises(ValidationError, match="names"):
        network_from_qutip(to_qutip(chain(2), "local").hamiltonian, names=["a"])


def test_global_degenerate_against_reference():
    """N = 4: ε_1 + ε_4 = ε_2 + ε_3 exactly, so two q = 2 levels are degenerate. The dense textbook
    Davies generator (reference.py, arbitrary eigenbasis, Bohr frequencies grouped) is the oracle."""
    from reference import davies_generator
    from reference import steady_state as dense_steady_state

    n = 4
    h, lows = _hand_built_chain(n)
    gen = davies_generator(
        h.full(),
        [
            ((lows[0] + lows[0].dag()).full(), _flat_davies_spectrum(0.01, 2.0)),
            ((lows[n - 1] + lows[n - 1].dag()).full(), _flat_davies_spectrum(0.01, 1.0)),
        ],
    )
    rho = dense_steady_state(gen)
    res = solve(chain(n), "global")
    assert res.solver["path"] == "rate equation (eigenbasis)" and res.solver["degenerate_level_pairs"] >= 1
    model = to_qutip(chain(n), "global")
    assert np.max(np.abs(state_to_qutip(res, model).full() - rho)) < 1e-12
    assert np.max(np.abs(model.liouvillian().full() - gen)) < 1e-12
