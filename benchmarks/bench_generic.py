"""Issue 12 in one table: qheatnet against QuTiP 5, qthermo 0.7 and a numpy baseline, same run.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_generic.py                 # every case
    .venv/bin/python benchmarks/bench_generic.py --cases ring8-local ring4-global --timeout 60
    .venv/bin/python benchmarks/bench_generic.py --src OTHER/src --baseline-src ./src
    .venv/bin/python benchmarks/bench_generic.py --setup-qthermo  # throwaway venv under /tmp
    .venv/bin/python benchmarks/bench_generic.py --list

Every measurement runs in a fresh interpreter (``OPENBLAS_NUM_THREADS=1``, an address-space limit
``--mem-gb``) and is stopped after ``--timeout`` seconds ("> T s"). Columns:

* ``qheatnet``: ``qheatnet.solve(net, approach)`` of the tree ``--src`` (default: this repository's
  ``src``), whole call (checks, engine choice, diagnostics); best of ``repeat`` calls in one process
  where the case says so (16-state cases; the N = 1000 chain, like its numpy baseline). ``met?``
  compares it with the issue-12 target. A refusal (ModelError, …) is printed short.
* ``base`` and ``ratio``: the same for ``--baseline-src``; ratio = base time / qheatnet time; the notes give
  ΔJ(base), the hot-bath current of the baseline tree against this one.
* ``QuTiP``: ``qutip.steadystate`` (5.x, ``method="direct"``, sparse LU, ``use_rcm=True`` — its
  fastest option for these sizes, MEASURED.md) on qheatnet's own export
  (``qheatnet.interop.qutip.to_qutip``: H and collapse operators, built before the clock). For
  the *global* equation the export is qheatnet's Davies jump operators rotated to the product basis
  (QuTiP has no global master-equation builder): the same Liouvillian, solved by another code, so
  the agreement checks the solver, not the physics. Oscillators are exported at a total-excitation
  cut-off ``peer_cutoff``.
* ``qthermo``: qthermo 0.7 (``build_model(...).analyze(energy=H)``, its own local/global (Davies)
  construction from the local Hamiltonians and site couplings σx / a + a†, full-H bookkeeping as in
  qheatnet), run by a separate interpreter (``--qthermo-python``; never a qheatnet dependency). The
  clock covers the model build (its Davies decomposition) and the solve. qheatnet's spectra are
  mapped onto qthermo's J(ω) (emission J(1 + n), absorption J n): Flat(r) → J = r(1 − e^{−ω/T}) and
  zero-frequency rate r; Ohmic(κ, ω_c) → ``ohmic_spectrum(κ, ω_c)``. Oscillators are truncated at
  ``peer_levels`` levels each.
* ``numpy``: the global heat current of a quadratic swap chain from ``eigh_tridiagonal`` and
  plain numpy (function :func:`numpy_global_chain`), best of 5.
* ``ΔJ``: |J_hot(peer) − J_hot(qheatnet)| / |J_hot(qheatnet)| for the hot bath.

Cases whose steady state must be unique (the degenerate ring) get a check outside the clock in the
QuTiP worker: the few eigenvalues of the Liouvillian nearest 0 (shift-invert), printed in the notes.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SRC = HERE.parent / "src"
DEFAULT_QTHERMO = Path("/tmp/qthermo-venv/bin/python")
QTHERMO_VERSION = "0.7.0"

# ---------------------------------------------------------------------------------------------------
# Cases: plain data (no qheatnet import), so that the qthermo interpreter can build them too.
# spec = {"nodes": [[name, kind, ω]], "couplings": [[a, b, ε]], "baths": [[name, node, T, spectrum]]}
# spectrum = ["flat", rate] | ["ohmic", κ, ω_c]


def _qubits(freqs, bonds, baths, eps=0.05, rate=0.01):
    nodes = [[f"q{i}", "qubit", float(w)] for i, w in enumerate(freqs)]
    cps = [[f"q{i}", f"q{j}", eps] for i, j in bonds]
    return {"nodes": nodes, "couplings": cps, "baths": [[n, f"q{i}", t, ["flat", rate]] for n, i, t in baths]}


def _ring(n, freqs, baths):
    return _qubits(freqs, [(i, (i + 1) % n) for i in range(n)], baths)


def _osc_chain(n, impurity=None, kappa=0.02, cutoff=5.0, eps=0.05):
    w = [1.0] * n
    if impurity is not None:
        w[n // 2] = impurity
    nodes = [[f"n{i}", "oscillator", w[i]] for i in range(n)]
    cps = [[f"n{i}", f"n{i + 1}", eps] for i in range(n - 1)]
    spec = ["ohmic", kappa, cutoff]
    return {"nodes": nodes, "couplings": cps, "baths": [["hot", "n0", 2.0, spec], ["cold", f"n{n - 1}", 1.0, spec]]}


def _toml_spec(path):
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    data = tomllib.loads((HERE.parent / path).read_text())
    nodes = [[n["name"], n["kind"], float(n["frequency"])] for n in data["nodes"]]
    cps = []
    for c in data.get("couplings", []):
        if c.get("kind", "swap") != "swap":
            raise SystemExit(f"{path}: only swap couplings are supported by this benchmark")
        cps.append([c["nodes"][0], c["nodes"][1], float(c["strength"])])
    baths = []
    for b in data["baths"]:
        s = b["spectrum"]
        spec = ["flat", float(s["rate"])] if s["kind"] == "flat" else ["ohmic", float(s["kappa"]), float(s["cutoff"])]
        baths.append([b["name"], b["node"], float(b["temperature"]), spec])
    return {"nodes": nodes, "couplings": cps, "baths": baths}


def _spec(cid: str) -> dict:
    w8 = [1 + 0.07 * i for i in range(8)]
    if cid == "mixed":
        return _toml_spec("examples/oscillator-qubit-cold.toml")
    if cid == "ring8":
        return _ring(8, w8, [("hot", 0, 2.0), ("cold", 4, 1.0), ("mid", 2, 1.5)])
    if cid == "star8":  # ω_i = 1 + 0.05 i, as in the "Generic Liouvillian path" table of benchmarks/README.md
        w = [1 + 0.05 * i for i in range(8)]
        return _qubits(w, [(0, i) for i in range(1, 8)], [("hot", 1, 2.0), ("cold", 7, 1.0)])
    if cid == "ring6deg":
        return _ring(6, [1.0] * 6, [("hot", 0, 2.0), ("cold", 1, 1.0)])
    if cid == "ring6":
        return _ring(6, [1 + 0.07 * i for i in range(6)], [("hot", 0, 2.0), ("cold", 3, 1.0)])
    if cid == "ring4":
        return _ring(4, [1 + 0.07 * i for i in range(4)], [("hot", 0, 2.0), ("cold", 2, 1.0)])
    if cid == "ring10":
        return _ring(10, [1 + 0.07 * i for i in range(10)], [("hot", 0, 2.0), ("cold", 5, 1.0)])
    if cid.startswith("chain"):
        return _osc_chain(int(cid[5:]))
    if cid == "imp10":
        return _osc_chain(10, impurity=3.0)
    if cid == "imp200":
        return _osc_chain(200, impurity=3.0)
    if cid == "uni1000":
        return _osc_chain(1000)
    raise KeyError(cid)


# name: (spec id, approach, target seconds or "2x numpy", peers, repeat, options)
CASES: dict[str, dict] = {}


def _case(name, spec, approach, target, peers=(), repeat=1, **opts):
    CASES[name] = {"spec": spec, "approach": approach, "target": target, "peers": list(peers), "repeat": repeat, **opts}


_case("mixed-global", "mixed", "global", 5.0, ("qutip", "qthermo"), peer_cutoff=8, peer_levels=8)
for _a in ("local", "global"):
    _case(f"ring8-{_a}", "ring8", _a, 10.0, ("qutip", "qthermo"))
    _case(f"star8-{_a}", "star8", _a, 10.0, ("qutip", "qthermo"))
_case("ring6deg-global", "ring6deg", "global", 0.5, ("qutip", "qthermo"), check_unique=True)
for _a in ("local", "global"):
    _case(f"ring6-{_a}", "ring6", _a, 0.5, ("qutip", "qthermo"))
for _a in ("global", "local"):
    _case(f"ring4-{_a}", "ring4", _a, 0.02, ("qutip", "qthermo"), repeat=7)
_case("ring10-local", "ring10", "local", 60.0, ("qutip", "qthermo"))
_case("chain1000-global", "chain1000", "global", "2x numpy", ("numpy",), repeat=3)
_case("chain4000-local", "chain4000", "local", 15.0)
#: names used by the first, single-tree version of this script (same networks)
ALIASES = {"ring8-3b-local": "ring8-local", "ring8-3b-global": "ring8-global"}

_EXACT = {"covariance": False}  # the heat currents only (bench_exact.py times the same)
_case("exact-imp10", "imp10", "exact", 1.0, solve_options=_EXACT)
_case("exact-imp200", "imp200", "exact", 10.0, solve_options=_EXACT)
_case("exact-uni1000", "uni1000", "exact", 60.0, solve_options=_EXACT)


# ---------------------------------------------------------------------------------------------------
# Builders (run inside the workers)


def qheatnet_network(spec):
    from qheatnet import Bath, Coupling, Flat, Network, Node, Ohmic

    def spectrum(s):
        return Flat(s[1]) if s[0] == "flat" else Ohmic(s[1], s[2])

    nodes = [Node(n, k, w) for n, k, w in spec["nodes"]]
    cps = [Coupling((a, b), e) for a, b, e in spec["couplings"]]
    baths = [Bath(n, node, t, spectrum(s)) for n, node, t, s in spec["baths"]]
    return Network(nodes, cps, baths)


def qthermo_model(spec, approach, levels):
    """qthermo's own model of the network: local Hamiltonians, swap terms, site baths."""
    import numpy as np
    import qthermo

    names = [n for n, _, _ in spec["nodes"]]
    dims = [2 if k == "qubit" else levels for _, k, _ in spec["nodes"]]
    local_h = [np.diag(w * np.arange(d, dtype=float)) for (_, _, w), d in zip(spec["nodes"], dims)]
    lows = [np.diag(np.sqrt(np.arange(1, d, dtype=float)), 1) for d in dims]

    def embed(op, i):
        out = np.eye(1)
        for j, d in enumerate(dims):
            out = np.kron(out, op if j == i else np.eye(d))
        return out

    inter = {}
    for a, b, e in spec["couplings"]:
        i, j = names.index(a), names.index(b)
        hop = embed(lows[i].T, i) @ embed(lows[j], j)
        inter[(i, j)] = e * (hop + hop.T)

    def spectrum(s, temp):
        if s[0] == "flat":
            rate = s[1]

            def flat(omega):
                return rate * -np.expm1(-np.asarray(omega, dtype=float) / temp)

            flat.zero_frequency = lambda _t: rate  # qheatnet's Flat: G(0) = rate
            return flat
        return qthermo.ohmic_spectrum(s[1], s[2], reference=1.0)

    baths = [
        {"name": n, "site": names.index(node), "coupling": lows[names.index(node)] + lows[names.index(node)].T, "T": t}
        | {"spectrum": spectrum(s, t)}
        for n, node, t, s in spec["baths"]
    ]
    return qthermo.build_model(local_h, inter, baths, master_equation=approach)


