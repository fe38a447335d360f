"""Issue 13, item 4: hostile input gives exactly one line ``error: <field>: ...`` and exit 2.

Each test is named after the input of the issue that used to print a
traceback (exit 1), several lines, or nothing useful. The shared check
(:func:`assert_one_line_error`) is the contract of DESIGN.md: exit code 2,
exactly one line on stderr starting with ``error:`` and naming the field,
no traceback, nothing on stdout.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from qheatnet import Flat, Network, Phonon3D
from qheatnet.cli.evolve_cmd import MAX_STEPS
from qheatnet.io.network_file import MAX_INPUT_BYTES, dumps_network, load_network
from qheatnet.model.network import MAX_NODES
from qheatnet.sweeps.spec import MAX_SWEEP_POINTS

ROOT = Path(__file__).resolve().parents[2]
TWO_QUBITS = ROOT / "examples" / "two-qubits.toml"


def run(*args):
    from qheatnet.cli.main import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result, field: str):
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines}"
    assert lines[0].startswith("error: "), lines[0]
    assert field in lines[0], f"{field!r} not named in {lines[0]!r}"
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    return lines[0]


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(TWO_QUBITS.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _sweep_file(tmp_path, parameters: str, network: str = "net.toml") -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(f'network = "{network}"\napproaches = ["local"]\n[parameters]\n{parameters}\n', encoding="utf-8")
    return path


# --- unreadable files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00n\x00o\x00d\x00e", b'[[nodes]]\nname = "\xe9"\n', bytes(range(256)), b"\x7fELF\x02\x01\x01\x00" * 8],
    ids=["utf16", "latin1", "all-bytes", "elf"],
)
@pytest.mark.parametrize("command", ["solve", "evolve", "sweep"])
def test_non_utf8_or_binary_file_is_one_line(tmp_path, content, command):
    path = tmp_path / "input.toml"
    path.write_bytes(content)
    extra = {"evolve": ["--t-final", "1"], "sweep": ["--out", tmp_path / "r.nc"]}.get(command, [])
    assert_one_line_error(run(command, path, *extra), str(path))
    assert not (tmp_path / "r.nc").exists() and not (tmp_path / "r.nc.partial").exists()


def test_utf8_byte_order_mark_is_accepted(tmp_path, net_file):
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + net_file.read_bytes())
    assert load_network(bom) == load_network(net_file)
    plain, with_bom = run("solve", net_file, "--json"), run("solve", bom, "--json")
    assert with_bom.exit_code == 0, with_bom.stderr
    assert with_bom.stdout == plain.stdout
    sweep = _sweep_file(tmp_path, '"baths.hot.temperature" = [1.5, 2.0]', network="bom.toml")
    sweep.write_bytes(b"\xef\xbb\xbf" + sweep.read_bytes())
    result = run("sweep", sweep, "--out", tmp_path / "r.nc", "--no-progress")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("nesting", ["a = " + "[" * 3000 + "]" * 3000, "a = " + "{b = " * 3000 + "1" + "}" * 3000])
def test_deeply_nested_toml_is_one_line(tmp_path, nesting, net_file):
    path = tmp_path / "deep.toml"
    path.write_text(nesting, encoding="utf-8")
    assert_one_line_error(run("solve", path), str(path))
    sweep = tmp_path / "deep-sweep.toml"
    sweep.write_text('network = "net.toml"\n' + nesting, encoding="utf-8")
    assert_one_line_error(run("sweep", sweep, "--out", tmp_path / "r.nc"), str(sweep))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_solve_dev_zero_is_refused_by_the_file_size_cap():
    line = assert_one_line_error(run("solve", "/dev/zero"), "/dev/zero")
    assert "MAX_INPUT_BYTES" in line


def test_file_larger_than_the_cap_is_refused(tmp_path):
    """A 10⁷-node file is ~450 MB: refused by its size before it is parsed (a sparse file stands in)."""
    path = tmp_path / "huge.toml"
    with open(path, "wb") as fh:
        fh.truncate(MAX_INPUT_BYTES + 1)
    assert "larger than" in assert_one_line_error(run("solve", path), str(path))


def test_file_with_too_many_nodes_is_refused(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text(
        "".join(f'[[nodes]]\nname = "n{i}"\nkind = "qubit"\nfrequency = 1.0\n' for i in range(MAX_NODES + 1)),
        encoding="utf-8",
    )
    assert f"at most MAX_NODES = {MAX_NODES}" in assert_one_line_error(run("solve", path), "nodes")


@pytest.mark.parametrize("command", ["solve", "evolve", "sweep", "plot"])
def test_a_directory_as_input_is_one_line(tmp_path, command):
    extra = {"evolve": ["--t-final", "1"], "sweep": ["--out", tmp_path / "r.nc"]}.get(command, [])
    assert_one_line_error(run(command, tmp_path, *extra), str(tmp_path))


# --- output locations ----------------------------------------------------------------------------


def test_out_under_a_missing_or_non_directory_parent_is_one_line(tmp_path, net_file):
    sweep = _sweep_file(tmp_path, '"baths.hot.temperature" = [1.5, 2.0]')
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    for out in (tmp_path / "missing" / "r.nc", tmp_path / "a-file" / "r.nc"):
        assert_one_line_error(run("sweep", sweep, "--out", out), "out")
        assert not out.parent.is_dir()
    for plot in (tmp_path / "missing" / "j.png", tmp_path / "a-file" / "j.png"):
        assert_one_line_error(run("evolve", net_file, "--t-final", "1", "--plot", plot), "--plot")
    ok = run("sweep", sweep, "--out", tmp_path / "r.nc", "--no-progress")
    assert ok.exit_code == 0, ok.stderr
    for folder in (tmp_path / "missing" / "figs", tmp_path / "a-file" / "figs", tmp_path / "a-file"):
        assert_one_line_error(run("plot", tmp_path / "r.nc", "--out", folder), "--out")
    assert not (tmp_path / "missing").exists()


def test_out_with_another_suffix_is_refused(tmp_path, net_file):
    sweep = _sweep_file(tmp_path, '"baths.hot.temperature" = [1.5, 2.0]')
    line = assert_one_line_error(run("sweep", sweep, "--out", tmp_path / "r.txt"), "out")
    assert ".nc" in line and ".zarr" in line
    assert not (tmp_path / "r.txt").exists() and not (tmp_path / "r.txt.partial").exists()
    ok = run("sweep", sweep, "--out", tmp_path / "r.nc", "--no-progress")
    assert ok.exit_code == 0 and "saved to" in ok.stdout and "(netCDF)" in ok.stdout


def test_plot_on_a_file_that_is_not_a_sweep_result_is_one_line(tmp_path, net_file):
    other = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(other)
    garbage = tmp_path / "garbage.nc"
    garbage.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    for path in (net_file, other, garbage, tmp_path / "absent.nc", tmp_path / "absent.zarr"):
        assert "sweep result" in assert_one_line_error(run("plot", path), str(path)) or not path.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.nc", "net.toml", "other.nc"]


# --- values ----------------------------------------------------------------------------------------


def test_strength_1e300_is_one_line_without_warnings(tmp_path):
    net = Network.two_node("oscillator", 8.0, 5.0, 1e-4, 12.0, 3.0, Phonon3D(1e-7))
    path = tmp_path / "strong.toml"
    path.write_text(dumps_network(net).replace("strength = 0.0001", "strength = 1e300"), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_one_line_error(run("solve", path, "--approach", "global"), "couplings[0].strength")
    assert not caught, [str(w.message) for w in caught]


def test_solve_at_temperature_1e300_prints_no_warnings(tmp_path):
    """Once a strict xfail (the gross exchange overflowed in the engines, with RuntimeWarnings); now the API
    refuses the non-finite exchange in one line and nothing is printed on the way."""
    net = Network.two_node("oscillator", 8.0, 5.0, 0.01, 1e300, 3.0, Phonon3D(1e-7))
    path = tmp_path / "hot.toml"
    path.write_text(dumps_network(net), encoding="utf-8")
    for approach in ("local", "global"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # in-process, a warning is recorded instead of printed
            result = run("solve", path, "--approach", approach, "--json")
        assert "Warning" not in result.stderr, result.stderr
        assert not [str(w.message) for w in caught], [f"{w.filename}:{w.lineno}: {w.message}" for w in caught]


def test_node_name_with_a_newline_is_one_line(tmp_path):
    path = tmp_path / "nl.toml"
    path.write_text(TWO_QUBITS.read_text(encoding="utf-8").replace('name = "A"', 'name = "A\\nB"', 1))
    line = assert_one_line_error(run("solve", path), "nodes[0].name")
    assert "\\n" in line  # shown escaped


def test_library_messages_with_line_breaks_stay_one_line(tmp_path):
    """Any message (here: a file path with a newline and an escape sequence) is escaped to one line."""
    path = tmp_path / "two\nlines\x1b[31m.toml"
    line = assert_one_line_error(run("solve", path), "two\\nlines\\x1b[31m.toml")
    assert "\x1b" not in line


def test_sweep_of_1e9_points_is_refused_with_the_count_and_the_limit(tmp_path, net_file):
    side = 31_623  # 31 623² ≈ 1.0e9
    grid = _sweep_file(
        tmp_path,
        f'"baths.hot.temperature" = {{ linspace = [1.0, 3.0, {side}] }}\n'
        f'"couplings.A-B.strength" = {{ geomspace = [1e-3, 0.1, {side}] }}',
    )
    line = assert_one_line_error(run("sweep", grid, "--out", tmp_path / "r.nc"), "parameters")
    assert str(side * side) in line and f"MAX_SWEEP_POINTS = {MAX_SWEEP_POINTS}" in line
    one_axis = _sweep_file(tmp_path, '"baths.hot.temperature" = { linspace = [1.0, 3.0, 1000000000] }')
    line = assert_one_line_error(run("sweep", one_axis, "--out", tmp_path / "r.nc"), "(num)")
    assert "1000000000" in line and str(MAX_SWEEP_POINTS) in line
    assert not (tmp_path / "r.nc").exists() and not (tmp_path / "r.nc.partial").exists()


def test_evolve_steps_1e9_is_refused_with_a_memory_estimate(net_file):
    line = assert_one_line_error(run("evolve", net_file, "--t-final", "1", "--steps", "1000000000"), "--steps")
    assert "GiB" in line and f"MAX_STEPS = {MAX_STEPS}" in line


@pytest.mark.parametrize(
    "args",
    [
        ["sweep", "x.toml"],  # missing --out
        ["nosuch"],
        ["solve", "x.toml", "--approach", "semi"],
        ["solve", "x.toml", "--cutoff", "0"],
        ["evolve", "x.toml"],  # missing --t-final
        ["solve", "x.toml", "--nosuch-option"],
    ],
)
def test_usage_errors_are_one_line(args):
    result = run(*args)
    field = {"sweep": "--out", "nosuch": "nosuch", "evolve": "--t-final"}.get(args[0] if len(args) < 3 else "", "")
    assert_one_line_error(result, field or args[2])


def test_flat_spectrum_network_still_solves(tmp_path):
    """The checks do not refuse ordinary input (a regression guard for all of the above)."""
    net = Network.two_node("qubit", 1.0, 0.8, 0.05, 2.0, 1.0, Flat(0.01))
    path = tmp_path / "ok.toml"
    path.write_text(dumps_network(net), encoding="utf-8")
    result = run("solve", path, "--json")
    assert result.exit_code == 0 and result.stderr == ""
