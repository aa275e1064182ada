"""Forked workers kept across the phases of a plan: one fork per worker instead of one per phase.

`curate.forked_executor.ForkedExecutor` forks its workers for one phase; the three pooled dedup
phases (signatures, buckets, filter) then fork twice each, and every child copies the pages it
touches again. A `WorkerPool` is started by the first phase that uses it and kept until its last
phase has run (`close`): each phase sends every worker its executor (pickled, a few KB) with the
ranks it runs, and waits for one reply per worker (its summed stats, or the exception of a task).

Rank r of every phase runs in worker `r % workers`, so a worker meets the same input shard again
in a later phase: its stage readers keep the documents they parsed for that later phase
(`curate.stageio.memo`, on in pool workers only, whose memory ends with the pool). Ranks are
assigned up front, not taken from a queue: the dedup phases' ranks are shards of one input
folder, of similar size. A task that raises ends its worker; the pool is then closed and the
exception raised here once every busy worker has replied. Workers get the kernel's parent-death
signal at fork and read their commands from a pipe, so they also end when the run's process does.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import time
import traceback
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from datatrove.utils.stats import PipelineStats

from curate.lock import die_with_parent

if TYPE_CHECKING:
    from curate.direct_executor import DirectExecutor

_HEADER = struct.Struct("<Q")  # bytes of the pickled message that follows
STOP_GRACE_S = 5.0  # an idle worker exits within milliseconds of its pipe's end


class WorkerError(RuntimeError):
    """A forked worker died or raised an exception that could not be sent back as it was."""


def send(fd: int, payload: bytes) -> None:
    """Write one length-prefixed message to pipe `fd`."""
    data = memoryview(_HEADER.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


def receive(fd: int) -> bytes | None:
    """Read one length-prefixed message from pipe `fd`; None when the writer has closed it first."""
    header = _read_exactly(fd, _HEADER.size)
    if header is None:
        return None
    return _read_exactly(fd, _HEADER.unpack(header)[0])


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def describe(pid: int, status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"worker process {pid} was killed by signal {os.WTERMSIG(status)}"
    return f"worker process {pid} exited with status {os.waitstatus_to_exitcode(status)}"


class WorkerPool:
    """Forked workers (as many as the first executor run has) that run the ranks of several
    executors in turn (see the module doc)."""

    def __init__(self):
        self._procs: list[tuple[int, int, int]] = []  # (pid, command pipe, reply pipe) per worker
        self._finalizer = weakref.finalize(self, _shut, self._procs, True)  # forgotten: killed

    @property
    def started(self) -> bool:
        return bool(self._procs)

    def run(self, executor: DirectExecutor, ranks: list[int]) -> list[PipelineStats]:
        """Run `ranks` of `executor` (rank r in worker r % workers); the stats of each busy worker."""
        from curate.threads import ENV, LIBRARY_ENV

        if not self._procs:
            self._start(max(1, executor.workers))
        env = {k: os.environ[k] for k in (ENV, *LIBRARY_ENV) if k in os.environ}  # this phase's budget
        busy, error = [], None
        try:
            for i, (pid, cmd_w, out_r) in enumerate(self._procs):
                mine = [r for r in ranks if r % len(self._procs) == i]
                if not mine:
                    continue
                try:
                    send(cmd_w, pickle.dumps((executor, mine, env)))
                except BrokenPipeError:
                    error = error or WorkerError(f"worker process {pid} stopped before its task")
                    continue
                busy.append((pid, out_r))
            stats = []
            for pid, out_r in busy:
                reply = receive(out_r)
                result = pickle.loads(reply) if reply is not None else None
                if isinstance(result, PipelineStats):
                    stats.append(result)
                elif error is None:
                    error = result if isinstance(result, BaseException) else self._death(pid)
        except BaseException:
            self.close(kill=True)  # interrupted here: the workers must not go on for nobody
            raise
        if error is not None:
            self.close()
            raise error
        return stats

    def close(self, kill: bool = False) -> None:
        """End the workers (at once with `kill`, else once they have read their last command)."""
        _shut(self._procs, kill)

    def _death(self, pid: int) -> WorkerError:
        _, status = os.waitpid(pid, 0)
        self._procs[:] = [p for p in self._procs if p[0] != pid]
        return WorkerError(describe(pid, status))

    def _start(self, workers: int) -> None:
        parent_fds: list[int] = []
        for index in range(workers):
            cmd_r, cmd_w = os.pipe()
            out_r, out_w = os.pipe()
            try:
                pid = fork(cmd_r, cmd_w, out_r, out_w)
            except OSError:
                if not self._procs:
                    raise
                break  # the workers already started take every rank
            if pid == 0:  # pragma: no cover - runs in the child, which exits in `_serve`
                for fd in (*parent_fds, cmd_w, out_r):  # else other workers never see their pipe end
                    os.close(fd)
                _serve(cmd_r, out_w, index)
            os.close(cmd_r)
            os.close(out_w)
            parent_fds += [cmd_w, out_r]
            self._procs.append((pid, cmd_w, out_r))


def fork(*pipes: int) -> int:
    """`os.fork()` with this process's output flushed first (else the child prints it again); if
    the fork fails, the new `pipes` file descriptors are closed and the error raised."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return os.fork()
    except OSError:
        for fd in pipes:
            os.close(fd)
        raise


def _shut(procs: list[tuple[int, int, int]], kill: bool, grace_s: float = STOP_GRACE_S) -> None:
    """Close the workers' pipes (an idle worker then exits) and reap them; a worker still there
    after `grace_s` seconds (or at once, with `kill`) is killed: nothing it does is waited for."""
    for _pid, cmd_w, out_r in procs:
        os.close(cmd_w)
        os.close(out_r)
    deadline = time.monotonic() + (0 if kill else grace_s)
    for pid, _, _ in procs:
        try:
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() >= deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.001)
        except (ChildProcessError, ProcessLookupError):
            pass
    procs.clear()


def run_ranks(executor: DirectExecutor, ranks: Iterable[int], local_rank: int) -> tuple[int, bytes]:
    """Run `ranks` of `executor` in this worker (`DirectExecutor._run_tasks`): (0, their summed
    stats pickled), or (1, the exception pickled, or its traceback as a `WorkerError` when the
    exception cannot be pickled) at the first task that raises."""
    try:
        return 0, pickle.dumps(executor._run_tasks(ranks, local_rank))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        try:
            return 1, pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an unpicklable exception travels as its traceback
            return 1, pickle.dumps(WorkerError(traceback.format_exc()))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


def _serve(cmd_r: int, out_w: int, index: int) -> None:  # pragma: no cover - runs in a child
    """A worker's life: run the ranks of each executor received, reply, until the pool closes."""
    from curate import stageio

    die_with_parent()
    stageio.memo.enable()  # this process lives on into the later phases of its shard
    code = 0
    try:
        while code == 0 and (message := receive(cmd_r)) is not None:
            executor, ranks, env = pickle.loads(message)
            os.environ.update(env)
            code, payload = run_ranks(executor, ranks, index)
            send(out_w, payload)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