def numpy_global_chain(omega, eps, kappa, cutoff, t_hot, t_cold):
    """Global (Davies) heat currents of a swap chain with ohmic baths on its end nodes, plain numpy.

    Normal modes h = U diag(Ω) Uᵀ of the single-particle matrix (ω_i on the diagonal, ε next to it).
    Mode k couples to bath α (on node s_α) with w_αk = J_α(Ω_k) U_{s_α k}², J(Ω) = κ Ω e^{−Ω/ω_c}
    (emission w(1 + n_α), absorption w n_α), so dn_k/dt = Σ_α w_αk (n_α(Ω_k) − n_k): the steady
    occupation is the w-weighted mean of the bath occupations, and
    J_α = Σ_k Ω_k w_αk (n_α(Ω_k) − n_k) (positive: bath → network; H_S bookkeeping).
    """
    import numpy as np
    from scipy.linalg import eigh_tridiagonal

    n = len(omega)
    freq, u = eigh_tridiagonal(np.asarray(omega, float), np.full(n - 1, eps))
    jw = kappa * freq * np.exp(-freq / cutoff)
    w = np.stack([jw * u[0] ** 2, jw * u[-1] ** 2])
    nb = np.stack([1 / np.expm1(freq / t_hot), 1 / np.expm1(freq / t_cold)])
    nk = (w * nb).sum(0) / w.sum(0)
    return (freq * w * (nb - nk)).sum(1)


