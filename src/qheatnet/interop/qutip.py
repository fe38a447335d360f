r"""QuTiP interop: export a network as ``Qobj`` and import a Hamiltonian from one.

Needs the optional extra ``pip install qheatnet[qutip]`` (QuTiP ≥ 5); QuTiP
is imported lazily, when one of these functions is called.

Conventions (ħ = k_B = 1) and the basis
---------------------------------------
* Qubit-only networks are exported in QuTiP's tensor-product basis, dims
  ``[[2]*N, [2]*N]``, node 0 the most significant factor, level index =
  occupation n (σ⁻ = ``qutip.destroy(2)``, H_node = ω σ⁺σ⁻).
* Networks with oscillators use qheatnet's basis truncated by *total*
  oscillator excitation K (:class:`~qheatnet.physics.hilbert.FockSpace`),
  which is not a tensor product: dims ``[[d], [d]]`` with d its dimension,
  states ordered by excitation number (``space.states`` gives each
  state's occupations).
* Collapse operators are ``sqrt(rate) · J`` for every Lindblad term
  ``rate · D[J]``, grouped per bath; with them
  ``qutip.liouvillian(H, c_ops)`` is the generator
  dρ/dt = −i[H, ρ] + Σ_α 𝓛_α ρ. For the global (Davies) equation the jump
  operators X_α(ω) are transformed from the eigenbasis to the product basis.
* Heat current of bath α: J_α = Tr[H 𝓛_α(ρ)], positive when energy flows
  from the bath into the network (:func:`heat_currents`).

Examples
--------
>>> import qutip  # doctest: +SKIP
>>> from qheatnet import Network, Flat
>>> from qheatnet.interop.qutip import to_qutip, heat_currents
>>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
>>> model = to_qutip(net, "local")  # doctest: +SKIP
>>> rho = qutip.steadystate(model.hamiltonian, model.all_c_ops())  # doctest: +SKIP
>>> heat_currents(model, rho)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..errors import ValidationError
from ..model.network import Coupling, Network, Node

__all__ = ["QutipModel", "to_qutip", "heat_currents", "state_to_qutip", "network_from_qutip", "require_qutip"]


def require_qutip():
    """Import QuTiP or raise ImportError naming the extra to install."""
    try:
        import qutip
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("this function needs QuTiP: pip install 'qheatnet[qutip]'") from exc
    return qutip


@dataclass(frozen=True, eq=False)
class QutipModel:
    """A network's master equation as QuTiP objects.

    Attributes
    ----------
    network : Network
    approach : "local" or "global"
    hamiltonian : Qobj, H_S
    bare_hamiltonian : Qobj, H_0 = Σ ω_i n_i
    c_ops : dict bath name → list of Qobj (sqrt(rate)·J)
    dims : list, the QuTiP dims of one operator
    permutation : (d,) int array; qheatnet basis state k is QuTiP basis state permutation[k]
    """

    network: Network
    approach: str
    hamiltonian: Any
    bare_hamiltonian: Any
    c_ops: dict
    dims: list
    permutation: np.ndarray
    space: Any = field(repr=False, default=None)

    def all_c_ops(self) -> list:
        """Every collapse operator, all baths together."""
        return [c for ops in self.c_ops.values() for c in ops]

    def liouvillian(self, baths: list[str] | None = None):
        """The Liouvillian superoperator (only the dissipators of ``baths``, if given)."""
        qutip = require_qutip()
        if baths is None:
            return qutip.liouvillian(self.hamiltonian, self.all_c_ops())
        return qutip.liouvillian(None, [c for b in baths for c in self.c_ops[b]])


def _permutation(space, kinds) -> tuple[np.ndarray, list]:
    """Map from qheatnet's q-ordered basis to QuTiP's tensor order (qubits) or identity."""
    if all(k == "qubit" for k in kinds):
        n = len(kinds)
        weights = 2 ** np.arange(n - 1, -1, -1)
        return space.states @ weights, [[2] * n, [2] * n]
    return np.arange(space.dim), [[space.dim], [space.dim]]


def _to_qobj(op, perm, dims):
    qutip = require_qutip()
    coo = sp.coo_matrix(op)
    d = len(perm)
    m = sp.csr_matrix((coo.data.astype(complex), (perm[coo.row], perm[coo.col])), shape=(d, d))
    return qutip.Qobj(m, dims=dims)


def _eigen_to_local(me, op):
    """A (possibly q-changing) operator from the eigenbasis of ``me`` to the product basis."""
    if me.basis == "local":
        return op
    secs = me.space.sectors()
    vecs = me.eigvecs
    dense = sp.csr_matrix(op)
    out = sp.lil_matrix(op.shape, dtype=complex)
    for a, ia in enumerate(secs):
        sa = slice(ia[0], ia[-1] + 1)
        for b, ib in enumerate(secs):
            sb = slice(ib[0], ib[-1] + 1)
            blk = dense[sa, sb]
            if blk.nnz:
                out[sa, sb] = vecs[a] @ blk.toarray() @ vecs[b].conj().T
    return out.tocsr()


def to_qutip(network: Network, approach: str = "local", *, cutoff: int | None = None) -> QutipModel:
    """Export the local or global master equation of ``network`` as QuTiP objects.

    Parameters
    ----------
    network : Network
    approach : {"local", "global"}
    cutoff : int, optional
        Total oscillator excitation K (required if the network has oscillators).

    Returns
    -------
    QutipModel
    """
    from ..api.solve import build_master_equation

    if approach not in ("local", "global"):
        raise ValidationError("approach", f"must be 'local' or 'global', got {approach!r}")
    if "oscillator" in network.kinds and cutoff is None:
        raise ValidationError("cutoff", "a network with oscillators needs a Fock cut-off K to be exported")
    me = build_master_equation(network, approach, cutoff)
    perm, dims = _permutation(me.space, network.kinds)
    if me.basis == "eigen":
        from ..physics.local import network_hamiltonians

        h_s, h_0 = network_hamiltonians(network, me.space)
    else:
        h_s, h_0 = me.hamiltonian, me.bare_hamiltonian
    c_ops = {
        d.bath: [_to_qobj(np.sqrt(t.rate) * _eigen_to_local(me, t.op), perm, dims) for t in d.terms]
        for d in me.dissipators
    }
    return QutipModel(
        network, approach, _to_qobj(h_s, perm, dims), _to_qobj(h_0, perm, dims), c_ops, dims, perm, me.space
    )


def heat_currents(model: QutipModel, rho, bookkeeping: str = "full") -> dict:
    """J_α = Tr[H 𝓛_α(ρ)] for a QuTiP state ``rho`` (positive: bath → network)."""
    require_qutip()
    h = model.hamiltonian if bookkeeping == "full" else model.bare_hamiltonian
    out = {}
    for name, ops in model.c_ops.items():
        d_rho = 0 * rho
        for c in ops:
            cd = c.dag()
            d_rho = d_rho + c * rho * cd - 0.5 * (cd * c * rho + rho * cd * c)
        out[name] = float(np.real((h * d_rho).tr()))
    return out


def state_to_qutip(result_or_rho, model: QutipModel):
    """A qheatnet density matrix (product basis of ``model.space``) as a QuTiP ``Qobj``.

    Accepts a :class:`~qheatnet.SteadyState` (its ``rho``) or a dense array.
    """
    rho = getattr(result_or_rho, "rho", result_or_rho)
    if rho is None:
        raise ValidationError("rho", "this result carries no density matrix (the engine did not build one)")
    return _to_qobj(sp.csr_matrix(np.asarray(rho)), model.permutation, model.dims)


def network_from_qutip(hamiltonian, baths=(), *, names=None, atol: float = 1e-10) -> Network:
    """Build a :class:`Network` from a QuTiP Hamiltonian of swap-coupled nodes.

    Accepted input: a Hermitian ``Qobj`` operator on a tensor product of N
    factors with dims ``[[d_1, …, d_N], [d_1, …, d_N]]``; a factor with
    d = 2 is a qubit, d > 2 an oscillator truncated at d − 1 quanta. The
    operator must be exactly of the form

        H = Σ_i ω_i a_i† a_i + Σ_{i<j} ε_ij (a_i† a_j + a_i a_j†),   ω_i > 0,

    with a_i = ``qutip.destroy(d_i)`` on factor i (no constant offset, no
    counter-rotating or non-linear terms). ω_i and ε_ij are read from the
    single-excitation sector, H is rebuilt from them and compared with the
    input element by element (``atol``); anything else raises
    :class:`~qheatnet.errors.ValidationError` saying what differs.

    Parameters
    ----------
    hamiltonian : qutip.Qobj
    baths : sequence of Bath, attached to the node names
    names : node names (default "n0", "n1", …)

    Returns
    -------
    Network
    """
    qutip = require_qutip()
    if not isinstance(hamiltonian, qutip.Qobj) or not hamiltonian.isoper:
        raise ValidationError("hamiltonian", f"must be a qutip.Qobj operator, got {type(hamiltonian).__name__}")
    dims = list(hamiltonian.dims[0])
    if list(hamiltonian.dims[1]) != dims:
        raise ValidationError("hamiltonian", f"must be square with matching dims, got {hamiltonian.dims}")
    if any(d < 2 for d in dims):
        raise ValidationError("hamiltonian", f"every tensor factor needs dimension ≥ 2, got dims {dims}")
    if not hamiltonian.isherm:
        raise ValidationError("hamiltonian", "must be Hermitian")
    n = len(dims)
    names = [f"n{i}" for i in range(n)] if names is None else list(names)
    if len(names) != n:
        raise ValidationError("names", f"needs {n} names (one per tensor factor), got {len(names)}")
    lows = []
    for i in range(n):
        factors = [qutip.qeye(d) for d in dims]
        factors[i] = qutip.destroy(dims[i])
        lows.append(qutip.tensor(factors))
    vac = qutip.tensor([qutip.basis(d, 0) for d in dims])
    e0 = complex(hamiltonian.matrix_element(vac, vac))
    if abs(e0) > atol:
        raise ValidationError(
            "hamiltonian", f"has a constant offset ⟨0|H|0⟩ = {e0.real:.6g}; remove it (swap form only)"
        )
    ones = [lows[i].dag() * vac for i in range(n)]
    h = np.array([[complex(hamiltonian.matrix_element(ones[i], ones[j])) for j in range(n)] for i in range(n)])
    if np.max(np.abs(h.imag)) > atol:
        raise ValidationError("hamiltonian", "has complex hopping amplitudes; only real swap couplings are supported")
    h = h.real
    rebuilt = sum(float(h[i, i]) * lows[i].dag() * lows[i] for i in range(n))
    couplings = []
    for i in range(n):
        for j in range(i + 1, n):
            if abs(h[i, j]) > atol:
                rebuilt = rebuilt + float(h[i, j]) * (lows[i].dag() * lows[j] + lows[j].dag() * lows[i])
                couplings.append(Coupling((names[i], names[j]), float(h[i, j])))
    diff = float(np.max(np.abs((hamiltonian - rebuilt).full())))
    if diff > atol:
        raise ValidationError(
            "hamiltonian",
            f"is not of the swap form Σ ω_i a_i†a_i + Σ ε_ij (a_i†a_j + h.c.) (largest deviation {diff:.3g}); "
            "counter-rotating, non-linear or number-non-conserving terms are not supported",
        )
    nodes = tuple(Node(names[i], "qubit" if dims[i] == 2 else "oscillator", float(h[i, i])) for i in range(n))
    return Network(nodes=nodes, couplings=tuple(couplings), baths=tuple(baths))
