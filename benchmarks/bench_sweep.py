"""Parallel sweeps: serial against ``workers=2`` on a 200-point qubit sweep, then points per second of
the other executors and of the two-node fast path.

Usage::

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_sweep.py [--repeat 3] [--workers 2] [--quick] [--no-dask]

1. The 200-point sweep: a 4-qubit chain (frequencies 1.0 … 1.3, flat baths of rate 0.01 on the
   ends, T_c = 1), the coupling ε of all three links (20 values, 1e-3 … 0.1) × T_h (10 values,
   1.2 … 3), local and global (400 per-point solves). Serial (``workers=1``) and ``workers=N``
   alternate, ``--repeat`` times each after one warm-up run; the best of each and their ratio are
   printed, with the CPU seconds per point (this process plus its pool workers: the cost of the
   parallel run itself, which machine load does not change) and the load average before and
   after. Then the same with the CLI, ``qheatnet sweep FILE --out R.nc --workers 1 | N`` in a
   fresh process each (wall time of the whole command, and the sweep's own time, which omits
   start-up and imports).
2. Unless ``--quick``: the two-qubit sweep of examples/two-qubits.toml through qheatnet.solve on a
   pool and on a Dask LocalCluster (start-up reported apart), and the Fig. 2 map of Levy & Kosloff
   (2014), 400 × 400 points, by the two-node closed forms.

Every parallel result is checked identical to the serial one. Run with ``OPENBLAS_NUM_THREADS=1``
for a like-for-like serial baseline: in a process with OpenBLAS's default threads a serial sweep of
these small Liouvillians is 2-3× slower (idle BLAS threads spin), while pool workers always run one
BLAS thread each.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xarray as xr

from qheatnet import Flat, Network, Phonon3D
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import make_spec, run_sweep, runner

FREQUENCIES = [1.0, 1.1, 1.2, 1.3]
EPSILON = {"geomspace": [1e-3, 0.1, 20], "name": "epsilon"}
T_HOT = {"linspace": [1.2, 3.0, 10], "name": "T_h"}


def qubit_chain() -> Network:
    return Network.chain(
        4,
        kind="qubit",
        frequency=FREQUENCIES,
        coupling=0.05,
        baths=[("hot", 0, 2.0, Flat(0.01)), ("cold", -1, 1.0, Flat(0.01))],
    )


def cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn):
    c, t = cpu_seconds(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t, cpu_seconds() - c, out


class WorkerCPU:
    """CPU seconds of each pool worker, read from /proc just before the pool is shut down (Linux).

    On a machine shared with other sessions the kernel shares the cores between sessions (autogroup
    scheduling), so two workers may get no more CPU than one serial process: the wall ratio then
    says nothing about the pool. ``serial CPU / (busiest worker's CPU + this process's)`` is the
    ratio the same run would reach on two idle cores.
    """

    def __init__(self):
        self.runs: list[list[float]] = []
        close = runner._Pool.close

        def probed(pool, kill=False):
            self.runs.append([_proc_cpu(p.pid) for p in list(getattr(pool.ex, "_processes", {}).values())])
            return close(pool, kill)

        runner._Pool.close = probed  # type: ignore[method-assign]


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def parallel_section(workers: int, repeat: int) -> None:
    spec = make_spec(
        qubit_chain(),
        {"couplings.*.strength": EPSILON, "baths.hot.temperature": T_HOT},
        ["local", "global"],
        fast_path=False,
    )
    solves = spec.n_points * len(spec.approaches)
    print(f"200-point sweep: 4-qubit chain, ε × T_h = {spec.n_points} points × local, global = {solves} solves")
    print(f"  {load()} (before)")
    ref = run_sweep(spec, workers=1)  # warm-up: first-call costs of the solvers
    runs: dict[str, list[tuple[float, float]]] = {"serial": [], "pool": []}
    probe = WorkerCPU() if sys.platform.startswith("linux") else None
    critical = []
    for _ in range(repeat):
        wall, cpu, _ = timed(lambda: run_sweep(spec, workers=1))
        runs["serial"].append((wall, cpu))
        own = time.process_time()
        wall, cpu, pool = timed(lambda: run_sweep(spec, workers=workers))
        own = time.process_time() - own
        xr.testing.assert_identical(ref, pool)
        runs["pool"].append((wall, cpu))
        if probe is not None and probe.runs and probe.runs[-1]:
            critical.append(max(probe.runs[-1]) + own)
    serial, pool = min(runs["serial"]), min(runs["pool"])
    print(
        f"  Python API  serial {serial[0]:.2f} s   workers={workers} {pool[0]:.2f} s   ratio {serial[0] / pool[0]:.2f}×"
    )
    print(
        f"              CPU per solve: serial {1e3 * serial[1] / solves:.2f} ms, "
        f"workers={workers} {1e3 * pool[1] / solves:.2f} ms (all processes; best-wall runs)"
    )
    if critical:
        serial_cpu = min(c for _, c in runs["serial"])
        print(
            f"              on idle cores: serial CPU {serial_cpu:.2f} s / (busiest worker + this process) "
            f"{min(critical):.2f} s = {serial_cpu / min(critical):.2f}× (see WorkerCPU)"
        )
    print(f"              all runs (wall s): serial {_walls(runs['serial'])}, workers={workers} {_walls(runs['pool'])}")
    cli_section(workers, repeat)
    print(f"  {load()} (after)")


def _walls(runs):
    return " ".join(f"{w:.2f}" for w, _ in runs)


SWEEP_TIME = re.compile(r"in ([0-9.]+) s;")


def cli_section(workers: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "chain.toml").write_text(dumps_network(qubit_chain()), encoding="utf-8")
        (folder / "sweep.toml").write_text(
            'network = "chain.toml"\napproaches = ["local", "global"]\nfast_path = false\n[parameters]\n'
            f'"couplings.*.strength" = {{ geomspace = {EPSILON["geomspace"]}, name = "epsilon" }}\n'
            f'"baths.hot.temperature" = {{ linspace = {T_HOT["linspace"]}, name = "T_h" }}\n',
            encoding="utf-8",
        )
        cmd = [sys.executable, "-c", "from qheatnet.cli.main import main; main()", "sweep", str(folder / "sweep.toml")]
        best: dict[int, tuple[float, float]] = {}
        for _ in range(repeat):
            for w in (1, workers):
                out = folder / f"r{w}.nc"
                if out.exists():
                    out.unlink()
                t = time.perf_counter()
                done = subprocess.run(
                    [*cmd, "--out", str(out), "--workers", str(w), "--no-progress"],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                wall = time.perf_counter() - t
                m = SWEEP_TIME.search(done.stdout + done.stderr)
                inner = float(m.group(1)) if m else float("nan")
                best[w] = min(best.get(w, (np.inf, np.inf)), (wall, inner))
        xr.testing.assert_identical(xr.load_dataset(folder / "r1.nc"), xr.load_dataset(folder / f"r{workers}.nc"))
    (s, si), (p, pi) = best[1], best[workers]
    print(
        f"  CLI         serial {s:.2f} s   --workers {workers} {p:.2f} s   ratio {s / p:.2f}×   "
        f"(the sweep's own time: {si:.2f} s / {pi:.2f} s, ratio {si / pi:.2f}×)"
    )


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def executors_section(points: int, workers: int, repeat: int, dask: bool) -> None:
    side = max(2, int(round(points**0.5)))
    qubits = Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))
    spec = make_spec(
        qubits,
        {"couplings.A-B.strength": np.geomspace(1e-3, 0.2, side), "baths.hot.temperature": np.linspace(1, 3, side)},
        ["global"],
        fast_path=False,
    )
    n = spec.n_points
    rows = []
    t, ref = best(lambda: run_sweep(spec, workers=1), repeat)
    rows.append(("serial (1 process)", n, t))
    t, pool = best(lambda: run_sweep(spec, workers=workers), repeat)
    xr.testing.assert_identical(ref, pool)
    rows.append((f"process pool ({workers} workers, incl. start)", n, t))
    if dask:
        from dask.distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        start = time.perf_counter() - t0
        t, on_dask = best(lambda: run_sweep(spec, client=client), repeat)
        xr.testing.assert_identical(ref, on_dask)
        rows.append((f"Dask LocalCluster ({workers} workers; start-up {start:.1f} s not incl.)", n, t))
        client.close()
        cluster.close()

    paper = Network.two_node("oscillator", 10.0, 5.0, 1e-4, 12.0, 10.0, Phonon3D(1e-7))
    fig2 = make_spec(
        paper,
        {"nodes.A.frequency": np.linspace(1, 20, 400), "baths.hot.temperature": np.linspace(1, 30, 400)},
        ["local", "global"],
    )
    t, _ = best(lambda: run_sweep(fig2), repeat)
    rows.append(("two-node closed forms (Fig. 2, local + global)", fig2.n_points * 2, t))

    print(f"\n{'two qubits, global, per-point solves':<62} {'points':>8} {'seconds':>8} {'points/s':>10}")
    for name, pts, sec in rows:
        print(f"{name:<62} {pts:>8} {sec:>8.2f} {pts / sec:>10.0f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--points", type=int, default=400, help="two-qubit per-point solves of part 2 (a square grid)")
    ap.add_argument("--quick", action="store_true", help="only the 200-point serial / workers comparison")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, {os.cpu_count()} CPUs")
    parallel_section(args.workers, args.repeat)
    if not args.quick:
        executors_section(args.points, args.workers, args.repeat, not args.no_dask)


if __name__ == "__main__":
    main()
