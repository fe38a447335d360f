r"""Hierarchical equations of motion (HEOM): exact steady states of networks with Drude–Lorentz baths.

Needs the optional extra ``pip install 'qheatnet[heom]'`` (QuTiP ≥ 5, used
for the exponential expansion of the bath correlation functions); QuTiP is
imported only when a HEOM problem is solved.

What HEOM includes that the master equations drop
-------------------------------------------------
The local and global (Davies) master equations are second order in the
system–bath coupling, Markovian (the bath forgets instantly) and, for the
global one, secular. They drop (i) the Lamb shift and every other
renormalisation of the network by the baths, (ii) non-Markovian effects (the
finite bath memory time 1/γ of a Drude–Lorentz bath), (iii) the system–bath
correlations of the steady state (ρ_tot ≠ ρ_S ⊗ ρ_B) and (iv) every process
of higher order in the coupling, e.g. co-tunnelling of energy between baths.
The HEOM (Tanimura & Kubo 1989; Tanimura, J. Chem. Phys. 153, 020901 (2020))
keeps all of them: for a Gaussian bath whose correlation function is a sum of
exponentials, the reduced dynamics is *exactly* the hierarchy below. The
approximations are the truncation of the hierarchy (depth), of the
exponential expansion (number of Padé or Matsubara terms) and the white-noise
treatment of the expansion's remainder (the terminator); the first two are
converged here automatically, and the third vanishes with the second.

Model and bath mapping (ħ = k_B = 1)
------------------------------------
.. math:: H = H_S + \sum_α \bigl[H_{B,α} + X_α ⊗ B_α + λ_α X_α^2\bigr],
   \qquad B_α = \sum_k g_{αk}(b_{αk} + b_{αk}^†),

with H_S the network Hamiltonian (nodes and swap couplings, the "full"
bookkeeping of qheatnet.thermo.currents) and X_α = a + a† of the node of bath α (σx for a
qubit). QuTiP's Drude–Lorentz bath is defined by its spectral density
J_Q(ω) = π Σ_k g_k² δ(ω − ω_k) = 2λγω/(ω² + γ²), and its correlation function

.. math:: C(t) = ⟨B(t)B(0)⟩ = \frac1π\int_0^∞ J_Q(ω)\,
   [\coth(ω/2T)\cos ωt − i \sin ωt]\,dω,

whose Fourier transform (QuTiP's power spectrum) is S(ω) = ∫ e^{iωt} C(t) dt
= 2 J_Q(ω)(1 + n_T(ω)) for ω > 0. Golden rule: a transition of the network
that lowers its energy by ω through the component A(ω) of X has the rate
S(ω)|⟨f|A(ω)|i⟩|², so S(ω) is the emission rate γ(ω) of the master
equations (their dissipator γ(ω) D[A(ω)]). qheatnet's emission rate is
γ(ω) = J(ω)(1 + n_T(ω)) with J(ω) = κ ω ω_c²/(ω² + ω_c²)
(:class:`~qheatnet.model.spectra.DrudeLorentz`). Equating the two,
J(ω) = 2 J_Q(ω) = 4λγω/(ω² + γ²), i.e.

.. math:: ω_c = γ, \qquad κ = 4λ/γ \quad (λ = κ ω_c / 4),

the mapping derived above. It is tested by the weak-coupling limits
(HEOM → global for detuned qubits, → local for resonant ones) and by
comparing QuTiP's power spectrum with ``DrudeLorentz.emission``.

Counter-term. λ_α X_α² (Caldeira–Leggett, λ_α = (1/π)∫ J_Q/ω dω, the
reorganisation energy) cancels the static frequency shift of the node by
its bath, exactly as in :mod:`qheatnet.solvers.exact` (whose ½ μ_α X² has
μ_α = (1/π)∫ J/ω dω = κω_c/2 = 2λ_α). For a qubit X² = 1 and it is a
constant; for an oscillator it keeps the bare frequency, so that HEOM on a
truncated oscillator network converges to ``exact``. Dynamical (frequency
dependent) Lamb shifts remain: they are part of the exact answer.

Exponential expansion. C(t) = Σ_k (c^R_k + i c^I_k) e^{−ν_k t} (t > 0):
the imaginary part is one term (c^I = −λγ, ν = γ); the real part has the
term at ν = γ and ``terms`` Padé (Ozaki; Hu, Xu & Yan, J. Chem. Phys. 134,
244106 (2011)) or Matsubara poles, taken from QuTiP's
``DrudeLorentzEnvironment.approximate``. The remainder of the real part is
treated as white noise 2δ_α δ(t), δ_α = 2λT/γ − Σ_k c^R_k/ν_k (Ishizaki &
Tanimura's terminator): it adds −δ_α[X_α, [X_α, ·]] to every ADO.

The hierarchy
-------------
With multi-indices n over all exponents of all baths (depth |n| ≤ D) and
rescaled ADOs ρ̃_n (ρ_n = ρ̃_n Π_k √(n_k!) |c_k|^{n_k/2}; Shi et al., J. Chem.
Phys. 130, 084105 (2009) — an exact change of variables that keeps the
entries O(1)),

.. math:: \dot{ρ̃}_n = \Bigl(𝓛_S − \sum_k n_k ν_k\Bigr) ρ̃_n
   − i \sum_k \sqrt{(n_k+1)|c_k|}\,[X_k, ρ̃_{n+e_k}]
   + \sum_k \sqrt{n_k/|c_k|}\,\bigl(−i c^R_k [X_k, ρ̃_{n−e_k}]
   + c^I_k \{X_k, ρ̃_{n−e_k}\}\bigr),

𝓛_S = −i[H_S + Σ_α λ_α X_α², ·] − Σ_α δ_α [X_α, [X_α, ·]], ρ_0 the reduced
density matrix. This is the hierarchy QuTiP's ``HEOMSolver`` builds (without
the rescaling), so the two can be compared term by term.

Three structures make the solve cheap, none an approximation:

* every c_k, ν_k is real, so each ADO is Hermitian and the hierarchy is a
  *real* linear system in an orthonormal basis of Hermitian matrices (E_ii,
  (E_ij + E_ji)/√2, i(E_ij − E_ji)/√2);
* parity: with Π = (−1)^{Σ_i n_i} (Π σz for qubits), [H_S, Π] = 0 and
  {X_α, Π} = 0 for swap networks, so ρ̃_n lives in the sector Π ρ̃_n Π =
  (−1)^{|n|} ρ̃_n — half the unknowns (checked numerically; skipped if the
  symmetry does not hold);
* a sparse LU (SuperLU, symmetric-mode ordering of A + Aᵀ) with one BLAS
  thread (threadpoolctl).

The trace condition Tr ρ_0 = 1 replaces the equation of (ρ_0)_{00}.

Heat currents (Kato & Tanimura, J. Chem. Phys. 145, 224105 (2016))
------------------------------------------------------------------
J_α > 0 when energy flows from bath α into the network. Two expressions:

*bath side*, J_α = −d⟨H_{B,α}⟩/dt = ⟨X_α ⊗ Ḃ_α⟩ (Ḃ = i[H_B, B]): the time
derivative acting on the bath operator of the first-tier ADOs multiplies the
exponent k by −ν_k; the discontinuity C(0⁺) − C(0) = i Σ_k c^I_k and the
white-noise remainder add

.. math:: J_α^B = −\sum_{k∈α} ν_k \mathrm{Tr}[X_α ρ_{e_k}]
   + 2 \sum_{k∈α} c^I_k\, \mathrm{Tr}[X_α^2 ρ_0]
   − δ_α \mathrm{Tr}\bigl[[[H_S, X_α], X_α]\, ρ_0\bigr];

*system side*, J_α^S = d⟨H_S⟩/dt due to bath α = Tr[H_S 𝓛_α(ρ)] with 𝓛_α
the terms of bath α in the equation of ρ_0:

.. math:: J_α^S = −i \sum_{k∈α} \mathrm{Tr}\bigl[[H_S, X_α] ρ_{e_k}\bigr]
   − δ_α \mathrm{Tr}\bigl[[[H_S, X_α], X_α]\, ρ_0\bigr].

The two agree at *any* steady state of the truncated hierarchy when the
coupling operators commute (the trace of the first-tier equations with X_α
is exactly J^B − J^S), and Σ_α J_α^S = Tr[H_S ρ̇_0] = 0 likewise; so their
disagreement and |Σ_α J_α| measure the linear solve and the bookkeeping, not
the truncation. The truncation error is estimated by convergence.

Convergence rule
----------------
:func:`converged_heom` refines from (depth, terms) = (``start_depth`` = 2,
``start_terms`` = 0). A step between two solves is *within tolerance* when
every |ΔJ_α| ≤ max(rtol · max_α |J_α|, atol, f), f = condition × eps × gross
exchange being the round-off of J (so that vanishing currents, at equal
temperatures, are not chased into the noise), and the populations change by
max_i |Δ⟨n_i⟩| ≤ rtol · max_i ⟨n_i⟩ (with one bath or at equal temperatures
the currents vanish at every truncation and only the state shows it); its
size is reported as max_α |ΔJ_α| / max_α |J_α|.

(0) At depth 2 (cheap) expansion terms are added while one more is not
within tolerance: at low temperature the first poles carry most of the
correlation function, and too few leave a negative terminator δ (an
unphysical anti-dissipator) that no depth repairs. This only pre-conditions.
(1) From D = 3, the depth pair (D, D + 1) is accepted when the step D → D + 1
is within tolerance and the step D − 1 → D within 10× the tolerance (one
accidentally small step of an alternating sequence is not convergence);
otherwise D is raised. (2) Then one expansion term is added at depth
max(3, D − 1) (cheaper; the change it measures was found independent of the
depth to ~10 % from depth 3 on — at depth 2 it was 3× smaller in one case); if that step
is not within tolerance, the term is kept and (1) is repeated. The result is
the solve at (D + 1, terms); ``error_estimate`` is the larger of its depth
step and terms step. The result thus has depth ≥ 4.

Each solve is refused before anything is allocated when its memory estimate
exceeds ``memory_limit`` (ConvergenceError naming the estimate), and running
out of ``max_depth``/``max_terms`` raises ConvergenceError with what was
reached. No rule of this kind is a proof: the estimate assumes the truncation
error is dominated by the last step, which held in every sequence measured
(two to four qubits, λ ≤ 0.4, T ≥ 0.35 ω).

References
----------
* Y. Tanimura and R. Kubo, J. Phys. Soc. Jpn. 58, 101 (1989).
* A. Ishizaki and Y. Tanimura, J. Phys. Soc. Jpn. 74, 3131 (2005) (terminator).
* A. Kato and Y. Tanimura, J. Chem. Phys. 143, 064107 (2015) (two qubits);
  J. Chem. Phys. 145, 224105 (2016) (heat currents from the ADOs).
* N. Lambert et al., Phys. Rev. Research 5, 013181 (2023) (QuTiP's HEOM, BoFiN).

Examples
--------
>>> from qheatnet import Network, DrudeLorentz
>>> from qheatnet.solvers.heom import heom_problem, converged_heom
>>> net = Network.two_node("qubit", 1.0, 1.0, 0.1, 2.02, 1.98, DrudeLorentz(0.05, 2.0))
>>> res = converged_heom(heom_problem(net))  # doctest: +SKIP
>>> res.heat_currents["hot"] > 0, res.error_estimate <= 1e-3  # doctest: +SKIP
(True, True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import ConvergenceError, ModelError, ValidationError
from ..model.network import Network
from ..model.spectra import DrudeLorentz

__all__ = [
    "HeomBath",
    "HeomProblem",
    "HeomResult",
    "heom_problem",
    "heom_steady_state",
    "converged_heom",
    "bath_exponents",
    "count_ados",
    "estimate_memory",
    "qutip_lambda",
    "MEMORY_LIMIT",
    "RTOL",
]

Expansion = Literal["pade", "matsubara"]

#: Relative tolerance of the automatic convergence (issue 10 asks for 1e-3).
RTOL = 1e-3
#: Largest memory (bytes) a single HEOM solve may be estimated to need; larger refinements are refused.
#: 4 GiB leaves room for two such solves on the 24 GB machines of MEASURED.md.
MEMORY_LIMIT = 4 * 2**30
#: Default limits of the convergence loop. Depth 30 / 8 Padé terms are far beyond what a qubit network
#: at T ≳ 0.3 ω needs (measured: depth ≤ 12, ≤ 3 terms); the memory limit usually stops earlier.
MAX_DEPTH = 30
MAX_TERMS = 8
#: Starting point of the convergence loop: depth 2 is the lowest at which a depth step tests more than
#: second order in the coupling; zero Padé terms (the pole at γ plus the terminator) is exact at high T.
#: The accepted result has depth ≥ START_DEPTH + 2 (see "Convergence rule").
START_DEPTH = 2
START_TERMS = 0
#: A steady state whose relative residual ‖Mx‖_∞/(‖M‖_∞‖x‖_∞) exceeds this is refused. The hierarchy is
#: well scaled (rescaled ADOs); measured residuals are 1e-17 … 1e-15.
RESIDUAL_TOL = 1e-10
#: Bath-side and system-side currents agree identically at the steady state, and Σ_α J_α = 0 (see the
#: module docstring): a disagreement above CONSISTENCY_TOL × max|J| plus the round-off bound
#: ROUNDOFF_FACTOR × condition × eps × gross exchange means the solve or the bookkeeping failed.
#: Measured: ≤ 1e-11 of |J| when J is not small, ≤ 1e-14 of the gross exchange when J ≈ 0.
CONSISTENCY_TOL = 1e-7
ROUNDOFF_FACTOR = 100.0
#: Uniqueness: the 1-norm condition number of the bordered steady-state matrix. A kernel of dimension
#: > 1 makes it singular (∞ in floating point: > 1e15); unique states of the networks measured here
#: have 1e2 … 1e7. Above this the state is refused as not unique (or not resolvable in double precision).
CONDITION_LIMIT = 1e12
#: Eigenvalues of ρ below −POSITIVITY_TOL are reported (diagnostic); below −rtol the converged solver
#: refuses the state. A converged hierarchy is positive to round-off (measured ≥ −1e-13).
POSITIVITY_TOL = 1e-8
#: Round-off floor of the convergence test: changes of J below ROUNDOFF_FLOOR × condition × eps × gross
#: exchange (the terms of size Σ_k |ν_k Tr[X ρ_{e_k}]| that cancel in J) count as converged, so that
#: vanishing currents (equal temperatures) are not chased into the noise. A floor set too high accepts
#: unconverged small currents (measured: 1e-10 × gross accepted a current of 4e-9 × gross 2 % off, and
#: 10 × condition × eps × gross one of 8e-8 × gross 1.5e-3 off), so it is the bare round-off bound.
ROUNDOFF_FLOOR = 1.0
#: Depth acceptance: the step D → D+1 must be within rtol and the step D−1 → D within this many rtol,
#: so that one accidentally small step of an alternating sequence is not taken for convergence
#: (measured, two qubits, λ = 0.4: steps 2.8e-3, 1.3e-2, 1.3e-2, 3.2e-3, 4.7e-4 from depth 2).
PREVIOUS_STEP_RATIO = 10.0
#: Memory model of the sparse LU (see :func:`estimate_memory`): bytes of resident memory per factor
#: entry (measured 10–11) and the two fill coefficients (fitted upper bounds, see there).
LU_BYTES_PER_ENTRY = 12
LU_FILL_TOP = 0.8
LU_FILL_BAND = 1.5
#: The expansion-terms step of the convergence loop is measured this many levels below the lower
#: depth of the accepted depth pair (but never below START_DEPTH + 1). Its cost falls by the ratio of
#: ADO counts (10× for two qubits at depth 5, 3 terms), and the change it measures hardly depends on
#: the depth from depth 3 on: two qubits, λ = 0.2, ε = 0.1: terms 1→2 changed J by 1.52e-3 at depth 4
#: and 1.54e-3 at depth 5, terms 2→3 by 1.8e-4 at both; ε = 1e-3: terms 0→1 by 2.8 %, 2.5 %, 2.5 % at
#: depths 3, 4, 5 — but by 1.0 % at depth 2, which is why depth 2 is never used for it.
TERMS_CHECK_DEPTH_DROP = 1
SUPERLU_PIVOT_THRESHOLD = 0.01
SUPERLU_ORDERING = "MMD_AT_PLUS_A"


def _require_qutip():
    try:
        import qutip  # noqa: F401
        from qutip.core.environment import DrudeLorentzEnvironment
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("the HEOM approach needs QuTiP ≥ 5: pip install 'qheatnet[heom]'") from exc
    return DrudeLorentzEnvironment


def qutip_lambda(spectrum: DrudeLorentz) -> tuple[float, float]:
    """QuTiP's (λ, γ) of a qheatnet Drude–Lorentz spectrum: λ = κ ω_c / 4, γ = ω_c (module docstring)."""
    return spectrum.kappa * spectrum.cutoff / 4.0, spectrum.cutoff


