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

Linked parameters and zipped axes
---------------------------------
One dimension can drive several fields:

* a glob (:func:`fnmatch.fnmatchcase` over :func:`parameter_paths`):
  ``"couplings.*.strength" = {...}`` sets every coupling to the same value
  (a uniform ring's ε); ``"nodes.*.frequency"`` keeps all nodes resonant;
* a list of paths (or globs): ``epsilon = { paths = ["couplings.A-B.strength",
  "couplings.C-D.strength"], geomspace = [...] }`` — the key is the
  dimension name; in Python also a tuple key ``{("couplings.A-B.strength",
  "couplings.C-D.strength"): values}``;
* zipped parameters, varied together element by element along one
  dimension: ``bias = { zip = { "baths.hot.temperature" = [...],
  "baths.cold.temperature" = [...] } }``. The members (each a path, a glob
  or a ``paths`` table, with its own values and optional ``name``) must have
  the same number of values; the first one's values, which must be
  distinct, are the dimension coordinate.

Linked fields must share their units. In the result a linked coordinate
lists the fields it sets (attribute ``targets``); a zipped dimension lists
its members (``zipped``) and each member is a coordinate of its own along
that dimension (``zipped_along``). The hash describes every member and the
fields it sets, so changing the linking is a different sweep (not resumed
from the old one); a plain axis hashes as it always did.

Validity maps
-------------
``reference = "exact"`` (oscillator networks with ohmic or drude_lorentz baths) or ``"heom"``
(qubit networks with drude_lorentz baths, optional extra heom) computes that reference at every
point too (it is added to ``approaches`` if missing) and adds the variable ``deviation``: each
approach's relative deviation δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| from it
(:mod:`qheatnet.sweeps.dataset`). ``qheatnet plot`` then draws where each approach is within a
tolerance. The reference is part of the sweep hash.

Sweep file (TOML)::

    network = "two-qubits.toml"        # relative to this file; or [network] tables
    approaches = ["local", "global"]
    outputs = ["heat_current", "entropy_production", "population"]   # optional
    reference = "heom"                 # optional: validity map (deviation from the reference)

    [parameters]
    "baths.hot.temperature" = { linspace = [1.0, 3.0, 41] }
    "couplings.A-B.strength" = { logspace = [-4, -1, 31] }

    # or, for a ring:  "couplings.*.strength" = { geomspace = [1e-3, 0.1, 21], name = "epsilon" }
    # and a zipped dimension:
    # [parameters.bias.zip]
    # "baths.hot.temperature" = { linspace = [1.5, 3.0, 7] }
    # "baths.cold.temperature" = { linspace = [1.0, 0.25, 7] }
"""

from __future__ import annotations

import fnmatch
import hashlib
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
    "Member",
    "Target",
    "SweepSpec",
    "OUTPUTS",
    "DEFAULT_OUTPUTS",
    "FLUCTUATION_OUTPUTS",
    "resolve_path",
    "resolve_paths",
    "make_member",
    "parameter_paths",
    "make_axis",
    "make_spec",
    "load_sweep_file",
    "loads_sweep",
]

#: Variables a sweep writes by default (``status`` and ``error`` are always written).
DEFAULT_OUTPUTS: tuple[str, ...] = (
    "heat_current",
    "entropy_production",
    "population",
    "first_law_residual",
    "second_law_violated",
    "diagnostics",
    "engine",
    "coupling_current",
    "machine",
)
#: Heat-current fluctuations per bath (:func:`qheatnet.fluctuations`), written only when asked for: they
#: need the counting statistics at every point (no closed-form fast path).
FLUCTUATION_OUTPUTS: tuple[str, ...] = ("current_noise", "third_cumulant", "fano_factor", "tur_ratio")
#: Variables a sweep can write.
OUTPUTS: tuple[str, ...] = DEFAULT_OUTPUTS + FLUCTUATION_OUTPUTS

#: Exact references a sweep can measure the approaches against (``reference = "exact"``): each point
#: then also gets every approach's relative deviation from it (the ``deviation`` variable, see
#: :mod:`qheatnet.sweeps.dataset`).
SWEEP_REFERENCES: tuple[str, ...] = ("exact", "heom")

#: Names a swept coordinate cannot take: the other dimensions, coordinates and variables of a result.
RESERVED_NAMES: tuple[str, ...] = (
    "approach",
    "bath",
    "node",
    "diagnostic",
    "bath_node",
    "node_kind",
    "coupling",
    "coupling_end",
    "coupling_node",
    "coupling_kind",
    "machine_mode",
    "cooling_power",
    "cop",
    "carnot_cop",
    "efficiency",
    "carnot_efficiency",
    *OUTPUTS,
    "status",
    "error",
    "deviation",
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
class Member:
    """One swept quantity of a dimension: the fields in ``targets`` all take ``values``.

    ``path`` is what the user wrote: a parameter path, a glob such as
    ``"couplings.*.strength"``, or several paths joined by ", ". ``name`` is
    the coordinate name in the result.
    """

    path: str
    name: str
    values: np.ndarray
    targets: tuple[Target, ...]

    @property
    def linked(self) -> bool:
        """Whether one value drives several fields (a glob or a list of paths)."""
        return len(self.targets) > 1 or _is_glob(self.path) or ", " in self.path

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "targets": [t.path for t in self.targets],
            "values": [float(v).hex() for v in self.values],
        }


@dataclass(frozen=True, eq=False)
class Axis:
    """One dimension of a sweep: ``name`` and the :class:`Member` (s) that vary along it.

    * plain: one member, one field (``"baths.hot.temperature" = [...]``);
    * linked: one member whose value drives several fields (a glob such as
      ``"couplings.*.strength"``, or a list of paths);
    * zipped: several members of equal length varied together, element by
      element (``{"zip": {path: values, ...}}``).

    ``values`` (the dimension coordinate) are those of the first member;
    ``path`` and ``target`` are the first member's (the only ones of a
    plain axis).
    """

    name: str
    members: tuple[Member, ...]
    zipped: bool = False

    @property
    def kind(self) -> str:
        if self.zipped:
            return "zipped"
        return "linked" if self.members[0].linked else "plain"

    @property
    def path(self) -> str:
        return self.members[0].path

    @property
    def values(self) -> np.ndarray:
        return self.members[0].values

    @property
    def target(self) -> Target:
        return self.members[0].targets[0]

    @property
    def targets(self) -> tuple[Target, ...]:
        return tuple(t for m in self.members for t in m.targets)

    def to_dict(self) -> dict[str, Any]:
        """Exact description for the sweep hash (a plain axis keeps its historical form)."""
        if self.kind == "plain":
            return {"path": self.path, "name": self.name, "values": [float(v).hex() for v in self.values]}
        return {"name": self.name, "kind": self.kind, "members": [m.to_dict() for m in self.members]}

    def describe(self) -> dict[str, Any]:
        """Human-readable description (the ``parameters`` attribute of the result)."""
        if self.kind == "plain":
            return {"path": self.path, "name": self.name}
        members = [{"name": m.name, "path": m.path, "targets": [t.path for t in m.targets]} for m in self.members]
        if self.kind == "linked":
            return {"name": self.name, "kind": "linked", **{k: members[0][k] for k in ("path", "targets")}}
        return {"name": self.name, "kind": "zipped", "members": members}


@dataclass(frozen=True, eq=False)
class SweepSpec:
    """A validated sweep. Build with :func:`make_spec` or :func:`load_sweep_file`.

    Attributes
    ----------
    network : Network
        The base network; swept parameters override its values.
    axes : tuple of Axis
        One per dimension, in dimension order (C order of the points); a
        dimension may drive several fields (linked or zipped, see
        :class:`Axis`); :attr:`targets` lists them all.
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
    reference : str or None
        "exact" or "heom": every point also gets each approach's relative deviation from this
        approach (which is then one of ``approaches``); part of the hash.
    """

    network: Network
    axes: tuple[Axis, ...]
    approaches: tuple[str, ...] = ("local",)
    bookkeeping: str = "full"
    engine: str = "auto"
    options: dict = field(default_factory=dict)
    fast_path: bool = True
    outputs: tuple[str, ...] = DEFAULT_OUTPUTS
    chunk_size: int | None = None
    source: str | None = None
    reference: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.values) for a in self.axes)

    @property
    def n_points(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def targets(self) -> tuple[Target, ...]:
        """Every field the sweep sets, one per column of :meth:`point_values` (dimension, member order)."""
        return tuple(t for a in self.axes for t in a.targets)

    def point_values(self, start: int, stop: int) -> np.ndarray:
        """(stop − start, len(targets)) values of the fields at flat points [start, stop) (C order).

        A linked member repeats its value in the column of each of its fields;
        zipped members take their own values at the same index.
        """
        idx = np.unravel_index(np.arange(start, stop, dtype=np.int64), self.shape)
        cols = [m.values[i] for a, i in zip(self.axes, idx) for m in a.members for _ in m.targets]
        return np.stack(cols, axis=1).astype(float)

    def coordinates(self) -> dict[str, tuple]:
        """xarray coordinates of the swept parameters: ``name → (dim, values, attrs)``.

        Each dimension coordinate carries ``units``, ``long_name`` and ``path``
        (as written); a linked one also ``targets`` (the fields it sets). A
        zipped dimension takes the values of its first member and lists its
        members in ``zipped``; every member is also a coordinate of its own
        along that dimension (``zipped_along``).
        """
        out: dict[str, tuple] = {}
        for a in self.axes:
            first = a.members[0]
            attrs = _member_attrs(first)
            if a.zipped:
                attrs["zipped"] = ", ".join(m.name for m in a.members)
            out[a.name] = (a.name, a.values, attrs)
            if a.zipped:
                for m in a.members:
                    out[m.name] = (a.name, m.values, {**_member_attrs(m), "zipped_along": a.name})
        return out

    def describe_parameters(self) -> list[dict[str, Any]]:
        """The swept parameters, JSON-ready (the ``parameters`` attribute of the result)."""
        return [a.describe() for a in self.axes]

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

        out = {
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
        if self.reference is not None:  # only then: the hashes of sweeps without a reference are unchanged
            out["reference"] = self.reference
        return out

    @property
    def hash(self) -> str:
        text = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()


def _member_attrs(m: Member) -> dict[str, str]:
    """Coordinate attributes of a member: units, long_name, path (as written) and, if linked, its fields."""
    attrs = {
        "units": m.targets[0].units,
        "long_name": m.targets[0].long_name if len(m.targets) == 1 else " = ".join(t.long_name for t in m.targets),
        "path": m.path,
    }
    if m.linked:
        attrs["targets"] = ", ".join(t.path for t in m.targets)
    return attrs


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
            check_name(f"{where}.name", name)
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


def check_name(where: str, name: Any) -> None:
    """A coordinate name: a non-empty string that is not a dimension or variable of the result."""
    if not isinstance(name, str) or not name.strip() or name in RESERVED_NAMES:
        raise ValidationError(where, f"must be a non-empty string other than {'/'.join(RESERVED_NAMES)}, got {name!r}")


def _is_glob(path: Any) -> bool:
    return isinstance(path, str) and any(c in path for c in "*?[")


def _key_text(key: Any) -> str:
    return f"({', '.join(map(str, key))})" if isinstance(key, tuple) else str(key)


def resolve_paths(network: Network, paths: Any, where: str) -> tuple[Target, ...]:
    """The fields named by a path, a glob (``"couplings.*.strength"``) or a list of them.

    Globs use :func:`fnmatch.fnmatchcase` over :func:`parameter_paths`. The
    fields must be distinct and share their units (one value drives them all).

    Raises
    ------
    ValidationError
        An unknown path, a glob that matches nothing, a field named twice,
        or fields of different units; the message names ``where``.
    """
    many = not isinstance(paths, str)
    if many and (not isinstance(paths, (list, tuple)) or not paths):
        raise ValidationError(where, f"must be a non-empty list of parameter paths or globs, got {paths!r}")
    items = list(paths) if many else [paths]
    available = parameter_paths(network)
    out: list[Target] = []
    for i, p in enumerate(items):
        w = f"{where}[{i}]" if many else where
        if _is_glob(p):
            matched = [q for q in available if fnmatch.fnmatchcase(q, p)]
            if not matched:
                raise ValidationError(
                    w, f"the pattern {p!r} matches no sweepable path; sweepable paths: {', '.join(available)}"
                )
            out += [resolve_path(network, q, w) for q in matched]
        else:
            out.append(resolve_path(network, p, w))
    seen: dict[tuple, str] = {}
    for t in out:
        if t.location in seen:
            raise ValidationError(where, f"names the field {t.path!r} twice (also as {seen[t.location]!r})")
        seen[t.location] = t.path
    units = sorted({t.units for t in out})
    if len(units) > 1:
        raise ValidationError(
            where,
            "linked fields take one value and must share their units; got "
            + "; ".join(f"{t.path} [{t.units}]" for t in out),
        )
    return tuple(out)


def _check_values(base: dict, targets: Sequence[Target], values: np.ndarray, where: str) -> None:
    """The model's constraints are bounds, so the extreme values of each field decide."""
    for target in targets:
        for v in {float(values.min()), float(values.max())}:
            try:
                network_with(base, [target], [v])
            except ValidationError as exc:
                reason = str(exc).split(": ", 1)[-1]
                what = target.quantity if target.quantity != "spectrum" else target.location[-1]
                field_text = "" if len(targets) == 1 else f" for {target.path}"
                raise ValidationError(where, f"value {v:g} is not allowed{field_text} ({what} {reason})") from None


