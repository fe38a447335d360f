r"""Bath rates at Bohr frequencies, and which Bohr frequencies count as one.

Every generator builder (local, Davies, for every representation) takes its
rates from here, so that the rules below hold everywhere:

* A bath at temperature T with emission-rate spectrum γ(ω) (see
  :mod:`qheatnet.model.spectra`) gives a transition that lowers the network's
  energy by ω > 0 the rate G(ω) = γ(ω), the reverse one G(−ω) = γ(ω) e^{−ω/T}
  (detailed balance), and a zero Bohr frequency the ω → 0 limit G(0)
  (:meth:`~qheatnet.model.spectra.Spectrum.bohr_rate`).
* The net damping γ(ω)(1 − e^{−ω/T}) (emission minus absorption), which the
  quadratic (oscillator) equations need, is computed without cancellation
  (:func:`damping`).
* Bohr frequencies equal up to the round-off of a diagonalisation,
  ``BOHR_ATOL + BOHR_RTOL · max|E|`` (:func:`bohr_tolerance`, constants in
  :mod:`qheatnet.config`), are one frequency; close but distinct ones are
  not merged (the secular-approximation diagnostic reports them).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config

__all__ = ["bohr_tolerance", "cluster_frequencies", "damping", "secular_margin"]


def bohr_tolerance(values: Any) -> float:
    """Two Bohr frequencies closer than this are one: BOHR_ATOL + BOHR_RTOL · max|values|.

    ``values`` are the eigen-energies (or normal-mode frequencies) whose differences are compared; an
    empty array gives the absolute part only.
    """
    arr = np.asarray(values, dtype=float)
    scale = float(np.max(np.abs(arr))) if arr.size else 0.0
    return config.BOHR_ATOL + config.BOHR_RTOL * scale


def cluster_frequencies(omegas: np.ndarray, tol: float) -> np.ndarray:
    """Label each frequency by its cluster: sorted, split where consecutive gaps exceed ``tol``."""
    omegas = np.asarray(omegas, dtype=float)
    order = np.argsort(omegas, kind="stable")
    labels = np.empty(len(omegas), dtype=np.int64)
    if len(omegas):
        labels[order] = np.concatenate([[0], np.cumsum(np.diff(omegas[order]) > tol)])
    return labels


def secular_margin(omegas: Any, weights: Any, tol: float) -> tuple[float, float, float]:
    r"""How well the Bohr frequencies of one bath coupling are resolved: (margin, gap, rate) of the worst pair.

    The secular approximation drops the Redfield cross terms between the components X(ω) and X(ω') of
    one coupling operator; their size relative to the splitting is √(r(ω) r(ω')) / |ω − ω'|, with
    r(ω) the dissipation rate of the transitions at ω (rate × largest |X_e|² per quantum). So for the
    distinct frequencies ω ≥ 0 (equal within ``tol`` merged, keeping the largest weight) the margin
    is min over neighbours of |ω' − ω| / √(r r'); the global approach is doubtful when it is below
    SECULAR_RATIO. Only pairs that the same coupling operator connects count, and each is weighed
    by how strongly the bath actually drives it (a transition the bath barely touches needs no
    coherence with a bright neighbour).

    Returns (inf, inf, 0) with fewer than two distinct frequencies.
    """
    w = np.asarray(omegas, dtype=float)
    r = np.asarray(weights, dtype=float)
    keep = (w >= -tol) & (r > 0)
    w, r = np.abs(w[keep]), r[keep]
    if len(w) < 2:
        return float("inf"), float("inf"), 0.0
    order = np.argsort(w, kind="stable")
    w, r = w[order], r[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(w) > tol) + 1])
    wg = w[starts]
    rg = np.maximum.reduceat(r, starts)
    if len(wg) < 2:
        return float("inf"), float("inf"), 0.0
    gaps = np.diff(wg)
    mean = np.sqrt(rg[:-1]) * np.sqrt(rg[1:])  # not √(r r'): the product of two large rates may overflow
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mean > 0, gaps / mean, np.inf)
    k = int(np.argmin(ratio))
    return float(ratio[k]), float(gaps[k]), float(mean[k])


def damping(spectrum: Any, omega: Any, temperature: float) -> np.ndarray:
    """Net damping γ(ω)(1 − e^{−ω/T}) = J(ω) for ω > 0, without cancellation (T = 0 allowed)."""
    omega = np.asarray(omega, float)
    with np.errstate(divide="ignore"):
        x = np.where(temperature > 0, omega / max(temperature, 1e-300), np.inf)
    return np.asarray(spectrum.emission(omega, temperature) * -np.expm1(-x), dtype=float)
