"""Running a sweep: planning chunks, executing them, saving as they complete.

Execution
---------
* Two-node points (see :mod:`.fastpath`) are evaluated by the vectorised
  closed forms in blocks of :data:`FAST_BLOCK` points, in this process.
* Other points are solved one by one with :func:`qheatnet.solve`, batched
  in chunks (``chunk_size`` points per task), on

  - this process (``workers=1``),
  - a local process pool (``workers=N``; default: one per CPU when there
    is more than one chunk),
  - Dask distributed (``scheduler="tcp://host:8786"``, ``dask_local=N`` for a
    ``LocalCluster`` of N processes, or ``client=`` an existing
    ``dask.distributed.Client``). Dask is imported only then.

Chunks are the unit of storage and of resumption; the unit of work sent to a
pool or Dask worker is a *batch* of consecutive chunks (:class:`_Batches`):
single chunks until a worker has reported how long a point takes, then about
:data:`TARGET_TASK_SECONDS` of points per batch, but never more than
1/(2·workers) of what is left, so the last batches are short. The parts of a
task common to all chunks (network, targets, options: ``SHARED_KEYS`` of
:mod:`.kernels`) reach each worker once — pool initializer, or one Dask
future broadcast to every worker — not with every chunk.

The local pool forks on Linux when this process runs no other Python thread
(the workers start in milliseconds with every module already imported; the
progress bar runs no monitor thread for that reason), else it uses a fork
server that preloads the solvers; ``spawn`` elsewhere (:data:`POOL_START_METHOD`).
Each worker runs its BLAS with ``cpu_count // workers`` threads (at least 1):
idle OpenBLAS threads spin next to the solving thread, and with OpenBLAS's
default threads a serial sweep of small Liouvillians ran up to 4× slower
(benchmarks/README.md "Parallel sweeps"); two such workers would share the cores with four.

Every completed chunk is written to the store (:mod:`.store`) at once when
``out`` is given; the final dataset is assembled from the chunk files.

Pool workers exit when the sweep process dies (``kill -9`` included): each
worker waits on a pidfd of the sweep process in a daemon thread (Linux ≥ 5.3;
elsewhere it polls every :data:`PARENT_POLL_SECONDS`). ``PR_SET_PDEATHSIG``
would not do: the parent of a forkserver worker is the fork server, which
itself lives as long as any worker holds its "alive" pipe — so without this
watch, workers, fork server and resource tracker outlived a killed sweep by
the length of a chunk and held its stdout/stderr open.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import xarray as xr

from ..errors import QheatnetError, ValidationError
from .dataset import Assembler, open_result, save_dataset
from .fastpath import fast_path_applies
from .kernels import SHARED_KEYS, run_batch, run_task
from .spec import FLUCTUATION_OUTPUTS, MAX_SWEEP_POINTS, SweepSpec, make_spec
from .store import ChunkStore, discard_partial, partial_dir

__all__ = [
    "run_sweep",
    "sweep",
    "plan_chunks",
    "check_out",
    "WorkerLost",
    "FAST_BLOCK",
    "MAX_AUTO_CHUNK",
    "MAX_SWEEP_POINTS",
    "RESULT_SUFFIXES",
]

#: File name endings of a sweep result: netCDF or Zarr (anything else is refused
#: rather than silently written as netCDF).
RESULT_SUFFIXES = {".nc": "netCDF", ".zarr": "Zarr"}
#: Where a pool worker cannot wait on a pidfd of the sweep process, it checks this
#: often (seconds) that the process is alive; a killed sweep's workers exit within it.
PARENT_POLL_SECONDS = 0.5

#: Points per closed-form block (vectorised; about 0.1 s and 100 MB per block).
FAST_BLOCK = 1 << 18
#: Largest automatic chunk of per-point solves: with ~10 ms per solve a
#: chunk takes ~0.6 s, which keeps Dask's per-task overhead at a few per
#: cent (MEASURED.md) and loses little work on an interruption.
MAX_AUTO_CHUNK = 64
#: Smaller sweeps are stored in about this many chunks per approach: each chunk file costs
#: ~5-15 ms to write (fsync), read back and delete on this kind of disk, as much as a few
#: 4-qubit solves; a pool or Dask worker gets batches of chunks, so parallel balance does not
#: need small chunks.
AUTO_CHUNKS = 16
#: With ``workers=None`` the first chunk is solved in this process and timed;
#: a process pool starts only if the rest would take longer than this serially
#: (starting a pool costs ~1 s: a fork server that imports numpy and scipy) ...
AUTO_POOL_MIN_SECONDS = 3.0
#: ... or than this when the pool forks (its workers start in a few milliseconds).
AUTO_FORK_POOL_MIN_SECONDS = 0.5
#: A batch of chunks sent to a worker aims at about this long: long against the ~1 ms a
#: task costs to send and collect, short enough that the end of a sweep stays balanced
#: and an interruption loses little.
TARGET_TASK_SECONDS = 0.3
#: Batches queued per worker: one running and one waiting, so no worker waits for the next.
IN_FLIGHT_PER_WORKER = 2
#: Start method of the local pool: None picks "fork" on Linux when this process runs no other
#: Python thread (forking next to a running thread can deadlock the child on a lock that
#: thread held), else "forkserver"; "spawn" on other systems. Or set one of those names.
POOL_START_METHOD: str | None = None


class WorkerLost(QheatnetError, RuntimeError):
    """A worker process died (crash, out of memory, killed); completed chunks are kept.

    Rerunning the same sweep with the same ``out`` resumes from them.
    """


def plan_chunks(spec: SweepSpec) -> dict[str, dict]:
    """approach → {"method": "fast" | "solve", "chunk_size": int}; independent of the workers."""
    plan = {}
    n = spec.n_points
    for a in spec.approaches:
        # fluctuation outputs need the counting statistics at every point: no closed-form fast path
        if fast_path_applies(spec, a) and not set(spec.outputs) & set(FLUCTUATION_OUTPUTS):
            plan[a] = {"method": "fast", "chunk_size": FAST_BLOCK}
        else:
            size = spec.chunk_size or max(1, min(MAX_AUTO_CHUNK, math.ceil(n / AUTO_CHUNKS)))
            plan[a] = {"method": "solve", "chunk_size": int(size)}
    return plan


def _chunks(plan: dict, approach: str, n: int):
    size = int(plan[approach]["chunk_size"])
    return [(k, s, min(s + size, n)) for k, s in enumerate(range(0, n, size))]


def _process_alive(pid: int) -> bool:
    """False once ``pid`` has exited (a zombie counts as exited: /proc state Z)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _exit_with(parent_pid: int) -> None:
    """Block until process ``parent_pid`` has exited, then end this process at once."""
    fd = None
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(parent_pid)
        except OSError:  # already gone (ProcessLookupError), or no pidfd support in the kernel
            fd = None
    if fd is not None:
        select.select([fd], [], [])  # a pidfd becomes readable when the process exits
    else:
        while _process_alive(parent_pid):
            time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


