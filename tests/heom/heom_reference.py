"""An independent HEOM set-up from QuTiP's own primitives (the yardstick for qheatnet.solvers.heom).

Written for the tests, sharing nothing with qheatnet's kernel except the bath mapping under test:
the network is built with ``qutip.destroy``/``tensor`` (node 0 the most significant factor, level
index = occupation), each bath is QuTiP's ``DrudeLorentzEnvironment(T, λ, γ)`` with λ = κ ω_c / 4,
γ = ω_c, expanded by QuTiP's Padé ``approximate`` with its terminator ``system_terminator`` added to
the system Liouvillian (as in QuTiP's tutorial "HEOM 3"), the hierarchy and its steady state are
QuTiP's ``HEOMSolver(...).steady_state()`` (complex, unscaled ADOs, full space), and the heat
current of bath α is the energy change of H_S due to that bath computed here from the first-tier
ADOs,

    J_α = Tr[H_S (−i Σ_{k∈α} [X_α, ρ_k] − δ_α [X_α, [X_α, ρ]])]   (positive into the network).
"""

from __future__ import annotations

import numpy as np


def qutip_heom(network, depth: int, terms: int):
    """(currents {bath: J}, populations {node: ⟨n⟩}, rho as ndarray) from QuTiP's HEOMSolver."""
    import qutip as qt
    from qutip.core.environment import DrudeLorentzEnvironment, system_terminator
    from qutip.solver.heom import HEOMSolver

    names = [n.name for n in network.nodes]
    n = len(names)

    def op(i, a):
        ops = [qt.qeye(2)] * n
        ops[i] = a
        return qt.tensor(ops)

    sm = qt.destroy(2)
    low = [op(i, sm) for i in range(n)]
    h = sum(node.frequency * low[i].dag() * low[i] for i, node in enumerate(network.nodes))
    for c in network.couplings:
        i, j = names.index(c.nodes[0]), names.index(c.nodes[1])
        h = h + c.strength * (low[i].dag() * low[j] + low[j].dag() * low[i])
    liou = qt.liouvillian(h)
    baths, info = [], []
    for b in network.baths:
        q = low[names.index(b.node)] + low[names.index(b.node)].dag()
        lam, gamma = b.spectrum.kappa * b.spectrum.cutoff / 4, b.spectrum.cutoff
        env = DrudeLorentzEnvironment(b.temperature, lam, gamma)
        approx, delta = env.approximate("pade", Nk=terms, compute_delta=True, tag=b.name)
        baths.append((approx, q))
        liou = liou + system_terminator(q, delta)
        info.append((b.name, q, delta))
    rho, ados = HEOMSolver(liou, baths, max_depth=depth).steady_state()
    currents = {}
    for name, q, delta in info:
        eta = 0 * rho
        for label in ados.filter(level=1, tags=[name]):
            eta = eta + ados.extract(label)
        d_rho = -1j * (q * eta - eta * q) - delta * (q * (q * rho - rho * q) - (q * rho - rho * q) * q)
        currents[name] = float(np.real((h * d_rho).tr()))
    pops = {names[i]: float(np.real((low[i].dag() * low[i] * rho).tr())) for i in range(n)}
    return currents, pops, rho.full()
