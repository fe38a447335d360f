"""Computing a block of sweep points: per-point solves, and the result record.

A *record* holds the results of the flat points ``[start, stop)`` of one
approach as plain numpy arrays (no pickled objects), so that it can be
written atomically to one ``.npz`` file and read back anywhere:

==========================  ===========  ========================================
key                         shape        meaning
==========================  ===========  ========================================
``heat_current``            (n, baths)   J_α, positive from bath α into the network
``entropy_production``      (n,)         σ = −Σ_α J_α/T_α
``population``              (n, nodes)   ⟨n_i⟩
``first_law_residual``      (n,)         Σ_α J_α
``second_law_violated``     (n,)         σ below −tolerance
``failed``                  (n,)         the solve raised
``error_at``, ``error``     (m,)         positions of failed points, messages
``engine``                  (n,)         which solver produced the point
``codes``, ``diagnostics``  (k,), (n,k)  diagnostic codes raised per point
``current_noise``           (n, baths)   S_α, zero-frequency heat-current noise (if asked for)
``third_cumulant``          (n, baths)   third scaled cumulant of Q_α (if asked for)
``fano_factor``             (n, baths)   S_α/|J_α| (if asked for)
``tur_ratio``               (n, baths)   S_α σ/(2J_α²) (if asked for)
``coupling_current``        (n, c, e)    J_{c→i} into the e-th node of coupling c (bare
                                         bookkeeping; NaN where not available)
``machine_mode``            (n,)         thermal-machine mode (three or more baths; "" else)
``cooling_power``, ``cop``,  (n,)         machine summary of :mod:`qheatnet.thermo.machines`
``carnot_cop``,                          (NaN where it does not apply)
``efficiency``,
``carnot_efficiency``
==========================  ===========  ========================================

Failed points carry NaN values and ``second_law_violated = False``. The fluctuation variables come from
:func:`qheatnet.fluctuations` in its own bookkeeping (bare for local, full for global and exact; see
:mod:`qheatnet.thermo.fluctuations`): σ in the TUR ratio is formed from the counted currents.
"""

from __future__ import annotations

import time

import numpy as np

from ..engines.base import empty_batch
from ..thermo.diagnostics import DIAGNOSTIC_CODES
from .spec import FLUCTUATION_OUTPUTS, network_with

__all__ = [
    "KNOWN_CODES",
    "MACHINE_FIELDS",
    "SHARED_KEYS",
    "empty_record",
    "coupling_ends",
    "solve_points",
    "run_task",
    "run_batch",
]

#: Diagnostic codes in a fixed order: the registry of qheatnet.thermo.diagnostics (a code missing from it
#: would still be appended, so nothing is lost).
KNOWN_CODES: tuple[str, ...] = DIAGNOSTIC_CODES


#: The machine-summary fields recorded per point (floats).
MACHINE_FIELDS: tuple[str, ...] = ("cooling_power", "cop", "carnot_cop", "efficiency", "carnot_efficiency")


def coupling_ends(base: dict) -> int:
    """Largest number of nodes of one coupling (the length of the ``coupling_end`` axis)."""
    return max((len(c["nodes"]) for c in base["couplings"]), default=0)


