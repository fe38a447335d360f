"""Every PNG the package writes: opened, sized, and inspected through matplotlib's objects (not pixels).

``Figure.savefig`` is wrapped for the duration of each test, so the checks run
on the very figures the package saves — the reproductions (on coarse grids),
``qheatnet plot`` and ``qheatnet evolve --plot`` — just before they are closed:

* the PNG opens and its size is the figure size × dpi, within sane bounds;
* every axes that shows data has an x and a y label (or shares x with an
  axes that has one), every colour bar a label, the figure a title;
* no two texts (tick labels, axis labels, titles, legend entries, offset
  texts) overlap, and no axis shows an offset text ("1e-5" above the axis);
* no legend covers a data point of any line, nor any part of a colour map;
* figure-specific contents the issue asked for (labels, legend entries).
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from qheatnet import Flat, Network, Phonon3D, sweep  # noqa: E402
from qheatnet.cli.main import cli  # noqa: E402
from qheatnet.io.network_file import dumps_network  # noqa: E402
from qheatnet.reproduce import hofer_2017, levy_kosloff_2014  # noqa: E402
from qheatnet.sweeps import save_dataset  # noqa: E402

#: Two texts overlap when their boxes share more than this many pixels in both directions (anti-aliasing margin).
OVERLAP_PX = 1.0
#: Sane PNG sizes (pixels) for a figure meant for a screen or a paper.
MIN_PX, MAX_PX = 400, 2000
#: Coarse grids of the Levy & Kosloff reproduction (the full one runs in tests/integration).
LK_POINTS = {"fig2": 31, "fig2_generic": 3, "fig3": 40, "fig4": 41, "fig4_inset": 21}


# ------------------------------------------------------------------ inspection


def _all_axes(fig):
    """The figure's axes and their insets (``Axes.inset_axes`` children are not in ``fig.axes``)."""
    out = []
    for ax in fig.axes:
        out += [ax, *getattr(ax, "child_axes", [])]
    return out


def _is_colorbar(ax) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _has_data(ax) -> bool:
    return bool(ax.lines or ax.collections or ax.images)


def _visible_texts(fig):
    """(description, Text) of every visible, non-empty text the renderer drew."""
    out = []
    for ax in _all_axes(fig):
        box = ax.get_window_extent()
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():  # e.g. the shared x axis of a twin
                continue
            lo, hi = (box.x0, box.x1) if name == "x" else (box.y0, box.y1)
            for t in axis.get_ticklabels():
                if not (t.get_visible() and t.get_text()):
                    continue
                e = t.get_window_extent()
                c = (e.x0 + e.x1) / 2 if name == "x" else (e.y0 + e.y1) / 2
                if lo - 2 <= c <= hi + 2:  # labels of ticks outside the view are not drawn
                    out.append((f"{name} tick {t.get_text()!r}", t))
            out.append((f"{name} label", axis.label))
            out.append((f"{name} offset text", axis.offsetText))
        out += [("title", ax.title), ("left title", ax._left_title), ("right title", ax._right_title)]
        out += [(f"text {t.get_text()!r}", t) for t in ax.texts]
    legends = [ax.get_legend() for ax in _all_axes(fig) if ax.get_legend()] + list(fig.legends)
    for leg in legends:
        out += [(f"legend {t.get_text()!r}", t) for t in leg.get_texts()]
    if fig._suptitle is not None:
        out.append(("suptitle", fig._suptitle))
    return [(d, t) for d, t in out if t.get_visible() and t.get_text().strip()]


def _overlap(a, b) -> bool:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w > OVERLAP_PX and h > OVERLAP_PX


def _legend_problems(fig):
    problems = []
    legends = [ax.get_legend() for ax in _all_axes(fig) if ax.get_legend()] + list(fig.legends)
    for leg in legends:
        lb = leg.get_window_extent().padded(-1)
        for ax in _all_axes(fig):
            if _is_colorbar(ax):
                continue
            box = ax.get_window_extent()
            if any(isinstance(c, QuadMesh) for c in ax.collections) and _overlap(lb, box):
                problems.append("a legend covers a colour map")
            for line in ax.lines:
                if line.get_transform() != ax.transData:  # axhline/axvline: not data points
                    continue
                xy = np.column_stack([np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)])
                xy = xy[np.all(np.isfinite(xy), axis=1)]
                if not len(xy):
                    continue
                pts = ax.transData.transform(xy)
                drawn = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)
                pts = pts[drawn]
                inside = (pts[:, 0] > lb.x0) & (pts[:, 0] < lb.x1) & (pts[:, 1] > lb.y0) & (pts[:, 1] < lb.y1)
                if inside.any():
                    problems.append(f"a legend covers {int(inside.sum())} points of line {line.get_label()!r}")
    return problems


