"""What a sweep is: a base network, swept parameters, approaches, outputs.

A sweep is described once, validated at the boundary, and then identified
by a hash of everything that changes its numbers (the base network, the
exact parameter values, the approaches, bookkeeping, engine and options,
whether closed forms may be used, the outputs and the qheatnet version).
That hash is what lets an interrupted run be resumed safely.

Parameter paths
---------------
A swept parameter is addressed by the names used in the network file:

=================================  =====================================
``nodes.<node>.frequency``         ω of node ``<node>``
``couplings.<A>-<B>.strength``     ε of the coupling between A and B
                                   (``B-A`` works too)
``baths.<bath>.temperature``       T of bath ``<bath>``
``baths.<bath>.spectrum.<param>``  a spectrum parameter (``rate``,
                                   ``kappa``, ``cutoff``)
=================================  =====================================

Values are given as a list, or a table with exactly one of
``values = [...]``, ``linspace = [start, stop, num]``,
``geomspace = [start, stop, num]`` (geometric, start and stop are the
values) or ``logspace = [start, stop, num]`` (numpy convention: the
exponents of 10), and optionally ``name`` (the dimension name in the
result; default: the path).

Sweep file (TOML)::

    network = "two-qubits.toml"        # relative to this file; or [network] tables
    approaches = ["local", "global"]
    outputs = ["heat_current", "entropy_production", "population"]   # optional

    [parameters]
    "baths.hot.temperature" = { linspace = [1.0, 3.0, 41] }
    "couplings.A-B.strength" = { logspace = [-4, -1, 31] }
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..io.network_file import load_network, parse_toml, read_input_file
from ..model.network import Network

__all__ = [
    "Axis",
    "Target",
    "SweepSpec",
    "OUTPUTS",
    "resolve_path",
    "parameter_paths",
    "make_axis",
    "make_spec",
    "load_sweep_file",
    "loads_sweep",
]

#: Variables a sweep can write (``status`` and ``error`` are always written).
OUTPUTS: tuple[str, ...] = (
    "heat_current",
    "entropy_production",
    "population",
    "first_law_residual",
    "second_law_violated",
    "diagnostics",
    "engine",
)

#: Largest number of points of a sweep (the product over its axes times the approaches),
#: and of one axis. Measured: a two-node sweep of 10⁶ points × 2 approaches peaked at
#: 0.67 GB of memory (≈ 290 bytes per point and approach: currents, populations,
#: diagnostics, engine and error strings, and a copy while writing) and wrote 344 MB of
#: netCDF; at this cap that is ≈ 3 GB. 10⁹ points were an out-of-memory crash. Larger
#: scans are split into several sweeps.
MAX_SWEEP_POINTS = 10_000_000

ENERGY = "energy unit (hbar = k_B = 1)"
#: Units of spectrum parameters (J(ω) is a rate, i.e. an energy).
_SPECTRUM_UNITS = {
    ("flat", "rate"): ENERGY,
    ("phonon3d", "kappa"): "energy unit^-2 (J = kappa omega^3)",
    ("ohmic", "kappa"): "1 (J = kappa omega exp(-omega/cutoff))",
    ("ohmic", "cutoff"): ENERGY,
    ("drude_lorentz", "kappa"): "1 (J = kappa omega cutoff^2/(omega^2+cutoff^2))",
    ("drude_lorentz", "cutoff"): ENERGY,
}


@dataclass(frozen=True)
class Target:
    """Where a parameter path points in ``Network.to_dict()``.

    ``location`` is the key path, e.g. ``("baths", 0, "spectrum", "kappa")``.
    ``quantity`` is one of "frequency", "strength", "temperature" or
    "spectrum" (a spectrum parameter).
    """

    path: str
    location: tuple
    quantity: str
    units: str
    long_name: str


@dataclass(frozen=True, eq=False)
class Axis:
    """One swept parameter: its path, dimension name and values (1-D float array)."""

    path: str
    name: str
    values: np.ndarray
    target: Target

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "values": [float(v).hex() for v in self.values]}


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A validated sweep. Build with :func:`make_spec` or :func:`load_sweep_file`.

    Attributes
    ----------
    network : Network
        The base network; swept parameters override its values.
    axes : tuple of Axis
        One per swept parameter, in dimension order (C order of the points).
    approaches : tuple of str
    bookkeeping : "full" or "bare"
    engine : str
        Passed to :func:`qheatnet.solve` ("auto" by default).
    options : dict
        Extra engine options (e.g. ``cutoff``).
    fast_path : bool
        Use the vectorised two-node closed forms where they apply.
    outputs : tuple of str
        Variables written (see :data:`OUTPUTS`).
    chunk_size : int or None
        Points per task for the per-point solver (None: automatic).
    source : str or None
        The sweep file, when read from one.
    """

    network: Network
    axes: tuple[Axis, ...]
    approaches: tuple[str, ...] = ("local",)
    bookkeeping: str = "full"
    engine: str = "auto"
    options: dict = field(default_factory=dict)
    fast_path: bool = True
    outputs: tuple[str, ...] = OUTPUTS
    chunk_size: int | None = None
    source: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.values) for a in self.axes)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    def point_values(self, start: int, stop: int) -> np.ndarray:
        """(stop − start, n_axes) parameter values of flat points [start, stop) (C order)."""
        idx = np.unravel_index(np.arange(start, stop, dtype=np.int64), self.shape)
        return np.stack([a.values[i] for a, i in zip(self.axes, idx)], axis=1).astype(float)

    def canonical(self) -> dict[str, Any]:
        """Everything that determines the numbers, JSON-ready and exact (floats as hex)."""

        def exact(obj):
            if isinstance(obj, float):
                return obj.hex()
            if isinstance(obj, dict):
                return {k: exact(v) for k, v in obj.items()}
            if isinstance(obj, (list, tuple)):
                return [exact(v) for v in obj]
            return obj

        from .. import __version__

        return {
            "qheatnet_version": __version__,
            "network": exact(self.network.to_dict()),
            "axes": [a.to_dict() for a in self.axes],
            "approaches": list(self.approaches),
            "bookkeeping": self.bookkeeping,
            "engine": self.engine,
            "options": exact(dict(sorted(self.options.items()))),
            "fast_path": bool(self.fast_path),
            "outputs": list(self.outputs),
        }

    @property
    def hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------------------
