"""The O(N) ground-state test of chains (LDLᵀ of the tridiagonal h) against dense eigenvalues written here.

:func:`qheatnet.physics.davies.lowest_oscillator_mode` returns None when h (restricted to the oscillator
nodes) is positive definite and its lowest eigenvalue otherwise; for chains it reads the bands of h
from the couplings (:func:`~qheatnet.physics.davies.chain_bands`) instead of forming h and factorising
it densely. The reference is ``numpy.linalg.eigvalsh`` of h built here from the network.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node
from qheatnet.physics.davies import chain_bands, lowest_oscillator_mode


def dense_lowest(net):
    osc = [i for i, nd in enumerate(net.nodes) if nd.kind == "oscillator"]
    idx = {nd.name: i for i, nd in enumerate(net.nodes)}
    h = np.diag([nd.frequency for nd in net.nodes]).astype(float)
    for c in net.couplings:
        i, j = idx[c.nodes[0]], idx[c.nodes[1]]
        h[i, j] += c.strength
        h[j, i] += c.strength
    return float(np.linalg.eigvalsh(h[np.ix_(osc, osc)])[0])


def make(kinds, freqs, edges):
    nodes = [Node(f"n{i}", k, float(w)) for i, (k, w) in enumerate(zip(kinds, freqs))]
    cps = [Coupling((f"n{i}", f"n{j}"), float(e)) for i, j, e in edges]
    return Network(nodes=nodes, couplings=cps, baths=[Bath("b", "n0", 1.0, Flat(0.01))])


@pytest.mark.parametrize("seed", range(12))
def test_random_chains_agree_with_dense_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    freqs = rng.uniform(0.6, 1.4, n)
    # couplings around the critical size so that about half of the chains have no ground state
    scale = rng.uniform(0.15, 0.6)
    edges = [(i, i + 1, scale * rng.choice([-1, 1]) * rng.uniform(0.8, 1.2)) for i in range(n - 1)]
    net = make(["oscillator"] * n, freqs, edges)
    assert chain_bands(net) is not None
    ref = dense_lowest(net)
    got = lowest_oscillator_mode(net)
    if ref > 1e-9:
        assert got is None, (seed, ref)
    elif ref < -1e-9:
        assert got is not None and abs(got - ref) <= 1e-12 * max(1.0, abs(ref)), (seed, got, ref)


def test_bands_follow_the_node_order():
    net = make(["oscillator"] * 4, [1.0, 1.1, 1.2, 1.3], [(1, 0, 0.1), (1, 2, 0.2), (2, 3, 0.3)])
    d, e = chain_bands(net)
    assert np.array_equal(d, [1.0, 1.1, 1.2, 1.3]) and np.array_equal(e, [0.1, 0.2, 0.3])
    ring = make(["oscillator"] * 4, [1.0] * 4, [(0, 1, 0.1), (1, 2, 0.1), (2, 3, 0.1), (3, 0, 0.1)])
    shuffled = make(["oscillator"] * 4, [1.0] * 4, [(0, 2, 0.1), (2, 1, 0.1), (1, 3, 0.1)])  # a path, not in order
    assert chain_bands(ring) is None and chain_bands(shuffled) is None


@pytest.mark.parametrize("eps", [0.3, 0.6, 0.9])
def test_non_chains_and_mixed_networks_agree_with_dense_eigenvalues(eps):
    shuffled = make(["oscillator"] * 5, [1.0, 0.9, 1.1, 1.0, 0.8], [(0, 2, eps), (2, 1, eps), (1, 4, eps), (4, 3, eps)])
    # a qubit between oscillators: the oscillator block (n0, n2, n3) is a chain in its own order
    mixed = make(
        ["oscillator", "qubit", "oscillator", "oscillator"],
        [0.7, 1.0, 0.8, 0.9],
        [(0, 1, 0.05), (1, 2, 0.05), (0, 2, eps), (2, 3, eps)],
    )
    assert chain_bands(mixed, [0, 2, 3]) is not None
    for net in (shuffled, mixed):
        ref = dense_lowest(net)
        got = lowest_oscillator_mode(net)
        if ref > 0:
            assert got is None
        else:
            assert got is not None and abs(got - ref) <= 1e-12