# --------------------------------------------------------------------------- problem


@dataclass(frozen=True, eq=False)
class HeomBath:
    """One Drude–Lorentz bath in QuTiP's parameters, coupled through ``coupling`` = X of its node."""

    name: str
    node: str
    lam: float
    gamma: float
    temperature: float
    coupling: np.ndarray = field(repr=False)


@dataclass(frozen=True, eq=False)
class HeomProblem:
    """A network ready for the HEOM: dense operators in the tensor-product basis of its nodes.

    Attributes
    ----------
    network : Network
    cutoff : int or None, quanta per oscillator (None for qubit networks)
    hamiltonian : (d, d) real array, H_S (nodes and couplings)
    counter_term : (d, d) real array, Σ_α λ_α X_α²
    baths : tuple of HeomBath
    number_ops : dict node name → (d,) occupation of each basis state
    parity : (d,) array of ±1 if the parity symmetry holds, else None
    states : (d, n_nodes) occupations of the basis states (node 0 most significant, QuTiP's order)
    """

    network: Network
    cutoff: int | None
    hamiltonian: np.ndarray = field(repr=False)
    counter_term: np.ndarray = field(repr=False)
    baths: tuple
    number_ops: dict = field(repr=False)
    parity: np.ndarray | None = field(repr=False)
    states: np.ndarray | None = field(repr=False, default=None)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def dim(self) -> int:
        return self.hamiltonian.shape[0]


