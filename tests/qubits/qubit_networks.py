"""Qubit networks shared by the tests in tests/qubits (plain functions, no fixtures).

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network.
"""

from __future__ import annotations

from qheatnet import Bath, Coupling, Flat, Network, Node, Ohmic


def chain(n, *, eps=0.05, rate=0.01, slope=0.1, t_hot=2.0, t_cold=1.0, spectrum=None):
    """The issue-4 chain: ω_i = 1 + slope·i, swap eps, hot bath on the first qubit, cold on the last."""
    spec = spectrum or Flat(rate)
    nodes = [Node(f"q{i}", "qubit", 1.0 + slope * i) for i in range(n)]
    couplings = [Coupling((f"q{i}", f"q{i + 1}"), eps) for i in range(n - 1)]
    baths = [Bath("hot", "q0", t_hot, spec), Bath("cold", f"q{n - 1}", t_cold, spec)]
    return Network(nodes, couplings, baths)


def star():
    """Three qubits around a hub with a bath on the hub and one on a leaf (not a chain with end baths)."""
    nodes = [Node("hub", "qubit", 1.2), Node("a", "qubit", 1.0), Node("b", "qubit", 0.9), Node("c", "qubit", 1.4)]
    couplings = [Coupling(("hub", x), e) for x, e in (("a", 0.04), ("b", 0.06), ("c", 0.05))]
    baths = [
        Bath("hot", "a", 2.5, Ohmic(0.02, 5.0)),
        Bath("cold", "hub", 0.8, Flat(0.01)),
        Bath("warm", "c", 1.5, Flat(0.005)),
    ]
    return Network(nodes, couplings, baths)


def strong_chain(eps=2**0.5, mid_bath=True):
    """Three qubits ω = 1 with ε = √2: single-particle energies −1, 1, 3 (one negative).

    With baths on the end sites only, the Davies steady state is not unique
    (the generator has a two-dimensional kernel); a third bath on the middle
    site makes it unique.
    """
    nodes = [Node(f"s{i}", "qubit", 1.0) for i in range(3)]
    couplings = [Coupling(("s0", "s1"), eps), Coupling(("s1", "s2"), eps)]
    baths = [Bath("hot", "s0", 2.0, Flat(0.01)), Bath("cold", "s2", 1.0, Flat(0.01))]
    if mid_bath:
        baths.append(Bath("mid", "s1", 1.5, Flat(0.01)))
    return Network(nodes, couplings, baths)
