r"""Heat current between two qubits: HEOM against the master equations, after Kato & Tanimura (2015).

A. Kato and Y. Tanimura, "Quantum heat transport of a two-qubit system: Interplay between
system-bath coherence and qubit-qubit coherence", J. Chem. Phys. 143, 064107 (2015),
doi:10.1063/1.4928192. Heat currents from the hierarchy as in Kato & Tanimura, J. Chem. Phys.
145, 224105 (2016) (:mod:`qheatnet.solvers.heom`).

Model (their Fig. 3, the parameters also used by QuTiP's tutorial "HEOM 3: quantum heat
transport"): two qubits A (hot bath) and B (cold bath), H = ω_A n_A + ω_B n_B + ε(σ_A⁺σ_B⁻ + h.c.),
each coupled through σx to a Drude–Lorentz bath with QuTiP's reorganisation energy λ and
cut-off γ = 2 (qheatnet's κ = 4λ/γ, ω_c = γ), T_h = 2.02, T_c = 1.98 (T̄ = 2 ± 1 %). Cases:
resonant (ω_A = ω_B = 1) and detuned (ω_A = 1, ω_B = 0.8). Kato & Tanimura's ζ̄ is 2λ/ε at ω = 1
(λ = ζ̄ J₁₂/2 in the tutorial).

Computed, per case: the steady-state heat current J_h (i) against the inter-qubit coupling ε at
weak system–bath coupling λ = 0.005, (ii) against λ at ε = 0.1 (Kato & Tanimura's J₁₂ = 0.1), and
(iii) on a small (ε, λ) grid; each point by HEOM (converged to 1e-3, :func:`converged_heom`) and by
every approach in :data:`APPROACHES` through :func:`qheatnet.solve`.

Claims (each decided by the computed data; see :func:`claims`):

* weak coupling: HEOM → local (resonant) and → global (detuned) to < 1e-3 (the bath mapping);
* the local approach makes heat flow from cold to hot for the detuned pair (Levy & Kosloff 2014:
  ω_A/T_h > ω_B/T_c), HEOM never does;
* the global approach fails for resonant qubits at weak inter-qubit coupling (ε below the decay
  rates: secular approximation), and its current does not vanish as ε → 0, whereas the HEOM
  current falls as ε²; it is right once ε ≫ the decay rates;
* at weak system–bath coupling (κ = 4λ/γ ≤ 1e-2, the range of issue 9) the unified master
  equation is within 5 % of HEOM wherever the local or the global one is, with the right sign;
  Redfield is within 5 % up to λ = 0.01 (κ = 0.02). (Measured beyond that range: at λ ≈ 0.01,
  ε = 0.1 the unified equation treats the two Bohr frequencies, 2ε apart, as separate clusters and
  inherits the global approach's secular error, +8 %, where local and Redfield are 2 % off — the
  README's "Which approach to trust" table shows it);
* the unified and Redfield currents flow from hot to cold at every point (no wrong sign);
* at strong system–bath coupling every master equation is off by more than 20 %;
* the HEOM current against λ rises, peaks and falls (Kato & Tanimura 2015, Fig. 3);
* every HEOM point is converged, bath-side = system-side current, Σ J = 0, ρ ≥ 0, and J_h > 0.

``run(out_dir)`` writes ``kato_tanimura_2015.png`` (currents), ``kato_tanimura_2015_errors.png``
(deviations), ``kato_tanimura_2015_{eps,lambda,grid}.nc`` (data), ``summary.txt`` and
``summary.json``, and returns True when every claim holds. ``reproduce(out_dir, quiet)`` returns 0 /
1 for the command line.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from .. import __version__
from ..api.solve import solve
from ..model.network import Network
from ..model.spectra import DrudeLorentz

#: Master-equation approaches compared with HEOM.
APPROACHES: tuple[str, ...] = ("local", "global", "unified", "redfield")
CASES = {"resonant": (1.0, 1.0), "detuned": (1.0, 0.8)}
PARAMS = dict(T_h=2.02, T_c=1.98, gamma=2.0)
#: system–bath coupling of the ε scan, inter-qubit coupling of the λ scan (Kato & Tanimura's J₁₂ = 0.1)
LAMBDA_WEAK = 0.005
EPS_KT = 0.1
EPS_RANGE = (1e-3, 0.5)
LAMBDA_RANGE = (1e-4, 0.2)
N_POINTS = 16
GRID = ((1e-3, 1e-2, 0.1, 0.5), (1e-4, 1e-3, 1e-2, 0.05, 0.2))
#: HEOM convergence tolerance and the thresholds of the claims (with the reason in each claim).
HEOM_RTOL = 1e-3
WEAK_TOL = 1e-3
STRONG_DEVIATION = 0.2
#: Beyond local and global (issue 9): the accuracy asked of the unified and Redfield equations, the
#: weak-coupling range where it is asked of unified (κ = 4λ/γ ≤ 1e-2, the oscillator criterion of
#: issue 9), and the range where Redfield meets it (measured: largest |ΔJ/J| 3.8 % at λ = 0.01).
BEYOND_TOL = 0.05
LAMBDA_WEAK_MAX = 0.005
LAMBDA_REDFIELD_MAX = 0.01
STYLES = {
    "local": ("tab:blue", "--"),
    "global": ("tab:red", ":"),
    "unified": ("tab:green", "-."),
    "redfield": ("tab:purple", "-"),
}


def network(omega_a: float, omega_b: float, eps: float, lam: float, p=PARAMS) -> Network:
    """The two-qubit network; λ in QuTiP's convention (κ = 4λ/γ, ω_c = γ)."""
    spec = DrudeLorentz(4.0 * lam / p["gamma"], p["gamma"])
    return Network.two_node("qubit", omega_a, omega_b, eps, p["T_h"], p["T_c"], spec)


