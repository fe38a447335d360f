"""The generic Fock-space path at the physical limit (issue 12): wall time of ``solve`` per case.

Run ``PYTHONPATH=<tree>/src OPENBLAS_NUM_THREADS=1 python benchmarks/bench_generic.py <case>`` once with the
tree to compare against and once with this one, in the same session (the machine is shared).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from qheatnet import Bath, Coupling, Flat, Network, Node, solve
from qheatnet.io.network_file import load_network

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def qring(n, degenerate=False, nb=2):
    w = [1.0] * n if degenerate else [1.0 + 0.07 * i for i in range(n)]
    nodes = [Node(f"q{i}", "qubit", w[i]) for i in range(n)]
    cps = [Coupling((f"q{i}", f"q{(i + 1) % n}"), 0.05) for i in range(n)]
    baths = [Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", f"q{n // 2}", 1.0, Flat(0.01))]
    if nb == 3:
        baths.append(Bath("mid", f"q{n // 4}", 1.5, Flat(0.01)))
    return Network(nodes=nodes, couplings=cps, baths=baths)


def qstar(n):
    nodes = [Node(f"q{i}", "qubit", 1.0 + 0.05 * i) for i in range(n)]
    cps = [Coupling(("q0", f"q{i}"), 0.05) for i in range(1, n)]
    baths = [Bath("hot", "q1", 2.0, Flat(0.01)), Bath("cold", f"q{n - 1}", 1.0, Flat(0.01))]
    return Network(nodes=nodes, couplings=cps, baths=baths)


CASES = {
    "mixed-global": lambda: (load_network(EXAMPLES / "oscillator-qubit-cold.toml"), "global"),
    "ring8-3b-local": lambda: (qring(8, nb=3), "local"),
    "ring8-3b-global": lambda: (qring(8, nb=3), "global"),
    "star8-local": lambda: (qstar(8), "local"),
    "ring6-local": lambda: (qring(6), "local"),
    "ring6-global": lambda: (qring(6), "global"),
    "ring4-global": lambda: (qring(4), "global"),
    "ring10-local": lambda: (qring(10), "local"),
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(CASES):
        net, approach = CASES[name]()
        t = time.perf_counter()
        try:
            r = solve(net, approach)
            out = {"J": dict(r.heat_currents), "engine": r.engine}
        except Exception as exc:  # refusals are results too
            out = {"refused": f"{type(exc).__name__}: {str(exc)[:80]}"}
        print(json.dumps({"case": name, "s": round(time.perf_counter() - t, 3), **out}), flush=True)
