r"""The master equations beyond local and global — Redfield and unified — on the Fock and Gaussian engines.

The builders are in :mod:`qheatnet.physics.redfield`, :mod:`qheatnet.physics.unified` (eigenbasis
of H_S, any network) and :mod:`qheatnet.physics.quadratic_beyond` (oscillator networks, second
moments, no truncation). This module turns their solutions into engine outputs:

``unified``
    Heat currents with "full" bookkeeping are taken with respect to the modified Hamiltonian H̃
    of the thermodynamically consistent construction (Potts, Kalaee & Wacker, NJP 23, 123013
    (2021)): σ = −Σ_α J̃_α/T_α ≥ 0 then holds exactly and Σ_α J̃_α = 0. The currents with respect
    to H_S are reported beside them (``solver["heat_currents_hs"]``); they differ by at most the
    cluster spread times the gross exchange (``solver["max_frequency_shift"]``). The clusters
    used are reported in ``solver["clusters"]``. "bare" bookkeeping uses H_0 = Σ ω_i n_i.
``redfield``
    Bloch–Redfield (Born–Markov, no secular approximation), the Lamb shift off by default
    (``lamb_shift=True`` adds its renormalised principal-value part for ohmic and Drude–Lorentz
    baths). Not completely positive: the lowest eigenvalue of ρ_ss (or of V + iJ/2 for
    oscillators) is reported and REDFIELD_NOT_POSITIVE flagged when it is negative beyond
    round-off.

Options (checked by the engines' typed options): ``lamb_shift`` (redfield), ``cluster_gap_ratio``
and ``cluster_spread_ratio`` (unified; defaults CLUSTER_GAP_RATIO and CLUSTER_SPREAD_RATIO of
:mod:`qheatnet.physics.unified`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import config
from ..errors import ValidationError
from ..model.network import Network
from ..physics.generator import ValidityInfo
from ..thermo.diagnostics import Diagnostic
from .base import Problem, SteadyOutput

__all__ = ["BEYOND_APPROACHES", "check_beyond_options", "fock_solve_once", "gaussian_steady", "FockBeyondSolution"]

#: The approaches this module serves.
BEYOND_APPROACHES: tuple[str, ...] = ("unified", "redfield")


def check_beyond_options(approach: str, given: dict[str, Any]) -> None:
    """Refuse options that belong to another approach (named, with the approach they belong to)."""
    own = {"redfield": ("lamb_shift",), "unified": ("cluster_gap_ratio", "cluster_spread_ratio")}
    for name, approaches in (
        ("lamb_shift", "redfield"),
        ("cluster_gap_ratio", "unified"),
        ("cluster_spread_ratio", "unified"),
    ):
        if name in given and name not in own.get(approach, ()):
            raise ValidationError(name, f"applies to the {approaches} approach only (this is {approach!r})")


def _cluster_kwargs(options: Any) -> dict[str, float]:
    from ..physics import unified as uni

    return {
        "gap_ratio": uni.CLUSTER_GAP_RATIO if options.cluster_gap_ratio is None else options.cluster_gap_ratio,
        "spread_ratio": uni.CLUSTER_SPREAD_RATIO
        if options.cluster_spread_ratio is None
        else options.cluster_spread_ratio,
    }


def _clusters_report(clusters: list, names: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """JSON-ready clusters per bath: ω̃, the Bohr frequencies merged, their spread (multi-frequency ones only)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, per_bath in zip(names, clusters):
        rows = []
        for c in per_bath:
            freqs = np.atleast_1d(np.asarray(c["frequencies"], float))
            if len(freqs) > 1:
                rows.append(
                    {
                        "omega_tilde": float(c["omega_tilde"]),
                        "frequencies": [float(f) for f in freqs],
                        "spread": float(c["spread"]),
                    }
                )
        out[name] = rows
    return out


@dataclass(frozen=True, eq=False)
class FockBeyondSolution:
    """What the Fock engine's cut-off loop needs from one unified/redfield solve (see engines/fock.py)."""

    currents: dict[str, float]
    populations: dict[str, float]
    rho: np.ndarray
    gross: float
    residual: float
    unknowns: int
    structure: str
    condition: float
    space: Any
    validity: ValidityInfo
    solver: dict[str, Any]
    diagnostics: list[Diagnostic]


