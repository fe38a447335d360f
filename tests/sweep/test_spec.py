"""Sweep description: paths, ranges, sweep files, and errors that name the field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from qheatnet import ValidationError
from qheatnet.cli.main import cli
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import load_sweep_file, loads_sweep, make_spec, parameter_paths


def test_paths_resolve_to_network_fields(qubits):
    spec = make_spec(
        qubits,
        {
            "nodes.A.frequency": [1.0, 1.2],
            "couplings.B-A.strength": {"linspace": [0.0, 0.1, 3]},
            "baths.hot.temperature": {"geomspace": [1.0, 4.0, 3], "name": "T_h"},
            "baths.cold.spectrum.rate": {"logspace": [-3, -1, 3]},
        },
        ["local", "global"],
    )
    assert spec.shape == (2, 3, 3, 3)
    assert spec.dims == ("nodes.A.frequency", "couplings.B-A.strength", "T_h", "baths.cold.spectrum.rate")
    np.testing.assert_allclose(spec.axes[2].values, [1.0, 2.0, 4.0])
    np.testing.assert_allclose(spec.axes[3].values, [1e-3, 1e-2, 1e-1])
    assert [a.target.location for a in spec.axes] == [
        ("nodes", 0, "frequency"),
        ("couplings", 0, "strength"),
        ("baths", 0, "temperature"),
        ("baths", 1, "spectrum", "rate"),
    ]
    # C order: the last parameter varies fastest
    np.testing.assert_allclose(spec.point_values(0, 2), [[1.0, 0.0, 1.0, 1e-3], [1.0, 0.0, 1.0, 1e-2]])


def test_parameter_paths_lists_every_numeric_field(qubits):
    assert parameter_paths(qubits) == [
        "nodes.A.frequency",
        "nodes.B.frequency",
        "couplings.A-B.strength",
        "baths.hot.temperature",
        "baths.hot.spectrum.rate",
        "baths.cold.temperature",
        "baths.cold.spectrum.rate",
    ]


@pytest.mark.parametrize(
    "path, match",
    [
        ("nodes.C.frequency", r"parameters\.nodes\.C\.frequency: unknown parameter path \(no node named like 'C'\)"),
        ("nodes.A.kind", r"nodes\.A\.kind: unknown parameter path .*'frequency'"),
        ("couplings.A-C.strength", r"couplings\.A-C\.strength: unknown parameter path"),
        ("baths.hot.spectrum.kappa", r"flat' spectrum of bath 'hot' has parameters rate, not 'kappa'"),
        ("baths.warm.temperature", r"no bath named like 'warm'"),
        ("temperature", r"must start with 'nodes\.', 'couplings\.' or 'baths\.'"),
    ],
)
def test_unknown_paths_name_the_field(qubits, path, match):
    with pytest.raises(ValidationError, match=match) as info:
        make_spec(qubits, {path: [1.0]})
    assert "sweepable paths: nodes.A.frequency" in str(info.value)


@pytest.mark.parametrize(
    "values, match",
    [
        ({"linspace": [1.0, 2.0, 0]}, r"baths\.hot\.temperature\.linspace\[2\] \(num\): must be an integer ≥ 1, got 0"),
        ({"linspace": [1.0, 2.0, 2.5]}, r"linspace\[2\] \(num\): must be an integer"),
        ({"linspace": [1.0, 2.0]}, r"linspace: must be \[start, stop, num\]"),
        ({"linspace": ["a", 2.0, 3]}, r"linspace\[0\] \(start\): must be a number"),
        ({"geomspace": [-1.0, 2.0, 3]}, r"geomspace: start and stop must be non-zero with the same sign"),
        ({"logspace": [1, 400, 3]}, r"logspace: 10\^400 overflows"),
        ({"linspace": [1, 2, 3], "values": [1]}, r"give exactly one of"),
        ({"range": [1, 2, 3]}, r"baths\.hot\.temperature\.range: unknown key"),
        ([], r"must hold at least one value"),
        ([1.0, float("nan")], r"temperature\[1\]: must be finite"),
        ([1.0, 1.0], r"values must be distinct"),
        ([-1.0, 2.0], r"baths\.hot\.temperature: value -1 is not allowed \(temperature must be ≥ 0, got -1"),
        ("1.0", r"must be a list of numbers or a table"),
    ],
)
def test_bad_ranges_name_the_field(qubits, values, match):
    with pytest.raises(ValidationError, match=match):
        make_spec(qubits, {"baths.hot.temperature": values})


def test_bad_options(qubits):
    p = {"baths.hot.temperature": [1.0]}
    with pytest.raises(ValidationError, match=r"approaches\[1\]: must be one of .*got 'exact-ish'"):
        make_spec(qubits, p, ["local", "exact-ish"])
    with pytest.raises(ValidationError, match=r"outputs\[0\]: must be one of"):
        make_spec(qubits, p, outputs=["current"])
    with pytest.raises(ValidationError, match=r"^parameters: give at least one parameter"):
        make_spec(qubits, {})
    with pytest.raises(ValidationError, match=r"the same parameter as 'couplings.A-B.strength'"):
        make_spec(qubits, {"couplings.A-B.strength": [0.1], "couplings.B-A.strength": [0.2]})
    with pytest.raises(ValidationError, match=r"chunk_size: must be an integer ≥ 1"):
        make_spec(qubits, p, chunk_size=0)


def test_sweep_file_with_relative_network_path(tmp_path, qubits):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "q.toml").write_text(dumps_network(qubits))
    (tmp_path / "s.toml").write_text(
        'network = "nets/q.toml"\napproaches = ["local", "global"]\nchunk_size = 5\n'
        "[parameters]\n"
        '"baths.hot.temperature" = { linspace = [1.0, 3.0, 5], name = "T_h" }\n'
        "couplings.A-B.strength = [0.01, 0.02]\n"  # unquoted dotted key: nested tables
    )
    spec = load_sweep_file(tmp_path / "s.toml")
    assert spec.network == qubits
    assert spec.dims == ("T_h", "couplings.A-B.strength")
    assert spec.approaches == ("local", "global") and spec.chunk_size == 5


def test_sweep_file_with_inline_network(qubits):
    text = dumps_network(qubits).replace("[[", "[[network.")
    spec = loads_sweep(text + '\n[parameters]\n"nodes.B.frequency" = [0.5, 0.6]\n')
    assert spec.network == qubits and spec.shape == (2,)


@pytest.mark.parametrize(
    "text, match",
    [
        ('network = "missing.toml"\n[parameters]\n"a" = [1]', r"missing\.toml: cannot read network file"),
        ('network = "q.toml"\nparallel = 3\n[parameters]\n"a" = [1]', r"^parallel: unknown key in sweep file"),
        ('network = "q.toml"', r"^parameters: required"),
        ("[parameters]\nx = [1]", r"^network: required"),
        ("network = ", r"not valid TOML"),
        (
            '[[network.nodes]]\nname = "A"\nkind = "qutrit"\nfrequency = 1.0\n[parameters]\n"nodes.A.frequency" = [1.0]',
            r"^network\.nodes\[0\]\.kind: must be one of",
        ),
        ('network = "q.toml"\n[parameters]\n"nodes.A.frequency" = { linspace = [1, 2, -1] }', r"num\): must be"),
    ],
)
def test_sweep_file_errors(tmp_path, qubits, text, match):
    (tmp_path / "q.toml").write_text(dumps_network(qubits))
    with pytest.raises(ValidationError, match=match):
        loads_sweep(text, tmp_path)


def test_hash_tracks_what_changes_the_numbers(qubits):
    a = make_spec(qubits, {"baths.hot.temperature": [1.0, 2.0]})
    assert a.hash == make_spec(qubits, {"baths.hot.temperature": np.array([1.0, 2.0])}).hash
    assert a.hash != make_spec(qubits, {"baths.hot.temperature": [1.0, 2.0 + 1e-15]}).hash
    assert a.hash != make_spec(qubits, {"baths.hot.temperature": [1.0, 2.0]}, fast_path=False).hash
    assert a.hash != make_spec(qubits.replace(couplings=()), {"baths.hot.temperature": [1.0, 2.0]}).hash


def test_cli_reports_bad_sweep_file_in_one_line(tmp_path, qubits):
    (tmp_path / "q.toml").write_text(dumps_network(qubits))
    (tmp_path / "s.toml").write_text('network = "q.toml"\n[parameters]\n"nodes.Z.frequency" = [1.0]\n')
    res = CliRunner().invoke(cli, ["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "r.nc")])
    assert res.exit_code == 2
    assert res.output.startswith("error: parameters.nodes.Z.frequency: unknown parameter path")
    assert res.output.count("\n") == 1 and "Traceback" not in res.output


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[2] / "examples" / "sweeps").glob("*.toml")))
def test_example_sweep_files_are_valid(path):
    spec = load_sweep_file(path)
    assert spec.n_points > 1 and spec.approaches
