"""Every validation error path: bad input raises ValidationError naming the field.

DESIGN.md / STYLE.md: input is validated once, at the boundary; the message
names the field (``baths[1].temperature``), what was expected and what was
given; ``ValidationError`` subclasses ``ValueError`` so ``except ValueError``
still works. Each case below goes through both ``Network.from_dict`` (the
parsed mapping) and ``loads_network`` (TOML text), since the CLI reads files.
"""

from __future__ import annotations

import math
import re

import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node, ValidationError, solve
from qheatnet.io.network_file import load_network, loads_network


def _valid() -> dict:
    return {
        "nodes": [
            {"name": "A", "kind": "oscillator", "frequency": 1.0},
            {"name": "B", "kind": "qubit", "frequency": 0.8},
        ],
        "couplings": [{"nodes": ["A", "B"], "strength": 0.01}],
        "baths": [
            {"name": "hot", "node": "A", "temperature": 0.5, "spectrum": {"kind": "flat", "rate": 0.01}},
            {"name": "cold", "node": "B", "temperature": 0.3, "spectrum": {"kind": "phonon3d", "kappa": 0.01}},
        ],
    }


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    if isinstance(v, float) and math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def _to_toml(data: dict) -> str:
    """Minimal TOML writer for the test mappings (arrays of tables, inline tables)."""
    lines = []
    for key, value in data.items():
        if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for item in value:
                lines.append(f"[[{key}]]")
                lines += [f"{k} = {_toml_value(x)}" for k, x in item.items()]
        else:
            lines.insert(0, f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _set(path, value):
    def mutate(d):
        *head, last = path
        for p in head:
            d = d[p]
        d[last] = value

    return mutate


def _delete(path):
    def mutate(d):
        *head, last = path
        for p in head:
            d = d[p]
        del d[last]

    return mutate


def _append(section, item):
    return lambda d: d.setdefault(section, []).append(item)


NAN = float("nan")
CASES = {
    # missing / unknown keys
    "missing node frequency": (_delete(["nodes", 0, "frequency"]), "nodes[0].frequency"),
    "missing node kind": (_delete(["nodes", 1, "kind"]), "nodes[1].kind"),
    "missing node name": (_delete(["nodes", 0, "name"]), "nodes[0].name"),
    "missing coupling strength": (_delete(["couplings", 0, "strength"]), "couplings[0].strength"),
    "missing bath temperature": (_delete(["baths", 1, "temperature"]), "baths[1].temperature"),
    "missing bath spectrum": (_delete(["baths", 0, "spectrum"]), "baths[0].spectrum"),
    "missing bath node": (_delete(["baths", 0, "node"]), "baths[0].node"),
    "unknown node key": (_set(["nodes", 0, "colour"], "red"), "nodes[0].colour"),
    "unknown bath key": (_set(["baths", 1, "rate"], 0.1), "baths[1].rate"),
    "unknown coupling key": (_set(["couplings", 0, "colour"], "red"), "couplings[0].colour"),
    "unknown section": (_set(["wires"], [{"a": 1}]), "wires"),
    "no nodes": (_set(["nodes"], []), "nodes"),
    # wrong types
    "frequency as string": (_set(["nodes", 0, "frequency"], "high"), "nodes[0].frequency"),
    "frequency as bool": (_set(["nodes", 0, "frequency"], True), "nodes[0].frequency"),
    "temperature as string": (_set(["baths", 0, "temperature"], "warm"), "baths[0].temperature"),
    "strength as list": (_set(["couplings", 0, "strength"], [0.1]), "couplings[0].strength"),
    "name as number": (_set(["nodes", 0, "name"], 3), "nodes[0].name"),
    "empty name": (_set(["nodes", 1, "name"], "  "), "nodes[1].name"),
    "nodes not an array": (_set(["nodes"], 3), "nodes"),
    "node not a table": (_set(["nodes"], [1.0]), "nodes[0]"),
    "spectrum not a table": (_set(["baths", 0, "spectrum"], "flat"), "baths[0].spectrum"),
    "coupling nodes not a pair": (_set(["couplings", 0, "nodes"], ["A", "B", "A"]), "couplings[0].nodes"),
    "coupling nodes a string": (_set(["couplings", 0, "nodes"], "AB"), "couplings[0].nodes"),
    # bad values
    "negative frequency": (_set(["nodes", 0, "frequency"], -1.0), "nodes[0].frequency"),
    "zero frequency": (_set(["nodes", 1, "frequency"], 0.0), "nodes[1].frequency"),
    "NaN frequency": (_set(["nodes", 0, "frequency"], NAN), "nodes[0].frequency"),
    "infinite frequency": (_set(["nodes", 0, "frequency"], float("inf")), "nodes[0].frequency"),
    "unknown node kind": (_set(["nodes", 0, "kind"], "spin"), "nodes[0].kind"),
    "negative temperature": (_set(["baths", 1, "temperature"], -0.1), "baths[1].temperature"),
    "NaN temperature": (_set(["baths", 0, "temperature"], NAN), "baths[0].temperature"),
    "NaN coupling": (_set(["couplings", 0, "strength"], NAN), "couplings[0].strength"),
    "unknown spectrum kind": (
        _set(["baths", 0, "spectrum"], {"kind": "lorentzian", "rate": 1.0}),
        "baths[0].spectrum.kind",
    ),
    "spectrum without kind": (_set(["baths", 0, "spectrum"], {"rate": 1.0}), "baths[0].spectrum.kind"),
    "unknown spectrum parameter": (
        _set(["baths", 0, "spectrum"], {"kind": "flat", "rate": 0.1, "gamma": 2.0}),
        "baths[0].spectrum.gamma",
    ),
    "missing spectrum parameter": (
        _set(["baths", 1, "spectrum"], {"kind": "ohmic", "kappa": 0.1}),
        "baths[1].spectrum.cutoff",
    ),
    "zero rate": (_set(["baths", 0, "spectrum", "rate"], 0.0), "baths[0].spectrum.rate"),
    "negative kappa": (_set(["baths", 1, "spectrum", "kappa"], -1e-3), "baths[1].spectrum.kappa"),
    "NaN rate": (_set(["baths", 0, "spectrum", "rate"], NAN), "baths[0].spectrum.rate"),
    "rate as string": (_set(["baths", 0, "spectrum", "rate"], "fast"), "baths[0].spectrum.rate"),
    # cross references
    "duplicate node name": (_set(["nodes", 1, "name"], "A"), "nodes[1].name"),
    "duplicate bath name": (_set(["baths", 1, "name"], "hot"), "baths[1].name"),
    "coupling to unknown node": (_set(["couplings", 0, "nodes"], ["A", "Z"]), "couplings[0].nodes"),
    "coupling of a node to itself": (_set(["couplings", 0, "nodes"], ["B", "B"]), "couplings[0].nodes"),
    "duplicate coupling": (_append("couplings", {"nodes": ["B", "A"], "strength": 0.02}), "couplings[1].nodes"),
    "bath on unknown node": (_set(["baths", 1, "node"], "C"), "baths[1].node"),
}


def _field_pattern(field: str) -> str:
    """The message starts with the field name (``field: what is wrong``)."""
    return "^" + re.escape(field) + ": "


@pytest.mark.parametrize("case", list(CASES))
def test_bad_field_in_mapping_names_the_field(case):
    mutate, field = CASES[case]
    data = _valid()
    mutate(data)
    with pytest.raises(ValidationError, match=_field_pattern(field)) as info:
        Network.from_dict(data)
    assert isinstance(info.value, ValueError)
    assert info.value.field == field


@pytest.mark.parametrize("case", list(CASES))
def test_bad_field_in_toml_names_the_field(case):
    mutate, field = CASES[case]
    data = _valid()
    mutate(data)
    with pytest.raises(ValueError, match=_field_pattern(field)):
        loads_network(_to_toml(data))


def test_valid_mapping_and_toml_are_accepted():
    """The baseline of the cases above is valid (so each failure is due to its one change)."""
    net = Network.from_dict(_valid())
    assert loads_network(_to_toml(_valid())) == net
    assert [n.name for n in net.nodes] == ["A", "B"]


def test_error_message_says_what_was_given():
    data = _valid()
    data["baths"][1]["temperature"] = -0.25
    with pytest.raises(ValidationError, match=r"baths\[1\]\.temperature: .*≥ 0.*-0\.25"):
        Network.from_dict(data)


def test_network_file_must_be_a_table():
    with pytest.raises(ValidationError, match="^network: "):
        Network.from_dict([1, 2])


# -- files -------------------------------------------------------------------------------------------


def test_bad_toml_syntax_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[[nodes]]\nname = "A\nkind = "qubit"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="^" + re.escape(str(path)) + ": not valid TOML"):
        load_network(path)


def test_bad_toml_syntax_in_text():
    with pytest.raises(ValidationError, match="^<string>: not valid TOML"):
        loads_network("nodes = [[[")


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ValidationError, match="^" + re.escape(str(path)) + ": cannot read network file") as info:
        load_network(path)
    assert isinstance(info.value, ValueError)


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ValidationError, match="cannot read network file"):
        load_network(tmp_path)


