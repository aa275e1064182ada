"""Durable file writes and timestamps, the one place curate does either.

A file that another process (or the next run, after a crash) may read is never written in place:
it is written to a temporary sibling, flushed and fsynced, renamed over the final name, and the
directory is fsynced so that the rename itself survives a power cut (POSIX `rename(2)` is atomic;
its durability needs the directory's fsync, see `fsync(2)` and the ext4 `auto_da_alloc` notes).
Readers therefore see the old file or the new one, never half of one. Temporary names end in
`.tmp` (plus a unique suffix when concurrent writers are possible), so a crashed writer's leftovers
are recognisable and can be removed.

Timestamps are UTC: `utcnow()` is ISO-8601 to the second (`2026-12-01T05:17:02Z`), `stamp()` the
compact form used in run and apply ids (`20261201-051702`).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
STAMP_FORMAT = "%Y%m%d-%H%M%S"


def utcnow() -> str:
    """The current UTC time as ISO-8601 to the second, e.g. `2026-12-01T05:17:02Z`."""
    return datetime.now(timezone.utc).strftime(ISO_FORMAT)


def stamp(micro: bool = False) -> str:
    """The current UTC time as a sortable id, `YYYYmmdd-HHMMSS` (with `-ffffff` microseconds if asked)."""
    return datetime.now(timezone.utc).strftime(STAMP_FORMAT + ("-%f" if micro else ""))


def fsync_dir(path: str | os.PathLike) -> None:
    """fsync a directory, so that renames and creations inside it are durable."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def fsync_file(path: str | os.PathLike) -> None:
    """fsync a file that someone else wrote and closed (pyarrow, numpy)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tmp_path(path: str | os.PathLike, unique: bool = False) -> Path:
    """The temporary sibling of `path` a writer fills before `publish`: `<name>.tmp` (or
    `<name>.<pid>.tmp` when several processes may write the same file at once)."""
    path = Path(path)
    return path.with_name(f"{path.name}.{os.getpid()}.tmp" if unique else f"{path.name}.tmp")


def publish(tmp: str | os.PathLike, path: str | os.PathLike, sync: bool = True) -> Path:
    """Move a finished temporary file (or folder) onto `path` atomically and durably."""
    tmp, path = Path(tmp), Path(path)
    if sync and tmp.is_file():
        fsync_file(tmp)
    os.replace(tmp, path)
    if sync:
        fsync_dir(path.parent)
    return path


@contextmanager
def atomic_path(path: str | os.PathLike, unique: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path` atomically (fsynced), on an
    exception it is removed and `path` is left as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path(path, unique)
    try:
        yield tmp
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise
    publish(tmp, path)


def write_bytes_atomic(path: str | os.PathLike, data: bytes, unique: bool = False) -> Path:
    """Write `data` to `path` through a fsynced temporary file and a rename."""
    path = Path(path)
    with atomic_path(path, unique) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return path


def write_text_atomic(path: str | os.PathLike, text: str, unique: bool = False) -> Path:
    """Write `text` (UTF-8) to `path` atomically; readers never see half of it."""
    return write_bytes_atomic(path, text.encode("utf-8"), unique)


def write_json_atomic(
    path: str | os.PathLike, payload: Any, indent: int | None = 2, unique: bool = False
) -> Path:
    """Write `payload` as JSON to `path` atomically (UTF-8, non-ASCII kept, unknown types as str)."""
    text = json.dumps(payload, indent=indent, ensure_ascii=False, default=str)
    return write_text_atomic(path, text + "\n", unique)


def read_json(path: str | os.PathLike) -> dict[str, Any] | None:
    """A JSON object from `path`, or None when it is missing or unreadable."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
