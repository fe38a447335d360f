"""``qheatnet reproduce PAPER [--out DIR]``: regenerate a paper's results."""

from __future__ import annotations

import click

from .main import cli

PAPERS = ("levy-kosloff-2014", "hofer-2017", "kato-tanimura-2015", "linden-popescu-skrzypczyk-2010")


@cli.command("reproduce")
@click.argument("paper", type=click.Choice(PAPERS), metavar="PAPER")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for figures (PNG) and data (netCDF). Default: ./PAPER",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
def reproduce_command(paper, out_dir, quiet):
    """Regenerate the figures, data and claims of PAPER.

    \b
    PAPER is one of:
      levy-kosloff-2014               Levy & Kosloff, EPL 107, 20004 (2014)
      hofer-2017                      Hofer et al., NJP 19, 123037 (2017)
      kato-tanimura-2015              Kato & Tanimura, J. Chem. Phys. 143, 064107 (2015)
      linden-popescu-skrzypczyk-2010  Linden, Popescu & Skrzypczyk, PRL 105, 130401 (2010)
    """
    from ..reproduce import hofer_2017, kato_tanimura_2015, levy_kosloff_2014, linden_popescu_skrzypczyk_2010

    module = {
        "levy-kosloff-2014": levy_kosloff_2014,
        "hofer-2017": hofer_2017,
        "kato-tanimura-2015": kato_tanimura_2015,
        "linden-popescu-skrzypczyk-2010": linden_popescu_skrzypczyk_2010,
    }[paper]
    ok = module.run(out_dir or paper, progress=not quiet, echo=click.echo)
    if not ok:
        raise SystemExit(1)
