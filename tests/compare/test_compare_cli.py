"""``qheatnet compare NETWORK.toml``: the table, ``--json``, and one-line errors (exit code 2)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from compare_networks import deviation, hofer

from qheatnet import Flat, Network, solve
from qheatnet.cli.main import cli
from qheatnet.io.network_file import dumps_network


@pytest.fixture
def detuned_file(tmp_path):
    path = tmp_path / "detuned.toml"
    path.write_text(dumps_network(hofer(1.2, 0.01)))
    return path


def _run(*args):
    return CliRunner().invoke(cli, ["compare", *map(str, args)])


def test_table(detuned_file):
    res = _run(detuned_file)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "reference: exact" in out and "δ = max_α |J_α − J_α,ref| / max_α |J_α,ref|" in out
    for a in ("local", "global", "unified", "redfield", "exact (reference)"):
        assert a in out
    assert "LOCAL_DETUNED_NODES" in out and "recommended: " in out and "J_hot" in out and "cost [s]" in out


def test_json_matches_solve(detuned_file):
    res = _run(detuned_file, "--json", "--approach", "local", "--approach", "global", "--tolerance", "0.01")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["tolerance"] == 0.01 and data["reference"] == "exact"
    assert [r["approach"] for r in data["approaches"]] == ["local", "global"]
    net = hofer(1.2, 0.01)
    ref = dict(solve(net, "exact").heat_currents)
    for row in data["approaches"]:
        assert row["deviation"] == pytest.approx(deviation(dict(solve(net, row["approach"]).heat_currents), ref))
    assert data["recommended"] == "global"


def test_reference_none_prints_pairwise(detuned_file):
    res = _run(detuned_file, "--reference", "none")
    assert res.exit_code == 0, res.output
    assert "no reference" in res.output and "pairwise δ" in res.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--tolerance", "-1"], "error: tolerance: must be > 0, got -1.0"),
        (["--reference", "negf"], "error: Invalid value for '--reference'"),
        (["--approach", "exact"], "error: Invalid value for '--approach'"),
    ],
)
def test_one_line_errors(detuned_file, args, message):
    res = _run(detuned_file, *args)
    assert res.exit_code == 2
    assert res.output.startswith(message) and res.output.count("\n") == 1, res.output


def test_one_line_errors_for_files_and_references(tmp_path):
    res = _run(tmp_path / "missing.toml")
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "missing.toml" in res.output
    qubits = tmp_path / "q.toml"
    qubits.write_text(dumps_network(Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))))
    res = _run(qubits, "--reference", "exact")
    assert res.exit_code == 2 and res.output.count("\n") == 1
    assert res.output.startswith("error: reference: 'exact' cannot run on this network")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nodes]]\nname = "A"\nkind = "rotor"\nfrequency = 1.0\n')
    res = _run(bad)
    assert res.exit_code == 2 and res.output.count("\n") == 1 and res.output.startswith("error: ")


def test_listed_in_help():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0 and "compare" in res.output
