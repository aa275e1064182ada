"""Run records and the pipeline lock.

Each run directory holds `run.json`: id, state (`running`, `failed`, `complete`), start and end
times (ISO-8601 UTC), pid and host, and once complete the per-stage counts. `curate status`
reads these. A pipeline's root (`out/<pipeline>/`) holds `run.lock` while a run is active; the
lock records pid and host, so a lock left by a process that died is detected (same host, pid
gone) and cleared with a message, while a live one stops a second run (exit code 75, which
cron and systemd treat as "try again later").
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from loguru import logger

from curate.errors import RunLockedError
from curate.io import utcnow, write_json_atomic

RUNNING, FAILED, COMPLETE = "running", "failed", "complete"


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def update_run_record(run_dir: Path, **fields: Any) -> dict[str, Any]:
    """Merge `fields` into `run_dir/run.json` (created on first call) and return the record."""
    path = run_dir / "run.json"
    record = read_json(path) or {}
    record.update(fields)
    write_json_atomic(path, record)
    return record


def list_runs(pipeline_root: Path) -> list[dict[str, Any]]:
    """Run records under `pipeline_root`, oldest first."""
    runs = []
    for path in sorted(pipeline_root.glob("*/run.json")):
        record = read_json(path)
        if record:
            if record.get("state") == RUNNING and not _alive(record.get("pid"), record.get("host")):
                record["state"] = "interrupted"
            runs.append(record)
    return runs


def _alive(pid: int | None, host: str | None) -> bool:
    """Whether the process `pid` on `host` still runs (a process on another host is assumed alive)."""
    if not pid:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PipelineLock:
    """An exclusive lock on one pipeline's output root, held for the length of a run."""

    def __init__(self, pipeline_root: Path, run_id: str):
        self.path = pipeline_root / "run.lock"
        self.run_id = run_id

    def __enter__(self) -> PipelineLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(
            {"pid": os.getpid(), "host": socket.gethostname(), "run_id": self.run_id, "since": utcnow()}
        )
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_json(self.path) or {}
                if _alive(holder.get("pid"), holder.get("host")):
                    raise RunLockedError(
                        f"pipeline is locked by run {holder.get('run_id')} (pid {holder.get('pid')} on "
                        f"{holder.get('host')}, since {holder.get('since')}); lock file: {self.path}"
                    ) from None
                logger.warning(
                    f"clearing stale lock of run {holder.get('run_id')} "
                    f"(pid {holder.get('pid')} is gone): {self.path}"
                )
                self.path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as f:
                f.write(payload)
            return self
        raise RunLockedError(f"could not take the lock {self.path}")

    def __exit__(self, *exc) -> None:
        holder = read_json(self.path) or {}
        if holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)
