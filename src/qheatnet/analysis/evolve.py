r"""Transients: ρ(t) from a product initial state, and the heat currents J_α(t).

Conventions: ħ = k_B = 1; J_α(t) = Tr[H 𝓛_α ρ(t)] > 0 when energy flows
from bath α into the network at time t (eq. 5 of Levy & Kosloff 2014,
evaluated out of steady state). The first law holds at every instant,
d⟨H⟩/dt = Σ_α J_α(t) (full bookkeeping), and is reported as a check.

Engine: the generic sparse Liouvillian of
:mod:`qheatnet.solvers.liouvillian` (local or global generator, oscillators
truncated at total excitation K). The initial state is a product of node
states, each thermal at its own temperature or a Fock (basis) state, so it
is diagonal in the product basis and block diagonal in the excitation
number q; when every jump changes q by a fixed amount (always for local,
for global unless a Bohr frequency is shared by q-raising and q-lowering
transitions) only the q-diagonal blocks are propagated. Two propagators:

``dense``   P = expm(𝓛 Δt) once (scaling and squaring), then ρ_{k+1} = P ρ_k;
            exact at any t, for up to ``DENSE_MAX_UNKNOWNS`` unknowns.
``krylov``  :func:`scipy.sparse.linalg.expm_multiply` on the time grid; cost
            grows with ‖𝓛‖ t_final.

Free-fermion route (``engine="free-fermion"``, picked by "auto" for the
local equation of an XX qubit chain with baths on the end sites): the
product initial state is a fermionic Gaussian state with C(0) = diag(⟨n_i⟩),
and the two-point function obeys Ċ = A C + C A† + Γ⁺ exactly
(:mod:`qheatnet.solvers.free_fermion`), so

.. math:: C(t) = C_{ss} + e^{At} (C(0) − C_{ss}) e^{A^† t},

evaluated with the eigen-decomposition of A: exact at any t and N×N only
(long chains). J_α(t) uses the direct formula (not the steady-state
identity). No density matrix, hence no entropy. (For oscillator networks see
the Gaussian route below.)

Rate-equation route (``engine="rate-equation"``, global, qubits): when the
Davies generator decouples populations from coherences
(:mod:`qheatnet.solvers.rate_equation`), H_S is diagonal in the eigenbasis
and 𝓛_α maps coherences to coherences, so J_α(t) = Σ_n p_n(t) c_{α,n} and
⟨H⟩(t) = Σ_n E_n p_n(t) depend on the eigenstate populations only; they
follow ṗ = W p from p_n(0) = ⟨n|ρ(0)|n⟩ (``expm_multiply``; the cost grows
with ‖W‖ t, and ‖W‖ is of the order of the bath rates, not of the
frequencies). Node populations need the coherences and are not returned.

Gaussian route (``engine="gaussian"``, oscillators only, local or global;
picked by "auto" for oscillator networks unless a ``cutoff`` or a Liouvillian
``method`` is given, which ask for the Fock engine): the number-conserving
master equation closes on C_ij = ⟨a_i† a_j⟩, Ċ = M C + C M† + Γ↑ with
M = i h − ½(Γ↓ − Γ↑) (local: site basis; global: normal modes, one Davies jump
per bath and group of degenerate modes, as in :mod:`qheatnet.solvers.gaussian`).
A product of thermal/Fock node states enters through C(0) = diag(⟨n_i⟩) only.
One step is the exact affine map C ↦ P C P† + Q (P = e^{MΔt}, Q from Van Loan's
block exponential with scaling and squaring): no cut-off, no steady state
needed, N×N only. No density matrix, hence no entropy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import config
from ..errors import ModelError, ValidationError
from ..model.network import Network
from .thermo import current_operator

__all__ = ["Evolution", "evolve", "initial_state_spec", "DENSE_MAX_UNKNOWNS", "METHODS", "ENGINES"]

#: Largest number of propagated unknowns for the dense propagator (a dense
#: complex matrix of this size is 64 MB at 2000 and takes a few seconds).
DENSE_MAX_UNKNOWNS = 2000
#: Von Neumann entropy S(t) is reported when the Hilbert space is at most this big.
ENTROPY_MAX_DIM = 256
METHODS = ("auto", "dense", "krylov")
ENGINES = ("auto", "fock", "free-fermion", "rate-equation", "gaussian")


@dataclass(frozen=True, eq=False)
class Evolution:
    """Result of :func:`evolve`. Arrays are indexed by time.

    Attributes
    ----------
    network, approach, bookkeeping : the inputs
    engine : str, "fock" (generic sparse Liouvillian), "free-fermion", "rate-equation" or "gaussian"
    method : "dense" or "krylov" (fock); a description of the exact propagator otherwise
    structure : "q-diagonal blocks" or "full space" (fock); the propagated quantity otherwise
    initial : dict, node name → {"temperature": T} or {"fock": n}
    times : (n_t,) array
    heat_currents : dict bath name → (n_t,) array, J_α(t)
    populations : dict node name → (n_t,) array, ⟨n_i⟩(t)
    energy : (n_t,) array, ⟨H⟩(t) with the bookkeeping Hamiltonian
    entropy : (n_t,) array or None, von Neumann entropy S(t) (small spaces only)
    trace_error : float, max_t |Tr ρ(t) − 1|
    first_law_error : float, max_t |d⟨H⟩/dt − Σ_α J_α| relative to max |J_α| (d⟨H⟩/dt = Tr[H 𝓛ρ]
        evaluated exactly; NaN for bare bookkeeping, where power flows through the couplings)
    truncated_weight : float, weight of the initial product state outside the
        truncated Fock space (0 for qubits); the state is renormalised
    """

    network: Network
    approach: str
    bookkeeping: str
    engine: str
    method: str
    structure: str
    initial: dict
    times: np.ndarray
    heat_currents: dict
    populations: dict
    energy: np.ndarray
    entropy: Any
    trace_error: float
    first_law_error: float
    truncated_weight: float = 0.0
    extra: dict = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the schema of ``qheatnet evolve --json``)."""

        def arr(x):
            return [float(v) for v in np.asarray(x)]

        return {
            "approach": self.approach,
            "engine": self.engine,
            "method": self.method,
            "structure": self.structure,
            "bookkeeping": self.bookkeeping,
            "initial": self.initial,
            "times": arr(self.times),
            "heat_currents": {k: arr(v) for k, v in self.heat_currents.items()},
            "populations": {k: arr(v) for k, v in self.populations.items()},
            "energy": arr(self.energy),
            "entropy": None if self.entropy is None else arr(self.entropy),
            "trace_error": float(self.trace_error),
            "first_law_error": float(self.first_law_error),
            "truncated_weight": float(self.truncated_weight),
        }


