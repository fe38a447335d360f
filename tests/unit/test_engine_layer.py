"""The engine layer: one chooser for solve, evolve and sweep; typed options; run-time fallback; frozen results.

Misuse cases from the engine-layer issue: options used to be ``**options`` and silently dropped
(``solve(net, "local", cutofff=3)``, ``cutoff="x"``, ``return_rhoo=True``, a sweep file with
``options = {cutoff = -3}`` all succeeded).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from qheatnet import (
    Bath,
    ConvergenceError,
    Coupling,
    DrudeLorentz,
    Flat,
    ModelError,
    Network,
    Node,
    ValidationError,
    evolve,
    solve,
)
from qheatnet.engines.base import EngineRefused, Problem
from qheatnet.engines.choose import ENGINES, choose, engine_names, run_steady
from qheatnet.sweeps import loads_sweep, make_spec
from qheatnet.thermo.diagnostics import DIAGNOSTIC_CODES, DiagnosticCode


def _qubits():
    return Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))


def _oscillators():
    return Network.two_node("oscillator", 1.0, 0.8, 0.01, 2.0, 1.0, DrudeLorentz(1e-3, 5.0))


# -- options -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "net, approach, kwargs, match",
    [
        (
            _qubits(),
            "local",
            {"cutofff": 3},
            r"^cutofff: .*accepts this option \(allowed: free-fermion: none; fock: cutoff, lamb_shift, ",
        ),
        (_oscillators(), "local", {"engine": "fock", "cutoff": "x"}, r"^cutoff: must be an integer ≥ 1, got 'x'"),
        (_oscillators(), "local", {"engine": "fock", "cutoff": True}, r"^cutoff: must be an integer"),
        (
            _qubits(),
            "global",
            {"return_rhoo": True},
            r"^return_rhoo: .*\(allowed: rate-equation: return_rho; fock: cutoff, ",
        ),
        (_qubits(), "global", {"engine": "rate-equation", "return_rho": 1}, r"^return_rho: must be true or false"),
        (_oscillators(), "local", {"method": "fast"}, r"^method: must be one of 'auto', 'dense', 'modes'"),
        (_oscillators(), "exact", {"rtol": 1.0}, r"^rtol: must be ≤ 0.01"),
        (_oscillators(), "exact", {"method": "dense"}, r"^method: does not apply to the exact approach"),
        (_oscillators(), "global", {"rtol": 1e-8}, r"^rtol: applies to the exact approach only"),
        (_qubits(), "local", {"engine": "warp"}, r"^engine: must be one of auto, fock, "),
    ],
)
def test_bad_options_are_refused_with_the_field_named(net, approach, kwargs, match):
    with pytest.raises(ValidationError, match=match):
        solve(net, approach, **kwargs)


def test_options_narrow_the_automatic_choice():
    """``cutoff`` is an option of the Fock engine only, so engine="auto" with a cut-off runs the Fock engine."""
    net = _oscillators()
    assert solve(net, "local").engine == "gaussian"
    res = solve(net, "local", cutoff=6)
    assert res.engine == "fock" and res.solver["cutoff"] == 6


def test_sweep_options_are_checked_before_the_sweep_starts():
    text = """
approaches = ["local"]
engine = "fock"
options = {cutoff = -3}

[network]
nodes = [{name = "A", kind = "oscillator", frequency = 1.0}, {name = "B", kind = "oscillator", frequency = 0.8}]
couplings = [{nodes = ["A", "B"], strength = 0.01}]
baths = [{name = "hot", node = "A", temperature = 2.0, spectrum = {kind = "flat", rate = 0.01}},
         {name = "cold", node = "B", temperature = 1.0, spectrum = {kind = "flat", rate = 0.01}}]

