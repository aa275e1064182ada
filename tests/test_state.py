from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from loguru import logger

from curate.errors import RunLockedError
from curate.state import PipelineLock, list_runs, update_run_record


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_lock_excludes_a_second_run_and_is_released(tmp_path):
    with PipelineLock(tmp_path, "a"):
        with pytest.raises(RunLockedError, match="locked by run a") as info:
            with PipelineLock(tmp_path, "b"):
                pass
        assert info.value.exit_code == 75
    assert not (tmp_path / "run.lock").exists()
    with PipelineLock(tmp_path, "c"):
        assert json.loads((tmp_path / "run.lock").read_text())["run_id"] == "c"


def test_stale_lock_of_a_dead_process_is_cleared(tmp_path):
    messages: list[str] = []
    sink = logger.add(messages.append, level="WARNING")
    stale = {
        "pid": dead_pid(),
        "host": socket.gethostname(),
        "run_id": "old",
        "since": "2026-01-01T00:00:00Z",
    }
    (tmp_path / "run.lock").write_text(json.dumps(stale))
    with PipelineLock(tmp_path, "new"):
        assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    logger.remove(sink)
    assert any("cleared the stale lock of run old" in m for m in messages)


def test_runs_of_dead_processes_show_as_interrupted(tmp_path):
    (tmp_path / "r1").mkdir()
    (tmp_path / "r2").mkdir()
    update_run_record(
        tmp_path / "r1", run_id="r1", state="complete", pid=os.getpid(), host=socket.gethostname()
    )
    update_run_record(
        tmp_path / "r2", run_id="r2", state="running", pid=dead_pid(), host=socket.gethostname()
    )
    assert [(r["run_id"], r["state"]) for r in list_runs(tmp_path)] == [
        ("r1", "complete"),
        ("r2", "interrupted"),
    ]
