"""datatrove's per-task logging without loguru recomputing Python's library folders at every sink.

datatrove's `_run_for_rank` sets up logging for every task: `logger.remove()`, two
`logger.add(...)` calls, and one more when the task ends. loguru 0.7 builds an
`ExceptionFormatter` for every sink it adds, whose constructor asks `sysconfig` for the library
folders of every install scheme (36 `sysconfig.get_path` calls, each expanding the whole config
dictionary): 2.4 ms per `logger.add`, about 7 ms of every task; a dedup run of 2 tasks pays it
in each of its phases, more than small phases' work. The folders only tell the formatter which
traceback frames are library code; they depend on nothing but `sys.path` and the interpreter's
install schemes, which do not change while a process runs.

`cache_library_folders()` makes loguru compute them once per `sys.path` (the cache is keyed by
it). It is a workaround on a private loguru function, so it applies only where it was checked:
loguru 0.7.x with `ExceptionFormatter._get_lib_dirs` a static method taking no argument, as in
0.7.0-0.7.3; anything else is left alone (logging then just costs what it did).
"""

from __future__ import annotations

import functools
import inspect
import sys

CHECKED_VERSIONS = ("0.7.",)  # loguru releases whose private `_get_lib_dirs` this was checked on


def cache_library_folders() -> bool:
    """Compute loguru's library folders once per `sys.path`; True if applied (now or before)."""
    try:
        import loguru
        from loguru._better_exceptions import ExceptionFormatter
    except ImportError:
        return False
    if not str(getattr(loguru, "__version__", "")).startswith(CHECKED_VERSIONS):
        return False
    current = ExceptionFormatter.__dict__.get("_get_lib_dirs")
    if not isinstance(current, staticmethod):
        return False
    if getattr(current.__func__, "curate_cached", False):
        return True
    original = current.__func__
    if inspect.signature(original).parameters:
        return False

    @functools.lru_cache(maxsize=4)
    def for_path(path: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(original())

    def lib_dirs() -> list[str]:
        return list(for_path(tuple(sys.path)))

    lib_dirs.curate_cached = True  # type: ignore[attr-defined]
    lib_dirs.original = original  # type: ignore[attr-defined]
    ExceptionFormatter._get_lib_dirs = staticmethod(lib_dirs)
    lib_dirs()  # computed here, before this process forks its workers, so they inherit it
    return True