def _point(omega_a, omega_b, eps, lam):
    """HEOM and every master equation at one point: dict of numbers."""
    from ..solvers.heom import converged_heom, heom_problem

    net = network(omega_a, omega_b, eps, lam)
    res = converged_heom(heom_problem(net), rtol=HEOM_RTOL)
    out = {
        "J_heom": res.heat_currents["hot"],
        "J_heom_cold": res.heat_currents["cold"],
        "J_heom_system_side": res.system_side_currents["hot"],
        "current_disagreement": res.current_disagreement,
        "current_sum": res.current_sum,
        "error_estimate": res.error_estimate,
        "min_eigenvalue": float(res.eigenvalues[0]),
        "depth": res.depth,
        "terms": res.terms,
        "n_ados": res.n_ados,
        "cost": res.cost,
        "n_A": res.populations["A"],
        "n_B": res.populations["B"],
    }
    for appr in APPROACHES:
        try:
            out[f"J_{appr}"] = solve(net, appr).heat_currents["hot"]
        except (ValueError, RuntimeError):  # an approach that cannot run here: no number
            out[f"J_{appr}"] = float("nan")
    return out


def _scan(dim, values, fixed, progress, echo, label):
    rows = {}
    for case, (wa, wb) in CASES.items():
        t0 = time.perf_counter()
        rows[case] = [_point(wa, wb, *((v, fixed) if dim == "epsilon" else (fixed, v))) for v in values]
        if progress:
            echo(f"  {label}, {case}: {len(values)} points in {time.perf_counter() - t0:.1f} s")
    keys = rows["resonant"][0].keys()
    data = {k: (("case", dim), np.array([[r[k] for r in rows[c]] for c in CASES], dtype=float)) for k in keys}
    return data


def _attrs(extra):
    return {
        "qheatnet_version": __version__,
        "reference": "Kato & Tanimura, J. Chem. Phys. 143, 064107 (2015), doi:10.1063/1.4928192",
        "T_h": PARAMS["T_h"],
        "T_c": PARAMS["T_c"],
        "gamma": PARAMS["gamma"],
        "bath": "drude_lorentz, kappa = 4 lambda / gamma, cutoff = gamma (QuTiP lambda, gamma)",
        "heom_rtol": HEOM_RTOL,
        "approaches": ", ".join(("heom", *APPROACHES)),
        **extra,
    }


