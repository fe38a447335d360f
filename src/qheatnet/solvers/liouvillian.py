r"""Steady state of a Lindblad generator: vectorised block assembly and a sparse solve.

Vectorisation is column stacking, vec(A ρ B) = (Bᵀ ⊗ A) vec(ρ), so

.. math::
    𝓛 = −i\,I⊗H_{eff} + i\,\overline{H_{eff}}⊗I + Σ_k r_k \bar J_k ⊗ J_k,
    \qquad H_{eff} = H − \tfrac{i}{2} Σ_k r_k J_k^† J_k .

Structure used: when H conserves the excitation number q and every jump
operator changes q by one fixed amount, 𝓛 maps the block ρ_{q q'} into
blocks with the same q − q'. The unique steady state then lives in the
q-diagonal blocks, and only those are solved for — the "zero-difference
block" (for two oscillators with cut-off K: Σ (q+1)² unknowns instead of
((K+1)(K+2)/2)²). Otherwise the full space is used; the result says which.

Assembly (:class:`BlockLiouvillian`): every jump operator of every bath is one
set of COO entries (:class:`Jumps`: term index, row, column, value). The
entries of r J̄⊗J inside the blocks are the products of pairs of entries of
one operator whose columns lie in one block, (JρJ†)_{ab} ∋ J_{ac} ρ_{cd}
J̄_{bd}; they are generated for all operators at once with numpy index
arithmetic, as are J†J (pairs sharing a row) and the H_eff part (each entry
of H_eff repeated over its block). One COO matrix is assembled at the end.
The heat currents reuse the same pairs (:meth:`BlockLiouvillian.bath_currents`).

Solve (:mod:`.linear`): a sparse LU for small or sparse problems, preconditioned
GMRES for qubit networks whose LU fills densely. ρ is Hermitian and 𝓛 preserves
Hermiticity, so the block unknowns can also be parametrised by real numbers
(Re ρ_ab on and above the diagonal, Im ρ_ab below it, in the same positions;
:meth:`BlockLiouvillian.real_matrix`). The trace condition replaces the
equation of the first diagonal element.
The residual ‖𝓛ρ‖_∞ / (‖𝓛‖_∞ ‖ρ‖_∞) is always computed and a steady state
whose residual exceeds the tolerance is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .. import config
from ..errors import ConvergenceError

__all__ = [
    "SteadyStateSolution",
    "steady_state",
    "liouvillian_blocks",
    "block_sectors",
    "observable_vector",
    "blocks_to_vector",
    "Jumps",
    "BlockLayout",
    "BlockLiouvillian",
]


@dataclass(frozen=True, eq=False)
class SteadyStateSolution:
    rho: np.ndarray
    residual: float
    unknowns: int
    structure: str  # "q-diagonal blocks" or "full space"
    condition: float = float("nan")  # estimated 1-norm condition number of the trace-constrained generator
    #: how it was solved: method ("direct" | "iterative"), ordering / iterations, lowest eigenvalue, …
    info: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# many jump operators at once
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Jumps:
    """Jump operators J_t (t = 0 … T−1) with rates r_t as one COO list, sorted by t.

    Entry e is (``row[e]``, ``col[e]``, ``val[e]``) of operator ``term[e]``; ``group[t]`` is an integer
    label of term t (the bath index), ``omega[t]`` the energy the network loses per jump.
    """

    dim: int
    rate: np.ndarray
    term: np.ndarray
    row: np.ndarray
    col: np.ndarray
    val: np.ndarray
    group: np.ndarray
    omega: np.ndarray

    @classmethod
    def from_arrays(cls, dim, rate, term, row, col, val, group=None, omega=None) -> Jumps:
        rate = np.asarray(rate, dtype=float)
        term = np.asarray(term, dtype=np.int64)
        order = np.argsort(term, kind="stable")
        val = np.asarray(val, dtype=complex)[order]
        keep = val != 0
        t = len(rate)
        return cls(
            int(dim),
            rate,
            term[order][keep],
            np.asarray(row, dtype=np.int64)[order][keep],
            np.asarray(col, dtype=np.int64)[order][keep],
            val[keep],
            np.zeros(t, dtype=np.int64) if group is None else np.asarray(group, dtype=np.int64),
            np.zeros(t) if omega is None else np.asarray(omega, dtype=float),
        )

    @classmethod
    def from_terms(cls, terms, dim: int, group=None, omega=None) -> Jumps:
        """From a list of (rate, sparse J)."""
        rates, tt, rr, cc, vv = [], [], [], [], []
        for k, (r, j) in enumerate(terms):
            coo = sp.coo_matrix(j)
            rates.append(float(r))
            tt.append(np.full(coo.nnz, k, dtype=np.int64))
            rr.append(coo.row.astype(np.int64))
            cc.append(coo.col.astype(np.int64))
            vv.append(coo.data.astype(complex))
        cat = lambda xs, dt: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
        return cls.from_arrays(
            dim,
            np.array(rates, dtype=float),
            cat(tt, np.int64),
            cat(rr, np.int64),
            cat(cc, np.int64),
            cat(vv, complex),
            group,
            omega,
        )

    @classmethod
    def concatenate(cls, parts: list[Jumps]) -> Jumps:
        """All terms of ``parts``; the group of a term becomes the index of its part."""
        if not parts:
            raise ValueError("no jump operators")
        dim = parts[0].dim
        shift = np.cumsum([0] + [len(p.rate) for p in parts[:-1]])
        return cls(
            dim,
            np.concatenate([p.rate for p in parts]),
            np.concatenate([p.term + s for p, s in zip(parts, shift)]),
            np.concatenate([p.row for p in parts]),
            np.concatenate([p.col for p in parts]),
            np.concatenate([p.val for p in parts]),
            np.concatenate([np.full(len(p.rate), k, dtype=np.int64) for k, p in enumerate(parts)]),
            np.concatenate([p.omega for p in parts]),
        )

    @property
    def n_terms(self) -> int:
        return len(self.rate)

    def bounds(self) -> np.ndarray:
        return np.searchsorted(self.term, np.arange(self.n_terms + 1))

    def op(self, t: int) -> sp.csr_matrix:
        """J_t as a sparse matrix."""
        b = self.bounds()
        sl = slice(b[t], b[t + 1])
        return sp.csr_matrix((self.val[sl], (self.row[sl], self.col[sl])), shape=(self.dim, self.dim))

    def shifts(self, q: np.ndarray) -> np.ndarray | None:
        """The fixed change of q made by each term, or None if some term has none (terms without entries: 0)."""
        d = q[self.row] - q[self.col]
        lo = np.full(self.n_terms, np.iinfo(np.int64).max)
        hi = np.full(self.n_terms, np.iinfo(np.int64).min)
        np.minimum.at(lo, self.term, d)
        np.maximum.at(hi, self.term, d)
        empty = lo > hi
        if np.any((lo != hi) & ~empty):
            return None
        return np.where(empty, 0, lo)


def _as_jumps(terms, dim: int) -> Jumps:
    return terms if isinstance(terms, Jumps) else Jumps.from_terms(list(terms), dim)


def _group_pairs(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(i, j): every ordered pair of positions with equal ``keys`` (both orders and i = j)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
    sizes = np.diff(np.concatenate([starts, [len(k)]]))
    sq = sizes * sizes
    g = np.repeat(np.arange(len(starts)), sq)
    loc = np.arange(int(sq.sum()), dtype=np.int64) - np.repeat(np.cumsum(sq) - sq, sq)
    n_g = sizes[g]
    base = starts[g]
    return order[base + loc // n_g], order[base + loc % n_g]


# --------------------------------------------------------------------------
# the block layout of the unknowns
# --------------------------------------------------------------------------


def _shift(op, q: np.ndarray):
    """The fixed change of q made by ``op``, or None if it has none."""
    coo = sp.coo_matrix(op)
    if coo.nnz == 0:
        return 0
    d = q[coo.row] - q[coo.col]
    return int(d[0]) if np.all(d == d[0]) else None


def block_sectors(hamiltonian, terms, excitation: np.ndarray | None) -> tuple[list[np.ndarray], bool]:
    """(index ranges of the q-sectors, True) when H conserves q and every jump shifts it by a fixed amount, else
    ([all states], False): the q-diagonal blocks of ρ then evolve on their own (module docstring)."""
    dim = hamiltonian.shape[0]
    if excitation is None or _shift(hamiltonian, excitation) != 0:
        return [np.arange(dim)], False
    if isinstance(terms, Jumps):
        if terms.shifts(np.asarray(excitation)) is None:
            return [np.arange(dim)], False
    elif not all(_shift(j, excitation) is not None for _, j in terms):
        return [np.arange(dim)], False
    qs, starts = np.unique(excitation, return_index=True)
    bounds = list(starts) + [dim]
    return [np.arange(bounds[k], bounds[k + 1]) for k in range(len(qs))], True


class BlockLayout:
    """Positions of the unknowns: block k (states ``start[k]`` … ``start[k] + size[k] − 1``) column-stacked
    from ``offsets[k]``; ``pos(a, b)`` is the position of ρ_ab (a, b in one block)."""

    def __init__(self, sectors: list[np.ndarray], dim: int, blockwise: bool):
        self.sectors = sectors
        self.dim = dim
        self.blockwise = blockwise
        self.size = np.array([len(s) for s in sectors], dtype=np.int64)
        self.start = np.array([s[0] if len(s) else 0 for s in sectors], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.size * self.size)]).astype(np.int64)
        self.which = np.empty(dim, dtype=np.int64)
        for k, s in enumerate(sectors):
            self.which[s] = k
        self.local = np.arange(dim, dtype=np.int64) - self.start[self.which]
        self._grid: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n(self) -> int:
        return int(self.offsets[-1])

    def pos(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        s = self.which[a]
        return self.offsets[s] + self.local[a] + self.local[b] * self.size[s]

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(a, b): the state indices of ρ_ab at every position."""
        if self._grid is None:
            blk = np.repeat(np.arange(len(self.size)), self.size * self.size)
            k = np.arange(self.n, dtype=np.int64) - self.offsets[blk]
            d = self.size[blk]
            self._grid = (self.start[blk] + k % d, self.start[blk] + k // d)
        return self._grid

    def diagonal_positions(self) -> np.ndarray:
        return np.concatenate([self.offsets[k] + np.arange(d) * (d + 1) for k, d in enumerate(self.size)])

    def to_vector(self, rho: np.ndarray) -> np.ndarray:
        a, b = self.grid()
        return rho[a, b]

    def to_dense(self, x: np.ndarray) -> np.ndarray:
        a, b = self.grid()
        rho = np.zeros((self.dim, self.dim), dtype=complex)
        rho[a, b] = x
        return rho

    def observable(self, op) -> np.ndarray:
        """c with Tr[ρ A] = c · x (only the entries of A inside the blocks count)."""
        coo = sp.coo_matrix(op)
        inside = self.which[coo.row] == self.which[coo.col]
        c = np.zeros(self.n, dtype=complex)
        np.add.at(c, self.pos(coo.col[inside], coo.row[inside]), coo.data[inside])
        return c


def observable_vector(op, sectors, offsets, n_unknowns) -> np.ndarray:
    """c with Tr[ρ A] = c · x for the unknown vector x (column-stacked q-diagonal blocks)."""
    dim = int(sum(len(s) for s in sectors))
    lay = BlockLayout(list(sectors), dim, True)
    assert lay.n == n_unknowns
    return lay.observable(op)


def blocks_to_vector(rho: np.ndarray, sectors) -> np.ndarray:
    """The unknown vector (column-stacked q-diagonal blocks) of a dense ρ."""
    return np.concatenate([rho[s[0] : s[-1] + 1, s[0] : s[-1] + 1].reshape(-1, order="F") for s in sectors])


# --------------------------------------------------------------------------
# assembly
# --------------------------------------------------------------------------


class BlockLiouvillian:
    """𝓛 on the blocks of ``layout``, assembled from whole operators (module docstring).

    ``jump_entries`` = (row, col, value, term) of Σ_t r_t J̄_t⊗J_t; ``heff`` = H − ½i Σ r J†J (CSR);
    ``m_pairs`` = (e1, e2) entry pairs of one term sharing a row (J†J_{c1 c2} ∋ J̄_{a c1} J_{a c2}).
    """

    def __init__(self, hamiltonian, jumps: Jumps, layout: BlockLayout):
        self.layout = layout
        self.jumps = jumps
        self.hamiltonian = sp.csr_matrix(hamiltonian)
        lay, jp = layout, jumps
        dim = lay.dim
        rate_e = jp.rate[jp.term]
        # J†J: pairs of entries of one term in one row
        e1, e2 = _group_pairs(jp.term * dim + jp.row)
        self.m_pairs = (e1, e2)
        mval = rate_e[e1] * np.conj(jp.val[e1]) * jp.val[e2]
        m = sp.csr_matrix((mval, (jp.col[e1], jp.col[e2])), shape=(dim, dim))
        self.m = m
        self.heff = (self.hamiltonian.astype(complex) - 0.5j * m).tocsr()
        # r J̄⊗J: pairs of entries of one term whose columns share a block
        p1, p2 = _group_pairs(jp.term * len(lay.size) + lay.which[jp.col])
        self.jump_entries = (
            lay.pos(jp.row[p1], jp.row[p2]),
            lay.pos(jp.col[p1], jp.col[p2]),
            rate_e[p1] * jp.val[p1] * np.conj(jp.val[p2]),
            jp.term[p1],
        )
        self._matrix: sp.csc_matrix | None = None
        self._real: sp.csr_matrix | None = None

    @property
    def n(self) -> int:
        return self.layout.n

    def heff_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, col, value) of −i I⊗H_eff + i H̄_eff⊗I inside the blocks."""
        lay = self.layout
        coo = self.heff.tocoo()
        inside = lay.which[coo.row] == lay.which[coo.col]
        a, c, v = coo.row[inside].astype(np.int64), coo.col[inside].astype(np.int64), coo.data[inside]
        s = lay.which[a]
        reps = lay.size[s]
        e = np.repeat(np.arange(len(a)), reps)
        other = lay.start[s[e]] + np.arange(int(reps.sum()), dtype=np.int64) - np.repeat(np.cumsum(reps) - reps, reps)
        ae, ce, ve = a[e], c[e], v[e]
        # −i (H_eff ρ)_{a b} ∋ −i H_{ac} ρ_{cb};  +i (ρ H_eff†)_{x a} ∋ +i ρ_{xc} conj(H_{ac})
        rows = np.concatenate([lay.pos(ae, other), lay.pos(other, ae)])
        cols = np.concatenate([lay.pos(ce, other), lay.pos(other, ce)])
        vals = np.concatenate([-1j * ve, 1j * np.conj(ve)])
        return rows, cols, vals

    def matrix(self) -> sp.csc_matrix:
        """𝓛 on the blocks (complex, CSC, duplicates summed)."""
        if self._matrix is None:
            hr, hc, hv = self.heff_entries()
            jr, jc, jv, _ = self.jump_entries
            n = self.n
            self._matrix = sp.csc_matrix(
                (np.concatenate([hv, jv]), (np.concatenate([hr, jr]), np.concatenate([hc, jc]))), shape=(n, n)
            )
        return self._matrix

    # -- the Hermitian (real) parametrisation ---------------------------------
    def _real_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(side, transpose): side = sign(b − a) of ρ_ab at each position; transpose = the position of ρ_ba."""
        a, b = self.layout.grid()
        return np.sign(b - a), self.layout.pos(b, a)

    def real_matrix(self) -> sp.csr_matrix:
        """𝓛 acting on y (Re ρ_ab at a ≤ b, Im ρ_ab at the position of ρ_ba for a < b), equations likewise."""
        if self._real is None:
            side, tr = self._real_maps()
            coo = self.matrix().tocoo()
            r, c, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data
            keep = side[r] >= 0  # equations of the lower triangle are the conjugates of the upper ones
            r, c, v = r[keep], c[keep], v[keep]
            sc = side[c]
            # ρ_cd in y: diagonal y_C; upper y_C + i y_C'; lower y_C' − i y_C (C' the transposed position)
            up, lo = sc > 0, sc < 0
            cols = np.concatenate([np.where(lo, tr[c], c), tr[c[up]], c[lo]])
            coef = np.concatenate([v, 1j * v[up], -1j * v[lo]])
            rows = np.concatenate([r, r[up], r[lo]])
            off = side[rows] > 0
            all_rows = np.concatenate([rows, tr[rows[off]]])
            all_cols = np.concatenate([cols, cols[off]])
            all_vals = np.concatenate([coef.real, coef[off].imag])
            n = self.n
            self._real = sp.csr_matrix((all_vals, (all_rows, all_cols)), shape=(n, n))
            self._real.eliminate_zeros()
        return self._real

    def real_to_complex(self, y: np.ndarray) -> np.ndarray:
        side, tr = self._real_maps()
        return np.where(side == 0, y, np.where(side > 0, y + 1j * y[tr], y[tr] - 1j * y)).astype(complex)

    def complex_to_real(self, x: np.ndarray) -> np.ndarray:
        side, tr = self._real_maps()
        return np.where(side >= 0, x.real, x[tr].imag)

    # -- currents from the same pieces -------------------------------------------
    def bath_currents(self, rho: np.ndarray, h_book, n_groups: int) -> np.ndarray:
        """Re Tr[H 𝓓_g(ρ)] for every group g of jump terms (𝓓_g = Σ_{t∈g} r_t D[J_t]); ρ dense (d, d).

        Up to CURRENT_OPERATOR_MAX_TERMS terms: the operator 𝓓†(H) = Σ r (J†HJ − ½{J†J, H}) per term,
        then contracted with ρ (the most accurate order: measured a third of the round-off for currents
        1e-8 of the gross exchange). Beyond: the entry pairs of the superoperator contracted with ρ
        directly (no sparse product per term).
        """
        lay, jp = self.layout, self.jumps
        if jp.n_terms <= config.CURRENT_OPERATOR_MAX_TERMS:
            h = sp.csr_matrix(h_book)
            per = np.zeros(n_groups)
            for t in range(jp.n_terms):
                j = self.jumps.op(t)
                jd = j.conj().T
                jj = jd @ j
                g = (jp.rate[t] * (jd @ h @ j - 0.5 * (jj @ h + h @ jj))).tocoo()
                per[jp.group[t]] += float(np.real(np.sum(g.data * rho[g.col, g.row])))
            return per
        group_t = jp.group
        x = lay.to_vector(rho)
        c_h = lay.observable(h_book)
        jr, jc, jv, jt = self.jump_entries
        out = np.bincount(group_t[jt], weights=np.real(c_h[jr] * jv * x[jc]), minlength=n_groups)[:n_groups]
        # −½ Tr[ρ{M_g, H}] = −Re Tr[ρ M_g H] for Hermitian ρ, M_g, H
        e1, e2 = self.m_pairs
        g1 = group_t[jp.term[e1]]
        rate_e = jp.rate[jp.term[e1]]
        mval = rate_e * np.conj(jp.val[e1]) * jp.val[e2]
        h = sp.csr_matrix(h_book)
        for g in range(n_groups):
            sel = g1 == g
            if not np.any(sel):
                continue
            mg = sp.csr_matrix((mval[sel], (jp.col[e1][sel], jp.col[e2][sel])), shape=(lay.dim, lay.dim))
            prod = (mg @ h).tocoo()
            out[g] -= float(np.real(np.sum(prod.data * rho[prod.col, prod.row])))
        return out

    def gross_exchange(self, rho: np.ndarray) -> float:
        """Σ_t r_t |ω_t| ⟨J_t†J_t⟩."""
        jp = self.jumps
        e1, e2 = self.m_pairs
        t = jp.term[e1]
        w = jp.rate[t] * np.abs(jp.omega[t]) * np.conj(jp.val[e1]) * jp.val[e2]
        return float(np.real(np.sum(w * rho[jp.col[e2], jp.col[e1]])))

    def dissipated(self, rho: np.ndarray) -> np.ndarray:
        """Σ_t r_t D[J_t]ρ (dense, inside the blocks)."""
        lay = self.layout
        x = lay.to_vector(rho)
        jr, jc, jv, _ = self.jump_entries
        y = np.bincount(jr, weights=np.real(jv * x[jc]), minlength=lay.n) + 1j * np.bincount(
            jr, weights=np.imag(jv * x[jc]), minlength=lay.n
        )
        out = lay.to_dense(y)
        mr = self.m @ rho
        return out - 0.5 * (mr + mr.conj().T)


