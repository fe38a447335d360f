"""Is the steady state block diagonal in the total excitation number q? Where does it fail?

The swap Hamiltonian conserves q. The claim checked here by solving the full
4^N-dimensional problem (no block assumption) and looking at the blocks
ρ_{q q'} with q ≠ q':

* local master equation: every jump changes q by exactly ±1 → the steady
  state is block diagonal (holds for any network);
* global (Davies) with positive single-particle energies: every X_α(ω)
  changes q by a fixed amount → block diagonal;
* global with a negative single-particle energy (ε > ω in a chain of equal
  qubits): a q-raising and a q-lowering transition share one Bohr frequency,
  X_α(ω) has no fixed q shift, and the steady state has blocks between q and
  q ± 2 (here 4.5e-3) — the claim fails, and the generic engine says
  it solved the full space. (A bath on the middle site is needed for the
  steady state to be unique at all; see test_engines.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
from qubit_networks import chain, star, strong_chain

from qheatnet import build_master_equation, solve
from qheatnet.solvers.liouvillian import steady_state


def _off_block(rho, q):
    mask = q[:, None] != q[None, :]
    return float(np.max(np.abs(rho[mask])))


def _full_space_state(net, approach):
    me = build_master_equation(net, approach)
    sol = steady_state(me.hamiltonian, [(t.rate, t.op) for t in me.all_terms()], None)
    assert sol.structure == "full space"
    return me, sol.rho


@pytest.mark.parametrize("net", [chain(3), star()], ids=["chain3", "star"])
@pytest.mark.parametrize("approach", ["local", "global"])
def test_block_diagonal_when_jumps_have_fixed_shift(net, approach):
    me, rho = _full_space_state(net, approach)
    assert _off_block(rho, me.space.excitation) < 1e-12
    assert solve(net, approach, engine="fock").solver["structure"] == "q-diagonal blocks"


def test_global_with_negative_single_particle_energy_mixes_sectors():
    net = strong_chain()
    assert np.linalg.eigvalsh(net.single_particle_matrix())[0] < 0
    me, rho = _full_space_state(net, "global")
    q = me.space.excitation
    off = _off_block(rho, q)
    assert off > 1e-3  # measured 4.5e-3: a genuine q/q±2 coherence, not round-off
    # only blocks with q − q' even are populated (each jump changes q by ±1 and acts twice)
    odd = (q[:, None] - q[None, :]) % 2 == 1
    assert np.max(np.abs(rho[odd])) < 1e-12
    res = solve(net, "global", engine="fock")
    assert res.solver["structure"] == "full space"
    # the local equation of the same network stays block diagonal
    me_l, rho_l = _full_space_state(net, "local")
    assert _off_block(rho_l, me_l.space.excitation) < 1e-12
