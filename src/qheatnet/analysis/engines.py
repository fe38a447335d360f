"""Steady-state engines and how ``engine="auto"`` picks one.

An engine maps (network, approach, bookkeeping, options) to an
:class:`EngineOutput`. Engines register themselves with
:func:`register_engine`; :func:`pick_engine` chooses, for ``"auto"``, the
applicable engine of highest priority. New engines live in their own
modules, imported at the bottom of this file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import config
from ..errors import ConvergenceError, ModelError, ValidationError
from ..model.network import Network

__all__ = ["EngineOutput", "Engine", "register_engine", "pick_engine", "ENGINE_REGISTRY"]


@dataclass
class EngineOutput:
    """What an engine hands back to :func:`qheatnet.solve`.

    ``gross_exchange`` is Σ_k r_k |ω_k| ⟨J_k†J_k⟩ (or an equivalent scale of
    the individual energy exchanges), used to tell a zero current from
    round-off. ``info`` feeds the validity diagnostics (keys ``node_rates``
    for local, ``min_bohr_gap`` and ``max_rate`` for global).
    """

    heat_currents: dict
    populations: dict
    residual: float
    solver: dict
    gross_exchange: float
    info: dict = field(default_factory=dict)
    rho: Any = None
    space: Any = None
    extra: dict = field(default_factory=dict)
    diagnostics: list = field(default_factory=list)


@dataclass(frozen=True)
class Engine:
    name: str
    run: Callable[..., EngineOutput]
    applies: Callable[[Network, str], bool]
    priority: int
    approaches: tuple[str, ...]
    description: str


ENGINE_REGISTRY: dict[str, Engine] = {}


def register_engine(name, run, *, applies, priority=0, approaches=("local", "global"), description=""):
    """Make engine ``name`` available to :func:`qheatnet.solve` and the CLI."""
    ENGINE_REGISTRY[name] = Engine(name, run, applies, priority, tuple(approaches), description)


def pick_engine(network: Network, approach: str, engine: str) -> Engine:
    """The engine to run: ``engine`` itself, or the best applicable one for "auto"."""
    if engine == "auto":
        candidates = [e for e in ENGINE_REGISTRY.values() if approach in e.approaches and e.applies(network, approach)]
        if not candidates:
            raise ModelError(f"no engine can solve approach {approach!r} for this network")
        return max(candidates, key=lambda e: e.priority)
    if engine not in ENGINE_REGISTRY:
        raise ValidationError("engine", f"must be one of auto, {', '.join(ENGINE_REGISTRY)}, got {engine!r}")
    e = ENGINE_REGISTRY[engine]
    if approach not in e.approaches or not e.applies(network, approach):
        raise ModelError(f"engine {engine!r} cannot solve approach {approach!r} for this network ({e.description})")
    return e


# --------------------------------------------------------------------------
# The generic engine: sparse Liouvillian in a (truncated) Fock space
# --------------------------------------------------------------------------


def _fock_once(network, approach, bookkeeping, cutoff):
    from ..physics.davies import build_global
    from ..physics.hilbert import FockSpace
    from ..physics.local import build_local
    from ..solvers.liouvillian import steady_state
    from .thermo import current_operator, expectation

    space = FockSpace.build(network.kinds, cutoff)
    me = (build_local if approach == "local" else build_global)(network, space)
    sol = steady_state(me.hamiltonian, [(t.rate, t.op) for t in me.all_terms()], space.excitation)
    h_book = me.hamiltonian if bookkeeping == "full" else me.bare_hamiltonian
    currents = {d.bath: expectation(current_operator(d.terms, h_book), sol.rho) for d in me.dissipators}
    gross = sum(abs(t.rate * t.omega) * expectation(t.op.conj().T @ t.op, sol.rho) for t in me.all_terms())
    rho = me.to_local(sol.rho)
    diag = np.real(rho.diagonal())
    pops = {n.name: float(np.sum(diag * space.states[:, i])) for i, n in enumerate(network.nodes)}
    return me, sol, currents, pops, rho, gross


def _initial_cutoff(network: Network) -> int:
    """Smallest K whose thermal tail C(K+M−1, M−1) p^{K+1} < FOCK_TAIL (p = n/(n+1))."""
    import math

    osc = [i for i, k in enumerate(network.kinds) if k == "oscillator"]
    h = network.single_particle_matrix()[np.ix_(osc, osc)]
    lowest = min(float(np.linalg.eigvalsh(h)[0]), float(np.min(h.diagonal())))
    t_max = max(b.temperature for b in network.baths)
    if lowest <= 0:
        return config.FOCK_MAX_CUTOFF + 1
    n = 0.0 if t_max == 0 else 1.0 / math.expm1(lowest / t_max)
    p = n / (n + 1.0)
    m = len(osc)
    for k in range(2, config.FOCK_MAX_CUTOFF + 1):
        if p == 0 or math.comb(k + m - 1, m - 1) * p ** (k + 1) < config.FOCK_TAIL:
            return k
    return config.FOCK_MAX_CUTOFF + 1


def _block_unknowns(kinds, cutoff) -> int:
    """Number of q-diagonal density-matrix elements for cut-off K (without building)."""
    from ..physics.hilbert import FockSpace, fock_dimension

    if fock_dimension(kinds, cutoff) > 20000:
        return fock_dimension(kinds, cutoff) ** 2
    return int(np.sum(np.bincount(FockSpace.build(kinds, cutoff).excitation) ** 2))


def run_fock(network, approach, bookkeeping, *, cutoff=None, **_):
    """Sparse-Liouvillian engine; oscillators truncated at total excitation K.

    With ``cutoff=None`` K starts from the thermal tail of the hottest normal
    mode and is raised until populations change by less than FOCK_RTOL and
    currents by less than FOCK_RTOL·|J| + ZERO_CURRENT_RTOL·(gross exchange)
    between K − FOCK_STEP and K.
    """
    solver: dict[str, Any] = {}
    if "oscillator" not in network.kinds:
        me, sol, currents, pops, rho, gross = _fock_once(network, approach, bookkeeping, None)
    elif cutoff is not None:
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
            raise ValidationError("cutoff", f"must be an integer ≥ 1, got {cutoff!r}")
        limit = config.FOCK_MAX_UNKNOWNS[approach]
        if _block_unknowns(network.kinds, int(cutoff)) > limit:
            raise ConvergenceError(
                f"cut-off K = {cutoff} gives {_block_unknowns(network.kinds, int(cutoff))} unknowns, more than the "
                f"Fock engine's limit {limit} for the {approach} approach — lower the cut-off or use a Gaussian "
                "engine for oscillator networks"
            )
        me, sol, currents, pops, rho, gross = _fock_once(network, approach, bookkeeping, int(cutoff))
        solver.update(cutoff=int(cutoff), truncation_error="not estimated (fixed cut-off)")
    else:
        limit = config.FOCK_MAX_UNKNOWNS[approach]
        k = max(_initial_cutoff(network), config.FOCK_STEP + 2)
        prev = None
        while True:
            if k > config.FOCK_MAX_CUTOFF or _block_unknowns(network.kinds, k) > limit:
                raise ConvergenceError(
                    f"the Fock engine would need a cut-off K ≥ {k} "
                    f"({_block_unknowns(network.kinds, min(k, config.FOCK_MAX_CUTOFF))} unknowns, limit {limit}); "
                    "the network is too hot or too large for a truncated Fock space — use a Gaussian engine for "
                    "oscillator networks"
                )
            if prev is None:
                prev = _fock_once(network, approach, bookkeeping, k - config.FOCK_STEP)
            cur = _fock_once(network, approach, bookkeeping, k)
            j_prev, j_cur = np.array(list(prev[2].values())), np.array(list(cur[2].values()))
            n_prev, n_cur = np.array(list(prev[3].values())), np.array(list(cur[3].values()))
            floor = config.ZERO_CURRENT_RTOL * cur[5]
            jmax = max(float(np.max(np.abs(j_cur))), 1e-300)
            dj = float(np.max(np.abs(j_cur - j_prev)))
            err = max(
                max(dj - floor, 0.0) / jmax,
                float(np.max(np.abs(n_cur - n_prev) / np.maximum(np.abs(n_cur), 1e-300))),
            )
            if err <= config.FOCK_RTOL:
                me, sol, currents, pops, rho, gross = cur
                solver.update(cutoff=k, truncation_error=err)
                break
            prev, k = cur, k + max(config.FOCK_STEP, k // 4)
    solver.update(
        current_resolution=config.ZERO_CURRENT_RTOL * gross,
        structure=sol.structure,
        unknowns=sol.unknowns,
        hilbert_dimension=me.space.dim,
    )
    diags = []
    if "cutoff" in solver:
        from .diagnostics import Diagnostic

        te = solver["truncation_error"]
        diags.append(
            Diagnostic(
                "FOCK_TRUNCATION",
                "info",
                f"oscillators truncated at K = {solver['cutoff']} total quanta; estimated relative effect on the "
                f"results: {te if isinstance(te, str) else format(te, '.1e')}",
            )
        )
    return EngineOutput(currents, pops, sol.residual, solver, gross, me.info, rho, me.space, diagnostics=diags)


register_engine(
    "fock",
    run_fock,
    applies=lambda network, approach: True,
    priority=0,
    approaches=("local", "global"),
    description="sparse Liouvillian; oscillators in a Fock space truncated at total excitation K",
)

# further engines register themselves on import (one line each):
from . import engine_gaussian, engine_qubits  # noqa: E402,F401,I001
