"""Appendix C of Levy & Kosloff (2014): covariance matrix, eq. 17 correlations, separability.

Claims reproduced: (i) V^local has the printed structure with ⟨X⟩/2 and
∓⟨Y⟩/2 off the diagonal (X, Y of eq. 8, here from the closed form); (ii)
cor(x_A, p_B) and cor(p_A, x_B) vanish at steady state in the global
approach but not in the local one; (iii) cor(x_A, x_B) = cor(p_A, p_B) agree
between the approaches for small ε; (iv) no approach produces entanglement
(Simon's criterion, log-negativity 0). Parameters: Fig. 4 of the paper
(ω_c = 5, T_h = 12, T_c = 10, ε = 1e-3, κ = 1e-7) and hotter/stronger variants.
"""

import numpy as np
import pytest
from click.testing import CliRunner

from qheatnet import Bath, Coupling, Network, Node, Ohmic, Phonon3D, local_closed_form, solve
from qheatnet.cli.main import cli
from qheatnet.errors import ModelError
from qheatnet.thermo.covariance import (
    correlations,
    covariance,
    covariance_from_correlation,
    is_separable,
    log_negativity,
    pair_covariance,
    pt_symplectic_eigenvalue,
    simon_invariant,
    symplectic_eigenvalues,
)

FIG4 = [(8.0, 5.0, 1e-3, 12.0, 10.0), (5.5, 5.0, 1e-3, 12.0, 10.0), (8.0, 5.0, 0.5, 30.0, 1.0)]


@pytest.mark.parametrize("params", FIG4)
def test_local_covariance_has_the_printed_structure(params):
    spec = Phonon3D(1e-7)
    v = covariance(solve(Network.two_node("oscillator", *params, spec), "local"))
    cf = local_closed_form("oscillator", *params, spec)
    x, y = float(cf["X"]), float(cf["Y"])
    assert v[0, 0] == pytest.approx(float(cf["n_A"]) + 0.5, rel=1e-12)
    assert v[1, 1] == pytest.approx(float(cf["n_A"]) + 0.5, rel=1e-12)
    assert v[0, 1] == 0.0 and v[2, 3] == 0.0
    assert v[0, 2] == pytest.approx(x / 2, rel=1e-9) and v[1, 3] == pytest.approx(x / 2, rel=1e-9)
    assert v[0, 3] == pytest.approx(-y / 2, rel=1e-9) and v[1, 2] == pytest.approx(y / 2, rel=1e-9)


@pytest.mark.parametrize("params", FIG4)
def test_xp_correlations_vanish_in_global_not_in_local(params):
    net = Network.two_node("oscillator", *params, Phonon3D(1e-7))
    loc = correlations(covariance(solve(net, "local")))
    glo = correlations(covariance(solve(net, "global")))
    assert glo["x_p"] == 0.0 and glo["p_x"] == 0.0
    assert abs(loc["x_p"]) > 1e-10 and loc["p_x"] == pytest.approx(-loc["x_p"])
    assert loc["x_x"] == pytest.approx(loc["p_p"]) and glo["x_x"] == pytest.approx(glo["p_p"])
    if params[2] < 1e-2:  # "in both approaches cor(x_A,x_B) and cor(p_A,p_B) are equal for small ε"
        assert loc["x_x"] == pytest.approx(glo["x_x"], rel=1e-3)


@pytest.mark.parametrize("params", FIG4 + [(1.0, 0.8, 0.7, 5.0, 0.01)])
def test_no_approach_entangles(params):
    net = Network.two_node("oscillator", *params, Ohmic(1e-3, 20.0))
    for approach in ("local", "global", "exact"):
        v = covariance(solve(net, approach))
        v4 = pair_covariance(v, 0, 1)
        assert is_separable(v4), approach
        assert simon_invariant(v4) >= 0
        assert log_negativity(v4) == 0.0
        assert np.min(np.linalg.eigvalsh(v + 0.5j * np.kron(np.eye(2), [[0, 1], [-1, 0]]))) > -1e-12


