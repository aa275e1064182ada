"""A total time limit per response, enforced by shutting the socket down.

Socket timeouts bound each `recv`, not the response: a server that sends one byte every few
seconds never trips them. A `Deadline` is armed around one request; the connection classes in
`netguard` attach every socket they use to the current thread's deadline, and one watchdog
thread shuts those sockets down when it passes, so the blocked read returns and the fetch is
recorded as `fetch_too_slow`. Costs one heap entry per request and no thread per request.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time

_local = threading.local()


class Deadline:
    """Absolute monotonic time by which the current request must be complete."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False

    def attach(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shutdown(sock)
            else:
                self._sockets.append(sock)

    def fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> Deadline:
        _local.deadline = self
        _Watchdog.get().add(self)
        return self

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._done = True
            self._sockets.clear()
        _local.deadline = None


def current() -> Deadline | None:
    """The deadline armed in this thread, if any."""
    return getattr(_local, "deadline", None)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Watchdog:
    _instance: _Watchdog | None = None
    _create_lock = threading.Lock()

    def __init__(self):
        self.pid = os.getpid()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        threading.Thread(target=self._loop, name="crawl-deadlines", daemon=True).start()

    @classmethod
    def get(cls) -> _Watchdog:
        with cls._create_lock:
            if cls._instance is None or cls._instance.pid != os.getpid():  # none, or forked: new thread
                cls._instance = cls()
            return cls._instance

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._seq), deadline))
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, deadline = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            if not deadline._done:
                deadline.fire()
