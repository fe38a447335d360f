r"""Bath spectra: emission and absorption rates as functions of frequency.

Conventions (ħ = k_B = 1; frequencies, temperatures and rates share one unit)
-----------------------------------------------------------------------------
A bath at temperature ``T`` is described by its *emission rate* γ(ω), the
rate at which a transition of the network that lowers its energy by ω > 0
hands the quantum ω to the bath. Absorption at ω obeys detailed balance,

.. math:: γ_{abs}(ω) = γ(ω)\,e^{-ω/T}.

For the spectra derived from a temperature-independent *spectral density*
J(ω) (the emission rate at T = 0, i.e. 2π Σ_k g_k² δ(ω − ω_k) for a coupling
X ⊗ Σ_k g_k (b_k + b_k†)), γ(ω) = J(ω) (1 + n_T(ω)) and
γ_abs(ω) = J(ω) n_T(ω), with n_T the Bose occupation.

Available kinds (``spectrum = {kind = ..., ...}`` in a network file):

``flat``           γ(ω) = rate. The constant rate of eqs. 6–9 of Levy & Kosloff
                   (2014). Not derived from a fixed J(ω).
``phonon3d``       J(ω) = κ ω³, so γ(ω) = κ ω³ / (1 − e^{−ω/T}) (eq. 15).
``ohmic``          J(ω) = κ ω e^{−ω/ω_cut} (ohmic, exponential cut-off).
``drude_lorentz``  J(ω) = κ ω ω_cut² / (ω² + ω_cut²) (ohmic at low ω).

Every exponential is evaluated in an overflow-safe form: T = 0 (only
emission) and very large ω/T are legal and exact. The rates are
warning-free for every finite ω ≥ 0 and T ≥ 0: a rate whose true value
exceeds the float range is +inf (IEEE overflow), one below it is 0, and
where a direct product would give inf·0 (e.g. κω³ overflowing while
e^{−ω/T} underflows) the rate is recomputed in logarithms,
γ_abs = exp(ln J(ω) − ω/T − ln(1 − e^{−ω/T})), never NaN.

Numeric parameters accept Python and numpy real scalars (``np.float32``,
``np.int64``, ...), as the rest of :mod:`qheatnet.model` does; booleans are
refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ValidationError

__all__ = [
    "Spectrum",
    "Flat",
    "Phonon3D",
    "Ohmic",
    "DrudeLorentz",
    "SPECTRUM_KINDS",
    "spectrum_from_dict",
    "bose",
    "boltzmann",
]


def is_real_number(value: Any) -> bool:
    """True for Python and numpy real scalars (int, float, np.integer, np.floating), False for bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _ratio(omega, temperature):
    """ω/T with T = 0 mapped to +inf (for ω > 0) without warnings (overflow gives +inf)."""
    omega = np.asarray(omega, dtype=float)
    temperature = np.asarray(temperature, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(temperature > 0, omega / np.where(temperature > 0, temperature, 1.0), np.inf)
    return x


#: Below this x = ω/T, ln(1 − e^{−x}) is taken as ln ω − ln T − x/2 (error x²/24, far below
#: one ulp), so that it stays exact when ω/T underflows to 0.
_SMALL_X = 1e-8


def _log_one_minus_boltzmann(omega, temperature, x):
    """ln(1 − e^{−ω/T}) for ω > 0, also where x = ω/T under- or overflows."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        direct = np.log(-np.expm1(-x))
        series = np.log(omega) - np.log(np.asarray(temperature, dtype=float)) - 0.5 * x
    return np.where(x < _SMALL_X, series, direct)


def boltzmann(omega, temperature):
    """e^{−ω/T}, exact at T = 0 (gives 0 for ω > 0)."""
    return np.exp(-_ratio(omega, temperature))


def bose(omega, temperature):
    """Bose occupation n_T(ω) = 1/(e^{ω/T} − 1) for ω > 0, overflow-safe."""
    x = _ratio(omega, temperature)
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / np.expm1(x)


_TINY = np.finfo(float).tiny


def _needs_logs(omega, x, jw, out):
    """Where the direct rate J(ω)/(e^{±x} − 1) lost accuracy: redo those entries in logarithms.

    J(ω) or x = ω/T below the smallest normal float (underflow, subnormal
    precision), or a non-finite J or rate (overflow, inf·0).
    """
    return (omega > 0) & ~((jw >= _TINY) & (x >= _TINY) & np.isfinite(out) & np.isfinite(jw))


def _check_positive(kind: str, name: str, value: Any) -> float:
    if not is_real_number(value):
        raise ValidationError(f"spectrum.{name}", f"must be a number for kind '{kind}', got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValidationError(f"spectrum.{name}", f"must be finite and > 0 for kind '{kind}', got {value!r}")
    return v


@dataclass(frozen=True)
class Spectrum:
    """Base class of bath spectra. Subclasses define ``kind`` and J(ω)."""

    kind: ClassVar[str] = ""
    params: ClassVar[tuple[str, ...]] = ()

    # -- to be provided by subclasses ---------------------------------------
    def spectral_density(self, omega):
        """J(ω): emission rate at T = 0 (vectorised, ω ≥ 0)."""
        raise NotImplementedError

    def _low_frequency_slope(self) -> float:
        """lim_{ω→0} J(ω)/ω, used for the ω → 0 limit of the rates."""
        raise NotImplementedError

    def _log_spectral_density(self, omega):
        """ln J(ω) for ω > 0, used only where J(ω) itself over- or underflows."""
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return np.log(self.spectral_density(omega))

    # -- derived rates -------------------------------------------------------
    def _density(self, omega):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return self.spectral_density(omega)

    def _low_frequency_limit(self, temperature):
        with np.errstate(over="ignore"):
            return self._low_frequency_slope() * np.asarray(temperature, float)

    def _in_logs(self, omega, temperature, x, boltzmann_power: int):
        """exp(ln J − k x − ln(1 − e^{−x})), k = 0 (emission) or 1 (absorption): no inf·0."""
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            log_rate = self._log_spectral_density(omega) - _log_one_minus_boltzmann(omega, temperature, x)
            if boltzmann_power:
                log_rate = log_rate - x
            return np.exp(log_rate)

    def emission(self, omega, temperature):
        """γ(ω) = J(ω)(1 + n_T(ω)) for ω > 0; the ω → 0 limit J'(0) T at ω = 0."""
        omega = np.asarray(omega, dtype=float)
        x = _ratio(omega, temperature)
        jw = self._density(omega)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = jw / -np.expm1(-x)
        bad = _needs_logs(omega, x, jw, out)
        if bad.any():
            out = np.where(bad, self._in_logs(omega, temperature, x, 0), out)
        return np.where(omega > 0, out, self._low_frequency_limit(temperature))

    def absorption(self, omega, temperature):
        """γ(ω) e^{−ω/T} = J(ω) n_T(ω) for ω > 0; J'(0) T at ω = 0."""
        omega = np.asarray(omega, dtype=float)
        x = _ratio(omega, temperature)
        jw = self._density(omega)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = jw / np.expm1(x)
        bad = _needs_logs(omega, x, jw, out)
        if bad.any():
            out = np.where(bad, self._in_logs(omega, temperature, x, 1), out)
        return np.where(omega > 0, out, self._low_frequency_limit(temperature))

    def bohr_rate(self, omega, temperature):
        """Davies rate G(ω) for any real Bohr frequency ω.

        G(ω) = γ(ω) for ω > 0 (the network loses ω), G(ω) = γ(|ω|) e^{−|ω|/T}
        for ω < 0 (the network gains |ω|), and the ω → 0 limit at ω = 0.
        """
        omega = np.asarray(omega, dtype=float)
        w = np.abs(omega)
        return np.where(omega >= 0, self.emission(w, temperature), self.absorption(w, temperature))

    def to_dict(self) -> dict[str, Any]:
        """The TOML/JSON form ``{"kind": ..., param: value, ...}``."""
        return {"kind": self.kind, **{p: getattr(self, p) for p in self.params}}


@dataclass(frozen=True)
class Flat(Spectrum):
    """γ(ω) = ``rate`` at every ω (eqs. 6–9 of Levy & Kosloff 2014)."""

    rate: float = field(default=1.0)
    kind: ClassVar[str] = "flat"
    params: ClassVar[tuple[str, ...]] = ("rate",)

    def __post_init__(self):
        object.__setattr__(self, "rate", _check_positive(self.kind, "rate", self.rate))

    def spectral_density(self, omega):
        return np.full_like(np.asarray(omega, dtype=float), self.rate)

    def emission(self, omega, temperature):
        omega = np.asarray(omega, dtype=float)
        return np.broadcast_to(self.rate, np.broadcast_shapes(omega.shape, np.shape(temperature))).astype(float)

    def absorption(self, omega, temperature):
        return self.rate * boltzmann(omega, temperature)


@dataclass(frozen=True)
class Phonon3D(Spectrum):
    """J(ω) = κ ω³: γ(ω) = κ ω³/(1 − e^{−ω/T}) (eq. 15 of Levy & Kosloff 2014)."""

    kappa: float = 1.0
    kind: ClassVar[str] = "phonon3d"
    params: ClassVar[tuple[str, ...]] = ("kappa",)

    def __post_init__(self):
        object.__setattr__(self, "kappa", _check_positive(self.kind, "kappa", self.kappa))

    def spectral_density(self, omega):
        omega = np.asarray(omega, dtype=float)
        return self.kappa * omega**3

    def _log_spectral_density(self, omega):
        with np.errstate(divide="ignore"):
            return math.log(self.kappa) + 3 * np.log(np.asarray(omega, dtype=float))

    def _low_frequency_slope(self) -> float:
        return 0.0


@dataclass(frozen=True)
class _KappaCutoff(Spectrum):
    """Spectra with a strength κ and a cut-off frequency ω_cut (both > 0)."""

    kappa: float = 1.0
    cutoff: float = 1.0
    params: ClassVar[tuple[str, ...]] = ("kappa", "cutoff")

    def __post_init__(self):
        object.__setattr__(self, "kappa", _check_positive(self.kind, "kappa", self.kappa))
        object.__setattr__(self, "cutoff", _check_positive(self.kind, "cutoff", self.cutoff))

    def _low_frequency_slope(self) -> float:
        return self.kappa


@dataclass(frozen=True)
class Ohmic(_KappaCutoff):
    """J(ω) = κ ω e^{−ω/ω_cut} (ohmic with exponential cut-off)."""

    kind: ClassVar[str] = "ohmic"

    def spectral_density(self, omega):
        omega = np.asarray(omega, dtype=float)
        with np.errstate(over="ignore", under="ignore"):
            return self.kappa * (omega * np.exp(-omega / self.cutoff))

    def _log_spectral_density(self, omega):
        omega = np.asarray(omega, dtype=float)
        with np.errstate(divide="ignore", over="ignore"):
            return math.log(self.kappa) + np.log(omega) - omega / self.cutoff


@dataclass(frozen=True)
class DrudeLorentz(_KappaCutoff):
    """J(ω) = κ ω ω_cut²/(ω² + ω_cut²) (Drude–Lorentz, ohmic at low ω)."""

    kind: ClassVar[str] = "drude_lorentz"

    def spectral_density(self, omega):
        # κ ω/(1 + (ω/ω_c)²) below the cut-off, κ ω_c (ω_c/ω)/(1 + (ω_c/ω)²) above: no ω² overflow
        omega = np.asarray(omega, dtype=float)
        wc = self.cutoff
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            low = omega / (1 + (omega / wc) ** 2)
            high = wc * (wc / omega) / (1 + (wc / omega) ** 2)
            return self.kappa * np.where(omega <= wc, low, high)

    def _log_spectral_density(self, omega):
        omega = np.asarray(omega, dtype=float)
        wc = self.cutoff
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            big, small = np.maximum(omega, wc), np.minimum(omega, wc)
            # ln(ω ω_c²/(ω² + ω_c²)) = ln ω + 2 ln ω_c − 2 ln max − ln(1 + (min/max)²)
            return (
                math.log(self.kappa) + np.log(omega) + 2 * math.log(wc) - 2 * np.log(big) - np.log1p((small / big) ** 2)
            )


SPECTRUM_KINDS: dict[str, type[Spectrum]] = {cls.kind: cls for cls in (Flat, Phonon3D, Ohmic, DrudeLorentz)}


def spectrum_from_dict(data: Any, field_name: str = "spectrum") -> Spectrum:
    """Build a spectrum from ``{"kind": ..., <params>}``; errors name the field."""
    if isinstance(data, Spectrum):
        return data
    if not isinstance(data, dict):
        raise ValidationError(field_name, f'must be a table like {{kind = "flat", rate = 0.01}}, got {data!r}')
    kind = data.get("kind")
    if kind not in SPECTRUM_KINDS:
        allowed = ", ".join(repr(k) for k in SPECTRUM_KINDS)
        raise ValidationError(f"{field_name}.kind", f"must be one of {allowed}, got {kind!r}")
    cls = SPECTRUM_KINDS[kind]
    unknown = sorted(set(data) - {"kind", *cls.params})
    if unknown:
        raise ValidationError(
            f"{field_name}.{unknown[0]}",
            f"unknown parameter for kind '{kind}' (allowed: {', '.join(cls.params)})",
        )
    missing = [p for p in cls.params if p not in data]
    if missing:
        raise ValidationError(f"{field_name}.{missing[0]}", f"required for kind '{kind}'")
    try:
        return cls(**{p: data[p] for p in cls.params})
    except ValidationError as exc:  # re-prefix with the full field path
        raise ValidationError(f"{field_name}.{exc.field.split('.', 1)[1]}", str(exc).split(": ", 1)[1]) from None