# parameter paths
# ---------------------------------------------------------------------------


def parameter_paths(network: Network) -> list[str]:
    """Every path that can be swept in ``network``."""
    out = [f"nodes.{n.name}.frequency" for n in network.nodes]
    out += [f"couplings.{c.label}.strength" for c in network.couplings]
    for b in network.baths:
        out.append(f"baths.{b.name}.temperature")
        out += [f"baths.{b.name}.spectrum.{p}" for p in b.spectrum.params]
    return out


def resolve_path(network: Network, path: Any, field_name: str | None = None) -> Target:
    """The :class:`Target` of ``path`` in ``network``; unknown paths raise ValidationError."""
    where = field_name or f"parameters.{path}"
    if not isinstance(path, str) or not path:
        raise ValidationError("parameters", f"a parameter path must be a non-empty string, got {path!r}")

    def unknown(reason: str) -> ValidationError:
        valid = ", ".join(parameter_paths(network))
        return ValidationError(where, f"unknown parameter path ({reason}); sweepable paths: {valid}")

    section, _, rest = path.partition(".")
    if section == "nodes":
        for i, n in enumerate(network.nodes):
            if rest.startswith(n.name + "."):
                attr = rest[len(n.name) + 1 :]
                if attr != "frequency":
                    raise unknown(f"nodes have one numeric field, 'frequency', not {attr!r}")
                return Target(path, ("nodes", i, "frequency"), "frequency", ENERGY, f"frequency of node {n.name}")
        raise unknown(f"no node named like {rest.rsplit('.', 1)[0]!r}")
    if section == "couplings":
        for i, c in enumerate(network.couplings):
            for label in (c.label, f"{c.nodes[1]}-{c.nodes[0]}"):
                if rest.startswith(label + "."):
                    attr = rest[len(label) + 1 :]
                    if attr != "strength":
                        raise unknown(f"couplings have one numeric field, 'strength', not {attr!r}")
                    return Target(
                        path, ("couplings", i, "strength"), "strength", ENERGY, f"coupling strength {c.label}"
                    )
        raise unknown(f"no coupling named like {rest.rsplit('.', 1)[0]!r} (couplings are named 'A-B')")
    if section == "baths":
        for i, b in enumerate(network.baths):
            if rest.startswith(b.name + "."):
                attr = rest[len(b.name) + 1 :]
                if attr == "temperature":
                    return Target(
                        path, ("baths", i, "temperature"), "temperature", ENERGY, f"temperature of bath {b.name}"
                    )
                if attr.startswith("spectrum."):
                    param = attr[len("spectrum.") :]
                    if param in b.spectrum.params:
                        units = _SPECTRUM_UNITS.get((b.spectrum.kind, param), "")
                        return Target(
                            path,
                            ("baths", i, "spectrum", param),
                            "spectrum",
                            units,
                            f"{b.spectrum.kind} spectrum {param} of bath {b.name}",
                        )
                    raise unknown(
                        f"the {b.spectrum.kind!r} spectrum of bath {b.name!r} has parameters "
                        f"{', '.join(b.spectrum.params)}, not {param!r}"
                    )
                raise unknown(f"baths have 'temperature' and 'spectrum.<param>', not {attr!r}")
        raise unknown(f"no bath named like {rest.rsplit('.', 1)[0]!r}")
    raise unknown(f"it must start with 'nodes.', 'couplings.' or 'baths.', not {section!r}")