def compute(n_points: int = N_POINTS, grid=GRID, progress: bool = False, echo=print) -> dict:
    """The three datasets: ``eps`` (scan in ε), ``lambda`` (scan in λ) and ``grid`` (ε × λ)."""
    eps = np.logspace(np.log10(EPS_RANGE[0]), np.log10(EPS_RANGE[1]), n_points)
    lam = np.logspace(np.log10(LAMBDA_RANGE[0]), np.log10(LAMBDA_RANGE[1]), n_points)
    case_coord = {"case": ("case", list(CASES))}
    omegas = {
        "omega_A": ("case", [w[0] for w in CASES.values()]),
        "omega_B": ("case", [w[1] for w in CASES.values()]),
    }
    ds_eps = xr.Dataset(
        {**_scan("epsilon", eps, LAMBDA_WEAK, progress, echo, f"J against ε (λ = {LAMBDA_WEAK})"), **omegas},
        coords={**case_coord, "epsilon": ("epsilon", eps, {"long_name": "inter-qubit coupling ε"})},
        attrs=_attrs({"lambda": LAMBDA_WEAK}),
    )
    ds_lam = xr.Dataset(
        {**_scan("lam", lam, EPS_KT, progress, echo, f"J against λ (ε = {EPS_KT})"), **omegas},
        coords={**case_coord, "lam": ("lam", lam, {"long_name": "system–bath coupling λ (QuTiP)"})},
        attrs=_attrs({"epsilon": EPS_KT}),
    )
    g_eps, g_lam = (np.asarray(g, float) for g in grid)
    t0 = time.perf_counter()
    cells = {case: [[_point(wa, wb, e, la) for la in g_lam] for e in g_eps] for case, (wa, wb) in CASES.items()}
    keys = cells["resonant"][0][0].keys()
    ds_grid = xr.Dataset(
        {
            **{
                k: (
                    ("case", "epsilon", "lam"),
                    np.array([[[c[k] for c in row] for row in cells[case]] for case in CASES], dtype=float),
                )
                for k in keys
            },
            **omegas,
        },
        coords={**case_coord, "epsilon": ("epsilon", g_eps), "lam": ("lam", g_lam)},
        attrs=_attrs({}),
    )
    if progress:
        echo(f"  grid {len(g_eps)} × {len(g_lam)} × {len(CASES)} in {time.perf_counter() - t0:.1f} s")
    return {"eps": ds_eps, "lambda": ds_lam, "grid": ds_grid}


# --------------------------------------------------------------------- claims


@dataclass
class Claim:
    text: str
    source: str
    reproduced: bool
    evidence: str


@dataclass
class Report:
    claims: list = field(default_factory=list)

    def add(self, text, source, ok, evidence):
        self.claims.append(Claim(text, source, bool(ok), evidence))


def _dev(ds, appr, **sel):
    d = ds.sel(**sel)
    return float(d[f"J_{appr}"] / d["J_heom"] - 1)