def fock_solve_once(
    network: Network, approach: str, bookkeeping: str, cutoff: int | None, options: Any
) -> FockBeyondSolution:
    """One unified or Redfield steady state in the Fock space with cut-off ``cutoff`` (eigenbasis of H_S)."""
    from ..physics import redfield as rf
    from ..physics import unified as uni
    from ..physics.hilbert import FockSpace
    from ..thermo.currents import current_operator, expectation

    space = FockSpace.build(network.kinds, cutoff)
    basis = rf.eigen_basis(network, space)
    spectra = [b.spectrum for b in network.baths]
    temps = [b.temperature for b in network.baths]
    names = tuple(b.name for b in network.baths)
    diags: list[Diagnostic] = []
    solver: dict[str, Any] = {}
    if approach == "unified":
        ratios = _cluster_kwargs(options)
        gen = uni.build_unified(
            basis.energies,
            basis.couplings,
            spectra,
            temps,
            excitation=basis.excitation,
            bath_names=names,
            gap_ratio=ratios["gap_ratio"],
            spread_ratio=ratios["spread_ratio"],
        )
        st = uni.unified_steady_state(gen, with_roundoff=True)
        rho = st.rho
        if bookkeeping == "full":
            cur = st.currents_consistent
        else:
            import scipy.sparse as sp

            h0 = sp.csr_matrix(basis.bare)
            cur = np.array([expectation(current_operator(d.terms, h0), rho) for d in gen.lindblad_terms()])
        currents = {n: float(j) for n, j in zip(names, cur)}
        solver.update(
            heat_currents_hs={n: float(j) for n, j in zip(names, st.currents)},
            bookkeeping_hamiltonian="H̃ (modified, thermodynamically consistent)" if bookkeeping == "full" else "H_0",
            clusters=_clusters_report(gen.clusters, names),
            max_frequency_shift=float(gen.info.get("max_frequency_shift", 0.0)),
            cluster_refinements=int(gen.info.get("refinements", 0)),
        )
        # with one bath at T = 0 the gross exchange is itself round-off; the exchange scale (every level
        # occupied) bounds the currents' round-off from above there
        gross = max(st.gross, st.exchange_scale)
        residual, unknowns, structure = st.residual, st.unknowns, "blocks of the eigenspaces of H̃"
        cond = float(
            (st.roundoff or 0.0) / (rf.ROUNDOFF_FACTOR * np.finfo(float).eps * max(float(np.max(np.abs(rho))), 1e-300))
        )
        validity = ValidityInfo(node_rates=None, max_rate=float(np.max(gen.term_rate, initial=0.0)))
        if gen.info.get("refinements", 0):
            diags.append(
                Diagnostic(
                    "UNIFIED_CLUSTERS_REFINED",
                    "info",
                    f"the clustering threshold was halved {gen.info['refinements']} time(s) to find a consistent "
                    "modified Hamiltonian H̃ (fewer Bohr frequencies share a jump operator than the rule asks)",
                )
            )
    else:
        pairs = [
            (x, rf.redfield_lambda(basis.energies, x, s, t, lamb_shift=bool(options.lamb_shift)))
            for x, s, t in zip(basis.couplings, spectra, temps)
        ]
        rst = rf.steady_state(basis.energies, pairs, basis.excitation)
        rho = rst.rho
        h_book = np.diag(basis.energies) if bookkeeping == "full" else basis.bare
        currents = {n: float(rf.heat_current(rho, x, lam, h_book)) for n, (x, lam) in zip(names, pairs)}
        # gross exchange: Σ_α ½ Tr[ρ |{X_α, Λ_α}|]-like scale — use the Davies-like Σ |ω| G(ω) |X_mn|² ρ_nn
        gross = _redfield_gross(basis, pairs, rho)
        residual, unknowns, structure = rst.residual, rst.unknowns, rst.structure
        cond = float(
            rst.roundoff / (rf.ROUNDOFF_FACTOR * np.finfo(float).eps * max(float(np.max(np.abs(rho))), 1e-300))
        )
        solver.update(
            lamb_shift=bool(options.lamb_shift), lowest_eigenvalue=rst.lowest_eigenvalue, roundoff=rst.roundoff
        )
        validity = ValidityInfo(max_rate=0.0)
        if rst.not_positive:
            diags.append(
                Diagnostic(
                    "REDFIELD_NOT_POSITIVE",
                    "warning",
                    f"the Redfield steady state has a negative eigenvalue {rst.lowest_eigenvalue:.2e} (round-off bound "
                    f"{max(rst.roundoff, rf.NEGATIVITY_ATOL):.1e}): Redfield is not completely positive, and here it "
                    "is not a density matrix — compare with --approach unified",
                )
            )
    if cond > config.STEADY_STATE_MAX_CONDITION:
        from ..errors import ConvergenceError

        raise ConvergenceError(
            f"the {approach} steady state is not unique to working precision (condition number ≈ {cond:.1e} > "
            f"{config.STEADY_STATE_MAX_CONDITION:.0e}): some part of the network is decoupled from every bath or "
            "relaxes below round-off"
        )
    rho_local = basis.to_local(rho)
    diag = np.real(rho_local.diagonal())
    pops = {nd.name: float(np.sum(diag * space.states[:, i])) for i, nd in enumerate(network.nodes)}
    return FockBeyondSolution(
        currents, pops, rho_local, float(gross), residual, unknowns, structure, cond, space, validity, solver, diags
    )


