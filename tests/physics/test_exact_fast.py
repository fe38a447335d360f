"""The fast exact (NEGF) reference: impurity chains, long chains, narrow resonances, refusals.

Independent references written here:

* Classical limit, Drude–Lorentz baths (``classical_lyapunov``). A Drude–Lorentz bath is an
  Ornstein–Uhlenbeck force: with w_α = (memory force) − (noise), the network plus one
  auxiliary variable per bath obeys the linear SDE
      ẋ = h p,  ṗ = −h x − Σ_α w_α e_{s_α},  ẇ_α = −c_α w_α + κ_α c_α (h p)_{s_α} + σ_α η_α(t),
  whose memory part reproduces 2Δχ(ν) = −κ c iν/(c − iν) and whose noise spectrum
  σ²/(c² + ν²) equals the classical J(ν)·2T/ν = 2Tκc²/(c² + ν²) for σ² = 2Tκc². The
  stationary covariance solves A V + V Aᵀ + D = 0 (D = diag(σ²) on the w's) and the power
  delivered by bath α is −⟨(h p)_{s_α} w_α⟩. The quantum integrands differ by
  coth(ν/2T) − 2T/ν ≈ ν/(6T) and n_a − n_b − (T_a − T_b)/ν ≈ ν(1/T_a − 1/T_b)/12, i.e. by a
  relative O(ν²/(12 T_a T_b)) ≈ 4e-10 at T = 2e4, 1e4 and ν ≈ 1. The Lyapunov solution
  itself is accurate to ≈ eps·ν/γ for a mode of half-width γ, hence the choice of widths.
* Weak-coupling (global, secular) limit (``global_limit``): at κ → 0 each normal mode k
  relaxes independently with rates γ_αk = J_α(ω_k) u_{s_α k}², occupation
  n_k = Σ_α γ_αk n_α / Σ_α γ_αk, ⟨n_i⟩ = Σ_k u_ik² n_k and J_α = Σ_k ω_k Σ_β γ_αk γ_βk
  (n_α − n_β)/Σ γ_k, exact to O(κ/ω, κ/spacing). The exponentially small end amplitudes of
  an impurity mode are computed by two-sided growing recursions (each step a ratio, so
  relatively accurate), not by a dense eigensolver (absolute accuracy eps only).
"""

import warnings

import numpy as np
import pytest
from scipy import linalg

import qheatnet.solvers.exact as ex
from qheatnet import Bath, ConvergenceError, Coupling, DrudeLorentz, Network, Node, Ohmic
from qheatnet.model.spectra import bose
from qheatnet.solvers.exact_green import ChainGreen, DenseGreen, path_order
from qheatnet.solvers.exact_poles import drude_lorentz_poles, first_order_poles, normal_modes


def chain(n, imp=None, w_imp=1.5, eps=0.05, kappa=0.01, spec=Ohmic, cutoff=5.0, temps=(2.0, 1.0)):
    w = np.ones(n)
    if imp is not None:
        w[imp] = w_imp
    nodes = [Node(f"n{i}", "oscillator", float(w[i])) for i in range(n)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), eps) for i in range(n - 1)]
    baths = [
        Bath("hot", "n0", temps[0], spec(kappa, cutoff)),
        Bath("cold", f"n{n - 1}", temps[1], spec(kappa, cutoff)),
    ]
    return Network(nodes, cps, baths)


def classical_lyapunov(net):
    """Currents and ⟨x²⟩, ⟨p²⟩ covariance of the classical Markovian embedding (module docstring)."""
    h = net.single_particle_matrix()
    n, baths = h.shape[0], net.baths
    a = np.zeros((2 * n + len(baths),) * 2)
    d = np.zeros_like(a)
    a[:n, n : 2 * n] = h
    a[n : 2 * n, :n] = -h
    for k, b in enumerate(baths):
        s, kap, c = net.node_index(b.node), b.spectrum.kappa, b.spectrum.cutoff
        a[n + s, 2 * n + k] = -1.0
        a[2 * n + k, 2 * n + k] = -c
        a[2 * n + k, n : 2 * n] = kap * c * h[s]
        d[2 * n + k, 2 * n + k] = 2 * b.temperature * kap * c * c
    v = linalg.solve_continuous_lyapunov(a, -d)
    cur = {b.name: -float(h[net.node_index(b.node)] @ v[n : 2 * n, 2 * n + k]) for k, b in enumerate(baths)}
    return cur, v[: 2 * n, : 2 * n]


