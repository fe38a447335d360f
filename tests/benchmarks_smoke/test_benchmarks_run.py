"""Every benchmark script still starts: ``--help`` exits 0, and every qheatnet import in it resolves.

Benchmarks are not run by the rest of the suite, so a module moved in the package layout (the old
``qheatnet.analysis``) broke them silently. Two checks, both cheap (no benchmark is run):

* ``python benchmarks/X.py --help`` in a fresh interpreter with this tree's ``src`` on the path
  exits 0 (catches import errors at module level and broken argument parsers);
* every ``from qheatnet… import name`` statement anywhere in the file, including the lazy ones
  inside functions (which ``--help`` never reaches), names a module that imports and a name it
  defines.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


def test_there_are_benchmarks():
    assert len(SCRIPTS) >= 10, [s.name for s in SCRIPTS]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_help_exits_zero(script):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), OPENBLAS_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert out.returncode == 0, f"{script.name} --help exited {out.returncode}:\n{out.stderr[-2000:]}"
    assert "usage:" in out.stdout, f"{script.name} --help printed no usage:\n{out.stdout[:500]}"


def _qheatnet_imports(script: Path):
    tree = ast.parse(script.read_text(), filename=str(script))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "qheatnet":
            yield node.lineno, node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "qheatnet":
                    yield node.lineno, a.name, []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_qheatnet_imports_resolve(script):
    missing = []
    for line, module, names in _qheatnet_imports(script):
        try:
            mod = importlib.import_module(module)
        except ImportError as exc:
            missing.append(f"line {line}: import {module}: {exc}")
            continue
        for name in names:
            if name == "*" or hasattr(mod, name):
                continue
            try:  # a submodule: from qheatnet.physics import redfield
                importlib.import_module(f"{module}.{name}")
            except ImportError:
                missing.append(f"line {line}: {module} has no {name}")
    assert not missing, f"{script.name}: " + "; ".join(missing)


def test_the_import_check_catches_a_removed_module(tmp_path):
    """The check above is not vacuous: a lazy import of the removed qheatnet.analysis is reported."""
    fake = tmp_path / "bench_fake.py"
    fake.write_text(
        "def main():\n    from qheatnet.analysis import diagnostics\n    from qheatnet import solve, nope\n"
    )
    found = list(_qheatnet_imports(fake))
    assert [m for _, m, _ in found] == ["qheatnet.analysis", "qheatnet"]
    with pytest.raises(AssertionError, match=r"qheatnet\.analysis.*qheatnet has no nope"):
        test_qheatnet_imports_resolve(fake)
