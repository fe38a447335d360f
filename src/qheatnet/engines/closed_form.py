"""The closed-form engine: the two-node model of Levy & Kosloff (2014) over many sweep points at once.

A *batch* engine (``batch_approaches``): :func:`qheatnet.engines.choose.batch_engine`
hands it whole blocks of sweep points; it never runs for a single ``solve``
(the closed forms are a fast path and a test oracle, not a replacement for
the generic solvers).

The two-node model is recognised in any network with 2 nodes of one kind,
1 coupling and 2 baths on different nodes. For it, a whole block of sweep
points is one call to :func:`qheatnet.physics.two_node.local_closed_form`
(any node kind) or :func:`~qheatnet.physics.two_node.global_closed_form`
(oscillators), with "full" bookkeeping (the paper's eq. 5), the "auto"
engine and no engine options. The validity diagnostics of
:func:`qheatnet.solve` are evaluated with the same formulas and thresholds
(:mod:`qheatnet.config`), vectorised:

* local: LOCAL_STRONG_COUPLING (|ε|/min ω > LOCAL_COUPLING_RATIO),
  LOCAL_DETUNED_NODES (|ω_A − ω_B| > LOCAL_DETUNING_RATIO · max_i Γ_i with
  Γ_i = γ(ω_i)(1 + e^{−ω_i/T})), UNBOUNDED_HAMILTONIAN (oscillators,
  ε² ≥ ω_A ω_B);
* global: SECULAR_APPROXIMATION_DOUBTFUL ((ω_+ − ω_−)/√(r_+ r_−) < SECULAR_RATIO for a
  bath, r_± = γ(ω_±)(1 + e^{−ω_±/T}) × the bath's weight on the mode: the measure of
  :func:`qheatnet.physics.rates.secular_margin`);
* both: SECOND_LAW_VIOLATED (σ < −(SECOND_LAW_RTOL Σ|J_α|/T_α + r Σ 1/T_α),
  as in :func:`qheatnet.thermo.entropy.second_law_verdict`) and
  CURRENT_AT_EQUAL_TEMPERATURE (|J| > r at equal temperatures).

  Here r is the resolution of a current. For a numerical steady state
  ``solve`` takes r = ZERO_CURRENT_RTOL × the gross energy exchange with the
  baths; the closed forms are far more precise — their only cancellation is
  n_h − n_c in J = K (n_h − n_c) (local, eq. 9) and A_h E_c − A_c E_h per
  normal mode (global) — so r is 8 ε_machine times the size of those terms.
  Where |J| lies between the two (e.g. Fig. 2, ε = 1e-4: J ~ 1e-19 against a
  gross exchange ~ 1e-5), the fast path resolves the sign of σ that ``solve``
  reports as zero within its resolution.

Global points with ε² ≥ ω_A ω_B (no ground state) are recorded as failed
with the ModelError message that :func:`qheatnet.solve` gives. Local
oscillator points there get the closed-form value (the local master
equation still has a unique steady state) with UNBOUNDED_HAMILTONIAN
raised, as ``solve`` does with its Gaussian engine.

The closed forms are exact: ``engine`` is "closed_form" and the first-law
residual is 0 by construction. They agree with ``solve`` to its tolerances
(tests/sweep/test_fastpath.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import config
from ..model.spectra import spectrum_from_dict
from ..physics.two_node import global_closed_form, local_closed_form, normal_modes
from ..thermo.diagnostics import DIAGNOSTIC_CODES
from .base import YES, Engine, Fit, Problem, empty_batch, no
from .choose import register

__all__ = ["ClosedFormEngine", "two_node_layout", "two_node_points", "FAST_ENGINE"]

FAST_ENGINE = "closed_form"
KNOWN_CODES = DIAGNOSTIC_CODES


def two_node_layout(base: dict):
    """(kind, node index of bath 0, node index of bath 1) if ``base`` is the two-node model, else None."""
    nodes, couplings, baths = base["nodes"], base["couplings"], base["baths"]
    if len(nodes) != 2 or len(couplings) != 1 or len(baths) != 2:
        return None
    if couplings[0].get("kind", "swap") != "swap":  # the closed forms are those of the swap coupling
        return None
    if nodes[0]["kind"] != nodes[1]["kind"]:
        return None
    names = [n["name"] for n in nodes]
    i0, i1 = names.index(baths[0]["node"]), names.index(baths[1]["node"])
    if i0 == i1:
        return None
    return nodes[0]["kind"], i0, i1


class ClosedFormEngine(Engine):
    """The two-node closed forms, vectorised over blocks of sweep points (see the module docstring)."""

    name = FAST_ENGINE
    description = "two-node closed forms of Levy & Kosloff (2014), vectorised over sweep points"
    batch_approaches = frozenset({"local", "global"})
    priority = {"batch": 100}

    def applies(self, problem: Problem, mode: str) -> Fit:
        if problem.bookkeeping != "full":
            return no("closed forms: full bookkeeping only (eq. 5)")
        layout = two_node_layout(problem.network.to_dict())
        if layout is None:
            return no("closed forms: two nodes of one kind, one swap coupling, one bath on each node")
        if problem.approach == "global" and layout[0] != "oscillator":
            return no("closed forms: the global approach only for oscillators")
        return YES

    def batch(self, problem: Problem, targets: Any, values: np.ndarray, base: dict) -> dict[str, np.ndarray]:
        return two_node_points(base, targets, values, problem.approach)


register(ClosedFormEngine())


def _born_markov(spectrum, omega, temperature):
    """Rate / min(ω, ω_cut, T) of one bath at its node, vectorised (see thermo.diagnostics.born_markov_diagnostic)."""
    rate = spectrum.emission(omega, temperature) + spectrum.absorption(omega, temperature)
    scale = np.asarray(omega, float).copy()
    cut = getattr(spectrum, "cutoff", None)
    if cut is not None:
        scale = np.minimum(scale, cut)
    t = np.asarray(temperature, float)
    scale = np.where(t > 0, np.minimum(scale, np.where(t > 0, t, np.inf)), scale)
    return rate / scale


def _entropy(j, t):
    """−J/T per bath, with the T = 0 limits of qheatnet.thermo.entropy.entropy_production."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, -j / np.where(t > 0, t, 1.0), np.where(j == 0, 0.0, -np.inf * np.sign(j)))


