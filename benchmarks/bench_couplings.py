"""Coupling kinds (issue 11): dipole oscillator chains, XXZ qubit chains, the three-qubit refrigerator.

Rows (CPU seconds of ``qheatnet.solve``, median of ``--repeat``; one BLAS thread is asked for by setting
OPENBLAS_NUM_THREADS=1 before numpy loads; "ref" is the reference measured in the same run and
"ratio" = time / reference time):

* dipole chain, N = ``--n`` (default 1000), ω = 1, ε = 0.05, flat rate 0.01 at both ends (T = 2 | 1):
  local and global with the (x, p) Gaussian engine; reference: the same chain with swap couplings
  (number-conserving Gaussian engine). Also the local (x, p) normal-mode fixed point against the dense
  Bartels–Stewart solve at ``--n-dense`` nodes (ratio = modes / dense, ΔJ between them).
* agreement with the Fock engine on a two-oscillator dipole pair (ω = 1, 0.8, ε = 0.05, T = 0.2 | 0.15):
  max |J_gauss − J_fock| / |J| for local (K = 10) and global (K = 8).
* XXZ chain of ``--qubits`` (default 8) qubits: swap ε = 0.05 plus density Δ = 0.03 on every bond,
  ω_i = 1 + 0.1 i; local and global with engine "auto"; reference: the XX chain (Δ = 0) with the Fock
  engine (local) and the rate equation (global).
* ``qheatnet reproduce linden-popescu-skrzypczyk-2010`` (wall seconds, whole reproduction).

Run::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_couplings.py [--n 1000] [--qubits 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def chain(n, kind):
    from qheatnet import Flat, Network

    f = Flat(0.01)
    return Network.chain(
        n,
        kind="oscillator",
        frequency=1.0,
        coupling=0.05,
        coupling_kind=kind,
        baths=[("hot", 0, 2.0, f), ("cold", -1, 1.0, f)],
    )


def xxz(n, delta):
    from qheatnet import Coupling, Flat, Network

    f = Flat(0.01)
    net = Network.chain(
        n,
        kind="qubit",
        frequency=[1.0 + 0.1 * i for i in range(n)],
        coupling=0.05,
        baths=[("hot", 0, 2.0, f), ("cold", -1, 1.0, f)],
    )
    if delta:
        net = net.replace(couplings=net.couplings + tuple(Coupling(c.nodes, delta, "density") for c in net.couplings))
    return net


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--n-dense", type=int, default=300)
    p.add_argument("--qubits", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--no-reproduce", action="store_true")
    a = p.parse_args(argv)

    from qheatnet import Coupling, Flat, Network, Node, solve
    from qheatnet.model.network import Bath

    rows = []

    def row(case, approach, engine, t, ref, note):
        rows.append((case, approach, engine, t, ref, note))
        r = f"{t / ref:7.2f}" if ref else "      -"
        print(
            f"{case:<34} {approach:<7} {engine:<14} {t:8.3f} {ref if ref else float('nan'):8.3f} {r}  {note}",
            flush=True,
        )

    print(f"{'case':<34} {'appr.':<7} {'engine':<14} {'CPU s':>8} {'ref s':>8} {'ratio':>7}  note")
    for approach in ("local", "global"):
        t_ref, r_ref = _timed(lambda ap=approach: solve(chain(a.n, "swap"), ap), a.repeat)
        t, r = _timed(lambda ap=approach: solve(chain(a.n, "dipole"), ap), a.repeat)
        j = r.heat_currents["hot"]
        row(
            f"dipole chain N={a.n}",
            approach,
            r.engine,
            t,
            t_ref,
            f"J_hot = {j:.6e} (swap chain J = {r_ref.heat_currents['hot']:.6e}); first law |ΣJ|/J = "
            f"{abs(r.first_law_residual) / abs(j):.1e}; {r.solver['method']}",
        )
    net = chain(a.n_dense, "dipole")
    t_d, r_d = _timed(lambda: solve(net, "local", method="dense"), 1)
    t_m, r_m = _timed(lambda: solve(net, "local", method="modes"), a.repeat)
    dj = max(abs(r_m.heat_currents[b] / r_d.heat_currents[b] - 1) for b in r_d.heat_currents)
    row(f"dipole chain N={a.n_dense}: modes vs dense", "local", "gaussian", t_m, t_d, f"ΔJ/J = {dj:.1e}")

    pair = Network(
        nodes=(Node("A", "oscillator", 1.0), Node("B", "oscillator", 0.8)),
        couplings=(Coupling(("A", "B"), 0.05, "dipole"),),
        baths=(Bath("hot", "A", 0.2, Flat(0.01)), Bath("cold", "B", 0.15, Flat(0.01))),
    )
    for approach, k in (("local", 10), ("global", 8)):
        t_f, fk = _timed(lambda ap=approach, k=k: solve(pair, ap, engine="fock", cutoff=k), 1)
        t_g, g = _timed(lambda ap=approach: solve(pair, ap), a.repeat)
        scale = max(abs(x) for x in fk.heat_currents.values())
        dev = max(abs(g.heat_currents[b] - fk.heat_currents[b]) for b in fk.heat_currents) / scale
        row("dipole pair: gaussian vs fock", approach, "gaussian", t_g, t_f, f"max |ΔJ|/J = {dev:.1e} (fock K = {k})")

    for approach in ("local", "global"):
        t_ref, _ = _timed(
            lambda ap=approach: solve(xxz(a.qubits, 0.0), ap, engine="fock" if ap == "local" else "auto"), 1
        )
        t, r = _timed(lambda ap=approach: solve(xxz(a.qubits, 0.03), ap), 1 if approach == "local" else a.repeat)
        row(
            f"XXZ chain N={a.qubits} (Δ = 0.03)",
            approach,
            r.engine,
            t,
            t_ref,
            f"J_hot = {r.heat_currents['hot']:.6e}; unknowns {r.solver.get('unknowns')}; ref: XX chain",
        )
    t_g, r = _timed(lambda: solve(xxz(a.qubits, 0.03), "global", engine="fock"), 1)
    row(
        f"XXZ chain N={a.qubits} (Δ = 0.03)",
        "global",
        "fock (forced)",
        t_g,
        0.0,
        f"unknowns {r.solver.get('unknowns')}",
    )

    if not a.no_reproduce:
        from qheatnet.reproduce import linden_popescu_skrzypczyk_2010 as lps

        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            ok = lps.run(tmp, progress=False, echo=lambda *x: None)
            wall = time.perf_counter() - t0
        rows.append(("reproduce lps2010", "-", "-", wall, 0.0, ""))
        print(f"{'reproduce linden-popescu-skrzypczyk-2010':<57} {wall:8.2f} (wall)  all claims reproduced: {ok}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