# ---------------------------------------------------------------------------------------------------
# Workers (one measurement in a fresh interpreter; print one JSON line)


def _hot(spec):
    return spec["baths"][0][0]


QUTIP_METHODS = {
    "direct": {"method": "direct", "use_rcm": True},
    "power": {"method": "power", "use_rcm": True},
    "lgmres": {"method": "direct", "solver": "lgmres", "use_wbm": True, "atol": 1e-14, "rtol": 1e-12},
    "gmres": {"method": "direct", "solver": "gmres", "use_wbm": True, "atol": 1e-14, "rtol": 1e-12},
}


def _short(exc: Exception) -> str:
    """A refusal in one short line: the exception type and its message without repeated engine names."""
    text = str(exc)
    for eng in ("free-fermion", "gaussian", "fock", "rate-equation"):
        text = text.replace(f"{eng}: {eng}: ", f"{eng}: ")
    return f"{type(exc).__name__}: {text}"


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def worker(tool: str, name: str, mem_gb: float, qutip_method: str = "direct") -> dict:
    """One measurement: the best of ``repeat`` calls (the build of the network and imports excluded)."""
    lim = int(mem_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    case = CASES[name]
    spec, approach, repeat = _spec(case["spec"]), case["approach"], case["repeat"]
    hot = _hot(spec)
    if tool == "qheatnet":
        import qheatnet

        net = qheatnet_network(spec)
        try:
            best, res = _best(lambda: qheatnet.solve(net, approach, **case.get("solve_options", {})), repeat)
        except Exception as exc:  # a refusal is a result of this benchmark
            return {"refused": _short(exc)}
        s = res.solver
        note = f"{res.engine}"
        for key in ("path", "structure"):
            if key in s:  # the long "(… refused: reason)" part is cut
                text = str(s[key])
                if text.startswith(res.engine):
                    text = text[len(res.engine) :].strip()
                note += " " + (text.split("(")[0].strip() + " (…)" if "(" in text else text)[:50]
        if "cutoff" in s:
            note += f" K={s['cutoff']}"
        if "unknowns" in s:
            note += f" {s['unknowns']} unk"
        if case.get("solve_options"):
            note += " " + ", ".join(f"{k}={v}" for k, v in case["solve_options"].items())
        return {"time": best, "J": res.heat_currents[hot], "note": note.replace("  ", " "), "src": qheatnet.__file__}
    if tool == "qutip":
        import numpy as np
        import qutip

        from qheatnet.interop.qutip import heat_currents, to_qutip

        net = qheatnet_network(spec)
        model = to_qutip(net, approach, cutoff=case.get("peer_cutoff"))
        h, c_ops = model.hamiltonian, model.all_c_ops()
        best, rho = _best(lambda: qutip.steadystate(h, c_ops, **QUTIP_METHODS[qutip_method]), repeat)
        out = {"time": best, "J": heat_currents(model, rho)[hot], "note": f"{qutip_method}, dim {h.shape[0]}"}
        out["note"] += f", {len(c_ops)} c_ops"
        if case.get("check_unique"):
            from scipy.sparse.linalg import eigs

            lv = qutip.liouvillian(h, c_ops).data.as_scipy().tocsc()
            vals = eigs(lv, k=4, sigma=1e-9, which="LM", return_eigenvectors=False)
            mags = np.sort(np.abs(vals))
            out["note"] += f"; L eigenvalues nearest 0: |λ| = {', '.join(f'{m:.1e}' for m in mags)}"
            out["unique"] = bool(mags[0] < 1e-9 and mags[1] > 1e3 * max(mags[0], 1e-14))
        return out
    if tool == "qthermo":
        import warnings

        def run():
            model = qthermo_model(spec, approach, case.get("peer_levels", 2))
            return model, model.analyze(energy=model.H)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            best, (model, steady) = _best(run, repeat)
        note = f"dim {model.H.shape[0]}"
        if caught:  # qthermo's own warnings are part of its answer
            note += f", {len(caught)} warning(s): {str(caught[0].message)[:60]}"
        return {"time": best, "J": float(steady.current(hot)), "note": note}
    if tool == "numpy":
        omega = [w for _, _, w in spec["nodes"]]
        eps = spec["couplings"][0][2]
        (_, _, t_hot, s_hot), (_, _, t_cold, s_cold) = spec["baths"]
        assert s_hot == s_cold and s_hot[0] == "ohmic" and len({c[2] for c in spec["couplings"]}) == 1
        best, j = _best(lambda: numpy_global_chain(omega, eps, s_hot[1], s_hot[2], t_hot, t_cold), 5)
        return {"time": best, "J": float(j[0]), "note": "eigh_tridiagonal"}
    raise ValueError(tool)


def run(tool, name, args, src):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    python = sys.executable
    if tool == "qthermo":
        python = args.qthermo_python
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(src)
    cmd = [python, str(Path(__file__).resolve()), "--worker", tool, name, str(args.mem_gb), args.qutip_method]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"> {args.timeout:g} s"}
    if p.returncode != 0:
        err = p.stderr.strip().splitlines()
        last = err[-1] if err else f"exit {p.returncode}"
        if "MemoryError" in p.stderr or "Unable to allocate" in p.stderr or p.returncode < 0:
            return {"error": f"> {args.mem_gb:g} GB"}
        return {"error": last[:70]}
    return json.loads(p.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------
# The table


def qthermo_status(python) -> str | None:
    """None if ``python`` imports qthermo 0.7, else the reason for the "n/a" column."""
    if not Path(python).exists():
        return f"n/a (not installed: no {python}; run --setup-qthermo)"
    p = subprocess.run([python, "-c", "import qthermo; print(qthermo.__version__)"], capture_output=True, text=True)
    if p.returncode != 0:
        return f"n/a (not importable: {(p.stderr.strip().splitlines() or ['?'])[-1][:50]})"
    if not p.stdout.strip().startswith("0.7"):
        return f"n/a (version {p.stdout.strip()}, want 0.7)"
    return None


def setup_qthermo(python: Path) -> str | None:
    """Create a throwaway venv next to ``python`` and pip install qthermo 0.7 there; None or the reason."""
    venv = python.parent.parent
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "-q", f"qthermo=={QTHERMO_VERSION}"],
    ]
    for cmd in steps:
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            return "n/a (not installable: " + ((p.stderr.strip().splitlines() or ["?"])[-1][:60]) + ")"
    return None