def _redfield_gross(basis: Any, pairs: list, rho: np.ndarray) -> float:
    """Σ_α Σ_{m,n} |E_n − E_m| Re Γ_α(E_n − E_m)·2 |X_mn|² ρ_nn: the energy exchanged in both directions."""
    e = basis.energies
    p = np.real(np.diag(rho))
    total = 0.0
    for x, lam in pairs:
        w = e[None, :] - e[:, None]  # E_n − E_m for the element (m, n)
        # Λ_mn = Γ(E_n − E_m) X_mn, so 2 Re(Λ_mn X̄_mn) = G(ω)|X_mn|²
        rate = 2.0 * np.real(lam * np.conj(x))
        total += float(np.sum(np.abs(w) * np.abs(rate) * p[None, :]))
    return total


def gaussian_steady(problem: Problem, options: Any) -> SteadyOutput:
    """Redfield or unified steady state of an oscillator network at the level of second moments."""
    from ..physics import quadratic_beyond as qb
    from ..physics.davies import check_bounded_below

    network = problem.network
    check_bounded_below(network)
    h = network.single_particle_matrix()
    sites = [network.node_index(b.node) for b in network.baths]
    spectra = [b.spectrum for b in network.baths]
    temps = [b.temperature for b in network.baths]
    names = tuple(b.name for b in network.baths)
    diags: list[Diagnostic] = []
    solver: dict[str, Any] = {}
    cov = cmat = None
    if problem.bookkeeping != "full":
        raise ValidationError(
            "bookkeeping", f"the Gaussian engine supports only full bookkeeping for the {problem.approach} approach"
        )
    if problem.approach == "unified":
        sol = qb.unified_steady_state(h, sites, spectra, temps, **_cluster_kwargs(options))
        currents = {n: float(j) for n, j in zip(names, sol.currents_consistent)}
        pops = {nd.name: float(sol.site_populations[i]) for i, nd in enumerate(network.nodes)}
        gross = max(sol.gross, sol.exchange_scale)
        solver.update(
            method="normal-mode clusters",
            heat_currents_hs={n: float(j) for n, j in zip(names, sol.currents)},
            bookkeeping_hamiltonian="H̃ = Σ_k Ω̃_k d_k†d_k (modified, thermodynamically consistent)",
            clusters=[[int(k) for k in c] for c in sol.clusters if len(c) > 1],
            modified_frequency_shift=float(
                np.max(np.abs(sol.modified_frequencies - sol.mode_frequencies), initial=0.0)
            ),
            cluster_info={k: v for k, v in sol.cluster_info.items() if isinstance(v, (int, float, bool, str))},
        )
        residual = sol.residual
        if len(network.nodes) <= config.GAUSSIAN_FULL_MAX:
            from ..thermo.covariance import covariance_from_correlation

            cmat = sol.correlation_matrix()
            cov = covariance_from_correlation(cmat)
        solver["exchange_scale"] = sol.exchange_scale
    else:
        sol_r = qb.redfield_steady_state(h, sites, spectra, temps, lamb_shift=bool(options.lamb_shift))
        currents = {n: float(j) for n, j in zip(names, sol_r.currents)}
        pops = {nd.name: float(sol_r.site_populations[i]) for i, nd in enumerate(network.nodes)}
        gross = sol_r.gross
        residual = sol_r.residual
        cov = sol_r.covariance
        solver.update(
            method=sol_r.method,
            lamb_shift=bool(options.lamb_shift),
            min_decay_rate=sol_r.min_decay,
            lowest_eigenvalue=sol_r.lowest_eigenvalue,
        )
        if sol_r.lowest_eigenvalue is not None and sol_r.lowest_eigenvalue < -qb_negativity_tol():
            diags.append(
                Diagnostic(
                    "REDFIELD_NOT_POSITIVE",
                    "warning",
                    f"the Redfield covariance violates the uncertainty relation: V + iJ/2 has the eigenvalue "
                    f"{sol_r.lowest_eigenvalue:.2e} < 0 (not a physical Gaussian state) — compare with --approach unified",
                )
            )
        if np.any(np.isnan(sol_r.site_populations)):
            diags.append(
                Diagnostic(
                    "POPULATIONS_PARTIAL",
                    "info",
                    f"populations computed for the bath nodes only (N = {len(network.nodes)}; see "
                    "qheatnet.physics.quadratic_beyond.POPULATIONS_MAX)",
                )
            )
    return SteadyOutput(
        heat_currents=currents,
        populations=pops,
        residual=residual,
        gross_exchange=gross,
        solver=solver,
        validity=ValidityInfo(),
        diagnostics=diags,
        correlation_matrix=cmat,
        covariance=cov,
    )


def qb_negativity_tol() -> float:
    """Round-off threshold for the lowest eigenvalue of V + iJ/2 (entries of V are O(n + ½))."""
    from ..physics import redfield as rf

    return rf.NEGATIVITY_ATOL