def set_value(data: dict, location: tuple, value: float) -> None:
    """Write ``value`` at ``location`` in a ``Network.to_dict()`` mapping (in place)."""
    obj = data
    for key in location[:-1]:
        obj = obj[key]
    obj[location[-1]] = float(value)


def network_with(base: dict, targets: Sequence[Target], values: Sequence[float]) -> Network:
    """The network of ``base`` (a to_dict mapping) with ``values`` at ``targets``."""
    data = {
        "nodes": [dict(n) for n in base["nodes"]],
        "couplings": [dict(c) for c in base["couplings"]],
        "baths": [{**b, "spectrum": dict(b["spectrum"])} for b in base["baths"]],
    }
    for t, v in zip(targets, values):
        set_value(data, t.location, v)
    return Network.from_dict(data)


# ---------------------------------------------------------------------------
# values of an axis
# ---------------------------------------------------------------------------

_RANGE_KINDS = ("values", "linspace", "geomspace", "logspace")


def _number(where: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise ValidationError(where, f"must be a number, got {v!r}")
    x = float(v)
    if not math.isfinite(x):
        raise ValidationError(where, f"must be finite, got {v!r}")
    return x


def _range(where: str, kind: str, spec: Any) -> np.ndarray:
    if not isinstance(spec, (list, tuple)) or len(spec) != 3:
        raise ValidationError(f"{where}.{kind}", f"must be [start, stop, num], got {spec!r}")
    start = _number(f"{where}.{kind}[0] (start)", spec[0])
    stop = _number(f"{where}.{kind}[1] (stop)", spec[1])
    num = spec[2]
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValidationError(f"{where}.{kind}[2] (num)", f"must be an integer ≥ 1, got {num!r}")
    if num > MAX_SWEEP_POINTS:
        raise ValidationError(
            f"{where}.{kind}[2] (num)", f"{num} values; at most MAX_SWEEP_POINTS = {MAX_SWEEP_POINTS} per sweep"
        )
    if kind == "linspace":
        return np.linspace(start, stop, int(num))
    if kind == "logspace":
        with np.errstate(over="ignore"):
            vals = np.logspace(start, stop, int(num))
        if not np.all(np.isfinite(vals)):
            raise ValidationError(
                f"{where}.logspace", f"10^{max(start, stop):g} overflows; start and stop are exponents"
            )
        return vals
    if start == 0 or stop == 0 or (start > 0) != (stop > 0):
        raise ValidationError(
            f"{where}.geomspace", f"start and stop must be non-zero with the same sign, got {start:g} and {stop:g}"
        )
    return np.geomspace(start, stop, int(num))


def axis_values(where: str, spec: Any) -> tuple[np.ndarray, str | None]:
    """(values, name) from a list/array or a table ``{values|linspace|geomspace|logspace, name?}``."""
    name = None
    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - {*_RANGE_KINDS, "name"})
        if unknown:
            raise ValidationError(f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(_RANGE_KINDS)}, name)")
        kinds = [k for k in _RANGE_KINDS if k in spec]
        if len(kinds) != 1:
            raise ValidationError(
                where, f"give exactly one of {', '.join(_RANGE_KINDS)} (got {', '.join(kinds) or 'none'})"
            )
        if "name" in spec:
            name = spec["name"]
            if not isinstance(name, str) or not name.strip() or name in ("approach", "bath", "node", "diagnostic"):
                raise ValidationError(
                    f"{where}.name",
                    f"must be a non-empty string other than approach/bath/node/diagnostic, got {name!r}",
                )
        kind = kinds[0]
        if kind != "values":
            return _range(where, kind, spec[kind]), name
        spec, where = spec["values"], f"{where}.values"
    if isinstance(spec, (str, bytes)) or not isinstance(spec, (Sequence, np.ndarray)):
        raise ValidationError(
            where, f"must be a list of numbers or a table like {{ linspace = [1.0, 2.0, 11] }}, got {spec!r}"
        )
    if not isinstance(spec, np.ndarray):  # check the elements as given: np.asarray would turn [1.0, "a"] into strings
        if len(spec) == 0:
            raise ValidationError(where, "must hold at least one value")
        return np.array([_number(f"{where}[{i}]", v) for i, v in enumerate(spec)], dtype=float), name
    arr = spec
    if arr.ndim != 1:
        raise ValidationError(where, f"must be a 1-D list of numbers, got shape {arr.shape}")
    if arr.size == 0:
        raise ValidationError(where, "must hold at least one value")
    vals = np.array([_number(f"{where}[{i}]", v) for i, v in enumerate(arr.tolist())], dtype=float)
    return vals, name


