"""Figures of sweep results: 1-D scans and 2-D maps, and the figure helpers the package shares.

Scans
    One line per approach, with markers (a different one per approach, so
    coinciding lines stay visible). The y axis is chosen from the data
    (:func:`choose_scale`): linear when the values span less than
    :data:`LINEAR_MAX_DECADES` decades, logarithmic when they are positive,
    symmetric-logarithmic otherwise. Points where the second law is
    violated are marked ×; points flagged by another diagnostic
    (:data:`FLAG_CODES`) get a band in the approach's colour along the top
    of the axes and open markers.
Maps
    Heat currents and entropy production get a sign-aware diverging colour
    map centred on zero (blue < 0 < red, as in Fig. 2 of Levy & Kosloff
    2014), symmetric-logarithmic when |z| spans many decades, with colour-bar
    ticks only at 0 and whole decades outside the linear region
    (:func:`signed_colorbar`). The region where the second law is violated
    is hatched and outlined in black; the region flagged by other
    diagnostics is outlined in grey (dashed). Failed points are grey.
TUR ratio
    ``tur_ratio`` (:mod:`qheatnet.thermo.fluctuations`) is drawn with its bound 𝒬 = 1 of the
    thermodynamic uncertainty relation: a dashed line on scans (points below it marked ▽), the
    contour 𝒬 = 1 on maps with the violating region hatched.

Validity maps
    A sweep with a reference (``reference = "exact" | "heom"``) carries each approach's relative
    deviation δ from it (the ``deviation`` variable). :func:`plot_validity_map` colours every point
    of two swept parameters by the set of approaches within a tolerance of the reference (like
    Fig. 2 of Levy & Kosloff, but for validity); :func:`plot_deviation_map` shows δ of one approach
    with the contour δ = tolerance; :func:`plot_deviation_scan` is the 1-D version.

Every figure says what is held fixed: its title lists the parameters of
the base network that the sweep did not vary (and the value at which other
swept parameters are held). Logarithmically spaced parameters get log
axes. Every plot function takes ``ax=None`` (a new figure) and returns the
axes; legends sit outside the axes, so they never hide data.
"""

from __future__ import annotations

import json
import math
import textwrap
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import ValidationError

__all__ = [
    "plot_scan",
    "plot_map",
    "plot_result",
    "load_result",
    "choose_scale",
    "apply_scale",
    "signed_ticks",
    "signed_colorbar",
    "fixed_parameters",
    "SIGNED",
    "FLAG_CODES",
    "LINEAR_MAX_DECADES",
    "SCALE_MAX_DECADES",
    "validity_categories",
    "plot_validity_map",
    "plot_deviation_map",
    "plot_deviation_scan",
    "plot_validity",
    "PER_BATH",
    "TUR_BOUND",
    "plot_network",
    "network_layout",
    "write_network_figure",
]

#: Variables whose sign carries the physics (diverging colour map around 0).
SIGNED = ("heat_current", "entropy_production", "first_law_residual")
#: Diagnostics shaded on scans and outlined on maps: the physics warnings of
#: :mod:`qheatnet.thermo.diagnostics` except SECOND_LAW_VIOLATED (marked on
#: its own) and the informational FOCK_TRUNCATION / POPULATIONS_PARTIAL
#: (they say how a number was obtained, not that it is doubtful).
FLAG_CODES = (
    "CURRENT_AT_EQUAL_TEMPERATURE",
    "LOCAL_STRONG_COUPLING",
    "LOCAL_DETUNED_NODES",
    "SECULAR_APPROXIMATION_DOUBTFUL",
    "UNBOUNDED_HAMILTONIAN",
    "SLOW_NORMAL_MODE",
    "CURRENT_AT_ROUND_OFF",
)
#: Data whose non-zero |values| span fewer decades than this are drawn on a
#: linear axis: below two decades a linear axis still resolves every point.
LINEAR_MAX_DECADES = 2.0
#: A logarithmic axis shows at most this many decades below the largest
#: |value|: smaller values are at the level of the currents' round-off
#: (relative 1e-12 of the gross exchange, ``current_resolution``) and would
#: only stretch the axis.
SCALE_MAX_DECADES = 12.0
#: Most whole-decade ticks per sign on a symmetric-log colour bar (more overlap at 4.5 in).
MAX_TICKS_PER_SIGN = 4
_MARKERS = ("o", "s", "^", "D", "v", "P")
#: Height of one flag band on a scan (fraction of the axes).
_BAND = 0.035
#: Markers per line on a scan (every point up to this many).
_MAX_MARKERS = 25
_LABELS = {
    "heat_current": "heat current J",
    "entropy_production": "entropy production σ",
    "population": "population ⟨n⟩",
    "first_law_residual": "Σ J",
    "current_noise": "heat-current noise S",
    "third_cumulant": "third cumulant ⟨⟨Q³⟩⟩/t",
    "fano_factor": "Fano factor S/|J|",
    "tur_ratio": "TUR ratio Q = Sσ/(2J²)",
}
#: Variables with one value per bath (the file name and the selection name the bath).
PER_BATH = ("heat_current", "current_noise", "third_cumulant", "fano_factor", "tur_ratio")
#: The bound of the thermodynamic uncertainty relation, 𝒬 ≥ TUR_BOUND (classical Markov jump processes).
TUR_BOUND = 1.0


# ---------------------------------------------------------------------------
# helpers shared by the package's figures
# ---------------------------------------------------------------------------


