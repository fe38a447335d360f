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

import math
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import xarray as xr

from ..errors import QheatnetError, ValidationError
from .dataset import Assembler, open_result, save_dataset
from .fastpath import fast_path_applies
from .kernels import run_task
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
#: With ``workers=None`` the first chunk is solved in this process and timed;
#: a process pool starts only if the rest would take longer than this serially
#: (starting a pool costs ~1 s: a fork server that imports numpy and scipy).
AUTO_POOL_MIN_SECONDS = 3.0


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
            size = spec.chunk_size or max(1, min(MAX_AUTO_CHUNK, math.ceil(n / 64)))
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


def _worker_init(parent_pid: int) -> None:
    """Pool worker set-up: the parent handles Ctrl-C; exit when the parent dies."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent_pid,), daemon=True, name="qheatnet-parent-watch").start()


class _Serial:
    def __init__(self, tasks):
        self.tasks = tasks

    def results(self):
        for t in self.tasks:
            yield run_task(t)

    def close(self, kill: bool = False):
        pass


class _Pool:
    def __init__(self, tasks, workers: int):
        method = "forkserver" if sys.platform.startswith("linux") else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["qheatnet.sweeps.kernels", "qheatnet.sweeps.fastpath"])
        self.ex = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )
        self.tasks = tasks

    def results(self):
        pending = {self.ex.submit(run_task, t) for t in self.tasks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                try:
                    out = f.result()
                except BrokenProcessPool as exc:
                    raise WorkerLost(f"a worker process died ({exc})") from None
                yield out

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
        self.tasks = tasks
        self.futures = []

    def results(self):
        self.futures = [self.client.submit(run_task, t, pure=False) for t in self.tasks]
        from dask.distributed import KilledWorker

        for f in self._as_completed(self.futures):
            try:
                out = f.result()
            except KilledWorker as exc:
                raise WorkerLost(f"Dask workers died running a chunk ({exc})") from None
            f.release()
            yield out

    def close(self, kill: bool = False):
        if self.futures:
            self.client.cancel(self.futures)
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
        than :data:`AUTO_POOL_MIN_SECONDS` serially; else this process.
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

        bar = tqdm(
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
                    if nw is None:  # time the first chunk here, then decide whether a pool pays off
                        t0 = time.perf_counter()
                        consume([run_task(slow[0])])
                        per_point = (time.perf_counter() - t0) / len(slow[0]["values"])
                        slow = slow[1:]
                        left = per_point * sum(len(t["values"]) for t in slow)
                        nw = (os.cpu_count() or 1) if left > AUTO_POOL_MIN_SECONDS else 1
                    nw = min(nw, len(slow))
                    executor = _Serial(slow) if nw <= 1 else _Pool(slow, nw)
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