def _product_basis(levels: list[int]):
    """Occupations of the tensor-product basis (node 0 most significant) and the lowering operators."""
    grids = np.meshgrid(*[np.arange(n) for n in levels], indexing="ij")
    states = np.stack([g.ravel() for g in grids], axis=1)
    lowering = []
    for i, n in enumerate(levels):
        a = np.diag(np.sqrt(np.arange(1, n)), 1)  # a|k⟩ = √k |k−1⟩ (σ⁻ for n = 2)
        ops: list[np.ndarray] = [np.eye(m) for m in levels]
        ops[i] = a
        full = ops[0]
        for o in ops[1:]:
            full = np.kron(full, o)
        lowering.append(full)
    return states, lowering


def heom_problem(network: Network, *, cutoff: int | None = None) -> HeomProblem:
    """Check that ``network`` can be solved by the HEOM and build its operators.

    The Hilbert space is the tensor product of the nodes (qubits: 2 levels; oscillators: the
    levels 0 … ``cutoff``), node 0 the most significant factor as in QuTiP. Note that ``cutoff``
    bounds the quanta of *each* oscillator, not their total as the Fock engine's K does: in a
    product space the coupling operators X_α of different nodes commute exactly, which the heat
    current identities (bath side = system side, Σ_α J_α = 0) and the counter-terms need; with a
    total-excitation cut-off they fail at the boundary of the space.

    Parameters
    ----------
    network : Network
        Qubits (any graph of swap couplings) and, as a cross-check of the ``exact`` approach,
        oscillators truncated at ``cutoff`` quanta each. Every bath must be ``drude_lorentz`` at
        T > 0.
    cutoff : int, optional
        Largest number of quanta of each oscillator (required when the network has oscillators).

    Returns
    -------
    HeomProblem

    Raises
    ------
    ModelError
        A bath that is not Drude–Lorentz, a bath at T = 0, no bath, a coupling that is not a swap,
        or oscillators without a cut-off.
    ValidationError
        A cut-off that is not an integer ≥ 1.
    """
    if not isinstance(network, Network):
        raise ValidationError("network", f"must be a Network, got {type(network).__name__}")
    if not network.baths:
        raise ModelError("heom: the network has no bath; a steady state needs at least one")
    for i, bath in enumerate(network.baths):
        if not isinstance(bath.spectrum, DrudeLorentz):
            raise ModelError(
                "heom: networks of qubits (or oscillators with a Fock cut-off) with drude_lorentz baths only; "
                f"bath {bath.name!r} (baths[{i}]) has spectrum kind {bath.spectrum.kind!r}"
            )
        if bath.temperature <= 0:
            raise ModelError(
                f"heom: bath {bath.name!r} (baths[{i}]) is at T = 0, where the exponential expansion of the "
                "Drude–Lorentz correlation function does not exist; use T > 0"
            )
    for i, c in enumerate(network.couplings):
        kind = getattr(c, "kind", "swap")
        if kind != "swap":
            raise ModelError(f"heom: only swap couplings are supported; couplings[{i}] is {kind!r}")
    if "oscillator" in network.kinds:
        if cutoff is None:
            raise ModelError(
                "heom: a network with oscillators needs a Fock cut-off (cutoff = quanta per oscillator); "
                "for the exact answer of a linear oscillator network use the 'exact' approach"
            )
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1:
            raise ValidationError("cutoff", f"must be an integer ≥ 1, got {cutoff!r}")
        cutoff = int(cutoff)
    else:
        cutoff = None
    levels = [2 if node.kind == "qubit" else int(cutoff or 0) + 1 for node in network.nodes]
    states, low = _product_basis(levels)
    h = sum(node.frequency * (a.T @ a) for node, a in zip(network.nodes, low))
    for c in network.couplings:
        i, j = network.node_index(c.nodes[0]), network.node_index(c.nodes[1])
        hop = low[i].T @ low[j]
        h = h + c.strength * (hop + hop.T)
    baths, counter = [], np.zeros_like(h)
    for bath in network.baths:
        a = low[network.node_index(bath.node)]
        x = a + a.T
        assert isinstance(bath.spectrum, DrudeLorentz)  # checked above
        lam, gamma = qutip_lambda(bath.spectrum)
        baths.append(HeomBath(bath.name, bath.node, lam, gamma, bath.temperature, x))
        counter += lam * (x @ x)
    parity = (-1.0) ** states.sum(axis=1)
    if not (
        np.array_equal(h * parity[:, None], h * parity[None, :])
        and all(np.array_equal(b.coupling * parity[:, None], -b.coupling * parity[None, :]) for b in baths)
    ):
        parity = None  # no parity symmetry: solve in the full space
    numbers = {node.name: states[:, i].astype(float) for i, node in enumerate(network.nodes)}
    return HeomProblem(network, cutoff, h, counter, tuple(baths), numbers, parity, states)


