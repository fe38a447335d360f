"""Validity maps: sweeps with a reference carry each approach's deviation from it, point by point equal to
solves done here; the reference is part of the hash; resume; the regime map and the CLI."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from compare_networks import deviation, hofer, qubits  # noqa: E402

from qheatnet import ValidationError, solve, sweep  # noqa: E402
from qheatnet.cli.main import cli  # noqa: E402
from qheatnet.io.network_file import dumps_network  # noqa: E402
from qheatnet.sweeps import loads_sweep, make_spec, open_result, run_sweep, save_dataset  # noqa: E402
from qheatnet.sweeps.plot import plot_validity, plot_validity_map, validity_categories  # noqa: E402
from qheatnet.sweeps.spec import network_with  # noqa: E402
from qheatnet.sweeps.store import partial_dir  # noqa: E402

APPROACHES = ["local", "global", "unified", "redfield"]
EPS = np.array([1e-5, 1e-3, 0.1])
KAPPA = np.array([1e-3, 1e-2])
PARAMS = {
    "couplings.A-B.strength": {"values": EPS, "name": "epsilon"},
    "baths.*.spectrum.kappa": {"values": KAPPA, "name": "kappa"},
}


@pytest.fixture(scope="module")
def resonant_map():
    return sweep(hofer(1.0, 0.01), PARAMS, APPROACHES, reference="exact", workers=1)


@pytest.fixture(scope="module")
def small_map(resonant_map):
    """Two approaches and the reference: fewer panels to draw (matplotlib dominates these tests)."""
    return resonant_map.sel(approach=["local", "global", "exact"])


def test_deviation_equals_per_point_solves(resonant_map):
    ds = resonant_map
    assert list(ds.approach.values) == [*APPROACHES, "exact"] and ds.attrs["reference"] == "exact"
    assert ds.deviation.dims == ("epsilon", "kappa", "approach")
    assert "max_α" in ds.deviation.attrs["definition"]
    base = hofer(1.0, 0.01).to_dict()
    spec = make_spec(hofer(1.0, 0.01), PARAMS, APPROACHES, reference="exact")
    for e in EPS:
        for kap in KAPPA:
            net = network_with(base, spec.targets, [e, kap, kap])
            ref = dict(solve(net, "exact").heat_currents)
            assert float(ds.deviation.sel(epsilon=e, kappa=kap, approach="exact")) == 0.0
            for a in APPROACHES:
                want = deviation(dict(solve(net, a).heat_currents), ref)
                got = float(ds.deviation.sel(epsilon=e, kappa=kap, approach=a))
                # local and global come from the two-node closed forms (sweep fast path): equal to solve's
                # Gaussian engine to ~1e-10 of J, hence the absolute tolerance on δ
                assert got == pytest.approx(want, rel=1e-8, abs=1e-9), (e, kap, a)
    # the map is not vacuous: global fails at small ε (secular approximation), unified does not
    d = ds.deviation.sel(kappa=1e-3)
    assert float(d.sel(epsilon=1e-5, approach="global")) > 100
    assert float(d.sel(epsilon=1e-5, approach="unified")) < 1e-3


def test_reference_is_in_the_hash_and_absent_otherwise():
    net = hofer(1.0, 0.01)
    plain = make_spec(net, {"couplings.A-B.strength": EPS}, ["local", "exact"])
    withref = make_spec(net, {"couplings.A-B.strength": EPS}, ["local"], reference="exact")
    assert withref.approaches == plain.approaches == ("local", "exact")
    assert "reference" not in plain.canonical()  # sweeps without a reference keep their old hashes
    assert withref.canonical()["reference"] == "exact" and withref.hash != plain.hash
    assert "deviation" not in sweep(net, {"couplings.A-B.strength": EPS[:1]}, ["local", "exact"])


def test_sweep_file_reference_and_its_checks(tmp_path):
    (tmp_path / "net.toml").write_text(dumps_network(hofer(1.2, 0.01)))
    text = 'network = "net.toml"\napproaches = ["local"]\nreference = "exact"\n[parameters]\n'
    text += '"couplings.A-B.strength" = [1e-3, 0.1]\n'
    spec = loads_sweep(text, tmp_path)
    assert spec.reference == "exact" and spec.approaches == ("local", "exact")
    with pytest.raises(ValidationError, match=r"^reference: must be one of exact, heom, got 'negf'"):
        loads_sweep(text.replace('"exact"', '"negf"'), tmp_path)
    qfile = tmp_path / "q.toml"
    qfile.write_text(dumps_network(qubits(1.0, 0.01)))
    with pytest.raises(ValidationError, match=r"approaches\[1\]: 'exact' cannot run on this network"):
        loads_sweep(text.replace("net.toml", "q.toml"), tmp_path)


def test_interrupted_validity_map_resumes_identically(tmp_path):
    spec = make_spec(hofer(1.0, 0.01), PARAMS, ["local", "global"], reference="exact", chunk_size=1, fast_path=False)
    fresh = run_sweep(spec, workers=1)
    out = tmp_path / "map.nc"
    run_sweep(spec, out, workers=1, keep_partial=True)
    out.unlink()
    for approach in ("exact", "global"):  # lose chunks of the reference and of an approach
        for f in sorted((partial_dir(out) / "chunks" / approach).glob("*.npz"))[:3]:
            f.unlink()
    said = []
    resumed = run_sweep(spec, out, workers=1, echo=said.append)
    assert any("resuming" in s and "12 of 18 points already computed" in s for s in said), said
    xr.testing.assert_identical(resumed, fresh)
    xr.testing.assert_identical(open_result(out), fresh)


def test_regime_map_categories_and_figures(resonant_map, small_map, tmp_path):
    codes, compared, dims = validity_categories(resonant_map, 0.05, ("epsilon", "kappa"))
    assert compared == APPROACHES and dims == ("epsilon", "kappa") and codes.shape == (len(KAPPA), len(EPS))
    dev = resonant_map.deviation
    for j, kap in enumerate(KAPPA):
        for i, e in enumerate(EPS):
            want = sum(
                1 << k for k, a in enumerate(APPROACHES) if float(dev.sel(epsilon=e, kappa=kap, approach=a)) <= 0.05
            )
            assert codes[j, i] == want
    ax = plot_validity_map(resonant_map, tolerance=0.05)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lab.startswith("local, unified, redfield (") for lab in labels)  # global fails at ε = 1e-5
    matplotlib.pyplot.close(ax.figure)
    paths = plot_validity(small_map, tmp_path, "m", tolerance=0.1, dims=("kappa", "epsilon"))
    assert [p.name for p in paths] == ["m_validity_map.png", "m_deviation_map.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    scan = small_map.isel(kappa=[0]).squeeze("kappa", drop=True)
    assert [p.name for p in plot_validity(scan, tmp_path, "s")] == ["s_validity.png"]
    with pytest.raises(ValidationError, match=r"^deviation: the result has no validity variable"):
        plot_validity_map(resonant_map.drop_vars("deviation"))
    with pytest.raises(ValidationError, match=r"^dims: a map needs two of the swept parameters"):
        validity_categories(resonant_map, 0.05, ("epsilon", "T"))


def test_cli_plot_draws_the_validity_map(small_map, tmp_path):
    save_dataset(small_map.sel(approach=["global", "exact"]), tmp_path / "v.nc")
    args = ["plot", str(tmp_path / "v.nc"), "--out", str(tmp_path / "png"), "--var", "heat_current"]
    args += ["--tolerance", "0.01"]
    res = CliRunner().invoke(cli, [*args, "--dims", "kappa,epsilon"])
    assert res.exit_code == 0, res.output
    assert {"v_validity_map.png", "v_deviation_map.png"} <= {p.name for p in (tmp_path / "png").iterdir()}
    res = CliRunner().invoke(cli, [*args, "--dims", "kappa"])
    assert res.exit_code == 2 and res.output.startswith("error: --dims: must be two swept parameters")
    res = CliRunner().invoke(cli, [*args[:-1], "-1"])
    assert res.exit_code == 2 and res.output.startswith("error: tolerance: must be > 0")


def test_qubit_validity_map_with_heom_reference():
    pytest.importorskip("qutip")
    net = qubits(1.0, 0.01)
    params = {"couplings.A-B.strength": {"values": [1e-3, 0.3], "name": "epsilon"}}
    ds = sweep(net, params, ["local", "global"], reference="heom", workers=1)
    for e in (1e-3, 0.3):
        n = qubits(1.0, e)
        ref = dict(solve(n, "heom").heat_currents)
        for a in ("local", "global"):
            want = deviation(dict(solve(n, a).heat_currents), ref)
            assert float(ds.deviation.sel(epsilon=e, approach=a)) == pytest.approx(want, rel=1e-8)
    assert float(ds.deviation.sel(epsilon=1e-3, approach="global")) > 1  # resonant, ε ≪ rates
    assert float(ds.deviation.sel(epsilon=1e-3, approach="local")) < 0.05
