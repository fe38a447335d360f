r"""Covariance matrix, correlation functions and entanglement of Gaussian steady states.

Conventions (appendix C of Levy & Kosloff 2014)
-----------------------------------------------
Quadratures x = (a + a†)/√2 and p = i(a† − a)/√2 ([x, p] = i, vacuum
variance 1/2), ordered ξ = (x_1, p_1, x_2, p_2, ...). The covariance matrix
is the symmetrised V_ij = ½⟨{Δξ_i, Δξ_j}⟩, so a thermal mode has
V = (⟨n⟩ + ½) 1 as in the paper, and a physical state obeys
V + (i/2)Ω ≥ 0 with Ω = ⊕ [[0, 1], [−1, 0]].

For a number-conserving Gaussian state (local and global master equations:
zero mean and ⟨a_i a_j⟩ = 0) with C_ij = ⟨a_i† a_j⟩,

    V(x_i, x_j) = V(p_i, p_j) = Re C_ij + ½ δ_ij,
    V(x_i, p_j) = Im C_ij,   V(p_i, x_j) = −Im C_ij,

which is the paper's V^local with ⟨X⟩ = 2 Re C_AB, ⟨Y⟩ = −2 Im C_AB. The exact
(NEGF) approach gives V directly (it is not number conserving).

Correlation function (eq. 17): cor(ξ_i, ξ_j) = V_ij / √(V_ii V_jj).

Separability of two modes (Simon, PRL 84, 2726 (2000)): the state is
separable iff its partial transpose (p_B → −p_B) is physical, i.e. the
smallest symplectic eigenvalue ν̃₋ of the partially transposed V is ≥ ½
(equivalently Simon's invariant inequality, :func:`simon_invariant` ≥ 0).
Logarithmic negativity (Vidal & Werner, PRA 65, 032314 (2002)):
E_N = max(0, −log₂(2ν̃₋)) ebits.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError

__all__ = [
    "covariance_from_correlation",
    "covariance",
    "pair_covariance",
    "correlations",
    "symplectic_eigenvalues",
    "pt_symplectic_eigenvalue",
    "simon_invariant",
    "is_separable",
    "log_negativity",
    "pair_report",
]

_OMEGA2 = np.array([[0.0, 1.0], [-1.0, 0.0]])


def covariance_from_correlation(c: np.ndarray) -> np.ndarray:
    """2N × 2N covariance V (order x_1, p_1, ...) from C_ij = ⟨a_i† a_j⟩ (see module docstring)."""
    c = np.asarray(c)
    n = c.shape[0]
    v = np.zeros((2 * n, 2 * n))
    re, im = np.real(c), np.imag(c)
    re = 0.5 * (re + re.T)
    im = 0.5 * (im - im.T)
    v[0::2, 0::2] = re + 0.5 * np.eye(n)
    v[1::2, 1::2] = re + 0.5 * np.eye(n)
    v[0::2, 1::2] = im
    v[1::2, 0::2] = -im  # V(p_i, x_j) = −Im C_ij
    return v


def covariance(result) -> np.ndarray:
    """Covariance matrix of a :class:`~qheatnet.SteadyState` of an oscillator network."""
    extra = getattr(result, "extra", {}) or {}
    if "covariance" in extra and extra["covariance"] is not None:
        return np.asarray(extra["covariance"])
    if "correlation_matrix" in extra:
        return covariance_from_correlation(extra["correlation_matrix"])
    raise ModelError(
        "this result carries no covariance: it is available for oscillator networks solved by the gaussian "
        "engine (for large networks pass populations='all', which `qheatnet solve --covariance` does)"
    )


def pair_covariance(v: np.ndarray, i: int, j: int) -> np.ndarray:
    """The 4 × 4 block of V for modes i and j, order (x_i, p_i, x_j, p_j)."""
    idx = [2 * i, 2 * i + 1, 2 * j, 2 * j + 1]
    return np.asarray(v)[np.ix_(idx, idx)]


def correlations(v: np.ndarray, i: int = 0, j: int = 1) -> dict:
    """cor(x_i, x_j), cor(x_i, p_j), cor(p_i, x_j), cor(p_i, p_j) (eq. 17)."""
    v = np.asarray(v)
    d = np.sqrt(np.diag(v))
    cor = v / np.outer(d, d)
    xi, pi, xj, pj = 2 * i, 2 * i + 1, 2 * j, 2 * j + 1
    return {
        "x_x": float(cor[xi, xj]),
        "x_p": float(cor[xi, pj]),
        "p_x": float(cor[pi, xj]),
        "p_p": float(cor[pi, pj]),
    }


def _omega(n):
    return np.kron(np.eye(n), _OMEGA2)


def symplectic_eigenvalues(v: np.ndarray) -> np.ndarray:
    """Symplectic eigenvalues ν_k ≥ 0 of V (moduli of the eigenvalues of iΩV), ascending."""
    v = np.asarray(v)
    n = v.shape[0] // 2
    ev = np.abs(np.linalg.eigvals(1j * _omega(n) @ v))
    return np.sort(ev)[::2]


def pt_symplectic_eigenvalue(v4: np.ndarray) -> float:
    """Smallest symplectic eigenvalue ν̃₋ of the partial transpose (p_B → −p_B) of a 4 × 4 V."""
    lam = np.diag([1.0, 1.0, 1.0, -1.0])
    return float(symplectic_eigenvalues(lam @ np.asarray(v4) @ lam)[0])


def simon_invariant(v4: np.ndarray) -> float:
    """det A det B + (¼ − |det C|)² − tr(AJCJBJCᵀJ) − ¼(det A + det B): ≥ 0 iff separable (Simon 2000)."""
    v4 = np.asarray(v4)
    a, b, c = v4[:2, :2], v4[2:, 2:], v4[:2, 2:]
    j = _OMEGA2
    da, db, dc = np.linalg.det(a), np.linalg.det(b), np.linalg.det(c)
    return float(da * db + (0.25 - abs(dc)) ** 2 - np.trace(a @ j @ c @ j @ b @ j @ c.T @ j) - 0.25 * (da + db))


def is_separable(v4: np.ndarray, tol: float = 1e-12) -> bool:
    """Simon's PPT criterion for a two-mode Gaussian state: ν̃₋ ≥ ½ (within ``tol``)."""
    return pt_symplectic_eigenvalue(v4) >= 0.5 - tol