# --------------------------------------------------------------------------- bath expansion


@dataclass(frozen=True)
class _Exponents:
    bath: np.ndarray  # (K,) index of the bath of each exponent
    nu: np.ndarray
    c_re: np.ndarray
    c_im: np.ndarray
    delta: np.ndarray  # (n_baths,) terminator strengths


def bath_exponents(bath: HeomBath, terms: int, expansion: Expansion = "pade"):
    """Exponents of C(t) = Σ_k (c^R_k + i c^I_k) e^{−ν_k t} and the terminator δ of one bath.

    Returns
    -------
    nu, c_re, c_im : arrays
    delta : float
        Strength of the white-noise remainder 2δ·δ(t) of Re C(t).
    """
    env_cls = _require_qutip()
    env = env_cls(bath.temperature, bath.lam, bath.gamma)
    approx, delta = env.approximate(expansion, Nk=int(terms), combine=True, compute_delta=True)
    nu, cr, ci = [], [], []
    for e in approx.exponents:
        kind = e.type.name
        if kind == "R":
            re, im = e.ck, 0.0
        elif kind == "I":
            re, im = 0.0, e.ck
        elif kind == "RI":
            re, im = e.ck, e.ck2
        else:  # pragma: no cover - bosonic environments have only R, I, RI
            raise ModelError(f"heom: unexpected exponent type {kind!r}")
        for v in (e.vk, re, im):
            if abs(complex(v).imag) > 1e-12 * max(1.0, abs(complex(v))):
                raise ModelError("heom: complex expansion coefficients are not supported by the real-basis solve")
        nu.append(float(np.real(e.vk)))
        cr.append(float(np.real(re)))
        ci.append(float(np.real(im)))
    if not all(math.isfinite(v) for v in (*nu, *cr, *ci)):
        raise ModelError(
            f"heom: the {expansion} expansion of bath {bath.name!r} has non-finite coefficients "
            f"(γ = {bath.gamma:g} coincides with a pole at T = {bath.temperature:g}); use the other expansion"
        )
    delta = complex(delta)
    if abs(delta.imag) > 1e-9 * max(abs(delta.real), bath.lam):
        raise ModelError(f"heom: the terminator of bath {bath.name!r} is complex ({delta}); cannot be used")
    return np.array(nu), np.array(cr), np.array(ci), float(delta.real)


def _all_exponents(problem: HeomProblem, terms: int, expansion: Expansion) -> _Exponents:
    key = ("exponents", int(terms), expansion)
    if key in problem._cache:
        return problem._cache[key]
    b, nu, cr, ci, delta = [], [], [], [], []
    for i, bath in enumerate(problem.baths):
        n, r, m, d = bath_exponents(bath, terms, expansion)
        b += [i] * len(n)
        nu.append(n)
        cr.append(r)
        ci.append(m)
        delta.append(d)
    out = _Exponents(np.array(b), np.concatenate(nu), np.concatenate(cr), np.concatenate(ci), np.array(delta))
    problem._cache[key] = out
    return out


def _n_exponents(problem: HeomProblem, terms: int) -> int:
    """Exponents per bath after combining: the pole at γ (real and imaginary parts) + ``terms`` poles."""
    return len(problem.baths) * (1 + int(terms))


def count_ados(n_exponents: int, depth: int) -> int:
    """Number of auxiliary density operators: C(K + D, D) multi-indices of K exponents with |n| ≤ D."""
    return math.comb(int(n_exponents) + int(depth), int(depth))


def _level_counts(n_exponents: int, depth: int) -> np.ndarray:
    """ADOs at each level l = 0 … D: C(l + K − 1, K − 1)."""
    return np.array([math.comb(lev + n_exponents - 1, n_exponents - 1) for lev in range(depth + 1)])


# --------------------------------------------------------------------------- real Hermitian basis


@dataclass(frozen=True, eq=False)
class _Basis:
    """Orthonormal basis of Hermitian d×d matrices split by parity sector.

    ``unitary`` has vec(B_a) as column a (column-stacking vec); ``sectors[s]`` lists the basis indices of
    superparity s (0: even, 1: odd), the diagonal elements first in the even sector.
    """

    dim: int
    unitary: sp.csr_matrix
    sectors: tuple
    n_diag: int


def _hermitian_basis(d: int, parity: np.ndarray | None) -> _Basis:
    rows: list[int] = []
    cols: list[int] = []
    vals: list[complex] = []
    par: list[float] = []
    a = 0
    s2 = 1.0 / math.sqrt(2.0)
    p = np.ones(d) if parity is None else parity
    for i in range(d):
        rows.append(i + i * d)
        cols.append(a)
        vals.append(1.0)
        par.append(1.0)
        a += 1
    for i in range(d):
        for j in range(i + 1, d):
            rows += [i + j * d, j + i * d]
            cols += [a, a]
            vals += [s2, s2]
            rows += [i + j * d, j + i * d]
            cols += [a + 1, a + 1]
            vals += [1j * s2, -1j * s2]
            par += [p[i] * p[j]] * 2
            a += 2
    unitary = sp.csr_matrix((np.array(vals, complex), (rows, cols)), shape=(d * d, d * d))
    signs = np.array(par)
    if parity is None:
        sectors = (np.arange(d * d), np.arange(d * d))
    else:
        sectors = (np.nonzero(signs > 0)[0], np.nonzero(signs < 0)[0])
    return _Basis(d, unitary, sectors, d)


def _real_superop(basis: _Basis, superop: sp.spmatrix) -> sp.csr_matrix:
    """U† S U for a superoperator that maps Hermitian matrices to Hermitian ones (real, checked)."""
    u = basis.unitary
    r = (u.conj().T @ sp.csr_matrix(superop) @ u).tocsr()
    scale = max(float(np.max(np.abs(r.data), initial=0.0)), 1.0)
    if r.nnz and float(np.max(np.abs(r.data.imag))) > 1e-12 * scale:
        raise ModelError("heom: a superoperator does not preserve Hermiticity (complex real-basis form)")
    r = sp.csr_matrix(r.real)
    r.eliminate_zeros()
    return r


