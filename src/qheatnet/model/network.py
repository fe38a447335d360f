"""The network model: nodes, swap couplings and baths.

Conventions (ħ = k_B = 1)
-------------------------
* A node is an ``oscillator`` (operators a, a†) or a ``qubit`` (σ⁻, σ⁺; the
  δ = +1 case of eq. 3 of Levy & Kosloff 2014) with Hamiltonian ω a†a.
* A coupling between nodes i and j is the swap ε (a_i† a_j + a_i a_j†).
* A bath couples to its node through (a + a†) and is described by its
  temperature T ≥ 0 and its emission-rate spectrum (see
  :mod:`qheatnet.model.spectra`).

Objects are validated once, when built, and immutable afterwards. Every
invalid field raises :class:`~qheatnet.errors.ValidationError` naming it.
Numbers may be Python or numpy real scalars (``np.float32``, ``np.int64``,
...; not bool); names are non-empty strings without control or invisible
characters (a newline in a name would break every one-line message).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from ..errors import ValidationError
from .spectra import Spectrum, is_real_number, spectrum_from_dict

__all__ = ["Node", "Coupling", "Bath", "Network", "NodeKind", "NODE_KINDS", "MAX_COUPLING_RATIO", "MAX_NODES"]

NodeKind = Literal["oscillator", "qubit"]
NODE_KINDS: tuple[str, ...] = ("oscillator", "qubit")

#: A swap coupling ε(a_i† a_j + a_i a_j†) is the rotating-wave form of a physical
#: coupling and describes one only for |ε| ≪ ω; beyond |ε| = MAX_COUPLING_RATIO ×
#: max(ω_i, ω_j) the model has no physical reading at all (and at |ε| ~ 1e300 the
#: solvers' products overflow). The bound is deliberately generous: the strong-coupling
#: regime |ε| ≳ 0.1 ω stays available (flagged by LOCAL_STRONG_COUPLING), only inputs
#: that are certainly typos or overflow probes are refused.
MAX_COUPLING_RATIO = 1e3

#: Largest number of nodes (and of baths) :meth:`Network.from_dict` reads. Every engine
#: needs at least one dense N × N matrix (the correlation matrix or the normal-mode
#: basis): 3.2 GB at N = 20 000, 80 GB at N = 10⁵; a file beyond that is refused while
#: it is read instead of exhausting memory later. Networks built in Python are not capped
#: (the engines estimate their own cost).
MAX_NODES = 20_000

#: Unicode categories refused in names: control (Cc: newline, tab, NUL, ...), format
#: (Cf: zero-width and direction marks), surrogates (Cs) and line/paragraph separators.
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _number(field: str, value: Any, *, minimum: float | None = None, strict: bool = False) -> float:
    if not is_real_number(value):
        raise ValidationError(field, f"must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise ValidationError(field, f"must be finite, got {value!r}")
    if minimum is not None and (v < minimum or (strict and v == minimum)):
        rel = ">" if strict else "≥"
        raise ValidationError(field, f"must be {rel} {minimum:g}, got {value!r}")
    return v


def _name(field: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, f"must be a non-empty string, got {value!r}")
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in _FORBIDDEN_NAME_CATEGORIES:
            raise ValidationError(
                field, f"must not contain control or invisible characters, got {value!r} (U+{ord(ch):04X} at {i})"
            )
    return str(value)


@dataclass(frozen=True)
class Node:
    """A quantum node: ``kind`` is "oscillator" or "qubit", ``frequency`` ω > 0."""

    name: str
    kind: NodeKind
    frequency: float

    def __post_init__(self):
        object.__setattr__(self, "name", _name("name", self.name))
        if not isinstance(self.kind, str) or self.kind not in NODE_KINDS:
            raise ValidationError("kind", f"must be one of 'oscillator', 'qubit', got {self.kind!r}")
        object.__setattr__(self, "kind", str(self.kind))
        object.__setattr__(self, "frequency", _number("frequency", self.frequency, minimum=0.0, strict=True))


@dataclass(frozen=True)
class Coupling:
    """Swap coupling ``strength`` · (a_i† a_j + a_i a_j†) between two named nodes."""

    nodes: tuple[str, str]
    strength: float

    def __post_init__(self):
        if not isinstance(self.nodes, (tuple, list)) or len(self.nodes) != 2:
            raise ValidationError("nodes", f"must be a pair of node names, got {self.nodes!r}")
        a, b = (_name("nodes", n) for n in self.nodes)
        if a == b:
            raise ValidationError("nodes", f"a node cannot be coupled to itself ({a!r})")
        object.__setattr__(self, "nodes", (a, b))
        object.__setattr__(self, "strength", _number("strength", self.strength))

    @property
    def label(self) -> str:
        """``"A-B"``: the name used to address this coupling in sweeps."""
        return f"{self.nodes[0]}-{self.nodes[1]}"


@dataclass(frozen=True)
class Bath:
    """A heat bath at ``temperature`` T ≥ 0 attached to ``node`` with a ``spectrum``."""

    name: str
    node: str
    temperature: float
    spectrum: Spectrum

    def __post_init__(self):
        object.__setattr__(self, "name", _name("name", self.name))
        object.__setattr__(self, "node", _name("node", self.node))
        object.__setattr__(self, "temperature", _number("temperature", self.temperature, minimum=0.0))
        object.__setattr__(self, "spectrum", spectrum_from_dict(self.spectrum, "spectrum"))


def _prefixed(prefix: str, build):
    """Run ``build()`` and re-raise a ValidationError with ``prefix.`` on its field."""
    try:
        return build()
    except ValidationError as exc:
        msg = str(exc).split(": ", 1)[1]
        raise ValidationError(f"{prefix}.{exc.field}", msg) from None


@dataclass(frozen=True)
class Network:
    """A network of nodes, swap couplings and baths.

    Parameters
    ----------
    nodes : sequence of Node
        At least one node; names are unique.
    couplings : sequence of Coupling
        Pairs of existing, distinct nodes; at most one coupling per pair.
    baths : sequence of Bath
        Each attached to an existing node; names are unique. Several baths
        may share a node.

    Examples
    --------
    >>> from qheatnet import Network, Node, Coupling, Bath, Flat
    >>> net = Network(
    ...     nodes=[Node("A", "oscillator", 1.0), Node("B", "oscillator", 0.8)],
    ...     couplings=[Coupling(("A", "B"), 0.01)],
    ...     baths=[Bath("hot", "A", 2.0, Flat(0.01)), Bath("cold", "B", 1.0, Flat(0.01))],
    ... )
    >>> net.node_index("B")
    1
    """

    nodes: tuple[Node, ...]
    couplings: tuple[Coupling, ...] = ()
    baths: tuple[Bath, ...] = ()

    def __post_init__(self):
        for attr in ("nodes", "couplings", "baths"):
            val = getattr(self, attr)
            if isinstance(val, (str, bytes)) or not hasattr(val, "__iter__"):
                raise ValidationError(attr, f"must be a list, got {val!r}")
            object.__setattr__(self, attr, tuple(val))
        if not self.nodes:
            raise ValidationError("nodes", "a network needs at least one node")
        names: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            if not isinstance(node, Node):
                raise ValidationError(f"nodes[{i}]", f"must be a Node, got {type(node).__name__}")
            if node.name in names:
                raise ValidationError(f"nodes[{i}].name", f"duplicate node name {node.name!r}")
            names[node.name] = i
        pairs = set()
        for i, c in enumerate(self.couplings):
            if not isinstance(c, Coupling):
                raise ValidationError(f"couplings[{i}]", f"must be a Coupling, got {type(c).__name__}")
            for n in c.nodes:
                if n not in names:
                    raise ValidationError(f"couplings[{i}].nodes", f"unknown node {n!r} (nodes: {', '.join(names)})")
            key = frozenset(c.nodes)
            if key in pairs:
                raise ValidationError(
                    f"couplings[{i}].nodes", f"duplicate coupling between {c.nodes[0]!r} and {c.nodes[1]!r}"
                )
            pairs.add(key)
            w_max = max(self.nodes[names[c.nodes[0]]].frequency, self.nodes[names[c.nodes[1]]].frequency)
            if abs(c.strength) > MAX_COUPLING_RATIO * w_max:
                raise ValidationError(
                    f"couplings[{i}].strength",
                    f"|ε| = {abs(c.strength):g} exceeds {MAX_COUPLING_RATIO:g} × the larger node frequency "
                    f"({w_max:g}); the swap coupling ε(a†b + ab†) models a physical coupling only for |ε| ≪ ω",
                )
        bnames = set()
        for i, b in enumerate(self.baths):
            if not isinstance(b, Bath):
                raise ValidationError(f"baths[{i}]", f"must be a Bath, got {type(b).__name__}")
            if b.name in bnames:
                raise ValidationError(f"baths[{i}].name", f"duplicate bath name {b.name!r}")
            bnames.add(b.name)
            if b.node not in names:
                raise ValidationError(f"baths[{i}].node", f"unknown node {b.node!r} (nodes: {', '.join(names)})")
            w = self.nodes[names[b.node]].frequency
            rate = float(b.spectrum.emission(w, b.temperature))
            if not math.isfinite(rate):
                raise ValidationError(
                    f"baths[{i}].spectrum",
                    f"the emission rate at the node frequency {w:g} and temperature {b.temperature:g} "
                    f"overflows ({rate}); rescale the energy unit",
                )
        object.__setattr__(self, "_index", names)

    # -- construction --------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> Network:
        """Build from the parsed network-file mapping (the TOML format of the README, section "Using it").

        Keys: ``nodes`` (list of {name, kind, frequency}), ``couplings``
        (list of {nodes = [a, b], strength}), ``baths`` (list of {name, node,
        temperature, spectrum = {kind, ...}}). Unknown keys are refused.
        """
        if not isinstance(data, dict):
            raise ValidationError("network", f"must be a table, got {type(data).__name__}")
        allowed = {"nodes", "couplings", "baths", "title", "description"}
        for key in data:
            if key not in allowed:
                raise ValidationError(key, "unknown section (allowed: nodes, couplings, baths, title, description)")

        def items(section: str, keys: set[str], required: set[str]) -> list[dict]:
            raw = data.get(section, [])
            if not isinstance(raw, list):
                raise ValidationError(section, f"must be an array of tables ([[{section}]]), got {raw!r}")
            if section in ("nodes", "baths") and len(raw) > MAX_NODES:
                raise ValidationError(
                    section, f"{len(raw)} entries; at most MAX_NODES = {MAX_NODES} (no engine can solve more)"
                )
            out = []
            for i, item in enumerate(raw):
                where = f"{section}[{i}]"
                if not isinstance(item, dict):
                    raise ValidationError(where, f"must be a table, got {item!r}")
                for k in item:
                    if k not in keys:
                        raise ValidationError(f"{where}.{k}", f"unknown field (allowed: {', '.join(sorted(keys))})")
                for k in sorted(required):
                    if k not in item:
                        raise ValidationError(f"{where}.{k}", "required field is missing")
                out.append(item)
            return out

        nodes = [
            _prefixed(f"nodes[{i}]", lambda d=d: Node(d["name"], d["kind"], d["frequency"]))
            for i, d in enumerate(items("nodes", {"name", "kind", "frequency"}, {"name", "kind", "frequency"}))
        ]
        couplings = [
            _prefixed(
                f"couplings[{i}]",
                lambda d=d: Coupling(tuple(d["nodes"]) if isinstance(d["nodes"], list) else d["nodes"], d["strength"]),
            )
            for i, d in enumerate(items("couplings", {"nodes", "strength"}, {"nodes", "strength"}))
        ]
        baths = [
            _prefixed(f"baths[{i}]", lambda d=d: Bath(d["name"], d["node"], d["temperature"], d["spectrum"]))
            for i, d in enumerate(
                items("baths", {"name", "node", "temperature", "spectrum"}, {"name", "node", "temperature", "spectrum"})
            )
        ]
        return cls(nodes=nodes, couplings=couplings, baths=baths)

    def to_dict(self) -> dict[str, Any]:
        """The network-file mapping; ``Network.from_dict(n.to_dict()) == n``."""
        return {
            "nodes": [{"name": n.name, "kind": n.kind, "frequency": n.frequency} for n in self.nodes],
            "couplings": [{"nodes": list(c.nodes), "strength": c.strength} for c in self.couplings],
            "baths": [
                {"name": b.name, "node": b.node, "temperature": b.temperature, "spectrum": b.spectrum.to_dict()}
                for b in self.baths
            ],
        }

    @classmethod
    def two_node(
        cls,
        kind: NodeKind,
        omega_h: float,
        omega_c: float,
        epsilon: float,
        T_h: float,
        T_c: float,
        spectrum: Spectrum,
        spectrum_c: Spectrum | None = None,
    ) -> Network:
        """The model of Levy & Kosloff (2014): A–hot bath, B–cold bath, swap ε."""
        return cls(
            nodes=[Node("A", kind, omega_h), Node("B", kind, omega_c)],
            couplings=[Coupling(("A", "B"), epsilon)],
            baths=[Bath("hot", "A", T_h, spectrum), Bath("cold", "B", T_c, spectrum_c or spectrum)],
        )

    # -- queries ---------------------------------------------------------------
    def node_index(self, name: str) -> int:
        """Position of the node called ``name``."""
        try:
            return self._index[name]  # type: ignore[attr-defined]
        except KeyError:
            raise ValidationError("node", f"unknown node {name!r}") from None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(n.kind for n in self.nodes)

    @property
    def frequencies(self) -> np.ndarray:
        return np.array([n.frequency for n in self.nodes])

    def single_particle_matrix(self) -> np.ndarray:
        """h with H_S = Σ_ij h_ij a_i† a_j: ω_i on the diagonal, ε off it."""
        h = np.diag(self.frequencies).astype(float)
        for c in self.couplings:
            i, j = self.node_index(c.nodes[0]), self.node_index(c.nodes[1])
            h[i, j] += c.strength
            h[j, i] += c.strength
        return h

    def components(self) -> list[list[int]]:
        """Connected components of the coupling graph (lists of node indices)."""
        parent = list(range(len(self.nodes)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for c in self.couplings:
            if c.strength != 0:
                parent[find(self.node_index(c.nodes[0]))] = find(self.node_index(c.nodes[1]))
        groups: dict[int, list[int]] = {}
        for i in range(len(self.nodes)):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())

    def replace(self, **changes) -> Network:
        """A copy with some of ``nodes``, ``couplings``, ``baths`` replaced."""
        return replace(self, **changes)
