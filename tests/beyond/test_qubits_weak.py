"""Two qubits at weak coupling: unified within 5 % of a dense Redfield reference wherever local or global is,
and never the wrong sign.

Parameters are those of the HEOM comparison recorded in /work/shared/MEASURED.md (T = 2.02 | 1.98,
Drude–Lorentz κ = 0.01 (λ = 5e-3), ω_c = 2): resonant qubits, where global is ×2.6 … ×2.7e4 off at
small ε, and detuned ones (ω = 1, 0.8), where local has the wrong sign. The reference is the Redfield
tensor written from scratch in redfield_reference.py (no Lamb shift, like local, global and unified).
Measured: unified − reference ≤ 1e-4 (resonant, ε ≤ 0.03), 2.9 % (detuned; equal to global there, the
Redfield–Davies difference of a detuned pair at this κ), and 2.7 % at ε = 0.1 resonant (secular there).
"""

from __future__ import annotations

import numpy as np
import pytest
from redfield_reference import drude_lorentz_rate, network_operators, reference_redfield

from qheatnet import DrudeLorentz, Network, solve
from qheatnet.physics import redfield as rf
from qheatnet.physics import unified as un
from qheatnet.physics.hilbert import FockSpace

KAPPA, CUT, TH, TC = 0.01, 2.0, 2.02, 1.98
TOL = 0.05


def _reference_current(wa, wb, eps):
    h, a = network_operators([wa, wb], [(0, 1, eps)], [2, 2])
    coup = [(a[0] + a[0].T, lambda w, g=drude_lorentz_rate(KAPPA, CUT, TH): 0.5 * g(w))]
    coup.append((a[1] + a[1].T, lambda w, g=drude_lorentz_rate(KAPPA, CUT, TC): 0.5 * g(w)))
    _, j, _ = reference_redfield(h, coup)
    return j[0]


@pytest.mark.parametrize("wb", [1.0, 0.8], ids=["resonant", "detuned"])
@pytest.mark.parametrize("eps", [1e-4, 1e-3, 1e-2, 3e-2, 1e-1])
def test_unified_close_to_dense_redfield_where_local_or_global_is(wb, eps):
    net = Network.two_node("qubit", 1.0, wb, eps, TH, TC, DrudeLorentz(KAPPA, CUT))
    eb = rf.eigen_basis(net, FockSpace.build(net.kinds, None))
    gen = un.build_unified(
        eb.energies,
        eb.couplings,
        [b.spectrum for b in net.baths],
        [b.temperature for b in net.baths],
        excitation=eb.excitation,
    )
    ss = un.unified_steady_state(gen)
    ref = _reference_current(1.0, wb, eps)
    j_loc = solve(net, "local").heat_currents["hot"]
    j_glob = solve(net, "global").heat_currents["hot"]
    for j in (ss.currents_consistent[0], ss.currents[0]):
        assert np.sign(j) == np.sign(ref)
        if abs(j_loc / ref - 1) <= TOL or abs(j_glob / ref - 1) <= TOL:
            assert abs(j / ref - 1) <= TOL, (j / ref - 1, j_loc / ref - 1, j_glob / ref - 1)
    # the test is not vacuous: the known failures are there
    if wb == 1.0 and eps <= 1e-2:
        assert abs(j_glob / ref - 1) > 1.0
    if wb == 0.8:
        assert np.sign(j_loc) != np.sign(ref)