def hot(net, factor=1e4):
    return net.replace(baths=[Bath(b.name, b.node, b.temperature * factor, b.spectrum) for b in net.baths])


def tail_accurate_vector(a, t, lam, imp):
    """Eigenvector of the uniform-coupling tridiagonal (a, t) at λ, grown from both ends towards ``imp``."""
    n = a.size
    left = [1.0, -(a[0] - lam) / t]
    for j in range(1, imp):
        left.append(-((a[j] - lam) * left[j] + t * left[j - 1]) / t)
    right = [1.0, -(a[-1] - lam) / t]
    for j in range(1, n - 1 - imp):
        right.append(-((a[n - 1 - j] - lam) * right[j] + t * right[j - 1]) / t)
    lv, rv = np.array(left[: imp + 1]), np.array(right[: n - imp])[::-1]
    rv *= lv[-1] / rv[0]
    u = np.concatenate([lv, rv[1:]])
    return u / np.linalg.norm(u)


def global_limit(net, imp=None):
    h = net.single_particle_matrix()
    a, t = np.diag(h).copy(), h[0, 1]
    w, u = linalg.eigh_tridiagonal(a, np.diag(h, 1))
    if imp is not None:
        k = int(np.argmax(np.abs(u[imp])))
        u[:, k] = tail_accurate_vector(a, t, w[k], imp)
    sites = [net.node_index(b.node) for b in net.baths]
    g = np.array([b.spectrum.spectral_density(w) * u[s] ** 2 for b, s in zip(net.baths, sites)])
    nb = np.array([bose(w, b.temperature) for b in net.baths])
    nk = (g * nb).sum(0) / g.sum(0)
    return (u**2) @ nk, float(np.sum(w * g[0] * g[1] * (nb[0] - nb[1]) / g.sum(0)))


def to_xp_blocks(cov):
    """Interleaved (x1, p1, x2, p2, ...) → (x..., p...)."""
    n = cov.shape[0] // 2
    order = np.concatenate([np.arange(0, 2 * n, 2), np.arange(1, 2 * n, 2)])
    return cov[np.ix_(order, order)]


# -- kernels -----------------------------------------------------------------------------------------


def test_chain_recursion_matches_dense_solves_near_resonances():
    """O(N) block elimination against numpy dense solves of M(ν), permuted two-component chain."""
    rng = np.random.default_rng(1)
    n = 12
    perm = rng.permutation(n)
    h = np.zeros((n, n))
    for i in range(n):
        h[perm[i], perm[i]] = 1 + 0.2 * rng.random()
    for i in range(n - 1):
        if i != 6:
            h[perm[i], perm[i + 1]] = h[perm[i + 1], perm[i]] = 0.05 + 0.02 * rng.random()
    sites = np.array([perm[0], perm[5], perm[7], perm[11]])
    order = path_order(h)
    assert order is not None
    cg = ChainGreen(h, sites, *order)
    nu = np.concatenate([np.linalg.eigvalsh(h) + 1e-9, rng.random(10) * 2])
    sig = -0.01j * nu[:, None] * np.array([1, 2, 1, 3])[None] + 0.001
    x, q = cg.columns(nu, sig, rows="all")
    for k, v in enumerate(nu):
        m = np.block([[h + 0j, -v * np.eye(n)], [-v * np.eye(n), h]])
        m[sites, sites] += sig[k]
        rhs = np.zeros((2 * n, len(sites)))
        rhs[sites, np.arange(len(sites))] = 1
        ref = np.linalg.solve(m, rhs)
        scale = np.abs(ref).max()
        assert np.abs(x[k] - ref[:n]).max() < 1e-11 * scale
        assert np.abs(q[k] - ref[n:]).max() < 1e-11 * scale
    xs, dx, dq = cg.columns(nu, sig, rows="diag", weights=np.ones((nu.size, len(sites))))
    assert np.allclose(dx, np.sum(np.abs(x) ** 2, axis=2), rtol=1e-12)
    assert np.allclose(xs, x[:, sites], rtol=1e-12)
    dg = DenseGreen(h, sites, np.linalg.inv(h))
    x2, q2 = dg.columns(nu, sig, rows="all")
    assert np.abs(x2 - x).max() < 1e-10 * np.abs(x).max()