def _spre(a):
    return sp.kron(sp.identity(a.shape[0]), sp.csr_matrix(a), format="csr")


def _spost(a):
    return sp.kron(sp.csr_matrix(a).T, sp.identity(a.shape[0]), format="csr")


def _commutator(a):
    return _spre(a) - _spost(a)


def _anticommutator(a):
    return _spre(a) + _spost(a)


# --------------------------------------------------------------------------- hierarchy


def _labels(n_exp: int, depth: int) -> np.ndarray:
    """All multi-indices with |n| ≤ depth, ordered by level (row 0 is the zero label)."""
    levels = [np.zeros((1, n_exp), dtype=np.int64)]
    last = [np.full(1, 0, dtype=np.int64)]  # smallest exponent index that may still be raised
    for _ in range(depth):
        prev, start = levels[-1], last[-1]
        new, new_start = [], []
        for k in range(n_exp):
            sel = start <= k
            if not np.any(sel):
                continue
            lab = prev[sel].copy()
            lab[:, k] += 1
            new.append(lab)
            new_start.append(np.full(len(lab), k, dtype=np.int64))
        levels.append(np.concatenate(new))
        last.append(np.concatenate(new_start))
    return np.concatenate(levels)


def _codes(labels: np.ndarray, base: int) -> np.ndarray:
    weights = base ** np.arange(labels.shape[1], dtype=np.int64)
    return labels @ weights


@dataclass(frozen=True, eq=False)
class _Hierarchy:
    matrix: sp.csc_matrix  # with the trace row in place of row 0
    residual_matrix: sp.csr_matrix  # the generator itself (for the residual)
    offsets: np.ndarray  # start of each ADO in the unknown vector
    sizes: np.ndarray
    labels: np.ndarray
    first_tier: np.ndarray  # ADO index of e_k for each exponent k
    basis: _Basis


def _place(block: sp.coo_matrix, row_off, col_off, weight):
    """Copies of ``block`` at (row_off[i], col_off[i]) scaled by weight[i], as COO triplets."""
    if block.nnz == 0 or len(row_off) == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e, np.zeros(0)
    r = (row_off[:, None] + block.row[None, :]).ravel()
    c = (col_off[:, None] + block.col[None, :]).ravel()
    v = (weight[:, None] * block.data[None, :]).ravel()
    return r, c, v


@dataclass(frozen=True, eq=False)
class _Blocks:
    """Real-basis superoperator blocks of a problem, restricted to parity sectors (built once per problem).

    ``hamiltonian[s]``: −i[H_S + counter-term, ·] from sector s to s; ``dissipator[b][s]``:
    −[X_b, [X_b, ·]] (the terminator shape); ``comm[b][(s, t)]``: −i[X_b, ·] from sector t to s;
    ``anti[b][(s, t)]``: {X_b, ·} from sector t to s.
    """

    basis: _Basis
    hamiltonian: tuple
    dissipator: tuple
    comm: tuple
    anti: tuple


def _blocks(problem: HeomProblem) -> _Blocks:
    cached = problem._cache.get("blocks")
    if cached is not None:
        return cached
    basis = _hermitian_basis(problem.dim, problem.parity)
    sec = basis.sectors

    def sub(m, s, t):
        return sp.csr_matrix(m[sec[s]][:, sec[t]])

    pairs = ((0, 1), (1, 0)) if problem.parity is not None else ((0, 0),)
    lh = _real_superop(basis, -1j * _commutator(problem.hamiltonian + problem.counter_term))
    ham = tuple(sub(lh, s, s) for s in (0, 1))
    diss, comm, anti = [], [], []
    for bath in problem.baths:
        c = _commutator(bath.coupling)
        dr = _real_superop(basis, -(c @ c))
        diss.append(tuple(sub(dr, s, s) for s in (0, 1)))
        cr = _real_superop(basis, -1j * c)
        ar = _real_superop(basis, _anticommutator(bath.coupling))
        comm.append({pt: sub(cr, *pt) for pt in pairs})
        anti.append({pt: sub(ar, *pt) for pt in pairs})
    out = _Blocks(basis, ham, tuple(diss), tuple(comm), tuple(anti))
    problem._cache["blocks"] = out
    return out


def _build_hierarchy(problem: HeomProblem, ex: _Exponents, depth: int) -> _Hierarchy:
    blocks = _blocks(problem)
    basis = blocks.basis
    sec = basis.sectors
    l_sys = []
    for s in (0, 1):
        m = blocks.hamiltonian[s]
        for b, delta in enumerate(ex.delta):
            m = m + delta * blocks.dissipator[b][s]
        l_sys.append(m.tocoo())

    n_exp = len(ex.nu)
    labels = _labels(n_exp, depth)
    level = labels.sum(axis=1)
    par = level % 2 if problem.parity is not None else np.zeros(len(level), dtype=np.int64)
    sizes = np.array([len(sec[0]), len(sec[1])])[par]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n_unknowns = int(sizes.sum())
    codes = _codes(labels, depth + 1)
    order = np.argsort(codes)
    sorted_codes = codes[order]

    def find(code):
        pos = np.searchsorted(sorted_codes, code)
        return order[pos]

    rr, cc, vv = [], [], []

    def add(t):
        rr.append(t[0])
        cc.append(t[1])
        vv.append(t[2])

    # diagonal blocks: L_S and −Σ n_k ν_k
    damping = labels @ ex.nu
    for s in (0, 1):
        ados = np.nonzero(par == s)[0]
        if len(ados) == 0:
            continue
        add(_place(l_sys[s], offsets[ados], offsets[ados], np.ones(len(ados))))
        m = len(sec[s])
        rows = (offsets[ados][:, None] + np.arange(m)[None, :]).ravel()
        add((rows, rows, np.repeat(-damping[ados], m)))
    # couplings between tiers
    cabs = np.sqrt(ex.c_re**2 + ex.c_im**2)
    base = depth + 1
    for k in range(n_exp):
        b = ex.bath[k]
        src = np.nonzero(level < depth)[0]  # ADOs that have an upper neighbour through k
        tgt = find(codes[src] + base**k)
        for s in (0, 1):
            sel = par[src] == s
            if not np.any(sel):
                continue
            a_up, a_tg = src[sel], tgt[sel]
            t_s = int(par[a_tg[0]])
            # row n, column n + e_k: −i √((n_k+1)|c_k|) [X, ·]
            weight = np.sqrt((labels[a_up, k] + 1) * cabs[k])
            add(_place(blocks.comm[b][(s, t_s)].tocoo(), offsets[a_up], offsets[a_tg], weight))
            # row n + e_k, column n: √((n_k+1)/|c_k|) (c^R (−i[X, ·]) + c^I {X, ·})
            down = (ex.c_re[k] * blocks.comm[b][(t_s, s)] + ex.c_im[k] * blocks.anti[b][(t_s, s)]).tocoo()
            weight = np.sqrt((labels[a_up, k] + 1) / cabs[k])
            add(_place(down, offsets[a_tg], offsets[a_up], weight))
    r = np.concatenate(rr)
    c = np.concatenate(cc)
    v = np.concatenate(vv)
    gen = sp.csr_matrix((v, (r, c)), shape=(n_unknowns, n_unknowns))
    keep = r != 0
    trace_cols = np.arange(basis.n_diag)  # diagonal elements of ρ_0 come first in the even sector
    r2 = np.concatenate([r[keep], np.zeros(len(trace_cols), dtype=np.int64)])
    c2 = np.concatenate([c[keep], trace_cols])
    v2 = np.concatenate([v[keep], np.ones(len(trace_cols))])
    bordered = sp.csc_matrix((v2, (r2, c2)), shape=(n_unknowns, n_unknowns))
    first = find(base ** np.arange(n_exp, dtype=np.int64)) if depth >= 1 else np.zeros(0, dtype=np.int64)
    return _Hierarchy(bordered, gen, offsets, sizes, labels, first, basis)


