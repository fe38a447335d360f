"""Coupling kinds, network builders and the network file: every validation path names its field.

Conventions: ħ = k_B = 1. Formulas of the kinds in qheatnet.model.network.
"""

from __future__ import annotations

import pytest

from qheatnet import Flat, Network
from qheatnet.errors import ValidationError
from qheatnet.io.network_file import dumps_network, loads_network
from qheatnet.model.network import Bath, Coupling, Node

FLAT = {"kind": "flat", "rate": 0.01}


def _net(couplings, kinds=("qubit", "qubit", "qubit")):
    return Network(
        nodes=tuple(Node(n, k, 1.0 + 0.5 * i) for i, (n, k) in enumerate(zip("ABC", kinds))),
        couplings=tuple(couplings),
    )


def test_swap_stays_the_default_and_old_calls_work():
    c = Coupling(("A", "B"), 0.1)
    assert (c.kind, c.operators, c.label) == ("swap", None, "A-B")
    assert c.to_dict() == {"nodes": ["A", "B"], "strength": 0.1}  # old files are written unchanged
    net = Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    assert net.swap_only and net.conserves_excitation


@pytest.mark.parametrize(
    "args, field, text",
    [
        ((("A", "B"), 0.1, "foo"), "kind", "must be one of 'swap', 'dipole', 'density', 'product'"),
        ((("A", "B", "C"), 0.1, "dipole"), "nodes", "exactly two nodes"),
        ((("A",), 0.1, "product", ("a",)), "nodes", "at least two nodes"),
        ((("A", "A"), 0.1, "density"), "nodes", "cannot be coupled to itself"),
        ((("A", "B", "A"), 0.1, "product", ("a", "a", "a")), "nodes", "listed twice"),
        ((("A", "B"), 0.1, "product"), "operators", "one operator per node"),
        ((("A", "B"), 0.1, "product", ("a",)), "operators", "2 nodes, 1 operators"),
        ((("A", "B"), 0.1, "product", ("a", "sigma")), r"operators\[1\]", "must be one of a, adag, n, x"),
        ((("A", "B"), 0.1, "product", "aa"), "operators", "must be a list"),
        ((("A", "B"), 0.1, "swap", ("a", "a")), "operators", "only product couplings take operators"),
        ((("A", "B"), "x", "dipole"), "strength", "must be a number"),
        (("AB", 0.1), "nodes", "must be a list of node names"),
    ],
)
def test_coupling_validation_names_the_field(args, field, text):
    with pytest.raises(ValidationError, match=rf"^{field}: .*{text}"):
        Coupling(*args)


def test_network_level_coupling_checks():
    with pytest.raises(ValidationError, match=r"^couplings\[1\]\.nodes: duplicate dipole coupling"):
        _net([Coupling(("A", "B"), 0.1, "dipole"), Coupling(("B", "A"), 0.2, "dipole")])
    with pytest.raises(ValidationError, match=r"^couplings\[1\]\.nodes: duplicate product coupling"):
        _net([Coupling(("A", "B"), 0.1, "product", ("a", "n")), Coupling(("B", "A"), 0.1, "product", ("n", "a"))])
    with pytest.raises(ValidationError, match=r"^couplings\[0\]\.nodes: unknown node 'Z'"):
        _net([Coupling(("A", "Z"), 0.1, "density")])
    with pytest.raises(ValidationError, match=r"^couplings\[0\]\.strength: .*largest node frequency"):
        _net([Coupling(("A", "B", "C"), 1e6, "product", ("a", "adag", "a"))])
    # different kinds on one pair (XXZ bond) are fine, and a product may reuse a pair
    net = _net([Coupling(("A", "B"), 0.1), Coupling(("A", "B"), 0.05, "density"), Coupling(("B", "A"), 0.1, "dipole")])
    assert [c.label for c in net.couplings] == ["A-B", "A-B:density", "B-A:dipole"]


def test_excitation_structure_of_the_kinds():
    assert Coupling(("A", "B"), 1, "density").conserves_excitation
    assert Coupling(("A", "B", "C"), 1, "product", ("a", "adag", "n")).conserves_excitation
    assert not Coupling(("A", "B"), 1, "dipole").conserves_excitation
    assert Coupling(("A", "B"), 1, "dipole").excitation_changes() == {0, 2}
    assert Coupling(("A", "B", "C"), 1, "product", ("a", "adag", "a")).excitation_changes() == {1}
    assert Coupling(("A", "B"), 1, "product", ("x", "a")).excitation_changes() == {0, 2}
    f = {"c": 1.0, "r": 3.0, "h": 2.0}
    assert Coupling(("c", "r", "h"), 1, "product", ("a", "adag", "a")).detuning(f) == 0.0
    assert Coupling(("c", "h"), 1, "dipole").detuning(f) == 1.0