#: Environment variables that set the threads of a BLAS (or OpenMP) library when it is loaded.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_SHARED: dict | None = None  # the shared part of the tasks, set in each pool worker by _worker_init


def _set_blas_threads(n: int) -> None:
    """Use ``n`` BLAS threads in this process: libraries loaded from now on read the environment; those
    already loaded (numpy's and scipy's OpenBLAS in a forked worker) are set through their own API by
    threadpoolctl."""
    from threadpoolctl import threadpool_limits

    for var in BLAS_THREAD_VARIABLES:
        os.environ[var] = str(n)
    threadpool_limits(limits=n, user_api="blas")  # kept for the life of the worker (not a context)


def _start_method() -> str:
    if POOL_START_METHOD is not None:
        return POOL_START_METHOD
    if not sys.platform.startswith("linux"):
        return "spawn"  # fork is unsafe on macOS; no fork server on Windows
    return "fork" if threading.active_count() == 1 else "forkserver"


def _worker_init(parent_pid: int, shared: dict | None = None, blas_threads: int = 0, close_fds=()) -> None:
    """Pool worker set-up: the parent handles Ctrl-C; exit when the parent dies; keep the shared
    part of the tasks; ``blas_threads`` BLAS threads; close file descriptors inherited by a fork
    that must not outlive the parent (the store's lock)."""
    global _SHARED
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in close_fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    if blas_threads:
        _set_blas_threads(blas_threads)
    _SHARED = shared
    threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True, name="qheatnet-parent-watch").start()


