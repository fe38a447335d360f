"""``qheatnet compare NETWORK.toml [--json] [--reference auto|exact|heom|none] [--tolerance 0.05]``."""

from __future__ import annotations

import click

from .main import cli, echo_json, native_stdout_to_stderr

_APPROACHES = ("local", "global", "unified", "redfield")


@cli.command("compare")
@click.argument("network_file", type=click.Path())  # read_input_file refuses folders in one line
@click.option(
    "--reference",
    type=click.Choice(["auto", "exact", "heom", "none"]),
    default="auto",
    show_default=True,
    help="Exact reference: auto picks exact (oscillators, ohmic or drude_lorentz baths) or heom (qubits, "
    "drude_lorentz baths, needs the heom extra); none compares the approaches among themselves.",
)
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="Largest relative deviation δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| counted as agreement [default: 0.05].",
)
@click.option(
    "--approach",
    "approaches",
    multiple=True,
    type=click.Choice(_APPROACHES),
    help="Approach to compare (repeatable; default: local, global, unified, redfield).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
def compare_command(network_file, reference, tolerance, approaches, as_json):
    """Every applicable master equation on NETWORK_FILE against the exact reference, and which to trust.

    Prints the heat current of every bath per approach, the relative deviation δ from the reference,
    the diagnostics and the cost, and the recommended approach: the cheapest one within the
    tolerance of the reference ("none: use the reference" when there is none).
    """
    from ..api.compare import compare
    from ..io.network_file import load_network

    network = load_network(network_file)
    with native_stdout_to_stderr():
        result = compare(
            network,
            reference=None if reference == "auto" else reference,
            tolerance=tolerance,
            approaches=list(approaches) or None,
        )
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(result.format())
