r"""The three-qubit absorption refrigerator of Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010).

N. Linden, S. Popescu and P. Skrzypczyk, "How small can thermal machines be?
The smallest possible refrigerator", doi:10.1103/PhysRevLett.105.130401;
the efficiency analysis in P. Skrzypczyk, N. Brunner, N. Linden and
S. Popescu, J. Phys. A 44, 492002 (2011) ("The smallest refrigerators can
reach maximal efficiency").

Model (ħ = k_B = 1). Qubits c (cold bath T_c), r (room T_r) and h (hot T_h)
with ω_r = ω_c + ω_h and the three-body coupling
g(σ_c σ_r† σ_h + h.c.) — in qheatnet a ``product`` coupling with operators
["a", "adag", "a"]: it swaps |1_c 0_r 1_h⟩ ↔ |0_c 1_r 0_h⟩, so each swap takes
ω_c from the cold and ω_h from the hot qubit and gives ω_r to the room one.
Every qubit has its own bath, here ``flat`` baths of rate γ (emission γ,
absorption γe^{−ω/T}) — the paper uses a reset (collision) model; the claims
below do not depend on that choice. The papers' statements follow from the
structure of the swap:

* cooling condition: the swap runs |101⟩ → |010⟩ (cooling c) when the thermal
  weight of |101⟩ exceeds that of |010⟩, e^{−ω_c/T_c − ω_h/T_h} > e^{−ω_r/T_r},
  i.e. ω_c/ω_h < (1/T_r − 1/T_h)/(1/T_c − 1/T_r) = COP_C, the Carnot COP of an
  absorption refrigerator (:func:`qheatnet.thermo.machines.absorption_carnot_cop`);
* COP = J_c/J_h = ω_c/ω_h for weak internal coupling (each swap moves the fixed
  quanta), so COP ≤ COP_C exactly when it cools, and at the threshold the
  machine is reversible: COP → COP_C while the cooling power → 0 (the
  2011 paper).

The known caveat on master equations for this machine (Hofer et al., NJP 19,
123037 (2017); Correa et al., PRE 87, 042131 (2013)): the local approach is
right at weak internal coupling g but misses the dressed levels ω ± g at
strong g; the global (Davies) approach needs the splitting 2g to exceed the
dissipation rates (secular approximation) and fails at weak g, where it
predicts cooling that does not vanish as g → 0 although the qubits decouple.

Computed here (every claim decided by the data; ``run`` returns False if one
fails): the cooling condition and the COP against COP_C over a scan of
ω_c/ω_h, the approach to the reversible limit, and the cooling power against
g for every approach in :data:`APPROACHES` that :func:`qheatnet.solve`
accepts (the others are skipped and the summary says so). Writes
``lps2010.png``, ``lps2010.nc`` (xarray; CSV without a netCDF backend),
``summary.txt`` and ``summary.json``. About 10 s.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import xarray as xr

from .. import __version__
from ..api.solve import APPROACHES as SOLVE_APPROACHES
from ..api.solve import solve
from ..errors import ModelError, QheatnetError
from ..model.network import Bath, Coupling, Network, Node
from ..model.spectra import Flat
from ..thermo.machines import absorption_carnot_cop

__all__ = ["APPROACHES", "PARAMS", "refrigerator", "compute", "claims", "plot", "run"]

#: The approaches compared (those :func:`qheatnet.solve` does not accept yet are skipped, and said so).
APPROACHES: tuple[str, ...] = ("local", "global", "unified")
#: Temperatures (T_c < T_r < T_h), hot-qubit frequency, bath rate γ, the internal coupling of the ω_c scan,
#: and ω_c of the g scan. COP_C = T_c(T_h − T_r)/[T_h(T_r − T_c)] = 0.8 here.
PARAMS = dict(T_c=1.0, T_r=2.0, T_h=10.0, omega_h=2.0, rate=1e-3, g_scan=0.03, omega_c_g=1.0)
#: Agreement of local and global where both are valid (neither flagged), relative.
AGREE_RTOL = 0.02
#: The strongest coupling must separate them by at least this much (relative), the local staying flat.
STRONG_SPLIT = 0.5
FLAT_RTOL = 0.01
#: Local COP equals ω_c/ω_h to this relative precision at weak g (tight coupling, full bookkeeping).
TIGHT_RTOL = 1e-6
#: Fitted log–log slope of the local cooling power at g ≪ γ: 2 within this.
SLOPE_TOL = 0.05


def refrigerator(g: float, omega_c: float, p: dict = PARAMS) -> Network:
    """The three-qubit refrigerator: c (ω_c, T_c), r (ω_c + ω_h, T_r), h (ω_h, T_h), g(σ_cσ_r†σ_h + h.c.)."""
    spec = Flat(p["rate"])
    wh = p["omega_h"]
    return Network(
        nodes=(Node("c", "qubit", omega_c), Node("r", "qubit", omega_c + wh), Node("h", "qubit", wh)),
        couplings=(Coupling(("c", "r", "h"), g, "product", ("a", "adag", "a")),),
        baths=(Bath("cold", "c", p["T_c"], spec), Bath("room", "r", p["T_r"], spec), Bath("hot", "h", p["T_h"], spec)),
    )


def _available() -> tuple[list[str], list[str]]:
    use = [a for a in APPROACHES if a in SOLVE_APPROACHES]
    return use, [a for a in APPROACHES if a not in SOLVE_APPROACHES]


def _point(g, wc, approach):
    r = solve(refrigerator(g, wc), approach)
    codes = {str(d.code) for d in r.diagnostics}
    m = r.machine or {}
    return (
        r.heat_currents["cold"],
        r.heat_currents["hot"],
        r.heat_currents["room"],
        r.entropy_production,
        r.second_law == "violated",
        float(r.solver["current_resolution"]),
        "SECULAR_APPROXIMATION_DOUBTFUL" in codes,
        "LOCAL_STRONG_COUPLING" in codes,
        m.get("mode", ""),
    )


def compute(ratios=None, couplings=None, progress=False, echo=print) -> xr.Dataset:
    """Both scans for every available approach: ω_c/ω_h at fixed g, and g at fixed ω_c (see module docstring)."""
    p = PARAMS
    cop_c = absorption_carnot_cop(p["T_c"], p["T_r"], p["T_h"])
    if ratios is None:
        coarse = np.linspace(0.06, 1.21, 24)  # steps of 0.05, none on the threshold itself
        near = cop_c * (1 - np.array([1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]))
        ratios = np.sort(np.concatenate([coarse, near, [cop_c * (1 + 1e-6), cop_c * (1 + 1e-3)]]))
    if couplings is None:
        couplings = np.geomspace(1e-5, 0.5, 24)
    ratios, couplings = np.asarray(ratios, float), np.asarray(couplings, float)
    use, _ = _available()
    names = ("J_cold", "J_hot", "J_room", "sigma", "violated", "resolution", "secular_flag", "strong_flag", "mode")
    failed_row = (np.nan, np.nan, np.nan, np.nan, False, np.nan, False, False, "failed")
    out: dict[str, dict] = {k: {} for k in ("ratio", "g")}
    refused: dict[str, str] = {}
    for scan, xs in (("ratio", ratios), ("g", couplings)):
        for a in list(use):
            t0 = time.perf_counter()
            rows = []
            for x in xs:
                g, wc = (p["g_scan"], x * p["omega_h"]) if scan == "ratio" else (x, p["omega_c_g"])
                try:
                    rows.append(_point(g, wc, a))
                except QheatnetError as exc:  # an approach that refuses this network is reported, not fatal
                    if isinstance(exc, ModelError) and not rows:
                        refused[a] = str(exc)
                        break
                    rows.append(failed_row)
            if a in refused:
                use.remove(a)
                for sc in out.values():
                    sc.pop(a, None)
                continue
            out[scan][a] = {n: np.array([r[k] for r in rows]) for k, n in enumerate(names)}
            if progress:
                echo(f"  {scan} scan, {a}: {len(xs)} points in {time.perf_counter() - t0:.1f} s")
    data = {}
    for scan, dim in (("ratio", "ratio"), ("g", "g")):
        for n in names:
            arr = np.stack([out[scan][a][n] for a in use])
            data[f"{n}_{scan}"] = (("approach", dim), arr.astype(object) if n == "mode" else arr)
    coords = {
        "approach": ("approach", list(use)),
        "ratio": ("ratio", ratios, {"long_name": "ω_c/ω_h (at g = g_scan)"}),
        "g": ("g", couplings, {"long_name": "three-body coupling g (at ω_c = omega_c_g)", "units": "energy"}),
    }
    attrs = {
        "qheatnet_version": __version__,
        "reference": "Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010)",
        "carnot_cop": cop_c,
        **{k: float(v) for k, v in p.items()},
        "bath": f"flat rate={p['rate']}",
        "currents": "full bookkeeping; J > 0: heat from the bath into the network",
        "refused": json.dumps(refused),
    }
    ds = xr.Dataset(data, coords=coords, attrs=attrs)
    for scan in ("ratio", "g"):
        ds[f"cop_{scan}"] = ds[f"J_cold_{scan}"] / ds[f"J_hot_{scan}"]
    return ds


def _slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def claims(ds: xr.Dataset) -> list[dict]:
    """The claims, each with its evidence and a verdict computed from ``ds``."""
    p = PARAMS
    cop_c = float(ds.attrs["carnot_cop"])
    use = [str(a) for a in ds.approach.values]
    out = []

    def claim(text, ok, evidence):
        out.append({"claim": text, "reproduced": bool(ok), "evidence": evidence})

    r = ds.ratio.values
    # 1. cooling condition
    for a in ("local", "global"):
        if a not in use:
            continue
        d = ds.sel(approach=a)
        j = d.J_cold_ratio.values
        res = d.resolution_ratio.values
        coarse = np.abs(r - cop_c) > 0.02 * cop_c  # away from the threshold by more than the dressing 2g/ω_h
        agree = (j[coarse] > res[coarse]) == (r[coarse] < cop_c)
        claim(
            f"{a}: J_cold > 0 exactly where ω_c/ω_h < COP_C = {cop_c:.4g} (cooling condition; scan points more "
            "than 2 % from the threshold)",
            np.all(agree),
            f"{int(np.sum(agree))} of {int(np.sum(coarse))} points agree",
        )
        cross = np.flatnonzero(np.diff(np.sign(j)) != 0)
        if len(cross):
            k = cross[-1] if a == "local" else cross[0]
            r0 = float(r[k] - j[k] * (r[k + 1] - r[k]) / (j[k + 1] - j[k]))
            tol = 1e-5 if a == "local" else 2 * p["g_scan"] / p["omega_h"]
            claim(
                f"{a}: the cooling threshold lies at COP_C"
                + (" (to 1e-5)" if a == "local" else " within the dressing 2g/ω_h of the levels"),
                abs(r0 / cop_c - 1) <= tol,
                f"sign change at ω_c/ω_h = {r0:.8g} (COP_C = {cop_c:.8g}, relative offset {r0 / cop_c - 1:.2e})",
            )
    # 2. COP ≤ Carnot wherever the second law holds
    for a in use:
        worst, n = -math.inf, 0
        for scan in ("ratio", "g"):
            d = ds.sel(approach=a)
            cool = (d[f"J_cold_{scan}"].values > d[f"resolution_{scan}"].values) & (d[f"J_hot_{scan}"].values > 0)
            ok2 = ~d[f"violated_{scan}"].values.astype(bool) & cool
            cop = d[f"cop_{scan}"].values[ok2]
            n += int(ok2.sum())
            if cop.size:
                worst = max(worst, float(np.max(cop)) / cop_c)
        viol = int(sum(int(ds.sel(approach=a)[f"violated_{s}"].values.astype(bool).sum()) for s in ("ratio", "g")))
        claim(
            f"{a}: COP ≤ COP_C at every cooling point where the second law holds",
            worst <= 1 + 1e-9,
            f"{n} cooling points, largest COP/COP_C = {worst:.8f}; second-law violations: {viol}",
        )
    # 3. tight coupling and the reversible limit (local)
    if "local" in use:
        d = ds.sel(approach="local")
        cool = d.J_cold_ratio.values > d.resolution_ratio.values  # cooling resolved above round-off
        rel = np.abs(d.cop_ratio.values[cool] / r[cool] - 1)
        claim(
            "local: COP = ω_c/ω_h at every cooling point (each swap moves ω_c out of the cold and ω_h out of the "
            "hot qubit)",
            float(np.max(rel)) <= TIGHT_RTOL,
            f"largest |COP/(ω_c/ω_h) − 1| = {float(np.max(rel)):.2e}",
        )
        k = int(np.flatnonzero(cool)[-1])
        jmax = float(np.max(d.J_cold_ratio.values))
        claim(
            "local: reversible limit — at ω_c/ω_h → COP_C the COP tends to COP_C while the cooling power vanishes",
            (1 - float(d.cop_ratio.values[k]) / cop_c) < 1e-5 and float(d.J_cold_ratio.values[k]) / jmax < 1e-4,
            f"at ω_c/ω_h = COP_C(1 − {1 - r[k] / cop_c:.0e}): COP/COP_C = {float(d.cop_ratio.values[k]) / cop_c:.8f}, "
            f"J_cold/max J_cold = {float(d.J_cold_ratio.values[k]) / jmax:.2e}",
        )
    # 4–6. cooling power against g
    g = ds.g.values
    if "local" in use and "global" in use:
        lo, gl = ds.sel(approach="local"), ds.sel(approach="global")
        jl, jg = lo.J_cold_g.values, gl.J_cold_g.values
        weak = g <= p["rate"] / 10
        if int(np.sum(weak)) >= 3:
            slope = _slope(g[weak], jl[weak])
            claim(
                "weak g: the local cooling power vanishes as g² (the qubits decouple)",
                abs(slope - 2) <= SLOPE_TOL,
                f"log–log slope {slope:.4f} for g ≤ γ/10 = {p['rate'] / 10:g}",
            )
        else:
            claim("weak g: the local cooling power vanishes as g²", False, "fewer than 3 points with g ≤ γ/10")
        both = ~gl.secular_flag_g.values.astype(bool) & ~lo.strong_flag_g.values.astype(bool)
        ref = int(np.flatnonzero(both)[0]) if np.any(both) else len(g) // 2
        claim(
            "weak g: the global approach fails — its cooling power does not vanish as g → 0, and qheatnet flags "
            "its secular approximation there",
            jg[0] / jg[ref] > 0.9 and bool(gl.secular_flag_g.values[0]),
            f"J_global(g = {g[0]:.1e}) / J_global(g = {g[ref]:.2g}) = {jg[0] / jg[ref]:.4f} (local: "
            f"{jl[0] / jl[ref]:.2e}); SECULAR_APPROXIMATION_DOUBTFUL at g = {g[0]:.1e}: "
            f"{bool(gl.secular_flag_g.values[0])}",
        )
        if np.any(both):
            dev = np.abs(jl[both] / jg[both] - 1)
            claim(
                f"intermediate g (neither approach flagged): local and global agree within {AGREE_RTOL:.0%}",
                float(np.max(dev)) <= AGREE_RTOL,
                f"g ∈ [{g[both][0]:.2g}, {g[both][-1]:.2g}]: largest |J_local/J_global − 1| = {float(np.max(dev)):.2e}",
            )
        else:
            claim("intermediate g: a window where neither approach is flagged exists", False, "no such g on the grid")
        split = abs(jl[-1] / jg[-1] - 1)
        flat = abs(jl[-1] / jl[ref] - 1)
        claim(
            "strong g: the local approach fails — it keeps the weak-coupling cooling power (and is flagged "
            "LOCAL_STRONG_COUPLING) while the global one, whose secular condition holds, falls as the dressed "
            "levels ω ± g detune from the baths",
            split >= STRONG_SPLIT
            and flat <= FLAT_RTOL
            and bool(lo.strong_flag_g.values[-1])
            and not bool(gl.secular_flag_g.values[-1]),
            f"g = {g[-1]:.2g}: J_local/J_global = {jl[-1] / jg[-1]:.3f}, J_local(g)/J_local(g = {g[ref]:.2g}) − 1 = "
            f"{jl[-1] / jl[ref] - 1:.1e}",
        )
    if "unified" in use and "local" in use and "global" in use:
        un = ds.sel(approach="unified").J_cold_g.values
        jl, jg = ds.sel(approach="local").J_cold_g.values, ds.sel(approach="global").J_cold_g.values
        claim(
            "unified: follows the local approach at weak g and the global one at strong g (within 5 %)",
            abs(un[0] / jl[0] - 1) <= 0.05 and abs(un[-1] / jg[-1] - 1) <= 0.05,
            f"unified/local at g = {g[0]:.1e}: {un[0] / jl[0]:.4f}; unified/global at g = {g[-1]:.2g}: {un[-1] / jg[-1]:.4f}",
        )
    return out


#: Resolution (dots per inch) and size (inches) of ``lps2010.png``.
DPI = 120
FIGSIZE = (11.5, 8.0)
_STYLE = {"local": ("b", "--", "o"), "global": ("r", ":", "s"), "unified": ("g", "-.", "^")}


def plot(ds: xr.Dataset, axes=None):
    """(a) J_cold and (b) the COP against ω_c/ω_h; (c) J_cold and (d) the COP against g. Returns the axes."""
    import matplotlib.pyplot as plt

    new = axes is None
    if new:
        fig, axes = plt.subplots(2, 2, figsize=FIGSIZE, squeeze=False, layout="constrained")
    cop_c = float(ds.attrs["carnot_cop"])
    r, g = ds.ratio.values, ds.g.values
    (a1, a2), (a3, a4) = axes
    for a in ds.approach.values:
        c, ls, mk = _STYLE.get(str(a), ("k", "-", "x"))
        d = ds.sel(approach=a)
        a1.plot(r, d.J_cold_ratio, color=c, ls=ls, marker=mk, ms=3, label=str(a))
        cool = d.J_cold_ratio.values > 0
        a2.plot(r[cool], d.cop_ratio.values[cool], color=c, ls=ls, marker=mk, ms=3, label=str(a))
        a3.loglog(g, np.abs(d.J_cold_g), color=c, ls=ls, marker=mk, ms=3, label=str(a))
        a4.semilogx(g, d.cop_g, color=c, ls=ls, marker=mk, ms=3, label=str(a))
    a1.axhline(0, color="0.5", lw=0.8)
    a1.axvline(cop_c, color="k", ls="-.", lw=1, label=f"Carnot COP = {cop_c:g}")
    a1.set_xlabel(r"$\omega_c/\omega_h$")
    a1.set_ylabel(r"cooling power $J_{\rm cold}$ (> 0: cooling)")
    a1.set_title(rf"(a) cooling condition, $g$ = {ds.attrs['g_scan']:g}", fontsize=10, loc="left")
    a2.plot(r[r < cop_c], r[r < cop_c], color="0.6", lw=4, alpha=0.5, label=r"$\omega_c/\omega_h$ (tight coupling)")
    a2.axhline(cop_c, color="k", ls="-.", lw=1, label="Carnot COP")
    a2.set_xlabel(r"$\omega_c/\omega_h$")
    a2.set_ylabel(r"COP $= J_{\rm cold}/J_{\rm hot}$")
    a2.set_title("(b) COP against the Carnot bound (cooling points)", fontsize=10, loc="left")
    a3.axvline(ds.attrs["rate"], color="0.4", ls="-.", lw=1, label=r"$g = \gamma$ (bath rate)")
    gg = g[g <= ds.attrs["rate"] / 10]
    if gg.size and "local" in [str(a) for a in ds.approach.values]:
        jl = ds.sel(approach="local").J_cold_g.values
        a3.loglog(gg, jl[0] * (gg / g[0]) ** 2, color="0.5", lw=0.8, label=r"$\propto g^2$")
    a3.set_xlabel("three-body coupling g")
    a3.set_ylabel(r"$J_{\rm cold}$")
    a3.set_title(
        rf"(c) cooling power against g, $\omega_c/\omega_h$ = {ds.attrs['omega_c_g'] / ds.attrs['omega_h']:g}",
        fontsize=10,
        loc="left",
    )
    a4.axhline(ds.attrs["omega_c_g"] / ds.attrs["omega_h"], color="0.6", lw=4, alpha=0.5, label=r"$\omega_c/\omega_h$")
    a4.set_xlabel("three-body coupling g")
    a4.set_ylabel("COP")
    a4.set_title("(d) COP against g", fontsize=10, loc="left")
    for ax in (a1, a2, a3, a4):
        ax.legend(fontsize=7)
    if new:
        fig.suptitle(
            "Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010): three-qubit absorption refrigerator\n"
            rf"$T_c$ = {ds.attrs['T_c']:g}, $T_r$ = {ds.attrs['T_r']:g}, $T_h$ = {ds.attrs['T_h']:g}, "
            rf"$\omega_h$ = {ds.attrs['omega_h']:g}, $\omega_r = \omega_c + \omega_h$, flat baths $\gamma$ = "
            f"{ds.attrs['rate']:g}; full bookkeeping",
            fontsize=10,
        )
    return axes


def run(out_dir, progress: bool = True, echo=print, ratios=None, couplings=None) -> bool:
    """Compute, print and write the figure, data and claims summary into ``out_dir``; True if all reproduced."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _, skipped = _available()
    echo("Linden, Popescu & Skrzypczyk 2010: the three-qubit absorption refrigerator")
    ds = compute(ratios, couplings, progress=progress, echo=echo)
    use = [str(a) for a in ds.approach.values]
    refused = json.loads(ds.attrs["refused"])
    found = claims(ds)
    lines = [
        "Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010): three-qubit absorption refrigerator",
        f"approaches compared: {', '.join(use)}"
        + (f"; skipped (not accepted by qheatnet.solve yet): {', '.join(skipped)}" if skipped else "")
        + "".join(f"; {a} refused this network: {why}" for a, why in refused.items()),
        f"Carnot COP = {float(ds.attrs['carnot_cop']):.6g}",
        "",
    ]
    for c in found:
        lines.append(f"[{'reproduced' if c['reproduced'] else 'NOT REPRODUCED'}] {c['claim']}")
        lines.append(f"    {c['evidence']}")
    for line in lines:
        echo(line)
    axes = plot(ds)
    fig = axes[0][0].figure
    fig.savefig(out / "lps2010.png", dpi=DPI)
    plt.close(fig)
    try:
        ds.to_netcdf(out / "lps2010.nc")
    except (ImportError, ValueError):  # no netCDF backend: keep the data readable anyway
        ds.drop_vars([v for v in ds.data_vars if ds[v].dtype == object]).to_dataframe().to_csv(out / "lps2010.csv")
    (out / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = {
        "paper": "Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010)",
        "approaches": use,
        "skipped_approaches": {
            **{a: "not accepted by qheatnet.solve yet" for a in skipped},
            **{a: f"refused: {why}" for a, why in refused.items()},
        },
        "carnot_cop": float(ds.attrs["carnot_cop"]),
        "claims": found,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    echo(f"wrote {out / 'lps2010.png'}, lps2010.nc and summary.txt/json in {time.perf_counter() - t0:.1f} s")
    return all(c["reproduced"] for c in found)