def choose_scale(values) -> tuple[str, dict]:
    """Axis scale for ``values``: ``("linear", {})``, ``("log", {})`` or ``("symlog", {"linthresh": …})``.

    Let a be the finite non-zero |values| and D = log10(max a / min a).
    D < :data:`LINEAR_MAX_DECADES` → linear; all values > 0 → log; else
    symmetric log with the linear region below the decade of
    max(min a, 10^−SCALE_MAX_DECADES · max a), so that every value above
    that floor lies in the logarithmic part and zeros sit at 0.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    a = np.abs(v[v != 0])
    if a.size == 0:
        return "linear", {}
    top = float(a.max())
    low = max(float(a.min()), top * 10.0**-SCALE_MAX_DECADES)
    if math.log10(top / low) < LINEAR_MAX_DECADES:
        return "linear", {}
    if np.all(v > 0) and float(a.min()) >= low:
        return "log", {}
    return "symlog", {"linthresh": 10.0 ** math.floor(math.log10(low)), "linscale": 0.5}


def apply_scale(ax, values, axis: str = "y") -> str:
    """Set the scale of ``ax``'s ``axis`` from :func:`choose_scale`; returns the scale name."""
    name, kw = choose_scale(values)
    (ax.set_yscale if axis == "y" else ax.set_xscale)(name, **kw)
    if name == "symlog":
        from matplotlib.ticker import SymmetricalLogLocator

        lin = kw["linthresh"]
        getattr(ax, f"{axis}axis").set_major_locator(SymmetricalLogLocator(base=10, linthresh=lin, subs=[1.0]))
    return name


def signed_ticks(vmax: float, linthresh: float, max_per_side: int = MAX_TICKS_PER_SIGN) -> np.ndarray:
    """Ticks of a symmetric-log scale from −vmax to vmax: 0 and ±10^k.

    Only decades 10^k ≥ 10·linthresh are used, so no label sits in the
    linear region next to the label 0 (where 10⁻¹⁵, 0 and −10⁻¹⁵ would
    overlap); at most ``max_per_side`` decades per sign, evenly thinned from
    the top decade down.
    """
    hi = math.floor(math.log10(vmax))
    lo = math.ceil(math.log10(linthresh)) + 1
    if hi < lo:
        return np.array([-vmax, 0.0, vmax])
    ks = np.arange(lo, hi + 1)[::-1]
    ks = ks[:: max(1, math.ceil(len(ks) / max_per_side))][::-1]
    pos = 10.0 ** ks.astype(float)
    return np.concatenate([-pos[::-1], [0.0], pos])


def _tick_text(v: float) -> str:
    if v == 0:
        return "0"
    k = math.log10(abs(v))
    if abs(k - round(k)) < 1e-9:
        return ("−" if v < 0 else "") + f"$10^{{{int(round(k))}}}$"
    return f"{v:.2g}"


def signed_colorbar(mappable, ax, label: str):
    """Colour bar of a sign-aware map; symmetric-log norms get :func:`signed_ticks`."""
    from matplotlib.colors import SymLogNorm

    cb = ax.figure.colorbar(mappable, ax=ax, label=label)
    norm = mappable.norm
    if isinstance(norm, SymLogNorm):
        ticks = signed_ticks(float(norm.vmax if norm.vmax is not None else 1.0), norm.linthresh)
        cb.set_ticks(ticks, labels=[_tick_text(t) for t in ticks])
        cb.ax.minorticks_off()
    return cb


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


def load_result(path) -> xr.Dataset:
    """Open a sweep result for plotting; anything else is one ValidationError naming the file.

    Raises
    ------
    ValidationError
        ``path`` is missing, unreadable, a network or sweep file (TOML), or
        a dataset that was not written by ``qheatnet sweep``.
    """
    from .dataset import open_result, result_format

    p = Path(path)
    expected = "a sweep result (netCDF *.nc or Zarr *.zarr written by `qheatnet sweep SWEEP.toml --out RESULT`)"
    if not p.exists():
        raise ValidationError(str(p), f"no such file; expected {expected}")
    if p.is_file() and result_format(p) == "netcdf":
        head = p.read_bytes()[:8]
        if not (head.startswith(b"CDF") or head.startswith(b"\x89HDF")):
            hint = ""
            if p.suffix == ".toml":
                hint = " — this looks like a network or sweep file: run `qheatnet sweep` on a sweep file first"
            raise ValidationError(str(p), f"not {expected}{hint}")
    try:
        ds = open_result(p)
    except Exception as exc:  # any reader failure: one line, not a traceback
        raise ValidationError(str(p), f"cannot be read as {expected} ({type(exc).__name__}: {exc})") from None
    if "approach" not in ds.dims or "status" not in ds:
        raise ValidationError(str(p), f"is a dataset but not {expected} (no 'approach' dimension or 'status')")
    return ds


def _param_dims(ds: xr.Dataset) -> list[str]:
    return (
        [d for d in ds.heat_current.dims if d not in ("approach", "bath")]
        if "heat_current" in ds
        else [d for d in ds.status.dims if d != "approach"]
    )


def _select(ds, var, approach=None, bath=None, node=None, keep=()):
    if var not in ds:
        raise ValidationError("var", f"the result has no variable {var!r} (has: {', '.join(map(str, ds.data_vars))})")
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


def _label(ds, dim):
    """Axis label of a swept parameter: its name, the path it drives when that differs, and its units."""
    attrs = ds[dim].attrs
    units = attrs.get("units", "")
    path = attrs.get("path", dim)
    text = dim if path == dim else f"{dim} ({path})"
    return text + (f" [{units.split(' (')[0]}]" if units else "")


def _zipped_lines(ds, dims) -> list[str]:
    """One line per zipped dimension among ``dims``: its members and their value ranges."""
    out = []
    for d in dims:
        members = [m.strip() for m in ds[d].attrs.get("zipped", "").split(",") if m.strip()]
        if members:
            parts = [
                f"{m} = {float(ds[m].values[0]):g} … {float(ds[m].values[-1]):g}" for m in members if m in ds.coords
            ]
            out.append(f"{d} zips: " + ", ".join(parts))
    return out


def _swept_locations(ds, network) -> set:
    """Locations (see :class:`~qheatnet.sweeps.spec.Target`) of every field the sweep varied."""
    from .spec import resolve_path

    try:
        params = json.loads(ds.attrs.get("parameters", "[]"))
    except ValueError:
        params = []
    paths = []
    for p in params:
        if "members" in p:
            for m in p["members"]:
                paths += m.get("targets", [m.get("path")])
        else:
            paths += p.get("targets", [p.get("path")])
    out = set()
    for path in paths:
        try:
            out.add(resolve_path(network, path).location)
        except (ValidationError, TypeError):
            pass
    return out


