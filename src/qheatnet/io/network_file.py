"""Network files in TOML (format in DESIGN.md) and JSON output.

Example::

    [[nodes]]
    name = "A"
    kind = "oscillator"
    frequency = 10.0

    [[couplings]]
    nodes = ["A", "B"]
    strength = 1e-3

    [[baths]]
    name = "hot"
    node = "A"
    temperature = 12.0
    spectrum = { kind = "phonon3d", kappa = 1e-7 }
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import ValidationError
from ..model.network import Network

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_network", "loads_network", "dumps_network", "read_input_file"]


def loads_network(text: str, source: str = "<string>") -> Network:
    """Parse network TOML text; syntax errors become ValidationError."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(source, f"not valid TOML ({exc})") from None
    return Network.from_dict(data)


def read_input_file(path: str | Path, what: str) -> str:
    """Text of an input file; a missing or unreadable file is a ValidationError naming it."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(str(p), f"cannot read {what} ({exc.strerror})") from None


def load_network(path: str | Path) -> Network:
    """Read a network file; a missing or unreadable file is a ValidationError."""
    return loads_network(read_input_file(path, "network file"), str(path))


def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dumps_network(network: Network) -> str:
    """TOML text of ``network``; ``loads_network(dumps_network(n)) == n``."""
    lines = []
    data = network.to_dict()
    for section in ("nodes", "couplings", "baths"):
        for item in data[section]:
            lines.append(f"[[{section}]]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
            lines.append("")
    return "\n".join(lines)