# -- Python constructors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Node("A", "oscillator", -2.0), "frequency"),
        (lambda: Node("A", "fermion", 1.0), "kind"),
        (lambda: Node("", "qubit", 1.0), "name"),
        (lambda: Coupling(("A", "A"), 0.1), "nodes"),
        (lambda: Coupling(("A", "B"), "strong"), "strength"),
        (lambda: Bath("b", "A", -1.0, Flat(0.1)), "temperature"),
        (lambda: Bath("b", "A", 1.0, "flat"), "spectrum"),
        (lambda: Bath("b", "A", 1.0, {"kind": "flat"}), "spectrum.rate"),
        (lambda: Flat(-0.1), "spectrum.rate"),
        (lambda: Network(nodes="AB"), "nodes"),
        (lambda: Network(nodes=[]), "nodes"),
        (lambda: Network(nodes=[("A", "qubit", 1.0)]), "nodes[0]"),
        (lambda: Network(nodes=[Node("A", "qubit", 1.0)], couplings=[("A", "B")]), "couplings[0]"),
        (lambda: Network(nodes=[Node("A", "qubit", 1.0)], baths=[{"name": "b"}]), "baths[0]"),
    ],
)
def test_python_constructors_validate(build, field):
    with pytest.raises(ValidationError, match=_field_pattern(field)) as info:
        build()
    assert isinstance(info.value, ValueError)


