"""The pipeline lock, and processes that die with the run that started them.

`out/<pipeline>/run.lock` is held while a run (or a review apply) changes the pipeline's outputs.
Taking it is one atomic step: the owner record (pid, host, process start time, run id, a random
token) is written to a private temporary file, which is then hard-linked to `run.lock`; `link(2)`
fails if the name exists, so two processes can never both succeed, and the file is complete the
moment it becomes visible (an `O_CREAT|O_EXCL` file is visible before it is written, and a
reader would see `{}`).

A lock whose owner is gone (same host; the pid no longer runs, is a zombie, or is another
process that reused the pid, told apart by its start time) is removed under a guard `flock` on
`run.lock.guard`, after re-reading it there, so two processes recovering the same stale lock
cannot remove each other's fresh one. A lock file that is empty or not a curate lock is never
removed silently: it is an error that names the file and says how to clear it. A lock held on
another host is assumed alive.

`die_with_parent` makes a worker process exit when the process that started it dies
(Linux `prctl(PR_SET_PDEATHSIG)`, plus a check for a parent that died before the call), so
killing only the main process of a run does not leave its workers computing for nobody.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from loguru import logger

from curate.errors import RunError, RunLockedError
from curate.io import utcnow

LOCK_NAME = "run.lock"
PR_SET_PDEATHSIG = 1


def process_start(pid: int) -> int | None:
    """Start time of `pid` in clock ticks since boot (`/proc/<pid>/stat` field 22), None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()  # the command name may hold spaces and parentheses
    return int(fields[19]) if len(fields) > 19 else None


def alive(pid: Any, host: str | None = None, start: int | None = None) -> bool:
    """Whether process `pid` (on `host`, started at `start` ticks) still runs. A process on
    another host is assumed alive; a zombie (killed, not yet reaped) is dead."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    if host is not None and host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    if stat[stat.rfind(")") + 2 :].startswith("Z"):
        return False
    return start is None or process_start(pid) == start


class PipelineLock:
    """An exclusive lock on one pipeline's output root (see the module docstring)."""

    def __init__(self, pipeline_root: Path, run_id: str):
        self.path = Path(pipeline_root) / LOCK_NAME
        self.run_id = run_id
        self.token: str | None = None

    def __enter__(self) -> PipelineLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        pid, token = os.getpid(), uuid.uuid4().hex
        owner = {
            "pid": pid,
            "host": socket.gethostname(),
            "start": process_start(pid),
            "run_id": self.run_id,
            "since": utcnow(),
            "token": token,
        }
        tmp = self.path.with_name(f"{LOCK_NAME}.{pid}.{token[:12]}.tmp")
        tmp.write_text(json.dumps(owner), encoding="utf-8")
        try:
            for _ in range(5):
                try:
                    os.link(tmp, self.path)
                except FileExistsError:
                    self._clear_stale()
                    continue
                self.token = token
                return self
        finally:
            tmp.unlink(missing_ok=True)
        raise RunLockedError(f"could not take the lock {self.path}: other runs keep taking it; try again")

    def __exit__(self, *exc: Any) -> None:
        if self.token and (self._read()[1] or {}).get("token") == self.token:
            self.path.unlink(missing_ok=True)
        self.token = None

    def _read(self) -> tuple[bytes | None, dict[str, Any] | None]:
        """(raw bytes, owner record) of the lock file; (None, None) when it is gone."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None, None
        try:
            owner = json.loads(raw)
        except ValueError:
            return raw, None
        ok = isinstance(owner, dict) and isinstance(owner.get("pid"), int) and owner.get("host")
        return raw, owner if ok else None

    def _clear_stale(self) -> None:
        """Return when the lock file is gone (or was stale and is now removed); else raise."""
        raw, owner = self._read()
        if raw is None:
            return
        if owner is None:
            raise RunError(
                f"the lock file {self.path} is not a curate lock (content {raw[:60]!r}); curate does not "
                f"remove it on its own. If no curate run or review apply of this pipeline is running, "
                f"delete it (rm {self.path}) and start again"
            )
        if alive(owner["pid"], owner["host"], owner.get("start")):
            raise RunLockedError(
                f"pipeline is locked by run {owner.get('run_id')} (pid {owner['pid']} on {owner['host']}, "
                f"since {owner.get('since')}); lock file: {self.path}"
            )
        with self._guard():
            if self._read()[0] == raw:  # still the same stale lock: nobody replaced it meanwhile
                self.path.unlink()
                logger.warning(
                    f"cleared the stale lock of run {owner.get('run_id')} "
                    f"(pid {owner['pid']} is gone): {self.path}"
                )

    @contextlib.contextmanager
    def _guard(self):
        import fcntl

        with open(self.path.with_name(LOCK_NAME + ".guard"), "a+b") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; a no-op elsewhere), and
    exit now if the parent (`parent`, when given) is already gone."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait up to `timeout` seconds for `pids` to die; return those still alive."""
    deadline = time.monotonic() + timeout
    left = [p for p in pids if alive(p)]
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = [p for p in left if alive(p)]
    return left
