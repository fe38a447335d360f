"""``qheatnet evolve NETWORK.toml --approach local|global --t-final T [--steps N] [--json] [--plot FILE.png [--compare global]]``."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from ..api.evolve import METHODS, evolve
from ..engines.choose import engine_names
from ..errors import ValidationError
from ..io.network_file import load_network
from .main import check_output_path, cli, echo_json, native_stdout_to_stderr

#: Largest --steps. The result keeps every step of J_α(t), ⟨n_i⟩(t), E(t) (and the Fock
#: engine the full state): 10⁶ steps are ~8 MB per series, and ``--json`` prints ~20 bytes
#: per number; beyond that the memory estimate in the error message is the reason.
MAX_STEPS = 1_000_000


def _check_steps(steps: int, network) -> None:
    if steps <= MAX_STEPS:
        return
    series = len(network.baths) + len(network.nodes) + 4  # currents, populations, time, energy, entropy, dE/dt
    gib = (steps + 1) * series * 8 / 2**30
    raise ValidationError(
        "--steps",
        f"{steps} steps would keep ≥ {gib:.3g} GiB of time series ({series} series × 8 bytes per step; the Fock "
        f"engine keeps the state at every step too); at most MAX_STEPS = {MAX_STEPS}",
    )


def parse_initial(text: str):
    """CLI form of the initial state → the ``initial`` argument of :func:`evolve`.

    ``ground``; a number T (every node thermal at T); or a comma-separated list
    ``NODE=T``, ``NODE=thermal:T``, ``NODE=fock:n`` (unnamed nodes start in
    their ground state).
    """
    text = text.strip()
    if text == "ground":
        return "ground"
    try:
        return float(text)
    except ValueError:
        pass
    out = {}
    for item in text.split(","):
        if "=" not in item:
            raise ValidationError("--initial", f"expected NODE=T, NODE=thermal:T or NODE=fock:n, got {item!r}")
        name, value = (s.strip() for s in item.split("=", 1))
        kind, _, number = value.rpartition(":")
        try:
            if kind in ("", "thermal"):
                out[name] = {"temperature": float(number)}
            elif kind == "fock":
                out[name] = {"fock": int(number)}
            else:
                raise ValueError
        except ValueError:
            raise ValidationError("--initial", f"cannot read {value!r} for node {name!r}") from None
    return out


#: Resolution of the ``--plot`` PNG (dots per inch).
EVOLVE_DPI = 120


def steady_reference(ev, cutoff=None):
    """The steady state the transient ``ev`` relaxes to, from the public :func:`qheatnet.solve`.

    Same network, approach and bookkeeping; the same engine where
    :func:`~qheatnet.solve` has it and it applies (else "auto"), and the
    same Fock cut-off for a Fock transient, so the reference is the t → ∞
    limit of the plotted model. Returns ``(SteadyState | None, note)``: the
    note says which engine was used, or why there is no reference.
    """
    from .. import solve
    from ..errors import QheatnetError

    opts = {"cutoff": cutoff} if cutoff is not None and ev.engine == "fock" else {}
    try:
        res = solve(ev.network, ev.approach, bookkeeping=ev.bookkeeping, engine=ev.engine, **opts)
    except (ValidationError, QheatnetError):  # the evolution's engine has no steady-state twin here
        try:
            res = solve(ev.network, ev.approach, bookkeeping=ev.bookkeeping)
        except QheatnetError as exc:
            return None, f"no steady state: {exc}"
    return res, f"steady state by solve(engine={res.engine!r})"


def _j(name: str) -> str:
    """J with the bath name as a subscript (mathtext only for plain alphanumeric names)."""
    return f"$J_{{\\rm {name}}}$" if name.isalnum() and name.isascii() else f"J[{name}]"


#: Lines of each approach in an overlay (colours are the baths').
_STYLES = {"local": "-", "global": "--"}


def plot_evolution(evolutions, ax=None, *, steady=None):
    """Heat currents J_α(t) of one or more transients, with their steady-state values; returns the axes.

    Parameters
    ----------
    evolutions : Evolution or list of Evolution
        One per approach (an overlay of local and global, say): colour =
        bath, line style = approach; Σ_α J_α = d⟨H⟩/dt in black.
    ax : None, Axes or (Axes, Axes)
        None: a new figure with two panels. Top: J_α(t) on a symmetric-log
        axis (the transient spans decades and may change sign), with the
        steady-state J_α^ss as dotted reference lines. Bottom: the distance
        |J_α(t) − J_α^ss| on a log axis, where an exponential relaxation is
        a straight line. One Axes: the top panel only.
    steady : dict, optional
        approach → ``(SteadyState | None, note)`` as returned by
        :func:`steady_reference` (or a bare SteadyState); computed when None.
        A missing reference is stated in the title.

    Returns
    -------
    (Axes, Axes or None)
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import SymmetricalLogLocator

    evs = list(evolutions) if isinstance(evolutions, (list, tuple)) else [evolutions]
    refs = {ev.approach: steady_reference(ev) for ev in evs} if steady is None else dict(steady)
    steady = {a: (r[0] if isinstance(r, tuple) else r) for a, r in refs.items()}
    missing = [f"{a}: {r[1]}" for a, r in refs.items() if isinstance(r, tuple) and r[0] is None]
    if ax is None:
        fig, (ax, axd) = plt.subplots(
            2, 1, figsize=(7.4, 7.0), sharex=True, height_ratios=[1.4, 1], layout="constrained"
        )
    elif isinstance(ax, (list, tuple, np.ndarray)):
        ax, axd = ax
    else:
        axd = None
    temps = {b.name: b.temperature for b in evs[0].network.baths}
    colors = {name: f"C{k}" for k, name in enumerate(temps)}
    values, ss_values, dist = [], [], []
    for ev in evs:
        ls = _STYLES.get(ev.approach, "-.")
        tag = f" ({ev.approach})" if len(evs) > 1 else ""
        ref = steady.get(ev.approach)
        for name, j in ev.heat_currents.items():
            ax.plot(ev.times, j, ls, color=colors[name], lw=1.6, label=f"{_j(name)}(t), T = {temps[name]:g}{tag}")
            values.append(np.asarray(j))
            if ref is not None:
                jss = ref.heat_currents[name]
                ss_values.append(jss)
                ax.axhline(jss, color=colors[name], ls=":", lw=1.2, label=f"{_j(name)} steady state = {jss:.4g}{tag}")
                if axd is not None:
                    d = np.abs(np.asarray(j) - jss)
                    dist.append(d)
                    axd.plot(ev.times, d, ls, color=colors[name], lw=1.6)
        total = sum(np.asarray(j) for j in ev.heat_currents.values())
        values.append(total)
        ax.plot(ev.times, total, ls, color="k", lw=1.0, label=rf"$\Sigma_\alpha J_\alpha = d\langle H\rangle/dt${tag}")
    ax.axhline(0.0, color="0.7", lw=0.8)
    data = np.concatenate(values)
    scale = max(float(np.max(np.abs(data))), max((abs(v) for v in ss_values), default=0.0))
    nonzero = [abs(v) for v in ss_values if v != 0]
    if nonzero:  # every steady value in the logarithmic part, the sign changes in the linear one
        lin = 10.0 ** np.floor(np.log10(min(nonzero) / 3))
    else:
        a = np.abs(data[data != 0])
        lin = 10.0 ** np.floor(np.log10(max(float(a.min()), scale * 1e-12))) if a.size else 1.0
    ax.set_yscale("symlog", linthresh=lin, linscale=0.5)
    ax.yaxis.set_major_locator(SymmetricalLogLocator(base=10, linthresh=lin, subs=[1.0]))
    ax.set_ylabel(r"heat current $J_\alpha$ (> 0: bath $\to$ network)")
    names = list(dict.fromkeys(ev.approach for ev in evs))
    engines = ", ".join(f"{ev.engine} ({ev.approach})" for ev in evs)
    ax.set_title(
        f"{' vs '.join(names)} master equation{'s' if len(names) > 1 else ''}: transient and steady state\n"
        f"engine: {engines}; bookkeeping: {evs[0].bookkeeping}" + ("\n" + "; ".join(missing) if missing else ""),
        fontsize=9,
    )
    if axd is not None:
        if dist:
            dd = np.concatenate(dist)
            pos = dd[dd > 0]
            axd.set_yscale("log")
            if pos.size:
                axd.set_ylim(max(float(pos.min()), float(pos.max()) * 1e-12) / 2, float(pos.max()) * 2)
        else:
            axd.text(0.5, 0.5, "no steady-state reference", transform=axd.transAxes, ha="center", va="center")
        axd.set_ylabel(r"$|J_\alpha(t)-J_\alpha^{\rm steady}|$")
        axd.set_xlabel("time t (1/energy unit)")
        ax.tick_params(labelbottom=False)
        ax.figure.legend(loc="outside lower center", ncol=2, fontsize=8)
    else:
        ax.set_xlabel("time t (1/energy unit)")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax, axd