def liouvillian_blocks(hamiltonian, terms, sectors):
    """Sparse 𝓛 restricted to the q-diagonal blocks given by ``sectors``.

    ``terms`` is a list of (rate, J) (or :class:`Jumps`). Returns (L, offsets) where offsets[s]
    is the position of vec(ρ_{ss}) in the unknown vector.
    """
    dim = hamiltonian.shape[0]
    lay = BlockLayout(list(sectors), dim, len(sectors) > 1)
    bl = BlockLiouvillian(hamiltonian, _as_jumps(terms, dim), lay)
    return bl.matrix(), lay.offsets


def build_block_liouvillian(hamiltonian, terms, excitation: np.ndarray | None) -> BlockLiouvillian:
    dim = hamiltonian.shape[0]
    jumps = _as_jumps(terms, dim)
    sectors, blockwise = block_sectors(hamiltonian, jumps, excitation)
    return BlockLiouvillian(hamiltonian, jumps, BlockLayout(sectors, dim, blockwise))


def steady_state(
    hamiltonian,
    terms,
    excitation: np.ndarray | None = None,
    *,
    residual_tol: float | None = None,
    method: str = "auto",
    liouvillian: BlockLiouvillian | None = None,
) -> SteadyStateSolution:
    """Unique steady state of dρ/dt = −i[H, ρ] + Σ_k r_k D[J_k] ρ.

    Parameters
    ----------
    hamiltonian : sparse (d, d)
    terms : list of (rate, sparse J), or :class:`Jumps`
    excitation : (d,) int array or None
        Conserved excitation number of each basis state, non-decreasing.
        When given and respected by every jump, only q-diagonal blocks are
        solved.
    residual_tol : float
        Refuse (ConvergenceError) above this relative residual.
    method : "auto" | "direct" | "direct-real" | "iterative"
        "auto": sparse LU up to FOCK_DIRECT_MAX_UNKNOWNS unknowns (or blocks of at most
        FOCK_DIRECT_MAX_BLOCK states), else the preconditioned iterative solve (:mod:`.linear`).
    liouvillian : the assembled :class:`BlockLiouvillian`, if at hand (else built here)

    Returns
    -------
    SteadyStateSolution
    """
    from .linear import solve_steady_state

    tol = config.STEADY_STATE_RESIDUAL if residual_tol is None else residual_tol
    bl = liouvillian if liouvillian is not None else build_block_liouvillian(hamiltonian, terms, excitation)
    lay = bl.layout
    x, rel, cond, info = solve_steady_state(bl, tol, method)
    rho = lay.to_dense(x)
    rho = 0.5 * (rho + rho.conj().T)
    rho /= np.trace(rho).real
    # A Lindblad generator with a unique steady state has a positive one. When the kernel of 𝓛 is
    # more than one-dimensional (a mode decoupled from every bath, e.g. a dark state of resonant
    # nodes), the factorisation can still return a trace-one kernel vector with a tiny residual
    # that is not a density matrix (measured: min eigenvalue −10.8 at residual 1e-17). Refuse it.
    lowest = min(float(np.linalg.eigvalsh(rho[s[0] : s[-1] + 1, s[0] : s[-1] + 1])[0]) for s in lay.sectors)
    info["lowest_eigenvalue"] = lowest
    if lowest < -config.POSITIVITY_TOL:
        raise ConvergenceError(
            f"the computed steady state is not positive (lowest eigenvalue {lowest:.2e}): the steady state "
            "is not unique — some mode of the network may be decoupled from every bath (e.g. a dark state of "
            "resonant nodes)"
        )
    structure = "q-diagonal blocks" if lay.blockwise else "full space"
    return SteadyStateSolution(rho, rel, lay.n, structure, cond, info)