def initial_state_spec(network: Network, initial) -> dict:
    """Normalise ``initial`` to {node name: {"temperature": T} | {"fock": n}}.

    Accepted: a number T (every node thermal at T; T = 0 is the ground
    state), ``"ground"``, or a mapping node name → T (number), or
    ``{"temperature": T}``, or ``{"fock": n}``; nodes not named start in
    their ground state. A qubit's Fock state is 0 or 1.
    """
    names = [n.name for n in network.nodes]
    if isinstance(initial, str):
        if initial != "ground":
            raise ValidationError("initial", f"must be 'ground', a temperature or a mapping, got {initial!r}")
        return {n: {"fock": 0} for n in names}
    if isinstance(initial, (int, float)) and not isinstance(initial, bool):
        t = float(initial)
        if not math.isfinite(t) or t < 0:
            raise ValidationError("initial", f"temperature must be finite and ≥ 0, got {initial!r}")
        return {n: {"temperature": t} for n in names}
    if not isinstance(initial, dict):
        raise ValidationError("initial", f"must be 'ground', a temperature or a mapping, got {initial!r}")
    out = {n: {"fock": 0} for n in names}
    for name, spec in initial.items():
        if name not in out:
            raise ValidationError(f"initial.{name}", f"unknown node (nodes: {', '.join(names)})")
        kind = network.nodes[network.node_index(name)].kind
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            spec = {"temperature": spec}
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ("temperature", "fock"):
            raise ValidationError(f"initial.{name}", f"must be {{temperature = T}} or {{fock = n}}, got {spec!r}")
        key, val = next(iter(spec.items()))
        if key == "temperature":
            if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val) or val < 0:
                raise ValidationError(f"initial.{name}.temperature", f"must be a number ≥ 0, got {val!r}")
            out[name] = {"temperature": float(val)}
        else:
            top = 1 if kind == "qubit" else None
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 0 or (top and val > top):
                allowed = "0 or 1 for a qubit" if top else "an integer ≥ 0"
                raise ValidationError(f"initial.{name}.fock", f"must be {allowed}, got {val!r}")
            out[name] = {"fock": int(val)}
    return out