def make_member(network: Network, key: Any, spec: Any, where: str, base: dict | None = None) -> Member:
    """One swept quantity: ``key`` and ``spec`` as in a ``parameters`` mapping (see the module docstring).

    * ``"nodes.A.frequency": values`` — one field; ``"couplings.*.strength": values`` — every matching field;
    * ``("couplings.A-B.strength", "couplings.B-C.strength"): values`` (Python) — the listed fields;
    * ``"epsilon": {"paths": [...], <values>}`` — the listed fields (paths or globs), named by the key.
    """
    base = network.to_dict() if base is None else base
    if isinstance(key, tuple):
        paths, rest, default = list(key), spec, ", ".join(map(str, key))
    elif isinstance(spec, Mapping) and "paths" in spec:
        if "name" in spec:
            raise ValidationError(f"{where}.name", f"with 'paths' the key ({key!r}) is the name; remove 'name'")
        check_name(where, key)
        paths, rest, default = spec["paths"], {k: v for k, v in spec.items() if k != "paths"}, key
        where_paths = f"{where}.paths"
        if isinstance(paths, str):
            paths = [paths]
        targets = resolve_paths(network, paths, where_paths)
        values, _ = axis_values(where, rest)
        _check_values(base, targets, values, where)
        return Member(path=", ".join(paths), name=key, values=values, targets=targets)
    else:
        paths, rest, default = key, spec, key
    targets = resolve_paths(network, paths, where)
    values, name = axis_values(where, rest)
    _check_values(base, targets, values, where)
    path = paths if isinstance(paths, str) else ", ".join(map(str, paths))
    return Member(path=path, name=name or default, values=values, targets=targets)


