"""The HEOM engine: the exact reference for qubit networks with Drude–Lorentz baths (optional extra ``heom``).

``approach="heom"`` solves the hierarchical equations of motion (:mod:`qheatnet.solvers.heom`):
no Born, Markov or secular approximation, so it includes what the master equations drop (the Lamb
shift, non-Markovian effects, system–bath correlations). Bath mapping, heat-current formula and
convergence rule: see that module. QuTiP ≥ 5 is imported only when a HEOM solve runs; without it
the error names the extra (``pip install 'qheatnet[heom]'``).

Options: ``rtol`` (relative tolerance of the converged currents, default 1e-3), ``atol`` (absolute,
for vanishing currents), ``max_depth``, ``max_terms``, ``expansion`` ("pade" | "matsubara"),
``cutoff`` (quanta per oscillator, for small oscillator networks as a cross-check of ``exact``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import checks
from ..errors import MissingExtra
from ..thermo.diagnostics import Diagnostic
from .base import YES, Engine, Fit, Options, Problem, SteadyOutput, no
from .choose import register

__all__ = ["HeomEngine", "HeomOptions"]


def _opt_int(minimum: int):
    return lambda f, v: None if v is None else checks.integer(f, v, minimum=minimum)


@dataclass(frozen=True)
class HeomOptions(Options):
    """Options of the HEOM engine (see the module docstring)."""

    rtol: float = field(
        default=1e-3,
        metadata={"check": lambda f, v: checks.number(f, v, minimum=1e-8, maximum=0.5), "help": "relative tolerance"},
    )
    atol: float = field(
        default=0.0, metadata={"check": lambda f, v: checks.number(f, v, minimum=0.0), "help": "absolute tolerance"}
    )
    max_depth: int | None = field(default=None, metadata={"check": _opt_int(2), "help": "largest hierarchy depth"})
    max_terms: int | None = field(default=None, metadata={"check": _opt_int(0), "help": "largest number of terms"})
    expansion: str = field(
        default="pade",
        metadata={"check": lambda f, v: checks.choice(f, v, ("pade", "matsubara")), "help": "bath expansion"},
    )
    cutoff: int | None = field(default=None, metadata={"check": _opt_int(1), "help": "quanta per oscillator"})


class HeomEngine(Engine):
    """Hierarchical equations of motion for qubit networks with Drude–Lorentz baths (QuTiP's bath expansion)."""

    name = "heom"
    description = "hierarchical equations of motion: qubit networks with drude_lorentz baths (optional extra heom)"
    steady_approaches = frozenset({"heom"})
    priority = {"steady": 10}
    steady_options = HeomOptions

    def applies(self, problem: Problem, mode: str) -> Fit:
        net = problem.network
        bad = [b for b in net.baths if b.spectrum.kind != "drude_lorentz"]
        if bad:
            return no(f"heom: drude_lorentz baths only (bath {bad[0].name!r} has a {bad[0].spectrum.kind!r} spectrum)")
        cold = [b for b in net.baths if b.temperature <= 0]
        if cold:
            return no(f"heom: baths at T > 0 only (bath {cold[0].name!r} is at T = 0)")
        if problem.bookkeeping != "full":
            return no("heom: only the full H_S bookkeeping is supported")
        return YES

    def steady(self, problem: Problem, options: HeomOptions) -> SteadyOutput:
        try:
            from ..solvers import heom as hs

            hs._require_qutip()
        except ImportError as exc:
            raise MissingExtra(str(exc)) from None
        network = problem.network
        if "oscillator" in network.kinds and options.cutoff is None:
            from ..errors import ValidationError

            raise ValidationError(
                "cutoff",
                "the HEOM of an oscillator network needs cutoff = quanta per oscillator (or use approach 'exact')",
            )
        prob = hs.heom_problem(network, cutoff=options.cutoff)
        kwargs: dict[str, Any] = {"rtol": options.rtol, "atol": options.atol, "expansion": options.expansion}
        if options.max_depth is not None:
            kwargs["max_depth"] = options.max_depth
        if options.max_terms is not None:
            kwargs["max_terms"] = options.max_terms
        res = hs.converged_heom(prob, **kwargs)
        diags = []
        for note in res.diagnostics:
            if note.startswith("HEOM_NOT_POSITIVE"):
                diags.append(Diagnostic("HEOM_TRUNCATION", "warning", note.split(": ", 1)[-1]))
            elif note.startswith("HEOM_ERROR_ABOVE_RTOL"):
                diags.append(Diagnostic("HEOM_TRUNCATION", "warning", note.split(": ", 1)[-1]))
        diags.append(
            Diagnostic(
                "HEOM_TRUNCATION",
                "info",
                f"hierarchy depth {res.depth}, {res.terms} {res.expansion} term(s), {res.n_ados} auxiliary operators; "
                f"estimated relative error of the currents {res.error_estimate:.1e} (last change)",
            )
        )
        solver = {
            "method": "HEOM (parity sector)" if res.parity_sector else "HEOM",
            "depth": res.depth,
            "terms": res.terms,
            "expansion": res.expansion,
            "ados": res.n_ados,
            "unknowns": res.unknowns,
            "error_estimate": res.error_estimate,
            "population_error_estimate": res.population_error_estimate,
            "system_side_currents": dict(res.system_side_currents),
            "current_disagreement": res.current_disagreement,
            "condition_estimate": res.condition,
            "memory_estimate": res.memory_estimate,
            "seconds": res.cost,
            "history": [{"depth": d, "terms": t, "heat_currents": dict(j)} for d, t, j in res.history],
        }
        return SteadyOutput(
            heat_currents=dict(res.heat_currents),
            populations=dict(res.populations),
            residual=res.residual,
            gross_exchange=res.gross_exchange,
            solver=solver,
            diagnostics=diags,
            rho=np.asarray(res.rho),
        )


register(HeomEngine())