def format_evolution(ev, rows: int = 11) -> str:
    """Human-readable table of J_α(t) at ``rows`` evenly spaced times."""
    names = list(ev.heat_currents)
    lines = [
        f"approach: {ev.approach}   engine: {ev.engine} ({ev.method}, {ev.structure})   bookkeeping: {ev.bookkeeping}",
        "initial state: "
        + ", ".join(
            f"{k}: {'T=' + format(v['temperature'], 'g') if 'temperature' in v else 'n=' + str(v['fock'])}"
            for k, v in ev.initial.items()
        ),
        "heat currents J_α(t) (positive: bath → network):",
        f"{'t':>12} " + " ".join(f"{n:>16}" for n in names) + f" {'Σ J':>16}",
    ]
    idx = np.unique(np.linspace(0, len(ev.times) - 1, rows).round().astype(int))
    for k in idx:
        js = [ev.heat_currents[n][k] for n in names]
        lines.append(f"{ev.times[k]:>12.6g} " + " ".join(f"{j:>16.8e}" for j in js) + f" {sum(js):>16.8e}")
    lines.append(f"trace error {ev.trace_error:.1e}; first-law error {ev.first_law_error:.1e}")
    if ev.truncated_weight:
        lines.append(f"initial weight outside the Fock cut-off: {ev.truncated_weight:.2e} (renormalised)")
    return "\n".join(lines)


