"""Networks of the compare tests, and the deviation written out independently of qheatnet.api.compare."""

from __future__ import annotations

import numpy as np

from qheatnet import Bath, Coupling, DrudeLorentz, Network, Node


def hofer(omega_a: float, eps: float, kappa: float = 1e-3) -> Network:
    """Hofer et al., NJP 19, 123037 (2017): two oscillators, Drude–Lorentz baths (cut-off 10), T = 2 | 1."""
    return Network.two_node("oscillator", omega_a, 1.0, eps, 2.0, 1.0, DrudeLorentz(kappa, 10.0))


def qubits(omega_b: float, eps: float, lam: float = 0.005) -> Network:
    """Kato & Tanimura (2015): two qubits, Drude–Lorentz baths in QuTiP's λ (κ = 4λ/γ, γ = 2), T = 2.02 | 1.98."""
    return Network.two_node("qubit", 1.0, omega_b, eps, 2.02, 1.98, DrudeLorentz(4 * lam / 2.0, 2.0))


def mixed_chain(eps: float, kappa: float, detune: float = 0.0, middle_bath: bool = False) -> Network:
    """Three oscillators: A and B nearly resonant (1, 1 + detune), C detuned (1.2); baths on A and C (and B)."""
    s = DrudeLorentz(kappa, 10.0)
    nodes = [Node("A", "oscillator", 1.0), Node("B", "oscillator", 1.0 + detune), Node("C", "oscillator", 1.2)]
    baths = [Bath("hot", "A", 2.0, s), Bath("cold", "C", 1.0, s)]
    if middle_bath:
        baths.append(Bath("mid", "B", 1.5, s))
    return Network(nodes, [Coupling(("A", "B"), eps), Coupling(("B", "C"), eps)], baths)


def deviation(currents: dict, reference: dict) -> float:
    """max_α |J_α − J_α,ref| / max_α |J_α,ref| (the documented definition, written here from scratch)."""
    names = list(reference)
    num = max(abs(currents[b] - reference[b]) for b in names)
    return num / max(abs(reference[b]) for b in names)


def as_array(currents: dict, names) -> np.ndarray:
    return np.array([currents[b] for b in names])