def fixed_parameters(ds: xr.Dataset, width: int = 100) -> str:
    """The base-network parameters a sweep did not vary, as one or more short lines.

    Groups of equal values are compressed ("ω = 1 (all 4 nodes)"); empty
    when the result does not carry its network.
    """
    from ..io.network_file import loads_network

    text = ds.attrs.get("network")
    if not text:
        return ""
    try:
        net = loads_network(text)
    except ValidationError:
        return ""
    swept = _swept_locations(ds, net)
    groups: list[tuple[str, str, list[tuple[str, float]]]] = [
        (
            "ω",
            "nodes",
            [(n.name, n.frequency) for i, n in enumerate(net.nodes) if ("nodes", i, "frequency") not in swept],
        ),
        (
            "ε",
            "couplings",
            [(c.label, c.strength) for i, c in enumerate(net.couplings) if ("couplings", i, "strength") not in swept],
        ),
        (
            "T",
            "baths",
            [(b.name, b.temperature) for i, b in enumerate(net.baths) if ("baths", i, "temperature") not in swept],
        ),
    ]
    params = sorted({p for b in net.baths for p in b.spectrum.params})
    for p in params:
        items = [
            (b.name, getattr(b.spectrum, p))
            for i, b in enumerate(net.baths)
            if p in b.spectrum.params and ("baths", i, "spectrum", p) not in swept
        ]
        groups.append(({"kappa": "κ", "cutoff": "ω_cut"}.get(p, p), "baths", items))
    parts = []
    for sym, what, items in groups:
        if not items:
            continue
        values = {v for _, v in items}
        if len(items) > 2 and len(values) == 1:
            parts.append(f"{sym} = {items[0][1]:g} (all {len(items)} {what})")
        else:
            parts += [f"{sym}_{name} = {v:g}" for name, v in items]
    return "\n".join(textwrap.wrap(", ".join(parts), width=width)) if parts else ""


def _spans(x, mask, log: bool):
    """[(left, right)] of contiguous runs of ``mask``, each widened to the midpoints to its neighbours."""
    x = np.asarray(x, dtype=float)
    if len(x) == 1:
        return [(x[0] * 0.99, x[0] * 1.01)] if mask[0] else []
    t = np.log(x) if log else x
    mids = (t[1:] + t[:-1]) / 2
    edges = np.concatenate([[t[0] - (mids[0] - t[0])], mids, [t[-1] + (t[-1] - mids[-1])]])
    out, i = [], 0
    while i < len(x):
        if mask[i]:
            j = i
            while j + 1 < len(x) and mask[j + 1]:
                j += 1
            lo, hi = edges[i], edges[j + 1]
            out.append((math.exp(lo), math.exp(hi)) if log else (lo, hi))
            i = j + 1
        else:
            i += 1
    return out


def _flags(ds, approach, dims):
    """(mask, codes): points of ``approach`` flagged by a :data:`FLAG_CODES` diagnostic, over ``dims``."""
    if "diagnostics" not in ds:
        return None, []
    codes = [c for c in FLAG_CODES if c in [str(v) for v in ds.diagnostic.values]]
    if not codes:
        return None, []
    d = ds.diagnostics.sel(approach=approach, diagnostic=codes)
    d = d.isel({k: 0 for k in _param_dims(ds) if k not in dims})
    found = [c for c in codes if bool(d.sel(diagnostic=c).any())]
    return d.any("diagnostic").transpose(*dims).values.astype(bool), found


# ---------------------------------------------------------------------------
# scans and maps
# ---------------------------------------------------------------------------


def plot_scan(ds: xr.Dataset, var: str = "heat_current", *, bath=None, node=None, dim=None, ax=None):
    """Line plot of ``var`` against one swept parameter, one line per approach.

    Other swept parameters are held at their first value; the title states
    them and every fixed parameter of the base network. Markers show the
    points; × marks where the second law is violated; a band along the top
    and open markers show points flagged by a :data:`FLAG_CODES` diagnostic.
    The y scale follows :func:`choose_scale`. The legend is outside the axes.
    """
    import matplotlib.pyplot as plt

    dims = _param_dims(ds)
    dim = dim or dims[0]
    if dim not in dims:
        raise ValidationError("dim", f"must be one of {', '.join(dims)}, got {dim!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 5.6), layout="constrained")
    da, sel, fixed = _select(ds, var, bath=bath, node=node, keep=(dim, "approach"))
    x = ds[dim].values
    logx = _is_log(x)
    every = max(1, math.ceil(len(x) / _MAX_MARKERS))
    lines, n_bands = {}, 0
    for k, appr in enumerate(ds.approach.values):
        y = da.sel(approach=appr).transpose(dim).values if "approach" in da.dims else da.values
        lines[str(appr)] = y
        marker = _MARKERS[k % len(_MARKERS)]
        (h,) = ax.plot(x, y, marker=marker, ms=4.5, markevery=every, lw=1.4, label=str(appr), color=f"C{k}")
        mask, codes = _flags(ds, str(appr), (dim,))
        if mask is not None and mask.any():
            band = (1 - _BAND * (k + 1), 1 - _BAND * k)
            for n, (lo, hi) in enumerate(_spans(x, mask, logx)):
                ax.axvspan(
                    lo,
                    hi,
                    ymin=band[0],
                    ymax=band[1],
                    color=h.get_color(),
                    alpha=0.45,
                    lw=0,
                    label=f"{appr}: flagged {', '.join(codes)} (band, open markers)" if n == 0 else None,
                )
            shown = np.zeros(len(x), dtype=bool)
            shown[::every] = True
            sel_m = mask & shown
            ax.plot(x[sel_m], y[sel_m], marker, ms=4.5, mfc="white", mec=h.get_color(), ls="none")
            n_bands = k + 1
        if var == "tur_ratio":
            below = np.isfinite(y) & (y < TUR_BOUND)
            if below.any():
                ax.plot(x[below], y[below], "v", ms=7, mfc="none", color=h.get_color(), label=f"{appr}: TUR violated")
        if "second_law_violated" in ds:
            vio, _, _ = _select(ds, "second_law_violated", keep=(dim, "approach"))
            vmask = vio.sel(approach=appr).transpose(dim).values.astype(bool)
            if vmask.any():
                ax.plot(x[vmask], y[vmask], "x", ms=7, color=h.get_color(), label=f"{appr}: second law violated")
    yscale = apply_scale(ax, np.concatenate(list(lines.values())) if lines else [], "y")
    ax.margins(y=0.05 + _BAND * n_bands)  # room for the flag bands above the data
    values = np.concatenate(list(lines.values())) if lines else np.zeros(0)
    if yscale == "symlog" and np.nanmax(values) <= 0:  # all ≤ 0: no empty positive half
        ax.set_ylim(top=ax.yaxis.get_transform().linthresh)
    if var in SIGNED and yscale != "log":
        ax.axhline(0.0, color="0.5", lw=0.8)
    if var == "tur_ratio":
        ax.axhline(TUR_BOUND, color="k", ls="--", lw=1.0, label="TUR bound Q = 1 (classical Markov jump processes)")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(_label(ds, dim))
    what = _LABELS.get(var, var) + "".join(f" ({k} {v})" for k, v in sel.items() if k != "approach")
    ax.set_ylabel(what)
    ax.set_title(_title(ds, "", fixed, (dim,)), fontsize=8, loc="left")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.14), borderaxespad=0.0)
    return ax


