"""Network files (TOML, DESIGN.md) and the Python model: loading, round trips, queries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qheatnet import Bath, Coupling, DrudeLorentz, Flat, Network, Node, Ohmic, Phonon3D
from qheatnet.io.network_file import dumps_network, load_network, loads_network

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


def test_examples_exist():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files_load_and_round_trip(path):
    net = load_network(path)
    assert net.baths, "every example needs a bath"
    text = dumps_network(net)
    assert loads_network(text) == net
    assert Network.from_dict(net.to_dict()) == net


def test_round_trip_of_a_mixed_network_with_every_spectrum():
    net = Network(
        nodes=[Node("left", "oscillator", 1.0), Node("mid", "qubit", 0.9), Node("right", "oscillator", 0.75)],
        couplings=[Coupling(("left", "mid"), 0.02), Coupling(("mid", "right"), -0.015)],
        baths=[
            Bath("hot", "left", 0.3, Flat(0.01)),
            Bath("phonons", "mid", 0.0, Phonon3D(1e-7)),
            Bath("ohmic", "right", 0.2, Ohmic(0.01, 3.0)),
            Bath("dl", "right", 1e-3, DrudeLorentz(0.02, 0.5)),
        ],
    )
    text = dumps_network(net)
    assert "[[nodes]]" in text and "[[couplings]]" in text and "[[baths]]" in text
    back = loads_network(text)
    assert back == net
    # floats survive exactly (repr round trip)
    assert back.baths[2].spectrum.cutoff == 3.0
    assert back.couplings[1].strength == -0.015


def test_toml_file_as_in_design(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        """
title = "two oscillators"
[[nodes]]
name = "A"
kind = "oscillator"
frequency = 10
[[nodes]]
name = "B"
kind = "oscillator"
frequency = 5.0
[[couplings]]
nodes = ["A", "B"]
strength = 1e-3
[[baths]]
name = "hot"
node = "A"
temperature = 12
spectrum = { kind = "phonon3d", kappa = 1e-7 }
[[baths]]
name = "cold"
node = "B"
temperature = 10.0
spectrum = { kind = "phonon3d", kappa = 1e-7 }
""",
        encoding="utf-8",
    )
    net = load_network(path)
    assert net == Network.two_node("oscillator", 10.0, 5.0, 1e-3, 12.0, 10.0, Phonon3D(1e-7))
    assert isinstance(net.nodes[0].frequency, float)  # integers are accepted and stored as floats


def test_network_queries():
    net = Network.two_node("qubit", 1.0, 0.8, 0.05, 0.5, 0.3, Flat(0.01))
    assert net.node_index("B") == 1
    assert net.kinds == ("qubit", "qubit")
    np.testing.assert_array_equal(net.single_particle_matrix(), [[1.0, 0.05], [0.05, 0.8]])
    assert net.components() == [[0, 1]]
    assert [b.name for b in net.baths] == ["hot", "cold"]
    cut = net.replace(couplings=[Coupling(("A", "B"), 0.0)])
    assert sorted(cut.components()) == [[0], [1]]
