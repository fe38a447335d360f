"""HEOM steady states: qheatnet's kernel vs QuTiP's ``HEOMSolver.steady_state``, same run.

Networks (Kato & Tanimura 2015 parameters: Drude–Lorentz baths with QuTiP's λ = 0.05 by default,
γ = 2, T_h = 2.02, T_c = 1.98; swap ε = 0.1; qubit frequencies ω_i = 1 + 0.05 i):

* 2 qubits, hot bath on q0, cold bath on q1;
* 3 qubits in a chain, baths on the end sites; and with a bath on every site (T from 2.02 to 1.98);
* 4 qubits in a chain, baths on the end sites.

For each, qheatnet's :func:`converged_heom` (rtol 1e-3) finds the depth and Padé terms; the table
reports them, the number of ADOs, the error estimate, the time of the whole convergence loop, and
the cost of one steady state at that setting (median of ``--repeat`` fresh solves, including the
construction of the hierarchy). QuTiP then solves the same truncation (same Padé expansion and
terminator, ``HEOMSolver(...).steady_state()``, construction included), once; ``ratio`` is QuTiP's
time over qheatnet's per-solve time and ``ΔJ`` the relative difference of the hot-bath currents
(QuTiP's current from its first-tier ADOs, computed here). Each measurement runs in its own
subprocess with one BLAS thread (``OPENBLAS_NUM_THREADS=1``) so that the peak memory is its own;
QuTiP is stopped after ``--timeout`` seconds.

Targets (issue 10): 2 qubits < 1 s per point with error estimate ≤ 1e-3, 3 qubits < 10 s, 4 qubits
with end baths < 60 s.

Run (about 1–3 minutes on a 2-core machine)::

    python benchmarks/bench_heom.py
    python benchmarks/bench_heom.py --lam 0.1 --timeout 600
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CASES = {
    "2 qubits": (2, False),
    "3 qubits, end baths": (3, False),
    "3 qubits, 3 baths": (3, True),
    "4 qubits, end baths": (4, False),
}
T_HOT, T_COLD, GAMMA, EPS = 2.02, 1.98, 2.0, 0.1


def network(n: int, all_baths: bool, lam: float):
    from qheatnet import Bath, Coupling, DrudeLorentz, Network, Node

    spec = DrudeLorentz(4 * lam / GAMMA, GAMMA)
    nodes = [Node(f"q{i}", "qubit", 1.0 + 0.05 * i) for i in range(n)]
    cps = [Coupling((f"q{i}", f"q{i + 1}"), EPS) for i in range(n - 1)]
    if all_baths:
        baths = [Bath(f"b{i}", f"q{i}", T_HOT + (T_COLD - T_HOT) * i / (n - 1), spec) for i in range(n)]
    else:
        baths = [Bath("b0", "q0", T_HOT, spec), Bath(f"b{n - 1}", f"q{n - 1}", T_COLD, spec)]
    return Network(nodes, cps, baths)


def _rss_gb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def run_qheatnet(n, all_baths, lam, repeat):
    from qheatnet.solvers.heom import converged_heom, heom_problem, heom_steady_state

    net = network(n, all_baths, lam)
    heom_problem(net)  # warm-up: imports (QuTiP's environment module) are not part of the cost
    heom_steady_state(heom_problem(network(2, False, lam)), depth=1, terms=0)
    t0 = time.perf_counter()
    res = converged_heom(heom_problem(net))
    loop = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        one = heom_steady_state(heom_problem(net), depth=res.depth, terms=res.terms)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "depth": res.depth,
        "terms": res.terms,
        "n_ados": res.n_ados,
        "unknowns": res.unknowns,
        "error_estimate": res.error_estimate,
        "loop_s": loop,
        "solve_s": times[len(times) // 2],
        "J": one.heat_currents["b0"],
        "rss_gb": _rss_gb(),
        "memory_estimate_gb": one.memory_estimate / 2**30,
    }


def run_qutip(n, all_baths, lam, depth, terms):
    import numpy as np
    import qutip as qt
    from qutip.core.environment import DrudeLorentzEnvironment, system_terminator
    from qutip.solver.heom import HEOMSolver

    net = network(n, all_baths, lam)
    sm = qt.destroy(2)

    def site(i, a):
        ops = [qt.qeye(2)] * n
        ops[i] = a
        return qt.tensor(ops)

    low = [site(i, sm) for i in range(n)]
    h = sum(node.frequency * low[i].dag() * low[i] for i, node in enumerate(net.nodes))
    for i in range(n - 1):
        h = h + EPS * (low[i].dag() * low[i + 1] + low[i + 1].dag() * low[i])
    t0 = time.perf_counter()
    liou, baths, info = qt.liouvillian(h), [], []
    for b in net.baths:
        i = int(b.node[1:])
        q = low[i] + low[i].dag()
        env = DrudeLorentzEnvironment(b.temperature, lam, GAMMA)
        approx, delta = env.approximate("pade", Nk=terms, compute_delta=True, tag=b.name)
        baths.append((approx, q))
        liou = liou + system_terminator(q, delta)
        info.append((b.name, q, delta))
    rho, ados = HEOMSolver(liou, baths, max_depth=depth).steady_state()
    wall = time.perf_counter() - t0
    name, q, delta = info[0]
    eta = 0 * rho
    for label in ados.filter(level=1, tags=[name]):
        eta = eta + ados.extract(label)
    d_rho = -1j * (q * eta - eta * q) - delta * (q * (q * rho - rho * q) - (q * rho - rho * q) * q)
    return {"solve_s": wall, "J": float(np.real((h * d_rho).tr())), "rss_gb": _rss_gb()}


def _sub(args, timeout):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--worker", json.dumps(args)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s (stopped)"}
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last.split(": ", 1)[-1][:160]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lam", type=float, default=0.05, help="QuTiP's λ of every bath (default 0.05)")
    ap.add_argument("--repeat", type=int, default=3, help="fresh qheatnet solves per case (median)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per QuTiP case")
    ap.add_argument("--cases", nargs="*", default=list(CASES), help="subset of: " + ", ".join(CASES))
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        w = json.loads(args.worker)
        fn = run_qheatnet if w.pop("tool") == "qheatnet" else run_qutip
        print(json.dumps(fn(**w)))
        return
    print(f"HEOM steady states, λ = {args.lam}, γ = {GAMMA}, T = {T_HOT}/{T_COLD}, ε = {EPS}; rtol 1e-3")
    head = (
        f"{'case':<21} {'depth':>5} {'terms':>5} {'ADOs':>6} {'unknowns':>9} {'err est':>8} {'loop s':>7} "
        f"{'solve s':>8} {'QuTiP s':>8} {'ratio':>6} {'ΔJ':>8} {'GB ours/QuTiP':>14}"
    )
    print(head)
    print("-" * len(head))
    for name in args.cases:
        n, all_baths = CASES[name]
        ours = _sub({"tool": "qheatnet", "n": n, "all_baths": all_baths, "lam": args.lam, "repeat": args.repeat}, 3600)
        if "error" in ours:
            print(f"{name:<21} qheatnet failed: {ours['error']}")
            continue
        ref = _sub(
            {
                "tool": "qutip",
                "n": n,
                "all_baths": all_baths,
                "lam": args.lam,
                "depth": ours["depth"],
                "terms": ours["terms"],
            },
            args.timeout,
        )
        if "error" in ref:
            q, ratio, dj, qmem = ref["error"], "", "", "–"
        else:
            q = f"{ref['solve_s']:.3f}"
            ratio = f"{ref['solve_s'] / ours['solve_s']:.1f}"
            dj = f"{abs(ours['J'] / ref['J'] - 1):.1e}"
            qmem = f"{ref['rss_gb']:.2f}"
        print(
            f"{name:<21} {ours['depth']:>5} {ours['terms']:>5} {ours['n_ados']:>6} {ours['unknowns']:>9} "
            f"{ours['error_estimate']:>8.1e} {ours['loop_s']:>7.2f} {ours['solve_s']:>8.3f} {q:>8} {ratio:>6} "
            f"{dj:>8} {ours['rss_gb']:>6.2f}/{qmem:<7}"
        )
    print(
        "loop s: whole convergence loop; solve s: one steady state at the converged setting (median); "
        "QuTiP s: HEOMSolver + steady_state at the same setting; ratio = QuTiP s / solve s; "
        "ΔJ = |J_qheatnet/J_QuTiP − 1| (hot bath); GB: peak resident memory of each subprocess"
    )


if __name__ == "__main__":
    main()
