"""Issue 13, items 3 and 4 (model part): numbers, names, extreme values in qheatnet.model.

* Item 3: spectra refused ``np.float32`` ("must be a number") while Node took
  it; every number field of the model now accepts Python and numpy real
  scalars alike and refuses bool.
* Item 4: a node name with a newline gave a two-line error (names with
  control or invisible characters are refused); ``strength = 1e300`` gave four
  warnings and a misleading error (refused against the node frequencies:
  MAX_COUPLING_RATIO); T = 1e300 and other extreme but finite inputs made the
  spectra warn (they are warning-free and never NaN for finite input, checked
  against mpmath here).
"""

from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pytest

from qheatnet import Bath, Coupling, DrudeLorentz, Flat, Network, Node, Ohmic, Phonon3D, ValidationError
from qheatnet.model.network import MAX_COUPLING_RATIO, MAX_NODES
from qheatnet.model.spectra import spectrum_from_dict

NUMPY_SCALARS = [np.float32(0.5), np.float64(0.5), np.float16(0.5), np.int64(2), np.int32(2), np.uint8(2), 2, 0.5]


@pytest.mark.parametrize("value", NUMPY_SCALARS, ids=lambda v: type(v).__name__)
def test_model_accepts_numpy_scalars_everywhere(value):
    v = float(value)
    spectra = [Flat(value), Phonon3D(value), Ohmic(value, value), DrudeLorentz(kappa=value, cutoff=value)]
    spectra.append(spectrum_from_dict({"kind": "ohmic", "kappa": value, "cutoff": value}))
    for s in spectra:
        assert all(type(getattr(s, p)) is float and getattr(s, p) == v for p in s.params)
    node = Node(np.str_("A"), np.str_("qubit"), value)
    assert type(node.frequency) is float and type(node.name) is str
    coupling = Coupling((np.str_("A"), "B"), value)
    bath = Bath("hot", "A", value, spectra[0])
    assert coupling.strength == v and bath.temperature == v
    net = Network([node, Node("B", "qubit", 1.0)], [coupling], [bath])
    assert Network.from_dict(net.to_dict()) == net  # plain floats and strings in the mapping


@pytest.mark.parametrize("value", [True, np.bool_(True), "1.0", None, 1j, [1.0]], ids=repr)
def test_model_refuses_non_numbers_the_same_way_everywhere(value):
    makers = {
        "spectrum.rate": lambda: Flat(value),
        "spectrum.kappa": lambda: Phonon3D(value),
        "frequency": lambda: Node("A", "qubit", value),
        "strength": lambda: Coupling(("A", "B"), value),
        "temperature": lambda: Bath("hot", "A", value, Flat(0.1)),
    }
    for field, make in makers.items():
        with pytest.raises(ValidationError, match=rf"^{field}: must be a number"):
            make()


@pytest.mark.parametrize("bad", ["A\nB", "A\rB", "\x1b[31mA", "A\u2028B", "A\u200bB", "A\x00", "\tA"], ids=repr)
def test_names_with_control_characters_are_refused(bad):
    with pytest.raises(ValidationError, match=r"^name: must not contain control or invisible characters") as info:
        Node(bad, "qubit", 1.0)
    assert "\n" not in str(info.value) and "\r" not in str(info.value)
    with pytest.raises(ValidationError, match=r"^nodes\[0\]\.name: must not contain"):
        Network.from_dict({"nodes": [{"name": bad, "kind": "qubit", "frequency": 1.0}]})
    for make in (lambda: Bath(bad, "A", 1.0, Flat(0.1)), lambda: Bath("b", bad, 1.0, Flat(0.1))):
        with pytest.raises(ValidationError, match="must not contain control or invisible characters"):
            make()
    with pytest.raises(ValidationError, match=r"^nodes: must not contain"):
        Coupling(("A", bad), 0.1)
    # ordinary Unicode names are fine
    assert Node("Ω_hot-1 é", "qubit", 1.0).name == "Ω_hot-1 é"


