"""Benchmark of ``qheatnet compare`` and of validity maps (sweeps with a reference); the README tables.

Usage (from the repository root; needs the heom extra)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_compare.py            # compare timings
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_compare.py --map      # + 20 × 20 validity map
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_compare.py --tables   # + compare tables

compare (target: < 5 s on two qubits including HEOM): two qubits (Kato & Tanimura 2015 parameters:
T = 2.02 | 1.98, Drude–Lorentz γ = 2, λ = 0.005, i.e. κ = 0.01), resonant (ω = 1, 1) and detuned
(1, 0.8), ε = 0.01. Columns: wall time of ``qheatnet compare NET.toml --json`` in a fresh process
(median of ``--repeat``, imports included), of ``qheatnet.compare(net)`` in a warm process, and of
one ``qheatnet.solve(net, "heom")`` in the same run (the reference against which the ratio is given).

--map (target: < 10 min with ``--workers 2``, resumable): a sweep file over ε (geomspace 1e-3 … 0.5,
``--side`` values) × λ (κ = 2λ, geomspace 1e-4 … 0.2), resonant qubits, approaches local, global,
unified, redfield and ``reference = "heom"`` run by ``qheatnet sweep --workers 2``. The reference for
the ratio: the serial cost per point of every approach, measured on ``--sample`` points in this
process, times the number of points. Then the resume check: the same sweep to another file,
interrupted with SIGINT once ``--interrupt-at`` of its chunks are on disk, rerun; the resumed result
must be identical (xarray ``assert_identical``) to the uninterrupted one.

--tables (``--markdown``: condensed, as in README "Which approach to trust"): δ = max_α |J_α − J_α,ref| / max_α |J_α,ref|
of every master equation (``*``: ≤ 5 %) and the recommendation of ``qheatnet.compare`` over (ε, λ)
for resonant and detuned qubits against HEOM, and over (ε, κ) for resonant and detuned oscillator
pairs (Hofer et al. 2017: Drude–Lorentz ω_c = 10, T = 2 | 1) against the exact NEGF reference.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qheatnet import DrudeLorentz, Network, compare, solve
from qheatnet.io.network_file import dumps_network

APPROACHES = ("local", "global", "unified", "redfield")


def qubits(omega_b, eps, lam=0.005):
    return Network.two_node("qubit", 1.0, omega_b, eps, 2.02, 1.98, DrudeLorentz(2.0 * lam, 2.0))


def oscillators(omega_a, eps, kappa):
    return Network.two_node("oscillator", omega_a, 1.0, eps, 2.0, 1.0, DrudeLorentz(kappa, 10.0))


def _cli(*args, **kw):
    cmd = [sys.executable, "-c", "from qheatnet.cli.main import main; main()", *map(str, args)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def bench_compare(repeat: int) -> None:
    print("compare on two qubits (λ = 0.005, ε = 0.01), wall seconds")
    print(f"{'case':<10} {'CLI (fresh)':>12} {'compare()':>10} {'heom solve':>11} {'ratio':>6}  recommended")
    with tempfile.TemporaryDirectory() as tmp:
        for case, wb in (("resonant", 1.0), ("detuned", 0.8)):
            net = qubits(wb, 0.01)
            path = Path(tmp) / f"{case}.toml"
            path.write_text(dumps_network(net))
            cli = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                p = _cli("compare", path, "--json")
                out, err = p.communicate()
                cli.append(time.perf_counter() - t0)
                assert p.returncode == 0, err
            rec = json.loads(out)["recommended"]
            compare(net)  # warm
            api, ref = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                compare(net)
                api.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                solve(net, "heom")
                ref.append(time.perf_counter() - t0)
            a, r = statistics.median(api), statistics.median(ref)
            print(f"{case:<10} {statistics.median(cli):>12.2f} {a:>10.3f} {r:>11.3f} {a / r:>6.1f}  {rec}")


def _sweep_file(folder: Path, side: int) -> Path:
    (folder / "net.toml").write_text(dumps_network(qubits(1.0, 0.01)))
    path = folder / "map.toml"
    path.write_text(
        'network = "net.toml"\napproaches = ["local", "global", "unified", "redfield"]\nreference = "heom"\n'
        "[parameters]\n"
        f'epsilon = {{ paths = ["couplings.A-B.strength"], geomspace = [1e-3, 0.5, {side}] }}\n'
        f'kappa = {{ paths = ["baths.*.spectrum.kappa"], geomspace = [2e-4, 0.4, {side}] }}\n'
    )
    return path


def bench_map(side: int, workers: int, sample: int, interrupt_at: float) -> None:
    import xarray as xr

    from qheatnet.sweeps import load_sweep_file, open_result
    from qheatnet.sweeps.runner import plan_chunks
    from qheatnet.sweeps.spec import network_with
    from qheatnet.sweeps.store import partial_dir

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sweep_file = _sweep_file(folder, side)
        spec = load_sweep_file(sweep_file)
        rng = np.random.default_rng(1)
        idx = rng.choice(spec.n_points, size=min(sample, spec.n_points), replace=False)
        base = spec.network.to_dict()
        serial = 0.0
        for i in idx:
            net = network_with(base, spec.targets, spec.point_values(int(i), int(i) + 1)[0])
            for a in spec.approaches:
                t0 = time.perf_counter()
                solve(net, a)
                serial += time.perf_counter() - t0
        estimate = serial / len(idx) * spec.n_points
        out = folder / "map.nc"
        t0 = time.perf_counter()
        p = _cli("sweep", sweep_file, "--out", out, "--workers", workers, "--no-progress")
        _, err = p.communicate()
        wall = time.perf_counter() - t0
        assert p.returncode == 0, err
        ds = open_result(out)
        failed = int((ds.status == 1).sum())
        print(f"validity map {side} × {side} (two resonant qubits, heom reference, 4 approaches), {workers} workers")
        print(f"{'points':>7} {'wall s':>8} {'serial estimate s':>18} {'speed-up':>9} {'failed':>7}")
        print(f"{spec.n_points:>7} {wall:>8.1f} {estimate:>18.1f} {estimate / wall:>9.2f} {failed:>7}")
        # resume check
        out2 = folder / "again.nc"
        chunks = partial_dir(out2) / "chunks"
        p = _cli("sweep", sweep_file, "--out", out2, "--workers", workers, "--no-progress", start_new_session=True)
        heom_total = math.ceil(spec.n_points / plan_chunks(spec)["heom"]["chunk_size"])
        t1 = time.perf_counter()  # the HEOM chunks carry the cost: interrupt when a share of them is done
        while len(list(chunks.glob("heom/*.npz"))) < interrupt_at * heom_total and p.poll() is None:
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        p.communicate()
        code = p.returncode
        first = time.perf_counter() - t1
        done = len(list(chunks.glob("heom/*.npz")))
        t1 = time.perf_counter()
        p = _cli("sweep", sweep_file, "--out", out2, "--workers", workers, "--no-progress")
        _, err = p.communicate()
        second = time.perf_counter() - t1
        assert p.returncode == 0, err
        said = next((line for line in err.splitlines() if line.startswith("resuming")), "no resume message")
        xr.testing.assert_identical(open_result(out2), ds)
        print(
            f"resume: interrupted (SIGINT, exit code {code}) after {first:.1f} s with {done}/{heom_total} HEOM chunks "
            f"on disk; rerun {second:.1f} s ({said.split(': ', 1)[-1]}); the resumed result is identical to the "
            "uninterrupted one"
        )


def _table(title, rows, header):
    print(title)
    print(header)
    for r in rows:
        print(r)


def _row(label, c):
    cells = []
    for a in APPROACHES:
        r = c.row(a)
        cells.append(f"{r.deviation:>9.2e}{'*' if r.within_tolerance else ' '}" if r.ok else f"{r.status:>10}")
    return f"{label} " + " ".join(cells) + f"  {c.recommended}"


QUBIT_LAMBDAS = (1e-4, 1e-3, 5e-3, 1e-2, 5e-2, 0.2)
QUBIT_EPS = (1e-3, 1e-2, 0.1, 0.5)
OSC_KAPPAS = (1e-3, 1e-2, 0.1, 1.0)
OSC_EPS = (1e-5, 1e-3, 1e-2, 0.1, 0.9)


def _markdown(title, strength, grid):
    """One row per coupling strength: per approach, the ε at which it is within 5 % (and the worst δ)."""
    print(f"\n{title}\n")
    print(f"| {strength} | " + " | ".join(APPROACHES) + " | recommended (by ε) |")
    print("|---" * (len(APPROACHES) + 2) + "|")
    for s, comps in grid:
        cells = []
        for a in APPROACHES:
            rows = [(e, c.row(a)) for e, c in comps]
            good = [e for e, r in rows if r.ok and r.within_tolerance]
            worst = max(r.deviation for _, r in rows if r.ok)
            if len(good) == len(rows):
                cells.append(f"all ε (max δ {worst:.2g})")
            elif not good:
                best = min(r.deviation for _, r in rows if r.ok)
                sign = " (wrong sign)" if all(r.wrong_sign for _, r in rows) else ""
                cells.append(f"none (min δ {best:.2g}){sign}")
            else:
                cells.append("ε = " + ", ".join(f"{e:g}" for e in good) + f" (max δ {worst:.2g})")
        recs = ", ".join(c.recommended.replace("none: use the reference", "ref") for _, c in comps)
        print(f"| {s:g} | " + " | ".join(cells) + f" | {recs} |")


def bench_tables(markdown: bool = False) -> None:
    head = "".join(f" {a:>10}" for a in APPROACHES) + "  recommended"
    for case, wb in (("resonant", 1.0), ("detuned", 0.8)):
        grid = [(lam, [(e, compare(qubits(wb, e, lam), reference="heom")) for e in QUBIT_EPS]) for lam in QUBIT_LAMBDAS]
        title = f"two qubits, {case} (ω = 1, {wb:g}), vs HEOM; ε = {', '.join(f'{e:g}' for e in QUBIT_EPS)}"
        if markdown:
            _markdown(title, "λ", grid)
            continue
        rows = [_row(f"{lam:>7.0e} {e:>7.0e}", c) for lam, comps in grid for e, c in comps]
        _table(title + "; δ ('*' ≤ 5 %)", rows, f"{'λ':>7} {'ε':>7}" + head)
    for case, wa in (("resonant", 1.0), ("detuned", 1.2)):
        grid = [(k, [(e, compare(oscillators(wa, e, k), reference="exact")) for e in OSC_EPS]) for k in OSC_KAPPAS]
        title = f"two oscillators, {case} (ω = {wa:g}, 1), vs exact; ε = {', '.join(f'{e:g}' for e in OSC_EPS)}"
        if markdown:
            _markdown(title, "κ", grid)
            continue
        rows = [_row(f"{k:>7.0e} {e:>7.0e}", c) for k, comps in grid for e, c in comps]
        _table(title + "; δ ('*' ≤ 5 %)", rows, f"{'κ':>7} {'ε':>7}" + head)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--map", action="store_true", help="also the 20 × 20 validity map and the resume check")
    ap.add_argument("--side", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sample", type=int, default=24, help="points timed serially for the reference estimate")
    ap.add_argument("--interrupt-at", type=float, default=0.5, help="fraction of the chunks before SIGINT")
    ap.add_argument("--tables", action="store_true", help="also the compare tables (δ of every approach)")
    ap.add_argument("--markdown", action="store_true", help="with --tables: the condensed README tables")
    ap.add_argument("--no-compare", action="store_true")
    args = ap.parse_args()
    if not args.no_compare:
        bench_compare(args.repeat)
    if args.map:
        bench_map(args.side, args.workers, args.sample, args.interrupt_at)
    if args.tables:
        bench_tables(args.markdown)


if __name__ == "__main__":
    main()