def make_axis(network: Network, path: Any, spec: Any, field_prefix: str = "parameters") -> Axis:
    """Validate one dimension against ``network``: its paths, values and their range.

    ``path`` is a parameter path, a glob, a tuple of paths (Python), or the
    dimension name of a ``{"paths": [...], ...}`` or ``{"zip": {...}}`` table.
    """
    where = f"{field_prefix}.{_key_text(path)}"
    base = network.to_dict()
    if isinstance(spec, Mapping) and "zip" in spec:
        extra = sorted(set(spec) - {"zip"})
        if extra:
            raise ValidationError(f"{where}.{extra[0]}", "a zipped dimension takes only 'zip' (a table of its members)")
        if isinstance(path, tuple):
            raise ValidationError(where, "the key of a zipped dimension is its name, not a list of paths")
        check_name(where, path)
        table = spec["zip"]
        if not isinstance(table, Mapping) or not table:
            raise ValidationError(
                f"{where}.zip", f"must be a table of parameter path → values with at least one member, got {table!r}"
            )
        members = tuple(
            make_member(network, k, v, f"{where}.zip.{_key_text(k)}", base)
            for k, v in _flatten_parameters(table).items()
        )
        if len({len(m.values) for m in members}) > 1:
            raise ValidationError(
                f"{where}.zip",
                "zipped parameters vary together and need the same number of values; got "
                + ", ".join(f"{m.path}: {len(m.values)}" for m in members),
            )
        first = members[0]
        if len(np.unique(first.values)) != len(first.values):
            raise ValidationError(
                f"{where}.zip.{first.path}",
                "the first zipped parameter gives the coordinate: its values must be distinct (put one with "
                "distinct values first)",
            )
        return Axis(name=path, members=members, zipped=True)
    member = make_member(network, path, spec, where, base)
    if len(np.unique(member.values)) != len(member.values):
        raise ValidationError(where, "values must be distinct (a coordinate cannot repeat a value)")
    return Axis(name=member.name, members=(member,))


