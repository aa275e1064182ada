"""Run records and the pipeline lock.

Each run directory holds `run.json`: id, state (`running`, `failed`, `complete`), start and end
times (ISO-8601 UTC), pid and host, and once complete the per-stage counts. `curate status`
reads these. A pipeline's root (`out/<pipeline>/`) holds `run.lock` while a run is active
(`curate.lock`): a live one stops a second run (exit code 75, which cron and systemd treat as
"try again later"), one left by a process that died is recovered with a message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curate.io import utcnow, write_json_atomic
from curate.lock import PipelineLock, alive

__all__ = [
    "COMPLETE",
    "FAILED",
    "RUNNING",
    "PipelineLock",
    "list_runs",
    "read_json",
    "update_run_record",
    "utcnow",
]

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
            if record.get("state") == RUNNING and not alive(record.get("pid"), record.get("host")):
                record["state"] = "interrupted"
            runs.append(record)
    return runs
