"""Run a parser on one document in a forked child with a time and a memory bound.

Some inputs make pure-Python parsers run for minutes or allocate gigabytes (a 200 KB PDF whose
content stream inflates to 90 MB of drawing operators); a signal cannot interrupt C code and a
memory limit cannot be set on a thread. So the parser runs in a child made with `os.fork` (no
pickling of the function, no re-import; works inside datatrove's daemonic pool workers, which
`multiprocessing` refuses to let have children):

- memory: the child sets `RLIMIT_AS` to its inherited address space plus `memory_bytes`, so an
  allocation beyond that raises `MemoryError` (or kills the child) instead of the machine;
- time: the parent waits at most `seconds` for the result, then sends SIGKILL.

The result comes back pickled through a pipe. Cost: one fork per call (a few milliseconds for a
worker of a few hundred MB, copy-on-write), small next to parsing a PDF.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import time
from collections.abc import Callable
from typing import Any


class BoundExceeded(Exception):
    """The child ran out of time or memory, or died; `reason` is the rejection reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _address_space() -> int | None:
    """Bytes of virtual memory this process maps now (Linux), None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _child(write_fd: int, fn: Callable[..., Any], args: tuple, memory_bytes: int) -> None:
    status = 1
    try:
        import resource

        base = _address_space()
        if base is not None:
            limit = base + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            payload = ("ok", fn(*args))
        except MemoryError:
            payload = ("memory", f"more than {memory_bytes} bytes")
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            payload = ("error", f"{type(exc).__name__}: {str(exc)[:300]}")
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view) :]
        status = 0
    finally:
        os._exit(status)  # never return into the parent's code (no atexit, no buffered output)


def run_bounded(
    fn: Callable[..., Any], args: tuple, seconds: float, memory_bytes: int, name: str = "child"
) -> Any:
    """`fn(*args)` computed in a forked child within `seconds` and `memory_bytes` more memory.

    Raises `BoundExceeded` with reason `<name>_time_limit`, `<name>_memory_limit` or
    `<name>_crashed`; an exception inside `fn` comes back as `BoundExceeded` with reason
    `<name>_error` (its type and message in the detail).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read_fd)
        _child(write_fd, fn, args, memory_bytes)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    timed_out = False
    with selectors.DefaultSelector() as sel:
        sel.register(read_fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                timed_out = True
                break
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped by someone else (a SIGCHLD handler): judge by the output
        status = 0
    if timed_out:
        raise BoundExceeded(f"{name}_time_limit", f"more than {seconds:g} s")
    try:
        kind, payload = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - nothing or half a result: the child died
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        reason = f"{name}_memory_limit" if sig == signal.SIGKILL else f"{name}_crashed"
        raise BoundExceeded(reason, f"child ended with status {status} (signal {sig})") from None
    if kind == "ok":
        return payload
    if kind == "memory":
        raise BoundExceeded(f"{name}_memory_limit", payload)
    raise BoundExceeded(f"{name}_error", payload)