def make_axis(network: Network, path: str, spec: Any, field_prefix: str = "parameters") -> Axis:
    """Validate one swept parameter against ``network``: path, values, and their range."""
    where = f"{field_prefix}.{path}"
    target = resolve_path(network, path, where)
    values, name = axis_values(where, spec)
    if len(np.unique(values)) != len(values):
        raise ValidationError(where, "values must be distinct (a coordinate cannot repeat a value)")
    # the model's constraints are bounds, so the extreme values decide
    base = network.to_dict()
    for v in {float(values.min()), float(values.max())}:
        try:
            network_with(base, [target], [v])
        except ValidationError as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise ValidationError(
                where,
                f"value {v:g} is not allowed ({target.quantity if target.quantity != 'spectrum' else target.location[-1]} {reason})",
            ) from None
    return Axis(path=path, name=name or path, values=values, target=target)


def make_spec(
    network: Network,
    parameters: Mapping[str, Any],
    approaches: Sequence[str] | str = ("local",),
    *,
    bookkeeping: str = "full",
    engine: str = "auto",
    options: Mapping[str, Any] | None = None,
    fast_path: bool = True,
    outputs: Sequence[str] | None = None,
    chunk_size: int | None = None,
    source: str | None = None,
    field_prefix: str = "parameters",
) -> SweepSpec:
    """Check every field of a sweep and return a :class:`SweepSpec`.

    Raises
    ------
    ValidationError
        Naming the field: an unknown parameter path, a bad range, an unknown
        approach or output.
    """
    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a qheatnet.Network, got {type(network).__name__}")
    if not isinstance(parameters, Mapping) or not parameters:
        raise ValidationError(
            field_prefix, "give at least one parameter to sweep, e.g. {'baths.hot.temperature': [...]}"
        )
    axes = tuple(make_axis(network, p, s, field_prefix) for p, s in parameters.items())
    seen: dict[str, str] = {}
    for a in axes:
        key = str(a.target.location)
        if key in seen:
            raise ValidationError(f"{field_prefix}.{a.path}", f"the same parameter as {seen[key]!r}")
        seen[key] = a.path
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ValidationError(field_prefix, f"dimension names must be distinct, got {names}")
    APPROACHES = importlib.import_module("..analysis.solve", __package__).APPROACHES  # now: engines may add some
    if isinstance(approaches, str):
        approaches = (approaches,)
    if isinstance(approaches, (str, bytes)) or not isinstance(approaches, Sequence) or not approaches:
        raise ValidationError("approaches", f"must be a non-empty list of {', '.join(APPROACHES)}, got {approaches!r}")
    for i, a in enumerate(approaches):
        if a not in APPROACHES:
            raise ValidationError(f"approaches[{i}]", f"must be one of {', '.join(APPROACHES)}, got {a!r}")
    if len(set(approaches)) != len(approaches):
        raise ValidationError("approaches", f"must not repeat an approach, got {list(approaches)}")
    if bookkeeping not in ("full", "bare"):
        raise ValidationError("bookkeeping", f"must be 'full' or 'bare', got {bookkeeping!r}")
    from ..analysis.engines import ENGINE_REGISTRY

    if engine != "auto" and engine not in ENGINE_REGISTRY:
        raise ValidationError("engine", f"must be one of auto, {', '.join(ENGINE_REGISTRY)}, got {engine!r}")
    options = dict(options or {})
    for k, v in options.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise ValidationError(f"options.{k}", f"must be a number or a string, got {v!r}")
    if not isinstance(fast_path, bool):
        raise ValidationError("fast_path", f"must be true or false, got {fast_path!r}")
    outputs = OUTPUTS if outputs is None else outputs
    if isinstance(outputs, str) or not isinstance(outputs, Sequence):
        raise ValidationError("outputs", f"must be a list drawn from {', '.join(OUTPUTS)}, got {outputs!r}")
    for i, o in enumerate(outputs):
        if o not in OUTPUTS:
            raise ValidationError(f"outputs[{i}]", f"must be one of {', '.join(OUTPUTS)}, got {o!r}")
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1
    ):
        raise ValidationError("chunk_size", f"must be an integer ≥ 1, got {chunk_size!r}")
    return SweepSpec(
        network=network,
        axes=axes,
        approaches=tuple(approaches),
        bookkeeping=bookkeeping,
        engine=engine,
        options=options,
        fast_path=fast_path,
        outputs=tuple(o for o in OUTPUTS if o in outputs),
        chunk_size=None if chunk_size is None else int(chunk_size),
        source=source,
    )


