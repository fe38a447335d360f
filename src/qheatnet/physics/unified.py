r"""Unified (partial-secular, thermodynamically consistent) GKLS master equation in the eigenbasis of H_S.

Conventions: ħ = k_B = 1; J_α > 0 when energy flows from bath α into the network; a Bohr frequency
ω > 0 is energy lost by the network; G_α(ω) is the Davies rate (:meth:`Spectrum.bohr_rate`).

From Redfield to a GKLS equation
--------------------------------
Redfield's dissipator (:mod:`qheatnet.physics.redfield`) contains, for each bath, the terms
Σ_{ω,ω'} [Γ(ω) + Γ̄(ω')] X(ω) ρ X(ω')^† (and the matching anticommutator terms). Pairs with
|ω − ω'| much larger than the dissipation rates oscillate away in the interaction picture and may be
dropped (the secular approximation; keeping them is what global gets wrong near degeneracies).
Pairs with |ω − ω'| much smaller than the inverse bath correlation time see nearly the same rate and
may be given a common structure (the coarse-graining step). Both are legitimate for a pair in
between. So (Trushechkin, PRA 103, 062226 (2021); Cattaneo, Giorgi, Maniscalco & Zambrini, NJP 21,
113045 (2019) for the partial secular approximation) the Bohr frequencies of each coupling operator
are grouped into **clusters** c; cross terms between clusters are dropped and, within a cluster,

.. math:: Γ(ω) + Γ̄(ω') ≈ \sqrt{Ĝ(ω)\,Ĝ(ω')}, \qquad 𝓛_α ρ = Σ_c D[L_{αc}]ρ + e^{−ω̃_c/T_α} D[L_{αc}^†]ρ,
          \quad L_{αc} = Σ_{ω∈c} \sqrt{Ĝ_α(ω)}\, X_α(ω),

one jump operator per cluster and bath (within a cluster this is the universal Lindblad form of
Nathan & Rudner, PRB 102, 115109 (2020); across clusters it is Davies). The Hamiltonian part keeps
the full H_S, so the small splittings inside a cluster still dephase its coherences as in Redfield.
The Lamb shift is not included (as in the local and global approaches).

Thermodynamic consistency (Potts, Kalaee & Wacker, NJP 23, 123013 (2021))
-------------------------------------------------------------------------
Let H̃ = Σ_n Ẽ_n |n⟩⟨n| (diagonal in the eigenbasis, so [H̃, H_S] = 0) be a *modified Hamiltonian* in
which every transition of cluster c has exactly the same Bohr frequency ω̃_c. Then each L_αc is an
eigen-operator, [H̃, L_αc] = −ω̃_c L_αc, and with τ_α = e^{−H̃/T_α}/Z one has τ L = e^{ω̃/T} L τ,
L†L commuting with τ, and therefore

.. math:: D[L]τ + e^{−ω̃/T} D[L^†]τ = e^{−ω̃/T}(τLL^† − τLL^†) + (τL^†L − τL^†L) = 0 .

Spohn's inequality for the GKLS semigroup of bath α with invariant state τ_α gives
−Tr[𝓛_α(ρ)(ln ρ − ln τ_α)] ≥ 0; summing over α at a steady state (where Σ_α Tr[𝓛_α(ρ) ln ρ] = 0,
the Hamiltonian part not changing the entropy) yields

.. math:: σ̃ = −Σ_α J̃_α/T_α ≥ 0, \qquad J̃_α = \mathrm{Tr}[H̃\, 𝓛_α ρ] = Σ_c ω̃_c(⟨\text{absorption}⟩ − ⟨\text{emission}⟩),

exactly, and Σ_α J̃_α = 0 exactly (because [H̃, H_S] = 0). The currents w.r.t. H_S,
J_α = Tr[H_S 𝓛_α ρ], also obey the first law; J_α − J̃_α = Tr[(H_S − H̃) 𝓛_α ρ] is bounded by the cluster
spread times the gross exchange, the resolution in heat that the Markov approximation has anyway.

Rates within a cluster. Exact detailed balance fixes the ratio of absorption to emission at
e^{−ω̃_c/T}, so one of the two cannot stay exact for ω ≠ ω̃_c. The weights keep the *damping* exact and
move the thermal occupation to ω̃_c:

.. math:: Ĝ_α(ω) = \frac{G_α(ω)(1 − e^{−ω/T_α})}{1 − e^{−ω̃_c/T_α}}, \qquad
          \text{emission } Ĝ(ω) = J(ω)(1 + n(ω̃_c)),\ \text{absorption } J(ω)\, n(ω̃_c),

(J(ω) = G(ω) − G(−ω) the spectral density), exact at T = 0 and for singleton clusters. For a cluster
around ω̃ = 0 (transitions between nearly degenerate levels) L must be Hermitian: both signs of ω
are in the same operator with the symmetric weight Ĝ = (G(ω) + G(−ω))/2.

The modified Hamiltonian
------------------------
Ẽ must satisfy Ẽ_n − Ẽ_m = ω̃_{c(e)} for every transition e = (n → m) of every bath: (Ẽ, ω̃) lies in the
null space of the transitions × (levels + clusters) matrix [B, −C]. Of those consistent pairs the one
closest to the true transition frequencies, min Σ_e (ω̃_{c(e)} − ω_e)², is taken (a small dense
least-squares problem on an orthonormal null basis; the gauge — a constant per connected set of
levels — by min ‖Ẽ − E‖). For harmonic and free-fermion networks the result is exact
(Ẽ = Σ_k Ω̃_k n_k). The fit is accepted when every transition's H̃-frequency is within
½ ``CLUSTER_SPREAD_RATIO`` T_α of its true frequency (the accuracy the spread cap grants inside a
cluster; T_α → ω at T_α = 0). Collapsing a nearly resonant anharmonic ladder (a qubit resonant with
an oscillator) moves neighbouring tight clusters by about the ladder's splittings, which this allows.
Otherwise the clustering is redone with half the gap threshold (the limit is Davies, which is always
consistent); ``info["refinements"]`` says how often.

Clustering rule (:func:`cluster_frequencies`)
---------------------------------------------
For each bath, its distinct Bohr frequencies ω ≥ 0 (equal within the Bohr round-off tolerance) are
compared pairwise; ω and ω' join one cluster (single linkage) when

.. math:: |ω' − ω| ≤ \mathtt{CLUSTER\_GAP\_RATIO} × \sqrt{r_α(ω)\, r_α(ω')},\qquad
          r_α(ω) = [G_α(ω) + G_α(−ω)]\; \max_e |X_e|^2/\max(1, q_e),

r_α the dissipation rate of the transitions at ω (per quantum: q_e is the larger excitation number of
the two levels, so that for oscillators r is the single-mode rate u² (G⁺ + G⁻) of the second-moment
version). The geometric mean is the size of the Redfield cross term between the two transitions
(∝ √(G G') X_e X_e'): a transition the bath barely touches needs no coherence with a bright
neighbour (measured: with the arithmetic mean, a nearly dark node next to a bath node was clustered
and the current was 3.3 % off exact, against 0.7 % without the cluster). Clusters of different baths that share a frequency are merged (one H̃ for all). A cluster
whose spread exceeds ``CLUSTER_SPREAD_RATIO`` × T_min (the lowest temperature > 0 of the baths it
couples to) is split at its largest gaps until it does not: the error of the common occupation
n(ω̃) is ≈ spread/(2T), so this caps it, at the price of a secular treatment at the cut (reported as
``splits`` and the smallest gap/rate at a cut). With all Bohr gaps larger than the threshold every
cluster is one frequency and the generator *is* the Davies (global) generator; as the couplings
between resonant nodes vanish, the split frequencies fall into one cluster and L → √G(ω_i) a_i,
the local generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .. import config
from ..errors import ConvergenceError
from .generator import Dissipator, LindbladTerm
from .redfield import roundoff_bound

__all__ = [
    "CLUSTER_GAP_RATIO",
    "CLUSTER_SPREAD_RATIO",
    "HTILDE_RTOL",
    "DROP_RTOL",
    "POSITIVITY_TOL",
    "cluster_frequencies",
    "UnifiedGenerator",
    "build_unified",
    "UnifiedSteadyState",
    "unified_steady_state",
    "heat_currents",
]

#: Two Bohr frequencies of one bath share a jump operator when their distance is at most this many
#: times the geometric mean of the dissipation rates of their transitions. Treating two frequencies
#: secularly costs ≈ 0.25 (rate/gap)² (measured on the resonant pair of Hofer et al. 2017, κ = 1e-3:
#: global is 2.7 % off exact at gap = 3 rates, 0.4 % at 8, 0.06 % at 20), clustering them costs the
#: shift of the thermal occupation n(ω̃) − n(ω), first order in gap/T but cancelling for symmetric
#: clusters. Measured over the Hofer pairs and three-node chains at κ ≤ 1e-2 (benchmarks/bench_beyond.py
#: --errors, 78 points): largest error against exact 1.2 % in the consistent bookkeeping, 3.9 % w.r.t. H_S;
#: uniform chains N = 5 … 40: ≤ 0.3 % (global: 2.4 %).
CLUSTER_GAP_RATIO = 10.0
#: Largest cluster spread, in units of the lowest bath temperature (> 0) of the cluster. The common
#: occupation n(ω̃) is off by ≈ |ω − ω̃| ∂n/∂ω at the cluster edges. Measured (same families): 0.2 gave
#: 4.9 % on a three-node chain at ε ≈ 0.1, κ = 1e-2; 0.05 splits the band of uniform chains (4ε = 0.2)
#: into asymmetric pieces (+1.3 … 2.4 %, as global); 0.1 and 0.15 gave ≤ 3.6 % everywhere (H_S bookkeeping).
CLUSTER_SPREAD_RATIO = 0.1
#: The modified Hamiltonian is accepted when every transition of a cluster has the same H̃-Bohr
#: frequency to HTILDE_RTOL × max|E| (a few hundred ulps; harmonic and free-fermion networks fit to
#: ~1e-15 in one step).
HTILDE_RTOL = 1e-12
#: Matrix elements of X_α (eigenbasis) below this fraction of the largest are dropped by the unified
#: builder: their squared weight (< 1e-16 of the largest) is below round-off in every rate. They come from
#: eigenvector round-off (measured |X_e| ~ 1e-12 between states that differ by two quanta, two resonant
#: oscillators at K = 8) and would otherwise appear as spurious Bohr frequencies that no consistent H̃
#: can accommodate.
DROP_RTOL = 1e-8
#: A computed steady state with an eigenvalue below −POSITIVITY_TOL is refused as not unique (as in
#: :mod:`qheatnet.solvers.liouvillian`; a GKLS generator with a unique steady state has a positive one).
POSITIVITY_TOL = 1e-6


# ---------------------------------------------------------------------------
# clustering rule
# ---------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, n):
        self.parent = np.arange(n)

    def find(self, i):
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_frequencies(
    freqs,
    rates,
    temperatures,
    *,
    gap_ratio: float = CLUSTER_GAP_RATIO,
    spread_ratio: float = CLUSTER_SPREAD_RATIO,
    gap: float | None = None,
    tol: float | None = None,
):
    """Group the Bohr frequencies of several baths into clusters (rule: module docstring).

    Parameters
    ----------
    freqs : list (one per bath) of 1-D arrays of distinct Bohr frequencies ω ≥ 0 coupled to the bath
    rates : list of arrays of the same shapes, the dissipation rate r_α(ω) of each frequency
    temperatures : (B,) bath temperatures (for the spread cap)
    gap_ratio, spread_ratio : the rule's parameters (defaults CLUSTER_GAP_RATIO, CLUSTER_SPREAD_RATIO)
    gap : if given, an absolute gap threshold used instead of gap_ratio × rate
    tol : frequencies closer than this are the same frequency (default: the Bohr round-off tolerance)

    Returns
    -------
    labels : list of int arrays (same shapes as ``freqs``), a cluster label per frequency, shared by
        all baths (equal labels ⇒ same cluster, one H̃-Bohr frequency)
    info : dict with ``values`` (distinct frequencies of all baths), ``value_labels``, ``splits``
        (cuts made by the spread cap), ``min_split_gap_over_rate``, ``zero_cluster`` (label of the
        cluster containing ω = 0, or None), ``max_spread``, and the parameters used
    """
    freqs = [np.asarray(f, float) for f in freqs]
    rates = [np.asarray(r, float) for r in rates]
    temps = np.asarray(temperatures, float)
    allv = np.concatenate(freqs) if freqs else np.zeros(0)
    if tol is None:
        scale = float(np.max(np.abs(allv))) if len(allv) else 1.0
        tol = config.BOHR_ATOL + config.BOHR_RTOL * scale
    order = np.argsort(allv, kind="stable")
    sv = allv[order]
    gid_sorted = np.concatenate([[0], np.cumsum(np.diff(sv) > tol)]) if len(sv) else np.zeros(0, int)
    gid = np.empty(len(allv), int)
    gid[order] = gid_sorted
    nval = int(gid_sorted[-1]) + 1 if len(sv) else 0
    values = np.array([float(np.mean(sv[gid_sorted == g])) for g in range(nval)])
    per_bath_gid = np.split(gid, np.cumsum([len(f) for f in freqs])[:-1]) if freqs else []
    uf = _UnionFind(nval + 1)  # the extra node stands for ω = 0
    zero_node = nval
    val_rate = np.zeros(nval)
    val_baths: list[set] = [set() for _ in range(nval)]
    for al, (g, r) in enumerate(zip(per_bath_gid, rates)):
        np.maximum.at(val_rate, g, r)
        for gi in g:
            val_baths[gi].add(al)
        o = np.argsort(values[g], kind="stable")
        gs, rs = g[o], r[o]
        vs = values[gs]
        # ω and −ω = the adjoint transition interfere when 2ω is within the threshold: a cluster around
        # ω̃ = 0; its spread 2ω is capped like any other, here with the bath's temperature even at T = 0
        # (the symmetric weights of a zero cluster are wrong by O(ω/T))
        thr_self = np.full(len(gs), gap) if gap is not None else gap_ratio * rs
        mirror = (2 * vs <= thr_self) & (2 * vs <= spread_ratio * temps[al])
        for k in np.flatnonzero((vs <= tol) | mirror):
            uf.union(gs[k], zero_node)
        # every pair within the largest possible threshold (sorted window), vectorised by offset
        window = gap if gap is not None else gap_ratio * (float(np.max(rs)) if len(rs) else 0.0)
        for off in range(1, len(gs)):
            dv = vs[off:] - vs[:-off]
            near = dv <= window
            if not np.any(near):
                break
            thr = np.full(len(dv), gap) if gap is not None else gap_ratio * np.sqrt(rs[off:] * rs[:-off])
            for k in np.flatnonzero(near & (dv <= thr)):
                uf.union(gs[k], gs[k + off])
    roots = np.array([uf.find(g) for g in range(nval)])
    zero_root = uf.find(zero_node)
    splits = 0
    min_split = np.inf
    label = np.full(nval, -1)
    next_label = 0
    max_spread = 0.0
    zero_label = None
    for root in np.unique(roots):
        members = np.flatnonzero(roots == root)
        members = members[np.argsort(values[members])]
        if root == zero_root:
            label[members] = next_label
            zero_label = next_label
            next_label += 1
            max_spread = max(max_spread, 2 * float(values[members[-1]]))
            continue
        stack = [members]
        while stack:
            mem = stack.pop()
            spread = float(values[mem[-1]] - values[mem[0]])
            tpos = [temps[a] for m in mem for a in val_baths[m] if temps[a] > 0]
            cap = spread_ratio * min(tpos) if tpos else np.inf
            if len(mem) > 1 and spread > cap:
                gaps = np.diff(values[mem])
                cut = int(np.argmax(gaps))
                rate = float(np.sqrt(val_rate[mem[cut]] * val_rate[mem[cut + 1]]))
                min_split = min(min_split, float(gaps[cut]) / max(rate, 1e-300))
                splits += 1
                stack.extend([mem[: cut + 1], mem[cut + 1 :]])
                continue
            label[mem] = next_label
            next_label += 1
            max_spread = max(max_spread, spread)
    labels = [label[g] for g in per_bath_gid]
    info = {
        "gap_ratio": gap_ratio if gap is None else None,
        "gap": gap,
        "spread_ratio": spread_ratio,
        "values": values,
        "value_labels": label,
        "splits": splits,
        "min_split_gap_over_rate": min_split,
        "zero_cluster": zero_label,
        "max_spread": max_spread,
        "tol": tol,
    }
    return labels, info


# ---------------------------------------------------------------------------
# the generator
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UnifiedGenerator:
    """The unified generator of a network in the eigenbasis of H_S.

    Attributes
    ----------
    energies : (d,) E_n, eigenvalues of H_S (the Hamiltonian part is diag(E))
    modified_energies : (d,) Ẽ_n, eigenvalues of the modified Hamiltonian H̃ (same basis)
    blocks : list of index arrays, the eigenspaces of H̃ (the steady state is block diagonal in them)
    bath_names : names of the baths, in order
    temperatures : (B,)
    edges : dict of arrays describing every jump-operator matrix element, used by
        :func:`unified_steady_state`: ``term`` (global term index), ``row`` m, ``col`` n, ``amp``
        (√rate × ⟨m|L|n⟩, complex) for the term's operator √r L = Σ amp |m⟩⟨n|
    term_bath, term_omega, term_rate : (K,) bath index, ω̃ (energy lost per jump w.r.t. H̃) and rate of
        every term: rate = G_α(ω̃) (emission), G_α(−ω̃) (absorption), (G(0) + G(0))/2 at ω̃ = 0, so that
        the operator of a singleton cluster is exactly X_α(ω) (the Davies pair)
    clusters : list (per bath) of dicts {"omega_tilde", "frequencies", "spread"} — the clusters used
    info : dict: clustering parameters, splits, refinements of the threshold, H̃ fit residual,
        ``max_frequency_shift`` = max_e |ω̃_c − ω_e| (the scale of J − J̃ per unit gross exchange)
    """

    energies: np.ndarray
    modified_energies: np.ndarray
    blocks: list
    bath_names: tuple
    temperatures: np.ndarray
    edges: dict
    term_bath: np.ndarray
    term_omega: np.ndarray
    term_rate: np.ndarray
    clusters: list
    info: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def dim(self) -> int:
        return len(self.energies)

    def lindblad_terms(self) -> list[Dissipator]:
        """One :class:`Dissipator` per bath: LindbladTerm(rate, op, ω̃) with rate·D[op] (eigenbasis, sparse).

        ``rate`` is ``term_rate`` (singleton clusters give exactly the Davies pair (G(ω), X(ω))),
        ``op`` = Σ (amp/√rate)|m⟩⟨n|. These can be passed to
        :func:`qheatnet.solvers.liouvillian.steady_state` with the Hamiltonian diag(E).
        """
        e = self.edges
        d = self.dim
        out = []
        order = np.argsort(e["term"], kind="stable")
        bounds = np.searchsorted(e["term"][order], np.arange(len(self.term_bath) + 1))
        per_bath: list[list] = [[] for _ in self.bath_names]
        for k in range(len(self.term_bath)):
            sel = order[bounds[k] : bounds[k + 1]]
            if not len(sel):
                continue
            amp = e["amp"][sel]
            rate = float(self.term_rate[k])
            if not rate > 0 or not np.any(amp):
                continue
            op = sp.csr_matrix((amp / np.sqrt(rate), (e["row"][sel], e["col"][sel])), shape=(d, d))
            per_bath[int(self.term_bath[k])].append(LindbladTerm(rate, op, float(self.term_omega[k])))
        for name, terms in zip(self.bath_names, per_bath):
            out.append(Dissipator(name, tuple(terms)))
        return out


def _edge_lists(x, tol_drop):
    """Nonzero elements (m, n, X_mn) of a dense coupling operator."""
    mag = np.abs(x)
    rows, cols = np.nonzero(mag > tol_drop * float(np.max(mag)))
    return rows, cols, x[rows, cols]


def _ratio_expm1(omega, omega_t, temperature):
    """(1 − e^{−ω/T})/(1 − e^{−ω̃/T}) for ω, ω̃ > 0 (1 at T = 0)."""
    if temperature <= 0:
        return np.ones_like(omega)
    return np.expm1(-omega / temperature) / np.expm1(-omega_t / temperature)


def _fit_modified_energies(energies, src, dst, label, omega_t0, zero_label, tol):
    """Ẽ and ω̃ with Ẽ_src − Ẽ_dst = ω̃_label on every transition (module docstring), or None.

    The consistent pairs z = (Ẽ, ω̃) form the null space of K = [B, −C] (B: transitions × levels incidence,
    C: transitions × clusters membership; ω̃ of a zero cluster pinned to 0). With an orthonormal null
    basis N (eigenvectors of KᵀK with eigenvalue ≈ 0; K has entries ±1, so the gap is O(1/d²) while the
    null eigenvalues are round-off) the closest consistent point minimises
    Σ_e (ω̃_{c(e)} − ω_e)² + μ Σ_n (Ẽ_n − E_n)² over z = N y — a small dense least-squares problem
    (μ = 1e-8 only fixes the gauge and the levels no transition touches). Returns
    (Ẽ, ω̃, residual, 1) or None when the constraints force every level together (no null space left).
    """
    d = len(energies)
    ne = len(src)
    nlab = len(omega_t0)
    free = np.ones(nlab, bool)
    if zero_label is not None:
        free[zero_label] = False
    col_of = -np.ones(nlab, int)
    col_of[free] = d + np.arange(int(np.sum(free)))
    nvar = d + int(np.sum(free))
    rows = np.concatenate([np.arange(ne), np.arange(ne)])
    cols = np.concatenate([src, dst])
    vals = np.concatenate([np.ones(ne), -np.ones(ne)])
    fr = free[label]
    rows = np.concatenate([rows, np.flatnonzero(fr)])
    cols = np.concatenate([cols, col_of[label[fr]]])
    vals = np.concatenate([vals, -np.ones(int(np.sum(fr)))])
    k = sp.csr_matrix((vals, (rows, cols)), shape=(ne, nvar))
    ktk = (k.T @ k).toarray()
    ev, vec = np.linalg.eigh(ktk)
    null = vec[:, ev <= 1e-9 * max(float(ev[-1]), 1.0)]
    if null.shape[1] == 0:
        return None
    omega_e = energies[src] - energies[dst]
    # objective rows: (C ω̃)_e − ω_e for transitions of free clusters (zero clusters are pinned at 0), and
    # √μ (Ẽ − E) for the gauge
    mu = 1e-8
    cz = null[col_of[label[fr]], :]
    ez = null[:d, :]
    lhs = np.vstack([cz, np.sqrt(mu) * ez])
    rhs = np.concatenate([omega_e[fr], np.sqrt(mu) * energies])
    y, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    z = null @ y
    et = z[:d]
    omega_t = np.zeros(nlab)
    omega_t[free] = z[d:]
    resid = float(np.max(np.abs(et[src] - et[dst] - omega_t[label]))) if ne else 0.0
    if not resid <= tol:
        return None
    return et, omega_t, resid, 1


def build_unified(
    energies,
    couplings,
    spectra,
    temperatures,
    *,
    excitation=None,
    bath_names=None,
    gap_ratio: float = CLUSTER_GAP_RATIO,
    spread_ratio: float = CLUSTER_SPREAD_RATIO,
    gap: float | None = None,
    max_refinements: int = 30,
) -> UnifiedGenerator:
    """Build the unified generator from eigen-energies and coupling operators in the eigenbasis.

    Parameters
    ----------
    energies : (d,) eigenvalues of H_S
    couplings : list of (d, d) arrays X_α in the eigenbasis (Hermitian)
    spectra, temperatures : per bath
    excitation : (d,) excitation number q of each eigenstate (for the per-quantum rate of the rule), or None
    bath_names : names for the dissipators (default "0", "1", …)
    gap_ratio, spread_ratio, gap : clustering (see :func:`cluster_frequencies`)
    max_refinements : how many times the gap threshold may be halved to reach a consistent H̃

    Returns
    -------
    UnifiedGenerator
    """
    e = np.asarray(energies, float)
    d = len(e)
    nb = len(couplings)
    temps = np.asarray(temperatures, float)
    q = np.zeros(d, int) if excitation is None else np.asarray(excitation, int)
    names = tuple(bath_names) if bath_names is not None else tuple(str(i) for i in range(nb))
    scale = max(float(np.max(np.abs(e))), 1.0) if d else 1.0
    btol = config.BOHR_ATOL + config.BOHR_RTOL * scale
    # transitions of each bath (ω ≥ −btol half; the others are their adjoints)
    bath_edges = []
    freq_lists, rate_lists, val_index = [], [], []
    for al, x in enumerate(couplings):
        rows, cols, amp = _edge_lists(np.asarray(x), DROP_RTOL)
        om = e[cols] - e[rows]
        half = om >= -btol
        rows, cols, amp, om = rows[half], cols[half], amp[half], om[half]
        om = np.where(np.abs(om) <= btol, 0.0, om)
        o = np.argsort(om, kind="stable")
        so = om[o]
        grp_sorted = np.concatenate([[0], np.cumsum(np.diff(so) > btol)]) if len(so) else np.zeros(0, int)
        grp = np.empty(len(om), int)
        grp[o] = grp_sorted
        ng = int(grp_sorted[-1]) + 1 if len(so) else 0
        vals = np.bincount(grp, weights=om, minlength=ng) / np.maximum(np.bincount(grp, minlength=ng), 1)
        per_quantum = np.abs(amp) ** 2 / np.maximum(1, np.maximum(q[rows], q[cols]))
        amax = np.zeros(ng)
        np.maximum.at(amax, grp, per_quantum)
        sp_, t = spectra[al], temps[al]
        r = (sp_.bohr_rate(vals, t) + sp_.bohr_rate(-vals, t)) * amax
        bath_edges.append((rows, cols, amp, om, grp))
        freq_lists.append(vals)
        rate_lists.append(r)
        val_index.append(grp)
    refinements = 0
    cur_gap, cur_ratio = gap, gap_ratio
    while True:
        labels, cinfo = cluster_frequencies(
            freq_lists, rate_lists, temps, gap_ratio=cur_ratio, spread_ratio=spread_ratio, gap=cur_gap, tol=btol
        )
        values, vlab = cinfo["values"], cinfo["value_labels"]
        nlab = int(np.max(vlab)) + 1 if len(vlab) else 0
        omega_t0 = np.zeros(nlab)
        for lab in range(nlab):
            omega_t0[lab] = float(np.mean(values[vlab == lab]))
        zl = cinfo["zero_cluster"]
        if zl is not None:
            omega_t0[zl] = 0.0
        # transition list over all baths: label of each transition
        src = np.concatenate([be[1] for be in bath_edges]) if nb else np.zeros(0, int)
        dst = np.concatenate([be[0] for be in bath_edges]) if nb else np.zeros(0, int)
        lab_e = np.concatenate([labels[al][bath_edges[al][4]] for al in range(nb)]) if nb else np.zeros(0, int)
        t_e = np.concatenate([np.full(len(bath_edges[al][0]), temps[al]) for al in range(nb)]) if nb else np.zeros(0)
        multi = np.bincount(vlab, minlength=nlab) > 1 if nlab else np.zeros(0, bool)
        if zl is not None:
            multi[zl] = True
        if not np.any(multi):
            et, omega_t, resid, iters = e.copy(), omega_t0, 0.0, 0
            break
        fit = _fit_modified_energies(e, src, dst, lab_e, omega_t0, zl, HTILDE_RTOL * scale)
        if fit is not None:
            et, omega_t, resid, iters = fit
            # accept when no transition's H̃-frequency moved further than the clustering itself allows
            # (half the spread cap: the same error of the thermal occupation, |ω̃ − ω| ≲ ½ s T)
            om_e = e[src] - e[dst]
            shift = np.abs(omega_t[lab_e] - om_e)
            cap = 0.5 * spread_ratio * np.where(t_e > 0, t_e, np.abs(om_e)) + 10 * btol
            if np.all(shift <= cap):
                break
        refinements += 1
        if refinements > max_refinements:
            raise ConvergenceError("no consistent modified Hamiltonian found for the unified equation")
        if cur_gap is not None:
            cur_gap = 0.5 * cur_gap
        else:
            cur_ratio = 0.5 * cur_ratio
    # blocks of H̃ (degenerate within the Bohr tolerance); snap Ẽ to the block means
    o = np.argsort(et, kind="stable")
    cuts = np.flatnonzero(np.diff(et[o]) > btol) + 1
    blocks = [np.sort(b) for b in np.split(o, cuts)]
    for b in blocks:
        et[b] = float(np.mean(et[b]))
    # jump-operator elements, term by term
    t_rows, t_cols, t_amp, t_term = [], [], [], []
    term_bath, term_omega, term_rate = [], [], []
    clusters_out = []
    nterm = 0
    for al in range(nb):
        rows, cols, amp, om, grp = bath_edges[al]
        lab = labels[al][grp]
        sp_, t = spectra[al], temps[al]
        cl_list = []
        for c in np.unique(lab):
            sel = lab == c
            wt = float(omega_t[c])
            vals = np.unique(np.round(om[sel], 14))
            cl_list.append(
                {"omega_tilde": wt, "frequencies": vals, "spread": float(vals[-1] - vals[0]) if len(vals) else 0.0}
            )
            r, cc, a, w = rows[sel], cols[sel], amp[sel], om[sel]
            if zl is not None and c == zl:
                g = 0.5 * (sp_.bohr_rate(w, t) + sp_.bohr_rate(-w, t))
                amp_k = a * np.sqrt(g)
                pos = w > 0  # add the adjoint elements of the ω > 0 transitions (ω = 0 ones are both in already)
                t_rows += [r, cc[pos]]
                t_cols += [cc, r[pos]]
                t_amp += [amp_k, np.conj(amp_k[pos])]
                t_term += [np.full(len(r) + int(np.sum(pos)), nterm)]
                term_bath.append(al)
                term_omega.append(0.0)
                r0 = float(sp_.bohr_rate(0.0, t))
                term_rate.append(r0 if r0 > 0 else float(np.max(g, initial=0.0)))
                nterm += 1
                continue
            ghat = sp_.bohr_rate(w, t) * _ratio_expm1(w, wt, t)
            amp_e = a * np.sqrt(ghat)
            # emission term: Σ amp_e |m⟩⟨n|; absorption term: e^{−ω̃/2T} × its adjoint
            t_rows += [r, cc]
            t_cols += [cc, r]
            t_amp += [amp_e, np.conj(amp_e) * (np.exp(-0.5 * wt / t) if t > 0 else 0.0)]
            t_term += [np.full(len(r), nterm), np.full(len(r), nterm + 1)]
            term_bath += [al, al]
            term_omega += [wt, -wt]
            rate_e = float(sp_.bohr_rate(wt, t))
            if not rate_e > 0:
                rate_e = float(np.max(ghat, initial=0.0))
            term_rate += [rate_e, rate_e * (np.exp(-wt / t) if t > 0 else 0.0)]
            nterm += 2
        clusters_out.append(cl_list)
    edges = {
        "row": np.concatenate(t_rows).astype(int) if t_rows else np.zeros(0, int),
        "col": np.concatenate(t_cols).astype(int) if t_cols else np.zeros(0, int),
        "amp": np.concatenate(t_amp).astype(complex) if t_amp else np.zeros(0, complex),
        "term": np.concatenate(t_term).astype(int) if t_term else np.zeros(0, int),
    }
    src_all = np.concatenate([be[1] for be in bath_edges]) if nb else np.zeros(0, int)
    dst_all = np.concatenate([be[0] for be in bath_edges]) if nb else np.zeros(0, int)
    lab_all = np.concatenate([labels[al][bath_edges[al][4]] for al in range(nb)]) if nb else np.zeros(0, int)
    shift = float(np.max(np.abs(omega_t[lab_all] - (e[src_all] - e[dst_all])), initial=0.0))
    info = {
        "gap_ratio": cur_ratio if cur_gap is None else None,
        "gap": cur_gap,
        "spread_ratio": spread_ratio,
        "refinements": refinements,
        "splits": cinfo["splits"],
        "min_split_gap_over_rate": cinfo["min_split_gap_over_rate"],
        "zero_cluster": zl is not None,
        "max_spread": cinfo["max_spread"],
        "htilde_residual": resid,
        "htilde_iterations": iters,
        "max_frequency_shift": shift,
        "n_clusters": int(len(omega_t)),
        "n_multi_frequency_clusters": int(np.sum(np.bincount(vlab, minlength=len(omega_t)) > 1)) if len(vlab) else 0,
    }
    return UnifiedGenerator(
        e,
        et,
        blocks,
        names,
        temps,
        edges,
        np.array(term_bath, int),
        np.array(term_omega, float),
        np.array(term_rate, float),
        clusters_out,
        info,
    )


# ---------------------------------------------------------------------------
# steady state on the blocks of H̃
# ---------------------------------------------------------------------------


def _pairs(keys):
    """All ordered pairs (i, j) of positions with keys[i] == keys[j]."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, int), np.zeros(0, int)
    order = np.argsort(keys, kind="stable")
    ks = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    sizes = np.diff(np.concatenate([starts, [n]]))
    g_of = np.repeat(sizes, sizes)  # size of the group of each sorted position
    s_of = np.repeat(starts, sizes)
    a = np.repeat(np.arange(n), g_of)
    within = np.arange(len(a)) - np.repeat(np.cumsum(g_of) - g_of, g_of)
    b = np.repeat(s_of, g_of) + within
    return order[a], order[b]


