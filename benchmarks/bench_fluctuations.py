"""Benchmark: heat-current noise (counting statistics), against QuTiP in the same run, and on 1000-oscillator chains.

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_fluctuations.py            # all cases
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_fluctuations.py --n 1000 --repeat 30

Cases (issue 14 targets):

* ``two qubits``: ω = 1, 0.8, ε = 0.05, flat rates 0.01, T = 2 | 1, local and global. qheatnet's tilted
  Liouvillian (``qheatnet.solvers.counting.counting_cumulants`` from H and the Lindblad terms: steady state,
  current, noise and third cumulant of both baths) against ``qutip.countstat_current_noise`` with the same
  operators (``qutip.steadystate`` + the noise matrix of both baths from I_ops/J_ops built with
  ``qutip.sprepost``), QuTiP's ``L`` built before the clock starts. Median wall seconds over ``--repeat`` calls;
  also the whole API call ``qheatnet.fluctuations(net, approach)`` (it solves the steady state too). Target:
  ≥ 10× faster than QuTiP, noise within 1e-8.
* ``chain N``: N oscillators, ω = 1, ε = 0.05, ohmic baths κ = 0.01, cut-off 5, T = 2 | 1 on the end nodes
  (the chain of bench_exact.py). Exact (Saito–Dhar with the NEGF transmission: ``exact_counting``) and the
  Gaussian counting of the local and global master equations (``counting_statistics(..., "gaussian")``), CPU
  seconds of one call, and ``qheatnet.fluctuations`` (kernel + steady state + consistency check). Targets at
  N = 1000: exact < 30 s, Gaussian-Lindblad < 10 s.

The table lists the noise S of the hot bath and its relative difference from the reference of the row's case
(QuTiP for the qubits, exact for the chain).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _qubits():
    from qheatnet import Flat, Network

    return Network.two_node("qubit", 1.0, 0.8, 0.05, 2.0, 1.0, Flat(0.01))


def _chain(n):
    from qheatnet import Bath, Coupling, Network, Node, Ohmic

    nodes = [Node(f"n{i}", "oscillator", 1.0) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(n - 1)]
    baths = [Bath("hot", "n0", 2.0, Ohmic(0.01, 5.0)), Bath("cold", f"n{n - 1}", 1.0, Ohmic(0.01, 5.0))]
    return Network(nodes, cps, baths)


def _median_wall(fn, repeat):
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def bench_qubits(repeat):
    import qutip as qt

    from qheatnet import fluctuations
    from qheatnet.engines.fock import build_generator
    from qheatnet.solvers.counting import counting_cumulants

    rows = []
    net = _qubits()
    for approach in ("local", "global"):
        gen = build_generator(net, approach, None)
        terms = [(t.rate, t.op) for t in gen.all_terms()]
        w = np.array(
            [[(-t.omega if d2 is d else 0.0) for d2 in gen.dissipators for t in d2.terms] for d in gen.dissipators]
        )
        h = qt.Qobj(gen.hamiltonian.toarray())
        cops = [np.sqrt(t.rate) * qt.Qobj(t.op.toarray()) for t in gen.all_terms()]
        lmat = qt.liouvillian(h, cops)
        i_ops, j_ops = [], []
        for d in gen.dissipators:
            i_op = j_op = 0
            for t in d.terms:
                c = np.sqrt(t.rate) * qt.Qobj(t.op.toarray())
                sup = qt.sprepost(c, c.dag())
                i_op = i_op + (-t.omega) * sup
                j_op = j_op + t.omega**2 * sup
            i_ops.append(i_op)
            j_ops.append(j_op)

        def run_qutip(lmat=lmat, i_ops=i_ops, j_ops=j_ops):
            rho = qt.steadystate(lmat)
            return qt.countstat_current_noise(lmat, [], rhoss=rho, I_ops=i_ops, J_ops=j_ops)

        def run_kernel(gen=gen, terms=terms, w=w):
            return counting_cumulants(gen.hamiltonian, terms, w, order=3, excitation=gen.space.excitation)

        def run_api(approach=approach):
            return fluctuations(net, approach)

        t_q, (_, noise_q, _) = _median_wall(run_qutip, repeat)
        t_k, res = _median_wall(run_kernel, repeat)
        t_a, fl = _median_wall(run_api, repeat)
        s_q = float(noise_q[0, 0, 0])
        s_k = float(res.noise_matrix[0, 0])
        cross = abs(float(res.noise_matrix[0, 1]) / float(noise_q[0, 1, 0]) - 1)
        rows.append((f"two qubits, {approach}", "QuTiP countstat_current_noise", t_q, 1.0, s_q, "reference"))
        rows.append(
            (
                f"two qubits, {approach}",
                "qheatnet tilted Liouvillian (kernel)",
                t_k,
                t_q / t_k,
                s_k,
                f"|ΔS|/S = {abs(s_k / s_q - 1):.1e}, cross {cross:.1e}",
            )
        )
        rows.append(
            (
                f"two qubits, {approach}",
                "qheatnet.fluctuations (API, solves too)",
                t_a,
                t_q / t_a,
                fl.current_noise["hot"],
                f"|ΔS|/S = {abs(fl.current_noise['hot'] / s_q - 1):.1e}",
            )
        )
    return rows


def _cpu(fn):
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def bench_chain(n):
    from qheatnet import fluctuations
    from qheatnet.solvers.counting_exact import exact_counting
    from qheatnet.thermo.fluctuations import counting_statistics

    net = _chain(n)
    rows = []
    t_e, ex = _cpu(lambda: exact_counting(net))
    s_ref = float(ex.cumulants[0, 1])
    rows.append(
        (
            f"chain N = {n}",
            "exact: Saito–Dhar (kernel)",
            t_e,
            None,
            s_ref,
            f"{ex.solver['frequency_points']} frequency points, est. rel. error {ex.errors[1] / s_ref:.0e}",
        )
    )
    t_ea, fe = _cpu(lambda: fluctuations(net, "exact"))
    rows.append(
        (f"chain N = {n}", "exact: qheatnet.fluctuations", t_ea, None, fe.current_noise["hot"], "incl. NEGF state")
    )
    for approach in ("local", "global"):
        t_g, g = _cpu(lambda approach=approach: counting_statistics(net, approach, "gaussian"))
        s = float(g.cumulants[0, 1])
        rows.append(
            (
                f"chain N = {n}",
                f"Gaussian {approach} (kernel)",
                t_g,
                None,
                s,
                f"vs exact {s / s_ref - 1:+.1e} ({'bare' if approach == 'local' else 'full'} bookkeeping)",
            )
        )
        t_ga, fg = _cpu(lambda approach=approach: fluctuations(net, approach))
        rows.append(
            (
                f"chain N = {n}",
                f"Gaussian {approach}: qheatnet.fluctuations",
                t_ga,
                None,
                fg.current_noise["hot"],
                f"TUR ratio {fg.tur_ratio['hot']:.4f}",
            )
        )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="chain length (default 1000)")
    ap.add_argument("--repeat", type=int, default=20, help="repeats of the two-qubit timings (median)")
    ap.add_argument("--no-qutip", action="store_true", help="skip the QuTiP comparison")
    ap.add_argument("--no-chain", action="store_true", help="skip the chain")
    args = ap.parse_args()
    rows = []
    if not args.no_qutip:
        rows += bench_qubits(args.repeat)
    if not args.no_chain:
        rows += bench_chain(args.n)
    head = f"{'case':<22} {'method':<40} {'seconds':>9} {'× QuTiP':>8} {'S_hot':>14}  note"
    print(head)
    print("-" * len(head))
    for case, method, secs, ratio, s, note in rows:
        r = f"{ratio:8.1f}" if ratio is not None else f"{'':8}"
        print(f"{case:<22} {method:<40} {secs:9.4f} {r} {s:14.8e}  {note}")
    print("(two qubits: median wall seconds of a call; chain: CPU seconds of one call)")


if __name__ == "__main__":
    main()
