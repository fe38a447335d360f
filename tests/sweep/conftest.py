"""Shared fixtures of the sweep tests: small networks whose points solve in milliseconds."""

from __future__ import annotations

import pytest

from qheatnet import Flat, Network, Phonon3D


@pytest.fixture
def qubits():
    """Two detuned qubits with flat baths (examples/two-qubits.toml)."""
    return Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))


@pytest.fixture
def oscillators():
    """Two cold oscillators, flat baths: the Gaussian / Fock engines converge fast."""
    return Network.two_node("oscillator", 1.0, 0.8, 0.05, 0.5, 0.3, Flat(0.01))


@pytest.fixture
def paper():
    """Levy & Kosloff (2014) Fig. 2 parameters: T_c = 10, ω_c = 5, ε = 1e-4, κ = 1e-7."""
    return Network.two_node("oscillator", 10.0, 5.0, 1e-4, 12.0, 10.0, Phonon3D(1e-7))