def claims(data: dict) -> Report:
    """Every claim, decided on the computed datasets."""
    rep = Report()
    de, dl = data["eps"], data["lambda"]
    lam0, lam1 = float(dl.lam[0]), float(dl.lam[-1])
    eps0, eps1 = float(de.epsilon[0]), float(de.epsilon[-1])

    d_loc = _dev(dl, "local", case="resonant", lam=lam0)
    rep.add(
        f"weak coupling, resonant qubits: HEOM → local master equation (|ΔJ/J| < {WEAK_TOL:g} at λ = {lam0:g})",
        "weak-coupling limit; bath mapping κ = 4λ/γ (qheatnet.solvers.heom)",
        abs(d_loc) < WEAK_TOL,
        f"J_local/J_HEOM − 1 = {d_loc:+.2e} at ε = {EPS_KT}, λ = {lam0:g}",
    )
    d_glo = _dev(dl, "global", case="detuned", lam=lam0)
    rep.add(
        f"weak coupling, detuned qubits: HEOM → global master equation (|ΔJ/J| < {WEAK_TOL:g} at λ = {lam0:g})",
        "weak-coupling limit (Davies 1974); bath mapping κ = 4λ/γ",
        abs(d_glo) < WEAK_TOL,
        f"J_global/J_HEOM − 1 = {d_glo:+.2e} at ε = {EPS_KT}, λ = {lam0:g}",
    )
    jl = np.concatenate([de.J_local.sel(case="detuned").values, dl.J_local.sel(case="detuned").values])
    jh = np.concatenate([de.J_heom.sel(case="detuned").values, dl.J_heom.sel(case="detuned").values])
    rep.add(
        "detuned qubits (ω_A/T_h > ω_B/T_c): the local approach makes heat flow from cold to hot at every "
        "point, HEOM from hot to cold",
        "Levy & Kosloff, EPL 107, 20004 (2014), Fig. 4",
        bool(np.all(jl < 0) and np.all(jh > 0)),
        f"{int(np.sum(jl < 0))}/{len(jl)} points with J_local < 0; J_local/J_HEOM from {np.min(jl / jh):.2f} "
        f"to {np.max(jl / jh):.2f}; {int(np.sum(jh > 0))}/{len(jh)} with J_HEOM > 0",
    )
    g0 = _dev(de, "global", case="resonant", epsilon=eps0)
    l0 = _dev(de, "local", case="resonant", epsilon=eps0)
    rep.add(
        f"resonant qubits, inter-qubit coupling below the decay rates (ε = {eps0:g}, λ = {LAMBDA_WEAK}): the "
        "global approach is off by more than 100 %, the local one within 5 %",
        "secular approximation (Hofer et al., NJP 19, 123037 (2017))",
        abs(g0) > 1 and abs(l0) < 0.05,
        f"J_global/J_HEOM − 1 = {g0:+.2e}, J_local/J_HEOM − 1 = {l0:+.2e}",
    )
    r = de.sel(case="resonant")
    slope_h = float(np.log(r.J_heom[1] / r.J_heom[0]) / np.log(r.epsilon[1] / r.epsilon[0]))
    slope_g = float(np.log(r.J_global[1] / r.J_global[0]) / np.log(r.epsilon[1] / r.epsilon[0]))
    rep.add(
        "resonant qubits, ε → 0: the HEOM current falls as ε² while the global one stays finite",
        "second order in the hopping; secular approximation",
        1.8 < slope_h < 2.2 and abs(slope_g) < 0.5,
        f"d ln J/d ln ε between the two smallest ε: HEOM {slope_h:.3f}, global {slope_g:.3f}",
    )
    g1 = _dev(de, "global", case="resonant", epsilon=eps1)
    rep.add(
        f"resonant qubits, ε ≫ decay rates (ε = {eps1:g}, λ = {LAMBDA_WEAK}): the global approach is within 2 %",
        "secular approximation valid",
        abs(g1) < 0.02,
        f"J_global/J_HEOM − 1 = {g1:+.2e}",
    )
    strong = {(c, a): _dev(dl, a, case=c, lam=lam1) for c in CASES for a in APPROACHES}
    rep.add(
        f"strong system–bath coupling (λ = {lam1:g}, ε = {EPS_KT}): every master equation is off by more than "
        f"{STRONG_DEVIATION:.0%}",
        "Kato & Tanimura (2015): non-perturbative, non-Markovian regime",
        all(abs(v) > STRONG_DEVIATION for v in strong.values()),
        ", ".join(f"{c} {a}: {v:+.2f}" for (c, a), v in strong.items()),
    )
    _beyond_claims(rep, data)
    jr = dl.J_heom.sel(case="resonant").values
    k = int(np.argmax(jr))
    rep.add(
        "resonant qubits: the HEOM current against the system–bath coupling rises, peaks and falls "
        "(J at the largest λ below 75 % of the maximum)",
        "Kato & Tanimura (2015), Fig. 3",
        0 < k < len(jr) - 1 and jr[-1] < 0.75 * jr[k],
        f"maximum J = {jr[k]:.3e} at λ = {float(dl.lam[k]):.3g} (ζ̄ = 2λ/ε = {2 * float(dl.lam[k]) / EPS_KT:.2f}); "
        f"J(λ = {lam1:g}) = {jr[-1]:.3e}",
    )
    allp = [data[k] for k in ("eps", "lambda", "grid")]
    err = max(float(d.error_estimate.max()) for d in allp)
    dis = max(float(d.current_disagreement.max()) for d in allp)
    tot = max(float(d.current_sum.max()) for d in allp)
    mine = min(float(d.min_eigenvalue.min()) for d in allp)
    n = sum(int(d.J_heom.size) for d in allp)
    rep.add(
        "every HEOM point is converged (error estimate ≤ rtol), bath-side = system-side current, Σ J = 0, ρ ≥ 0",
        "Kato & Tanimura (2016); qheatnet.solvers.heom",
        err <= HEOM_RTOL and dis < 1e-6 and tot < 1e-6 and mine > -1e-8,
        f"{n} points: largest error estimate {err:.1e}, |J_B − J_S|/|J| ≤ {dis:.1e}, |Σ J|/|J| ≤ {tot:.1e}, "
        f"smallest eigenvalue of ρ {mine:.3f}",
    )
    jh_all = np.concatenate([d.J_heom.values.ravel() for d in allp])
    rep.add(
        "second law: HEOM heat flows from the hot to the cold bath at every point",
        "Clausius",
        bool(np.all(jh_all > 0)),
        f"{int(np.sum(jh_all > 0))}/{len(jh_all)} points with J_h > 0",
    )
    return rep


