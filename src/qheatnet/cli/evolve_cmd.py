"""``qheatnet evolve NETWORK.toml --approach local|global --t-final T [--steps N] [--json] [--plot FILE.png]``."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from ..analysis.evolve import ENGINES, METHODS, evolve
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


def plot_evolution(ev, ax=None):
    """Heat currents J_α(t) (and Σ_α J_α) on ``ax``; returns the axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    temps = {b.name: b.temperature for b in ev.network.baths}
    for name, j in ev.heat_currents.items():
        ax.plot(ev.times, j, label=f"J {name} (T = {temps[name]:g})")
    ax.plot(ev.times, sum(ev.heat_currents.values()), "k:", label="Σ J = d⟨H⟩/dt")
    ax.axhline(0.0, color="0.7", lw=0.8)
    ax.set_xlabel("time t (1/energy unit)")
    ax.set_ylabel("heat current J_α (bath → network)")
    ax.set_title(f"{ev.approach} master equation, transient")
    ax.legend(fontsize=8)
    return ax


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
    type=click.Choice(ENGINES),
    default="auto",
    show_default=True,
    help="fock: full Liouvillian; free-fermion: local XX chains with end baths; rate-equation: global qubit "
    "networks, currents and energy only (Pauli equation); gaussian: oscillator networks, correlation matrix "
    "⟨a_i† a_j⟩, no cut-off. auto: free-fermion or gaussian where they apply (gaussian unless --cutoff is given), "
    "else fock.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (all time points).")
@click.option("--plot", "plot_file", type=click.Path(dir_okay=False), default=None, help="Write J_α(t) to a PNG.")
def evolve_command(
    network_file, approach, t_final, steps, initial, bookkeeping, cutoff, method, engine, as_json, plot_file
):
    """Transient heat currents J_α(t) of the network in NETWORK_FILE from a product initial state."""
    network = load_network(network_file)
    _check_steps(steps, network)
    if plot_file:
        check_output_path("--plot", plot_file, suffixes=(".png",))
    with native_stdout_to_stderr():
        ev = evolve(
            network,
            approach,
            t_final=t_final,
            steps=steps,
            initial=parse_initial(initial),
            bookkeeping=bookkeeping,
            cutoff=cutoff,
            method=method,
            engine=engine,
        )
    if plot_file:
        import matplotlib.pyplot as plt

        ax = plot_evolution(ev)
        ax.figure.tight_layout()
        ax.figure.savefig(plot_file, dpi=120)
        plt.close(ax.figure)
        data = Path(plot_file).with_suffix(".json")
        data.write_text(json.dumps(ev.to_dict(), indent=1))
    if as_json:
        echo_json(ev.to_dict())
    else:
        click.echo(format_evolution(ev))
        if plot_file:
            click.echo(f"figure: {plot_file} (data: {Path(plot_file).with_suffix('.json')})")