def _pool_batch(items: list[dict]):
    """A batch of chunks in a pool worker, with the shared part its initializer received."""
    return run_batch(items, _SHARED)


def _split_shared(tasks: list[dict]) -> tuple[dict, list[dict]]:
    """(what all tasks share, the tasks less it); a task that differs keeps its own entry."""
    if not tasks:
        return {}, []
    shared = {k: tasks[0][k] for k in SHARED_KEYS if k in tasks[0]}
    items = [{k: v for k, v in t.items() if not (k in shared and v is shared[k])} for t in tasks]
    return shared, items


def _points(results) -> int:
    return sum(len(rec["entropy_production"]) for _, rec in results)


class _Batches:
    """Hands out the chunk tasks in batches of about :data:`TARGET_TASK_SECONDS` (see the module doc).

    ``per_point``: seconds per point if known (timed in this process); otherwise the first batches
    are single chunks until :meth:`observe` reports a worker's time.
    """

    def __init__(self, tasks: list[dict], workers: int, per_point: float | None = None):
        self.todo = deque(tasks)
        self.left = sum(len(t["values"]) for t in tasks)
        self.workers = max(1, int(workers))
        self.per_point = per_point
        self._points = 0
        self._seconds = 0.0

    def observe(self, points: int, seconds: float) -> None:
        self._points += points
        self._seconds += seconds
        if self._points and self._seconds > 0:
            self.per_point = self._seconds / self._points

    def next(self) -> list[dict] | None:
        if not self.todo:
            return None
        want = 0.0  # points: at least one chunk whatever this says
        if self.per_point:
            want = min(TARGET_TASK_SECONDS / self.per_point, self.left / (2 * self.workers))
        batch = [self.todo.popleft()]
        points = len(batch[0]["values"])
        while self.todo and points + len(self.todo[0]["values"]) <= want:
            batch.append(self.todo.popleft())
            points += len(batch[-1]["values"])
        self.left -= points
        return batch


@contextlib.contextmanager
def _starting_workers(method: str, blas_threads: int):
    """While pool workers start: a fork server (and what it preloads) is started with
    ``blas_threads`` BLAS threads; Python ≥ 3.12 is not let warn about forking next to
    BLAS threads (native threads that OpenBLAS stops and restarts around a fork itself;
    fork is chosen only when no other Python thread runs)."""
    saved = {v: os.environ.get(v) for v in BLAS_THREAD_VARIABLES}
    try:
        if method == "forkserver":
            for v in BLAS_THREAD_VARIABLES:
                os.environ[v] = str(blas_threads)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=r".*use of fork\(\) may lead to deadlocks", category=DeprecationWarning
            )
            yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


class _Serial:
    def __init__(self, tasks):
        self.tasks = tasks

    def results(self):
        for t in self.tasks:
            yield run_task(t)

    def close(self, kill: bool = False):
        pass


