"""Figures of sweep results: scans, maps, the violation outline, and `qheatnet plot`."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402

from qheatnet import ValidationError, sweep  # noqa: E402
from qheatnet.cli.main import cli  # noqa: E402
from qheatnet.sweeps import save_dataset  # noqa: E402
from qheatnet.sweeps.plot import plot_map, plot_scan  # noqa: E402


@pytest.fixture
def fig2(paper):
    """A coarse Fig. 2 of Levy & Kosloff (2014): local σ < 0 where ω_h/T_h > ω_c/T_c (T_h > T_c)."""
    return sweep(
        paper,
        {"nodes.A.frequency": np.linspace(6, 20, 15), "baths.hot.temperature": np.linspace(11, 30, 12)},
        ["local", "global"],
    )


def test_plot_map_is_sign_aware_and_outlines_violations(fig2):
    fig, ax = plt.subplots()
    out = plot_map(fig2, "entropy_production", approach="local", ax=ax)
    assert out is ax
    mesh = ax.collections[0]
    assert mesh.norm.vmin == -mesh.norm.vmax  # centred on zero
    assert mesh.get_cmap().name.startswith("RdBu")
    assert len(ax.collections) >= 2  # the contour around the violating region
    plt.close(fig)
    fig, ax = plt.subplots()
    plot_map(fig2, "entropy_production", approach="global", ax=ax)
    assert len(ax.collections) == 1  # the global approach never violates the second law: no outline
    plt.close(fig)


def test_plot_scan_returns_axes_and_marks_violations(fig2):
    scan = fig2.isel({"baths.hot.temperature": 0})
    ax = plot_scan(scan.expand_dims("baths.hot.temperature"), "heat_current", bath="hot", dim="nodes.A.frequency")
    labels = [line.get_label() for line in ax.get_lines()]
    assert "local" in labels and "global" in labels and "local: second law violated" in labels
    plt.close(ax.figure)
    with pytest.raises(ValidationError, match=r"bath: must be one of hot, cold"):
        plot_scan(fig2, "heat_current", bath="warm")


def test_cli_plot_writes_png(fig2, tmp_path, qubits):
    save_dataset(fig2, tmp_path / "fig2.nc")
    res = CliRunner().invoke(cli, ["plot", str(tmp_path / "fig2.nc"), "--out", str(tmp_path / "png")])
    assert res.exit_code == 0, res.output
    pngs = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert pngs == ["fig2_entropy_production_map.png", "fig2_heat_current_hot_map.png"]
    assert (tmp_path / "png" / pngs[0]).read_bytes()[:4] == b"\x89PNG"

    scan = sweep(qubits, {"couplings.A-B.strength": np.geomspace(1e-3, 0.1, 8)}, ["local"])
    save_dataset(scan, tmp_path / "scan.nc")
    res = CliRunner().invoke(cli, ["plot", str(tmp_path / "scan.nc"), "--var", "population"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "scan_population_A.png").exists()
