"""Bath spectra: the formulas of DESIGN.md, detailed balance, and overflow-safe limits.

DESIGN.md: ``flat`` γ(ω) = rate (eqs. 6–9 of Levy & Kosloff 2014);
``phonon3d`` γ(ω) = κω³/(1 − e^{−ω/T}) (eq. 15), absorption κω³ n(ω);
``ohmic`` J(ω) = κω e^{−ω/ω_c}; ``drude_lorentz`` J(ω) = κω ω_c²/(ω² + ω_c²);
absorption = γ(ω) e^{−ω/T} for every kind; T → 0 and T → ∞ are legal.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from qheatnet import DrudeLorentz, Flat, Ohmic, Phonon3D
from qheatnet.model.spectra import SPECTRUM_KINDS, boltzmann, bose, spectrum_from_dict

ALL = [Flat(0.03), Phonon3D(2e-3), Ohmic(0.05, 2.0), DrudeLorentz(0.05, 1.5)]
OMEGA = np.array([0.01, 0.3, 1.0, 4.0, 25.0])


def test_flat_rates():
    s = Flat(0.03)
    np.testing.assert_allclose(s.emission(OMEGA, 0.7), 0.03, rtol=0)
    np.testing.assert_allclose(s.absorption(OMEGA, 0.7), 0.03 * np.exp(-OMEGA / 0.7), rtol=1e-15)


def test_phonon3d_is_eq15():
    s = Phonon3D(2e-3)
    t = 0.8
    np.testing.assert_allclose(s.emission(OMEGA, t), 2e-3 * OMEGA**3 / (1 - np.exp(-OMEGA / t)), rtol=1e-13)
    np.testing.assert_allclose(s.absorption(OMEGA, t), 2e-3 * OMEGA**3 / (np.exp(OMEGA / t) - 1), rtol=1e-13)


@pytest.mark.parametrize(
    ("spec", "density"),
    [
        (Ohmic(0.05, 2.0), lambda w: 0.05 * w * np.exp(-w / 2.0)),
        (DrudeLorentz(0.05, 1.5), lambda w: 0.05 * w * 1.5**2 / (w**2 + 1.5**2)),
    ],
)
def test_ohmic_and_drude_lorentz_densities(spec, density):
    np.testing.assert_allclose(spec.spectral_density(OMEGA), density(OMEGA), rtol=1e-14)
    t = 0.6
    n = 1 / np.expm1(OMEGA / t)
    np.testing.assert_allclose(spec.emission(OMEGA, t), density(OMEGA) * (1 + n), rtol=1e-13)
    np.testing.assert_allclose(spec.absorption(OMEGA, t), density(OMEGA) * n, rtol=1e-13)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.kind)
@pytest.mark.parametrize("temperature", [0.05, 0.5, 3.0, 1e3])
def test_detailed_balance(spec, temperature):
    """absorption(ω)/emission(ω) = e^{−ω/T} for every kind (what makes the local node thermalise)."""
    ratio = spec.absorption(OMEGA, temperature) / spec.emission(OMEGA, temperature)
    np.testing.assert_allclose(ratio, np.exp(-OMEGA / temperature), rtol=1e-12)


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.kind)
def test_zero_and_huge_omega_over_T_are_finite_without_warnings(spec):
    """T = 0 (no absorption) and ω/T = 1e5 neither overflow nor warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(spec.absorption(OMEGA, 0.0) == 0)
        assert np.all(np.isfinite(spec.emission(OMEGA, 0.0)))
        np.testing.assert_allclose(spec.emission(OMEGA, 0.0), spec.spectral_density(OMEGA), rtol=1e-15)
        assert np.all(spec.absorption(OMEGA, 1e-5) >= 0)
        assert np.all(np.isfinite(spec.emission(OMEGA, 1e-5)))
        big_t = spec.emission(OMEGA, 1e12)  # classical limit: J(ω) T/ω for the J-based kinds
        assert np.all(np.isfinite(big_t))


def test_bose_and_boltzmann_are_overflow_safe():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bose(1000.0, 1.0) == 0.0
        assert bose(1.0, 0.0) == 0.0
        assert boltzmann(1.0, 0.0) == 0.0
        assert bose(1.0, 2.0) == pytest.approx(1 / np.expm1(0.5), rel=1e-15)
        assert bose(1e-3, 1e3) == pytest.approx(1 / np.expm1(1e-6), rel=1e-12)


def test_bohr_rate_signs():
    """G(ω) = γ(ω) for ω > 0 (emission), γ(|ω|)e^{−|ω|/T} for ω < 0, and the ω → 0 limit J'(0)T."""
    s = Ohmic(0.05, 2.0)
    t = 0.5
    assert s.bohr_rate(0.7, t) == pytest.approx(float(s.emission(0.7, t)), rel=1e-15)
    assert s.bohr_rate(-0.7, t) == pytest.approx(float(s.absorption(0.7, t)), rel=1e-15)
    assert s.bohr_rate(0.0, t) == pytest.approx(0.05 * t, rel=1e-15)
    assert s.bohr_rate(1e-9, t) == pytest.approx(0.05 * t, rel=1e-6)
    assert Phonon3D(1e-3).bohr_rate(0.0, t) == 0.0


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.kind)
def test_round_trip_through_dict(spec):
    d = spec.to_dict()
    assert d["kind"] == spec.kind
    assert spectrum_from_dict(d) == spec
    assert set(SPECTRUM_KINDS) >= {"flat", "phonon3d", "ohmic", "drude_lorentz"}


def test_rates_broadcast():
    s = Phonon3D(1e-3)
    out = s.emission(OMEGA[:, None], np.array([0.5, 1.0, 0.0])[None, :])
    assert out.shape == (len(OMEGA), 3)