class _Pool:
    def __init__(self, tasks, workers: int, per_point: float | None = None, close_fds=()):
        self.method = method = _start_method()
        ctx = multiprocessing.get_context(method)
        self.blas_threads = max(1, (os.cpu_count() or 1) // workers)
        preload = ["qheatnet.sweeps.kernels", "qheatnet.sweeps.fastpath", "qheatnet.api.solve"]
        if method == "forkserver":
            ctx.set_forkserver_preload(preload)
        elif method == "fork":  # the workers inherit what this process has imported
            import importlib

            for name in preload:
                importlib.import_module(name)
        shared, items = _split_shared(list(tasks))
        self.ex = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=ctx,
            initializer=_worker_init,
            initargs=(os.getpid(), shared, self.blas_threads, tuple(close_fds) if method == "fork" else ()),
        )
        self.workers = workers
        self.batches = _Batches(items, workers, per_point)

    def results(self):
        pending: set = set()

        def submit():
            batch = self.batches.next()
            if batch is not None:
                pending.add(self.ex.submit(_pool_batch, batch))

        with _starting_workers(self.method, self.blas_threads):  # the first submits start the workers
            for _ in range(IN_FLIGHT_PER_WORKER * self.workers):
                submit()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                pending.discard(f)
                try:
                    out, seconds = f.result()
                except BrokenProcessPool as exc:
                    raise WorkerLost(f"a worker process died ({exc})") from None
                self.batches.observe(_points(out), seconds)
                submit()
                yield from out

    def close(self, kill: bool = False):
        if kill:  # Ctrl-C: stop the running solves too
            for p in list(getattr(self.ex, "_processes", {}).values()):
                p.kill()
        self.ex.shutdown(wait=not kill, cancel_futures=True)


