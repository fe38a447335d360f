"""Small networks for the HEOM tests (λ in QuTiP's convention: κ = 4λ/γ, ω_c = γ)."""

from __future__ import annotations

from qheatnet import Bath, Coupling, DrudeLorentz, Network, Node


def dl(lam: float, gamma: float = 2.0) -> DrudeLorentz:
    return DrudeLorentz(4.0 * lam / gamma, gamma)


def pair(omega_b: float, eps: float, lam: float, t_h: float = 2.02, t_c: float = 1.98, gamma: float = 2.0):
    """Two qubits A (ω = 1, hot bath) and B (ω_B, cold bath): the Kato & Tanimura (2015) set-up."""
    return Network.two_node("qubit", 1.0, omega_b, eps, t_h, t_c, dl(lam, gamma))


def chain(n: int, lam: float = 0.05, eps: float = 0.1, temps=(2.02, 1.98), all_baths: bool = False):
    """n qubits ω_i = 1 + 0.05 i in a swap chain; baths on the end sites (or on every site)."""
    nodes = [Node(f"q{i}", "qubit", 1.0 + 0.05 * i) for i in range(n)]
    cps = [Coupling((f"q{i}", f"q{i + 1}"), eps) for i in range(n - 1)]
    if all_baths:
        ts = [temps[0] + (temps[1] - temps[0]) * i / (n - 1) for i in range(n)]
        baths = [Bath(f"b{i}", f"q{i}", t, dl(lam)) for i, t in enumerate(ts)]
    else:
        baths = [Bath("hot", "q0", temps[0], dl(lam)), Bath("cold", f"q{n - 1}", temps[1], dl(lam))]
    return Network(nodes, cps, baths)


def shared_node(lam: float = 0.03):
    """Two qubits; node A has two baths (hot and warm), node B one (cold)."""
    nodes = [Node("A", "qubit", 1.0), Node("B", "qubit", 0.9)]
    baths = [Bath("hot", "A", 2.5, dl(lam)), Bath("warm", "A", 1.5, dl(lam, 3.0)), Bath("cold", "B", 1.0, dl(lam))]
    return Network(nodes, [Coupling(("A", "B"), 0.1)], baths)
