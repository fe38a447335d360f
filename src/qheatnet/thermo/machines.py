r"""Thermal machines: what a network with three or more baths does with the heat it exchanges.

Conventions (ħ = k_B = 1): J_α > 0 when heat flows from bath α into the
network; σ = −Σ_α J_α/T_α ≥ 0 (second law); at steady state with full
bookkeeping Σ_α J_α = 0 (first law; with bare bookkeeping the residual is the
power P = Σ_α J_α the network delivers: heat in minus heat out, d⟨H⟩/dt = Σ_α J_α − P = 0).

Roles. A bath *gives* heat when J_α > r, *takes* it when J_α < −r and is
*idle* otherwise, r being the current resolution (round-off of the gross
exchange; :func:`qheatnet.thermo.entropy.current_resolution`).

Modes, decided from the signs (baths sorted by temperature, T_c the coldest,
T_h the hottest):

``absorption refrigerator``
    The coldest bath gives heat, |P| ≤ r: heat is pumped out of it, driven by
    heat Q_in = Σ J_α from the other giving baths and dumped into the taking
    ones. Cooling power J_c, coefficient of performance COP = J_c / Q_in. With
    σ ≥ 0 and Σ J = 0, writing the driving and rejected heats as
    Q_in/T_in = Σ_{gives, α≠c} J_α/T_α and Q_out/T_out = Σ_{takes} |J_α|/T_α
    (the effective temperatures of the actual heat distribution),

    .. math:: \mathrm{COP} ≤ \mathrm{COP}_C = \frac{1/T_{out} − 1/T_{in}}{1/T_c − 1/T_{out}},

    which for three baths (c gives, h gives, r takes) is the Carnot COP of an
    absorption refrigerator, COP_C = T_c(T_h − T_r)/[T_h(T_r − T_c)].
``heat transformer``
    The hottest bath takes heat (|P| ≤ r): heat from intermediate baths is
    partly upgraded to T_h, the rest rejected colder. Efficiency
    η = |J_h| / Q_in, bound η ≤ (1/T_out − 1/T_in)/(1/T_out − 1/T_h) with the
    effective T_in (giving baths) and T_out (the other taking baths); for
    three baths (1 − T_c/T_m)/(1 − T_c/T_h).
``heat engine``
    P > r: the network delivers power (possible only with bare bookkeeping,
    where the couplings exchange work with the nodes). η = P / Q_in ≤
    1 − T_out/T_in (effective temperatures as above; ≤ 1 − T_c/T_h).
``work-driven refrigerator`` / ``heat pump``
    P < −r: power is consumed; if the coldest bath gives heat it is a
    refrigerator with COP = J_c/|P| ≤ T_c/(T_out − T_c), else a heat pump or
    dissipation of work.
``heat conductor``
    None of the above: heat only runs downhill.

Every bound is computed from the temperatures only (not from the currents'
second-law verdict), so COP ≤ COP_C is a test of the computed currents.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["machine_summary", "MACHINE_MODES", "absorption_carnot_cop"]

#: The modes :func:`machine_summary` reports.
MACHINE_MODES: tuple[str, ...] = (
    "absorption refrigerator",
    "heat transformer",
    "heat engine",
    "work-driven refrigerator",
    "heat pump",
    "heat conductor",
)


def absorption_carnot_cop(t_cold: float, t_room: float, t_hot: float) -> float:
    """COP_C = T_c(T_h − T_r)/[T_h(T_r − T_c)] of a three-bath absorption refrigerator (T_c < T_r < T_h).

    Derived from σ = −Σ J/T ≥ 0 and J_r = −(J_c + J_h): J_h(1/T_r − 1/T_h) ≥ J_c(1/T_c − 1/T_r).
    T_h = ∞ gives T_c/(T_r − T_c), the work-driven Carnot COP.
    """
    inv = _inv(t_hot)
    return (_inv(t_room) - inv) / (_inv(t_cold) - _inv(t_room))


def _inv(t: float) -> float:
    return math.inf if t == 0 else 1.0 / t


def _effective_inverse(items) -> float | None:
    """Σ Q_α/T_α / Σ Q_α for heats Q_α > 0 (the inverse effective temperature), None if no heat."""
    total = sum(q for q, _ in items)
    if total <= 0:
        return None
    return sum(q * _inv(t) for q, t in items) / total


def machine_summary(temperatures: dict[str, float], currents: dict[str, float], resolution: float) -> dict | None:
    """What a network with three or more baths does (module docstring); None for fewer baths.

    Parameters
    ----------
    temperatures, currents : bath name → T_α, J_α
    resolution : currents with |J| ≤ resolution count as zero

    Returns
    -------
    dict with ``mode``, ``roles`` (bath → "gives" | "takes" | "idle"), ``power`` (P = Σ J delivered), and,
    depending on the mode, ``cooled_bath``, ``cooling_power``, ``cop``, ``carnot_cop``, ``efficiency``,
    ``carnot_efficiency``, ``within_carnot`` (performance ≤ bound, to the resolution of the currents).
    """
    names = list(currents)
    if len(names) < 3:
        return None
    r = max(float(resolution), 0.0)
    roles = {n: ("gives" if currents[n] > r else "takes" if currents[n] < -r else "idle") for n in names}
    power = sum(currents.values())  # delivered: heat in minus heat out
    by_t = sorted(names, key=lambda n: temperatures[n])
    cold, hot = by_t[0], by_t[-1]
    out: dict[str, Any] = {"mode": "heat conductor", "roles": roles, "power": power}
    gives = [n for n in names if roles[n] == "gives"]
    takes = [n for n in names if roles[n] == "takes"]
    # a power below the resolution of the summed currents is zero
    p_res = r * len(names)
    if abs(power) <= p_res:
        if roles[cold] == "gives" and temperatures[cold] < temperatures[hot]:
            drive = [n for n in gives if n != cold]
            q_in = sum(currents[n] for n in drive)
            inv_in = _effective_inverse([(currents[n], temperatures[n]) for n in drive])
            inv_out = _effective_inverse([(-currents[n], temperatures[n]) for n in takes])
            cop = currents[cold] / q_in if q_in > 0 else math.inf
            bound = None
            if inv_in is not None and inv_out is not None:
                bound = (inv_out - inv_in) / (_inv(temperatures[cold]) - inv_out)
            out.update(mode="absorption refrigerator", cooled_bath=cold, cooling_power=currents[cold], cop=cop)
            out["carnot_cop"] = bound
            out["within_carnot"] = _within(currents[cold], q_in, bound, r)
            return out
        if roles[hot] == "takes" and temperatures[cold] < temperatures[hot]:
            q_in = sum(currents[n] for n in gives)
            inv_in = _effective_inverse([(currents[n], temperatures[n]) for n in gives])
            inv_out = _effective_inverse([(-currents[n], temperatures[n]) for n in takes if n != hot])
            eta = -currents[hot] / q_in if q_in > 0 else math.inf
            bound = None
            if inv_in is not None and inv_out is not None:
                bound = (inv_out - inv_in) / (inv_out - _inv(temperatures[hot]))
            out.update(mode="heat transformer", upgraded_bath=hot, efficiency=eta, carnot_efficiency=bound)
            out["within_carnot"] = _within(-currents[hot], q_in, bound, r)
        return out
    inv_in = _effective_inverse([(currents[n], temperatures[n]) for n in gives])
    inv_out = _effective_inverse([(-currents[n], temperatures[n]) for n in takes])
    if power > 0:
        q_in = sum(currents[n] for n in gives)
        bound = None if inv_in is None or inv_out is None else 1.0 - inv_in / inv_out
        out.update(mode="heat engine", efficiency=power / q_in if q_in > 0 else math.inf, carnot_efficiency=bound)
        out["within_carnot"] = _within(power, q_in, bound, r)
        return out
    if roles[cold] == "gives":
        t_out = 1.0 / inv_out if inv_out else math.inf
        bound = temperatures[cold] / (t_out - temperatures[cold]) if t_out > temperatures[cold] else math.inf
        out.update(
            mode="work-driven refrigerator",
            cooled_bath=cold,
            cooling_power=currents[cold],
            cop=currents[cold] / -power,
            carnot_cop=bound,
        )
        out["within_carnot"] = _within(currents[cold], -power, bound, r)
        return out
    out["mode"] = "heat pump"
    return out


def _within(useful: float, spent: float, bound: float | None, r: float) -> bool | None:
    """useful/spent ≤ bound, allowing the resolution r of each current (None without a bound)."""
    if bound is None or not math.isfinite(bound):
        return None if bound is None else True
    return useful - r <= bound * (spent + r)