def inspect(fig, dpi) -> dict:
    """Everything the tests check about ``fig``, as it will be drawn at ``dpi``."""
    fig.set_dpi(dpi)
    fig.canvas.draw()
    problems = []
    for i, ax in enumerate(_all_axes(fig)):
        if not ax.get_visible():
            continue
        if _is_colorbar(ax):
            if not (ax.get_ylabel() or ax.get_xlabel()):
                problems.append(f"colour bar {i} has no label")
            continue
        if not _has_data(ax):
            continue
        siblings = ax.get_shared_x_axes().get_siblings(ax)
        if not ax.get_xlabel() and not any(s.get_xlabel() for s in siblings):
            problems.append(f"axes {i} has no x label")
        if not ax.get_ylabel():
            problems.append(f"axes {i} has no y label")
        for axis in (ax.xaxis, ax.yaxis):
            if axis.offsetText.get_visible() and axis.offsetText.get_text():
                problems.append(f"axes {i} shows an offset text {axis.offsetText.get_text()!r}")
    titles = [fig._suptitle.get_text() if fig._suptitle else ""]
    titles += [t.get_text() for ax in _all_axes(fig) for t in (ax.title, ax._left_title)]
    if not any(t.strip() for t in titles):
        problems.append("no title")
    texts = _visible_texts(fig)
    boxes = [(d, t.get_window_extent()) for d, t in texts]
    for (d1, b1), (d2, b2) in itertools.combinations(boxes, 2):
        if _overlap(b1, b2):
            problems.append(f"{d1} overlaps {d2}")
    problems += _legend_problems(fig)
    panels = [ax for ax in _all_axes(fig) if ax.get_visible() and not _is_colorbar(ax) and _has_data(ax)]
    for a, b in itertools.combinations(panels, 2):
        ba, bb = a.get_window_extent(), b.get_window_extent()
        same = np.allclose(ba.bounds, bb.bounds)  # twin axes share one box on purpose
        if not same and _overlap(ba, bb):
            problems.append(f"axes {panels.index(a)} and {panels.index(b)} overlap (an inset over data)")
    legend_labels = [
        t.get_text()
        for leg in [ax.get_legend() for ax in _all_axes(fig) if ax.get_legend()] + list(fig.legends)
        for t in leg.get_texts()
    ]
    return {
        "size": tuple(int(round(v * dpi)) for v in fig.get_size_inches()),
        "problems": problems,
        "texts": [t.get_text() for _, t in texts],
        "legend": legend_labels,
        "axes": [ax for ax in _all_axes(fig) if not _is_colorbar(ax)],
    }


@pytest.fixture
def saved(monkeypatch):
    """path name → inspection of every figure saved while the test runs."""
    records = {}
    original = Figure.savefig

    def savefig(self, fname, *args, **kwargs):
        dpi = kwargs.get("dpi") or self.dpi
        out = original(self, fname, *args, **kwargs)
        records[str(fname)] = inspect(self, dpi)
        return out

    monkeypatch.setattr(Figure, "savefig", savefig)
    yield records
    plt.close("all")


def check_png(path, record):
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        size = im.size
    assert size == record["size"], (path, size, record["size"])
    assert MIN_PX <= min(size) and max(size) <= MAX_PX, (path, size)
    assert not record["problems"], (str(path), record["problems"])


# ------------------------------------------------------------------ the package's PNGs


def test_levy_kosloff_figures(tmp_path, saved):
    levy_kosloff_2014.run(tmp_path, progress=False, echo=lambda s: None, points=LK_POINTS)
    pngs = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in pngs] == [f"fig{n}_{k}.png" for n in (2, 3, 4) for k in ("HO", "TLS")]
    for p in pngs:
        check_png(p, saved[str(p)])
    for kind, population in (("HO", r"a_A^\dagger a_A"), ("TLS", r"\sigma_A^+\sigma_A^-")):
        for n in (3, 4):
            rec = saved[str(tmp_path / f"fig{n}_{kind}.png")]
            assert any(population in ax.get_ylabel() for ax in rec["axes"]), (n, kind)
            assert any("local master equation" in t for t in rec["legend"]) and any(
                "global" in t for t in rec["legend"]
            )
        fig2 = saved[str(tmp_path / f"fig2_{kind}.png")]
        title = fig2["axes"][0].get_title()
        for par in (r"\omega_c$ = 5", "$T_c$ = 10", r"\epsilon$ = 0.0001", r"\kappa$ = 1e-07"):
            assert par in title, (par, title)
        assert any("T_h=T_c" in t for t in fig2["legend"]) and any(r"\sigma<0" in t for t in fig2["legend"])
        fig4 = saved[str(tmp_path / f"fig4_{kind}.png")]
        assert any("changes sign" in t and "6" in t for t in fig4["legend"])  # the ω_h = 6 line is labelled
        zoom = [ax for ax in fig4["axes"] if "near resonance" in ax.get_title()]
        assert len(zoom) == 1 and zoom[0].get_ylabel() and zoom[0].get_xlabel() == ""  # x label on the panel below
        main = fig4["axes"][0]
        assert not _overlap(zoom[0].get_window_extent(), main.get_window_extent())  # no inset on the peak


