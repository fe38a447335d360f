"""The ``qheatnet`` command line.

Library errors (bad input, undefined approach, no convergence) become one
line on stderr and exit code 2; no traceback. Subcommands register
themselves on :data:`cli` in their own modules, imported at the bottom.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

import click

from .. import __version__
from ..errors import QheatnetError

EXIT_USAGE = 2


class _Group(click.Group):
    """A click group that turns qheatnet errors into one clean line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except QheatnetError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qheatnet")
def cli():
    """Heat transport through networks of quantum nodes.

    Units: ħ = k_B = 1. A heat current is positive when energy flows from
    its bath into the network.
    """


@contextlib.contextmanager
def native_stdout_to_stderr():
    """Send what compiled code writes to file descriptor 1 to stderr while computing.

    SuperLU prints "** On entry to ZTRSV ... illegal value" to fd 1 on singular
    matrices; inside this block that cannot corrupt a ``--json`` document.
    """
    try:
        fd = sys.__stdout__.fileno()
    except (AttributeError, OSError, ValueError):  # no real stdout (embedded use)
        yield
        return
    sys.__stdout__.flush()
    saved = os.dup(fd)
    try:
        os.dup2(sys.__stderr__.fileno(), fd)
        yield
    finally:
        sys.__stdout__.flush()
        os.dup2(saved, fd)
        os.close(saved)


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, indent=2, allow_nan=False))


def main(argv=None):  # pragma: no cover - thin wrapper
    try:
        cli.main(args=argv, prog_name="qheatnet", standalone_mode=True)
    except SystemExit as exc:
        sys.exit(exc.code)


# subcommands (each module adds itself to `cli`)
from . import evolve_cmd, reproduce_cmd, solve_cmd, sweep_cmd  # noqa: E402,F401,I001
