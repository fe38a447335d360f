r"""Heat-current fluctuations: counting statistics per bath, precision and the thermodynamic uncertainty relation.

Conventions: ħ = k_B = 1. Q_α(t) is the heat taken from bath α up to time t (positive when energy
flows from the bath into the network, the sign of J_α). Its scaled cumulants are
c_n = lim ⟨⟨Q_α^n⟩⟩/t = d^n λ_α/ds^n at s = 0, λ_α(s) = lim ln⟨e^{sQ_α}⟩/t, s = iχ:

* ``heat_currents``: J_α = c_1 (the mean, in the counting bookkeeping below);
* ``current_noise``: S_α = c_2 = d²ln Z/d(iχ)²/t, the zero-frequency noise of the heat current
  (one-sided convention S = ∫dt ⟨⟨j(t)j(0)⟩⟩: a Poisson process of quanta ω at rate r has S = rω²);
* ``third_cumulant``: c_3;
* ``fano_factor``: F_α = S_α/|J_α| (an energy: ω for Poissonian transfer of quanta ω);
* ``precision``: J_α²/S_α, the inverse squared relative uncertainty of Q_α per unit time;
* ``tur_ratio``: 𝒬_α = S_α σ/(2J_α²) with σ = −Σ_β J_β/T_β. The thermodynamic uncertainty relation
  (Barato & Seifert, PRL 114, 158101 (2015); Gingrich et al., PRL 116, 120601 (2016)) states 𝒬 ≥ 1
  for classical Markov jump processes; quantum coherent transport can violate it (e.g. Ptaszyński,
  PRB 98, 085425 (2018)), while harmonic junctions described exactly obey it (Saryal, Friedman, Segal
  & Agarwalla, PRE 100, 042101 (2019)).

Bookkeeping (which energy is counted)
-------------------------------------
Counting the jumps of a Lindblad equation counts the energy each jump exchanges with the bath
(``LindbladTerm.omega``):

* local approach → the node frequency ω_i per quantum: the *bare* currents Tr[H_0 𝓛_α ρ]
  (Tr[H_0 D[a_i]ρ] = −ω_i⟨a_i†a_i⟩ exactly). σ from these currents is the entropy production of
  the jump unravelling (each jump's rate ratio is e^{−ω_i/T_α}); it is ≥ 0 by Spohn's inequality
  for each local dissipator with respect to e^{−H_0/T_α}.
* global (Davies) approach → Bohr frequencies of H_S: the *full* currents Tr[H_S 𝓛_α ρ].
* unified approach → the cluster frequencies ω̃: the *consistent* currents Tr[H̃ 𝓛_α ρ].
* exact (Saito–Dhar) → the energy change of the bath: the full currents at steady state.

σ, the Fano factor, the precision and 𝒬 are all formed from the counted means, so the TUR is
tested in one consistent bookkeeping.

Representations (:func:`counting_statistics`)
---------------------------------------------
``"fock"`` — the tilted Liouvillian of :mod:`qheatnet.solvers.counting` (any network; oscillators
truncated at K total quanta); ``"gaussian"`` — the tilted Riccati equation of
:mod:`qheatnet.solvers.counting_gaussian` (oscillator networks, no truncation; local: one block,
global and unified: independent normal modes in closed form and small blocks for degenerate groups
or clusters); ``"exact"`` — the Levitov–Lesovik formula of :mod:`qheatnet.solvers.counting_exact`
(two-bath oscillator networks, ohmic or Drude–Lorentz baths).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import config
from ..errors import ValidationError
from ..model.network import Network
from .diagnostics import Diagnostic

__all__ = [
    "BOOKKEEPING",
    "Counted",
    "Fluctuations",
    "counting_statistics",
    "fock_counting",
    "unified_fock_counting",
    "quadratic_counting",
    "unified_quadratic_counting",
    "exact_counting_of",
    "derived_outputs",
]

#: The energy each approach's counting statistics count (see the module docstring).
BOOKKEEPING = {"local": "bare", "global": "full", "unified": "consistent", "exact": "full"}


@dataclass(frozen=True, eq=False)
class Counted:
    """Cumulants of the heat from every bath, as one representation computed them.

    ``cumulants`` (B, order), ``noise_matrix`` (B, B) zero-frequency (cross) noise, ``resolution``
    (B, order) rounding resolution of each cumulant, ``bookkeeping``, ``method``, ``solver`` (how),
    ``populations`` (node name → ⟨n_i⟩ of the kernel's own steady state, or None), ``cgf`` (B, n_χ)
    λ_α(χ) at the requested χ or None.
    """

    baths: tuple[str, ...]
    bookkeeping: str
    cumulants: np.ndarray
    noise_matrix: np.ndarray
    resolution: np.ndarray
    method: str
    solver: dict
    populations: dict | None = None
    cgf: np.ndarray | None = None


def _fields_per_bath(dissipators) -> np.ndarray:
    """W (B, n_terms): −ω_k for the terms of bath α (the heat it gives the network per jump)."""
    n_terms = sum(len(d.terms) for d in dissipators)
    w = np.zeros((len(dissipators), n_terms))
    k = 0
    for a, d in enumerate(dissipators):
        for t in d.terms:
            w[a, k] = -t.omega
            k += 1
    return w


def _fock(hamiltonian, dissipators, excitation, order, chi, bookkeeping, method, number_ops=None) -> Counted:
    from ..solvers.counting import counting_cumulants, tilted_eigenvalue

    terms = [(t.rate, t.op) for d in dissipators for t in d.terms]
    w = _fields_per_bath(dissipators)
    res = counting_cumulants(hamiltonian, terms, w, order=order, excitation=excitation)
    pops = None
    if number_ops is not None:
        gen = res.generator
        assert gen is not None
        pops = {name: float(np.real(gen.expect(res.rho, op))) for name, op in number_ops.items()}
    cgf = None
    if chi is not None:
        gen = res.generator
        assert gen is not None
        rows = []
        for a in range(len(dissipators)):
            c = res.cumulants[a]

            def guess(x, c=c):
                s = 1j * x
                return sum(c[n] * s ** (n + 1) / math.factorial(n + 1) for n in range(len(c)))

            rows.append(tilted_eigenvalue(gen, w[a], chi, guess=guess))
        cgf = np.array(rows)
    solver = {
        "method": method,
        "structure": res.structure,
        "unknowns": res.unknowns,
        "residual": res.residual,
        "condition_estimate": res.condition,
    }
    return Counted(
        tuple(d.bath for d in dissipators),
        bookkeeping,
        res.cumulants,
        res.noise_matrix,
        res.resolution,
        "fock",
        solver,
        pops,
        cgf,
    )


def fock_counting(gen, *, order: int = 3, chi=None, populations: bool = False) -> Counted:
    """Counting statistics of a Fock-space generator (:class:`~qheatnet.physics.generator.FockGenerator`).

    ``populations``: also ⟨n_i⟩ of the kernel's own steady state (``Counted.populations``).
    """
    space = gen.space
    numbers = {n.name: gen.to_basis(space.number(i)) for i, n in enumerate(gen.network.nodes)} if populations else None
    return _fock(
        gen.hamiltonian,
        gen.dissipators,
        space.excitation,
        order,
        chi,
        BOOKKEEPING[gen.approach],
        f"tilted Liouvillian ({gen.approach}), Flindt recursion",
        numbers,
    )


def unified_fock_counting(network: Network, cutoff: int | None, *, order: int = 3, chi=None) -> Counted:
    """Counting statistics of the unified equation (:mod:`qheatnet.physics.unified`) in a Fock space of cut-off K."""
    import scipy.sparse as sp

    from ..physics.hilbert import FockSpace
    from ..physics.redfield import eigen_basis
    from ..physics.unified import build_unified
    from ..physics.unified import unified_steady_state as un_steady_state

    eb = eigen_basis(network, FockSpace.build(network.kinds, cutoff))
    ug = build_unified(
        eb.energies,
        eb.couplings,
        [b.spectrum for b in network.baths],
        [b.temperature for b in network.baths],
        excitation=eb.excitation,
        bath_names=[b.name for b in network.baths],
    )
    ham = sp.diags(eb.energies).astype(complex).tocsr()
    out = _fock(
        ham,
        ug.lindblad_terms(),
        eb.excitation,
        order,
        chi,
        "consistent",
        "tilted Liouvillian (unified), Flindt recursion",
    )
    out.solver["max_frequency_shift"] = ug.info.get("max_frequency_shift")
    # the unified solver's own steady state (an independent assembly of the same generator), for the mean check
    out.solver["steady_state_currents"] = [float(x) for x in un_steady_state(ug).currents_consistent]
    return out


def _pair_rows(n_b: int):
    """Field rows for the cross noise by polarisation: (α, β) for α < β, counting Q_α + Q_β."""
    return [(a, b) for a in range(n_b) for b in range(a + 1, n_b)]


def _noise_from_pairs(cum: np.ndarray, pair_noise: dict) -> np.ndarray:
    s = np.diag(cum[:, 1]).astype(float)
    for (a, b), sab in pair_noise.items():
        s[a, b] = s[b, a] = 0.5 * (sab - cum[a, 1] - cum[b, 1])
    return s


def _singletons(e, f, net, q_modes, weights, order, chi, n_cgf):
    """Closed-form cumulants summed over independent modes for every field row of ``weights`` (fields × channels);
    λ(χ) for the first ``n_cgf`` rows (the per-bath fields)."""
    from ..solvers.counting_gaussian import single_mode_cgf, single_mode_cumulants

    cums, grosses, cgfs = [], [], []
    for k, wrow in enumerate(weights):
        q = wrow[:, None] * q_modes[None, :]
        c, g = single_mode_cumulants(e, f, net, q, order)
        cums.append(c.sum(axis=1))
        grosses.append(g.sum(axis=1))
        if chi is not None and k < n_cgf:
            cgfs.append(single_mode_cgf(e, f, net, q, 1j * np.asarray(chi, complex)))
    return np.array(cums), np.array(grosses), (np.array(cgfs) if chi is not None else None)


def _blocks(blocks, weights, order, chi, n_cgf):
    """Sum of block-kernel cumulants; ``blocks``: list of (h, l (n_b, m), g, g', Γ, ε) per block; λ(χ) for the
    first ``n_cgf`` field rows (the per-bath fields: the generating function of a sum of baths' heat can cease
    to exist where the per-bath ones do not, e.g. a bounded total)."""
    from ..solvers.counting_gaussian import block_cgf, block_cumulants

    nf = len(weights)
    cum = np.zeros((nf, order))
    gross = np.zeros((nf, order))
    cgf = np.zeros((n_cgf, len(np.atleast_1d(chi))), complex) if chi is not None else None
    resid, min_decay, occs = 0.0, math.inf, []
    for h, lv, g, gp, net, eps in blocks:
        quantum = np.asarray(weights, float) * eps[None, :]
        r = block_cumulants(h, lv, g, gp, net, quantum, order=order)
        cum += r.cumulants
        gross += r.gross
        resid = max(resid, r.residual)
        min_decay = min(min_decay, r.min_decay)
        occs.append(r.occupations)
        if chi is not None:
            if h.shape[0] > config.COUNTING_CGF_BLOCK_MAX:
                raise ValidationError(
                    "chi",
                    f"the generating function of a block of {h.shape[0]} coupled modes is not available "
                    f"(Newton on the dense Riccati equation; at most {config.COUNTING_CGF_BLOCK_MAX}); the cumulants are",
                )
            for fi in range(n_cgf):
                cgf[fi] += block_cgf(h, lv, g, gp, net, quantum[fi], 1j * np.atleast_1d(np.asarray(chi, complex)))
    return cum, gross, cgf, resid, min_decay, occs


def _field_rows(n_b: int, want_pairs: bool):
    rows = [np.eye(n_b)[a] for a in range(n_b)]
    pairs = _pair_rows(n_b) if want_pairs else []
    for a, b in pairs:
        rows.append(np.eye(n_b)[a] + np.eye(n_b)[b])
    return np.array(rows), pairs


def _assemble(names, bookkeeping, cum_all, gross_all, cgf_all, pairs, method, solver, pops=None) -> Counted:
    n_b = len(names)
    cum = cum_all[:n_b]
    pair_noise = {p: cum_all[n_b + k, 1] for k, p in enumerate(pairs)}
    noise = _noise_from_pairs(cum, pair_noise)
    resolution = config.ZERO_CURRENT_RTOL * gross_all[:n_b]
    cgf = cgf_all[:n_b] if cgf_all is not None else None
    return Counted(tuple(names), bookkeeping, cum, noise, resolution, method, solver, pops, cgf)


def quadratic_counting(qgen, *, order: int = 3, chi=None) -> Counted:
    """Counting statistics of a :class:`~qheatnet.physics.generator.QuadraticGenerator` (local or global)."""
    names = list(qgen.names)
    n_b = len(names)
    weights, pairs = _field_rows(n_b, n_b > 1)
    if qgen.approach == "local":
        n = qgen.h.shape[0]
        lv = np.zeros((n_b, n))
        lv[np.arange(n_b), qgen.sites] = 1.0
        eps = np.diag(qgen.h)[qgen.sites].astype(float)  # the node frequencies: jump energies
        block = (np.asarray(qgen.h, float), lv, qgen.emission, qgen.absorption, qgen.net_damping, eps)
        cum, gross, cgf, resid, min_decay, occs = _blocks([block], weights, order, chi, n_b)
        pops = {nd.name: float(occs[0][i]) for i, nd in enumerate(qgen.network.nodes)}
        solver = {
            "method": "tilted Riccati equation (local), perturbation series",
            "residual": resid,
            "min_decay_rate": min_decay,
        }
        return _assemble(names, "bare", cum, gross, cgf, pairs, "gaussian", solver, pops)
    # global: independent normal modes (closed form) and groups of degenerate modes (blocks)
    omega, umat, labels = qgen.omega, qgen.modes, qgen.labels
    amp2 = umat[qgen.sites, :] ** 2
    counts = np.bincount(labels)
    single = counts[labels] == 1
    netk = np.sum(qgen.net_damping * amp2, axis=0)
    live = single & (netk > config.DARK_RTOL * float(np.max(netk, initial=0.0)))
    sel = np.flatnonzero(live)
    e = qgen.emission[:, sel] * amp2[:, sel]
    f = qgen.absorption[:, sel] * amp2[:, sel]
    cum, gross, cgf = _singletons(e, f, netk[sel], omega[sel], weights, order, chi, n_b)
    blocks = []
    for lab in np.unique(labels[~single]):
        idx = np.flatnonzero(labels == lab)
        w = float(np.mean(omega[idx]))
        lv = umat[qgen.sites][:, idx]
        blocks.append(
            (
                np.diag(omega[idx]),
                lv,
                qgen.emission[:, idx[0]],
                qgen.absorption[:, idx[0]],
                qgen.net_damping[:, idx[0]],
                np.full(n_b, w),
            )
        )
    resid = 0.0
    if blocks:
        c2, g2, cg2, resid, _, _ = _blocks(blocks, weights, order, chi, n_b)
        cum, gross = cum + c2, gross + g2
        if cgf is not None:
            cgf = cgf + cg2
    solver = {
        "method": "tilted Riccati equation (global): closed form per normal mode",
        "degenerate_groups": len(blocks),
        "dark_modes": int(np.sum(single & ~live)),
        "residual": resid,
    }
    return _assemble(names, "full", cum, gross, cgf, pairs, "gaussian", solver)


def unified_quadratic_counting(network: Network, *, order: int = 3, chi=None) -> Counted:
    """Counting statistics of the unified equation of an oscillator network (:mod:`qheatnet.physics.quadratic_beyond`)."""
    from ..physics import quadratic_beyond as qb

    h = network.single_particle_matrix()
    sites = np.array([network.node_index(b.node) for b in network.baths], dtype=int)
    spectra = [b.spectrum for b in network.baths]
    temps = np.array([b.temperature for b in network.baths], float)
    sol = qb.unified_steady_state(h, sites, spectra, temps)
    omega, umat = sol.mode_frequencies, sol.modes
    assert umat is not None
    table = qb.bath_table(omega, spectra, temps)
    amps = umat[sites, :]
    n_b = len(sites)
    weights, pairs = _field_rows(n_b, n_b > 1)
    # channel (α, K): L = Σ_k u_αk √(J_αk/(1 − e^{−Ω̃/T_α})) d_k, emission rate 1, absorption e^{−Ω̃/T_α}
    singles, blocks = [], []
    for idx in sol.clusters:
        wt = float(sol.modified_frequencies[idx[0]])
        with np.errstate(divide="ignore", over="ignore"):
            x = np.where(temps > 0, wt / np.maximum(temps, 1e-300), np.inf)
        boltz = np.exp(-x)
        netr = -np.expm1(-x)  # 1 − e^{−Ω̃/T}
        w = amps[:, idx] * np.sqrt(np.maximum(table.damping[:, idx], 0.0))
        lv = w / np.sqrt(netr)[:, None]
        if len(idx) == 1:
            singles.append((lv[:, 0] ** 2, boltz * lv[:, 0] ** 2, float(np.sum(w[:, 0] ** 2)), wt))
        else:
            blocks.append((np.diag(omega[idx]), lv, np.ones(n_b), boltz, netr, np.full(n_b, wt)))
    cum = np.zeros((len(weights), order))
    gross = np.zeros_like(cum)
    cgf = np.zeros((n_b, len(np.atleast_1d(chi))), complex) if chi is not None else None
    if singles:
        e = np.array([s[0] for s in singles]).T
        f = np.array([s[1] for s in singles]).T
        net = np.array([s[2] for s in singles])
        qm = np.array([s[3] for s in singles])
        cum, gross, cg = _singletons(e, f, net, qm, weights, order, chi, n_b)
        if cgf is not None:
            cgf = cg
    resid = 0.0
    if blocks:
        c2, g2, cg2, resid, _, _ = _blocks(blocks, weights, order, chi, n_b)
        cum, gross = cum + c2, gross + g2
        if cgf is not None:
            cgf = cgf + cg2
    solver = {
        "method": "tilted Riccati equation (unified): closed form per cluster of one mode, blocks otherwise",
        "clusters": len(sol.clusters),
        "largest_cluster": int(max(len(c) for c in sol.clusters)),
        "residual": resid,
        "steady_state_currents": [float(x) for x in sol.currents_consistent],
    }
    return _assemble([b.name for b in network.baths], "consistent", cum, gross, cgf, pairs, "gaussian", solver)


def exact_counting_of(network: Network, *, order: int = 3, chi=None, rtol: float | None = None) -> Counted:
    """Exact (Saito–Dhar) counting statistics of a two-bath oscillator network."""
    from ..solvers.counting_exact import exact_counting

    kw = {} if rtol is None else {"rtol": rtol}
    r = exact_counting(network, order=order, chi=chi, **kw)
    s = r.cumulants[0, 1]
    noise = np.array([[s, -s], [-s, s]])
    resolution = np.vstack([r.errors, r.errors])
    cgf = None
    if r.cgf is not None:
        # Q_c = −Q_h + (bounded): λ_c(χ) = λ_h(−χ)
        back = exact_counting(network, order=1, chi=-np.atleast_1d(np.asarray(chi, complex)), **kw).cgf
        cgf = np.array([r.cgf, back])
    solver = dict(r.solver, max_transmission=r.max_transmission, errors=[float(x) for x in r.errors])
    return Counted(
        tuple(b.name for b in network.baths), "full", r.cumulants, noise, resolution, "exact", solver, None, cgf
    )


def counting_statistics(
    network: Network, approach: str, representation: str, *, cutoff: int | None = None, order: int = 3, chi=None
) -> Counted:
    """Counting statistics of ``approach`` in ``representation`` ("fock", "gaussian", "exact"); see the module docstring."""
    if representation == "exact":
        return exact_counting_of(network, order=order, chi=chi)
    if representation == "gaussian":
        if approach == "unified":
            return unified_quadratic_counting(network, order=order, chi=chi)
        from ..physics.davies import davies_quadratic
        from ..physics.local import local_quadratic

        qgen = local_quadratic(network) if approach == "local" else davies_quadratic(network)
        return quadratic_counting(qgen, order=order, chi=chi)
    if representation != "fock":
        raise ValidationError("representation", f"must be fock, gaussian or exact, got {representation!r}")
    if approach == "unified":
        return unified_fock_counting(network, cutoff, order=order, chi=chi)
    from ..physics.davies import build_global
    from ..physics.hilbert import FockSpace
    from ..physics.local import build_local

    space = FockSpace.build(network.kinds, cutoff)
    gen = (build_local if approach == "local" else build_global)(network, space)
    return fock_counting(gen, order=order, chi=chi)


# ---------------------------------------------------------------------------
# derived outputs and the result
# ---------------------------------------------------------------------------


def derived_outputs(mean, noise, temperatures, resolution) -> dict[str, Any]:
    """σ, Fano factor S/|J|, precision J²/S and TUR ratio Sσ/(2J²) per bath (see the module docstring).

    Where |J_α| is not above its ``resolution`` (e.g. equal temperatures) the ratios with J in the
    denominator are NaN; a bath at T = 0 with a resolved current makes σ infinite.
    """
    from .entropy import entropy_production

    mean = np.asarray(mean, float)
    noise = np.asarray(noise, float)
    res = np.asarray(resolution, float)
    sigma = entropy_production(mean, temperatures, float(np.max(res)) if res.size else 0.0)
    resolved = np.abs(mean) > res
    with np.errstate(divide="ignore", invalid="ignore"):
        fano = np.where(resolved, noise / np.abs(mean), np.nan)
        precision = np.where(resolved & (noise > 0), mean**2 / noise, np.nan)
        tur = np.where(resolved, noise * sigma / (2.0 * mean**2), np.nan)
    return {"entropy_production": sigma, "fano_factor": fano, "precision": precision, "tur_ratio": tur}


def _frozen(x):
    from ..api.results import freeze  # the package's read-only containers (lazy: api sits above thermo)

    return freeze(x)


@dataclass(frozen=True, eq=False, repr=False)
class Fluctuations:
    """Result of :func:`qheatnet.fluctuations`: heat-current fluctuations of every bath.

    Attributes
    ----------
    network, approach : the inputs
    representation : "fock", "gaussian" or "exact" (which kernel counted)
    bookkeeping : the counted energy: "bare" (local), "full" (global, exact), "consistent" (unified)
    heat_currents, current_noise, third_cumulant, fano_factor, precision, tur_ratio :
        read-only mappings bath name → value (module docstring; NaN where J is below resolution)
    noise_matrix : (B, B) zero-frequency cross noise S_αβ (diagonal: current_noise)
    entropy_production : σ = −Σ_α J_α/T_α from the counted means
    state : the SteadyState the counting was checked against (None for approaches solve lacks)
    solver : read-only mapping: method, residual, condition, cut-off, truncation estimate, check
    diagnostics : tuple of Diagnostic
    chi, cgf : the χ grid and λ_α(χ) = ln Z_α(χ)/t per bath (read-only mapping), or None
    """

    network: Network
    approach: str
    representation: str
    bookkeeping: str
    heat_currents: Any
    current_noise: Any
    third_cumulant: Any
    fano_factor: Any
    precision: Any
    tur_ratio: Any
    noise_matrix: Any
    entropy_production: float
    state: Any = None
    solver: Any = field(default_factory=dict)
    diagnostics: tuple = ()
    chi: Any = None
    cgf: Any = None

    def __post_init__(self) -> None:
        for name in (
            "heat_currents",
            "current_noise",
            "third_cumulant",
            "fano_factor",
            "precision",
            "tur_ratio",
            "noise_matrix",
            "solver",
            "chi",
            "cgf",
        ):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "diagnostics", tuple(self.diagnostics))

    @property
    def tur_satisfied(self) -> dict[str, bool | None]:
        """Bath → 𝒬_α ≥ 1 (None where 𝒬 is NaN)."""
        return {k: (None if math.isnan(v) else bool(v >= 1.0)) for k, v in self.tur_ratio.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the ``fluctuations`` section of ``qheatnet solve --fluctuations --json``)."""

        def num(x):
            x = float(x)
            return x if math.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")

        def per_bath(m):
            return {k: num(v) for k, v in m.items()}

        out: dict[str, Any] = {
            "approach": self.approach,
            "representation": self.representation,
            "bookkeeping": self.bookkeeping,
            "heat_currents": per_bath(self.heat_currents),
            "current_noise": per_bath(self.current_noise),
            "third_cumulant": per_bath(self.third_cumulant),
            "fano_factor": per_bath(self.fano_factor),
            "precision": per_bath(self.precision),
            "tur_ratio": per_bath(self.tur_ratio),
            "noise_matrix": [[num(v) for v in row] for row in np.asarray(self.noise_matrix)],
            "entropy_production": num(self.entropy_production),
            "solver": _json(self.solver),
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
        if self.cgf is not None:
            chi = np.asarray(self.chi)
            out["chi"] = [[num(c.real), num(c.imag)] for c in chi]
            out["cgf"] = {k: [[num(v.real), num(v.imag)] for v in np.asarray(vals)] for k, vals in self.cgf.items()}
        return out

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: S={self.current_noise[k]:.4g}, Q={self.tur_ratio[k]:.4g}" for k in self.current_noise)
        return f"Fluctuations({self.approach}, {self.representation}, {self.bookkeeping} bookkeeping; {parts})"


def _json(value):
    from collections.abc import Mapping

    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else ("inf" if v > 0 else "-inf" if v < 0 else "nan")
    if value is None or isinstance(value, str):
        return value
    return str(value)


def truncation_diagnostic(cutoff: int, error: float | str) -> Diagnostic:
    """FOCK_TRUNCATION for the counting statistics (the cut-off and the change of the cumulants with it)."""
    text = error if isinstance(error, str) else f"{error:.1e}"
    return Diagnostic(
        "FOCK_TRUNCATION",
        "info",
        f"counting statistics: oscillators truncated at K = {cutoff} total quanta; relative change of the "
        f"noise and third cumulant from K − {config.FOCK_STEP}: {text}",
    )


__all__ += ["truncation_diagnostic"]


def check_chi(chi) -> np.ndarray | None:
    """``chi``: None or finite real/complex numbers (ValidationError otherwise)."""
    if chi is None:
        return None
    try:
        arr = np.atleast_1d(np.asarray(chi, dtype=complex))
    except (TypeError, ValueError):
        raise ValidationError("chi", f"must be a number or a list of (complex) numbers, got {chi!r}") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValidationError("chi", f"must be a non-empty list of finite numbers, got {chi!r}")
    return arr


__all__ += ["check_chi"]
