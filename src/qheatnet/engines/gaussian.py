"""Gaussian engine: oscillator-only networks without a Fock cut-off.

Approaches "local", "global" (steady states and transients) and "exact"
(steady states); ``engine="auto"`` picks it (priority 10 over the Fock
engine) when every node is an oscillator.

* local / global: the quadratic generator (:func:`qheatnet.physics.local.local_quadratic`,
  :func:`qheatnet.physics.davies.davies_quadratic`) on the correlation matrix
  C_ij = ⟨a_i† a_j⟩ — a Lyapunov equation at steady state
  (:mod:`qheatnet.solvers.gaussian`), the exact affine map C ↦ P C P† + Q
  in time (:func:`qheatnet.solvers.propagate.affine_propagator`).
* exact: the non-equilibrium Green's function (Landauer) solution of the
  full linear network + baths (:mod:`qheatnet.solvers.exact`), no
  Born–Markov approximation.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the
network. Steady-state options (``solve(..., method=..., populations=...)``):

``method``       local approach only: "auto" | "dense" | "modes" (see
                 :func:`qheatnet.solvers.gaussian.local_steady_state`).
``populations``  local: "auto" (all nodes while N ≤ GAUSSIAN_FULL_MAX, else the bath
                 nodes only — the others cost an O(N³) product), "all", "baths".
                 global: every population always (O(N²)); the correlation matrix and
                 covariance (O(N³)) with "all", with "auto" while N ≤ GAUSSIAN_GLOBAL_FULL_MAX,
                 never with "baths".
``rtol``         exact approach only: relative tolerance of the frequency integrals.
``covariance``   exact approach only: also integrate the covariance (populations come from it).

Results carry ``correlation_matrix`` (C_ij = ⟨a_i† a_j⟩, local/global, when
formed) and ``covariance`` (2N × 2N, order x_1, p_1, ...; see
:mod:`qheatnet.thermo.covariance`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import checks, config
from ..errors import ValidationError
from ..thermo.diagnostics import Diagnostic
from .base import YES, Engine, Fit, Options, Problem, SteadyOutput, TransientOutput, TransientPlan, check_memory, no
from .choose import register

__all__ = ["GaussianEngine", "GaussianSteadyOptions"]

#: Spectra for which the exact (NEGF) reference is defined (a high-frequency cut-off and a
#: temperature-independent spectral density; see :mod:`qheatnet.solvers.exact`).
EXACT_SPECTRA = ("ohmic", "drude_lorentz")


@dataclass(frozen=True)
class GaussianSteadyOptions(Options):
    """Options of the Gaussian engine's steady states (see the module docstring)."""

    method: str = field(
        default="auto",
        metadata={"check": lambda f, v: checks.choice(f, v, ("auto", "dense", "modes")), "help": "local solver"},
    )
    populations: str = field(
        default="auto",
        metadata={"check": lambda f, v: checks.choice(f, v, ("auto", "all", "baths")), "help": "which populations"},
    )
    rtol: float | None = field(
        default=None,
        metadata={
            "check": lambda f, v: checks.number(f, v, minimum=1e-14, maximum=1e-2),
            "help": "exact: relative tolerance of the frequency integrals (default: the solver's)",
        },
    )
    covariance: bool | None = field(
        default=None, metadata={"check": checks.boolean, "help": "exact: also integrate the covariance"}
    )
    max_seconds: float | None = field(
        default=None,
        metadata={
            "check": lambda f, v: checks.number(f, v, minimum=0.0, strict=True),
            "help": "exact: refuse an integral estimated to take longer (default: the solver's)",
        },
    )
    lamb_shift: bool = field(default=False, metadata={"check": checks.boolean, "help": "redfield: Lamb shift"})
    cluster_gap_ratio: float | None = field(
        default=None,
        metadata={"check": lambda f, v: checks.number(f, v, minimum=0.0), "help": "unified: clustering gap / rate"},
    )
    cluster_spread_ratio: float | None = field(
        default=None,
        metadata={"check": lambda f, v: checks.number(f, v, minimum=0.0), "help": "unified: cluster spread / T"},
    )


def _want_full(populations: str, n: int, limit: int | None = None) -> bool:
    """Form the full correlation matrix? ``limit``: largest N for "auto" (default GAUSSIAN_FULL_MAX)."""
    limit = config.GAUSSIAN_FULL_MAX if limit is None else limit
    return {"auto": n <= limit, "all": True, "baths": False}[populations]