def test_drude_lorentz_poles_are_poles_and_match_first_order():
    net = chain(6, 2, 1.3, spec=DrudeLorentz, kappa=1e-3)
    h = net.single_particle_matrix()
    sites = np.array([0, 5])
    z, aux = drude_lorentz_poles(h, sites, [1e-3, 1e-3], [5.0, 5.0])
    assert z.size == 6 and aux.size == 2
    for zk in z:  # G⁻¹(z) = h − z² h⁻¹ + 2Δχ(z) E is singular at each pole
        d = h - zk**2 * np.linalg.inv(h) + 0j
        d[sites, sites] += 2 * (-0.5e-3 * 5.0 * 1j * zk / (5.0 - 1j * zk))
        sv = np.linalg.svd(d, compute_uv=False)
        assert sv[-1] < 1e-10 * sv[0]
    prob = ex._Problem(net)
    w, u = normal_modes(h, path_order(h))
    zf, _ = first_order_poles(w, u[prob.usites], prob.sigma)
    assert np.allclose(np.sort(zf.real), np.sort(z.real), atol=1e-6)
    assert np.allclose(np.sort(zf.imag), np.sort(z.imag), rtol=1e-2, atol=1e-12)


# -- physics against independent references ------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kw",
    [
        ((10, 5, 1.05), {}),  # in-band impurity
        ((8, 3, 1.5), dict(kappa=0.2)),  # out-of-band impurity, half-width 7.6e-8 ν: analytic window
        ((8, 2, 1.5), dict(kappa=0.02)),  # out-of-band, half-width 1e-6 ν: resolved numerically
        ((6, 2, 1.3), dict(kappa=0.5, cutoff=2.0)),  # strong coupling: κ comparable to the frequencies' spread
    ],
    ids=["in-band", "out-of-band-window", "out-of-band-numerical", "strong-coupling"],
)
def test_impurity_chain_against_classical_lyapunov(args, kw):
    net = hot(chain(*args, spec=DrudeLorentz, **kw))
    cur, v = classical_lyapunov(net)
    res = ex.exact_steady_state(net, covariance=True)
    assert res.heat_currents["hot"] == pytest.approx(cur["hot"], rel=2e-9)
    mine = to_xp_blocks(res.covariance)
    assert np.max(np.abs(mine - v)) < 1e-8 * np.max(np.abs(v))
    n = len(net.nodes)
    pops = 0.5 * (np.diag(v)[:n] + np.diag(v)[n:]) - 0.5
    assert np.allclose([res.populations[f"n{i}"] for i in range(n)], pops, rtol=1e-8)
    if args == (8, 3, 1.5):
        assert len(res.solver["windows"]) == 1


def test_window_model_agrees_with_numerical_integration_ohmic(monkeypatch):
    """Ohmic baths (no Lyapunov embedding): the analytic window against the brute numerical integral.

    Half-width 7.6e-8 ν: numerically the peak costs ~100 extra points and carries rounding ≈ 1e-9.
    """
    net = chain(8, 3, 1.5, kappa=0.2)
    win = ex.exact_steady_state(net, covariance=False, populations=True)
    assert len(win.solver["windows"]) == 1
    monkeypatch.setattr(ex, "NARROW_RTOL", 1e-15)
    num = ex.exact_steady_state(net, covariance=False, populations=True)
    assert not num.solver["windows"]
    assert win.heat_currents["hot"] == pytest.approx(num.heat_currents["hot"], rel=1e-10)
    for k in win.populations:
        assert win.populations[k] == pytest.approx(num.populations[k], rel=2e-9)


@pytest.mark.parametrize("spec", [Ohmic, DrudeLorentz], ids=lambda s: s.kind)
def test_unresolvably_narrow_impurity_mode_against_weak_coupling_limit(spec):
    """An impurity in the middle of a 40-chain: its mode's half-width is ~1e-37 (end amplitudes ~1e-19).

    Numerically hopeless (the old implementation hangs); the window model needs only ratio-accurate
    amplitudes. At κ = 1e-6 the exact answer is the global limit up to O(κ/spacing) ≈ 1e-6.
    """
    net = chain(40, 20, 1.3, kappa=1e-6, spec=spec)
    pops, jh = global_limit(net, imp=20)
    res = ex.exact_steady_state(net, covariance=False, populations=True)
    assert res.heat_currents["hot"] == pytest.approx(jh, rel=1e-5)
    assert res.populations["n20"] == pytest.approx(pops[20], rel=1e-9)
    assert np.allclose([res.populations[f"n{i}"] for i in range(40)], pops, rtol=1e-5)
    assert any(w["half_width"] < 1e-30 for w in res.solver["windows"])
    assert any("slowest normal mode" in note for note in res.notes)


