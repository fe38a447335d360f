"""The cheap global (Davies) path of the Gaussian engine against a dense reference written here.

Issue 12, item 4: the oscillator global path computes only what the requested outputs need (bath
rows of the normal modes for the currents, squared modes for the populations, the N × N correlation
matrix and covariance only when asked, an O(N) ground-state test for chains). The reference below
builds the Davies generator on the full N × N correlation matrix C_ij = ⟨a_i† a_j⟩ in the site basis
and solves its Lyapunov equation densely (scipy), with no normal-mode shortcut, no per-mode balance
and no qheatnet kernel: per bath α on site s and group g of degenerate modes (projector P_g), the jump
Σ_i (P_g)_si a_i at the group's frequency ω_g with emission E_α(ω_g) and absorption A_α(ω_g), so

    Ċ = i(hC − Ch) − ½{Γ↓ − Γ↑, C} + Γ↑,   Γ↓_α = Σ_g E_α(ω_g) u uᵀ,  Γ↑_α = Σ_g A_α(ω_g) u uᵀ,  u = P_g e_s,

J_α = Tr[h_book Ċ_α]. Tolerances: both sides are exact for the same master equation. The dense
Lyapunov solve resolves C only to ~ε‖Z‖/min Re λ(Z) (measured: errors track it within a factor 3, up
to 2.5e-7 for a mode damped at 8e-10 when N = 60; the normal-mode path, n_k = A_k/D_k per mode, has no
such amplification), so C, the covariance and the populations are compared to C_FACTOR times that
bound (at least C_ATOL); the currents, dominated by well-damped modes, to J_RTOL relative.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.linalg as sla

from qheatnet import Bath, Coupling, Flat, ModelError, Network, Node, Ohmic, solve
from qheatnet import config as qconfig

J_RTOL = 1e-8  # currents: dense Lyapunov vs normal modes (measured ≤ 5e-12)
C_ATOL = 1e-11  # correlation matrix, covariance, populations (entries ~1), floor
C_FACTOR = 30.0  # times the reference's resolution ε‖Z‖/min Re λ(Z)


def network(freqs, edges, baths):
    nodes = [Node(f"n{i}", "oscillator", float(w)) for i, w in enumerate(freqs)]
    cps = [Coupling((f"n{i}", f"n{j}"), float(e)) for i, j, e in edges]
    return Network(nodes=nodes, couplings=cps, baths=[Bath(n, f"n{s}", t, sp) for n, s, t, sp in baths])


def random_chain(n, seed, extra=()):
    """Weakly disordered chain (localisation length ≫ N: every mode reaches both baths), optional chords."""
    rng = np.random.default_rng(seed)
    freqs = 1.0 + 0.01 * rng.standard_normal(n)
    edges = [(i, i + 1, 0.04 + 0.02 * rng.random()) for i in range(n - 1)] + [(i, j, 0.03) for i, j in extra]
    baths = [("hot", 0, 2.0, Ohmic(0.02, 5.0)), ("cold", n - 1, 1.0, Ohmic(0.015, 4.0))]
    if n > 20:
        baths.append(("mid", n // 3, 1.4, Flat(0.004)))
    return network(freqs, edges, baths)


def dense_reference(net, bookkeeping="full"):
    """(currents {bath: J}, C, covariance V, resolution of C) of the Davies steady state, dense, site basis."""
    n = len(net.nodes)
    idx = {nd.name: i for i, nd in enumerate(net.nodes)}
    h = np.diag([nd.frequency for nd in net.nodes]).astype(float)
    for c in net.couplings:
        i, j = idx[c.nodes[0]], idx[c.nodes[1]]
        h[i, j] += c.strength
        h[j, i] += c.strength
    w, u = np.linalg.eigh(h)
    cuts = np.flatnonzero(np.diff(w) > 1e-8) + 1  # exact degeneracies (symmetry) only; distinct gaps ≫ 1e-8
    groups = np.split(np.arange(n), cuts)
    down, up = [], []
    for b in net.baths:
        s = idx[b.node]
        gd, gu = np.zeros((n, n)), np.zeros((n, n))
        for g in groups:
            wg = float(np.mean(w[g]))
            vec = u[:, g] @ u[s, g]  # P_g e_s
            gd += float(b.spectrum.emission(wg, b.temperature)) * np.outer(vec, vec)
            gu += float(b.spectrum.absorption(wg, b.temperature)) * np.outer(vec, vec)
        down.append(gd)
        up.append(gu)
    z = 0.5 * (sum(down) - sum(up)) - 1j * h
    c = sla.solve_continuous_lyapunov(z, sum(up).astype(complex))  # Z C + C Z† = Γ↑
    c = 0.5 * (c + c.conj().T)
    resolution = np.finfo(float).eps * np.linalg.norm(z, 2) / float(np.min(np.linalg.eigvals(z).real))
    hb = np.diag(np.diag(h)) if bookkeeping == "bare" else h
    currents = {}
    for b, gd, gu in zip(net.baths, down, up):
        dc = -0.5 * ((gd - gu) @ c + c @ (gd - gu)) + gu
        currents[b.name] = float(np.real(np.trace(hb @ dc)))
    # covariance, order x_1, p_1, …, x = (a + a†)/√2, p = (a − a†)/(i√2), ⟨a a⟩ = 0:
    # ½⟨{x_i, x_j}⟩ = ½⟨{p_i, p_j}⟩ = Re C_ij + ½δ_ij, ½⟨{x_i, p_j}⟩ = Im C_ij
    v = np.zeros((2 * n, 2 * n))
    v[0::2, 0::2] = v[1::2, 1::2] = c.real + 0.5 * np.eye(n)
    v[0::2, 1::2] = c.imag
    v[1::2, 0::2] = c.imag.T
    return currents, c, v, resolution


def assert_matches(res, ref, *, full):
    currents, c, v, resolution = ref
    tol = max(C_ATOL, C_FACTOR * resolution)
    scale = max(abs(j) for j in currents.values())
    for name, j in currents.items():
        assert abs(res.heat_currents[name] - j) <= J_RTOL * scale, (name, res.heat_currents[name], j)
    pops = np.array([res.populations[nd.name] for nd in res.network.nodes])
    assert np.all(np.isfinite(pops))
    assert np.max(np.abs(pops - np.real(np.diag(c)))) <= tol
    if full:
        assert np.max(np.abs(np.asarray(res.correlation_matrix) - c)) <= tol
        assert np.max(np.abs(np.asarray(res.covariance) - v)) <= tol
    else:
        assert res.correlation_matrix is None and res.covariance is None
    # coupling currents J_{c→i} = 2 ε ω_i Im C_ij from the reference C
    idx = {nd.name: i for i, nd in enumerate(res.network.nodes)}
    assert res.coupling_currents is not None
    for cp in res.network.couplings:
        i, j = idx[cp.nodes[0]], idx[cp.nodes[1]]
        for a, b in ((i, j), (j, i)):
            expect = 2 * cp.strength * res.network.nodes[a].frequency * c[a, b].imag
            got = res.coupling_currents[cp.label][res.network.nodes[a].name]
            assert abs(got - expect) <= J_RTOL * scale


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("n", [30, 60])
def test_random_chains_match_the_dense_reference(n, seed):
    net = random_chain(n, seed)
    for book in ("full", "bare"):
        res = solve(net, "global", bookkeeping=book)
        assert res.engine == "gaussian"
        assert_matches(res, dense_reference(net, book), full=True)


@pytest.mark.parametrize("seed", [4, 5])
def test_non_chain_graph_matches_the_dense_reference(seed):
    n = 40
    net = random_chain(n, seed, extra=[(0, n - 1), (3, 17), (10, 30), (5, 6 + 20)])
    assert_matches(solve(net, "global"), dense_reference(net), full=True)


def test_degenerate_ring_matches_the_dense_reference():
    # a uniform ring: pairs of degenerate normal modes (Davies groups with coherences); baths on sites 0
    # and 5 reach both members of every pair (sin(2πk·5/12) ≠ 0 for k ≠ 0, 6)
    n = 12
    edges = [(i, (i + 1) % n, 0.05) for i in range(n)]
    net = network([1.0] * n, edges, [("hot", 0, 2.0, Ohmic(0.02, 5.0)), ("cold", 5, 1.0, Flat(0.01))])
    res = solve(net, "global")
    assert res.solver["degenerate_groups"] > 0
    assert_matches(res, dense_reference(net), full=True)


def test_correlations_only_when_asked(monkeypatch):
    n = 40
    net = random_chain(n, 7)
    ref = dense_reference(net)
    assert n <= qconfig.GAUSSIAN_GLOBAL_FULL_MAX  # the default forms them for networks this small
    assert_matches(solve(net, "global"), ref, full=True)
    monkeypatch.setattr(qconfig, "GAUSSIAN_GLOBAL_FULL_MAX", 10)
    auto = solve(net, "global")
    assert_matches(auto, ref, full=False)
    assert auto.solver["correlations"].startswith("not formed") and "populations='all'" in auto.solver["correlations"]
    assert_matches(solve(net, "global", populations="all"), ref, full=True)
    baths = solve(net, "global", populations="baths")
    assert_matches(baths, ref, full=False)  # the populations of every node cost O(N²): always there


def test_chain_path_skips_dense_cholesky_and_correlations(monkeypatch):
    """No dense Cholesky and no N × N correlation matrix for a chain unless asked (structure, not timing)."""
    import qheatnet.thermo.covariance as cov_mod

    net = random_chain(60, 8)
    ref = dense_reference(net)
    monkeypatch.setattr(qconfig, "GAUSSIAN_GLOBAL_FULL_MAX", 10)
    real_cov = cov_mod.covariance_from_correlation

    def forbidden(*args, **kwargs):
        raise AssertionError("dense work the requested outputs do not need")

    monkeypatch.setattr(np.linalg, "cholesky", forbidden)
    monkeypatch.setattr(cov_mod, "covariance_from_correlation", forbidden)
    assert_matches(solve(net, "global"), ref, full=False)
    monkeypatch.setattr(cov_mod, "covariance_from_correlation", real_cov)
    assert_matches(solve(net, "global", populations="all"), ref, full=True)


def test_large_chain_default_gives_currents_and_populations_without_correlations():
    # N above the default limit: the reference is the uniform chain's closed-form normal modes
    n = qconfig.GAUSSIAN_GLOBAL_FULL_MAX + 50
    eps, kap, cut = 0.05, 0.02, 5.0
    net = network(
        [1.0] * n,
        [(i, i + 1, eps) for i in range(n - 1)],
        [("hot", 0, 2.0, Ohmic(kap, cut)), ("cold", n - 1, 1.0, Ohmic(kap, cut))],
    )
    res = solve(net, "global")
    assert res.correlation_matrix is None and res.covariance is None
    k = np.arange(1, n + 1)
    w = 1.0 + 2 * eps * np.cos(np.pi * k / (n + 1))
    u2 = 2.0 / (n + 1) * np.sin(np.pi * k / (n + 1)) ** 2  # |U_0k|² = |U_{N−1},k|²
    jw = kap * w * np.exp(-w / cut)
    nh, nc = 1 / np.expm1(w / 2.0), 1 / np.expm1(w / 1.0)
    j_hot = float(np.sum(w * 0.5 * u2 * jw * (nh - nc)))  # per mode: γ_h γ_c (n_h − n_c)/(γ_h + γ_c), γ = u2 J
    assert abs(res.heat_currents["hot"] - j_hot) <= 1e-9 * abs(j_hot)
    nmode = 0.5 * (nh + nc)
    i = np.arange(n)
    ui2 = 2.0 / (n + 1) * np.sin(np.pi * np.outer(i + 1, k) / (n + 1)) ** 2
    pops = np.array([res.populations[f"n{j}"] for j in range(n)])
    assert np.max(np.abs(pops - ui2 @ nmode)) <= 1e-12
    assert all(v == 0.0 for per in res.coupling_currents.values() for v in per.values())


def test_unbounded_chain_is_refused_with_the_closed_form_frequency():
    # uniform chain: ω_k = ω + 2ε cos(πk/(N+1)); no ground state once ε > ω / (2 cos(π/(N+1)))
    n, w0 = 25, 1.0
    crit = w0 / (2 * np.cos(np.pi / (n + 1)))
    for eps, bounded in ((crit * (1 - 1e-6), True), (crit * (1 + 1e-6), False)):
        net = network(
            [w0] * n,
            [(i, i + 1, eps) for i in range(n - 1)],
            [("hot", 0, 2.0, Flat(0.01)), ("cold", n - 1, 1.0, Flat(0.01))],
        )
        lowest = w0 - 2 * eps * np.cos(np.pi / (n + 1))
        if bounded:
            assert solve(net, "global").engine == "gaussian"
            assert not any(str(d.code) == "UNBOUNDED_HAMILTONIAN" for d in solve(net, "local").diagnostics)
        else:
            with pytest.raises(ModelError, match=f"{lowest:.6g}"):
                solve(net, "global")
            msg = next(d.message for d in solve(net, "local").diagnostics if str(d.code) == "UNBOUNDED_HAMILTONIAN")
            assert f"{lowest:.4g}" in msg
