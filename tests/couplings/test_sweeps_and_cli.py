"""Coupling currents and machine summary in sweeps, ``qheatnet plot --network`` and the CLI.

ħ = k_B = 1; J_{c→i} in bare bookkeeping (i⟨[H_c, H_i]⟩).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from qheatnet import Flat, Network, solve, sweep
from qheatnet.cli.main import cli
from qheatnet.io.network_file import dumps_network
from qheatnet.reproduce.linden_popescu_skrzypczyk_2010 import refrigerator
from qheatnet.sweeps.dataset import open_result, save_dataset
from qheatnet.sweeps.plot import network_layout, plot_network

PATH = "couplings.c-r-h:a,adag,a.strength"


@pytest.fixture(scope="module")
def fridge_sweep():
    return sweep(refrigerator(0.01, 1.0), {PATH: [0.001, 0.01, 0.1]}, approaches=["local", "global"], workers=1)


def test_sweep_has_a_coupling_dimension_equal_to_solve(fridge_sweep):
    ds = fridge_sweep
    assert ds.coupling_current.dims[-3:] == ("approach", "coupling", "coupling_end")
    assert list(ds.coupling.values) == ["c-r-h:a,adag,a"] and list(ds.coupling_node.values[0]) == ["c", "r", "h"]
    for k, g in enumerate(ds[PATH].values):
        res = solve(refrigerator(float(g), 1.0), "local")
        got = ds.coupling_current.sel(approach="local").isel({PATH: k}).values[0]
        want = [res.coupling_currents["c-r-h:a,adag,a"][n] for n in "crh"]
        assert np.allclose(got, want, rtol=1e-12, atol=0)
        assert str(ds.machine_mode.sel(approach="local").values[k]) == "absorption refrigerator"
        assert float(ds.cop.sel(approach="local").values[k]) == pytest.approx(res.machine["cop"], rel=1e-12)
    assert np.all(ds.carnot_cop.values == pytest.approx(0.8))


def test_sweep_result_round_trips_and_outputs_select(tmp_path, fridge_sweep):
    p = save_dataset(fridge_sweep, tmp_path / "fridge.nc")
    back = open_result(p)
    assert np.array_equal(back.coupling_current.values, fridge_sweep.coupling_current.values, equal_nan=True)
    only = sweep(refrigerator(0.01, 1.0), {PATH: [0.01]}, approaches=["local"], outputs=["heat_current"], workers=1)
    assert "coupling_current" not in only and "cop" not in only
    two = sweep(
        Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01)),
        {"couplings.A-B.strength": [0.01, 0.02]},
        workers=1,
    )
    assert two.attrs["methods"] == '{"local": "closed_form"}' and np.all(np.isnan(two.coupling_current.values))
    assert "cop" not in two  # two baths: no machine summary


def test_network_drawing(tmp_path, fridge_sweep):
    ax = plot_network(fridge_sweep, approach="local", at={PATH: 0.01})
    assert (
        "approach local" in ax.get_title(loc="left") and len(ax.patches) >= 6
    )  # three coupling arrows, three bath arrows
    chain = Network.chain(5, kind="qubit", frequency=1.0, coupling=0.1)
    pos = network_layout(chain)
    assert [pos[f"n{i}"] for i in range(5)] == [(float(i), 0.0) for i in range(5)]
    lat = network_layout(Network.lattice(2, 3, kind="qubit", frequency=1.0, coupling=0.1))
    assert lat["n1_2"] == (2.0, -1.0)
    p = save_dataset(fridge_sweep, tmp_path / "f.nc")
    run = CliRunner().invoke(cli, ["plot", str(p), "--network", "--at", f"{PATH}=0.1", "--approach", "global"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "f_network.png").stat().st_size > 0
    bad = CliRunner().invoke(cli, ["plot", str(p), "--network", "--at", "nope=1"])
    assert bad.exit_code == 2 and bad.output.startswith("error: --at: unknown dimension 'nope'")
    bad = CliRunner().invoke(cli, ["plot", str(p), "--at", f"{PATH}=0.1"])
    assert bad.exit_code == 2 and "--network" in bad.output


def test_cli_solve_prints_flows_and_machine(tmp_path):
    f = tmp_path / "fridge.toml"
    f.write_text(dumps_network(refrigerator(0.01, 1.0)))
    run = CliRunner().invoke(cli, ["solve", str(f), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert set(data["coupling_currents"]["c-r-h:a,adag,a"]) == {"c", "r", "h"}
    assert data["machine"]["mode"] == "absorption refrigerator" and set(data["node_bath_currents"]) == {"c", "r", "h"}
    text = CliRunner().invoke(cli, ["solve", str(f), "--approach", "global"]).output
    assert "heat flow through the couplings" in text and "machine: absorption refrigerator" in text
    assert "Carnot COP = 0.8 (within the bound)" in text


def test_cli_bad_coupling_is_one_line(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(
        '[[nodes]]\nname = "A"\nkind = "qubit"\nfrequency = 1.0\n[[nodes]]\nname = "B"\nkind = "qubit"\n'
        'frequency = 1.0\n[[couplings]]\nnodes = ["A", "B"]\nkind = "product"\noperators = ["a", "b"]\nstrength = 0.1\n'
    )
    run = CliRunner().invoke(cli, ["solve", str(f)])
    assert run.exit_code == 2
    assert run.output == "error: couplings[0].operators[1]: must be one of a, adag, n, x, got 'b'\n"


def test_cli_generated_network_and_reproduce_registered(tmp_path):
    f = tmp_path / "chain.toml"
    f.write_text(
        '[generate]\nkind = "chain"\nn = 12\nnode_kind = "oscillator"\nfrequency = 1.0\ncoupling = 0.05\n'
        'coupling_kind = "dipole"\noverrides = { n5 = { frequency = 1.03 } }\n'
        '[[baths]]\nname = "hot"\nnode = "n0"\ntemperature = 2.0\nspectrum = { kind = "flat", rate = 0.01 }\n'
        '[[baths]]\nname = "cold"\nnode = "n11"\ntemperature = 1.0\nspectrum = { kind = "flat", rate = 0.01 }\n'
    )
    run = CliRunner().invoke(cli, ["solve", str(f), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["engine"] == "gaussian" and len(data["coupling_currents"]) == 11
    from qheatnet.cli.reproduce_cmd import PAPERS

    assert "linden-popescu-skrzypczyk-2010" in PAPERS


def test_dipole_two_node_sweep_does_not_use_the_swap_closed_forms():
    base = Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    dip = base.replace(couplings=(base.couplings[0].__class__(("A", "B"), 0.01, "dipole"),))
    ds = sweep(dip, {"couplings.A-B:dipole.strength": [0.01, 0.02]}, workers=1)
    assert ds.attrs["methods"] == '{"local": "solve"}'
    assert np.all(ds.engine.values == "gaussian")
    res = solve(dip.replace(couplings=(dip.couplings[0].__class__(("A", "B"), 0.02, "dipole"),)), "local")
    assert float(ds.heat_current.sel(bath="hot").values[1, 0]) == pytest.approx(res.heat_currents["hot"], rel=1e-12)