class _Dask:
    def __init__(self, tasks, client=None, scheduler=None, dask_local=None):
        try:
            from dask.distributed import Client, LocalCluster, as_completed
        except ImportError:  # pragma: no cover - depends on the install
            raise ValidationError(
                "scheduler", "Dask is not installed; install the extra: pip install 'qheatnet[dask]'"
            ) from None
        self._as_completed = as_completed
        self.cluster = None
        self.own_client = client is None
        if client is None:
            if scheduler is not None:
                try:
                    client = Client(scheduler, timeout="10s")
                except (OSError, TimeoutError, ValueError) as exc:
                    raise ValidationError("scheduler", f"cannot connect to {scheduler!r} ({exc})") from None
            else:
                self.cluster = LocalCluster(
                    n_workers=int(dask_local), threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(self.cluster)
        self.client = client
        self.shared, self.items = _split_shared(list(tasks))
        self.futures: set = set()

    def results(self):
        from dask.distributed import KilledWorker

        [shared] = self.client.scatter([self.shared], broadcast=True, hash=False)  # once, to every worker
        slots = max(1, sum(self.client.nthreads().values()))
        batches = _Batches(self.items, slots)
        running = self._as_completed()

        def submit():
            batch = batches.next()
            if batch is not None:
                f = self.client.submit(run_batch, batch, shared, pure=False)
                self.futures.add(f)
                running.add(f)

        for _ in range(IN_FLIGHT_PER_WORKER * slots):
            submit()
        for f in running:
            try:
                out, seconds = f.result()
            except KilledWorker as exc:
                raise WorkerLost(f"Dask workers died running a chunk ({exc})") from None
            self.futures.discard(f)
            f.release()
            batches.observe(_points(out), seconds)
            submit()
            yield from out

    def close(self, kill: bool = False):
        if self.futures:
            self.client.cancel(list(self.futures))
        if self.own_client:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run_sweep(
    spec: SweepSpec,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    client=None,
    progress: bool = False,
    overwrite: bool = False,
    keep_partial: bool = False,
    echo=None,
) -> xr.Dataset:
    """Compute every point of ``spec`` and return the result dataset (see :mod:`.dataset`).

    Parameters
    ----------
    spec : SweepSpec
    out : path, optional
        Final file (netCDF, or Zarr for ``*.zarr``). Completed chunks go to
        ``<out>.partial/`` as they finish; a rerun with the same spec
        resumes from them; at the end the dataset is written to ``out``
        and the partial store removed (unless ``keep_partial``). If ``out``
        already holds this sweep it is loaded, not recomputed.
    workers : int, optional
        Processes for per-point solves (1: this process). Default: one per
        CPU if the first chunk, timed here, says the rest would take more
        than :data:`AUTO_FORK_POOL_MIN_SECONDS` serially (a forked pool;
        :data:`AUTO_POOL_MIN_SECONDS` with a fork server); else this process.
    scheduler, dask_local, client
        Use Dask: a scheduler address, a LocalCluster of N workers, or a client.
    progress : bool
        Show a tqdm progress bar (points done, rate, time left) on stderr.
    overwrite : bool
        Replace an ``out`` (or partial store) that holds a different sweep.
    echo : callable, optional
        Called with one-line status messages (e.g. ``click.echo``).

    Raises
    ------
    ValidationError
        Bad options, or ``out`` holds another sweep.
    KeyboardInterrupt
        Re-raised after the completed chunks are safely on disk.
    """
    say = echo or (lambda msg: None)
    if not isinstance(spec, SweepSpec):
        raise ValidationError(
            "spec", f"must be a SweepSpec (see make_spec, load_sweep_file), got {type(spec).__name__}"
        )
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValidationError("workers", f"must be an integer ≥ 1, got {workers!r}")
    if dask_local is not None and (isinstance(dask_local, bool) or not isinstance(dask_local, int) or dask_local < 1):
        raise ValidationError("dask_local", f"must be an integer ≥ 1, got {dask_local!r}")
    if sum(x is not None for x in (scheduler, dask_local, client)) > 1:
        raise ValidationError("scheduler", "give at most one of scheduler, dask_local, client")
    n = spec.n_points
    total = n * len(spec.approaches)
    if total > MAX_SWEEP_POINTS:
        raise ValidationError(
            "parameters",
            f"the sweep has {' × '.join(str(k) for k in spec.shape)} points × {len(spec.approaches)} approach(es) = "
            f"{total}; at most MAX_SWEEP_POINTS = {MAX_SWEEP_POINTS} (split it into several sweeps)",
        )
    plan = plan_chunks(spec)
    store = None
    if out is not None:
        out = check_out(out)
        if out.exists():
            try:
                old = open_result(out)
                same = old.attrs.get("sweep_hash") == spec.hash
            except Exception:  # unreadable: treat as another sweep
                old, same = None, False
            if same:
                say(f"{out} already holds this sweep (hash {spec.hash[:12]}…); nothing to compute")
                if not keep_partial:
                    discard_partial(out)  # unless a sweep is running on it
                assert old is not None  # same is True only when open_result succeeded
                return old
            if not overwrite:
                raise ValidationError(
                    "out", f"{out} exists and holds a different sweep; use another --out or --overwrite"
                )
        store = ChunkStore(partial_dir(out), spec.hash, spec.canonical(), plan, n, overwrite=overwrite)

    from contextlib import nullcontext

    with store if store is not None else nullcontext():  # the lock is taken before anything is read or deleted
        if store is not None:
            plan = store.plan
        methods = {a: ("closed_form" if plan[a]["method"] == "fast" else "solve") for a in spec.approaches}
        assembler = Assembler(spec, methods)
        base = spec.network.to_dict()
        targets = list(spec.targets)  # one per field: linked and zipped axes set several

        def task(a, k, s, e):
            return {
                "key": {"approach": a, "index": k, "start": s},
                "method": plan[a]["method"],
                "base": base,
                "targets": targets,
                "values": spec.point_values(s, e),
                "approach": a,
                "bookkeeping": spec.bookkeeping,
                "engine": spec.engine,
                "options": spec.options,
                "outputs": spec.outputs,
            }

        fast: list[dict] = []
        slow: list[dict] = []
        done_points = 0
        for a in spec.approaches:
            done = store.done(a) if store is not None else set()
            for k, s, e in _chunks(plan, a, n):
                if k in done:
                    done_points += e - s
                    continue
                (fast if plan[a]["method"] == "fast" else slow).append(task(a, k, s, e))
        if store is not None and store.resumed:
            say(f"resuming {out}: {done_points} of {total} points already computed")
        if store is not None and store.rejected:
            say(_rejected_message(store.rejected, "recomputed now"))
            store.rejected.clear()

        from tqdm.auto import tqdm

        class _Bar(tqdm):
            monitor_interval = 0  # no monitor thread: the pool may fork only without other threads

        bar = _Bar(
            total=total,
            initial=done_points,
            desc="points",
            unit="point",
            disable=not progress,
            dynamic_ncols=True,
            smoothing=0.1,
        )

        def consume(results):
            for key, rec in results:
                if store is not None:
                    store.write(key["approach"], key["index"], rec)
                else:
                    assembler.add(key["approach"], key["start"], rec)
                bar.update(len(rec["entropy_production"]))

        executor: _Serial | _Pool | _Dask | None = None
        try:
            consume(run_task(t) for t in fast)
            if slow:
                use_dask = any(x is not None for x in (scheduler, dask_local, client))
                if use_dask:
                    executor = _Dask(slow, client=client, scheduler=scheduler, dask_local=dask_local)
                else:
                    nw = workers
                    per_point = None
                    if nw is None:  # time the first chunk here, then decide whether a pool pays off
                        t0 = time.perf_counter()
                        consume([run_task(slow[0])])
                        per_point = (time.perf_counter() - t0) / len(slow[0]["values"])
                        slow = slow[1:]
                        left = per_point * sum(len(t["values"]) for t in slow)
                        pays = AUTO_FORK_POOL_MIN_SECONDS if _start_method() == "fork" else AUTO_POOL_MIN_SECONDS
                        nw = (os.cpu_count() or 1) if left > pays else 1
                    nw = min(nw, len(slow))
                    if nw <= 1:
                        executor = _Serial(slow)
                    else:
                        lock = store.lock_fileno if store is not None else None
                        executor = _Pool(slow, nw, per_point, close_fds=() if lock is None else (lock,))
                consume(executor.results())
                executor.close()
                executor = None
        except BaseException:
            if executor is not None:
                executor.close(kill=True)
            bar.close()
            raise
        bar.close()
        if store is None:
            return assembler.dataset()
        for a in spec.approaches:
            for k, s, _e in store.chunks(a):
                rec = store.read(a, k)
                if rec is None:  # lost or altered since it was written: recompute it here
                    _, rec = run_task(task(a, k, s, _e))
                    store.write(a, k, rec)
                assembler.add(a, s, rec)
        if store.rejected:
            say(_rejected_message(store.rejected, "recomputed before saving"))
        ds = assembler.dataset()
        assert out is not None  # a store exists only for a sweep with an output file
        save_dataset(ds, out)
        if not keep_partial:
            store.remove()
    return ds


_SHOWN_REJECTED = 5  # reasons listed in the one-line report of invalid chunks


def _rejected_message(rejected, what: str) -> str:
    shown = "; ".join(f"{a} chunk {k}: {reason}" for a, k, reason in rejected[:_SHOWN_REJECTED])
    more = f"; and {len(rejected) - _SHOWN_REJECTED} more" if len(rejected) > _SHOWN_REJECTED else ""
    return f"{len(rejected)} chunk file(s) were not valid for this sweep and are {what} ({shown}{more})"


def check_out(out) -> Path:
    """``out`` as a Path: a str or path ending in .nc or .zarr whose folder exists.

    Raises
    ------
    ValidationError
        Naming ``out``: not a path, another suffix (nothing is written
        silently in a format the name does not say), a missing parent
        folder, or a parent that is not a folder.
    """
    if isinstance(out, bool) or not isinstance(out, (str, os.PathLike)):
        raise ValidationError("out", f"must be a file path (str or os.PathLike) ending in .nc or .zarr, got {out!r}")
    text = os.fspath(out)
    if isinstance(text, bytes) or not text.strip():
        raise ValidationError("out", f"must be a non-empty file path ending in .nc or .zarr, got {out!r}")
    path = Path(text)
    suffix = Path(text.rstrip("/")).suffix.lower()
    if suffix not in RESULT_SUFFIXES:
        allowed = ", ".join(f"{k} ({v})" for k, v in RESULT_SUFFIXES.items())
        raise ValidationError("out", f"must end in {allowed}, got {text!r}")
    parent = path.parent
    if not parent.exists():
        raise ValidationError("out", f"the folder {str(parent)!r} does not exist (create it first)")
    if not parent.is_dir():
        raise ValidationError("out", f"{str(parent)!r} is not a folder")
    if suffix == ".nc" and path.is_dir():
        raise ValidationError("out", f"{text!r} is a folder; a netCDF result is a file")
    if suffix == ".zarr" and path.exists() and not path.is_dir():
        raise ValidationError("out", f"{text!r} is a file; a Zarr result is a folder")
    return path


def sweep(
    network,
    parameters: Mapping,
    approaches: Sequence[str] | str = ("local",),
    *,
    bookkeeping: str = "full",
    engine: str = "auto",
    options: Mapping | None = None,
    fast_path: bool = True,
    outputs: Sequence[str] | None = None,
    chunk_size: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: int | None = None,
    client=None,
    progress: bool = False,
    overwrite: bool = False,
    reference: str | None = None,
) -> xr.Dataset:
    """Steady states of ``network`` over a grid of parameter values, as an xarray Dataset.

    Parameters
    ----------
    network : Network
        The base network.
    parameters : mapping
        Path → values, in dimension order. Paths: ``nodes.<name>.frequency``,
        ``couplings.<A>-<B>.strength``, ``baths.<name>.temperature``,
        ``baths.<name>.spectrum.<param>``. Values: a list/array, or
        ``{"linspace": [start, stop, num]}`` (also ``geomspace``,
        ``logspace`` with exponents, ``values``; optional ``name``).
    approaches : str or list of str
        "local", "global" (each is a coordinate of the ``approach`` dimension).
    bookkeeping, engine, options
        As for :func:`qheatnet.solve`.
    fast_path : bool
        Use the vectorised two-node closed forms where they apply (default).
    outputs : list of str, optional
        Variables to keep (default: all; ``status`` and ``error`` always).
    out : path, optional
        Save to netCDF (or Zarr for ``*.zarr``), chunk by chunk, resumable.
    workers, scheduler, dask_local, client, progress, overwrite
        See :func:`run_sweep`.
    reference : {"exact", "heom"}, optional
        Also compute this exact reference at every point (added to ``approaches`` if missing) and
        each approach's relative deviation from it, the ``deviation`` variable (dims: parameters,
        approach): δ = max_α |J_α − J_α,ref| / max_α |J_α,ref| — a validity map
        (``qheatnet plot`` draws it). Part of the sweep hash.

    Returns
    -------
    xarray.Dataset
        Dimensions: the swept parameters, ``approach``, ``bath``, ``node``,
        ``diagnostic``; see :mod:`qheatnet.sweeps.dataset`.

    Examples
    --------
    >>> import numpy as np
    >>> from qheatnet import Network, Flat, sweep
    >>> net = Network.two_node("qubit", 1.0, 0.8, 0.01, 2.0, 1.0, Flat(0.01))
    >>> ds = sweep(net, {"baths.hot.temperature": np.linspace(0.5, 3, 6)}, ["local"])
    >>> ds.heat_current.sel(approach="local", bath="hot").shape
    (6,)
    """
    spec = make_spec(
        network,
        parameters,
        approaches,
        bookkeeping=bookkeeping,
        engine=engine,
        options=options,
        fast_path=fast_path,
        outputs=outputs,
        chunk_size=chunk_size,
        reference=reference,
    )
    return run_sweep(
        spec,
        out,
        workers=workers,
        scheduler=scheduler,
        dask_local=dask_local,
        client=client,
        progress=progress,
        overwrite=overwrite,
    )