class GaussianEngine(Engine):
    """Oscillator networks only: second moments (Lyapunov) for local/global, NEGF for exact."""

    name = "gaussian"
    description = "oscillator networks only: second moments (Lyapunov) for local/global, NEGF for exact"
    steady_approaches = frozenset({"local", "global", "exact", "unified", "redfield"})
    transient_approaches = frozenset({"local", "global"})
    priority = {"steady": 10, "transient": 10}
    steady_options = GaussianSteadyOptions

    def applies(self, problem: Problem, mode: str) -> Fit:
        net = problem.network
        if not all(k == "oscillator" for k in net.kinds):
            what = "exact" if problem.approach == "exact" else "gaussian"
            return no(f"{what}: networks of oscillators only (this network has qubits)")
        if not net.swap_only:  # other coupling kinds: the (x, p) path of engines/gaussian_xp.py
            from ..physics.quadratic_xp import quadratic_reason

            why = quadratic_reason(net)
            if why is not None:
                return no(f"gaussian: quadratic couplings only ({why})")
            if mode != "steady":
                return no("gaussian: time evolution with swap couplings only (the Fock engine evolves the others)")
            if problem.approach in ("unified", "redfield"):
                return no(f"gaussian: the {problem.approach} approach with swap couplings only")
        if problem.approach == "exact":
            bad = [b for b in net.baths if b.spectrum.kind not in EXACT_SPECTRA]
            if bad:
                why = (
                    "a temperature-dependent J(ω)"
                    if bad[0].spectrum.kind == "flat"
                    else "no cut-off: a divergent shift"
                )
                return no(
                    f"exact: oscillator networks with {' or '.join(EXACT_SPECTRA)} baths only, i.e. a spectral density "
                    f"with a high-frequency cut-off (bath {bad[0].name!r} has a {bad[0].spectrum.kind!r} spectrum: {why})"
                )
            if problem.bookkeeping != "full":
                return no("exact: only the full H_S bookkeeping is supported")
        return YES

    # -- steady states --------------------------------------------------------
    def steady(self, problem: Problem, options: GaussianSteadyOptions) -> SteadyOutput:
        if not problem.network.swap_only and problem.approach != "exact":  # dipole and other quadratic couplings
            from .gaussian_xp import steady_xp

            return steady_xp(problem, options)
        n = len(problem.network.nodes)
        check_memory(48.0 * n * n, f"the Gaussian engine for {n} oscillators (three N × N complex arrays)")
        from .beyond import BEYOND_APPROACHES, check_beyond_options, gaussian_steady

        given = options.given()
        check_beyond_options(problem.approach, given)
        if problem.approach == "exact":
            if "method" in given:
                raise ValidationError("method", "does not apply to the exact approach (options: rtol, covariance)")
            return self._exact(problem, options)
        for key in ("rtol", "covariance", "max_seconds"):
            if key in given:
                raise ValidationError(key, "applies to the exact approach only")
        if problem.approach in BEYOND_APPROACHES:
            for key in ("method", "populations"):
                if key in given:
                    raise ValidationError(key, f"does not apply to the {problem.approach} approach")
            return gaussian_steady(problem, options)
        if problem.approach == "local":
            return self._local(problem, options)
        if "method" in given:
            raise ValidationError("method", "applies to the local approach only")
        return self._global(problem, options)

    def _local(self, problem: Problem, options: GaussianSteadyOptions) -> SteadyOutput:
        from ..physics.local import local_quadratic
        from ..solvers import gaussian as gs
        from ..thermo.covariance import covariance_from_correlation
        from ..thermo.currents import _aggregate_sites, local_quadratic_currents

        network = problem.network
        gen = local_quadratic(network)
        n = gen.h.shape[0]
        sites = sorted({int(s) for s in gen.sites})
        delta_s, gain_s = _aggregate_sites(gen, sites)
        sol = gs.local_steady_state(
            gen.h, sites, delta_s, gain_s, method=options.method, full=_want_full(options.populations, n)
        )
        currents, pop_arr, gross = local_quadratic_currents(gen, sol, problem.bookkeeping)
        diags = []
        m = len(sites)
        if sol.C is None and m < n:
            diags.append(
                Diagnostic(
                    "POPULATIONS_PARTIAL",
                    "info",
                    f"populations computed for the {m} bath node(s) only (N = {n}; full only up to "
                    f"{config.GAUSSIAN_FULL_MAX} by default); pass populations='all' for every node (O(N³))",
                )
            )
        pops = {node.name: float(pop_arr[i]) for i, node in enumerate(network.nodes)}
        max_rate = float(np.max(delta_s))
        if sol.min_decay < config.SLOW_MODE_RTOL * max_rate:
            diags.append(
                Diagnostic(
                    "SLOW_NORMAL_MODE",
                    "warning",
                    f"the slowest collective mode relaxes at rate {sol.min_decay:.3g}, {sol.min_decay / max_rate:.1e} "
                    "of the bath rates: the network is (nearly) localised and the steady state is reached only "
                    f"after ~{1 / sol.min_decay:.2g} time units; currents through such modes are not resolved by "
                    "any finite-time experiment",
                )
            )
        resolution = float(np.finfo(float).eps * (np.max(np.abs(gen.h)) + np.max(delta_s)))
        if sol.method == "dense" and not sol.min_decay * config.GAUSSIAN_DENSE_RESOLUTION > resolution:
            diags.append(
                Diagnostic(
                    "SLOW_NORMAL_MODE",
                    "warning",
                    f"the slowest mode relaxes at rate {sol.min_decay:.3g}, resolved by the dense eigen-decomposition "
                    f"only to ~{resolution / sol.min_decay:.0e} relative: populations may be off by that much — "
                    "method='modes' computes the decay rates directly",
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
        cmat = cov = None
        if sol.C is not None:
            cmat = sol.C.copy()
            cmat[sites, sites] = sol.site_populations  # consistent with the reported populations
            cov = covariance_from_correlation(cmat)
        solver = {
            "method": sol.method,
            "min_decay_rate": sol.min_decay,
            "dark_modes": dark,
            "populations": "all" if sol.C is not None else "bath nodes",
        }
        return SteadyOutput(
            heat_currents=currents,
            populations=pops,
            residual=sol.residual,
            gross_exchange=gross,
            solver=solver,
            validity=gen.validity,
            diagnostics=diags,
            correlation_matrix=cmat,
            covariance=cov,
        )

    def _global(self, problem: Problem, options: GaussianSteadyOptions) -> SteadyOutput:
        from ..physics.davies import davies_quadratic
        from ..solvers import gaussian as gs
        from ..thermo.covariance import covariance_from_correlation
        from ..thermo.currents import davies_quadratic_currents

        network = problem.network
        gen = davies_quadratic(network)
        sol = gs.global_steady_state(gen)
        jf, jb, gross = davies_quadratic_currents(gen, sol)
        cur = jb if problem.bookkeeping == "bare" else jf
        currents = {name: float(cur[a]) for a, name in enumerate(gen.names)}
        pops = {node.name: float(sol.populations[i]) for i, node in enumerate(network.nodes)}
        cmat = cov = None
        n = len(network.nodes)
        full = _want_full(options.populations, n, config.GAUSSIAN_GLOBAL_FULL_MAX)
        if full:  # C = U C_modes Uᵀ: O(N³), formed only when asked (the currents need the bath rows of U only)
            assert gen.modes is not None
            u = gen.modes
            cmat = (u * np.nan_to_num(sol.n_modes, nan=0.0)[None, :]) @ u.T
            for idx, blk in sol.groups.items():
                ug = u[:, list(idx)]
                cmat += ug @ blk @ ug.T
            cmat = cmat.astype(complex)
            unknown = np.isnan(sol.populations)  # nodes touched by dark modes
            cmat[unknown, :] = np.nan
            cmat[:, unknown] = np.nan
            cov = covariance_from_correlation(cmat)
        solver = {
            "method": "normal modes",
            "degenerate_groups": len(sol.groups),
            "dark_modes": sol.dark_modes,
            "correlations": "all"
            if full
            else f"not formed (N = {n} > {config.GAUSSIAN_GLOBAL_FULL_MAX}; populations='all' forms C and the covariance)"
            if options.populations == "auto"
            else "not formed (populations='baths')",
        }
        # the Davies state is real in the real normal-mode basis (occupations n_k, real symmetric blocks of
        # degenerate groups), so C = U C_modes Uᵀ is real and every swap-coupling current 2 ε ω_i Im C_ij
        # (qheatnet.thermo.currents.swap_coupling_currents) vanishes: the global approach carries heat between
        # the baths through its collective dissipators, not through the couplings. Handed over without C.
        flows = {c.label: {c.nodes[0]: 0.0, c.nodes[1]: 0.0} for c in network.couplings}
        diags = []
        if sol.dark_modes:
            diags.append(
                Diagnostic(
                    "SLOW_NORMAL_MODE",
                    "warning",
                    f"{sol.dark_modes} normal mode(s) are coupled to the baths below the resolution of double "
                    f"precision (rate < {config.DARK_RTOL:g} of the largest; e.g. Anderson-localised modes of a long "
                    "disordered chain): they carry no resolvable current, but their occupation is not fixed by the "
                    "baths, so populations of the nodes they occupy are NaN",
                )
            )
        return SteadyOutput(
            heat_currents=currents,
            populations=pops,
            residual=sol.residual,
            gross_exchange=gross,
            solver=solver,
            validity=gen.validity,
            diagnostics=diags,
            correlation_matrix=cmat,
            covariance=cov,
            coupling_currents=flows,
        )

    def _exact(self, problem: Problem, options: GaussianSteadyOptions) -> SteadyOutput:
        from ..physics.davies import check_bounded_below
        from ..physics.quadratic_xp import check_ground_state
        from ..solvers.exact import exact_steady_state

        if problem.network.swap_only:
            check_bounded_below(problem.network)
        else:
            check_ground_state(problem.network)
        kwargs = {k: v for k, v in options.given().items() if k in ("rtol", "covariance", "max_seconds")}
        if options.populations == "all":
            kwargs["populations"] = True
        elif options.populations == "baths":
            raise ValidationError(
                "populations", "'baths' is not available for the exact approach (use 'all' or 'auto')"
            )
        res = exact_steady_state(problem.network, problem.bookkeeping, **kwargs)
        return SteadyOutput(
            heat_currents=dict(res.heat_currents),
            populations=dict(res.populations),
            residual=res.residual,
            gross_exchange=res.gross_exchange,
            solver=dict(res.solver),
            covariance=res.covariance,
        )

    # -- transients -----------------------------------------------------------
    def transient(self, problem: Problem, options: Any, plan: TransientPlan) -> TransientOutput:
        r"""C(t) of the quadratic generator: Ċ = M C + C M† + Γ↑, M = i h_w − ½ Σ_α G_α (exact affine map).

        The product initial state (thermal or Fock per node) enters through C(0) = diag(⟨n_i⟩) only: the
        equation for C is closed. J_α = Tr[h_book Ċ_α] (:func:`qheatnet.thermo.currents.quadratic_currents`).
        """
        from ..physics.davies import davies_quadratic
        from ..physics.local import local_quadratic
        from ..solvers.propagate import affine_propagator
        from ..thermo.currents import first_law_error, quadratic_currents

        network, approach, bookkeeping = problem.network, problem.approach, problem.bookkeeping
        gen = local_quadratic(network) if approach == "local" else davies_quadratic(network)
        h = np.asarray(gen.h, dtype=float)
        n = h.shape[0]
        n0 = np.zeros(n)
        for i, node in enumerate(network.nodes):
            s = plan.initial[node.name]
            if "fock" in s:
                n0[i] = s["fock"]
            elif s["temperature"] > 0:
                n0[i] = 1.0 / math.expm1(node.frequency / s["temperature"])
        basis = gen.basis
        h_w = gen.working_hamiltonian
        h_book = np.diag(np.diag(h)) if bookkeeping == "bare" else h
        g_up, g_net = gen.gain_matrices(), gen.net_matrices()
        hb_w = basis.T @ h_book @ basis
        up_tot = sum(g_up, np.zeros((n, n)))
        m_mat = 1j * h_w - 0.5 * sum(g_net, np.zeros((n, n)))
        times = plan.times
        p, q = affine_propagator(m_mat, up_tot.astype(complex), float(times[1] - times[0]))
        c = ((basis.T * n0[None, :]) @ basis).astype(complex)  # Uᵀ diag(n0) U
        currents = {name: np.empty(len(times)) for name in gen.names}
        pops = {nd.name: np.empty(len(times)) for nd in network.nodes}
        energy = np.empty(len(times))
        de = np.empty(len(times))
        hw_full = basis.T @ h @ basis
        pm = p.conj().T
        for it in range(len(times)):
            if it:
                c = p @ c @ pm + q
                c = 0.5 * (c + c.conj().T)
            for name, j in zip(gen.names, quadratic_currents(hb_w, g_up, g_net, c)):
                currents[name][it] = j
            occ = np.real(np.diag(c)) if approach == "local" else np.real(np.sum((basis @ c) * basis, axis=1))
            for i, nd in enumerate(network.nodes):
                pops[nd.name][it] = occ[i]
            energy[it] = float(np.real(np.sum(hb_w.T * c)))
            cdot = m_mat @ c + c @ m_mat.conj().T + up_tot
            de[it] = float(np.real(np.sum(hw_full.T * cdot)))
        first_law = first_law_error(de, currents) if bookkeeping == "full" else float("nan")
        return TransientOutput(
            method="affine propagator (exact)",
            structure="correlation matrix ⟨a_i† a_j⟩" + (" (normal modes)" if approach == "global" else ""),
            heat_currents=currents,
            populations=pops,
            energy=energy,
            entropy=None,
            trace_error=0.0,
            first_law_error=first_law,
            unknowns=n * n,
        )


register(GaussianEngine())