def test_entanglement_measures_detect_a_two_mode_squeezed_state():
    """Known answer: two-mode squeezed vacuum with r has ν̃₋ = e^{−2r}/2 and E_N = 2r/ln 2."""
    r = 0.4
    ch, sh = np.cosh(2 * r) / 2, np.sinh(2 * r) / 2
    v = np.array([[ch, 0, sh, 0], [0, ch, 0, -sh], [sh, 0, ch, 0], [0, -sh, 0, ch]])
    assert pt_symplectic_eigenvalue(v) == pytest.approx(np.exp(-2 * r) / 2)
    assert not is_separable(v) and simon_invariant(v) < 0
    assert log_negativity(v) == pytest.approx(2 * r / np.log(2))
    assert symplectic_eigenvalues(v) == pytest.approx([0.5, 0.5])


def test_thermal_state_and_chain_pairs():
    c = np.diag([0.3, 1.2]).astype(complex)
    v = covariance_from_correlation(c)
    assert np.allclose(np.diag(v), [0.8, 0.8, 1.7, 1.7])
    nodes = [Node(f"n{i}", "oscillator", 1.0 + 0.1 * i) for i in range(4)]
    cps = [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(3)]
    baths = [Bath("h", "n0", 3.0, Ohmic(0.01, 5.0)), Bath("c", "n3", 0.5, Ohmic(0.01, 5.0))]
    res = solve(Network(nodes, cps, baths), "local")
    v = covariance(res)
    assert v.shape == (8, 8)
    for i in range(4):  # diagonal ⟨n⟩ + 1/2
        assert v[2 * i, 2 * i] == pytest.approx(res.populations[f"n{i}"] + 0.5, rel=1e-12)


def test_cli_covariance_json(tmp_path):
    import json

    out = CliRunner().invoke(
        cli, ["solve", "examples/two-oscillators-paper-fig4.toml", "--approach", "global", "--json", "--covariance"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["covariance"]["order"] == ["x_A", "p_A", "x_B", "p_B"]
    assert len(data["covariance"]["matrix"]) == 4
    pair = data["covariance"]["pairs"][0]
    assert pair["nodes"] == ["A", "B"] and pair["separable"] is True
    assert pair["correlations"]["x_p"] == 0.0


def test_cli_covariance_of_a_large_chain(tmp_path, monkeypatch):
    """Above GAUSSIAN_GLOBAL_FULL_MAX nodes the global Gaussian path forms C and V only when asked:
    `solve --covariance` asks (lowered to 8 nodes here to keep the test fast), and the matrix equals
    the one of a solve with populations='all'."""
    import json

    from qheatnet import config
    from qheatnet.io.network_file import dumps_network
    from qheatnet.thermo.covariance import covariance

    monkeypatch.setattr(config, "GAUSSIAN_GLOBAL_FULL_MAX", 8)
    n = 12
    net = Network(
        [Node(f"n{i}", "oscillator", 1.0 + 0.01 * (i % 3)) for i in range(n)],
        [Coupling((f"n{i}", f"n{i + 1}"), 0.05) for i in range(n - 1)],
        [Bath("hot", "n0", 2.0, Ohmic(0.02, 5.0)), Bath("cold", f"n{n - 1}", 1.0, Ohmic(0.02, 5.0))],
    )
    with pytest.raises(ModelError, match="carries no covariance"):
        covariance(solve(net, "global"))
    path = tmp_path / "chain.toml"
    path.write_text(dumps_network(net))
    out = CliRunner().invoke(cli, ["solve", str(path), "--approach", "global", "--json", "--covariance"])
    assert out.exit_code == 0, out.output
    got = np.array(json.loads(out.output)["covariance"]["matrix"])
    ref = covariance(solve(net, "global", populations="all"))
    assert got.shape == (2 * n, 2 * n)
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())