[parameters]
"baths.hot.temperature" = [1.5, 2.0]
"""
    with pytest.raises(ValidationError, match=r"^options\.cutoff: must be an integer ≥ 1, got -3"):
        loads_sweep(text)


def test_sweep_refuses_an_approach_no_engine_can_run():
    """The exact reference is for oscillator networks: a qubit sweep asking for it is refused up front."""
    with pytest.raises(ValidationError, match=r"^approaches\[1\]: 'exact' cannot run on this network: .*qubits"):
        make_spec(_qubits(), {"baths.hot.temperature": [1.5, 2.0]}, ["local", "exact"])


# -- choosing ----------------------------------------------------------------------


def test_one_chooser_for_every_mode():
    """solve and evolve pick engines by the same rule: auto takes the applicable engine of highest priority."""
    chain = Network(
        nodes=[Node(f"q{i}", "qubit", 1.0 + 0.1 * i) for i in range(3)],
        couplings=[Coupling((f"q{i}", f"q{i + 1}"), 0.05) for i in range(2)],
        baths=[Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", "q2", 1.0, Flat(0.01))],
    )
    steady = [r.engine.name for r in choose(Problem(chain, "local"), "steady")]
    transient = [r.engine.name for r in choose(Problem(chain, "local"), "transient")]
    assert steady == transient == ["free-fermion", "fock"]
    assert solve(chain, "local").engine == "free-fermion"
    assert evolve(chain, "local", t_final=1.0, steps=2).engine == "free-fermion"
    # the rate equation is never chosen automatically for transients (it has no node populations)
    assert [r.engine.name for r in choose(Problem(chain, "global"), "transient")] == ["fock"]


def test_refusal_names_every_engine_and_its_reason():
    """No engine applies: the message lists why for each (here: the exact reference on qubits)."""
    with pytest.raises(
        ModelError, match=r"no engine can solve approach 'exact' .*gaussian: exact: networks of oscillators only"
    ):
        solve(_qubits(), "exact")


def test_forced_engine_that_does_not_apply_names_the_reason():
    with pytest.raises(ValidationError, match=r"^engine: engine 'free-fermion' cannot solve .*not a chain"):
        star = Network(
            nodes=[Node(n, "qubit", 1.0) for n in "abcd"],
            couplings=[Coupling(("a", x), 0.05) for x in "bcd"],
            baths=[Bath("hot", "a", 2.0, Flat(0.01)), Bath("cold", "b", 1.0, Flat(0.01))],
        )
        solve(star, "local", engine="free-fermion")


def test_fock_engine_refuses_a_hopeless_size_before_building_anything():
    """20 qubits, local, on a ring (no free-fermion route): C(40, 20) ≈ 1.4e11 unknowns is refused up front."""
    ring = Network(
        nodes=[Node(f"q{i}", "qubit", 1.0) for i in range(20)],
        couplings=[Coupling((f"q{i}", f"q{(i + 1) % 20}"), 0.05) for i in range(20)],
        baths=[Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", "q10", 1.0, Flat(0.01))],
    )
    with pytest.raises(ModelError, match=r"fock: the Fock space is too large \(20 nodes: 1\.38e\+11 unknowns"):
        solve(ring, "local")


def test_run_time_refusal_falls_back_and_says_so(monkeypatch):
    """When the chosen engine refuses at run time, auto runs the next applicable one and the result says so;
    a forced engine reports the refusal as an error."""
    chain = Network(
        nodes=[Node("q0", "qubit", 1.0), Node("q1", "qubit", 0.9)],
        couplings=[Coupling(("q0", "q1"), 0.05)],
        baths=[Bath("hot", "q0", 2.0, Flat(0.01)), Bath("cold", "q1", 1.0, Flat(0.01))],
    )
    ff = ENGINES["free-fermion"]

    def refuse(problem, options):
        raise EngineRefused("free-fermion", "test refusal")

    monkeypatch.setattr(ff, "steady", refuse)
    res = solve(chain, "local")
    assert res.engine == "fock"
    assert res.solver["fallback"][0] == {"engine": "free-fermion", "reason": "test refusal"}
    assert "ENGINE_FALLBACK" in [d.code for d in res.diagnostics]
    ref = solve(chain, "local", engine="fock")
    assert res.heat_currents == ref.heat_currents
    with pytest.raises(ConvergenceError, match="test refusal"):
        solve(chain, "local", engine="free-fermion")
    with pytest.raises(EngineRefused):
        run_steady(Problem(chain, "local"), "free-fermion")


def test_every_engine_declares_its_approaches_and_options():
    from qheatnet.api.solve import APPROACHES

    names = engine_names()
    assert {"fock", "gaussian", "rate-equation", "free-fermion", "closed_form"} <= set(names)
    for e in ENGINES.values():
        for mode in ("steady", "transient", "batch"):
            assert e.approaches(mode) <= set(APPROACHES)
            assert all(isinstance(n, str) for n in e.options_class(mode).names())
        assert e.description


# -- results -----------------------------------------------------------------------


def test_results_are_deeply_immutable_and_picklable():
    res = solve(_qubits(), "global")
    with pytest.raises(TypeError):
        res.heat_currents["hot"] = 99.0  # type: ignore[index]
    with pytest.raises(TypeError):
        res.solver["engine"] = "x"  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        res.rho[0, 0] = 1.0
    with pytest.raises(AttributeError):
        res.approach = "local"  # type: ignore[misc]
    back = pickle.loads(pickle.dumps(res))
    assert back.heat_currents == res.heat_currents
    ev = evolve(_qubits(), "global", t_final=1.0, steps=2)
    with pytest.raises(ValueError, match="read-only"):
        ev.heat_currents["hot"][0] = 1.0
    with pytest.raises(TypeError):
        ev.heat_currents["hot"] = np.zeros(3)  # type: ignore[index]


def test_result_round_trips_through_json():
    import json

    from qheatnet import SteadyState

    res = solve(_oscillators(), "global")
    data = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    back = SteadyState.from_dict(data)
    assert back.heat_currents == res.heat_currents and back.populations == res.populations
    assert back.network == res.network and [d.code for d in back.diagnostics] == [d.code for d in res.diagnostics]
    assert back.to_dict() == res.to_dict()
    with pytest.raises(ValidationError, match="^result"):
        SteadyState.from_dict({"approach": "local"})


def test_result_display_and_xarray():
    res = solve(_qubits(), "local")
    text = repr(res)
    assert text.startswith("SteadyState(local, engine=") and "hot=" in text and len(text) < 300
    assert "<table>" in res._repr_html_()
    ds = res.to_xarray()
    assert list(ds.bath.values) == ["hot", "cold"]
    assert float(ds.heat_current.sel(bath="hot")) == res.heat_currents["hot"]
    assert list(ds.diagnostic.values) == list(DIAGNOSTIC_CODES)


def test_diagnostic_codes_are_an_enum_with_a_docstring_each():
    for code in DiagnosticCode:
        assert code == code.name and isinstance(code.__doc__, str) and len(code.__doc__) > 20
    assert DiagnosticCode.FOCK_TRUNCATION.numerical and not DiagnosticCode.SECOND_LAW_VIOLATED.numerical
