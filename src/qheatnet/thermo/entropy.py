r"""Entropy production and the second-law verdict.

* σ = −Σ_α J_α / T_α (steady state). A bath at T = 0 contributes ±∞ when its
  current exceeds the resolution of a computed current, nothing otherwise.
* The second law holds when σ ≥ −tol with
  tol = SECOND_LAW_RTOL · Σ_α |J_α|/T_α + r · Σ_α 1/T_α, r the absolute
  resolution of a computed current (:func:`current_resolution`).
* First-law residual: Σ_α J_α. With full bookkeeping it vanishes at the
  exact steady state (Tr[−i[H, ρ] H] = 0), so it measures the accuracy of
  the solution. With bare bookkeeping it also contains the power
  Tr[ρ i[H_S, H_0]] exchanged through the couplings and need not vanish.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .. import config

__all__ = ["entropy_production", "second_law_verdict", "current_resolution"]


def entropy_production(currents: Iterable[float], temperatures: Iterable[float], resolution: float = 0.0) -> float:
    """σ = −Σ_α J_α / T_α.

    A bath at T = 0 contributes ±inf if its current exceeds ``resolution``
    (the absolute round-off of a computed current) and nothing otherwise.
    """
    sigma = 0.0
    for j, t in zip(currents, temperatures):
        if t > 0:
            sigma -= j / t
        elif abs(j) > resolution:
            sigma -= np.inf if j > 0 else -np.inf
    return float(sigma)


def second_law_verdict(
    sigma: float, currents, temperatures, rtol: float | None = None, resolution: float = 0.0
) -> tuple[str, float]:
    """("satisfied" | "violated", tolerance) for entropy production ``sigma``.

    tolerance = rtol · Σ_α |J_α|/T_α + resolution · Σ_α 1/T_α, where
    ``resolution`` is the absolute round-off of a computed current (a
    current below it has no meaningful sign, e.g. the exact zero current
    between baths at one temperature).
    """
    rtol = config.SECOND_LAW_RTOL if rtol is None else rtol
    scale = sum(abs(j) / t for j, t in zip(currents, temperatures) if t > 0)
    tol = rtol * scale + resolution * sum(1.0 / t for t in temperatures if t > 0)
    return ("satisfied" if sigma >= -tol else "violated"), float(tol)


def current_resolution(gross_exchange: float, currents: Iterable[float], bookkeeping: str) -> float:
    """Absolute round-off of the computed heat currents, measured where possible.

    With full bookkeeping Σ_α J_α vanishes exactly at steady state, so its computed value is a direct
    sample of the round-off in the currents (for one bath it is the current itself); the resolution is
    twice that, and never below SECOND_LAW_RESOLUTION_RTOL × gross exchange (a few ulps). With bare
    bookkeeping Σ_α J_α is physical, and only the floor is used.
    """
    floor = config.SECOND_LAW_RESOLUTION_RTOL * gross_exchange
    if bookkeeping != "full":
        return floor
    return max(floor, 2.0 * abs(float(sum(currents))))
