"""``qheatnet solve NETWORK.toml --approach local|global [--json]`` (DESIGN.md, issue 2 item 6).

JSON output has at least: approach, heat_currents (bath → J), entropy_production,
first_law_residual, second_law ("satisfied" | "violated"), populations (node → ⟨n⟩),
diagnostics (list of {code, message}). Bad input: one line on stderr starting
"error:", naming the field, exit code 2, no traceback.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qheatnet import solve
from qheatnet.cli.main import cli
from qheatnet.io.network_file import dumps_network, load_network, loads_network

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
REQUIRED = {
    "approach",
    "heat_currents",
    "entropy_production",
    "first_law_residual",
    "second_law",
    "populations",
    "diagnostics",
}


def _run(*args):
    return CliRunner().invoke(cli, ["solve", *map(str, args)])


def _fast_examples():
    """Examples cheap enough for both approaches (the Fig. 4 pair is hot: tested on its own below)."""
    return [p for p in EXAMPLES if "paper-fig4" not in p.name]


#: Options that keep a CLI run short. The mixed oscillator-qubit example under the global approach
#: took 24 s with the automatic cut-off (the generic Davies generator of an anharmonic network has
#: one Lindblad term per distinct Bohr frequency, thousands here, and the cut-off search solves it
#: three times); at ω/T ≥ 3.3 a fixed K = 6 leaves a Boltzmann tail below 1e-9.
FAST_OPTIONS = {"oscillator-qubit-cold.toml": ["--cutoff", "6"]}


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("path", _fast_examples(), ids=lambda p: p.name)
def test_solve_json_has_the_required_keys(path, approach):
    extra = FAST_OPTIONS.get(path.name, [])
    result = _run(path, "--approach", approach, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert REQUIRED <= set(data)
    net = load_network(path)
    assert data["approach"] == approach
    assert set(data["heat_currents"]) == {b.name for b in net.baths}
    assert set(data["populations"]) == {n.name for n in net.nodes}
    assert data["second_law"] in {"satisfied", "violated"}
    assert all(isinstance(v, float) and math.isfinite(v) for v in data["heat_currents"].values())
    assert data["first_law_residual"] == pytest.approx(sum(data["heat_currents"].values()), abs=1e-18)
    for d in data["diagnostics"]:
        assert {"code", "message"} <= set(d)
    # the numbers are those of the Python API (same defaults)
    res = solve(net, approach, **({"cutoff": int(extra[1])} if extra else {}))
    for name, j in res.heat_currents.items():
        assert data["heat_currents"][name] == pytest.approx(j, rel=1e-12, abs=1e-300)


def test_solve_json_reports_the_local_violation_of_the_paper_example():
    """examples/two-oscillators-paper-fig4.toml: ω_c/T_c = 0.5 < ω_h/T_h = 0.667, so the local approach
    sends heat from the cold bath to the hot one (Levy & Kosloff 2014, eq. 9, Fig. 4)."""
    result = _run(ROOT / "examples" / "two-oscillators-paper-fig4.toml", "--approach", "local", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["heat_currents"]["hot"] < 0
    assert data["second_law"] == "violated"
    assert "SECOND_LAW_VIOLATED" in {d["code"] for d in data["diagnostics"]}


def test_solve_human_report():
    result = _run(ROOT / "examples" / "two-qubits.toml", "--approach", "global")
    assert result.exit_code == 0
    assert "heat currents" in result.stdout and "second law: satisfied" in result.stdout


def _bad_files(tmp_path):
    good = (ROOT / "examples" / "two-qubits.toml").read_text(encoding="utf-8")
    cases = {
        "negative temperature": (good.replace("temperature = 1.0", "temperature = -1.0"), "baths[1].temperature"),
        "unknown spectrum kind": (good.replace('kind = "flat"', 'kind = "lorentzian"', 1), "baths[0].spectrum.kind"),
        "bad node kind": (good.replace('kind = "qubit"', 'kind = "spin"', 1), "nodes[0].kind"),
        "zero frequency": (good.replace("frequency = 0.7", "frequency = 0"), "nodes[1].frequency"),
        "unknown key": (
            good + '\n[[nodes]]\nname = "C"\nkind = "qubit"\nfrequency = 1.0\ncolour = 3\n',
            "nodes[2].colour",
        ),
        "bad syntax": (good.replace("[[baths]]", "[[baths]", 1), "not valid TOML"),
        "no bath": (good.split("[[baths]]")[0], "baths"),
    }
    out = {}
    for name, (text, field) in cases.items():
        path = tmp_path / (name.replace(" ", "-") + ".toml")
        path.write_text(text, encoding="utf-8")
        out[name] = (path, field)
    out["missing file"] = (tmp_path / "missing.toml", "cannot read network file")
    return out


CASE_NAMES = [
    "negative temperature",
    "unknown spectrum kind",
    "bad node kind",
    "zero frequency",
    "unknown key",
    "bad syntax",
    "no bath",
    "missing file",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_input_is_one_error_line_and_exit_code_2(case, tmp_path):
    path, field = _bad_files(tmp_path)[case]
    result = _run(path, "--json")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert field in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_global_without_ground_state_is_one_error_line(tmp_path):
    """ε² ≥ ω_hω_c for oscillators: a ModelError, reported like bad input."""
    text = (ROOT / "examples" / "two-qubits.toml").read_text(encoding="utf-8")
    text = text.replace('kind = "qubit"', 'kind = "oscillator"').replace("strength = 0.05", "strength = 0.9")
    path = tmp_path / "unbounded.toml"
    path.write_text(text, encoding="utf-8")
    result = _run(path, "--approach", "global")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "ground state" in result.stderr


@pytest.mark.parametrize("args", [["--approach", "semi"], ["--cutoff", "0"], ["--engine", "magic"]])
def test_bad_options_exit_2_without_traceback(args):
    result = _run(ROOT / "examples" / "two-qubits.toml", *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr + result.stdout


def test_installed_entry_point_subprocess(tmp_path):
    """The real console script: JSON on stdout; bad input → exit 2, one 'error:' line on stderr, no traceback."""
    exe = Path(sys.executable).with_name("qheatnet")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    ok = subprocess.run(
        [str(exe), "solve", str(ROOT / "examples" / "two-qubits.toml"), "--approach", "global", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert REQUIRED <= set(json.loads(ok.stdout))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[nodes]]\nname = "A"\nkind = "qubit"\nfrequency = -1\n', encoding="utf-8")
    err = subprocess.run([str(exe), "solve", str(bad)], capture_output=True, text=True, timeout=120)
    assert err.returncode == 2
    assert err.stderr.startswith("error: nodes[0].frequency")
    assert len(err.stderr.strip().splitlines()) == 1
    assert "Traceback" not in err.stderr


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_toml_round_trip_of_examples(path):
    """dumps_network/loads_network round trip, and the dumped file solves like the original."""
    net = load_network(path)
    assert loads_network(dumps_network(net)) == net
