"""A slow, obvious reference implementation of both master equations (thewalrus ``reference.py`` habit).

Everything here is dense numpy written straight from the formulas, for qubit
networks (no truncation, so the comparison is exact up to round-off):

* local (eqs. 6–7 of Levy & Kosloff 2014): 𝓛_α = γ(ω_i) D[σ_i⁻] + γ(ω_i)e^{−ω_i/T} D[σ_i⁺];
* global (Davies; eqs. 10–12 generalised): diagonalise H_S, split X = σ_i⁻ + σ_i⁺
  into A(ω) = Σ_{E_m − E_n = ω} |n⟩⟨n|X|m⟩⟨m| and 𝓛_α = Σ_ω G(ω) D[A(ω)],
  G(ω) = γ(ω) for ω > 0, γ(|ω|)e^{−|ω|/T} for ω < 0;
* steady state: null vector of the dense column-stacked Liouvillian (SVD);
* heat currents: J_α = Tr[(𝓛_α ρ) H_S] (eq. 5).

It shares no code with qheatnet beyond the spectra's rate functions (tested
on their own in test_spectra.py) and checks the sparse q-block solver, the
Davies builder (Bohr grouping, jump operators) and the current bookkeeping.
Tolerance: 1e-9 relative to the gross scale of the currents — the dense SVD
null vector is accurate to ~1e-13 of ‖ρ‖ for these 4–16-dimensional spaces.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Network, Node, solve


def _sigma_minus(n_nodes: int, i: int) -> np.ndarray:
    lower = np.array([[0.0, 1.0], [0.0, 0.0]])  # |0⟩⟨1| in the basis (|0⟩, |1⟩)
    ops = [np.eye(2)] * n_nodes
    ops[i] = lower
    out = np.array([[1.0]])
    for op in ops:
        out = np.kron(out, op)
    return out


def _hamiltonian(net: Network) -> np.ndarray:
    n = len(net.nodes)
    lows = [_sigma_minus(n, i) for i in range(n)]
    h = sum(node.frequency * lows[i].T @ lows[i] for i, node in enumerate(net.nodes))
    for c in net.couplings:
        i, j = net.node_index(c.nodes[0]), net.node_index(c.nodes[1])
        h = h + c.strength * (lows[i].T @ lows[j] + lows[j].T @ lows[i])
    return h


def _dissipator(jump: np.ndarray, rate: float):
    """Superoperator of rate · D[J] for column stacking: vec(AρB) = (Bᵀ ⊗ A) vec ρ."""
    d = jump.shape[0]
    eye = np.eye(d)
    jj = jump.conj().T @ jump
    return rate * (np.kron(jump.conj(), jump) - 0.5 * np.kron(eye, jj) - 0.5 * np.kron(jj.T, eye))


def _reference_terms(net: Network, approach: str):
    """{bath name: [(rate, jump operator)]} in the product basis."""
    n = len(net.nodes)
    h = _hamiltonian(net)
    energies, vecs = np.linalg.eigh(h)
    terms = {}
    for bath in net.baths:
        i = net.node_index(bath.node)
        low = _sigma_minus(n, i)
        spec, temp = bath.spectrum, bath.temperature
        if approach == "local":
            w = net.nodes[i].frequency
            terms[bath.name] = [
                (float(spec.emission(w, temp)), low),
                (float(spec.absorption(w, temp)), low.T.copy()),
            ]
            continue
        x_eig = vecs.T @ (low + low.T) @ vecs
        bohr = energies[None, :] - energies[:, None]  # ω_nm = E_m − E_n for ⟨n|X|m⟩
        mask = np.abs(x_eig) > 1e-13
        groups: dict[float, np.ndarray] = {}
        for w in bohr[mask]:
            key = next((k for k in groups if abs(k - w) < 1e-9), None)
            if key is None:
                groups[float(w)] = np.zeros_like(x_eig)
        for key in groups:
            sel = mask & (np.abs(bohr - key) < 1e-9)
            groups[key][sel] = x_eig[sel]
        terms[bath.name] = [
            (float(spec.bohr_rate(w, temp)), vecs @ a_w @ vecs.T) for w, a_w in groups.items() if abs(w) > 1e-9
        ]
    return h, terms


def reference_steady_state(net: Network, approach: str):
    """(ρ, {bath: J}, gross) from the dense reference."""
    h, terms = _reference_terms(net, approach)
    d = h.shape[0]
    eye = np.eye(d)
    liou = -1j * (np.kron(eye, h) - np.kron(h.T, eye))
    for ts in terms.values():
        for rate, jump in ts:
            liou = liou + _dissipator(jump, rate)
    _, _, vh = np.linalg.svd(liou)
    rho = vh[-1].conj().reshape(d, d, order="F")
    rho = rho / np.trace(rho)
    rho = 0.5 * (rho + rho.conj().T)
    currents, gross = {}, 0.0
    for name, ts in terms.items():
        sup = sum(_dissipator(jump, rate) for rate, jump in ts)
        drho = (sup @ rho.reshape(-1, order="F")).reshape(d, d, order="F")
        currents[name] = float(np.real(np.trace(drho @ h)))
        gross += sum(rate * float(np.real(np.trace(rho @ jump.conj().T @ jump))) for rate, jump in ts)
    return rho, currents, gross


def _random_qubit_network(rng, n_nodes):
    nodes = [Node(f"q{i}", "qubit", float(rng.uniform(0.6, 1.6))) for i in range(n_nodes)]
    pairs = [(i, i + 1) for i in range(n_nodes - 1)]
    if n_nodes > 2:
        pairs.append((0, n_nodes - 1))
    couplings = [Coupling((f"q{i}", f"q{j}"), float(rng.uniform(0.01, 0.1))) for i, j in pairs]
    spectra = [
        {"kind": "flat", "rate": 0.02},
        {"kind": "ohmic", "kappa": 0.03, "cutoff": 2.0},
        {"kind": "phonon3d", "kappa": 0.01},
        {"kind": "drude_lorentz", "kappa": 0.03, "cutoff": 1.0},
    ]
    baths = [
        Bath(f"b{k}", f"q{i}", float(rng.uniform(0.2, 2.0)), spectra[(k + i) % 4])
        for k, i in enumerate({0, n_nodes - 1, int(rng.integers(n_nodes))})
    ]
    return Network(nodes=nodes, couplings=couplings, baths=baths)


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("seed", range(6))
def test_sparse_solver_matches_dense_reference(seed, approach):
    rng = np.random.default_rng(seed)
    net = _random_qubit_network(rng, 2 + seed % 3)
    _, ref_currents, gross = reference_steady_state(net, approach)
    res = solve(net, approach, engine="fock")
    for name, j_ref in ref_currents.items():
        assert abs(res.heat_currents[name] - j_ref) <= 1e-9 * gross, (name, res.heat_currents[name], j_ref)
    # populations are basis independent: compare ⟨n_i⟩
    rho, _, _ = reference_steady_state(net, approach)
    n = len(net.nodes)
    for i, node in enumerate(net.nodes):
        low = _sigma_minus(n, i)
        n_ref = float(np.real(np.trace(rho @ low.T @ low)))
        assert res.populations[node.name] == pytest.approx(n_ref, abs=1e-11)


@pytest.mark.parametrize("approach", ["local", "global"])
def test_default_engine_matches_dense_reference(approach):
    """Whatever engine ``solve`` picks by default for qubits must agree with the reference too."""
    net = _random_qubit_network(np.random.default_rng(42), 3)
    _, ref_currents, gross = reference_steady_state(net, approach)
    res = solve(net, approach)
    for name, j_ref in ref_currents.items():
        assert abs(res.heat_currents[name] - j_ref) <= 1e-9 * gross, (res.engine, name)


def test_reference_reproduces_gibbs_state():
    """Sanity check of the reference itself: a single qubit relaxes to 1/(e^{ω/T} + 1)."""
    net = Network(nodes=[Node("q", "qubit", 1.0)], baths=[Bath("b", "q", 0.5, {"kind": "flat", "rate": 0.1})])
    for approach in ("local", "global"):
        rho, currents, _ = reference_steady_state(net, approach)
        assert np.real(rho[1, 1]) == pytest.approx(1 / (np.exp(2.0) + 1), rel=1e-12)
        assert abs(currents["b"]) < 1e-15
