"""The pipeline lock (curate.lock): atomic, never cleared silently, stale locks recovered safely;
workers of a killed run die with it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from datatrove.pipeline.base import PipelineStep

from benchmarks._lock_torture import torture
from curate.errors import RunError, RunLockedError
from curate.lock import PipelineLock, alive, process_start, wait_gone
from tests.conftest import ROOT


def test_two_processes_never_hold_the_lock_at_once(tmp_path):
    result = torture(tmp_path, processes=2, acquisitions=400, die_every=40)
    assert result["acquisitions"] == 800 and result["double_holds"] == 0
    assert result["stale_locks_recovered"] > 0  # dead holders were recovered along the way
    assert not (tmp_path / "run.lock").exists()


@pytest.mark.parametrize("content", [b"", b"{}", b"garbage\x00", b'{"pid": "x"}', b"[1, 2]"])
def test_a_garbage_lock_file_is_an_error_not_cleared(tmp_path, content):
    (tmp_path / "run.lock").write_bytes(content)
    with pytest.raises(RunError, match=r"is not a curate lock .* delete it \(rm .*run\.lock\)"):
        with PipelineLock(tmp_path, "new"):
            pass
    assert (tmp_path / "run.lock").read_bytes() == content  # left for the user to inspect


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_lock_of_a_dead_or_reused_pid_is_recovered(tmp_path):
    host = socket.gethostname()
    for owner in (
        {"pid": dead_pid(), "host": host, "run_id": "old"},
        {"pid": os.getppid(), "host": host, "run_id": "old", "start": 1},  # pid reused by another process
    ):
        (tmp_path / "run.lock").write_text(json.dumps(owner))
        with PipelineLock(tmp_path, "new"):
            assert json.loads((tmp_path / "run.lock").read_text())["run_id"] == "new"
        assert not (tmp_path / "run.lock").exists()


def test_a_killed_unreaped_holder_is_dead(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    start = process_start(proc.pid)
    assert alive(proc.pid, socket.gethostname(), start)
    os.kill(proc.pid, signal.SIGKILL)
    time.sleep(0.2)  # not reaped yet: a zombie
    assert not alive(proc.pid, socket.gethostname(), start)
    proc.wait()


def test_a_live_holder_or_another_host_keeps_the_lock(tmp_path):
    (tmp_path / "run.lock").write_text(json.dumps({"pid": 1, "host": "elsewhere", "run_id": "far"}))
    with pytest.raises(RunLockedError, match="locked by run far") as info:
        PipelineLock(tmp_path, "new").__enter__()
    assert info.value.exit_code == 75


class SleepStep(PipelineStep):
    """Write this process's pid, then sleep: a task that would outlive its run."""

    name = "sleep"

    def __init__(self, folder: str):
        super().__init__()
        self.folder = folder

    def run(self, data=None, rank: int = 0, world_size: int = 1):
        (Path(self.folder) / f"{os.getpid()}.pid").write_text(str(os.getppid()))
        time.sleep(120)
        yield from ()


RUN_SLEEPERS = """
import sys
from pathlib import Path
from curate.config import ExecutorConfig
from curate.executors import make_executor
from curate.phase import Phase
from tests.test_lock import SleepStep
out = Path(sys.argv[1])
phase = Phase("sleep", [SleepStep(str(out))], 2)
make_executor(phase, ExecutorConfig(tasks=2, workers=2), out / "logs").run()
"""


def kill_main_of_sleepers(script: str, folder: Path) -> tuple[int, list[int]]:
    """Run `script` (which starts two `SleepStep` workers writing into `folder`), SIGKILL its main
    process once both workers run; (main pid, workers still alive 15 s later, then killed)."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    main = subprocess.Popen([sys.executable, "-c", script, str(folder)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 90
    while len(list(folder.glob("*.pid"))) < 2 and time.monotonic() < deadline and main.poll() is None:
        time.sleep(0.1)
    workers = [int(p.stem) for p in folder.glob("*.pid")]
    assert len(workers) == 2, "the workers did not start"
    os.kill(main.pid, signal.SIGKILL)
    main.wait()
    left = wait_gone(workers, 15)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    return main.pid, left


def test_workers_die_with_a_killed_main_process(tmp_path):
    _, left = kill_main_of_sleepers(RUN_SLEEPERS, tmp_path)
    assert left == []