def _points(data: dict, lam_max: float) -> dict[str, np.ndarray]:
    """J of HEOM and of every approach at every computed point with λ ≤ lam_max (both cases), flattened."""
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("heom", *APPROACHES)}
    de, dl, dg = data["eps"], data["lambda"], data["grid"]
    pieces = []
    if float(de.attrs["lambda"]) <= lam_max * (1 + 1e-9):
        pieces.append(de)
    pieces.append(dl.sel(lam=dl.lam[dl.lam <= lam_max * (1 + 1e-9)]))
    pieces.append(dg.sel(lam=dg.lam[dg.lam <= lam_max * (1 + 1e-9)]))
    for d in pieces:
        for k in out:
            out[k].append(np.ravel(d[f"J_{k}"].values))
    return {k: np.concatenate(v) for k, v in out.items()}


def _beyond_claims(rep: Report, data: dict) -> None:
    """Claims on the master equations beyond local and global (issue 9), decided on the data."""
    if "unified" in APPROACHES:
        w = _points(data, LAMBDA_WEAK_MAX)
        dev = {a: w[f"{a}"] / w["heom"] - 1 for a in APPROACHES}
        either = (np.abs(dev["local"]) <= BEYOND_TOL) | (np.abs(dev["global"]) <= BEYOND_TOL)
        ok_u = np.abs(dev["unified"][either]) <= BEYOND_TOL
        sign_u = np.sign(w["unified"]) == np.sign(w["heom"])
        rep.add(
            f"weak system–bath coupling (λ ≤ {LAMBDA_WEAK_MAX:g}, κ = 4λ/γ ≤ 1e-2): the unified master equation is "
            f"within {BEYOND_TOL:.0%} of HEOM wherever local or global is, and never has the wrong sign",
            "issue 9 (Trushechkin 2021; Potts, Kalaee & Wacker 2021)",
            bool(np.any(either) and np.all(ok_u) and np.all(sign_u)),
            f"{int(np.sum(either))}/{len(either)} points with local or global within {BEYOND_TOL:.0%}; there unified is "
            f"off by at most {np.max(np.abs(dev['unified'][either])):.1e} (local: {np.max(np.abs(dev['local'])):.1e}, "
            f"global: {np.max(np.abs(dev['global'])):.1e} at worst); {int(np.sum(sign_u))}/{len(sign_u)} with the "
            "HEOM sign",
        )
    if "redfield" in APPROACHES:
        r = _points(data, LAMBDA_REDFIELD_MAX)
        d_r = np.abs(r["redfield"] / r["heom"] - 1)
        rep.add(
            f"Redfield (no secular approximation) is within {BEYOND_TOL:.0%} of HEOM at every point with "
            f"λ ≤ {LAMBDA_REDFIELD_MAX:g}, resonant and detuned",
            "Bloch–Redfield; issue 9",
            bool(np.all(d_r <= BEYOND_TOL)),
            f"{len(d_r)} points: largest |J_Redfield/J_HEOM − 1| = {np.max(d_r):.2e}",
        )
    beyond = [a for a in ("unified", "redfield") if a in APPROACHES]
    if beyond:
        signs: dict[str, list[np.ndarray]] = {a: [] for a in beyond}
        for key in ("eps", "lambda", "grid"):
            for a in beyond:
                signs[a].append(np.ravel(np.sign(data[key][f"J_{a}"].values) == np.sign(data[key].J_heom.values)))
        same = {a: np.concatenate(v) for a, v in signs.items()}
        rep.add(
            f"{' and '.join(beyond)}: heat flows from the hot to the cold bath at every point, as in HEOM (the local "
            "approach has the wrong sign for the detuned pair)",
            "second law; Levy & Kosloff (2014)",
            all(bool(np.all(v)) for v in same.values()),
            ", ".join(f"{a}: {int(np.sum(v))}/{len(v)} points with the HEOM sign" for a, v in same.items()),
        )


