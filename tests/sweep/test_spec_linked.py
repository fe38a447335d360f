"""Linked parameters (one axis, several fields) and zipped axes (several parameters along one dimension).

The numbers are checked against networks built by hand in the test, point by
point, and against the two-node closed forms called directly; the spec
machinery (globs, lists of paths, zip tables in Python and TOML), the
coordinates of the result, the hash and resume are checked on their own.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from qheatnet import Flat, Network, Phonon3D, ValidationError, local_closed_form, solve, sweep
from qheatnet.cli.main import cli
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import load_sweep_file, loads_sweep, make_spec, open_result, run_sweep
from qheatnet.sweeps.store import partial_dir

COUPLINGS = ["couplings.A-B.strength", "couplings.B-C.strength", "couplings.C-D.strength", "couplings.D-A.strength"]


@pytest.fixture
def ring():
    """A uniform ring of four resonant qubits, baths on the neighbours A and B (no dark state)."""
    return Network.from_dict(
        {
            "nodes": [{"name": n, "kind": "qubit", "frequency": 1.0} for n in "ABCD"],
            "couplings": [{"nodes": [a, b], "strength": 0.02} for a, b in ("AB", "BC", "CD", "DA")],
            "baths": [
                {"name": "hot", "node": "A", "temperature": 2.0, "spectrum": {"kind": "flat", "rate": 0.01}},
                {"name": "cold", "node": "B", "temperature": 1.0, "spectrum": {"kind": "flat", "rate": 0.01}},
            ],
        }
    )


def _by_hand(network, eps=None, t_hot=None, t_cold=None):
    """The network with every coupling set to ``eps`` and the bath temperatures set, built without the spec code."""
    d = network.to_dict()
    if eps is not None:
        for c in d["couplings"]:
            c["strength"] = float(eps)
    if t_hot is not None:
        d["baths"][0]["temperature"] = float(t_hot)
    if t_cold is not None:
        d["baths"][1]["temperature"] = float(t_cold)
    return Network.from_dict(d)


def test_glob_drives_every_coupling_of_a_ring(ring):
    eps = [0.005, 0.02, 0.08]
    spec = make_spec(ring, {"couplings.*.strength": {"values": eps, "name": "epsilon"}})
    assert spec.dims == ("epsilon",) and spec.shape == (3,)
    assert [t.path for t in spec.targets] == COUPLINGS
    np.testing.assert_array_equal(spec.point_values(0, 3), np.repeat(np.array(eps)[:, None], 4, axis=1))
    ds = sweep(ring, {"couplings.*.strength": {"values": eps, "name": "epsilon"}}, ["local"], workers=1)
    assert (ds.status == 0).all()
    for i, e in enumerate(eps):
        ref = solve(_by_hand(ring, eps=e), "local")
        assert float(ds.heat_current.sel(approach="local", bath="hot")[i]) == ref.heat_currents["hot"]
    # the coordinate says what it drives
    attrs = ds.epsilon.attrs
    assert attrs["path"] == "couplings.*.strength" and attrs["targets"] == ", ".join(COUPLINGS)
    assert attrs["units"].startswith("energy unit")
    assert json.loads(ds.attrs["parameters"]) == [
        {"name": "epsilon", "kind": "linked", "path": "couplings.*.strength", "targets": COUPLINGS}
    ]


def test_list_of_paths_in_python_and_toml(ring, tmp_path):
    eps = [0.01, 0.03]
    two = tuple(COUPLINGS[:2])
    a = make_spec(ring, {two: eps})
    assert a.dims == (", ".join(two),) and [t.path for t in a.targets] == list(two)
    b = make_spec(ring, {"eps": {"paths": list(two), "values": eps}})
    assert b.dims == ("eps",) and [t.path for t in b.targets] == list(two)
    (tmp_path / "ring.toml").write_text(dumps_network(ring))
    c = loads_sweep(
        'network = "ring.toml"\n[parameters.eps]\npaths = ["couplings.A-B.strength", "couplings.B-C.strength"]\n'
        "values = [0.01, 0.03]\n",
        tmp_path,
    )
    assert c.hash == b.hash
    ds = run_sweep(c, workers=1)
    for i, e in enumerate(eps):
        d = ring.to_dict()
        d["couplings"][0]["strength"] = d["couplings"][1]["strength"] = e
        ref = solve(Network.from_dict(d), "local")
        assert float(ds.heat_current.sel(approach="local", bath="cold")[i]) == ref.heat_currents["cold"]


def test_zipped_axis_takes_values_element_by_element(ring):
    t_hot, t_cold = [1.5, 2.0, 3.0], [1.0, 0.8, 0.5]
    params = {
        "couplings.*.strength": {"values": [0.01, 0.04], "name": "epsilon"},
        "bias": {"zip": {"baths.hot.temperature": t_hot, "baths.cold.temperature": t_cold}},
    }
    spec = make_spec(ring, params)
    assert spec.shape == (2, 3) and spec.dims == ("epsilon", "bias")
    assert spec.point_values(4, 5).tolist() == [[0.04] * 4 + [2.0, 0.8]]
    ds = sweep(ring, params, ["local"], workers=1)
    assert ds.bias.values.tolist() == t_hot  # the first member gives the dimension coordinate
    assert ds["baths.cold.temperature"].dims == ("bias",) and ds["baths.cold.temperature"].values.tolist() == t_cold
    assert ds["baths.cold.temperature"].attrs["zipped_along"] == "bias"
    assert ds.bias.attrs["zipped"] == "baths.hot.temperature, baths.cold.temperature"
    for i, e in enumerate([0.01, 0.04]):
        for j in range(3):
            ref = solve(_by_hand(ring, e, t_hot[j], t_cold[j]), "local")
            got = ds.heat_current.sel(approach="local").isel(epsilon=i, bias=j)
            assert got.sel(bath="hot") == ref.heat_currents["hot"] and got.sel(bath="cold") == ref.heat_currents["cold"]


def test_zip_in_a_sweep_file_and_saved_coordinates(ring, tmp_path):
    (tmp_path / "ring.toml").write_text(dumps_network(ring))
    (tmp_path / "s.toml").write_text(
        'network = "ring.toml"\n'
        "[parameters]\n"
        '"couplings.*.strength" = { geomspace = [0.01, 0.04, 2], name = "epsilon" }\n'
        "[parameters.bias.zip]\n"
        '"baths.hot.temperature" = { linspace = [1.5, 3.0, 3] }\n'
        'baths.cold.temperature = { values = [1.0, 0.8, 0.5], name = "T_c" }\n'  # unquoted dotted key
    )
    spec = load_sweep_file(tmp_path / "s.toml")
    assert spec.dims == ("epsilon", "bias") and [m.name for m in spec.axes[1].members] == [
        "baths.hot.temperature",
        "T_c",
    ]
    ds = run_sweep(spec, tmp_path / "r.nc", workers=1)
    back = open_result(tmp_path / "r.nc")
    xr.testing.assert_identical(ds, back)
    assert back["T_c"].attrs["path"] == "baths.cold.temperature" and back.epsilon.attrs["targets"] == ", ".join(
        COUPLINGS
    )


def test_linked_closed_form_fast_path_against_the_closed_form_called_directly():
    """Two oscillators kept resonant (ω_A = ω_B linked) while T_h and T_c move together (zipped)."""
    net = Network.two_node("oscillator", 1.0, 0.8, 0.02, 2.0, 1.0, Flat(0.01))
    w = [0.6, 1.0, 1.4]
    th, tc = [1.2, 2.0, 4.0, 8.0], [1.0, 1.0, 0.5, 0.25]
    ds = sweep(net, {"nodes.*.frequency": w, "T": {"zip": {"baths.hot.temperature": th, "baths.cold.temperature": tc}}})
    assert json.loads(ds.attrs["methods"]) == {"local": "closed_form"}
    for i, wi in enumerate(w):
        for j in range(len(th)):
            ref = local_closed_form("oscillator", wi, wi, 0.02, th[j], tc[j], Flat(0.01))
            got = float(ds.heat_current.sel(approach="local", bath="hot").isel({"nodes.*.frequency": i, "T": j}))
            assert got == pytest.approx(float(ref["J_h"]), rel=1e-12)


def test_hash_changes_when_the_linking_changes(ring):
    v = [0.01, 0.02]
    glob = make_spec(ring, {"couplings.*.strength": {"values": v, "name": "e"}})
    listed = make_spec(ring, {"e": {"paths": COUPLINGS, "values": v}})
    fewer = make_spec(ring, {"e": {"paths": COUPLINGS[:3], "values": v}})
    zipped = make_spec(ring, {"e": {"zip": {p: v for p in COUPLINGS}}})
    single = make_spec(ring, {"couplings.A-B.strength": {"values": v, "name": "e"}})
    hashes = [s.hash for s in (glob, listed, fewer, zipped, single)]
    assert len(set(hashes)) == len(hashes)
    # the same description gives the same hash; every spec sets the same points for the 4-coupling variants
    assert glob.hash == make_spec(ring, {"couplings.*.strength": {"values": np.array(v), "name": "e"}}).hash
    np.testing.assert_array_equal(glob.point_values(0, 2), zipped.point_values(0, 2))
    # a plain axis keeps its historical hash description (old partial stores stay resumable)
    assert single.axes[0].to_dict() == {"path": "couplings.A-B.strength", "name": "e", "values": [x.hex() for x in v]}


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"couplings.*.frequency": [0.1]},
            r"^parameters\.couplings\.\*\.frequency: the pattern .* matches no sweepable",
        ),
        (
            {"e": {"paths": ["couplings.A-B.strength", "couplings.A-X.strength"], "values": [0.1]}},
            r"^parameters\.e\.paths\[1\]: unknown parameter path",
        ),
        ({"e": {"paths": [], "values": [0.1]}}, r"^parameters\.e\.paths: must be a non-empty list"),
        (
            {"e": {"paths": ["couplings.*.strength", "couplings.B-A.strength"], "values": [0.1]}},
            r"names the field 'couplings\.B-A\.strength' twice",
        ),
        ({"e": {"paths": COUPLINGS, "values": [0.1], "name": "x"}}, r"^parameters\.e\.name: with 'paths' the key"),
        (
            {"b": {"zip": {"baths.hot.temperature": [1.0, 2.0], "baths.cold.temperature": [1.0, 2.0, 3.0]}}},
            r"^parameters\.b\.zip: zipped parameters .* same number of values; got baths\.hot\.temperature: 2, baths\.cold\.temperature: 3",
        ),
        (
            {"b": {"zip": {"baths.hot.temperature": [1.0, 1.0], "baths.cold.temperature": [1.0, 2.0]}}},
            r"^parameters\.b\.zip\.baths\.hot\.temperature: the first zipped parameter",
        ),
        ({"b": {"zip": {}}}, r"^parameters\.b\.zip: must be a table"),
        (
            {"b": {"zip": {"baths.hot.temperature": [1.0]}, "values": [1]}},
            r"^parameters\.b\.values: a zipped dimension takes only 'zip'",
        ),
        ({"b": {"zip": {"baths.hot.tempo": [1.0]}}}, r"^parameters\.b\.zip\.baths\.hot\.tempo: unknown parameter path"),
        (
            {"b": {"zip": {"baths.hot.temperature": [1.0, -2.0]}}},
            r"^parameters\.b\.zip\.baths\.hot\.temperature: value -2 is not allowed",
        ),
        (
            {"couplings.*.strength": [0.1], "couplings.C-D.strength": [0.2]},
            r"^parameters\.couplings\.C-D\.strength: the same parameter as 'couplings\.C-D\.strength'",
        ),
        (
            {"T": {"zip": {"baths.hot.temperature": [1.0]}}, "baths.hot.temperature": [2.0]},
            r"the same parameter as 'baths\.hot\.temperature'",
        ),
        (
            {"T": {"zip": {"baths.hot.temperature": {"values": [1.0], "name": "T"}}}},
            r"coordinate names .* must be distinct; 'T' repeats",
        ),
        (
            {"heat_current": {"zip": {"baths.hot.temperature": [1.0]}}},
            r"^parameters\.heat_current: must be a non-empty string other than",
        ),
    ],
)
def test_bad_links_and_zips_name_the_field_in_one_line(ring, params, match):
    with pytest.raises(ValidationError, match=match) as info:
        make_spec(ring, params)
    assert "\n" not in str(info.value)


def test_linked_fields_must_share_units():
    net = Network.two_node("oscillator", 10.0, 5.0, 1e-3, 12.0, 10.0, Phonon3D(1e-7))
    with pytest.raises(
        ValidationError,
        match=r"^parameters\.\(nodes\.A\.frequency, baths\.hot\.spectrum\.kappa\): "
        r"linked fields take one value and must share their units",
    ):
        make_spec(net, {("nodes.A.frequency", "baths.hot.spectrum.kappa"): [1e-7]})
    # same units: fine (ω and a flat rate are both energies when ħ = 1)
    assert len(make_spec(net, {("baths.hot.temperature", "baths.cold.temperature"): [9.0, 11.0]}).targets) == 2


def test_cli_one_line_error_for_a_glob_matching_nothing(ring, tmp_path):
    (tmp_path / "ring.toml").write_text(dumps_network(ring))
    (tmp_path / "s.toml").write_text('network = "ring.toml"\n[parameters]\n"nodes.*.strength" = [0.1]\n')
    res = CliRunner().invoke(cli, ["sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "r.nc")])
    assert res.exit_code == 2
    assert res.output.startswith("error: parameters.nodes.*.strength: the pattern 'nodes.*.strength' matches no")
    assert res.output.count("\n") == 1


def test_linked_and_zipped_sweep_resumes_from_its_chunks(ring, tmp_path):
    (tmp_path / "ring.toml").write_text(dumps_network(ring))
    (tmp_path / "s.toml").write_text(
        'network = "ring.toml"\nchunk_size = 2\n[parameters]\n'
        '"couplings.*.strength" = { geomspace = [0.005, 0.05, 3], name = "epsilon" }\n'
        '[parameters.bias.zip]\n"baths.hot.temperature" = [1.5, 2.0, 3.0]\n"baths.cold.temperature" = [1.0, 0.8, 0.5]\n'
    )
    spec = load_sweep_file(tmp_path / "s.toml")
    reference = run_sweep(spec, workers=1)
    out = tmp_path / "r.nc"
    run_sweep(spec, out, workers=1, keep_partial=True)
    out.unlink()  # as if interrupted before the end: the chunks are there, the result is not
    chunks = sorted((partial_dir(out) / "chunks" / "local").glob("*.npz"))
    assert len(chunks) == 5
    for c in chunks[::2]:
        c.unlink()
    messages = []
    resumed = run_sweep(spec, out, workers=1, echo=messages.append)
    assert any("resuming" in m and "4 of 9 points already computed" in m for m in messages), messages
    xr.testing.assert_identical(resumed, reference)
    # another linking of the same values is another sweep: refused, not mixed in
    other = make_spec(ring, {"epsilon": {"paths": COUPLINGS[:2], "geomspace": [0.005, 0.05, 3]}})
    with pytest.raises(ValidationError, match=r"holds a different sweep"):
        run_sweep(other, out)