def test_objects_are_immutable():
    node = Node("A", "qubit", 1.0)
    with pytest.raises(AttributeError):
        node.frequency = 2.0  # type: ignore[misc]


# -- solve(): options and networks without a unique steady state ---------------------------------


def _net():
    return Network.two_node("qubit", 1.0, 0.8, 0.01, 0.5, 0.3, Flat(0.01))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"approach": "semi-local"}, "approach"),
        ({"approach": "local", "bookkeeping": "half"}, "bookkeeping"),
        ({"approach": "local", "engine": "magic"}, "engine"),
    ],
)
def test_solve_options_are_validated(kwargs, field):
    with pytest.raises(ValidationError, match=_field_pattern(field)):
        solve(_net(), **kwargs)


@pytest.mark.parametrize("cutoff", [0, -3, 2.5, True, "8"])
def test_solve_fock_cutoff_is_validated(cutoff):
    net = Network.two_node("oscillator", 1.0, 0.8, 0.01, 0.3, 0.2, Flat(0.01))
    with pytest.raises(ValidationError, match=_field_pattern("cutoff")):
        solve(net, "local", engine="fock", cutoff=cutoff)


def test_solve_needs_a_network_object():
    with pytest.raises(ValidationError, match=_field_pattern("network")):
        solve("examples/two-qubits.toml", "local")  # type: ignore[arg-type]


def test_network_without_bath_is_refused_by_solve():
    net = Network(nodes=[Node("A", "qubit", 1.0), Node("B", "qubit", 1.2)], couplings=[Coupling(("A", "B"), 0.1)])
    with pytest.raises(ValidationError, match=_field_pattern("baths") + ".*no bath"):
        solve(net, "local")


def test_node_not_connected_to_any_bath_is_refused_by_solve():
    """B–C form a component of their own with no bath: the steady state is not unique."""
    data = _valid()
    data["nodes"].append({"name": "C", "kind": "qubit", "frequency": 1.1})
    data["nodes"].append({"name": "D", "kind": "qubit", "frequency": 1.3})
    data["couplings"].append({"nodes": ["C", "D"], "strength": 0.02})
    net = Network.from_dict(data)
    with pytest.raises(ValidationError, match=_field_pattern("baths") + "nodes C, D are not connected to any bath"):
        solve(net, "local")
    # a zero-strength coupling does not connect either
    data = _valid()
    data["nodes"].append({"name": "C", "kind": "qubit", "frequency": 1.1})
    data["couplings"].append({"nodes": ["B", "C"], "strength": 0.0})
    with pytest.raises(ValidationError, match="nodes C are not connected"):
        solve(Network.from_dict(data), "global")
