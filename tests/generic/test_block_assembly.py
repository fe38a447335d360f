"""The vectorised block Liouvillian against a dense np.kron reference; the iterative path's checks."""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node
from qheatnet.engines.fock import build_generator
from qheatnet.errors import ConvergenceError
from qheatnet.solvers import linear


def _dense_liouvillian(h, terms):
    """𝓛 = −i I⊗H_eff + i H̄_eff⊗I + Σ r J̄⊗J (column stacking), written out densely."""
    d = h.shape[0]
    eye = np.eye(d)
    m = sum(r * (j.conj().T @ j) for r, j in terms)
    heff = h - 0.5j * m
    out = -1j * np.kron(eye, heff) + 1j * np.kron(heff.conj(), eye)
    for r, j in terms:
        out = out + r * np.kron(j.conj(), j)
    return out


def _network(rng, kinds, n_baths):
    nodes = [Node(f"n{i}", k, float(rng.uniform(0.8, 1.6))) for i, k in enumerate(kinds)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), float(rng.uniform(0.02, 0.2))) for i in range(len(kinds) - 1)]
    baths = [
        Bath(f"b{k}", f"n{k % len(kinds)}", float(rng.uniform(0.3, 2.0)), Flat(float(rng.uniform(0.005, 0.05))))
        for k in range(n_baths)
    ]
    return Network(nodes=nodes, couplings=cps, baths=baths)


CASES = [
    (("qubit", "qubit", "qubit"), 2, None),
    (("qubit", "qubit", "qubit", "qubit"), 3, None),
    (("oscillator", "oscillator"), 2, 5),
    (("oscillator", "qubit", "oscillator"), 2, 4),
    (("qubit", "oscillator", "qubit"), 3, 3),
]


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("kinds,n_baths,cutoff", CASES)
def test_block_liouvillian_matches_dense_kron(kinds, n_baths, cutoff, approach):
    rng = np.random.default_rng(abs(hash((kinds, n_baths, approach))) % 2**32)
    gen = build_generator(_network(rng, kinds, n_baths), approach, cutoff)
    h = gen.hamiltonian.toarray()
    terms = [(t.rate, t.op.toarray()) for t in gen.all_terms()]
    ref = _dense_liouvillian(h, terms)
    bl = gen.block_liouvillian()
    a, b = bl.layout.grid()
    d = h.shape[0]
    idx = a + b * d  # position of ρ_ab in the full column-stacked vector
    got = bl.matrix().toarray()
    scale = np.max(np.abs(ref))
    assert np.max(np.abs(got - ref[np.ix_(idx, idx)])) <= 1e-13 * scale
    # the blocks are closed: 𝓛 maps them into themselves
    others = np.setdiff1d(np.arange(d * d), idx)
    assert np.max(np.abs(ref[np.ix_(others, idx)]), initial=0.0) <= 1e-13 * scale
    # the Hermitian real parametrisation acts like 𝓛 on Hermitian states
    x = rng.standard_normal((d, d)) + 1j * rng.standard_normal((d, d))
    rho = bl.layout.to_dense(bl.layout.to_vector(x + x.conj().T))
    y = bl.complex_to_real(bl.layout.to_vector(rho))
    lr = bl.real_matrix() @ y
    lx = got @ bl.layout.to_vector(rho)
    assert np.max(np.abs(lr - bl.complex_to_real(lx))) <= 1e-12 * scale * np.max(np.abs(rho))


@pytest.mark.parametrize("approach", ["local", "global"])
def test_iterative_agrees_with_direct(approach):
    rng = np.random.default_rng(3)
    gen = build_generator(_network(rng, ("qubit",) * 5, 2), approach, None)
    bl = gen.block_liouvillian()
    xd, rd, _, info_d = linear.solve_steady_state(bl, 1e-9, "direct")
    xi, ri, cond, info_i = linear.solve_steady_state(bl, 1e-9, "iterative")
    assert info_d["method"] == "direct" and info_i["method"] == "iterative"
    assert info_i["iterations"] > 0 and ri <= 1e-9 and np.isnan(cond)
    assert np.max(np.abs(xi - xd)) <= 1e-9 * np.max(np.abs(xd))


def test_iterative_refuses_when_it_does_not_converge():
    rng = np.random.default_rng(4)
    gen = build_generator(_network(rng, ("qubit",) * 5, 2), "local", None)
    bl = gen.block_liouvillian()
    with pytest.raises(ConvergenceError, match="did not converge"):
        linear.iterative_solve(bl, 1e-9, maxiter=1, restart=2)


def test_iterative_refuses_non_unique_state():
    # two equal qubits coupled to one bath-free equal qubit each side: a dark state, kernel of dimension > 1
    nodes = [Node(f"q{i}", "qubit", 1.0) for i in range(3)]
    cps = [Coupling(("q0", "q1"), 0.05), Coupling(("q0", "q2"), 0.05)]
    net = Network(nodes=nodes, couplings=cps, baths=[Bath("hot", "q0", 2.0, Flat(0.01))])
    bl = build_generator(net, "local", None).block_liouvillian()
    with pytest.raises(ConvergenceError):
        linear.solve_steady_state(bl, 1e-9, "direct")
    with pytest.raises(ConvergenceError):
        linear.solve_steady_state(bl, 1e-9, "iterative")
