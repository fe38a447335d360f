"""``qheatnet.compare``: deviations against solve results computed here, the recommendation rule, the
no-reference case, inapplicable approaches, argument checks, frozen and JSON-ready results."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from compare_networks import deviation, hofer, qubits

from qheatnet import Flat, Network, ValidationError, compare, solve
from qheatnet.api.compare import COMPARED_APPROACHES, relative_deviation
from qheatnet.errors import MissingExtra


def _cheapest(rows):
    """Least cost, costs within ×2 of it counting as equal, then the order local, global, unified, redfield."""
    least = min(r.seconds for r in rows)
    return [r for r in sorted(rows, key=lambda r: COMPARED_APPROACHES.index(r.approach)) if r.seconds <= 2 * least][0]


def _recommended_by_rule(c):
    """The documented rule, applied here to the rows: cheapest with δ ≤ tol and the second law satisfied."""
    ok = [
        r
        for r in c.rows
        if r.ok and r.deviation <= c.tolerance and r.result.second_law == "satisfied" and math.isfinite(r.seconds)
    ]
    return _cheapest(ok).approach if ok else "none: use the reference"


def test_oscillators_against_exact_deviation_and_recommendation():
    net = hofer(1.2, 0.01)  # detuned: local is ~27 % off, global/unified/Redfield ~1e-4
    c = compare(net)
    assert c.reference == "exact" and c.recommendation_basis == "reference"
    ref = dict(solve(net, "exact").heat_currents)
    assert dict(c.reference_row.heat_currents) == pytest.approx(ref, rel=1e-12)
    for a in COMPARED_APPROACHES:
        row = c.row(a)
        assert row.ok, row.reason
        mine = dict(solve(net, a).heat_currents)
        assert dict(row.heat_currents) == pytest.approx(mine, rel=1e-12)
        assert row.deviation == pytest.approx(deviation(mine, ref), rel=1e-9)
        assert row.within_tolerance == (row.deviation <= 0.05)
        assert row.seconds > 0
    assert 0.2 < c.row("local").deviation < 0.35 and not c.row("local").within_tolerance
    assert c.row("global").deviation < 1e-3
    assert c.recommended == _recommended_by_rule(c) != "local"
    assert c.recommended_approach == c.recommended


def test_tight_tolerance_recommends_the_reference():
    c = compare(hofer(1.0, 1e-5), tolerance=1e-6)  # resonant: global ×2.4e3 off, the others ~1e-4
    assert c.recommended == "none: use the reference" and c.recommended_approach is None
    assert c.row("global").deviation > 100
    loose = compare(hofer(1.0, 1e-5))
    assert loose.recommended == _recommended_by_rule(loose) in ("local", "unified", "redfield")


def test_bath_deviations_and_wrong_sign_on_detuned_qubits():
    net = qubits(0.8, 0.01, lam=1e-3)  # local makes heat flow cold → hot (Levy & Kosloff 2014)
    pytest.importorskip("qutip")
    c = compare(net)
    assert c.reference == "heom"
    ref = dict(solve(net, "heom").heat_currents)
    loc = c.row("local")
    assert loc.wrong_sign and not c.row("unified").wrong_sign
    scale = max(abs(v) for v in ref.values())
    for b in ref:
        assert loc.bath_deviations[b] == pytest.approx((loc.heat_currents[b] - ref[b]) / scale, rel=1e-9)
    assert loc.deviation > 1  # a wrong sign of the largest current gives δ > 1
    assert any("wrong sign" in n for n in c.notes)
    assert c.recommended == _recommended_by_rule(c) in ("global", "unified", "redfield")


def test_without_reference_pairwise_and_diagnostics_rule():
    net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.02, 1.98, Flat(0.01))  # flat baths: no HEOM
    c = compare(net)
    assert c.reference is None and "drude_lorentz" in c.reference_note
    assert c.recommendation_basis == "agreement and diagnostics (no reference)"
    assert all(math.isnan(r.deviation) for r in c.rows)
    names = [b.name for b in net.baths]
    for a in c.rows:
        for b in c.rows:
            ja = np.array([a.heat_currents[x] for x in names])
            jb = np.array([b.heat_currents[x] for x in names])
            assert c.pairwise[a.approach][b.approach] == pytest.approx(
                np.max(np.abs(ja - jb)) / np.max(np.abs(jb)), rel=1e-9, abs=1e-15
            )
    # local is flagged (detuned nodes, second law): the cheapest of the unflagged, agreeing ones is chosen
    assert "LOCAL_DETUNED_NODES" in c.row("local").warnings
    clean = [r for r in c.rows if not r.warnings]
    assert c.recommended == _cheapest(clean).approach
    assert "agree" in c.recommendation_note


def test_reference_none_and_disagreement():
    c = compare(hofer(1.0, 1e-5), reference="none")
    assert c.reference is None and c.reference_row is None and "none asked for" in c.reference_note
    # global is flagged (SECULAR_APPROXIMATION_DOUBTFUL); local, unified, redfield agree within 1e-4
    assert c.recommended in ("local", "unified", "redfield")
    tight = compare(hofer(1.0, 1e-5), reference="none", tolerance=1e-9)
    assert tight.recommended == "none: the approaches disagree"


def test_born_markov_doubtful_without_reference_recommends_nothing():
    net = Network.two_node("qubit", 1.0, 1.0, 0.05, 2.0, 1.0, Flat(0.5))  # rate 0.5 of ω = 1
    c = compare(net)
    assert c.reference is None
    assert c.recommended == "none: BORN_MARKOV_DOUBTFUL"


def test_inapplicable_approaches_are_listed_with_reasons():
    # ε² ≥ ω_h ω_c: no ground state; only the local approach runs (with its warning)
    c = compare(hofer(1.0, 1.0))
    assert c.reference is None and "ground state" in c.reference_note
    for a in ("global", "unified", "redfield"):
        assert c.row(a).status == "not applicable" and "ground state" in c.row(a).reason
        assert c.row(a).result is None and math.isnan(c.row(a).seconds)
    assert c.row("local").ok and "UNBOUNDED_HAMILTONIAN" in c.row("local").warnings
    assert c.recommended.startswith("none")
    text = c.format()
    assert "not applicable: " in text and "recommended: none" in text
    # a flat bath has no exact reference: the reason is given, the approaches still run
    flat = compare(Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(1e-3)))
    assert flat.reference is None and "flat" in flat.reference_note
    assert all(r.ok for r in flat.rows)


def test_explicit_reference_that_cannot_run_is_refused():
    with pytest.raises(ValidationError, match=r"reference: 'exact' cannot run on this network: .*oscillators only"):
        compare(qubits(1.0, 0.01), reference="exact")
    with pytest.raises(ValidationError, match=r"reference: 'heom' cannot run .*drude_lorentz"):
        compare(Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01)), reference="heom")


def test_missing_heom_extra(monkeypatch):
    import importlib.util

    from qheatnet.solvers import heom

    def missing():
        raise ImportError("the HEOM approach needs QuTiP ≥ 5: pip install 'qheatnet[heom]'")

    monkeypatch.setattr(heom, "_require_qutip", missing)
    with pytest.raises(MissingExtra, match=r"qheatnet\[heom\]"):
        compare(qubits(1.0, 0.01), reference="heom")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "qutip" else real(name, *a))
    c = compare(qubits(1.0, 0.01))  # automatic: no reference, and it says why
    assert c.reference is None and "qheatnet[heom]" in c.reference_note


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"reference": "negf"}, r"reference: must be one of exact, heom, none"),
        ({"tolerance": 0.0}, r"tolerance: must be > 0"),
        ({"tolerance": "5%"}, r"tolerance: must be a number"),
        ({"approaches": ["exact"]}, r"approaches\[0\]: 'exact' is a reference"),
        ({"approaches": ["local", "davies"]}, r"approaches\[1\]: must be one of local, global, unified, redfield"),
        ({"approaches": ["local", "local"]}, r"approaches: must not repeat"),
    ],
)
def test_argument_checks(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        compare(hofer(1.0, 0.01), **kwargs)


def test_network_is_checked():
    with pytest.raises(ValidationError, match=r"network: must be a qheatnet.Network"):
        compare("net.toml")


def test_result_is_frozen_and_json_ready():
    c = compare(hofer(1.2, 0.01), approaches=["local", "unified"])
    assert c.approaches == ("local", "unified")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.recommended = "local"
    with pytest.raises(TypeError):
        c.pairwise["local"]["unified"] = 0.0
    data = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert data["reference"] == "exact" and data["tolerance"] == 0.05
    assert [r["approach"] for r in data["approaches"]] == ["local", "unified"]
    assert data["approaches"][0]["deviation"] == pytest.approx(c.row("local").deviation)
    assert data["reference_result"]["solver"]["rtol"] > 0
    assert "max_α" in data["deviation_definition"]
    assert "Comparison(reference=exact" in repr(c)
    with pytest.raises(ValidationError, match=r"approach: not in this comparison"):
        c.row("global")


def test_relative_deviation_definition():
    assert relative_deviation([1.1, -1.0], [1.0, -1.0]) == pytest.approx(0.1)
    # the largest reference current sets the scale: a small bath does not blow δ up
    assert relative_deviation([1.0, -0.98, -0.03], [1.0, -0.99, -0.01]) == pytest.approx(0.02)
    assert relative_deviation([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert math.isnan(relative_deviation([1e-20, 0.0], [0.0, 0.0]))
    assert relative_deviation([1e-20, 0.0], [0.0, 0.0], floor=1e-18) == pytest.approx(0.01)
    assert math.isnan(relative_deviation([np.nan, 0.0], [1.0, -1.0]))
    got = relative_deviation(np.array([[[1.0, -1.0], [2.0, -2.0]]]), np.array([[[1.0, -1.0]]]))
    assert got.shape == (1, 2) and got[0, 1] == pytest.approx(1.0)