def test_long_uniform_chain_against_classical_lyapunov():
    net = hot(chain(120, spec=DrudeLorentz, kappa=0.02))
    cur, v = classical_lyapunov(net)
    res = ex.exact_steady_state(net, covariance=False, populations=True)
    assert res.heat_currents["hot"] == pytest.approx(cur["hot"], rel=2e-9)
    pops = 0.5 * (np.diag(v)[:120] + np.diag(v)[120:]) - 0.5
    assert np.allclose([res.populations[f"n{i}"] for i in range(120)], pops, rtol=1e-8)


def test_long_uniform_chain_against_weak_coupling_limit():
    net = chain(400, kappa=1e-5)
    pops, jh = global_limit(net)
    res = ex.exact_steady_state(net, covariance=False)
    assert res.heat_currents["hot"] == pytest.approx(jh, rel=1e-3)
    assert res.populations == {} and res.covariance is None
    assert res.solver["green"] == "chain"


def test_populations_alone_equal_those_of_the_covariance_run():
    net = chain(10, 5, 1.5)
    full = ex.exact_steady_state(net, covariance=True)
    pops = ex.exact_steady_state(net, covariance=False, populations=True)
    assert pops.covariance is None
    for k in full.populations:
        assert pops.populations[k] == pytest.approx(full.populations[k], rel=1e-9)


def test_general_graph_uses_dense_solves_and_agrees_with_lyapunov():
    """A ring (not a path): dense evaluator."""
    nodes = [Node(f"n{i}", "oscillator", 1.0 + 0.05 * i) for i in range(5)]
    cps = [Coupling((f"n{i}", f"n{(i + 1) % 5}"), 0.04) for i in range(5)]
    baths = [Bath("hot", "n0", 2e4, DrudeLorentz(0.02, 5.0)), Bath("cold", "n2", 1e4, DrudeLorentz(0.02, 5.0))]
    net = Network(nodes, cps, baths)
    cur, v = classical_lyapunov(net)
    res = ex.exact_steady_state(net)
    assert res.solver["green"] == "dense"
    assert res.heat_currents["hot"] == pytest.approx(cur["hot"], rel=2e-9)
    assert np.max(np.abs(to_xp_blocks(res.covariance) - v)) < 1e-8 * np.max(np.abs(v))


def test_dark_mode_populations_refused_currents_given():
    """Two identical leaves on a centre carrying both baths: (A − C)/√2 never meets a bath."""
    nodes = [Node("A", "oscillator", 1.0), Node("B", "oscillator", 1.2), Node("C", "oscillator", 1.0)]
    cps = [Coupling(("A", "B"), 0.05), Coupling(("B", "C"), 0.05)]
    net = Network(nodes, cps, [Bath("h", "B", 2.0, Ohmic(0.01, 5.0)), Bath("c", "B", 1.0, Ohmic(0.01, 5.0))])
    with pytest.raises(ConvergenceError, match="decoupled"):
        ex.exact_steady_state(net, covariance=False, populations=True)
    res = ex.exact_steady_state(net, covariance=False)
    two = Network(nodes[1:2], [], net.baths)  # the bright part: B with its two baths
    ref = ex.exact_steady_state(two, covariance=False)
    assert res.heat_currents["h"] > 0 and np.isfinite(ref.heat_currents["h"])


# -- cost, refusal, progress, non-finite -----------------------------------------------------------


def test_hopeless_integral_refused_before_any_integrand_evaluation(monkeypatch):
    net = chain(1000)
    calls = []
    monkeypatch.setattr(ex.quad, "integrate_adaptive", lambda *a, **k: calls.append(1))
    with pytest.raises(ConvergenceError, match=r"frequency points.*covariance=False"):
        ex.exact_steady_state(net, covariance=True, max_seconds=60)  # estimated ≈ 600 s
    with pytest.raises(ConvergenceError, match="max_seconds"):
        ex.exact_steady_state(net, covariance=False, max_seconds=0.01)
    assert not calls
    est = ex.estimate_cost(net, covariance=False)
    assert est["points"] > 1000 and est["seconds"] > 0 and est["method"] == "chain"


def test_too_many_oscillators_refused_before_allocating():
    net = chain(3000)
    with pytest.raises(ConvergenceError, match="normal modes"):
        ex.exact_steady_state(net, covariance=False, max_seconds=0.1)


