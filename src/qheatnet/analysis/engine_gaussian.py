"""Gaussian engine: oscillator-only networks without a Fock cut-off.

Registered as ``"gaussian"`` for the approaches "local", "global" and
"exact"; :func:`qheatnet.solve` picks it automatically (priority 10 over the
Fock engine) when every node is an oscillator.

* local / global: steady state of the master equation at the level of the
  correlation matrix C_ij = ⟨a_i† a_j⟩ (a Lyapunov equation;
  :mod:`qheatnet.solvers.gaussian`), exact for these master equations.
* exact: the non-equilibrium Green's function (Landauer) solution of the
  full linear network + baths (:mod:`qheatnet.solvers.exact`), no
  Born–Markov approximation.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the
network. Engine options (``solve(..., method=..., populations=...)``):

``method``       local approach only: "auto" | "dense" | "modes" (see
                 :func:`qheatnet.solvers.gaussian.local_steady_state`).
``populations``  "auto" (all nodes while N ≤ FULL_MAX, else the bath nodes
                 only — the others cost an O(N³) product), "all", "baths".

``SteadyState.extra`` carries ``correlation_matrix`` (C_ij = ⟨a_i† a_j⟩,
local/global, when formed) and ``covariance`` (2N × 2N, order x_1, p_1, ...;
see :mod:`qheatnet.analysis.covariance`).
"""

from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from ..solvers import gaussian as gs
from .covariance import covariance_from_correlation
from .diagnostics import Diagnostic
from .engines import EngineOutput, register_engine

__all__ = ["run_gaussian"]


def _applies(network, approach) -> bool:
    return all(k == "oscillator" for k in network.kinds)


def _damping(spectrum, omega, temperature):
    """γ(ω)(1 − e^{−ω/T}) without cancellation (T = 0 allowed)."""
    omega = np.asarray(omega, float)
    with np.errstate(divide="ignore"):
        x = np.where(temperature > 0, omega / max(temperature, 1e-300), np.inf)
    return spectrum.emission(omega, temperature) * -np.expm1(-x)


def _want_full(populations, n):
    if populations not in ("auto", "all", "baths"):
        raise ValidationError("populations", f"must be 'auto', 'all' or 'baths', got {populations!r}")
    return {"auto": n <= gs.FULL_MAX, "all": True, "baths": False}[populations]


def _run_local(network, bookkeeping, method, populations):
    if method not in ("auto", "dense", "modes"):
        raise ValidationError("method", f"must be 'auto', 'dense' or 'modes', got {method!r}")
    h = network.single_particle_matrix()
    n = h.shape[0]
    freqs = network.frequencies
    site_of = [network.node_index(b.node) for b in network.baths]
    sites = sorted(set(site_of))
    pos = {s: p for p, s in enumerate(sites)}
    em = np.array([float(b.spectrum.emission(freqs[s], b.temperature)) for b, s in zip(network.baths, site_of)])
    ab = np.array([float(b.spectrum.absorption(freqs[s], b.temperature)) for b, s in zip(network.baths, site_of)])
    dl = np.array([float(_damping(b.spectrum, freqs[s], b.temperature)) for b, s in zip(network.baths, site_of)])
    delta_s = np.zeros(len(sites))
    gain_s = np.zeros(len(sites))
    for a, s in enumerate(site_of):
        delta_s[pos[s]] += dl[a]
        gain_s[pos[s]] += ab[a]
    occ_s = gain_s / delta_s
    sol = gs.local_steady_state(h, sites, delta_s, gain_s, method=method, full=_want_full(populations, n))
    currents = {}
    m = len(sites)
    for a, (bath, s) in enumerate(zip(network.baths, site_of)):
        p = pos[s]
        occ_a = ab[a] / dl[a]
        coef = sol.X if bookkeeping == "bare" else sol.S
        own = freqs[s] if bookkeeping == "bare" else h[s, s]
        scale = freqs[s] if bookkeeping == "bare" else 1.0
        others = [q for q in range(m) if q != p]
        tot = sum((occ_a - occ_s[q]) * delta_s[q] * coef[p, q] * scale for q in others)
        rest = own - sum(delta_s[q] * coef[p, q] * scale for q in others)
        currents[bath.name] = float(dl[a] * (tot + (occ_a - occ_s[p]) * rest))
    diags = []
    if sol.C is not None:
        pop_arr = np.real(np.diag(sol.C)).copy()
        pop_arr[sites] = sol.site_populations  # the cancellation-free form for the bath sites
    else:
        pop_arr = np.full(n, np.nan)
        pop_arr[sites] = sol.site_populations
    if sol.C is None and m < n:
        diags.append(
            Diagnostic(
                "POPULATIONS_PARTIAL",
                "info",
                f"populations computed for the {m} bath node(s) only (N = {n}; full only up to {gs.FULL_MAX} by default); pass "
                "populations='all' for every node (O(N³))",
            )
        )
    pops = {node.name: float(pop_arr[i]) for i, node in enumerate(network.nodes)}
    gross = float(sum(freqs[s] * (em[a] * pop_arr[s] + ab[a] * (pop_arr[s] + 1)) for a, s in enumerate(site_of)))
    node_rates = np.zeros(n)
    for a, s in enumerate(site_of):
        node_rates[s] += em[a] + ab[a]
    max_rate = float(np.max(delta_s))
    if sol.min_decay < 1e-12 * max_rate:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"the slowest collective mode relaxes at rate {sol.min_decay:.3g}, {sol.min_decay / max_rate:.1e} "
                "of the bath rates: the network is (nearly) localised and the steady state is reached only after "
                f"~{1 / sol.min_decay:.2g} time units; currents through such modes are not resolved by any "
                "finite-time experiment",
            )
        )
    dark = sol.extra.get("dark_modes", 0)
    if dark:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"{dark} normal mode(s) have no amplitude on any bath node to double precision (decay rate below "
                "~1e-300, e.g. Anderson-localised modes of a long disordered chain): they carry no current, but "
                "their occupation is not fixed by the baths, so populations of the nodes they occupy are NaN",
            )
        )
    extra = {}
    if sol.C is not None:
        cmat = sol.C.copy()
        cmat[sites, sites] = sol.site_populations  # consistent with the reported populations
        extra["correlation_matrix"] = cmat
        extra["covariance"] = covariance_from_correlation(cmat)
    solver = {
        "method": sol.method,
        "min_decay_rate": sol.min_decay,
        "dark_modes": dark,
        "populations": "all" if sol.C is not None else "bath nodes",
    }
    return EngineOutput(
        currents, pops, sol.residual, solver, gross, {"node_rates": node_rates}, extra=extra, diagnostics=diags
    )