def _title(ds, head: str, fixed: dict, dims=()) -> str:
    lines = [head] if head else []
    lines += _zipped_lines(ds, dims)
    if fixed:
        lines.append("held at: " + ", ".join(f"{k} = {v:g}" for k, v in fixed.items()))
    rest = fixed_parameters(ds, width=90)
    if rest:
        lines.append("fixed: " + rest.replace("\n", "\n    "))
    return "\n".join(lines)


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
    limits; with ``outline`` the second-law-violating region is hatched and
    outlined in black and the region flagged by :data:`FLAG_CODES` is
    outlined in dashed grey (both explained in a legend below the axes).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    pdims = _param_dims(ds)
    dims = tuple(dims or pdims[:2])
    if len(pdims) < 2 or len(dims) != 2 or any(d not in pdims for d in dims):
        raise ValidationError("dims", f"a map needs two of the swept parameters {', '.join(pdims)}, got {dims!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5.5), layout="constrained")
    da, sel, fixed = _select(ds, var, approach=approach, bath=bath, node=node, keep=dims)
    z = da.transpose(dims[1], dims[0]).values.astype(float)
    x, y = ds[dims[0]].values, ds[dims[1]].values
    if var in SIGNED:
        m = float(np.nanmax(np.abs(z))) if np.any(np.isfinite(z)) else 1.0
        m = m if m > 0 and np.isfinite(m) else 1.0
        cmap, norm = plt.get_cmap("RdBu_r").with_extremes(bad="0.75"), _signed_norm(z, m)
        cbar_label = _LABELS.get(var, var) + " (red > 0, blue < 0)"
    else:
        cmap, norm = plt.get_cmap("viridis").with_extremes(bad="0.75"), None
        cbar_label = _LABELS.get(var, var)
    mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(z), cmap=cmap, norm=norm, shading="auto")
    signed_colorbar(mesh, ax, cbar_label)
    handles = []
    appr = sel.get("approach")
    if outline and "second_law_violated" in ds:
        vio, _, _ = _select(ds, "second_law_violated", approach=appr, keep=dims)
        v = vio.transpose(dims[1], dims[0]).values.astype(float)
        if 0 < v.sum() < v.size:
            ax.contourf(x, y, v, levels=[0.5, 1.5], colors="none", hatches=["////"])
            ax.contour(x, y, v, levels=[0.5], colors="k", linewidths=1.2)
        if v.sum() > 0:
            handles.append(Patch(facecolor="none", edgecolor="k", hatch="////", label="second law violated (σ < 0)"))
    if var == "tur_ratio" and np.any(np.isfinite(z)):
        below = np.where(np.isfinite(z), (z < TUR_BOUND).astype(float), np.nan)
        if np.nanmax(below) > 0 and np.nanmin(below) < 1:
            ax.contourf(x, y, np.nan_to_num(below), levels=[0.5, 1.5], colors="none", hatches=["\\\\"])
            ax.contour(x, y, z, levels=[TUR_BOUND], colors="w", linewidths=1.4, linestyles="--")
        if np.nanmax(below) > 0:
            handles.append(Patch(facecolor="none", edgecolor="k", hatch="\\\\", label="TUR violated (Q < 1)"))
    if outline and appr is not None:
        mask, codes = _flags(ds, appr, (dims[1], dims[0]))
        if mask is not None and mask.any():
            f = mask.astype(float)
            label = f"flagged ({_share(f.mean())} of the points; stippled): {', '.join(codes)}"
            with plt.rc_context({"hatch.color": "0.25", "hatch.linewidth": 0.5}):
                if f.sum() < f.size:
                    ax.contourf(x, y, f, levels=[0.5, 1.5], colors="none", hatches=[".."])
                    ax.contour(x, y, f, levels=[0.5], colors="0.35", linewidths=1.0, linestyles="--")
                else:
                    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, hatch="..", lw=0))
                handles.append(Patch(facecolor="none", edgecolor="0.35", hatch="..", ls="--", label=label))
    if _is_log(x):
        ax.set_xscale("log")
    if _is_log(y):
        ax.set_yscale("log")
    ax.set_xlabel(_label(ds, dims[0]))
    ax.set_ylabel(_label(ds, dims[1]))
    head = ", ".join(f"{k} {v}" for k, v in sel.items())
    ax.set_title(_title(ds, head, fixed, dims), fontsize=8, loc="left")
    if handles:
        ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.13), borderaxespad=0.0)
    return ax