# --------------------------------------------------------------------- tables and plots


def grid_table(ds: xr.Dataset) -> str:
    """The (ε, λ) table: J_HEOM, its error estimate and each master equation's relative deviation."""
    lines = [
        "HEOM vs "
        + " vs ".join(APPROACHES)
        + f" (T_h = {PARAMS['T_h']}, T_c = {PARAMS['T_c']}, γ = {PARAMS['gamma']}; "
        "deviation = J_ME/J_HEOM − 1)"
    ]
    head = f"  {'ε':>7} {'λ':>7} {'J_HEOM':>11} {'err':>8} {'depth':>5} {'terms':>5}" + "".join(
        f" {a:>10}" for a in APPROACHES
    )
    for case in ds.case.values:
        d = ds.sel(case=case)
        lines.append(f"{case} (ω_A = {float(d.omega_A):g}, ω_B = {float(d.omega_B):g}):")
        lines.append(head)
        for e in d.epsilon.values:
            for la in d.lam.values:
                c = d.sel(epsilon=e, lam=la)
                devs = "".join(f" {float(c[f'J_{a}'] / c.J_heom - 1):>+10.2e}" for a in APPROACHES)
                lines.append(
                    f"  {e:>7.0e} {la:>7.0e} {float(c.J_heom):>11.4e} {float(c.error_estimate):>8.1e}"
                    f" {int(c.depth):>5d} {int(c.terms):>5d}{devs}"
                )
    return "\n".join(lines)


def _signed(ax, x, y, color, style, label):
    pos = np.where(y > 0, y, np.nan)
    neg = np.where(y < 0, -y, np.nan)
    if np.any(np.isfinite(pos)):
        ax.plot(x, pos, style, color=color, lw=1.8, label=label)
    if np.any(np.isfinite(neg)):
        ax.plot(x, neg, "x", color=color, ms=5, label=f"{label}: J < 0 (|J| shown)")