def _operator(h: _Hierarchy, x: np.ndarray, ado: int, sector: int) -> np.ndarray:
    """The d×d (Hermitian) matrix of ADO ``ado`` from the solution vector."""
    d = h.basis.dim
    coef = np.zeros(d * d)
    idx = h.basis.sectors[sector]
    coef[idx] = x[h.offsets[ado] : h.offsets[ado] + h.sizes[ado]]
    return (h.basis.unitary @ coef).reshape((d, d), order="F")


# --------------------------------------------------------------------------- memory


def estimate_memory(problem: HeomProblem, depth: int, terms: int) -> int:
    r"""Estimated peak memory (bytes) of one HEOM steady-state solve at (depth, terms), before building it.

    Model. The sparse LU dominates. The hierarchy graph of the ADOs is a K-simplex lattice of side
    D (K exponents, depth D); a fill-reducing elimination leaves a dense Schur complement on a
    separator of the size of the top level (N_D ADOs), plus a near-banded part. With m unknowns per
    ADO and N ADOs in all, the factor entries are modelled as

    .. math:: F = a\,(m N_D)^2 + b\, m^2 N \log_2(N + 1),

    with a = LU_FILL_TOP, b = LU_FILL_BAND fitted as upper bounds of SuperLU (MMD on Aᵀ + A) on 30
    hierarchies of two to four qubits, K = 1 … 6, depth 2 … 12: the model overestimates the measured
    factor entries by 1.9–6× (2× on the largest, 17M entries). Each entry costs ≈ 10–11 bytes of resident memory (measured with
    ``ru_maxrss``: 3.2M entries 32 MB, 17M entries 188 MB), counted as LU_BYTES_PER_ENTRY; the
    generator adds ~50 bytes per non-zero (COO triplets, CSR and CSC copies).
    """
    n_exp = _n_exponents(problem, terms)
    counts = _level_counts(n_exp, depth)
    d2 = problem.dim**2
    m = d2 / 2 if problem.parity is not None else d2
    n_ados = float(counts.sum())
    fill = LU_FILL_TOP * (m * counts[-1]) ** 2 + LU_FILL_BAND * m * m * n_ados * math.log2(n_ados + 1)
    unknowns = m * n_ados
    fill = min(fill, unknowns**2)
    # generator: per ADO the L_S block (≤ m (2d + 1) entries) and 2K coupling blocks (≤ 2m entries each)
    nnz_gen = n_ados * (m * (2 * problem.dim + 1) + 2 * n_exp * 2 * m)
    return int(LU_BYTES_PER_ENTRY * fill + 50 * nnz_gen + 64 * unknowns)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class HeomResult:
    """A HEOM steady state with its currents, convergence record and checks.

    Attributes
    ----------
    heat_currents : dict bath name → J_α (bath side, Kato & Tanimura 2016), positive into the network
    system_side_currents : dict bath name → J_α^S = Tr[H_S 𝓛_α ρ]
    current_disagreement : max_α |J_α − J_α^S| / max_α |J_α|
    current_sum : |Σ_α J_α| / max_α |J_α| (zero at an exact steady state of the hierarchy)
    gross_exchange : Σ_k |ν_k Tr[X ρ_{e_k}]|, the scale of the terms that cancel in J (round-off floor)
    populations : dict node name → ⟨n⟩
    rho : (d, d) reduced density matrix in the product basis of ``HeomProblem.states``
    depth, terms, expansion : the hierarchy setting of this solve
    n_exponents, n_ados, unknowns : its size (unknowns: real numbers solved for)
    error_estimate : the last relative change of the currents (None for a single fixed setting)
    population_error_estimate : the same for the populations (max_i |Δ⟨n_i⟩| / max_i ⟨n_i⟩)
    converged : True if produced by :func:`converged_heom` within its tolerance
    history : tuple of (depth, terms, {bath: J}) of every solve of the convergence loop
    residual : ‖M x‖_∞ / (‖M‖_∞ ‖x‖_∞) of the hierarchy steady state
    condition : 1-norm condition estimate of the bordered matrix (uniqueness)
    eigenvalues : eigenvalues of rho (positivity)
    terminators : dict bath name → δ_α
    parity_sector : True if solved in the even-parity sector
    memory_estimate : bytes estimated before the solve; factor_entries: nnz(L + U) measured
    cost : seconds (CPU wall time of this solve, or of the whole loop for the converged result)
    diagnostics : tuple of str
    """

    heat_currents: dict
    system_side_currents: dict
    current_disagreement: float
    current_sum: float
    populations: dict
    rho: np.ndarray = field(repr=False)
    gross_exchange: float = 0.0
    depth: int = 0
    terms: int = 0
    expansion: str = "pade"
    n_exponents: int = 0
    n_ados: int = 0
    unknowns: int = 0
    error_estimate: float | None = None
    population_error_estimate: float | None = None
    converged: bool = False
    history: tuple = ()
    residual: float = float("nan")
    condition: float = float("nan")
    eigenvalues: np.ndarray | None = field(default=None, repr=False)
    terminators: dict = field(default_factory=dict)
    parity_sector: bool = False
    memory_estimate: int = 0
    factor_entries: int = 0
    cost: float = 0.0
    diagnostics: tuple = ()
    approach: str = "heom"


