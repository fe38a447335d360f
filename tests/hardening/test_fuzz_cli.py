"""Issue 13, item 7: fuzzing the CLI with malformed network and sweep files (hypothesis).

Each example starts from a valid network (2–4 nodes of random kinds, chain
couplings, two baths with random spectrum kinds) or a valid sweep file, and
applies one mutation that makes it invalid: a missing, mistyped or
out-of-range field, an unknown key, a duplicate, a dangling reference, a
control character in a name, a coupling of 1e300, or a damaged file
(non-UTF-8 bytes, broken TOML, nesting too deep for the parser). Every
mutation knows which field it broke. The CLI runs in-process (click's
CliRunner) and must give:

* exit code 2,
* exactly one line on stderr, starting with ``error:`` and naming that field
  (the file path for a damaged file),
* no traceback, nothing on stdout,
* nothing written at the output location (``sweep --out``, ``evolve --plot``).

Network examples run ``solve``, ``evolve --plot`` and ``sweep`` (with the
broken file as its network); sweep examples run ``sweep``. CI settings:
NETWORK_EXAMPLES + SWEEP_EXAMPLES = 600 examples (1 300 CLI runs),
derandomized (the same examples on every run), no deadline; measured 4 s for
both tests on the 2-core machine at load average 4 (13 s at load average 6).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qheatnet.cli.main import cli

NETWORK_EXAMPLES = 350
SWEEP_EXAMPLES = 250
FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

FILE = "<FILE>"  # placeholder: the error names the file itself
SPECTRA = {
    "flat": {"rate": 0.01},
    "phonon3d": {"kappa": 1e-3},
    "ohmic": {"kappa": 0.01, "cutoff": 3.0},
    "drude_lorentz": {"kappa": 0.01, "cutoff": 3.0},
}
BAD_NUMBERS = [float("nan"), float("inf"), float("-inf"), "1.0", True, [1.0], {"a": 1}]
BAD_NAMES = ["", "   ", 5, True, ["A"], "a\nb", "x\u0000y", "tab\tname", "\u200bzero", "esc\x1b[1m"]


# --- writing TOML (any nesting, any value: the point is to write what the reader must refuse) -----


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)  # JSON escapes (\n, \u0000, ...) are TOML basic-string escapes
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    lines = []
    tables = {k: v for k, v in data.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    for k, v in data.items():
        if k not in tables and not isinstance(v, dict):
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"[{_key(k)}]")
            lines += [f"{_key(kk)} = {_value(vv)}" for kk, vv in v.items()]
    for k, items in tables.items():
        for item in items:
            lines.append(f"[[{_key(k)}]]")
            lines += [f"{_key(kk)} = {_value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


# --- valid bases -----------------------------------------------------------------------------------


@st.composite
def networks(draw) -> dict:
    n = draw(st.integers(2, 4))
    kinds = draw(st.lists(st.sampled_from(["oscillator", "qubit"]), min_size=n, max_size=n))
    names = [f"N{i}" for i in range(n)]
    nodes = [{"name": nm, "kind": k, "frequency": 1.0 + 0.1 * i} for i, (nm, k) in enumerate(zip(names, kinds))]
    couplings = [{"nodes": [names[i], names[i + 1]], "strength": 0.02} for i in range(n - 1)]
    spec_kinds = draw(st.lists(st.sampled_from(sorted(SPECTRA)), min_size=2, max_size=2))
    baths = [
        {
            "name": "hot",
            "node": names[0],
            "temperature": 2.0,
            "spectrum": {"kind": spec_kinds[0], **SPECTRA[spec_kinds[0]]},
        },
        {
            "name": "cold",
            "node": names[-1],
            "temperature": 1.0,
            "spectrum": {"kind": spec_kinds[1], **SPECTRA[spec_kinds[1]]},
        },
    ]
    return {"nodes": nodes, "couplings": couplings, "baths": baths}


# --- mutations: (mutated data or raw bytes, the field the error must name) -------------------------


@st.composite
def broken_network(draw):
    """(file bytes, expected field) of a network file with exactly one defect."""
    data = draw(networks())
    nodes, couplings, baths = data["nodes"], data["couplings"], data["baths"]
    i = draw(st.integers(0, len(nodes) - 1))
    k = draw(st.integers(0, len(couplings) - 1))
    b = draw(st.integers(0, len(baths) - 1))
    what = draw(
        st.sampled_from(
            [
                "node.delete",
                "node.name",
                "node.dup_name",
                "node.kind",
                "node.frequency",
                "node.extra",
                "coupling.delete",
                "coupling.nodes",
                "coupling.strength",
                "coupling.duplicate",
                "coupling.extra",
                "bath.delete",
                "bath.name",
                "bath.node",
                "bath.temperature",
                "bath.spectrum",
                "bath.spectrum_kind",
                "bath.spectrum_param",
                "bath.spectrum_extra",
                "top.unknown",
                "top.nodes",
                "syntax.bytes",
                "syntax.toml",
                "syntax.deep",
            ]
        )
    )
    group, _, detail = what.partition(".")
    if group == "node":
        node = nodes[i]
        where = f"nodes[{i}]"
        if detail == "delete":
            key = draw(st.sampled_from(["name", "kind", "frequency"]))
            del node[key]
            return to_toml(data).encode(), f"{where}.{key}"
        if detail == "name":
            node["name"] = draw(st.sampled_from(BAD_NAMES))
            return to_toml(data).encode(), f"{where}.name"
        if detail == "dup_name":
            j = draw(st.integers(0, len(nodes) - 1).filter(lambda j: j != i))
            nodes[max(i, j)]["name"] = nodes[min(i, j)]["name"]
            return to_toml(data).encode(), f"nodes[{max(i, j)}].name"
        if detail == "kind":
            node["kind"] = draw(st.sampled_from(["spin", "Qubit", "", 3, True, ["qubit"]]))
            return to_toml(data).encode(), f"{where}.kind"
        if detail == "frequency":
            node["frequency"] = draw(st.sampled_from([0.0, -1.5, 0, *BAD_NUMBERS]))
            return to_toml(data).encode(), f"{where}.frequency"
        key = draw(st.sampled_from(["color", "Frequency", "omega", "x y"]))
        node[key] = 1.0
        return to_toml(data).encode(), f"{where}.{key}"
    if group == "coupling":
        c = couplings[k]
        where = f"couplings[{k}]"
        if detail == "delete":
            key = draw(st.sampled_from(["nodes", "strength"]))
            del c[key]
            return to_toml(data).encode(), f"{where}.{key}"
        if detail == "nodes":
            a = c["nodes"][0]
            c["nodes"] = draw(st.sampled_from([[a], [a, a], [a, "ZZ"], f"{a}-x", [1, 2], [a, "N0", "N1"], []]))
            return to_toml(data).encode(), f"{where}.nodes"
        if detail == "strength":
            c["strength"] = draw(st.sampled_from([1e300, -1e300, 1e5, *BAD_NUMBERS]))
            return to_toml(data).encode(), f"{where}.strength"
        if detail == "duplicate":
            couplings.append({"nodes": list(reversed(c["nodes"])), "strength": 0.01})
            return to_toml(data).encode(), f"couplings[{len(couplings) - 1}].nodes"
        couplings[k]["weight"] = 1
        return to_toml(data).encode(), f"{where}.weight"
    if group == "bath":
        bath = baths[b]
        where = f"baths[{b}]"
        spec = bath["spectrum"]
        if detail == "delete":
            key = draw(st.sampled_from(["name", "node", "temperature", "spectrum"]))
            del bath[key]
            return to_toml(data).encode(), f"{where}.{key}"
        if detail == "name":
            bad = draw(st.sampled_from([*BAD_NAMES, "dup"]))
            if bad == "dup":
                baths[1]["name"] = baths[0]["name"]
                return to_toml(data).encode(), "baths[1].name"
            bath["name"] = bad
            return to_toml(data).encode(), f"{where}.name"
        if detail == "node":
            bath["node"] = draw(st.sampled_from(["ZZ", "n0", 5, "", "a\nb"]))
            return to_toml(data).encode(), f"{where}.node"
        if detail == "temperature":
            bath["temperature"] = draw(st.sampled_from([-1.0, -1e-300, *BAD_NUMBERS]))
            return to_toml(data).encode(), f"{where}.temperature"
        if detail == "spectrum":
            bath["spectrum"] = draw(st.sampled_from(["flat", 0.01, [0.01], True]))
            return to_toml(data).encode(), f"{where}.spectrum"
        if detail == "spectrum_kind":
            bad = draw(st.sampled_from(["delete", "nosuch", "Flat", 3]))
            if bad == "delete":
                del spec["kind"]
            else:
                spec["kind"] = bad
            return to_toml(data).encode(), f"{where}.spectrum.kind"
        if detail == "spectrum_param":
            param = draw(st.sampled_from(sorted(k for k in spec if k != "kind")))
            bad = draw(st.sampled_from(["delete", 0.0, -1.0, *BAD_NUMBERS]))
            if isinstance(bad, str) and bad == "delete":
                del spec[param]
            else:
                spec[param] = bad
            return to_toml(data).encode(), f"{where}.spectrum.{param}"
        spec["temperature"] = 1.0
        return to_toml(data).encode(), f"{where}.spectrum.temperature"
    if group == "top":
        if detail == "unknown":
            key = draw(st.sampled_from(["edges", "Nodes", "bath", "network"]))
            data[key] = [{"x": 1}] if key != "network" else "x"
            return to_toml(data).encode(), key
        bad = draw(st.sampled_from(["string", "empty", "numbers"]))
        data["nodes"] = {"string": "N0", "empty": [], "numbers": [1, 2]}[bad]
        return to_toml(data).encode(), "nodes" if bad != "numbers" else "nodes[0]"
    # a damaged file: the error names the file
    text = to_toml(data)
    lines = text.splitlines(keepends=True)
    pos = draw(st.integers(0, len(lines)))
    if detail == "bytes":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xfe\xff", b"\x80\x80"]))
        prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
        return prefix + raw[:at] + junk + raw[at:], FILE
    if detail == "toml":
        junk = draw(st.sampled_from(["[[nodes\n", "= 1\n", "name = \n", 'x = "open\n', "[a]\n[a]\n", "x = 1\nx = 2\n"]))
        junk += draw(st.sampled_from(["", "\x00", "\x07"]))
        return "".join(lines[:pos] + [junk] + lines[pos:]).encode(), FILE
    depth = draw(st.integers(1200, 4000))
    junk = draw(
        st.sampled_from(
            ["x = " + "[" * depth + "]" * depth + "\n", "x = " + "{a = " * depth + "1" + "}" * depth + "\n"]
        )
    )
    return (junk + text).encode(), FILE


@st.composite
def broken_sweep(draw):
    """(sweep file bytes, expected field) of a sweep file with exactly one defect (network.toml is valid)."""
    path = "baths.hot.temperature"
    data = {
        "network": "net.toml",
        "approaches": ["local"],
        "parameters": {path: {"linspace": [1.0, 3.0, 3]}},
    }
    what = draw(
        st.sampled_from(
            [
                "top.unknown",
                "network",
                "network.inline",
                "parameters",
                "parameters.path",
                "axis",
                "approaches",
                "bookkeeping",
                "engine",
                "options",
                "fast_path",
                "outputs",
                "chunk_size",
                "size",
                "syntax",
            ]
        )
    )
    if what == "top.unknown":
        key = draw(st.sampled_from(["approach", "parameter", "workers", "out"]))
        data[key] = 1
        return to_toml(data).encode(), key
    if what == "network":
        bad = draw(st.sampled_from(["delete", 5, ["net.toml"], "missing.toml"]))
        if isinstance(bad, str) and bad == "delete":
            del data["network"]
            return to_toml(data).encode(), "network"
        data["network"] = bad
        return to_toml(data).encode(), "missing.toml" if bad == "missing.toml" else "network"
    if what == "network.inline":
        net = draw(networks())
        field = draw(st.sampled_from(["frequency", "kind"]))
        net["nodes"][0][field] = -1.0 if field == "frequency" else "spin"
        data["network"] = net
        # inline tables of arrays: write the network as [network] sub-tables
        text = to_toml({k: v for k, v in data.items() if k != "network"})
        text += "".join(
            f"[[network.{sec}]]\n" + "".join(f"{_key(kk)} = {_value(vv)}\n" for kk, vv in item.items())
            for sec in ("nodes", "couplings", "baths")
            for item in net[sec]
        )
        return text.encode(), f"network.nodes[0].{field}"
    if what == "parameters":
        bad = draw(st.sampled_from(["delete", "empty", "string"]))
        if bad == "delete":
            del data["parameters"]
        else:
            data["parameters"] = {} if bad == "empty" else "T"
        return to_toml(data).encode(), "parameters"
    if what == "parameters.path":
        bad = draw(st.sampled_from(["nodes.ZZ.frequency", "baths.hot.colour", "couplings.N0-N9.strength", "x"]))
        data["parameters"] = {bad: [1.0, 2.0]}
        return to_toml(data).encode(), f"parameters.{bad}"
    if what == "axis":
        where = f"parameters.{path}"
        choice = draw(st.integers(0, 11))
        axis, field = [
            ({"linspace": [1.0, 2.0]}, f"{where}.linspace"),
            ({"linspace": [1.0, 2.0, 0]}, "(num)"),
            ({"linspace": [1.0, 2.0, "3"]}, "(num)"),
            ({"linspace": [float("nan"), 2.0, 3]}, "(start)"),
            ({"values": []}, f"{where}.values"),
            ({"values": [1.0, "a"]}, f"{where}.values[1]"),
            ([1.0, 1.0], where),
            ({"linspace": [1.0, 2.0, 3], "values": [1.0]}, where),
            ({"linspace": [1.0, 2.0, 3], "step": 1}, f"{where}.step"),
            ({"geomspace": [0.0, 2.0, 3]}, f"{where}.geomspace"),
            ({"logspace": [300, 400, 3]}, f"{where}.logspace"),
            ([-1.0, 2.0], where),
        ][choice]
        data["parameters"] = {path: axis}
        return to_toml(data).encode(), field
    if what == "approaches":
        bad, field = draw(
            st.sampled_from(
                [(["semi"], "approaches[0]"), ([], "approaches"), (["local", "local"], "approaches"), (5, "approaches")]
            )
        )
        data["approaches"] = bad
        return to_toml(data).encode(), field
    if what in ("bookkeeping", "engine", "fast_path", "chunk_size"):
        data[what] = draw(
            st.sampled_from(
                {
                    "bookkeeping": ["nude", 1],
                    "engine": ["magic", 2],
                    "fast_path": ["yes", 1],
                    "chunk_size": [0, -3, "10", True, 2.5],
                }[what]
            )
        )
        return to_toml(data).encode(), what
    if what == "options":
        bad, field = draw(
            st.sampled_from([(5, "options"), ({"cutoff": [1]}, "options.cutoff"), ({"x": True}, "options.x")])
        )
        data["options"] = bad
        return to_toml(data).encode(), field
    if what == "outputs":
        bad, field = draw(
            st.sampled_from([("heat", "outputs"), (["heat"], "outputs[0]"), (["status", "x"], "outputs[0]")])
        )
        data["outputs"] = bad
        return to_toml(data).encode(), field
    if what == "size":
        data["parameters"] = {
            path: {"linspace": [1.0, 3.0, 40_000]},
            "couplings.N0-N1.strength": {"geomspace": [1e-3, 0.1, 40_000]},
        }
        return to_toml(data).encode(), "parameters"
    raw = to_toml(data).encode()
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + draw(st.sampled_from([b"\xff", b"\n[[x\n", b"\n= =\n"])) + raw[at:], FILE


# --- the checks ----------------------------------------------------------------------------------------

_counter = itertools.count()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz")
    network = {
        "nodes": [{"name": "N0", "kind": "qubit", "frequency": 1.0}, {"name": "N1", "kind": "qubit", "frequency": 0.8}],
        "couplings": [{"nodes": ["N0", "N1"], "strength": 0.02}],
        "baths": [
            {"name": "hot", "node": "N0", "temperature": 2.0, "spectrum": {"kind": "flat", "rate": 0.01}},
            {"name": "cold", "node": "N1", "temperature": 1.0, "spectrum": {"kind": "flat", "rate": 0.01}},
        ],
    }
    (path / "net.toml").write_text(to_toml(network), encoding="utf-8")
    return path


def _check(result, field: str, outputs: list[Path]):
    where = f"exit {result.exit_code}; stderr {result.stderr!r}; stdout {result.stdout[:300]!r}"
    assert result.exit_code == 2, where
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), where
    assert field in lines[0], f"{field!r} not named: {where}"
    assert "Traceback" not in result.stderr + result.stdout and result.stdout == "", where
    for p in outputs:
        assert not p.exists(), f"{p} was written: {where}"


@settings(FUZZ_SETTINGS, max_examples=NETWORK_EXAMPLES)
@given(case=broken_network())
def test_fuzz_malformed_network_files(folder, case):
    content, field = case
    n = next(_counter)
    path = folder / f"net-{n}.toml"
    path.write_bytes(content)
    field = str(path) if field == FILE else field
    runner = CliRunner()
    _check(runner.invoke(cli, ["solve", str(path), "--json"]), field, [])
    plot = folder / f"plot-{n}.png"
    _check(
        runner.invoke(cli, ["evolve", str(path), "--t-final", "1", "--plot", str(plot)]),
        field,
        [plot, plot.with_suffix(".json")],
    )
    sweep_file = folder / f"sweep-{n}.toml"
    sweep_file.write_text(f'network = "{path.name}"\n[parameters]\n"baths.hot.temperature" = [1.5, 2.5]\n')
    out = folder / f"out-{n}.nc"
    _check(
        runner.invoke(cli, ["sweep", str(sweep_file), "--out", str(out)]),
        field,
        [out, out.with_name(out.name + ".partial")],
    )


@settings(FUZZ_SETTINGS, max_examples=SWEEP_EXAMPLES)
@given(case=broken_sweep())
def test_fuzz_malformed_sweep_files(folder, case):
    content, field = case
    n = next(_counter)
    path = folder / f"sweep-{n}.toml"
    path.write_bytes(content)
    field = str(path) if field == FILE else field
    out = folder / f"out-{n}.zarr" if n % 2 else folder / f"out-{n}.nc"
    result = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(out), "--no-progress"])
    _check(result, field, [out, out.with_name(out.name + ".partial")])
