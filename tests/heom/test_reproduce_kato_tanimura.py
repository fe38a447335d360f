"""``qheatnet reproduce kato-tanimura-2015`` on a reduced grid: outputs written, every claim decided
and reproduced, and the written data re-checked independently of the reproduction's own claims."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

pytest.importorskip("qutip")

from qheatnet.cli.main import cli  # noqa: E402
from qheatnet.reproduce import kato_tanimura_2015 as kt  # noqa: E402

SMALL_GRID = ((1e-3, 0.1), (1e-4, 0.2))


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    path = tmp_path_factory.mktemp("kt2015")
    assert kt.reproduce(path, quiet=True, n_points=5, grid=SMALL_GRID) == 0
    return path


def test_outputs_and_claims(out):
    for name in ("kato_tanimura_2015.png", "kato_tanimura_2015_errors.png"):
        assert (out / name).stat().st_size > 10_000
    summary = json.loads((out / "summary.json").read_text())
    assert summary["approaches"] == ["heom", *kt.APPROACHES]
    assert len(summary["claims"]) >= 9
    assert all(c["reproduced"] for c in summary["claims"]), [
        c["text"] for c in summary["claims"] if not c["reproduced"]
    ]
    text = (out / "summary.txt").read_text()
    assert "HEOM vs local vs global" in text and "NOT REPRODUCED" not in text


def test_written_data(out):
    nc = out / "kato_tanimura_2015_lambda.nc"
    if not nc.exists():
        pytest.skip("no netCDF backend")
    ds = xr.open_dataset(nc)
    assert ds.J_heom.shape == (2, 5)
    assert np.all(ds.error_estimate <= kt.HEOM_RTOL)
    # bath-side current balances the cold bath and equals the system-side current
    np.testing.assert_allclose(ds.J_heom, -ds.J_heom_cold, rtol=1e-7)
    np.testing.assert_allclose(ds.J_heom, ds.J_heom_system_side, rtol=1e-7)
    det = ds.sel(case="detuned")
    assert np.all(det.J_local < 0) and np.all(det.J_heom > 0)
    grid = xr.open_dataset(out / "kato_tanimura_2015_grid.nc")
    assert grid.J_heom.shape == (2, 2, 2)


def test_cli_lists_the_paper():
    result = CliRunner().invoke(cli, ["reproduce", "--help"])
    assert result.exit_code == 0 and "kato-tanimura-2015" in result.output
