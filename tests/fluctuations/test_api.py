"""qheatnet.fluctuations, ``solve --fluctuations``, the sweep variables and the TUR plot (API surface)."""

from __future__ import annotations

import dataclasses
import json
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from qheatnet import (  # noqa: E402
    Bath,
    ConvergenceError,
    Flat,
    ModelError,
    Network,
    Node,
    Ohmic,
    ValidationError,
    fluctuations,
    solve,
    sweep,
)
from qheatnet.cli.main import cli  # noqa: E402
from qheatnet.io.network_file import dumps_network  # noqa: E402
from qheatnet.sweeps import save_dataset  # noqa: E402
from qheatnet.sweeps.plot import TUR_BOUND, plot_result, plot_scan  # noqa: E402
from qheatnet.sweeps.spec import DEFAULT_OUTPUTS, FLUCTUATION_OUTPUTS, make_spec  # noqa: E402


@pytest.fixture
def qubits():
    return Network.two_node("qubit", 1.0, 0.8, 0.05, 2.0, 1.0, Flat(0.01))


def test_result_is_frozen_traceable_and_json_ready(qubits):
    fl = fluctuations(qubits, "global", chi=[0.1, -0.2j])
    assert fl.bookkeeping == "full" and fl.representation == "fock"
    assert fl.state.heat_currents["hot"] == pytest.approx(fl.heat_currents["hot"], rel=1e-12)
    with pytest.raises(TypeError):
        fl.current_noise["hot"] = 1.0
    assert fl.tur_ratio["hot"] == pytest.approx(
        fl.current_noise["hot"] * fl.entropy_production / (2 * fl.heat_currents["hot"] ** 2), rel=1e-12
    )
    assert fl.fano_factor["hot"] == pytest.approx(fl.current_noise["hot"] / fl.heat_currents["hot"], rel=1e-12)
    assert fl.tur_satisfied == {"hot": True, "cold": True}
    data = json.loads(json.dumps(fl.to_dict(), allow_nan=False))
    assert set(data["tur_ratio"]) == {"hot", "cold"} and len(data["cgf"]["hot"]) == 2
    assert fl.cgf["hot"][0] != 0


def test_equal_temperatures_give_nan_ratios_with_a_diagnostic():
    net = Network.two_node("qubit", 1.0, 0.8, 0.05, 1.0, 1.0, Flat(0.01))
    fl = fluctuations(net, "global")
    assert fl.current_noise["hot"] > 0  # equilibrium fluctuations
    assert math.isnan(fl.tur_ratio["hot"]) and math.isnan(fl.fano_factor["hot"])
    assert "CURRENT_AT_ROUND_OFF" in [d.code for d in fl.diagnostics]
    assert json.dumps(fl.to_dict(), allow_nan=False)


def test_local_counts_bare_heat_and_checks_it(qubits):
    fl = fluctuations(qubits, "local")
    assert fl.bookkeeping == "bare" and fl.state.bookkeeping == "bare"
    full = solve(qubits, "local")
    with pytest.raises(ValidationError, match="state"):
        fluctuations(qubits, "local", state=full)  # solved in the wrong bookkeeping
    # a state whose currents do not match the counted means is an internal inconsistency
    bare = solve(qubits, "local", bookkeeping="bare")
    bad = dataclasses.replace(bare, heat_currents={k: 1.1 * v for k, v in bare.heat_currents.items()})
    with pytest.raises(ConvergenceError, match="inconsistency"):
        fluctuations(qubits, "local", state=bad)


def test_bad_input_names_the_field(qubits):
    with pytest.raises(ValidationError, match="order"):
        fluctuations(qubits, "local", order=4)
    with pytest.raises(ValidationError, match="chi"):
        fluctuations(qubits, "local", chi="zero")
    with pytest.raises(ValidationError, match="chi"):
        fluctuations(qubits, "local", chi=[np.nan])
    with pytest.raises(ValidationError, match="approach"):
        fluctuations(qubits, "redfield")
    three = Network(
        [Node("a", "oscillator", 1.0)],
        [],
        [Bath(n, "a", t, Ohmic(0.01, 5.0)) for n, t in (("x", 1.0), ("y", 2.0), ("z", 3.0))],
    )
    with pytest.raises(ModelError, match="two baths"):
        fluctuations(three, "exact")


