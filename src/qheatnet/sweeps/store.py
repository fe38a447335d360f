"""A directory store that makes a sweep survive interruption.

Layout of ``RESULT.partial/`` (next to the final ``RESULT``)::

    manifest.json              sweep hash, canonical spec, chunk plan
    lock                       flock'ed by the running sweep
    chunks/<approach>/<k>.npz  one file per completed chunk (plain arrays)

Every file is written to a temporary name in the same folder, flushed,
fsync'ed and renamed with :func:`os.replace`, which is atomic: after a
Ctrl-C, a ``kill -9`` or a power cut a chunk file is either complete or
absent. A rerun with the same sweep finds the manifest, checks the hash,
skips the chunks on disk and computes only the rest; the final dataset is
assembled from the chunk files only, so it is the same however often the
run was interrupted. The chunk plan (chunk size per approach) is fixed when
the store is created and read back on resume, so chunk boundaries never
move.

Locking comes first: the store is opened inside its lock (``with store:``),
so a second sweep on the same ``RESULT`` — even with ``overwrite`` — is
refused before it reads, deletes or writes anything.

Every chunk file carries its own identity, ``__meta__`` (JSON): the store
format, the sweep hash, the approach, its index and point range, and a
SHA-256 checksum of its arrays. A chunk that does not match the place it is
found at (copied over another, from another sweep, altered, truncated) is
deleted, reported in :attr:`ChunkStore.rejected` and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ValidationError

__all__ = ["ChunkStore", "partial_dir", "discard_partial", "chunk_checksum", "CHUNK_FORMAT"]

FORMAT = "qheatnet-sweep-store/1"
#: Format tag of the ``__meta__`` entry of a chunk file (chunks without it are recomputed).
CHUNK_FORMAT = "qheatnet-sweep-chunk/2"
_META = "__meta__"


def partial_dir(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name.rstrip("/") + ".partial")


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def chunk_checksum(record: dict) -> str:
    """SHA-256 over the names, dtypes, shapes and bytes of a record's arrays (sorted by name)."""
    h = hashlib.sha256()
    for key in sorted(k for k in record if k != _META):
        arr = np.ascontiguousarray(record[key])
        h.update(key.encode())
        h.update(arr.dtype.str.encode())
        h.update(repr(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def _try_lock(path: Path):
    """An open, exclusively flock'ed ``path/lock``; None if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        return open(path / "lock", "a+")
    fh = open(path / "lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def discard_partial(out: str | Path) -> bool:
    """Delete the partial store of ``out`` unless a running sweep holds its lock; True if deleted."""
    path = partial_dir(out)
    if not path.is_dir():
        return False
    try:
        fh = _try_lock(path)
    except OSError:
        return False
    if fh is None:
        return False
    try:
        shutil.rmtree(path, ignore_errors=True)
    finally:
        fh.close()
    return True


class ChunkStore:
    """Chunk files and manifest of one sweep. Use as a context manager: it is opened under its lock.

    Parameters
    ----------
    path : Path
        The store folder (``RESULT.partial``); its parent must exist.
    spec_hash : str
        :attr:`SweepSpec.hash`; an existing store of another sweep is refused.
    canonical : dict
        :meth:`SweepSpec.canonical`, kept in the manifest for people.
    plan : dict
        approach → {"method": "fast" | "solve", "chunk_size": int}; on resume
        the plan on disk wins (read :attr:`plan` inside the ``with`` block).
    n_points : int
        Points per approach.
    overwrite : bool
        Empty a store of another sweep (after taking its lock) instead of refusing.

    Attributes
    ----------
    resumed : bool
        The store held this sweep already.
    rejected : list of (approach, index, reason)
        Chunk files found invalid (and deleted) by :meth:`done` or :meth:`read`.
    """

    def __init__(self, path, spec_hash: str, canonical: dict, plan: dict, n_points: int, overwrite: bool = False):
        self.path = Path(path)
        self.hash = spec_hash
        self.canonical = canonical
        self.plan = plan
        self.n_points = n_points
        self.overwrite = overwrite
        self.resumed = False
        self.rejected: list[tuple[str, int, str]] = []
        self._lock_fh = None

    # -- opening (under the lock) -------------------------------------------------
    def __enter__(self):
        try:
            self.path.mkdir(exist_ok=True)
        except OSError as exc:
            raise ValidationError("out", f"cannot create {self.path} ({exc.strerror or exc})") from None
        if not self.path.is_dir():
            raise ValidationError("out", f"{self.path} exists and is not a folder; remove it or use another --out")
        self._lock_fh = _try_lock(self.path)
        if self._lock_fh is None:
            raise ValidationError("out", f"another sweep is writing to {self.path} right now")
        try:
            self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _open(self) -> None:
        manifest = self.path / "manifest.json"
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if not isinstance(old, dict):
                old = {}
            if old.get("hash") != self.hash or not isinstance(old.get("plan"), dict):
                if not self.overwrite:
                    raise ValidationError(
                        "out",
                        f"{self.path} holds the partial results of a different sweep (hash "
                        f"{str(old.get('hash'))[:12]}…, this sweep {self.hash[:12]}…); use another --out or "
                        "--overwrite to discard them",
                    )
                self._empty()
            else:
                self.plan = old["plan"]
                self.resumed = True
        elif self.overwrite:
            self._empty()  # stray files of an interrupted store creation
        (self.path / "chunks").mkdir(exist_ok=True)
        if not self.resumed:
            text = json.dumps(
                {
                    "format": FORMAT,
                    "hash": self.hash,
                    "n_points": self.n_points,
                    "plan": self.plan,
                    "spec": self.canonical,
                },
                indent=1,
                sort_keys=True,
            )
            _atomic_write(manifest, lambda fh: fh.write(text.encode()))

    def _empty(self) -> None:
        """Delete everything in the store but the lock file (which this process holds)."""
        for child in self.path.iterdir():
            if child.name == "lock":
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()

    @property
    def lock_fileno(self) -> int | None:
        """File descriptor of the held lock (a forked worker closes its copy, so the lock goes with this process)."""
        return None if self._lock_fh is None else self._lock_fh.fileno()

    def __exit__(self, *exc):
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    # -- chunks ----------------------------------------------------------------
    def chunks(self, approach: str) -> list[tuple[int, int, int]]:
        """(index, start, stop) of every chunk of ``approach``."""
        size = int(self.plan[approach]["chunk_size"])
        return [(k, s, min(s + size, self.n_points)) for k, s in enumerate(range(0, self.n_points, size))]

    def _bounds(self, approach: str, index: int) -> tuple[int, int]:
        size = int(self.plan[approach]["chunk_size"])
        start = index * size
        return start, min(start + size, self.n_points)

    def _file(self, approach: str, index: int) -> Path:
        return self.path / "chunks" / approach / f"{index:08d}.npz"

    def done(self, approach: str) -> set[int]:
        """Indices of the valid chunks of ``approach`` on disk.

        Every chunk file is read and checked (see :meth:`read`); invalid ones
        are deleted and listed in :attr:`rejected`, stale temporary files
        removed.
        """
        folder = self.path / "chunks" / approach
        if not folder.exists():
            return set()
        n_chunks = len(self.chunks(approach))
        out = set()
        for f in sorted(folder.iterdir()):
            if f.name.endswith(".tmp"):
                f.unlink(missing_ok=True)
            elif f.suffix == ".npz" and f.stem.isdigit() and int(f.stem) < n_chunks:
                if self.read(approach, int(f.stem)) is not None:
                    out.add(int(f.stem))
        return out

    def write(self, approach: str, index: int, record: dict) -> None:
        """Save the record of chunk ``index`` with its identity and checksum (atomically)."""
        folder = self.path / "chunks" / approach
        folder.mkdir(parents=True, exist_ok=True)
        start, stop = self._bounds(approach, index)
        meta = {
            "format": CHUNK_FORMAT,
            "sweep_hash": self.hash,
            "approach": approach,
            "index": int(index),
            "start": start,
            "stop": stop,
            "checksum": chunk_checksum(record),
        }
        arrays = {**record, _META: np.array(json.dumps(meta, sort_keys=True))}
        _atomic_write(self._file(approach, index), lambda fh: np.savez(fh, **arrays))

    def _reject(self, f: Path, approach: str, index: int, reason: str) -> None:
        f.unlink(missing_ok=True)
        self.rejected.append((approach, index, reason))

    def read(self, approach: str, index: int) -> dict | None:
        """The record of a chunk, or None (file deleted, reason in :attr:`rejected`) if it is not valid here.

        Valid: readable, with the ``__meta__`` of this store format, this
        sweep's hash, this approach, this index and point range, a matching
        checksum, and one entry per point.
        """
        f = self._file(approach, index)
        try:
            with np.load(f, allow_pickle=False) as z:
                rec = {k: z[k] for k in z.files}
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            self._reject(f, approach, index, f"unreadable ({type(exc).__name__})")
            return None
        try:
            meta = json.loads(str(rec.pop(_META)))
        except (KeyError, ValueError):
            self._reject(f, approach, index, "no chunk identity (written by an older version?)")
            return None
        start, stop = self._bounds(approach, index)
        expected = {
            "format": CHUNK_FORMAT,
            "sweep_hash": self.hash,
            "approach": approach,
            "index": index,
            "start": start,
            "stop": stop,
        }
        wrong = [k for k, v in expected.items() if not isinstance(meta, dict) or meta.get(k) != v]
        if wrong:
            got = meta.get(wrong[0]) if isinstance(meta, dict) else meta
            self._reject(f, approach, index, f"{wrong[0]} is {got!r}, expected {expected[wrong[0]]!r}")
            return None
        if meta.get("checksum") != chunk_checksum(rec):
            self._reject(f, approach, index, "checksum mismatch (content altered)")
            return None
        n = rec.get("entropy_production")
        if n is None or len(n) != stop - start:
            self._reject(f, approach, index, "wrong number of points")
            return None
        return rec

    def remove(self) -> None:
        """Delete the store (while still holding its lock), then release the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.__exit__()
