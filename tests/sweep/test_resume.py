"""Nothing lost: a sweep killed (Ctrl-C, kill -9) and rerun resumes and gives the identical dataset."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

from qheatnet import ValidationError
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import load_sweep_file, open_result, run_sweep
from qheatnet.sweeps.store import partial_dir

N_T, N_EPS, CHUNK = 8, 25, 2  # 200 per-point solves in 100 chunks, ~2 s serial


def _write_sweep(folder: Path, network, fast_path=False, n_eps=N_EPS) -> Path:
    (folder / "net.toml").write_text(dumps_network(network))
    path = folder / "sweep.toml"
    path.write_text(
        f'network = "net.toml"\napproaches = ["local"]\nfast_path = {str(fast_path).lower()}\n'
        f"chunk_size = {CHUNK}\n[parameters]\n"
        f'"baths.hot.temperature" = {{ linspace = [1.0, 3.0, {N_T}] }}\n'
        f'"couplings.A-B.strength" = {{ geomspace = [1e-3, 0.2, {n_eps}] }}\n'
    )
    return path


def _cli(*args):
    cmd = [sys.executable, "-c", "from qheatnet.cli.main import main; main()", *map(str, args)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _chunks(out: Path) -> int:
    folder = partial_dir(out) / "chunks" / "local"
    return len(list(folder.glob("*.npz"))) if folder.exists() else 0


def _wait_for_chunks(proc, out, n, timeout=60.0):
    t = time.monotonic()
    while _chunks(out) < n:
        assert proc.poll() is None, f"sweep ended before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() - t < timeout, "no progress"
        time.sleep(0.01)


def test_kill_and_resume_gives_identical_dataset(tmp_path, qubits):
    sweep_file = _write_sweep(tmp_path, qubits)
    total_chunks = N_T * N_EPS // CHUNK
    reference = run_sweep(load_sweep_file(sweep_file), tmp_path / "ref.nc", workers=1)
    out = tmp_path / "result.nc"

    # 1. Ctrl-C: clean exit 130, completed chunks kept
    p = _cli("sweep", sweep_file, "--out", out, "--workers", "1", "--no-progress")
    _wait_for_chunks(p, out, 5)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130, err
    assert "interrupted" in err and "run the same command again to resume" in err
    n1 = _chunks(out)
    assert 5 <= n1 < total_chunks and not out.exists()

    # 2. kill -9 of the whole job (parent and its pool workers) mid-way
    p = _cli("sweep", sweep_file, "--out", out, "--workers", "2", "--no-progress")
    _wait_for_chunks(p, out, n1 + 5)
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)
    n2 = _chunks(out)
    assert n1 + 5 <= n2 < total_chunks and not out.exists()

    # 3. rerun with the same arguments: only the missing points are computed
    p = _cli("sweep", sweep_file, "--out", out, "--workers", "1", "--no-progress")
    stdout, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    reused = int(re.search(r"resuming .*: (\d+) of (\d+) points already computed", err).group(1))
    assert reused >= n2 * CHUNK  # chunks written while step 2 was being killed count too
    assert out.exists() and not partial_dir(out).exists()

    xr.testing.assert_identical(open_result(out), open_result(tmp_path / "ref.nc"))
    xr.testing.assert_identical(open_result(out), reference)


def test_corrupt_or_stray_files_are_recomputed(tmp_path, qubits):
    sweep_file = _write_sweep(tmp_path, qubits, n_eps=3)
    spec = load_sweep_file(sweep_file)
    reference = run_sweep(spec, workers=1)
    out = tmp_path / "r.nc"
    store = partial_dir(out)
    run_sweep(spec, out, workers=1, keep_partial=True)
    out.unlink()
    chunk = store / "chunks" / "local" / "00000003.npz"
    chunk.write_bytes(chunk.read_bytes()[:50])  # truncated (cannot happen with os.replace, but disks fail)
    (store / "chunks" / "local" / ".00000004.npz.123.ab.tmp").write_bytes(b"half")
    xr.testing.assert_identical(run_sweep(spec, out, workers=1), reference)
    assert not store.exists()


def test_finished_result_is_not_recomputed_and_other_sweeps_are_refused(tmp_path, qubits):
    sweep_file = _write_sweep(tmp_path, qubits, fast_path=True, n_eps=3)
    spec = load_sweep_file(sweep_file)
    out = tmp_path / "r.nc"
    first = run_sweep(spec, out)
    stamp = out.stat().st_mtime_ns
    messages = []
    again = run_sweep(spec, out, echo=messages.append)
    assert out.stat().st_mtime_ns == stamp and "nothing to compute" in messages[0]
    xr.testing.assert_identical(again, open_result(out))
    xr.testing.assert_identical(first, again)

    other = load_sweep_file(_write_sweep(tmp_path, qubits, fast_path=True, n_eps=4))
    with pytest.raises(ValidationError, match=r"^out: .*r\.nc exists and holds a different sweep"):
        run_sweep(other, out)
    # a partial store of another sweep is refused too
    run_sweep(other, tmp_path / "s.nc", keep_partial=True)
    (tmp_path / "s.nc").unlink()
    with pytest.raises(ValidationError, match=r"holds the partial results of a different sweep"):
        run_sweep(spec, tmp_path / "s.nc")
    xr.testing.assert_identical(run_sweep(spec, tmp_path / "s.nc", overwrite=True), first)
