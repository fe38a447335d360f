"""Benchmark: the whole ``solve(net, "global")`` call of an oscillator network against a numpy baseline.

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gaussian_cost.py
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_gaussian_cost.py --before /path/to/old/src

Issue 12, item 4: the Gaussian path should cost little more than the physics it needs. The baseline,
measured in the same process, is what a numpy user would write for the global (Davies) currents:
the normal modes (``scipy.linalg.eigh_tridiagonal`` for a chain, ``numpy.linalg.eigh`` for another
graph) and, per mode k, J_α = Σ_k ω_k Σ_β (A_αk E_βk − A_βk E_αk)/Σ_β D_βk with E, A, D = J(ω)(1 + n),
J(ω) n, J(ω) times |U_sk|² (ohmic J(ω) = κ ω e^{−ω/ω_c}).

Cases: a uniform chain (ω_i = 1, ε = 0.05, ohmic κ = 0.02, ω_c = 5, T = 2 on the first node and 1 on
the last), N from ``--sizes``; a ring with weak disorder (ω_i = 1 + 0.001 r_i: no degenerate modes, not localised),
N = ``--graph-n``; the local approach on a chain of ``--local-n`` nodes (no baseline: its cost is the
secular-equation homotopy of qheatnet.solvers.gaussian; listed to show it does not regress).

Each tree (this one, and ``--before SRC`` if given) runs in its own process; every time is the median
of ``--repeat`` warm calls (wall seconds), plus a "first call" row: a fresh process timing its first
``solve`` (lazy imports included) against a fresh process timing ``import scipy.linalg`` + the baseline.
Columns: N, approach, tree, qheatnet s, numpy s, ratio, |ΔJ|/|J| (qheatnet against the baseline).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

KAPPA, CUT = 0.02, 5.0


def network(n, kind):
    import numpy as np

    from qheatnet import Bath, Coupling, Network, Node, Ohmic

    if kind == "ring":
        w = 1.0 + 0.001 * np.random.default_rng(1).standard_normal(n)
        edges = [(i, (i + 1) % n) for i in range(n)]
    else:
        w = np.ones(n)
        edges = [(i, i + 1) for i in range(n - 1)]
    nodes = [Node(f"n{i}", "oscillator", float(w[i])) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{j}"), 0.05) for i, j in edges]
    cold = n // 2 if kind == "ring" else n - 1
    baths = [Bath("hot", "n0", 2.0, Ohmic(KAPPA, CUT)), Bath("cold", f"n{cold}", 1.0, Ohmic(KAPPA, CUT))]
    return Network(nodes, cps, baths), w, edges, (0, cold)


def baseline(w, edges, sites, temps=(2.0, 1.0)):
    """J_hot of the global approach with plain numpy/scipy (see the module docstring)."""
    import numpy as np
    import scipy.linalg as sla

    n = len(w)
    if all(j == i + 1 for i, j in edges):
        omega, u = sla.eigh_tridiagonal(np.asarray(w, float), np.full(n - 1, 0.05))
    else:
        h = np.diag(w)
        for i, j in edges:
            h[i, j] = h[j, i] = 0.05
        omega, u = np.linalg.eigh(h)
    jw = KAPPA * omega * np.exp(-omega / CUT)
    occ = [1.0 / np.expm1(omega / t) for t in temps]
    d = [u[s] ** 2 * jw for s in sites]
    e = [dk * (1 + nk) for dk, nk in zip(d, occ)]
    a = [dk * nk for dk, nk in zip(d, occ)]
    return float(np.sum(omega * (a[0] * e[1] - a[1] * e[0]) / (d[0] + d[1])))


def median_time(repeat, fn, *args):
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], out


def worker(cases, repeat):
    from qheatnet import solve

    rows = []
    for n, kind, approach in cases:
        net, w, edges, sites = network(n, kind)
        solve(net, approach)  # warm: lazy imports, first-touch allocations
        tq, res = median_time(repeat, solve, net, approach)
        jq = res.heat_currents["hot"]
        if approach == "global":
            baseline(w, edges, sites)
            tb, jb = median_time(repeat, baseline, w, edges, sites)
        else:
            tb = jb = None
        rows.append({"n": n, "kind": kind, "approach": approach, "q": tq, "b": tb, "jq": jq, "jb": jb})
    return rows


def first_call(n):
    """First solve in a fresh process (qheatnet imported, scipy not necessarily)."""
    net, *_ = network(n, "chain")
    from qheatnet import solve

    t = time.perf_counter()
    res = solve(net, "global")
    return {"q": time.perf_counter() - t, "jq": res.heat_currents["hot"]}


def first_baseline(n):
    t = time.perf_counter()
    import scipy.linalg  # noqa: F401  (part of the first call's cost, as in qheatnet's)

    j = baseline([1.0] * n, [(i, i + 1) for i in range(n - 1)], (0, n - 1))
    return {"b": time.perf_counter() - t, "jb": j}


def run(src, mode, payload):
    env = dict(os.environ, PYTHONPATH=str(src))
    cmd = [sys.executable, __file__, "--worker", mode, json.dumps(payload)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    p.add_argument("--graph-n", type=int, default=1000)
    p.add_argument("--local-n", type=int, default=4000, help="0 skips the local row")
    p.add_argument("--first-n", type=int, default=1000, help="0 skips the first-call row")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--before", type=Path, help="another source tree (its src/) to time in the same run")
    p.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        mode, payload = args.worker[0], json.loads(args.worker[1])
        out = {
            "warm": lambda: worker(payload["cases"], payload["repeat"]),
            "first": lambda: first_call(payload["n"]),
            "first_baseline": lambda: first_baseline(payload["n"]),
        }[mode]()
        print(json.dumps(out))
        return
    here = Path(__file__).resolve().parents[1] / "src"
    trees = [("this", here)] + ([("before", args.before.resolve())] if args.before else [])
    cases = [(n, "chain", "global") for n in args.sizes] + [(args.graph_n, "ring", "global")]
    if args.local_n:
        cases.append((args.local_n, "chain", "local"))
    print(f"{'N':>6} {'case':<28} {'tree':<7} {'qheatnet s':>11} {'numpy s':>9} {'ratio':>7} {'|ΔJ|/|J|':>9}")
    results = {}
    for name, src in trees:
        for r in run(src, "warm", {"cases": cases, "repeat": args.repeat}):
            results.setdefault((r["n"], r["kind"], r["approach"]), []).append((name, r))
        if args.first_n:
            q = run(src, "first", {"n": args.first_n})
            b = run(src, "first_baseline", {"n": args.first_n})
            results.setdefault((args.first_n, "chain", "global, first call"), []).append((name, {**q, **b}))
    for (n, kind, approach), per_tree in results.items():
        for name, r in per_tree:
            label = f"{kind} {approach}"
            if r.get("b") is None:
                print(f"{n:>6} {label:<28} {name:<7} {r['q']:>11.4f} {'-':>9} {'-':>7} {'-':>9}")
                continue
            dj = abs(r["jq"] - r["jb"]) / abs(r["jb"])
            ratio = r["q"] / r["b"]
            print(f"{n:>6} {label:<28} {name:<7} {r['q']:>11.4f} {r['b']:>9.4f} {ratio:>7.2f} {dj:>9.1e}")


if __name__ == "__main__":
    main()
