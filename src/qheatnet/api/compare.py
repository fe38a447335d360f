r"""Which approach to trust, measured: every master equation against the best exact reference.

:func:`compare` solves one network with every applicable master equation (local, global, unified,
Redfield) and with the best exact reference available for it, and returns a frozen
:class:`Comparison`: the heat current of every bath per approach, each approach's relative deviation
from the reference, its diagnostics and its cost, and a recommendation.

Reference
---------
``reference=None`` (the default) chooses the best available one:

* ``"exact"`` for networks of oscillators only whose baths have a high-frequency cut-off (``ohmic``,
  ``drude_lorentz``): the Landauer/NEGF solution of the linear network plus baths, without Born,
  Markov or secular approximation (:mod:`qheatnet.solvers.exact`);
* ``"heom"`` for networks of qubits only with ``drude_lorentz`` baths at T > 0, when the optional
  extra ``heom`` (QuTiP ≥ 5) is installed: the hierarchical equations of motion, converged to
  relative 1e-3 (:mod:`qheatnet.solvers.heom`);
* none otherwise (mixed networks, flat or phonon3d spectra, QuTiP missing): the result says why and
  compares the approaches among themselves.

``reference="exact"`` or ``"heom"`` asks for one (refused with the reason when it cannot run on the
network; a missing extra raises :class:`~qheatnet.errors.MissingExtra`); ``reference="none"`` skips
it.

Deviation
---------
For heat currents J_α (α over the baths, J_α > 0 when energy flows from bath α into the network)
and the reference's J_α,ref, the relative deviation of an approach is

.. math::  δ = \max_α |J_α − J_{α,\rm ref}| \,/\, \max_α |J_{α,\rm ref}| ,

one number per approach that weighs every bath against the largest current (a bath that carries
almost nothing does not blow it up, as a per-bath ratio would). The denominator is never taken
below ZERO_CURRENT_RTOL × the reference's gross exchange (the resolution of a zero current, e.g. at
equal temperatures). A wrong sign of the largest current gives δ > 1. ``bath_deviations`` keeps
the signed per-bath terms (J_α − J_α,ref) / max_α |J_α,ref|; ``wrong_sign`` says whether a bath
current whose reference value is resolved has the opposite sign.

Recommendation
--------------
With a reference: the cheapest approach with δ ≤ ``tolerance`` and the second law satisfied; if
there is none, ``recommended = "none: use the reference"``. "Cheapest" is the smallest measured
``seconds``, where costs within COMPARE_COST_TIE (×2) of the smallest count as equal and the first of
them in the order local, global, unified, redfield is taken (timings of millisecond solves fluctuate
by ×1.5 on a shared machine; the recommendation should not).

Without a reference the recommendation rests on the diagnostics and on agreement: the candidates are
the approaches that ran without a physics warning (a warning-severity diagnostic that is not a
numerical one, :data:`qheatnet.thermo.diagnostics.NUMERICAL_CODES`); if at least two of them agree
pairwise within the tolerance and no result carries BORN_MARKOV_DOUBTFUL (when every master
equation is doubtful, agreement between them proves nothing), the cheapest candidate (same rule)
is recommended, else ``"none: <why>"``. ``recommendation_basis`` says which rule was used.

Cost
----
Wall-clock seconds of :func:`qheatnet.solve` for the approach. A solve faster than
COMPARE_REPEAT_SECONDS is repeated and the lesser time kept, so that one-off imports in a fresh
process do not decide which approach is cheapest.

Examples
--------
>>> from qheatnet import DrudeLorentz, Network, compare
>>> net = Network.two_node("oscillator", 1.2, 1.0, 0.01, 2.0, 1.0, DrudeLorentz(1e-3, 10.0))
>>> c = compare(net)
>>> c.reference
'exact'
>>> c.row("local").deviation > 0.05  # detuned nodes: the local approach is off by ~27 %
True
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import config
from ..errors import ConvergenceError, MissingExtra, ModelError, ValidationError
from ..model.network import Network
from ..thermo.diagnostics import NUMERICAL_CODES, Diagnostic
from .results import ReadOnlyMap, SteadyState, _jsonable, _num, freeze

__all__ = [
    "compare",
    "Comparison",
    "ApproachResult",
    "relative_deviation",
    "COMPARED_APPROACHES",
    "REFERENCES",
    "DEVIATION_DEFINITION",
]

#: The master equations compared, in the order of the table.
COMPARED_APPROACHES: tuple[str, ...] = ("local", "global", "unified", "redfield")
#: The exact references, by the approach name of :func:`qheatnet.solve`.
REFERENCES: tuple[str, ...] = ("exact", "heom")
#: How the deviation is defined (repeated in every result and table).
DEVIATION_DEFINITION = "δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| (α: the baths)"
BASIS_REFERENCE = "reference"
BASIS_AGREEMENT = "agreement and diagnostics (no reference)"
STATUSES = ("ok", "not applicable", "failed")


def relative_deviation(currents: Any, reference: Any, floor: Any = 0.0) -> Any:
    """δ = max_α |J_α − J_α,ref| / max(max_α |J_α,ref|, floor), vectorised over leading axes.

    Parameters
    ----------
    currents, reference : array_like, shape (..., n_baths)
        Heat currents of an approach and of the reference (bath order must match).
    floor : float or array_like, shape (...)
        Smallest denominator (the resolution of a zero current); 0 by default.

    Returns
    -------
    float or ndarray of shape (...)
        NaN where an input is not finite or the denominator vanishes while the currents differ;
        0 where both are identically equal.
    """
    j = np.asarray(currents, dtype=float)
    r = np.asarray(reference, dtype=float)
    num = np.max(np.abs(j - r), axis=-1)
    den = np.maximum(np.max(np.abs(r), axis=-1), np.asarray(floor, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num == 0, 0.0, np.nan))
    out = np.where(np.isfinite(num) & np.isfinite(den), out, np.nan)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True, eq=False)
class ApproachResult:
    """One row of a :class:`Comparison`: an approach (or the reference), whether it ran, and how it did.

    Attributes
    ----------
    approach : str
    status : "ok", "not applicable" or "failed"
        "not applicable": refused before any work (no engine applies, no ground state, a missing
        extra); "failed": it ran and did not converge (ConvergenceError).
    reason : str
        Why it did not run or failed ("" when ok).
    result : SteadyState or None
        The full result of :func:`qheatnet.solve` (None unless ok).
    seconds : float
        Wall-clock cost of the solve (NaN when it did not run).
    deviation : float
        δ from the reference (NaN without a reference or when not ok; 0 for the reference itself).
    bath_deviations : read-only mapping
        Bath → (J_α − J_α,ref) / max_α |J_α,ref| (signed; empty without a reference).
    within_tolerance : bool
        δ ≤ tolerance.
    wrong_sign : bool
        Some bath current whose reference value is resolved has the opposite sign.
    """

    approach: str
    status: str
    reason: str = ""
    result: SteadyState | None = None
    seconds: float = math.nan
    deviation: float = math.nan
    bath_deviations: Mapping[str, float] = field(default_factory=ReadOnlyMap)
    within_tolerance: bool = False
    wrong_sign: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "bath_deviations", freeze(dict(self.bath_deviations)))

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def heat_currents(self) -> Mapping[str, float]:
        return self.result.heat_currents if self.result is not None else ReadOnlyMap()

    @property
    def engine(self) -> str | None:
        return self.result.engine if self.result is not None else None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.result.diagnostics if self.result is not None else ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """Codes of the physics warnings (warning severity, not numerical) of the result."""
        return tuple(
            str(d.code) for d in self.diagnostics if d.severity == "warning" and str(d.code) not in NUMERICAL_CODES
        )

    def to_dict(self) -> dict[str, Any]:
        res = self.result
        return {
            "approach": self.approach,
            "status": self.status,
            "reason": self.reason,
            "engine": self.engine,
            "heat_currents": {k: _num(v) for k, v in self.heat_currents.items()},
            "deviation": _num(self.deviation),
            "bath_deviations": {k: _num(v) for k, v in self.bath_deviations.items()},
            "within_tolerance": bool(self.within_tolerance),
            "wrong_sign": bool(self.wrong_sign),
            "second_law": None if res is None else res.second_law,
            "entropy_production": None if res is None else _num(res.entropy_production),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "seconds": _num(self.seconds),
        }


@dataclass(frozen=True, eq=False, repr=False)
class Comparison:
    """Result of :func:`compare` (see the module docstring for the definitions).

    Attributes
    ----------
    network : Network
    tolerance : float
    reference : str or None
        The reference that ran ("exact" or "heom"), None when there is none.
    reference_note : str
        Why this reference was used, or why there is none.
    reference_row : ApproachResult or None
        The reference's row (also when it could not run; None when none was attempted).
    rows : tuple of ApproachResult
        The compared approaches, in order.
    recommended : str
        An approach name, or "none: use the reference", or (no reference) "none: <why>".
    recommendation_note : str
        The rule applied and its outcome, in words.
    recommendation_basis : str
        "reference" or "agreement and diagnostics (no reference)".
    pairwise : read-only mapping
        a → b → δ of a's currents relative to b's, over the approaches (and reference) that ran.
    notes : tuple of str
        Caveats (e.g. a reference whose own error is not small against the tolerance).
    seconds : float
        Total wall-clock time of the comparison.
    """

    network: Network
    tolerance: float
    reference: str | None
    reference_note: str
    reference_row: ApproachResult | None
    rows: tuple[ApproachResult, ...]
    recommended: str
    recommendation_note: str
    recommendation_basis: str
    pairwise: Mapping[str, Mapping[str, float]] = field(default_factory=ReadOnlyMap)
    notes: tuple[str, ...] = ()
    seconds: float = math.nan
    deviation_definition: str = DEVIATION_DEFINITION

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "pairwise", freeze(dict(self.pairwise)))

    @property
    def recommended_approach(self) -> str | None:
        """The recommended approach's name, or None when the recommendation is "none: …"."""
        return None if self.recommended.startswith("none") else self.recommended

    @property
    def approaches(self) -> tuple[str, ...]:
        return tuple(r.approach for r in self.rows)

    def row(self, approach: str) -> ApproachResult:
        """The row of ``approach`` (a compared approach or the reference)."""
        for r in (*self.rows, *(() if self.reference_row is None else (self.reference_row,))):
            if r.approach == approach:
                return r
        raise ValidationError(
            "approach", f"not in this comparison (has: {', '.join(self.approaches)}), got {approach!r}"
        )

    def deviations(self) -> dict[str, float]:
        """Approach → δ (NaN where it did not run or there is no reference)."""
        return {r.approach: r.deviation for r in self.rows}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the schema of ``qheatnet compare --json``)."""
        ref = self.reference_row
        out: dict[str, Any] = {
            "reference": self.reference,
            "reference_note": self.reference_note,
            "tolerance": self.tolerance,
            "deviation_definition": self.deviation_definition,
            "recommended": self.recommended,
            "recommendation_basis": self.recommendation_basis,
            "recommendation_note": self.recommendation_note,
            "approaches": [r.to_dict() for r in self.rows],
            "reference_result": None if ref is None else ref.to_dict(),
            "pairwise_deviation": {a: {b: _num(v) for b, v in d.items()} for a, d in self.pairwise.items()},
            "notes": list(self.notes),
            "seconds": _num(self.seconds),
            "network": self.network.to_dict(),
        }
        if ref is not None and ref.result is not None:
            keep = ("method", "depth", "terms", "expansion", "ados", "error_estimate", "rtol", "frequency_points")
            out["reference_result"]["solver"] = _jsonable({k: v for k, v in ref.result.solver.items() if k in keep})
        return out

    def format(self) -> str:
        """The human-readable table of ``qheatnet compare``."""
        baths = [b.name for b in self.network.baths]
        temps = {b.name: b.temperature for b in self.network.baths}
        lines = [
            f"network: {len(self.network.nodes)} nodes ({', '.join(sorted(set(self.network.kinds)))}), baths "
            + ", ".join(f"{b} (T = {temps[b]:g})" for b in baths)
        ]
        lines.append(f"reference: {self.reference or 'none'} — {self.reference_note}")
        if self.reference is not None:
            lines.append(f"deviation {self.deviation_definition}; tolerance {self.tolerance:g}")
        else:
            lines.append(f"no reference: the approaches are compared among themselves (tolerance {self.tolerance:g})")
        head = f"{'approach':<18} {'engine':<14}" + "".join(f" {'J_' + b:>13}" for b in baths)
        head += f" {'δ':>10} {'cost [s]':>9}  diagnostics"
        lines += ["", head]
        shown = [*(() if self.reference_row is None else (self.reference_row,)), *self.rows]
        for r in shown:
            name = r.approach + (" (reference)" if r is self.reference_row else "")
            if not r.ok:
                lines.append(f"{name:<18} {r.status}: {r.reason}")
                continue
            js = "".join(f" {r.heat_currents[b]:>13.5e}" for b in baths)
            if r is self.reference_row or self.reference is None:
                dev = f"{'—':>10}"
            else:
                dev = f"{r.deviation:>9.2e}{'*' if r.within_tolerance else ' '}"
            marks = list(r.warnings) + (["WRONG_SIGN"] if r.wrong_sign else [])
            lines.append(f"{name:<18} {r.engine or '':<14}{js} {dev} {r.seconds:>9.3f}  {', '.join(marks)}")
        if self.reference is not None:
            lines.append(f"('*': within the tolerance {self.tolerance:g} of {self.reference})")
        else:
            ok = [r.approach for r in self.rows if r.ok]
            if len(ok) > 1:
                lines += ["", "pairwise δ (row relative to column):", " " * 10 + "".join(f" {b:>10}" for b in ok)]
                for a in ok:
                    lines.append(f"{a:<10}" + "".join(f" {self.pairwise[a][b]:>10.2e}" for b in ok))
        lines += ["", f"recommended: {self.recommended}", f"  ({self.recommendation_note})"]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        devs = ", ".join(f"{r.approach}={r.deviation:.2g}" if r.ok else f"{r.approach}={r.status}" for r in self.rows)
        return f"Comparison(reference={self.reference}, {devs}, recommended={self.recommended!r})"


# ---------------------------------------------------------------------------


def _check_approaches(approaches: Any) -> tuple[str, ...]:
    if approaches is None:
        return COMPARED_APPROACHES
    if isinstance(approaches, str):
        approaches = (approaches,)
    if not isinstance(approaches, Sequence) or not approaches:
        raise ValidationError(
            "approaches", f"must be a non-empty list drawn from {', '.join(COMPARED_APPROACHES)}, got {approaches!r}"
        )
    out = []
    for i, a in enumerate(approaches):
        if isinstance(a, str) and a in REFERENCES:
            raise ValidationError(f"approaches[{i}]", f"{a!r} is a reference: pass reference={a!r} instead")
        if not isinstance(a, str) or a not in COMPARED_APPROACHES:
            raise ValidationError(f"approaches[{i}]", f"must be one of {', '.join(COMPARED_APPROACHES)}, got {a!r}")
        if a in out:
            raise ValidationError("approaches", f"must not repeat an approach, got {list(approaches)}")
        out.append(a)
    return tuple(out)


def _timed_solve(network: Network, approach: str) -> tuple[SteadyState, float]:
    from .solve import solve

    if approach == "heom":  # importing QuTiP (≈ 2 s) is a one-off, not the cost of the reference
        try:
            from ..solvers.heom import _require_qutip

            _require_qutip()
        except ImportError as exc:
            raise MissingExtra(str(exc)) from None
    t0 = time.perf_counter()
    res = solve(network, approach)
    seconds = time.perf_counter() - t0
    if seconds < config.COMPARE_REPEAT_SECONDS:  # warm: one-off imports must not decide the cheapest
        t0 = time.perf_counter()
        res = solve(network, approach)
        seconds = min(seconds, time.perf_counter() - t0)
    return res, seconds


def _run(network: Network, approach: str, *, missing_extra_raises: bool = False) -> ApproachResult:
    """Solve ``approach``; a refusal or a failure becomes a row with its reason, never an error.

    A missing optional extra is raised instead when ``missing_extra_raises`` (a reference asked for).
    """
    try:
        res, seconds = _timed_solve(network, approach)
    except MissingExtra as exc:
        if missing_extra_raises:
            raise
        return ApproachResult(approach, "not applicable", str(exc))
    except ConvergenceError as exc:
        return ApproachResult(approach, "failed", str(exc))
    except (ModelError, ValidationError) as exc:  # refused before any work: no engine applies, no ground state
        return ApproachResult(approach, "not applicable", str(exc))
    return ApproachResult(approach, "ok", result=res, seconds=seconds)


def _reference_fit(network: Network, reference: str) -> str | None:
    """None if ``reference`` can run on ``network``, else the reason (no solve is started)."""
    from ..engines.base import Problem
    from ..engines.choose import choose
    from ..physics.davies import check_bounded_below

    try:
        check_bounded_below(network)
    except ModelError:
        from ..physics.davies import lowest_oscillator_mode

        return (
            f"the network Hamiltonian has no ground state (lowest normal-mode frequency "
            f"{lowest_oscillator_mode(network):.6g} ≤ 0), so no steady state exists"
        )
    try:
        choose(Problem(network, reference), "steady")
    except ModelError as exc:
        return str(exc)
    if reference == "heom" and "oscillator" in network.kinds:
        return (
            "the HEOM of a network with oscillators needs a Fock cut-off per oscillator (solve(network, 'heom', "
            "cutoff=K)); compare uses HEOM for qubit networks only"
        )
    if reference == "exact" and "qubit" in network.kinds:
        return "the exact (NEGF) reference needs a network of oscillators only"
    return None


def _auto_reference(network: Network) -> tuple[str | None, str]:
    kinds = set(network.kinds)
    if kinds == {"oscillator"}:
        cand, why = (
            "exact",
            "oscillator network: the exact (Landauer/NEGF) solution, no Born–Markov–secular approximation",
        )
    elif kinds == {"qubit"}:
        cand, why = "heom", "qubit network with drude_lorentz baths: HEOM (hierarchical equations of motion)"
    else:
        return None, (
            "no exact reference for a network of both qubits and oscillators (the HEOM would need a Fock cut-off "
            "per oscillator: solve(network, 'heom', cutoff=K))"
        )
    reason = _reference_fit(network, cand)
    if reason is not None:
        return None, f"no exact reference applies ({reason})"
    if cand == "heom":
        import importlib.util

        if importlib.util.find_spec("qutip") is None:
            return None, "the heom reference needs the optional extra heom (QuTiP ≥ 5): pip install 'qheatnet[heom]'"
    return cand, why


def _reference_detail(row: ApproachResult) -> str:
    solver = row.result.solver if row.result is not None else {}
    if row.approach == "heom":
        return (
            f"depth {solver.get('depth')}, {solver.get('terms')} {solver.get('expansion')} term(s), "
            f"error estimate {float(solver.get('error_estimate', math.nan)):.1e}"
        )
    return f"frequency integral to rtol {float(solver.get('rtol', math.nan)):.0e}"


def _reference_error(row: ApproachResult) -> float:
    solver = row.result.solver if row.result is not None else {}
    if row.approach == "heom":
        return float(solver.get("error_estimate", math.nan))
    return float(solver.get("rtol", math.nan))


def _with_deviation(row: ApproachResult, ref: ApproachResult, baths: list[str], tol: float) -> ApproachResult:
    if not row.ok or ref.result is None:
        return row
    j = np.array([row.heat_currents[b] for b in baths])
    jr = np.array([ref.heat_currents[b] for b in baths])
    floor = config.ZERO_CURRENT_RTOL * float(ref.result.solver.get("gross_exchange", 0.0))
    dev = float(relative_deviation(j, jr, floor))
    scale = max(float(np.max(np.abs(jr))), floor)
    per_bath = {b: float((j[k] - jr[k]) / scale) if scale > 0 else math.nan for k, b in enumerate(baths)}
    resolved = np.abs(jr) > floor
    wrong = bool(np.any(resolved & (np.sign(j) != np.sign(jr))))
    return replace(row, deviation=dev, bath_deviations=per_bath, within_tolerance=bool(dev <= tol), wrong_sign=wrong)


def _pairwise(rows: list[ApproachResult], baths: list[str]) -> dict[str, dict[str, float]]:
    ok = [r for r in rows if r.ok]
    out: dict[str, dict[str, float]] = {}
    for a in ok:
        ja = np.array([a.heat_currents[b] for b in baths])
        out[a.approach] = {}
        for b in ok:
            jb = np.array([b.heat_currents[x] for x in baths])
            assert b.result is not None
            floor = config.ZERO_CURRENT_RTOL * float(b.result.solver.get("gross_exchange", 0.0))
            out[a.approach][b.approach] = float(relative_deviation(ja, jb, floor))
    return out


def _cheapest(rows: list[ApproachResult]) -> ApproachResult:
    """The cheapest row, costs within COMPARE_COST_TIE of the least counting as equal (then: table order)."""
    least = min(r.seconds for r in rows)
    ordered = sorted(rows, key=lambda r: COMPARED_APPROACHES.index(r.approach))
    return next(r for r in ordered if r.seconds <= config.COMPARE_COST_TIE * least)


def _recommend_with_reference(rows: list[ApproachResult], reference: str, tol: float) -> tuple[str, str]:
    eligible = [r for r in rows if r.ok and r.within_tolerance and r.result is not None]
    eligible = [r for r in eligible if r.result is not None and r.result.second_law == "satisfied"]
    if not eligible:
        worst = ", ".join(f"{r.approach} δ = {r.deviation:.2g}" for r in rows if r.ok)
        return "none: use the reference", (
            f"no master equation is within {tol:g} of {reference} with the second law satisfied"
            + (f" ({worst})" if worst else "")
        )
    best = _cheapest(eligible)
    others = [r.approach for r in eligible if r is not best]
    return best.approach, (
        f"the cheapest approach within {tol:g} of {reference} (δ = {best.deviation:.2g}, {best.seconds:.3g} s)"
        + (f"; also within the tolerance: {', '.join(others)}" if others else "")
    )


def _recommend_without_reference(
    rows: list[ApproachResult], pairwise: dict[str, dict[str, float]], tol: float
) -> tuple[str, str]:
    ok = [r for r in rows if r.ok]
    if not ok:
        return "none: no approach ran", "no approach could be solved on this network"
    doubtful = [r.approach for r in ok if "BORN_MARKOV_DOUBTFUL" in r.warnings]
    if doubtful:
        return "none: BORN_MARKOV_DOUBTFUL", (
            "the dissipation rates are not small against the bath's frequency scales, so every master equation is "
            "doubtful and their agreement proves nothing; an exact reference (exact or heom) is needed"
        )
    clean = [r for r in ok if not r.warnings and r.result is not None and r.result.second_law == "satisfied"]
    if len(clean) < 2:
        flagged = "; ".join(
            f"{r.approach}: {', '.join(r.warnings) or 'second law violated'}" for r in ok if r not in clean
        )
        return "none: no cross-check", (
            f"fewer than two approaches ran without a validity warning ({flagged or 'only one approach ran'}); "
            "without a reference nothing confirms the remaining one"
        )
    spread = max(pairwise[a.approach][b.approach] for a in clean for b in clean)
    names = ", ".join(r.approach for r in clean)
    if not spread <= tol:
        return "none: the approaches disagree", (
            f"the approaches without validity warnings ({names}) differ by up to δ = {spread:.2g} > {tol:g}"
        )
    best = _cheapest(clean)
    return best.approach, (
        f"no reference: the cheapest approach without validity warnings; {names} agree pairwise within "
        f"δ ≤ {spread:.2g} (tolerance {tol:g}) — agreement, not a measurement against an exact answer"
    )


def compare(
    network: Network,
    reference: str | None = None,
    tolerance: float | None = None,
    approaches: Sequence[str] | None = None,
) -> Comparison:
    """Every applicable approach on ``network`` against the best exact reference (see the module docstring).

    Parameters
    ----------
    network : Network
    reference : {None, "exact", "heom", "none"}
        None: the best available reference (exact for oscillator networks with ohmic or
        drude_lorentz baths, heom for qubit networks with drude_lorentz baths when QuTiP is
        installed), or none with the reason. "none": compare the approaches among themselves.
    tolerance : float, optional
        Largest δ counted as agreement (default ``config.COMPARE_TOLERANCE`` = 0.05).
    approaches : list of str, optional
        Subset of ("local", "global", "unified", "redfield") (default: all four).

    Returns
    -------
    Comparison
        Frozen; :meth:`Comparison.to_dict` is the ``--json`` schema, :meth:`Comparison.format` the table.

    Raises
    ------
    ValidationError
        Bad arguments, or an explicitly requested reference that cannot run on this network (the
        message gives the reason).
    MissingExtra
        ``reference="heom"`` without the optional extra heom (QuTiP).
    """
    from .. import checks
    from .solve import check_problem

    t_start = time.perf_counter()
    check_problem(network, "local", "full")
    tol = (
        config.COMPARE_TOLERANCE
        if tolerance is None
        else checks.number("tolerance", tolerance, minimum=0.0, strict=True)
    )
    names = _check_approaches(approaches)
    if reference is not None and (not isinstance(reference, str) or reference not in (*REFERENCES, "none")):
        raise ValidationError("reference", f"must be one of exact, heom, none (or None: automatic), got {reference!r}")
    baths = [b.name for b in network.baths]
    notes: list[str] = []

    ref_name: str | None
    if reference is None:
        ref_name, why = _auto_reference(network)
    elif reference == "none":
        ref_name, why = None, "none asked for (reference='none')"
    else:
        reason = _reference_fit(network, reference)
        if reason is not None:
            raise ValidationError("reference", f"{reference!r} cannot run on this network: {reason}")
        ref_name, why = reference, f"{reference} (asked for)"

    ref_row: ApproachResult | None = None
    if ref_name is not None:
        ref_row = _run(network, ref_name, missing_extra_raises=reference is not None)
        if not ref_row.ok:
            why = f"the {ref_name} reference {'failed' if ref_row.status == 'failed' else 'could not run'}: {ref_row.reason}"
            ref_name = None
        else:
            ref_row = _with_deviation(ref_row, ref_row, baths, tol)
            why = f"{why}; {_reference_detail(ref_row)}"
            err = _reference_error(ref_row)
            if math.isfinite(err) and err > config.COMPARE_REFERENCE_ERROR_FRACTION * tol:
                notes.append(
                    f"the reference's own error estimate ({err:.1e}) is not small against the tolerance {tol:g}: "
                    "deviations near the tolerance are undecided"
                )

    rows = [_run(network, a) for a in names]
    if ref_name is not None and ref_row is not None:
        rows = [_with_deviation(r, ref_row, baths, tol) for r in rows]
    pair = _pairwise([*rows, *([ref_row] if ref_row is not None and ref_row.ok else [])], baths)
    if ref_name is not None:
        recommended, note = _recommend_with_reference(rows, ref_name, tol)
        basis = BASIS_REFERENCE
    else:
        recommended, note = _recommend_without_reference(rows, pair, tol)
        basis = BASIS_AGREEMENT
    for r in rows:
        if r.ok and r.wrong_sign and ref_name is not None:
            notes.append(f"{r.approach} gives the wrong sign of a heat current")
    return Comparison(
        network=network,
        tolerance=tol,
        reference=ref_name,
        reference_note=why,
        reference_row=ref_row,
        rows=tuple(rows),
        recommended=recommended,
        recommendation_note=note,
        recommendation_basis=basis,
        pairwise=pair,
        notes=tuple(notes),
        seconds=time.perf_counter() - t_start,
    )
