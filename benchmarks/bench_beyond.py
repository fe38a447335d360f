"""Benchmark of the Redfield and unified kernels (qheatnet.physics.redfield / unified / quadratic_beyond).

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_beyond.py            # speed tables
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_beyond.py --errors   # + error table vs exact

Speed (median of ``--repeat`` runs, CPU seconds of this process; the reference is measured in the same
run):

* oscillator chain, N = 1000 (``--sizes``), ω = 1, ε = 0.05, baths on the end nodes (T = 2 | 1, ohmic
  κ = 0.02, ω_c = 5 or Drude–Lorentz κ = 0.02, ω_c = 5): unified and Redfield second-moment kernels,
  against ``qheatnet.solve(net, "global")`` (Gaussian engine). Target: < 10 s.
* qubits: two qubits and the 8-qubit chain of bench_qubits.py (ω_i = 1 + 0.1 i, ε = 0.05, flat 0.01,
  T = 2 | 1): the eigenbasis unified pipeline (Fock space, eigenbasis, generator, steady state) against
  ``qheatnet.solve(net, "global")`` (rate-equation engine). Target: within 3×.

Errors (``--errors``): max over baths of |J_α/J_α,exact − 1| for every approach — local, global
(``qheatnet.solve``), unified in its consistent (H̃) and H_S bookkeeping, Redfield without and with the
Lamb shift — on the two-oscillator pairs of Hofer et al. (NJP 19, 123037 (2017): Drude–Lorentz ω_c = 10,
T = 2 | 1, resonant (1, 1) and detuned (1.2, 1)) for κ = 1e-3 and 1e-2, and on three-node chains with two
nearly resonant nodes (1, 1 + δ) and a detuned one (1.2), baths on the end nodes or on every node (the
latter is where local and global both fail at the same points). ``*`` marks errors above 5 %.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from qheatnet import Bath, Coupling, DrudeLorentz, Flat, Network, Node, Ohmic, solve
from qheatnet.physics import quadratic_beyond as qb
from qheatnet.physics import redfield as rf
from qheatnet.physics import unified as un
from qheatnet.physics.hilbert import FockSpace


def chain(n, spec):
    nodes = [Node(f"n{i}", "oscillator", 1.0) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(n - 1)]
    return Network(nodes, cps, [Bath("hot", "n0", 2.0, spec), Bath("cold", f"n{n - 1}", 1.0, spec)])


def qubit_chain(n):
    nodes = [Node(f"q{i}", "qubit", 1 + 0.1 * i) for i in range(n)]
    cps = [Coupling((f"q{i}", f"q{i + 1}"), 0.05) for i in range(n - 1)]
    return Network(nodes, cps, [Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", f"q{n - 1}", 1.0, Flat(0.01))])


def _args(net):
    return (
        net.single_particle_matrix(),
        [net.node_index(b.node) for b in net.baths],
        [b.spectrum for b in net.baths],
        [b.temperature for b in net.baths],
    )


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def unified_eigenbasis(net):
    eb = rf.eigen_basis(net, FockSpace.build(net.kinds, None))
    gen = un.build_unified(
        eb.energies, eb.couplings, [b.spectrum for b in net.baths], [b.temperature for b in net.baths],
        excitation=eb.excitation,
    )  # fmt: skip
    return un.unified_steady_state(gen), gen


def speed(sizes, repeat):
    print("oscillator chains (second-moment kernels; reference: solve(net, 'global') in the same run)")
    print(f"  {'N':>5} {'bath':>14} {'approach':>9} {'cpu_s':>8} {'vs global':>9} {'J_hot':>12} {'|ΣJ|/|J|':>9}  notes")
    for n in sizes:
        for spec in (Ohmic(0.02, 5.0), DrudeLorentz(0.02, 5.0)):
            net = chain(n, spec)
            tg, g = timed(lambda net=net: solve(net, "global"), repeat)
            jg = g.heat_currents["hot"]
            print(f"  {n:>5} {spec.kind:>14} {'global':>9} {tg:>8.3f} {1.0:>9.2f} {jg:>12.5e} {'':>9}")
            tu, u = timed(lambda net=net: qb.unified_steady_state(*_args(net)), repeat)
            fl = abs(np.sum(u.currents_consistent)) / abs(u.currents_consistent[0])
            info = u.cluster_info
            note = f"{info['n_clusters']} clusters (largest {info['largest_cluster']}), {info['splits']} split(s)"
            print(
                f"  {n:>5} {spec.kind:>14} {'unified':>9} {tu:>8.3f} {tu / tg:>9.2f} {u.currents_consistent[0]:>12.5e} {fl:>9.1e}  {note}"
            )
            tr, r = timed(lambda net=net: qb.redfield_steady_state(*_args(net), populations="baths"), repeat)
            fl = abs(np.sum(r.currents)) / abs(r.currents[0])
            note = f"method {r.method}, eig residual {r.residual:.1e}, slowest decay {r.min_decay:.2e}"
            print(
                f"  {n:>5} {spec.kind:>14} {'redfield':>9} {tr:>8.3f} {tr / tg:>9.2f} {r.currents[0]:>12.5e} {fl:>9.1e}  {note}"
            )
    print()
    print("qubit chains (eigenbasis unified pipeline; reference: solve(net, 'global') in the same run)")
    print(f"  {'N':>5} {'global_s':>9} {'unified_s':>9} {'ratio':>6} {'unknowns':>8} {'|J_u/J_g − 1|':>13}  clusters")
    for n in (2, 8):
        net = qubit_chain(n)
        solve(net, "global")  # warm caches / imports
        unified_eigenbasis(net)
        tg, g = timed(lambda net=net: solve(net, "global"), 5 * repeat)
        tu, (ss, gen) = timed(lambda net=net: unified_eigenbasis(net), 5 * repeat)
        dj = abs(ss.currents_consistent[0] / g.heat_currents["hot"] - 1)
        multi = gen.info["n_multi_frequency_clusters"]
        print(
            f"  {n:>5} {tg:>9.4f} {tu:>9.4f} {tu / tg:>6.2f} {ss.unknowns:>8} {dj:>13.1e}  {gen.info['n_clusters']} ({multi} with >1 frequency)"
        )


def three(eps, detune, kappa, kind="drude_lorentz", middle_bath=False):
    """A (1) – B (1 + detune) – C (1.2): hot bath on A, cold on C, optionally a bath at T = 1.5 on B."""
    s = DrudeLorentz(kappa, 10.0) if kind == "drude_lorentz" else Ohmic(kappa, 10.0)
    nodes = [Node("A", "oscillator", 1.0), Node("B", "oscillator", 1.0 + detune), Node("C", "oscillator", 1.2)]
    cps = [Coupling(("A", "B"), eps), Coupling(("B", "C"), eps)]
    baths = [Bath("hot", "A", 2.0, s), Bath("cold", "C", 1.0, s)]
    if middle_bath:
        baths.append(Bath("mid", "B", 1.5, s))
    return Network(nodes, cps, baths)


def errors():
    eps_pair = [1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.9]
    eps_three = [1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3]
    families = []
    for kappa in (1e-3, 1e-2):
        for label, (wa, wb) in (("resonant", (1.0, 1.0)), ("detuned", (1.2, 1.0))):
            fam = f"Hofer {label} (ω = {wa:g}, {wb:g}), DL κ = {kappa:g}"
            cases = [
                (e, Network.two_node("oscillator", wa, wb, e, 2.0, 1.0, DrudeLorentz(kappa, 10.0))) for e in eps_pair
            ]
            families.append((fam, cases))
    for detune, kappa, kind in ((0.0, 1e-3, "drude_lorentz"), (1e-3, 1e-3, "drude_lorentz"),
                                (2e-2, 1e-2, "drude_lorentz"), (5e-2, 1e-2, "ohmic")):  # fmt: skip
        fam = f"three-node chain (1, {1 + detune:g}, 1.2), baths on the ends, {kind} κ = {kappa:g}"
        families.append((fam, [(e, three(e, detune, kappa, kind)) for e in eps_three]))
    for kappa in (1e-3, 1e-2):
        fam = f"three-node chain (1, 1, 1.2), baths on every node (T = 2, 1.5, 1), DL κ = {kappa:g}"
        families.append((fam, [(e, three(e, 0.0, kappa, middle_bath=True)) for e in eps_three]))
    cols = ["local", "global", "unified", "unified(H_S)", "redfield", "redfield+LS"]
    worst = {c: 0.0 for c in cols}
    print("relative error max_α |J_α/J_α,exact − 1| over the baths ('*' > 5 %); exact = solve(net, 'exact') (NEGF)")
    for fam, cases in families:
        print(fam)
        print(f"  {'ε':>8} {'J_hot,exact':>11} " + " ".join(f"{c:>12}" for c in cols))
        for e, net in cases:
            try:
                exv = np.array(list(solve(net, "exact", covariance=False).heat_currents.values()))
            except Exception as exc:  # noqa: BLE001 - report, do not hide
                print(f"  {e:>8.1e} exact refused: {exc}")
                continue
            u = qb.unified_steady_state(*_args(net))
            vals = {
                "local": np.array(list(solve(net, "local").heat_currents.values())),
                "global": np.array(list(solve(net, "global").heat_currents.values())),
                "unified": u.currents_consistent,
                "unified(H_S)": u.currents,
                "redfield": qb.redfield_steady_state(*_args(net), populations="baths").currents,
                "redfield+LS": qb.redfield_steady_state(*_args(net), lamb_shift=True, populations="baths").currents,
            }
            row = []
            for c in cols:
                err = float(np.max(np.abs(vals[c] / exv - 1)))
                worst[c] = max(worst[c], err)
                row.append(f"{err:>11.2e}{'*' if err > 0.05 else ' '}")
            print(f"  {e:>8.1e} {exv[0]:>11.4e} " + " ".join(row))
    print("largest error per approach: " + ", ".join(f"{c} {worst[c]:.2e}" for c in cols))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--errors", action="store_true", help="also print the error table against exact")
    ap.add_argument("--no-speed", action="store_true")
    a = ap.parse_args()
    if not a.no_speed:
        speed(a.sizes, a.repeat)
    if a.errors:
        print()
        errors()


if __name__ == "__main__":
    main()
