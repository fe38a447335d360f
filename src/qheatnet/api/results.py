"""Result objects: deeply immutable, traceable, serialisable.

:class:`SteadyState` (from :func:`qheatnet.solve`) and :class:`Evolution`
(from :func:`qheatnet.evolve`) carry the input network, the approach, the
engine that ran and how (``solver`` / ``method``), the residuals and the
diagnostics, so that a number can always be traced back. They are frozen
dataclasses whose mappings are read-only (:class:`ReadOnlyMap`) and whose
arrays are not writeable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..model.network import Network
from ..thermo.diagnostics import Diagnostic

__all__ = ["ReadOnlyMap", "SteadyState", "Evolution", "freeze"]


class ReadOnlyMap(Mapping):
    """A read-only, picklable mapping (``res.heat_currents["hot"] = 1`` raises TypeError)."""

    __slots__ = ("_data",)
    _data: dict

    def __init__(self, data: Mapping | None = None):
        object.__setattr__(self, "_data", dict(data or {}))

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ReadOnlyMap is read-only")

    def __reduce__(self):
        return (ReadOnlyMap, (self._data,))


def freeze(value: Any) -> Any:
    """A deeply read-only copy: mappings → ReadOnlyMap, lists → tuples, arrays → non-writeable."""
    if isinstance(value, Mapping):
        return ReadOnlyMap({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
        return value
    return value


def _num(x: Any) -> Any:
    """A JSON-ready number: floats stay floats, non-finite ones become "inf", "-inf", "nan"."""
    x = float(x)
    return x if math.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")


def _unnum(x: Any) -> float:
    return float(x) if not isinstance(x, str) else float({"inf": "inf", "-inf": "-inf", "nan": "nan"}[x])


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    return value


def _fmt(x: float) -> str:
    return f"{x:.6g}"


@dataclass(frozen=True, eq=False, repr=False)
class SteadyState:
    """Result of :func:`qheatnet.solve`. All energies in the network's unit (ħ = k_B = 1).

    Attributes
    ----------
    network : Network
        The input.
    approach : str
        "local", "global" (master equations) or "exact" (the non-Markovian reference for oscillator
        networks).
    engine : str
        Which engine ran (``solver["fallback"]`` names an engine that refused first, if any).
    bookkeeping : "full" or "bare"
        Which Hamiltonian defines the heat currents.
    heat_currents : read-only mapping
        Bath name → J_α, positive when energy enters the network from α.
    entropy_production : float
        σ = −Σ_α J_α / T_α.
    first_law_residual : float
        Σ_α J_α: zero at the exact steady state with full bookkeeping; with bare bookkeeping it is the
        power exchanged through the couplings.
    second_law : "satisfied" or "violated"
    second_law_tolerance : float
    populations : read-only mapping
        Node name → ⟨n_i⟩.
    diagnostics : tuple of Diagnostic
    residual : float
        Relative steady-state residual of the engine's equations.
    solver : read-only mapping
        How the number was obtained (engine, cut-off, truncation error, structure, …).
    rho : ndarray or None
        Steady-state density matrix in the local product basis of ``space`` (engines that do not
        build one leave None).
    correlation_matrix, covariance : ndarray or None
        C_ij = ⟨a_i† a_j⟩ (oscillators; Jordan–Wigner fermions for the free-fermion engine) and the
        2N × 2N covariance (order x_1, p_1, …), where the engine forms them.
    coupling_currents : read-only mapping or None
        Coupling label → {node name → J_{c→i}}: the energy entering node i through coupling c,
        i⟨[H_c, H_i]⟩ with the node energies H_i = ω_i n_i (bare bookkeeping; see
        :mod:`qheatnet.thermo.currents`). None where the engine's output does not allow it
        (``solver["coupling_currents"]`` says why).
    node_bath_currents : read-only mapping or None
        Node name → J_bath(i) = Σ_α ⟨𝓛_α^†(H_i)⟩, the energy the baths put into node i; at steady state
        Σ_c J_{c→i} + J_bath(i) = 0 for every node (continuity).
    machine : read-only mapping or None
        For three or more baths, what the network does as a thermal machine (mode, roles of the
        baths, cooling power, COP and its Carnot bound, ...; :mod:`qheatnet.thermo.machines`).
    """

    network: Network
    approach: str
    engine: str
    bookkeeping: str
    heat_currents: Mapping[str, float]
    entropy_production: float
    first_law_residual: float
    second_law: str
    second_law_tolerance: float
    populations: Mapping[str, float]
    diagnostics: tuple[Diagnostic, ...]
    residual: float
    solver: Mapping[str, Any] = field(default_factory=ReadOnlyMap)
    rho: Any = None
    space: Any = None
    correlation_matrix: Any = None
    covariance: Any = None
    eigen_populations: Any = None
    eigen_energies: Any = None
    coupling_currents: Any = None
    node_bath_currents: Any = None
    machine: Any = None

    def __post_init__(self) -> None:
        for name in ("coupling_currents", "node_bath_currents", "machine"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, freeze(getattr(self, name)))
        for name in ("heat_currents", "populations", "solver"):
            object.__setattr__(self, name, freeze(getattr(self, name)))
        object.__setattr__(self, "diagnostics", tuple(self.diagnostics))
        for name in ("rho", "correlation_matrix", "covariance", "eigen_populations", "eigen_energies"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    @property
    def extra(self) -> Mapping[str, Any]:
        """The engine-specific arrays that are present, by name (read-only)."""
        names = ("correlation_matrix", "covariance", "eigen_populations", "eigen_energies")
        return ReadOnlyMap({n: getattr(self, n) for n in names if getattr(self, n) is not None})

    # -- serialisation --------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the schema of ``qheatnet solve --json``; :meth:`from_dict` reads it back)."""
        return {
            "approach": self.approach,
            "engine": self.engine,
            "bookkeeping": self.bookkeeping,
            "heat_currents": {k: _num(v) for k, v in self.heat_currents.items()},
            "entropy_production": _num(self.entropy_production),
            "first_law_residual": _num(self.first_law_residual),
            "second_law": self.second_law,
            "second_law_tolerance": _num(self.second_law_tolerance),
            "populations": {k: _num(v) for k, v in self.populations.items()},
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "residual": _num(self.residual),
            "solver": _jsonable(self.solver),
            "coupling_currents": None
            if self.coupling_currents is None
            else {c: {n: _num(j) for n, j in per.items()} for c, per in self.coupling_currents.items()},
            "node_bath_currents": None
            if self.node_bath_currents is None
            else {n: _num(j) for n, j in self.node_bath_currents.items()},
            "machine": None if self.machine is None else _jsonable(self.machine),
            "network": self.network.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SteadyState:
        """Rebuild a result from :meth:`to_dict` / ``solve --json`` output (density matrices are not stored)."""
        from ..errors import ValidationError

        if not isinstance(data, Mapping) or "network" not in data:
            raise ValidationError("result", "must be the mapping written by SteadyState.to_dict() (with 'network')")
        try:
            return cls(
                network=Network.from_dict(data["network"]),
                approach=data["approach"],
                engine=data["engine"],
                bookkeeping=data["bookkeeping"],
                heat_currents={k: _unnum(v) for k, v in data["heat_currents"].items()},
                entropy_production=_unnum(data["entropy_production"]),
                first_law_residual=_unnum(data["first_law_residual"]),
                second_law=data["second_law"],
                second_law_tolerance=_unnum(data["second_law_tolerance"]),
                populations={k: _unnum(v) for k, v in data["populations"].items()},
                diagnostics=tuple(Diagnostic(d["code"], d["severity"], d["message"]) for d in data["diagnostics"]),
                residual=_unnum(data["residual"]),
                solver=data.get("solver", {}),
                coupling_currents=None
                if data.get("coupling_currents") is None
                else {c: {n: _unnum(j) for n, j in per.items()} for c, per in data["coupling_currents"].items()},
                node_bath_currents=None
                if data.get("node_bath_currents") is None
                else {n: _unnum(j) for n, j in data["node_bath_currents"].items()},
                machine=data.get("machine"),
            )
        except KeyError as exc:
            raise ValidationError(f"result.{exc.args[0]}", "required field is missing") from None

    def to_xarray(self) -> Any:
        """The result as an ``xarray.Dataset`` (dimensions ``bath``, ``node``, ``diagnostic``)."""
        import xarray as xr

        from ..thermo.diagnostics import DIAGNOSTIC_CODES

        baths = list(self.heat_currents)
        nodes = list(self.populations)
        found = {str(d.code) for d in self.diagnostics}
        temps = {b.name: b.temperature for b in self.network.baths}
        return xr.Dataset(
            {
                "heat_current": ("bath", [self.heat_currents[b] for b in baths], {"units": "energy/time"}),
                "temperature": ("bath", [temps[b] for b in baths]),
                "population": ("node", [self.populations[n] for n in nodes]),
                "entropy_production": ((), self.entropy_production),
                "first_law_residual": ((), self.first_law_residual),
                "second_law_violated": ((), self.second_law == "violated"),
                "flagged": ("diagnostic", [c in found for c in DIAGNOSTIC_CODES]),
            },
            coords={"bath": baths, "node": nodes, "diagnostic": list(DIAGNOSTIC_CODES)},
            attrs={"approach": self.approach, "engine": self.engine, "bookkeeping": self.bookkeeping},
        )

    # -- display ----------------------------------------------------------------
    def __repr__(self) -> str:
        js = ", ".join(f"{k}={_fmt(v)}" for k, v in self.heat_currents.items())
        codes = ",".join(str(d.code) for d in self.diagnostics)
        return (
            f"SteadyState({self.approach}, engine={self.engine}, J={{{js}}}, σ={_fmt(self.entropy_production)}, "
            f"second_law={self.second_law}" + (f", diagnostics=[{codes}]" if codes else "") + ")"
        )

    def _repr_html_(self) -> str:
        from html import escape

        temps = {b.name: b.temperature for b in self.network.baths}
        rows = "".join(
            f"<tr><td>{escape(k)}</td><td>{_fmt(temps[k])}</td><td>{_fmt(v)}</td></tr>"
            for k, v in self.heat_currents.items()
        )
        diags = "".join(
            f"<li><b>{escape(str(d.code))}</b> ({d.severity}): {escape(d.message)}</li>" for d in self.diagnostics
        )
        return (
            f"<div><b>SteadyState</b>: approach <code>{escape(self.approach)}</code>, engine "
            f"<code>{escape(self.engine)}</code>, bookkeeping {escape(self.bookkeeping)}<br>"
            f"<table><tr><th>bath</th><th>T</th><th>J (bath → network)</th></tr>{rows}</table>"
            f"σ = {_fmt(self.entropy_production)}; second law: {escape(self.second_law)}"
            + (f"<ul>{diags}</ul>" if diags else "")
            + "</div>"
        )


@dataclass(frozen=True, eq=False, repr=False)
class Evolution:
    """Result of :func:`qheatnet.evolve`. Arrays are indexed by time (read-only).

    Attributes
    ----------
    network, approach, bookkeeping : the inputs
    engine : str, "fock" (generic sparse Liouvillian), "free-fermion", "rate-equation" or "gaussian"
    method : "dense" or "krylov" (fock); a description of the exact propagator otherwise
    structure : "q-diagonal blocks" or "full space" (fock); the propagated quantity otherwise
    initial : read-only mapping, node name → {"temperature": T} or {"fock": n}
    times : (n_t,) array
    heat_currents : read-only mapping bath name → (n_t,) array, J_α(t)
    populations : read-only mapping node name → (n_t,) array, ⟨n_i⟩(t)
    energy : (n_t,) array, ⟨H⟩(t) with the bookkeeping Hamiltonian
    entropy : (n_t,) array or None, von Neumann entropy S(t) (small spaces only)
    trace_error : float, max_t |Tr ρ(t) − 1|
    first_law_error : float, max_t |d⟨H⟩/dt − Σ_α J_α| relative to max |J_α| (d⟨H⟩/dt = Tr[H 𝓛ρ]
        evaluated exactly; NaN for bare bookkeeping, where power flows through the couplings)
    truncated_weight : float, weight of the initial product state outside the
        truncated Fock space (0 for qubits); the state is renormalised
    extra : read-only mapping (``unknowns``; ``steady_heat_currents`` for the rate equation)
    """

    network: Network
    approach: str
    bookkeeping: str
    engine: str
    method: str
    structure: str
    initial: Mapping[str, Any]
    times: np.ndarray
    heat_currents: Mapping[str, np.ndarray]
    populations: Mapping[str, np.ndarray]
    energy: np.ndarray
    entropy: Any
    trace_error: float
    first_law_error: float
    truncated_weight: float = 0.0
    extra: Mapping[str, Any] = field(default_factory=ReadOnlyMap)

    def __post_init__(self) -> None:
        for name in ("initial", "times", "heat_currents", "populations", "energy", "entropy", "extra"):
            object.__setattr__(self, name, freeze(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the schema of ``qheatnet evolve --json``)."""

        def arr(x: Any) -> list[float]:
            return [float(v) for v in np.asarray(x)]

        return {
            "approach": self.approach,
            "engine": self.engine,
            "method": self.method,
            "structure": self.structure,
            "bookkeeping": self.bookkeeping,
            "initial": _jsonable(self.initial),
            "times": arr(self.times),
            "heat_currents": {k: arr(v) for k, v in self.heat_currents.items()},
            "populations": {k: arr(v) for k, v in self.populations.items()},
            "energy": arr(self.energy),
            "entropy": None if self.entropy is None else arr(self.entropy),
            "trace_error": float(self.trace_error),
            "first_law_error": float(self.first_law_error),
            "truncated_weight": float(self.truncated_weight),
        }

    def __repr__(self) -> str:
        return (
            f"Evolution({self.approach}, engine={self.engine}, {len(self.times)} times up to "
            f"t = {_fmt(float(self.times[-1]))}, first-law error {self.first_law_error:.1e})"
        )
