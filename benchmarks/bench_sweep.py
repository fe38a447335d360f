"""Points per second of a parameter sweep: serial, process pool, Dask, and the two-node fast path.

Usage::

    python benchmarks/bench_sweep.py [--points 400] [--workers 2]

Per-point solves use the two-qubit network of examples/two-qubits.toml
(global approach, every point through qheatnet.solve: fast_path=False),
swept over the coupling and the hot temperature. The fast path is the
Fig. 2 map of Levy & Kosloff (2014), 400 × 400 points, local and global.
Dask uses a LocalCluster of ``--workers`` processes; its start-up time is
reported apart. Wall-clock seconds, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import xarray as xr

from qheatnet import Flat, Network, Phonon3D
from qheatnet.sweeps import make_spec, run_sweep


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=400, help="per-point solves (a square grid, rounded)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()

    side = max(2, int(round(args.points**0.5)))
    qubits = Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))
    spec = make_spec(
        qubits,
        {"couplings.A-B.strength": np.geomspace(1e-3, 0.2, side), "baths.hot.temperature": np.linspace(1, 3, side)},
        ["global"],
        fast_path=False,
    )
    n = spec.n_points
    rows = []
    t, ref = best(lambda: run_sweep(spec, workers=1), args.repeat)
    rows.append(("serial (1 process)", n, t))
    t, pool = best(lambda: run_sweep(spec, workers=args.workers), args.repeat)
    xr.testing.assert_identical(ref, pool)
    rows.append((f"process pool ({args.workers} workers, incl. start)", n, t))
    if not args.no_dask:
        from dask.distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        start = time.perf_counter() - t0
        t, on_dask = best(lambda: run_sweep(spec, client=client), args.repeat)
        xr.testing.assert_identical(ref, on_dask)
        rows.append((f"Dask LocalCluster ({args.workers} workers; start-up {start:.1f} s not incl.)", n, t))
        client.close()
        cluster.close()

    paper = Network.two_node("oscillator", 10.0, 5.0, 1e-4, 12.0, 10.0, Phonon3D(1e-7))
    fig2 = make_spec(
        paper,
        {"nodes.A.frequency": np.linspace(1, 20, 400), "baths.hot.temperature": np.linspace(1, 30, 400)},
        ["local", "global"],
    )
    t, _ = best(lambda: run_sweep(fig2), args.repeat)
    rows.append(("two-node closed forms (Fig. 2, local + global)", fig2.n_points * 2, t))

    print(f"{'mode':<62} {'points':>8} {'seconds':>8} {'points/s':>10}")
    for name, pts, sec in rows:
        print(f"{name:<62} {pts:>8} {sec:>8.2f} {pts / sec:>10.0f}")


if __name__ == "__main__":
    main()
