"""Output written by compiled code to file descriptor 1 must not reach stdout during a computation.

SuperLU prints "** On entry to ZTRSV ... illegal value" to fd 1 on singular matrices, which would
corrupt ``qheatnet solve --json``. Checked in a subprocess, where fd 1 is a real pipe.
"""

import subprocess
import sys

CODE = """
import os
from qheatnet.cli.main import native_stdout_to_stderr
print("before", flush=True)
with native_stdout_to_stderr():
    os.write(1, b"native noise\\n")
print("after", flush=True)
"""


def test_native_writes_go_to_stderr():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["before", "after"]
    assert "native noise" in proc.stderr
