"""Zero-frequency heat-current noise against QuTiP's ``countstat_current_noise`` (QuTiP ≥ 5).

QuTiP's routine (Flindt's PhD thesis, p. 67) takes the net current superoperator I = Σ_k r_k W_k 𝒥_k and
the "total" one J = Σ_k r_k W_k² 𝒥_k (W_k the counted energy per jump, 𝒥_k ρ = J_k ρ J_k†) and returns
S = Tr[Jρ] − 2 Tr[I 𝓡 I ρ]: the operators are built here from the generator's Lindblad terms in QuTiP's own
objects (``qutip.liouvillian``, ``qutip.sprepost``, ``qutip.steadystate``), independently of qheatnet's
Liouvillian. QuTiP regularises the zero frequency with ω = 1e-15: a relative effect ~1e-15/rate ≲ 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from qheatnet import Bath, Coupling, Flat, Network, Node
from qheatnet.engines.fock import build_generator
from qheatnet.thermo.fluctuations import counting_statistics

qt = pytest.importorskip("qutip")

#: The issue's target: the noise within 1e-8 relative of QuTiP's.
QUTIP_RTOL = 1e-8


def _chain(n, eps=0.05):
    nodes = [Node(f"q{i}", "qubit", 1.0 - 0.1 * i) for i in range(n)]
    cps = [Coupling((f"q{i}", f"q{i + 1}"), eps) for i in range(n - 1)]
    baths = [Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", f"q{n - 1}", 1.0, Flat(0.02))]
    return Network(nodes, cps, baths)


def qutip_noise(gen):
    """(current, noise) of every bath from qutip.countstat_current_noise."""
    h = qt.Qobj(gen.hamiltonian.toarray())
    cops = [np.sqrt(t.rate) * qt.Qobj(t.op.toarray()) for t in gen.all_terms()]
    lmat = qt.liouvillian(h, cops)
    rho = qt.steadystate(lmat)
    out = []
    for d in gen.dissipators:
        i_op = 0
        j_op = 0
        for t in d.terms:
            c = np.sqrt(t.rate) * qt.Qobj(t.op.toarray())
            sup = qt.sprepost(c, c.dag())
            i_op = i_op + (-t.omega) * sup
            j_op = j_op + t.omega**2 * sup
        cur, noise, _ = qt.countstat_current_noise(lmat, [], rhoss=rho, I_ops=[i_op], J_ops=[j_op])
        out.append((float(cur[0]), float(noise[0, 0, 0])))
    return out


@pytest.mark.parametrize("approach", ["local", "global"])
@pytest.mark.parametrize("n", [2, 3])
def test_noise_matches_qutip(approach, n):
    net = _chain(n)
    gen = build_generator(net, approach, None)
    got = counting_statistics(net, approach, "fock")
    for a, (cur, noise) in enumerate(qutip_noise(gen)):
        assert got.cumulants[a, 0] == pytest.approx(cur, rel=QUTIP_RTOL)
        assert got.cumulants[a, 1] == pytest.approx(noise, rel=QUTIP_RTOL)
        assert noise > 0
