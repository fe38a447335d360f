r"""The network model: nodes, couplings and baths.

Conventions (ħ = k_B = 1)
-------------------------
* A node is an ``oscillator`` (operators a, a†) or a ``qubit`` (σ⁻, σ⁺; the
  δ = +1 case of eq. 3 of Levy & Kosloff 2014) with Hamiltonian
  H_i = ω_i a_i†a_i (n_i = a_i†a_i; for a qubit n = σ⁺σ⁻ = |1⟩⟨1|).
* A coupling c has a ``kind`` and a strength (ε or g); its Hamiltonian H_c is

  ===========  =====================================================  ==========================
  kind         H_c                                                    nodes
  ===========  =====================================================  ==========================
  ``swap``     ε (a_i† a_j + a_i a_j†)   (default; the paper's term)   two
  ``dipole``   ε (a_i + a_i†)(a_j + a_j†) = ε X_i X_j                 two
  ``density``  ε n_i n_j   (qubits: the Ising/ZZ term up to local      two
               fields; with ``swap`` on the same pair: XXZ chains)
  ``product``  g (O_1 O_2 ⋯ O_m + h.c.),  O_k ∈ {a, adag, n, x}        two or more (one operator
               with a = a_k, adag = a_k†, n = a_k†a_k, x = a_k + a_k†  per node, ``operators``)
  ===========  =====================================================  ==========================

  A product of Hermitian factors only (n, x) is its own conjugate: H_c = 2g O.
  Example: ``nodes = ["c", "r", "h"]``, ``operators = ["a", "adag", "a"]`` is the
  three-body term g(σ_c σ_r† σ_h + σ_c† σ_r σ_h†) of the absorption refrigerator of
  Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010).
  The network Hamiltonian is H_S = Σ_i H_i + Σ_c H_c; a node may take part in
  several couplings, and a pair of nodes may carry couplings of different kinds.
* Every coupling is a sum of *monomials* M (one ladder operator a, a† or n per
  node it acts on) plus their conjugates, H_c = Σ_m c_m (M_m + M_m†)
  (:meth:`Coupling.monomials`). A monomial changes the total excitation
  q = Σ_i n_i by (number of a†) − (number of a): ``swap``, ``density`` and
  products such as ["a", "adag"] conserve q, ``dipole``, ``x`` factors and
  products such as the refrigerator's ["a", "adag", "a"] do not
  (:attr:`Network.conserves_excitation`) — the engines use the q-block
  structure only when it holds.
* A bath couples to its node through (a + a†) and is described by its
  temperature T ≥ 0 and its emission-rate spectrum (see
  :mod:`qheatnet.model.spectra`).

Builders (:meth:`Network.chain`, :meth:`~Network.ring`, :meth:`~Network.star`,
:meth:`~Network.lattice`) make uniform networks with per-node overrides; the
network file has the same in a ``[generate]`` table (:meth:`Network.from_dict`).

Objects are validated once, when built, and immutable afterwards. Every
invalid field raises :class:`~qheatnet.errors.ValidationError` naming it.
Numbers may be Python or numpy real scalars (``np.float32``, ``np.int64``,
...; not bool); names are non-empty strings without control or invisible
characters (a newline in a name would break every one-line message).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from ..errors import ModelError, ValidationError
from .spectra import Spectrum, is_real_number, spectrum_from_dict

__all__ = [
    "Node",
    "Coupling",
    "Bath",
    "Network",
    "NodeKind",
    "NODE_KINDS",
    "CouplingKind",
    "COUPLING_KINDS",
    "NODE_OPERATORS",
    "TOPOLOGIES",
    "MAX_COUPLING_RATIO",
    "MAX_NODES",
]

NodeKind = Literal["oscillator", "qubit"]
NODE_KINDS: tuple[str, ...] = ("oscillator", "qubit")
CouplingKind = Literal["swap", "dipole", "density", "product"]
#: Coupling kinds (formulas in the module docstring); ``swap`` is the default.
COUPLING_KINDS: tuple[str, ...] = ("swap", "dipole", "density", "product")
#: Operators of a ``product`` coupling: a, a†, n = a†a, x = a + a† (σ⁻, σ⁺, |1⟩⟨1|, σ_x for a qubit).
NODE_OPERATORS: tuple[str, ...] = ("a", "adag", "n", "x")
#: Topologies of the builders and of the ``[generate]`` table.
TOPOLOGIES: tuple[str, ...] = ("chain", "ring", "star", "lattice")

#: |strength| beyond MAX_COUPLING_RATIO × the largest frequency of the coupled nodes is refused: the
#: swap coupling ε(a_i† a_j + a_i a_j†) is the rotating-wave form of a physical coupling and describes one
#: only for |ε| ≪ ω, and at |ε| ~ 1e300 the solvers' products overflow. The bound is deliberately generous:
#: the strong-coupling regime |ε| ≳ 0.1 ω stays available (flagged by LOCAL_STRONG_COUPLING), only inputs
#: that are certainly typos or overflow probes are refused. The same bound applies to every coupling kind.
MAX_COUPLING_RATIO = 1e3

#: Largest number of nodes (and of baths) :meth:`Network.from_dict` reads, also from a ``[generate]``
#: table. Every engine needs at least one dense N × N matrix (the correlation matrix or the normal-mode
#: basis): 3.2 GB at N = 20 000, 80 GB at N = 10⁵; a file beyond that is refused while it is read instead
#: of exhausting memory later. Networks built in Python are not capped (the engines estimate their own
#: cost).
MAX_NODES = 20_000

#: Unicode categories refused in names: control (Cc: newline, tab, NUL, ...), format
#: (Cf: zero-width and direction marks), surrogates (Cs) and line/paragraph separators.
_FORBIDDEN_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

#: Change of the excitation number made by each ladder operator of a monomial.
_SHIFT = {"a": -1, "adag": 1, "n": 0}


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


#: A monomial: (node name, operator) factors on distinct nodes, operator one of "a", "adag", "n".
Monomial = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Coupling:
    """A coupling term between named nodes (``kind`` and formula: see the module docstring).

    ``Coupling(("A", "B"), ε)`` is the swap ε(a_A† a_B + a_A a_B†);
    ``Coupling(("A", "B"), ε, "dipole")``, ``Coupling(("A", "B"), ε, "density")`` and
    ``Coupling(("c", "r", "h"), g, "product", ("a", "adag", "a"))`` the others.
    """

    nodes: tuple[str, ...]
    strength: float
    kind: str = "swap"
    operators: tuple[str, ...] | None = None

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in COUPLING_KINDS:
            allowed = ", ".join(repr(k) for k in COUPLING_KINDS)
            raise ValidationError("kind", f"must be one of {allowed}, got {self.kind!r}")
        object.__setattr__(self, "kind", str(self.kind))
        if isinstance(self.nodes, (str, bytes)) or not isinstance(self.nodes, (tuple, list)):
            raise ValidationError("nodes", f"must be a list of node names, got {self.nodes!r}")
        if self.kind == "product":
            if len(self.nodes) < 2:
                raise ValidationError("nodes", f"a product coupling needs at least two nodes, got {list(self.nodes)!r}")
        elif len(self.nodes) != 2:
            raise ValidationError(
                "nodes", f"a {self.kind} coupling needs exactly two nodes (a pair of names), got {list(self.nodes)!r}"
            )
        names = tuple(_name("nodes", n) for n in self.nodes)
        seen: set[str] = set()
        for n in names:
            if n in seen:
                what = "cannot be coupled to itself" if len(names) == 2 else "is listed twice"
                raise ValidationError("nodes", f"node {n!r} {what} (nodes: {list(names)!r})")
            seen.add(n)
        object.__setattr__(self, "nodes", names)
        ops = self.operators
        if self.kind != "product":
            if ops is not None:
                raise ValidationError(
                    "operators", f"only product couplings take operators (this coupling has kind {self.kind!r})"
                )
        else:
            if ops is None:
                raise ValidationError(
                    "operators", "a product coupling needs one operator per node (a, adag, n or x), none given"
                )
            if isinstance(ops, (str, bytes)) or not isinstance(ops, (tuple, list)):
                raise ValidationError("operators", f"must be a list of operator names, got {ops!r}")
            if len(ops) != len(names):
                raise ValidationError(
                    "operators",
                    f"needs one operator per node: {len(names)} nodes, {len(ops)} operators ({list(ops)!r})",
                )
            for k, op in enumerate(ops):
                if not isinstance(op, str) or op not in NODE_OPERATORS:
                    raise ValidationError(f"operators[{k}]", f"must be one of {', '.join(NODE_OPERATORS)}, got {op!r}")
            object.__setattr__(self, "operators", tuple(str(o) for o in ops))
        object.__setattr__(self, "strength", _number("strength", self.strength))

    @property
    def label(self) -> str:
        """The name used to address this coupling (sweep paths, results): ``"A-B"`` for a swap,
        ``"A-B:dipole"``, ``"A-B:density"``, ``"c-r-h:a,adag,a"`` for the others."""
        base = "-".join(self.nodes)
        if self.kind == "swap":
            return base
        if self.kind == "product":
            assert self.operators is not None
            return f"{base}:{','.join(self.operators)}"
        return f"{base}:{self.kind}"

    def key(self) -> tuple:
        """What makes two couplings the same term (a network holds each at most once)."""
        if self.kind == "product":
            assert self.operators is not None
            return ("product", frozenset(zip(self.nodes, self.operators)))
        return (self.kind, frozenset(self.nodes))

    def monomials(self) -> list[tuple[float, Monomial]]:
        """H_c = Σ_m c_m (M_m + M_m†) as [(c_m, M_m)] (see the module docstring).

        swap: ε·a_i†a_j; dipole: ε·a_i a_j + ε·a_i†a_j (X_iX_j = a_ia_j + a_i†a_j + h.c.);
        density: (ε/2)·n_i n_j; product: g·(each term of the expansion x = a + a†).
        """
        i, j = self.nodes[0], self.nodes[1]
        s = self.strength
        if self.kind == "swap":
            return [(s, ((i, "adag"), (j, "a")))]
        if self.kind == "dipole":
            return [(s, ((i, "a"), (j, "a"))), (s, ((i, "adag"), (j, "a")))]
        if self.kind == "density":
            return [(0.5 * s, ((i, "n"), (j, "n")))]
        assert self.operators is not None
        out: list[tuple[float, Monomial]] = [(s, ())]
        for node, op in zip(self.nodes, self.operators):
            choices = ("a", "adag") if op == "x" else (op,)
            out = [(c, m + ((node, o),)) for c, m in out for o in choices]
        return out

    def excitation_changes(self) -> set[int]:
        """Changes of q = Σ n_i made by the monomials (and, with the opposite sign, their conjugates)."""
        return {abs(sum(_SHIFT[o] for _, o in m)) for _, m in self.monomials()}

    @property
    def conserves_excitation(self) -> bool:
        """True when H_c commutes with q = Σ_i n_i (swap, density, q-conserving products)."""
        return self.excitation_changes() == {0}

    def detuning(self, frequencies: Mapping[str, float]) -> float:
        """Smallest energy mismatch |Σ_k ±ω_k| over the monomials (0 for a resonant or diagonal term).

        For a swap it is |ω_i − ω_j|; for a dipole min(|ω_i − ω_j|, ω_i + ω_j); for the refrigerator's
        σ_c σ_r† σ_h it is |ω_r − ω_c − ω_h|.
        """
        return min(abs(sum(_SHIFT[o] * frequencies[n] for n, o in m)) for _, m in self.monomials())

    def to_dict(self) -> dict[str, Any]:
        """The ``[[couplings]]`` entry (``kind`` only when not swap, ``operators`` for products)."""
        out: dict[str, Any] = {"nodes": list(self.nodes), "strength": self.strength}
        if self.kind != "swap":
            out["kind"] = self.kind
        if self.operators is not None:
            out["operators"] = list(self.operators)
        return out


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
    """A network of nodes, couplings and baths.

    Parameters
    ----------
    nodes : sequence of Node
        At least one node; names are unique.
    couplings : sequence of Coupling
        Terms between existing, distinct nodes (kinds in the module docstring); a pair may carry
        couplings of different kinds, each term at most once.
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
    >>> chain = Network.chain(200, kind="oscillator", frequency=1.0, coupling=0.05)
    >>> len(chain.couplings)
    199
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
        keys = set()
        for i, c in enumerate(self.couplings):
            if not isinstance(c, Coupling):
                raise ValidationError(f"couplings[{i}]", f"must be a Coupling, got {type(c).__name__}")
            for n in c.nodes:
                if n not in names:
                    raise ValidationError(f"couplings[{i}].nodes", f"unknown node {n!r} (nodes: {', '.join(names)})")
            key = c.key()
            if key in keys:
                between = " and ".join(repr(n) for n in c.nodes)
                what = f"{c.kind} coupling" + (f" {c.label!r}" if c.kind == "product" else "")
                raise ValidationError(f"couplings[{i}].nodes", f"duplicate {what} between {between}")
            keys.add(key)
            w_max = max(self.nodes[names[n]].frequency for n in c.nodes)
            if abs(c.strength) > MAX_COUPLING_RATIO * w_max:
                which = "larger" if len(c.nodes) == 2 else "largest"
                term = "the swap coupling ε(a†b + ab†)" if c.kind == "swap" else f"the {c.kind} coupling"
                raise ValidationError(
                    f"couplings[{i}].strength",
                    f"|ε| = {abs(c.strength):g} exceeds {MAX_COUPLING_RATIO:g} × the {which} node frequency "
                    f"({w_max:g}); {term} models a physical coupling only for |ε| ≪ ω",
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
        """Build from the parsed network-file mapping (the TOML format of the README; :mod:`qheatnet.io.network_file`).

        Keys: ``nodes`` (list of {name, kind, frequency}), ``couplings`` (list of {nodes, strength,
        kind = "swap" | "dipole" | "density" | "product", operators (product only)}), ``baths``
        (list of {name, node, temperature, spectrum = {kind, ...}}), and optionally ``generate``
        (a chain, ring, star or 2-D lattice, see :meth:`generated`) whose nodes and couplings come
        before the listed ones. Unknown keys are refused.
        """
        if not isinstance(data, dict):
            raise ValidationError("network", f"must be a table, got {type(data).__name__}")
        allowed = {"nodes", "couplings", "baths", "title", "description", "generate"}
        for key in data:
            if key not in allowed:
                raise ValidationError(
                    key, "unknown section (allowed: nodes, couplings, baths, generate, title, description)"
                )

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

        gen_nodes: list[Node] = []
        gen_couplings: list[Coupling] = []
        if "generate" in data:
            gen_nodes, gen_couplings = _generate_from_table(data["generate"])
        nodes = gen_nodes + [
            _prefixed(f"nodes[{i}]", lambda d=d: Node(d["name"], d["kind"], d["frequency"]))
            for i, d in enumerate(items("nodes", {"name", "kind", "frequency"}, {"name", "kind", "frequency"}))
        ]
        if len(nodes) > MAX_NODES:
            raise ValidationError(
                "nodes", f"{len(nodes)} nodes; at most MAX_NODES = {MAX_NODES} (no engine can solve more)"
            )

        def coupling(d: dict) -> Coupling:
            nodes_ = tuple(d["nodes"]) if isinstance(d["nodes"], list) else d["nodes"]
            ops = d.get("operators")
            ops = tuple(ops) if isinstance(ops, list) else ops
            return Coupling(nodes_, d["strength"], d.get("kind", "swap"), ops)

        couplings = gen_couplings + [
            _prefixed(f"couplings[{i}]", lambda d=d: coupling(d))
            for i, d in enumerate(items("couplings", {"nodes", "strength", "kind", "operators"}, {"nodes", "strength"}))
        ]
        baths = [
            _prefixed(f"baths[{i}]", lambda d=d: Bath(d["name"], d["node"], d["temperature"], d["spectrum"]))
            for i, d in enumerate(
                items("baths", {"name", "node", "temperature", "spectrum"}, {"name", "node", "temperature", "spectrum"})
            )
        ]
        return cls(nodes=tuple(nodes), couplings=tuple(couplings), baths=tuple(baths))

    def to_dict(self) -> dict[str, Any]:
        """The network-file mapping; ``Network.from_dict(n.to_dict()) == n``."""
        return {
            "nodes": [{"name": n.name, "kind": n.kind, "frequency": n.frequency} for n in self.nodes],
            "couplings": [c.to_dict() for c in self.couplings],
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
            nodes=(Node("A", kind, omega_h), Node("B", kind, omega_c)),
            couplings=(Coupling(("A", "B"), epsilon),),
            baths=(Bath("hot", "A", T_h, spectrum), Bath("cold", "B", T_c, spectrum_c or spectrum)),
        )

    # -- builders --------------------------------------------------------------
    @classmethod
    def generated(
        cls,
        topology: str,
        size: int | tuple[int, int],
        *,
        kind: str,
        frequency: float | Sequence[float],
        coupling: float | Sequence[float],
        coupling_kind: str = "swap",
        baths: Sequence[Any] = (),
        prefix: str = "n",
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        periodic: bool = False,
    ) -> Network:
        """A chain, ring, star or 2-D lattice of identical nodes (the builders call this).

        Parameters
        ----------
        topology : "chain" | "ring" | "star" | "lattice"
            chain: nodes 0–1–…–(n−1); ring: the chain closed (n ≥ 3); star: node 0 coupled to
            each of 1 … n−1; lattice: ``size = (rows, columns)``, nodes ``{prefix}{r}_{c}``
            coupled to their right and lower neighbours (``periodic``: a torus; needs
            rows, columns ≥ 3 along a wrapped direction).
        size : int, or (rows, columns) for a lattice
        kind : "oscillator" | "qubit"
        frequency : ω of every node, or one value per node (in node order)
        coupling : strength of every coupling, or one value per coupling (in coupling order)
        coupling_kind : "swap" (default), "dipole" or "density" (two-node kinds)
        baths : Bath objects, or (name, node, temperature, spectrum) tuples / mappings, where
            ``node`` is a node name or an index into the node list (−1: the last node)
        prefix : node names are ``{prefix}{i}`` (lattice ``{prefix}{r}_{c}``)
        overrides : node name → {"frequency": ω, "kind": ...} for individual nodes
        periodic : lattice only (a ring is a periodic chain)

        Raises
        ------
        ValidationError
            Naming the argument (``n``, ``frequency``, ``coupling``, ``overrides.<node>.<field>``, …).
        """
        nodes, couplings = _generate(
            topology, size, kind, frequency, coupling, coupling_kind, prefix, overrides, periodic, where=""
        )
        net = cls(nodes=tuple(nodes), couplings=tuple(couplings))
        return net.with_baths(*baths) if baths else net

    @classmethod
    def chain(cls, n: int, *, kind: str, frequency, coupling, **options) -> Network:
        """A chain of ``n`` nodes ``n0 – n1 – … – n{n−1}`` (see :meth:`generated` for the options).

        >>> from qheatnet import Network, Flat
        >>> net = Network.chain(4, kind="qubit", frequency=1.0, coupling=0.05,
        ...                     baths=[("hot", 0, 2.0, Flat(0.01)), ("cold", -1, 1.0, Flat(0.01))])
        >>> [b.node for b in net.baths]
        ['n0', 'n3']
        """
        return cls.generated("chain", n, kind=kind, frequency=frequency, coupling=coupling, **options)

    @classmethod
    def ring(cls, n: int, *, kind: str, frequency, coupling, **options) -> Network:
        """A ring of ``n ≥ 3`` nodes (a chain whose last node is coupled to the first)."""
        return cls.generated("ring", n, kind=kind, frequency=frequency, coupling=coupling, **options)

    @classmethod
    def star(cls, n: int, *, kind: str, frequency, coupling, **options) -> Network:
        """A star: the centre ``n0`` coupled to each of the leaves ``n1 … n{n−1}``."""
        return cls.generated("star", n, kind=kind, frequency=frequency, coupling=coupling, **options)

    @classmethod
    def lattice(cls, rows: int, columns: int, *, kind: str, frequency, coupling, **options) -> Network:
        """A 2-D square lattice of ``rows × columns`` nodes ``n{r}_{c}`` with nearest-neighbour couplings."""
        return cls.generated("lattice", (rows, columns), kind=kind, frequency=frequency, coupling=coupling, **options)

    def with_baths(self, *baths: Any) -> Network:
        """A copy with ``baths`` added: Bath objects or (name, node, temperature, spectrum) tuples/mappings
        (``node`` a name or an index, −1 the last node)."""
        new = list(self.baths)
        for i, b in enumerate(baths):
            k = len(self.baths) + i
            if isinstance(b, Bath):
                new.append(b)
                continue
            if isinstance(b, Mapping):
                fields = dict(b)
            elif isinstance(b, (tuple, list)) and len(b) == 4:
                fields = dict(zip(("name", "node", "temperature", "spectrum"), b))
            else:
                raise ValidationError(
                    f"baths[{k}]", f"must be a Bath or (name, node, temperature, spectrum), got {b!r}"
                )
            node = fields.get("node")
            if is_real_number(node) and float(node) == int(node):  # type: ignore[arg-type]
                idx = int(node)  # type: ignore[arg-type]
                if not -len(self.nodes) <= idx < len(self.nodes):
                    raise ValidationError(
                        f"baths[{k}].node",
                        f"node index {idx} is out of range (the network has {len(self.nodes)} nodes)",
                    )
                fields["node"] = self.nodes[idx].name
            missing = [f for f in ("name", "node", "temperature", "spectrum") if f not in fields]
            if missing:
                raise ValidationError(f"baths[{k}].{missing[0]}", "required field is missing")
            new.append(
                _prefixed(
                    f"baths[{k}]",
                    lambda f=fields: Bath(f["name"], f["node"], f["temperature"], f["spectrum"]),
                )
            )
        return self.replace(baths=tuple(new))

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

    @property
    def swap_only(self) -> bool:
        """True when every coupling is a swap (the model of the paper; number-conserving and quadratic)."""
        return all(c.kind == "swap" for c in self.couplings)

    @property
    def conserves_excitation(self) -> bool:
        """True when H_S commutes with q = Σ_i n_i (every coupling conserves it; see the module docstring)."""
        return all(c.conserves_excitation for c in self.couplings)

    def coupling_labels(self) -> list[str]:
        """:attr:`Coupling.label` of every coupling, in order."""
        return [c.label for c in self.couplings]

    def single_particle_matrix(self) -> np.ndarray:
        """h with H_S = Σ_ij h_ij a_i† a_j: ω_i on the diagonal, ε off it (swap couplings only).

        Raises
        ------
        ModelError
            When a coupling is not a swap (no such h exists; quadratic oscillator networks have the
            (x, p) form of :func:`qheatnet.physics.quadratic_xp.quadratic_form`).
        """
        bad = next((c for c in self.couplings if c.kind != "swap"), None)
        if bad is not None:
            raise ModelError(
                f"the single-particle matrix h (H_S = Σ h_ij a_i†a_j) describes swap couplings only, but coupling "
                f"{bad.label!r} is {bad.kind}"
            )
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
                first = find(self.node_index(c.nodes[0]))
                for n in c.nodes[1:]:
                    parent[find(self.node_index(n))] = first
                    first = find(first)
        groups: dict[int, list[int]] = {}
        for i in range(len(self.nodes)):
            groups.setdefault(find(i), []).append(i)
        return list(groups.values())

    def replace(self, **changes) -> Network:
        """A copy with some of ``nodes``, ``couplings``, ``baths`` replaced."""
        return replace(self, **changes)


# ----------------------------------------------------------------------------
# builders (shared by the classmethods and the [generate] table)
# ----------------------------------------------------------------------------


def _per_item(field: str, value: Any, count: int, what: str, *, positive: bool = False) -> list[float]:
    """A number for every item, or a sequence of exactly ``count`` numbers (> 0 if ``positive``)."""
    minimum = 0.0 if positive else None
    if isinstance(value, (str, bytes)) or isinstance(value, Mapping):
        raise ValidationError(field, f"must be a number or a list of {count} numbers (one per {what}), got {value!r}")
    if isinstance(value, (Sequence, np.ndarray)):
        vals = list(value)
        if len(vals) != count:
            raise ValidationError(field, f"must have one value per {what}: {count} expected, got {len(vals)}")
        return [_number(f"{field}[{k}]", v, minimum=minimum, strict=positive) for k, v in enumerate(vals)]
    return [_number(field, value, minimum=minimum, strict=positive)] * count


def _generate(topology, size, kind, frequency, coupling, coupling_kind, prefix, overrides, periodic, *, where):
    """(nodes, couplings) of a generated network; ``where`` prefixes field names (``generate.`` in files)."""
    if not isinstance(topology, str) or topology not in TOPOLOGIES:
        raise ValidationError(f"{where}kind", f"must be one of {', '.join(TOPOLOGIES)}, got {topology!r}")
    if not isinstance(coupling_kind, str) or coupling_kind not in COUPLING_KINDS[:3]:
        raise ValidationError(
            f"{where}coupling_kind",
            f"must be one of swap, dipole, density (the builders make two-node couplings; add product couplings "
            f"to the network explicitly), got {coupling_kind!r}",
        )
    if not isinstance(prefix, str):
        raise ValidationError(f"{where}prefix", f"must be a string, got {prefix!r}")
    if not isinstance(periodic, (bool, np.bool_)):
        raise ValidationError(f"{where}periodic", f"must be true or false, got {periodic!r}")

    def count(field: str, value: Any, minimum: int) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise ValidationError(f"{where}{field}", f"must be an integer ≥ {minimum}, got {value!r}")
        if value > MAX_NODES and where:
            raise ValidationError(f"{where}{field}", f"{value} nodes; at most MAX_NODES = {MAX_NODES}")
        return int(value)

    if topology == "lattice":
        if isinstance(size, (tuple, list)) and len(size) == 2:
            rows, cols = count("rows", size[0], 1), count("columns", size[1], 1)
        else:
            raise ValidationError(f"{where}size", f"a lattice needs (rows, columns), got {size!r}")
        if rows * cols > MAX_NODES and where:
            raise ValidationError(f"{where}rows", f"{rows * cols} nodes; at most MAX_NODES = {MAX_NODES}")
        names = [f"{prefix}{r}_{c}" for r in range(rows) for c in range(cols)]
        edges = []
        for r in range(rows):
            for c in range(cols):
                if c + 1 < cols or (periodic and cols >= 3):
                    edges.append((r * cols + c, r * cols + (c + 1) % cols))
                if r + 1 < rows or (periodic and rows >= 3):
                    edges.append((r * cols + c, ((r + 1) % rows) * cols + c))
    else:
        n = count("n", size, {"chain": 1, "ring": 3, "star": 2}[topology])
        names = [f"{prefix}{i}" for i in range(n)]
        if topology == "star":
            edges = [(0, i) for i in range(1, n)]
        else:
            edges = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if topology == "ring" else [])
    kind_field = f"{where}node_kind" if where else "kind"
    if not isinstance(kind, str) or kind not in NODE_KINDS:
        raise ValidationError(kind_field, f"must be one of 'oscillator', 'qubit', got {kind!r}")
    freqs: list[Any] = _per_item(f"{where}frequency", frequency, len(names), "node", positive=True)
    kinds: list[Any] = [kind] * len(names)
    index = {nm: i for i, nm in enumerate(names)}
    fields_of: dict[int, str] = {}
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise ValidationError(f"{where}overrides", f"must be a table of node name → fields, got {overrides!r}")
        for nm, fields in overrides.items():
            at = f"{where}overrides.{nm}"
            if nm not in index:
                shown = ", ".join(names[:3]) + (", …" if len(names) > 3 else "")
                raise ValidationError(at, f"no generated node of that name (the nodes are {shown})")
            if not isinstance(fields, Mapping):
                raise ValidationError(at, f"must be a table such as {{ frequency = 1.2 }}, got {fields!r}")
            for key, val in fields.items():
                if key == "frequency":
                    freqs[index[nm]] = val
                elif key == "kind":
                    kinds[index[nm]] = val
                else:
                    raise ValidationError(f"{at}.{key}", "unknown field (allowed: frequency, kind)")
            fields_of[index[nm]] = at
    strengths = _per_item(f"{where}coupling", coupling, len(edges), "coupling")
    nodes = [
        _prefixed(fields_of[i], lambda i=i, nm=nm: Node(nm, kinds[i], freqs[i]))
        if i in fields_of
        else Node(nm, kinds[i], freqs[i])
        for i, nm in enumerate(names)
    ]
    couplings = [Coupling((names[a], names[b]), s, coupling_kind) for (a, b), s in zip(edges, strengths)]
    return nodes, couplings


