"""Figures of sweep results: 1-D scans and 2-D maps.

Heat currents and entropy production get a sign-aware diverging colour map
centred on zero (blue < 0 < red, as in Fig. 2 of Levy & Kosloff 2014); the
region where the second law is violated (``second_law_violated``) is
outlined in black on maps and marked on scans. Failed points are grey on
maps and gaps on scans. Logarithmically spaced parameters get log axes.

Every plot function takes ``ax=None`` (a new figure) and returns the axes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import ValidationError

__all__ = ["plot_scan", "plot_map", "plot_result", "SIGNED"]

#: Variables whose sign carries the physics (diverging colour map around 0).
SIGNED = ("heat_current", "entropy_production", "first_law_residual")
_LABELS = {
    "heat_current": "heat current J",
    "entropy_production": "entropy production σ",
    "population": "population ⟨n⟩",
    "first_law_residual": "Σ J",
}


def _param_dims(ds: xr.Dataset) -> list[str]:
    return (
        [d for d in ds.heat_current.dims if d not in ("approach", "bath")]
        if "heat_current" in ds
        else [d for d in ds.status.dims if d != "approach"]
    )


def _select(ds, var, approach=None, bath=None, node=None, keep=()):
    if var not in ds:
        raise ValidationError("var", f"the result has no variable {var!r} (has: {', '.join(ds.data_vars)})")
    da = ds[var]
    sel = {}
    for dim, val in (("approach", approach), ("bath", bath), ("node", node)):
        if dim in da.dims:
            if val is None:
                if dim == "approach" and dim in keep:
                    continue
                val = str(da[dim].values[0])
            if val not in [str(v) for v in da[dim].values]:
                raise ValidationError(dim, f"must be one of {', '.join(map(str, da[dim].values))}, got {val!r}")
            sel[dim] = val
    da = da.sel(sel)
    extra = [d for d in _param_dims(ds) if d not in keep]
    fixed = {d: 0 for d in extra}
    return da.isel(fixed), sel, {d: float(ds[d].values[0]) for d in extra}


def _is_log(values) -> bool:
    v = np.asarray(values, dtype=float)
    if len(v) < 3 or np.any(v <= 0):
        return False
    d = np.diff(np.log(v))
    return bool(np.allclose(d, d[0], rtol=1e-6)) and abs(np.log(v[-1] / v[0])) > np.log(20)


def _signed_norm(z, m):
    """Symmetric norm around 0: linear, or symmetric-log when |z| spans more than 3 decades.

    Heat currents and σ often span many decades (σ peaks at resonance); a
    linear scale would hide the sign everywhere else.
    """
    from matplotlib.colors import Normalize, SymLogNorm

    a = np.abs(z[np.isfinite(z) & (z != 0)])
    if a.size == 0 or m / np.percentile(a, 50) < 1e3:
        return Normalize(-m, m)
    return SymLogNorm(linthresh=max(float(np.percentile(a, 5)), m * 1e-15), vmin=-m, vmax=m, base=10)


def _label(ds, dim):
    units = ds[dim].attrs.get("units", "")
    return f"{dim}" + (f" [{units.split(' (')[0]}]" if units else "")


def plot_scan(ds: xr.Dataset, var: str = "heat_current", *, bath=None, node=None, dim=None, ax=None):
    """Line plot of ``var`` against one swept parameter, one line per approach.

    Other swept parameters are held at their first value (stated in the
    title). Points where the second law is violated are marked with ×.
    """
    import matplotlib.pyplot as plt

    dims = _param_dims(ds)
    dim = dim or dims[0]
    if dim not in dims:
        raise ValidationError("dim", f"must be one of {', '.join(dims)}, got {dim!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    da, sel, fixed = _select(ds, var, bath=bath, node=node, keep=(dim, "approach"))
    x = ds[dim].values
    for k, appr in enumerate(ds.approach.values):
        line = da.sel(approach=appr).transpose(dim).values if "approach" in da.dims else da.values
        (h,) = ax.plot(x, line, label=str(appr), color=f"C{k}")
        if "second_law_violated" in ds:
            vio, _, _ = _select(ds, "second_law_violated", keep=(dim, "approach"))
            mask = vio.sel(approach=appr).transpose(dim).values.astype(bool)
            if mask.any():
                ax.plot(x[mask], line[mask], "x", color=h.get_color(), label=f"{appr}: second law violated")
    if var in SIGNED:
        ax.axhline(0.0, color="0.5", lw=0.8)
    if _is_log(x):
        ax.set_xscale("log")
    ax.set_xlabel(_label(ds, dim))
    what = _LABELS.get(var, var) + "".join(f" ({k} {v})" for k, v in sel.items() if k != "approach")
    ax.set_ylabel(what)
    if fixed:
        ax.set_title(", ".join(f"{k} = {v:g}" for k, v in fixed.items()), fontsize=9)
    ax.legend(fontsize=8)
    return ax


def plot_map(
    ds: xr.Dataset,
    var: str = "entropy_production",
    *,
    approach=None,
    bath=None,
    node=None,
    dims=None,
    outline: bool = True,
    ax=None,
):
    """Colour map of ``var`` over two swept parameters (first: x, second: y).

    Signed variables use a diverging map centred on zero with symmetric
    limits; the second-law-violating region is outlined (``outline``).
    """
    import matplotlib.pyplot as plt

    pdims = _param_dims(ds)
    dims = tuple(dims or pdims[:2])
    if len(pdims) < 2 or len(dims) != 2 or any(d not in pdims for d in dims):
        raise ValidationError("dims", f"a map needs two of the swept parameters {', '.join(pdims)}, got {dims!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    da, sel, fixed = _select(ds, var, approach=approach, bath=bath, node=node, keep=dims)
    z = da.transpose(dims[1], dims[0]).values.astype(float)
    x, y = ds[dims[0]].values, ds[dims[1]].values
    if var in SIGNED:
        m = float(np.nanmax(np.abs(z))) if np.any(np.isfinite(z)) else 1.0
        m = m if m > 0 and np.isfinite(m) else 1.0
        cmap, norm = plt.get_cmap("RdBu_r").with_extremes(bad="0.75"), _signed_norm(z, m)
    else:
        cmap, norm = plt.get_cmap("viridis").with_extremes(bad="0.75"), None
    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(z), cmap=cmap, norm=norm, shading="auto")
    ax.figure.colorbar(mesh, ax=ax, label=_LABELS.get(var, var))
    if outline and "second_law_violated" in ds:
        vio, _, _ = _select(ds, "second_law_violated", approach=sel.get("approach"), keep=dims)
        v = vio.transpose(dims[1], dims[0]).values.astype(float)
        if 0 < v.sum() < v.size:
            ax.contour(x, y, v, levels=[0.5], colors="k", linewidths=1.2)
    if _is_log(x):
        ax.set_xscale("log")
    if _is_log(y):
        ax.set_yscale("log")
    ax.set_xlabel(_label(ds, dims[0]))
    ax.set_ylabel(_label(ds, dims[1]))
    title = ", ".join(f"{k} {v}" for k, v in sel.items())
    if fixed:
        title += "; " + ", ".join(f"{k} = {v:g}" for k, v in fixed.items())
    if outline and "second_law_violated" in ds:
        title += " (black: second law violated)"
    ax.set_title(title, fontsize=9)
    return ax


def plot_result(ds: xr.Dataset, folder, stem: str = "sweep", variables=None, bath=None) -> list[Path]:
    """Write the standard figures of a result to ``folder``; returns the PNG paths.

    One parameter: a scan per variable (all approaches in one panel). Two or
    more: a map per variable and approach (other parameters at their first value).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    variables = [v for v in (variables or ("heat_current", "entropy_production")) if v in ds]
    if not variables:
        raise ValidationError("var", f"the result has none of the requested variables (has: {', '.join(ds.data_vars)})")
    paths = []
    one_d = len(_param_dims(ds)) == 1
    for var in variables:
        if one_d:
            fig, ax = plt.subplots(figsize=(6, 4))
            plot_scan(ds, var, bath=bath, ax=ax)
            p = folder / f"{stem}_{var}.png"
        else:
            n = len(ds.approach)
            fig, axes = plt.subplots(1, n, figsize=(6 * n, 4.5), squeeze=False)
            for ax, appr in zip(axes[0], ds.approach.values):
                plot_map(ds, var, approach=str(appr), bath=bath, ax=ax)
            p = folder / f"{stem}_{var}_map.png"
        fig.tight_layout()
        fig.savefig(p, dpi=120)
        plt.close(fig)
        paths.append(p)
    return paths
