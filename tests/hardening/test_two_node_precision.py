"""Issue 13, item 1: the two-node closed forms carry no avoidable cancellation.

``normal_modes`` used to compute the small mixing weight as s² = 1 − c²,
which rounds to 0 below ε ≈ 1e-8 (ω = 8, 5): a sweep over the coupling gave
a 2e-4 relative error at ε = 1e-6 and J = 0 (status ok) at ε ≤ 1e-8, where
the true current is ≈ 1e-21. Here every closed-form output is compared with
an extended-precision reference written independently in
``reference_two_node.py`` (mpmath, 60 digits: the local 4×4 linear system,
the global normal modes by ``mpmath.eigsy``), down to ε = 1e-12, near equal
temperatures and with a bath at T = 0.

Tolerance: RTOL = 1e-13. The inputs are exact binary floats, so the only
errors are the library's own roundings; measured worst 6e-16 over these
cases (the previous code: 1.0, i.e. 100 %, for the global current and 2e-12
for the local oscillator current). 1e-13 leaves two orders of magnitude for
other BLAS/libm builds.
"""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from reference_two_node import global_reference, local_reference

from qheatnet import Flat, Network, Ohmic, Phonon3D, sweep
from qheatnet.physics.two_node import global_closed_form, local_closed_form, normal_modes

RTOL = 1e-13
EPSILONS = 10.0 ** np.arange(-12, 0)  # 1e-12 … 1e-1

_SPECTRA = {
    "flat": lambda p: Flat(p["rate"]),
    "phonon3d": lambda p: Phonon3D(p["kappa"]),
    "ohmic": lambda p: Ohmic(p["kappa"], p["cutoff"]),
}

#: (ω_h, ω_c, T_h, T_c, (kind, params)): the issue's case first, then the hot node below the cold
#: one, temperatures equal to 1e-9 relative, a T = 0 bath, degenerate nodes, hot baths (ω/T ≪ 1).
CASES = [
    (8.0, 5.0, 12.0, 3.0, ("phonon3d", {"kappa": 1e-7})),
    (5.0, 8.0, 12.0, 3.0, ("phonon3d", {"kappa": 1e-7})),
    (8.0, 5.0, 10.0 * (1 + 1e-9), 10.0, ("phonon3d", {"kappa": 1e-7})),
    (1.0, 0.8, 2.0, 0.0, ("flat", {"rate": 0.01})),
    (1.0, 1.0, 2.0, 1.0, ("ohmic", {"kappa": 0.01, "cutoff": 3.0})),
    (8.0, 5.0, 1e5, 3e4, ("flat", {"rate": 1e-3})),
]


def _rel(value, ref) -> float:
    ref = mp.mpf(ref)
    if ref == 0:
        return abs(float(value))
    return float(abs((mp.mpf(float(value)) - ref) / ref))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"w{c[0]:g}-{c[1]:g}_T{c[2]:.10g}-{c[3]:g}_{c[4][0]}")
def test_two_node_closed_forms_match_extended_precision_down_to_epsilon_1e_12(case):
    wh, wc, th, tc, spec = case
    s = _SPECTRA[spec[0]](spec[1])
    for eps in EPSILONS:
        glo = global_closed_form(wh, wc, eps, th, tc, s)
        ref = global_reference(wh, wc, eps, th, tc, spec)
        for key in ("J_h", "n_A", "n_B"):
            assert _rel(glo[key], ref[key]) < RTOL, f"global {key} at ε = {eps:g}: {float(glo[key])!r} vs {ref[key]}"
        assert float(glo["J_c"]) == -float(glo["J_h"])
        for kind in ("oscillator", "qubit"):
            loc = local_closed_form(kind, wh, wc, eps, th, tc, s)
            ref = local_reference(kind, wh, wc, eps, th, tc, spec)
            for key in ("J_h", "n_A", "n_B", "X", "Y"):
                err = _rel(loc[key], ref[key])
                assert err < RTOL, f"local {kind} {key} at ε = {eps:g}: {float(loc[key])!r} vs {ref[key]}"


def test_normal_modes_small_mixing_weight_is_not_rounded_away():
    """s² ≈ ε²/Δ² at ε = 1e-12, ω = 8, 5: 1 − c² would give exactly 0."""
    for wh, wc in ((8.0, 5.0), (5.0, 8.0)):
        w_p, w_m, c2, s2 = (float(v) for v in normal_modes(wh, wc, 1e-12))
        with mp.workdps(60):
            r = mp.sqrt((mp.mpf(wh) - wc) ** 2 / 4 + mp.mpf(1e-12) ** 2)
            small = (r - abs(mp.mpf(wh) - wc) / 2) / (2 * r)
            w_minus = (mp.mpf(wh) + wc) / 2 - r
        weight = s2 if wh > wc else c2
        assert weight > 0 and _rel(weight, small) < RTOL
        assert _rel(w_m, w_minus) < RTOL
        assert c2 + s2 == pytest.approx(1.0, abs=1e-16)


def test_sweep_over_coupling_strength_at_small_epsilon_is_right():
    """The issue's reproduction: sweep couplings.A-B.strength (ω = 8, 5, phonon κ = 1e-7) down to 1e-12.

    The sweep takes the closed-form fast path; every point must have status 0 and
    the extended-precision current (no J = 0 where it is ~1e-21 … 1e-29).
    """
    net = Network.two_node("oscillator", 8.0, 5.0, 1e-4, 12.0, 3.0, Phonon3D(1e-7))
    eps = 10.0 ** np.arange(-12.0, -3.0)
    ds = sweep(net, {"couplings.A-B.strength": eps}, ["global", "local"])
    assert (ds.status == 0).all()
    spec = ("phonon3d", {"kappa": 1e-7})
    for approach, reference in (("global", global_reference), ("local", None)):
        j = ds.heat_current.sel(approach=approach, bath="hot").values
        for e, value in zip(eps, j):
            ref = (
                reference(8.0, 5.0, e, 12.0, 3.0, spec)
                if reference
                else local_reference("oscillator", 8.0, 5.0, e, 12.0, 3.0, spec)
            )
            assert value != 0 and _rel(value, ref["J_h"]) < RTOL, f"{approach} at ε = {e:g}: {value!r}"