def _node_distribution(spec: dict, node, levels: int) -> np.ndarray:
    """Occupation probabilities p(n), n = 0 … levels − 1, of one node's initial state."""
    p = np.zeros(levels)
    if "fock" in spec:
        p[spec["fock"]] = 1.0
        return p
    t = spec["temperature"]
    if t == 0:
        p[0] = 1.0
        return p
    n = np.arange(levels)
    logw = -node.frequency * n / t
    if node.kind == "oscillator":  # untruncated geometric distribution (the truncation is reported)
        return np.exp(logw) * -math.expm1(-node.frequency / t)
    w = np.exp(logw - logw.max())
    return w / w.sum()


def _initial_diagonal(network, space, spec) -> tuple[np.ndarray, float]:
    """Diagonal of the product initial state in ``space`` and the weight lost to truncation."""
    diag = np.ones(space.dim)
    for i, node in enumerate(network.nodes):
        levels = int(space.states[:, i].max()) + 1
        p = _node_distribution(spec[node.name], node, max(levels, 2))
        if "fock" in spec[node.name] and spec[node.name]["fock"] >= levels:
            raise ValidationError(
                f"initial.{node.name}.fock",
                f"Fock state {spec[node.name]['fock']} lies outside the truncated space (cut-off {space.cutoff})",
            )
        diag *= p[space.states[:, i]]
    total = float(diag.sum())
    return diag / total, max(0.0, 1.0 - total)


def _to_basis(me, op_local: sp.spmatrix, sectors) -> sp.csr_matrix:
    """A q-conserving operator from the product basis into the generator's basis."""
    if me.basis == "local":
        return sp.csr_matrix(op_local)
    op_local = sp.csr_matrix(op_local)
    blocks = []
    for idx, v in zip(me.space.sectors(), me.eigvecs):
        sl = slice(idx[0], idx[-1] + 1)
        blocks.append(v.conj().T @ op_local[sl, sl].toarray() @ v)
    return sp.csr_matrix(sla.block_diag(*blocks))


def _observable(op: sp.spmatrix, sectors, offsets, n_unknowns) -> np.ndarray:
    """c with Tr[ρ A] = c · x for the unknown vector x (column-stacked blocks)."""
    c = np.zeros(n_unknowns, dtype=complex)
    op = sp.csr_matrix(op)
    for k, s in enumerate(sectors):
        sl = slice(s[0], s[-1] + 1)
        blk = op[sl, sl].toarray()
        c[offsets[k] : offsets[k + 1]] = blk.T.reshape(-1, order="F")
    return c


def _first_law_error(de, currents) -> float:
    """max_t |d⟨H⟩/dt − Σ_α J_α(t)| relative to the largest current (full bookkeeping)."""
    js = np.array(list(currents.values()))
    scale = max(float(np.max(np.abs(js))), 1e-300) if js.size else 1e-300
    total = js.sum(axis=0) if js.size else 0.0
    return float(np.max(np.abs(de - total))) / scale