def test_coupling_kinds_from_toml_round_trip():
    text = """
[[nodes]]
name = "c"
kind = "qubit"
frequency = 1.0
[[nodes]]
name = "r"
kind = "qubit"
frequency = 3.0
[[nodes]]
name = "h"
kind = "oscillator"
frequency = 2.0
[[couplings]]
nodes = ["c", "r", "h"]
kind = "product"
operators = ["a", "adag", "x"]
strength = 0.01
[[couplings]]
nodes = ["c", "r"]
kind = "density"
strength = 0.02
[[couplings]]
nodes = ["r", "h"]
kind = "dipole"
strength = 0.03
[[couplings]]
nodes = ["c", "h"]
strength = 0.04
[[baths]]
name = "b"
node = "c"
temperature = 1.0
spectrum = { kind = "flat", rate = 0.01 }
"""
    net = loads_network(text)
    assert [c.kind for c in net.couplings] == ["product", "density", "dipole", "swap"]
    assert net.couplings[0].operators == ("a", "adag", "x")
    assert loads_network(dumps_network(net)) == net
    assert Network.from_dict(net.to_dict()) == net


@pytest.mark.parametrize(
    "snippet, field",
    [
        ('nodes = ["A", "B"]\nstrength = 0.1\nkind = "xy"', r"couplings\[0\]\.kind"),
        (
            'nodes = ["A", "B"]\nstrength = 0.1\nkind = "product"\noperators = ["a", "q"]',
            r"couplings\[0\]\.operators\[1\]",
        ),
        ('nodes = ["A", "B"]\nstrength = 0.1\nkind = "product"\noperators = ["a"]', r"couplings\[0\]\.operators"),
        ('nodes = ["A", "A"]\nstrength = 0.1\nkind = "dipole"', r"couplings\[0\]\.nodes"),
        (
            'nodes = ["A", "B", "A"]\nstrength = 0.1\nkind = "product"\noperators = ["a", "a", "a"]',
            r"couplings\[0\]\.nodes",
        ),
        ('nodes = ["A", "B"]\nstrength = 0.1\ncolour = "red"', r"couplings\[0\]\.colour"),
    ],
)
def test_bad_coupling_in_a_file_is_one_line_naming_the_field(snippet, field):
    text = (
        '[[nodes]]\nname = "A"\nkind = "qubit"\nfrequency = 1.0\n'
        '[[nodes]]\nname = "B"\nkind = "qubit"\nfrequency = 1.0\n'
        f"[[couplings]]\n{snippet}\n"
    )
    with pytest.raises(ValidationError, match=rf"^{field}: ") as exc:
        loads_network(text)
    assert "\n" not in str(exc.value)


def test_builders_chain_ring_star_lattice():
    f = Flat(0.01)
    chain = Network.chain(200, kind="oscillator", frequency=1.0, coupling=0.05)
    assert len(chain.nodes) == 200 and len(chain.couplings) == 199 and chain.couplings[0].label == "n0-n1"
    chain = chain.with_baths(("hot", 0, 2.0, f), ("cold", -1, 1.0, f))
    assert [b.node for b in chain.baths] == ["n0", "n199"]
    ring = Network.ring(5, kind="qubit", frequency=1.0, coupling=0.1, coupling_kind="dipole")
    assert len(ring.couplings) == 5 and ring.couplings[-1].nodes == ("n4", "n0")
    assert all(c.kind == "dipole" for c in ring.couplings)
    star = Network.star(4, kind="qubit", frequency=[2.0, 1.0, 1.1, 1.2], coupling=[0.1, 0.2, 0.3])
    assert [c.nodes for c in star.couplings] == [("n0", "n1"), ("n0", "n2"), ("n0", "n3")]
    assert [c.strength for c in star.couplings] == [0.1, 0.2, 0.3] and star.nodes[0].frequency == 2.0
    lat = Network.lattice(
        3, 4, kind="oscillator", frequency=1.0, coupling=0.02, overrides={"n1_2": {"frequency": 1.5, "kind": "qubit"}}
    )
    assert len(lat.nodes) == 12 and len(lat.couplings) == 3 * 3 + 2 * 4
    assert lat.nodes[lat.node_index("n1_2")] == Node("n1_2", "qubit", 1.5)
    torus = Network.lattice(3, 3, kind="qubit", frequency=1.0, coupling=0.1, periodic=True)
    assert len(torus.couplings) == 18
    with_baths = Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, baths=[Bath("x", "n1", 1.0, f)])
    assert with_baths.baths[0].node == "n1"


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: Network.chain(0, kind="qubit", frequency=1.0, coupling=0.1), "n"),
        (lambda: Network.ring(2, kind="qubit", frequency=1.0, coupling=0.1), "n"),
        (lambda: Network.chain(3, kind="spin", frequency=1.0, coupling=0.1), "kind"),
        (lambda: Network.chain(3, kind="qubit", frequency=[1.0, 2.0], coupling=0.1), "frequency"),
        (lambda: Network.chain(3, kind="qubit", frequency=-1.0, coupling=0.1), "frequency"),
        (lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=[0.1]), "coupling"),
        (lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, coupling_kind="product"), "coupling_kind"),
        (lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, overrides={"z": {}}), "overrides.z"),
        (
            lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, overrides={"n1": {"mass": 1}}),
            r"overrides\.n1\.mass",
        ),
        (
            lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, overrides={"n1": {"frequency": 0}}),
            r"overrides\.n1\.frequency",
        ),
        (lambda: Network.lattice(0, 3, kind="qubit", frequency=1.0, coupling=0.1), "rows"),
        (
            lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, baths=[("h", 7, 1.0, Flat(0.1))]),
            r"baths\[0\]\.node",
        ),
        (lambda: Network.chain(3, kind="qubit", frequency=1.0, coupling=0.1, baths=[("h", 0, 1.0)]), r"baths\[0\]"),
    ],
)
def test_builder_errors_name_the_argument(call, field):
    with pytest.raises(ValidationError, match=rf"^{field}: "):
        call()


