"""Benchmark: the exact (NEGF) reference, new implementation against the old one, same run.

Usage (from the repository root)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_exact.py            # all cases
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_exact.py --timeout 30 --cases imp10 imp200

Cases (issue 12, "exact" targets): chains with ω_i = 1, swap coupling ε = 0.05 between
neighbours, ohmic baths (κ = 0.01, cut-off 5) at T = 2 on the first node and T = 1 on the last.

* ``imp10``: 10 oscillators, out-of-band impurity ω = 1.5 on node 5 (its mode's half-width is
  ≈ 3e-11: the old adaptive integral gives no answer in 30 s). Target < 1 s.
* ``imp10in``: 10 oscillators, in-band impurity ω = 1.05 on node 5 (the old code finishes).
* ``imp200``: 200 oscillators, impurity ω = 1.5 on node 100 (half-width ≈ 1e-160). Target < 10 s.
* ``uni1000``: 1000 uniform oscillators. Target < 60 s.

Each case runs in its own process (CPU seconds of the call, peak memory); the old implementation
(a verbatim copy of ``solvers/exact.py`` before the rewrite, function ``old_exact`` below) is
stopped after ``--timeout`` seconds. Columns: new_s / old_s CPU seconds, ratio, relative
difference of J_hot (new vs old where old finishes), the new code's estimated relative error and
its pre-run cost estimate. ``covariance=False`` is timed (currents), plus the populations-only
path (⟨n_i⟩ of every node) for the new code.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
from scipy import integrate, special

# ---------------------------------------------------------------------------------------------------
# The old implementation (qheatnet before this benchmark's commit), kept verbatim for comparison.


def _old_shift(spectrum, nu):
    from qheatnet.model.spectra import DrudeLorentz

    nu = np.asarray(nu, float)
    if isinstance(spectrum, DrudeLorentz):
        k, c = spectrum.kappa, spectrum.cutoff
        return -0.5 * k * c * (1j * nu) / (c - 1j * nu)
    k, c = spectrum.kappa, spectrum.cutoff
    x = nu / c
    with np.errstate(over="ignore", invalid="ignore"):
        re = (k / np.pi) * 0.5 * nu * (np.exp(-x) * special.expi(x) + np.exp(x) * special.exp1(x))
    re = np.where(x < 700, re, k * c / np.pi)
    return re - 0.5j * spectrum.spectral_density(nu)


def _old_breakpoints(network, h):
    omega, u = np.linalg.eigh(h)
    width = np.zeros_like(omega)
    for b in network.baths:
        s = network.node_index(b.node)
        width += b.spectrum.spectral_density(omega) * u[s] ** 2
    width = np.maximum(width, 1e-9 * omega)
    pts = [0.0]
    for w, g in zip(omega, width):
        for m in (-200, -30, -5, -1, 0, 1, 5, 30, 200):
            pts.append(w + m * g)
    top = 3 * float(np.max(omega)) + 10 * max(b.temperature for b in network.baths)
    pts.append(top)
    pts = np.unique(np.clip(pts, 0.0, top))
    return pts, top


def old_exact(network, rtol=1e-10, covariance=False):
    """Currents (and covariance) by quad_vec between eigenfrequency breakpoints, dense solve per point."""
    from qheatnet.model.spectra import bose

    h = network.single_particle_matrix()
    hinv = np.linalg.inv(h)
    baths = network.baths
    nb = len(baths)
    sites = np.array([network.node_index(b.node) for b in baths])
    temps = [b.temperature for b in baths]
    usites = np.unique(sites)
    col = {int(x): k for k, x in enumerate(usites)}
    bcol = np.array([col[int(x)] for x in sites])
    rhs = np.eye(h.shape[0])[:, usites].astype(complex)

    def green_cols(nu):
        d = (h - nu * nu * hinv).astype(complex)
        for a, b in enumerate(baths):
            d[sites[a], sites[a]] += 2 * complex(_old_shift(b.spectrum, nu))
        return np.linalg.solve(d, rhs)

    def f_current(nu):
        nu = max(float(nu), 1e-300)
        gb = green_cols(nu)
        jv = np.array([float(b.spectrum.spectral_density(nu)) for b in baths])
        nv = np.array([float(bose(nu, t)) for t in temps])
        gs = np.abs(gb[np.ix_(sites, bcol)]) ** 2
        base = (2 / np.pi) * nu * np.outer(jv, jv) * gs
        net = base * (nv[:, None] - nv[None, :])
        gross = base * (nv[:, None] + nv[None, :] + 1)
        return np.concatenate([net.ravel(), gross.ravel()])

    pts, top = _old_breakpoints(network, h)
    tot = np.zeros(2 * nb * nb)
    for lo, hi in list(zip(pts[:-1], pts[1:])) + [(top, np.inf)]:
        val, _ = integrate.quad_vec(f_current, lo, hi, epsrel=rtol, epsabs=0.0, norm="max", limit=2000)
        tot += val
    pair = tot[: nb * nb].reshape(nb, nb)
    pair = 0.5 * (pair - pair.T)
    return {b.name: float(np.sum(pair[a])) for a, b in enumerate(baths)}


# ---------------------------------------------------------------------------------------------------

CASES = {
    "imp10": dict(n=10, imp=5, w_imp=1.5, target=1.0),
    "imp10in": dict(n=10, imp=5, w_imp=1.05, target=1.0),
    "imp200": dict(n=200, imp=100, w_imp=1.5, target=10.0),
    "uni1000": dict(n=1000, imp=None, w_imp=None, target=60.0),
}


def chain(n, imp, w_imp):
    from qheatnet import Bath, Coupling, Network, Node, Ohmic

    w = np.ones(n)
    if imp is not None:
        w[imp] = w_imp
    nodes = [Node(f"n{i}", "oscillator", float(w[i])) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(n - 1)]
    baths = [Bath("hot", "n0", 2.0, Ohmic(0.01, 5.0)), Bath("cold", f"n{n - 1}", 1.0, Ohmic(0.01, 5.0))]
    return Network(nodes, cps, baths)


def run_one(case, which):
    spec = CASES[case]
    net = chain(spec["n"], spec["imp"], spec["w_imp"])
    t0 = time.process_time()
    if which == "old":
        cur = old_exact(net)
        out = {"J": cur["hot"]}
    else:
        from qheatnet.solvers.exact import estimate_cost, exact_steady_state

        pops = which == "new_pops"
        est = estimate_cost(net, covariance=False, populations=pops)
        t0 = time.process_time()
        res = exact_steady_state(net, covariance=False, populations=pops)
        out = {
            "J": res.heat_currents["hot"],
            "err": res.residual,
            "pop_err": res.errors.get("populations", 0.0),
            "est_s": est["seconds"],
            "points": res.solver["frequency_points"],
            "windows": len(res.solver["windows"]),
        }
    out["cpu_s"] = time.process_time() - t0
    out["peak_MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def in_subprocess(case, which, timeout):
    cmd = [sys.executable, __file__, "--one", case, which]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before the old implementation is stopped")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    head = (
        f"{'case':8} {'N':>5} {'target':>7} {'new_s':>8} {'pops_s':>8} {'old_s':>9} {'old/new':>8} "
        f"{'|ΔJ|/J':>9} {'err_est':>8} {'est_s':>7} {'points':>8} {'win':>4} {'MB':>6}  verdict"
    )
    print(head)
    print("-" * len(head))
    for case in args.cases:
        spec = CASES[case]
        new = in_subprocess(case, "new", 3600)
        pops = in_subprocess(case, "new_pops", 3600)
        old = in_subprocess(case, "old", args.timeout)
        if "cpu_s" not in new:
            print(f"{case:8} new failed: {new}")
            continue
        if "cpu_s" in old:
            old_s = f"{old['cpu_s']:9.2f}"
            ratio = f"{old['cpu_s'] / new['cpu_s']:8.1f}"
            dj = f"{abs(new['J'] / old['J'] - 1):9.1e}"
        else:
            old_s = f">{old.get('timeout', float('nan')):7.0f}s" if "timeout" in old else "   error"
            ratio = f">{old.get('timeout', 0) / new['cpu_s']:7.0f}" if "timeout" in old else "       -"
            dj = "        -"
        pops_s = f"{pops['cpu_s']:8.2f}" if "cpu_s" in pops else "  failed"
        ok = new["cpu_s"] < spec["target"]
        print(
            f"{case:8} {spec['n']:5d} {spec['target']:6.0f}s {new['cpu_s']:8.2f} {pops_s} {old_s} {ratio} {dj} "
            f"{new['err']:8.1e} {new['est_s']:7.1f} {new['points']:8d} {new['windows']:4d} {new['peak_MB']:6.0f}  "
            f"{'met' if ok else 'MISSED by ' + format(new['cpu_s'] / spec['target'], '.1f') + 'x'}"
        )


if __name__ == "__main__":
    main()