@cli.command("evolve")
@click.argument("network_file", type=click.Path())  # read_input_file refuses folders in one line
@click.option("--approach", type=click.Choice(["local", "global"]), default="local", show_default=True)
@click.option("--t-final", type=float, required=True, help="Final time (1/energy unit).")
@click.option("--steps", type=click.IntRange(min=1), default=200, show_default=True, help="Time steps.")
@click.option(
    "--initial",
    default="ground",
    show_default=True,
    help="Initial product state: 'ground', a temperature T for every node, or NODE=T,NODE=fock:n,…",
)
@click.option("--bookkeeping", type=click.Choice(["full", "bare"]), default="full", show_default=True)
@click.option("--cutoff", type=click.IntRange(min=1), default=None, help="Oscillator Fock cut-off K (total quanta).")
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True, help="Propagator.")
@click.option(
    "--engine",
    type=click.Choice(["auto", *engine_names("transient")]),
    default="auto",
    show_default=True,
    help="fock: full Liouvillian; free-fermion: local XX chains with end baths; rate-equation: global qubit "
    "networks, currents and energy only (Pauli equation); gaussian: oscillator networks, correlation matrix "
    "⟨a_i† a_j⟩, no cut-off. auto: free-fermion or gaussian where they apply (gaussian unless --cutoff is given), "
    "else fock.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (all time points).")
@click.option(
    "--plot",
    "plot_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write J_α(t) with the steady-state values to a PNG (data: FILE.json).",
)
@click.option(
    "--compare",
    type=click.Choice(["local", "global"]),
    default=None,
    help="With --plot: also evolve with this approach and overlay it (data: FILE.<approach>.json).",
)
def evolve_command(
    network_file, approach, t_final, steps, initial, bookkeeping, cutoff, method, engine, as_json, plot_file, compare
):
    """Transient heat currents J_α(t) of the network in NETWORK_FILE from a product initial state."""
    if compare is not None and not plot_file:
        raise ValidationError("--compare", "overlays a second approach on the figure: give --plot FILE.png too")
    if compare == approach:
        raise ValidationError("--compare", f"must differ from --approach ({approach!r})")
    network = load_network(network_file)
    _check_steps(steps, network)
    if plot_file:
        check_output_path("--plot", plot_file, suffixes=(".png",))
    kwargs = dict(
        t_final=t_final,
        steps=steps,
        initial=parse_initial(initial),
        bookkeeping=bookkeeping,
        cutoff=cutoff,
        method=method,
        engine=engine,
    )
    with native_stdout_to_stderr():
        evs = [evolve(network, approach, **kwargs)]
        if compare is not None:
            evs.append(evolve(network, compare, **kwargs))
    ev = evs[0]
    written = []
    if plot_file:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        with native_stdout_to_stderr():
            refs = {e.approach: steady_reference(e, cutoff) for e in evs}
        ax, _ = plot_evolution(evs, steady=refs)
        ax.figure.savefig(plot_file, dpi=EVOLVE_DPI)
        plt.close(ax.figure)
        for e in evs:
            res, note = refs[e.approach]
            data = e.to_dict()
            data["steady_state"] = (
                {"note": note, **{k: res.to_dict()[k] for k in ("engine", "heat_currents", "populations")}}
                if res is not None
                else {"note": note}
            )
            path = Path(plot_file).with_suffix(".json" if e is ev else f".{e.approach}.json")
            path.write_text(json.dumps(data, indent=1))
            written.append(str(path))
    if as_json:
        echo_json(ev.to_dict())
    else:
        click.echo(format_evolution(ev))
        if plot_file:
            click.echo(f"figure: {plot_file} (data: {', '.join(written)})")
