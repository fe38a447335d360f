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
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ValidationError

__all__ = ["ChunkStore", "partial_dir"]

FORMAT = "qheatnet-sweep-store/1"


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


class ChunkStore:
    """Chunk files and manifest of one sweep. Use as a context manager (holds the lock).

    Parameters
    ----------
    path : Path
        The store folder (``RESULT.partial``).
    spec_hash : str
        :attr:`SweepSpec.hash`; an existing store of another sweep is refused.
    canonical : dict
        :meth:`SweepSpec.canonical`, kept in the manifest for people.
    plan : dict
        approach → {"method": "fast" | "solve", "chunk_size": int}; on resume
        the plan on disk wins.
    overwrite : bool
        Delete a store of another sweep instead of refusing.
    """

    def __init__(self, path, spec_hash: str, canonical: dict, plan: dict, n_points: int, overwrite: bool = False):
        self.path = Path(path)
        self.hash = spec_hash
        self._lock_fh = None
        manifest = self.path / "manifest.json"
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = {}
            if old.get("hash") != spec_hash:
                if not overwrite:
                    raise ValidationError(
                        "out",
                        f"{self.path} holds the partial results of a different sweep (hash "
                        f"{str(old.get('hash'))[:12]}…, this sweep {spec_hash[:12]}…); use another --out or "
                        "--overwrite to discard them",
                    )
                shutil.rmtree(self.path)
            else:
                plan = old["plan"]
        self.resumed = manifest.exists()
        self.plan = plan
        self.n_points = n_points
        (self.path / "chunks").mkdir(parents=True, exist_ok=True)
        if not self.resumed:
            text = json.dumps(
                {"format": FORMAT, "hash": spec_hash, "n_points": n_points, "plan": plan, "spec": canonical},
                indent=1,
                sort_keys=True,
            )
            _atomic_write(manifest, lambda fh: fh.write(text.encode()))

    # -- locking ---------------------------------------------------------------
    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        self._lock_fh = open(self.path / "lock", "a+")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_fh.close()
            self._lock_fh = None
            raise ValidationError("out", f"another sweep is writing to {self.path} right now") from None
        return self

    def __exit__(self, *exc):
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    # -- chunks ----------------------------------------------------------------
    def chunks(self, approach: str) -> list[tuple[int, int, int]]:
        """(index, start, stop) of every chunk of ``approach``."""
        size = int(self.plan[approach]["chunk_size"])
        return [(k, s, min(s + size, self.n_points)) for k, s in enumerate(range(0, self.n_points, size))]

    def _file(self, approach: str, index: int) -> Path:
        return self.path / "chunks" / approach / f"{index:08d}.npz"

    def done(self, approach: str) -> set[int]:
        """Indices of the chunks of ``approach`` on disk (stale temporary files are removed)."""
        folder = self.path / "chunks" / approach
        if not folder.exists():
            return set()
        out = set()
        for f in folder.iterdir():
            if f.name.endswith(".tmp"):
                f.unlink(missing_ok=True)
            elif f.suffix == ".npz" and f.stem.isdigit():
                out.add(int(f.stem))
        return out

    def write(self, approach: str, index: int, record: dict) -> None:
        folder = self.path / "chunks" / approach
        folder.mkdir(parents=True, exist_ok=True)
        _atomic_write(self._file(approach, index), lambda fh: np.savez(fh, **record))

    def read(self, approach: str, index: int) -> dict | None:
        """The record of a chunk, or None (and the file removed) if it cannot be read."""
        f = self._file(approach, index)
        try:
            with np.load(f, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            f.unlink(missing_ok=True)
            return None

    def remove(self) -> None:
        self.__exit__()
        shutil.rmtree(self.path, ignore_errors=True)