def plot(data: dict, axes=None, errors: bool = False):
    """Currents (or, with ``errors``, |J_ME/J_HEOM − 1|) against ε and λ, both cases; returns the axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(len(CASES), 2, figsize=(11, 8), squeeze=False)
    for col, (key, dim, xl) in enumerate(
        (("eps", "epsilon", f"inter-qubit coupling ε (λ = {LAMBDA_WEAK})"), ("lambda", "lam", f"λ (ε = {EPS_KT})"))
    ):
        ds = data[key]
        for row, case in enumerate(ds.case.values):
            ax = axes[row][col]
            d = ds.sel(case=case)
            x = d[dim].values
            if errors:
                for a in APPROACHES:
                    color, style = STYLES.get(a, (None, "-"))
                    ax.loglog(x, np.abs(d[f"J_{a}"] / d.J_heom - 1), style, color=color, lw=1.8, label=a)
                ax.loglog(x, d.error_estimate, "k-", lw=1, label="HEOM error estimate")
                ax.set_ylabel("|J_ME / J_HEOM − 1|")
            else:
                ax.loglog(x, d.J_heom, "k-", lw=2.2, label="HEOM")
                for a in APPROACHES:
                    color, style = STYLES.get(a, (None, "-"))
                    _signed(ax, x, d[f"J_{a}"].values, color, style, a)
                ax.set_ylabel("J_h")
            ax.set_title(f"{case}: ω_A = {float(d.omega_A):g}, ω_B = {float(d.omega_B):g}", fontsize=9)
            ax.set_xlabel(xl)
            ax.legend(fontsize=7)
    return axes


# --------------------------------------------------------------------- entry


def run(out_dir, progress: bool = True, echo=print, *, n_points: int = N_POINTS, grid=GRID) -> bool:
    """Compute, write PNG + netCDF + summary into ``out_dir``; True if every claim is reproduced."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    echo("Kato & Tanimura 2015: two-qubit heat current, HEOM vs " + " vs ".join(APPROACHES))
    t0 = time.perf_counter()
    data = compute(n_points, grid, progress=progress, echo=echo)
    elapsed = time.perf_counter() - t0
    rep = claims(data)
    table = grid_table(data["grid"])
    for name, errors in (("kato_tanimura_2015.png", False), ("kato_tanimura_2015_errors.png", True)):
        axes = plot(data, errors=errors)
        fig = axes[0][0].figure
        fig.tight_layout()
        fig.savefig(out / name, dpi=120)
        plt.close(fig)
    for key, ds in data.items():
        try:
            ds.to_netcdf(out / f"kato_tanimura_2015_{key}.nc")
        except (ImportError, ValueError):  # no netCDF backend: keep the data readable anyway
            ds.to_dataframe().to_csv(out / f"kato_tanimura_2015_{key}.csv")
    heom_cost = sum(float(d.cost.sum()) for d in data.values())
    n_ok = sum(c.reproduced for c in rep.claims)
    lines = ["Kato & Tanimura, J. Chem. Phys. 143, 064107 (2015) — claims and whether qheatnet reproduces them", ""]
    for c in rep.claims:
        lines.append(f"[{'reproduced' if c.reproduced else 'NOT REPRODUCED'}] {c.text}  ({c.source})")
        lines.append(f"    evidence: {c.evidence}")
    lines += ["", table, ""]
    lines.append(f"time: {elapsed:.1f} s in all, of which HEOM {heom_cost:.1f} s")
    lines.append(f"{n_ok} of {len(rep.claims)} claims reproduced; figures and data in {out}/")
    text = "\n".join(lines)
    (out / "summary.txt").write_text(text + "\n", encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps(
            {
                "paper": "Kato & Tanimura, J. Chem. Phys. 143, 064107 (2015), doi:10.1063/1.4928192",
                "qheatnet_version": __version__,
                "approaches": ["heom", *APPROACHES],
                "claims": [c.__dict__ for c in rep.claims],
                "timings_s": {"total": elapsed, "heom": heom_cost},
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    echo(text)
    return n_ok == len(rep.claims)


def reproduce(out_dir, quiet: bool = False, **kwargs) -> int:
    """Command-line entry: 0 if every claim is reproduced, 1 otherwise (``kwargs`` go to :func:`run`)."""
    return 0 if run(out_dir, progress=not quiet, echo=(lambda _msg: None) if quiet else print, **kwargs) else 1