def _share(frac: float) -> str:
    """A fraction as a percentage that never rounds a minority to 0 % or a majority to 100 %."""
    pct = 100 * frac
    if pct >= 100:
        return "all"
    if pct < 1:
        return "< 1 %"
    if pct > 99:
        return f"{min(pct, 99.9):.1f} %"
    return f"{pct:.0f} %"


def _file_name(stem, var, bath, node, kind, ds):
    """``<stem>_<var>[_<bath>|_<node>][_map].png``: the bath (node) is always named, so runs do not overwrite."""
    parts = [stem, var]
    if var in PER_BATH:
        parts.append(bath if bath is not None else str(ds.bath.values[0]))
    if var == "population":
        parts.append(node if node is not None else str(ds.node.values[0]))
    if kind == "map":
        parts.append("map")
    return "_".join(parts) + ".png"


#: Resolution of the PNG files (dots per inch).
DPI = 120


def plot_result(
    ds: xr.Dataset, folder, stem: str = "sweep", variables=None, bath=None, node=None, tolerance=None, dims=None
) -> list[Path]:
    """Write the standard figures of a result to ``folder``; returns the PNG paths.

    One parameter: a scan per variable (all approaches in one panel). Two or
    more: a map per variable and approach over ``dims`` (default: the first two
    swept parameters; others at their first value). The default variables are the
    heat current, the entropy production and, when the result has it, the TUR ratio
    with its bound. File names name the bath (heat currents) or node (populations):
    ``<stem>_heat_current_<bath>[_map].png``. A result with a reference also gets its
    validity figures (:func:`plot_validity`, within ``tolerance``).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    variables = [v for v in (variables or ("heat_current", "entropy_production", "tur_ratio")) if v in ds]
    if not variables:
        raise ValidationError(
            "var", f"the result has none of the requested variables (has: {', '.join(map(str, ds.data_vars))})"
        )
    paths = []
    one_d = len(_param_dims(ds)) == 1
    for var in variables:
        if one_d:
            fig, ax = plt.subplots(figsize=(7.0, 5.6), layout="constrained")
            plot_scan(ds, var, bath=bath, node=node, ax=ax)
            p = folder / _file_name(stem, var, bath, node, "scan", ds)
        else:
            n = len(ds.approach)
            fig, axes = plt.subplots(1, n, figsize=(6.5 * n, 5.8), squeeze=False, layout="constrained")
            for ax, appr in zip(axes[0], ds.approach.values):
                plot_map(ds, var, approach=str(appr), bath=bath, node=node, dims=dims, ax=ax)
            p = folder / _file_name(stem, var, bath, node, "map", ds)
        fig.savefig(p, dpi=DPI)
        plt.close(fig)
        paths.append(p)
    if "deviation" in ds:
        paths += plot_validity(ds, folder, stem, tolerance=tolerance, dims=dims)
    return paths


# ---------------------------------------------------------------------------
# validity maps (sweeps with a reference: the ``deviation`` variable)
# ---------------------------------------------------------------------------

#: Colour of the points where no approach is within the tolerance (use the reference), and of the
#: points where the reference itself failed (no verdict).
NONE_COLOR, FAILED_COLOR = "0.93", "0.55"
#: Deviations below this are drawn at this value on the logarithmic deviation axes (the exact
#: references are converged to 1e-3 (HEOM) and 1e-10 (NEGF); smaller deviations carry no information
#: on validity).
DEVIATION_FLOOR = 1e-6


def _validity_inputs(ds: xr.Dataset, tolerance):
    from .. import checks, config

    if "deviation" not in ds:
        raise ValidationError(
            "deviation",
            "the result has no validity variable: run the sweep with a reference "
            '(reference = "exact" or "heom" in the sweep file, sweep(..., reference=...))',
        )
    tol = (
        config.COMPARE_TOLERANCE
        if tolerance is None
        else checks.number("tolerance", tolerance, minimum=0.0, strict=True)
    )
    ref = str(ds.attrs.get("reference", ds.deviation.attrs.get("reference", "")))
    compared = [str(a) for a in ds.approach.values if str(a) != ref]
    return tol, ref, compared


def validity_categories(ds: xr.Dataset, tolerance=None, dims=None):
    """Which approaches are within ``tolerance`` of the reference at each point of two swept parameters.

    Returns
    -------
    codes : ndarray of int, shape (len(y), len(x))
        Bit k set when the k-th compared approach has δ ≤ tolerance; −1 where the reference failed.
        Other swept parameters are held at their first value.
    compared : list of str
        The approaches (bit order), the reference excluded.
    dims : tuple of str
        (x, y).
    """
    tol, ref, compared = _validity_inputs(ds, tolerance)
    pdims = _param_dims(ds)
    dims = tuple(dims or pdims[:2])
    if len(pdims) < 2 or len(dims) != 2 or any(d not in pdims for d in dims):
        raise ValidationError("dims", f"a map needs two of the swept parameters {', '.join(pdims)}, got {dims!r}")
    dev = ds.deviation.isel({d: 0 for d in pdims if d not in dims})
    codes = np.zeros((len(ds[dims[1]]), len(ds[dims[0]])), dtype=int)
    for k, a in enumerate(compared):
        d = dev.sel(approach=a).transpose(dims[1], dims[0]).values
        codes |= np.where(np.isfinite(d) & (d <= tol), 1 << k, 0)
    ref_dev = dev.sel(approach=ref).transpose(dims[1], dims[0]).values if ref in dev.approach else None
    if ref_dev is not None:
        codes = np.where(np.isfinite(ref_dev), codes, -1)
    return codes, compared, dims


def _category_label(code: int, compared: list[str], tol: float, ref: str) -> str:
    if code < 0:
        return f"{ref} failed: no verdict"
    if code == 0:
        return f"none within {tol:g}: use {ref}"
    return ", ".join(a for k, a in enumerate(compared) if code & (1 << k))


def plot_validity_map(ds: xr.Dataset, *, tolerance=None, dims=None, ax=None):
    """Regime map: which approaches are within ``tolerance`` of the reference, over two swept parameters.

    Each point is coloured by the set of approaches whose deviation δ (see
    :mod:`qheatnet.sweeps.dataset`) is at most ``tolerance`` (default ``config.COMPARE_TOLERANCE``);
    light grey: none is (use the reference); dark grey: the reference failed. The legend below the
    axes lists each set with its share of the points. Like Fig. 2 of Levy & Kosloff (2014), but for
    validity instead of the sign of σ. Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    tol, ref, compared = _validity_inputs(ds, tolerance)
    codes, compared, dims = validity_categories(ds, tol, dims)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 6.2), layout="constrained")
    present = sorted(set(codes.ravel().tolist()), key=lambda c: (c <= 0, -bin(max(c, 0)).count("1"), c))
    palette = [f"C{i}" for i in range(10) if i != 7]  # the default cycle (tab10); C7 is grey
    colors, k = [], 0
    for c in present:
        if c < 0:
            colors.append(FAILED_COLOR)
        elif c == 0:
            colors.append(NONE_COLOR)
        else:
            colors.append(palette[k % len(palette)])
            k += 1
    index = np.vectorize({c: i for i, c in enumerate(present)}.get)(codes)
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(len(present) + 1) - 0.5, len(present))
    x, y = ds[dims[0]].values, ds[dims[1]].values
    ax.pcolormesh(x, y, index, cmap=cmap, norm=norm, shading="auto")
    handles = [
        Patch(
            facecolor=colors[i],
            edgecolor="0.4",
            label=f"{_category_label(c, compared, tol, ref)} ({_share(float(np.mean(codes == c)))} of the points)",
        )
        for i, c in enumerate(present)
    ]
    if _is_log(x):
        ax.set_xscale("log")
    if _is_log(y):
        ax.set_yscale("log")
    ax.set_xlabel(_label(ds, dims[0]))
    ax.set_ylabel(_label(ds, dims[1]))
    fixed = {d: float(ds[d].values[0]) for d in _param_dims(ds) if d not in dims}
    head = f"within δ ≤ {tol:g} of {ref} (δ = max_α |J_α − J_α,ref| / max_α |J_α,ref|)"
    ax.set_title(_title(ds, head, fixed, dims), fontsize=8, loc="left")
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.12), borderaxespad=0.0)
    return ax