def log_negativity(v4: np.ndarray) -> float:
    """E_N = max(0, −log₂(2ν̃₋)) in ebits (0 for separable states)."""
    return float(max(0.0, -np.log2(2 * pt_symplectic_eigenvalue(v4))))


def pair_report(v: np.ndarray, names, pairs=None) -> list[dict]:
    """Correlations, separability and log-negativity for ``pairs`` of modes (default: all)."""
    n = len(names)
    if pairs is None:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    out = []
    for i, j in pairs:
        v4 = pair_covariance(v, i, j)
        out.append(
            {
                "nodes": [names[i], names[j]],
                "correlations": correlations(v, i, j),
                "separable": is_separable(v4),
                "pt_symplectic_eigenvalue": pt_symplectic_eigenvalue(v4),
                "log_negativity": log_negativity(v4),
            }
        )
    return out


def covariance_json(result) -> dict:
    """JSON-ready covariance block of a SteadyState (``qheatnet solve --covariance``)."""
    v = covariance(result)
    names = [n.name for n in result.network.nodes]
    return {
        "convention": "x=(a+a†)/√2, p=i(a†−a)/√2, V_ij=½⟨{Δξ_i,Δξ_j}⟩, vacuum V=½·1",
        "order": [f"{q}_{name}" for name in names for q in ("x", "p")],
        "matrix": [[float(x) for x in row] for row in v],
        "pairs": pair_report(v, names),
    }


def format_covariance(result) -> str:
    """Human-readable pair correlations (eq. 17), separability and log-negativity."""
    block = covariance_json(result)
    lines = ["pair correlations (eq. 17 of Levy & Kosloff 2014; Simon separability):"]
    for p in block["pairs"]:
        c = p["correlations"]
        lines.append(
            f"  {p['nodes'][0]}–{p['nodes'][1]}: cor(x,x)={c['x_x']:.4e} cor(x,p)={c['x_p']:.4e} "
            f"cor(p,x)={c['p_x']:.4e} cor(p,p)={c['p_p']:.4e} separable={p['separable']} "
            f"E_N={p['log_negativity']:.3g}"
        )
    return "\n".join(lines)
