"""Machine summary (qheatnet.thermo.machines) and the three-qubit refrigerator of Linden, Popescu &
Skrzypczyk, PRL 105, 130401 (2010).

Hand-made currents test the classification and the Carnot bounds, derived in the module docstring:
COP_C = T_c(T_h − T_r)/[T_h(T_r − T_c)] for an absorption refrigerator, (1 − T_c/T_m)/(1 − T_c/T_h)
for a heat transformer, 1 − T_c/T_h for an engine. ħ = k_B = 1.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from qheatnet import Flat, solve
from qheatnet.reproduce import linden_popescu_skrzypczyk_2010 as lps
from qheatnet.thermo.machines import absorption_carnot_cop, machine_summary

T = {"cold": 1.0, "room": 2.0, "hot": 10.0}


def test_carnot_cop_formula():
    assert absorption_carnot_cop(1.0, 2.0, 10.0) == pytest.approx(0.8, rel=1e-15)
    assert absorption_carnot_cop(1.0, 2.0, math.inf) == pytest.approx(1.0)  # work-driven limit T_c/(T_r − T_c)


def test_absorption_refrigerator_summary():
    m = machine_summary(T, {"cold": 1.0, "hot": 2.0, "room": -3.0}, 1e-12)
    assert m["mode"] == "absorption refrigerator" and m["cooled_bath"] == "cold"
    assert m["roles"] == {"cold": "gives", "hot": "gives", "room": "takes"}
    assert m["cop"] == 0.5 and m["carnot_cop"] == pytest.approx(0.8) and m["within_carnot"] is True
    # COP = 1 > 0.8: this set of currents violates the second law (σ = −1/1 − 1/10 + 2/2 < 0)
    bad = machine_summary(T, {"cold": 1.0, "hot": 1.0, "room": -2.0}, 1e-12)
    assert bad["cop"] == 1.0 and bad["within_carnot"] is False


def test_other_modes():
    tr = machine_summary(T, {"cold": -2.0, "room": 3.0, "hot": -1.0}, 1e-12)
    assert tr["mode"] == "heat transformer" and tr["efficiency"] == pytest.approx(1 / 3)
    assert tr["carnot_efficiency"] == pytest.approx((1 - 1 / 2) / (1 - 1 / 10))
    cond = machine_summary(T, {"cold": -2.0, "room": -1.0, "hot": 3.0}, 1e-12)
    assert cond["mode"] == "heat conductor" and "cop" not in cond
    eng = machine_summary(T, {"cold": -1.0, "room": 0.0, "hot": 3.0}, 1e-12)  # P = Σ J = 2 delivered
    assert eng["mode"] == "heat engine" and eng["power"] == 2.0 and eng["efficiency"] == pytest.approx(2 / 3)
    assert eng["roles"]["room"] == "idle" and eng["carnot_efficiency"] == pytest.approx(0.9)
    fridge = machine_summary(T, {"cold": 1.0, "room": -3.0, "hot": 0.0}, 1e-12)  # P = −2: consumes work
    assert fridge["mode"] == "work-driven refrigerator" and fridge["cop"] == 0.5
    assert fridge["carnot_cop"] == pytest.approx(1.0 / (2.0 - 1.0))
    assert machine_summary({"a": 1.0, "b": 2.0}, {"a": 1.0, "b": -1.0}, 0.0) is None


def test_solve_reports_the_machine_in_json():
    net = lps.refrigerator(0.01, 1.0)
    res = solve(net, "local")
    d = res.to_dict()
    assert d["machine"]["mode"] == "absorption refrigerator"
    assert d["machine"]["cop"] == pytest.approx(0.5, rel=1e-9)  # ω_c/ω_h at weak coupling
    assert d["coupling_currents"]["c-r-h:a,adag,a"]["c"] == pytest.approx(-res.heat_currents["cold"], rel=1e-9)
    json.dumps(d, allow_nan=False)
    back = type(res).from_dict(json.loads(json.dumps(d)))
    assert back.machine["mode"] == "absorption refrigerator" and dict(back.coupling_currents) == dict(
        res.coupling_currents
    )


@pytest.mark.parametrize("approach", ["local", "global"])
def test_cooling_exactly_where_the_condition_holds(approach):
    """J_cold > 0 ⟺ ω_c/ω_h < COP_C (0.8 here), away from the threshold by the level dressing 2g/ω_h."""
    cop_c = absorption_carnot_cop(1.0, 2.0, 10.0)
    for ratio in (0.1, 0.4, 0.7, 0.78, 0.82, 0.9, 1.2):
        res = solve(lps.refrigerator(0.01, ratio * 2.0), approach)
        cooling = res.heat_currents["cold"] > res.solver["current_resolution"]
        assert cooling == (ratio < cop_c), (approach, ratio, res.heat_currents["cold"])
        if cooling and res.second_law == "satisfied":
            assert res.machine["cop"] <= res.machine["carnot_cop"] + 1e-12


def test_reversible_limit_local():
    """Local approach: COP = ω_c/ω_h, so COP → COP_C with vanishing cooling power at the threshold."""
    cop_c = 0.8
    far = solve(lps.refrigerator(0.01, 0.5 * 2.0), "local").heat_currents["cold"]
    res = solve(lps.refrigerator(0.01, cop_c * (1 - 1e-6) * 2.0), "local")
    # The currents here are ~1e-10, far below the gross exchange: the COP carries round-off of ~1e-9
    # (7.5e-10 and 1.2e-9 for two summation orders of the same Liouvillian; the exact ρ, rounded to
    # double, gives ~1e-9 too, checked with a 40-digit solve). 1e-8 still resolves the 1e-6 offset
    # from Carnot to 1 %.
    assert res.machine["cop"] / cop_c == pytest.approx(1 - 1e-6, abs=1e-8)
    assert 0 < res.heat_currents["cold"] < 1e-5 * far


def test_reproduction_small_grid(tmp_path):
    """The reproduction on a coarse grid: every claim reproduced, files written."""
    ratios = np.array([0.1, 0.4, 0.7, 0.8 * (1 - 1e-6), 0.8 * (1 + 1e-6), 0.9, 1.1])
    couplings = np.geomspace(1e-6, 0.5, 12)
    assert lps.run(tmp_path, progress=False, echo=lambda *a: None, ratios=ratios, couplings=couplings)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert all(c["reproduced"] for c in summary["claims"]) and len(summary["claims"]) >= 10
    assert summary["approaches"] == [a for a in lps.APPROACHES if a in summary["approaches"]]
    for f in ("lps2010.png", "summary.txt"):
        assert (tmp_path / f).stat().st_size > 0
    assert (tmp_path / "lps2010.nc").exists() or (tmp_path / "lps2010.csv").exists()


def test_unavailable_approaches_are_skipped_and_said(tmp_path, monkeypatch):
    monkeypatch.setattr(lps, "APPROACHES", ("local", "global", "no-such-approach"))
    lps.run(tmp_path, progress=False, echo=lambda *a: None, ratios=[0.4, 0.9], couplings=[1e-6, 1e-5, 1e-4, 1e-2, 0.5])
    text = (tmp_path / "summary.txt").read_text()
    assert "skipped (not accepted by qheatnet.solve yet): no-such-approach" in text


def test_flat_spectrum_is_what_the_reproduction_uses():
    assert lps.refrigerator(0.01, 1.0).baths[0].spectrum == Flat(lps.PARAMS["rate"])


def test_an_approach_that_refuses_the_network_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(lps, "APPROACHES", ("local", "global", "exact"))  # exact: oscillator networks only
    lps.run(tmp_path, progress=False, echo=lambda *a: None, ratios=[0.4, 0.9], couplings=[1e-6, 1e-5, 1e-4, 1e-2, 0.5])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["approaches"] == ["local", "global"]
    assert summary["skipped_approaches"]["exact"].startswith("refused: no engine can solve approach 'exact'")
