"""Validity diagnostics: where a master equation is out of its depth.

Each diagnostic is a code (a :class:`DiagnosticCode`, stable, for scripts),
a severity ("info", "warning") and a message a person can act on. The codes
and what each means are listed, with references, in :class:`DiagnosticCode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from .. import config

__all__ = [
    "Diagnostic",
    "DiagnosticCode",
    "DIAGNOSTIC_CODES",
    "NUMERICAL_CODES",
    "coupling_diagnostics",
    "outcome_diagnostics",
]


class DiagnosticCode(str, Enum):
    """Every code a result may carry, in a fixed order (sweep datasets use it as their ``diagnostic`` axis).

    Members compare equal to their names as plain strings (``code == "SECOND_LAW_VIOLATED"``); each has a
    docstring (``DiagnosticCode.X.__doc__``) and a flag ``numerical``: True for codes that describe how an
    engine obtained its numbers (truncation, round-off, unresolved modes), not the physics — two correct
    engines may legitimately differ in these.
    """

    numerical: bool

    def __new__(cls, name: str, doc: str, numerical: bool = False) -> DiagnosticCode:
        obj = str.__new__(cls, name)
        obj._value_ = name
        obj.__doc__ = doc
        obj.numerical = numerical
        return obj

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(self, spec)

    SECOND_LAW_VIOLATED = (
        "SECOND_LAW_VIOLATED",
        "σ < 0 beyond the tolerance: heat flows against the temperature gradient.",
    )
    CURRENT_AT_EQUAL_TEMPERATURE = (
        "CURRENT_AT_EQUAL_TEMPERATURE",
        "All baths at one temperature yet heat flows (Novotný, EPL 59, 648 (2002); discussed in Levy & "
        "Kosloff, EPL 107, 20004 (2014) after eq. 9).",
    )
    LOCAL_STRONG_COUPLING = (
        "LOCAL_STRONG_COUPLING",
        "Local approach with |ε| not small compared with the node frequencies.",
    )
    LOCAL_DETUNED_NODES = (
        "LOCAL_DETUNED_NODES",
        "Local approach with coupled nodes detuned by much more than the dissipation rates: the currents "
        "between them are unreliable (Levy & Kosloff 2014, Figs. 3–4; Hofer et al., NJP 19, 123037 (2017)).",
    )
    SECULAR_APPROXIMATION_DOUBTFUL = (
        "SECULAR_APPROXIMATION_DOUBTFUL",
        "Global approach with distinct Bohr frequencies closer than SECULAR_RATIO dissipation rates (near "
        "resonance; Levy & Kosloff 2014, Fig. 4 inset).",
    )
    REDFIELD_NOT_POSITIVE = (
        "REDFIELD_NOT_POSITIVE",
        "Redfield steady state with a negative eigenvalue beyond round-off (Redfield is not completely "
        "positive; for oscillators: a covariance violating the uncertainty relation).",
    )
    BORN_MARKOV_DOUBTFUL = (
        "BORN_MARKOV_DOUBTFUL",
        "A master equation with dissipation rates not small compared with the node frequencies, the bath "
        "cut-off or the thermal frequency πT: the Born–Markov derivation behind every master equation fails "
        "(use the exact or HEOM reference).",
    )
    UNBOUNDED_HAMILTONIAN = (
        "UNBOUNDED_HAMILTONIAN",
        "Oscillator network without a ground state (local approach; the global one refuses it): its "
        "thermodynamics is undefined.",
    )
    FOCK_TRUNCATION = (
        "FOCK_TRUNCATION",
        "The oscillator Fock cut-off used and its estimated effect on the results.",
        True,
    )
    SLOW_NORMAL_MODE = (
        "SLOW_NORMAL_MODE",
        "Gaussian engine: a normal mode whose decay rate is below numerical resolution (localised or "
        "bath-dark); its population is reported as NaN.",
        True,
    )
    POPULATIONS_PARTIAL = (
        "POPULATIONS_PARTIAL",
        "Gaussian engine on very long chains: populations only for bath nodes.",
        True,
    )
    CURRENT_AT_ROUND_OFF = (
        "CURRENT_AT_ROUND_OFF",
        "The currents are within ROUND_OFF_FACTOR of their round-off resolution: their relative error may exceed 1e-3.",
        True,
    )
    ILL_CONDITIONED_STEADY_STATE = (
        "ILL_CONDITIONED_STEADY_STATE",
        "The steady-state equations are ill-conditioned (condition number κ above ILL_CONDITIONED_CONDITION: a "
        "mode relaxes very slowly compared with the generator's scale); the state is resolved to about κ·ε "
        "relative although its residual is small.",
        True,
    )
    UNIFIED_CLUSTERS_REFINED = (
        "UNIFIED_CLUSTERS_REFINED",
        "Unified approach: the clustering threshold was lowered to find a consistent modified Hamiltonian H̃.",
        True,
    )
    HEOM_TRUNCATION = (
        "HEOM_TRUNCATION",
        "HEOM reference: the hierarchy depth and expansion terms used, and the estimated error of the currents "
        "(the last change of the convergence loop); a warning when it exceeds the tolerance or ρ is not positive.",
        True,
    )
    EXACT_ACCURACY = (
        "EXACT_ACCURACY",
        "Exact (NEGF) reference: a note of the frequency integration (an error above the requested tolerance, "
        "a mode relaxing below the resolution of the integral).",
        True,
    )
    ENGINE_FALLBACK = (
        "ENGINE_FALLBACK",
        "engine='auto' chose an engine that refused this network at run time (e.g. the rate equation with "
        "coupled degenerate levels); the next applicable engine produced the result.",
        True,
    )


#: The codes in their fixed order (as strings, for datasets and JSON).
DIAGNOSTIC_CODES: tuple[str, ...] = tuple(c.name for c in DiagnosticCode)
#: Codes that describe the numerics of an engine, not the physics (see :class:`DiagnosticCode`).
NUMERICAL_CODES: frozenset[str] = frozenset(c.name for c in DiagnosticCode if c.numerical)


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a result: ``code`` (a :class:`DiagnosticCode`), ``severity``, ``message``."""

    code: DiagnosticCode | str  # a DiagnosticCode after construction (a name is converted)
    severity: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", DiagnosticCode[str(self.code)])
        if self.severity not in ("info", "warning"):
            raise ValueError(f"severity must be 'info' or 'warning', got {self.severity!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "severity": self.severity, "message": self.message}


def _count(items) -> str:
    return "1 coupling" if len(items) == 1 else f"{len(items)} couplings"


def born_markov_diagnostic(network) -> list[Diagnostic]:
    """BORN_MARKOV_DOUBTFUL when a bath's rate at its node is not small against the scales of the bath.

    A master equation replaces the bath by rates evaluated at the transition frequencies; this needs
    the rates (the linewidths) small compared with every frequency scale on which they vary: the node
    frequency ω (J(ω) ∝ ω at low ω), the spectral cut-off ω_cut (ohmic, Drude–Lorentz) and the
    temperature T (n(ω) varies on the scale T). The diagnostic fires when the total relaxation rate
    γ(ω)(1 + e^{−ω/T}) of a node exceeds BORN_MARKOV_RATIO × min(ω, ω_cut, T) (T only when T > 0).
    """
    worst = None
    for bath in network.baths:
        node = network.nodes[network.node_index(bath.node)]
        w = node.frequency
        rate = float(bath.spectrum.emission(w, bath.temperature) + bath.spectrum.absorption(w, bath.temperature))
        scales = {"ω": w}
        cut = getattr(bath.spectrum, "cutoff", None)
        if cut is not None:
            scales["ω_cut"] = float(cut)
        if bath.temperature > 0:
            scales["T"] = bath.temperature
        name, scale = min(scales.items(), key=lambda kv: kv[1])
        ratio = rate / scale
        if ratio > config.BORN_MARKOV_RATIO and (worst is None or ratio > worst[0]):
            worst = (ratio, bath.name, rate, name, scale)
    if worst is None:
        return []
    ratio, bname, rate, name, scale = worst
    return [
        Diagnostic(
            "BORN_MARKOV_DOUBTFUL",
            "warning",
            f"bath {bname!r} relaxes its node at rate {rate:.3g}, {ratio:.3g}× the scale {name} = {scale:.3g} on which "
            f"the bath's rates vary (threshold {config.BORN_MARKOV_RATIO:g}): the Born–Markov approximation behind "
            "every master equation is doubtful here — use --approach exact (oscillators) or heom (qubits)",
        )
    ]


def coupling_diagnostics(network, approach: str, info) -> list[Diagnostic]:
    """Diagnostics that follow from the network and the generator alone (``info``: a ValidityInfo)."""
    from ..physics.davies import lowest_oscillator_mode

    out: list[Diagnostic] = []
    if approach in ("local", "global", "unified", "redfield"):
        out += born_markov_diagnostic(network)
    # other coupling kinds: a network without a ground state is refused (qheatnet.physics.quadratic_xp)
    # only the local approach reports it (the others refused such a network before): the test is skipped otherwise
    lowest = lowest_oscillator_mode(network) if network.swap_only and approach == "local" else None
    if lowest is not None:
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
        rates = info.node_rates if info.node_rates is not None else np.zeros(len(network.nodes))
        rate_scale = float(np.max(rates)) if len(rates) else 0.0
        strong, detuned = [], []  # (measure, label): one diagnostic per code, naming the worst coupling
        freqs = {n.name: n.frequency for n in network.nodes}
        for c in network.couplings:
            ratio = abs(c.strength) / min(freqs[x] for x in c.nodes)
            if ratio > config.LOCAL_COUPLING_RATIO:
                strong.append((ratio, c.label))
            detuning = c.detuning(freqs)  # |ω_i − ω_j| for a swap; the smallest mismatch of any term
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
        if info.secular is not None:
            margin, gap, rate = info.secular
            doubtful = margin < config.SECULAR_RATIO
            detail = (
                f"two Bohr frequencies of a bath coupling are {gap:.3g} apart, only {margin:.3g}× the geometric mean "
                f"{rate:.3g} of the rates at which that bath drives them (threshold {config.SECULAR_RATIO:g})"
            )
        else:  # builders without the weighted measure: the nearest distinct pair against the largest rate
            gap, rate = info.min_bohr_gap, info.max_rate
            doubtful = bool(np.isfinite(gap) and gap < config.SECULAR_RATIO * rate)
            detail = (
                f"two Bohr frequencies of a bath coupling are {gap:.3g} apart, less than "
                f"{config.SECULAR_RATIO:g}× the dissipation rate {rate:.3g}"
            )
        if doubtful:
            out.append(
                Diagnostic(
                    "SECULAR_APPROXIMATION_DOUBTFUL",
                    "warning",
                    f"{detail}: the secular approximation behind the global master equation fails near resonance "
                    "(Levy & Kosloff 2014, Fig. 4 inset) — compare with --approach unified",
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