def make_spec(
    network: Network,
    parameters: Mapping[str | tuple, Any],
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
    reference: str | None = None,
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
    seen: dict[tuple, str] = {}
    for a in axes:
        for m in a.members:
            for t in m.targets:
                if t.location in seen:
                    field_text = f"{field_prefix}.{a.name if a.zipped else ''}{'.zip.' if a.zipped else ''}{m.path}"
                    what = "" if len(m.targets) == 1 else f"sets {t.path}, "
                    raise ValidationError(field_text, f"{what}the same parameter as {seen[t.location]!r}")
                seen[t.location] = t.path if len(m.targets) > 1 else m.path
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise ValidationError(field_prefix, f"dimension names must be distinct, got {names}")
    coords = names + [m.name for a in axes if a.zipped for m in a.members]
    doubled = sorted({c for c in coords if coords.count(c) > 1})
    if doubled:
        raise ValidationError(
            field_prefix, f"coordinate names (dimensions and zipped members) must be distinct; {doubled[0]!r} repeats"
        )
    from ..api.solve import APPROACHES

    if isinstance(approaches, str):
        approaches = (approaches,)
    if isinstance(approaches, (str, bytes)) or not isinstance(approaches, Sequence) or not approaches:
        raise ValidationError("approaches", f"must be a non-empty list of {', '.join(APPROACHES)}, got {approaches!r}")
    for i, ap in enumerate(approaches):
        if ap not in APPROACHES:
            raise ValidationError(f"approaches[{i}]", f"must be one of {', '.join(APPROACHES)}, got {ap!r}")
    if len(set(approaches)) != len(approaches):
        raise ValidationError("approaches", f"must not repeat an approach, got {list(approaches)}")
    approaches = with_reference(approaches, reference)
    if bookkeeping not in ("full", "bare"):
        raise ValidationError("bookkeeping", f"must be 'full' or 'bare', got {bookkeeping!r}")
    from ..engines.base import Problem
    from ..engines.choose import choose, engine_names
    from ..errors import ModelError

    if engine != "auto" and engine not in engine_names("steady"):
        raise ValidationError("engine", f"must be one of auto, {', '.join(engine_names('steady'))}, got {engine!r}")
    options = dict(options or {})
    for k, v in options.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise ValidationError(f"options.{k}", f"must be a number or a string, got {v!r}")
    # the same chooser as solve(): unknown or ill-typed options, and approaches no engine can run on this
    # network, are refused before the sweep starts
    for i, ap in enumerate(approaches):
        try:
            choose(Problem(network, ap, bookkeeping), "steady", engine, options, prefix="options.")
        except ModelError as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"approaches[{i}]", f"{ap!r} cannot run on this network: {exc}") from None
    if not isinstance(fast_path, bool):
        raise ValidationError("fast_path", f"must be true or false, got {fast_path!r}")
    outputs = DEFAULT_OUTPUTS if outputs is None else outputs
    if isinstance(outputs, str) or not isinstance(outputs, Sequence):
        raise ValidationError("outputs", f"must be a list drawn from {', '.join(OUTPUTS)}, got {outputs!r}")
    for i, o in enumerate(outputs):
        if o not in OUTPUTS:
            raise ValidationError(f"outputs[{i}]", f"must be one of {', '.join(OUTPUTS)}, got {o!r}")
    if set(outputs) & set(FLUCTUATION_OUTPUTS):
        from ..thermo.fluctuations import BOOKKEEPING

        for i, ap in enumerate(approaches):
            if ap not in BOOKKEEPING:
                raise ValidationError(
                    f"approaches[{i}]",
                    f"{ap!r} has no counting statistics (fluctuation outputs need one of {', '.join(BOOKKEEPING)})",
                )
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
        reference=reference,
    )