def plot_deviation_map(ds: xr.Dataset, approach: str, *, tolerance=None, dims=None, ax=None):
    """δ of one approach over two swept parameters (logarithmic colours) with the contour δ = tolerance."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    tol, ref, compared = _validity_inputs(ds, tolerance)
    pdims = _param_dims(ds)
    dims = tuple(dims or pdims[:2])
    if len(pdims) < 2 or len(dims) != 2 or any(d not in pdims for d in dims):
        raise ValidationError("dims", f"a map needs two of the swept parameters {', '.join(pdims)}, got {dims!r}")
    if approach not in compared:
        raise ValidationError("approach", f"must be one of {', '.join(compared)}, got {approach!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 5.0), layout="constrained")
    dev = ds.deviation.isel({d: 0 for d in pdims if d not in dims}).sel(approach=approach)
    z = dev.transpose(dims[1], dims[0]).values.astype(float)
    zc = np.where(np.isfinite(z), np.maximum(z, DEVIATION_FLOOR), np.nan)
    top = float(np.nanmax(zc)) if np.any(np.isfinite(zc)) else 1.0
    norm = LogNorm(vmin=min(DEVIATION_FLOOR * 10, tol / 10), vmax=max(top, tol * 10))
    x, y = ds[dims[0]].values, ds[dims[1]].values
    mesh = ax.pcolormesh(
        x,
        y,
        np.ma.masked_invalid(zc),
        cmap=plt.get_cmap("viridis").with_extremes(bad="0.75"),
        norm=norm,
        shading="auto",
    )
    ax.figure.colorbar(mesh, ax=ax, label=f"δ of {approach} from {ref}")
    finite = np.isfinite(zc)
    if finite.all() and np.nanmin(zc) < tol < np.nanmax(zc):
        ax.contour(x, y, np.log10(zc / tol), levels=[0.0], colors="w", linewidths=1.6)
    if _is_log(x):
        ax.set_xscale("log")
    if _is_log(y):
        ax.set_yscale("log")
    ax.set_xlabel(_label(ds, dims[0]))
    ax.set_ylabel(_label(ds, dims[1]))
    ax.set_title(f"{approach}: δ from {ref} (white line: δ = {tol:g})", fontsize=9, loc="left")
    return ax


def plot_deviation_scan(ds: xr.Dataset, *, tolerance=None, dim=None, ax=None):
    """δ of every approach against one swept parameter (log axis), with the band δ ≤ tolerance shaded."""
    import matplotlib.pyplot as plt

    tol, ref, compared = _validity_inputs(ds, tolerance)
    dims = _param_dims(ds)
    dim = dim or dims[0]
    if dim not in dims:
        raise ValidationError("dim", f"must be one of {', '.join(dims)}, got {dim!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 5.2), layout="constrained")
    dev = ds.deviation.isel({d: 0 for d in dims if d != dim})
    x = ds[dim].values
    for k, a in enumerate(ds.approach.values):
        if str(a) == ref:
            continue
        y = dev.sel(approach=a).values.astype(float)
        ax.plot(
            x,
            np.maximum(y, DEVIATION_FLOOR),
            marker=_MARKERS[k % len(_MARKERS)],
            ms=4,
            lw=1.4,
            color=f"C{k}",
            label=str(a),
        )
    ax.set_yscale("log")
    lo = min(ax.get_ylim()[0], tol / 10)
    ax.axhspan(lo, tol, color="0.88", lw=0, zorder=0, label=f"within δ ≤ {tol:g} of {ref}")
    ax.set_ylim(bottom=lo)
    if _is_log(x):
        ax.set_xscale("log")
    ax.set_xlabel(_label(ds, dim))
    ax.set_ylabel(f"δ = max_α |J_α − J_α,{ref}| / max_α |J_α,{ref}|")
    fixed = {d: float(ds[d].values[0]) for d in dims if d != dim}
    ax.set_title(_title(ds, f"deviation from {ref}", fixed, (dim,)), fontsize=8, loc="left")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0.0, -0.14), borderaxespad=0.0)
    return ax


def plot_validity(ds: xr.Dataset, folder, stem: str = "sweep", *, tolerance=None, dims=None) -> list[Path]:
    """Write the validity figures of a result with a reference; returns the PNG paths.

    One swept parameter: ``<stem>_validity.png`` (δ of every approach, tolerance band). Two or more:
    ``<stem>_validity_map.png`` (the regime map) and ``<stem>_deviation_map.png`` (δ of each
    approach, one panel each).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    tol, ref, compared = _validity_inputs(ds, tolerance)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if len(_param_dims(ds)) == 1:
        fig, ax = plt.subplots(figsize=(7.0, 5.4), layout="constrained")
        plot_deviation_scan(ds, tolerance=tol, ax=ax)
        paths.append(folder / f"{stem}_validity.png")
        fig.savefig(paths[-1], dpi=DPI)
        plt.close(fig)
        return paths
    fig, ax = plt.subplots(figsize=(7.0, 6.4), layout="constrained")
    plot_validity_map(ds, tolerance=tol, dims=dims, ax=ax)
    paths.append(folder / f"{stem}_validity_map.png")
    fig.savefig(paths[-1], dpi=DPI)
    plt.close(fig)
    n = len(compared)
    fig, axes = plt.subplots(1, n, figsize=(5.0 * n, 4.4), squeeze=False, layout="constrained")
    for ax, a in zip(axes[0], compared):
        plot_deviation_map(ds, a, tolerance=tol, dims=dims, ax=ax)
    paths.append(folder / f"{stem}_deviation_map.png")
    fig.savefig(paths[-1], dpi=DPI)
    plt.close(fig)
    return paths