def test_coupling_strength_1e300_is_refused_against_the_node_frequencies():
    nodes = [Node("A", "oscillator", 8.0), Node("B", "oscillator", 5.0)]
    baths = [Bath("hot", "A", 12.0, Phonon3D(1e-7)), Bath("cold", "B", 3.0, Phonon3D(1e-7))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for strength in (1e300, -1e300, MAX_COUPLING_RATIO * 8.0 * (1 + 1e-12)):
            with pytest.raises(
                ValidationError, match=r"^couplings\[0\]\.strength: \|ε\| = .* exceeds 1000 × the larger"
            ):
                Network(nodes, [Coupling(("A", "B"), strength)], baths)
        # at the bound and in the strong-coupling regime: accepted
        for strength in (MAX_COUPLING_RATIO * 8.0, 3.0, -0.5):
            Network(nodes, [Coupling(("A", "B"), strength)], baths)


def test_bath_whose_rate_overflows_at_its_node_is_refused():
    nodes = [Node("A", "oscillator", 1e300)]
    with pytest.raises(ValidationError, match=r"^baths\[0\]\.spectrum: the emission rate .* overflows"):
        Network(nodes, [], [Bath("hot", "A", 1.0, Phonon3D(1.0))])  # κω³ = 1e900
    Network(nodes, [], [Bath("hot", "A", 1.0, Flat(0.1))])  # a flat rate at the same node is fine


def test_network_reader_caps_the_number_of_nodes():
    data = {"nodes": [{"name": f"n{i}", "kind": "qubit", "frequency": 1.0} for i in range(MAX_NODES + 1)]}
    with pytest.raises(ValidationError, match=rf"^nodes: {MAX_NODES + 1} entries; at most MAX_NODES = {MAX_NODES}"):
        Network.from_dict(data)


# --- spectra: warning-free, never NaN, right (mpmath) for every finite input ---------------------

MAXF = float(np.finfo(float).max)
OMEGAS = [1e-310, 1e-300, 1e-110, 1e-10, 1.0, 1e10, 1e110, 1e300, MAXF]
TEMPERATURES = [0.0, 1e-310, 1e-300, 1e-10, 1.0, 1e10, 1e300, MAXF]
SPECTRA = [
    Flat(1e-3),
    Flat(1e300),
    Phonon3D(1e-7),
    Phonon3D(1e300),
    Phonon3D(1e-300),
    Ohmic(1e-3, 10.0),
    Ohmic(1e300, 1e-300),
    DrudeLorentz(1e-3, 10.0),
    DrudeLorentz(1e300, 1e300),
    DrudeLorentz(1e-300, 1e-300),
]
#: The rates are exp of a logarithm where the direct product over- or underflows: exp(y) with
#: |y| ≤ ~710 carries ~|y| ulps; measured worst 2.6e-13 over this grid.
SPECTRUM_RTOL = 1e-12
TINY = float(np.finfo(float).tiny)


def _mp_exp_minus(y):
    """e^{−y}; 0 for y > 1e6 (< 10^−434000, which no product of float inputs lifts into the float
    range, and mpmath is slow on such exponents)."""
    return mp.mpf(0) if y > 1e6 else mp.exp(-y)


def _mp_rate(s, w, t, absorb: bool):
    with mp.workdps(40):
        w, t = mp.mpf(w), mp.mpf(t)
        if s.kind == "flat":
            em = mp.mpf(s.rate)
            return em * (0 if t == 0 else _mp_exp_minus(w / t)) if absorb else em
        if s.kind == "phonon3d":
            j = mp.mpf(s.kappa) * w**3
        elif s.kind == "ohmic":
            j = mp.mpf(s.kappa) * w * _mp_exp_minus(w / mp.mpf(s.cutoff))
        else:
            c = mp.mpf(s.cutoff)
            j = mp.mpf(s.kappa) * w * c**2 / (w**2 + c**2)
        if t == 0:
            return mp.mpf(0) if absorb else j
        x = w / t
        if absorb:  # J e^{−x}/(1 − e^{−x})
            return j * _mp_exp_minus(x) / -mp.expm1(-x) if x <= 1e6 else mp.mpf(0)
        return j / -mp.expm1(-x)


@pytest.mark.parametrize("spectrum", SPECTRA, ids=repr)
def test_spectra_are_warning_free_and_right_for_any_finite_input(spectrum):
    w, t = np.meshgrid(OMEGAS, TEMPERATURES, indexing="ij")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (overflow, invalid, divide) fails the test
        rates = {
            False: spectrum.emission(w, t),
            True: spectrum.absorption(w, t),
        }
        bohr = spectrum.bohr_rate(-w, t)
        at_zero = spectrum.emission(0.0, np.array(TEMPERATURES))
    np.testing.assert_array_equal(bohr, rates[True])
    # ω = 0: the limit J'(0)·T (ohmic-type spectra), +inf where that exceeds the float range
    slope = {"flat": None, "phonon3d": 0.0}.get(spectrum.kind, getattr(spectrum, "kappa", None))
    if slope is not None:
        expected = [
            min(float(mp.mpf(slope) * mp.mpf(t)), np.inf) if mp.mpf(slope) * t <= MAXF else np.inf for t in TEMPERATURES
        ]
        np.testing.assert_allclose(at_zero, expected, rtol=1e-15)
    for absorb, values in rates.items():
        assert not np.isnan(values).any()
        for (i, j), value in np.ndenumerate(values):
            ref = _mp_rate(spectrum, w[i, j], t[i, j], absorb)
            where = (
                f"{'absorption' if absorb else 'emission'}(ω = {w[i, j]:g}, T = {t[i, j]:g}) = {value!r}, mpmath {ref}"
            )
            if ref > MAXF:
                assert value == np.inf, where
            elif ref < TINY:  # subnormal or zero: absolute agreement
                assert abs(value - float(ref)) <= 1e-320, where
            else:
                assert float(abs((mp.mpf(value) - ref) / ref)) < SPECTRUM_RTOL, where
