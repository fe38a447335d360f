"""This checkout against an earlier revision, case by case, measured in the same run.

Written for the engine-layer issue ("benchmarks/ shows no case slower than before"): every case runs
in a fresh subprocess (one BLAS thread) against the source tree of this checkout and against the
source tree of ``--baseline`` (exported with ``git archive`` to a temporary folder), alternating,
``--repeat`` times. "warm" is the best of ``--warm`` repeated calls in one process (the cost of the
computation); "cold" is ``import qheatnet`` plus the first call (what a script or the CLI pays: since
the engine layer, modules are imported on first use rather than by ``import qheatnet``). The last
column is the largest relative difference of the heat currents between the two (the same physics
must come out).

Run::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_engine_layer.py --baseline 6dba2eb
    .venv/bin/python benchmarks/bench_engine_layer.py --baseline 6dba2eb --cases qubits-2-global chain-1000-local

Machines here are shared: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: case name → Python code that builds ``net`` (with qheatnet's names imported) and the solve call.
CASES: dict[str, tuple[str, str]] = {
    "qubits-2-local": ("net = Network.two_node('qubit', 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))", "solve(net, 'local')"),
    "qubits-2-global": (
        "net = Network.two_node('qubit', 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))",
        "solve(net, 'global')",
    ),
    "qubit-chain-8-local": ("net = qchain(8)", "solve(net, 'local')"),
    "qubit-chain-8-global": ("net = qchain(8)", "solve(net, 'global')"),
    "qubit-chain-8-local-fock": ("net = qchain(8)", "solve(net, 'local', engine='fock')"),
    "qubit-ring-6-global": ("net = qring(6)", "solve(net, 'global')"),
    "oscillators-2-local-fock": (
        "net = Network.two_node('oscillator', 1.0, 0.8, 0.05, 0.5, 0.3, Flat(0.01))",
        "solve(net, 'local', engine='fock')",
    ),
    "chain-1000-local": ("net = ochain(1000)", "solve(net, 'local')"),
    "chain-1000-global": ("net = ochain(1000)", "solve(net, 'global')"),
    "chain-4000-global": ("net = ochain(4000)", "solve(net, 'global')"),
    "oscillators-2-exact": (
        "net = Network.two_node('oscillator', 1.0, 0.8, 0.05, 2.0, 1.0, Ohmic(1e-3, 5.0))",
        "solve(net, 'exact')",
    ),
    "fig2-map-closed-form": (
        "net = Network.two_node('oscillator', 10.0, 5.0, 1e-4, 12.0, 10.0, Phonon3D(1e-7)); import numpy as np\n"
        "from qheatnet.sweeps import two_node_map",
        "two_node_map(net, {'nodes.A.frequency': np.linspace(1, 20, 400), 'baths.hot.temperature': "
        "np.linspace(1, 30, 400)}, ['local', 'global'])",
    ),
    "sweep-qubits-64-serial": (
        "net = qchain(3); import numpy as np\nfrom qheatnet import sweep",
        "sweep(net, {'couplings.q0-q1.strength': np.geomspace(1e-3, 0.1, 8), 'baths.hot.temperature': "
        "np.linspace(1.5, 3, 8)}, ['local', 'global'], workers=1)",
    ),
    "evolve-qubits-2-global": (
        "net = Network.two_node('qubit', 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.05))\n"
        "try:\n    from qheatnet import evolve\nexcept ImportError:  # the tree before the engine layer\n"
        "    from qheatnet.analysis.evolve import evolve",
        "evolve(net, 'global', t_final=100.0, steps=200, initial=3.0)",
    ),
}

_PRELUDE = """
import json, time, sys
t0 = time.perf_counter()
from qheatnet import *
IMPORT_SECONDS = time.perf_counter() - t0
def qchain(n):
    return Network(nodes=[Node(f"q{i}", "qubit", 1.0 + 0.1 * i) for i in range(n)],
                   couplings=[Coupling((f"q{i}", f"q{i+1}"), 0.05) for i in range(n - 1)],
                   baths=[Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", f"q{n-1}", 1.0, Flat(0.01))])
def qring(n):
    return Network(nodes=[Node(f"q{i}", "qubit", 1.0 + 0.07 * i) for i in range(n)],
                   couplings=[Coupling((f"q{i}", f"q{(i+1) % n}"), 0.05) for i in range(n)],
                   baths=[Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", f"q{n//2}", 1.0, Flat(0.01))])
def ochain(n):
    return Network(nodes=[Node(f"n{i}", "oscillator", 1.0) for i in range(n)],
                   couplings=[Coupling((f"n{i}", f"n{i+1}"), 0.05) for i in range(n - 1)],
                   baths=[Bath("hot", "n0", 2.0, Ohmic(0.02, 5.0)), Bath("cold", f"n{n-1}", 1.0, Ohmic(0.02, 5.0))])
"""

_EPILOGUE = """
t0 = time.perf_counter()
out = {call}
first = time.perf_counter() - t0 + IMPORT_SECONDS
dt = float("inf")
for _ in range(WARM):
    t0 = time.perf_counter()
    out = {call}
    dt = min(dt, time.perf_counter() - t0)
cur = {{}}
if hasattr(out, "heat_currents"):
    cur = {{k: float(v[-1]) if hasattr(v, "__len__") else float(v) for k, v in out.heat_currents.items()}}
elif hasattr(out, "heat_current"):
    cur = {{"sum": float(abs(out.heat_current).sum())}}
print(json.dumps({{"seconds": dt, "cold": first, "currents": cur}}))
"""


def _run(src: Path, case: str, timeout: float, warm: int) -> dict:
    setup, call = CASES[case]
    code = _PRELUDE + setup + f"\nWARM = {warm}\n" + _EPILOGUE.format(call=call)
    env = dict(os.environ, PYTHONPATH=str(src), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    try:
        out = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        return {"seconds": float("inf"), "cold": float("inf"), "currents": {}, "error": f"> {timeout:g} s"}
    if out.returncode:
        return {
            "seconds": float("nan"),
            "cold": float("nan"),
            "currents": {},
            "error": out.stderr.strip().splitlines()[-1][:80],
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(rev: str, dest: Path) -> Path:
    archive = dest / "src.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), rev, "src"], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", required=True, help="git revision to compare with (e.g. 6dba2eb)")
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--warm", type=int, default=2, help="repeated calls in one process after the first (warm time)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old_src = _export(args.baseline, Path(tmp))
        new_src = ROOT / "src"
        print(
            f"{'case':<28} {'old warm':>10} {'new warm':>10} {'new/old':>8} {'old cold':>10} {'new cold':>10} "
            f"{'new/old':>8} {'max ΔJ/J':>10}"
        )
        for case in args.cases:
            best = {"old": float("inf"), "new": float("inf")}
            cold = {"old": float("inf"), "new": float("inf")}
            cur: dict[str, dict] = {}
            errors = []
            for _ in range(args.repeat):
                for tag, src in (("old", old_src), ("new", new_src)):
                    r = _run(src, case, args.timeout, args.warm)
                    if "error" in r:
                        errors.append(f"{tag}: {r['error']}")
                    best[tag] = min(best[tag], r["seconds"])
                    cold[tag] = min(cold[tag], r["cold"])
                    cur[tag] = r.get("currents", {}) or cur.get(tag, {})
            diff = max(
                (
                    abs(cur["new"][k] - v) / max(abs(v), 1e-300)
                    for k, v in cur.get("old", {}).items()
                    if k in cur.get("new", {})
                ),
                default=float("nan"),
            )
            ratio = best["new"] / best["old"] if best["old"] > 0 else float("nan")
            cratio = cold["new"] / cold["old"] if cold["old"] > 0 else float("nan")
            note = f"  ({'; '.join(sorted(set(errors)))})" if errors else ""
            print(
                f"{case:<28} {best['old']:>10.4f} {best['new']:>10.4f} {ratio:>8.2f} {cold['old']:>10.4f} "
                f"{cold['new']:>10.4f} {cratio:>8.2f} {diff:>10.1e}{note}"
            )


if __name__ == "__main__":
    main()
