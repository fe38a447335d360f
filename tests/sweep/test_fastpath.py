"""The vectorised two-node fast path against qheatnet.solve, and its speed."""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Flat, Network, Phonon3D, sweep
from qheatnet.sweeps import make_spec, two_node_map
from qheatnet.sweeps.fastpath import fast_path_applies
from qheatnet.thermo.diagnostics import NUMERICAL_CODES

# The closed forms are exact; solve() is converged to FOCK_RTOL = 1e-9 or
# exact (Gaussian, free-fermion engines). 1e-8 of the largest value covers both.
RTOL = 1e-8


def _compare(fast, slow):
    ok = (fast.status == 0) & (slow.status == 0)
    assert (fast.status == slow.status).all()
    for v in ("heat_current", "population", "entropy_production"):
        a, b = fast[v].where(ok), slow[v].where(ok)
        scale = float(np.abs(b).max())
        assert float(np.abs(a - b).max()) <= RTOL * scale, v
    # physics diagnostics agree exactly; NUMERICAL_CODES (FOCK_TRUNCATION, CURRENT_AT_ROUND_OFF, ...) report
    # how one engine obtained its numbers, and differ legitimately between the closed form and an engine
    numerical = [c for c in fast.diagnostic.values if c in NUMERICAL_CODES]
    d = fast.diagnostics.drop_sel(diagnostic=numerical) != slow.diagnostics.drop_sel(diagnostic=numerical)
    assert not bool(d.any()), d.where(d, drop=True)
    assert (fast.second_law_violated == slow.second_law_violated).all()
    assert set(np.unique(fast.engine.values[fast.status.values == 0])) == {"closed_form"}
    assert "closed_form" not in set(np.unique(slow.engine.values))


def test_qubits_local_matches_solve_including_spectrum_parameters(qubits):
    params = {
        "nodes.A.frequency": [0.5, 0.7, 1.0, 1.6],
        "couplings.A-B.strength": [0.0, 0.01, 0.2],
        "baths.hot.spectrum.rate": [0.01, 0.05],
        "baths.hot.temperature": [0.0, 2.0],
    }
    fast = sweep(qubits, params, ["local"], workers=1)
    slow = sweep(qubits, params, ["local"], workers=1, fast_path=False)
    _compare(fast, slow)
    assert fast.diagnostics.sel(diagnostic="LOCAL_STRONG_COUPLING").any()
    assert fast.diagnostics.sel(diagnostic="LOCAL_DETUNED_NODES").any()


def test_oscillators_local_and_global_match_solve(oscillators):
    params = {"couplings.A-B.strength": [0.001, 0.05, 0.3, 0.95], "nodes.B.frequency": [0.6, 1.0]}
    fast = sweep(oscillators, params, ["local", "global"], workers=1)
    slow = sweep(oscillators, params, ["local", "global"], workers=1, fast_path=False)
    assert (fast.status.sel(approach="global") == 1).sum() == 1  # only ε = 0.95, ω_B = 0.6 has ε² ≥ ω_A ω_B
    _compare(fast, slow)
    assert (fast.error == slow.error).all()


def test_fast_path_applies_only_to_the_two_node_model(qubits, oscillators):
    p = {"nodes.A.frequency": [1.0]}
    assert fast_path_applies(make_spec(qubits, p), "local")
    assert not fast_path_applies(make_spec(qubits, p), "global")  # no closed form for global qubits
    assert fast_path_applies(make_spec(oscillators, p), "global")
    assert not fast_path_applies(make_spec(oscillators, p, bookkeeping="bare"), "local")
    assert not fast_path_applies(make_spec(oscillators, p, fast_path=False), "local")
    three = Network.from_dict(
        {**qubits.to_dict(), "nodes": qubits.to_dict()["nodes"] + [{"name": "C", "kind": "qubit", "frequency": 1.0}]}
    )
    assert not fast_path_applies(make_spec(three, p), "local")


def test_fig2_map_400x400(paper):
    """Levy & Kosloff (2014) Fig. 2: σ of the local approach over (ω_h, T_h), 160 000 points.

    Its speed (target < 2 s) is measured by benchmarks/bench_sweep.py, not asserted here.
    """
    params = {"nodes.A.frequency": np.linspace(1, 20, 400), "baths.hot.temperature": np.linspace(1, 30, 400)}
    ds = two_node_map(paper, params, ["local", "global"])
    local = ds.sel(approach="local")
    # eq. 9: the local current flows cold -> hot where ω_c/T_c < ω_h/T_h; the borderline
    # ω_h/T_h = ω_c/T_c = 0.5 is excluded (σ is round-off there)
    wh, th = np.meshgrid(ds["nodes.A.frequency"], ds["baths.hot.temperature"], indexing="ij")
    x = wh / th - 5.0 / 10.0
    away = np.abs(x) > 1e-6
    expected = (x * (th - 10.0) > 0) & away & (th != 10.0)
    assert (local.second_law_violated.values[away] == expected[away]).all()
    assert not ds.sel(approach="global").second_law_violated.any()
    assert (ds.status == 0).all()


def test_two_node_map_refuses_networks_without_closed_form(qubits):
    from qheatnet import ValidationError

    with pytest.raises(ValidationError, match=r"approaches: no closed form for approach 'global'"):
        two_node_map(qubits, {"nodes.A.frequency": [1.0]}, ["global"])


def test_phonon_kappa_sweep_groups_spectra(paper):
    kappas = [1e-7, 1e-6]
    ds = sweep(paper, {"baths.hot.spectrum.kappa": kappas, "nodes.A.frequency": [6.0, 8.0]}, ["local"])
    for k in kappas:
        for w in (6.0, 8.0):
            net = Network.two_node("oscillator", w, 5.0, 1e-4, 12.0, 10.0, Phonon3D(k), Phonon3D(1e-7))
            from qheatnet import local_closed_form

            ref = local_closed_form("oscillator", w, 5.0, 1e-4, 12.0, 10.0, Phonon3D(k), Phonon3D(1e-7))["J_h"]
            got = ds.heat_current.sel({"baths.hot.spectrum.kappa": k, "nodes.A.frequency": w, "bath": "hot"})
            assert got.item() == pytest.approx(float(ref), rel=1e-14)
            assert net.baths[0].spectrum.kappa == k


def test_flat_rate_is_not_shared_between_baths():
    net = Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02), Flat(0.03))
    a = sweep(net, {"baths.cold.spectrum.rate": [0.03, 0.04]}, ["local"])
    b = sweep(net, {"baths.cold.spectrum.rate": [0.03, 0.04]}, ["local"], fast_path=False, workers=1)
    _compare(a, b)
