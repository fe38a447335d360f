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

__all__ = ["bohr_tolerance", "cluster_frequencies", "damping"]


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


def damping(spectrum: Any, omega: Any, temperature: float) -> np.ndarray:
    """Net damping γ(ω)(1 − e^{−ω/T}) = J(ω) for ω > 0, without cancellation (T = 0 allowed)."""
    omega = np.asarray(omega, float)
    with np.errstate(divide="ignore"):
        x = np.where(temperature > 0, omega / max(temperature, 1e-300), np.inf)
    return np.asarray(spectrum.emission(omega, temperature) * -np.expm1(-x), dtype=float)