def empty_record(n: int, n_baths: int, n_nodes: int, n_couplings: int = 0, n_ends: int = 0) -> dict[str, np.ndarray]:
    """An all-NaN record of ``n`` points (the columnar batch format of the engine layer, plus flows and machines)."""
    rec = empty_batch(n, n_baths, n_nodes, KNOWN_CODES)
    rec["coupling_current"] = np.full((n, n_couplings, n_ends), np.nan)
    rec["machine_mode"] = np.full(n, "", dtype="U24")
    for key in MACHINE_FIELDS:
        rec[key] = np.full(n, np.nan)
    return rec


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def solve_points(
    base: dict,
    targets,
    values: np.ndarray,
    approach: str,
    bookkeeping: str,
    engine: str,
    options: dict,
    outputs=(),
):
    """Solve each point with :func:`qheatnet.solve`; a failing point is recorded, not raised.

    ``base`` is ``Network.to_dict()`` of the base network, ``values`` is
    (n, len(targets)). When ``outputs`` names fluctuation variables (:data:`FLUCTUATION_OUTPUTS`),
    :func:`qheatnet.fluctuations` runs at every point too (reusing the steady state when the sweep's
    bookkeeping is the counted one).
    """
    from ..api.solve import fluctuations, solve
    from ..thermo.fluctuations import BOOKKEEPING

    n = len(values)
    rec = empty_record(n, len(base["baths"]), len(base["nodes"]), len(base["couplings"]), coupling_ends(base))
    fluct = [o for o in FLUCTUATION_OUTPUTS if o in outputs]
    for key in fluct:
        rec[key] = np.full((n, len(base["baths"])), np.nan)
    codes = list(KNOWN_CODES)
    flags: list[list[str]] = []
    errors: list[tuple[int, str]] = []
    for i in range(n):
        try:
            net = network_with(base, targets, values[i])
            res = solve(net, approach, bookkeeping=bookkeeping, engine=engine, **options)  # type: ignore[arg-type]
            fl = None
            if fluct:
                same = res.bookkeeping == BOOKKEEPING.get(approach)
                fl = fluctuations(net, approach, engine=engine, state=res if same else None, **options)
        except Exception as exc:  # a failed point is data, not a crash
            rec["failed"][i] = True
            errors.append((i, error_text(exc)))
            flags.append([])
            continue
        rec["heat_current"][i] = [res.heat_currents[b.name] for b in net.baths]
        rec["entropy_production"][i] = res.entropy_production
        rec["population"][i] = [res.populations[nd.name] for nd in net.nodes]
        rec["first_law_residual"][i] = res.first_law_residual
        rec["second_law_violated"][i] = res.second_law == "violated"
        rec["engine"][i] = res.engine
        if fl is not None:
            for key in fluct:
                rec[key][i] = [getattr(fl, key)[b.name] for b in net.baths]
        if res.coupling_currents is not None:
            for k, cpl in enumerate(net.couplings):
                per = res.coupling_currents.get(cpl.label, {})
                rec["coupling_current"][i, k, : len(cpl.nodes)] = [per.get(x, np.nan) for x in cpl.nodes]
        if res.machine is not None:
            rec["machine_mode"][i] = res.machine["mode"]
            for key in MACHINE_FIELDS:
                v = res.machine.get(key)
                if v is not None:
                    rec[key][i] = float(v)
        found = [d.code for d in res.diagnostics] + ([d.code for d in fl.diagnostics] if fl is not None else [])
        for c in found:
            if c not in codes:
                codes.append(c)
        flags.append(found)
    diag = np.zeros((n, len(codes)), dtype=bool)
    pos = {c: j for j, c in enumerate(codes)}
    for i, found in enumerate(flags):
        for c in found:
            diag[i, pos[c]] = True
    rec["codes"] = np.array(codes)
    rec["diagnostics"] = diag
    if errors:
        rec["error_at"] = np.array([i for i, _ in errors], dtype=np.int64)
        rec["error"] = np.array([m for _, m in errors])
    return rec


def run_task(task: dict) -> tuple[dict, dict]:
    """Compute one task (a chunk of one approach) in any process: (task key, record).

    ``task`` holds plain data only: ``base`` (network mapping), ``targets``,
    ``values``, ``approach``, ``method`` ("fast" or "solve"), ``bookkeeping``,
    ``engine``, ``options``, and ``key`` (handed back unchanged).
    """
    if task["method"] == "fast":
        from ..engines.base import Problem
        from ..engines.choose import batch_engine
        from ..model.network import Network

        problem = Problem(Network.from_dict(task["base"]), task["approach"], task["bookkeeping"])
        engine = batch_engine(problem)
        assert engine is not None, "planned as a batch but no batch engine applies"
        rec = engine.batch(problem, task["targets"], task["values"], task["base"])
    else:
        rec = solve_points(
            task["base"],
            task["targets"],
            task["values"],
            task["approach"],
            task["bookkeeping"],
            task["engine"],
            task["options"],
            task.get("outputs", ()),
        )
    return task["key"], rec


#: The parts of a task that are the same for every chunk of a sweep: sent once per worker
#: (pool initializer, or one Dask future broadcast to all workers), not once per chunk.
SHARED_KEYS: tuple[str, ...] = ("base", "targets", "bookkeeping", "engine", "options", "outputs")


def run_batch(items: list[dict], shared: dict | None = None) -> tuple[list[tuple[dict, dict]], float]:
    """Compute several chunks in one task: ([(key, record), ...], wall seconds spent).

    Each item is a task of :func:`run_task` less the :data:`SHARED_KEYS`, which come from
    ``shared`` (an item's own entries win). The seconds let the caller size the next batches.
    """
    t0 = time.perf_counter()
    done = [run_task({**(shared or {}), **item}) for item in items]
    return done, time.perf_counter() - t0