# ---------------------------------------------------------------------------
# sweep files
# ---------------------------------------------------------------------------

_FILE_KEYS = (
    "network",
    "parameters",
    "approaches",
    "bookkeeping",
    "engine",
    "options",
    "fast_path",
    "outputs",
    "chunk_size",
    "title",
    "description",
)


def _flatten_parameters(table: Mapping, prefix: str = "") -> dict[str, Any]:
    """Accept both ``"baths.hot.temperature" = ...`` and unquoted dotted keys (nested tables)."""
    out: dict[str, Any] = {}
    for key, val in table.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(val, Mapping) and not (set(val) & {*_RANGE_KINDS, "name"}):
            out.update(_flatten_parameters(val, path))
        else:
            out[path] = val
    return out


def loads_sweep(text: str, base_dir: str | Path = ".", source: str = "<string>") -> SweepSpec:
    """Parse sweep-file TOML; ``network = "file.toml"`` is relative to ``base_dir``."""
    data = parse_toml(text, source)
    for key in data:
        if key not in _FILE_KEYS:
            raise ValidationError(key, f"unknown key in sweep file (allowed: {', '.join(_FILE_KEYS)})")
    if "network" not in data:
        raise ValidationError("network", "required: a network file path or inline [network] tables")
    net = data["network"]
    if isinstance(net, str):
        path = Path(net)
        if not path.is_absolute():
            path = Path(base_dir) / path
        network = load_network(path)
    elif isinstance(net, Mapping):
        try:
            network = Network.from_dict(dict(net))
        except ValidationError as exc:
            raise ValidationError(f"network.{exc.field}", str(exc).split(": ", 1)[1]) from None
    else:
        raise ValidationError("network", f"must be a file path or a table, got {net!r}")
    params = data.get("parameters")
    if not isinstance(params, Mapping) or not params:
        raise ValidationError("parameters", "required: a [parameters] table with at least one swept parameter")
    approaches = data.get("approaches", ["local"])
    if isinstance(approaches, str):
        approaches = [approaches]
    options = data.get("options", {})
    if not isinstance(options, Mapping):
        raise ValidationError("options", f"must be a table, got {options!r}")
    return make_spec(
        network,
        _flatten_parameters(params),
        approaches,
        bookkeeping=data.get("bookkeeping", "full"),
        engine=data.get("engine", "auto"),
        options=options,
        fast_path=data.get("fast_path", True),
        outputs=data.get("outputs"),
        chunk_size=data.get("chunk_size"),
        source=source,
    )


def load_sweep_file(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (TOML)."""
    p = Path(path)
    return loads_sweep(read_input_file(p, "sweep file"), p.parent, str(p))
