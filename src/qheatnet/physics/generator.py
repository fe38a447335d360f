"""The generator objects that the builders produce, one per representation.

A builder (:mod:`.local`, :mod:`.davies`) turns a :class:`~qheatnet.model.network.Network`
into the generator of a master equation in one of four representations; the
engines (:mod:`qheatnet.engines`) solve it for steady states and transients,
and :mod:`qheatnet.thermo.currents` evaluates the heat currents from it.

``FockGenerator`` (alias ``MasterEquation``)
    Operators on a (truncated) Fock space: the network Hamiltonian and, per
    bath, a dissipator 𝓛_α = Σ_k r_k D[J_k] with D[J]ρ = JρJ† − ½{J†J, ρ}.
    Every dissipator keeps its bath's name, so J_α = Tr[(𝓛_α ρ) H] (eq. 5 of
    Levy & Kosloff 2014) can be evaluated per bath. Operators are sparse
    matrices in ``basis``: "local" (product Fock basis of
    :class:`~qheatnet.physics.hilbert.FockSpace`) or "eigen" (eigenbasis of
    H_S, sector by sector; ``eigvecs`` maps it back).
``QuadraticGenerator``
    Oscillator networks: number-conserving loss and gain on the correlation
    matrix C_ij = ⟨a_i† a_j⟩, per bath (site basis for local, normal modes
    for Davies).
``FreeFermionGenerator``
    XX qubit chains with end baths (local): the two-point function of the
    Jordan–Wigner fermions.
``PauliRates``
    Davies generator of a qubit network whose populations decouple from its
    coherences: the rate blocks between adjacent excitation sectors.

:class:`ValidityInfo` carries what the validity diagnostics need from the
generator (rates and Bohr-frequency gaps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..model.network import Network
from .hilbert import FockSpace

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = [
    "LindbladTerm",
    "Dissipator",
    "FockGenerator",
    "MasterEquation",
    "QuadraticGenerator",
    "FreeFermionGenerator",
    "PauliRates",
    "ValidityInfo",
    "Approach",
    "MASTER_EQUATIONS",
]

Approach = Literal["local", "global"]
#: The master equations that have builders.
MASTER_EQUATIONS: tuple[str, ...] = ("local", "global")


@dataclass(frozen=True)
class ValidityInfo:
    """Facts about a generator that the validity diagnostics need.

    ``node_rates``: total local relaxation rate γ(ω_i)(1 + e^{−ω_i/T}) per node (local approach);
    ``min_bohr_gap``: smallest distance between distinct Bohr frequencies of one bath coupling
    (global); ``max_rate``: the largest dissipation rate of the generator.
    """

    node_rates: np.ndarray | None = None
    min_bohr_gap: float = float("inf")
    max_rate: float = 0.0
    #: (margin, gap, rate) of the worst resolved pair of Bohr frequencies of one bath coupling
    #: (:func:`qheatnet.physics.rates.secular_margin`); None if the builder does not compute it
    secular: tuple[float, float, float] | None = None


@dataclass(frozen=True, eq=False)
class LindbladTerm:
    """``rate · D[op]``; ``omega`` is the energy the network loses per jump."""

    rate: float
    op: sp.csr_matrix
    omega: float


class Dissipator:
    """The dissipator 𝓛_α of one bath: a sum of Lindblad terms.

    Built from a tuple of :class:`LindbladTerm` or, by the vectorised builders, from one
    :class:`~qheatnet.solvers.liouvillian.Jumps` (all operators of the bath as one COO list, with
    their rates and Bohr frequencies); each form is derived from the other when first asked for.
    """

    __slots__ = ("bath", "_terms", "_jumps", "_dim")

    def __init__(self, bath: str, terms: tuple[LindbladTerm, ...] | None = None, *, jumps: Any = None, dim=None):
        if terms is None and jumps is None:
            raise ValueError("a dissipator needs its terms or its jumps")
        self.bath = bath
        self._terms = None if terms is None else tuple(terms)
        self._jumps = jumps
        self._dim = dim

    @property
    def terms(self) -> tuple[LindbladTerm, ...]:
        if self._terms is None:
            j = self._jumps
            self._terms = tuple(LindbladTerm(float(j.rate[t]), j.op(t), float(j.omega[t])) for t in range(j.n_terms))
        return self._terms

    def jumps(self, dim: int):
        """All terms as one :class:`~qheatnet.solvers.liouvillian.Jumps` (operators of size ``dim``)."""
        if self._jumps is None:
            from ..solvers.liouvillian import Jumps

            ts = self.terms
            self._jumps = Jumps.from_terms(
                [(t.rate, t.op) for t in ts], dim, omega=np.array([t.omega for t in ts], dtype=float)
            )
        return self._jumps

    def __repr__(self) -> str:
        n = len(self._terms) if self._terms is not None else self._jumps.n_terms
        return f"Dissipator(bath={self.bath!r}, {n} terms)"


@dataclass(frozen=True, eq=False)
class FockGenerator:
    """dρ/dt = −i[H, ρ] + Σ_α 𝓛_α ρ, with operators in ``basis``.

    Attributes
    ----------
    approach : "local" or "global"
    network : Network
    space : FockSpace
    hamiltonian : sparse matrix, the full network Hamiltonian H_S
    bare_hamiltonian : sparse matrix, H_0 = Σ ω_i n_i (for "bare" bookkeeping)
    dissipators : tuple of Dissipator, one per bath, in network order
    basis : "local" or "eigen"
    eigvecs : list of dense blocks (one per q-sector) or None. For the eigen
        basis, local = V · eigen · V† sector by sector.
    validity : ValidityInfo
    """

    approach: str
    network: Network
    space: FockSpace
    hamiltonian: sp.csr_matrix
    bare_hamiltonian: sp.csr_matrix
    dissipators: tuple[Dissipator, ...]
    basis: str = "local"
    eigvecs: list[np.ndarray] | None = None
    validity: ValidityInfo = field(default_factory=ValidityInfo)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def to_local(self, rho: np.ndarray) -> np.ndarray:
        """Transform a (q-block) operator from ``basis`` to the local product basis."""
        if self.basis == "local" or self.eigvecs is None:
            return rho
        out = np.zeros_like(rho, dtype=complex)
        secs = self.space.sectors()
        for a, ia in enumerate(secs):
            for b, ib in enumerate(secs):
                sa, sb = slice(ia[0], ia[-1] + 1), slice(ib[0], ib[-1] + 1)
                blk = rho[sa, sb]
                if a == b or np.any(blk):  # q-off-diagonal blocks only exist if the full space was solved
                    out[sa, sb] = self.eigvecs[a] @ blk @ self.eigvecs[b].conj().T
        return out

    def to_basis(self, op_local: Any) -> sp.csr_matrix:
        """A q-conserving operator from the product basis into ``basis``."""
        import scipy.sparse as sp

        if self.basis == "local" or self.eigvecs is None:
            return sp.csr_matrix(op_local)
        op_local = sp.csr_matrix(op_local)
        blocks = []
        for idx, v in zip(self.space.sectors(), self.eigvecs):
            sl = slice(idx[0], idx[-1] + 1)
            blocks.append(v.conj().T @ op_local[sl, sl].toarray() @ v)
        return sp.csr_matrix(sp.block_diag(blocks))

    def all_terms(self):
        for d in self.dissipators:
            yield from d.terms

    def jumps(self):
        """Every jump operator of every bath as one :class:`~qheatnet.solvers.liouvillian.Jumps` (group = bath)."""
        if "jumps" not in self._cache:
            from ..solvers.liouvillian import Jumps

            self._cache["jumps"] = Jumps.concatenate([d.jumps(self.space.dim) for d in self.dissipators])
        return self._cache["jumps"]

    def block_liouvillian(self):
        """The assembled :class:`~qheatnet.solvers.liouvillian.BlockLiouvillian` of this generator (cached)."""
        if "liouvillian" not in self._cache:
            from ..solvers.liouvillian import build_block_liouvillian

            self._cache["liouvillian"] = build_block_liouvillian(self.hamiltonian, self.jumps(), self.space.excitation)
        return self._cache["liouvillian"]

    @property
    def info(self) -> ValidityInfo:  # the name used before the engine layer
        return self.validity


#: The name of :class:`FockGenerator` in the public API (``qheatnet.build_master_equation``).
MasterEquation = FockGenerator


@dataclass(frozen=True, eq=False)
class QuadraticGenerator:
    r"""Number-conserving quadratic master equation of an oscillator network.

    H_S = Σ_ij h_ij a_i† a_j. Each bath α on site s_α has, per "channel", an
    emission rate, an absorption rate and their cancellation-free difference
    (the net damping). Local: one channel per bath at ω_s (the jump a_s).
    Global (Davies): one channel per bath and normal mode k, the jump
    U_{s,k} d_k with rates at the mode frequency (the mean of its group of
    degenerate modes: ``labels``); modes of one group keep their cross terms.

    The equation of motion of C_ij = ⟨a_i† a_j⟩ in the working basis
    (sites, or normal modes d_k = Σ_i U_ik a_i) is

    .. math:: \dot C = M C + C M^† + Γ↑, \quad M = i h_w − ½ Σ_α G_α,

    with Γ↑ = Σ_α Γ↑_α and G_α = Γ↓_α − Γ↑_α (:meth:`gain_matrices`,
    :meth:`net_matrices`).
    """

    approach: str
    network: Network
    h: np.ndarray
    sites: np.ndarray  # (B,) node index of each bath
    names: tuple[str, ...]
    emission: np.ndarray  # local: (B,); global: (B, N) per mode
    absorption: np.ndarray
    net_damping: np.ndarray
    omega: np.ndarray | None = None  # global: normal-mode frequencies
    modes: np.ndarray | None = None  # global: U with h = U diag(ω) Uᵀ
    labels: np.ndarray | None = None  # global: group label of each mode (degenerate modes share one)
    validity: ValidityInfo = field(default_factory=ValidityInfo)

    @property
    def basis(self) -> np.ndarray:
        """Columns: the working basis in site coordinates (identity for local, U for global)."""
        return np.eye(self.h.shape[0]) if self.modes is None else self.modes

    @property
    def working_hamiltonian(self) -> np.ndarray:
        return self.h if self.omega is None else np.diag(self.omega)

    def groups(self) -> list[np.ndarray]:
        """Index sets of degenerate normal modes (global), in label order."""
        assert self.labels is not None
        return [np.flatnonzero(self.labels == lab) for lab in np.unique(self.labels)]

    def _per_bath(self, rates: np.ndarray) -> list[np.ndarray]:
        n = self.h.shape[0]
        out = []
        for a, s in enumerate(self.sites):
            m = np.zeros((n, n))
            if self.modes is None:
                m[s, s] = rates[a]
            else:
                for idx in self.groups():
                    v = self.modes[s, idx]
                    m[np.ix_(idx, idx)] += rates[a, idx[0]] * np.outer(v, v)
            out.append(m)
        return out

    def gain_matrices(self) -> list[np.ndarray]:
        """Γ↑_α in the working basis, one per bath."""
        return self._per_bath(self.absorption)

    def net_matrices(self) -> list[np.ndarray]:
        """G_α = Γ↓_α − Γ↑_α (net damping) in the working basis, one per bath."""
        return self._per_bath(self.net_damping)


@dataclass(frozen=True, eq=False)
class FreeFermionGenerator:
    r"""Local master equation of an XX qubit chain with baths on its end sites, as free fermions.

    ``order``: node indices along the chain; ``h``: single-particle matrix in chain order;
    ``gamma_minus``/``gamma_plus``: total emission/absorption rate per chain site; ``baths``: per bath
    (name, chain position, emission, absorption). Ċ = A C + C A† + Γ⁺ with A = i h − ½ diag(γ⁻ + γ⁺),
    Γ⁺ = diag(γ⁺) (:mod:`qheatnet.solvers.free_fermion`).
    """

    network: Network
    order: list[int]
    h: np.ndarray
    gamma_minus: np.ndarray
    gamma_plus: np.ndarray
    baths: tuple[tuple[str, int, float, float], ...]
    validity: ValidityInfo = field(default_factory=ValidityInfo)

    @property
    def drift(self) -> np.ndarray:
        return 1j * self.h - 0.5 * np.diag(self.gamma_minus + self.gamma_plus)


@dataclass(eq=False)
class PauliRates:
    """Davies rates of a qubit network between adjacent excitation sectors (the Pauli equation).

    For sector k (eigen-energies ``energies[k]``) and k + 1: ``omegas[k]`` [m, n] = E_n − E_m (zero within
    the Bohr tolerance), ``down[k]`` [m, n] the total rate n → m, ``up[k]`` [n, m] the total rate m → n,
    ``per_bath[α][k]`` = (r_up, r_down) of bath α, both indexed [m, n]. ``min_bohr_gap``, ``max_rate``
    feed the secular-approximation diagnostic.
    """

    energies: list[np.ndarray]
    omegas: list[np.ndarray]
    down: list[np.ndarray]
    up: list[np.ndarray]
    per_bath: list[list[tuple[np.ndarray, np.ndarray]]]
    names: tuple[str, ...]
    min_bohr_gap: float
    max_rate: float
    secular: tuple[float, float, float] | None = None

    def out_rates(self) -> list[np.ndarray]:
        """Total exit rate of every eigenstate, per sector."""
        nsec = len(self.energies)
        out = []
        for k in range(nsec):
            o = np.zeros(len(self.energies[k]))
            if k < nsec - 1:
                o += self.up[k].sum(axis=0)
            if k > 0:
                o += self.down[k - 1].sum(axis=0)
            out.append(o)
        return out
