r"""Transients: ρ(t) from a product initial state, and the heat currents J_α(t).

Conventions: ħ = k_B = 1; J_α(t) = Tr[H 𝓛_α ρ(t)] > 0 when energy flows
from bath α into the network at time t (eq. 5 of Levy & Kosloff 2014,
evaluated out of steady state). The first law holds at every instant,
d⟨H⟩/dt = Σ_α J_α(t) (full bookkeeping), and is reported as a check.

Engines (chosen as for steady states, :mod:`qheatnet.engines.choose`): the
generic sparse Liouvillian (``fock``; local or global generator, oscillators
truncated at total excitation K, :mod:`qheatnet.engines.fock`). The initial state is a product of node
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
from typing import Any

import numpy as np

from .. import checks
from ..errors import ValidationError
from ..model.network import Network
from .results import Evolution
from .solve import check_problem

__all__ = ["Evolution", "evolve", "initial_state_spec", "METHODS", "EVOLVE_APPROACHES"]

METHODS = ("auto", "dense", "krylov")
#: Approaches with transients (the exact reference has none).
EVOLVE_APPROACHES: tuple[str, ...] = ("local", "global")


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
    out: dict[str, dict[str, float]] = {n: {"fock": 0} for n in names}
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
        Total oscillator excitation K (the Fock engine needs it when the network has oscillators).
    method : {"auto", "dense", "krylov"}
        Propagator of the Fock engine (see :mod:`qheatnet.solvers.propagate`); "auto" is dense up to
        DENSE_MAX_UNKNOWNS unknowns.
    engine : {"auto", "fock", "free-fermion", "rate-equation", "gaussian"}
        Chosen as for steady states (:mod:`qheatnet.engines.choose`): "auto" takes free-fermion for the
        local equation of an XX qubit chain with end baths, gaussian for oscillator networks, else fock;
        giving ``cutoff`` or ``method`` asks for the Fock engine (only it takes them). "rate-equation"
        (global, qubits; only when named): the Pauli equation for the eigenstate populations — exact for
        J_α(t) and ⟨H⟩(t), which do not depend on the coherences when the rate equation holds, but
        without node populations (they do).

    Returns
    -------
    Evolution

    Examples
    --------
    >>> from qheatnet import Network, Flat, evolve
    >>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.05))
    >>> ev = evolve(net, "global", t_final=50.0, steps=10, initial=3.0)
    >>> bool(ev.heat_currents["cold"][0] < 0)  # the network starts hotter than the cold bath
    True
    """
    from ..engines.base import Problem, TransientPlan
    from ..engines.choose import run_transient
    from ..physics.davies import check_bounded_below

    check_problem(network, approach, bookkeeping, EVOLVE_APPROACHES)
    if isinstance(t_final, bool) or not checks.is_number(t_final) or not (t_final > 0) or not math.isfinite(t_final):
        raise ValidationError("t_final", f"must be a finite number > 0, got {t_final!r}")
    steps = checks.integer("steps", steps, minimum=1)
    checks.choice("method", method, METHODS)
    options: dict[str, Any] = {}
    if cutoff is not None:
        options["cutoff"] = cutoff
    if method != "auto":
        options["method"] = method
    if approach == "global":
        check_bounded_below(network)
    spec = initial_state_spec(network, initial)
    plan = TransientPlan(times=np.linspace(0.0, float(t_final), steps + 1), initial=spec)
    ran = run_transient(Problem(network, approach, bookkeeping), plan, engine, options)
    out = ran.output
    extra: dict[str, Any] = {"unknowns": out.unknowns}
    if out.steady_heat_currents is not None:
        extra["steady_heat_currents"] = out.steady_heat_currents
    return Evolution(
        network=network,
        approach=approach,
        bookkeeping=bookkeeping,
        engine=ran.engine.name,
        method=out.method,
        structure=out.structure,
        initial=spec,
        times=plan.times,
        heat_currents=out.heat_currents,
        populations=out.populations,
        energy=out.energy,
        entropy=out.entropy,
        trace_error=out.trace_error,
        first_law_error=out.first_law_error,
        truncated_weight=out.truncated_weight,
        extra=extra,
    )
