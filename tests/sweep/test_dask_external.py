"""Dask on an external scheduler: a ``dask scheduler`` and two ``dask worker`` processes started here on
localhost, as a user would start them, give the same dataset as a serial sweep (Python API and
``qheatnet sweep --scheduler ADDRESS``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qheatnet
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import load_sweep_file, make_spec, open_result, run_sweep

distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install 'qheatnet[dask]')"
)

SRC = Path(qheatnet.__file__).resolve().parent.parent  # the source tree under test
START_SECONDS = 60.0  # bound for the scheduler and the workers to come up on a loaded machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(proc: subprocess.Popen) -> None:
    """End ``proc`` and what it started (a worker's nanny starts the worker): its own process group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in the group, the nanny's worker included
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.fixture(scope="module")
def scheduler_address(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dask-cluster")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "OPENBLAS_NUM_THREADS": "1",
    }
    procs: list[subprocess.Popen] = []
    logs = []

    def start(name, *args):
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed in the finally below
        logs.append(log)
        cmd = [sys.executable, "-m", *args]
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True))

    def log_text():
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(tmp_path.glob("*.log")))

    try:
        start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port))
        t0 = time.monotonic()
        while not _listening(port):
            assert procs[0].poll() is None, f"dask scheduler exited:\n{log_text()}"
            assert time.monotonic() - t0 < START_SECONDS, f"dask scheduler did not start:\n{log_text()}"
            time.sleep(0.1)
        for i in range(2):
            start(
                f"worker{i}",
                "distributed.cli.dask_worker",
                address,
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--name",
                f"w{i}",
                "--no-dashboard",
            )
        with distributed.Client(address, timeout="30s") as client:
            try:
                client.wait_for_workers(2, timeout=START_SECONDS)
            except TimeoutError:
                pytest.fail(f"the two dask workers did not connect:\n{log_text()}")
            # the workers import this source tree, not another installed qheatnet
            where = client.run(lambda: str(Path(qheatnet.__file__).resolve().parent.parent))
            assert set(where.values()) == {str(SRC)}, where
        yield address
    finally:
        for p in reversed(procs):
            _stop(p)
        for log in logs:
            log.close()


@pytest.fixture
def spec(qubits):
    # every point through qheatnet.solve (fast_path=False), 40 chunks of 2 points: several batches per worker
    params = {"baths.hot.temperature": np.linspace(1.0, 3.0, 5), "couplings.A-B.strength": np.geomspace(1e-3, 0.1, 8)}
    return make_spec(qubits, params, ["local", "global"], fast_path=False, chunk_size=2)


def test_external_scheduler_gives_the_serial_dataset(spec, scheduler_address, tmp_path):
    serial = run_sweep(spec, workers=1)
    assert (serial.status == 0).all() and np.isfinite(serial.heat_current).all()
    on_dask = run_sweep(spec, scheduler=scheduler_address)
    xr.testing.assert_identical(serial, on_dask)  # values, coordinates and attributes
    stored = run_sweep(spec, tmp_path / "r.nc", scheduler=scheduler_address)
    xr.testing.assert_identical(serial, stored)


def test_cli_with_scheduler_address_gives_the_serial_dataset(qubits, scheduler_address, tmp_path):
    (tmp_path / "net.toml").write_text(dumps_network(qubits), encoding="utf-8")
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(
        'network = "net.toml"\napproaches = ["local", "global"]\nfast_path = false\nchunk_size = 2\n[parameters]\n'
        '"couplings.A-B.strength" = { geomspace = [1e-3, 0.1, 12] }\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.nc"
    cmd = [sys.executable, "-c", "from qheatnet.cli.main import main; main()", "sweep", str(sweep_file)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}
    done = subprocess.run(
        [*cmd, "--out", str(out), "--scheduler", scheduler_address, "--no-progress"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    serial = run_sweep(load_sweep_file(sweep_file), workers=1)
    xr.testing.assert_identical(serial, open_result(out))
