"""Issue 13, items 5 and 6: the sweep store, its chunks, the pool workers, the progress bar.

* ``--overwrite`` deleted the output folder before taking the lock (another
  sweep writing there lost its chunks and crashed): the store is now opened
  inside its lock.
* A chunk copied over another was accepted on resume: chunks record their
  index, point range, the sweep hash and a checksum; a bad chunk is
  recomputed and reported, and the resume message counts only valid chunks.
* ``--out r.txt`` wrote netCDF silently; ``sweep(..., out=5)`` raised a bare
  TypeError: both are ValidationError naming ``out``.
* After ``kill -9`` of a sweep its pool workers (and the fork server and the
  resource tracker, which live as long as a worker does) kept the caller's
  stdout/stderr open for the length of a chunk: they now exit with the sweep.
* The progress bar says what it counts.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from qheatnet import Flat, Network, ValidationError, sweep
from qheatnet.io.network_file import dumps_network
from qheatnet.sweeps import load_sweep_file, make_spec, run_sweep
from qheatnet.sweeps.store import ChunkStore, chunk_checksum, partial_dir

CHUNK = 2


@pytest.fixture
def qubits():
    return Network.two_node("qubit", 1.0, 0.7, 0.05, 2.0, 1.0, Flat(0.02))


def _spec(net, n_eps=3, n_t=4):
    """Per-point solves (fast_path off) in chunks of CHUNK points: n_t × n_eps / CHUNK chunks, ~10 ms per point."""
    return make_spec(
        net,
        {"baths.hot.temperature": np.linspace(1.0, 3.0, n_t), "couplings.A-B.strength": np.geomspace(1e-3, 0.2, n_eps)},
        ["local"],
        fast_path=False,
        chunk_size=CHUNK,
    )


def _chunk_files(out: Path) -> dict[str, bytes]:
    folder = partial_dir(out) / "chunks" / "local"
    return {f.name: f.read_bytes() for f in sorted(folder.glob("*.npz"))}


def _store_for(spec, out):
    from qheatnet.sweeps.runner import plan_chunks

    return ChunkStore(partial_dir(out), spec.hash, spec.canonical(), plan_chunks(spec), spec.n_points)


def test_overwrite_takes_the_lock_before_deleting(tmp_path, qubits):
    spec_a, spec_b = _spec(qubits), _spec(qubits, n_eps=4)
    out = tmp_path / "r.nc"
    run_sweep(spec_a, out, workers=1, keep_partial=True)
    out.unlink()
    before = _chunk_files(out)
    manifest = (partial_dir(out) / "manifest.json").read_text()
    assert len(before) == spec_a.n_points // CHUNK
    with _store_for(spec_a, out) as running:  # sweep A is "running": it holds the lock
        assert running.resumed
        with pytest.raises(ValidationError, match=r"^out: another sweep is writing to .*r\.nc\.partial right now"):
            run_sweep(spec_b, out, workers=1, overwrite=True)
        assert _chunk_files(out) == before  # nothing of A was deleted
        assert (partial_dir(out) / "manifest.json").read_text() == manifest
    # once A is done (lock released), B may overwrite
    xr.testing.assert_identical(run_sweep(spec_b, out, workers=1, overwrite=True), run_sweep(spec_b, workers=1))


def test_chunk_copied_over_another_is_recomputed_and_reported(tmp_path, qubits):
    spec = _spec(qubits)
    reference = run_sweep(spec, workers=1)
    out = tmp_path / "r.nc"
    run_sweep(spec, out, workers=1, keep_partial=True)
    out.unlink()
    folder = partial_dir(out) / "chunks" / "local"
    n_chunks = len(list(folder.glob("*.npz")))

    # 1. a chunk copied over another (same size, same sweep: only its recorded index tells)
    shutil.copy(folder / "00000003.npz", folder / "00000005.npz")
    # 2. a chunk of another sweep with the same chunk plan
    other = tmp_path / "other.nc"
    run_sweep(
        _spec(qubits.replace(baths=[qubits.baths[0].__class__("hot", "A", 2.0, Flat(0.03)), qubits.baths[1]])),
        other,
        workers=1,
        keep_partial=True,
    )
    shutil.copy(partial_dir(other) / "chunks" / "local" / "00000001.npz", folder / "00000001.npz")
    # 3. a chunk whose numbers were altered but whose identity was kept
    with np.load(folder / "00000002.npz") as z:
        rec = {k: z[k] for k in z.files}
    rec["heat_current"] = rec["heat_current"] * 1.01
    np.savez(folder / "00000002.npz", **rec)
    # 4. a chunk without identity (as written before this change)
    with np.load(folder / "00000004.npz") as z:
        rec = {k: z[k] for k in z.files if k != "__meta__"}
    np.savez(folder / "00000004.npz", **rec)

    messages = []
    again = run_sweep(spec, out, workers=1, echo=messages.append)
    xr.testing.assert_identical(again, reference)
    text = "\n".join(messages)
    valid_points = (n_chunks - 4) * CHUNK
    assert f"resuming {out}: {valid_points} of {spec.n_points} points already computed" in text
    assert "4 chunk file(s) were not valid for this sweep and are recomputed now" in text
    assert "local chunk 5: index is 3, expected 5" in text
    assert "local chunk 1: sweep_hash is" in text
    assert "checksum" in text and "no chunk identity" in text


def test_chunks_record_their_identity_and_checksum(tmp_path, qubits):
    spec = _spec(qubits)
    out = tmp_path / "r.nc"
    run_sweep(spec, out, workers=1, keep_partial=True)
    with np.load(partial_dir(out) / "chunks" / "local" / "00000003.npz") as z:
        meta = json.loads(str(z["__meta__"]))
        rec = {k: z[k] for k in z.files if k != "__meta__"}
    assert meta["index"] == 3 and meta["start"] == 3 * CHUNK and meta["stop"] == 4 * CHUNK
    assert meta["sweep_hash"] == spec.hash and meta["approach"] == "local"
    assert meta["checksum"] == chunk_checksum(rec)


@pytest.mark.parametrize("out", [5, 2.5, True, b"r.nc", ["r.nc"], ""])
def test_sweep_out_that_is_not_a_path_is_a_validation_error(qubits, out):
    with pytest.raises(ValidationError, match=r"^out: must be a (non-empty )?file path"):
        sweep(qubits, {"baths.hot.temperature": [1.5, 2.0]}, out=out)


@pytest.mark.parametrize("name", ["r.txt", "r", "r.nc.bak", "r.h5"])
def test_out_must_end_in_nc_or_zarr(tmp_path, qubits, name):
    with pytest.raises(ValidationError, match=r"^out: must end in \.nc \(netCDF\), \.zarr \(Zarr\)"):
        sweep(qubits, {"baths.hot.temperature": [1.5, 2.0]}, out=tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_out_of_the_wrong_kind_is_refused(tmp_path, qubits):
    (tmp_path / "folder.nc").mkdir()
    (tmp_path / "file.zarr").write_text("x")
    for name, match in (("folder.nc", "is a folder"), ("file.zarr", "is a file")):
        with pytest.raises(ValidationError, match=rf"^out: .*{match}"):
            sweep(qubits, {"baths.hot.temperature": [1.5, 2.0]}, out=tmp_path / name, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.zarr", "folder.nc"]


def test_progress_bar_is_labelled_with_what_it_counts(qubits, capsys):
    run_sweep(_spec(qubits), workers=1, progress=True)
    err = capsys.readouterr().err
    assert "points: 100%" in err and "point/s" in err


# --- kill -9 of the sweep process -------------------------------------------------------------------

#: Generous bound for the pipes to reach EOF after the sweep process is killed (this is a hang
#: test, not a timing test): with the fix they close within ~1 s; without it they stayed open
#: until the running chunk (1000 solves of ~0.5 s each here, ~8 minutes) was finished.
EOF_BOUND_SECONDS = 60.0


def _group_members(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                pids.append(int(entry))
    return pids


def _pool_workers(pgid: int) -> list[int]:
    """Pool workers of the sweep process ``pgid``: forked from it (same command line), or from its fork server."""
    info = {}
    for pid in _group_members(pgid):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                info[pid] = (ppid, fh.read())
        except (OSError, ValueError):
            continue
    if pgid not in info:
        return []
    servers = {pid for pid, (ppid, cmd) in info.items() if ppid == pgid and b"forkserver" in cmd}
    own = info[pgid][1]
    return [
        pid for pid, (ppid, cmd) in info.items() if pid != pgid and (ppid in servers or (ppid == pgid and cmd == own))
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to see the pool workers start")
def test_pool_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    # two oscillators at a fixed Fock cut-off K = 30: ~0.5 s per point, 2 chunks of 1000 points
    net = Network.two_node("oscillator", 1.0, 0.8, 0.05, 0.5, 0.3, Flat(0.01))
    (tmp_path / "net.toml").write_text(dumps_network(net), encoding="utf-8")
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(
        'network = "net.toml"\napproaches = ["local"]\nengine = "fock"\nfast_path = false\nchunk_size = 1000\n'
        'options = { cutoff = 30 }\n[parameters]\n"couplings.A-B.strength" = { linspace = [0.01, 0.1, 2000] }\n',
        encoding="utf-8",
    )
    load_sweep_file(sweep_file)  # valid
    cmd = [sys.executable, "-c", "from qheatnet.cli.main import main; main()", "sweep", str(sweep_file)]
    cmd += ["--out", str(tmp_path / "r.nc"), "--workers", "2", "--no-progress"]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        t0 = time.monotonic()
        # two workers, forked by the sweep process (or by its fork server, next to a resource tracker)
        while len(_pool_workers(p.pid)) < 2:
            assert p.poll() is None, p.communicate()
            assert time.monotonic() - t0 < 120, f"the pool did not start: {_group_members(p.pid)}"
            time.sleep(0.05)
        time.sleep(1.0)  # the workers are inside their first chunk
        assert p.poll() is None
        os.kill(p.pid, signal.SIGKILL)  # the sweep process only, not its group
        t_kill = time.monotonic()
        out = p.communicate(timeout=EOF_BOUND_SECONDS)  # returns only at EOF on both pipes
        assert time.monotonic() - t_kill < EOF_BOUND_SECONDS, out
        deadline = time.monotonic() + EOF_BOUND_SECONDS
        while _group_members(p.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group_members(p.pid) == [], "processes of the killed sweep are still running"
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # whatever is left of this test's own process group
        except ProcessLookupError:
            pass
        p.wait()
