"""``qheatnet solve NETWORK.toml --approach local|global|exact [--json] [--fluctuations]``."""

from __future__ import annotations

import click

from ..api.solve import APPROACHES, fluctuations, solve
from ..engines.choose import engine_names
from ..io.network_file import load_network
from .main import cli, echo_json, native_stdout_to_stderr


def _short(value) -> str:
    """A solver-report value in a few characters (6 significant digits; nested tables summarised)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (dict, list, tuple)) or hasattr(value, "items"):
        n = len(value)
        return f"<{n} entr{'y' if n == 1 else 'ies'}; see --json>"
    return str(value)


def format_result(res) -> str:
    """Human-readable report of a SteadyState (6 significant digits; ``--json`` has every digit)."""
    lines = [f"approach: {res.approach}   engine: {res.engine}   bookkeeping: {res.bookkeeping}"]
    lines.append("heat currents (positive: bath → network):")
    temps = {b.name: b.temperature for b in res.network.baths}
    for name, j in res.heat_currents.items():
        lines.append(f"  {name:<12} T = {temps[name]:<10.6g} J = {j: .6g}")
    lines.append(f"entropy production σ = {res.entropy_production:.6g}")
    lines.append(f"second law: {res.second_law} (tolerance {res.second_law_tolerance:.2e})")
    if res.bookkeeping == "bare":
        lines.append(
            f"first-law residual Σ J = {res.first_law_residual:.3e} (bare bookkeeping: the power exchanged through "
            "the couplings, not an error)"
        )
    else:
        lines.append(f"first-law residual Σ J = {res.first_law_residual:.3e}")
    lines.append("populations ⟨n⟩:")
    for name, n in res.populations.items():
        lines.append(f"  {name:<12} {n:.6g}")
    if res.coupling_currents:
        lines.append("heat flow through the couplings (bare bookkeeping; J_{c→i} > 0: energy into node i):")
        for label, per in res.coupling_currents.items():
            lines.append(f"  {label:<20} " + "   ".join(f"→{n}: {j: .6g}" for n, j in per.items()))
        if res.node_bath_currents is not None:
            lines.append(
                "  from the baths J_bath(i): " + "   ".join(f"{n}: {j: .6g}" for n, j in res.node_bath_currents.items())
            )
    elif res.coupling_currents is None and res.network.couplings:
        lines.append(f"heat flow through the couplings: {res.solver.get('coupling_currents', 'not available')}")
    if res.machine is not None:
        lines.append(format_machine(res.machine, {b.name: b.temperature for b in res.network.baths}))
    lines.append(
        f"steady-state residual {res.residual:.2e}; solver: "
        + ", ".join(f"{k}={_short(v)}" for k, v in res.solver.items())
    )
    if res.diagnostics:
        lines.append("diagnostics:")
        for d in res.diagnostics:
            lines.append(f"  [{d.severity}] {d.code}: {d.message}")
    return "\n".join(lines)


def format_fluctuations(fl) -> str:
    """Human-readable report of a Fluctuations result (``--fluctuations``)."""
    lines = [
        f"heat-current fluctuations ({fl.representation}; counted energy: {fl.bookkeeping} bookkeeping):",
        f"  {'bath':<12} {'J':>17} {'noise S':>17} {'third cumulant':>17} {'Fano S/|J|':>13} {'TUR Sσ/2J²':>11}",
    ]
    for name in fl.current_noise:
        q = fl.tur_ratio[name]
        mark = "" if q != q else ("  (TUR ≥ 1 holds)" if q >= 1 else "  (TUR violated: < 1)")
        lines.append(
            f"  {name:<12} {fl.heat_currents[name]: .6e} {fl.current_noise[name]: .6e} "
            f"{fl.third_cumulant[name]: .6e} {fl.fano_factor[name]:13.6g} {q:11.6g}{mark}"
        )
    lines.append(f"  entropy production σ (counted) = {fl.entropy_production:.6g}")
    lines.append("  solver: " + ", ".join(f"{k}={v}" for k, v in fl.solver.items()))
    for d in fl.diagnostics:
        lines.append(f"  [{d.severity}] {d.code}: {d.message}")
    return "\n".join(lines)


def format_machine(machine, temperatures) -> str:
    """The machine summary of a SteadyState (three or more baths) as text."""
    roles = ", ".join(f"{b} (T = {temperatures[b]:g}) {r}" for b, r in machine["roles"].items())
    lines = [f"machine: {machine['mode']} — {roles}"]
    if "cooling_power" in machine:
        cop, bound = machine["cop"], machine.get("carnot_cop")
        text = f"  cooling power {machine['cooling_power']:.6e} (bath {machine['cooled_bath']}), COP = {cop:.6g}"
        if bound is not None:
            text += f", Carnot COP = {bound:.6g} ({'within' if machine.get('within_carnot') else 'ABOVE'} the bound)"
        lines.append(text)
    if "efficiency" in machine:
        eta, bound = machine["efficiency"], machine.get("carnot_efficiency")
        text = f"  efficiency η = {eta:.6g}"
        if bound is not None:
            text += f", Carnot bound {bound:.6g} ({'within' if machine.get('within_carnot') else 'ABOVE'} the bound)"
        lines.append(text)
    lines.append(f"  power delivered P = Σ J = {machine['power']:.3e}")
    return "\n".join(lines)


@cli.command("solve")
@click.argument("network_file", type=click.Path())  # read_input_file refuses folders in one line
@click.option(
    "--approach",
    type=click.Choice(APPROACHES),
    default="local",
    show_default=True,
    help="Master equation: local (a dissipator per node) or global (Davies, eigenbasis of the network); exact: NEGF reference for oscillator networks (ohmic or drude_lorentz baths).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", *engine_names("steady")]),
    default="auto",
    show_default=True,
    help="Steady-state solver (auto: the best one that applies).",
)
@click.option(
    "--bookkeeping",
    type=click.Choice(["full", "bare"]),
    default="full",
    show_default=True,
    help="Hamiltonian that defines heat: full H_S (paper, eq. 5) or bare node Hamiltonians.",
)
@click.option(
    "--cutoff",
    type=click.IntRange(min=1),
    default=None,
    help="Fix the oscillator Fock cut-off K (total quanta) instead of converging it automatically.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@click.option(
    "--covariance",
    "with_cov",
    is_flag=True,
    help="Add the covariance matrix, pair correlations and separability (oscillator networks).",
)
@click.option(
    "--fluctuations",
    "with_fluct",
    is_flag=True,
    help="Add the heat-current noise, third cumulant, Fano factor and TUR ratio of every bath (counting statistics; "
    "the counted energy is bare for local, full for global and exact).",
)
def solve_command(network_file, approach, engine, bookkeeping, cutoff, as_json, with_cov, with_fluct):
    """Steady-state heat currents of the network in NETWORK_FILE (TOML)."""
    network = load_network(network_file)
    opts: dict = {} if cutoff is None else {"cutoff": cutoff}
    solve_opts = dict(opts)
    if (
        with_cov
        and set(network.kinds) == {"oscillator"}
        and engine in ("auto", "gaussian")
        and approach in ("local", "global", "exact")
    ):
        solve_opts["populations"] = "all"  # large Gaussian networks form C and V only when asked
    with native_stdout_to_stderr():
        res = solve(network, approach, engine=engine, bookkeeping=bookkeeping, **solve_opts)
        fl = None
        if with_fluct:
            from ..thermo.fluctuations import BOOKKEEPING

            same = res.bookkeeping == BOOKKEEPING.get(approach)
            fl = fluctuations(network, approach, engine=engine, state=res if same else None, **opts)
    if with_cov:
        from ..thermo.covariance import covariance_json, format_covariance
    if as_json:
        data = res.to_dict()
        if with_cov:
            data["covariance"] = covariance_json(res)
        if fl is not None:
            data["fluctuations"] = fl.to_dict()
        echo_json(data)
    else:
        click.echo(format_result(res))
        if with_cov:
            click.echo(format_covariance(res))
        if fl is not None:
            click.echo(format_fluctuations(fl))
