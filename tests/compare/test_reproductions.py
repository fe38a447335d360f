"""The reproductions show unified and Redfield: their data equal solve results computed here, their new
claims hold on a small grid, and the claims can fail (perturbed data flips them)."""

from __future__ import annotations

import numpy as np
import pytest
from compare_networks import hofer, qubits

from qheatnet import solve
from qheatnet.reproduce import hofer_2017

EPS = np.array([1e-5, 1e-3, 0.05, 0.9])


@pytest.fixture(scope="module")
def hofer_ds():
    return hofer_2017.compute(EPS)


def test_hofer_has_every_approach_and_its_data_is_solve(hofer_ds):
    assert hofer_2017.APPROACHES == ("local", "global", "unified", "redfield")
    for a in hofer_2017.APPROACHES:
        assert hofer_ds[f"J_{a}"].shape == (2, len(EPS))
    j = solve(hofer(1.0, 1e-3), "unified").heat_currents["hot"]
    assert float(hofer_ds.J_unified.sel(case="resonant", epsilon=1e-3)) == pytest.approx(j, rel=1e-12)
    table = hofer_2017.error_table(hofer_ds)
    assert "unified" in table and "redfield" in table


def test_hofer_new_claims_hold_and_can_fail(hofer_ds):
    claims = hofer_2017.conclusions(hofer_ds)
    new = [k for k, (t, _) in enumerate(claims) if t.startswith(("unified", "redfield"))]
    assert len(new) == 3 and all(claims[k][1] for k in new), claims
    assert all(ok for _, ok in claims)  # the original conclusions still hold
    bad = hofer_ds.copy(deep=True)
    bad["rel_err_unified"][0, 0] = 0.5  # detuned, ε = 1e-5, where local fails
    bad["valid_unified"][0, 0] = False
    flipped = hofer_2017.conclusions(bad)
    assert [k for k in new if not flipped[k][1]] == [new[0], new[2]]  # redfield's claim is unaffected


def test_kato_tanimura_new_claims_on_a_small_grid():
    pytest.importorskip("qutip")
    from qheatnet.reproduce import kato_tanimura_2015 as kt

    assert kt.APPROACHES == ("local", "global", "unified", "redfield")
    data = kt.compute(n_points=3, grid=((1e-3,), (1e-4,)))
    d = data["eps"].sel(case="detuned")
    eps = float(d.epsilon[1])
    j = solve(qubits(0.8, eps, kt.LAMBDA_WEAK), "redfield").heat_currents["hot"]
    assert float(d.J_redfield.sel(epsilon=eps)) == pytest.approx(j, rel=1e-12)

    def new_claims(dat):
        return {c.text: c.reproduced for c in kt.claims(dat).claims if "nified" in c.text or "Redfield" in c.text}

    got = new_claims(data)
    assert len(got) == 3 and all(got.values()), got
    strong = [c for c in kt.claims(data).claims if c.text.startswith("strong")][0]
    assert strong.reproduced and "unified" in strong.evidence and "redfield" in strong.evidence
    # a wrong sign of the unified current at one weak-coupling point must be caught
    data["eps"]["J_unified"][1, 0] *= -1
    flipped = new_claims(data)
    assert [t for t, ok in flipped.items() if not ok] == [t for t in got if "unified" in t]
