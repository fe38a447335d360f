r"""Quadratic oscillator networks in the (x, p) form: dipole and other non-number-conserving couplings.

Conventions (ħ = k_B = 1): x = (a + a†)/√2, p = i(a† − a)/√2, [x, p] = i;
r = (x_1, …, x_N, p_1, …, p_N) (block order inside this module; results use
the interleaved order x_1, p_1, x_2, … of :mod:`qheatnet.thermo.covariance`).

Quadratic form
--------------
Every quadratic coupling of two distinct oscillators with a real strength has
no x–p cross term, so H_S = ½ xᵀ V x + ½ pᵀ W p (+ const) with

=====================================  ==========================================
term                                   contribution
=====================================  ==========================================
ω_i a_i†a_i                            V_ii += ω_i, W_ii += ω_i   (− ω_i/2)
swap ε(a_i†a_j + h.c.) = ε(x_ix_j + p_ip_j)   V_ij, W_ij += ε
dipole ε(a_i + a_i†)(a_j + a_j†) = 2ε x_ix_j  V_ij += 2ε
product g(O_iO_j + h.c.)               O = α x + β p with (α, β) = (1, i)/√2 for a,
                                       (1, −i)/√2 for a†, (√2, 0) for x:
                                       V_ij += 2g Re(α_iα_j), W_ij += 2g Re(β_iβ_j)
=====================================  ==========================================

(the cross coefficients 2g Re(α_iβ_j) vanish for every pair of these
operators). A product [a, a] gives g(x_ix_j − p_ip_j), [x, x] gives 4g x_ix_j.

Ground state
------------
H_S = ½xᵀVx + ½pᵀWp has a ground state (a discrete spectrum bounded below)
iff V and W are both positive definite; then its normal modes are
Ω_k² = eig(W^{1/2} V W^{1/2}) with eigenvectors U, and

.. math:: x = M Q,\; p = \mathcal{N} P,\qquad M = W^{1/2} U Ω^{-1/2},\;
          \mathcal{N} = W^{-1/2} U Ω^{1/2} = M^{-T},

so that H_S = Σ_k Ω_k (b_k†b_k + ½) with b_k = (Q_k + iP_k)/√2, and the bath
coupling X_s = a_s + a_s† = √2 x_s = Σ_k M_sk (b_k + b_k†). For two oscillators
the condition is ε² < ω_1ω_2 (swap) and 4ε² < ω_1ω_2 (dipole).

:func:`ground_state_problem` decides the question for any network: with every
qubit in its ground state the couplings that touch a qubit vanish (each has a
σ± or n factor on it), so the oscillator-only terms alone bounding H_S from
below is necessary. Among those, quadratic terms are decided exactly (the
criterion above); a term of odd degree ≥ 3 in the oscillator operators, or a
two-node quartic n_in_j term with negative total strength, makes H_S
unbounded below (coherent states of growing amplitude along it); for other
terms of degree ≥ 4 no decision is made here (the Fock engine's cut-off
convergence test is then the safeguard).

Generators
----------
:func:`local_xp` (one dissipator per bath on its node, jumps a_s and a_s† at
ω_s: the local master equation of :mod:`qheatnet.physics.local` in this
representation) and :func:`global_xp` (Davies: jumps M_sk b_k, M_sk b_k† at
the mode frequencies Ω_k, degenerate modes grouped, as in
:func:`qheatnet.physics.davies.davies_quadratic` with U → M).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ModelError
from ..model.network import Network
from .generator import ValidityInfo

__all__ = [
    "quadratic_reason",
    "quadratic_form",
    "coupling_form",
    "coupling_entries",
    "node_form",
    "ground_state_problem",
    "check_ground_state",
    "lowest_normal_mode",
    "XPModes",
    "normal_modes_xp",
    "XPGenerator",
    "local_xp",
    "global_xp",
]

_SQ2 = np.sqrt(2.0)
#: (α, β) of O = α x + β p for each operator.
_XP = {"a": (1 / _SQ2, 1j / _SQ2), "adag": (1 / _SQ2, -1j / _SQ2), "x": (_SQ2, 0.0)}


def quadratic_reason(network: Network) -> str | None:
    """Why ``network`` is not a quadratic oscillator network (None if it is).

    Quadratic: every node an oscillator, every coupling a swap, a dipole or a product of two
    operators from a, adag, x (n is itself quadratic, so density terms and products with n are quartic
    or cubic).
    """
    if not all(k == "oscillator" for k in network.kinds):
        return "not every node is an oscillator"
    for c in network.couplings:
        if c.kind == "density":
            return f"coupling {c.label!r} (density ε n_i n_j) is quartic in the ladder operators"
        if c.kind == "product":
            assert c.operators is not None
            if len(c.nodes) != 2 or "n" in c.operators:
                degree = sum(2 if o == "n" else 1 for o in c.operators)
                return f"coupling {c.label!r} is of degree {degree} in the ladder operators"
    return None


def coupling_entries(network: Network, coupling) -> tuple[int, int, float, float]:
    """(i, j, (V_c)_ij, (W_c)_ij) of one quadratic coupling: H_c = (V_c)_ij x_ix_j + (W_c)_ij p_ip_j."""
    i, j = network.node_index(coupling.nodes[0]), network.node_index(coupling.nodes[1])
    g = coupling.strength
    if coupling.kind == "swap":
        return i, j, g, g
    if coupling.kind == "dipole":
        return i, j, 2 * g, 0.0
    (ai, bi), (aj, bj) = _XP[coupling.operators[0]], _XP[coupling.operators[1]]
    return i, j, float(2 * g * np.real(ai * aj)), float(2 * g * np.real(bi * bj))


def coupling_form(network: Network, coupling) -> tuple[np.ndarray, np.ndarray]:
    """(V_c, W_c): H_c = ½ xᵀ V_c x + ½ pᵀ W_c p of one quadratic coupling (N × N, two entries each)."""
    n = len(network.nodes)
    v = np.zeros((n, n))
    w = np.zeros((n, n))
    i, j, vij, wij = coupling_entries(network, coupling)
    v[i, j] = v[j, i] = vij
    w[i, j] = w[j, i] = wij
    return v, w


def node_form(network: Network, i: int) -> tuple[np.ndarray, np.ndarray]:
    """(V_i, W_i) of the node Hamiltonian H_i = ω_i a_i†a_i = ½ω_i(x_i² + p_i²) − ω_i/2."""
    n = len(network.nodes)
    v = np.zeros((n, n))
    v[i, i] = network.nodes[i].frequency
    return v, v.copy()


def quadratic_form(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """(V, W) with H_S = ½ xᵀ V x + ½ pᵀ W p + const (module docstring); quadratic networks only."""
    reason = quadratic_reason(network)
    if reason is not None:
        raise ModelError(f"the network is not quadratic: {reason}")
    w0 = network.frequencies
    v = np.diag(w0).astype(float)
    w = np.diag(w0).astype(float)
    for c in network.couplings:
        i, j, vij, wij = coupling_entries(network, c)
        v[i, j] += vij
        v[j, i] += vij
        w[i, j] += wij
        w[j, i] += wij
    return v, w


def _lowest(m: np.ndarray) -> float | None:
    """None when the symmetric ``m`` is positive definite (Cholesky), else its lowest eigenvalue."""
    try:
        np.linalg.cholesky(m)
        return None
    except np.linalg.LinAlgError:
        return float(np.linalg.eigvalsh(m)[0])


def _oscillator_part(network: Network) -> Network:
    """The oscillator nodes and the couplings among them only (qubits in their ground state)."""
    osc = {n.name for n in network.nodes if n.kind == "oscillator"}
    return Network(
        nodes=tuple(n for n in network.nodes if n.name in osc),
        couplings=tuple(c for c in network.couplings if all(x in osc for x in c.nodes)),
    )


def ground_state_problem(network: Network) -> str | None:
    """Why H_S has no ground state (None: it has one, or it is not decided here; module docstring)."""
    if "oscillator" not in network.kinds:
        return None
    sub = _oscillator_part(network)
    degree = {c.label: sum(2 if o == "n" else 1 for _, o in c.monomials()[0][1]) for c in sub.couplings}
    high = [c for c in sub.couplings if degree[c.label] > 2 and c.strength != 0]
    if not high:
        v, w = quadratic_form(sub.replace(couplings=[c for c in sub.couplings if degree[c.label] <= 2]))
        lv, lw = _lowest(v), _lowest(w)
        if lv is None and lw is None:
            return None
        kinds = sorted({c.kind for c in sub.couplings})
        which = "position (V)" if lv is not None else "momentum (W)"
        low = lv if lv is not None else lw
        hint = "for two oscillators: ε² ≥ ω_1ω_2 (swap), 4ε² ≥ ω_1ω_2 (dipole)"
        return (
            f"the oscillator Hamiltonian ½xᵀVx + ½pᵀWp is not positive definite: the {which} matrix has the "
            f"eigenvalue {low:.6g} ≤ 0 ({hint}; couplings: {', '.join(kinds) or 'none'})"
        )
    odd = next((c for c in high if degree[c.label] % 2 == 1), None)
    if odd is not None:
        return (
            f"coupling {odd.label!r} is of odd degree {degree[odd.label]} in the oscillator operators: H_S is "
            "unbounded below (coherent states of growing amplitude along it)"
        )
    quartic: dict[frozenset, float] = {}
    for c in high:
        if len(c.nodes) == 2 and all(o == "n" for _, o in c.monomials()[0][1]):
            quartic[frozenset(c.nodes)] = quartic.get(frozenset(c.nodes), 0.0) + 2 * sum(k for k, _ in c.monomials())
    neg = next((pair for pair, s in quartic.items() if s < 0), None)
    if neg is not None:
        return (
            f"the n_i n_j terms between oscillators {' and '.join(sorted(neg))} have total strength "
            f"{quartic[neg]:.6g} < 0: H_S is unbounded below"
        )
    return None


def check_ground_state(network: Network) -> None:
    """Raise ModelError naming the reason when :func:`ground_state_problem` finds no ground state."""
    why = ground_state_problem(network)
    if why is not None:
        raise ModelError(f"the network Hamiltonian has no ground state: {why}")


def lowest_normal_mode(network: Network) -> float:
    """Lowest normal-mode frequency of the quadratic oscillator-only part (for the Fock cut-off guess).

    Non-quadratic oscillator couplings are left out; ≤ 0 when that part has no ground state.
    """
    sub = _oscillator_part(network)
    sub = sub.replace(couplings=[c for c in sub.couplings if quadratic_reason(sub.replace(couplings=[c])) is None])
    v, w = quadratic_form(sub)
    if v.shape[0] == 0:
        return float("inf")
    if _lowest(v) is not None or _lowest(w) is not None:
        return min(float(np.linalg.eigvalsh(v)[0]), float(np.linalg.eigvalsh(w)[0]))
    return float(normal_modes_xp(v, w).omega[0])


@dataclass(frozen=True, eq=False)
class XPModes:
    """Normal modes of ½xᵀVx + ½pᵀWp: frequencies Ω (ascending), x = M Q, p = N P (module docstring)."""

    omega: np.ndarray
    M: np.ndarray
    N: np.ndarray


def _tridiagonal(m: np.ndarray) -> bool:
    n = m.shape[0]
    return n > 2 and not np.any(np.triu(m, 2))


def normal_modes_xp(v: np.ndarray, w: np.ndarray) -> XPModes:
    """Normal modes (module docstring); V and W must be positive definite (ModelError otherwise).

    W^{1/2} is diagonal for networks without swap terms in the momenta (dipole only), and the
    eigenproblem tridiagonal for chains (``eigh_tridiagonal``).
    """
    import scipy.linalg as sla

    if _lowest(v) is not None or _lowest(w) is not None:
        raise ModelError("the network Hamiltonian has no ground state (V or W is not positive definite)")
    if not np.any(w - np.diag(np.diag(w))):
        sq = np.sqrt(np.diag(w))
        s = sq[:, None] * v * sq[None, :]
        sqrt_w, isqrt_w = np.diag(sq), np.diag(1.0 / sq)
    else:
        ew, uw = np.linalg.eigh(w)
        sqrt_w = (uw * np.sqrt(ew)) @ uw.T
        isqrt_w = (uw / np.sqrt(ew)) @ uw.T
        s = sqrt_w @ v @ sqrt_w
        s = 0.5 * (s + s.T)
    if _tridiagonal(s):
        om2, u = sla.eigh_tridiagonal(np.diag(s).copy(), np.diag(s, 1).copy())
    else:
        om2, u = np.linalg.eigh(s)
    if not om2[0] > 0:
        raise ModelError(f"the network Hamiltonian has no ground state (lowest Ω² = {om2[0]:.3g})")
    om = np.sqrt(om2)
    m = (sqrt_w @ u) / np.sqrt(om)[None, :]
    nm = (isqrt_w @ u) * np.sqrt(om)[None, :]
    return XPModes(om, m, nm)


@dataclass(frozen=True, eq=False)
class XPGenerator:
    r"""A quadratic master equation in the (x, p) form (see the module docstring).

    ``V``, ``W``: the quadratic form; ``sites``: node of each bath; ``names``: bath names;
    ``emission``, ``absorption``, ``net_damping``: local (B,) at the node frequency, global (B, N) at
    the mode frequencies; ``modes``: the normal modes (global; also built for local when asked);
    ``labels``: group label of each mode (degenerate modes share one, global).

    Local: bath α on site s has jumps a_s (rate E_α) and a_s† (rate A_α). The covariance
    V_r = ½⟨{Δr, Δrᵀ}⟩ then obeys dV_r/dt = A V_r + V_r Aᵀ + D with
    A = Ω_J 𝐇 − ½ Σ_α (E_α − A_α) P_s and D = ½ Σ_α (E_α + A_α) P_s, where 𝐇 = V ⊕ W,
    Ω_J = [[0, 1], [−1, 0]] ⊗ 1 and P_s projects on (x_s, p_s)
    (:mod:`qheatnet.solvers.gaussian_xp`).
    """

    approach: str
    network: Network
    V: np.ndarray
    W: np.ndarray
    sites: np.ndarray
    names: tuple[str, ...]
    emission: np.ndarray
    absorption: np.ndarray
    net_damping: np.ndarray
    modes: XPModes | None = None
    labels: np.ndarray | None = None
    validity: ValidityInfo = field(default_factory=ValidityInfo)


def local_xp(network: Network) -> XPGenerator:
    """The local master equation of a quadratic oscillator network in the (x, p) form."""
    from .local import _local_rates, node_rates

    v, w = quadratic_form(network)
    rates = _local_rates(network)
    return XPGenerator(
        approach="local",
        network=network,
        V=v,
        W=w,
        sites=np.array([r[0] for r in rates], dtype=int),
        names=tuple(b.name for b in network.baths),
        emission=np.array([r[1] for r in rates]),
        absorption=np.array([r[2] for r in rates]),
        net_damping=np.array([r[3] for r in rates]),
        validity=ValidityInfo(node_rates=node_rates(network)),
    )


def global_xp(network: Network) -> XPGenerator:
    """The Davies generator of a quadratic oscillator network: jumps M_sk b_k at the mode frequencies Ω_k."""
    from .. import config
    from .rates import bohr_tolerance, cluster_frequencies, damping

    v, w = quadratic_form(network)
    modes = normal_modes_xp(v, w)
    omega = modes.omega
    tol = bohr_tolerance(omega)
    labels = cluster_frequencies(omega, tol)
    at = omega.copy()
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        if len(idx) > 1:
            at[idx] = float(np.mean(omega[idx]))
    sites = np.array([network.node_index(b.node) for b in network.baths], dtype=int)
    nb, n = len(sites), len(omega)
    em = np.array([b.spectrum.emission(at, b.temperature) * np.ones_like(at) for b in network.baths]).reshape(nb, n)
    ab = np.array([b.spectrum.absorption(at, b.temperature) * np.ones_like(at) for b in network.baths]).reshape(nb, n)
    dm = np.array([damping(b.spectrum, at, b.temperature) * np.ones_like(at) for b in network.baths]).reshape(nb, n)
    min_gap = np.inf
    max_rate = 0.0
    for a, s in enumerate(sites):
        amp = np.abs(modes.M[s])
        coupled = amp > config.JUMP_DROP_RTOL * np.max(amp)
        reps = np.sort(omega[coupled])
        reps = reps[np.concatenate([[True], np.diff(reps) > tol])] if len(reps) else reps
        if len(reps) > 1:
            min_gap = min(min_gap, float(np.min(np.diff(reps))))
        if np.any(coupled):
            max_rate = max(max_rate, float(np.max(em[a][coupled] + ab[a][coupled])))
    return XPGenerator(
        approach="global",
        network=network,
        V=v,
        W=w,
        sites=sites,
        names=tuple(b.name for b in network.baths),
        emission=em,
        absorption=ab,
        net_damping=dm,
        modes=modes,
        labels=labels,
        validity=ValidityInfo(min_bohr_gap=min_gap, max_rate=max_rate),
    )