def _run_global(network, bookkeeping, populations):
    h = network.single_particle_matrix()
    baths = network.baths
    site_of = np.array([network.node_index(b.node) for b in baths], dtype=int)
    sol = gs.global_steady_state(
        h,
        site_of,
        lambda a, w: baths[a].spectrum.emission(w, baths[a].temperature) * np.ones_like(w),
        lambda a, w: baths[a].spectrum.absorption(w, baths[a].temperature) * np.ones_like(w),
        lambda a, w: _damping(baths[a].spectrum, w, baths[a].temperature) * np.ones_like(w),
    )
    cur = sol.currents_bare if bookkeeping == "bare" else sol.currents_full
    currents = {b.name: float(cur[a]) for a, b in enumerate(baths)}
    pops = {node.name: float(sol.populations[i]) for i, node in enumerate(network.nodes)}
    extra = {}
    if _want_full(populations, len(network.nodes)):
        cm = np.diag(np.nan_to_num(sol.n_modes, nan=0.0)).astype(complex)
        for idx, blk in sol.groups.items():
            cm[np.ix_(idx, idx)] = blk
        cmat = sol.U @ cm @ sol.U.T
        unknown = np.isnan(sol.populations)  # nodes touched by dark modes
        cmat[unknown, :] = np.nan
        cmat[:, unknown] = np.nan
        extra["correlation_matrix"] = cmat
        extra["covariance"] = covariance_from_correlation(cmat)
    info = {"min_bohr_gap": sol.min_bohr_gap, "max_rate": sol.max_rate}
    solver = {"method": "normal modes", "degenerate_groups": len(sol.groups), "dark_modes": sol.dark_modes}
    diags = []
    if sol.dark_modes:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"{sol.dark_modes} normal mode(s) are coupled to the baths below the resolution of double precision "
                f"(rate < {gs.DARK_RTOL:g} of the largest; e.g. Anderson-localised modes of a long disordered chain): "
                "they carry no resolvable current, but their occupation is not fixed by the baths, so populations "
                "of the nodes they occupy are NaN",
            )
        )
    return EngineOutput(currents, pops, sol.residual, solver, sol.gross, info, extra=extra, diagnostics=diags)


def run_gaussian(network, approach, bookkeeping, *, method="auto", populations="auto", **options):
    """Engine entry point (see module docstring)."""
    if approach == "local":
        if options:
            raise ValidationError(next(iter(options)), "unknown option for the gaussian engine")
        return _run_local(network, bookkeeping, method, populations)
    if approach == "global":
        if options:
            raise ValidationError(next(iter(options)), "unknown option for the gaussian engine")
        return _run_global(network, bookkeeping, populations)
    from ..physics.davies import check_bounded_below
    from ..solvers.exact import exact_steady_state

    check_bounded_below(network)
    res = exact_steady_state(network, bookkeeping, **options)
    return EngineOutput(
        res.heat_currents,
        res.populations,
        res.residual,
        res.solver,
        res.gross_exchange,
        {},
        extra={"covariance": res.covariance},
    )


register_engine(
    "gaussian",
    run_gaussian,
    applies=_applies,
    priority=10,
    approaches=("local", "global", "exact"),
    description="oscillator networks only: second moments (Lyapunov) for local/global, NEGF for exact",
)
