"""Slow, obvious dense constructions for tests/couplings (small networks only).

Everything here is built from the formulas of the coupling kinds written out
directly with Kronecker products — not from qheatnet's monomial expansion —
so that it is an independent check of the library. Conventions: ħ = k_B = 1;
column stacking, vec(AρB) = (Bᵀ ⊗ A) vec(ρ); node 0 is the most significant
factor of the product basis; oscillators are truncated *per node* at
``levels`` levels (the library truncates the total number of quanta; the two
agree on operators restricted to the library's space when ``levels`` exceeds
its cut-off by two, and on steady states up to truncation).
"""

from __future__ import annotations

import numpy as np


def lowering(kind: str, levels: int) -> np.ndarray:
    d = 2 if kind == "qubit" else levels
    return np.diag(np.sqrt(np.arange(1, d, dtype=float)), 1) if kind == "oscillator" else np.array([[0.0, 1.0], [0, 0]])


def dims(network, levels: int) -> list[int]:
    return [2 if n.kind == "qubit" else levels for n in network.nodes]


def embed(op: np.ndarray, i: int, ds: list[int]) -> np.ndarray:
    out = np.array([[1.0]])
    for k, d in enumerate(ds):
        out = np.kron(out, op if k == i else np.eye(d))
    return out


def node_op(network, levels: int, name: str, which: str) -> np.ndarray:
    """a, adag, n or x = a + a† of one node in the full product space."""
    i = network.node_index(name)
    ds = dims(network, levels)
    a = lowering(network.nodes[i].kind, ds[i])
    single = {"a": a, "adag": a.T, "n": a.T @ a, "x": a + a.T}[which]
    return embed(single, i, ds)


def coupling_matrix(network, levels: int, c) -> np.ndarray:
    """H_c from its formula: swap ε(a_i†a_j + a_ia_j†), dipole ε(a_i + a_i†)(a_j + a_j†), density ε n_in_j,
    product g(Π O_k + h.c.)."""
    op = lambda n, w: node_op(network, levels, n, w)  # noqa: E731
    if c.kind == "swap":
        i, j = c.nodes
        return c.strength * (op(i, "adag") @ op(j, "a") + op(i, "a") @ op(j, "adag"))
    if c.kind == "dipole":
        i, j = c.nodes
        return c.strength * (op(i, "x") @ op(j, "x"))
    if c.kind == "density":
        i, j = c.nodes
        return c.strength * (op(i, "n") @ op(j, "n"))
    m = np.eye(op(c.nodes[0], "n").shape[0])
    for n, w in zip(c.nodes, c.operators):
        m = m @ op(n, w)
    return c.strength * (m + m.conj().T)


def hamiltonians(network, levels: int):
    """(H_S, [H_i], {label: H_c}) in the full product space."""
    h_nodes = [n.frequency * node_op(network, levels, n.name, "n") for n in network.nodes]
    h_c = {c.label: coupling_matrix(network, levels, c) for c in network.couplings}
    return sum(h_nodes) + sum(h_c.values(), np.zeros_like(h_nodes[0])), h_nodes, h_c


def basis_index(states: np.ndarray, ds: list[int]) -> np.ndarray:
    """Position of each occupation vector (rows of ``states``) in the product basis."""
    idx = np.zeros(len(states), dtype=int)
    for k, d in enumerate(ds):
        idx = idx * d + states[:, k]
    return idx


def dissipator(a: np.ndarray) -> np.ndarray:
    eye = np.eye(a.shape[0])
    ada = a.conj().T @ a
    return np.kron(a.conj(), a) - 0.5 * np.kron(eye, ada) - 0.5 * np.kron(ada.T, eye)


def local_terms(network, levels: int):
    """Per bath: [(rate, jump)] of the local master equation (a_s at γ(ω_s), a_s† at γ(ω_s)e^{−ω_s/T})."""
    out = {}
    for b in network.baths:
        w = network.nodes[network.node_index(b.node)].frequency
        a = node_op(network, levels, b.node, "a")
        out[b.name] = [
            (float(b.spectrum.emission(w, b.temperature)), a),
            (float(b.spectrum.absorption(w, b.temperature)), a.T.copy()),
        ]
    return out


def global_terms(network, levels: int, h: np.ndarray, tol: float = 1e-9):
    """Per bath: Davies jumps X(ω) = Σ_{E−E'=ω} |E'⟩⟨E'|X|E⟩⟨E| with rates γ(ω), γ(|ω|)e^{−|ω|/T}."""
    e, v = np.linalg.eigh(h)
    lost = e[None, :] - e[:, None]  # (row, col): energy lost going col → row
    out = {}
    for b in network.baths:
        x = v.T @ node_op(network, levels, b.node, "x") @ v
        nz = np.abs(x) > 1e-12 * np.max(np.abs(x))
        used = np.zeros_like(nz)
        terms = []
        for i, j in zip(*np.nonzero(nz)):
            if used[i, j]:
                continue
            sel = nz & (np.abs(lost - lost[i, j]) < tol)
            used |= sel
            w = float(np.mean(lost[sel]))
            rate = float(b.spectrum.bohr_rate(w, b.temperature))
            terms.append((rate, v @ np.where(sel, x, 0.0) @ v.T))
        out[b.name] = terms
    return out


def steady(h: np.ndarray, terms: dict) -> np.ndarray:
    d = h.shape[0]
    eye = np.eye(d)
    gen = -1j * (np.kron(eye, h) - np.kron(h.T, eye))
    for ts in terms.values():
        for r, j in ts:
            gen = gen + r * dissipator(j)
    a = gen.copy()
    a[0, :] = 0
    a[0, np.arange(d) * (d + 1)] = 1
    rhs = np.zeros(d * d, complex)
    rhs[0] = 1
    rho = np.linalg.solve(a, rhs).reshape(d, d, order="F")
    return 0.5 * (rho + rho.conj().T)


def apply_d(terms, rho):
    out = np.zeros_like(rho)
    for r, j in terms:
        out += r * (j @ rho @ j.conj().T - 0.5 * (j.conj().T @ j @ rho + rho @ j.conj().T @ j))
    return out


def flows(network, levels: int, approach: str):
    """(ρ, bath currents full, coupling currents {label: {node: J}}, node bath currents) of the dense reference."""
    h, h_nodes, h_c = hamiltonians(network, levels)
    terms = local_terms(network, levels) if approach == "local" else global_terms(network, levels, h)
    rho = steady(h, terms)
    currents = {name: float(np.real(np.trace(apply_d(ts, rho) @ h))) for name, ts in terms.items()}
    cc = {}
    for c in network.couplings:
        cc[c.label] = {
            n: float(
                np.real(
                    np.trace(
                        rho
                        @ (
                            1j
                            * (
                                h_c[c.label] @ h_nodes[network.node_index(n)]
                                - h_nodes[network.node_index(n)] @ h_c[c.label]
                            )
                        )
                    )
                )
            )
            for n in c.nodes
        }
    all_terms = [t for ts in terms.values() for t in ts]
    drho = apply_d(all_terms, rho)
    nb = {n.name: float(np.real(np.trace(drho @ h_nodes[i]))) for i, n in enumerate(network.nodes)}
    return rho, currents, cc, nb
