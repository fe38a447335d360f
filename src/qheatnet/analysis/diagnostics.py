"""Validity diagnostics: where a master equation is out of its depth.

Each diagnostic is a code (stable, for scripts), a severity ("info",
"warning") and a message a person can act on.

Codes
-----
SECOND_LAW_VIOLATED
    σ < 0 beyond the tolerance.
CURRENT_AT_EQUAL_TEMPERATURE
    All baths at one temperature yet heat flows (Novotný, EPL 59, 648 (2002);
    discussed in Levy & Kosloff 2014 after eq. 9).
LOCAL_STRONG_COUPLING
    Local approach with |ε| not small compared with the node frequencies.
LOCAL_DETUNED_NODES
    Local approach with coupled nodes detuned by much more than the
    dissipation rates: the currents between them are unreliable (Levy &
    Kosloff 2014, Figs. 3–4; Hofer et al., NJP 19, 123037 (2017)).
SECULAR_APPROXIMATION_DOUBTFUL
    Global approach with distinct Bohr frequencies closer than
    ``SECULAR_RATIO`` dissipation rates (near resonance).
UNBOUNDED_HAMILTONIAN
    Oscillator network without a ground state (local approach; the global
    one refuses it).
FOCK_TRUNCATION
    The oscillator Fock cut-off used and its estimated effect.
SLOW_NORMAL_MODE
    Gaussian engine: a normal mode whose decay rate is below numerical
    resolution (localised or bath-dark); its population is reported as NaN.
POPULATIONS_PARTIAL
    Gaussian engine on very long chains: populations only for bath nodes.
CURRENT_AT_ROUND_OFF
    Qubit engines: the currents are within 1e3 of their round-off resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import config
from ..physics.davies import lowest_oscillator_mode

__all__ = ["Diagnostic", "DIAGNOSTIC_CODES", "NUMERICAL_CODES", "coupling_diagnostics", "outcome_diagnostics"]

#: Every code a result may carry, in a fixed order (sweep datasets use it as their ``diagnostic`` axis).
DIAGNOSTIC_CODES: tuple[str, ...] = (
    "SECOND_LAW_VIOLATED",
    "CURRENT_AT_EQUAL_TEMPERATURE",
    "LOCAL_STRONG_COUPLING",
    "LOCAL_DETUNED_NODES",
    "SECULAR_APPROXIMATION_DOUBTFUL",
    "UNBOUNDED_HAMILTONIAN",
    "FOCK_TRUNCATION",
    "SLOW_NORMAL_MODE",
    "POPULATIONS_PARTIAL",
    "CURRENT_AT_ROUND_OFF",
)
#: Codes that describe how a particular engine obtained its numbers (truncation, round-off, unresolved
#: modes), not the physics; two correct engines may legitimately differ in these.
NUMERICAL_CODES: frozenset[str] = frozenset(
    {"FOCK_TRUNCATION", "SLOW_NORMAL_MODE", "POPULATIONS_PARTIAL", "CURRENT_AT_ROUND_OFF"}
)


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    message: str

    def to_dict(self):
        return {"code": self.code, "severity": self.severity, "message": self.message}


def _count(items) -> str:
    return "1 coupling" if len(items) == 1 else f"{len(items)} couplings"


def coupling_diagnostics(network, approach: str, info: dict) -> list[Diagnostic]:
    """Diagnostics that follow from the network and the generator alone."""
    out: list[Diagnostic] = []
    lowest = lowest_oscillator_mode(network)
    if lowest is not None and approach == "local":
        out.append(
            Diagnostic(
                "UNBOUNDED_HAMILTONIAN",
                "warning",
                f"lowest oscillator normal-mode frequency is {lowest:.4g} ≤ 0: the network Hamiltonian has "
                "no ground state, so its thermodynamics is undefined; the local steady state is a numerical "
                "artefact",
            )
        )
    if approach == "local":
        rates = info.get("node_rates", np.zeros(len(network.nodes)))
        rate_scale = float(np.max(rates)) if len(rates) else 0.0
        strong, detuned = [], []  # (measure, label): one diagnostic per code, naming the worst coupling
        for c in network.couplings:
            i, j = network.node_index(c.nodes[0]), network.node_index(c.nodes[1])
            wi, wj = network.nodes[i].frequency, network.nodes[j].frequency
            ratio = abs(c.strength) / min(wi, wj)
            if ratio > config.LOCAL_COUPLING_RATIO:
                strong.append((ratio, c.label))
            detuning = abs(wi - wj)
            if c.strength != 0 and detuning > config.LOCAL_DETUNING_RATIO * rate_scale:
                detuned.append((detuning, c.label))
        if strong:
            ratio, label = max(strong)
            out.append(
                Diagnostic(
                    "LOCAL_STRONG_COUPLING",
                    "warning",
                    f"{_count(strong)} with |ε|/min(ω) > {config.LOCAL_COUPLING_RATIO:g} (largest: {label}, "
                    f"{ratio:.3g}); the local master equation assumes the coupling does not change the bath "
                    "transitions",
                )
            )
        if detuned:
            detuning, label = max(detuned)
            out.append(
                Diagnostic(
                    "LOCAL_DETUNED_NODES",
                    "warning",
                    f"{_count(detuned)} joining nodes detuned by more than {config.LOCAL_DETUNING_RATIO:g}× the "
                    f"largest dissipation rate ({rate_scale:.3g}; largest detuning: {label}, {detuning:.4g}); "
                    "heat currents through them are unreliable in the local approach (Levy & Kosloff 2014, "
                    "Figs. 3–4) — compare with --approach global",
                )
            )
    if approach == "global":
        gap, rate = info.get("min_bohr_gap", np.inf), info.get("max_rate", 0.0)
        if np.isfinite(gap) and gap < config.SECULAR_RATIO * rate:
            out.append(
                Diagnostic(
                    "SECULAR_APPROXIMATION_DOUBTFUL",
                    "warning",
                    f"two Bohr frequencies of a bath coupling are {gap:.3g} apart, less than "
                    f"{config.SECULAR_RATIO:g}× the dissipation rate {rate:.3g}: the secular approximation behind "
                    "the global master equation fails near resonance (Levy & Kosloff 2014, Fig. 4 inset) — "
                    "compare with --approach local",
                )
            )
    return out


def outcome_diagnostics(
    network, currents: dict, second_law: str, sigma: float, tolerance: float, throughput: float
) -> list[Diagnostic]:
    """Diagnostics that follow from the computed currents.

    ``throughput`` is the gross energy exchange Σ_k r_k |ω_k| ⟨J_k†J_k⟩ with
    the baths, against which a net current counts as zero.
    """
    out: list[Diagnostic] = []
    if second_law == "violated":
        out.append(
            Diagnostic(
                "SECOND_LAW_VIOLATED",
                "warning",
                f"entropy production σ = {sigma:.6g} < 0 (tolerance {tolerance:.2g}): heat flows against the "
                "temperature gradient; this master equation is not thermodynamically consistent here",
            )
        )
    temps = {b.temperature for b in network.baths}
    js = np.array(list(currents.values()), dtype=float)
    if len(temps) == 1 and len(js) > 1:
        if np.max(np.abs(js)) > config.ZERO_CURRENT_RTOL * throughput:
            out.append(
                Diagnostic(
                    "CURRENT_AT_EQUAL_TEMPERATURE",
                    "warning",
                    f"all baths are at T = {next(iter(temps)):g} yet a heat current of {np.max(np.abs(js)):.4g} "
                    "flows between them (Novotný 2002; Levy & Kosloff 2014 after eq. 9)",
                )
            )
    return out