def _t(r):
    if r is None:
        return "—"
    if "error" in r:
        return r["error"]
    if "refused" in r:
        return "refused"
    t = r["time"]
    return f"{t * 1e3:.3g} ms" if t < 0.1 else f"{t:.3g} s"


def _dj(r, ref):
    if not r or not ref or "time" not in r or "time" not in ref or ref["J"] == 0:
        return "—"
    return f"{abs(r['J'] - ref['J']) / abs(ref['J']):.1e}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*", metavar="CASE", help="cases to run (the same as --cases)")
    p.add_argument("--cases", nargs="+", default=[], metavar="CASE", help="subset (see --list; default: all)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per measurement before it is stopped")
    p.add_argument("--mem-gb", type=float, default=6.0, help="address-space limit per measurement (GiB)")
    p.add_argument("--src", type=Path, default=DEFAULT_SRC, help="qheatnet source tree to time (default: ./src)")
    p.add_argument("--baseline-src", type=Path, help="a second qheatnet tree (e.g. main): base column and ratio")
    p.add_argument("--no-peers", action="store_true", help="qheatnet (and baseline) columns only")
    p.add_argument("--qthermo-python", default=str(DEFAULT_QTHERMO), help="interpreter with qthermo 0.7")
    p.add_argument("--setup-qthermo", action="store_true", help="pip install qthermo 0.7 into that venv first")
    p.add_argument(
        "--qutip-method",
        choices=list(QUTIP_METHODS),
        default="direct",
        help="qutip.steadystate method (default direct sparse LU with RCM: the fastest here; lgmres/gmres were "
        "16-60x slower on the 6-qubit ring)",
    )
    p.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        tool, name, mem, method = args.worker
        print(json.dumps(worker(tool, name, float(mem), method)))
        return
    if args.list:
        for name, c in CASES.items():
            print(f"{name:18} target {c['target']!s:9} peers {', '.join(c['peers']) or '—'}")
        return
    args.cases = [ALIASES.get(c, c) for c in (args.names + args.cases or list(CASES))]
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    qt_na = setup_qthermo(Path(args.qthermo_python)) if args.setup_qthermo else None
    qt_na = qt_na or qthermo_status(args.qthermo_python)
    print(f"qheatnet --src {args.src}" + (f", --baseline-src {args.baseline_src}" if args.baseline_src else ""))
    print(
        f"one BLAS thread, timeout {args.timeout:g} s, {args.mem_gb:g} GiB per measurement; "
        f"ΔJ = relative difference of J_hot from qheatnet; host load {os.getloadavg()[0]:.1f}"
    )
    if qt_na:
        print(f"qthermo: {qt_na}")
    base = args.baseline_src is not None
    head = f"{'case':17} {'target':>8} {'qheatnet':>10} {'met?':>4}"
    head += f" {'base':>10} {'ratio':>6}" if base else ""
    head += f" {'QuTiP':>10} {'ΔJ':>8} {'qthermo':>10} {'ΔJ':>8} {'numpy':>9} {'ΔJ':>8}  notes"
    print(head)
    print("-" * len(head))
    for name in args.cases:
        case = CASES[name]
        res = {"qheatnet": run("qheatnet", name, args, args.src)}
        if base:
            res["base"] = run("qheatnet", name, args, args.baseline_src)
        for peer in [] if args.no_peers else case["peers"]:
            if peer == "qthermo" and qt_na:
                res[peer] = {"error": "n/a"}
                continue
            res[peer] = run(peer, name, args, args.src)
        q = res["qheatnet"]
        tgt = case["target"]
        met = "—"
        if "time" in q:
            if isinstance(tgt, str):  # "2x numpy"
                npy = res.get("numpy", {})
                met = ("yes" if q["time"] <= 2 * npy["time"] else "NO") if "time" in npy else "?"
            else:
                met = "yes" if q["time"] < tgt else "NO"
        elif "refused" in q or "error" in q:
            met = "NO"
        tcell = tgt if isinstance(tgt, str) else (f"{tgt * 1e3:g} ms" if tgt < 0.1 else f"{tgt:g} s")
        line = f"{name:17} {tcell:>8} {_t(q):>10} {met:>4}"
        if base:
            b = res["base"]
            ratio = f"{b['time'] / q['time']:.2g}" if "time" in b and "time" in q else "—"
            line += f" {_t(b):>10} {ratio:>6}"
        for peer in ("qutip", "qthermo", "numpy"):
            r = res.get(peer)
            w = 9 if peer == "numpy" else 10
            line += f" {_t(r):>{w}} {_dj(r, q):>8}"
        notes = [q.get("note", "")] if "time" in q else [q.get("refused", q.get("error", ""))[:240]]
        if case["repeat"] > 1:
            notes.append(f"best of {case['repeat']}")
        if base and "time" in res["base"] and "time" in q:
            notes.append(f"ΔJ(base) = {_dj(res['base'], q)}")
        for peer in ("qutip", "qthermo"):
            r = res.get(peer) or {}
            if "note" in r:
                notes.append(f"{peer}: {r['note']}")
            elif "error" in r and r["error"] not in ("n/a",) and not r["error"].startswith(">"):
                notes.append(f"{peer}: {r['error']}")
        if case.get("check_unique") and "unique" in res.get("qutip", {}):
            notes.append("steady state unique" if res["qutip"]["unique"] else "STEADY STATE NOT UNIQUE")
        print(line + "  " + "; ".join(n for n in notes if n), flush=True)
    if math.isfinite(args.timeout):
        print(f"'> {args.timeout:g} s': stopped; 'refused': qheatnet raised (reason in notes); '—': not run")


if __name__ == "__main__":
    main()
