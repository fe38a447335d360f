"""The ``qheatnet`` command line.

Library errors (bad input, undefined approach, no convergence) and usage
errors (a missing option, a bad value) become exactly one line on stderr,
``error: <field>: <what is wrong>``, and exit code 2; no traceback. Line
breaks and other control characters inside a message are escaped so that
the line stays one line. Subcommands register themselves on :data:`cli` in
their own modules, imported at the bottom.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import unicodedata
from pathlib import Path

import click

from .. import __version__
from ..errors import QheatnetError, ValidationError

EXIT_USAGE = 2


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (\\n, \\x1b, ...)."""
    out = []
    for ch in str(text):
        if ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp"):  # \n, \r, ESC, U+2028, ...
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


class CleanUsageError(click.ClickException):
    """A usage error shown as one line ``error: ...`` (click's own shows usage, a hint and the error)."""

    exit_code = EXIT_USAGE

    def show(self, file=None):
        click.echo(f"error: {one_line(self.format_message())}", err=True)


def _usage_message(exc: click.UsageError) -> str:
    msg = exc.format_message()
    return msg[:-1] if msg.endswith(".") and not msg.endswith("..") else msg


class _Group(click.Group):
    """A click group that turns qheatnet errors and usage errors into one clean line."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            raise CleanUsageError(_usage_message(exc)) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except QheatnetError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            ctx.exit(EXIT_USAGE)
        except click.UsageError as exc:
            raise CleanUsageError(_usage_message(exc)) from None


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


def check_output_path(option: str, path, *, folder: bool = False, suffixes: tuple[str, ...] = ()) -> Path:
    """An output location whose parent folder exists (nothing is created silently from a typo).

    ``folder``: the location is a folder (created if missing; an existing
    file there is refused). ``suffixes``: allowed file name endings.
    Raises ValidationError naming ``option``.
    """
    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        raise ValidationError(option, f"must end in {' or '.join(suffixes)}, got {str(path)!r}")
    parent = p.parent
    if not parent.exists():
        raise ValidationError(option, f"the folder {str(parent)!r} does not exist (create it first)")
    if not parent.is_dir():
        raise ValidationError(option, f"{str(parent)!r} is not a folder")
    if folder and p.exists() and not p.is_dir():
        raise ValidationError(option, f"{str(p)!r} exists and is not a folder")
    if not folder and p.is_dir():
        raise ValidationError(option, f"{str(p)!r} is a folder, not a file")
    return p


def echo_json(obj) -> None:
    click.echo(json.dumps(obj, indent=2, allow_nan=False))


def main(argv=None):  # pragma: no cover - thin wrapper
    try:
        cli.main(args=argv, prog_name="qheatnet", standalone_mode=True)
    except SystemExit as exc:
        sys.exit(exc.code)


# subcommands (each module adds itself to `cli`)
from . import compare_cmd, evolve_cmd, reproduce_cmd, solve_cmd, sweep_cmd  # noqa: E402,F401,I001
