"""Exact NEGF reference (Dhar 2008; Hofer et al. 2017) against the master
equations in their regimes of validity.

Tolerances: the master equations are the leading order in the system–bath
coupling κ; their relative error is O(κ/ω) plus, for the local one,
O(ε²/detuning²)-type corrections. With κ = 1e-4 the observed errors are
~2e-5; the bounds below (1e-3) leave a margin of 50 and the κ-scaling test
checks that the error does shrink with κ.
"""

import numpy as np
import pytest
from click.testing import CliRunner

from qheatnet import Bath, DrudeLorentz, Flat, ModelError, Network, Node, Ohmic, Phonon3D, solve
from qheatnet.cli.main import cli
from qheatnet.model.spectra import bose
from qheatnet.solvers.exact import susceptibility_shift


def rel(a, b):
    return abs(a / b - 1)


@pytest.mark.parametrize("spectrum", [DrudeLorentz(1e-4, 5.0), Ohmic(1e-4, 5.0)], ids=lambda s: s.kind)
def test_exact_tends_to_global_for_detuned_nodes(spectrum):
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 2.0, 1.0, spectrum)
    ex, gl, lo = solve(net, "exact"), solve(net, "global"), solve(net, "local")
    assert ex.engine == "gaussian"
    assert rel(gl.heat_currents["hot"], ex.heat_currents["hot"]) < 1e-3
    assert rel(lo.heat_currents["hot"], ex.heat_currents["hot"]) > 0.1  # the local ME is off here
    for node in "AB":
        assert rel(gl.populations[node], ex.populations[node]) < 1e-4
    assert abs(ex.first_law_residual) <= 1e-12 * abs(ex.heat_currents["hot"])


def test_exact_tends_to_local_for_weak_internode_coupling():
    """Resonant nodes, ε ≪ κ: the secular approximation fails, the local ME is right."""
    net = Network.two_node("oscillator", 1.0, 1.0, 1e-6, 2.0, 1.0, DrudeLorentz(1e-4, 5.0))
    ex, gl, lo = solve(net, "exact"), solve(net, "global"), solve(net, "local")
    assert rel(lo.heat_currents["hot"], ex.heat_currents["hot"]) < 1e-3
    assert rel(gl.heat_currents["hot"], ex.heat_currents["hot"]) > 10


def test_error_of_global_shrinks_with_bath_coupling():
    errs = []
    for kappa in (1e-3, 1e-4):
        net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 2.0, 1.0, DrudeLorentz(kappa, 5.0))
        errs.append(rel(solve(net, "global").heat_currents["hot"], solve(net, "exact").heat_currents["hot"]))
    assert errs[1] < errs[0] / 5


def test_equal_temperatures_give_no_current_and_near_thermal_populations():
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 1.5, 1.5, Ohmic(1e-4, 5.0))
    ex = solve(net, "exact")
    assert abs(ex.heat_currents["hot"]) < 1e-14
    gl = solve(net, "global")
    for node in "AB":
        assert ex.populations[node] == pytest.approx(gl.populations[node], rel=1e-4)


def test_single_oscillator_two_baths_matches_master_equation():
    net = Network(
        [Node("A", "oscillator", 1.0)],
        [],
        [Bath("h", "A", 2.0, DrudeLorentz(1e-4, 4.0)), Bath("c", "A", 0.5, DrudeLorentz(2e-4, 4.0))],
    )
    ex, gl = solve(net, "exact"), solve(net, "global")
    assert rel(gl.heat_currents["h"], ex.heat_currents["h"]) < 1e-3
    # covariance is symmetric and physical: V + iΩ/2 ≥ 0, diagonal ⟨n⟩ + 1/2
    v = ex.extra["covariance"]
    assert np.allclose(v, v.T)
    omega = np.array([[0, 1], [-1, 0]])
    assert np.min(np.linalg.eigvalsh(v + 0.5j * omega)) > -1e-12
    nbar = (1e-4 * bose(1.0, 2.0) + 2e-4 * bose(1.0, 0.5)) / 3e-4
    assert ex.populations["A"] == pytest.approx(nbar, rel=1e-3)