@dataclass(frozen=True, eq=False)
class UnifiedSteadyState:
    """Steady state of a :class:`UnifiedGenerator`.

    ``rho`` (d × d, eigenbasis of H_S, block diagonal in the eigenspaces of H̃), ``currents`` (w.r.t.
    H_S), ``currents_consistent`` (w.r.t. H̃), ``gross`` (Σ |ω̃| × jump rates, the gross exchange),
    ``exchange_scale`` (Σ_k |ω̃_k| Σ_mn |⟨m|√r_k L_k|n⟩|²: the exchange if every level were occupied;
    ρ is accurate to ~1e-16 absolute, so ~1e-16 × this is the round-off floor of a current, useful
    where the gross exchange itself is round-off, e.g. one bath at T = 0), ``residual``
    (‖𝓛ρ‖_∞/(‖𝓛‖_∞‖ρ‖_∞)), ``unknowns``, ``lowest_eigenvalue``, ``roundoff`` (the round-off bound on
    ρ's eigenvalues of :func:`qheatnet.physics.redfield.roundoff_bound`, if requested).
    """

    rho: np.ndarray
    currents: np.ndarray
    currents_consistent: np.ndarray
    gross: float
    exchange_scale: float
    residual: float
    unknowns: int
    lowest_eigenvalue: float
    roundoff: float | None = None