def evolve(
    network: Network,
    approach: str = "local",
    *,
    t_final: float,
    steps: int = 200,
    initial: Any = "ground",
    bookkeeping: str = "full",
    cutoff: int | None = None,
    method: str = "auto",
    engine: str = "auto",
) -> Evolution:
    """Time evolution ρ(t) of ``network`` from a product initial state, with J_α(t).

    Parameters
    ----------
    network : Network
    approach : {"local", "global"}
    t_final : float > 0
        Final time (in units of 1/energy).
    steps : int ≥ 1
        Number of time steps of the uniform grid 0, t_final/steps, …, t_final.
    initial : see :func:`initial_state_spec`
        Product of node states: thermal (per-node temperature) or Fock.
    bookkeeping : {"full", "bare"}
        Hamiltonian that defines heat: H_S or H_0 = Σ ω_i n_i.
    cutoff : int, optional
        Total oscillator excitation K (required if the network has oscillators).
    method : {"auto", "dense", "krylov"}
        Propagator (see the module docstring); "auto" is dense up to
        ``DENSE_MAX_UNKNOWNS`` unknowns.
    engine : {"auto", "fock", "free-fermion", "rate-equation", "gaussian"}
        "fock": the generic sparse Liouvillian; "free-fermion": two-point
        function of an XX qubit chain with end baths (local only); "auto"
        picks free-fermion where it applies, unless a Liouvillian ``method``
        is named. "rate-equation" (global, qubits; only when named): the
        Pauli equation for the eigenstate populations — exact for J_α(t)
        and ⟨H⟩(t), which do not depend on the coherences when the rate
        equation holds, but without node populations (they do).
        "gaussian" (oscillators only; "auto" picks it for oscillator
        networks when neither ``cutoff`` nor ``method`` is given): correlation
        matrix ⟨a_i† a_j⟩, exact, no ``cutoff``; ``method`` must stay "auto".

    Returns
    -------
    Evolution

    Examples
    --------
    >>> from qheatnet import Network, Flat
    >>> from qheatnet.analysis.evolve import evolve
    >>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.05))
    >>> ev = evolve(net, "global", t_final=50.0, steps=10, initial=3.0)
    >>> ev.heat_currents["cold"][0] < 0  # the network starts hotter than the cold bath
    True
    """
    from ..physics.davies import check_bounded_below
    from ..solvers.liouvillian import _shift, liouvillian_blocks
    from .solve import _check_inputs, build_master_equation

    _check_inputs(network, approach, bookkeeping)
    if engine not in ENGINES:
        raise ValidationError("engine", f"must be one of {', '.join(ENGINES)} for time evolution, got {engine!r}")
    if method not in METHODS:
        raise ValidationError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if (
        isinstance(t_final, bool)
        or not isinstance(t_final, (int, float))
        or not (t_final > 0)
        or not math.isfinite(t_final)
    ):
        raise ValidationError("t_final", f"must be a finite number > 0, got {t_final!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValidationError("steps", f"must be an integer ≥ 1, got {steps!r}")
    all_oscillators = all(k == "oscillator" for k in network.kinds)
    if engine == "auto" and method == "auto" and cutoff is None and all_oscillators:
        engine = "gaussian"  # exact, no truncation: the natural route for oscillator networks
    if engine == "gaussian":
        if not all_oscillators:
            raise ModelError("Gaussian evolution needs a network of oscillators only")
        if method != "auto":
            raise ValidationError(
                "method", f"applies to the fock engine only, not to engine='gaussian' (got {method!r})"
            )
        if approach == "global":
            check_bounded_below(network)
        spec = initial_state_spec(network, initial)
        return _evolve_gaussian(network, approach, spec, float(t_final), int(steps), bookkeeping)
    if "oscillator" in network.kinds:
        if cutoff is None:
            raise ValidationError(
                "cutoff",
                "a network with oscillators needs a Fock cut-off K for time evolution "
                "(engine='gaussian' needs none when every node is an oscillator)",
            )
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
            raise ValidationError("cutoff", f"must be an integer ≥ 1, got {cutoff!r}")
    if approach == "global":
        check_bounded_below(network)
    spec = initial_state_spec(network, initial)
    from .engine_qubits import free_fermion_reason

    ff_reason = "the approach is not local" if approach != "local" else free_fermion_reason(network)
    if engine == "free-fermion" and ff_reason is not None:
        raise ValidationError("engine", f"free-fermion evolution does not apply: {ff_reason}")
    if engine == "free-fermion" or (engine == "auto" and method == "auto" and ff_reason is None):
        return _evolve_free_fermion(network, spec, float(t_final), int(steps), bookkeeping)
    if engine == "rate-equation":
        if approach != "global" or any(k != "qubit" for k in network.kinds):
            raise ValidationError("engine", "rate-equation evolution needs the global approach and qubits only")
        if bookkeeping != "full":
            # H_0 is not diagonal in the eigenbasis: ⟨H_0⟩(t) depends on the coherences
            raise ValidationError("bookkeeping", "rate-equation evolution supports only full bookkeeping")
        return _evolve_rate_equation(network, spec, float(t_final), int(steps), bookkeeping)

    me = build_master_equation(network, approach, cutoff if "oscillator" in network.kinds else None)
    space = me.space
    terms = [(t.rate, t.op) for t in me.all_terms()]
    q = space.excitation
    blockwise = _shift(me.hamiltonian, q) == 0 and all(_shift(j, q) is not None for _, j in terms)
    sectors = space.sectors() if blockwise else [np.arange(space.dim)]
    lmat, offsets = liouvillian_blocks(me.hamiltonian, terms, sectors)
    n_unk = lmat.shape[0]

    diag0, lost = _initial_diagonal(network, space, spec)
    rho0 = _to_basis(me, sp.diags(diag0), sectors).toarray()
    x0 = np.concatenate([rho0[s[0] : s[-1] + 1, s[0] : s[-1] + 1].reshape(-1, order="F") for s in sectors])

    times = np.linspace(0.0, float(t_final), int(steps) + 1)
    chosen = method if method != "auto" else ("dense" if n_unk <= DENSE_MAX_UNKNOWNS else "krylov")
    if chosen == "dense":
        prop = sla.expm(lmat.toarray() * (times[1] - times[0]))
        xs = np.empty((len(times), n_unk), dtype=complex)
        xs[0] = x0
        for k in range(1, len(times)):
            xs[k] = prop @ xs[k - 1]
    else:
        xs = spla.expm_multiply(
            lmat.tocsr(),
            x0,
            start=0.0,
            stop=float(t_final),
            num=len(times),
            endpoint=True,
            traceA=lmat.diagonal().sum(),
        )

    h_book = me.hamiltonian if bookkeeping == "full" else me.bare_hamiltonian
    trace_vec = _observable(sp.identity(space.dim, format="csr"), sectors, offsets, n_unk)
    energy = np.real(xs @ _observable(h_book, sectors, offsets, n_unk))
    currents = {}
    for d in me.dissipators:
        op = current_operator(d.terms, h_book)
        currents[d.bath] = (
            np.zeros(len(times)) if op is None else np.real(xs @ _observable(op, sectors, offsets, n_unk))
        )
    pops = {}
    for i, node in enumerate(network.nodes):
        n_op = _to_basis(me, space.number(i), sectors)
        pops[node.name] = np.real(xs @ _observable(n_op, sectors, offsets, n_unk))
    trace_err = float(np.max(np.abs(xs @ trace_vec - 1.0)))
    if bookkeeping == "full":
        # d⟨H⟩/dt = Tr[H 𝓛ρ] evaluated exactly (c_H · 𝓛x), against Σ_α J_α
        c_h = _observable(h_book, sectors, offsets, n_unk)
        de = np.real(xs @ (lmat.T @ c_h))
        first_law = _first_law_error(de, currents)
    else:
        first_law = float("nan")
    entropy = None
    if space.dim <= ENTROPY_MAX_DIM:
        entropy = np.empty(len(times))
        for k, x in enumerate(xs):
            ev = []
            for j, s in enumerate(sectors):
                blk = x[offsets[j] : offsets[j + 1]].reshape(len(s), len(s), order="F")
                ev.append(np.linalg.eigvalsh(0.5 * (blk + blk.conj().T)))
            ev = np.clip(np.concatenate(ev), 0.0, None)
            ev = ev[ev > 0]
            entropy[k] = float(-np.sum(ev * np.log(ev)))
    return Evolution(
        network=network,
        approach=approach,
        bookkeeping=bookkeeping,
        engine="fock",
        method=chosen,
        structure="q-diagonal blocks" if blockwise else "full space",
        initial=spec,
        times=times,
        heat_currents=currents,
        populations=pops,
        energy=energy,
        entropy=entropy,
        trace_error=trace_err,
        first_law_error=first_law,
        truncated_weight=lost,
        extra={"unknowns": n_unk},
    )


def _evolve_free_fermion(network, spec, t_final, steps, bookkeeping) -> Evolution:
    """Local XX chain with end baths: C(t) = C_ss + e^{At}(C0 − C_ss)e^{A†t} (see the module docstring)."""
    from ..solvers.free_fermion import bath_current, solve_free_fermion
    from .engine_qubits import chain_order

    order = chain_order(network)
    pos = {node: k for k, node in enumerate(order)}
    h = network.single_particle_matrix()[np.ix_(order, order)]
    n = len(order)
    gm, gp = np.zeros(n), np.zeros(n)
    rates = []
    for b in network.baths:
        k = pos[network.node_index(b.node)]
        e = float(b.spectrum.emission(h[k, k], b.temperature))
        a = float(b.spectrum.absorption(h[k, k], b.temperature))
        gm[k] += e
        gp[k] += a
        rates.append((b.name, k, e, a))
    c_ss = solve_free_fermion(h, gm, gp).correlation
    n0 = np.zeros(n)
    for node in range(n):
        p = _node_distribution(spec[network.nodes[node].name], network.nodes[node], 2)
        n0[pos[node]] = p[1]
    a_mat = 1j * h - 0.5 * np.diag(gm + gp)
    lam, s_mat = np.linalg.eig(a_mat)
    s_inv = np.linalg.inv(s_mat)
    d0 = s_inv @ (np.diag(n0) - c_ss) @ s_inv.conj().T
    times = np.linspace(0.0, t_final, steps + 1)
    hh = np.diag(np.diag(h)) if bookkeeping == "bare" else h
    currents = {name: np.empty(len(times)) for name, *_ in rates}
    pops = {nd.name: np.empty(len(times)) for nd in network.nodes}
    energy = np.empty(len(times))
    for it, t in enumerate(times):
        ph = np.exp(lam * t)
        c = c_ss + s_mat @ (ph[:, None] * d0 * ph.conj()[None, :]) @ s_mat.conj().T
        c = 0.5 * (c + c.conj().T)
        for name, k, e, a in rates:
            currents[name][it] = bath_current(h, c, k, e, a, bare=(bookkeeping == "bare"), alone=False)
        occ = np.real(np.diag(c))
        for node in range(n):
            pops[network.nodes[node].name][it] = occ[pos[node]]
        energy[it] = float(np.real(np.sum(hh * c)))
    if bookkeeping == "full":
        # d⟨H⟩/dt = Tr[h Ċ] with Ċ = A C + C A† + Γ⁺, exactly, against Σ_α J_α
        de = np.empty(len(times))
        for it, t in enumerate(times):
            ph = np.exp(lam * t)
            c = c_ss + s_mat @ (ph[:, None] * d0 * ph.conj()[None, :]) @ s_mat.conj().T
            cdot = a_mat @ c + c @ a_mat.conj().T + np.diag(gp)
            de[it] = float(np.real(np.sum(h * cdot)))
        first_law = _first_law_error(de, currents)
    else:
        first_law = float("nan")
    return Evolution(
        network=network,
        approach="local",
        bookkeeping=bookkeeping,
        engine="free-fermion",
        method="eigen (exact)",
        structure="two-point function ⟨c_i† c_j⟩",
        initial=spec,
        times=times,
        heat_currents=currents,
        populations=pops,
        energy=energy,
        entropy=None,
        trace_error=0.0,
        first_law_error=first_law,
        extra={"unknowns": n * n},
    )


def _evolve_rate_equation(network, spec, t_final, steps, bookkeeping) -> Evolution:
    """Pauli equation ṗ = W p for the eigenstate populations (see the module docstring)."""
    from ..solvers.rate_equation import solve_rate_equation
    from .engine_qubits import prepare_rate_equation

    prep = prepare_rate_equation(network)
    if prep.reason is not None:
        raise ValidationError("engine", f"rate-equation evolution does not apply: {prep.reason}")
    eig = prep.eig
    sol = solve_rate_equation(
        eig, prep.lowering, prep.baths, bare_diagonal=prep.bare, amp_blocks=prep.amps, keep_rates=True
    )
    sizes = [len(e) for e in eig.energies]
    starts = np.concatenate([[0], np.cumsum(sizes)])
    nsec = len(sizes)
    energies = np.concatenate(eig.energies)
    book = energies if bookkeeping == "full" else prep.bare
    up_tot = [0.0] * (nsec - 1)
    down_tot = [0.0] * (nsec - 1)
    cvec = {}
    for (name, _, _), blocks in zip(prep.baths, sol.info["rates"]):
        c = np.zeros(len(energies))
        for k, (r_up, r_down) in enumerate(blocks):
            lo, mid, hi = starts[k], starts[k + 1], starts[k + 2]
            de = book[mid:hi][None, :] - book[lo:mid][:, None]  # energy gained going m (k) → n (k + 1)
            c[lo:mid] += np.sum(r_up * de, axis=1)
            c[mid:hi] -= np.sum(r_down * de, axis=0)
            up_tot[k] = up_tot[k] + r_up
            down_tot[k] = down_tot[k] + r_down
        cvec[name] = c
    blocks = [[None] * nsec for _ in range(nsec)]
    out = np.zeros(len(energies))
    for k in range(nsec - 1):
        blocks[k + 1][k] = sp.csr_matrix(up_tot[k].T)  # m (k) → n (k + 1)
        blocks[k][k + 1] = sp.csr_matrix(down_tot[k])  # n (k + 1) → m (k)
        out[starts[k] : starts[k + 1]] += up_tot[k].sum(axis=1)
        out[starts[k + 1] : starts[k + 2]] += down_tot[k].sum(axis=0)
    for k in range(nsec):
        blocks[k][k] = sp.diags(-out[starts[k] : starts[k + 1]])
    w = sp.bmat(blocks, format="csr")
    diag0, _ = _initial_diagonal(network, prep.space, spec)
    p0 = np.concatenate([diag0[eig.slice(k)] @ wt for k, wt in enumerate(prep.weights)])
    times = np.linspace(0.0, t_final, steps + 1)
    ps = spla.expm_multiply(w, p0, start=0.0, stop=t_final, num=len(times), endpoint=True, traceA=-out.sum())
    currents = {name: ps @ c for name, c in cvec.items()}
    energy = ps @ book
    if bookkeeping == "full":
        de = ps @ (w.T @ energies)
        first_law = _first_law_error(de, currents)
    else:
        first_law = float("nan")
    return Evolution(
        network=network,
        approach="global",
        bookkeeping=bookkeeping,
        engine="rate-equation",
        method="krylov (Pauli equation)",
        structure="eigenstate populations",
        initial=spec,
        times=times,
        heat_currents=currents,
        populations={},
        energy=energy,
        entropy=None,
        trace_error=float(np.max(np.abs(ps.sum(axis=1) - 1.0))),
        first_law_error=first_law,
        extra={"unknowns": len(energies), "steady_heat_currents": sol.currents},
    )


def _affine_propagator(m_mat: np.ndarray, gain: np.ndarray, dt: float):
    """(P, Q) with C(t + dt) = P C(t) P† + Q for Ċ = M C + C M† + Γ↑.

    P = e^{M dt}, Q = ∫_0^dt e^{Ms} Γ↑ e^{M†s} ds. Van Loan's block exponential on a step
    δ = dt/2^k with ‖M‖δ ≤ 1 (no growing factor), then k doublings P ← P², Q ← Q + P Q P†:
    exact for any M (defective, or with undamped modes), no steady state needed.
    """
    n = m_mat.shape[0]
    norm = float(np.linalg.norm(m_mat, 1)) * dt
    k = max(0, int(math.ceil(math.log2(norm)))) if norm > 1.0 else 0
    delta = dt / 2.0**k
    blk = np.zeros((2 * n, 2 * n), dtype=complex)
    blk[:n, :n] = m_mat
    blk[:n, n:] = gain
    blk[n:, n:] = -m_mat.conj().T
    f = sla.expm(blk * delta)
    p = f[:n, :n]
    q = f[:n, n:] @ p.conj().T
    for _ in range(k):
        q = q + p @ q @ p.conj().T
        p = p @ p
    return p, 0.5 * (q + q.conj().T)


def _evolve_gaussian(network, approach, spec, t_final, steps, bookkeeping) -> Evolution:
    r"""All-oscillator networks: the correlation matrix C_ij = ⟨a_i† a_j⟩ obeys, exactly,

    Ċ = M C + C M† + Γ↑,  M = i h − ½(Γ↓ − Γ↑)

    (the drift of :mod:`qheatnet.solvers.gaussian`; local: site basis, loss/gain on the bath
    sites; global: normal-mode basis, one Davies jump per bath and group of degenerate modes).
    The product initial state (thermal or Fock per node) enters through C(0) = diag(⟨n_i⟩) only:
    the equation for C is closed. J_α = Tr[h_book Ċ_α] with Ċ_α = Γ↑_α − ½{Γ↓_α − Γ↑_α, C},
    the formula of the steady-state engine.
    """
    from ..solvers import gaussian as gs
    from .engine_gaussian import _damping

    if approach not in ("local", "global"):
        raise ValidationError("approach", f"Gaussian evolution needs 'local' or 'global', got {approach!r}")
    h = np.asarray(network.single_particle_matrix(), dtype=float)
    n = h.shape[0]
    n0 = np.zeros(n)
    for i, node in enumerate(network.nodes):
        s = spec[node.name]
        if "fock" in s:
            n0[i] = s["fock"]
        elif s["temperature"] > 0:
            n0[i] = 1.0 / math.expm1(node.frequency / s["temperature"])
    baths = network.baths
    site_of = [network.node_index(b.node) for b in baths]
    h_book = np.diag(np.diag(h)) if bookkeeping == "bare" else h
    g_up, g_net = [], []  # per bath: Γ↑_α and Γ↓_α − Γ↑_α in the working basis
    if approach == "local":
        basis = np.eye(n)
        h_w = h
        for b, s in zip(baths, site_of):
            w = float(h[s, s])
            up = np.zeros((n, n))
            net = np.zeros((n, n))
            up[s, s] = float(b.spectrum.absorption(w, b.temperature))
            net[s, s] = float(_damping(b.spectrum, w, b.temperature))
            g_up.append(up)
            g_net.append(net)
    else:
        omega, basis = gs.normal_modes(h)
        h_w = np.diag(omega)
        tol = config.BOHR_ATOL + config.BOHR_RTOL * float(np.max(np.abs(omega)))
        labels = gs._cluster(omega, tol)
        groups = [np.flatnonzero(labels == lab) for lab in np.unique(labels)]
        for b, s in zip(baths, site_of):
            up = np.zeros((n, n))
            net = np.zeros((n, n))
            for idx in groups:
                wg = np.array([float(np.mean(omega[idx]))])
                v = basis[s, idx]
                vv = np.outer(v, v)
                up[np.ix_(idx, idx)] += float(b.spectrum.absorption(wg, b.temperature)[0]) * vv
                net[np.ix_(idx, idx)] += float(_damping(b.spectrum, wg, b.temperature)[0]) * vv
            g_up.append(up)
            g_net.append(net)
    hb_w = basis.T @ h_book @ basis
    up_tot = sum(g_up)
    m_mat = 1j * h_w - 0.5 * sum(g_net)
    times = np.linspace(0.0, t_final, steps + 1)
    p, q = _affine_propagator(m_mat, up_tot.astype(complex), float(times[1] - times[0]))
    c = (basis.T * n0[None, :]) @ basis  # Uᵀ diag(n0) U
    c = c.astype(complex)
    currents = {b.name: np.empty(len(times)) for b in baths}
    pops = {nd.name: np.empty(len(times)) for nd in network.nodes}
    energy = np.empty(len(times))
    de = np.empty(len(times))
    hw_full = basis.T @ h @ basis
    # J_α = Tr[h_b (Γ↑_α − ½{G_α, C})] = Tr[h_b Γ↑_α] − Re Tr[(h_b G_α) C] for Hermitian h_b, G_α, C
    j_const = [float(np.sum(hb_w * up)) for up in g_up]
    j_lin = [(hb_w @ net).T for net in g_net]
    pm = p.conj().T
    for it in range(len(times)):
        if it:
            c = p @ c @ pm + q
            c = 0.5 * (c + c.conj().T)
        for b, j0, jl in zip(baths, j_const, j_lin):
            currents[b.name][it] = j0 - float(np.real(np.sum(jl * c)))
        occ = np.real(np.diag(c)) if approach == "local" else np.real(np.sum((basis @ c) * basis, axis=1))
        for i, nd in enumerate(network.nodes):
            pops[nd.name][it] = occ[i]
        energy[it] = float(np.real(np.sum(hb_w.T * c)))
        cdot = m_mat @ c + c @ m_mat.conj().T + up_tot
        de[it] = float(np.real(np.sum(hw_full.T * cdot)))
    if bookkeeping == "full":
        first_law = _first_law_error(de, currents)
    else:
        first_law = float("nan")
    return Evolution(
        network=network,
        approach=approach,
        bookkeeping=bookkeeping,
        engine="gaussian",
        method="affine propagator (exact)",
        structure="correlation matrix ⟨a_i† a_j⟩" + (" (normal modes)" if approach == "global" else ""),
        initial=spec,
        times=times,
        heat_currents=currents,
        populations=pops,
        energy=energy,
        entropy=None,
        trace_error=0.0,
        first_law_error=first_law,
        extra={"unknowns": n * n},
    )
