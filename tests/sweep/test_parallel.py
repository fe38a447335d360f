"""The local pool: batches of chunks, fork or fork server, what a worker inherits, BLAS threads.

Speed is measured in benchmarks/bench_sweep.py; these tests check that the ways a pool can run give
the serial dataset and that the worker set-up does what it says.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
import xarray as xr

from qheatnet.sweeps import make_spec, run_sweep, runner
from qheatnet.sweeps.kernels import SHARED_KEYS

PARAMS = {"baths.hot.temperature": np.linspace(1.0, 3.0, 4), "couplings.A-B.strength": np.geomspace(1e-3, 0.1, 6)}


@pytest.fixture
def spec(qubits):
    return make_spec(qubits, PARAMS, ["local", "global"], fast_path=False, chunk_size=2)


def _tasks(sizes):
    return [{"key": {"index": k}, "values": np.zeros((n, 1))} for k, n in enumerate(sizes)]


def test_batches_start_with_single_chunks_then_aim_at_the_target_time():
    batches = runner._Batches(_tasks([4] * 100), workers=2)
    assert [len(batches.next()) for _ in range(4)] == [1, 1, 1, 1]  # nothing measured yet
    # a worker reports 4 points in 40 ms: 10 ms per point, TARGET_TASK_SECONDS / 10 ms points per batch
    batches.observe(4, 0.04)
    want = min(runner.TARGET_TASK_SECONDS / 0.01, batches.left / 4)
    batch = batches.next()
    assert 4 * len(batch) <= want < 4 * (len(batch) + 1)


def test_batches_shrink_at_the_end_and_hand_out_every_chunk_once_in_order():
    tasks = _tasks([3] * 50 + [1])
    batches = runner._Batches(tasks, workers=2, per_point=1e-4)  # cheap points: the balance cap decides
    seen, sizes = [], []
    while (batch := batches.next()) is not None:
        left_before = batches.left + sum(len(t["values"]) for t in batch)
        points = sum(len(t["values"]) for t in batch)
        assert len(batch) == 1 or points <= left_before / 4  # at most 1/(2·workers) of what was left
        sizes.append(points)
        seen.extend(t["key"]["index"] for t in batch)
    assert seen == list(range(51))
    assert sizes[0] > sizes[-1] and batches.left == 0


def test_shared_part_is_split_off_the_tasks():
    base = {"nodes": []}
    tasks = [{"key": k, "values": k, "base": base, "targets": ["t"]} for k in range(3)]
    tasks[2]["base"] = {"nodes": [1]}  # not the same object: kept with its task
    shared, items = runner._split_shared(tasks)
    assert shared == {"base": base, "targets": ["t"]} and set(shared) <= set(SHARED_KEYS)
    assert items[0] == {"key": 0, "values": 0} and items[2]["base"] == {"nodes": [1]}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and fork server are Linux start methods here")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_each_start_method_gives_the_serial_dataset(spec, tmp_path, monkeypatch, method):
    serial = run_sweep(spec, workers=1)
    monkeypatch.setattr(runner, "POOL_START_METHOD", method)
    xr.testing.assert_identical(serial, run_sweep(spec, workers=2))
    xr.testing.assert_identical(serial, run_sweep(spec, tmp_path / "r.nc", workers=2))


def test_pool_forks_only_without_other_python_threads(monkeypatch):
    monkeypatch.setattr(runner, "POOL_START_METHOD", None)
    release = threading.Event()
    other = threading.Thread(target=release.wait, daemon=True)
    other.start()
    try:
        expected = "forkserver" if sys.platform.startswith("linux") else "spawn"
        assert runner._start_method() == expected
    finally:
        release.set()
        other.join()


def test_progress_bar_starts_no_thread_so_a_fresh_process_forks(tmp_path):
    code = (
        "import threading\n"
        "from qheatnet import Network, Flat, sweep\n"
        "from qheatnet.sweeps import runner\n"
        "net = Network.two_node('qubit', 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))\n"
        "sweep(net, {'baths.hot.temperature': [1.0, 2.0, 3.0]}, ['global'], fast_path=False, progress=True, workers=1)\n"
        "print(threading.active_count(), runner._start_method())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    expected = "fork" if sys.platform.startswith("linux") else "spawn"
    assert out.split() == ["1", expected]


def _openblas_threads() -> list[int]:
    """Threads of every OpenBLAS loaded in this process (numpy's, scipy's), asked through its own API."""
    found = []
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
        libs = sorted({line.split()[-1] for line in fh if "openblas" in line.lower() and "/" in line})
    for lib in libs:
        handle = ctypes.CDLL(lib)
        for name in ("openblas_get_num_threads", "openblas_get_num_threads64_", "scipy_openblas_get_num_threads64_"):
            getter = getattr(handle, name, None)
            if getter is not None:
                found.append(int(getter()))
                break
        else:
            getter = getattr(handle, "scipy_openblas_get_num_threads", None)
            if getter is not None:
                found.append(int(getter()))
    return found


def _worker_view(fd, identity):
    try:  # the number may have been reused since (the worker's pidfd): compare the file too
        st = os.fstat(fd)
        open_fd = (st.st_dev, st.st_ino) == identity
    except OSError:
        open_fd = False
    return open_fd, os.environ.get("OPENBLAS_NUM_THREADS"), _openblas_threads()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps; forks")
@pytest.mark.parametrize("method", ["fork", "forkserver"])
def test_worker_closes_the_lock_it_inherits_and_runs_one_blas_thread_per_core(tmp_path, monkeypatch, method):
    monkeypatch.setattr(runner, "POOL_START_METHOD", method)
    lock = open(tmp_path / "lock", "w")  # stands for the store's flock'ed lock file
    try:
        pool = runner._Pool([], workers=2, close_fds=(lock.fileno(),))
        try:
            with runner._starting_workers(pool.method, pool.blas_threads):
                st = os.fstat(lock.fileno())
                future = pool.ex.submit(_worker_view, lock.fileno(), (st.st_dev, st.st_ino))
            open_fd, variable, threads = future.result(timeout=120)
        finally:
            pool.close()
    finally:
        lock.close()
    expected = max(1, (os.cpu_count() or 1) // 2)
    assert pool.blas_threads == expected and variable == str(expected)
    assert threads and all(t == expected for t in threads), threads
    # a forked worker got a copy of the descriptor and closed it; a fork server's never had it
    assert not open_fd


def test_ctrl_c_of_a_pool_run_then_pool_resume_gives_the_serial_dataset(tmp_path, qubits):
    # batches of chunks in flight on two workers when Ctrl-C comes; the rerun on a pool resumes
    import signal
    import time

    from qheatnet.io.network_file import dumps_network
    from qheatnet.sweeps import load_sweep_file, open_result
    from qheatnet.sweeps.store import partial_dir

    (tmp_path / "net.toml").write_text(dumps_network(qubits), encoding="utf-8")
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(
        'network = "net.toml"\napproaches = ["local", "global"]\nfast_path = false\nchunk_size = 2\n[parameters]\n'
        '"baths.hot.temperature" = { linspace = [1.0, 3.0, 10] }\n"couplings.A-B.strength" = { geomspace = [1e-3, 0.2, 20] }\n',
        encoding="utf-8",
    )
    out = tmp_path / "r.nc"
    chunks = partial_dir(out) / "chunks"
    cmd = [
        sys.executable,
        "-c",
        "from qheatnet.cli.main import main; main()",
        "sweep",
        str(sweep_file),
        "--out",
        str(out),
    ]
    cmd += ["--workers", "2", "--no-progress"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        t0 = time.monotonic()
        while len(list(chunks.glob("*/*.npz"))) < 5:
            assert p.poll() is None, f"sweep ended before it could be interrupted: {p.communicate()}"
            assert time.monotonic() - t0 < 60, "no progress"
            time.sleep(0.01)
        os.killpg(p.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
        _, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert p.returncode == 130, err
    done = len(list(chunks.glob("*/*.npz")))
    assert 5 <= done < 200 and not out.exists()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "resuming" in again.stderr
    xr.testing.assert_identical(open_result(out), run_sweep(load_sweep_file(sweep_file), workers=1))