def two_node_points(base: dict, targets, values: np.ndarray, approach: str) -> dict:
    """Record (see :mod:`.kernels`) of the points ``values`` (n, len(targets)) by the closed forms."""
    kind, i0, i1 = two_node_layout(base)
    n = len(values)
    cols = {t.location: values[:, k] for k, t in enumerate(targets)}

    def column(location, default):
        return cols[location] if location in cols else np.full(n, float(default))

    w0 = column(("nodes", i0, "frequency"), base["nodes"][i0]["frequency"])
    w1 = column(("nodes", i1, "frequency"), base["nodes"][i1]["frequency"])
    eps = column(("couplings", 0, "strength"), base["couplings"][0]["strength"])
    t0 = column(("baths", 0, "temperature"), base["baths"][0]["temperature"])
    t1 = column(("baths", 1, "temperature"), base["baths"][1]["temperature"])

    # spectra: one closed-form call per distinct combination of swept spectrum parameters
    spec_locs = [t.location for t in targets if t.location[2] == "spectrum"]
    if spec_locs:
        spec_values = np.stack([cols[loc] for loc in spec_locs], axis=1)
        uniq, group = np.unique(spec_values, axis=0, return_inverse=True)
        group = group.reshape(-1)
    else:
        uniq, group = np.zeros((1, 0)), np.zeros(n, dtype=np.int64)

    keys = ("J0", "n0", "n1", "gross", "rate_scale", "resolution", "born_markov", "secular")
    out = {k: np.full(n, np.nan) for k in keys}
    for g, row in enumerate(uniq):
        sel = np.flatnonzero(group == g) if len(uniq) > 1 else slice(None)
        specs = []
        for b in (0, 1):
            d = dict(base["baths"][b]["spectrum"])
            for loc, v in zip(spec_locs, row):
                if loc[1] == b:
                    d[loc[3]] = float(v)
            specs.append(spectrum_from_dict(d))
        s0, s1 = specs
        a = (w0[sel], w1[sel], eps[sel], t0[sel], t1[sel])
        out["born_markov"][sel] = np.maximum(_born_markov(s0, a[0], a[3]), _born_markov(s1, a[1], a[4]))
        if approach == "local":
            r = local_closed_form(kind, *a, s0, s1)
            em0, ab0 = s0.emission(a[0], a[3]), s0.absorption(a[0], a[3])
            em1, ab1 = s1.emission(a[1], a[4]), s1.absorption(a[1], a[4])
            sign = -1.0 if kind == "oscillator" else 1.0  # ⟨a a†⟩ = 1 − δ n, δ = −1 oscillators, +1 qubits
            out["gross"][sel] = a[0] * (em0 * r["n_A"] + ab0 * (1 - sign * r["n_A"])) + a[1] * (
                em1 * r["n_B"] + ab1 * (1 - sign * r["n_B"])
            )
            out["rate_scale"][sel] = np.maximum(em0 + ab0, em1 + ab1)
            # J = K (n_h − n_c) (eq. 9): the only cancellation is n_h − n_c
            g0, g1 = em0 + sign * ab0, em1 + sign * ab1
            gs = g0 + g1
            den = g0 * g1 * (gs**2 + 4 * (a[0] - a[1]) ** 2) + 4 * a[2] ** 2 * gs**2
            k_factor = 4 * a[2] ** 2 * g0 * g1 * (a[0] * g1 + a[1] * g0) / den
            out["resolution"][sel] = config.CLOSED_FORM_ROUNDOFF * np.abs(k_factor) * (ab0 / g0 + ab1 / g1)
        else:
            r = global_closed_form(*a, s0, s1)
            gross: Any = 0.0
            rate: Any = 0.0
            res: Any = 0.0
            c2, s2 = r["cos2"], r["sin2"]  # s² from the closed form: 1 − c² rounds it away at small ε
            drive: list[list] = []  # per mode, per bath: the rate at which the bath drives the mode, (γ + γ_abs) U²
            for w, wt0, wt1, nk in (
                (r["omega_plus"], c2, s2, r["n_plus"]),
                (r["omega_minus"], s2, c2, r["n_minus"]),
            ):
                ems = []
                drive.append([])
                for wt, s, t in ((wt0, s0, a[3]), (wt1, s1, a[4])):
                    em, ab = s.emission(w, t), s.absorption(w, t)
                    ems.append((wt * em, wt * ab))
                    drive[-1].append(wt * (em + ab))
                    gross = gross + w * wt * (em * nk + ab * (1 + nk))
                    present = wt > config.JUMP_DROP_RTOL**2  # mode visible to this bath (JUMP_DROP_RTOL on amplitudes)
                    rate = np.maximum(rate, np.where(present, em + ab, 0.0))
                # J_k = ω_k (A_h E_c − A_c E_h)/Γ_k: the cancellation is in the numerator
                (e_h, a_h), (e_c, a_c) = ems
                with np.errstate(invalid="ignore", divide="ignore"):
                    res = res + config.CLOSED_FORM_ROUNDOFF * np.abs(w) * (a_h * e_c + a_c * e_h) / np.abs(
                        e_h - a_h + e_c - a_c
                    )
            # the weighted secular margin of physics.rates.secular_margin: gap / √(r₊ r₋), worst bath
            with np.errstate(divide="ignore", invalid="ignore"):
                gap = r["omega_plus"] - r["omega_minus"]
                margins = [gap / (np.sqrt(drive[0][b]) * np.sqrt(drive[1][b])) for b in (0, 1)]
            out["secular"][sel] = np.fmin(margins[0], margins[1])
            out["gross"][sel] = gross
            out["rate_scale"][sel] = rate
            out["resolution"][sel] = res
        out["J0"][sel] = r["J_h"]
        out["n0"][sel] = r["n_A"]
        out["n1"][sel] = r["n_B"]

    j0 = out["J0"]
    j1 = -j0
    rec = empty_batch(n, 2, 2, KNOWN_CODES)
    rec["heat_current"] = np.stack([j0, j1], axis=1)
    pop = np.empty((n, 2))
    pop[:, i0], pop[:, i1] = out["n0"], out["n1"]
    rec["population"] = pop
    sigma = _entropy(j0, t0) + _entropy(j1, t1)
    rec["entropy_production"] = sigma
    rec["first_law_residual"] = j0 + j1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(t0 > 0, np.abs(j0) / np.where(t0 > 0, t0, 1), 0) + np.where(
            t1 > 0, np.abs(j1) / np.where(t1 > 0, t1, 1), 0
        )
        inv_t = np.where(t0 > 0, 1 / np.where(t0 > 0, t0, 1), 0) + np.where(t1 > 0, 1 / np.where(t1 > 0, t1, 1), 0)
    # as qheatnet.thermo.entropy.second_law_verdict, with the closed form's own resolution
    tol = config.SECOND_LAW_RTOL * scale + out["resolution"] * inv_t
    violated = sigma < -tol
    rec["second_law_violated"] = violated
    rec["engine"] = np.full(n, FAST_ENGINE)

    diag = np.zeros((n, len(KNOWN_CODES)), dtype=bool)
    col = {c: k for k, c in enumerate(KNOWN_CODES)}
    diag[:, col["SECOND_LAW_VIOLATED"]] = violated
    with np.errstate(invalid="ignore"):
        diag[:, col["CURRENT_AT_EQUAL_TEMPERATURE"]] = (t0 == t1) & (np.abs(j0) > out["resolution"])
    w_plus, w_minus, _, _ = normal_modes(w0, w1, eps)
    diag[:, col["BORN_MARKOV_DOUBTFUL"]] = out["born_markov"] > config.BORN_MARKOV_RATIO
    if approach == "local":
        diag[:, col["LOCAL_STRONG_COUPLING"]] = np.abs(eps) / np.minimum(w0, w1) > config.LOCAL_COUPLING_RATIO
        diag[:, col["LOCAL_DETUNED_NODES"]] = (eps != 0) & (
            np.abs(w0 - w1) > config.LOCAL_DETUNING_RATIO * out["rate_scale"]
        )
        if kind == "oscillator":
            diag[:, col["UNBOUNDED_HAMILTONIAN"]] = w_minus <= 0
    else:
        with np.errstate(invalid="ignore"):
            diag[:, col["SECULAR_APPROXIMATION_DOUBTFUL"]] = (eps != 0) & (out["secular"] < config.SECULAR_RATIO)
        bad = np.flatnonzero(~(w_minus > 0))
        if len(bad):
            rec["failed"][bad] = True
            rec["error_at"] = bad.astype(np.int64)
            rec["error"] = np.array(
                [
                    "ModelError: the global approach needs a Hamiltonian with a ground state, but the lowest "
                    f"normal-mode frequency of the oscillators is {w:.6g} ≤ 0 (for two oscillators: ε² ≥ ω_h ω_c)"
                    for w in w_minus[bad]
                ]
            )
            for key in ("heat_current", "population", "entropy_production", "first_law_residual"):
                rec[key][bad] = np.nan
            rec["second_law_violated"][bad] = False
            rec["engine"][bad] = ""
            diag[bad] = False
    rec["diagnostics"] = diag
    return rec
