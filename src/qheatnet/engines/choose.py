"""How an engine is chosen — the one rule used by ``solve``, ``evolve`` and ``sweep``.

For a problem (network, approach, bookkeeping) and a mode ("steady",
"transient", or "batch" for vectorised sweep blocks):

* ``engine="NAME"`` runs that engine. If it does not support the approach
  in that mode, or its :meth:`~qheatnet.engines.base.Engine.applies` gives
  a reason, a :class:`~qheatnet.errors.ModelError` says so (with the reason).
* ``engine="auto"`` considers the registered engines in decreasing
  priority for the mode (engines with a negative priority only run when
  named), keeps those that support the approach, apply to the network and
  accept every option given (so ``cutoff=…`` selects the Fock engine), and
  runs the first. When it raises :class:`~qheatnet.engines.base.EngineRefused`
  at run time, the next candidate runs and the result says which engine
  refused and why (``solver["fallback"]`` and an ``ENGINE_FALLBACK``
  diagnostic).
* Options are checked by the chosen engine's typed options class: an
  unknown or ill-typed option is a :class:`~qheatnet.errors.ValidationError`
  naming it and listing the allowed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineNotApplicable, ModelError, ValidationError
from .base import Engine, EngineRefused, Options, Problem, SteadyOutput, TransientOutput, TransientPlan

__all__ = ["ENGINES", "register", "engine_names", "choose", "run_steady", "run_transient", "batch_engine", "Run"]

#: Registered engines by name, in registration order.
ENGINES: dict[str, Engine] = {}


def register(engine: Engine) -> Engine:
    """Make ``engine`` available to ``solve``, ``evolve``, ``sweep`` and the CLI."""
    ENGINES[engine.name] = engine
    return engine


def engine_names(mode: str | None = None) -> tuple[str, ...]:
    """Names of the registered engines (that support some approach in ``mode``, if given)."""
    _load()
    return tuple(n for n, e in ENGINES.items() if mode is None or e.approaches(mode))


def _load() -> None:
    """Import every engine module (each registers its engines); importing one of them directly is not enough."""
    from . import closed_form, fock, gaussian, heom, qubits  # noqa: F401


@dataclass(frozen=True)
class Run:
    """An engine to run with its checked options."""

    engine: Engine
    options: Options


def choose(
    problem: Problem, mode: str, engine: str = "auto", options: Mapping[str, Any] | None = None, *, prefix: str = ""
) -> list[Run]:
    """The engines to try for ``problem`` in ``mode``, in order (one if ``engine`` is named).

    ``prefix`` is prepended to option names in error messages (e.g. ``"options."`` for sweep files).
    """
    _load()
    options = dict(options or {})
    approach = problem.approach
    if engine != "auto":
        if engine not in ENGINES or not ENGINES[engine].approaches(mode):
            allowed = ", ".join(("auto", *engine_names(mode if mode != "batch" else "steady")))
            raise ValidationError("engine", f"must be one of {allowed}, got {engine!r}")
        e = ENGINES[engine]
        if approach not in e.approaches(mode):
            what = {"steady": "steady states", "transient": "time evolution", "batch": "sweeps"}[mode]
            raise EngineNotApplicable(
                f"engine {engine!r} does not support approach {approach!r} for {what} "
                f"(it supports {', '.join(sorted(e.approaches(mode)))})"
            )
        fit = e.applies(problem, mode)
        if not fit:
            raise EngineNotApplicable(
                f"engine {engine!r} cannot solve approach {approach!r} for this network: {fit.reason}"
            )
        return [Run(e, e.options_class(mode).parse(options, engine=e.name, prefix=prefix))]
    ranked = sorted(
        (e for e in ENGINES.values() if e.priority.get(mode, -1) >= 0 and approach in e.approaches(mode)),
        key=lambda e: -e.priority[mode],
    )
    reasons: list[str] = []
    rejected_options: list[Engine] = []
    runs: list[Run] = []
    for e in ranked:
        fit = e.applies(problem, mode)
        if not fit:
            reasons.append(f"{e.name}: {fit.reason}")
            continue
        cls = e.options_class(mode)
        if not set(options) <= set(cls.names()):
            rejected_options.append(e)
            continue
        runs.append(Run(e, cls.parse(options, engine=e.name, prefix=prefix)))
    if runs:
        return runs
    if rejected_options:
        unknown = sorted(set(options) - set().union(*(e.options_class(mode).names() for e in rejected_options)))
        listing = "; ".join(f"{e.name}: {', '.join(e.options_class(mode).names()) or 'none'}" for e in rejected_options)
        key = unknown[0] if unknown else sorted(options)[0]
        raise ValidationError(
            f"{prefix}{key}",
            f"no engine that can solve approach {approach!r} for this network accepts "
            f"{'this option' if unknown else 'these options together'} (allowed: {listing})",
        )
    if mode == "batch":
        return []
    detail = "; ".join(reasons) if reasons else "no engine supports it"
    raise ModelError(f"no engine can solve approach {approach!r} for this network ({detail})")


@dataclass(frozen=True)
class Fallback:
    """An engine that refused at run time, and why."""

    engine: str
    reason: str


@dataclass(frozen=True, eq=False)
class Ran:
    """The output of the engine that ran, its name, and the engines that refused before it."""

    output: Any
    engine: Engine
    fallbacks: tuple[Fallback, ...] = field(default=())


def _run(runs: list[Run], call) -> Ran:
    refused: list[Fallback] = []
    for k, r in enumerate(runs):
        try:
            return Ran(call(r), r.engine, tuple(refused))
        except EngineRefused as exc:
            if k == len(runs) - 1:
                raise
            refused.append(Fallback(exc.engine, exc.reason))
    raise AssertionError("unreachable: choose() returns at least one engine")


def run_steady(problem: Problem, engine: str = "auto", options: Mapping[str, Any] | None = None) -> Ran:
    """Choose (see the module docstring) and run a steady-state engine; returns :class:`Ran`."""
    runs = choose(problem, "steady", engine, options)

    def call(r: Run) -> SteadyOutput:
        return r.engine.steady(problem, r.options)

    return _run(runs, call)


def run_transient(
    problem: Problem, plan: TransientPlan, engine: str = "auto", options: Mapping[str, Any] | None = None
) -> Ran:
    """Choose and run a transient engine; returns :class:`Ran`."""
    runs = choose(problem, "transient", engine, options)

    def call(r: Run) -> TransientOutput:
        return r.engine.transient(problem, r.options, plan)

    return _run(runs, call)


def batch_engine(
    problem: Problem, engine: str = "auto", options: Mapping[str, Any] | None = None, *, prefix: str = ""
) -> Engine | None:
    """The vectorised engine for a block of sweep points of ``problem``, or None (solve point by point).

    Only ``engine="auto"`` uses a batch engine: naming an engine asks for that engine at every point.
    """
    if engine != "auto":
        return None
    runs = choose(problem, "batch", "auto", options, prefix=prefix) if not options else []
    return runs[0].engine if runs else None