#: Keys of the ``[generate]`` table.
_GENERATE_KEYS = (
    "kind",
    "n",
    "rows",
    "columns",
    "periodic",
    "node_kind",
    "frequency",
    "coupling",
    "coupling_kind",
    "prefix",
    "overrides",
)


def _generate_from_table(table: Any) -> tuple[list[Node], list[Coupling]]:
    """The nodes and couplings of a ``[generate]`` table (see :mod:`qheatnet.io.network_file`)."""
    if not isinstance(table, dict):
        raise ValidationError("generate", f"must be a table ([generate]), got {table!r}")
    for k in table:
        if k not in _GENERATE_KEYS:
            raise ValidationError(f"generate.{k}", f"unknown field (allowed: {', '.join(_GENERATE_KEYS)})")
    for k in ("kind", "node_kind", "frequency", "coupling"):
        if k not in table:
            raise ValidationError(f"generate.{k}", "required field is missing")
    topology = table["kind"]
    if topology == "lattice":
        for k in ("rows", "columns"):
            if k not in table:
                raise ValidationError(f"generate.{k}", "required field is missing (a lattice has rows and columns)")
        if "n" in table:
            raise ValidationError("generate.n", "a lattice is sized by rows and columns, not n")
        size: Any = (table["rows"], table["columns"])
    else:
        if "n" not in table:
            raise ValidationError("generate.n", "required field is missing")
        for k in ("rows", "columns", "periodic"):
            if k in table:
                raise ValidationError(f"generate.{k}", f"applies to kind = 'lattice' only (this is {topology!r})")
        size = table["n"]
    return _generate(
        topology,
        size,
        table["node_kind"],
        table["frequency"],
        table["coupling"],
        table.get("coupling_kind", "swap"),
        table.get("prefix", "n"),
        table.get("overrides"),
        table.get("periodic", False),
        where="generate.",
    )
