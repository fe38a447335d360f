"""Issue 13, item 2: ``local_closed_form`` / ``global_closed_form`` validate their arguments.

They used to validate nothing: T = −1 returned a number, T = NaN a finite J,
kind = 'spin' raised a bare KeyError. Now every bad argument raises
ValidationError (a ValueError) naming it; arrays are checked elementwise
and the first bad element is reported with its position.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Flat, Phonon3D, ValidationError
from qheatnet.physics.two_node import global_closed_form, global_current_printed_eq13, local_closed_form

GOOD = {"omega_h": 1.0, "omega_c": 0.8, "epsilon": 0.01, "T_h": 2.0, "T_c": 1.0}

BAD = [
    ("T_h", -1.0, r"^T_h: must be finite and ≥ 0"),
    ("T_h", float("nan"), r"^T_h: must be finite and ≥ 0.*nan"),
    ("T_c", float("inf"), r"^T_c: must be finite and ≥ 0"),
    ("omega_h", 0.0, r"^omega_h: must be finite and > 0"),
    ("omega_c", -2.0, r"^omega_c: must be finite and > 0"),
    ("epsilon", float("nan"), r"^epsilon: must be finite"),
    ("T_h", np.array([1.0, 2.0, -3.0]), r"^T_h: .*got -3\.0 \(element \(2,\) of an array of shape \(3,\)\)"),
    ("omega_h", "1.0", r"^omega_h: must be a real number"),
    ("T_c", [1.0, None], r"^T_c: must be a real number"),
    ("epsilon", 1j, r"^epsilon: must be a real number"),
    ("T_h", True, r"^T_h: must be a real number"),
    ("T_h", [[1.0, 2.0], [3.0]], r"^T_h: must be a real number"),
]


@pytest.mark.parametrize(("name", "value", "match"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
@pytest.mark.parametrize("which", ["local", "global", "printed_eq13"])
def test_closed_forms_validate_their_arguments(name, value, match, which):
    args = {**GOOD, name: value}
    call = {
        "local": lambda: local_closed_form("qubit", *args.values(), Flat(0.01)),
        "global": lambda: global_closed_form(*args.values(), Flat(0.01)),
        "printed_eq13": lambda: global_current_printed_eq13(*args.values(), Flat(0.01)),
    }[which]
    with pytest.raises(ValidationError, match=match):
        call()


@pytest.mark.parametrize("kind", ["spin", None, ["qubit"], 1])
def test_local_closed_form_refuses_an_unknown_kind(kind):
    with pytest.raises(ValidationError, match=r"^kind: must be 'oscillator' or 'qubit'"):
        local_closed_form(kind, *GOOD.values(), Flat(0.01))


def test_closed_forms_refuse_what_is_not_a_spectrum_and_shapes_that_do_not_broadcast():
    with pytest.raises(ValidationError, match=r"^spectrum_h: must be a qheatnet spectrum"):
        global_closed_form(*GOOD.values(), {"kind": "flat", "rate": 0.01})
    with pytest.raises(ValidationError, match=r"^spectrum_c: must be a qheatnet spectrum"):
        local_closed_form("oscillator", *GOOD.values(), Flat(0.01), 0.01)
    with pytest.raises(ValidationError, match=r"^omega_h: the array arguments must broadcast"):
        local_closed_form("qubit", np.ones(3), np.ones(2), 0.01, 2.0, 1.0, Flat(0.01))


def test_valid_inputs_still_broadcast_and_accept_numpy_scalars():
    """The checks do not get in the way: float32 / int scalars, T = 0, negative ε, maps."""
    out = local_closed_form("oscillator", np.float32(1.0), np.int64(1), -0.01, 0.0, np.float64(1.0), Phonon3D(0.01))
    assert np.isfinite(float(out["J_h"]))
    wh = np.linspace(2.0, 20.0, 7)[:, None]
    th = np.linspace(10.5, 30.0, 5)[None, :]
    assert global_closed_form(wh, 5.0, 1e-4, th, 10.0, Phonon3D(1e-7))["J_h"].shape == (7, 5)
    # ε² ≥ ω_h ω_c is valid input without a ground state: NaN entries, as documented
    assert np.isnan(global_closed_form(1.0, 0.5, 0.8, 1.0, 0.5, Flat(0.01))["J_h"])
