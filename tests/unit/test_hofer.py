"""``qheatnet reproduce hofer-2017`` on a small ε grid (fast): outputs, table, conclusions."""

import numpy as np
import xarray as xr
from click.testing import CliRunner

from qheatnet.reproduce import hofer_2017

EPS = np.array([1e-5, 1e-3, 0.05, 0.9])


def test_run_small_grid_writes_outputs_and_reproduces(tmp_path):
    lines = []
    ok = hofer_2017.run(tmp_path, progress=False, echo=lines.append, epsilons=EPS)
    assert ok
    assert (tmp_path / "hofer2017.png").stat().st_size > 10_000
    text = (tmp_path / "hofer2017_errors.txt").read_text()
    assert "relative error" in text and "NOT reproduced" not in text
    data = tmp_path / "hofer2017.nc"
    ds = xr.open_dataset(data) if data.exists() else None
    if ds is not None:
        assert ds.J_exact.shape == (2, len(EPS))
        assert set(ds.case.values) == {"detuned", "resonant"}
    printed = "\n".join(lines)
    assert "resonant" in printed and "detuned" in printed


def test_error_table_marks_regions_within_tolerance():
    ds = hofer_2017.compute(EPS[[0, -1]])
    r = ds.sel(case="resonant")
    # weak coupling: local right, global wrong; strong coupling: global right
    assert bool(r.valid_local[0]) and not bool(r.valid_global[0]) and bool(r.valid_global[-1])
    assert np.all(np.isfinite(ds.J_exact)) and np.all(ds.J_exact > 0)
    table = hofer_2017.error_table(ds)
    assert table.count("*") >= 3


def test_cli_lists_hofer(tmp_path):
    from qheatnet.cli.main import cli

    out = CliRunner().invoke(cli, ["reproduce", "--help"])
    assert "hofer-2017" in out.output
