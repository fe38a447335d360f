"""The Gaussian engine for quadratic oscillator networks that do not conserve the excitation number.

:class:`qheatnet.engines.gaussian.GaussianEngine` hands networks with dipole
couplings (or two-operator products such as a_ia_j + h.c.) here: the (x, p)
representation of :mod:`qheatnet.physics.quadratic_xp` with the solvers of
:mod:`qheatnet.solvers.gaussian_xp`. No Fock truncation. Conventions:
ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network.

Results carry the covariance (2N × 2N, interleaved x_1, p_1, …) when it is
formed (N ≤ XP_FULL_MAX by default, or ``populations="all"``), the heat flow
through every coupling (bare bookkeeping; from the covariance) and the bath
part J_bath(i) of each node's energy balance.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from ..errors import ValidationError
from ..thermo.diagnostics import Diagnostic
from .base import Problem, SteadyOutput, check_memory

__all__ = ["steady_xp", "XP_STEADY_APPROACHES"]

#: Approaches of the (x, p) path (the exact NEGF reference is written for number-conserving couplings).
XP_STEADY_APPROACHES: tuple[str, ...] = ("local", "global")


def _want_full(populations: str, n: int) -> bool:
    return {"auto": n <= config.XP_FULL_MAX, "all": True, "baths": False}[populations]


def _interleave(v_block: np.ndarray) -> np.ndarray:
    """Block order (x_1..x_N, p_1..p_N) → interleaved (x_1, p_1, …)."""
    n = v_block.shape[0] // 2
    perm = np.empty(2 * n, dtype=int)
    perm[0::2] = np.arange(n)
    perm[1::2] = n + np.arange(n)
    return v_block[np.ix_(perm, perm)]


def steady_xp(problem: Problem, options: Any) -> SteadyOutput:
    """Steady state of a quadratic, non-number-conserving oscillator network (local or global)."""
    from ..physics.quadratic_xp import check_ground_state

    network = problem.network
    n = len(network.nodes)
    check_memory(16.0 * 8 * (2 * n) ** 2, f"the (x, p) Gaussian solver for {n} oscillators (eight 2N × 2N arrays)")
    check_ground_state(network)
    given = options.given()
    for key in ("rtol", "covariance"):
        if key in given:
            raise ValidationError(key, "applies to the exact approach only")
    if problem.approach == "local":
        return _local(problem, options)
    if "method" in given:
        raise ValidationError("method", "applies to the local approach only")
    return _global(problem, options)


def _flows_from_cov(network, cov):
    from ..thermo.currents import quadratic_coupling_currents

    return quadratic_coupling_currents(network, cov) if cov is not None and np.all(np.isfinite(cov)) else None


def _local(problem: Problem, options: Any) -> SteadyOutput:
    from ..physics.quadratic_xp import local_xp
    from ..solvers.gaussian_xp import local_bath_currents, local_steady_state_xp
    from ..thermo.currents import local_node_bath_currents

    network = problem.network
    n = len(network.nodes)
    gen = local_xp(network)
    full = _want_full(options.populations, n)
    sol = local_steady_state_xp(gen, method=options.method, full=full)
    currents, site_pops, gross = local_bath_currents(network, gen, sol, problem.bookkeeping)
    pops = np.full(n, np.nan)
    cov = None
    if sol.cov is not None:
        cov = _interleave(sol.cov)
        pops = 0.5 * (np.diag(sol.cov)[:n] + np.diag(sol.cov)[n:]) - 0.5
    for s, p in site_pops.items():
        pops[s] = p  # the cancellation-free form for the bath sites
    dark = int(sol.extra.get("dark_modes", 0))
    unknown = np.zeros(n, dtype=bool)
    if dark:
        unknown = np.asarray(sol.extra["dark_weight"]) > config.DARK_WEIGHT
        pops[unknown] = np.nan
    populations = {nd.name: float(pops[i]) for i, nd in enumerate(network.nodes)}
    diags = []
    if dark:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"{dark} normal mode(s) have no amplitude on any bath node to double precision (decay rate below "
                f"{config.DARK_RTOL:g} of the largest, e.g. a mode localised far from the baths): they carry no "
                "current, but their occupation is not fixed by the baths, so populations of the nodes they occupy "
                "are NaN",
            )
        )
    if cov is None and len(site_pops) < n:
        diags.append(
            Diagnostic(
                "POPULATIONS_PARTIAL",
                "info",
                f"populations and coupling currents computed for the {len(site_pops)} bath node(s) only (N = {n}; "
                f"the full covariance is formed up to {config.XP_FULL_MAX} nodes by default); pass "
                "populations='all' for every node (O(N³))",
            )
        )
    max_rate = float(np.max(gen.net_damping)) if len(gen.net_damping) else 0.0
    if sol.min_decay < config.SLOW_MODE_RTOL * max_rate:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"the slowest collective mode relaxes at rate {sol.min_decay:.3g}, {sol.min_decay / max_rate:.1e} of "
                f"the bath rates: the steady state is reached only after ~{1 / sol.min_decay:.2g} time units",
            )
        )
    norm = float(np.max(np.abs(np.concatenate([gen.V.ravel(), gen.W.ravel()])))) + max_rate
    cond = norm / sol.min_decay if sol.min_decay > 0 else float("inf")
    if sol.method == "dense" and cond > config.ILL_CONDITIONED_CONDITION:  # (the modes path divides exactly)
        diags.append(
            Diagnostic(
                "ILL_CONDITIONED_STEADY_STATE",
                "warning",
                f"the slowest mode relaxes ~{cond:.1e} times slower than the generator's fastest scale (rate "
                f"{sol.min_decay:.2g}): the covariance of the nodes it occupies is resolved only to about "
                f"{cond * 2.2e-16:.0e} relative; the heat currents, which it hardly carries, are not affected as much",
            )
        )
    # the coupling currents do not depend on the occupation of dark modes (a single real mode has no x–p
    # correlation), so they come from the covariance with those modes at vacuum; their nodes' rows are NaN after
    couplings = _flows_from_cov(network, cov)
    node_baths = None
    if couplings is not None and sol.cov is not None:
        # the bath side of each node's balance from the diagonal of V itself (not from continuity)
        pv = 0.5 * (np.diag(sol.cov)[:n] + np.diag(sol.cov)[n:]) - 0.5
        pv[unknown] = np.nan
        node_baths = local_node_bath_currents(network, {nd.name: float(pv[i]) for i, nd in enumerate(network.nodes)})
    if cov is not None and np.any(unknown):
        bad = np.repeat(unknown, 2)
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
    solver = {
        "method": f"(x, p) Lyapunov, {sol.method}",
        "representation": "(x, p) covariance (the couplings do not conserve the excitation number)",
        "min_decay_rate": sol.min_decay,
        "fixed_point_iterations": sol.iterations,
        "dark_modes": dark,
        "populations": "all" if cov is not None else "bath nodes",
    }
    return SteadyOutput(
        heat_currents=currents,
        populations=populations,
        residual=sol.residual,
        gross_exchange=gross,
        solver=solver,
        validity=gen.validity,
        diagnostics=diags,
        covariance=cov,
        coupling_currents=couplings,
        node_bath_currents=node_baths,
    )


def _global(problem: Problem, options: Any) -> SteadyOutput:
    from ..physics.quadratic_xp import global_xp
    from ..solvers.gaussian_xp import (
        global_currents_xp,
        global_node_bath_currents,
        global_site_covariance,
        global_steady_state_xp,
    )

    network = problem.network
    n = len(network.nodes)
    gen = global_xp(network)
    sol = global_steady_state_xp(gen)
    jf, jb, gross = global_currents_xp(gen, sol)
    cur = jb if problem.bookkeeping == "bare" else jf
    currents = {name: float(cur[a]) for a, name in enumerate(gen.names)}
    pops = {nd.name: float(sol.populations[i]) for i, nd in enumerate(network.nodes)}
    cov = global_site_covariance(gen, sol) if _want_full(options.populations, n) else None
    couplings = _flows_from_cov(network, cov)
    node_baths = None
    if couplings is not None:
        nb = global_node_bath_currents(gen, sol)
        node_baths = {nd.name: float(nb[i]) for i, nd in enumerate(network.nodes)}
    diags = []
    if sol.dark_modes:
        diags.append(
            Diagnostic(
                "SLOW_NORMAL_MODE",
                "warning",
                f"{sol.dark_modes} normal mode(s) are coupled to the baths below the resolution of double precision: "
                "they carry no resolvable current, but their occupation is not fixed by the baths, so populations of "
                "the nodes they occupy are NaN",
            )
        )
    solver = {
        "method": "normal modes of ½xᵀVx + ½pᵀWp",
        "representation": "(x, p) normal modes (the couplings do not conserve the excitation number)",
        "degenerate_groups": len(sol.groups),
        "dark_modes": sol.dark_modes,
        "lowest_mode_frequency": float(gen.modes.omega[0]) if gen.modes is not None else float("nan"),
    }
    return SteadyOutput(
        heat_currents=currents,
        populations=pops,
        residual=sol.residual,
        gross_exchange=gross,
        solver=solver,
        validity=gen.validity,
        diagnostics=diags,
        covariance=cov,
        coupling_currents=couplings,
        node_bath_currents=node_baths,
    )
