"""Qubit chains: qheatnet vs ``qutip.steadystate``, time and peak memory, N = 2 … 10.

The chain of issue 4: N qubits, ω_i = 1 + 0.1 i, swap ε = 0.05, hot bath
(T = 2) on the first and cold bath (T = 1) on the last qubit, flat rate 0.01.

Every case runs in its own subprocess (fresh interpreter, one BLAS thread,
``OPENBLAS_NUM_THREADS=1``) so that its peak resident memory (ru_maxrss) is
its own; the wall time covers the solve only (imports and, for QuTiP, the
construction of H and the collapse operators are excluded). QuTiP gets
qheatnet's exported H and collapse operators (``qheatnet.interop.qutip``)
and its default ``steadystate`` (direct sparse solve of the full 4^N
Liouvillian). Columns:

* ``qheatnet``: ``qheatnet.solve`` with the engine that "auto" picks
  (local: free fermions; global: eigenbasis rate equation);
* ``generic``: qheatnet's generic sparse Liouvillian on the q-diagonal blocks
  (``engine="fock"``), to show what the structure buys;
* ``qutip``: ``qutip.steadystate``; ``ratio`` = qutip time / qheatnet time;
* ``ΔJ``: largest |J_qheatnet − J_qutip| relative to |J|.

A case that exceeds ``--timeout`` seconds (``--timeout-qheatnet`` for the
qheatnet column) or ``--mem-gb`` of address space is
stopped and reported; larger N for that column are then skipped, as are N
whose time, extrapolated from the two previous N, would exceed the timeout.

Run (about 5–10 minutes on a 2-core machine)::

    python benchmarks/bench_qubits.py                 # N = 2 … 10, local and global
    python benchmarks/bench_qubits.py --global-nmax 14 --no-generic
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CHAIN = {"eps": 0.05, "rate": 0.01, "t_hot": 2.0, "t_cold": 1.0}


def chain(n):
    from qheatnet import Bath, Coupling, Flat, Network, Node

    nodes = [Node(f"q{i}", "qubit", 1.0 + 0.1 * i) for i in range(n)]
    couplings = [Coupling((f"q{i}", f"q{i + 1}"), CHAIN["eps"]) for i in range(n - 1)]
    baths = [
        Bath("hot", "q0", CHAIN["t_hot"], Flat(CHAIN["rate"])),
        Bath("cold", f"q{n - 1}", CHAIN["t_cold"], Flat(CHAIN["rate"])),
    ]
    return Network(nodes, couplings, baths)


def worker(tool: str, approach: str, n: int, mem_gb: float) -> dict:
    """One measurement (runs in the subprocess)."""
    import resource

    limit = int(mem_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    net = chain(n)
    from qheatnet import solve

    if tool == "qutip":
        import qutip

        from qheatnet.interop.qutip import heat_currents, to_qutip

        model = to_qutip(net, approach)
        h, c_ops = model.hamiltonian, model.all_c_ops()
        t0, c0 = time.perf_counter(), time.process_time()
        rho = qutip.steadystate(h, c_ops)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        currents = heat_currents(model, rho)
        info = "steadystate(direct), full space"
    else:
        engine = "auto" if tool == "qheatnet" else "fock"
        t0, c0 = time.perf_counter(), time.process_time()
        res = solve(net, approach, engine=engine)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        currents = dict(res.heat_currents)  # a read-only mapping: JSON needs a dict
        path = res.solver.get("path", res.solver.get("structure", ""))
        info = res.engine + (" (fell back to the generic Liouvillian)" if path.startswith("generic") else "")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB → GiB
    return {"wall": wall, "cpu": cpu, "rss_gb": rss, "currents": currents, "info": info}


def measure(tool, approach, n, timeout, mem_gb) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--worker", tool, approach, str(n), str(mem_gb)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:g} s (stopped)"}
    if out.returncode != 0:
        tail = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        if "MemoryError" in out.stderr or "Unable to allocate" in out.stderr or out.returncode < 0:
            return {"error": f"> {mem_gb:g} GB (stopped)"}
        return {"error": tail[:60]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(r):
    if r is None:
        return "—", "—"
    if "error" in r:
        return r["error"], ""
    return f"{r['wall']:.3g} s", f"{r['rss_gb']:.2f} GB"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nmin", type=int, default=2)
    p.add_argument("--nmax", type=int, default=10)
    p.add_argument("--global-nmax", type=int, default=None, help="go further for qheatnet's global engine alone")
    p.add_argument("--approach", nargs="+", default=["local", "global"])
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per case before it is stopped")
    p.add_argument("--timeout-qheatnet", type=float, default=600.0, help="the same for the qheatnet column")
    p.add_argument("--mem-gb", type=float, default=7.0, help="address-space limit per case (GiB)")
    p.add_argument("--no-generic", action="store_true", help="skip qheatnet's generic Liouvillian column")
    p.add_argument("--json", help="also write all measurements to this file")
    p.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        tool, approach, n, mem = args.worker
        print(json.dumps(worker(tool, approach, int(n), float(mem))))
        return
    tools = ["qheatnet"] + ([] if args.no_generic else ["generic"]) + ["qutip"]
    rows = []
    for approach in args.approach:
        nmax = args.nmax if approach == "local" or args.global_nmax is None else max(args.nmax, args.global_nmax)
        history: dict[str, list] = {t: [] for t in tools}
        stopped: dict[str, str] = {}
        for n in range(args.nmin, nmax + 1):
            row = {"approach": approach, "N": n}
            for tool in tools:
                if tool != "qheatnet" and n > args.nmax:
                    row[tool] = None
                    continue
                if tool in stopped:
                    row[tool] = {"error": stopped[tool]}
                    continue
                hist = history[tool]
                timeout = args.timeout_qheatnet if tool == "qheatnet" else args.timeout
                if len(hist) >= 2 and hist[-2] > 0:
                    growth = max(hist[-1] / hist[-2], 2.0)
                    if hist[-1] * growth > timeout:
                        stopped[tool] = f"skipped (predicted ≈{hist[-1] * growth:.0f} s)"
                        row[tool] = {"error": stopped[tool]}
                        continue
                r = measure(tool, approach, n, timeout, args.mem_gb)
                row[tool] = r
                if "error" in r:
                    stopped[tool] = f"skipped (N={n}: {r['error']})"
                else:
                    hist.append(r["wall"])
            q, m = row.get("qheatnet"), row.get("qutip")
            if q and m and "error" not in q and "error" not in m:
                row["ratio"] = m["wall"] / q["wall"]
                scale = max(abs(v) for v in m["currents"].values())
                row["dJ"] = max(abs(q["currents"][k] - m["currents"][k]) for k in m["currents"]) / scale
            rows.append(row)
            _print_row(row, tools)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


_HEADER_DONE = set()


def _print_row(row, tools):
    key = row["approach"]
    if key not in _HEADER_DONE:
        _HEADER_DONE.add(key)
        cols = "".join(f" | {t + ' time':>22} | {t + ' mem':>9}" for t in tools)
        print(f"\n{key}: chain ω_i = 1 + 0.1 i, ε = 0.05, flat rate 0.01, T = 2 | 1 (one BLAS thread)")
        print(f"{'N':>3}{cols} | {'ratio':>7} | {'ΔJ':>8} | qheatnet path")
    cells = ""
    for t in tools:
        a, b = _fmt(row.get(t))
        cells += f" | {a:>22} | {b:>9}"
    ratio = f"{row['ratio']:.3g}" if "ratio" in row else "—"
    dj = f"{row['dJ']:.1e}" if "dJ" in row else "—"
    q = row.get("qheatnet") or {}
    print(f"{row['N']:>3}{cells} | {ratio:>7} | {dj:>8} | {q.get('info', '')}", flush=True)


if __name__ == "__main__":
    main()