def _block_index(gen: UnifiedGenerator):
    """Per level: block, position in it, block size, offset of the block's unknowns; total unknowns."""
    d = gen.dim
    sizes = np.array([len(idx) for idx in gen.blocks], int)
    members = np.concatenate(gen.blocks) if gen.blocks else np.zeros(0, int)
    blk = np.empty(d, int)
    blk[members] = np.repeat(np.arange(len(sizes)), sizes)
    pos = np.empty(d, int)
    pos[members] = np.arange(len(members)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    boff = np.concatenate([[0], np.cumsum(sizes**2)])
    return blk, pos, sizes[blk], boff[blk], int(boff[-1]), members, np.concatenate([[0], np.cumsum(sizes)])


def _block_pairs(gen: UnifiedGenerator, members, moff):
    """All (i, j) with i, j in the same H̃ block, block by block, row-major (the unknowns, in order)."""
    sizes = np.diff(moff)
    rep = np.repeat(sizes, sizes)  # for each member i: the size of its block
    i = np.repeat(members, rep)
    start = np.repeat(np.repeat(moff[:-1], sizes), rep)
    within = np.arange(len(i)) - np.repeat(np.cumsum(rep) - rep, rep)
    j = members[start + within]
    return i, j


def _same_target_pairs(gen: UnifiedGenerator):
    """Pairs (e, e') of elements of one term with the same target level: the (L†L)_{n n'} structure."""
    cache = gen._cache
    if "same_target" not in cache:
        e = gen.edges
        key = e["term"].astype(np.int64) * gen.dim + e["row"]
        cache["same_target"] = _pairs(key)
    return cache["same_target"]


def _reachable(lmat, sources):
    """Unknowns reachable from ``sources`` along x_r ← x_c (lmat[r, c] ≠ 0)."""
    pattern = lmat.copy()
    pattern.data = np.ones_like(pattern.data, dtype=float)
    pattern = pattern.real.tocsr()
    live = np.zeros(lmat.shape[0], bool)
    live[sources] = True
    while True:
        new = (pattern @ live.astype(float)) > 0
        new |= live
        if np.array_equal(new, live):
            return live
        live = new


def heat_currents(gen: UnifiedGenerator, rho, h_diag):
    """J_α = Tr[h 𝓛_α ρ] for a Hamiltonian diagonal in the eigenbasis (E for H_S, Ẽ for H̃).

    Tr[h D[L]ρ] = Σ_{n,n'} ρ_{n'n} Σ_m L̄_{mn} L_{mn'} [h_m − ½(h_n + h_{n'})].
    """
    e = gen.edges
    a, b = _same_target_pairs(gen)
    h = np.asarray(h_diag, float)
    val = np.conj(e["amp"][a]) * e["amp"][b] * (h[e["row"][a]] - 0.5 * (h[e["col"][a]] + h[e["col"][b]]))
    val = val * rho[e["col"][b], e["col"][a]]
    out = np.zeros(len(gen.bath_names))
    np.add.at(out, gen.term_bath[e["term"][a]], val.real)
    return out


def unified_steady_state(
    gen: UnifiedGenerator, *, residual_tol: float | None = None, with_roundoff: bool = False
) -> UnifiedSteadyState:
    """Unique steady state of ρ̇ = −i[H_S, ρ] + Σ_k D[L_k]ρ on the eigenspaces of H̃ (sparse LU).

    The dissipator commutes with [H̃, ·] and [H̃, H_S] = 0, so the steady state is block diagonal in the
    eigenspaces of H̃: only Σ_b |b|² unknowns (for a secular, non-degenerate spectrum: the populations,
    i.e. the Pauli equation of the global approach). The generator is assembled from the matrix
    elements in one COO pass; the trace condition replaces the first diagonal equation; the residual
    is checked (STEADY_STATE_RESIDUAL) and a non-positive solution (a non-unique steady state) refused.
    """
    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    e = gen.edges
    d = gen.dim
    blk, pos, size, off, nunk, members, moff = _block_index(gen)

    def uidx(i, j):
        return off[i] + pos[i] * size[i] + pos[j]

    ui, uj = _block_pairs(gen, members, moff)  # unknown u ↔ (ui[u], uj[u])
    rows_all, cols_all, vals_all = [], [], []
    # Hamiltonian: −i(E_i − E_j) ρ_ij on every unknown
    u_all = np.arange(nunk)
    rows_all.append(u_all)
    cols_all.append(u_all)
    vals_all.append(-1j * (gen.energies[ui] - gen.energies[uj]))
    # sandwich L ρ L†: (m, m') ← ρ_{n n'} × amp_e conj(amp_e'), for elements of one term with sources in one block
    key = e["term"].astype(np.int64) * len(gen.blocks) + blk[e["col"]]
    a, b = _pairs(key)
    if np.any(blk[e["row"][a]] != blk[e["row"][b]]):
        raise ConvergenceError("a jump operator of the unified equation is not an eigen-operator of H̃ (internal error)")
    rows_all.append(uidx(e["row"][a], e["row"][b]))
    cols_all.append(uidx(e["col"][a], e["col"][b]))
    vals_all.append(e["amp"][a] * np.conj(e["amp"][b]))
    # anticommutator −½{K, ρ}, K = Σ L†L block diagonal: K_{n n'} = Σ conj(amp_e) amp_e' (same term, same target)
    a, b = _same_target_pairs(gen)
    kn, kn2, kv = e["col"][a], e["col"][b], np.conj(e["amp"][a]) * e["amp"][b]
    # −½ K ρ: (n, j) ← ρ_{n' j} K_{n n'} for every j in the block of n;  −½ ρ K: (j, n') ← ρ_{j n} K_{n n'}
    reps = size[kn]
    kn_r, kn2_r, kv_r = np.repeat(kn, reps), np.repeat(kn2, reps), np.repeat(kv, reps)
    within = np.arange(len(kn_r)) - np.repeat(np.cumsum(reps) - reps, reps)
    j = members[moff[blk[kn_r]] + within]
    rows_all += [uidx(kn_r, j), uidx(j, kn2_r)]
    cols_all += [uidx(kn2_r, j), uidx(j, kn_r)]
    vals_all += [-0.5 * kv_r, -0.5 * kv_r]
    rows = np.concatenate(rows_all)
    cols = np.concatenate(cols_all)
    vals = np.concatenate(vals_all)
    lmat = sp.csr_matrix((vals, (rows, cols)), shape=(nunk, nunk))
    diag_u = uidx(np.arange(d), np.arange(d))
    norm_l = float(abs(lmat).sum(axis=1).max()) if nunk else 1.0
    # unknowns that the populations never feed (coherences between degenerate levels of H̃ that no jump
    # connects) obey a homogeneous equation: they vanish if that sub-block is non-singular, which is
    # certified here by strict diagonal dominance (Gershgorin); otherwise they are solved for too.
    live = _reachable(lmat, diag_u)
    dead = np.flatnonzero(~live)
    if len(dead):
        sub = lmat[dead][:, dead]
        dg = np.abs(sub.diagonal())
        off_sum = np.asarray(abs(sub).sum(axis=1)).ravel() - dg
        if not np.all(dg > off_sum * (1 + 1e-12) + 1e-300):
            live[:] = True
    lidx = np.flatnonzero(live)
    where = np.full(nunk, -1)
    where[lidx] = np.arange(len(lidx))
    r0 = int(where[diag_u[0]])
    sel = live[rows] & live[cols] & (where[rows] != r0)  # the first diagonal equation → Tr ρ = 1
    a_mat = sp.csc_matrix(
        (
            np.concatenate([vals[sel], np.ones(d)]),
            (np.concatenate([where[rows[sel]], np.full(d, r0)]), np.concatenate([where[cols[sel]], where[diag_u]])),
        ),
        shape=(len(lidx), len(lidx)),
    )
    rhs = np.zeros(len(lidx), complex)
    rhs[r0] = 1.0
    try:
        lu = spla.splu(a_mat, permc_spec=config.SUPERLU_ORDERING)
    except RuntimeError as exc:
        raise ConvergenceError(f"the unified steady state is not unique or does not exist ({exc})") from None
    xl = lu.solve(rhs)
    x = np.zeros(nunk, complex)
    x[lidx] = xl
    res = float(np.max(np.abs(lmat @ x))) / (norm_l * float(np.max(np.abs(x))))
    if not np.isfinite(res) or res > tol:
        raise ConvergenceError(f"unified steady-state residual {res:.2e} exceeds the tolerance {tol:.1e}")
    rho = np.zeros((d, d), complex)
    rho[ui, uj] = x
    rho = 0.5 * (rho + rho.conj().T)
    rho /= np.trace(rho).real
    single = [idx[0] for idx in gen.blocks if len(idx) == 1]
    low = float(np.min(rho[single, single].real)) if single else np.inf
    for idx in gen.blocks:
        if len(idx) > 1:
            low = min(low, float(np.linalg.eigvalsh(rho[np.ix_(idx, idx)])[0]))
    if low < -POSITIVITY_TOL:
        raise ConvergenceError(
            f"the computed unified steady state is not positive (lowest eigenvalue {low:.2e}): the steady state is "
            "not unique (a part of the network decoupled from every bath?)"
        )
    jf = heat_currents(gen, rho, gen.energies)
    jt = heat_currents(gen, rho, gen.modified_energies)
    # gross exchange: Σ_k |ω̃_k| Tr[ρ L_k†L_k]
    a, b = _same_target_pairs(gen)
    g = np.conj(e["amp"][a]) * e["amp"][b] * rho[e["col"][b], e["col"][a]]
    gross = float(np.sum(np.abs(gen.term_omega[e["term"][a]]) * g.real))
    scale = float(np.sum(np.abs(gen.term_omega[e["term"]]) * np.abs(e["amp"]) ** 2))
    return UnifiedSteadyState(
        rho, jf, jt, gross, scale, res, len(lidx), low, roundoff_bound(a_mat, lu, xl) if with_roundoff else None
    )