def test_ohmic_susceptibility_matches_kramers_kronig_numerically():
    """Re Δχ from the exponential-integral closed form against a direct principal-value integral."""
    from scipy import integrate

    spec = Ohmic(0.3, 2.0)
    nu = 1.3
    # Re χ(ν) = −(1/π) P∫ J(ω) ω/(ω² − ν²) dω, via the weight='cauchy' quadrature of ω J(ω)/(ω + ν)
    pv = integrate.quad(lambda w: w * spec.spectral_density(w) / (w + nu), 0, 60, weight="cauchy", wvar=nu)[0]
    re_chi = -pv / np.pi
    re_chi0 = -0.3 * 2.0 / np.pi
    assert complex(susceptibility_shift(spec, nu)).real == pytest.approx(re_chi - re_chi0, rel=1e-7)
    assert complex(susceptibility_shift(spec, nu)).imag == pytest.approx(-0.5 * spec.spectral_density(nu))


@pytest.mark.parametrize("spectrum", [Flat(0.01), Phonon3D(1e-3)], ids=lambda s: s.kind)
def test_exact_refuses_spectra_without_cutoff(spectrum):
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 2.0, 1.0, spectrum)
    with pytest.raises(ModelError, match="cut-off"):
        solve(net, "exact")


def test_exact_refuses_unbounded_hamiltonian_and_bare_bookkeeping():
    with pytest.raises(ModelError, match="ground state"):
        solve(Network.two_node("oscillator", 1.0, 0.8, 0.95, 2.0, 1.0, Ohmic(1e-4, 5.0)), "exact")
    with pytest.raises(ModelError, match="full"):
        solve(Network.two_node("oscillator", 1.0, 0.8, 0.05, 2.0, 1.0, Ohmic(1e-4, 5.0)), "exact", bookkeeping="bare")


def test_exact_refuses_qubits():
    net = Network.two_node("qubit", 1.0, 0.8, 0.05, 2.0, 1.0, Ohmic(1e-4, 5.0))
    with pytest.raises(ModelError, match="no engine"):
        solve(net, "exact")


def test_cli_solve_exact_json(tmp_path):
    import json

    path = tmp_path / "net.toml"
    path.write_text(
        "\n".join(
            [
                '[[nodes]]\nname = "A"\nkind = "oscillator"\nfrequency = 1.0',
                '[[nodes]]\nname = "B"\nkind = "oscillator"\nfrequency = 0.8',
                '[[couplings]]\nnodes = ["A", "B"]\nstrength = 0.05',
                '[[baths]]\nname = "hot"\nnode = "A"\ntemperature = 2.0\nspectrum = { kind = "ohmic", kappa = 1e-4, cutoff = 5.0 }',
                '[[baths]]\nname = "cold"\nnode = "B"\ntemperature = 1.0\nspectrum = { kind = "ohmic", kappa = 1e-4, cutoff = 5.0 }',
            ]
        )
    )
    out = CliRunner().invoke(cli, ["solve", str(path), "--approach", "exact", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["approach"] == "exact" and data["engine"] == "gaussian"
    assert data["heat_currents"]["hot"] > 0


def test_chain_example_exact_agrees_with_global():
    """examples/oscillator-chain-8.toml: detuning 0.02 ≫ κ = 1e-3, so global ≈ exact and local is off."""
    from qheatnet.io.network_file import load_network

    net = load_network("examples/oscillator-chain-8.toml")
    ex, gl, lo = (solve(net, a) for a in ("exact", "global", "local"))
    assert rel(gl.heat_currents["hot"], ex.heat_currents["hot"]) < 1e-3
    assert rel(lo.heat_currents["hot"], ex.heat_currents["hot"]) > 0.05
    for i in range(8):
        assert rel(gl.populations[f"n{i}"], ex.populations[f"n{i}"]) < 1e-3
