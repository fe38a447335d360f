"""The generic engine: the sparse Liouvillian in a (truncated) Fock space, for any network.

Steady states: the generator of :mod:`qheatnet.physics.local` or
:mod:`qheatnet.physics.davies` (Fock representation), solved by
:func:`qheatnet.solvers.liouvillian.steady_state` on the q-diagonal blocks
of ρ where the structure allows. Oscillators are truncated at total
excitation K: with ``cutoff=None`` K starts from the thermal tail of the
hottest normal mode and is raised until populations change by less than
FOCK_RTOL and currents by less than FOCK_RTOL·|J| + ZERO_CURRENT_RTOL·(gross
exchange) between K − FOCK_STEP and K.

Transients: the same generator, propagated by
:func:`qheatnet.solvers.propagate.propagate` ("dense" up to
DENSE_MAX_UNKNOWNS unknowns, else "krylov"); oscillators need a fixed
``cutoff``.

The number of unknowns is computed from the network alone before anything
is built (:func:`qheatnet.physics.hilbert.block_unknowns`), and a problem
beyond FOCK_MAX_UNKNOWNS is refused up front with the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import checks, config
from ..errors import ConvergenceError, ValidationError
from ..model.network import Network
from ..physics.hilbert import block_unknowns, fock_dimension
from ..thermo.diagnostics import Diagnostic
from .base import YES, Engine, Fit, Options, Problem, SteadyOutput, TransientOutput, TransientPlan, check_memory, no
from .choose import register

__all__ = ["FockEngine", "FockSteadyOptions", "FockTransientOptions", "build_generator"]


def _cutoff(name: str, value: Any) -> int | None:
    return None if value is None else checks.integer(name, value, minimum=1)


@dataclass(frozen=True)
class FockSteadyOptions(Options):
    """``cutoff``: fix the total oscillator excitation K instead of converging it (None: automatic).

    ``lamb_shift`` (redfield), ``cluster_gap_ratio``, ``cluster_spread_ratio`` (unified): see
    :mod:`qheatnet.engines.beyond`.
    """

    cutoff: int | None = field(default=None, metadata={"check": _cutoff, "help": "fixed Fock cut-off K"})
    lamb_shift: bool = field(default=False, metadata={"check": checks.boolean, "help": "redfield: Lamb shift"})
    cluster_gap_ratio: float | None = field(
        default=None,
        metadata={"check": lambda f, v: checks.number(f, v, minimum=0.0), "help": "unified: clustering gap / rate"},
    )
    cluster_spread_ratio: float | None = field(
        default=None,
        metadata={"check": lambda f, v: checks.number(f, v, minimum=0.0), "help": "unified: cluster spread / T"},
    )


@dataclass(frozen=True)
class FockTransientOptions(Options):
    """``cutoff``: total oscillator excitation K (required with oscillators); ``method``: the propagator."""

    cutoff: int | None = field(default=None, metadata={"check": _cutoff, "help": "Fock cut-off K"})
    method: str = field(
        default="auto",
        metadata={
            "check": lambda f, v: checks.choice(f, v, ("auto", "dense", "krylov")),
            "help": "propagator: dense (expm once) or krylov (expm_multiply)",
        },
    )


def build_generator(network: Network, approach: str, cutoff: int | None):
    """The Fock-space generator of ``approach`` with oscillator cut-off K = ``cutoff``."""
    from ..physics.davies import build_global
    from ..physics.hilbert import FockSpace
    from ..physics.local import build_local

    space = FockSpace.build(network.kinds, cutoff)
    return (build_local if approach == "local" else build_global)(network, space)


def _limit(approach: str) -> int:
    return int(config.FOCK_MAX_UNKNOWNS[approach])


def _unknowns(network: Network, approach: str, cutoff: int | None) -> int:
    """Unknowns of the block-wise solve; for the global approach of a network with qubits, the full space may be
    needed (Davies jumps between degenerate levels need not shift q by a fixed amount): the block count is the
    lower bound used for the refusal."""
    from ..physics.local import fock_unknowns

    return fock_unknowns(network, cutoff) if not network.conserves_excitation else block_unknowns(network.kinds, cutoff)


@dataclass(frozen=True)
class _Solved:
    currents: dict[str, float]
    populations: dict[str, float]
    rho: np.ndarray
    gross: float
    residual: float
    unknowns: int
    structure: str
    condition: float
    space: Any
    validity: Any
    solver: dict[str, Any]
    diagnostics: list[Any]
    gen: Any = None  # the Fock generator (local/global), for the coupling currents
    rho_gen: Any = None  # ρ in the generator's basis


def _solve_once(network: Network, approach: str, bookkeeping: str, cutoff: int | None, options: Any = None) -> _Solved:
    from ..solvers.liouvillian import steady_state
    from ..thermo.currents import fock_currents
    from .beyond import BEYOND_APPROACHES, fock_solve_once

    if approach in BEYOND_APPROACHES:
        b = fock_solve_once(network, approach, bookkeeping, cutoff, options)
        return _Solved(
            b.currents,
            b.populations,
            b.rho,
            b.gross,
            b.residual,
            b.unknowns,
            b.structure,
            b.condition,
            b.space,
            b.validity,
            b.solver,
            b.diagnostics,
        )
    check_memory(_memory_estimate(network, approach, cutoff), f"the Fock-space {approach} steady state")
    gen = build_generator(network, approach, cutoff)
    space = gen.space
    sol = steady_state(gen.hamiltonian, gen.jumps(), space.excitation, liouvillian=gen.block_liouvillian())
    currents, gross = fock_currents(gen, sol.rho, bookkeeping)
    rho = gen.to_local(sol.rho)
    diag = np.real(rho.diagonal())
    pops = {n.name: float(np.sum(diag * space.states[:, i])) for i, n in enumerate(network.nodes)}
    return _Solved(
        currents,
        pops,
        rho,
        gross,
        sol.residual,
        sol.unknowns,
        sol.structure,
        sol.condition,
        space,
        gen.validity,
        {"linear_solve": dict(sol.info)},
        [],
        gen,
        sol.rho,
    )


def _memory_estimate(network: Network, approach: str, cutoff: int | None) -> float:
    """Bytes of the block Liouvillian (COO assembly and CSR/CSC copies, ≈ 64 B per entry; entries per unknown
    ≈ 2 (1 + couplings touching a node) + baths) plus the GMRES basis (FOCK_ITERATIVE_RESTART vectors)."""
    n = float(_unknowns(network, approach, cutoff))
    per_row = 2.0 * (1 + 2 * len(network.couplings)) + 2 * len(network.baths)
    return n * per_row * 64.0 + n * 16.0 * (config.FOCK_ITERATIVE_RESTART + 8)


def initial_cutoff(network: Network) -> int:
    """Smallest K whose thermal tail C(K+M−1, M−1) p^{K+1} < FOCK_TAIL (p = n/(n+1) of the lowest mode)."""
    osc = [i for i, k in enumerate(network.kinds) if k == "oscillator"]
    if network.swap_only:
        h = network.single_particle_matrix()[np.ix_(osc, osc)]
        lowest = min(float(np.linalg.eigvalsh(h)[0]), float(np.min(h.diagonal())))
    else:  # other coupling kinds: the quadratic oscillator-only part (qheatnet.physics.quadratic_xp)
        from ..physics.quadratic_xp import lowest_normal_mode

        lowest = min(lowest_normal_mode(network), float(np.min(network.frequencies[osc])))
    t_max = max(b.temperature for b in network.baths)
    if lowest <= 0:
        return config.FOCK_MAX_CUTOFF + 1
    x = math.inf if t_max == 0 else lowest / t_max
    n = 0.0 if x > 700 else 1.0 / math.expm1(x)  # e^{-700} is below double precision: the mode is in its ground state
    p = n / (n + 1.0)
    m = len(osc)
    for k in range(2, config.FOCK_MAX_CUTOFF + 1):
        if p == 0 or math.comb(k + m - 1, m - 1) * p ** (k + 1) < config.FOCK_TAIL:
            return k
    return config.FOCK_MAX_CUTOFF + 1


class FockEngine(Engine):
    """Sparse Liouvillian; oscillators in a Fock space truncated at total excitation K (any network)."""

    name = "fock"
    description = "sparse Liouvillian; oscillators in a Fock space truncated at total excitation K"
    steady_approaches = frozenset({"local", "global", "unified", "redfield"})
    transient_approaches = frozenset({"local", "global"})
    priority = {"steady": 0, "transient": 0}
    steady_options = FockSteadyOptions
    transient_options = FockTransientOptions

    def applies(self, problem: Problem, mode: str) -> Fit:
        if problem.approach in ("unified", "redfield") and not problem.network.conserves_excitation:
            return no(
                f"fock: the {problem.approach} builders need couplings that conserve the excitation number "
                "(their eigenbasis is built per q-sector)"
            )
        net = problem.network
        k = None if "oscillator" not in net.kinds else config.FOCK_STEP + 2
        n = _unknowns(net, problem.approach, k)
        limit = _limit(problem.approach)
        if n > limit:
            what = f"{len(net.nodes)} nodes" + (f" at the smallest cut-off K = {k}" if k else "")
            return no(
                f"the Fock space is too large ({what}: {n:.3g} unknowns, limit {limit} for the "
                f"{problem.approach} approach)"
            )
        return YES

    # -- steady states --------------------------------------------------------
    def steady(self, problem: Problem, options: FockSteadyOptions) -> SteadyOutput:
        from .beyond import check_beyond_options

        network, approach, bookkeeping = problem.network, problem.approach, problem.bookkeeping
        check_beyond_options(approach, options.given())
        solver: dict[str, Any] = {}
        limit = _limit(approach)
        if "oscillator" not in network.kinds:
            got = _solve_once(network, approach, bookkeeping, None, options)
        elif options.cutoff is not None:
            n = _unknowns(network, approach, options.cutoff)
            if n > limit:
                raise ConvergenceError(
                    f"cut-off K = {options.cutoff} gives {n} unknowns, more than the Fock engine's limit {limit} for "
                    f"the {approach} approach — lower the cut-off or use a Gaussian engine for oscillator networks"
                )
            got = _solve_once(network, approach, bookkeeping, options.cutoff, options)
            solver.update(cutoff=options.cutoff, truncation_error="not estimated (fixed cut-off)")
        else:
            got, k, err = self._converge(network, approach, bookkeeping, limit, options)
            solver.update(cutoff=k, truncation_error=err)
        from ..physics.local import describe_structure
        from ..thermo.currents import fock_flows

        if got.gen is not None:  # local/global: the generator is at hand for the coupling currents
            gen = got.gen
            flows = fock_flows(gen, got.rho_gen, got.rho)
            structure = (
                got.structure
                if gen.space.charge is None or got.structure != "q-diagonal blocks"
                else ("diagonal blocks of the conserved charge Q" if any(gen.space.charge) else "full space")
            )
            solver["conserved_charge"] = describe_structure(gen.space)
        else:
            flows = None
            structure = got.structure
            solver["coupling_currents"] = f"not available for the {approach} approach"
        solver.update(
            current_resolution=config.ZERO_CURRENT_RTOL * got.gross,
            structure=structure,
            unknowns=got.unknowns,
            hilbert_dimension=got.space.dim,
            condition_estimate=got.condition,
            **got.solver,
        )
        diags = list(got.diagnostics)
        if got.condition > config.ILL_CONDITIONED_CONDITION:
            diags.append(
                Diagnostic(
                    "ILL_CONDITIONED_STEADY_STATE",
                    "warning",
                    f"the steady-state equations have condition number ≈ {got.condition:.1e}: some mode relaxes "
                    f"~{got.condition:.0e} times slower than the generator's fastest scale, and the state is "
                    f"resolved only to ~{got.condition * 2.2e-16:.0e} relative (its residual is {got.residual:.0e})",
                )
            )
        if "cutoff" in solver:
            te = solver["truncation_error"]
            diags.append(
                Diagnostic(
                    "FOCK_TRUNCATION",
                    "info",
                    f"oscillators truncated at K = {solver['cutoff']} total quanta; estimated relative effect on "
                    f"the results: {te if isinstance(te, str) else format(te, '.1e')}",
                )
            )
        return SteadyOutput(
            heat_currents=got.currents,
            populations=got.populations,
            residual=got.residual,
            gross_exchange=got.gross,
            solver=solver,
            validity=got.validity,
            diagnostics=diags,
            rho=got.rho,
            space=got.space,
            coupling_currents=flows[0] if flows else None,
            node_bath_currents=flows[1] if flows else None,
        )

    @staticmethod
    def _converge(
        network: Network, approach: str, bookkeeping: str, limit: int, options: Any = None
    ) -> tuple[_Solved, int, float]:
        k = max(initial_cutoff(network), config.FOCK_STEP + 2)
        prev = None
        while True:
            if k > config.FOCK_MAX_CUTOFF or _unknowns(network, approach, k) > limit:
                n = _unknowns(network, approach, min(k, config.FOCK_MAX_CUTOFF))
                raise ConvergenceError(
                    f"the Fock engine would need a cut-off K ≥ {k} ({n} unknowns, limit {limit}); the network is too "
                    "hot or too large for a truncated Fock space — use a Gaussian engine for oscillator networks"
                )
            if prev is None:
                prev = _solve_once(network, approach, bookkeeping, k - config.FOCK_STEP, options)
            cur = _solve_once(network, approach, bookkeeping, k, options)
            j_prev, j_cur = np.array(list(prev.currents.values())), np.array(list(cur.currents.values()))
            n_prev, n_cur = np.array(list(prev.populations.values())), np.array(list(cur.populations.values()))
            floor = config.ZERO_CURRENT_RTOL * cur.gross
            jmax = max(float(np.max(np.abs(j_cur))), 1e-300)
            dj = float(np.max(np.abs(j_cur - j_prev)))
            err = max(
                max(dj - floor, 0.0) / jmax,
                float(np.max(np.abs(n_cur - n_prev) / np.maximum(np.abs(n_cur), 1e-300))),
            )
            if err <= config.FOCK_RTOL:
                return cur, k, err
            prev, k = cur, k + max(config.FOCK_STEP, k // 4)

    # -- transients -----------------------------------------------------------
    def transient(self, problem: Problem, options: FockTransientOptions, plan: TransientPlan) -> TransientOutput:
        import scipy.sparse as sp  # noqa: F811

        from ..physics.hilbert import initial_diagonal
        from ..solvers.liouvillian import block_sectors, blocks_to_vector, liouvillian_blocks, observable_vector
        from ..solvers.propagate import propagate
        from ..thermo.currents import current_operator, first_law_error

        network, approach, bookkeeping = problem.network, problem.approach, problem.bookkeeping
        cutoff = options.cutoff
        if "oscillator" in network.kinds:
            if cutoff is None:
                raise ValidationError(
                    "cutoff",
                    "a network with oscillators needs a Fock cut-off K for time evolution "
                    "(engine='gaussian' needs none when every node is an oscillator)",
                )
        else:
            cutoff = None
        n_est = _unknowns(network, approach, cutoff)
        if n_est > _limit(approach):
            raise ConvergenceError(
                f"time evolution would propagate {n_est} unknowns, more than the Fock engine's limit "
                f"{_limit(approach)} — lower the cut-off"
            )
        gen = build_generator(network, approach, cutoff)
        space = gen.space
        terms = [(t.rate, t.op) for t in gen.all_terms()]
        sectors, blockwise = block_sectors(gen.hamiltonian, terms, space.excitation)
        lmat, offsets = liouvillian_blocks(gen.hamiltonian, terms, sectors)
        n_unk = lmat.shape[0]
        diag0, lost = initial_diagonal(network, space, plan.initial)
        x0 = blocks_to_vector(gen.to_basis(sp.diags(diag0)).toarray(), sectors)
        times = plan.times
        method = options.method
        chosen = method if method != "auto" else ("dense" if n_unk <= config.DENSE_MAX_UNKNOWNS else "krylov")
        xs = propagate(lmat, x0, times, chosen)

        def obs(op) -> np.ndarray:
            return observable_vector(op, sectors, offsets, n_unk)

        h_book = gen.hamiltonian if bookkeeping == "full" else gen.bare_hamiltonian
        energy = np.real(xs @ obs(h_book))
        currents = {}
        for d in gen.dissipators:
            op = current_operator(d.terms, h_book)
            currents[d.bath] = np.zeros(len(times)) if op is None else np.real(xs @ obs(op))
        pops = {}
        for i, node in enumerate(network.nodes):
            pops[node.name] = np.real(xs @ obs(gen.to_basis(space.number(i))))
        trace_err = float(np.max(np.abs(xs @ obs(sp.identity(space.dim, format="csr")) - 1.0)))
        if bookkeeping == "full":
            # d⟨H⟩/dt = Tr[H 𝓛ρ] evaluated exactly (c_H · 𝓛x), against Σ_α J_α
            de = np.real(xs @ (lmat.T @ obs(h_book)))
            first_law = first_law_error(de, currents)
        else:
            first_law = float("nan")
        entropy = None
        if space.dim <= config.ENTROPY_MAX_DIM:
            entropy = np.empty(len(times))
            for k, x in enumerate(xs):
                ev = []
                for j, s in enumerate(sectors):
                    blk = x[offsets[j] : offsets[j + 1]].reshape(len(s), len(s), order="F")
                    ev.append(np.linalg.eigvalsh(0.5 * (blk + blk.conj().T)))
                evs = np.clip(np.concatenate(ev), 0.0, None)
                evs = evs[evs > 0]
                entropy[k] = float(-np.sum(evs * np.log(evs)))
        return TransientOutput(
            method=chosen,
            structure="q-diagonal blocks" if blockwise else "full space",
            heat_currents=currents,
            populations=pops,
            energy=energy,
            entropy=entropy,
            trace_error=trace_err,
            first_law_error=first_law,
            unknowns=n_unk,
            truncated_weight=lost,
        )


register(FockEngine())

__all__ += ["initial_cutoff", "fock_dimension"]