def test_progress_is_reported_and_monotone():
    seen = []
    ex.exact_steady_state(chain(30, 10, 1.5), covariance=True, progress=lambda f, m: seen.append((f, m)))
    fr = [f for f, _ in seen]
    assert len(seen) >= 3 and fr[-1] == 1.0 and all(0 <= f <= 1 for f in fr)
    assert all(b >= a for a, b in zip(fr, fr[1:]))
    assert all(isinstance(m, str) and m for _, m in seen)


def test_huge_temperature_is_finite_and_scales_exactly():
    """Issue 13 item 3: at T = 1e300 the old code returned all-NaN. Classical limit: J ∝ T_hot."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ex.exact_steady_state(Network.two_node("oscillator", 1.0, 0.8, 0.05, 1e300, 1.0, Ohmic(1e-4, 5.0)))
        b = ex.exact_steady_state(Network.two_node("oscillator", 1.0, 0.8, 0.05, 1e200, 1.0, Ohmic(1e-4, 5.0)))
    assert np.isfinite(a.heat_currents["hot"]) and np.all(np.isfinite(a.covariance))
    assert a.heat_currents["hot"] / b.heat_currents["hot"] == pytest.approx(1e100, rel=1e-9)
    assert a.populations["A"] / b.populations["A"] == pytest.approx(1e100, rel=1e-9)


def test_non_finite_result_is_refused_with_the_reason():
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 1e307, 1.0, Ohmic(1e-4, 5.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConvergenceError, match="not finite"):
            ex.exact_steady_state(net)


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"rtol": 0}, "rtol"),
        ({"covariance": "yes"}, "covariance"),
        ({"progress": 3}, "progress"),
        ({"max_seconds": -1}, "max_seconds"),
    ],
)
def test_bad_options_name_the_field(kw, field):
    with pytest.raises(ValueError, match=field):
        ex.exact_steady_state(chain(3), **kw)


def test_near_zero_temperatures_give_finite_answers():
    """ν/T overflows to inf at T = 1e-300: the Bose factors must give 0, not NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ex.exact_steady_state(chain(3, temps=(1e-300, 0.0)))
        ref = ex.exact_steady_state(chain(3, temps=(0.0, 0.0)))
    assert abs(res.heat_currents["hot"]) < 1e-300
    for k in res.populations:  # the ground state of the coupled system (bath-induced squeezing)
        assert res.populations[k] == pytest.approx(ref.populations[k], rel=1e-12)
        assert ref.populations[k] > 0


def _global_current_dropping_dark_modes(net):
    """Weak-coupling (global) current of a chain; modes no bath reaches in double precision carry none."""
    h = net.single_particle_matrix()
    w, u = linalg.eigh_tridiagonal(np.diag(h).copy(), np.diag(h, 1))
    sites = [net.node_index(b.node) for b in net.baths]
    g = np.array([b.spectrum.spectral_density(w) * u[s] ** 2 for b, s in zip(net.baths, sites)])
    nb = np.array([bose(w, b.temperature) for b in net.baths])
    tot = g.sum(0)
    ok = tot > 0
    return float(np.sum((w * g[0] * g[1] * (nb[0] - nb[1]))[ok] / tot[ok]))


@pytest.mark.parametrize("spec", [Ohmic, DrudeLorentz], ids=lambda s: s.kind)
def test_impurity_mode_whose_width_underflows(spec):
    """ω = 3 impurity in the middle of a 200-chain: its half-width underflows to a denormal (~1e-320) and the
    window model's residue is 0/0. It carries no current to double precision; the currents then tend to
    the global limit with an O(κ) correction (measured 1.6e-6 at κ = 1e-5, 9× that at 1e-4; before the fix
    κ ≥ 1e-4 was refused with "≈ inf relative accuracy")."""
    dev = []
    for kappa in (1e-5, 1e-4):
        net = chain(200, 100, 3.0, kappa=kappa, spec=spec)
        res = ex.exact_steady_state(net, covariance=False, populations=False)
        assert any(w["half_width"] < 1e-300 for w in res.solver["windows"])
        assert res.heat_currents["hot"] == pytest.approx(-res.heat_currents["cold"], rel=1e-12)
        dev.append(res.heat_currents["hot"] / _global_current_dropping_dark_modes(net) - 1)
    assert abs(dev[0]) < 1e-5
    assert 5 < dev[1] / dev[0] < 20  # the O(κ) correction, not noise
