r"""Resonance-adapted, vectorised adaptive quadrature on [0, ∞) (kernel of :mod:`.exact`).

Mesh
    An integrand that is analytic in a neighbourhood of the real axis, with its nearest
    singularities at complex points s_j (here: the poles of the Green's function, their
    mirror images, the poles of the spectral densities and the Matsubara poles of the Bose
    factors), is integrated by Gauss–Kronrod on panels whose half-length H obeys
    H ≤ ``PANEL_RATIO`` · min_j |m − s_j| (m the panel centre). On such a panel the
    integrand is analytic inside the Bernstein ellipse of parameter ρ ≥ r + √(r² − 1),
    r = 1/``PANEL_RATIO``, so the 7-point Gauss rule converges like ρ^{−14} and the
    15-point Kronrod rule much faster (Trefethen, SIAM Rev. 50, 67 (2008)). The panels
    shrink geometrically towards each resonance down to its width and grow geometrically
    away from it: a peak of width γ at distance D from the next feature costs
    O(log(D/γ)) panels, whatever γ is, so narrow peaks never stall the integral.
    Beyond ``top`` the panels keep growing geometrically up to ``TAIL_FACTOR`` · top; the
    rest, [TAIL_FACTOR · top, ∞), is one panel in t = 1/ν.

Adaptivity
    The error of a panel is QUADPACK's estimate from |K15 − G7| (Piessens et al., QUADPACK,
    Springer 1983, routine qk15), a conservative bound on the K15 error for integrands
    analytic on the panel's ellipse. Panels with the
    largest errors are bisected until the sum of errors is below rtol times the size of
    each output group, or the point budget is exhausted. An error below the rounding level
    of the integrand (``NOISE_FACTOR`` · eps · condition · ∫|f|, condition supplied by the
    caller) is not refined further, and it is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError

__all__ = ["PanelSet", "march", "integrate_adaptive", "GK_NODES"]

#: Panel half-length / distance of the nearest singularity from the panel centre. 0.25
#: gives ρ ≥ 7.9 for a singularity on the axis (G7 error ≲ ρ^{−14} ≈ 3e-13 relative to the
#: integrand on the ellipse), so most panels pass the error test at rtol = 1e-10 at once.
PANEL_RATIO = 0.4
#: Smallest panel length relative to max(|ν|, scale): stops the geometric march at a
#: singularity on (or within rounding of) the real axis; below this the integrand is not
#: resolvable in double precision anyway.
PANEL_MIN_REL = 1e-13
#: Geometric growth of the panels beyond the last resonance is followed up to this
#: multiple of ``top``; the remainder is one panel in t = 1/ν.
TAIL_FACTOR = 2.0**50
#: Rounding level of an integrand evaluation: NOISE_FACTOR · eps · condition, condition =
#: ν / (distance to the nearest pole). Measured on the chain recursion (second differences of
#: the integrand over steps of one ulp in ν, at the peak of an impurity mode of half-width
#: 7e-8 ν and of a band-edge mode of half-width 3e-9 ν): 0.1–0.2 eps·ν/γ. A panel whose error
#: estimate is below this level times ∫|f| is not refined (refinement cannot help); a larger
#: factor would accept genuine quadrature errors as "rounding".
NOISE_FACTOR = 2.0
#: Refinement rounds before giving up (each round bisects the worst panels).
MAX_ROUNDS = 60

_XGK = np.array(
    [
        0.991455371120812639206854697526329,
        0.949107912342758524526189684047851,
        0.864864423359769072789712788640926,
        0.741531185599394439863864773280788,
        0.586087235467691130294144845693013,
        0.405845151377397166906606412076961,
        0.207784955007898467600689403773245,
        0.0,
    ]
)
_WGK = np.array(
    [
        0.022935322010529224963732008058970,
        0.063092092629978553290700663189204,
        0.104790010322250183839876322541518,
        0.140653259715525918745189590510238,
        0.169004726639267902826583426598550,
        0.190350578064785409913256402421014,
        0.204432940075298892414161999234649,
        0.209482141084727828012999174891714,
    ]
)
_WG = np.array(
    [0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975]
)
#: Kronrod nodes on [−1, 1] (15), Kronrod weights, and the embedded Gauss weights (0 off the Gauss nodes).
GK_NODES = np.concatenate([-_XGK[:-1], [0.0], _XGK[-2::-1]])
GK_WK = np.concatenate([_WGK[:-1], [_WGK[-1]], _WGK[-2::-1]])
GK_WG = np.zeros(15)
GK_WG[[1, 3, 5]] = _WG
GK_WG[7] = 0.417959183673469387755102040816327
GK_WG[[13, 11, 9]] = _WG


def march(lo: float, hi: float, sing: np.ndarray, scale: float, max_panels: int) -> np.ndarray:
    """Panel edges on [lo, hi] obeying the PANEL_RATIO criterion for singularities ``sing``.

    From the left end a, the next edge is a + L with L = 2H, H = PANEL_RATIO · d(a)/(1 + PANEL_RATIO)
    (then H ≤ PANEL_RATIO · d(m) at the centre m since d(m) ≥ d(a) − H), d the distance to the nearest
    singularity, and L ≥ PANEL_MIN_REL · max(a, scale).
    """
    sing = np.asarray(sing, complex)
    edges = [lo]
    a = lo
    k = 2.0 * PANEL_RATIO / (1.0 + PANEL_RATIO)
    while a < hi:
        d = float(np.min(np.abs(a - sing))) if sing.size else math.inf
        step = max(k * d, PANEL_MIN_REL * max(abs(a), scale))
        b = a + step
        if b >= hi or (hi - b) < 0.2 * step:
            b = hi
        edges.append(b)
        a = b
        if len(edges) > max_panels + 1:
            raise _TooMany(len(edges))
    return np.array(edges)


class _TooMany(Exception):
    pass


@dataclass
class PanelSet:
    """Panels [lo, hi] in a variable u, mapped to ν: kind 0 is ν = u, kind 1 is ν = top/u."""

    lo: np.ndarray
    hi: np.ndarray
    kind: np.ndarray
    top: float

    def nodes(self, idx):
        lo, hi, kind = self.lo[idx], self.hi[idx], self.kind[idx]
        mid, half = 0.5 * (lo + hi), 0.5 * (hi - lo)
        u = mid[:, None] + half[:, None] * GK_NODES[None, :]
        jac = np.broadcast_to(half[:, None], u.shape).copy()
        tail = kind == 1
        if np.any(tail):
            ut = u[tail]
            with np.errstate(divide="ignore"):
                nu_t = self.top / ut
            jac[tail] = jac[tail] * self.top / (ut * ut)
            u = u.copy()
            u[tail] = nu_t
        return u, jac  # ν at the nodes, and du-half-length × dν/du

    def split(self, idx):
        mid = 0.5 * (self.lo[idx] + self.hi[idx])
        keep = np.ones(self.lo.size, bool)
        keep[idx] = False
        self.lo = np.concatenate([self.lo[keep], self.lo[idx], mid])
        self.hi = np.concatenate([self.hi[keep], mid, self.hi[idx]])
        self.kind = np.concatenate([self.kind[keep], self.kind[idx], self.kind[idx]])
        return keep


def integrate_adaptive(
    panels: PanelSet,
    evaluate,
    groups,
    rtol: float,
    cond,
    max_points: int,
    chunk: int,
    progress=None,
    est_points: int | None = None,
    label: str = "frequency integral",
):
    """Adaptive K15/G7 integration of a vector integrand over the panel set.

    Parameters
    ----------
    evaluate : callable(ν (m,)) -> (m, n_out) real
    groups : list of index arrays into the outputs; the error of each group is measured relative
        to the largest |value| in the group.
    cond : callable(ν (m,)) -> (m,) condition number of the integrand evaluation (rounding level).
    max_points : budget of integrand evaluations; exceeding it raises ConvergenceError.

    Returns
    -------
    value (n_out,), error (n_out,) (quadrature + rounding, absolute), noise (n_out,), points used, panels
    """
    done = 0
    total_est = est_points or 15 * panels.lo.size
    ng = len(groups)
    eps = np.finfo(float).eps

    def run(idx):
        """Totals over panels ``idx`` of value, error, noise, excess, and per panel the largest excess per group.

        Only O(n_out) per block of panels is held (never panels × outputs), so that the populations of
        thousands of nodes can be integrated over 10⁵ frequency points.
        """
        nonlocal done
        sums = [None] * 4
        gmax = np.zeros((idx.size, ng))
        step = max(1, chunk // 15)
        for b0 in range(0, idx.size, step):
            blk = idx[b0 : b0 + step]
            nu, jac = panels.nodes(blk)
            out = evaluate(nu.ravel())
            done += out.shape[0]
            if progress is not None:
                progress(min(done / max(total_est, done + 1), 0.99), f"{label}: {done} frequency points")
            f = out.reshape(nu.shape + (out.shape[1],))
            f *= jac[:, :, None]
            k = np.einsum("pkj,k->pj", f, GK_WK)
            g = np.einsum("pkj,k->pj", f, GK_WG)
            # QUADPACK (qk15): err = resasc·min(1, (200 |K − G| / resasc)^1.5), resasc = ∫|f − mean f|
            resasc = np.einsum("pkj,k->pj", np.abs(f - 0.5 * k[:, None, :]), GK_WK)  # (f includes the Jacobian)
            diff = np.abs(k - g)
            with np.errstate(divide="ignore", invalid="ignore"):
                err = np.where(resasc > 0, resasc * np.minimum(1.0, (200.0 * diff / resasc) ** 1.5), diff)
            mid = 0.5 * (panels.lo[blk] + panels.hi[blk])
            mid_nu = np.where(panels.kind[blk] == 1, panels.top / np.maximum(mid, 1e-300), mid)
            a = np.einsum("pkj,k->pj", np.abs(f), GK_WK)
            noise = (NOISE_FACTOR * eps) * cond(mid_nu)[:, None] * a
            excess = np.maximum(err - noise, 0.0)
            for j, gi in enumerate(groups):
                if len(gi):
                    gmax[b0 : b0 + blk.size, j] = np.max(excess[:, gi], axis=1)
            for t, arr in enumerate((k, np.maximum(err, noise), noise, excess)):
                part = arr.sum(axis=0)
                sums[t] = part if sums[t] is None else sums[t] + part
        return sums, gmax

    (val, err, noise, exc), gmax = run(np.arange(panels.lo.size))
    for _round in range(MAX_ROUNDS + 1):
        scales = []
        ok = True
        for gi in groups:
            sc = float(np.max(np.abs(val[gi]))) if len(gi) else 0.0
            scales.append(sc if sc > 0 and np.isfinite(sc) else np.inf)
            if len(gi) and np.isfinite(scales[-1]) and float(np.max(exc[gi])) > rtol * scales[-1]:
                ok = False
        if ok:
            break
        if _round == MAX_ROUNDS or done >= max_points:
            worst = max(float(np.max(err[g])) / max(float(np.max(np.abs(val[g]))), 1e-300) for g in groups if len(g))
            raise ConvergenceError(
                f"the {label} did not reach rtol = {rtol:g} within {done} frequency points "
                f"(estimated relative error {worst:.2g}); raise rtol or max_seconds"
            )
        bad = np.max(gmax / np.array(scales)[None, :], axis=1)
        order = np.argsort(-bad)
        csum = np.cumsum(bad[order])
        target = bad.sum() - 0.5 * rtol
        n_mark = int(np.searchsorted(csum, target) + 1)
        n_mark = max(1, min(n_mark, int(np.count_nonzero(bad > 0))))
        mark = np.sort(order[:n_mark])
        (ov, oe, on, ox), _ = run(mark)  # the marked panels' contributions, recomputed, come out of the totals
        keep = panels.split(mark)
        total_est = max(total_est, done + 45 * n_mark)
        (nv, ne, nn, nx), ngmax = run(np.arange(panels.lo.size - 2 * n_mark, panels.lo.size))
        val, err, noise, exc = val - ov + nv, err - oe + ne, noise - on + nn, np.maximum(exc - ox + nx, 0.0)
        gmax = np.concatenate([gmax[keep], ngmax])
    return val, err, noise, done, panels