# ---------------------------------------------------------------------------
# network drawing: heat flow through the couplings at one point of a sweep
# ---------------------------------------------------------------------------

#: Widest arrow (points) of :func:`plot_network`; the other widths are proportional to |J|.
MAX_ARROW_WIDTH = 9.0
#: Flows below this fraction of the largest one are drawn as thin dotted lines (not resolved by eye).
THIN_FLOW_FRACTION = 1e-3


def network_layout(network) -> dict[str, tuple[float, float]]:
    """Node positions for drawing: a grid for ``{prefix}{row}_{column}`` lattices, a line for chains,
    a circle for rings, the centre and a circle for stars, a circle otherwise (in node order)."""
    import re

    names = [n.name for n in network.nodes]
    n = len(names)
    grid = [re.fullmatch(r"(.*?)(\d+)_(\d+)", nm) for nm in names]
    if n > 1 and all(grid) and len({g.group(1) for g in grid if g}) == 1:
        return {nm: (float(g.group(3)), -float(g.group(2))) for nm, g in zip(names, grid) if g}
    adj: dict[str, set] = {nm: set() for nm in names}
    for c in network.couplings:
        for a in c.nodes:
            adj[a] |= set(c.nodes) - {a}
    degrees = sorted(len(v) for v in adj.values())
    edges = sum(len(v) for v in adj.values()) // 2
    if n == 1:
        return {names[0]: (0.0, 0.0)}
    if edges == n - 1 and degrees[-1] <= 2 and degrees.count(1) == 2:  # a path
        start = next(nm for nm in names if len(adj[nm]) == 1)
        order, prev = [start], None
        while len(order) < n:
            nxt = [x for x in adj[order[-1]] if x != prev]
            prev = order[-1]
            order.append(nxt[0])
        return {nm: (float(k), 0.0) for k, nm in enumerate(order)}
    if edges == n - 1 and degrees[-1] == n - 1:  # a star
        centre = next(nm for nm in names if len(adj[nm]) == n - 1)
        leaves = [nm for nm in names if nm != centre]
        pos = {centre: (0.0, 0.0)}
        for k, nm in enumerate(leaves):
            t = 2 * math.pi * k / len(leaves)
            pos[nm] = (math.cos(t), math.sin(t))
        return pos
    order = names
    if edges == n and degrees[0] == degrees[-1] == 2:  # a ring: walk it
        order, prev = [names[0]], None
        while len(order) < n:
            nxt = sorted(x for x in adj[order[-1]] if x != prev and x not in order)
            if not nxt:
                break
            prev = order[-1]
            order.append(nxt[0])
        order += [nm for nm in names if nm not in order]
    return {nm: (math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)) for k, nm in enumerate(order)}


def _point(ds: xr.Dataset, at: dict | None):
    """isel indices of the point ``at`` (dimension → value, nearest; default the first value of each)."""
    at = dict(at or {})
    dims = _param_dims(ds)
    for key in at:
        if key not in dims:
            raise ValidationError("--at", f"unknown dimension {key!r} (swept: {', '.join(dims)})")
    idx, shown = {}, {}
    for d in dims:
        vals = np.asarray(ds[d].values, dtype=float)
        if d in at:
            try:
                target = float(at[d])
            except (TypeError, ValueError):
                raise ValidationError("--at", f"{d}: must be a number, got {at[d]!r}") from None
            k = int(np.argmin(np.abs(vals - target)))
        else:
            k = 0
        idx[d] = k
        shown[d] = float(vals[k])
    return idx, shown