def test_hofer_figure(tmp_path, saved):
    hofer_2017.run(tmp_path, progress=False, echo=lambda s: None, epsilons=[1e-5, 1e-3, 0.05, 0.9])
    check_png(tmp_path / "hofer2017.png", saved[str(tmp_path / "hofer2017.png")])
    assert any("within 5%" in t for t in saved[str(tmp_path / "hofer2017.png")]["legend"])


@pytest.fixture
def results(tmp_path):
    qubits = Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))
    scan = sweep(
        qubits,
        {"couplings.A-B.strength": {"geomspace": [1e-4, 0.2, 12], "name": "epsilon"}},
        ["local", "global"],
        workers=1,
    )
    paper = Network.two_node("oscillator", 10.0, 5.0, 1e-4, 12.0, 10.0, Phonon3D(1e-7))
    fig2 = sweep(
        paper,
        {"nodes.A.frequency": np.linspace(1, 20, 25), "baths.hot.temperature": np.linspace(1, 30, 20)},
        ["local", "global"],
    )
    save_dataset(scan, tmp_path / "scan.nc")
    save_dataset(fig2, tmp_path / "fig2.nc")
    return tmp_path


def test_qheatnet_plot_figures(results, saved):
    out = results / "png"
    runner = CliRunner()
    for args in ([], ["--bath", "cold"], ["--var", "population"]):
        for name in ("scan", "fig2"):
            res = runner.invoke(cli, ["plot", str(results / f"{name}.nc"), "--out", str(out), *args])
            assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.glob("*.png"))
    # a second --bath run does not overwrite the first figure
    assert {
        "scan_heat_current_hot.png",
        "scan_heat_current_cold.png",
        "fig2_heat_current_hot_map.png",
        "fig2_heat_current_cold_map.png",
    } <= set(names)
    for p in out.glob("*.png"):
        check_png(p, saved[str(p)])
    scan = saved[str(out / "scan_heat_current_hot.png")]
    ax = scan["axes"][0]
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"  # four decades of J: not a linear axis
    assert all(
        line.get_marker() not in (None, "None", "") for line in ax.lines if line.get_label() in ("local", "global")
    )
    assert any("flagged" in t for t in scan["legend"])  # diagnostics are shown
    assert "fixed:" in ax.get_title(loc="left") and "T_hot = 2" in ax.get_title(loc="left")
    cold = saved[str(out / "scan_heat_current_cold.png")]["axes"][0]
    assert cold.get_yscale() == "symlog"  # negative currents over decades
    for m in ("fig2_entropy_production_map.png", "fig2_heat_current_hot_map.png"):
        rec = saved[str(out / m)]
        titles = [a.get_title(loc="left") for a in rec["axes"]]
        assert all("black: second law violated" not in t and "fixed:" in t for t in titles)
        assert any("second law violated" in t for t in rec["legend"])


def test_plot_on_a_network_file_is_one_line(tmp_path):
    net = tmp_path / "net.toml"
    net.write_text(dumps_network(Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))))
    (tmp_path / "junk.nc").write_bytes(b"CDF\x01 not really")
    for path, match in (
        (net, "looks like a network or sweep file"),
        (tmp_path / "junk.nc", "cannot be read as a sweep result"),
    ):
        res = CliRunner().invoke(cli, ["plot", str(path)])
        assert res.exit_code == 2
        assert res.output.startswith(f"error: {path}: ") and match in res.output
        assert res.output.count("\n") == 1 and "Traceback" not in res.output


def test_evolve_plot_with_steady_state_and_comparison(tmp_path, saved):
    net = tmp_path / "q.toml"
    net.write_text(dumps_network(Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))))
    png = tmp_path / "ev.png"
    args = ["evolve", str(net), "--t-final", "400", "--steps", "80", "--initial", "A=5.0,B=0.1", "--plot", str(png)]
    res = CliRunner().invoke(cli, [*args, "--compare", "global"])
    assert res.exit_code == 0, res.output
    rec = saved[str(png)]
    check_png(png, rec)
    top, bottom = rec["axes"]
    assert top.get_yscale() == "symlog" and bottom.get_yscale() == "log"
    steady = [t for t in rec["legend"] if "steady state" in t]
    assert len(steady) == 4 and sum("(global)" in t for t in steady) == 2  # hot and cold, both approaches
    assert (tmp_path / "ev.json").exists() and (tmp_path / "ev.global.json").exists()
    import json

    data = json.loads((tmp_path / "ev.json").read_text())
    assert data["approach"] == "local" and set(data["steady_state"]["heat_currents"]) == {"hot", "cold"}
    # the reference lines are the steady state: the transient's last point is on it (t = 400 ≫ 1/rate)
    for name, jss in data["steady_state"]["heat_currents"].items():
        assert data["heat_currents"][name][-1] == pytest.approx(jss, rel=1e-2)
    bad = CliRunner().invoke(cli, [*args[:-2], "--compare", "global"])
    assert bad.exit_code == 2 and "--compare" in bad.output