def test_generate_table_in_a_network_file():
    text = """
[generate]
kind = "chain"
n = 200
node_kind = "oscillator"
frequency = 1.0
coupling = 0.05
overrides = { n100 = { frequency = 1.3 } }

[[couplings]]
nodes = ["n0", "n199"]
kind = "density"
strength = 0.001

[[baths]]
name = "hot"
node = "n0"
temperature = 2.0
spectrum = { kind = "flat", rate = 0.01 }
"""
    net = loads_network(text)
    assert len(net.nodes) == 200 and len(net.couplings) == 200
    assert net.nodes[100].frequency == 1.3 and net.nodes[99].frequency == 1.0
    assert net == Network.chain(
        200, kind="oscillator", frequency=1.0, coupling=0.05, overrides={"n100": {"frequency": 1.3}}
    ).replace(couplings=net.couplings, baths=net.baths)
    lat = loads_network(
        '[generate]\nkind = "lattice"\nrows = 2\ncolumns = 3\nnode_kind = "qubit"\nfrequency = [1, 2, 3, 4, 5, 6]\n'
        'coupling = 0.1\ncoupling_kind = "dipole"\nprefix = "q"\n'
    )
    assert [n.name for n in lat.nodes][:3] == ["q0_0", "q0_1", "q0_2"] and lat.nodes[5].frequency == 6.0


@pytest.mark.parametrize(
    "table, field",
    [
        ('kind = "tree"\nn = 3\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.kind"),
        ('kind = "chain"\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.n"),
        ('kind = "chain"\nn = 3\nfrequency = 1.0\ncoupling = 0.1', "generate.node_kind"),
        ('kind = "chain"\nn = 3\nnode_kind = "spin"\nfrequency = 1.0\ncoupling = 0.1', "generate.node_kind"),
        ('kind = "chain"\nn = 3\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1\nsize = 3', "generate.size"),
        ('kind = "chain"\nn = 3\nnode_kind = "qubit"\nfrequency = [1.0]\ncoupling = 0.1', "generate.frequency"),
        ('kind = "chain"\nn = 3.5\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.n"),
        ('kind = "chain"\nn = 100000\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.n"),
        ('kind = "chain"\nn = 3\nrows = 2\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.rows"),
        ('kind = "lattice"\nrows = 2\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1', "generate.columns"),
        (
            'kind = "chain"\nn = 3\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1\noverrides = { x = { frequency = 2 } }',
            "generate.overrides.x",
        ),
        (
            'kind = "chain"\nn = 3\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1\ncoupling_kind = "product"',
            "generate.coupling_kind",
        ),
    ],
)
def test_generate_errors_name_the_field(table, field):
    with pytest.raises(ValidationError, match=rf"^{field}: "):
        loads_network("[generate]\n" + table + "\n")


def test_generated_nodes_clash_with_listed_ones():
    text = (
        '[generate]\nkind = "chain"\nn = 3\nnode_kind = "qubit"\nfrequency = 1.0\ncoupling = 0.1\n'
        '[[nodes]]\nname = "n1"\nkind = "qubit"\nfrequency = 1.0\n'
    )
    with pytest.raises(ValidationError, match=r"^nodes\[3\]\.name: duplicate node name 'n1'"):
        loads_network(text)