def test_oscillators_in_fock_space_converge_the_cutoff():
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 0.5, 0.3, Flat(0.01))
    fock = fluctuations(net, "local", engine="fock")
    gau = fluctuations(net, "local")
    assert fock.representation == "fock" and gau.representation == "gaussian"
    assert fock.solver["truncation_error"] <= 1e-7
    assert "FOCK_TRUNCATION" in [d.code for d in fock.diagnostics]
    assert fock.current_noise["hot"] == pytest.approx(gau.current_noise["hot"], rel=1e-7)


def test_cli_solve_fluctuations(tmp_path, qubits):
    path = tmp_path / "net.toml"
    path.write_text(dumps_network(qubits))
    res = CliRunner().invoke(cli, ["solve", str(path), "--approach", "global", "--fluctuations"])
    assert res.exit_code == 0, res.output
    assert "heat-current fluctuations" in res.output and "TUR" in res.output
    res = CliRunner().invoke(cli, ["solve", str(path), "--approach", "local", "--fluctuations", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["bookkeeping"] == "full"  # the steady state as asked ...
    assert data["fluctuations"]["bookkeeping"] == "bare"  # ... the counted heat in its own bookkeeping
    assert data["fluctuations"]["current_noise"]["hot"] > 0


def test_sweep_variables_and_tur_plot(tmp_path, qubits):
    params = {"couplings.A-B.strength": np.geomspace(0.005, 0.05, 4)}
    assert make_spec(qubits, params).outputs == DEFAULT_OUTPUTS  # fluctuations only when asked for
    outputs = ["heat_current", "entropy_production", *FLUCTUATION_OUTPUTS]
    ds = sweep(qubits, params, ["local", "global"], outputs=outputs, workers=1, progress=False)
    for var in FLUCTUATION_OUTPUTS:
        assert ds[var].dims[-2:] == ("approach", "bath") and np.all(np.isfinite(ds[var].values))
    assert json.loads(ds.tur_ratio.attrs["bookkeeping"]) == {"local": "bare", "global": "full"}
    ref = fluctuations(
        Network.two_node("qubit", 1.0, 0.8, float(ds["couplings.A-B.strength"][1]), 2.0, 1.0, Flat(0.01)), "global"
    )
    assert float(ds.current_noise.sel(approach="global", bath="hot")[1]) == pytest.approx(
        ref.current_noise["hot"], rel=1e-12
    )
    ax = plot_scan(ds, "tur_ratio", bath="hot")
    assert any(np.allclose(line.get_ydata(), TUR_BOUND) for line in ax.get_lines())
    plt.close("all")
    paths = plot_result(ds, tmp_path / "png", "s")
    assert tmp_path / "png" / "s_tur_ratio_hot.png" in paths
    save_dataset(ds, tmp_path / "s.nc")
    res = CliRunner().invoke(cli, ["plot", str(tmp_path / "s.nc"), "--var", "tur_ratio", "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "p" / "s_tur_ratio_hot.png").exists()


def test_order_two_and_the_exact_generating_function():
    net = Network.two_node("oscillator", 1.0, 0.9, 0.05, 2.0, 1.0, Ohmic(0.01, 5.0))
    fl = fluctuations(net, "exact", order=2, chi=[0.2, -0.4])
    assert math.isnan(fl.third_cumulant["hot"]) and fl.current_noise["hot"] > 0
    assert fl.representation == "exact" and fl.bookkeeping == "full"
    # Q_c = −Q_h + (bounded): λ_c(χ) = λ_h(−χ)
    back = fluctuations(net, "exact", chi=[-0.2, 0.4])
    assert np.allclose(fl.cgf["cold"], back.cgf["hot"], rtol=1e-9)


def test_unified_approach_is_checked_against_the_unified_steady_state():
    osc = Network.two_node("oscillator", 1.0, 1.004, 0.002, 0.5, 0.3, Flat(0.01))
    gau = fluctuations(osc, "unified")
    fock = fluctuations(osc, "unified", engine="fock", cutoff=24)
    assert gau.representation == "gaussian" and fock.representation == "fock" and gau.state is None
    assert gau.bookkeeping == "consistent"
    assert gau.current_noise["hot"] == pytest.approx(fock.current_noise["hot"], rel=1e-8)
    assert gau.solver["mean_check"] < 1e-9
    with pytest.raises(ValidationError, match="cutoff"):
        fluctuations(osc, "unified", engine="fock")
    qub = Network.two_node("qubit", 1.0, 1.002, 0.01, 2.0, 1.0, Flat(0.01))
    assert fluctuations(qub, "unified").tur_ratio["hot"] > 0
    with pytest.raises(ValidationError, match="GKLS"):
        fluctuations(qub, "redfield")