def _threadpool_one():
    """One BLAS thread inside the factorisation (MEASURED.md: threads of a shared BLAS slow it down)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


def _check_setting(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValidationError(name, f"must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def heom_steady_state(
    problem: HeomProblem,
    *,
    depth: int,
    terms: int,
    expansion: Expansion = "pade",
    memory_limit: float = MEMORY_LIMIT,
) -> HeomResult:
    """HEOM steady state at one fixed hierarchy depth and number of expansion terms (not converged).

    Parameters
    ----------
    problem : HeomProblem
    depth : int ≥ 1
        Largest level |n| of the hierarchy (1 is second order in the coupling).
    terms : int ≥ 0
        Padé (or Matsubara) poles per bath besides the Drude pole at γ.
    expansion : {"pade", "matsubara"}
    memory_limit : bytes
        Refuse before allocating when :func:`estimate_memory` exceeds it.

    Returns
    -------
    HeomResult
        ``error_estimate`` is None and ``converged`` False: a single setting
        says nothing about truncation; use :func:`converged_heom` for that.

    Raises
    ------
    ConvergenceError
        Memory estimate above the limit; a singular or ill-conditioned system (no unique steady
        state); residual above RESIDUAL_TOL; non-finite values; bath and system currents that
        disagree (solve failure).
    """
    depth = _check_setting("depth", depth, 1)
    terms = _check_setting("terms", terms, 0)
    if expansion not in ("pade", "matsubara"):
        raise ValidationError("expansion", f"must be 'pade' or 'matsubara', got {expansion!r}")
    t0 = time.perf_counter()
    est = estimate_memory(problem, depth, terms)
    n_exp = _n_exponents(problem, terms)
    if est > memory_limit:
        raise ConvergenceError(
            f"heom: depth {depth}, {terms} {expansion} terms ({count_ados(n_exp, depth)} ADOs) needs an "
            f"estimated {est / 2**30:.2f} GiB, above the memory limit of {memory_limit / 2**30:.2f} GiB"
        )
    ex = _all_exponents(problem, terms, expansion)
    hier = _build_hierarchy(problem, ex, depth)
    n = hier.matrix.shape[0]
    rhs = np.zeros(n)
    rhs[0] = 1.0
    with _threadpool_one():
        try:
            lu = spla.splu(
                hier.matrix,
                permc_spec=SUPERLU_ORDERING,
                diag_pivot_thresh=SUPERLU_PIVOT_THRESHOLD,
                options={"SymmetricMode": True},
            )
        except RuntimeError as exc:
            raise ConvergenceError(
                f"heom: the steady-state system is singular at depth {depth}, {terms} terms "
                f"(no unique steady state): {exc}"
            ) from None
        x = lu.solve(rhs)
        if not np.all(np.isfinite(x)):
            raise ConvergenceError(f"heom: non-finite steady state at depth {depth}, {terms} terms")
        norm_a = spla.norm(hier.matrix, 1)
        inv = spla.LinearOperator((n, n), matvec=lu.solve, rmatvec=lambda y: lu.solve(y, trans="T"), dtype=float)
        condition = float(norm_a * spla.onenormest(inv))
    gen = hier.residual_matrix
    residual = float(np.max(np.abs(gen @ x)) / (spla.norm(gen, np.inf) * np.max(np.abs(x))))
    if condition > CONDITION_LIMIT or not math.isfinite(condition):
        raise ConvergenceError(
            f"heom: steady state not unique or not resolvable in double precision at depth {depth}, "
            f"{terms} terms (condition estimate {condition:.2e} > {CONDITION_LIMIT:.0e})"
        )
    if not residual <= RESIDUAL_TOL:
        raise ConvergenceError(
            f"heom: steady-state residual {residual:.2e} above {RESIDUAL_TOL:.0e} at depth {depth}, {terms} terms"
        )

    rho = _operator(hier, x, 0, 0)
    rho = 0.5 * (rho + rho.conj().T)
    h_s = problem.hamiltonian
    cabs = np.sqrt(ex.c_re**2 + ex.c_im**2)
    ado_parity = 1 if problem.parity is not None else 0
    j_bath, j_sys, gross = {}, {}, 0.0
    for b, bath in enumerate(problem.baths):
        q = bath.coupling
        hq = h_s @ q - q @ h_s
        dd = hq @ q - q @ hq
        term = -ex.delta[b] * np.trace(dd @ rho)
        jb = term + 2.0 * np.sum(ex.c_im[ex.bath == b]) * np.trace(q @ q @ rho)
        js = term
        for k in np.nonzero(ex.bath == b)[0]:
            ado = _operator(hier, x, hier.first_tier[k], ado_parity) * math.sqrt(cabs[k])
            jb = jb - ex.nu[k] * np.trace(q @ ado)
            js = js - 1j * np.trace(hq @ ado)
            gross += abs(ex.nu[k] * np.trace(q @ ado))
        j_bath[bath.name] = float(np.real(jb))
        j_sys[bath.name] = float(np.real(js))
    values = list(j_bath.values()) + list(j_sys.values())
    if not all(math.isfinite(v) for v in values):
        raise ConvergenceError(f"heom: non-finite heat current at depth {depth}, {terms} terms")
    jmax = max(abs(v) for v in j_bath.values())
    scale = max(jmax, 1e-300)
    diff = max(abs(j_bath[k] - j_sys[k]) for k in j_bath)
    total = abs(sum(j_bath.values()))
    # round-off of J: the terms of size ~gross that cancel in it, amplified by the condition number
    allowed = CONSISTENCY_TOL * jmax + ROUNDOFF_FACTOR * condition * np.finfo(float).eps * gross
    if diff > allowed or total > allowed:
        raise ConvergenceError(
            f"heom: bath-side and system-side currents disagree by {diff:.2e} (|Σ J| = {total:.2e}), above "
            f"{allowed:.2e} ({CONSISTENCY_TOL:.0e} of max|J| plus round-off), at depth {depth}, {terms} terms: "
            "the solve failed"
        )
    disagreement, total = diff / scale, total / scale
    eig = np.linalg.eigvalsh(rho)
    diagnostics = []
    if eig[0] < -POSITIVITY_TOL:
        diagnostics.append(f"HEOM_NOT_POSITIVE: smallest eigenvalue of ρ is {eig[0]:.2e} (truncation at depth {depth})")
    populations = {name: float(np.real(np.sum(occ * np.diag(rho)))) for name, occ in problem.number_ops.items()}
    return HeomResult(
        heat_currents=j_bath,
        system_side_currents=j_sys,
        current_disagreement=float(disagreement),
        current_sum=float(total),
        populations=populations,
        rho=rho,
        gross_exchange=float(gross),
        depth=depth,
        terms=terms,
        expansion=expansion,
        n_exponents=len(ex.nu),
        n_ados=len(hier.labels),
        unknowns=n,
        history=((depth, terms, dict(j_bath)),),
        residual=residual,
        condition=condition,
        eigenvalues=eig,
        terminators={b.name: float(dl) for b, dl in zip(problem.baths, ex.delta)},
        parity_sector=problem.parity is not None,
        memory_estimate=est,
        factor_entries=int(lu.nnz),
        cost=time.perf_counter() - t0,
        diagnostics=tuple(diagnostics),
    )


def _steps(new: HeomResult, old: HeomResult, rtol: float, atol: float) -> tuple[float, float, bool]:
    """(relative change of the currents, of the populations, both within tolerance) between two solves.

    The current change is max_α |ΔJ_α| / max_α |J_α|; it is within tolerance when every
    |ΔJ_α| ≤ max(rtol · max|J|, atol, floor), floor = ROUNDOFF_FLOOR × condition × eps × gross
    exchange (the round-off of J, so that vanishing currents are not chased into the noise). The
    population change max_i |Δ⟨n_i⟩| / max_i ⟨n_i⟩ must be ≤ rtol as well: with one bath, or at equal
    temperatures, the currents vanish at every truncation and only the state shows the truncation.
    """
    jn, jo = new.heat_currents, old.heat_currents
    diff = max(abs(jn[k] - jo[k]) for k in jn)
    jmax = max(abs(v) for v in jn.values())
    floor = (
        ROUNDOFF_FLOOR
        * np.finfo(float).eps
        * max(new.condition * new.gross_exchange, old.condition * old.gross_exchange)
    )
    rel = diff / jmax if jmax > 0 else (0.0 if diff == 0 else math.inf)
    pn, po = new.populations, old.populations
    nmax = max(max(abs(v) for v in pn.values()), 1e-300)
    prel = max(abs(pn[k] - po[k]) for k in pn) / nmax
    return rel, prel, diff <= max(rtol * jmax, atol, floor) and prel <= rtol


def converged_heom(
    problem: HeomProblem,
    *,
    rtol: float = RTOL,
    atol: float = 0.0,
    start_depth: int = START_DEPTH,
    start_terms: int = START_TERMS,
    max_depth: int = MAX_DEPTH,
    max_terms: int = MAX_TERMS,
    expansion: Expansion = "pade",
    memory_limit: float = MEMORY_LIMIT,
    progress: Callable[[str], None] | None = None,
) -> HeomResult:
    """HEOM steady state converged in hierarchy depth and number of expansion terms.

    The rule (module docstring, "Convergence rule"): (0) add expansion terms at ``start_depth``
    while one more changes the currents beyond the tolerance; (1) accept the depth pair (D, D + 1),
    D ≥ ``start_depth`` + 1, when D → D + 1 is within the tolerance and D − 1 → D within 10×;
    (2) check one more term at depth max(``start_depth`` + 1, D − 1); if it changes the currents
    beyond the tolerance, keep it and repeat (1). Return the solve at (D + 1, terms); its
    ``error_estimate`` is the larger of its depth and terms steps (relative to max|J|).

    Parameters
    ----------
    problem : HeomProblem
    rtol : float
        Relative tolerance on the heat currents (default 1e-3).
    atol : float
        Absolute tolerance (energy/time), used instead of ``rtol`` · max|J| when larger; needed only
        when the currents vanish (equal temperatures), where a relative change is meaningless.
    start_depth, start_terms : int
        First setting tried.
    max_depth, max_terms : int
        Limits of the refinement.
    expansion : {"pade", "matsubara"}
    memory_limit : bytes
        No solve whose :func:`estimate_memory` exceeds it is attempted.
    progress : callable(str), optional
        Called with one line per solve (for long runs).

    Returns
    -------
    HeomResult
        With ``converged`` True, ``error_estimate`` ≤ max(rtol, atol/max|J|), the ``history`` of every
        solve and ``cost`` the time of the whole loop.

    Raises
    ------
    ConvergenceError
        Not converged within ``max_depth``/``max_terms`` or the memory limit (the message says what
        was reached and the last change); or any check of :func:`heom_steady_state` failed; or the
        converged ρ has an eigenvalue below −rtol.
    """
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float)) or not 0 < rtol < 1:
        raise ValidationError("rtol", f"must be a number in (0, 1), got {rtol!r}")
    if isinstance(atol, bool) or not isinstance(atol, (int, float)) or not atol >= 0:
        raise ValidationError("atol", f"must be a number ≥ 0, got {atol!r}")
    start_depth = _check_setting("start_depth", start_depth, 1)
    start_terms = _check_setting("start_terms", start_terms, 0)
    max_depth = _check_setting("max_depth", max_depth, start_depth + 2)
    max_terms = _check_setting("max_terms", max_terms, start_terms + 1)
    t0 = time.perf_counter()
    cache: dict = {}
    history: list = []

    def reached(extra: str) -> str:
        last = history[-1] if history else None
        where = f"; last solve: depth {last[0]}, {last[1]} terms, currents {last[2]}" if last else ""
        hint = ""
        if cache:
            res = list(cache.values())[-1]
            if max(abs(v) for v in res.heat_currents.values()) < 1e-6 * res.gross_exchange:
                hint = "; the currents are ≈ 0 (≤ 1e-6 of the gross exchange): give an absolute tolerance atol"
        return f"{extra}{where}; changes so far: {', '.join(steps) or 'none'}{hint}"

    steps: list = []

    def get(depth: int, terms: int) -> HeomResult:
        key = (depth, terms)
        if key in cache:
            return cache[key]
        if depth > max_depth or terms > max_terms:
            raise ConvergenceError(
                reached(
                    f"heom: not converged to rtol {rtol:g} within max_depth {max_depth}, max_terms {max_terms} "
                    f"(next step needed: depth {depth}, {terms} terms)"
                )
            )
        try:
            res = heom_steady_state(problem, depth=depth, terms=terms, expansion=expansion, memory_limit=memory_limit)
        except ConvergenceError as exc:
            raise ConvergenceError(reached(f"{exc}")) from None
        cache[key] = res
        history.append((depth, terms, dict(res.heat_currents)))
        if progress is not None:
            progress(
                f"heom depth {depth} terms {terms}: {res.n_ados} ADOs, {res.unknowns} unknowns, "
                f"{res.cost:.2f} s, J = {', '.join(f'{k} {v:.6e}' for k, v in res.heat_currents.items())}"
            )
        return res

    depth, terms = start_depth, start_terms
    # (0) expansion terms at the starting depth (cheap pre-conditioning, not an acceptance test): at low T
    # the first poles carry most of the correlation function
    while True:
        a, c = get(depth, terms), get(depth, terms + 1)
        tch, tpop, ok = _steps(c, a, rtol, atol)
        steps.append(f"terms {terms}→{terms + 1} at depth {depth}: {tch:.1e} (populations {tpop:.1e})")
        if ok:
            break
        terms += 1
    depth = start_depth + 1
    while True:
        # (1) depth: accept (D, D+1) when that step is within tolerance and the step before it within 10×
        a0, a, b = get(depth - 1, terms), get(depth, terms), get(depth + 1, terms)
        dch, dpop, ok = _steps(b, a, rtol, atol)
        prev, _, prev_ok = _steps(a, a0, PREVIOUS_STEP_RATIO * rtol, PREVIOUS_STEP_RATIO * atol)
        steps.append(
            f"depth {depth}→{depth + 1} at {terms} terms: {dch:.1e} (populations {dpop:.1e}; previous step {prev:.1e})"
        )
        if not (ok and prev_ok):
            depth += 1
            continue
        # (2) terms, one depth below the accepted pair (much cheaper; the two truncation errors add)
        td = max(start_depth + 1, depth - TERMS_CHECK_DEPTH_DROP)
        c0, c = get(td, terms), get(td, terms + 1)
        tch, tpop, ok = _steps(c, c0, rtol, atol)
        steps.append(f"terms {terms}→{terms + 1} at depth {td}: {tch:.1e} (populations {tpop:.1e})")
        if not ok:
            terms += 1
            continue
        break
    c = b
    err = max(dch, tch)
    pop_err = max(dpop, tpop)
    notes = []
    if err > rtol:
        notes.append(
            f"HEOM_ERROR_ABOVE_RTOL: the last changes ({err:.1e} of max|J|) are within atol or the round-off "
            f"floor but above rtol = {rtol:g}: the currents are resolved only to that absolute level"
        )
    assert c.eigenvalues is not None  # every solve fills them
    if c.eigenvalues[0] < -rtol:
        raise ConvergenceError(
            reached(f"heom: the converged state is not positive (smallest eigenvalue {c.eigenvalues[0]:.2e} < −rtol)")
        )
    from dataclasses import replace

    return replace(
        c,
        error_estimate=float(err),
        population_error_estimate=float(pop_err),
        converged=True,
        history=tuple(history),
        cost=time.perf_counter() - t0,
        diagnostics=c.diagnostics + tuple(notes) + tuple(f"convergence: {s}" for s in steps),
    )
