"""Benchmark: heat current through a chain of N oscillators with baths at both ends.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_chain.py              # N = 1000, 4000
    .venv/bin/python benchmarks/bench_chain.py --sizes 250 1000 --disorder 0.005

Each case runs in its own process so that the peak memory (ru_maxrss) is that
of the case alone. The chain: ω_i = 1 (+ uniform disorder of width W), swap
coupling ε = 0.05 between neighbours, ohmic baths (κ = 0.02, cut-off 5) at
T = 2 on the first node and T = 1 on the last. Graded or strongly disordered
chains are Anderson/Wannier–Stark localised and carry currents far below any
resolvable scale (see MEASURED.md); the engine reports them with the
SLOW_NORMAL_MODE diagnostic.

Columns: cpu_s = CPU seconds of ``solve`` (whole call: validation, the
diagnostics' eigenvalue checks and the engine), engine_s = CPU seconds of the
engine alone, peak_MB = peak resident memory of the process, |ΣJ|/|J| =
first-law residual relative to the current, dense = relative difference of
J from the dense O(N³) reference (only where N ≤ --dense-max).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np


def chain(n, disorder=0.0, eps=0.05, seed=1):
    from qheatnet import Bath, Coupling, Network, Node, Ohmic

    rng = np.random.default_rng(seed)
    w = 1.0 + disorder * (rng.random(n) - 0.5)
    nodes = [Node(f"n{i}", "oscillator", float(w[i])) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), eps) for i in range(n - 1)]
    baths = [Bath("hot", "n0", 2.0, Ohmic(0.02, 5.0)), Bath("cold", f"n{n - 1}", 1.0, Ohmic(0.02, 5.0))]
    return Network(nodes, cps, baths)


def one_case(n, approach, disorder, dense_max):
    from qheatnet import solve
    from qheatnet.engines.base import Problem
    from qheatnet.engines.choose import run_steady

    net = chain(n, disorder)
    t0, w0 = time.process_time(), time.perf_counter()
    res = solve(net, approach)
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    t0 = time.process_time()
    run_steady(Problem(net, approach, "full"), "gaussian")
    eng = time.process_time() - t0
    j = res.heat_currents["hot"]
    dense = None
    if approach == "local" and n <= dense_max:
        ref = solve(net, "local", method="dense").heat_currents["hot"]
        dense = abs(j - ref) / abs(ref)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "N": n,
        "approach": approach,
        "engine": f"{res.engine}/{res.solver.get('method')}",
        "cpu_s": cpu,
        "wall_s": wall,
        "engine_s": eng,
        "peak_MB": peak,
        "J": j,
        "first_law_rel": abs(res.first_law_residual) / abs(j),
        "dense": dense,
        "diagnostics": sorted({d.code for d in res.diagnostics}),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    p.add_argument("--approaches", nargs="+", default=["local", "global"])
    p.add_argument("--disorder", type=float, default=0.0)
    p.add_argument("--dense-max", type=int, default=300)
    p.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.case:
        print(json.dumps(one_case(int(a.case[0]), a.case[1], a.disorder, a.dense_max)))
        return
    head = f"{'N':>6} {'approach':<8} {'engine':<22} {'cpu_s':>7} {'wall_s':>7} {'engine_s':>8} {'peak_MB':>8} "
    head += f"{'J_hot':>12} {'|ΣJ|/|J|':>9} {'vs dense':>9}  diagnostics"
    print(f"# chain, disorder W = {a.disorder}, ε = 0.05, ohmic baths κ = 0.02 at T = 2 | 1")
    print(head)
    for n in a.sizes:
        for ap in a.approaches:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--case",
                    str(n),
                    ap,
                    "--disorder",
                    str(a.disorder),
                    "--dense-max",
                    str(a.dense_max),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            dense = "" if r["dense"] is None else f"{r['dense']:.1e}"
            print(
                f"{r['N']:>6} {r['approach']:<8} {r['engine']:<22} {r['cpu_s']:>7.2f} {r['wall_s']:>7.2f} "
                f"{r['engine_s']:>8.2f} {r['peak_MB']:>8.0f} {r['J']:>12.5e} {r['first_law_rel']:>9.1e} "
                f"{dense:>9}  {','.join(r['diagnostics'])}",
                flush=True,
            )


if __name__ == "__main__":
    main()
