r"""Columns of the retarded Green's function of a damped oscillator network, batched over frequency.

Kernel of :mod:`qheatnet.solvers.exact` (arrays in, arrays out; no validation).

With q = i p the equations of motion of the network with bath self-energies Σ_u(ν) on the
bath sites u read, in the frequency domain,

.. math:: M(ν) \begin{pmatrix} x \\ q \end{pmatrix} = \begin{pmatrix} ξ \\ 0 \end{pmatrix},\qquad
          M(ν) = \begin{pmatrix} h + Σ(ν) & -ν \\ -ν & h \end{pmatrix},

(first row: ṗ = −(h + Σ) x + ξ with ẋ = h p; second row: p = −iν h⁻¹ x, i.e. q = ν h⁻¹ x).
M is complex symmetric. Its x-block inverse is G(ν) = [h − ν² h⁻¹ + Σ(ν)]⁻¹, and the
q-rows of the same solve give Q = ν h⁻¹ G, so that P = −i Q (the momentum response) comes
for free. Only the columns at the bath sites are ever needed (the noise enters there).

Two evaluators:

``ChainGreen``
    Networks whose coupling graph is a set of paths (chains). In path order M is block
    tridiagonal with 2 × 2 blocks; block Gaussian elimination without pivoting (the
    recursive Green's function method: a matrix continued fraction) costs O(N) per
    frequency and is vectorised over frequencies. It keeps relative accuracy of the
    exponentially small amplitudes of localised modes (the back substitution in an
    evanescent region is a product of ratios), which the narrow-resonance treatment relies
    on. Backward stability is checked against dense solves in the tests.
``DenseGreen``
    Any graph: batched dense solves of the N × N x-form, O(N³) per frequency.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ChainGreen", "DenseGreen", "make_green", "path_order"]


def path_order(h: np.ndarray):
    """Node order along paths if every connected component of h's graph is a path, else None.

    Returns (order, links) with ``order`` a permutation of the nodes and ``links[i]`` the
    coupling between ``order[i]`` and ``order[i + 1]`` (0 between components).
    """
    n = h.shape[0]
    off = h - np.diag(np.diag(h))
    nbrs = [np.flatnonzero(off[i]) for i in range(n)]
    if any(len(x) > 2 for x in nbrs):
        return None
    seen = np.zeros(n, bool)
    order = []
    for start in range(n):
        if seen[start] or len(nbrs[start]) == 2:
            continue
        prev, cur = -1, start
        while cur != -1 and not seen[cur]:
            seen[cur] = True
            order.append(cur)
            nxt = [j for j in nbrs[cur] if j != prev]
            prev, cur = cur, (int(nxt[0]) if nxt else -1)
    if not seen.all():  # a cycle (every node of the component has two neighbours)
        return None
    path = np.array(order, dtype=int)
    links = np.array([off[path[i], path[i + 1]] for i in range(n - 1)], dtype=float)
    return path, links


class ChainGreen:
    """Block-tridiagonal (2 × 2 blocks) solves of M(ν) for path graphs; see module docstring."""

    kind = "chain"

    def __init__(
        self, h: np.ndarray, sites: np.ndarray, order: np.ndarray, links: np.ndarray, links_p: np.ndarray | None = None
    ):
        self.n = h.shape[0]
        self.order = order
        self.pos = np.empty(self.n, int)
        self.pos[order] = np.arange(self.n)
        self.a = np.diag(h)[order].astype(float)
        self.t = links
        # (x, p) form ½xᵀVx + ½pᵀWp with V ≠ W off the diagonal (dipole couplings): the couplings between
        # consecutive 2 × 2 blocks are diag(t_x, t_p) with t_x = ``links`` (V) and t_p = ``links_p`` (W)
        self.tp = links if links_p is None else np.asarray(links_p, dtype=float)
        self.sites = np.asarray(sites, int)  # unique bath sites (original indices), columns of the result
        self._ws: dict = {}

    def work_per_point(self, rows: str) -> float:
        """Elementary (vectorised) operations per frequency point, for the cost estimate."""
        r = len(self.sites)
        return self.n * (14.0 + 10.0 * r + (8.0 * r + 4.0 if rows == "diag" else 0.0))

    def memory_per_point(self, rows: str) -> float:
        """Bytes held per frequency point of a chunk."""
        r = len(self.sites)
        per = self.n * (3 + 2 * r) * 16.0
        if rows == "all":
            per += self.n * 2 * r * 16.0
        if rows == "diag":
            per += self.n * 2 * 8.0
        return per

    def columns(self, nu, sigma, rows="bath", rhs=None, weights=None):
        """x and q rows of M(ν)⁻¹ at the bath-site columns (or for a given right-hand side).

        Parameters
        ----------
        nu : (n,) frequencies (real; complex for inverse iteration at a complex pole)
        sigma : (n, n_sites) self-energies Σ_u(ν) at the unique bath sites
        rows : "bath" (x rows at bath sites only) or "all"
        rhs : optional (2N, r) or (n, 2N, r) right-hand sides (x rows then q rows, original order)
            instead of unit vectors at the bath-site x rows.
        weights : optional (n, r) real weights w_u; then rows="diag" returns, instead of the
            full rows, Σ_u w_u |X_iu|² and Σ_u w_u |Q_iu|² for every node i (the populations'
            integrand) without storing the N × r rows.

        Returns
        -------
        X, Q : (n, n_rows, r) complex (Q is None for rows="bath"); for rows="diag":
            X_SS (n, n_sites, r), DX (n, N), DQ (n, N)
        """
        nu = np.asarray(nu)
        n, nn = nu.size, self.n
        a, t, tp, pos = self.a, self.t, self.tp, self.pos
        sig_at = {int(pos[s]): sigma[:, k] for k, s in enumerate(self.sites)}
        if rhs is None:
            r = len(self.sites)
            rhs_at = {}
            for k, s in enumerate(self.sites):
                rhs_at.setdefault(int(pos[s]), []).append((k, 0, 1.0))
            first = min(rhs_at)
        else:  # (2N, r) or per frequency (n, 2N, r)
            rhs = np.asarray(rhs, complex)
            if rhs.ndim == 2:
                rhs = np.broadcast_to(rhs, (n,) + rhs.shape)
            r = rhs.shape[2]
            rhs_at = {}
            for i in range(nn):
                ent = [(k, 0, rhs[:, self.order[i], k]) for k in range(r) if np.any(rhs[:, self.order[i], k])]
                ent += [
                    (k, 1, rhs[:, nn + self.order[i], k]) for k in range(r) if np.any(rhs[:, nn + self.order[i], k])
                ]
                if ent:
                    rhs_at[i] = ent
            first = min(rhs_at) if rhs_at else 0
        key = (n, r)
        if self._ws.get("key") != key:  # workspace reused across calls (fresh pages cost as much as the work)
            self._ws = {"key": key, "inv": np.empty((nn, 3, n), complex), "ys": np.empty((nn, 2, r, n), complex)}
        inv = self._ws["inv"]  # D_i⁻¹ = [[p0, p1], [p1, p2]] (complex symmetric)
        ys = self._ws["ys"]
        ys[:first] = 0.0
        d = np.empty((3, n), complex)
        cur = np.zeros((2, r, n), complex)
        tmp = np.empty((2, r, n), complex)
        det = np.empty(n, complex)
        mnu = -nu
        for i in range(nn):
            d[0] = a[i]
            d[1] = mnu
            d[2] = a[i]
            if i in sig_at:
                d[0] += sig_at[i]
            if i > 0 and (t[i - 1] != 0.0 or tp[i - 1] != 0.0):
                tx_, tq_ = t[i - 1], tp[i - 1]
                d[0] -= (tx_ * tx_) * inv[i - 1, 0]
                d[1] -= (tx_ * tq_) * inv[i - 1, 1]
                d[2] -= (tq_ * tq_) * inv[i - 1, 2]
                if i > first:
                    p = inv[i - 1]
                    np.multiply(p[0], cur[0], out=tmp[0])
                    tmp[0] += p[1] * cur[1]
                    np.multiply(p[1], cur[0], out=tmp[1])
                    tmp[1] += p[2] * cur[1]
                    np.multiply(tmp[0], -tx_, out=cur[0])
                    np.multiply(tmp[1], -tq_, out=cur[1])
            elif i > 0:
                cur[...] = 0.0
            for k, comp, val in rhs_at.get(i, ()):
                cur[comp, k] += val
            np.multiply(d[0], d[2], out=det)
            det -= d[1] * d[1]
            np.divide(d[2], det, out=inv[i, 0])
            np.divide(d[1], det, out=inv[i, 1])
            np.negative(inv[i, 1], out=inv[i, 1])
            np.divide(d[0], det, out=inv[i, 2])
            if i >= first:
                ys[i] = cur
        diag = rows == "diag"
        if rows in ("bath", "diag"):
            want_pos = pos[self.sites]
        else:
            want_pos = np.arange(nn)
        slot = {int(p): k for k, p in enumerate(want_pos)}
        out = np.empty((2, r, len(want_pos), n), complex)
        nxt = np.zeros((2, r, n), complex)
        v = np.empty((2, r, n), complex)
        stop = 0 if diag else int(want_pos.min())
        if diag:
            wt = np.ascontiguousarray(np.asarray(weights, float).T)  # (r, n)
            dx = np.empty((nn, n))
            dq = np.empty((nn, n))
            sq = np.empty((2, r, n))
            sq2 = np.empty((2, r, n, 2))
        for i in range(nn - 1, stop - 1, -1):
            if i < nn - 1 and (t[i] != 0.0 or tp[i] != 0.0):
                np.multiply(nxt[0], -t[i], out=v[0])
                np.multiply(nxt[1], -tp[i], out=v[1])
                v += ys[i]
            else:
                v[...] = ys[i]
            p = inv[i]
            np.multiply(p[0], v[0], out=nxt[0])
            nxt[0] += p[1] * v[1]
            np.multiply(p[1], v[0], out=nxt[1])
            nxt[1] += p[2] * v[1]
            k = slot.get(i)
            if k is not None:
                out[:, :, k] = nxt
            if diag:
                np.square(nxt.view(np.float64).reshape(2, r, n, 2), out=sq2)
                np.add(sq2[..., 0], sq2[..., 1], out=sq)
                sq *= wt[None]
                np.sum(sq[0], axis=0, out=dx[i])
                np.sum(sq[1], axis=0, out=dq[i])
        out = np.transpose(out, (0, 3, 2, 1))  # (2, n, rows, r)
        if rows == "bath":
            return out[0], None
        if diag:
            return out[0], dx[self.pos].T, dq[self.pos].T
        back = self.pos  # rows in original node order
        return out[0][:, back], out[1][:, back]


class DenseGreen:
    """Batched dense solves of the x-form G(ν) = [h − ν² h⁻¹ + Σ(ν)]⁻¹ (any graph); with ``w`` the (x, p) form
    G(ν) = [V − ν² W⁻¹ + Σ(ν)]⁻¹ (h = V, hinv = W⁻¹)."""

    kind = "dense"

    def __init__(self, h: np.ndarray, sites: np.ndarray, hinv: np.ndarray, w: np.ndarray | None = None):
        self.n = h.shape[0]
        self.h = h  # V, the position form (h for swap couplings)
        self.w = h if w is None else w  # W, the momentum form; ``hinv`` is W⁻¹
        self.hinv = hinv
        self.sites = np.asarray(sites, int)

    def work_per_point(self, rows: str) -> float:
        n, r = self.n, len(self.sites)
        return 8.0 / 3.0 * n**3 + 8.0 * n * n * r + 4.0 * n * n

    def memory_per_point(self, rows: str) -> float:
        return 2.0 * self.n * self.n * 16.0

    def columns(self, nu, sigma, rows="bath", rhs=None, weights=None):
        """As :meth:`ChainGreen.columns`."""
        nu = np.asarray(nu)
        n, nn = nu.size, self.n
        if rhs is not None:  # general right-hand sides (inverse iteration), (2N, r) or (n, 2N, r)
            rhs = np.asarray(rhs, complex)
            if rhs.ndim == 2:
                rhs = np.broadcast_to(rhs, (n,) + rhs.shape)
            out = []
            for k in range(n):
                m = np.zeros((2 * nn, 2 * nn), complex)
                m[:nn, :nn] = self.h
                m[nn:, nn:] = self.w
                m[:nn, nn:] = -nu[k] * np.eye(nn)
                m[nn:, :nn] = -nu[k] * np.eye(nn)
                m[self.sites, self.sites] += sigma[k]
                out.append(np.linalg.solve(m, rhs[k]))
            out = np.array(out)
            return out[:, :nn], out[:, nn:]
        d = np.empty((n, nn, nn), complex)
        d[:] = self.h
        d -= (nu * nu)[:, None, None] * self.hinv[None]
        d[:, self.sites, self.sites] += sigma
        b = np.zeros((nn, len(self.sites)), complex)
        b[self.sites, np.arange(len(self.sites))] = 1.0
        x = np.linalg.solve(d, np.broadcast_to(b, (n, nn, len(self.sites))))
        if rows == "bath":
            return x[:, self.sites], None
        q = nu[:, None, None] * np.einsum("ij,njk->nik", self.hinv, x)
        if rows == "diag":
            w = np.asarray(weights, float)[:, None, :]
            return x[:, self.sites], np.sum(np.abs(x) ** 2 * w, axis=2), np.sum(np.abs(q) ** 2 * w, axis=2)
        return x, q


def make_green(h: np.ndarray, sites: np.ndarray, hinv: np.ndarray | None = None):
    """The fastest applicable evaluator: ChainGreen for path graphs, else DenseGreen."""
    po = path_order(h)
    if po is not None:
        return ChainGreen(h, sites, *po)
    if hinv is None:
        hinv = np.linalg.inv(h)
    return DenseGreen(h, sites, hinv)
