"""``qheatnet sweep SWEEP.toml --out RESULT`` and ``qheatnet plot RESULT``."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .main import cli

EXIT_INTERRUPTED = 130


@cli.command("sweep")
@click.argument("sweep_file", type=click.Path())  # read_input_file refuses folders in one line
@click.option(
    "--out",
    required=True,
    type=click.Path(),
    help="Result file: netCDF (*.nc) or Zarr (*.zarr). Partial results live in OUT.partial/ until the end.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Local processes (default: one per CPU, unless the sweep is short).",
)
@click.option("--scheduler", default=None, help="Address of a Dask scheduler, e.g. tcp://host:8786.")
@click.option("--dask-local", type=click.IntRange(min=1), default=None, help="Start a Dask LocalCluster of N workers.")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    help="Points per chunk, the unit saved and resumed; workers get batches of chunks (default: from the file, or auto; a resumed sweep keeps its chunks).",
)
@click.option("--overwrite", is_flag=True, help="Discard an OUT (or OUT.partial) that holds a different sweep.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def sweep_command(sweep_file, out, workers, scheduler, dask_local, chunk_size, overwrite, no_progress):
    """Run the parameter sweep in SWEEP_FILE (TOML) and save it to OUT.

    Interrupted (Ctrl-C, kill -9, a crashed worker)? Run the same command
    again: completed chunks are kept and only the missing points are
    computed.
    """
    from dataclasses import replace

    from ..errors import ValidationError
    from ..sweeps import load_sweep_file, run_sweep
    from ..sweeps.dataset import STATUS_FAILED, result_format
    from ..sweeps.runner import WorkerLost

    spec = load_sweep_file(sweep_file)
    if chunk_size is not None:
        spec = replace(spec, chunk_size=chunk_size)
    if scheduler is not None and dask_local is not None:
        raise ValidationError("--scheduler", "give either --scheduler or --dask-local, not both")
    t0 = time.perf_counter()
    try:
        ds = run_sweep(
            spec,
            out,
            workers=workers,
            scheduler=scheduler,
            dask_local=dask_local,
            progress=not no_progress,
            overwrite=overwrite,
            echo=lambda m: click.echo(m, err=True),
        )
    except WorkerLost as exc:
        saved = (
            ""
            if out is None
            else f"; completed chunks are saved in {out}.partial — run the same command again to resume"
        )
        raise WorkerLost(f"{exc}{saved}") from None
    except KeyboardInterrupt:
        click.echo(
            f"interrupted: completed chunks are saved in {out}.partial; run the same command again to resume",
            err=True,
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    n = spec.n_points * len(spec.approaches)
    failed = int((ds.status == STATUS_FAILED).sum())
    dt = time.perf_counter() - t0
    click.echo(
        f"{n} points ({' × '.join(str(s) for s in spec.shape)} × {len(spec.approaches)} approaches) in {dt:.2f} s; "
        f"{failed} failed; saved to {out} ({'Zarr' if result_format(out) == 'zarr' else 'netCDF'})"
    )


@cli.command("plot")
@click.argument("result", type=click.Path())  # open_result refuses what is not a sweep result
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the PNG files (default: next to RESULT).",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    type=click.Choice(
        [
            "heat_current",
            "entropy_production",
            "population",
            "current_noise",
            "third_cumulant",
            "fano_factor",
            "tur_ratio",
        ]
    ),
    help="Variable(s) to draw (default: heat_current, entropy_production and, if present, tur_ratio).",
)
@click.option("--bath", default=None, help="Bath of heat_current (default: the first).")
@click.option(
    "--tolerance",
    type=float,
    default=None,
    help="Validity maps (results of a sweep with a reference): largest deviation δ counted as valid [default: 0.05].",
)
@click.option(
    "--dims",
    default=None,
    help="The two swept parameters of the maps, as X,Y (default: the first two).",
)
@click.option(
    "--network",
    "draw_network",
    is_flag=True,
    help="Draw the network with arrows whose width is the heat current through each coupling, at one point.",
)
@click.option(
    "--at",
    "at",
    multiple=True,
    metavar="DIM=VALUE",
    help="With --network: the point to draw (nearest value; default: the first value of each dimension).",
)
@click.option("--approach", default=None, help="With --network: the approach to draw (default: the first).")
def plot_command(result, out_dir, variables, bath, tolerance, dims, draw_network, at, approach):
    """Draw the 1-D scans or 2-D maps of a sweep RESULT to PNG files (--network: the heat-flow drawing).

    A result of a sweep with a reference also gets its validity map (which approaches are within
    the tolerance of the reference where) and the deviation of each approach.
    """
    from ..errors import ValidationError
    from ..sweeps.plot import load_result, plot_result, write_network_figure
    from .main import check_output_path

    ds = load_result(result)  # not a sweep result: one line naming the file
    folder = check_output_path("--out", out_dir, folder=True) if out_dir else Path(result).parent
    stem = Path(result).name.split(".")[0]
    if (at or approach) and not draw_network:
        raise ValidationError(
            "--at" if at else "--approach", "selects the point of the --network drawing: add --network"
        )
    if draw_network:
        point = {}
        for item in at:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise ValidationError("--at", f"must be DIM=VALUE, got {item!r}")
            point[key.strip()] = value.strip()
        click.echo(str(write_network_figure(ds, folder / f"{stem}_network.png", approach=approach, at=point)))
        return
    dim_pair = None
    if dims is not None:
        dim_pair = tuple(d.strip() for d in dims.split(","))
        if len(dim_pair) != 2:
            raise ValidationError("--dims", f"must be two swept parameters separated by a comma, got {dims!r}")
    paths = plot_result(
        ds, folder, stem=stem, variables=variables or None, bath=bath, tolerance=tolerance, dims=dim_pair
    )
    for p in paths:
        click.echo(str(p))