def plot_network(ds: xr.Dataset, *, approach: str | None = None, at: dict | None = None, ax=None):
    """Draw the network of a sweep result with arrows whose width is the heat current, at one point.

    Nodes are circles (oscillators filled, qubits open), labelled with their names. Each two-node
    coupling c = (i, j) carries an arrow in the direction of the energy it moves, of width ∝
    |J_{c→j} − J_{c→i}|/2 (bare bookkeeping, i⟨[H_c, H_i]⟩); a coupling of three or more nodes is a
    small hub with one arrow per node, of width ∝ |J_{c→i}|, towards the nodes that gain energy.
    Each bath is a square next to its node with an arrow of width ∝ |J_α| (J_α > 0: into the network).
    Couplings without currents (not available from the engine) are grey dashed lines.

    Parameters
    ----------
    ds : a sweep result with ``coupling_current``
    approach : which approach (default: the first)
    at : {dimension: value} — the point (nearest values; default the first value of each dimension)
    ax : matplotlib axes or None

    Returns
    -------
    matplotlib axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    from ..io.network_file import loads_network

    network = loads_network(ds.attrs["network"], "network of the result")
    approaches = [str(a) for a in ds.approach.values]
    approach = approaches[0] if approach is None else approach
    if approach not in approaches:
        raise ValidationError("--approach", f"must be one of {', '.join(approaches)}, got {approach!r}")
    idx, shown = _point(ds, at)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 6.0), layout="constrained")
    pos = network_layout(network)
    xy = np.array(list(pos.values()))
    span = float(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1]), 1.0))
    status = int(ds.status.sel(approach=approach).isel(idx).values)
    cc = None
    if "coupling_current" in ds and network.couplings:
        cc = np.asarray(ds.coupling_current.sel(approach=approach).isel(idx).values, dtype=float)
    jb = (
        np.asarray(ds.heat_current.sel(approach=approach).isel(idx).values, dtype=float)
        if "heat_current" in ds
        else None
    )
    flows = []
    if cc is not None:
        for k, c in enumerate(network.couplings):
            vals = cc[k, : len(c.nodes)]
            flows += list(np.abs(vals[np.isfinite(vals)]))
    if jb is not None:
        flows += list(np.abs(jb[np.isfinite(jb)]))
    jmax = max(flows, default=0.0) or 1.0

    def width(j: float) -> float:
        return max(MAX_ARROW_WIDTH * abs(j) / jmax, 0.6)

    def arrow(p, q, j, color):
        style = "-|>" if abs(j) > THIN_FLOW_FRACTION * jmax else "-"
        ls = "-" if abs(j) > THIN_FLOW_FRACTION * jmax else ":"
        a = FancyArrowPatch(
            p,
            q,
            arrowstyle=style,
            mutation_scale=10 + 1.5 * width(j),
            lw=width(j),
            color=color,
            ls=ls,
            shrinkA=14,
            shrinkB=14,
            zorder=2,
        )
        ax.add_patch(a)

    for k, c in enumerate(network.couplings):
        pts = [np.array(pos[x]) for x in c.nodes]
        vals = cc[k, : len(c.nodes)] if cc is not None else np.full(len(c.nodes), np.nan)
        color = {"swap": "tab:red", "dipole": "tab:purple", "density": "tab:olive", "product": "tab:orange"}[c.kind]
        if not np.all(np.isfinite(vals)):
            for pt in pts[1:]:
                ax.plot(*zip(pts[0], pt), color="0.7", ls="--", lw=1.0, zorder=1)
            continue
        if len(c.nodes) == 2:
            flow = 0.5 * (vals[1] - vals[0])  # > 0: energy moves from node 0 to node 1
            src, dst = (pts[0], pts[1]) if flow >= 0 else (pts[1], pts[0])
            arrow(tuple(src), tuple(dst), flow, color)
            mid = 0.5 * (pts[0] + pts[1])
            ax.annotate(f"{abs(flow):.3g}", mid, fontsize=7, color=color, ha="center", va="bottom")
        else:
            hub = np.mean(pts, axis=0) + np.array([0.0, 0.08 * span])
            ax.plot(*hub, marker="D", color=color, ms=6, zorder=3)
            for pt, j in zip(pts, vals):
                start, end = (tuple(hub), tuple(pt)) if j >= 0 else (tuple(pt), tuple(hub))
                arrow(start, end, j, color)
            ax.annotate(c.label, tuple(hub), fontsize=7, color=color, ha="center", va="bottom")
    centre = xy.mean(axis=0)
    for ib, b in enumerate(network.baths):
        p = np.array(pos[b.node])
        out = p - centre
        out = out / np.linalg.norm(out) if np.linalg.norm(out) > 1e-9 else np.array([0.0, 1.0])
        same = [bb for bb in network.baths if bb.node == b.node]
        k = same.index(b)
        rot = (k - (len(same) - 1) / 2) * 0.6
        d = np.array([out[0] * math.cos(rot) - out[1] * math.sin(rot), out[0] * math.sin(rot) + out[1] * math.cos(rot)])
        q = p + 0.35 * span * d / max(1.0, span / 3)
        ax.plot(*q, marker="s", ms=11, color="0.3", zorder=3)
        ax.annotate(
            f"{b.name}\nT = {b.temperature:g}",
            tuple(q),
            fontsize=7,
            ha="center",
            va="top",
            xytext=(0, -8),
            textcoords="offset points",
        )
        if jb is not None and np.isfinite(jb[ib]):
            s, e = (tuple(q), tuple(p)) if jb[ib] >= 0 else (tuple(p), tuple(q))
            arrow(s, e, jb[ib], "tab:blue")
    for node in network.nodes:
        at_node = pos[node.name]
        filled = node.kind == "oscillator"
        ax.plot(*at_node, marker="o", ms=16, mfc="white" if not filled else "0.85", mec="k", zorder=4)
        ax.annotate(node.name, at_node, fontsize=7, ha="center", va="center", zorder=5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.margins(0.25)
    point = ", ".join(f"{d} = {v:g}" for d, v in shown.items())
    state = "" if status == 0 else " — this point FAILED" if status == 1 else " — not computed"
    ax.set_title(
        textwrap.fill(
            f"heat flow, approach {approach}, {point}{state}; arrow width ∝ |J| (largest {jmax:.3g}); couplings: "
            f"bare bookkeeping i⟨[H_c, H_i]⟩, baths (blue): {ds.attrs.get('bookkeeping', 'full')} bookkeeping",
            90,
        ),
        fontsize=8,
        loc="left",
    )
    return ax


def write_network_figure(ds: xr.Dataset, path, *, approach: str | None = None, at: dict | None = None) -> Path:
    """:func:`plot_network` saved as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 6.0), layout="constrained")
    plot_network(ds, approach=approach, at=at, ax=ax)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return Path(path)
