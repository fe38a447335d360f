"""Network files in TOML (format: the README, section "Using it") and JSON output.

Example::

    [[nodes]]
    name = "A"
    kind = "oscillator"
    frequency = 10.0

    [[couplings]]
    nodes = ["A", "B"]
    strength = 1e-3            # kind = "swap" (default): ε(a_A† a_B + a_A a_B†)

    [[baths]]
    name = "hot"
    node = "A"
    temperature = 12.0
    spectrum = { kind = "phonon3d", kappa = 1e-7 }

Coupling kinds (formulas in :mod:`qheatnet.model.network`)::

    [[couplings]]              # ε (a_i + a_i†)(a_j + a_j†)
    nodes = ["A", "B"]
    kind = "dipole"
    strength = 0.05

    [[couplings]]              # ε n_i n_j (with a swap on the same pair: an XXZ bond)
    nodes = ["A", "B"]
    kind = "density"
    strength = 0.02

    [[couplings]]              # g (σ_c σ_r† σ_h + h.c.): the three-body refrigerator term
    nodes = ["c", "r", "h"]
    kind = "product"
    operators = ["a", "adag", "a"]   # one of a, adag, n, x (= a + a†) per node
    strength = 0.01

Generated networks: a ``[generate]`` table makes the nodes and couplings of a
chain, ring, star or 2-D lattice; ``[[nodes]]`` and ``[[couplings]]`` listed
as well are added to them, and ``[[baths]]`` name generated nodes::

    [generate]
    kind = "chain"             # chain | ring | star | lattice
    n = 200                    # (lattice: rows = ..., columns = ..., periodic = false)
    node_kind = "oscillator"   # or "qubit"
    frequency = 1.0            # or a list, one value per node
    coupling = 0.05            # or a list, one value per coupling
    coupling_kind = "swap"     # optional: swap | dipole | density
    prefix = "n"               # optional: node names n0 ... n199 (lattice: n{row}_{column})
    overrides = { n100 = { frequency = 1.3 } }   # optional, per node (frequency, kind)

    [[baths]]
    name = "hot"
    node = "n0"
    temperature = 2.0
    spectrum = { kind = "flat", rate = 0.01 }
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from ..errors import ValidationError
from ..model.network import Network

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_network", "loads_network", "dumps_network", "read_input_file", "parse_toml", "MAX_INPUT_BYTES"]

#: Largest input file (network or sweep file) that is read. The largest network the
#: reader accepts (MAX_NODES = 20 000 nodes in a chain, with its couplings) takes
#: about 2 MB of TOML, and tomllib parses about 4 MB/s on the CI machine: at this cap
#: a file is parsed in ~2 s, and ``solve /dev/zero`` is refused at once instead of
#: exhausting memory (it used to raise MemoryError after 34 s).
MAX_INPUT_BYTES = 8 * 1024 * 1024


def parse_toml(text: str, source: str = "<string>") -> dict:
    """``tomllib.loads(text)``; syntax errors and too deep nesting become ValidationError naming ``source``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(source, f"not valid TOML ({exc})") from None
    except RecursionError:
        raise ValidationError(
            source, "not valid input: arrays or tables nested too deeply for the TOML parser"
        ) from None


def loads_network(text: str, source: str = "<string>") -> Network:
    """Parse network TOML text; syntax errors become ValidationError."""
    return Network.from_dict(parse_toml(text, source))


def read_input_file(path: str | Path, what: str) -> str:
    """Text of an input file (UTF-8, an optional byte-order mark is dropped).

    Raises
    ------
    ValidationError
        Naming the file: missing, unreadable, a directory, larger than
        :data:`MAX_INPUT_BYTES`, or not UTF-8 text (a binary file).
    """
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError(str(p), f"cannot read {what} ({reason})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise ValidationError(
            str(p), f"{what} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB (MAX_INPUT_BYTES); refused"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            str(p), f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); is it binary?"
        ) from None


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