def with_reference(approaches: Sequence[str], reference: Any) -> tuple[str, ...]:
    """``approaches`` with the validated ``reference`` appended when it is not among them already.

    Raises
    ------
    ValidationError
        ``reference`` is not None, "exact" or "heom".
    """
    if reference is None:
        return tuple(approaches)
    if not isinstance(reference, str) or reference not in SWEEP_REFERENCES:
        raise ValidationError("reference", f"must be one of {', '.join(SWEEP_REFERENCES)}, got {reference!r}")
    return tuple(approaches) if reference in approaches else (*approaches, reference)


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
    "reference",
)


def _flatten_parameters(table: Mapping, prefix: str = "") -> dict[str | tuple, Any]:
    """Accept both ``"baths.hot.temperature" = ...`` and unquoted dotted keys (nested tables)."""
    out: dict[str | tuple, Any] = {}
    for key, val in table.items():
        if isinstance(key, tuple):  # Python: a tuple of paths
            out[key] = val
            continue
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(val, Mapping) and not (set(val) & {*_RANGE_KINDS, "name", "paths", "zip"}):
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
        reference=data.get("reference"),
    )


def load_sweep_file(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (TOML)."""
    p = Path(path)
    return loads_sweep(read_input_file(p, "sweep file"), p.parent, str(p))
